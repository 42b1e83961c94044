"""What a new policy author or analyst meets in the first minutes (issue 13), kept smooth.

Each test pins one point a newcomer stumbled on: explanations say only what decides,
messages suggest the word meant, the check summary counts things as what they are.
The error texts themselves are golden files (``tests/golden/errors``); the runnable
docs are ``tests/test_docs_blocks.py``.
"""

from __future__ import annotations

import standardlang as sl

from conftest import ROOT
from test_html_report import driver, js, open_page  # noqa: F401  (the browser fixture)

DEMO = ROOT / "tests" / "demo.stdl"


def test_explaining_an_absent_facility_says_only_what_decides():
    spec = sl.load(DEMO)
    v = spec.judge({"id": "c2", "kind": "existing", "households": 800, "kindergarten": None},
                   "community").verdict("2.building_area")
    text = v.explain()
    assert v.status is sl.Status.FAIL
    assert "kindergarten is absent" in text
    assert "building_area" not in text.split("requires:")[1].split("source")[0]
    assert "缺少数据" not in v.explain("zh")


def test_an_unknown_part_is_still_shown_when_it_decides():
    spec = sl.load(DEMO)
    v = spec.judge({"id": "c5", "kind": "new", "households": 800, "kindergarten": {"classes": 6}},
                   "community").verdict("2.building_area")
    assert v.status is sl.Status.UNKNOWN
    assert "kindergarten.building_area is unknown" in v.explain()


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    import contextlib
    import io

    from standardlang import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


def test_a_spec_after_data_is_read_as_a_spec_and_said_so():
    data = str(ROOT / "tests" / "data" / "communities.csv")
    code, out, err = run_cli(["check", "--data", data, str(DEMO)])
    assert code == 1, err
    assert "demo.stdl after --data is a spec file, read as a spec" in err
    assert "FAILED" in out
    assert run_cli(["check", str(DEMO), "--data", data])[1] == out


def test_explain_with_the_spec_and_rule_after_data():
    data = str(ROOT / "tests" / "data" / "communities.csv")
    code, out, err = run_cli(["explain", "--data", data, str(DEMO), "2.building_area", "--record", "c2"])
    assert code == 0, err
    assert "kindergarten is absent" in out and "SPEC RULE --data" in err


# ---------------------------------------------------------------------- the check summary
def _check(*argv: str) -> tuple[int, str, str]:
    return run_cli(["check", *argv])


def test_the_example_city_ends_with_a_summary_and_what_to_try_next():
    code, out, err = _check(str(ROOT / "specs" / "complete_community.stdl"), str(ROOT / "specs" / "wuhai_indicators.stdl"),
                            "--data", str(ROOT / "examples" / "wuhai" / "inventory.json"))
    assert code == 1, err
    tail = out.rstrip().splitlines()
    short = tail.index("in short")
    summary = "\n".join(tail[short:])
    assert "complete_community: 100 communities (居住社区) judged; on average" in summary
    assert "items most often not met: " in summary and "rules most often failed: " in summary
    assert "binding indicators off target at the top levels: 1 社区综合服务设施覆盖率 (≥ 100 %): 乌海市 89 %–91 %" in summary  # two stations not surveyed
    assert tail[-2].startswith("try next: a page to browse: add --format html -o report.html · why: standardlang explain ")
    assert "--lang zh" in tail[-2]
    # counts named as what they count: verdicts of rules in records; values of indicators
    assert tail[-1].startswith("FAILED (--fail-on shall): ") and " failed verdicts (of " in tail[-1]
    assert "failed rules" not in tail[-1] and "indicator values off target (of 4 binding indicators" in tail[-1]
    # the levels the community standard does not judge are read by the other spec: nothing to say
    assert "is no entity of spec" not in out and "notes:" not in out


def test_levels_no_spec_reads_make_one_quiet_note():
    code, out, _ = _check(str(ROOT / "specs" / "complete_community.stdl"),
                          "--data", str(ROOT / "examples" / "wuhai" / "inventory.json"))
    notes = [line for line in out.splitlines() if "inventory.json:" in line]
    assert notes == [f"  {ROOT / 'examples' / 'wuhai' / 'inventory.json'}: `city`, `districts`, `subdistricts` "
                     "are no levels of spec complete_community; not read for it"]


def test_plurals():
    from standardlang.reports.summary import plural

    assert [plural(1, "record"), plural(2, "record"), plural(1, "community"), plural(3, "community")] == [
        "1 record", "2 records", "1 community", "3 communities"]
    spec = sl.load(DEMO)
    from standardlang.reports import render, Options

    text = render([spec.evaluate([{"id": "c1", "kind": "new", "households": 10, "rooms": ["hall"], "kindergarten": None,
                                           "supermarket": None, "convenience_stores": None}])], "text", Options())
    assert "1 records" not in text and "failed verdicts (of 2 rules in 1 record)" in text
    assert text.rstrip().endswith("0 verdicts in error, no indicator value off target")
    assert "judged 1 record against" in text and "— 1 record" in text


