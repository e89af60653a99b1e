-- A stateless projection of the latest customer profiles: no join, no
-- aggregation, no window. Updates flow through to the upsert sink.
INSERT INTO dim_customers
SELECT
  customer_id,
  SUBSTRING(email FROM POSITION('@' IN email) + 1) AS email_domain,
  full_name,
  COALESCE(country, 'UNKNOWN') AS country,
  updated_at
FROM int_customers_latest;
