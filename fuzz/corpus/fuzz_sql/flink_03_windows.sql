-- kinds: INSERT SELECT SELECT SELECT SELECT
-- reads: bids | server_logs | orders
-- stateful: window aggregation (TUMBLE) | COUNT(DISTINCT) | window aggregation (HOP) | window aggregation (CUMULATE) | window aggregation (SESSION)
INSERT INTO tumble_sink
SELECT window_start, window_end, SUM(price) AS total_price
FROM TABLE(
  TUMBLE(TABLE bids, DESCRIPTOR(bidtime), INTERVAL '10' MINUTES))
GROUP BY window_start, window_end;
SELECT window_start, window_end, COUNT(DISTINCT client_ip) AS ip_addresses
FROM TABLE(HOP(TABLE server_logs, DESCRIPTOR(log_time), INTERVAL '1' MINUTE, INTERVAL '5' MINUTES))
GROUP BY window_start, window_end;
SELECT window_start, window_end, item, SUM(price)
FROM TABLE(CUMULATE(DATA => TABLE bids, TIMECOL => DESCRIPTOR(bidtime), STEP => INTERVAL '2' MINUTES, SIZE => INTERVAL '10' MINUTES))
GROUP BY window_start, window_end, GROUPING SETS ((item), ());
SELECT window_start, window_end, userid, COUNT(*) AS cnt
FROM TABLE(SESSION(TABLE server_logs PARTITION BY userid, DESCRIPTOR(log_time), INTERVAL '5' MINUTES))
GROUP BY window_start, window_end, userid;
SELECT TUMBLE_START(order_time, INTERVAL '1' HOUR) AS hour_start, COUNT(*) orders_per_hour
FROM orders
GROUP BY TUMBLE(order_time, INTERVAL '1' HOUR);
