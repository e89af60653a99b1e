-- kinds: OTHER OTHER OTHER OTHER OTHER ALTER ALTER ALTER DROP DROP OTHER OTHER OTHER OTHER OTHER OTHER OTHER OTHER OTHER SET SELECT CREATE_TABLE
-- reads: orders
SHOW CATALOGS;
SHOW CURRENT DATABASE;
SHOW COLUMNS FROM orders LIKE '%price%';
SHOW CREATE VIEW big_orders;
DESC orders;
ALTER TABLE orders SET ('changelog.mode' = 'append');
ALTER TABLE orders ADD (note STRING COMMENT 'free text');
ALTER TABLE orders RENAME TO orders_v2;
DROP TEMPORARY VIEW IF EXISTS big_orders;
DROP TABLE IF EXISTS orders_copy;
ADD JAR '/opt/udf.jar';
LOAD MODULE hive WITH ('hive-version' = '3.1.2');
UNLOAD MODULE hive;
ANALYZE TABLE orders PARTITION (order_id) COMPUTE STATISTICS FOR ALL COLUMNS;
TRUNCATE TABLE orders_copy;
DELETE FROM orders_copy WHERE price < 0;
UPDATE orders_copy SET price = 0 WHERE price IS NULL;
CALL my_catalog.`system`.compact('orders');
EXPLAIN CHANGELOG_MODE, ESTIMATED_COST SELECT order_id, COUNT(*) FROM orders GROUP BY order_id;
SET;
SELECT `$rowtime`, $rowtime AS rt, order_id FROM orders /*+ OPTIONS('scan.startup.mode' = 'latest-offset') */;
CREATE TABLE retracting (
  k STRING,
  v BIGINT,
  cost AS v * 2,
  PRIMARY KEY (k) NOT ENFORCED
) DISTRIBUTED BY (k) INTO 4 BUCKETS
WITH ('changelog.mode' = 'retract', 'kafka.cleanup-policy' = 'compact');