def test_the_html_report_is_chinese_unless_asked_otherwise(tmp_path):
    data = str(ROOT / "tests" / "data" / "communities.csv")
    page, page_en = tmp_path / "r.html", tmp_path / "r_en.html"
    code, _, err = _check(str(DEMO), "--data", data, "--format", "html", "-o", str(page))
    assert code == 1 and "read 4 records, judged 4 records against 1 spec\n" in err
    assert '<html lang="zh-CN">' in page.read_text(encoding="utf-8")
    _check(str(DEMO), "--data", data, "--format", "html", "--lang", "en", "-o", str(page_en))
    assert '<html lang="en">' in page_en.read_text(encoding="utf-8")


def test_explain_finds_a_record_by_its_unique_name():
    data = str(ROOT / "examples" / "wuhai" / "inventory.json")
    spec = str(ROOT / "specs" / "complete_community.stdl")
    code, out, err = run_cli(["explain", spec, "2.building_area", "--data", data, "--record", "阳光社区"])
    assert code == 0, err
    assert "record 150304003004 of community" in out
    code, _, err = run_cli(["explain", spec, "2.building_area", "--data", data, "--record", "无此社区"])
    assert code == 2 and "no community record `无此社区`" in err


def test_explain_by_a_name_two_records_share_asks_for_the_key(tmp_path):
    spec = tmp_path / "s.stdl"
    spec.write_text('standard s "s" { }\nentity community { key id  id: text  name: text  a: count }\n'
                    'goal g "g" for community { rule r { require a >= 1 } }\n', encoding="utf-8")
    data = tmp_path / "communities.csv"
    data.write_text("id,name,a\nc1,同名社区,1\nc2,同名社区,0\n", encoding="utf-8")
    code, _, err = run_cli(["explain", str(spec), "r", "--data", str(data), "--record", "同名社区"])
    assert code == 2 and "2 community records are named `同名社区`: c1, c2" in err and "give the key" in err


# ---------------------------------------------------------------------- preparing a data file
TEMPLATES = ROOT / "docs" / "templates"


def test_the_shipped_templates_are_what_schema_writes():
    from standardlang.data.schema_export import csv_template

    expected = {}
    for path in sorted((ROOT / "specs").glob("*.stdl")):
        spec = sl.load(path)
        for entity, rec in spec.entities.items():
            if rec.fields:
                expected[f"{spec.name}.{entity}.csv"] = "\ufeff" + csv_template(spec, entity)
    shipped = {p.name: p.read_text(encoding="utf-8") for p in TEMPLATES.glob("*.csv")}
    assert shipped == expected, ("docs/templates drifted from the specs: run `standardlang schema specs/X.stdl "
                                 "--format csv-template --entity E -o docs/templates/X.E.csv`")


def test_a_filled_template_is_read_field_by_field(tmp_path):
    from standardlang.data.schema_export import csv_template

    spec = sl.load(ROOT / "specs" / "complete_community.stdl")
    for lang in ("en", "zh"):
        header = csv_template(spec, "community", lang).rstrip("\n").split(",")
        assert "kindergarten.building_area" in header if lang == "en" else "幼儿园.建筑面积" in header
        i = header.index("kindergarten.building_area" if lang == "en" else "幼儿园.建筑面积")
        row = [""] * len(header)
        row[0], row[i] = "c1", "2,400"
        data = tmp_path / f"communities_{lang}.csv"
        data.write_text(",".join(header) + "\n" + ",".join(f'"{c}"' if "," in c else c for c in row) + "\n",
                        encoding="utf-8")
        code, out, err = _check(str(ROOT / "specs" / "complete_community.stdl"), "--data", str(data),
                                "--format", "json", "-o", str(tmp_path / "r.json"))
        assert "match no field" not in err, err  # every template column is a field
        import json

        report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
        verdicts = {v["rule"]: v for r in report["reports"][0]["results"] for v in r["verdicts"]}
        assert verdicts["2.building_area"]["status"] == "pass"


def test_the_label_form_of_the_data_model_is_a_header(tmp_path):
    data = tmp_path / "communities.csv"
    data.write_text("编号,类型,幼儿园·班数,幼儿园・建筑面积,户数,功能用房\nc1,新建,6,2200,100,hall\n", encoding="utf-8")
    report = sl.load(DEMO).evaluate(_read(data))
    assert report.record("c1").verdict("2.building_area").status is sl.Status.PASS


def _read(path):
    from standardlang.data.readers import read_files
    from standardlang.data.binding import bind

    spec = sl.load(DEMO)
    return bind(read_files([str(path)]), spec, None, ()).inventory


