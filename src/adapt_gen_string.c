/*
 * adapt_gen_string: string helpers (CanonicalABI.md "Loading":
 * load_string_from_range; "Storing": store_string_into_range and every
 * store_* function it dispatches to).
 *
 * One helper per (source memory and encoding, destination side):
 * (ptr, tagged code units) -> (ptr, tagged code units).  It makes
 * load_string_from_range's checks (byte length at most
 * MAX_STRING_BYTE_LENGTH, alignment, bounds) and validates the whole
 * source (UTF-8, or UTF-16 surrogate pairing) before any realloc, as the
 * spec lifts the whole string before storing it; then it runs the store
 * algorithm the pair of encodings selects, with exactly the spec's
 * realloc calls (initial size, worst-case growth, final shrink) and
 * checks after each.  latin1+utf16 sources branch on the tag bit.
 *
 * Decoding and encoding one code point are small helpers per memory
 * (AG_DEC*, AG_ENC*), validation too (AG_VALID*); the loops inline an
 * ASCII (or BMP) fast path.
 */
#include <string.h>

#include "adapt_gen_impl.h"

/* The source as the store algorithms see it (store_string_into_range). */
enum src_form {
	SRC_UTF8,
	SRC_UTF16,   /* a utf16 source */
	SRC_LATIN1,  /* a latin1+utf16 source without the tag */
	SRC_CUTF16   /* a latin1+utf16 source with the tag: UTF-16 */
};

/* The string being stored: source pointer and code units in locals. */
struct sctx {
	struct ag_fn *x;
	const struct ag_key *k;
	enum src_form form;
	uint32_t src, n;
};

static struct ag_key
codec_key(enum ag_kind kind, uint32_t mem)
{
	struct ag_key k;
	memset(&k, 0, sizeof k);
	k.kind = kind;
	if (kind == AG_ENC8 || kind == AG_ENC16)
		k.dst.memidx = mem;
	else
		k.src_mem = mem;
	return k;
}

static uint32_t
codec(struct sctx *s, enum ag_kind kind)
{
	bool enc = kind == AG_ENC8 || kind == AG_ENC16;
	struct ag_key k = codec_key(kind, enc ? s->k->dst.memidx
					      : s->k->src_mem);
	return ag_helper(s->x, &k);
}

static void
get(struct ag_fn *x, uint32_t l)
{
	cgen_local_get(&x->f, l);
}

static void
set(struct ag_fn *x, uint32_t l)
{
	cgen_local_set(&x->f, l);
}

static void
c32(struct ag_fn *x, uint32_t v)
{
	cgen_i32_const(&x->f, (int32_t)v);
}

/* local.get a; local.get b; i32.add */
static void
get_add(struct ag_fn *x, uint32_t a, uint32_t b)
{
	get(x, a);
	get(x, b);
	cgen_i32_add(&x->f);
}

/* local.get a; local.get b << shift; i32.add: an address. */
static void
get_index(struct ag_fn *x, uint32_t base, uint32_t i, unsigned shift)
{
	get(x, base);
	get(x, i);
	if (shift) {
		c32(x, shift);
		cgen_i32_shl(&x->f);
	}
	cgen_i32_add(&x->f);
}

static uint32_t
new_i32(struct ag_fn *x)
{
	return cgen_local(&x->f, CGEN_I32);
}

/* A realloc argument: a local, or a constant when is_const. */
struct arg {
	bool is_const;
	uint32_t v;
};

static void
push_arg(struct ag_fn *x, struct arg a)
{
	if (a.is_const)
		c32(x, a.v);
	else
		get(x, a.v);
}

/* p = realloc(old, old_size, align, new_size), checked (AG_REALLOC). */
static void
call_realloc(struct sctx *s, struct arg old, struct arg old_size,
	     uint32_t align, struct arg new_size, uint32_t p)
{
	push_arg(s->x, old);
	push_arg(s->x, old_size);
	c32(s->x, align);
	push_arg(s->x, new_size);
	cgen_call(&s->x->f, ag_realloc_helper(s->x, &s->k->dst));
	set(s->x, p);
}

static struct arg
arg_l(uint32_t local)
{
	struct arg a = {false, local};
	return a;
}

static struct arg
arg_k(uint32_t v)
{
	struct arg a = {true, v};
	return a;
}

/* return (p, units) */
static void
ret2(struct ag_fn *x, uint32_t p, uint32_t units)
{
	get(x, p);
	get(x, units);
	cgen_return(&x->f);
}

