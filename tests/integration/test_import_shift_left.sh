#!/usr/bin/env bash
# docs/migrating-from-shift-left.md walked end to end against the emulator:
# shift_left's statements deployed as shift_left would (its names, DDLs then
# DMLs, no pipectl labels); plan refuses to start a second writer; `import`
# prints what it would adopt, `import --write` records it in table.yaml;
# then plan shows no change; a stateless change replaces an adopted
# statement carrying its offsets (the audit: no record lost or repeated); a
# stateful change rebuilds exactly its subtree. Bad input: a statement whose
# SQL cannot be analyzed, two unmanaged writers of one table, an adoption
# of a statement that is gone: one line each, nothing changed.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

FIX="$PC_SOURCE_DIR/tests/fixtures/projects/shift_left"
L="$T/shift_left"
cp -r "$FIX" "$L"
start_emulator --project "$L"
cp -r "$FIX/pipelines" "$P/pipelines"
printf 'externals:\n  - name: raw_users\n  - name: raw_groups\n' >>"$P/pipectl.yaml"
# a table.yaml of the team's own, with a comment, that --write must keep
printf '# owned by team c360\nprotect: false\n' >"$P/pipelines/facts/c360/users_per_group/table.yaml"
# and one in sql-scripts/ (accepted there too): edited where it is
printf 'active: true\n' >"$P/pipelines/sources/c360/src_groups/sql-scripts/table.yaml"

