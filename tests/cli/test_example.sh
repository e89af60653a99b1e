#!/usr/bin/env bash
# validate, inventory and graph on the example project (manifests/examples),
# and that none of them writes into the project tree.
. "$(dirname "$0")/lib.sh" || exit 1

before=$(snapshot "$EXAMPLE")

pc -C "$EXAMPLE" validate
assert_rc 0
assert_out_line "16 tables, 0 errors, 0 warnings"
assert_err_empty

# ---- inventory --json: shape
pc -C "$EXAMPLE" inventory --json
assert_rc 0
assert_json 'd["format_version"] == "1"'
assert_json 'len(d["tables"]) == 16'
assert_json '[x["name"] for x in d["tables"]] == sorted(x["name"] for x in d["tables"])' "tables sorted by name"
assert_json 'all(set(x) >= {"name","layer","product","ddl","dml","parents","children","external_parents","stateful","state_reasons","upsert"} for x in d["tables"])' "every table has every key"
assert_json 'all(isinstance(x["stateful"], bool) and isinstance(x["upsert"], bool) for x in d["tables"])'
assert_json '{x["layer"] for x in d["tables"]} == {"sources","intermediates","facts","dimensions","views"}'

# ---- values: sources (DDL only)
assert_json 't("src_orders")["dml"] is None and t("src_orders")["parents"] == [] and t("src_orders")["stateful"] is False'
assert_json 't("src_orders")["ddl"] == "pipelines/sources/orders/src_orders/sql-scripts/ddl.src_orders.sql"'
assert_json 't("src_orders")["layer"] == "sources" and t("src_orders")["product"] == "orders"'
assert_json 't("src_currency_rates")["product"] == "shared" and t("src_currency_rates")["upsert"] is True'

# a dedup: stateful, reason ROW_NUMBER OVER at line 9 of its DML
assert_json 't("int_orders_dedup")["stateful"] is True'
assert_json 'any(("OVER" in r["op"].upper() or "ROW_NUMBER" in r["op"].upper()) and r["line"] == 9 and r["file"] == "pipelines/intermediates/orders/int_orders_dedup/sql-scripts/dml.int_orders_dedup.sql" for r in t("int_orders_dedup")["state_reasons"])' "dedup reason OVER at dml line 9"
assert_json 't("int_orders_dedup")["upsert"] is True and t("int_orders_dedup")["parents"] == ["src_orders"]'

# a temporal join at line 12 of its DML, a window aggregation
assert_json 'any("JOIN" in r["op"].upper() and r["line"] == 12 for r in t("int_order_lines_usd")["state_reasons"])' "temporal join reason at line 12"
assert_json 'sorted(t("int_order_lines_usd")["parents"]) == ["src_currency_rates","src_order_items"]'
assert_json 't("fct_order_revenue")["stateful"] is True and t("fct_order_revenue")["upsert"] is False'
assert_json 'any("TUMBLE" in r["op"].upper() or "WINDOW" in r["op"].upper() for r in t("fct_order_revenue")["state_reasons"])' "window aggregation reason"

# the statement set: stateless, append, reads both sources
assert_json 't("int_payment_events")["stateful"] is False and t("int_payment_events")["state_reasons"] == []'
assert_json 't("int_payment_events")["upsert"] is False'
assert_json 'sorted(t("int_payment_events")["parents"]) == ["src_payments","src_refunds"]'

# stateless projection into an upsert sink declared by PRIMARY KEY only
assert_json 't("dim_customers")["stateful"] is False and t("dim_customers")["upsert"] is True'

# fct_orders: upsert via changelog.mode, the CTE is not a parent, read by two pipelines
assert_json 't("fct_orders")["upsert"] is True and t("fct_orders")["stateful"] is True'
assert_json 'sorted(t("fct_orders")["parents"]) == ["int_orders_dedup","int_payment_events"]'
assert_json 'sorted(t("fct_orders")["children"]) == ["v_customer_360","v_order_status_counts"]'
assert_json 't("fct_orders")["external_parents"] == []'
assert_json 'sorted(t("v_customer_360")["parents"]) == ["dim_customers","fct_orders"]'
assert_json 't("v_order_status_counts")["product"] is None' "a table directly under its layer has no product"
assert_json 'all(x["external_parents"] == [] for x in d["tables"])' "the example reads no external table"

