"""``check --engine duckdb`` streams the Python path's reports out of DuckDB.

* ``--format jsonl`` and ``csv``: the same bytes as ``--engine python`` (the example city as a
  JSON document; generated levels as JSON Lines, the lowest one streamed with its own
  indicators); ``--format parquet``: the same rows;
* the text report of a large input: counts from one aggregate query, equal to the Python path's;
* a broken explanation column is caught by the byte comparison.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("duckdb", reason="the SQL tests need the sql extra: pip install -e '.[sql]'")
pytest.importorskip("sqlglot", reason="the SQL tests need the sql extra: pip install -e '.[sql]'")

import standardlang as sl  # noqa: E402
from standardlang import cli  # noqa: E402
from standardlang.backends.sql import explain as sql_explain  # noqa: E402

from conftest import ROOT, SPECS  # noqa: E402

CITY = str(ROOT / "examples" / "wuhai" / "inventory.json")


def check(*argv: str) -> int:
    return cli.main(["check", *argv])


@pytest.fixture(scope="module")
def levels(tmp_path_factory):
    """A generated inventory of 40 communities, one JSON Lines file per level."""
    out = tmp_path_factory.mktemp("levels")
    subprocess.run([sys.executable, str(ROOT / "examples" / "generate.py"), "--communities", "40", "--seed", "7",
                    "--format", "jsonl", "--out", str(out)], check=True, capture_output=True)
    return sorted(str(p) for p in out.glob("*.jsonl"))


def both(tmp_path, spec, data, fmt, *extra):
    """(Python path's output, DuckDB's) of one check, as bytes; the exit codes agree."""
    outs = []
    codes = []
    for engine in ("python", "duckdb"):
        out = tmp_path / f"{engine}.{fmt}"
        codes.append(check(str(SPECS / spec), "--data", *data, "--format", fmt, "-o", str(out), "--engine", engine,
                           *extra))
        outs.append(out.read_bytes())
    assert codes[0] == codes[1]
    return outs


@pytest.mark.parametrize("spec", ["complete_community.stdl", "wuhai_indicators.stdl"])
def test_jsonl_of_the_city_is_the_python_one(tmp_path, spec):
    python, duck = both(tmp_path, spec, [CITY], "jsonl")
    assert python == duck
    assert python.count(b'"missing"') > 10  # unknown verdicts and values, with the fields they lack


@pytest.mark.parametrize("spec,fmt", [("complete_community.stdl", "csv"), ("wuhai_indicators.stdl", "jsonl")])
def test_streamed_levels_are_the_python_ones(tmp_path, levels, spec, fmt):
    """Communities streamed from JSON Lines (each line with its own indicators), the levels above after."""
    python, duck = both(tmp_path, spec, levels, fmt)
    assert python == duck and len(python.splitlines()) > 40


@pytest.mark.parametrize("spec", ["complete_community.stdl", "wuhai_indicators.stdl"])
def test_bad_values_are_the_python_error_lines(tmp_path, levels, spec):
    """A text where a number belongs, a negative count, no member of the enum: the same problems,
    error verdicts and indicator errors, naming field and value as the Python path does."""
    rows = [json.loads(line) for line in open(next(p for p in levels if p.endswith("communities.jsonl")),
                                               encoding="utf-8")][:6]
    rows[1]["households"] = "many"
    rows[2]["kindergarten"] = {"classes": -3}
    rows[3]["kind"] = "castle"
    data = tmp_path / "communities.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    python, duck = both(tmp_path, spec, [str(data)], "jsonl")
    assert python == duck and b"found 'many'" in python


def test_parquet_rows_are_the_python_ones(tmp_path):
    import pyarrow.parquet as pq

    both(tmp_path, "wuhai_indicators.stdl", [CITY], "parquet")
    python, duck = (pq.read_table(tmp_path / f"{e}.parquet") for e in ("python", "duckdb"))
    assert python.schema == duck.schema
    assert python.to_pylist() == duck.to_pylist() and python.num_rows > 100


def test_a_broken_missing_column_is_caught(tmp_path, monkeypatch):
    monkeypatch.setattr(sql_explain, "dedup", lambda items: items)  # repeats kept
    python, duck = both(tmp_path, "complete_community.stdl", [CITY], "jsonl")
    assert python != duck


def test_the_text_summary_of_a_large_input_counts_in_duckdb(tmp_path, monkeypatch, capsys):
    from standardlang.cli import check as check_command

    spec = sl.load(SPECS / "complete_community.stdl")
    report = spec.evaluate(json.loads(open(CITY, encoding="utf-8").read()))
    monkeypatch.setattr(check_command, "MAX_DOCUMENT_RECORDS", 10)  # the 100 communities are "many"
    code = check(str(SPECS / "complete_community.stdl"), "--data", CITY, "--engine", "duckdb")
    text = capsys.readouterr().out
    assert code == 1 and "counted in DuckDB" in text
    for v in ("2.classes", "3.building_area"):
        counts = [sum(1 for x in report.verdicts if x.rule.id == v and x.status.value == s)
                  for s in ("pass", "fail", "unknown", "not_applicable", "error")]
        line = next(ln for ln in text.splitlines() if ln.startswith(v + " "))
        assert [int(w) for w in line.split()[2:7]] == counts
    from standardlang.reports import Options, render

    python_text = render([report], "text", Options())
    table = [ln for ln in text.splitlines() if ln.startswith(("summary", "shall (", "should (", "may ("))]
    assert len(table) == 4 and all(ln in python_text.splitlines() for ln in table)


def test_explanations_are_refused_on_the_stream(tmp_path, capsys):
    code = check(str(SPECS / "complete_community.stdl"), "--data", CITY, "--engine", "duckdb", "--format", "jsonl",
                 "-o", str(tmp_path / "x.jsonl"), "--explain", "failures")
    assert code == 2 and "--explain failures" in capsys.readouterr().err
