"""``standardlang test``: failures with explanations, the summary line last, --coverage, JSON."""

import json
import pathlib
import subprocess
import sys

from standardlang.cli import main
from standardlang.engine.program import loads
from standardlang.tools.testing import coverage, iter_examples, run_example, run_examples

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEMO = ROOT / "tests" / "demo.stdl"

SPEC = """standard t "t" { source "s" }
enum kind_t { new "新建", existing "既有", constrained "受约束" }
entity c "c" {
  kind: kind_t
  n: count "户数"
  area: m2
  stores?: list { area: m2 }
}
goal 1 "g" for c {
  rule big "户数" {
    cite "不少于100户"
    require n >= 100
    example "at the threshold" { given { n: 100 } expect pass }
    example "wrong on purpose" { given { n: 99 } expect pass }
  }
  rule shop "超市" {
    applies when kind in {new, constrained}
    cite "超市不小于300平方米"
    require area >= 300 m2 and n >= 1
    alternative stores { applies when kind == constrained require count(stores) >= 2 }
    example { given { kind: new, area: 300, n: 5 } expect pass }
    example { given { kind: new, area: 200, n: 5 } expect fail }
  }
  rule untested { cite "x" require n >= 1 }
}
"""


def write(tmp_path, text=SPEC, name="t.stdl"):
    p = tmp_path / name
    p.write_text(text, "utf-8")
    return p


def test_demo_passes_and_summary_is_last(capsys):
    assert main(["test", str(DEMO)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "12 passed, 0 failed"


def test_failure_prints_expected_actual_explanation(tmp_path, capsys):
    p = write(tmp_path)
    assert main(["test", str(p)]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[-1] == "3 passed, 1 failed"
    assert f"FAIL {p}:14: rule big: wrong on purpose: expected pass, got fail" in out
    assert "✗ n is 99, needs ≥ 100" in out
    assert "source (1.big): 不少于100户" in out


def test_verbose_lists_passing_examples(tmp_path, capsys):
    assert main(["test", "-v", str(DEMO)]) == 0
    out = capsys.readouterr().out
    assert "PASS" in out and "rule 2.land: example 1" in out


def test_coverage_lists_what_no_example_reaches(tmp_path, capsys):
    p = write(tmp_path)
    assert main(["test", "--coverage", str(p)]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[-1] == "3 passed, 1 failed"  # still the last line
    assert "rule untested: no example" in out
    assert "rule shop: no example where it does not apply" in out
    assert "rule shop: alternative stores is never what makes an example pass" in out
    assert "rule shop: right side of `area >= 300 m2 and n >= 1` is never false" in out


def test_coverage_of_shipped_specs_is_complete(capsys):
    specs = [str(p) for p in sorted((ROOT / "specs").glob("*.stdl"))]
    code = main(["test", "--coverage", *specs])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.splitlines()[-1].endswith(" passed, 0 failed")


def test_coverage_api():
    spec = loads(SPEC, "t.stdl")
    cov = coverage(spec)
    assert cov.untested_rules == ("untested",)
    assert ("shop", "not_applicable") in cov.untested_statuses
    assert cov.untaken_alternatives == (("shop", "stores"),)
    assert not cov.complete
    assert coverage(loads(DEMO.read_text("utf-8"), "demo")).untested_rules == ()


def test_examples_one_by_one():
    spec = loads(SPEC, "t.stdl")
    refs = list(iter_examples(spec))
    assert [r.name for r in refs] == ["rule big: at the threshold", "rule big: wrong on purpose",
                                      "rule shop: example 1", "rule shop: example 2"]
    results = [run_example(spec, r) for r in refs]
    assert [r.ok for r in results] == [True, False, True, True]
    assert results == run_examples(spec)


def test_json_output(tmp_path, capsys):
    p = write(tmp_path)
    assert main(["test", "--format", "json", "--coverage", str(p)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["passed"] == 3 and data["failed"] == 1
    bad = [r for r in data["results"] if not r["ok"]]
    assert bad[0]["name"] == "rule big: wrong on purpose" and bad[0]["actual"] == "fail"
    assert data["coverage"][str(p)]["untested_rules"] == ["untested"]


def test_a_spec_that_does_not_load(tmp_path, capsys):
    bad = write(tmp_path, 'standard b "b" { source "s" }\nentity c { n: count }\n'
                          'goal 1 for c { rule r { require m > 1 } }\n', "bad.stdl")
    assert main(["test", str(DEMO), str(bad)]) == 2
    out = capsys.readouterr().out
    assert f"ERROR {bad}: the spec does not load" in out
    assert "unknown name `m`" in out
    assert out.splitlines()[-1] == "12 passed, 1 failed"


def test_subprocess_exit_codes(tmp_path):
    r = subprocess.run([sys.executable, "-m", "standardlang", "test", str(DEMO)], capture_output=True, cwd=ROOT)
    assert r.returncode == 0
    assert r.stdout.decode("utf-8").splitlines()[-1] == "12 passed, 0 failed"
