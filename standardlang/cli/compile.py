"""``standardlang compile SPEC [--emit python] [-o PATH]``: show the code a spec compiles to.

Takes a spec; gives the Python source generated for it (one function per rule,
definition and indicator value, each headed by its spec line, as
:meth:`~standardlang.engine.program.Spec.python_source` returns it), and on stderr
one line of counts: functions compiled, and any run by the interpreter instead.
Exit code 0, or 2 for a spec error.
"""

from __future__ import annotations

import argparse
import sys


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", metavar="SPEC", help="spec file (.stdl)")
    p.add_argument("--emit", choices=["python"], default="python",
                   help="what to show: the generated Python (the only back end today)")
    p.add_argument("-o", "--output", metavar="PATH", help="write to a file instead of stdout")


def run(args: argparse.Namespace) -> int:
    from standardlang.engine.program import load
    from standardlang.reports import write_output

    spec = load(args.spec)
    write_output(spec.python_source(), args.output)
    stats = spec.stats()
    interpreted = stats["interpreted"]
    line = (f"{args.spec}: {stats['compiled']} functions compiled ({stats['rules']} rules, "
            f"{stats['values']} indicator values, the rest definitions)")
    if interpreted:
        line += f"; {len(interpreted)} run by the interpreter: " + ", ".join(i["what"] for i in interpreted)
    print(line, file=sys.stderr)
    return 0
