/*
 * test_cgen: the code builder and the scalar adapters built with it.
 * Bodies are checked byte for byte; then every generated function goes
 * into a small core module (written by the tiny module writer below) that
 * wasm-validate --enable-all must accept, and the scalar adapters are run
 * with wasm-interp through parameterless wrapper exports whose printed
 * results are compared with the values the canonical ABI prescribes.
 * Without wabt the tool steps are skipped with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abi.h"
#include "cgen.h"
#include "harness.h"
#include "vtype.h"
#include "wasm_harness.h"

/* From test_abi.c. */
struct vtype *test_abi_parse_type(struct arena *a, const char *text,
				  const struct vtype_resource *res);
struct vtype_func *test_abi_parse_func(struct arena *a, const char *text,
				       const struct vtype_resource *res);

/* ---- byte helpers ----------------------------------------------------- */

/* Finish f into a fresh buffer; returns its length or 0 on failure. */
static size_t
finish_bytes(struct cgen_func *f, uint8_t *out, size_t cap)
{
	struct bin_writer w;
	bin_writer_init(&w);
	size_t n = 0;
	if (cgen_finish(f, &w) == MELD_OK && w.len <= cap) {
		memcpy(out, w.buf, w.len);
		n = w.len;
	}
	bin_writer_clear(&w);
	return n;
}

static bool
bytes_eq(const uint8_t *got, size_t n, const uint8_t *want, size_t m)
{
	if (n == m && memcmp(got, want, n) == 0)
		return true;
	printf("  got ");
	for (size_t i = 0; i < n; i++)
		printf("%02x ", got[i]);
	printf("\n  want ");
	for (size_t i = 0; i < m; i++)
		printf("%02x ", want[i]);
	printf("\n");
	return false;
}

/* ---- a tiny core module writer --------------------------------------- */

#define TM_MAX 64

/* Value types in signatures: i i32, I i64, f f32, F f64. */
static uint8_t
tm_valtype(char c)
{
	switch (c) {
	case 'I': return 0x7e;
	case 'f': return 0x7d;
	case 'F': return 0x7c;
	default: return 0x7f;
	}
}

struct tmod {
	const char *types[TM_MAX][2]; /* params, results */
	uint32_t ntypes;
	uint32_t func_type[TM_MAX];
	struct bin_writer bodies[TM_MAX];
	uint32_t nfuncs;
	const char *export_name[TM_MAX];
	uint32_t export_func[TM_MAX];
	uint32_t nexports;
	uint32_t nmemories;
	bool table;
	const char *globals; /* one letter per mutable global */
};

static void
tm_init(struct tmod *m)
{
	memset(m, 0, sizeof *m);
	m->globals = "";
}

static void
tm_clear(struct tmod *m)
{
	for (uint32_t i = 0; i < m->nfuncs; i++)
		bin_writer_clear(&m->bodies[i]);
}

static uint32_t
tm_type(struct tmod *m, const char *params, const char *results)
{
	m->types[m->ntypes][0] = params;
	m->types[m->ntypes][1] = results;
	return m->ntypes++;
}

/* Add a function with body f (finished here); returns its index. */
static uint32_t
tm_func(struct tmod *m, uint32_t typeidx, struct cgen_func *f)
{
	uint32_t idx = m->nfuncs++;
	m->func_type[idx] = typeidx;
	bin_writer_init(&m->bodies[idx]);
	enum meld_status st = cgen_finish(f, &m->bodies[idx]);
	CHECK(st == MELD_OK);
	return idx;
}

static void
tm_export(struct tmod *m, const char *name, uint32_t funcidx)
{
	m->export_name[m->nexports] = name;
	m->export_func[m->nexports++] = funcidx;
}

static void
tm_write_types(struct tmod *m, struct bin_writer *s)
{
	bin_write_u32(s, m->ntypes);
	for (uint32_t i = 0; i < m->ntypes; i++) {
		bin_write_u8(s, 0x60);
		for (int k = 0; k < 2; k++) {
			const char *v = m->types[i][k];
			bin_write_u32(s, (uint32_t)strlen(v));
			for (; *v; v++)
				bin_write_u8(s, tm_valtype(*v));
		}
	}
}

static void
tm_write_globals(struct tmod *m, struct bin_writer *s)
{
	bin_write_u32(s, (uint32_t)strlen(m->globals));
	for (const char *g = m->globals; *g; g++) {
		bin_write_u8(s, tm_valtype(*g));
		bin_write_u8(s, 0x01); /* mutable */
		bin_write_u8(s, *g == 'I' ? 0x42 : 0x41);
		bin_write_u8(s, 0x00);
		bin_write_u8(s, 0x0b);
	}
}

/* The whole module; the caller frees w. */
static void
tm_write(struct tmod *m, struct bin_writer *w)
{
	static const uint8_t header[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
	struct bin_writer s;
	bin_writer_init(w);
	bin_write_bytes(w, header, sizeof header);
	bin_writer_init(&s);
	tm_write_types(m, &s);
	wasm_harness_section(w, 1, &s);
	bin_write_u32(&s, m->nfuncs);
	for (uint32_t i = 0; i < m->nfuncs; i++)
		bin_write_u32(&s, m->func_type[i]);
	wasm_harness_section(w, 3, &s);
	if (m->table) {
		static const uint8_t table[] = {1, 0x70, 0x00, 0x01};
		bin_write_bytes(&s, table, sizeof table);
		wasm_harness_section(w, 4, &s);
	}
	if (m->nmemories) {
		bin_write_u32(&s, m->nmemories);
		for (uint32_t i = 0; i < m->nmemories; i++) {
			bin_write_u8(&s, 0x00);
			bin_write_u8(&s, 0x01);
		}
		wasm_harness_section(w, 5, &s);
	}
	if (*m->globals) {
		tm_write_globals(m, &s);
		wasm_harness_section(w, 6, &s);
	}
	bin_write_u32(&s, m->nexports);
	for (uint32_t i = 0; i < m->nexports; i++) {
		bin_write_name(&s, (const uint8_t *)m->export_name[i],
			       strlen(m->export_name[i]));
		bin_write_u8(&s, 0x00);
		bin_write_u32(&s, m->export_func[i]);
	}
	wasm_harness_section(w, 7, &s);
	bin_write_u32(&s, m->nfuncs);
	for (uint32_t i = 0; i < m->nfuncs; i++)
		bin_write_bytes(&s, m->bodies[i].buf, m->bodies[i].len);
	wasm_harness_section(w, 10, &s);
}

/* ---- running wabt ------------------------------------------------------ */

/* Write the module to a temp file; path receives its name. */
static bool
tm_save(struct tmod *m, char *path, size_t cap)
{
	struct bin_writer w;
	tm_write(m, &w);
	bool ok = wasm_harness_save(&w, "cgen", path, cap);
	bin_writer_clear(&w);
	return ok;
}

/* Run "tool args path"; output into out; returns the exit status. */
static int
run_tool(const char *tool, const char *args, const char *path, char *out,
	 size_t cap)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "%s %s %s 2>&1", tool, args, path);
	return wasm_harness_tool(cmd, out, cap);
}

