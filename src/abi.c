/*
 * abi: the canonical ABI's layout math (CanonicalABI.md "Despecialization",
 * "Alignment", "Element Size", "Flattening") and the scalar part of
 * lifting and lowering ("Flat Lifting", "Flat Lowering", "Lifting and
 * Lowering Values", `canon lift`/`canon lower`) compiled into core code.
 *
 * Layout is computed once per node, when the node is built
 * (abi_info_compute), from its children's already computed facts; every
 * size step is overflow-checked and a size reaching 2^28 (the validation
 * limit on elem_size) is recorded as "too big" instead of a number.
 */
#include "abi.h"

#include <string.h>

#include "arena.h"

#define CAP VTYPE_FLAT_CAP
#define TOO_BIG VTYPE_SIZE_TOO_BIG

static uint32_t
ptr_size(enum abi_ptr ptr)
{
	return ptr == ABI_PTR_I64 ? 8 : 4;
}

static enum abi_core
ptr_core(enum abi_ptr ptr)
{
	return ptr == ABI_PTR_I64 ? ABI_I64 : ABI_I32;
}

static uint32_t
max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* Types beyond meld's limits are never walked. */
static bool
walkable(const struct vtype *t)
{
	return t->info.depth <= VTYPE_MAX_DEPTH &&
	       t->info.tree_size <= VTYPE_MAX_TREE_SIZE;
}

/* ---- despecialisation ----------------------------------------------- */

enum vtype_kind
abi_despecialize(const struct vtype *t)
{
	switch (t->kind) {
	case VTYPE_TUPLE:
		return VTYPE_RECORD;
	case VTYPE_ENUM:
	case VTYPE_OPTION:
	case VTYPE_RESULT:
		return VTYPE_VARIANT;
	case VTYPE_MAP:
		return VTYPE_LIST;
	default:
		return t->kind;
	}
}

uint32_t
abi_field_count(const struct vtype *t)
{
	if (t->kind == VTYPE_RECORD || t->kind == VTYPE_TUPLE)
		return t->count;
	return 0;
}

const struct vtype *
abi_field(const struct vtype *t, uint32_t i)
{
	return i < abi_field_count(t) ? t->types[i] : NULL;
}

uint32_t
abi_case_count(const struct vtype *t)
{
	switch (t->kind) {
	case VTYPE_VARIANT:
	case VTYPE_ENUM:
		return t->count;
	case VTYPE_OPTION:
	case VTYPE_RESULT:
		return 2;
	default:
		return 0;
	}
}

const struct vtype *
abi_case(const struct vtype *t, uint32_t i)
{
	switch (t->kind) {
	case VTYPE_VARIANT:
	case VTYPE_RESULT:
		return i < abi_case_count(t) ? t->types[i] : NULL;
	case VTYPE_OPTION:
		return i == 1 ? t->elem : NULL; /* none, some(t) */
	default:
		return NULL;
	}
}

const struct vtype *
abi_list_elem(const struct vtype *t)
{
	switch (t->kind) {
	case VTYPE_LIST:
	case VTYPE_FIXED_LIST:
	case VTYPE_MAP:
		return t->elem;
	default:
		return NULL;
	}
}

/* ---- scalar layout rules -------------------------------------------- */

uint32_t
abi_align_to(uint32_t ptr, uint32_t alignment)
{
	return (ptr + alignment - 1) / alignment * alignment;
}

static size_t
align_to_size(size_t ptr, uint32_t alignment)
{
	return (ptr + alignment - 1) / alignment * alignment;
}

enum vtype_kind
abi_discriminant_type(uint32_t ncases)
{
	/*
	 * The spec computes ceil(log2(n) / 8) bytes, rounded to 1, 2 or 4;
	 * counts above 2^24 (byte count 4) are u32 as well.
	 */
	if (ncases <= (1u << 8))
		return VTYPE_U8;
	if (ncases <= (1u << 16))
		return VTYPE_U16;
	return VTYPE_U32;
}

uint32_t
abi_discriminant_size(uint32_t ncases)
{
	switch (abi_discriminant_type(ncases)) {
	case VTYPE_U8:
		return 1;
	case VTYPE_U16:
		return 2;
	default:
		return 4;
	}
}

uint32_t
abi_flags_size(uint32_t nlabels)
{
	if (nlabels == 0)
		return 0;
	if (nlabels <= 8)
		return 1;
	if (nlabels <= 16)
		return 2;
	return 4 * abi_flags_flat_count(nlabels);
}

uint32_t
abi_flags_alignment(uint32_t nlabels)
{
	if (nlabels <= 8)
		return 1;
	if (nlabels <= 16)
		return 2;
	return 4;
}

uint32_t
abi_flags_flat_count(uint32_t nlabels)
{
	return nlabels / 32 + (nlabels % 32 != 0);
}

