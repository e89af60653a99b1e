/* Temporal join: each line takes the rate that was valid at item_ts.
   The versioned rates table is kept in state, so the job is stateful. */
INSERT INTO int_order_lines_usd
SELECT
  i.order_id,
  i.line_no,
  i.product_id,
  i.quantity,
  CAST(i.quantity * i.unit_price * r.rate_to_usd AS DECIMAL(14, 2)) AS amount_usd,
  i.item_ts
FROM src_order_items AS i
JOIN src_currency_rates FOR SYSTEM_TIME AS OF i.item_ts AS r
  ON i.currency = r.currency
WHERE i.quantity > 0;
