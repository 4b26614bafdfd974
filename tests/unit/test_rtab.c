/*
 * test_rtab: the generated handle tables, executed.
 *
 * A script is a sequence of table operations in one or more component
 * instances: the canon built-ins (resource.new, .rep, .drop), and what an
 * adapter does (open a borrow scope, move an own handle, lend a borrow,
 * borrow a host handle, close the scope), plus changes to the instances'
 * flags.  A reference model in this file runs the script as the spec's
 * Python does (CanonicalABI.md Table, ResourceHandle, lift_own,
 * lift_borrow, lower_own, lower_borrow, Task.num_borrows,
 * Subtask.add_lender/deliver_resolve, canon resource.new/rep/drop with
 * destructors entered through Store.lift) and predicts every result, the
 * destructor and host-drop log, the final tables (free lists included),
 * or the operation that traps.  Each script becomes an export of a module
 * holding the rtab functions; wasm-interp runs them all.  A script that
 * must trap also runs without its last operation, which must succeed.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgen.h"
#include "harness.h"
#include "rtab.h"
#include "wasm_harness.h"

#define NINST 4
#define NTYPES 6
#define MAX_DEPTH 8
#define HOST RTAB_NONE
#define I32 0x7f
#define I64 0x7e

/* Instances: 0 is the root, 1 and 2 its children, 3 a child of 2. */
static const uint32_t parents[NINST] = {RTAB_NONE, 0, 0, 2};

struct ttype {
	const char *name;
	uint32_t impl;
	uint8_t rep;
	bool dtor;
};

/* Type ids are the index + 1. */
static const struct ttype ttypes[NTYPES] = {
	{"a", 1, I32, true}, {"b", 2, I32, false}, {"c", 3, I64, true},
	{"h", HOST, I32, false}, {"d", 0, I32, true}, {"g", HOST, I32, false},
};

static const struct ttype *
tt(uint32_t tid)
{
	return &ttypes[tid - 1];
}

/* ---- scripts ----------------------------------------------------------- */

enum op_kind {
	OP_NEW,     /* inst, tid, v = rep -> handle */
	OP_REP,     /* inst, tid, v = handle -> rep */
	OP_DROP,    /* inst, tid, v = handle; log count after */
	OP_ENTER,   /* open a borrow scope (an adapter call begins) */
	OP_LEAVE,   /* close it */
	OP_MOVE,    /* inst -> dst, tid, v = handle -> new handle */
	OP_BORROW,  /* inst -> dst, tid, v = handle -> rep or borrow handle */
	OP_HBORROW, /* dst, tid (host), v = host handle -> v */
	OP_FLAGS    /* inst, v = flags */
};

struct op {
	enum op_kind k;
	uint32_t inst, dst, tid;
	uint64_t v;
	uint64_t want; /* filled by the model */
	uint32_t nlog;
};

#define MAX_OPS 12000

struct script {
	const char *name;
	struct op *ops;
	uint32_t n, cap;
	bool traps; /* at ops[n - 1] */
	/* the model's end state, for comparing */
	uint8_t *log, *dump;
	uint32_t log_len, dump_len;
};

/* ---- the model ---------------------------------------------------------- */

struct mhandle {
	bool live;
	uint32_t tid;
	uint64_t rep;
	bool own;
	uint32_t scope;
	uint32_t lends;
};

/* Table: array[0] reserved, a free list used as a stack. */
struct mtable {
	struct mhandle *arr;
	uint32_t len, cap;
	uint32_t *free;
	uint32_t nfree, free_cap;
};

struct mlend {
	uint32_t inst, idx;
};

struct mhost {
	uint32_t inst, h, tid;
	bool alive;
};

/* One adapter call in progress: its Task and Subtask in one. */
struct mtask {
	uint32_t num_borrows;
	struct mlend lends[512];
	uint32_t nlends;
	struct mhost hosts[512];
	uint32_t nhosts;
};

#define LOG_ENTRY 32u
#define MAX_LOG 4096u

struct model {
	struct mtable tab[NINST];
	struct mtask task[MAX_DEPTH + 1];
	uint32_t depth;
	uint32_t flags[NINST];
	uint8_t log[MAX_LOG * LOG_ENTRY];
	uint32_t nlog;
	jmp_buf trap;
};

static void
m_trap_if(struct model *m, bool c)
{
	if (c)
		longjmp(m->trap, 1);
}

static void
put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static bool
grow_array(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	uint32_t n = *cap ? *cap * 2 : 16;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, n * elem);
	if (!q)
		return false;
	*p = q;
	*cap = n;
	return true;
}

static void
m_init(struct model *m)
{
	memset(m, 0, sizeof *m);
	for (uint32_t i = 0; i < NINST; i++) {
		struct mtable *t = &m->tab[i];
		if (!grow_array((void **)&t->arr, &t->cap, 1, sizeof *t->arr))
			abort();
		memset(t->arr, 0, sizeof *t->arr); /* array = [None] */
		t->len = 1;
		m->flags[i] = 3;
	}
}

static void
m_clear(struct model *m)
{
	for (uint32_t i = 0; i < NINST; i++) {
		free(m->tab[i].arr);
		free(m->tab[i].free);
	}
}

/* Table.add */
static uint32_t
m_add(struct model *m, uint32_t inst, struct mhandle h)
{
	struct mtable *t = &m->tab[inst];
	uint32_t i;
	if (t->nfree) {
		i = t->free[--t->nfree];
	} else {
		i = t->len;
		m_trap_if(m, i > RTAB_MAX_LENGTH);
		if (!grow_array((void **)&t->arr, &t->cap, i + 1, sizeof h))
			abort();
		t->len++;
	}
	h.live = true;
	t->arr[i] = h;
	return i;
}

/* Table.get */
static struct mhandle *
m_get(struct model *m, uint32_t inst, uint64_t i)
{
	struct mtable *t = &m->tab[inst];
	m_trap_if(m, i >= t->len);
	m_trap_if(m, !t->arr[i].live);
	return &t->arr[i];
}

/* Table.remove */
static struct mhandle
m_remove(struct model *m, uint32_t inst, uint64_t i)
{
	struct mtable *t = &m->tab[inst];
	struct mhandle *h = m_get(m, inst, i);
	struct mhandle copy = *h;
	h->live = false;
	if (!grow_array((void **)&t->free, &t->free_cap, t->nfree + 1,
			sizeof *t->free))
		abort();
	t->free[t->nfree++] = (uint32_t)i;
	return copy;
}

static bool
is_self_or_ancestor(uint32_t a, uint32_t of)
{
	for (uint32_t i = of; i != RTAB_NONE; i = parents[i])
		if (i == a)
			return true;
	return false;
}

static void
m_log(struct model *m, uint32_t kind, uint64_t rep)
{
	if (m->nlog >= MAX_LOG)
		abort();
	uint8_t *e = m->log + m->nlog * LOG_ENTRY;
	memset(e, 0, LOG_ENTRY);
	put32(e, kind);
	put32(e + 4, (uint32_t)rep);
	put32(e + 8, (uint32_t)(rep >> 32));
	for (uint32_t i = 0; i < NINST; i++)
		put32(e + 12 + 4 * i, m->flags[i]);
	m->nlog++;
}

/*
 * canon_resource_drop's own case: Store.lower then Store.lift of the
 * destructor (or the empty function) in the defining instance.
 */
