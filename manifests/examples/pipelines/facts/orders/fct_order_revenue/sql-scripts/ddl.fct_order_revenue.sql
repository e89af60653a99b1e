-- Revenue per hour in USD. A tumbling window emits each hour once, when the
-- watermark passes its end, so the sink is append-only.
CREATE TABLE IF NOT EXISTS fct_order_revenue (
  window_start  TIMESTAMP_LTZ(3) NOT NULL,
  window_end    TIMESTAMP_LTZ(3) NOT NULL,
  order_count   BIGINT,
  item_count    BIGINT,
  revenue_usd   DECIMAL(18, 2)
) WITH (
  'changelog.mode' = 'append'
);
