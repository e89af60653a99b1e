-- Stateless: a projection of the append-only hourly facts.
INSERT INTO v_hourly_revenue_report
SELECT
  DATE_FORMAT(window_start, 'yyyy-MM-dd HH:00') AS report_hour,
  order_count,
  revenue_usd,
  CASE WHEN order_count > 0
       THEN CAST(revenue_usd / order_count AS DECIMAL(18, 2))
       ELSE CAST(0 AS DECIMAL(18, 2))
  END AS avg_order_usd
FROM fct_order_revenue;
