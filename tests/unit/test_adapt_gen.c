/*
 * test_adapt_gen: the general adapter generator, executed.
 *
 * For a table of function types and canonical options, each adapter is
 * generated, put in a small core module written here (two memories, or
 * one shared; a bump-allocator realloc per side that logs its calls; a
 * callee that captures its arguments and returns a prepared result; a
 * post-return that logs and then scribbles over the callee's result
 * data), validated with wasm-validate --enable-all and run with
 * wasm-interp through parameterless wrapper exports, one per run.
 *
 * What a run must produce comes from a reference model in this file: the
 * canonical ABI's Python definitions (CanonicalABI.md "Loading",
 * "Storing", "Flat Lifting", "Flat Lowering", "Lifting and Lowering
 * Values", canon lift / canon lower) transcribed to C over byte arrays,
 * with the same bump allocators.  It predicts whether the run traps and,
 * if not, every byte the adapter leaves in the callee's heap and captured
 * arguments, in the caller's heap, return area and flat result, and the
 * log of realloc, callee and post-return calls with the instances' flags
 * at each.  The wrapper compares those regions in wasm and returns 0 or
 * the first difference.  Inputs are random values of each type (seeded)
 * plus hand-made ones that must trap.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abi.h"
#include "adapt_gen.h"
#include "cgen.h"
#include "harness.h"
#include "rtab.h"
#include "vtype.h"
#include "wasm_harness.h"

/* From test_abi.c. */
struct vtype *test_abi_parse_type(struct arena *a, const char *text,
				  const struct vtype_resource *res);
struct vtype_func *test_abi_parse_func(struct arena *a, const char *text,
				       const struct vtype_resource *res);

/* ---- memory layout of each side (offsets from the side's base) ------- */

#define PAGE 0x10000u
#define A_INPUT 0x100u   /* arguments (caller) or the result (callee) */
#define A_FLATRES 0xf00u /* caller: the adapter's flat result */
#define A_AREA 0x1000u   /* caller: return area; callee: captured args */
#define A_HEAP 0x2000u   /* the realloc heap */
#define A_LOG 0x6000u    /* caller memory: the call log */
#define A_EXPECT 0x8000u /* expected bytes, for comparing */
#define LOG_ENTRY 32u
#define MAX_LOG 100u

/* Log entry kinds. */
enum {
	LOG_CALLER_REALLOC = 1, LOG_CALLEE_REALLOC, LOG_CALL, LOG_POST,
	LOG_HOST_DROP
};

/* ---- values of the model ---------------------------------------------- */

/*
 * A component-level value.  Scalars are their flat bit pattern (s8 as a
 * sign-extended i32, floats as bits); variants: bits is the case index,
 * items[0] the payload when n == 1; strings: code points plus the
 * encoding and tagged code units they were loaded with.  An input string
 * may instead give raw bytes (to be stored as they are) and force16 (a
 * latin1+utf16 string stored as UTF-16 although Latin-1 would do).
 */
struct mv {
	uint64_t bits;
	uint32_t n;
	struct mv *items;
	uint32_t *cps;
	enum adapt_gen_encoding enc;
	uint32_t units;
	const uint8_t *raw;
	uint32_t raw_len, raw_units;
	bool force16;
};

/* ---- the model's state ------------------------------------------------- */

struct mside {
	uint8_t *mem;
	uint32_t memsize;
	uint32_t base;
	enum adapt_gen_encoding enc;
	uint32_t bump;     /* heap allocator */
	uint32_t input;    /* input allocator */
	uint32_t kind;     /* its realloc's log kind */
	uint32_t bad_at;   /* the realloc call that misbehaves (1-based) */
	uint32_t bad_kind; /* 1: misaligned result, 2: out of bounds */
	uint32_t calls;
};

/*
 * Handle tables (CanonicalABI.md Table, ResourceHandle): rtab instance 0
 * is the caller's, 1 the callee's.  Resource r (type id 1) is defined by
 * the callee, s (2) by a third instance, or by the host.
 */
#define MAX_H 256
#define RES_R 1u
#define RES_S 2u

static struct vtype_resource tres[2] = {
	{1, {(const uint8_t *)"r", 1}, 1, 0x7f, false, 0, NULL},
	{2, {(const uint8_t *)"s", 1}, 2, 0x7f, false, 0, NULL},
};

struct mhandle {
	bool live, own;
	uint32_t tid, rep, lends;
};

struct mtab {
	struct mhandle h[MAX_H];
	uint32_t len;
	uint32_t free[MAX_H];
	uint32_t nfree;
};

/* A handle the inputs put in a table before the call. */
struct msetup {
	uint32_t side, tid, rep, idx;
};

struct model {
	struct mside side[2]; /* caller, callee */
	uint32_t flags[2];
	uint32_t nlog, seq;
	bool input_mode;      /* storing inputs: raw, no log, no checks */
	bool canon_nans;      /* the deterministic profile */
	jmp_buf trap;
	struct arena *a;
	/* resources */
	bool s_host;
	struct mtab tab[2];
	uint32_t num_borrows;           /* the callee Task's */
	uint32_t lends[MAX_H][2];       /* the Subtask's lenders */
	uint32_t nlends;
	uint32_t drops[MAX_H];          /* what the callee must drop */
	uint32_t ndrops;
	struct msetup *setup;           /* input mode records here */
	uint32_t nsetup;
};

static void
m_trap_if(struct model *m, bool cond)
{
	if (cond)
		longjmp(m->trap, 1);
}


static void
put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
get(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void
m_put(struct mside *s, uint32_t addr, uint64_t v, unsigned n)
{
	if ((uint64_t)addr + n <= s->memsize)
		put(s->mem + addr, v, n);
}

static uint64_t
m_get(struct mside *s, uint32_t addr, unsigned n)
{
	if ((uint64_t)addr + n > s->memsize)
		return 0;
	return get(s->mem + addr, n);
}

static void
m_log(struct model *m, uint32_t kind, uint32_t a, uint32_t b, uint32_t c,
      uint32_t d)
{
	if (m->nlog >= MAX_LOG)
		return;
	uint32_t e[8] = {kind, a, b, c, d, m->flags[0], m->flags[1], m->seq++};
	struct mside *s = &m->side[0];
	for (unsigned i = 0; i < 8; i++)
		m_put(s, A_LOG + m->nlog * LOG_ENTRY + 4 * i, e[i], 4);
	m->nlog++;
}

static bool
m_in_bounds(struct mside *s, uint64_t p, uint64_t n)
{
	return p + n <= s->memsize;
}

/*
 * LiftLowerContext.reallocate (with may_leave cleared) on the test's bump
 * allocator, then the checks that follow every call of it.  In input mode
 * the input allocator serves, silently.
 */
static uint32_t
m_realloc(struct model *m, struct mside *s, uint32_t old, uint32_t old_size,
	  uint32_t align, uint32_t new_size)
{
	if (m->input_mode) {
		uint32_t p = (s->input + align - 1) & ~(align - 1);
		s->input = p + new_size;
		return p;
	}
	unsigned who = s == &m->side[0] ? 0 : 1;
	m->flags[who] &= ~1u;
	m_log(m, s->kind, old, old_size, align, new_size);
	m->flags[who] |= 1u;
	s->calls++;
	uint32_t p = (s->bump + align - 1) & ~(align - 1);
	uint32_t c = old_size < new_size ? old_size : new_size;
	if (c && m_in_bounds(s, p, c) && m_in_bounds(s, old, c))
		memmove(s->mem + p, s->mem + old, c);
	s->bump = p + new_size;
	if (s->bad_at == s->calls)
		p = s->bad_kind == 1 ? p + 1 : 0xffffff00u;
	m_trap_if(m, (p & (align - 1)) != 0);
	m_trap_if(m, !m_in_bounds(s, p, new_size));
	return p;
}

/* ---- the model: handles (lift_own, lift_borrow, lower_own, ...) ------- */

static uint32_t
res_tid(const struct vtype *t)
{
	return t->resource == &tres[0] ? RES_R : RES_S;
}

/* Table.add; the tables start as [None] (len 1) */
static uint32_t
m_tab_add(struct model *m, unsigned side, struct mhandle h)
{
	struct mtab *t = &m->tab[side];
	uint32_t i;
	if (t->len == 0)
		t->len = 1;
	if (t->nfree) {
		i = t->free[--t->nfree];
	} else {
		CHECK(t->len < MAX_H);
		i = t->len < MAX_H ? t->len++ : MAX_H - 1;
	}
	h.live = true;
	t->h[i] = h;
	return i;
}

/* Table.get */
static struct mhandle *
m_tab_get(struct model *m, unsigned side, uint32_t i)
{
	struct mtab *t = &m->tab[side];
	m_trap_if(m, i == 0 || i >= t->len || !t->h[i].live);
	return &t->h[i];
}

/* lift_own, lift_borrow (with Subtask.add_lender); host handles as is */
static uint64_t
m_lift_handle(struct model *m, unsigned side, const struct vtype *t,
	      uint32_t i)
{
	uint32_t tid = res_tid(t);
	if (tid == RES_S && m->s_host)
		return i;
	struct mhandle *h = m_tab_get(m, side, i);
	m_trap_if(m, h->tid != tid);
	if (t->kind == VTYPE_BORROW) {
		h->lends++;
		m->lends[m->nlends][0] = side;
		m->lends[m->nlends++][1] = i;
		return h->rep;
	}
	h->live = false;
	m->tab[side].free[m->tab[side].nfree++] = i;
	m_trap_if(m, h->lends != 0);
	m_trap_if(m, !h->own);
	return h->rep;
}

/*
 * lower_own, lower_borrow (the rep into r's definer, the callee);
 * inputs become own handles in the side's table, recorded for the wasm
 * side to create the same way.  A borrowed host handle is recorded for
 * the callee, who drops it like any borrow.
 */
static uint32_t
m_lower_handle(struct model *m, unsigned side, const struct vtype *t,
	       uint64_t rep)
{
	uint32_t tid = res_tid(t);
	bool host = tid == RES_S && m->s_host;
	struct mhandle h = {true, true, tid, (uint32_t)rep, 0};
	if (m->input_mode) {
		if (host)
			return (uint32_t)rep;
		uint32_t i = m_tab_add(m, side, h);
		if (m->setup)
			m->setup[m->nsetup++] = (struct msetup){side, tid,
							       (uint32_t)rep, i};
		return i;
	}
	if (t->kind == VTYPE_OWN)
		return host ? (uint32_t)rep : m_tab_add(m, side, h);
	if (tid == RES_R && side == 1)
		return (uint32_t)rep;
	m->num_borrows++;
	if (host) {
		m->drops[m->ndrops++] = (uint32_t)rep;
		return (uint32_t)rep;
	}
	h.own = false;
	uint32_t i = m_tab_add(m, side, h);
	m->drops[m->ndrops++] = i;
	return i;
}

/* The callee drops the borrows it got (all but `keep` of the last). */
static void
m_callee_drops(struct model *m, bool keep)
{
	uint32_t n = m->ndrops - (keep && m->ndrops ? 1 : 0);
	for (uint32_t k = 0; k < n; k++) {
		uint32_t i = m->drops[k];
		m->num_borrows--;
		if (m->s_host)
			continue; /* a recorded host borrow: consumed */
		struct mhandle *h = m_tab_get(m, 1, i);
		h->live = false;
		m->tab[1].free[m->tab[1].nfree++] = i;
	}
}

/* Task.return_'s check, then Subtask.deliver_resolve */
static void
m_leave(struct model *m)
{
	m_trap_if(m, m->num_borrows > 0);
	for (uint32_t k = 0; k < m->nlends; k++)
		m->tab[m->lends[k][0]].h[m->lends[k][1]].lends--;
}

/* The tables as the test's dump function writes them (see gen_dump). */
static uint32_t
m_dump(struct model *m, uint8_t *out)
{
	uint8_t *p = out;
	for (unsigned k = 0; k < 2; k++) {
		struct mtab *t = &m->tab[k];
		uint32_t len = t->len ? t->len : 1;
		memset(p, 0, 16);
		put(p, len - 1, 4);
		put(p + 4, t->nfree ? t->free[t->nfree - 1] : 0, 4);
		p += 16;
		for (uint32_t i = 1; i < len; i++, p += 16) {
			memset(p, 0, 16);
			const struct mhandle *h = &t->h[i];
			if (!h->live) {
				for (uint32_t j = 1; j < t->nfree; j++)
					if (t->free[j] == i)
						put(p + 4, t->free[j - 1], 4);
				continue;
			}
			put(p, h->tid << 1 | (h->own ? 1u : 0u), 4);
			put(p + 4, h->rep, 4);
			put(p + 12, h->lends, 4);
		}
	}
	memset(p, 0, 8);
	return (uint32_t)(p + 8 - out);
}

/* ---- Unicode, written independently of the generator ------------------- */

/* Decode UTF-8 (Unicode Table 3-7); false when not well-formed. */
static bool
utf8_decode(const uint8_t *s, uint32_t n, uint32_t *cps, uint32_t *ncps)
{
	uint32_t i = 0, k = 0;
	while (i < n) {
		uint8_t b = s[i];
		uint32_t need, cp;
		uint8_t lo = 0x80, hi = 0xbf;
		if (b < 0x80) {
			cps[k++] = b;
			i++;
			continue;
		} else if (b >= 0xc2 && b <= 0xdf) {
			need = 1, cp = b & 0x1fu;
		} else if (b >= 0xe0 && b <= 0xef) {
			need = 2, cp = b & 0x0fu;
			if (b == 0xe0)
				lo = 0xa0;
			if (b == 0xed)
				hi = 0x9f;
		} else if (b >= 0xf0 && b <= 0xf4) {
			need = 3, cp = b & 0x07u;
			if (b == 0xf0)
				lo = 0x90;
			if (b == 0xf4)
				hi = 0x8f;
		} else {
			return false;
		}
		if (n - i - 1 < need)
			return false;
		for (uint32_t j = 1; j <= need; j++) {
			uint8_t c = s[i + j];
			if (c < (j == 1 ? lo : 0x80) || c > (j == 1 ? hi : 0xbf))
				return false;
			cp = cp << 6 | (c & 0x3fu);
		}
		cps[k++] = cp;
		i += need + 1;
	}
	*ncps = k;
	return true;
}

static bool
utf16_decode(const uint8_t *s, uint32_t units, uint32_t *cps, uint32_t *ncps)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < units; i++) {
		uint32_t u = (uint32_t)get(s + 2 * i, 2);
		if (u >= 0xdc00 && u <= 0xdfff)
			return false;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (i + 1 >= units)
				return false;
			uint32_t v = (uint32_t)get(s + 2 * i + 2, 2);
			if (v < 0xdc00 || v > 0xdfff)
				return false;
			u = 0x10000 + ((u - 0xd800) << 10) + (v - 0xdc00);
			i++;
		}
		cps[k++] = u;
	}
	*ncps = k;
	return true;
}

