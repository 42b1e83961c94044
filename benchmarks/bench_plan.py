"""Benchmark of the planner (run by hand: ``python benchmarks/bench_plan.py``).

Times, on this machine, ``make_plan`` (every community's shortfalls and deciding
values, totals per place, indicator distances) for the example city and for the
same city copied N times (new keys), next to ``Spec.evaluate`` of the same data in
the same run, so the ratio plan / check is what to compare (the machine is shared
and noisy).  Each timing is the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import copy
import json
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import best  # noqa: E402  (benchmarks/ is on sys.path when run as a script)


def scaled(data: dict, times: int) -> dict:
    """The example city with its communities copied ``times`` times under new keys."""
    out = copy.deepcopy(data)
    out["communities"] = [{**c, "id": f"{c['id']}-{k}"} for k in range(times) for c in data["communities"]]
    return out




def main() -> int:
    import standardlang as sl
    from standardlang.planning.places import make_plan

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--times", type=int, nargs="+", default=[1, 10])
    args = ap.parse_args()
    specs = [sl.load(ROOT / "specs" / "complete_community.stdl"), sl.load(ROOT / "specs" / "wuhai_indicators.stdl")]
    data = json.loads((ROOT / "examples" / "wuhai" / "inventory.json").read_text(encoding="utf-8"))
    print(f"{'communities':>12} {'check s':>9} {'plan s':>9} {'plan/check':>10} {'ms/community':>13}")
    for k in args.times:
        d = scaled(data, k)
        n = len(d["communities"])
        check = best(lambda: [s.evaluate(d) for s in specs], args.repeat)
        plan = best(lambda: make_plan(specs, d), args.repeat)
        print(f"{n:>12} {check:>9.3f} {plan:>9.3f} {plan / check:>10.1f} {plan / n * 1000:>13.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
