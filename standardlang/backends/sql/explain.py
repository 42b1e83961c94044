"""The explanation columns of a verdict table: what a verdict's explanation needs, computed in SQL.

Takes a rule, the :class:`~.compiler.SQLCompiler` of its level (whose values it reuses) and
the rule's status expression; gives sqlglot expressions for two columns per rule:

* ``<rule>.missing`` (``VARCHAR[]``): the fields whose absence left the verdict unknown, in
  the order the Python path names them (``Verdict.missing``; empty for any other status).
  The reference interpreter notes a field when it reads it and finds it not recorded (or a
  required one empty), and reads lazily: ``a and b`` does not read ``b`` once ``a`` is false,
  an ``if`` reads only the branch its test picks, ``all`` stops at the first element that
  fails, ``sum(xs where c)`` skips the value of an element outside ``c``.  Each node here
  gives the list of paths its evaluation notes (:meth:`Missing.node`), following the same
  order and the same laziness, with the compiler's values deciding each branch; a decided
  ``and``/``or`` of the explanation does not name the fields of its unknown parts
  (:meth:`Missing.condition`, as ``engine.evaluate.explain_node``).
* ``<rule>.compared`` (a list of ``{condition, left, op, right}``): for each comparison the
  verdict's explanation shows (the rule's ``applies when``, its requirements, its
  alternatives'), the values compared, exact (:func:`value_text`: ``800``, ``1/3``, ``60..80``
  for a value known in part, ``true``, a member name), NULL when unknown; :func:`side_value`
  gives the Python value, and ``engine.evaluate.compare_text`` the explanation's sentence.

Only DuckDB's list functions are used (``list_position`` and ``list_filter`` with an index
beside those of :mod:`.lists`).  Opt-in (``verdict_query(..., explain=True)``): the default
query stays as lean as before.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from standardlang.backends.sql import lists
from standardlang.backends.sql.compiler import Scope, SQLCompiler, _param
from standardlang.backends.sql.values import SQLCompileError, call, case, is_null, lit, paren
from standardlang.lang import ir
from standardlang.lang.model import CheckedRule
from standardlang.lang.types import Dynamic, ListT

_TEXTS = "VARCHAR[]"


def empty() -> exp.Expression:
    return exp.cast(exp.Array(expressions=[]), _TEXTS, copy=False)


def _one(path: str) -> exp.Expression:
    return exp.Array(expressions=[lit(path)])


def cat(*parts: exp.Expression | None) -> exp.Expression | None:
    """The concatenation of the lists given (None: statically empty)."""
    out = None
    for p in parts:
        if p is None:
            continue
        out = p if out is None else call("list_concat", out, p)
    return out


def when(test: exp.Expression, then: exp.Expression | None, otherwise: exp.Expression | None = None) -> exp.Expression | None:
    if then is None and otherwise is None:
        return None
    return case([(test, then if then is not None else empty())], otherwise if otherwise is not None else empty())


def _is_true(e: exp.Expression) -> exp.Expression:
    return exp.Is(this=paren(e), expression=exp.true())


def _is_false(e: exp.Expression) -> exp.Expression:
    return exp.Is(this=paren(e), expression=exp.false())


def dedup(items: exp.Expression) -> exp.Expression:
    """The list without repeats, first occurrences kept in order (``dict.fromkeys``)."""
    x, i = exp.to_identifier("_x"), exp.to_identifier("_i")
    first = exp.EQ(this=call("list_position", items, x), expression=i)
    return call("list_filter", items, exp.Lambda(this=first, expressions=[x, i]))


def _flatten_op(n: ir.Node, op: str) -> list[ir.Node]:
    if isinstance(n, ir.Logic) and n.op == op:
        return _flatten_op(n.left, op) + _flatten_op(n.right, op)
    return [n]


def rule_parts(rule: CheckedRule) -> list[ir.Node]:
    """The conditions an unknown verdict's explanation shows, in its order (``explain_rule``)."""
    parts = ([rule.applies] if rule.applies is not None else []) + list(rule.requires)
    for alt in rule.alternatives:
        parts += ([alt.applies] if alt.applies is not None else []) + list(alt.requires)
    return parts


