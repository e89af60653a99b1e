CREATE TABLE "orders" (a INT);
SELECT "a" FROM t;
