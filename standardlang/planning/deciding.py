"""What would decide an unknown verdict: the missing fields and their deciding values.

Takes a planner (:class:`~standardlang.planning.shortfall.Planner`), a rule and a
record whose verdict is unknown; gives, for each missing field, the values that
would make the rule pass, fail or stay unknown (another field still missing):
``kindergarten.land_area ≥ 3500 m² → pass; < 3500 m² → fail``.  For a number the
boundaries are the exact points where a comparison reading the field changes
(solved with :mod:`~standardlang.planning.linear`); between two boundaries every
comparison keeps its truth, so one value per piece decides the piece, and the
verdict of each piece is the interpreter's, not a guess.  Truth values, enum
members and set members are tried one by one.  Each piece carries the value that
was tried, so a test can fill it in and see the stated verdict.
"""

from __future__ import annotations

import copy
import math
from fractions import Fraction
from typing import Any

import attrs

from standardlang.lang import ir
from standardlang.lang.types import BoolT, EnumT, Num, SetT
from standardlang.engine.verdict import format_number
from standardlang.planning import linear as lin
from standardlang.planning.changes import field_info, json_value, plain, set_path
from standardlang.planning.solver import highest, lowest


@attrs.frozen
class Piece:
    """Values of one field, lo..hi (None: unbounded) or a list of members, and the verdict they give."""

    status: str
    sample: Any  # a value of the piece (as data holds it) that gives ``status``
    lo: Fraction | None = None
    hi: Fraction | None = None
    lo_open: bool = False
    hi_open: bool = False
    values: tuple | None = None  # for truth values, members, sets: the values of this piece

    def describe(self, unit: str = "", scale: Fraction = Fraction(1)) -> str:
        if self.values is not None:
            return " / ".join(_show(v) for v in self.values)

        def f(x: Fraction) -> str:
            return format_number(x * scale, unit)

        if self.lo is not None and self.hi is not None:
            if self.lo == self.hi:
                return f"= {f(self.lo)}"
            return f"{'(' if self.lo_open else '['}{f(self.lo)}, {f(self.hi)}{')' if self.hi_open else ']'}"
        if self.lo is not None:
            return f"{'>' if self.lo_open else '≥'} {f(self.lo)}"
        if self.hi is not None:
            return f"{'<' if self.hi_open else '≤'} {f(self.hi)}"
        return "any value"


STATUS_ZH = {"pass": "通过", "fail": "不通过", "unknown": "未知", "not_applicable": "不适用", "error": "数据错误"}


@attrs.frozen
class FieldQuestion:
    path: str
    pieces: tuple[Piece, ...]
    unit: str = ""
    scale: Fraction = Fraction(1)
    note: str = ""

    def describe(self, lang: str = "en") -> str:
        if not self.pieces:
            return f"{self.path}: {self.note or ('无法判定' if lang == 'zh' else 'cannot say')}"
        words = STATUS_ZH if lang == "zh" else {}
        return f"{self.path} " + "; ".join(f"{p.describe(self.unit, self.scale)} → {words.get(p.status, p.status)}"
                                           for p in self.pieces)

    def to_dict(self) -> dict:
        return {"field": self.path, "text": self.describe(),
                "pieces": [{"values": p.describe(self.unit, self.scale), "status": p.status,
                            "sample": json_value(p.sample)} for p in self.pieces],
                **({"note": self.note} if self.note else {})}


@attrs.frozen
class Question:
    """An unknown verdict: the missing fields and what each would decide."""

    rule_id: str
    title: str | None
    strength: str
    fields: tuple[FieldQuestion, ...]

    def to_dict(self) -> dict:
        return {"rule": self.rule_id, "title": self.title, "strength": self.strength,
                "missing": [f.to_dict() for f in self.fields]}


def missing_fields(planner: Any, rule: Any, record: Any) -> list[str]:
    """The fields whose absence left the rule unknown (as the explanation names them)."""
    missing: list[str] = []
    for cond in [rule.applies, *rule.requires] + [c for a in rule.alternatives for c in [a.applies, *a.requires]]:
        if cond is not None:
            planner.interp.eval(cond, [record], missing)
    return list(dict.fromkeys(missing))


def question(planner: Any, rule: Any, record: Any) -> Question:
    fields = tuple(decide_field(planner, rule, record, p) for p in missing_fields(planner, rule, record))
    return Question(rule.id, rule.title, rule.strength, fields)


def decide_field(planner: Any, rule: Any, record: Any, path: str) -> FieldQuestion:
    info = field_info(planner.solver.rtype, path)
    if info is None:
        return FieldQuestion(path, (), note="a figure of a list element (or not in the schema): record it to decide")
    t = info.type

    def status(value: Any) -> str:
        rec = copy.deepcopy(record)
        set_path(rec, path, value)
        return planner.status(rule, rec).value

    if isinstance(t, BoolT):
        return FieldQuestion(path, _group([(v, status(v)) for v in (True, False)]))
    if isinstance(t, EnumT):
        return FieldQuestion(path, _group([(m, status(m)) for m in t.members]))
    if isinstance(t, SetT):
        wanted = _set_items(planner, rule, path)
        samples = [sorted(wanted)] + [sorted(wanted - {m}) for m in sorted(wanted)] if wanted else [[]]
        return FieldQuestion(path, _group([(tuple(s), status(list(s))) for s in samples]),
                             note="" if wanted else "no condition names members of this set")
    if isinstance(t, Num):
        return _numeric(planner, rule, record, path, info, status)
    return FieldQuestion(path, (), note="only numbers, truth values and members are solved")


