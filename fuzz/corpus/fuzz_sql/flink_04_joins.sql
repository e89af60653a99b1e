-- kinds: INSERT SELECT SELECT SELECT SELECT
-- reads: orders | currency_rates | shipments | customers | products | order_items
-- stateful: temporal join | interval join | regular join
INSERT INTO orders_in_usd
SELECT o.order_id, o.price * r.rate AS price_usd, o.order_time
FROM orders AS o
LEFT JOIN currency_rates FOR SYSTEM_TIME AS OF o.order_time AS r
ON o.currency = r.currency;
SELECT o.order_id, s.ship_time
FROM orders o, shipments s
WHERE o.order_id = s.order_id
AND o.order_time BETWEEN s.ship_time - INTERVAL '4' HOUR AND s.ship_time;
SELECT c.name, p.title
FROM customers c
FULL OUTER JOIN products p ON c.favourite = p.id;
SELECT o.order_id, tag
FROM orders o
CROSS JOIN UNNEST(o.tags) WITH ORDINALITY AS t (tag, pos);
SELECT o.order_id, i.qty
FROM orders o
JOIN order_items /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */ i
ON o.order_id = i.order_id AND i.qty > 0;
