#!/usr/bin/env bash
# validate --json: the problems (severity, file, line, table, message) and the
# counts as one document on stdout, nothing on stderr, the same exit status
# and the same problems as the text form.
. "$(dirname "$0")/lib.sh" || exit 1
F="$PC_SOURCE_DIR/tests/fixtures/projects"

pc -C "$F/unterminated_string" validate --json
assert_rc 1
assert_err_empty
assert_json 'd == {"format_version":"1","tables":1,"errors":1,"warnings":0,"problems":[{"severity":"error","file":"pipelines/sources/s/sql-scripts/dml.s.sql","line":3,"table":"s","message":"unterminated string literal"}]}'
pc -C "$F/unterminated_string" validate
assert_err_line "pipelines/sources/s/sql-scripts/dml.s.sql:3: error: unterminated string literal"

pc -C "$F/unknown_layer" validate --json
assert_rc 0
assert_json 'd["errors"] == 0 and d["warnings"] == 1 and d["problems"][0]["severity"] == "warning" and d["problems"][0]["line"] is None'

pc -C "$EXAMPLE" validate --json
assert_rc 0
assert_json 'd == {"format_version":"1","tables":16,"errors":0,"warnings":0,"problems":[]}'
pc -C "$EXAMPLE" validate --jsno
assert_rc 64
assert_err_line "error: unknown option '--jsno' (did you mean '--json'?)"

# ---- plan and apply report a broken file as validate does
cp -r "$F/unterminated_string" "$TMP/broken"
for c in plan "apply --auto-approve"; do
	pc -C "$TMP/broken" $c
	assert_rc 1
	assert_err_line "pipelines/sources/s/sql-scripts/dml.s.sql:3: error: unterminated string literal"
done

# ---- did you mean, for selectors
cp -r "$EXAMPLE" "$TMP/ex"
rm -rf "$TMP/ex/.pipectl"
pc -C "$TMP/ex" plan product:ordrs
assert_rc 64
assert_err_line "error: selector 'product:ordrs' matches no table (did you mean 'product:orders'?)"
pc -C "$TMP/ex" plan layer:fact
assert_rc 64
assert_err_line "error: selector 'layer:fact' matches no table (did you mean 'layer:facts'?)"
pc -C "$TMP/ex" plan +fct_order
assert_rc 64
assert_err_line "error: selector '+fct_order': no table 'fct_order' in the project (did you mean 'fct_orders'?)"
echo ok
