"""The end of the text report: a short summary a person reads first, and what to try next.

Takes the reports of one run and the report options; gives lines of text:

- :func:`in_short`: per spec, the records judged, how many items (or rules) a record
  meets on average, the items and rules most often not met, and the binding
  indicators off target at the top levels (city, districts);
- :func:`next_steps`: one line of commands to try next, built from this run (its
  spec, data files, a failed rule and a record that fails it);
- :func:`result_line`: the closing line, counting things as what they are (failed
  verdicts of how many rules in how many records; indicator values of how many
  indicators).

Items are those the spec declares (``item 3 "托儿所" { rule ... }``), with their
outcome as :mod:`standardlang.engine.items` rolls it up from the shall rules (an
item in error counts as not met here); a spec without items is counted in rules as
strong as ``--fail-on``.
"""

from __future__ import annotations

import shlex
from collections import Counter
from typing import Any

from standardlang.engine.verdict import Status
from standardlang.reports import (Options, aggregate_levels, colorize, entity_label, failing_attributes,
                                  failing_strengths, indicator_record, is_indicator_failure, meta, record_name, word)

TOP = 3  # items, rules and indicators named in the summary

_EN_PLURALS = {"record": "records", "rule": "rules", "item": "items", "verdict": "verdicts",
               "indicator": "indicators", "value": "values", "community": "communities", "city": "cities",
               "failed verdict": "failed verdicts", "indicator value": "indicator values"}


def plural(n: int, noun: str) -> str:
    """``1 record``, ``2 records`` (English nouns of the report)."""
    return f"{n} {noun if n == 1 else _EN_PLURALS.get(noun, noun + 's')}"


