"""The checker: names, types, units and dimensions, checked before anything runs."""

from __future__ import annotations

import pytest

import standardlang as sl
from standardlang.lang import ir
from standardlang.lang.checker import check, check_expression
from standardlang.errors import SpecCheckError, Source
from standardlang.lang.parser import parse, parse_expression
from standardlang.lang.types import BOOL, COUNT, RATIO, Num
from standardlang.lang import units

HEADER = """\
standard t "t" { source "tests" }
enum kind "类型" { new "新建" existing "既有" constrained "受限" }
entity community "居住社区" {
  key id
  id: text
  households: count
  户数: count
  area: m2
  land: ha
  street: m
  walk: min
  green: %
  floors: number
  open: bool
  kind: kind
  rooms: set { hall "大厅", police "警务室" }
  kindergarten?: record { classes: count  building_area: m2 "建筑面积" }
  stores?: list { building_area: m2  open: bool }
  let is_new = kind == new
}
"""
HEADER_LINES = HEADER.count("\n")


def spec_with(*requires: str) -> str:
    rules = "\n".join(f"  rule r{i + 1} {{ require {r} }}" for i, r in enumerate(requires))
    return HEADER + "goal 1 for community {\n" + rules + "\n}\n"


def errors_of(text: str, name: str = "t.stdl") -> list:
    with pytest.raises(SpecCheckError) as info:
        sl.loads(text, name)
    assert isinstance(info.value, sl.StandardLangError)
    return list(info.value.diagnostics)


def one_error(require: str):
    diags = errors_of(spec_with(require))
    assert len(diags) == 1, [d.render() for d in diags]
    d = diags[0]
    # the error is on the rule's line, in the require clause
    assert d.span is not None and d.span.line == HEADER_LINES + 2
    line = spec_with(require).splitlines()[d.span.line - 1]
    assert line[d.span.column - 1:].startswith(require.split(" ")[0]) or require in line
    return d


# ====================================================================== units and dimensions


@pytest.mark.parametrize("require,words", [
    ("area >= households", ("area", "count")),
    ("area >= 10 %", ("area", "ratio")),
    ("households >= 10 %", ("count", "ratio")),
    ("green >= households", ("count", "ratio")),
    ("area >= street", ("area", "length")),
    ("area >= 2200", ("area", "number")),
    ("walk >= 10 m", ("time", "length")),
    ("street <= 1 h", ("length", "time")),
    ("land >= 3 km", ("area", "length")),
    ("area between 1 m2 and 10 min", ("area", "time")),
    ("area in stores.open", ("area", "truth value")),
    ("min(area, street) >= 1 m2", ("area", "length")),
    ("(if open then area else street) >= 1 m2", ("area", "length")),
])
def test_comparing_different_dimensions_names_both(require, words):
    d = one_error(require)
    assert d.code in ("E103", "E111")
    for w in words:
        assert w in d.message, d.render()
    rendered = d.render()
    assert rendered.startswith(f"t.stdl:{d.span.line}:{d.span.column}: error: ")
    assert f"rule r1 {{ require {require} }}" in rendered
    assert "^" in rendered


@pytest.mark.parametrize("require,words", [
    ("area + street >= 1 m2", ("add", "length", "area")),
    ("area - walk >= 1 m2", ("subtract", "time", "area")),
    ("area + households >= 1 m2", ("add", "count", "area")),
    ("households + 1 m2 >= 1", ("add", "area", "count")),
])
def test_adding_different_dimensions(require, words):
    d = one_error(require)
    assert d.code == "E103"
    for w in words:
        assert w in d.message
    # the caret is under the sum, not the whole comparison
    assert d.span.end_column - d.span.column == len(require.split(" >= ")[0])


def test_count_with_ratio_hint_suggests_a_share():
    d = one_error("households >= 10 %")
    assert "count" in d.message and "ratio" in d.message
    assert "count(" in d.hint


def test_area_with_number_hint_suggests_a_unit():
    d = one_error("area >= 2200")
    assert "2200 m2" in d.hint


