/*
 * abi: the canonical ABI (CanonicalABI.md) as pure functions over resolved
 * value types: despecialisation, alignment, element size, flattening,
 * field and payload offsets, flat function types; and the code that
 * converts flat values from a caller's `canon lower` to a callee's
 * `canon lift` when every value is a scalar.
 *
 * Layout questions are answered for a pointer width (enum abi_ptr): i32
 * for ordinary memories, i64 for memory64 (the spec's ptr_type).
 */
#ifndef ABI_H
#define ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgen.h"
#include "common.h"
#include "diag.h"
#include "vtype.h"

/* The pointer type of a memory: indexes vtype_info's per-width arrays. */
enum abi_ptr {
	ABI_PTR_I32 = 0,
	ABI_PTR_I64 = 1
};

/* Core value types of flat values (binary codes). */
enum abi_core {
	ABI_I32 = 0x7f,
	ABI_I64 = 0x7e,
	ABI_F32 = 0x7d,
	ABI_F64 = 0x7c
};

#define ABI_MAX_FLAT_PARAMS 16u
#define ABI_MAX_FLAT_ASYNC_PARAMS 4u
#define ABI_MAX_FLAT_RESULTS 1u
/* Validation: elem_size(t, 'i64') < 2^28 for every value type. */
#define ABI_ELEM_SIZE_LIMIT (1u << 28)

/* ---- per-node facts (called by the vtype constructors) -------------- */

/* Fill *out for t from its kind, members and its children's info. */
void abi_info_compute(const struct vtype *t, struct vtype_info *out);

/*
 * Report (at input:offset) why t cannot be used: the component model
 * forbids it (MELD_EINVALID: empty record, flags outside 1..32 labels,
 * fixed-length list of length 0, elem_size >= 2^28) or meld's limits
 * refuse it (MELD_EUNSUPPORTED).  MELD_OK when t is fine.
 */
MELD_CHECK_RESULT enum meld_status abi_check(const struct vtype *t,
					     struct diag *d,
					     const char *input,
					     size_t offset);

/* ---- despecialisation ----------------------------------------------- */

/*
 * The kind t despecialises to: tuple → record, enum/option/result →
 * variant, map → list (of tuple<key, value>); others are themselves.
 */
enum vtype_kind abi_despecialize(const struct vtype *t);
/* Fields of a record or tuple. */
uint32_t abi_field_count(const struct vtype *t);
const struct vtype *abi_field(const struct vtype *t, uint32_t i);
/* Cases of a variant, enum, option or result; NULL: no payload. */
uint32_t abi_case_count(const struct vtype *t);
const struct vtype *abi_case(const struct vtype *t, uint32_t i);
/* Element of a list, fixed-length list or map (tuple<key, value>). */
const struct vtype *abi_list_elem(const struct vtype *t);

/* ---- alignment and size --------------------------------------------- */

uint32_t abi_align_to(uint32_t ptr, uint32_t alignment);
uint32_t abi_alignment(const struct vtype *t, enum abi_ptr ptr);
/* elem_size; VTYPE_SIZE_TOO_BIG for a type abi_check refuses. */
uint32_t abi_elem_size(const struct vtype *t, enum abi_ptr ptr);
/* u8, u16 or u32: the smallest integer numbering n cases. */
enum vtype_kind abi_discriminant_type(uint32_t ncases);
uint32_t abi_discriminant_size(uint32_t ncases);
uint32_t abi_max_case_alignment(const struct vtype *t, enum abi_ptr ptr);
/*
 * Flags: 1..8 labels → 1 byte, ..16 → 2, ..32 → 4.  The current spec
 * allows only 1..32 labels; beyond that (and for 0) these follow the
 * earlier spec (4 bytes per 32 labels, one i32 each; 0 labels → nothing)
 * so the functions stay total, and abi_check refuses such types.
 */
uint32_t abi_flags_size(uint32_t nlabels);
uint32_t abi_flags_alignment(uint32_t nlabels);
uint32_t abi_flags_flat_count(uint32_t nlabels);
/* Byte offset of field i of a record or tuple. */
uint32_t abi_field_offset(const struct vtype *t, uint32_t i,
			  enum abi_ptr ptr);
/* Byte offset of the payload of a variant, enum, option or result. */
uint32_t abi_payload_offset(const struct vtype *t, enum abi_ptr ptr);
/*
 * elem_size_list: maybe_length NULL for a variable-length list.  Fails
 * (false) when the size reaches 2^28 or overflows.
 */
MELD_CHECK_RESULT bool abi_elem_size_list(const struct vtype *elem,
					  const uint32_t *maybe_length,
					  enum abi_ptr ptr, uint32_t *out);

