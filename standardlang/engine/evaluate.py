"""Judge records: verdicts for rules, values for indicators, explanations.

Takes a checked spec, its compiled functions and plain records; gives
:class:`Verdict` and :class:`IndicatorResult` objects.  Statuses come from the
compiled evaluators (functions record -> status); this module is the one place
that turns them into verdicts, and the one place where a record's bad data
becomes an ``error``: refused by validation against the schema, or, without a
schema, a :class:`~standardlang.backends.python.runtime.BadValue` raised while
evaluating.  Any other exception is a bug: it propagates, with a note naming the
spec line of the generated code it came from.  Explanations are built on demand
by the reference interpreter, which records the values and missing fields of
every condition.
"""

from __future__ import annotations

from contextvars import ContextVar
from fractions import Fraction

import attrs
from typing import Any, Callable

from standardlang.backends.python.debug import annotate
from standardlang.backends.python.interpreter import Interpreter, rule_status  # noqa: F401 - re-exported
from standardlang.backends.python.runtime import BadValue
from standardlang.lang import ir, vocabulary
from standardlang.lang.model import CheckedIndicator, CheckedRule
from standardlang.lang.types import BoolT, ListT, RecordT, display_unit
from standardlang.data.validate import Problem, validate
from standardlang.engine.verdict import Check, Explanation, Status, format_number

_OP_SYMBOL = vocabulary.OP_SYMBOL

#: the sentences of explanations, in English and in Chinese
PHRASES = vocabulary.EXPLAIN_PHRASES


def value_text(node: ir.Node, value: Any, lang: str = "en") -> str:
    if lang == "zh" and isinstance(value, bool):
        return "是" if value else "否"
    text = format_number(value, display_unit(node.type), lang=lang)
    return PHRASES[lang]["unknown"] if value is None and lang != "en" else text


#: path -> Chinese label of the record being explained in zh (幼儿园·建筑面积), set by explain_rule
_LABELS: ContextVar[dict[str, str]] = ContextVar("standardlang_labels", default={})


def field_labels(rec: RecordT, prefix: str = "", label_prefix: str = "") -> dict[str, str]:
    """``kindergarten.building_area`` -> ``幼儿园·建筑面积`` for every field and definition with a label."""
    out: dict[str, str] = {}
    for name, info in rec.fields.items():
        label = f"{label_prefix}{info.label or name}"
        if info.label:
            out[prefix + name] = label
        t = info.type.elem if isinstance(info.type, ListT) else info.type
        if isinstance(t, RecordT) and not t.entity:
            out.update(field_labels(t, f"{prefix}{name}.", label + "·"))
    for name, let in rec.lets.items():
        if getattr(let, "label", None):
            out[prefix + name] = f"{label_prefix}{let.label}"
    return out


def _name(n: ir.Node) -> str:
    """How a condition's operand is named: its source text, or in Chinese its label."""
    text = n.text or ""
    return _LABELS.get().get(text, text)


def describe(node: ir.Node, interp: Interpreter, scopes: list[Any], lang: str = "en") -> tuple[str, Any, list[str]]:
    """(detail text, value, missing fields) of one condition; ``lang`` is en or zh."""
    say = PHRASES.get(lang, PHRASES["en"])
    lang = lang if lang in PHRASES else "en"
    missing: list[str] = []
    value = interp.eval(node, scopes, missing)
    text = node.text or "condition"

    def val(n: ir.Node) -> str:
        return value_text(n, interp.eval(n, scopes), lang)

    if isinstance(node, ir.Compare):
        left, right, _ = compared_sides(node)
        detail = compare_text(node, interp.eval(left, scopes), interp.eval(right, scopes), lang)
    elif isinstance(node, ir.Between):
        detail = say["between"].format(a=_name(node.value), v=val(node.value), lo=val(node.low), hi=val(node.high))
    elif isinstance(node, ir.Present):
        detail = say["not_recorded" if value is None else "present" if value else "absent"].format(a=_name(node.target))
    elif isinstance(node, ir.Member):
        detail = say["not_in" if node.negated else "in"].format(a=_name(node.value), v=val(node.value),
                                                                c=node.collection.text)
    elif isinstance(node, ir.Contains):
        what = {None: "", "all": say["all_of"], "any": say["any_of"]}[node.quant]
        detail = say["contains"].format(a=_name(node.collection), v=val(node.collection), q=what, c=node.items.text)
    else:
        detail = say["is"].format(a=_name(node) or text, v=value_text(node, value, lang))
    if value is None and missing:
        detail += say["missing"].format(m=", ".join(dict.fromkeys(missing)))
    elif missing:  # a partly known aggregate settled it: say what was not recorded, and that it did not matter
        detail += say["settled"].format(m=", ".join(dict.fromkeys(missing)))
    return detail, value, list(dict.fromkeys(missing))


