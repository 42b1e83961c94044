"""The engine's one path from statuses to verdicts (standardlang/engine/evaluate.py, program.py).

Calling an expression, ``.evaluate()`` and ``evaluate_many`` agree; bad data becomes an
``error`` (by validation, or by :class:`BadValue` without a schema) and nothing else
does: a bug propagates with the spec line it came from.
"""

from __future__ import annotations

import copy

import pytest

import standardlang as sl
from standardlang.backends.python import runtime
from standardlang.backends.python.runtime import BadValue
from standardlang.engine.evaluate import Verdict, status_of, statuses, verdict_function
from standardlang.status import Status

SPEC = sl.loads("""\
standard s "t" { source "tests" }
entity community { key id  id: text  households: count  area: m2  subdistrict: text }
entity subdistrict {
  key id
  id: text
  communities: list of community by subdistrict
}
goal 1 for community { rule 1 { require households >= 100 } rule 2 { require area >= 1 m2 } }
goal 2 for subdistrict { rule 3 { require count(communities where households >= 100) >= 1 } }
indicator 1 "big share" {
  预期性
  value for subdistrict = share(communities where households >= 100)
  target >= 50 %
}
""", "evaluate.stdl")


def test_call_and_evaluate_are_one_path():
    """Regression: households >= 100 on True gave fail through e(rec) and error through e.evaluate(rec)."""
    e = SPEC.expression("households >= 100")
    for record in ({"households": True}, {"households": 100}, {"households": 99}, {}, {"households": "many"}, "junk"):
        assert e(record).status is e.evaluate(record).status
        assert e.evaluate_many([record]) == [e.evaluate(record).status]
    assert e({"households": True}).status is Status.ERROR


def test_schemaless_call_evaluate_and_bulk_agree():
    e = sl.compile("x >= 1 and y.z < 3")
    records = [{"x": 1, "y": {"z": 2}}, {"x": 0}, {"x": "1"}, {"y": 5}, 7, None, {"x": True}, {}]
    assert e.evaluate_many(records) == [e(r).status for r in records] == [e.evaluate(r).status for r in records]
    assert e.evaluate_many(iter(records)) == e.evaluate_many(records)  # any iterable
    assert e.evaluate_many(records)[:4] == [Status.PASS, Status.FAIL, Status.ERROR, Status.ERROR]


def test_a_bad_field_the_expression_does_not_read_is_no_error():
    e = SPEC.expression("households >= 100")
    assert e({"households": 120, "area": "big"}).status is Status.PASS
    assert SPEC.expression("area")({"households": "x", "area": 2}).value == 2


def test_status_of_turns_bad_value_into_error_and_lets_bugs_through():
    def bad(record):
        raise BadValue("expected a number, found 'x'")

    def bug(record):
        raise KeyError("bug")

    assert status_of(bad, {}) is Status.ERROR
    with pytest.raises(KeyError):
        status_of(bug, {})
    with pytest.raises(KeyError):
        statuses(bug, [{}], None)
    assert statuses(bad, [{}, 5], None) == [Status.ERROR, Status.ERROR]


def test_verdict_function_builds_the_verdict_of_each_status():
    e = sl.compile("x >= 1")
    for status in (Status.PASS, Status.FAIL, Status.UNKNOWN, Status.NOT_APPLICABLE):
        v = verdict_function(lambda r, _s=status: _s, e.rule, e, None)({"x": 1})
        assert isinstance(v, Verdict) and v.status is status and v.record == {"x": 1} and v.record_id is None
        assert v.rule is e.rule and v.explain()
    assert verdict_function(lambda r: Status.PASS, e.rule, e, None)(3).status is Status.ERROR
    # a function that refuses non-records itself (guarded): its BadValue is the error verdict
    def refuses(record):
        if not isinstance(record, dict):
            raise BadValue("expected a record (object), found 3")
        return Status.PASS
    assert verdict_function(refuses, e.rule, e, None, guarded=True)(3).status is Status.ERROR
    assert statuses(refuses, [{}, 3], None, guarded=True) == [Status.PASS, Status.ERROR]


def test_a_verdict_made_by_hand_is_the_engines_verdict():
    e = sl.compile("x >= 1")
    v = Verdict(e.rule, Status.FAIL, {"x": 0}, e, "r1")
    w = e.evaluate({"x": 0})
    assert (v.status, v.rule, v.record, v.record_id) == (w.status, w.rule, w.record, "r1") and w.record_id is None
    assert v.explain().replace("  record r1", "") == w.explain() and v != w and v == v


def test_judge_with_either_backend_gives_the_same_verdicts():
    for record in ({"id": "a", "households": 100, "area": 0.5}, {"id": "b", "households": "x", "area": 2}, 9):
        compiled = SPEC.judge(record, "community")
        interpreted = SPEC.judge(record, "community", backend="interpreter")
        assert [v.status for v in compiled.verdicts] == [v.status for v in interpreted.verdicts]
    assert [v.status.value for v in SPEC.judge({"id": "b", "households": "x", "area": 2}, "community").verdicts] \
        == ["error", "pass"]


