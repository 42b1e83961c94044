"""The table of diagnostic codes (:data:`standardlang.errors.CODES`): one meaning per code.

Every code literal in the package is in the table, every code in the table is reported
somewhere, each stage's codes are reported only by that stage's modules (so ``E001``
can no longer mean both "unexpected character" and "cannot read spec file"), and the
generated page ``docs/errors.md`` is fresh (``python -m standardlang.errors > docs/errors.md``).
"""

from __future__ import annotations

import pathlib
import re

import pytest

from standardlang import errors

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "standardlang"
CODE = re.compile(r"""["']([A-Z]\d{3})["']""")

#: where each stage's codes may be reported (paths relative to standardlang/)
STAGE_MODULES = {
    "syntax": ("lang/parser.py",),
    "check": ("lang/checker.py", "lang/expressions.py", "lang/examples.py"),
    "file": ("engine/program.py", "tools/lint.py", "reports/"),
    "data": ("data/", "tools/repl_session.py", "cli/stream.py"),
    "usage": ("cli/", "data/readers.py"),
    "lint": ("tools/lint.py",),
    "internal": ("cli/fmt.py",),
}
PREFIX = {"syntax": "E0", "check": "E1", "file": "F", "data": "D", "usage": "U", "lint": "L", "internal": "GX"}


def _uses() -> dict[str, set[str]]:
    """code -> the modules (relative paths) whose source names it."""
    out: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "errors.py":
            continue
        for code in CODE.findall(path.read_text("utf-8")):
            out.setdefault(code, set()).add(rel)
    return out


USES = _uses()


def test_every_code_in_the_package_is_in_the_table():
    unknown = {code: sorted(mods) for code, mods in USES.items() if code not in errors.CODES}
    assert not unknown, (f"codes missing from errors.CODES: {unknown}; a new meaning takes a new code in its "
                         f"stage's range (docs/errors.md), added to the table in standardlang/errors.py")


def test_every_code_in_the_table_is_used():
    defaults = {cls.default_code for cls in (errors.StandardLangError, errors.SpecSyntaxError, errors.DataError)}
    unused = sorted(set(errors.CODES) - set(USES) - defaults)
    assert not unused, f"codes in the table that nothing reports: {unused}"


@pytest.mark.parametrize("code", sorted(errors.CODES))
def test_a_code_is_reported_only_by_its_stage(code):
    stage = errors.CODES[code].stage
    assert code[0] in PREFIX[stage] and (len(PREFIX[stage]) != 2 or code[:2] == PREFIX[stage] or stage == "internal")
    allowed = STAGE_MODULES[stage]
    for module in USES.get(code, ()):
        assert module.startswith(allowed), f"{code} ({stage}) is reported by {module}"


def test_stages_and_codes_are_listed_in_order():
    stages = [c.stage for c in errors.all_codes().values()]
    assert stages == sorted(stages, key=list(errors.STAGES).index)
    assert set(stages) == set(errors.STAGES)


def test_lint_codes_are_the_linters():
    from standardlang.tools import lint

    assert lint.CODES is errors.LINT_CODES
    assert {c for c in errors.CODES if c.startswith("L")} == set(lint.CODES)


def test_docs_page_is_generated_from_the_table():
    page = ROOT / "docs" / "errors.md"
    assert page.read_text("utf-8") == errors.code_table_markdown(), (
        "docs/errors.md is stale: run `python -m standardlang.errors > docs/errors.md`")


def test_a_plain_message_takes_its_class_code():
    assert errors.StandardLangError("x").first.code == "G000"
    assert errors.DataError("x").first.code == "D000"
    assert errors.SpecSyntaxError("x").first.code == "E000"


def test_spec_file_errors_are_file_codes(tmp_path):
    import standardlang as sl

    with pytest.raises(sl.StandardLangError) as exc:
        sl.load(tmp_path / "missing.stdl")
    assert exc.value.first.code == "F001"
    bad = tmp_path / "gbk.stdl"
    bad.write_bytes("standard 标准".encode("gbk"))
    with pytest.raises(sl.StandardLangError) as exc:
        sl.load(bad)
    assert exc.value.first.code == "F002"
