#!/usr/bin/env bash
# An apply of 600 tables with a DML: its journal is more than one statement
# can hold (the service takes at most 131,072 characters of SQL, the journal
# needs some 250 a table), so it is written in parts. The run is killed
# (-9) once its first DML exists: every part is there (all are written before
# the first action), linked by run, index and count, none over the part cap.
# The rerun reads the whole journal, finishes the run (exit 0, every table one
# RUNNING DML) and deletes every part; a third apply has nothing to do.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

N=600
start_emulator --ddl-ms 20 --pending-ms 40 --topic-linger-ms 0
table sources src src "CREATE TABLE src (id INT);"
for i in $(seq -w 1 "$N"); do
	table facts f "t$i" "CREATE TABLE t$i (id INT);" "INSERT INTO t$i SELECT id FROM src;"
done

# DML statements the emulator has seen (its audit lists every DML, live or deleted)
dmls_seen() { curl -sf "$EMU_URL/emulator/v1/environments/$ENV_ID/audit" | jq '.statements | length'; }
some_dml() { [ "$(dmls_seen)" -ge 1 ]; }
dml_or_ended() { some_dml || ! kill -0 "$pid" 2>/dev/null; }

"$PIPECTL" -C "$P" apply --auto-approve --lock-ttl 2s >"$T/bg.out" 2>&1 &
pid=$!
BG_PIDS+=("$pid")
if ! wait_until 120 dml_or_ended || ! some_dml; then
	cat "$T/bg.out" >&2
	fail "no DML was created within 120 s (the journal could not be written?)"
fi
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
grep -q "Apply complete" "$T/bg.out" && fail "the apply ended before it was killed: nothing interrupted"

# the parts of the killed run: one run, indexes 1..n of n, each under the cap
statements >"$T/all.json"
jq -r '.[] | select(.name | test("-pc-journal-")) | .name' "$T/all.json" | sort >"$T/parts"
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
[ "$total" -gt 131072 ] || fail "the journal is $total characters: it would fit one statement, so nothing was split"

run 0 apply --auto-approve --lock-ttl 2s --lock-timeout 30s
grep -q "an interrupted run left journal '$run_id'" "$T/out" || fail "the rerun did not read the killed run's journal"
statements >"$T/all.json"
jq -e 'any(.[]; .name | test("-pc-journal-")) | not' "$T/all.json" >/dev/null ||
	fail "journal parts left after the rerun: $(jq -r '.[] | select(.name | test("-pc-journal-")) | .name' "$T/all.json")"
# every table: exactly one live DML, RUNNING
jq -r '.[] | select(.metadata.labels["user.confluent.io/pipectl-kind"] == "dml")
	| select(.status.phase != "STOPPED" and .status.phase != "COMPLETED" and .status.phase != "FAILED")
	| "\(.metadata.labels["user.confluent.io/pipectl-table"]) \(.status.phase)"' "$T/all.json" | sort >"$T/live"
[ "$(wc -l <"$T/live")" = "$N" ] || fail "$(wc -l <"$T/live") live DMLs, expected $N"
[ "$(awk '{print $1}' "$T/live" | sort -u | wc -l)" = "$N" ] || fail "a table has two live DMLs"
[ "$(grep -c ' RUNNING$' "$T/live")" = "$N" ] || fail "not every DML is RUNNING: $(grep -v ' RUNNING$' "$T/live" | head -3)"

run 0 apply --auto-approve
grep -q "No changes" "$T/out" || fail "a third apply did not find the project in sync"
echo "ok ($n journal parts, $total characters, largest $max)"