static uint32_t
utf8_encode(const uint32_t *cps, uint32_t n, uint8_t *out)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t c = cps[i];
		if (c < 0x80) {
			out[k++] = (uint8_t)c;
		} else if (c < 0x800) {
			out[k++] = (uint8_t)(0xc0 | c >> 6);
			out[k++] = (uint8_t)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			out[k++] = (uint8_t)(0xe0 | c >> 12);
			out[k++] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
			out[k++] = (uint8_t)(0x80 | (c & 0x3f));
		} else {
			out[k++] = (uint8_t)(0xf0 | c >> 18);
			out[k++] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
			out[k++] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
			out[k++] = (uint8_t)(0x80 | (c & 0x3f));
		}
	}
	return k;
}

/* Returns the byte length. */
static uint32_t
utf16_encode(const uint32_t *cps, uint32_t n, uint8_t *out)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t c = cps[i];
		if (c < 0x10000) {
			put(out + k, c, 2);
			k += 2;
		} else {
			c -= 0x10000;
			put(out + k, 0xd800 | c >> 10, 2);
			put(out + k + 2, 0xdc00 | (c & 0x3ff), 2);
			k += 4;
		}
	}
	return k;
}

#define MAX_STR 64

static bool
all_latin1(const uint32_t *cps, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (cps[i] >= 0x100)
			return false;
	return true;
}

/* ---- the model: strings ("Loading", "Storing") ------------------------- */

#define TAG 0x80000000u
#define MAX_BYTES ((1u << 28) - 1)

static void
m_write(struct mside *s, uint32_t addr, const uint8_t *p, uint32_t n)
{
	if (m_in_bounds(s, addr, n))
		memcpy(s->mem + addr, p, n);
}

/* load_string_from_range */
static void
m_load_string(struct model *m, struct mside *s, uint32_t ptr,
	      uint32_t tagged, struct mv *v)
{
	uint64_t bytes = tagged;
	uint32_t align = 2;
	bool u16 = false;
	if (s->enc == ADAPT_GEN_UTF8) {
		align = 1;
	} else if (s->enc == ADAPT_GEN_UTF16) {
		bytes = 2ull * tagged;
		u16 = true;
	} else if (tagged & TAG) {
		bytes = 2ull * (tagged ^ TAG);
		u16 = true;
	}
	m_trap_if(m, bytes > MAX_BYTES);
	m_trap_if(m, ptr % align != 0);
	m_trap_if(m, !m_in_bounds(s, ptr, bytes));
	v->cps = arena_alloc_array(m->a, bytes + 1, sizeof *v->cps);
	const uint8_t *src = s->mem + ptr;
	bool ok = true;
	if (s->enc == ADAPT_GEN_UTF8)
		ok = utf8_decode(src, (uint32_t)bytes, v->cps, &v->n);
	else if (u16)
		ok = utf16_decode(src, (uint32_t)(bytes / 2), v->cps, &v->n);
	else
		for (v->n = 0; v->n < bytes; v->n++)
			v->cps[v->n] = src[v->n];
	m_trap_if(m, !ok);
	v->enc = s->enc;
	v->units = tagged;
}

/* store_string_copy */
static void
m_copy(struct model *m, struct mside *s, const struct mv *v, uint32_t units,
       uint32_t unit, uint32_t align, uint32_t *ptr, uint32_t *out)
{
	uint8_t enc[4 * MAX_STR + 8];
	uint32_t bytes = unit * units;
	uint32_t p = m_realloc(m, s, 0, 0, align, bytes);
	uint32_t len;
	if (unit == 2)
		len = utf16_encode(v->cps, v->n, enc);
	else if (s->enc == ADAPT_GEN_UTF8)
		len = utf8_encode(v->cps, v->n, enc);
	else
		for (len = 0; len < v->n; len++)
			enc[len] = (uint8_t)v->cps[len];
	CHECK(len == bytes);
	m_write(s, p, enc, len);
	*ptr = p;
	*out = units;
}

/* store_string_to_utf8 */
static void
m_to_utf8(struct model *m, struct mside *s, const struct mv *v,
	  uint32_t units, uint32_t worst, uint32_t *ptr, uint32_t *out)
{
	uint32_t p = m_realloc(m, s, 0, 0, 1, units);
	for (uint32_t i = 0; i < v->n; i++) {
		if (v->cps[i] < 0x80) {
			m_put(s, p + i, v->cps[i], 1);
			continue;
		}
		uint8_t enc[4 * MAX_STR + 8];
		p = m_realloc(m, s, p, units, 1, worst);
		uint32_t len = utf8_encode(v->cps, v->n, enc);
		m_write(s, p + i, enc + i, len - i);
		if (worst > len)
			p = m_realloc(m, s, p, worst, 1, len);
		*ptr = p;
		*out = len;
		return;
	}
	*ptr = p;
	*out = units;
}

/* store_utf8_to_utf16 */
static void
m_utf8_to_utf16(struct model *m, struct mside *s, const struct mv *v,
		uint32_t units, uint32_t *ptr, uint32_t *out)
{
	uint8_t enc[4 * MAX_STR + 8];
	uint32_t worst = 2 * units;
	uint32_t p = m_realloc(m, s, 0, 0, 2, worst);
	uint32_t len = utf16_encode(v->cps, v->n, enc);
	m_write(s, p, enc, len);
	if (len < worst)
		p = m_realloc(m, s, p, worst, 2, len);
	*ptr = p;
	*out = len / 2;
}

/* store_string_to_latin1_or_utf16 */
static void
m_to_compact(struct model *m, struct mside *s, const struct mv *v,
	     uint32_t units, uint32_t *ptr, uint32_t *out)
{
	uint32_t p = m_realloc(m, s, 0, 0, 2, units), d = 0;
	for (uint32_t i = 0; i < v->n; i++) {
		if (v->cps[i] < 0x100) {
			m_put(s, p + d, v->cps[i], 1);
			d++;
			continue;
		}
		uint32_t worst = 2 * units;
		p = m_realloc(m, s, p, units, 2, worst);
		for (uint32_t j = d; j-- > 0;) {
			m_put(s, p + 2 * j, m_get(s, p + j, 1), 1);
			m_put(s, p + 2 * j + 1, 0, 1);
		}
		uint8_t enc[4 * MAX_STR + 8];
		uint32_t len = utf16_encode(v->cps, v->n, enc);
		m_write(s, p + 2 * d, enc + 2 * d, len - 2 * d);
		if (worst > len)
			p = m_realloc(m, s, p, worst, 2, len);
		*ptr = p;
		*out = (len / 2) | TAG;
		return;
	}
	if (d < units)
		p = m_realloc(m, s, p, units, 2, d);
	*ptr = p;
	*out = d;
}

/* store_probably_utf16_to_latin1_or_utf16 */
static void
m_probably_utf16(struct model *m, struct mside *s, const struct mv *v,
		 uint32_t units, uint32_t *ptr, uint32_t *out)
{
	uint8_t enc[4 * MAX_STR + 8];
	uint32_t bytes = 2 * units;
	uint32_t p = m_realloc(m, s, 0, 0, 2, bytes);
	uint32_t len = utf16_encode(v->cps, v->n, enc);
	m_write(s, p, enc, len);
	if (!all_latin1(v->cps, v->n)) {
		*ptr = p;
		*out = (len / 2) | TAG;
		return;
	}
	uint32_t n = len / 2;
	for (uint32_t i = 0; i < n; i++)
		m_put(s, p + i, m_get(s, p + 2 * i, 1), 1);
	p = m_realloc(m, s, p, bytes, 1, n);
	*ptr = p;
	*out = n;
}

/* An input string, encoded directly in the side's encoding. */
static void
m_input_string(struct model *m, struct mside *s, const struct mv *v,
	       uint32_t *ptr, uint32_t *out)
{
	uint8_t enc[4 * MAX_STR + 8];
	uint32_t len, units;
	uint32_t align = s->enc == ADAPT_GEN_UTF8 ? 1 : 2;
	if (v->raw) {
		len = v->raw_len;
		units = v->raw_units;
		memcpy(enc, v->raw, len);
	} else if (s->enc == ADAPT_GEN_UTF8) {
		len = units = utf8_encode(v->cps, v->n, enc);
	} else if (s->enc == ADAPT_GEN_LATIN1_UTF16 && !v->force16 &&
		   all_latin1(v->cps, v->n)) {
		for (len = 0; len < v->n; len++)
			enc[len] = (uint8_t)v->cps[len];
		units = len;
	} else {
		len = utf16_encode(v->cps, v->n, enc);
		units = len / 2;
		if (s->enc == ADAPT_GEN_LATIN1_UTF16)
			units |= TAG;
	}
	*ptr = m_realloc(m, s, 0, 0, align, len);
	m_write(s, *ptr, enc, len);
	*out = units;
}

/* store_string_into_range */
static void
m_store_string(struct model *m, struct mside *s, const struct mv *v,
	       uint32_t *ptr, uint32_t *out)
{
	if (m->input_mode) {
		m_input_string(m, s, v, ptr, out);
		return;
	}
	enum { U8, U16, L1 } simple = v->enc == ADAPT_GEN_UTF16 ? U16 : U8;
	uint32_t units = v->units;
	if (v->enc == ADAPT_GEN_LATIN1_UTF16) {
		simple = (units & TAG) ? U16 : L1;
		units &= ~TAG;
	}
	switch (s->enc) {
	case ADAPT_GEN_UTF8:
		if (simple == U8)
			m_copy(m, s, v, units, 1, 1, ptr, out);
		else
			m_to_utf8(m, s, v, units, units * (simple == U16 ? 3 : 2),
				  ptr, out);
		break;
	case ADAPT_GEN_UTF16:
		if (simple == U8)
			m_utf8_to_utf16(m, s, v, units, ptr, out);
		else
			m_copy(m, s, v, units, 2, 2, ptr, out);
		break;
	default:
		if (v->enc != ADAPT_GEN_LATIN1_UTF16)
			m_to_compact(m, s, v, units, ptr, out);
		else if (simple == L1)
			m_copy(m, s, v, units, 1, 2, ptr, out);
		else
			m_probably_utf16(m, s, v, units, ptr, out);
		break;
	}
}

/* ---- the model: values in memory --------------------------------------- */

static uint32_t
int_size(enum vtype_kind k)
{
	switch (k) {
	case VTYPE_BOOL:
	case VTYPE_U8:
	case VTYPE_S8: return 1;
	case VTYPE_U16:
	case VTYPE_S16: return 2;
	case VTYPE_U64:
	case VTYPE_S64:
	case VTYPE_F64: return 8;
	default: return 4;
	}
}

static uint32_t
flags_mask(const struct vtype *t)
{
	return t->count >= 32 ? UINT32_MAX : (1u << t->count) - 1;
}

