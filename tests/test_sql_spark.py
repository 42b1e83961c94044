"""The SQL back end on Spark (local mode): the Python path's verdicts, from Spark SQL.

One local SparkSession (``local[2]``, two shuffle partitions, no UI) serves every test of
this module: starting one costs seconds, a query much less.  Where Java is absent the tests
skip and say how to install it.  Spark has one NULL (a missing key and ``null`` read alike,
as *absent*), so the records given to both paths here have every field written (``None``
where a generated record left it out): the same data on both sides.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import servers

pytest.importorskip("pyspark", reason="the Spark tests need pyspark: pip install -e '.[test]'")
pytest.importorskip("sqlglot", reason="the Spark tests need sqlglot: pip install -e '.[test]'")

import standardlang as sl  # noqa: E402
from standardlang.backends.sql import dialects  # noqa: E402
from standardlang.backends.sql.api import evaluate_table  # noqa: E402
from standardlang.backends.sql.spark_engine import SparkRun  # noqa: E402
from standardlang.cli.sql_engine import indicator_value  # noqa: E402
from standardlang.lang.parser import parse_expression  # noqa: E402

import strategies as S  # noqa: E402
from conftest import ROOT, SPECS  # noqa: E402

CITY = ROOT / "examples" / "wuhai" / "inventory.json"


@pytest.fixture(scope="session")
def spark():
    if not servers.java_available():
        pytest.skip(servers.INSTALL_JAVA)
    session = servers.spark_session()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def filled(records: list) -> list:
    """The records with every field any record at the same place has (None where one lacks it)."""
    keys: dict = {}

    def learn(value, tree):
        if isinstance(value, dict):
            for k, v in value.items():
                learn(v, tree.setdefault(k, {}))
        elif isinstance(value, list):
            for v in value:
                learn(v, tree.setdefault("[]", {}))

    def fill(value, tree):
        if isinstance(value, dict):
            return {k: fill(value.get(k), sub) for k, sub in tree.items()}
        if isinstance(value, list):
            return [fill(v, tree.get("[]", {})) for v in value]
        return value

    root: dict = {}
    for r in records:
        learn(r, root)
    return [fill(r, root) for r in records]


def python_results(spec, data, entity=None):
    rep = spec.evaluate(data, entity=entity)
    out, seen = {}, {}
    for rr in rep.results:
        i = seen[rr.entity] = seen.get(rr.entity, -1) + 1
        for v in rr.verdicts:
            out[(rr.entity, i, v.rule.id)] = (v.status.value, None)
    counters: dict = {}
    for r in rep.indicators:
        k = (r.indicator.id, r.entity)
        i = counters[k] = counters.get(k, -1) + 1
        out[(r.entity, i, r.indicator.id)] = (r.status.value, r.value)
    return out


def engine_results(run, spec):
    out = {}
    for ent in run.entities():
        for i, row in enumerate(run.table(ent).to_pylist()):
            for r in spec.checked.rules:
                if r.entity == ent:
                    out[(ent, i, r.id)] = (row[r.id], None)
            for ind in spec.checked.indicators:
                if ind.value_for(ent) is not None:
                    out[(ent, i, ind.id)] = (row[ind.id], indicator_value(row, ind.id))
    return out


def mismatches(spec, spark, source, data, entity=None):
    run = SparkRun(spec, spark)
    try:
        run.add(source, entity)
        got = engine_results(run, spec)
    finally:
        run.close()
    want = python_results(spec, data, entity)
    assert set(got) == set(want), "Spark judged other records or rules"
    return [(k, want[k], got[k]) for k in want if want[k] != got[k]]


def city() -> dict:
    data = json.loads(CITY.read_text(encoding="utf-8"))
    return {k: filled(v) if isinstance(v, list) else v for k, v in data.items()}


@pytest.mark.parametrize("name", ["wuhai_indicators.stdl"])  # complete_community: the check test below
def test_example_city_every_verdict_and_value(spark, name):
    spec = sl.load(SPECS / name)
    data = city()
    assert mismatches(spec, spark, data, data) == []


def test_parquet_file_and_check_command(spark, tmp_path):
    """A Parquet file written by Spark, judged by ``check --engine spark``: Python's JSON report."""
    from standardlang.cli import main

    communities = city()["communities"]
    jsonl = tmp_path / "communities.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in communities), encoding="utf-8")
    spark.read.json(str(jsonl)).write.parquet(str(tmp_path / "communities.parquet"))
    spec = str(SPECS / "complete_community.stdl")
    outs = []
    for args in (["--data", str(jsonl)], ["--engine", "spark", "--data", str(tmp_path / "communities.parquet")]):
        out = tmp_path / "report.json"
        code = main(["check", spec, *args, "--format", "json", "-o", str(out)])
        report = json.loads(out.read_text(encoding="utf-8"))
        for rep in report["reports"]:
            rep.pop("files"), rep.pop("warnings")
            for result in rep["results"]:
                result.pop("source")
        outs.append((code, report))
    assert outs[0] == outs[1]


