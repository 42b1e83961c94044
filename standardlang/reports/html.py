"""The HTML report: one self-contained page for people to read verdicts in.

Takes one or more :class:`~standardlang.engine.program.Report` objects (one per spec);
gives one HTML document as a string that opens offline: inline CSS and vanilla
JS, no fonts, images or scripts from anywhere else.  The data sits in a
``<script type="application/json">`` tag with ``<``, ``>`` and ``&`` escaped, so
spec text and record values (untrusted) cannot close the tag, and the script
writes them into the page as text only (never as HTML).

The page has, for each spec, a matrix of records × rules coloured by verdict
(requirements solid, recommendations hatched), rows grouped by district and
columns by item of the standard (each item's outcome first, under its title; by goal
for rules outside items), an item summary per district and for all records, counts per strength and status, filters (district, goal,
strength, status), a side panel with the explanation of the clicked cell, and
the indicators as target-versus-actual bars.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any, Sequence

import attrs

from standardlang.engine.items import record_items
from standardlang.engine.program import Report
from standardlang.lang import vocabulary

__all__ = ["render_html"]

_CODE = {"pass": "p", "fail": "f", "unknown": "u", "not_applicable": "n", "error": "e"}
_ENTITY_RANK = {"city": 0, "district": 1, "subdistrict": 2, "community": 3}
_GROUP_FIELDS = ("district", "subdistrict")

I18N: dict[str, dict[str, str]] = vocabulary.HTML_WORDS
#: the language's own words the page's script needs, sent as data with the report
_VOCABULARY = {"statuses": vocabulary.STATUS_ORDER, "symbols": vocabulary.STATUS_SYMBOLS,
               "strengths": vocabulary.STRENGTH_ORDER, "attributes": vocabulary.ATTRIBUTE_ORDER}


def render_html(reports: Sequence[Report], *, lang: str = "zh", title: str | None = None) -> str:
    """One self-contained HTML page for ``reports`` (one section per spec).

    Args:
        reports: the reports to show, e.g. ``[spec.evaluate(records), ...]``.
        lang: ``"zh"`` (default) or ``"en"`` for the page's own words.
        title: the page title (default: the spec's title when there is one report).
    """
    if lang not in I18N:
        raise ValueError(f"lang must be one of {sorted(I18N)}, not {lang!r}")
    words = {**I18N[lang], "_lang": lang}  # explanations in the page's language
    reports = list(reports)
    if title is None:
        title = reports[0].spec.title if len(reports) == 1 else I18N[lang]["title"]
    data = {"lang": lang, "title": title, "i18n": I18N[lang], "vocabulary": _VOCABULARY,
            "reports": [_report_data(r, words) for r in reports]}
    parts = {"LANG": "zh-CN" if lang == "zh" else "en", "TITLE": html.escape(title), "CSS": _CSS, "JS": _JS,
             "DATA": _json_for_script(data)}
    return re.sub(r"@@(LANG|TITLE|CSS|JS|DATA)@@", lambda m: parts[m.group(1)], _PAGE)


def _json_for_script(data: Any) -> str:
    """JSON that is inert inside <script>: no '<', '>' or '&' can end or comment the tag."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _report_data(report: Report, words: dict[str, str]) -> dict:
    spec = report.spec
    texts: list[str] = []
    text_ids: dict[str, int] = {}

    def text_id(s: str) -> int:
        if s not in text_ids:
            text_ids[s] = len(texts)
            texts.append(s)
        return text_ids[s]

    by_entity: dict[str, list] = {}
    for res in report.results:
        by_entity.setdefault(res.entity, []).append(res)
    tables = [_table_data(spec, entity, results, text_id, words) for entity, results in by_entity.items()]
    return {"name": spec.name, "title": spec.title, "source": spec.checked.meta.get("source"),
            "summary": report.summary(), "tables": tables, "texts": texts,
            "indicators": _indicator_data(report, words.get("_lang", "en")), "items": _item_summary_data(report)}


def _table_data(spec, entity: str, results: list, text_id, words: dict[str, str]) -> dict:
    rtype = spec.entities.get(entity)
    present = {v.rule.id for res in results for v in res.verdicts}
    rules = [r for r in spec.rules if r.entity == entity and r.id in present]
    goals: list[dict] = []  # the column groups: the items of the standard, else the goals
    goal_index: dict[str, int] = {}
    items = {i.id: i for i in spec.checked.items if i.entity == entity}
    for r in rules:
        key = _column_group(r, items)
        if key not in goal_index:
            goal_index[key] = len(goals)
            goals.append({"id": r.item_id, "title": r.item_title, "item": True} if key.startswith("item:")
                         else {"id": r.goal_id, "title": r.goal_title})
    rules.sort(key=lambda r: goal_index[_column_group(r, items)])  # stable: source order within a group
    column = {r.id: i for i, r in enumerate(rules)}
    group_field = next((f for f in _GROUP_FIELDS if (rtype is not None and f in rtype.fields)
                        or any(isinstance(res.record, dict) and f in res.record for res in results)), None)
    rows = []
    for res in results:
        codes = ["."] * len(rules)
        texts = [-1] * len(rules)
        for v in res.verdicts:
            i = column[v.rule.id]
            codes[i] = _CODE[v.status.value]
            exp = attrs.evolve(v.explanation(words.get("_lang", "en")), cites=(), readings=(), record_id=None)
            texts[i] = text_id(exp.render())
        record = res.record if isinstance(res.record, dict) else {}
        group = record.get(group_field) if group_field else None
        outcomes = {ir.id: ir.status.value for ir in record_items(items.values(), res.verdicts, res.record_id)}
        rows.append({"id": res.record_id, "name": _text(record.get("name")),
                     "group": _text(group), "s": "".join(codes), "x": texts,
                     "i": "".join(_CODE[outcomes[g["id"]]] if g.get("item") and g["id"] in outcomes else "."
                                  for g in goals)})
    order: dict[Any, int] = {}
    for row in rows:
        order.setdefault(row["group"], len(order))
    rows.sort(key=lambda row: order[row["group"]])  # grouped by district, input order within
    field = rtype.fields.get(group_field) if (rtype is not None and group_field) else None
    return {"entity": entity, "label": (rtype.label if rtype is not None else None) or entity,
            "group_label": (field.label if field is not None else None) or words.get(group_field or "", group_field),
            "goals": goals, "rows": rows,
            "rules": [{"id": r.id, "title": r.title, "goal": goal_index[_column_group(r, items)], "strength": r.strength,
                       "cites": list(r.cites) + [c for a in r.alternatives for c in a.cites],
                       "readings": list(r.readings) + [x for a in r.alternatives for x in a.readings]}
                      for r in rules]}


def _column_group(rule: Any, items: dict) -> str:
    return f"item:{rule.item_id}" if rule.item_id in items else f"goal:{rule.goal_id}"


def _item_summary_data(report: Report) -> list[dict]:
    """Per item: its title and, for all records and per district, the counts of outcomes."""
    groups = report.item_summary()
    if not groups:
        return []
    names = [""] + sorted(g for g in groups if g)
    by_group = {g: {s.item.id: s.counts for s in groups[g]} for g in names}
    return [{"id": s.item.id, "title": s.item.title,
             "groups": [{"group": g, "counts": by_group[g].get(s.item.id, {})} for g in names]}
            for s in groups[""]]


def _indicator_data(report: Report, lang: str = "en") -> list[dict]:
    spec = report.spec
    out: dict[str, dict] = {}
    for ind in spec.indicators:
        out[ind.id] = {"id": ind.id, "title": ind.title, "attribute": ind.attribute, "deadline": ind.deadline,
                       "cites": list(ind.cites), "readings": list(ind.readings), "results": []}
    for res in report.indicators:
        item = out[res.indicator.id]
        d = res.to_dict()
        item.update(op=d["op"], target=_number(res.indicator.target.value), target_text=d["target_text"])
        rtype = spec.entities.get(res.entity)
        record = _indicator_record(report, res)
        item["results"].append({"name": _text(record.get("name")) if isinstance(record, dict) else None,
            "entity": res.entity, "entity_label": (rtype.label if rtype is not None else None) or res.entity,
            "rank": _ENTITY_RANK.get(res.entity, 9), "record": res.record_id, "value": _number(res.value),
            "value_text": res.value_text_in(lang), "status": d["status"], "error": res.error})
    for item in out.values():
        item["results"].sort(key=lambda x: x["rank"])
    return [item for item in out.values() if item["results"]]


def _indicator_record(report: Report, result: Any) -> Any:
    """The record an indicator value is about, for its name: known when ``check`` made the report
    (``indicator_record`` gives None when it is not)."""
    from standardlang.reports import indicator_record

    return indicator_record(report, result)


def _number(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _text(v: Any) -> str | None:
    return None if v is None else str(v)


_PAGE = """<!DOCTYPE html>
<html lang="@@LANG@@">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>@@TITLE@@</title>
<style>@@CSS@@</style>
</head>
<body>
<header class="top"><h1 id="sl-title">@@TITLE@@</h1><nav id="sl-nav"></nav></header>
<main id="sl-main"></main>
<aside id="sl-panel" class="panel" hidden><button type="button" class="close" id="sl-close">×</button><div id="sl-panel-body"></div></aside>
<script type="application/json" id="sl-data">@@DATA@@</script>
<script>@@JS@@</script>
</body>
</html>
"""

_CSS = """
:root{--pass:#2e9d52;--fail:#d63c3c;--unknown:#e0a526;--na:#c9ced6;--error:#6b3fa0;--ink:#1f2933;--mute:#66707c;
--line:#dde2e8;--bg:#f6f7f9;font-family:system-ui,"Noto Sans CJK SC","Source Han Sans SC","PingFang SC",
"Microsoft YaHei",sans-serif;color:var(--ink);background:var(--bg)}
body{margin:0;font-size:14px}
.top{background:#1f3a5f;color:#fff;padding:10px 20px}
.top h1{margin:0;font-size:20px}
.top nav a{color:#cfe0f5;margin-right:16px;font-size:13px}
main{padding:8px 20px 40px}
section.spec{background:#fff;border:1px solid var(--line);border-radius:6px;margin:14px 0;padding:12px 16px}
section.spec h2{margin:4px 0;font-size:18px}
.src{color:var(--mute);font-size:12px;margin:0 0 8px}
.filters{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.filters select{font:inherit;padding:3px 6px}
.summary{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start;margin:6px 0}
table.counts{border-collapse:collapse;font-size:12px}
table.counts th,table.counts td{border:1px solid var(--line);padding:2px 8px;text-align:right}
table.counts th{background:var(--bg);font-weight:600}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;align-items:center;max-width:640px}
.legend span.sw{display:inline-block;width:16px;height:16px;vertical-align:middle;margin-right:4px;
border:1px solid #fff;outline:1px solid var(--line)}
.hint{color:var(--mute);font-size:12px}
.scroll{overflow:auto;max-height:78vh;border:1px solid var(--line);margin:6px 0;position:relative}
table.mx{border-collapse:separate;border-spacing:0;font-size:12px}
table.mx th,table.mx td{border-right:1px solid #fff;border-bottom:1px solid #fff;padding:0}
table.mx thead th{position:sticky;background:#eef1f5;z-index:2}
table.mx thead tr.g th{top:0;height:26px;max-width:0;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;
padding:0 4px;text-align:left;border-left:2px solid #fff;font-weight:600}
table.mx thead tr.r th{top:26px;height:112px;width:22px;min-width:22px;vertical-align:bottom;cursor:help}
table.mx thead tr.r th div{writing-mode:vertical-rl;transform:rotate(180deg);max-height:106px;overflow:hidden;
white-space:nowrap;text-overflow:ellipsis;margin:0 auto;padding:3px 0;font-weight:500}
table.mx thead tr.r th div.t{transform:none}
table.mx thead tr.r th.k-should div,table.mx thead tr.r th.k-may div{font-style:italic;color:var(--mute)}
table.mx th.corner{left:0;z-index:4;text-align:left;vertical-align:bottom;padding:4px 6px;min-width:200px}
table.mx th.rh{position:sticky;left:0;z-index:1;background:#fff;text-align:left;font-weight:normal;
padding:0 6px;min-width:200px;max-width:240px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;
border-right:1px solid var(--line);height:22px}
th.rh b{font-weight:600;margin-right:4px}
th.rh .bad{float:right;color:var(--fail);font-weight:600;margin-left:6px}
tr.grp th{background:#dfe6ee;text-align:left;padding:3px 6px;font-weight:600}
tr.grp th span{position:sticky;left:6px}
td.io{outline:2px solid var(--ink);outline-offset:-3px;cursor:default}
th.io div{writing-mode:vertical-rl;font-weight:700}
td.c{width:22px;min-width:22px;height:22px;text-align:center;cursor:pointer;color:#fff;font-weight:700;
line-height:22px}
td.c:hover{outline:2px solid var(--ink);outline-offset:-2px}
td.gs{border-left:2px solid #fff}
.s-pass{background:var(--pass)}.s-fail{background:var(--fail)}.s-unknown{background:var(--unknown)}
.s-not_applicable{background:var(--na);color:#59616b!important}.s-error{background:var(--error)}
.s-none{background:#fafafa}
.k-should.c,.k-should.sw,.k-may.c,.k-may.sw{background-image:repeating-linear-gradient(135deg,
rgba(255,255,255,.55) 0 3px,transparent 3px 6px)}
.k-may.c,.k-may.sw{background-image:repeating-linear-gradient(135deg,rgba(255,255,255,.7) 0 4px,transparent 4px 6px)}
.k-should.c,.k-may.c{color:var(--ink)}
td.dim{opacity:.18}
td.sel{outline:3px solid var(--ink);outline-offset:-3px}
.empty{padding:12px;color:var(--mute)}
.panel{position:fixed;top:0;right:0;bottom:0;width:min(480px,92vw);background:#fff;z-index:10;overflow:auto;
box-shadow:-4px 0 18px rgba(0,0,0,.18);padding:14px 18px;box-sizing:border-box}
.panel .close{position:absolute;top:8px;right:10px;font-size:22px;border:0;background:none;cursor:pointer}
.panel h3{margin:2px 28px 8px 0;font-size:16px}
.panel dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:0 0 10px;font-size:13px}
.panel dt{color:var(--mute)}.panel dd{margin:0}
.panel blockquote{margin:4px 0;padding:6px 10px;border-left:4px solid #1f3a5f;background:#f1f4f8}
.panel pre{white-space:pre-wrap;background:#f6f7f9;padding:8px;font-size:12px;border:1px solid var(--line)}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;margin-right:6px}
.badge.s-not_applicable{color:var(--ink)}
.ind h3{margin:14px 0 4px;font-size:15px}
.card{border:1px solid var(--line);border-radius:5px;padding:8px 10px;margin:8px 0}
.card .head{display:flex;justify-content:space-between;gap:10px;font-weight:600;cursor:pointer}
.card .meta{color:var(--mute);font-size:12px;font-weight:normal;white-space:nowrap}
.bar{display:grid;grid-template-columns:170px 1fr 120px;gap:8px;align-items:center;font-size:12px;margin:3px 0}
.bar .track{position:relative;height:14px;background:#eef1f5;border-radius:3px}
.bar .fill{position:absolute;left:0;top:0;bottom:0;border-radius:3px}
.bar .mark{position:absolute;top:-3px;bottom:-3px;width:2px;background:var(--ink)}
.bar .val{font-variant-numeric:tabular-nums}
details summary{cursor:pointer;color:var(--mute);font-size:12px}
"""

_JS = r"""
(function () {
"use strict";
var D = JSON.parse(document.getElementById("sl-data").textContent);
var T = D.i18n;
var V = D.vocabulary;  // the words of the language, as data from standardlang.lang.vocabulary
var STATUSES = V.statuses;
var CODE = {p: "pass", f: "fail", u: "unknown", n: "not_applicable", e: "error", ".": "none"};
var SYM = Object.assign({none: ""}, V.symbols);
var STRENGTHS = V.strengths;
var panel = document.getElementById("sl-panel"), panelBody = document.getElementById("sl-panel-body");

function el(tag, attrs, text) {
  var e = document.createElement(tag);
  if (attrs) for (var k in attrs) { if (k === "class") e.className = attrs[k]; else e.setAttribute(k, attrs[k]); }
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}
function add(parent, child) { parent.appendChild(child); return child; }
function option(sel, value, label) { add(sel, el("option", {value: value}, label)); }
function label(id, title) { return title ? id + " " + title : id; }

function section(R, si) {
  var sec = el("section", {"class": "spec", id: "spec-" + si, "data-spec": R.name});
  add(sec, el("h2", null, R.title || R.name));
  if (R.source) add(sec, el("p", {"class": "src"}, T.source + ": " + R.source));
  add(document.getElementById("sl-nav"), el("a", {href: "#spec-" + si}, R.title || R.name));
  var state = {group: "", goal: "", strength: "", status: ""};
  var groups = [], goals = [], byItem = false;
  R.tables.forEach(function (t) {
    t.rows.forEach(function (r) { var g = r.group === null ? "" : r.group; if (groups.indexOf(g) < 0) groups.push(g); });
    t.goals.forEach(function (g) { var k = label(g.id, g.title); if (goals.indexOf(k) < 0) goals.push(k); if (g.item) byItem = true; });
  });
  if (R.tables.length) {
    var bar = add(sec, el("div", {"class": "filters"}));
    var fs = {
      group: [["", T.all_districts]].concat(groups.map(function (g) { return [g, g || T.no_group]; })),
      goal: [["", byItem ? T.all_items : T.all_goals]].concat(goals.map(function (g) { return [g, g]; })),
      strength: [["", T.all_strengths], ["shall", T.requirements], ["rec", T.recommendations]],
      status: [["", T.all_statuses]].concat(STATUSES.map(function (s) { return [s, T[s]]; }))
    };
    Object.keys(fs).forEach(function (key) {
      var sel = add(bar, el("select", {"data-filter": key, "aria-label": key}));
      fs[key].forEach(function (o) { option(sel, o[0], o[1]); });
      sel.addEventListener("change", function () { state[key] = sel.value; draw(); });
    });
    var summary = add(sec, el("div", {"class": "summary"}));
    var counts = add(summary, el("table", {"class": "counts", "data-role": "counts"}));
    legend(add(summary, el("div", {"class": "legend"})));
    var shown = add(sec, el("p", {"class": "hint"}));
    var boxes = R.tables.map(function (t, ti) {
      if (R.tables.length > 1) add(sec, el("h3", null, t.label));
      var box = add(sec, el("div", {"class": "scroll"}));
      box.addEventListener("click", function (ev) {
        var td = ev.target.closest("td.c:not(.io)");
        if (td) { var old = document.querySelector("td.sel"); if (old) old.classList.remove("sel");
          td.classList.add("sel"); openVerdict(R, t, +td.dataset.r, +td.dataset.c); }
        var th = ev.target.closest("th[data-rule]");
        if (th) openRule(t, t.rules[+th.dataset.rule]);
      });
      return box;
    });
  }
  function draw() {
    var tally = {}, nrows = 0, ncols = 0;
    STRENGTHS.forEach(function (k) { tally[k] = {}; STATUSES.forEach(function (s) { tally[k][s] = 0; }); });
    R.tables.forEach(function (t, ti) {
      var cols = [];
      t.rules.forEach(function (rule, i) {
        if (state.goal && label(t.goals[rule.goal].id, t.goals[rule.goal].title) !== state.goal) return;
        if (state.strength === "shall" && rule.strength !== "shall") return;
        if (state.strength === "rec" && rule.strength === "shall") return;
        cols.push(i);
      });
      var rows = [];
      t.rows.forEach(function (r, i) {
        if (state.group && (r.group === null ? "" : r.group) !== state.group) return;
        if (state.status && !cols.some(function (c) { return CODE[r.s[c]] === state.status; })) return;
        rows.push(i);
      });
      rows.forEach(function (i) { cols.forEach(function (c) {
        var s = CODE[t.rows[i].s[c]]; if (s !== "none") tally[t.rules[c].strength][s] += 1; }); });
      nrows += rows.length; ncols += cols.length;
      matrix(t, ti, cols, rows, boxes[ti]);
    });
    countsTable(counts, tally);
    shown.textContent = T.rows_shown + " " + nrows + " \u00b7 " + T.rules_shown + " " + ncols + " \u00b7 " + T.click_hint;
  }
  function matrix(t, ti, cols, rows, box) {
    var tbl = el("table", {"class": "mx", "data-entity": t.entity});
    var head = add(tbl, el("thead")), g = add(head, el("tr", {"class": "g"})), rr = add(head, el("tr", {"class": "r"}));
    add(g, el("th", {"class": "corner", rowspan: "2"}, t.label + (t.group_label ? " / " + t.group_label : "")));
    var prevGoal = -1, gth = null;
    cols.forEach(function (c) {
      var rule = t.rules[c], goal = t.goals[rule.goal];
      if (rule.goal !== prevGoal) {
        gth = add(g, el("th", {title: label(goal.id, goal.title), "data-goal": goal.id}, label(goal.id, goal.title)));
        gth.dataset.n = "0"; prevGoal = rule.goal;
        if (goal.item) {  // the item's outcome, before its rules
          gth.dataset.n = "1";
          add(add(rr, el("th", {"class": "io", title: T.item_outcome, "data-item": goal.id})), el("div", null, T.item_short));
        }
      }
      gth.dataset.n = String(+gth.dataset.n + 1);
      gth.colSpan = +gth.dataset.n;
      var th = add(rr, el("th", {"class": "k-" + rule.strength, "data-rule": String(c), "data-rule-id": rule.id,
        title: label(rule.id, rule.title) + " [" + T[rule.strength] + "]"}));
      // in Chinese the column reads as the rule's title (top to bottom), its id on hover
      if (D.lang === "zh" && rule.title) add(th, el("div", {"class": "t"}, rule.title));
      else add(th, el("div", null, rule.id));
    });
    var body = add(tbl, el("tbody")), prev = null;
    rows.forEach(function (i) {
      var r = t.rows[i];
      if (r.group !== prev && t.group_label) {
        var n = rows.filter(function (j) { return t.rows[j].group === r.group; }).length;
        var gr = add(body, el("tr", {"class": "grp"}));
        add(add(gr, el("th", {colspan: String(cols.length + 1)})), el("span", null,
          (r.group === null ? T.no_group : r.group) + " (" + n + ")"));
        prev = r.group;
      }
      var tr = add(body, el("tr", {"data-record": r.id}));
      var rh = add(tr, el("th", {"class": "rh", title: r.id + (r.name ? " " + r.name : "")}));
      var bad = cols.filter(function (c) { return r.s[c] === "f" && t.rules[c].strength === "shall"; }).length;
      if (bad) add(rh, el("span", {"class": "bad", title: T.fail + " (" + T.shall + ")"}, "\u2717" + bad));
      add(rh, el("b", null, r.id)); if (r.name) rh.appendChild(document.createTextNode(r.name));
      var prevG = -1;
      cols.forEach(function (c) {
        var s = CODE[r.s[c]], rule = t.rules[c];
        var cls = "c s-" + s + " k-" + rule.strength + (rule.goal !== prevG ? " gs" : "");
        if (state.status && s !== state.status) cls += " dim";
        if (rule.goal !== prevG && t.goals[rule.goal].item) {
          var o = CODE[r.i[rule.goal]]; if (!o || o === "none") o = "not_applicable";
          add(tr, el("td", {"class": "c io gs s-" + o + " k-shall", "data-item": t.goals[rule.goal].id, "data-status": o,
            title: label(t.goals[rule.goal].id, t.goals[rule.goal].title) + ": " + T["item_" + o]}, SYM[o]));
          cls = cls.replace(" gs", "");
        }
        prevG = rule.goal;
        add(tr, el("td", {"class": cls, "data-r": String(i), "data-c": String(c), "data-status": s}, SYM[s]));
      });
    });
    box.textContent = "";
    box.appendChild(tbl);
    if (!rows.length) add(box, el("div", {"class": "empty"}, T.no_rows));
  }
  function countsTable(tbl, tally) {
    tbl.textContent = "";
    var h = add(tbl, el("tr")); add(h, el("th", null, T.strength + " \\ " + T.status));
    STATUSES.forEach(function (s) { add(h, el("th", null, SYM[s] + " " + T[s])); });
    add(h, el("th", null, T.total));
    var tot = {}, all = 0;
    STRENGTHS.forEach(function (k) {
      var tr = add(tbl, el("tr")), sum = 0;
      add(tr, el("th", null, T[k]));
      STATUSES.forEach(function (s) { sum += tally[k][s]; tot[s] = (tot[s] || 0) + tally[k][s];
        add(tr, el("td", {"data-count": k + ":" + s}, String(tally[k][s]))); });
      add(tr, el("td", {"data-count": k}, String(sum))); all += sum;
    });
    var tr = add(tbl, el("tr")); add(tr, el("th", null, T.total));
    STATUSES.forEach(function (s) { add(tr, el("td", {"data-count": s}, String(tot[s]))); });
    add(tr, el("td", {"data-count": "all"}, String(all)));
  }
  if (R.tables.length) draw();
  if (R.items.length) itemSummary(sec, R);
  if (R.indicators.length) indicators(sec, R);
  return sec;
}

function itemSummary(sec, R) {
  add(sec, el("h3", null, T.item_summary));
  var tbl = add(sec, el("table", {"class": "counts items", "data-role": "item-summary"}));
  var h = add(tbl, el("tr")); add(h, el("th", null, T.item));
  R.items[0].groups.forEach(function (g) { add(h, el("th", null, g.group || T.all_records)); });
  R.items.forEach(function (it) {
    var tr = add(tbl, el("tr", {"data-item": it.id})); add(tr, el("th", null, label(it.id, it.title)));
    it.groups.forEach(function (g) {
      var c = g.counts, parts = [["pass", "\u2713"], ["fail", "\u2717"], ["unknown", "?"], ["not_applicable", "\u2013"]];
      add(tr, el("td", {"data-group": g.group}, parts.map(function (p) { return p[1] + (c[p[0]] || 0); }).join(" ")
        + (c.error ? " !" + c.error : "")));
    });
  });
}

function legend(box) {
  add(box, el("b", null, T.legend + ":"));
  STATUSES.forEach(function (s) { var i = add(box, el("span")); add(i, el("span", {"class": "sw s-" + s}));
    i.appendChild(document.createTextNode(SYM[s] + " " + T[s])); });
  STRENGTHS.forEach(function (k) { var i = add(box, el("span")); add(i, el("span", {"class": "sw s-pass k-" + k}));
    i.appendChild(document.createTextNode(T[k])); });
}

function openPanel(build) {
  panelBody.textContent = "";
  build(panelBody);
  panel.hidden = false;
  panel.scrollTop = 0;
}
function quotes(box, heading, items, cls) {
  if (!items || !items.length) return;
  add(box, el("h4", null, heading));
  items.forEach(function (c) { add(box, el(cls === "cite" ? "blockquote" : "p", {"class": cls}, c)); });
}
function dl(box, pairs) {
  var d = add(box, el("dl"));
  pairs.forEach(function (p) { if (p[1] !== null && p[1] !== undefined && p[1] !== "") {
    add(d, el("dt", null, p[0])); add(d, el("dd", null, p[1])); } });
}
function openVerdict(R, t, ri, c) {
  var r = t.rows[ri], rule = t.rules[c], s = CODE[r.s[c]], goal = t.goals[rule.goal];
  if (s === "none") return;
  openPanel(function (box) {
    var h = add(box, el("h3"));
    add(h, el("span", {"class": "badge s-" + s, "data-role": "status"}, SYM[s] + " " + T[s]));
    h.appendChild(document.createTextNode(label(rule.id, rule.title)));
    dl(box, [[T.record, r.id + (r.name ? " " + r.name : "")], [t.group_label || "", r.group],
             [T.goal, label(goal.id, goal.title)], [T.strength, T[rule.strength]]]);
    quotes(box, T.cites, rule.cites, "cite");
    quotes(box, T.readings, rule.readings, "reading");
    add(box, el("h4", null, T.explanation));
    add(box, el("pre", {"data-role": "explanation"}, R.texts[r.x[c]]));
  });
}
function openRule(t, rule) {
  openPanel(function (box) {
    add(box, el("h3", null, label(rule.id, rule.title)));
    var goal = t.goals[rule.goal], n = {};
    t.rows.forEach(function (r) { var s = CODE[r.s[t.rules.indexOf(rule)]]; n[s] = (n[s] || 0) + 1; });
    dl(box, [[T.goal, label(goal.id, goal.title)], [T.strength, T[rule.strength]]].concat(
      STATUSES.map(function (s) { return [T[s], n[s] ? String(n[s]) : ""]; })));
    quotes(box, T.cites, rule.cites, "cite");
    quotes(box, T.readings, rule.readings, "reading");
  });
}

function indicators(sec, R) {
  var wrap = add(sec, el("div", {"class": "ind"}));
  V.attributes.forEach(function (attr) {
    var list = R.indicators.filter(function (i) { return i.attribute === attr; });
    if (!list.length) return;
    add(wrap, el("h3", null, T[attr] + " (" + list.length + ")"));
    add(wrap, el("p", {"class": "hint"}, T.bar_hint));
    list.forEach(function (ind) {
      var card = add(wrap, el("div", {"class": "card", "data-indicator": ind.id}));
      var head = add(card, el("div", {"class": "head"}));
      add(head, el("span", null, label(ind.id, ind.title)));
      add(head, el("span", {"class": "meta"}, T.target + " " + ind.target_text +
        (ind.deadline ? " \u00b7 " + T.deadline + " " + ind.deadline : "")));
      head.addEventListener("click", function () { openIndicator(ind, null); });
      var top = ind.results.filter(function (x) { return x.rank <= 1; });  // the scale fits city and districts
      var vals = (top.length ? top : ind.results).map(function (x) { return x.value || 0; }).concat([ind.target || 0]);
      var scale = Math.max.apply(null, vals) * 1.1 || 1;
      var more = null;
      ind.results.forEach(function (x) {
        var parent = card;
        if (x.rank > 1) { if (!more) { more = add(card, el("details")); add(more, el("summary", null, T.others)); } parent = more; }
        var row = add(parent, el("div", {"class": "bar", "data-entity": x.entity, "data-status": x.status}));
        row.addEventListener("click", function () { openIndicator(ind, x); });
        add(row, el("span", null, x.entity_label + " " + (x.name || x.record || "")));
        var track = add(row, el("div", {"class": "track", title: T.value + " " + x.value_text + " / " + T.target + " " + ind.target_text}));
        var fill = add(track, el("div", {"class": "fill s-" + x.status}));
        fill.style.width = Math.max(0, Math.min(100, 100 * (x.value || 0) / scale)) + "%";
        var mark = add(track, el("div", {"class": "mark"}));
        mark.style.left = Math.min(100, 100 * (ind.target || 0) / scale) + "%";
        add(row, el("span", {"class": "val"}, SYM[x.status] + " " + (x.value === null ? T.unknown : x.value_text)));
      });
    });
  });
}
function openIndicator(ind, x) {
  openPanel(function (box) {
    var h = add(box, el("h3"));
    if (x) add(h, el("span", {"class": "badge s-" + x.status, "data-role": "status"}, SYM[x.status] + " " + T[x.status]));
    h.appendChild(document.createTextNode(label(ind.id, ind.title)));
    dl(box, [[T.entity, x ? x.entity_label + " " + (x.record || "") : ""], [T.value, x ? x.value_text : ""],
             [T.target, ind.target_text], [T.deadline, ind.deadline ? String(ind.deadline) : ""],
             [T.strength, T[ind.attribute]], [T.error_msg, x ? x.error : ""]]);
    quotes(box, T.cites, ind.cites, "cite");
    quotes(box, T.readings, ind.readings, "reading");
  });
}

document.getElementById("sl-close").addEventListener("click", function () { panel.hidden = true; });
document.addEventListener("keydown", function (e) { if (e.key === "Escape") panel.hidden = true; });
var main = document.getElementById("sl-main");
D.reports.forEach(function (R, i) { main.appendChild(section(R, i)); });
})();
"""