/* Kinds without members (or whose members do not shape the layout). */
static bool
leaf_layout(enum vtype_kind k, enum abi_ptr ptr, uint32_t *size,
	    uint32_t *align)
{
	switch (k) {
	case VTYPE_BOOL:
	case VTYPE_S8:
	case VTYPE_U8:
		*size = *align = 1;
		return true;
	case VTYPE_S16:
	case VTYPE_U16:
		*size = *align = 2;
		return true;
	case VTYPE_S32:
	case VTYPE_U32:
	case VTYPE_F32:
	case VTYPE_CHAR:
	case VTYPE_ERROR_CONTEXT:
	case VTYPE_OWN:
	case VTYPE_BORROW:
	case VTYPE_STREAM:
	case VTYPE_FUTURE:
		*size = *align = 4;
		return true;
	case VTYPE_S64:
	case VTYPE_U64:
	case VTYPE_F64:
		*size = *align = 8;
		return true;
	case VTYPE_STRING:
	case VTYPE_LIST: /* variable length: (pointer, length) */
		*size = 2 * ptr_size(ptr);
		*align = ptr_size(ptr);
		return true;
	default:
		return false;
	}
}

/* elem_size_record and alignment_record; false when too big. */
static bool
record_layout(const struct vtype *t, enum abi_ptr ptr, uint32_t *size,
	      uint32_t *align)
{
	size_t s = 0;
	uint32_t a = 1;
	for (uint32_t i = 0; i < abi_field_count(t); i++) {
		const struct vtype *f = abi_field(t, i);
		if (!f)
			continue;
		if (f->info.size[ptr] == TOO_BIG)
			return false;
		s = align_to_size(s, f->info.align[ptr]);
		if (!size_add(s, f->info.size[ptr], &s) ||
		    s >= ABI_ELEM_SIZE_LIMIT)
			return false;
		a = max_u32(a, f->info.align[ptr]);
	}
	s = align_to_size(s, a);
	if (s >= ABI_ELEM_SIZE_LIMIT)
		return false;
	*size = (uint32_t)s;
	*align = a;
	return true;
}

/* elem_size_variant and alignment_variant; false when too big. */
static bool
variant_layout(const struct vtype *t, enum abi_ptr ptr, uint32_t *size,
	       uint32_t *align)
{
	uint32_t n = abi_case_count(t);
	uint32_t disc = abi_discriminant_size(n);
	uint32_t case_align = 1, case_size = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct vtype *c = abi_case(t, i);
		if (!c)
			continue;
		if (c->info.size[ptr] == TOO_BIG)
			return false;
		case_align = max_u32(case_align, c->info.align[ptr]);
		case_size = max_u32(case_size, c->info.size[ptr]);
	}
	uint32_t a = max_u32(disc, case_align);
	size_t s = abi_align_to(disc, case_align);
	if (!size_add(s, case_size, &s))
		return false;
	s = align_to_size(s, a);
	if (s >= ABI_ELEM_SIZE_LIMIT)
		return false;
	*size = (uint32_t)s;
	*align = a;
	return true;
}

bool
abi_elem_size_list(const struct vtype *elem, const uint32_t *maybe_length,
		   enum abi_ptr ptr, uint32_t *out)
{
	if (!maybe_length) {
		*out = 2 * ptr_size(ptr);
		return true;
	}
	size_t s;
	if (!elem || elem->info.size[ptr] == TOO_BIG ||
	    !size_mul(*maybe_length, elem->info.size[ptr], &s) ||
	    s >= ABI_ELEM_SIZE_LIMIT)
		return false;
	*out = (uint32_t)s;
	return true;
}

/* The layout of one node for one pointer width; false when too big. */
static bool
node_layout(const struct vtype *t, enum abi_ptr ptr, uint32_t *size,
	    uint32_t *align)
{
	enum vtype_kind k = abi_despecialize(t);
	if (leaf_layout(k, ptr, size, align))
		return true;
	switch (k) {
	case VTYPE_FLAGS:
		*size = abi_flags_size(t->count);
		*align = abi_flags_alignment(t->count);
		return true;
	case VTYPE_RECORD:
		return record_layout(t, ptr, size, align);
	case VTYPE_VARIANT:
		return variant_layout(t, ptr, size, align);
	case VTYPE_FIXED_LIST:
		*align = t->elem ? t->elem->info.align[ptr] : 1;
		return abi_elem_size_list(t->elem, &t->length, ptr, size);
	default:
		*size = 0;
		*align = 1;
		return true;
	}
}

/* ---- flat counts ---------------------------------------------------- */

static uint32_t
sat_add(uint32_t a, uint32_t b)
{
	return a >= CAP || b >= CAP || a + b >= CAP ? CAP : a + b;
}

static uint32_t
child_flat(const struct vtype *c)
{
	return c ? c->info.flat : 0;
}

/* The flat count of one node, from its children's (saturating). */
static uint32_t
node_flat(const struct vtype *t)
{
	uint32_t n = 0;
	switch (abi_despecialize(t)) {
	case VTYPE_STRING:
	case VTYPE_LIST:
		return 2;
	case VTYPE_FLAGS:
		return sat_add(abi_flags_flat_count(t->count), 0);
	case VTYPE_RECORD:
		for (uint32_t i = 0; i < abi_field_count(t); i++)
			n = sat_add(n, child_flat(abi_field(t, i)));
		return n;
	case VTYPE_VARIANT:
		for (uint32_t i = 0; i < abi_case_count(t); i++)
			n = max_u32(n, child_flat(abi_case(t, i)));
		return sat_add(1, n);
	case VTYPE_FIXED_LIST:
		n = child_flat(t->elem);
		if (n == 0 || t->length == 0)
			return 0;
		return t->length >= CAP ? CAP : sat_add(n * t->length, 0);
	default:
		return 1;
	}
}