/* local += k */
static void
bump(struct ag_fn *x, uint32_t l, int32_t k)
{
	ag_add_const(x, l, k);
}

/* Branch out (br_if depth) when local a >= local b, unsigned. */
static void
exit_if_ge(struct ag_fn *x, uint32_t a, uint32_t b, uint32_t depth)
{
	get(x, a);
	get(x, b);
	cgen_i32_ge_u(&x->f);
	cgen_br_if(&x->f, depth);
}

/*
 * Decode the code point at source position pos (bytes for UTF-8, code
 * units otherwise) into cp, its length in units into k.  The source was
 * validated: the decoders' traps cannot fire here.
 */
static void
decode_at(struct sctx *s, uint32_t pos, uint32_t cp, uint32_t k)
{
	struct ag_fn *x = s->x;
	struct cgen_func *f = &x->f;
	uint32_t mem = s->k->src_mem;
	if (s->form == SRC_LATIN1) {
		get_add(x, s->src, pos);
		cgen_i32_load8_u(f, mem, 0, 0);
		set(x, cp);
		c32(x, 1);
		set(x, k);
		return;
	}
	bool u8 = s->form == SRC_UTF8;
	get_index(x, s->src, pos, u8 ? 0 : 1);
	if (u8)
		cgen_i32_load8_u(f, mem, 0, 0);
	else
		cgen_i32_load16_u(f, mem, 1, 0);
	cgen_local_tee(f, cp);
	if (u8) {
		c32(x, 0x80); /* ASCII */
		cgen_i32_lt_u(f);
	} else {
		c32(x, 0xd800); /* not a surrogate */
		cgen_i32_sub(f);
		c32(x, 0x800);
		cgen_i32_ge_u(f);
	}
	cgen_if(f, CGEN_VOID);
	c32(x, 1);
	set(x, k);
	cgen_else(f);
	get_index(x, s->src, pos, u8 ? 0 : 1);
	get(x, s->n);
	get(x, pos);
	cgen_i32_sub(f);
	cgen_call(f, codec(s, u8 ? AG_DEC8 : AG_DEC16));
	set(x, k);
	set(x, cp);
	cgen_end(f);
}

/* q = encode(q, cp) into the destination: UTF-8 or UTF-16. */
static void
encode_to(struct sctx *s, bool utf8, uint32_t q, uint32_t cp)
{
	get(s->x, q);
	get(s->x, cp);
	cgen_call(&s->x->f, codec(s, utf8 ? AG_ENC8 : AG_ENC16));
	set(s->x, q);
}

/* Encode source code points from position pos up to n, at q. */
static void
encode_rest(struct sctx *s, bool utf8, uint32_t pos, uint32_t q)
{
	struct ag_fn *x = s->x;
	uint32_t cp = new_i32(x), k = new_i32(x);
	cgen_block(&x->f, CGEN_VOID);
	cgen_loop(&x->f, CGEN_VOID);
	exit_if_ge(x, pos, s->n, 1);
	decode_at(s, pos, cp, k);
	encode_to(s, utf8, q, cp);
	get_add(x, pos, k);
	set(x, pos);
	cgen_br(&x->f, 0);
	cgen_end(&x->f);
	cgen_end(&x->f);
}

/* ---- the store algorithms ------------------------------------------- */

/*
 * store_string_copy: utf8 -> utf8, utf16 -> utf16 (unit 2), latin1 ->
 * latin1+utf16 (unit 1, alignment 2).  The source is valid, so the
 * encoded bytes are the source bytes.
 */
static void
store_copy(struct sctx *s, uint32_t unit, uint32_t align)
{
	struct ag_fn *x = s->x;
	uint32_t bytes = s->n, p = new_i32(x);
	if (unit == 2) {
		bytes = new_i32(x);
		get(x, s->n);
		c32(x, 1);
		cgen_i32_shl(&x->f);
		set(x, bytes);
	}
	call_realloc(s, arg_k(0), arg_k(0), align, arg_l(bytes), p);
	get(x, p);
	get(x, s->src);
	get(x, bytes);
	cgen_memory_copy(&x->f, s->k->dst.memidx, s->k->src_mem);
	ret2(x, p, s->n);
}

