"""PostgreSQL and Spark (local mode) on N generated communities: load, judge, compare (for information).

Takes ``--communities N`` (generated with ``examples/generate.py``, seed 2022) or ``--data FILE``
(a JSON inventory with a ``communities`` list), and ``--engine postgres|spark|both``; gives, per
engine, the set-up time (PostgreSQL: a throwaway server from ``tests/servers.py`` and loading the
records; Spark: starting the local session), the time to judge every rule of
``specs/complete_community.stdl`` for every community, and, with ``--check``, the number of
verdicts that differ from the Python path (which must be 0).  By default every record gets every
field (``null`` where the generator left a facility out); ``--as-generated`` keeps them left out
(*not recorded*), which Spark reads through VARIANT columns.

    python benchmarks/engines_bench.py --communities 100000 --engine both --check
    python benchmarks/engines_bench.py --communities 100000 --engine spark --check --as-generated

Issue 14 asks for these figures for information only; the targets are DuckDB's
(``benchmarks/sql_bench.py``). Figures and machine state go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))  # servers.py: the tests' throwaway PostgreSQL

import standardlang as sl  # noqa: E402

SPEC = os.path.join(ROOT, "specs", "complete_community.stdl")


def inventory(args: argparse.Namespace, work: str) -> list[dict]:
    """The communities to judge: read from --data, or generated into the work directory."""
    path = args.data
    if path is None:
        path = os.path.join(work, "inventory.json")
        subprocess.run([sys.executable, os.path.join(ROOT, "examples", "generate.py"),
                        "--communities", str(args.communities), "--format", "json", "--out", path],
                       check=True)
    with open(path, encoding="utf-8") as fh:
        records = json.load(fh)["communities"]
    return records if args.as_generated else filled(records)


def filled(records: list[dict]) -> list[dict]:
    """Every record with every field some record has (None where one leaves it out: absent, no
    longer not recorded); all typed columns on Spark, where records that leave facilities out
    (``--as-generated``) have those fields read as VARIANT (docs/sql.md)."""
    keys: dict = {}
    for record in records:
        for key in record:
            keys.setdefault(key, None)
    return [{**keys, **record} for record in records]


def statuses(table) -> dict[str, list[str]]:
    """Rule id → the column of statuses of an Arrow verdict table (rule columns only)."""
    return {name: table.column(name).to_pylist() for name in table.column_names
            if not name.startswith("_") and "." in name and not name.endswith(".reason")}


def mismatches(spec, records: list[dict], table) -> int:
    """How many (record, rule) verdicts differ from the Python path's."""
    got = statuses(table)
    report = spec.evaluate(records)
    bad = 0
    for i, result in enumerate(report.results):
        for verdict in result.verdicts:
            column = got.get(verdict.rule_id)
            if column is not None and column[i] != verdict.status.value:
                bad += 1
    return bad


def run_postgres(spec, records: list[dict], check: bool) -> dict:
    import psycopg
    import servers
    from standardlang.backends.sql.postgres_engine import PostgresRun, load_records

    binaries = servers.postgres_binaries()
    if binaries is None:
        return {"engine": "postgres", "skipped": servers.INSTALL_POSTGRES}
    t0 = time.perf_counter()
    server = servers.PostgresServer(binaries)
    try:
        with psycopg.connect(server.dsn, autocommit=True) as con:
            load_records(con, "communities", records)
            t1 = time.perf_counter()
            run = PostgresRun(spec, con)
            run.add("communities", "community")
            table = run.table("community")
            t2 = time.perf_counter()
            run.close()
    finally:
        server.stop()
    out = {"engine": "postgres", "setup_s": round(t1 - t0, 2), "judge_s": round(t2 - t1, 2),
           "rows": table.num_rows}
    if check:
        out["mismatches"] = mismatches(spec, records, table)
    return out


def run_spark(spec, records: list[dict], check: bool, work: str) -> dict:
    from standardlang.backends.sql.spark_engine import SparkRun, java_missing, local_session

    if java_missing():
        return {"engine": "spark", "skipped": "Java not found: apt-get install default-jre-headless"}
    path = os.path.join(work, "communities.jsonl")
    with open(path, "w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    t0 = time.perf_counter()
    session = local_session()
    session.sparkContext.setLogLevel("ERROR")
    t1 = time.perf_counter()
    run = SparkRun(spec, session)
    run.add(path, "community")
    table = run.table("community")
    t2 = time.perf_counter()
    run.close()
    out = {"engine": "spark", "setup_s": round(t1 - t0, 2), "judge_s": round(t2 - t1, 2),
           "rows": table.num_rows, "note": "judging includes reading the JSON Lines file"}
    if check:
        out["mismatches"] = mismatches(spec, records, table)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--communities", type=int, default=10_000)
    parser.add_argument("--data", help="a JSON inventory instead of generating one")
    parser.add_argument("--engine", choices=["postgres", "spark", "both"], default="both")
    parser.add_argument("--check", action="store_true", help="count verdicts that differ from Python's")
    parser.add_argument("--as-generated", action="store_true",
                        help="keep the facilities the generator leaves out (not recorded) instead of writing null")
    args = parser.parse_args()
    spec = sl.load(SPEC)
    with tempfile.TemporaryDirectory() as work:
        records = inventory(args, work)
        engines = ["postgres", "spark"] if args.engine == "both" else [args.engine]
        for engine in engines:
            if engine == "postgres":
                result = run_postgres(spec, records, args.check)
            else:
                result = run_spark(spec, records, args.check, work)
            print(json.dumps({"communities": len(records), **result}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
