"""Units and dimensions.

Takes unit words as written in a spec (``m2``, ``平方米``, ``%``...) and gives their
dimension and their factor to the base unit (m², m, min, ratio).  Conversion
happens once, when a spec is checked; evaluation never sees a unit.
"""

from __future__ import annotations

from fractions import Fraction

# A dimension is an exponent vector (length, time).
NONE = (0, 0)
LENGTH = (1, 0)
AREA = (2, 0)
TIME = (0, 1)

#: unit word -> (dimension, factor to the base unit, dimensionless kind or None)
UNITS: dict[str, tuple[tuple[int, int], Fraction, str | None]] = {
    "m2": (AREA, Fraction(1), None),
    "㎡": (AREA, Fraction(1), None),
    "平方米": (AREA, Fraction(1), None),
    "ha": (AREA, Fraction(10000), None),
    "公顷": (AREA, Fraction(10000), None),
    "m": (LENGTH, Fraction(1), None),
    "米": (LENGTH, Fraction(1), None),
    "km": (LENGTH, Fraction(1000), None),
    "千米": (LENGTH, Fraction(1000), None),
    "公里": (LENGTH, Fraction(1000), None),
    "min": (TIME, Fraction(1), None),
    "分钟": (TIME, Fraction(1), None),
    "h": (TIME, Fraction(60), None),
    "小时": (TIME, Fraction(60), None),
    "day": (TIME, Fraction(1440), None),
    "days": (TIME, Fraction(1440), None),
    "天": (TIME, Fraction(1440), None),
    "%": (NONE, Fraction(1, 100), "ratio"),
    "‰": (NONE, Fraction(1, 1000), "ratio"),
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
