"""``standardlang repl``: scripted through a pipe, and a real pseudo-terminal with pexpect."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

from standardlang.tools.repl import Session, completions, history_path, needs_more

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEMO = str(ROOT / "tests" / "demo.stdl")

RECORDS = [
    {"id": "c1", "kind": "new", "households": 300,
     "kindergarten": {"classes": 6, "building_area": 2300, "land_area": 0.4}},
    {"id": "c2", "kind": "existing", "households": 50},
]

CHINESE = """standard 示例 "中文标识符" { source "s" }
entity 社区 "居住社区" {
  key 编号
  编号: text
  户数: count
  幼儿园?: record { 建筑面积: 平方米 "建筑面积" }
}
goal 一 "目标" for 社区 {
  rule 1 "幼儿园" {
    应
    cite "建筑面积不小于2200平方米"
    require present(幼儿园) 且 幼儿园.建筑面积 不小于 2200 平方米
    example { given { 幼儿园: { 建筑面积: 2200 } } expect pass }
  }
}
"""


@pytest.fixture
def data_file(tmp_path):
    p = tmp_path / "records.json"
    p.write_text(json.dumps(RECORDS), "utf-8")
    return str(p)


def repl(script: str, *args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "standardlang", "repl", *args], input=script.encode("utf-8"),
                          capture_output=True, cwd=ROOT, timeout=120, env=env)


# ---------------------------------------------------------------- scripted (no terminal)
def test_scripted_values_verdicts_and_errors(data_file):
    script = "\n".join([
        "kindergarten.building_area",
        "households * 2",
        "households >= 100 and kind == new",
        "households >=",
        "2200 平方米 + 0.5 ha",
        ":quit",
        "households",  # after :quit: never read
    ]) + "\n"
    r = repl(script, "--spec", DEMO, "--data", data_file)
    out = r.stdout.decode("utf-8")
    assert "2300 m²" in out
    assert "\n600\n" in out
    assert "✓ pass" in out and "households is 300, needs ≥ 100" in out
    # the error is rendered with a caret under the fault, and the session went on
    assert "error: unexpected end of input" in out
    lines = out.splitlines()
    i = next(i for i, line in enumerate(lines) if "unexpected end of input" in line)
    assert lines[i + 1].strip() == "households >=" and lines[i + 2].strip() == "^"
    assert "7200 m²" in out
    assert "Traceback" not in out + r.stderr.decode("utf-8")
    assert r.returncode == 1  # an input failed


def test_scripted_commands(data_file):
    script = "\n".join([":records", ":use c2", "households", ":use 1", "households", ":rules",
                        ":explain 2.land", ":schema", ":record", ":help", ":nope", ":use c22"]) + "\n"
    r = repl(script, "--spec", DEMO, "--data", data_file)
    out = r.stdout.decode("utf-8")
    assert "*   1  c1" in out and "    2  c2" in out
    assert "current record: c2 (#2)" in out and "\n50\n" in out
    assert "current record: c1 (#1)" in out and "\n300\n" in out
    assert "✓ 2.land 用地" in out
    assert "✓ pass  2.land 用地" in out and "kindergarten.land_area is 4000 m², needs ≥ 3500 m²" in out
    assert "building_area: m2 \"建筑面积\"" in out and "let is_new" in out
    assert '"households": 300' in out
    assert ":explain" in out and ":let" in out
    assert "unknown command `:nope`" in out
    assert "no record `c22`" in out and "did you mean" in out


def test_let_definitions_are_usable_and_correct(data_file):
    script = "\n".join([":let big = households >= 100", "big and kind == new", ":use c2", "big and kind == new",
                        "not big", ":let twice = households * 2", "twice + 1", ":let", ":let kind = 1"]) + "\n"
    out = repl(script, "--spec", DEMO, "--data", data_file).stdout.decode("utf-8")
    blocks = out.split("big and kind == new")
    assert "✓ pass" in out
    verdicts = [line for line in out.splitlines() if line.startswith(("✓", "✗", "?"))]
    assert verdicts[:3] == ["✓ pass", "✗ fail", "✓ pass"], out
    assert "\n101\n" in out
    assert "big = households >= 100" in out and "twice = households * 2" in out
    assert "`kind` is already a field" in out
    assert len(blocks) >= 1


def test_multiline_input_continues(data_file):
    script = "(households\n + 1)\nhouseholds >= 100 and\n  kind == new\n"
    out = repl(script, "--spec", DEMO, "--data", data_file).stdout.decode("utf-8")
    assert "\n301\n" in "\n" + out
    assert "✓ pass" in out


def test_chinese_identifiers_and_aliases(tmp_path):
    spec = tmp_path / "zh.stdl"
    spec.write_text(CHINESE, "utf-8")
    data = tmp_path / "zh.json"
    data.write_text(json.dumps([{"编号": "甲", "户数": 10, "幼儿园": {"建筑面积": 2100}}], ensure_ascii=False), "utf-8")
    script = "幼儿园.建筑面积\n幼儿园.建筑面积 不小于 2200 平方米 或 户数 大于 5\n:explain 1\n"
    out = repl(script, "--spec", str(spec), "--data", str(data)).stdout.decode("utf-8")
    assert "2100 m²" in out
    assert "✓ pass" in out
    assert "✗ fail  1 幼儿园" in out and "source (一.1): 建筑面积不小于2200平方米" in out


def test_without_a_spec_fields_are_dynamic(data_file):
    out = repl(":let a = households + 1\na * 2\n", "--data", data_file).stdout.decode("utf-8")
    assert "602" in out


def test_bad_spec_exits_2():
    r = repl("", "--spec", "no/such/file.stdl")
    assert r.returncode == 2
    assert "cannot read spec file" in r.stderr.decode("utf-8")


# ---------------------------------------------------------------- the pieces
def test_needs_more():
    assert needs_more("(households")
    assert needs_more("a >= 1 and")
    assert needs_more("a 或")
    assert not needs_more("a >= 1")
    assert not needs_more('name == "(" ')
    assert not needs_more(":explain 2.land")
    assert needs_more(":let x = (1")


def test_completion_of_fields_nested_paths_and_labels(data_file):
    s = Session([DEMO], data_file)
    names = [c[0] for c in completions(s, "househ")]
    assert names == ["households"]
    nested = [c[0] for c in completions(s, "kindergarten.bu")]
    assert nested == ["building_area"]
    # a Chinese label completes to its field
    assert "kindergarten" in [c[0] for c in completions(s, "幼儿")]
    assert ":explain" in [c[0] for c in completions(s, ":ex")]
    assert "2.building_area" in [c[0] for c in completions(s, ":explain 2.b")]
    assert "平方米" in [c[0] for c in completions(s, "2200 平")]
    assert "c2" in [c[0] for c in completions(s, ":use c")]
    assert "不小于" in [c[0] for c in completions(s, "不")]


def test_a_failing_completion_is_said_not_swallowed(data_file, monkeypatch, caplog):
    """Tab on a completion that fails (a bug: completions only read the session) offers nothing and the
    session goes on, but the failure is one line asking for a report, and its traceback is logged."""
    from standardlang.tools import repl

    s = Session([DEMO], data_file)
    said: list[str] = []
    assert repl.tab_completions(s, "househ", said.append) == completions(s, "househ") and said == []

    def broken(session, text):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(repl, "completions", broken)
    with caplog.at_level("DEBUG", logger="standardlang.repl"):
        assert repl.tab_completions(s, "househ", said.append) == []
    assert said == ["standardlang: completing failed (ZeroDivisionError: a bug); a bug, please report it"]
    assert caplog.records[-1].exc_info[0] is ZeroDivisionError
    assert s.handle("1 + 1") == "2"  # the session goes on


def test_history_path(monkeypatch, tmp_path):
    monkeypatch.setenv("STANDARDLANG_HISTORY", str(tmp_path / "h"))
    assert history_path() == str(tmp_path / "h")
    monkeypatch.delenv("STANDARDLANG_HISTORY")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert history_path() == str(tmp_path / "state" / "standardlang" / "history")


# ---------------------------------------------------------------- a real terminal
@pytest.mark.parametrize("term", ["xterm", "dumb"])
def test_pseudo_terminal_session(term, tmp_path):
    pexpect = pytest.importorskip("pexpect")
    pytest.importorskip("prompt_toolkit")
    env = dict(os.environ, TERM=term, STANDARDLANG_HISTORY=str(tmp_path / "history"), PROMPT_TOOLKIT_NO_CPR="1")
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(sys.executable + " -m standardlang repl --spec tests/demo.stdl", encoding="utf-8",
                          cwd=str(ROOT), env=env, timeout=60, dimensions=(40, 160))
    try:
        prompt = "stdl>"
        child.expect(prompt)
        # an expression and its value
        child.send("2200 平方米 + 0.5 ha\r")
        child.expect("7200 m²")
        child.expect(prompt)
        # a partial field name completed by Tab: the evaluation names the whole field
        child.send("househ")
        child.expect("househ")
        child.send("\t")
        child.expect("s")  # the completion shows (a dumb terminal echoes only its last character)
        child.send(" * 2\r")
        child.expect("missing: households")
        child.expect(prompt)
        # an error shows a caret under the fault, and the session goes on
        child.send("households >=\r")
        child.expect("unexpected end of input")
        child.expect(r"\^")
        child.expect(prompt)
        child.send("12345 + 11111\r")
        child.expect("23456")
        child.expect(prompt)
        child.send(":quit\r")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert (tmp_path / "history").exists()


# ---------------------------------------------------------------- the Pygments lexer
def test_lexer_tokens():
    pytest.importorskip("pygments")
    from pygments import lex
    from pygments.token import Comment, Error, Keyword, Name, Number, Operator, String

    from standardlang.tools.lexer import StandardLangLexer

    text = (ROOT / "tests" / "demo.stdl").read_text("utf-8")
    tokens = list(lex(text, StandardLangLexer()))
    assert not [t for t in tokens if t[0] is Error]
    assert "".join(v for _, v in tokens) == text
    src = ('rule 2.building_area "幼儿园" {\n  应\n  # a comment\n'
           '  require 应急避难场所 不小于 2200 平方米 且 x >= 10 % and count(xs) > 1\n}\n')
    kinds = {v: t for t, v in lex(src, StandardLangLexer()) if v.strip()}
    assert kinds["rule"] is Keyword.Declaration
    assert kinds["2.building_area"] is Name.Label
    assert kinds['"幼儿园"'] in String
    assert kinds["应"] is Keyword.Pseudo
    assert kinds["应急避难场所"] is Name  # a Chinese name, not the strength word
    assert kinds["不小于"] is Operator.Word and kinds["且"] is Operator.Word and kinds["and"] is Operator.Word
    assert kinds["平方米"] is Keyword.Type and kinds["%"] is Keyword.Type
    assert kinds["2200"] in Number
    assert kinds["# a comment"] in Comment
    assert kinds["count"] is Name.Builtin


def test_lexer_is_found_by_name_and_file_name():
    pytest.importorskip("pygments")
    from standardlang.tools.lexer import StandardLangLexer

    assert "stdl" in StandardLangLexer.aliases and "*.stdl" in StandardLangLexer.filenames
