#!/usr/bin/env python3
"""deployed_state.py PLAN_JSON ENV_ID CATALOG DATABASE OUT_STATE

An emulator state file (`pipectl emulator --state`) in which every table of
a plan that creates them all is deployed as `apply` would leave it: its
topic, its DDL statement COMPLETED, its DML RUNNING, with the statement
names, SQL and labels of the plan's own steps (`pipectl plan --json` against
an empty emulator). bench/apply.sh uses it to set up 10,000 and 50,000
deployed tables in seconds instead of applying them; the benchmark then
checks that a plan over the state finds nothing to do, so a state that
drifts from what apply makes fails loudly rather than measuring something
else.
"""
import json
import re
import sys
import uuid

PARTITIONS = 6
POOL = "lfcp-local"
ORG = "00000000-0000-4000-8000-00000000be0c"
NOW = 1796000000000


def main():
    plan_path, env_id, catalog, database, out = sys.argv[1:6]
    with open(plan_path) as f:
        plan = json.load(f)
    topics, stmts = [], []
    next_id = 1
    props = {"sql.current-catalog": catalog, "sql.current-database": database}
    for a in plan["actions"]:
        if a["action"] != "create":
            sys.exit(f"deployed_state.py: '{a['table']}' is '{a['action']}', not a create: plan against an empty emulator")
        topics.append({"name": a["table"], "partitions": PARTITIONS, "upsert": False, "incarnation": len(topics) + 1,
                       "created_ms": NOW, "as_of_ms": NOW, "feed_ms": 0, "written": 0, "gone_ms": 0})
        for s in a["steps"]:
            ddl = s["step"] == "run_ddl"
            if not ddl and s["step"] != "create_dml":
                sys.exit(f"deployed_state.py: unexpected step '{s['step']}' of '{a['table']}'")
            reads = [] if ddl else sorted(set(re.findall(r"\bFROM\s+([A-Za-z_][A-Za-z0-9_]*)", s["sql"])))
            stmts.append({
                "id": next_id, "org": ORG, "name": s["statement"], "sql": s["sql"], "uid": str(uuid.uuid4()),
                "compute_pool_id": POOL, "principal": "u-local", "properties": dict(props, **s.get("properties", {})),
                "labels": s["labels"], "stopped": False, "resource_version": 2, "created_ms": NOW + next_id,
                "updated_ms": NOW + next_id, "phase": "COMPLETED" if ddl else "RUNNING", "detail": "",
                "kind": 0 if ddl else 1, "sql_kind": "CREATE_TABLE" if ddl else "INSERT_INTO", "stateful": False,
                "op": 1 if ddl else 0, "op_table": a["table"] if ddl else None, "op_if": False, "op_partitions": 0,
                "op_upsert": False, "reads": reads, "writes": [] if ddl else [a["table"]], "carry_from": None,
                "started": not ddl, "waiting": False, "due_ms": 0, "as_of_ms": NOW, "ended_ms": NOW if ddl else 0,
                "wait_since_ms": 0,
                "inputs": [{"topic": r, "partitions": PARTITIONS, "from": [0] * PARTITIONS, "pos": [0] * PARTITIONS}
                           for r in reads],
                "outputs": [] if ddl else [{"topic": a["table"], "produced": 0}],
                "latest_offsets": {}, "latest_offsets_ms": 0, "exceptions": []})
            next_id += 1
    state = {"format": 1, "next_id": next_id, "next_incarnation": len(topics) + 1, "now_ms": NOW,
             "environments": [{"id": env_id, "pools": [{"id": POOL, "display_name": "local", "cloud": "AWS",
                                                        "region": "local", "max_cfu": 10, "created_ms": NOW,
                                                        "ready_ms": NOW, "failed": False}],
                               "statements": stmts, "deleted": []}],
             "topics": topics}
    with open(out, "w") as f:
        json.dump(state, f, separators=(",", ":"))
    print(f"{len(topics)} tables, {len(stmts)} statements")


if __name__ == "__main__":
    main()