def compared_sides(node: ir.Compare) -> tuple[ir.Node, ir.Node, str]:
    """(left, right, operator) of a comparison as an explanation says it: a constant on the left moved right."""
    left, right, op = node.left, node.right, node.op
    if isinstance(left, ir.Const) and not isinstance(right, ir.Const):
        left, right, op = right, left, {">=": "<=", "<=": ">=", ">": "<", "<": ">"}.get(op, op)
    return left, right, op


def compare_text(node: ir.Compare, seen: Any, other: Any, lang: str = "en") -> str:
    """The sentence of a comparison given the values of its two sides (:func:`compared_sides`):
    ``households is 80, needs ≥ 100``.  The SQL back end's ``<rule>.compared`` values give it too."""
    say = PHRASES.get(lang, PHRASES["en"])
    lang = lang if lang in PHRASES else "en"
    left, right, op = compared_sides(node)
    if isinstance(right, ir.Const):
        shown = (format_number(seen, display_unit(left.type), against=right.value)
                 if isinstance(seen, (int, float, Fraction)) and not isinstance(seen, bool) else value_text(left, seen, lang))
        return say["needs"].format(a=_name(left), v=shown, op=_OP_SYMBOL[op], t=value_text(right, right.value, lang))
    return say["pair"].format(a=_name(left), va=value_text(left, seen, lang), b=_name(right),
                              vb=value_text(right, other, lang), op=_OP_SYMBOL[op])


def explain_node(node: ir.Node, interp: Interpreter, scopes: list[Any], lang: str = "en") -> Check:
    """The explanation of one condition and its parts."""
    try:
        return _explain_node(node, interp, scopes, lang)
    except BadValue as exc:  # a part the verdict did not need, on bad data (schemaless records)
        return Check(node.text or "", None, f"{node.text or 'condition'}: bad data: {exc}")


def _explain_node(node: ir.Node, interp: Interpreter, scopes: list[Any], lang: str) -> Check:
    say = PHRASES.get(lang, PHRASES["en"])
    if isinstance(node, ir.Logic):
        parts = _flatten(node, node.op)
        children = tuple(explain_node(p, interp, scopes, lang) for p in parts)
        value = interp.eval(node, scopes)
        if value is not None:  # decided: an unknown part decides nothing, so it is not shown
            children = tuple(c for c in children if c.held is not None)
        word = say[node.op]
        missing = tuple(dict.fromkeys(m for c in children for m in c.missing))
        return Check(node.text or word, value, word, children, missing)
    if isinstance(node, ir.Unary) and node.op == "not":
        child = explain_node(node.operand, interp, scopes, lang)
        value = interp.eval(node, scopes)
        return Check(node.text or "not", value, say["not"], (child,), child.missing)
    detail, value, missing = describe(node, interp, scopes, lang)
    held = value if isinstance(value, bool) or value is None else bool(value)
    return Check(node.text or "", held, detail, (), tuple(missing))


def _flatten(n: ir.Node, op: str) -> list[ir.Node]:
    if isinstance(n, ir.Logic) and n.op == op:
        return _flatten(n.left, op) + _flatten(n.right, op)
    return [n]


def explain_rule(rule: CheckedRule, interp: Interpreter, record: Any, status: Status,
                 record_type: RecordT | None = None, record_id: str | None = None,
                 lang: str = "en") -> Explanation:
    """The explanation of one verdict; in Chinese (``lang="zh"``) fields are named by their labels."""
    token = _LABELS.set(field_labels(record_type) if lang == "zh" and record_type is not None else {})
    try:
        return _explain_rule(rule, interp, record, status, record_type, record_id, lang)
    finally:
        _LABELS.reset(token)