/* store_string_copy latin1 -> utf16: a zero byte after every byte. */
static void
store_inflate(struct sctx *s)
{
	struct ag_fn *x = s->x;
	struct cgen_func *f = &x->f;
	uint32_t bytes = new_i32(x), p = new_i32(x), i = new_i32(x);
	get(x, s->n);
	c32(x, 1);
	cgen_i32_shl(f);
	set(x, bytes);
	call_realloc(s, arg_k(0), arg_k(0), 2, arg_l(bytes), p);
	cgen_block(f, CGEN_VOID);
	cgen_loop(f, CGEN_VOID);
	exit_if_ge(x, i, s->n, 1);
	get_index(x, p, i, 1);
	get_add(x, s->src, i);
	cgen_i32_load8_u(f, s->k->src_mem, 0, 0);
	cgen_i32_store16(f, s->k->dst.memidx, 1, 0);
	bump(x, i, 1);
	cgen_br(f, 0);
	cgen_end(f);
	cgen_end(f);
	ret2(x, p, s->n);
}

/*
 * The rest of store_string_to_utf8 after the i ASCII code points: grow
 * to the worst case, encode from code point i, shrink when shorter.
 */
static void
to_utf8_slow(struct sctx *s, uint32_t p, uint32_t i)
{
	struct ag_fn *x = s->x;
	struct cgen_func *f = &x->f;
	uint32_t worst = new_i32(x), q = new_i32(x);
	get(x, s->n);
	c32(x, s->form == SRC_LATIN1 ? 2 : 3);
	cgen_i32_mul(f);
	set(x, worst);
	call_realloc(s, arg_l(p), arg_l(s->n), 1, arg_l(worst), p);
	get_add(x, p, i);
	set(x, q);
	encode_rest(s, true, i, q);
	get(x, q);
	get(x, p);
	cgen_i32_sub(f);
	set(x, q); /* q: the encoded length */
	get(x, worst);
	get(x, q);
	cgen_i32_gt_u(f);
	cgen_if(f, CGEN_VOID);
	call_realloc(s, arg_l(p), arg_l(worst), 1, arg_l(q), p);
	cgen_end(f);
	ret2(x, p, q);
}

/*
 * store_string_to_utf8 (from utf16: worst case 3 bytes per unit; from
 * latin1: 2): optimistic ASCII copy into n bytes; at the first other
 * code point, to_utf8_slow.
 */
static void
store_to_utf8(struct sctx *s)
{
	struct ag_fn *x = s->x;
	struct cgen_func *f = &x->f;
	uint32_t p = new_i32(x), i = new_i32(x), u = new_i32(x);
	call_realloc(s, arg_k(0), arg_k(0), 1, arg_l(s->n), p);
	cgen_block(f, CGEN_VOID); /* slow path */
	cgen_block(f, CGEN_VOID); /* all ASCII */
	cgen_loop(f, CGEN_VOID);
	exit_if_ge(x, i, s->n, 1);
	if (s->form == SRC_LATIN1) {
		get_add(x, s->src, i);
		cgen_i32_load8_u(f, s->k->src_mem, 0, 0);
	} else {
		get_index(x, s->src, i, 1);
		cgen_i32_load16_u(f, s->k->src_mem, 1, 0);
	}
	cgen_local_tee(f, u);
	c32(x, 0x80);
	cgen_i32_ge_u(f);
	cgen_br_if(f, 2);
	get_add(x, p, i);
	get(x, u);
	cgen_i32_store8(f, s->k->dst.memidx, 0, 0);
	bump(x, i, 1);
	cgen_br(f, 0);
	cgen_end(f);
	cgen_end(f);
	ret2(x, p, s->n);
	cgen_end(f);
	to_utf8_slow(s, p, i);
}

/* store_utf8_to_utf16: worst case 2 bytes per byte, then a shrink. */
static void
store_utf8_to_utf16(struct sctx *s)
{
	struct ag_fn *x = s->x;
	struct cgen_func *f = &x->f;
	uint32_t p = new_i32(x), worst = new_i32(x), q = new_i32(x);
	uint32_t pos = new_i32(x);
	get(x, s->n);
	c32(x, 1);
	cgen_i32_shl(f);
	set(x, worst);
	call_realloc(s, arg_k(0), arg_k(0), 2, arg_l(worst), p);
	get(x, p);
	set(x, q);
	encode_rest(s, false, pos, q);
	get(x, q);
	get(x, p);
	cgen_i32_sub(f);
	set(x, q); /* the encoded length */
	get(x, q);
	get(x, worst);
	cgen_i32_lt_u(f);
	cgen_if(f, CGEN_VOID);
	call_realloc(s, arg_l(p), arg_l(worst), 2, arg_l(q), p);
	cgen_end(f);
	get(x, p);
	get(x, q);
	c32(x, 1);
	cgen_i32_shr_u(f);
	cgen_return(f);
}

