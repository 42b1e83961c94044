"""Plans for the example city: totals are sums of the communities' edits, indicator
distances reach their targets exactly, every proposed route passes, a golden plan,
communities checked by hand, what-if projects and the ``plan`` command.

Hand-checked communities (figures from examples/wuhai/inventory.json):

* 150302001001 光明社区 (new): service station 754 m², should be ≥ 800 m² → +46 m²;
  no postal station → build one of 15 m² usable area (rule 7.station, new communities).
* 150302001003 (existing): kindergarten land 2152.5 m² → +1347.5 m² to 3500 m².
* 150302001004 海达社区: 0 locker slots for 450 daily deliveries → 450..585 slots (1–1.3×);
  bus stop 11.5 min away → 10 min.
* 150302001005 健康社区 (site-constrained): stores of 47, 93, 45 m² → one more store of
  ≥ 50 m², or a supermarket of 300 m² selling the four kinds of goods.
* 150302002005 金泰社区 (new): management room 182.5 m² for 155,550 m² of building area;
  2 ‰ is 311.1 m² → +128.6 m².
"""

from __future__ import annotations

import json
import os
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest

import standardlang as sl
from standardlang.backends.python import runtime as rt
from standardlang.engine.verdict import Status
from standardlang.planning import apply
from standardlang.planning.indicators import value_with
from standardlang.planning.places import make_plan
from standardlang.planning.projects import read_projects, what_if
from standardlang.reports.plan_report import render_csv, render_json, render_text

ROOT = Path(__file__).resolve().parent.parent
SPECS = [ROOT / "specs" / "complete_community.stdl", ROOT / "specs" / "wuhai_indicators.stdl"]
DATA = ROOT / "examples" / "wuhai" / "inventory.json"
GOLDEN = ROOT / "tests" / "golden" / "plan" / "wuhai.json"


@pytest.fixture(scope="module")
def specs():
    return [sl.load(p) for p in SPECS]


@pytest.fixture(scope="module")
def plan(specs):
    return make_plan(specs, json.loads(DATA.read_text(encoding="utf-8")))


def _community(plan, ident):
    return next(c for c in plan.communities if c.record_id == ident)


def _route_text(plan, ident, item, way=None):
    cp = _community(plan, ident)
    it = next(i for i in cp.items if i.item == item)
    route = next(r for r in it.routes if r.label == way)
    return [c.describe() for c in route.changes]


def test_hand_checked_communities(plan):
    assert "service_station.building_area +46 m²: 754 m² → 800 m²" in _route_text(plan, "150302001001", "1")
    # item 7 names letter boxes and parcel lockers apart: 光明社区 has two groups of parcel lockers and none of letter boxes
    assert _route_text(plan, "150302001001", "7") == ["letter_box_groups +1: 0 → 1", "build postal_station",
                                                       "postal_station.usable_area: set to 15 m²"]
    assert _route_text(plan, "150302001003", "2")[0] == "kindergarten.land_area +1347.5 m²: 2152.5 m² → 3500 m²"
    assert "locker_slots +450: 0 → 450 (any of 450–585 passes)" in _route_text(plan, "150302001004", "7")
    assert "bus_stop_walk −1.5 min: 11.5 min → 10 min (any of 0 min–10 min passes)" in _route_text(plan, "150302001004", "11")
    # the stores' route adds a store for 6.building_area; 6.goods asks that some store sell each of the four
    # kinds (none of 150302001005's sells vegetables): the first store adds vegetables
    assert _route_text(plan, "150302001005", "6", "convenience_stores") == [
        "convenience_stores: add 1 (building_area 50)", "convenience_stores.0.goods: add vegetables"]
    assert _route_text(plan, "150302001005", "6")[:2] == ["build supermarket", "supermarket.building_area: set to 300 m²"]
    assert _route_text(plan, "150302002005", "16") == ["pm_room.building_area +128.6 m²: 182.5 m² → 311.1 m²"]


