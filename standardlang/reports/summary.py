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
from standardlang.lang.vocabulary import EN_PLURALS, counted
from standardlang.reports import (Options, aggregate_levels, colorize, failing_attributes,
                                  failing_strengths, indicator_record, is_indicator_failure, meta, record_name, word)

TOP = 3  # items, rules and indicators named in the summary

def plural(n: int, noun: str) -> str:
    """``1 record``, ``2 records`` (English nouns, such as an entity's name)."""
    return f"{n} {noun if n == 1 else _plural_noun(noun)}"


def _plural_noun(noun: str) -> str:
    return EN_PLURALS.get(noun, noun + "s")


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
    lang = o.lang
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
    rec = rep.spec.entities.get(entity)
    label = rec.label if rec is not None and rec.label else ""
    what = word("level_items" if are_items else "level_rules", lang)
    strength = "" if are_items or strengths == {"shall"} else word("shall_and_should", lang)
    lines = [word("level_line", lang).format(
        spec=rep.spec.name, judged=counted(n, "entity", lang, noun=entity, nouns=_plural_noun(entity)),
        label=word("level_label" if label else "level_no_label", lang).format(label=label, entity=entity),
        met=_n(met / n), total=_n(total / n), what=what, strength=strength, unknown=_n(unknown / n),
        all_met=all_met, n=n)]
    worst = not_met.most_common(TOP)
    if worst and are_items:
        titles = {i.id: i.title for i in rep.spec.checked.items}
        parts = [f"{u} {titles.get(u) or ''} ({counted(c, 'times', lang) if not i else c})".replace("  ", " ")
                 for i, (u, c) in enumerate(worst)]
        lines.append(word("items_not_met", lang).format(parts=", ".join(parts)))
    failed = Counter(v.rule.id for res in results for v in res.verdicts
                     if v.status is Status.FAIL and v.rule.strength in strengths)
    if failed:
        titles = {r.id: r.title for r in rep.spec.rules}
        parts = [f"{rid} {titles.get(rid) or ''} ({c})".replace("  ", " ") for rid, c in failed.most_common(TOP)]
        lines.append(word("rules_failed", lang).format(parts=", ".join(parts)))
    return lines


def _indicator_lines(rep: Any, o: Options) -> list[str]:
    top_levels = set(aggregate_levels(rep.spec)[:2])
    off: dict[str, list[Any]] = {}
    for res in rep.indicators:
        if res.entity in top_levels and is_indicator_failure(res, o.fail_on if o.fail_on != "never" else "shall"):
            off.setdefault(res.indicator.id, []).append(res)
    if not off:
        if any(i.attribute in failing_attributes(o.fail_on) for i in rep.spec.indicators):
            return [word("no_indicator_off", o.lang).format(spec=rep.spec.name)]
        return []
    parts = []
    for results in list(off.values())[:TOP + 2]:
        ind = results[0].indicator
        where = ", ".join(f"{record_name(indicator_record(rep, r), r.record_id)} {r.value_text_in(o.lang)}"
                          for r in results[:TOP])
        more = f" … +{len(results) - TOP}" if len(results) > TOP else ""
        parts.append(f"{ind.id} {ind.title or ''} ({results[0].target_text}): {where}{more}".replace("  ", " "))
    kind = "binding_indicator" if o.fail_on != "should" else "indicator"
    return [word("indicators_off", o.lang).format(spec=rep.spec.name, indicators=counted(len(off), kind, o.lang),
                                                  parts=word("list_sep", o.lang).join(parts))]


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
    return [colorize(word("in_short", o.lang), None, o.color, True)] + ["  " + x for x in lines]


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
    parts = ([word("next_html", o.lang).format(html=html)]
             + ([word("next_why", o.lang).format(command=explain)] if explain else []) + [word("next_lang", o.lang)])
    return word("next_steps", o.lang).format(parts=" · ".join(parts))


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
    lang = o.lang
    text = word("failed_run", lang).format(
        fail_on=o.fail_on, fails=counted(len(fails), "failed_verdict", lang), rules=counted(rules, "rule", lang),
        records=counted(records, "record", lang), errors=counted(errors, "verdict", lang))
    if has_indicators and not inds:
        text += word("no_indicator_value_off", lang)
    elif has_indicators:
        which = "binding_indicator" if o.fail_on == "shall" else "binding_or_expected_indicator"
        text += word("indicator_values_off", lang).format(values=counted(len(inds), "indicator_value", lang),
                                                          kinds=counted(kinds, which, lang))
    return colorize(text, Status.FAIL, o.color)
