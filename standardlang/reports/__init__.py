"""Report renderers: text, JSON, CSV, JUnit (and HTML, in :mod:`.html`).

Each renderer takes a list of :class:`~standardlang.engine.program.Report` (one per spec)
and :class:`Options`, and gives a string.  This module holds what they share:
the words of both languages, which verdicts count as failures under
``--fail-on``, one-line and concise explanations, provenance of records, the
indicator table, progress on a terminal and writing the output.

A report may carry a :class:`Meta` as ``report.meta`` (set by ``check``): where
each record came from, how many were read, the ``--where`` filter, warnings.
Reports made by :meth:`Spec.evaluate` have none, and render all the same.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections import Counter
from typing import Any, Iterable

import attrs

from standardlang.engine.verdict import Status, format_number
from standardlang.lang import vocabulary

STATUSES = (Status.PASS, Status.FAIL, Status.UNKNOWN, Status.NOT_APPLICABLE, Status.ERROR)
STRENGTHS = vocabulary.STRENGTH_ORDER
FORMATS = ("text", "json", "csv", "html", "junit")

WORDS: dict[str, dict[str, str]] = vocabulary.REPORT_WORDS

SYMBOLS = {Status(s): mark for s, mark in vocabulary.STATUS_SYMBOLS.items()}
_ANSI = {Status.PASS: "32", Status.FAIL: "31", Status.UNKNOWN: "33", Status.NOT_APPLICABLE: "2", Status.ERROR: "35"}


@attrs.define
class Meta:
    """What ``check`` knows about a report beyond the verdicts."""

    sources: dict[int, Any] = attrs.Factory(dict)  # id(record) -> Provenance
    read: dict[str, int] | None = None
    files: list[str] = attrs.Factory(list)
    warnings: list[str] = attrs.Factory(list)
    where: dict | None = None
    rules: list[str] | None = None  # the rule ids judged (after --only/--skip)
    records: dict[str, list] | None = None  # the inventory's records per entity (for names of indicator rows)


@attrs.frozen
class Options:
    lang: str = "en"
    color: bool = False
    fail_on: str = "shall"  # shall | should | never
    explain: str = "failures"  # all | failures | none: which verdicts carry explanations (json)
    top: int = 10  # communities listed per indicator in text


def meta(report: Any) -> Meta:
    m = getattr(report, "meta", None)
    return m if isinstance(m, Meta) else Meta()


def word(key: str, lang: str = "en") -> str:
    return WORDS.get(lang, WORDS["en"]).get(key, WORDS["en"].get(key, key))


def status_word(status: Status | str, lang: str = "en") -> str:
    return word(Status(status).value, lang)


def strength_word(strength: str, lang: str = "en") -> str:
    from standardlang.lang.model import STRENGTH_ZH

    return STRENGTH_ZH.get(strength, strength) if lang == "zh" else strength


# ------------------------------------------------------------------ failures and exit codes
def failing_strengths(fail_on: str) -> set[str]:
    return {"shall": {"shall"}, "should": {"shall", "should"}}.get(fail_on, set())


def failing_attributes(fail_on: str) -> set[str]:
    return {"shall": {"binding"}, "should": {"binding", "expected"}}.get(fail_on, set())


def is_failure(verdict: Any, fail_on: str) -> bool:
    """Whether a verdict fails the run: fail or error of a rule as strong as ``--fail-on``."""
    return verdict.status in (Status.FAIL, Status.ERROR) and verdict.rule.strength in failing_strengths(fail_on)


def is_indicator_failure(result: Any, fail_on: str) -> bool:
    return result.status in (Status.FAIL, Status.ERROR) and result.indicator.attribute in failing_attributes(fail_on)


def count_failures(reports: Iterable[Any], fail_on: str) -> int:
    n = 0
    for rep in reports:
        n += sum(1 for v in rep.verdicts if is_failure(v, fail_on))
        n += sum(1 for i in rep.indicators if is_indicator_failure(i, fail_on))
    return n


def exit_code(reports: Iterable[Any], fail_on: str) -> int:
    return 1 if count_failures(reports, fail_on) else 0


def full_summary(report: Any) -> dict[str, dict[str, int]]:
    """Counts by strength (every strength the judged rules have) × every status, zeros included."""
    counts: dict[str, Counter] = {}
    for r in report.spec.rules:
        if meta(report).rules is None or r.id in meta(report).rules:
            counts.setdefault(r.strength, Counter())
    for v in report.verdicts:
        counts.setdefault(v.rule.strength, Counter())[v.status.value] += 1
    return {s: {st.value: counts[s][st.value] for st in STATUSES} for s in STRENGTHS if s in counts}


# ------------------------------------------------------------------ records and explanations
def source_of(report: Any, record: Any) -> Any:
    return meta(report).sources.get(id(record))


def record_name(record: Any, record_id: str | None) -> str:
    if isinstance(record, dict) and isinstance(record.get("name"), str) and record.get("name"):
        return record["name"]
    return record_id or ""


def entity_label(spec: Any, entity: str, lang: str = "en") -> str:
    rec = spec.entities.get(entity)
    if lang == "zh" and rec is not None and rec.label:
        return rec.label
    if rec is not None and rec.label:
        return f"{entity} ({rec.label})"
    return entity


def reasons(check: Any) -> list[str]:
    """The details of the conditions that decided a check that did not hold (leaves, not "all of:")."""
    if check.held is True:
        return []
    if not check.children:
        return [check.detail]
    if check.detail == "not:":
        return [f"not ({'; '.join(c.detail for c in check.children)})"]
    if check.detail == "any of:" and check.held is False:
        return [" or ".join(r for c in check.children for r in reasons(c))]
    decisive = [c for c in check.children if c.held is check.held] or \
        [c for c in check.children if c.held is not True]
    return [r for c in decisive for r in reasons(c)]


def _why(checks: Iterable[Any]) -> list[str]:
    checks = list(checks)
    held_false = [c for c in checks if c.held is False]
    decisive = held_false or [c for c in checks if c.held is not True]
    return list(dict.fromkeys(r for c in decisive for r in reasons(c)))


def concise(verdict: Any, source: Any = None) -> list[str]:
    """A few lines saying why a verdict is not a pass: the conditions that decided it, the clause."""
    e = verdict.explanation()
    if verdict.status is Status.ERROR:
        return [f"! {source}: {e.error}" if source is not None else f"! {e.error}"]
    if verdict.status is Status.NOT_APPLICABLE and e.reason == "not_adopted":
        from standardlang.lang.vocabulary import EXPLANATION_WORDS

        return [f"– {EXPLANATION_WORDS['en']['not_adopted']}"] + [f"– {r}" for r in _why(e.checks)]
    if verdict.status is Status.NOT_APPLICABLE:
        return [f"– {e.applies.detail}"] if e.applies is not None else []
    mark = "✗" if verdict.status is Status.FAIL else "?"
    lines = [f"{mark} {r}" for r in _why(e.checks)]
    for name, title, checks in e.alternatives:
        failing = _why(checks)
        if failing:
            lines.append(f"or {name}{' ' + title if title else ''}: " + "; ".join(failing))
    if e.missing:
        lines.append("missing: " + ", ".join(e.missing))
    if e.cites:
        lines.append(f"source: {e.cites[0]}")
    return lines


def one_line(verdict: Any, source: Any = None, lang: str = "en") -> str:
    """The explanation on one line (empty for a pass), in English or Chinese (``lang``)."""
    if verdict.status is Status.PASS:
        return ""
    e = verdict.explanation(lang)
    if verdict.status is Status.ERROR:
        text = f"{source}: {e.error}" if source is not None else str(e.error)
    elif verdict.status is Status.NOT_APPLICABLE and e.reason == "not_adopted":
        from standardlang.lang.vocabulary import EXPLANATION_WORDS

        na = word("not_applicable_text", lang) + ", " + EXPLANATION_WORDS["zh" if lang == "zh" else "en"]["not_adopted_short"]
        why = _why(e.checks)
        text = f"{na}: " + ", ".join(why) if why else na
    elif verdict.status is Status.NOT_APPLICABLE:
        na = word("not_applicable_text", lang)
        text = f"{na}: {e.applies.detail}" if e.applies is not None else na
    else:
        parts = _why(e.checks)
        for name, _title, checks in e.alternatives:
            failing = _why(checks)
            if failing:
                parts.append(f"{word('or_alternative', lang)} {name}: " + ", ".join(failing))
        if verdict.status is Status.UNKNOWN and e.missing and not parts:
            parts.append(word("missing_label", lang) + ", ".join(e.missing))
        text = "; ".join(parts)
    return " ".join(text.split())


# ------------------------------------------------------------------ entity levels and indicators
def levels(spec: Any) -> list[str]:
    """Entities from the top level down (city, district, subdistrict, community)."""
    from standardlang.lang.types import ListT, RecordT

    children: dict[str, list[str]] = {}
    has_parent: set[str] = set()
    for name, rec in spec.entities.items():
        for info in rec.fields.values():
            if isinstance(info.type, ListT) and isinstance(info.type.elem, RecordT) and info.type.elem.entity \
                    and info.by:
                children.setdefault(name, []).append(info.type.elem.name)
                has_parent.add(info.type.elem.name)
    depth: dict[str, int] = {}
    frontier = [n for n in spec.entities if n not in has_parent]
    d = 0
    while frontier and d < 20:
        for n in frontier:
            depth.setdefault(n, d)
        frontier = [c for n in frontier for c in children.get(n, []) if c not in depth]
        d += 1
    return sorted(spec.entities, key=lambda n: (depth.get(n, 99), list(spec.entities).index(n)))


def aggregate_levels(spec: Any) -> list[str]:
    """Entity levels that hold others (city, district...), top first."""
    from standardlang.lang.types import ListT, RecordT

    def holds(name: str) -> bool:
        return any(isinstance(i.type, ListT) and isinstance(i.type.elem, RecordT) and i.type.elem.entity
                   for i in spec.entities[name].fields.values())
    return [n for n in levels(spec) if holds(n)]


def shortfall_key(result: Any) -> tuple:
    """Sort key putting the records that hold a total back first: failing, furthest from target."""
    rank = {Status.FAIL: 0, Status.ERROR: 1, Status.UNKNOWN: 2, Status.PASS: 3}.get(result.status, 4)
    v = result.value
    if v is None or isinstance(v, bool):
        return (rank, 0)
    try:
        num = float(v)
    except (TypeError, ValueError):
        return (rank, 0)
    return (rank, -num if result.indicator.op in ("<=", "<") else num)


def indicator_rows(report: Any, columns: list[str] | None = None) -> list[dict]:
    """One row per indicator: its values for the aggregate levels and, sorted, the members below.

    Each row: ``indicator`` (CheckedIndicator), ``values`` (IndicatorResult of the
    column levels, top first), ``members`` (results of the lowest level, records
    holding the total back first).
    """
    spec = report.spec
    cols = columns if columns is not None else aggregate_levels(spec)[:2]
    order = {e: i for i, e in enumerate(levels(spec))}
    rows = []
    for ind in spec.indicators:
        results = [r for r in report.indicators if r.indicator is ind]
        values = sorted((r for r in results if r.entity in cols), key=lambda r: order.get(r.entity, 99))
        member_levels = [e for e in ind.entities if e not in aggregate_levels(spec)]
        members = sorted((r for r in results if r.entity in member_levels), key=shortfall_key)
        rows.append({"indicator": ind, "values": values, "members": members})
    return rows


def indicator_record(report: Any, result: Any) -> Any:
    """The record an indicator result is about (found by entity and record id), or None."""
    cache = getattr(report, "_records_by_id", None)
    if cache is None:
        cache = {}
        m = meta(report)
        if m.records is not None:
            for entity, recs in m.records.items():
                for i, rec in enumerate(recs):
                    cache[(entity, report.spec.record_id(entity, rec, i))] = rec
        for r in report.results:
            cache.setdefault((r.entity, r.record_id), r.record)
        try:
            report._records_by_id = cache
        except AttributeError:
            pass
    return cache.get((result.entity, result.record_id))


# ------------------------------------------------------------------ terminal
def width(text: str) -> int:
    """Terminal columns of ``text``: wide (CJK) characters take two; ANSI codes none."""
    import re

    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, n: int, right: bool = False) -> str:
    fill = " " * max(0, n - width(text))
    return fill + text if right else text + fill


def table(rows: list[list[str]], right: set[int] | None = None, sep: str = "  ") -> list[str]:
    """Rows aligned in columns (CJK-aware); the first row is the header."""
    if not rows:
        return []
    ncol = max(len(r) for r in rows)
    rows = [r + [""] * (ncol - len(r)) for r in rows]
    widths = [max(width(r[i]) for r in rows) for i in range(ncol)]
    right = right or set()
    return [sep.join(pad(c, widths[i], i in right) for i, c in enumerate(r)).rstrip() for r in rows]


def colorize(text: str, status: Status | None, on: bool, bold: bool = False) -> str:
    if not on:
        return text
    code = "1" if bold else _ANSI.get(status, "") if status is not None else ""
    return f"\x1b[{code}m{text}\x1b[0m" if code else text


def use_color(stream: Any) -> bool:
    """ANSI colours only on a terminal, and never when NO_COLOR is set."""
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class Progress:
    """``judging 120/5000`` on stderr, only on a terminal and only for long runs."""

    def __init__(self, total: int, label: str = "judging", stream: Any = None, threshold: int = 500):
        self.stream = stream if stream is not None else sys.stderr
        self.total = total
        self.label = label
        self.enabled = total >= threshold and _isatty(self.stream)
        self.step = max(1, total // 100)
        self.done = 0

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.enabled and (self.done % self.step == 0 or self.done == self.total):
            self.stream.write(f"\r{self.label} {self.done}/{self.total}")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * (len(self.label) + 2 * len(str(self.total)) + 3) + "\r")
            self.stream.flush()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def render(reports: list[Any], fmt: str, options: Options | None = None) -> str:
    """Render reports in one of :data:`FORMATS`."""
    options = options or Options()
    if fmt == "text":
        from standardlang.reports.text import render_text
        return render_text(reports, options)
    if fmt == "json":
        from standardlang.reports.json_report import render_json
        return render_json(reports, options)
    if fmt == "csv":
        from standardlang.reports.csv_report import render_csv
        return render_csv(reports, options)
    if fmt == "junit":
        from standardlang.reports.junit import render_junit
        return render_junit(reports, options)
    if fmt == "html":
        from standardlang.errors import Diagnostic, StandardLangError
        try:
            from standardlang.reports.html import render_html
        except ImportError as exc:
            raise StandardLangError([Diagnostic("F004", f"the html report is not available in this installation ({exc})")]) from None
        return render_html(reports, lang=options.lang)
    raise ValueError(f"unknown report format {fmt!r}")


def write_output(text: str, path: str | None, bom: bool = False) -> None:
    """Write to ``path`` (UTF-8; with a BOM for CSV so spreadsheets show Chinese) or to stdout.

    A file is written next to ``path`` under a temporary name and renamed when complete,
    so a failed run never leaves an empty or half-written report behind.  Text that is
    not valid Unicode (a lone surrogate read from JSON) is written escaped (``\\ud800``).
    """
    text = printable(text)
    if path is None or path == "-":
        sys.stdout.write(text)
        if text and not text.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()
        return
    with atomic_file(path, bom) as fh:
        fh.write(text)


def printable(text: str) -> str:
    """``text`` with lone surrogates escaped, so that it encodes as UTF-8."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


