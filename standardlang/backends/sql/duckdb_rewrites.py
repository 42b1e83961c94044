"""Rewrite a verdict query for DuckDB's speed: the same values, cheaper functions.

Takes a sqlglot tree built by :mod:`.query` (the dialect-neutral vocabulary of
:mod:`.lists`); gives the same tree with set tests against constant lists rewritten:

* ``list_has_all(xs, ['a', 'b'])`` (a set contains all of some members) becomes
  ``list_contains(xs, 'a') AND list_contains(xs, 'b')``, and ``list_has_any`` the same with
  ``OR``, where ``xs`` is a column or a field of one (cheap to read twice);
* ``list_has_all(['a', 'b', ...], xs)`` (every element of a set is a known member, the
  validation of a set field) becomes ``len(list_filter(xs, v -> NOT list_contains([...], v)))
  = 0``;
* ``list_contains(['a', 'b', ...], x)`` (an enum value is a member) becomes a test of
  ``list_position``, which DuckDB's optimizer leaves alone (see :func:`_member`), and
  ``x IN ('a', 'b', ...)`` (the JSON type tests of a JSON source) ``x = 'a' OR x = 'b' ...``;
* a status (``pass``, ``fail``... tagged by :func:`.query._status`) is a value of an ``ENUM``
  of the five statuses, not text: the verdict columns come out as DuckDB ENUMs (Arrow
  dictionary arrays, pandas categoricals; text in CSV, JSON and Parquet files), whose values
  compare equal to the status names;
* an indicator's exact value (``<id>.low``, ``.high``, ``.den``, tagged by
  :func:`.query._exact_text`) stays a DECIMAL instead of text (DuckDB hands decimals to
  Arrow exactly; turning a million of them into text cost more than the rest of the
  community level's indicators).

DuckDB builds a hash set per row for ``list_has_all``; on the column-5 spec these rewrites
cut the validation of set fields about fivefold (docs/performance.md).  The values are the
same, NULLs included: a NULL list gives NULL both ways, a NULL element is never contained
and is passed over by both.  PostgreSQL and Spark keep their own lowerings
(:mod:`.dialects`), where the set operators are the fast ones.
"""

from __future__ import annotations

from sqlglot import exp

from standardlang.backends.sql.values import call
from standardlang.status import Status

#: a rule's or indicator's status as DuckDB keeps it: one byte, not text (Parquet writes it 9x faster)
_STATUS_T = exp.DataType.build(f"ENUM({', '.join(repr(s.value) for s in Status)})", dialect="duckdb")
#: the lambda parameter of the rewritten validation; no name the compiler makes (``_e1``, ``_k``...)
_V = "_sl_v"


def faster(tree: exp.Expression) -> exp.Expression:
    """``tree`` with its set tests against constant lists in the cheaper forms."""
    return tree.transform(_rewrite, copy=False)


def _rewrite(e: exp.Expression) -> exp.Expression:
    if isinstance(e, exp.Literal) and e.meta.get("status"):
        return exp.Cast(this=e, to=_STATUS_T.copy())
    if isinstance(e, exp.Cast) and e.meta.get("exact"):
        return e.this
    if isinstance(e, exp.In) and not e.args.get("query") and not e.args.get("unnest") and \
            _constants(exp.Array(expressions=e.expressions)):
        # x IN (five constants or more) is planned as a join with them: x = 'a' OR x = 'b' ... is not
        return exp.Paren(this=exp.or_(*[exp.EQ(this=e.this.copy(), expression=c.copy()) for c in e.expressions],
                                      copy=False))
    if not isinstance(e, exp.Anonymous):
        return e
    name = str(e.this).lower()
    if name == "list_contains":
        return _member(e)
    if name not in ("list_has_all", "list_has_any"):
        return e
    items, wanted = e.expressions
    every = str(e.this).lower() == "list_has_all"
    if _constants(wanted) and _cheap(items):
        tests = [call("list_contains", items.copy(), c.copy()) for c in wanted.expressions]
        joined = exp.and_(*tests, copy=False) if every else exp.or_(*tests, copy=False)
        return exp.Paren(this=joined)
    if every and _constants(items):
        v = exp.to_identifier(_V)
        stray = call("list_filter", wanted, exp.Lambda(this=exp.Not(this=_listed(items, v.copy())), expressions=[v]))
        return exp.Paren(this=exp.EQ(this=call("len", stray), expression=exp.Literal.number(0)))
    return e


def _listed(items: exp.Expression, v: exp.Expression) -> exp.Expression:
    """Inside the lambda: NULL for a NULL element (passed over by the filter), as ``list_has_all`` does."""
    return call("list_contains", items, v)


def _member(e: exp.Expression) -> exp.Expression:
    """``list_contains(['a', 'b', ...], x)`` as ``list_position``: DuckDB's optimizer turns the first
    into ``x IN (...)`` and, for five members or more, into a join with the constants, which runs
    slower and need not keep the rows in their order; a NULL ``x`` stays NULL."""
    items, x = e.expressions
    if not _constants(items):
        return e
    found = exp.Not(this=exp.Is(this=call("list_position", items, x.copy()), expression=exp.Null()))
    if _truth_only(e):  # NULL and false mean the same here: x is read once
        return exp.Paren(this=found)
    if not _cheap(x):
        return e
    return exp.Case(ifs=[exp.If(this=exp.Is(this=x.copy(), expression=exp.Null()), true=exp.Null())], default=found)


def _truth_only(e: exp.Expression) -> bool:
    """Whether only a true ``e`` counts where it stands: a CASE's WHEN, or ``coalesce(e, false)``."""
    parent = e.parent
    while isinstance(parent, exp.Paren):
        e, parent = parent, parent.parent
    if isinstance(parent, exp.If) and e.arg_key == "this":
        return True
    if isinstance(parent, exp.Anonymous) and str(parent.this).lower() == "coalesce":  # values.call("coalesce", ...)
        args = parent.expressions
        return len(args) == 2 and args[0] is e and isinstance(args[1], exp.Boolean) and not args[1].this
    return False


def _constants(e: exp.Expression) -> bool:
    """A non-empty list of text literals."""
    return isinstance(e, exp.Array) and bool(e.expressions) and all(
        isinstance(x, exp.Literal) and x.is_string for x in e.expressions)


def _cheap(e: exp.Expression) -> bool:
    """A column or a lambda's parameter, or a field of one (``struct_extract``), read twice at no cost."""
    while isinstance(e, exp.Anonymous) and str(e.this).lower() == "struct_extract":
        e = e.expressions[0]
    while isinstance(e, exp.Paren):
        e = e.this
    return isinstance(e, (exp.Column, exp.Identifier))
