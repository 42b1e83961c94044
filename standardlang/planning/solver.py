"""The nearest passing change for a condition: the planner's solver.

Takes a condition (checked IR), the record it was judged on (with the record
types in scope) and the fields that describe the place rather than what is built
(``fixed``: a community's kind, households, total building area...); gives the
ways to make the condition hold (:class:`~standardlang.planning.changes.Option`),
each a set of edits in the record's units.  Thresholds are solved exactly
(:mod:`standardlang.planning.linear`) and rounded to the field's resolution — a
whole number for counts, 0.01 of the record's unit otherwise — so each proposal
passes and the same proposal less one resolution step does not.  ``and`` is
solved part by part on the record as changed so far (a kindergarten is built,
then its area set); ``or``, rule alternatives and ``between`` ranges give several
ways or a range; a condition that is not linear in any field that may move, or
that depends on missing data, gives an option marked unsolved, with a note.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import attrs

from standardlang.lang import ir, units
from standardlang.lang.types import BoolT, EnumT, ListT, Num, RecordT, SetT, TextT
from standardlang.planning import linear as lin
from standardlang.planning.changes import Change, Option, apply, field_info, get_path

MAX_OPTIONS = 8
NEGATE = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "==": "!=", "!=": "=="}


def resolution(info: Any) -> Fraction:
    """One step of a field: 1 for a count, 0.01 of the record's unit otherwise."""
    t = info.type if info is not None else None
    if isinstance(t, Num) and t.kind == "count":
        return Fraction(1)
    return Fraction(1, 100)


def lowest(info: Any) -> Fraction | None:
    """The least value a field may hold: its declared lower bound, or 0 for counts and quantities."""
    if info is None:
        return None
    if info.bounds is not None:
        return Fraction(info.bounds[0])
    t = info.type
    if isinstance(t, Num) and (t.kind in ("count", "quantity", "ratio") or t.dim != units.NONE):
        return Fraction(0)
    return None


def highest(info: Any) -> Fraction | None:
    if info is not None and info.bounds is not None:
        return Fraction(info.bounds[1])
    return None