def test_every_complete_route_passes_every_rule_of_its_item(plan, specs):
    spec = specs[0]
    checked = 0
    for cp in plan.communities:
        for item in cp.items:
            rules = [r for r in spec.rules if r.id.split(".")[0] == item.item and r.strength != "may"]
            for route in item.routes:
                if not route.complete:
                    continue
                after = apply(cp.record, route.changes)
                for r in rules:
                    before = spec.rule_function(r.id)(cp.record)
                    now = spec.rule_function(r.id)(after)
                    assert now in (Status.PASS, Status.NOT_APPLICABLE) or (
                        before is Status.UNKNOWN and now is Status.UNKNOWN), (cp.record_id, r.id, route)
                    checked += 1
    assert checked > 500


def _members(plan, place):
    out = []
    for cp in plan.communities:
        if place.level == "city":
            out.append(cp)
        elif place.level == "subdistrict" and cp.subdistrict == place.id:
            out.append(cp)
        elif place.level == "district" and (cp.district == place.id or cp.district == place.name):
            out.append(cp)
    return out


def test_place_totals_are_the_sums_of_their_communities(plan):
    for place in plan.places:
        adds, builds, members = Counter(), Counter(), Counter()
        for cp in _members(plan, place):
            for item in cp.items:
                route = item.best or item.routes[0]
                for c in route.changes:
                    if c.action == "create":
                        builds[c.path] += 1
                    elif c.action == "append":
                        builds[c.path] += c.count
                    elif c.delta is not None:
                        adds[c.path] += c.delta * c.scale
                    elif c.action == "add_members":
                        members.update((c.path, m) for m in c.members)
        t = place.totals
        assert builds == +Counter(t.build), place.id
        assert {k: v for k, v in adds.items() if v} == {k: t.add.get(k, 0) - t.reduce.get(k, 0)
                                                       for k in set(t.add) | set(t.reduce)
                                                       if t.add.get(k, 0) - t.reduce.get(k, 0)}, place.id
        assert members == Counter({(k, m): n for k, c in t.members.items() for m, n in c.items()}), place.id
    city = plan.place("city", "city")
    districts = [p for p in plan.places if p.level == "district"]
    assert sum(len(d.totals.communities) for d in districts) == len(city.totals.communities)
    for path, amount in city.totals.add.items():
        assert sum(d.totals.add.get(path, 0) for d in districts) == amount


def test_indicator_distances_applied_reach_the_target_exactly(plan, specs):
    spec = specs[1]
    inv = spec.inventory(json.loads(DATA.read_text(encoding="utf-8")))
    seen = 0
    for place in plan.places:
        for d in place.indicators:
            if d.status != "fail":
                continue
            ind = next(i for i in spec.indicators if i.id == d.indicator)
            rec = next(r for i, r in enumerate(inv.records[d.entity]) if spec.record_id(d.entity, r, i) == d.record_id)
            assert d.terms or d.notes, d
            for term in d.terms:
                reached = value_with(spec, ind, d.entity, rec, term, term.delta)
                assert rt.compare(d.op, reached, d.target), (d.indicator, place.id, term)
                if term.whole:
                    assert not rt.compare(d.op, value_with(spec, ind, d.entity, rec, term, term.delta - 1), d.target)
                else:
                    assert reached == d.target, (d.indicator, place.id, term, reached)
                seen += 1
    assert seen >= 10


def test_indicator_1_names_the_communities_without_a_station(plan):
    city = plan.place("city", "city")
    d = next(x for x in city.indicators if x.indicator == "1")
    term = d.terms[0]
    # 89 have a station, 9 are known to have none (to build), 2 were not surveyed (survey first, never built)
    assert (term.current, term.of, term.delta) == (89, 100, 11)
    assert Counter(city.totals.build)["service_station"] == 9 == len(term.members)
    assert term.unknown == ("150302003005", "150304007002") and not set(term.unknown) & set(term.members)
    assert "2 not recorded: survey first" in term.describe() and "2 个未记录,先调查" in term.describe("zh")


