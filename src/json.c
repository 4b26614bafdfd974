/*
 * json: see json.h.  Strings are escaped as RFC 8259 section 7 requires
 * (quote, backslash, control characters); other bytes pass through, so
 * valid UTF-8 in gives valid JSON out.  Invalid UTF-8 bytes are written
 * as \u00XX escapes of the byte, keeping the output valid JSON.
 */
#include "json.h"

#include <stdio.h>
#include <string.h>

#include "bin_read.h"

void
json_init(struct json *j, struct bin_writer *w)
{
	memset(j, 0, sizeof *j);
	j->w = w;
	j->first[0] = true;
}

static void
indent(struct json *j)
{
	bin_write_u8(j->w, '\n');
	for (unsigned i = 0; i < j->depth; i++)
		bin_write_bytes(j->w, "  ", 2);
}

/* Separator and indentation before a value or a key. */
static void
before_value(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth == 0)
		return;
	if (!j->first[j->depth])
		bin_write_u8(j->w, ',');
	j->first[j->depth] = false;
	indent(j);
}

static void
open_level(struct json *j, char c)
{
	before_value(j);
	bin_write_u8(j->w, (uint8_t)c);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	else
		j->too_deep = true;
	j->first[j->depth] = true;
}

static void
close_level(struct json *j, char c)
{
	bool empty = j->first[j->depth];
	if (j->depth > 0)
		j->depth--;
	if (!empty)
		indent(j);
	bin_write_u8(j->w, (uint8_t)c);
	if (j->depth == 0)
		bin_write_u8(j->w, '\n');
}

void
json_object_begin(struct json *j)
{
	open_level(j, '{');
}

void
json_object_end(struct json *j)
{
	close_level(j, '}');
}

void
json_array_begin(struct json *j)
{
	open_level(j, '[');
}

void
json_array_end(struct json *j)
{
	close_level(j, ']');
}

static void
write_escaped(struct json *j, const uint8_t *s, size_t n)
{
	bool valid = bin_utf8_valid(s, n);
	bin_write_u8(j->w, '"');
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		char esc[8];
		const char *short_esc = c == '"'    ? "\\\""
					: c == '\\' ? "\\\\"
					: c == '\n'  ? "\\n"
					: c == '\t'  ? "\\t"
					: c == '\r'  ? "\\r"
						     : NULL;
		if (short_esc) {
			bin_write_bytes(j->w, short_esc, 2);
		} else if (c < 0x20 || (!valid && c >= 0x80)) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			bin_write_bytes(j->w, esc, 6);
		} else {
			bin_write_u8(j->w, c);
		}
	}
	bin_write_u8(j->w, '"');
}

void
json_key_n(struct json *j, const uint8_t *key, size_t n)
{
	before_value(j);
	write_escaped(j, key, n);
	bin_write_bytes(j->w, ": ", 2);
	j->after_key = true;
}

void
json_key(struct json *j, const char *key)
{
	json_key_n(j, (const uint8_t *)key, strlen(key));
}

void
json_string_n(struct json *j, const uint8_t *s, size_t n)
{
	before_value(j);
	write_escaped(j, s, n);
}

void
json_string(struct json *j, const char *s)
{
	json_string_n(j, (const uint8_t *)s, strlen(s));
}

void
json_uint(struct json *j, uint64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
	before_value(j);
	bin_write_bytes(j->w, buf, (size_t)n);
}

void
json_bool(struct json *j, bool v)
{
	before_value(j);
	if (v)
		bin_write_bytes(j->w, "true", 4);
	else
		bin_write_bytes(j->w, "false", 5);
}

void
json_null(struct json *j)
{
	before_value(j);
	bin_write_bytes(j->w, "null", 4);
}

void
json_kv_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void
json_kv_uint(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_uint(j, v);
}

void
json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}
