"""Numbers in SQL: exact rationals, and ranges of them where a value is known only partly.

Takes compiled numbers (:class:`~.values.Val` of kind ``num``); gives their sums, products,
quotients, comparisons, ``if``-choices, ``min``/``max``/``abs``, as sqlglot expressions with
the meaning of :mod:`standardlang.backends.python.runtime`, node for node:

* an exact number is a ``DECIMAL`` numerator over a positive denominator (``NULL``:
  unknown); a product or quotient keeps both, a comparison cross-multiplies;
* a range (``Val.hi`` set, issue 9) is a pair of numerators over one denominator, a
  ``NULL`` end unbounded: arithmetic is :mod:`standardlang.lang.ranges`' interval
  arithmetic (``0 × ∞`` is 0), a comparison decides only when the whole range lies on one
  side (``runtime.compare_bounds``), and an ``if`` whose test is unknown gives the range
  holding both branches (``runtime.cond``).  A range whose ends meet is the exact value and
  one unbounded on both sides is unknown, as ``runtime.bounded`` makes them.

Every operation takes the exact path when no operand is a range, so specs without
aggregates compile to the plain expressions they always did.
"""

from __future__ import annotations

from sqlglot import exp

from standardlang.backends.sql.values import (
    MAX_SCALE, NULL, SQLCompileError, Val, call, case, cross, decimal, greatest, is_null, least, lit, mul_sql, paren)

_CMP = {">=": exp.GTE, ">": exp.GT, "<=": exp.LTE, "<": exp.LT, "==": exp.EQ, "!=": exp.NEQ}
_MIRROR = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}


# ------------------------------------------------------------------ the two ends
def is_range(v: Val) -> bool:
    return v.hi is not None


def end(v: Val, high: bool = False) -> Val:
    """One end of ``v`` as an exact number (the value itself when ``v`` is exact)."""
    e = v.hi if high and v.hi is not None else v.sql
    return Val("num", e, den=v.den, scale=v.scale, den_scale=v.den_scale)


def unknown(v: Val) -> exp.Expression:
    """Whether ``v`` is unknown altogether (a range: unbounded on both sides)."""
    if v.hi is None:
        return is_null(v.sql)
    return exp.and_(is_null(v.sql), is_null(v.hi), copy=False)


def ranged(lo: Val, hi: Val) -> Val:
    """The range ``[lo, hi]`` of two exact numbers over the same denominator."""
    if lo.den != hi.den or lo.den_scale != hi.den_scale:
        raise SQLCompileError("the ends of a range over different denominators")
    s = max(lo.scale, hi.scale)
    lo_e = lo.sql if lo.scale == s else decimal(lo.sql, s)
    hi_e = hi.sql if hi.scale == s else decimal(hi.sql, s)
    return Val("num", lo_e, hi=hi_e, den=lo.den, scale=s, den_scale=lo.den_scale)


def _over(a: Val, b: Val) -> tuple[list[exp.Expression], list[exp.Expression], exp.Expression | None, int, int]:
    """The ends of ``a`` and ``b`` as numerators over one common denominator, at one scale."""
    (alo, blo), (ahi, bhi) = cross(end(a), end(b)), cross(end(a, True), end(b, True))
    sa, sb = a.scale + (b.den_scale if b.den is not None else 0), b.scale + (a.den_scale if a.den is not None else 0)
    s = min(max(sa, sb), MAX_SCALE)
    fix = lambda e, own: e if own == s else decimal(e, s)  # noqa: E731
    den, ds = mul_den(a, b)
    return [fix(alo, sa), fix(ahi, sa)], [fix(blo, sb), fix(bhi, sb)], den, s, ds


def mul_den(a: Val, b: Val) -> tuple[exp.Expression | None, int]:
    if a.den is None:
        return b.den, b.den_scale
    if b.den is None:
        return a.den, a.den_scale
    return mul_sql(a.den, a.den_scale, b.den, b.den_scale)


# ------------------------------------------------------------------ arithmetic
def _same(e: exp.Expression) -> exp.Expression:
    return e


def arith(op: str, a: Val, b: Val, keep=_same) -> Val:
    """``runtime.arith``: ``+ - * /`` exactly, over ranges as intervals.

    ``keep`` (``SQLCompiler.keep``) computes an intermediate value read several times once.
    """
    if op == "/":
        return divide(a, b, keep)
    if not (is_range(a) or is_range(b)):
        return _exact(op, a, b)
    if op == "+":
        return ranged(_exact("+", end(a), end(b)), _exact("+", end(a, True), end(b, True)))
    if op == "-":
        return ranged(_exact("-", end(a), end(b, True)), _exact("-", end(a, True), end(b)))
    return _mul_ranges(a, b)


