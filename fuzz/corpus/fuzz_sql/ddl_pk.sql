CREATE TABLE IF NOT EXISTS `c`.`d`.`T` (
 id STRING, v DECIMAL(10, 2),
 PRIMARY KEY (id) NOT ENFORCED
) DISTRIBUTED BY HASH(id) INTO 6 BUCKETS
WITH ('changelog.mode' = 'upsert', 'x' = 'it''s');
