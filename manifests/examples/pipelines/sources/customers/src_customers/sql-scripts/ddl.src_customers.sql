-- Customer profile changes from the CRM (every change is a new event).
CREATE TABLE IF NOT EXISTS src_customers (
  customer_id  STRING NOT NULL,
  email        STRING,
  full_name    STRING,
  country      STRING,
  updated_at   TIMESTAMP_LTZ(3),
  WATERMARK FOR updated_at AS updated_at - INTERVAL '1' MINUTE
) WITH (
  'changelog.mode' = 'append'
);