def _explain_rule(rule: CheckedRule, interp: Interpreter, record: Any, status: Status,
                  record_type: RecordT | None, record_id: str | None, lang: str) -> Explanation:
    scopes = [record]
    error = None
    if status is Status.ERROR:
        problems = validate(record, record_type) if record_type is not None else []
        if problems:
            error = "; ".join(str(p) for p in problems)
        else:
            try:
                rule_status(rule, interp, record)
                error = "the record could not be evaluated"
            except BadValue as exc:  # the record's data broke evaluation
                error = f"bad data: {exc}"
        return Explanation(rule.id, rule.title, status, rule.strength, rule.cites, rule.readings,
                           error=error, goal=rule.goal_id, record_id=record_id)
    applies = explain_node(rule.applies, interp, scopes, lang) if rule.applies is not None else None
    checks: tuple[Check, ...] = ()
    alternatives = []
    reason = "not_adopted" if status is Status.NOT_APPLICABLE and not_adopted(rule, interp, record) else None
    if status is not Status.NOT_APPLICABLE or reason:  # not adopted: show what taking it up would mean
        checks = tuple(explain_node(r, interp, scopes, lang) for r in rule.requires)
        if status is not Status.PASS or any(c.held is not True for c in checks):
            for alt in rule.alternatives:
                parts = ([alt.applies] if alt.applies is not None else []) + list(alt.requires)
                alternatives.append((alt.name, alt.title, tuple(explain_node(p, interp, scopes, lang) for p in parts)))
    missing: list[str] = []
    if status is Status.UNKNOWN:
        for c in ([applies] if applies is not None else []) + list(checks) + [c for _, _, cs in alternatives for c in cs]:
            missing.extend(c.missing)
    cites = rule.cites + tuple(c for alt in rule.alternatives for c in alt.cites)
    readings = rule.readings + tuple(r for alt in rule.alternatives for r in alt.readings)
    return Explanation(rule.id, rule.title, status, rule.strength, cites, readings, applies, checks,
                       tuple(alternatives), tuple(dict.fromkeys(missing)), goal=rule.goal_id, record_id=record_id,
                       lang=lang, reason=reason)


def not_adopted(rule: CheckedRule, interp: Interpreter, record: Any) -> bool:
    """Whether a not-applicable verdict of ``rule`` is a permission (可) not taken up, rather than
    its ``applies when`` being false."""
    if rule.adoption is None:
        return False
    return rule.applies is None or interp.test(rule.applies, [record]) is not False


class VerdictContext:
    """What every verdict of one rule shares: the rule and what can explain it."""

    __slots__ = ("rule", "owner")

    def __init__(self, rule: CheckedRule, owner: Any):
        self.rule = rule
        self.owner = owner


