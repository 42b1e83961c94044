#!/usr/bin/env python3
"""Generate a synthetic inventory of Wuhai (乌海市): the city, its districts, subdistricts and towns, and communities.

Takes a seed and a size; gives an inventory for the three shipped specs
(``specs/complete_community.stdl``, ``specs/wuhai_indicators.stdl``,
``specs/wuhai_public_services.stdl``): one city record, district statistics,
subdistrict/town records and community records, linked by parent keys
(``community.subdistrict``, ``subdistrict.district``, ``district.city``).

The data is SYNTHETIC.  District, subdistrict and town names are real-sounding
names of Wuhai used for realism; every figure is drawn at random.  Values are
drawn so that thresholds of the specs are sometimes hit exactly (a kindergarten
of exactly 2200 m², exactly 10 % commercial area...), some data is missing, and
every rule of the column-5 standard meets communities that pass, fail, cannot
be judged and (where it has ``applies when``) do not apply.

The default (``--seed 2022 --communities 100``) is the committed example
``examples/wuhai/inventory.json``; a test checks that the file equals this
program's output.  Larger sizes repeat Wuhai's three districts and 21
subdistricts/towns as needed (about 21 subdistricts and 3 districts per 100
communities); every block of 100 communities is drawn from its own seeded
generator, so the first 100 communities are the same at every size.

Usage::

    python examples/generate.py --out examples/wuhai/inventory.json        # the example (JSON)
    python examples/generate.py --format csv --out examples/wuhai/csv      # the same, as CSV files
    python examples/generate.py --communities 1000000 --format jsonl > big.jsonl   # communities, streamed
    python examples/generate.py --communities 1000000 --format jsonl --out big/    # every level, streamed

Formats: ``json`` (one object holding the collections ``city``, ``districts``,
``subdistricts``, ``communities``); ``jsonl`` (one record a line; to standard
output only the communities, into a directory ``--out`` one file per level;
memory stays bounded at any size); ``csv`` (one file per level in the
directory ``--out``, nested records as dotted headers such as
``kindergarten.building_area``, list elements as ``convenience_stores[0].building_area``,
sets as ``a;b;c``).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sys
from typing import Any, Iterator

DEFAULT_SEED = 2022
DEFAULT_COMMUNITIES = 100
BLOCK = 100  # communities per copy of the city's subdistricts

CITY = {"id": "150300", "name": "乌海市"}

# District statistics (replica 0; later replicas are perturbed copies). Indicators 8 and 9 of
# column 1: 海勃湾区 passes, 乌达区 fails, 海南区 sits exactly on both targets (18 per 10,000 and
# 1.4 ‰); the city as a whole is just under 18 per 10,000 (959 / 533,000).
DISTRICTS: list[dict[str, Any]] = [
    {"id": "150302", "name": "海勃湾区", "profile": "core",
     "stats": {"resident_population": 330000, "urban_resident_population": 312000, "community_workers": 575, "community_workers_trained": 575,
               "registered_population": 250000, "professional_social_workers": 380,
               "childcare_places": 1650, "inclusive_childcare_places": 560,
               "kindergartens": 48, "model_kindergartens": 14, "quality_balanced_education": True,
               "general_practitioners": 112, "elderly_population": 61000, "care_institution_beds": 3900,
               "nursing_beds": 2220, "fitness_sites": 180, "fitness_sites_equipped": 175},
     "subdistricts": [("001", "新华街道", "subdistrict", 6), ("002", "新华西街道", "subdistrict", 6),
                      ("003", "海北街道", "subdistrict", 6), ("004", "凤凰岭街道", "subdistrict", 6),
                      ("005", "滨河街道", "subdistrict", 6), ("006", "林荫街道", "subdistrict", 5),
                      ("007", "千钢街道", "subdistrict", 5), ("100", "千里山镇", "town", 4)]},
    {"id": "150303", "name": "海南区", "profile": "gaps",
     "stats": {"resident_population": 86000, "urban_resident_population": 80000, "community_workers": 144, "community_workers_trained": 144,
               "registered_population": 70000, "professional_social_workers": 98,
               "childcare_places": 344, "inclusive_childcare_places": 120,
               "kindergartens": 16, "model_kindergartens": 4, "quality_balanced_education": False,
               "general_practitioners": 26, "elderly_population": 15000, "care_institution_beds": 900,
               "nursing_beds": 420, "fitness_sites": 60, "fitness_sites_equipped": 57},
     "subdistricts": [("001", "西卓子山街道", "subdistrict", 6), ("002", "拉僧仲街道", "subdistrict", 5),
                      ("003", "公乌素街道", "subdistrict", 4), ("100", "巴音陶亥镇", "town", 5),
                      ("101", "拉僧庙镇", "town", 4)]},
    {"id": "150304", "name": "乌达区", "profile": "middle",
     "stats": {"resident_population": 148000, "urban_resident_population": 141000, "community_workers": 240, "community_workers_trained": 226,
               "registered_population": 120000, "professional_social_workers": 150,
               "childcare_places": 560, "inclusive_childcare_places": 160,
               "kindergartens": 24, "model_kindergartens": 7, "quality_balanced_education": True,
               "general_practitioners": 46, "elderly_population": 27000, "care_institution_beds": 1500,
               "nursing_beds": 840, "fitness_sites": 90, "fitness_sites_equipped": 88},
     "subdistricts": [("001", "三道坎街道", "subdistrict", 5), ("002", "五虎山街道", "subdistrict", 4),
                      ("003", "梁家沟街道", "subdistrict", 5), ("004", "新达街道", "subdistrict", 5),
                      ("005", "苏海图街道", "subdistrict", 4), ("006", "巴音赛街道", "subdistrict", 4),
                      ("007", "滨海街道", "subdistrict", 3), ("100", "乌兰淖尔镇", "town", 2)]},
]

# Subdistrict-level facts (indicator 6 and 专栏6 item 2): (social work station, incubator), per
# subdistrict in the order above; None is "not reported".
SUBDISTRICT_FACTS = {
    "150302": [(True, True)] * 8,
    "150303": [(True, True), (False, True), (True, True), (True, True), (None, False)],
    "150304": [(True, True), (True, True), (False, True), (True, True), (True, None), (True, True),
               (True, True), (False, False)],
}

# How a district's communities differ: coverage of service and elderly stations, the information
# platform, and missing data (``gaps`` for attested facts and facilities, ``ind_gaps`` for the
# figures the indicators add up; only 海南区 has those, so two districts have known totals).
PROFILES = {
    "core": {"station": 1.0, "elderly": 0.95, "info": 0.97, "volunteer": 1.0, "gaps": 0.045, "ind_gaps": 0.0,
             "kind": (0.32, 0.45, 0.23), "heating_off": 0.0},
    "middle": {"station": 0.9, "elderly": 1.0, "info": 0.8, "volunteer": 0.9, "gaps": 0.05, "ind_gaps": 0.0,
               "kind": (0.2, 0.5, 0.3), "heating_off": 0.1},
    "gaps": {"station": 0.8, "elderly": 0.85, "info": 0.92, "volunteer": 0.85, "gaps": 0.09, "ind_gaps": 0.06,
             "kind": (0.22, 0.4, 0.38), "heating_off": 0.15},
}

NAME_STEMS = [
    "友谊", "团结", "和平", "光明", "幸福", "康乐", "阳光", "锦绣", "绿洲", "滨湖", "金泰", "春晖", "青山", "新城", "黄河", "甘德尔", "胜利",
    "民主", "建设", "健康", "长青", "学苑", "颐和", "紫金", "凤凰", "星光", "沙湖", "湖滨", "海达", "巴音", "祥和", "永安", "东方", "兴隆",
    "富康", "泰和", "书香", "金裕", "桃园", "昌盛", "矿区", "园丁", "世纪", "温馨", "龙游", "嘉园", "雨润", "朝阳", "向阳", "红旗", "育才",
    "振华", "平安", "丰收", "文化", "人民", "北环", "南环", "东山", "西山", "河滨", "林苑", "馨园", "怡园", "华苑", "安居", "乐业", "滨海",
    "五虎", "千钢", "乌兰", "卓子", "新风", "团圆", "兴华", "利民", "惠民", "福源", "金海", "银河", "水岸", "翠苑", "春华", "秋实", "松林",
    "柳岸", "杏花", "梨园", "葡萄", "沙漠", "绿苑", "广场", "苏海", "三道", "公园", "银川", "阿拉", "明珠", "金沙", "长城", "北湖", "晨光",
    "启明", "新村", "西苑"
]

ROOMS = ["service_hall", "police_room", "committee_office", "activity_room", "reading_room", "party_center"]
ELDERLY_SERVICES = ["daily_care", "meal_aid", "health_care", "recreation"]
DAY_CARE_SERVICES = ["meal_supply", "rehab_care", "transport"]
HEALTH_SERVICES = ["prevention", "medical", "family_planning", "rehabilitation", "epidemic_control"]
GOODS = ["vegetables", "fruit", "fresh_food", "daily_goods"]
OUTLETS = ["barber", "laundry", "pharmacy", "repair", "housekeeping", "restaurant"]
UTILITIES = ["water_supply", "drainage", "power_supply", "roads", "gas_supply", "heating_supply", "telecom"]
FEATURES = ["low_counter", "info_screen", "tactile_voice_signs", "accessible_toilet"]
SERVICE_FACILITIES = ["社区综合服务站", "社区卫生服务站", "老年服务站", "社区服务大厅", "阅览室"]
SITE_FACILITIES = ["fitness_equipment", "fitness_trail", "seating", "children_play"]
COURTS = ["football_5", "basketball", "volleyball", "table_tennis", "gateball"]
BUILT_WITH = ["standalone", "with_service_station", "with_health_station", "with_residential", "with_office",
              "with_other"]
MANAGEMENT = [("professional", 0.55), ("community_trust", 0.15), ("social_org", 0.08), ("self_managed", 0.12),
              ("unmanaged", 0.10)]


# ------------------------------------------------------------------ drawing values
class Draw:
    """Draws for one community: presence, facts, measures that sometimes sit exactly on a threshold."""

    def __init__(self, rng: random.Random, gaps: float, quality: float):
        self.rng = rng
        self.gaps = gaps
        self.quality = quality

    def missing(self, scale: float = 1.0) -> bool:
        return self.rng.random() < self.gaps * scale

    def fact(self, p: float | None = None) -> bool | None:
        """An attested fact: true, false, or None (not recorded)."""
        if self.missing():
            return None
        if p is None:
            p = 0.55 + 0.4 * self.quality
        return self.rng.random() < p

    def measure(self, threshold: float, below: float, above: float, p_exact: float = 0.12,
                p_below: float | None = None, step: float = 1) -> float | None:
        """A quantity: exactly ``threshold``, below it (from ``below``) or above it (up to ``above``)."""
        if self.missing():
            return None
        r = self.rng.random()
        if p_below is None:
            p_below = 0.35 - 0.2 * self.quality
        if r < p_exact:
            return threshold
        if r < p_exact + p_below:
            return _round(self.rng.uniform(below, threshold - step), step)
        return _round(self.rng.uniform(threshold + step, above), step)

    def subset(self, items: list[str], p_all: float | None = None) -> list[str] | None:
        """All the items, or a non-empty subset missing one or two, or None (not recorded)."""
        if self.missing():
            return None
        if p_all is None:
            p_all = 0.5 + 0.4 * self.quality
        if self.rng.random() < p_all:
            return list(items)
        drop = set(self.rng.sample(items, min(len(items) - 1, self.rng.choice((1, 1, 2)))))
        return [x for x in items if x not in drop]


def _round(x: float, step: float) -> float:
    v = round(x / step) * step
    return int(v) if float(v).is_integer() else round(v, 2)


def _put(rec: dict, key: str, value: Any) -> None:
    if value is not None:
        rec[key] = value


def community(rng: random.Random, ident: str, name: str, district: dict, subdistrict: tuple) -> dict:
    """One community record (keys of values not recorded are left out; absent facilities are null)."""
    prof = PROFILES[district["profile"]]
    town = subdistrict[2] == "town"
    gaps = prof["gaps"]
    p_new, p_existing, _ = prof["kind"]
    r = rng.random()
    kind = "new" if r < p_new else "existing" if r < p_new + p_existing else "constrained"
    if town and kind == "new" and rng.random() < 0.5:
        kind = "existing"
    quality = rng.random() * (0.5 if kind == "constrained" else 1.0) + (0.3 if kind == "new" else 0.0)
    quality = min(quality, 1.0)
    d = Draw(rng, gaps, quality)
    # Facts added since the first version of the city are drawn from a second stream, so that every
    # value drawn before stays what it was (the golden results change only where a reading changed).
    x = Draw(random.Random(f"{ident}/{rng.getstate()[1][0]}"), gaps, quality)
    ind_gap = (lambda: rng.random() < prof["ind_gaps"])

    # ``district`` is the district's name (for reading and filtering: district == "海勃湾区"); the link to
    # the parent is ``subdistrict``, the key of the subdistrict or town.
    rec: dict[str, Any] = {"id": ident, "name": name, "district": district["name"], "subdistrict": subdistrict[0]}
    if not rng.random() < 0.03:
        rec["kind"] = kind
        if kind == "existing" and random.Random(f"{ident}/kind").random() < 0.08:  # constraint not yet assessed
            rec["kind"] = "existing_unassessed"
    households = rng.randint(8, 40) * 100 if rng.random() < 0.3 else rng.randint(800, 4000)
    if not ind_gap():
        rec["households"] = households
    per_household = rng.uniform(72, 118) if kind != "constrained" else rng.uniform(58, 85)
    total_area = round(households * per_household / 50) * 50
    if not ind_gap():
        rec["total_building_area"] = total_area
    rec["central_heating"] = (None if d.missing(0.5) else not (town and rng.random() < 0.5 + prof["heating_off"])
                              and not rng.random() < prof["heating_off"] / 3)
    if rec["central_heating"] is None:
        del rec["central_heating"]
    # each clause's own condition (专栏5第4、10、12、16项)
    _put(rec, "day_care_conditions", d.fact(0.35 + 0.45 * quality if kind != "constrained" else 0.25))
    _put(rec, "ebike_conditions", x.fact(0.5 + 0.3 * quality if kind != "constrained" else 0.3))
    _put(rec, "lift_retrofit_conditions", x.fact(0.4 if kind != "new" else 0.7))
    _put(rec, "professional_pm_conditions", x.fact(0.4 + 0.5 * quality))
    info = None if ind_gap() else rng.random() < prof["info"]
    _put(rec, "info_platform", info)
    vol = None if ind_gap() else rng.random() < prof["volunteer"]
    _put(rec, "volunteer_station", vol)

    # 一、基本公共服务设施完善
    if rng.random() < prof["station"]:
        st: dict[str, Any] = {}
        area = d.measure(800, 480, 1400, p_exact=0.15, p_below=0.3)
        if area is None and not prof["ind_gaps"]:  # only 海南区 leaves indicator figures out
            area = _round(rng.uniform(600, 1200), 1)
        _put(st, "building_area", area)
        if area is not None and not ind_gap():
            r = rng.random()
            share = 0.6 if r < 0.15 else rng.uniform(0.42, 0.59) if r < 0.45 else rng.uniform(0.61, 0.82)
            st["activity_area"] = round(area * share, 1) if share != 0.6 else _round(area * 0.6, 0.1)
        _put(st, "rooms", d.subset(ROOMS, 0.55 + 0.35 * quality))
        rec["service_station"] = st
    if rng.random() < (0.95 if kind == "new" else 0.78 if kind == "existing" else 0.55):
        kg: dict[str, Any] = {}
        _put(kg, "classes", d.measure(6, 3, 12, p_exact=0.18, p_below=0.2))
        _put(kg, "building_area", d.measure(2200, 1500, 4200, p_exact=0.15, p_below=0.22))
        _put(kg, "land_area", d.measure(3500, 2000, 6500, p_exact=0.15, p_below=0.22, step=0.5))
        _put(kg, "serves_3_to_6", d.fact(0.93))
        _put(kg, "inclusive", d.fact(0.7 + 0.2 * quality))
        rec["kindergarten"] = kg
    if rng.random() < (0.85 if kind == "new" else 0.6):
        nu: dict[str, Any] = {}
        _put(nu, "building_area", d.measure(200, 80, 600, p_exact=0.15, p_below=0.25))
        _put(nu, "infant_care", d.fact(0.9))
        if not d.missing():
            nu["built_with"] = rng.choice(BUILT_WITH + ["standalone"])
        rec["nursery"] = nu
    if rng.random() < prof["elderly"]:
        el: dict[str, Any] = {}
        if rng.random() < 0.7:
            el["building_area"] = _round(rng.uniform(150, 600), 1)
        _put(el, "co_planned", d.fact(0.8))
        _put(el, "services", d.subset(ELDERLY_SERVICES))
        _put(el, "serves_disabled", d.fact(0.85))
        rec["elderly_station"] = el
    if rng.random() < (0.25 + 0.5 * quality):
        dc: dict[str, Any] = {}
        _put(dc, "building_area", d.measure(350, 200, 900, p_exact=0.15, p_below=0.25))
        _put(dc, "services", d.subset(DAY_CARE_SERVICES, 0.7))
        _put(dc, "serves_dependent", x.fact(0.85))
        rec["day_care_center"] = dc
    if rng.random() < 0.88:
        hs: dict[str, Any] = {}
        _put(hs, "building_area", d.measure(120, 60, 400, p_exact=0.15, p_below=0.2))
        _put(hs, "services", d.subset(HEALTH_SERVICES, 0.7))
        rec["health_station"] = hs

    # 二、便民商业服务设施健全
    if rng.random() < (0.95 if kind == "new" else 0.8 if kind == "existing" else 0.35):
        sm: dict[str, Any] = {}
        _put(sm, "building_area", d.measure(300, 120, 2000, p_exact=0.15, p_below=0.2))
        _put(sm, "goods", d.subset(GOODS, 0.75))
        rec["supermarket"] = sm
    n_stores = rng.choice((0, 1, 2, 2, 3, 3, 4)) if kind == "constrained" else rng.choice((0, 0, 1, 2, 3))
    if n_stores:
        stores = []
        for _ in range(n_stores):
            r = rng.random()
            if d.missing(0.8):
                stores.append({})
                continue
            if r < 0.12:
                store: dict[str, Any] = {"building_area": 50}
            elif r < 0.2:
                store = {"building_area": 100}
            elif r < 0.4:
                store = {"building_area": rng.randint(30, 49)}
            else:
                store = {"building_area": rng.randint(51, 160)}
            # what a store sells: a share of the supermarket's four kinds (together they may cover them)
            _put(store, "goods", None if x.missing() else [g for g in GOODS if x.rng.random() < 0.7])
            stores.append(store)
        rec["convenience_stores"] = stores
    if not ind_gap():
        r = rng.random()
        station_area = rec.get("service_station", {}).get("building_area", 0)
        if r < 0.12 and "total_building_area" in rec:  # exactly 10 % with the service station
            commercial = total_area / 10 - station_area
        else:
            commercial = total_area * rng.uniform(0.04, 0.13)
        rec["commercial_area"] = _round(max(commercial, 300), 0.5)
    groups = None if d.missing() else rng.choice((0, 1, 1, 2, 2, 3, 4, 5, 6, 8))
    if groups is not None:  # letter boxes and parcel lockers, the two kinds the clause names
        letters = 0 if groups == 0 else x.rng.choice((0, 1, 1, 2)) if groups > 1 else x.rng.choice((0, 1))
        _put(rec, "letter_box_groups", None if x.missing(0.5) else min(letters, groups))
        rec["parcel_locker_groups"] = groups - min(letters, groups)
    _put(rec, "locker_delivery", d.fact(0.88))
    deliveries = round(households * rng.uniform(0.12, 0.4) / 10) * 10
    r = rng.random()
    if r < 0.12:
        slots = deliveries
    elif r < 0.22:
        slots = deliveries * 13 // 10
    elif r < 0.6:
        slots = rng.randint(deliveries, deliveries * 13 // 10)
    elif r < 0.85:
        slots = rng.randint(deliveries // 2, deliveries - 1)
    else:
        slots = rng.randint(deliveries * 13 // 10 + 1, deliveries * 2)
    if groups == 0:
        slots = 0
    if not d.missing():
        rec["locker_slots"] = slots
    if not d.missing():
        rec["daily_deliveries"] = deliveries if rng.random() < 0.8 else deliveries + 0.5
    if rng.random() < (0.85 if kind == "new" else 0.6):
        ps: dict[str, Any] = {}
        if kind == "new":
            _put(ps, "usable_area", d.measure(15, 6, 60, p_exact=0.2, p_below=0.25))
        elif rng.random() < 0.7:
            ps["usable_area"] = rng.randint(6, 40)
        rec["postal_station"] = ps
    _put(rec, "outlets", d.subset(OUTLETS, 0.35 + 0.45 * quality))

    # 三、市政配套基础设施完备
    if not d.missing():
        utilities = list(UTILITIES)
        if rng.random() < 0.12:
            utilities.remove("gas_supply")
        if rng.random() < 0.08:
            utilities.remove("drainage")
        if rng.random() < (0.5 if not rec.get("central_heating", True) else 0.08):
            utilities.remove("heating_supply")
        rec["utilities"] = utilities
    _put(rec, "fibre_to_home", d.fact(0.92))
    _put(rec, "network_convergence", d.fact())
    _put(rec, "network_5g", d.fact(0.7 + 0.25 * quality))
    _put(rec, "smart_security", d.fact())
    if kind == "new":
        r = rng.random()
        cars = households if r < 0.2 else (rng.randint(households, households * 3 // 2) if r < 0.75
                                           else rng.randint(households * 6 // 10, households - 1))
    else:
        cars = rng.randint(households * 3 // 10, households * 8 // 10)
    if not d.missing():
        rec["car_spaces"] = cars
    charging = rng.randint(cars // 5, cars) if kind == "new" else rng.randint(0, cars // 10)
    r = rng.random()
    ready = cars - charging if (kind == "new" and r < 0.65) else rng.randint(0, max(cars - charging - 1, 0))
    _put(rec, "charging_spaces", None if d.missing() else charging)
    _put(rec, "charging_ready_spaces", None if d.missing() else ready)
    _put(rec, "parking_managed", d.fact())
    _put(rec, "fire_lanes_clear", d.fact(0.65 + 0.3 * quality))
    _put(rec, "bicycle_parking", d.fact(0.85))
    if rng.random() < 0.3 + 0.5 * quality:
        eb: dict[str, Any] = {}
        _put(eb, "fire_safety", d.fact(0.85))
        rec["ebike_station"] = eb
    _put(rec, "walkway_network", d.fact())
    _put(rec, "walkway_city_link", d.fact())
    _put(rec, "bus_stop_walk", d.measure(10, 2, 25, p_exact=0.15, p_below=0.6, step=0.5))
    _put(rec, "entrance_ramps", d.fact())
    _put(rec, "outdoor_accessible", d.fact())
    _put(rec, "age_friendly_retrofit", d.fact(0.3 + 0.5 * quality))
    features = d.subset(FEATURES, 0.25 + 0.4 * quality)  # the first facility's (the draw of the first version)
    if features is not None:
        facilities = []
        for i, name in enumerate(x.rng.sample(SERVICE_FACILITIES, x.rng.randint(1, 3))):
            sf: dict[str, Any] = {"name": name}
            _put(sf, "has_conditions", x.fact(0.6))
            _put(sf, "accessible_features", features if i == 0 else x.subset(FEATURES, 0.25 + 0.4 * quality))
            facilities.append(sf)
        rec["service_facilities"] = facilities
    _put(rec, "waste_sorting", d.fact(0.85))
    _put(rec, "sorting_points", d.measure(2, 0, 12, p_exact=0.15, p_below=0.15))
    if rng.random() < (0.8 if kind == "new" else 0.4):
        ws: dict[str, Any] = {}
        _put(ws, "land_area", d.measure(120, 50, 300, p_exact=0.15, p_below=0.25))
        rec["waste_stations"] = [ws] + ([{"land_area": x.rng.randint(30, 90)}] if x.rng.random() < 0.15 else [])
    if rng.random() < 0.9:
        box = kind == "constrained" and rng.random() < 0.5 or rng.random() < 0.08
        pt: dict[str, Any] = {}
        if box:
            _put(pt, "building_area", None if d.missing() else rng.randint(8, 18))
        else:
            _put(pt, "building_area", d.measure(30, 12, 80, p_exact=0.15, p_below=0.2))
        _put(pt, "box_type", None if d.missing(0.5) else box)
        rec["public_toilets"] = [pt]
        if x.rng.random() < 0.12:  # a second toilet, e.g. a box toilet beside a conventional one
            rec["public_toilets"].append({"building_area": x.rng.randint(8, 45), "box_type": x.rng.random() < 0.5})

    # 四、公共活动空间充足
    if rng.random() < 0.9:
        site: dict[str, Any] = {}
        _put(site, "land_area", d.measure(150, 60, 3000, p_exact=0.12, p_below=0.15))
        _put(site, "facilities", d.subset(SITE_FACILITIES))
        rec["activity_sites"] = [site]
        if x.rng.random() < 0.2:  # a second, smaller site
            rec["activity_sites"].append({"land_area": x.rng.randint(40, 400), "facilities": ["seating"]})
    if rng.random() < (0.8 if kind == "new" else 0.15):
        sg: dict[str, Any] = {}
        _put(sg, "land_area", d.measure(800, 400, 2500, p_exact=0.15, p_below=0.25))
        _put(sg, "courts", d.subset(COURTS, 0.45 + 0.3 * quality))
        _put(sg, "shelter_ready", d.fact(0.8))
        rec["sports_grounds"] = [sg]
    _put(rec, "added_activity_space", d.fact())
    if rng.random() < 0.85:
        pg: dict[str, Any] = {}
        _put(pg, "rest_facilities", d.fact(0.85))
        _put(pg, "fine_landscape", d.fact())
        _put(pg, "shelter_ready", d.fact(0.7))
        rec["public_greens"] = [pg]
        if x.rng.random() < 0.15:
            rec["public_greens"].append({"rest_facilities": True, "fine_landscape": x.rng.random() < 0.8,
                                         "shelter_ready": x.rng.random() < 0.6})
    if rng.random() < (0.8 if kind == "new" else 0.2):
        pk: dict[str, Any] = {}
        land = d.measure(4000, 2000, 12000, p_exact=0.15, p_below=0.2, step=50)
        _put(pk, "land_area", land)
        if not d.missing():
            base = land if land is not None else 5000
            r = rng.random()
            if r < 0.22:  # exactly 10 % or 15 % of the park
                pk["sports_area"] = base * (10 if r < 0.12 else 15) // 100
            else:
                share = (rng.uniform(0.1, 0.15) if r < 0.65 else rng.uniform(0.04, 0.099) if r < 0.85
                         else rng.uniform(0.151, 0.25))
                pk["sports_area"] = _round(base * share, 0.5)
        rec["parks"] = [pk]
    if not d.missing():
        rec["pocket_parks"] = rng.choice((0, 0, 1, 1, 1, 2, 3)) if kind != "new" else rng.choice((0, 1, 2))

    # 五、物业管理全覆盖
    if not d.missing():
        r, acc = rng.random() * (1.0 if kind != "constrained" else 1.25), 0.0
        choice = MANAGEMENT[-1][0]
        for m, p in MANAGEMENT:
            acc += p
            if r < acc:
                choice = m
                break
        if kind == "new" and choice == "unmanaged":
            choice = "professional"
        rec["property_management"] = choice
    # the area under property management (物业总建筑面积), the base of item 16's 2 ‰: most often the
    # whole community, sometimes less (buildings outside the managed area)
    managed_area = total_area if x.rng.random() < 0.75 else round(total_area * x.rng.uniform(0.6, 0.95) / 50) * 50
    if not x.missing():
        rec["managed_building_area"] = managed_area
    if rng.random() < (0.9 if kind == "new" else 0.65):
        pm: dict[str, Any] = {}
        if not d.missing():
            need = total_area / 500  # 2 ‰ of the whole community: of the managed area, a little more
            r = rng.random()
            pm["building_area"] = (_round(need, 0.1) if r < 0.2 and kind == "new"
                                   else _round(need * rng.uniform(0.5, 0.99), 0.5) if r < 0.45
                                   else _round(need * rng.uniform(1.01, 1.8), 0.5))
            if kind != "new":
                pm["building_area"] = _round(rng.uniform(20, 150), 0.5)
        rec["pm_room"] = pm
    _put(rec, "pm_platform", d.fact())
    _put(rec, "pm_online_offline", d.fact())

    # 六、社区管理机制健全
    _put(rec, "governance_mechanism", d.fact(0.9))
    _put(rec, "city_platform_linked", d.fact(0.5 + 0.4 * quality))
    _put(rec, "illegal_construction_handled", d.fact(0.88))
    _put(rec, "residents_engaged", d.fact())
    _put(rec, "cultural_activities", d.fact(0.92))
    _put(rec, "residents_convention", d.fact())
    _put(rec, "distinctive_culture", d.fact(0.45 + 0.4 * quality))
    _surveyed(rec, ident)
    return rec


#: the facilities of a community (the specs' optional records and lists): one the survey found not
#: there is written absent (null; 无 in a CSV cell), one it did not cover is left out (not recorded)
FACILITIES = ("service_station", "kindergarten", "nursery", "elderly_station", "day_care_center", "health_station",
              "supermarket", "convenience_stores", "postal_station", "ebike_station", "service_facilities",
              "waste_stations", "public_toilets", "activity_sites", "sports_grounds", "public_greens", "parks",
              "pm_room")
#: which facility a survey left out: the two that binding indicators 1 and 5 count come up most often
_UNSURVEYED = ("service_station", "elderly_station") * 4 + FACILITIES


def _surveyed(rec: dict, ident: str) -> None:
    """Absent facilities written as such; for a few communities, one facility not surveyed (left out).

    Drawn from a stream of its own, so that every other value stays what it was."""
    for key in FACILITIES:
        rec.setdefault(key, None)
    r = random.Random(f"{ident}/survey")
    if r.random() < 0.08:
        del rec[r.choice(_UNSURVEYED)]


# ------------------------------------------------------------------ the city's structure
def _allocate(total: int, weights: list[int]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainder, ties to the first)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _district_id(d: dict, replica: int) -> str:
    return d["id"] if replica == 0 else f"{d['id']}-{replica + 1}"


def _suffix(replica: int) -> str:
    return "" if replica == 0 else f"({replica + 1})"


def _blocks(n: int) -> Iterator[tuple[int, int]]:
    """(replica, communities in it) for ``n`` communities."""
    for replica in range((n + BLOCK - 1) // BLOCK):
        yield replica, min(BLOCK, n - replica * BLOCK)


def _plan(size: int) -> list[tuple[dict, tuple, int]]:
    """(district, subdistrict, communities) of one block of ``size`` communities."""
    subs = [(d, s) for d in DISTRICTS for s in d["subdistricts"]]
    counts = _allocate(size, [s[3] for _, s in subs])
    return [(d, s, c) for (d, s), c in zip(subs, counts)]


def _stats(district: dict, replica: int, seed: int) -> dict:
    stats = dict(district["stats"])
    if replica:
        rng = random.Random(f"{seed}/district/{district['id']}/{replica}")
        for k, v in stats.items():
            if isinstance(v, bool):
                stats[k] = rng.random() < 0.7
            else:
                stats[k] = int(v * rng.uniform(0.9, 1.1))
        stats["urban_resident_population"] = min(stats["urban_resident_population"], stats["resident_population"])
        stats["inclusive_childcare_places"] = min(stats["inclusive_childcare_places"], stats["childcare_places"])
        stats["model_kindergartens"] = min(stats["model_kindergartens"], stats["kindergartens"])
        stats["nursing_beds"] = min(stats["nursing_beds"], stats["care_institution_beds"])
        stats["fitness_sites_equipped"] = min(stats["fitness_sites_equipped"], stats["fitness_sites"])
        stats["community_workers_trained"] = min(stats["community_workers_trained"], stats["community_workers"])
    return stats


def iter_communities(n: int, seed: int) -> Iterator[dict]:
    """The community records, block by block (bounded memory)."""
    for replica, size in _blocks(n):
        rng = random.Random(f"{seed}/communities/{replica}")
        names = list(NAME_STEMS)
        rng.shuffle(names)
        k = 0
        for d, s, count in _plan(size):
            sid = _district_id(d, replica) + s[0] if replica == 0 else f"{_district_id(d, replica)}-{s[0]}"
            for j in range(1, count + 1):
                stem = names[k % len(names)] + ("" if k < len(names) else str(k // len(names) + 1))
                k += 1
                yield community(rng, f"{sid}{j:03d}" if replica == 0 else f"{sid}-{j:03d}",
                                f"{stem}社区{_suffix(replica)}", {**d, "name": d["name"] + _suffix(replica)},
                                (sid, *s[1:]))


def iter_subdistricts(n: int, seed: int) -> Iterator[dict]:
    for replica, size in _blocks(n):
        rng = random.Random(f"{seed}/subdistricts/{replica}")
        for d, s, count in _plan(size):
            if not count:
                continue
            did = _district_id(d, replica)
            sid = did + s[0] if replica == 0 else f"{did}-{s[0]}"
            i = d["subdistricts"].index(s)
            station, incubator = SUBDISTRICT_FACTS[d["id"]][i]
            if replica:
                station = None if rng.random() < 0.03 else rng.random() < 0.85
                incubator = None if rng.random() < 0.03 else rng.random() < 0.8
            rec: dict[str, Any] = {"id": sid, "name": s[1] + _suffix(replica), "district": did, "kind": s[2]}
            _put(rec, "social_work_station", station)
            _put(rec, "social_org_incubator", incubator)
            yield rec


def iter_districts(n: int, seed: int) -> Iterator[dict]:
    for replica, size in _blocks(n):
        present = {d["id"] for d, _, c in _plan(size) if c}
        for d in DISTRICTS:
            if d["id"] in present:
                yield {"id": _district_id(d, replica), "name": d["name"] + _suffix(replica), "city": CITY["id"],
                       **_stats(d, replica, seed)}


CITY_ONLY = {
    "safety_protection_coverage": 100, "early_development_guidance_coverage": 92.5, "disease_control_coverage": 100,
    "health_professionals": 4200, "high_level_medical_talent": 840, "health_literacy_level": 28.6,
    "old_compounds_renovated": 152, "sports_venue_opening_rate": 91.5,
    "sports_venues": [{"name": "乌海市体育中心", "open_days": 345}, {"name": "海勃湾区全民健身中心", "open_days": 330},
                      {"name": "乌达区体育馆", "open_days": 338}, {"name": "海南区全民健身活动中心", "open_days": 312}],
}


def city_record(n: int, seed: int) -> dict:
    """The city: its own statistics, and the district statistics added up."""
    totals: dict[str, int] = {}
    for d in iter_districts(n, seed):
        for k, v in d.items():
            if isinstance(v, int) and not isinstance(v, bool):
                totals[k] = totals.get(k, 0) + v
    keys = ["resident_population", "urban_resident_population", "community_workers", "community_workers_trained",
            "registered_population",
            "professional_social_workers", "childcare_places", "inclusive_childcare_places", "kindergartens",
            "model_kindergartens", "general_practitioners", "elderly_population", "care_institution_beds",
            "nursing_beds", "fitness_sites", "fitness_sites_equipped"]
    return {**CITY, **{k: totals.get(k, 0) for k in keys}, **CITY_ONLY}


# ------------------------------------------------------------------ output
NOTE = ("SYNTHETIC DATA for examples and tests: the names of Wuhai's districts, subdistricts and towns are used "
        "for realism, every figure is made up. Generated by examples/generate.py; see examples/wuhai/README.md.")


def inventory(n: int = DEFAULT_COMMUNITIES, seed: int = DEFAULT_SEED) -> dict:
    """The whole inventory as one mapping of collections (in memory)."""
    return {"$comment": NOTE, "$generator": {"command": "python examples/generate.py", "seed": seed,
                                             "communities": n},
            "city": [city_record(n, seed)], "districts": list(iter_districts(n, seed)),
            "subdistricts": list(iter_subdistricts(n, seed)), "communities": list(iter_communities(n, seed))}


def dumps_json(inv: dict) -> str:
    return json.dumps(inv, ensure_ascii=False, indent=1) + "\n"


LEVELS = [("city", lambda n, s: iter([city_record(n, s)])), ("districts", iter_districts),
          ("subdistricts", iter_subdistricts), ("communities", iter_communities)]


def flatten(rec: dict, prefix: str = "") -> dict[str, str]:
    """A record as CSV cells: dotted headers, indexed list elements, ``a;b`` sets.

    A nested record's own column holds ``{}`` where the record is present, so that its presence does not
    depend on which of its fields were recorded, nor on which of them a spec reads, and ``无`` where it is
    absent (``null``); a facility not recorded leaves every one of its cells empty.
    """
    out: dict[str, str] = {}
    for k, v in rec.items():
        key = prefix + k
        if isinstance(v, dict):  # the record is there (even with nothing recorded), then its fields
            out[key] = "{}"
            out.update(flatten(v, key + "."))
        elif v is None:  # a facility the survey found not there (a cell left empty is not recorded)
            out[key] = "无"
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            if all(v):
                for i, x in enumerate(v):
                    out.update(flatten(x, f"{key}[{i}]."))
            else:  # an element with nothing recorded cannot be written as indexed columns
                out[key] = json.dumps(v, ensure_ascii=False)
        elif isinstance(v, list):
            out[key] = ";".join(v)
        elif isinstance(v, bool):
            out[key] = "true" if v else "false"
        else:
            out[key] = str(v)
    return out


def _columns(rows: list[dict[str, str]]) -> list[str]:
    """The union of the rows' columns, each after the column it follows in some row."""
    cols: list[str] = []
    for row in rows:
        prev = None
        for k in row:
            if k not in cols:
                cols.insert(cols.index(prev) + 1 if prev is not None else 0, k)
            prev = k
    for c in list(cols):  # a record's own column before its dotted and indexed columns
        children = [i for i, x in enumerate(cols) if x.startswith((c + ".", c + "["))]
        if children and cols.index(c) > children[0]:
            cols.remove(c)
            cols.insert(children[0], c)
    return cols


