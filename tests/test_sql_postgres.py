"""The SQL back end on PostgreSQL: a throwaway server, started and stopped by the tests.

The server is a cluster of its own (``initdb`` + ``pg_ctl`` in a temporary directory, on
127.0.0.1, see ``tests/servers.py``), shared by the tests of this module and stopped at the
end.  Where the server binaries are absent the tests skip and say how to install them.
"""

from __future__ import annotations

import os

import pytest

import servers

psycopg = pytest.importorskip("psycopg", reason="the PostgreSQL tests need psycopg: pip install -e '.[test]'")


@pytest.fixture(scope="session")
def pg_server():
    bindir = servers.postgres_binaries()
    if bindir is None:
        pytest.skip(servers.INSTALL_POSTGRES)
    server = servers.PostgresServer(bindir)
    try:
        yield server
    finally:
        server.stop()


def test_the_throwaway_server_starts_answers_and_stops():
    """A second server of its own: it answers on loopback, and stopping it removes every file."""
    bindir = servers.postgres_binaries()
    if bindir is None:
        pytest.skip(servers.INSTALL_POSTGRES)
    server = servers.PostgresServer(bindir)
    try:
        with psycopg.connect(server.dsn, connect_timeout=10) as con:
            assert con.execute("SELECT inet_server_addr()::text, current_setting('port')").fetchone() == \
                ("127.0.0.1/32", str(server.port))
    finally:
        server.stop()
    assert not os.path.exists(server.root)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.dsn, connect_timeout=3)


# ====================================================================== judging on the server
# (below: the SQL back end; the server fixture above stands alone)

pytest.importorskip("sqlglot", reason="the SQL tests need the sql extra: pip install -e '.[test]'")

import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

from hypothesis import HealthCheck, Phase, example, given, reject, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from sqlglot import exp  # noqa: E402

import standardlang as sl  # noqa: E402
from standardlang.backends.sql import numbers as sql_numbers  # noqa: E402
from standardlang.backends.sql import postgres_lowering  # noqa: E402
from standardlang.backends.sql.api import evaluate_table  # noqa: E402
from standardlang.backends.sql.postgres_engine import PostgresRun, load_records  # noqa: E402
from standardlang.backends.sql.values import SQLCompileError  # noqa: E402
from standardlang.data.inventory import collection_names  # noqa: E402
from standardlang.lang.parser import parse_expression  # noqa: E402
from standardlang.tools.formatter import format_spec  # noqa: E402

import strategies as S  # noqa: E402
from conftest import ROOT, SPECS  # noqa: E402
from sql_helpers import BOUNDARY, judged  # noqa: E402

GENERATED = 8 if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci" else settings.default.max_examples
CITY = ROOT / "examples" / "wuhai" / "inventory.json"
SPEC_FILES = ["complete_community.stdl", "wuhai_indicators.stdl", "wuhai_public_services.stdl"]


