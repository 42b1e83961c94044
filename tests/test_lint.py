"""``standardlang lint``: one snippet per finding code, suppression, output and the shipped specs."""

import json
import pathlib

import pytest

from standardlang.cli import main
from standardlang.tools.lint import lint_source, modal_words, strength_verdict

ROOT = pathlib.Path(__file__).resolve().parent.parent

BASE = """standard t "t" { source "s" }
enum kind_t { new "新建", existing "既有", constrained "受约束" }
entity c "c" {
  key id
  id: text
  kind: kind_t
  households: count "户数"
  score: number range 0 to 100
  area: m2
  land: ha range 0 to 2
  ok: bool
  stores?: list { area: m2 }
  let is_new = kind == new
}
"""


def lint(goal_body: str, extra: str = "") -> list:
    text = BASE + extra + 'goal 1 "g" for c {\n' + goal_body + "\n}\n"
    # BASE defines is_new for the snippets that need it; the others need not use it
    return [d for d in lint_source(text, "t.stdl") if not (d.code == "L006" and "`is_new`" in d.message)]


def rule(body: str, rid: str = "r", cite: str = '"应"') -> str:
    return f'  rule {rid} {{\n    cite {cite}\n    {body}\n    example {{ given {{ ok: true }} expect pass }}\n  }}'


def codes(findings) -> list[str]:
    return [d.code for d in findings]


# ---------------------------------------------------------------- L001 never holds
def test_L001_contradiction():
    found = lint(rule("require households >= 10 and households <= 5"))
    assert codes(found) == ["L001"]
    assert "can never hold" in found[0].message
    assert found[0].span.line == BASE.count("\n") + 4


def test_L001_exact_fractions_and_whole_counts():
    # a count strictly between 5 and 6 is impossible; 0.1 + 0.2 is exactly 0.3
    assert codes(lint(rule("require households > 5 and households < 6"))) == ["L001"]
    assert codes(lint(rule("require score >= 0.3 and score <= 0.1 + 0.2"))) == []
    assert codes(lint(rule("require score > 0.3 and score <= 0.1 + 0.2"))) == ["L001"]


def test_L001_enum_and_negation():
    assert codes(lint(rule("require kind == new and not is_new"))) == ["L001"]
    assert codes(lint(rule("require kind in {new, existing} and kind == constrained"))) == ["L001"]
    assert codes(lint(rule("require ok and not ok"))) == ["L001"]


def test_L001_requirements_against_applicability():
    found = lint(rule("applies when households < 100\n    require households >= 200"))
    assert codes(found) == ["L001"]
    assert "applies when households < 100" in found[0].message


def test_L001_inside_an_aggregate_filter():
    found = lint(rule("require count(stores where area > 5 m2 and area < 2 m2) >= 1"))
    assert codes(found) == ["L001"]


# ---------------------------------------------------------------- L002 always holds
def test_L002_tautology():
    found = lint(rule("require households >= 5 or households < 5"))
    assert codes(found) == ["L002"]


def test_L002_applies_when_always_true():
    found = lint(rule("applies when kind in {new, existing, constrained}\n    require ok"))
    assert codes(found) == ["L002"]
    assert "never not_applicable" in found[0].message


# ---------------------------------------------------------------- L003 decided by the schema
def test_L003_outside_declared_range():
    found = lint(rule("require score > 150"))
    assert codes(found) == ["L003"]
    assert "range 0 to 100" in found[0].message


def test_L003_range_in_the_fields_own_unit():
    # land is declared in hectares: 0 to 2 ha is 0 to 20000 m²
    assert codes(lint(rule("require land <= 30000 m2"))) == ["L003"]
    assert codes(lint(rule("require land <= 15000 m2"))) == []


def test_L003_negative_threshold_for_count_and_area():
    assert codes(lint(rule("require area >= -5 m2"))) == ["L003"]
    assert codes(lint(rule("require households < 0"))) == ["L003"]
    assert codes(lint(rule("require households >= 0"))) == ["L003"]
    assert codes(lint(rule("require households >= 1"))) == []


# ---------------------------------------------------------------- L004 branches never taken
def test_L004_rule_never_applies():
    found = lint(rule("applies when kind == new and kind == existing\n    require ok"))
    assert codes(found) == ["L004"]
    assert "never applies" in found[0].message


