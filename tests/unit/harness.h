/*
 * harness: a dependency-free unit-test harness.  CHECK records a failure
 * with file and line and carries on; main() prints "N passed, N failed".
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdio.h>

extern int harness_passed;
extern int harness_failed;

void harness_check(int ok, const char *expr, const char *file, int line);

#define CHECK(cond) harness_check((cond) ? 1 : 0, #cond, __FILE__, __LINE__)

/* One entry point per test file; main.c lists them. */
void test_leb(void);
void test_reader(void);
void test_writer(void);
void test_arena(void);
void test_rtab(void);
void test_adapt_gen(void);
void test_comp(void);
void test_abi(void);
void test_cgen(void);
void test_module(void);
void test_code(void);

#endif
