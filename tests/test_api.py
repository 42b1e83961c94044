"""The library API: compile, load, evaluate, statuses, errors, reports, explanations."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction

import pytest

import standardlang as sl
from standardlang.engine.verdict import Status

from conftest import ROOT

DEMO = ROOT / "tests" / "demo.stdl"


# ====================================================================== sl.compile


def test_compile_a_condition_and_evaluate():
    rule = sl.compile("kindergarten.area >= 2200 and classes >= 6")
    assert isinstance(rule, sl.Expression) and rule.is_condition
    v = rule.evaluate({"kindergarten": {"area": 2300}, "classes": 6})
    assert v.status == "pass"
    assert v.status is Status.PASS
    assert v.passed
    assert rule({"kindergarten": {"area": 2100}, "classes": 6}).status == "fail"
    assert rule.evaluate_many([{}, {"classes": 1}]) == [Status.UNKNOWN, Status.FAIL]


def test_compile_a_value_and_evaluate():
    e = sl.compile("area / households")
    assert not e.is_condition
    v = e.evaluate({"area": 10, "households": 4})
    assert v.value == Fraction(5, 2) and v.status == "pass" and str(v) == "2.5"
    unknown = e.evaluate({"area": 10})
    assert unknown.value is None and unknown.status == "unknown"
    assert unknown.missing == ("households",)
    assert "missing: households" in unknown.explain()
    bad = e.evaluate({"area": "ten", "households": 4})
    assert bad.status == "error" and "bad data" in bad.explain()
    assert e.evaluate_many([{"area": 1, "households": 1}, {}]) == [1, None]


def test_status_is_a_str_valued_enum():
    v = sl.compile("x >= 1").evaluate({"x": 1})
    assert isinstance(v.status, str)
    assert v.status == "pass" and v.status != "fail"
    assert str(v.status) == "pass" and f"{v.status}" == "pass"
    assert Status("not_applicable") is Status.NOT_APPLICABLE
    assert {s.value for s in Status} == {"pass", "fail", "unknown", "not_applicable", "error"}
    assert json.dumps({"s": v.status}) == '{"s": "pass"}'
    assert sl.Status is Status


def test_compile_errors_are_standardlang_errors():
    for text, cls in [("x >=", sl.SpecSyntaxError), ("1 m2 >= 1 m", sl.SpecCheckError), ("foo(x)", sl.SpecCheckError)]:
        with pytest.raises(sl.StandardLangError) as info:
            sl.compile(text)
        assert isinstance(info.value, cls)
        d = info.value.first
        assert isinstance(d, sl.Diagnostic)
        assert d.render().startswith("<expr>:1:")
        assert set(d.to_dict()) >= {"code", "severity", "message", "file", "line", "column"}
        json.dumps(d.to_dict())
        assert str(info.value) == info.value.render()


def test_error_hierarchy():
    for cls in (sl.SpecSyntaxError, sl.SpecCheckError, sl.DataError):
        assert issubclass(cls, sl.StandardLangError)
    assert issubclass(sl.StandardLangError, Exception)
    e = sl.StandardLangError("plain message")
    assert e.first.code == "G000" and "plain message" in str(e)  # E000 is a syntax code only


def test_compile_against_a_spec_schema():
    spec = sl.load(DEMO)
    e = sl.compile("kindergarten.land_area >= 3500 m2", spec=spec)
    assert e.evaluate({"kindergarten": {"land_area": 0.35}}).status == "pass"  # declared in ha
    assert spec.expression("is_new").evaluate({"kind": "新建居住社区"}).status == "pass"
    with pytest.raises(sl.SpecCheckError):
        sl.compile("kindergarten.land_area >= 3500", spec=spec)


# ====================================================================== sl.load / loads


def test_load_a_spec_file():
    spec = sl.load(DEMO)
    assert isinstance(spec, sl.Spec)
    assert spec.name == "demo" and spec.title == "幼儿园配建标准(示例)"
    assert [r.id for r in spec.rules] == ["2.building_area", "2.land", "6", "1.rooms"]
    assert spec.rule("6").alternatives[0].name == "stores"
    assert spec.rule("2.building_area").strength == "shall"
    assert spec.rule("2.building_area").cite == "建筑面积不小于2200平方米"
    assert [i.id for i in spec.indicators] == ["1"]
    assert set(spec.entities) == {"community", "subdistrict", "city"}
    assert spec.path == str(DEMO)
    assert sl.load(str(DEMO)).name == "demo"


def test_loads_and_load_agree():
    text = DEMO.read_text("utf-8")
    a, b = sl.loads(text, "demo.stdl"), sl.load(DEMO)
    records = [{"id": "1", "kind": "new", "kindergarten": {"building_area": 2100}}]
    assert [v.status for v in a.evaluate(records)] == [v.status for v in b.evaluate(records)]


def test_load_errors(tmp_path):
    with pytest.raises(sl.StandardLangError) as info:
        sl.load(tmp_path / "missing.stdl")
    assert "cannot read" in str(info.value)
    bad = tmp_path / "latin1.stdl"
    bad.write_bytes('standard s "é" {}'.encode("latin-1"))
    with pytest.raises(sl.StandardLangError) as info:
        sl.load(bad)
    assert "UTF-8" in str(info.value)
    syntax = tmp_path / "syntax.stdl"
    syntax.write_text('standard s "t" {\n  source\n}\n', "utf-8")
    with pytest.raises(sl.SpecSyntaxError) as info:
        sl.load(syntax)
    assert str(info.value).startswith(f"{syntax}:3:1: error:")


def test_inline_examples_of_the_demo_pass():
    from standardlang.tools.testing import run_examples

    results = run_examples(sl.load(DEMO))
    assert len(results) == 12
    assert all(r.ok for r in results), [r.name for r in results if not r.ok]


# ====================================================================== evaluation and reports

RECORDS = [
    {"id": "c1", "subdistrict": "s1", "kind": "new", "rooms": ["hall", "police"],
     "kindergarten": {"classes": 6, "building_area": 2100, "land_area": 0.35}, "supermarket": None,
     "convenience_stores": None},
    {"id": "c2", "subdistrict": "s1", "kind": "constrained", "rooms": ["hall"], "kindergarten": None,
     "supermarket": None, "convenience_stores": [{"building_area": 50}, {"building_area": 100}]},
    {"id": "c3", "subdistrict": "s1", "kind": "existing", "kindergarten": {"classes": 6, "building_area": 2200.0},
     "supermarket": None, "convenience_stores": None},
]


def test_evaluate_records():
    spec = sl.load(DEMO)
    report = spec.evaluate(RECORDS)
    assert isinstance(report, sl.Report)
    assert len(report) == 12 and len(list(report)) == 12
    assert [r.record_id for r in report.results] == ["c1", "c2", "c3"]
    c1 = report.record("c1")
    assert c1.verdict("2.building_area").status == "fail"
    assert c1.verdict("1.rooms").status == "pass"
    assert report.record("c2").verdict("6").status == "pass"
    assert report.record("c3").verdict("2.land").status == "not_applicable"
    assert report.summary()["shall"]["fail"] >= 1
    assert all(v.rule.strength == "shall" and v.status == "fail" for v in report.failed_requirements())
    with pytest.raises(KeyError):
        report.record("nope")


def test_evaluate_one_record_and_select_rules():
    spec = sl.load(DEMO)
    report = spec.evaluate(RECORDS[0], rules=["2.building_area"])
    assert [(v.record_id, v.rule_id, v.status.value) for v in report.verdicts] == [("c1", "2.building_area", "fail")]
    assert spec.statuses(RECORDS, "2.building_area") == [Status.FAIL, Status.FAIL, Status.PASS]


def test_explain_shows_value_with_unit_and_threshold():
    spec = sl.load(DEMO)
    v = spec.evaluate(RECORDS).record("c1").verdict("2.building_area")
    text = v.explain()
    assert "kindergarten.building_area is 2100 m², needs ≥ 2200 m²" in text
    assert text.startswith("✗ fail  2.building_area 幼儿园建筑面积  [shall 应]")
    assert "建筑面积不小于2200平方米" in text
    assert str(v.explanation()) == text


def test_explain_unknown_lists_missing_fields():
    spec = sl.load(DEMO)
    v = spec.evaluate([{"id": "x", "kind": "new", "kindergarten": {"classes": 6}}]).verdicts[0]
    assert v.status == "unknown"
    assert v.missing == ("kindergarten.building_area",)
    assert "missing: kindergarten.building_area" in v.explain()


def test_explain_shares_and_hectares():
    spec = sl.load(DEMO)
    v = spec.evaluate([{"id": "x", "kind": "new", "kindergarten": {"land_area": 0.3499}}]).record("x").verdict("2.land")
    assert v.status == "fail"
    assert "kindergarten.land_area is 3499 m², needs ≥ 3500 m²" in v.explain()
    result = spec.indicator_value("1", {"communities": [{"kindergarten": {}}, {"kindergarten": None}, {"kindergarten": None}]}, "subdistrict")
    assert result.status == "fail"
    assert result.value == Fraction(1, 3) and result.target_text == "≥ 100 %"
    assert result.value_text.startswith("≈33.33") and result.value_text.endswith(" %")
    assert f"value {result.value_text}, target ≥ 100 %: fail" in result.explain()


def test_report_to_dict_is_json_serializable():
    spec = sl.load(DEMO)
    records = {"community": RECORDS + [{"id": "bad", "subdistrict": "s1", "kindergarten": {"building_area": "six"}}],
               "subdistrict": [{"id": "s1", "city": "w"}], "city": [{"id": "w"}]}
    report = spec.evaluate(records)
    d = report.to_dict()
    text = json.dumps(d, ensure_ascii=False)
    back = json.loads(text)
    assert back["schema"] == "standardlang.report/1"
    assert back["spec"]["name"] == "demo"
    assert back["records_read"] == {"community": 4, "subdistrict": 1, "city": 1}
    statuses = {v["status"] for r in back["results"] for v in r["verdicts"]}
    assert statuses >= {"pass", "fail", "unknown", "error"}
    bad = next(r for r in back["results"] if r["record"] == "bad")
    assert bad["problems"][0]["field"] == "kindergarten.building_area"  # only the rules reading it err
    assert bad["problems"][0]["value"] == "six"
    inds = {(i["entity"], i["record"]): i for i in back["indicators"]}
    assert inds[("subdistrict", "s1")]["value"] == pytest.approx(0.75)  # 3 of its 4 communities
    assert inds[("subdistrict", "s1")]["value_text"] == "75 %"
    assert inds[("city", "w")]["status"] == "fail"
    json.dumps(report.to_dict(explain=False))


def test_verdict_to_dict():
    spec = sl.load(DEMO)
    v = spec.evaluate([{"id": "x", "kind": "new", "kindergarten": {"classes": 6}}]).verdicts[0]
    d = v.to_dict()
    assert d["status"] == "unknown" and d["missing"] == ["kindergarten.building_area"]
    assert d["rule"] == "2.building_area" and d["strength"] == "shall" and d["record"] == "x"
    json.dumps(d)


def test_expression_verdict_to_dict_and_explain():
    v = sl.compile("a.b >= 10 %").evaluate({"a": {"b": 0.05}})
    assert v.status == "fail"
    json.dumps(v.to_dict())
    assert "a.b is 0.05, needs ≥ 10 %" in v.explain()


# ====================================================================== bad calls


def test_evaluate_for_an_unknown_entity():
    """Regression: this raised KeyError."""
    with pytest.raises(sl.StandardLangError):
        sl.load(DEMO).evaluate([{}], entity="nope")


def test_evaluate_with_a_spec_without_entities():
    """Regression: this raised KeyError('record')."""
    spec = sl.loads('standard s "t" {}')
    assert len(spec.evaluate([{}])) == 0


@pytest.mark.parametrize("records", [5, "text", None])
def test_evaluate_rejects_what_is_not_records(records):
    with pytest.raises(sl.StandardLangError):
        sl.load(DEMO).evaluate(records)


def test_records_that_are_not_objects_give_error_verdicts():
    report = sl.load(DEMO).evaluate({"community": [1, "x", {"id": "ok"}]})
    assert [[v.status.value for v in r.verdicts] for r in report.results][:2] == [["error"] * 4] * 2
    assert "error" not in [v.status.value for v in report.results[2].verdicts]


# ====================================================================== import cost


def test_import_standardlang_does_not_import_lark():
    code = ("import sys, standardlang as sl; "
            "assert 'lark' not in sys.modules, 'lark imported'; "
            "print(sl.__version__, sorted(m for m in sys.modules if m.startswith('standardlang')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "standardlang.lang.parser" not in out.stdout


def test_public_names():
    for name in sl.__all__:
        assert getattr(sl, name) is not None
    with pytest.raises(AttributeError):
        sl.no_such_name  # noqa: B018


def test_missing_of_a_value_lets_a_bug_through(monkeypatch):
    """Value.missing swallows bad data only: a bug in the interpreter is raised, not an empty list."""
    e = sl.compile("a + b")
    v = e.evaluate({"a": 1})
    assert v.missing == ("b",)

    def broken(*args, **kwargs):
        raise NameError("a bug")
    monkeypatch.setattr(e.interpreter, "eval", broken)
    with pytest.raises(NameError):
        v.missing
