#!/usr/bin/env bash
# validate and inventory on deliberately broken projects: each problem is one
# exact line naming the file and line, the exit status is 1, and nothing is
# written into the project tree.
. "$(dirname "$0")/lib.sh" || exit 1

# new_project NAME: an empty project in $TMP/NAME; prints its path.
new_project() {
	mkdir -p "$TMP/$1/pipelines"
	printf 'prefix: test\n' >"$TMP/$1/pipectl.yaml"
	echo "$TMP/$1"
}

# table ROOT FOLDER NAME [DML]: ddl.NAME.sql creating NAME in
# pipelines/FOLDER/NAME/sql-scripts, and a DML when given.
table() {
	local d="$1/pipelines/$2/$3/sql-scripts"
	mkdir -p "$d"
	printf -- '-- %s\nCREATE TABLE %s (\n  id STRING\n);\n' "$3" "$3" >"$d/ddl.$3.sql"
	if [ $# -ge 4 ]; then printf '%s\n' "$4" >"$d/dml.$3.sql"; fi
}

# check_validate ROOT LINE…: validate exits 1 and prints exactly these
# problem lines on stderr; inventory prints what it can, the same lines,
# exits 1; nothing in ROOT changes.
check_validate() {
	local root=$1 before after l
	shift
	before=$(snapshot "$root")
	pc -C "$root" validate
	assert_rc 1
	for l in "$@"; do assert_err_line "$l"; done
	assert_err_lines $#
	pc -C "$root" inventory --json
	assert_rc 1
	for l in "$@"; do assert_err_line "$l"; done
	assert_json 'd["format_version"] == "1"'
	assert_json 'any(x["name"] == "src" for x in d["tables"])' "the readable tables are still listed"
	after=$(snapshot "$root")
	[ "$before" == "$after" ] || fail "validate/inventory changed the project tree $root"
}

# ---- a cycle
R=$(new_project cycle)
table "$R" sources/s src
table "$R" intermediates/p a 'INSERT INTO a SELECT * FROM src JOIN b ON src.id = b.id;'
table "$R" intermediates/p b 'INSERT INTO b SELECT * FROM a;'
check_validate "$R" "pipelines/intermediates/p/a/sql-scripts/dml.a.sql:1: error: cycle: a -> b -> a"

# ---- a DML without a DDL
R=$(new_project missing_ddl)
table "$R" sources/s src
mkdir -p "$R/pipelines/facts/p/f/sql-scripts"
printf 'INSERT INTO f\nSELECT * FROM src;\n' >"$R/pipelines/facts/p/f/sql-scripts/dml.f.sql"
check_validate "$R" "pipelines/facts/p/f/sql-scripts/dml.f.sql: error: DML without a DDL: no ddl.*.sql in 'pipelines/facts/p/f/sql-scripts'"

# ---- two folders create the same table
R=$(new_project duplicate)
table "$R" sources/s1 src
mkdir -p "$R/pipelines/sources/s2/src_copy/sql-scripts"
printf 'CREATE TABLE src (id STRING);\n' >"$R/pipelines/sources/s2/src_copy/sql-scripts/ddl.src.sql"
check_validate "$R" "pipelines/sources/s2/src_copy/sql-scripts/ddl.src.sql:1: error: table 'src' is created twice: by 'pipelines/sources/s1/src/sql-scripts/ddl.src.sql' and by 'pipelines/sources/s2/src_copy/sql-scripts/ddl.src.sql'"

# ---- an unknown key in pipectl.yaml: the project is unusable
R=$(new_project bad_config)
table "$R" sources/s src
printf '# config\nprefix: dev\nprefx: dev\n' >"$R/pipectl.yaml"
pc -C "$R" validate
assert_rc 1
assert_err_line "$R/pipectl.yaml:3: error: unknown key 'prefx'"
assert_err_lines 1
pc -C "$R" inventory
assert_rc 1
assert_err_line "$R/pipectl.yaml:3: error: unknown key 'prefx'"

# ---- an unknown key in table.yaml
R=$(new_project bad_table_yaml)
table "$R" sources/s src
printf 'protect: true\ncompute_pol: lfcp-1\n' >"$R/pipelines/sources/s/src/table.yaml"
check_validate "$R" "pipelines/sources/s/src/table.yaml:2: error: unknown key 'compute_pol' in table.yaml"

# ---- an unterminated string literal
R=$(new_project unterminated)
table "$R" sources/s src
table "$R" facts/p f "INSERT INTO f
SELECT id, 'open
FROM src;"
check_validate "$R" "pipelines/facts/p/f/sql-scripts/dml.f.sql:2: error: unterminated string literal"

# ---- an unreadable file (a dangling symlink named like a DDL)
R=$(new_project unreadable)
table "$R" sources/s src
mkdir -p "$R/pipelines/facts/p/f/sql-scripts"
ln -s "$TMP/nowhere.sql" "$R/pipelines/facts/p/f/sql-scripts/ddl.f.sql"
check_validate "$R" "pipelines/facts/p/f/sql-scripts/ddl.f.sql: error: could not read file: No such file or directory"

# ---- a DML whose INSERT target is not the DDL's table
R=$(new_project mismatch)
table "$R" sources/s src
table "$R" facts/p f '-- writes the wrong table
INSERT INTO g
SELECT * FROM src;'
check_validate "$R" "pipelines/facts/p/f/sql-scripts/dml.f.sql:2: error: INSERT INTO 'g' does not match the table 'f' created by 'pipelines/facts/p/f/sql-scripts/ddl.f.sql'"

# ---- a warning only (unknown layer) and a declared external table: exit 0
R=$(new_project warning)
printf 'prefix: test\nexternals:\n  - name: ext_t\n' >"$R/pipectl.yaml"
table "$R" sources/s src
table "$R" bronze/p x 'INSERT INTO x SELECT src.id FROM src JOIN ext_t ON src.id = ext_t.id;'
pc -C "$R" validate
assert_rc 0
assert_err_line "pipelines/bronze: warning: unknown layer 'bronze' (expected sources, intermediates, facts, dimensions, views, seeds or stage): its tables get layer 'unknown'"
assert_err_lines 1
assert_out_line "2 tables, 0 errors, 1 warning"
pc -C "$R" inventory --json
assert_rc 0
assert_json 't("x")["layer"] == "unknown" and t("x")["parents"] == ["src"] and t("x")["external_parents"] == ["ext_t"]'
assert_json 't("src")["children"] == ["x"]'
pc -C "$R" graph x --up --format json
assert_rc 0
assert_json 'node("ext_t") == {"name":"ext_t","layer":None,"stateful":False,"external":True}'
assert_json 'edges == {("src","x"),("ext_t","x")}'
pc -C "$R" graph x
assert_rc 0
assert_out_line "  ext_t [external]"
pc -C "$R" graph ext_t
assert_rc 1
assert_err_line "error: 'ext_t' is an external table (no DDL in the tree creates it; 'x' reads it): run graph on a table of the tree"

# ---- strict SQL: what the analyzer does not understand is an error naming file:line
strict_case() { # NAME DML EXPECTED-LINE
	R=$(new_project "$1")
	table "$R" sources/s src
	table "$R" facts/p f "$2"
	check_validate "$R" "$3"
}
strict_case typo_select 'INSERT INTO f
SELEC id FROM src;' "pipelines/facts/p/f/sql-scripts/dml.f.sql:2: error: expected a query, found 'SELEC' (did you mean SELECT?)"
strict_case typo_from 'INSERT INTO f
SELECT id
FORM src;' "pipelines/facts/p/f/sql-scripts/dml.f.sql:3: error: unexpected 'src' after 'FORM' (did you mean FROM?)"
strict_case typo_insert 'inset into f select id from src;' "pipelines/facts/p/f/sql-scripts/dml.f.sql:1: error: 'inset' does not start a Flink SQL statement (did you mean INSERT?)"
strict_case stray_semicolon 'INSERT INTO f
SELECT id;
FROM src;' "pipelines/facts/p/f/sql-scripts/dml.f.sql:3: error: a statement cannot start with 'FROM' (does a ';' before it cut a statement in two?)"
strict_case double_quotes 'INSERT INTO f SELECT id FROM "src";' "pipelines/facts/p/f/sql-scripts/dml.f.sql:1: error: \"src\" is double-quoted: Flink SQL quotes a name with backticks (\`src\`) and a string with single quotes ('src')"

# ---- a read of a table no DDL creates and externals does not declare: did you mean
R=$(new_project undeclared)
table "$R" sources/s src
table "$R" intermediates/p int_order_lines_usd 'INSERT INTO int_order_lines_usd SELECT id FROM src;'
table "$R" facts/p f 'INSERT INTO f
SELECT l.id
FROM int_order_lines_us l;'
check_validate "$R" "pipelines/facts/p/f/sql-scripts/dml.f.sql:3: error: 'f' reads table 'int_order_lines_us', which no DDL in the tree creates and 'externals' in pipectl.yaml does not declare (did you mean 'int_order_lines_usd'?)"

# ---- a statement set writing another table: the offending INSERT's line
R=$(new_project set_mismatch)
table "$R" sources/s src
table "$R" facts/p f 'EXECUTE STATEMENT SET
BEGIN
  INSERT INTO f SELECT id FROM src;
  INSERT INTO g SELECT id FROM src;
END;'
check_validate "$R" "pipelines/facts/p/f/sql-scripts/dml.f.sql:4: error: INSERT INTO 'g' does not match the table 'f' created by 'pipelines/facts/p/f/sql-scripts/ddl.f.sql'"

# ---- files and folders that look meant to be read: a warning each, exit 0
R=$(new_project misnamed)
table "$R" sources/s src
table "$R" facts/p f 'INSERT INTO f SELECT id FROM src;'
printf 'INSERT INTO f SELECT id FROM src;\n' >"$R/pipelines/facts/p/f/sql-scripts/dml.f.sq"
printf 'CREATE TABLE g (id STRING);\n' >"$R/pipelines/facts/p/f/sql-scripts/create_g.sql"
mkdir -p "$R/pipelines/facts/p/h/sql-script"
printf 'CREATE TABLE h (id STRING);\n' >"$R/pipelines/facts/p/h/sql-script/ddl.h.sql"
mkdir -p "$R/pipelines/facts/p/k"
printf 'CREATE TABLE k (id STRING);\n' >"$R/pipelines/facts/p/k/ddl.k.sql"
pc -C "$R" validate
assert_rc 0
assert_err_line "pipelines/facts/p/f/sql-scripts/create_g.sql: warning: not read: SQL files must be named ddl.<name>.sql or dml.<name>.sql"
assert_err_line "pipelines/facts/p/f/sql-scripts/dml.f.sq: warning: not read: a DML file must be named dml.<name>.sql"
assert_err_line "pipelines/facts/p/h/sql-script: warning: not read: a table folder holds its SQL in 'sql-scripts/', not 'sql-script/'"
assert_err_line "pipelines/facts/p/k/ddl.k.sql: warning: not read: SQL files of a table go in its 'sql-scripts/' folder"
assert_err_lines 4
assert_out_line "2 tables, 0 errors, 4 warnings"

# ---- externals: an unknown key names its line; a DDL that creates another table is an error
R=$(new_project bad_externals)
table "$R" sources/s src
printf 'prefix: test\nexternals:\n  - name: raw\n    dll: externals/raw.sql\n' >"$R/pipectl.yaml"
pc -C "$R" validate
assert_rc 1
assert_err_line "$R/pipectl.yaml:4: error: unknown key 'dll' in 'externals' (expected name, ddl)"
assert_err_lines 1
R=$(new_project wrong_external_ddl)
table "$R" sources/s src 'INSERT INTO src SELECT id FROM raw_orders;'
mkdir -p "$R/externals"
printf 'CREATE TABLE raw_order (id STRING);\n' >"$R/externals/raw_orders.sql"
printf 'prefix: test\nexternals:\n  - name: raw_orders\n    ddl: externals/raw_orders.sql\n' >"$R/pipectl.yaml"
check_validate "$R" "externals/raw_orders.sql: error: the DDL of external table 'raw_orders' must create it (it creates 'raw_order')"

# ---- a clean project for contrast: exit 0, no stderr
R=$(new_project clean)
table "$R" sources/s src
table "$R" facts/p f 'INSERT INTO f SELECT id FROM src;'
pc -C "$R" validate
assert_rc 0
assert_err_empty
assert_out_line "2 tables, 0 errors, 0 warnings"
echo ok
