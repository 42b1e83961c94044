"""The what-if part of a plan as text: the projected state per year, what each project fixes, what is missed.

Takes a :class:`~standardlang.planning.projects.WhatIf`; gives lines (zh or en).
"""

from __future__ import annotations

from typing import Any

from standardlang.lang import vocabulary
from standardlang.reports import word

#: the what-if's words (kept in the one vocabulary)
W = vocabulary.WHATIF_WORDS


def whatif_lines(w: Any, lang: str = "en") -> list[str]:
    t = W.get(lang, W["en"])
    lines = [f"== {t['title']} ({w.deadline})"]
    inds = sorted({(d["indicator"], d["entity"], d["record"]) for s in w.states for d in s.indicators
                   if d["entity"] == "city"})
    for s in w.states:
        label = t["now"] if s.year is None else t["year"].format(year=s.year)
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
        lines.append("  " + t["missed"].format(deadline=w.deadline))
        shown = [d for d in w.missed if d["entity"] in ("city", "district")]
        for d in shown:
            value = d["value_text"].replace("unknown", t["unknown_value"])
            lines.append(f"    ✗ {d['indicator']} {d['title'] or ''} [{word(d['attribute'], lang)}] {d['entity']} "
                         f"{d['record']}: " + t["against_target"].format(value=value, target=d["target_text"]))
        below = len(w.missed) - len(shown)
        if below:
            lines.append("    " + t["more_below"].format(n=below))
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
