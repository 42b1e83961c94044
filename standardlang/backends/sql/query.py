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

from standardlang.backends.sql import lists, reader
from standardlang.backends.sql.compiler import Hoist, Scope, SQLCompiler, compare
from standardlang.backends.sql.dialects import ROW
from standardlang.backends.sql.grouped import Links
from standardlang.backends.sql.values import (
    DType, SQLCompileError, call, case, decimal, is_null, lit, number, paren)
from standardlang.lang.model import CheckedRule
from standardlang.lang.types import ListT, RecordT


def _alias(e: exp.Expression, name: str, quoted: bool = False) -> exp.Expression:
    return exp.Alias(this=e, alias=exp.to_identifier(name, quoted=quoted))


def _ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def _col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(_ident(name), table=_ident(table) if table else None)


def verdict_query(spec: Any, entity: str, source: exp.Expression, dtype: DType, rules: list[CheckedRule],
                  indicators: bool = True, cells: bool = False, links: Links | None = None,
                  ordered: bool = True, explain: bool = False) -> exp.Select:
    """The SELECT judging every record of ``source`` (rows of shape ``dtype``) against ``rules``.

    With ``links`` (:mod:`.grouped`), ``source`` holds the records unlinked (with a column
    ``_sl_kids``: the paths of their descendants' bad values) and aggregates over linked
    levels become GROUP BY queries; :class:`~.grouped.NeedsLinking` says the spec reads a
    linked level otherwise (then link the levels into ``source`` and call again without).
    ``ordered`` False leaves out the final ``ORDER BY _row`` where no join can reorder the
    rows: for an engine that keeps the order of a scan through projections (DuckDB).
    ``explain``: each rule's explanation columns too (:mod:`.explain`).
    """
    rtype = spec.checked.entities[entity]
    hoist = Hoist()
    compiler = SQLCompiler(spec.checked.lets, cells=cells, hoist=hoist, links=links)
    root = Scope(None, dtype)
    # 1. the rows with their position, and one flag per top-level field with a bad value
    checked, bad_cols, messages = checked_rows(spec, rtype, source, dtype, cells)
    # 2. the verdicts
    key = rtype.key
    rid: exp.Expression = exp.DPipe(this=lit("#"), expression=exp.cast(_col("_row"), "VARCHAR", copy=False))
    if key is not None:
        e, t = reader.get(None, dtype, key)
        if t.kind != "null":
            rid = call("coalesce", _key_text(e, t), rid)
    columns: list[exp.Expression] = [_col("_row"), _alias(rid, "record", quoted=True)]
    for rule in rules:
        paths = spec.roots(rule)
        bad = [_col(c) for p, c in bad_cols.items() if reads_bad(paths, p)]
        status = rule_status(rule, compiler, root, bad)
        if rule.adoption is not None or explain:
            status = compiler.keep(status)  # read twice: the status and its reason / explanation
        columns.append(_alias(status, rule.id, quoted=True))
        if rule.adoption is not None:
            columns.append(_alias(rule_reason(rule, compiler, root, status), f"{rule.id}.reason", quoted=True))
        if explain:
            from standardlang.backends.sql.explain import columns as explain_columns

            columns.extend(explain_columns(rule, compiler, root, status))
    if indicators:
        for ind in spec.checked.indicators:
            node = ind.value_for(entity)
            if node is not None:
                columns.extend(indicator_columns(ind, entity, node, compiler, root, bad_cols, spec))
                if explain:
                    from standardlang.backends.sql.explain import indicator_missing

                    columns.append(indicator_missing(ind, node, compiler, root, columns[-4].this))
    problems = call("list_filter", exp.Array(expressions=messages),
                    exp.Lambda(this=exp.Not(this=is_null(exp.to_identifier("_p"))),
                               expressions=[exp.to_identifier("_p")])) if messages else \
        exp.cast(exp.Array(expressions=[]), "VARCHAR[]", copy=False)
    columns.append(_alias(problems, "problems", quoted=True))
    rel = checked
    if links is not None and links.groups:  # the grouped aggregates' lists, joined by key
        rel = links.join(rel, rtype.key)
    # 3. the values computed once (Hoist), level by level
    for i, level in enumerate(hoist.levels):
        rel = exp.select(exp.Star(), *[_alias(e, name, quoted=True) for name, e in level], copy=False) \
            .from_(exp.alias_(exp.Subquery(this=rel), f"_h{i}", table=True, copy=False), copy=False)
    out = exp.select(*columns, copy=False).from_(exp.alias_(exp.Subquery(this=rel), "_c", table=True, copy=False),
                                                 copy=False)
    return out.order_by(_col("_row"), copy=False) if ordered or (links is not None and links.groups) else out


