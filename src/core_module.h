/*
 * core_module: a core WebAssembly module read to the level fusion needs
 * (core spec 3.0, chapter 5 "Binary Format", and the name section of the
 * custom-section appendix).
 *
 * core_read() splits a module into its sections and entries, checks the
 * binary format (section order, counts, every entry's encoding) and keeps
 * decoded what fusion looks at: function types, imports, exports, limits,
 * global types, segment modes.  Everything else stays a byte range into
 * the input: code bodies are not decoded here, the body rewriter
 * (core_code.h) decodes them once, while writing.
 *
 * core_write_*() write a module, a section or one entry back, every index
 * rewritten through a struct core_remap.  A NULL remap (or a section none
 * of whose index spaces is remapped) copies the input bytes, so an
 * identity write reproduces the input byte for byte.
 *
 * Writing entries for an emitter that builds one module out of many:
 *
 *	core_write_header(w);
 *	mark = core_write_section_begin(w, CORE_SEC_FUNC);
 *	bin_write_u32(w, total_count);
 *	for each input module m, for each defined function f of m:
 *		st = core_write_func_decl(m, remap_of_m, f, w);
 *	core_write_section_end(w, mark, 0);
 *
 * Each core_write_<entry>() writes exactly one element of its section's
 * vector (rec group, import, function declaration, table, memory, tag,
 * global, export, element segment, code entry, data segment); the caller
 * writes the section header and the count.  Entries of a space that has
 * imports are named by their index in that space (funcidx, tableidx, ...),
 * which must be a defined one (>= the number imported).
 *
 * Encoded widths: an LEB128 in the input that was padded (wider than
 * needed, as linkers write them) keeps its width when its value changes
 * and still fits; a minimal one stays minimal.  So a module written with a
 * remap and then with the inverse remap comes back byte for byte (code
 * bodies: as far as core_rewrite_body keeps widths the same way; and a
 * padded LEB whose new value needs exactly its width is minimal from then
 * on).  Element and data segments on table or memory 0 have two
 * encodings; enum core_seg_form says which one is written.
 *
 * A remap entry CORE_NO_INDEX means the entry is gone: its names are
 * dropped; an index that still refers to it is the caller's error.
 */
#ifndef CORE_MODULE_H
#define CORE_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "bin_read.h"
#include "bin_write.h"
#include "common.h"
#include "core_code.h"
#include "diag.h"

/* An index that names nothing: no supertype, no import, a dropped entry. */
#define CORE_NO_INDEX UINT32_MAX

enum core_section_id {
	CORE_SEC_CUSTOM = 0,
	CORE_SEC_TYPE = 1,
	CORE_SEC_IMPORT = 2,
	CORE_SEC_FUNC = 3,
	CORE_SEC_TABLE = 4,
	CORE_SEC_MEMORY = 5,
	CORE_SEC_GLOBAL = 6,
	CORE_SEC_EXPORT = 7,
	CORE_SEC_START = 8,
	CORE_SEC_ELEM = 9,
	CORE_SEC_CODE = 10,
	CORE_SEC_DATA = 11,
	CORE_SEC_DATACOUNT = 12,
	CORE_SEC_TAG = 13,
	CORE_SEC_COUNT = 14
};

/* Import and export descriptors. */
enum core_extern_kind {
	CORE_EXTERN_FUNC = 0x00,
	CORE_EXTERN_TABLE = 0x01,
	CORE_EXTERN_MEMORY = 0x02,
	CORE_EXTERN_GLOBAL = 0x03,
	CORE_EXTERN_TAG = 0x04
};

enum core_valtype_code {
	CORE_VALTYPE_I32 = 0x7f,
	CORE_VALTYPE_I64 = 0x7e,
	CORE_VALTYPE_F32 = 0x7d,
	CORE_VALTYPE_F64 = 0x7c,
	CORE_VALTYPE_V128 = 0x7b,
	CORE_VALTYPE_REF_NULL = 0x63,
	CORE_VALTYPE_REF = 0x64
};

