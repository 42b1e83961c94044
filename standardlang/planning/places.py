"""The plan for a place: what to build, per community and summed per subdistrict, district, city.

Takes loaded specs and data (anything :meth:`Spec.inventory` takes, or bound
datasets); gives a :class:`Plan`: per community the items it fails and the
edits that pass them (:mod:`~standardlang.planning.shortfall`), the questions
its unknown verdicts raise (:mod:`~standardlang.planning.deciding`); per place
(each subdistrict, district and the city) the totals — facilities to build by
kind and count, figures to add by field (floor and land area, counts), members
to add, communities affected per item — and, for every indicator computed at
that level, the distance to its target (:mod:`~standardlang.planning.indicators`).
Totals are plain sums of the communities' edits, each taken by the item's first
complete route (its main requirements; an alternative route is listed beside).
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from typing import Any, Iterable

import attrs

from standardlang.lang.types import ListT, RecordT
from standardlang.engine.verdict import Status
from standardlang.planning.changes import field_info, json_value
from standardlang.planning.deciding import question
from standardlang.planning.indicators import distance
from standardlang.planning.shortfall import PLANNED, Planner, item_of

PLAN_SCHEMA = "standardlang.plan/1"
LEVELS = ("city", "district", "subdistrict")


@attrs.define
class CommunityPlan:
    spec: str
    entity: str
    record_id: str
    name: str | None
    district: str | None
    subdistrict: str | None
    items: list = attrs.Factory(list)  # ItemShortfall
    rules: list = attrs.Factory(list)  # RuleShortfall
    questions: list = attrs.Factory(list)  # Question
    survey: list = attrs.Factory(list)  # facility paths not recorded that leave a rule unknown: survey first
    record: Any = None

    def to_dict(self) -> dict:
        return {"spec": self.spec, "entity": self.entity, "record": self.record_id, "name": self.name,
                "district": self.district, "subdistrict": self.subdistrict,
                "items": [i.to_dict() for i in self.items], "rules": [r.to_dict() for r in self.rules],
                "unknown": [q.to_dict() for q in self.questions], "survey": list(self.survey)}


@attrs.define
class Totals:
    """What a place must build: sums over its communities' chosen routes."""

    build: Counter = attrs.Factory(Counter)  # facility path -> how many to build
    enlarge: Counter = attrs.Factory(Counter)  # facility path -> how many existing ones to enlarge
    add: dict = attrs.Factory(dict)  # figure path -> total increase (base units)
    reduce: dict = attrs.Factory(dict)  # figure path -> total decrease (base units, positive)
    members: dict = attrs.Factory(dict)  # set path -> Counter of members to add
    choose: dict = attrs.Factory(dict)  # enum path -> Counter of values proposed
    set_true: Counter = attrs.Factory(Counter)  # truth-value path -> communities to set
    items: dict = attrs.Factory(dict)  # item -> set of community ids
    communities: set = attrs.Factory(set)
    units: dict = attrs.Factory(dict)  # figure path -> unit
    survey: Counter = attrs.Factory(Counter)  # facility path -> communities where it is not recorded (not built)
    to_survey: set = attrs.Factory(set)  # communities with a facility to survey first (counted apart)

    def take(self, community: str, item: str, changes: Iterable) -> None:
        self.items.setdefault(item, set()).add(community)
        self.communities.add(community)
        created = {c.path for c in changes if c.action == "create"}
        for c in changes:
            if c.action == "create":
                self.build[c.path] += 1
            elif c.action in ("raise", "lower", "set") and c.delta is not None:
                if c.delta != 0:
                    into = self.add if c.delta > 0 else self.reduce
                    into[c.path] = into.get(c.path, Fraction(0)) + abs(c.delta) * c.scale
                    self.units[c.path] = c.unit
                    parent = c.path.rsplit(".", 1)[0] if "." in c.path else None
                    if parent and parent not in created and c.delta > 0:
                        self.enlarge[parent] += 1
            elif c.action == "set" and c.after is True:
                self.set_true[c.path] += 1
            elif c.action == "add_members":
                self.members.setdefault(c.path, Counter()).update(c.members)
            elif c.action == "choose":
                self.choose.setdefault(c.path, Counter())[c.after] += 1
            elif c.action == "append":
                self.build[c.path] += c.count

    def to_dict(self) -> dict:
        return {"communities": len(self.communities),
                "build": dict(sorted(self.build.items())), "enlarge": dict(sorted(self.enlarge.items())),
                "add": {k: {"amount": json_value(v), "unit": self.units.get(k, "")} for k, v in sorted(self.add.items())},
                "reduce": {k: {"amount": json_value(v), "unit": self.units.get(k, "")}
                           for k, v in sorted(self.reduce.items())},
                "members": {k: dict(sorted(v.items())) for k, v in sorted(self.members.items())},
                "choose": {k: dict(sorted(v.items())) for k, v in sorted(self.choose.items())},
                "set_true": dict(sorted(self.set_true.items())),
                "survey": dict(sorted(self.survey.items())), "survey_communities": len(self.to_survey),
                "items": {k: sorted(v) for k, v in sorted(self.items.items(), key=lambda kv: _item_key(kv[0]))}}


