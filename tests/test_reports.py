"""Report renderers: text, JSON (against its documented schema), CSV, JUnit, indicators; the JSON Schema export."""

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import standardlang as sl
from standardlang.cli.check import judge_dataset
from standardlang.data.readers import load_data
from standardlang.reports import (Options, Progress, concise, exit_code, one_line, render, use_color)
from standardlang.reports.csv_report import COLUMNS, render_indicators_csv
from standardlang.reports.json_report import REPORT_JSON_SCHEMA, render_indicators_json
from standardlang.reports.text import render_indicators_text
from standardlang.data.schema_export import field_rows, json_schema, markdown

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
LEVEL_FILES = [DATA / "communities.csv", DATA / "subdistricts.csv", DATA / "city.json"]


@pytest.fixture(scope="module")
def demo():
    return sl.load(HERE / "demo.stdl")


@pytest.fixture(scope="module")
def strengths():
    return sl.load(DATA / "strengths.stdl")


@pytest.fixture
def report(demo):
    return judge_dataset(demo, load_data(LEVEL_FILES, demo))


@pytest.fixture
def sreport(strengths):
    return judge_dataset(strengths, load_data([DATA / "strengths.csv"], strengths))


# ------------------------------------------------------------------ text
def test_text_has_a_table_summary_failures_and_data_errors(report):
    text = render([report], "text", Options())
    assert "\x1b[" not in text
    assert "read 7 records (community 4, subdistrict 2, city 1)" in text
    assert "judged 4 records against 4 rules" in text
    lines = text.splitlines()
    header = next(ln for ln in lines if ln.startswith("record "))
    assert header.split() == ["record", "2.building_area", "2.land", "6", "1.rooms"]
    assert next(ln for ln in lines if ln.startswith("c2 ")).split() == ["c2", "✗", "–", "?", "✗"]
    summary = next(ln for ln in lines if ln.startswith("shall (应)"))
    assert summary.split()[2:] == ["8", "2", "1", "2", "3", "16"]  # c3 2.land: n/a, not error
    assert "failed requirements (2):" in text
    assert "    c2: rooms is {hall}, needs to contain all of {hall, 警务室}" in text
    assert "    source: 建筑面积不小于2200平方米" in text
    assert ("! c3 (" + str(DATA / "communities.csv") + " row 4): kindergarten.building_area: expected a number, "
            "found '两千'") in text
    assert "1 覆盖率" in text and "75 % ✗" in text
    assert text.rstrip().endswith("FAILED (--fail-on shall): 2 failed verdicts (of 2 rules in 1 record), "
                                  "3 verdicts in error, 2 indicator values off target (of 1 binding indicator, "
                                  "at every level)")


def test_text_in_chinese_and_in_colour(report):
    zh = render([report], "text", Options(lang="zh"))
    assert "居住社区 — 4 条记录" in zh
    assert "通过" in zh and "不通过" in zh and "未通过的要求(应)" in zh and "数据错误" in zh and "约束性" in zh
    coloured = render([report], "text", Options(color=True))
    assert "\x1b[31m✗\x1b[0m" in coloured and "\x1b[32m✓\x1b[0m" in coloured


def test_text_lists_counts_instead_of_a_matrix_for_many_rules(demo, tmp_path):
    rules = "\n".join(f'rule r{i} "r{i}" {{ require households >= {i} }}' for i in range(10))
    spec = sl.loads(f'standard many "m" {{}} entity community {{ key id id: text households: count }} '
                    f'goal g "g" for community {{ {rules} }}')
    rep = spec.evaluate([{"id": "a", "households": 5}])
    text = render([rep], "text", Options())
    row = next(ln for ln in text.splitlines() if ln.startswith("a "))
    assert row.split()[:6] == ["a", "6", "4", "0", "0", "0"]
    assert row.endswith("r6, r7, r8, r9")


