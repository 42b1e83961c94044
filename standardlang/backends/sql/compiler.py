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

import attrs
from sqlglot import exp

from standardlang.backends.sql import aggregates, lists, numbers, reader
from standardlang.backends.sql.grouped import OUTER, Links, NeedsLinking, NotGroupable
from standardlang.backends.sql.numbers import compare
from standardlang.backends.sql.values import (
    NULL, DType, SQLCompileError, Val, call, case, is_null, lit, not_null, number, paren)
from standardlang.lang import ir, ranges
from standardlang.lang.types import Dynamic, ListT, LetInfo, RecordT, SetT


class Scope:
    """A record in scope: ``expr`` None is the row itself (its columns are its fields)."""

    __slots__ = ("expr", "dtype")

    def __init__(self, expr: exp.Expression | None, dtype: DType):
        self.expr = expr
        self.dtype = dtype


class Hoist:
    """Subexpressions of the row computed once, as columns of inner SELECTs (SQL has no ``let``).

    A number, range or list the compiler builds at the level of the row (outside every
    lambda) becomes a column ``_sl_h<n>``; what refers to it is one level further out.
    Without this an expression that uses a value twice (a range's two ends, a quotient's
    sign tests) would copy it, and nested ones would grow exponentially.  Equal
    expressions share one column, across all the rules of a level.
    """

    def __init__(self) -> None:
        self.levels: list[list[tuple[str, exp.Expression]]] = []
        self.level_of: dict[str, int] = {}
        self._seen: dict[exp.Expression, str] = {}

    def column(self, e: exp.Expression) -> exp.Expression:
        if _trivial(e):
            return e
        name = self._seen.get(e)
        if name is None:
            refs = [self.level_of[c.name] for c in e.find_all(exp.Column) if c.name in self.level_of]
            level = 1 + max(refs) if refs else 0
            while len(self.levels) <= level:
                self.levels.append([])
            name = f"_sl_h{len(self.level_of)}"
            self.levels[level].append((name, e))
            self.level_of[name] = level
            self._seen[e] = name
        return exp.column(exp.to_identifier(name, quoted=True))


def _spelled(coll: Val, members: list[str], quant: str) -> exp.Expression | None:
    """Whether the set ``coll`` holds all (``quant`` "all") or any of ``members``, looked up in the list as
    written (``Val.raw``): a member is there when one of its spellings (name, labels) is.  Found: true;
    else unknown if an element is NULL; else false; NULL for a NULL list, as the test on the mapped list.

    An element that is no spelling of any member is a bad value (an error verdict), so the answer
    for it does not matter; the mapped list of every element is not built (DuckDB maps each element
    by a lambda, the costliest part of the column-5 rules over lists of records).  None: no list as
    written to look in.
    """
    if coll.raw is None or coll.enum is None:
        return None
    lookup = coll.enum.lookup()
    tests = []
    for m in members:
        member = lookup.get(m, m)
        spellings = sorted(k for k, v in lookup.items() if v == member) or [member]
        tests.append(lists.has_any(coll.raw, exp.Array(expressions=[lit(k) for k in spellings])))
    found = exp.and_(*tests, copy=False) if quant == "all" else exp.or_(*tests, copy=False)
    holes = exp.LT(this=lists.known(coll.raw), expression=lists.length(coll.raw))
    return case([(is_null(coll.raw), exp.cast(NULL, "BOOLEAN", copy=False)), (paren(found), exp.true()),
                 (holes, exp.cast(NULL, "BOOLEAN", copy=False))], exp.false())


def _trivial(e: exp.Expression) -> bool:
    while isinstance(e, (exp.Cast, exp.Paren)):
        e = e.this
    return isinstance(e, (exp.Column, exp.Literal, exp.Null, exp.Boolean))


