/*
 * The provider of the cgreet composition: test:greet/api@0.1.0 written
 * against the canonical ABI by hand.  greet(name) answers "hello, " +
 * name in a buffer of its own, handed back through a return area and
 * freed by the post-return; the name arrives in memory the adapter got
 * from cabi_realloc, so greet owns it and frees it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define API "test:greet/api@0.1.0"

__attribute__((export_name("cabi_realloc"))) void *
cabi_realloc(void *old, size_t old_len, size_t align, size_t len)
{
	(void)old_len;
	if (len == 0)
		return (void *)align; /* any aligned non-null pointer */
	return realloc(old, len);
}

__attribute__((export_name(API "#add"))) uint32_t
api_add(uint32_t a, uint32_t b)
{
	return a + b;
}

static struct {
	char *ptr;
	uint32_t len;
} answer;

__attribute__((export_name(API "#greet"))) void *
api_greet(char *name, uint32_t len)
{
	static const char hello[] = "hello, ";
	answer.len = (uint32_t)(sizeof hello - 1) + len;
	answer.ptr = malloc(answer.len);
	if (!answer.ptr)
		__builtin_trap();
	memcpy(answer.ptr, hello, sizeof hello - 1);
	memcpy(answer.ptr + sizeof hello - 1, name, len);
	free(name);
	return &answer;
}

__attribute__((export_name("cabi_post_" API "#greet"))) void
api_greet_post(void *ret)
{
	(void)ret;
	free(answer.ptr);
	answer.ptr = NULL;
}
