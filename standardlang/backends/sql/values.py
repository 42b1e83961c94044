"""SQL values of the checked language, as sqlglot expressions, and the shape of data columns.

Takes nothing from a spec itself; gives the building blocks the SQL compiler combines:

* :class:`DType`, the shape of a column as the database types it (a struct, a list, JSON,
  a scalar), read once from the relation so that the compiler knows how to reach a field;
* :class:`Val`, a compiled expression with its language kind.  Numbers are exact
  rationals: a numerator of type ``DECIMAL(38, s)`` and, after a division, a positive
  denominator, so comparisons cross-multiply and no verdict depends on rounding;
* small constructors for SQL (``call``, ``lit``, ``case``) that only ever put names and
  literals into the tree as sqlglot identifiers and literals.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import attrs
from sqlglot import exp

#: decimals kept for a number read from data (values are exact to this many places)
DATA_SCALE = 6
#: the largest scale an intermediate product keeps (DECIMAL holds 38 digits in all)
MAX_SCALE = 24


class SQLCompileError(Exception):
    """An IR node or a data shape this back end cannot render (never a silent fallback)."""


# ------------------------------------------------------------------ column shapes
@attrs.frozen
class DType:
    """The database's type of a value: struct / list / json / text / bool / num / null."""

    kind: str
    fields: tuple[tuple[str, "DType"], ...] = ()
    elem: "DType | None" = None
    integer: bool = False

    def field(self, name: str) -> "DType | None":
        for n, t in self.fields:
            if n == name:
                return t
        return None


NULL_T = DType("null")
JSON_T = DType("json")


def dtype_of(t: Any) -> DType:
    """The :class:`DType` of a DuckDB type object (``DuckDBPyType``)."""
    text = str(t)
    kind = t.id
    if text == "JSON":
        return JSON_T
    if kind == "struct":
        return DType("struct", tuple((n, dtype_of(c)) for n, c in t.children))
    if kind == "map":
        return DType("map")
    if kind == "list":
        return DType("list", elem=dtype_of(t.children[0][1]))
    if kind == "varchar":
        return DType("text")
    if kind == "boolean":
        return DType("bool")
    if kind in ("tinyint", "smallint", "integer", "bigint", "hugeint", "utinyint", "usmallint", "uinteger",
                "ubigint", "uhugeint"):
        return DType("num", integer=True)
    if kind in ("decimal", "double", "float"):
        return DType("num", integer=False)
    if kind == '"null"' or kind == "null":
        return NULL_T
    return DType("other")


# ------------------------------------------------------------------ values
@attrs.frozen
class Val:
    """A compiled expression.

    ``kind``: bool | num | text | set | list | rec.  For ``num``, ``sql`` is the numerator
    (scale ``scale``) and ``den`` a positive denominator or None (one).  For ``list``,
    ``elem`` describes an element (a :class:`Val` template whose ``sql`` is unused) and
    ``dtype`` the element's data shape when the elements are records.  For ``rec``,
    ``dtype`` is the data shape of the record.

    A number that may be known only partly (issue 9: an aggregate with unknown elements,
    an ``if`` whose test is unknown) is a *range*: ``sql`` is the low end's numerator and
    ``hi`` the high end's, both at ``scale`` over the one denominator ``den``; a ``NULL``
    end is unbounded, so both ``NULL`` is unknown and equal ends are the exact value, as
    ``runtime.Bounds`` / ``runtime.bounded``.  ``hi`` None: the value is exact (or NULL,
    unknown).  ``const``: the exact value when it is a constant of the spec.

    A ``set`` read from a list column of text also keeps that list as written (``raw``, a
    column or a field of one) and its enum (``enum``), so that a membership test can look
    for a member's spellings (its name and labels) there without mapping every element.
    """

    kind: str
    sql: exp.Expression
    den: exp.Expression | None = None
    scale: int = 0
    den_scale: int = 0
    elem: "Val | None" = None
    dtype: DType | None = None
    hi: exp.Expression | None = None
    const: Fraction | None = None
    raw: exp.Expression | None = None
    enum: Any = None


NULL = exp.Null()


def lit(value: Any) -> exp.Expression:
    """A literal: text as a SQL string literal, numbers exact."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, int):
        return exp.Literal.number(str(value))
    raise SQLCompileError(f"no SQL literal for {value!r}")


def call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def least(*args: exp.Expression) -> exp.Expression:
    """The least of the non-NULL arguments (NULL only if all are): SQL's LEAST in DuckDB, PostgreSQL
    and Spark.  Not ``exp.Least``: sqlglot renders that NULL as soon as one argument is."""
    return call("least", *args)


def greatest(*args: exp.Expression) -> exp.Expression:
    """The greatest of the non-NULL arguments (see :func:`least`)."""
    return call("greatest", *args)


def paren(e: exp.Expression) -> exp.Expression:
    return exp.Paren(this=e)


def case(whens: list[tuple[exp.Expression, exp.Expression]], default: exp.Expression | None = None) -> exp.Expression:
    ifs = [exp.If(this=cond, true=value) for cond, value in whens]
    return exp.Case(ifs=ifs, default=default)


def is_null(e: exp.Expression) -> exp.Expression:
    return exp.Is(this=paren(e), expression=exp.Null())


def not_null(e: exp.Expression) -> exp.Expression:
    return exp.Not(this=is_null(e))


def decimal(e: exp.Expression, scale: int) -> exp.Expression:
    # exp.Cast itself: sqlglot's cast() leaves a cast to DECIMAL(38, 0) alone when asked for DECIMAL(38, 2)
    return exp.Cast(this=e, to=exp.DataType.build(f"DECIMAL(38, {scale})"))


def number(value: Fraction | int) -> Val:
    """An exact number: a decimal literal, or numerator and denominator when not decimal."""
    f = Fraction(value)
    den = f.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den == 1:
        scale = max(twos, fives)
        n = f.numerator * 10 ** scale // f.denominator
        return Val("num", decimal(_int(n), 0) if scale == 0 else _scaled_literal(n, scale), scale=scale, const=f)
    return Val("num", decimal(_int(f.numerator), 0), den=decimal(_int(f.denominator), 0), const=f)


def _int(n: int) -> exp.Expression:
    return exp.Literal.number(str(n)) if n >= 0 else exp.Neg(this=exp.Literal.number(str(-n)))


def _scaled_literal(n: int, scale: int) -> exp.Expression:
    sign = "-" if n < 0 else ""
    digits = str(abs(n)).rjust(scale + 1, "0")
    text = f"{sign}{digits[:-scale]}.{digits[-scale:]}"
    return exp.cast(exp.Literal.string(text), f"DECIMAL(38, {scale})", copy=False)


def limit_scale(e: exp.Expression, scale: int) -> tuple[exp.Expression, int]:
    """Keep a product within DECIMAL(38): past :data:`MAX_SCALE` places, cast down."""
    if scale > MAX_SCALE:
        return decimal(e, MAX_SCALE), MAX_SCALE
    return e, scale


def mul_sql(a: exp.Expression, sa: int, b: exp.Expression, sb: int) -> tuple[exp.Expression, int]:
    return limit_scale(exp.Mul(this=paren(a), expression=paren(b)), sa + sb)


def cross(a: Val, b: Val) -> tuple[exp.Expression, exp.Expression]:
    """``(a.n * b.d, b.n * a.d)``: two numerators over one common positive denominator."""
    left, right = a.sql, b.sql
    if b.den is not None:
        left, _ = mul_sql(left, a.scale, b.den, b.den_scale)
    if a.den is not None:
        right, _ = mul_sql(right, b.scale, a.den, a.den_scale)
    return left, right
