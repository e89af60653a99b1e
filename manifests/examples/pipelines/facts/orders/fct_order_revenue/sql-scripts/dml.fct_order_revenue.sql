-- Hourly window aggregation (TUMBLE) over the converted order lines.
INSERT INTO fct_order_revenue
SELECT
  window_start,
  window_end,
  COUNT(DISTINCT order_id) AS order_count,
  SUM(quantity)            AS item_count,
  SUM(amount_usd)          AS revenue_usd
FROM TABLE(
  TUMBLE(TABLE int_order_lines_usd, DESCRIPTOR(item_ts), INTERVAL '1' HOUR)
)
GROUP BY window_start, window_end;