static void
m_dtor(struct model *m, uint32_t inst, uint32_t tid, uint64_t rep)
{
	uint32_t impl = tt(tid)->impl;
	for (uint32_t i = impl; i != RTAB_NONE; i = parents[i])
		if (!is_self_or_ancestor(i, inst))
			m_trap_if(m, !(m->flags[i] & 2));
	if (!tt(tid)->dtor)
		return;
	for (uint32_t i = impl; i != RTAB_NONE; i = parents[i])
		if (!is_self_or_ancestor(i, inst))
			m->flags[i] &= ~2u;
	m_log(m, tid, rep);
	for (uint32_t i = impl; i != RTAB_NONE; i = parents[i])
		if (!is_self_or_ancestor(i, inst))
			m->flags[i] |= 2u;
}

/* A host handle's drop: a recorded host borrow, else the host's drop. */
static void
m_host_drop(struct model *m, uint32_t inst, uint32_t tid, uint64_t h)
{
	for (uint32_t d = m->depth; d > 0; d--) {
		struct mtask *t = &m->task[d];
		for (uint32_t k = t->nhosts; k-- > 0;) {
			struct mhost *e = &t->hosts[k];
			if (!e->alive || e->inst != inst || e->h != h)
				continue;
			m_trap_if(m, e->tid != tid);
			e->alive = false;
			t->num_borrows--;
			return;
		}
	}
	m_log(m, 100 + tid, h);
}

static void
m_drop(struct model *m, struct op *o)
{
	m_trap_if(m, !(m->flags[o->inst] & 1));
	if (tt(o->tid)->impl == HOST) {
		m_host_drop(m, o->inst, o->tid, o->v);
		return;
	}
	struct mhandle h = m_remove(m, o->inst, o->v);
	m_trap_if(m, h.tid != o->tid);
	m_trap_if(m, h.lends != 0);
	if (h.own)
		m_dtor(m, o->inst, o->tid, h.rep);
	else
		m->task[h.scope].num_borrows--;
}

/* lift_own */
static uint64_t
m_lift_own(struct model *m, uint32_t inst, uint32_t tid, uint64_t i)
{
	struct mhandle h = m_remove(m, inst, i);
	m_trap_if(m, h.tid != tid);
	m_trap_if(m, h.lends != 0);
	m_trap_if(m, !h.own);
	return h.rep;
}

/* lift_borrow then lower_borrow into dst */
static uint64_t
m_borrow(struct model *m, struct op *o)
{
	struct mhandle *h = m_get(m, o->inst, o->v);
	m_trap_if(m, h->tid != o->tid);
	struct mtask *t = &m->task[m->depth];
	h->lends++;
	if (t->nlends == 512)
		abort();
	t->lends[t->nlends++] = (struct mlend){o->inst, (uint32_t)o->v};
	uint64_t rep = h->rep;
	if (tt(o->tid)->impl == o->dst)
		return (uint32_t)rep;
	struct mhandle b = {true, o->tid, rep, false, m->depth, 0};
	t->num_borrows++;
	return m_add(m, o->dst, b);
}

static void
m_leave(struct model *m)
{
	struct mtask *t = &m->task[m->depth];
	m_trap_if(m, t->num_borrows > 0);
	for (uint32_t i = 0; i < t->nlends; i++)
		m->tab[t->lends[i].inst].arr[t->lends[i].idx].lends--;
	m->depth--;
}

static void
m_op(struct model *m, struct op *o)
{
	switch (o->k) {
	case OP_NEW: {
		m_trap_if(m, !(m->flags[o->inst] & 1));
		struct mhandle h = {true, o->tid, o->v, true, 0, 0};
		o->want = m_add(m, o->inst, h);
		break;
	}
	case OP_REP: {
		struct mhandle *h = m_get(m, o->inst, o->v);
		m_trap_if(m, h->tid != o->tid);
		o->want = h->rep;
		break;
	}
	case OP_DROP:
		m_drop(m, o);
		break;
	case OP_ENTER:
		m->depth++;
		memset(&m->task[m->depth], 0, sizeof m->task[m->depth]);
		break;
	case OP_LEAVE:
		m_leave(m);
		break;
	case OP_MOVE: {
		uint64_t rep = m_lift_own(m, o->inst, o->tid, o->v);
		struct mhandle h = {true, o->tid, rep, true, 0, 0};
		o->want = m_add(m, o->dst, h);
		break;
	}
	case OP_BORROW:
		o->want = m_borrow(m, o);
		break;
	case OP_HBORROW: {
		struct mtask *t = &m->task[m->depth];
		if (t->nhosts == 512)
			abort();
		t->hosts[t->nhosts++] =
			(struct mhost){o->dst, (uint32_t)o->v, o->tid, true};
		t->num_borrows++;
		o->want = o->v;
		break;
	}
	default:
		m->flags[o->inst] = (uint32_t)o->v;
		break;
	}
	o->nlog = m->nlog;
}

/*
 * What the test's dump function writes: per instance a header (used,
 * free head, 0, 0), then per index 1..used (tag, rep, rep >> 32, lends)
 * or, for a free slot, (0, next free, 0, 0); then the stack top and the
 * open scope.
 */
static uint32_t
m_dump(struct model *m, uint8_t *out)
{
	uint8_t *p = out;
	for (uint32_t k = 0; k < NINST; k++) {
		struct mtable *t = &m->tab[k];
		uint32_t head = t->nfree ? t->free[t->nfree - 1] : 0;
		memset(p, 0, 16);
		put32(p, t->len - 1);
		put32(p + 4, head);
		p += 16;
		for (uint32_t i = 1; i < t->len; i++, p += 16) {
			memset(p, 0, 16);
			struct mhandle *h = &t->arr[i];
			if (!h->live) {
				uint32_t next = 0;
				for (uint32_t j = 1; j < t->nfree; j++)
					if (t->free[j] == i)
						next = t->free[j - 1];
				put32(p + 4, next);
				continue;
			}
			put32(p, h->tid << 1 | (h->own ? 1u : 0u));
			put32(p + 4, (uint32_t)h->rep);
			put32(p + 8, (uint32_t)(h->rep >> 32));
			put32(p + 12, h->lends);
		}
	}
	memset(p, 0, 8);
	p += 8;
	return (uint32_t)(p - out);
}

/* Run a script in the model: fill the wants, cut it at the first trap. */
static void
model_run(struct script *s)
{
	struct model *m = malloc(sizeof *m);
	if (!m)
		abort();
	m_init(m);
	volatile uint32_t i = 0;
	s->traps = false;
	if (setjmp(m->trap)) {
		s->traps = true;
		s->n = i + 1;
	} else {
		for (i = 0; i < s->n; i++)
			m_op(m, &s->ops[i]);
		uint32_t cap = 64 + NINST * 16;
		for (uint32_t k = 0; k < NINST; k++)
			cap += 16 * m->tab[k].len;
		s->dump = malloc(cap);
		s->dump_len = s->dump ? m_dump(m, s->dump) : 0;
		s->log_len = m->nlog * LOG_ENTRY;
		s->log = malloc(s->log_len + 1);
		if (s->log)
			memcpy(s->log, m->log, s->log_len);
	}
	m_clear(m);
	free(m);
}

/* ---- building scripts --------------------------------------------------- */

static struct op *
add_op(struct script *s, enum op_kind k, uint32_t inst, uint32_t dst,
       uint32_t tid, uint64_t v)
{
	if (!grow_array((void **)&s->ops, &s->cap, s->n + 1, sizeof *s->ops))
		abort();
	struct op *o = &s->ops[s->n++];
	memset(o, 0, sizeof *o);
	o->k = k;
	o->inst = inst;
	o->dst = dst;
	o->tid = tid;
	o->v = v;
	return o;
}

static void
s_new(struct script *s, uint32_t tid, uint64_t rep)
{
	add_op(s, OP_NEW, tt(tid)->impl, 0, tid, rep);
}

