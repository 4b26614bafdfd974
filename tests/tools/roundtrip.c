/*
 * roundtrip: checks the core module reader and writer on real modules.
 *
 *	roundtrip [--no-validate] [--mutate | --extract DIR] FILE...
 *
 * FILE is a core module or a component; every core module inside a
 * component (nested components included) is checked.  For each module:
 *
 *  1. read, then write with no remap: the bytes must be identical;
 *  2. the shuffle: write a module with a dummy entry at the front of every
 *     index space (a dummy type, a dummy imported function, table, memory,
 *     global and tag, a dummy passive element and data segment) and the
 *     defined functions in reverse order, everything remapped;
 *     `wasm-validate --enable-all` must accept it (unless --no-validate,
 *     or wabt refuses the original module too, which is then said);
 *  3. read the shuffled module back and write it with the inverse maps,
 *     dropping the dummies: the bytes must be the original ones.
 *
 * One line per module, then "N passed, N failed".  Environment:
 * WASM_VALIDATE names the validator (default wasm-validate);
 * ROUNDTRIP_KEEP=FILE keeps the last shuffled module there.
 *
 * --mutate: instead, feed each module's truncations (every length up to
 * 4 KiB; 512 seeded random lengths up to 1 MiB, 32 beyond) and seeded bit
 * flips (2,000; 200 over 64 KiB; 8 over 1 MiB) to the reader
 * and, when it accepts one, to both writes.  Nothing may crash; every
 * refusal must carry an offset ("file:0x..."); an accepted variant must
 * write back identically with no remap (its shuffle may be refused, with
 * an offset, e.g. for an index out of range).
 *
 * --extract DIR: only write every core module found to DIR/NNNN.wasm
 * (seeds for tests/fuzz/fuzz_core.c).
 *
 * The shuffle is shared with tests/fuzz/fuzz_core.c and
 * tests/tools/bench_core.c, which include this file with
 * ROUNDTRIP_NO_MAIN defined.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tool_util.h"

#include "arena.h"
#include "bin_read.h"
#include "bin_write.h"
#include "core_module.h"
#include "diag.h"

/* ---- the shuffle ---- */

#define DUMMY_IMPORTS 5

struct shuffle {
	struct core_remap fwd; /* original -> shuffled */
	struct core_remap inv; /* shuffled -> original, dummies dropped */
};

/* Original index x of space s in the shuffled module. */
static uint32_t
shuffled_index(const struct core_module *m, enum core_space s, uint32_t x)
{
	uint32_t nimp = m->space_imported[s];
	uint32_t ndef = m->space_len[s] - nimp;
	if (s == CORE_SPACE_FUNC && x >= nimp)
		return nimp + 1 + (ndef - 1 - (x - nimp));
	return x + 1;
}

static bool
shuffle_init(struct shuffle *sh, struct arena *a, const struct core_module *m)
{
	for (int s = 0; s < CORE_SPACE_COUNT; s++) {
		uint32_t n = m->space_len[s];
		uint32_t *fwd = arena_alloc_array(a, (size_t)n + 1, sizeof *fwd);
		uint32_t *inv = arena_alloc_array(a, (size_t)n + 1, sizeof *inv);
		if (!fwd || !inv)
			return false;
		inv[0] = CORE_NO_INDEX;
		for (uint32_t x = 0; x < n; x++) {
			fwd[x] = shuffled_index(m, (enum core_space)s, x);
			inv[fwd[x]] = x;
		}
		sh->fwd.map[s] = fwd;
		sh->fwd.len[s] = n;
		sh->inv.map[s] = inv;
		sh->inv.len[s] = n + 1;
	}
	return true;
}