/* ---- per-node facts ------------------------------------------------- */

static uint32_t
hash_mix(uint32_t h, uint32_t v)
{
	h ^= v + 0x9e3779b9u + (h << 6) + (h >> 2);
	return h;
}

static uint32_t
hash_name(uint32_t h, struct bin_name n)
{
	h = hash_mix(h, n.len);
	for (uint32_t i = 0; i < n.len; i++)
		h = hash_mix(h, n.p[i]);
	return h;
}

static uint32_t
sat_limit(uint32_t v, uint32_t limit)
{
	return v > limit ? limit + 1 : v;
}

/* Fold a child into its parent's facts; props only when the child's
 * values travel with the parent's (not a stream's or future's elements). */
static void
merge_child(struct vtype_info *out, const struct vtype *c, bool props)
{
	uint32_t h = c ? c->info.hash : 0x5bd1e995u;
	out->hash = hash_mix(out->hash, h);
	if (!c)
		return;
	out->depth = max_u32(out->depth,
			     sat_limit(c->info.depth + 1, VTYPE_MAX_DEPTH));
	/* both terms stay at most VTYPE_MAX_TREE_SIZE + 1: no overflow */
	out->tree_size = sat_limit(out->tree_size + c->info.tree_size,
				   VTYPE_MAX_TREE_SIZE);
	if (props)
		out->props |= c->info.props;
	if (out->problem == VTYPE_OK)
		out->problem = c->info.problem;
}

static uint32_t
own_props(enum vtype_kind k)
{
	switch (k) {
	case VTYPE_STRING:
		return VTYPE_P_STRING;
	case VTYPE_LIST:
	case VTYPE_MAP:
		return VTYPE_P_LIST;
	case VTYPE_OWN:
		return VTYPE_P_OWN;
	case VTYPE_BORROW:
		return VTYPE_P_BORROW;
	case VTYPE_STREAM:
	case VTYPE_FUTURE:
		return VTYPE_P_ASYNC;
	case VTYPE_ERROR_CONTEXT:
		return VTYPE_P_ERRCTX;
	case VTYPE_F32:
	case VTYPE_F64:
		return VTYPE_P_FLOAT;
	default:
		return 0;
	}
}

/* What the component model itself forbids about this node's shape. */
static enum vtype_problem
shape_problem(const struct vtype *t)
{
	switch (t->kind) {
	case VTYPE_RECORD:
	case VTYPE_TUPLE:
	case VTYPE_VARIANT:
	case VTYPE_ENUM:
		return t->count == 0 ? VTYPE_BAD_EMPTY : VTYPE_OK;
	case VTYPE_FLAGS:
		return t->count == 0 || t->count > 32 ? VTYPE_BAD_FLAGS
						      : VTYPE_OK;
	case VTYPE_FIXED_LIST:
		if (!t->elem)
			return VTYPE_BAD_EMPTY;
		return t->length == 0 ? VTYPE_BAD_LENGTH : VTYPE_OK;
	case VTYPE_LIST:
	case VTYPE_OPTION:
		return t->elem ? VTYPE_OK : VTYPE_BAD_EMPTY;
	default:
		return VTYPE_OK;
	}
}

static void
info_children(const struct vtype *t, struct vtype_info *out)
{
	bool props = t->kind != VTYPE_STREAM && t->kind != VTYPE_FUTURE;
	if (t->types) {
		for (uint32_t i = 0; i < t->count; i++) {
			const struct vtype *c = t->types[i];
			/* a record or tuple member must be there */
			if (!c && (t->kind == VTYPE_RECORD ||
				   t->kind == VTYPE_TUPLE ||
				   t->kind == VTYPE_MAP) &&
			    out->problem == VTYPE_OK)
				out->problem = VTYPE_BAD_EMPTY;
			merge_child(out, c, props);
		}
	}
	/* A map's elem is made of its key and value, merged above. */
	if (t->kind != VTYPE_MAP)
		merge_child(out, t->elem, props);
}

static void
info_labels(const struct vtype *t, struct vtype_info *out)
{
	if (!t->labels)
		return;
	for (uint32_t i = 0; i < t->count; i++)
		out->hash = hash_name(out->hash, t->labels[i]);
}