static void
s_rep(struct script *s, uint32_t inst, uint32_t tid, uint64_t h)
{
	add_op(s, OP_REP, inst, 0, tid, h);
}

static void
s_drop(struct script *s, uint32_t inst, uint32_t tid, uint64_t h)
{
	add_op(s, OP_DROP, inst, 0, tid, h);
}

static void
s_move(struct script *s, uint32_t from, uint32_t to, uint32_t tid,
       uint64_t h)
{
	add_op(s, OP_MOVE, from, to, tid, h);
}

static void
s_borrow(struct script *s, uint32_t from, uint32_t to, uint32_t tid,
	 uint64_t h)
{
	add_op(s, OP_BORROW, from, to, tid, h);
}

static void
s_enter(struct script *s)
{
	add_op(s, OP_ENTER, 0, 0, 0, 0);
}

static void
s_leave(struct script *s)
{
	add_op(s, OP_LEAVE, 0, 0, 0, 0);
}

static void
s_flags(struct script *s, uint32_t inst, uint32_t v)
{
	add_op(s, OP_FLAGS, inst, 0, 0, v);
}

/* ---- the test module ---------------------------------------------------- */

/* Globals: the instances' flags, then the log count. */
#define G_LOG NINST
#define NGLOBALS (NINST + 1)

/* Memory 0: the test's; memory 1: the tables. */
#define MEM_TEST 0
#define MEM_RTAB 1
#define A_LOG 0x100u
#define A_DUMP 0x40000u
#define A_WANT 0x80000u
#define TEST_PAGES 16u

/* Functions: the test's, then rtab's, then the scripts. */
enum {
	F_DTOR_A, F_DTOR_C, F_DTOR_D, F_HOSTDROP_H, F_HOSTDROP_G, F_DUMP,
	F_CMP, F_RTAB
};

struct tmod {
	struct wasm_harness_func *f;
	uint32_t nf, cap;
	const uint8_t **seg;
	uint32_t *seg_len;
	uint32_t nseg, seg_cap;
	uint32_t rtab_pages;
	struct rtab *r;
	uint32_t builtin[3][NINST][NTYPES + 1];
	struct arena *a;
};

static const uint8_t ti[] = {I32, I32, I32}, tl[] = {I64};

static uint32_t
tm_seg(struct tmod *m, const uint8_t *p, uint32_t n)
{
	if (m->nseg == m->seg_cap) {
		uint32_t c = m->seg_cap ? 2 * m->seg_cap : 64;
		m->seg = realloc(m->seg, c * sizeof *m->seg);
		m->seg_len = realloc(m->seg_len, c * sizeof *m->seg_len);
		if (!m->seg || !m->seg_len)
			abort();
		m->seg_cap = c;
	}
	m->seg[m->nseg] = p;
	m->seg_len[m->nseg] = n;
	return m->nseg++;
}

static void
tm_set(struct tmod *m, uint32_t idx, struct adapt_gen_functype type,
       const uint8_t *code, size_t size, const char *export)
{
	if (!grow_array((void **)&m->f, &m->cap, idx + 1, sizeof *m->f))
		abort();
	while (m->nf <= idx)
		memset(&m->f[m->nf++], 0, sizeof *m->f);
	m->f[idx] = (struct wasm_harness_func){type, code, size, export};
}

static void
tm_add(struct tmod *m, uint32_t idx, struct cgen_func *f,
       struct adapt_gen_functype type, const char *export)
{
	struct bin_writer w;
	bin_writer_init(&w);
	CHECK(cgen_finish(f, &w) == MELD_OK);
	uint8_t *code = arena_dup(m->a, w.buf, w.len);
	tm_set(m, idx, type, code, w.len, export);
	bin_writer_clear(&w);
	cgen_func_clear(f);
}

static void
tm_write(struct tmod *m, struct bin_writer *w)
{
	uint32_t pages[2] = {TEST_PAGES, m->rtab_pages};
	static uint8_t globals[NGLOBALS];
	memset(globals, 0x7f, sizeof globals);
	struct wasm_harness_module hm = {m->f,    m->nf,    pages,     2,
					 globals, NGLOBALS, m->seg, m->seg_len,
					 m->nseg};
	wasm_harness_write(&hm, w);
}

static void
c32(struct cgen_func *f, uint32_t v)
{
	cgen_i32_const(f, (int32_t)v);
}

/* A destructor or host drop: log (kind, rep, the flags). */
static void
gen_logger(struct tmod *m, uint32_t idx, uint32_t kind, bool wide)
{
	struct cgen_func f;
	cgen_func_init(&f, 1);
	uint32_t e = cgen_local(&f, CGEN_I32);
	cgen_global_get(&f, G_LOG);
	c32(&f, LOG_ENTRY);
	cgen_i32_mul(&f);
	c32(&f, A_LOG);
	cgen_i32_add(&f);
	cgen_local_tee(&f, e);
	c32(&f, kind);
	cgen_i32_store(&f, MEM_TEST, 2, 0);
	cgen_local_get(&f, e);
	cgen_local_get(&f, 0);
	if (!wide)
		cgen_i64_extend_i32_u(&f);
	cgen_i64_store(&f, MEM_TEST, 2, 4);
	for (uint32_t i = 0; i < NINST; i++) {
		cgen_local_get(&f, e);
		cgen_global_get(&f, i);
		cgen_i32_store(&f, MEM_TEST, 2, 12 + 4 * i);
	}
	cgen_local_get(&f, e);
	c32(&f, 0);
	cgen_i32_store(&f, MEM_TEST, 2, 28);
	cgen_global_get(&f, G_LOG);
	c32(&f, 1);
	cgen_i32_add(&f);
	cgen_global_set(&f, G_LOG);
	struct adapt_gen_functype t = {1, 0, wide ? tl : ti, NULL};
	tm_add(m, idx, &f, t, NULL);
}

/* store the i32 on the stack at local p + off (memory 0) */
static void
out32(struct cgen_func *f, uint32_t p, uint32_t off, uint32_t value_local)
{
	cgen_local_get(f, p);
	cgen_local_get(f, value_local);
	cgen_i32_store(f, MEM_TEST, 2, off);
}

