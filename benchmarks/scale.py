#!/usr/bin/env python3
"""Judge a province on one machine: the column-5 spec plus the city indicators over 10k, 100k, 1M communities.

Takes sizes (``--sizes 10000 100000``), ``--jobs`` and a work folder; gives, per size,
for the streaming command line (JSON Lines in, JSON Lines out, statuses and missing
fields) and for the library (chunks bound and judged with ``Spec.judge``, no output):
wall time, CPU time (the process and its workers), peak resident memory (the main
process, and the largest worker) and communities per second.  Inventories are made by
``examples/generate.py --format jsonl`` once per size and kept in the work folder.

Usage (by hand; figures in docs/performance.md)::

    python benchmarks/scale.py                         # 10k and 100k, --jobs 1 and 2
    python benchmarks/scale.py --sizes 1000000 --jobs 2
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
else:
    import standardlang as sl
    from standardlang.cli.stream import chunks
    from standardlang.data.readers import Table, bind
    loaded = [sl.load(p) for p in specs]
    n, code = 0, 0
    path = folder + "/communities.jsonl"
    for rows, sources, headers, flat in chunks(path, None):
        for spec in loaded:
            ds = bind([Table(path, rows, sources, flat=flat, headers=headers)], spec, "community")
            rules = [r for r in spec.rules if r.entity == "community"]
            inds = [i for i in spec.indicators if i.value_for("community") is not None]
            for i, rec in enumerate(ds.inventory.records["community"]):
                spec.judge(rec, "community", rules, n + i)
                for ind in inds:
                    spec.indicator_value(ind.id, rec, "community")
        n += len(rows)
wall = time.perf_counter() - t0
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
                  "rss_main_mb": me.ru_maxrss / 1024, "rss_worker_mb": kids.ru_maxrss / 1024, "exit": code}))
"""


def inventory(size: int, work: str) -> str:
    folder = os.path.join(work, f"c{size}")
    if not os.path.exists(os.path.join(folder, "communities.jsonl")):
        os.makedirs(folder, exist_ok=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "examples", "generate.py"), "--communities", str(size),
                        "--format", "jsonl", "--out", folder], check=True, stdout=subprocess.DEVNULL)
    return folder


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
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    rows = []
    for size in args.sizes:
        folder = inventory(size, args.work)
        runs = [("cli", j) for j in args.jobs] + ([] if args.no_library else [("library", 1)])
        for mode, jobs in runs:
            r = measure(mode, folder, jobs, [os.path.abspath(p) for p in args.specs])
            r.update(size=size, mode=mode, jobs=jobs, per_s=size / r["wall"])
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
