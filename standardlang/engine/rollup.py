"""Indicators of the levels above a streamed level, accumulated record by record in bounded memory.

Takes a loaded spec and the entity whose records are streamed (communities); gives a
:class:`Rollup` plan, or the reason there is none.  Each aggregate of an upper level's
indicator that runs over the streamed records (``share(communities where P)``,
``sum(communities.commercial_area)`` at a subdistrict, a district or the city) is a fold:
every streamed record adds its part to the accumulator of its parent record (its
subdistrict, found by the parent key), and :meth:`Rollup.indicators` computes the
upper levels' indicators from those accumulators, merged in the order the whole
inventory would list the records, through the reference interpreter.  No record, no
field of one and no verdict is kept: per parent record, a few counts and sums, the
ranges that settled aggregates need (issue 9: an unknown element makes a range), the
paths of missing data (to name them as the whole evaluation does), and the problems
of at most five records in error per indicator.

The results equal those of ``Spec.compute_indicators`` over the whole inventory (the
status, the value or range, missing fields, errors): ``tests/test_rollup.py`` compares
them on the example city and on generated inventories.  Shapes it cannot fold (an
element condition that reads the level above, an upper-level rule or a value that
reads the streamed records outside an aggregate, avg) give no plan, and the caller
reads the file whole.
"""

from __future__ import annotations

from typing import Any, Iterable

import attrs

from standardlang.backends.python import runtime as rt
from standardlang.backends.python.interpreter import Interpreter
from standardlang.lang import ir
from standardlang.lang.types import EnumT, ListT, RecordT
from standardlang.engine.folds import Acc, Group, combined, compact, opened, problems_of, result_of
from standardlang.data.validate import validate
from standardlang.engine.evaluate import IndicatorResult, Status
from standardlang.engine.reads import path_of, read_paths, reads_bad

FOLDS = ("count", "share", "sum", "min", "max", "all", "any")


class Unsupported(Exception):
    """An upper-level value this module cannot fold record by record."""


def _is_s_list(t: Any, entity: str) -> bool:
    return isinstance(t, ListT) and isinstance(t.elem, RecordT) and t.elem.name == entity


def _head(coll: Any, entity: str) -> tuple[Any, tuple] | None:
    """(the node in ``coll``'s chain that lists ``entity`` records, the chain above it), or None."""
    chain: list = []
    n = coll
    while isinstance(n, (ir.Field, ir.LetRef)):
        if _is_s_list(n.type, entity):
            return n, tuple(chain)
        chain.append(n)
        n = n.obj
    return None


def _touches(node: Any, entity: str, lets: dict, seen: set | None = None, depth_ok: bool = True) -> bool:
    """Whether ``node`` (through definitions) reads ``entity`` records (or, ``depth_ok`` false, an outer scope)."""
    seen = set() if seen is None else seen
    stack = [node]
    while stack:
        n = stack.pop()
        t = getattr(n, "type", None)
        if _is_s_list(t, entity) or (isinstance(t, RecordT) and t.name == entity and not depth_ok):
            return True
        if not depth_ok and isinstance(n, (ir.Field, ir.LetRef)) and n.obj is None and n.depth > 0:
            return True
        if isinstance(n, ir.LetRef) and n.obj is None:
            key = f"{n.entity}.{n.name}"
            if key.startswith("goal:") and not depth_ok:
                return True
            if key not in seen and key in lets:
                seen.add(key)
                stack.append(lets[key].ir)
        stack.extend(ir.children(n))
    return False


class Signature:
    """One fold: an aggregate's function, element condition and value, and the tail of its collection."""

    def __init__(self, agg: Any, head: Any, tail: tuple, lo: Any, hi: Any):
        self.agg, self.head, self.tail, self.func, self.lo, self.hi = agg, head, tail, agg.func, lo, hi
        self.key = (agg.func, agg.item, agg.where, tuple(_strip(n) for n in tail), lo, hi)


def _strip(n: Any) -> Any:
    return attrs.evolve(n, obj=None)


