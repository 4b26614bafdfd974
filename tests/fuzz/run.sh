#!/usr/bin/env bash
# Run a component libFuzzer target of tests/fuzz/ (built by `make fuzz`;
# fuzz_component, fuzz_fuse), seeded from the corpus, for a while:
#   tests/fuzz/run.sh TARGET [SECONDS]      (default 600)
# Seeds: the components of the corpus (jco/runtime, meld/tests) and the
# component suite's split .wast cases (build/component-suite/wast, made by
# SUITES=component), each under 256 KiB, copied into build/fuzz/seeds-TARGET;
# new inputs go to build/fuzz/corpus-TARGET, findings (crash-*, leak-*,
# timeout-*, oom-*) to build/fuzz/findings/.  README.md says where a
# finding goes as a test.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
target=${1:?usage: tests/fuzz/run.sh TARGET [SECONDS]}
secs=${2:-600}
corpus=${MELD_CORPUS:-$root/../shared/corpus}
bin=build/fuzz/$target
[ -x "$bin" ] || { echo "$bin missing (make fuzz)"; exit 2; }
seeds=build/fuzz/seeds-$target
mkdir -p "$seeds" "build/fuzz/corpus-$target" build/fuzz/findings
if [ -z "$(ls -A "$seeds")" ]; then
	{
		find "$corpus/jco/runtime" "$corpus/meld/tests" -name '*.wasm' -size -256k 2>/dev/null
		find build/component-suite/wast -name '*.wasm' -size -256k 2>/dev/null
	} | sort | while IFS= read -r f; do
		cp "$f" "$seeds/$(cksum < "$f" | cut -d' ' -f1).wasm"
	done
fi
exec "$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 \
	-artifact_prefix=build/fuzz/findings/ "build/fuzz/corpus-$target" "$seeds"