class SQLCompiler:
    """IR -> :class:`Val`; ``cells`` is set for CSV input, whose cells are text to be read.

    With a :class:`Hoist`, values of the row are computed once (see there).  With
    :class:`~.grouped.Links`, aggregates over linked levels become GROUP BY queries.
    """

    def __init__(self, lets: dict[str, LetInfo], cells: bool = False, hoist: Hoist | None = None,
                 links: Links | None = None):
        self.lets = lets
        self.cells = cells
        self.hoist = hoist
        self.links = links
        self._lets_open: set[str] = set()
        self._inner = 0  # how many lambdas the expression being compiled is inside

    # ------------------------------------------------------------------ entry points
    def value(self, n: ir.Node, scopes: list[Scope]) -> Val:
        method = getattr(self, "c_" + type(n).__name__, None)
        if method is None:
            raise SQLCompileError(f"SQL compiler: unhandled node {type(n).__name__}")
        v = method(n, scopes)
        if self.hoist is None or self._inner or isinstance(n, ir.Const):
            return v
        if v.kind == "num":
            return Val("num", self.keep(v.sql), hi=None if v.hi is None else self.keep(v.hi),
                       den=None if v.den is None else self.keep(v.den), scale=v.scale, den_scale=v.den_scale,
                       const=v.const)
        if v.kind in ("list", "set", "text"):
            return Val(v.kind, self.keep(v.sql), elem=v.elem, dtype=v.dtype, raw=v.raw, enum=v.enum)
        return v

    def keep(self, e: exp.Expression) -> exp.Expression:
        """``e`` computed once when it belongs to the row (outside lambdas), else as it is."""
        if self.hoist is None or self._inner:
            return e
        return self.hoist.column(e)

    def inside(self, fn, *args):
        """``fn(*args)`` compiled inside a lambda (its values are not the row's)."""
        self._inner += 1
        try:
            return fn(*args)
        finally:
            self._inner -= 1

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
            return Val("bool", exp.cast(NULL, "BOOLEAN", copy=False))
        if isinstance(v, int) or v.__class__.__name__ == "Fraction":
            return number(v)
        raise SQLCompileError(f"no SQL for the constant {v!r}")

    def _record_of(self, n: ir.Field, scopes) -> tuple[exp.Expression | None, DType]:
        """The record a field is read from (None: the row) and its data shape (not through a list)."""
        if n.obj is None:
            base = scopes[-1 - n.depth]
            if base.dtype is OUTER:
                raise NotGroupable(n.name)
            return base.expr, base.dtype
        obj = self.value(n.obj, scopes)
        if obj.kind != "rec":
            raise SQLCompileError(f"cannot read `{n.name}` from a {obj.kind}")
        return obj.sql, obj.dtype

    def _leaf(self, n: ir.Field, obj: exp.Expression | None, odt: DType, t: Any = None) -> Val:
        e, dtype = reader.get(obj, odt, n.name)
        t = n.type if t is None else t
        if isinstance(t, RecordT):
            return Val("rec", e, dtype=dtype)
        if isinstance(t, ListT):
            if self.links is not None and dtype.kind == "null" and n.name in self.links.linked_names:
                raise NeedsLinking(n.name)  # a linked level read as a list, not in the row: link it
            listed = reader.elements(e, dtype)
            if listed is None:
                return Val("list", exp.cast(NULL, "JSON[]", copy=False), elem=Val("rec", NULL), dtype=reader.JSON_T)
            items, elem_t = listed
            if n.optional and n.list_field:  # runtime.olist_get: null is none, a missing key not recorded
                there = reader.there(obj, odt, n.name)
                empty = exp.Array(expressions=[])
                whens = [] if obj is None else [(is_null(obj), empty)]
                items = case(whens + [(is_null(there), exp.Null()), (exp.Not(this=there), empty)], items)
            if isinstance(t.elem, RecordT):
                return Val("list", items, elem=Val("rec", NULL), dtype=elem_t)
            raise SQLCompileError("lists of plain values are not read from data")
        return reader.convert(e, dtype, t if not n.is_set else SetT(n.enum), n.scale, self.cells)

    def c_Field(self, n: ir.Field, scopes) -> Val:
        if not n.over_list:
            obj, odt = self._record_of(n, scopes)
            return self._leaf(n, obj, odt)
        coll = self.value(n.obj, scopes)
        if coll.kind != "list" or coll.elem is None or coll.elem.kind != "rec":
            raise SQLCompileError(f"`{n.path}`: a path through a list of {coll.elem.kind if coll.elem else '?'}")
        param = _param(scopes)
        # the node's type is the list the path gives; an element has the field's own type
        t = n.type.elem if isinstance(n.type, ListT) and not n.list_field else None
        elem = self._leaf(n, param, coll.dtype, t)
        return self._project(coll, param, elem, flatten=n.list_field)

    def _project(self, coll: Val, param: exp.Identifier, elem: Val, flatten: bool) -> Val:
        """``runtime.project``: map over a list; a list of lists is flattened (unknown if one is)."""
        body = elem.sql
        if elem.kind == "num" and elem.den is not None and aggregates.uses(elem.den, param):
            raise SQLCompileError("a list of quotients whose divisor varies by element")
        if elem.kind == "num" and elem.hi is not None:
            if flatten:
                raise SQLCompileError("flattening a list of numbers known only in part")
            # a list of ranges: each element a struct of its two ends over the common denominator
            body = exp.Struct(expressions=[exp.PropertyEQ(this=exp.to_identifier("l"), expression=elem.sql),
                                           exp.PropertyEQ(this=exp.to_identifier("h"), expression=elem.hi)])
        mapped = lists.transform(coll.sql, param, body)
        if not flatten:
            template = Val(elem.kind, NULL, scale=elem.scale, elem=elem.elem, dtype=elem.dtype, den=elem.den,
                           den_scale=elem.den_scale, hi=None if elem.hi is None else NULL)
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
        elem = self.inside(self._let, key, info, Scope(param, obj.dtype), True)
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
        return numbers.neg(v)

    def c_Binary(self, n: ir.Binary, scopes) -> Val:
        a, b = self.value(n.left, scopes), self.value(n.right, scopes)
        _need_num(a, b)
        return numbers.arith(n.op, a, b, self.keep)

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
        if v.kind == "num" and numbers.is_range(v):  # runtime.member: a value known only in part is in nothing
            found = case([(numbers.point(v), found)], exp.cast(NULL, "BOOLEAN", copy=False))
        return Val("bool", exp.Not(this=paren(found)) if n.negated else found)

    def _member_of_list(self, v: Val, coll: Val, scopes) -> exp.Expression:
        """``runtime.member(v, list)``: true if found, unknown if not found but an element is unknown."""
        if coll.kind not in ("list", "set"):
            raise SQLCompileError(f"membership in a {coll.kind}")
        if coll.kind == "set" and isinstance(v.sql, exp.Literal) and v.sql.is_string:
            spelled = _spelled(coll, [v.sql.name], "any")
            if spelled is not None:
                return spelled
        param = _param(scopes)
        elem = Val("text", param) if coll.kind == "set" else _element(coll, param)
        flags = lists.transform(coll.sql, param, compare("==", v, elem))
        return case([(exp.or_(is_null(_null_test(v)), is_null(coll.sql), copy=False), exp.cast(NULL, "BOOLEAN", copy=False))],
                    aggregates.any_of(flags))

    def c_Contains(self, n: ir.Contains, scopes) -> Val:
        coll = self.value(n.collection, scopes)
        if n.quant is None:
            return Val("bool", self._member_of_list(self.value(n.items, scopes), coll, scopes))
        if not isinstance(n.items, ir.SetLiteral):
            raise SQLCompileError("contains all/any of a non-literal")
        consts = [i.value for i in n.items.items if isinstance(i, ir.Const) and isinstance(i.value, str)]
        if coll.kind == "set" and len(consts) == len(n.items.items):
            spelled = _spelled(coll, consts, n.quant)
            if spelled is not None:
                return Val("bool", spelled)
            # one set operation (as the Python compiler): found, else unknown if an element is, else false
            wanted = exp.Array(expressions=[lit(c) for c in consts])
            found = (lists.has_all if n.quant == "all" else lists.has_any)(coll.sql, wanted)
            holes = exp.LT(this=lists.known(coll.sql), expression=lists.length(coll.sql))
            return Val("bool", case([(is_null(coll.sql), exp.cast(NULL, "BOOLEAN", copy=False)), (found, exp.true()),
                                     (holes, exp.cast(NULL, "BOOLEAN", copy=False))], exp.false()))
        parts = [self._member_of_list(self.value(i, scopes), coll, scopes) for i in n.items.items]
        joined = _kleene_and(parts) if n.quant == "all" else _kleene_or(parts)
        return Val("bool", case([(is_null(coll.sql), exp.cast(NULL, "BOOLEAN", copy=False))], joined))

    def c_SetLiteral(self, n: ir.SetLiteral, scopes) -> Val:
        raise SQLCompileError("a set literal outside `in` / `contains`")

    def c_Cond(self, n: ir.Cond, scopes) -> Val:
        t = self.cond(n.test, scopes)
        a, b = self.value(n.then, scopes), self.value(n.else_, scopes)
        if a.kind == "num" and b.kind == "num":
            return numbers.choose(t, a, b)
        return choose(t, a, b)

    def c_Present(self, n: ir.Present, scopes) -> Val:
        target = n.target
        outer = target.obj if isinstance(target, ir.Field) else None
        if isinstance(outer, ir.Field) and outer.optional and not outer.over_list \
                and not isinstance(outer.type, Dynamic) and not target.over_list:
            # present(a.b) with a optional: unknown (NULL) when a is not recorded, false when absent
            there = self.c_Present(ir.Present(outer, n.type), scopes).sql
            return Val("bool", case([(there, self.present_in(n, scopes).sql)], there))
        return self.present_in(n, scopes)

    def present_in(self, n: ir.Present, scopes) -> Val:
        """``present(x)`` given that the record holding ``x`` is there or absent (not unrecorded)."""
        target = n.target
        if isinstance(target, ir.Field) and not target.over_list:  # runtime.present
            obj, odt = self._record_of(target, scopes)
            if not target.optional or isinstance(target.type, Dynamic):
                return Val("bool", not_null(reader.get(obj, odt, target.name)[0]))
            there = reader.there(obj, odt, target.name)
            return Val("bool", there if obj is None else case([(is_null(obj), exp.false())], there))
        return Val("bool", not_null(_null_test(self.value(target, scopes))))

    def c_Builtin(self, n: ir.Builtin, scopes) -> Val:
        args = [self.value(a, scopes) for a in n.args]
        _need_num(*args)
        if n.func == "abs":
            return numbers.absval(args[0])
        if n.func not in ("min", "max"):
            raise SQLCompileError(f"SQL compiler: unhandled function {n.func}")
        return numbers.minmax(n.func, args)

    # ------------------------------------------------------------------ aggregates
    def c_Aggregate(self, n: ir.Aggregate, scopes) -> Val:
        if self.links is not None and not self._inner and len(scopes) == 1:
            done = self._grouped(n)
            if done is not None:
                return done
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
        where = self.inside(self.cond, n.where, inner) if n.where is not None else None
        given = self.inside(self.value, n.item, inner) if n.item is not None else None
        if n.func in ("all", "any"):
            value = given.sql if given is not None else elem.sql if elem is not None else None
            return aggregates.quantify(n.func, coll.sql, param, where, value, self.keep)
        if n.func in ("count", "share"):
            if given is not None and given.kind != "bool":
                raise SQLCompileError(f"{n.func} of a {given.kind}")
            return aggregates.count(n.func, coll.sql, param, where, given.sql if given is not None else None,
                                    self.keep)
        item = given if given is not None else elem
        if item is None or item.kind != "num":
            raise SQLCompileError(f"{n.func} of a {item.kind if item else 'record'}")
        return aggregates.numeric(n.func, coll.sql, param, where, item, ranges.element_range(n, self.lets),
                                  self.keep)


    def _grouped(self, n: ir.Aggregate) -> Val | None:
        """The aggregate over a chain of linked levels as a GROUP BY (:mod:`.grouped`); None if it reads more."""
        chain, proj = self.links.chain(n.coll, self.lets), None
        if chain is None:  # sum(communities.commercial_area): a field of each element of a chain
            proj = _projection(n.coll, self.lets)
            if proj is None or n.item is not None or n.where is not None:
                return None
            chain = self.links.chain(proj[0], self.lets)
            if chain is None:
                return None
        inner = [Scope(None, OUTER), Scope(None, self.links.levels[chain[-1].child].dtype)]
        try:
            where = self.inside(self.cond, n.where, inner) if n.where is not None else None
            item = n.item if proj is None else proj[1]
            given = self.inside(self.value, item, inner) if item is not None else None
            if proj is not None and n.func in ("count", "share"):
                given = None  # count of a list of values: how many there are
            body = _element_body(n, where, given, self.lets)
        except (NotGroupable, NeedsLinking, SQLCompileError):
            return None
        col = self.links.add(chain, body)
        p = exp.to_identifier("_e1")
        if n.func in ("all", "any"):
            return aggregates.quantify(n.func, col, p, None, p, self.keep)
        if n.func in ("count", "share"):
            return aggregates.count(n.func, col, p, None, p, self.keep)
        return aggregates.numeric(n.func, col, p, None, given, ranges.element_range(n, self.lets), self.keep, pre=col)


