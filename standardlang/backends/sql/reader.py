"""Reading fields from data columns in SQL, and validating them as the Python path does.

Takes a record's data shape (:class:`~.values.DType`: a struct, JSON, a list...) and the
schema's field descriptions; gives sqlglot expressions that read a field (``NULL`` when it
is missing or JSON ``null``), convert it to the language's value (exact decimals in base
units, enum members by name) and say whether its value is bad (a problem the Python path's
:func:`~standardlang.data.validate.validate` would report, with field and value).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from sqlglot import exp

from standardlang.backends.sql import lists
from standardlang.backends.sql.values import (
    DATA_SCALE, JSON_T, NULL, NULL_T, DType, SQLCompileError, Val, call, case, decimal, is_null, lit, mul_sql,
    not_null, number, paren)
from standardlang.lang.types import BoolT, Dynamic, EnumT, ListT, Num, RecordT, SetT, TextT

_JSON_NUMBER = ("BIGINT", "UBIGINT", "DOUBLE")


def _json_path(name: str) -> exp.Expression:
    if '"' in name or "\\" in name:  # identifiers never hold these; refuse rather than escape
        raise SQLCompileError(f"field name {name!r} cannot be read from JSON")
    return lit(f'$."{name}"')


def json_null_to_sql(e: exp.Expression) -> exp.Expression:
    return call("nullif", e, exp.cast(lit("null"), "JSON", copy=False))


def raw(obj: exp.Expression | None, dtype: DType, name: str) -> tuple[exp.Expression, DType]:
    """Field ``name`` of a record as stored (``obj`` None: a column of the row), and its shape.

    A JSON field keeps JSON ``null`` apart from a missing key (SQL NULL); see :func:`get`.
    """
    if dtype.kind == "map":  # DuckDB reads an empty JSON object as a MAP: read it as JSON
        obj, dtype = call("to_json", obj), JSON_T
    if dtype.kind == "struct":
        t = dtype.field(name)
        if t is None:
            return NULL, NULL_T
        if obj is None:
            return exp.column(exp.to_identifier(name, quoted=True)), t
        return call("struct_extract", obj, lit(name)), t
    if dtype.kind == "json":
        return call("json_extract", obj, _json_path(name)), JSON_T
    return NULL, NULL_T


def get(obj: exp.Expression | None, dtype: DType, name: str) -> tuple[exp.Expression, DType]:
    """Read field ``name`` of a record: NULL when it is missing or JSON ``null``."""
    e, t = raw(obj, dtype, name)
    if t.kind == "json":
        return json_null_to_sql(e), t
    return e, t


def there(obj: exp.Expression | None, dtype: DType, name: str) -> exp.Expression:
    """Whether an optional field is there: true; absent (JSON ``null``): false; not recorded: NULL.

    ``runtime.present`` for a record read from JSON: a missing key was not recorded (not
    surveyed), ``null`` is absent.  A typed column (Parquet, Arrow) holds JSON's ``null``
    as NULL, so there NULL is *absent*, and a column the table does not have is *not
    recorded* (docs/sql.md).
    """
    e, t = raw(obj, dtype, name)
    unknown = exp.cast(NULL, "BOOLEAN", copy=False)
    if t.kind == "null":
        return unknown
    if t.kind == "json":
        return case([(is_null(e), unknown), (exp.EQ(this=call("json_type", e), expression=lit("NULL")), exp.false())],
                    exp.true())
    return not_null(e)


def elements(e: exp.Expression, dtype: DType) -> tuple[exp.Expression, DType] | None:
    """A list value as a SQL list, with the shape of its elements; None if not a list."""
    if dtype.kind == "list":
        return e, dtype.elem or NULL_T
    if dtype.kind == "json":
        return case([(exp.EQ(this=call("json_type", e), expression=lit("ARRAY")),
                      exp.cast(e, "JSON[]", copy=False))]), JSON_T
    if dtype.kind == "null":
        return exp.cast(NULL, "JSON[]", copy=False), JSON_T
    return None


# ------------------------------------------------------------------ conversion
def convert(e: exp.Expression, dtype: DType, t: Any, scale: Fraction | None, cells: bool) -> Val:
    """The language value of a leaf: ``t`` is the field's type, ``scale`` its unit factor."""
    if isinstance(t, Num):
        return _number(e, dtype, t, scale, cells)
    if isinstance(t, BoolT):
        if dtype.kind == "bool":
            return Val("bool", e)
        if dtype.kind == "json":
            return Val("bool", case([(exp.EQ(this=call("json_type", e), expression=lit("BOOLEAN")),
                                      exp.cast(e, "BOOLEAN", copy=False))]))
        if dtype.kind == "text" and cells:
            return Val("bool", exp.TryCast(this=e, to=exp.DataType.build("BOOLEAN")))
        return Val("bool", exp.cast(NULL, "BOOLEAN", copy=False))
    if isinstance(t, EnumT):
        return Val("text", _member(_text(e, dtype), t))
    if isinstance(t, TextT):
        return Val("text", _text(e, dtype))
    if isinstance(t, SetT):
        items = _text_list(e, dtype)
        x = exp.to_identifier("_m")
        mapped = call("list_transform", items, exp.Lambda(this=_member(x, t.enum), expressions=[x]))
        return Val("set", mapped, raw=items if items is e else None, enum=t.enum)
    raise SQLCompileError(f"cannot read a value of type {t.describe()}")