@attrs.define
class Place:
    level: str
    id: str
    name: str | None
    parent: str | None
    totals: Totals = attrs.Factory(Totals)
    indicators: list = attrs.Factory(list)  # Distance

    def to_dict(self) -> dict:
        return {"level": self.level, "id": self.id, "name": self.name, "parent": self.parent,
                "to_build": self.totals.to_dict(), "indicators": [d.to_dict() for d in self.indicators]}


@attrs.define
class Plan:
    specs: list
    communities: list = attrs.Factory(list)  # CommunityPlan
    places: list = attrs.Factory(list)  # Place, city first
    labels: dict = attrs.Factory(dict)  # path -> the schema's label (幼儿园)
    names: dict = attrs.Factory(dict)  # (level, id) -> the place's name
    item_titles: dict = attrs.Factory(dict)  # item -> its title in the standard (一个幼儿园)
    zh_labels: dict = attrs.Factory(dict)  # spec name -> path -> 幼儿园·建筑面积 (Chinese texts name fields so)
    whatif: Any = None  # a projects.WhatIf when projects were given

    def place(self, level: str, ident: str) -> Place:
        return next(p for p in self.places if p.level == level and p.id == ident)

    def to_dict(self) -> dict:
        d = {"schema": PLAN_SCHEMA,
             "specs": [{"name": s.name, "title": s.title, "path": s.path} for s in self.specs],
             "labels": self.labels, "items": self.item_titles,
             "places": [p.to_dict() for p in self.places],
             "communities": [c.to_dict() for c in self.communities
                             if c.items or c.questions or c.rules or c.survey]}
        if self.whatif is not None:
            d["whatif"] = self.whatif.to_dict()
        return d


def community_plan(spec: Any, planner: Planner, record: Any, index: int) -> CommunityPlan:
    rid = spec.record_id(planner.entity, record, index)
    cp = CommunityPlan(spec.name, planner.entity, rid, _get(record, "name"), _get(record, "district"),
                       _get(record, "subdistrict"), record=record)
    for r in planner.rules:
        st = planner.status(r, record)
        if st is Status.FAIL and r.strength in PLANNED:
            cp.rules.append(planner.rule_shortfall(r, record))
        elif st is Status.UNKNOWN and r.strength in PLANNED:
            q = question(planner, r, record)
            cp.questions.append(q)
            cp.survey.extend(p for p in not_recorded(planner, record, [f.path for f in q.fields])
                             if p not in cp.survey)
    if cp.rules:
        cp.items = planner.items(record)
    return cp


def not_recorded(planner: Planner, record: Any, paths: Iterable[str]) -> list[str]:
    """The paths among ``paths`` that are facilities (optional records or lists) the data leave out:
    not recorded, so not to be built — the survey must say first whether they are there."""
    out = []
    for path in paths:
        info = field_info(planner.solver.rtype, path)
        if info is None or not info.optional or not isinstance(info.type, (RecordT, ListT)):
            continue
        parent: Any = record
        for part in path.split(".")[:-1]:
            parent = parent.get(part) if isinstance(parent, dict) else None
        if isinstance(parent, dict) and path.split(".")[-1] not in parent:
            out.append(path)
    return out


def make_plan(specs: list, data: Any, fixed: Iterable[str] | None = None, inventories: dict | None = None) -> Plan:
    """Plan every community of ``data`` against ``specs``; sum per place; distances of indicators.

    Args:
        specs: loaded specs.
        data: records (anything ``Spec.inventory`` takes), used for every spec without an entry in ``inventories``.
        fixed: field paths that must not move (default: read from each spec, see ``fixed_fields``).
        inventories: spec name -> :class:`Inventory` already bound (the command line binds files per spec).
    """
    plan = Plan(list(specs))
    names: dict[tuple[str, str], str] = {}
    parents: dict[tuple[str, str], str] = {}
    level_records: dict[str, list] = {}
    for spec in specs:
        inv = (inventories or {}).get(spec.name) or spec.inventory(data)
        _collect_names(spec, inv, names, parents, level_records)
        plan.labels.update(_labels(spec))
        for r in spec.rules:
            if getattr(r, "item_title", None):
                plan.item_titles.setdefault(item_of(r), r.item_title)
        entities = {r.entity for r in spec.rules}
        from standardlang.engine.evaluate import field_labels

        for entity in entities:
            plan.zh_labels.setdefault(spec.name, {}).update(field_labels(spec.checked.entities[entity]))
        for entity in entities:
            planner = Planner(spec, entity, fixed)
            for i, rec in enumerate(inv.records.get(entity, [])):
                plan.communities.append(community_plan(spec, planner, rec, i))
        level_records.setdefault("_indicators", []).append((spec, inv))
    plan.names = names
    _places(plan, names, parents)
    for spec, inv in level_records.get("_indicators", []):
        _distances(plan, spec, inv)
    return plan