class Missing:
    """The paths the reference interpreter notes as missing, as SQL lists (see the module's docstring)."""

    def __init__(self, compiler: SQLCompiler):
        self.c = compiler

    # ------------------------------------------------------------------ the rule's column
    def rule(self, rule: CheckedRule, root: Scope, status: exp.Expression) -> exp.Expression:
        found = cat(*[self.condition(p, [root]) for p in rule_parts(rule)])
        if found is None:
            return empty()
        found = self.c.keep(found)
        return case([(exp.EQ(this=paren(status), expression=lit("unknown")), dedup(found))], empty())

    def condition(self, n: ir.Node, scopes: list[Scope]) -> exp.Expression | None:
        """``explain_node``'s missing: a decided and/or leaves out its parts that are unknown."""
        if isinstance(n, ir.Logic):
            whole = self.c.cond(n, scopes)
            out = []
            for part in _flatten_op(n, n.op):
                found = self.condition(part, scopes)
                if found is not None:
                    held = self.c.cond(part, scopes)
                    out.append(when(exp.and_(exp.Not(this=is_null(whole)), is_null(held), copy=False), None, found))
            return cat(*out)
        if isinstance(n, ir.Unary) and n.op == "not":
            return self.condition(n.operand, scopes)
        return self.node(n, scopes)

    # ------------------------------------------------------------------ what evaluating a node notes
    def node(self, n: ir.Node, scopes: list[Scope]) -> exp.Expression | None:
        method = getattr(self, "m_" + type(n).__name__, None)
        if method is None:
            raise SQLCompileError(f"explanation columns: unhandled node {type(n).__name__}")
        if isinstance(getattr(n, "type", None), Dynamic):
            raise SQLCompileError("explanation columns: a value of no declared type")
        return method(n, scopes)

    def _nodes(self, nodes: Any, scopes: list[Scope]) -> exp.Expression | None:
        return cat(*[self.node(x, scopes) for x in nodes])

    def m_Const(self, n: ir.Const, scopes) -> None:
        return None

    def m_SetLiteral(self, n: ir.SetLiteral, scopes):
        return self._nodes(n.items, scopes)

    def m_Unary(self, n: ir.Unary, scopes):
        return self.node(n.operand, scopes)

    def m_Binary(self, n: ir.Binary, scopes):
        return self._nodes((n.left, n.right), scopes)

    def m_Compare(self, n: ir.Compare, scopes):
        return self._nodes((n.left, n.right), scopes)

    def m_Between(self, n: ir.Between, scopes):
        return self._nodes((n.value, n.low, n.high), scopes)

    def m_Member(self, n: ir.Member, scopes):
        return self._nodes((n.value, n.collection), scopes)

    def m_Contains(self, n: ir.Contains, scopes):
        return self._nodes((n.collection, n.items), scopes)

    def m_Builtin(self, n: ir.Builtin, scopes):
        return self._nodes(n.args, scopes)

    def m_Logic(self, n: ir.Logic, scopes):
        left, right = self.node(n.left, scopes), self.node(n.right, scopes)
        if right is None:
            return left
        a = self.c.cond(n.left, scopes)
        stop = _is_false(a) if n.op == "and" else _is_true(a)
        return cat(left, when(stop, None, right))

    def m_Cond(self, n: ir.Cond, scopes):
        test = self.node(n.test, scopes)
        a, b = self.node(n.then, scopes), self.node(n.else_, scopes)
        if a is None and b is None:
            return test
        t = self.c.cond(n.test, scopes)
        both = cat(a, b)
        return cat(test, case([(_is_true(t), a if a is not None else empty()),
                               (_is_false(t), b if b is not None else empty())], both))

    # ------------------------------------------------------------------ fields and definitions
    def m_Field(self, n: ir.Field, scopes):
        if n.obj is None:
            base = scopes[-1 - n.depth]
            return self._read(n, base.expr, base.dtype, None)
        before = self.node(n.obj, scopes)
        obj = self.c.value(n.obj, scopes)
        if not n.over_list:
            return cat(before, self._read(n, obj.sql, obj.dtype, before))
        param = _param(scopes)
        each = self.c.inside(self._read, n, param, obj.dtype, None)
        if each is None:
            return before
        stop = None
        if n.list_field:  # runtime.project flattening: no element is read after one whose list is unknown
            stop = self.c.inside(lambda: is_null(self.c._leaf(n, param, obj.dtype).sql))
        return cat(before, self._per_element(obj.sql, param, each, stop))

    def _read(self, n: ir.Field, obj: exp.Expression | None, odt: Any, before: exp.Expression | None):
        """``Interpreter.read``: a field of a record that is there (``obj`` None: the row) or absent."""
        from standardlang.backends.sql import reader

        path = _one(n.path)
        if n.optional:
            noted = is_null(reader.there(obj, odt, n.name))  # not recorded (a missing key / column)
        else:
            noted = is_null(reader.get(obj, odt, n.name)[0])  # empty or not recorded
        if obj is None:
            return when(noted, path)
        whens = []
        if n.optional:  # an optional field of an absent record is not noted
            whens.append((is_null(obj), empty()))
        else:  # named unless the record's own path was noted already (the deepest path that would decide)
            quiet = is_null(obj) if before is None else exp.and_(
                is_null(obj), exp.EQ(this=call("len", before), expression=lit(0)), copy=False)
            whens += [(quiet, path), (is_null(obj), empty())]
        return case(whens + [(noted, path)], empty())

    def _per_element(self, items: exp.Expression, param: exp.Identifier, each: exp.Expression,
                     stop: exp.Expression | None) -> exp.Expression:
        """The lists noted for each element, concatenated; with ``stop``, up to the first element where it holds."""
        per = lists.transform(items, param, each)
        if stop is not None:
            flags = lists.transform(items, param, call("coalesce", stop, exp.false()))
            upto = call("coalesce", call("list_position", flags, exp.true()), lists.length(items))
            per = call("list_slice", per, lit(1), upto)
        return case([(is_null(items), empty())], lists.flatten(per))

    def m_LetRef(self, n: ir.LetRef, scopes):
        info = self.c.lets[f"{n.entity}.{n.name}"]
        if n.obj is None:
            if n.entity.startswith("goal:"):
                return self.node(info.ir, [scopes[0]])
            base = scopes[-1 - n.depth]
            found = self.node(info.ir, [base])
            return found if base.expr is None else when(is_null(base.expr), None, found)
        before = self.node(n.obj, scopes)
        obj = self.c.value(n.obj, scopes)
        if not n.over_list:
            return cat(before, when(is_null(obj.sql), None, self.node(info.ir, [Scope(obj.sql, obj.dtype)])))
        param = _param(scopes)
        each = self.c.inside(lambda: when(is_null(param), None, self.node(info.ir, [Scope(param, obj.dtype)])))
        if each is None:
            return before
        stop = None
        if isinstance(info.type, ListT):  # flattened: stops at the first element whose list is unknown
            stop = self.c.inside(lambda: is_null(self.c._let(f"{n.entity}.{n.name}", info, Scope(param, obj.dtype),
                                                             True).sql))
        return cat(before, self._per_element(obj.sql, param, each, stop))

    def m_Present(self, n: ir.Present, scopes):
        target = n.target
        if not isinstance(target, ir.Field) or target.over_list or isinstance(target.type, Dynamic):
            return None  # the interpreter evaluates it without noting anything
        outer = target.obj
        inner = when(is_null(self.c.present_in(n, scopes).sql), _one(target.path))
        if isinstance(outer, ir.Field) and outer.optional and not outer.over_list and not isinstance(outer.type, Dynamic):
            up = ir.Present(outer, n.type)
            there = self.c.c_Present(up, scopes).sql
            return cat(self.m_Present(up, scopes), when(_is_true(there), inner))
        return inner

    # ------------------------------------------------------------------ aggregates (runtime.aggregate's reads)
    def m_Aggregate(self, n: ir.Aggregate, scopes):
        before = self.node(n.coll, scopes)
        coll = self.c.value(n.coll, scopes)
        if coll.kind == "set" or coll.elem is None or coll.elem.kind != "rec":
            return before  # plain values: nothing read per element
        param = _param(scopes)
        inner = scopes + [Scope(param, coll.dtype)]
        item, where = n.item, n.where
        if n.func in ("all", "any") and item is None and where is not None:
            item, where = where, None  # all(xs where c): every element satisfies c
        each, stop = self.c.inside(self._element, n.func, item, where, inner)
        if each is None:
            return before
        return cat(before, self._per_element(coll.sql, param, each, stop))

    def _element(self, func: str, item: ir.Node | None, where: ir.Node | None, inner: list[Scope]):
        """(what one element notes, the flag after which ``all``/``any`` stop) inside the lambda."""
        w = self.node(where, inner) if where is not None else None
        v = self.node(item, inner) if item is not None else None
        stop = None
        if func in ("all", "any") and item is not None:
            held = self.c.cond(item, inner)
            test = self.c.cond(where, inner) if where is not None else exp.true()
            stop = (_is_false(exp.or_(exp.Not(this=paren(test)), paren(held), copy=False)) if func == "all"
                    else _is_true(exp.and_(paren(test), paren(held), copy=False)))
        if func in ("all", "any", "count", "share") or where is None or v is None:
            return cat(w, v), stop
        return cat(w, when(_is_false(self.c.cond(where, inner)), None, v)), stop