/* The lifted bits of a scalar whose flat or loaded bits are b. */
static uint64_t
m_lift_scalar(struct model *m, const struct vtype *t, uint64_t b)
{
	switch (abi_despecialize(t)) {
	case VTYPE_BOOL: return (uint32_t)b != 0;
	case VTYPE_U8: return b & 0xff;
	case VTYPE_U16: return b & 0xffff;
	case VTYPE_S8: return (uint64_t)(uint32_t)(int32_t)(int8_t)(uint8_t)b;
	case VTYPE_S16: return (uint64_t)(uint32_t)(int32_t)(int16_t)(uint16_t)b;
	case VTYPE_F32:
		if (m->canon_nans && !m->input_mode &&
		    (b & 0x7f800000u) == 0x7f800000u && (b & 0x7fffffu))
			return 0x7fc00000u;
		return (uint32_t)b;
	case VTYPE_F64:
		if (m->canon_nans && !m->input_mode &&
		    (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull &&
		    (b & 0xfffffffffffffull))
			return 0x7ff8000000000000ull;
		return b;
	case VTYPE_U64:
	case VTYPE_S64: return b;
	case VTYPE_CHAR:
		m_trap_if(m, (uint32_t)b >= 0x110000 ||
				     ((uint32_t)b >= 0xd800 && (uint32_t)b <= 0xdfff));
		return (uint32_t)b;
	case VTYPE_FLAGS: return b & flags_mask(t);
	default: return (uint32_t)b;
	}
}

static unsigned
side_of(struct model *m, struct mside *s)
{
	return s == &m->side[0] ? 0 : 1;
}

static void m_load(struct model *m, struct mside *s, uint32_t ptr,
		   const struct vtype *t, struct mv *v);
static void m_store(struct model *m, struct mside *s, const struct mv *v,
		    const struct vtype *t, uint32_t ptr);

/* load_list_from_range */
static void
m_load_list(struct model *m, struct mside *s, uint32_t ptr, uint32_t len,
	    const struct vtype *e, struct mv *v)
{
	uint64_t es = abi_elem_size(e, ABI_PTR_I32);
	m_trap_if(m, len * es > MAX_BYTES);
	m_trap_if(m, ptr % abi_alignment(e, ABI_PTR_I32) != 0);
	m_trap_if(m, !m_in_bounds(s, ptr, len * es));
	v->n = len;
	v->items = arena_alloc_array(m->a, len + 1, sizeof *v->items);
	for (uint32_t i = 0; i < len; i++)
		m_load(m, s, ptr + i * (uint32_t)es, e, &v->items[i]);
}

static void
m_load(struct model *m, struct mside *s, uint32_t ptr, const struct vtype *t,
       struct mv *v)
{
	memset(v, 0, sizeof *v);
	switch (abi_despecialize(t)) {
	case VTYPE_STRING:
		m_load_string(m, s, (uint32_t)m_get(s, ptr, 4),
			      (uint32_t)m_get(s, ptr + 4, 4), v);
		break;
	case VTYPE_LIST:
		m_load_list(m, s, (uint32_t)m_get(s, ptr, 4),
			    (uint32_t)m_get(s, ptr + 4, 4), abi_list_elem(t), v);
		break;
	case VTYPE_FIXED_LIST: {
		uint32_t es = abi_elem_size(t->elem, ABI_PTR_I32);
		v->n = t->length;
		v->items = arena_alloc_array(m->a, t->length, sizeof *v->items);
		for (uint32_t i = 0; i < t->length; i++)
			m_load(m, s, ptr + i * es, t->elem, &v->items[i]);
		break;
	}
	case VTYPE_RECORD:
		v->n = abi_field_count(t);
		v->items = arena_alloc_array(m->a, v->n, sizeof *v->items);
		for (uint32_t i = 0; i < v->n; i++)
			m_load(m, s, ptr + abi_field_offset(t, i, ABI_PTR_I32),
			       abi_field(t, i), &v->items[i]);
		break;
	case VTYPE_VARIANT: {
		uint32_t n = abi_case_count(t);
		v->bits = m_get(s, ptr, abi_discriminant_size(n));
		m_trap_if(m, v->bits >= n);
		const struct vtype *p = abi_case(t, (uint32_t)v->bits);
		if (p) {
			v->n = 1;
			v->items = arena_alloc(m->a, sizeof *v->items);
			m_load(m, s, ptr + abi_payload_offset(t, ABI_PTR_I32), p,
			       v->items);
		}
		break;
	}
	case VTYPE_FLAGS:
		v->bits = m_lift_scalar(
			m, t, m_get(s, ptr, abi_elem_size(t, ABI_PTR_I32)));
		break;
	case VTYPE_OWN:
	case VTYPE_BORROW:
		v->bits = m_lift_handle(m, side_of(m, s), t,
					(uint32_t)m_get(s, ptr, 4));
		break;
	default: {
		uint32_t n = int_size(t->kind);
		v->bits = m_lift_scalar(m, t, m_get(s, ptr, n));
		break;
	}
	}
}

/* store_list_into_range */
static void
m_store_list(struct model *m, struct mside *s, const struct mv *v,
	     const struct vtype *e, uint32_t *ptr)
{
	uint32_t es = abi_elem_size(e, ABI_PTR_I32);
	uint32_t p = m_realloc(m, s, 0, 0, abi_alignment(e, ABI_PTR_I32),
			       v->n * es);
	for (uint32_t i = 0; i < v->n; i++)
		m_store(m, s, &v->items[i], e, p + i * es);
	*ptr = p;
}

static void
m_store(struct model *m, struct mside *s, const struct mv *v,
	const struct vtype *t, uint32_t ptr)
{
	uint32_t p, n;
	switch (abi_despecialize(t)) {
	case VTYPE_STRING:
		m_store_string(m, s, v, &p, &n);
		m_put(s, ptr, p, 4);
		m_put(s, ptr + 4, n, 4);
		break;
	case VTYPE_LIST:
		m_store_list(m, s, v, abi_list_elem(t), &p);
		m_put(s, ptr, p, 4);
		m_put(s, ptr + 4, v->n, 4);
		break;
	case VTYPE_FIXED_LIST: {
		uint32_t es = abi_elem_size(t->elem, ABI_PTR_I32);
		for (uint32_t i = 0; i < t->length; i++)
			m_store(m, s, &v->items[i], t->elem, ptr + i * es);
		break;
	}
	case VTYPE_RECORD:
		for (uint32_t i = 0; i < abi_field_count(t); i++)
			m_store(m, s, &v->items[i], abi_field(t, i),
				ptr + abi_field_offset(t, i, ABI_PTR_I32));
		break;
	case VTYPE_VARIANT: {
		uint32_t nc = abi_case_count(t);
		m_put(s, ptr, v->bits, abi_discriminant_size(nc));
		const struct vtype *pt =
			v->bits < nc ? abi_case(t, (uint32_t)v->bits) : NULL;
		if (pt && v->n)
			m_store(m, s, v->items, pt,
				ptr + abi_payload_offset(t, ABI_PTR_I32));
		break;
	}
	case VTYPE_FLAGS:
		m_put(s, ptr, v->bits, abi_elem_size(t, ABI_PTR_I32));
		break;
	case VTYPE_OWN:
	case VTYPE_BORROW:
		m_put(s, ptr, m_lower_handle(m, side_of(m, s), t, v->bits), 4);
		break;
	default:
		m_put(s, ptr, v->bits, int_size(t->kind));
		break;
	}
}

/* ---- the model: flat values -------------------------------------------- */

/* Flat values as bits; 32-bit ones zero-extended (also in i64 slots). */
struct mflat {
	uint64_t v[VTYPE_FLAT_CAP + 1];
	uint32_t n, i;
};

static uint64_t
m_next(struct mflat *vi, bool wide)
{
	uint64_t b = vi->i < vi->n ? vi->v[vi->i] : 0;
	vi->i++;
	return wide ? b : (uint32_t)b;
}

static bool
wide_kind(enum vtype_kind k)
{
	return k == VTYPE_U64 || k == VTYPE_S64 || k == VTYPE_F64;
}

static void
m_lift_flat(struct model *m, struct mside *s, struct mflat *vi,
	    const struct vtype *t, struct mv *v)
{
	memset(v, 0, sizeof *v);
	switch (abi_despecialize(t)) {
	case VTYPE_STRING: {
		uint32_t p = (uint32_t)m_next(vi, false);
		m_load_string(m, s, p, (uint32_t)m_next(vi, false), v);
		break;
	}
	case VTYPE_LIST: {
		uint32_t p = (uint32_t)m_next(vi, false);
		m_load_list(m, s, p, (uint32_t)m_next(vi, false),
			    abi_list_elem(t), v);
		break;
	}
	case VTYPE_FIXED_LIST:
		v->n = t->length;
		v->items = arena_alloc_array(m->a, t->length, sizeof *v->items);
		for (uint32_t i = 0; i < t->length; i++)
			m_lift_flat(m, s, vi, t->elem, &v->items[i]);
		break;
	case VTYPE_RECORD:
		v->n = abi_field_count(t);
		v->items = arena_alloc_array(m->a, v->n, sizeof *v->items);
		for (uint32_t i = 0; i < v->n; i++)
			m_lift_flat(m, s, vi, abi_field(t, i), &v->items[i]);
		break;
	case VTYPE_VARIANT: {
		uint32_t end = vi->i + abi_flat_count(t);
		v->bits = m_next(vi, false);
		m_trap_if(m, v->bits >= abi_case_count(t));
		const struct vtype *p = abi_case(t, (uint32_t)v->bits);
		if (p) {
			v->n = 1;
			v->items = arena_alloc(m->a, sizeof *v->items);
			m_lift_flat(m, s, vi, p, v->items);
		}
		vi->i = end;
		break;
	}
	case VTYPE_OWN:
	case VTYPE_BORROW:
		v->bits = m_lift_handle(m, side_of(m, s), t,
					(uint32_t)m_next(vi, false));
		break;
	default:
		v->bits = m_lift_scalar(m, t, m_next(vi, wide_kind(t->kind)));
		break;
	}
}

static void
m_lower_flat(struct model *m, struct mside *s, const struct mv *v,
	     const struct vtype *t, struct mflat *out)
{
	uint32_t p, n;
	switch (abi_despecialize(t)) {
	case VTYPE_STRING:
		m_store_string(m, s, v, &p, &n);
		out->v[out->n++] = p;
		out->v[out->n++] = n;
		break;
	case VTYPE_LIST:
		m_store_list(m, s, v, abi_list_elem(t), &p);
		out->v[out->n++] = p;
		out->v[out->n++] = v->n;
		break;
	case VTYPE_FIXED_LIST:
		for (uint32_t i = 0; i < t->length; i++)
			m_lower_flat(m, s, &v->items[i], t->elem, out);
		break;
	case VTYPE_RECORD:
		for (uint32_t i = 0; i < abi_field_count(t); i++)
			m_lower_flat(m, s, &v->items[i], abi_field(t, i), out);
		break;
	case VTYPE_VARIANT: {
		uint32_t end = out->n + abi_flat_count(t);
		out->v[out->n++] = v->bits;
		const struct vtype *pt = v->bits < abi_case_count(t)
						 ? abi_case(t, (uint32_t)v->bits)
						 : NULL;
		if (pt && v->n)
			m_lower_flat(m, s, v->items, pt, out);
		while (out->n < end)
			out->v[out->n++] = 0;
		break;
	}
	case VTYPE_OWN:
	case VTYPE_BORROW:
		out->v[out->n++] = m_lower_handle(m, side_of(m, s), t, v->bits);
		break;
	default:
		out->v[out->n++] = wide_kind(t->kind) ? v->bits
						       : (uint32_t)v->bits;
		break;
	}
}

/* The parameters (or the result) as a tuple in memory. */
static void
tuple_layout(const struct vtype *const *ts, uint32_t n, uint32_t *offs,
	     uint32_t *align, uint32_t *size)
{
	uint32_t s = 0, a = 1;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t al = abi_alignment(ts[i], ABI_PTR_I32);
		s = abi_align_to(s, al);
		offs[i] = s;
		s += abi_elem_size(ts[i], ABI_PTR_I32);
		a = al > a ? al : a;
	}
	*align = a;
	*size = abi_align_to(s, a);
}

static uint32_t
flat_total(const struct vtype *const *ts, uint32_t n)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++)
		k += abi_flat_count(ts[i]);
	return k;
}

/* lift_flat_values */
static void
m_lift_values(struct model *m, struct mside *s, uint32_t max,
	      struct mflat *vi, const struct vtype *const *ts, uint32_t n,
	      struct mv *out)
{
	if (flat_total(ts, n) <= max) {
		for (uint32_t i = 0; i < n; i++)
			m_lift_flat(m, s, vi, ts[i], &out[i]);
		return;
	}
	uint32_t offs[64], align, size;
	tuple_layout(ts, n, offs, &align, &size);
	uint32_t ptr = (uint32_t)m_next(vi, false);
	m_trap_if(m, ptr % align != 0);
	m_trap_if(m, !m_in_bounds(s, ptr, size));
	for (uint32_t i = 0; i < n; i++)
		m_load(m, s, ptr + offs[i], ts[i], &out[i]);
}

/* lower_flat_values; out_param: a pointer to use, or NULL to allocate. */
static void
m_lower_values(struct model *m, struct mside *s, uint32_t max,
	       const struct mv *vs, const struct vtype *const *ts, uint32_t n,
	       const uint32_t *out_param, struct mflat *out)
{
	if (flat_total(ts, n) <= max) {
		for (uint32_t i = 0; i < n; i++)
			m_lower_flat(m, s, &vs[i], ts[i], out);
		return;
	}
	uint32_t offs[64], align, size, ptr;
	tuple_layout(ts, n, offs, &align, &size);
	if (!out_param) {
		ptr = m_realloc(m, s, 0, 0, align, size);
		out->v[out->n++] = ptr;
	} else {
		ptr = *out_param;
		m_trap_if(m, ptr % align != 0);
		m_trap_if(m, !m_in_bounds(s, ptr, size));
	}
	for (uint32_t i = 0; i < n; i++)
		m_store(m, s, &vs[i], ts[i], ptr + offs[i]);
}

/* ---- the model: one call through the adapter --------------------------- */

#define MAX_PARAMS 32
#define MAX_PATCH 4

enum patch_kind { PATCH_ARG, PATCH_CALLER, PATCH_CALLEE, PATCH_RESULT };

struct patch {
	enum patch_kind kind;
	uint32_t where;  /* arg or result index, or offset from A_INPUT */
	uint64_t value;
	unsigned width;
};

/* One run: inputs, misbehaviours, and what the model predicts. */
struct run {
	struct mv *params;
	struct mv *result;
	uint32_t bad_side, bad_at, bad_kind;
	bool reenter, no_leave;
	struct patch patch[MAX_PATCH];
	uint32_t npatch;
	/* laid out */
	struct mflat args, rflat;
	uint8_t *in[2];           /* input bytes of each side */
	uint32_t in_len[2];
	/* predicted */
	bool traps;
	struct mflat cargs, res;
	uint8_t *mem[2];          /* memories after the call */
	uint32_t heap_end[2], nlog;
	/* resources */
	bool keep_borrow;         /* the callee does not drop its last one */
	struct msetup *setup;     /* handles the inputs create, in order */
	uint32_t nsetup;
	uint32_t *drops, ndrops;  /* the borrows the callee drops */
	uint8_t *dump;            /* the tables after the call */
	uint32_t dump_len;
};

/* The function under test, flattened both ways. */
struct tfn {
	const struct vtype_func *ft;
	const struct vtype *ptypes[MAX_PARAMS];
	struct abi_core_func lower, lift;
	bool same_memory, post_return, canon_nans;
	enum adapt_gen_encoding enc[2];
	uint32_t base[2], memsize;
	bool res, s_host;          /* handles; s is the host's */
	uint32_t rtab_mem;         /* the tables' memory */
	uint32_t drop_s, lower_own; /* rtab functions the test calls */
	struct rtab *rtab;
	uint32_t first_helper;     /* after the rtab functions */
};

static unsigned
core_width(enum abi_core t)
{
	return t == ABI_I64 || t == ABI_F64 ? 8 : 4;
}

static void
model_init(struct model *m, struct tfn *fn, struct arena *a, uint8_t **mem)
{
	memset(m, 0, sizeof *m);
	m->a = a;
	m->canon_nans = fn->canon_nans;
	m->s_host = fn->s_host;
	m->flags[0] = m->flags[1] = 3;
	for (unsigned i = 0; i < 2; i++) {
		struct mside *s = &m->side[i];
		s->mem = mem[i];
		s->memsize = fn->memsize;
		s->base = fn->base[i];
		s->enc = fn->enc[i];
		s->bump = s->base + A_HEAP;
		s->input = s->base + A_INPUT;
		s->kind = i ? LOG_CALLEE_REALLOC : LOG_CALLER_REALLOC;
	}
}

/* Two memories (or one, shared), zeroed. */
static void
alloc_mems(struct tfn *fn, struct arena *a, uint8_t **mem)
{
	mem[0] = arena_alloc(a, fn->memsize);
	mem[1] = fn->same_memory ? mem[0] : arena_alloc(a, fn->memsize);
}

/* Lay out a run's inputs; false when they do not fit the input areas. */
static bool
layout_run(struct tfn *fn, struct run *r, struct arena *a)
{
	uint8_t *mem[2];
	struct model m;
	alloc_mems(fn, a, mem);
	model_init(&m, fn, a, mem);
	m.input_mode = true;
	m.setup = arena_alloc_array(a, MAX_H, sizeof *m.setup);
	r->args.n = r->rflat.n = 0;
	m_lower_values(&m, &m.side[0], ABI_MAX_FLAT_PARAMS, r->params,
		       fn->ptypes, fn->ft->nparams, NULL, &r->args);
	if (fn->lower.results_in_memory)
		r->args.v[r->args.n++] = fn->base[0] + A_AREA;
	if (fn->ft->result)
		m_lower_values(&m, &m.side[1], ABI_MAX_FLAT_RESULTS, r->result,
			       &fn->ft->result, 1, NULL, &r->rflat);
	for (unsigned i = 0; i < 2; i++) {
		struct mside *s = &m.side[i];
		if (s->input > s->base + A_FLATRES)
			return false;
		r->in_len[i] = s->input - (s->base + A_INPUT);
	}
	for (uint32_t i = 0; i < r->npatch; i++) {
		struct patch *p = &r->patch[i];
		if (p->kind == PATCH_ARG)
			r->args.v[p->where] = p->value;
		else if (p->kind == PATCH_RESULT)
			r->rflat.v[p->where] = p->value;
		else
			m_put(&m.side[p->kind == PATCH_CALLEE],
			      fn->base[p->kind == PATCH_CALLEE] + A_INPUT +
				      p->where,
			      p->value, p->width);
	}
	for (unsigned i = 0; i < 2; i++) {
		r->in[i] = arena_dup(a, mem[i] + fn->base[i] + A_INPUT,
				     r->in_len[i] + 1);
	}
	r->setup = m.setup;
	r->nsetup = m.nsetup;
	return true;
}

