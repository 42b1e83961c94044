"""Ranges of numbers: interval arithmetic, and what an IR expression can be from the schema.

Takes IR nodes (and the spec's definitions) or interval ends; gives ``(lo, hi)``
pairs, ``None`` standing for an unbounded end (−∞ below, +∞ above).  Two users:

* the runtime (:mod:`standardlang.backends.python.runtime`) keeps a partly known
  aggregate as such an interval, so that a comparison can settle when the whole
  interval lies on one side of a threshold (``count`` between the known-true and
  known-true + unknown elements);
* the back ends ask :func:`value_range` what an unknown list element could be: a
  field read from data lies in its declared ``range`` or, for counts, quantities and
  ratios, is ≥ 0 — validation turns any other value into an error verdict, so a value
  that is merely *not recorded* can only be one of these.

Nothing here is Python-back-end specific; a SQL back end reads the same ranges.
"""

from __future__ import annotations

from typing import Any

from standardlang.lang import ir
from standardlang.lang.types import Dynamic, ListT, Num

Ends = tuple[Any, Any]  # (lo, hi); None is unbounded
UNBOUNDED: Ends = (None, None)
_NUMERIC_AGGREGATES = ("count", "sum", "avg", "min", "max", "share")
_INF = float("inf")


# ------------------------------------------------------------------ interval arithmetic
def add(a: Ends, b: Ends) -> Ends:
    lo = None if a[0] is None or b[0] is None else a[0] + b[0]
    hi = None if a[1] is None or b[1] is None else a[1] + b[1]
    return lo, hi


def neg(a: Ends) -> Ends:
    return (None if a[1] is None else -a[1]), (None if a[0] is None else -a[0])


def sub(a: Ends, b: Ends) -> Ends:
    return add(a, neg(b))


def _ext(x: Any, low: bool) -> Any:
    """An end as an extended number (±inf for None) for products."""
    if x is None:
        return -_INF if low else _INF
    return x


def _times(x: Any, y: Any) -> Any:
    if x == 0 or y == 0:  # 0 × ∞ is 0 here: every value in the interval is finite
        return 0
    return x * y


def mul(a: Ends, b: Ends) -> Ends:
    products = [_times(_ext(x, i == 0), _ext(y, j == 0)) for i, x in enumerate(a) for j, y in enumerate(b)]
    lo, hi = min(products), max(products)
    return (None if lo == -_INF else lo), (None if hi == _INF else hi)


def div(a: Ends, b: Ends) -> Ends | None:
    """``a / b``, or None when ``b`` may be 0 (the quotient is then unknown)."""
    blo, bhi = b
    if (blo is None or blo <= 0) and (bhi is None or bhi >= 0):
        return None
    inv = ((0 if bhi is None else 1 / _frac(bhi)), (0 if blo is None else 1 / _frac(blo)))
    return mul(a, inv)


def _frac(x: Any) -> Any:
    from fractions import Fraction

    return Fraction(x) if isinstance(x, int) else x


def hull(a: Ends, b: Ends) -> Ends:
    lo = None if a[0] is None or b[0] is None else min(a[0], b[0])
    hi = None if a[1] is None or b[1] is None else max(a[1], b[1])
    return lo, hi


def lower(a: Any, b: Any) -> Any:
    """The smaller of two lower ends (None is −∞)."""
    return None if a is None or b is None else min(a, b)


def upper(a: Any, b: Any) -> Any:
    """The larger of two upper ends (None is +∞)."""
    return None if a is None or b is None else max(a, b)