def columns(rule: CheckedRule, compiler: SQLCompiler, root: Scope, status: exp.Expression) -> list[exp.Expression]:
    """``<rule>.missing`` and ``<rule>.compared`` (see the module's docstring)."""
    missing = Missing(compiler).rule(rule, root, status)
    return [exp.Alias(this=missing, alias=exp.to_identifier(f"{rule.id}.missing", quoted=True)),
            exp.Alias(this=compared(rule, compiler, root), alias=exp.to_identifier(f"{rule.id}.compared", quoted=True))]


def indicator_missing(ind: Any, node: ir.Node, compiler: SQLCompiler, root: Scope,
                      status: exp.Expression) -> exp.Expression:
    """``<indicator>.missing``: the fields whose absence left its value unknown or known only in part
    (``judge_indicator``: what evaluating the value notes); empty when the value is exact or an error."""
    found = Missing(compiler).node(node, [root])
    v = compiler.value(node, [root])
    exact = exp.and_(exp.Not(this=is_null(v.sql)), *([exp.EQ(this=paren(v.sql), expression=paren(v.hi))]
                                                     if v.hi is not None else []), copy=False)
    column = empty() if found is None else case(
        [(exp.or_(exact, exp.EQ(this=paren(status), expression=lit("error")), copy=False), empty())],
        dedup(compiler.keep(found)))
    return exp.Alias(this=column, alias=exp.to_identifier(f"{ind.id}.missing", quoted=True))


