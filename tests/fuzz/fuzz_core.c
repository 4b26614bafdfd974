/*
 * fuzz_core: libFuzzer target for the core module reader and writer.
 * Each input is read as a core module.  A refusal must carry an offset;
 * an accepted module must write back identically with no remap, and its
 * shuffle (roundtrip.c: a dummy at the front of every index space,
 * defined functions reversed) must be readable again and write back with
 * the inverse maps.  Anything else aborts, and so do crashes, leaks and
 * undefined behaviour (ASan + UBSan).  See tests/fuzz/README.md.
 */
#define ROUNDTRIP_NO_MAIN
#include "../tools/roundtrip.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_core: %s: %s\n", what, detail);
	abort();
}

/* The shuffle must come out readable, and go back without error. */
static void
fuzz_shuffle(struct arena *a, const struct core_module *m)
{
	struct shuffle sh;
	struct bin_writer fwd, back;
	struct diag d2;
	struct core_module *m2;
	if (!shuffle_init(&sh, a, m))
		return;
	bin_writer_init(&fwd);
	bin_writer_init(&back);
	diag_init(&d2);
	if (write_shuffled(m, &sh, &fwd) == MELD_OK) {
		if (core_read(a, &d2, "shuffled", fwd.buf, fwd.buf, fwd.len,
			      &m2) != MELD_OK)
			fuzz_fail("the shuffled module does not read back",
				  diag_text(&d2));
		if (write_unshuffled(m2, m, &sh, &back) != MELD_OK)
			fuzz_fail("the inverse shuffle failed", diag_text(&d2));
	} else if (!strstr(diag_text(m->diag), ":0x")) {
		fuzz_fail("a write error without an offset",
			  diag_text(m->diag));
	}
	bin_writer_clear(&fwd);
	bin_writer_clear(&back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct diag d;
	struct core_module *m;
	char why[256];
	arena_init(&a);
	diag_init(&d);
	if (core_read(&a, &d, "fuzz", data, data, size, &m) != MELD_OK) {
		if (!strstr(diag_text(&d), "fuzz:0x"))
			fuzz_fail("a refusal without an offset", diag_text(&d));
	} else {
		if (!identity_roundtrip(m, why, sizeof why))
			fuzz_fail("identity", why);
		fuzz_shuffle(&a, m);
	}
	arena_clear(&a);
	return 0;
}
