"""The command line: check, eval, explain, schema, indicators; formats, filters and exit codes."""

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from standardlang.cli import main

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
DEMO = str(HERE / "demo.stdl")
STRENGTHS = str(DATA / "strengths.stdl")
LEVELS = [str(DATA / "communities.csv"), str(DATA / "subdistricts.csv"), str(DATA / "city.json")]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# ------------------------------------------------------------------ check: exit codes
def test_check_exit_1_when_a_requirement_fails(capsys):
    code, out, err = run(capsys, "check", DEMO, "--data", *LEVELS)
    assert code == 1
    assert "read 7 records (community 4, subdistrict 2, city 1)" in out and "judged 4 records" in out
    assert "communities.csv row 4): kindergarten.building_area: expected a number, found '两千'" in out
    assert "\x1b[" not in out  # not a terminal: no colour


def test_check_exit_0_when_every_requirement_passes(capsys):
    code, out, _ = run(capsys, "check", DEMO, "--data", DATA / "all_pass.json")
    assert code == 0 and out.rstrip().endswith("OK: nothing fails")


def test_check_exit_2_for_a_spec_error(capsys, tmp_path):
    bad = tmp_path / "bad.stdl"
    bad.write_text('standard x "x" { }\nentity community { key id id: txt }\n', encoding="utf-8")
    code, _, err = run(capsys, "check", bad, "--data", DATA / "all_pass.json")
    assert code == 2 and "bad.stdl:2" in err and "unknown type `txt`" in err


def test_check_exit_2_for_usage_errors(capsys):
    assert run(capsys, "check", DEMO)[0] == 2  # --data is required
    code, _, err = run(capsys, "check", DEMO, "--data", DATA / "all_pass.json", "--only", "2.buildng_area")
    assert code == 2 and "no rule or indicator `2.buildng_area`" in err and "did you mean `2.building_area`" in err
    code, _, err = run(capsys, "check", DEMO, "--data", DATA / "all_pass.json", "--entity", "district")
    assert code == 2 and "no entity `district`" in err
    code, _, err = run(capsys, "check", DEMO, "--data", DATA / "all_pass.json", "--where", "households + 1")
    assert code == 2 and "--where needs a condition" in err
    code, _, err = run(capsys, "check", DEMO, "--data", DATA / "all_pass.json", "--where", "nonsense == 1")
    assert code == 2 and "nonsense" in err


def test_check_exit_3_for_unreadable_data(capsys):
    code, _, err = run(capsys, "check", DEMO, "--data", DATA / "missing.csv")
    assert code == 3 and "missing.csv" in err and "cannot read data file" in err
    code, _, err = run(capsys, "check", DEMO, "--data", DATA / "bad.json")
    assert code == 3 and "bad.json:3:" in err and "not valid JSON" in err


# ------------------------------------------------------------------ check: options
def test_where_filters_records_and_reports_the_undecided(capsys):
    code, out, _ = run(capsys, "check", STRENGTHS, "--data", DATA / "strengths.csv", "--where", 'district == "海勃湾区"')
    assert code == 0  # c, which fails rule 1, is in 海南区
    assert "kept 2, left out 2" in out and "unknown — district" in out
    code, out, _ = run(capsys, "check", STRENGTHS, "--data", DATA / "strengths.csv", "--where", 'district == "海南区"',
                       "--format", "json")
    doc = json.loads(out)
    assert code == 1 and [r["record"] for r in doc["reports"][0]["results"]] == ["c"]
    assert doc["reports"][0]["where"]["undetermined"][0]["record"] == "d"


def test_only_and_skip(capsys):
    code, out, _ = run(capsys, "check", DEMO, "--data", *LEVELS, "--only", "2.*", "--format", "json")
    rep = json.loads(out)["reports"][0]
    assert {v["rule"] for r in rep["results"] for v in r["verdicts"]} == {"2.building_area", "2.land"}
    assert [r["id"] for r in rep["rules"]] == ["2.building_area", "2.land"]
    assert rep["indicators"] == []
    code, out, _ = run(capsys, "check", DEMO, "--data", *LEVELS, "--skip", "2.building_area", "2.land", "1.rooms",
                       "--skip", "1", "--format", "json")
    rep = json.loads(out)["reports"][0]
    assert {v["rule"] for r in rep["results"] for v in r["verdicts"]} == {"6"}
    assert code == 1  # c4's rule 6 is in error (an unknown kind)
    code, out, _ = run(capsys, "check", DEMO, "--data", *LEVELS, "--only", "一", "--format", "json")
    assert len(json.loads(out)["reports"][0]["rules"]) == 4  # a goal id selects its rules


def test_fail_on(capsys):
    args = ["check", STRENGTHS, "--data", DATA / "strengths.csv", "--skip", "1"]
    assert run(capsys, *args)[0] == 0  # should-rule failures do not fail by default
    assert run(capsys, *args, "--fail-on", "should")[0] == 1
    assert run(capsys, "check", STRENGTHS, "--data", DATA / "strengths.csv", "--fail-on", "never")[0] == 0


