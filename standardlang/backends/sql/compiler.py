"""Compile checked IR to SQL expressions (sqlglot trees), one per rule and indicator value.

Takes IR nodes (:mod:`standardlang.lang.ir`), the spec's definitions and the data shape of
the records (:class:`~.values.DType`); gives :class:`~.values.Val` objects whose ``sql`` is a
sqlglot expression.  The semantics are the Python runtime's (:mod:`standardlang.backends.
python.runtime`), node by node: SQL ``NULL`` is *unknown* and SQL's ``AND``/``OR``/``NOT``
are Kleene's; aggregates over lists use list functions with lambdas (``list_transform``,
``list_filter``), unknown as soon as an element that counts is unknown, exactly as
``runtime.aggregate``; numbers are exact rationals (see :mod:`.values`).  A node this
compiler does not know raises :class:`~.values.SQLCompileError`, as sqlglot's generator
does, never a guess.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from standardlang.backends.sql import reader
from standardlang.backends.sql.values import (
    NULL, DType, SQLCompileError, Val, call, case, cross, decimal, is_null, lit, mul_sql, not_null, number, paren)
from standardlang.lang import ir
from standardlang.lang.types import BoolT, EnumT, ListT, LetInfo, Num, RecordT, SetT, TextT

_CMP = {">=": exp.GTE, ">": exp.GT, "<=": exp.LTE, "<": exp.LT, "==": exp.EQ, "!=": exp.NEQ}


class Scope:
    """A record in scope: ``expr`` None is the row itself (its columns are its fields)."""

    __slots__ = ("expr", "dtype")

    def __init__(self, expr: exp.Expression | None, dtype: DType):
        self.expr = expr
        self.dtype = dtype


class SQLCompiler:
    """IR -> :class:`Val`; ``cells`` is set for CSV input, whose cells are text to be read."""

    def __init__(self, lets: dict[str, LetInfo], cells: bool = False):
        self.lets = lets
        self.cells = cells
        self._lets_open: set[str] = set()

    # ------------------------------------------------------------------ entry points
    def value(self, n: ir.Node, scopes: list[Scope]) -> Val:
        method = getattr(self, "c_" + type(n).__name__, None)
        if method is None:
            raise SQLCompileError(f"SQL compiler: unhandled node {type(n).__name__}")
        return method(n, scopes)

    def cond(self, n: ir.Node, scopes: list[Scope]) -> exp.Expression:
        v = self.value(n, scopes)
        if v.kind != "bool":
            raise SQLCompileError(f"expected a condition, found a {v.kind}")
        return v.sql

    # ------------------------------------------------------------------ leaves
    def c_Const(self, n: ir.Const, scopes) -> Val:
        v = n.value
        if isinstance(v, bool):
            return Val("bool", exp.Boolean(this=v))
        if isinstance(v, str):
            return Val("text", lit(v))
        if v is None:
            return Val("bool", exp.cast(NULL, "BOOLEAN"))
        if isinstance(v, int) or v.__class__.__name__ == "Fraction":
            return number(v)
        raise SQLCompileError(f"no SQL for the constant {v!r}")

    def _raw(self, n: ir.Field, scopes) -> tuple[exp.Expression, DType]:
        """The field as stored (before conversion), read from a record (not through a list)."""
        if n.obj is None:
            base = scopes[-1 - n.depth]
            return reader.get(base.expr, base.dtype, n.name)
        obj = self.value(n.obj, scopes)
        if obj.kind != "rec":
            raise SQLCompileError(f"cannot read `{n.name}` from a {obj.kind}")
        return reader.get(obj.sql, obj.dtype, n.name)

    def _leaf(self, n: ir.Field, e: exp.Expression, dtype: DType, t: Any = None) -> Val:
        t = n.type if t is None else t
        if isinstance(t, RecordT):
            return Val("rec", e, dtype=dtype)
        if isinstance(t, ListT):
            listed = reader.elements(e, dtype)
            if listed is None:
                return Val("list", exp.cast(NULL, "JSON[]"), elem=Val("rec", NULL), dtype=reader.JSON_T)
            items, elem_t = listed
            if n.optional and n.list_field:  # an optional list that is absent is empty (runtime.olist)
                items = call("coalesce", items, exp.Array(expressions=[]))
            if isinstance(t.elem, RecordT):
                return Val("list", items, elem=Val("rec", NULL), dtype=elem_t)
            raise SQLCompileError("lists of plain values are not read from data")
        return reader.convert(e, dtype, t if not n.is_set else SetT(n.enum), n.scale, self.cells)

    def c_Field(self, n: ir.Field, scopes) -> Val:
        if not n.over_list:
            e, dtype = self._raw(n, scopes)
            return self._leaf(n, e, dtype)
        coll = self.value(n.obj, scopes)
        if coll.kind != "list" or coll.elem is None or coll.elem.kind != "rec":
            raise SQLCompileError(f"`{n.path}`: a path through a list of {coll.elem.kind if coll.elem else '?'}")
        param = _param(scopes)
        e, dtype = reader.get(param, coll.dtype, n.name)
        # the node's type is the list the path gives; an element has the field's own type
        t = n.type.elem if isinstance(n.type, ListT) and not n.list_field else None
        elem = self._leaf(n, e, dtype, t)
        return self._project(coll, param, elem, flatten=n.list_field)

    def _project(self, coll: Val, param: exp.Identifier, elem: Val, flatten: bool) -> Val:
        """``runtime.project``: map over a list; a list of lists is flattened (unknown if one is)."""
        body = elem.sql
        if elem.kind == "num" and elem.den is not None:
            raise SQLCompileError("a list of quotients")
        mapped = call("list_transform", coll.sql, exp.Lambda(this=body, expressions=[param]))
        if not flatten:
            template = Val(elem.kind, NULL, scale=elem.scale, elem=elem.elem, dtype=elem.dtype)
            return Val("list", mapped, elem=template, dtype=elem.dtype if elem.kind == "rec" else None)
        if elem.kind != "list":
            raise SQLCompileError("flattening a list of non-lists")
        one_unknown = call("list_bool_or", call("list_transform", coll.sql, exp.Lambda(
            this=is_null(body), expressions=[param])))
        flat = case([(exp.EQ(this=call("coalesce", one_unknown, exp.false()), expression=exp.false()),
                      call("flatten", mapped))])
        return Val("list", flat, elem=elem.elem, dtype=elem.dtype)

    def c_LetRef(self, n: ir.LetRef, scopes) -> Val:
        key = f"{n.entity}.{n.name}"
        info = self.lets[key]
        if key in self._lets_open:
            raise SQLCompileError(f"definition `{n.name}` refers to itself")
        if n.obj is None:
            base = scopes[0] if n.entity.startswith("goal:") else scopes[-1 - n.depth]
            return self._let(key, info, base, wrap=False)
        obj = self.value(n.obj, scopes)
        if not n.over_list:
            if obj.kind != "rec":
                raise SQLCompileError(f"definition `{n.name}` of a {obj.kind}")
            return self._let(key, info, Scope(obj.sql, obj.dtype), wrap=True)
        if obj.kind != "list" or obj.elem is None or obj.elem.kind != "rec":
            raise SQLCompileError(f"definition `{n.name}` over a list of {obj.elem.kind if obj.elem else '?'}")
        param = _param(scopes)
        elem = self._let(key, info, Scope(param, obj.dtype), wrap=True)
        return self._project(obj, param, elem, flatten=isinstance(info.type, ListT))

    def _let(self, key: str, info: LetInfo, base: Scope, wrap: bool) -> Val:
        self._lets_open.add(key)
        try:
            v = self.value(info.ir, [base])
        finally:
            self._lets_open.discard(key)
        if not wrap or base.expr is None:
            return v
        # runtime: a definition of an absent record is unknown, whatever its expression says
        return _map_sql(v, lambda e: case([(is_null(base.expr), _typed_null(e))], e))

    # ------------------------------------------------------------------ operators
    def c_Unary(self, n: ir.Unary, scopes) -> Val:
        v = self.value(n.operand, scopes)
        if n.op == "not":
            return Val("bool", exp.Not(this=paren(v.sql)))
        return Val("num", exp.Neg(this=paren(v.sql)), den=v.den, scale=v.scale, den_scale=v.den_scale)

    def c_Binary(self, n: ir.Binary, scopes) -> Val:
        a, b = self.value(n.left, scopes), self.value(n.right, scopes)
        _need_num(a, b)
        if n.op in ("+", "-"):
            cls = exp.Add if n.op == "+" else exp.Sub
            if a.den is None and b.den is None:
                return Val("num", cls(this=paren(a.sql), expression=paren(b.sql)), scale=max(a.scale, b.scale))
            left, right = cross(a, b)
            den, ds = _mul_den(a, b)
            scale = max(a.scale + b.den_scale, b.scale + a.den_scale)
            return Val("num", cls(this=paren(left), expression=paren(right)), den=den, scale=min(scale, 24),
                       den_scale=ds)
        if n.op == "*":
            num, s = mul_sql(a.sql, a.scale, b.sql, b.scale)
            den, ds = _mul_den(a, b)
            return Val("num", num, den=den, scale=s, den_scale=ds)
        if n.op == "/":
            return _divide(a, b)
        raise SQLCompileError(f"SQL compiler: unhandled operator {n.op}")

    def c_Logic(self, n: ir.Logic, scopes) -> Val:
        cls = exp.And if n.op == "and" else exp.Or
        return Val("bool", paren(cls(this=paren(self.cond(n.left, scopes)), expression=paren(self.cond(n.right, scopes)))))

    def c_Compare(self, n: ir.Compare, scopes) -> Val:
        return Val("bool", compare(n.op, self.value(n.left, scopes), self.value(n.right, scopes)))

    def c_Between(self, n: ir.Between, scopes) -> Val:
        v, lo, hi = (self.value(x, scopes) for x in (n.value, n.low, n.high))
        return Val("bool", paren(exp.And(this=paren(compare(">=", v, lo)), expression=paren(compare("<=", v, hi)))))

    def c_Member(self, n: ir.Member, scopes) -> Val:
        v = self.value(n.value, scopes)
        if isinstance(n.collection, ir.SetLiteral):
            items = [self.value(i, scopes) for i in n.collection.items]
            found = _kleene_or([compare("==", v, i) for i in items])
        else:
            found = self._member_of_list(v, self.value(n.collection, scopes), scopes)
        return Val("bool", exp.Not(this=paren(found)) if n.negated else found)

    def _member_of_list(self, v: Val, coll: Val, scopes) -> exp.Expression:
        """``runtime.member(v, list)``: true if found, unknown if not found but an element is unknown."""
        if coll.kind not in ("list", "set"):
            raise SQLCompileError(f"membership in a {coll.kind}")
        param = _param(scopes)
        elem = Val("text", param) if coll.kind == "set" else _element(coll, param)
        flags = call("list_transform", coll.sql, exp.Lambda(this=compare("==", v, elem), expressions=[param]))
        return case([(exp.or_(is_null(_null_test(v)), is_null(coll.sql), copy=False), exp.cast(NULL, "BOOLEAN"))],
                    _any(flags))

    def c_Contains(self, n: ir.Contains, scopes) -> Val:
        coll = self.value(n.collection, scopes)
        if n.quant is None:
            return Val("bool", self._member_of_list(self.value(n.items, scopes), coll, scopes))
        if not isinstance(n.items, ir.SetLiteral):
            raise SQLCompileError("contains all/any of a non-literal")
        parts = [self._member_of_list(self.value(i, scopes), coll, scopes) for i in n.items.items]
        joined = _kleene_and(parts) if n.quant == "all" else _kleene_or(parts)
        return Val("bool", case([(is_null(coll.sql), exp.cast(NULL, "BOOLEAN"))], joined))

    def c_SetLiteral(self, n: ir.SetLiteral, scopes) -> Val:
        raise SQLCompileError("a set literal outside `in` / `contains`")

    def c_Cond(self, n: ir.Cond, scopes) -> Val:
        t = self.cond(n.test, scopes)
        a, b = self.value(n.then, scopes), self.value(n.else_, scopes)
        return choose(t, a, b)

    def c_Present(self, n: ir.Present, scopes) -> Val:
        target = n.target
        if isinstance(target, ir.Field) and not target.over_list:
            e, _ = self._raw(target, scopes)
            return Val("bool", not_null(e))
        return Val("bool", not_null(_null_test(self.value(target, scopes))))

    def c_Builtin(self, n: ir.Builtin, scopes) -> Val:
        args = [self.value(a, scopes) for a in n.args]
        _need_num(*args)
        if n.func == "abs":
            a = args[0]
            return Val("num", call("abs", a.sql), den=a.den, scale=a.scale, den_scale=a.den_scale)
        if n.func not in ("min", "max"):
            raise SQLCompileError(f"SQL compiler: unhandled function {n.func}")
        acc = args[0]
        for b in args[1:]:
            keep_a = paren(compare("<=" if n.func == "min" else ">=", acc, b))
            unknown = exp.or_(is_null(acc.sql), is_null(b.sql), copy=False)
            s = max(acc.scale, b.scale)  # branches cast to one scale (see choose)
            num = case([(unknown, exp.Null()), (keep_a, decimal(acc.sql, s))], decimal(b.sql, s))
            if acc.den is None and b.den is None:
                acc = Val("num", num, scale=s)
                continue
            one = decimal(lit(1), 0)
            ds = max(acc.den_scale, b.den_scale)
            den = case([(keep_a, decimal(acc.den or one, ds))], decimal(b.den or one, ds))
            acc = Val("num", num, den=den, scale=s, den_scale=ds)
        return acc

    # ------------------------------------------------------------------ aggregates
    def c_Aggregate(self, n: ir.Aggregate, scopes) -> Val:
        coll = self.value(n.coll, scopes)
        if coll.kind not in ("list", "set"):
            raise SQLCompileError(f"{n.func} over a {coll.kind}")
        param = _param(scopes)
        if coll.kind == "set" or coll.elem is None or coll.elem.kind != "rec":
            if n.item is not None or n.where is not None:
                raise SQLCompileError(f"{n.func} with a condition over plain values")
            elem = Val("text", param) if coll.kind == "set" else _element(coll, param)
            inner = scopes
        else:
            elem = None
            inner = scopes + [Scope(param, coll.dtype)]
        where = self.cond(n.where, inner) if n.where is not None else None
        given = self.value(n.item, inner) if n.item is not None else None
        item = given if given is not None else elem
        lam = lambda body: exp.Lambda(this=body, expressions=[param])  # noqa: E731
        items = coll.sql
        if n.func in ("all", "any"):
            v = item.sql if item is not None else exp.true()
            if n.func == "all":
                flag = v if where is None else exp.Or(this=exp.Not(this=paren(where)), expression=paren(v))
                agg = _all(call("list_transform", items, lam(flag)))
            else:
                flag = v if where is None else exp.And(this=paren(where), expression=paren(v))
                agg = _any(call("list_transform", items, lam(flag)))
            return Val("bool", case([(is_null(items), exp.cast(NULL, "BOOLEAN"))], agg))
        if n.func in ("count", "share"):
            return self._count(n.func, items, lam, where, given)
        if item is None or item.kind != "num":
            raise SQLCompileError(f"{n.func} of a {item.kind if item else 'record'}")
        return _numeric_aggregate(n.func, items, lam, where, item, param)

    def _count(self, func: str, items, lam, where, item) -> Val:
        flag = where  # runtime.aggregate: an element counts when its condition and its item hold
        if item is not None:
            if item.kind != "bool":
                raise SQLCompileError(f"{func} of a {item.kind}")
            flag = item.sql if flag is None else exp.And(this=paren(flag), expression=paren(item.sql))
        size = call("len", items)
        if flag is None:
            counted, unknown = size, exp.false()
        else:
            flags = call("list_transform", items, lam(flag))
            x = exp.to_identifier("_f")
            counted = call("len", call("list_filter", flags, exp.Lambda(this=exp.EQ(this=x, expression=exp.true()),
                                                                          expressions=[x])))
            unknown = exp.LT(this=call("list_count", flags), expression=call("len", flags))
        unknown_or_absent = exp.or_(is_null(items), paren(unknown), copy=False)
        if func == "count":
            return Val("num", case([(unknown_or_absent, decimal(NULL, 0))], decimal(counted, 0)))
        empty = exp.EQ(this=size, expression=lit(0))
        return Val("num", case([(exp.or_(unknown_or_absent, empty, copy=False), decimal(NULL, 0))], decimal(counted, 0)),
                   den=decimal(call("nullif", size, lit(0)), 0))


def _numeric_aggregate(func: str, items, lam, where, item: Val, param: exp.Identifier) -> Val:
    """sum/avg/min/max as ``runtime.aggregate``: unknown if an element that counts is unknown."""
    if item.den is not None and _uses(item.den, param):
        raise SQLCompileError(f"{func} of quotients whose divisor varies by element")
    v = item.sql
    if where is None:
        unknown_flag, selected = is_null(v), items
    else:
        unknown_flag = case([(exp.Is(this=paren(where), expression=exp.false()), exp.false()),
                             (is_null(where), exp.true())], is_null(v))
        selected = call("list_filter", items, lam(where))
    values = call("list_transform", selected, lam(v))
    unknown = exp.or_(is_null(items), paren(call("coalesce", call("list_bool_or", call(
        "list_transform", items, lam(unknown_flag))), exp.false())))
    none = decimal(NULL, item.scale)
    if func == "sum":
        total = call("coalesce", call("list_sum", values), decimal(lit(0), item.scale))
        return Val("num", case([(unknown, none)], total), den=item.den, scale=item.scale, den_scale=item.den_scale)
    if func in ("min", "max"):
        return Val("num", case([(unknown, none)], call("list_" + func, values)), den=item.den, scale=item.scale,
                   den_scale=item.den_scale)
    if func == "avg":
        count = call("len", values)
        total = call("list_sum", values)
        n = case([(exp.or_(unknown, exp.EQ(this=count, expression=lit(0)), copy=False), none)], total)
        den = decimal(call("nullif", count, lit(0)), 0)
        if item.den is not None:
            den, ds = mul_sql(den, 0, item.den, item.den_scale)
            return Val("num", n, den=den, scale=item.scale, den_scale=ds)
        return Val("num", n, den=den, scale=item.scale)
    raise SQLCompileError(f"SQL compiler: unhandled aggregate {func}")


# ------------------------------------------------------------------ helpers
def compare(op: str, a: Val, b: Val) -> exp.Expression:
    """``runtime.compare``: exact for numbers (cross-multiplied), ``==``/``!=`` for the rest."""
    cls = _CMP[op]
    if a.kind == "num" and b.kind == "num":
        left, right = cross(a, b)
        return cls(this=paren(left), expression=paren(right))
    if a.kind != b.kind or op not in ("==", "!=") or a.kind not in ("bool", "text"):
        raise SQLCompileError(f"comparing a {a.kind} {op} a {b.kind}")
    return cls(this=paren(a.sql), expression=paren(b.sql))


def choose(test: exp.Expression, a: Val, b: Val, strict: bool = False) -> Val:
    """``runtime.cond``: the branch the test picks; when it is unknown, the common value if both agree."""
    if a.kind != b.kind:
        raise SQLCompileError(f"if-then-else of a {a.kind} and a {b.kind}")
    if a.kind not in ("num", "bool", "text"):
        raise SQLCompileError(f"if-then-else of a {a.kind}")
    if a.kind != "num":
        whens = [(paren(test), a.sql), (exp.Not(this=paren(test)), b.sql)]
        if not strict:
            whens.append((compare("==", a, b), a.sql))
        return Val(a.kind, case(whens))
    # DuckDB types a CASE of DECIMAL(38, 0) and DECIMAL(38, 2) as DECIMAL(38, 0): cast each branch
    s = max(a.scale, b.scale)
    an, bn = decimal(a.sql, s), decimal(b.sql, s)
    whens = [(paren(test), an), (exp.Not(this=paren(test)), bn)]
    if not strict:
        whens.append((compare("==", a, b), an))
    num = case(whens)
    if a.den is None and b.den is None:
        return Val("num", num, scale=s)
    ds = max(a.den_scale, b.den_scale)
    one = decimal(lit(1), 0)
    ad, bd = decimal(a.den or one, ds), decimal(b.den or one, ds)
    den = case([(paren(test), ad), (exp.Not(this=paren(test)), bd)], ad)
    return Val("num", num, den=den, scale=s, den_scale=ds)


def _divide(a: Val, b: Val) -> Val:
    """``runtime.div``: unknown when the divisor is zero; the denominator stays positive."""
    num, s = (a.sql, a.scale) if b.den is None else mul_sql(a.sql, a.scale, b.den, b.den_scale)
    den_base = b.sql
    den, ds = (call("abs", den_base), b.scale) if a.den is None else mul_sql(a.den, a.den_scale, call("abs", den_base), b.scale)
    # unknown when the divisor is zero or unknown (no branch matches)
    signed = case([(exp.GT(this=paren(b.sql), expression=lit(0)), num),
                   (exp.LT(this=paren(b.sql), expression=lit(0)), exp.Neg(this=paren(num)))])
    return Val("num", signed, den=den, scale=s, den_scale=ds)


def _mul_den(a: Val, b: Val) -> tuple[exp.Expression | None, int]:
    if a.den is None:
        return b.den, b.den_scale
    if b.den is None:
        return a.den, a.den_scale
    return mul_sql(a.den, a.den_scale, b.den, b.den_scale)


def _need_num(*vals: Val) -> None:
    for v in vals:
        if v.kind != "num":
            raise SQLCompileError(f"arithmetic on a {v.kind}")


def _param(scopes: list) -> exp.Identifier:
    return exp.to_identifier(f"_e{len(scopes)}")


def _element(coll: Val, param: exp.Identifier) -> Val:
    t = coll.elem
    return Val(t.kind, param, scale=t.scale, dtype=t.dtype, elem=t.elem)


def _uses(e: exp.Expression, param: exp.Identifier) -> bool:
    return any(i.name == param.name for i in e.find_all(exp.Identifier)) or e.find(exp.Column) is not None


def _null_test(v: Val) -> exp.Expression:
    return v.sql


def _typed_null(e: exp.Expression) -> exp.Expression:
    return exp.Null()


def _map_sql(v: Val, fn) -> Val:
    return Val(v.kind, fn(v.sql), den=v.den, scale=v.scale, den_scale=v.den_scale, elem=v.elem, dtype=v.dtype)


def _all(flags: exp.Expression) -> exp.Expression:
    """Kleene conjunction of a list of truth values (true for an empty list)."""
    return case([(call("list_contains", flags, exp.false()), exp.false()),
                 (exp.LT(this=call("list_count", flags), expression=call("len", flags)), exp.cast(NULL, "BOOLEAN"))],
                exp.true())


def _any(flags: exp.Expression) -> exp.Expression:
    """Kleene disjunction of a list of truth values (false for an empty list)."""
    return case([(call("list_contains", flags, exp.true()), exp.true()),
                 (exp.LT(this=call("list_count", flags), expression=call("len", flags)), exp.cast(NULL, "BOOLEAN"))],
                exp.false())


def _kleene_or(parts: list[exp.Expression]) -> exp.Expression:
    out = paren(parts[0])
    for p in parts[1:]:
        out = paren(exp.Or(this=out, expression=paren(p)))
    return out


def _kleene_and(parts: list[exp.Expression]) -> exp.Expression:
    out = paren(parts[0])
    for p in parts[1:]:
        out = paren(exp.And(this=out, expression=paren(p)))
    return out
