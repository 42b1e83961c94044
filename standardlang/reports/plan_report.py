"""Plans rendered: text (zh or en), JSON (``standardlang.plan/1``, docs/plan-format.md) and CSV.

Takes a :class:`~standardlang.planning.places.Plan`; gives text.  The text report
reads top-down like an annual construction list: the city, each district, each
subdistrict — facilities to build, existing ones to enlarge, figures to add,
members to add, indicators against their targets — then, unless ``summary``,
every community with each item's edits, the alternative routes, and the
questions its unknown verdicts raise; then, with projects, the year-by-year
what-if.  The CSV has one row per edit of a community (the list a bureau
tabulates); the JSON holds everything.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from standardlang.engine.verdict import format_number
from standardlang.lang import vocabulary
from standardlang.planning.changes import json_value
from standardlang.reports import word

#: the plan's words (kept in the one vocabulary)
W = vocabulary.PLAN_WORDS


def _label(plan: Any, path: str, lang: str) -> str:
    label = plan.labels.get(path)
    if lang == "zh" and label:
        return f"{label}({path})"
    return path if not label or lang != "en" else f"{path} ({label})"


def _place_lines(plan: Any, place: Any, lang: str) -> list[str]:
    w = W[lang]
    t = place.totals
    head = f"== {place.name or place.id} ({w[place.level]}{'' if place.level == 'city' else ' ' + place.id})"
    lines = [head + f" — {len(t.communities)} {w['communities']} {w['affected']}"]
    if t.build:
        lines.append(f"  {w['build']}:")
        lines.extend(f"    {_label(plan, k, lang)} ×{n}" for k, n in sorted(t.build.items()))
    if t.enlarge:
        lines.append(f"  {w['enlarge']}: " + ", ".join(f"{_label(plan, k, lang)} ×{n}" for k, n in sorted(t.enlarge.items())))
    for key, table in (("add", t.add), ("reduce", t.reduce)):
        if table:
            sign = "+" if key == "add" else "−"
            lines.append(f"  {w[key]}:")
            lines.extend(f"    {_label(plan, k, lang)} {sign}{format_number(v, t.units.get(k, ''))}"
                         for k, v in sorted(table.items()))
    if t.members:
        lines.append(f"  {w['members']}:")
        lines.extend(f"    {_label(plan, k, lang)}: " + ", ".join(f"{m} ×{n}" for m, n in sorted(c.items()))
                     for k, c in sorted(t.members.items()))
    if t.set_true:
        lines.append(f"  {w['set']}: " + ", ".join(f"{_label(plan, k, lang)} ×{n}" for k, n in sorted(t.set_true.items())))
    if t.choose:
        lines.append(f"  {w['choose']}: " + "; ".join(
            f"{_label(plan, k, lang)}: " + ", ".join(f"{m} ×{n}" for m, n in sorted(c.items())) for k, c in sorted(t.choose.items())))
    if t.items:
        from standardlang.planning.places import _item_key

        lines.append(f"  {w['items']}: " + " · ".join(
            f"{k}: {len(v)}" for k, v in sorted(t.items.items(), key=lambda kv: _item_key(kv[0]))))
    if t.survey:
        lines.append(f"  {w['survey']}: {len(t.to_survey)} {w['communities']}: "
                     + ", ".join(f"{_label(plan, k, lang)} ×{n}" for k, n in sorted(t.survey.items())))
    if not t.communities:
        lines.append(f"  {w['nothing']}")
    if place.indicators:
        lines.append(f"  {w['indicators']}:")
        for d in place.indicators:
            lines.append("    " + indicator_line(d, lang))
    return lines


def indicator_line(d: Any, lang: str = "en") -> str:
    mark = {"pass": "✓", "fail": "✗", "unknown": "?"}.get(d.status, "!")
    attr = word(d.attribute, lang)
    op = vocabulary.OP_SYMBOL.get(d.op, d.op)
    head = (f"{mark} {d.indicator} {d.title or ''} [{attr}{', ' + str(d.deadline) if d.deadline else ''}] "
            f"{format_number(d.value, d.unit, lang=lang)} → {op} {format_number(d.target, d.unit)}")
    if d.status == "pass":
        return head
    if d.status != "fail":
        return head.replace("unknown", W[lang]["unknown_value"]) + f": {W[lang]['unknown']}"
    ways = [t.describe(lang) for t in d.terms]
    sep = f" {W[lang]['or']} "
    return head + (": " + sep.join(ways) if ways else "") + ("; " + "; ".join(d.notes) if d.notes and not ways else "")


def _community_lines(plan: Any, cp: Any, lang: str) -> list[str]:
    w = W[lang]
    sub = plan.names.get(("subdistrict", cp.subdistrict), cp.subdistrict) if cp.subdistrict else None
    where = " / ".join(x for x in (cp.district, sub) if x)
    lines = [f"{cp.record_id} {cp.name or ''}" + (f" ({where})" if where else "") + f"  [{cp.spec}]"]
    for item in cp.items:
        for i, route in enumerate(item.routes):
            title = plan.item_titles.get(item.item)
            first = "  " + w["item"].format(id=item.item) + (f" {title}" if title else "")
            lead = first if i == 0 else f"    {w['or']}"
            if route.label:
                lead += f" ({route.label})"
            labels = plan.zh_labels.get(cp.spec) if lang == "zh" else None
            text = "; ".join(c.describe(lang, labels) for c in route.changes) or w["unsolved"]
            lines.append(f"{lead}: {text}" + ("" if route.complete else " " + w["incomplete"]))
            lines.extend(f"      {n}" for n in route.notes)
    for path in cp.survey:
        lines.append("  ! " + w["survey_one"].format(f=_label(plan, path, lang)))
    for q in cp.questions:
        lines.append(f"  ? {q.rule_id}: " + " | ".join(f.describe(lang) for f in q.fields))
    return lines


def render_text(plan: Any, lang: str = "en", summary: bool = False) -> str:
    lang = lang if lang in W else "en"
    w = W[lang]
    affected = [c for c in plan.communities if c.items]
    lines = [f"{w['title']} — {len(plan.communities)} {w['communities']}, {len(affected)} {w['affected']}",
             f"{w['specs']}: " + "; ".join(f"{s.name} {s.title}" for s in plan.specs), ""]
    for place in plan.places:
        lines.extend(_place_lines(plan, place, lang))
        lines.append("")
    if not summary:
        for cp in plan.communities:
            if cp.items or cp.questions or cp.survey:
                lines.extend(_community_lines(plan, cp, lang))
        lines.append("")
    if plan.whatif is not None:
        from standardlang.reports.plan_whatif import whatif_lines

        lines.extend(whatif_lines(plan.whatif, lang))
    return "\n".join(lines).rstrip() + "\n"


def render_json(plan: Any) -> str:
    return json.dumps(plan.to_dict(), ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = ["spec", "district", "subdistrict", "community", "name", "item", "way", "complete", "path", "label",
               "action", "before", "after", "delta", "unit", "text", "text_zh"]


def render_csv(plan: Any) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for cp in plan.communities:
        for item in cp.items:
            for route in item.routes:
                for c in route.changes:
                    delta = c.delta
                    writer.writerow({
                        "spec": cp.spec, "district": cp.district, "subdistrict": cp.subdistrict,
                        "community": cp.record_id, "name": cp.name, "item": item.item,
                        "way": route.label or "main", "complete": route.complete, "path": c.path,
                        "label": plan.labels.get(c.path, ""), "action": c.action,
                        "before": _cell(c.before), "after": _cell(c.after if c.action != "append" else c.count),
                        "delta": _cell(delta * c.scale if delta is not None else None), "unit": c.unit,
                        "text": c.describe("en"), "text_zh": c.describe("zh")})
    return out.getvalue()


def _cell(v: Any) -> Any:
    v = json_value(v)
    if isinstance(v, list):
        return ";".join(str(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    return "" if v is None else v