def test_formats_to_output_files(capsys, tmp_path):
    out_csv = tmp_path / "r.csv"
    code, out, err = run(capsys, "check", DEMO, "--data", *LEVELS, "--format", "csv", "--output", out_csv)
    assert code == 1 and out == "" and "wrote" in err
    raw = out_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so spreadsheets read the Chinese
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len([r for r in rows if r["kind"] == "rule"]) == 16
    err_row = next(r for r in rows if r["record"] == "c3" and r["rule"] == "2.building_area")
    assert err_row["status"] == "error" and "row 4" in err_row["explanation"]
    junit = tmp_path / "r.xml"
    assert run(capsys, "check", DEMO, "--data", *LEVELS, "--format", "junit", "-o", junit)[0] == 1
    assert ET.parse(junit).getroot().get("failures") == "7"
    out_json = tmp_path / "r.json"
    run(capsys, "check", DEMO, "--data", *LEVELS, "--format", "json", "-o", out_json, "--lang", "zh")
    assert json.loads(out_json.read_text(encoding="utf-8"))["schema"] == "standardlang.report/1"


def test_html_format_writes_the_html_renderers_page(capsys, tmp_path):
    pytest.importorskip("standardlang.reports.html")
    page = tmp_path / "r.html"
    code, _, _ = run(capsys, "check", DEMO, "--data", *LEVELS, "--format", "html", "--output", page)
    assert code == 1 and "<html" in page.read_text(encoding="utf-8").lower()


def test_text_in_chinese_and_warnings(capsys):
    code, out, err = run(capsys, "check", DEMO, "--data", *LEVELS, "--lang", "zh")
    assert "读取 7 条记录" in out and "居住社区" in out and "不通过" in out
    assert "备注" in out and err == ""  # warnings are in the text report itself
    code, out, err = run(capsys, "check", DEMO, "--data", *LEVELS, "--format", "csv")
    assert "warning:" in err and "备注" in err


def test_several_specs_and_level_files(capsys, tmp_path):
    districts = tmp_path / "districts.csv"
    districts.write_text("id,name\nd1,海勃湾区\n", encoding="utf-8")
    code, out, err = run(capsys, "check", DEMO, STRENGTHS, "--data", *LEVELS, DATA / "strengths.csv", districts,
                         "--format", "json")
    doc = json.loads(out)
    assert [r["spec"]["name"] for r in doc["reports"]] == ["demo", "strengths"]
    assert doc["reports"][0]["records_read"] == {"community": 8, "subdistrict": 2, "city": 1}
    assert doc["reports"][1]["records_read"] == {"community": 8}  # a file no level name names is read by every spec
    assert any("districts" in w for w in doc["reports"][1]["warnings"])


# ------------------------------------------------------------------ eval
def test_eval_values_and_conditions(capsys):
    assert run(capsys, "eval", "1 + 2 * 3")[1] == "7\n"
    assert run(capsys, "eval", "0.22 ha")[1] == "2200 m²\n"
    code, out, _ = run(capsys, "eval", "households / 2")
    assert code == 0 and out.splitlines() == ["unknown", "  missing: households"]
    code, out, _ = run(capsys, "eval", "kindergarten.building_area * 2", "--spec", DEMO, "--data", *LEVELS)
    assert out.splitlines()[0] == "c1: 4600 m²" and "c3: unknown (bad data" in out
    code, out, _ = run(capsys, "eval", "kindergarten.land_area", "--spec", DEMO, "--data", *LEVELS, "--record", "c1")
    assert out == "4000 m²\n"  # 0.4 ha
    code, out, _ = run(capsys, "eval", "rooms contains all {hall, 警务室}", "--spec", DEMO, "--data", *LEVELS,
                       "--record", "#2")
    assert out.startswith("✗ fail") and "rooms is {hall}" in out
    code, out, _ = run(capsys, "eval", "户数 >= 1000", "--data", DATA / "communities.tsv")
    assert out.splitlines() == ["c1: pass", "c2: fail"]  # records found by 编号 without a spec
    code, _, err = run(capsys, "eval", "households >=", "--spec", DEMO)
    assert code == 2 and "error" in err
    code, _, err = run(capsys, "eval", "households", "--spec", DEMO, "--data", *LEVELS, "--record", "c9")
    assert code == 2 and "no community record `c9`" in err