class Verdict:
    """The verdict of one rule for one record; ``explain()`` builds the explanation on demand.

    Four slots (status, the rule's shared context, the record, its key): the engine makes
    them as :class:`_Filled` and sets the slots in place, without a call to ``__init__``,
    so that one per record costs one allocation; ``Verdict(rule, status, record, owner,
    record_id)`` makes one by hand.
    """

    __slots__ = ("status", "_ctx", "record", "record_id")

    status: Status
    record: Any  # the record judged
    record_id: str | None  # the record's key, if it has one

    def __init__(self, rule: CheckedRule, status: Status, record: Any, owner: Any, record_id: str | None = None):
        self.status = status
        self._ctx = VerdictContext(rule, owner)
        self.record = record
        self.record_id = record_id

    @property
    def rule(self) -> CheckedRule:
        """The checked rule."""
        return self._ctx.rule

    @property
    def _owner(self) -> Any:
        return self._ctx.owner

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def strength(self) -> str:
        return self.rule.strength

    @property
    def passed(self) -> bool:
        return self.status is Status.PASS

    @property
    def is_failed_requirement(self) -> bool:
        return self.status is Status.FAIL and self.rule.strength == "shall"

    def explanation(self, lang: str = "en") -> Explanation:
        """The explanation as data (built by the reference interpreter); ``lang`` is en or zh."""
        return explain_rule(self.rule, self._owner.interpreter, self.record, self.status,
                            self._owner.record_type(self.rule.entity), self.record_id, lang)

    def explain(self, lang: str = "en") -> str:
        """The explanation rendered as text, in English (``en``) or Chinese (``zh``)."""
        return self.explanation(lang).render()

    @property
    def missing(self) -> tuple[str, ...]:
        return self.explanation().missing if self.status is Status.UNKNOWN else ()

    @property
    def error(self) -> str | None:
        return self.explanation().error if self.status is Status.ERROR else None

    @property
    def reason(self) -> str | None:
        """``"not_adopted"`` for a permission (可) not taken up (status not_applicable), else None."""
        if self.status is not Status.NOT_APPLICABLE or self.rule.adoption is None:
            return None
        return "not_adopted" if not_adopted(self.rule, self._owner.interpreter, self.record) else None

    def to_dict(self, explain: bool = True) -> dict:
        d: dict[str, Any] = {"rule": self.rule.id, "title": self.rule.title, "goal": self.rule.goal_id,
                             "status": self.status.value, "strength": self.rule.strength}
        if self.reason:
            d["reason"] = self.reason
        if self.record_id is not None:
            d["record"] = self.record_id
        if explain or self.status in (Status.UNKNOWN, Status.ERROR):
            e = self.explanation()
            if self.status is Status.UNKNOWN:
                d["missing"] = list(e.missing)
            if self.status is Status.ERROR:
                d["error"] = e.error
            if explain:
                d["explanation"] = e.to_dict()
        return d

    def __repr__(self) -> str:
        return f"<Verdict {self.rule.id} {self.status.value}>"


class _Filled(Verdict):
    """A :class:`Verdict` made without ``__init__``: ``_Filled()`` costs one allocation (CPython calls
    ``object.__init__`` directly), then the engine sets the four slots."""

    __slots__ = ()
    __init__ = object.__init__  # type: ignore[assignment]