/* wasm-validate --enable-all accepts the module. */
static void
validate_module(struct tmod *m, const char *what)
{
	char path[64], out[4096];
	if (!wasm_harness_have_wabt("cgen"))
		return;
	CHECK(tm_save(m, path, sizeof path));
	int st = run_tool("wasm-validate", "--enable-all", path, out,
			  sizeof out);
	if (st != 0)
		printf("  %s: wasm-validate: %s\n", what, out);
	CHECK(st == 0);
	unlink(path);
}

/* ---- byte-exact bodies ------------------------------------------------ */

static void
test_bytes_basic(void)
{
	struct cgen_func f;
	uint8_t got[256];
	cgen_func_init(&f, 1);
	uint32_t a = cgen_local(&f, CGEN_I32);
	uint32_t b = cgen_local(&f, CGEN_I32);
	uint32_t c = cgen_local(&f, CGEN_I64);
	uint32_t d = cgen_local(&f, CGEN_I32);
	CHECK(a == 1 && b == 2 && c == 3 && d == 4);
	cgen_local_get(&f, 0);
	cgen_i32_const(&f, -1);
	cgen_i32_add(&f);
	cgen_local_tee(&f, a);
	cgen_i64_extend_i32_u(&f);
	cgen_i64_const(&f, 0x80);
	cgen_i64_or(&f);
	cgen_local_set(&f, c);
	cgen_local_get(&f, c);
	cgen_i32_wrap_i64(&f);
	size_t n = finish_bytes(&f, got, sizeof got);
	static const uint8_t want[] = {
		0x19,                   /* body size 25 */
		0x03,                   /* three local runs */
		0x02, 0x7f,             /* 2 x i32 */
		0x01, 0x7e,             /* 1 x i64 */
		0x01, 0x7f,             /* 1 x i32 */
		0x20, 0x00,             /* local.get 0 */
		0x41, 0x7f,             /* i32.const -1 */
		0x6a,                   /* i32.add */
		0x22, 0x01,             /* local.tee 1 */
		0xad,                   /* i64.extend_i32_u */
		0x42, 0x80, 0x01,       /* i64.const 128 */
		0x84,                   /* i64.or */
		0x21, 0x03,             /* local.set 3 */
		0x20, 0x03,             /* local.get 3 */
		0xa7,                   /* i32.wrap_i64 */
		0x0b,                   /* end */
	};
	CHECK(bytes_eq(got, n, want, sizeof want));
	cgen_func_clear(&f);
}

static void
test_bytes_memory(void)
{
	struct cgen_func f;
	uint8_t got[256];
	cgen_func_init(&f, 0);
	cgen_i32_const(&f, 0);
	cgen_i32_load(&f, 0, 2, 8);
	cgen_i32_load(&f, 1, 2, 8);
	cgen_i64_load8_u(&f, 2, 0, 0x80);
	cgen_drop(&f);
	cgen_i32_const(&f, 0);
	cgen_i32_store16(&f, 0, 1, 0);
	cgen_memory_size(&f, 1);
	cgen_memory_grow(&f, 0);
	cgen_memory_copy(&f, 1, 0);
	cgen_memory_fill(&f, 1);
	cgen_f32_const(&f, 0x7fc00000u);
	cgen_f64_const(&f, 0x3ff0000000000000u);
	size_t n = finish_bytes(&f, got, sizeof got);
	static const uint8_t want[] = {
		0x2f, 0x00,                   /* size 47, no locals */
		0x41, 0x00,                   /* i32.const 0 */
		0x28, 0x02, 0x08,             /* i32.load align=4 offset=8 */
		0x28, 0x42, 0x01, 0x08,       /* i32.load 1 (bit 6 + memidx) */
		0x31, 0x40, 0x02, 0x80, 0x01, /* i64.load8_u 2 offset=128 */
		0x1a,                         /* drop */
		0x41, 0x00,                   /* i32.const 0 */
		0x3b, 0x01, 0x00,             /* i32.store16 align=2 */
		0x3f, 0x01,                   /* memory.size 1 */
		0x40, 0x00,                   /* memory.grow 0 */
		0xfc, 0x0a, 0x01, 0x00,       /* memory.copy 1 0 */
		0xfc, 0x0b, 0x01,             /* memory.fill 1 */
		0x43, 0x00, 0x00, 0xc0, 0x7f, /* f32.const nan */
		0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, /* f64.const 1 */
		0x0b,
	};
	CHECK(bytes_eq(got, n, want, sizeof want));
	cgen_func_clear(&f);
}

static void
test_bytes_control(void)
{
	struct cgen_func f;
	uint8_t got[256];
	static const uint32_t labels[] = {0, 1};
	cgen_func_init(&f, 1);
	cgen_block(&f, CGEN_VOID);
	cgen_loop(&f, CGEN_I32);
	cgen_local_get(&f, 0);
	cgen_if(&f, CGEN_VOID);
	cgen_br(&f, 2);
	cgen_else(&f);
	cgen_br_if(&f, 3);
	cgen_end(&f);
	cgen_local_get(&f, 0);
	cgen_br_table(&f, labels, 2, 1);
	cgen_end(&f);
	cgen_br_table_seq(&f, 2, 1);
	cgen_end(&f);
	cgen_call(&f, 300);
	cgen_call_indirect(&f, 2, 1);
	cgen_return_call(&f, 1);
	cgen_ref_func(&f, 5);
	cgen_ref_null(&f, CGEN_FUNCREF);
	cgen_ref_is_null(&f);
	cgen_table_get(&f, 1);
	cgen_table_set(&f, 1);
	cgen_table_grow(&f, 1);
	cgen_table_size(&f, 1);
	cgen_table_fill(&f, 1);
	cgen_global_get(&f, 2);
	cgen_global_set(&f, 2);
	cgen_select(&f);
	cgen_nop(&f);
	cgen_unreachable(&f);
	cgen_return(&f);
	size_t n = finish_bytes(&f, got, sizeof got);
	static const uint8_t want[] = {
		0x40, 0x00,             /* size 64, no locals */
		0x02, 0x40,             /* block */
		0x03, 0x7f,             /* loop (result i32) */
		0x20, 0x00,             /* local.get 0 */
		0x04, 0x40,             /* if */
		0x0c, 0x02,             /* br 2 */
		0x05,                   /* else */
		0x0d, 0x03,             /* br_if 3 */
		0x0b,                   /* end */
		0x20, 0x00,             /* local.get 0 */
		0x0e, 0x02, 0x00, 0x01, 0x01, /* br_table 0 1 1 */
		0x0b,                   /* end */
		0x0e, 0x02, 0x00, 0x01, 0x01, /* br_table 0 1 1 */
		0x0b,                   /* end */
		0x10, 0xac, 0x02,       /* call 300 */
		0x11, 0x02, 0x01,       /* call_indirect type 2 table 1 */
		0x12, 0x01,             /* return_call 1 */
		0xd2, 0x05,             /* ref.func 5 */
		0xd0, 0x70,             /* ref.null func */
		0xd1,                   /* ref.is_null */
		0x25, 0x01,             /* table.get 1 */
		0x26, 0x01,             /* table.set 1 */
		0xfc, 0x0f, 0x01,       /* table.grow 1 */
		0xfc, 0x10, 0x01,       /* table.size 1 */
		0xfc, 0x11, 0x01,       /* table.fill 1 */
		0x23, 0x02,             /* global.get 2 */
		0x24, 0x02,             /* global.set 2 */
		0x1b,                   /* select */
		0x01,                   /* nop */
		0x00,                   /* unreachable */
		0x0f,                   /* return */
		0x0b,                   /* end */
	};
	CHECK(bytes_eq(got, n, want, sizeof want));
	cgen_func_clear(&f);
}

