/*
 * comp_read_check: read (and validate) component files with comp_read.
 * Prints one line per file: "ok FILE" or "KIND FILE: diagnostic", where
 * KIND is malformed, invalid, ...  Exit 0 when every file was accepted,
 * 1 when any was refused, 2 on a usage or I/O error.
 *   comp_read_check [--no-validate] FILE...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "comp.h"
#include "diag.h"

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

static int
check_file(const char *path, int validate)
{
	uint8_t *bytes;
	size_t len;
	if (read_all(path, &bytes, &len) != 0) {
		fprintf(stderr, "comp_read_check: cannot read %s\n", path);
		return 2;
	}
	struct arena a;
	struct diag d;
	struct comp_component *c = NULL;
	arena_init(&a);
	diag_init(&d);
	enum meld_status st = comp_read(&a, &d, path, bytes, len, &c);
	if (st == MELD_OK && validate)
		st = comp_validate(&a, &d, path, c);
	if (st == MELD_OK)
		printf("ok %s\n", path);
	else
		printf("%s %s\n", diag_status_name(st), diag_text(&d));
	arena_clear(&a);
	free(bytes);
	return st == MELD_OK ? 0 : 1;
}

int
main(int argc, char **argv)
{
	int validate = 1, rc = 0, nfiles = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-validate") == 0) {
			validate = 0;
			continue;
		}
		int r = check_file(argv[i], validate);
		if (r > rc)
			rc = r;
		nfiles++;
	}
	if (nfiles == 0) {
		fprintf(stderr, "usage: comp_read_check [--no-validate] FILE...\n");
		return 2;
	}
	return rc;
}
