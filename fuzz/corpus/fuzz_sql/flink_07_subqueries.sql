-- kinds: INSERT SELECT SELECT SELECT
-- reads: orders | customers | vip
-- stateful: semi join (IN subquery) | semi join (EXISTS subquery) | semi join (ANY subquery) | UNION (DISTINCT) | aggregation without GROUP BY (HAVING) | GROUP BY
INSERT INTO vip_orders
SELECT o.order_id
FROM orders o
WHERE o.customer_id IN (SELECT id FROM customers WHERE tier = 'gold')
  AND EXISTS (SELECT 1 FROM vip v WHERE v.id = o.customer_id);
SELECT order_id FROM orders WHERE customer_id = ANY (SELECT id FROM vip);
WITH groups AS (SELECT customer_id FROM orders),
  big AS (SELECT customer_id FROM groups)
SELECT customer_id FROM big
UNION
SELECT customer_id FROM orders;
SELECT COUNT(*) AS n FROM orders HAVING COUNT(*) > 10
UNION ALL
SELECT customer_id FROM orders GROUP BY customer_id;