def test_a_facility_not_recorded_is_surveyed_first_never_built(plan):
    """雨润社区's station was not surveyed: its item-1 rules are unknown, nothing is proposed, and the
    plan says to survey it, counted apart from what to build (which a station known absent gets)."""
    by_id = {c.record_id: c for c in plan.communities if c.spec == "complete_community"}
    unsurveyed, absent = by_id["150302003005"], by_id["150303001001"]
    assert unsurveyed.survey == ["service_station"]
    assert not any(ch.path.startswith("service_station") for i in unsurveyed.items for r in i.routes for ch in r.changes)
    assert absent.survey == [] and any(ch.path == "service_station" and ch.action == "create"
                                       for i in absent.items for r in i.routes for ch in r.changes)
    city = plan.place("city", "city")
    assert city.totals.survey["service_station"] == 2 and city.totals.survey["elderly_station"] == 2
    assert city.totals.to_survey == {"150302003005", "150304007002", "150302006005", "150303002002",
                                     "150304001004", "150304006004"}  # counted apart from "to build"
    text = render_text(plan, "en")
    assert "survey first: service_station (社区综合服务站) not recorded" in text
    assert "先调查(未记录,不计入新建)" in render_text(plan, "zh", summary=True)
    assert plan.to_dict()["places"][0]["to_build"]["survey"]["service_station"] == 2


GOLDEN_COMMUNITIES = ("150302001001", "150302001003", "150302001004", "150302001005", "150302002005")


def _portable(d: dict) -> dict:
    """The plan without the checkout's absolute spec paths (the golden was written in another folder)."""
    for spec in d.get("specs", []):
        spec["path"] = Path(spec["path"]).name
    return d


