/*
 * The provider of the ctext composition: exports test:text/text@0.1.0
 * (shout, total, words) by hand-written canonical-ABI entry points, and
 * prints a line to stdout per call through WASI (printf, preview1).
 * Results live in memory from malloc, handed out through a return area
 * and freed by the post-return functions.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IFACE "test:text/text@0.1.0"

struct str {
	char *ptr;
	uint32_t len;
};

struct strs {
	struct str *ptr;
	uint32_t len;
};

static struct str ret_str;
static struct strs ret_strs;

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

__attribute__((export_name(IFACE "#shout"))) struct str *
shout(char *s, uint32_t len)
{
	char *r = malloc(len + 1);
	for (uint32_t i = 0; i < len; i++)
		r[i] = (char)toupper((unsigned char)s[i]);
	r[len] = '!';
	printf("provider: shout %u bytes\n", len);
	fflush(stdout);
	free(s);
	ret_str.ptr = r;
	ret_str.len = len + 1;
	return &ret_str;
}

__attribute__((export_name("cabi_post_" IFACE "#shout"))) void
shout_post(struct str *ret)
{
	free(ret->ptr);
}

__attribute__((export_name(IFACE "#total"))) uint64_t
total(uint32_t *xs, uint32_t n)
{
	uint64_t sum = 0;
	for (uint32_t i = 0; i < n; i++)
		sum += xs[i];
	printf("provider: total of %u numbers\n", n);
	fflush(stdout);
	free(xs);
	return sum;
}

/* Words separated by spaces, each copied. */
__attribute__((export_name(IFACE "#words"))) struct strs *
words(char *s, uint32_t len)
{
	struct str *list = malloc(sizeof *list * (len / 2 + 1));
	uint32_t n = 0, i = 0;
	while (i < len) {
		while (i < len && s[i] == ' ')
			i++;
		uint32_t start = i;
		while (i < len && s[i] != ' ')
			i++;
		if (i > start) {
			list[n].len = i - start;
			list[n].ptr = malloc(i - start);
			memcpy(list[n].ptr, s + start, i - start);
			n++;
		}
	}
	printf("provider: %u words\n", n);
	fflush(stdout);
	free(s);
	ret_strs.ptr = list;
	ret_strs.len = n;
	return &ret_strs;
}

__attribute__((export_name("cabi_post_" IFACE "#words"))) void
words_post(struct strs *ret)
{
	for (uint32_t i = 0; i < ret->len; i++)
		free(ret->ptr[i].ptr);
	free(ret->ptr);
}
