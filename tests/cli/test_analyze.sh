#!/usr/bin/env bash
# analyze: standalone SQL files, no project; a broken file does not stop the others.
. "$(dirname "$0")/lib.sh" || exit 1

P="$EXAMPLE/pipelines"
cp "$P/intermediates/orders/int_orders_dedup/sql-scripts/dml.int_orders_dedup.sql" "$TMP/dedup.sql"
cp "$P/intermediates/orders/int_payment_events/sql-scripts/dml.int_payment_events.sql" "$TMP/set.sql"
cp "$P/facts/orders/fct_orders/sql-scripts/ddl.fct_orders.sql" "$TMP/ddl.sql"
printf -- "-- a comment\nINSERT INTO t\nSELECT 'never closed\nFROM s;\n" >"$TMP/bad.sql"
cd "$TMP"

pc analyze dedup.sql set.sql ddl.sql --json
assert_rc 0
assert_json 'd["format_version"] == "1" and [f["file"] for f in d["files"]] == ["dedup.sql","set.sql","ddl.sql"]'
assert_json 'all(set(s) >= {"kind","line","creates","writes","reads","stateful","reasons","upsert"} for f in d["files"] for s in f["statements"])' "every statement has every key"
# the dedup
assert_json 'len(d["files"][0]["statements"]) == 1'
assert_json 'd["files"][0]["statements"][0]["kind"] == "INSERT" and d["files"][0]["statements"][0]["line"] == 4'
assert_json 'd["files"][0]["statements"][0]["writes"] == ["int_orders_dedup"] and d["files"][0]["statements"][0]["reads"] == ["src_orders"]'
assert_json 'd["files"][0]["statements"][0]["stateful"] is True and any(r["line"] == 9 for r in d["files"][0]["statements"][0]["reasons"])'
# the statement set: one statement writing one table from two, stateless
assert_json 'len(d["files"][1]["statements"]) == 1 and d["files"][1]["statements"][0]["kind"] == "STATEMENT_SET"'
assert_json 'd["files"][1]["statements"][0]["writes"] == ["int_payment_events"]'
assert_json 'sorted(d["files"][1]["statements"][0]["reads"]) == ["src_payments","src_refunds"]'
assert_json 'd["files"][1]["statements"][0]["stateful"] is False and d["files"][1]["statements"][0]["reasons"] == []'
# the DDL: creates, upsert
assert_json 'd["files"][2]["statements"][0]["kind"] == "CREATE_TABLE" and d["files"][2]["statements"][0]["creates"] == ["fct_orders"]'
assert_json 'd["files"][2]["statements"][0]["upsert"] is True and d["files"][2]["statements"][0]["reads"] == []'

# text output
pc analyze dedup.sql
assert_rc 0
assert_out_line "dedup.sql:"
assert_out_not_contains "  line 4: INSERT, stateless"
assert_out_contains "  line 4: INSERT, stateful"
assert_out_contains "writes   int_orders_dedup"
assert_out_contains "reads    src_orders"

# a broken file among good ones: error with file:line, the others analyzed, exit 1
pc analyze dedup.sql bad.sql set.sql --json
assert_rc 1
assert_err_line "bad.sql:3: error: unterminated string literal"
assert_err_lines 1
assert_json '[f["file"] for f in d["files"]] == ["dedup.sql","bad.sql","set.sql"]'
assert_json 'd["files"][1]["statements"] == [] and "unterminated" in d["files"][1]["error"]'
assert_json 'd["files"][2]["statements"][0]["writes"] == ["int_payment_events"]'

pc analyze missing.sql dedup.sql
assert_rc 1
assert_err_contains "missing.sql"
assert_out_line "dedup.sql:"
echo ok