void
abi_info_compute(const struct vtype *t, struct vtype_info *out)
{
	memset(out, 0, sizeof *out);
	out->depth = 1;
	out->tree_size = 1;
	out->hash = hash_mix(hash_mix(hash_mix(0, (uint32_t)t->kind),
				      t->count),
			     t->length);
	if (t->resource)
		out->hash = hash_mix(out->hash, t->resource->id);
	info_labels(t, out);
	info_children(t, out);
	out->props |= own_props(t->kind);
	for (unsigned p = 0; p < VTYPE_NPTR; p++) {
		uint32_t size = TOO_BIG, align = 1;
		if (!node_layout(t, (enum abi_ptr)p, &size, &align))
			size = TOO_BIG;
		out->size[p] = size;
		out->align[p] = (uint8_t)align;
	}
	out->flat = (uint8_t)node_flat(t);
	if (out->problem == VTYPE_OK)
		out->problem = (uint8_t)shape_problem(t);
	if (out->problem == VTYPE_OK && out->size[ABI_PTR_I64] == TOO_BIG)
		out->problem = VTYPE_BAD_TOO_BIG;
	if (out->depth > VTYPE_MAX_DEPTH)
		out->problem = VTYPE_BAD_TOO_DEEP;
	else if (out->tree_size > VTYPE_MAX_TREE_SIZE)
		out->problem = VTYPE_BAD_TOO_LARGE;
}

enum meld_status
abi_check(const struct vtype *t, struct diag *d, const char *input,
	  size_t offset)
{
	char text[160];
	if (t->info.problem == VTYPE_OK)
		return MELD_OK;
	vtype_print(t, text, sizeof text);
	switch (t->info.problem) {
	case VTYPE_BAD_EMPTY:
		return diag_fail(d, MELD_EINVALID, input, offset,
				 "type %s: a record, tuple, variant or enum "
				 "needs at least one member",
				 text);
	case VTYPE_BAD_FLAGS:
		return diag_fail(d, MELD_EINVALID, input, offset,
				 "type %s: flags need 1 to 32 labels", text);
	case VTYPE_BAD_LENGTH:
		return diag_fail(d, MELD_EINVALID, input, offset,
				 "type %s: a fixed-length list needs a "
				 "length above 0",
				 text);
	case VTYPE_BAD_TOO_BIG:
		return diag_fail(d, MELD_EINVALID, input, offset,
				 "type %s: its canonical ABI size reaches "
				 "2^28 bytes",
				 text);
	case VTYPE_BAD_TOO_DEEP:
		return diag_fail(d, MELD_EUNSUPPORTED, input, offset,
				 "type %s: nested deeper than %u levels", text,
				 VTYPE_MAX_DEPTH);
	default:
		return diag_fail(d, MELD_EUNSUPPORTED, input, offset,
				 "type %s: more than %u nodes (shared parts "
				 "counted each time)",
				 text, VTYPE_MAX_TREE_SIZE);
	}
}

/* ---- alignment, size, offsets --------------------------------------- */

uint32_t
abi_alignment(const struct vtype *t, enum abi_ptr ptr)
{
	return t->info.align[ptr];
}

uint32_t
abi_elem_size(const struct vtype *t, enum abi_ptr ptr)
{
	return t->info.size[ptr];
}

uint32_t
abi_max_case_alignment(const struct vtype *t, enum abi_ptr ptr)
{
	uint32_t a = 1;
	for (uint32_t i = 0; i < abi_case_count(t); i++) {
		const struct vtype *c = abi_case(t, i);
		if (c)
			a = max_u32(a, c->info.align[ptr]);
	}
	return a;
}

uint32_t
abi_field_offset(const struct vtype *t, uint32_t i, enum abi_ptr ptr)
{
	uint32_t off = 0;
	for (uint32_t j = 0; j <= i && j < abi_field_count(t); j++) {
		const struct vtype *f = abi_field(t, j);
		if (!f)
			continue;
		off = abi_align_to(off, f->info.align[ptr]);
		if (j == i)
			break;
		off += f->info.size[ptr];
	}
	return off;
}

uint32_t
abi_payload_offset(const struct vtype *t, enum abi_ptr ptr)
{
	return abi_align_to(abi_discriminant_size(abi_case_count(t)),
			    abi_max_case_alignment(t, ptr));
}

/* ---- flattening ----------------------------------------------------- */

enum abi_core
abi_join(enum abi_core a, enum abi_core b)
{
	if (a == b)
		return a;
	if ((a == ABI_I32 && b == ABI_F32) || (a == ABI_F32 && b == ABI_I32))
		return ABI_I32;
	return ABI_I64;
}

static void
flat_push(struct abi_flat *out, enum abi_core t)
{
	if (out->count < CAP)
		out->types[out->count++] = t;
}

static enum abi_core
prim_core(enum vtype_kind k)
{
	switch (k) {
	case VTYPE_S64:
	case VTYPE_U64:
		return ABI_I64;
	case VTYPE_F32:
		return ABI_F32;
	case VTYPE_F64:
		return ABI_F64;
	default:
		return ABI_I32;
	}
}

static void flatten_into(const struct vtype *t, enum abi_ptr ptr,
			 struct abi_flat *out);

