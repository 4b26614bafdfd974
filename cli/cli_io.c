/* cli_io: file input and atomic output for the meld command. */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "cli_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int
cli_read_file(const char *path, struct cli_file *f)
{
	f->bytes = NULL;
	f->len = 0;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		int e = errno ? errno : EINVAL;
		if (S_ISDIR(st.st_mode))
			e = EISDIR;
		close(fd);
		errno = e;
		return -1;
	}
	size_t size = (size_t)st.st_size;
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
#ifdef MADV_HUGEPAGE
	/*
	 * A large input on huge pages where the system allows: far fewer
	 * page faults and TLB misses when fusion walks it (bench/README.md).
	 */
	const uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t start = ((uintptr_t)buf + huge - 1) & ~(huge - 1);
	uintptr_t end = ((uintptr_t)buf + size) & ~(huge - 1);
	if (end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#endif
	size_t got = 0;
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			free(buf);
			close(fd);
			errno = e;
			return -1;
		}
		got += (size_t)n;
	}
	close(fd);
	f->bytes = buf;
	f->len = size;
	return 0;
}

void
cli_free_file(struct cli_file *f)
{
	free(f->bytes);
	f->bytes = NULL;
	f->len = 0;
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
cli_write_file_atomic(const char *path, const uint8_t *bytes, size_t len)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 16);
	if (!tmp) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(tmp, path, n);
	memcpy(tmp + n, ".meld-XXXXXX", 13);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		free(tmp);
		return -1;
	}
	int rc = write_all(fd, bytes, len);
	if (rc == 0)
		rc = fchmod(fd, 0644);
	if (rc == 0)
		rc = fsync(fd);
	int e = errno;
	if (close(fd) != 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		rc = -1;
		e = errno;
	}
	if (rc != 0) {
		unlink(tmp);
		errno = e;
	}
	free(tmp);
	return rc;
}