def test_where_and_warnings_in_text(strengths):
    ds = load_data([DATA / "strengths.csv"], strengths)
    rep = judge_dataset(strengths, ds, where='district == "海勃湾区"')
    text = render([rep], "text", Options())
    assert 'filter --where district == "海勃湾区" (community): kept 2, left out 2' in text
    assert "d (" in text and "unknown — district" in text
    assert [r.record_id for r in rep.results] == ["a", "b"]


# ------------------------------------------------------------------ explanations
def test_concise_and_one_line(report):
    c2 = report.record("c2")
    v = c2.verdict("2.building_area")
    assert one_line(v) == "kindergarten is absent"
    assert concise(v) == ["✗ kindergarten is absent", "source: 建筑面积不小于2200平方米"]
    err = report.record("c3").verdict("2.building_area")
    assert one_line(err, "x.csv row 4") == "x.csv row 4: kindergarten.building_area: expected a number, found '两千'"
    assert one_line(c2.verdict("1.rooms")) == "rooms is {hall}, needs to contain all of {hall, 警务室}"
    assert one_line(report.record("c1").verdict("1.rooms")) == ""


# ------------------------------------------------------------------ json
def test_json_follows_the_documented_schema(report):
    doc = json.loads(render([report], "json", Options()))
    assert doc["schema"] == "standardlang.report/1"
    assert doc["outcome"] == "fail" and doc["failures"] == 7 and doc["fail_on"] == "shall"
    rep = doc["reports"][0]
    for key in REPORT_JSON_SCHEMA["properties"]["reports"]["items"]["required"]:
        assert key in rep
    assert rep["records_read"] == {"community": 4, "subdistrict": 2, "city": 1}
    assert rep["records_judged"] == 4
    assert rep["summary"]["shall"] == {"pass": 8, "fail": 2, "unknown": 1, "not_applicable": 2, "error": 3}
    c3 = next(r for r in rep["results"] if r["record"] == "c3")
    assert c3["source"] == {"file": str(DATA / "communities.csv"), "row": 4}
    assert c3["problems"] == [{"field": "kindergarten.building_area", "value": "两千",
                               "message": "expected a number, found '两千'"}]
    bad = next(v for v in c3["verdicts"] if v["rule"] == "2.building_area")
    assert bad["status"] == "error" and "kindergarten.building_area" in bad["error"]
    passed = next(v for v in c3["verdicts"] if v["rule"] == "1.rooms")
    assert "explanation" not in passed  # explanations for failures only, by default
    assert [i["value"] for i in rep["indicators"]] == [0.75, 0.5, 1.0]