def _exact(op: str, a: Val, b: Val) -> Val:
    if op in ("+", "-"):
        cls = exp.Add if op == "+" else exp.Sub
        if a.den is None and b.den is None:
            return Val("num", cls(this=paren(a.sql), expression=paren(b.sql)), scale=max(a.scale, b.scale))
        left, right = cross(a, b)
        den, ds = mul_den(a, b)
        scale = max(a.scale + (b.den_scale if b.den is not None else 0), b.scale + (a.den_scale if a.den is not None else 0))
        return Val("num", cls(this=paren(left), expression=paren(right)), den=den, scale=min(scale, MAX_SCALE),
                   den_scale=ds)
    if op == "*":
        num, s = mul_sql(a.sql, a.scale, b.sql, b.scale)
        den, ds = mul_den(a, b)
        return Val("num", num, den=den, scale=s, den_scale=ds)
    raise SQLCompileError(f"SQL compiler: unhandled operator {op}")


def neg(v: Val) -> Val:
    """``runtime.neg``: a range turns round."""
    if not is_range(v):
        return Val("num", exp.Neg(this=paren(v.sql)), den=v.den, scale=v.scale, den_scale=v.den_scale, const=_neg(v.const))
    return Val("num", exp.Neg(this=paren(v.hi)), hi=exp.Neg(this=paren(v.sql)), den=v.den, scale=v.scale,
               den_scale=v.den_scale)


def _neg(c):
    return None if c is None else -c


def _sign(x: exp.Expression, low_end: bool) -> exp.Expression:
    """The sign of an end, an unbounded one counting as −∞ (low) or +∞ (high)."""
    return case([(is_null(x), lit(-1 if low_end else 1)), (exp.GT(this=paren(x), expression=lit(0)), lit(1)),
                 (exp.LT(this=paren(x), expression=lit(0)), lit(-1))], lit(0))


def _mul_ranges(a: Val, b: Val) -> Val:
    """``ranges.mul``: the least and greatest of the four products of the ends (0 × ∞ is 0)."""
    if b.const is None and a.const is not None:
        a, b = b, a
    if b.const is not None and not is_range(b):
        k = b.const
        if k == 0:  # runtime.arith: an unknown stays unknown, else 0 whatever the range
            return Val("num", case([(unknown(a), decimal(NULL, 0))], decimal(lit(0), 0)))
        lo, hi = _exact("*", end(a), b), _exact("*", end(a, True), b)
        return ranged(lo, hi) if k > 0 else ranged(hi, lo)
    den, ds = mul_den(a, b)
    values, neg_inf, pos_inf = [], [], []
    scale = None
    for x, x_low in ((end(a).sql, True), (end(a, True).sql, False)):
        for y, y_low in ((end(b).sql, True), (end(b, True).sql, False)):
            p, scale = mul_sql(x, a.scale, y, b.scale)
            zero = call("coalesce", exp.or_(exp.EQ(this=paren(x), expression=lit(0)),
                                            exp.EQ(this=paren(y), expression=lit(0)), copy=False), exp.false())
            values.append(case([(zero, decimal(lit(0), scale))], decimal(p, scale)))
            infinite = exp.and_(exp.Not(this=paren(zero)), exp.or_(is_null(x), is_null(y), copy=False), copy=False)
            sign = exp.Mul(this=paren(_sign(x, x_low)), expression=paren(_sign(y, y_low)))
            neg_inf.append(exp.and_(infinite, exp.LT(this=paren(sign), expression=lit(0)), copy=False))
            pos_inf.append(exp.and_(infinite, exp.GT(this=paren(sign), expression=lit(0)), copy=False))
    gone = exp.or_(unknown(a), unknown(b), copy=False)
    lo = case([(gone, decimal(NULL, scale)), (exp.or_(*neg_inf, copy=False), decimal(NULL, scale))],
              least(*values))
    hi = case([(gone, decimal(NULL, scale)), (exp.or_(*pos_inf, copy=False), decimal(NULL, scale))],
              greatest(*values))
    return Val("num", lo, hi=hi, den=den, scale=scale, den_scale=ds)


