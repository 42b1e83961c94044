"""Accumulators of one fold (count, share, sum, min, max, all, any) over a parent's streamed records.

Takes the records of one parent (a subdistrict's communities), a chunk at a time, and a
:class:`~standardlang.engine.rollup.Rollup` plan; gives per parent a :class:`Group` of
accumulators (one :class:`Acc` a fold: counts, sums, ranges, the paths of missing data
replayed in input order, the first problems), merged chunk after chunk in input order
(:func:`combined`), and the aggregate's value from the merged fold (:func:`result_of`).
A province holds one group per subdistrict, so groups are kept compact: a group with no
problems is one ``marshal``-ed byte string (:func:`compact`, :func:`opened`).
"""

from __future__ import annotations

import marshal
from fractions import Fraction
from typing import Any, Iterable

from standardlang.backends.python import runtime as rt
from standardlang.lang import ir, ranges
from standardlang.lang.types import ListT
from standardlang.engine.reads import path_of, reads_bad

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

    def add(self, interp: Any, sig: Any, rec: Any) -> None:
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

    def _element(self, interp: Any, sig: Any, e: Any, trace: _Trace) -> None:
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


def result_of(func: str, acc: Acc, sig: Any, missing: list | None) -> Any:
    """The aggregate's value from its merged fold, naming missing data as the whole evaluation does."""
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


def compact(g: "Group") -> "bytes | Group":
    """``g`` packed, as one byte string when it can be: a group with no problems, its numbers
    integers (``marshal`` keeps ints, bools, texts, tuples and lists exactly); about 0.2 KB
    where the packed tuple and its numbers take 0.65 KB.  Else the group itself, packed."""
    g.pack()
    if g.problems is None:
        try:
            return marshal.dumps((g.n, g.accs))
        except ValueError:  # a fraction in a range (rare): kept as objects
            pass
    return g


def opened(g: "bytes | Group") -> "Group":
    """The group that :func:`compact` gave (``g`` itself if it is one)."""
    if g.__class__ is not bytes:
        return g  # type: ignore[return-value]
    out = Group.__new__(Group)
    out.n, out.accs = marshal.loads(g)
    out.problems = None
    return out


def problems_of(g: "bytes | Group") -> dict | None:
    return None if g.__class__ is bytes else g.problems  # type: ignore[union-attr]


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

    def add(self, rollup: Any, rec: Any, probs: list) -> None:
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

    def _problems(self, rollup: Any, probs: list) -> None:
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
