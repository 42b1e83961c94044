"""``standardlang test SPEC...``: run the inline examples of spec files, like ``opa test``.

Takes spec paths; prints one line per failing example (expected vs actual, then
the explanation), optionally the coverage of the examples, and ends with the
summary line ``N passed, N failed`` — always the last line of text output.  A
spec that does not load prints its diagnostics and counts as one failure.
Exit 0 when every example passes, 1 when one fails, 2 when a spec does not load.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("specs", nargs="+", metavar="SPEC", help="spec files (.stdl)")
    p.add_argument("--coverage", action="store_true",
                   help="list rules, verdicts, alternatives and branches no example reaches")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("-v", "--verbose", action="store_true", help="list passing examples too")


def run(args: argparse.Namespace) -> int:
    from standardlang.errors import StandardLangError
    from standardlang.engine.program import load
    from standardlang.tools.testing import coverage, run_examples

    text = args.format == "text"
    passed = failed = 0
    load_errors: list[dict] = []
    all_results = []
    covs = {}
    for path in args.specs:
        try:
            spec = load(path)
        except StandardLangError as exc:
            failed += 1
            load_errors.append({"spec": path, "diagnostics": [d.to_dict() for d in exc.diagnostics]})
            if text:
                print(f"ERROR {path}: the spec does not load")
                print("\n".join("    " + line for line in exc.render().splitlines()))
            continue
        results = run_examples(spec)
        all_results.extend(results)
        for r in results:
            if r.ok:
                passed += 1
                if args.verbose and text:
                    print(f"PASS {path}:{r.line}: {r.name}")
            else:
                failed += 1
                if text:
                    print(f"FAIL {path}:{r.line}: {r.name}: expected {r.expected}, got {r.actual}")
                    if r.explanation:
                        print("\n".join("    " + line for line in r.explanation.splitlines()))
        if args.coverage:
            covs[path] = coverage(spec)
    if not text:
        out = {"passed": passed, "failed": failed, "results": [r.to_dict() for r in all_results]}
        if load_errors:
            out["errors"] = load_errors
        if args.coverage:
            out["coverage"] = {p: c.to_dict() for p, c in covs.items()}
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for path, cov in covs.items():
            print(f"coverage of {path}:")
            print(cov.render())
        print(f"{passed} passed, {failed} failed")
    if load_errors:
        return 2
    return 1 if failed else 0