/* Misuse is recorded once and reported by cgen_finish. */
static void
test_errors(void)
{
	struct cgen_func f;
	struct bin_writer w;
	bin_writer_init(&w);

	cgen_func_init(&f, 0);
	cgen_end(&f); /* no block open */
	CHECK(cgen_status(&f) == MELD_EINVALID);
	CHECK(cgen_finish(&f, &w) == MELD_EINVALID);
	CHECK(w.len == 0);
	cgen_func_clear(&f);

	cgen_func_init(&f, 0);
	cgen_block(&f, CGEN_VOID);
	CHECK(cgen_finish(&f, &w) == MELD_EINVALID); /* still open */
	cgen_end(&f);
	CHECK(cgen_finish(&f, &w) == MELD_OK); /* closed: fine now */
	cgen_func_clear(&f);

	cgen_func_init(&f, 0);
	cgen_br(&f, 1); /* only label 0 (the body) exists */
	CHECK(cgen_status(&f) == MELD_EINVALID);
	cgen_func_clear(&f);

	cgen_func_init(&f, 0);
	cgen_block(&f, CGEN_VOID);
	cgen_else(&f); /* not in an if */
	CHECK(cgen_status(&f) == MELD_EINVALID);
	cgen_func_clear(&f);

	cgen_func_init(&f, 0);
	cgen_if(&f, CGEN_VOID);
	cgen_else(&f);
	cgen_else(&f); /* twice */
	CHECK(cgen_status(&f) == MELD_EINVALID);
	cgen_func_clear(&f);

	cgen_func_init(&f, 0);
	cgen_i32_load(&f, 0, 3, 0); /* align 8 on a 4-byte load */
	CHECK(cgen_status(&f) == MELD_EINVALID);
	cgen_func_clear(&f);

	cgen_func_init(&f, 1);
	cgen_local_get(&f, 1); /* only the parameter exists */
	CHECK(cgen_status(&f) == MELD_EINVALID);
	cgen_func_clear(&f);

	cgen_func_init(&f, 0);
	cgen_ref_null(&f, CGEN_I32);
	CHECK(cgen_status(&f) == MELD_EINVALID);
	cgen_func_clear(&f);

	cgen_func_init(&f, CORE_MAX_LOCALS - 1);
	cgen_local(&f, CGEN_I32);
	CHECK(cgen_status(&f) == MELD_OK);
	cgen_local(&f, CGEN_I32); /* one too many */
	CHECK(cgen_status(&f) == MELD_EUNSUPPORTED);
	cgen_func_clear(&f);

	/* out of memory in the code buffer and the local runs */
	cgen_func_init(&f, 0);
	mem_fail_after(1);
	cgen_i32_const(&f, 1);
	mem_fail_after(0);
	CHECK(cgen_status(&f) == MELD_ENOMEM);
	cgen_func_clear(&f);
	cgen_func_init(&f, 0);
	mem_fail_after(1);
	cgen_local(&f, CGEN_F64);
	mem_fail_after(0);
	CHECK(cgen_status(&f) == MELD_ENOMEM);
	cgen_func_clear(&f);

	bin_writer_clear(&w);
}

/* ---- one function using every emitter, validated --------------------- */

static void
emit_memory_ops(struct cgen_func *f)
{
	void (*loads[])(struct cgen_func *, uint32_t, unsigned, uint64_t) = {
		cgen_i32_load,     cgen_i64_load,     cgen_f32_load,
		cgen_f64_load,     cgen_i32_load8_s,  cgen_i32_load8_u,
		cgen_i32_load16_s, cgen_i32_load16_u, cgen_i64_load8_s,
		cgen_i64_load8_u,  cgen_i64_load16_s, cgen_i64_load16_u,
		cgen_i64_load32_s, cgen_i64_load32_u,
	};
	static const unsigned load_align[] = {2, 3, 2, 3, 0, 0, 1,
					      1, 0, 0, 1, 1, 2, 2};
	for (size_t i = 0; i < sizeof loads / sizeof loads[0]; i++) {
		cgen_i32_const(f, 16);
		loads[i](f, (uint32_t)(i % 2), load_align[i], i * 8);
		cgen_drop(f);
	}
	/* stores: address, value */
	cgen_i32_const(f, 0);
	cgen_i32_const(f, 7);
	cgen_i32_store(f, 1, 2, 4);
	cgen_i32_const(f, 0);
	cgen_i64_const(f, -7);
	cgen_i64_store(f, 0, 3, 8);
	cgen_i32_const(f, 0);
	cgen_f32_const(f, 0x3f800000u);
	cgen_f32_store(f, 1, 2, 0);
	cgen_i32_const(f, 0);
	cgen_f64_const(f, 0x3ff0000000000000u);
	cgen_f64_store(f, 0, 3, 0);
	cgen_i32_const(f, 0);
	cgen_i32_const(f, 1);
	cgen_i32_store8(f, 1, 0, 1);
	cgen_i32_const(f, 0);
	cgen_i32_const(f, 1);
	cgen_i32_store16(f, 0, 1, 2);
	cgen_i32_const(f, 0);
	cgen_i64_const(f, 1);
	cgen_i64_store8(f, 1, 0, 3);
	cgen_i32_const(f, 0);
	cgen_i64_const(f, 1);
	cgen_i64_store16(f, 0, 1, 4);
	cgen_i32_const(f, 0);
	cgen_i64_const(f, 1);
	cgen_i64_store32(f, 1, 2, 8);
	cgen_memory_size(f, 1);
	cgen_memory_grow(f, 1);
	cgen_drop(f);
	for (int i = 0; i < 3; i++)
		cgen_i32_const(f, 0);
	cgen_memory_copy(f, 1, 0);
	for (int i = 0; i < 3; i++)
		cgen_i32_const(f, 0);
	cgen_memory_fill(f, 1);
}

