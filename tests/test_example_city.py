"""The example city (examples/wuhai): generated data, coverage of every rule, golden results.

Takes the committed synthetic inventory of Wuhai and the three shipped specs; checks
that

- the committed JSON (and CSV) files are exactly what ``examples/generate.py`` writes
  for its default seed and size, and the generator scales and streams;
- the CSV files, read through :mod:`standardlang.data.readers`, judge exactly like the JSON;
- every rule of the column-5 standard meets communities that pass, fail, are unknown
  (where missing data can decide it) and, where it has ``applies when``, do not apply;
  every column-1 indicator passes somewhere and fails somewhere below the city level;
- the verdicts, item outcomes and indicator values equal ``tests/golden/wuhai/results.json``.

Regenerate the golden file after an intended change with
``UPDATE_GOLDEN=1 pytest tests/test_example_city.py`` and review its diff.
"""

from __future__ import annotations

from spec_helpers import can_be_unknown  # noqa: E402  (tests/ is on sys.path)

import contextlib
import importlib.util
import io
import json
import os
import pathlib
from collections import defaultdict
from typing import Any

import pytest

import standardlang as sl
from standardlang.backends.python.runtime import Bounds
from standardlang.lang import ir
from standardlang.lang.types import ListT, RecordT

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "wuhai"
INVENTORY = EXAMPLE / "inventory.json"
CSV_DIR = EXAMPLE / "csv"
GOLDEN = ROOT / "tests" / "golden" / "wuhai" / "results.json"
SPEC_NAMES = ("complete_community", "wuhai_indicators", "wuhai_public_services")
LEVELS = ("city", "districts", "subdistricts", "communities")