def _text(e: exp.Expression, dtype: DType) -> exp.Expression:
    if dtype.kind == "text":
        return e
    if dtype.kind == "json":
        return case([(exp.In(this=call("json_type", e), expressions=[lit("VARCHAR"), lit("BIGINT"), lit("UBIGINT")]),
                      call("json_extract_string", e, lit("$")))])
    if dtype.kind == "num" and dtype.integer:
        return exp.cast(e, "VARCHAR", copy=False)
    return exp.cast(NULL, "VARCHAR", copy=False)


def _text_list(e: exp.Expression, dtype: DType) -> exp.Expression:
    if dtype.kind == "list" and dtype.elem is not None and dtype.elem.kind == "text":
        return e
    if dtype.kind == "list" and dtype.elem is not None and dtype.elem.kind == "json":
        x = exp.to_identifier("_j")
        return call("list_transform", e, exp.Lambda(this=_text(x, JSON_T), expressions=[x]))
    if dtype.kind == "json":
        return case([(exp.EQ(this=call("json_type", e), expression=lit("ARRAY")),
                      call("json_extract_string", e, lit("$[*]")))])
    return exp.cast(NULL, "VARCHAR[]", copy=False)


def _member(e: exp.Expression, t: EnumT) -> exp.Expression:
    """Label or member name -> member name; anything else -> NULL (and a problem).

    A member's own name is tested first, in one list (most data hold names); the
    labels one by one after it.
    """
    lookup = t.lookup()
    names = [m for m in t.members if lookup.get(m) == m]
    # list_contains, not IN: DuckDB may plan an IN of many constants as a join, which need not keep row order
    whens = [(lists.contains(exp.Array(expressions=[lit(m) for m in names]), e), e)] if names else []
    whens += [(exp.EQ(this=e, expression=lit(label)), lit(member)) for label, member in sorted(lookup.items())
              if label not in names]
    return case(whens) if whens else exp.cast(NULL, "VARCHAR", copy=False)


def _raw_number(e: exp.Expression, dtype: DType, cells: bool) -> tuple[exp.Expression, int]:
    # TRY_CAST: a value beyond DECIMAL(38) becomes unknown instead of stopping the query
    if dtype.kind == "num":
        return (_try_decimal(e, 0), 0) if dtype.integer else (_try_decimal(e, DATA_SCALE), DATA_SCALE)
    if dtype.kind == "json":
        return case([(exp.In(this=call("json_type", e), expressions=[lit(k) for k in _JSON_NUMBER]),
                      _try_decimal(e, DATA_SCALE))]), DATA_SCALE
    if dtype.kind == "text" and cells:
        return exp.TryCast(this=e, to=exp.DataType.build(f"DECIMAL(38, {DATA_SCALE})")), DATA_SCALE
    return decimal(NULL, 0), 0


def _try_decimal(e: exp.Expression, scale: int) -> exp.Expression:
    return exp.TryCast(this=e, to=exp.DataType.build(f"DECIMAL(38, {scale})"))


