"""The semantics of the language as a conformance table, run on both engines.

Every case is ``(expression, record, expected)``: the expression is checked against
the schema of :data:`CONFORMANCE_SPEC` (or compiled with no schema), then evaluated
by the reference interpreter *and* by the compiled evaluator, and both must give the
expected value (``None`` is unknown).  Conditions are also evaluated through
``Expression.evaluate`` and must give the matching status.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

import standardlang as sl
from standardlang.backends.python.compiler import Compiler
from standardlang.backends.python.runtime import Bounds
from standardlang.engine.evaluate import rule_status
from standardlang.backends.python.interpreter import Interpreter
from standardlang.lang.parser import parse_expression
from standardlang.lang import ast
from standardlang.engine.verdict import Status

CONFORMANCE_SPEC = """\
standard conformance "conformance" { source "tests" }

enum community_kind "居住社区类型" {
  new "新建居住社区"
  existing "既有居住社区"
  constrained "受场地条件约束的既有居住社区"
}

entity community "居住社区" {
  key id
  id: text "编号"
  subdistrict: text "街道"
  kind: community_kind "类型"
  households: count "户数"
  area: m2 "面积"
  land: ha "用地"
  green: % "绿地率"
  flag: bool
  opt_flag?: bool
  opt_area?: m2
  name: text
  kindergarten?: record "幼儿园" {
    classes: count "班数"
    building_area: m2 "建筑面积"
    land_area: ha "用地面积"
  }
  plot: record { area: m2 }
  stores?: list "便利店" {
    building_area: m2 "建筑面积"
    open: bool
    kind: community_kind
    let big = building_area >= 100 m2
  }
  units: list { n: count  area: m2 }
  rooms: set { hall "社区服务大厅", police "警务室", office "办公室" } "功能用房"
  tags?: set of community_kind
  非机动车停车棚?: record "非机动车停车棚" { 面积: m2 "面积" }
  let is_new "新建" = kind == new
  let store_area = sum(stores.building_area)
}

entity subdistrict "街道" {
  key id
  id: text
  district: text
  communities: list of community by subdistrict
}

entity district "区" {
  key id
  id: text
  city: text
  subdistricts: list of subdistrict by district
}

entity city "市" {
  key id
  id: text
  districts: list of district by city
  let communities = districts.subdistricts.communities
}