/* Store the flat values vs of core types ts at addr, 8 bytes apart. */
static void
put_flat(struct mside *s, uint32_t addr, const struct mflat *vs,
	 const struct abi_flat *ts)
{
	for (uint32_t i = 0; i < vs->n; i++)
		m_put(s, addr + 8 * i, vs->v[i], core_width(ts->types[i]));
}

/* canon_lower of canon_lift, as the spec runs it; false when it traps. */
static bool
model_call(struct model *m, struct tfn *fn, struct run *r)
{
	const struct vtype_func *ft = fn->ft;
	struct mside *caller = &m->side[0], *callee = &m->side[1];
	struct mv params[MAX_PARAMS], result;
	if (setjmp(m->trap))
		return false;
	m_trap_if(m, !(m->flags[0] & 1));   /* may_leave */
	m_trap_if(m, !(m->flags[1] & 2));   /* may_enter_from */
	m->flags[1] &= ~2u;                 /* enter_from */
	struct mflat vi = r->args;
	vi.i = 0;
	m_lift_values(m, caller, ABI_MAX_FLAT_PARAMS, &vi, fn->ptypes,
		      ft->nparams, params);
	r->cargs.n = 0;
	m_lower_values(m, callee, ABI_MAX_FLAT_PARAMS, params, fn->ptypes,
		       ft->nparams, NULL, &r->cargs);
	m_log(m, LOG_CALL, r->cargs.n ? (uint32_t)r->cargs.v[0] : 0, 0, 0, 0);
	put_flat(callee, fn->base[1] + A_AREA, &r->cargs, &fn->lift.params);
	r->ndrops = m->ndrops - (r->keep_borrow && m->ndrops ? 1 : 0);
	memcpy(r->drops, m->drops, r->ndrops * sizeof *r->drops);
	m_callee_drops(m, r->keep_borrow);
	m_trap_if(m, r->reenter);
	r->res.n = 0;
	if (ft->result) {
		struct mflat ri = r->rflat;
		ri.i = 0;
		m_lift_values(m, callee, ABI_MAX_FLAT_RESULTS, &ri,
			      &ft->result, 1, &result);
		bool in_mem = fn->lower.results_in_memory;
		uint32_t retptr = in_mem ? (uint32_t)r->args.v[r->args.n - 1]
					 : 0;
		m_lower_values(m, caller, ABI_MAX_FLAT_RESULTS, &result,
			       &ft->result, 1, in_mem ? &retptr : NULL,
			       &r->res);
	}
	m_leave(m);
	if (fn->post_return) {
		m->flags[1] &= ~1u;
		m_log(m, LOG_POST, r->rflat.n ? (uint32_t)r->rflat.v[0] : 0, 0,
		      0, 0);
		m->flags[1] |= 1u;
	}
	m->flags[1] |= 2u;                  /* leave_to */
	put_flat(caller, fn->base[0] + A_FLATRES, &r->res, &fn->lower.results);
	return true;
}

/* Predict a laid-out run: trap, or the memories after it. */
static void
predict_run(struct tfn *fn, struct run *r, struct arena *a)
{
	uint8_t *mem[2];
	struct model m;
	alloc_mems(fn, a, mem);
	model_init(&m, fn, a, mem);
	for (unsigned i = 0; i < 2; i++)
		memcpy(mem[i] + fn->base[i] + A_INPUT, r->in[i], r->in_len[i]);
	m.flags[0] = r->no_leave ? 2 : 3;
	struct mside *bad = &m.side[r->bad_side];
	bad->bad_at = r->bad_at;
	bad->bad_kind = r->bad_kind;
	for (uint32_t i = 0; i < r->nsetup; i++) {
		const struct msetup *su = &r->setup[i];
		struct mhandle h = {true, true, su->tid, su->rep, 0};
		CHECK(m_tab_add(&m, su->side, h) == su->idx);
	}
	r->drops = arena_alloc_array(a, MAX_H, sizeof *r->drops);
	r->ndrops = 0;
	r->traps = !model_call(&m, fn, r);
	for (unsigned i = 0; i < 2; i++) {
		r->mem[i] = mem[i];
		r->heap_end[i] = m.side[i].bump;
	}
	r->nlog = m.nlog;
	if (fn->res && !r->traps) {
		r->dump = arena_alloc(a, 64 + 2 * 16 * MAX_H);
		r->dump_len = m_dump(&m, r->dump);
	}
}

/* ---- a small module writer --------------------------------------------- */

#define TM_FUNCS 512
#define TM_SEGS 4096

/* A function's value types, for the harness's type of it. */
struct tm_types {
	uint8_t params[24], results[2];
};

struct tm {
	struct wasm_harness_func f[TM_FUNCS];
	struct tm_types types[TM_FUNCS];
	uint32_t nf;
	uint32_t nmem, pages;
	uint32_t rtab_pages;      /* a last memory for the tables, or 0 */
	const uint8_t *seg[TM_SEGS];
	uint32_t seg_len[TM_SEGS];
	uint32_t nseg;
	struct arena *a;
};

/* Globals of the test module. */
enum {
	G_FLAGS0, G_FLAGS1, G_BUMP0, G_BUMP1, G_LOG, G_SEQ,
	G_BADAT0, G_BADKIND0, G_CALLS0, G_BADAT1, G_BADKIND1, G_CALLS1,
	G_RET, G_REENTER, G_COUNT
};

/* Functions of the test module, then the helpers, then the wrappers. */
enum {
	F_REALLOC0, F_REALLOC1, F_CALLEE, F_POST, F_CMP0, F_CMP1, F_LOG,
	F_ADAPTER, F_DUMP, F_HOST_DROP, F_HELPERS
};

/* Caller memory: where the tables are dumped; callee: the drop list. */
#define A_DUMP 0x6c80u
#define A_DROPS 0x1800u

static uint32_t
tm_seg(struct tm *m, const uint8_t *p, uint32_t n)
{
	if (m->nseg >= TM_SEGS)
		return 0;
	m->seg[m->nseg] = p;
	m->seg_len[m->nseg] = n;
	return m->nseg++;
}

static void
tm_write(struct tm *m, struct bin_writer *w)
{
	uint32_t pages[3] = {m->pages, m->pages, m->pages};
	uint8_t globals[G_COUNT];
	if (m->rtab_pages)
		pages[m->nmem] = m->rtab_pages;
	for (uint32_t i = 0; i < G_COUNT; i++)
		globals[i] = i == G_RET ? 0x7e : 0x7f;
	struct wasm_harness_module hm = {
		m->f,   m->nf,     pages,        m->nmem + (m->rtab_pages ? 1 : 0),
		globals, G_COUNT, m->seg, m->seg_len, m->nseg};
	wasm_harness_write(&hm, w);
}

/* Function idx: its type (copied) and code-section entry. */
static void
tm_set(struct tm *m, uint32_t idx, const struct adapt_gen_functype *type,
       const uint8_t *code, size_t code_size, const char *export)
{
	struct tm_types *v = &m->types[idx];
	if (type->nparams)
		memcpy(v->params, type->params, type->nparams);
	if (type->nresults)
		memcpy(v->results, type->results, type->nresults);
	struct adapt_gen_functype t = {type->nparams, type->nresults,
				       v->params, v->results};
	m->f[idx] = (struct wasm_harness_func){t, code, code_size, export};
	if (idx >= m->nf)
		m->nf = idx + 1;
}

/* Add a function whose body f builds; codes: i i32, I i64, f, F. */
static void
tm_add(struct tm *m, uint32_t idx, struct cgen_func *f, const uint8_t *params,
       uint32_t np, const uint8_t *results, uint32_t nr, const char *export)
{
	struct bin_writer w;
	bin_writer_init(&w);
	CHECK(cgen_finish(f, &w) == MELD_OK);
	struct adapt_gen_functype t = {np, nr, params, results};
	tm_set(m, idx, &t, arena_dup(m->a, w.buf, w.len), w.len, export);
	bin_writer_clear(&w);
	cgen_func_clear(f);
}

static void
tm_add_gen(struct tm *m, uint32_t idx, const struct adapt_gen_func *g)
{
	tm_set(m, idx, &g->type, g->code, g->code_size, NULL);
}

/* ---- the test module's own functions ----------------------------------- */

static const uint8_t ci[5] = {0x7f, 0x7f, 0x7f, 0x7f, 0x7f};

static void
c32(struct cgen_func *f, uint32_t v)
{
	cgen_i32_const(f, (int32_t)v);
}

static void
set_global(struct cgen_func *f, uint32_t g, uint32_t v)
{
	c32(f, v);
	cgen_global_set(f, g);
}

/* Push the flat value v of core type t as a constant. */
static void
push_const(struct cgen_func *f, enum abi_core t, uint64_t v)
{
	switch (t) {
	case ABI_I64: cgen_i64_const(f, (int64_t)v); break;
	case ABI_F32: cgen_f32_const(f, (uint32_t)v); break;
	case ABI_F64: cgen_f64_const(f, v); break;
	default: c32(f, (uint32_t)v); break;
	}
}

/* The local of core type t as an i32 (its low bits). */
static void
push_low32(struct cgen_func *f, enum abi_core t, uint32_t local)
{
	cgen_local_get(f, local);
	if (t == ABI_F32)
		cgen_i32_reinterpret_f32(f);
	if (t == ABI_F64)
		cgen_i64_reinterpret_f64(f);
	if (t == ABI_I64 || t == ABI_F64)
		cgen_i32_wrap_i64(f);
}

static void
store_core(struct cgen_func *f, enum abi_core t, uint32_t mem)
{
	switch (t) {
	case ABI_I64: cgen_i64_store(f, mem, 3, 0); break;
	case ABI_F32: cgen_f32_store(f, mem, 2, 0); break;
	case ABI_F64: cgen_f64_store(f, mem, 3, 0); break;
	default: cgen_i32_store(f, mem, 2, 0); break;
	}
}

/* log(kind, a, b, c, d): an entry with both flags and a sequence number */
static void
gen_log(struct tm *m)
{
	struct cgen_func f;
	cgen_func_init(&f, 5);
	uint32_t vals[8] = {0, 1, 2, 3, 4, G_FLAGS0, G_FLAGS1, G_SEQ};
	for (uint32_t i = 0; i < 8; i++) {
		cgen_global_get(&f, G_LOG);
		if (i < 5)
			cgen_local_get(&f, vals[i]);
		else
			cgen_global_get(&f, vals[i]);
		cgen_i32_store(&f, 0, 2, 4 * i);
	}
	cgen_global_get(&f, G_LOG);
	c32(&f, LOG_ENTRY);
	cgen_i32_add(&f);
	cgen_global_set(&f, G_LOG);
	cgen_global_get(&f, G_SEQ);
	c32(&f, 1);
	cgen_i32_add(&f);
	cgen_global_set(&f, G_SEQ);
	tm_add(m, F_LOG, &f, ci, 5, NULL, 0, NULL);
}

/* A bump allocator that logs, with a misbehaviour on request. */
static void
gen_realloc(struct tm *m, unsigned side, uint32_t mem)
{
	struct cgen_func f;
	cgen_func_init(&f, 4);
	uint32_t p = cgen_local(&f, CGEN_I32), c = cgen_local(&f, CGEN_I32);
	uint32_t g_bump = side ? G_BUMP1 : G_BUMP0;
	uint32_t g_calls = side ? G_CALLS1 : G_CALLS0;
	uint32_t g_at = side ? G_BADAT1 : G_BADAT0;
	uint32_t g_kind = side ? G_BADKIND1 : G_BADKIND0;
	c32(&f, side ? LOG_CALLEE_REALLOC : LOG_CALLER_REALLOC);
	for (uint32_t i = 0; i < 4; i++)
		cgen_local_get(&f, i);
	cgen_call(&f, F_LOG);
	cgen_global_get(&f, g_calls);
	c32(&f, 1);
	cgen_i32_add(&f);
	cgen_global_set(&f, g_calls);
	cgen_global_get(&f, g_bump);
	cgen_local_get(&f, 2);
	cgen_i32_add(&f);
	c32(&f, 1);
	cgen_i32_sub(&f);
	c32(&f, 0);
	cgen_local_get(&f, 2);
	cgen_i32_sub(&f);
	cgen_i32_and(&f);
	cgen_local_set(&f, p);
	cgen_local_get(&f, 1);
	cgen_local_get(&f, 3);
	cgen_local_get(&f, 1);
	cgen_local_get(&f, 3);
	cgen_i32_lt_u(&f);
	cgen_select(&f);
	cgen_local_set(&f, c);
	cgen_local_get(&f, p);
	cgen_local_get(&f, 0);
	cgen_local_get(&f, c);
	cgen_memory_copy(&f, mem, mem);
	cgen_local_get(&f, p);
	cgen_local_get(&f, 3);
	cgen_i32_add(&f);
	cgen_global_set(&f, g_bump);
	cgen_global_get(&f, g_at);
	cgen_global_get(&f, g_calls);
	cgen_i32_eq(&f);
	cgen_if(&f, CGEN_VOID);
	cgen_global_get(&f, g_kind);
	c32(&f, 1);
	cgen_i32_eq(&f);
	cgen_if(&f, CGEN_I32);
	cgen_local_get(&f, p);
	c32(&f, 1);
	cgen_i32_add(&f);
	cgen_else(&f);
	c32(&f, 0xffffff00u);
	cgen_end(&f);
	cgen_local_set(&f, p);
	cgen_end(&f);
	cgen_local_get(&f, p);
	tm_add(m, side ? F_REALLOC1 : F_REALLOC0, &f, ci, 4, ci, 1, NULL);
}

/* cmp(a, b, n): 0, or 1 + the offset of the first difference */
static void
gen_cmp(struct tm *m, unsigned side, uint32_t mem)
{
	struct cgen_func f;
	cgen_func_init(&f, 3);
	uint32_t i = cgen_local(&f, CGEN_I32);
	cgen_block(&f, CGEN_VOID);
	cgen_loop(&f, CGEN_VOID);
	cgen_local_get(&f, i);
	cgen_local_get(&f, 2);
	cgen_i32_ge_u(&f);
	cgen_br_if(&f, 1);
	for (uint32_t k = 0; k < 2; k++) {
		cgen_local_get(&f, k);
		cgen_local_get(&f, i);
		cgen_i32_add(&f);
		cgen_i32_load8_u(&f, mem, 0, 0);
	}
	cgen_i32_ne(&f);
	cgen_if(&f, CGEN_VOID);
	cgen_local_get(&f, i);
	c32(&f, 1);
	cgen_i32_add(&f);
	cgen_return(&f);
	cgen_end(&f);
	cgen_local_get(&f, i);
	c32(&f, 1);
	cgen_i32_add(&f);
	cgen_local_set(&f, i);
	cgen_br(&f, 0);
	cgen_end(&f);
	cgen_end(&f);
	c32(&f, 0);
	tm_add(m, side ? F_CMP1 : F_CMP0, &f, ci, 3, ci, 1, NULL);
}

