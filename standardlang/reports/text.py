"""The text report: tables for people at a terminal.

Takes a list of :class:`~standardlang.engine.program.Report` and
:class:`~standardlang.reports.Options`; gives text: per spec, what was read and
judged, a table per entity level (records × items of the standard with the items'
titles and an item summary for all records and per district; else records × rules, or
counts when there are many rules), the strength × status summary, the failed requirements with concise
explanations grouped by item, data errors naming file, row and field, the ``--where`` filter,
and the indicators, binding and expected apart.  Colours (ANSI) only when
``options.color``; Chinese headers and status words with ``lang="zh"``.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from standardlang.engine.items import record_items
from standardlang.engine.verdict import Status
from standardlang.reports import (STATUSES, SYMBOLS, Options, aggregate_levels, colorize, is_indicator_failure, one_line, entity_label,
               failing_strengths, full_summary, indicator_record, indicator_rows, levels, meta, record_name, source_of,
               status_word, strength_word, table, word)

from standardlang.lang.vocabulary import counted
from standardlang.reports.summary import in_short, next_steps, result_line

MATRIX_MAX_RULES = 8
MAX_LISTED = 20  # records listed per failed rule


def render_text(reports: list[Any], options: Options | None = None) -> str:
    o = options or Options()
    out: list[str] = []
    quiet = _other_specs_levels(reports)
    for rep in reports:
        out.extend(_report(rep, o, quiet))
        out.append("")
    short = in_short(reports, o)
    if short:
        out.extend(short)
    hint = next_steps(reports, o)
    if hint:
        out.append(hint)
    out.append(result_line(reports, o))
    return "\n".join(out) + "\n"


def _report(rep: Any, o: Options, quiet: set[str] = frozenset()) -> list[str]:
    spec, m, lang = rep.spec, meta(rep), o.lang
    out = [colorize(f"{spec.name}  {spec.title}" + (f"  [{spec.path}]" if spec.path else ""), None, o.color, True)]
    read = m.read if m.read is not None else rep.counts
    judged = Counter(r.entity for r in rep.results)
    nrules = len({v.rule.id for v in rep.verdicts}) or len(m.rules or spec.rules)
    read_parts = ", ".join(f"{e} {n}" for e, n in read.items())
    files = f" {word('from', lang)} {', '.join(m.files)}" if m.files else ""
    judged_text = (word("judged_line", lang).format(records=counted(sum(judged.values()), "record", lang),
                                                    rules=counted(nrules, "rule", lang))
                   if nrules or not spec.indicators else
                   word("computed_line", lang).format(indicators=counted(len(spec.indicators), "indicator", lang)))
    out.append(word("read_line", lang).format(
        records=counted(sum(read.values()), "record", lang), files=files, judged=judged_text,
        parts=word("read_parts", lang).format(parts=read_parts) if read_parts else ""))
    if m.where:
        out.extend(_where(m.where, lang))
    for entity in levels(spec):
        results = [r for r in rep.results if r.entity == entity]
        if results:
            out.append("")
            count = counted(len(results), "record", lang)
            out.append(colorize(f"{entity_label(spec, entity, lang)} — {count}",
                                None, o.color, True))
            out.extend(_entity_table(rep, results, o))
    summary = full_summary(rep)
    if summary:
        out.append("")
        header = [word("summary", lang)] + [status_word(s, lang) for s in STATUSES] + [word("total", lang)]
        rows = [header]
        for strength, counts in summary.items():
            label = word("both_names", lang).format(en=strength, zh=strength_word(strength, "zh"))
            rows.append([label] + [str(counts[s.value]) for s in STATUSES] + [str(sum(counts.values()))])
        out.extend(table(rows, right=set(range(1, len(header)))))
        not_adopted = sum(1 for v in rep.verdicts if v.rule.strength == "may" and v.reason == "not_adopted")
        if not_adopted:
            out.append(word("not_adopted_note", lang).format(n=not_adopted))
    out.extend(_failures(rep, o, "shall", "failed_requirements"))
    if "should" in failing_strengths(o.fail_on):
        out.extend(_failures(rep, o, "should", "failed_recommendations"))
    out.extend(_data_errors(rep, o))
    out.extend(_unknowns(rep, lang))
    if rep.indicators:
        out.append("")
        out.append(colorize(word("indicators", lang), None, o.color, True))
        out.extend(indicator_lines(rep, o, top=3))
    notes = _notes(m.warnings, quiet, rep.spec.name, lang)
    if notes:
        out.append("")
        out.append(word("notes", lang) + ":")
        out.extend(f"  {w}" for w in notes)
    return out


_IGNORED = re.compile(r"^(?P<file>.*): collection `(?P<name>[^`]+)` is no entity of spec (?P<spec>\S+); ignored$")


def _other_specs_levels(reports: list[Any]) -> set[str]:
    """Collection names that some spec of the run reads (a city inventory judged by several specs)."""
    from standardlang.data.readers import level_names

    return {n.lower() for n in level_names(r.spec for r in reports)}


def _notes(warnings: list[str], quiet: set[str], spec: str, lang: str) -> list[str]:
    """The notes, where collections that another spec of the run reads go unsaid and the rest make one line."""
    out, ignored = [], {}
    for w in warnings:
        m = _IGNORED.match(w)
        if m is None:
            out.append(w)
        elif m["name"].lower() not in quiet:
            ignored.setdefault(m["file"], []).append(m["name"])
    for file, names in ignored.items():
        listed = ", ".join(f"`{n}`" for n in names)
        out.append(word("not_a_level" if len(names) == 1 else "not_levels", lang).format(file=file, listed=listed,
                                                                                          spec=spec))
    return out


def _where(where: dict, lang: str) -> list[str]:
    lines = [f"{word('where', lang)} --where {where['expression']} ({where['entity']}): "
             f"{word('kept', lang)} {where['kept']}, {word('excluded', lang)} {where['excluded']}"]
    und = where.get("undetermined") or []
    if und:
        lines.append(f"  {len(und)} {word('undetermined', lang)}:")
        for u in und:
            why = ", ".join(u.get("missing") or []) or u.get("error") or u["status"]
            src = f" ({u['source']})" if u.get("source") else ""
            lines.append(f"    {u['record']}{src}: {u['status']} — {why}")
    return lines


def _record_label(res: Any) -> str:
    name = record_name(res.record, res.record_id)
    return res.record_id if name == res.record_id else f"{res.record_id} {name}"


def _entity_table(rep: Any, results: list[Any], o: Options) -> list[str]:
    items = [i for i in rep.spec.checked.items if i.entity == results[0].entity]
    if items:
        return _item_table(rep, results, items, o)
    rule_ids = list(dict.fromkeys(v.rule.id for r in results for v in r.verdicts))
    if len(rule_ids) <= MATRIX_MAX_RULES:
        rows = [[word("record", o.lang)] + rule_ids]
        for res in results:
            by_id = {v.rule.id: v for v in res.verdicts}
            rows.append([_record_label(res)] + [_cell(by_id.get(rid), o) for rid in rule_ids])
        return table(rows)
    header = [word("record", o.lang)] + [status_word(s, o.lang) for s in STATUSES] + [word("failed_requirements", o.lang)]
    rows = [header]
    for res in results:
        c = Counter(v.status for v in res.verdicts)
        failed = [v.rule.id for v in res.verdicts if v.status is Status.FAIL and v.rule.strength == "shall"]
        text = ", ".join(failed)
        if len(text) > 48:
            text = text[:45] + "..."
        rows.append([_record_label(res)] + [colorize(str(c[s]), s, o.color and c[s] > 0) for s in STATUSES] + [text])
    return table(rows, right=set(range(1, 6)))


def _item_table(rep: Any, results: list[Any], items: list[Any], o: Options) -> list[str]:
    """Records × items of the standard (✓ met, ✗ not met, ? unknown, – not applicable, ! error), titles above."""
    lang = o.lang
    out = [word("items_of_standard", lang)]
    out.extend(f"  {word('item_legend', lang).format(id=i.id)} {i.title}" for i in items)
    rows = [[word("record", lang)] + [i.id for i in items] + [word("met", lang)]]
    for res in results:
        by_item = {r.id: r for r in record_items(items, res.verdicts, res.record_id)}
        cells = [_cell(by_item.get(i.id), o) for i in items]
        n_met = sum(1 for r in by_item.values() if r.status is Status.PASS)
        rows.append([_record_label(res)] + cells + [f"{n_met}/{len(by_item)}"])
    out.extend(table(rows, right={len(items) + 1}))
    out.extend(_item_summary(rep, o))
    return out


def _item_summary(rep: Any, o: Options) -> list[str]:
    """Per item, how many records meet it, in all records and in each district."""
    groups = rep.item_summary()
    if not groups:
        return []
    names = [""] + sorted(g for g in groups if g)
    lang = o.lang
    head = word("item_summary", lang)
    everyone = word("all_records", lang)
    rows = [[word("item", lang)] + [g or everyone for g in names]]
    by_group = {g: {s.item.id: s for s in groups[g]} for g in names}
    for s in groups[""]:
        label = f"{s.item.id} {s.item.title}"
        cells = []
        for g in names:
            c = by_group[g][s.item.id].counts
            cells.append(" ".join(f"{SYMBOLS[st]}{c.get(st.value, 0)}" for st in
                                  (Status.PASS, Status.FAIL, Status.UNKNOWN, Status.NOT_APPLICABLE))
                         + (f" !{c['error']}" if c.get("error") else ""))
        rows.append([label] + cells)
    return ["", head] + table(rows)


def _cell(v: Any, o: Options) -> str:
    if v is None:
        return ""
    return colorize(SYMBOLS[v.status], v.status, o.color)


def _failures(rep: Any, o: Options, strength: str, title: str) -> list[str]:
    """Failed rules of one strength, grouped by rule: the clause once, then each record and why."""
    failed = [(res, v) for res in rep.results for v in res.verdicts
              if v.status is Status.FAIL and v.rule.strength == strength]
    if not failed:
        return []
    out = ["", colorize(f"{word(title, o.lang)} ({len(failed)}):", Status.FAIL, o.color)]
    by_rule: dict[str, list] = {}
    for res, v in failed:
        by_rule.setdefault(v.rule.id, []).append((res, v))
    shown_item = None
    for rule_id, items in sorted(by_rule.items(), key=lambda kv: _item_order(rep, kv[1][0][1].rule)):
        rule = items[0][1].rule
        if rule.item_id is not None and rule.item_id != shown_item:
            shown_item = rule.item_id
            out.append(f"{word('item_n', o.lang).format(id=rule.item_id)} {rule.item_title or ''}")
        count = counted(len(items), "record", o.lang)
        out.append(colorize("✗", Status.FAIL, o.color) + f" {rule_id}" + (f" {rule.title}" if rule.title else "")
                   + f" [{strength_word(strength, o.lang)}] — {count}")
        if rule.cites:
            out.append(f"    {word('source', o.lang)}: {rule.cites[0]}")
        for res, v in items[:MAX_LISTED]:
            out.append(f"    {_record_label(res)}: {one_line(v, lang=o.lang)}")
        if len(items) > MAX_LISTED:
            out.append(f"    … +{len(items) - MAX_LISTED}")
    return out


def _item_order(rep: Any, rule: Any) -> int:
    """Rules in the spec's order, so that the rules of an item stay together."""
    order = getattr(rep, "_rule_order", None)
    if order is None:
        order = {r.id: i for i, r in enumerate(rep.spec.rules)}
        try:
            rep._rule_order = order
        except AttributeError:
            pass
    return order.get(rule.id, len(order))


