-- kinds: STATEMENT_SET STATEMENT_SET CREATE_TABLE_AS CREATE_TABLE_AS CREATE_MATERIALIZED_TABLE INSERT
-- reads: server_logs | orders
-- stateful: GROUP BY
EXECUTE STATEMENT SET
BEGIN
  INSERT INTO logs_200 SELECT * FROM server_logs WHERE status_code = '200';
  INSERT INTO logs_404 SELECT * FROM server_logs WHERE status_code = '404';
END;
BEGIN STATEMENT SET;
INSERT INTO logs_500 SELECT client_ip, CASE WHEN size > 10 THEN 'big' ELSE 'small' END FROM server_logs;
INSERT INTO logs_503 SELECT client_ip, size FROM server_logs WHERE status_code = '503';
END;
CREATE TABLE orders_by_customer WITH ('changelog.mode' = 'upsert') AS
SELECT customer_id, COUNT(*) AS n FROM orders GROUP BY customer_id;
REPLACE TABLE orders_snapshot AS SELECT order_id, price FROM orders;
CREATE MATERIALIZED TABLE big_orders_mt
FRESHNESS = INTERVAL '1' MINUTE
AS SELECT order_id, price FROM orders WHERE price > 100;
INSERT OVERWRITE archive PARTITION (dt = '2024-01-01') SELECT order_id, price FROM orders;