static void
emit_table_ops(struct cgen_func *f, uint32_t self, uint32_t void_typeidx)
{
	cgen_i32_const(f, 0);
	cgen_table_get(f, 0);
	cgen_ref_is_null(f);
	cgen_drop(f);
	cgen_i32_const(f, 0);
	cgen_ref_null(f, CGEN_FUNCREF);
	cgen_table_set(f, 0);
	/* (wabt 1.0.32 types ref.func as (ref $t), not a funcref) */
	cgen_ref_func(f, self);
	cgen_drop(f);
	cgen_ref_null(f, CGEN_FUNCREF);
	cgen_i32_const(f, 1);
	cgen_table_grow(f, 0);
	cgen_table_size(f, 0);
	cgen_i32_add(f);
	cgen_drop(f);
	cgen_i32_const(f, 0);
	cgen_ref_null(f, CGEN_FUNCREF);
	cgen_i32_const(f, 0);
	cgen_table_fill(f, 0);
	cgen_global_get(f, 0);
	cgen_global_set(f, 0);
	cgen_i32_const(f, 0);
	cgen_call_indirect(f, void_typeidx, 0);
}

/* Binary i32/i64 ops and comparisons, each fed two constants. */
static void
emit_numeric_ops(struct cgen_func *f, uint32_t l64)
{
	void (*i32_bin[])(struct cgen_func *) = {
		cgen_i32_eq,    cgen_i32_ne,    cgen_i32_lt_s,  cgen_i32_lt_u,
		cgen_i32_gt_s,  cgen_i32_gt_u,  cgen_i32_le_s,  cgen_i32_le_u,
		cgen_i32_ge_s,  cgen_i32_ge_u,  cgen_i32_add,   cgen_i32_sub,
		cgen_i32_mul,   cgen_i32_div_s, cgen_i32_div_u, cgen_i32_rem_s,
		cgen_i32_rem_u, cgen_i32_and,   cgen_i32_or,    cgen_i32_xor,
		cgen_i32_shl,   cgen_i32_shr_s, cgen_i32_shr_u, cgen_i32_rotl,
		cgen_i32_rotr,
	};
	void (*i64_bin[])(struct cgen_func *) = {
		cgen_i64_add,   cgen_i64_sub,   cgen_i64_mul,   cgen_i64_div_s,
		cgen_i64_div_u, cgen_i64_rem_s, cgen_i64_rem_u, cgen_i64_and,
		cgen_i64_or,    cgen_i64_xor,   cgen_i64_shl,   cgen_i64_shr_s,
		cgen_i64_shr_u, cgen_i64_rotl,  cgen_i64_rotr,
	};
	void (*i64_cmp[])(struct cgen_func *) = {
		cgen_i64_eq,   cgen_i64_ne,   cgen_i64_lt_s, cgen_i64_lt_u,
		cgen_i64_gt_s, cgen_i64_gt_u, cgen_i64_le_s, cgen_i64_le_u,
		cgen_i64_ge_s, cgen_i64_ge_u,
	};
	for (size_t i = 0; i < sizeof i32_bin / sizeof i32_bin[0]; i++) {
		cgen_i32_const(f, 7);
		cgen_i32_const(f, 3);
		i32_bin[i](f);
		cgen_i32_clz(f);
		cgen_i32_ctz(f);
		cgen_i32_popcnt(f);
		cgen_i32_eqz(f);
		cgen_i32_extend8_s(f);
		cgen_i32_extend16_s(f);
		cgen_drop(f);
	}
	for (size_t i = 0; i < sizeof i64_bin / sizeof i64_bin[0]; i++) {
		cgen_local_get(f, l64);
		cgen_i64_const(f, 3);
		i64_bin[i](f);
		cgen_i64_clz(f);
		cgen_i64_ctz(f);
		cgen_i64_popcnt(f);
		cgen_i64_extend8_s(f);
		cgen_i64_extend16_s(f);
		cgen_i64_extend32_s(f);
		cgen_local_set(f, l64);
	}
	for (size_t i = 0; i < sizeof i64_cmp / sizeof i64_cmp[0]; i++) {
		cgen_local_get(f, l64);
		cgen_local_get(f, l64);
		i64_cmp[i](f);
		cgen_drop(f);
	}
	cgen_local_get(f, l64);
	cgen_i64_eqz(f);
	cgen_i64_extend_i32_s(f);
	cgen_drop(f);
}

static void
emit_float_ops(struct cgen_func *f, uint32_t lf, uint32_t ld)
{
	void (*f32_bin[])(struct cgen_func *) = {
		cgen_f32_add, cgen_f32_sub, cgen_f32_mul, cgen_f32_div,
	};
	void (*f64_bin[])(struct cgen_func *) = {
		cgen_f64_add, cgen_f64_sub, cgen_f64_mul, cgen_f64_div,
	};
	void (*f32_cmp[])(struct cgen_func *) = {
		cgen_f32_eq, cgen_f32_ne, cgen_f32_lt,
		cgen_f32_gt, cgen_f32_le, cgen_f32_ge,
	};
	void (*f64_cmp[])(struct cgen_func *) = {
		cgen_f64_eq, cgen_f64_ne, cgen_f64_lt,
		cgen_f64_gt, cgen_f64_le, cgen_f64_ge,
	};
	for (size_t i = 0; i < 4; i++) {
		cgen_local_get(f, lf);
		cgen_local_get(f, lf);
		f32_bin[i](f);
		cgen_f32_neg(f);
		cgen_f32_abs(f);
		cgen_local_set(f, lf);
		cgen_local_get(f, ld);
		cgen_local_get(f, ld);
		f64_bin[i](f);
		cgen_f64_neg(f);
		cgen_f64_abs(f);
		cgen_local_set(f, ld);
	}
	for (size_t i = 0; i < 6; i++) {
		cgen_local_get(f, lf);
		cgen_local_get(f, lf);
		f32_cmp[i](f);
		cgen_local_get(f, ld);
		cgen_local_get(f, ld);
		f64_cmp[i](f);
		cgen_i32_or(f);
		cgen_drop(f);
	}
	/* conversions round trip through every type */
	cgen_local_get(f, lf);
	cgen_f64_promote_f32(f);
	cgen_f32_demote_f64(f);
	cgen_i32_reinterpret_f32(f);
	cgen_f32_reinterpret_i32(f);
	cgen_i32_trunc_sat_f32_s(f);
	cgen_f32_convert_i32_s(f);
	cgen_i32_trunc_sat_f32_u(f);
	cgen_f32_convert_i32_u(f);
	cgen_local_set(f, lf);
	cgen_local_get(f, ld);
	cgen_i64_reinterpret_f64(f);
	cgen_f64_reinterpret_i64(f);
	cgen_i32_trunc_sat_f64_s(f);
	cgen_f64_convert_i32_s(f);
	cgen_i32_trunc_sat_f64_u(f);
	cgen_f64_convert_i32_u(f);
	cgen_local_set(f, ld);
}