@pytest.mark.parametrize("require", [
    "area / kindergarten.building_area >= 10 %",
    "area / land >= 10 %",
    "kindergarten.building_area / area * 100 >= 10 %",
    "area / households * 100 >= 33 m2",
    "sum(stores.building_area) / households >= 0.5 m2",
    "count(stores where open) / count(stores) >= 10 %",
    "share(stores where open) >= 10 %",
    "green >= 10 %",
    "green >= 0.1",
    "households >= 10",
    "households * 2 >= kindergarten.classes",
    "land == 2200 m2",
    "2200 m2 == 0.22 ha",
    "walk <= 0.5 h",
    "street <= 1 km",
    "10 % == 100 ‰",
    "area / street >= 1 m",
])
def test_well_dimensioned_comparisons_check(require):
    spec = sl.loads(spec_with(require))
    assert spec.rule("r1").requires


def test_2200_m2_equals_022_ha_holds():
    spec = sl.loads(spec_with("2200 m2 == 0.22 ha", "1 ha == 10000 m2", "0.22 公顷 == 2200 平方米"))
    assert [v.status.value for v in spec.evaluate([{"id": "a"}]).verdicts] == ["pass"] * 3


def test_constants_are_converted_to_base_units():
    node = check_expression(parse_expression("0.22 ha"))
    assert isinstance(node, ir.Const) and node.value == 2200 and node.type == Num(units.AREA, "quantity")
    assert check_expression(parse_expression("10 %")).value * 10 == 1
    assert check_expression(parse_expression("1.4 ‰")).type == RATIO
    assert check_expression(parse_expression("2 h")).value == 120
    assert check_expression(parse_expression("1 天")).value == 1440


def test_types_of_derived_quantities():
    rec = sl.loads(spec_with("area >= 1 m2")).entities["community"]

    def typ(text):
        return check_expression(parse_expression(text), record=rec).type

    assert typ("area / land") == RATIO
    assert typ("count(stores) / households") == RATIO
    assert typ("area / households") == Num(units.AREA, "quantity")
    assert typ("households * 2") == COUNT
    assert typ("share(stores where open)") == RATIO
    assert typ("area >= 1 m2") == BOOL
    assert typ("area * street") == Num((3, 0), "quantity")


# ====================================================================== names


@pytest.mark.parametrize("require,code,unknown,suggestion", [
    ("housholds >= 1", "E100", "housholds", "households"),
    ("kindergarten.buildng_area >= 1 m2", "E100", "buildng_area", "building_area"),
    ("kind == nwe", "E104", "nwe", "new"),
    ("kind in {new, exisitng}", "E104", "exisitng", "existing"),
    ("kind == \"exisitng\"", "E104", "exisitng", "existing"),
    ("rooms contains hal", "E104", "hal", "hall"),
    ("rooms contains all {hall, 警务}", "E104", "警务", "警务室"),
    ("cnt(stores) >= 1", "E105", "cnt", "count"),
    ("is_nwe", "E100", "is_nwe", "is_new"),
    ("all(stores where opne)", "E100", "opne", "open"),
])
def test_unknown_names_have_did_you_mean(require, code, unknown, suggestion):
    d = one_error(require)
    assert d.code == code
    assert unknown in d.message
    assert d.hint == f"did you mean `{suggestion}`?"
    line = spec_with(require).splitlines()[d.span.line - 1]
    assert line[d.span.column - 1:d.span.end_column - 1].strip('"') in (unknown, require.split(" ")[0],
                                                                         require.split("(")[0])


def test_unknown_name_with_no_close_match_still_says_where():
    d = one_error("zzzzqqq >= 1")
    assert d.code == "E100" and "zzzzqqq" in d.message and "community" in d.message


def test_glued_chinese_operator_word_in_a_name_hint():
    d = one_error("户数不小于1000")
    assert d.code == "E100" and "户数不小于1000" in d.message
    assert "不小于" in d.hint


def test_glued_chinese_operator_word_in_a_path_hint():
    """Regression: a glued operator word in a field path used to get no hint."""
    text = HEADER.replace("  key id\n", "  key id\n  幼儿园?: record { 建筑面积: m2 }\n") + \
        "goal 1 for community {\n  rule r { require 幼儿园.建筑面积不小于2200平方米 }\n}\n"
    diags = errors_of(text)
    assert len(diags) == 1
    assert "建筑面积不小于2200平方米" in diags[0].message
    assert "不小于" in (diags[0].hint or "")


def test_enum_member_typo_in_example_data():
    text = spec_with("kind == new").replace(
        "require kind == new }", 'require kind == new\n    example { given { kind: nwe } expect pass } }')
    d, = errors_of(text)
    assert d.code == "E153" and "nwe" in d.message and d.hint == "did you mean `new`?"