/* Abstract heap types; as a value type each is short for (ref null ht). */
enum core_heap_code {
	CORE_HEAP_EXN = 0x69,
	CORE_HEAP_ARRAY = 0x6a,
	CORE_HEAP_STRUCT = 0x6b,
	CORE_HEAP_I31 = 0x6c,
	CORE_HEAP_EQ = 0x6d,
	CORE_HEAP_ANY = 0x6e,
	CORE_HEAP_EXTERN = 0x6f,
	CORE_HEAP_FUNC = 0x70,
	CORE_HEAP_NONE = 0x71,
	CORE_HEAP_NOEXTERN = 0x72,
	CORE_HEAP_NOFUNC = 0x73,
	CORE_HEAP_NOEXN = 0x74
};

enum core_comp_kind {
	CORE_COMP_ARRAY = 0x5e,
	CORE_COMP_STRUCT = 0x5f,
	CORE_COMP_FUNC = 0x60
};

enum core_packed {
	CORE_PACKED_NONE = 0,
	CORE_PACKED_I16 = 0x77,
	CORE_PACKED_I8 = 0x78
};

enum core_limits_flag {
	CORE_LIMITS_HAS_MAX = 0x01,
	CORE_LIMITS_SHARED = 0x02,
	CORE_LIMITS_64 = 0x04,
	CORE_LIMITS_PAGE_SIZE = 0x08 /* custom-page-sizes: exponent follows */
};

/* The page size of a memory without CORE_LIMITS_PAGE_SIZE: 64 KiB. */
#define CORE_PAGE_SIZE_LOG2 16

enum core_seg_mode {
	CORE_SEG_ACTIVE,
	CORE_SEG_PASSIVE,
	CORE_SEG_DECLARATIVE
};

/*
 * Element and data segments on table or memory 0 have a compact encoding
 * (element flags 0 and 4, data flags 0) besides the explicit one.
 */
enum core_seg_form {
	CORE_FORM_KEEP,     /* the input's form, explicit when it must be */
	CORE_FORM_COMPACT,  /* compact whenever the new index allows it */
	CORE_FORM_EXPLICIT  /* always name the table or memory */
};

/*
 * A value type, normalised: a shorthand reference type such as funcref is
 * stored as code REF_NULL with heap FUNC.  For a reference to a concrete
 * type, heap is 0 and typeidx names it.  `shared` marks an abstract heap
 * type written with the 0x65 prefix (shared-everything-threads).
 */
struct core_valtype {
	uint8_t code;
	uint8_t heap;
	bool shared;
	uint32_t typeidx;
};

struct core_field {
	struct core_valtype type; /* unused when packed */
	uint8_t packed;           /* enum core_packed */
	bool mutable;
};

/* One subtype (a defined type) of the type section. */
struct core_type {
	uint8_t kind;        /* enum core_comp_kind */
	bool final;
	bool shared;         /* 0x65 prefix (shared-everything-threads) */
	uint32_t supertype;  /* CORE_NO_INDEX when none */
	uint32_t group;      /* its rec group */
	uint32_t nparams, nresults;  /* func */
	const struct core_valtype *params, *results;
	uint32_t nfields;            /* struct; 1 for an array */
	const struct core_field *fields;
};

/* One entry of the type section: a rec group (or a lone subtype). */
struct core_rec_group {
	const uint8_t *p, *end;
	uint32_t first_typeidx, ntypes;
};

struct core_limits {
	uint8_t flags; /* enum core_limits_flag */
	uint64_t min, max;
	uint32_t page_size_log2; /* memories: CORE_PAGE_SIZE_LOG2 unless the
				    flag says otherwise; 0 for tables */
};

struct core_import {
	struct bin_name module, name;
	uint8_t kind;   /* enum core_extern_kind */
	uint32_t index; /* in the space of its kind */
	const uint8_t *p, *end; /* the whole entry */
	const uint8_t *desc;    /* its kind byte */
};

