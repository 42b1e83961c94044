#!/usr/bin/env python3
"""Judge a province on one machine: the column-5 spec plus the city indicators over 10k, 100k, 1M communities.

Takes sizes (``--sizes 10000 100000``), ``--jobs`` and a work folder; gives, per size,
for the streaming command line (JSON Lines in, JSON Lines out, statuses and missing
fields) and for the library (chunks bound and judged with ``Spec.judge``, no output):
wall time, CPU time (the process and its workers), peak resident memory (the main
process, and the largest worker) and communities per second.  Both include the
indicators of the levels above (subdistricts, districts, the city), accumulated on
the way (``standardlang.engine.rollup``).  ``--fixed-levels`` keeps those levels at
the 21 subdistricts, 3 districts and city of the example, the communities growing.  Inventories are made by
``examples/generate.py --format jsonl`` once per size and kept in the work folder.

Usage (by hand; figures in docs/performance.md)::

    python benchmarks/scale.py                         # 10k and 100k, --jobs 1 and 2
    python benchmarks/scale.py --sizes 1000000 --jobs 2
    python benchmarks/scale.py --sizes 1000000 --jobs 2 --fixed-levels --no-library
    python benchmarks/scale.py --json                  # machine-readable
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPECS = [os.path.join(ROOT, "specs", "complete_community.stdl"), os.path.join(ROOT, "specs", "wuhai_indicators.stdl")]

#: run in a fresh interpreter, so that each measurement has its own peak memory
HARNESS = r"""
import json, resource, sys, time
mode, folder, out, jobs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
specs = json.loads(sys.argv[5])
import glob
data = sorted(glob.glob(folder + "/*.jsonl"))
t0, c0 = time.perf_counter(), time.process_time()
if mode == "cli":
    from standardlang.cli import main
    code = main(["check", *specs, "--data", *data, "--format", "jsonl", "-o", out, "--jobs", str(jobs)])
    n = None
else:  # the library, streaming as the command line does, in one process and writing nothing
    import standardlang as sl
    from standardlang.cli.stream import chunks
    from standardlang.data.inventory import Inventory
    from standardlang.data.readers import Table, bind, read_files
    from standardlang.engine import rollup
    loaded = [sl.load(p) for p in specs]
    plans = [rollup.plan(spec, "community")[0] for spec in loaded]
    groups = [{} for _ in loaded]
    n, code, values = 0, 0, 0
    path = folder + "/communities.jsonl"
    for rows, sources, headers, flat in chunks(path, None):
        for k, spec in enumerate(loaded):
            ds = bind([Table(path, rows, sources, flat=flat, headers=headers)], spec, "community")
            rules = [r for r in spec.rules if r.entity == "community"]
            inds = [i for i in spec.indicators if i.value_for("community") is not None]
            recs = ds.inventory.records["community"]
            results = [spec.judge(rec, "community", rules, n + i) for i, rec in enumerate(recs)]
            for rec, res in zip(recs, results):
                for ind in inds:
                    spec.indicator_value(ind.id, rec, "community")
            rollup.merge_groups(groups[k], plans[k].fold(recs, [r.problems for r in results]), plans[k].sigs)
        n += len(rows)
    upper = read_files([folder + f"/{name}.jsonl" for name in ("city", "districts", "subdistricts")], None)
    for k, spec in enumerate(loaded):  # the levels above, from the accumulators
        ds = bind(upper, spec, levels=("city", "districts", "subdistricts", "communities"))
        for x in plans[k].indicators(ds.inventory, groups[k]):
            values += 1
wall = time.perf_counter() - t0
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "upper_values": None if mode == "cli" else values, "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
                  "rss_main_mb": me.ru_maxrss / 1024, "rss_worker_mb": kids.ru_maxrss / 1024, "exit": code}))
"""


def inventory(size: int, work: str, fixed: bool = False) -> str:
    folder = os.path.join(work, f"c{size}")
    if not os.path.exists(os.path.join(folder, "communities.jsonl")):
        os.makedirs(folder, exist_ok=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "examples", "generate.py"), "--communities", str(size),
                        "--format", "jsonl", "--out", folder], check=True, stdout=subprocess.DEVNULL)
    return fixed_levels(folder) if fixed else folder


def fixed_levels(folder: str) -> str:
    """The same communities under the first 21 subdistricts, 3 districts and the city only: the levels
    above stop growing with the communities (a province's subdistricts are thousands, not one per five
    communities as the generator repeats them), so what grows with the communities alone shows."""
    out = folder + "-fixed"
    if os.path.exists(os.path.join(out, "communities.jsonl")):
        return out
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(folder, "subdistricts.jsonl"), encoding="utf-8") as fh:
        keys = [json.loads(line)["id"] for line in fh]
    first = keys[:21]
    to_first = {k: first[i % 21] for i, k in enumerate(keys)}  # the replicas repeat the 21 in order
    for name, keep in (("city", 1), ("districts", 3), ("subdistricts", 21)):
        with open(os.path.join(folder, f"{name}.jsonl"), encoding="utf-8") as src, \
                open(os.path.join(out, f"{name}.jsonl"), "w", encoding="utf-8") as dst:
            for _, line in zip(range(keep), src):
                dst.write(line)
    with open(os.path.join(folder, "communities.jsonl"), encoding="utf-8") as src, \
            open(os.path.join(out, "communities.jsonl"), "w", encoding="utf-8") as dst:
        for line in src:
            rec = json.loads(line)
            rec["subdistrict"] = to_first.get(rec.get("subdistrict"), rec.get("subdistrict"))
            dst.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return out


def measure(mode: str, folder: str, jobs: int, specs: list[str] = SPECS) -> dict:
    out = os.path.join(folder, f"report-{mode}-{jobs}.jsonl")
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", HARNESS, mode, folder, out, str(jobs), json.dumps(specs)],
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise SystemExit(f"{mode} failed:\n{proc.stderr[-2000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if mode == "cli":
        result["lines"] = sum(1 for _ in open(out, encoding="utf-8"))
        os.remove(out)
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--work", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "standardlang-scale"))
    ap.add_argument("--no-library", action="store_true", help="measure the command line only")
    ap.add_argument("--specs", nargs="+", default=SPECS, help="spec files (default: column 5 and the indicators)")
    ap.add_argument("--fixed-levels", action="store_true",
                    help="the communities under 21 subdistricts, 3 districts and the city (see fixed_levels)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    rows = []
    for size in args.sizes:
        folder = inventory(size, args.work, args.fixed_levels)
        runs = [("cli", j) for j in args.jobs] + ([] if args.no_library else [("library", 1)])
        for mode, jobs in runs:
            r = measure(mode, folder, jobs, [os.path.abspath(p) for p in args.specs])
            r.update(size=size, mode=mode, jobs=jobs, per_s=size / r["wall"], fixed_levels=args.fixed_levels)
            rows.append(r)
            if not args.json:
                print(f"{size:>9,}  {mode:<7} jobs {jobs}  wall {r['wall']:7.1f} s  cpu {r['cpu']:7.1f} s  "
                      f"peak {r['rss_main_mb']:6.0f} MB (worker {r['rss_worker_mb']:4.0f} MB)  "
                      f"{r['per_s']:8,.0f} communities/s", flush=True)
    if args.json:
        print(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