goal 一 "目标" for community {
  let big_community = households >= 1000
  rule r { require area >= 1 m2 }
}
"""

SPEC = sl.loads(CONFORMANCE_SPEC, "conformance.stdl")

STORES = [{"building_area": 120, "open": True, "kind": "new"},
          {"building_area": 80, "open": False, "kind": "既有居住社区"},
          {"building_area": 100, "open": None}]
CITY = {"id": "wuhai", "districts": [
    {"id": "d1", "subdistricts": [
        {"id": "s1", "communities": [{"households": 10, "stores": [{"building_area": 1}]},
                                     {"households": 3, "stores": None}]},
        {"id": "s2", "communities": [{"households": 7, "stores": None}]},
    ]},
    {"id": "d2", "subdistricts": []},
]}

# (expression, record, expected value); entity community unless the case says otherwise
CASES: list[tuple] = [
    # ---- arithmetic, exact
    ("area + plot.area", {"area": 1.1, "plot": {"area": 2.2}}, Fraction(33, 10)),
    ("area - plot.area", {"area": 1, "plot": {"area": 3}}, -2),
    ("area * 3", {"area": 0.1}, Fraction(3, 10)),
    ("area / households", {"area": 10, "households": 4}, Fraction(5, 2)),
    ("area / households", {"area": 10, "households": 0}, None),           # division by zero: unknown
    ("area / households", {"area": 10}, None),                           # unknown operand
    ("-area", {"area": 5}, -5),
    ("abs(area - 7 m2)", {"area": 5}, 2),
    ("min(area, plot.area)", {"area": 3, "plot": {"area": 2}}, 2),
    ("max(area, plot.area, 10 m2)", {"area": 3, "plot": {"area": 2}}, 10),
    ("min(area, plot.area)", {"area": 3}, None),
    ("land", {"land": 0.22}, 2200),                                      # ha read in m²
    ("kindergarten.land_area", {"kindergarten": {"land_area": 0.35}}, 3500),
    ("green", {"green": 10}, Fraction(1, 10)),                           # % read as a ratio
    ("area / plot.area", {"area": 330, "plot": {"area": 3300}}, Fraction(1, 10)),
    ("area / households * 100", {"area": 3300, "households": 100}, 3300),
    # ---- comparisons
    ("area >= 2200 m2", {"area": 2200}, True),
    ("area >= 2200 m2", {"area": 2199.99}, False),
    ("area >= 2200 m2", {}, None),
    ("area >= 2200 m2", {"area": None}, None),                           # null is absent
    ("area > plot.area", {"area": 1}, None),
    ("land == 2200 m2", {"land": 0.22}, True),
    ("land ≥ 0.22 公顷", {"land": 0.22}, True),
    ("area ≠ 5 ㎡", {"area": 5}, False),
    ("green >= 10 %", {"green": 10}, True),
    ("green < 1.4 ‰", {"green": 0.1}, True),
    ("name == \"a\"", {"name": "a"}, True),
    ("name != \"a\"", {}, None),
    ("flag == true", {"flag": False}, False),
    ("area / plot.area >= 10 %", {"area": 330, "plot": {"area": 3300}}, True),
    ("area / households * 100 >= 33 m2", {"area": 32.99, "households": 100}, False),
    ("area / households * 100 >= 33 m2", {"area": 33, "households": 100}, True),
    ("area / households * 100 >= 33 m2", {"area": 33, "households": 1}, True),
    # ---- between, inclusive
    ("area between 50 m2 and 100 m2", {"area": 50}, True),
    ("area between 50 m2 and 100 m2", {"area": 100}, True),
    ("area between 50 m2 and 100 m2", {"area": 100.01}, False),
    ("area between 50 m2 and 100 m2", {"area": 49.99}, False),
    ("area between 50 m2 且 plot.area", {"area": 60}, None),
    ("area between 50 m2 且 plot.area", {"area": 40}, False),            # false whatever the high bound
    # ---- Kleene logic
    ("flag and opt_flag", {"flag": False}, False),
    ("flag and opt_flag", {"flag": True}, None),
    ("flag or opt_flag", {"flag": True}, True),
    ("flag or opt_flag", {"flag": False}, None),
    ("not flag", {}, None),
    ("flag 且 非 opt_flag", {"flag": True, "opt_flag": False}, True),
    ("flag 或 opt_flag", {"opt_flag": True}, True),
    ("非 flag", {"flag": False}, True),
    # ---- membership
    ("kind in {new, existing}", {"kind": "new"}, True),
    ("kind in {new, existing}", {"kind": "constrained"}, False),
    ("kind in {new, existing}", {}, None),
    ("kind not in {new, existing}", {"kind": "constrained"}, True),
    ("kind 非 in {new, 既有居住社区}", {"kind": "既有居住社区"}, False),
    ("households in units.n", {"households": 3, "units": [{"n": 1}, {"n": 3}]}, True),
    ("households in units.n", {"households": 3, "units": [{"n": 1}, {}]}, None),
    ("households in units.n", {"households": 3, "units": [{"n": 3}, {}]}, True),
    ("households in units.n", {"households": 3, "units": []}, False),
    # ---- sets: contains / all / any, members by name or label
    ("rooms contains hall", {"rooms": ["hall"]}, True),
    ("rooms contains hall", {"rooms": ["社区服务大厅"]}, True),
    ("rooms contains 警务室", {"rooms": ["police"]}, True),
    ("rooms contains \"警务室\"", {"rooms": []}, False),
    ("rooms contains hall", {}, None),
    ("rooms contains all {hall, 警务室}", {"rooms": ["社区服务大厅", "police"]}, True),
    ("rooms contains all {hall, 警务室}", {"rooms": ["hall"]}, False),
    ("rooms contains any {hall, office}", {"rooms": ["office"]}, True),
    ("rooms contains any {hall, office}", {"rooms": ["police"]}, False),
    ("rooms contains any {office}", {"rooms": []}, False),
    ("tags contains new", {}, None),                                     # an optional set: absent
    ("tags contains new", {"tags": ["新建居住社区"]}, True),
    ("stores.kind contains new", {"stores": STORES}, True),
    ("stores.kind contains constrained", {"stores": STORES}, None),      # one store's kind unknown
    # ---- enums by member name and by label
    ("kind == new", {"kind": "新建居住社区"}, True),
    ("kind == 新建居住社区", {"kind": "new"}, True),
    ("kind == \"新建居住社区\"", {"kind": "new"}, True),
    ("\"既有居住社区\" == kind", {"kind": "existing"}, True),
    ("kind != existing", {"kind": "new"}, True),
    ("is_new", {"kind": "新建居住社区"}, True),
    ("is_new", {}, None),
    # ---- if / then / else
    ("if flag then area else plot.area", {"flag": True, "area": 1, "plot": {"area": 2}}, 1),
    ("if flag then area else plot.area", {"flag": False, "area": 1, "plot": {"area": 2}}, 2),
    ("if flag then area else plot.area", {"area": 1, "plot": {"area": 2}}, Bounds(1, 2)),  # unknown test: either
    ("if flag then area else plot.area", {"area": 1}, None),                         # ... one branch unknown
    ("if flag then area else plot.area", {"area": 2, "plot": {"area": 2}}, 2),      # ... same either way
    ("if flag then 1 m2 else area", {"flag": True}, 1),                             # other branch not needed
    ("if is_new then households >= 10 else true", {"kind": "existing"}, True),
    # ---- present()
    ("present(kindergarten)", {}, None),                                  # key left out: not recorded
    ("present(kindergarten)", {"kindergarten": None}, False),            # null: absent
    ("present(kindergarten)", {"kindergarten": {}}, True),
    ("present(kindergarten.classes)", {"kindergarten": {}}, False),
    ("present(kindergarten.classes)", {}, None),                          # its facility not recorded: unknown
    ("present(kindergarten.classes)", {"kindergarten": None}, False),    # its facility absent
    ("present(opt_area)", {"opt_area": 0}, True),
    ("present(area)", {}, False),                                        # never unknown
    ("present(stores)", {"stores": []}, True),
    ("present(stores)", {}, None),                                       # not recorded
    ("present(stores)", {"stores": None}, False),                        # none
    ("present(非机动车停车棚)", {"非机动车停车棚": {"面积": 3}}, True),
    # ---- aggregates on empty lists
    ("count(stores)", {}, None),                                         # optional list not recorded: unknown
    ("count(stores)", {"stores": None}, 0),                              # ... null: none
    ("count(stores)", {"stores": []}, 0),
    ("count(units)", {}, None),                                          # required list missing: unknown
    ("count(units)", {"units": []}, 0),
    ("sum(stores.building_area)", {"stores": []}, 0),
    ("avg(stores.building_area)", {"stores": []}, None),
    ("min(stores.building_area)", {"stores": []}, None),
    ("max(stores.building_area)", {"stores": []}, None),
    ("all(stores where open)", {"stores": []}, True),
    ("all(stores where open)", {"stores": STORES[:2]}, False),          # every store must be open
    ("all(stores where building_area >= 80 m2)", {"stores": STORES}, True),
    ("all(stores where open)", {"stores": [{"open": True}, {}]}, None),
    ("any(stores where open)", {"stores": []}, False),
    ("share(stores where open)", {"stores": []}, None),
    ("store_area", {"stores": None}, 0),
    ("store_area", {}, None),
    # ---- aggregates with filters and unknown elements
    ("count(stores where open)", {"stores": STORES}, Bounds(1, 2)),      # one store's `open` unknown: 1 or 2
    ("count(stores where open) >= 1", {"stores": STORES}, True),         # ... settled either way
    ("count(stores where open) >= 2", {"stores": STORES}, None),
    ("count(stores where open) > 2", {"stores": STORES}, False),
    ("count(stores where open) == 3", {"stores": STORES}, False),
    ("count(stores where open) != 0", {"stores": STORES}, True),
    ("count(stores where open) + 1", {"stores": STORES}, Bounds(2, 3)),
    ("-count(stores where open)", {"stores": STORES}, Bounds(-2, -1)),
    ("min(count(stores where open), 1)", {"stores": STORES}, 1),
    ("max(count(stores where open), households)", {"stores": STORES, "households": 5}, 5),
    ("abs(count(stores where open) - 3)", {"stores": STORES}, Bounds(1, 2)),
    ("count(stores where building_area >= 100 m2)", {"stores": STORES}, 2),
    ("count(stores where big)", {"stores": STORES}, 2),                  # a let of the list element
    ("sum(building_area for stores where open)", {"stores": STORES}, Bounds(120, 220)),  # 100 counts or not
    ("sum(stores.building_area)", {"stores": STORES + [{}]}, Bounds(300, None)),      # an area is ≥ 0
    ("sum(stores.building_area) >= 250 m2", {"stores": STORES + [{}]}, True),
    ("sum(stores.building_area) <= 400 m2", {"stores": STORES + [{}]}, None),
    ("sum(building_area for stores where building_area > 90 m2)", {"stores": STORES}, 220),
    ("sum(stores.building_area)", {"stores": STORES}, 300),
    ("avg(stores.building_area)", {"stores": STORES}, 100),
    ("avg(stores.building_area)", {"stores": STORES + [{}]}, Bounds(75, None)),   # (300 + ≥ 0) / 4
    ("avg(building_area for stores where open)", {"stores": STORES}, Bounds(110, 120)),
    ("min(stores.building_area)", {"stores": STORES + [{}]}, Bounds(0, 80)),
    ("max(stores.building_area)", {"stores": STORES + [{}]}, Bounds(120, None)),
    ("max(stores.building_area) >= 100 m2", {"stores": STORES + [{}]}, True),
    ("min(stores.building_area)", {"stores": STORES}, 80),
    ("max(building_area for stores where kind == new)", {"stores": STORES}, 120),  # 100 cannot beat 120
    ("min(building_area for stores where kind == new)", {"stores": STORES}, Bounds(100, 120)),
    ("min(building_area for stores where kind == existing)", {"stores": STORES[1:]}, 80),
    ("max(building_area for stores where kind == existing)", {"stores": STORES[1:]}, Bounds(80, 100)),
    ("min(building_area for stores where kind == new)", {"stores": STORES[2:]}, None),  # maybe none counts
    ("max(building_area for stores where kind == new)", {"stores": STORES[:2]}, 120),
    ("all(stores.open)", {"stores": STORES}, False),                     # false beats unknown
    ("all(stores.open)", {"stores": [{"open": True}, {}]}, None),
    ("any(stores.open)", {"stores": STORES}, True),                      # true beats unknown
    ("any(stores.open)", {"stores": [{"open": False}, {}]}, None),
    ("all(building_area > 50 m2 for stores)", {"stores": STORES}, True),
    ("all(open for stores where building_area > 90 m2)", {"stores": STORES}, None),
    ("any(stores where open and building_area > 100 m2)", {"stores": STORES}, True),
    ("share(stores where building_area >= 100 m2)", {"stores": STORES}, Fraction(2, 3)),
    ("share(stores where open)", {"stores": STORES[:2]}, Fraction(1, 2)),
    ("share(stores where open)", {"stores": STORES}, Bounds(Fraction(1, 3), Fraction(2, 3))),
    ("share(stores where open) >= 30 %", {"stores": STORES}, True),
    ("share(stores where open) >= 50 %", {"stores": STORES}, None),
    ("share(stores where open) < 70 %", {"stores": STORES}, True),
    ("share(stores where open) * 3", {"stores": STORES}, Bounds(1, 2)),
    ("store_area", {"stores": STORES + [{}]}, Bounds(300, None)),           # through a definition
    ("store_area >= 300 m2", {"stores": STORES + [{}]}, True),
    ("-store_area <= -300 m2", {"stores": STORES + [{}]}, True),
    ("share(stores where open) >= 10 %", {"stores": [{"open": True}] + [{"open": False}] * 9}, True),
    ("count(units where n > households)", {"households": 1, "units": [{"n": 2}, {"n": 1}]}, 1),
    ("store_area", {"stores": STORES}, 300),
    # ---- Chinese identifiers and operator words
    ("幼儿园.建筑面积 不小于 2200 平方米", None, None),                    # (needs the Chinese schema: below)
    ("非机动车停车棚.面积 不小于 10 平方米", {"非机动车停车棚": {"面积": 10}}, True),
    ("非机动车停车棚.面积 不大于 9 平方米", {"非机动车停车棚": {"面积": 10}}, False),
    ("非机动车停车棚.面积 大于 9 ㎡ 且 非机动车停车棚.面积 小于 11 ㎡", {"非机动车停车棚": {"面积": 10}}, True),
    ("area 不小于2200 平方米", {"area": 2200}, True),                      # a number may follow directly
    # ---- lets
    ("big_community", {"households": 1000}, True),
    ("big_community and is_new", {"households": 1000, "kind": "existing"}, False),
    # ---- paths through lists flatten (city level)
    ("count(communities)", ("city", CITY), 3),
    ("count(districts.subdistricts.communities)", ("city", CITY), 3),
    ("sum(districts.subdistricts.communities.households)", ("city", CITY), 20),
    ("count(communities where households >= 5)", ("city", CITY), 2),
    ("sum(communities.store_area)", ("city", CITY), 1),
    ("count(districts.subdistricts)", ("city", CITY), 2),
    ("count(districts.subdistricts.communities)", ("city", {"districts": [{"subdistricts": None}]}), None),
    ("count(communities)", ("city", {"districts": []}), 0),
    ("share(communities where present(stores))", ("city", CITY), Fraction(1, 3)),
    # a community whose stores were not surveyed: a range, never the lower bound alone
    ("share(communities where present(stores))", ("city", {"districts": [{"subdistricts": [{"communities": [
        {"stores": [{}]}, {"stores": None}, {}]}]}]}), Bounds(Fraction(1, 3), Fraction(2, 3))),
]
CASES = [c for c in CASES if c[1] is not None]


def _unpack(case):
    text, record, expected = case
    entity = None
    if isinstance(record, tuple):
        entity, record = record
    return text, entity, record, expected


def _same(got, expected) -> bool:
    if isinstance(expected, bool) or expected is None:
        return got is expected
    if isinstance(got, (bool, float)):  # numbers are exact: no float leaves an evaluator
        return False
    return got == expected


@pytest.mark.parametrize("engine", ["interpreter", "compiled"])
@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}|{i}" for i, c in enumerate(CASES)])
def test_conformance(case, engine):
    text, entity, record, expected = _unpack(case)
    expr = SPEC.expression(text, entity)
    lets = expr.interpreter.lets  # the spec's definitions, goal definitions by their short name
    if engine == "interpreter":
        got = Interpreter(lets).eval(expr.node, [record])
    else:
        got = Compiler(lets).compile_value(expr.node)(record)
    assert _same(got, expected), f"{text} on {record}: {got!r}, expected {expected!r}"


@pytest.mark.parametrize("case", [c for c in CASES if isinstance(c[2], bool) or c[2] is None],
                         ids=lambda c: c[0])
def test_conformance_verdicts(case):
    """Conditions through the public API: the status matches the value."""
    text, entity, record, expected = _unpack(case)
    expr = SPEC.expression(text, entity)
    if expr.is_condition:
        status = expr.evaluate(record).status
        assert status == {True: "pass", False: "fail", None: "unknown"}[expected]
        assert status is rule_status(expr.rule, expr.interpreter, record)


# (expression, record, expected) with no schema: every name is a field read dynamically
SCHEMALESS_CASES = [
    ("x >= 2200", {"x": 2200}, True),
    ("x >= 2200", {"x": 2200.0}, True),
    ("x >= 2200", {}, None),
    ("x / y", {"x": 1, "y": 0}, None),
    ("x / y", {"x": 1, "y": 3}, Fraction(1, 3)),
    ("x / y >= 10 %", {"x": 330, "y": 3300}, True),
    ("x >= 0.3", {"x": 0.3}, True),
    ("x + y == 0.3", {"x": 0.1, "y": 0.2}, True),
    ("a.b.c >= 1", {"a": {"b": {"c": 1}}}, True),
    ("a.b.c >= 1", {"a": {"b": None}}, None),
    ("a.b.c >= 1", {"a": None}, None),
    ("count(xs)", {"xs": [1, 2, 3]}, 3),
    ("count(xs where ok)", {"xs": [{"ok": True}, {"ok": False}]}, 1),
    ("sum(v for xs where ok)", {"xs": [{"ok": True, "v": 2}, {"ok": False}]}, 2),
    ("share(xs where ok)", {"xs": [{"ok": True}] + [{"ok": False}] * 9}, Fraction(1, 10)),
    ("share(xs where ok)", {"xs": []}, None),
    ("min(xs where ok)", {"xs": []}, None),
    ("all(xs where ok)", {"xs": []}, True),
    ("any(xs where ok)", {"xs": []}, False),
    ("k in {\"a\", \"b\"}", {"k": "b"}, True),
    ("s contains \"a\"", {"s": ["a", "b"]}, True),
    ("s contains all {\"a\", \"c\"}", {"s": ["a", "b"]}, False),
    ("s contains any {\"a\", \"c\"}", {"s": ["a", "b"]}, True),
    ("present(k)", {"k": 0}, True),
    ("present(k)", {"k": None}, False),
    ("not a", {"a": False}, True),
    ("a and b", {"a": False}, False),
    ("a or b", {"a": True}, True),
    ("if a then 1 else 2", {"a": False}, 2),
    ("if a then 1 else 1", {}, 1),
]


@pytest.mark.parametrize("engine", ["interpreter", "compiled", "api"])
@pytest.mark.parametrize("case", SCHEMALESS_CASES, ids=[c[0] for c in SCHEMALESS_CASES])
def test_schemaless_conformance(case, engine):
    text, record, expected = case
    expr = sl.compile(text)
    if engine == "interpreter":
        got = expr.interpreter.eval(expr.node, [record])
    elif engine == "compiled":
        got = Compiler({}).compile_value(expr.node)(record)
    elif expr.is_condition:
        got = {"pass": True, "fail": False, "unknown": None}[expr.evaluate(record).status.value]
    else:
        got = expr.evaluate(record).value
    assert _same(got, expected), f"{text} on {record}: {got!r}"


# ====================================================================== the design card example


@pytest.mark.parametrize("record,status", [
    ({"kindergarten": {"area": 2300}, "classes": 6}, "pass"),
    ({"kindergarten": {"area": 2200}, "classes": 6}, "pass"),
    ({"kindergarten": {"area": 2200.0}, "classes": 6.0}, "pass"),
    ({"kindergarten": {"area": 2100}, "classes": 6}, "fail"),
    ({"kindergarten": {"area": 2300}, "classes": 5}, "fail"),
    ({"kindergarten": {"area": 2300}}, "unknown"),
    ({"classes": 6}, "unknown"),
    ({"classes": 5}, "fail"),                        # false and unknown is false
    ({}, "unknown"),
])
def test_design_card_example_exactly_as_written(record, status):
    rule = sl.compile("kindergarten.area >= 2200 and classes >= 6")
    verdict = rule.evaluate(record)
    assert verdict.status == status
    assert verdict.status is rule_status(rule.rule, rule.interpreter, record)


# ====================================================================== Chinese

CHINESE_SPEC = """\
standard 幼儿园标准 "幼儿园配建" { source "专栏5" }
entity 居住社区 "居住社区" {
  户数: count
  幼儿园?: record { 建筑面积: m2  班数: count }
  非机动车停车棚?: record { 面积: m2 }
}
goal 一 "基本公共服务设施完善" for 居住社区 {
  rule 一.2 "幼儿园" {
    应
    适用于 户数 不小于 1000
    要求 present(幼儿园) 且 幼儿园.建筑面积 不小于 2200 平方米 且 幼儿园.班数 ≥ 6
  }
  rule 一.3 "非机动车" {
    宜
    要求 非 present(非机动车停车棚) 或 非机动车停车棚.面积 不低于 10 平方米
  }
}
"""


@pytest.mark.parametrize("record,statuses", [
    ({"户数": 1200, "幼儿园": {"建筑面积": 2200, "班数": 6}, "非机动车停车棚": None}, ["pass", "pass"]),
    ({"户数": 1200, "幼儿园": {"建筑面积": 2199, "班数": 6}, "非机动车停车棚": None}, ["fail", "pass"]),
    ({"户数": 999, "非机动车停车棚": None}, ["not_applicable", "pass"]),
    ({"户数": 1200, "幼儿园": None, "非机动车停车棚": None}, ["fail", "pass"]),
    ({"户数": 1200}, ["unknown", "unknown"]),                                 # neither surveyed
    ({"幼儿园": {"建筑面积": 2200, "班数": 6}, "非机动车停车棚": None}, ["unknown", "pass"]),
    ({"户数": 1200, "幼儿园": {"班数": 6}, "非机动车停车棚": {"面积": 9}}, ["unknown", "fail"]),
    ({"户数": 1200, "幼儿园": {"建筑面积": 3000}, "非机动车停车棚": {}}, ["unknown", "unknown"]),
])
def test_chinese_identifiers_and_aliases(record, statuses):
    spec = sl.loads(CHINESE_SPEC)
    assert [r.strength for r in spec.rules] == ["shall", "should"]
    result = spec.judge(record, "居住社区")
    assert [v.status.value for v in result.verdicts] == statuses
    for rule, v in zip(spec.rules, result.verdicts):
        assert v.status is rule_status(rule, spec.interpreter, record)


def test_chinese_operator_word_inside_a_name_is_part_of_the_name():
    assert parse_expression("非机动车停车棚") == ast.Name("非机动车停车棚")
    assert parse_expression("非 非机动车停车棚") == ast.Not(ast.Name("非机动车停车棚"), spelling="非")
    assert parse_expression("大于等于") == ast.Name("大于等于")
    tree = parse_expression("幼儿园.建筑面积 不小于 2200 平方米")
    assert tree == ast.Compare(">=", ast.Attr(ast.Name("幼儿园"), "建筑面积"), ast.Number("2200", "平方米"),
                               spelling="不小于")
    assert parse_expression("x 不小于2200") == ast.Compare(">=", ast.Name("x"), ast.Number("2200"), spelling="不小于")
    assert parse_expression("a 且 b 或 非 c") == ast.Logic(
        "or", ast.Logic("and", ast.Name("a"), ast.Name("b"), spelling="且"),
        ast.Not(ast.Name("c"), spelling="非"), spelling="或")


# ====================================================================== rule verdicts

RULES_SPEC = """\
standard rules "rules" { source "tests" }
enum community_kind { new "新建居住社区" existing "既有居住社区" constrained "受场地条件约束的既有居住社区" }
entity community {
  key id
  id: text
  kind: community_kind
  households: count
  kindergarten?: record { classes: count  building_area: m2 }
  supermarket?: record { building_area: m2 }
  stores?: list { building_area: m2 }
  let is_new = kind == new
}
goal 一 "goal" for community {
  let big = households >= 1000
  rule plain "plain" {
    require present(kindergarten) and kindergarten.building_area >= 2200 m2
  }
  rule two "two requires" {
    should
    require kindergarten.classes >= 6
    require kindergarten.building_area >= 2200 m2
  }
  rule applies "applicability" {
    may
    applies when is_new and big
    require kindergarten.classes >= 6
  }
  rule alt "with an alternative" {
    require supermarket.building_area >= 300 m2
    alternative stores "便利店" {
      applies when kind == constrained
      require count(stores where building_area between 50 m2 and 100 m2) >= 2
    }
  }
}
"""

K_OK = {"classes": 6, "building_area": 2200}
TWO_STORES = [{"building_area": 50}, {"building_area": 100}]
SMALL = {"building_area": 299}


@pytest.mark.parametrize("record,expected", [
    ({"kind": "new", "households": 1200, "kindergarten": K_OK, "supermarket": {"building_area": 300}},
     {"plain": "pass", "two": "pass", "applies": "pass", "alt": "pass"}),
    # `applies` is a permission (may) whose requirement is the permission itself: not met, not taken up
    ({"kind": "new", "households": 1200, "kindergarten": {"classes": 5, "building_area": 2199.99}, "supermarket": SMALL},
     {"plain": "fail", "two": "fail", "applies": "not_applicable", "alt": "fail"}),
    # an absent optional record's fields are unknown: present() is what decides absence
    ({"kind": "new", "households": 1200, "kindergarten": {"classes": 5}},
     {"plain": "unknown", "two": "fail", "applies": "not_applicable", "alt": "unknown"}),
    ({"kind": "existing", "households": 1200, "kindergarten": {"classes": 6}},
     {"plain": "unknown", "two": "unknown", "applies": "not_applicable", "alt": "unknown"}),
    ({"kind": "new", "kindergarten": {"classes": 5}},                 # not taken up, whether it applies or not
     {"plain": "unknown", "two": "fail", "applies": "not_applicable", "alt": "unknown"}),
    ({"kind": "new", "kindergarten": {"classes": 6}},                 # taken up; whether it applies is open
     {"plain": "unknown", "two": "unknown", "applies": "unknown", "alt": "unknown"}),
    ({"kind": "existing", "households": 10},
     {"plain": "fail", "two": "unknown", "applies": "not_applicable", "alt": "unknown"}),
    # the alternative: applies to constrained sites and then decides
    ({"kind": "constrained", "stores": TWO_STORES},
     {"plain": "fail", "two": "unknown", "applies": "not_applicable", "alt": "pass"}),
    ({"kind": "constrained", "supermarket": SMALL, "stores": TWO_STORES},
     {"plain": "fail", "two": "unknown", "applies": "not_applicable", "alt": "pass"}),
    ({"kind": "constrained", "supermarket": SMALL, "stores": TWO_STORES[:1]},
     {"plain": "fail", "two": "unknown", "applies": "not_applicable", "alt": "fail"}),
    ({"kind": "constrained", "supermarket": SMALL},                  # no stores: an empty list
     {"plain": "fail", "two": "unknown", "applies": "not_applicable", "alt": "fail"}),
    ({"kind": "constrained", "stores": TWO_STORES[:1]},
     {"plain": "fail", "two": "unknown", "applies": "not_applicable", "alt": "unknown"}),
    ({"supermarket": SMALL, "stores": TWO_STORES},                   # kind unknown: the alternative may apply
     {"plain": "fail", "two": "unknown", "applies": "unknown", "alt": "unknown"}),
    ({"supermarket": SMALL, "stores": TWO_STORES[:1]},               # ... but fails whether it applies or not
     {"plain": "fail", "two": "unknown", "applies": "unknown", "alt": "fail"}),
    ({"kind": "existing", "supermarket": SMALL, "stores": TWO_STORES},
     {"plain": "fail", "two": "unknown", "applies": "not_applicable", "alt": "fail"}),
    ({"kind": "constrained", "supermarket": {}, "stores": TWO_STORES[:1]},
     {"plain": "fail", "two": "unknown", "applies": "not_applicable", "alt": "unknown"}),
])
def test_rule_verdicts(record, expected):
    # a facility the row does not give is absent here (null); not recorded is tested apart
    record = {"kindergarten": None, "supermarket": None, "stores": None, **record}
    spec = sl.loads(RULES_SPEC)
    result = spec.evaluate([dict(record, id="c1")])
    got = {v.rule_id: v.status.value for v in result.verdicts}
    assert got == expected
    interp = Interpreter(spec.checked.lets)
    for rule in spec.rules:
        assert rule_status(rule, interp, record).value == expected[rule.id]
        assert spec.rule_function(rule.id)(record).value == expected[rule.id]


def test_strength_travels_with_the_verdict():
    spec = sl.loads(RULES_SPEC)
    report = spec.evaluate([{"id": "c1", "kind": "new", "households": 1200, "kindergarten": {"classes": 1},
                             "supermarket": SMALL}])
    by_id = {v.rule_id: v for v in report.verdicts}
    assert (by_id["plain"].strength, by_id["two"].strength, by_id["applies"].strength) == ("shall", "should", "may")
    assert by_id["two"].status == "fail" and not by_id["two"].is_failed_requirement
    assert by_id["alt"].is_failed_requirement
    assert [v.rule_id for v in report.failed_requirements()] == ["alt"]
    assert report.summary() == {"shall": {"unknown": 1, "fail": 1}, "should": {"fail": 1}, "may": {"not_applicable": 1}}
    assert by_id["applies"].reason == "not_adopted" and by_id["two"].reason is None


def test_unknown_verdict_lists_the_missing_fields():
    spec = sl.loads(RULES_SPEC)
    v = spec.evaluate([{"id": "c1", "kind": "new", "kindergarten": {"classes": 6}}]).record("c1").verdict("plain")
    assert v.status == "unknown"
    assert "kindergarten.building_area" in v.missing
    assert "kindergarten.building_area" in v.explain()


def test_error_verdict_for_wrong_type_while_other_records_are_judged():
    spec = sl.loads(RULES_SPEC)
    records = [
        {"id": "good", "kind": "new", "households": 1200, "kindergarten": K_OK, "supermarket": {"building_area": 300}},
        {"id": "bad", "kind": "new", "households": 1200, "kindergarten": {"classes": "six", "building_area": 2200},
         "supermarket": {"building_area": 300}},
        {"id": "worse", "kind": "newish", "households": -3},
        {"id": "fine", "kind": "existing", "kindergarten": K_OK},
    ]
    report = spec.evaluate(records)
    assert {r.record_id for r in report.results} == {"good", "bad", "worse", "fine"}
    good = {v.rule_id: v.status.value for v in report.record("good").verdicts}
    assert good == {"plain": "pass", "two": "pass", "applies": "pass", "alt": "pass"}
    bad = report.record("bad")
    # the rules that read the malformed field give `error`; the others (plain reads only
    # kindergarten.building_area) are still judged
    assert {v.rule_id: v.status.value for v in bad.verdicts} == {
        "plain": "pass", "two": "error", "applies": "error", "alt": "pass"}
    err = bad.verdict("two")
    assert "kindergarten.classes" in err.error and "six" in err.error
    assert "kindergarten.classes" in err.explain()
    assert [p.path for p in bad.problems] == ["kindergarten.classes"]
    worse = report.record("worse")
    assert {p.path for p in worse.problems} == {"kind", "households"}
    assert all(v.status == "error" for v in worse.verdicts if v.rule_id in ("applies", "alt"))
    fine = {v.rule_id: v.status.value for v in report.record("fine").verdicts}
    assert fine == {"plain": "pass", "two": "pass", "applies": "not_applicable", "alt": "unknown"}


def test_error_verdicts_follow_the_fields_a_rule_reads_through_definitions():
    spec = sl.loads("""\
