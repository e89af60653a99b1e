-- Deduplicate order events: keep the most recent event of each order.
-- ROW_NUMBER() ... WHERE rn = 1 is Flink's deduplication pattern; it keeps
-- one row of state per order_id (stateful).
INSERT INTO int_orders_dedup
SELECT order_id, customer_id, status, currency, order_ts
FROM (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY order_ts DESC) AS rn
  FROM src_orders
)
WHERE rn = 1;
