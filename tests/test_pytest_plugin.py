"""The pytest plugin: ``.stdl`` inline examples as pytest items, opt-in."""

import pathlib

pytest_plugins = ["pytester"]

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _registered() -> bool:
    from importlib.metadata import entry_points

    return any(ep.value == "standardlang.tools.pytest_plugin" for ep in entry_points(group="pytest11"))


# installed, the plugin loads through its pytest11 entry point; from a bare checkout, by name
PLUGIN = [] if _registered() else ["-p", "standardlang.tools.pytest_plugin"]
DEMO = (ROOT / "tests" / "demo.stdl").read_text("utf-8")

FAILING = """standard f "f" { source "s" }
entity c "c" {
  n: count "户数"
}
goal 1 "g" for c {
  rule big "户数" {
    cite "不少于100户"
    require n >= 100
    example "exactly at the threshold" { given { n: 100 } expect pass }
    example "wrong on purpose" { given { n: 99 } expect pass }
    example { given { n: 5 } expect fail }
  }
}
"""


def test_a_spec_named_on_the_command_line_is_collected(pytester):
    pytester.makefile(".stdl", demo=DEMO)
    result = pytester.runpytest("demo.stdl", "-v", *PLUGIN)
    result.assert_outcomes(passed=12)
    result.stdout.fnmatch_lines(["*demo.stdl::rule 2.building_area: exactly at the threshold PASSED*",
                                 "*demo.stdl::rule 2.land: example 1 PASSED*",
                                 "*demo.stdl::indicator 1: example 1 PASSED*"])


def test_not_collected_by_default(pytester):
    pytester.makefile(".stdl", demo=DEMO)
    pytester.makepyfile(test_other="def test_ok():\n    assert True\n")
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1)


def test_failure_shows_expected_actual_and_explanation(pytester):
    pytester.makefile(".stdl", spec=FAILING)
    result = pytester.runpytest("spec.stdl", *PLUGIN)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "*rule big: wrong on purpose*",
        "*expected: pass*",
        "*actual:   fail*",
        "*n is 99, needs ≥ 100*",
        "*source (1.big): 不少于100户*",
    ])
    assert "Traceback" not in result.stdout.str()


def test_stdl_option_collects_a_directory(pytester):
    specs = pytester.mkdir("specs")
    (specs / "demo.stdl").write_text(DEMO, "utf-8")
    (specs / "f.stdl").write_text(FAILING, "utf-8")
    pytester.makepyfile(test_other="def test_ok():\n    assert True\n")
    result = pytester.runpytest("--stdl", "specs", *PLUGIN)
    result.assert_outcomes(passed=12 + 2 + 1, failed=1)


def test_ini_option_marks_directories(pytester):
    specs = pytester.mkdir("specs")
    (specs / "demo.stdl").write_text(DEMO, "utf-8")
    pytester.makeini("[pytest]\nstdl_paths = specs\n")
    result = pytester.runpytest("specs", *PLUGIN)
    result.assert_outcomes(passed=12)
    # without stdl_paths, walking the directory collects nothing
    pytester.makeini("[pytest]\n")
    result = pytester.runpytest("specs", *PLUGIN)
    assert result.ret == 5  # no tests collected


def test_a_spec_that_does_not_load_is_a_collection_error(pytester):
    pytester.makefile(".stdl", bad='standard b "b" { source "s" }\nentity c { n: count }\n'
                                   'goal 1 for c { rule r { require m > 1 } }\n')
    result = pytester.runpytest("bad.stdl", *PLUGIN)
    assert result.ret == 2
    result.stdout.fnmatch_lines(["*bad.stdl:3:*error: unknown name `m`*"])
    assert "Traceback" not in result.stdout.str()


def test_select_one_example_by_keyword(pytester):
    pytester.makefile(".stdl", demo=DEMO)
    result = pytester.runpytest("demo.stdl", "-k", "threshold", *PLUGIN)
    result.assert_outcomes(passed=1)
