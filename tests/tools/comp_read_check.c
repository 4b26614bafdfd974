/*
 * comp_read_check: read (and validate) component files with comp_read.
 * Prints one line per file: "ok FILE" or "KIND FILE: diagnostic", where
 * KIND is malformed, invalid, ...  Exit 0 when every file was accepted,
 * 1 when any was refused, 2 on a usage or I/O error.
 *   comp_read_check [--no-validate] [--features LIST] FILE...
 *   comp_read_check --mutate N FILE...
 * --features LIST validates the files after it with only the proposals in
 * LIST (comma-separated wasm-tools feature names, as in a .wast script's
 * RUN line; "all" is meld's own set, the default; "-name" removes one).
 * --mutate reads N damaged variants of each file (truncations at spread
 * offsets, deterministic bit flips and byte overwrites) and only reports
 * how many were accepted: its point is that nothing crashes or hangs
 * (run it under ASan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "comp.h"
#include "comp_valid.h"
#include "diag.h"
#include "meld.h"

static int
read_all(const char *path, uint8_t **bytes, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		uint8_t *nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	int err = ferror(f);
	fclose(f);
	if (!buf || err) {
		free(buf);
		return -1;
	}
	*bytes = buf;
	*len = n;
	return 0;
}

/* Read (and validate) one buffer; the diagnostic is left in *d. */
static uint32_t features = VALID_F_ALL;

static enum meld_status
check_bytes(const char *path, const uint8_t *bytes, size_t len, int validate,
	    struct diag *d)
{
	struct arena a;
	struct comp_component *c = NULL;
	arena_init(&a);
	diag_init(d);
	enum meld_status st = comp_read(&a, d, path, bytes, len, &c);
	if (st == MELD_OK && validate)
		st = comp_validate_features(&a, d, path, c, features);
	arena_clear(&a);
	return st;
}

static int
check_file(const char *path, int validate)
{
	uint8_t *bytes;
	size_t len;
	if (read_all(path, &bytes, &len) != 0) {
		fprintf(stderr, "comp_read_check: cannot read %s\n", path);
		return 2;
	}
	struct diag d;
	enum meld_status st = check_bytes(path, bytes, len, validate, &d);
	if (st == MELD_OK) {
		printf("ok %s\n", path);
	} else {
		/* one line per file: control characters from names become '?' */
		char *text = diag_text(&d) ? (char *)diag_text(&d) : (char *)"";
		for (char *p = text; *p; p++) {
			if ((unsigned char)*p < 0x20)
				*p = '?';
		}
		printf("%s %s\n", diag_status_name(st), text);
	}
	free(bytes);
	return st == MELD_OK ? 0 : 1;
}

/* Run every `meld inspect` format over an accepted buffer. */
static void
inspect_all(const char *path, const uint8_t *bytes, size_t len)
{
	for (int f = MELD_INSPECT_TEXT; f <= MELD_INSPECT_WIT; f++) {
		struct meld_session *s = meld_session_create();
		const char *text;
		if (!s)
			return;
		if (meld_add_input(s, path, bytes, len) == MELD_OK &&
		    meld_inspect(s, 0, (enum meld_inspect_format)f, &text) == MELD_OK &&
		    strlen(text) == (size_t)-1)
			abort();
		meld_session_destroy(s);
	}
}

static uint32_t
lcg(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return *state >> 8;
}

/* Variant k of the input: a truncation, a bit flip or a byte overwrite. */
static size_t
mutate(const uint8_t *in, size_t len, uint8_t *out, unsigned k,
       uint32_t *rng)
{
	memcpy(out, in, len);
	if (len == 0)
		return 0;
	switch (k % 3) {
	case 0:
		return (size_t)lcg(rng) % len;
	case 1:
		out[(size_t)lcg(rng) % len] ^= (uint8_t)(1u << (lcg(rng) % 8));
		return len;
	default:
		out[(size_t)lcg(rng) % len] = (uint8_t)lcg(rng);
		return len;
	}
}

static int
mutate_file(const char *path, unsigned n, unsigned long *total,
	    unsigned long *accepted)
{
	uint8_t *bytes;
	size_t len;
	if (read_all(path, &bytes, &len) != 0) {
		fprintf(stderr, "comp_read_check: cannot read %s\n", path);
		return 2;
	}
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf) {
		free(bytes);
		return 2;
	}
	uint32_t rng = (uint32_t)len * 2654435761u + 1;
	for (unsigned k = 0; k < n; k++) {
		struct diag d;
		size_t m = mutate(bytes, len, buf, k, &rng);
		/* a copy of exactly m bytes, so ASan sees any overread */
		uint8_t *exact = malloc(m ? m : 1);
		if (!exact)
			break;
		memcpy(exact, buf, m);
		if (check_bytes(path, exact, m, 1, &d) == MELD_OK) {
			(*accepted)++;
			inspect_all(path, exact, m);
		}
		(*total)++;
		free(exact);
	}
	free(buf);
	free(bytes);
	return 0;
}

int
main(int argc, char **argv)
{
	int validate = 1, rc = 0, nfiles = 0;
	unsigned mutations = 0;
	unsigned long total = 0, accepted = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-validate") == 0) {
			validate = 0;
			continue;
		}
		if (strcmp(argv[i], "--features") == 0 && i + 1 < argc) {
			i++;
			features = 0;
			valid_features_parse(argv[i], &features);
			continue;
		}
		if (strcmp(argv[i], "--mutate") == 0 && i + 1 < argc) {
			mutations = (unsigned)strtoul(argv[++i], NULL, 10);
			continue;
		}
		int r = mutations ? mutate_file(argv[i], mutations, &total, &accepted)
				  : check_file(argv[i], validate);
		if (r > rc)
			rc = r;
		nfiles++;
	}
	if (nfiles == 0) {
		fprintf(stderr, "usage: comp_read_check [--no-validate | --mutate N] [--features LIST] FILE...\n");
		return 2;
	}
	if (mutations)
		printf("mutated %lu variants of %d files, %lu accepted\n", total,
		       nfiles, accepted);
	return rc;
}