# ------------------------------------------------------------------ explain
def test_explain_a_rule_for_a_record(capsys):
    code, out, _ = run(capsys, "explain", DEMO, "2.building_area", "--data", *LEVELS, "--record", "c2")
    assert code == 0
    assert "record c2 of community (居住社区), from" in out and "communities.csv row 3" in out
    assert "goal 一 基本公共服务设施完善" in out
    assert "✗ fail  2.building_area 幼儿园建筑面积" in out and "source (一.2): 建筑面积不小于2200平方米" in out
    code, out, _ = run(capsys, "explain", DEMO, "2.building_area", "--data", *LEVELS, "--record", "#3")
    assert "record c3" in out and "! error" in out and "data problems" in out and "row 4" in out


def test_explain_an_indicator_for_the_city(capsys):
    code, out, _ = run(capsys, "explain", DEMO, "1", "--data", *LEVELS, "--record", "wuhai")
    assert code == 0 and "value 75 %, target ≥ 100 %: fail" in out
    lines = out.splitlines()
    below = lines[lines.index(next(ln for ln in lines if ln.startswith("subdistrict records below"))) + 1:]
    assert below[0].split()[:3] == ["fail", "s1:", "50"] and below[1].split()[:3] == ["pass", "s2:", "100"]
    code, _, err = run(capsys, "explain", DEMO, "9", "--data", *LEVELS, "--record", "wuhai")
    assert code == 2 and "has no rule `9`" in err


# ------------------------------------------------------------------ schema
def test_schema_command(capsys):
    code, out, _ = run(capsys, "schema", DEMO, "--entity", "居住社区")
    schema = json.loads(out)
    assert code == 0 and schema["$ref"] == "#/$defs/community"
    code, out, _ = run(capsys, "schema", DEMO, "--format", "markdown")
    assert "## community (居住社区)" in out and "| `kindergarten.building_area` | 建筑面积 | area | m2 | when `kindergarten` is present |" in out


# ------------------------------------------------------------------ indicators
def test_indicators_command(capsys):
    code, out, _ = run(capsys, "indicators", DEMO, "--data", *LEVELS)
    assert code == 1  # a binding indicator is off target
    assert "binding (约束性)" in out and "1 覆盖率" in out and "75 % ✗" in out
    code, out, _ = run(capsys, "indicators", DEMO, "--data", *LEVELS, "--format", "json", "--levels", "city")
    ind = json.loads(out)["specs"][0]["indicators"][0]
    assert [v["entity"] for v in ind["values"]] == ["city"]
    code, out, _ = run(capsys, "indicators", DEMO, "--data", *LEVELS, "--format", "csv", "--fail-on", "never")
    assert code == 0 and out.splitlines()[0].startswith("spec,indicator,title,attribute")
    code, _, err = run(capsys, "indicators", STRENGTHS, "--data", DATA / "strengths.csv")
    assert code == 2 and "none of the specs given has indicators" in err


def test_the_wuhai_specs_when_they_load(capsys, tmp_path):
    spec = ROOT / "specs" / "wuhai_indicators.stdl"
    try:
        import standardlang as sl
        sl.load(spec)
    except Exception:
        pytest.skip("specs/wuhai_indicators.stdl does not load yet")
    c = tmp_path / "communities.csv"
    c.write_text("id,name,district,subdistrict,kind,households,total_building_area,service_station,"
                 "service_station.building_area,service_station.activity_area,commercial_area,info_platform\n"
                 "c1,新华社区,海勃湾区,s1,既有居住社区,1200,20000,,800,500,1500,是\n"
                 "c2,团结社区,海勃湾区,s1,existing,800,10000,无,,,400,否\n", encoding="utf-8")
    (tmp_path / "subdistricts.csv").write_text("id,name,district,kind,social_work_station\ns1,新华街道,d1,街道,是\n",
                                               encoding="utf-8")
    (tmp_path / "districts.csv").write_text("id,name,city\nd1,海勃湾区,w\n", encoding="utf-8")
    (tmp_path / "city.csv").write_text("id,name\nw,乌海市\n", encoding="utf-8")
    files = [tmp_path / n for n in ("communities.csv", "subdistricts.csv", "districts.csv", "city.csv")]
    code, out, _ = run(capsys, "indicators", spec, "--data", *files, "--format", "json")
    doc = json.loads(out)["specs"][0]
    cover = next(i for i in doc["indicators"] if i["id"] == "1")
    assert [(v["name"], v["value_text"]) for v in cover["values"]] == [("乌海市", "50 %"), ("海勃湾区", "50 %")]


# ------------------------------------------------------------------ the real command line
def test_python_dash_m_standardlang(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-m", "standardlang", "check", DEMO, "--data", *LEVELS],
                          capture_output=True, text=True, encoding="utf-8", env=env, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "failed requirements (2):" in proc.stdout and "\x1b[" not in proc.stdout
    assert "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "standardlang", "check", DEMO, "--data", str(DATA / "bad.json")],
                          capture_output=True, text=True, encoding="utf-8", env=env, cwd=tmp_path)
    assert proc.returncode == 3 and "not valid JSON" in proc.stderr and "Traceback" not in proc.stderr
