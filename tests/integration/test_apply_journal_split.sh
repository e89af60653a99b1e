#!/usr/bin/env bash
# Applies of 600 tables with a DML: a journal is more than one statement can
# hold (the service takes at most 131,072 characters of SQL, the journal
# needs some 240 a table), so it is written in parts.
# 1. A fresh apply of the 600 tables (a journal of some 145,000 characters):
#    exit 0, every table one RUNNING DML, no journal part left (before the
#    split it failed before its first action).
# 2. Every DML changed (600 replacements: some 92,000 characters, two parts
#    of at most 65,536), the apply killed (-9) once its
#    first new DML exists: every part is there (all are written before the
#    first action), linked by run, index and count, none over the part cap.
#    The rerun reads the whole journal, finishes the run and deletes every
#    part; one more apply has nothing to do.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

N=600
start_emulator --ddl-ms 20 --pending-ms 40 --topic-linger-ms 0

# write_tables WHERE: the source and N tables reading it
write_tables() {
	table sources src src "CREATE TABLE src (id INT);"
	for i in $(seq -w 1 "$N"); do
		table facts f "t$i" "CREATE TABLE t$i (id INT);" "INSERT INTO t$i SELECT id FROM src WHERE id > $1;"
	done
}

journal_parts() { jq -r '.[] | select(.name | test("-pc-journal-")) | .name' "$T/all.json" | sort; }

# every table: exactly one live DML, RUNNING; no journal part left
assert_all_running_no_journal() {
	statements >"$T/all.json"
	[ -z "$(journal_parts)" ] || fail "journal parts left after the apply: $(journal_parts | head -3)"
	jq -r '.[] | select(.metadata.labels["user.confluent.io/pipectl-kind"] == "dml")
		| select(.status.phase != "STOPPED" and .status.phase != "COMPLETED" and .status.phase != "FAILED")
		| "\(.metadata.labels["user.confluent.io/pipectl-table"]) \(.status.phase)"' "$T/all.json" | sort >"$T/live"
	[ "$(wc -l <"$T/live")" = "$N" ] || fail "$(wc -l <"$T/live") live DMLs, expected $N"
	[ "$(awk '{print $1}' "$T/live" | sort -u | wc -l)" = "$N" ] || fail "a table has two live DMLs"
	[ "$(grep -c ' RUNNING$' "$T/live")" = "$N" ] ||
		fail "not every DML is RUNNING: $(grep -v ' RUNNING$' "$T/live" | head -3)"
}

# 1. fresh
write_tables 0
run 0 apply --auto-approve
grep -q "Apply complete: $((N + 1)) done" "$T/out" || fail "the fresh apply did not do every table: $(grep 'Apply complete' "$T/out")"
assert_all_running_no_journal

# 2. every DML replaced, killed once the first new DML exists
write_tables 1
# DML statements the emulator has seen (its audit lists every DML, live or deleted)
dmls_seen() { curl -sf "$EMU_URL/emulator/v1/environments/$ENV_ID/audit" | jq '.statements | length'; }
new_dml() { [ "$(dmls_seen)" -gt "$N" ]; }
new_dml_or_ended() { new_dml || ! kill -0 "$pid" 2>/dev/null; }
"$PIPECTL" -C "$P" apply --auto-approve --lock-ttl 2s >"$T/bg.out" 2>&1 &
pid=$!
BG_PIDS+=("$pid")
if ! wait_until 120 new_dml_or_ended || ! new_dml; then
	cat "$T/bg.out" >&2
	fail "no new DML was created within 120 s (the journal could not be written?)"
fi
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
grep -q "Apply complete" "$T/bg.out" && fail "the apply ended before it was killed: nothing interrupted"

# the parts of the killed run: one run, indexes 1..n of n, each under the cap
statements >"$T/all.json"
journal_parts >"$T/parts"
n=$(wc -l <"$T/parts")
[ "$n" -ge 2 ] || fail "the journal of $N tables is $n statement(s), expected it split: $(cat "$T/parts")"
run_id=$(sed -n 's/^\(.*-pc-journal-[0-9a-f]*\)-[0-9]*-of-[0-9]*$/\1/p' "$T/parts" | sort -u)
[ "$(wc -l <<<"$run_id")" = 1 ] || fail "journal parts of more than one run: $(cat "$T/parts")"
for i in $(seq 1 "$n"); do
	grep -qx "$run_id-$i-of-$n" "$T/parts" || fail "journal part $i of $n missing: $(cat "$T/parts")"
done
max=$(jq '[.[] | select(.name | test("-pc-journal-")) | .spec.statement | length] | max' "$T/all.json")
[ "$max" -le 65536 ] || fail "a journal part holds $max characters, more than the 65536 of a part"
total=$(jq '[.[] | select(.name | test("-pc-journal-")) | .spec.statement | length] | add' "$T/all.json")

run 0 apply --auto-approve --lock-ttl 2s --lock-timeout 30s
grep -q "an interrupted run left journal '$run_id'" "$T/out" || fail "the rerun did not read the killed run's journal"
assert_all_running_no_journal
run 0 apply --auto-approve
grep -q "No changes" "$T/out" || fail "one more apply did not find the project in sync"
echo "ok ($n journal parts, $total characters, largest $max)"
