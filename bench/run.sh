#!/usr/bin/env bash
# bench/run.sh: core module read + rewrite + write throughput, and fusion
# throughput (`make bench`).
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
# 3. fusion, build/bench_fuse, in memory, median CPU time of $RUNS: the
#    library's meld_fuse on the largest components there are, against
#    reading and identity-writing the same bytes, in MB/s and as a ratio;
#    then `meld fuse IN -o OUT` file to file against cp for those over 1 MB.
#
# Inputs of 1 and 2: the core modules over 1 MB under tests/js/node_modules
# (the StarlingMonkey and SpiderMonkey builds, wasm-tools,
# js-component-bindgen), or the files given as arguments.  Inputs of 3:
# the jco runtime components and wit-bindgen's composed.wasm from the
# corpus ($MELD_CORPUS, default ../shared/corpus), and the StarlingMonkey
# core modules wrapped into components with `jco new --wasi-reactor`
# (10.6 and 13 MB; made once into build/bench/).
# `bench/run.sh --core` runs only 1 and 2, `bench/run.sh --fuse` only 3;
# `bench/run.sh FILE...` runs 1 and 2 on those core modules.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=${RUNS:-11}
slow_runs=${SLOW_RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

parts="core fuse"
case "${1:-}" in
--core) parts=core; shift ;;
--fuse) parts=fuse; shift ;;
esac
corpus=${MELD_CORPUS:-$root/../shared/corpus}

if [ "$#" -gt 0 ]; then
	files=("$@")
	[ "$parts" = fuse ] || parts=core
else
	files=()
	while IFS= read -r f; do files+=("$f"); done < <(
		find tests/js/node_modules/ -name '*.wasm' -size +1M -printf '%s %p\n' |
			sort -rn | cut -d' ' -f2-)
fi
if [ "${#files[@]}" -eq 0 ] && [ "$parts" != fuse ]; then
	echo "bench: no input modules (bash tests/setup-tools.sh installs them)"
	exit 1
fi
for tool in build/bench_core build/bench_fuse build/meld; do
	[ -x "$tool" ] || { echo "bench: $tool missing (make tools)"; exit 1; }
done

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

core_bench() {
	echo "== in memory (median of $runs)"
	build/bench_core -n "$runs" "${files[@]}"

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
}

# The components fusion is measured on: the corpus's, and StarlingMonkey
# wrapped by jco (once; skipped when jco or the module is missing).
fuse_inputs() {
	local f name jco=tests/js/node_modules/.bin/jco
	local sm=tests/js/node_modules/@bytecodealliance/componentize-js/lib
	mkdir -p build/bench
	for name in starlingmonkey_embedding starlingmonkey_embedding.debug; do
		f=build/bench/$name.component.wasm
		if [ ! -s "$f" ] && [ -x "$jco" ] && [ -f "$sm/$name.wasm" ]; then
			"$jco" new "$sm/$name.wasm" --wasi-reactor -o "$f" \
				>/dev/null 2>&1 || rm -f "$f"
		fi
		[ -s "$f" ] && echo "$f"
	done
	find "$corpus/jco/runtime" -name '*.component.wasm' -printf '%s %p\n' \
		2>/dev/null | sort -rn | cut -d' ' -f2-
	f=$corpus/meld/tests/wit_bindgen/fixtures/compose/composed.wasm
	[ -f "$f" ] && echo "$f"
}

fuse_bench() {
	local f fuse=()
	while IFS= read -r f; do fuse+=("$f"); done < <(fuse_inputs)
	if [ "${#fuse[@]}" -eq 0 ]; then
		echo "bench: no components to fuse (corpus at $corpus?)"
		return 1
	fi
	echo
	echo "== fusion in memory (median of $runs; CPU time)"
	build/bench_fuse -n "$runs" "${fuse[@]}"
	echo
	echo "== fusion file to file: wall ms / CPU ms (median of $runs)"
	printf '%-42s %6s %12s %10s %10s\n' component MB "meld fuse" cp "vs cp"
	for f in "${fuse[@]}"; do
		[ "$(stat -c %s "$f")" -gt 1000000 ] || continue
		local mb w c cw cc
		mb=$(awk -v s="$(stat -c %s "$f")" 'BEGIN { printf "%.2f", s / 1e6 }')
		read -r w c < <(median_ms "$runs" build/meld fuse "$f" -o "$tmp/fused.wasm")
		read -r cw cc < <(median_ms "$runs" cp "$f" "$tmp/cp.wasm")
		if [ "$w" = fail ]; then
			echo "$(basename "$f"): meld fuse refused it"
			continue
		fi
		printf '%-42s %6s %12s %10s %10s\n' "$(basename "$f")" "$mb" \
			"$w/$c" "$cw/$cc" "$(awk -v a="$w" -v b="$cw" -v x="$c" -v y="$cc" \
			'BEGIN { printf "%.1fx/%.1fx", a / (b > 0 ? b : 1), x / (y > 0 ? y : 1) }')"
	done
	echo "(vs cp: how many times slower than copying the file)"
}

status=0
case " $parts " in *" core "*) core_bench || status=1 ;; esac
case " $parts " in *" fuse "*) fuse_bench || status=1 ;; esac
exit $status
