"""The JSON report (schema ``standardlang.report/1``, documented in docs/report-format.md).

Takes a list of :class:`~standardlang.engine.program.Report` and
:class:`~standardlang.reports.Options`; gives one JSON document: the run's outcome
under ``--fail-on`` and, per spec, what was read and judged, the strength ×
status summary, the rules, the items of the standard with every record's item outcomes
and a summary per district and for all records, every record's verdicts (with where the record came
from), data problems, the ``--where`` filter and the indicators.
:data:`REPORT_JSON_SCHEMA` is the JSON Schema of that document.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from standardlang.engine.items import record_items
from standardlang.engine.verdict import Status
from standardlang.reports import (STATUSES, Options, count_failures, full_summary, indicator_record, indicator_rows, meta,
               record_name, source_of)

SCHEMA_ID = "standardlang.report/1"
INDICATORS_SCHEMA_ID = "standardlang.indicators/1"
_STATUS_VALUES = [s.value for s in STATUSES]
PRETTY_LIMIT = 10000  # verdicts; larger reports are written compact, on one line

_VERDICT = {
    "type": "object",
    "required": ["rule", "title", "goal", "status", "strength"],
    "properties": {
        "rule": {"type": "string"}, "title": {"type": ["string", "null"]}, "goal": {"type": "string"},
        "status": {"enum": _STATUS_VALUES}, "strength": {"enum": ["shall", "should", "may"]},
        "record": {"type": "string"}, "missing": {"type": "array", "items": {"type": "string"}},
        "error": {"type": ["string", "null"]}, "explanation": {"type": "object"},
    },
}
_SOURCE = {"type": ["object", "null"], "required": ["file"],
           "properties": {"file": {"type": "string"}, "sheet": {"type": "string"}, "row": {"type": "integer"},
                          "line": {"type": "integer"}, "path": {"type": "string"}}}
_PROBLEM = {"type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}, "value": {}}}
_INDICATOR = {
    "type": "object",
    "required": ["indicator", "title", "attribute", "entity", "record", "value", "value_text", "target",
                 "target_text", "op", "status"],
    "properties": {"indicator": {"type": "string"}, "attribute": {"enum": ["binding", "expected"]},
                   "entity": {"type": "string"}, "record": {"type": ["string", "null"]},
                   "value": {"type": ["number", "boolean", "null"]}, "status": {"enum": _STATUS_VALUES},
                   "value_low": {"type": ["number", "null"]}, "value_high": {"type": ["number", "null"]},
                   "op": {"enum": [">=", ">", "<=", "<", "==", "!="]}},
}
_COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
_ITEM_RESULT = {
    "type": "object", "required": ["item", "title", "goal", "status", "rules", "failed", "unknown"],
    "properties": {"item": {"type": "string"}, "title": {"type": "string"}, "goal": {"type": "string"},
                   "status": {"enum": _STATUS_VALUES}, "rules": {"type": "object"},
                   "failed": {"type": "array", "items": {"type": "string"}},
                   "unknown": {"type": "array", "items": {"type": "string"}},
                   "recommendations": _COUNTS, "permissions": _COUNTS},
}
_ITEM_SUMMARY = {
    "type": "object", "required": ["item", "title", "group", *_STATUS_VALUES],
    "properties": {"item": {"type": "string"}, "title": {"type": "string"}, "group": {"type": "string"},
                   **{s: {"type": "integer", "minimum": 0} for s in _STATUS_VALUES}},
}

#: The JSON Schema (draft 2020-12) of the document :func:`render_json` gives.
REPORT_JSON_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "standardlang report",
    "type": "object",
    "required": ["schema", "generator", "fail_on", "outcome", "failures", "reports"],
    "properties": {
        "schema": {"const": SCHEMA_ID},
        "generator": {"type": "string"},
        "fail_on": {"enum": ["shall", "should", "never"]},
        "outcome": {"enum": ["pass", "fail"]},
        "failures": {"type": "integer", "minimum": 0},
        "reports": {"type": "array", "items": {
            "type": "object",
            "required": ["schema", "spec", "records_read", "records_judged", "summary", "rules", "results",
                         "indicators", "warnings"],
            "properties": {
                "schema": {"const": SCHEMA_ID},
                "spec": {"type": "object", "required": ["name", "title"],
                         "properties": {"name": {"type": "string"}, "title": {"type": "string"},
                                        "source": {"type": ["string", "null"]}, "path": {"type": ["string", "null"]},
                                        "version": {"type": ["string", "null"]}}},
                "files": {"type": "array", "items": {"type": "string"}},
                "records_read": _COUNTS,
                "records_judged": {"type": "integer", "minimum": 0},
                "judged_by_entity": _COUNTS,
                "summary": {"type": "object", "additionalProperties": {
                    "type": "object", "required": _STATUS_VALUES,
                    "properties": {s: {"type": "integer", "minimum": 0} for s in _STATUS_VALUES}}},
                "rules": {"type": "array", "items": {
                    "type": "object", "required": ["id", "title", "goal", "entity", "strength", "cites"]}},
                "results": {"type": "array", "items": {
                    "type": "object", "required": ["entity", "record", "source", "verdicts"],
                    "properties": {"entity": {"type": "string"}, "record": {"type": "string"},
                                   "name": {"type": "string"}, "source": _SOURCE,
                                   "verdicts": {"type": "array", "items": _VERDICT},
                                   "items": {"type": "array", "items": _ITEM_RESULT},
                                   "problems": {"type": "array", "items": _PROBLEM}}}},
                "items": {"type": "array", "items": {
                    "type": "object", "required": ["item", "title", "goal", "rules"]}},
                "item_summary": {"type": "object", "additionalProperties": {"type": "array", "items": _ITEM_SUMMARY}},
                "indicators": {"type": "array", "items": _INDICATOR},
                "where": {"type": ["object", "null"]},
                "warnings": {"type": "array", "items": {"type": "string"}},
            },
        }},
    },
}


def _explain(v: Any, mode: str) -> bool:
    if mode == "all":
        return True
    if mode == "none":
        return False
    return v.status in (Status.FAIL, Status.ERROR)


def report_dict(rep: Any, options: Options | None = None) -> dict:
    """One spec's report as JSON-ready data (``Report.to_dict()`` extended)."""
    o = options or Options()
    m = meta(rep)
    c = rep.spec.checked
    judged = Counter(r.entity for r in rep.results)
    results = []
    for r in rep.results:
        src = source_of(rep, r.record)
        d: dict[str, Any] = {"entity": r.entity, "record": r.record_id}
        name = record_name(r.record, r.record_id)
        if name != r.record_id:
            d["name"] = name
        d["source"] = src.to_dict() if src is not None else None
        d["verdicts"] = [v.to_dict(_explain(v, o.explain)) for v in r.verdicts]
        if c.items:
            d["items"] = [ir.to_dict() for ir in record_items(c.items, r.verdicts, r.record_id)]
        if r.problems:
            d["problems"] = [p.to_dict() for p in r.problems]
        results.append(d)
    rule_ids = m.rules
    rules = [{"id": r.id, "title": r.title, "goal": r.goal_id, "goal_title": r.goal_title, "entity": r.entity,
              "strength": r.strength, "cites": list(r.cites)}
             for r in rep.spec.rules if rule_ids is None or r.id in rule_ids]
    indicators = []
    for i in rep.indicators:
        d = i.to_dict()
        rec = indicator_record(rep, i)
        name = record_name(rec, i.record_id)
        if name and name != i.record_id:
            d["name"] = name
        indicators.append(d)
    return {
        "schema": SCHEMA_ID,
        "spec": {"name": c.name, "title": c.title, "source": c.meta.get("source"), "path": rep.spec.path,
                 "version": c.meta.get("version")},
        "files": list(m.files),
        "records_read": dict(m.read if m.read is not None else rep.counts),
        "records_judged": len(rep.results),
        "judged_by_entity": dict(judged),
        "summary": full_summary(rep),
        "rules": rules,
        "results": results,
        "indicators": indicators,
        "items": [{"item": i.id, "title": i.title, "goal": i.goal_id, "goal_title": i.goal_title,
                   "rules": list(i.rule_ids)} for i in c.items],
        "item_summary": {g: [s.to_dict() for s in rows] for g, rows in rep.item_summary().items()},
        "where": m.where,
        "warnings": list(m.warnings),
    }