/*
 * Index-space entries.  Imported ones come first; for them `import` is the
 * import's index and p..end is the import entry.  For defined ones
 * `import` is CORE_NO_INDEX and p..end is the entry in the defining
 * section (for a function: its type index in the function section).
 */
struct core_func {
	uint32_t typeidx;
	uint32_t import;
	const uint8_t *p, *end;
};

struct core_table {
	struct core_valtype elem;
	struct core_limits limits;
	const uint8_t *init; /* initialiser expression (0x40 0x00 form) or NULL */
	uint32_t import;
	const uint8_t *p, *end;
};

struct core_memory {
	struct core_limits limits;
	uint32_t import;
	const uint8_t *p, *end;
};

struct core_global {
	struct core_valtype type;
	bool mutable;
	const uint8_t *init; /* initialiser expression; NULL for imports */
	uint32_t import;
	const uint8_t *p, *end;
};

struct core_tag {
	uint32_t typeidx;
	uint32_t import;
	const uint8_t *p, *end;
};

struct core_export {
	struct bin_name name;
	uint8_t kind; /* enum core_extern_kind */
	uint32_t index;
	const uint8_t *p, *end;
};

struct core_elem {
	uint32_t flags;          /* 0..7, the encoding */
	uint8_t mode;            /* enum core_seg_mode */
	uint32_t tableidx;       /* active */
	struct core_valtype type;
	const uint8_t *offset;   /* active: the offset expression */
	uint32_t count;          /* elements */
	const uint8_t *items;    /* the vector of items, from its count */
	const uint8_t *p, *end;
};

struct core_data {
	uint32_t flags;          /* 0..2, the encoding */
	uint8_t mode;            /* enum core_seg_mode */
	uint32_t memidx;         /* active */
	const uint8_t *offset;   /* active: the offset expression */
	struct bin_name init;    /* the bytes */
	const uint8_t *p, *end;
};

/* A code entry: body bytes (locals and expression) after the size. */
struct core_body {
	const uint8_t *p;
	uint32_t len;
	uint8_t size_width; /* encoded width of its size in the input */
};

/*
 * A section as it lies in the input.  For vector sections, count and its
 * encoded width too (count_width 0 otherwise).
 */
struct core_section {
	uint8_t id;
	uint8_t size_width;
	uint8_t count_width;
	uint32_t count;
	const uint8_t *start;   /* the id byte */
	const uint8_t *content; /* after the size */
	const uint8_t *end;
	struct bin_name name;   /* custom sections */
};

/* Name-section subsections (custom-section appendix, "Name Section"). */
enum core_name_id {
	CORE_NAME_MODULE = 0,
	CORE_NAME_FUNC = 1,
	CORE_NAME_LOCAL = 2,
	CORE_NAME_LABEL = 3,
	CORE_NAME_TYPE = 4,
	CORE_NAME_TABLE = 5,
	CORE_NAME_MEMORY = 6,
	CORE_NAME_GLOBAL = 7,
	CORE_NAME_ELEM = 8,
	CORE_NAME_DATA = 9,
	CORE_NAME_FIELD = 10,
	CORE_NAME_TAG = 11,
	CORE_NAME_COUNT = 12
};

/*
 * One association: an index, then (p..end) either a name, length
 * included, or for an indirect map the inner name map, count included.
 * idx_width is the encoded width of the index in the input.
 */
struct core_name_assoc {
	uint32_t idx;
	uint8_t idx_width;
	const uint8_t *p, *end;
};

struct core_name_sub {
	uint8_t id;
	uint8_t size_width;
	uint8_t count_width;
	const uint8_t *start, *content, *end;
	uint32_t count;
	struct core_name_assoc *assocs; /* NULL for the module name and
					   unknown subsections */
};