def divide(a: Val, b: Val, keep=_same) -> Val:
    """``runtime.div``: unknown when the divisor is (or may be) zero; the denominator stays positive."""
    if is_range(b):
        inv = _inverse(b)
        inv = Val("num", keep(inv.sql), hi=keep(inv.hi), den=keep(inv.den), scale=inv.scale, den_scale=inv.den_scale)
        return _mul_ranges(a, inv)
    if not is_range(a):
        return _divide(a, b)
    lo_q, hi_q = _divide(end(a), b), _divide(end(a, True), b)
    below = exp.LT(this=paren(b.sql), expression=lit(0))
    return Val("num", case([(below, hi_q.sql)], lo_q.sql), hi=case([(below, lo_q.sql)], hi_q.sql), den=lo_q.den,
               scale=lo_q.scale, den_scale=lo_q.den_scale)


def _divide(a: Val, b: Val) -> Val:
    num, s = (a.sql, a.scale) if b.den is None else mul_sql(a.sql, a.scale, b.den, b.den_scale)
    if a.den is None:
        den, ds = call("abs", b.sql), b.scale
    else:
        den, ds = mul_sql(a.den, a.den_scale, call("abs", b.sql), b.scale)
    # unknown when the divisor is zero or unknown (no branch matches); the denominator is then 1
    signed = case([(exp.GT(this=paren(b.sql), expression=lit(0)), num),
                   (exp.LT(this=paren(b.sql), expression=lit(0)), exp.Neg(this=paren(num)))])
    return Val("num", signed, den=_positive(den, ds), scale=s, den_scale=ds)


def _positive(den: exp.Expression, scale: int) -> exp.Expression:
    """A denominator that is never NULL or 0 (where it would be, the numerator is NULL)."""
    return call("coalesce", call("nullif", den, lit(0)), decimal(lit(1), scale))


def _inverse(b: Val) -> Val:
    """``1 / b`` for a range ``b``: unknown unless ``b`` lies wholly on one side of 0 (``ranges.div``)."""
    bl, bh, s = b.sql, b.hi, b.scale
    bd = b.den if b.den is not None else decimal(lit(1), 0)
    bds = b.den_scale if b.den is not None else 0
    above = exp.GT(this=paren(bl), expression=lit(0))
    below = exp.LT(this=paren(bh), expression=lit(0))
    one, minus_one = decimal(lit(1), s), decimal(exp.Neg(this=lit(1)), s)
    d_pos, ds = mul_sql(bl, s, call("coalesce", bh, one), s)
    d_neg, _ = mul_sql(call("coalesce", bl, minus_one), s, bh, s)
    den = case([(above, decimal(d_pos, ds)), (below, decimal(d_neg, ds))])
    lo_pos, ns = mul_sql(bd, bds, bl, s)
    hi_pos, _ = mul_sql(bd, bds, call("coalesce", bh, one), s)
    lo_neg, _ = mul_sql(bd, bds, call("coalesce", bl, minus_one), s)
    hi_neg, _ = mul_sql(bd, bds, bh, s)
    zero = decimal(lit(0), ns)
    lo = case([(above, case([(is_null(bh), zero)], decimal(lo_pos, ns))), (below, decimal(lo_neg, ns))])
    hi = case([(above, decimal(hi_pos, ns)), (below, case([(is_null(bl), zero)], decimal(hi_neg, ns)))])
    return Val("num", lo, hi=hi, den=_positive(den, ds), scale=ns, den_scale=ds)


# ------------------------------------------------------------------ comparisons
def compare(op: str, a: Val, b: Val) -> exp.Expression:
    """``runtime.compare``: exact for numbers (cross-multiplied), ``==``/``!=`` for the rest."""
    if a.kind == "num" and b.kind == "num":
        if is_range(a) or is_range(b):
            return _compare_ranges(op, a, b)
        left, right = cross(a, b)
        return _CMP[op](this=paren(left), expression=paren(right))
    if a.kind != b.kind or op not in ("==", "!=") or a.kind not in ("bool", "text"):
        raise SQLCompileError(f"comparing a {a.kind} {op} a {b.kind}")
    return _CMP[op](this=paren(a.sql), expression=paren(b.sql))


