#!/usr/bin/env bash
# bench/apply.sh - apply of a layered DAG against the emulator with delays:
# wall time next to the critical-path bound, at several parallelisms; and a
# no-op plan, apply and reconcile loop over large deployed projects (wall
# time, peak RSS, API requests).
#
#   PIPECTL=build/pipectl bench/apply.sh [TABLES] [LAYERS] [DDL_MS] [PENDING_MS] ["PLAN_TABLES…"]
#
# PLAN_TABLES (default "10000 50000"; 0 skips it): the sizes of the no-op
# plan; KEEP=DIR keeps each project and its emulator state there.
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
PLAN_N=${5:-"10000 50000"}
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

project() { # DIR TABLES LAYERS (written by python: a shell loop takes minutes for 50,000 tables)
	local dir=$1
	rm -rf "$dir"
	python3 - "$dir" "$2" "$3" <<'PY'
import os, sys
d, n, l = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
per = n // l
for k in range(l):
    for i in range(per):
        name = f"t{k}_{i}"
        sd = f"{d}/pipelines/intermediates/l{k}/{name}/sql-scripts"
        os.makedirs(sd)
        with open(f"{sd}/ddl.{name}.sql", "w") as f:
            f.write(f"CREATE TABLE {name} (id INT, v INT);\n")
        if k == 0:
            continue
        p1, p2 = f"t{k - 1}_{i}", f"t{k - 1}_{(i * 7 + 3) % per}"
        with open(f"{sd}/dml.{name}.sql", "w") as f:
            if p1 == p2:
                f.write(f"INSERT INTO {name} SELECT id, v FROM {p1};\n")
            else:
                f.write(f"INSERT INTO {name} SELECT id, v FROM {p1} UNION ALL SELECT id, v FROM {p2};\n")
PY
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

[ -n "$PLAN_N" ] && [ "$PLAN_N" != 0 ] || exit 0

# deployed DIR N: the project of N tables (10 layers) in DIR, and an emulator
# whose state has every table deployed as apply leaves it (topic, DDL
# COMPLETED, DML RUNNING), made by bench/deployed_state.py from the plan of
# the project against an empty emulator: seconds instead of an apply of N
# tables. The first plan over it must find nothing to do.
deployed() {
	local dir=$1 n=$2 url
	start_emulator --ddl-ms 0 --pending-ms 0
	project "$dir" "$n" 10
	"$PIPECTL" -C "$dir" plan --json >"$T/plan.json" || { echo "plan --json failed" >&2; exit 1; }
	kill -INT "$EMU"; wait "$EMU" 2>/dev/null || true; EMU=
	python3 "$(dirname "$0")/deployed_state.py" "$T/plan.json" env-bench bench-env lkc-local "$T/deployed.json" >/dev/null
	rm -f "$T/plan.json"
	"$PIPECTL" emulator --listen 127.0.0.1:0 --state "$T/deployed.json" --ddl-ms 0 --pending-ms 0 >"$T/emu.log" 2>&1 &
	EMU=$!
	for _ in $(seq 1 600); do grep -q "listening on" "$T/emu.log" && break; sleep 0.05; done
	url=$(grep -o 'http://127.0.0.1:[0-9]*' "$T/emu.log" | head -1)
	sed -i "s|http://127.0.0.1:[0-9]*|$url|g" "$dir/pipectl.yaml"
}

# The no-op plan: wall time, peak RSS (/usr/bin/time), the API requests
# (plan --verbose prints them on stderr) against the floor of one request per
# statement page (100 statements) plus the topic list; then a no-op apply
# (adds the lock's requests) and a reconcile loop (--interval 1s) over three
# cycles, whose peak RSS is what the shipped Kubernetes manifest's 512 MiB
# limit must hold.
for n in $PLAN_N; do
	echo "no-op plan: $n tables deployed (10 layers; $(( n / 10 * 19 )) statements, $n topics)"
	deployed "$T/big" "$n"
	stmts=$(( n / 10 * 19 ))
	floor=$(( (stmts + 99) / 100 + 1 ))
	for _ in 1 2 3; do
		/usr/bin/time -f "%e %U %S %M" -o "$T/time" "$PIPECTL" -C "$T/big" plan --detailed-exitcode --verbose \
			>"$T/out" 2>"$T/err" || { tail -n 5 "$T/out" "$T/err"; exit 1; }
		grep -q "No changes" "$T/out" || { tail -5 "$T/out"; exit 1; }
		read -r w u sy m < <(tail -1 "$T/time")
		awk -v w="$w" -v c="$(awk "BEGIN{print $u + $sy}")" -v m="$m" -v r="$(requests "$T/err")" -v f="$floor" \
			-v l="$(cut -d' ' -f1 /proc/loadavg)" \
			'BEGIN { printf "  plan  wall %5.2f s  cpu %5.2f s  peak RSS %6.1f MiB  requests %d (floor %d)  load %s\n", w, c, m / 1024, r, f, l }'
	done
	t0=$(now_ms)
	"$PIPECTL" -C "$T/big" apply --auto-approve --verbose >"$T/out" 2>&1 || { tail -5 "$T/out"; exit 1; }
	t1=$(now_ms)
	grep -q "No changes" "$T/out" || { tail -5 "$T/out"; exit 1; }
	echo "  apply (no-op) wall $(( t1 - t0 )) ms; $(grep 'API requests' "$T/out")"
	/usr/bin/time -f "%M" -o "$T/time" "$PIPECTL" -C "$T/big" reconcile --interval 1s --jitter 0 \
		>"$T/loop" 2>&1 &
	loop=$!
	for _ in $(seq 1 1200); do
		[ "$(grep -c 'cycle success' "$T/loop" || true)" -ge 3 ] && break
		kill -0 "$loop" 2>/dev/null || break
		sleep 0.1
	done
	cycles=$(grep -c 'cycle success' "$T/loop" || true)
	# the signal goes to pipectl, the child of /usr/bin/time, which then writes the peak
	kill -TERM "$(ps -o pid= --ppid "$loop")" 2>/dev/null || true
	wait "$loop" 2>/dev/null || true
	echo "  reconcile loop: $cycles cycles, peak RSS $(awk '{printf "%.1f", $1 / 1024}' "$T/time" | tail -1) MiB"
	[ -z "${KEEP:-}" ] || { rm -rf "$KEEP/big-$n"; cp -r "$T/big" "$KEEP/big-$n"; cp "$T/deployed.json" "$KEEP/state-$n.json"; }
	rm -rf "$T/big" "$T/deployed.json"
done
