"""The checked program: a typed IR that every back end consumes.

The checker (:mod:`standardlang.lang.checker`) produces these nodes from the AST with
names resolved, types known and units converted to base units (m², m, min,
ratio).  Nothing here is Python-specific: the Python compiler and the reference
interpreter both read it, and so can a SQL back end.

``depth`` on :class:`Field` and :class:`LetRef` counts scopes outwards: 0 is the
innermost record (the list element inside an aggregate, else the record being
judged), 1 the one enclosing it, and so on.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, Iterator, Union

import attrs

from standardlang.errors import Span
from standardlang.lang import tree as _tree
from standardlang.lang.types import EnumT, Type


def _meta():
    return attrs.field(default=None, eq=False, repr=False, kw_only=True)


@attrs.frozen
class Const:
    value: Any  # int | Fraction | bool | str | frozenset
    type: Type
    span: Span | None = _meta()
    text: str | None = _meta()


@attrs.frozen
class Field:
    """Read ``name`` from ``obj`` (or from the scope record at ``depth``)."""

    name: str
    obj: "Node | None"
    depth: int
    type: Type
    optional: bool = False
    scale: Fraction | None = None  # multiply by this to reach the base unit
    enum: EnumT | None = None  # normalise labels to member names
    is_set: bool = False
    over_list: bool = False  # obj is a list: map over it
    list_field: bool = False  # the field itself holds a list (flattened when over_list)
    path: str = ""  # dotted path for messages, e.g. "kindergarten.building_area"
    bounds: tuple | None = None  # the declared `range`, in base units (see lang.ranges)
    span: Span | None = _meta()
    text: str | None = _meta()


@attrs.frozen
class LetRef:
    entity: str  # owner record's qualified name
    name: str
    obj: "Node | None"
    depth: int
    type: Type
    over_list: bool = False
    span: Span | None = _meta()
    text: str | None = _meta()


@attrs.frozen
class Unary:
    op: str  # neg | not
    operand: "Node"
    type: Type
    span: Span | None = _meta()
    text: str | None = _meta()


@attrs.frozen
class Binary:
    op: str  # + - * /
    left: "Node"
    right: "Node"
    type: Type
    span: Span | None = _meta()
    text: str | None = _meta()


@attrs.frozen
class Logic:
    op: str  # and | or
    left: "Node"
    right: "Node"
    type: Type
    span: Span | None = _meta()
    text: str | None = _meta()


@attrs.frozen
class Compare:
    op: str  # >= > <= < == !=
    left: "Node"
    right: "Node"
    type: Type
    spelling: str = ""
    span: Span | None = _meta()
    text: str | None = _meta()


@attrs.frozen
class Between:
    value: "Node"
    low: "Node"
    high: "Node"
    type: Type
    span: Span | None = _meta()
    text: str | None = _meta()


@attrs.frozen
class Member:
    value: "Node"
    collection: "Node"  # a SetLiteral or a list/set-valued node
    negated: bool
    type: Type
    span: Span | None = _meta()
    text: str | None = _meta()


@attrs.frozen
class SetLiteral:
    items: tuple["Node", ...]
    type: Type
    span: Span | None = _meta()
    text: str | None = _meta()


@attrs.frozen
class Contains:
    collection: "Node"
    items: "Node"  # a single item, or a SetLiteral with quant
    quant: str | None  # None (single item), all, any
    type: Type
    span: Span | None = _meta()
    text: str | None = _meta()


@attrs.frozen
class Cond:
    test: "Node"
    then: "Node"
    else_: "Node"
    type: Type
    span: Span | None = _meta()
    text: str | None = _meta()


@attrs.frozen
class Present:
    target: "Node"  # a Field or LetRef
    type: Type
    span: Span | None = _meta()
    text: str | None = _meta()


@attrs.frozen
class Aggregate:
    """count/sum/avg/min/max/all/any/share over ``coll``.

    ``item`` and ``where`` are evaluated with the list element as the innermost
    scope (depth 0).
    """

    func: str
    coll: "Node"
    item: "Node | None"
    where: "Node | None"
    type: Type
    span: Span | None = _meta()
    text: str | None = _meta()


@attrs.frozen
class Builtin:
    func: str  # min | max | abs
    args: tuple["Node", ...]
    type: Type
    span: Span | None = _meta()
    text: str | None = _meta()


Node = Union[Const, Field, LetRef, Unary, Binary, Logic, Compare, Between, Member, SetLiteral,
             Contains, Cond, Present, Aggregate, Builtin]

NODE_TYPES: tuple[type, ...] = Node.__args__  # type: ignore[attr-defined]
"""Every IR node class."""


def children(node: Node) -> Iterator[Node]:
    """The IR nodes directly below ``node``, in field order.

    Driven by the attrs fields (see :mod:`standardlang.lang.tree`): types, enums and
    layout fields are not nodes, so a field added to a node class is walked by every
    pass or by none.  Note that an :class:`Aggregate`'s ``item`` and ``where`` are
    children although they are read in the list element's scope; a pass that cares
    about scopes looks at ``Aggregate`` itself before recursing.
    """
    return _tree.children(node, NODE_TYPES)


def walk(node: Node | None) -> Iterator[Node]:
    """``node`` (if not None) and every IR node below it, depth first, parents first."""
    return _tree.walk(node, NODE_TYPES)


def map_children(node: Node, fn: Callable[[Node], Node]) -> Node:
    """``node`` with each child ``c`` replaced by ``fn(c)``: the building block of IR passes."""
    return _tree.map_children(node, NODE_TYPES, fn)


def dump(node) -> str:
    """A readable text of an IR tree, one node per line (see :func:`standardlang.lang.tree.dump`)."""
    return _tree.dump(node, NODE_TYPES)