/* The latin1+utf16 locals shared by the two halves below. */
struct compact {
	uint32_t p, d, pos, worst;
};

/*
 * At the first code point above 255: grow to 2n, widen the d Latin-1
 * bytes in place (from the last, so none is overwritten before it is
 * read), encode the rest as UTF-16, shrink, and return it tagged.
 */
static void
compact_inflate(struct sctx *s, struct compact *c)
{
	struct ag_fn *x = s->x;
	struct cgen_func *f = &x->f;
	uint32_t dst_mem = s->k->dst.memidx, j = new_i32(x);
	get(x, s->n);
	c32(x, 1);
	cgen_i32_shl(f);
	set(x, c->worst);
	call_realloc(s, arg_l(c->p), arg_l(s->n), 2, arg_l(c->worst), c->p);
	get(x, c->d);
	set(x, j);
	cgen_block(f, CGEN_VOID);
	cgen_loop(f, CGEN_VOID);
	get(x, j);
	cgen_i32_eqz(f);
	cgen_br_if(f, 1);
	bump(x, j, -1);
	get_index(x, c->p, j, 1);
	get_add(x, c->p, j);
	cgen_i32_load8_u(f, dst_mem, 0, 0);
	cgen_i32_store16(f, dst_mem, 1, 0);
	cgen_br(f, 0);
	cgen_end(f);
	cgen_end(f);
	get_index(x, c->p, c->d, 1);
	set(x, c->d); /* d: the write cursor */
	encode_rest(s, false, c->pos, c->d);
	get(x, c->d);
	get(x, c->p);
	cgen_i32_sub(f);
	set(x, c->d); /* d: the encoded length */
	get(x, c->worst);
	get(x, c->d);
	cgen_i32_gt_u(f);
	cgen_if(f, CGEN_VOID);
	call_realloc(s, arg_l(c->p), arg_l(c->worst), 2, arg_l(c->d), c->p);
	cgen_end(f);
	get(x, c->p);
	get(x, c->d);
	c32(x, 1);
	cgen_i32_shr_u(f);
	c32(x, AG_UTF16_TAG);
	cgen_i32_or(f);
	cgen_return(f);
}

/*
 * store_string_to_latin1_or_utf16 (from utf8 or utf16): Latin-1 into n
 * bytes while it fits, then shrink to the Latin-1 length; at the first
 * code point above 255, compact_inflate.
 */
static void
store_to_compact(struct sctx *s)
{
	struct ag_fn *x = s->x;
	struct cgen_func *f = &x->f;
	struct compact c = {new_i32(x), new_i32(x), new_i32(x), new_i32(x)};
	uint32_t cp = new_i32(x), k = new_i32(x);
	call_realloc(s, arg_k(0), arg_k(0), 2, arg_l(s->n), c.p);
	cgen_block(f, CGEN_VOID); /* inflate */
	cgen_block(f, CGEN_VOID); /* all Latin-1 */
	cgen_loop(f, CGEN_VOID);
	exit_if_ge(x, c.pos, s->n, 1);
	decode_at(s, c.pos, cp, k);
	get(x, cp);
	c32(x, 0x100);
	cgen_i32_ge_u(f);
	cgen_br_if(f, 2);
	get_add(x, c.p, c.d);
	get(x, cp);
	cgen_i32_store8(f, s->k->dst.memidx, 0, 0);
	bump(x, c.d, 1);
	get_add(x, c.pos, k);
	set(x, c.pos);
	cgen_br(f, 0);
	cgen_end(f);
	cgen_end(f);
	get(x, c.d);
	get(x, s->n);
	cgen_i32_lt_u(f);
	cgen_if(f, CGEN_VOID);
	call_realloc(s, arg_l(c.p), arg_l(s->n), 2, arg_l(c.d), c.p);
	cgen_end(f);
	ret2(x, c.p, c.d);
	cgen_end(f);
	compact_inflate(s, &c);
}

