"""The abstract syntax tree of standardlang: frozen attrs classes, data only.

Every node carries a ``span`` (its position in the source) that takes no part in
equality or repr, so ``parse(format(ast)) == ast`` compares meaning, not layout.
Statement-level nodes (declarations, fields, clauses) carry their comments, so the
formatter can keep them.  Nothing here knows about types or Python; the checker
turns this tree into the typed IR (:mod:`standardlang.lang.ir`).
"""

from __future__ import annotations

from typing import Union

import attrs

from standardlang.errors import Span
from standardlang.lang import tree as _tree


def _span() -> Span | None:
    return attrs.field(default=None, eq=False, repr=False, kw_only=True)


def _comments() -> tuple[str, ...]:
    return attrs.field(default=(), kw_only=True)


def _gap() -> bool:
    """Whether a blank line preceded the statement: layout only, not meaning."""
    return attrs.field(default=False, eq=False, repr=False, kw_only=True)


# ------------------------------------------------------------------ expressions


@attrs.frozen
class Number:
    text: str  # as written, e.g. "2200" or "1.3"
    unit: str | None = None
    span: Span | None = _span()


@attrs.frozen
class String:
    value: str
    span: Span | None = _span()


@attrs.frozen
class Bool:
    value: bool
    span: Span | None = _span()


@attrs.frozen
class Name:
    name: str
    span: Span | None = _span()


@attrs.frozen
class Attr:
    obj: "Expr"
    name: str
    span: Span | None = _span()


@attrs.frozen
class Call:
    """``f(a, b)``, or an aggregate ``f(item for coll where cond)``."""

    func: str
    args: tuple["Expr", ...]
    item: "Expr | None" = None
    where: "Expr | None" = None
    span: Span | None = _span()


@attrs.frozen
class SetLit:
    items: tuple["Expr", ...]
    span: Span | None = _span()


@attrs.frozen
class Neg:
    operand: "Expr"
    span: Span | None = _span()


@attrs.frozen
class Not:
    operand: "Expr"
    spelling: str = "not"
    span: Span | None = _span()


@attrs.frozen
class Arith:
    op: str  # + - * /
    left: "Expr"
    right: "Expr"
    span: Span | None = _span()


@attrs.frozen
class Logic:
    op: str  # and / or
    left: "Expr"
    right: "Expr"
    spelling: str = ""
    span: Span | None = _span()


@attrs.frozen
class Compare:
    op: str  # >= > <= < == !=
    left: "Expr"
    right: "Expr"
    spelling: str = ""
    span: Span | None = _span()


@attrs.frozen
class Between:
    value: "Expr"
    low: "Expr"
    high: "Expr"
    spelling: str = "and"
    span: Span | None = _span()


@attrs.frozen
class Member:
    value: "Expr"
    collection: "Expr"
    negated: bool = False
    spelling: str = "not"
    span: Span | None = _span()


@attrs.frozen
class Contains:
    collection: "Expr"
    item: "Expr"
    quant: str | None = None  # None, "all", "any"
    span: Span | None = _span()


@attrs.frozen
class Cond:
    test: "Expr"
    then: "Expr"
    else_: "Expr"
    span: Span | None = _span()


Expr = Union[Number, String, Bool, Name, Attr, Call, SetLit, Neg, Not, Arith, Logic,
             Compare, Between, Member, Contains, Cond]

# ------------------------------------------------------------------ data literals


@attrs.frozen
class DataObject:
    pairs: tuple[tuple[str, "Data"], ...]
    span: Span | None = _span()


@attrs.frozen
class DataList:
    items: tuple["Data", ...]
    span: Span | None = _span()


@attrs.frozen
class DataNumber:
    text: str  # may start with "-"
    unit: str | None = None
    span: Span | None = _span()


@attrs.frozen
class DataString:
    value: str
    span: Span | None = _span()


@attrs.frozen
class DataBool:
    value: bool
    span: Span | None = _span()


@attrs.frozen
class DataNull:
    span: Span | None = _span()


@attrs.frozen
class DataName:
    name: str
    span: Span | None = _span()


Data = Union[DataObject, DataList, DataNumber, DataString, DataBool, DataNull, DataName]

# ------------------------------------------------------------------ declarations


@attrs.frozen
class Meta:
    key: str
    value: str
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