/* Required order of the non-custom sections (core spec 5.5.2). */
static int
section_rank(uint8_t id)
{
	static const int rank[CORE_SEC_COUNT] = {
		[CORE_SEC_TYPE] = 1,    [CORE_SEC_IMPORT] = 2,
		[CORE_SEC_FUNC] = 3,    [CORE_SEC_TABLE] = 4,
		[CORE_SEC_MEMORY] = 5,  [CORE_SEC_TAG] = 6,
		[CORE_SEC_GLOBAL] = 7,  [CORE_SEC_EXPORT] = 8,
		[CORE_SEC_START] = 9,   [CORE_SEC_ELEM] = 10,
		[CORE_SEC_DATACOUNT] = 11, [CORE_SEC_CODE] = 12,
		[CORE_SEC_DATA] = 13,
	};
	return rank[id];
}

static void
write_dummy_imports(struct bin_writer *w)
{
	static const uint8_t dummies[] = {
		1, 'd', 1, 'f', CORE_EXTERN_FUNC, 0x00,
		1, 'd', 1, 't', CORE_EXTERN_TABLE, CORE_HEAP_FUNC, 0x00, 0x00,
		1, 'd', 1, 'm', CORE_EXTERN_MEMORY, 0x00, 0x00,
		1, 'd', 1, 'g', CORE_EXTERN_GLOBAL, CORE_VALTYPE_I32, 0x00,
		1, 'd', 1, 'e', CORE_EXTERN_TAG, 0x00, 0x00,
	};
	bin_write_bytes(w, dummies, sizeof dummies);
}

/* The shuffled section `id` (sec: m's, or NULL when m has none). */
static enum meld_status
write_shuffled_section(const struct core_module *m, const struct shuffle *sh,
		       uint8_t id, const struct core_section *sec,
		       struct bin_writer *w)
{
	static const uint8_t dummy_type[] = {CORE_COMP_FUNC, 0, 0};
	static const uint8_t dummy_elem[] = {1, 0, 0}, dummy_data[] = {1, 0};
	const struct core_remap *f = &sh->fwd;
	uint32_t count = sec ? sec->count : 0, width = sec ? sec->count_width : 1;
	uint32_t nimp = m->space_imported[CORE_SPACE_FUNC];
	uint32_t ndef = m->space_len[CORE_SPACE_FUNC] - nimp;
	enum meld_status st = MELD_OK;
	size_t mark = core_write_section_begin(w, id);
	switch (id) {
	case CORE_SEC_TYPE:
		core_write_count(w, count + 1, count, width);
		bin_write_bytes(w, dummy_type, sizeof dummy_type);
		for (uint32_t i = 0; st == MELD_OK && i < m->ngroups; i++)
			st = core_write_rec_group(m, f, i, w);
		break;
	case CORE_SEC_IMPORT:
		core_write_count(w, count + DUMMY_IMPORTS, count, width);
		write_dummy_imports(w);
		for (uint32_t i = 0; st == MELD_OK && i < m->nimports; i++)
			st = core_write_import(m, f, i, w);
		break;
	case CORE_SEC_FUNC:
	case CORE_SEC_CODE:
		core_write_count(w, count, count, width);
		for (uint32_t i = 0; st == MELD_OK && i < ndef; i++) {
			uint32_t funcidx = nimp + ndef - 1 - i;
			st = id == CORE_SEC_FUNC
				     ? core_write_func_decl(m, f, funcidx, w)
				     : core_write_body(m, f, funcidx, w);
		}
		break;
	case CORE_SEC_ELEM:
		core_write_count(w, count + 1, count, width);
		bin_write_bytes(w, dummy_elem, sizeof dummy_elem);
		for (uint32_t i = 0; st == MELD_OK && i < count; i++)
			st = core_write_elem(m, f, i, CORE_FORM_KEEP, w);
		break;
	case CORE_SEC_DATA:
		core_write_count(w, count + 1, count, width);
		bin_write_bytes(w, dummy_data, sizeof dummy_data);
		for (uint32_t i = 0; st == MELD_OK && i < count; i++)
			st = core_write_data(m, f, i, CORE_FORM_KEEP, w);
		break;
	default: /* data count */
		core_write_count(w, m->datacount + 1, m->datacount,
				 (unsigned)(sec->end - sec->content));
		break;
	}
	unsigned size_width = 0;
	if (sec)
		size_width = core_pad_width((uint32_t)(sec->end - sec->content),
					    sec->size_width);
	core_write_section_end(w, mark, size_width);
	return st;
}

