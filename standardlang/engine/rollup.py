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

from fractions import Fraction
from typing import Any, Iterable

from standardlang.backends.python import runtime as rt
from standardlang.backends.python.interpreter import Interpreter
from standardlang.lang import ir, ranges
from standardlang.lang.types import ListT, RecordT
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
    import attrs

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
        return {key: g.pack() for key, g in groups.items()}

    def indicators(self, inventory: Any, groups: dict, indicator_ids: Any = None) -> Iterable[Any]:
        """The upper levels' indicator results, in the order ``compute_indicators`` gives them."""
        finish = _Finish(self, groups)
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
            mine.extend(g, sigs)


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


# ---------------------------------------------------------------------- accumulators
class _Trace(list):
    """A missing-fields list that notes, for each path added, whether it was first checked against
    the paths before it (the interpreter names an absent record's path only if no enclosing path is
    named already): replayed over the merged accumulators, it names what the whole evaluation names."""

    def __init__(self) -> None:
        super().__init__()
        self.checked = False
        self.events: list[tuple[str, bool]] = []

    def __iter__(self):  # the interpreter's check: any(path.startswith(m + ".") for m in missing)
        self.checked = True
        return iter(())

    def append(self, path: str) -> None:
        event = (path, self.checked)
        self.checked = False
        if event not in self.events:
            self.events.append(event)


def _step(interp: Any, n: Any, items: Any, trace: Any) -> Any:
    """One step of a path over a list, as the interpreter takes it (``e_Field``/``e_LetRef`` over a list)."""
    if isinstance(n, ir.Field):
        return rt.project(items, lambda e: interp.read(n, e, trace), n.list_field)
    flatten = isinstance(interp.lets[f"{n.entity}.{n.name}"].type, ListT)
    return rt.project(items, lambda e: interp.let_value(n.entity, n.name, e, trace), flatten)


def replay(events: Iterable[tuple[str, bool]], missing: list | None) -> None:
    if missing is None:
        return
    for path, checked in events:
        if not checked or not any(path.startswith(m + ".") for m in missing):
            missing.append(path)


class Acc:
    """One fold over the elements of one parent record so far."""

    __slots__ = ("a", "b", "c", "partial", "coll", "elem", "poisoned", "error")

    def __init__(self, func: str):
        # count/share: a true, b unknown, c total; sum: a known sum, b partial (lo, hi) or None;
        # min/max: a the extreme known value, b partial spans; all/any: a Kleene's value so far
        self.a: Any = {"all": True, "any": False}.get(func, 0 if func in ("count", "share", "sum") else None)
        self.b: Any = 0 if func in ("count", "share") else None
        self.c = 0
        self.partial = False
        self.coll: list | None = None  # missing-path events reading the collection
        self.elem: list | None = None  # ... and the element conditions and values
        self.poisoned = False  # a path through a list met an absent list: the whole collection is unknown
        self.error: str | None = None

    def add(self, interp: Any, sig: Signature, rec: Any) -> None:
        if self.poisoned or self.error is not None:
            return
        try:
            trace = _Trace()
            items: Any = [rec]
            for n in reversed(sig.tail):  # the path below the records: communities.service_station.area
                items = _step(interp, n, items, trace)
            if trace.events:
                self.coll = (self.coll or []) + [e for e in trace.events if e not in (self.coll or [])]
            if items is None:
                self.poisoned = True
                return
            trace = _Trace()
            for e in rt.items_of(items):
                self._element(interp, sig, e, trace)
            if trace.events:
                self.elem = (self.elem or []) + [e for e in trace.events if e not in (self.elem or [])]
        except rt.BadValue as exc:
            self.error = str(exc)

    def _element(self, interp: Any, sig: Signature, e: Any, trace: _Trace) -> None:
        agg, func = sig.agg, sig.func
        scopes = [e]
        if func in ("all", "any"):
            item, where = agg.item, agg.where
            if item is None and where is not None:
                item, where = where, None
            if self.a is (func == "any"):
                return  # decided: the whole evaluation stops here too
            w = interp.test(where, scopes, trace) if where is not None else True
            v = interp.test(item, scopes, trace) if item is not None else e
            self.a = (rt.and3(self.a, rt.or3(rt.not3(w), v)) if func == "all" else rt.or3(self.a, rt.and3(w, v)))
            return
        w = interp.test(agg.where, scopes, trace) if agg.where is not None else True
        if func in ("count", "share"):
            if agg.item is not None:
                w = rt.and3(w, interp.test(agg.item, scopes, trace))
            self.a += w is True
            self.b += w is None
            self.c += 1
            return
        if w is False:
            return
        v = interp.eval(agg.item, scopes, trace) if agg.item is not None else e
        if w is True and v is not None and v.__class__ is not rt.Bounds:
            v = rt.q(v)
            if func == "sum":
                self.a += v
            elif self.a is None or (v < self.a if func == "min" else v > self.a):
                self.a = v
            return
        lo, hi = (sig.lo, sig.hi) if v is None else rt.ends(v)
        self.partial = True
        if func == "sum":
            span = (lo, hi) if w is True else (ranges.lower(lo, 0), ranges.upper(hi, 0))
            self.b = span if self.b is None else ranges.add(self.b, span)
        else:
            self.b = (self.b or []) + [(lo, hi, w is True)]


