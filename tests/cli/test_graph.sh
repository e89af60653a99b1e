#!/usr/bin/env bash
# graph on a diamond (a -> b, a -> c, b -> d, c -> d, d -> e): each subtree
# is printed once, a table met again is marked "(see above)", and the JSON
# has each node and edge once.
. "$(dirname "$0")/lib.sh" || exit 1

R="$TMP/diamond"
mk() { # mk NAME LAYER [DML]
	local d="$R/pipelines/$2/$1/sql-scripts"
	mkdir -p "$d"
	printf 'CREATE TABLE %s (id STRING);\n' "$1" >"$d/ddl.$1.sql"
	if [ $# -ge 3 ]; then printf '%s\n' "$3" >"$d/dml.$1.sql"; fi
}
mk a sources
mk b intermediates 'INSERT INTO b SELECT id FROM a;'
mk c intermediates 'INSERT INTO c SELECT id, COUNT(*) FROM a GROUP BY id;'
mk d facts 'INSERT INTO d SELECT b.id FROM b JOIN c ON b.id = c.id;'
mk e views 'INSERT INTO e SELECT id FROM d;'

pc -C "$R" graph a --down
assert_rc 0
expected='a [sources]
downstream (read by):
  b [intermediates]
    d [facts, stateful]
      e [views]
  c [intermediates, stateful]
    d [facts, stateful] (see above)'
[ "$OUT" == "$expected" ] || fail "graph a --down: unexpected tree"

pc -C "$R" graph e --up
assert_rc 0
expected='e [views]
upstream (reads from):
  d [facts, stateful]
    b [intermediates]
      a [sources]
    c [intermediates, stateful]
      a [sources]'
[ "$OUT" == "$expected" ] || fail "graph e --up: unexpected tree"

pc -C "$R" graph d --format json
assert_rc 0
assert_json '[n["name"] for n in d["nodes"]][0] == "a" and [n["name"] for n in d["nodes"]][-1] == "e"' "nodes in topological order"
assert_json 'sorted(n["name"] for n in d["nodes"]) == ["a","b","c","d","e"]'
assert_json 'len(d["edges"]) == 5 and edges == {("a","b"),("a","c"),("b","d"),("c","d"),("d","e")}'

pc -C "$R" graph b --down --up --format json
assert_rc 0
assert_json 'sorted(n["name"] for n in d["nodes"]) == ["a","b","d","e"]' "--up --down is both directions"
assert_json 'edges == {("a","b"),("b","d"),("d","e")}' "edges only between nodes of the lineage"
echo ok