def _data_errors(rep: Any, o: Options) -> list[str]:
    bad = [r for r in rep.results if r.problems or any(v.status is Status.ERROR for v in r.verdicts)]
    if not bad:
        return []
    out = ["", colorize(f"{word('data_errors', o.lang)} ({len(bad)}):", Status.ERROR, o.color)]
    for res in bad:
        src = source_of(rep, res.record)
        where = f" ({src})" if src is not None else ""
        errs = [v.rule.id for v in res.verdicts if v.status is Status.ERROR]
        problems = "; ".join(str(p) for p in res.problems) or next(
            (v.error for v in res.verdicts if v.status is Status.ERROR and v.error), "")
        out.append(colorize("!", Status.ERROR, o.color) + f" {_record_label(res)}{where}: {problems}")
        if errs:
            out.append(f"    {word('could_not_judge', o.lang)}: {', '.join(errs)}")
    return out


def _unknowns(rep: Any, lang: str) -> list[str]:
    unknown = [v for v in rep.verdicts if v.status is Status.UNKNOWN]
    if not unknown:
        return []
    missing: Counter = Counter()
    for v in unknown:
        missing.update(v.missing)
    top = ", ".join(f"{f} ({n})" for f, n in missing.most_common(5))
    return ["", f"{word('unknown_verdicts', lang)}: {len(unknown)}" + (f"; {word('missing_often', lang)}: {top}" if top else "")]