static bool
shuffle_builds(uint8_t id)
{
	return id == CORE_SEC_TYPE || id == CORE_SEC_IMPORT ||
	       id == CORE_SEC_FUNC || id == CORE_SEC_CODE ||
	       id == CORE_SEC_ELEM || id == CORE_SEC_DATA ||
	       id == CORE_SEC_DATACOUNT;
}

static const uint8_t needed_sections[] = {CORE_SEC_TYPE, CORE_SEC_IMPORT,
					  CORE_SEC_ELEM, CORE_SEC_DATA};

/*
 * Where a section m lacks goes: right after the last section that must
 * precede it (before the custom sections that follow that one: wabt
 * wants the name section last), else right before the first that must
 * follow it.  The result is a slot: "before sections[slot]".
 */
static uint32_t
missing_slot(const struct core_module *m, uint8_t id)
{
	int rank = section_rank(id);
	int64_t last_before = -1, first_after = -1;
	for (uint32_t i = 0; i < m->nsections; i++) {
		uint8_t other = m->sections[i].id;
		if (other == CORE_SEC_CUSTOM)
			continue;
		if (section_rank(other) < rank)
			last_before = i;
		else if (first_after < 0)
			first_after = i;
	}
	if (last_before >= 0)
		return (uint32_t)last_before + 1;
	return first_after >= 0 ? (uint32_t)first_after : m->nsections;
}

/* The sections the dummies need that m lacks, in their slot. */
static enum meld_status
add_missing(const struct core_module *m, const struct shuffle *sh,
	    uint32_t slot, struct bin_writer *w)
{
	enum meld_status st = MELD_OK;
	for (size_t i = 0; st == MELD_OK && i < sizeof needed_sections; i++) {
		uint8_t id = needed_sections[i];
		if (m->section_of[id] < 0 && missing_slot(m, id) == slot)
			st = write_shuffled_section(m, sh, id, NULL, w);
	}
	return st;
}

static enum meld_status
write_shuffled(const struct core_module *m, const struct shuffle *sh,
	       struct bin_writer *w)
{
	enum meld_status st = MELD_OK;
	core_write_reserve(w, m->len + m->len / 8 + 64);
	core_write_header(w);
	for (uint32_t i = 0; st == MELD_OK && i < m->nsections; i++) {
		const struct core_section *s = &m->sections[i];
		st = add_missing(m, sh, i, w);
		if (st != MELD_OK)
			break;
		if (shuffle_builds(s->id))
			st = write_shuffled_section(m, sh, s->id, s, w);
		else
			st = core_write_section(m, &sh->fwd, i, w);
	}
	if (st == MELD_OK)
		st = add_missing(m, sh, m->nsections, w);
	return st;
}

/* The form an original segment used, to get it back exactly. */
static enum core_seg_form
form_of(uint32_t flags, bool is_elem)
{
	if (is_elem && (flags & 1))
		return CORE_FORM_KEEP;
	if (!is_elem && flags == 1)
		return CORE_FORM_KEEP;
	return flags & 2 ? CORE_FORM_EXPLICIT : CORE_FORM_COMPACT;
}

