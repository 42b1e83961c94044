"""Constant folding (:mod:`standardlang.lang.fold`), the checker's IR pass."""

from __future__ import annotations

from fractions import Fraction

import pytest

from standardlang.errors import Source, SpecCheckError
from standardlang.lang import ir
from standardlang.lang.checker import check_expression
from standardlang.lang.fold import DivisionByZero, fold
from standardlang.lang.parser import parse_expression
from standardlang.lang.types import NUMBER, RATIO, RecordT


def checked(text: str) -> ir.Node:
    return check_expression(parse_expression(text), Source("<t>", text), record=RecordT("r", dynamic=True))


@pytest.mark.parametrize("text, value", [
    ("-3", -3), ("2 + 3 * 4", 14), ("1 / 3", Fraction(1, 3)), ("-(2 - 5)", 3), ("2200 m2 * 2", 4400),
    ("1 ha - 2000 m2", 8000), ("100 % - 5 %", Fraction(19, 20)), ("0.1 + 0.2", Fraction(3, 10)),
])
def test_constant_arithmetic_becomes_one_exact_constant(text, value):
    node = checked(text)
    assert isinstance(node, ir.Const) and node.value == value
    assert node.text == text  # the folded constant keeps its source text for messages


def test_arithmetic_on_data_is_left_alone_and_constants_below_it_fold():
    node = checked("x + 2 * 3")
    assert isinstance(node, ir.Binary) and isinstance(node.left, ir.Field)
    assert node.right == ir.Const(6, NUMBER)


def test_folding_reaches_every_kind_of_node():
    node = checked("if x > 1 + 1 then 2 * 50 else count(items where y < 3 - 1) / 4")
    consts = [n.value for n in ir.walk(node) if isinstance(n, ir.Const)]
    assert 2 in consts and 100 in consts and not any(
        isinstance(n, ir.Binary) and isinstance(n.left, ir.Const) and isinstance(n.right, ir.Const)
        for n in ir.walk(node))


def test_constant_division_by_zero_is_a_check_error_at_the_division():
    with pytest.raises(SpecCheckError) as exc:
        checked("x >= 1 / (2 - 2)")
    d = exc.value.diagnostics[0]
    assert d.code == "E109" and d.span.column == 6


def test_fold_raises_on_a_constant_division_by_zero():
    node = ir.Binary("/", ir.Const(1, NUMBER), ir.Const(0, NUMBER), NUMBER)
    with pytest.raises(DivisionByZero) as exc:
        fold(node)
    assert exc.value.node is node


def test_fold_returns_the_same_object_when_nothing_folds():
    node = checked("x >= y")
    assert fold(node) is node


def test_a_folded_ratio_keeps_its_type():
    assert checked("10 % * 2").type == RATIO
