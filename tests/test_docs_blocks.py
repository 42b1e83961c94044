"""Every Python and shell block of README.md and docs/ runs, as a reader would run it.

A page's blocks run in order, in a scratch directory that links the repository's
``specs/``, ``examples/``, ``tests/`` and ``benchmarks/`` (so the paths the docs use
work, and files the examples write land in the scratch directory):

- blocks marked ``file=NAME`` (```` ```stdl file=x.stdl ````, ```` ```csv file=communities.csv ````)
  are written there first, under that name;
- ```` ```python ```` blocks run in one namespace per page and must not raise
  (``docs/api.md`` also checks the output in its comments: ``tests/test_docgen.py``);
- ```` ```sh ````, ```` ```console ```` and ```` ```bash ```` blocks: a line ``$ CMD``
  is a command followed by the output it prints, which must match (a line ``...`` stands
  for any number of lines); in a block without ``$``, every line that is not a comment
  is a command (a trailing ``\\`` continues it). ``standardlang ...`` runs in-process and
  must exit 0 or 1 (1: a requirement fails, which is what the example city shows), or
  the code given as ``exit=N`` in the fence; ``pip install ...`` is skipped, since the
  suite runs in the installed package. Any other command fails the test.

A block marked ``norun`` in its fence (```` ```sh norun ````) is not run. It is for
commands that cannot run inside the suite: the README's test command (it would run
this very suite) and the benchmarks (minutes). ``NORUN_ALLOWED`` lists them, so a new
``norun`` needs a reason here.
"""

from __future__ import annotations

import contextlib
import glob
import io
import re
import shlex

import pytest

from standardlang import cli

from conftest import ROOT

DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)
SHELLS = {"sh", "console", "bash", "shell"}
LINKED = ["specs", "examples", "tests", "benchmarks"]

#: (page, first command of the block) -> why it is not run
NORUN_ALLOWED = {
    ("README.md", "pip install -e '.[test]' && python -m pytest -q"): "it would run this very suite",
    ("README.md", "python benchmarks/bench.py"): "the benchmarks take minutes",
    ("docs/performance.md", "python benchmarks/bench.py            # a table"): "the benchmarks take minutes",
    ("docs/performance.md", "python benchmarks/scale.py                                   # 10k and 100k "
                            "communities, --jobs 1 and 2"): "the scale benchmark takes tens of minutes",
    ("docs/performance.md", "HYPOTHESIS_PROFILE=large STANDARDLANG_FUZZ_EXAMPLES=22000 python -m pytest "
                            "tests/test_reader_fuzz.py --hypothesis-show-statistics"): "the large fuzz run takes 20 minutes",
    ("docs/cli.md", "python examples/generate.py --communities 100000 --format jsonl --out big/"):
        "it generates and judges 100,000 communities (minutes, a gigabyte of files)",
    ("docs/sql.md", "pip install 'standardlang[postgres]'"): "it needs a PostgreSQL server holding the tables",
    ("docs/sql.md", "import psycopg"): "it needs a PostgreSQL server (tests/test_sql_postgres.py runs the same calls)",
    ("docs/sql.md", "pip install 'standardlang[spark]'        # pyspark; Spark needs Java 17 or later"):
        "it needs Spark tables and files (tests/test_sql_spark.py runs the same engine)",
    ("docs/sql.md", "import sys"): "a script for spark-submit, run on a cluster",
    ("docs/sql.md", "spark-submit --master yarn --py-files standardlang.zip judge.py complete_community.stdl "
                    "hdfs:///inventory/communities hdfs:///verdicts/2024"): "it needs a Spark cluster",
    ("docs/testing.md", "python dev/mutation.py --jobs 2 standardlang/backends/python/compiler.py \\"):
        "the mutation run takes a quarter of an hour",
}


def blocks(text: str) -> list[tuple[str, dict, str]]:
    """``(language, {key: value or True}, body)`` of every fenced block."""
    found = []
    for m in FENCE.finditer(text):
        words = m.group(1).split()
        info: dict = {}
        for w in words[1:]:
            key, _, value = w.partition("=")
            info[key] = value or True
        found.append((words[0] if words else "", info, m.group(2)))
    return found


