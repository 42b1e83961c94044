"""DuckDB's faster forms give the same verdicts: typed list columns, set tests, row positions.

* the set tests of the SQL compiler read a typed list of text as written, looking for each
  member's spellings (``compiler._spelled``): the same verdicts as the Python path for labels,
  names, NULL elements, stray values, empty and NULL lists, in a record and in a list of records;
* :mod:`standardlang.backends.sql.duckdb_rewrites` keeps the value of every set test it rewrites,
  NULLs included, and leaves no ``list_has_all`` / constant ``list_contains`` where it applies;
* a Parquet file's rows are numbered by the file (no window: the query stays parallel).

Each is shown to catch a broken rewrite (the sabotage tests).
"""

from __future__ import annotations

import pytest

pytest.importorskip("duckdb", reason="the SQL tests need the sql extra: pip install -e '.[sql]'")
pytest.importorskip("sqlglot", reason="the SQL tests need the sql extra: pip install -e '.[sql]'")
pa = pytest.importorskip("pyarrow", reason="the typed-column tests need pyarrow: pip install -e '.[test]'")

from sqlglot import exp  # noqa: E402

import standardlang as sl  # noqa: E402
from standardlang.backends.sql import compiler as sql_compiler  # noqa: E402
from standardlang.backends.sql import duckdb_rewrites  # noqa: E402
from standardlang.backends.sql.duckdb_engine import DuckDBRun, connect  # noqa: E402
from standardlang.backends.sql.values import call, lit  # noqa: E402

from sql_helpers import judged  # noqa: E402

SPEC = """
standard sets "set tests" {
  source "test"
}

entity site {
  key id
  id: text
  rooms?: set {hall "服务大厅", police "警务室", office "办公室"}
  shops?: list {
    goods?: set {fruit "水果", veg "蔬菜"}
  }
}

goal g "sets" for site {
  rule all_rooms "all" { require rooms contains all {hall, police} }
  rule any_room "any" { require rooms contains any {警务室, office} }
  rule one_room "one" { require rooms contains hall }
  rule fruit_somewhere "in a list of records" { require any(goods contains fruit for shops) }
  rule both_everywhere "all of a list of records" { require all(goods contains all {fruit, veg} for shops) }
}
"""

ROOMS = [["hall", "police"], ["服务大厅", "警务室"], ["hall"], [], None, ["hall", None], [None], ["police", "办公室"],
         ["hall", "police", "kitchen"], ["警务室", None, "hall"]]
GOODS = [[{"goods": ["fruit", "veg"]}], [{"goods": ["水果"]}, {"goods": ["蔬菜", "fruit"]}], [], None,
         [{"goods": None}], [{"goods": [None, "veg"]}], [{"goods": ["apple"]}], [{"goods": []}, {"goods": ["水果", "蔬菜"]}],
         [{"goods": ["fruit"]}, {}], [{"goods": ["veg", "水果"]}]]


def _records():
    out = []
    for i, rooms in enumerate(ROOMS):
        r = {"id": f"s{i}", "rooms": rooms, "shops": GOODS[i]}
        out.append(r)
    return out


def _table(records):
    # typed columns: VARCHAR[] and STRUCT(goods VARCHAR[])[]; a NULL is absent there (docs/sql.md)
    schema = pa.schema([("id", pa.string()), ("rooms", pa.list_(pa.string())),
                        ("shops", pa.list_(pa.struct([("goods", pa.list_(pa.string()))])))])
    return pa.Table.from_pylist(records, schema=schema)


def _absent(records):
    """The records as the typed columns hold them: NULL is absent, a missing key too."""
    return [{"id": r["id"], "rooms": r["rooms"],
             "shops": None if r["shops"] is None else [{"goods": s.get("goods")} for s in r["shops"]]} for r in records]


def _typed_run() -> DuckDBRun:
    """The test spec on a DuckDB run with the records as typed Arrow columns."""
    run = DuckDBRun(sl.loads(SPEC, "<sets>"), connect())
    run.add(_table(_records()), "site")
    return run


def test_set_tests_on_typed_lists_give_the_python_verdicts():
    spec = sl.loads(SPEC, "<sets>")
    records = _records()
    assert judged(DuckDBRun(spec, connect()), spec, _table(records), _absent(records), "site") == []


