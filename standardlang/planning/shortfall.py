"""Shortfalls of rules and items: what one record lacks, and each way to pass.

Takes a loaded :class:`~standardlang.engine.program.Spec` and a record; gives,
for a failed rule, :class:`RuleShortfall` (every way to pass — the main
requirements, each alternative whose condition holds — as exact edits, each
checked by the reference interpreter), and for an item (the rules sharing an
item number, e.g. ``2.*`` for the kindergarten) :class:`ItemShortfall`: the
smallest facility or enlargement that passes *all* of the item's rules at once,
per route (main, or an alternative such as convenience stores).  Rules of
strength *may* (可) are permissions: a failed one is no shortfall and is never
planned.

Which fields may move: the planner builds, it does not change what a place *is*.
:func:`fixed_fields` reads that from the spec: a field read by an ``applies when``
condition (the community's kind, central heating, "conditions allow"), or one
that a requirement only measures against — the right side of a comparison, the
bounds of ``between``, a denominator (households, total building area, daily
deliveries) — is fixed; every field a requirement is about may move.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Iterable

import attrs

from standardlang.lang import ir
from standardlang.backends.python.runtime import BadValue
from standardlang.engine.evaluate import rule_status
from standardlang.engine.verdict import Status
from standardlang.planning import linear as lin
from standardlang.planning.changes import Option, apply, merge
from standardlang.planning.solver import Solver

PLANNED = ("shall", "should")


def item_of(rule: Any) -> str:
    """The item a rule belongs to: its declared item (``item 2 "一个幼儿园" { ... }``), else the number before the dot of its id."""
    item = getattr(rule, "item_id", None)
    if item is not None:
        return str(item)
    return rule.id.split(".", 1)[0]


@attrs.frozen
class RuleShortfall:
    """A failed rule and every way found to pass it."""

    rule_id: str
    title: str | None
    strength: str
    item: str
    ways: tuple[Option, ...]

    @property
    def best(self) -> Option | None:
        return next((w for w in self.ways if w.solved), None)

    @property
    def solved(self) -> bool:
        return self.best is not None

    def to_dict(self) -> dict:
        return {"rule": self.rule_id, "title": self.title, "strength": self.strength, "item": self.item,
                "solved": self.solved, "ways": [w.to_dict() for w in self.ways]}

    def describe(self, lang: str = "en", labels: dict | None = None) -> list[str]:
        lines = []
        for i, w in enumerate(self.ways):
            head = ("方案" if lang == "zh" else "way") + f" {i + 1}" + (f" ({w.label})" if w.label else "")
            if not w.solved:
                lines.append(f"{head}: " + ("无法给出:" if lang == "zh" else "not solved: ") + "; ".join(w.notes))
                continue
            lines.append(f"{head}: " + "; ".join(c.describe(lang, labels) for c in w.changes))
            lines.extend("  " + n for n in w.notes)
        return lines


@attrs.frozen
class Route:
    """The edits that pass every planned rule of an item, by one route (main or an alternative)."""

    label: str | None
    changes: tuple
    rules: tuple[str, ...]  # the failed rules this route fixes
    complete: bool  # every planned rule of the item passes after the edits
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"way": self.label or "main", "complete": self.complete, "fixes": list(self.rules),
                "changes": [c.to_dict() for c in self.changes], **({"notes": list(self.notes)} if self.notes else {})}


@attrs.frozen
class ItemShortfall:
    item: str
    failed: tuple[str, ...]
    routes: tuple[Route, ...]

    @property
    def best(self) -> Route | None:
        return next((r for r in self.routes if r.complete), None)

    def to_dict(self) -> dict:
        return {"item": self.item, "failed": list(self.failed), "complete": self.best is not None,
                "routes": [r.to_dict() for r in self.routes]}


def prune(ways: list[Option]) -> list[Option]:
    """Drop a way that another does with less: the same edits, figures moved no further.

    Each way is first merged to one edit per field.  Without this, "a ≥ 100 or
    a ≥ 50" would propose raising a to 100 although 50 passes.
    """
    merged = [attrs.evolve(w, changes=merge(w.changes)) if w.solved else w for w in ways]
    keep = []
    for i, w in enumerate(merged):
        if w.solved and any(j != i and v.solved and _dominates(v, w) and (not _dominates(w, v) or j < i)
                            for j, v in enumerate(merged)):
            continue
        keep.append(w)
    return keep


def _dominates(v: Option, w: Option) -> bool:
    """Whether way ``v`` needs no more than way ``w``."""
    wc = {c.path: c for c in w.changes}
    for c in v.changes:
        d = wc.get(c.path)
        if d is None:
            return False
        if c == d:
            continue
        if c.delta is None or d.delta is None or c.delta * d.delta < 0 or abs(c.delta) > abs(d.delta):
            return False
    return True


def fixed_fields(checked: Any, entity: str) -> frozenset[str]:
    """Fields of ``entity`` that describe the place, read from the spec (see the module docstring)."""
    lets = checked.lets
    fixed: set[str] = set()
    subject: set[str] = set()
    measure: set[str] = set()
    rtype = checked.entities.get(entity)
    if rtype is not None and rtype.key:
        fixed.add(rtype.key)
    for rule in checked.rules:
        if rule.entity != entity:
            continue
        for cond in [rule.applies] + [a.applies for a in rule.alternatives]:
            if cond is not None:  # "applies when present(nursery)" asks whether it is built: not a fixed fact
                fixed.update(".".join(p) for p in lin.field_paths(cond, lets) if not _only_present(cond, p, lets))
        for cond in list(rule.requires) + [r for a in rule.alternatives for r in a.requires]:
            _roles(cond, lets, subject, measure, set())
    return frozenset(fixed | (measure - subject))


def _only_present(cond: Any, path: tuple, lets: dict) -> bool:
    """Whether ``cond`` reads ``path`` only through ``present(...)``."""
    found = {"plain": False}

    def walk(n: Any) -> None:
        body = lin.inline(n, lets)
        if body is not None:
            walk(body)
            return
        if isinstance(n, ir.Present):
            return
        if lin.plain_path(n) == path:
            found["plain"] = True
            return
        for c in lin.children(n):
            walk(c)

    walk(cond)
    return not found["plain"]


def _roles(node: Any, lets: dict, subject: set, measure: set, seen: set) -> None:
    body = lin.inline(node, lets)
    if body is not None:
        if (node.entity, node.name) not in seen:
            seen.add((node.entity, node.name))
            _roles(body, lets, subject, measure, seen)
        return

    def add(target: set, n: Any) -> None:
        target.update(".".join(p) for p in lin.field_paths(n, lets))

    if isinstance(node, ir.Compare):
        add(subject, _numerators(node.left))
        add(measure, node.right)
        add(measure, _denominators(node.left))
        return
    if isinstance(node, ir.Between):
        add(subject, _numerators(node.value))
        add(measure, _denominators(node.value))
        add(measure, node.low)
        add(measure, node.high)
        return
    if isinstance(node, ir.Aggregate):
        add(subject, node.coll)
        return
    p = lin.plain_path(node)
    if p is not None:
        subject.add(".".join(p))
        return
    for c in lin.children(node):
        _roles(c, lets, subject, measure, seen)


def _numerators(n: Any) -> Any:
    return n.left if isinstance(n, ir.Binary) and n.op == "/" else n


def _denominators(n: Any) -> Any:
    return n.right if isinstance(n, ir.Binary) and n.op == "/" else ir.Const(0, n.type)


class Planner:
    """Shortfalls for the records of one spec's entity."""

    def __init__(self, spec: Any, entity: str, fixed: Iterable[str] | None = None):
        self.spec = spec
        self.entity = entity
        self.interp = spec.interpreter
        self.fixed = frozenset(fixed) if fixed is not None else fixed_fields(spec.checked, entity)
        self.solver = Solver(self.interp, spec.checked.entities[entity], self.fixed)
        self.rules = [r for r in spec.checked.rules if r.entity == entity]

    def status(self, rule: Any, record: Any) -> Status:
        try:
            return rule_status(rule, self.interp, record)
        except BadValue:  # data of the wrong shape: the engine's error verdict; anything else is a bug
            return Status.ERROR

    def rule_shortfall(self, rule: Any, record: Any, unknown_too: bool = False) -> RuleShortfall | None:
        """Every way to pass a failed rule (None when it does not fail; ``unknown_too``: nor is unknown)."""
        st = self.status(rule, record)
        if st is not Status.FAIL and not (unknown_too and st is Status.UNKNOWN):
            return None
        ways: list[Option] = []
        for opt in self.solver.solve_all(rule.requires, [record]):
            ways.append(self._checked(rule, record, opt))
        for alt in rule.alternatives:
            if alt.applies is not None and self.interp.eval(alt.applies, [record]) is not True:
                continue
            for opt in self.solver.solve_all(alt.requires, [record]):
                ways.append(self._checked(rule, record, attrs.evolve(opt, label=alt.name)))
        return RuleShortfall(rule.id, rule.title, rule.strength, item_of(rule), tuple(prune(ways)))

    def _checked(self, rule: Any, record: Any, opt: Option) -> Option:
        """The option as the interpreter sees it: a proposal that does not pass is marked unsolved."""
        if not opt.solved:
            return opt
        if self.status(rule, apply(record, opt.changes)) is Status.PASS:
            opt = self._tighten(rule, record, opt)
        if self.status(rule, apply(record, opt.changes)) is not Status.PASS:
            return attrs.evolve(opt, solved=False, notes=opt.notes + ("the planner's proposal does not pass; "
                                                                      "not solved",))
        return opt

    def _tighten(self, rule: Any, record: Any, opt: Option) -> Option:
        """Move each figure back as far as the rule allows, the other edits kept.

        Solving ``and`` part by part can overshoot when parts share fields
        ("a + b ≥ 1 and a > 0": b raised to 1, then a to 0.01, where b 0.99 would
        do).  With the other edits made, the rule's truth as a function of one
        figure changes only at the boundaries of the comparisons reading it, so
        trying the grid points next to each boundary, nearest first, finds the
        least change exactly.  A figure read by a comparison that is not linear
        in it is left as it is.
        """
        from standardlang.planning.deciding import _boundaries
        from standardlang.planning.solver import highest, lowest, resolution
        from standardlang.planning.changes import exact, field_info

        changes = list(merge(opt.changes))
        for i, c in enumerate(changes):
            if c.delta is None or c.delta == 0:
                continue
            others = changes[:i] + changes[i + 1:]
            base = apply(record, others)
            info = field_info(self.solver.rtype, c.path)
            points, note = _boundaries(self, rule, base, c.path, c.scale)
            if info is None or note:
                continue
            step = resolution(info)
            start = exact(c.before) if c.before is not None else (lowest(info) or Fraction(0))
            lo, hi = lowest(info), highest(info)
            cands = {start}
            for p in points:
                g = math.floor(p / step) * step
                cands.update((g - step, g, g + step, g + 2 * step))
            after = exact(c.after)
            between = sorted((v for v in cands if min(start, after) <= v <= max(start, after)
                              and (lo is None or v >= lo) and (hi is None or v <= hi)), key=lambda v: abs(v - start))
            for v in between:
                trial = attrs.evolve(c, after=v)
                if self.status(rule, apply(base, [trial])) is Status.PASS:
                    if v != after:
                        changes[i] = attrs.evolve(c, after=v, low=None, high=None)
                    break
        kept = tuple(c for c in changes if not (c.action in ("raise", "lower") and c.delta == 0))
        return attrs.evolve(opt, changes=kept)

    def items(self, record: Any) -> list[ItemShortfall]:
        """Per item with a failed planned rule: the edits that pass all its planned rules, per route."""
        by_item: dict[str, list] = {}
        for r in self.rules:
            if r.strength in PLANNED:
                by_item.setdefault(item_of(r), []).append(r)
        out = []
        for item, rules in by_item.items():
            failed = tuple(r.id for r in rules if self.status(r, record) is Status.FAIL)
            if not failed:
                continue
            labels: list[str | None] = [None]
            for r in rules:
                labels.extend(a.name for a in r.alternatives if a.name not in labels)
            routes = [rt for label in labels if (rt := self._route(rules, record, label)) is not None]
            out.append(ItemShortfall(item, failed, tuple(routes)))
        return out

    def _route(self, rules: list, record: Any, label: str | None) -> Route | None:
        """Solve the item's rules one after the other on the record as changed so far.

        A rule unknown in the data stays a question for :mod:`deciding` (it is not
        planned); a rule that becomes unknown because a facility was just created
        (its figures not yet set) is solved like a failed one.  None for an
        alternative's route that no rule could take (its condition does not hold).
        """
        used = label is None
        work = record
        changes: list = []
        fixed: list[str] = []
        notes: list[str] = []
        before = {r.id: self.status(r, record) for r in rules}
        for _ in range(2):  # a second pass: a later rule's edit may undo an earlier one (rare)
            for r in rules:
                st = self.status(r, work)
                if st is not Status.FAIL and not (st is Status.UNKNOWN and before[r.id] is not Status.UNKNOWN):
                    continue
                sf = self.rule_shortfall(r, work, unknown_too=True)
                way = next((w for w in sf.ways if w.solved and w.label == label), None) if label else None
                used = used or way is not None
                way = way or sf.best
                if way is None:
                    notes.extend(n for w in sf.ways for n in w.notes)
                    continue
                if r.id not in fixed:
                    fixed.append(r.id)
                changes.extend(way.changes)
                work = apply(work, way.changes)
        if not used:
            return None
        complete = all(self.status(r, work) in (Status.PASS, Status.NOT_APPLICABLE)
                       or (before[r.id] is Status.UNKNOWN and self.status(r, work) is Status.UNKNOWN) for r in rules)
        return Route(label, merge(changes), tuple(fixed), complete, tuple(dict.fromkeys(notes)))


def shortfalls(spec: Any, records: Any, entity: str | None = None, fixed: Iterable[str] | None = None) -> list[dict]:
    """Per record and failed rule, the ways to pass (the library entry point; see docs/api.md).

    Returns a list of ``{"record": id, "rules": [RuleShortfall...], "items": [ItemShortfall...]}``.
    """
    entity = entity or spec.default_entity
    inventory = spec.inventory(records, entity)
    planner = Planner(spec, entity, fixed)
    out = []
    for i, rec in enumerate(inventory.records.get(entity, [])):
        rules = [sf for r in planner.rules if (sf := planner.rule_shortfall(r, rec)) is not None]
        out.append({"record": spec.record_id(entity, rec, i), "rules": rules, "items": planner.items(rec)})
    return out