/*
 * The parsed "name" custom section.  Errors in it never fail the module
 * (custom sections must not invalidate a module): then `parsed` is false
 * and the section is kept only as bytes (dropped by a non-identity write).
 */
struct core_names {
	bool present, parsed;
	uint32_t section; /* index into sections */
	struct core_name_sub *subs;
	uint32_t nsubs;
};

struct core_module {
	const char *input;
	const uint8_t *base;  /* start of the input file, for offsets */
	const uint8_t *bytes; /* the module: magic first */
	size_t len;
	struct diag *diag;

	struct core_section *sections;
	uint32_t nsections;
	int32_t section_of[CORE_SEC_COUNT]; /* index into sections, or -1 */

	struct core_rec_group *groups;
	uint32_t ngroups;
	struct core_type *types;
	struct core_import *imports;
	uint32_t nimports;
	struct core_export *exports;
	uint32_t nexports;

	/* Lengths of the index spaces, and how many of each are imported. */
	uint32_t space_len[CORE_SPACE_COUNT];
	uint32_t space_imported[CORE_SPACE_COUNT];

	struct core_func *funcs;
	struct core_table *tables;
	struct core_memory *memories;
	struct core_global *globals;
	struct core_tag *tags;
	struct core_elem *elems;
	struct core_data *datas;
	struct core_body *bodies; /* one per defined function */

	bool has_start;
	uint32_t start;
	bool has_datacount;
	uint32_t datacount;

	struct core_names names;
};

/*
 * Read a whole core module: bytes[0..len) (which may be a slice of a
 * larger file starting at base; diagnostics give offsets from base).  The
 * module borrows the input and allocates from the arena.
 */
MELD_CHECK_RESULT enum meld_status
core_read(struct arena *a, struct diag *d, const char *input_name,
	  const uint8_t *base, const uint8_t *bytes, size_t len,
	  struct core_module **out);

/* Lookups; NULL (or CORE_NO_INDEX) when the index names nothing. */
const struct core_type *core_type_at(const struct core_module *m,
				     uint32_t typeidx);
/* The function type of a function (imported or defined). */
const struct core_type *core_func_type(const struct core_module *m,
				       uint32_t funcidx);
uint32_t core_func_typeidx(const struct core_module *m, uint32_t funcidx);
/* The first export of that name (and kind), or NULL. */
const struct core_export *core_find_export(const struct core_module *m,
					   const char *name, uint8_t kind);
/* The index space of an import/export kind. */
enum core_space core_extern_space(uint8_t kind);
const char *core_section_name(uint8_t id);
bool core_valtype_eq(struct core_valtype a, struct core_valtype b);

/* ---- writing ---- */

/* The module header: magic and version. */
void core_write_header(struct bin_writer *w);

/*
 * The whole module, every index through the remap (NULL: identity).  The
 * module's own entries keep their order, so the remap must agree with it
 * (e.g. a shift of each space); inserting or reordering entries is done
 * with the entry writers below.  The name section keeps only the names
 * whose index the remap maps; when several old indices map to one new
 * index, the first name is kept.  Name maps keep their order (sorted
 * again by new index if the input's was sorted).
 */
MELD_CHECK_RESULT enum meld_status
core_write_module(const struct core_module *m, const struct core_remap *remap,
		  struct bin_writer *w);

/* One section of m (sections[secidx]), rewritten the same way. */
MELD_CHECK_RESULT enum meld_status
core_write_section(const struct core_module *m, const struct core_remap *remap,
		   uint32_t secidx, struct bin_writer *w);

/*
 * Section framing: begin writes the id and reserves the size; end patches
 * it, keeping `size_width` bytes when it fits (0: minimal).
 */
size_t core_write_section_begin(struct bin_writer *w, uint8_t id);
void core_write_section_end(struct bin_writer *w, size_t mark,
			    unsigned size_width);

/* Make room for n more bytes up front (the output's likely size). */
void core_write_reserve(struct bin_writer *w, size_t n);