/* flatten_variant: the discriminant, then the cases' payloads joined. */
static void
flatten_variant(const struct vtype *t, enum abi_ptr ptr, struct abi_flat *out)
{
	struct abi_flat joined = {0};
	for (uint32_t i = 0; i < abi_case_count(t); i++) {
		const struct vtype *c = abi_case(t, i);
		if (!c)
			continue;
		struct abi_flat cf = {0};
		flatten_into(c, ptr, &cf);
		for (uint32_t j = 0; j < cf.count; j++) {
			if (j < joined.count)
				joined.types[j] =
					abi_join(joined.types[j], cf.types[j]);
			else
				flat_push(&joined, cf.types[j]);
		}
	}
	flat_push(out, ABI_I32);
	for (uint32_t j = 0; j < joined.count; j++)
		flat_push(out, joined.types[j]);
}

static void
flatten_into(const struct vtype *t, enum abi_ptr ptr, struct abi_flat *out)
{
	/* A saturated node makes the whole list saturated. */
	if (out->count >= CAP || t->info.flat >= CAP || !walkable(t)) {
		out->count = CAP;
		return;
	}
	switch (abi_despecialize(t)) {
	case VTYPE_STRING:
	case VTYPE_LIST:
		flat_push(out, ptr_core(ptr));
		flat_push(out, ptr_core(ptr));
		break;
	case VTYPE_FLAGS:
		for (uint32_t i = 0; i < t->info.flat; i++)
			flat_push(out, ABI_I32);
		break;
	case VTYPE_RECORD:
		for (uint32_t i = 0; i < abi_field_count(t); i++)
			if (abi_field(t, i))
				flatten_into(abi_field(t, i), ptr, out);
		break;
	case VTYPE_VARIANT:
		flatten_variant(t, ptr, out);
		break;
	case VTYPE_FIXED_LIST:
		abi_flatten_list(t->elem, &t->length, ptr, out);
		break;
	default:
		flat_push(out, prim_core(t->kind));
		break;
	}
}

void
abi_flatten(const struct vtype *t, enum abi_ptr ptr, struct abi_flat *out)
{
	memset(out, 0, sizeof *out);
	flatten_into(t, ptr, out);
}

/* Appends to out (callers start from a zeroed or partial list). */
void
abi_flatten_list(const struct vtype *elem, const uint32_t *maybe_length,
		 enum abi_ptr ptr, struct abi_flat *out)
{
	if (!maybe_length) {
		flat_push(out, ptr_core(ptr));
		flat_push(out, ptr_core(ptr));
		return;
	}
	if (!elem || elem->info.flat == 0)
		return;
	for (uint32_t i = 0; i < *maybe_length && out->count < CAP; i++)
		flatten_into(elem, ptr, out);
}

uint32_t
abi_flat_count(const struct vtype *t)
{
	return t->info.flat;
}

void
abi_flatten_functype(const struct vtype_func *ft, const struct abi_sig_opts *o,
		     enum abi_context cx, struct abi_core_func *out)
{
	memset(out, 0, sizeof *out);
	for (uint32_t i = 0; i < ft->nparams; i++)
		flatten_into(ft->params[i].type, o->ptr, &out->params);
	if (ft->result)
		flatten_into(ft->result, o->ptr, &out->results);

	uint32_t max_params = ABI_MAX_FLAT_PARAMS;
	if (o->async && cx == ABI_LOWER)
		max_params = ABI_MAX_FLAT_ASYNC_PARAMS;
	if (out->params.count > max_params) {
		memset(&out->params, 0, sizeof out->params);
		flat_push(&out->params, ptr_core(o->ptr));
		out->params_in_memory = true;
	}

	if (!o->async) {
		if (out->results.count <= ABI_MAX_FLAT_RESULTS)
			return;
		out->results_in_memory = true;
		memset(&out->results, 0, sizeof out->results);
		if (cx == ABI_LIFT)
			flat_push(&out->results, ptr_core(o->ptr));
		else
			flat_push(&out->params, ptr_core(o->ptr));
		return;
	}
	if (cx == ABI_LIFT) {
		/* async lift: results go through task.return */
		memset(&out->results, 0, sizeof out->results);
		if (o->callback)
			flat_push(&out->results, ABI_I32);
		return;
	}
	if (out->results.count > 0) {
		flat_push(&out->params, ptr_core(o->ptr));
		out->results_in_memory = true;
	}
	memset(&out->results, 0, sizeof out->results);
	flat_push(&out->results, ABI_I32);
}

/* ---- predicates ----------------------------------------------------- */

bool
abi_needs_memory(const struct vtype *t)
{
	return (t->info.props & (VTYPE_P_STRING | VTYPE_P_LIST)) != 0;
}

bool
abi_contains_resource(const struct vtype *t)
{
	return (t->info.props & (VTYPE_P_OWN | VTYPE_P_BORROW)) != 0;
}

bool
abi_contains_borrow(const struct vtype *t)
{
	return (t->info.props & VTYPE_P_BORROW) != 0;
}

bool
abi_contains_async(const struct vtype *t)
{
	return (t->info.props & VTYPE_P_ASYNC) != 0;
}

bool
abi_is_scalar(const struct vtype *t)
{
	uint32_t not_scalar = VTYPE_P_STRING | VTYPE_P_LIST | VTYPE_P_OWN |
			      VTYPE_P_BORROW | VTYPE_P_ASYNC | VTYPE_P_ERRCTX;
	return (t->info.props & not_scalar) == 0 &&
	       t->info.problem == VTYPE_OK;
}