def combined(func: str, first: Acc | None, later: Acc | None) -> Acc | None:
    """The fold of ``first``'s elements followed by ``later``'s (neither is changed)."""
    if first is None or later is None:
        return first if later is None else later
    out = Acc(func)
    out.error = first.error or later.error
    out.coll = _events(first.coll, None if first.poisoned else later.coll)
    if first.poisoned or later.poisoned:
        out.poisoned = True
        return out
    decided = func in ("all", "any") and first.a is (func == "any")
    out.elem = _events(first.elem, None if decided else later.elem)
    out.partial = first.partial or later.partial
    if func in ("count", "share"):
        out.a, out.b, out.c = first.a + later.a, first.b + later.b, first.c + later.c
    elif func == "sum":
        out.a = first.a + later.a
        out.b = first.b if later.b is None else later.b if first.b is None else ranges.add(first.b, later.b)
    elif func in ("min", "max"):
        vals = [v for v in (first.a, later.a) if v is not None]
        out.a = (min(vals) if func == "min" else max(vals)) if vals else None
        out.b = (first.b or []) + (later.b or []) or None
    else:
        out.a = first.a if decided else rt.and3(first.a, later.a) if func == "all" else rt.or3(first.a, later.a)
    return out


def _events(a: Any, b: Any) -> list | None:
    if not b:
        return list(a) if a else None
    return list(a or ()) + [e for e in b if e not in (a or ())]


def result_of(func: str, acc: Acc, sig: Signature, missing: list | None) -> Any:
    """The aggregate's value from its merged fold, naming missing data as the whole evaluation does."""
    from fractions import Fraction

    replay(acc.coll or (), missing)
    if acc.error is not None:
        raise rt.BadValue(acc.error)
    if acc.poisoned:
        return None
    replay(acc.elem or (), missing)
    if func in ("all", "any"):
        return acc.a
    if func == "count":
        return acc.a if not acc.b else rt.Bounds(acc.a, acc.a + acc.b)
    if func == "share":
        if not acc.c:
            return None
        n, unknown, total = acc.a, acc.b, acc.c
        return (rt.norm(Fraction(n, total)) if not unknown
                else rt.bounded(Fraction(n, total), Fraction(n + unknown, total)))
    if func == "sum":
        return rt.bounded(*ranges.add((acc.a, acc.a), acc.b)) if acc.partial else rt.norm(acc.a)
    if acc.partial:
        return rt._partial_aggregate(func, [] if acc.a is None else [acc.a], acc.b)
    return acc.a


