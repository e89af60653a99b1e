-- fct_orders is also read by v_customer_360: two pipelines share it.
-- This table sits directly under views/, so it belongs to no product.
INSERT INTO v_order_status_counts
SELECT status, COUNT(*) AS order_count
FROM fct_orders
GROUP BY status;