def test_a_bad_child_makes_the_parents_rule_and_indicator_an_error_not_a_crash():
    data = {"community": [{"id": "c1", "subdistrict": "s", "households": 150},
                          {"id": "c2", "subdistrict": "s", "households": "many"}],
            "subdistrict": [{"id": "s"}]}
    report = SPEC.evaluate(data)
    s = report.record("s")
    assert s.verdict("3").status is Status.ERROR
    (ind,) = [i for i in report.indicators if i.entity == "subdistrict"]
    assert ind.status is Status.ERROR and "communities[1].households" in ind.error
    assert report.record("c1").verdict("1").status is Status.PASS
    # a bad field the parent does not read leaves it alone
    data["community"][1] = {"id": "c2", "subdistrict": "s", "households": 90, "area": "big"}
    report = SPEC.evaluate(data)
    assert report.record("s").verdict("3").status is Status.PASS
    assert [i.status for i in report.indicators if i.entity == "subdistrict"] == [Status.PASS]


def test_spec_statuses_match_judge():
    records = [{"id": "a", "households": 100}, {"id": "b", "households": "x"}, {"id": "c"}]
    assert SPEC.statuses(records, "1") == [SPEC.judge(r, "community").verdict("1").status for r in records]


def test_a_bug_in_generated_code_propagates_with_the_spec_line(monkeypatch):
    def broken(*args):
        raise RuntimeError("sabotaged helper")

    spec = sl.loads("""\
standard s "t" { source "tests" }
entity community { key id  id: text  rooms: list { area: m2 } }
goal 1 for community { rule 1 { require sum(rooms.area) >= 10 m2 } }
""", "bug.stdl")
    monkeypatch.setattr(runtime, "aggregate", broken)  # sum goes through it (count/any/all are inline)
    with pytest.raises(RuntimeError) as info:
        spec.judge({"id": "s", "rooms": [{"area": 12}]}, "community")
    assert any("rule 1 — bug.stdl:3" in n for n in getattr(info.value, "__notes__", [])), info.value
    expr = sl.compile("sum(rooms.area) >= 10")  # no schema: the verdict function's own try
    with pytest.raises(RuntimeError) as info:
        expr.evaluate({"rooms": [{"area": 12}]})
    assert info.value.__notes__ == ["in generated code for rule expr — <expr>:1"]
    with pytest.raises(RuntimeError) as info:  # many records: the bulk path's try
        expr.evaluate_many([{"rooms": [{"area": 12}]}])
    assert info.value.__notes__ == ["in generated code for rule expr — <expr>:1"]


def test_stats_count_what_was_compiled():
    stats = SPEC.stats()
    assert stats["rules"] == 3 and stats["values"] == 1 and stats["interpreted"] == []
    assert stats["compiled"] == stats["functions"] >= 4


def test_spec_expression_on_a_bool_area_is_an_error():
    """Regression: Spec.expression did not validate its record (a bool area failed instead of erroring)."""
    assert SPEC.expression("area >= 2200 m2").evaluate({"area": True}).status == "error"


def test_present_of_a_definition_and_of_a_nested_field():
    spec = sl.load("tests/golden/python/small.stdl")
    big = spec.expression("present(big)")
    assert big({"households": 5}).status is Status.PASS and big({}).status is Status.FAIL
    classes = spec.expression("present(kindergarten.classes)")
    assert classes({"kindergarten": {"classes": 3}}).status is Status.PASS
    assert classes({"kindergarten": {}}).status is Status.FAIL
    # the kindergarten itself not recorded: unknown; written absent (null): fail (issue 11 §2)
    assert classes({}).status is Status.UNKNOWN and classes({"kindergarten": None}).status is Status.FAIL


@pytest.mark.parametrize("text", ["x >= 1", "1 < 2", "count(xs where y > 1) >= 1 or x == 2"])
def test_a_schemaless_rule_refuses_what_is_not_a_record(text):
    """The compiled function tests the record itself (Compiler(guard=True)); the engine then skips the test."""
    from collections import OrderedDict

    e = sl.compile(text)
    assert "raise _rt.not_a_record(_r)" in e.python_source()
    bad = [3, "x", None, [{"x": 5}], ({"x": 5},)]
    for record in bad:
        assert e(record).status is Status.ERROR and e.evaluate(record).status is Status.ERROR
    assert e.evaluate_many(bad) == [Status.ERROR] * len(bad)
    good = OrderedDict(x=5, xs=[{"y": 2}])  # a dict of another class is a record
    assert e(good).status is Status.PASS and e.evaluate_many([good, 3]) == [Status.PASS, Status.ERROR]


def test_evaluate_reads_the_callers_records_and_changes_none():
    """spec.evaluate judges the caller's own records (no copy) where linking does not write to them;
    a parent, which linking gives its children, is a copy: the caller's data is never changed."""
    communities = [{"id": "a", "households": 120, "area": 2, "subdistrict": "s"},
                   {"id": "b", "households": 80, "area": 2, "subdistrict": "s"}]
    subdistrict = {"id": "s"}
    before = copy.deepcopy([communities, subdistrict])
    report = SPEC.evaluate({"community": communities, "subdistrict": [subdistrict]})
    by_id = {r.record_id: r for r in report.results}
    assert by_id["a"].record is communities[0] and by_id["b"].record is communities[1]
    assert by_id["s"].record is not subdistrict and len(by_id["s"].record["communities"]) == 2
    assert [communities, subdistrict] == before
    assert by_id["s"].statuses == (Status.PASS,) and SPEC.inventory(communities, "community").records[
        "community"][0] is not communities[0]  # Spec.inventory copies (planning changes its records)
