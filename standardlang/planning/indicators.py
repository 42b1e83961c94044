"""The distance from an indicator's value to its target, in the indicator's own terms.

Takes a loaded spec, one of its indicators, the entity level (city, district...)
and that level's record; gives :class:`Distance`: for a coverage rate
(``share(communities where P)``) how many more members must satisfy P
("9 more communities where present(service_station)"), and for a ratio of sums
or counts, for each term it is linear in (a sum, a count, a figure of the
record), how much that term must grow: "sum(communities.service_area) +3120 m²".
The amounts are exact: the term at its current value plus the amount gives the
target exactly (or, for a whole count, the first count that reaches it), which
the tests check by evaluating the indicator with the term replaced.  A term in a
denominator is not linear and is named as such, not solved.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import attrs

from standardlang.lang import ir
from standardlang.lang.types import COUNT, Num, display_unit
from standardlang.backends.python import runtime as rt
from standardlang.engine.verdict import format_number
from standardlang.planning import linear as lin
from standardlang.planning.changes import json_value


@attrs.frozen
class Term:
    """One way to close the gap: grow ``text`` from ``current`` by ``delta``."""

    text: str
    current: Any
    delta: Any
    unit: str
    whole: bool  # a count: delta is the least whole number that reaches the target
    node: Any = attrs.field(default=None, eq=False, repr=False)
    members: tuple[str, ...] = ()  # for a coverage rate: the members that do not satisfy it yet
    of: int | None = None  # for a coverage rate: how many members there are
    unknown: tuple[str, ...] = ()  # for a coverage rate: members not recorded (survey first, never built)

    def describe(self, lang: str = "en") -> str:
        amount = format_number(self.delta, self.unit)
        if self.of is not None:
            n = len(self.unknown)
            if lang == "zh":
                return (f"再有 {amount} 个 {self.text}(现有 {self.current}/{self.of}"
                        + (f";{n} 个未记录,先调查" if n else "") + ")")
            return (f"{amount} more {self.text} (now {self.current} of {self.of}"
                    + (f"; {n} not recorded: survey first" if n else "") + ")")
        return (f"{self.text} 增加 {amount}(现为 {format_number(self.current, self.unit)})" if lang == "zh"
                else f"{self.text} +{amount} (now {format_number(self.current, self.unit)})")

    def to_dict(self) -> dict:
        d = {"term": self.text, "current": json_value(self.current), "delta": json_value(self.delta),
             "unit": self.unit, "whole": self.whole, "text": self.describe("en"), "text_zh": self.describe("zh")}
        if self.of is not None:
            d["of"] = self.of
            d["members_lacking"] = list(self.members)
            d["members_not_recorded"] = list(self.unknown)
        return d


@attrs.frozen
class Distance:
    indicator: str
    title: str | None
    attribute: str
    entity: str
    record_id: str
    value: Any
    target: Any
    op: str
    unit: str
    status: str
    deadline: int | None
    terms: tuple[Term, ...] = ()
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"indicator": self.indicator, "title": self.title, "attribute": self.attribute,
                "entity": self.entity, "record": self.record_id, "value": json_value(self.value),
                "target": json_value(self.target), "op": self.op, "unit": self.unit, "status": self.status,
                "deadline": self.deadline, "value_text": format_number(self.value, self.unit),
                "target_text": format_number(self.target, self.unit),
                "ways": [t.to_dict() for t in self.terms], **({"notes": list(self.notes)} if self.notes else {})}


def distance(spec: Any, ind: Any, entity: str, record: Any, record_id: str,
             key_of: Any = None) -> Distance:
    """How far ``record``'s value of ``ind`` is from the target, and each way to close the gap."""
    node = ind.value_for(entity)
    interp = lin.OverrideInterpreter(spec.interpreter.lets)
    value = interp.eval(node, [record])
    target = Fraction(ind.target.value)
    unit = ind.unit or display_unit(ind.target.type)
    ok = None if value is None else rt.compare(ind.op, value, target)  # a range may settle it, or not
    status = "unknown" if ok is None else "pass" if ok else "fail"
    base = dict(indicator=ind.id, title=ind.title, attribute=ind.attribute, entity=entity, record_id=record_id,
                value=value, target=target, op=ind.op, unit=unit, status=status, deadline=ind.deadline)
    if status != "fail":
        return Distance(**base)
    share = _share(node, interp.lets)
    if share is not None:
        return Distance(**base, terms=(_coverage(share, ind, interp, record, key_of),))
    terms, notes = [], []
    for term in _terms(node, interp.lets):
        t = _grow(node, term, ind, interp, record)
        if isinstance(t, Term):
            terms.append(t)
        elif t:
            notes.append(t)
    return Distance(**base, terms=tuple(terms), notes=tuple(notes))