class Rollup:
    """The plan of one spec's upper-level indicators over one streamed entity."""

    def __init__(self, spec: Any, entity: str):
        self.spec, self.entity = spec, entity
        self.lets = spec.checked.lets
        self.interp = Interpreter(self.lets)
        self.sigs: list[Signature] = []
        self.sig_of: dict[int, int] = {}  # id(aggregate node) -> index in sigs
        self.head_of: dict[int, Any] = {}  # id(aggregate node) -> the node listing the streamed records
        self.values = [(ind, ent, node) for ind in spec.checked.indicators for ent, node in ind.values
                       if ent != entity]
        for rule in spec.checked.rules:
            if rule.entity != entity and any(_touches(n, entity, self.lets) for n in _rule_nodes(rule)):
                raise Unsupported(f"rule {rule.id} of {rule.entity} reads {entity} records")
        for ind, ent, node in self.values:
            self._plan(node, set())
        self.parent, self.field, self.by = _parent(spec, entity) if self.sigs else (None, None, None)
        # per upper value: (its key, the paths it reads, the path from its level down to the streamed records)
        self.keys = [((ind.id, ent), read_paths([node], self.lets), _prefix(spec, ent, entity))
                     for ind, ent, node in self.values]

    def _plan(self, node: Any, seen: set) -> None:
        """Plan every aggregate over the streamed records in ``node``; anything else reading them is unsupported."""
        stack = [node]
        while stack:
            n = stack.pop()
            if isinstance(n, ir.Aggregate):
                found = _head(n.coll, self.entity)
                if found is not None:
                    self._fold(n, *found)
                    continue
            if _is_s_list(getattr(n, "type", None), self.entity):
                raise Unsupported(f"`{n.text or n}` reads {self.entity} records outside an aggregate")
            if isinstance(n, ir.LetRef) and n.obj is None and f"{n.entity}.{n.name}" in self.lets:
                key = f"{n.entity}.{n.name}"
                if key not in seen:
                    seen.add(key)
                    stack.append(self.lets[key].ir)
            stack.extend(ir.children(n))

    def _fold(self, agg: Any, head: Any, tail: tuple) -> None:
        if agg.func not in FOLDS:
            raise Unsupported(f"{agg.func}(…) over {self.entity} records is not folded")
        for part in (agg.item, agg.where):
            if part is not None and _touches(part, self.entity, self.lets, depth_ok=False):
                raise Unsupported(f"`{agg.text}`: an element condition reads the level above")
        for n in tail:
            if not n.over_list:
                raise Unsupported(f"`{agg.text}`: a collection path that is not over the records")
        self.head_of[id(agg)] = head
        sig = Signature(agg, head, tail, *self.interp.element_range(agg))
        for i, other in enumerate(self.sigs):
            if other.key == sig.key:
                self.sig_of[id(agg)] = i
                return
        self.sig_of[id(agg)] = len(self.sigs)
        self.sigs.append(sig)

    # ------------------------------------------------------------------ on the way (in a worker)
    def fold(self, records: Iterable[Any], problems: Iterable[list]) -> dict:
        """The accumulators of ``records`` (with their validation problems), by parent key, in input order."""
        groups: dict[str, Group] = {}
        if not self.sigs:
            return groups
        for rec, probs in zip(records, problems):
            if not isinstance(rec, dict) or rec.get(self.by) is None:
                continue  # linked to no parent, as in the whole inventory
            key = str(rec.get(self.by))
            g = groups.get(key)
            if g is None:
                g = groups[key] = Group(len(self.sigs))
            g.add(self, rec, probs)
        return {key: compact(g) for key, g in groups.items()}

    def indicators(self, inventory: Any, groups: dict, indicator_ids: Any = None,
                   upper: "Upper | None" = None) -> Iterable[Any]:
        """The upper levels' indicator results, in the order ``compute_indicators`` gives them
        (``upper``: the :class:`Upper` that kept the inventory's records, if one did)."""
        finish = _Finish(self, groups, upper)
        cache: dict = {}
        for k, (ind, ent, node) in enumerate(self.values):
            if indicator_ids is not None and ind.id not in indicator_ids:
                continue
            for i, record in enumerate(inventory.records.get(ent, [])):
                yield finish.result(ind, ent, node, record, self.spec.record_id(ent, record, i), k, cache)


def merge_groups(into: dict, more: dict, sigs: list) -> None:
    """Add the accumulators of a later chunk (``more``) to those so far (``into``), keeping input order."""
    for key, g in more.items():
        mine = into.get(key)
        if mine is None:
            into[key] = g
        else:
            mine = opened(mine)
            mine.extend(opened(g), sigs)
            into[key] = compact(mine)


def _rule_nodes(rule: Any) -> list:
    from standardlang.engine.reads import rule_nodes

    return rule_nodes(rule)


