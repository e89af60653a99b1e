-- Everything a support agent needs about a customer, one row each.
CREATE TABLE IF NOT EXISTS v_customer_360 (
  customer_id     STRING NOT NULL,
  full_name       STRING,
  country         STRING,
  order_count     BIGINT,
  lifetime_value  DECIMAL(18, 2),
  last_order_ts   TIMESTAMP_LTZ(3),
  PRIMARY KEY (customer_id) NOT ENFORCED
) WITH (
  'changelog.mode' = 'upsert'
);
