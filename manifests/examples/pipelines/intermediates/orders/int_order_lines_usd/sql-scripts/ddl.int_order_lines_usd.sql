-- Order lines with their amount converted to USD at the rate of the moment.
CREATE TABLE IF NOT EXISTS int_order_lines_usd (
  order_id     STRING NOT NULL,
  line_no      INT NOT NULL,
  product_id   STRING,
  quantity     INT,
  amount_usd   DECIMAL(14, 2),
  item_ts      TIMESTAMP_LTZ(3),
  WATERMARK FOR item_ts AS item_ts - INTERVAL '10' SECOND
) DISTRIBUTED BY HASH(order_id) INTO 6 BUCKETS
WITH (
  'changelog.mode' = 'append'
);
