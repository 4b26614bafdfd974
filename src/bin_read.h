/*
 * bin_read: a cursor over borrowed bytes.  Every read names the field it
 * reads; on failure the cursor does not move and the session diagnostic
 * says "input:0xOFFSET: malformed: <field>: <problem>".
 */
#ifndef BIN_READ_H
#define BIN_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define MELD_CHECK MELD_CHECK_RESULT

struct bin_reader {
	const uint8_t *p;
	const uint8_t *end;
	const uint8_t *base; /* first byte of the whole input: offsets count from here */
	const char *input;   /* input name for diagnostics */
	struct diag *diag;
};

/* A name (or any byte string) pointing into the input. */
struct bin_name {
	const uint8_t *p;
	uint32_t len;
};

void bin_reader_init(struct bin_reader *r, const uint8_t *data, size_t len,
		     const char *input, struct diag *d);

static inline size_t
bin_offset(const struct bin_reader *r)
{
	return (size_t)(r->p - r->base);
}

static inline size_t
bin_left(const struct bin_reader *r)
{
	return (size_t)(r->end - r->p);
}

static inline bool
bin_at_end(const struct bin_reader *r)
{
	return r->p == r->end;
}

/* Report a malformation at the current offset; returns MELD_EMALFORMED. */
enum meld_status bin_malformed(struct bin_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Report at an explicit offset with any status. */
enum meld_status bin_fail_at(struct bin_reader *r, enum meld_status st,
			     size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

MELD_CHECK enum meld_status bin_read_u8(struct bin_reader *r, uint8_t *out,
					const char *what);
/* A byte that must be 0 or 1 (a mutability, a flag); `kind` names it in
 * the error: "WHAT: KIND 0x02". */
MELD_CHECK enum meld_status bin_read_bool(struct bin_reader *r, bool *out,
					  const char *what, const char *kind);
MELD_CHECK enum meld_status bin_read_u32(struct bin_reader *r, uint32_t *out,
					 const char *what);
MELD_CHECK enum meld_status bin_read_u64(struct bin_reader *r, uint64_t *out,
					 const char *what);
MELD_CHECK enum meld_status bin_read_s32(struct bin_reader *r, int32_t *out,
					 const char *what);
MELD_CHECK enum meld_status bin_read_s33(struct bin_reader *r, int64_t *out,
					 const char *what);
MELD_CHECK enum meld_status bin_read_s64(struct bin_reader *r, int64_t *out,
					 const char *what);
/* Little-endian fixed-width (f32/f64 bit patterns, magic/version). */
MELD_CHECK enum meld_status bin_read_fixed32(struct bin_reader *r,
					     uint32_t *out, const char *what);
MELD_CHECK enum meld_status bin_read_fixed64(struct bin_reader *r,
					     uint64_t *out, const char *what);
MELD_CHECK enum meld_status bin_read_bytes(struct bin_reader *r, size_t n,
					   const uint8_t **out,
					   const char *what);
/* u32 length + bytes that must be valid UTF-8. */
MELD_CHECK enum meld_status bin_read_name(struct bin_reader *r,
					  struct bin_name *out,
					  const char *what);
/* u32 length + bytes, no UTF-8 check. */
MELD_CHECK enum meld_status bin_read_blob(struct bin_reader *r,
					  struct bin_name *out,
					  const char *what);
/*
 * A vector count, checked against the bytes left: each element takes at
 * least `min_elem_size` bytes, so a huge count is refused before anything
 * is allocated.
 */
MELD_CHECK enum meld_status bin_read_count(struct bin_reader *r,
					   uint32_t *out,
					   size_t min_elem_size,
					   const char *what);
/* Split off the next n bytes as a sub-reader (offsets stay absolute). */
MELD_CHECK enum meld_status bin_read_sub(struct bin_reader *r, size_t n,
					 struct bin_reader *sub,
					 const char *what);
/* Fail unless the reader is exhausted (section size mismatch). */
MELD_CHECK enum meld_status bin_expect_end(struct bin_reader *r,
					   const char *what);

bool bin_utf8_valid(const uint8_t *p, size_t n);
bool bin_name_eq(struct bin_name a, const char *s);

#endif
