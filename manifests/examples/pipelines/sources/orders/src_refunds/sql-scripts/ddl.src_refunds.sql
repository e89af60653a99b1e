-- Refunds, published by the same provider on another topic.
CREATE TABLE IF NOT EXISTS src_refunds (
  refund_id    STRING NOT NULL,
  order_id     STRING NOT NULL,
  amount       DECIMAL(10, 2),   -- positive number: the amount given back
  currency     STRING,
  refunded_at  TIMESTAMP_LTZ(3),
  WATERMARK FOR refunded_at AS refunded_at - INTERVAL '30' SECOND
) WITH (
  'changelog.mode' = 'append',
  'value.format' = 'json-registry'
);
