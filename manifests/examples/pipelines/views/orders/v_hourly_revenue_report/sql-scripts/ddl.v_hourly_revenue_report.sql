-- Hourly revenue formatted for the reporting tool.
CREATE TABLE IF NOT EXISTS v_hourly_revenue_report (
  report_hour      STRING,
  order_count      BIGINT,
  revenue_usd      DECIMAL(18, 2),
  avg_order_usd    DECIMAL(18, 2)
) WITH (
  'changelog.mode' = 'append'
);