def problem_groups(rtype: Any, dtype: DType, cells: bool) -> dict[str, list]:
    """Bad-value path (no list indexes) -> its (bad, message) checks, for the record's own fields.

    The records of a linked child level are checked on their own rows; what a parent
    needs of them is their ``_sl_bad`` list (:func:`bad_paths`).
    """
    groups: dict[str, list] = {}
    for name, info in rtype.fields.items():
        if _is_linked(info):
            continue
        e, t = reader.get(None, dtype, name)
        if t.kind == "null":
            continue
        for b, m, p in reader.problems(e, t, info.type, info, lit(name), cells, name):
            groups.setdefault(p, []).append((b, m))
    return groups


def bad_paths(rtype: Any, dtype: DType, cells: bool = False) -> exp.Expression:
    """The paths of a record's bad values, its linked children's under their field (``communities.households``).

    An engine adds it to a child level's rows as the column ``_sl_bad`` before linking them
    into their parent, so that the parent's rules that read a bad child value are ``error``
    (as ``engine.evaluate.record_problems``) without checking the children again.
    """
    parts = [case([(exp.or_(*[paren(b) for b, _ in found], copy=False), lit(p))])
             for p, found in problem_groups(rtype, dtype, cells).items()]
    own = exp.Array(expressions=parts) if parts else exp.cast(exp.Array(expressions=[]), "VARCHAR[]", copy=False)
    x = exp.to_identifier("_q")
    kept = lists.keep(own, x, exp.Not(this=is_null(x)))
    return call("list_concat", kept, linked_bad_paths(rtype, dtype))


def linked_bad_paths(rtype: Any, dtype: DType) -> exp.Expression:
    """The ``_sl_bad`` paths of the linked child records, prefixed with their field."""
    out: exp.Expression = exp.cast(exp.Array(expressions=[]), "VARCHAR[]", copy=False)
    for name, info in rtype.fields.items():
        if not _is_linked(info):
            continue
        e, t = reader.get(None, dtype, name)
        if t.kind != "list" or t.elem is None or t.elem.kind != "struct" or t.elem.field("_sl_bad") is None:
            continue
        c, q = exp.to_identifier("_k"), exp.to_identifier("_q")
        mine = lists.transform(call("coalesce", reader.get(c, t.elem, "_sl_bad")[0], exp.cast(
            exp.Array(expressions=[]), "VARCHAR[]", copy=False)), q, exp.DPipe(this=lit(name + "."), expression=q))
        out = call("list_concat", out, lists.flatten(lists.transform(call("coalesce", e, exp.Array(expressions=[])),
                                                                      c, mine)))
    return out


def linked_paths(spec: Any, rtype: Any, prefix: str = "", seen: frozenset = frozenset()) -> list[str]:
    """Every field path inside the linked child records of ``rtype`` (what ``_sl_bad`` may name)."""
    out = []
    for name, info in rtype.fields.items():
        if _is_linked(info) and info.type.elem.name not in seen:
            child = spec.checked.entities[info.type.elem.name]
            out.extend(_field_paths(child, f"{prefix}{name}."))
            out.extend(linked_paths(spec, child, f"{prefix}{name}.", seen | {info.type.elem.name}))
    return out


def _field_paths(rtype: Any, prefix: str) -> list[str]:
    out = []
    for name, info in rtype.fields.items():
        if _is_linked(info):
            continue
        out.append(prefix + name)
        t = info.type.elem if isinstance(info.type, ListT) else info.type
        if isinstance(t, RecordT):
            out.extend(_field_paths(t, f"{prefix}{name}."))
    return out


def _is_linked(info: Any) -> bool:
    """A field holding the records of a child level (``list of community by subdistrict``)."""
    t = info.type
    return isinstance(t, ListT) and isinstance(t.elem, RecordT) and bool(t.elem.entity) and bool(info.by)


