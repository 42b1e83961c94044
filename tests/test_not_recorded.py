"""'Not recorded' is not 'none' (issue 11 §2), at every boundary.

A facility a survey did not cover (a key left out, every CSV cell empty) makes the rules
that need it unknown and an indicator a range; a facility written absent (``null``,
``false``, ``无``, ``none``, ``0``) fails where the standard demands it. Each input format
(JSON, JSON Lines, YAML, CSV, XLSX) must say both, the back ends must agree, and the
planner must say "survey first" rather than propose building what may be there.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

import standardlang as sl
from standardlang.backends.python.runtime import Bounds
from standardlang.data.readers import convert_cell, load_data
from standardlang.engine.verdict import Status
from standardlang.lang.types import COUNT, SetT, EnumT

ROOT = Path(__file__).resolve().parent.parent
DEMO = sl.load(ROOT / "tests" / "demo.stdl")
INDICATORS = sl.load(ROOT / "specs" / "wuhai_indicators.stdl")
COMMUNITY = sl.load(ROOT / "specs" / "complete_community.stdl")


def _kindergarten_verdicts(ds) -> dict:
    report = DEMO.evaluate_inventory(ds.inventory)
    return {r.record_id: r.verdict("2.building_area").status for r in report.results}


# ------------------------------------------------------------------ JSON, JSON Lines, YAML
JSON_ROWS = [
    {"id": "left_out", "kind": "new"},                                  # not surveyed
    {"id": "null", "kind": "new", "kindergarten": None},                # surveyed: none
    {"id": "false", "kind": "new", "kindergarten": False},              # none, as a yes/no
    {"id": "zero", "kind": "new", "kindergarten": 0},
    {"id": "wu", "kind": "new", "幼儿园": "无"},
    {"id": "there", "kind": "new", "kindergarten": {}},                 # there, area not recorded
    {"id": "true", "kind": "new", "kindergarten": True},
    {"id": "big", "kind": "new", "kindergarten": {"building_area": 2200}},
]
EXPECTED = {"left_out": Status.UNKNOWN, "null": Status.FAIL, "false": Status.FAIL, "zero": Status.FAIL,
            "wu": Status.FAIL, "there": Status.UNKNOWN, "true": Status.UNKNOWN, "big": Status.PASS}


def test_json_missing_key_null_false_and_empty_record(tmp_path):
    p = tmp_path / "communities.json"
    p.write_text(json.dumps(JSON_ROWS, ensure_ascii=False), encoding="utf-8")
    ds = load_data([p], DEMO)
    recs = {r["id"]: r for r in ds.inventory.records["community"]}
    assert "kindergarten" not in recs["left_out"]
    assert [recs[k]["kindergarten"] for k in ("null", "false", "zero", "wu")] == [None] * 4
    assert recs["true"]["kindergarten"] == {}
    assert _kindergarten_verdicts(ds) == EXPECTED
    v = DEMO.evaluate_inventory(ds.inventory).record("left_out").verdict("2.building_area")
    assert v.missing == ("kindergarten",) and "kindergarten is not recorded" in v.explain()
    assert "幼儿园:未记录" in v.explain("zh") or "kindergarten:未记录" in v.explain("zh")


def test_json_lines_and_yaml_say_the_same(tmp_path):
    jl = tmp_path / "communities.jsonl"
    jl.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in JSON_ROWS) + "\n", encoding="utf-8")
    assert _kindergarten_verdicts(load_data([jl], DEMO)) == EXPECTED
    pytest.importorskip("yaml")
    y = tmp_path / "communities.yaml"
    y.write_text("居住社区:\n"
                 "  - {编号: a, 类型: new}\n"
                 "  - {编号: b, 类型: new, 幼儿园: null}\n"
                 "  - {编号: c, 类型: new, 幼儿园: 无}\n"
                 "  - {编号: d, 类型: new, 幼儿园: {建筑面积: 2300}}\n", encoding="utf-8")
    assert _kindergarten_verdicts(load_data([y], DEMO)) == {
        "a": Status.UNKNOWN, "b": Status.FAIL, "c": Status.FAIL, "d": Status.PASS}


def test_an_optional_list_left_out_is_unknown_and_null_is_none():
    e = DEMO.expression("count(convenience_stores)")
    assert [e.evaluate(r).value for r in ({}, {"convenience_stores": None}, {"convenience_stores": []})] == [None, 0, 0]
    p = DEMO.expression("present(kindergarten)")
    assert [p.evaluate(r).status.value for r in ({}, {"kindergarten": None}, {"kindergarten": {}})] == [
        "unknown", "fail", "pass"]


# ------------------------------------------------------------------ CSV and XLSX cells
CSV = """编号,类型,幼儿园,幼儿园.建筑面积,便利店,便利店[0].建筑面积
empty,new,,,,
wu,new,无,,无,
none,new,none,,none,
zero,new,0,,0,
you,new,有,,,
braces,new,{},,,
sub,new,,2300,,60
both,new,无,2300,,
"""


def test_csv_empty_is_not_recorded_and_wu_none_0_are_absent(tmp_path):
    p = tmp_path / "communities.csv"
    p.write_text(CSV, encoding="utf-8")
    ds = load_data([p], DEMO)
    recs = {r["id"]: r for r in ds.inventory.records["community"]}
    assert "kindergarten" not in recs["empty"] and "convenience_stores" not in recs["empty"]
    for k in ("wu", "none", "zero"):
        assert recs[k]["kindergarten"] is None and recs[k]["convenience_stores"] is None, k
    assert recs["you"]["kindergarten"] == {} == recs["braces"]["kindergarten"]
    assert recs["sub"]["kindergarten"] == {"building_area": 2300}
    assert recs["sub"]["convenience_stores"] == [{"building_area": 60}]
    report = DEMO.evaluate_inventory(ds.inventory)
    got = {r.record_id: r.verdict("2.building_area").status.value for r in report.results}
    assert got == {"empty": "unknown", "wu": "fail", "none": "fail", "zero": "fail", "you": "unknown",
                   "braces": "unknown", "sub": "pass", "both": "error"}
    both = report.record("both")  # 无 in its own column, yet an area in its sub-column: a contradiction
    assert both.problems and both.problems[0].path == "kindergarten" and "written as absent" in both.problems[0].message
    count = DEMO.expression("count(convenience_stores)")
    assert [count.evaluate(recs[k]).value for k in ("empty", "wu", "sub")] == [None, 0, 1]


def test_count_and_set_cells_read_none_words():
    assert convert_cell("无", COUNT) == 0 and convert_cell("none", COUNT) == 0 and convert_cell("0", COUNT) == 0
    assert convert_cell("", COUNT) is not 0  # noqa: F632 — an empty cell is ABSENT (not recorded), not 0
    rooms = SetT(EnumT("rooms", ("hall", "police")))
    assert convert_cell("无", rooms) == [] and convert_cell("hall;police", rooms) == ["hall", "police"]


def test_xlsx_empty_cell_zero_false_and_wu(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "居住社区"
    ws.append(["编号", "类型", "幼儿园", "幼儿园.建筑面积"])
    ws.append(["empty", "new", None, None])
    ws.append(["zero", "new", 0, None])
    ws.append(["false", "new", False, None])
    ws.append(["wu", "new", "无", None])
    ws.append(["there", "new", None, 2300])
    p = tmp_path / "inventory.xlsx"
    wb.save(p)
    assert _kindergarten_verdicts(load_data([p], DEMO)) == {
        "empty": Status.UNKNOWN, "zero": Status.FAIL, "false": Status.FAIL, "wu": Status.FAIL, "there": Status.PASS}


# ------------------------------------------------------------------ indicators 1 and 5: ranges, never lower
def _city(communities: list) -> dict:
    return {"id": "w", "name": "市", "districts": [{"id": "d", "name": "区", "subdistricts": [
        {"id": "s", "name": "街道", "communities": communities}]}]}


def _community(i: int, **facilities) -> dict:
    base = {"id": f"c{i}", "households": 1000, "total_building_area": 10000, "commercial_area": 900,
            "info_platform": True, "service_station": None, "elderly_station": None, "day_care_center": None}
    base.update(facilities)
    return {k: v for k, v in base.items() if v is not ...}  # ... : the key left out (not recorded)


STATION = {"building_area": 400, "activity_area": 300}


def _value(ind: str, city: dict):
    """The compiled value, checked against the reference interpreter's."""
    result = INDICATORS.indicator_value(ind, city, "city")
    node = next(i for i in INDICATORS.indicators if i.id == ind).value_for("city")
    assert INDICATORS.interpreter.eval(node, [INDICATORS.inventory({"city": [city]}).records["city"][0]]) == result.value
    return result