static void
test_validate_everything(void)
{
	struct tmod m;
	struct cgen_func f;
	tm_init(&m);
	m.nmemories = 2;
	m.table = true;
	m.globals = "i";
	uint32_t t_main = tm_type(&m, "i", "i");
	uint32_t t_void = tm_type(&m, "", "");

	/* function 0: everything */
	cgen_func_init(&f, 1);
	uint32_t l64 = cgen_local(&f, CGEN_I64);
	uint32_t lf = cgen_local(&f, CGEN_F32);
	uint32_t ld = cgen_local(&f, CGEN_F64);
	emit_memory_ops(&f);
	emit_table_ops(&f, 0, t_void);
	emit_numeric_ops(&f, l64);
	emit_float_ops(&f, lf, ld);
	/* control: block/loop/if/else/br/br_if/br_table */
	cgen_block(&f, CGEN_VOID);
	cgen_loop(&f, CGEN_VOID);
	cgen_local_get(&f, 0);
	cgen_br_if(&f, 1);
	cgen_local_get(&f, 0);
	cgen_if(&f, CGEN_VOID);
	cgen_br(&f, 1);
	cgen_else(&f);
	cgen_nop(&f);
	cgen_end(&f);
	cgen_end(&f);
	cgen_end(&f);
	cgen_block(&f, CGEN_I32);
	cgen_i32_const(&f, 1);
	cgen_i32_const(&f, 2);
	cgen_local_get(&f, 0);
	cgen_select(&f);
	cgen_end(&f);
	cgen_drop(&f);
	cgen_block(&f, CGEN_VOID);
	cgen_block(&f, CGEN_VOID);
	cgen_block(&f, CGEN_VOID);
	cgen_local_get(&f, 0);
	cgen_br_table_seq(&f, 3, 2);
	cgen_end(&f);
	cgen_end(&f);
	cgen_end(&f);
	cgen_local_get(&f, 0);
	cgen_call(&f, 0);
	cgen_if(&f, CGEN_VOID);
	cgen_unreachable(&f);
	cgen_end(&f);
	cgen_local_get(&f, 0);
	cgen_return(&f);
	tm_func(&m, t_main, &f);
	cgen_func_clear(&f);

	/* function 1: () -> () tail-calls function 2 (i32) -> () */
	cgen_func_init(&f, 0);
	cgen_i32_const(&f, 3);
	cgen_return_call(&f, 2);
	tm_func(&m, t_void, &f);
	cgen_func_clear(&f);
	cgen_func_init(&f, 1);
	cgen_local_get(&f, 0);
	cgen_drop(&f);
	tm_func(&m, tm_type(&m, "i", ""), &f);
	cgen_func_clear(&f);

	tm_export(&m, "main", 0);
	tm_export(&m, "void", 1);
	validate_module(&m, "every emitter");
	tm_clear(&m);
}

/* ---- scalar adapters: bytes ------------------------------------------- */

static const struct vtype_resource no_res[2];

/* An adapter body for ft calling callee; f is initialised here. */
static enum meld_status
build_adapter(struct cgen_func *f, const struct vtype_func *ft,
	      uint32_t callee, bool canon, bool post, uint32_t post_funcidx)
{
	struct abi_sig_opts o = {ABI_PTR_I32, false, false};
	struct abi_core_func cf;
	abi_flatten_functype(ft, &o, ABI_LOWER, &cf);
	cgen_func_init(f, cf.params.count);
	struct abi_scalar_adapter ad = {ft, callee, post, post_funcidx,
					{canon}};
	return abi_emit_scalar_adapter(f, &ad);
}

static void
test_adapter_bytes(struct arena *a)
{
	struct cgen_func f;
	uint8_t got[256];
	struct vtype_func *ft = test_abi_parse_func(
		a,
		"func(a: s8, b: bool, c: char, d: u16, e: enum { x, y, z }) "
		"-> bool",
		no_res);
	CHECK(ft != NULL);
	if (!ft)
		return;
	CHECK(build_adapter(&f, ft, 0, false, false, 0) == MELD_OK);
	size_t n = finish_bytes(&f, got, sizeof got);
	static const uint8_t want[] = {
		0x5d,             /* body size 93 */
		0x01, 0x09, 0x7f, /* locals 5..13: i32 */
		/* s8: lift_flat_signed(32, 8) then lower_flat_signed */
		0x20, 0x00, 0xc0, 0x21, 0x05, /* local.get 0 extend8_s -> 5 */
		/* bool: i != 0, then int(v) */
		0x20, 0x01, 0x41, 0x00, 0x47, 0x21, 0x06,
		/* char: trap if >= 0x110000 or 0xd800 <= c <= 0xdfff */
		0x20, 0x02, 0x22, 0x08,       /* local.get 2, tee 8 */
		0x41, 0x80, 0x80, 0xc4, 0x00, /* i32.const 0x110000 */
		0x4f,                         /* i32.ge_u */
		0x20, 0x08, 0x41, 0x80, 0xb0, 0x03, /* c, 0xd800 */
		0x6b,                         /* i32.sub */
		0x41, 0x80, 0x10, 0x49,       /* 0x800 i32.lt_u */
		0x72,                         /* i32.or */
		0x04, 0x40, 0x00, 0x0b,       /* if unreachable end */
		0x20, 0x08, 0x21, 0x07,       /* -> 7 */
		/* u16: i % 2^16 */
		0x20, 0x03, 0x41, 0xff, 0xff, 0x03, 0x71, 0x21, 0x09,
		/* enum: trap if case_index >= 3 */
		0x20, 0x04, 0x22, 0x0b, 0x41, 0x03, 0x4f, /* ge_u 3 */
		0x04, 0x40, 0x00, 0x0b,
		0x20, 0x0b, 0x21, 0x0a,       /* -> 10 */
		/* call the callee with the converted values */
		0x20, 0x05, 0x20, 0x06, 0x20, 0x07, 0x20, 0x09, 0x20, 0x0a,
		0x10, 0x00,
		/* the bool result: raw in 12, converted in 13 */
		0x21, 0x0c, 0x20, 0x0c, 0x41, 0x00, 0x47, 0x21, 0x0d,
		0x20, 0x0d,
		0x0b,
	};
	CHECK(bytes_eq(got, n, want, sizeof want));
	cgen_func_clear(&f);

	/* u32/f64 only: nothing to convert, the params go straight on */
	ft = test_abi_parse_func(a, "func(a: u32, b: f64) -> s64", no_res);
	CHECK(ft && build_adapter(&f, ft, 7, false, true, 8) == MELD_OK);
	n = finish_bytes(&f, got, sizeof got);
	static const uint8_t want_plain[] = {
		0x12,                   /* size 18 */
		0x01, 0x01, 0x7e,       /* local 2: i64 (the raw result) */
		0x20, 0x00, 0x20, 0x01, /* local.get 0, 1 */
		0x10, 0x07,             /* call 7 */
		0x21, 0x02,             /* local.set 2 */
		0x20, 0x02, 0x10, 0x08, /* post-return(result) */
		0x20, 0x02,             /* the result itself */
		0x0b,
	};
	CHECK(bytes_eq(got, n, want_plain, sizeof want_plain));
	cgen_func_clear(&f);
	CHECK(ft && abi_func_is_passthrough(ft, &(struct abi_conv_opts){0}));

	/* refused: not scalar; wrong parameter count */
	ft = test_abi_parse_func(a, "func(a: string)", no_res);
	CHECK(ft && build_adapter(&f, ft, 0, false, false, 0) ==
			    MELD_EUNSUPPORTED);
	cgen_func_clear(&f);
	ft = test_abi_parse_func(a, "func(a: u8)", no_res);
	if (ft) {
		struct abi_scalar_adapter ad = {ft, 0, false, 0, {false}};
		cgen_func_init(&f, 2);
		CHECK(abi_emit_scalar_adapter(&f, &ad) == MELD_EUSAGE);
		cgen_func_clear(&f);
	}
	struct vtype *s = test_abi_parse_type(a, "string", no_res);
	uint32_t in[2] = {0, 1}, out[2];
	cgen_func_init(&f, 2);
	CHECK(s && abi_emit_flat_convert(&f, s, &(struct abi_conv_opts){0}, in,
					 out) == MELD_EUNSUPPORTED);
	cgen_func_clear(&f);
}

