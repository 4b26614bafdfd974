/*
 * bench_core: throughput of the core module reader and writer.
 *
 *	bench_core [-n RUNS] FILE...        in memory, median of RUNS
 *	bench_core --convert IN OUT         one file-to-file shuffle
 *
 * For each core module file the first form times, median of RUNS (default 11):
 *   read     core_read alone;
 *   identity read + write with no remap (the verbatim fast path);
 *   shuffle  read + write with every index space remapped (roundtrip.c's
 *            shuffle: dummies in front, functions reversed), so every
 *            code body goes through the instruction rewriter;
 *   shift    read + core_write_module with types, functions and globals
 *            moved (memories and tables kept), as for a module placed
 *            after others in a fused one;
 * and prints each as MB/s of input (of CPU time: see tool_cpu_now() in
 * tool_util.h).  Each module's shuffle is first
 * checked to round-trip (as build/roundtrip checks it).  --convert does the shuffle once from
 * file to file, for bench/run.sh to time against wasm-opt and cp.
 */
#define _DEFAULT_SOURCE /* MAP_POPULATE */
#define ROUNDTRIP_NO_MAIN
#include "roundtrip.c"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

/*
 * The output buffer, reserved at its likely size and backed by huge pages
 * where the system allows: a page fault per 2 MiB instead of per 4 KiB.
 */
static void
reserve_huge(struct bin_writer *w, size_t n)
{
	core_write_reserve(w, n);
#ifdef MADV_HUGEPAGE
	const size_t huge = (size_t)2 << 20;
	uintptr_t start = ((uintptr_t)w->buf + huge - 1) & ~(uintptr_t)(huge - 1);
	uintptr_t end = ((uintptr_t)w->buf + w->cap) & ~(uintptr_t)(huge - 1);
	if (w->buf && end > start)
		madvise((void *)start, end - start, MADV_HUGEPAGE);
#endif
}

enum bench_kind { BENCH_READ, BENCH_IDENTITY, BENCH_SHUFFLE, BENCH_SHIFT,
		  BENCH_KINDS };

/*
 * The shift: types, functions and globals moved up by 1000 (as when a
 * module comes after others in a fused one), memories and tables kept.
 */
static bool
shift_init(struct core_remap *r, struct arena *a, const struct core_module *m)
{
	static const enum core_space moved[] = {
		CORE_SPACE_TYPE, CORE_SPACE_FUNC, CORE_SPACE_GLOBAL};
	for (int s = 0; s < CORE_SPACE_COUNT; s++) {
		r->map[s] = NULL;
		r->len[s] = m->space_len[s];
	}
	for (size_t i = 0; i < sizeof moved / sizeof moved[0]; i++) {
		uint32_t n = m->space_len[moved[i]];
		uint32_t *map = arena_alloc_array(a, n ? n : 1, sizeof *map);
		if (!map)
			return false;
		for (uint32_t x = 0; x < n; x++)
			map[x] = x + 1000;
		r->map[moved[i]] = map;
	}
	return true;
}

/* One timed run; false when the module is refused. */
static bool
bench_once(enum bench_kind kind, const uint8_t *p, size_t n,
	   struct bin_writer *w, double *secs)
{
	struct arena a;
	struct diag d;
	struct core_module *m;
	struct shuffle sh;
	struct core_remap shift;
	arena_init(&a);
	diag_init(&d);
	w->len = 0;
	double t0 = tool_cpu_now();
	bool ok = core_read(&a, &d, "bench", p, p, n, &m) == MELD_OK;
	if (ok && kind == BENCH_IDENTITY)
		ok = core_write_module(m, NULL, w) == MELD_OK;
	if (ok && kind == BENCH_SHUFFLE)
		ok = shuffle_init(&sh, &a, m) &&
		     write_shuffled(m, &sh, w) == MELD_OK;
	if (ok && kind == BENCH_SHIFT)
		ok = shift_init(&shift, &a, m) &&
		     core_write_module(m, &shift, w) == MELD_OK;
	*secs = tool_cpu_now() - t0;
	if (!ok)
		fprintf(stderr, "bench_core: %s\n", diag_text(&d));
	arena_clear(&a);
	return ok;
}

static double
bench_median(enum bench_kind kind, const uint8_t *p, size_t n, int runs)
{
	double t[101];
	struct bin_writer w;
	bin_writer_init(&w);
	reserve_huge(&w, n + n / 8 + 64);
	if (runs > 101)
		runs = 101;
	for (int i = 0; i < runs; i++)
		if (!bench_once(kind, p, n, &w, &t[i])) {
			bin_writer_clear(&w);
			return -1;
		}
	bin_writer_clear(&w);
	qsort(t, (size_t)runs, sizeof t[0], tool_cmp_double);
	return t[runs / 2];
}

