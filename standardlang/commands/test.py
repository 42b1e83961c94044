"""``standardlang test SPEC...``: run the inline examples of spec files, like ``opa test``."""

from __future__ import annotations

import argparse
import json
import sys


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("specs", nargs="+", metavar="SPEC", help="spec files (.stdl)")
    p.add_argument("--coverage", action="store_true", help="report rules and branches no example reaches")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("-v", "--verbose", action="store_true", help="list passing examples too")


def run(args: argparse.Namespace) -> int:
    from ..program import load
    from ..testing import coverage, run_examples

    passed = failed = 0
    all_results = []
    covs = {}
    for path in args.specs:
        spec = load(path)
        results = run_examples(spec)
        all_results.extend(results)
        for r in results:
            if r.ok:
                passed += 1
                if args.verbose and args.format == "text":
                    print(f"PASS {path}:{r.line}: {r.name}")
            else:
                failed += 1
                if args.format == "text":
                    print(f"FAIL {path}:{r.line}: {r.name}: expected {r.expected}, got {r.actual}")
                    if r.explanation:
                        print("\n".join("    " + line for line in r.explanation.splitlines()))
        if args.coverage:
            covs[path] = coverage(spec)
    if args.format == "json":
        json.dump({"passed": passed, "failed": failed, "results": [r.to_dict() for r in all_results],
                   "coverage": {p: {"untested_rules": list(c.untested_rules),
                                    "unreached_branches": [list(x) for x in c.unreached_branches]}
                                for p, c in covs.items()}}, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for path, cov in covs.items():
            print(f"coverage of {path}:")
            print(cov.render())
        print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
