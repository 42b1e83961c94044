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
from json.encoder import encode_basestring
from typing import Any

from standardlang.backends.python import runtime as rt
from standardlang.backends.python.runtime import BadValue, Bounds
from standardlang.lang import ir
from standardlang.engine.verdict import Status
from standardlang.reports.csv_report import COLUMNS, _clean, neutralise

STREAM_FORMATS = ("jsonl", "csv", "parquet")
STREAM_SCHEMA = "standardlang.stream/1"


def wants_explanation(status: Status, explain: str) -> bool:
    return explain == "all" or (explain == "failures" and status in (Status.FAIL, Status.ERROR))


def missing_fields(rule: Any, interp: Any, record: Any) -> tuple[str, ...]:
    """The fields whose absence left ``rule`` unknown for ``record``: what ``Verdict.missing`` gives,
    found by evaluating the conditions alone, without building the explanation's sentences
    (which cost five times as much; ``tests/test_stream.py`` checks the two agree), and
    remembered per rule for records alike in every field the rule can read (:class:`_Remembered`)."""
    found = _REMEMBERED.get(id(interp))
    if found is None or found[0] is not interp:
        if len(_REMEMBERED) > 64:
            _REMEMBERED.clear()
        found = _REMEMBERED[id(interp)] = (interp, _Remembered(interp))
    return found[1].missing(rule, record)


_REMEMBERED: dict[int, tuple[Any, "_Remembered"]] = {}
_NOT_THERE = object()  # a field the record does not hold
_SCALARS = frozenset({str, int, bool, type(None), float})


class _Remembered:
    """:func:`missing_fields` remembered per rule, keyed by the record's values of every field
    name the rule's conditions (and the definitions they use) mention, at any depth: nothing
    else of the record is read, so records alike there have the same missing fields.  Only
    plain values make a key (text, numbers, flags, null, not there: an optional facility not
    recorded, the common unknown); a record holding a nested record or list there is
    evaluated.  A province's unknown verdicts repeat a few hundred (rule, missing) pairs."""

    LIMIT = 512  # keys remembered per rule

    def __init__(self, interp: Any):
        self.interp = interp
        self.rules: dict[int, tuple[Any, tuple[str, ...], dict]] = {}  # id(rule) -> (rule, names, memo)

    def missing(self, rule: Any, record: Any) -> tuple[str, ...]:
        entry = self.rules.get(id(rule))
        if entry is None or entry[0] is not rule:
            entry = self.rules[id(rule)] = (rule, _names_read(rule, self.interp.lets), {})
        key = _key(record, entry[1]) if record.__class__ is dict else None
        if key is None:
            return _missing_now(rule, self.interp, record)
        memo = entry[2]
        found = memo.get(key)
        if found is None:
            found = _missing_now(rule, self.interp, record)
            if len(memo) < self.LIMIT:
                memo[key] = found
        return found


def _key(record: dict, names: tuple[str, ...]) -> tuple | None:
    """The record's values of ``names`` with their types (1, 1.0 and true differ), or None if one is not plain."""
    key: list = []
    for name in names:
        v = record.get(name, _NOT_THERE)
        c = v.__class__
        if c not in _SCALARS and v is not _NOT_THERE:
            return None
        key.append(c)
        key.append(v.hex() if c is float else v)  # -0.0 and 0.0 differ too
    return tuple(key)


def _names_read(rule: Any, lets: dict) -> tuple[str, ...]:
    """Every field name the rule's conditions read, through the definitions they use."""
    names: set[str] = set()
    seen: set[str] = set()
    stack = [n for n in [rule.applies, *rule.requires] if n is not None]
    for alt in rule.alternatives:
        stack.extend(n for n in [alt.applies, *alt.requires] if n is not None)
    while stack:
        for n in ir.walk(stack.pop()):
            if isinstance(n, ir.Field):
                names.add(n.name)
            elif isinstance(n, ir.LetRef):
                key = f"{n.entity}.{n.name}"
                if key not in seen and key in lets:
                    seen.add(key)
                    stack.append(lets[key].ir)
    return tuple(sorted(names))


