#!/usr/bin/env bash
# Core module reader and writer (src/core_read.c, src/core_write.c) on real
# modules, with build/roundtrip (tests/tools/roundtrip.c):
#
#  1. round trips, release build: identity write byte for byte; the
#     shuffle (a dummy in front of every index space, functions reversed)
#     accepted by wasm-validate --enable-all and written back byte for byte;
#  2. the same under ASan+UBSan (build/asan/roundtrip), all inputs,
#     without wasm-validate (step 1 did that);
#  3. malformed inputs under ASan+UBSan: every module's truncations and
#     seeded bit flips (roundtrip --mutate), no crash, every refusal with an
#     offset; and a sample of them as files, each its own process: exit 1
#     with "file:0x..." (or 0 when the variant is still a valid module),
#     never a signal;
#  4. tests/data/crashes/*: inputs that once crashed something; now each
#     must be handled like any other input.
#
# Inputs: every core module inside $MELD_CORPUS/jco/runtime/*.component.wasm,
# $MELD_CORPUS/jco/wasi-adapters/*.wasm and $MELD_CORPUS/meld/tests/**/*.wasm;
# every .wasm under tests/js/node_modules; tests/data/c/*.c compiled with
# clang (flags from their " * build:" comment lines) into build/core-tests/.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "${MELD_ROOT:-$root}"
corpus=${MELD_CORPUS:-$root/../shared/corpus}
work=build/core-tests
mkdir -p "$work"
pass=0 fail=0 skip=0

bad() {
	fail=$((fail + 1))
	echo "FAIL $*"
}

missing() {
	if [ "${CI:-}" = true ]; then
		bad "$*"
	else
		echo "SKIP $*"
		skip=$((skip + 1))
	fi
}

for tool in build/roundtrip build/asan/roundtrip; do
	if [ ! -x "$tool" ]; then
		bad "$tool missing (make tools asan)"
		echo "$pass passed, $fail failed, $skip skipped"
		exit 1
	fi
done

# ---- inputs ----
inputs=()
if [ -d "$corpus/jco/runtime" ]; then
	inputs+=("$corpus"/jco/runtime/*.component.wasm)
	inputs+=("$corpus"/jco/wasi-adapters/*.wasm)
	while IFS= read -r f; do inputs+=("$f"); done \
		< <(find "$corpus/meld/tests" -name '*.wasm' | sort)
else
	missing "corpus missing at $corpus"
fi
node_inputs=()
if [ -d tests/js/node_modules ]; then
	while IFS= read -r f; do node_inputs+=("$f"); done \
		< <(find tests/js/node_modules/ -name '*.wasm' | sort)
else
	missing "tests/js/node_modules missing (bash tests/setup-tools.sh)"
fi
c_inputs=()
if command -v clang >/dev/null; then
	for src in tests/data/c/*.c; do
		out=$work/$(basename "${src%.c}").wasm
		if [ ! -f "$out" ] || [ "$src" -nt "$out" ]; then
			read -r -a flags < <(sed -n 's/^ \* build: //p' "$src" | tr '\n' ' ')
			if ! clang "${flags[@]}" -o "$out" "$src" 2>"$work/clang.err"; then
				bad "clang ${flags[*]} $src: $(head -c 300 "$work/clang.err")"
				rm -f "$out"
				continue
			fi
		fi
		c_inputs+=("$out")
	done
else
	missing "clang not found: tests/data/c/*.c not built"
fi
all=("${inputs[@]}" "${node_inputs[@]}" "${c_inputs[@]}")
if [ "${#all[@]}" -eq 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
	exit
fi

# Run a tool whose last line is "N passed, N failed"; add its counts.
# Other lines are shown except "ok" lines (their count is the summary).
count() {
	local label=$1 out rc last
	shift
	out=$("$@" 2>&1)
	rc=$?
	echo "$out" | grep -v '^ok ' | sed '$d' | sed "s|^|$label: |"
	last=$(echo "$out" | tail -n 1)
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]] &&
		{ [ "$rc" -eq 0 ] || [ "${BASH_REMATCH[2]}" -ne 0 ]; }; then
		pass=$((pass + BASH_REMATCH[1]))
		fail=$((fail + BASH_REMATCH[2]))
	else
		bad "$label: $1 exited $rc without a summary"
	fi
}

# ---- 1, 2: round trips ----
count release build/roundtrip "${all[@]}"
count asan build/asan/roundtrip --no-validate "${all[@]}"

# ---- 3: malformed inputs ----
count mutate build/asan/roundtrip --mutate "${all[@]}"

# One variant as a file, in its own process: refused with an offset
# (exit 1), or read and written (exit 0; or 1 when the shuffle does not
# come back byte for byte: a variant may hold encodings the writers
# normalise, such as an explicit memory index 0 in a memarg).
variant() {
	local file=$1 out rc
	out=$(build/asan/roundtrip --no-validate "$file" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] || { [ "$rc" -eq 1 ] && [[ $out == *"$file:0x"* ]]; }; then
		pass=$((pass + 1))
	elif [ "$rc" -eq 1 ] && [[ $out == *"unshuffled module differs"* ]]; then
		pass=$((pass + 1))
		normalised=$((normalised + 1))
	else
		bad "$file: exit $rc: $(echo "$out" | grep -v '^ok ' | head -n 1)"
	fi
}
normalised=0

# Flip bit $3 of byte $2 of $1 into $4.
flip() {
	local b
	cp "$1" "$4"
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ (1 << $3))))" |
		dd of="$4" bs=1 seek="$2" conv=notrunc status=none
}

RANDOM=1
samples=("${c_inputs[@]}")
[ -f "$corpus/jco/wasi-adapters/wasi_snapshot_preview1.reactor.wasm" ] &&
	samples+=("$corpus/jco/wasi-adapters/wasi_snapshot_preview1.reactor.wasm")
for f in "${samples[@]}"; do
	size=$(stat -c %s "$f")
	name=$work/variant-$(basename "${f%.wasm}")
	for i in $(seq 1 10); do
		at=$(( (RANDOM * 32768 + RANDOM) % size ))
		head -c "$at" "$f" > "$name-cut.wasm"
		variant "$name-cut.wasm"
		flip "$f" "$at" $((RANDOM % 8)) "$name-flip.wasm"
		variant "$name-flip.wasm"
	done
	rm -f "$name-cut.wasm" "$name-flip.wasm"
done

[ "$normalised" -gt 0 ] &&
	echo "note: $normalised variants read fine but did not round-trip byte for byte"

# ---- 4: crash regressions ----
for f in tests/data/crashes/*; do
	[ -f "$f" ] || continue
	variant "$f"
done

if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