/* ---- scalar adapters: running them ------------------------------------ */

/* One call through an adapter, observed through a global or the result. */
struct run_case {
	const char *name;
	int adapter;      /* index into run_module.adapters; -1: no call */
	uint64_t args[5]; /* bit patterns, by the adapter's signature */
	int global;       /* -1: the adapter's result */
	const char *want; /* what wasm-interp prints after "=> " */
};

struct run_adapter {
	const char *func;   /* component function type */
	const char *params; /* its flat signature (checked), i I f F */
	const char *result;
	uint32_t callee;    /* function index of the callee */
	bool canon_nans;
	bool post_return;   /* function `callee + 1` is its post-return */
};

static void
emit_const(struct cgen_func *f, char type, uint64_t bits)
{
	switch (type) {
	case 'I':
		cgen_i64_const(f, (int64_t)bits);
		break;
	case 'f':
		cgen_f32_const(f, (uint32_t)bits);
		break;
	case 'F':
		cgen_f64_const(f, bits);
		break;
	default:
		cgen_i32_const(f, (int32_t)(uint32_t)bits);
		break;
	}
}

static const char *
letters(const struct abi_flat *fl, char *buf)
{
	for (uint32_t i = 0; i < fl->count; i++)
		buf[i] = fl->types[i] == ABI_I64   ? 'I'
			 : fl->types[i] == ABI_F32 ? 'f'
			 : fl->types[i] == ABI_F64 ? 'F'
						   : 'i';
	buf[fl->count] = '\0';
	return buf;
}

/* Add the adapters after the callees already in m; returns the first. */
static uint32_t
add_adapters(struct tmod *m, struct arena *a, const struct run_adapter *ad,
	     size_t n)
{
	uint32_t first = m->nfuncs;
	for (size_t i = 0; i < n; i++) {
		struct vtype_func *ft = test_abi_parse_func(a, ad[i].func,
							    no_res);
		struct cgen_func f;
		char p[20], r[4];
		CHECK(ft != NULL);
		if (!ft)
			continue;
		struct abi_sig_opts o = {ABI_PTR_I32, false, false};
		struct abi_core_func cf;
		abi_flatten_functype(ft, &o, ABI_LOWER, &cf);
		CHECK(strcmp(letters(&cf.params, p), ad[i].params) == 0);
		CHECK(strcmp(letters(&cf.results, r), ad[i].result) == 0);
		CHECK(build_adapter(&f, ft, ad[i].callee, ad[i].canon_nans,
				    ad[i].post_return,
				    ad[i].callee + 1) == MELD_OK);
		tm_func(m, tm_type(m, ad[i].params, ad[i].result), &f);
		cgen_func_clear(&f);
	}
	return first;
}

/* One parameterless export per case; returns the expected output. */
static void
add_wrappers(struct tmod *m, const struct run_adapter *ad, uint32_t first,
	     const struct run_case *rc, size_t n, char *want, size_t cap)
{
	size_t len = 0;
	want[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		struct cgen_func f;
		char g = 'i';
		cgen_func_init(&f, 0);
		if (rc[i].adapter >= 0) {
			const struct run_adapter *x = &ad[rc[i].adapter];
			for (size_t k = 0; x->params[k]; k++)
				emit_const(&f, x->params[k], rc[i].args[k]);
			cgen_call(&f, first + (uint32_t)rc[i].adapter);
			if (rc[i].global >= 0 && *x->result)
				cgen_drop(&f);
			if (rc[i].global < 0 && *x->result == 'f')
				cgen_i32_reinterpret_f32(&f);
			if (rc[i].global < 0 && *x->result == 'I')
				g = 'I';
		}
		if (rc[i].global >= 0) {
			cgen_global_get(&f, (uint32_t)rc[i].global);
			g = m->globals[rc[i].global];
		}
		uint32_t idx = tm_func(m, tm_type(m, "", g == 'I' ? "I" : "i"),
				       &f);
		cgen_func_clear(&f);
		tm_export(m, rc[i].name, idx);
		len += (size_t)snprintf(want + len, cap - len, "%s() => %s\n",
					rc[i].name, rc[i].want);
	}
}

/* Validate, run every export with wasm-interp, compare the output. */
static void
run_module(struct tmod *m, const char *want, const char *what)
{
	char path[64], out[8192];
	validate_module(m, what);
	if (!wasm_harness_have_wabt("cgen"))
		return;
	CHECK(tm_save(m, path, sizeof path));
	int st = run_tool("wasm-interp", "--run-all-exports", path, out,
			  sizeof out);
	CHECK(st == 0);
	if (strcmp(out, want) != 0)
		printf("  %s: wasm-interp printed:\n%s  expected:\n%s", what,
		       out, want);
	CHECK(strcmp(out, want) == 0);
	unlink(path);
}

