"""Golden error messages: each ``tests/golden/errors/NAME.stdl`` is a small bad spec and
``NAME.txt`` the exact message a user sees (``file:line:col: error: ... [CODE]``, the
source line, a caret under the fault, and a hint).

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/test_errors_golden.py``
and review the diff by eye: every message must tell the author what is wrong, where, and
what to write instead.
"""

from __future__ import annotations

import os
import pathlib
import re

import pytest

import standardlang as sl

GOLDEN = pathlib.Path(__file__).resolve().parent / "golden" / "errors"
CASES = sorted(GOLDEN.glob("*.stdl"))
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

def render(path: pathlib.Path) -> str:
    text = path.read_text("utf-8")
    try:
        sl.loads(text, path.name)
    except sl.StandardLangError as exc:
        return exc.render() + "\n"
    raise AssertionError(f"{path.name} loads without error")


def test_there_are_golden_cases():
    assert len(CASES) >= 25


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_error_message_golden(path: pathlib.Path):
    expected_path = path.with_suffix(".txt")
    got = render(path)
    if UPDATE:
        expected_path.write_text(got, "utf-8")
    assert expected_path.exists(), f"no golden for {path.name}: run with UPDATE_GOLDEN=1"
    assert got == expected_path.read_text("utf-8")


HEAD = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): error: (?P<msg>.+) \[(?P<code>E\d{3})\]$")


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_error_message_shape(path: pathlib.Path):
    """Every diagnostic names the file, line and column, quotes the line and puts a caret under the fault."""
    source = path.read_text("utf-8").splitlines()
    lines = render(path).splitlines()
    heads = [i for i, line in enumerate(lines) if not line.startswith("  ")]
    assert heads and heads[0] == 0
    for i in heads:
        m = HEAD.match(lines[i])
        assert m, lines[i]
        assert m["file"] == path.name
        line, col = int(m["line"]), int(m["col"])
        assert 1 <= line <= len(source)
        assert lines[i + 1] == "  " + source[line - 1].expandtabs(1)
        caret = lines[i + 2]
        assert set(caret.strip()) == {"^"}
        # the caret starts under the column, counting wide (CJK) characters as two
        import unicodedata
        prefix = source[line - 1][: col - 1]
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in prefix)
        assert caret.index("^") == 2 + width


@pytest.mark.parametrize("stem,fragment", [
    ("area_vs_count", "cannot compare area (m²) with count"),
    ("area_vs_percent", "cannot compare area (m²) with ratio (percentage)"),
    ("count_vs_percent", "cannot compare a count with a ratio"),
    ("area_plus_length", "cannot add length (m) to area (m²)"),
    ("unknown_name", "did you mean `households`?"),
    ("enum_member_typo", "did you mean `new`?"),
    ("enum_label_typo", "did you mean `既有居住社区`?"),
    ("keyword_typo", "did you mean `require`?"),
    ("fullwidth_paren", "full-width"),
    ("curly_quotes", "straight double quotes"),
    ("unquoted_cite", "double quotes"),
    ("example_bad_member", "did you mean `new`?"),
    ("unknown_header_key_and_types", "did you mean `source`?"),
    ("unknown_goal_entity", "did you mean `community`?"),
    ("indicator_unit_mismatch", "ratio (percentage)"),
    ("deep_nesting", "let"),
    ("glued_operator_path", "hint: put spaces around the operator word `不小于`"),
    ("keyword_glued", "did you mean `require`?"),
    ("example_bad_status", "did you mean `pass`?"),
    # regressions: these three once gave unhelpful hints
    ("glued_operator_name", "hint: put spaces around"),
    ("unknown_field", "building_area"),
    ("chained_comparison", "between"),
])
def test_messages_say_what_to_do(stem, fragment):
    assert fragment in render(GOLDEN / f"{stem}.stdl")


def test_many_errors_are_all_rendered():
    text = render(GOLDEN / "many_errors.stdl")
    assert [m.group(1) for m in re.finditer(r"\[(E\d+)\]", text)] == ["E103", "E100", "E104", "E103"]
