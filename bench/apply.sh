#!/usr/bin/env bash
# bench/apply.sh - apply of a layered DAG against the emulator with delays:
# wall time next to the critical-path bound, at several parallelisms; and a
# plan of a large project (wall time, HTTP requests the emulator served).
#
#   PIPECTL=build/pipectl bench/apply.sh [TABLES] [LAYERS] [DDL_MS] [PENDING_MS] [PLAN_TABLES]
#
# DEPTHS="2 4 8 16" (the default; DEPTHS= skips it) first runs the depth
# sweep: DEPTH_TABLES tables (default 64) as 2, 4, 8 and 16 layers, applied
# with --parallelism DEPTH_TABLES against --ddl-ms DDL_MS --pending-ms
# PENDING_MS, wall time next to the two-wave bound (every DDL side by side,
# then every DML: DDL_MS + PENDING_MS whatever the depth, docs/reconcile.md) and
# the layer-by-layer bound (DDL_MS + (layers - 1) x (DDL_MS + PENDING_MS));
# then the API requests per table of a fresh apply, a no-op apply and a
# rebuild cascade (every source's DDL changed: every table rebuilds), each
# with its split by status class (a 4xx is an existence check that found
# nothing, a 409 or a lock's).
#
# POLL="{ddl: 1s, dml: 3s}" writes that as confluent.poll of the project
# (the cadence of the emulated service instead of the 127.0.0.1 defaults);
# PAR sets --parallelism of the depth sweep (default: DEPTH_TABLES).
#
# The DAG: LAYERS layers of TABLES/LAYERS tables; layer 0 are sources (DDL
# only); every other table reads one or two tables of the layer below with
# a stateless projection. The critical-path bound is what the longest path
# must wait for no matter the parallelism: DDL_MS for the source, then
# DDL_MS + PENDING_MS per layer above it (a table's DDL and DML run after
# its parents' DML runs, docs/reconcile.md).
set -euo pipefail
: "${PIPECTL:=build/pipectl}"
N=${1:-200}
L=${2:-5}
DDL_MS=${3:-500}
PENDING_MS=${4:-1000}
PLAN_N=${5:-10000}
PARS=${PARS-"64 8 1"}
DEPTHS=${DEPTHS-"2 4 8 16"}
DEPTH_TABLES=${DEPTH_TABLES:-64}
POLL=${POLL-}
PAR=${PAR:-$DEPTH_TABLES}

