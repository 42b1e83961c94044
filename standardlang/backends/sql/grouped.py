"""Aggregates over a linked child level as GROUP BY queries, not lists of child records per parent.

Takes, from an engine, the unlinked rows of every level (:class:`Level`: a relation and its
data shape) and gives the compiler (:class:`Links`) a way to judge ``share(communities
where ...)`` of a subdistrict, district or city without building, per parent row, a list
of its communities' records (at a million communities that list costs seconds per level
and gigabytes).  For an aggregate whose collection is a chain of linked levels read from
the row (``communities``; ``subdistricts.communities``, also through a definition such as a
district's ``communities``) and whose condition and item read only the element, the
per-element part (the truth value counted, or the ``{w, l, h}`` struct of
:func:`.aggregates.element`) is computed on the child rows themselves and collected per
parent key (``list(...) GROUP BY``, one query per chain); the parent row gets that list of
small values as a column ``_sl_g<n>`` and the list aggregates of :mod:`.aggregates` run over
it, unchanged.  So the settled-range semantics (bounds from the known elements) are those
of the list path, value for value.

The list is NULL (unknown) where the linked list would be: the parent's key is NULL, or an
intermediate level's row linked to it has a NULL key (a flattened list with an unknown
part).  Children are matched as the engine links them: the child's ``by`` field equals
the parent's key, both as text.

Whatever cannot go this way (an element reading its parent row, a definition of the
goal, an aggregate inside a lambda) is compiled over the linked list; if that list is
not in the row, the compiler raises :class:`NeedsLinking` and the engine links the level
as before.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlglot import exp

from standardlang.backends.sql.reader import json_null_to_sql
from standardlang.backends.sql.values import DType, case, is_null
from standardlang.lang import ir
from standardlang.lang.types import ListT, RecordT


class NotGroupable(Exception):
    """This aggregate reads more than its element (compiled over the list instead)."""


class NeedsLinking(Exception):
    """The query reads a linked level as a list: the engine must link it into the rows."""


class Level(NamedTuple):
    relation: exp.Expression  # the level's rows, unlinked
    dtype: DType  # their data shape (a struct of columns)


class Hop(NamedTuple):
    field: str  # the parent's linked field (``communities``)
    child: str  # the child entity
    by: str  # the child's field holding the parent's key


OUTER = DType("outer")  # the scope of the parent row, out of reach of a grouped element


def _ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def _col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(_ident(name), table=_ident(table) if table else None)


def _as(rel: exp.Expression, name: str) -> exp.Expression:
    """``rel AS name``: a table, or a query as a subquery."""
    rel = rel.copy()
    if isinstance(rel, exp.Identifier):
        rel = exp.Table(this=rel)
    if isinstance(rel, exp.Table):
        rel.set("alias", exp.TableAlias(this=_ident(name)))
        return rel
    return exp.alias_(rel if isinstance(rel, exp.Subquery) else exp.Subquery(this=rel), name, table=True, copy=False)


def _text(e: exp.Expression) -> exp.Expression:
    return exp.cast(e, "VARCHAR", copy=False)


class Links:
    """The levels an engine offers for grouped aggregates, and the grouped columns asked of them."""

    def __init__(self, spec: Any, root: str, levels: dict[str, Level]):
        self.spec = spec
        self.root = root
        self.levels = levels
        self.groups: dict[tuple[Hop, ...], list[tuple[str, exp.Expression]]] = {}
        self._count = 0
        self.linked_names = {name for ent in levels for name, info in spec.checked.entities[ent].fields.items()
                             if self._linkable(ent, name, info)}

    def _linkable(self, entity: str, name: str, info: Any) -> bool:
        """Whether the engine would link field ``name`` of ``entity`` (as ``DuckDBRun._linked`` does)."""
        t = info.type
        if not (isinstance(t, ListT) and isinstance(t.elem, RecordT) and t.elem.entity and info.by):
            return False
        rtype = self.spec.checked.entities[entity]
        dtype = self.levels[entity].dtype
        return (t.elem.name in self.levels and rtype.key is not None and dtype.field(rtype.key) is not None
                and dtype.field(name) is None)

    def hop(self, entity: str, name: str) -> Hop | None:
        info = self.spec.checked.entities[entity].fields.get(name)
        if info is None or entity not in self.levels or not self._linkable(entity, name, info):
            return None
        return Hop(name, info.type.elem.name, info.by)

    def chain(self, n: Any, lets: dict) -> tuple[Hop, ...] | None:
        """The linked levels ``n`` (an aggregate's collection, read from the row) walks down, or None."""
        if isinstance(n, ir.LetRef) and n.obj is None and n.depth == 0 and not n.entity.startswith("goal:"):
            info = lets.get(f"{n.entity}.{n.name}")
            return None if info is None or n.entity != self.root else self.chain(info.ir, lets)
        if not isinstance(n, ir.Field) or not n.list_field:
            return None
        if n.obj is None:
            if n.depth != 0 or n.over_list:
                return None
            h = self.hop(self.root, n.name)
            return None if h is None else (h,)
        if not n.over_list:
            return None
        up = self.chain(n.obj, lets)
        if up is None:
            return None
        h = self.hop(up[-1].child, n.name)
        return None if h is None or h.child in {self.root, *(x.child for x in up)} else up + (h,)

    def add(self, chain: tuple[Hop, ...], body: exp.Expression) -> exp.Expression:
        """The parent row's list of ``body`` over the chain's child rows (a column ``_sl_g<n>``)."""
        cols = self.groups.setdefault(chain, [])
        for name, b in cols:
            if b == body:
                return _col(name)
        name = f"_sl_g{self._count}"
        self._count += 1
        cols.append((name, body))
        return _col(name)

    def no_key(self, entity: str, table: str) -> exp.Expression:
        """Whether the row ``table`` of ``entity`` has no key (NULL, or JSON ``null``): its children are unknown."""
        key = self.spec.checked.entities[entity].key
        e = _col(key, table)
        t = self.levels[entity].dtype.field(key)
        return is_null(json_null_to_sql(e) if t is not None and t.kind == "json" else e)

    # ------------------------------------------------------------------ the SQL
    def join(self, rel: exp.Expression, key: str) -> exp.Select:
        """``rel`` (the parent rows, with column ``key``) with every grouped column, NULL where unknown."""
        sel = exp.select(exp.Column(this=exp.Star(), table=_ident("_p")), copy=False) \
            .from_(exp.alias_(exp.Subquery(this=rel), "_p", table=True, copy=False), copy=False)
        pkey = _col(key, "_p")
        for i, (chain, cols) in enumerate(self.groups.items()):
            g = f"_sl_j{i}"
            sel = sel.join(exp.alias_(exp.Subquery(this=self._grouped(chain, cols)), g, table=True, copy=False),
                           on=exp.EQ(this=_col("_sl_k", g), expression=_text(pkey)), join_type="left", copy=False)
            unknown = exp.or_(self.no_key(self.root, "_p"), exp.Is(this=_col("_sl_u", g), expression=exp.true()), copy=False)
            for name, _ in cols:
                sel = sel.select(exp.alias_(case([(unknown, exp.Null())], exp.func(
                    "coalesce", _col(name, g), exp.Array(expressions=[]))), _ident(name), copy=False), copy=False)
        return sel

    def _grouped(self, chain: tuple[Hop, ...], cols: list[tuple[str, exp.Expression]]) -> exp.Select:
        """Per parent key: the list of each body over the chain's last level, and whether it is unknown."""
        rows = self._chain_rows(chain)
        sel = exp.select(_col("_sl_k"), copy=False).from_(exp.alias_(exp.Subquery(this=rows), "_r", table=True,
                                                                      copy=False), copy=False)
        for name, body in cols:
            sel = sel.select(exp.alias_(exp.func("list", body), _ident(name), copy=False), copy=False)
        sel = sel.group_by(_col("_sl_k"), copy=False)
        if len(chain) == 1:
            return sel.select(exp.alias_(exp.false(), "_sl_u", copy=False), copy=False)
        # a flattened list is unknown when a row of an intermediate level has no key (its children unknown)
        unk = self._unknown(chain[:-1])
        out = exp.select(exp.Column(this=exp.Star(), table=_ident("_a")), copy=False).from_(
            exp.alias_(exp.Subquery(this=unk), "_b", table=True, copy=False), copy=False)
        out = out.join(exp.alias_(exp.Subquery(this=sel), "_a", table=True, copy=False),
                       on=exp.EQ(this=_col("_sl_k", "_a"), expression=_col("_sl_k", "_b")), join_type="left", copy=False)
        # keys with unknown parts but no child row still need their flag: take the key from _b
        out.set("expressions", [exp.alias_(_col("_sl_k", "_b"), "_sl_k", copy=False),
                                *[exp.alias_(_col(n, "_a"), _ident(n), copy=False) for n, _ in cols],
                                exp.alias_(_col("_sl_u", "_b"), "_sl_u", copy=False)])
        return out

    def _chain_rows(self, chain: tuple[Hop, ...]) -> exp.Select:
        """The last level's rows with ``_sl_k``: the key of the root row they belong to (as text)."""
        last = self.levels[chain[-1].child].relation
        sel = exp.select(exp.Column(this=exp.Star(), table=_ident("_x0")), copy=False) \
            .from_(_as(last, "_x0"), copy=False)
        below, by = "_x0", chain[-1].by
        for i in range(len(chain) - 2, -1, -1):  # up the chain: join each intermediate level on its key
            hop, alias = chain[i], f"_x{len(chain) - 1 - i}"
            key = self.spec.checked.entities[hop.child].key
            sel = sel.join(_as(self.levels[hop.child].relation, alias),
                           on=exp.EQ(this=_text(_col(by, below)), expression=_text(_col(key, alias))), copy=False)
            below, by = alias, hop.by
        return sel.select(exp.alias_(_text(_col(by, below)), "_sl_k", copy=False), copy=False)

    def _unknown(self, chain: tuple[Hop, ...]) -> exp.Select:
        """Per root key: whether a row of the intermediate levels ``chain`` linked to it has a NULL key."""
        first = chain[0]
        k0 = self.spec.checked.entities[first.child].key
        sel = exp.select(copy=False).from_(_as(self.levels[first.child].relation, "_y0"), copy=False)
        flags = [self.no_key(first.child, "_y0")]
        above, akey = "_y0", k0
        for i, hop in enumerate(chain[1:], 1):
            alias, key = f"_y{i}", self.spec.checked.entities[hop.child].key
            there = _as(self._marked(hop.child), alias)
            sel = sel.join(there, on=exp.EQ(this=_text(_col(hop.by, alias)), expression=_text(_col(akey, above))),
                           join_type="left", copy=False)
            flags.append(exp.and_(exp.Is(this=_col("_sl_e", alias), expression=exp.true()),
                                  self.no_key(hop.child, alias), copy=False))
            above, akey = alias, key
        flag = exp.func("bool_or", exp.or_(*flags, copy=False))
        return sel.select(exp.alias_(_text(_col(first.by, "_y0")), "_sl_k", copy=False),
                          exp.alias_(flag, "_sl_u", copy=False), copy=False).group_by(exp.Literal.number(1), copy=False)

    def _marked(self, entity: str) -> exp.Expression:
        rel = self.levels[entity].relation.copy()
        return exp.Subquery(this=exp.select(exp.Star(), exp.alias_(exp.true(), "_sl_e", copy=False), copy=False)
                            .from_(rel, copy=False))
