# reconcile_lib.sh - sourced by tests/integration/test_reconcile_*.sh: a temp
# dir, an emulator on a free loopback port (emulator_lib.sh), a small project
# that targets it, `pipectl reconcile` in the background, and helpers that read
# the emulator's state (curl + jq) and the loop's endpoint. The EXIT trap
# stops everything.

source "$(dirname "${BASH_SOURCE[0]}")/emulator_lib.sh"

LOOP_PID=
ORG=00000000-0000-4000-8000-000000000002
ENV_ID=env-rec1
CFG_PREFIX=rc
CFG_FLINK_EXTRA=$'    catalog: rc-env\n    database: lkc-local\n'
LOG="$T/loop.log"

cleanup() {
	for p in $LOOP_PID $EMU_PID; do kill "$p" 2>/dev/null || true; done
	for p in $LOOP_PID $EMU_PID; do wait "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	[ -f "$LOG" ] && { echo "--- loop log (tail):" >&2; tail -30 "$LOG" >&2; }
	exit 1
}

# table LAYER NAME DDL [DML]
table() {
	local d="$P/pipelines/$1/$2/sql-scripts"
	mkdir -p "$d"
	printf '%s\n' "$3" >"$d/ddl.$2.sql"
	if [ -n "${4:-}" ]; then printf '%s\n' "$4" >"$d/dml.$2.sql"; else rm -f "$d/dml.$2.sql"; fi
}

# A source, a stateless chain and a stateful aggregate with a reader.
write_project() {
	table sources src_orders "CREATE TABLE src_orders (id INT, amount INT);"
	table intermediates int_orders "CREATE TABLE int_orders (id INT, amount INT);" \
		"INSERT INTO int_orders SELECT id, amount FROM src_orders WHERE amount > 0;"
	table facts fct_totals "CREATE TABLE fct_totals (id INT, total INT, PRIMARY KEY (id) NOT ENFORCED);" \
		"INSERT INTO fct_totals SELECT id, SUM(amount) FROM int_orders GROUP BY id;"
	table views v_totals "CREATE TABLE v_totals (id INT, total INT, PRIMARY KEY (id) NOT ENFORCED);" \
		"INSERT INTO v_totals SELECT id, total FROM fct_totals;"
}
DML_TABLES="int_orders fct_totals v_totals"
ALL_TABLES="src_orders int_orders fct_totals v_totals"

# start_loop ARGS...: pipectl reconcile in the background, log in $LOG.
start_loop() {
	: >"$LOG"
	"$PIPECTL" -C "$P" reconcile --listen 127.0.0.1:0 "$@" >>"$LOG" 2>&1 &
	LOOP_PID=$!
	for _ in $(seq 1 100); do
		grep -q "serving /healthz" "$LOG" && break
		kill -0 "$LOOP_PID" 2>/dev/null || fail "the loop exited at start"
		sleep 0.05
	done
	LOOP_PORT=$(grep -o 'port [0-9]*' "$LOG" | head -1 | awk '{print $2}')
	[ -n "$LOOP_PORT" ] || fail "the loop did not say its port"
	LOOP_URL="http://127.0.0.1:$LOOP_PORT"
}

# stop_loop: SIGTERM, and the exit status must be 0.
stop_loop() {
	local rc=0
	[ -n "$LOOP_PID" ] || return 0
	kill -TERM "$LOOP_PID" 2>/dev/null || true
	wait "$LOOP_PID" || rc=$?
	LOOP_PID=
	[ "$rc" = 0 ] || fail "the loop exited $rc after SIGTERM"
}

# The one live DML of TABLE: "name phase", "" when none; fails on duplicates.
live_dml() {
	local l n
	l=$(live_dmls "$1")
	n=$(grep -c . <<<"$l" || true)
	[ "$n" -le 1 ] || fail "table $1 has $n live DML statements: $l"
	echo "$l"
}

dml_name() { live_dml "$1" | awk '{print $1}'; }

# all_running: every table has its topic, every DML table one RUNNING DML.
all_running() {
	local t tp
	tp=$(topics)
	for t in $ALL_TABLES; do grep -qx "$t" <<<"$tp" || return 1; done
	for t in $DML_TABLES; do [ "$(live_dml "$t" | awk '{print $2}')" = RUNNING ] || return 1; done
	return 0
}

no_lock() { statements | jq -e 'map(select(.name | endswith("pipectl-lock"))) | length == 0' >/dev/null; }

# wait_until SECONDS CMD...: poll CMD every 0.2 s.
wait_until() {
	local n=$(( $1 * 5 ))
	shift
	for _ in $(seq 1 "$n"); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

# metric NAME_WITH_LABELS: its value on /metrics ("" when absent).
metric() {
	curl -sf "$LOOP_URL/metrics" | awk -v k="$1" '$1 == k {print $2}'
}

# metric_value NAME_WITH_LABELS: its value on /metrics; fails (no output)
# when the endpoint does not answer or the series is absent, so a caller never
# mistakes "not read" for 0.
metric_value() {
	local v
	v=$(curl -sf "$LOOP_URL/metrics" | awk -v k="$1" '$1 == k {print $2}') || return 1
	[ -n "$v" ] || return 1
	echo "${v%.*}"
}

# metric_ge NAME_WITH_LABELS N: the series exists and is >= N.
metric_ge() {
	local v
	v=$(metric_value "$1") || return 1
	[ "$v" -ge "$2" ]
}

# cycles_done: number of cycles the loop finished (any result); fails when
# /metrics cannot be read.
cycles_done() { metric_value pipectl_cycle_duration_seconds_count; }

# wait_cycles N SECONDS: until N more cycles have finished, counted from a
# reading of /metrics that succeeded (a cycle running at that reading may be
# one of the N: to see a cycle that starts after some event, ask for 2).
wait_cycles() {
	local start=
	wait_until "$2" eval 'start=$(cycles_done)' || return 1
	wait_until "$2" metric_ge pipectl_cycle_duration_seconds_count $(( start + $1 ))
}

# wait_cycles_total N SECONDS: until at least N cycles have finished since the loop started.
wait_cycles_total() { wait_until "$2" metric_ge pipectl_cycle_duration_seconds_count "$1"; }

# stop_statement NAME: behind pipectl's back (GET, set spec.stopped, PUT).
stop_statement() {
	local url="$(API)/statements/$1" body
	body=$(curl -sf "$url" | jq -c '.spec.stopped = true | del(.status)') || fail "GET $1"
	curl -sf -X PUT -H 'Content-Type: application/json' -d "$body" "$url" >/dev/null || fail "PUT $1"
}

delete_statement() { curl -sf -X DELETE "$(API)/statements/$1" >/dev/null || fail "DELETE statement $1"; }
delete_topic() { curl -sf -X DELETE "$EMU_URL/kafka/v3/clusters/lkc-local/topics/$1" >/dev/null || fail "DELETE topic $1"; }
