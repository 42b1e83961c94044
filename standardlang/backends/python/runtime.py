"""Runtime helpers shared by the compiled evaluators and the interpreter.

Takes plain records (dicts, lists, numbers, strings) and gives three-valued
results: ``None`` is *unknown*.  Numbers are exact: a float read from data is
taken as the shortest decimal that prints as it (:func:`q`), and arithmetic uses
int and Fraction.  The generated code reaches data only through these helpers
and plain ``dict.get``.

A value of a shape the language cannot take (text where a number is needed, a
number where a record is read, a boolean in arithmetic) raises :class:`BadValue`,
and nothing else: the engine turns exactly that exception into an ``error``
verdict.  With a schema such values are refused by validation before any
evaluator runs; without one (``sl.compile``), these helpers are the check.

A numeric aggregate over a list with unknown elements is not simply unknown: it
is a :class:`Bounds`, the tightest interval its known elements allow (``count``
between the known-true and known-true + unknown elements, ``sum`` with the
unknown elements at the ends of their ranges, see :mod:`standardlang.lang.ranges`).
Arithmetic carries intervals on and a comparison settles when the whole interval
lies on one side of the other operand.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, Iterable

from standardlang.lang import ranges

_float = float
_Fraction = Fraction
_COLLECTIONS = (list, tuple, set, frozenset)


class BadValue(Exception):
    """A value of the wrong shape for the operation (the record's fault, not the spec's)."""

    def __init__(self, message: str, value: Any = None):
        super().__init__(message)
        self.value = value


def _short(v: Any) -> str:
    import reprlib

    return reprlib.repr(v)  # bounded: data may be absurd


def q(x: Any) -> Any:
    """Exact value of a number: floats become the decimal they print as.

    Non-finite floats stay as they are, exactly as Python compares them (a
    schema's validation refuses them first).  A boolean or anything else that is
    not a number raises :class:`BadValue`.
    """
    if x.__class__ is _float:
        if x.is_integer() and -9007199254740992 <= x <= 9007199254740992:
            return int(x)
        if x != x or x in (_INF, _NINF):
            return x
        return norm(_Fraction(repr(x)))
    if x.__class__ is bool or not isinstance(x, (int, Fraction)):
        raise BadValue(f"expected a number, found {_short(x)}", x)
    return x


_INF = float("inf")
_NINF = float("-inf")


class Bounds:
    """A number known only to lie in ``[lo, hi]`` (``None``: unbounded on that side).

    Never a single point (that is the number itself) and never unbounded on both
    sides (that is ``None``, unknown): build one with :func:`bounded`.
    """

    __slots__ = ("lo", "hi")

    def __init__(self, lo: Any, hi: Any):
        self.lo = lo
        self.hi = hi

    @property
    def ends(self) -> tuple[Any, Any]:
        return self.lo, self.hi

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Bounds) and self.lo == other.lo and self.hi == other.hi

    def __hash__(self) -> int:
        return hash((Bounds, self.lo, self.hi))

    def __repr__(self) -> str:
        return f"Bounds({self.lo!r}, {self.hi!r})"


def bounded(lo: Any, hi: Any) -> Any:
    """The value known to lie in ``[lo, hi]``: a number, a :class:`Bounds`, or None (unknown)."""
    if lo is None and hi is None:
        return None
    if lo is not None and hi is not None and lo == hi:
        return norm(lo)
    return Bounds(None if lo is None else norm(lo), None if hi is None else norm(hi))


def ends(x: Any) -> tuple[Any, Any]:
    """``(lo, hi)`` of a known number or a :class:`Bounds` (numbers read exactly)."""
    if x.__class__ is Bounds:
        return x.lo, x.hi
    v = q(x)
    return v, v


def exact(x: Any) -> Any:
    """A value leaving an evaluator: floats read exactly (see :func:`q`); intervals as they are."""
    if x.__class__ is _float:
        return q(x)
    if x.__class__ is list:
        return [exact(e) for e in x]
    return x


def dget(obj: Any, name: str) -> Any:
    """Read ``name`` from a record of unknown shape; through a list it maps (schemaless paths)."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    if isinstance(obj, list):
        return [dget(e, name) for e in obj]
    raise BadValue(f"expected a record with `{name}`, found {_short(obj)}", obj)


def not_a_record(value: Any) -> BadValue:
    """The error of a record that is not an object (raised by a guarded rule function, see compiler)."""
    return BadValue(f"expected a record (object), found {_short(value)}", value)


def truth(v: Any) -> Any:
    """A condition's value: true, false or unknown; anything else is bad data."""
    if v is None or v is True or v is False:
        return v
    raise BadValue(f"expected true or false, found {_short(v)}", v)


def items_of(v: Any) -> Any:
    """A collection to iterate (a list or a set); text or a number is bad data."""
    if v is None or isinstance(v, _COLLECTIONS):
        return v
    raise BadValue(f"expected a list, found {_short(v)}", v)


def norm(x: Any) -> Any:
    if x.__class__ is _Fraction and x.denominator == 1:
        return int(x)
    return x


def scaled(v: Any, scale: Any) -> Any:
    if v is None:
        return None
    return norm(q(v) * scale)


def enum(v: Any, lookup: dict) -> Any:
    if v is None:
        return None
    try:
        return lookup[v]
    except (KeyError, TypeError):  # not a label, or not even hashable
        raise BadValue(f"expected one of {', '.join(dict.fromkeys(lookup.values()))}, found {_short(v)}", v) from None


def enumset(v: Any, lookup: dict) -> Any:
    if v is None:
        return None
    if not isinstance(v, _COLLECTIONS):
        raise BadValue(f"expected a list of members, found {_short(v)}", v)
    return frozenset(enum(x, lookup) for x in v)


def get(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    return obj.get(name)


def project(items: Any, fn: Callable[[Any], Any], flatten: bool) -> Any:
    """Map ``fn`` over a list (a path through a list), flattening lists of lists."""
    if items is None:
        return None
    items = items_of(items)
    if flatten:
        out: list = []
        for e in items:
            v = fn(e)
            if v is None:
                return None
            out.extend(items_of(v))
        return out
    return [fn(e) for e in items]


def arith(op: str, a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if a.__class__ is Bounds or b.__class__ is Bounds:
        return _arith_bounds(op, a, b)
    if op == "/":
        return div(a, b)
    a, b = q(a), q(b)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    return norm(a * b)


def _arith_bounds(op: str, a: Any, b: Any) -> Any:
    if op == "/":
        r = ranges.div(ends(a), ends(b))
        return None if r is None else bounded(*r)
    return bounded(*{"+": ranges.add, "-": ranges.sub, "*": ranges.mul}[op](ends(a), ends(b)))


def neg(v: Any) -> Any:
    """``-v``: unknown stays unknown, an interval turns round."""
    if v is None:
        return None
    if v.__class__ is Bounds:
        return bounded(*ranges.neg(v.ends))
    return -q(v)


def div(a: Any, b: Any) -> Any:
    """``a / b``, exact; unknown when ``b`` is 0 (both are checked to be numbers first)."""
    if a is None or b is None:
        return None
    if a.__class__ is Bounds or b.__class__ is Bounds:
        return _arith_bounds("/", a, b)
    a, b = q(a), q(b)
    if b == 0:
        return None
    if a.__class__ is int and b.__class__ is int:
        return norm(Fraction(a, b))
    return norm(a / b)


def compare(op: str, a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if a.__class__ is Bounds or b.__class__ is Bounds:
        return compare_bounds(op, ends(a), ends(b))
    if op == "==":
        return _eq(a, b)
    if op == "!=":
        return not _eq(a, b)
    a, b = q(a), q(b)
    if op == ">=":
        return a >= b
    if op == ">":
        return a > b
    if op == "<=":
        return a <= b
    return a < b


def compare_bounds(op: str, a: tuple[Any, Any], b: tuple[Any, Any]) -> Any:
    """Compare two intervals: decided only when every pair of values gives the same answer."""
    (alo, ahi), (blo, bhi) = a, b
    if op in ("<=", "<"):
        (alo, ahi), (blo, bhi), op = (blo, bhi), (alo, ahi), ">=" if op == "<=" else ">"
    if op in ("==", "!="):
        apart = _below(ahi, blo) or _below(bhi, alo)
        if apart:
            return op == "!="
        if alo is not None and alo == ahi == blo == bhi:
            return op == "=="
        return None
    # a >= b (or a > b): certain when a's least beats b's greatest, impossible when a's greatest cannot reach b's least
    if alo is not None and bhi is not None and (alo >= bhi if op == ">=" else alo > bhi):
        return True
    if ahi is not None and blo is not None and (ahi < blo if op == ">=" else ahi <= blo):
        return False
    return None


def _below(hi: Any, lo: Any) -> bool:
    """An interval ending at ``hi`` lies wholly below one starting at ``lo``."""
    return hi is not None and lo is not None and hi < lo


def _eq(a: Any, b: Any) -> bool:
    """Equality of two known values: numbers exactly; a boolean never equals a number."""
    if (a.__class__ is bool) is not (b.__class__ is bool):
        return False
    if isinstance(a, (int, float, Fraction)) and not isinstance(a, bool) and isinstance(b, (int, float, Fraction)) \
            and not isinstance(b, bool):
        return q(a) == q(b)
    return a == b


eq = _eq


def and3(a: Any, b: Any) -> Any:
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def or3(a: Any, b: Any) -> Any:
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


def not3(a: Any) -> Any:
    return None if a is None else not a


def between(v: Any, low: Any, high: Any) -> Any:
    return and3(compare(">=", v, low), compare("<=", v, high))


def member(v: Any, items: Any) -> Any:
    if v is None or items is None or v.__class__ is Bounds:
        return None
    items = items_of(items)
    found = False
    unknown = False
    for x in items:
        if x is None:
            unknown = True
        elif _eq(v, x):
            found = True
            break
    if found:
        return True
    return None if unknown else False


def contains(coll: Any, items: Any, quant: str | None) -> Any:
    if coll is None:
        return None
    if quant is None:
        return member(items, coll)
    results = [member(x, coll) for x in items_of(items)]
    if quant == "all":
        out: Any = True
        for r in results:
            out = and3(out, r)
        return out
    out = False
    for r in results:
        out = or3(out, r)
    return out


def cond(test: Any, then: Callable[[], Any], else_: Callable[[], Any]) -> Any:
    if test is True:
        return then()
    if test is False:
        return else_()
    a, b = then(), else_()
    if a is None or b is None:
        return None
    if a.__class__ is not Bounds and b.__class__ is not Bounds and _eq(a, b):
        return a
    if _numeric(a) and _numeric(b):  # either value is possible: the interval holding both
        return bounded(*ranges.hull(ends(a), ends(b)))
    return None


def _numeric(v: Any) -> bool:
    return v.__class__ is Bounds or (isinstance(v, (int, float, Fraction)) and not isinstance(v, bool))


def minmax(func: str, values: Iterable[Any]) -> Any:
    vals = []
    partial = False
    for v in values:
        if v is None:
            return None
        if v.__class__ is Bounds:
            partial = True
            vals.append(v)
        else:
            vals.append(q(v))
    if not vals:
        return None
    if partial:
        return _minmax_bounds(func, [ends(v) for v in vals])
    return min(vals) if func == "min" else max(vals)


def _minmax_bounds(func: str, spans: list[tuple[Any, Any]]) -> Any:
    """min/max of values known to lie in ``spans``: the min lies between the least low and the least high."""
    los, his = [lo for lo, _ in spans], [hi for _, hi in spans]
    if func == "min":
        lo = None if None in los else min(los)
        known_his = [h for h in his if h is not None]
        return bounded(lo, min(known_his) if known_his else None)
    known_los = [x for x in los if x is not None]
    return bounded(max(known_los) if known_los else None, None if None in his else max(his))


def absval(v: Any) -> Any:
    if v is None:
        return None
    if v.__class__ is Bounds:
        lo, hi = v.ends
        if lo is not None and lo >= 0:
            return v
        if hi is not None and hi <= 0:
            return neg(v)
        return bounded(0, None if lo is None or hi is None else max(-lo, hi))
    return abs(q(v))


def aggregate(func: str, items: Any, item: Callable | None, where: Callable | None,
              lo: Any = None, hi: Any = None) -> Any:
    """count/sum/avg/min/max/all/any/share over ``items``, Kleene's logic extended to aggregates.

    ``lo``/``hi`` bound what an element's unknown value can be (its static range, see
    :func:`standardlang.lang.ranges.element_range`).  With every element known the
    result is the plain value; else it is the tightest value, :class:`Bounds` or
    None that every completion of the unknown elements agrees with.
    """
    if items is None:
        return None
    items = items_of(items)
    if func in ("all", "any"):
        return _quantify(func == "all", items, item, where)
    if func in ("count", "share"):
        n = 0
        unknown = 0
        for e in items:
            w = where(e) if where is not None else True
            if item is not None:
                w = and3(w, item(e))
            if w is True:
                n += 1
            elif w is None:
                unknown += 1
        if func == "count":
            return n if not unknown else Bounds(n, n + unknown)
        total = len(items)
        if not total:
            return None
        return norm(Fraction(n, total)) if not unknown else bounded(Fraction(n, total), Fraction(n + unknown, total))
    values = []
    partial: list[tuple[Any, Any, bool]] = []  # (lo, hi, certainly included) of elements not fully known
    for e in items:
        w = where(e) if where is not None else True
        if w is False:
            continue
        v = item(e) if item is not None else e
        if w is True and v is not None and v.__class__ is not Bounds:
            values.append(q(v))
        else:
            span = (lo, hi) if v is None else ends(v)
            partial.append((span[0], span[1], w is True))
    if partial:
        return _partial_aggregate(func, values, partial)
    if func == "sum":
        return norm(sum(values, 0))
    if not values:
        return None
    if func == "avg":
        return norm(Fraction(sum(values, 0)) / len(values))
    return min(values) if func == "min" else max(values)


def counted(truths: list) -> Any:
    """``count`` from its elements' truth values (compiled inline, see ``aggregates.py``): the number
    true, or ``Bounds(n, n + unknown)`` when some are unknown — what :func:`aggregate` gives."""
    n = truths.count(True)
    unknown = truths.count(None)
    return n if not unknown else Bounds(n, n + unknown)


def _quantify(universal: bool, items: Any, item: Callable | None, where: Callable | None) -> Any:
    """all/any: Kleene's and/or over the elements (an element outside ``where`` does not count)."""
    acc: Any = universal
    if item is None and where is not None:  # all(xs where c): every element satisfies c
        item, where = where, None
    for e in items:
        w = where(e) if where is not None else True
        v = item(e) if item is not None else e
        if universal:
            acc = and3(acc, or3(not3(w), v))
            if acc is False:
                return False
        else:
            acc = or3(acc, and3(w, v))
            if acc is True:
                return True
    return acc


def _partial_aggregate(func: str, values: list, partial: list[tuple[Any, Any, bool]]) -> Any:
    """sum/avg/min/max when some elements are unknown (in value, or in whether they count)."""
    if func == "sum":
        total: tuple[Any, Any] = (sum(values, 0), sum(values, 0))
        for lo, hi, certain in partial:
            # an element that may not count adds 0 or its value
            total = ranges.add(total, (lo, hi) if certain else (ranges.lower(lo, 0), ranges.upper(hi, 0)))
        return bounded(*total)
    certain = [(lo, hi) for lo, hi, c in partial if c] + [(v, v) for v in values]
    if not certain:
        return None  # every element may be left out: the list may be empty, where avg/min/max are unknown
    optional = [(lo, hi) for lo, hi, c in partial if not c]
    if func == "avg":
        return bounded(_extreme_mean(certain, optional, low=True), _extreme_mean(certain, optional, low=False))
    spans = certain + optional
    if func == "min":
        # as low as any candidate may be; no higher than the least high of the elements that surely count
        his = [hi for _, hi in certain if hi is not None]
        return bounded(None if any(lo is None for lo, _ in spans) else min(lo for lo, _ in spans),
                       min(his) if his else None)
    los = [lo for lo, _ in certain if lo is not None]
    return bounded(max(los) if los else None,
                   None if any(hi is None for _, hi in spans) else max(hi for _, hi in spans))


def _extreme_mean(certain: list[tuple[Any, Any]], optional: list[tuple[Any, Any]], low: bool) -> Any:
    """The least (``low``) or greatest mean over the certain elements and any choice of the optional ones.

    Every element sits at its low (high) end; optional elements join, best first, while
    they pull the mean further: that greedy choice is the optimum for a mean.
    """
    pick = 0 if low else 1
    ends_ = [e[pick] for e in certain]
    if any(x is None for x in ends_):
        return None
    total, n = Fraction(sum(ends_, 0)), len(ends_)
    extra = [e[pick] for e in optional]
    if any(x is None for x in extra):
        return None  # an optional element unbounded in the direction sought takes the mean with it
    for x in sorted(extra, reverse=not low):
        if (x < total / n) if low else (x > total / n):
            total, n = total + x, n + 1
        else:
            break
    return norm(total / n)


def olist(v: Any) -> Any:
    return [] if v is None else v


def olist_get(obj: Any, name: str) -> Any:
    """An optional list field: its list; ``[]`` when it is ``null`` (none) or its record is absent;
    ``None`` (unknown) when its key is missing (not recorded)."""
    if obj is None:
        return []
    if not isinstance(obj, dict):
        return None
    if name not in obj:
        return None
    v = obj[name]
    return [] if v is None else v


def present(obj: Any, name: str, optional: bool) -> Any:
    """``present(x)``: true when there, false when ``null`` (absent), unknown when an optional
    field's key is missing (not recorded). A required field's missing key reads as not there."""
    if obj is None:
        return False
    if not isinstance(obj, dict):
        return None
    if optional and name not in obj:
        return None
    return obj.get(name) is not None
