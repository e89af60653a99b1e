-- One row per order with what was paid and refunded so far.
-- An upsert sink: each new payment updates the order's row.
CREATE TABLE IF NOT EXISTS fct_orders (
  order_id       STRING NOT NULL,
  customer_id    STRING NOT NULL,
  status         STRING,
  currency       STRING,
  order_ts       TIMESTAMP_LTZ(3),
  paid_amount    DECIMAL(12, 2),
  refund_amount  DECIMAL(12, 2),
  PRIMARY KEY (order_id) NOT ENFORCED
) DISTRIBUTED BY HASH(order_id) INTO 6 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'kafka.cleanup-policy' = 'compact'
);