def test_L004_alternative_never_applies():
    body = ("applies when is_new\n    require area >= 300 m2\n"
            "    alternative small { applies when kind == constrained require ok }")
    found = lint(rule(body))
    assert codes(found) == ["L004"]
    assert "alternative small can never apply" in found[0].message


def test_L004_alternative_never_needed():
    body = ("require area >= 300 m2\n"
            "    alternative bigger { applies when is_new require area >= 400 m2 }")
    found = lint(rule(body))
    assert codes(found) == ["L004"]
    assert "never taken" in found[0].message


def test_L004_if_branch_never_taken():
    found = lint(rule("require if kind == new and kind == existing then ok else households > 1"))
    assert codes(found) == ["L004"]
    assert "`then` branch" in found[0].message


def test_alternative_that_can_be_taken_is_fine():
    body = ("require area >= 300 m2\n"
            "    alternative stores { applies when kind == constrained require count(stores) >= 2 }")
    assert codes(lint(rule(body))) == []


# ---------------------------------------------------------------- L005 thresholds across rules
def test_L005_contradicting_thresholds():
    found = lint(rule("require area >= 300 m2", "a") + "\n" + rule("require area <= 200 m2", "b"))
    assert codes(found) == ["L005"]
    assert "rule b requires `area <= 200 m2` but rule a" in found[0].message


def test_L005_not_when_applicability_is_disjoint():
    found = lint(rule("applies when is_new\n    require area >= 300 m2", "a") + "\n"
                 + rule("applies when kind == existing\n    require area <= 200 m2", "b"))
    assert codes(found) == []


def test_L005_overlapping_threshold_implied():
    found = lint(rule("require area >= 300 m2", "a") + "\n" + rule("applies when is_new\n    require area >= 250 m2", "b"))
    assert codes(found) == ["L005"]
    assert "implied" in found[0].message


def test_L005_a_recommendation_above_a_requirement_is_fine():
    found = lint(rule("require area >= 300 m2", "a") + "\n"
                 + rule("宜\n    require area >= 800 m2", "b", cite='"以800平方米为宜"'))
    assert codes(found) == []


# ---------------------------------------------------------------- L006 unused definitions
def test_L006_unused_definitions():
    found = lint("  let spare = households > 3\n" + rule("require ok"))
    assert codes(found) == ["L006"]
    assert "`spare`" in found[0].message
    # is_new (entity definition) used by a rule: nothing to report
    assert codes(lint(rule("require is_new"))) == []


# ---------------------------------------------------------------- L007 / L008 cites and examples
def test_L007_and_L008():
    found = lint("  rule bare { require ok }")
    assert codes(found) == ["L007", "L008"]
    assert found[1].severity == "note"


# ---------------------------------------------------------------- L009 strength vs clause
def test_L009_shall_citing_yi():
    found = lint(rule("应\n    require area >= 800 m2", cite='"建筑面积以800平方米为宜"'))
    assert codes(found) == ["L009"]


def test_L009_should_citing_ying():
    assert codes(lint(rule("宜\n    require area >= 15 m2", cite='"应建设使用面积不小于15平方米的服务站"'))) == ["L009"]
    assert codes(lint(rule("宜\n    require area >= 15 m2", cite='"宜建设使用面积不小于15平方米的服务站"'))) == []


def test_L009_may_without_ke():
    assert codes(lint(rule("可\n    require area >= 15 m2", cite='"建设15平方米的服务站"'))) == ["L009"]
    assert codes(lint(rule("可\n    require area >= 15 m2", cite='"可以建设15平方米的服务站"'))) == []


def test_L009_nearest_word_to_the_threshold_decides():
    cite = '"新建居住社区应建设服务站,既有居住社区建筑面积以30平方米为宜"'
    assert codes(lint(rule("应\n    require area >= 30 m2", cite=cite))) == ["L009"]
    assert codes(lint(rule("宜\n    require area >= 30 m2", cite=cite))) == []


