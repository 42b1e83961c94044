"""Check a rule's or an indicator's inline examples: their data against the schema.

Takes an :class:`~standardlang.lang.ast.Example` (its ``given`` record literal and
expected status) and the record type it is written for; gives a
:class:`~standardlang.lang.model.CheckedExample` whose record is plain data (dicts,
lists, numbers in the field's own unit), or None after recording diagnostics
(E139, E150–E153, E103) on the checker it was given.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from standardlang.errors import did_you_mean
from standardlang.lang import ast, units
from standardlang.lang.model import CheckedExample
from standardlang.lang.types import BoolT, Dynamic, EnumT, FieldInfo, ListT, Num, RecordT, SetT, TextT, Type

if TYPE_CHECKING:
    from standardlang.lang.checker import Checker

RULE_STATUSES = ("pass", "fail", "unknown", "not_applicable")
INDICATOR_STATUSES = ("pass", "fail", "unknown")


def check_example(c: "Checker", e: ast.Example, ent: RecordT, statuses: tuple[str, ...],
                  target_type: Type | None = None) -> CheckedExample | None:
    """Check example ``e`` of a rule (or of an indicator, with its ``target_type``) for entity ``ent``."""
    if e.status not in statuses:
        c.error("E139", f"expected one of {', '.join(statuses)}, found `{e.status}`", e.span)
        return None
    if not isinstance(e.given, ast.DataObject):
        c.error("E150", "an example's `given` is a record in braces", e.given.span)
        return None
    before = len(c.diagnostics)
    data = _Data(c)
    record = data.record(e.given, ent)
    value = None
    if e.value is not None:
        if target_type is None:
            c.error("E139", "only indicator examples take `value`", e.value.span)
        else:
            value = data.value(e.value, target_type, FieldInfo("value", target_type), "value")
    if len(c.diagnostics) > before:
        return None
    return CheckedExample(e.title, record, e.status, ent.name, value, span=e.span)


class _Data:
    """Turns record literals into plain data of a record type, reporting on checker ``c``."""

    def __init__(self, c: "Checker"):
        self.c = c

    def wrong(self, path: str, what: str, value: ast.Data) -> None:
        self.c.error("E152", f"`{path}` {what}", value.span)

    def record(self, obj: ast.DataObject, rec: RecordT) -> dict:
        out: dict[str, Any] = {}
        labels = {info.label: name for name, info in rec.fields.items() if info.label}
        for key, value in obj.pairs:
            name = key if key in rec.fields else labels.get(key)
            if name is None:
                self.c.error("E151", f"{rec.describe()} has no field `{key}`", value.span,
                             hint=did_you_mean(key, list(rec.fields) + list(labels)))
                continue
            info = rec.fields[name]
            out[name] = self.value(value, info.type, info, name)
        return out

    def value(self, value: ast.Data, typ: Type, info: FieldInfo, path: str) -> Any:
        """The plain value of literal ``value`` for a field of type ``typ`` (None after an error)."""
        if isinstance(value, ast.DataNull):
            return None
        if isinstance(typ, (RecordT, ListT, SetT)):
            return self.container(value, typ, info, path)
        if isinstance(typ, EnumT):
            return self.member(value, typ, path)
        if isinstance(typ, BoolT):
            if isinstance(value, ast.DataBool):
                return value.value
            return self.wrong(path, "takes true or false", value)
        if isinstance(typ, TextT):
            return self.text(value, path)
        if isinstance(typ, (Num, Dynamic)):
            return self.number(value, typ, info, path)
        return self.wrong(path, "cannot be given a value", value)  # pragma: no cover - every type is above

    def container(self, value: ast.Data, typ: RecordT | ListT | SetT, info: FieldInfo, path: str) -> Any:
        if isinstance(typ, RecordT):
            if not isinstance(value, ast.DataObject):
                return self.wrong(path, "is a record: write it in braces", value)
            return self.record(value, typ)
        if not isinstance(value, ast.DataList):
            what = "a list: write it in brackets" if isinstance(typ, ListT) else "a set: write its members in brackets"
            return self.wrong(path, f"is {what}", value)
        elem = typ.elem if isinstance(typ, ListT) else typ.enum
        return [self.value(v, elem, info, path) for v in value.items]

    def member(self, value: ast.Data, typ: EnumT, path: str) -> str | None:
        if not isinstance(value, (ast.DataName, ast.DataString)):
            return self.wrong(path, f"takes a member of {typ.describe()}", value)
        word = value.name if isinstance(value, ast.DataName) else value.value
        if word not in typ.lookup():
            self.c.error("E153", f"`{word}` is not a member of {typ.describe()}", value.span,
                         hint=did_you_mean(word, typ.lookup()) or f"members: {', '.join(typ.members)}")
        return word

    def text(self, value: ast.Data, path: str) -> str | None:
        if isinstance(value, ast.DataString):
            return value.value
        if isinstance(value, ast.DataName):
            return value.name
        if isinstance(value, ast.DataNumber) and value.unit is None:
            return value.text
        return self.wrong(path, "takes text", value)

    def number(self, value: ast.Data, typ: Num | Dynamic, info: FieldInfo, path: str) -> Any:
        if not isinstance(value, ast.DataNumber):
            return self.wrong(path, "takes a number", value)
        number = units.parse_decimal(value.text)
        if value.unit is not None:
            dim, factor, _ = units.UNITS[value.unit]
            if isinstance(typ, Num) and dim != typ.dim:
                self.c.error("E103", f"`{path}` is {typ.describe()}, but the value is in {value.unit}", value.span)
                return None
            # convert to the field's own unit
            number = units.normalize(Fraction(number) * factor / info.scale)
        return _plain_number(number)


def _plain_number(value: Fraction | int) -> int | float | Fraction:
    """An int, or a float when it is exactly the value, else the Fraction."""
    if isinstance(value, int):
        return value
    f = float(value)
    if Fraction(repr(f)) == value:
        return f
    return value
