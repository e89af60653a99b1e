#!/usr/bin/env bash
# Two `pipectl reconcile` replicas against one emulator, for high
# availability: exactly one acts (it holds the leader lock), the other says it
# stands by (/readyz, /metrics, /status). kill -9 the active one: the standby
# takes over at once (same host, the holder's process is gone; the lock's TTL
# is 5 minutes), then applies the next change. SIGTERM releases the leader lock.
# Deleted statements answer 403 (--forbid-deleted), as Confluent may.
set -euo pipefail
source "$(dirname "$0")/reconcile_lib.sh"

A_PID= B_PID=
ha_cleanup() {
	for p in $A_PID $B_PID; do kill -9 "$p" 2>/dev/null || true; done
	cleanup
}
trap ha_cleanup EXIT

# start_replica NAME: a loop in the background; sets NAME_PID and NAME_URL
start_replica() {
	local log="$T/$1.log" pid port
	: >"$log"
	"$PIPECTL" -C "$P" reconcile --listen 127.0.0.1:0 --interval 1s >>"$log" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		grep -q "serving /healthz" "$log" && break
		kill -0 "$pid" 2>/dev/null || fail "replica $1 exited at start: $(cat "$log")"
		sleep 0.05
	done
	port=$(grep -o 'port [0-9]*' "$log" | head -1 | awk '{print $2}')
	[ -n "$port" ] || fail "replica $1 did not say its port"
	eval "${1}_PID=$pid ${1}_URL=http://127.0.0.1:$port"
}
readyz() { curl -s "$1/readyz" || true; }
leader_metric() { curl -sf "$1/metrics" | awk '$1 == "pipectl_leader" {print $2}'; }
acted() { grep -c "action=[a-z-]* started" "$T/$1.log" || true; }
leader_sql() { curl -sf "$(API)/statements/rc-pipectl-leader" | jq -r '.spec.statement'; }

start_emulator --ddl-ms 300 --pending-ms 600 --forbid-deleted
write_project
start_replica A
wait_until 30 bash -c "curl -s '$A_URL/readyz' | grep -qx 'ready: active'" || fail "A never became active: $(readyz "$A_URL")"
start_replica B
wait_until 30 bash -c "curl -s '$B_URL/readyz' | grep -q '^ready: standby (active: reconcile run .* (pid $A_PID))'" ||
	fail "B did not say it stands by for A: $(readyz "$B_URL")"
[ "$(leader_metric "$A_URL")" = 1 ] || fail "A's pipectl_leader is not 1"
[ "$(leader_metric "$B_URL")" = 0 ] || fail "B's pipectl_leader is not 0"
curl -sf "$B_URL/metrics" | grep -qx 'pipectl_role{role="standby"} 1' || fail "B's role gauge is not standby"
curl -sf "$B_URL/status" | jq -e '.role == "standby" and (.leader | test("pid '"$A_PID"'"))' >/dev/null ||
	fail "B's /status does not say standby: $(curl -sf "$B_URL/status")"
curl -sf "$A_URL/status" | jq -e '.role == "active"' >/dev/null || fail "A's /status does not say active"
leader_sql | grep -q "pid=$A_PID " || fail "the leader lock does not name A: $(leader_sql)"

wait_until 60 all_running || fail "A did not bring the pipeline up"
# B has seen several cycles meanwhile, and acted in none
wait_until 30 bash -c "[ \$(curl -sf '$B_URL/metrics' | awk '\$1 == \"pipectl_cycles_total{result=\\\"standby\\\"}\" {print \$2}') -ge 3 ]" ||
	fail "B did not stand by cycle after cycle"
[ "$(acted A)" -ge 4 ] || fail "A did not act ($(acted A) actions)"
[ "$(acted B)" = 0 ] || fail "the standby acted: $(grep 'action=' "$T/B.log" | head -3)"

# kill -9 the active replica: B takes over at once (its TTL is 5 minutes)
kill -9 "$A_PID"
wait "$A_PID" 2>/dev/null || true
A_PID=
wait_until 30 bash -c "curl -s '$B_URL/readyz' | grep -qx 'ready: active'" || fail "B did not take over: $(readyz "$B_URL")"
[ "$(leader_metric "$B_URL")" = 1 ] || fail "B's pipectl_leader is not 1 after the takeover"
grep -q "active: this replica holds the leader lock" "$T/B.log" || fail "B did not log the takeover"
leader_sql | grep -q "pid=$B_PID " || fail "the leader lock does not name B: $(leader_sql)"

# B acts: a stateless change is replaced by B
old=$(dml_name int_orders)
table intermediates int_orders "CREATE TABLE int_orders (id INT, amount INT);" \
	"INSERT INTO int_orders SELECT id, amount FROM src_orders WHERE amount > 3;"
wait_until 60 bash -c "[ -n \"\$(grep 'table=int_orders action=replace-dml done' '$T/B.log')\" ]" ||
	fail "B did not apply the change: $(tail -5 "$T/B.log")"
[ "$(dml_name int_orders)" != "$old" ] || fail "int_orders still runs its old statement"

# SIGTERM: exit 0, the leader lock released
kill -TERM "$B_PID"
rc=0
wait "$B_PID" || rc=$?
B_PID=
[ "$rc" = 0 ] || fail "B exited $rc after SIGTERM"
statements | jq -e 'map(select(.name | startswith("rc-pipectl-"))) | length == 0' >/dev/null ||
	fail "lock statements left behind: $(statements | jq -c '[.[].name | select(startswith("rc-pipectl-"))]')"
echo ok