def _number(e: exp.Expression, dtype: DType, t: Num, scale: Fraction | None, cells: bool) -> Val:
    raw, s = _raw_number(e, dtype, cells)
    if scale is None or scale == 1:
        return Val("num", raw, scale=s)
    k = number(scale)
    n, s2 = mul_sql(raw, s, k.sql, k.scale)
    return Val("num", n, den=k.den, scale=s2, den_scale=k.den_scale)


# ------------------------------------------------------------------ validation
def problems(e: exp.Expression, dtype: DType, t: Any, info: Any, path: exp.Expression, cells: bool,
             spath: str) -> list[tuple[exp.Expression, exp.Expression, str]]:
    """(bad, message, path) triples for one field value, as :func:`standardlang.data.validate.validate`.

    ``path`` is a SQL text expression naming the field (it grows ``[i]`` inside lists);
    ``spath`` the same path without list indexes (``stores.area``), by which the rules that
    read a bad value are found.
    """
    return [x if len(x) == 3 else (x[0], x[1], spath) for x in _problems(e, dtype, t, info, path, cells, spath)]


def _problems(e: exp.Expression, dtype: DType, t: Any, info: Any, path: exp.Expression, cells: bool,
              spath: str) -> list[tuple]:
    if isinstance(t, Dynamic):
        return []
    present = not_null(e)

    def msg(text: str, value: exp.Expression) -> exp.Expression:
        return exp.DPipe(this=exp.DPipe(this=path, expression=lit(f": {text}, found ")),
                         expression=call("coalesce", exp.cast(value, "VARCHAR", copy=False), lit("?")))

    if isinstance(t, Num):
        return _num_problems(e, dtype, t, info, present, msg, cells)
    if isinstance(t, BoolT):
        ok = {"bool": None, "json": exp.EQ(this=call("json_type", e), expression=lit("BOOLEAN"))}
        if dtype.kind == "bool":
            return []
        good = ok.get(dtype.kind, exp.false())
        if dtype.kind == "text" and cells:
            good = not_null(exp.TryCast(this=e, to=exp.DataType.build("BOOLEAN")))
        return [(exp.and_(present, exp.Not(this=paren(good)), copy=False), msg("expected true or false", e))]
    if isinstance(t, (TextT, EnumT)):
        text = _text(e, dtype)
        if isinstance(t, EnumT):  # a label or member name, else bad
            names = sorted(t.lookup())
            member = lists.contains(exp.Array(expressions=[lit(x) for x in names]), text) if names else exp.false()
            return [(exp.and_(present, exp.Not(this=paren(call("coalesce", member, exp.false()))), copy=False),
                     msg(f"expected one of {', '.join(t.members)}", e))]
        if dtype.kind == "text":  # text is text: nothing can be wrong
            return []
        return [(exp.and_(present, is_null(text), copy=False), msg("expected text", e))]
    if isinstance(t, SetT):
        items = _text_list(e, dtype)
        # a bad element: one that is no name or label of a member, or a null (one set operation, no lambda)
        valid = exp.Array(expressions=[lit(k) for k in sorted(t.enum.lookup())])
        any_bad = exp.or_(exp.Not(this=lists.has_all(valid, items)),
                          exp.LT(this=lists.known(items), expression=lists.length(items)), copy=False)
        members = ", ".join(t.enum.members)
        return [(exp.and_(present, is_null(items), copy=False), msg(f"expected a list of {members}", e)),
                (exp.and_(present, not_null(items), any_bad, copy=False), msg(f"expected one of {members}", e))]
    if isinstance(t, RecordT):
        if dtype.kind == "map":
            e, dtype = call("to_json", e), JSON_T
        if dtype.kind not in ("struct", "json", "null"):
            return [(present, msg("expected a record (object)", e))]
        out = []
        if dtype.kind == "json":
            out.append((exp.and_(present, exp.NEQ(this=call("json_type", e), expression=lit("OBJECT")), copy=False),
                        msg("expected a record (object)", e)))
        for name, finfo in t.fields.items():
            fe, ft = get(e, dtype, name)
            if ft.kind == "null":
                continue
            sub = exp.DPipe(this=path, expression=lit("." + name))
            out.extend(problems(fe, ft, finfo.type, finfo, sub, cells, f"{spath}.{name}"))
        return out
    if isinstance(t, ListT):
        return _list_problems(e, dtype, t, path, present, msg, cells, spath)
    return []


