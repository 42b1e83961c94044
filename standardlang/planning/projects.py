"""What-if: construction projects applied to the inventory, year by year to the deadline.

Takes a projects file (JSON, CSV, TSV or XLSX, read by the ordinary readers) —
per project: an id, a title, the community, the year of completion and its
edits (``set`` a field to a value, ``add`` an amount or members) — and loaded
specs with their inventories; gives :class:`WhatIf`: the projected state at the
end of every year up to the deadline (rules failed, communities failing each
item, every indicator's value against its target), what each project fixes
(rules, items, indicators that pass once it is done and did not before), the
targets still missed at the deadline, and the projects that could not be
applied (an unknown community, a bad figure), each named — the others are
still applied.

A flat file has one row per edit, columns ``project, title, community, year,
field, value, op`` (``op`` is ``set``, the default, or ``add``); a value is read
as JSON when it parses (``2200``, ``true``, ``["reading_room"]``, ``{}`` to build
an empty facility), else as text (an enum member).  A JSON file holds
``{"projects": [{"id", "title", "community", "year", "set": {...}, "add": {...}}]}``.
"""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from typing import Any

import attrs

from standardlang.engine.verdict import Status
from standardlang.errors import DataError
from standardlang.planning.changes import exact, get_path, json_value, plain, set_path
from standardlang.planning.shortfall import item_of


@attrs.frozen
class Project:
    id: str
    title: str | None
    community: str
    year: int
    edits: tuple[tuple[str, str, Any], ...]  # (path, set | add, value)
    source: str = ""

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "community": self.community, "year": self.year,
                "edits": [{"field": p, "op": op, "value": json_value(v)} for p, op, v in self.edits]}


def read_projects(path: str) -> list[Project]:
    """Projects from a file; raises DataError naming the row of a project that cannot be read."""
    from standardlang.data.readers import read_files

    tables = read_files([path])
    grouped: dict[str, dict] = {}
    for table in tables:
        pairs = []
        for row, src in zip(table.rows, table.sources):
            # a JSON document {"projects": [...]} may come as one row holding the list
            if isinstance(row, dict) and isinstance(row.get("projects"), list) and "community" not in row:
                pairs.extend((r, src) for r in row["projects"])
            else:
                pairs.append((row, src))
        for row, src in pairs:
            if not isinstance(row, dict):
                raise DataError(f"{src.file}: a project must be an object or a row, found {row!r}")
            where = str(src)
            pid = _text(row.get("project") or row.get("id") or row.get("项目"))
            if not pid:
                raise DataError(f"{where}: the project has no `project` (or `id`) column")
            g = grouped.setdefault(pid, {"title": None, "community": None, "year": None, "edits": [], "source": where})
            for key, alias in (("title", "项目名称"), ("community", "社区"), ("year", "年份")):
                v = row.get(key, row.get(alias))
                if v not in (None, "") and g[key] is None:
                    g[key] = v
            for op in ("set", "add"):
                for field, value in (row.get(op) or {}).items():
                    g["edits"].append((field, op, value))
            if row.get("field"):
                op = _text(row.get("op") or "set")
                if op not in ("set", "add"):
                    raise DataError(f"{where}: op must be `set` or `add`, found `{op}`")
                g["edits"].append((_text(row["field"]), op, _value(row.get("value"))))
    out = []
    for pid, g in grouped.items():
        if g["community"] is None:
            raise DataError(f"{g['source']}: project {pid} names no community")
        try:
            year = int(str(g["year"]).strip())
        except (TypeError, ValueError):
            raise DataError(f"{g['source']}: project {pid}: year `{g['year']}` is not a year") from None
        out.append(Project(pid, _text(g["title"]) if g["title"] else None, _text(g["community"]), year,
                           tuple(g["edits"]), g["source"]))
    return sorted(out, key=lambda p: p.year)


def _text(v: Any) -> str:
    return str(v).strip() if v is not None else ""


def _value(v: Any) -> Any:
    if not isinstance(v, str):
        return v
    s = v.strip()
    if s in ("是", "否"):
        return s == "是"
    try:
        return json.loads(s)
    except ValueError:
        return s


def apply_project(records: dict[str, dict], project: Project) -> None:
    """Make a project's edits on the community records (by key), in place; DataError when it cannot."""
    rec = records.get(project.community)
    if rec is None:
        raise DataError(f"project {project.id}: no community `{project.community}` in the data")
    for path, op, value in project.edits:
        if op == "set":
            set_path(rec, path, copy.deepcopy(value))
            continue
        have = get_path(rec, path)
        if isinstance(value, list) or isinstance(have, list):
            items = value if isinstance(value, list) else [value]
            set_path(rec, path, list(have or []) + [x for x in items if x not in (have or []) or isinstance(x, dict)])
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if have is not None and (isinstance(have, bool) or not isinstance(have, (int, float, Fraction))):
                raise DataError(f"project {project.id}: cannot add {value} to {path} = {have!r}")
            set_path(rec, path, plain(exact(have or 0) + exact(value)))
        else:
            raise DataError(f"project {project.id}: `add` needs a number or members, found {value!r} for {path}")


@attrs.define
class YearState:
    year: int | None  # None: before any project
    shall_failed: int
    items_failing: dict  # item -> communities failing it
    indicators: list  # dicts: indicator, entity, record, value, target, status

    def to_dict(self) -> dict:
        return {"year": self.year, "shall_failed": self.shall_failed, "items_failing": self.items_failing,
                "indicators": self.indicators}