def city() -> dict:
    return json.loads(CITY.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def pg(pg_server):
    """A connection to the throwaway server, the example city loaded as tables (one per collection)."""
    con = psycopg.connect(pg_server.dsn, autocommit=True)
    for name, records in city().items():
        if not name.startswith("$"):
            load_records(con, name, records)
    yield con
    con.close()


def mismatches(spec, con, source, data, entity=None):
    return judged(PostgresRun(spec, con), spec, source, data, entity)


def city_tables(spec):
    names = collection_names(spec.checked.entities)
    return [(name, names[name]) for name in city() if name in names]


@pytest.mark.parametrize("name", SPEC_FILES)
def test_example_city_tables_every_verdict_and_value(pg, name):
    """The example city as tables in the server: every verdict and indicator value is Python's."""
    spec = sl.load(SPECS / name)
    assert mismatches(spec, pg, city_tables(spec), city()) == []


def test_check_on_postgres_writes_the_python_report(pg, pg_server, tmp_path):
    """``check --engine postgres --dsn ...`` finds the tables by their collection names."""
    from standardlang.cli import main

    spec = str(SPECS / "complete_community.stdl")
    outs = []
    for args in (["--data", str(CITY)], ["--engine", "postgres", "--dsn", pg_server.dsn]):
        out = tmp_path / "report.json"
        code = main(["check", spec, *args, "--format", "json", "-o", str(out)])
        report = json.loads(out.read_text(encoding="utf-8"))
        for rep in report["reports"]:  # a file, its line and its other collections on one side; tables on the other
            rep.pop("files"), rep.pop("warnings")
            for result in rep["results"]:
                result.pop("source")
        outs.append((code, report))
    assert outs[0] == outs[1]


def test_evaluate_table_on_postgres(pg):
    spec = sl.load(SPECS / "complete_community.stdl")
    table = evaluate_table(spec, "communities", engine="postgres", connection=pg)
    data = city()["communities"]
    assert table.num_rows == len(data)
    assert table.column("record").to_pylist() == [r["id"] for r in data]


# ====================================================================== generated specs


def check_generated(pg, spec_ast, records):
    """The differential property: a spec and records give the Python path's verdicts and values on PostgreSQL."""
    spec = sl.loads(format_spec(spec_ast), "<generated>")
    try:
        found = mismatches(spec, pg, records, records, "site")
    except SQLCompileError as exc:  # the one documented gap (docs/sql.md): not a wrong verdict
        assert "quotients" in str(exc)
        reject()
    assert not found, found[:5]


def _property(phases=None):
    """The Hypothesis property (``phases`` given: e.g. without shrinking, for a sabotaged compiler)."""
    extra = {} if phases is None else {"phases": phases}
    return settings(max_examples=GENERATED, deadline=None, suppress_health_check=list(HealthCheck), **extra)(
        example(*BOUNDARY)(given(S.specs(max_rules=3, max_values=2),
                                 st.lists(S.records(), min_size=1, max_size=6))(check_generated)))


test_generated_specs_agree_with_python = _property()


def test_a_broken_compiler_is_caught_by_the_property(pg, monkeypatch):
    """Render ``>=`` as ``>``: the differential property turns red on PostgreSQL."""
    monkeypatch.setitem(sql_numbers._CMP, ">=", exp.GT)
    with pytest.raises(AssertionError, match=r"\('site', 0, 'r1'\), \('pass', None\), \('fail', None\)"):
        _property(phases=[Phase.explicit, Phase.generate])(pg)  # no shrinking: finding it is the point


REGRESSIONS = [
    ("count(shops where area >= 50 m2) >= 2", {"shops": [{"area": 60}, {"area": 80}, {}]}),
    ("sum(shops.area) >= 100 m2 and all(units where n > 1)", {"shops": [{"area": 60.1}, {"area": 39.9}], "units": []}),
    ("share(shops where open) >= 50 %", {"shops": [{"open": True}, {"open": False}]}),
    ("avg(shops.area) == 50 m2 / 3", {"shops": [{"area": 50}, {"area": 0}, {"area": 0}]}),
    ("rooms contains all {hall, 警务室} and kind in {new, 既有}", {"rooms": ["大厅", "police"], "kind": "既有"}),
    ("present(plot.area)", {"plot": {}, "rooms": []}),
    # present(a.b) with a optional: unknown when a is not recorded, false when a is absent (issue 11 §2)
    ("present(school.area) or floors > 1", {"floors": 0}),
    ("present(school.area) or floors > 1", {"floors": 0, "school": None}),
]


@pytest.mark.parametrize("text,record", REGRESSIONS)
def test_regressions(pg, text, record):
    spec = sl.loads(S.spec_text(S.condition_spec([parse_expression(text)])))
    assert mismatches(spec, pg, [record], [record], "site") == []


def test_a_broken_lowering_is_caught(pg, monkeypatch):
    """Count every element, known or not: the example city's verdicts no longer agree."""
    spec = sl.load(SPECS / "complete_community.stdl")
    monkeypatch.setattr(postgres_lowering.PostgresLowering, "f_list_count",
                        lambda self, items: self._aggregate(items, "COUNT(*)"))
    assert mismatches(spec, pg, city_tables(spec), city())


# ====================================================================== hostile and bad input

HOSTILE = "x'); DROP TABLE canary; --\"\\"


def test_hostile_names_and_values_cannot_inject_sql(pg):
    text = S.SCHEMA_TEXT.replace('"地块"', json.dumps(HOSTILE)) + (
        '\ngoal g "t" for site {\n  rule r1 ' + json.dumps(HOSTILE) + ' {\n'
        '    cite ' + json.dumps(HOSTILE) + '\n    require id != ' + json.dumps(HOSTILE) + '\n  }\n}\n')
    spec = sl.loads(text)
    pg.execute("CREATE TABLE IF NOT EXISTS canary AS SELECT 1 AS x")
    records = [{"id": HOSTILE, HOSTILE: HOSTILE}, {"id": "ok"}]
    assert mismatches(spec, pg, records, records, "site") == []
    load_records(pg, HOSTILE, records)
    assert mismatches(spec, pg, [(HOSTILE, "site")], records) == []
    assert pg.execute("SELECT x FROM canary").fetchall() == [(1,)]


def test_bad_values_give_the_python_error_verdicts(pg):
    """A value of the wrong kind, one that is no number, a bad member, a missing column."""
    spec = sl.load(SPECS / "complete_community.stdl")
    data = city()["communities"][:6]
    data[0]["households"] = "many"  # a column of mixed kinds: jsonb, value by value
    data[1]["kindergarten"]["building_area"] = "2200 平方米x"
    data[2]["kind"] = "nonsense"
    data[3]["convenience_stores"] = [{"building_area": -5}]
    del data[4]["total_building_area"]
    assert mismatches(spec, pg, data, data, "community") == []
    rows = evaluate_table(spec, data, engine="postgres", connection=pg).to_pylist()
    assert any("households" in p and "many" in p for p in rows[0]["problems"])
    assert "error" in rows[0].values() and "error" not in rows[5].values()


def test_a_column_of_the_wrong_type(pg):
    """households as text throughout, total_building_area missing: Python's verdicts, no exception."""
    spec = sl.load(SPECS / "complete_community.stdl")
    data = city()["communities"][:5]
    for r in data:
        r["households"] = str(r["households"])
        r.pop("total_building_area", None)
    pg.execute("DROP TABLE IF EXISTS wrong_types")
    load_records(pg, "wrong_types", data)
    assert pg.execute("SELECT data_type FROM information_schema.columns WHERE table_name = 'wrong_types' "
                      "AND column_name = 'households'").fetchone() == ("text",)
    assert mismatches(spec, pg, [("wrong_types", "community")], data) == []


def test_unreachable_database_is_one_line(pg_server):
    dsn = f"host=127.0.0.1 port={servers.free_port()} user=nobody dbname=none connect_timeout=3"
    p = subprocess.run([sys.executable, "-m", "standardlang", "check", str(SPECS / "complete_community.stdl"),
                        "--engine", "postgres", "--dsn", dsn], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 3, p.stderr
    assert "Traceback" not in p.stderr and p.stderr.strip().count("\n") == 0, p.stderr
    assert "cannot connect to PostgreSQL" in p.stderr


def test_missing_table_is_one_line(pg_server):
    p = subprocess.run([sys.executable, "-m", "standardlang", "check", str(SPECS / "complete_community.stdl"),
                        "--engine", "postgres", "--dsn", pg_server.dsn, "--table", "no_such_table"],
                       capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 3, p.stderr
    assert "Traceback" not in p.stderr and p.stderr.strip().count("\n") == 0, p.stderr
