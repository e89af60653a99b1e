INSERT INTO v_customer_360
SELECT
  c.customer_id,
  c.full_name,
  c.country,
  COUNT(o.order_id)                          AS order_count,
  SUM(o.paid_amount - o.refund_amount)       AS lifetime_value,
  MAX(o.order_ts)                            AS last_order_ts
FROM dim_customers AS c
LEFT JOIN fct_orders AS o
  ON o.customer_id = c.customer_id
  AND o.status IS DISTINCT FROM 'cancelled'   -- keywords inside an expression, not a table
GROUP BY c.customer_id, c.full_name, c.country;
