#!/usr/bin/env bash
# Runs every test suite (tests/suite-*.sh, in name order) and adds up their
# results.  Each suite prints its own details and ends with a line
# "N passed, N failed[, N skipped]"; this script ends with the same line
# for the whole run, and exits 1 when anything failed.
#
# Environment:
#   MELD_CORPUS   test inputs nobody here wrote (default ../shared/corpus);
#                 suites that need it skip, saying so, when it is missing,
#                 except under CI=true, where a missing corpus is a failure.
#   SUITES        a space-separated subset of suite names to run.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export MELD_ROOT="$root"
export MELD_CORPUS="${MELD_CORPUS:-$root/../shared/corpus}"
total_pass=0 total_fail=0 total_skip=0
summary=""
for suite in tests/suite-*.sh; do
	name=$(basename "$suite" .sh)
	name=${name#suite-}
	if [ -n "${SUITES:-}" ] && ! [[ " $SUITES " == *" $name "* ]]; then
		continue
	fi
	echo "== $name"
	log=$(mktemp)
	bash "$suite" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	last=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	rm -f "$log"
	p=0 f=0 s=0
	if [[ $last =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)? ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=${BASH_REMATCH[4]:-0}
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# a suite that died without counting its failure still failed
		f=1
	fi
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
	summary+=$(printf '%-14s %6d passed, %4d failed, %4d skipped' "$name" "$p" "$f" "$s")$'\n'
done
echo
echo "== summary"
printf '%s' "$summary"
if [ "$total_skip" -gt 0 ]; then
	echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
	echo "$total_pass passed, $total_fail failed"
fi
[ "$total_fail" -eq 0 ]
