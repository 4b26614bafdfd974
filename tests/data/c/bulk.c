/*
 * bulk: no libc; with bulk memory and a shared memory the linker makes
 * every data segment passive and initialises memory from a start function
 * with memory.init and data.drop (so the module has a data count
 * section); a variable-length memset becomes memory.fill.
 *
 * The core suite compiles it with clang and these flags:
 * build: --target=wasm32 -O2 -nostdlib -matomics
 * build: -mbulk-memory -Wl,--no-entry -Wl,--shared-memory
 * build: -Wl,--max-memory=131072 -Wl,--import-memory
 */
typedef __SIZE_TYPE__ size_t;
typedef unsigned char u8;

static const char greeting[] = "hello from a passive data segment";
static int table_of_squares[32] = {0, 1, 4, 9, 16, 25, 36, 49, 64, 81};
static int counter_value = 5;
u8 scratch[256];

__attribute__((export_name("fill"))) void
fill(u8 value, size_t n)
{
	__builtin_memset(scratch, value, n < sizeof scratch ? n : sizeof scratch);
}

__attribute__((export_name("copy_greeting"))) size_t
copy_greeting(size_t at)
{
	at &= 127;
	__builtin_memcpy(scratch + at, greeting, sizeof greeting);
	return sizeof greeting;
}

__attribute__((export_name("checksum"))) unsigned
checksum(void)
{
	unsigned sum = 0;
	for (size_t i = 0; i < sizeof scratch; i++)
		sum = sum * 31 + scratch[i];
	return sum;
}

__attribute__((export_name("square"))) int
square(int i)
{
	counter_value++;
	return table_of_squares[i & 31];
}

__attribute__((export_name("counter"))) int
counter(void)
{
	return counter_value;
}
