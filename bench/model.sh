#!/usr/bin/env bash
# model.sh [N…]: the model benchmark. Builds pipectl (Release), generates
# synthetic projects of N tables (default 1000 10000 50000) under /tmp, and
# prints wall time and peak RSS of `validate` and `inventory --json`, next to
# `cat` of the same files (the floor: opening and reading the bytes) and the
# ratio to cat's median. Run it alone: it is meant to be timed, not run in a
# loop. RUNS=n sets the runs per figure (default 5, medians quoted).
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
BUILD=${PC_BENCH_BUILD:-$SRC/build-release}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 50000)

[ -x /usr/bin/time ] || { echo "model.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j2 --target pipectl >/dev/null
P=$BUILD/pipectl

# measure LABEL CMD…: RUNS runs (default 5); prints the median wall time,
# the median CPU time (user + system) and the largest peak RSS, and sets
# LAST_WALL to the median wall. On a shared machine the CPU time is the
# steadier figure; the wall time includes waiting for a core. The load
# average is printed before every size.
RUNS=${RUNS:-5}
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
measure() {
	local label=$1 t u s m tf walls="" cpus="" rss=0 ratio=""
	shift
	tf=$(mktemp)
	for _ in $(seq 1 "$RUNS"); do
		/usr/bin/time -f "%e %U %S %M" -o "$tf" "$@" >/dev/null 2>&1 || true
		read -r t u s m < <(tail -1 "$tf")
		walls+="$t"$'\n'
		cpus+="$(awk "BEGIN{print $u + $s}")"$'\n'
		[ "$m" -gt "$rss" ] && rss=$m
	done
	rm -f "$tf"
	LAST_WALL=$(printf "%s" "$walls" | median)
	[ -n "${CAT_WALL:-}" ] && ratio=$(awk "BEGIN{printf \"  = %.2f x cat\", $LAST_WALL / $CAT_WALL}")
	printf "  %-18s wall %6.2f s  cpu %6.2f s  rss %7.1f MiB%s\n" "$label" "$LAST_WALL" \
		"$(printf "%s" "$cpus" | median)" "$(awk "BEGIN{print $rss/1024}")" "$ratio"
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "pipectl: $($P --version) ($BUILD, Release)"
for n in "${sizes[@]}"; do
	dir=/tmp/pipectl-bench-$n
	if [ ! -f "$dir/.done" ]; then
		rm -rf "$dir"
		python3 "$SRC/bench/gen_project.py" "$n" "$dir" >/dev/null
		touch "$dir/.done"
	fi
	files=$(find "$dir/pipelines" -type f | wc -l)
	bytes=$(find "$dir/pipelines" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
	echo "N=$n: $files files, $((bytes / 1024)) KiB"
	# warm the page cache so every row reads from memory
	find "$dir/pipelines" -type f -exec cat {} + >/dev/null
	echo "  load average $(cut -d' ' -f1-3 /proc/loadavg); median of $RUNS runs"
	CAT_WALL=
	measure "cat (all files)" sh -c "find '$dir/pipelines' -type f -exec cat {} + >/dev/null"
	CAT_WALL=$LAST_WALL
	measure "validate" "$P" -C "$dir" validate
	measure "inventory --json" "$P" -C "$dir" inventory --json
done