static void
codes_of(const struct abi_flat *fl, uint8_t *out)
{
	for (uint32_t i = 0; i < fl->count; i++)
		out[i] = (uint8_t)fl->types[i];
}

/* The callee drops the borrows listed at A_DROPS (count, handles). */
static void
gen_callee_drops(struct cgen_func *f, struct tfn *fn, uint32_t mem1)
{
	uint32_t k = cgen_local(f, CGEN_I32);
	uint32_t list = fn->base[1] + A_DROPS;
	c32(f, 0);
	cgen_local_set(f, k);
	cgen_block(f, CGEN_VOID);
	cgen_loop(f, CGEN_VOID);
	cgen_local_get(f, k);
	c32(f, list);
	cgen_i32_load(f, mem1, 2, 0);
	cgen_i32_ge_u(f);
	cgen_br_if(f, 1);
	cgen_local_get(f, k);
	c32(f, 2);
	cgen_i32_shl(f);
	cgen_i32_load(f, mem1, 2, list + 4);
	cgen_call(f, fn->drop_s);
	cgen_local_get(f, k);
	c32(f, 1);
	cgen_i32_add(f);
	cgen_local_set(f, k);
	cgen_br(f, 0);
	cgen_end(f);
	cgen_end(f);
}

/*
 * dump(out): the tables of instances 0 and 1 into caller memory, as
 * m_dump writes them: per table (used, free head, 0, 0), per index
 * 1..used (tag, rep, 0, lends) or for a free slot (0, next free, 0, 0);
 * then the borrow stack's top and open scope.  A stub without tables.
 */
static void
gen_dump(struct tm *m, struct tfn *fn)
{
	struct cgen_func f;
	cgen_func_init(&f, 1);
	uint32_t rm = fn->rtab_mem;
	uint32_t h = cgen_local(&f, CGEN_I32), i = cgen_local(&f, CGEN_I32);
	uint32_t a = cgen_local(&f, CGEN_I32), v = cgen_local(&f, CGEN_I32);
	for (uint32_t inst = 0; fn->res && inst < 2; inst++) {
		c32(&f, RTAB_INST_BASE + 32 * inst);
		cgen_local_set(&f, h);
		static const uint32_t hw[2] = {RTAB_I_USED, RTAB_I_FREE};
		for (uint32_t w = 0; w < 4; w++) {
			cgen_local_get(&f, 0);
			if (w < 2) {
				cgen_local_get(&f, h);
				cgen_i32_load(&f, rm, 2, hw[w]);
			} else {
				c32(&f, 0);
			}
			cgen_i32_store(&f, 0, 2, 4 * w);
		}
		c32(&f, 1);
		cgen_local_set(&f, i);
		cgen_block(&f, CGEN_VOID);
		cgen_loop(&f, CGEN_VOID);
		cgen_local_get(&f, 0);
		c32(&f, 16);
		cgen_i32_add(&f);
		cgen_local_set(&f, 0);
		cgen_local_get(&f, i);
		cgen_local_get(&f, h);
		cgen_i32_load(&f, rm, 2, RTAB_I_USED);
		cgen_i32_gt_u(&f);
		cgen_br_if(&f, 1);
		cgen_local_get(&f, h);
		cgen_i32_load(&f, rm, 2, RTAB_I_ARRAY);
		cgen_local_get(&f, i);
		c32(&f, RTAB_ELEM_SIZE);
		cgen_i32_mul(&f);
		cgen_i32_add(&f);
		cgen_local_set(&f, a);
		static const uint32_t live[4] = {RTAB_E_TAG, RTAB_E_REP,
						 RTAB_E_REP + 4, RTAB_E_LENDS};
		static const uint32_t dead[4] = {UINT32_MAX, RTAB_E_SCOPE,
						 UINT32_MAX, UINT32_MAX};
		cgen_local_get(&f, a);
		cgen_i32_load(&f, rm, 2, RTAB_E_TAG);
		cgen_local_set(&f, v);
		for (uint32_t w = 0; w < 4; w++) {
			cgen_local_get(&f, 0);
			cgen_local_get(&f, v);
			cgen_if(&f, CGEN_I32);
			cgen_local_get(&f, a);
			cgen_i32_load(&f, rm, 2, live[w]);
			cgen_else(&f);
			if (dead[w] == UINT32_MAX) {
				c32(&f, 0);
			} else {
				cgen_local_get(&f, a);
				cgen_i32_load(&f, rm, 2, dead[w]);
			}
			cgen_end(&f);
			cgen_i32_store(&f, 0, 2, 4 * w);
		}
		cgen_local_get(&f, i);
		c32(&f, 1);
		cgen_i32_add(&f);
		cgen_local_set(&f, i);
		cgen_br(&f, 0);
		cgen_end(&f);
		cgen_end(&f);
	}
	for (uint32_t w = 0; fn->res && w < 2; w++) {
		cgen_local_get(&f, 0);
		c32(&f, 0);
		cgen_i32_load(&f, rm, 2,
			      w ? RTAB_HDR_SCOPE : RTAB_HDR_STACK_TOP);
		cgen_i32_store(&f, 0, 2, 4 * w);
	}
	tm_add(m, F_DUMP, &f, ci, 1, NULL, 0, NULL);
}

/* A host resource's drop: logged (a test expects none). */
static void
gen_host_drop(struct tm *m)
{
	struct cgen_func f;
	cgen_func_init(&f, 1);
	c32(&f, LOG_HOST_DROP);
	cgen_local_get(&f, 0);
	c32(&f, 0);
	c32(&f, 0);
	c32(&f, 0);
	cgen_call(&f, F_LOG);
	tm_add(m, F_HOST_DROP, &f, ci, 1, NULL, 0, NULL);
}

/* Captures its arguments, may re-enter, returns G_RET. */
static void
gen_callee(struct tm *m, struct tfn *fn, uint32_t mem1)
{
	struct cgen_func f;
	const struct abi_flat *ps = &fn->lift.params, *rs = &fn->lift.results;
	cgen_func_init(&f, ps->count);
	c32(&f, LOG_CALL);
	if (ps->count)
		push_low32(&f, ps->types[0], 0);
	else
		c32(&f, 0);
	c32(&f, 0);
	c32(&f, 0);
	c32(&f, 0);
	cgen_call(&f, F_LOG);
	for (uint32_t i = 0; i < ps->count; i++) {
		c32(&f, fn->base[1] + A_AREA + 8 * i);
		cgen_local_get(&f, i);
		store_core(&f, ps->types[i], mem1);
	}
	if (fn->res)
		gen_callee_drops(&f, fn, mem1);
	if (fn->lower.params.count == ps->count) {
		cgen_global_get(&f, G_REENTER);
		cgen_if(&f, CGEN_VOID);
		for (uint32_t i = 0; i < ps->count; i++)
			cgen_local_get(&f, i);
		cgen_call(&f, F_ADAPTER);
		for (uint32_t i = 0; i < fn->lower.results.count; i++)
			cgen_drop(&f);
		cgen_end(&f);
	}
	if (rs->count) {
		cgen_global_get(&f, G_RET);
		if (rs->types[0] == ABI_I32 || rs->types[0] == ABI_F32)
			cgen_i32_wrap_i64(&f);
		if (rs->types[0] == ABI_F32)
			cgen_f32_reinterpret_i32(&f);
		if (rs->types[0] == ABI_F64)
			cgen_f64_reinterpret_i64(&f);
	}
	uint8_t pc[24], rc[2];
	codes_of(ps, pc);
	codes_of(rs, rc);
	tm_add(m, F_CALLEE, &f, pc, ps->count, rc, rs->count, NULL);
}

/* Logs, then scribbles over the result the callee returned. */
static void
gen_post(struct tm *m, struct tfn *fn, uint32_t mem1)
{
	struct cgen_func f;
	const struct abi_flat *rs = &fn->lift.results;
	cgen_func_init(&f, rs->count);
	c32(&f, LOG_POST);
	if (rs->count)
		push_low32(&f, rs->types[0], 0);
	else
		c32(&f, 0);
	c32(&f, 0);
	c32(&f, 0);
	c32(&f, 0);
	cgen_call(&f, F_LOG);
	c32(&f, fn->base[1] + A_INPUT);
	c32(&f, 0xee);
	c32(&f, A_FLATRES - A_INPUT);
	cgen_memory_fill(&f, mem1);
	uint8_t rc[2];
	codes_of(rs, rc);
	tm_add(m, F_POST, &f, rc, rs->count, NULL, 0, NULL);
}

static void
memory_init(struct cgen_func *f, uint32_t dst, uint32_t seg, uint32_t len,
	    uint32_t mem)
{
	c32(f, dst);
	c32(f, 0);
	c32(f, len);
	cgen_op(f, CORE_OP_MEMORY_INIT);
	bin_write_u32(&f->code, seg);
	bin_write_u32(&f->code, mem);
}

/* A region to compare after a run: [addr, addr + len) of side `side`. */
struct region {
	unsigned side;
	uint32_t addr, len;
	const uint8_t *want;
};

#define MAX_REGIONS 8

static uint32_t
run_regions(struct tfn *fn, struct run *r, struct region *out)
{
	uint32_t n = 0;
	uint32_t b0 = fn->base[0], b1 = fn->base[1];
	if (r->res.n)
		out[n++] = (struct region){0, b0 + A_FLATRES, 8, NULL};
	if (fn->lower.results_in_memory)
		out[n++] = (struct region){
			0, b0 + A_AREA,
			abi_elem_size(fn->ft->result, ABI_PTR_I32), NULL};
	out[n++] = (struct region){0, b0 + A_HEAP,
				   r->heap_end[0] - (b0 + A_HEAP), NULL};
	out[n++] = (struct region){0, A_LOG, r->nlog * LOG_ENTRY, NULL};
	out[n++] = (struct region){1, b1 + A_AREA, 8 * r->cargs.n, NULL};
	out[n++] = (struct region){1, b1 + A_HEAP,
				   r->heap_end[1] - (b1 + A_HEAP), NULL};
	for (uint32_t i = 0; i < n; i++)
		out[i].want = r->mem[out[i].side] + out[i].addr;
	if (fn->res)
		out[n++] = (struct region){0, A_DUMP, r->dump_len, r->dump};
	return n;
}

/*
 * Fresh tables (the heap scribbled over: nothing may rely on zeroes),
 * the handles the inputs name, created as the model did, and the list of
 * borrows the callee is to drop.
 */
static void
setup_tables(struct cgen_func *f, struct tfn *fn, struct run *r,
	     uint32_t mem1)
{
	uint32_t rm = fn->rtab_mem;
	c32(f, 0);
	c32(f, 0xaa);
	cgen_memory_size(f, rm);
	c32(f, 16);
	cgen_i32_shl(f);
	cgen_memory_fill(f, rm);
	c32(f, 0);
	c32(f, 0);
	c32(f, RTAB_INST_BASE + 32 * 3);
	cgen_memory_fill(f, rm);
	for (uint32_t k = 0; k < r->nsetup; k++) {
		const struct msetup *su = &r->setup[k];
		cgen_i64_const(f, su->rep);
		c32(f, su->side);
		c32(f, su->tid);
		cgen_call(f, fn->lower_own);
		c32(f, su->idx);
		cgen_i32_ne(f);
		cgen_if(f, CGEN_VOID);
		c32(f, 0x7e000000u | k);
		cgen_return(f);
		cgen_end(f);
	}
	c32(f, fn->base[1] + A_DROPS);
	c32(f, r->ndrops);
	cgen_i32_store(f, mem1, 2, 0);
	for (uint32_t k = 0; k < r->ndrops; k++) {
		c32(f, fn->base[1] + A_DROPS + 4 + 4 * k);
		c32(f, r->drops[k]);
		cgen_i32_store(f, mem1, 2, 0);
	}
}

/* The export that sets up run k, calls the adapter and checks. */
static void
gen_wrapper(struct tm *m, struct tfn *fn, struct run *r, uint32_t idx,
	    const char *name)
{
	struct cgen_func f;
	uint32_t mem[2] = {0, fn->same_memory ? 0u : 1u};
	cgen_func_init(&f, 0);
	uint32_t t = cgen_local(&f, CGEN_I32);
	set_global(&f, G_FLAGS0, r->no_leave ? 2 : 3);
	set_global(&f, G_FLAGS1, 3);
	set_global(&f, G_BUMP0, fn->base[0] + A_HEAP);
	set_global(&f, G_BUMP1, fn->base[1] + A_HEAP);
	set_global(&f, G_LOG, A_LOG);
	set_global(&f, G_SEQ, 0);
	set_global(&f, G_BADAT0, r->bad_side == 0 ? r->bad_at : 0);
	set_global(&f, G_BADAT1, r->bad_side == 1 ? r->bad_at : 0);
	set_global(&f, G_BADKIND0, r->bad_kind);
	set_global(&f, G_BADKIND1, r->bad_kind);
	set_global(&f, G_CALLS0, 0);
	set_global(&f, G_CALLS1, 0);
	set_global(&f, G_REENTER, r->reenter);
	cgen_i64_const(&f, r->rflat.n ? (int64_t)r->rflat.v[0] : 0);
	cgen_global_set(&f, G_RET);
	for (unsigned i = 0; i < 2; i++) {
		c32(&f, fn->base[i]);
		c32(&f, 0);
		c32(&f, A_EXPECT);
		cgen_memory_fill(&f, mem[i]);
	}
	for (unsigned i = 0; i < 2; i++)
		if (r->in_len[i])
			memory_init(&f, fn->base[i] + A_INPUT,
				    tm_seg(m, r->in[i], r->in_len[i]),
				    r->in_len[i], mem[i]);
	if (fn->res)
		setup_tables(&f, fn, r, mem[1]);
	for (uint32_t i = 0; i < r->args.n; i++)
		push_const(&f, fn->lower.params.types[i], r->args.v[i]);
	cgen_call(&f, F_ADAPTER);
	if (fn->lower.results.count) {
		enum abi_core rt = fn->lower.results.types[0];
		uint32_t res = cgen_local(&f, (enum cgen_valtype)rt);
		cgen_local_set(&f, res);
		c32(&f, fn->base[0] + A_FLATRES);
		cgen_local_get(&f, res);
		store_core(&f, rt, 0);
	}
	if (fn->res && !r->traps) {
		c32(&f, A_DUMP);
		cgen_call(&f, F_DUMP);
	}
	struct region reg[MAX_REGIONS];
	uint32_t n = r->traps ? 0 : run_regions(fn, r, reg);
	for (uint32_t k = 0; k < n; k++) {
		if (reg[k].len == 0)
			continue;
		uint32_t side = reg[k].side, exp = fn->base[side] + A_EXPECT;
		memory_init(&f, exp, tm_seg(m, reg[k].want, reg[k].len),
			    reg[k].len, mem[side]);
		c32(&f, reg[k].addr);
		c32(&f, exp);
		c32(&f, reg[k].len);
		cgen_call(&f, side ? F_CMP1 : F_CMP0);
		cgen_local_tee(&f, t);
		cgen_if(&f, CGEN_VOID);
		c32(&f, (k + 1) << 24);
		cgen_local_get(&f, t);
		cgen_i32_or(&f);
		cgen_return(&f);
		cgen_end(&f);
	}
	c32(&f, 0);
	tm_add(m, idx, &f, NULL, 0, ci, 1, name);
}

