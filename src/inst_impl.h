/*
 * inst_impl: what the instantiation files (inst.c, inst_types.c,
 * inst_link.c) share: symbolic values, frames and type scopes.
 *
 * A frame is one component instance being evaluated: per index space an
 * array of values, filled in binary order.  Values are plain structs copied
 * around; what has identity (functions, resources, core instances) is
 * allocated once and shared by pointer.
 */
#ifndef INST_IMPL_H
#define INST_IMPL_H

#include "inst.h"

struct itype;
struct ibag;
struct icinst;
struct iframe;

/* A component value's pairing of a definition with its lexical frame. */
struct icompval {
	const struct comp_component *comp;
	struct iframe *lex;
};

/* One entry of an index space (only the field of its space is used). */
struct ival {
	bool set;
	struct inst_core_val core;           /* core func .. core tag */
	struct icinst *cinst;                /* core instance */
	const struct comp_core_module *module;
	struct inst_func *func;
	struct itype *type;
	struct icompval *component;
	struct ibag *instance;
};

struct inamed {
	struct bin_name name;
	enum comp_space space;
	struct ival val;
};

/* A component instance's exports (or an inline instance). */
struct ibag {
	struct inamed *items;
	size_t n, cap;
};

/* A core instance: an instantiated module, or a bag of core exports. */
struct icinst {
	bool module;      /* true: core instance `core` */
	uint32_t core;
	struct inamed *items;
	size_t n, cap;
};

enum itype_kind {
	IT_NONE,  /* a core type or something fusion never looks at */
	IT_VAL,   /* a value type */
	IT_FUNC,  /* a function type */
	IT_RES,   /* a resource type */
	IT_DECL   /* a component or instance type: decl in scope */
};

struct tscope {
	struct tscope *up;
	struct itype **types;
	uint32_t ntypes;
};

struct itype {
	enum itype_kind kind;
	const struct vtype *val;
	const struct vtype_func *func;
	struct inst_res *res;
	const struct comp_type *decl;
	struct tscope *scope;
};

struct iframe {
	const struct comp_component *comp;
	struct iframe *lex;          /* where the component was defined */
	struct tscope ts;            /* the type space */
	struct ival *vals[COMP_SPACE_COUNT];
	uint32_t next[COMP_SPACE_COUNT];
	uint32_t id;                 /* inst_comp id */
	bool root;
	const struct inamed *args;   /* nested: instantiation arguments */
	size_t nargs;
	struct ibag exports;
};

/* An export of an input already instantiated, for linking by name. */
struct ilinked {
	struct bin_name name;
	enum comp_space space;
	struct ival val;
	uint32_t input;
	bool used;
};

struct ictx {
	struct arena *a;
	struct diag *d;
	struct inst_graph *g;
	const char *input;
	unsigned depth;
	size_t budget;
	uint32_t next_res;
	bool started;          /* some core instance so far has a start */
	struct ilinked *linked;
	size_t nlinked, linked_cap;
};

/* inst.c */
enum meld_status inst_oom(struct ictx *x);
/* Record an error at `offset` of the current input; returns st. */
enum meld_status inst_fail(struct ictx *x, enum meld_status st, size_t offset,
			   const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
char *inst_str(struct ictx *x, struct bin_name n);
char *inst_join(struct ictx *x, const char *a, const char *sep,
		const char *b);
struct ival *inst_bag_find(struct ibag *b, struct bin_name name,
			   enum comp_space *space);
MELD_CHECK_RESULT enum meld_status
inst_bag_add(struct ictx *x, struct ibag *b, struct bin_name name,
	     enum comp_space space, struct ival val);
MELD_CHECK_RESULT enum meld_status
inst_root_frame(struct ictx *x, const struct inst_input *in,
		struct iframe **out);

/* inst_types.c */
MELD_CHECK_RESULT enum meld_status
inst_type_def(struct ictx *x, struct tscope *s, const struct comp_type *t,
	      uint32_t comp, size_t offset, struct itype **out);
MELD_CHECK_RESULT enum meld_status
inst_valtype(struct ictx *x, struct tscope *s, struct comp_valtype vt,
	     size_t offset, const struct vtype **out);
struct inst_res *inst_new_resource(struct ictx *x, bool host, uint32_t comp);
/* A host instance of the instance type `t`, named `module` in output
 * imports. */
MELD_CHECK_RESULT enum meld_status
inst_host_instance(struct ictx *x, struct itype *t, const char *module,
		   size_t offset, struct ibag **out);
/* A host function `field` of `module` with type t. */
MELD_CHECK_RESULT enum meld_status
inst_host_func(struct ictx *x, struct itype *t, const char *module,
	       const char *field, size_t offset, struct inst_func **out);
/* Check that `have` (an export of another input) satisfies an import of
 * type `want`; a function against its type, an instance export by export. */
MELD_CHECK_RESULT enum meld_status
inst_check_import(struct ictx *x, enum comp_space space, struct itype *want,
		  const struct ival *have, const char *what, size_t offset);
struct tscope *inst_tscope_up(struct tscope *s, uint32_t count);

#endif