# ---- deploy as shift_left does: <env>-<region>-[<product>-]{ddl|dml}-<table>
SL=dev-usw2-c360
post() { # NAME SQL-FILE
	jq -n --arg n "$1" --rawfile s "$2" '{name: $n, spec: {statement: $s,
		properties: {"sql.current-catalog": "it-env", "sql.current-database": "lkc-local"}}}' |
		curl -sf -X POST -H 'Content-Type: application/json' --data-binary @- "$(API)/statements" >/dev/null ||
		fail "POST statement $1"
}
phase_of() { statements | jq -r --arg n "$1" '.[] | select(.name == $n) | .status.phase'; }
is_phase() { [ "$(phase_of "$1")" = "$2" ]; }
TABLES="src_c360_users src_c360_groups int_c360_user_group fct_c360_users_per_group"
for t in $TABLES; do
	f=$(find "$P/pipelines" -name "ddl.$t.sql")
	post "$SL-ddl-${t//_/-}" "$f"
	wait_until 20 is_phase "$SL-ddl-${t//_/-}" COMPLETED || fail "DDL of $t did not complete: $(phase_of "$SL-ddl-${t//_/-}")"
done
for t in $TABLES; do
	post "$SL-dml-${t//_/-}" "$(find "$P/pipelines" -name "dml.$t.sql")"
done
for t in $TABLES; do
	wait_until 20 is_phase "$SL-dml-${t//_/-}" RUNNING || fail "DML of $t is not RUNNING"
done
# what the target holds (the environment lock's own statements aside: apply takes the lock before it reads the tree)
target_state() { statements | jq -c '[.[] | select(.name | startswith("it-pipectl-lock") | not) | {name, phase: .status.phase}] | sort_by(.name)'; }
n_before=$(target_state)

# ---- without adoption: never a second writer
run 1 plan
grep -q "^error: table '[a-z0-9_]*' is written by statement '$SL-dml-[a-z0-9-]*' (RUNNING), which pipectl does not manage: .*pipectl import [a-z0-9_]* --write" "$T/out" ||
	fail "plan without adoption: no second-writer error"
run 1 apply --auto-approve
grep -q "second writer" "$T/out" || fail "apply without adoption: no second-writer error"
[ "$(target_state)" = "$n_before" ] || fail "a refused plan or apply changed the target"

# ---- import prints, writes nothing
run 64 import --bogus
grep -q "^error: unknown option '--bogus'" "$T/out" || fail "import --bogus"
run 0 import src_c360_users
grep -q "^adopt    src_c360_users: " "$T/out" && [ "$(grep -c '^adopt ' "$T/out")" = 1 ] || fail "import with a selector"
rm -rf "$T/tree-before" && cp -r "$P/pipelines" "$T/tree-before"
run 0 import
for t in $TABLES; do
	grep -q "^adopt    $t: statement '$SL-dml-${t//_/-}' (RUNNING): fingerprint equal; DDL statement '$SL-ddl-${t//_/-}' equal" "$T/out" ||
		fail "import does not adopt $t"
done
grep -q "^4 to adopt" "$T/out" || fail "import summary"
diff -r "$T/tree-before" "$P/pipelines" >/dev/null || fail "import without --write wrote"

# ---- import --write records each adoption in table.yaml
run 0 import --write
for t in $TABLES; do
	y=$(find "$(dirname "$(dirname "$(find "$P/pipelines" -name "ddl.$t.sql")")")" -name table.yaml)
	[ "$(wc -l <<<"$y")" = 1 ] || fail "$t: table.yaml files: $y"
	grep -qx "adopt: $SL-dml-${t//_/-}" "$y" || fail "$y lacks the adoption: $(cat "$y" 2>&1)"
done
y="$P/pipelines/facts/c360/users_per_group/table.yaml"
grep -qx "active: true" "$P/pipelines/sources/c360/src_groups/sql-scripts/table.yaml" || fail "sql-scripts/table.yaml lost its key"
head -2 "$y" | tr '\n' '|' | grep -qx '# owned by team c360|protect: false|' || fail "table.yaml lost its content: $(cat "$y")"
run 0 validate
run 0 import
grep -c "^keep .* is adopted already" "$T/out" | grep -qx 4 || fail "import after --write"

# ---- plan shows no change; status in sync
code=0
pc plan --detailed-exitcode >"$T/out" 2>&1 || code=$?
[ "$code" = 0 ] || fail "plan after import --write exited $code (expected no change)"
run 0 status
grep -q "4 of 4 tables in sync." "$T/out" || fail "status after adoption"

# ---- a stateless change replaces the adopted statement, carrying its offsets
old="$SL-dml-src-c360-groups"
has_read() { consumed raw_groups "$old" | awk '$3 > 0 {f=1} END {exit !f}'; }
wait_until 20 has_read || fail "$old read nothing from raw_groups"
printf 'INSERT INTO src_c360_groups\nSELECT group_id, group_name\nFROM raw_groups\nWHERE group_id IS NOT NULL;\n' \
	>"$P/pipelines/sources/c360/src_groups/sql-scripts/dml.src_c360_groups.sql"
run 0 plan
grep -q "carries offsets from '$old'" "$T/out" || fail "the plan does not carry offsets from the adopted statement"
run 0 apply --auto-approve
expect_actions "replace-dml src_c360_groups"
new=$(dml_name src_c360_groups)
[ -n "$new" ] && [ "$new" != "$old" ] || fail "src_c360_groups was not replaced"
statements | jq -e --arg o "$old" 'map(select(.name == $o)) | length == 0' >/dev/null || fail "the adopted statement was not retired"
old_c=$(consumed raw_groups "$old")
new_c=$(consumed raw_groups "$new")
[ -n "$old_c" ] || fail "no audit for $old"
while read -r part from to; do
	nfrom=$(awk -v p="$part" '$1 == p {print $2}' <<<"$new_c")
	[ "$nfrom" = "$to" ] || fail "partition $part: the adopted statement read up to $to, its replacement started at '$nfrom'"
done <<<"$old_c"
for t in src_c360_users int_c360_user_group fct_c360_users_per_group; do
	is_phase "$SL-dml-${t//_/-}" RUNNING || fail "the replace-dml touched $t"
done
code=0
pc plan --detailed-exitcode >"$T/out" 2>&1 || code=$?
[ "$code" = 0 ] || fail "plan after the replace exited $code (expected no change; the stale adopt: key is harmless)"

# ---- a stateful change rebuilds exactly its subtree
printf 'INSERT INTO int_c360_user_group\nSELECT u.user_id, g.group_name\nFROM src_c360_users u\nJOIN src_c360_groups g ON u.group_id = g.group_id\nWHERE u.user_id IS NOT NULL;\n' \
	>"$P/pipelines/intermediates/c360/user_group/sql-scripts/dml.int_c360_user_group.sql"
# (the adopted statement carries no pipectl label: read by name)
keep="$(phase_of "$SL-dml-src-c360-users") $(dml_name src_c360_groups)"
[ "$keep" = "RUNNING $new" ] || fail "before the rebuild: [$keep]"
run 0 apply --auto-approve
expect_actions "rebuild int_c360_user_group" "rebuild fct_c360_users_per_group"
assert_running int_c360_user_group fct_c360_users_per_group src_c360_groups
[ "$keep" = "$(phase_of "$SL-dml-src-c360-users") $(dml_name src_c360_groups)" ] || fail "the rebuild touched tables outside its subtree"
for t in int_c360_user_group fct_c360_users_per_group; do
	[ -z "$(phase_of "$SL-dml-${t//_/-}")" ] || fail "the adopted DML of $t was not retired by the rebuild"
done

# ---- bad input: one line each, nothing changed
# a statement whose SQL cannot be analyzed: skipped with a line
jq -n '{name: "dev-usw2-odd", spec: {statement: "SELEC 1 FORM t"}}' |
	curl -s -X POST -H 'Content-Type: application/json' --data-binary @- "$(API)/statements" >/dev/null
if statements | jq -e 'any(.name == "dev-usw2-odd")' >/dev/null; then
	run 0 import
	grep -q "^skip     statement 'dev-usw2-odd' (.*): its SQL cannot be analyzed, skipped: " "$T/out" || fail "no skip line"
fi
# two unmanaged statements writing one table: an error naming both
post dev-usw2-c360-dml-src-c360-users-copy "$P/pipelines/sources/c360/src_users/sql-scripts/dml.src_c360_users.sql"
wait_until 20 is_phase dev-usw2-c360-dml-src-c360-users-copy RUNNING || fail "second writer not RUNNING"
rm -rf "$T/tree-before" && cp -r "$P/pipelines" "$T/tree-before"
run 1 import --write
grep -q "^error: table 'src_c360_users' is written by two statements, the adopted '.*' (RUNNING) and '.*' (RUNNING)" "$T/out" ||
	fail "two writers: no error"
grep -q "dev-usw2-c360-dml-src-c360-users-copy" "$T/out" && grep -q "'$SL-dml-src-c360-users'" "$T/out" && [ "$(wc -l <"$T/out")" = 1 ] ||
	fail "two writers: not one line naming both"
diff -r "$T/tree-before" "$P/pipelines" >/dev/null || fail "a refused import --write changed the tree"
curl -sf -X DELETE "$(API)/statements/dev-usw2-c360-dml-src-c360-users-copy" >/dev/null || fail "DELETE"
wait_until 20 bash -c "! curl -sf '$(API)/statements/dev-usw2-c360-dml-src-c360-users-copy' >/dev/null" || fail "copy not deleted"
# an adoption naming a statement that no longer exists
y="$P/pipelines/sources/c360/src_users/table.yaml"
sed -i 's/^adopt: .*/adopt: dev-usw2-c360-dml-gone/' "$y"
curl -sf -X DELETE "$(API)/statements/dev-usw2-odd" >/dev/null || true
n_before=$(target_state)
for cmd in plan "apply --auto-approve" status import; do
	run 1 $cmd
	grep -q "^pipelines/sources/c360/src_users/table.yaml:[0-9]*: error: adopt: statement 'dev-usw2-c360-dml-gone' does not exist in the environment (table 'src_c360_users')" "$T/out" ||
		fail "$cmd with a gone adoption"
	[ "$(wc -l <"$T/out")" = 1 ] || fail "$cmd with a gone adoption: more than one line"
done
[ "$(target_state)" = "$n_before" ] || fail "a gone adoption changed the target"
# a bad value is a validation error naming file:line
printf 'adopt: Not_A_Name\n' >"$y"
run 1 validate
grep -q "table.yaml:1: error: 'adopt' must name a statement" "$T/out" || fail "validate: bad adopt value"
echo ok