/* Return (p, n | tag) when any of the n units at p is above 255. */
static void
return_if_not_latin1(struct sctx *s, uint32_t p)
{
	struct ag_fn *x = s->x;
	struct cgen_func *f = &x->f;
	uint32_t i = new_i32(x), t = new_i32(x);
	cgen_block(f, CGEN_VOID);
	cgen_loop(f, CGEN_VOID);
	exit_if_ge(x, i, s->n, 1);
	get_index(x, p, i, 1);
	cgen_i32_load16_u(f, s->k->dst.memidx, 1, 0);
	c32(x, 0x100);
	cgen_i32_ge_u(f);
	cgen_if(f, CGEN_VOID);
	get(x, s->n);
	c32(x, AG_UTF16_TAG);
	cgen_i32_or(f);
	set(x, t);
	ret2(x, p, t);
	cgen_end(f);
	bump(x, i, 1);
	cgen_br(f, 0);
	cgen_end(f);
	cgen_end(f);
}

/* mem[p + i] = mem[p + 2i] for the n units at p: UTF-16 to Latin-1. */
static void
squeeze_latin1(struct sctx *s, uint32_t p)
{
	struct ag_fn *x = s->x;
	struct cgen_func *f = &x->f;
	uint32_t dst_mem = s->k->dst.memidx, i = new_i32(x);
	cgen_block(f, CGEN_VOID);
	cgen_loop(f, CGEN_VOID);
	exit_if_ge(x, i, s->n, 1);
	get_add(x, p, i);
	get_index(x, p, i, 1);
	cgen_i32_load8_u(f, dst_mem, 0, 0);
	cgen_i32_store8(f, dst_mem, 0, 0);
	bump(x, i, 1);
	cgen_br(f, 0);
	cgen_end(f);
	cgen_end(f);
}

/*
 * store_probably_utf16_to_latin1_or_utf16: copy the UTF-16 as it is; if
 * every unit is below 256, squeeze it to Latin-1 and shrink.
 */
static void
store_probably_utf16(struct sctx *s)
{
	struct ag_fn *x = s->x;
	uint32_t bytes = new_i32(x), p = new_i32(x);
	get(x, s->n);
	c32(x, 1);
	cgen_i32_shl(&x->f);
	set(x, bytes);
	call_realloc(s, arg_k(0), arg_k(0), 2, arg_l(bytes), p);
	get(x, p);
	get(x, s->src);
	get(x, bytes);
	cgen_memory_copy(&x->f, s->k->dst.memidx, s->k->src_mem);
	return_if_not_latin1(s, p);
	squeeze_latin1(s, p);
	call_realloc(s, arg_l(p), arg_l(bytes), 1, arg_l(s->n), p);
	ret2(x, p, s->n);
}

/* store_string_into_range: the algorithm for the pair of encodings. */
static void
store_string(struct sctx *s)
{
	switch (s->k->dst.encoding) {
	case ADAPT_GEN_UTF16:
		if (s->form == SRC_UTF8)
			store_utf8_to_utf16(s);
		else if (s->form == SRC_LATIN1)
			store_inflate(s);
		else
			store_copy(s, 2, 2);
		break;
	case ADAPT_GEN_LATIN1_UTF16:
		if (s->form == SRC_LATIN1)
			store_copy(s, 1, 2);
		else if (s->form == SRC_CUTF16)
			store_probably_utf16(s);
		else
			store_to_compact(s);
		break;
	default:
		if (s->form == SRC_UTF8)
			store_copy(s, 1, 1);
		else
			store_to_utf8(s);
		break;
	}
}

/* trap_if(local >= limit) */
static void
trap_if_ge(struct ag_fn *x, uint32_t l, uint32_t limit)
{
	get(x, l);
	c32(x, limit);
	cgen_i32_ge_u(&x->f);
	ag_trap_if(x);
}

/*
 * load_string_from_range for UTF-16 code units in local n: byte length,
 * alignment, bounds, then the whole string validated.
 */
static void
lift_utf16(struct sctx *s, uint32_t n)
{
	struct ag_fn *x = s->x;
	uint32_t bytes = new_i32(x);
	/* 2 * n > MAX_STRING_BYTE_LENGTH  <=>  n >= 2^27 */
	trap_if_ge(x, n, (AG_MAX_BYTE_LENGTH + 1) / 2);
	ag_check_align(x, 0, 2);
	get(x, n);
	c32(x, 1);
	cgen_i32_shl(&x->f);
	set(x, bytes);
	ag_check_bounds(x, s->k->src_mem, 0, bytes);
	get(x, 0);
	get(x, n);
	cgen_call(&x->f, codec(s, AG_VALID16));
}