/* Stores each parameter in the global of the same number; returns
 * parameter `ret` (or nothing when ret < 0). */
static void
add_recording_callee(struct tmod *m, const char *params, const char *result,
		     uint32_t first_global, int ret)
{
	struct cgen_func f;
	uint32_t n = (uint32_t)strlen(params);
	cgen_func_init(&f, n);
	for (uint32_t k = 0; k < n; k++) {
		cgen_local_get(&f, k);
		if (params[k] == 'f')
			cgen_i32_reinterpret_f32(&f);
		if (params[k] == 'F')
			cgen_i64_reinterpret_f64(&f);
		cgen_global_set(&f, first_global + k);
	}
	if (ret >= 0)
		cgen_local_get(&f, (uint32_t)ret);
	tm_func(m, tm_type(m, params, result), &f);
	cgen_func_clear(&f);
}

#define TRAP "error: unreachable executed"

static const struct run_adapter adapters_prims[] = {
	{"func(a: s8, b: bool, c: char, d: u16, e: enum { x, y, z }) -> bool",
	 "iiiii", "i", 0, false, false},
};

/* Callee 0 records its parameters in globals 0..4 and returns d. */
static const struct run_case cases_prims[] = {
	/* s8: the low 8 bits, sign-extended */
	{"s8_1ff", 0, {0x1ff, 1, 'A', 1, 0}, 0, "i32:4294967295"},
	{"s8_17f", 0, {0x17f, 1, 'A', 1, 0}, 0, "i32:127"},
	{"s8_80", 0, {0x80, 1, 'A', 1, 0}, 0, "i32:4294967168"},
	/* bool: any non-zero is true, passed as 1 */
	{"bool_100", 0, {0, 0x100, 'A', 1, 0}, 1, "i32:1"},
	{"bool_neg", 0, {0, 0xffffffff, 'A', 1, 0}, 1, "i32:1"},
	{"bool_0", 0, {0, 0, 'A', 1, 0}, 1, "i32:0"},
	/* char: Unicode scalar values pass, the rest trap */
	{"char_10ffff", 0, {0, 0, 0x10ffff, 1, 0}, 2, "i32:1114111"},
	{"char_d7ff", 0, {0, 0, 0xd7ff, 1, 0}, 2, "i32:55295"},
	{"char_e000", 0, {0, 0, 0xe000, 1, 0}, 2, "i32:57344"},
	{"char_110000", 0, {0, 0, 0x110000, 1, 0}, 2, TRAP},
	{"char_d800", 0, {0, 0, 0xd800, 1, 0}, 2, TRAP},
	{"char_dfff", 0, {0, 0, 0xdfff, 1, 0}, 2, TRAP},
	{"char_neg", 0, {0, 0, 0xffffffff, 1, 0}, 2, TRAP},
	/* a trap in lifting happens before the callee is called */
	{"before_trap", 0, {0x11, 0, 'A', 1, 0}, 0, "i32:17"},
	{"trap", 0, {0x22, 0, 0xdc00, 1, 0}, 0, TRAP},
	{"after_trap", -1, {0}, 0, "i32:17"},
	/* u16: the low 16 bits */
	{"u16_12345", 0, {0, 0, 'A', 0x12345, 0}, 3, "i32:9029"},
	/* enum of 3: 0..2 pass, the rest trap (unsigned compare) */
	{"enum_2", 0, {0, 0, 'A', 1, 2}, 4, "i32:2"},
	{"enum_3", 0, {0, 0, 'A', 1, 3}, 4, TRAP},
	{"enum_80000000", 0, {0, 0, 'A', 1, 0x80000000}, 4, TRAP},
	{"enum_after", -1, {0}, 4, "i32:2"},
	/* the callee returns d as its bool: 0x1234 is true, passed as 1 */
	{"result_1234", 0, {0, 0, 'A', 0x1234, 0}, -1, "i32:1"},
	/* d = 0x10000 lifts as u16 0: the callee returns 0 */
	{"result_10000", 0, {0, 0, 'A', 0x10000, 0}, -1, "i32:0"},
};

static const struct run_adapter adapters_joined[] = {
	/* v: [i32, join(i32, i64, i32, f32) = i64]; o: [i32, i32] */
	{"func(v: variant { a(u32), b(u64), c(s8), d(f32), e }, "
	 "o: option<u8>) -> enum { x, y }",
	 "iIii", "i", 0, false, false},
	/* NaN bits kept, then canonicalised (deterministic profile) */
	{"func(f: f32, g: f64) -> f32", "fF", "f", 1, false, false},
	{"func(f: f32, g: f64) -> f32", "fF", "f", 1, true, false},
	/* u8 result through a post-return (function 3) */
	{"func(a: u8) -> u8", "i", "i", 2, false, true},
	/* a variant in a variant: [i32, join(i32, i32), join(f32, i64)] */
	{"func(v: variant { a(option<f32>), b(result<u8, s64>) })", "iiI", "",
	 4, false, false},
	/* the inner discriminant in an i64 slot: [i32, join(i64, i32), i32] */
	{"func(v: variant { a(u64), b(option<u8>) })", "iIi", "", 5, false,
	 false},
};

/*
 * Callee 0 records v and o in globals 0..3 and returns o's payload;
 * callee 1 records f's and g's bits in globals 4, 5 and returns f;
 * callee 2 returns a + 0x100; function 3 (post-return) records its
 * argument in global 6; callees 4 and 5 record their three flat values in
 * globals 7..9 and 10..12.
 */
