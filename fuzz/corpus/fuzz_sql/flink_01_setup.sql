-- kinds: SET SET OTHER USE USE OTHER OTHER OTHER OTHER CREATE_FUNCTION CREATE_FUNCTION OTHER OTHER
SET 'sql-client.execution.result-mode' = 'tableau';
SET 'table.exec.state.ttl' = '1 h';
RESET 'table.exec.state.ttl';
USE CATALOG default_catalog;
USE default_database;
CREATE CATALOG my_catalog WITH ('type' = 'generic_in_memory');
CREATE DATABASE IF NOT EXISTS my_catalog.my_db COMMENT 'scratch';
SHOW TABLES;
SHOW CREATE TABLE orders;
CREATE TEMPORARY SYSTEM FUNCTION to_upper AS 'com.example.udf.ToUpper' LANGUAGE JAVA;
CREATE FUNCTION IF NOT EXISTS parse_ua AS 'com.example.udf.ParseUserAgent' USING JAR '/opt/udf.jar';
DESCRIBE orders;
EXPLAIN PLAN FOR SELECT * FROM orders WHERE price > 10;