/*
 * The width to pass on for an LEB128 of the input (a size or a count):
 * its own width when it was padded, else 0 (minimal).
 */
unsigned core_pad_width(uint32_t value, unsigned width);

/*
 * A count for a vector the caller writes: `count`, encoded like the
 * input's `old_count` of old_width bytes (see "Encoded widths").
 */
void core_write_count(struct bin_writer *w, uint32_t count,
		      uint32_t old_count, unsigned old_width);

/* Entries (see the top of this file). */
MELD_CHECK_RESULT enum meld_status
core_write_rec_group(const struct core_module *m,
		     const struct core_remap *remap, uint32_t groupidx,
		     struct bin_writer *w);
MELD_CHECK_RESULT enum meld_status
core_write_import(const struct core_module *m, const struct core_remap *remap,
		  uint32_t importidx, struct bin_writer *w);
/* Only an import's descriptor (kind and type), for a renamed import. */
MELD_CHECK_RESULT enum meld_status
core_write_import_desc(const struct core_module *m,
		       const struct core_remap *remap, uint32_t importidx,
		       struct bin_writer *w);
MELD_CHECK_RESULT enum meld_status
core_write_func_decl(const struct core_module *m,
		     const struct core_remap *remap, uint32_t funcidx,
		     struct bin_writer *w);
MELD_CHECK_RESULT enum meld_status
core_write_table(const struct core_module *m, const struct core_remap *remap,
		 uint32_t tableidx, struct bin_writer *w);
MELD_CHECK_RESULT enum meld_status
core_write_memory(const struct core_module *m, uint32_t memidx,
		  struct bin_writer *w);
MELD_CHECK_RESULT enum meld_status
core_write_tag(const struct core_module *m, const struct core_remap *remap,
	       uint32_t tagidx, struct bin_writer *w);
MELD_CHECK_RESULT enum meld_status
core_write_global(const struct core_module *m, const struct core_remap *remap,
		  uint32_t globalidx, struct bin_writer *w);
MELD_CHECK_RESULT enum meld_status
core_write_export(const struct core_module *m, const struct core_remap *remap,
		  uint32_t exportidx, struct bin_writer *w);
MELD_CHECK_RESULT enum meld_status
core_write_elem(const struct core_module *m, const struct core_remap *remap,
		uint32_t elemidx, enum core_seg_form form,
		struct bin_writer *w);
MELD_CHECK_RESULT enum meld_status
core_write_data(const struct core_module *m, const struct core_remap *remap,
		uint32_t dataidx, enum core_seg_form form,
		struct bin_writer *w);
/* A code entry: size, then the body through core_rewrite_body. */
MELD_CHECK_RESULT enum meld_status
core_write_body(const struct core_module *m, const struct core_remap *remap,
		uint32_t funcidx, struct bin_writer *w);
/* The start section's content: the start function's index. */
MELD_CHECK_RESULT enum meld_status
core_write_start(const struct core_module *m, const struct core_remap *remap,
		 struct bin_writer *w);

/* The whole "name" custom section, remapped (nothing when absent). */
MELD_CHECK_RESULT enum meld_status
core_write_names(const struct core_module *m, const struct core_remap *remap,
		 struct bin_writer *w);

/*
 * One name subsection out of associations gathered by the caller, e.g.
 * from several modules, with indices already final: written sorted by
 * index (stable), later duplicates of an index dropped.  Each
 * association's p..end is written as it is, its index padded to idx_width
 * when that is wider than needed (0: minimal).  count_width and
 * size_width likewise pad the count and the subsection size.
 */
MELD_CHECK_RESULT enum meld_status
core_write_name_sub(struct bin_writer *w, uint8_t id,
		    const struct core_name_assoc *assocs, size_t n,
		    unsigned count_width, unsigned size_width);

/* The index space a name subsection's (outer) indices belong to. */
bool core_name_space(uint8_t id, enum core_space *out);

#endif