def commands(body: str) -> list[tuple[str, str | None]]:
    """``(command, expected output or None)`` of a shell block."""
    if re.search(r"^\$ ", body, re.M):
        runs = []
        for chunk in re.split(r"^\$ ", body, flags=re.M)[1:]:
            command, _, output = chunk.partition("\n")
            runs.append((command, output))
        return runs
    joined = re.sub(r"\\\n\s*", " ", body)
    return [(line.strip(), None) for line in joined.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


def matches(shown: list[str], expected: list[str]) -> bool:
    """``shown == expected``, where a line ``...`` in ``expected`` stands for any lines."""
    if not expected:
        return not shown
    if expected[0].strip() == "...":
        return any(matches(shown[i:], expected[1:]) for i in range(len(shown) + 1))
    return bool(shown) and shown[0] == expected[0] and matches(shown[1:], expected[1:])


def run_command(page: str, command: str, expected: str | None, exit_codes: set[int]) -> None:
    for part in command.split("&&"):
        part = re.sub(r"\s+#.*$", "", part).strip()
        argv = shlex.split(part)
        if argv[:2] == ["pip", "install"]:
            continue
        assert argv[0] == "standardlang", (
            f"{page}: `{part}` is neither `standardlang` nor `pip install`: make it run, or mark the block "
            "norun and say why in tests/test_docs_blocks.py")
        args = []
        for a in argv[1:]:
            expanded = sorted(glob.glob(a)) if any(c in a for c in "*?[") else []
            args.extend(expanded or [a])
        code, out, err = run_cli(args)
        assert "Traceback" not in out + err, f"{page}: `{part}` shows a traceback\n{err}"
        assert code in exit_codes, f"{page}: `{part}` exits {code}\n{out[-2000:]}{err[-2000:]}"
        if expected is not None and expected.strip():
            shown = "\n".join(p.rstrip("\n") for p in (out, err) if p.strip()).splitlines()
            same = matches(shown, expected.rstrip("\n").splitlines())
            assert same, f"{page}: `{part}` prints otherwise:\n" + "\n".join(shown)


def scratch(tmp_path, monkeypatch):
    for name in LINKED:
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_block_of_the_page_runs(page, tmp_path, monkeypatch):
    name = str(page.relative_to(ROOT))
    found = blocks(page.read_text(encoding="utf-8"))
    scratch(tmp_path, monkeypatch)
    for lang, info, body in found:
        if "file" in info:
            (tmp_path / info["file"]).write_text(body, encoding="utf-8")
    namespace: dict = {"__name__": name}
    for n, (lang, info, body) in enumerate(found, 1):
        if lang not in SHELLS and lang != "python":
            continue
        if "norun" in info:
            first = body.splitlines()[0].strip()
            assert (name, first) in NORUN_ALLOWED, f"{name}: block {n} is marked norun without a reason here"
            continue
        if lang == "python":
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(body, f"{name} python block {n}", "exec"), namespace)
            except Exception as exc:
                raise AssertionError(f"{name}: python block {n} fails: {exc!r}\n{body}") from exc
            continue
        exit_codes = {int(info["exit"])} if "exit" in info else {0, 1}
        for command, expected in commands(body):
            run_command(name, command, expected, exit_codes)


def test_norun_is_used_sparingly():
    """Every reason in NORUN_ALLOWED is still used by a block (none is left over)."""
    used = set()
    for page in PAGES:
        name = str(page.relative_to(ROOT))
        for _, info, body in blocks(page.read_text(encoding="utf-8")):
            if "norun" in info:
                used.add((name, body.splitlines()[0].strip()))
    assert used == set(NORUN_ALLOWED)


def test_matches_with_an_ellipsis():
    assert matches(["a", "b", "c"], ["a", "...", "c"])
    assert matches(["a"], ["a", "..."])
    assert not matches(["a", "b"], ["a", "c"])
    assert not matches(["a", "b"], ["a"])
