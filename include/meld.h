/*
 * meld: static WebAssembly component fusion.
 *
 * The public library API.  A session holds one arena and one diagnostic;
 * inputs are borrowed (the caller keeps their bytes alive until the session
 * is destroyed).  Every fallible call returns a status; on failure
 * meld_session_error() gives one line "input:0xOFFSET: kind: message".
 */
#ifndef MELD_H
#define MELD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define MELD_API __attribute__((visibility("default")))
#define MELD_NODISCARD __attribute__((warn_unused_result))
#else
#define MELD_API
#define MELD_NODISCARD
#endif

enum meld_status {
	MELD_OK = 0,
	MELD_EMALFORMED,   /* the bytes are not a well-formed binary */
	MELD_EINVALID,     /* well-formed but refused by validation */
	MELD_EUNSUPPORTED, /* valid, but fusion cannot handle it yet */
	MELD_ELINK,        /* inputs do not link together */
	MELD_ENOMEM,       /* out of memory (or a size overflowed) */
	MELD_EIO,          /* reading or writing a file failed */
	MELD_EUSAGE        /* the caller asked for something meaningless */
};

enum meld_memory_strategy {
	MELD_MEMORY_MULTI = 0, /* one memory per original memory (default) */
	MELD_MEMORY_SHARED     /* one shared memory (not implemented yet) */
};

enum meld_inspect_format {
	MELD_INSPECT_TEXT = 0,
	MELD_INSPECT_JSON,
	MELD_INSPECT_WIT
};

struct meld_fuse_options {
	enum meld_memory_strategy memory;
	int component; /* wrap the fused module back into a component */
	int host_resources; /* the host defines the resource types the
			       root exports: the root exports convert their
			       handles with imported [export] built-ins and
			       the host runs their destructors through
			       exported [dtor]s; the module --component wraps
			       (README "Resources") */
	int explain;   /* describe each adapter site into the report */
	int stats;     /* counts and timings into the report */
};

struct meld_session;

MELD_API const char *meld_version(void);

MELD_API struct meld_session *meld_session_create(void);
MELD_API void meld_session_destroy(struct meld_session *s);

/* The first error of the session, formatted; "" when there was none. */
MELD_API const char *meld_session_error(const struct meld_session *s);
MELD_API enum meld_status meld_session_status(const struct meld_session *s);

/* Borrow an input: name is used in diagnostics, bytes must outlive s. */
MELD_API MELD_NODISCARD enum meld_status
meld_add_input(struct meld_session *s, const char *name, const uint8_t *bytes,
	       size_t len);

/*
 * Describe input number `index` (in the order added).  On success *out is a
 * NUL-terminated string owned by the session.
 */
MELD_API MELD_NODISCARD enum meld_status
meld_inspect(struct meld_session *s, size_t index,
	     enum meld_inspect_format format, const char **out);

/*
 * Fuse every input into one core module (or component).  On success *out
 * and *out_len describe bytes owned by the session; *report (may be NULL)
 * receives the --stats/--explain text, also owned by the session.
 */
MELD_API MELD_NODISCARD enum meld_status
meld_fuse(struct meld_session *s, const struct meld_fuse_options *opts,
	  const uint8_t **out, size_t *out_len, const char **report);

#ifdef __cplusplus
}
#endif

#endif
