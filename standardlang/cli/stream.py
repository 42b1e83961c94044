"""The streaming ``check``: records read, judged and written one chunk at a time, in bounded memory.

Takes the parsed ``check`` arguments with ``--format jsonl|csv|parquet``; gives the
exit code, having written one line (JSON Lines), rows (CSV) or long-format rows
(Parquet) per record and spec as they were judged, then the indicator values of the
levels above and a summary that adds up (records in = judged + in error).

JSON Lines and CSV/TSV files of a lowest entity level (communities: no level is
linked below them) are streamed in chunks of :data:`CHUNK` records; every other file
(the city, its districts, a JSON document) is read whole, as ``check`` always does.
With ``--jobs N`` chunks are judged in N worker processes and written in input
order.  Indicators of the levels above need the streamed records' values: only the
fields their expressions read are kept (the parent key, areas, flags), not the
records, their verdicts or explanations.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from typing import Any, Iterator

CHUNK = 1000
STREAMED_FORMATS = ("jsonl", "csv", "tsv")


# ------------------------------------------------------------------ reading in chunks
def chunks(path: str, encoding: str | None, size: int = CHUNK) -> Iterator[tuple[list, list, list[str], bool]]:
    """(rows, sources, headers, flat) of successive chunks of a JSON Lines or CSV/TSV file."""
    from standardlang.data.readers import data_format, iter_jsonl

    fmt = data_format(path)
    if fmt == "jsonl":
        rows, sources = [], []
        for row, prov in iter_jsonl(path, encoding):
            rows.append(row)
            sources.append(prov)
            if len(rows) >= size:
                yield rows, sources, [], False
                rows, sources = [], []
        if rows:
            yield rows, sources, [], False
        return
    yield from _csv_chunks(path, encoding, "\t" if fmt == "tsv" else ",", size)


def _csv_chunks(path: str, encoding: str | None, delimiter: str, size: int) -> Iterator[tuple[list, list, list, bool]]:
    import csv

    from standardlang.data import safe
    from standardlang.data.readers import Provenance, _error, _open

    with _open(path) as fh:
        enc = safe.decide_encoding(fh, encoding)
        text = (line + "\n" for _, line in safe.lines(fh, enc))
        reader = csv.reader(text, delimiter=delimiter)
        headers: list[str] = []
        rows, sources, end = [], [], 0
        try:
            for cells in reader:
                start, end = end + 1, reader.line_num
                if not any(str(c).strip() for c in cells):
                    continue
                if not headers:
                    headers = [c.strip() for c in cells]
                    continue
                rows.append(dict(zip(headers, cells)))
                sources.append(Provenance(path, start))
                if len(rows) >= size:
                    yield rows, sources, headers, True
                    rows, sources = [], []
        except csv.Error as exc:
            from standardlang.errors import Span
            raise _error("D003", path, f"not valid CSV: {exc}", Span.point(reader.line_num or 1, 1)) from None
    if rows or not sources:
        yield rows, sources, headers, True


# ------------------------------------------------------------------ judging a chunk (in a worker or not)
class Judge:
    """Everything needed to judge a chunk: the specs, the rules chosen, the options.  One per process."""

    def __init__(self, specs: list, selections: list, entities: list[str], explain: str, lang: str, fmt: str,
                 fail_on: str, levels: set[str]):
        self.specs, self.selections, self.entities = specs, selections, entities
        self.explain, self.lang, self.fmt, self.fail_on, self.levels = explain, lang, fmt, fail_on, levels
        self.rules = [[r for r in spec.rules if r.entity == ent and (sel[0] is None or r.id in sel[0])]
                      for spec, sel, ent in zip(specs, selections, entities)]
        self.own_indicators = [[i for i in spec.indicators if i.value_for(ent) is not None
                                and (sel[1] is None or i.id in sel[1])]
                               for spec, sel, ent in zip(specs, selections, entities)]
        self.projections = [projected_fields(spec, ent) for spec, ent in zip(specs, entities)]

    def chunk(self, task: tuple) -> dict:
        """Judge one chunk: its output (text or rows), counts, failures and the projections the levels above need."""
        from standardlang.data.readers import Table, bind
        from standardlang.reports import is_failure, is_indicator_failure
        from standardlang.reports import stream as out

        path, rows, sources, headers, flat, start = task
        good = None
        if flat == "raw":  # JSON Lines text, parsed here in the worker: the main process only reads lines
            from standardlang.data.readers import Provenance, UnreadableLine, jsonl_row

            sources = [Provenance(path, n, "line") for n, _ in rows]
            rows = [jsonl_row(line) for _, line in rows]
            good, flat = sum(not isinstance(r, UnreadableLine) for r in rows), False
        text: list[str] = []
        table_rows: list[dict] = []
        counts = [Counter() for _ in self.specs]
        records_in = [0] * len(self.specs)
        in_error = [0] * len(self.specs)
        failures = 0
        projected: list[list] = [[] for _ in self.specs]
        warnings: list[str] = []
        for k, (spec, ent) in enumerate(zip(self.specs, self.entities)):
            table = Table(path, rows, sources, flat=flat, headers=headers)
            dataset = bind([table], spec, ent, self.levels)
            warnings.extend(dataset.warnings)
            for got_ent, recs in dataset.inventory.records.items():
                if got_ent != ent:
                    continue
                for i, rec in enumerate(recs):
                    index = start + i
                    result = spec.judge(rec, ent, self.rules[k], index)
                    source = dataset.source(rec)
                    inds = [spec.indicator_value(ind.id, rec, ent, result.record_id) for ind in self.own_indicators[k]]
                    records_in[k] += 1
                    in_error[k] += bool(result.problems)
                    for v in result.verdicts:
                        counts[k][(v.rule.strength, v.status.value)] += 1
                        failures += is_failure(v, self.fail_on)
                    for x in inds:
                        counts[k][("indicator", x.status.value)] += 1
                        failures += is_indicator_failure(x, self.fail_on)
                    if self.fmt == "jsonl":
                        text.append(_json(out.record_line(spec.name, result, source, self.explain, self.lang, inds)))
                    elif self.fmt == "csv":
                        text.append(_csv(out.csv_rows(spec.name, result, source, self.explain, self.lang)
                                         + [out.indicator_csv_row(spec.name, x) for x in inds]))
                    else:
                        table_rows.extend(out.parquet_rows(spec.name, result, source, self.explain, self.lang, inds))
                    if self.projections[k] is not None:
                        projected[k].append(project(rec, self.projections[k]))
        return {"text": "".join(text), "rows": table_rows, "counts": counts, "in": records_in, "error": in_error,
                "failures": failures, "projected": projected, "warnings": warnings, "good": good, "lines": len(rows)}


def _json(d: dict) -> str:
    import json

    from standardlang.reports.stream import _default

    return json.dumps(d, ensure_ascii=False, default=_default) + "\n"


def _csv(rows: list[list]) -> str:
    import csv
    import io

    from standardlang.reports.csv_report import neutralise

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for row in rows:
        w.writerow([neutralise(c) for c in row])
    return buf.getvalue()


def projected_fields(spec: Any, entity: str) -> tuple[tuple[str, ...], frozenset[str]] | None:
    """(the fields of ``entity`` records that indicators of the levels above read, every field name
    those indicators read at any depth); None when no indicator of a level above reads them."""
    from standardlang.lang import ir

    nodes = [node for ind in spec.indicators for ent, node in ind.values if ent != entity]
    if not nodes:
        return None
    names: set[str] = set()
    seen: set[str] = set()
    stack = list(nodes)
    while stack:
        n = stack.pop()
        if isinstance(n, ir.Field):
            names.add(n.name)
        if isinstance(n, ir.LetRef):
            key = f"{n.entity}.{n.name}"
            if key not in seen and key in spec.checked.lets:
                seen.add(key)
                stack.append(spec.checked.lets[key].ir)
        stack.extend(ir.children(n))
    rtype = spec.entities[entity]
    keep = {f for f in rtype.fields if f in names}
    if rtype.key:
        keep.add(rtype.key)
    for parent in spec.entities.values():  # the parent keys that link a record to the level above
        for info in parent.fields.values():
            elem = getattr(info.type, "elem", None)
            if getattr(elem, "name", None) == entity and info.by:
                keep.add(info.by)
    return tuple(sorted(keep)), frozenset(names)


def project(rec: Any, fields: tuple[tuple[str, ...], frozenset[str]]) -> Any:
    """A record reduced to what the levels above read: a tuple of its kept fields' values, nested
    records cut to the field names read (a tuple holds no keys: about a third of a dict's memory)."""
    if not isinstance(rec, dict):
        return rec  # a record in error stays one, as in the report held in memory
    keep, names = fields
    return tuple(_slim(rec.get(k), names) for k in keep)


def _slim(v: Any, names: frozenset[str]) -> Any:
    if isinstance(v, dict):
        return {k: _slim(x, names) for k, x in v.items() if k in names}
    if isinstance(v, list):
        return [_slim(x, names) for x in v]
    return v


def unproject(t: Any, fields: tuple[tuple[str, ...], frozenset[str]]) -> Any:
    if not isinstance(t, tuple):
        return t
    return {k: v for k, v in zip(fields[0], t) if v is not None}


# ------------------------------------------------------------------ the pipeline
_WORKER: Judge | None = None


def _init_worker(spec_paths: list[str], selections: list, entities: list[str], options: tuple) -> None:
    global _WORKER
    from standardlang.cli.check import load_specs

    _WORKER = Judge(load_specs(spec_paths), selections, entities, *options)


def _work(task: tuple) -> dict:
    assert _WORKER is not None
    return _WORKER.chunk(task)


def leaf_entities(spec: Any) -> set[str]:
    """Entities no other entity lists below it: the levels worth streaming (communities)."""
    parents = {name for name, rec in spec.entities.items()
               if any(getattr(getattr(i.type, "elem", None), "entity", False) for i in rec.fields.values())}
    return set(spec.entities) - parents


def run(args: argparse.Namespace, specs: list, selections: list) -> int:
    """The streaming ``check``; returns the exit code."""
    from standardlang.data.readers import data_format, read_files
    from standardlang.reports.stream import Writer

    levels = _level_names(specs)
    streamed = [p for p in args.data if data_format(p) in STREAMED_FORMATS]
    whole = [p for p in args.data if p not in streamed]
    plans = [_plan_file(p, specs, args, levels) for p in streamed]
    whole += [p for p, ents in zip(streamed, plans) if ents is None]
    plans = [(p, ents) for p, ents in zip(streamed, plans) if ents is not None]
    tables = read_files(whole, args.encoding) if whole else []
    explain = args.explain or "none"
    args.lang = args.lang or "en"
    totals = Totals(specs)
    with Writer(args.format, args.output) as writer:
        for path, entities in plans:
            judge_args = (selections, entities, (explain, args.lang, args.format, args.fail_on, levels))
            good: int | None = 0
            lines = 0
            for result in _judged(path, args, specs, judge_args):
                totals.add(result)
                if result["good"] is None or good is None:
                    good = None  # parsed by the reader, which checks this itself
                else:
                    good, lines = good + result["good"], lines + result["lines"]
                if good == 0 and lines >= 20:
                    _not_jsonl(path)
                if result["text"]:
                    writer.write_text(result["text"])
                if result["rows"]:
                    writer.write_rows(result["rows"])
            if good == 0 and lines:
                _not_jsonl(path)
        _whole_and_levels(args, specs, selections, tables, plans, totals, writer, explain, levels)
        totals.finish(writer, args)
    return 1 if totals.failures else 0


def _not_jsonl(path: str) -> None:
    from standardlang.data.readers import _error

    raise _error("D003", path, "not JSON Lines: no line of it is a JSON value")


def _level_names(specs: list) -> set[str]:
    from standardlang.data.readers import level_names

    return level_names(specs)


def _plan_file(path: str, specs: list, args: Any, levels: set[str]) -> list[str] | None:
    """Per spec, the entity a streamed file holds; None when it is no lowest level of every spec (read it whole)."""
    from standardlang.data.binding import _Binder
    from standardlang.data.readers import Table

    first = next(chunks(path, args.encoding, 20), ([], [], [], False))
    rows, sources, headers, flat = first
    out = []
    for spec in specs:
        binder = _Binder(spec, _resolve(spec, args.entity), levels)
        ent = binder.table_entity(Table(path, rows, sources, flat=flat, headers=headers), rows)
        if ent is None or ent not in leaf_entities(spec):
            return None
        out.append(ent)
    return out


def _resolve(spec: Any, name: str | None) -> str | None:
    from standardlang.data.readers import resolve_entity

    return resolve_entity(spec, name)


def _judged(path: str, args: Any, specs: list, judge_args: tuple) -> Iterator[dict]:
    """Chunk results in input order: in this process, or in ``--jobs`` worker processes."""
    jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
    tasks = _tasks(path, args.encoding, raw=jobs > 1)
    if jobs <= 1:
        judge = Judge(specs, judge_args[0], judge_args[1], *judge_args[2])
        for task in tasks:
            yield judge.chunk(task)
        return
    import multiprocessing

    ctx = multiprocessing.get_context("spawn" if sys.platform == "win32" else "fork")
    with ctx.Pool(jobs, _init_worker, ([s.path for s in specs], *judge_args)) as pool:
        # imap keeps input order; a bounded window of chunks in flight keeps memory flat
        yield from _ordered(pool, tasks, jobs * 4)


def _ordered(pool: Any, tasks: Iterator[tuple], window: int) -> Iterator[dict]:
    from collections import deque

    pending: deque = deque()
    for task in tasks:
        pending.append(pool.apply_async(_work, (task,)))
        if len(pending) >= window:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def _tasks(path: str, encoding: str | None, raw: bool = False) -> Iterator[tuple]:
    from standardlang.data.readers import data_format

    if raw and data_format(path) == "jsonl":
        yield from _raw_tasks(path, encoding)
        return
    start = 0
    for rows, sources, headers, flat in chunks(path, encoding):
        yield (path, rows, sources, headers, flat, start)
        start += len(rows)


def _raw_tasks(path: str, encoding: str | None) -> Iterator[tuple]:
    """Chunks of (line number, text) of a JSON Lines file, for workers to parse."""
    from standardlang.data import safe
    from standardlang.data.readers import _error, _open

    start, lines = 0, []
    with _open(path) as fh:
        enc = safe.decide_encoding(fh, encoding)
        for n, line in safe.lines(fh, enc):
            if line.strip():
                lines.append((n, line))
            if len(lines) >= CHUNK:
                yield (path, lines, None, [], "raw", start)
                start, lines = start + len(lines), []
    if lines:
        yield (path, lines, None, [], "raw", start)
    elif not start:
        raise _error("D004", path, "no records: the file is empty", hint="JSON Lines hold one record (a JSON object) a line")


class Totals:
    """The summary accumulated on the way: records in, judged, in error; verdicts by strength and status."""

    def __init__(self, specs: list):
        self.specs = specs
        self.counts = [Counter() for _ in specs]
        self.records_in = [0] * len(specs)
        self.in_error = [0] * len(specs)
        self.failures = 0
        self.projected: list[list] = [[] for _ in specs]
        self.warnings: list[str] = []
        self.indicators = [Counter() for _ in specs]

    def add(self, result: dict) -> None:
        for k in range(len(self.specs)):
            self.counts[k].update(result["counts"][k])
            self.records_in[k] += result["in"][k]
            self.in_error[k] += result["error"][k]
            self.projected[k].extend(result["projected"][k])
        self.failures += result["failures"]
        self.warnings.extend(w for w in result["warnings"] if w not in self.warnings)

    def finish(self, writer: Any, args: Any) -> None:
        for k, spec in enumerate(self.specs):
            summary: dict[str, dict[str, int]] = {}
            indicators = Counter(self.indicators[k])
            for (strength, status), n in sorted(self.counts[k].items()):
                if strength == "indicator":
                    indicators[status] += n
                else:
                    summary.setdefault(strength, {})[status] = n
            judged = self.records_in[k] - self.in_error[k]
            line = {"kind": "summary", "spec": spec.name, "records_in": self.records_in[k], "judged": judged,
                    "in_error": self.in_error[k], "verdicts": summary, "indicators": dict(sorted(indicators.items()))}
            if writer.fmt == "jsonl":
                writer.write_line(line)
            print(f"{spec.name}: {self.records_in[k]} records in, {judged} judged, {self.in_error[k]} in error "
                  f"(bad data: error verdicts for the rules reading it)", file=sys.stderr)
        if self.warnings and writer.fmt == "jsonl":
            writer.write_line({"kind": "warnings", "warnings": self.warnings})
        for w in self.warnings:
            print(f"warning: {w}", file=sys.stderr)
        where = "" if args.output in (None, "-") else f"wrote {args.output}: "
        print(f"{where}{self.failures} failures under --fail-on {args.fail_on}", file=sys.stderr)


def _whole_and_levels(args: Any, specs: list, selections: list, tables: list, plans: list, totals: Totals,
                      writer: Any, explain: str, levels: set[str]) -> None:
    """Records of files read whole (judged as ``check`` does), then the indicators of the levels above."""
    from standardlang.data.inventory import Inventory
    from standardlang.data.readers import bind
    from standardlang.reports import is_failure, is_indicator_failure
    from standardlang.reports import stream as out

    for k, (spec, (rule_ids, indicator_ids)) in enumerate(zip(specs, selections)):
        streamed_ents = {ents[k] for _, ents in plans}
        dataset = bind(tables, spec, args.entity, levels)
        records = {e: list(rs) for e, rs in dataset.inventory.records.items()}
        for ent in streamed_ents:  # the projections of streamed records join the levels above
            for recs in records.values():
                for r in recs:
                    _unlink(spec, r, ent)
            fields = projected_fields(spec, ent)
            records[ent] = records.get(ent, []) + [unproject(t, fields) for t in totals.projected[k]]
            totals.projected[k] = []
        inventory = Inventory(spec.entities, records, dataset.sources)
        for ent in streamed_ents:
            inventory.records[ent] = []  # judged already, on the way; their projections stay linked above
        totals.warnings.extend(w for w in dataset.warnings if w not in totals.warnings)
        inds = [x for x in spec.compute_indicators(inventory)
                if x.entity not in streamed_ents and (indicator_ids is None or x.indicator.id in indicator_ids)]
        results = []
        for ent, recs in inventory.records.items():  # records of files read whole
            rules = [r for r in spec.rules if r.entity == ent and (rule_ids is None or r.id in rule_ids)]
            if rules:
                results.extend(spec.judge(rec, ent, rules, i) for i, rec in enumerate(recs))
        for res in results:
            src = dataset.source(res.record)
            totals.records_in[k] += 1
            totals.in_error[k] += bool(res.problems)
            for v in res.verdicts:
                totals.counts[k][(v.rule.strength, v.status.value)] += 1
                totals.failures += is_failure(v, args.fail_on)
            _write_record(writer, spec, res, src, explain, args.lang, [])
        for x in inds:
            totals.indicators[k][x.status.value] += 1
            totals.failures += is_indicator_failure(x, args.fail_on)
            if writer.fmt == "jsonl":
                writer.write_line({"kind": "indicator", "spec": spec.name, **x.to_dict()})
            elif writer.fmt == "csv":
                writer.write_csv([out.indicator_csv_row(spec.name, x)])
            else:
                writer.write_rows([out.indicator_parquet_row(spec.name, x)])
        totals.projected[k] = []


def _unlink(spec: Any, rec: Any, child: str) -> None:
    """Forget a parent's empty list of ``child`` records (linked before the streamed children joined)."""
    if not isinstance(rec, dict):
        return
    for rtype in spec.entities.values():
        for fname, info in rtype.fields.items():
            elem = getattr(info.type, "elem", None)
            if getattr(elem, "name", None) == child and info.by and rec.get(fname) == []:
                rec.pop(fname, None)


def _write_record(writer: Any, spec: Any, res: Any, src: Any, explain: str, lang: str, inds: list) -> None:
    from standardlang.reports import stream as out

    if writer.fmt == "jsonl":
        writer.write_line(out.record_line(spec.name, res, src, explain, lang, inds))
    elif writer.fmt == "csv":
        writer.write_csv(out.csv_rows(spec.name, res, src, explain, lang))
    else:
        writer.write_rows(out.parquet_rows(spec.name, res, src, explain, lang, inds))
