"""Units (:mod:`standardlang.lang.units`): every unit word converts to its base unit exactly."""

from __future__ import annotations

from fractions import Fraction

import pytest

import standardlang as sl
from standardlang.lang import units, vocabulary


@pytest.mark.parametrize("word", sorted(vocabulary.UNITS))
def test_a_quantity_in_each_unit_is_its_base_value(word):
    dim, factor, kind = units.UNITS[word]
    e = sl.compile(f"2 {word}")
    assert e.node.value == units.normalize(2 * factor)
    assert (kind == "ratio") == (dim == units.NONE)


@pytest.mark.parametrize("a, b", [("1 ha", "10000 m2"), ("1 公顷", "10000 平方米"), ("1 km", "1000 米"),
                                  ("1 公里", "1000 m"), ("1 h", "60 min"), ("1 小时", "60 分钟"),
                                  ("1 day", "1440 min"), ("2 天", "48 h"), ("50 %", "500 ‰"), ("1 ㎡", "1 m2")])
def test_equal_quantities_in_different_units_are_equal(a, b):
    assert sl.compile(f"{a} == {b}").evaluate({}).status == "pass"


@pytest.mark.parametrize("text", ["1 m2 == 1 m", "1 min >= 1 m", "1 % == 1 ha"])
def test_different_dimensions_do_not_compare(text):
    with pytest.raises(sl.SpecCheckError) as exc:
        sl.compile(text)
    assert exc.value.first.code == "E103"


def test_dimension_names_and_base_symbols():
    assert units.dimension_name(units.AREA) == "area" and units.base_symbol(units.AREA) == "m²"
    assert units.dimension_name((3, 0)) == "m^3" and units.dimension_name((1, -1)) == "m·min^-1"
    assert units.base_symbol(units.TIME) == "min"


def test_decimals_are_exact():
    assert units.parse_decimal("0.1") == Fraction(1, 10)
    assert units.parse_decimal("2200") == 2200 and isinstance(units.parse_decimal("2200.0"), int)
    assert units.normalize(Fraction(4, 2)) == 2 and isinstance(units.normalize(Fraction(4, 2)), int)