bool
abi_func_is_scalar(const struct vtype_func *ft)
{
	if (ft->async)
		return false;
	uint32_t nflat = 0;
	for (uint32_t i = 0; i < ft->nparams; i++) {
		if (!abi_is_scalar(ft->params[i].type))
			return false;
		nflat = sat_add(nflat, abi_flat_count(ft->params[i].type));
	}
	if (nflat > ABI_MAX_FLAT_PARAMS)
		return false;
	if (!ft->result)
		return true;
	return abi_is_scalar(ft->result) &&
	       abi_flat_count(ft->result) <= ABI_MAX_FLAT_RESULTS;
}

/* The value converts to itself, bit for bit, from caller to callee. */
static bool
converts_to_itself(const struct vtype *t, const struct abi_conv_opts *o)
{
	switch (abi_despecialize(t)) {
	case VTYPE_S32:
	case VTYPE_U32:
	case VTYPE_S64:
	case VTYPE_U64:
		return true;
	case VTYPE_F32:
	case VTYPE_F64:
		return !o->canon_nans;
	case VTYPE_FLAGS:
		return t->count % 32 == 0;
	case VTYPE_RECORD:
		for (uint32_t i = 0; i < abi_field_count(t); i++)
			if (!converts_to_itself(abi_field(t, i), o))
				return false;
		return true;
	case VTYPE_FIXED_LIST:
		return converts_to_itself(t->elem, o);
	default:
		/* narrow integers, bool, char, variants: masked or checked */
		return false;
	}
}

bool
abi_func_is_passthrough(const struct vtype_func *ft,
			const struct abi_conv_opts *o)
{
	if (!abi_func_is_scalar(ft))
		return false;
	for (uint32_t i = 0; i < ft->nparams; i++)
		if (!converts_to_itself(ft->params[i].type, o))
			return false;
	return !ft->result || converts_to_itself(ft->result, o);
}

/* ---- code: scalar conversions --------------------------------------- */

/*
 * One conversion in progress.  Slots are the flat values of the value
 * being converted, numbered from 0.  have[] is each slot's core type as it
 * is passed, which inside a variant is the join of the cases' types;
 * a leaf's own flat type is what lift_flat asks for ("want").
 */
struct conv {
	struct cgen_func *f;
	const struct abi_conv_opts *o;
	const uint32_t *in;
	uint32_t *out;
	enum abi_core have[CAP];
	uint32_t scratch_i32, scratch_f32, scratch_f64;
};

#define NO_LOCAL UINT32_MAX

static uint32_t
scratch(struct conv *c, enum abi_core t)
{
	uint32_t *s = t == ABI_F32   ? &c->scratch_f32
		      : t == ABI_F64 ? &c->scratch_f64
				     : &c->scratch_i32;
	if (*s == NO_LOCAL)
		*s = cgen_local(c->f, (enum cgen_valtype)t);
	return *s;
}

/* CoerceValueIter.next: from the passed type to the wanted one. */
static void
coerce_in(struct cgen_func *f, enum abi_core have, enum abi_core want)
{
	if (have == want)
		return;
	if (have == ABI_I64 && want != ABI_F64)
		cgen_i32_wrap_i64(f); /* wrap_i64_to_i32 */
	if (want == ABI_F32)
		cgen_f32_reinterpret_i32(f);
	else if (want == ABI_F64)
		cgen_f64_reinterpret_i64(f);
}

/* lower_flat_variant's coercion: from the value's type to the passed. */
static void
coerce_out(struct cgen_func *f, enum abi_core want, enum abi_core have)
{
	if (have == want)
		return;
	if (want == ABI_F32)
		cgen_i32_reinterpret_f32(f);
	else if (want == ABI_F64)
		cgen_i64_reinterpret_f64(f);
	if (have == ABI_I64 && want != ABI_F64)
		cgen_i64_extend_i32_u(f); /* an i32 zero-extends */
}

static void
zero(struct cgen_func *f, enum abi_core t)
{
	switch (t) {
	case ABI_I64:
		cgen_i64_const(f, 0);
		break;
	case ABI_F32:
		cgen_f32_const(f, 0);
		break;
	case ABI_F64:
		cgen_f64_const(f, 0);
		break;
	default:
		cgen_i32_const(f, 0);
		break;
	}
}

/* convert_i32_to_char: trap unless a Unicode scalar value. */
static void
check_char(struct conv *c)
{
	uint32_t s = scratch(c, ABI_I32);
	cgen_local_tee(c->f, s);
	cgen_i32_const(c->f, 0x110000);
	cgen_i32_ge_u(c->f);
	cgen_local_get(c->f, s);
	cgen_i32_const(c->f, 0xd800);
	cgen_i32_sub(c->f);
	cgen_i32_const(c->f, 0x800);
	cgen_i32_lt_u(c->f); /* 0xd800 <= i <= 0xdfff */
	cgen_i32_or(c->f);
	cgen_if(c->f, CGEN_VOID);
	cgen_unreachable(c->f);
	cgen_end(c->f);
	cgen_local_get(c->f, s);
}

