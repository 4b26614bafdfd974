/* The unit-test driver: runs every test file's entry point. */
#include <string.h>

#include "harness.h"

int harness_passed;
int harness_failed;

void
harness_check(int ok, const char *expr, const char *file, int line)
{
	if (ok) {
		harness_passed++;
		return;
	}
	harness_failed++;
	printf("FAIL %s:%d: %s\n", file, line, expr);
}

struct unit_test {
	const char *name;
	void (*fn)(void);
};

static const struct unit_test tests[] = {
	{"leb", test_leb},
	{"reader", test_reader},
	{"writer", test_writer},
	{"arena", test_arena},
	{"rtab", test_rtab},
	{"adapt_gen", test_adapt_gen},
	{"comp", test_comp},
	{"abi", test_abi},
	{"cgen", test_cgen},
	{"module", test_module},
	{"code", test_code},
};

int
main(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
		if (argc > 1 && strcmp(argv[1], tests[i].name) != 0)
			continue;
		int before = harness_failed;
		tests[i].fn();
		printf("%-10s %s\n", tests[i].name,
		       harness_failed == before ? "ok" : "FAILED");
	}
	printf("%d passed, %d failed\n", harness_passed, harness_failed);
	return harness_failed ? 1 : 0;
}