def test_the_typed_lists_take_the_spelled_path(monkeypatch):
    """The set tests above are compiled by looking for spellings (else the test would not guard it)."""
    run = _typed_run()
    sql = run.query("site")
    assert "'警务室'" in sql and "'服务大厅'" in sql  # the labels are looked for in the list as written
    calls = []
    real = sql_compiler._spelled
    monkeypatch.setattr(sql_compiler, "_spelled", lambda *a: calls.append(a) or real(*a))
    run.query("site")
    assert len(calls) == 5
    run.close()


@pytest.mark.parametrize("sabotage", ["all_as_any", "holes_ignored", "labels_forgotten"])
def test_a_broken_spelled_test_is_caught(monkeypatch, sabotage):
    real_any = sql_compiler.lists.has_any
    if sabotage == "all_as_any":
        monkeypatch.setattr(sql_compiler.exp, "and_", sql_compiler.exp.or_)
    elif sabotage == "holes_ignored":
        monkeypatch.setattr(sql_compiler.lists, "known", sql_compiler.lists.length)
    else:  # only a member's name is looked for
        monkeypatch.setattr(sql_compiler.lists, "has_any",
                            lambda items, wanted: real_any(items, exp.Array(expressions=[
                                x for x in wanted.expressions if x.name.isascii()] or [lit("?")])))
    spec = sl.loads(SPEC, "<sets>")
    records = _records()
    assert judged(DuckDBRun(spec, connect()), spec, _table(records), _absent(records), "site") != []


# ---------------------------------------------------------------- the rewrites, value by value

LISTS = ["NULL", "[]", "['a']", "['a', NULL]", "['x']", "[NULL]", "['a', 'b']", "['b', 'x', 'a']", "['c']"]
WANTED = exp.Array(expressions=[lit("a"), lit("b")])
KNOWN = exp.Array(expressions=[lit("a"), lit("b"), lit("c")])


def _tests():
    col = exp.column("xs")
    return {
        "has_all": call("list_has_all", col, WANTED.copy()),
        "has_any": call("list_has_any", col, WANTED.copy()),
        "valid": call("list_has_all", KNOWN.copy(), col),
        "member": call("list_contains", KNOWN.copy(), call("list_extract", col, lit(1))),
        "member_of_column": call("list_contains", KNOWN.copy(), exp.column("x")),
        "in": exp.In(this=exp.column("x"), expressions=[lit(k) for k in "abcdef"]),
        # where only a true test counts (a WHEN; coalesce(.., false)), a NULL value may test false
        "member_in_when": exp.Case(ifs=[exp.If(this=call("list_contains", KNOWN.copy(), call(
            "list_extract", col, lit(1))), true=lit("y"))], default=lit("n")),
        "member_in_coalesce": call("coalesce", call("list_contains", KNOWN.copy(), call(
            "list_extract", col, lit(1))), exp.false()),
    }


def _values(tests: dict, rewrite) -> list:
    con = connect()
    rows = " UNION ALL ".join(f"SELECT {i} AS i, CAST({xs} AS VARCHAR[]) AS xs, CAST({xs} AS VARCHAR[])[1] AS x"
                              for i, xs in enumerate(LISTS))
    cols = ", ".join(rewrite(e).sql("duckdb") + f' AS "{k}"' for k, e in tests.items())
    return con.sql(f"SELECT {cols} FROM ({rows}) ORDER BY i").fetchall()


def test_rewritten_set_tests_keep_their_values():
    before = _values(_tests(), lambda e: e)
    after = _values(_tests(), duckdb_rewrites.faster)
    assert before == after
    # and they were rewritten: no hash set per row, no IN the optimizer turns into a join
    text = {k: duckdb_rewrites.faster(e).sql("duckdb").upper() for k, e in _tests().items()}
    assert not any("LIST_HAS_ALL" in t or "LIST_HAS_ANY" in t for t in text.values())
    assert "LIST_CONTAINS" not in text["member_of_column"]
    assert "LIST_CONTAINS" in text["member"]  # not a column: read once, left as it was
    assert " IN " not in text["in"]
    assert "LIST_CONTAINS" not in text["member_in_when"] and "LIST_CONTAINS" not in text["member_in_coalesce"]