# ------------------------------------------------------------------ helpers
def _projection(n: ir.Node, lets) -> tuple[ir.Node, ir.Node] | None:
    """``xs.f`` (a field or definition of each element, not a list): ``xs`` and ``f`` read from the element."""
    if isinstance(n, ir.Field) and n.over_list and not n.list_field and n.obj is not None:
        t = n.type.elem if isinstance(n.type, ListT) else n.type
        return n.obj, attrs.evolve(n, obj=None, depth=0, over_list=False, type=t)
    if isinstance(n, ir.LetRef) and n.over_list and n.obj is not None:
        info = lets.get(f"{n.entity}.{n.name}")
        if info is None or isinstance(info.type, ListT):
            return None
        return n.obj, attrs.evolve(n, obj=None, depth=0, over_list=False)
    return None


def _element_body(n: ir.Aggregate, where: exp.Expression | None, given: Val | None, lets) -> exp.Expression:
    """What a grouped aggregate collects of each element (the list path's per-element lambda body)."""
    if n.func in ("all", "any"):
        value = given.sql if given is not None else None
        if value is None and where is not None:
            value, where = where, None
        v = value if value is not None else exp.true()
        if n.func == "all":
            return v if where is None else exp.Or(this=exp.Not(this=paren(where)), expression=paren(v))
        return v if where is None else exp.And(this=paren(where), expression=paren(v))
    if n.func in ("count", "share"):
        if given is not None and given.kind != "bool":
            raise SQLCompileError(f"{n.func} of a {given.kind}")
        flag = where
        if given is not None:
            flag = given.sql if flag is None else exp.And(this=paren(flag), expression=paren(given.sql))
        return flag if flag is not None else exp.true()
    if given is None or given.kind != "num":
        raise SQLCompileError(f"{n.func} of a {given.kind if given else 'record'}")
    return aggregates.element(n.func, exp.to_identifier("_e1"), where, given, ranges.element_range(n, lets))