def test_golden_plan(plan):
    """The places of the plan and the hand-checked communities, as JSON (the whole plan is ~3 MB)."""
    d = plan.to_dict()
    d["communities"] = [c for c in d["communities"] if c["record"] in GOLDEN_COMMUNITIES]
    for s in d["specs"]:  # where the clone lives is no part of the plan
        s["path"] = Path(s["path"]).resolve().relative_to(ROOT).as_posix()
    text = json.dumps(d, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.exists(), "no golden plan; create it with UPDATE_GOLDEN=1 pytest tests/test_plan.py"
    expected = GOLDEN.read_text(encoding="utf-8")
    assert _portable(json.loads(text)) == _portable(json.loads(expected)), \
        "the plan changed; if intended: UPDATE_GOLDEN=1 pytest tests/test_plan.py and review the diff"


def test_plan_json_is_versioned_and_csv_has_one_row_per_edit(plan):
    d = json.loads(render_json(plan))
    assert d["schema"] == "standardlang.plan/1"
    rows = render_csv(plan).splitlines()
    edits = sum(len(r.changes) for c in plan.communities for i in c.items for r in i.routes)
    assert len(rows) == edits + 1
    zh = render_text(plan, "zh", summary=True)
    assert "新建设施" in zh and "幼儿园(kindergarten) ×21" in zh


def test_what_if_projects_year_by_year(specs):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    invs = {s.name: s.inventory(data) for s in specs}
    projects = read_projects(str(ROOT / "tests" / "data" / "plan_projects.csv"))
    w = what_if(specs, invs, projects, 2025)
    assert [s.year for s in w.states] == [None, 2023, 2024, 2025]
    effects = {e.project.id: e for e in w.effects}
    assert effects["P1"].rules == ["1.building_area"] and effects["P1"].error is None
    assert effects["P2"].rules == ["16.room"] and "16" in effects["P2"].items
    assert "no community `999`" in effects["P3"].error
    assert w.states[-1].shall_failed == w.states[0].shall_failed - 1  # 1.building_area is a should
    assert {d["indicator"] for d in w.missed} >= {"1", "5"}
    # the inventories given are not changed
    assert spec_rule(specs[0], "16.room", invs, "150302002005") is Status.FAIL


def spec_rule(spec, rule_id, invs, ident):
    rec = next(r for r in invs[spec.name].records["community"] if r["id"] == ident)
    return spec.rule_function(rule_id)(rec)


class _Run:
    def __init__(self, code, out, err):
        self.returncode, self.stdout, self.stderr = code, out, err


def test_plan_command_formats_and_errors(tmp_path, capsys):
    from standardlang.cli import main

    def _cli(*args):
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return _Run(code, out, err)

    full = json.loads(DATA.read_text(encoding="utf-8"))
    small = {k: v for k, v in full.items() if not k.startswith("$")}
    small["communities"] = [c for c in full["communities"] if c["subdistrict"] == "150302001"]
    data = tmp_path / "small.json"
    data.write_text(json.dumps(small, ensure_ascii=False), encoding="utf-8")
    base = ["plan", *map(str, SPECS), "--data", str(data)]
    r = _cli(*base, "--summary")
    assert r.returncode == 0 and "== 乌海市 (city)" in r.stdout and "warning" not in r.stderr, r.stderr
    r = _cli(*base, "--format", "json", "--projects", str(ROOT / "tests" / "data" / "plan_projects.csv"))
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["whatif"]["deadline"] == 2025 and len(d["whatif"]["projects"]) == 3
    bad = tmp_path / "bad.csv"
    bad.write_text("project,community,year,field,value\nP9,150302001001,soon,x,1\n", encoding="utf-8")
    r = _cli(*base, "--projects", str(bad))
    assert r.returncode == 3 and "year `soon` is not a year" in r.stderr and "Traceback" not in r.stderr


def test_explain_shows_the_shortfall_beside_the_verdict(capsys):
    from standardlang.cli import main

    base = ["explain", str(SPECS[0])]
    assert main([*base, "16.room", "--data", str(DATA), "--record", "150302002005", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "差距(通过所需的最小改变):" in out and "物业管理用房·建筑面积 +128.6 m²:182.5 m² → 311.1 m²" in out
    assert main([*base, "6.building_area", "--data", str(DATA), "--record", "150302001005"]) == 0
    out = capsys.readouterr().out
    assert "way 2 (convenience_stores): convenience_stores: add 1 (building_area 50)" in out
    assert main([*base, "9.5g", "--data", str(DATA), "--record", "150302001001"]) == 0
    assert "what would decide it:\n  network_5g true → pass; false → fail" in capsys.readouterr().out


def test_rules_tying_fields_together_move_the_subject_and_list_the_others(specs):
    from standardlang.planning import Planner

    planner = Planner(specs[0], "community")
    rec = {"id": "c", "kind": "new", "households": 500, "car_spaces": 420, "charging_spaces": 100,
           "charging_ready_spaces": 50}
    sf = planner.rule_shortfall(specs[0].rule("10.parking"), rec)
    assert [c.describe() for c in sf.best.changes] == ["car_spaces +80: 420 → 500"]
    assert not sf.best.moves  # households describe the place: never moved
    sf = planner.rule_shortfall(specs[0].rule("10.charging"), rec)
    assert [c.describe() for c in sf.best.changes] == ["charging_spaces +270: 100 → 370"]
    assert sorted(c.path for c in sf.best.moves) == ["car_spaces", "charging_ready_spaces"]


def test_json_projects_file(specs, tmp_path):
    f = tmp_path / "projects.json"
    f.write_text(json.dumps({"projects": [
        {"id": "K1", "title": "幼儿园扩建", "community": "150302001003", "year": 2024,
         "add": {"kindergarten.land_area": 1347.5}, "set": {"kindergarten.inclusive": True}},
        {"id": "K2", "community": "150302001003", "year": 2030, "set": {"smart_security": True}}]},
        ensure_ascii=False), encoding="utf-8")
    projects = read_projects(str(f))
    data = json.loads(DATA.read_text(encoding="utf-8"))
    w = what_if(specs[:1], {specs[0].name: specs[0].inventory(data)}, projects, 2025)
    effects = {e.project.id: e for e in w.effects}
    assert effects["K1"].rules == ["2.land_area", "2.inclusive"] and effects["K1"].items == ["2"]
    assert "after the deadline 2025" in effects["K2"].error
