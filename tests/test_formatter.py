"""``standardlang fmt``: idempotence on the shipped specs, comments kept, --check/--diff exit codes."""

import pathlib
import subprocess
import sys

import pytest

from standardlang.cli import main
from standardlang.tools.formatter import format_source
from standardlang.lang.parser import parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPEC_FILES = sorted((ROOT / "specs").glob("*.stdl")) + [ROOT / "tests" / "demo.stdl"]

MESSY = """standard x "示例" {source "s"}
# the kind of community
enum k { a "甲", b "乙" }
entity e "e" {
  n: count   # households
  area: m2
}
goal 1 "g" for e {
  rule 1 { 应 cite "c" require n 不少于 2 and (area >= 3 m2 or area <= 1 m2)
    example "two" { given { n: 2, area: 4 } expect pass } }
}
"""


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.name)
def test_idempotent_on_shipped_specs(path):
    text = path.read_text("utf-8")
    once = format_source(text, str(path))
    assert format_source(once, str(path)) == once
    assert parse(once) == parse(text)


def test_fmt_rewrites_in_place_and_keeps_comments(tmp_path, capsys):
    f = tmp_path / "messy.stdl"
    f.write_text(MESSY, "utf-8")
    assert main(["fmt", str(f)]) == 0
    out = f.read_text("utf-8")
    assert out != MESSY
    assert "# the kind of community" in out
    assert "# households" in out
    assert "不少于" in out
    assert parse(out) == parse(MESSY)
    assert "reformatted" in capsys.readouterr().err
    # a second run changes nothing
    assert main(["fmt", "--check", str(f)]) == 0


def test_check_lists_changed_files_and_exits_1(tmp_path, capsys):
    messy = tmp_path / "messy.stdl"
    messy.write_text(MESSY, "utf-8")
    clean = tmp_path / "clean.stdl"
    clean.write_text(format_source(MESSY), "utf-8")
    assert main(["fmt", "--check", str(messy), str(clean)]) == 1
    out = capsys.readouterr().out
    assert f"would reformat {messy}" in out
    assert str(clean) not in out
    assert messy.read_text("utf-8") == MESSY  # nothing written
    assert main(["fmt", "--check", str(clean)]) == 0


def test_diff_prints_unified_diff_and_writes_nothing(tmp_path, capsys):
    messy = tmp_path / "messy.stdl"
    messy.write_text(MESSY, "utf-8")
    assert main(["fmt", "--diff", str(messy)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("---") and "+++" in out and "@@" in out
    assert "-standard x \"示例\" {source \"s\"}" in out
    assert messy.read_text("utf-8") == MESSY
    clean = tmp_path / "clean.stdl"
    clean.write_text(format_source(MESSY), "utf-8")
    assert main(["fmt", "--diff", str(clean)]) == 0
    assert capsys.readouterr().out == ""


def test_stdin_to_stdout():
    r = subprocess.run([sys.executable, "-m", "standardlang", "fmt", "-"], input=MESSY.encode("utf-8"),
                       capture_output=True, cwd=ROOT)
    assert r.returncode == 0
    assert r.stdout.decode("utf-8") == format_source(MESSY)
    r = subprocess.run([sys.executable, "-m", "standardlang", "fmt", "--check", "-"], input=MESSY.encode("utf-8"),
                       capture_output=True, cwd=ROOT)
    assert r.returncode == 1


def test_syntax_error_exits_2_with_caret(tmp_path, capsys):
    bad = tmp_path / "bad.stdl"
    bad.write_text('standard x "x" { source "s" }\nentity e { a: }\n', "utf-8")
    assert main(["fmt", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.stdl:2:" in err and "^" in err
    assert "Traceback" not in err
