#!/usr/bin/env bash
# model.sh [N…]: the model benchmark. Builds pipectl (Release), generates
# synthetic projects of N tables (default 1000 10000 50000) under /tmp, and
# prints wall time and peak RSS of `validate` and `inventory --json`, next to
# `cat` of the same files (the floor: reading the bytes). Run it alone: it
# is meant to be timed, not run in a loop.
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

# measure LABEL CMD…: best wall time of 3 runs, with the CPU time (user +
# system) and the peak RSS of that run. On a shared machine the CPU time is
# the steadier figure; the wall time includes waiting for a core.
measure() {
	local label=$1 best="" rss="" cpu="" t u s m tf
	shift
	tf=$(mktemp)
	for _ in 1 2 3; do
		/usr/bin/time -f "%e %U %S %M" -o "$tf" "$@" >/dev/null 2>&1 || true
		read -r t u s m < <(tail -1 "$tf")
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then
			best=$t
			rss=$m
			cpu=$(awk "BEGIN{print $u + $s}")
		fi
	done
	rm -f "$tf"
	printf "  %-18s wall %6.2f s  cpu %6.2f s  rss %7.1f MiB\n" "$label" "$best" "$cpu" "$(awk "BEGIN{print $rss/1024}")"
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
	measure "cat (all files)" sh -c "find '$dir/pipelines' -type f -exec cat {} + >/dev/null"
	measure "validate" "$P" -C "$dir" validate
	measure "inventory --json" "$P" -C "$dir" inventory --json
done
