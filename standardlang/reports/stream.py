"""Streaming reports: one record's verdicts at a time, written as they are produced.

Takes :class:`~standardlang.engine.program.RecordResult` objects (one record of one
spec, with its provenance and its own indicator values) and gives, for the
streaming ``check`` (``--format jsonl|csv|parquet``): a JSON-ready line
(:func:`record_line`), CSV rows (:func:`csv_rows`, the columns of the CSV report)
or long-format rows for Parquet (:func:`parquet_rows`); and the writers that put
them in a file or on stdout without holding the report in memory (:class:`Writer`).
The line formats are documented in ``docs/cli.md`` ("Large inputs: streaming").
"""

from __future__ import annotations

import csv
import io
import json
import sys
from typing import Any

from standardlang.backends.python.runtime import Bounds
from standardlang.engine.verdict import Status
from standardlang.reports.csv_report import COLUMNS, _clean, neutralise

STREAM_FORMATS = ("jsonl", "csv", "parquet")
STREAM_SCHEMA = "standardlang.stream/1"


def wants_explanation(status: Status, explain: str) -> bool:
    return explain == "all" or (explain == "failures" and status in (Status.FAIL, Status.ERROR))


def record_line(spec_name: str, result: Any, source: Any, explain: str, lang: str = "en",
                indicators: list | None = None) -> dict:
    """One line of the JSON Lines report: a record's verdicts (statuses, missing fields, errors, explanations)."""
    verdicts = []
    for v in result.verdicts:
        e: dict[str, Any] = {"rule": v.rule.id, "strength": v.rule.strength, "status": v.status.value}
        if v.status is Status.UNKNOWN:
            e["missing"] = list(v.missing)
        elif v.status is Status.ERROR:
            e["error"] = v.error
        if wants_explanation(v.status, explain):
            e["explanation"] = v.explanation(lang).to_dict()
        verdicts.append(e)
    line: dict[str, Any] = {"kind": "record", "spec": spec_name, "entity": result.entity, "record": result.record_id,
                            "source": source.to_dict() if source is not None else None, "verdicts": verdicts}
    if result.problems:
        line["problems"] = [p.to_dict() for p in result.problems]
    if indicators:
        line["indicators"] = [indicator_entry(i) for i in indicators]
    return line


def indicator_entry(i: Any) -> dict:
    """A record's own indicator value, compact (the title and target are the spec's: see ``explain``)."""
    e: dict[str, Any] = {"indicator": i.indicator.id, "entity": i.entity, "record": i.record_id,
                         "value": _number(i.value), "status": i.status.value}
    if isinstance(i.value, Bounds):  # known only as a range (some records lack the data)
        e["value_low"], e["value_high"] = _number(i.value.lo), _number(i.value.hi)
        e["value_text"] = i.value_text
    if i.missing:
        e["missing"] = list(i.missing)
    if i.error:
        e["error"] = i.error
    return e


def csv_rows(spec_name: str, result: Any, source: Any, explain: str, lang: str = "en") -> list[list]:
    """The rows of the CSV report for one record (one per rule)."""
    from standardlang.reports import one_line, status_word, word

    rows = []
    src = str(source) if source is not None else ""
    for v in result.verdicts:
        strength = word(v.rule.strength, lang) if lang == "zh" else v.rule.strength
        text = one_line(v, source, lang) if wants_explanation(v.status, explain) or v.status is Status.ERROR else ""
        rows.append([spec_name, result.entity, result.record_id, v.rule.id, _clean(v.rule.title), v.rule.goal_id,
                     strength, status_word(v.status, lang) if lang == "zh" else v.status.value,
                     ";".join(v.missing) if v.status is Status.UNKNOWN else "", _clean(text), "rule", src])
    return rows


def indicator_csv_row(spec_name: str, i: Any) -> list:
    text = f"value {i.value_text}, target {i.target_text}" + (f"; {i.error}" if i.error else "")
    return [spec_name, i.entity, i.record_id or "", i.indicator.id, _clean(i.indicator.title), "",
            i.indicator.attribute, i.status.value, ";".join(i.missing), _clean(text), "indicator", ""]


PARQUET_COLUMNS = ["spec", "entity", "record", "source", "kind", "rule", "strength", "status", "missing", "error",
                   "value", "explanation"]