/* Section `s` of the shuffled module m2, back as it was in m. */
static enum meld_status
write_unshuffled_section(const struct core_module *m2,
			 const struct core_module *m, const struct shuffle *sh,
			 const struct core_section *s, struct bin_writer *w)
{
	const struct core_remap *inv = &sh->inv;
	uint32_t nimp = m2->space_imported[CORE_SPACE_FUNC];
	uint32_t ndef = m2->space_len[CORE_SPACE_FUNC] - nimp;
	enum meld_status st = MELD_OK;
	size_t mark = core_write_section_begin(w, s->id);
	switch (s->id) {
	case CORE_SEC_TYPE:
		core_write_count(w, s->count - 1, s->count, s->count_width);
		for (uint32_t i = 1; st == MELD_OK && i < m2->ngroups; i++)
			st = core_write_rec_group(m2, inv, i, w);
		break;
	case CORE_SEC_IMPORT:
		core_write_count(w, s->count - DUMMY_IMPORTS, s->count,
				 s->count_width);
		for (uint32_t i = DUMMY_IMPORTS; st == MELD_OK && i < m2->nimports;
		     i++)
			st = core_write_import(m2, inv, i, w);
		break;
	case CORE_SEC_FUNC:
	case CORE_SEC_CODE:
		core_write_count(w, s->count, s->count, s->count_width);
		for (uint32_t i = 0; st == MELD_OK && i < ndef; i++) {
			uint32_t funcidx = nimp + ndef - 1 - i;
			st = s->id == CORE_SEC_FUNC
				     ? core_write_func_decl(m2, inv, funcidx, w)
				     : core_write_body(m2, inv, funcidx, w);
		}
		break;
	case CORE_SEC_ELEM:
		core_write_count(w, s->count - 1, s->count, s->count_width);
		for (uint32_t i = 1; st == MELD_OK && i < s->count; i++)
			st = core_write_elem(
				m2, inv, i, form_of(m->elems[i - 1].flags, true),
				w);
		break;
	case CORE_SEC_DATA:
		core_write_count(w, s->count - 1, s->count, s->count_width);
		for (uint32_t i = 1; st == MELD_OK && i < s->count; i++)
			st = core_write_data(
				m2, inv, i, form_of(m->datas[i - 1].flags, false),
				w);
		break;
	default:
		core_write_count(w, m2->datacount - 1, m2->datacount,
				 (unsigned)(s->end - s->content));
		break;
	}
	core_write_section_end(w, mark,
			       core_pad_width((uint32_t)(s->end - s->content),
					      s->size_width));
	return st;
}

static enum meld_status
write_unshuffled(const struct core_module *m2, const struct core_module *m,
		 const struct shuffle *sh, struct bin_writer *w)
{
	enum meld_status st = MELD_OK;
	core_write_reserve(w, m2->len);
	core_write_header(w);
	for (uint32_t i = 0; st == MELD_OK && i < m2->nsections; i++) {
		const struct core_section *s = &m2->sections[i];
		if (s->id != CORE_SEC_CUSTOM && m->section_of[s->id] < 0)
			continue; /* added for the dummies */
		if (shuffle_builds(s->id))
			st = write_unshuffled_section(m2, m, sh, s, w);
		else
			st = core_write_section(m2, &sh->inv, i, w);
	}
	return st;
}

/* ---- shared with fuzz_core.c and bench_core.c ---- */

static bool
write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return false;
	bool ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok;
}

static bool
same(const struct bin_writer *w, const uint8_t *p, size_t n)
{
	return w->err == MELD_OK && w->len == n && memcmp(w->buf, p, n) == 0;
}

static bool
identity_roundtrip(const struct core_module *m, char *why, size_t why_len)
{
	struct bin_writer w;
	bin_writer_init(&w);
	bool ok = core_write_module(m, NULL, &w) == MELD_OK &&
		  same(&w, m->bytes, m->len);
	if (!ok)
		snprintf(why, why_len, "identity write differs");
	bin_writer_clear(&w);
	return ok;
}

#ifndef ROUNDTRIP_NO_MAIN

/* ---- checking one module ---- */

struct check {
	bool validate;
	const char *validator; /* wasm-validate command */
	unsigned passed, failed, val_skipped;
	unsigned long long bytes;
};

