"""What a new policy author or analyst meets in the first minutes (issue 13), kept smooth.

Each test pins one point a newcomer stumbled on: explanations say only what decides,
messages suggest the word meant, the check summary counts things as what they are.
The error texts themselves are golden files (``tests/golden/errors``); the runnable
docs are ``tests/test_docs_blocks.py``.
"""

from __future__ import annotations

import standardlang as sl

from conftest import ROOT

DEMO = ROOT / "tests" / "demo.stdl"


def test_explaining_an_absent_facility_says_only_what_decides():
    spec = sl.load(DEMO)
    v = spec.judge({"id": "c2", "kind": "existing", "households": 800}, "community").verdict("2.building_area")
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
