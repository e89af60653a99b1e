-- kinds: CREATE_TABLE CREATE_TABLE CREATE_TABLE CREATE_VIEW CREATE_TABLE
-- reads: orders
CREATE TABLE orders (
  order_id BIGINT,
  price DECIMAL(32, 2),
  buyer ROW<first_name STRING, last_name STRING>,
  tags ARRAY<STRING>,
  attributes MAP<STRING, STRING>,
  order_time TIMESTAMP(3),
  proc_time AS PROCTIME(),
  `partition` INT METADATA VIRTUAL,
  event_ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
  WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND,
  PRIMARY KEY (order_id) NOT ENFORCED
) COMMENT 'orders of the shop'
PARTITIONED BY (order_id)
WITH (
  'connector' = 'faker',
  'fields.order_id.expression' = '#{number.numberBetween ''0'',''100''}',
  'rows-per-second' = '10'
);
CREATE TEMPORARY TABLE server_logs (
  client_ip STRING,
  client_identity STRING,
  userid STRING,
  user_agent STRING,
  log_time TIMESTAMP(3),
  request_line STRING,
  status_code STRING,
  size INT
) WITH ('connector' = 'faker');
CREATE TABLE orders_copy (
  extra STRING
) LIKE orders (EXCLUDING WATERMARKS INCLUDING GENERATED);
CREATE TEMPORARY VIEW IF NOT EXISTS big_orders (id, amount) COMMENT 'over 100' AS
SELECT order_id, price FROM orders WHERE price > 100;
CREATE TABLE IF NOT EXISTS `my_catalog`.`my_db`.`kafka_sink` (
  `key` BYTES,
  `val` STRING,
  ts TIMESTAMP_LTZ(3) NOT NULL
) DISTRIBUTED BY HASH(`key`) INTO 6 BUCKETS
WITH ('changelog.mode' = 'append', 'kafka.retention.time' = '7 d');