def checked_rows(spec: Any, rtype: Any, source: exp.Expression, dtype: DType,
                 cells: bool) -> tuple[exp.Select, dict[str, str], list[exp.Expression]]:
    """The rows with ``_row`` (their position), ``_m<j>`` (a problem's message or NULL) and ``_bad<i>``.

    Gives the SELECT, the bad-value path -> flag column, and the message columns of the
    record's own problems (its children's are theirs).
    """
    # the position a source gives (a Parquet file's row number, DuckDB) keeps the scan parallel;
    # ROW_NUMBER() OVER () makes DuckDB run the whole query on one thread
    position = _col(ROW) if dtype.field(ROW) is not None else exp.Window(this=exp.RowNumber(), over="OVER")
    numbered = exp.select(exp.Star(), _alias(position, "_row"), copy=False) \
        .from_(exp.alias_(source, "_src", table=True, copy=False), copy=False)
    groups = problem_groups(rtype, dtype, cells)
    linked = set()  # paths inside linked child records, bad when the children's _sl_bad (column _sl_kids) say so
    for p in linked_paths(spec, rtype):
        linked.add(p)
        groups[p] = [(call("coalesce", lists.contains(_col("_sl_kids"), lit(p)), exp.false()), lit(p))]
    # each problem's message is computed once (a column _m<j>, NULL when the value is fine);
    # a path's flag _bad<i> says whether one of its messages is there
    bad_cols: dict[str, str] = {}
    messages: list[exp.Expression] = []
    texts, checks = [], []
    for i, (p, found) in enumerate(groups.items()):
        cols = []
        for b, m in found:
            cols.append(f"_m{len(texts)}")
            texts.append(_alias(case([(b, m)]), cols[-1]))
        col = bad_cols[p] = f"_bad{i}"
        checks.append(_alias(exp.or_(*[exp.Not(this=is_null(_col(c))) for c in cols], copy=False), col))
        if p not in linked:
            messages.extend(_col(c) for c in cols)
    if dtype.field("_sl_kids") is None:  # else given by the engine (grouped levels)
        kids = _alias(linked_bad_paths(rtype, dtype), "_sl_kids")
        numbered = exp.select(exp.Star(), kids, copy=False).from_(
            exp.alias_(exp.Subquery(this=numbered), "_k", table=True, copy=False), copy=False)
    told = exp.select(exp.Star(), *texts, copy=False).from_(
        exp.alias_(exp.Subquery(this=numbered), "_n", table=True, copy=False), copy=False)
    checked = exp.select(exp.Star(), *checks, copy=False).from_(
        exp.alias_(exp.Subquery(this=told), "_t", table=True, copy=False), copy=False)
    return checked, bad_cols, messages


def _key_text(e: exp.Expression, t: DType) -> exp.Expression:
    if t.kind == "json":
        return case([(exp.EQ(this=call("json_type", e), expression=lit("VARCHAR")),
                      call("json_extract_string", e, lit("$")))], exp.cast(e, "VARCHAR", copy=False))
    return exp.cast(e, "VARCHAR", copy=False)


def _status(text: str) -> exp.Expression:
    """A status literal, tagged (``meta["status"]``) so that an engine may give it a type of its own
    (DuckDB: an ENUM, :mod:`.duckdb_rewrites`); elsewhere it is the text it says."""
    e = lit(text)
    e.meta["status"] = True
    return e


