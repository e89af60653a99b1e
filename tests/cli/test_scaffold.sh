#!/usr/bin/env bash
# init makes a project that validates, plans and applies on the local target
# at once; new table scaffolds a table (DDL with the first parent's columns,
# a DML reading every parent, table.yaml only when asked) that validates
# and applies; mistakes are refused with a did you mean, nothing overwritten.
. "$(dirname "$0")/lib.sh" || exit 1
P="$TMP/proj"

pc init "$P" --prefix t1
assert_rc 0
[ -f "$P/pipectl.yaml" ] && [ -f "$P/.gitignore" ] || fail "init wrote no pipectl.yaml or .gitignore"
grep -qx "prefix: t1" "$P/pipectl.yaml" || fail "the prefix is not in pipectl.yaml"
grep -qx ".pipectl/" "$P/.gitignore" || fail ".gitignore does not keep the state out of git"
pc -C "$P" validate
assert_rc 0
assert_out_line "1 tables, 0 errors, 0 warnings"
assert_err_empty
pc -C "$P" plan --detailed-exitcode
assert_rc 2
assert_out_contains "+ create  src_events"
pc init "$P"
assert_rc 1
assert_err_contains "pipectl.yaml: already exists"
pc init "$TMP/other" --prefix 'Bad_Prefix'
assert_rc 64

# ---- new table
pc -C "$P" new table int_events --layer intermediates --product events --from src_events
assert_rc 0
D="$P/pipelines/intermediates/events/int_events"
assert_out_line "created pipelines/intermediates/events/int_events/sql-scripts/ddl.int_events.sql"
[ -f "$D/sql-scripts/dml.int_events.sql" ] || fail "no DML"
[ ! -e "$D/table.yaml" ] || fail "a table.yaml without --table-yaml"
grep -q "event_id   STRING NOT NULL" "$D/sql-scripts/ddl.int_events.sql" || fail "the DDL does not have the parent's columns"
grep -q "FROM src_events" "$D/sql-scripts/dml.int_events.sql" || fail "the DML does not read the parent"
pc -C "$P" new table fct_totals --layer facts --from int_events,src_events --table-yaml
assert_rc 0
F="$P/pipelines/facts/fct_totals"
[ -f "$F/table.yaml" ] || fail "--table-yaml wrote no table.yaml"
grep -q "UNION ALL" "$F/sql-scripts/dml.fct_totals.sql" || fail "two parents are not both read"
pc -C "$P" validate
assert_rc 0
assert_out_line "3 tables, 0 errors, 0 warnings"
pc -C "$P" inventory --json
assert_json 't("fct_totals")["parents"] == ["int_events", "src_events"] and t("int_events")["product"] == "events" and t("fct_totals")["product"] is None'
pc -C "$P" apply --auto-approve
assert_rc 0
assert_out_contains "Apply complete: 3 done, 0 failed, 0 skipped."

# ---- mistakes
pc -C "$P" new table v_x --layer view --from fct_totals
assert_rc 1
assert_err_line "error: unknown layer 'view' (did you mean 'views'?)"
pc -C "$P" new table v_x --layer views --from fct_total
assert_rc 1
assert_err_line "error: unknown table 'fct_total' in --from (did you mean 'fct_totals'?)"
pc -C "$P" new table int_events --layer intermediates
assert_rc 1
assert_err_contains "table 'int_events' exists already"
pc -C "$P" new table 'bad-name' --layer views
assert_rc 64
pc -C "$P" new table v_x
assert_rc 64
pc -C "$P" new view v_x --layer views
assert_rc 64
pc -C "$P" new table v_y --layer views --product evnts --from int_events
assert_rc 0
assert_err_line "warning: 'evnts' is a new product (did you mean 'events'?)"
[ ! -e "$TMP/proj/pipelines/views/v_x" ] || fail "a refused table left a folder"
echo ok
