"""The plan as one self-contained HTML page: the "to build" view.

Takes a :class:`~standardlang.planning.places.Plan`; gives an HTML document as a
string that opens offline: inline CSS, no script, no fonts or images from
anywhere.  Every text from a spec or a record (untrusted) is escaped.  For the
city and each district (subdistricts folded under them): the list of facilities
to build and figures to add with their totals, the communities affected per
item, and a chart per indicator — its value by year (the projected state of the
what-if when projects are given, else today's value) against its target, as an
inline SVG line with the target dashed.
"""

from __future__ import annotations

import html
from typing import Any

from standardlang.engine.verdict import format_number
from standardlang.lang import vocabulary
from standardlang.reports import word

#: the page's words (kept in the one vocabulary)
W = vocabulary.PLAN_HTML_WORDS

_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.2em;border-bottom:2px solid #446;padding-bottom:.2em;margin-top:1.6em}
h3{font-size:1em;margin:1em 0 .3em}table{border-collapse:collapse;margin:.3em 0 1em}
td,th{border:1px solid #ccd;padding:.2em .6em;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#eef}tfoot td{font-weight:bold}.charts{display:flex;flex-wrap:wrap;gap:1em}
figure{margin:0;border:1px solid #ccd;padding:.4em;width:330px}figcaption{font-size:.85em}
.fail{color:#b00}.pass{color:#070}.unknown{color:#777}details{margin:.5em 0}
"""


def _e(v: Any) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def render_html(plan: Any, lang: str = "zh") -> str:
    """One self-contained page for ``plan`` (``lang``: ``zh`` or ``en`` for the page's own words)."""
    w = W["zh" if lang == "zh" else "en"]
    series = _series(plan)
    body = [f"<h1>{_e(w['title'])}</h1>",
            "<p>" + _e("; ".join(f"{s.name} {s.title}" for s in plan.specs)) + "</p>"]
    tops = [p for p in plan.places if p.level in ("city", "district")]
    for place in tops:
        body.append(_place(plan, place, w, series, lang, level=2))
        subs = [p for p in plan.places if p.level == "subdistrict" and p.parent == place.id]
        if subs:
            body.append(f"<details><summary>{_e(w['subdistricts'])} ({len(subs)})</summary>")
            body.extend(_place(plan, p, w, series, lang, level=3) for p in subs)
            body.append("</details>")
    if plan.whatif is not None:
        body.append(_whatif(plan.whatif, w))
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width"><title>{_e(w["title"])}</title>'
            f"<style>{_CSS}</style></head><body>" + "\n".join(body) + "</body></html>\n")


def _place(plan: Any, place: Any, w: dict, series: dict, lang: str, level: int) -> str:
    t = place.totals
    h = f"h{level}"
    out = [f'<section class="place" data-level="{_e(place.level)}" data-id="{_e(place.id)}">',
           f"<{h}>{_e(place.name or place.id)} ({_e(w[place.level])})</{h}>",
           f'<p><span data-affected>{len(t.communities)}</span> {_e(w["affected"])}</p>']
    if place.indicators:  # the charts first: how far each target is, then what to build
        out.append(f"<h3>{_e(w['indicators'])}</h3><div class=\"charts\">")
        for d in place.indicators:
            out.append(_chart(d, series.get((d.indicator, d.entity, d.record_id)), w, lang))
        out.append("</div>")

    rows = [(plan.labels.get(k, ""), k, n) for k, n in sorted(t.build.items())]
    if rows:
        out.append(_table("build", w["build"], [w["facility"], "", w["count"]],
                          [[lab, k, str(n)] for lab, k, n in rows], sum(n for *_, n in rows)))
    if t.survey:  # not recorded: neither built nor counted with what is (docs/plan-format.md)
        out.append(_table("survey", w["survey"], [w["facility"], "", w["communities"]],
                          [[plan.labels.get(k, ""), k, str(n)] for k, n in sorted(t.survey.items())],
                          sum(t.survey.values())))
    for key in ("add", "reduce"):
        table = getattr(t, key)
        if table:
            out.append(_table(key, w[key], [w["figure"], "", w["total"]],
                              [[plan.labels.get(k, ""), k, format_number(v, t.units.get(k, ""))]
                               for k, v in sorted(table.items())], None))
    if t.members:
        out.append(_table("members", w["members"], [w["figure"], "", ""],
                          [[plan.labels.get(k, ""), k, ", ".join(f"{m} ×{n}" for m, n in sorted(c.items()))]
                           for k, c in sorted(t.members.items())], None))
    if t.items:
        from standardlang.planning.places import _item_key

        out.append(_table("items", w["items"], [w["item"], "", w["communities"]],
                          [[k, plan.item_titles.get(k, ""), str(len(v))]
                           for k, v in sorted(t.items.items(), key=lambda kv: _item_key(kv[0]))], None))
    out.append("</section>")
    return "\n".join(out)


def _table(kind: str, title: str, head: list, rows: list, total: Any) -> str:
    out = [f'<h3>{_e(title)}</h3><table data-table="{kind}"><thead><tr>'
           + "".join(f"<th>{_e(x)}</th>" for x in head) + "</tr></thead><tbody>"]
    for r in rows:
        out.append("<tr>" + "".join(f'<td{" class=n" if i == len(r) - 1 else ""}>{_e(x)}</td>'
                                    for i, x in enumerate(r)) + "</tr>")
    out.append("</tbody>")
    if total is not None:
        out.append(f'<tfoot><tr><td colspan="{len(head) - 1}"></td><td class=n data-total>{_e(total)}</td></tr></tfoot>')
    out.append("</table>")
    return "".join(out)


def _series(plan: Any) -> dict:
    """(indicator, entity, record) -> [(year label, value)], from the what-if's years when there is one."""
    out: dict = {}
    if plan.whatif is None:
        return out
    for s in plan.whatif.states:
        for d in s.indicators:
            out.setdefault((d["indicator"], d["entity"], d["record"]), []).append((s.year, d["value"]))
    return out


def _chart(d: Any, points: list | None, w: dict, lang: str) -> str:
    """An inline SVG: the value by year (a polyline with dots) and the target (dashed)."""
    from fractions import Fraction

    if points is None:
        points = [(None, d.value)]
    scale = 100 if d.unit == "%" else 1000 if d.unit == "‰" else 1
    vals = [None if v is None else float(Fraction(v)) * scale for _, v in points]
    target = float(d.target) * scale
    top = max([target] + [v for v in vals if v is not None]) * 1.15 or 1
    width, height, left, bottom = 310, 150, 40, 20
    n = len(points)

    def x(i: int) -> float:
        return left + (width - left - 25) * (i / (n - 1) if n > 1 else 0.5)

    def y(v: float) -> float:
        return 10 + (height - bottom - 10) * (1 - v / top)

    pts = [(x(i), y(v)) for i, v in enumerate(vals) if v is not None]
    svg = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
           f'data-indicator="{_e(d.indicator)}" data-points="{len(pts)}">',
           f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - 5}" y2="{y(0):.1f}" stroke="#999"/>',
           f'<line class="target" x1="{left}" y1="{y(target):.1f}" x2="{width - 5}" y2="{y(target):.1f}" '
           f'stroke="#c00" stroke-dasharray="5,4"/>',
           f'<text x="2" y="{y(target) + 4:.1f}" font-size="10" fill="#c00">{_e(format_number(d.target, d.unit))}</text>']
    if len(pts) > 1:
        svg.append('<polyline class="value" fill="none" stroke="#237" stroke-width="2" points="'
                   + " ".join(f"{a:.1f},{b:.1f}" for a, b in pts) + '"/>')
    svg.extend(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3" fill="#237"/>' for a, b in pts)
    for i, (year, _) in enumerate(points):
        svg.append(f'<text x="{x(i):.1f}" y="{height - 5}" font-size="10" text-anchor="middle">'
                   f'{_e(w["now"] if year is None else year)}</text>')
    svg.append("</svg>")
    ways = "; ".join(t.describe(lang) for t in d.terms)
    attr = word(d.attribute, lang)
    value = w["unknown_value"] if d.value is None else format_number(d.value, d.unit, lang=lang)
    caption = (f'<figcaption><b>{_e(d.indicator)} {_e(d.title)}</b> [{_e(attr)}] '
               f'<span class="{_e(d.status)}">{_e(value)}</span> → '
               f'{_e(w["target"])} {_e(format_number(d.target, d.unit))}'
               + (f"<br>{_e(w['ways'])}: {_e(ways)}" if ways else "") + "</figcaption>")
    return "<figure>" + "".join(svg) + caption + "</figure>"


def _whatif(wi: Any, w: dict) -> str:
    out = [f"<h2>{_e(w['projects'])}</h2><table data-table=\"projects\"><thead><tr><th>id</th><th></th>"
           f"<th>{_e(w['communities'])}</th><th></th><th>{_e(w['fixes'])}</th></tr></thead><tbody>"]
    for e in wi.effects:
        p = e.project
        fixes = e.error or "; ".join(x for x in (", ".join(e.rules), ", ".join(e.items), ", ".join(e.indicators)) if x)
        out.append(f"<tr><td>{_e(p.id)}</td><td>{_e(p.title)}</td><td>{_e(p.community)}</td><td>{_e(p.year)}</td>"
                   f"<td>{_e(fixes)}</td></tr>")
    out.append("</tbody></table>")
    missed = [d for d in wi.missed if d["entity"] in ("city", "district")]
    if missed:
        out.append(f"<h3>{_e(w['missed'])} {wi.deadline}</h3><ul data-missed>")
        out.extend(f"<li>{_e(d['indicator'])} {_e(d['title'])} {_e(d['entity'])} {_e(d['record'])}: "
                   f"{_e(d['value_text'])} ({_e(d['target_text'])})</li>" for d in missed)
        out.append("</ul>")
    return "".join(out)
