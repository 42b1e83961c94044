"""Items of the standard: the `item` block, its checks, the roll-up and the reports.

Takes small specs written here and the shipped column-5 spec with the example city;
checks that items parse, format and check (E160, E161), that the item outcome rolls up
as documented (met / not met / unknown / not applicable, only shall rules deciding), and
that the text, JSON, CSV and HTML reports show the 20 items with their titles per
community and an item summary per district and for the city.
"""

from __future__ import annotations

import csv
import io
import json
import pathlib

import pytest

import standardlang as sl
from standardlang.engine.items import roll_up
from standardlang.engine.verdict import Status
from standardlang.errors import SpecCheckError
from standardlang.reports import Options, render

ROOT = pathlib.Path(__file__).resolve().parent.parent

SPEC = """
standard s "S" { source "x" }
entity community "居住社区" { id: text "编号"  district: text "区"  a: number "A"  b: bool "B"  c: bool "C" }
goal 一 "目标一" for community {
  item 1 "一个社区综合服务站" {
    rule 1.a "A" { 应 require a >= 1 }
    rule 1.b "B" { 应 applies when a > 5 require b }
    rule 1.c "C" { 宜 require c }
  }
  item 2 "一个幼儿园" {
    rule 2.c "C" { 可 require c }
  }
}
"""


@pytest.fixture(scope="module")
def spec():
    return sl.loads(SPEC)


def outcome(spec, record) -> dict[str, str]:
    rep = spec.evaluate([{"id": "x", **record}])
    return {i.id: i.status.value for i in rep.items()}


@pytest.mark.parametrize("record,expected", [
    ({"a": 1, "c": False}, "pass"),            # the only applicable shall passes; a failed should does not decide
    ({"a": 0, "c": True}, "fail"),             # one shall fails
    ({"a": 6, "b": False}, "fail"),
    ({"a": 6}, "unknown"),                     # b not recorded: no shall fails, one is unknown
    ({"c": True}, "unknown"),                  # a not recorded: 1.a unknown, 1.b cannot be decided
    ({"a": 0}, "fail"),                        # a failure beats an unknown
    ({"a": 6, "b": True, "c": False}, "pass"),
])
def test_item_outcome_rolls_up_from_its_shall_rules(spec, record, expected):
    assert outcome(spec, record)["1"] == expected


def test_an_item_without_an_applicable_shall_rule_is_not_applicable(spec):
    assert outcome(spec, {"a": 1, "c": True})["2"] == "not_applicable"


def test_roll_up_order_fail_error_unknown_pass():
    class V:
        def __init__(self, status, strength="shall"):
            self.status, self.rule = status, type("R", (), {"strength": strength})()

    assert roll_up([V(Status.PASS), V(Status.UNKNOWN), V(Status.FAIL)]) is Status.FAIL
    assert roll_up([V(Status.PASS), V(Status.UNKNOWN), V(Status.ERROR)]) is Status.ERROR
    assert roll_up([V(Status.PASS), V(Status.UNKNOWN)]) is Status.UNKNOWN
    assert roll_up([V(Status.PASS), V(Status.NOT_APPLICABLE), V(Status.FAIL, "should")]) is Status.PASS
    assert roll_up([V(Status.NOT_APPLICABLE), V(Status.PASS, "may")]) is Status.NOT_APPLICABLE


def test_items_carry_number_title_goal_and_rules(spec):
    items = spec.checked.items
    assert [(i.id, i.title, i.goal_id, i.rule_ids) for i in items] == [
        ("1", "一个社区综合服务站", "一", ("1.a", "1.b", "1.c")), ("2", "一个幼儿园", "一", ("2.c",))]
    assert spec.rule("1.b").item_title == "一个社区综合服务站"


def test_beside_counts_show_should_and_may(spec):
    rep = spec.evaluate([{"id": "x", "a": 1, "c": False}])
    d = rep.items()[0].to_dict()
    assert d["recommendations"] == {"fail": 1} and d["permissions"] == {}
    assert d["rules"] == {"1.a": "pass", "1.b": "not_applicable", "1.c": "fail"}