def test_L009_compounds_are_not_strength_words():
    # 应急 (emergency), 因地制宜 (as local conditions suit), 可靠 (reliable), 供应 (supply)
    for text in ("紧急情况下可转换为应急避难场所", "因地制宜建设服务站", "提供安全可靠的托育服务", "膳食供应"):
        words = [w for _, w, _ in modal_words(text)]
        assert "宜" not in words and "应" not in words
    assert [w for _, w, _ in modal_words("提供安全可靠的托育服务")] == []
    assert strength_verdict("既有居住社区因地制宜建设", "shall") == "neutral"


def test_L009_a_reading_that_names_the_strength_is_respected():
    body = '可\n    reading "条文只约束有条件的设施,故按许可判定"\n    require area >= 15 m2'
    assert codes(lint(rule(body, cite='"设置15平方米的服务站"'))) == []
    body = '可\n    reading "所列设施均须设置"\n    require area >= 15 m2'
    assert codes(lint(rule(body, cite='"设置15平方米的服务站"'))) == ["L009"]


# ---------------------------------------------------------------- suppression
def test_suppression_on_the_line_and_the_line_before():
    same_line = rule("require score > 150  # lint: ignore L003")
    assert codes(lint(same_line)) == []
    line_before = rule("# lint: ignore L003\n    require score > 150")
    assert codes(lint(line_before)) == []
    other_code = rule("require score > 150  # lint: ignore L001")
    assert codes(lint(other_code)) == ["L003"]


def test_suppression_several_codes_and_bare():
    body = "  # lint: ignore L007, L008\n  rule bare { require ok }"
    assert codes(lint(body)) == []
    assert codes(lint("  rule bare { require ok }  # lint: ignore")) == []


def test_suppression_by_statement_comments():
    # the comments attached to a statement silence findings anywhere in it
    body = ("  # reviewed: this threshold is deliberate\n  # lint: ignore L003\n"
            '  rule r {\n    cite "应"\n    require ok and\n      score > 150\n'
            "    example { given { ok: true } expect fail }\n  }")
    assert codes(lint(body)) == []


# ---------------------------------------------------------------- command line
def write(tmp_path, body: str) -> pathlib.Path:
    p = tmp_path / "t.stdl"
    p.write_text(BASE + 'goal 1 "g" for c {\n' + body + "\n}\n", "utf-8")
    return p


def test_cli_renders_diagnostics_and_exits_1(tmp_path, capsys):
    p = write(tmp_path, rule("require score > 150 and is_new"))
    assert main(["lint", str(p)]) == 1
    out = capsys.readouterr().out
    assert f"{p}:{BASE.count(chr(10)) + 4}:13: warning: `score > 150` can never hold" in out, out
    assert "[L003]" in out and "^^^^^^^^^^^" in out
    assert out.rstrip().endswith("1 finding in 1 file")


def test_cli_clean_exits_0(tmp_path, capsys):
    p = write(tmp_path, rule("require score > 50 or is_new"))
    assert main(["lint", str(p)]) == 0
    assert "no findings" in capsys.readouterr().out


