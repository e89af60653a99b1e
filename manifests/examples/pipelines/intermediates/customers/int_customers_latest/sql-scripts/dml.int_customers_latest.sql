-- Keep the last change of each customer (dedup on updated_at, newest first).
INSERT INTO int_customers_latest
SELECT customer_id, email, full_name, country, updated_at
FROM (
  SELECT
    customer_id,
    LOWER(TRIM(email)) AS email,
    full_name,
    UPPER(country) AS country,
    updated_at,
    ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY updated_at DESC) AS rn
  FROM src_customers
)
WHERE rn = 1;
