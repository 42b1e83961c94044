"""Judge one record against a fixed list of rules, fast: statuses first, verdict objects on demand.

Takes a spec's compiled rule functions, the rules to judge and the record type; gives
(problems, statuses) per record, and :class:`~standardlang.engine.evaluate.Verdict`
objects built only when someone asks for them (:class:`RecordResult`).

What it does per record, in order:

1. validation against the schema — first the compiled quick check of
   :mod:`standardlang.backends.python.schema_check` (a yes for a well-typed record, in a
   few hundred nanoseconds); only a record it does not pass goes through
   :func:`~standardlang.data.validate.validate`, which names every problem;
2. for a record without problems, every rule function in one list comprehension
   (a :class:`~standardlang.backends.python.runtime.BadValue` — possible only where the
   schema leaves a value dynamic — sends the record through the careful loop);
3. a record with problems: a rule is an ``error`` when it reads a bad value, else judged.

Keeping statuses (a tuple of :class:`~standardlang.status.Status`) instead of ~70
verdict objects per record is what keeps the cyclic garbage collector from walking
millions of objects when a report of 100,000 communities is alive; see docs/performance.md.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from standardlang.backends.python.debug import annotate
from standardlang.backends.python.runtime import BadValue
from standardlang.data.validate import Problem
from standardlang.engine.evaluate import Verdict, VerdictContext, _Filled, record_problems, status_of
from standardlang.engine.reads import path_of, reads_bad
from standardlang.lang.model import CheckedRule
from standardlang.lang.types import ListT, RecordT
from standardlang.status import Status

_ERROR = Status.ERROR


class RulePlan:
    """What judging records of one entity against ``rules`` needs, computed once.

    Args:
        rules: the rules, in the order of the verdicts.
        fns: their functions record -> Status (compiled, or the interpreter's).
        rtype: the entity's record type (None: no schema, no validation).
        owner: the spec (verdicts explain themselves through it).
        roots: rule -> the field paths it reads (see :meth:`Spec.roots`), asked only for bad records.
        quick_check: record -> True when the record certainly has no problem (None: always validate).
    """

    def __init__(self, rules: Sequence[CheckedRule], fns: Sequence[Callable[[Any], Status]], rtype: RecordT | None,
                 owner: Any, roots: Callable[[CheckedRule], Any], quick_check: Callable[[Any], bool] | None = None):
        self.rules = tuple(rules)
        self.fns = tuple(fns)
        self.rtype = rtype
        self.owner = owner
        self.roots = roots
        self.quick_check = quick_check
        self.contexts = tuple(VerdictContext(r, owner) for r in self.rules)
        # children of other entities (a district's communities) are validated on their own; a parent's
        # rule that reads them must not meet their bad values, so such records always take the full check
        self.has_children = rtype is not None and any(
            isinstance(info.type, ListT) and isinstance(info.type.elem, RecordT) and info.type.elem.entity
            for info in rtype.fields.values())

    def judge(self, record: Any) -> tuple[list[Problem], tuple[Status, ...]]:
        """(the record's own problems, the status of each rule)."""
        rtype = self.rtype
        if rtype is not None and (self.has_children or self.quick_check is None or not self.quick_check(record)):
            problems, linked = record_problems(record, rtype)
            if problems or linked:
                return problems, self._careful(record, problems + linked)
        else:
            problems = []
        try:  # the fast path: a record validation has passed
            return problems, tuple([fn(record) for fn in self.fns])
        except BadValue:  # a dynamic value of the wrong shape: judge rule by rule
            return problems, tuple([status_of(fn, record) for fn in self.fns])
        except Exception as exc:  # a bug: say where in the spec, and let it propagate
            annotate(exc)
            raise

    def _careful(self, record: Any, bad: list[Problem]) -> tuple[Status, ...]:
        bad_paths = {path_of(p.path) for p in bad}
        if not isinstance(record, dict):
            return (_ERROR,) * len(self.rules)
        out = []
        for rule, fn in zip(self.rules, self.fns):
            roots = self.roots(rule)
            out.append(_ERROR if any(reads_bad(roots, b) for b in bad_paths) else status_of(fn, record))
        return tuple(out)

    def verdicts(self, statuses: Sequence[Status], record: Any, record_id: str | None) -> list[Verdict]:
        out = []
        append = out.append
        blank = _Filled
        for ctx, s in zip(self.contexts, statuses):  # slots set in place (see Verdict)
            v = blank()
            v.status = s
            v._ctx = ctx
            v.record = record
            v.record_id = record_id
            append(v)
        return out


class RecordResult:
    """All verdicts for one record: its statuses at once, the :class:`Verdict` objects when first asked for."""

    __slots__ = ("entity", "record_id", "problems", "record", "statuses", "_verdicts", "_plan")

    def __init__(self, entity: str, record_id: str, verdicts: list[Verdict] | None, problems: list[Problem],
                 record: Any, statuses: tuple[Status, ...] | None = None, plan: RulePlan | None = None):
        self.entity = entity
        self.record_id = record_id
        self.problems = problems
        self.record = record
        self._verdicts = verdicts
        self._plan = plan
        self.statuses = tuple(v.status for v in verdicts) if statuses is None and verdicts is not None else statuses

    @property
    def verdicts(self) -> list[Verdict]:
        """The verdicts, one per rule judged (built on first use, then kept)."""
        v = self._verdicts
        if v is None:
            v = self._verdicts = self._plan.verdicts(self.statuses, self.record, self.record_id)
        return v

    @property
    def rules(self) -> tuple[CheckedRule, ...]:
        """The rules judged, in the order of :attr:`statuses` and :attr:`verdicts`."""
        return self._plan.rules if self._plan is not None else tuple(v.rule for v in self.verdicts)

    def verdict(self, rule_id: str) -> Verdict:
        for v in self.verdicts:
            if v.rule.id == rule_id:
                return v
        raise KeyError(rule_id)

    def to_dict(self, explain: bool = True) -> dict:
        d = {"entity": self.entity, "record": self.record_id,
             "verdicts": [v.to_dict(explain) for v in self.verdicts]}
        if self.problems:
            d["problems"] = [p.to_dict() for p in self.problems]
        return d
