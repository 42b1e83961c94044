"""Aggregates in generated code (a mixin of the compiler): count/any/all over a typed list inline.

Takes an :class:`~standardlang.lang.ir.Aggregate`; gives Python source.  Most go through
:func:`~standardlang.backends.python.runtime.aggregate` with a ``lambda`` per element.
``count``, ``any`` and ``all`` over a list or set the schema types (its elements were
validated before the rule function runs) judge every element in one list comprehension
instead, and read the answer from the list of their truth values:

* ``any``: true if an element is true, else unknown if one is unknown, else false;
* ``all``: false if an element is false, else unknown if one is unknown, else true;
* ``count``: the number of true elements, or, with unknown ones, the range
  ``runtime.Bounds(n, n + unknown)`` (:func:`~standardlang.backends.python.runtime.counted`);
* ``count(...) OP k`` against an integer constant, decided from the two counts without
  building the range: ``>= k`` is true when ``n >= k``, false when ``n + unknown < k``,
  else unknown — what ``runtime.compare`` decides for the range.

Each element's truth is Kleene's logic of ``where`` and the item, as in
``runtime.aggregate``: ``count``/``any`` take ``where and item``; ``all(xs where c)`` is
every element satisfying ``c``; ``all(xs where w, v)`` takes ``not w or v``.  An unknown
collection (a list not recorded) is unknown; an empty one gives 0, false, true.  Every
element is judged (``runtime.aggregate`` stops at the first decisive one): validated
elements cannot raise, so only the time differs.  A schemaless collection, an aggregate
with neither ``where`` nor an item, and the other aggregates take the runtime.
"""

from __future__ import annotations

from standardlang.lang import ir, ranges
from standardlang.lang.types import BoolT, Dynamic, ListT, SetT

#: aggregates whose item is a condition (as in the interpreter)
_BOOL_AGGREGATES = ("all", "any", "count", "share")

#: the orderings a count is compared by, written as `count >= k` with k an int
_AT_LEAST = {">=": 0, ">": 1}
_AT_MOST = {"<=": 0, "<": -1}


class AggregateEmitter:
    """Mixin of :class:`~standardlang.backends.python.compiler.Compiler`: aggregates (count/any/all inline)."""

    INLINE_AGGREGATES = ("count", "any", "all")

    def c_Aggregate(self, n: ir.Aggregate, scopes, f):
        inline = self.inline_aggregate(n, scopes, f)
        if inline is not None:  # count/any/all over a typed list: one list comprehension, no lambda
            return inline
        # any other: runtime.aggregate, with the item and where as lambdas of the element
        coll = self.expr(n.coll, scopes, f)
        var = f"_s{len(scopes)}"
        inner = scopes + [var]
        value = self.test if n.func in _BOOL_AGGREGATES else self.expr
        item = f"lambda {var}: {value(n.item, inner, f)}" if n.item is not None else "None"
        where = f"lambda {var}: {self.test(n.where, inner, f)}" if n.where is not None else "None"
        if n.func in ("sum", "avg", "min", "max"):  # what an unknown element can be
            lo, hi = ranges.element_range(n, self.lets)
            return f"_rt.aggregate({n.func!r}, {coll}, {item}, {where}, {self.const(lo)}, {self.const(hi)})"
        return f"_rt.aggregate({n.func!r}, {coll}, {item}, {where})"

    def inline_aggregate(self, n: ir.Aggregate, scopes, f) -> str | None:
        """``n`` inline, or None when this form does not apply."""
        found = self._truths(n, scopes, f)
        if found is None:
            return None
        coll, c, truths = found
        w = f.temp()
        if n.func == "any":
            empty, test = "False", f"(True if True in ({w} := {truths}) else None if None in {w} else False)"
        elif n.func == "all":
            empty, test = "True", f"(False if False in ({w} := {truths}) else None if None in {w} else True)"
        else:
            empty, test = "0", f"_rt.counted({truths})"
        return f"(None if ({c} := {coll}) is None else {empty} if not {c} else {test})"

    def inline_count_compare(self, op: str, left: ir.Node, right: ir.Node, scopes, f) -> str | None:
        """``count(...) OP k`` (``k`` an int constant, ``OP`` an ordering) inline, or None."""
        if not (isinstance(left, ir.Aggregate) and left.func == "count" and isinstance(right, ir.Const)
                and right.value.__class__ is int and (op in _AT_LEAST or op in _AT_MOST)):
            return None
        found = self._truths(left, scopes, f)
        if found is None:
            return None
        coll, c, truths = found
        w, k = f.temp(), f.temp()
        counts = f"({k} := ({w} := {truths}).count(True))"
        if op in _AT_LEAST:  # n >= need: true; n + unknown < need: false; else unknown
            need = right.value + _AT_LEAST[op]
            empty = repr(0 >= need)
            test = f"(True if {counts} >= {need!r} else None if {k} + {w}.count(None) >= {need!r} else False)"
        else:  # n > most: false; n + unknown <= most: true; else unknown
            most = right.value + _AT_MOST[op]
            empty = repr(0 <= most)
            test = f"(False if {counts} > {most!r} else True if {k} + {w}.count(None) <= {most!r} else None)"
        return f"(None if ({c} := {coll}) is None else {empty} if not {c} else {test})"

    def _truths(self, n: ir.Aggregate, scopes, f) -> tuple[str, str, str] | None:
        """(the collection's code, the temp holding it, the list of each element's truth), or None."""
        if n.func not in self.INLINE_AGGREGATES or isinstance(n.coll.type, Dynamic) \
                or not isinstance(n.coll.type, (ListT, SetT)):
            return None
        where, item = n.where, n.item
        if n.func == "all":
            if item is None:  # all(xs where c): every element satisfies c
                item, where = where, None
            node = item if where is None else ir.Logic("or", ir.Unary("not", where, BoolT()), item, BoolT())
        else:
            parts = [p for p in (where, item) if p is not None]
            node = parts[0] if len(parts) == 1 else ir.Logic("and", parts[0], parts[1], BoolT()) if parts else None
        if node is None:
            return None
        coll, c = self.expr(n.coll, scopes, f), f.temp()
        var = f"_s{len(scopes)}"
        return coll, c, f"[{self.test(node, scopes + [var], f)} for {var} in {c}]"
