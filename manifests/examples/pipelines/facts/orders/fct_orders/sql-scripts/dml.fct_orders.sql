-- Orders joined with their aggregated payments (a CTE, not a table).
-- Stateful twice over: the GROUP BY and the regular LEFT JOIN keep state.
INSERT INTO fct_orders
WITH payments_per_order AS (
  SELECT
    order_id,
    SUM(CASE WHEN kind = 'payment' THEN amount ELSE 0 END)  AS paid_amount,
    SUM(CASE WHEN kind = 'refund'  THEN -amount ELSE 0 END) AS refund_amount
  FROM int_payment_events
  GROUP BY order_id
)
SELECT
  o.order_id,
  o.customer_id,
  o.status,
  o.currency,
  o.order_ts,
  COALESCE(p.paid_amount, 0)   AS paid_amount,
  COALESCE(p.refund_amount, 0) AS refund_amount
FROM int_orders_dedup AS o
LEFT JOIN payments_per_order AS p
  ON o.order_id = p.order_id;