/* ---- random values ------------------------------------------------------ */

struct rng {
	uint64_t s;
};

static uint64_t
rnd64(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

static uint32_t
rnd(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rnd64(r) % n) : 0;
}

/* A code point: ASCII, Latin-1, BMP, astral, or a mix of them. */
static uint32_t
gen_cp(struct rng *r, unsigned profile)
{
	unsigned pick = profile == 4 ? rnd(r, 4) : profile;
	if (pick && rnd(r, 2))
		pick = 0; /* ASCII in between, so fast paths end anywhere */
	switch (pick) {
	case 0: return 'a' + rnd(r, 26);
	case 1: return 0x80 + rnd(r, 0x80);
	case 2:
		return rnd(r, 2) ? 0x100 + rnd(r, 0xd800 - 0x100)
				 : 0xe000 + rnd(r, 0x2000);
	default: return 0x10000 + rnd(r, 0x100000);
	}
}

static void
gen_string(struct arena *a, struct rng *r, struct mv *v)
{
	unsigned profile = rnd(r, 5);
	v->n = rnd(r, 9);
	v->cps = arena_alloc_array(a, v->n + 1, sizeof *v->cps);
	for (uint32_t i = 0; i < v->n; i++)
		v->cps[i] = gen_cp(r, profile);
	v->force16 = rnd(r, 3) == 0;
}

static void
gen_value(struct arena *a, struct rng *r, const struct vtype *t,
	  struct mv *v, unsigned depth)
{
	memset(v, 0, sizeof *v);
	switch (abi_despecialize(t)) {
	case VTYPE_BOOL:
		v->bits = rnd(r, 4) ? rnd(r, 2) : rnd(r, 256);
		break;
	case VTYPE_U64:
	case VTYPE_S64:
		v->bits = rnd64(r);
		break;
	case VTYPE_F32:
		v->bits = rnd(r, 4) ? (uint32_t)rnd64(r)
				    : 0x7f800001u + rnd(r, 0x7fffff);
		break;
	case VTYPE_F64:
		v->bits = rnd(r, 4) ? rnd64(r) : 0xfff8000000000001ull;
		break;
	case VTYPE_CHAR:
		v->bits = gen_cp(r, rnd(r, 5));
		break;
	case VTYPE_STRING:
		gen_string(a, r, v);
		break;
	case VTYPE_LIST:
		v->n = depth > 2 ? rnd(r, 2) : rnd(r, 4);
		v->items = arena_alloc_array(a, v->n + 1, sizeof *v->items);
		for (uint32_t i = 0; i < v->n; i++)
			gen_value(a, r, abi_list_elem(t), &v->items[i],
				  depth + 1);
		break;
	case VTYPE_FIXED_LIST:
		v->n = t->length;
		v->items = arena_alloc_array(a, v->n, sizeof *v->items);
		for (uint32_t i = 0; i < v->n; i++)
			gen_value(a, r, t->elem, &v->items[i], depth + 1);
		break;
	case VTYPE_RECORD:
		v->n = abi_field_count(t);
		v->items = arena_alloc_array(a, v->n, sizeof *v->items);
		for (uint32_t i = 0; i < v->n; i++)
			gen_value(a, r, abi_field(t, i), &v->items[i],
				  depth + 1);
		break;
	case VTYPE_VARIANT: {
		v->bits = rnd(r, abi_case_count(t));
		const struct vtype *p = abi_case(t, (uint32_t)v->bits);
		if (p) {
			v->n = 1;
			v->items = arena_alloc(a, sizeof *v->items);
			gen_value(a, r, p, v->items, depth + 1);
		}
		break;
	}
	default: /* the other integers and flags, with garbage above */
		v->bits = (uint32_t)rnd64(r);
		break;
	}
}

/* ---- cases -------------------------------------------------------------- */

#define MAX_RUNS 80

struct tctx {
	struct arena *a;
	struct rng rng;
	struct tfn fn;
	struct run runs[MAX_RUNS];
	uint32_t nruns;
	const char *name;
};

/* Random inputs for a run. */
static void
fill_random(struct tctx *c, struct run *r)
{
	const struct vtype_func *ft = c->fn.ft;
	r->params = arena_alloc_array(c->a, ft->nparams + 1, sizeof *r->params);
	for (uint32_t i = 0; i < ft->nparams; i++)
		gen_value(c->a, &c->rng, ft->params[i].type, &r->params[i], 0);
	r->result = arena_alloc(c->a, sizeof *r->result);
	if (ft->result)
		gen_value(c->a, &c->rng, ft->result, r->result, 0);
}

/* A run with random inputs. */
static struct run *
new_run(struct tctx *c)
{
	if (c->nruns >= MAX_RUNS)
		return NULL;
	struct run *r = &c->runs[c->nruns++];
	memset(r, 0, sizeof *r);
	fill_random(c, r);
	return r;
}

static void
add_patch(struct run *r, enum patch_kind k, uint32_t where, uint64_t value,
	  unsigned width)
{
	if (r && r->npatch < MAX_PATCH)
		r->patch[r->npatch++] = (struct patch){k, where, value, width};
}

/* Misbehaving reallocs on each side, and a caller that may not leave. */
static void
sp_common(struct tctx *c)
{
	struct run *r = new_run(c);
	if (r)
		r->no_leave = true;
	for (uint32_t side = 0; side < 2; side++)
		for (uint32_t at = 1; at <= 3; at++)
			for (uint32_t kind = 1; kind <= 2; kind++) {
				r = new_run(c);
				if (!r)
					return;
				r->bad_side = side;
				r->bad_at = at;
				r->bad_kind = kind;
			}
}

static struct mv *
raw_string(struct arena *a, const char *bytes, uint32_t len, uint32_t units)
{
	struct mv *v = arena_alloc(a, sizeof *v);
	v->raw = (const uint8_t *)bytes;
	v->raw_len = len;
	v->raw_units = units;
	return v;
}

/* Invalid strings in encoding e, as (bytes, length, code units). */
struct bad_string {
	const char *bytes;
	uint32_t len, units;
};

static const struct bad_string bad_utf8[] = {
	{"\xc0\x80", 2, 2},         /* overlong NUL */
	{"a\xe0\x80\x80", 4, 4},    /* overlong 3-byte */
	{"\xed\xa0\x80", 3, 3},     /* a surrogate */
	{"ab\xe2\x82", 4, 4},       /* truncated */
	{"\xf4\x90\x80\x80", 4, 4}, /* above U+10FFFF */
	{"\x80", 1, 1},             /* a lone continuation byte */
	{"\xf8\x88\x80\x80\x80", 5, 5},
	{"\xe2\x28\xa1", 3, 3},     /* a bad continuation */
};

static const struct bad_string bad_utf16[] = {
	{"a\0\0\xd8", 4, 2},        /* a lone high surrogate at the end */
	{"\0\xdc" "a\0", 4, 2},     /* a lone low surrogate */
	{"\0\xd8" "a\0", 4, 2},     /* high, then not a low one */
	{"\0\xd8\0\xd8\0\xdc", 6, 3},
};

/* Runs whose single string parameter (param 0) is invalid. */
static void
sp_bad_string_param(struct tctx *c)
{
	enum adapt_gen_encoding e = c->fn.enc[0];
	bool u8 = e == ADAPT_GEN_UTF8;
	const struct bad_string *b = u8 ? bad_utf8 : bad_utf16;
	size_t n = u8 ? sizeof bad_utf8 / sizeof *b
		      : sizeof bad_utf16 / sizeof *b;
	for (size_t i = 0; i < n; i++) {
		struct run *r = new_run(c);
		if (!r)
			return;
		uint32_t units = b[i].units;
		if (e == ADAPT_GEN_LATIN1_UTF16)
			units |= TAG;
		r->params[0] = *raw_string(c->a, b[i].bytes, b[i].len, units);
	}
	/* too long, out of bounds, misaligned: patch the flat arguments */
	struct run *r = new_run(c);
	add_patch(r, PATCH_ARG, 1, MAX_BYTES + 1ull, 4);
	r = new_run(c);
	add_patch(r, PATCH_ARG, 0, PAGE * 2 - 4, 4);
	add_patch(r, PATCH_ARG, 1, 8, 4);
	r = new_run(c);
	add_patch(r, PATCH_ARG, 1, (1u << 27) | (u8 ? 0 : TAG), 4);
	if (!u8) {
		r = new_run(c);
		add_patch(r, PATCH_ARG, 0, c->fn.base[0] + A_INPUT + 1, 4);
	}
}

/* Runs whose string result is invalid in the callee's encoding. */
static void
sp_bad_string_result(struct tctx *c)
{
	enum adapt_gen_encoding e = c->fn.enc[1];
	bool u8 = e == ADAPT_GEN_UTF8;
	const struct bad_string *b = u8 ? bad_utf8 : bad_utf16;
	size_t n = u8 ? 3 : 2;
	for (size_t i = 0; i < n; i++) {
		struct run *r = new_run(c);
		if (!r)
			return;
		uint32_t units = b[i].units;
		if (e == ADAPT_GEN_LATIN1_UTF16)
			units |= TAG;
		*r->result = *raw_string(c->a, b[i].bytes, b[i].len, units);
	}
}

/* The callee calls the adapter again: may_enter is clear. */
static void
sp_reenter(struct tctx *c)
{
	struct run *r = new_run(c);
	if (r)
		r->reenter = true;
	sp_common(c);
}

/* A bad discriminant and a bad char in flat arguments 0 and 1. */
static void
sp_flat_traps(struct tctx *c)
{
	add_patch(new_run(c), PATCH_ARG, 0, 3, 4);   /* option: 2 cases */
	add_patch(new_run(c), PATCH_ARG, 0, 0xffffffffu, 4);
	add_patch(new_run(c), PATCH_ARG, 2, 0xd800, 4);
	add_patch(new_run(c), PATCH_ARG, 2, 0x110000, 4);
	add_patch(new_run(c), PATCH_ARG, 2, 0x10ffff, 4); /* fine */
	sp_common(c);
}

/* In memory: the first input byte is a discriminant (list elements). */
static void
sp_mem_disc(struct tctx *c)
{
	for (int i = 0; i < 4; i++) {
		struct run *r = new_run(c);
		if (!r)
			return;
		r->params[0].n = 1 + (uint32_t)i % 2;
		r->params[0].items = arena_alloc_array(c->a, 2,
						       sizeof(struct mv));
		gen_value(c->a, &c->rng, abi_list_elem(c->fn.ft->params[0].type),
			  &r->params[0].items[0], 1);
		r->params[0].items[1] = r->params[0].items[0];
		add_patch(r, PATCH_CALLER, 0, 7 + (uint32_t)i, 1);
	}
	sp_common(c);
}

/* Lists out of bounds, too long, misaligned (param 0 is the list). */
static void
sp_list_traps(struct tctx *c)
{
	struct run *r = new_run(c);
	add_patch(r, PATCH_ARG, 0, PAGE - 2, 4);
	add_patch(r, PATCH_ARG, 1, 3, 4);
	r = new_run(c);
	add_patch(r, PATCH_ARG, 1, 0x40000000, 4);
	r = new_run(c);
	add_patch(r, PATCH_ARG, 0, c->fn.base[0] + A_INPUT + 1, 4);
	add_patch(r, PATCH_ARG, 1, 1, 4);
	r = new_run(c);
	add_patch(r, PATCH_ARG, 1, 0, 4); /* empty: fine */
	sp_common(c);
}

/* The parameter area itself: misaligned, out of bounds. */
static void
sp_param_area(struct tctx *c)
{
	add_patch(new_run(c), PATCH_ARG, 0, c->fn.base[0] + A_INPUT + 4, 4);
	add_patch(new_run(c), PATCH_ARG, 0, c->fn.memsize - 8, 4);
	sp_common(c);
}

/* The return area: misaligned, out of bounds (the last argument). */
static void
sp_ret_area(struct tctx *c)
{
	uint32_t last = c->fn.lower.params.count - 1;
	add_patch(new_run(c), PATCH_ARG, last, c->fn.base[0] + A_AREA + 2, 4);
	add_patch(new_run(c), PATCH_ARG, last, c->fn.memsize - 4, 4);
	sp_common(c);
}

/* ---- running a case ----------------------------------------------------- */

struct tcase {
	const char *func;
	enum adapt_gen_encoding caller, callee;
	bool same_memory, no_post;
	void (*special)(struct tctx *c);
	bool canon_nans;
};

#define U8 ADAPT_GEN_UTF8
#define U16 ADAPT_GEN_UTF16
#define L1 ADAPT_GEN_LATIN1_UTF16

static bool
setup_fn(struct tctx *c, const struct tcase *tc)
{
	struct tfn *fn = &c->fn;
	fn->ft = test_abi_parse_func(c->a, tc->func, tres);
	if (!fn->ft || fn->ft->nparams > MAX_PARAMS)
		return false;
	fn->res = fn->ft->result && abi_contains_resource(fn->ft->result);
	for (uint32_t i = 0; i < fn->ft->nparams; i++) {
		fn->ptypes[i] = fn->ft->params[i].type;
		fn->res = fn->res || abi_contains_resource(fn->ptypes[i]);
	}
	struct abi_sig_opts o = {ABI_PTR_I32, false, false};
	abi_flatten_functype(fn->ft, &o, ABI_LOWER, &fn->lower);
	abi_flatten_functype(fn->ft, &o, ABI_LIFT, &fn->lift);
	fn->same_memory = tc->same_memory;
	fn->post_return = !tc->no_post;
	fn->canon_nans = tc->canon_nans;
	fn->enc[0] = tc->caller;
	fn->enc[1] = tc->callee;
	fn->base[1] = tc->same_memory ? PAGE : 0;
	fn->memsize = tc->same_memory ? 2 * PAGE : PAGE;
	return true;
}

static struct adapt_gen_site
make_site(const struct tfn *fn, const uint32_t *enter, const char *name)
{
	uint32_t mem1 = fn->same_memory ? 0 : 1;
	struct adapt_gen_site s = {
		.ft = fn->ft,
		.caller = {0, false, F_REALLOC0, fn->enc[0], G_FLAGS0},
		.callee = {mem1, false, F_REALLOC1, fn->enc[1], G_FLAGS1},
		.callee_funcidx = F_CALLEE,
		.post_return_funcidx = fn->post_return ? F_POST : ADAPT_GEN_NONE,
		.enter_globalidx = enter,
		.nenter = 1,
		.canon_nans = fn->canon_nans,
		.name = name,
		.input = "test",
		.caller_instance = 0,
		.callee_instance = 1,
	};
	return s;
}