class IndicatorResult:
    """An indicator's value for one record (a city, a district, a community) against its target."""

    __slots__ = ("indicator", "entity", "record_id", "value", "status", "error", "missing")

    def __init__(self, indicator: CheckedIndicator, entity: str, record_id: str | None, value: Any,
                 status: Status, error: str | None = None, missing: tuple[str, ...] = ()):
        self.indicator = indicator
        self.entity = entity
        self.record_id = record_id
        self.value = value
        self.status = status
        self.error = error
        self.missing = missing  # for an unknown value: the fields whose absence decided it

    @property
    def target_text(self) -> str:
        return f"{_OP_SYMBOL[self.indicator.op]} {format_number(self.indicator.target.value, self.indicator.unit or display_unit(self.indicator.target.type))}"

    @property
    def value_text(self) -> str:
        return self.value_text_in("en")

    def value_text_in(self, lang: str) -> str:
        """The value as text; a value known in part reads ``至少 …`` in Chinese (``lang="zh"``)."""
        return format_number(self.value, self.indicator.unit or display_unit(self.indicator.target.type),
                             against=self.indicator.target.value, lang=lang)

    def to_dict(self) -> dict:
        ind = self.indicator
        return {"indicator": ind.id, "title": ind.title, "attribute": ind.attribute, "entity": self.entity,
                "record": self.record_id, "value": _json_number(self.value), "value_text": self.value_text,
                **_json_range(self.value),
                "target": _json_number(ind.target.value), "target_text": self.target_text, "op": ind.op,
                "unit": ind.unit, "deadline": ind.deadline, "status": self.status.value,
                **({"error": self.error} if self.error else {}),
                **({"missing": list(self.missing)} if self.missing else {})}

    def explain(self, lang: str = "en") -> str:
        """The value against the target, the fields that decided it and the clause, in ``lang`` (en, zh)."""
        ind = self.indicator
        w = vocabulary.EXPLANATION_WORDS.get(lang, vocabulary.EXPLANATION_WORDS["en"])
        attribute = w.get(ind.attribute, ind.attribute)
        lines = [w["indicator_head"].format(id=ind.id, title=ind.title or "", attribute=attribute, entity=self.entity,
                                            record=self.record_id or "").rstrip(),
                 "  " + w["indicator_value"].format(value=self.value_text_in(lang), target=self.target_text,
                                                    status=w[self.status.value])]
        if self.error:
            lines.append(f"  ! {self.error}")
        if self.missing:
            head = w["missing"] if self.status is Status.UNKNOWN else w["settled_missing"]
            lines.append(f"  {head} " + ", ".join(self.missing))
        for c in ind.cites:
            lines.append(f"  {w['source']}: {c}")
        for r in ind.readings:
            lines.append(f"  {w['reading']} {r}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<IndicatorResult {self.indicator.id} {self.entity} {self.record_id} {self.value_text} {self.status.value}>"


def _json_number(v: Any) -> Any:
    from fractions import Fraction

    from standardlang.backends.python.runtime import Bounds

    if isinstance(v, Fraction):
        return float(v)
    if isinstance(v, Bounds):  # not one number: the ends go in value_low / value_high
        return None
    return v


def _json_range(v: Any) -> dict:
    """``value_low``/``value_high`` of a partly known value (None: unbounded on that side)."""
    from standardlang.backends.python.runtime import Bounds

    if not isinstance(v, Bounds):
        return {}
    return {"value_low": _json_number(v.lo), "value_high": _json_number(v.hi)}


def judge_indicator(ind: CheckedIndicator, fn: Callable[[Any], Any], record: Any, entity: str,
                    record_id: str | None, interp: Interpreter | None = None) -> IndicatorResult:
    from standardlang.backends.python import runtime as rt

    try:
        value = fn(record)
    except BadValue as exc:
        return IndicatorResult(ind, entity, record_id, None, Status.ERROR, f"bad data: {exc}")
    except Exception as exc:  # a bug: say where in the spec, and let it propagate
        annotate(exc)
        raise
    ok = None if value is None else rt.compare(ind.op, value, ind.target.value)
    status = Status.UNKNOWN if ok is None else Status.PASS if ok else Status.FAIL
    missing: list[str] = []
    if value is None or isinstance(value, rt.Bounds):  # not known exactly: name the data that is missing
        node = ind.value_for(entity)
        if interp is not None and node is not None:
            interp.eval(node, [record], missing)
    return IndicatorResult(ind, entity, record_id, value, status, missing=tuple(dict.fromkeys(missing)))


def is_condition(node: ir.Node) -> bool:
    return isinstance(node.type, BoolT)


# ====================================================================== statuses → verdicts


def status_of(fn: Callable[[Any], Status], record: Any) -> Status:
    """The status a compiled (or interpreted) rule function gives ``record``.

    Data of the wrong shape (:class:`BadValue`) is an ``error``; any other exception
    is a bug, annotated with the spec line of the generated code, and propagates.
    """
    try:
        return fn(record)
    except BadValue:
        return Status.ERROR
    except Exception as exc:
        annotate(exc)
        raise


def record_problems(record: Any, rtype: RecordT, cache: dict | None = None) -> tuple[list[Problem], list[Problem]]:
    """(the record's own problems, those of the linked records below it, at any depth).

    Children (``communities: list of community``) are judged as records of their own,
    so their problems are reported there; a parent's rule or indicator that reads them
    is an error all the same, and must not meet their bad values.  ``cache`` (by
    object id, for one evaluation) validates each linked record once however many
    parents and indicators read it.
    """
    return validate(record, rtype), _linked_problems(record, rtype, {} if cache is None else cache)


def _linked_problems(record: Any, rtype: RecordT, cache: dict) -> list[Problem]:
    out: list[Problem] = []
    if not isinstance(record, dict):
        return out
    for name, info in rtype.fields.items():
        elem = getattr(info.type, "elem", None)
        children = record.get(name)
        if not (isinstance(elem, RecordT) and elem.entity and isinstance(children, list)):
            continue
        for i, child in enumerate(children):
            key = id(child)
            found = cache.get(key)
            if found is None:  # the child's problems, relative to it (the child is kept alive by record)
                found = cache[key] = validate(child, elem) + _linked_problems(child, elem, cache)
            out.extend(attrs.evolve(p, path=f"{name}[{i}].{p.path}" if p.path != "record" else f"{name}[{i}]")
                       for p in found)
    return out


def _everything(path: str) -> bool:
    return True


def bad_data(record: Any, rtype: RecordT | None, reads: Callable[[str], bool] = _everything) -> list[Problem]:
    """The problems of ``record`` at paths that matter (``reads(path)``); not a record is one problem."""
    if not (record.__class__ is dict or isinstance(record, dict)):
        return [Problem("record", record, "expected a record (object)")]
    if rtype is None:
        return []
    own, linked = record_problems(record, rtype)
    return [p for p in own + linked if reads(p.path)]


def status_function(fn: Callable[[Any], Status], rtype: RecordT | None,
                    reads: Callable[[str], bool] = _everything) -> Callable[[Any], Status]:
    """record -> status: checked against ``rtype`` where ``fn`` reads it (``reads(path)``), then ``fn``.

    A record that is not an object, or a bad value in a field it reads, is an ``error``.
    """
    def status(record: Any) -> Status:
        return Status.ERROR if bad_data(record, rtype, reads) else status_of(fn, record)
    return status


def statuses(fn: Callable[[Any], Status], records: Any, rtype: RecordT | None,
             reads: Callable[[str], bool] = _everything, *, guarded: bool = False) -> list[Status]:
    """The statuses of many records: the same as :func:`status_function` record by record.

    ``guarded``: ``fn`` itself raises :class:`BadValue` for a record that is not an object
    (a schemaless rule compiled with ``Compiler(guard=True)``), so the bulk path need not test it.
    """
    if rtype is not None:
        status = status_function(fn, rtype, reads)
        return [status(r) for r in records]
    records = records if isinstance(records, list) else list(records)
    error = Status.ERROR
    try:  # the bulk path, as fast as the compiled function allows; bad data is rare: then one by one
        if guarded:
            return [fn(r) for r in records]
        return [fn(r) if r.__class__ is dict else error for r in records]
    except BadValue:
        pass
    except Exception as exc:  # a bug: the spec line, as one record at a time says it
        annotate(exc)
        raise
    out: list[Status] = []
    append = out.append
    for record in records:  # status_function's loop, inlined
        if record.__class__ is not dict and not isinstance(record, dict):
            append(error)
            continue
        try:
            append(fn(record))
        except BadValue:
            append(error)
        except Exception as exc:
            annotate(exc)
            raise
    return out


def verdict_function(fn: Callable[[Any], Status], rule: CheckedRule, owner: Any, rtype: RecordT | None,
                     reads: Callable[[str], bool] = _everything, *,
                     guarded: bool = False) -> Callable[[Any], "Verdict"]:
    """record -> :class:`Verdict` of ``rule``, by the status :func:`status_function` gives.

    Written out for speed: one call per record on top of the compiled function, and a
    verdict of this rule's own class (its context and key are class attributes) with two
    slots set in place.  ``guarded`` as in :func:`statuses`.
    """
    ctx = VerdictContext(rule, owner)
    # the verdicts of this function share their context and have no key: class attributes of their
    # own class (shadowing the slots), so that a verdict costs one allocation and two stores
    blank = type("Verdict", (_Filled,), {"__slots__": (), "_ctx": ctx, "record_id": None,
                                         "__module__": Verdict.__module__, "__qualname__": "Verdict"})
    error = Status.ERROR
    if rtype is not None:
        status = status_function(fn, rtype, reads)

        def verdict(record: Any) -> Verdict:
            v = blank()
            v.status = status(record)
            v.record = record
            return v
        return verdict

    def schemaless(record: Any) -> Verdict:
        v = blank()
        # not an object: an error; guarded, fn itself refuses it (BadValue). Tested in this order, a dict
        # costs one test, and status_of's try is written out here (a call a record costs more than the check)
        if record.__class__ is not dict and not guarded and not isinstance(record, dict):
            v.status = error
        else:
            try:
                v.status = fn(record)
            except BadValue:
                v.status = error
            except Exception as exc:
                annotate(exc)
                raise
        v.record = record
        return v
    return schemaless
