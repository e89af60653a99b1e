-- The current profile of every customer.
CREATE TABLE IF NOT EXISTS int_customers_latest (
  customer_id  STRING NOT NULL,
  email        STRING,
  full_name    STRING,
  country      STRING,
  updated_at   TIMESTAMP_LTZ(3),
  PRIMARY KEY (customer_id) NOT ENFORCED
) WITH (
  'changelog.mode' = 'upsert'
);
