"""Aggregates over lists in SQL, settled as far as the known elements allow (issue 9).

Takes the compiled parts of an aggregate (the list, a lambda parameter, the element's
condition and value) and gives its value as ``runtime.aggregate`` computes it:

* ``all``/``any``: Kleene's and/or over the elements (``all(xs where c)``: every element
  satisfies ``c``);
* ``count``/``share``: the range from the elements known to count to those that may
  (``count`` between known-true and known-true + unknown);
* ``sum``/``avg``/``min``/``max``: an element that is unknown lies in its static range
  (:func:`standardlang.lang.ranges.element_range`, passed in as ``lo``/``hi``), one whose
  condition is unknown may or may not count; the value is the tightest range every
  completion agrees with (``runtime._partial_aggregate``; ``avg``'s extremes by the same
  greedy choice as ``runtime._extreme_mean``, computed as the number of sorted optional
  elements that pull the mean further).

All list work goes through :mod:`.lists`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from sqlglot import exp

from standardlang.backends.sql import lists
from standardlang.backends.sql.numbers import end, unknown
from standardlang.backends.sql.values import (
    NULL, SQLCompileError, Val, case, decimal, greatest, is_null, least, lit, mul_sql, not_null, number, paren)

_FALSE = exp.false()


def _same(e: exp.Expression) -> exp.Expression:
    return e


def quantify(func: str, items: exp.Expression, param: exp.Identifier, where: exp.Expression | None,
             value: exp.Expression | None, keep=_same) -> Val:
    """all/any; ``value`` None with a ``where``: the condition is what every (some) element must satisfy.

    ``keep`` (``SQLCompiler.keep``) computes a list used more than once only once.
    """
    if value is None and where is not None:
        value, where = where, None
    v = value if value is not None else exp.true()
    if func == "all":
        flag = v if where is None else exp.Or(this=exp.Not(this=paren(where)), expression=paren(v))
        agg = _all(keep(lists.transform(items, param, flag)))
    else:
        flag = v if where is None else exp.And(this=paren(where), expression=paren(v))
        agg = any_of(keep(lists.transform(items, param, flag)))
    return Val("bool", case([(is_null(items), exp.cast(NULL, "BOOLEAN", copy=False))], agg))


def count(func: str, items: exp.Expression, param: exp.Identifier, where: exp.Expression | None,
          value: exp.Expression | None, keep=_same) -> Val:
    """count/share: ``[known to count, known + unknown]`` (over the list's length for share)."""
    flag = where
    if value is not None:
        flag = value if flag is None else exp.And(this=paren(flag), expression=paren(value))
    size = lists.length(items)
    if flag is None:
        counted, maybe = size, lit(0)
    else:
        flags = keep(lists.transform(items, param, flag))
        x = exp.to_identifier("_f")
        counted = lists.length(lists.keep(flags, x, exp.EQ(this=x, expression=exp.true())))
        maybe = exp.Sub(this=lists.length(flags), expression=lists.known(flags))
    absent = is_null(items)
    lo = case([(absent, decimal(NULL, 0))], decimal(counted, 0))
    hi = case([(absent, decimal(NULL, 0))], decimal(exp.Add(this=paren(counted), expression=paren(maybe)), 0))
    if func == "count":
        return Val("num", lo, hi=hi)
    empty = exp.or_(absent, exp.EQ(this=size, expression=lit(0)), copy=False)
    lo = case([(empty, decimal(NULL, 0))], decimal(counted, 0))
    hi = case([(empty, decimal(NULL, 0))], decimal(exp.Add(this=paren(counted), expression=paren(maybe)), 0))
    den = exp.func("coalesce", exp.func("nullif", decimal(size, 0), lit(0)), decimal(lit(1), 0))
    return Val("num", lo, hi=hi, den=den)


def _scale(item: Val, bounds: tuple[Any, Any]) -> int:
    return max(item.scale, *(_scale_of(b) for b in bounds))


def element(func: str, param: exp.Identifier, where: exp.Expression | None, item: Val,
            bounds: tuple[Any, Any]) -> exp.Expression:
    """An element of sum/avg/min/max reduced to the struct ``{w, l, h}``: whether it counts, and its two ends."""
    if item.den is not None and uses(item.den, param):
        raise SQLCompileError(f"{func} of quotients whose divisor varies by element")
    s = _scale(item, bounds)
    lo_static, hi_static = (_static(b, item, s) for b in bounds)
    e_lo, e_hi = (_or_static(end(item, high), static, item, s) for high, static in ((False, lo_static), (True, hi_static)))
    cond = where if where is not None else exp.true()
    fields = [("w", cond), ("l", e_lo), ("h", e_hi)]
    return exp.Struct(expressions=[exp.PropertyEQ(this=exp.to_identifier(k), expression=v) for k, v in fields])


def numeric(func: str, items: exp.Expression, param: exp.Identifier, where: exp.Expression | None, item: Val,
            bounds: tuple[Any, Any], keep=_same, pre: exp.Expression | None = None) -> Val:
    """sum/avg/min/max: exact when every element that counts is known, else the range (see the module).

    Each element is first reduced to a struct of its condition and its two ends
    (``{w, l, h}``, :func:`element`), computed once; the passes over the list read that.
    ``pre``: that list of structs already made (:mod:`.grouped`); ``items`` is then it too.
    """
    s = _scale(item, bounds)
    if pre is None:
        pre = keep(lists.transform(items, param, element(func, param, where, item, bounds)))
    x = exp.to_identifier(param.name.replace("_e", "_v"))
    w, e_lo, e_hi = (exp.Dot(this=x.copy(), expression=exp.to_identifier(k)) for k in ("w", "l", "h"))
    certain = exp.Is(this=paren(w), expression=exp.true())
    maybe = is_null(w)
    counts = exp.Not(this=exp.Is(this=paren(w), expression=_FALSE))
    each = lambda body: lists.transform(pre, x, body)  # noqa: E731
    some = lambda cond: exp.func("coalesce", lists.any_true(each(cond)), _FALSE)  # noqa: E731
    none = decimal(NULL, s)
    out_den, out_ds = item.den, item.den_scale
    if func == "sum":
        def part(e, fn):
            return case([(exp.Is(this=paren(w), expression=_FALSE), decimal(lit(0), s)), (certain, e),
                         (is_null(e), none)], decimal(fn(e, decimal(lit(0), s)), s))
        lo, hi = (_sum_all(each(part(e, fn)), s) for e, fn in ((e_lo, least), (e_hi, greatest)))
        lo, hi = (case([(is_null(items), none)], x) for x in (lo, hi))
        return Val("num", lo, hi=hi, den=out_den, scale=s, den_scale=out_ds)
    f = exp.to_identifier("_f")
    n_certain = lists.length(lists.keep(each(certain), f, exp.EQ(this=f, expression=exp.true())))
    gone = exp.or_(is_null(items), exp.EQ(this=n_certain, expression=lit(0)), copy=False)
    if func in ("min", "max"):
        pick = lists.least if func == "min" else lists.greatest
        if func == "min":  # as low as any candidate; no higher than the least high end that surely counts
            lo = case([(gone, none), (some(exp.and_(counts, is_null(e_lo), copy=False)), none)],
                      pick(each(case([(counts, e_lo)]))))
            hi = case([(gone, none)], pick(each(case([(certain, e_hi)]))))
        else:
            lo = case([(gone, none)], pick(each(case([(certain, e_lo)]))))
            hi = case([(gone, none), (some(exp.and_(counts, is_null(e_hi), copy=False)), none)],
                      pick(each(case([(counts, e_hi)]))))
        return Val("num", lo, hi=hi, den=out_den, scale=s, den_scale=out_ds)
    if func == "avg":
        return _avg(items, each, some, certain, maybe, n_certain, gone, e_lo, e_hi, item, s)
    raise SQLCompileError(f"SQL compiler: unhandled aggregate {func}")


def _avg(items, each, some, certain, maybe, n_certain, gone, e_lo, e_hi, item: Val, s: int) -> Val:
    """avg's range: each extreme is (S + P_k) / (n + k) over the k optional ends that pull the mean."""
    n = decimal(n_certain, 0)
    extremes = []
    for e, low in ((e_lo, True), (e_hi, False)):
        total = exp.func("coalesce", lists.total(each(case([(certain, e)]))), decimal(lit(0), s))
        x = exp.to_identifier("_o")
        optional = lists.sort(lists.keep(each(case([(maybe, e)])), x, not_null(x)), descending=not low)
        k = exp.to_identifier("_k")
        before = exp.func("coalesce", lists.total(lists.first(optional, exp.Sub(this=k, expression=lit(1)))),
                          decimal(lit(0), s))
        nth = lists.at(optional, k)
        cnt = exp.Add(this=paren(n), expression=exp.Sub(this=k, expression=lit(1)))
        lhs, rhs = exp.Mul(this=paren(nth), expression=paren(cnt)), exp.Add(this=paren(total), expression=paren(before))
        pulls = exp.LT(this=lhs, expression=rhs) if low else exp.GT(this=lhs, expression=rhs)
        taken = exp.func("coalesce", lists.total(lists.transform(lists.one_to(lists.length(optional)), k, case(
            [(pulls, lit(1))], lit(0)))), lit(0))
        chosen = exp.func("coalesce", lists.total(lists.first(optional, taken)), decimal(lit(0), s))
        open_end = some(exp.and_(exp.or_(certain, maybe, copy=False), is_null(e), copy=False))
        extremes.append((exp.Add(this=paren(total), expression=paren(chosen)),
                         decimal(exp.Add(this=paren(n), expression=paren(taken)), 0), open_end))
    (lo_sum, lo_n, lo_open), (hi_sum, hi_n, hi_open) = extremes
    lo_num, ls = mul_sql(lo_sum, s, hi_n, 0)
    hi_num, _ = mul_sql(hi_sum, s, lo_n, 0)
    lo = case([(gone, decimal(NULL, ls)), (lo_open, decimal(NULL, ls))], decimal(lo_num, ls))
    hi = case([(gone, decimal(NULL, ls)), (hi_open, decimal(NULL, ls))], decimal(hi_num, ls))
    den, ds = mul_sql(lo_n, 0, hi_n, 0)
    if item.den is not None:
        den, ds = mul_sql(den, ds, item.den, item.den_scale)
    den = exp.func("coalesce", exp.func("nullif", den, lit(0)), decimal(lit(1), ds))
    return Val("num", lo, hi=hi, den=den, scale=ls, den_scale=ds)


def _sum_all(parts: exp.Expression, s: int) -> exp.Expression:
    """The sum of a list of ends; NULL (unbounded) if one is."""
    return case([(exp.LT(this=lists.known(parts), expression=lists.length(parts)), decimal(NULL, s))],
                decimal(exp.func("coalesce", lists.total(parts), decimal(lit(0), s)), s))


def _scale_of(bound: Any) -> int:
    if bound is None:
        return 0
    v = number(Fraction(bound))
    return v.scale if v.den is None else 0


def _static(bound: Any, item: Val, s: int) -> exp.Expression:
    """A static bound of an element, as a numerator over the item's denominator (NULL: unbounded)."""
    if bound is None:
        return decimal(NULL, s)
    v = number(Fraction(bound))
    if v.den is not None:
        raise SQLCompileError("an element range with a bound that is no decimal (quotients)")
    if item.den is None:
        return decimal(v.sql, s)
    e, _ = mul_sql(v.sql, v.scale, item.den, item.den_scale)
    return decimal(e, s)


def _or_static(e: Val, static: exp.Expression, item: Val, s: int) -> exp.Expression:
    """An element's end: its own when it is known (in part), else the static bound."""
    if item.hi is None:
        return exp.func("coalesce", decimal(e.sql, s), static)
    return case([(unknown(item), static)], decimal(e.sql, s))


def uses(e: exp.Expression, param: exp.Identifier) -> bool:
    return any(i.name == param.name for i in e.find_all(exp.Identifier)) or e.find(exp.Column) is not None


def _all(flags: exp.Expression) -> exp.Expression:
    """Kleene conjunction of a list of truth values (true for an empty list)."""
    return case([(lists.contains(flags, _FALSE), _FALSE),
                 (exp.LT(this=lists.known(flags), expression=lists.length(flags)), exp.cast(NULL, "BOOLEAN", copy=False))],
                exp.true())


def any_of(flags: exp.Expression) -> exp.Expression:
    """Kleene disjunction of a list of truth values (false for an empty list)."""
    return case([(lists.contains(flags, exp.true()), exp.true()),
                 (exp.LT(this=lists.known(flags), expression=lists.length(flags)), exp.cast(NULL, "BOOLEAN", copy=False))],
                _FALSE)
