"""Exact reasoning about conditions on the typed IR, for the linter.

Takes checked IR nodes (:mod:`standardlang.lang.ir`) and the checked spec; gives,
per numeric term (a field, a sum, a count, a definition), the interval of values
the schema allows (:meth:`Reasoner.universe`: declared ranges, counts and
quantities ≥ 0, counts whole), and, per condition, its disjunctive normal form
over atoms — intervals of numeric terms compared with constants, sets of enum
members, opaque truth values — so that :meth:`Reasoner.sat` tells whether
conditions can hold together.  Numbers are Fractions; nothing is approximated.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Iterable

import attrs

from standardlang.lang import ir, vocabulary
from standardlang.lang.types import BoolT, EnumT, ListT, Num, RecordT

DNF_LIMIT = 256


class TooBig(Exception):
    pass


# ====================================================================== intervals


@attrs.frozen
class Interval:
    """A set of numbers between two bounds (None is infinite); ``integer`` keeps whole numbers."""

    lo: Fraction | None = None
    hi: Fraction | None = None
    lo_open: bool = False
    hi_open: bool = False
    integer: bool = False

    def norm(self) -> "Interval":
        if not self.integer:
            return self
        lo, hi = self.lo, self.hi
        if lo is not None:
            lo = Fraction(math.floor(lo) + 1 if self.lo_open else math.ceil(lo))
        if hi is not None:
            hi = Fraction(math.ceil(hi) - 1 if self.hi_open else math.floor(hi))
        return Interval(lo, hi, False, False, True)

    def empty(self) -> bool:
        n = self.norm()
        if n.lo is None or n.hi is None:
            return False
        return n.lo > n.hi or (n.lo == n.hi and (n.lo_open or n.hi_open))

    def meet(self, o: "Interval") -> "Interval":
        lo, lo_open = self.lo, self.lo_open
        if o.lo is not None and (lo is None or o.lo > lo or (o.lo == lo and o.lo_open)):
            lo, lo_open = o.lo, o.lo_open
        hi, hi_open = self.hi, self.hi_open
        if o.hi is not None and (hi is None or o.hi < hi or (o.hi == hi and o.hi_open)):
            hi, hi_open = o.hi, o.hi_open
        return Interval(lo, hi, lo_open, hi_open, self.integer or o.integer)

    def within(self, o: "Interval") -> bool:
        """Whether every number of this interval is in ``o``."""
        a, b = self.norm(), attrs.evolve(o, integer=self.integer).norm()
        if a.empty():
            return True
        lo_ok = b.lo is None or (a.lo is not None and (a.lo > b.lo or (a.lo == b.lo and (a.lo_open or not b.lo_open))))
        hi_ok = b.hi is None or (a.hi is not None and (a.hi < b.hi or (a.hi == b.hi and (a.hi_open or not b.hi_open))))
        return lo_ok and hi_ok


ALL = Interval()
NONNEG = Interval(Fraction(0))


def _point(v: Any) -> Interval:
    return Interval(Fraction(v), Fraction(v))


def _op_interval(op: str, c: Fraction) -> Interval:
    return {">=": Interval(c), ">": Interval(c, None, True), "<=": Interval(None, c),
            "<": Interval(None, c, False, True), "==": Interval(c, c)}[op]


_NEGATE = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "==": "!=", "!=": "=="}
_FLIP = vocabulary.MIRROR


def _add(a: Interval, b: Interval, sign: int = 1) -> Interval:
    if sign < 0:
        b = Interval(None if b.hi is None else -b.hi, None if b.lo is None else -b.lo, b.hi_open, b.lo_open, b.integer)
    lo = None if a.lo is None or b.lo is None else a.lo + b.lo
    hi = None if a.hi is None or b.hi is None else a.hi + b.hi
    return Interval(lo, hi, a.lo_open or b.lo_open, a.hi_open or b.hi_open, a.integer and b.integer)


def _nonneg(a: Interval) -> bool:
    return a.lo is not None and a.lo >= 0


def _mul(a: Interval, b: Interval) -> Interval:
    integer = a.integer and b.integer
    if None not in (a.lo, a.hi, b.lo, b.hi):
        ps = [x * y for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
        return Interval(min(ps), max(ps), integer=integer)
    if _nonneg(a) and _nonneg(b):
        return Interval(a.lo * b.lo, None, integer=integer)
    return Interval(integer=integer)


def _div(a: Interval, b: Interval) -> Interval:
    if b.lo is not None and b.lo > 0 and None not in (a.lo, a.hi, b.hi):
        qs = [x / y for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
        return Interval(min(qs), max(qs))
    if _nonneg(a) and _nonneg(b):
        return NONNEG
    return ALL


def _hull(a: Interval, b: Interval) -> Interval:
    lo = None if a.lo is None or b.lo is None else min(a.lo, b.lo)
    hi = None if a.hi is None or b.hi is None else max(a.hi, b.hi)
    return Interval(lo, hi, integer=a.integer and b.integer)


# ====================================================================== terms and their universes


def const_number(n: Any) -> Fraction | None:
    if isinstance(n, ir.Const) and isinstance(n.type, Num) and isinstance(n.value, (int, Fraction)) \
            and not isinstance(n.value, bool):
        return Fraction(n.value)
    return None


class Reasoner:
    """Record types in scope (outermost first) and the checked spec, for universes and lets."""

    def __init__(self, spec: Any, scopes: list[RecordT], busy: set | None = None):
        self.spec = spec
        self.scopes = scopes
        self.busy: set = busy if busy is not None else set()

    def inner(self, elem: RecordT | None) -> "Reasoner":
        return Reasoner(self.spec, self.scopes + [elem if elem is not None else RecordT("element", dynamic=True)],
                    self.busy)

    def let_info(self, n: ir.LetRef) -> Any:
        return self.spec.lets.get(f"{n.entity}.{n.name}")

    def inlinable(self, n: Any) -> Any:
        """The IR of a definition referred to at depth 0 (so its fields mean the same here)."""
        if isinstance(n, ir.LetRef) and n.obj is None and n.depth == 0:
            info = self.let_info(n)
            if info is not None and info.ir is not None and id(info) not in self.busy:
                return info
        return None

    def field_info(self, n: ir.Field) -> Any:
        if n.obj is None:
            if n.depth >= len(self.scopes):
                return None
            rec = self.scopes[-1 - n.depth]
        else:
            rec = n.obj.type
            if isinstance(rec, ListT):
                rec = rec.elem
        if isinstance(rec, RecordT):
            return rec.fields.get(n.name)
        return None

    def universe(self, n: Any) -> Interval:
        """What a numeric term can be, from the schema alone."""
        c = const_number(n)
        if c is not None:
            return _point(c)
        t = n.type.elem if isinstance(n.type, ListT) else n.type
        integer = isinstance(t, Num) and t.kind == "count"
        if isinstance(n, ir.Field):
            info = self.field_info(n)
            if info is not None and info.bounds is not None:
                scale = info.scale or 1
                return Interval(Fraction(info.bounds[0]) * scale, Fraction(info.bounds[1]) * scale, integer=integer)
            if isinstance(t, Num) and t.kind in ("count", "quantity", "ratio"):
                return Interval(Fraction(0), integer=integer)
            return ALL
        if isinstance(n, ir.LetRef):
            info = self.inlinable(n)
            if info is None:
                return Interval(integer=integer)
            return self._through(info, lambda: self.universe(info.ir))
        if isinstance(n, ir.Unary) and n.op == "neg":
            return _add(_point(0), self.universe(n.operand), -1)
        if isinstance(n, ir.Binary):
            a, b = self.universe(n.left), self.universe(n.right)
            return {"+": lambda: _add(a, b), "-": lambda: _add(a, b, -1), "*": lambda: _mul(a, b),
                    "/": lambda: _div(a, b)}[n.op]()
        if isinstance(n, ir.Aggregate):
            if n.func == "count":
                return Interval(Fraction(0), integer=True)
            if n.func == "share":
                return Interval(Fraction(0), Fraction(1))
            elem = n.coll.type.elem if isinstance(n.coll.type, ListT) else None
            u = self.inner(elem if isinstance(elem, RecordT) else None).universe(n.item) if n.item is not None \
                else self.universe(n.coll)
            if n.func == "sum":
                return Interval(Fraction(0), integer=u.integer) if _nonneg(u) else Interval(integer=u.integer)
            return attrs.evolve(u, integer=u.integer and n.func != "avg")
        if isinstance(n, ir.Builtin):
            us = [self.universe(a) for a in n.args]
            if n.func == "abs":
                return NONNEG
            out = us[0]
            for u in us[1:]:
                lo = None if out.lo is None or u.lo is None else (min if n.func == "min" else max)(out.lo, u.lo)
                hi = None if out.hi is None or u.hi is None else (min if n.func == "min" else max)(out.hi, u.hi)
                if n.func == "min" and (out.hi is None or u.hi is None):
                    hi = out.hi if u.hi is None else u.hi
                if n.func == "max" and (out.lo is None or u.lo is None):
                    lo = out.lo if u.lo is None else u.lo
                out = Interval(lo, hi, integer=out.integer and u.integer)
            return out
        if isinstance(n, ir.Cond):
            return _hull(self.universe(n.then), self.universe(n.else_))
        return Interval(integer=integer)

    def _through(self, info: Any, fn):
        self.busy.add(id(info))
        try:
            return fn()
        finally:
            self.busy.discard(id(info))

    # ------------------------------------------------------------ literals
    def literal(self, n: Any, pos: bool) -> list[dict] | None:
        """DNF of an atomic comparison, or None when it is not one."""
        if isinstance(n, ir.Compare):
            left, right, op = n.left, n.right, n.op
            if const_number(left) is not None and const_number(right) is None:
                left, right, op = right, left, _FLIP[op]
            c = const_number(right)
            if c is not None and const_number(left) is None and isinstance(left.type, Num):
                op = op if pos else _NEGATE[op]
                u = self.universe(left)
                if op == "!=":
                    return [self._conj({left: u.meet(_op_interval("<", c))}),
                            self._conj({left: u.meet(_op_interval(">", c))})]
                return [self._conj({left: u.meet(_op_interval(op, c))})]
            enum = left.type if isinstance(left.type, EnumT) else None
            if enum is not None and isinstance(right, ir.Const) and op in ("==", "!=") and not isinstance(left, ir.Const):
                keep = (op == "==") == pos
                members = frozenset(enum.members)
                return [self._conj({left: frozenset({right.value}) if keep else members - {right.value}})]
        if isinstance(n, ir.Between):
            lo, hi = const_number(n.low), const_number(n.high)
            if lo is not None and hi is not None and isinstance(n.value.type, Num):
                u = self.universe(n.value)
                if pos:
                    return [self._conj({n.value: u.meet(Interval(lo, hi))})]
                return [self._conj({n.value: u.meet(_op_interval("<", lo))}),
                        self._conj({n.value: u.meet(_op_interval(">", hi))})]
        if isinstance(n, ir.Member) and isinstance(n.collection, ir.SetLiteral) and isinstance(n.value.type, EnumT):
            if all(isinstance(i, ir.Const) for i in n.collection.items):
                values = frozenset(i.value for i in n.collection.items)
                keep = pos != n.negated
                members = frozenset(n.value.type.members)
                return [self._conj({n.value: values if keep else members - values})]
        return None

    @staticmethod
    def _conj(d: dict) -> dict:
        return d

    # ------------------------------------------------------------ normal form
    def dnf(self, n: Any, pos: bool = True) -> list[dict]:
        """Satisfiable conjunctions (term -> Interval or set of values) whose disjunction is ``n`` (or not n)."""
        if isinstance(n, ir.Const) and isinstance(n.value, bool):
            return [{}] if n.value == pos else []
        if isinstance(n, ir.Logic):
            if (n.op == "and") == pos:
                return self.product(self.dnf(n.left, pos), self.dnf(n.right, pos))
            return self.union(self.dnf(n.left, pos), self.dnf(n.right, pos))
        if isinstance(n, ir.Unary) and n.op == "not":
            return self.dnf(n.operand, not pos)
        if isinstance(n, ir.Cond) and isinstance(n.type, BoolT):
            t, f = self.dnf(n.test, True), self.dnf(n.test, False)
            return self.union(self.product(t, self.dnf(n.then, pos)), self.product(f, self.dnf(n.else_, pos)))
        info = self.inlinable(n)
        if info is not None and isinstance(info.type, BoolT):
            return self._through(info, lambda: self.dnf(info.ir, pos))
        lit = self.literal(n, pos)
        if lit is not None:
            return [c for c in lit if not any(is_empty(v) for v in c.values())]
        return [{n: frozenset({pos})}]

    def union(self, a: list[dict], b: list[dict]) -> list[dict]:
        out = a + b
        if len(out) > DNF_LIMIT:
            raise TooBig()
        return out

    def product(self, a: list[dict], b: list[dict]) -> list[dict]:
        if len(a) * len(b) > DNF_LIMIT:
            raise TooBig()
        out = []
        for x in a:
            for y in b:
                m = _merge(x, y)
                if m is not None:
                    out.append(m)
        return out

    def sat(self, nodes: Iterable[Any], negated: Iterable[Any] = ()) -> bool | None:
        """Whether all ``nodes`` and none of ``negated`` can hold together (None: too big to tell)."""
        try:
            cases: list[dict] = [{}]
            for n in nodes:
                if n is not None:
                    cases = self.product(cases, self.dnf(n, True))
            neg = [n for n in negated if n is not None]
            if neg:
                alt: list[dict] = []
                for n in neg:
                    alt = self.union(alt, self.dnf(n, False))
                cases = self.product(cases, alt)
            return bool(cases)
        except TooBig:
            return None


def is_empty(v: Any) -> bool:
    return v.empty() if isinstance(v, Interval) else not v


def _merge(x: dict, y: dict) -> dict | None:
    out = dict(x)
    for k, v in y.items():
        if k in out:
            w = out[k]
            v = w.meet(v) if isinstance(w, Interval) else (w & v)
            if is_empty(v):
                return None
        out[k] = v
    return out