/* dump(out) -> end: the tables as m_dump writes them */
static void
gen_dump(struct tmod *m)
{
	struct cgen_func f;
	cgen_func_init(&f, 1);
	uint32_t p = 0, h = cgen_local(&f, CGEN_I32);
	uint32_t i = cgen_local(&f, CGEN_I32), a = cgen_local(&f, CGEN_I32);
	uint32_t v = cgen_local(&f, CGEN_I32), z = cgen_local(&f, CGEN_I32);
	for (uint32_t inst = 0; inst < NINST; inst++) {
		c32(&f, RTAB_INST_BASE + 32 * inst);
		cgen_local_set(&f, h);
		for (uint32_t w = 0; w < 4; w++) {
			if (w < 2) {
				cgen_local_get(&f, h);
				cgen_i32_load(&f, MEM_RTAB, 2,
					      w ? RTAB_I_FREE : RTAB_I_USED);
				cgen_local_set(&f, v);
			}
			out32(&f, p, 4 * w, w < 2 ? v : z);
		}
		cgen_local_get(&f, p);
		c32(&f, 16);
		cgen_i32_add(&f);
		cgen_local_set(&f, p);
		c32(&f, 1);
		cgen_local_set(&f, i);
		cgen_block(&f, CGEN_VOID);
		cgen_loop(&f, CGEN_VOID);
		cgen_local_get(&f, i);
		cgen_local_get(&f, h);
		cgen_i32_load(&f, MEM_RTAB, 2, RTAB_I_USED);
		cgen_i32_gt_u(&f);
		cgen_br_if(&f, 1);
		cgen_local_get(&f, h);
		cgen_i32_load(&f, MEM_RTAB, 2, RTAB_I_ARRAY);
		cgen_local_get(&f, i);
		c32(&f, RTAB_ELEM_SIZE);
		cgen_i32_mul(&f);
		cgen_i32_add(&f);
		cgen_local_set(&f, a);
		static const uint32_t live[4] = {RTAB_E_TAG, RTAB_E_REP,
						 RTAB_E_REP + 4, RTAB_E_LENDS};
		cgen_local_get(&f, a);
		cgen_i32_load(&f, MEM_RTAB, 2, RTAB_E_TAG);
		cgen_if(&f, CGEN_VOID);
		for (uint32_t w = 0; w < 4; w++) {
			cgen_local_get(&f, a);
			cgen_i32_load(&f, MEM_RTAB, 2, live[w]);
			cgen_local_set(&f, v);
			out32(&f, p, 4 * w, v);
		}
		cgen_else(&f);
		cgen_local_get(&f, a);
		cgen_i32_load(&f, MEM_RTAB, 2, RTAB_E_SCOPE);
		cgen_local_set(&f, v);
		out32(&f, p, 0, z);
		out32(&f, p, 4, v);
		out32(&f, p, 8, z);
		out32(&f, p, 12, z);
		cgen_end(&f);
		cgen_local_get(&f, p);
		c32(&f, 16);
		cgen_i32_add(&f);
		cgen_local_set(&f, p);
		cgen_local_get(&f, i);
		c32(&f, 1);
		cgen_i32_add(&f);
		cgen_local_set(&f, i);
		cgen_br(&f, 0);
		cgen_end(&f);
		cgen_end(&f);
	}
	for (uint32_t w = 0; w < 2; w++) {
		c32(&f, 0);
		cgen_i32_load(&f, MEM_RTAB, 2,
			      w ? RTAB_HDR_SCOPE : RTAB_HDR_STACK_TOP);
		cgen_local_set(&f, v);
		out32(&f, p, 4 * w, v);
	}
	cgen_local_get(&f, p);
	c32(&f, 8);
	cgen_i32_add(&f);
	struct adapt_gen_functype t = {1, 1, ti, ti};
	tm_add(m, F_DUMP, &f, t, NULL);
}

/* cmp(a, b, n) in memory 0: 0, or 1 + the offset of the first difference */
static void
gen_cmp(struct tmod *m)
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
		cgen_i32_load8_u(&f, MEM_TEST, 0, 0);
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
	struct adapt_gen_functype t = {3, 1, ti, ti};
	tm_add(m, F_CMP, &f, t, NULL);
}

/* ---- a script as an export ---------------------------------------------- */

struct sgen {
	struct tmod *m;
	struct cgen_func f;
	uint32_t scope[MAX_DEPTH + 1];
	uint32_t depth;
};

static uint32_t
fn(struct tmod *m, enum rtab_fn f)
{
	return rtab_fn_index(m->r, f);
}

/* if (stack != want) return code */
static void
expect(struct sgen *g, bool wide, uint64_t want, uint32_t code)
{
	struct cgen_func *f = &g->f;
	if (wide) {
		cgen_i64_const(f, (int64_t)want);
		cgen_i64_ne(f);
	} else {
		c32(f, (uint32_t)want);
		cgen_i32_ne(f);
	}
	cgen_if(f, CGEN_VOID);
	c32(f, code);
	cgen_return(f);
	cgen_end(f);
}

static void
emit_op(struct sgen *g, const struct op *o, uint32_t code)
{
	struct cgen_func *f = &g->f;
	struct tmod *m = g->m;
	bool wide = o->tid && tt(o->tid)->rep == I64;
	switch (o->k) {
	case OP_NEW:
		if (wide)
			cgen_i64_const(f, (int64_t)o->v);
		else
			c32(f, (uint32_t)o->v);
		cgen_call(f, m->builtin[RTAB_NEW][o->inst][o->tid]);
		expect(g, false, o->want, code);
		break;
	case OP_REP:
		c32(f, (uint32_t)o->v);
		cgen_call(f, m->builtin[RTAB_REP][o->inst][o->tid]);
		expect(g, wide, o->want, code);
		break;
	case OP_DROP:
		c32(f, (uint32_t)o->v);
		cgen_call(f, m->builtin[RTAB_DROP][o->inst][o->tid]);
		cgen_global_get(f, G_LOG);
		expect(g, false, o->nlog, code);
		break;
	case OP_ENTER:
		cgen_call(f, fn(m, RTAB_FN_ENTER));
		cgen_local_set(f, g->scope[++g->depth]);
		break;
	case OP_LEAVE:
		cgen_local_get(f, g->scope[g->depth--]);
		cgen_call(f, fn(m, RTAB_FN_LEAVE));
		break;
	case OP_MOVE:
		c32(f, (uint32_t)o->v);
		c32(f, o->inst);
		c32(f, o->tid);
		cgen_call(f, fn(m, RTAB_FN_LIFT_OWN));
		c32(f, o->dst);
		c32(f, o->tid);
		cgen_call(f, fn(m, RTAB_FN_LOWER_OWN));
		expect(g, false, o->want, code);
		break;
	case OP_BORROW:
		c32(f, (uint32_t)o->v);
		c32(f, o->inst);
		c32(f, o->tid);
		cgen_call(f, fn(m, RTAB_FN_LIFT_BORROW));
		if (tt(o->tid)->impl == o->dst) {
			cgen_i32_wrap_i64(f);
		} else {
			c32(f, o->dst);
			c32(f, o->tid);
			cgen_call(f, fn(m, RTAB_FN_LOWER_BORROW));
		}
		expect(g, false, o->want, code);
		break;
	case OP_HBORROW:
		c32(f, (uint32_t)o->v);
		c32(f, o->dst);
		c32(f, o->tid);
		cgen_call(f, fn(m, RTAB_FN_HOST_BORROW));
		expect(g, false, o->want, code);
		break;
	default:
		c32(f, (uint32_t)o->v);
		cgen_global_set(f, o->inst);
		break;
	}
}

/* Compare [A_DUMP or A_LOG, +len) with the model's bytes; code on failure */
static void
emit_compare(struct sgen *g, uint32_t addr, const uint8_t *want, uint32_t len,
	     uint32_t code)
{
	struct cgen_func *f = &g->f;
	if (!len)
		return;
	c32(f, A_WANT);
	c32(f, 0);
	c32(f, len);
	cgen_op(f, CORE_OP_MEMORY_INIT);
	bin_write_u32(&f->code, tm_seg(g->m, want, len));
	bin_write_u32(&f->code, MEM_TEST);
	c32(f, addr);
	c32(f, A_WANT);
	c32(f, len);
	cgen_call(f, F_CMP);
	cgen_i32_eqz(f);
	cgen_i32_eqz(f);
	cgen_if(f, CGEN_VOID);
	c32(f, code);
	cgen_return(f);
	cgen_end(f);
}

/*
 * Reset the state (scribbling over the heap first, so nothing may rely
 * on it being zero), run n ops, then compare the log and the tables.
 */