def _num_problems(e, dtype: DType, t: Num, info, present, msg, cells: bool):
    typed = dtype.kind == "num"  # a numeric column: a number for sure, compared as it is
    if dtype.kind == "json":
        good = exp.In(this=call("json_type", e), expressions=[lit(k) for k in _JSON_NUMBER])
    elif dtype.kind == "text" and cells:
        good = not_null(exp.TryCast(this=e, to=exp.DataType.build(f"DECIMAL(38, {DATA_SCALE})")))
    else:
        good = exp.false()
    out = [] if typed else [(exp.and_(present, exp.Not(this=paren(good)), copy=False), msg("expected a number", e))]
    if dtype.kind not in ("json", "num", "text"):
        return out
    value = e if typed else _raw_number(e, dtype, cells)[0]
    known = present if typed else exp.and_(present, paren(good), copy=False)
    if dtype.kind == "num" and not dtype.integer:
        finite = call("isfinite", exp.cast(e, "DOUBLE", copy=False))
        out.append((exp.and_(known, exp.Not(this=finite), copy=False), msg("expected a finite number", e)))
        known = exp.and_(known, finite, copy=False)
    if t.kind == "count" and not (typed and dtype.integer):
        out.append((exp.and_(known, exp.NEQ(this=value, expression=call("floor", value)), copy=False),
                    msg("expected a whole number", e)))
    bounds = getattr(info, "bounds", None)
    if bounds is not None:
        low, high = (number(b) for b in bounds)
        bad = exp.or_(_lt(value, low), _lt(value, high, swap=True), copy=False)
        out.append((exp.and_(known, paren(bad), copy=False), msg(f"expected a value from {bounds[0]} to {bounds[1]}", e)))
    elif t.kind in ("count", "quantity", "ratio"):
        out.append((exp.and_(known, exp.LT(this=value, expression=lit(0)), copy=False), msg("expected a value ≥ 0", e)))
    return out


def _lt(value, bound: Val, swap: bool = False) -> exp.Expression:
    """value < bound (or bound < value when ``swap``), exactly."""
    if swap:
        left = value if bound.den is None else exp.Mul(this=paren(value), expression=bound.den)
        return exp.LT(this=bound.sql, expression=left)
    left = value if bound.den is None else exp.Mul(this=paren(value), expression=bound.den)
    return exp.LT(this=left, expression=bound.sql)


def _list_problems(e, dtype: DType, t: ListT, path, present, msg, cells: bool, spath: str):
    listed = elements(e, dtype)
    if listed is None:
        return [(present, msg("expected a list", e))]
    items, elem_t = listed
    out = []
    if dtype.kind == "json":
        out.append((exp.and_(present, exp.NEQ(this=call("json_type", e), expression=lit("ARRAY")), copy=False),
                    msg("expected a list", e)))
    # the records of a child level are checked too: the Python path's linked problems
    x, i = exp.to_identifier("_x"), exp.to_identifier("_i")
    sub = exp.DPipe(this=exp.DPipe(this=path, expression=lit("[")),
                    expression=exp.DPipe(this=exp.cast(exp.Sub(this=i, expression=lit(1)), "VARCHAR", copy=False),
                                         expression=lit("]")))
    groups: dict[str, list] = {}
    for b, m, p in problems(x, elem_t, t.elem, None, sub, cells, spath):
        groups.setdefault(p, []).append((b, m))
    lam = lambda body: exp.Lambda(this=body, expressions=[x, i])  # noqa: E731
    for p, inner in groups.items():
        bad = exp.or_(*[paren(b) for b, _ in inner], copy=False)
        message = call("concat_ws", lit("; "), *[case([(b, m)]) for b, m in inner])
        any_bad = call("coalesce", call("list_bool_or", call("list_transform", items, lam(bad))), exp.false())
        texts = call("list_filter", call("list_transform", items, lam(case([(bad, message)]))),
                     exp.Lambda(this=not_null(x), expressions=[x]))
        out.append((exp.and_(present, any_bad, copy=False), call("array_to_string", texts, lit("; ")), p))
    return out