# ------------------------------------------------------------------ static ranges of IR
def value_range(node: Any, lets: dict | None = None, _seen: frozenset = frozenset()) -> Ends:
    """What a numeric expression (or each element of a list-valued one) can be, from the schema alone."""
    if isinstance(node, ir.Const):
        v = node.value
        return (v, v) if isinstance(v, (int, float)) and not isinstance(v, bool) or _is_frac(v) else UNBOUNDED
    if isinstance(node, ir.Field):
        return _field_range(node)
    if isinstance(node, ir.LetRef):
        key = f"{node.entity}.{node.name}"
        info = (lets or {}).get(key) or (lets or {}).get(f".{node.name}")
        if info is None or info.ir is None or key in _seen:
            return UNBOUNDED
        return value_range(info.ir, lets, _seen | {key})
    if isinstance(node, ir.Unary) and node.op == "neg":
        return neg(value_range(node.operand, lets, _seen))
    if isinstance(node, ir.Binary):
        a, b = value_range(node.left, lets, _seen), value_range(node.right, lets, _seen)
        if node.op == "/":
            return div(a, b) or UNBOUNDED
        return {"+": add, "-": sub, "*": mul}[node.op](a, b)
    if isinstance(node, ir.Cond):
        return hull(value_range(node.then, lets, _seen), value_range(node.else_, lets, _seen))
    if isinstance(node, ir.Builtin):
        return _builtin_range(node, lets, _seen)
    if isinstance(node, ir.Aggregate):
        return _aggregate_range(node, lets, _seen)
    return UNBOUNDED


def _is_frac(v: Any) -> bool:
    from fractions import Fraction

    return isinstance(v, Fraction)


def _field_range(node: ir.Field) -> Ends:
    bounds = getattr(node, "bounds", None)
    if bounds is not None:
        return bounds
    t = node.type.elem if isinstance(node.type, ListT) else node.type
    if isinstance(t, Num) and not isinstance(t, Dynamic) and t.kind in ("count", "quantity", "ratio"):
        return (0, None)
    return UNBOUNDED


def _builtin_range(node: ir.Builtin, lets, seen) -> Ends:
    ranges = [value_range(a, lets, seen) for a in node.args]
    if node.func == "abs":
        lo, hi = ranges[0]
        if lo is not None and lo >= 0:
            return lo, hi
        if hi is not None and hi <= 0:
            return neg((lo, hi))
        return 0, (None if lo is None or hi is None else max(-lo, hi))
    out = ranges[0]
    for r in ranges[1:]:
        if node.func == "min":
            out = (lower(out[0], r[0]), None if out[1] is None and r[1] is None else
                   min(x for x in (out[1], r[1]) if x is not None))
        else:
            out = (None if out[0] is None and r[0] is None else max(x for x in (out[0], r[0]) if x is not None),
                   upper(out[1], r[1]))
    return out


def element_range(node: ir.Aggregate, lets: dict | None = None, _seen: frozenset = frozenset()) -> Ends:
    """What one element's value of an aggregate can be: its ``for`` expression, else the list's elements."""
    return value_range(node.item if node.item is not None else node.coll, lets, _seen)


def _aggregate_range(node: ir.Aggregate, lets, seen) -> Ends:
    if node.func == "count":
        return (0, None)
    if node.func == "share":
        return (0, 1)
    if node.func in ("avg", "min", "max"):
        return element_range(node, lets, seen)
    if node.func == "sum":
        lo, hi = element_range(node, lets, seen)
        return (0 if lo is not None and lo >= 0 else None), (0 if hi is not None and hi <= 0 else None)
    return UNBOUNDED


def may_be_partial(node: Any, lets: dict | None = None, _seen: frozenset = frozenset()) -> bool:
    """Whether evaluating ``node`` may give a partly known number (an interval) rather than a value or None.

    Numeric aggregates and ``if`` (whose test may be unknown) make intervals; arithmetic
    and ``min``/``max``/``abs`` carry them on.  Conditions are never partial: three-valued logic is exact for them.
    """
    if isinstance(node, ir.Aggregate):
        return node.func in _NUMERIC_AGGREGATES
    if isinstance(node, ir.LetRef):
        key = f"{node.entity}.{node.name}"
        info = (lets or {}).get(key) or (lets or {}).get(f".{node.name}")
        if info is None or info.ir is None:
            return True  # cannot see through it: assume the worst, the generic path is always right
        if key in _seen:
            return False
        return may_be_partial(info.ir, lets, _seen | {key})
    if isinstance(node, ir.Unary) and node.op == "neg":
        return may_be_partial(node.operand, lets, _seen)
    if isinstance(node, ir.Binary):
        return may_be_partial(node.left, lets, _seen) or may_be_partial(node.right, lets, _seen)
    if isinstance(node, ir.Cond):  # an unknown test gives the range holding both branches (runtime.cond)
        return True
    if isinstance(node, ir.Builtin):
        return any(may_be_partial(a, lets, _seen) for a in node.args)
    return False
