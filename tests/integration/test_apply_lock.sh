#!/usr/bin/env bash
# The environment lock through the real binary and the emulator:
# - two concurrent applies: the second fails at once with exit 3 naming the
#   holder (run, host, pid, since), or waits for the first and then applies;
# - the lock statement names its holder in its SQL text only (no PUT ever);
# - a kill -9'd apply is taken over at once by a rerun on the same host,
#   without waiting for its 5-minute TTL;
# - `pipectl unlock` refuses a live holder, says whose it was, ends a dead one.
# The emulator answers 403 for deleted statements (--forbid-deleted), as Confluent may.
# The apply that must still hold the lock while the test acts on it keeps it because its DML
# statements are held PENDING by the emulator (`hold`, emulator_lib.sh) until the test
# releases them: no time window that a slow machine could close.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

start_emulator --ddl-ms 100 --pending-ms 150 --forbid-deleted --hold 'INSERT INTO'
write_project

lock_sql() { curl -sf "$(API)/statements/it-pipectl-lock" | jq -r '.spec.statement'; }
sql_field() { grep -o " $1=[^ ']*" | head -1 | cut -d= -f2; }

"$PIPECTL" -C "$P" apply --auto-approve >"$T/first.out" 2>&1 &
first=$!
BG_PIDS+=("$first")
wait_until 10 bash -c "curl -sf '$(API)/statements/it-pipectl-lock' >/dev/null" || fail "first apply never took the lock"
sql=$(lock_sql)
run_id=$(sql_field run <<<"$sql")
[ -n "$run_id" ] || fail "the lock statement does not name its holder: $sql"
[ "$(sql_field pid <<<"$sql")" = "$first" ] || fail "the lock names pid $(sql_field pid <<<"$sql"), not $first"
[ "$(sql_field cmd <<<"$sql")" = apply ] || fail "the lock does not name the command: $sql"
curl -sf "$(API)/statements/it-pipectl-lock" | jq -e '.spec.statement | startswith("SHOW TABLES LIKE")' >/dev/null ||
	fail "the lock statement is not a harmless SHOW: $sql"

# fail fast
run 3 apply --auto-approve --lock-timeout 0
grep -q "error: locked by apply run $run_id on host .* (pid $first, running) since 20" "$T/out" ||
	fail "exit 3 without the holder and time: $(cat "$T/out")"
# unlock without --force refuses a live holder, and says whose it is
run 3 unlock
grep -q "held by apply run $run_id" "$T/out" || fail "unlock did not name the live holder: $(cat "$T/out")"

# wait for it: the second one starts once the first is done (released once it waits)
"$PIPECTL" -C "$P" apply --auto-approve --lock-timeout 60s >"$T/out" 2>&1 &
second=$!
BG_PIDS+=("$second")
wait_until 30 grep -q "waiting up to 1m00s" "$T/out" || fail "the waiting apply did not say it waits: $(cat "$T/out")"
kill -0 "$first" || fail "the first apply ended while its DMLs were held"
release
wait "$first" || fail "first apply failed: $(tail -5 "$T/first.out")"
wait "$second" || fail "the waiting apply failed: $(tail -5 "$T/out")"
grep -q "Apply complete: 7 done" "$T/first.out" || fail "first apply did not complete"
grep -q "No changes" "$T/out" || fail "second apply did not see the first one's work"
statements | jq -e 'map(select(.name | startswith("it-pipectl-lock"))) | length == 0' >/dev/null ||
	fail "lock statements left behind: $(statements | jq -c '[.[].name]')"

# kill_during_apply N: change int_orders, start an apply, kill -9 it while it holds the lock
kill_during_apply() {
	table intermediates orders int_orders "CREATE TABLE int_orders (id INT, amount INT);" \
		"INSERT INTO int_orders SELECT id, amount FROM src_orders WHERE amount > $1;"
	hold 'INSERT INTO'
	"$PIPECTL" -C "$P" apply --auto-approve >"$T/bg.out" 2>&1 &
	victim=$!
	wait_until 10 bash -c "curl -sf '$(API)/statements/it-pipectl-lock' | grep -q 'pid=$victim '" ||
		fail "the apply never took the lock"
	kill -9 "$victim"
	wait "$victim" 2>/dev/null || true
	grep -q "Apply complete" "$T/bg.out" && fail "the apply ended before the kill"
	release
	curl -sf "$(API)/statements/it-pipectl-lock" >/dev/null || fail "the killed apply left no lock"
}

# a dead holder on this host: unlock (no --force needed) says whose it was and ends it
kill_during_apply 5
run 0 unlock
grep -q "released the lock 'it-pipectl-lock' of apply run .* (pid $victim, gone)" "$T/out" ||
	fail "unlock did not say whose lock it ended: $(cat "$T/out")"
curl -sf "$(API)/statements/it-pipectl-lock" >/dev/null && fail "unlock left the lock statement"
run 0 unlock
grep -q "no lock" "$T/out" || fail "unlock of a free lock did not say so: $(cat "$T/out")"
run 0 unlock --leader
grep -q "no lock: nobody holds 'it-pipectl-leader'" "$T/out" || fail "unlock --leader: $(cat "$T/out")"

# --force ends a live holder's lock (the holder finds out at its next heartbeat) and says whose
table intermediates orders int_orders "CREATE TABLE int_orders (id INT, amount INT);" \
	"INSERT INTO int_orders SELECT id, amount FROM src_orders WHERE amount > 6;"
hold 'INSERT INTO'
"$PIPECTL" -C "$P" apply --auto-approve >"$T/bg.out" 2>&1 &
holder=$!
BG_PIDS+=("$holder")
wait_until 10 bash -c "curl -sf '$(API)/statements/it-pipectl-lock' | grep -q 'pid=$holder '" || fail "the apply never took the lock"
run 0 unlock --force
grep -q "released the lock 'it-pipectl-lock' of apply run .* (pid $holder, running) since .* (forced)" "$T/out" ||
	fail "unlock --force did not say whose lock it ended: $(cat "$T/out")"
release
wait "$holder" || true
statements | jq -e 'map(select(.name | startswith("it-pipectl-lock"))) | length == 0' >/dev/null ||
	fail "unlock --force or the holder's release left lock statements: $(statements | jq -c '[.[].name]')"

# kill -9 again: the rerun takes over at once (the TTL is 5 minutes; --lock-timeout 0 cannot wait)
# (what the killed run left half done is the executor's to finish: a rerun may need a second pass,
# but never waits for the lock)
kill_during_apply 7
converged=0
for pass in 1 2 3; do
	rc=0
	pc apply --auto-approve --lock-timeout 0 >"$T/out" 2>&1 || rc=$?
	[ "$rc" != 3 ] && ! grep -q "locked by" "$T/out" || fail "rerun $pass after kill -9 met the dead holder's lock: $(cat "$T/out")"
	if [ "$rc" = 0 ] && grep -q "No changes" "$T/out"; then converged=1; break; fi
done
[ "$converged" = 1 ] || fail "the reruns after kill -9 did not converge: $(tail -5 "$T/out")"
statements | jq -e 'map(select(.name | startswith("it-pipectl-lock"))) | length == 0' >/dev/null ||
	fail "lock statements left behind: $(statements | jq -c '[.[].name]')"
echo "ok"