/* canonicalize_nan32/64 (deterministic profile only). */
static void
canon_nan(struct conv *c, enum abi_core t)
{
	uint32_t s = scratch(c, t);
	cgen_local_tee(c->f, s);
	if (t == ABI_F32)
		cgen_f32_const(c->f, 0x7fc00000u);
	else
		cgen_f64_const(c->f, 0x7ff8000000000000u);
	cgen_local_get(c->f, s);
	cgen_local_get(c->f, s);
	if (t == ABI_F32)
		cgen_f32_eq(c->f);
	else
		cgen_f64_eq(c->f);
	cgen_select(c->f); /* x == x ? x : NaN */
}

static void
mask_i32(struct cgen_func *f, uint32_t mask)
{
	cgen_i32_const(f, (int32_t)mask);
	cgen_i32_and(f);
}

/*
 * lift_flat then lower_flat of one scalar, on the stack in its own flat
 * type.  mask: for flags words, the bits that are labels.  Returns false
 * when the value is its own conversion.
 */
static bool
leaf_ops(struct conv *c, enum vtype_kind k, uint32_t mask, bool emit)
{
	switch (k) {
	case VTYPE_BOOL: /* convert_int_to_bool, then int(v) */
		if (emit) {
			cgen_i32_const(c->f, 0);
			cgen_i32_ne(c->f);
		}
		return true;
	case VTYPE_U8:
	case VTYPE_U16: /* i % 2^width */
		if (emit)
			mask_i32(c->f, k == VTYPE_U8 ? 0xffu : 0xffffu);
		return true;
	case VTYPE_S8: /* two's complement of the low bits, then to i32 */
		if (emit)
			cgen_i32_extend8_s(c->f);
		return true;
	case VTYPE_S16:
		if (emit)
			cgen_i32_extend16_s(c->f);
		return true;
	case VTYPE_CHAR:
		if (emit)
			check_char(c);
		return true;
	case VTYPE_F32:
	case VTYPE_F64:
		if (!c->o->canon_nans)
			return false;
		if (emit)
			canon_nan(c, prim_core(k));
		return true;
	case VTYPE_FLAGS: /* unpack_flags_from_int keeps the label bits */
		if (mask == UINT32_MAX)
			return false;
		if (emit)
			mask_i32(c->f, mask);
		return true;
	default: /* s32, u32, s64, u64 */
		return false;
	}
}

/*
 * Convert the scalar in slot `slot`.  At the top level (not inside a
 * variant) an unchanged value keeps its local; otherwise the result goes
 * to a local of the slot's passed type.
 */
static void
conv_leaf(struct conv *c, enum vtype_kind k, uint32_t mask, uint32_t slot,
	  enum abi_core want, bool inside)
{
	enum abi_core have = c->have[slot];
	bool changes = leaf_ops(c, k, mask, false);
	if (!inside) {
		if (!changes) {
			c->out[slot] = c->in[slot];
			return;
		}
		c->out[slot] = cgen_local(c->f, (enum cgen_valtype)have);
	}
	cgen_local_get(c->f, c->in[slot]);
	/*
	 * A float that does not change is just bits: an f32 in an i32 or i64
	 * slot is moved as an i32 (wrapped and zero-extended from an i64
	 * slot, as the spec's coercions do), an f64 in an i64 slot as is.
	 */
	if (!changes && have != want)
		want = want == ABI_F32 ? ABI_I32
		       : want == ABI_F64 ? ABI_I64
					 : want;
	coerce_in(c->f, have, want);
	leaf_ops(c, k, mask, true);
	coerce_out(c->f, want, have);
	cgen_local_set(c->f, c->out[slot]);
}

static void conv_value(struct conv *c, const struct vtype *t, uint32_t slot,
		       bool inside);

/* The cases after the discriminant check: one block per case. */
static void
conv_cases(struct conv *c, const struct vtype *t, uint32_t slot, uint32_t d)
{
	uint32_t n = abi_case_count(t);
	uint32_t m = t->info.flat - 1; /* payload slots */
	struct cgen_func *f = c->f;
	for (uint32_t i = 0; i <= n; i++)
		cgen_block(f, CGEN_VOID);
	cgen_local_get(f, d);
	cgen_br_table_seq(f, n, n - 1); /* default unused: d < n */
	for (uint32_t i = 0; i < n; i++) {
		cgen_end(f); /* case i starts after the end of its block */
		const struct vtype *p = abi_case(t, i);
		uint32_t k = 0;
		if (p) {
			conv_value(c, p, slot + 1, true);
			k = p->info.flat;
		}
		/* lower_flat_variant pads with zeros */
		for (uint32_t s = slot + 1 + k; s <= slot + m; s++) {
			zero(f, c->have[s]);
			cgen_local_set(f, c->out[s]);
		}
		if (i + 1 < n)
			cgen_br(f, n - 1 - i); /* to the outermost block */
	}
	cgen_end(f);
}

