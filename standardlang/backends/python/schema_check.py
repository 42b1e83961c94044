"""A compiled quick check of records against a schema: "certainly fine", or "look closely".

Takes a :class:`~standardlang.lang.types.RecordT` (an entity of a checked spec); gives a
function record -> bool, generated as straight-line Python from the schema, that is
``True`` only for a record :func:`standardlang.data.validate.validate` finds no problem
in.  ``False`` means "validate it" — never "invalid": exotic but valid values (a
``Fraction``, a subclass of ``list``) are left to the full validation, which names
every problem.  The engine calls this before the rule functions, so that a well-typed
record costs a few hundred nanoseconds to validate instead of tens of microseconds.

The acceptance rules mirror :mod:`standardlang.data.validate` value by value (a test
draws valid and invalid records and checks that every record passed here has no
problem there, and that plain valid records pass here):

* a number: exactly ``int`` (not of more than :data:`~standardlang.data.safe.MAX_DIGITS`
  digits) or a finite ``float``; ``≥ 0`` for counts, quantities and ratios; whole for
  counts; within the declared range (read exactly) when the field has one;
* a flag: exactly ``bool``; text: ``str`` without lone surrogates, or an ``int``;
* an enum member: a ``str`` among the members and labels; a set: a list (tuple, set) of such;
* a nested record: a ``dict`` whose fields pass; a list: a ``list`` or ``tuple`` whose
  elements (never null) pass — lists of other entities are validated as records of
  their own and skipped here, as in validation;
* a schemaless (dynamic) field: anything but a reader's unusable-value marker or a huge int.

Missing fields and nulls pass (they are unknown, not bad).  No text of the spec reaches
the generated code except field names as ``repr`` literals.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any, Callable

from standardlang.data.safe import MAX_DIGITS
from standardlang.lang.types import BoolT, Dynamic, EnumT, ListT, Num, RecordT, SetT, TextT

#: an int of this many bits or more may have more than MAX_DIGITS digits (see data.safe.is_huge_int)
_BIG = 2 ** int(MAX_DIGITS * 3.3219)
_SURROGATE = re.compile("[\ud800-\udfff]")
_NONNEGATIVE = ("count", "quantity", "ratio")
#: nested records are written inline up to this depth, deeper ones through a function call
_INLINE_DEPTH = 8


def _members_ok(v: Any, members: frozenset, _join: Callable = "".join) -> bool:
    """Every element of ``v`` is text (``str.join`` refuses anything else) among ``members``."""
    try:
        _join(v)
        return members.issuperset(v)
    except TypeError:  # an element that is not text (or not hashable)
        return False


class _Gen:
    def __init__(self) -> None:
        self.ns: dict[str, Any] = {
            "_int": int, "_float": float, "_str": str, "_bool": bool, "_dict": dict, "_list": list,
            "_tuple": tuple, "_BIG": _BIG, "_NBIG": -_BIG, "_INF": float("inf"), "_NINF": float("-inf"),
            "_sur": _SURROGATE.search, "_members_ok": _members_ok, "_Fraction": Fraction, "_repr": repr,
            "_SETS": (list, tuple, set, frozenset),
        }
        self.functions: dict[int, str] = {}  # id(RecordT) -> function name
        self.pending: list[tuple[str, RecordT]] = []
        self.lines: list[str] = []

    def const(self, value: Any) -> str:
        name = f"_k{len(self.ns)}"
        self.ns[name] = value
        return name

    def function(self, rt: RecordT) -> str:
        name = self.functions.get(id(rt))
        if name is None:
            name = self.functions[id(rt)] = f"check_{len(self.functions)}"
            self.pending.append((name, rt))
        return name

    def emit_function(self, name: str, rt: RecordT) -> None:
        self.lines.append(f"def {name}(_r0):")
        self.lines.append("    if _r0.__class__ is not _dict:")
        self.lines.append("        return False")
        self.record_fields(rt, "_r0", 1, 1)
        self.lines.append("    return True")
        self.lines.append("")

    def record_fields(self, rt: RecordT, var: str, depth: int, indent: int) -> None:
        pad = "    " * indent
        v = f"_v{depth}"
        for name, info in rt.fields.items():
            self.lines.append(f"{pad}{v} = {var}.get({name!r})")
            self.lines.append(f"{pad}if {v} is not None:")
            self.value(info.type, info, v, depth, indent + 1)

    def value(self, t: Any, info: Any, v: str, depth: int, indent: int) -> None:
        """Lines that return False unless the known value ``v`` of type ``t`` is certainly fine."""
        pad = "    " * indent
        test = self.scalar_test(t, info, v)
        if test is not None:
            self.lines.append(f"{pad}if not ({test}):")
            self.lines.append(f"{pad}    return False")
        elif isinstance(t, RecordT):
            if t.entity or depth >= _INLINE_DEPTH:
                self.lines.append(f"{pad}if not {self.function(t)}({v}):")
                self.lines.append(f"{pad}    return False")
            else:
                self.lines.append(f"{pad}if {v}.__class__ is not _dict:")
                self.lines.append(f"{pad}    return False")
                self.record_fields(t, v, depth + 1, indent)
        elif isinstance(t, ListT):
            if isinstance(t.elem, RecordT) and t.elem.entity:  # validated as records of their own
                self.lines.append(f"{pad}if {v}.__class__ is not _list and {v}.__class__ is not _tuple:")
                self.lines.append(f"{pad}    return False")
                return
            self.lines.append(f"{pad}if {v}.__class__ is not _list and {v}.__class__ is not _tuple:")
            self.lines.append(f"{pad}    return False")
            x = f"_x{depth}"
            self.lines.append(f"{pad}for {x} in {v}:")
            self.lines.append(f"{pad}    if {x} is None:")
            self.lines.append(f"{pad}        return False")
            self.value(t.elem, None, x, depth + 1, indent + 1)
        else:  # a type this check does not know: always look closely
            self.lines.append(f"{pad}return False")

    def scalar_test(self, t: Any, info: Any, v: str) -> str | None:
        if isinstance(t, Num):
            return self.number_test(t, getattr(info, "bounds", None), v)
        if isinstance(t, BoolT):
            return f"{v}.__class__ is _bool"
        if isinstance(t, TextT):
            # printable text has no lone surrogate (they are not printable): the regex only for the rest
            return (f"({v}.__class__ is _str and ({v}.isascii() or {v}.isprintable() or not _sur({v}))) "
                    f"or ({v}.__class__ is _int and _NBIG < {v} < _BIG)")
        if isinstance(t, EnumT):
            return f"{v}.__class__ is _str and {v} in {self.const(frozenset(t.lookup()))}"
        if isinstance(t, SetT):
            return f"{v}.__class__ in _SETS and _members_ok({v}, {self.const(frozenset(t.enum.lookup()))})"
        if isinstance(t, Dynamic):
            return (f"{v}.__class__ in ({self.const((str, bool, float, dict, list, type(None)))}) "
                    f"or ({v}.__class__ is _int and _NBIG < {v} < _BIG)")
        return None

    def number_test(self, t: Num, bounds: Any, v: str) -> str:
        whole = ""
        if bounds is not None:
            lo, hi = self.const(bounds[0]), self.const(bounds[1])
            ints = f"{lo} <= {v} <= {hi}"
            floats = f"{lo} <= _Fraction(_repr({v})) <= {hi}"
        elif t.kind in _NONNEGATIVE:  # one chained comparison: not negative, not huge, finite
            whole = f" and {v}.is_integer()" if t.kind == "count" else ""
            return f"({v}.__class__ is _int and 0 <= {v} < _BIG) or ({v}.__class__ is _float and 0 <= {v} < _INF{whole})"
        else:
            ints = floats = "True"
        if t.kind == "count":
            whole = f" and {v}.is_integer()"
        return (f"({v}.__class__ is _int and _NBIG < {v} < _BIG and {ints}) "
                f"or ({v}.__class__ is _float and _NINF < {v} < _INF{whole} and {floats})")


def quick_check(rt: RecordT, name: str = "schema") -> Callable[[Any], bool]:
    """The generated quick check of records of ``rt`` (see the module's docstring)."""
    gen = _Gen()
    first = gen.function(rt)
    while gen.pending:
        fname, t = gen.pending.pop()
        gen.emit_function(fname, t)
    source = "\n".join(gen.lines) + "\n"
    shown = "".join(c if c.isprintable() and c not in "<>" else "?" for c in name)
    code = compile(source, f"<standardlang:{shown} schema check>", "exec")
    exec(code, gen.ns)  # noqa: S102 - generated from the schema, names only as repr literals
    fn = gen.ns[first]
    fn.source = source  # type: ignore[attr-defined]
    return fn
