-- Customer dimension, keyed by customer_id (PRIMARY KEY: upsert sink, the
-- default changelog mode on Confluent Cloud when a key is declared).
CREATE TABLE IF NOT EXISTS dim_customers (
  customer_id   STRING NOT NULL,
  email_domain  STRING,
  full_name     STRING,
  country       STRING,
  updated_at    TIMESTAMP_LTZ(3),
  PRIMARY KEY (customer_id) NOT ENFORCED
);
