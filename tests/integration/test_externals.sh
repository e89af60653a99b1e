#!/usr/bin/env bash
# Declared externals (pipectl.yaml `externals:`): shift_left's own test
# project, whose sources read CDC topics that no DDL of the tree creates,
# plans and applies on the local target out of the box (the externals are
# created from their DDL), and on the emulator started with --project; a
# missing external on a target that does not create them is one line.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

FIX="$PC_SOURCE_DIR/tests/fixtures/projects/shift_left"

# ---- the local target: validate, plan, apply, in sync
L="$T/local"
cp -r "$FIX" "$L"
out=$("$PIPECTL" -C "$L" validate 2>&1) || fail "validate of the shift_left project: $out"
grep -q "4 tables, 0 errors, 0 warnings" <<<"$out" || fail "validate: $out"
"$PIPECTL" -C "$L" plan >"$T/out" 2>&1 || fail "plan on the local target"
grep -q "^Plan: 4 to create, 0 to start" "$T/out" || fail "plan creates the four tables"
"$PIPECTL" -C "$L" apply --auto-approve >"$T/out" 2>&1 || fail "apply on the local target"
"$PIPECTL" -C "$L" status >"$T/out" 2>&1 || fail "status after apply"
grep -q "4 of 4 tables in sync." "$T/out" || fail "status after apply"
code=0
"$PIPECTL" -C "$L" plan --detailed-exitcode >"$T/out" 2>&1 || code=$?
[ "$code" = 0 ] || fail "plan after apply exited $code (expected no change)"
# the externals are topics of the local state (made once, no statement)
jq -e '[.topics[] | .name] as $n | ($n | index("raw_users")) != null and ($n | index("raw_groups")) != null' \
	"$L/.pipectl/local-state.json" >/dev/null || fail "local state lacks the external topics: $(cat "$L/.pipectl/local-state.json")"
jq -e '[.. | objects | select(has("sql")) | .sql | select(test("raw_users \\("))] | length == 0' \
	"$L/.pipectl/local-state.json" >/dev/null || fail "an external was created by a statement"

# ---- the emulator started with --project creates them at start
start_emulator --project "$L"
curl -sf "$EMU_URL/kafka/v3/clusters/lkc-local/topics" >"$T/topics" || fail "GET topics"
jq -e '[.data[].topic_name] | index("raw_users") != null and index("raw_groups") != null' "$T/topics" >/dev/null ||
	fail "emulator topics lack the externals: $(cat "$T/topics")"
# a shift_left-style project against it: plans and applies
cp -r "$FIX/pipelines" "$P/pipelines"
printf 'externals:\n  - name: raw_users\n  - name: raw_groups\n' >>"$P/pipectl.yaml"
run 0 apply --auto-approve
run 0 status
grep -q "4 of 4 tables in sync." "$T/out" || fail "status on the emulator"

# ---- declared but missing on a target that does not create them: one line, nothing done
start_emulator
rm -f "$T/emu-state.json"
start_emulator
printf 'externals:\n  - name: raw_users\n  - name: raw_groups\n' >>"$P/pipectl.yaml"
run 1 plan
grep -q "^error: .*external table 'raw_groups' (declared in pipectl.yaml) does not exist in the target; 'src_c360_groups' reads it" "$T/out" ||
	fail "plan with missing externals"
[ "$(statements | jq length)" = 0 ] || fail "plan with a missing external changed the target"
echo ok
