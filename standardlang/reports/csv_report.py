"""The CSV report: one row per record × rule, for spreadsheets.

Takes a list of :class:`~standardlang.engine.program.Report` and
:class:`~standardlang.reports.Options`; gives CSV text with the columns
:data:`COLUMNS`: spec, entity, record, rule, title, goal, strength, status,
missing (``;``-separated), a one-line explanation, then ``kind`` (``rule`` or
``indicator``: indicator values follow the rule rows, with the attribute in the
strength column; ``item``: after each record's rule rows, one row per item of the
standard with its outcome, the item number in the rule column, the unknown shall
rules in ``missing`` and the failed ones in the explanation) and ``source`` (file
and row of the record).  Text cells that
a spreadsheet would take for a formula (``=1+1``, ``@SUM(...)``) are prefixed
with ``'`` as OWASP recommends.  Status and
strength words and the explanations are Chinese with ``lang="zh"``; the header
and the ``kind`` column stay English so that tools can read them.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from standardlang.engine.items import outcome_word, record_items
from standardlang.reports import Options, indicator_record, indicator_rows, one_line, record_name, source_of, status_word, word

COLUMNS = ["spec", "entity", "record", "rule", "title", "goal", "strength", "status", "missing", "explanation",
           "kind", "source"]
INDICATOR_COLUMNS = ["spec", "indicator", "title", "attribute", "entity", "record", "name", "value", "target",
                     "status", "deadline", "rank"]


class _Writer:
    """A csv.writer whose text cells cannot start a spreadsheet formula (OWASP's CSV injection advice)."""

    def __init__(self, buf: Any):
        self.w = csv.writer(buf, lineterminator="\n")

    def writerow(self, row: list[Any]) -> None:
        self.w.writerow([neutralise(c) for c in row])


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?%?")


def neutralise(cell: Any) -> Any:
    """A cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR first) gets a
    leading ``'``; plain numbers such as ``-5`` stay numbers."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def _writer(buf: Any) -> Any:
    return _Writer(buf)


def _clean(text: Any) -> str:
    return "" if text is None else " ".join(str(text).split())


def render_csv(reports: list[Any], options: Options | None = None) -> str:
    o = options or Options()
    buf = io.StringIO()
    w = _writer(buf)
    w.writerow(COLUMNS)
    for rep in reports:
        name = rep.spec.name
        for res in rep.results:
            src = source_of(rep, res.record)
            for v in res.verdicts:
                strength = word(v.rule.strength, o.lang) if o.lang == "zh" else v.rule.strength
                w.writerow([name, res.entity, res.record_id, v.rule.id, _clean(v.rule.title), v.rule.goal_id,
                            strength, status_word(v.status, o.lang) if o.lang == "zh" else v.status.value,
                            ";".join(v.missing), _clean(one_line(v, src, lang=o.lang)), "rule", str(src) if src else ""])
            for it in record_items(rep.spec.checked.items, res.verdicts, res.record_id):
                w.writerow([name, res.entity, res.record_id, it.id, _clean(it.title), it.item.goal_id, "",
                             status_word(it.status, o.lang) if o.lang == "zh" else it.status.value,
                             ";".join(it.to_dict()["unknown"]), _item_text(it, o.lang), "item",
                             str(src) if src else ""])
        for i in rep.indicators:
            attribute = word(i.indicator.attribute, o.lang) if o.lang == "zh" else i.indicator.attribute
            text = (word("indicator_value_line", o.lang).format(value=i.value_text_in(o.lang), target=i.target_text)
                    + (f"; {i.error}" if i.error else ""))
            w.writerow([name, i.entity, i.record_id or "", i.indicator.id, _clean(i.indicator.title), "",
                        attribute, status_word(i.status, o.lang) if o.lang == "zh" else i.status.value, "",
                        _clean(text), "indicator", ""])
    return buf.getvalue()


def _item_text(it: Any, lang: str) -> str:
    """An item row's explanation: the outcome word, the shall rules that decide it, should/may beside."""
    d = it.to_dict()
    parts = [outcome_word(it.status, lang)]
    if d["failed"]:
        parts.append(word("failed_label", lang) + ", ".join(d["failed"]))
    if d["unknown"]:
        parts.append(word("unknown_label", lang) + ", ".join(d["unknown"]))
    for strength in ("should", "may"):
        counts = it.beside(strength)
        if counts:
            parts.append(f"{word(strength, lang)} " + " ".join(f"{status_word(k, lang)} {n}"
                                                             for k, n in sorted(counts.items())))
    return "; ".join(parts)


def render_indicators_csv(reports: list[Any], options: Options | None = None,
                          columns: list[str] | None = None) -> str:
    """The ``indicators`` command's table: one row per indicator × record (levels first, then members by rank)."""
    from standardlang.reports import aggregate_levels

    o = options or Options()
    buf = io.StringIO()
    w = _writer(buf)
    w.writerow(INDICATOR_COLUMNS)
    for rep in reports:
        cols = columns if columns is not None else aggregate_levels(rep.spec)[:2]
        for row in indicator_rows(rep, cols):
            ind = row["indicator"]
            attribute = word(ind.attribute, o.lang) if o.lang == "zh" else ind.attribute
            for rank, x in [(None, x) for x in row["values"]] + list(enumerate(row["members"], 1)):
                w.writerow([rep.spec.name, ind.id, _clean(ind.title), attribute, x.entity, x.record_id or "",
                            _clean(record_name(indicator_record(rep, x), x.record_id)),
                            "" if x.value is None else x.value_text_in(o.lang), x.target_text,
                            status_word(x.status, o.lang) if o.lang == "zh" else x.status.value,
                            ind.deadline or "", "" if rank is None else rank])
    return buf.getvalue()
