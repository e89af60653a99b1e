#!/usr/bin/env bash
# graph without TABLE: the whole project grouped by layer and product with a
# legend, in text, JSON, YAML, DOT (clusters) and Mermaid (subgraphs); table
# names that need quoting stay intact in DOT and Mermaid; --format html is
# one self-contained page, checked in headless Chromium (its own script
# reports no error, a click target shows the SQL, a screenshot is made); a
# 10,000-table page starts from the products (aggregated) and still renders.
. "$(dirname "$0")/lib.sh" || exit 1

# ---- text
pc -C "$EXAMPLE" graph
assert_rc 0
assert_out_contains "Legend: stateful: keeps state"
assert_out_line "facts"
assert_out_line "  orders/"
assert_out_line "    fct_orders [stateful, upsert, protected] <- int_orders_dedup, int_payment_events"
assert_out_line "    src_currency_rates [upsert]"
assert_out_line "16 tables (7 stateful) in 5 layers and 3 products, 0 external."
python3 - "$TMP/.out" <<'PY' || fail "layers are not in pipeline order"
import sys
heads = [l.strip() for l in open(sys.argv[1]) if l.strip() in ("sources", "intermediates", "facts", "dimensions", "views")]
assert heads == ["sources", "intermediates", "facts", "dimensions", "views"], heads
PY
assert_out_not_contains $'\033['

# ---- json / yaml: the same graph
pc -C "$EXAMPLE" graph --format json
assert_rc 0
assert_json 'd["table"] is None and len(d["nodes"]) == 16 and len(d["edges"]) == 14'
assert_json 'node("fct_orders") == {"name":"fct_orders","layer":"facts","product":"orders","stateful":True,"upsert":True,"protected":True,"external":False}'
assert_json '("int_orders_dedup","fct_orders") in edges'
cp "$TMP/.out" "$TMP/g.json"
pc -C "$EXAMPLE" graph --format yaml
assert_rc 0
python3 -c "import json,sys,yaml; sys.exit(0 if yaml.safe_load(open(sys.argv[1])) == json.load(open(sys.argv[2])) else 1)" "$TMP/.out" "$TMP/g.json" ||
	fail "graph --format yaml is not the JSON document"

# ---- dot: a cluster per layer and product, a legend
pc -C "$EXAMPLE" graph --format dot
assert_rc 0
[ "$(grep -c '^  subgraph cluster_l[0-9]* {' "$TMP/.out")" = 5 ] || fail "not one cluster per layer"
[ "$(grep -c '^    subgraph cluster_l[0-9]*_p[0-9]* {' "$TMP/.out")" = 9 ] || fail "not one cluster per layer and product"
assert_out_contains "subgraph cluster_legend {"
if command -v dot >/dev/null; then dot -Tsvg "$TMP/.out" >/dev/null || fail "dot rejects the project graph"; fi
# ---- mermaid: subgraphs, classes
pc -C "$EXAMPLE" graph --format mermaid
assert_rc 0
assert_out_line "flowchart LR"
[ "$(grep -c '^  subgraph L[0-9]*\[' "$TMP/.out")" = 5 ] || fail "not one subgraph per layer"
[ "$(grep -c '^  end$' "$TMP/.out")" = 6 ] || fail "subgraphs are not closed (5 layers and the legend)"
assert_out_contains "subgraph LEGEND[\"legend\"]"
pc -C "$EXAMPLE" graph --up
assert_rc 64
assert_err_contains "--up and --down need a TABLE"
pc -C "$EXAMPLE" graph fct_orders --format html
assert_rc 64

# ---- names that need quoting
W="$TMP/weird"
mkdir -p "$W/pipelines/sources/s/sql-scripts" "$W/pipelines/views/v/sql-scripts"
printf 'CREATE TABLE `a"b#c<d>\\e` (id INT);\n' >"$W/pipelines/sources/s/sql-scripts/ddl.s.sql"
printf 'CREATE TABLE `x y` (id INT);\n' >"$W/pipelines/views/v/sql-scripts/ddl.v.sql"
printf 'INSERT INTO `x y` SELECT id FROM `a"b#c<d>\\e`;\n' >"$W/pipelines/views/v/sql-scripts/dml.v.sql"
pc -C "$W" validate
assert_rc 0
pc -C "$W" graph --format dot
assert_rc 0
assert_out_contains 'n0 [label="a\"b#c<d>\\e", '
assert_out_contains 'n1 [label="x y", '
python3 - "$TMP/.out" <<'PY' || fail "a DOT string is not closed"
import re, sys
for line in open(sys.argv[1]):
    s = re.sub(r'\\.', '', line)  # escapes
    assert s.count('"') % 2 == 0, line
PY
if command -v dot >/dev/null; then dot -Tsvg "$TMP/.out" | grep -q 'a&quot;b#c&lt;d&gt;\\e' || fail "dot does not render the quoted name"; fi
pc -C "$W" graph --format mermaid
assert_rc 0
assert_out_line '    n0["a#quot;b#35;c#lt;d#gt;\e"]'
assert_out_line '    n1["x y"]'
pc -C "$W" graph 'x y' --format mermaid
assert_rc 0
assert_out_contains 'n0["a#quot;b#35;c#lt;d#gt;\e"]'

