#!/usr/bin/env bash
# A DML-less table whose DDL statement expired (issue #9 item 6; Confluent
# deletes completed statements after 30 days, the emulator after
# --expire-completed-s): it is never called in sync without evidence; plan
# and status say its DDL cannot be compared with git.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

start_emulator --expire-completed-s 1
write_project
run 0 apply --auto-approve
wait_until 20 bash -c "! curl -sf '$(API)/statements?page_size=100' | jq -e '.data[] | select(.metadata.labels[\"user.confluent.io/pipectl-table-name\"] == \"src_users\")' >/dev/null" ||
	fail "the DDL statement of src_users did not expire"
table sources users src_users "CREATE TABLE src_users (uid INT, name STRING, email STRING);"
run 0 status --json
jq -e '.tables[] | select(.name == "src_users") | (.in_sync | not) and (.reason | test("cannot be compared"))' "$T/out" >/dev/null ||
	fail "status of a table whose DDL record expired: $(jq -c '.tables[] | select(.name == "src_users")' "$T/out")"
run 0 plan
grep -q "'src_users': its DDL cannot be compared with git" "$T/out" || fail "plan says nothing: $(cat "$T/out")"
# a table with a DML keeps its DDL fingerprint on its DML: still compared
jq -e '.tables[] | select(.name == "int_users") | .in_sync' <(pc status --json) >/dev/null || fail "int_users not in sync"
echo "ok"