def test_numbers_as_strings_in_json_are_read_as_in_csv(tmp_path):
    import json

    data = tmp_path / "communities.json"
    data.write_text(json.dumps([
        {"id": "c1", "kind": "new", "households": "1,200", "rooms": ["hall", "police"],
         "kindergarten": {"classes": "6", "building_area": "2300平方米", "land_area": "0.4"}},
        {"id": "c2", "kind": "new", "households": 800, "rooms": ["hall"],
         "kindergarten": {"classes": 6, "building_area": "两千", "land_area": 0.4}}], ensure_ascii=False),
        encoding="utf-8")
    report = sl.load(DEMO).evaluate(_read(data))
    assert report.record("c1").verdict("2.building_area").status is sl.Status.PASS
    bad = report.record("c2").verdict("2.building_area")
    assert bad.status is sl.Status.ERROR and "found '两千'" in bad.error


def test_schema_markdown_marks_fields_required_when_their_record_is_present():
    from standardlang.data.schema_export import field_rows, json_schema, markdown

    spec = sl.load(ROOT / "specs" / "complete_community.stdl")
    text = markdown(spec, "community")
    assert "| `kindergarten.building_area` | 建筑面积 | area | m2 | when `kindergarten` is present | ≥ 0 |" in text
    assert "| `kindergarten` | 幼儿园 | record |  | no |  |" in text
    # the same fields as the JSON Schema lists as required in the nested record
    schema = json_schema(spec, "community")
    nested = schema["$defs"]["community"]["properties"]["kindergarten"]
    rows = [r for r in field_rows(spec.entities["community"]) if r.path.startswith("kindergarten.")]
    assert {r.path.split(".", 1)[1] for r in rows if r.required_in == "kindergarten"} == set(nested["required"])


# ---------------------------------------------------------------------- numbers
def test_one_rounding_rule_and_a_failing_value_never_reads_as_its_target():
    from fractions import Fraction as F

    from standardlang.engine.verdict import format_number

    assert format_number(F(472375, 1000000), "%") == "≈47.24 %"  # was exact to 4 decimals beside ≈4.33 %
    assert format_number(F(1, 3), "%") == "≈33.33 %" and format_number(F(3325, 100)) == "33.25"
    assert format_number(F(32999, 1000), "㎡", against=33) == "≈32.999 ㎡"
    assert format_number(F(3299999, 100000), "㎡", against=33) == "≈32.99999 ㎡"
    assert format_number(F(180001, 10000), "", against=18) == "≈18.0001"
    assert format_number(F(17, 3), "", against=18) == "≈5.67"  # far from the target: two decimals
    spec = sl.load(DEMO)
    v = spec.judge({"id": "c", "kind": "new", "households": 1, "rooms": ["hall"],
                    "kindergarten": {"classes": 6, "building_area": F(21999999, 10000)}}, "community")
    text = v.verdict("2.building_area").explain()
    assert "kindergarten.building_area is ≈2199.9999 m², needs ≥ 2200 m²" in text


# ---------------------------------------------------------------------- Chinese output
def test_chinese_explanations_name_fields_by_their_labels():
    spec = sl.load(DEMO)
    result = spec.judge({"id": "c", "kind": "new", "households": 1, "rooms": ["hall"],
                         "kindergarten": {"classes": 5, "building_area": 2100}}, "community")
    zh = result.verdict("2.building_area").explain("zh")
    assert "幼儿园·建筑面积 为 2100 m²,要求 ≥ 2200 m²" in zh and "kindergarten.building_area" not in zh
    assert "幼儿园:有" in zh
    en = result.verdict("2.building_area").explain()
    assert "kindergarten.building_area is 2100 m², needs ≥ 2200 m²" in en  # English keeps the field ids


def test_the_chinese_html_page_heads_columns_with_rule_titles(driver, tmp_path):
    """In a browser: zh headers are the rules' titles with the id on hover; en headers the ids."""
    report = sl.load(DEMO).evaluate([{"id": "c1", "kind": "new"}])
    heads = """return Array.from(document.querySelectorAll('th[data-rule-id]')).map(function (th) {
                 return [th.dataset.ruleId, th.textContent, th.title]; });"""
    open_page(driver, tmp_path, [report], name="zh.html", lang="zh")
    zh = {rid: (text, hover) for rid, text, hover in js(driver, heads)}
    assert zh["2.building_area"][0] == "幼儿园建筑面积" and zh["2.building_area"][1].startswith("2.building_area 幼儿园建筑面积")
    open_page(driver, tmp_path, [report], name="en.html", lang="en")
    en = {rid: (text, hover) for rid, text, hover in js(driver, heads)}
    assert en["2.building_area"][0] == "2.building_area"
