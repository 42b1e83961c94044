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
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, Iterable

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


def exact(x: Any) -> Any:
    """A value leaving an evaluator: floats read exactly (see :func:`q`)."""
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
    if op == "/":
        return div(a, b)
    a, b = q(a), q(b)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    return norm(a * b)


def div(a: Any, b: Any) -> Any:
    """``a / b``, exact; unknown when ``b`` is 0 (both are checked to be numbers first)."""
    if a is None or b is None:
        return None
    a, b = q(a), q(b)
    if b == 0:
        return None
    if a.__class__ is int and b.__class__ is int:
        return norm(Fraction(a, b))
    return norm(a / b)


def compare(op: str, a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
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
    if v is None or items is None:
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
    return a if a is not None and b is not None and _eq(a, b) else None


def minmax(func: str, values: Iterable[Any]) -> Any:
    vals = []
    for v in values:
        if v is None:
            return None
        vals.append(q(v))
    if not vals:
        return None
    return min(vals) if func == "min" else max(vals)


def absval(v: Any) -> Any:
    return None if v is None else abs(q(v))


def aggregate(func: str, items: Any, item: Callable | None, where: Callable | None) -> Any:
    """count/sum/avg/min/max/all/any/share over ``items`` with Kleene semantics."""
    if items is None:
        return None
    items = items_of(items)
    if func in ("all", "any"):
        acc: Any = func == "all"
        for e in items:
            w = where(e) if where is not None else True
            v = item(e) if item is not None else (True if where is not None else e)
            if func == "all":
                acc = and3(acc, or3(not3(w), v))
                if acc is False:
                    return False
            else:
                acc = or3(acc, and3(w, v))
                if acc is True:
                    return True
        return acc
    if func in ("count", "share"):
        n = 0
        unknown = False
        for e in items:
            w = where(e) if where is not None else True
            if item is not None:
                w = and3(w, item(e))
            if w is True:
                n += 1
            elif w is None:
                unknown = True
        if unknown:
            return None
        if func == "count":
            return n
        total = len(items)
        return norm(Fraction(n, total)) if total else None
    values = []
    for e in items:
        w = where(e) if where is not None else True
        if w is False:
            continue
        v = item(e) if item is not None else e
        if w is None or v is None:
            return None
        values.append(q(v))
    if func == "sum":
        return norm(sum(values, 0))
    if not values:
        return None
    if func == "avg":
        return norm(Fraction(sum(values, 0)) / len(values))
    return min(values) if func == "min" else max(values)


def olist(v: Any) -> Any:
    return [] if v is None else v