void
ag_gen_string(struct ag_fn *x, const struct ag_key *k)
{
	struct cgen_func *f = &x->f;
	struct sctx s = {x, k, SRC_UTF8, 0, 1};
	switch (k->src_enc) {
	case ADAPT_GEN_UTF16:
		lift_utf16(&s, 1);
		s.form = SRC_UTF16;
		store_string(&s);
		return;
	case ADAPT_GEN_LATIN1_UTF16: {
		uint32_t m = new_i32(x);
		get(x, 1);
		c32(x, AG_UTF16_TAG);
		cgen_i32_and(f);
		cgen_if(f, CGEN_VOID);
		get(x, 1);
		c32(x, AG_UTF16_TAG);
		cgen_i32_xor(f);
		set(x, m);
		lift_utf16(&s, m);
		s.form = SRC_CUTF16;
		s.n = m;
		store_string(&s);
		cgen_end(f);
		trap_if_ge(x, 1, AG_MAX_BYTE_LENGTH + 1);
		ag_check_align(x, 0, 2);
		ag_check_bounds(x, k->src_mem, 0, 1);
		s.form = SRC_LATIN1;
		s.n = 1;
		store_string(&s);
		return;
	}
	default:
		trap_if_ge(x, 1, AG_MAX_BYTE_LENGTH + 1);
		ag_check_bounds(x, k->src_mem, 0, 1);
		get(x, 0);
		get(x, 1);
		cgen_call(f, codec(&s, AG_VALID8));
		store_string(&s);
		return;
	}
}

/* ---- decoding, encoding, validating --------------------------------- */

/* k = 2 + (b0 >= E0) + (b0 >= F0); cp = the lead byte's payload bits */
static void
dec8_lead(struct ag_fn *x, uint32_t b0, uint32_t k, uint32_t cp)
{
	struct cgen_func *f = &x->f;
	get(x, b0); /* lead bytes C2..F4 */
	c32(x, 0xc2);
	cgen_i32_sub(f);
	c32(x, 0xf5 - 0xc2);
	cgen_i32_ge_u(f);
	ag_trap_if(x);
	c32(x, 2);
	get(x, b0);
	c32(x, 0xe0);
	cgen_i32_ge_u(f);
	cgen_i32_add(f);
	get(x, b0);
	c32(x, 0xf0);
	cgen_i32_ge_u(f);
	cgen_i32_add(f);
	set(x, k);
	get(x, b0);
	c32(x, 0x7f);
	get(x, k);
	cgen_i32_shr_u(f);
	cgen_i32_and(f);
	set(x, cp);
}

/* The k - 1 continuation bytes (10xxxxxx), folded into cp. */
static void
dec8_continuation(struct ag_fn *x, uint32_t mem, uint32_t k, uint32_t cp)
{
	struct cgen_func *f = &x->f;
	uint32_t i = new_i32(x), b = new_i32(x);
	c32(x, 1);
	set(x, i);
	cgen_loop(f, CGEN_VOID);
	get_add(x, 0, i);
	cgen_i32_load8_u(f, mem, 0, 0);
	cgen_local_tee(f, b);
	c32(x, 0xc0);
	cgen_i32_and(f);
	c32(x, 0x80);
	cgen_i32_ne(f);
	ag_trap_if(x);
	get(x, cp);
	c32(x, 6);
	cgen_i32_shl(f);
	get(x, b);
	c32(x, 0x3f);
	cgen_i32_and(f);
	cgen_i32_or(f);
	set(x, cp);
	bump(x, i, 1);
	get(x, i);
	get(x, k);
	cgen_i32_lt_u(f);
	cgen_br_if(f, 0);
	cgen_end(f);
}

/* Overlong (cp < (k == 3) * 0x800 + (k == 4) * 0x10000), too big, or
 * a surrogate: the shortest form of a scalar value or nothing. */
