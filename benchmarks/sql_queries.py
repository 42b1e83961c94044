#!/usr/bin/env python3
"""Where the time of a DuckDB run goes: each verdict query of both shipped specs, timed alone.

Takes a directory of one inventory as ``benchmarks/sql_bench.py`` makes it
(``communities.parquet``, ``subdistricts.parquet``, ``districts.parquet``, ``city.parquet``,
or the same as ``.jsonl``) and a number of DuckDB threads; judges
``specs/complete_community.stdl`` and ``specs/wuhai_indicators.stdl`` level by level, each
verdict table written to Parquet in ``--out`` as ``check --engine duckdb -o x.parquet`` would,
and prints per query the time to build it (Python), the wall time and the CPU time of the
process while DuckDB ran it (CPU time is steadier than wall time on a shared machine: with
two threads and another process on the second core, wall time grows and CPU time does not),
then the totals and the peak memory of the process.

Usage::

    python benchmarks/sql_queries.py /tmp/standardlang-sql-bench/1000000 --threads 2
    python benchmarks/sql_queries.py DIR --threads 1 --source jsonl
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEVELS = {"communities": "community", "subdistricts": "subdistrict", "districts": "district", "city": "city"}


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path, help="a directory of one inventory (sql_bench.py's --work/N)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--source", choices=("parquet", "jsonl"), default="parquet")
    ap.add_argument("--out", type=Path, default=None, help="where the verdict files go (default: a temporary directory)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import standardlang as sl
    from standardlang.backends.sql.duckdb_engine import DuckDBRun
    from standardlang.backends.sql.values import lit

    out = args.out or Path(tempfile.mkdtemp(prefix="sl-sql-queries-"))
    out.mkdir(parents=True, exist_ok=True)
    t_all, c_all = time.perf_counter(), _cpu()
    for spec_name in ("complete_community.stdl", "wuhai_indicators.stdl"):
        spec = sl.load(ROOT / "specs" / spec_name)
        run = DuckDBRun(spec, threads=args.threads)
        for name, ent in LEVELS.items():
            if ent in spec.checked.entities and (args.data / f"{name}.{args.source}").exists():
                run.add(str(args.data / f"{name}.{args.source}"), ent)
        for ent in run.entities():
            t0 = time.perf_counter()
            q = run.query(ent)
            t1, c1 = time.perf_counter(), _cpu()
            target = lit(str(out / f"{spec_name}.{ent}.parquet")).sql("duckdb")
            rows = run.con.execute(f"COPY ({q}) TO {target} (FORMAT parquet)").fetchall()[0][0]
            print(f"{spec_name:24s} {ent:12s} {rows:9d} rows   build {t1 - t0:5.2f} s   "
                  f"run {time.perf_counter() - t1:6.2f} s wall, {_cpu() - c1:6.2f} s CPU", flush=True)
        run.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"total {time.perf_counter() - t_all:.2f} s wall, {_cpu() - c_all:.2f} s CPU, peak {peak:.0f} MB "
          f"({args.threads} thread{'s' if args.threads > 1 else ''}, {args.source})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
