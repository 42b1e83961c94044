"""The checked spec: what the checker gives and the compiler and interpreter take.

Plain data (attrs), independent of Python evaluation: rules with their strength,
applicability, requirements and alternatives as typed IR, indicators with their
targets, the schema, and the inline examples with their data converted to plain
records.
"""

from __future__ import annotations

from typing import Any

import attrs

from standardlang.lang import ir
from standardlang.errors import Source, Span
from standardlang.lang.types import EnumT, LetInfo, RecordT

from standardlang.lang.vocabulary import ATTRIBUTE_ZH, ATTRIBUTES, STRENGTH_ZH, STRENGTHS  # noqa: F401 (re-exported)


@attrs.frozen
class CheckedExample:
    title: str | None
    record: Any  # plain data (dict), in the schema's units
    status: str
    entity: str
    value: Any = None  # expected indicator value (base units), or None
    span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen
class CheckedAlternative:
    name: str
    title: str | None
    applies: ir.Node | None
    requires: tuple[ir.Node, ...]
    cites: tuple[str, ...] = ()
    readings: tuple[str, ...] = ()
    span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen
class CheckedRule:
    id: str
    title: str | None
    entity: str
    goal_id: str
    goal_title: str | None
    strength: str  # shall | should | may
    applies: ir.Node | None
    requires: tuple[ir.Node, ...]
    alternatives: tuple[CheckedAlternative, ...] = ()
    cites: tuple[str, ...] = ()
    readings: tuple[str, ...] = ()
    examples: tuple[CheckedExample, ...] = ()
    span: Span | None = attrs.field(default=None, eq=False)
    item_id: str | None = None  # the item of the standard the rule belongs to (`item 1 "..." { rule ... }`)
    item_title: str | None = None

    @property
    def cite(self) -> str | None:
        return self.cites[0] if self.cites else None

    @property
    def adoption(self) -> tuple[ir.Node, ...] | None:
        """For a permission (may, 可): the conditions that say it was taken up, else None.

        A permission's requirement says what using it means. When the requirement opens
        with ``present(F)`` conjuncts (a permission to build facility F), having F is
        taking the permission up and the rest are the conditions attached to it (≥ 350 m²);
        otherwise the whole requirement is the permission (empty tuple): a community that
        does not meet it has not used it. A permission not taken up is not applicable
        (reason: not adopted), never a failure; see docs/language.md.
        """
        if self.strength != "may":
            return None
        leading: list[ir.Node] = []
        for r in self.requires[:1]:
            for c in _conjuncts(r):
                if not isinstance(c, ir.Present):
                    break
                leading.append(c)
        return tuple(leading)


@attrs.frozen
class CheckedItem:
    """An item of the standard: its number and title as the text gives them, its goal and rule ids.

    Its outcome rolls up from the verdicts of its rules (see ``standardlang.engine.items``).
    """

    id: str
    title: str
    entity: str
    goal_id: str
    goal_title: str | None
    rule_ids: tuple[str, ...]
    span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen
class CheckedIndicator:
    id: str
    title: str | None
    attribute: str  # binding | expected
    op: str
    target: ir.Const
    values: tuple[tuple[str, ir.Node], ...]  # (entity, expression)
    unit: str
    deadline: int | None = None
    cites: tuple[str, ...] = ()
    readings: tuple[str, ...] = ()
    examples: tuple[CheckedExample, ...] = ()
    span: Span | None = attrs.field(default=None, eq=False)

    def value_for(self, entity: str) -> ir.Node | None:
        for name, node in self.values:
            if name == entity:
                return node
        return None

    @property
    def entities(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.values)


@attrs.define(eq=False)
class CheckedSpec:
    name: str
    title: str
    meta: dict[str, str]
    enums: dict[str, EnumT]
    entities: dict[str, RecordT]
    rules: tuple[CheckedRule, ...]
    indicators: tuple[CheckedIndicator, ...]
    lets: dict[str, LetInfo]  # qualified name "owner.let" -> info (entity and goal lets)
    source: Source | None = None
    warnings: tuple = ()
    items: tuple[CheckedItem, ...] = ()  # the items of the standard, in the spec's order

    def rule(self, rule_id: str) -> CheckedRule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def _conjuncts(n: ir.Node) -> list[ir.Node]:
    """``a and b and c`` as ``[a, b, c]``, in reading order."""
    if isinstance(n, ir.Logic) and n.op == "and":
        return _conjuncts(n.left) + _conjuncts(n.right)
    return [n]
