-- Raw orders as published by the shop backend (one event per order change).
-- Fed by an external producer: this table has no DML.
CREATE TABLE IF NOT EXISTS src_orders (
  order_id     STRING NOT NULL,
  customer_id  STRING NOT NULL,
  status       STRING,          -- 'placed', 'paid', 'shipped', 'cancelled'
  currency     STRING,
  order_ts     TIMESTAMP_LTZ(3),
  WATERMARK FOR order_ts AS order_ts - INTERVAL '10' SECOND
) DISTRIBUTED BY HASH(order_id) INTO 6 BUCKETS
WITH (
  'changelog.mode' = 'append',
  'kafka.retention.time' = '7 d',
  'value.format' = 'avro-registry'
);