# ---- inventory (text)
pc -C "$EXAMPLE" inventory
assert_rc 0
assert_out_contains "NAME"
line=$(printf '%s\n' "$OUT" | grep '^fct_orders ') || fail "no inventory line for fct_orders"
for w in facts orders stateful upsert int_orders_dedup,int_payment_events v_customer_360,v_order_status_counts; do
	[[ "$line" == *"$w"* ]] || fail "inventory line of fct_orders lacks '$w': $line"
done

# ---- graph
pc -C "$EXAMPLE" graph fct_order_revenue
assert_rc 0
assert_out_line "fct_order_revenue [facts/orders, stateful]"
assert_out_line "  int_order_lines_usd [intermediates/orders, stateful]"
assert_out_line "    src_currency_rates [sources/shared, upsert]"
assert_out_line "    src_order_items [sources/orders]"
assert_out_line "  v_hourly_revenue_report [views/orders]"

pc -C "$EXAMPLE" graph fct_order_revenue --format json
assert_rc 0
assert_json 'd["format_version"] == "1" and d["table"] == "fct_order_revenue"'
assert_json '{n["name"] for n in d["nodes"]} == {"src_order_items","src_currency_rates","int_order_lines_usd","fct_order_revenue","v_hourly_revenue_report"}'
assert_json 'edges == {("src_order_items","int_order_lines_usd"),("src_currency_rates","int_order_lines_usd"),("int_order_lines_usd","fct_order_revenue"),("fct_order_revenue","v_hourly_revenue_report")}'
assert_json 'node("fct_order_revenue") == {"name":"fct_order_revenue","layer":"facts","stateful":True,"external":False}'

pc -C "$EXAMPLE" graph fct_orders --up --format json
assert_rc 0
assert_json '{n["name"] for n in d["nodes"]} == {"fct_orders","int_orders_dedup","int_payment_events","src_orders","src_payments","src_refunds"}'
pc -C "$EXAMPLE" graph fct_orders --down --format json
assert_rc 0
assert_json '{n["name"] for n in d["nodes"]} == {"fct_orders","v_customer_360","v_order_status_counts"}'
assert_json 'edges == {("fct_orders","v_customer_360"),("fct_orders","v_order_status_counts")}'

pc -C "$EXAMPLE" graph fct_orders --format yaml
assert_rc 0
python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); assert d["format_version"] == "1" and d["table"] == "fct_orders" and len(d["nodes"]) == 8, d' "$TMP/.out" \
	|| fail "graph --format yaml is not the expected YAML"

pc -C "$EXAMPLE" graph fct_orders --format dot
assert_rc 0
[[ "$OUT" == "digraph lineage {"* && "$OUT" == *"}" ]] || fail "dot output is not a digraph"
n_edges=$(grep -c -- ' -> ' "$TMP/.out")
[ "$n_edges" -eq 7 ] || fail "dot: expected 7 edges, got $n_edges"
if command -v dot >/dev/null; then dot -Tsvg "$TMP/.out" >/dev/null || fail "dot rejects the output"; fi

pc -C "$EXAMPLE" graph fct_orders --format mermaid
assert_rc 0
[[ "$OUT" == "flowchart LR"* ]] || fail "mermaid output starts with flowchart LR"
n_edges=$(grep -c -- ' --> ' "$TMP/.out")
[ "$n_edges" -eq 7 ] || fail "mermaid: expected 7 edges, got $n_edges"
assert_out_contains '["fct_orders"]'

pc -C "$EXAMPLE" graph no_such_table
assert_rc 1
assert_err_line "error: unknown table 'no_such_table'"

after=$(snapshot "$EXAMPLE")
[ "$before" == "$after" ] || fail "the commands changed the project tree"
echo ok
