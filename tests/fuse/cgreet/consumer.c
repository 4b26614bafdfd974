/*
 * The consumer of the cgreet composition: imports test:greet/api@0.1.0
 * and exports run (add(40, 2)) and run-str (greet("fusion")).  The
 * lowered greet takes a return area; the string it points to was
 * allocated in this module's memory with cabi_realloc.
 */
#include <stdint.h>
#include <stdlib.h>

#define API "test:greet/api@0.1.0"

struct str {
	char *ptr;
	uint32_t len;
};

__attribute__((import_module(API), import_name("add"))) uint32_t
api_add(uint32_t a, uint32_t b);
__attribute__((import_module(API), import_name("greet"))) void
api_greet(const char *name, uint32_t len, struct str *ret);

__attribute__((export_name("cabi_realloc"))) void *
cabi_realloc(void *old, size_t old_len, size_t align, size_t len)
{
	(void)old_len;
	if (len == 0)
		return (void *)align;
	return realloc(old, len);
}

__attribute__((export_name("run"))) uint32_t
run(void)
{
	return api_add(40, 2);
}

static struct str result;

__attribute__((export_name("run-str"))) struct str *
run_str(void)
{
	api_greet("fusion", 6, &result);
	return &result;
}

__attribute__((export_name("cabi_post_run-str"))) void
run_str_post(struct str *ret)
{
	free(ret->ptr);
}