static void
gen_script(struct tmod *m, const struct script *s, uint32_t n,
	   uint32_t idx, const char *export)
{
	struct sgen g;
	memset(&g, 0, sizeof g);
	g.m = m;
	cgen_func_init(&g.f, 0);
	struct cgen_func *f = &g.f;
	for (uint32_t d = 1; d <= MAX_DEPTH; d++)
		g.scope[d] = cgen_local(f, CGEN_I32);
	c32(f, 0);
	c32(f, 0xaa);
	cgen_memory_size(f, MEM_RTAB);
	c32(f, 16);
	cgen_i32_shl(f);
	cgen_memory_fill(f, MEM_RTAB);
	c32(f, 0);
	c32(f, 0);
	c32(f, RTAB_INST_BASE + 32 * NINST);
	cgen_memory_fill(f, MEM_RTAB);
	for (uint32_t i = 0; i < NINST; i++) {
		c32(f, 3);
		cgen_global_set(f, i);
	}
	c32(f, 0);
	cgen_global_set(f, G_LOG);
	for (uint32_t i = 0; i < n; i++)
		emit_op(&g, &s->ops[i], i + 1);
	if (n == s->n && !s->traps) {
		emit_compare(&g, A_LOG, s->log, s->log_len, 0x1000000);
		c32(f, A_DUMP);
		cgen_call(f, F_DUMP);
		cgen_drop(f);
		emit_compare(&g, A_DUMP, s->dump, s->dump_len, 0x2000000);
	}
	c32(f, 0);
	struct adapt_gen_functype t = {0, 1, NULL, ti};
	tm_add(m, idx, f, t, export);
}

/* ---- running ------------------------------------------------------------ */

/* The rtab of the test module: instances, types, every built-in. */
static struct rtab *
make_rtab(struct tmod *m, struct diag *d)
{
	struct rtab *r = rtab_create(m->a, d, F_RTAB, MEM_RTAB);
	static struct vtype_resource res[NTYPES];
	static const uint32_t dtors[NTYPES] = {F_DTOR_A, RTAB_NONE, F_DTOR_C,
					       RTAB_NONE, F_DTOR_D, RTAB_NONE};
	static const uint32_t hdrops[NTYPES] = {RTAB_NONE, RTAB_NONE,
						RTAB_NONE, F_HOSTDROP_H,
						RTAB_NONE, F_HOSTDROP_G};
	CHECK(r != NULL);
	if (!r)
		return NULL;
	for (uint32_t i = 0; i < NINST; i++)
		CHECK(rtab_add_instance(r, parents[i], i) == MELD_OK);
	for (uint32_t t = 0; t < NTYPES; t++) {
		res[t].id = t;
		res[t].name.p = (const uint8_t *)ttypes[t].name;
		res[t].name.len = 1;
		struct rtab_type rt = {&res[t], ttypes[t].impl, ttypes[t].rep,
				       dtors[t], hdrops[t]};
		CHECK(rtab_add_type(r, &rt) == MELD_OK);
	}
	for (uint32_t k = 0; k < 3; k++)
		for (uint32_t i = 0; i < NINST; i++)
			for (uint32_t t = 0; t < NTYPES; t++) {
				if (k != RTAB_DROP && ttypes[t].impl != i)
					continue;
				uint32_t *out = &m->builtin[k][i][t + 1];
				CHECK(rtab_builtin(r, (enum rtab_builtin_kind)k,
						   i, &res[t], out) == MELD_OK);
			}
	CHECK(rtab_finish(r) == MELD_OK);
	return r;
}

