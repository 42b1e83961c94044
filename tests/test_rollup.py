"""Indicators of the levels above, accumulated record by record (engine.rollup), equal the whole inventory's.

The streaming ``check`` keeps no community: it folds each into its subdistrict's
accumulators and computes the subdistrict, district and city indicators from them.
Here those results (status, value or range, missing fields, error text) are compared
with ``Spec.compute_indicators`` over the whole inventory: on the example city, on a
generated inventory, and on one with bad and missing data, the communities folded in
chunks of several sizes (chunks are merged in input order, as the workers' are).
"""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import pytest

import standardlang as sl
from standardlang.data.inventory import Inventory
from standardlang.data.validate import validate
from standardlang.engine import rollup

ROOT = Path(__file__).resolve().parent.parent
SPECS = {name: sl.load(ROOT / "specs" / f"{name}.stdl") for name in ("wuhai_indicators", "wuhai_public_services")}


def _variant() -> sl.Spec:
    """Column 1 with folds the shipped specs do not use over communities: all, any, min, max."""
    text = (ROOT / "specs" / "wuhai_indicators.stdl").read_text("utf-8")
    for old, new in [
        ("value for city, district, subdistrict = share(communities where info_platform)",
         "value for city, district, subdistrict = if all(communities where info_platform) then 100 % "
         "else (if any(communities where info_platform) then 50 % else 0 %)"),
        ("value for city, district, subdistrict = share(communities where present(elderly_station) or "
         "present(day_care_center))",
         "value for city, district, subdistrict = min(communities.households) / max(communities.households)"),
    ]:
        assert old in text
        text = text.replace(old, new)
    return sl.loads(text)


SPECS["folds"] = _variant()