/*
 * The tables: instance 0 the caller's, 1 the callee's, 2 a third that
 * defines s (unless the host does); r is the callee's.  The callee drops
 * its borrows of s with a resource.drop built-in.
 */
static bool
setup_rtab(struct tctx *c, struct diag *d)
{
	struct tfn *fn = &c->fn;
	fn->rtab_mem = fn->same_memory ? 1 : 2;
	fn->first_helper = F_HELPERS;
	if (!fn->res)
		return true;
	struct rtab *r = rtab_create(c->a, d, F_HELPERS, fn->rtab_mem);
	if (!r)
		return false;
	static const uint32_t flags[3] = {G_FLAGS0, G_FLAGS1, RTAB_NONE};
	enum meld_status st = MELD_OK;
	for (uint32_t i = 0; st == MELD_OK && i < 3; i++)
		st = rtab_add_instance(r, RTAB_NONE, flags[i]);
	struct rtab_type tr = {&tres[0], 1, 0x7f, RTAB_NONE, RTAB_NONE};
	struct rtab_type ts = {&tres[1], 2, 0x7f, RTAB_NONE, RTAB_NONE};
	if (fn->s_host) {
		ts.instance = RTAB_NONE;
		ts.host_drop_funcidx = F_HOST_DROP;
	}
	if (st == MELD_OK)
		st = rtab_add_type(r, &tr);
	if (st == MELD_OK)
		st = rtab_add_type(r, &ts);
	if (st == MELD_OK)
		st = rtab_builtin(r, RTAB_DROP, 1, &tres[1], &fn->drop_s);
	if (st == MELD_OK)
		st = rtab_finish(r);
	fn->rtab = r;
	fn->lower_own = rtab_fn_index(r, RTAB_FN_LOWER_OWN);
	fn->first_helper = F_HELPERS + rtab_nfuncs(r);
	return st == MELD_OK;
}

/* Lay out and predict every run; random ones are redrawn to fit. */
static void
prepare_runs(struct tctx *c)
{
	for (uint32_t i = 0; i < c->nruns; i++) {
		struct run *r = &c->runs[i];
		bool fits = layout_run(&c->fn, r, c->a);
		for (int tries = 0; !fits && tries < 20; tries++) {
			fill_random(c, r);
			fits = layout_run(&c->fn, r, c->a);
		}
		CHECK(fits);
		predict_run(&c->fn, r, c->a);
		CHECK(r->nlog < MAX_LOG);
		for (unsigned s = 0; s < 2; s++)
			CHECK(r->heap_end[s] <= c->fn.base[s] + A_LOG);
		CHECK(r->dump_len <= A_EXPECT - A_DUMP);
	}
}

/* Build the module: test functions, the adapter, helpers, wrappers. */
static void
build_module(struct tctx *c, struct tm *m, const struct adapt_gen *g,
	     const struct adapt_gen_func *adapter)
{
	struct tfn *fn = &c->fn;
	uint32_t mem1 = fn->same_memory ? 0 : 1;
	m->a = c->a;
	m->nmem = fn->same_memory ? 1 : 2;
	m->pages = fn->same_memory ? 2 : 1;
	gen_log(m);
	gen_realloc(m, 0, 0);
	gen_realloc(m, 1, mem1);
	gen_callee(m, fn, mem1);
	gen_post(m, fn, mem1);
	gen_cmp(m, 0, 0);
	gen_cmp(m, 1, mem1);
	gen_dump(m, fn);
	gen_host_drop(m);
	tm_add_gen(m, F_ADAPTER, adapter);
	uint32_t nr = fn->rtab ? rtab_nfuncs(fn->rtab) : 0;
	for (uint32_t i = 0; i < nr; i++)
		tm_add_gen(m, F_HELPERS + i, rtab_func(fn->rtab, i));
	m->rtab_pages = fn->rtab ? rtab_memory_pages(fn->rtab) : 0;
	uint32_t nh = adapt_gen_nhelpers(g), first = fn->first_helper;
	for (uint32_t i = 0; i < nh; i++) {
		const struct adapt_gen_func *h = adapt_gen_helper(g, i);
		CHECK(h->funcidx == first + i);
		tm_add_gen(m, first + i, h);
	}
	for (uint32_t k = 0; k < c->nruns; k++) {
		char name[16];
		snprintf(name, sizeof name, "run%u", k);
		gen_wrapper(m, fn, &c->runs[k], first + nh + k,
			    arena_dup(c->a, name, strlen(name) + 1));
	}
}

static void
explain_failure(struct tctx *c, uint32_t k, uint32_t code)
{
	struct run *r = &c->runs[k];
	struct region reg[MAX_REGIONS];
	uint32_t n = run_regions(&c->fn, r, reg);
	uint32_t which = (code >> 24) - 1, off = (code & 0xffffff) - 1;
	static const char *const names[2] = {"caller", "callee"};
	if (which >= n) {
		printf("    returned %u\n", code);
		return;
	}
	printf("    %s memory differs at 0x%x (region 0x%x+%u); expected:",
	       names[reg[which].side], reg[which].addr + off, reg[which].addr,
	       reg[which].len);
	uint32_t from = off > 8 ? off - 8 : 0;
	for (uint32_t i = from; i < off + 16 && i < reg[which].len; i++)
		printf("%s%02x", i == off ? " [" : " ", reg[which].want[i]);
	printf("\n");
}