static void
check_output(struct script *ss, uint32_t ns, const char *out)
{
	uint32_t seen = 0;
	for (const char *line = out; line && *line;) {
		unsigned k, prefix = 0;
		char what[128] = {0}, kind[8] = {0};
		if (sscanf(line, "%7[a-z]%u() => %127[^\n]", kind, &k, what) ==
			    3 &&
		    k < ns) {
			prefix = strcmp(kind, "pre") == 0;
			struct script *s = &ss[k];
			bool trapped = strncmp(what, "error", 5) == 0;
			bool want_trap = s->traps && !prefix;
			bool ok = want_trap ? trapped
					    : strcmp(what, "i32:0") == 0;
			if (ok && trapped)
				ok = strstr(what, "unreachable") != NULL;
			if (!ok)
				printf("  rtab %s%s: %s, expected %s\n",
				       prefix ? "prefix of " : "", s->name,
				       what, want_trap ? "a trap" : "i32:0");
			CHECK(ok);
			seen++;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	uint32_t want = 0;
	for (uint32_t i = 0; i < ns; i++)
		want += ss[i].traps ? 2 : 1;
	CHECK(seen == want);
}

static void
execute(struct tmod *m, struct script *ss, uint32_t ns)
{
	struct bin_writer w;
	tm_write(m, &w);
	char *out = wasm_harness_execute(&w, "rtab", "rtab");
	bin_writer_clear(&w);
	if (out)
		check_output(ss, ns, out);
	free(out);
}

/* Model every script, build one module with all of them, run it. */
static void
run_scripts(struct script *ss, uint32_t ns)
{
	struct arena a;
	struct diag d;
	arena_init(&a);
	diag_init(&d);
	struct tmod *m = calloc(1, sizeof *m);
	if (!m)
		abort();
	m->a = &a;
	for (uint32_t i = 0; i < ns; i++)
		model_run(&ss[i]);
	m->r = make_rtab(m, &d);
	if (!m->r || !wasm_harness_have_wabt("rtab"))
		goto out;
	m->rtab_pages = rtab_memory_pages(m->r);
	gen_logger(m, F_DTOR_A, 1, false);
	gen_logger(m, F_DTOR_C, 3, true);
	gen_logger(m, F_DTOR_D, 5, false);
	gen_logger(m, F_HOSTDROP_H, 104, false);
	gen_logger(m, F_HOSTDROP_G, 106, false);
	gen_dump(m);
	gen_cmp(m);
	uint32_t nr = rtab_nfuncs(m->r);
	for (uint32_t i = 0; i < nr; i++) {
		const struct adapt_gen_func *g = rtab_func(m->r, i);
		CHECK(g->funcidx == F_RTAB + i);
		tm_set(m, F_RTAB + i, g->type, g->code, g->code_size, NULL);
	}
	uint32_t idx = F_RTAB + nr;
	for (uint32_t i = 0; i < ns; i++) {
		char name[32];
		snprintf(name, sizeof name, "run%u", i);
		gen_script(m, &ss[i], ss[i].n, idx++,
			   arena_dup(&a, name, strlen(name) + 1));
		if (!ss[i].traps)
			continue;
		snprintf(name, sizeof name, "pre%u", i);
		gen_script(m, &ss[i], ss[i].n - 1, idx++,
			   arena_dup(&a, name, strlen(name) + 1));
	}
	execute(m, ss, ns);
out:
	free(m->f);
	free(m->seg);
	free(m->seg_len);
	free(m);
	arena_clear(&a);
}

/* ---- the scripts -------------------------------------------------------- */

#define MAX_SCRIPTS 100

struct suite {
	struct script s[MAX_SCRIPTS];
	uint32_t n;
};

static struct script *
new_script(struct suite *u, const char *name)
{
	if (u->n >= MAX_SCRIPTS)
		abort();
	struct script *s = &u->s[u->n++];
	memset(s, 0, sizeof *s);
	s->name = name;
	return s;
}

/* A fresh table hands out 1, 2, 3, ...: handle numbers are predictable. */
static void
sc_basics(struct suite *u)
{
	struct script *s = new_script(u, "new/rep/drop, slot reuse");
	s_new(s, 1, 100);     /* a@1: 1 */
	s_new(s, 1, 101);     /* 2 */
	s_new(s, 1, 102);     /* 3 */
	s_rep(s, 1, 1, 2);
	s_drop(s, 1, 1, 2);   /* dtor(101) */
	s_drop(s, 1, 1, 1);   /* dtor(100) */
	s_new(s, 1, 103);     /* reuses 1 (LIFO) */
	s_new(s, 1, 104);     /* reuses 2 */
	s_new(s, 1, 105);     /* 4 */
	s_rep(s, 1, 1, 1);
	s_rep(s, 1, 1, 4);
	s_new(s, 2, 200);     /* b@2: 1, no destructor */
	s_drop(s, 2, 2, 1);
	s_new(s, 3, 0x123456789abcull); /* c@3, an i64 rep */
	s_rep(s, 3, 3, 1);
	s_drop(s, 3, 3, 1);
	s_new(s, 5, 500);     /* d@0 */
	s_drop(s, 0, 5, 1);   /* its own destructor: nothing to enter */

	s = new_script(u, "destructors run in the defining instance");
	s_new(s, 1, 7);       /* a@1 = 1 */
	s_move(s, 1, 0, 1, 1); /* into 0: 1 */
	s_move(s, 0, 3, 1, 1); /* into 3: 1 */
	s_drop(s, 3, 1, 1);   /* enters 1 from 3 (clears its may_enter) */
	s_new(s, 3, 9);       /* c@3 */
	s_move(s, 3, 1, 3, 1); /* into 1 */
	s_drop(s, 1, 3, 1);   /* enters 3 and 2 from 1 */
	s_new(s, 5, 11);      /* d@0 */
	s_move(s, 0, 3, 5, 1);
	s_drop(s, 3, 5, 1);   /* 0 is 3's ancestor: nothing entered */
	s_flags(s, 1, 1);     /* 1 may not be entered, but it drops its own */
	s_new(s, 1, 12);
	s_drop(s, 1, 1, 1);
}

/* Thousands of handles in two tables at once, freed and reused. */
static void
sc_growth(struct suite *u, uint32_t n, uint64_t seed)
{
	struct script *s = new_script(u, "growth beyond any fixed size");
	for (uint32_t i = 0; i < n; i++) {
		s_new(s, 1, 1000 + i);
		s_new(s, 2, 50000 + i);
	}
	uint8_t *dropped = calloc(n + 1, 1);
	if (!dropped)
		abort();
	uint64_t x = seed;
	for (uint32_t i = 0; i < n; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		uint32_t h = 1 + (uint32_t)((x >> 33) % n);
		if (!dropped[h])
			s_drop(s, 1, 1, h);
		dropped[h] = 1;
	}
	free(dropped);
	for (uint32_t i = 0; i < n / 3; i++)
		s_new(s, 1, 9000000 + i);
	s_move(s, 2, 1, 2, n / 2);
	s_rep(s, 2, 2, n);
}

/* Scripts that must trap at their last operation. */
static void
sc_traps(struct suite *u)
{
	struct script *s = new_script(u, "rep of handle 0");
	s_new(s, 1, 1);
	s_rep(s, 1, 1, 0);
	s = new_script(u, "rep out of range");
	s_new(s, 1, 1);
	s_rep(s, 1, 1, 2);
	s = new_script(u, "rep of a huge index");
	s_rep(s, 1, 1, 0xffffffffu);
	s = new_script(u, "rep of a dropped handle");
	s_new(s, 1, 1);
	s_new(s, 1, 2);
	s_drop(s, 1, 1, 1);
	s_rep(s, 1, 1, 1);
	s = new_script(u, "drop twice");
	s_new(s, 1, 1);
	s_drop(s, 1, 1, 1);
	s_drop(s, 1, 1, 1);
	s = new_script(u, "drop with the wrong type");
	s_new(s, 2, 5);
	s_move(s, 2, 1, 2, 1); /* b now in 1 */
	s_new(s, 1, 6);
	s_drop(s, 1, 1, 1);    /* 1 holds a b */
	s = new_script(u, "move with the wrong type");
	s_new(s, 1, 5);
	s_move(s, 1, 0, 2, 1);
	s = new_script(u, "new when the instance may not leave");
	s_flags(s, 1, 2);
	s_new(s, 1, 1);
	s = new_script(u, "drop when the instance may not leave");
	s_new(s, 5, 1);
	s_flags(s, 0, 2);
	s_drop(s, 0, 5, 1);
	s = new_script(u, "destructor entry refused (may_enter clear)");
	s_new(s, 1, 1);
	s_move(s, 1, 0, 1, 1);
	s_flags(s, 1, 1);
	s_drop(s, 0, 1, 1);
	s = new_script(u, "the entry check without a destructor");
	s_new(s, 2, 1);
	s_move(s, 2, 1, 2, 1);
	s_flags(s, 2, 1);
	s_drop(s, 1, 2, 1);
	s = new_script(u, "dropping a lent own handle");
	s_new(s, 1, 1);
	s_move(s, 1, 0, 1, 1);
	s_enter(s);
	s_borrow(s, 0, 2, 1, 1);
	s_drop(s, 0, 1, 1);
	s = new_script(u, "moving a lent handle");
	s_new(s, 1, 1);
	s_move(s, 1, 0, 1, 1);
	s_enter(s);
	s_borrow(s, 0, 2, 1, 1);
	s_move(s, 0, 3, 1, 1);
	s = new_script(u, "a borrow not dropped before the call returns");
	s_new(s, 1, 1);
	s_move(s, 1, 0, 1, 1);
	s_enter(s);
	s_borrow(s, 0, 2, 1, 1);
	s_leave(s);
	s = new_script(u, "using a borrow after its scope");
	s_new(s, 1, 1);
	s_move(s, 1, 0, 1, 1);
	s_enter(s);
	s_borrow(s, 0, 2, 1, 1);
	s_drop(s, 2, 1, 1);
	s_leave(s);
	s_drop(s, 2, 1, 1);
	s = new_script(u, "a borrow's slot reused by another type");
	s_new(s, 1, 1);
	s_move(s, 1, 0, 1, 1);
	s_enter(s);
	s_borrow(s, 0, 2, 1, 1);
	s_drop(s, 2, 1, 1);
	s_leave(s);
	s_new(s, 2, 9);        /* b@2 takes slot 1 */
	s_drop(s, 2, 1, 1);
	s = new_script(u, "moving a borrow as own");
	s_new(s, 1, 1);
	s_move(s, 1, 0, 1, 1);
	s_enter(s);
	s_borrow(s, 0, 2, 1, 1);
	s_move(s, 2, 3, 1, 1);
	s = new_script(u, "dropping a borrow while lending it on");
	s_new(s, 1, 1);
	s_move(s, 1, 0, 1, 1);
	s_enter(s);
	s_borrow(s, 0, 2, 1, 1);   /* 2 holds borrow 1 */
	s_enter(s);
	s_borrow(s, 2, 3, 1, 1);   /* lent on to 3 */
	s_drop(s, 2, 1, 1);
	s = new_script(u, "a host borrow not dropped");
	s_enter(s);
	add_op(s, OP_HBORROW, 0, 2, 4, 77);
	s_leave(s);
	s = new_script(u, "a host borrow dropped with the wrong type");
	s_enter(s);
	add_op(s, OP_HBORROW, 0, 2, 4, 77);
	s_drop(s, 2, 6, 77);
}

/* Borrow scopes that work out, including across nested calls. */
static void
sc_borrows(struct suite *u)
{
	struct script *s = new_script(u, "borrows: rep into the defining "
					 "instance, handles elsewhere");
	s_new(s, 1, 41);
	s_move(s, 1, 0, 1, 1);      /* 0 owns a(41) as 1 */
	s_enter(s);
	s_borrow(s, 0, 1, 1, 1);    /* into 1, the definer: the rep */
	s_borrow(s, 0, 2, 1, 1);    /* into 2: a borrow handle */
	s_borrow(s, 0, 2, 1, 1);    /* twice */
	s_drop(s, 2, 1, 2);
	s_drop(s, 2, 1, 1);         /* no destructor for borrows */
	s_leave(s);
	s_drop(s, 0, 1, 1);         /* lends returned: the destructor runs */

	s = new_script(u, "borrows across nested calls");
	s_new(s, 1, 42);
	s_move(s, 1, 0, 1, 1);
	s_enter(s);                 /* 0 calls 2 */
	s_borrow(s, 0, 2, 1, 1);    /* 2: borrow 1, in the outer scope */
	s_enter(s);                 /* 2 calls 3 */
	s_borrow(s, 2, 3, 1, 1);    /* 3: borrow 1, lent on by 2 */
	s_drop(s, 3, 1, 1);
	s_leave(s);
	s_enter(s);                 /* 2 calls out again */
	s_drop(s, 2, 1, 1);         /* the outer scope's borrow */
	s_leave(s);
	s_leave(s);
	s_move(s, 0, 2, 1, 1);      /* no longer lent: may move */

	s = new_script(u, "host borrows");
	s_enter(s);
	add_op(s, OP_HBORROW, 0, 2, 4, 77);
	add_op(s, OP_HBORROW, 0, 2, 4, 78);
	add_op(s, OP_HBORROW, 0, 3, 6, 77);
	s_drop(s, 2, 4, 77);        /* the record, not the host's drop */
	s_drop(s, 2, 4, 77);        /* now the host's */
	s_drop(s, 3, 6, 77);
	s_drop(s, 2, 4, 78);
	s_leave(s);
	s_drop(s, 1, 4, 5);         /* an own host handle: the host's drop */
}

/* Drop the open scope's borrow handles (as a well-behaved callee does). */
static void
drop_scope_borrows(struct script *s, struct model *m)
{
	for (uint32_t k = 0; k < NINST; k++)
		for (uint32_t i = 1; i < m->tab[k].len; i++) {
			struct mhandle *e = &m->tab[k].arr[i];
			if (e->live && !e->own && e->scope == m->depth &&
			    e->lends == 0 && (m->flags[k] & 1))
				m_op(m, add_op(s, OP_DROP, k, 0, e->tid, i));
		}
	for (uint32_t i = m->task[m->depth].nhosts; i-- > 0;) {
		struct mhost *e = &m->task[m->depth].hosts[i];
		if (e->alive && (m->flags[e->inst] & 1))
			m_op(m, add_op(s, OP_DROP, e->inst, 0, e->tid, e->h));
	}
}

static uint64_t rng_x;

static uint32_t
rnd(uint32_t n)
{
	rng_x = rng_x * 6364136223846793005ull + 1442695040888963407ull;
	return n ? (uint32_t)((rng_x >> 33) % n) : 0;
}

/* Rarely true: the chance of a deliberately invalid choice. */
static bool
rare(void)
{
	return rnd(250) == 0;
}

/*
 * A live handle in any instance (0: any, 1: not lent, 2: an own one not
 * lent): *inst receives the instance.  Rarely anything at all.
 */
static uint64_t
pick_handle(struct model *m, uint32_t *inst, int want)
{
	if (rare()) {
		*inst = rnd(NINST);
		return rnd(m->tab[*inst].len + 2);
	}
	for (int tries = 0; tries < 64; tries++) {
		uint32_t k = rnd(NINST);
		struct mtable *t = &m->tab[k];
		if (t->len == 1)
			continue;
		uint32_t h = 1 + rnd(t->len - 1);
		const struct mhandle *e = &t->arr[h];
		if (e->live && (want == 0 || e->lends == 0) &&
		    (want < 2 || e->own)) {
			*inst = k;
			return h;
		}
	}
	*inst = rnd(NINST);
	return 0;
}

/* The type to use with handle h of inst: its own, rarely another. */
static uint32_t
pick_type(struct model *m, uint32_t inst, uint64_t h, bool host)
{
	struct mtable *t = &m->tab[inst];
	if (!host && h < t->len && t->arr[h].live && !rare())
		return t->arr[h].tid;
	for (;;) {
		uint32_t tid = 1 + rnd(NTYPES);
		if ((tt(tid)->impl == HOST) == host || rare())
			return tid;
	}
}

/* Host handles: a few per host type, rarely one of another type's. */
static uint64_t
host_handle(uint32_t tid)
{
	return (rare() ? 1 + rnd(NTYPES) : tid) * 10 + rnd(4);
}

static struct op *
random_op(struct script *s, struct model *m)
{
	uint32_t pick = rnd(100), inst, dst = rnd(NINST);
	uint64_t h;
	uint32_t tid;
	if (pick < 25) {
		do
			tid = 1 + rnd(NTYPES);
		while (tt(tid)->impl == HOST);
		return add_op(s, OP_NEW, tt(tid)->impl, 0, tid, rnd(1u << 31));
	}
	if (pick < 50 && rnd(6) == 0) {
		tid = pick_type(m, 0, 0, true);
		return add_op(s, OP_DROP, rnd(NINST), 0, tid,
			      host_handle(tid));
	}
	h = pick_handle(m, &inst, pick < 33 || pick >= 65 ? 0
				  : pick < 50				? 1
									: 2);
	tid = pick_type(m, inst, h, false);
	if (h == 0 && !rare()) /* nothing live: make something */
		return add_op(s, OP_NEW, 1, 0, 1, rnd(1000));
	if (pick < 33) {
		if (tt(tid)->impl == HOST)
			tid = 1;
		uint32_t impl = tt(tid)->impl;
		if (!rare() && (impl != inst || m->tab[inst].arr[h].tid != tid))
			return add_op(s, OP_NEW, impl, 0, tid, rnd(1000));
		return add_op(s, OP_REP, impl, 0, tid, h);
	}
	if (pick < 50)
		return add_op(s, OP_DROP, inst, 0, tid, h);
	if (pick < 65)
		return add_op(s, OP_MOVE, inst, dst, tid, h);
	if (pick < 80 && m->depth < MAX_DEPTH) {
		/* a call that lends: its own scope */
		m_op(m, add_op(s, OP_ENTER, 0, 0, 0, 0));
		return add_op(s, OP_BORROW, inst, dst, tid, h);
	}
	if (pick < 85 && m->depth > 0)
	{
		tid = pick_type(m, 0, 0, true);
		return add_op(s, OP_HBORROW, 0, dst, tid, host_handle(tid));
	}
	if (pick < 91 && m->depth < MAX_DEPTH)
		return add_op(s, OP_ENTER, 0, 0, 0, 0);
	if (pick < 98 && m->depth > 0) {
		if (!rare())
			drop_scope_borrows(s, m);
		return add_op(s, OP_LEAVE, 0, 0, 0, 0);
	}
	return add_op(s, OP_FLAGS, rnd(NINST), 0, 0,
		      rare() ? rnd(4) : 3);
}

/*
 * Random operations, mostly valid (live handles of the right type,
 * borrows dropped before their scope closes), some not; stops at the
 * first trap.  Scripts that get through close their scopes and are
 * compared table by table.
 */
static void
sc_random(struct suite *u, uint64_t seed, uint32_t len)
{
	struct script *s = new_script(u, "random");
	struct model *m = malloc(sizeof *m);
	if (!m)
		abort();
	m_init(m);
	rng_x = seed * 0x9e3779b97f4a7c15ull + 7;
	if (setjmp(m->trap))
		goto done;
	while (s->n < len) {
		struct op *o = random_op(s, m);
		m_op(m, o);
		if (o->k == OP_FLAGS && o->v != 3 && rnd(4))
			m_op(m, add_op(s, OP_FLAGS, o->inst, 0, 0, 3));
	}
	while (m->depth > 0) {
		for (uint32_t k = 0; k < NINST; k++)
			m_op(m, add_op(s, OP_FLAGS, k, 0, 0, 3));
		drop_scope_borrows(s, m);
		m_op(m, add_op(s, OP_LEAVE, 0, 0, 0, 0));
	}
done:
	m_clear(m);
	free(m);
}

/* ---- checks without running -------------------------------------------- */

static void
test_api(void)
{
	struct arena a;
	struct diag d;
	arena_init(&a);
	diag_init(&d);
	static struct vtype_resource res[3];
	struct rtab *r = rtab_create(&a, &d, 10, 3);
	CHECK(rtab_add_instance(r, RTAB_NONE, RTAB_NONE) == MELD_OK);
	CHECK(rtab_add_instance(r, 5, RTAB_NONE) == MELD_EUSAGE);
	CHECK(rtab_add_instance(r, 0, 7) == MELD_OK);
	struct rtab_type t0 = {&res[0], 1, I32, RTAB_NONE, RTAB_NONE};
	struct rtab_type th = {&res[1], RTAB_NONE, I32, RTAB_NONE, RTAB_NONE};
	struct rtab_type tb = {&res[2], 0, 0x7d, RTAB_NONE, RTAB_NONE};
	CHECK(rtab_add_type(r, &t0) == MELD_OK);
	CHECK(rtab_add_type(r, &t0) == MELD_EUSAGE);
	CHECK(rtab_add_type(r, &th) == MELD_OK);
	CHECK(rtab_add_type(r, &tb) == MELD_EINVALID);
	uint32_t tid = 0, fi = 0, fj = 0;
	CHECK(rtab_find(r, &res[1], &tid) != NULL && tid == 2);
	CHECK(rtab_find(r, &res[2], &tid) == NULL);
	/* new/rep only in the defining instance; host types drop only */
	CHECK(rtab_builtin(r, RTAB_NEW, 0, &res[0], &fi) == MELD_EINVALID);
	CHECK(rtab_builtin(r, RTAB_NEW, 1, &res[0], &fi) == MELD_OK);
	CHECK(fi == 10 + RTAB_FN_COUNT);
	CHECK(rtab_builtin(r, RTAB_NEW, 1, &res[0], &fj) == MELD_OK);
	CHECK(fj == fi);
	CHECK(rtab_builtin(r, RTAB_REP, 1, &res[1], &fj) == MELD_EINVALID);
	CHECK(rtab_builtin(r, RTAB_DROP, 1, &res[1], &fj) == MELD_EUSAGE);
	CHECK(rtab_builtin(r, RTAB_DROP, 0, &res[0], &fj) == MELD_OK);
	CHECK(fj == fi + 1);
	CHECK(rtab_builtin(r, RTAB_DROP, 9, &res[0], &fj) == MELD_EUSAGE);
	CHECK(rtab_nfuncs(r) == RTAB_FN_COUNT + 2);
	CHECK(rtab_finish(r) == MELD_OK);
	CHECK(rtab_memory_pages(r) == 1);
	CHECK(rtab_memidx(r) == 3 && rtab_ninstances(r) == 2);
	CHECK(rtab_fn_index(r, RTAB_FN_LEAVE) == 10 + RTAB_FN_LEAVE);
	for (uint32_t i = 0; i < rtab_nfuncs(r); i++) {
		const struct adapt_gen_func *f = rtab_func(r, i);
		CHECK(f && f->code_size > 0 && f->funcidx == 10 + i && f->name);
	}
	CHECK(rtab_func(r, rtab_nfuncs(r)) == NULL);
	CHECK(rtab_builtin(r, RTAB_DROP, 1, &res[0], &fj) == MELD_EUSAGE);
	arena_clear(&a);
}

static void
test_oom(void)
{
	bool done = false;
	static struct vtype_resource res;
	for (size_t n = 1; n < 400 && !done; n++) {
		struct arena a;
		struct diag d;
		arena_init(&a);
		diag_init(&d);
		mem_fail_after(n);
		enum meld_status st = MELD_ENOMEM;
		struct rtab *r = rtab_create(&a, &d, 0, 1);
		struct rtab_type t = {&res, 0, I32, 5, RTAB_NONE};
		uint32_t fi;
		if (r)
			st = rtab_add_instance(r, RTAB_NONE, 0);
		if (st == MELD_OK)
			st = rtab_add_type(r, &t);
		if (st == MELD_OK)
			st = rtab_builtin(r, RTAB_DROP, 0, &res, &fi);
		if (st == MELD_OK)
			st = rtab_finish(r);
		mem_fail_after(0);
		CHECK(st == MELD_OK || st == MELD_ENOMEM);
		done = st == MELD_OK;
		arena_clear(&a);
	}
	CHECK(done);
}

/* A function reserved (rtab_add_func without code), its body set later. */
static void
test_reserved(void)
{
	struct arena a;
	struct diag d;
	static struct vtype_resource res;
	static const uint8_t body[] = {2, 0, 0x0b};
	static const uint8_t types[] = {0x7f};
	struct adapt_gen_func fn = {.name = "reserved",
				    .type = {1, 0, types, types + 1}};
	for (int set = 0; set < 2; set++) {
		arena_init(&a);
		diag_init(&d);
		struct rtab *r = rtab_create(&a, &d, 4, 1);
		struct rtab_type t = {&res, 0, I32, RTAB_NONE, RTAB_NONE};
		uint32_t fi = 0, fr = 0;
		CHECK(rtab_add_instance(r, RTAB_NONE, RTAB_NONE) == MELD_OK);
		CHECK(rtab_add_type(r, &t) == MELD_OK);
		CHECK(rtab_builtin(r, RTAB_DROP, 0, &res, &fi) == MELD_OK);
		CHECK(rtab_add_func(r, &fn, &fr) == MELD_OK && fr == fi + 1);
		CHECK(rtab_set_code(r, fi, body, sizeof body) == MELD_EUSAGE);
		CHECK(rtab_set_code(r, fr + 1, body, sizeof body) ==
		      MELD_EUSAGE);
		CHECK(rtab_set_code(r, 2, body, sizeof body) == MELD_EUSAGE);
		if (set) {
			CHECK(rtab_set_code(r, fr, body, sizeof body) ==
			      MELD_OK);
			CHECK(rtab_set_code(r, fr, body, sizeof body) ==
			      MELD_EUSAGE);
			CHECK(rtab_finish(r) == MELD_OK);
			const struct adapt_gen_func *f = rtab_func(r, fr - 4);
			CHECK(f && f->code == body && f->funcidx == fr);
		} else {
			CHECK(rtab_finish(r) == MELD_EUSAGE);
		}
		arena_clear(&a);
	}
}

void
test_rtab(void)
{
	test_api();
	test_reserved();
	test_oom();
	struct suite *u = calloc(1, sizeof *u);
	if (!u)
		abort();
	sc_basics(u);
	sc_growth(u, 3000, 1);
	sc_traps(u);
	sc_borrows(u);
	for (uint64_t seed = 1; seed <= 40; seed++)
		sc_random(u, seed, seed % 4 ? 150 : 600);
	run_scripts(u->s, u->n);
	uint32_t traps = 0, ops = 0;
	for (uint32_t i = 0; i < u->n; i++) {
		traps += u->s[i].traps;
		ops += u->s[i].n;
		free(u->s[i].ops);
		free(u->s[i].log);
		free(u->s[i].dump);
	}
	printf("  rtab: %u scripts (%u trap), %u operations\n", u->n, traps,
	       ops);
	free(u);
}
