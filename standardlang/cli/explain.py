"""``standardlang explain SPEC ID --data FILE... --record ID``: why one record got its verdict.

Takes a spec, a rule id (or an indicator id), data and a record (found by its
key, or ``#3`` for the third record); gives the full explanation: the goal, the
record and where it came from, every condition with the values it saw, what is
missing, the data problems, and the cited clause.  For an indicator, the value
against the target and, when the spec defines values for the levels below, the
records below that hold it back.  Exit code 0 once explained; 2 for an unknown
rule or record; 3 for unreadable data.
"""

from __future__ import annotations

import argparse
from typing import Any

from standardlang.lang.vocabulary import EXPLAIN_COMMAND_WORDS


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", metavar="SPEC", help="spec file (.stdl)")
    p.add_argument("rule", metavar="RULE", help="a rule id (2.building_area) or an indicator id")
    p.add_argument("--data", nargs="+", action="extend", required=True, metavar="FILE", help="data files")
    p.add_argument("--record", required=True, metavar="ID", help="the record's key, or #N for the N-th record")
    p.add_argument("--entity", metavar="NAME",
                   help="the entity of the record (for an indicator computed at several levels)")
    p.add_argument("--indicator", action="store_true", help="RULE names an indicator (when ids collide)")
    p.add_argument("--top", type=int, default=10, help="records below an indicator's level to list (default 10)")
    p.add_argument("--lang", choices=["zh", "en"], default="en",
                   help="language of the whole page: headings, the explanation and the shortfall beside it")


def run(args: argparse.Namespace) -> int:
    from standardlang.errors import did_you_mean
    from standardlang.engine.program import load
    from standardlang.data.readers import bind, read_files, resolve_entity, user_error

    spec = load(args.spec)
    rule_ids = [r.id for r in spec.rules]
    ind_ids = [i.id for i in spec.indicators]
    if args.rule in rule_ids and not args.indicator:
        dataset = bind(read_files(args.data), spec, args.entity)
        _explain_rule(spec, spec.rule(args.rule), dataset, args.record, getattr(args, "lang", "en"))
        return 0
    if args.rule in ind_ids:
        dataset = bind(read_files(args.data), spec, args.entity)
        entity = resolve_entity(spec, args.entity) if args.entity else None
        _explain_indicator(spec, next(i for i in spec.indicators if i.id == args.rule), dataset, args.record,
                           entity, args.top, getattr(args, "lang", "en"))
        return 0
    raise user_error("U004", f"spec `{spec.name}` has no {'indicator' if args.indicator else 'rule'} `{args.rule}`",
                     did_you_mean(args.rule, ind_ids if args.indicator else rule_ids + ind_ids))


def _words(lang: str) -> dict[str, str]:
    return EXPLAIN_COMMAND_WORDS.get(lang, EXPLAIN_COMMAND_WORDS["en"])


def _header(spec: Any, dataset: Any, entity: str, rid: str, rec: Any, lang: str = "en") -> list[str]:
    from standardlang.reports import entity_label

    w = _words(lang)
    src = dataset.source(rec)
    lines = [w["spec"].format(name=spec.name, title=spec.title) + (f"  [{spec.path}]" if spec.path else "")]
    source = spec.checked.meta.get("source")
    if source:
        lines.append(w["standard"].format(source=source))
    lines.append(w["record"].format(record=rid, entity=entity_label(spec, entity, lang))
                 + (w["from"].format(source=src) if src else ""))
    return lines


def _explain_rule(spec: Any, rule: Any, dataset: Any, ident: str, lang: str = "en") -> None:
    from standardlang.cli.check import find_record

    i, rec = find_record(spec, dataset, rule.entity, ident)
    result = spec.judge(rec, rule.entity, [rule], i)
    verdict = result.verdicts[0]
    w = _words(lang)
    lines = _header(spec, dataset, rule.entity, result.record_id, rec, lang)
    lines.append(w["goal"].format(goal=rule.goal_id) + (f" {rule.goal_title}" if rule.goal_title else ""))
    lines.append("")
    lines.append(verdict.explain(lang))
    lines.extend(_shortfall_lines(spec, rule, rec, verdict.status, lang))
    if result.problems:
        src = dataset.source(rec)
        lines.append("")
        lines.append(w["problems"].format(where=w["where"].format(source=src) if src else ""))
        lines.extend(f"  {p}" for p in result.problems)
    print("\n".join(lines))


