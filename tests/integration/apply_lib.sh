# apply_lib.sh - sourced by tests/integration/test_apply_*.sh: a temp dir, an
# emulator on a free loopback port (emulator_lib.sh), a small project that
# targets it, and helpers that read the emulator's state over its REST API.
# Everything started here is stopped by the EXIT trap.

source "$(dirname "${BASH_SOURCE[0]}")/emulator_lib.sh"

BG_PIDS=()
ORG=00000000-0000-4000-8000-000000000001
ENV_ID=env-it1
CFG_PREFIX=it
CFG_FLINK_EXTRA=$'    catalog: it-env\n    database: lkc-local\n'

cleanup() {
	for p in "${BG_PIDS[@]}" $EMU_PID; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${BG_PIDS[@]}" $EMU_PID; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$T"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	[ -f "$T/out" ] && { echo "--- last output:" >&2; tail -40 "$T/out" >&2; }
	exit 1
}

# table LAYER PRODUCT NAME DDL [DML]: write one table folder.
table() {
	local d="$P/pipelines/$1/$2/$3/sql-scripts"
	mkdir -p "$d"
	printf '%s\n' "$4" >"$d/ddl.$3.sql"
	if [ -n "${5:-}" ]; then printf '%s\n' "$5" >"$d/dml.$3.sql"; else rm -f "$d/dml.$3.sql"; fi
}

# The small project: two sources, a stateless chain, a stateful aggregate and its reader,
# and an independent branch.
write_project() {
	table sources orders src_orders "CREATE TABLE src_orders (id INT, amount INT);"
	table intermediates orders int_orders "CREATE TABLE int_orders (id INT, amount INT);" \
		"INSERT INTO int_orders SELECT id, amount FROM src_orders WHERE amount > 0;"
	table facts orders fct_big_orders "CREATE TABLE fct_big_orders (id INT, amount INT);" \
		"INSERT INTO fct_big_orders SELECT id, amount FROM int_orders WHERE amount > 100;"
	table facts orders fct_totals "CREATE TABLE fct_totals (id INT, total INT, PRIMARY KEY (id) NOT ENFORCED);" \
		"INSERT INTO fct_totals SELECT id, SUM(amount) FROM int_orders GROUP BY id;"
	table views orders v_totals "CREATE TABLE v_totals (id INT, total INT, PRIMARY KEY (id) NOT ENFORCED);" \
		"INSERT INTO v_totals SELECT id, total FROM fct_totals;"
	table sources users src_users "CREATE TABLE src_users (uid INT, name STRING);"
	table intermediates users int_users "CREATE TABLE int_users (uid INT, name STRING);" \
		"INSERT INTO int_users SELECT uid, name FROM src_users;"
}

pc() { "$PIPECTL" -C "$P" "$@"; }

# run EXPECTED_STATUS CMD...: run pipectl, output in $T/out, check the exit status.
run() {
	local want=$1 got=0
	shift
	pc "$@" >"$T/out" 2>&1 || got=$?
	[ "$got" = "$want" ] || fail "pipectl $* exited $got, expected $want"
}

# Phase of the one live DML of TABLE ("" when none; fails when several).
dml_phase() {
	local l n
	l=$(live_dmls "$1")
	n=$(grep -c . <<<"$l" || true)
	[ "$n" -le 1 ] || fail "table $1 has $n live DML statements: $l"
	awk '{print $2}' <<<"$l"
}

dml_name() { live_dmls "$1" | awk '{print $1}'; }

# assert_running T...: each table has exactly one RUNNING DML and a topic.
assert_running() {
	local t
	for t in "$@"; do
		has_topic "$t" || fail "table $t has no topic"
		[ "$(dml_phase "$t")" = RUNNING ] || fail "table $t: DML is '$(dml_phase "$t")', expected RUNNING"
	done
}

audit() { curl -sf "$EMU_URL/emulator/v1/environments/$ENV_ID/statements/$1/audit"; }

# wait_until SECONDS CMD...: poll CMD every 0.1 s.
wait_until() {
	local n=$(( $1 * 10 ))
	shift
	for _ in $(seq 1 "$n"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# The planned actions shown in $T/out (plan text of plan/apply/destroy): sorted "action table" lines.
shown_actions() {
	grep -E '^  (\+|>|~|-/\+|~>|-) (create|start|replace-dml|rebuild|restart|drop) ' "$T/out" |
		awk '{print $2, $3}' | sort
}

# expect_actions "action table" ...: exactly these were shown.
expect_actions() {
	local want got
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
	got=$(shown_actions)
	[ "$got" = "$want" ] || fail "planned actions differ: expected [$(echo $want)], got [$(echo $got)]"
}

# consumed TOPIC STATEMENT: "partition from to" lines from the emulator's audit.
consumed() {
	audit "$2" | jq -r --arg t "$1" '.consumed[$t][] | "\(.partition) \(.from) \(.to)"'
}
