"""A small mutation tester (run by hand): how many single-operator changes the tests catch.

Usage: ``python dev/mutation.py [--jobs 2] [--sample N] FILE... -- PYTEST_ARGS...``

Takes Python modules of the package; for every mutation site (a comparison, boolean,
arithmetic or ``not`` operator, a True/False constant, an int constant) writes the
module with that one change into a private copy of the repository and runs pytest
there with ``-x``.  A mutant is *killed* if the tests fail (or time out), *survives*
if they pass.  Prints each survivor (file:line, the change) and the score.
Hand-rolled because mutmut 3 needs its own copy layout and config; this takes none.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import os
import pathlib
import random
import shutil
import subprocess
import sys
import tempfile
from typing import Any

SWAP = {ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
        ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.And: ast.Or, ast.Or: ast.And,
        ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
ROOT = pathlib.Path(__file__).resolve().parent.parent


def sites(tree: ast.AST) -> list[tuple[int, str]]:
    """(node index in ast.walk order, description) of every mutation site."""
    out = []
    for i, node in enumerate(ast.walk(tree)):
        if isinstance(node, ast.Compare):
            for j, op in enumerate(node.ops):
                out.append((i, f"cmp{j}:{type(op).__name__}->{SWAP[type(op)].__name__}"))
        elif isinstance(node, ast.BoolOp):
            out.append((i, f"bool:{type(node.op).__name__}->{SWAP[type(node.op)].__name__}"))
        elif isinstance(node, ast.BinOp) and type(node.op) in SWAP:
            out.append((i, f"bin:{type(node.op).__name__}->{SWAP[type(node.op)].__name__}"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            out.append((i, "drop not"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
            out.append((i, f"const:{node.value}->{not node.value}"))
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            out.append((i, f"const:{node.value}->{node.value + 1}"))
    return out


def mutate(source: str, index: int, what: str) -> tuple[str, int]:
    tree = ast.parse(source)
    for i, node in enumerate(ast.walk(tree)):
        if i != index:
            continue
        line = node.lineno
        if what.startswith("cmp"):
            j = int(what[3:what.index(":")])
            node.ops[j] = SWAP[type(node.ops[j])]()
        elif what.startswith("bool") or what.startswith("bin"):
            node.op = SWAP[type(node.op)]()
        elif what == "drop not":
            parent = next(p for p in ast.walk(tree) for c in ast.iter_child_nodes(p) if c is node)
            for field, value in ast.iter_fields(parent):
                if value is node:
                    setattr(parent, field, node.operand)
                elif isinstance(value, list):
                    setattr(parent, field, [node.operand if v is node else v for v in value])
        elif isinstance(node.value, bool):
            node.value = not node.value
        else:
            node.value += 1
        return ast.unparse(tree), line
    raise IndexError(index)


def _line_of(job: tuple) -> int:
    return mutate(job[3], job[1], job[2])[1]


def run_one(job: tuple, workdirs: Any, pytest_args: list[str], timeout: int) -> tuple:
    rel, index, what, source = job
    work = workdirs.get()
    try:
        text, line = mutate(source, index, what)
        target = pathlib.Path(work) / rel
        target.write_text(text, encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=work, PYTHONDONTWRITEBYTECODE="1")
        try:
            r = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *pytest_args],
                               cwd=work, env=env, capture_output=True, timeout=timeout)
            killed = r.returncode != 0
        except subprocess.TimeoutExpired:
            killed = True
        target.write_text(source, encoding="utf-8")
        return rel, line, what, killed
    finally:
        workdirs.put(work)


def main() -> int:
    import queue

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--sample", type=int, default=0, help="run this many mutants, drawn at random (seed 1)")
    ap.add_argument("--timeout", type=int, default=180)
    ap.add_argument("--only", metavar="FILE", help="rerun only the mutants listed in FILE (this tool's 'survived' lines)")
    argv = sys.argv[1:]
    pytest_args = argv[argv.index("--") + 1:] if "--" in argv else ["tests"]
    args = ap.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    jobs = []
    for f in args.files:
        rel = os.path.relpath(f, ROOT)
        source = (ROOT / rel).read_text(encoding="utf-8")
        jobs.extend((rel, i, what, source) for i, what in sites(ast.parse(source)))
    total = len(jobs)
    if args.only:
        wanted = {line.split(" ", 1)[1].strip() for line in open(args.only, encoding="utf-8")
                  if line.startswith("survived ")}
        jobs = [j for j in jobs if f"{j[0]}:{_line_of(j)}: {j[2]}" in wanted]
    if args.sample and args.sample < total:
        jobs = random.Random(1).sample(jobs, args.sample)
    workdirs: queue.Queue = queue.Queue()
    tmp = tempfile.mkdtemp(prefix="mutation-")
    for k in range(args.jobs):
        work = os.path.join(tmp, str(k))
        shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", ".hypothesis"))
        workdirs.put(work)
    base = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *pytest_args],
                          cwd=os.path.join(tmp, "0"), env=dict(os.environ, PYTHONPATH=os.path.join(tmp, "0")),
                          capture_output=True, text=True)
    if base.returncode != 0:  # every mutant would count as killed: refuse to score
        print("the tests fail without any mutation:\n" + base.stdout[-2000:])
        return 1
    killed = 0
    survivors = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for rel, line, what, k in pool.map(lambda j: run_one(j, workdirs, pytest_args, args.timeout), jobs):
            killed += k
            if not k:
                survivors.append(f"{rel}:{line}: {what}")
                print("survived", survivors[-1], flush=True)
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"{killed} of {len(jobs)} mutants killed ({100 * killed / max(len(jobs), 1):.1f} %); "
          f"{total} mutation sites in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