def pack(accs: list) -> tuple:
    """Accumulators as one flat tuple, four slots a fold (a province holds one per subdistrict: about
    a third of the memory of the objects; a fraction is kept as two integers)."""
    out: list = []
    for acc in accs:
        if acc is None:
            out += (None, None, None, None)
            continue
        a, c = acc.a, acc.c
        if a.__class__ is Fraction and not c:  # a sum, a min or a max (c, the count of share, is unused)
            a, c = a.numerator, a.denominator
        rare = None
        if acc.partial or acc.coll or acc.elem or acc.poisoned or acc.error is not None:
            rare = _INTERN.setdefault(key := (acc.partial, _tuple(acc.coll), _tuple(acc.elem), acc.poisoned,
                                              acc.error), key)  # the same few paths missing in many places
        out += (a, acc.b, c, rare)
    return tuple(out)


_INTERN: dict = {}


def _tuple(events: Any) -> tuple | None:
    return tuple(events) if events else None


def unpack(packed: tuple, k: int, func: str) -> Acc | None:
    a, b, c, rare = packed[4 * k:4 * k + 4]
    if a is None and b is None and c is None and rare is None:
        return None
    acc = Acc(func)
    if c and func not in ("count", "share"):
        a, c = Fraction(a, c), 0
    acc.a, acc.b, acc.c = a, b, c
    if rare is not None:
        acc.partial, acc.coll, acc.elem, acc.poisoned, acc.error = rare
    return acc


class Group:
    """The accumulators of one parent record's streamed children (one per fold), and their problems."""

    __slots__ = ("n", "accs", "problems")

    def __init__(self, nsigs: int):
        self.n = 0  # children so far: the index of the next one in the parent's list
        self.accs: list[Acc | None] | tuple = [None] * nsigs  # a tuple once packed (see pack)
        self.problems: dict | None = None  # (indicator, level) -> up to 5 problems, paths from the parent

    def acc(self, k: int, func: str) -> Acc | None:
        return unpack(self.accs, k, func) if isinstance(self.accs, tuple) else self.accs[k]

    def pack(self) -> "Group":
        if not isinstance(self.accs, tuple):
            self.accs = pack(self.accs)
        return self

    def add(self, rollup: Rollup, rec: Any, probs: list) -> None:
        for k, sig in enumerate(rollup.sigs):
            acc = self.accs[k]
            if acc is None:
                acc = self.accs[k] = Acc(sig.func)
            if not probs:
                acc.add(rollup.interp, sig, rec)
                continue
            try:  # validation refused part of this record: evaluating may meet a value of the wrong shape
                acc.add(rollup.interp, sig, rec)
            except Exception:  # noqa: BLE001 - then it read the bad value, so every indicator folding it is
                acc.error = str(probs[0])  # an error (its problems are kept below) and never reads this value
        if probs:
            self._problems(rollup, probs)
        self.n += 1
    def _problems(self, rollup: Rollup, probs: list) -> None:
        import attrs

        for key, paths, prefix in rollup.keys:
            if prefix is None:
                continue
            for p in probs:
                if reads_bad(paths, f"{prefix}.{path_of(p.path)}" if p.path != "record" else prefix):
                    found = (self.problems or {}).get(key, [])
                    if len(found) < 5:
                        self.problems = self.problems or {}
                        path = f"{rollup.field}[{self.n}].{p.path}" if p.path != "record" else f"{rollup.field}[{self.n}]"
                        self.problems[key] = found + [attrs.evolve(p, path=path)]

    def extend(self, later: "Group", sigs: list) -> None:
        """The children of a later chunk: their accumulators follow these, and their indexes too."""
        self.accs = pack([combined(sig.func, self.acc(k, sig.func), later.acc(k, sig.func))
                          for k, sig in enumerate(sigs)])
        if later.problems:
            import attrs

            for key, found in later.problems.items():
                shifted = [attrs.evolve(p, path=_shift(p.path, self.n)) for p in found]
                self.problems = self.problems or {}
                self.problems[key] = (self.problems.get(key, []) + shifted)[:5]
        self.n += later.n


