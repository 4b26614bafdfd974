/*
 * The command of the ctext composition: its main (wasi:cli/run through
 * the preview1 command adapter) calls the provider's test:text/text@0.1.0
 * with strings and lists and prints what comes back to stdout.  Lowered
 * imports that return a string or list take a return area; what it points
 * to was allocated here through cabi_realloc.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IFACE "test:text/text@0.1.0"

struct str {
	char *ptr;
	uint32_t len;
};

struct strs {
	struct str *ptr;
	uint32_t len;
};

__attribute__((import_module(IFACE), import_name("shout"))) void
text_shout(const char *s, uint32_t len, struct str *ret);
__attribute__((import_module(IFACE), import_name("total"))) uint64_t
text_total(const uint32_t *xs, uint32_t n);
__attribute__((import_module(IFACE), import_name("words"))) void
text_words(const char *s, uint32_t len, struct strs *ret);

__attribute__((export_name("cabi_realloc"))) void *
cabi_realloc(void *old, size_t old_len, size_t align, size_t len)
{
	/* Never a null result: every pointer handed out can be freed. */
	size_t size = len ? (len + align - 1) / align * align : align;
	void *p = aligned_alloc(align, size);
	if (!p)
		abort();
	if (old) {
		memcpy(p, old, old_len < len ? old_len : len);
		free(old);
	}
	return p;
}

static void
show_shout(const char *s)
{
	struct str r;
	text_shout(s, (uint32_t)strlen(s), &r);
	printf("shout(\"%s\") = \"%.*s\"\n", s, (int)r.len, r.ptr);
	free(r.ptr);
}

static void
show_words(const char *s)
{
	struct strs r;
	text_words(s, (uint32_t)strlen(s), &r);
	printf("words(\"%s\") = [", s);
	for (uint32_t i = 0; i < r.len; i++) {
		printf("%s\"%.*s\"", i ? ", " : "", (int)r.ptr[i].len,
		       r.ptr[i].ptr);
		free(r.ptr[i].ptr);
	}
	printf("] (%u)\n", r.len);
	free(r.ptr);
}

int
main(void)
{
	static const uint32_t xs[] = {1, 2, 3, 4000000000u, 5};
	/* The command adapter allocates its state through cabi_realloc on
	 * its first call; when that first call is the first write to stdout,
	 * the bytes buffered for it are lost (seen with the adapter of
	 * /work/shared/corpus/jco/wasi-adapters under jco run, fused or not).
	 * Asking about fd 1 first makes the state before any output. */
	(void)isatty(1);
	printf("app: start\n");
	fflush(stdout);
	show_shout("hello, fusion");
	show_shout("");
	printf("total = %llu\n",
	       (unsigned long long)text_total(xs, sizeof xs / sizeof xs[0]));
	printf("total of none = %llu\n",
	       (unsigned long long)text_total(NULL, 0));
	show_words("  the quick  brown fox ");
	show_words("");
	printf("app: done\n");
	return 0;
}
