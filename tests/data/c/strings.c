/*
 * strings: string handling over malloc'd buffers, printf, qsort with a
 * comparison callback (an indirect call), and a switch dense enough to
 * become a jump table (br_table).
 *
 * The core suite compiles it with clang and these flags:
 * build: --target=wasm32-wasi -O2 -Wl,--strip-debug
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const words[] = {
	"fusion", "component", "adapter", "memory", "realloc",
	"lift",   "lower",     "handle",  "borrow", "own",
};

static int
by_length_then_text(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t lx = strlen(x), ly = strlen(y);
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return strcmp(x, y);
}

static const char *
kind_of(char c)
{
	switch (c) {
	case 'a': case 'e': case 'i': case 'o': case 'u':
		return "vowel";
	case 'b': case 'c': case 'd': case 'f': case 'g':
		return "soft";
	case 'h': case 'k': case 'l': case 'm': case 'n':
		return "sonorant";
	case 'p': case 'q': case 'r': case 's': case 't':
		return "hard";
	default:
		return "other";
	}
}

static char *
join(const char *const *list, size_t n, const char *sep)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(list[i]) + strlen(sep);
	char *out = malloc(len);
	if (!out)
		return NULL;
	out[0] = 0;
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(out, sep);
		strcat(out, list[i]);
	}
	return out;
}

int
main(int argc, char **argv)
{
	size_t n = sizeof words / sizeof words[0];
	const char **sorted = malloc(n * sizeof *sorted);
	if (!sorted)
		return 1;
	memcpy(sorted, words, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, by_length_then_text);
	char *all = join(sorted, n, ", ");
	printf("%s\n", all ? all : "(out of memory)");
	for (const char *p = argc > 1 ? argv[1] : "meld"; *p; p++)
		printf("%c: %s\n", *p, kind_of(*p));
	free(all);
	free(sorted);
	return 0;
}
