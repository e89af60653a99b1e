-- Captured payments from the payment service provider.
CREATE TABLE IF NOT EXISTS src_payments (
  payment_id  STRING NOT NULL,
  order_id    STRING NOT NULL,
  amount      DECIMAL(10, 2),
  currency    STRING,
  paid_at     TIMESTAMP_LTZ(3),
  WATERMARK FOR paid_at AS paid_at - INTERVAL '30' SECOND
) WITH (
  'changelog.mode' = 'append',
  'value.format' = 'json-registry'
);