def parquet_rows(spec_name: str, result: Any, source: Any, explain: str, lang: str = "en",
                 indicators: list | None = None) -> list[dict]:
    """Long-format rows (one per verdict and per indicator value) for the Parquet report."""
    src = str(source) if source is not None else None
    rows = []
    for v in result.verdicts:
        rows.append({"spec": spec_name, "entity": result.entity, "record": result.record_id, "source": src,
                     "kind": "rule", "rule": v.rule.id, "strength": v.rule.strength, "status": v.status.value,
                     "missing": list(v.missing) if v.status is Status.UNKNOWN else [],
                     "error": v.error if v.status is Status.ERROR else None, "value": None,
                     "explanation": v.explain(lang) if wants_explanation(v.status, explain) else None})
    rows.extend(indicator_parquet_row(spec_name, i, src) for i in indicators or ())
    return rows


def indicator_parquet_row(spec_name: str, i: Any, src: str | None = None) -> dict:
    value = i.value
    return {"spec": spec_name, "entity": i.entity, "record": i.record_id, "source": src, "kind": "indicator",
            "rule": i.indicator.id, "strength": i.indicator.attribute, "status": i.status.value,
            "missing": list(i.missing), "error": i.error, "value": _number(value),
            "explanation": f"value {i.value_text}" if isinstance(value, Bounds) else None}


def _number(v: Any) -> float | None:
    """A value as a float; None when unknown or known only as a range (:class:`Bounds`)."""
    return None if v is None or isinstance(v, Bounds) else float(v)


class Writer:
    """Writes a streaming report (jsonl, csv or parquet) to a file (atomically, see ``atomic_file``) or stdout."""

    def __init__(self, fmt: str, path: str | None):
        from standardlang.reports import atomic_file

        self.fmt, self.path = fmt, path
        self._atomic = None
        if fmt == "parquet":
            if path in (None, "-"):
                from standardlang.errors import StandardLangError
                raise StandardLangError("--format parquet needs -o FILE.parquet")
            try:
                import pyarrow  # noqa: F401
                import pyarrow.parquet  # noqa: F401
            except ImportError:
                from standardlang.data.readers import user_error
                raise user_error("F004", "--format parquet needs pyarrow",
                                 "pip install 'standardlang[parquet]'") from None
            self._atomic = atomic_file(path, mode="wb")
            self._pq = None
            self._batch: list[dict] = []
        elif path in (None, "-"):
            self.fh = sys.stdout
        else:
            self._atomic = atomic_file(path, bom=fmt == "csv")
        self.started = False

    def __enter__(self) -> "Writer":
        if self._atomic is not None:
            self.fh = self._atomic.__enter__()
        if self.fmt == "csv":
            self.write_csv([COLUMNS])
        return self

    def write_text(self, text: str) -> None:
        from standardlang.reports import printable

        self.fh.write(printable(text))

    def write_line(self, d: dict) -> None:
        self.write_text(json.dumps(d, ensure_ascii=False, default=_default) + "\n")

    def write_csv(self, rows: list[list]) -> None:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        for row in rows:
            w.writerow([neutralise(c) for c in row])
        self.write_text(buf.getvalue())

    def write_rows(self, rows: list[dict]) -> None:
        self._batch.extend(rows)
        if len(self._batch) >= 50_000:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._batch:
            return
        schema = pa.schema([("spec", pa.string()), ("entity", pa.string()), ("record", pa.string()),
                            ("source", pa.string()), ("kind", pa.string()), ("rule", pa.string()),
                            ("strength", pa.string()), ("status", pa.string()), ("missing", pa.list_(pa.string())),
                            ("error", pa.string()), ("value", pa.float64()), ("explanation", pa.string())])
        table = pa.Table.from_pylist(self._batch, schema=schema)
        if self._pq is None:
            self._pq = pq.ParquetWriter(self.fh, schema)
        self._pq.write_table(table)
        self._batch = []

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        if self.fmt == "parquet" and kind is None:
            self._flush()
            if self._pq is None:  # no rows at all: an empty file with the schema
                self._batch = []
                import pyarrow as pa
                import pyarrow.parquet as pq
                self._pq = pq.ParquetWriter(self.fh, pa.schema([(c, pa.string()) for c in PARQUET_COLUMNS]))
            self._pq.close()
        if self._atomic is not None:
            self._atomic.__exit__(kind, exc, tb)
        else:
            self.fh.flush()


def _default(v: Any) -> Any:
    from fractions import Fraction

    if isinstance(v, Fraction):
        return float(v)
    return str(v)