def _places(plan: Plan, names: dict, parents: dict) -> None:
    city = Place("city", "city", names.get(("city", "city")), None)
    found: dict[tuple[str, str], Place] = {("city", "city"): city}
    for cp in plan.communities:
        chain = [("city", "city")]
        district = cp.district or (parents.get(("subdistrict", cp.subdistrict)) if cp.subdistrict else None)
        if district:
            chain.append(("district", _resolve(names, "district", district)))
        if cp.subdistrict:
            chain.append(("subdistrict", str(cp.subdistrict)))
        for level, ident in chain:
            place = found.get((level, ident))
            if place is None:
                parent = chain[chain.index((level, ident)) - 1][1] if level != "city" else None
                place = found[(level, ident)] = Place(level, ident, names.get((level, ident)), parent)
            place.totals.survey.update(cp.survey)
            if cp.survey:
                place.totals.to_survey.add(cp.record_id)
            for item in cp.items:
                route = item.best or (item.routes[0] if item.routes else None)
                if route is not None:
                    place.totals.take(cp.record_id, item.item, route.changes)
    order = {"city": 0, "district": 1, "subdistrict": 2}
    plan.places = sorted(found.values(), key=lambda p: (order[p.level], p.parent or "", p.id))


def _resolve(names: dict, level: str, value: str) -> str:
    """A district given by name (海勃湾区) or id: its id when the data name it."""
    for (lv, ident), name in names.items():
        if lv == level and (ident == str(value) or name == value):
            return ident
    return str(value)


def _distances(plan: Plan, spec: Any, inv: Any) -> None:
    for ind in spec.indicators:
        for entity in ind.entities:
            level = _level_of(entity)
            if level is None:
                continue
            for i, rec in enumerate(inv.records.get(entity, [])):
                rid = spec.record_id(entity, rec, i)
                ident = "city" if level == "city" else rid
                try:
                    place = plan.place(level, ident)
                except StopIteration:
                    place = Place(level, ident, _get(rec, "name"), None)
                    plan.places.append(place)
                key = _key_function(spec)
                place.indicators.append(distance(spec, ind, entity, rec, rid, key))


def _key_function(spec: Any):
    keys = {name: rt.key for name, rt in spec.checked.entities.items() if rt.key}

    def key_of(rec: Any) -> Any:
        for k in keys.values():
            if isinstance(rec, dict) and rec.get(k) is not None:
                return rec.get(k)
        return "?"

    return key_of


def _level_of(entity: str) -> str | None:
    return entity if entity in LEVELS else None


def _collect_names(spec: Any, inv: Any, names: dict, parents: dict, _levels: dict) -> None:
    for level in LEVELS:
        rtype = spec.checked.entities.get(level)
        for rec in inv.records.get(level, []):
            if not isinstance(rec, dict):
                continue
            ident = "city" if level == "city" else str(rec.get(rtype.key if rtype and rtype.key else "id"))
            if rec.get("name"):
                names[(level, ident)] = rec["name"]
            if level == "subdistrict" and rec.get("district") is not None:
                parents[(level, ident)] = str(rec["district"])


def _labels(spec: Any) -> dict:
    out: dict[str, str] = {}
    for entity, rtype in spec.checked.entities.items():
        _walk_labels(rtype, "", out)
    return out


def _walk_labels(rtype: RecordT, prefix: str, out: dict) -> None:
    for name, info in rtype.fields.items():
        path = f"{prefix}{name}"
        if info.label:
            out.setdefault(path, info.label)
        t = info.type
        if isinstance(t, RecordT) and not t.entity:
            _walk_labels(t, path + ".", out)


def _get(record: Any, name: str) -> Any:
    v = record.get(name) if isinstance(record, dict) else None
    return None if v is None else str(v)


def _item_key(item: str) -> tuple:
    return (0, int(item), "") if item.isdigit() else (1, 0, item)


__all__ = ["Plan", "Place", "Totals", "CommunityPlan", "make_plan", "PLAN_SCHEMA", "field_info"]