def _shift(path: str, by: int) -> str:
    name, _, rest = path.partition("[")
    index, _, tail = rest.partition("]")
    return f"{name}[{int(index) + by}]{tail}"


# ---------------------------------------------------------------------- the levels above, at the end
class _Finish(Interpreter):
    """The reference interpreter over the upper levels' records, the folded aggregates read from
    the accumulators: a parent's list of streamed children reads as its accumulator group."""

    def __init__(self, rollup: Rollup, groups: dict):
        super().__init__(rollup.lets)
        self.rollup, self.groups = rollup, groups
        self.empty = Group(len(rollup.sigs))
        self.pkey = rollup.spec.entities[rollup.parent].key if rollup.parent else None

    def read(self, n: Any, obj: Any, missing: Any) -> Any:
        if n.name == self.rollup.field and isinstance(obj, dict) and _is_s_list(n.type, self.rollup.entity) \
                and isinstance(obj.get(n.name), list):
            key = obj.get(self.pkey)
            return [self.groups.get(str(key), self.empty) if key is not None else self.empty]
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
            acc = combined(sig.func, acc, g.acc(k, sig.func))
        return result_of(sig.func, acc if acc is not None else Acc(sig.func), sig, missing)

    def result(self, ind: Any, ent: str, node: Any, record: Any, record_id: str, k: int, cache: dict) -> Any:
        """One upper record's value of ``ind``, as ``Spec._indicator`` gives it for the whole inventory."""
        from standardlang.engine.evaluate import IndicatorResult, Status

        from standardlang.data.validate import validate

        key, paths, _ = self.rollup.keys[k]
        rtype = self.rollup.spec.entities.get(ent)
        problems = validate(record, rtype) if rtype is not None else []
        linked = self._linked(record, rtype, key, cache) if isinstance(record, dict) and rtype is not None else []
        bad = [p for p in problems + linked if not isinstance(record, dict) or reads_bad(paths, path_of(p.path))]
        if bad:
            return IndicatorResult(ind, ent, record_id, None, Status.ERROR,
                                   "bad data: " + "; ".join(str(p) for p in bad[:5]))
        try:
            value = self.eval(node, [record])
        except rt.BadValue as exc:
            return IndicatorResult(ind, ent, record_id, None, Status.ERROR, f"bad data: {exc}")
        ok = None if value is None else rt.compare(ind.op, value, ind.target.value)
        status = Status.UNKNOWN if ok is None else Status.PASS if ok else Status.FAIL
        missing: list[str] = []
        if value is None or isinstance(value, rt.Bounds):
            self.eval(node, [record], missing)
        return IndicatorResult(ind, ent, record_id, value, status, missing=tuple(dict.fromkeys(missing)))

    def _linked(self, record: Any, rtype: Any, key: str, cache: dict) -> list:
        """``_linked_problems`` of the whole inventory: the streamed children's problems from the groups."""
        import attrs

        from standardlang.data.validate import validate

        out: list = []
        for name, info in rtype.fields.items():
            elem = getattr(info.type, "elem", None)
            children = record.get(name)
            if not (isinstance(elem, RecordT) and elem.entity and isinstance(children, list)):
                continue
            if elem.name == self.rollup.entity:
                pk = record.get(self.pkey)
                group = self.groups.get(str(pk), self.empty) if pk is not None else self.empty
                out.extend((group.problems or {}).get(key, ()))
                continue
            for i, child in enumerate(children):
                own = cache.get(id(child))
                if own is None:  # the child is kept alive by the inventory
                    own = cache[id(child)] = validate(child, elem)
                found = own + (self._linked(child, elem, key, cache) if isinstance(child, dict) else [])
                out.extend(attrs.evolve(p, path=f"{name}[{i}].{p.path}" if p.path != "record" else f"{name}[{i}]")
                           for p in found)
        return out