static void
dec8_range(struct ag_fn *x, uint32_t k, uint32_t cp)
{
	struct cgen_func *f = &x->f;
	get(x, cp);
	get(x, k);
	c32(x, 3);
	cgen_i32_eq(f);
	c32(x, 0x800);
	cgen_i32_mul(f);
	get(x, k);
	c32(x, 4);
	cgen_i32_eq(f);
	c32(x, 0x10000);
	cgen_i32_mul(f);
	cgen_i32_add(f);
	cgen_i32_lt_u(f);
	get(x, cp);
	c32(x, 0x10ffff);
	cgen_i32_gt_u(f);
	cgen_i32_or(f);
	get(x, cp);
	c32(x, 0xd800);
	cgen_i32_sub(f);
	c32(x, 0x800);
	cgen_i32_lt_u(f);
	cgen_i32_or(f);
	ag_trap_if(x);
}

/*
 * (ptr, bytes left) -> (code point, bytes): one UTF-8 sequence, trapping
 * on what Python's strict decoder refuses (bad lead or continuation
 * byte, truncation, overlong forms, surrogates, above U+10FFFF).
 */
static void
gen_dec8(struct ag_fn *x, uint32_t mem)
{
	struct cgen_func *f = &x->f;
	uint32_t b0 = new_i32(x), k = new_i32(x), cp = new_i32(x);
	get(x, 0);
	cgen_i32_load8_u(f, mem, 0, 0);
	cgen_local_tee(f, b0);
	c32(x, 0x80);
	cgen_i32_lt_u(f);
	cgen_if(f, CGEN_VOID);
	get(x, b0);
	c32(x, 1);
	cgen_return(f);
	cgen_end(f);
	dec8_lead(x, b0, k, cp);
	get(x, 1); /* truncated */
	get(x, k);
	cgen_i32_lt_u(f);
	ag_trap_if(x);
	dec8_continuation(x, mem, k, cp);
	dec8_range(x, k, cp);
	get(x, cp);
	get(x, k);
}

/* (ptr, units left) -> (code point, units): a unit or a surrogate pair. */
static void
gen_dec16(struct ag_fn *x, uint32_t mem)
{
	struct cgen_func *f = &x->f;
	uint32_t u = new_i32(x), v = new_i32(x);
	get(x, 0);
	cgen_i32_load16_u(f, mem, 1, 0);
	cgen_local_tee(f, u);
	c32(x, 0xd800);
	cgen_i32_sub(f);
	c32(x, 0x800);
	cgen_i32_ge_u(f);
	cgen_if(f, CGEN_VOID);
	get(x, u);
	c32(x, 1);
	cgen_return(f);
	cgen_end(f);
	trap_if_ge(x, u, 0xdc00); /* a low surrogate first */
	get(x, 1);
	c32(x, 2);
	cgen_i32_lt_u(f);
	ag_trap_if(x);
	get(x, 0);
	cgen_i32_load16_u(f, mem, 1, 2);
	c32(x, 0xdc00);
	cgen_i32_sub(f);
	set(x, v);
	trap_if_ge(x, v, 0x400);
	get(x, u);
	c32(x, 0xd800);
	cgen_i32_sub(f);
	c32(x, 10);
	cgen_i32_shl(f);
	get(x, v);
	cgen_i32_add(f);
	c32(x, 0x10000);
	cgen_i32_add(f);
	c32(x, 2);
}

/* Store (cp >> shift) & mask | tag as a byte at q + off. */
static void
enc_byte(struct ag_fn *x, uint32_t mem, uint32_t off, unsigned shift,
	 uint32_t mask, uint32_t tag)
{
	get(x, 0);
	get(x, 1);
	if (shift) {
		c32(x, shift);
		cgen_i32_shr_u(&x->f);
	}
	if (mask != 0xff) {
		c32(x, mask);
		cgen_i32_and(&x->f);
	}
	c32(x, tag);
	cgen_i32_or(&x->f);
	cgen_i32_store8(&x->f, mem, 0, off);
}

/* return q + n */
static void
ret_advanced(struct ag_fn *x, uint32_t n)
{
	get(x, 0);
	c32(x, n);
	cgen_i32_add(&x->f);
	cgen_return(&x->f);
}

/* if (cp < limit) { ... } */
static void
if_below(struct ag_fn *x, uint32_t limit)
{
	get(x, 1);
	c32(x, limit);
	cgen_i32_lt_u(&x->f);
	cgen_if(&x->f, CGEN_VOID);
}

