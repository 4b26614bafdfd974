/* cli_io: whole-file reads and atomic writes for the command line. */
#ifndef CLI_IO_H
#define CLI_IO_H

#include <stddef.h>
#include <stdint.h>

struct cli_file {
	uint8_t *bytes;
	size_t len;
};

/* 0 on success; on failure errno says why. */
int cli_read_file(const char *path, struct cli_file *f);
void cli_free_file(struct cli_file *f);
/*
 * Write to a temporary file beside `path`, flush it to disk, then rename
 * it over `path`: readers never see a partial file, and on failure nothing
 * is left behind.  0 on success; on failure errno says why.
 */
int cli_write_file_atomic(const char *path, const uint8_t *bytes, size_t len);

#endif