/* Check wasm-interp's output line by line against the predictions. */
static void
check_output(struct tctx *c, const char *out)
{
	uint32_t seen = 0;
	for (const char *line = out; line && *line;) {
		unsigned k;
		char what[128] = {0};
		if (sscanf(line, "run%u() => %127[^\n]", &k, what) == 2 &&
		    k < c->nruns) {
			struct run *r = &c->runs[k];
			bool trapped = strncmp(what, "error", 5) == 0;
			bool ok = r->traps ? trapped
					   : strcmp(what, "i32:0") == 0;
			if (!ok) {
				printf("  %s run%u: %s, expected %s (bad %u/%u/%u"
				       "%s%s)\n",
				       c->name, k, what,
				       r->traps ? "a trap" : "i32:0",
				       r->bad_side, r->bad_at, r->bad_kind,
				       r->reenter ? " reenter" : "",
				       r->no_leave ? " no-leave" : "");
				unsigned long long code = 0;
				if (!r->traps &&
				    sscanf(what, "i32:%llu", &code) == 1)
					explain_failure(c, k, (uint32_t)code);
			}
			CHECK(ok);
			if (trapped)
				CHECK(strstr(what, "unreachable") != NULL);
			seen++;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	CHECK(seen == c->nruns);
}

static void
execute(struct tctx *c, struct tm *m)
{
	struct bin_writer w;
	tm_write(m, &w);
	char *out = wasm_harness_execute(&w, "adapt", c->name);
	bin_writer_clear(&w);
	if (out)
		check_output(c, out);
	free(out);
}

static void
run_case(const struct tcase *tc, uint64_t seed, bool s_host)
{
	struct arena a;
	arena_init(&a);
	struct tctx *c = calloc(1, sizeof *c);
	struct tm *m = calloc(1, sizeof *m);
	struct diag d;
	diag_init(&d);
	c->a = &a;
	c->rng.s = seed * 0x9e3779b97f4a7c15ull + 1;
	c->name = tc->func;
	if (c)
		c->fn.s_host = s_host;
	bool ok = c && m && setup_fn(c, tc) && setup_rtab(c, &d);
	CHECK(ok);
	if (!ok)
		goto out;
	uint32_t enter[1] = {G_FLAGS1};
	struct adapt_gen_site site = make_site(&c->fn, enter, tc->func);
	struct adapt_gen *g = adapt_gen_create(&a, &d, c->fn.first_helper);
	if (c->fn.rtab)
		adapt_gen_set_rtab(g, c->fn.rtab);
	struct adapt_gen_func adapter;
	enum meld_status st = adapt_gen_add(g, &site, &adapter);
	if (st != MELD_OK)
		printf("  %s: %s\n", tc->func, diag_text(&d));
	CHECK(st == MELD_OK);
	if (st != MELD_OK)
		goto out;
	CHECK(adapter.type.nparams == c->fn.lower.params.count);
	CHECK(adapter.type.nresults == c->fn.lower.results.count);
	for (uint32_t i = 0; i < 8; i++)
		new_run(c);
	if (tc->special)
		tc->special(c);
	prepare_runs(c);
	if (wasm_harness_have_wabt("adapt_gen")) {
		build_module(c, m, g, &adapter);
		execute(c, m);
	}
out:
	free(m);
	free(c);
	arena_clear(&a);
}

static void
sp_strings(struct tctx *c)
{
	sp_bad_string_param(c);
	sp_bad_string_result(c);
	sp_common(c);
}

static const struct tcase cases[] = {
	/* every pair of string encodings, both directions */
	{"func(s: string) -> string", U8, U8, false, false, sp_strings, false},
	{"func(s: string) -> string", U8, U16, false, false, sp_strings, false},
	{"func(s: string) -> string", U8, L1, false, false, sp_strings, false},
	{"func(s: string) -> string", U16, U8, false, false, sp_strings, false},
	{"func(s: string) -> string", U16, U16, false, false, sp_strings, false},
	{"func(s: string) -> string", U16, L1, false, false, sp_strings, false},
	{"func(s: string) -> string", L1, U8, false, false, sp_strings, false},
	{"func(s: string) -> string", L1, U16, false, false, sp_strings, false},
	{"func(s: string) -> string", L1, L1, false, false, sp_strings, false},
	/* one memory shared by both sides */
	{"func(s: string) -> string", U8, U16, true, false, sp_strings, false},
	{"func(s: string) -> string", L1, U8, true, false, sp_strings, false},
	{"func(a: list<list<u32>>) -> list<string>", U16, U8, true, false,
	 sp_list_traps, false},
	/* lists */
	{"func(a: list<u8>) -> list<u8>", U8, U8, false, false, sp_list_traps, false},
	{"func(a: list<u32>, b: list<u16>) -> list<u64>", U8, U8, false,
	 false, sp_list_traps, false},
	{"func(a: list<string>) -> list<string>", U8, U16, false, false,
	 sp_list_traps, false},
	{"func(a: list<list<u32>>) -> list<list<string>>", L1, U8, false,
	 false, sp_list_traps, false},
	{"func(l: list<char>, b: list<bool>) -> list<bool>", U8, U8, false,
	 false, sp_list_traps, false},
	{"func(l: list<record { a: u8, b: u32, c: u16 }>) -> "
	 "list<tuple<u16, u8>>",
	 U8, U8, false, false, sp_list_traps, false},
	{"func(l: list<record { a: u32, b: f32 }>) -> list<tuple<u64, s64>>",
	 U8, U8, false, false, sp_list_traps, false},
	{"func(l: list<option<string>>) -> list<result<u8, string>>", U16, L1,
	 false, false, sp_mem_disc, false},
	{"func(m: map<string, u32>) -> map<u8, string>", U8, L1, false, false,
	 sp_common, false},
	/* records, variants, tuples, flags, enums */
	{"func(r: record { a: string, b: u32, c: list<u8>, d: bool }) -> "
	 "record { x: u8, y: string }",
	 U8, U16, false, false, sp_common, false},
	{"func(v: variant { a(string), b(list<u16>), c, d(u64), e(f32) }) -> "
	 "result<string, list<u32>>",
	 L1, U16, false, false, sp_common, false},
	{"func(o: option<u32>, c: char, v: variant { a(f32), b(u64), "
	 "c(string) }) -> option<string>",
	 U8, L1, false, false, sp_flat_traps, false},
	{"func(t: tuple<u8, string, f64>, b: bool, x: s8, y: s16, z: u8, "
	 "w: u16) -> tuple<s8, u16, f32, f64, bool, char>",
	 U16, U8, false, false, sp_ret_area, false},
	{"func(a: flags<5>, b: flags<12>, c: flags<32>, d: flags<8>, "
	 "l: list<flags<3>>) -> flags<17>",
	 U8, U8, false, false, sp_common, false},
	{"func(e: enum { a, b, c }, l: list<enum<300>>) -> enum<300>", U8, U8,
	 false, false, sp_common, false},
	{"func(v: variant { a(u64), b(variant { x(f32), y(string) }), "
	 "c(tuple<f32, u32>) }) -> variant { p(f64), q(tuple<f32, string>) }",
	 U16, U16, false, false, sp_common, false},
	/* parameters in memory (17+ flat values), results through a pointer */
	{"func(a0: u32, a1: u32, a2: u32, a3: u32, a4: u32, a5: u32, a6: u32, "
	 "a7: u32, a8: u32, a9: u32, a10: u32, a11: u32, a12: u32, a13: u32, "
	 "a14: u32, a15: u32, a16: u8) -> u32",
	 U8, U8, false, false, sp_param_area, false},
	{"func(a: string, b: string, c: string, d: string, e: string, "
	 "f: string, g: string, h: string, i: string) -> string",
	 U8, U16, false, false, sp_param_area, false},
	{"func(a: string, b: string, c: string, d: string, e: string, "
	 "f: string, g: string, h: string) -> tuple<string, string>",
	 L1, U8, false, false, sp_common, false},
	{"func() -> tuple<u32, u64, string>", U8, U8, false, false,
	 sp_ret_area, false},
	{"func(s: string)", U16, U8, false, false, sp_common, false},
	{"func() -> string", U8, L1, false, true, sp_common, false},
	/* fixed-length lists */
	{"func(a: list<u16, 3>, b: list<string, 2>, c: list<list<u8, 5>>) -> "
	 "list<bool, 6>",
	 U8, U16, false, false, sp_common, false},
	{"func(a: list<list<string, 5>>, b: list<u32, 7>) -> list<char, 7>",
	 U16, U8, false, false, sp_common, false},
	/* scalars: the general path, and reentrance */
	{"func(x: u32) -> u32", U8, U8, false, false, sp_reenter, false},
	{"func(a: u8, b: s16, c: f64, d: char, e: bool, f: s8) -> s8", U8, U8,
	 false, true, sp_reenter, false},
	/* the deterministic profile: NaNs become the canonical NaN */
	{"func(a: f32, b: list<f64>, v: variant { a(f32), b(f64), c(u64) }, "
	 "r: record { x: f32, y: u8 }) -> list<tuple<f32, f64>>",
	 U8, U8, false, false, sp_common, true},
	{"func(a: f64) -> f32", U8, U8, false, false, NULL, true},
};

/* ---- resources ----------------------------------------------------------- */

/*
 * Handle numbers are predictable: fresh tables hand out 1, 2, ... in the
 * order the inputs name handles (the arguments in the caller's table,
 * then the result in the callee's).
 */

static struct run *
keep_run(struct tctx *c)
{
	struct run *r = new_run(c);
	if (r)
		r->keep_borrow = true;
	return r;
}

/* func(a: own<r>, b: own<s>) -> own<r> */
static void
sp_res_flat(struct tctx *c)
{
	add_patch(new_run(c), PATCH_ARG, 0, 0, 4);     /* handle 0 */
	add_patch(new_run(c), PATCH_ARG, 0, 7, 4);     /* out of range */
	add_patch(new_run(c), PATCH_ARG, 0, 2, 4);     /* b's: an s */
	add_patch(new_run(c), PATCH_ARG, 1, 1, 4);     /* a's, moved */
	add_patch(new_run(c), PATCH_RESULT, 0, 0, 4);  /* the callee's */
	add_patch(new_run(c), PATCH_RESULT, 0, 9, 4);
	keep_run(c);                                   /* no borrows */
	sp_common(c);
}

/* func(a: borrow<r>, b: borrow<s>, ...): a's handle for b, and back */
static void
sp_res_borrow(struct tctx *c)
{
	add_patch(new_run(c), PATCH_ARG, 1, 1, 4);
	add_patch(new_run(c), PATCH_ARG, 0, 2, 4);
	add_patch(new_run(c), PATCH_ARG, 1, 0, 4);
	keep_run(c);
	keep_run(c);
	sp_common(c);
}

/* func(a, b) where b names a's handle (1): lent, moved, or lent twice */
static void
sp_res_same(struct tctx *c)
{
	add_patch(new_run(c), PATCH_ARG, 1, 1, 4);
	add_patch(new_run(c), PATCH_ARG, 1, 1, 4);
	keep_run(c);
	sp_common(c);
}

/* lists whose first element (first in the caller's input) is a handle */
static void
sp_res_list(struct tctx *c)
{
	for (uint32_t v = 0; v < 3; v++) {
		struct run *r = new_run(c);
		add_patch(r, PATCH_CALLER, 0, v == 2 ? 1000 : v, 4);
	}
	keep_run(c);
	keep_run(c);
	sp_common(c);
}

static void
sp_res_keep(struct tctx *c)
{
	keep_run(c);
	keep_run(c);
	keep_run(c);
	sp_common(c);
}

static const struct tcase res_cases[] = {
	/* own moves both ways; borrows: the rep into r's definer (the
	   callee), a scoped borrow handle of s elsewhere */
	{"func(a: own<r>, b: own<s>) -> own<r>", U8, U8, false, false,
	 sp_res_flat, false},
	{"func(a: borrow<r>, b: borrow<s>, c: option<borrow<s>>, "
	 "d: option<borrow<r>>) -> u32",
	 U8, U8, false, false, sp_res_borrow, false},
	{"func(a: borrow<s>, b: borrow<s>)", U8, U8, false, false, sp_res_same,
	 false},
	{"func(a: borrow<r>, b: own<r>)", U8, U8, false, true, sp_res_same,
	 false},
	{"func(a: own<s>, b: borrow<s>)", U8, U8, false, false, sp_res_same,
	 false},
	/* nested in lists, records, variants, options, results */
	{"func(l: list<own<r>>, m: list<borrow<s>>) -> list<own<s>>", U8, U8,
	 false, false, sp_res_list, false},
	{"func(x: record { a: own<r>, s: string }) -> "
	 "result<own<r>, string>",
	 U8, U16, false, false, sp_res_keep, false},
	{"func(v: variant { a(own<r>), b(u64), c(borrow<s>), d(f32) }, "
	 "w: option<own<s>>) -> option<own<r>>",
	 U8, U8, false, false, sp_res_keep, false},
	{"func(l: list<record { x: own<r>, y: list<borrow<s>>, "
	 "z: option<borrow<r>> }>) -> list<option<own<s>>>",
	 L1, U8, true, false, sp_res_list, false},
	{"func(m: map<string, own<s>>, f: list<borrow<s>, 3>) -> "
	 "result<_, own<r>>",
	 U8, U8, false, false, sp_res_keep, false},
	/* the parameter area and the return area */
	{"func(a: own<r>, b: borrow<s>, c: list<own<s>>, d: tuple<u64, u64, "
	 "u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64>) -> "
	 "tuple<own<r>, string>",
	 U8, U8, false, false, sp_res_keep, false},
};

/* The same, with s a host resource: its handles pass through. */
static const struct tcase host_cases[] = {
	{"func(a: own<r>, b: own<s>) -> own<s>", U8, U8, false, false,
	 sp_res_flat, false},
	{"func(a: borrow<s>, b: borrow<s>, c: option<borrow<r>>)", U8, U8,
	 false, false, sp_res_keep, false},
	{"func(l: list<borrow<s>>, o: option<own<s>>) -> list<own<s>>", U8,
	 U8, false, false, sp_res_keep, false},
};

/* ---- checks without running --------------------------------------------- */

static enum meld_status
gen_one(struct arena *a, struct diag *d, const char *func,
	struct adapt_gen_site *s, struct adapt_gen_func *out,
	struct adapt_gen **gp)
{
	static const struct vtype_resource res[2] = {
		{1, {(const uint8_t *)"r", 1}, 0, 0x7f, false, 0, NULL},
		{2, {(const uint8_t *)"s", 1}, 0, 0x7f, false, 0, NULL},
	};
	s->ft = test_abi_parse_func(a, func, res);
	if (!s->ft)
		return MELD_EUSAGE;
	struct adapt_gen *g = *gp ? *gp : adapt_gen_create(a, d, 100);
	*gp = g;
	return g ? adapt_gen_add(g, s, out) : MELD_ENOMEM;
}

static struct adapt_gen_site
plain_site(void)
{
	struct adapt_gen_site s = {
		.caller = {0, false, 10, ADAPT_GEN_UTF8, ADAPT_GEN_NONE},
		.callee = {1, false, 11, ADAPT_GEN_UTF16, ADAPT_GEN_NONE},
		.callee_funcidx = 12,
		.post_return_funcidx = ADAPT_GEN_NONE,
		.name = "f",
		.input = "x.wasm",
		.offset = 0x42,
	};
	return s;
}

/* Refused: resources, async, memory64, missing options. */
static void
test_refusals(void)
{
	static const struct {
		const char *func;
		enum meld_status st;
		const char *msg;
	} refuse[] = {
		{"func(a: own<r>)", MELD_EUNSUPPORTED, "own<r>"},
		{"func(a: list<borrow<s>>)", MELD_EUNSUPPORTED, "borrow<s>"},
		{"func() -> option<stream<u8>>", MELD_EUNSUPPORTED, "stream"},
		{"func(e: error-context)", MELD_EUNSUPPORTED, "error-context"},
		{"async func(s: string)", MELD_EUNSUPPORTED, "async"},
		{"func(a: flags<33>)", MELD_EINVALID, "flags"},
		{"func() -> list<record { }>", MELD_EINVALID, "invalid"},
	};
	for (size_t i = 0; i < sizeof refuse / sizeof *refuse; i++) {
		struct arena a;
		struct diag d;
		arena_init(&a);
		diag_init(&d);
		struct adapt_gen_site s = plain_site();
		struct adapt_gen_func f;
		struct adapt_gen *g = NULL;
		enum meld_status st = gen_one(&a, &d, refuse[i].func, &s, &f, &g);
		CHECK(st == refuse[i].st);
		CHECK(strstr(diag_text(&d), refuse[i].msg) != NULL);
		CHECK(strstr(diag_text(&d), "x.wasm:0x42") != NULL);
		if (st != refuse[i].st || !strstr(diag_text(&d), refuse[i].msg))
			printf("  %s: %s\n", refuse[i].func, diag_text(&d));
		arena_clear(&a);
	}
	/* options the canonical ABI requires */
	for (int i = 0; i < 5; i++) {
		struct arena a;
		struct diag d;
		arena_init(&a);
		diag_init(&d);
		struct adapt_gen_site s = plain_site();
		const char *func = "func(s: string) -> string";
		switch (i) {
		case 0: s.caller.memidx = ADAPT_GEN_NONE; break;
		case 1: s.callee.memidx = ADAPT_GEN_NONE; break;
		case 2: s.callee.realloc_funcidx = ADAPT_GEN_NONE; break;
		case 3: s.caller.realloc_funcidx = ADAPT_GEN_NONE; break;
		default:
			s.callee.memory64 = true;
			break;
		}
		struct adapt_gen_func f;
		struct adapt_gen *g = NULL;
		enum meld_status st = gen_one(&a, &d, func, &s, &f, &g);
		CHECK(st == (i == 4 ? MELD_EUNSUPPORTED : MELD_EINVALID));
		arena_clear(&a);
	}
	/* scalar functions need no memory at all */
	struct arena a;
	struct diag d;
	arena_init(&a);
	diag_init(&d);
	struct adapt_gen_site s = plain_site();
	s.caller.memidx = s.callee.memidx = ADAPT_GEN_NONE;
	s.caller.realloc_funcidx = s.callee.realloc_funcidx = ADAPT_GEN_NONE;
	struct adapt_gen_func f;
	struct adapt_gen *g = NULL;
	CHECK(gen_one(&a, &d, "func(a: u8, c: char) -> f64", &s, &f, &g) ==
	      MELD_OK);
	CHECK(adapt_gen_nhelpers(g) == 0);
	arena_clear(&a);
}

/* With tables: what adapters of handles still refuse. */
static void
test_res_refusals(void)
{
	static const struct vtype_resource wide = {3, {(const uint8_t *)"w", 1},
						   1, 0x7e, false, 0, NULL};
	static const struct {
		const char *func;
		bool wide;
		uint32_t caller_inst;
		enum meld_status st;
		const char *msg;
	} refuse[] = {
		{"func(a: own<r>) -> borrow<r>", false, 0, MELD_EINVALID,
		 "borrow<r> in a function result"},
		{"func() -> list<option<borrow<s>>>", false, 0, MELD_EINVALID,
		 "in a function result"},
		{"func(a: own<s>)", false, 0, MELD_EINVALID, "no handle table"},
		{"func(a: borrow<r>)", true, 0, MELD_EUNSUPPORTED, "i64"},
		{"func(a: own<r>)", true, 0, MELD_OK, ""},
		{"func(a: own<r>)", false, 5, MELD_EUSAGE, "instance"},
		{"func(a: u32)", false, 5, MELD_OK, ""},
	};
	for (size_t i = 0; i < sizeof refuse / sizeof *refuse; i++) {
		struct arena a;
		struct diag d;
		arena_init(&a);
		diag_init(&d);
		struct vtype_resource res[2] = {tres[0], tres[1]};
		if (refuse[i].wide)
			res[0] = wide;
		struct rtab *r = rtab_create(&a, &d, 50, 2);
		CHECK(rtab_add_instance(r, RTAB_NONE, RTAB_NONE) == MELD_OK);
		CHECK(rtab_add_instance(r, RTAB_NONE, RTAB_NONE) == MELD_OK);
		struct rtab_type t = {&res[0], 1, res[0].rep, RTAB_NONE,
				      RTAB_NONE};
		CHECK(rtab_add_type(r, &t) == MELD_OK);
		struct adapt_gen_site s = plain_site();
		s.caller_instance = refuse[i].caller_inst;
		s.callee_instance = 1;
		s.ft = test_abi_parse_func(&a, refuse[i].func, res);
		struct adapt_gen *g = adapt_gen_create(&a, &d, 100);
		adapt_gen_set_rtab(g, r);
		struct adapt_gen_func f;
		enum meld_status st = s.ft ? adapt_gen_add(g, &s, &f)
					   : MELD_EUSAGE;
		CHECK(st == refuse[i].st);
		CHECK(st == MELD_OK || strstr(diag_text(&d), refuse[i].msg));
		if (st != refuse[i].st ||
		    (st != MELD_OK && !strstr(diag_text(&d), refuse[i].msg)))
			printf("  %s: %s\n", refuse[i].func, diag_text(&d));
		arena_clear(&a);
	}
}

/* Helpers are shared; sizes stay small. */
static void
test_sharing(void)
{
	struct arena a;
	struct diag d;
	arena_init(&a);
	diag_init(&d);
	struct adapt_gen *g = NULL;
	struct adapt_gen_site s = plain_site();
	struct adapt_gen_func f1, f2, f3;
	CHECK(gen_one(&a, &d, "func(s: string) -> string", &s, &f1, &g) ==
	      MELD_OK);
	uint32_t n1 = adapt_gen_nhelpers(g);
	/* string both ways, realloc both sides, validators, codecs */
	CHECK(n1 >= 4);
	CHECK(f1.code_size < 160);
	CHECK(gen_one(&a, &d, "func(a: string, b: string) -> string", &s, &f2,
		      &g) == MELD_OK);
	CHECK(adapt_gen_nhelpers(g) == n1);
	CHECK(gen_one(&a, &d, "func(a: list<string>) -> list<string>", &s,
		      &f3, &g) == MELD_OK);
	CHECK(adapt_gen_nhelpers(g) == n1 + 2); /* the two list helpers */
	for (uint32_t i = 0; i < adapt_gen_nhelpers(g); i++) {
		const struct adapt_gen_func *h = adapt_gen_helper(g, i);
		CHECK(h->funcidx == 100 + i && h->code_size > 0 && h->name);
	}
	CHECK(adapt_gen_helper(g, adapt_gen_nhelpers(g)) == NULL);
	CHECK(adapt_gen_helper_code_size(g) > 0);
	arena_clear(&a);
}

/* Every allocation failure is reported, none crashes. */
static void
test_oom(void)
{
	bool done = false;
	for (size_t n = 1; n < 2000 && !done; n++) {
		struct arena a;
		struct diag d;
		arena_init(&a);
		diag_init(&d);
		struct adapt_gen_site s = plain_site();
		s.ft = test_abi_parse_func(
			&a, "func(a: list<record { s: string, v: u8 }>) -> string",
			NULL);
		struct adapt_gen_func f;
		mem_fail_after(n);
		struct adapt_gen *g = adapt_gen_create(&a, &d, 0);
		enum meld_status st = g ? adapt_gen_add(g, &s, &f) : MELD_ENOMEM;
		mem_fail_after(0);
		CHECK(st == MELD_OK || st == MELD_ENOMEM);
		done = st == MELD_OK;
		arena_clear(&a);
	}
	CHECK(done);
}

void
test_adapt_gen(void)
{
	test_refusals();
	test_res_refusals();
	test_sharing();
	test_oom();
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		run_case(&cases[i], i + 1, false);
	for (size_t i = 0; i < sizeof res_cases / sizeof *res_cases; i++)
		run_case(&res_cases[i], 100 + i, false);
	for (size_t i = 0; i < sizeof host_cases / sizeof *host_cases; i++)
		run_case(&host_cases[i], 200 + i, true);
}
