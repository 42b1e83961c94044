"""Constant folding: a small pass over the typed IR.

Takes a checked IR node; gives the same tree with arithmetic on constants computed
exactly (``-3`` → ``Const(-3)``, ``2200 m2 * 2`` → ``Const(4400)``, ``100 % - 5 %``),
keeping each folded node's span and source text for messages.  The checker runs it on
every expression it checks, so a later stage (an indicator's target, the linter's
interval reasoning, the back ends) sees one constant instead of a small tree.

Raises :class:`DivisionByZero` for a constant division by zero and :class:`TooLong` for
a constant too long to hold; the checker reports them (E109, E119) at the operation's span.
"""

from __future__ import annotations

from fractions import Fraction

from standardlang.lang import ir, units


#: folded constants longer than this could not be printed by Python (its integer-string limit) nor compiled
MAX_CONST_DIGITS = 4000
MAX_CONST_BITS = 13_000  # about 4,000 decimal digits


class DivisionByZero(Exception):
    """A constant divided by the constant zero."""

    def __init__(self, node: ir.Binary):
        super().__init__("division by zero")
        self.node = node


class TooLong(Exception):
    """Arithmetic on constants whose result would have more than :data:`MAX_CONST_DIGITS` digits."""

    def __init__(self, node: ir.Binary):
        super().__init__(f"`{node.op}` of these constants gives a number too long to hold "
                         f"(more than {MAX_CONST_DIGITS:,} digits)")
        self.node = node


def _known(n: ir.Node) -> bool:
    return isinstance(n, ir.Const) and n.value is not None and not isinstance(n.value, (bool, str, frozenset))


def fold(node: ir.Node) -> ir.Node:
    """``node`` with its constant arithmetic computed, bottom up."""
    node = ir.map_children(node, fold)
    if isinstance(node, ir.Unary) and node.op == "neg" and _known(node.operand):
        return ir.Const(-node.operand.value, node.type, span=node.span, text=node.text)
    if isinstance(node, ir.Binary) and _known(node.left) and _known(node.right):
        a, b = Fraction(node.left.value), Fraction(node.right.value)
        if node.op == "/" and b == 0:
            raise DivisionByZero(node)
        if max(a.numerator.bit_length(), a.denominator.bit_length(), b.numerator.bit_length(),
               b.denominator.bit_length()) * 2 > MAX_CONST_BITS:
            raise TooLong(node)
        value = {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else None}[node.op]
        return ir.Const(units.normalize(value), node.type, span=node.span, text=node.text)
    return node
