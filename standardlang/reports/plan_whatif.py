"""The what-if part of a plan as text: the projected state per year, what each project fixes, what is missed.

Takes a :class:`~standardlang.planning.projects.WhatIf`; gives lines (zh or en).
"""

from __future__ import annotations

from typing import Any

W = {
    "en": {"title": "What-if: projects applied year by year", "now": "now", "year": "end of",
           "failed": "shall-rules failed", "items": "communities failing items", "project": "project",
           "fixes": "fixes", "rules": "rules", "items_": "items", "indicators": "indicators",
           "nothing": "fixes no rule on its own", "missed": "targets still missed at the end of",
           "none_missed": "every indicator target is met by the end of", "error": "not applied",
           "no_indicators": "no indicator in the specs given: give the indicators spec to see the targets",
           "unknown": "cannot be judged (data missing) at the end of"},
    "zh": {"title": "情景推演:逐年实施项目", "now": "现状", "year": "年末", "failed": "未满足的“应”规则",
           "items": "未达标条目的社区数", "project": "项目", "fixes": "解决", "rules": "规则", "items_": "条目",
           "indicators": "指标", "nothing": "单独实施不能使任何规则通过", "missed": "截至以下年份仍未达标的指标:",
           "none_missed": "全部指标目标均已达成,截至", "error": "无法实施",
           "no_indicators": "所给规范中没有指标:请同时给出指标规范",
           "unknown": "因数据缺失无法判定的指标,截至"},
}


def whatif_lines(w: Any, lang: str = "en") -> list[str]:
    t = W.get(lang, W["en"])
    lines = [f"== {t['title']} ({w.deadline})"]
    inds = sorted({(d["indicator"], d["entity"], d["record"]) for s in w.states for d in s.indicators
                   if d["entity"] == "city"})
    for s in w.states:
        label = t["now"] if s.year is None else f"{s.year} {t['year']}" if lang == "en" else f"{s.year}{t['year']}"
        values = {(d["indicator"], d["entity"], d["record"]): d for d in s.indicators}
        cells = " ".join(f"{k[0]}={values[k]['value_text']}{'✓' if values[k]['status'] == 'pass' else '✗'}"
                         for k in inds if k in values)
        lines.append(f"  {label}: {t['failed']} {s.shall_failed}; {t['items']} "
                     f"{sum(s.items_failing.values())}" + (f"; {cells}" if cells else ""))
    for e in w.effects:
        p = e.project
        head = f"  {t['project']} {p.id} {p.title or ''} ({p.community}, {p.year})"
        if e.error:
            lines.append(f"{head}: {t['error']}: {e.error}")
            continue
        parts = []
        if e.rules:
            parts.append(f"{t['rules']} " + ", ".join(e.rules))
        if e.items:
            parts.append(f"{t['items_']} " + ", ".join(e.items))
        if e.indicators:
            parts.append(f"{t['indicators']} " + ", ".join(e.indicators))
        lines.append(f"{head}: " + (f"{t['fixes']} " + "; ".join(parts) if parts else t["nothing"]))
    if w.missed:
        lines.append(f"  {t['missed']} {w.deadline}:" if lang == "en" else f"  {t['missed']} {w.deadline}")
        shown = [d for d in w.missed if d["entity"] in ("city", "district")]
        for d in shown:
            attr = {"binding": "约束性", "expected": "预期性"}.get(d["attribute"], d["attribute"]) if lang == "zh" \
                else d["attribute"]
            value = d["value_text"].replace("unknown", "未知") if lang == "zh" else d["value_text"]
            lines.append(f"    ✗ {d['indicator']} {d['title'] or ''} [{attr}] {d['entity']} {d['record']}: "
                         + (f"{value}(目标 {d['target_text']})" if lang == "zh" else f"{value} (target {d['target_text']})"))
        below = len(w.missed) - len(shown)
        if below:
            lines.append(f"    … {below} " + ("more below district level (all in the JSON plan)" if lang == "en"
                                               else "项为区以下层级(完整列表见JSON)"))
    if w.unknown:
        lines.append(f"  {t['unknown']} {w.deadline}: " + ", ".join(
            f"{d['indicator']} {d['entity']} {d['record']}" for d in w.unknown if d["entity"] in ("city", "district"))
            + (f" (+{sum(d['entity'] not in ('city', 'district') for d in w.unknown)})"
               if any(d["entity"] not in ("city", "district") for d in w.unknown) else ""))
    if not w.missed and not w.unknown and any(s.indicators for s in w.states):
        lines.append(f"  {t['none_missed']} {w.deadline}")
    if not any(s.indicators for s in w.states):
        lines.append("  " + t["no_indicators"])
    return lines