def _n(x: float) -> str:
    """An average to one decimal, halves rounded up (0.25 → 0.3), no trailing zero."""
    from decimal import ROUND_HALF_UP, Decimal

    text = str(Decimal(repr(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return text.rstrip("0").rstrip(".") if "." in text else text


def _outcomes(rep: Any, res: Any, strengths: set[str]) -> tuple[dict[str, Status], bool]:
    """A record's outcome per item of the spec (met, not met, unknown; not applicable left out), and
    whether these are items; for a spec without items, per rule as strong as ``--fail-on``."""
    items = [i for i in rep.spec.checked.items if i.entity == res.entity]
    if items:
        from standardlang.engine.items import record_items

        got = {r.id: r.status for r in record_items(items, res.verdicts, res.record_id)}
        are_items = True
    else:
        got = {v.rule.id: v.status for v in res.verdicts if v.rule.strength in strengths}
        are_items = False
    out = {}
    for unit, status in got.items():
        if status is not Status.NOT_APPLICABLE:
            out[unit] = Status.FAIL if status is Status.ERROR else status
    return out, are_items


def _level_lines(rep: Any, entity: str, results: list[Any], o: Options) -> list[str]:
    zh = o.lang == "zh"
    strengths = failing_strengths(o.fail_on) or {"shall"}
    met = unknown = total = all_met = 0
    not_met: Counter = Counter()
    are_items = False
    for res in results:
        outcomes, are_items = _outcomes(rep, res, strengths)
        met += sum(1 for s in outcomes.values() if s is Status.PASS)
        unknown += sum(1 for s in outcomes.values() if s is Status.UNKNOWN)
        total += len(outcomes)
        all_met += all(s is Status.PASS for s in outcomes.values())
        not_met.update(u for u, s in outcomes.items() if s is Status.FAIL)
    n = len(results)
    if not total:
        return []
    label = entity_label(rep.spec, entity, o.lang)
    what = ("项" if are_items else "条条款") if zh else ("items" if are_items else "rules")
    strength = "" if are_items or strengths == {"shall"} else ("(应、宜)" if zh else " (shall and should)")
    if zh:
        lines = [f"{rep.spec.name}:判定 {n} 个{label};平均每个满足 {_n(met / n)} / {_n(total / n)} {what}{strength}"
                 f"(未知 {_n(unknown / n)});全部满足的 {all_met} 个"]
    else:
        rec = rep.spec.entities.get(entity)
        head = f"{rep.spec.name}: {plural(n, entity)}" + (f" ({rec.label})" if rec is not None and rec.label else "")
        lines = [f"{head} judged; on average {_n(met / n)} of {_n(total / n)} applicable {what}{strength} met "
                 f"({_n(unknown / n)} unknown); {all_met} of {n} meet all"]
    worst = not_met.most_common(TOP)
    if worst and are_items:
        titles = {i.id: i.title for i in rep.spec.checked.items}
        parts = [f"{u} {titles.get(u) or ''} ({c})".replace("  ", " ") for u, c in worst]
        parts[0] = parts[0][:-1] + (" 个)" if zh else f" {'record' if worst[0][1] == 1 else 'records'})")
        lines.append(("  最常未满足的项:" if zh else "  items most often not met: ") + ", ".join(parts))
    failed = Counter(v.rule.id for res in results for v in res.verdicts
                     if v.status is Status.FAIL and v.rule.strength in strengths)
    if failed:
        titles = {r.id: r.title for r in rep.spec.rules}
        parts = [f"{rid} {titles.get(rid) or ''} ({c})".replace("  ", " ") for rid, c in failed.most_common(TOP)]
        lines.append(("  最常未通过的条款:" if zh else "  rules most often failed: ") + ", ".join(parts))
    return lines


def _indicator_lines(rep: Any, o: Options) -> list[str]:
    zh = o.lang == "zh"
    top_levels = set(aggregate_levels(rep.spec)[:2])
    off: dict[str, list[Any]] = {}
    for res in rep.indicators:
        if res.entity in top_levels and is_indicator_failure(res, o.fail_on if o.fail_on != "never" else "shall"):
            off.setdefault(res.indicator.id, []).append(res)
    if not off:
        if any(i.attribute in failing_attributes(o.fail_on) for i in rep.spec.indicators):
            return [f"{rep.spec.name}: " + ("城市与区级约束性指标均未见未达标" if zh
                                             else "no binding indicator is off target at the top levels")]
        return []
    parts = []
    for results in list(off.values())[:TOP + 2]:
        ind = results[0].indicator
        where = ", ".join(f"{record_name(indicator_record(rep, r), r.record_id)} {r.value_text}"
                          for r in results[:TOP])
        more = f" … +{len(results) - TOP}" if len(results) > TOP else ""
        parts.append(f"{ind.id} {ind.title or ''} ({results[0].target_text}): {where}{more}".replace("  ", " "))
    n = len(off)
    kind = "约束性" if o.fail_on != "should" else ""
    head = (f"{rep.spec.name}:{n} 项{kind}指标在市、区层级未达标:" if zh
            else f"{rep.spec.name}: {n} {'binding ' if kind else ''}{'indicator' if n == 1 else 'indicators'} "
                 "off target at the top levels: ")
    return [head + ("; " if not zh else ";").join(parts)]


def in_short(reports: list[Any], o: Options) -> list[str]:
    """The summary a person reads first: what was judged and how it fared, per spec."""
    lines: list[str] = []
    for rep in reports:
        by_entity: dict[str, list[Any]] = {}
        for res in rep.results:
            by_entity.setdefault(res.entity, []).append(res)
        for entity, results in by_entity.items():
            lines.extend(_level_lines(rep, entity, results, o))
        lines.extend(_indicator_lines(rep, o))
    if not lines:
        return []
    return [colorize("概要" if o.lang == "zh" else "in short", None, o.color, True)] + ["  " + x for x in lines]


def next_steps(reports: list[Any], o: Options) -> str:
    """One line of what to try next, with this run's own spec, data and a failure to explain."""
    specs = [str(r.spec.path) for r in reports if r.spec.path]
    files = list(dict.fromkeys(f for r in reports for f in meta(r).files))
    if not specs or not files:
        return ""
    data = " ".join(shlex.quote(f) for f in files)
    html = "--format html -o report.html"
    explain = ""
    strengths = failing_strengths(o.fail_on) or {"shall"}
    for rep in reports:
        counts = Counter(v.rule.id for v in rep.verdicts if v.status is Status.FAIL and v.rule.strength in strengths)
        worst = counts.most_common(1)[0][0] if counts else None
        failed = next((v for v in rep.verdicts if v.rule.id == worst and v.status is Status.FAIL and v.record_id),
                      None)
        if failed is not None and rep.spec.path:
            explain = (f"standardlang explain {shlex.quote(str(rep.spec.path))} {shlex.quote(failed.rule.id)} "
                       f"--data {data} --record {shlex.quote(str(failed.record_id))}")
            break
    if o.lang == "zh":
        parts = [f"网页报告:加 {html}"] + ([f"查看原因:{explain}"] if explain else []) + ["英文报告:--lang en"]
        return "下一步:" + " · ".join(parts)
    parts = [f"a page to browse: add {html}"] + ([f"why: {explain}"] if explain else []) + ["in Chinese: --lang zh"]
    return "try next: " + " · ".join(parts)


def result_line(reports: list[Any], o: Options) -> str:
    """The closing line: what fails the run under ``--fail-on``, each count named as what it counts."""
    if o.fail_on == "never":
        return word("fail_on_never", o.lang)
    strengths = failing_strengths(o.fail_on)
    bad = [v for r in reports for v in r.verdicts
           if v.status in (Status.FAIL, Status.ERROR) and v.rule.strength in strengths]
    fails = [v for v in bad if v.status is Status.FAIL]
    errors = len(bad) - len(fails)
    inds = [i for r in reports for i in r.indicators if is_indicator_failure(i, o.fail_on)]
    if not (bad or inds):
        return colorize(word("result_ok", o.lang), Status.PASS, o.color)
    rules = len({(v.rule.id, id(v.rule)) for v in fails})
    records = len({id(v.record) for v in fails})
    kinds = len({id(i.indicator) for i in inds})
    has_indicators = any(r.spec.indicators for r in reports)
    if o.lang == "zh":
        attrs = "约束性" if o.fail_on == "shall" else "约束性和预期性"
        text = (f"未通过(--fail-on {o.fail_on}):{len(fails)} 个不通过的结论(涉及 {rules} 条条款、{records} 条记录),"
                f"{errors} 个结论因数据错误未能判定")
        if has_indicators:
            text += f",{len(inds)} 个指标值未达标" + (f"(涉及 {kinds} 项{attrs}指标,各层级合计)" if inds else "")
    else:
        which = "binding" if o.fail_on == "shall" else "binding or expected"
        text = (f"FAILED (--fail-on {o.fail_on}): {plural(len(fails), 'failed verdict')} "
                f"(of {plural(rules, 'rule')} in {plural(records, 'record')}), {plural(errors, 'verdict')} in error")
        if has_indicators and not inds:
            text += ", no indicator value off target"
        elif has_indicators:
            text += (f", {plural(len(inds), 'indicator value')} off target (of {kinds} {which} "
                     f"{'indicator' if kinds == 1 else 'indicators'}, at every level)")
    return colorize(text, Status.FAIL, o.color)