/* lift_flat_variant / lower_flat_variant. */
static void
conv_variant(struct conv *c, const struct vtype *t, uint32_t slot,
	     bool inside)
{
	struct cgen_func *f = c->f;
	uint32_t n = abi_case_count(t);
	if (!inside) {
		/* every case writes every slot: allocate them once here */
		for (uint32_t s = slot; s < slot + t->info.flat; s++)
			c->out[s] = cgen_local(f, (enum cgen_valtype)c->have[s]);
	}
	uint32_t d = scratch(c, ABI_I32);
	cgen_local_get(f, c->in[slot]);
	coerce_in(f, c->have[slot], ABI_I32);
	cgen_local_tee(f, d);
	cgen_i32_const(f, (int32_t)n);
	cgen_i32_ge_u(f); /* trap_if(case_index >= len(cases)) */
	cgen_if(f, CGEN_VOID);
	cgen_unreachable(f);
	cgen_end(f);
	cgen_local_get(f, d);
	coerce_out(f, ABI_I32, c->have[slot]);
	cgen_local_set(f, c->out[slot]);
	if (t->info.flat > 1)
		conv_cases(c, t, slot, d);
}

static void
conv_flags(struct conv *c, const struct vtype *t, uint32_t slot, bool inside)
{
	uint32_t words = t->info.flat;
	for (uint32_t w = 0; w < words; w++) {
		uint32_t bits = t->count - 32 * w;
		uint32_t mask = bits >= 32 ? UINT32_MAX : (1u << bits) - 1;
		conv_leaf(c, VTYPE_FLAGS, mask, slot + w, ABI_I32, inside);
	}
}

static void
conv_value(struct conv *c, const struct vtype *t, uint32_t slot, bool inside)
{
	switch (abi_despecialize(t)) {
	case VTYPE_RECORD:
		for (uint32_t i = 0; i < abi_field_count(t); i++) {
			const struct vtype *fld = abi_field(t, i);
			conv_value(c, fld, slot, inside);
			slot += fld->info.flat;
		}
		break;
	case VTYPE_FIXED_LIST:
		for (uint32_t i = 0; i < t->length; i++) {
			conv_value(c, t->elem, slot, inside);
			slot += t->elem->info.flat;
		}
		break;
	case VTYPE_VARIANT:
		conv_variant(c, t, slot, inside);
		break;
	case VTYPE_FLAGS:
		conv_flags(c, t, slot, inside);
		break;
	default:
		conv_leaf(c, t->kind, UINT32_MAX, slot, prim_core(t->kind),
			  inside);
		break;
	}
}

enum meld_status
abi_emit_flat_convert(struct cgen_func *f, const struct vtype *t,
		      const struct abi_conv_opts *o, const uint32_t *in_locals,
		      uint32_t *out_locals)
{
	if (!abi_is_scalar(t) || t->info.flat > ABI_MAX_FLAT_PARAMS)
		return MELD_EUNSUPPORTED;
	struct conv c = {f, o, in_locals, out_locals, {0}, NO_LOCAL, NO_LOCAL,
			 NO_LOCAL};
	struct abi_flat flat;
	abi_flatten(t, ABI_PTR_I32, &flat);
	memcpy(c.have, flat.types, sizeof c.have);
	conv_value(&c, t, 0, false);
	return cgen_status(f);
}

enum meld_status
abi_emit_scalar_adapter(struct cgen_func *f,
			const struct abi_scalar_adapter *a)
{
	const struct vtype_func *ft = a->ft;
	if (!abi_func_is_scalar(ft))
		return MELD_EUNSUPPORTED;
	uint32_t in[ABI_MAX_FLAT_PARAMS] = {0}, out[ABI_MAX_FLAT_PARAMS] = {0};
	uint32_t nflat = 0;
	for (uint32_t i = 0; i < ft->nparams; i++)
		nflat += ft->params[i].type->info.flat;
	if (f->nparams != nflat)
		return MELD_EUSAGE;
	for (uint32_t i = 0; i < nflat; i++)
		in[i] = i;

	uint32_t slot = 0;
	for (uint32_t i = 0; i < ft->nparams; i++) {
		const struct vtype *t = ft->params[i].type;
		enum meld_status st = abi_emit_flat_convert(f, t, &a->conv,
							    in + slot,
							    out + slot);
		if (st != MELD_OK)
			return st;
		slot += t->info.flat;
	}
	for (uint32_t i = 0; i < nflat; i++)
		cgen_local_get(f, out[i]);
	cgen_call(f, a->callee_funcidx);

	if (!ft->result || ft->result->info.flat == 0) {
		if (a->has_post_return)
			cgen_call(f, a->post_return_funcidx);
		return cgen_status(f);
	}
	struct abi_flat rflat;
	abi_flatten(ft->result, ABI_PTR_I32, &rflat);
	uint32_t raw = cgen_local(f, (enum cgen_valtype)rflat.types[0]);
	uint32_t conv_out;
	cgen_local_set(f, raw);
	enum meld_status st = abi_emit_flat_convert(f, ft->result, &a->conv,
						    &raw, &conv_out);
	if (st != MELD_OK)
		return st;
	if (a->has_post_return) {
		cgen_local_get(f, raw);
		cgen_call(f, a->post_return_funcidx);
	}
	cgen_local_get(f, conv_out);
	return cgen_status(f);
}
