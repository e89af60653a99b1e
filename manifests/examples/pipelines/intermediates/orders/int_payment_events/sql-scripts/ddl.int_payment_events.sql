-- Payments and refunds as one stream of signed money movements.
CREATE TABLE IF NOT EXISTS int_payment_events (
  event_id    STRING NOT NULL,
  order_id    STRING NOT NULL,
  kind        STRING,            -- 'payment' or 'refund'
  amount      DECIMAL(10, 2),    -- refunds are negative
  currency    STRING,
  event_ts    TIMESTAMP_LTZ(3)
) WITH (
  'changelog.mode' = 'append'
);
