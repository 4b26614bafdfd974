/*
 * bench_fuse: throughput of fusion (meld_fuse, the library call) against
 * reading and writing the same bytes.
 *
 *	bench_fuse [-n RUNS] FILE...
 *
 * For each component file, median of RUNS (default 11) of this thread's
 * CPU time:
 *   fuse     meld_session_create, meld_add_input, meld_fuse (default
 *            options: one core module out), meld_session_destroy;
 *   rw       the same bytes read and written without fusing: comp_read of
 *            the component, then core_read and an identity
 *            core_write_module of every core module in it (the bulk of
 *            the bytes) into a reserved buffer;
 * printed as milliseconds, MB of input per second, and fuse / rw: how
 * many times reading and writing the bytes fusion costs.  A file that
 * does not fuse is reported and skipped.  The last line sums all files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "bin_read.h"
#include "bin_write.h"
#include "comp.h"
#include "core_module.h"
#include "diag.h"
#include "meld.h"
#include "tool_util.h"

/* One fusion; its output size in *out_len, false when refused. */
static bool
fuse_once(const uint8_t *p, size_t n, size_t *out_len, char *why,
	  size_t why_len)
{
	struct meld_session *s = meld_session_create();
	struct meld_fuse_options opts;
	const uint8_t *out = NULL;
	memset(&opts, 0, sizeof opts);
	bool ok = s && meld_add_input(s, "bench", p, n) == MELD_OK &&
		  meld_fuse(s, &opts, &out, out_len, NULL) == MELD_OK;
	if (!ok)
		snprintf(why, why_len, "%s",
			 s ? meld_session_error(s) : "out of memory");
	meld_session_destroy(s);
	return ok;
}

/*
 * Every core module of a component (section 1), nested components
 * (section 4) included: read, then written unchanged.
 */
static bool
rw_modules(struct arena *a, struct diag *d, struct bin_reader *r,
	   struct bin_writer *w, int depth)
{
	const uint8_t *header;
	if (depth > 100 || bin_read_bytes(r, 8, &header, "header") != MELD_OK)
		return false;
	while (!bin_at_end(r)) {
		uint8_t id;
		uint32_t size;
		struct bin_reader sub;
		struct core_module *m;
		if (bin_read_u8(r, &id, "section id") != MELD_OK ||
		    bin_read_u32(r, &size, "section size") != MELD_OK ||
		    bin_read_sub(r, size, &sub, "section") != MELD_OK)
			return false;
		if (id == 1 && (core_read(a, d, "bench", r->base, sub.p, size,
					  &m) != MELD_OK ||
				core_write_module(m, NULL, w) != MELD_OK))
			return false;
		if (id == 4 && !rw_modules(a, d, &sub, w, depth + 1))
			return false;
	}
	return true;
}

/* One read + identity write of the component's bytes. */
static bool
rw_once(const uint8_t *p, size_t n, struct bin_writer *w)
{
	struct arena a;
	struct diag d;
	struct comp_component *c;
	struct bin_reader r;
	arena_init(&a);
	diag_init(&d);
	w->len = 0;
	bool ok = comp_read(&a, &d, "bench", p, n, &c) == MELD_OK;
	bin_reader_init(&r, p, n, "bench", &d);
	ok = ok && rw_modules(&a, &d, &r, w, 0);
	arena_clear(&a);
	return ok;
}

struct totals {
	double bytes, fuse, rw;
};

static void
bench_file(struct totals *t, const char *path, int runs)
{
	size_t n, out_len = 0;
	char why[512];
	double tf[101], tr[101];
	uint8_t *p = tool_read_file(path, &n);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!p) {
		printf("%s: cannot read\n", path);
		return;
	}
	struct bin_writer w;
	bin_writer_init(&w);
	core_write_reserve(&w, n + n / 8 + 64);
	bool ok = fuse_once(p, n, &out_len, why, sizeof why);
	for (int i = 0; ok && i < runs; i++) {
		double t0 = tool_cpu_now();
		ok = fuse_once(p, n, &out_len, why, sizeof why);
		double t1 = tool_cpu_now();
		ok = ok && rw_once(p, n, &w);
		tf[i] = t1 - t0;
		tr[i] = tool_cpu_now() - t1;
	}
	bin_writer_clear(&w);
	free(p);
	if (!ok) {
		printf("%-40s refused: %s\n", base, why);
		return;
	}
	qsort(tf, (size_t)runs, sizeof tf[0], tool_cmp_double);
	qsort(tr, (size_t)runs, sizeof tr[0], tool_cmp_double);
	double f = tf[runs / 2], r = tr[runs / 2], mb = (double)n / 1e6;
	printf("%-40s %7.2f MB -> %7.2f MB  fuse %8.2f ms %6.0f MB/s  "
	       "read+write %7.2f ms %6.0f MB/s  fuse/rw %5.1fx\n",
	       base, mb, (double)out_len / 1e6, f * 1e3, mb / f, r * 1e3,
	       mb / r, f / r);
	t->bytes += (double)n;
	t->fuse += f;
	t->rw += r;
}

int
main(int argc, char **argv)
{
	struct totals t = {0, 0, 0};
	int runs = 11, first = 1;
	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		runs = atoi(argv[2]);
		first = 3;
	}
	if (runs < 1 || runs > 101 || first >= argc) {
		fprintf(stderr, "usage: bench_fuse [-n RUNS (1..101)] FILE...\n");
		return 2;
	}
	for (int i = first; i < argc; i++)
		bench_file(&t, argv[i], runs);
	if (t.bytes > 0) {
		double mb = t.bytes / 1e6;
		printf("total %.1f MB: fuse %.0f MB/s, read+write %.0f MB/s, "
		       "fuse/rw %.1fx\n",
		       mb, mb / t.fuse, mb / t.rw, t.fuse / t.rw);
	}
	return 0;
}