_FLIP = {">=": "<=", "<=": ">=", ">": "<", "<": ">"}


def comparisons(rule: CheckedRule) -> list[tuple[ir.Compare, ir.Node, str, ir.Node]]:
    """The comparisons an explanation of ``rule`` shows, in its order, as (node, left, op, right).

    A constant on the left is moved to the right, the operator turned round (``describe``).
    """
    out = []

    def walk(n: ir.Node) -> None:
        if isinstance(n, ir.Logic):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, ir.Unary) and n.op == "not":
            walk(n.operand)
        elif isinstance(n, ir.Compare):
            left, right, op = n.left, n.right, n.op
            if isinstance(left, ir.Const) and not isinstance(right, ir.Const):
                left, right, op = right, left, _FLIP.get(op, op)
            out.append((n, left, op, right))

    for part in rule_parts(rule):
        walk(part)
    return out


def compared(rule: CheckedRule, compiler: SQLCompiler, root: Scope) -> exp.Expression:
    """A list of ``{condition, op, left, right}``, each side ``{low, high, den, text}`` (see :func:`side`)."""
    entries = []
    for node, left, op, right in comparisons(rule):
        fields = [("condition", lit(node.text or "")), ("op", lit(op)),
                  ("left", side(compiler.value(left, [root]))), ("right", side(compiler.value(right, [root])))]
        entries.append(exp.Struct(expressions=[exp.PropertyEQ(this=exp.to_identifier(k), expression=v)
                                               for k, v in fields]))
    if not entries:
        return exp.Null()
    return exp.Array(expressions=entries)


def side(v: Any) -> exp.Expression:
    """One value compared, ``{kind, low, high, den, text}``: a number (kind ``number``) as ``low``/``high``
    over ``den`` (text, exact, as an indicator's value: equal ends when known, a NULL end unbounded,
    both NULL unknown); a truth (``truth``) or text (``text``, an enum's member name) as ``text``."""
    null = exp.cast(exp.Null(), "VARCHAR", copy=False)
    low = high = den = text = null
    if v.kind == "num":
        kind = "number"
        low = exp.cast(v.sql, "VARCHAR", copy=False)
        high = exp.cast(v.hi if v.hi is not None else v.sql, "VARCHAR", copy=False)
        den = exp.cast(v.den, "VARCHAR", copy=False) if v.den is not None else lit("1")
    elif v.kind == "bool":
        kind = "truth"
        text = case([(_is_true(v.sql), lit("true")), (_is_false(v.sql), lit("false"))])
    elif v.kind == "text":
        kind = "text"
        text = exp.cast(v.sql, "VARCHAR", copy=False)
    else:
        raise SQLCompileError(f"explanation columns: comparing a {v.kind}")
    return exp.Struct(expressions=[exp.PropertyEQ(this=exp.to_identifier(k), expression=e) for k, e in (
        ("kind", lit(kind)), ("low", low), ("high", high), ("den", den), ("text", text))])


def side_value(d: dict | None) -> Any:
    """A side of ``<rule>.compared`` as the Python value: a number (Fraction or int), a
    ``Bounds`` (known in part), True/False, text, or None (unknown)."""
    from fractions import Fraction

    from standardlang.backends.python.runtime import bounded, norm

    if d is None:
        return None
    if d["kind"] != "number":
        if d["text"] is None or d["kind"] == "text":
            return d["text"]
        return d["text"] == "true"
    if d["den"] is None:
        return None
    ends = [None if d[k] is None else Fraction(d[k]) / Fraction(d["den"]) for k in ("low", "high")]
    if ends[0] is not None and ends[0] == ends[1]:
        return norm(ends[0])
    return bounded(*ends)
