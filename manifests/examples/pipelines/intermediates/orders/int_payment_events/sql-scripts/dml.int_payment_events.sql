-- Two INSERTs into the same table, run as one statement (one job).
-- Both are plain projections: the statement is stateless and its sink is
-- append-only, so a change here is a replace-dml, not a rebuild.
EXECUTE STATEMENT SET
BEGIN
  INSERT INTO int_payment_events
  SELECT payment_id, order_id, 'payment', amount, currency, paid_at
  FROM src_payments;

  INSERT INTO int_payment_events
  SELECT refund_id, order_id, 'refund', -amount, currency, refunded_at
  FROM src_refunds
  WHERE amount IS NOT NULL;
END;