def choose(test: exp.Expression, a: Val, b: Val) -> Val:
    """``runtime.cond`` for truths and text: the branch the test picks; when it is unknown, the common value if
    both agree (numbers: :func:`.numbers.choose`)."""
    if a.kind != b.kind:
        raise SQLCompileError(f"if-then-else of a {a.kind} and a {b.kind}")
    if a.kind not in ("bool", "text"):
        raise SQLCompileError(f"if-then-else of a {a.kind}")
    whens = [(paren(test), a.sql), (exp.Not(this=paren(test)), b.sql), (compare("==", a, b), a.sql)]
    return Val(a.kind, case(whens))


def _need_num(*vals: Val) -> None:
    for v in vals:
        if v.kind != "num":
            raise SQLCompileError(f"arithmetic on a {v.kind}")


def _param(scopes: list) -> exp.Identifier:
    return exp.to_identifier(f"_e{len(scopes)}")


def _element(coll: Val, param: exp.Identifier) -> Val:
    """An element of a list of plain values (a range: the struct of its ends, see ``_project``)."""
    t = coll.elem
    if t.kind == "num" and t.hi is not None:
        lo, hi = (exp.Dot(this=param.copy(), expression=exp.to_identifier(k)) for k in ("l", "h"))
        return Val("num", lo, hi=hi, scale=t.scale, den=t.den, den_scale=t.den_scale)
    return Val(t.kind, param, scale=t.scale, dtype=t.dtype, elem=t.elem, den=t.den, den_scale=t.den_scale)


def _null_test(v: Val) -> exp.Expression:
    return v.sql


def _typed_null(e: exp.Expression) -> exp.Expression:
    return exp.Null()


def _map_sql(v: Val, fn) -> Val:
    return Val(v.kind, fn(v.sql), den=v.den, scale=v.scale, den_scale=v.den_scale, elem=v.elem, dtype=v.dtype,
               hi=None if v.hi is None else fn(v.hi))


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
