"""``standardlang repl [--spec SPEC...] [--data FILE] [--entity NAME]``: an interactive session.

Takes spec files, a data file and an entity; runs :mod:`standardlang.tools.repl`
(prompt_toolkit on a terminal; line by line from a pipe, so it can be scripted).
Exit 0 when the session ends normally; piped, 1 when some input failed.
"""

from __future__ import annotations

import argparse


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spec", action="append", default=[], metavar="SPEC", nargs="+",
                   help="spec files to load (repeatable); the last one is current")
    p.add_argument("--data", metavar="FILE", help="records to evaluate against (JSON, JSON Lines, YAML, CSV, XLSX)")
    p.add_argument("--entity", metavar="NAME", help="which entity's records to judge (default: the spec's first goal's)")


def run(args: argparse.Namespace) -> int:
    from standardlang.tools.repl import main

    specs = [s for group in args.spec for s in group]
    return main(specs, args.data, args.entity)
