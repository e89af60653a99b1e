#!/usr/bin/env python3
"""gen_project.py N OUTDIR [--seed S]: write a synthetic shift_left project.

N tables over the five layers (sources ~20%, intermediates ~35%, facts ~20%,
dimensions ~15%, views ~10%), grouped in products of about 40 tables, as a
layered DAG with fan-in: every non-source table reads 1 to 3 tables of
earlier layers (mostly of its own product, sometimes of another one). The
SQL mixes what real pipelines hold: comments, CTEs, regular and temporal
joins, GROUP BY, TUMBLE/HOP windows, ROW_NUMBER dedup, UNION ALL,
projections with CASE. Sources have only a DDL. The output is a pure
function of N and the seed.
"""
import os
import random
import sys

LAYERS = [("sources", 0.20), ("intermediates", 0.35), ("facts", 0.20),
          ("dimensions", 0.15), ("views", 0.10)]
PREFIX = {"sources": "src", "intermediates": "int", "facts": "fct",
          "dimensions": "dim", "views": "v"}

COLUMNS = """  id          STRING NOT NULL,
  account_id  STRING,
  category    STRING,
  amount      DECIMAL(12, 2),
  quantity    INT,
  event_ts    TIMESTAMP_LTZ(3)"""


def ddl(name, layer, upsert, rnd):
    lines = ["-- %s: %s table generated for the model benchmark." % (name, layer),
             "CREATE TABLE IF NOT EXISTS %s (" % name, COLUMNS + ","]
    if upsert:
        lines.append("  PRIMARY KEY (id) NOT ENFORCED,")
    lines.append("  WATERMARK FOR event_ts AS event_ts - INTERVAL '%d' SECOND" % rnd.choice([1, 5, 10, 30]))
    lines.append(")" + (" DISTRIBUTED BY HASH(id) INTO %d BUCKETS" % rnd.choice([1, 3, 6]) if rnd.random() < 0.5 else ""))
    opts = ["  'changelog.mode' = '%s'" % ("upsert" if upsert else "append")]
    if rnd.random() < 0.4:
        opts.append("  'kafka.retention.time' = '%d d'" % rnd.choice([1, 7, 30]))
    if rnd.random() < 0.5:
        opts.append("  'value.format' = '%s'" % rnd.choice(["avro-registry", "json-registry"]))
    lines.append("WITH (\n" + ",\n".join(opts) + "\n);")
    return "\n".join(lines) + "\n"


def dml(name, parents, kind, rnd):
    p = parents
    head = "-- %s: %s over %s\n" % (name, kind, ", ".join(p))
    if kind == "projection":
        return head + """INSERT INTO {t}
SELECT
  id,
  account_id,
  CASE WHEN amount >= 100 THEN 'large'   -- bucket the amounts
       WHEN amount >= 10  THEN 'medium'
       ELSE 'small' END AS category,
  amount,
  quantity,
  event_ts
FROM {a}
WHERE amount IS NOT NULL AND category <> 'test';
""".format(t=name, a=p[0])
    if kind == "union":
        parts = ["SELECT id, account_id, category, amount, quantity, event_ts FROM %s" % x for x in p]
        return head + "INSERT INTO %s\n%s;\n" % (name, "\nUNION ALL\n".join(parts))
    if kind == "join":
        b = p[1] if len(p) > 1 else p[0]
        return head + """INSERT INTO {t}
WITH recent AS (
  /* keep the rows of the last day only */
  SELECT id, account_id, amount, quantity, event_ts
  FROM {a}
  WHERE event_ts > CURRENT_TIMESTAMP - INTERVAL '1' DAY
)
SELECT
  r.id,
  r.account_id,
  COALESCE(o.category, 'none') AS category,
  r.amount + COALESCE(o.amount, 0) AS amount,
  r.quantity,
  r.event_ts
FROM recent AS r
LEFT JOIN {b} AS o
  ON r.account_id = o.account_id;
""".format(t=name, a=p[0], b=b)
    if kind == "temporal":
        b = p[1] if len(p) > 1 else p[0]
        return head + """INSERT INTO {t}
SELECT
  e.id,
  e.account_id,
  v.category,
  CAST(e.amount * 1.1 AS DECIMAL(12, 2)) AS amount,
  e.quantity,
  e.event_ts
FROM {a} AS e
JOIN {b} FOR SYSTEM_TIME AS OF e.event_ts AS v
  ON e.account_id = v.id;
""".format(t=name, a=p[0], b=b)
    if kind == "group":
        return head + """INSERT INTO {t}
SELECT
  account_id AS id,
  account_id,
  MAX(category) AS category,
  SUM(amount) AS amount,
  CAST(COUNT(*) AS INT) AS quantity,
  MAX(event_ts) AS event_ts
FROM {a}
GROUP BY account_id;
""".format(t=name, a=p[0])
    if kind == "window":
        fn = rnd.choice(["TUMBLE(TABLE {a}, DESCRIPTOR(event_ts), INTERVAL '1' HOUR)",
                         "HOP(TABLE {a}, DESCRIPTOR(event_ts), INTERVAL '5' MINUTE, INTERVAL '1' HOUR)"])
        return head + """INSERT INTO {t}
SELECT
  CONCAT(account_id, '-', DATE_FORMAT(window_start, 'yyyyMMddHH')) AS id,
  account_id,
  'window' AS category,
  SUM(amount) AS amount,
  CAST(COUNT(*) AS INT) AS quantity,
  window_end AS event_ts
FROM TABLE(
  {fn}
)
GROUP BY window_start, window_end, account_id;
""".format(t=name, fn=fn.format(a=p[0]))
    if kind == "dedup":
        return head + """INSERT INTO {t}
SELECT id, account_id, category, amount, quantity, event_ts
FROM (
  SELECT *,
    ROW_NUMBER() OVER (PARTITION BY id ORDER BY event_ts DESC) AS rn
  FROM {a}
)
WHERE rn = 1;
""".format(t=name, a=p[0])
    raise ValueError(kind)


