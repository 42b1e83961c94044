"""Exact linear algebra on the checked IR, for the planner.

Takes IR nodes, a record (the scopes the interpreter reads) and a *target* — a
field path such as ``kindergarten.building_area``, or one IR node (an aggregate)
to be treated as a variable — and gives the expression as ``a·x + b`` with
Fractions (:func:`linearize`), or ``None`` where it is not linear in the target
(the target in a denominator, under min/max, inside an aggregate...).  Every
part that does not contain the target is evaluated by the reference interpreter,
so the coefficients are the exact values the verdict would use.  Also: which
plain fields a node reads (:func:`field_paths`) and the solution of a system of
linear constraints in one variable (:func:`solve`).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable

import attrs

from standardlang.backends.python.runtime import Bounds
from standardlang.lang import ir
from standardlang.backends.python.interpreter import Interpreter


class Unknown(Exception):
    """A part of the expression that does not hold the target is unknown (missing data)."""


class OverrideInterpreter(Interpreter):
    """The reference interpreter, with the value of chosen nodes (by identity) replaced."""

    def __init__(self, lets: Any, overrides: dict[int, Any] | None = None):
        super().__init__(lets)
        self.overrides = overrides or {}

    def eval(self, node: ir.Node, scopes: list[Any], missing: list[str] | None = None) -> Any:
        if id(node) in self.overrides:
            return self.overrides[id(node)]
        return super().eval(node, scopes, missing)


def plain_path(node: Any) -> tuple[str, ...] | None:
    """The field path of a depth-0 chain of plain fields (``a.b.c``), else None."""
    names: list[str] = []
    while isinstance(node, ir.Field) and not node.over_list:
        names.append(node.name)
        if node.obj is None:
            return tuple(reversed(names)) if node.depth == 0 else None
        node = node.obj
    return None


def inline(node: Any, lets: dict) -> Any:
    """The definition behind a depth-0 reference to a let, or None."""
    if isinstance(node, ir.LetRef) and node.obj is None and (node.depth == 0 or node.entity.startswith("goal:")):
        info = lets.get(f"{node.entity}.{node.name}")
        if info is not None and info.ir is not None:
            return info.ir
    return None


def children(node: Any) -> list:
    out = []
    for f in attrs.fields(type(node)):
        if f.name in ("type", "enum", "span", "text"):
            continue
        v = getattr(node, f.name)
        if isinstance(v, ir.Node.__args__):
            out.append(v)
        elif isinstance(v, tuple):
            out.extend(x for x in v if isinstance(x, ir.Node.__args__))
    return out


def field_paths(node: Any, lets: dict, in_aggregate: bool = False, _seen: set | None = None) -> list[tuple[str, ...]]:
    """Plain field paths (depth 0) that ``node`` reads, through definitions; aggregates' element fields excluded."""
    seen = _seen if _seen is not None else set()
    out: list[tuple[str, ...]] = []
    p = plain_path(node)
    if p is not None and not in_aggregate:
        return [p]
    body = inline(node, lets)
    if body is not None:
        key = (node.entity, node.name)
        if key in seen:
            return []
        seen.add(key)
        return field_paths(body, lets, in_aggregate, seen)
    if isinstance(node, ir.Aggregate):
        return field_paths(node.coll, lets, in_aggregate, seen)  # the list itself, not its elements
    for c in children(node):
        for q in field_paths(c, lets, in_aggregate, seen):
            if q not in out:
                out.append(q)
    return out


Target = Callable[[Any], bool]


def is_path(path: tuple[str, ...]) -> Target:
    return lambda n: plain_path(n) == path


def is_node(target: Any) -> Target:
    return lambda n: n is target


def contains(node: Any, target: Target, lets: dict) -> bool:
    if target(node):
        return True
    body = inline(node, lets)
    if body is not None:
        return contains(body, target, lets)
    return any(contains(c, target, lets) for c in children(node))


