-- The latest state of every order: one row per order_id, updated in place.
CREATE TABLE IF NOT EXISTS int_orders_dedup (
  order_id     STRING NOT NULL,
  customer_id  STRING NOT NULL,
  status       STRING,
  currency     STRING,
  order_ts     TIMESTAMP_LTZ(3),
  PRIMARY KEY (order_id) NOT ENFORCED
) DISTRIBUTED BY HASH(order_id) INTO 6 BUCKETS
WITH (
  'changelog.mode' = 'upsert'
);