@attrs.frozen
class Standard:
    name: str
    title: str
    meta: tuple[Meta, ...] = ()
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


@attrs.frozen
class EnumMember:
    name: str
    label: str | None = None
    span: Span | None = _span()


@attrs.frozen
class EnumDef:
    name: str
    label: str | None
    members: tuple[EnumMember, ...]
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


@attrs.frozen
class TypeRef:
    """A field's declared type.

    kind is one of: scalar (name = bool/text/number/count), unit (name = unit
    word), record, list (of an inline record), list_of (name = entity, by =
    linking field), set_of (name = enum), set_inline, enum_inline (members),
    named (name = enum or entity).
    """

    kind: str
    name: str | None = None
    by: str | None = None
    members: tuple[EnumMember, ...] = ()
    span: Span | None = _span()


@attrs.frozen
class Field:
    name: str
    type: TypeRef
    optional: bool = False
    label: str | None = None
    bounds: tuple[str, str] | None = None
    body: tuple["EntityItem", ...] | None = None
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


@attrs.frozen
class Let:
    name: str
    label: str | None
    expr: Expr
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


@attrs.frozen
class Key:
    name: str
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


EntityItem = Union[Field, Let, Key]


@attrs.frozen
class Entity:
    name: str
    label: str | None
    items: tuple[EntityItem, ...]
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


# rule and indicator clauses


@attrs.frozen
class Strength:
    word: str  # as written: shall/should/may/应/宜/可
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


@attrs.frozen
class Applies:
    expr: Expr
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


@attrs.frozen
class Cite:
    text: str
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


@attrs.frozen
class Reading:
    text: str
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


@attrs.frozen
class Require:
    expr: Expr
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


@attrs.frozen
class Example:
    title: str | None
    given: Data
    status: str
    entity: str | None = None
    value: Data | None = None
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


@attrs.frozen
class Alternative:
    name: str
    title: str | None
    clauses: tuple["RuleClause", ...]
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


RuleClause = Union[Strength, Applies, Cite, Reading, Require, Alternative, Example]


@attrs.frozen
class Rule:
    id: str
    title: str | None
    clauses: tuple[RuleClause, ...]
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


@attrs.frozen
class Item:
    """An item of the standard (第1项 一个社区综合服务站): number, title as the text gives it, rules."""

    number: str
    title: str
    rules: tuple[Rule, ...]
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


@attrs.frozen
class Goal:
    id: str
    title: str | None
    entity: str
    items: tuple[Union[Rule, Let, Item], ...]  # the goal's members, in order
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


@attrs.frozen
class Attribute:
    word: str  # binding/expected/约束性/预期性
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


@attrs.frozen
class Target:
    op: str
    expr: Expr
    spelling: str = ""
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


@attrs.frozen
class Deadline:
    year: int
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


@attrs.frozen
class DisplayUnit:
    text: str
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


@attrs.frozen
class ValueDef:
    entities: tuple[str, ...]
    expr: Expr
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


IndicatorClause = Union[Attribute, Target, Cite, Reading, Deadline, DisplayUnit, ValueDef, Example]


@attrs.frozen
class Indicator:
    id: str
    title: str | None
    clauses: tuple[IndicatorClause, ...]
    span: Span | None = _span()
    comments: tuple[str, ...] = _comments()
    gap: bool = _gap()


Decl = Union[Standard, EnumDef, Entity, Goal, Indicator]


@attrs.frozen
class SpecFile:
    decls: tuple[Decl, ...]
    trailing_comments: tuple[str, ...] = ()
    span: Span | None = _span()


NODE_TYPES: tuple[type, ...] = tuple(
    v for v in list(globals().values()) if isinstance(v, type) and attrs.has(v) and v.__module__ == __name__)
"""Every AST node class (all attrs classes of this module)."""


def children(node: object):
    """The AST nodes directly below ``node``, in field order (see :mod:`standardlang.lang.tree`)."""
    return _tree.children(node, NODE_TYPES)


def walk(node: object):
    """Yield ``node`` and every AST node below it, depth first."""
    return _tree.walk(node, NODE_TYPES)


def dump(node) -> str:
    """A readable text of an AST tree, one node per line (see :func:`standardlang.lang.tree.dump`)."""
    return _tree.dump(node, NODE_TYPES)