def test_unknown_entity_type_and_header_key():
    text = ('standard t "t" { sorce "x" }\n'
            "entity e { a: cont  b: list of nothing  c: set of colour }\n"
            "goal 1 for ee { rule r { require true } }\n")
    diags = errors_of(text)
    messages = [d.message for d in diags]
    assert any("sorce" in m for m in messages)
    assert any("cont" in m for m in messages)
    assert any("nothing" in m for m in messages)
    assert any("colour" in m for m in messages)
    assert any("`ee`" in m for m in messages)
    hints = {d.hint for d in diags}
    assert "did you mean `source`?" in hints and "did you mean `count`?" in hints
    assert "did you mean `e`?" in hints


# ====================================================================== all errors reported


def test_every_error_in_a_file_is_reported():
    text = spec_with("area >= households", "housholds >= 1", "kind == nwe", "area + street >= 1 m2",
                     "households >= 10 %", "area >= 1 m2")
    diags = errors_of(text)
    assert [d.code for d in diags] == ["E103", "E100", "E104", "E103", "E103"]
    lines = [d.span.line for d in diags]
    assert lines == [HEADER_LINES + 2 + i for i in range(5)]
    rendered = sl.StandardLangError(diags).render()
    assert rendered.count("t.stdl:") == 5


def test_errors_across_declarations_are_all_reported():
    text = HEADER + """\
goal 1 for community {
  let bad = area + 1
  rule a { require bad >= 1 m2 }
  rule a { require area >= 1 m2 }
  rule b { require area }
}
indicator 1 { target >= 100 % value for community = area }
indicator 2 { target >= 1 }
"""
    diags = errors_of(text)
    codes = [d.code for d in diags]
    assert "E103" in codes        # area + 1
    assert "E130" in codes        # rule id a used twice
    assert "E110" in codes        # require area: not a condition
    assert codes.count("E103") >= 2  # the indicator's value is an area, its target a ratio
    assert "E137" in codes        # indicator 2 has no value
    assert all(d.span is not None for d in diags if d.code != "E137"), [d.render() for d in diags]


def test_indicator_value_against_a_target_of_another_unit_reports_not_crashes():
    """Regression: this used to escape as an internal exception."""
    diags = errors_of('standard s "s" {}\nentity e { x: m2 }\nindicator 1 { target >= 1 value for e = x }')
    assert [d.code for d in diags] == ["E103"]
    assert diags[0].span.line == 3


# ====================================================================== other checks


@pytest.mark.parametrize("require,code", [
    ("present(area) >= 2 m2", "E111"),
    ("area", "E110"),
    ("not area", "E110"),
    ("open and households", "E110"),
    ("1 / 0 >= 1", "E109"),
    ("{hall} contains hall", "E107"),
    ("present(area + 1 m2)", "E113"),
    ("count(area) >= 1", "E114"),
    ("sum(stores) >= 1 m2", "E114"),
    ("share(stores) >= 1 %", "E113"),
    ("count(open for stores) >= 1", "E113"),
    ("kindergarten.classes.x >= 1", "E106"),
    ("kind == rooms", "E111"),
    ("rooms contains {hall}", "E112"),
    ("area contains hall", "E112"),
    ("kind > new", "E111"),
    ("-open", "E108"),
])
def test_type_errors(require, code):
    d = one_error(require)
    assert d.code == code, d.render()


def test_self_referential_definitions():
    text = HEADER.replace("  let is_new = kind == new\n", "  let a = b\n  let b = a\n") + \
        "goal 1 for community { rule r { require a } }\n"
    diags = errors_of(text)
    assert any(d.code == "E140" for d in diags)


def test_check_expression_without_schema_is_dynamic():
    node = check_expression(parse_expression("kindergarten.area >= 2200 and classes >= 6"))
    assert node.type == BOOL
    with pytest.raises(SpecCheckError) as info:
        check_expression(parse_expression("1 m2 >= 1 m"), Source("<e>", "1 m2 >= 1 m"))
    assert info.value.first.code == "E103"
    assert info.value.first.render().startswith("<e>:1:1: error: cannot compare area (m²) with length (m)")


def test_check_takes_an_ast_and_a_source():
    text = spec_with("area >= 1 m2")
    checked = check(parse(text), Source("x.stdl", text))
    assert [r.id for r in checked.rules] == ["r1"]
    assert checked.rules[0].strength == "shall"
    assert set(checked.entities) == {"community"}