/* 1: wasm-validate accepts, 0: refuses, -1: could not run it. */
static int
wabt_accepts(const char *validator, const uint8_t *p, size_t n)
{
	char path[] = "/tmp/meld-roundtrip-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	int result = -1;
	if (write_file(path, p, n)) {
		char cmd[512];
		snprintf(cmd, sizeof cmd, "%s --enable-all '%s' >/dev/null 2>&1",
			 validator, path);
		int rc = system(cmd);
		if (rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) <= 1)
			result = WEXITSTATUS(rc) == 0;
	}
	unlink(path);
	return result;
}

/* Where two byte strings first differ (for messages). */
static size_t
first_difference(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
	size_t i = 0;
	while (i < na && i < nb && a[i] == b[i])
		i++;
	return i;
}

/*
 * Shuffle, read back, unshuffle.  Fills `why` on failure.  *shuffled
 * receives the shuffled bytes (the caller frees them) when asked.
 */
static bool
shuffle_roundtrip(struct arena *a, const struct core_module *m,
		  const char *name, char *why, size_t why_len,
		  struct bin_writer *shuffled)
{
	struct shuffle sh;
	struct diag d2;
	struct core_module *m2;
	struct bin_writer back;
	diag_init(&d2);
	if (!shuffle_init(&sh, a, m)) {
		snprintf(why, why_len, "out of memory");
		return false;
	}
	if (write_shuffled(m, &sh, shuffled) != MELD_OK) {
		snprintf(why, why_len, "shuffle: %s", diag_text(m->diag));
		return false;
	}
	const char *keep = getenv("ROUNDTRIP_KEEP");
	if (keep && !write_file(keep, shuffled->buf, shuffled->len))
		fprintf(stderr, "roundtrip: cannot write %s\n", keep);
	if (core_read(a, &d2, name, shuffled->buf, shuffled->buf,
		      shuffled->len, &m2) != MELD_OK) {
		snprintf(why, why_len, "reading the shuffled module: %s",
			 diag_text(&d2));
		return false;
	}
	bin_writer_init(&back);
	bool ok = write_unshuffled(m2, m, &sh, &back) == MELD_OK;
	if (!ok)
		snprintf(why, why_len, "unshuffle: %s", diag_text(&d2));
	else if (!same(&back, m->bytes, m->len)) {
		ok = false;
		snprintf(why, why_len,
			 "unshuffled module differs at module offset 0x%zx "
			 "(%zu bytes, original %zu)",
			 first_difference(back.buf, back.len, m->bytes, m->len),
			 back.len, m->len);
	}
	bin_writer_clear(&back);
	return ok;
}

static void
check_module(struct check *c, const char *name, const uint8_t *base,
	     const uint8_t *p, size_t n)
{
	struct arena a;
	struct diag d;
	struct core_module *m;
	struct bin_writer shuffled;
	char why[1024] = "";
	const char *note = "";
	arena_init(&a);
	diag_init(&d);
	bin_writer_init(&shuffled);
	bool ok = core_read(&a, &d, name, base, p, n, &m) == MELD_OK;
	if (!ok)
		snprintf(why, sizeof why, "%s", diag_text(&d));
	ok = ok && identity_roundtrip(m, why, sizeof why);
	ok = ok && shuffle_roundtrip(&a, m, name, why, sizeof why, &shuffled);
	if (ok && c->validate &&
	    wabt_accepts(c->validator, shuffled.buf, shuffled.len) != 1) {
		if (wabt_accepts(c->validator, p, n) == 0) {
			note = " (wasm-validate refuses the original too)";
			c->val_skipped++;
		} else {
			ok = false;
			snprintf(why, sizeof why,
				 "wasm-validate refuses the shuffled module");
		}
	}
	if (ok) {
		printf("ok   %s (%zu bytes)%s\n", name, n, note);
		c->passed++;
		c->bytes += n;
	} else {
		printf("FAIL %s: %s\n", name, why);
		c->failed++;
	}
	fflush(stdout);
	bin_writer_clear(&shuffled);
	arena_clear(&a);
}

/* ---- mutations: truncations and bit flips ---- */

struct mutate {
	unsigned variants, refused, accepted, no_offset, failed;
};