def _share(node: Any, lets: dict) -> Any:
    body = lin.inline(node, lets)
    if body is not None:
        return _share(body, lets)
    return node if isinstance(node, ir.Aggregate) and node.func == "share" and node.where is not None else None


def _coverage(agg: Any, ind: Any, interp: Any, record: Any, key_of: Any) -> Term:
    items = interp.eval(agg.coll, [record]) or []
    have = [e for e in items if interp.eval(agg.where, [record, e]) is True]
    n, m = len(items), len(have)
    target = Fraction(ind.target.value)
    need = target * n
    k = math.floor(need) + 1 if ind.op == ">" and need == math.floor(need) else math.ceil(need)
    held = [interp.eval(agg.where, [record, e]) for e in items]
    # lacking: the members known not to have it (to build); not recorded: to survey first, never built
    lacking = tuple(str(key_of(e) if key_of else i) for i, (e, h) in enumerate(zip(items, held)) if h is False)
    unknown = tuple(str(key_of(e) if key_of else i) for i, (e, h) in enumerate(zip(items, held)) if h is None)
    text = f"{agg.coll.text or 'members'} where {agg.where.text or 'the condition holds'}"
    return Term(text, m, max(k - m, 0), "", True, agg, lacking, n, unknown)


def _terms(node: Any, lets: dict) -> list:
    """Sub-expressions to grow: aggregates and plain figures, outermost first (not inside aggregates)."""
    out: list = []

    def walk(n: Any) -> None:
        body = lin.inline(n, lets)
        if body is not None and not isinstance(n.type, Num):
            return
        if isinstance(n, ir.Aggregate) or lin.plain_path(n) is not None or (
                isinstance(n, ir.LetRef) and isinstance(n.type, Num)):
            if isinstance(n.type, Num) and n not in out:
                out.append(n)
            return
        for c in lin.children(n):
            walk(c)

    walk(node)
    return out


def _grow(node: Any, term: Any, ind: Any, interp: Any, record: Any) -> Term | str | None:
    text = term.text or "term"
    try:
        form = lin.linearize(node, lin.is_node(term), interp, [record])
    except lin.Unknown:
        return f"{text}: other data missing"
    if form is None:
        return f"{text}: not linear (a denominator), not solved"
    a, b = form
    if a == 0:
        return None
    current = interp.eval(term, [record])
    if current is None or isinstance(current, rt.Bounds):
        return f"{text}: unknown"
    region = lin.constraint(a, b - Fraction(ind.target.value), ind.op)
    whole = isinstance(term.type, Num) and term.type.kind == "count" or term.type == COUNT
    grid = lin.on_grid(region, Fraction(1)) if whole else region
    bound = grid.lo if grid is not None and grid.lo is not None else None
    if bound is None:  # the value must fall, not grow: the term would have to shrink
        return f"{text}: would have to decrease, not planned"
    delta = bound.value - Fraction(current)
    if delta <= 0:
        return None
    if bound.strict and not whole:
        return f"{text}: must exceed {format_number(bound.value, display_unit(term.type))} (strict)"
    return Term(text, current, delta, display_unit(term.type), whole, term)


def value_with(spec: Any, ind: Any, entity: str, record: Any, term: Term, delta: Any) -> Any:
    """The indicator's value with ``term`` grown by ``delta`` (for tests and what-if)."""
    node = ind.value_for(entity)
    interp = lin.OverrideInterpreter(spec.interpreter.lets)
    if term.of is not None:
        return Fraction(term.current + delta, term.of)
    interp.overrides[id(term.node)] = Fraction(term.current) + Fraction(delta)
    return interp.eval(node, [record])
