"""The types of the checked language.

Numbers carry a dimension (see :mod:`standardlang.lang.units`) and, when
dimensionless, a kind: ``number`` (a bare literal, compatible with any
dimensionless value), ``count`` or ``ratio``.  Records, lists, enums and sets
describe the schema.  ``Dynamic`` is the type of fields of an ad-hoc rule compiled
without a schema.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Union

import attrs

from standardlang.lang import units


@attrs.frozen
class Num:
    dim: tuple[int, int] = units.NONE
    kind: str = "number"  # number | count | ratio | quantity

    def describe(self) -> str:
        if self.dim == units.NONE:
            return {"number": "number", "count": "count", "ratio": "ratio (percentage)"}.get(self.kind, self.kind)
        return f"{units.dimension_name(self.dim)} ({units.base_symbol(self.dim)})"


@attrs.frozen
class BoolT:
    def describe(self) -> str:
        return "truth value"


@attrs.frozen
class TextT:
    def describe(self) -> str:
        return "text"


@attrs.frozen
class EnumT:
    name: str
    members: tuple[str, ...]
    labels: tuple[tuple[str, str], ...] = ()  # (label, member)

    def describe(self) -> str:
        return f"enum {self.name}"

    def lookup(self) -> dict[str, str]:
        d = {m: m for m in self.members}
        d.update(dict(self.labels))
        return d


@attrs.frozen
class SetT:
    enum: EnumT

    def describe(self) -> str:
        return f"set of {self.enum.name}"


@attrs.frozen
class ListT:
    elem: "Type"

    def describe(self) -> str:
        return f"list of {self.elem.describe()}"


@attrs.frozen
class Dynamic:
    def describe(self) -> str:
        return "value"


@attrs.define(eq=False)
class FieldInfo:
    name: str
    type: "Type"
    optional: bool = False
    label: str | None = None
    scale: Fraction = Fraction(1)  # data unit -> base unit
    unit: str | None = None  # the unit word declared
    bounds: tuple[Fraction | int, Fraction | int] | None = None
    by: str | None = None  # for list-of-entity fields: the child field naming the parent
    span: object = None


@attrs.define(eq=False)
class LetInfo:
    name: str
    label: str | None
    expr: object  # ast expression
    owner: "RecordT"
    ir: object = None
    type: "Type | None" = None
    checking: bool = False
    span: object = None


@attrs.define(eq=False)
class RecordT:
    """A record type: an entity or a nested record. Compared by identity."""

    name: str
    label: str | None = None
    fields: dict[str, FieldInfo] = attrs.Factory(dict)
    lets: dict[str, LetInfo] = attrs.Factory(dict)
    key: str | None = None
    entity: bool = False
    dynamic: bool = False
    path: str = ""  # dotted path from the entity, for nested records

    def describe(self) -> str:
        return f"record {self.name}" if self.entity else f"record {self.path or self.name}"


Type = Union[Num, BoolT, TextT, EnumT, SetT, ListT, RecordT, Dynamic]

NUMBER = Num()
COUNT = Num(kind="count")
RATIO = Num(kind="ratio")
BOOL = BoolT()
TEXT = TextT()
DYNAMIC = Dynamic()


def is_numeric(t: Type) -> bool:
    return isinstance(t, (Num, Dynamic))


def display_unit(t: Type) -> str:
    if isinstance(t, Num):
        if t.dim != units.NONE:
            return units.base_symbol(t.dim)
        if t.kind == "ratio":
            return "%"
    return ""
