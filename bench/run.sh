#!/usr/bin/env bash
# bench/run.sh: core module read + rewrite + write throughput (`make bench`).
#
# 1. build/bench_core, in memory, median of $RUNS runs (default 11): read
#    alone, read + identity write, read + shuffled write (every index space
#    remapped: every code body through the instruction rewriter), read +
#    shifted write (functions, globals and types moved, memories and tables
#    kept: what fusing a second module does), in MB/s of input.
# 2. file to file, each a process, median of $RUNS (wasm-opt: $SLOW_RUNS,
#    default 3): meld's shuffle (bench_core --convert), binaryen's
#    `wasm-opt --all-features IN -o OUT` (read and write, no passes) and
#    `cp IN OUT`; then the ratios.
#
# Inputs: the core modules over 1 MB under tests/js/node_modules (the
# StarlingMonkey and SpiderMonkey builds, wasm-tools, js-component-bindgen),
# or the files given as arguments.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=${RUNS:-11}
slow_runs=${SLOW_RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$#" -gt 0 ]; then
	files=("$@")
else
	files=()
	while IFS= read -r f; do files+=("$f"); done < <(
		find tests/js/node_modules -name '*.wasm' -size +1M -printf '%s %p\n' |
			sort -rn | cut -d' ' -f2-)
fi
if [ "${#files[@]}" -eq 0 ]; then
	echo "bench: no input modules (bash tests/setup-tools.sh installs them)"
	exit 1
fi
for tool in build/bench_core; do
	[ -x "$tool" ] || { echo "bench: $tool missing (make tools)"; exit 1; }
done

echo "== in memory (median of $runs)"
build/bench_core -n "$runs" "${files[@]}"

# Median wall time in ms of running "$@" $1 times.
median_ms() {
	local n=$1 t0 t1 i
	shift
	for i in $(seq 1 "$n"); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || { echo fail; return; }
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000))
	done | sort -n | awk '{ v[NR] = $1 } END { if (v[1] == "fail") print "fail"; else printf "%.1f\n", v[int((NR + 1) / 2)] / 1000 }'
}

echo
echo "== file to file (meld and cp: median of $runs; wasm-opt: median of $slow_runs)"
printf '%-42s %8s %9s %10s %8s %10s %9s\n' module MB "meld ms" "wasm-opt ms" "cp ms" "vs wasm-opt" "vs cp"
for f in "${files[@]}"; do
	mb=$(awk -v s="$(stat -c %s "$f")" 'BEGIN { printf "%.2f", s / 1e6 }')
	meld=$(median_ms "$runs" build/bench_core --convert "$f" "$tmp/meld.wasm")
	opt=$(median_ms "$slow_runs" wasm-opt --all-features "$f" -o "$tmp/opt.wasm")
	cp_ms=$(median_ms "$runs" cp "$f" "$tmp/cp.wasm")
	if [ "$opt" = fail ]; then
		ratio_opt="refused"
	else
		ratio_opt=$(awk -v a="$opt" -v b="$meld" 'BEGIN { printf "%.0fx", a / b }')
	fi
	ratio_cp=$(awk -v a="$meld" -v b="$cp_ms" 'BEGIN { printf "%.1fx", a / b }')
	printf '%-42s %8s %9s %10s %8s %10s %9s\n' "$(basename "$f")" "$mb" "$meld" "$opt" "$cp_ms" "$ratio_opt" "$ratio_cp"
done
echo "(vs wasm-opt: how many times faster meld is; vs cp: how many times slower)"
