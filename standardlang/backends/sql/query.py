"""Build the verdict query of one entity level: one SELECT, a status column per rule.

Takes a loaded :class:`~standardlang.engine.program.Spec`, an entity, the SQL relation that
holds its records (a table, a view or a subquery) and its data shape; gives a sqlglot
``SELECT`` with the columns

* ``_row`` (the record's position, 1-based) and ``record`` (its key, else ``#n``),
* one text column per rule, named by the rule id: ``pass`` / ``fail`` / ``unknown`` /
  ``not_applicable`` / ``error`` (the Python path's statuses, decided the same way),
* one pair of columns per indicator value of this entity, ``<id>`` (the status) and
  ``<id>.num`` / ``<id>.den`` (the exact value as numerator and denominator),
* ``problems``: the bad values of the record, ``field: expected ..., found ...``.

A rule is ``error`` when a field it reads (a top-level field of the record, as
:meth:`Spec.roots` names them) has a bad value, as in ``Spec.judge``.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from standardlang.backends.sql import reader
from standardlang.backends.sql.compiler import Scope, SQLCompiler, compare
from standardlang.backends.sql.values import (
    DType, SQLCompileError, Val, call, case, decimal, is_null, lit, number, paren)
from standardlang.lang.model import CheckedRule


def _alias(e: exp.Expression, name: str, quoted: bool = False) -> exp.Expression:
    return exp.Alias(this=e, alias=exp.to_identifier(name, quoted=quoted))


def _ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def _col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(_ident(name), table=_ident(table) if table else None)


def verdict_query(spec: Any, entity: str, source: exp.Expression, dtype: DType, rules: list[CheckedRule],
                  indicators: bool = True, cells: bool = False) -> exp.Select:
    """The SELECT judging every record of ``source`` (rows of shape ``dtype``) against ``rules``."""
    rtype = spec.checked.entities[entity]
    compiler = SQLCompiler(spec.checked.lets, cells=cells)
    root = Scope(None, dtype)
    # 1. the rows with their position, and one flag per top-level field with a bad value
    numbered = exp.select(exp.Star(), _alias(exp.Window(this=exp.RowNumber(), over="OVER"), "_row"), copy=False) \
        .from_(exp.alias_(source, "_src", table=True), copy=False)
    groups: dict[str, list] = {}  # bad-value path (no list indexes) -> (bad, message) pairs
    for name, info in rtype.fields.items():
        e, t = reader.get(None, dtype, name)
        if t.kind == "null":
            continue
        for b, m, p in reader.problems(e, t, info.type, info, lit(name), cells, name):
            groups.setdefault(p, []).append((b, m))
    bad_cols: dict[str, str] = {}
    messages: list[exp.Expression] = []
    checks = []
    for i, (p, found) in enumerate(groups.items()):
        col = bad_cols[p] = f"_bad{i}"
        checks.append(_alias(call("coalesce", exp.or_(*[paren(b) for b, _ in found], copy=False), exp.false()), col))
        messages.extend(case([(b, m)]) for b, m in found)
    checked = exp.select(exp.Star(), *checks, copy=False).from_(exp.alias_(exp.Subquery(this=numbered), "_n", table=True), copy=False)
    # 2. the verdicts
    key = rtype.key
    rid: exp.Expression = exp.DPipe(this=lit("#"), expression=exp.cast(_col("_row"), "VARCHAR"))
    if key is not None:
        e, t = reader.get(None, dtype, key)
        if t.kind != "null":
            rid = call("coalesce", _key_text(e, t), rid)
    columns: list[exp.Expression] = [_col("_row"), _alias(rid, "record", quoted=True)]
    for rule in rules:
        paths = spec.roots(rule)
        bad = [_col(c) for p, c in bad_cols.items() if reads_bad(paths, p)]
        columns.append(_alias(rule_status(rule, compiler, root, bad), rule.id, quoted=True))
    if indicators:
        for ind in spec.checked.indicators:
            node = ind.value_for(entity)
            if node is not None:
                columns.extend(indicator_columns(ind, entity, node, compiler, root, bad_cols, spec))
    problems = call("list_filter", exp.Array(expressions=messages),
                    exp.Lambda(this=exp.Not(this=is_null(exp.to_identifier("_p"))),
                               expressions=[exp.to_identifier("_p")])) if messages else \
        exp.cast(exp.Array(expressions=[]), "VARCHAR[]")
    columns.append(_alias(problems, "problems", quoted=True))
    return exp.select(*columns, copy=False).from_(exp.alias_(exp.Subquery(this=checked), "_c", table=True), copy=False) \
        .order_by(_col("_row"), copy=False)


def _key_text(e: exp.Expression, t: DType) -> exp.Expression:
    if t.kind == "json":
        return case([(exp.EQ(this=call("json_type", e), expression=lit("VARCHAR")),
                      call("json_extract_string", e, lit("$")))], exp.cast(e, "VARCHAR"))
    return exp.cast(e, "VARCHAR")


def _status(text: str) -> exp.Expression:
    return lit(text)


def rule_status(rule: CheckedRule, compiler: SQLCompiler, root: Scope, bad: list[exp.Expression]) -> exp.Expression:
    """``engine.evaluate.rule_status`` in SQL, with ``error`` when a field it reads is bad."""
    scopes = [root]
    held = _and([compiler.cond(c, scopes) for c in rule.requires])
    alts = []
    for alt in rule.alternatives:
        parts = ([alt.applies] if alt.applies is not None else []) + list(alt.requires)
        alts.append(_and([compiler.cond(c, scopes) for c in parts]))
    any_holds = held
    for x in alts:
        any_holds = paren(exp.Or(this=any_holds, expression=x))
    whens: list[tuple[exp.Expression, exp.Expression]] = []
    if bad:
        whens.append((exp.or_(*bad, copy=False), _status("error")))
    if rule.applies is not None:
        a = paren(compiler.cond(rule.applies, scopes))
        whens.append((is_null(a), _status("unknown")))
        whens.append((exp.Not(this=a), _status("not_applicable")))
    whens.append((any_holds, _status("pass")))
    whens.append((exp.Not(this=any_holds), _status("fail")))
    return case(whens, _status("unknown"))


def _and(parts: list[exp.Expression]) -> exp.Expression:
    if not parts:
        return exp.true()
    out = paren(parts[0])
    for p in parts[1:]:
        out = paren(exp.And(this=out, expression=paren(p)))
    return out


def indicator_columns(ind: Any, entity: str, node: Any, compiler: SQLCompiler, root: Scope, bad_cols: dict[str, str],
                      spec: Any) -> list[exp.Expression]:
    """``<id>``: pass / fail / unknown / error against the target; ``<id>.num``/``.den``: the value."""
    v = compiler.value(node, [root])
    if v.kind != "num":
        raise SQLCompileError(f"indicator {ind.id}: a value that is not a number")
    target = number(ind.target.value)
    held = paren(compare(ind.op, v, target))
    paths = spec.value_paths(ind.id, entity)
    bad_here = [_col(c) for p, c in bad_cols.items() if reads_bad(paths, p)]
    whens = []
    if bad_here:
        whens.append((exp.or_(*bad_here, copy=False), _status("error")))
    whens += [(is_null(v.sql), _status("unknown")), (held, _status("pass"))]
    status = case(whens, _status("fail"))
    den = v.den if v.den is not None else decimal(lit(1), 0)
    return [_alias(status, ind.id, quoted=True),
            _alias(exp.cast(v.sql, "VARCHAR"), f"{ind.id}.num", quoted=True),
            _alias(exp.cast(den, "VARCHAR"), f"{ind.id}.den", quoted=True)]


def reads_bad(paths: tuple[frozenset[str], frozenset[str]], bad: str) -> bool:
    """Whether what reads ``paths`` (:meth:`Spec.roots`) depends on a bad value at ``bad``, as the Python path decides."""
    read, whole = paths
    return bad in read or any(p.startswith(bad + ".") for p in read) or any(bad.startswith(p + ".") for p in whole)