def rule_status(rule: CheckedRule, compiler: SQLCompiler, root: Scope, bad: list[exp.Expression]) -> exp.Expression:
    """``interpreter.rule_status`` in SQL, with ``error`` when a field it reads is bad.

    A permission (可) whose requirement does not hold is ``not_applicable`` when it was not
    taken up (:attr:`CheckedRule.adoption` false), ``fail`` only when it applies and was
    taken up, else ``unknown`` (``interpreter.not_taken_up``).
    """
    scopes = [root]
    held = _and([compiler.cond(c, scopes) for c in rule.requires])
    alts = []
    for alt in rule.alternatives:
        parts = ([alt.applies] if alt.applies is not None else []) + list(alt.requires)
        alts.append(_and([compiler.cond(c, scopes) for c in parts]))
    any_holds = held
    for x in alts:
        any_holds = paren(exp.Or(this=any_holds, expression=x))
    any_holds = compiler.keep(any_holds)  # read up to twice below
    whens: list[tuple[exp.Expression, exp.Expression]] = []
    if bad:
        whens.append((exp.or_(*bad, copy=False), _status("error")))
    applies = exp.true()
    if rule.applies is not None:
        applies = compiler.keep(paren(compiler.cond(rule.applies, scopes)))
        whens.append((exp.Not(this=applies), _status("not_applicable")))
        if rule.adoption is None:
            whens.append((is_null(applies), _status("unknown")))
    passed = _status("pass") if rule.applies is None else case([(applies, _status("pass"))], _status("unknown"))
    whens.append((any_holds, passed))
    if rule.adoption is None:
        whens.append((exp.Not(this=any_holds), _status("fail")))
    else:
        adopted = _and([compiler.cond(c, scopes) for c in rule.adoption]) if rule.adoption else exp.false()
        taken_up = case([(exp.Not(this=adopted), _status("not_applicable")),
                         (exp.and_(adopted, applies, copy=False), _status("fail"))], _status("unknown"))
        whens.append((exp.Not(this=any_holds), taken_up))
    return case(whens, _status("unknown"))


def rule_reason(rule: CheckedRule, compiler: SQLCompiler, root: Scope, status: exp.Expression) -> exp.Expression:
    """``not_adopted`` when a permission is not applicable because it was not taken up (``evaluate.not_adopted``)."""
    scopes = [root]
    adopted_case = exp.EQ(this=paren(status), expression=_status("not_applicable"))
    if rule.applies is not None:
        applies = compiler.keep(paren(compiler.cond(rule.applies, scopes)))
        adopted_case = exp.and_(adopted_case, exp.Not(this=exp.Is(this=applies, expression=exp.false())), copy=False)
    return case([(adopted_case, lit("not_adopted"))], exp.cast(exp.Null(), "VARCHAR", copy=False))


def _and(parts: list[exp.Expression]) -> exp.Expression:
    if not parts:
        return exp.true()
    out = paren(parts[0])
    for p in parts[1:]:
        out = paren(exp.And(this=out, expression=paren(p)))
    return out


def indicator_columns(ind: Any, entity: str, node: Any, compiler: SQLCompiler, root: Scope, bad_cols: dict[str, str],
                      spec: Any) -> list[exp.Expression]:
    """``<id>``: pass / fail / unknown / error against the target; ``<id>.low``/``.high``/``.den``: the value.

    The value is ``low / den`` to ``high / den`` (text, exact); equal ends are the exact
    value, a NULL end is unbounded, both NULL is unknown (``runtime.bounded``).
    """
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
    whens += [(held, _status("pass")), (exp.Not(this=held), _status("fail"))]
    status = case(whens, _status("unknown"))
    den = v.den if v.den is not None else decimal(lit(1), 0)
    lo, hi = v.sql, v.hi if v.hi is not None else v.sql
    if bad_here:  # an error has no value (judge_indicator)
        erred = exp.or_(*bad_here, copy=False)
        lo, hi = case([(erred, exp.Null())], lo), case([(erred, exp.Null())], hi)
    return [_alias(status, ind.id, quoted=True),
            _alias(_exact_text(lo), f"{ind.id}.low", quoted=True),
            _alias(_exact_text(hi), f"{ind.id}.high", quoted=True),
            _alias(_exact_text(den), f"{ind.id}.den", quoted=True)]


def _exact_text(e: exp.Expression) -> exp.Expression:
    """A decimal as text (exact in every engine), tagged (``meta["exact"]``) so that an engine that
    keeps decimals exactly in its results may leave it a decimal (DuckDB, :mod:`.duckdb_rewrites`)."""
    cast = exp.cast(e, "VARCHAR", copy=False)
    cast.meta["exact"] = True
    return cast


def reads_bad(paths: tuple[frozenset[str], frozenset[str]], bad: str) -> bool:
    """Whether what reads ``paths`` (:meth:`Spec.roots`) depends on a bad value at ``bad``, as the Python path decides."""
    read, whole = paths
    return bad in read or any(p.startswith(bad + ".") for p in read) or any(bad.startswith(p + ".") for p in whole)
