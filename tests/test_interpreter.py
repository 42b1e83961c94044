"""The reference interpreter: a tree walk over the checked IR, the oracle of the compiler.

Its verdicts (:func:`rule_status`), the missing fields it notes for explanations, and
the same :class:`BadValue` as the compiled code on schemaless data of the wrong shape.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

import standardlang as sl
from standardlang.backends.python.interpreter import Interpreter, rule_status
from standardlang.backends.python.runtime import BadValue
from standardlang.status import Status

SPEC = sl.loads("""\
standard s "t" { source "tests" }
enum kind_t { new "新建" existing "既有" }
entity community {
  key id
  id: text
  kind: kind_t
  households: count
  area: m2
  kindergarten?: record { classes: count  building_area: m2 }
  stores?: list { building_area: m2  open: bool }
  let big = households >= 1000
}
goal 1 for community {
  rule 1.a { applies when kind == new  require big and area >= 10 m2 }
  rule 1.b { require kindergarten.classes >= 6
             alternative x { require count(stores where open) >= 2 } }
}
""", "interp.stdl")


def status(rule_id, record):
    return rule_status(SPEC.rule(rule_id), Interpreter(SPEC.checked.lets), record)


@pytest.mark.parametrize("record,expected", [
    ({"kind": "existing"}, Status.NOT_APPLICABLE),
    ({}, Status.UNKNOWN),
    ({"kind": "新建", "households": 1000, "area": 10}, Status.PASS),
    ({"kind": "new", "households": 999, "area": 10}, Status.FAIL),
    ({"kind": "new", "households": 1000}, Status.UNKNOWN),
    ({"kind": "new", "households": 5}, Status.FAIL),  # false and unknown is false
])
def test_rule_status_applies_and_requires(record, expected):
    assert status("1.a", record) is expected


@pytest.mark.parametrize("record,expected", [
    ({"kindergarten": {"classes": 6}}, Status.PASS),
    ({"kindergarten": {"classes": 5}, "stores": [{"open": True}, {"open": True}]}, Status.PASS),
    ({"kindergarten": {"classes": 5}, "stores": [{"open": True}]}, Status.FAIL),
    ({"kindergarten": {"classes": 5}, "stores": [{"open": True}, {}]}, Status.UNKNOWN),
    ({"stores": [{"open": True}]}, Status.UNKNOWN),
    ({"stores": [{"open": True}] * 2}, Status.PASS),
])
def test_rule_status_alternatives(record, expected):
    assert status("1.b", record) is expected


def test_missing_fields_are_noted_for_explanations():
    interp = Interpreter(SPEC.checked.lets)
    rule = SPEC.rule("1.a")
    missing: list[str] = []
    assert interp.eval(rule.requires[0], [{"kind": "new"}], missing) is None
    assert "households" in missing and "area" in missing
    missing = []
    interp.eval(SPEC.rule("1.b").requires[0], [{"kindergarten": {}}], missing)
    assert missing == ["kindergarten.classes"]
    missing = []
    interp.eval(SPEC.rule("1.b").requires[0], [{}], missing)
    assert missing == ["kindergarten"]  # the kindergarten was not recorded: the survey would decide it


def test_values_are_exact():
    e = SPEC.expression("area + kindergarten.building_area")
    assert Interpreter(SPEC.checked.lets).eval(e.node, [{"area": 0.1, "kindergarten": {"building_area": 0.2}}]) \
        == Fraction(3, 10)


@pytest.mark.parametrize("text,record", [
    ("x >= 1", {"x": "1"}),
    ("x.y >= 1", {"x": 5}),
    ("x and true", {"x": 5}),
    ("count(xs) >= 1", {"xs": "abc"}),
    ("not x", {"x": [True]}),
])
def test_schemaless_bad_shapes_raise_bad_value(text, record):
    e = sl.compile(text)
    with pytest.raises(BadValue):
        rule_status(e.rule, e.interpreter, record)
    assert e.evaluate(record).status is Status.ERROR  # the engine makes it an error verdict


def test_schemaless_paths_map_through_lists():
    e = sl.compile("sum(xs.v)")
    assert e.interpreter.eval(e.node, [{"xs": [{"v": 1}, {"v": 0.5}]}]) == Fraction(3, 2)
