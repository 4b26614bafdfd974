/*
 * interp: a small stack machine.  Its dispatch is a dense switch (a
 * br_table), its built-ins a table of function pointers (call_indirect),
 * its state globals and static data; the exports use canonical-ABI style
 * names, as a reactor module exports them.
 *
 * The core suite compiles it with clang and these flags:
 * build: --target=wasm32-wasi -O2 -mexec-model=reactor -Wl,--strip-debug
 */
#include <stdint.h>
#include <string.h>

enum op { PUSH, ADD, SUB, MUL, DUP, SWAP, CALL, JNZ, HALT };

typedef int32_t (*builtin_fn)(int32_t);

static int32_t square(int32_t x) { return x * x; }
static int32_t negate(int32_t x) { return -x; }
static int32_t halve(int32_t x) { return x / 2; }
static int32_t twice(int32_t x) { return x * 2; }

static builtin_fn builtins[] = {square, negate, halve, twice};

static int32_t stack[64];
static int sp;
static int64_t steps;

static const int32_t program[] = {
	PUSH, 7, CALL, 0, PUSH, 3, SUB, DUP, CALL, 3, ADD,
	PUSH, 1, SUB, DUP, JNZ, 11, HALT,
};

static int32_t
run(const int32_t *code, int32_t start)
{
	int pc = 0;
	sp = 0;
	stack[sp++] = start;
	for (;;) {
		steps++;
		switch ((enum op)code[pc++]) {
		case PUSH: stack[sp++] = code[pc++]; break;
		case ADD: sp--; stack[sp - 1] += stack[sp]; break;
		case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
		case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
		case DUP: stack[sp] = stack[sp - 1]; sp++; break;
		case SWAP: {
			int32_t t = stack[sp - 1];
			stack[sp - 1] = stack[sp - 2];
			stack[sp - 2] = t;
			break;
		}
		case CALL: {
			builtin_fn f = builtins[code[pc++] & 3];
			stack[sp - 1] = f(stack[sp - 1]);
			break;
		}
		case JNZ: {
			int32_t target = code[pc++];
			if (stack[--sp] != 0 && steps < 1000)
				pc = target;
			break;
		}
		case HALT:
			return stack[sp - 1];
		}
	}
}

__attribute__((export_name("test:interp/run@0.1.0#run"))) int32_t
run_export(int32_t start)
{
	return run(program, start);
}

__attribute__((export_name("test:interp/run@0.1.0#steps"))) int64_t
steps_export(void)
{
	return steps;
}

__attribute__((export_name("cabi_realloc"))) void *
cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size)
{
	static uint8_t heap[4096];
	static size_t used;
	(void)old_size;
	size_t at = (used + align - 1) & ~(align - 1);
	if (at + new_size > sizeof heap)
		__builtin_trap();
	used = at + new_size;
	if (old)
		memcpy(heap + at, old, old_size < new_size ? old_size : new_size);
	return heap + at;
}
