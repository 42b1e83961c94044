"""The library API: load a spec, compile an expression, evaluate records.

Takes spec text or files and records; gives :class:`Spec`, :class:`Expression`,
:class:`Report`.  ``load`` runs parse → check → compile; nothing here parses or
resolves names per record.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any, Callable, Iterable, Sequence

from standardlang.lang import ir
from standardlang.lang.checker import check, check_expression
from standardlang.backends.python.compiler import Compiler
from standardlang.errors import Source
from standardlang.backends.python.debug import annotate
from standardlang.backends.python.interpreter import Interpreter, rule_status
from standardlang.backends.python.runtime import BadValue
from standardlang.backends.python.schema_check import quick_check
from standardlang.engine.reads import path_of, read_paths, reads_bad, rule_nodes
from standardlang.engine.evaluate import (IndicatorResult, Verdict, bad_data, judge_indicator, record_problems,
                                          status_of, statuses, verdict_function)
from standardlang.engine.judging import RecordResult, RulePlan
from standardlang.engine.items import ItemResult, ItemSummary, group_field, record_items, summarize
from standardlang.data.inventory import Inventory, collection_names
from standardlang.lang.model import CheckedRule, CheckedSpec
from standardlang.lang.parser import parse, parse_expression
from standardlang.lang.types import BoolT, RecordT, display_unit
from standardlang.data.safe import is_huge_int
from standardlang.data.validate import Problem
from standardlang.engine.verdict import Status, format_number

REPORT_SCHEMA = "standardlang.report/1"


class Spec:
    """A loaded (checked and compiled) standard. Immutable and safe to share between threads."""

    def __init__(self, checked: CheckedSpec, path: str | None = None):
        self.checked = checked
        self.path = path
        self.interpreter = Interpreter(checked.lets)
        compiler = Compiler(checked.lets, path or checked.name)
        rule_names = {r.id: compiler.rule(r) for r in checked.rules}
        indicator_names = {(ind.id, ent): compiler.value(node, f"{ind.id}_{ent}")
                           for ind in checked.indicators for ent, node in ind.values}
        self._module = compiler.finish()  # one compile() for the whole spec
        self._rule_fns = {k: compiler.function(name) for k, name in rule_names.items()}
        self._indicator_fns = {k: compiler.function(name) for k, name in indicator_names.items()}
        interp = self.interpreter
        self._interpreted_fns = {r.id: (lambda record, _r=r: rule_status(_r, interp, record)) for r in checked.rules}
        self._roots: dict[str, Any] = {}  # rule -> field paths it reads; filled when needed
        # entity -> the compiled quick check of its records (made here: evaluating never compiles code)
        self._checks: dict[str, Any] = {name: quick_check(rtype, f"{path or checked.name}:{name}")
                                        for name, rtype in checked.entities.items()}
        self._plans: dict[tuple, tuple] = {}  # (entity, backend, id(rules)) -> (rules, RulePlan, rules object)

    def python_source(self) -> str:
        """The generated Python of this spec: one function per rule, let and indicator value.

        Each function is named after what it computes (``rule_2_classes``) and headed by a
        comment with the spec file and line (``# rule 2.classes — specs/x.stdl:271``).
        """
        return self._module.source

    def stats(self) -> dict[str, Any]:
        """What was compiled: counts of functions, and those run by the interpreter instead.

        ``interpreted`` lists each fallback with its reason; the only one there is (an
        expression nested beyond what CPython compiles) is named in
        :data:`standardlang.backends.python.debug.TOO_DEEP`.
        """
        return _stats(self._module, len(self.checked.rules), len(self._indicator_fns))

    # -------------------------------------------------------------- introspection
    @property
    def name(self) -> str:
        return self.checked.name

    @property
    def title(self) -> str:
        return self.checked.title

    @property
    def rules(self) -> tuple[CheckedRule, ...]:
        return self.checked.rules

    @property
    def indicators(self):
        return self.checked.indicators

    @property
    def entities(self) -> dict[str, RecordT]:
        return self.checked.entities

    @property
    def default_entity(self) -> str:
        if self.checked.rules:
            return self.checked.rules[0].entity
        if self.checked.indicators:
            return self.checked.indicators[0].values[0][0]
        return next(iter(self.checked.entities), "record")

    def record_type(self, entity: str) -> RecordT | None:
        return self.checked.entities.get(entity)

    def rule(self, rule_id: str) -> CheckedRule:
        return self.checked.rule(rule_id)

    def rule_function(self, rule_id: str):
        """The compiled function record -> Status of one rule (for tool builders)."""
        return self._rule_fns[rule_id]

    def record_id(self, entity: str, record: Any, index: int) -> str:
        rec = self.checked.entities.get(entity)
        if rec is not None and rec.key and isinstance(record, dict) and record.get(rec.key) is not None:
            key = record.get(rec.key)
            return str(key) if not is_huge_int(key) else f"#{index + 1}"  # a huge number cannot be printed
        return f"#{index + 1}"

    # -------------------------------------------------------------- evaluation
    def evaluate(self, records: Any, entity: str | None = None, rules: Iterable[str] | None = None) -> "Report":
        """Judge one record, a list of records, or an inventory of all entity levels.

        Args:
            records: a dict (one record), a list of dicts, a mapping of collections
                ({"community": [...], "district": [...]}), or an :class:`Inventory`.
            entity: the entity the records are, when a list is given (default: the
                entity of the spec's first goal).
            rules: rule ids to judge (default: all).
        """
        inventory = self.inventory(records, entity, copy=False)  # judging only reads the records
        return self.evaluate_inventory(inventory, rules)

    def evaluate_table(self, source: Any, entity: str | None = None, engine: str = "duckdb", **options: Any) -> Any:
        """Judge ``source`` inside a database: a table of verdicts (docs/sql.md; the ``sql`` extra)."""
        from standardlang.backends.sql.api import evaluate_table

        return evaluate_table(self, source, entity, engine, **options)

    def inventory(self, records: Any, entity: str | None = None, *, copy: bool = True) -> Inventory:
        """Records of all entity levels, linked (see :class:`~standardlang.data.inventory.Inventory`).

        ``copy=False``: the caller's own records where linking does not write to them (to read only).
        """
        from standardlang.errors import DataError, did_you_mean

        if isinstance(records, Inventory):
            return records
        if entity is not None and entity not in self.checked.entities:
            raise DataError(f"spec {self.name} has no entity `{entity}`"
                            + (f"; {did_you_mean(entity, self.checked.entities)}"
                               if did_you_mean(entity, self.checked.entities) else ""))
        if not self.checked.entities:
            return Inventory({}, {})
        entity = entity or self.default_entity
        if isinstance(records, dict) and entity in self.checked.entities:
            names = collection_names(self.checked.entities)
            is_collections = bool(records) and any(k in names for k in records) and all(
                isinstance(v, (list, dict)) for k, v in records.items() if not k.startswith("$"))
            if not is_collections and _looks_like_record(records, self.checked.entities[entity]):
                records = [records]
        return Inventory.from_data(self.checked.entities, records, entity, copy=copy)

    def evaluate_inventory(self, inventory: Inventory, rules: Iterable[str] | None = None,
                           indicators: bool = True) -> "Report":
        selected = set(rules) if rules is not None else None
        results: list[RecordResult] = []
        by_entity: dict[str, list[CheckedRule]] = {}
        for r in self.checked.rules:
            if selected is None or r.id in selected:
                by_entity.setdefault(r.entity, []).append(r)
        for entity, entity_rules in by_entity.items():
            # one plan per entity (every rule of it unless some were selected), not looked up per record
            plan = self._plan(entity, None if selected is None else entity_rules, "compiled")
            judge, record_id = plan.judge, self.record_id
            key = plan.rtype.key if plan.rtype is not None else None
            for i, record in enumerate(inventory.records.get(entity, [])):
                problems, statuses = judge(record)
                rid = record.get(key) if key is not None and record.__class__ is dict else None
                if rid.__class__ is not str:  # a key that is not text (a number, missing): record_id says
                    rid = record_id(entity, record, i)
                results.append(RecordResult(entity, rid, None, problems, record, statuses, plan))
        ind_results = self.compute_indicators(inventory) if indicators else []
        return Report(self, results, ind_results, inventory.count())

    def judge(self, record: Any, entity: str, rules: Sequence[CheckedRule] | None = None, index: int = 0,
              *, backend: str = "compiled") -> "RecordResult":
        """Judge one record of ``entity`` against its rules; malformed fields give error verdicts.

        ``backend="interpreter"`` judges with the reference interpreter instead of the
        compiled functions (the same validation, the same verdicts: used to compare them).
        The verdict objects are built when first asked for (:class:`RecordResult`).
        """
        plan = self._plan(entity, rules, backend)
        problems, statuses = plan.judge(record)
        return RecordResult(entity, self.record_id(entity, record, index), None, problems, record, statuses, plan)

    def _plan(self, entity: str, rules: Sequence[CheckedRule] | None, backend: str) -> RulePlan:
        """The :class:`RulePlan` of ``rules`` (default: every rule of ``entity``), made once and kept."""
        key = (entity, backend, None if rules is None else id(rules))
        found = self._plans.get(key)
        chosen = None if rules is None else tuple(rules)
        if found is not None and found[0] == chosen:  # the same rules (a list could have been changed in place)
            return found[1]
        if chosen is None:
            chosen = tuple(r for r in self.checked.rules if r.entity == entity)
        fns = self._rule_fns if backend == "compiled" else self._interpreted_fns
        rtype = self.checked.entities.get(entity)
        plan = RulePlan(chosen, [fns[r.id] for r in chosen], rtype, self, self.roots, self._checks.get(entity) if rtype is not None else None)
        if len(self._plans) > 256:  # callers that make a new list of rules per record
            self._plans.clear()
        self._plans[key] = (None if rules is None else tuple(rules), plan, rules)  # rules kept: its id stays unique
        return plan

    def roots(self, rule: CheckedRule) -> tuple[frozenset[str], frozenset[str]]:
        """The field paths ``rule`` reads, and those it reads as whole values (computed once, when needed)."""
        roots = self._roots.get(rule.id)
        if roots is None:
            roots = self._roots[rule.id] = read_paths(rule_nodes(rule), self.checked.lets)
        return roots

    def value_paths(self, indicator_id: str, entity: str) -> tuple[frozenset[str], frozenset[str]]:
        """The field paths an indicator's value reads at ``entity``, as :meth:`roots` gives them for a rule."""
        ind = next(i for i in self.checked.indicators if i.id == indicator_id)
        return read_paths([ind.value_for(entity)], self.checked.lets)

    def shortfalls(self, records: Any, entity: str | None = None, fixed: Iterable[str] | None = None) -> list[dict]:
        """Per record, every way to pass each failed rule and item (see :mod:`standardlang.planning`)."""
        from standardlang.planning import shortfalls

        return shortfalls(self, records, entity, fixed)

    def statuses(self, records: Iterable[Any], rule_id: str) -> list[Status]:
        """Bulk evaluation: the status of one rule for many records, no explanations.

        The same statuses as :meth:`judge` gives (records validated, bad data an error).
        """
        rule = self.checked.rule(rule_id)
        rtype = self.checked.entities.get(rule.entity)
        if rtype is None:
            return statuses(self._rule_fns[rule_id], records, None)
        return [self.judge(r, rule.entity, (rule,)).verdicts[0].status for r in records]

    def compute_indicators(self, inventory: Inventory) -> list[IndicatorResult]:
        out = []
        cache: dict = {}  # linked records validated once for all indicators
        for ind in self.checked.indicators:
            for entity, _ in ind.values:
                for i, record in enumerate(inventory.records.get(entity, [])):
                    out.append(self._indicator(ind, entity, record, self.record_id(entity, record, i), cache))
        return out

    def indicator_value(self, indicator_id: str, record: Any, entity: str | None = None,
                        record_id: str | None = None) -> IndicatorResult:
        """One indicator's value and verdict for one record (a city, a district...)."""
        ind = next(i for i in self.checked.indicators if i.id == indicator_id)
        return self._indicator(ind, entity or ind.values[0][0], record, record_id, {})

    def indicator_function(self, indicator_id: str, entity: str) -> Callable[[Any], Any]:
        """The compiled value function of one indicator at one level: record -> value.

        It does not validate: give it records :meth:`judge` found no problem in (the
        streaming ``check`` does, so that a record is validated once, not once per indicator).
        """
        return self._indicator_fns[(indicator_id, entity)]

    def _indicator(self, ind: Any, entity: str, record: Any, record_id: str | None, cache: dict) -> IndicatorResult:
        """The value of ``ind`` for one record: validated where the value reads it, then computed."""
        key = (ind.id, entity)
        paths = self._roots.get(key)
        if paths is None:
            paths = self._roots[key] = read_paths([ind.value_for(entity)], self.checked.lets)
        rtype = self.checked.entities.get(entity)
        problems, linked = record_problems(record, rtype, cache) if rtype is not None else ([], [])
        bad = [p for p in problems + linked if not isinstance(record, dict) or reads_bad(paths, path_of(p.path))]
        if bad:
            return IndicatorResult(ind, entity, record_id, None, Status.ERROR,
                                   "bad data: " + "; ".join(str(p) for p in bad[:5]))
        return judge_indicator(ind, self._indicator_fns[key], record, entity, record_id, self.interpreter)

    def expression(self, text: str, entity: str | None = None, name: str = "<expr>") -> "Expression":
        """Compile an expression against this spec's schema (for the REPL and tools)."""
        entity = entity or self.default_entity
        node = parse_expression(text, name)
        rec = self.checked.entities.get(entity)
        lets = {}
        for key, info in self.checked.lets.items():
            if key.startswith("goal:"):
                lets[key.split(".", 1)[1]] = info
        checked = check_expression(node, Source(name, text), rec, lets)
        # goal definitions are referred to by their short name from an ad-hoc expression
        interp_lets = dict(self.checked.lets)
        interp_lets.update({f".{short}": info for short, info in lets.items()})
        return Expression(checked, text, interp_lets, rtype=rec)

    def __repr__(self) -> str:
        return f"<Spec {self.name} {len(self.rules)} rules, {len(self.indicators)} indicators>"


class Expression:
    """An ad-hoc compiled expression (``sl.compile``): a condition or a value.

    Compiled once; ``expr(record)``, ``expr.evaluate(record)`` and ``expr.evaluate_many``
    take one path (validation against the schema, if any, then the compiled function).
    """

    def __init__(self, node: ir.Node, text: str, lets=None, rtype: RecordT | None = None):
        self.node = node
        self.text = text
        self.interpreter = Interpreter(lets or {})
        compiler = Compiler(lets or {}, "<expr>", guard=rtype is None)  # schemaless: the function tests the record
        self.is_condition = isinstance(node.type, BoolT)
        self._rtype = rtype
        if self.is_condition:
            self.rule = CheckedRule("expr", text, rtype.name if rtype else "record", "", None, "shall", None, (node,),
                                    span=node.span)
            name = compiler.rule(self.rule)
        else:
            self.rule = None
            name = compiler.value(node)
        self._module = compiler.finish()
        self._fn = compiler.function(name)
        paths = read_paths([node], lets or {})
        self._reads = lambda path: reads_bad(paths, path_of(path))  # does a bad value at path matter?
        # a guarded function refuses a record that is not an object itself (unless the interpreter runs it)
        self._guarded = rtype is None and not self._module.fallbacks
        if self.is_condition:
            self.evaluate = verdict_function(self._fn, self.rule, self, rtype,  # type: ignore[method-assign]
                                             self._reads, guarded=self._guarded)

    @property
    def unit(self) -> str:
        return display_unit(self.node.type)

    def record_type(self, entity: str) -> RecordT | None:
        return self._rtype

    def python_source(self) -> str:
        """The generated Python of this expression."""
        return self._module.source

    def stats(self) -> dict[str, Any]:
        """What was compiled (see :meth:`Spec.stats`)."""
        return _stats(self._module, 1 if self.is_condition else 0, 0 if self.is_condition else 1)

    def evaluate(self, record: Any) -> "Verdict | Value":
        """Evaluate on one record: a :class:`Verdict` for a condition, a :class:`Value` otherwise."""
        # a condition's evaluate is replaced, per instance, by the verdict function made in __init__
        problems = bad_data(record, self._rtype, self._reads)
        if problems:
            return Value(None, self.unit, self.node, record, self,
                         error="bad data: " + "; ".join(str(p) for p in problems))
        try:
            return Value(self._fn(record), self.unit, self.node, record, self)
        except BadValue as exc:
            return Value(None, self.unit, self.node, record, self, error=f"bad data: {exc}")
        except Exception as exc:
            annotate(exc)
            raise

    def __call__(self, record: Any) -> "Verdict | Value":
        """The same as :meth:`evaluate`."""
        return self.evaluate(record)

    def evaluate_many(self, records: Iterable[Any]) -> list:
        """Bulk evaluation: statuses (conditions) or raw values, no explanations.

        A condition's statuses are those :meth:`evaluate` gives, record by record.
        """
        if self.is_condition:
            return statuses(self._fn, records, self._rtype, self._reads, guarded=self._guarded)
        return [self.evaluate(r).value for r in records]

    def __repr__(self) -> str:
        return f"<Expression {self.text!r}>"


class Value:
    """The value of a non-condition expression, with its unit."""

    def __init__(self, value: Any, unit: str, node: ir.Node, record: Any, owner: Any, error: str | None = None):
        self.value = value
        self.unit = unit
        self.node = node
        self.record = record
        self._owner = owner
        self.error = error

    @property
    def status(self) -> Status:
        if self.error:
            return Status.ERROR
        return Status.UNKNOWN if self.value is None else Status.PASS

    @property
    def missing(self) -> tuple[str, ...]:
        missing: list[str] = []
        try:
            self._owner.interpreter.eval(self.node, [self.record], missing)
        except BadValue:  # bad data: the paths seen before it are still the missing ones
            pass
        return tuple(dict.fromkeys(missing))

    def explain(self) -> str:
        text = f"{self.node.text or 'value'} = {format_number(self.value, self.unit)}"
        if self.error:
            text += f"\n  ! {self.error}"
        elif self.value is None and self.missing:
            text += f"\n  missing: {', '.join(self.missing)}"
        return text

    def __str__(self) -> str:
        return format_number(self.value, self.unit)

    def __repr__(self) -> str:
        return f"<Value {self}>"


class Report:
    """The results of judging an inventory: per-record verdicts and indicators."""

    def __init__(self, spec: Spec, results: list[RecordResult], indicators: list[IndicatorResult],
                 counts: dict[str, int], meta: Any = None):
        self.spec = spec
        self.meta = meta  # provenance set by readers and the CLI (files, rows, warnings)
        self.results = results
        self.indicators = indicators
        self.counts = counts

    @property
    def verdicts(self) -> list[Verdict]:
        return [v for r in self.results for v in r.verdicts]

    def summary(self) -> dict[str, dict[str, int]]:
        """Counts of verdicts by strength and status."""
        out: dict[str, Counter] = {}
        for v in self.verdicts:
            out.setdefault(v.rule.strength, Counter())[v.status.value] += 1
        return {k: dict(c) for k, c in out.items()}

    def failed_requirements(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.status is Status.FAIL and v.rule.strength == "shall"]

    def items(self, record_id: str | None = None) -> list[ItemResult]:
        """Item outcomes (met / not met / unknown / not applicable), per record, items in the spec's order.

        ``record_id`` restricts them to one record. The roll-up is documented in
        :mod:`standardlang.engine.items`; a spec without items gives none.
        """
        items = self.spec.checked.items
        if not items:
            return []
        results = self.results if record_id is None else [self.record(record_id)]
        return [ir for r in results for ir in record_items(items, r.verdicts, r.record_id)]

    def item_summary(self, by: str | None = None) -> dict[str, list[ItemSummary]]:
        """Per group of records (the value of field ``by``; by default ``district`` if the records have it)
        and for all of them (key ``""``), how many records meet each item, fail it, or cannot be judged."""
        items = self.spec.checked.items
        if not items:
            return {}
        groups: dict[str, list[ItemResult]] = {"": []}
        entity = items[0].entity
        by = by or group_field(self.spec.checked, entity)
        for r in self.results:
            res = record_items(items, r.verdicts, r.record_id)
            groups[""] += res
            if by and r.entity == entity:
                value = r.record.get(by) if isinstance(r.record, dict) else None
                groups.setdefault("" if value is None else str(value), [])
                if value is not None:
                    groups[str(value)] += res
        return {g: summarize(rs, items, g) for g, rs in groups.items()}

    def record(self, record_id: str) -> RecordResult:
        for r in self.results:
            if r.record_id == record_id:
                return r
        raise KeyError(record_id)

    def __iter__(self):
        return iter(self.verdicts)

    def __len__(self) -> int:
        return len(self.verdicts)

    def to_dict(self, explain: bool = True) -> dict:
        """The JSON-ready report (schema ``standardlang.report/1``, see docs/report-format.md)."""
        c = self.spec.checked
        return {
            "schema": REPORT_SCHEMA,
            "spec": {"name": c.name, "title": c.title, "source": c.meta.get("source"), "path": self.spec.path},
            "records_read": self.counts,
            "records_judged": len(self.results),
            "summary": self.summary(),
            "results": [self._result_dict(r, explain) for r in self.results],
            "indicators": [i.to_dict() for i in self.indicators],
            "items": [{"item": i.id, "title": i.title, "goal": i.goal_id, "rules": list(i.rule_ids)}
                      for i in c.items],
            "item_summary": {g: [s.to_dict() for s in rows] for g, rows in self.item_summary().items()},
        }

    def _result_dict(self, result: RecordResult, explain: bool) -> dict:
        d = result.to_dict(explain)
        if self.spec.checked.items:
            d["items"] = [ir.to_dict() for ir in record_items(self.spec.checked.items, result.verdicts,
                                                                result.record_id)]
        return d


def _stats(module: Any, rules: int, values: int) -> dict[str, Any]:
    return {"rules": rules, "values": values, "functions": len(module.compiled) + len(module.fallbacks),
            "compiled": len(module.compiled), "generated_lines": len(module.lines),
            "interpreted": [{"function": f.name, "what": f.what, "reason": f.reason} for f in module.fallbacks]}


def _looks_like_record(data: dict, rtype: RecordT) -> bool:
    return any(k in rtype.fields for k in data)


def loads(text: str, name: str = "<spec>") -> Spec:
    """Parse, check and compile spec text."""
    text = text[1:] if text.startswith("\ufeff") else text
    tree = parse(text, name)
    checked = check(tree, Source(name, text))
    return Spec(checked, name)


def load(path: str | os.PathLike) -> Spec:
    """Load a spec file: parse → check → compile.

    Raises:
        StandardLangError: a syntax, name, type or unit error, with position and hint.
    """
    from standardlang.errors import Diagnostic, StandardLangError

    p = os.fspath(path)
    try:
        with open(p, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise StandardLangError([Diagnostic("F001", f"cannot read spec file: {exc.strerror or exc}", None,
                                            source=Source(p, ""))]) from None
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark (Windows Notepad) is fine
    except UnicodeDecodeError as exc:
        from standardlang.errors import Span

        good = raw[: exc.start].decode("utf-8", "replace")
        line, col = good.count("\n") + 1, len(good) - (good.rfind("\n") + 1) + 1
        shown = raw.decode("utf-8", "replace")
        raise StandardLangError([Diagnostic(
            "F002", f"spec file is not UTF-8 text: byte 0x{raw[exc.start]:02X} at line {line}, column {col}",
            Span.point(line, col), source=Source(p, shown),
            hint="save the file as UTF-8 (a GBK/GB18030 file: in Notepad, Save as → Encoding: UTF-8)")]) from None
    return loads(text, p)


def compile(text: str, spec: Spec | None = None, entity: str | None = None) -> Expression:  # noqa: A001
    """Compile an ad-hoc expression, with no schema (fields are dynamic) or against a spec's."""
    if spec is not None:
        return spec.expression(text, entity)
    node = parse_expression(text, "<expr>")
    checked = check_expression(node, Source("<expr>", text))
    return Expression(checked, text)