def write_csv(directory: str, n: int, seed: int) -> None:
    os.makedirs(directory, exist_ok=True)
    for name, fn in LEVELS:
        rows = [flatten(r) for r in fn(n, seed)]
        with open(os.path.join(directory, f"{name}.csv"), "w", encoding="utf-8", newline="") as fh:
            fh.write(csv_text(rows))


def csv_text(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=_columns(rows), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def write_jsonl(out: Any, records: Iterator[dict]) -> None:
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    write = out.write
    batch: list[str] = []
    for rec in records:
        batch.append(dumps(rec))
        if len(batch) >= 1000:
            write("\n".join(batch) + "\n")
            batch.clear()
    if batch:
        write("\n".join(batch) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Generate a synthetic inventory of Wuhai (city, districts, "
                                            "subdistricts and towns, communities).")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--communities", type=int, default=DEFAULT_COMMUNITIES, metavar="N",
                   help=f"number of communities (default {DEFAULT_COMMUNITIES}); districts and subdistricts "
                        "grow in proportion")
    p.add_argument("--format", choices=("json", "jsonl", "csv"), default="json")
    p.add_argument("--out", help="output file (json) or directory (csv; jsonl: one file per level); "
                                 "default standard output (json; jsonl: communities only)")
    args = p.parse_args(argv)
    if args.communities < 1:
        p.error("--communities must be at least 1")
    n, seed = args.communities, args.seed
    if args.format == "csv":
        if not args.out:
            p.error("--format csv needs --out DIRECTORY")
        write_csv(args.out, n, seed)
    elif args.format == "jsonl":
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            for name, fn in LEVELS:
                with open(os.path.join(args.out, f"{name}.jsonl"), "w", encoding="utf-8") as fh:
                    write_jsonl(fh, fn(n, seed))
        else:
            sys.stdout.reconfigure(encoding="utf-8")
            write_jsonl(sys.stdout, iter_communities(n, seed))
    else:
        text = dumps_json(inventory(n, seed))
        if args.out:
            with open(args.out, "w", encoding="utf-8") as fh:
                fh.write(text)
        else:
            sys.stdout.reconfigure(encoding="utf-8")
            sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