struct bench {
	int runs;
	double bytes, secs[BENCH_KINDS];
};

/* Before timing: what is timed must also be right. */
static bool
verify(const uint8_t *p, size_t n)
{
	struct arena a;
	struct diag d;
	struct core_module *m, *m2;
	struct shuffle sh;
	struct bin_writer fwd, back;
	char why[256];
	arena_init(&a);
	diag_init(&d);
	bin_writer_init(&fwd);
	bin_writer_init(&back);
	bool ok = core_read(&a, &d, "bench", p, p, n, &m) == MELD_OK &&
		  identity_roundtrip(m, why, sizeof why) &&
		  shuffle_init(&sh, &a, m) &&
		  write_shuffled(m, &sh, &fwd) == MELD_OK &&
		  core_read(&a, &d, "shuffled", fwd.buf, fwd.buf, fwd.len,
			    &m2) == MELD_OK &&
		  write_unshuffled(m2, m, &sh, &back) == MELD_OK;
	bool same_back = ok && same(&back, p, n);
	bin_writer_clear(&fwd);
	bin_writer_clear(&back);
	arena_clear(&a);
	return same_back;
}

static void
bench_module(struct bench *b, const char *name, const uint8_t *p, size_t n)
{
	double t[BENCH_KINDS];
	if (!verify(p, n))
		printf("%-40s (warning: the shuffle does not round-trip)\n",
		       name);
	for (int k = 0; k < BENCH_KINDS; k++) {
		t[k] = bench_median((enum bench_kind)k, p, n, b->runs);
		if (t[k] < 0) {
			printf("%-40s refused\n", name);
			return;
		}
	}
	double mb = (double)n / 1e6;
	printf("%-40s %7.2f MB  read %6.0f  identity %6.0f  shuffle %4.0f "
	       "(%5.1f ms)  shift %4.0f MB/s\n",
	       name, mb, mb / t[0], mb / t[1], mb / t[2], t[2] * 1e3,
	       mb / t[3]);
	b->bytes += (double)n;
	for (int k = 0; k < BENCH_KINDS; k++)
		b->secs[k] += t[k];
}

/* A core module file (components: use roundtrip --extract first). */
static void
bench_file(struct bench *b, const char *path)
{
	size_t n;
	uint8_t *buf = tool_read_file(path, &n);
	if (!buf) {
		printf("%s: cannot read\n", path);
		return;
	}
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (n >= 8 && buf[4] == 0x0d) {
		printf("%s: a component; extract its modules first "
		       "(roundtrip --extract)\n", base);
	} else {
		bench_module(b, base, buf, n);
	}
	free(buf);
}

/*
 * The input mapped, populated up front: one pass over the page cache
 * instead of a page fault per 4 KiB (the way a CLI would read a module).
 */
static const uint8_t *
map_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
#ifndef MAP_POPULATE
#define MAP_POPULATE 0
#endif
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ,
		       MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	*len = (size_t)st.st_size;
	return p;
}

static int
convert(const char *in, const char *out)
{
	size_t n;
	const uint8_t *buf = map_file(in, &n);
	if (!buf) {
		fprintf(stderr, "bench_core: cannot read %s\n", in);
		return 1;
	}
	struct arena a;
	struct diag d;
	struct core_module *m;
	struct shuffle sh;
	struct bin_writer w;
	arena_init(&a);
	diag_init(&d);
	bin_writer_init(&w);
	reserve_huge(&w, n + n / 8 + 64);
	bool ok = core_read(&a, &d, in, buf, buf, n, &m) == MELD_OK &&
		  shuffle_init(&sh, &a, m) &&
		  write_shuffled(m, &sh, &w) == MELD_OK &&
		  write_file(out, w.buf, w.len);
	if (!ok)
		fprintf(stderr, "bench_core: %s\n", diag_text(&d));
	bin_writer_clear(&w);
	arena_clear(&a);
	munmap((void *)buf, n);
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct bench b = {.runs = 11};
	int first = 1;
	if (argc == 4 && strcmp(argv[1], "--convert") == 0)
		return convert(argv[2], argv[3]);
	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		b.runs = atoi(argv[2]);
		first = 3;
	}
	if (b.runs < 1 || first >= argc) {
		fprintf(stderr, "usage: bench_core [-n RUNS] FILE...\n"
				"       bench_core --convert IN OUT\n");
		return 2;
	}
	for (int i = first; i < argc; i++)
		bench_file(&b, argv[i]);
	if (b.bytes > 0) {
		double mb = b.bytes / 1e6;
		printf("total %.1f MB: read %.0f MB/s, identity %.0f MB/s, "
		       "shuffle %.0f MB/s, shift %.0f MB/s\n",
		       mb, mb / b.secs[0], mb / b.secs[1], mb / b.secs[2],
		       mb / b.secs[3]);
	}
	return 0;
}
