#!/usr/bin/env python3
"""Benchmark the SQL back end on DuckDB (issue 14): the column-5 spec and the nine indicators at scale.

Takes sizes (default 10k, 100k, 1M generated communities, ``examples/generate.py``) and gives,
printed as tables (and as JSON with ``--json FILE``):

* **full**: ``specs/complete_community.stdl`` (every rule, community level) and
  ``specs/wuhai_indicators.stdl`` (the nine indicators at every level: community,
  subdistrict, district, city) judged by DuckDB from Parquet and from JSON Lines, with 1
  and 2 threads; every verdict table written to a Parquet file (``COPY (query) TO``), as
  ``check --engine duckdb -o out.parquet`` would; wall time, peak RSS of the process;
* **ten rules**: the ten rules of issue 10 (1.rooms, 2.building_area, 4.day_care_center,
  6.building_area, 7.slots, 10.parking, 10.charging, 11.bus_stop, 15.park_sports, 16.room)
  as hand-written SQL (``benchmarks/sql_handwritten.sql``) against the compiled SQL of the
  same rules, from the same Parquet file in the same process: verdicts checked equal first
  (the run stops on a mismatch), then each timed (best of ``--repeat``);
* **python**: ``spec.evaluate`` of both specs (the Python path) on the same records, for
  sizes up to ``--python-max``;
* **agreement**: at ``--check`` communities, every rule verdict and indicator value of the
  DuckDB path (JSON Lines, and Parquet) compared with the Python path's: the mismatches are
  counted and the run fails if there is one.

Every measurement runs in a fresh subprocess (peak memory is that process's ``ru_maxrss``).
The machine is shared: compare ratios measured in one run.  Data is generated once into
``--work`` (default ``/tmp/standardlang-sql-bench``) and reused.

Usage::

    python benchmarks/sql_bench.py                       # 10k, 100k, 1M
    python benchmarks/sql_bench.py --sizes 10000 --threads 1 --python-max 10000 --check 10000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
TEN = ["1.rooms", "2.building_area", "4.day_care_center", "6.building_area", "7.slots", "10.parking",
       "10.charging", "11.bus_stop", "15.park_sports", "16.room"]
LEVELS = {"communities": "community", "subdistricts": "subdistrict", "districts": "district", "city": "city"}


# ------------------------------------------------------------------ data
def prepare(work: Path, n: int, generate_max: int) -> Path:
    """JSON Lines per level (the generator) and the same as Parquet (converted by DuckDB), once.

    Above ``generate_max`` communities (the generator writes ~100-300 a second on a loaded
    2-core machine) the Parquet files are the ``generate_max`` inventory repeated, each copy's
    community ids suffixed (``-r1``...), linked to the same subdistricts: N distinct community
    records, and upper levels with N / generate_max times the communities.
    """
    import duckdb

    d = work / str(n)
    if n > generate_max:
        base = prepare(work, generate_max, generate_max)
        d.mkdir(parents=True, exist_ok=True)
        copies = -(-n // generate_max)
        for name in LEVELS:
            pq = d / f"{name}.parquet"
            if pq.exists():
                continue
            src = str(base / f"{name}.parquet").replace("'", "''")
            sel = (f"SELECT * REPLACE (id || CASE WHEN _r = 0 THEN '' ELSE '-r' || _r END AS id) FROM read_parquet('{src}'), "
                   f"range({copies}) AS _t(_r) ORDER BY _r LIMIT {n}" if name == "communities"
                   else f"SELECT * FROM read_parquet('{src}')")
            duckdb.connect().execute(f"COPY ({sel}) TO '{str(pq)}.tmp' (FORMAT parquet)")
            os.replace(f"{pq}.tmp", pq)
        return d
    if not (d / "communities.jsonl").exists():
        d.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(ROOT / "examples" / "generate.py"), "--communities", str(n),
                        "--format", "jsonl", "--out", str(d)], check=True)
    for name in LEVELS:
        pq = d / f"{name}.parquet"
        if not pq.exists():
            con = duckdb.connect()
            src = str(d / f"{name}.jsonl").replace("'", "''")
            con.execute(f"COPY (SELECT * FROM read_json('{src}', format = 'newline_delimited', sample_size = -1, "
                        f"maximum_object_size = 1073741824)) TO '{str(pq)}.tmp' (FORMAT parquet)")
            os.replace(f"{pq}.tmp", pq)
    return d


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------ one measurement (in a subprocess)
def run_full(d: Path, source: str, threads: int, out: Path) -> dict:
    """Both specs, every level, from ``source`` (parquet | jsonl), verdicts written to Parquet."""
    import standardlang as sl
    from standardlang.backends.sql.duckdb_engine import DuckDBRun
    from standardlang.backends.sql.values import lit

    t0 = time.perf_counter()
    rows = 0
    compile_s = 0.0
    for spec_name in ("complete_community.stdl", "wuhai_indicators.stdl"):
        spec = sl.load(SPECS / spec_name)
        run = DuckDBRun(spec, threads=threads)
        for name, ent in LEVELS.items():
            if ent in spec.checked.entities:
                run.add(str(d / f"{name}.{source}"), ent)
        for ent in run.entities():
            if not [r for r in spec.checked.rules if r.entity == ent] and \
                    not any(i.value_for(ent) is not None for i in spec.checked.indicators):
                continue
            c0 = time.perf_counter()
            q = run.query(ent)
            compile_s += time.perf_counter() - c0
            target = lit(str(out / f"{spec_name}.{ent}.parquet")).sql("duckdb")
            rows += run.con.execute(f"COPY ({q}) TO {target} (FORMAT parquet)").fetchall()[0][0]
        run.close()
    return {"seconds": time.perf_counter() - t0, "compile_seconds": compile_s, "rows": rows, "peak_mb": _peak_mb()}


def run_ten(d: Path, threads: int, repeat: int) -> dict:
    """The ten rules: hand-written SQL against the compiled SQL, checked equal, then timed."""
    import standardlang as sl
    from standardlang.backends.sql.duckdb_engine import DuckDBRun

    spec = sl.load(SPECS / "complete_community.stdl")
    run = DuckDBRun(spec, threads=threads)
    run.add(str(d / "communities.parquet"), "community")
    rules = [spec.checked.rule(r) for r in TEN]
    compiled = run.query("community", rules, indicators=False)
    view = run._linked("community", {})
    source = f'"{view}"'
    if "site_constrained" not in run.con.sql(f"SELECT * FROM {source} LIMIT 0").columns:  # never generated: NULL
        source = f"(SELECT *, CAST(NULL AS BOOLEAN) AS site_constrained FROM {source})"
    hand = (ROOT / "benchmarks" / "sql_handwritten.sql").read_text(encoding="utf-8").replace("{source}", source)
    cols = ", ".join(f'"{r}"' for r in TEN)
    a = run.con.sql(f"SELECT {cols} FROM ({compiled})").fetchall()
    b = run.con.sql(f"SELECT {cols} FROM ({hand})").fetchall()
    mismatches = sum(1 for x, y in zip(a, b) if x != y) + abs(len(a) - len(b))
    if mismatches:
        first = next((i, x, y) for i, (x, y) in enumerate(zip(a, b)) if x != y)
        return {"mismatches": mismatches, "first": repr(first)}
    times = {}
    for label, q in (("handwritten", hand), ("compiled", compiled)):
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            run.con.execute(f"CREATE OR REPLACE TEMP TABLE _bench AS SELECT {cols} FROM ({q})")
            best = min(best, time.perf_counter() - t0)
        times[label] = best
    return {"mismatches": 0, "rows": len(a), **times, "ratio": times["compiled"] / times["handwritten"],
            "peak_mb": _peak_mb()}


def _records(d: Path) -> dict:
    out = {}
    for name in LEVELS:
        with open(d / f"{name}.jsonl", encoding="utf-8") as fh:
            out[name] = [json.loads(line) for line in fh if line.strip()]
    return out


def run_python(d: Path) -> dict:
    """The Python path: spec.evaluate of both specs on the records (read first, not timed)."""
    import standardlang as sl

    data = _records(d)
    t0 = time.perf_counter()
    verdicts = 0
    for spec_name in ("complete_community.stdl", "wuhai_indicators.stdl"):
        spec = sl.load(SPECS / spec_name)
        rep = spec.evaluate(data if spec_name == "wuhai_indicators.stdl" else data["communities"],
                            entity=None if spec_name == "wuhai_indicators.stdl" else "community")
        verdicts += sum(len(r.verdicts) for r in rep.results) + len(rep.indicators)
    return {"seconds": time.perf_counter() - t0, "verdicts": verdicts, "peak_mb": _peak_mb()}


def run_agree(d: Path, sources: list[str]) -> dict:
    """Mismatches between the DuckDB path (JSON Lines, Parquet) and the Python path, every verdict and value."""
    import standardlang as sl
    from standardlang.backends.sql.duckdb_engine import DuckDBRun
    from standardlang.cli.sql_engine import indicator_value

    data = _records(d)
    out = {}
    for spec_name in ("complete_community.stdl", "wuhai_indicators.stdl"):
        spec = sl.load(SPECS / spec_name)
        levels = {k: v for k, v in data.items() if LEVELS[k] in spec.checked.entities}
        for source in sources:
            facts = levels if source == "jsonl" else _absent(spec, levels)  # a typed NULL is absent (docs/sql.md)
            rep = spec.evaluate(facts) if len(levels) > 1 else spec.evaluate(facts["communities"], entity="community")
            want = {}
            for rr in rep.results:
                for v in rr.verdicts:
                    want[(rr.entity, rr.record_id, v.rule.id)] = (v.status.value, None)
            for r in rep.indicators:
                want[(r.entity, r.record_id, r.indicator.id)] = (r.status.value, r.value)
            run = DuckDBRun(spec)
            for name in levels:
                run.add(str(d / f"{name}.{source}"), LEVELS[name])
            got = {}
            for ent in run.entities():
                for row in run.table(ent).to_pylist():
                    for r in spec.checked.rules:
                        if r.entity == ent:
                            got[(ent, row["record"], r.id)] = (row[r.id], None)
                    for ind in spec.checked.indicators:
                        if ind.value_for(ent) is not None:
                            got[(ent, row["record"], ind.id)] = (row[ind.id], indicator_value(row, ind.id))
            run.close()
            bad = [k for k in want if got.get(k) != want[k]] + [k for k in got if k not in want]
            out[f"{spec_name}/{source}"] = {"compared": len(want), "mismatches": len(bad),
                                             "first": [(k, want.get(k), got.get(k)) for k in bad[:3]]}
    return {k: {**v, "first": repr(v["first"])} for k, v in out.items()}


def _absent(spec, levels: dict) -> dict:
    """The records as a typed Parquet column holds them: a missing optional field is null (absent)."""
    out = {}
    for name, records in levels.items():
        fields = spec.checked.entities[LEVELS[name]].fields
        opt = [f for f, info in fields.items() if info.optional and not info.by]
        out[name] = [{**{f: None for f in opt}, **r} for r in records]
    return out


# ------------------------------------------------------------------ driver
def _child(args: list[str]) -> dict:
    p = subprocess.run([sys.executable, __file__, "--one", *args], capture_output=True, text=True)
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def one(argv: list[str]) -> int:
    kind, d = argv[0], Path(argv[1])
    if kind == "full":
        out = Path(argv[4])
        out.mkdir(parents=True, exist_ok=True)
        res = run_full(d, argv[2], int(argv[3]), out)
    elif kind == "ten":
        res = run_ten(d, int(argv[2]), int(argv[3]))
    elif kind == "python":
        res = run_python(d)
    else:
        res = run_agree(d, argv[2].split(","))
    print(json.dumps(res))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--one":
        return one(argv[1:])
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--sources", nargs="+", default=["parquet", "jsonl"], choices=["parquet", "jsonl"])
    p.add_argument("--jsonl-max", type=int, default=1_000_000, help="largest size judged from JSON Lines")
    p.add_argument("--python-max", type=int, default=100_000, help="largest size run on the Python path")
    p.add_argument("--check", type=int, default=100_000, help="size at which every verdict is compared (0: none)")
    p.add_argument("--check-sources", default="parquet,jsonl", help="sources compared at --check (comma-separated)")
    p.add_argument("--generate-max", type=int, default=100_000, help="largest inventory generated (above: repeated)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--work", type=Path, default=Path("/tmp/standardlang-sql-bench"))
    p.add_argument("--json", type=Path, help="also write the figures here")
    args = p.parse_args(argv)
    import duckdb
    import sqlglot

    print(f"python {sys.version.split()[0]}, duckdb {duckdb.__version__}, sqlglot {sqlglot.__version__}, "
          f"{os.cpu_count()} cores")
    results: dict = {}
    for n in args.sizes:
        d = prepare(args.work, n, args.generate_max)
        for source in args.sources:
            if source == "jsonl" and (n > args.jsonl_max or n > args.generate_max):
                continue
            for t in args.threads:
                r = results[f"full {n} {source} {t}t"] = _child(["full", str(d), source, str(t), str(d / "out")])
                print(f"full    {n:>9} {source:8} {t} thread(s): {_fmt(r)}", flush=True)
        for t in args.threads:
            r = results[f"ten {n} {t}t"] = _child(["ten", str(d), str(t), str(args.repeat)])
            print(f"ten     {n:>9} parquet  {t} thread(s): {_fmt(r)}", flush=True)
        if n <= args.python_max and n <= args.generate_max:
            r = results[f"python {n}"] = _child(["python", str(d)])
            print(f"python  {n:>9}: {_fmt(r)}", flush=True)
        if n == args.check:
            r = results[f"agree {n}"] = _child(["agree", str(d), args.check_sources])
            print(f"agree   {n:>9}: {json.dumps(r, ensure_ascii=False)}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    bad = [k for k, v in results.items() if "error" in v or v.get("mismatches")
           or any(isinstance(x, dict) and x.get("mismatches") for x in v.values())]
    return 1 if bad else 0


def _fmt(r: dict) -> str:
    return ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in r.items())


if __name__ == "__main__":
    raise SystemExit(main())