def _parent(spec: Any, entity: str) -> tuple[str, str, str]:
    """(the parent entity, its ``list of`` field holding ``entity``, the parent-key field); Unsupported if none or several."""
    found = [(pname, fname, info.by) for pname, p in spec.entities.items() for fname, info in p.fields.items()
             if isinstance(info.type, ListT) and isinstance(info.type.elem, RecordT)
             and info.type.elem.name == entity and info.by]
    if len(found) != 1:
        raise Unsupported(f"{entity} records are listed by {len(found)} parent levels")
    return found[0]


def plan(spec: Any, entity: str) -> tuple[Rollup | None, str | None]:
    """(the plan, None), or (None, why there is none) — then read the records whole."""
    try:
        return Rollup(spec, entity), None
    except Unsupported as exc:
        return None, str(exc)



def _prefix(spec: Any, level: str, entity: str) -> str | None:
    """The path of ``list of`` fields from ``level`` down to ``entity`` records (``subdistricts.communities``)."""
    def walk(name: str, seen: frozenset) -> str | None:
        for fname, info in spec.entities[name].fields.items():
            t = info.type
            if not (isinstance(t, ListT) and isinstance(t.elem, RecordT) and t.elem.entity) or t.elem.name in seen:
                continue
            if t.elem.name == entity:
                return fname
            below = walk(t.elem.name, seen | {t.elem.name})
            if below is not None:
                return f"{fname}.{below}"
        return None

    return walk(level, frozenset({level}))


# ---------------------------------------------------------------------- the levels above, at the end
class _Finish(Interpreter):
    """The reference interpreter over the upper levels' records, the folded aggregates read from
    the accumulators: a parent's list of streamed children reads as its accumulator group."""

    def __init__(self, rollup: Rollup, groups: dict, upper: "Upper | None" = None):
        super().__init__(rollup.lets)
        self.rollup, self.groups, self.upper = rollup, groups, upper
        self.empty = Group(len(rollup.sigs))
        self.pkey = rollup.spec.entities[rollup.parent].key if rollup.parent else None

    def read(self, n: Any, obj: Any, missing: Any) -> Any:
        if n.name == self.rollup.field and isinstance(obj, dict) and _is_s_list(n.type, self.rollup.entity) \
                and isinstance(obj.get(n.name), list):
            key = obj.get(self.pkey)  # the group as kept (opened one at a time, in e_Aggregate: the city
            return [self.groups.get(str(key), self.empty) if key is not None else self.empty]  # reads them all)
        return super().read(n, obj, missing)

    def e_Aggregate(self, n: Any, scopes: list, missing: Any) -> Any:
        k = self.rollup.sig_of.get(id(n))
        if k is None:
            return super().e_Aggregate(n, scopes, missing)
        sig = self.rollup.sigs[k]
        members = self.eval(self.rollup.head_of[id(n)], scopes, missing)
        if members is None:
            return None
        acc = None
        for g in members:
            acc = combined(sig.func, acc, opened(g).acc(k, sig.func))
        return result_of(sig.func, acc if acc is not None else Acc(sig.func), sig, missing)

    def result(self, ind: Any, ent: str, node: Any, record: Any, record_id: str, k: int, cache: dict) -> Any:
        """One upper record's value of ``ind``, as ``Spec._indicator`` gives it for the whole inventory."""
        key, paths, _ = self.rollup.keys[k]
        rtype = self.rollup.spec.entities.get(ent)
        problems = self._own(record, ent, rtype, {}) if rtype is not None else []
        linked = self._linked(record, rtype, key, cache) if isinstance(record, dict) and rtype is not None else []
        bad = [p for p in problems + linked if not isinstance(record, dict) or reads_bad(paths, path_of(p.path))]
        if bad:
            return IndicatorResult(ind, ent, record_id, None, Status.ERROR,
                                   "bad data: " + "; ".join(str(p) for p in bad[:5]))
        missing: list[str] = []  # noted on the way (the interpreter only adds to it): one evaluation, not two
        try:
            value = self.eval(node, [record], missing)
        except rt.BadValue as exc:
            return IndicatorResult(ind, ent, record_id, None, Status.ERROR, f"bad data: {exc}")
        ok = None if value is None else rt.compare(ind.op, value, ind.target.value)
        status = Status.UNKNOWN if ok is None else Status.PASS if ok else Status.FAIL
        if not (value is None or isinstance(value, rt.Bounds)):
            missing = []  # a known value names no missing data
        return IndicatorResult(ind, ent, record_id, value, status, missing=tuple(dict.fromkeys(missing)))

    def _linked(self, record: Any, rtype: Any, key: str, cache: dict) -> list:
        """``_linked_problems`` of the whole inventory: the streamed children's problems from the groups."""
        out: list = []
        for name, info in rtype.fields.items():
            elem = getattr(info.type, "elem", None)
            children = record.get(name)
            if not (isinstance(elem, RecordT) and elem.entity and isinstance(children, list)):
                continue
            if elem.name == self.rollup.entity:
                pk = record.get(self.pkey)
                group = self.groups.get(str(pk), self.empty) if pk is not None else self.empty
                out.extend((problems_of(group) or {}).get(key, ()))
                continue
            for i, child in enumerate(children):
                own = self._own(child, elem.name, elem, cache)
                found = own + (self._linked(child, elem, key, cache) if isinstance(child, dict) else [])
                out.extend(attrs.evolve(p, path=f"{name}[{i}].{p.path}" if p.path != "record" else f"{name}[{i}]")
                           for p in found)
        return out

    def _own(self, record: Any, ent: str, rtype: Any, cache: dict) -> list:
        """The record's own validation problems: found when :class:`Upper` kept it, else validated
        here (once per record: ``cache`` by id, the record being kept alive by the inventory)."""
        if self.upper is not None and ent in self.upper.keep:
            return self.upper.problems_of(record, rtype)
        own = cache.get(id(record))
        if own is None:
            own = cache[id(record)] = validate(record, rtype)
        return own


