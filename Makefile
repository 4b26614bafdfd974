# meld: plain GNU Makefile.  `make` builds build/meld and build/libmeld.a;
# `make test` runs every test (installing its tools first); `make asan`
# builds the ASan+UBSan variant under build/asan/.

CC      ?= cc
ifeq ($(origin CC),default)
CC      := cc
endif
WARN    := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion \
           -Wstrict-prototypes -Wmissing-prototypes -Wvla -Werror
CPPFLAGS := -Iinclude -Isrc -D_POSIX_C_SOURCE=200809L
CFLAGS  ?= -O2 -g
LIBFLAGS := -fvisibility=hidden
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

LIB_SRC  := $(sort $(wildcard src/*.c))
CLI_SRC  := $(sort $(wildcard cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))

LIB_OBJ  := $(LIB_SRC:src/%.c=build/obj/src/%.o)
CLI_OBJ  := $(CLI_SRC:cli/%.c=build/obj/cli/%.o)
UNIT_OBJ := $(UNIT_SRC:tests/unit/%.c=build/obj/unit/%.o)
TOOLS    := $(TOOL_SRC:tests/tools/%.c=build/%)

ALOBJ  := $(LIB_SRC:src/%.c=build/asan/obj/src/%.o)
ACLI   := $(CLI_SRC:cli/%.c=build/asan/obj/cli/%.o)
AUNIT  := $(UNIT_SRC:tests/unit/%.c=build/asan/obj/unit/%.o)
ATOOLS := $(TOOL_SRC:tests/tools/%.c=build/asan/%)

.PHONY: all asan test bench fuzz format lint clean tools
# Keep tool objects (they are intermediates of the pattern rules).
.SECONDARY:
all: build/meld build/libmeld.a

build/obj/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(LIBFLAGS) -MMD -MP -c $< -o $@
build/obj/cli/%.o: cli/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c $< -o $@
build/obj/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c $< -o $@
build/obj/tools/%.o: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c $< -o $@

build/libmeld.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^
build/meld: $(CLI_OBJ) build/libmeld.a
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) build/libmeld.a
build/test_unit: $(UNIT_OBJ) build/libmeld.a
	$(CC) $(CFLAGS) -o $@ $(UNIT_OBJ) build/libmeld.a
build/%: build/obj/tools/%.o build/libmeld.a
	$(CC) $(CFLAGS) -o $@ $< build/libmeld.a

# ASan + UBSan variant
build/asan/obj/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) -O1 -g $(SAN) -MMD -MP -c $< -o $@
build/asan/obj/cli/%.o: cli/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) -O1 -g $(SAN) -MMD -MP -c $< -o $@
build/asan/obj/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) -O1 -g $(SAN) -MMD -MP -c $< -o $@
build/asan/obj/tools/%.o: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) -O1 -g $(SAN) -MMD -MP -c $< -o $@
build/asan/libmeld.a: $(ALOBJ)
	@rm -f $@
	ar rcs $@ $^
build/asan/meld: $(ACLI) build/asan/libmeld.a
	$(CC) -g $(SAN) -o $@ $(ACLI) build/asan/libmeld.a
build/asan/test_unit: $(AUNIT) build/asan/libmeld.a
	$(CC) -g $(SAN) -o $@ $(AUNIT) build/asan/libmeld.a
build/asan/%: build/asan/obj/tools/%.o build/asan/libmeld.a
	$(CC) -g $(SAN) -o $@ $< build/asan/libmeld.a

tools: build/test_unit $(TOOLS)
asan: build/asan/meld build/asan/test_unit $(ATOOLS)

test: all tools asan
	@bash tests/setup-tools.sh
	@bash tests/run-all.sh

bench: all tools
	@bash tests/setup-tools.sh
	@bash bench/run.sh

FUZZ_SRC := $(sort $(wildcard tests/fuzz/*.c))
FUZZ     := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
build/fuzz/%: tests/fuzz/%.c $(LIB_SRC)
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $< $(LIB_SRC)
fuzz: $(FUZZ)

format:
	clang-format -i src/*.c src/*.h cli/*.c include/*.h tests/unit/*.c tests/tools/*.c
lint:
	clang-tidy src/*.c cli/*.c -- $(CPPFLAGS) -std=c11
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability $(CPPFLAGS) src cli

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