def _shortfall_lines(spec: Any, rule: Any, rec: Any, status: Any, lang: str) -> list[str]:
    """Beside a failed verdict, the nearest change that passes; beside an unknown one, what would decide it."""
    from standardlang.engine.verdict import Status
    from standardlang.planning import Planner

    if status not in (Status.FAIL, Status.UNKNOWN) or not isinstance(rec, dict):
        return []
    planner = Planner(spec, rule.entity)
    if status is Status.FAIL:
        sf = planner.rule_shortfall(rule, rec)
        if sf is None or not sf.ways:
            return []
        head = _words(lang)["permission" if rule.strength == "may" else "shortfall"]
        from standardlang.engine.evaluate import field_labels

        labels = field_labels(spec.entities[rule.entity]) if lang == "zh" else None
        return ["", head] + ["  " + line for line in sf.describe(lang, labels)]
    from standardlang.planning.deciding import question

    q = question(planner, rule, rec)
    head = _words(lang)["decide"]
    return ["", head] + [f"  {f.describe(lang)}" for f in q.fields]


def _explain_indicator(spec: Any, ind: Any, dataset: Any, ident: str, entity: str | None, top: int,
                       lang: str = "en") -> None:
    from standardlang.data.readers import user_error
    from standardlang.reports import record_name, shortfall_key
    from standardlang.cli.check import find_record

    candidates = [entity] if entity else list(ind.entities)
    found = None
    for ent in candidates:
        if ent not in ind.entities:
            raise user_error("U005", f"indicator {ind.id} has no value for {ent} (it has: {', '.join(ind.entities)})")
        hit = dataset.find(spec, ent, ident)
        if hit is not None:
            found = (ent, *hit)
            break
    if found is None:
        find_record(spec, dataset, candidates[0], ident)  # raises, naming the known records
        return
    ent, i, rec = found
    rid = spec.record_id(ent, rec, i)
    result = spec.indicator_value(ind.id, rec, ent)
    result.record_id = rid
    w = _words(lang)
    lines = _header(spec, dataset, ent, rid, rec, lang)
    lines.append("")
    lines.append(result.explain(lang))
    below = [e for e in ind.entities if e != ent]
    members = _descendants(spec, ent, rec)
    for level in below:
        recs = members.get(level, [])
        if not recs:
            continue
        values = []
        for j, child in enumerate(recs):
            r = spec.indicator_value(ind.id, child, level)
            r.record_id = child.get(spec.entities[level].key) if isinstance(child, dict) and spec.entities[level].key \
                else None
            r.record_id = str(r.record_id) if r.record_id is not None else f"#{j + 1}"
            values.append((r, child))
        values.sort(key=lambda x: shortfall_key(x[0]))
        lagging = [(r, c) for r, c in values if r.status.value != "pass"]
        lines.append("")
        lines.append(w["below"].format(level=level, n=len(recs), lagging=len(lagging)))
        for r, child in (values[:top] if top else values):
            src = dataset.source(child)
            name = record_name(child, r.record_id)
            label = r.record_id if name == r.record_id else f"{r.record_id} {name}"
            lines.append(f"  {r.status.value:<8} {label}: {r.value_text_in(lang)}" + (f"  ({src})" if src else "")
                         + (f"  ! {r.error}" if r.error else ""))
        if top and len(values) > top:
            lines.append(w["more"].format(n=len(values) - top))
    print("\n".join(lines))


def _descendants(spec: Any, entity: str, rec: Any) -> dict[str, list]:
    """Records of every level below ``rec``, through its ``list of`` fields."""
    from standardlang.lang.types import ListT, RecordT

    out: dict[str, list] = {}
    stack = [(entity, rec)]
    seen: set[int] = set()
    while stack:
        ent, r = stack.pop()
        if not isinstance(r, dict) or id(r) in seen:
            continue
        seen.add(id(r))
        for fname, info in spec.entities[ent].fields.items():
            t = info.type
            if isinstance(t, ListT) and isinstance(t.elem, RecordT) and t.elem.entity and isinstance(r.get(fname), list):
                for child in r[fname]:
                    out.setdefault(t.elem.name, []).append(child)
                    stack.append((t.elem.name, child))
    return out