@pytest.mark.parametrize("sabotage", ["or_for_and", "no_null_guard", "null_element_stray", "truth_only_everywhere"])
def test_a_broken_rewrite_is_caught(monkeypatch, sabotage):
    before = _values(_tests(), lambda e: e)
    if sabotage == "or_for_and":
        monkeypatch.setattr(duckdb_rewrites.exp, "and_", duckdb_rewrites.exp.or_)
    elif sabotage == "no_null_guard":  # a NULL value is "not a member" instead of unknown
        monkeypatch.setattr(duckdb_rewrites, "_member", lambda e: exp.Not(this=exp.Is(
            this=call("list_position", *e.expressions), expression=exp.Null())) if duckdb_rewrites._constants(
                e.expressions[0]) else e)
    elif sabotage == "truth_only_everywhere":  # a member test whose NULL matters read as false
        monkeypatch.setattr(duckdb_rewrites, "_truth_only", lambda e: True)
    else:  # a NULL element counted as a stray value (list_position finds no NULL: NOT ... IS NULL is false)
        monkeypatch.setattr(duckdb_rewrites, "_listed", lambda items, v: exp.Not(this=exp.Is(
            this=call("list_position", items, v), expression=exp.Null())))
    assert _values(_tests(), duckdb_rewrites.faster) != before


# ---------------------------------------------------------------- row positions from Parquet

def test_a_parquet_file_numbers_its_rows(tmp_path):
    spec = sl.loads(SPEC, "<sets>")
    con = connect()
    records = _records()
    path = tmp_path / "sites.parquet"
    con.register("t", _table(records))
    con.execute(f"COPY t TO {lit(str(path)).sql('duckdb')} (FORMAT parquet)")
    run = DuckDBRun(spec, con)
    run.add(str(path), "site")
    sql = run.query("site")
    assert "ROW_NUMBER" not in sql.upper()  # the file's row numbers: DuckDB keeps the scan parallel
    rows = run.table("site").to_pylist()
    assert [r["_row"] for r in rows] == list(range(1, len(records) + 1))
    assert [r["record"] for r in rows] == [r["id"] for r in records]
    assert "_sl_row" not in run.records("site")[0]
    # a file with a column of that name is numbered by the window, its column kept as data
    odd = tmp_path / "odd.parquet"
    con.execute(f"COPY (SELECT *, 7 AS file_row_number FROM t) TO {lit(str(odd)).sql('duckdb')} (FORMAT parquet)")
    run2 = DuckDBRun(spec, con)
    run2.add(str(odd), "site")
    assert "ROW_NUMBER" in run2.query("site").upper()
    assert [r["_row"] for r in run2.table("site").to_pylist()] == list(range(1, len(records) + 1))
    assert judged(DuckDBRun(spec, connect()), spec, str(path), _absent(records), "site") == []


# ---------------------------------------------------------------- statuses as an ENUM

def test_statuses_are_an_enum_read_as_their_words(tmp_path):
    import pyarrow.parquet as pq

    from standardlang.status import Status

    run = _typed_run()
    table = run.table("site")
    statuses = {s.value for s in Status}
    for rule in ("all_rooms", "any_room", "fruit_somewhere"):
        assert pa.types.is_dictionary(table.schema.field(rule).type)
        assert set(table.column(rule).to_pylist()) <= statuses
    out = tmp_path / "verdicts.parquet"
    run.con.execute(f"COPY ({run.query('site')}) TO {lit(str(out)).sql('duckdb')} (FORMAT parquet)")
    back = pq.read_table(out)
    assert back.column("all_rooms").to_pylist() == table.column("all_rooms").to_pylist()
    assert "error" in back.column("all_rooms").to_pylist()  # the stray room is an error verdict
    run.close()


def test_indicator_values_stay_exact_decimals():
    from fractions import Fraction

    from conftest import ROOT, SPECS
    from standardlang.cli.sql_engine import indicator_value

    spec = sl.load(SPECS / "wuhai_indicators.stdl")
    run = DuckDBRun(spec, connect())
    run.add(str(ROOT / "examples" / "wuhai" / "inventory.json"))
    table = run.table("community")
    assert pa.types.is_decimal(table.schema.field("2.low").type) and pa.types.is_decimal(table.schema.field("2.den").type)
    values = [indicator_value(r, "2") for r in table.to_pylist()]
    assert any(isinstance(v, Fraction) and v.denominator != 1 for v in values)  # exact, not rounded
    run.close()