T=$(mktemp -d)
EMU=
cleanup() { [ -n "$EMU" ] && kill "$EMU" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT

start_emulator() {
	[ -n "$EMU" ] && { kill "$EMU"; wait "$EMU" 2>/dev/null || true; }
	rm -f "$T/state.json"
	"$PIPECTL" emulator --listen 127.0.0.1:0 --state "$T/state.json" "$@" >"$T/emu.log" 2>&1 &
	EMU=$!
	for _ in $(seq 1 200); do grep -q "listening on" "$T/emu.log" && break; sleep 0.05; done
	URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$T/emu.log" | head -1)
}

project() { # DIR TABLES LAYERS
	local dir=$1 n=$2 l=$3 per=$(( $2 / $3 )) k i name p1 p2
	rm -rf "$dir"
	for k in $(seq 0 $(( l - 1 ))); do
		for i in $(seq 0 $(( per - 1 ))); do
			name="t${k}_$i"
			mkdir -p "$dir/pipelines/intermediates/l$k/$name/sql-scripts"
			echo "CREATE TABLE $name (id INT, v INT);" >"$dir/pipelines/intermediates/l$k/$name/sql-scripts/ddl.$name.sql"
			[ "$k" = 0 ] && continue
			p1="t$(( k - 1 ))_$i"
			p2="t$(( k - 1 ))_$(( (i * 7 + 3) % per ))"
			if [ "$p1" = "$p2" ]; then
				echo "INSERT INTO $name SELECT id, v FROM $p1;"
			else
				echo "INSERT INTO $name SELECT id, v FROM $p1 UNION ALL SELECT id, v FROM $p2;"
			fi >"$dir/pipelines/intermediates/l$k/$name/sql-scripts/dml.$name.sql"
		done
	done
	cat >"$dir/pipectl.yaml" <<YAML
prefix: bench
target: confluent
confluent:
  organization_id: 00000000-0000-4000-8000-00000000be0c
  environment_id: env-bench
  flink: {endpoint: $URL, api_key: k, api_secret: s, catalog: bench-env, database: lkc-local}
  kafka: {endpoint: $URL, cluster_id: lkc-local, api_key: k, api_secret: s}
YAML
	[ -z "$POLL" ] || echo "  poll: $POLL" >>"$dir/pipectl.yaml"
}

now_ms() { date +%s%3N; }

# requests OUT: the API request count of a --verbose run
requests() { sed -n 's/^API requests: \([0-9]*\).*/\1/p' "$1" | tail -1; }
# by_class OUT: its split by status class
by_class() { sed -n 's/^API requests: [0-9]* (\(.*\)), retries.*/\1/p' "$1" | tail -1; }

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); pipectl $("$PIPECTL" --version)"
if [ -n "$DEPTHS" ]; then
	two=$(( DDL_MS + PENDING_MS ))
	echo "depth: $DEPTH_TABLES tables, --parallelism $PAR, --ddl-ms $DDL_MS --pending-ms $PENDING_MS;" \
		"two-wave bound $two ms${POLL:+; poll: $POLL}"
	for d in $DEPTHS; do
		start_emulator --ddl-ms "$DDL_MS" --pending-ms "$PENDING_MS"
		project "$T/d" "$DEPTH_TABLES" "$d"
		t0=$(now_ms)
		"$PIPECTL" -C "$T/d" apply --auto-approve --verbose --parallelism "$PAR" >"$T/out" 2>&1 ||
			{ tail -5 "$T/out"; exit 1; }
		t1=$(now_ms)
		grep -q "Apply complete: $DEPTH_TABLES done, 0 failed, 0 skipped." "$T/out" || { tail -5 "$T/out"; exit 1; }
		layered=$(( DDL_MS + (d - 1) * (DDL_MS + PENDING_MS) ))
		awk -v d="$d" -v w=$(( t1 - t0 )) -v b="$two" -v l="$layered" -v r="$(requests "$T/out")" -v n="$DEPTH_TABLES" \
			'BEGIN { printf "  depth %-2s wall %6d ms  = %.2f x two-wave  (layer-by-layer bound %d ms: %.2f x)  %.1f requests/table\n", d, w, w / b, l, w / l, r / n }'
		echo "    fresh apply requests: $(requests "$T/out") ($(by_class "$T/out"))"
		if [ "$d" = "$(echo $DEPTHS | awk '{print $2 ? $2 : $1}')" ]; then
			"$PIPECTL" -C "$T/d" apply --auto-approve --verbose >"$T/out" 2>&1 || { tail -5 "$T/out"; exit 1; }
			grep -q "No changes" "$T/out" || { tail -5 "$T/out"; exit 1; }
			echo "  depth $d no-op apply: $(awk -v r="$(requests "$T/out")" -v n="$DEPTH_TABLES" 'BEGIN{printf "%.2f", r / n}') requests/table" \
				"($(requests "$T/out"): $(by_class "$T/out"))"
			for f in "$T"/d/pipelines/intermediates/l0/*/sql-scripts/ddl.*.sql; do
				sed -i 's/(id INT, v INT)/(id INT, v INT, w INT)/' "$f"
			done
			t0=$(now_ms)
			"$PIPECTL" -C "$T/d" apply --auto-approve --verbose --parallelism "$PAR" >"$T/out" 2>&1 ||
				{ tail -5 "$T/out"; exit 1; }
			t1=$(now_ms)
			grep -q "Apply complete: $DEPTH_TABLES done, 0 failed, 0 skipped." "$T/out" || { tail -5 "$T/out"; exit 1; }
			echo "  depth $d rebuild cascade (every source's DDL changed): wall $(( t1 - t0 )) ms," \
				"$(awk -v r="$(requests "$T/out")" -v n="$DEPTH_TABLES" 'BEGIN{printf "%.1f", r / n}') requests/table" \
				"($(requests "$T/out"): $(by_class "$T/out"))"
		fi
	done
fi

bound=$(( DDL_MS + (L - 1) * (DDL_MS + PENDING_MS) ))
[ "$N" -gt 0 ] && [ -n "$PARS" ] && echo "apply: $N tables in $L layers, --ddl-ms $DDL_MS --pending-ms $PENDING_MS; critical-path bound ${bound} ms"
for par in $PARS; do
	start_emulator --ddl-ms "$DDL_MS" --pending-ms "$PENDING_MS"
	project "$T/p" "$N" "$L"
	t0=$(now_ms)
	"$PIPECTL" -C "$T/p" apply --auto-approve --verbose --parallelism "$par" >"$T/out" 2>&1 || { tail -5 "$T/out"; exit 1; }
	t1=$(now_ms)
	grep -q "Apply complete: $N done, 0 failed, 0 skipped." "$T/out" || { tail -5 "$T/out"; exit 1; }
	awk -v p="$par" -v w=$(( t1 - t0 )) -v b="$bound" -v r="$(requests "$T/out")" -v n="$N" -v c="$(by_class "$T/out")" \
		'BEGIN { printf "  --parallelism %-3s wall %6d ms  = %.2f x bound  %.1f requests/table (%d: %s)\n", p, w, w / b, r / n, r, c }'
done

[ "$PLAN_N" -gt 0 ] || exit 0
echo "plan: $PLAN_N tables already deployed (no delays); an apply that finds nothing to do"
echo "  (computes the full plan; adds the lock's create, read and delete)"
start_emulator --ddl-ms 0 --pending-ms 0
project "$T/big" "$PLAN_N" 10
t0=$(now_ms)
"$PIPECTL" -C "$T/big" apply --auto-approve --parallelism 64 >"$T/out" 2>&1 || { tail -5 "$T/out"; exit 1; }
t1=$(now_ms)
echo "  deploy with --parallelism 64: $(( t1 - t0 )) ms"
for _ in 1 2 3; do
	/usr/bin/time -f "%e %M" -o "$T/time" "$PIPECTL" -C "$T/big" plan --detailed-exitcode >"$T/out" 2>&1 ||
		{ tail -5 "$T/out"; exit 1; }
	read -r w m <"$T/time"
	echo "  plan (no changes) wall ${w} s, peak RSS $(( m / 1024 )) MiB (load $(cut -d' ' -f1 /proc/loadavg))"
done
t0=$(now_ms)
"$PIPECTL" -C "$T/big" apply --auto-approve --verbose >"$T/out" 2>&1 || { tail -5 "$T/out"; exit 1; }
t1=$(now_ms)
grep -q "No changes" "$T/out" || { tail -5 "$T/out"; exit 1; }
echo "  no-op apply wall $(( t1 - t0 )) ms; $(grep 'API requests' "$T/out")"
grep -iE "^ *(time|read|load|plan|actual|tree)" "$T/out" | sed 's/^/    /' || true
[ -z "${KEEP:-}" ] || { cp -r "$T/big" "$KEEP/big"; cp "$T/state.json" "$KEEP/state.json"; }