# ------------------------------------------------------------------ helpers
def _generator():
    spec = importlib.util.spec_from_file_location("wuhai_generate", ROOT / "examples" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen():
    return _generator()


@pytest.fixture(scope="module")
def inventory() -> dict:
    return json.loads(INVENTORY.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def specs() -> dict[str, Any]:
    return {name: sl.load(ROOT / "specs" / f"{name}.stdl") for name in SPEC_NAMES}


def collections_for(spec: Any, inventory: dict) -> dict:
    """The inventory's collections that name an entity of ``spec`` (a spec judges only its own levels)."""
    wanted = {"city": "city", "districts": "district", "subdistricts": "subdistrict", "communities": "community"}
    return {k: v for k, v in inventory.items() if wanted.get(k) in spec.entities}


def number_text(v: Any) -> str:
    """A value as short stable text: exact for whole numbers, six significant digits otherwise.

    A partly known value (an aggregate with unknown elements) is ``lo..hi``, an open end left empty.
    """
    if isinstance(v, Bounds):
        return "..".join("" if x is None else number_text(x) for x in (v.lo, v.hi))
    if isinstance(v, int):
        return str(v)
    return format(float(v), ".6g")


def results_of(report: Any) -> dict:
    """Verdict statuses per record and rule; indicator status and value per record and indicator."""
    rules: dict[str, dict[str, str]] = defaultdict(dict)
    for rec in report.results:
        for v in rec.verdicts:
            rules[rec.record_id][v.rule.id] = v.status.value
    indicators: dict[str, dict[str, str]] = defaultdict(dict)
    for r in report.indicators:
        text = r.status.value if r.value is None else f"{r.status.value} {number_text(r.value)}"
        indicators[f"{r.entity}/{r.record_id}"][r.indicator.id] = text
    items: dict[str, dict[str, str]] = defaultdict(dict)
    for it in report.items():
        items[it.record_id][it.id] = it.status.value
    out = {}
    if rules:
        out["rules"] = dict(rules)
    if items:
        out["items"] = dict(items)
    if indicators:
        out["indicators"] = dict(indicators)
    return out


def current_results(specs: dict, inventory: dict) -> dict:
    return {name: results_of(spec.evaluate(collections_for(spec, inventory))) for name, spec in specs.items()}


def dumps_golden(results: dict) -> str:
    """Sorted JSON, one line per record (a diff names the record that changed)."""
    lines = ["{"]
    for i, name in enumerate(sorted(results)):
        lines.append(f" {json.dumps(name)}: {{")
        sections = sorted(results[name])
        for j, section in enumerate(sections):
            lines.append(f"  {json.dumps(section)}: {{")
            records = results[name][section]
            keys = sorted(records)
            for k, rid in enumerate(keys):
                row = json.dumps(records[rid], ensure_ascii=False, sort_keys=True)
                lines.append(f"   {json.dumps(rid, ensure_ascii=False)}: {row}{',' if k < len(keys) - 1 else ''}")
            lines.append("  }" + ("," if j < len(sections) - 1 else ""))
        lines.append(" }" + ("," if i < len(results) - 1 else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def diff_results(expected: dict, actual: dict, limit: int = 60) -> list[str]:
    out: list[str] = []
    for name in sorted(set(expected) | set(actual)):
        e_spec, a_spec = expected.get(name, {}), actual.get(name, {})
        for section in sorted(set(e_spec) | set(a_spec)):
            e_sec, a_sec = e_spec.get(section, {}), a_spec.get(section, {})
            for rid in sorted(set(e_sec) | set(a_sec)):
                e_rec, a_rec = e_sec.get(rid), a_sec.get(rid)
                if e_rec is None or a_rec is None:
                    out.append(f"{name} {section} {rid}: {'new record' if e_rec is None else 'record gone'}")
                    continue
                for key in sorted(set(e_rec) | set(a_rec)):
                    if e_rec.get(key) != a_rec.get(key):
                        what = {"rules": "rule", "items": "item"}.get(section, "indicator")
                        out.append(f"{name} {rid} {what} {key}: golden {e_rec.get(key)!r}, now {a_rec.get(key)!r}")
    if len(out) > limit:
        out = out[:limit] + [f"... and {len(out) - limit} more differences"]
    return out


walk = ir.walk  # every IR node under a node


# ------------------------------------------------------------------ the data is the generator's output
def test_inventory_json_is_the_generator_output(gen):
    expected = gen.dumps_json(gen.inventory(gen.DEFAULT_COMMUNITIES, gen.DEFAULT_SEED))
    assert INVENTORY.read_text(encoding="utf-8") == expected, (
        "examples/wuhai/inventory.json differs from the generator's output; regenerate with "
        "`python examples/generate.py --out examples/wuhai/inventory.json`")


def test_inventory_csv_is_the_generator_output(gen):
    if not CSV_DIR.exists():
        pytest.skip("no CSV copy of the example")
    for name, fn in gen.LEVELS:
        rows = [gen.flatten(r) for r in fn(gen.DEFAULT_COMMUNITIES, gen.DEFAULT_SEED)]
        text = (CSV_DIR / f"{name}.csv").read_text(encoding="utf-8")
        assert text == gen.csv_text(rows), (
            f"examples/wuhai/csv/{name}.csv differs from the generator's output; regenerate with "
            "`python examples/generate.py --format csv --out examples/wuhai/csv`")


def test_inventory_is_synthetic_and_sized(inventory):
    assert "SYNTHETIC" in inventory["$comment"]
    assert len(inventory["city"]) == 1
    assert [d["name"] for d in inventory["districts"]] == ["海勃湾区", "海南区", "乌达区"]
    assert len(inventory["subdistricts"]) == 21
    assert len(inventory["communities"]) == 100
    households = [c["households"] for c in inventory["communities"] if "households" in c]
    assert min(households) >= 800 and max(households) <= 4000
    kinds = {c.get("kind") for c in inventory["communities"]}
    assert {"new", "existing", "constrained", None} <= kinds  # some kinds are not recorded


def test_records_are_linked(inventory):
    ids = {level: [r["id"] for r in inventory[level]] for level in LEVELS}
    for level in LEVELS:
        assert len(ids[level]) == len(set(ids[level])), f"duplicate ids among {level}"
    assert all(d["city"] == "150300" for d in inventory["districts"])
    assert {s["district"] for s in inventory["subdistricts"]} == set(ids["districts"])
    assert {c["subdistrict"] for c in inventory["communities"]} == set(ids["subdistricts"])
    district_name = {d["id"]: d["name"] for d in inventory["districts"]}
    parent = {s["id"]: s["district"] for s in inventory["subdistricts"]}
    assert all(district_name[parent[c["subdistrict"]]] == c["district"] for c in inventory["communities"])


def test_city_statistics_add_up(inventory):
    city = inventory["city"][0]
    for field in ("urban_resident_population", "community_workers", "registered_population",
                  "professional_social_workers", "care_institution_beds"):
        assert city[field] == sum(d[field] for d in inventory["districts"]), field


def test_generator_is_deterministic_and_scales(gen):
    a = gen.inventory(250, 7)
    assert a == gen.inventory(250, 7)
    assert a["communities"] != gen.inventory(250, 8)["communities"]
    assert len(a["communities"]) == 250
    assert len(a["districts"]) == 9  # three copies of Wuhai's districts
    assert 21 * 2 < len(a["subdistricts"]) <= 21 * 3
    ids = [c["id"] for c in a["communities"]]
    assert len(ids) == len(set(ids))
    subs = {s["id"]: s for s in a["subdistricts"]}
    dists = {d["id"] for d in a["districts"]}
    assert all(c["subdistrict"] in subs for c in a["communities"])
    assert all(s["district"] in dists for s in a["subdistricts"])
    # the first block is the same at every size
    assert a["communities"][:100] == gen.inventory(100, 7)["communities"]
    assert len(gen.inventory(7, 7)["communities"]) == 7


def test_generator_streams_json_lines(gen):
    buf = io.StringIO()
    buf.reconfigure = lambda **kw: None  # type: ignore[attr-defined]
    with contextlib.redirect_stdout(buf):
        gen.main(["--communities", "150", "--format", "jsonl", "--seed", "3"])
    lines = buf.getvalue().splitlines()
    assert len(lines) == 150
    assert [json.loads(x) for x in lines] == gen.inventory(150, 3)["communities"]


def test_csv_reads_like_json(specs):
    readers = pytest.importorskip("standardlang.data.readers")
    if not hasattr(readers, "load_data") or not CSV_DIR.exists():
        pytest.skip("no CSV reader or no CSV copy of the example")
    for name, spec in specs.items():
        files = [str(CSV_DIR / f"{lv}.csv") for lv in LEVELS
                 if lv == "communities" or name != "complete_community"]
        from_csv = spec.evaluate_inventory(readers.load_data(files, spec).inventory)
        from_json = spec.evaluate_inventory(readers.load_data([str(INVENTORY)], spec).inventory)
        assert results_of(from_csv) == results_of(from_json), name


# ------------------------------------------------------------------ coverage of every rule and indicator
def test_every_rule_meets_every_verdict(specs, inventory):
    spec = specs["complete_community"]
    report = spec.evaluate(collections_for(spec, inventory))
    seen: dict[str, set[str]] = defaultdict(set)
    for v in report.verdicts:
        seen[v.rule.id].add(v.status.value)
    problems = []
    for rule in spec.rules:
        want = {"pass", "fail"}
        if can_be_unknown(spec, rule):
            want.add("unknown")
        if rule.applies is not None or rule.adoption is not None:  # a permission (可) can be not taken up
            want.add("not_applicable")
        if rule.adoption == ():  # a permission with no condition attached: taken up or not, never failed
            want.discard("fail")
        if want - seen[rule.id] or "error" in seen[rule.id]:
            problems.append(f"rule {rule.id}: statuses {sorted(seen[rule.id])}, wanted {sorted(want)}")
    assert not problems, "\n".join(problems)
    assert len(spec.rules) == 73 and len(spec.checked.items) == 20


def test_every_indicator_passes_and_fails_below_the_city(specs, inventory):
    problems = []
    for name in ("wuhai_indicators", "wuhai_public_services"):
        spec = specs[name]
        report = spec.evaluate(collections_for(spec, inventory))
        seen: dict[str, set[str]] = defaultdict(set)
        for r in report.indicators:
            assert r.status.value != "error", r.explain()
            if r.entity != "city":
                seen[r.indicator.id].add(r.status.value)
        for ind in spec.indicators:
            if ind.entities == ("city",):
                continue  # judged for the one city only
            if not {"pass", "fail"} <= seen[ind.id]:
                problems.append(f"{name} indicator {ind.id}: below the city only {sorted(seen[ind.id])}")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------ golden results
def test_results_match_golden(specs, inventory):
    actual = current_results(specs, inventory)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(dumps_golden(actual), encoding="utf-8")
    assert GOLDEN.exists(), "no golden file; create it with UPDATE_GOLDEN=1 pytest tests/test_example_city.py"
    text = GOLDEN.read_text(encoding="utf-8")
    expected = json.loads(text)
    diff = diff_results(expected, actual)
    assert not diff, ("results differ from tests/golden/wuhai/results.json:\n  " + "\n  ".join(diff)
                      + "\nif the change is intended: UPDATE_GOLDEN=1 pytest tests/test_example_city.py")
    assert text == dumps_golden(expected), "the golden file is not in canonical form; regenerate it"