/* (q, code point) -> q after its UTF-8 bytes. */
static void
gen_enc8(struct ag_fn *x, uint32_t mem)
{
	if_below(x, 0x80);
	enc_byte(x, mem, 0, 0, 0xff, 0);
	ret_advanced(x, 1);
	cgen_end(&x->f);
	if_below(x, 0x800);
	enc_byte(x, mem, 0, 6, 0xff, 0xc0);
	enc_byte(x, mem, 1, 0, 0x3f, 0x80);
	ret_advanced(x, 2);
	cgen_end(&x->f);
	if_below(x, 0x10000);
	enc_byte(x, mem, 0, 12, 0xff, 0xe0);
	enc_byte(x, mem, 1, 6, 0x3f, 0x80);
	enc_byte(x, mem, 2, 0, 0x3f, 0x80);
	ret_advanced(x, 3);
	cgen_end(&x->f);
	enc_byte(x, mem, 0, 18, 0xff, 0xf0);
	enc_byte(x, mem, 1, 12, 0x3f, 0x80);
	enc_byte(x, mem, 2, 6, 0x3f, 0x80);
	enc_byte(x, mem, 3, 0, 0x3f, 0x80);
	get(x, 0);
	c32(x, 4);
	cgen_i32_add(&x->f);
}

/* (q, code point) -> q after its UTF-16 units. */
static void
gen_enc16(struct ag_fn *x, uint32_t mem)
{
	struct cgen_func *f = &x->f;
	if_below(x, 0x10000);
	get(x, 0);
	get(x, 1);
	cgen_i32_store16(f, mem, 1, 0);
	ret_advanced(x, 2);
	cgen_end(f);
	bump(x, 1, -0x10000);
	get(x, 0);
	get(x, 1);
	c32(x, 10);
	cgen_i32_shr_u(f);
	c32(x, 0xd800);
	cgen_i32_or(f);
	cgen_i32_store16(f, mem, 1, 0);
	get(x, 0);
	get(x, 1);
	c32(x, 0x3ff);
	cgen_i32_and(f);
	c32(x, 0xdc00);
	cgen_i32_or(f);
	cgen_i32_store16(f, mem, 1, 2);
	get(x, 0);
	c32(x, 4);
	cgen_i32_add(f);
}

/*
 * (ptr, length): trap unless the string decodes (UTF-8 bytes, or UTF-16
 * units); the fast path skips ASCII bytes or non-surrogate units.
 */
static void
gen_valid(struct ag_fn *x, const struct ag_key *key, bool utf8)
{
	struct cgen_func *f = &x->f;
	uint32_t mem = key->src_mem, k = new_i32(x);
	struct ag_key dk = codec_key(utf8 ? AG_DEC8 : AG_DEC16, mem);
	uint32_t dec = ag_helper(x, &dk);
	cgen_block(f, CGEN_VOID);
	cgen_loop(f, CGEN_VOID);
	get(x, 1);
	cgen_i32_eqz(f);
	cgen_br_if(f, 1);
	get(x, 0);
	if (utf8) {
		cgen_i32_load8_u(f, mem, 0, 0);
		c32(x, 0x80);
		cgen_i32_lt_u(f);
	} else {
		cgen_i32_load16_u(f, mem, 1, 0);
		c32(x, 0xd800);
		cgen_i32_sub(f);
		c32(x, 0x800);
		cgen_i32_ge_u(f);
	}
	cgen_if(f, CGEN_VOID);
	c32(x, 1);
	set(x, k);
	cgen_else(f);
	get(x, 0);
	get(x, 1);
	cgen_call(f, dec);
	set(x, k);
	cgen_drop(f);
	cgen_end(f);
	get(x, 0);
	get(x, k);
	if (!utf8) {
		c32(x, 1);
		cgen_i32_shl(f);
	}
	cgen_i32_add(f);
	set(x, 0);
	get(x, 1);
	get(x, k);
	cgen_i32_sub(f);
	set(x, 1);
	cgen_br(f, 0);
	cgen_end(f);
	cgen_end(f);
}

void
ag_gen_codec(struct ag_fn *x, const struct ag_key *k)
{
	switch (k->kind) {
	case AG_VALID8:
		gen_valid(x, k, true);
		break;
	case AG_VALID16:
		gen_valid(x, k, false);
		break;
	case AG_DEC8:
		gen_dec8(x, k->src_mem);
		break;
	case AG_DEC16:
		gen_dec16(x, k->src_mem);
		break;
	case AG_ENC8:
		gen_enc8(x, k->dst.memidx);
		break;
	case AG_ENC16:
		gen_enc16(x, k->dst.memidx);
		break;
	default:
		ag_fail(x, MELD_EINVALID);
		break;
	}
}