KINDS = ["projection", "projection", "union", "join", "temporal", "group", "window", "dedup"]
UPSERT_KINDS = {"group", "dedup", "join"}


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: gen_project.py N OUTDIR [--seed S]\n")
        return 64
    n = int(argv[1])
    out = argv[2]
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 42
    rnd = random.Random(seed)
    n_products = max(1, n // 40)
    products = ["p%04d" % i for i in range(n_products)]

    counts = [int(n * share) for _, share in LAYERS]
    counts[1] += n - sum(counts)
    tables = []          # (name, layer, product)
    by_layer_product = {}  # (layer index, product) -> names
    earlier = []         # names of tables in earlier layers
    os.makedirs(os.path.join(out, "pipelines"), exist_ok=True)
    with open(os.path.join(out, "pipectl.yaml"), "w") as f:
        f.write("# generated by bench/gen_project.py %d (seed %d)\nprefix: bench\ntarget: local\n" % (n, seed))
    idx = 0
    for li, ((layer, _), count) in enumerate(zip(LAYERS, counts)):
        current = []
        for _ in range(count):
            product = products[idx % n_products]
            name = "%s_%s_%06d" % (PREFIX[layer], product, idx)
            idx += 1
            folder = os.path.join(out, "pipelines", layer, product, name)
            scripts = os.path.join(folder, "sql-scripts")
            os.makedirs(scripts, exist_ok=True)
            if layer == "sources":
                upsert = rnd.random() < 0.2
                with open(os.path.join(scripts, "ddl.%s.sql" % name), "w") as f:
                    f.write(ddl(name, layer, upsert, rnd))
            else:
                kind = rnd.choice(KINDS)
                k = 1 if kind in ("projection", "group", "window", "dedup") else rnd.randint(2, 3)
                same = [x for li2 in range(li) for x in by_layer_product.get((li2, product), [])]
                parents = []
                for _ in range(k):
                    pool = same if same and rnd.random() < 0.8 else earlier
                    cand = rnd.choice(pool)
                    if cand not in parents:
                        parents.append(cand)
                if kind == "temporal" and len(parents) < 2:
                    kind = "join"
                upsert = kind in UPSERT_KINDS
                with open(os.path.join(scripts, "ddl.%s.sql" % name), "w") as f:
                    f.write(ddl(name, layer, upsert, rnd))
                with open(os.path.join(scripts, "dml.%s.sql" % name), "w") as f:
                    f.write(dml(name, parents, kind, rnd))
                if rnd.random() < 0.1:
                    with open(os.path.join(scripts, "dml.%s.properties" % name), "w") as f:
                        f.write("sql.state-ttl=%d d\n" % rnd.choice([1, 7, 30]))
                if rnd.random() < 0.05:
                    with open(os.path.join(folder, "table.yaml"), "w") as f:
                        f.write("protect: true\n")
            current.append(name)
            by_layer_product.setdefault((li, product), []).append(name)
            tables.append((name, layer, product))
        earlier.extend(current)
    sys.stdout.write("%d tables in %s\n" % (len(tables), out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