def _compare_ranges(op: str, a: Val, b: Val) -> exp.Expression:
    """``runtime.compare_bounds``: decided only when every pair of values gives the same answer."""
    if op in ("<=", "<"):
        a, b, op = b, a, _MIRROR[op]
    (alo, ahi), (blo, bhi), _, _, _ = _over(a, b)
    cmp = lambda cls, x, y: cls(this=paren(x), expression=paren(y))  # noqa: E731
    if op in ("==", "!="):
        apart = exp.or_(call("coalesce", cmp(exp.LT, ahi, blo), exp.false()),
                        call("coalesce", cmp(exp.LT, bhi, alo), exp.false()), copy=False)
        same = call("coalesce", exp.and_(cmp(exp.EQ, alo, ahi), cmp(exp.EQ, ahi, blo), cmp(exp.EQ, blo, bhi),
                                         copy=False), exp.false())
        return case([(apart, exp.Boolean(this=op == "!=")), (same, exp.Boolean(this=op == "=="))],
                    exp.cast(NULL, "BOOLEAN", copy=False))
    surely = cmp(_CMP[op], alo, bhi)  # NULL when an end is unbounded: not decided
    never = cmp(exp.LT if op == ">=" else exp.LTE, ahi, blo)
    return case([(surely, exp.true()), (never, exp.false())], exp.cast(NULL, "BOOLEAN", copy=False))


def point(v: Val) -> exp.Expression:
    """Whether ``v`` is one known number (a range whose ends meet)."""
    if not is_range(v):
        return exp.Not(this=is_null(v.sql))
    return call("coalesce", exp.EQ(this=paren(v.sql), expression=paren(v.hi)), exp.false())


# ------------------------------------------------------------------ if, min, max, abs
def choose(test: exp.Expression, a: Val, b: Val) -> Val:
    """``runtime.cond`` for numbers: the branch the test picks; when it is unknown, the range holding both."""
    (alo, ahi), (blo, bhi), den, s, ds = _over(a, b)
    gone = exp.or_(unknown(a), unknown(b), copy=False)
    none = decimal(NULL, s)

    def side(x, y, pick):
        either_open = exp.or_(is_null(x), is_null(y), copy=False)
        return case([(paren(test), x), (exp.Not(this=paren(test)), y), (gone, none), (either_open, none)],
                    pick(x, y))

    return Val("num", side(alo, blo, least), hi=side(ahi, bhi, greatest), den=den, scale=s, den_scale=ds)


def minmax(func: str, args: list[Val]) -> Val:
    """``runtime.minmax``: unknown if an argument is; over ranges, ``_minmax_bounds``."""
    acc = args[0]
    for b in args[1:]:
        (alo, ahi), (blo, bhi), den, s, ds = _over(acc, b)
        gone = exp.or_(unknown(acc), unknown(b), copy=False)
        none = decimal(NULL, s)
        pick = least if func == "min" else greatest
        both = lambda x, y: case([(gone, none), (exp.or_(is_null(x), is_null(y), copy=False), none)],  # noqa: E731
                                 pick(x, y))
        either = lambda x, y: case([(gone, none)], pick(x, y))  # noqa: E731
        if not (is_range(acc) or is_range(b)):
            acc = Val("num", both(alo, blo), den=den, scale=s, den_scale=ds)
        elif func == "min":  # as low as either may be; no higher than the least known high end
            acc = Val("num", both(alo, blo), hi=either(ahi, bhi), den=den, scale=s, den_scale=ds)
        else:
            acc = Val("num", either(alo, blo), hi=both(ahi, bhi), den=den, scale=s, den_scale=ds)
    return acc


def absval(v: Val) -> Val:
    """``runtime.absval``."""
    if not is_range(v):
        return Val("num", call("abs", v.sql), den=v.den, scale=v.scale, den_scale=v.den_scale)
    lo, hi, s = v.sql, v.hi, v.scale
    none = decimal(NULL, s)
    nonneg = exp.GTE(this=paren(lo), expression=lit(0))
    nonpos = exp.LTE(this=paren(hi), expression=lit(0))
    gone = unknown(v)
    new_lo = case([(gone, none), (nonneg, lo), (nonpos, decimal(exp.Neg(this=paren(hi)), s))], decimal(lit(0), s))
    new_hi = case([(gone, none), (nonneg, hi), (nonpos, decimal(exp.Neg(this=paren(lo)), s)),
                   (exp.or_(is_null(lo), is_null(hi), copy=False), none)],
                  greatest(decimal(exp.Neg(this=paren(lo)), s), hi))
    return Val("num", new_lo, hi=new_hi, den=v.den, scale=s, den_scale=v.den_scale)