def render_json(reports: list[Any], options: Options | None = None) -> str:
    from standardlang import __version__

    o = options or Options()
    n = count_failures(reports, o.fail_on)
    doc = {"schema": SCHEMA_ID, "generator": f"standardlang {__version__}", "fail_on": o.fail_on,
           "outcome": "fail" if n else "pass", "failures": n,
           "reports": [report_dict(r, o) for r in reports]}
    large = sum(len(r) for r in reports) > PRETTY_LIMIT
    return json.dumps(doc, ensure_ascii=False, indent=None if large else 2,
                      separators=(",", ":") if large else None, default=_default) + "\n"


def render_indicators_json(reports: list[Any], options: Options | None = None,
                           columns: list[str] | None = None) -> str:
    """The ``indicators`` command's table as JSON (schema ``standardlang.indicators/1``)."""
    from standardlang import __version__
    from standardlang.reports import aggregate_levels

    out = []
    for rep in reports:
        if not rep.spec.indicators:
            continue
        cols = columns if columns is not None else aggregate_levels(rep.spec)[:2]
        inds = []
        for row in indicator_rows(rep, cols):
            ind = row["indicator"]

            def item(x: Any) -> dict:
                full = x.to_dict()
                d = {"entity": x.entity, "record": x.record_id, "value": full["value"],
                     "value_text": x.value_text, "status": x.status.value,
                     **{k: full[k] for k in ("value_low", "value_high") if k in full}}  # a range
                name = record_name(indicator_record(rep, x), x.record_id)
                if name and name != x.record_id:
                    d["name"] = name
                if x.error:
                    d["error"] = x.error
                return d
            inds.append({"id": ind.id, "title": ind.title, "attribute": ind.attribute, "op": ind.op,
                         "target": _number(ind.target.value), "unit": ind.unit, "deadline": ind.deadline,
                         "target_text": (row["values"] or row["members"])[0].target_text
                         if (row["values"] or row["members"]) else None,
                         "cites": list(ind.cites),
                         "values": [item(x) for x in row["values"]],
                         "members": [item(x) for x in row["members"]]})
        out.append({"spec": {"name": rep.spec.name, "title": rep.spec.title, "path": rep.spec.path},
                    "levels": cols, "indicators": inds})
    doc = {"schema": INDICATORS_SCHEMA_ID, "generator": f"standardlang {__version__}", "specs": out}
    return json.dumps(doc, ensure_ascii=False, indent=2, default=_default) + "\n"


def _number(v: Any) -> Any:
    from fractions import Fraction

    return float(v) if isinstance(v, Fraction) else v


def _default(v: Any) -> Any:
    from fractions import Fraction

    if isinstance(v, Fraction):
        return float(v)
    if isinstance(v, (set, frozenset)):
        return sorted(str(x) for x in v)
    return str(v)