_SURROGATE = re.compile("[\ud800-\udfff]")


class atomic_file:
    """``with atomic_file(path) as fh``: a text file written to a temporary name, renamed to ``path`` on success."""

    def __init__(self, path: str, bom: bool = False, mode: str = "w"):
        self.path, self.bom, self.mode = path, bom, mode

    def __enter__(self) -> Any:
        import tempfile

        from standardlang.errors import Diagnostic, StandardLangError

        folder = os.path.dirname(os.path.abspath(self.path))
        self.tmp = None
        try:
            if _special(self.path):  # /dev/null, a pipe: written in place (renaming onto it would replace it)
                self.fh = (open(self.path, self.mode) if "b" in self.mode else
                           open(self.path, self.mode, encoding="utf-8-sig" if self.bom else "utf-8",
                                errors="backslashreplace", newline=""))
                return self.fh
            fd, self.tmp = tempfile.mkstemp(prefix=".standardlang-", suffix=".tmp", dir=folder)
            mask = os.umask(0o022)
            os.umask(mask)
            os.chmod(self.tmp, 0o666 & ~mask)  # as open() would have made it, not mkstemp's 0600
            if "b" in self.mode:
                self.fh = os.fdopen(fd, self.mode)
            else:
                self.fh = os.fdopen(fd, self.mode, encoding="utf-8-sig" if self.bom else "utf-8",
                                    errors="backslashreplace", newline="")
        except OSError as exc:
            raise StandardLangError([Diagnostic("F003", f"cannot write {self.path}: {exc.strerror or exc}")]) from None
        return self.fh

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        from standardlang.errors import Diagnostic, StandardLangError

        self.fh.close()
        if self.tmp is None:  # written in place
            return
        if kind is not None:
            os.unlink(self.tmp)
            return
        try:
            os.replace(self.tmp, self.path)
        except OSError as err:
            os.unlink(self.tmp)
            raise StandardLangError([Diagnostic("F003", f"cannot write {self.path}: {err.strerror or err}")]) from None


def _special(path: str) -> bool:
    """Whether ``path`` is there and is no regular file (a device such as /dev/null, a pipe)."""
    import stat

    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


__all__ = ["Meta", "Options", "render", "write_output", "exit_code", "count_failures", "is_failure",
           "concise", "one_line", "full_summary", "levels", "indicator_rows", "Progress", "use_color",
           "format_number"]