class Solver:
    """Solves conditions over records of one entity (``rtype``); ``fixed`` paths never move."""

    def __init__(self, interp: Any, rtype: RecordT, fixed: frozenset[str] = frozenset()):
        self.interp = lin.OverrideInterpreter(interp.lets)
        self.rtype = rtype
        self.fixed = fixed

    # ------------------------------------------------------------ entry points
    def holds(self, node: Any, scopes: list[Any]) -> Any:
        return self.interp.eval(node, scopes)

    def solve_all(self, conditions: Any, scopes: list[Any], pos: bool = True, rtypes: Any = None) -> list[Option]:
        """Ways to make every condition hold (``pos``) — or every one fail — solved in order."""
        states: list[tuple[Option, list[Any]]] = [(Option(), scopes)]
        for cond in conditions:
            nxt: list[tuple[Option, list[Any]]] = []
            for done, sc in states:
                if not done.solved or self.holds(cond, sc) is pos:
                    nxt.append((done, sc))
                    continue
                for opt in self.solve(cond, sc, pos, rtypes):
                    nxt.append((done + opt, self.after(sc, opt)))
            states = nxt[:MAX_OPTIONS]
        return [o for o, _ in states]

    def after(self, scopes: list[Any], opt: Option) -> list[Any]:
        return scopes[:-1] + [apply(scopes[-1], opt.changes)]

    def solve(self, node: Any, scopes: list[Any], pos: bool = True, rtypes: Any = None) -> list[Option]:
        """Ways to make ``node`` evaluate to ``pos`` on the innermost record of ``scopes``."""
        rtypes = rtypes or [self.rtype]
        body = lin.inline(node, self.interp.lets)
        if body is not None:
            return self.solve(body, scopes, pos, rtypes)
        if isinstance(node, ir.Const) and isinstance(node.value, bool):
            return [] if node.value != pos else [Option()]
        if isinstance(node, ir.Unary) and node.op == "not":
            return self.solve(node.operand, scopes, not pos, rtypes)
        if isinstance(node, ir.Logic):
            parts = _flatten(node, node.op)
            if (node.op == "and") == pos:
                return self.solve_all(parts, scopes, pos, rtypes)
            ways: list[Option] = []
            for p in parts:
                ways.extend(self.solve(p, scopes, pos, rtypes))
            return _best_first(ways)[:MAX_OPTIONS]
        handler = getattr(self, "s_" + type(node).__name__, None)
        if handler is not None:
            out = handler(node, scopes, pos, rtypes)
            if out is not None:
                return out
        return [self.unsolved(node, "the planner cannot solve this kind of condition")]

    def unsolved(self, node: Any, why: str) -> Option:
        return Option(notes=(f"{node.text or 'condition'}: {why}",), solved=False)

    # ------------------------------------------------------------ facilities and facts
    def movable(self, path: tuple[str, ...] | None, rtypes: list) -> bool:
        return path is not None and (len(rtypes) > 1 or ".".join(path) not in self.fixed)

    def s_Present(self, node: ir.Present, scopes, pos, rtypes):
        path = lin.plain_path(node.target)
        if path is None or not pos:
            return [self.unsolved(node, "only a missing facility can be proposed (never a removal)")]
        info = field_info(rtypes[-1], ".".join(path))
        empty: Any = [] if info is not None and isinstance(info.type, ListT) else {}
        # a facility on a record that is itself missing: create the parents first
        changes = [Change(".".join(path[:i]), "create", after={}) for i in range(1, len(path))
                   if get_path(scopes[-1], ".".join(path[:i])) is None]
        return [Option(tuple(changes) + (Change(".".join(path), "create", after=empty),))]

    def s_Field(self, node: ir.Field, scopes, pos, rtypes):
        path = lin.plain_path(node)
        if not isinstance(node.type, BoolT):
            return None
        if not self.movable(path, rtypes):
            return [self.unsolved(node, "describes the place (a fixed field), not what is built")]
        before = get_path(scopes[-1], ".".join(path))
        return [Option((Change(".".join(path), "set", before=before, after=pos),))]

    def s_Contains(self, node: ir.Contains, scopes, pos, rtypes):
        path = lin.plain_path(node.collection)
        items = node.items.items if isinstance(node.items, ir.SetLiteral) else (node.items,)
        if path is None or not all(isinstance(i, ir.Const) for i in items) or not pos:
            return None
        if not self.movable(path, rtypes):
            return [self.unsolved(node, "describes the place (a fixed field), not what is built")]
        have = self.holds(node.collection, scopes) or frozenset()
        wanted = [i.value for i in items]
        p = ".".join(path)
        if node.quant == "any":
            return [Option((Change(p, "add_members", before=_names(have), members=(m,)),)) for m in wanted]
        missing = tuple(m for m in wanted if m not in have)
        return [Option((Change(p, "add_members", before=_names(have), members=missing),))]

    def s_Member(self, node: ir.Member, scopes, pos, rtypes):
        path = lin.plain_path(node.value)
        coll = node.collection
        if path is None or not isinstance(node.value.type, EnumT) or not isinstance(coll, ir.SetLiteral) \
                or not all(isinstance(i, ir.Const) for i in coll.items):
            return None
        inside = {i.value for i in coll.items}
        keep = pos != node.negated
        choices = tuple(m for m in node.value.type.members if (m in inside) == keep)
        return self._choose(node, path, choices, scopes, rtypes)

    def _choose(self, node, path, choices, scopes, rtypes):
        if not self.movable(path, rtypes):
            return [self.unsolved(node, "describes the place (a fixed field), not what is built")]
        if not choices:
            return [self.unsolved(node, "no value passes")]
        before = get_path(scopes[-1], ".".join(path))
        notes = () if len(choices) == 1 else (f"{'.'.join(path)}: not unique — any of {', '.join(choices)} passes",)
        return [Option((Change(".".join(path), "choose", before=before, after=choices[0], choices=choices),), notes)]

    # ------------------------------------------------------------ figures
    def s_Compare(self, node: ir.Compare, scopes, pos, rtypes):
        op = node.op if pos else NEGATE[node.op]
        left, right = node.left, node.right
        if isinstance(left.type, (EnumT, TextT)) or isinstance(right.type, (EnumT, TextT)):
            if isinstance(left, ir.Const):
                left, right = right, left
            path = lin.plain_path(left)
            if path is None or not isinstance(right, ir.Const) or not isinstance(left.type, EnumT):
                return None
            choices = tuple(m for m in left.type.members if (m == right.value) == (op == "=="))
            return self._choose(node, path, choices, scopes, rtypes)
        if not isinstance(left.type, Num) or not isinstance(right.type, Num):
            return None
        if op == "!=":
            return [self.unsolved(node, "not unique: any value but one passes")]
        agg = _count_aggregate(left, right, self.interp.lets)
        if agg is not None:
            return self._count(node, agg, [(left, right, op)], scopes, rtypes)
        return self._figures(node, [(left, right, op)], scopes, rtypes)

    def s_Between(self, node: ir.Between, scopes, pos, rtypes):
        if not isinstance(node.value.type, Num):
            return None
        if pos:
            return self._figures(node, [(node.value, node.low, ">="), (node.value, node.high, "<=")], scopes, rtypes)
        ways = self._figures(node, [(node.value, node.low, "<")], scopes, rtypes)
        ways += self._figures(node, [(node.value, node.high, ">")], scopes, rtypes)
        return _best_first(ways)

    def _figures(self, node, system, scopes, rtypes) -> list[Option]:
        """Each movable field alone: the nearest value that satisfies the linear system."""
        paths: list[tuple[str, ...]] = []
        for lhs, rhs, _ in system:
            for p in lin.field_paths(lhs, self.interp.lets) + lin.field_paths(rhs, self.interp.lets):
                if p not in paths:
                    paths.append(p)
        ways: list[Option] = []
        why: list[str] = []
        for path in paths:
            if not self.movable(path, rtypes):
                continue
            change, reason = self.solve_field(path, system, scopes, rtypes[-1])
            if change is not None:
                ways.append(Option((change,)))
            elif reason:
                why.append(f"{'.'.join(path)}: {reason}")
        if not ways:
            fixed = [".".join(p) for p in paths if not self.movable(p, rtypes)]
            reason = "; ".join(why) or "no field that may move"
            if fixed:
                reason += f" (fixed: {', '.join(fixed)})"
            return [self.unsolved(node, reason)]
        first, rest = ways[0], ways[1:]
        if rest:
            first = Option(first.changes, first.notes + ("several fields may move; the others: "
                                                          + "; ".join(o.changes[0].describe() for o in rest),),
                           moves=tuple(o.changes[0] for o in rest))
        return [first] + rest

    def solve_field(self, path, system, scopes, rtype) -> tuple[Change | None, str]:
        p = ".".join(path)
        info = field_info(rtype, p)
        scale = Fraction(info.scale) if info is not None and info.scale else Fraction(1)
        target = lin.is_path(path)
        region = lin.Region(None, None)
        for lhs, rhs, op in system:
            try:
                a = lin.linearize(lhs, target, self.interp, scopes, scale)
                b = lin.linearize(rhs, target, self.interp, scopes, scale)
            except lin.Unknown as exc:
                return None, f"depends on missing data ({exc})"
            if a is None or b is None:
                return None, "not linear in this field"
            coef, const = a[0] - b[0], a[1] - b[1]
            if coef == 0:
                from standardlang.backends.python import runtime as rt

                if not rt.compare(op, const, 0):
                    return None, "cannot pass by moving this field"
                continue
            region = lin.meet(region, lin.constraint(coef, const, op))
        grid = lin.on_grid(region, resolution(info), lowest(info))
        hi = highest(info)
        if grid is not None and hi is not None:
            grid = lin.meet(grid, lin.Region(None, lin.Bound(hi, False)))
            grid = None if grid.empty() else grid
        if grid is None:
            return None, "no value of this field passes"
        before = get_path(scopes[-1], p)
        cur = Fraction(before) if isinstance(before, (int, float, Fraction)) and not isinstance(before, bool) \
            else Fraction(0)
        if isinstance(before, float):
            cur = Fraction(repr(before))
        after = lin.nearest(grid, cur)
        action = "raise" if after > cur or before is None else "lower" if after < cur else "set"
        t = info.type if info is not None else None
        return Change(p, action, before=before, after=after,
                      low=grid.lo.value if grid.lo else None, high=grid.hi.value if grid.hi else None,
                      unit=_unit(t), scale=scale, kind=getattr(t, "kind", "")), ""

    def s_Aggregate(self, node: ir.Aggregate, scopes, pos, rtypes):
        """all(P for list where W) / any(P for list where W): make P hold on the elements that need it."""
        path = lin.plain_path(node.coll)
        if node.func not in ("all", "any") or node.item is None or path is None or not pos:
            return None
        p = ".".join(path)
        items = get_path(scopes[-1], p)
        if not isinstance(items, list):
            return None
        elem_type = node.coll.type.elem if isinstance(node.coll.type, ListT) else None
        inner = rtypes + [elem_type]

        def counts(e: Any) -> Any:
            return True if node.where is None else self.holds(node.where, scopes + [e])

        def fix(i: int, e: Any) -> Option | None:
            ways = self.solve(node.item, scopes + [e], True, inner)
            best = next((w for w in ways if w.solved), None)
            if best is None:
                return None
            return Option(tuple(attrs.evolve(c, path=f"{p}.{i}.{c.path}") for c in best.changes), best.notes)

        if node.func == "all":
            out = Option()
            for i, e in enumerate(items):
                if counts(e) is False or self.holds(node.item, scopes + [e]) is True:
                    continue
                if counts(e) is None:
                    return [self.unsolved(node, f"whether element {i + 1} of {p} counts is unknown")]
                o = fix(i, e)
                if o is None:
                    return [self.unsolved(node, f"element {i + 1} of {p} cannot be made to pass")]
                out = out + o
            return [out]
        ways = [o for i, e in enumerate(items) if counts(e) is not False and (o := fix(i, e)) is not None]
        # the element that needs least first (fewest edits, then the smallest figures moved)
        ways.sort(key=lambda o: (len(o.changes), sum(abs(c.delta * c.scale) for c in o.changes if c.delta is not None)))
        return ways[:MAX_OPTIONS] or [self.unsolved(node, f"no element of {p} can be made to pass")]

    def _count(self, node, agg, system, scopes, rtypes) -> list[Option]:
        """count(list where W) op n: append the fewest elements that satisfy W."""
        path = lin.plain_path(agg.coll)
        if not self.movable(path, rtypes):
            return [self.unsolved(node, "describes the place (a fixed field), not what is built")]
        lhs, rhs, op = system[0]
        try:
            a = lin.linearize(lhs, lin.is_node(agg), self.interp, scopes)
            b = lin.linearize(rhs, lin.is_node(agg), self.interp, scopes)
        except lin.Unknown as exc:
            return [self.unsolved(node, f"depends on missing data ({exc})")]
        if a is None or b is None or a[0] == b[0]:
            return [self.unsolved(node, "not linear in the count")]
        region = lin.constraint(a[0] - b[0], a[1] - b[1], op)
        current = self.holds(agg, scopes)
        if current is None or current.__class__ is lin.Bounds:  # some element's figures are not recorded
            return [self.unsolved(node, "depends on missing data (an element's figures)")]
        grid = lin.on_grid(region, Fraction(1), Fraction(current))
        if grid is None or grid.lo is None:
            return [self.unsolved(node, "adding elements cannot pass")]
        need = int(grid.lo.value) - int(current)
        elem_type = agg.coll.type.elem if isinstance(agg.coll.type, ListT) else None
        element: dict = {}
        if agg.where is not None:
            ways = self.solve(agg.where, scopes + [{}], True, rtypes + [elem_type])
            if not ways or not ways[0].solved:
                return [self.unsolved(node, "no element that counts could be proposed")]
            element = apply({}, ways[0].changes)
        return [Option((Change(".".join(path), "append", before=len(get_path(scopes[-1], ".".join(path)) or []),
                               count=need, element=element),))]


def _count_aggregate(left, right, lets) -> Any:
    for side in (left, right):
        for n in _walk(side, lets):
            if isinstance(n, ir.Aggregate) and n.func == "count" and n.item is None \
                    and lin.plain_path(n.coll) is not None:
                return n
    return None


def _walk(node, lets):
    body = lin.inline(node, lets)
    if body is not None:
        yield from _walk(body, lets)
        return
    yield node
    for c in lin.children(node):
        yield from _walk(c, lets)


def _flatten(n, op):
    if isinstance(n, ir.Logic) and n.op == op:
        return _flatten(n.left, op) + _flatten(n.right, op)
    return [n]


def _best_first(ways: list[Option]) -> list[Option]:
    return sorted(ways, key=lambda o: (not o.solved, len(o.changes)))


def _names(v: Any) -> tuple:
    return tuple(sorted(v)) if isinstance(v, (set, frozenset, list, tuple)) else ()


def _unit(t: Any) -> str:
    from standardlang.lang.types import display_unit

    return display_unit(t) if t is not None else ""


__all__ = ["Solver", "resolution", "lowest", "MAX_OPTIONS", "SetT"]