@pytest.mark.parametrize("text,code", [
    ('item 1 "x" { rule 1.a { require a > 0 } } item 1 "y" { rule 1.b { require a > 1 } }', "E160"),
    ('item 1 "x" { rule 2.a { require a > 0 } }', "E161"),
])
def test_item_mistakes_are_check_errors(text, code):
    src = SPEC.split("goal")[0] + 'goal 一 "g" for community { ' + text + " }"
    with pytest.raises(SpecCheckError) as exc:
        sl.loads(src)
    assert code in [d.code for d in exc.value.diagnostics]


def test_items_format_and_parse_back():
    from standardlang.tools.formatter import format_source

    text = format_source(SPEC)
    assert 'item 1 "一个社区综合服务站" {' in text
    assert format_source(text) == text
    assert sl.loads(text).checked.items == sl.loads(SPEC).checked.items


# ------------------------------------------------------------------ the shipped spec and the example city
@pytest.fixture(scope="module")
def city_report():
    spec = sl.load(ROOT / "specs" / "complete_community.stdl")
    data = json.loads((ROOT / "examples" / "wuhai" / "inventory.json").read_text(encoding="utf-8"))
    return spec.evaluate({"communities": data["communities"]})


TITLES = ["一个社区综合服务站", "一个幼儿园", "一个托儿所", "一个老年服务站", "一个社区卫生服务站", "一个综合超市",
          "多个邮件和快件寄递服务设施", "其他便民商业网点", "水、电、路、气、热、信等设施", "停车及充电设施", "慢行系统",
          "无障碍设施", "环境卫生设施", "公共活动场地", "公共绿地", "物业服务", "物业管理服务平台", "管理机制",
          "综合管理服务", "社区文化"]


def test_every_community_gets_twenty_items_with_titles(city_report):
    by_record: dict[str, list] = {}
    for it in city_report.items():
        by_record.setdefault(it.record_id, []).append(it)
    assert len(by_record) == len(city_report.results)
    for items in by_record.values():
        assert [i.title for i in items] == TITLES


def test_item_summary_per_district_and_city(city_report):
    groups = city_report.item_summary()
    assert set(groups) == {"", "海勃湾区", "乌达区", "海南区"}
    n = len(city_report.results)
    for s in groups[""]:
        assert s.judged == n
        assert s.counts == {k: sum(groups[d][int(s.item.id) - 1].counts.get(k, 0) for d in groups if d)
                            for k in s.counts}


def test_json_report_carries_items(city_report):
    doc = json.loads(render([city_report], "json"))
    rep = doc["reports"][0]
    assert [i["title"] for i in rep["items"]] == TITLES
    assert all(len(r["items"]) == 20 for r in rep["results"])
    assert set(rep["item_summary"]) == {"", "海勃湾区", "乌达区", "海南区"}
    jsonschema = pytest.importorskip("jsonschema")
    from standardlang.reports.json_report import REPORT_JSON_SCHEMA

    jsonschema.validate(doc, REPORT_JSON_SCHEMA)


def test_text_report_groups_by_item(city_report):
    text = render([city_report], "text", Options(lang="zh"))
    for n, title in enumerate(TITLES, 1):
        assert f"第{n}项 {title}" in text
    assert "条目汇总" in text and "海勃湾区" in text


def test_csv_report_has_an_item_view(city_report):
    rows = list(csv.DictReader(io.StringIO(render([city_report], "csv"))))
    items = [r for r in rows if r["kind"] == "item"]
    assert len(items) == 20 * len(city_report.results)
    first = [r["title"] for r in items[:20]]
    assert first == TITLES
    assert {r["status"] for r in items} <= {"pass", "fail", "unknown", "not_applicable", "error"}


def test_html_report_holds_items_and_their_summary(city_report):
    html = render([city_report], "html")
    for title in TITLES:
        assert title in html
    assert '"groups":[{"group":"","counts":' in html