static const struct run_case cases_joined[] = {
	/* case a (u32) in the i64 slot: wrap_i64_to_i32, zero-extended */
	{"va_mask", 0, {0, 0xdeadbeef00000005u, 0, 0}, 1, "i64:5"},
	/* case b (u64): all 64 bits */
	{"vb_full", 0, {1, 0xdeadbeef00000005u, 0, 0}, 1,
	 "i64:16045690981097406469"},
	/* case c (s8): low 8 bits sign-extended to i32 0xffffff80, then
	 * zero-extended into the i64 slot */
	{"vc_80", 0, {2, 0x80, 0, 0}, 1, "i64:4294967168"},
	{"vc_hi", 0, {2, 0xffffffff0000017fu, 0, 0}, 1, "i64:127"},
	/* case d (f32): the low 32 bits, a NaN kept bit for bit */
	{"vd_nan", 0, {3, 0x123456787fa00001u, 0, 0}, 1, "i64:2141192193"},
	/* case e (no payload): the payload slot becomes 0 */
	{"ve_zero", 0, {4, 0x1234, 0, 0}, 1, "i64:0"},
	{"ve_disc", 0, {4, 0x1234, 0, 0}, 0, "i32:4"},
	{"v_bad", 0, {5, 0, 0, 0}, 0, TRAP},
	/* option<u8>: none zeroes the payload, some masks it (0x101 is 1,
	 * which the callee also returns: enum case y) */
	{"o_none", 0, {0, 0, 0, 77}, 3, "i32:0"},
	{"o_some", 0, {0, 0, 1, 0x101}, 3, "i32:1"},
	{"o_bad", 0, {0, 0, 2, 0}, 2, TRAP},
	/* the enum result: 1 is y; 5 is out of range and traps */
	{"res_y", 0, {0, 0, 1, 1}, -1, "i32:1"},
	{"res_bad", 0, {0, 0, 1, 5}, -1, TRAP},
	/* NaNs pass through unchanged by default */
	{"nan_keep_f", 1, {0x7fa00001, 0x7ff4000000000001u}, 4,
	 "i32:2141192193"},
	{"nan_keep_g", 1, {0x7fa00001, 0x7ff4000000000001u}, 5,
	 "i64:9219994337134247937"},
	{"nan_keep_res", 1, {0x7fa00001, 0x7ff4000000000001u}, -1,
	 "i32:2141192193"},
	/* ... and become 0x7fc00000 / 0x7ff8000000000000 when canonical */
	{"nan_canon_f", 2, {0x7fa00001, 0x7ff4000000000001u}, 4,
	 "i32:2143289344"},
	{"nan_canon_g", 2, {0x7fa00001, 0x7ff4000000000001u}, 5,
	 "i64:9221120237041090560"},
	{"nan_canon_res", 2, {0xffc00000, 0}, -1, "i32:2143289344"},
	/* numbers are untouched either way: 1.0f, 2.0 */
	{"canon_one", 2, {0x3f800000, 0x4000000000000000u}, 4,
	 "i32:1065353216"},
	{"canon_two", 2, {0x3f800000, 0x4000000000000000u}, 5,
	 "i64:4611686018427387904"},
	/* u8 0x205 lifts as 5; the callee returns 0x105, which lifts as 5;
	 * post-return gets the callee's raw 0x105 */
	{"post_res", 3, {0x205}, -1, "i32:5"},
	{"post_arg", -1, {0}, 6, "i32:261"},
	/* a(some(f32)): the f32 sits in the i64 slot, low 32 bits kept */
	{"nest_a_some", 4, {0, 1, 0xffffffff7fa00001u}, 9, "i64:2141192193"},
	{"nest_a_some_disc", 4, {0, 1, 0xffffffff7fa00001u}, 8, "i32:1"},
	/* a(none): the inner payload slot becomes 0 */
	{"nest_a_none", 4, {0, 0, 0x1234}, 9, "i64:0"},
	{"nest_a_bad", 4, {0, 2, 0}, 8, TRAP},
	/* b(ok(u8)): u8 masked in the i64 slot; b(error(s64)): all bits */
	{"nest_b_ok", 4, {1, 0, 0x1ff}, 9, "i64:255"},
	{"nest_b_err", 4, {1, 1, 0x8000000000000000u}, 9,
	 "i64:9223372036854775808"},
	{"nest_b_bad", 4, {1, 7, 0}, 8, TRAP},
	{"nest_bad", 4, {2, 0, 0}, 7, TRAP},
	/* b(option<u8>): its discriminant is wrapped from the i64 slot */
	{"deep_some_disc", 5, {1, 0xffffffff00000001u, 0x105}, 11, "i64:1"},
	{"deep_some_val", 5, {1, 0xffffffff00000001u, 0x105}, 12, "i32:5"},
	{"deep_none_disc", 5, {1, 0x100000000u, 0x105}, 11, "i64:0"},
	{"deep_none_val", 5, {1, 0x100000000u, 0x105}, 12, "i32:0"},
	{"deep_bad", 5, {1, 2, 0}, 11, TRAP},
	/* a(u64) keeps its 64 bits; the unused slot becomes 0 */
	{"deep_a", 5, {0, 0xffffffff00000001u, 9}, 11,
	 "i64:18446744069414584321"},
	{"deep_a_pad", 5, {0, 0xffffffff00000001u, 9}, 12, "i32:0"},
};

static void
test_adapter_run_prims(struct arena *a)
{
	struct tmod m;
	char want[4096];
	tm_init(&m);
	m.globals = "iiiii";
	add_recording_callee(&m, "iiiii", "i", 0, 3);
	size_t na = sizeof adapters_prims / sizeof adapters_prims[0];
	uint32_t first = add_adapters(&m, a, adapters_prims, na);
	add_wrappers(&m, adapters_prims, first, cases_prims,
		     sizeof cases_prims / sizeof cases_prims[0], want,
		     sizeof want);
	run_module(&m, want, "scalar adapter (s8, bool, char, u16, enum)");
	tm_clear(&m);
}

static void
test_adapter_run_joined(struct arena *a)
{
	struct tmod m;
	struct cgen_func f;
	char want[4096];
	tm_init(&m);
	m.globals = "iIiiiIi" "iiI" "iIi";
	add_recording_callee(&m, "iIii", "i", 0, 3);
	add_recording_callee(&m, "fF", "f", 4, 0);
	cgen_func_init(&f, 1); /* callee 2: a + 0x100 */
	cgen_local_get(&f, 0);
	cgen_i32_const(&f, 0x100);
	cgen_i32_add(&f);
	tm_func(&m, tm_type(&m, "i", "i"), &f);
	cgen_func_clear(&f);
	cgen_func_init(&f, 1); /* post-return: record the raw result */
	cgen_local_get(&f, 0);
	cgen_global_set(&f, 6);
	tm_func(&m, tm_type(&m, "i", ""), &f);
	cgen_func_clear(&f);
	add_recording_callee(&m, "iiI", "", 7, -1);
	add_recording_callee(&m, "iIi", "", 10, -1);
	size_t na = sizeof adapters_joined / sizeof adapters_joined[0];
	uint32_t first = add_adapters(&m, a, adapters_joined, na);
	add_wrappers(&m, adapters_joined, first, cases_joined,
		     sizeof cases_joined / sizeof cases_joined[0], want,
		     sizeof want);
	run_module(&m, want, "scalar adapters (variants, floats)");
	tm_clear(&m);
}

void
test_cgen(void)
{
	struct arena a;
	arena_init(&a);
	test_bytes_basic();
	test_bytes_memory();
	test_bytes_control();
	test_errors();
	test_validate_everything();
	test_adapter_bytes(&a);
	test_adapter_run_prims(&a);
	test_adapter_run_joined(&a);
	arena_clear(&a);
}
