"""Units and dimensions.

Takes unit words as written in a spec (``m2``, ``平方米``, ``%``...; the words themselves
live in :mod:`standardlang.lang.vocabulary`) and gives their dimension and their factor
to the base unit (m², m, min, ratio).  Conversion
happens once, when a spec is checked; evaluation never sees a unit.
"""

from __future__ import annotations

from fractions import Fraction

from standardlang.lang import vocabulary

# A dimension is an exponent vector (length, time).
NONE = (0, 0)
LENGTH = (1, 0)
AREA = (2, 0)
TIME = (0, 1)

#: dimension name (as the vocabulary gives it) -> (exponent vector, dimensionless kind or None)
_DIMENSIONS = {"area": (AREA, None), "length": (LENGTH, None), "time": (TIME, None), "ratio": (NONE, "ratio")}

#: unit word -> (dimension, factor to the base unit, dimensionless kind or None), built from
#: :data:`standardlang.lang.vocabulary.UNITS` (add a unit there)
UNITS: dict[str, tuple[tuple[int, int], Fraction, str | None]] = {
    word: (_DIMENSIONS[dim][0], factor, _DIMENSIONS[dim][1]) for word, (dim, factor) in vocabulary.UNITS.items()
}

DIMENSION_NAMES = {NONE: "number", LENGTH: "length", AREA: "area", TIME: "time"}
BASE_SYMBOL = {LENGTH: "m", AREA: "m²", TIME: "min"}


def dimension_name(dim: tuple[int, int]) -> str:
    if dim in DIMENSION_NAMES:
        return DIMENSION_NAMES[dim]
    parts = []
    for name, exp in zip(("m", "min"), dim):
        if exp:
            parts.append(name if exp == 1 else f"{name}^{exp}")
    return "·".join(parts) or "number"


def base_symbol(dim: tuple[int, int]) -> str:
    if dim in BASE_SYMBOL:
        return BASE_SYMBOL[dim]
    return dimension_name(dim)


def parse_decimal(text: str) -> Fraction | int:
    """The exact value of a decimal literal: int when whole, else Fraction."""
    value = Fraction(text)
    return int(value) if value.denominator == 1 else value


def normalize(value: Fraction | int) -> Fraction | int:
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    return value