def test_cli_json_and_ignore(tmp_path, capsys):
    p = write(tmp_path, "  rule bare { require score > 150 }")
    assert main(["lint", "--format", "json", str(p)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert sorted(f["code"] for f in data["findings"]) == ["L003", "L006", "L007", "L008"]
    f = next(f for f in data["findings"] if f["code"] == "L003")
    assert f["file"] == str(p) and f["line"] > 0 and f["column"] > 0 and f["severity"] == "warning"
    assert main(["lint", "--ignore", "L007,L008,L003,L006", str(p)]) == 0


def test_cli_spec_error_exits_2(tmp_path, capsys):
    p = tmp_path / "bad.stdl"
    p.write_text('standard t "t" { source "s" }\nentity c { n: count }\ngoal 1 for c { rule r { require m > 1 } }\n',
                 "utf-8")
    assert main(["lint", str(p)]) == 2
    err = capsys.readouterr().err
    assert "unknown name `m`" in err and "Traceback" not in err


# ---------------------------------------------------------------- the shipped specs
SHIPPED = sorted((ROOT / "specs").glob("*.stdl"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_specs_have_few_findings(path):
    from standardlang.errors import StandardLangError

    try:
        found = lint_source(path.read_text("utf-8"), str(path))
    except StandardLangError as exc:  # a spec being edited elsewhere: not this test's concern
        pytest.skip(f"{path.name} does not load: {exc.first.message}")
    # false positives stay rare: no more than a handful per shipped spec, and none of
    # the structural codes without a reason a reviewer would accept
    assert len(found) <= 3, "\n".join(d.render() for d in found)


# ---------------------------------------------------------------- soundness of the reasoning
from hypothesis import given, settings, strategies as st  # noqa: E402

import strategies as S  # noqa: E402
from standardlang.backends.python.interpreter import Interpreter  # noqa: E402
from standardlang.tools.reasoning import Reasoner  # noqa: E402

TERMS = {"households": "", "school.classes": "", "plot.n": "", "count(shops)": "", "floors": "",
         "area": " m2", "land": " m2", "school.area": " m2", "green": " %", "plot.share": " %",
         "share(shops where open)": " %", "households - plot.n": ""}
THRESHOLDS = st.sampled_from(["-1", "0", "0.5", "1", "2", "10", "100", "20000", "0.25"])


@st.composite
def threshold_conditions(draw, depth=2):
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        if draw(st.integers(0, 4)) == 0:
            members = draw(st.lists(st.sampled_from(["new", "existing", "constrained"]), min_size=1, max_size=3))
            return f"kind in {{{', '.join(members)}}}"
        term = draw(st.sampled_from(sorted(TERMS)))
        op = draw(st.sampled_from([">=", ">", "<=", "<", "==", "!="]))
        return f"{term} {op} {draw(THRESHOLDS)}{TERMS[term]}"
    a, b = draw(threshold_conditions(depth - 1)), draw(threshold_conditions(depth - 1))
    form = draw(st.sampled_from(["({}) and ({})", "({}) or ({})", "not ({}) and ({})", "({}) and not ({})"]))
    return form.format(a, b)


def _check_sound(condition: str, recs: list) -> None:
    from standardlang.lang.parser import parse_expression
    from standardlang.engine.program import loads

    spec = loads(S.format_spec(S.condition_spec([parse_expression(condition)])), "<generated>")
    rule = spec.rules[0]
    node = rule.requires[0]
    r = Reasoner(spec.checked, [spec.checked.entities[S.ENTITY]])
    never = r.sat([node]) is False
    always = r.sat([], [node]) is False
    interp = Interpreter(spec.checked.lets)
    for rec in recs:
        value = interp.eval(node, [rec])
        if never:
            assert value is not True, (condition, rec)
        if always:
            assert value is not False, (condition, rec)


@settings(max_examples=150)
@given(cond=threshold_conditions(), recs=st.lists(S.records(), min_size=1, max_size=6))
def test_reasoning_is_sound_on_threshold_conditions(cond, recs):
    _check_sound(cond, recs)


@settings(max_examples=60)
@given(cond=S.conditions(depth=2), recs=st.lists(S.records(), min_size=1, max_size=4))
def test_reasoning_is_sound_on_generated_conditions(cond, recs):
    from standardlang.tools.formatter import format_expr

    _check_sound(format_expr(cond), recs)


def test_reasoning_finds_the_contradictions_it_should():
    for cond in ("households > 5 and households < 6", "area >= 300 m2 and area <= 200 m2",
                 "kind == new and kind in {existing, constrained}", "plot.share > 100 % and plot.share < 0 %",
                 "not (households >= 0)", "count(shops) < 0"):
        from standardlang.lang.parser import parse_expression
        from standardlang.engine.program import loads

        spec = loads(S.format_spec(S.condition_spec([parse_expression(cond)])), "<generated>")
        r = Reasoner(spec.checked, [spec.checked.entities[S.ENTITY]])
        assert r.sat([spec.rules[0].requires[0]]) is False, cond


@settings(max_examples=40)
@given(spec=S.specs())
def test_lint_never_crashes_on_generated_specs(spec):
    from standardlang.errors import StandardLangError

    text = S.format_spec(spec)
    try:
        found = lint_source(text, "<generated>")
    except StandardLangError:
        return
    for d in found:
        assert d.code in {"L001", "L002", "L003", "L004", "L005", "L006", "L007", "L008", "L009"}
        assert d.render()
