/*
 * json: a tiny JSON writer (RFC 8259) over a bin_writer, pretty-printed
 * with two-space indentation so its output is stable and diffable.
 * Commas and nesting are tracked here; the caller only says what comes.
 */
#ifndef JSON_H
#define JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bin_write.h"

/* Nesting deeper than this is not written properly: see too_deep. */
#define JSON_MAX_DEPTH 128

struct json {
	struct bin_writer *w;
	unsigned depth;
	bool first[JSON_MAX_DEPTH]; /* nothing written yet at this level */
	bool after_key;
	bool too_deep; /* sticky: a level past JSON_MAX_DEPTH was opened */
};

void json_init(struct json *j, struct bin_writer *w);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
/* A key inside an object; the value follows. */
void json_key(struct json *j, const char *key);
/* A key given as n bytes (a name from the input). */
void json_key_n(struct json *j, const uint8_t *key, size_t n);
void json_string(struct json *j, const char *s);
/* n bytes (UTF-8 expected; control characters and quotes escaped). */
void json_string_n(struct json *j, const uint8_t *s, size_t n);
void json_uint(struct json *j, uint64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* key + value shorthands */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_uint(struct json *j, const char *key, uint64_t v);
void json_kv_bool(struct json *j, const char *key, bool v);

#endif
