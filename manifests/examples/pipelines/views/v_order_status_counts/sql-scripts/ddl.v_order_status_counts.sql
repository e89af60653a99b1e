-- How many orders are in each status right now (a live dashboard tile).
CREATE TABLE IF NOT EXISTS v_order_status_counts (
  status       STRING NOT NULL,
  order_count  BIGINT,
  PRIMARY KEY (status) NOT ENFORCED
) WITH (
  'changelog.mode' = 'upsert'
);