def _missing_now(rule: Any, interp: Any, record: Any) -> tuple[str, ...]:
    scopes = [record]
    missing: list[str] = []
    parts = ([rule.applies] if rule.applies is not None else []) + list(rule.requires)
    for alt in rule.alternatives:
        parts += ([alt.applies] if alt.applies is not None else []) + list(alt.requires)
    for node in parts:
        missing.extend(_node_missing(node, interp, scopes)[1])
    return tuple(dict.fromkeys(missing))


def _node_missing(node: Any, interp: Any, scopes: list) -> tuple[Any, tuple[str, ...], bool]:
    """(held, missing, plain) of one condition, as ``explain_node`` finds them; ``plain``: its value
    is true, false or unknown as the interpreter gives it (not a number read as a condition, no bad data)."""
    try:
        if isinstance(node, ir.Logic):
            children = [_node_missing(p, interp, scopes) for p in _flatten(node, node.op)]
            if all(c[2] for c in children):
                # every part a plain three-valued condition: Kleene's and/or of the parts is the value
                fold = rt.and3 if node.op == "and" else rt.or3
                value = children[0][0]
                for c in children[1:]:
                    value = fold(value, c[0])
            else:  # a value that is not true/false/unknown, or a part that met bad data: as the interpreter
                value = interp.eval(node, scopes)
            if value is not None:  # decided: an unknown part decides nothing, so it is not named
                children = [c for c in children if c[0] is not None]
            return value, tuple(dict.fromkeys(m for c in children for m in c[1])), True
        if isinstance(node, ir.Unary) and node.op == "not":
            child = _node_missing(node.operand, interp, scopes)
            return interp.eval(node, scopes), child[1], True
        missing: list[str] = []
        value = interp.eval(node, scopes, missing)
        if value is not None and value is not True and value is not False:
            return bool(value), tuple(dict.fromkeys(missing)), False
        return value, tuple(dict.fromkeys(missing)), True
    except BadValue:  # a part the verdict did not need, on bad data (schemaless records)
        return None, (), False


def _flatten(n: Any, op: str) -> list:
    if isinstance(n, ir.Logic) and n.op == op:
        return _flatten(n.left, op) + _flatten(n.right, op)
    return [n]


def _missing(v: Any, interp: Any) -> tuple[str, ...]:
    return v.missing if interp is None else missing_fields(v.rule, interp, v.record)


def record_line(spec_name: str, result: Any, source: Any, explain: str, lang: str = "en",
                indicators: list | None = None, interp: Any = None) -> dict:
    """One line of the JSON Lines report: a record's verdicts (statuses, missing fields, errors, explanations).

    ``interp`` (the spec's interpreter) finds missing fields without building explanations."""
    verdicts = []
    for v in result.verdicts:
        e: dict[str, Any] = {"rule": v.rule.id, "strength": v.rule.strength, "status": v.status.value}
        if v.status is Status.UNKNOWN:
            e["missing"] = list(_missing(v, interp))
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