def _generate():
    spec = importlib.util.spec_from_file_location("wuhai_generate_rollup", ROOT / "examples" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def example_city() -> dict:
    return json.loads((ROOT / "examples" / "wuhai" / "inventory.json").read_text("utf-8"))


def generated() -> dict:
    return _generate().inventory(700, seed=7)


def with_bad_data() -> dict:
    """The example city with bad values, absent values and records linked to no subdistrict."""
    d = example_city()
    cs = d["communities"]
    cs[3]["commercial_area"] = "abc"
    cs[10]["service_station"] = "none"
    cs[11]["info_platform"] = "maybe"
    cs[12].pop("households", None)
    cs[13]["total_building_area"] = None
    cs[14].pop("service_station", None)
    cs[14]["elderly_station"] = {}
    cs[20]["households"] = -5
    cs[21]["subdistrict"] = "nowhere"
    cs[22].pop("subdistrict")
    for c in cs[30:40]:
        c["commercial_area"] = "bad"
    for c in cs[40:60]:
        c.pop("info_platform", None)
    d["subdistricts"][2].pop("id")
    d["subdistricts"][4]["social_work_station"] = "yes?"
    return d


def compare(spec, data: dict, chunk: int) -> int:
    """Fold the communities of ``data`` in chunks; assert every upper indicator equals the whole one."""
    inventory = spec.inventory(copy.deepcopy(data))
    whole = {(x.indicator.id, x.entity, x.record_id): x for x in spec.compute_indicators(inventory)
             if x.entity != "community"}
    plan, why = rollup.plan(spec, "community")
    assert plan is not None, why
    communities = inventory.records["community"]
    rtype = spec.entities["community"]
    groups: dict = {}
    for i in range(0, len(communities), chunk):
        part = communities[i:i + chunk]
        rollup.merge_groups(groups, plan.fold(part, [validate(c, rtype) for c in part]), plan.sigs)
    upper = {e: rs for e, rs in inventory.records.items() if e != "community"}
    for rec in upper.get("subdistrict", []):
        if isinstance(rec, dict):
            rec.pop("communities", None)  # as the streaming check has them: no community kept
    # the records as they are (the library), then reduced to what the indicators read (the streaming check)
    kept = copy.deepcopy(upper)
    keeper = rollup.Upper(plan)
    for ent, recs in kept.items():
        for rec in recs:
            keeper.add(ent, rec)
    assert not any("name" in r for rs in kept.values() for r in rs if isinstance(r, dict))  # reduced indeed
    for records, given in ((upper, None), (kept, keeper)):
        seen = 0
        for x in plan.indicators(Inventory(spec.entities, records), groups, upper=given):
            w = whole[(x.indicator.id, x.entity, x.record_id)]
            assert (x.status, x.value, x.missing, x.error) == (w.status, w.value, w.missing, w.error), \
                (x.indicator.id, x.entity, x.record_id, given is not None)
            seen += 1
        assert seen == len(whole)
    return seen


@pytest.mark.parametrize("chunk", [1, 7, 1000])
@pytest.mark.parametrize("name", list(SPECS))
def test_rollup_equals_the_whole_inventory_on_the_example_city(name, chunk):
    assert compare(SPECS[name], example_city(), chunk) > 50


@pytest.mark.parametrize("chunk", [3, 250])
def test_rollup_equals_the_whole_inventory_on_a_generated_province(chunk):
    assert compare(SPECS["wuhai_indicators"], generated(), chunk) > 1000


@pytest.mark.parametrize("chunk", [1, 4, 1000])
@pytest.mark.parametrize("name", ["wuhai_indicators", "folds"])
def test_rollup_with_bad_and_missing_data(name, chunk):
    spec = SPECS[name]
    assert compare(spec, with_bad_data(), chunk) > 50
    # the bad data did reach the upper levels: some errors, some ranges, some unknowns
    inventory = spec.inventory(with_bad_data())
    statuses = {x.status.value for x in spec.compute_indicators(inventory) if x.entity != "community"}
    assert {"error", "unknown"} <= statuses


def test_a_broken_accumulator_is_caught(monkeypatch):
    """The comparison bites: a fold that counts an unknown element as true makes it fail."""
    original = rollup.Acc._element  # engine.folds.Acc

    def wrong(self, interp, sig, e, trace):
        original(self, interp, sig, e, trace)
        if sig.func == "share" and self.b:
            self.a, self.b = self.a + self.b, 0

    monkeypatch.setattr(rollup.Acc, "_element", wrong)
    with pytest.raises(AssertionError):
        compare(SPECS["wuhai_indicators"], with_bad_data(), 7)


@pytest.mark.parametrize("breakage", ["problems", "fields"])
def test_a_broken_reduction_of_the_upper_records_is_caught(monkeypatch, breakage):
    """The comparison bites on the reduced records too: their problems forgotten, or a field dropped
    that an indicator reads (a subdistrict's social_work_station), makes it fail."""
    if breakage == "problems":
        monkeypatch.setattr(rollup.Upper, "problems_of", lambda self, record, rtype: [])
    else:
        original = rollup.Upper.__init__

        def init(self, plan):
            original(self, plan)
            self.keep["subdistrict"] = self.keep["subdistrict"] - {"social_work_station"}

        monkeypatch.setattr(rollup.Upper, "__init__", init)
    with pytest.raises(AssertionError):
        compare(SPECS["wuhai_indicators"], with_bad_data(), 7)


def test_compact_groups_round_trip():
    """A group without problems is kept as one byte string (a province holds one per subdistrict)
    and reads back the same; one holding a fraction in a range stays an object."""
    from fractions import Fraction

    from standardlang.engine import folds

    g = folds.Group(2)
    g.n, g.accs, g.problems = 3, (5, 0, 7, None, 123456789012345678901, None, 10, (True, None, None, False, None)), None
    packed = folds.compact(g)
    assert packed.__class__ is bytes and len(packed) < 120
    back = folds.opened(packed)
    assert (back.n, back.accs, back.problems) == (3, g.accs, None)
    assert [type(x) for x in back.accs] == [type(x) for x in g.accs]  # True stays a bool, None None
    g.accs = (None, (Fraction(1, 3), Fraction(5, 2)), None, None)
    assert folds.compact(g) is g


def test_shapes_it_cannot_fold_give_no_plan():
    text = (ROOT / "specs" / "wuhai_indicators.stdl").read_text("utf-8")
    text = text.replace("value for city, district, subdistrict = share(communities where info_platform)",
                        "value for city, district, subdistrict = avg(communities.households) / 100")
    plan, why = rollup.plan(sl.loads(text), "community")
    assert plan is None and "avg" in why