# ---------------------------------------------------------------------- the records of the levels above
_NO_CHILDREN: list = []  # a parent's streamed children, as the accumulators stand for them (never changed)


class Upper:
    """The records of the levels above the streamed one, kept for their indicators and no more.

    A province's subdistricts are held from their reading to the end of the run (their
    indicators need the accumulators of every community).  :meth:`add` keeps of a record
    the fields that some indicator value or definition names, its key, the parent key
    and the ``list of`` fields linking the levels, each repeated text held once (a
    district's id in each of its subdistricts); its validation problems are found
    beforehand, on the whole record, for :class:`_Finish` to read.  The results are those
    of the whole records (``tests/test_rollup.py`` compares them).  A level that rules
    judge, and the streamed level, are kept whole.
    """

    def __init__(self, rollup: Rollup):
        spec = rollup.spec
        nodes = [node for _, _, node in rollup.values] + [let.ir for let in rollup.lets.values()]
        names = {n.name for node in nodes for n in ir.walk(node) if isinstance(n, ir.Field)}
        judged = {r.entity for r in spec.checked.rules}
        self.keep: dict[str, frozenset] = {}
        self.texts: dict[str, set] = {}  # per level, the fields whose texts repeat (parent keys, members)
        for ent, rtype in spec.entities.items():
            if ent == rollup.entity or ent in judged:
                continue
            links = {f for f, info in rtype.fields.items() if isinstance(info.type, ListT)
                     and isinstance(info.type.elem, RecordT) and info.type.elem.entity}
            bys = {info.by for other in spec.entities.values() for info in other.fields.values()
                   if isinstance(info.type, ListT) and isinstance(info.type.elem, RecordT)
                   and info.type.elem.name == ent and info.by}
            self.keep[ent] = frozenset(names | links | bys | ({rtype.key} if rtype.key else set()))
            self.texts[ent] = bys | {f for f, info in rtype.fields.items() if isinstance(info.type, EnumT)}
        self.spec, self.parent, self.field = spec, rollup.parent, rollup.field
        self._problems: dict[int, tuple] = {}  # id(record) -> (the record, its problems), when it has some
        self._strings: dict[str, str] = {}

    def add(self, ent: str, rec: Any) -> Any:
        """``rec`` (a record of level ``ent``) reduced in place to what the indicators read; gives it."""
        keep = self.keep.get(ent)
        if keep is None or not isinstance(rec, dict):
            return rec
        rtype = self.spec.entities[ent]
        problems = validate(rec, rtype)
        if problems:
            self._problems[id(rec)] = (rec, problems)
        kept, texts = {}, self.texts[ent]
        for name, v in rec.items():
            if name in keep:
                kept[name] = self._strings.setdefault(v, v) if name in texts and v.__class__ is str else v
        if ent == self.parent and kept.get(self.field) is None and kept.get(rtype.key) is not None:
            kept[self.field] = _NO_CHILDREN  # linked to the accumulators, never to community records
        rec.clear()  # in place: a parent listing this record holds the same object
        rec.update(kept)
        return rec

    def problems_of(self, record: Any, rtype: Any) -> list:
        """The problems :meth:`add` found in ``record`` (not a record: validated now)."""
        if not isinstance(record, dict):
            return validate(record, rtype)
        found = self._problems.get(id(record))
        return list(found[1]) if found is not None else []