def test_json_validates_with_jsonschema(report, sreport):
    jsonschema = pytest.importorskip("jsonschema")
    doc = json.loads(render([report, sreport], "json", Options(explain="all")))
    jsonschema.Draft202012Validator(REPORT_JSON_SCHEMA).validate(doc)
    doc["reports"][0]["results"][0]["verdicts"][0]["status"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(REPORT_JSON_SCHEMA).validate(doc)


def test_report_format_doc_names_every_key():
    doc = (HERE.parent / "docs" / "report-format.md").read_text(encoding="utf-8")
    assert "standardlang.report/1" in doc
    for key in REPORT_JSON_SCHEMA["properties"]["reports"]["items"]["properties"]:
        assert f"`{key}`" in doc, key


# ------------------------------------------------------------------ csv
def test_csv_one_row_per_record_and_rule(report):
    rows = list(csv.reader(io.StringIO(render([report], "csv", Options()))))
    assert rows[0] == COLUMNS
    rule_rows = [r for r in rows[1:] if r[10] == "rule"]
    assert len(rule_rows) == 16 and len(rows) - 1 - len(rule_rows) == 3  # 3 indicator rows
    row = next(r for r in rule_rows if r[2] == "c3" and r[3] == "2.building_area")
    assert row[7] == "error" and "communities.csv row 4: kindergarten.building_area" in row[9]
    assert row[11].endswith("communities.csv row 4")
    c2 = next(r for r in rule_rows if r[2] == "c2" and r[3] == "2.building_area")
    assert c2[4:8] == ["幼儿园建筑面积", "一", "shall", "fail"] and c2[9] == "kindergarten is absent"
    zh = list(csv.reader(io.StringIO(render([report], "csv", Options(lang="zh")))))
    assert zh[0] == COLUMNS and {r[7] for r in zh[1:]} >= {"通过", "不通过", "错误"}


# ------------------------------------------------------------------ junit
def test_junit_parses_and_marks_failures_by_fail_on(sreport):
    root = ET.fromstring(render([sreport], "junit", Options()))
    assert root.tag == "testsuites" and root.get("tests") == "12"
    suite = root.find("testsuite")
    assert suite.get("name") == "strengths.community"
    assert (suite.get("failures"), suite.get("skipped")) == ("1", "4")
    failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [(c.get("classname"), c.get("name")) for c in failed] == [("strengths.community.c", "1 面积")]
    assert "area is 80 m², needs ≥ 100 m²" in failed[0].find("failure").get("message")
    skipped = suite.findall("testcase/skipped")
    assert all(s.get("type") == "not_applicable" for s in skipped)
    should = ET.fromstring(render([sreport], "junit", Options(fail_on="should")))
    assert should.get("failures") == "3"
    never = ET.fromstring(render([sreport], "junit", Options(fail_on="never")))
    assert never.get("failures") == "0"


def test_junit_indicator_suites_and_errors(report):
    root = ET.fromstring(render([report], "junit", Options()))
    names = [s.get("name") for s in root.findall("testsuite")]
    assert names == ["demo.community", "demo.indicators.city", "demo.indicators.subdistrict"]
    errors = [c for c in root.iter("testcase") if (f := c.find("failure")) is not None and f.get("type") == "error"]
    assert len(errors) == 3


# ------------------------------------------------------------------ exit codes, progress, colour
def test_exit_code_follows_fail_on(sreport):
    assert exit_code([sreport], "shall") == 1
    assert exit_code([sreport], "never") == 0
    ok = [r for r in sreport.results if r.record_id != "c"]
    from standardlang.engine.program import Report
    assert exit_code([Report(sreport.spec, ok, [], {})], "shall") == 0
    assert exit_code([Report(sreport.spec, ok, [], {})], "should") == 1


class FakeStream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


def test_progress_only_on_a_terminal_and_for_long_runs():
    quiet = FakeStream(tty=False)
    p = Progress(1000, stream=quiet)
    for _ in range(1000):
        p.advance()
    p.close()
    assert quiet.getvalue() == ""
    short = FakeStream(tty=True)
    Progress(10, stream=short).advance()
    assert short.getvalue() == ""
    tty = FakeStream(tty=True)
    p = Progress(1000, stream=tty)
    for _ in range(1000):
        p.advance()
    assert "judging 1000/1000" in tty.getvalue() and "judging 10/1000" in tty.getvalue()


def test_colour_only_on_a_terminal_without_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(FakeStream(tty=True)) is True
    assert use_color(FakeStream(tty=False)) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(FakeStream(tty=True)) is False


def test_reports_without_provenance_render_too(demo):
    rep = demo.evaluate([{"id": "x", "kind": "new"}])
    for fmt in ("text", "json", "csv", "junit"):
        assert "x" in render([rep], fmt, Options())


def test_html_calls_the_html_renderer(report, monkeypatch):
    html = pytest.importorskip("standardlang.reports.html")
    seen = {}

    def fake(reports, *, lang="zh"):
        seen["args"] = (reports, lang)
        return "<html>ok</html>"
    monkeypatch.setattr(html, "render_html", fake)
    assert render([report], "html", Options(lang="en")) == "<html>ok</html>"
    assert seen["args"] == ([report], "en")


# ------------------------------------------------------------------ indicators
def test_indicator_renderers(report):
    text = render_indicators_text([report], Options())
    assert "binding (约束性)" in text and "≥ 100 %" in text
    assert "wuhai" in text and "s1" in text and "50 % ✗" in text
    doc = json.loads(render_indicators_json([report], Options()))
    assert doc["schema"] == "standardlang.indicators/1"
    ind = doc["specs"][0]["indicators"][0]
    assert ind["id"] == "1" and ind["attribute"] == "binding" and ind["target_text"] == "≥ 100 %"
    assert [(v["entity"], v["record"], v["status"]) for v in ind["values"]] == [
        ("city", "wuhai", "fail"), ("subdistrict", "s1", "fail"), ("subdistrict", "s2", "pass")]
    rows = list(csv.reader(io.StringIO(render_indicators_csv([report], Options()))))
    assert rows[0][:4] == ["spec", "indicator", "title", "attribute"] and len(rows) == 4


def test_members_holding_the_total_back_come_first():
    spec = sl.loads('''
standard s "s" {}
entity community { key id  id: text  city: text  area: m2 }
entity city { key id  id: text  communities: list of community by city }
indicator a "面积" {
  expected
  target >= 100 m2
  value for city = avg(communities.area)
  value for community = area
}''')
    rep = spec.evaluate({"city": [{"id": "w"}], "community": [
        {"id": "ok", "city": "w", "area": 150}, {"id": "worst", "city": "w", "area": 10},
        {"id": "bad", "city": "w", "area": 90}, {"id": "none", "city": "w"}]})
    text = render_indicators_text([rep], Options(top=2))
    line = next(ln for ln in text.splitlines() if "holding back" in ln)
    assert line.index("worst") < line.index("bad") and "… +1" in line and "ok" not in line
    doc = json.loads(render_indicators_json([rep], Options()))
    assert [m["record"] for m in doc["specs"][0]["indicators"][0]["members"]] == ["worst", "bad", "none", "ok"]


# ------------------------------------------------------------------ JSON Schema export
def test_json_schema_of_a_record(demo):
    schema = json_schema(demo, "community")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    props = schema["$defs"]["community"]["properties"]
    assert props["households"] == {"title": "户数", "type": "integer", "minimum": 0,
                                   "description": "a count (whole number)"}
    assert props["kindergarten"]["properties"]["land_area"]["description"] == "area, in ha"
    assert "null" in props["kindergarten"]["type"]
    assert set(schema["$defs"]["community"]["required"]) == {"id", "subdistrict", "kind", "households", "rooms"}
    assert "新建居住社区" in schema["$defs"]["enum.community_kind"]["enum"]


def test_json_schema_validates_a_good_record_and_rejects_bad_ones(demo):
    jsonschema = pytest.importorskip("jsonschema")
    v = jsonschema.Draft202012Validator(json_schema(demo, "community"))
    good = {"id": "c1", "subdistrict": "s1", "kind": "新建居住社区", "households": 1200,
            "kindergarten": {"classes": 6, "building_area": 2300, "land_area": 0.4},
            "convenience_stores": [{"building_area": 60}], "rooms": ["hall", "police"]}
    v.validate(good)
    for bad in ({**good, "households": -1}, {**good, "kind": "新建"}, {**good, "rooms": ["gym"]},
                {**good, "kindergarten": {"building_area": "两千"}}, {k: x for k, x in good.items() if k != "kind"}):
        assert not v.is_valid(bad), bad
    whole = jsonschema.Draft202012Validator(json_schema(demo))
    whole.validate(json.loads((DATA / "all_pass.json").read_text(encoding="utf-8")))
    assert not whole.is_valid({"communities": [{**good, "households": "many"}]})


def test_markdown_and_field_rows(demo):
    rows = {r.path: r for r in field_rows(demo.entities["community"])}
    assert rows["kindergarten.land_area"].unit == "ha" and not rows["kindergarten.land_area"].required
    assert rows["convenience_stores[].building_area"].label == "建筑面积"
    md = markdown(demo)
    assert "| `kind` | 类型 | enum community_kind |  | yes | new (新建居住社区)" in md
    assert "| `subdistricts` |  | list of subdistrict |  | no | linked by subdistrict.city |" in md