static uint64_t
rng_next(uint64_t *state)
{
	/* xorshift64*: deterministic, seeded per module */
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static void
mutant(struct mutate *mu, const char *name, const uint8_t *p, size_t n,
       const char *what)
{
	/* a copy of exactly n bytes, so ASan sees any read past the end */
	uint8_t *copy = malloc(n ? n : 1);
	if (!copy) {
		mu->failed++;
		return;
	}
	memcpy(copy, p, n);
	struct arena a;
	struct diag d;
	struct core_module *m;
	char why[1024];
	arena_init(&a);
	diag_init(&d);
	mu->variants++;
	if (core_read(&a, &d, name, copy, copy, n, &m) != MELD_OK) {
		mu->refused++;
		if (!strstr(diag_text(&d), ":0x")) {
			mu->no_offset++;
			printf("FAIL %s %s: no offset in \"%s\"\n", name, what,
			       diag_text(&d));
		}
	} else {
		mu->accepted++;
		if (!identity_roundtrip(m, why, sizeof why)) {
			mu->failed++;
			printf("FAIL %s %s: %s\n", name, what, why);
		}
		struct bin_writer w;
		bin_writer_init(&w);
		if (!shuffle_roundtrip(&a, m, name, why, sizeof why, &w) &&
		    strncmp(why, "shuffle: ", 9) == 0 && !strstr(why, ":0x")) {
			mu->no_offset++;
			printf("FAIL %s %s: no offset in \"%s\"\n", name, what,
			       why);
		}
		bin_writer_clear(&w);
	}
	arena_clear(&a);
	free(copy);
}

/* How many variants of an n-byte module: fewer for big ones. */
static void
mutation_counts(size_t n, size_t *truncations, unsigned *flips)
{
	*truncations = n <= 4096 ? n : n <= ((size_t)1 << 20) ? 512 : 32;
	*flips = n <= 65536 ? 2000 : n <= ((size_t)1 << 20) ? 200 : 8;
}

static void
mutate_module(struct mutate *mu, const char *name, const uint8_t *p,
	      size_t n)
{
	char what[64];
	uint64_t seed = 0x9e3779b97f4a7c15ULL ^ n;
	size_t truncations;
	unsigned flips;
	mutation_counts(n, &truncations, &flips);
	for (size_t i = 0; i < truncations; i++) {
		size_t len = truncations == n ? i : (size_t)(rng_next(&seed) % n);
		snprintf(what, sizeof what, "truncated to %zu", len);
		mutant(mu, name, p, len, what);
	}
	uint8_t *copy = malloc(n ? n : 1);
	if (!copy)
		return;
	for (unsigned i = 0; n && i < flips; i++) {
		size_t at = (size_t)(rng_next(&seed) % n);
		uint8_t bit = (uint8_t)(1u << (rng_next(&seed) % 8));
		memcpy(copy, p, n);
		copy[at] ^= bit;
		snprintf(what, sizeof what, "bit 0x%02x flipped at 0x%zx", bit,
			 at);
		mutant(mu, name, copy, n, what);
	}
	free(copy);
}

/* ---- inputs: modules and components ---- */

struct walk {
	struct check *check;
	struct mutate *mutate; /* NULL: round trips */
	const char *extract;   /* non-NULL: only write modules to this dir */
	unsigned nmodules, nextracted;
};

/* --extract: each module to DIR/NNNN.wasm (fuzzing seeds). */
static void
extract_module(struct walk *wk, const uint8_t *p, size_t n)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%04u.wasm", wk->extract,
		 wk->nextracted++);
	if (!write_file(path, p, n)) {
		printf("FAIL cannot write %s\n", path);
		wk->check->failed++;
	} else {
		wk->check->passed++;
	}
}