@attrs.define
class Effect:
    project: Project
    rules: list = attrs.Factory(list)  # rule ids that pass after it and failed before
    items: list = attrs.Factory(list)  # items fully met after it and not before
    indicators: list = attrs.Factory(list)  # "1 district 150303"
    error: str | None = None

    def to_dict(self) -> dict:
        d = {**self.project.to_dict(), "fixes": {"rules": self.rules, "items": self.items,
                                                 "indicators": self.indicators}}
        if self.error:
            d["error"] = self.error
        return d


@attrs.define
class WhatIf:
    deadline: int
    states: list  # YearState, the baseline first
    effects: list  # Effect, in year order
    missed: list  # indicator dicts still failing at the deadline
    unknown: list = attrs.Factory(list)  # indicator dicts the data cannot decide at the deadline

    def to_dict(self) -> dict:
        return {"deadline": self.deadline, "years": [s.to_dict() for s in self.states],
                "projects": [e.to_dict() for e in self.effects], "missed_at_deadline": self.missed,
                "unknown_at_deadline": self.unknown}


def what_if(specs: list, inventories: dict, projects: list[Project], deadline: int | None = None) -> WhatIf:
    """Apply ``projects`` year by year to copies of the inventories; the state after each year."""
    deadline = deadline or max([i.deadline for s in specs for i in s.indicators if i.deadline] or [2025])
    invs = {name: copy.deepcopy(inv) for name, inv in inventories.items()}
    state = _State(specs, invs)
    states = [state.snapshot(None)]
    effects = []
    years = sorted({p.year for p in projects if p.year <= deadline})
    start = years[0] if years else deadline
    for year in range(start, deadline + 1):
        for p in (p for p in projects if p.year == year):
            effects.append(state.apply(p))
        states.append(state.snapshot(year))
    for p in projects:
        if p.year > deadline:
            effects.append(Effect(p, error=f"completes in {p.year}, after the deadline {deadline}"))
    missed = [d for d in states[-1].indicators if d["status"] in ("fail", "error")]
    unknown = [d for d in states[-1].indicators if d["status"] == "unknown"]
    return WhatIf(deadline, states, effects, missed, unknown)


class _State:
    def __init__(self, specs: list, invs: dict):
        self.specs = specs
        self.invs = invs

    def _records(self, spec: Any) -> dict[str, dict]:
        inv = self.invs[spec.name]
        out = {}
        for entity in {r.entity for r in spec.rules} or {"community"}:
            for i, rec in enumerate(inv.records.get(entity, [])):
                out[spec.record_id(entity, rec, i)] = rec
        return out

    def rule_statuses(self, spec: Any, rec: Any) -> dict:
        entity_rules = [r for r in spec.rules if r.strength in ("shall", "should")]
        fns = {r.id: spec.rule_function(r.id) for r in entity_rules}
        return {r.id: (fns[r.id](rec), item_of(r)) for r in entity_rules}

    def indicator_statuses(self) -> list[dict]:
        out = []
        for spec in self.specs:
            for res in spec.compute_indicators(self.invs[spec.name]):
                if res.entity == "community":
                    continue
                out.append({"indicator": res.indicator.id, "title": res.indicator.title, "entity": res.entity,
                            "record": res.record_id, "value": json_value(res.value), "value_text": res.value_text,
                            "target": json_value(res.indicator.target.value), "target_text": res.target_text,
                            "attribute": res.indicator.attribute, "status": res.status.value})
        return out

    def snapshot(self, year: int | None) -> YearState:
        failed = 0
        items: dict[str, int] = {}
        for spec in self.specs:
            for rec in self._records(spec).values():
                bad_items = set()
                for rid, (st, item) in self.rule_statuses(spec, rec).items():
                    if st is Status.FAIL:
                        if spec.rule(rid).strength == "shall":
                            failed += 1
                        bad_items.add(item)
                for item in bad_items:
                    items[item] = items.get(item, 0) + 1
        return YearState(year, failed, dict(sorted(items.items(), key=lambda kv: _key(kv[0]))),
                         self.indicator_statuses())

    def apply(self, project: Project) -> Effect:
        effect = Effect(project)
        before_ind = {(d["indicator"], d["entity"], d["record"]): d["status"] for d in self.indicator_statuses()}
        befores = []
        for spec in self.specs:
            rec = self._records(spec).get(project.community)
            befores.append((spec, rec, self.rule_statuses(spec, rec) if rec is not None else {}))
        if all(rec is None for _, rec, _ in befores):
            effect.error = f"no community `{project.community}` in the data"
            return effect
        saved = [(spec, copy.deepcopy(rec)) for spec, rec, _ in befores if rec is not None]
        try:
            for spec, rec, _ in befores:
                if rec is not None:
                    apply_project({project.community: rec}, project)
        except DataError as exc:
            for (spec, old), (_, rec, _) in zip(saved, [b for b in befores if b[1] is not None]):
                rec.clear()
                rec.update(old)
            effect.error = str(exc)
            return effect
        for spec, rec, before in befores:
            if rec is None:
                continue
            after = self.rule_statuses(spec, rec)
            effect.rules += [rid for rid, (st, _) in after.items()
                             if st is Status.PASS and before[rid][0] is not Status.PASS]
            for item in dict.fromkeys(item for _, item in after.values()):
                ok_after = all(st is not Status.FAIL for st, it in after.values() if it == item)
                ok_before = all(st is not Status.FAIL for st, it in before.values() if it == item)
                if ok_after and not ok_before:
                    effect.items.append(item)
        for d in self.indicator_statuses():
            key = (d["indicator"], d["entity"], d["record"])
            if d["status"] == "pass" and before_ind.get(key) != "pass":
                effect.indicators.append(f"{d['indicator']} {d['entity']} {d['record']}")
        return effect


def _key(item: str) -> tuple:
    return (0, int(item), "") if item.isdigit() else (1, 0, item)