REGRESSIONS = [
    ("count(shops where area >= 50 m2) >= 2", {"shops": [{"area": 60}, {"area": 80}, {"area": None}]}),
    ("share(shops where open) >= 50 %", {"shops": [{"open": True}, {"open": False}]}),
    ("avg(shops.area) == 50 m2 / 3", {"shops": [{"area": 50}, {"area": 0}, {"area": 0}]}),
    ("rooms contains all {hall, 警务室} and kind in {new, 既有}", {"rooms": ["大厅", "police"], "kind": "既有"}),
]


def test_regressions_in_one_query(spark):
    for text, record in REGRESSIONS:
        spec = sl.loads(S.spec_text(S.condition_spec([parse_expression(text)])))
        assert mismatches(spec, spark, [record], [record], "site") == [], text


def test_a_broken_lowering_is_caught(spark, monkeypatch):
    """Count every element, known or not: the example city's verdicts no longer agree."""
    monkeypatch.setattr(dialects.SparkLowering, "f_list_count", lambda self, items: exp_size(self(items)))
    spec = sl.load(SPECS / "complete_community.stdl")
    data = city()
    assert mismatches(spec, spark, data, data)


def exp_size(items):
    from sqlglot import exp

    return exp.Anonymous(this="array_size", expressions=[items])


def test_bad_values_and_a_missing_column(spark):
    """A value of the wrong kind, one that is no number, a bad member, a missing column."""
    spec = sl.load(SPECS / "complete_community.stdl")
    data = city()["communities"][:6]
    for r in data:  # a Spark column has one type: text throughout
        r["households"] = str(r["households"])  # a column of the wrong type
        if r["kindergarten"] is not None:
            r["kindergarten"]["building_area"] = str(r["kindergarten"]["building_area"])
        r.pop("total_building_area")  # a missing column
    data[0]["households"] = "many"
    data[1]["kindergarten"]["building_area"] = "2200 平方米x"
    data[2]["kind"] = "nonsense"
    assert mismatches(spec, spark, data, data, "community") == []
    rows = evaluate_table(spec, data, engine="spark", connection=spark).to_pylist()
    assert any("households" in p and "many" in p for p in rows[0]["problems"])


def test_missing_java_is_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(tmp_path)  # no java on it
    p = subprocess.run([sys.executable, "-m", "standardlang", "check", str(SPECS / "complete_community.stdl"),
                        "--engine", "spark", "--data", str(CITY)], capture_output=True, text=True, cwd=ROOT, env=env)
    assert p.returncode == 3, p.stderr
    assert "Traceback" not in p.stderr and p.stderr.strip().count("\n") == 0, p.stderr
    assert "default-jre-headless" in p.stderr


def test_not_recorded_is_refused_not_judged_absent(spark, tmp_path):
    """A JSON record that leaves a facility out (not recorded) is refused with one line naming it:
    Spark would read the missing key as null (absent) and fail rules the data do not decide."""
    from standardlang.cli import main
    from standardlang.errors import DataError

    spec = sl.load(SPECS / "complete_community.stdl")
    records = city()["communities"][:3]
    records[1] = {k: v for k, v in records[1].items() if k != "kindergarten"}
    run = SparkRun(spec, spark)
    try:
        with pytest.raises(DataError, match=r"record 2 leaves out `kindergarten` \(not recorded\)"):
            run.add(records, "community")
    finally:
        run.close()
    jsonl = tmp_path / "communities.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "report.json"
    code = main(["check", str(SPECS / "complete_community.stdl"), "--engine", "spark", "--data", str(jsonl),
                 "--format", "json", "-o", str(out)])
    assert code == 3 and not out.exists()
