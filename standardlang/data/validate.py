"""Validate records against a spec's schema.

Takes a plain record and a record type; gives a list of problems, each naming the
field path, the value and what was expected ("expected a number, found 'abc'").
Used to turn a record that breaks evaluation into an error verdict that says why,
and by readers to reject bad values before judging.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import re

import attrs

from standardlang.data.safe import MAX_DIGITS, BadValue, is_huge_int, shown
from standardlang.lang.types import BoolT, Dynamic, EnumT, ListT, Num, RecordT, SetT, TextT, Type

_SURROGATE = re.compile("[\ud800-\udfff]")


@attrs.frozen
class Problem:
    path: str
    value: Any
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def to_dict(self) -> dict:
        return {"field": self.path, "value": _jsonable(self.value), "message": self.message}


def _jsonable(v: Any) -> Any:
    if isinstance(v, str):
        return shown(str(v), 200)
    if (isinstance(v, (int, float, bool)) and not is_huge_int(v)) or v is None:
        return v
    return _short(v)


def _short(v: Any) -> str:
    import reprlib

    if is_huge_int(v):
        return f"a number of more than {MAX_DIGITS:,} digits"
    try:
        text = reprlib.repr(v)  # bounded in depth and length: data may be absurd
    except (ValueError, RecursionError):  # a huge number inside a list
        text = f"<{type(v).__name__}>"
    text = shown(text, 10**6)
    return text if len(text) <= 40 else text[:37] + "..."


def validate(record: Any, rec: RecordT, path: str = "") -> list[Problem]:
    """Every problem of ``record`` against ``rec`` (extra fields are allowed)."""
    problems: list[Problem] = []
    if not isinstance(record, dict):
        problem = getattr(record, "problem", None)  # a reader's unreadable line says why itself
        message = problem if isinstance(problem, str) else f"expected a record (object), found {_short(record)}"
        problems.append(Problem(path or "record", record, message))
        return problems
    for name, info in rec.fields.items():
        v = record.get(name)
        if v is None or _fine(v, info):
            continue
        p = f"{path}.{name}" if path else name
        _check_value(v, info.type, info, p, problems)
    return problems


_NUMBER_TYPES = (int, float)
_HUGE_BITS = 14_284  # an int of more bits may have more than MAX_DIGITS digits


def _fine(v: Any, info: Any) -> bool:
    """A quick yes for the common cases (a plain number, text, flag or member that is clearly valid);
    False means "look closely" (:func:`_check_value` then decides), never "invalid"."""
    t = info.type
    tv, tt = type(v), type(t)
    if tt is Num and tv in _NUMBER_TYPES and info.bounds is None:
        if tv is float and not math.isfinite(v):
            return False
        if tv is int and v.bit_length() > _HUGE_BITS:
            return False
        if t.kind == "count":
            return v >= 0 and v == int(v)
        return v >= 0 or t.kind not in ("quantity", "ratio")
    if tt is TextT and tv is str:
        return v.isascii() or not _SURROGATE.search(v)
    if tt is BoolT:
        return tv is bool
    if tt is EnumT and tv is str:
        return v in t.members  # a label (or anything else) is looked at closely
    return False


def _check_value(v: Any, t: Type, info: Any, path: str, problems: list[Problem]) -> None:
    if isinstance(v, BadValue):  # a reader found it unusable (too many digits, too deep, not UTF-8...)
        problems.append(Problem(path, v, f"{v.problem}, found {str.__repr__(shown(str(v), 37))}"))
        return
    if is_huge_int(v):
        problems.append(Problem(path, v, f"expected a number of at most {MAX_DIGITS:,} digits, found a longer one"))
        return
    if isinstance(t, Dynamic):
        return
    if isinstance(t, Num):
        if isinstance(v, bool) or not isinstance(v, (int, float, Fraction)):
            problems.append(Problem(path, v, f"expected a number, found {_short(v)}"))
            return
        if isinstance(v, float) and not math.isfinite(v):
            problems.append(Problem(path, v, f"expected a finite number, found {_short(v)}"))
            return
        if t.kind == "count" and v != int(v):
            problems.append(Problem(path, v, f"expected a whole number, found {_short(v)}"))
            return
        bounds = getattr(info, "bounds", None)
        if bounds is not None:
            low, high = bounds
            if not (low <= Fraction(repr(v) if isinstance(v, float) else v) <= high):
                problems.append(Problem(path, v, f"expected a value from {low} to {high}, found {_short(v)}"))
        elif (t.kind in ("count", "quantity", "ratio")) and v < 0:
            problems.append(Problem(path, v, f"expected a value ≥ 0, found {_short(v)}"))
        return
    if isinstance(t, BoolT):
        if not isinstance(v, bool):
            problems.append(Problem(path, v, f"expected true or false, found {_short(v)}"))
        return
    if isinstance(t, TextT):
        if not isinstance(v, (str, int)) or isinstance(v, bool):
            problems.append(Problem(path, v, f"expected text, found {_short(v)}"))
        elif isinstance(v, str) and not v.isascii() and _SURROGATE.search(v):
            problems.append(Problem(path, v, f"expected text, found a lone surrogate in {_short(v)} "
                                             "(not valid Unicode)"))
        return
    if isinstance(t, EnumT):
        if not isinstance(v, str) or v not in t.lookup():
            problems.append(Problem(path, v, f"expected one of {', '.join(t.members)}, found {_short(v)}"))
        return
    if isinstance(t, SetT):
        if not isinstance(v, (list, tuple, set, frozenset)):
            problems.append(Problem(path, v, f"expected a list of {', '.join(t.enum.members)}, found {_short(v)}"))
            return
        lookup = t.enum.lookup()
        for x in v:
            if not isinstance(x, str) or x not in lookup:
                problems.append(Problem(path, x, f"expected one of {', '.join(t.enum.members)}, found {_short(x)}"))
        return
    if isinstance(t, RecordT):
        problems.extend(validate(v, t, path))
        return
    if isinstance(t, ListT):
        if not isinstance(v, (list, tuple)):
            problems.append(Problem(path, v, f"expected a list, found {_short(v)}"))
            return
        for i, x in enumerate(v):
            if isinstance(t.elem, RecordT) and t.elem.entity:
                continue  # entity records are validated on their own
            _check_value(x, t.elem, None, f"{path}[{i}]", problems)
