-- Exchange rates to USD, keyed by currency: a versioned table, so that a
-- temporal join can read the rate valid at the time of each order line.
CREATE TABLE IF NOT EXISTS src_currency_rates (
  currency     STRING NOT NULL,
  rate_to_usd  DECIMAL(12, 6),
  valid_from   TIMESTAMP_LTZ(3),
  PRIMARY KEY (currency) NOT ENFORCED,
  WATERMARK FOR valid_from AS valid_from
) DISTRIBUTED BY HASH(currency) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'kafka.cleanup-policy' = 'compact'
);