def linearize(node: Any, target: Target, interp: Interpreter, scopes: list[Any],
              scale: Fraction = Fraction(1)) -> tuple[Fraction, Fraction] | None:
    """``node`` as ``(a, b)`` with node = a·x + b, x the target's raw value; None when not linear.

    ``scale`` turns the target's raw value (the record's unit) into what the
    expression reads (its base unit).  Raises :class:`Unknown` when a part
    without the target is unknown.
    """
    lets = interp.lets
    if target(node):
        return scale, Fraction(0)
    if not contains(node, target, lets):
        v = interp.eval(node, scopes)
        if v is None or v.__class__ is Bounds:  # unknown, or known only as a range (an aggregate)
            raise Unknown(node.text or "")
        if isinstance(v, bool) or not isinstance(v, (int, Fraction)):
            return None
        return Fraction(0), Fraction(v)
    body = inline(node, lets)
    if body is not None:
        return linearize(body, target, interp, scopes, scale)
    if isinstance(node, ir.Unary) and node.op == "neg":
        inner = linearize(node.operand, target, interp, scopes, scale)
        return None if inner is None else (-inner[0], -inner[1])
    if isinstance(node, ir.Binary):
        left = linearize(node.left, target, interp, scopes, scale)
        right = linearize(node.right, target, interp, scopes, scale)
        if left is None or right is None:
            return None
        (a1, b1), (a2, b2) = left, right
        if node.op == "+":
            return a1 + a2, b1 + b2
        if node.op == "-":
            return a1 - a2, b1 - b2
        if node.op == "*":
            if a1 and a2:
                return None
            return (a1 * b2 + a2 * b1, b1 * b2)
        if node.op == "/":
            if a2 or b2 == 0:
                return None  # the target in a denominator: not linear
            return a1 / b2, b1 / b2
    return None


# ---------------------------------------------------------------------- one-variable systems


@attrs.frozen
class Bound:
    value: Fraction
    strict: bool


@attrs.frozen
class Region:
    """The values of one variable that satisfy a system: lo..hi, None for unbounded."""

    lo: Bound | None
    hi: Bound | None

    def empty(self) -> bool:
        if self.lo is None or self.hi is None:
            return False
        return self.lo.value > self.hi.value or (self.lo.value == self.hi.value and (self.lo.strict or self.hi.strict))


def constraint(a: Fraction, b: Fraction, op: str) -> Region | None:
    """The region of a·x + b ``op`` 0; None for ``!=`` (two regions) or when a is 0."""
    if a == 0 or op == "!=":
        return None
    c = -b / a
    if op == "==":
        return Region(Bound(c, False), Bound(c, False))
    if a < 0:
        op = {">=": "<=", ">": "<", "<=": ">=", "<": ">"}[op]
    strict = op in (">", "<")
    return Region(Bound(c, strict), None) if op in (">=", ">") else Region(None, Bound(c, strict))


def meet(a: Region, b: Region) -> Region:
    lo = a.lo
    if b.lo is not None and (lo is None or b.lo.value > lo.value or (b.lo.value == lo.value and b.lo.strict)):
        lo = b.lo
    hi = a.hi
    if b.hi is not None and (hi is None or b.hi.value < hi.value or (b.hi.value == hi.value and b.hi.strict)):
        hi = b.hi
    return Region(lo, hi)


def on_grid(region: Region, step: Fraction, floor_value: Fraction | None = None) -> Region | None:
    """The region's closed hull on multiples of ``step`` (≥ ``floor_value``), or None when no multiple fits."""
    lo = hi = None
    if region.lo is not None:
        k = region.lo.value / step
        n = math.floor(k) + 1 if region.lo.strict and k == math.floor(k) else math.ceil(k)
        lo = Bound(n * step, False)
    if floor_value is not None and (lo is None or lo.value < floor_value):
        lo = Bound(Fraction(math.ceil(floor_value / step)) * step, False)
    if region.hi is not None:
        k = region.hi.value / step
        n = math.ceil(k) - 1 if region.hi.strict and k == math.ceil(k) else math.floor(k)
        hi = Bound(n * step, False)
    out = Region(lo, hi)
    return None if out.empty() else out


def nearest(region: Region, current: Fraction) -> Fraction:
    """The value of a closed region nearest to ``current``."""
    if region.lo is not None and current < region.lo.value:
        return region.lo.value
    if region.hi is not None and current > region.hi.value:
        return region.hi.value
    return current