def _numeric(planner, rule, record, path, info, status) -> FieldQuestion:
    scale = Fraction(info.scale or 1)
    points, note = _boundaries(planner, rule, record, path, scale)
    count = info.type.kind == "count"
    floor, ceil = lowest(info), highest(info)
    if count:
        ints = sorted({v for c in points for v in (math.floor(c), math.ceil(c))}
                      | ({int(floor)} if floor is not None else set()))
        if not ints:
            ints = [0]
        cuts = sorted({x for i in ints for x in (i - 1, i, i + 1)
                       if (floor is None or x >= floor) and (ceil is None or x <= ceil)})
        pieces = []
        prev = None
        for x in cuts:  # every integer of a gap between two cuts lies strictly between two boundaries
            if prev is not None and x > prev + 1:
                pieces.append(Piece(status(prev + 1), prev + 1, Fraction(prev + 1), Fraction(x - 1)))
            pieces.append(Piece(status(x), x, Fraction(x), Fraction(x)))
            prev = x
        last = cuts[-1]
        if ceil is None or last < ceil:
            pieces.append(Piece(status(last + 1), last + 1, Fraction(last + 1), None))
        if floor is None:
            pieces.insert(0, Piece(status(cuts[0] - 1), cuts[0] - 1, None, Fraction(cuts[0] - 1)))
        return FieldQuestion(path, _merge(pieces), _unit(info), scale, note)
    pts = sorted(set(points) | ({floor} if floor is not None else set()))
    if not pts:
        pts = [floor if floor is not None else Fraction(0)]
    pieces = []
    if floor is None or pts[0] > floor:
        below = pts[0] - 1 if floor is None else (floor + pts[0]) / 2
        pieces.append(Piece(status(plain(below)), plain(below), floor, pts[0], False, True))
    for i, c in enumerate(pts):
        if ceil is not None and c > ceil:
            break
        pieces.append(Piece(status(plain(c)), plain(c), c, c))
        nxt = pts[i + 1] if i + 1 < len(pts) else None
        mid = (c + nxt) / 2 if nxt is not None else c + 1
        pieces.append(Piece(status(plain(mid)), plain(mid), c, nxt, True, nxt is not None))
    return FieldQuestion(path, _merge(pieces), _unit(info), scale, note)


def _boundaries(planner, rule, record, path, scale) -> tuple[list[Fraction], str]:
    """Points where a comparison or range reading ``path`` changes its truth (raw units)."""
    target = lin.is_path(tuple(path.split(".")))
    points: list[Fraction] = []
    notes: list[str] = []
    for lhs, rhs in _atoms(planner, rule):
        if not (lin.contains(lhs, target, planner.interp.lets) or lin.contains(rhs, target, planner.interp.lets)):
            continue
        try:
            a = lin.linearize(lhs, target, planner.interp, [record], scale)
            b = lin.linearize(rhs, target, planner.interp, [record], scale)
        except lin.Unknown as exc:
            notes.append(f"also depends on missing {exc}")
            continue
        if a is None or b is None:
            notes.append(f"{lhs.text or path}: not linear in {path}")
            continue
        if a[0] != b[0]:
            points.append((b[1] - a[1]) / (a[0] - b[0]))
    return sorted(set(points)), "; ".join(dict.fromkeys(notes))


def _atoms(planner, rule):
    lets = planner.interp.lets
    out = []

    def walk(n):
        body = lin.inline(n, lets)
        if body is not None:
            walk(body)
            return
        if isinstance(n, ir.Compare) and isinstance(n.left.type, Num):
            out.append((n.left, n.right))
        elif isinstance(n, ir.Between):
            out.append((n.value, n.low))
            out.append((n.value, n.high))
        for c in lin.children(n):
            walk(c)

    for cond in [rule.applies, *rule.requires] + [c for a in rule.alternatives for c in [a.applies, *a.requires]]:
        if cond is not None:
            walk(cond)
    return out


def _set_items(planner, rule, path) -> set:
    lets = planner.interp.lets
    found: set = set()
    target = tuple(path.split("."))

    def walk(n):
        body = lin.inline(n, lets)
        if body is not None:
            walk(body)
            return
        if isinstance(n, ir.Contains) and lin.plain_path(n.collection) == target:
            items = n.items.items if isinstance(n.items, ir.SetLiteral) else (n.items,)
            found.update(i.value for i in items if isinstance(i, ir.Const))
        for c in lin.children(n):
            walk(c)

    for cond in [rule.applies, *rule.requires] + [c for a in rule.alternatives for c in [a.applies, *a.requires]]:
        if cond is not None:
            walk(cond)
    return found


def _group(tried: list) -> tuple[Piece, ...]:
    by: dict[str, list] = {}
    for v, st in tried:
        by.setdefault(st, []).append(v)
    return tuple(Piece(st, list(vs[0]) if isinstance(vs[0], tuple) else vs[0], values=tuple(vs))
                 for st, vs in by.items())


def _merge(pieces: list[Piece]) -> tuple[Piece, ...]:
    out: list[Piece] = []
    for p in pieces:
        if out and out[-1].status == p.status:
            q = out[-1]
            out[-1] = Piece(q.status, q.sample, q.lo, p.hi, q.lo_open, p.hi_open)
        else:
            out.append(p)
    return tuple(out)


def _show(v: Any) -> str:
    if isinstance(v, tuple):
        return "{" + ", ".join(v) + "}"
    return format_number(v)


def _unit(info: Any) -> str:
    from standardlang.lang.types import display_unit

    return display_unit(info.type)