static void
on_module(struct walk *wk, const char *file, const uint8_t *base,
	  const uint8_t *p, size_t n, bool in_component)
{
	char name[1024];
	wk->nmodules++;
	if (in_component)
		snprintf(name, sizeof name, "%s#%u", file, wk->nmodules);
	else
		snprintf(name, sizeof name, "%s", file);
	if (wk->extract)
		extract_module(wk, p, n);
	else if (wk->mutate)
		mutate_module(wk->mutate, name, p, n);
	else
		check_module(wk->check, name, base, p, n);
}

/* A minimal component walk: core modules (id 1), nested components (4). */
static bool
walk_component(struct walk *wk, const char *file, struct bin_reader *r,
	       int depth)
{
	const uint8_t *header;
	if (depth > 100 || bin_read_bytes(r, 8, &header, "header") != MELD_OK)
		return false;
	while (!bin_at_end(r)) {
		uint8_t id;
		uint32_t size;
		struct bin_reader sub;
		if (bin_read_u8(r, &id, "section id") != MELD_OK ||
		    bin_read_u32(r, &size, "section size") != MELD_OK ||
		    bin_read_sub(r, size, &sub, "section") != MELD_OK)
			return false;
		if (id == 1)
			on_module(wk, file, r->base, sub.p, size, true);
		else if (id == 4 && !walk_component(wk, file, &sub, depth + 1))
			return false;
	}
	return true;
}

/* False (with the reason printed) when the file cannot be walked. */
static bool
walk_file(struct walk *wk, const char *path)
{
	size_t n;
	uint8_t *buf = tool_read_file(path, &n);
	if (!buf) {
		printf("FAIL %s: cannot read the file\n", path);
		return false;
	}
	static const uint8_t component[8] = {0, 'a', 's', 'm',
					     0x0d, 0x00, 0x01, 0x00};
	bool ok = true;
	wk->nmodules = 0;
	if (n >= 8 && memcmp(buf, component, 8) == 0) {
		struct diag d;
		struct bin_reader r;
		diag_init(&d);
		bin_reader_init(&r, buf, n, path, &d);
		ok = walk_component(wk, path, &r, 0);
		if (!ok)
			printf("FAIL %s: component: %s\n", path,
			       diag_failed(&d) ? diag_text(&d)
					       : "nested too deeply");
	} else {
		on_module(wk, path, buf, buf, n, false);
	}
	free(buf);
	return ok;
}

int
main(int argc, char **argv)
{
	struct check c = {.validate = true};
	struct mutate mu = {0};
	struct walk wk = {.check = &c};
	int first = 1;
	for (; first < argc && strncmp(argv[first], "--", 2) == 0; first++) {
		if (strcmp(argv[first], "--no-validate") == 0)
			c.validate = false;
		else if (strcmp(argv[first], "--mutate") == 0)
			wk.mutate = &mu;
		else if (strcmp(argv[first], "--extract") == 0 &&
			 first + 1 < argc)
			wk.extract = argv[++first];
		else {
			fprintf(stderr, "usage: roundtrip [--no-validate] "
					"[--mutate | --extract DIR] FILE...\n");
			return 2;
		}
	}
	c.validator = getenv("WASM_VALIDATE");
	if (!c.validator)
		c.validator = "wasm-validate";
	for (int i = first; i < argc; i++) {
		if (!walk_file(&wk, argv[i]))
			c.failed++;
	}
	if (wk.extract) {
		printf("%u modules written to %s\n", wk.nextracted,
		       wk.extract);
	} else if (wk.mutate) {
		printf("%u variants: %u refused, %u accepted; %u refusals "
		       "without an offset\n",
		       mu.variants, mu.refused, mu.accepted, mu.no_offset);
		c.passed = mu.variants - mu.no_offset - mu.failed;
		c.failed += mu.no_offset + mu.failed;
	} else {
		printf("%u modules, %llu bytes round-tripped", c.passed,
		       c.bytes);
		if (c.validate)
			printf("; %u not validated (wabt refuses the original)",
			       c.val_skipped);
		printf("\n");
	}
	printf("%u passed, %u failed\n", c.passed, c.failed);
	return c.failed ? 1 : 0;
}
#endif
