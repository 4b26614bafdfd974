#!/usr/bin/env bash
# bench/run.sh: core module read + rewrite + write throughput (`make bench`).
#
# 1. build/bench_core, in memory, median CPU time of $RUNS runs (default 11): read
#    alone, read + identity write, read + shuffled write (every index space
#    remapped: every code body through the instruction rewriter), read +
#    shifted write (functions, globals and types moved, memories and tables
#    kept: what fusing a second module does), in MB/s of input.
# 2. file to file, each a process, median wall and CPU time of $RUNS
#    (wasm-opt: $SLOW_RUNS, default 3): meld's shuffle (bench_core
#    --convert), binaryen's `wasm-opt --all-features IN -o OUT` (read and
#    write, no passes) and `cp IN OUT`; then the ratios.
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
		find tests/js/node_modules/ -name '*.wasm' -size +1M -printf '%s %p\n' |
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

# The median of the numbers on stdin.
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# "WALL CPU": median wall and median CPU time in ms of running "$@" $1
# times each way: wall from plain runs, CPU from runs under perf stat
# (task-clock; or user + system from /usr/bin/time, in 10 ms steps, when
# perf cannot run); "fail fail" when a run fails.
median_ms() {
	local n=$1 i t0 t1
	shift
	: >"$tmp/wall"
	: >"$tmp/cpu"
	for i in $(seq 1 "$n"); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || { echo fail fail; return; }
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000)) >>"$tmp/wall"
		if [ -n "$perf" ]; then
			perf stat -x, -e task-clock -o "$tmp/stat" -- "$@" >/dev/null 2>&1
			awk -F, '/task-clock/ { print $1 }' "$tmp/stat" >>"$tmp/cpu"
		else
			/usr/bin/time -f '%U %S' -o "$tmp/stat" "$@" >/dev/null 2>&1
			awk '{ print ($1 + $2) * 1000 }' "$tmp/stat" >>"$tmp/cpu"
		fi
	done
	echo "$(awk '{ printf "%.1f\n", $1 / 1000 }' "$tmp/wall" | median)" \
		"$(awk '{ printf "%.1f\n", $1 }' "$tmp/cpu" | median)"
}
perf= cpu_by="user + system time, 10 ms steps"
if perf stat -x, -e task-clock -o /dev/null -- true >/dev/null 2>&1; then
	perf=1 cpu_by="perf stat task-clock"
fi

echo
echo "== file to file: wall ms / CPU ms (meld and cp: median of $runs; wasm-opt: median of $slow_runs)"
printf '%-42s %6s %12s %14s %10s %12s %10s\n' module MB meld wasm-opt cp "vs wasm-opt" "vs cp"
for f in "${files[@]}"; do
	mb=$(awk -v s="$(stat -c %s "$f")" 'BEGIN { printf "%.2f", s / 1e6 }')
	read -r meld_w meld_c < <(median_ms "$runs" build/bench_core --convert "$f" "$tmp/meld.wasm")
	read -r opt_w opt_c < <(median_ms "$slow_runs" wasm-opt --all-features "$f" -o "$tmp/opt.wasm")
	read -r cp_w cp_c < <(median_ms "$runs" cp "$f" "$tmp/cp.wasm")
	if [ "$meld_w" = fail ]; then
		echo "$(basename "$f"): meld refused it"
		continue
	fi
	if [ "$opt_w" = fail ]; then
		opt="refused" ratio_opt="-"
	else
		opt="$opt_w/$opt_c"
		ratio_opt=$(awk -v a="$opt_w" -v b="$meld_w" -v c="$opt_c" -v d="$meld_c" \
			'BEGIN { printf "%.0fx/%.0fx", a / b, c / (d > 0 ? d : 1) }')
	fi
	ratio_cp=$(awk -v a="$meld_w" -v b="$cp_w" -v c="$meld_c" -v d="$cp_c" \
		'BEGIN { printf "%.1fx/%.1fx", a / (b > 0 ? b : 1), c / (d > 0 ? d : 1) }')
	printf '%-42s %6s %12s %14s %10s %12s %10s\n' "$(basename "$f")" "$mb" \
		"$meld_w/$meld_c" "$opt" "$cp_w/$cp_c" "$ratio_opt" "$ratio_cp"
done
echo "(wall ms/CPU ms; vs wasm-opt: how many times faster meld is; vs cp: how"
echo " many times slower; CPU: $cpu_by)"