class LineWriter:
    """:func:`record_line` as JSON text, built from pieces made once per rule and status.

    ``json.dumps(record_line(...))`` builds a dict per verdict (73 a record for column 5)
    and encodes it; here a verdict that needs no more than its status is one string
    looked up, read from the record's statuses (no verdict object is built unless an
    error or an explanation is written), the JSON being the same
    (``tests/test_stream.py`` compares them).
    """

    def __init__(self, spec_name: str, interp: Any = None):
        self.head = '{"kind": "record", "spec": ' + _dump(spec_name) + ', "entity": '
        self.interp = interp
        self._plain: dict[Status, dict[str, str]] = {s: {} for s in Status}
        self._missing: dict[tuple, str] = {}

    def _piece(self, rule: Any, status: Status) -> str:
        """The verdict's JSON up to its status, without the closing brace."""
        return ('{"rule": ' + _dump(rule.id) + ', "strength": ' + _dump(rule.strength)
                + ', "status": ' + _dump(status.value))

    def line(self, result: Any, source: Any, explain: str, lang: str = "en", indicators: list | None = None) -> str:
        parts = []
        plain = self._plain
        explained = explain != "none"
        for i, (rule, status) in enumerate(zip(result.rules, result.statuses)):
            if status is not Status.UNKNOWN and status is not Status.ERROR and not explained:
                piece = plain[status].get(rule.id)
                if piece is None:
                    piece = plain[status][rule.id] = self._piece(rule, status) + "}"
                parts.append(piece)
                continue
            piece = self._piece(rule, status)
            if status is Status.UNKNOWN:
                missing = (missing_fields(rule, self.interp, result.record) if self.interp is not None
                           else result.verdicts[i].missing)
                text = self._missing.get(missing)
                if text is None:
                    text = _dump(list(missing))
                    if len(self._missing) < 4096:  # the same few lists again and again
                        self._missing[missing] = text
                piece += ', "missing": ' + text
            elif status is Status.ERROR:
                piece += ', "error": ' + _dump(result.verdicts[i].error)
            if wants_explanation(status, explain):
                piece += ', "explanation": ' + _dump(result.verdicts[i].explanation(lang).to_dict())
            parts.append(piece + "}")
        text = (self.head + _text(result.entity) + ', "record": ' + _text(result.record_id) + ', "source": '
                + _dump(source.to_dict() if source is not None else None) + ', "verdicts": [' + ", ".join(parts) + "]")
        if result.problems:
            text += ', "problems": ' + _dump([p.to_dict() for p in result.problems])
        if indicators:
            text += ', "indicators": ' + _dump([indicator_entry(i) for i in indicators])
        return text + "}\n"


def _dump(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, default=_default)


def _text(v: Any) -> str:
    """``_dump(v)``, a text directly (what ``json.dumps`` does with a text, without making an encoder)."""
    return encode_basestring(v) if isinstance(v, str) else _dump(v)


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


def csv_rows(spec_name: str, result: Any, source: Any, explain: str, lang: str = "en",
             interp: Any = None) -> list[list]:
    """The rows of the CSV report for one record (one per rule)."""
    from standardlang.reports import one_line, status_word, word

    rows = []
    src = str(source) if source is not None else ""
    for v in result.verdicts:
        strength = word(v.rule.strength, lang) if lang == "zh" else v.rule.strength
        text = one_line(v, source, lang) if wants_explanation(v.status, explain) or v.status is Status.ERROR else ""
        rows.append([spec_name, result.entity, result.record_id, v.rule.id, _clean(v.rule.title), v.rule.goal_id,
                     strength, status_word(v.status, lang) if lang == "zh" else v.status.value,
                     ";".join(_missing(v, interp)) if v.status is Status.UNKNOWN else "", _clean(text), "rule", src])
    return rows


def indicator_csv_row(spec_name: str, i: Any) -> list:
    text = f"value {i.value_text}, target {i.target_text}" + (f"; {i.error}" if i.error else "")
    return [spec_name, i.entity, i.record_id or "", i.indicator.id, _clean(i.indicator.title), "",
            i.indicator.attribute, i.status.value, ";".join(i.missing), _clean(text), "indicator", ""]


PARQUET_COLUMNS = ["spec", "entity", "record", "source", "kind", "rule", "strength", "status", "missing", "error",
                   "value", "explanation"]


def parquet_rows(spec_name: str, result: Any, source: Any, explain: str, lang: str = "en",
                 indicators: list | None = None, interp: Any = None) -> list[dict]:
    """Long-format rows (one per verdict and per indicator value) for the Parquet report."""
    src = str(source) if source is not None else None
    rows = []
    for v in result.verdicts:
        rows.append({"spec": spec_name, "entity": result.entity, "record": result.record_id, "source": src,
                     "kind": "rule", "rule": v.rule.id, "strength": v.rule.strength, "status": v.status.value,
                     "missing": list(_missing(v, interp)) if v.status is Status.UNKNOWN else [],
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