# ---- html: self-contained, in a real browser
pc -C "$EXAMPLE" graph --format html
assert_rc 0
cp "$TMP/.out" "$TMP/ex.html"
! grep -Eq '(src|href)=|https?://|@import|url\(' "$TMP/ex.html" || fail "the page loads something: $(grep -Eo '(src|href)=[^ ]*|https?://[^ ]*' "$TMP/ex.html" | head -3)"
grep -q '"n":"fct_orders"' "$TMP/ex.html" || fail "the page has no data"
pc -C "$W" graph --format html
assert_rc 0
python3 - "$TMP/.out" <<'PY' || fail "the data script does not hold the odd names intact"
import json, sys
page = open(sys.argv[1]).read()
start = page.index('<script id="data" type="application/json">') + len('<script id="data" type="application/json">')
d = json.loads(page[start:page.index("</script>", start)])  # the first </script> ends the data
assert sorted(t["n"] for t in d["tables"]) == ['a"b#c<d>\\e', "x y"], [t["n"] for t in d["tables"]]
PY
cp "$TMP/.out" "$TMP/weird.html"
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
	echo "skip: no chromium installed (Debian package chromium): the page is not checked in a browser"
	echo ok
	exit 0
fi
chrome() { # chrome URL ARGS...: headless, its own profile, no network needed
	"$browser" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$TMP/chrome" \
		--disable-background-networking "${@:2}" "$1" 2>>"$TMP/chrome.log"
}
dom() { chrome "$1" --dump-dom >"$TMP/dom.html" || fail "chromium failed: $(tail -3 "$TMP/chrome.log")"; }
dom "file://$TMP/ex.html#table=fct_orders"
grep -aq '<title>pipectl graph: 16 tables</title>' "$TMP/dom.html" || fail "the page's script did not finish or reported an error: $(grep -ao '<title>[^<]*' "$TMP/dom.html")"
grep -aq 'data-ready="1"' "$TMP/dom.html" || fail "the page is not ready"
grep -aq '<h2>fct_orders</h2>' "$TMP/dom.html" || fail "the table's panel is not shown"
grep -aq 'regular join at pipelines/facts/orders/fct_orders/sql-scripts/dml.fct_orders.sql:21' "$TMP/dom.html" || fail "no statefulness reason"
grep -aq 'INSERT INTO fct_orders' "$TMP/dom.html" || fail "no SQL in the panel"
grep -aq '<a>int_orders_dedup</a>' "$TMP/dom.html" || fail "no parent link"
grep -aq '<a>v_customer_360</a>' "$TMP/dom.html" || fail "no child link"
[ "$(grep -ao '<button class="t' "$TMP/dom.html" | wc -l)" = 16 ] || fail "not one button per table"
dom "file://$TMP/weird.html#table=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("a\"b#c<d>\\e"))')"
grep -aq '<title>pipectl graph: 2 tables</title>' "$TMP/dom.html" || fail "the page with odd names failed: $(grep -ao '<title>[^<]*' "$TMP/dom.html")"
grep -aq '<h2>a"b#c&lt;d&gt;\\e</h2>' "$TMP/dom.html" || fail "the odd name is not shown as it is"
chrome "file://$TMP/ex.html#table=fct_orders" --screenshot="$TMP/shot.png" --window-size=1280,800 >/dev/null ||
	fail "no screenshot: $(tail -3 "$TMP/chrome.log")"
python3 - "$TMP/shot.png" <<'PY' || fail "the screenshot is not a 1280x800 PNG with content"
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", b[16:24])
assert (w, h) == (1280, 800), (w, h)
assert len(b) > 20000, len(b)
PY

# ---- 10,000 tables: aggregated by product, still renders
python3 "$PC_SOURCE_DIR/bench/gen_project.py" 10000 "$TMP/big" >/dev/null
pc -C "$TMP/big" graph --format html
assert_rc 0
cp "$TMP/.out" "$TMP/big.html"
grep -q '{"aggregate":true,' "$TMP/big.html" || fail "a 10,000-table page is not aggregated"
t0=$(date +%s%N)
dom "file://$TMP/big.html"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
grep -aq '<title>pipectl graph: 10000 tables</title>' "$TMP/dom.html" || fail "the 10,000-table page failed: $(grep -ao '<title>[^<]*' "$TMP/dom.html")"
grep -aq 'data-buttons="0"' "$TMP/dom.html" || fail "the 10,000-table page drew every table at once"
products=$(grep -ao 'class="product"' "$TMP/dom.html" | wc -l)
[ "$products" -ge 200 ] || fail "only $products product boxes"
name=$(basename "$(ls -d "$TMP"/big/pipelines/views/*/* | head -1)")
dom "file://$TMP/big.html#table=$name"
grep -aq "<h2>$name</h2>" "$TMP/dom.html" || fail "a table of the 10,000 cannot be opened"
grep -aq 'data-buttons="[1-9]' "$TMP/dom.html" || fail "opening a table did not open its product"
echo "10,000 tables: $(wc -c <"$TMP/big.html") bytes, $products products, loaded in chromium in $ms ms (script: $(grep -ao 'data-ms="[0-9]*"' "$TMP/dom.html"))"
echo ok
