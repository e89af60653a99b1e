/*+ OPTIONS('a'='b') */ INSERT INTO t /*+ x */ SELECT * FROM s, LATERAL TABLE(f(x)) CROSS JOIN UNNEST(a) AS u(v);