def test_binding_indicators_1_and_5_become_ranges_not_lower():
    known = [_community(1, service_station=STATION, elderly_station={}), _community(2, service_station=STATION,
             elderly_station={}), _community(3), _community(4, service_station=STATION, elderly_station={})]
    v1 = _value("1", _city(known))
    assert v1.value == Fraction(3, 4) and v1.status == "fail"
    unsurveyed = known[:2] + [_community(3, service_station=..., elderly_station=...)] + known[3:]
    v1 = _value("1", _city(unsurveyed))
    assert v1.value == Bounds(Fraction(3, 4), 1) and v1.status == "unknown" and v1.value_text == "75 %–100 %"
    v5 = _value("5", _city(unsurveyed))
    assert v5.value == Bounds(Fraction(3, 4), 1) and v5.status == "unknown"
    # one more without a station (written null): the range lies below the target, a failure, still a range
    more = unsurveyed + [_community(5)]
    v1 = _value("1", _city(more))
    assert v1.value == Bounds(Fraction(3, 5), Fraction(4, 5)) and v1.status == "fail"


# ------------------------------------------------------------------ the specs and the planner
def test_a_facility_not_surveyed_leaves_its_item_unknown_in_the_shipped_spec():
    rec = {"id": "c", "kind": "new", "service_station": None}
    assert COMMUNITY.judge(rec, "community").verdict("1.rooms").status is Status.FAIL
    del rec["service_station"]
    v = COMMUNITY.judge(rec, "community").verdict("1.rooms")
    assert v.status is Status.UNKNOWN and "service_station" in v.missing


def test_the_planner_surveys_first_and_never_builds_what_is_not_recorded():
    data = {"community": [{"id": "absent", "kind": "new", "service_station": None},
                          {"id": "unsurveyed", "kind": "new"}]}
    plan = sl.plan([COMMUNITY], data)
    by = {c.record_id: c for c in plan.communities}
    built = {ch.path for i in by["absent"].items for r in i.routes[:1] for ch in r.changes if ch.action == "create"}
    assert "service_station" in built and "service_station" not in by["absent"].survey
    assert "service_station" in by["unsurveyed"].survey
    assert not any(ch.path.startswith("service_station") for i in by["unsurveyed"].items
                   for r in i.routes for ch in r.changes)
    city = plan.place("city", "city")
    assert city.totals.build["service_station"] == 1 and city.totals.survey["service_station"] == 1
    assert "unsurveyed" in city.totals.to_survey and "unsurveyed" not in city.totals.communities
    from standardlang.reports.plan_html import render_html

    page = render_html(plan, "zh")
    survey = page.split('data-table="survey"')[1].split("</table>")[0]
    assert "先调查:未记录的设施(不计入新建)" in page and "service_station" in survey