/* ---- flattening ----------------------------------------------------- */

/*
 * Flat core types.  count saturates at VTYPE_FLAT_CAP, meaning "more than
 * MAX_FLAT_PARAMS"; then the types are unspecified.  Below it, count and
 * types are exact.
 */
struct abi_flat {
	uint32_t count;
	enum abi_core types[VTYPE_FLAT_CAP];
};

enum abi_core abi_join(enum abi_core a, enum abi_core b);
void abi_flatten(const struct vtype *t, enum abi_ptr ptr,
		 struct abi_flat *out);
void abi_flatten_list(const struct vtype *elem, const uint32_t *maybe_length,
		      enum abi_ptr ptr, struct abi_flat *out);
/* The flat count alone (saturating like abi_flat.count). */
uint32_t abi_flat_count(const struct vtype *t);

enum abi_context {
	ABI_LIFT, /* the core function of a `canon lift` */
	ABI_LOWER /* the core function a `canon lower` produces */
};

/* The options of one side that shape its core signature. */
struct abi_sig_opts {
	enum abi_ptr ptr; /* its memory's pointer type */
	bool async;
	bool callback;
};

/*
 * flatten_functype.  params_in_memory: the parameters travel as one
 * pointer; results_in_memory: the results do (lift: a returned pointer,
 * lower: an extra pointer parameter).
 */
struct abi_core_func {
	struct abi_flat params;
	struct abi_flat results;
	bool params_in_memory;
	bool results_in_memory;
};

void abi_flatten_functype(const struct vtype_func *ft,
			  const struct abi_sig_opts *o, enum abi_context cx,
			  struct abi_core_func *out);

/* ---- predicates ----------------------------------------------------- */

/* Contains a string, a variable-length list or a map. */
bool abi_needs_memory(const struct vtype *t);
bool abi_contains_resource(const struct vtype *t); /* own or borrow */
bool abi_contains_borrow(const struct vtype *t);
bool abi_contains_async(const struct vtype *t); /* stream or future */
/* Travels in flat values only: no memory, no handle of any kind. */
bool abi_is_scalar(const struct vtype *t);

/* Options of the scalar conversions. */
struct abi_conv_opts {
	/*
	 * The deterministic profile: NaNs become the canonical NaN.  Off,
	 * NaN bits pass through unchanged, which the spec allows ("hosts may
	 * ... [use] the original value of the NaN before lifting").
	 */
	bool canon_nans;
};

/*
 * A synchronous function whose parameters and result are all scalars and
 * whose flat parameters and result fit in core values: a scalar adapter
 * can carry it.
 */
bool abi_func_is_scalar(const struct vtype_func *ft);
/*
 * Caller and callee agree bit for bit: the caller's core function can
 * call the callee's directly.  True for scalar functions whose every
 * value converts to itself (u32, s32, u64, s64, f32/f64 unless canon_nans,
 * flags of 32 labels, records and tuples of those).
 */
bool abi_func_is_passthrough(const struct vtype_func *ft,
			     const struct abi_conv_opts *o);

/* ---- code: scalar conversions --------------------------------------- */

/*
 * Emit code that lifts the flat values of t held in in_locals (the
 * caller's `canon lower` side: lift_flat) and lowers the lifted value for
 * the callee's `canon lift` (lower_flat), leaving them in out_locals[]
 * (filled here; an out local may be the in local when nothing changes).
 * Traps where lifting traps: a char that is not a Unicode scalar value, a
 * variant or enum discriminant out of range.  t must be scalar and have
 * at most MAX_FLAT_PARAMS flat values (else MELD_EUNSUPPORTED);
 * in_locals and out_locals have abi_flat_count(t) entries.
 */
MELD_CHECK_RESULT enum meld_status
abi_emit_flat_convert(struct cgen_func *f, const struct vtype *t,
		      const struct abi_conv_opts *o, const uint32_t *in_locals,
		      uint32_t *out_locals);

struct abi_scalar_adapter {
	const struct vtype_func *ft;
	uint32_t callee_funcidx;
	bool has_post_return;
	uint32_t post_return_funcidx;
	struct abi_conv_opts conv;
};

/*
 * The whole body of an adapter for a scalar function (abi_func_is_scalar):
 * f must be fresh, with the parameters of the caller's lowered core type
 * (abi_flatten_functype, ABI_LOWER); the callee has the lifted core type,
 * which for scalar functions is the same signature.  Converts each
 * parameter, calls the callee, converts the result, calls post-return
 * with the callee's result, returns the converted result.
 */
MELD_CHECK_RESULT enum meld_status
abi_emit_scalar_adapter(struct cgen_func *f,
			const struct abi_scalar_adapter *a);

#endif
