"""``standardlang lint SPEC...``: find what a careful reviewer of a standard would.

Takes spec paths; prints each finding like a compiler diagnostic
(``file:line:col: warning: reason [L003]``, the line, a caret, a hint), or a JSON
list with ``--format json``, then a summary line.  Codes and how to silence one
(``# lint: ignore L003``) are in ``docs/linter.md``.  Exit 0 without findings, 1
with findings, 2 when a spec does not load.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("specs", nargs="+", metavar="SPEC", help="spec files (.stdl)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--ignore", default="", metavar="CODES",
                   help="codes never to report, comma-separated (e.g. L008,L007)")


def run(args: argparse.Namespace) -> int:
    from standardlang.errors import StandardLangError
    from standardlang.tools.lint import lint_file

    ignore = {c.strip().upper() for c in args.ignore.split(",") if c.strip()}
    findings = []
    broken = []
    for path in args.specs:
        try:
            found = lint_file(path, ignore)
        except StandardLangError as exc:
            broken.append((path, exc))
            continue
        findings.extend(found)
    if args.format == "json":
        out = {"findings": [d.to_dict() for d in findings],
               "errors": [{"spec": p, "diagnostics": [d.to_dict() for d in e.diagnostics]} for p, e in broken]}
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for d in findings:
            print(d.render())
        for path, exc in broken:
            print(exc.render(), file=sys.stderr)
        n = len(findings)
        files = len({d.source.name for d in findings if d.source is not None})
        if n:
            print(f"{n} finding{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}")
        elif not broken:
            print(f"no findings in {len(args.specs)} file{'s' if len(args.specs) != 1 else ''}")
    if broken:
        return 2
    return 1 if findings else 0