def indicator_lines(rep: Any, o: Options, top: int = 10, columns: list[str] | None = None) -> list[str]:
    """The indicator table: binding and expected apart, target beside the actual values."""
    rows = indicator_rows(rep, columns)
    if not any(r["values"] or r["members"] for r in rows):
        return [f"  {word('no_indicators', o.lang)}"]
    out: list[str] = []
    for attribute in ("binding", "expected"):
        group = [r for r in rows if r["indicator"].attribute == attribute]
        if not group:
            continue
        cols: list[tuple[str, str]] = []
        for r in group:
            for v in r["values"]:
                if (v.entity, v.record_id) not in cols:
                    cols.append((v.entity, v.record_id))
        names = {(v.entity, v.record_id): record_name(indicator_record(rep, v), v.record_id)
                 for r in group for v in r["values"]}
        label = word("both_names", o.lang).format(en=word(attribute), zh=word(attribute, "zh"))
        out.append(f"  {label}")
        header = [word("indicator", o.lang), word("target", o.lang)] + [names.get(c) or c[1] or c[0] for c in cols]
        trows = [header]
        for r in group:
            ind = r["indicator"]
            by_col = {(v.entity, v.record_id): v for v in r["values"]}
            target = (r["values"] or r["members"])[0].target_text if (r["values"] or r["members"]) else ""
            title = f"{ind.id} {ind.title or ''}".strip()
            trows.append([title, target] + [_ind_cell(by_col.get(c), o) for c in cols])
        out.extend("    " + line for line in table(trows))
        for r in group:
            members = r["members"]
            if not members:
                continue
            lagging = [x for x in members if x.status is not Status.PASS]
            shown = lagging[:top] if top else lagging
            if not lagging:
                continue
            level = members[0].entity
            head = f"    {r['indicator'].id}: {word('holding_back', o.lang)} {entity_label(rep.spec, level, o.lang)} " \
                   f"({len(lagging)} {word('of', o.lang)} {len(members)}): "
            items = []
            for x in shown:
                name = record_name(indicator_record(rep, x), x.record_id)
                items.append(f"{name} {_ind_cell(x, o)}")
            more = f", … +{len(lagging) - len(shown)}" if len(lagging) > len(shown) else ""
            out.append(head + ", ".join(items) + more)
    return out


def _ind_cell(v: Any, o: Options) -> str:
    if v is None:
        return "—"
    if v.value is None:
        return colorize(SYMBOLS[v.status], v.status, o.color)
    return f"{v.value_text_in(o.lang)} " + colorize(SYMBOLS[v.status], v.status, o.color)


def render_indicators_text(reports: list[Any], options: Options | None = None,
                           columns: list[str] | None = None) -> str:
    """The ``indicators`` command's table for every spec with indicators."""
    o = options or Options()
    out: list[str] = []
    for rep in reports:
        if not rep.spec.indicators:
            continue
        out.append(colorize(f"{rep.spec.name}  {rep.spec.title}", None, o.color, True))
        cols = columns if columns is not None else aggregate_levels(rep.spec)[:2]
        out.append("  " + " / ".join(entity_label(rep.spec, c, o.lang) for c in cols))
        out.extend(indicator_lines(rep, o, top=o.top, columns=cols))
        out.append("")
    return "\n".join(out) + "\n"