standard s "t" {}
entity e { key id  id: text  x: m2  xs: list { a: m2 }  let big = x >= 10 m2 }
goal 1 for e {
  let g = big or x >= 1 m2
  rule r1 { require g }
  rule r2 { require count(xs where a > 1 m2) >= 0 }
  rule r3 { require true }
}
""")
    cases = [
        ({"id": "a", "x": "big"}, ["error", "unknown", "pass"]),           # read through a goal and an entity let
        ({"id": "b", "xs": [{"a": "big"}]}, ["unknown", "error", "pass"]),  # inside a list element
        ({"id": "c", "xs": "nope"}, ["unknown", "error", "pass"]),
        ({"id": "d", "xs": [5]}, ["unknown", "error", "pass"]),
        ({"id": "e", "x": 10, "xs": []}, ["pass", "pass", "pass"]),
    ]
    report = spec.evaluate([r for r, _ in cases])
    for (record, expected), result in zip(cases, report.results):
        assert [v.status.value for v in result.verdicts] == expected, record


def test_record_that_is_not_an_object_gives_error_verdicts():
    spec = sl.loads(RULES_SPEC)
    report = spec.evaluate([{"id": "a", "kind": "new"}, "junk", 42], entity="community")
    statuses = [[v.status.value for v in r.verdicts] for r in report.results]
    assert statuses[1] == ["error"] * 4 and statuses[2] == ["error"] * 4
    assert "error" not in statuses[0]


def test_goal_let_and_entity_let_in_rules():
    spec = sl.loads(RULES_SPEC)
    fn = spec.rule_function("applies")
    assert fn({"kind": "新建居住社区", "households": 1000, "kindergarten": {"classes": 6}}) is Status.PASS
    assert fn({"kind": "new", "households": 999}) is Status.NOT_APPLICABLE
    assert fn({"kind": "new"}) is Status.UNKNOWN
    assert fn({"households": 5}) is Status.NOT_APPLICABLE  # false and unknown is false


# ====================================================================== regressions (found as bugs by this suite)


# compiled vs interpreter regressions: see tests/test_compiler.py


def test_schemaless_path_through_a_list():
    """Regression: with no schema, `xs.v` on a list of records gave an error."""
    assert sl.compile("sum(xs.v)").evaluate({"xs": [{"v": 1}, {"v": 2}]}).value == 3


def test_giant_float_is_read_as_the_decimal_it_prints_as():
    """Regression: 1e23 was read as int(1e23) = 99999999999999991611392."""
    assert sl.compile("x == 100000000000000000000000").evaluate({"x": 1e23}).status == "pass"


# ====================================================================== permissions (可) not taken up

PERMIT_SPEC = """\
standard permits "permits" { source "tests" }
entity community {
  key id
  id: text
  allowed: bool
  centre?: record { area: m2 }
  nursery?: record { built_with: {standalone "独立", combined "结合"} }
}
goal 一 "goal" for community {
  rule centre "may build a centre of at least 350 m2" {
    可
    applies when allowed
    require present(centre) and centre.area >= 350 m2
  }
  rule combined "may combine the nursery" {
    可
    applies when present(nursery)
    require nursery.built_with != standalone
  }
  rule recommended "should build a centre" {
    宜
    require present(centre)
  }
}
"""
PERMITS = sl.loads(PERMIT_SPEC, "permits.stdl")


@pytest.mark.parametrize("record,expected", [
    ({"allowed": True, "centre": None}, ("not_applicable", "not_adopted")),     # not taken up: never a failure
    ({"allowed": True}, ("unknown", None)),                                    # centre not surveyed: open
    ({"allowed": True, "centre": {"area": 349}}, ("fail", None)),              # taken up: its condition is judged
    ({"allowed": True, "centre": {"area": 350}}, ("pass", None)),
    ({"allowed": True, "centre": {}}, ("unknown", None)),
    ({"allowed": False, "centre": {"area": 100}}, ("not_applicable", None)),  # the permission is not granted
    ({"centre": None}, ("not_applicable", "not_adopted")),                     # not taken up, granted or not
    ({"centre": {"area": 400}}, ("unknown", None)),                            # taken up; granted?
    ({"centre": {"area": 300}}, ("unknown", None)),
])
def test_a_permission_not_taken_up_is_not_a_failure(record, expected):
    record = dict(record, id="c1")
    rule = PERMITS.rule("centre")
    status, reason = expected
    assert rule_status(rule, PERMITS.interpreter, record).value == status
    assert PERMITS.rule_function("centre")(record).value == status
    assert Compiler(PERMITS.checked.lets).compile_rule(rule)(record).value == status
    v = PERMITS.evaluate([record]).record("c1").verdict("centre")
    assert (v.status.value, v.reason) == (status, reason)
    assert v.to_dict().get("reason") == reason


def test_a_permission_that_is_the_whole_requirement():
    """Combining the nursery is the permission itself: standalone is not taken up, not a failure."""
    for built, status in (("standalone", "not_applicable"), ("combined", "pass")):
        rec = {"id": "c1", "nursery": {"built_with": built}}
        assert PERMITS.rule_function("combined")(rec).value == status
        assert rule_status(PERMITS.rule("combined"), PERMITS.interpreter, rec).value == status
    v = PERMITS.evaluate([{"id": "c1", "nursery": None}]).record("c1").verdict("combined")
    assert v.status == "not_applicable" and v.reason is None                  # no nursery: does not apply


def test_not_adopted_is_explained_in_both_languages():
    v = PERMITS.evaluate([{"id": "c1", "allowed": True, "centre": None}]).record("c1").verdict("centre")
    en, zh = v.explain(), v.explain("zh")
    assert "not adopted: the permission (may) was not taken up, which is not a failure" in en
    assert "centre is absent" in en                                           # what taking it up would mean
    assert "未采用:未使用此许可(可),不算不通过" in zh
    assert v.explanation().to_dict()["reason"] == "not_adopted"


def test_should_keeps_failing():
    v = PERMITS.evaluate([{"id": "c1", "allowed": True, "centre": None}]).record("c1").verdict("recommended")
    assert v.status == "fail" and v.strength == "should" and v.reason is None


def _permit_run(tmp_path, *extra):
    from standardlang.cli import main

    spec = tmp_path / "permits.stdl"
    spec.write_text(PERMIT_SPEC, encoding="utf-8")
    data = tmp_path / "c.json"
    data.write_text('[{"id": "c1", "allowed": true, "centre": null, "nursery": {"built_with": "standalone"}}]', encoding="utf-8")
    out = tmp_path / "out"
    code = main(["check", str(spec), "--data", str(data), "--only", "centre", "combined", "-o", str(out), *extra])
    return code, out.read_text(encoding="utf-8")


def test_reports_never_count_not_adopted_as_failure(tmp_path):
    """Text (en, zh), JSON, CSV, JUnit and HTML: two permissions not taken up, nothing fails."""
    import json as _json
    import xml.etree.ElementTree as ET

    code, text = _permit_run(tmp_path)
    assert code == 0 and "OK: nothing fails" in text
    may = next(line for line in text.splitlines() if line.startswith("may"))
    assert may.split()[2:4] == ["0", "0"], may                               # pass 0, fail 0
    assert "2 are permissions not taken up (not adopted)" in text
    code, zh = _permit_run(tmp_path, "--lang", "zh")
    row = next(line for line in zh.splitlines() if line.startswith("可 "))
    assert row.split()[1:3] == ["0", "0"], row                                 # 可 通过 0 不通过 0
    assert "通过:没有未通过的要求" in zh and "未采用的许可" in zh
    code, js = _permit_run(tmp_path, "--format", "json", "--explain", "all")
    verdicts = _json.loads(js)["reports"][0]["results"][0]["verdicts"] if "reports" in _json.loads(js) else \
        _json.loads(js)["results"][0]["verdicts"]
    assert {v["rule"]: (v["status"], v.get("reason")) for v in verdicts} == {
        "centre": ("not_applicable", "not_adopted"), "combined": ("not_applicable", "not_adopted")}
    code, csv_text = _permit_run(tmp_path, "--format", "csv")
    rows = csv_text.splitlines()[1:]
    assert all(",not_applicable," in r and "not adopted" in r for r in rows), rows
    code, csv_zh = _permit_run(tmp_path, "--format", "csv", "--lang", "zh")
    assert all(",不适用," in r and "未采用" in r for r in csv_zh.splitlines()[1:]), csv_zh  # status and why in zh
    code, xml = _permit_run(tmp_path, "--format", "junit")
    suite = ET.fromstring(xml)
    assert suite.get("failures") == "0" and suite.get("skipped") == "2"
    code, html = _permit_run(tmp_path, "--format", "html")
    assert code == 0 and '"s": "nn"' in html.replace('"s":"nn"', '"s": "nn"')


def test_fail_on_is_unaffected(tmp_path):
    """--fail-on should: the failed recommendation fails the run, the permissions do not."""
    from standardlang.cli import main

    spec = tmp_path / "permits.stdl"
    spec.write_text(PERMIT_SPEC, encoding="utf-8")
    data = tmp_path / "c.json"
    data.write_text('[{"id": "c1", "allowed": true, "centre": null, "nursery": null}]', encoding="utf-8")
    run = ["check", str(spec), "--data", str(data), "-o", str(tmp_path / "o")]
    assert main(run + ["--only", "centre", "--fail-on", "should"]) == 0
    assert main(run + ["--fail-on", "should"]) == 1                            # `recommended` fails [should]
    assert main(run) == 0                                                      # --fail-on shall: nothing fails
