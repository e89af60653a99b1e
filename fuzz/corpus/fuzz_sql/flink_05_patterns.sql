-- kinds: INSERT SELECT SELECT SELECT SELECT
-- reads: orders | stock_ticks
-- stateful: OVER (ROW_NUMBER: deduplication/Top-N) | MATCH_RECOGNIZE | OVER (SUM) | OVER (LAG)
INSERT INTO latest_orders
SELECT order_id, price
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY order_time DESC) AS row_num
  FROM orders)
WHERE row_num = 1;
SELECT *
FROM stock_ticks
MATCH_RECOGNIZE (
  PARTITION BY symbol
  ORDER BY rowtime
  MEASURES
    START_ROW.rowtime AS start_tstamp,
    LAST(PRICE_DOWN.rowtime) AS bottom_tstamp,
    LAST(PRICE_UP.rowtime) AS end_tstamp
  ONE ROW PER MATCH
  AFTER MATCH SKIP TO LAST PRICE_UP
  PATTERN (START_ROW PRICE_DOWN+ PRICE_UP)
  DEFINE
    PRICE_DOWN AS
      (LAST(PRICE_DOWN.price, 1) IS NULL AND PRICE_DOWN.price < START_ROW.price) OR
        PRICE_DOWN.price < LAST(PRICE_DOWN.price, 1),
    PRICE_UP AS PRICE_UP.price > LAST(PRICE_DOWN.price, 1)
) MR;
SELECT order_id, SUM(price) OVER w AS running_total
FROM orders
WINDOW w AS (PARTITION BY customer_id ORDER BY order_time ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);
SELECT order_id,
  LAG(price, 1) OVER (PARTITION BY customer_id ORDER BY order_time) AS previous_price,
  CASE WHEN price IS NULL THEN 'none' ELSE CAST(price AS STRING) END label
FROM orders;
SELECT JSON_VALUE(payload, '$.id' RETURNING INT) AS id,
  TRIM(BOTH ' ' FROM name) trimmed,
  EXTRACT(DAY FROM order_time) AS d,
  order_time IS NOT DISTINCT FROM ship_time AS same
FROM orders
WHERE price > 10 AND name LIKE 'A%' AND id IN (1, 2, 3);
