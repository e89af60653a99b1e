-- Order lines, one event per line of an order, amounts in the order currency.
CREATE TABLE IF NOT EXISTS src_order_items (
  order_id    STRING NOT NULL,
  line_no     INT NOT NULL,
  product_id  STRING,
  quantity    INT,
  unit_price  DECIMAL(10, 2),
  currency    STRING,
  item_ts     TIMESTAMP_LTZ(3),
  WATERMARK FOR item_ts AS item_ts - INTERVAL '10' SECOND
) DISTRIBUTED BY HASH(order_id) INTO 6 BUCKETS
WITH (
  'changelog.mode' = 'append',
  'value.format' = 'avro-registry'
);
