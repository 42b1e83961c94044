"""The streaming ``check``: records read, judged and written one chunk at a time, in bounded memory.

Takes the parsed ``check`` arguments with ``--format jsonl|csv|parquet``; gives the
exit code, having written one line (JSON Lines), rows (CSV) or long-format rows
(Parquet) per record and spec as they were judged, then the indicator values of the
levels above and a summary that adds up (records in = judged + in error).

JSON Lines and CSV/TSV files of a lowest entity level (communities: no level is
linked below them) are streamed in chunks of :data:`CHUNK` records; every other file
(the city, its districts, a JSON document) is read whole, as ``check`` always does.
With ``--jobs N`` chunks are judged in N worker processes and written in input
order.  Indicators of the levels above need the streamed records' values: each record
is folded into its parent's accumulators (:mod:`standardlang.engine.rollup`), and the
records of those levels, read after the streamed ones, are kept for their indicators
only (:class:`~standardlang.engine.rollup.Upper`); no streamed record, verdict or
explanation is kept.
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
    """Chunks of a CSV/TSV file.  A row the CSV reader refuses (a cell over its size limit) or with
    more cells than the header has columns is one record in error naming its line, and the rows
    after it are read on: every row of the file is one record out."""
    import csv

    from standardlang.data import safe
    from standardlang.data.readers import Provenance, UnreadableLine, _open

    with _open(path) as fh:
        enc = safe.decide_encoding(fh, encoding)
        text = (line + "\n" for _, line in safe.lines(fh, enc))
        reader = csv.reader(text, delimiter=delimiter)
        headers: list[str] = []
        rows: list = []
        sources: list = []
        end = 0
        while True:
            try:
                cells = next(reader)
                row: Any = None
            except StopIteration:
                break
            except csv.Error as exc:
                cells, row = [], UnreadableLine(f"row at line {reader.line_num}", f"not valid CSV: {exc}")
            start, end = end + 1, reader.line_num
            if row is None and not any(str(c).strip() for c in cells):
                continue
            if row is None and not headers:
                headers = [c.strip() for c in cells]
                continue
            if row is None and len(cells) > len(headers) and any(str(c).strip() for c in cells[len(headers):]):
                row = UnreadableLine(f"row at line {start}", f"{len(cells)} cells for {len(headers)} columns: "
                                     f"the cells after column `{headers[-1]}` belong to no field")
            rows.append(dict(zip(headers, cells)) if row is None else row)
            sources.append(Provenance(path, start))
            if len(rows) >= size:
                yield rows, sources, headers, True
                rows, sources = [], []
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
        from standardlang.engine.rollup import plan

        self.rollups = [plan(spec, ent)[0] for spec, ent in zip(specs, entities)]

    def chunk(self, task: tuple) -> dict:
        """Judge one chunk: its output (text or rows), counts, failures and what the levels above need."""
        from standardlang.data.readers import Table, bind

        path, rows, sources, headers, flat, start = task
        good = None
        if flat == "raw":  # JSON Lines text, parsed here in the worker: the main process only reads lines
            from standardlang.data.readers import Provenance, UnreadableLine, jsonl_row

            sources = [Provenance(path, n, "line") for n, _ in rows]
            rows = [jsonl_row(line) for _, line in rows]
            good, flat = sum(not isinstance(r, UnreadableLine) for r in rows), False
        out = _ChunkOut(len(self.specs))
        for k, (spec, ent) in enumerate(zip(self.specs, self.entities)):
            table = Table(path, rows, sources, flat=flat, headers=headers)
            dataset = bind([table], spec, ent, self.levels)
            out.warnings.extend(dataset.warnings)
            for got_ent, recs in dataset.inventory.records.items():
                if got_ent == ent:
                    self._records(k, spec, ent, recs, dataset, start, out)
        return {"text": "".join(out.text), "rows": out.table_rows, "counts": out.counts, "in": out.records_in,
                "error": out.in_error, "failures": out.failures, "groups": out.groups,
                "warnings": out.warnings, "good": good, "lines": len(rows)}

    def _records(self, k: int, spec: Any, ent: str, recs: list, dataset: Any, start: int, out: "_ChunkOut") -> None:
        from standardlang.engine.evaluate import judge_indicator
        from standardlang.reports import failing_strengths, is_indicator_failure
        from standardlang.status import Status
        from standardlang.reports import stream as report

        interp, fmt, explain, lang = spec.interpreter, self.fmt, self.explain, self.lang
        own = [(ind, spec.indicator_function(ind.id, ent)) for ind in self.own_indicators[k]]
        counts, rules, fail_on = out.counts[k], self.rules[k], self.fail_on
        strengths = [r.strength for r in rules]
        tally: Counter = Counter()  # (strength, status) of every verdict of the chunk
        lines = report.LineWriter(spec.name, interp) if fmt == "jsonl" else None
        folded: list[tuple[Any, list]] = []  # (record, its problems), for the indicators of the levels above
        for i, rec in enumerate(recs):
            result = spec.judge(rec, ent, rules, start + i)
            source = dataset.source(rec)
            if result.problems or not isinstance(rec, dict):  # validated once more, where each indicator reads
                inds = [spec.indicator_value(ind.id, rec, ent, result.record_id) for ind, _ in own]
            else:  # judge found the record sound: no indicator meets a bad value
                inds = [judge_indicator(ind, fn, rec, ent, result.record_id, interp) for ind, fn in own]
            out.records_in[k] += 1
            out.in_error[k] += bool(result.problems)
            tally.update(zip(strengths, result.statuses))  # statuses: no verdict object is built
            for x in inds:
                counts[("indicator", x.status.value)] += 1
                out.failures += is_indicator_failure(x, fail_on)
            if fmt == "jsonl":
                out.text.append(lines.line(result, source, explain, lang, inds))
            elif fmt == "csv":
                out.text.append(_csv(report.csv_rows(spec.name, result, source, explain, lang, interp)
                                     + [report.indicator_csv_row(spec.name, x) for x in inds]))
            else:
                out.table_rows.extend(report.parquet_rows(spec.name, result, source, explain, lang, inds, interp))
            folded.append((rec, result.problems))
        failing = failing_strengths(fail_on)
        for (strength, status), n in tally.items():
            counts[(strength, status.value)] += n
            out.failures += n if status in (Status.FAIL, Status.ERROR) and strength in failing else 0
        if self.rollups[k] is not None:
            out.groups[k] = self.rollups[k].fold([r for r, _ in folded], [p for _, p in folded])


class _ChunkOut:
    """What judging one chunk gives back to the main process (text, counts; never verdict objects)."""

    def __init__(self, n: int):
        self.text: list[str] = []
        self.table_rows: list[dict] = []
        self.counts = [Counter() for _ in range(n)]
        self.records_in = [0] * n
        self.in_error = [0] * n
        self.failures = 0
        self.groups: list[dict] = [{} for _ in range(n)]  # per spec: accumulators by parent key (engine.rollup)
        self.warnings: list[str] = []


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


# ------------------------------------------------------------------ the pipeline
_WORKER: Judge | None = None


def _init_worker(spec_paths: list[str], selections: list, entities: list[str], options: tuple) -> None:
    global _WORKER
    if _WORKER is not None:  # forked: the parent's judge (specs loaded and compiled) came along
        return
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
    totals = Totals(specs)
    plans = []
    for p in streamed:
        ents = _plan_file(p, specs, args, levels, totals)
        if ents is None:
            whole.append(p)
        else:
            plans.append((p, ents))
    if whole and not plans:
        read_files(whole, args.encoding)  # a bad file stops the run before any output (read again below)
    elif whole:
        for p in whole:  # the same, file by file, holding none: the workers are forked without them
            _check_readable(p, args.encoding)
    explain = args.explain or "none"
    args.lang = args.lang or "en"
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
        _whole_and_levels(args, specs, selections, whole, totals, writer, explain, levels)
        totals.finish(writer, args)
    return 1 if totals.failures else 0


def _not_jsonl(path: str) -> None:
    from standardlang.data.readers import _error

    raise _error("D003", path, "not JSON Lines: no line of it is a JSON value")


def _level_names(specs: list) -> set[str]:
    from standardlang.data.readers import level_names

    return level_names(specs)


def _plan_file(path: str, specs: list, args: Any, levels: set[str], totals: "Totals") -> list[str] | None:
    """Per spec, the entity a streamed file holds; None when it is no lowest level of every spec, or
    when the indicators above it cannot be accumulated on the way (then the file is read whole)."""
    from standardlang.data.binding import _Binder
    from standardlang.data.readers import Table
    from standardlang.engine.rollup import plan

    first = next(chunks(path, args.encoding, 20), ([], [], [], False))
    rows, sources, headers, flat = first
    out = []
    rollups = list(totals.rollups)
    for k, spec in enumerate(specs):
        binder = _Binder(spec, _resolve(spec, args.entity), levels)
        ent = binder.table_entity(Table(path, rows, sources, flat=flat, headers=headers), rows)
        if ent is None or ent not in leaf_entities(spec):
            return None
        if rollups[k] is None:
            rollups[k], why = plan(spec, ent)
            if rollups[k] is None:
                totals.warnings.append(f"{path}: read whole, not streamed: {why}")
                return None
        elif rollups[k].entity != ent:  # one streamed level per spec
            return None
        out.append(ent)
    totals.rollups = rollups
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

    global _WORKER
    method = "spawn" if sys.platform == "win32" else "fork"
    ctx = multiprocessing.get_context(method)
    if method == "fork":  # the workers inherit the loaded specs instead of loading and compiling them again
        _WORKER = Judge(specs, judge_args[0], judge_args[1], *judge_args[2])
    try:
        with ctx.Pool(jobs, _init_worker, ([s.path for s in specs], *judge_args)) as pool:
            # results in input order; two chunks a worker in flight (one judged, one waiting) keep memory flat
            yield from _ordered(pool, tasks, jobs * 2)
    finally:
        _WORKER = None


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
        self.groups: list[dict] = [{} for _ in specs]  # accumulators of the streamed records, by parent key
        self.rollups: list = [None] * len(specs)  # per spec: the plan of its upper levels (engine.rollup)
        self.warnings: list[str] = []
        self.indicators = [Counter() for _ in specs]

    def add(self, result: dict) -> None:
        from standardlang.engine.rollup import merge_groups

        for k in range(len(self.specs)):
            self.counts[k].update(result["counts"][k])
            self.records_in[k] += result["in"][k]
            self.in_error[k] += result["error"][k]
            if self.rollups[k] is not None and result["groups"][k]:
                merge_groups(self.groups[k], result["groups"][k], self.rollups[k].sigs)
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


def _whole_and_levels(args: Any, specs: list, selections: list, whole: list[str], totals: Totals,
                      writer: Any, explain: str, levels: set[str]) -> None:
    """Records of files read whole (judged as ``check`` does), then the indicators of the levels above,
    from the accumulators of the streamed records (:mod:`standardlang.engine.rollup`), written one by one."""
    from standardlang.data.validate import validate
    from standardlang.engine.rollup import merge_groups
    from standardlang.reports import is_failure, is_indicator_failure

    from standardlang.engine.rollup import Upper

    for k, (spec, (rule_ids, indicator_ids)) in enumerate(zip(specs, selections)):
        rollup, groups = totals.rollups[k], None
        upper = Upper(rollup) if rollup is not None else None  # the levels above, kept for their indicators
        inventory, sources = _bind_whole(whole, spec, args, levels, totals.warnings, upper)
        for ent, recs in inventory.records.items():  # records of files read whole
            rules = [r for r in spec.rules if r.entity == ent and (rule_ids is None or r.id in rule_ids)]
            for i, rec in enumerate(recs if rules else ()):
                res = spec.judge(rec, ent, rules, i)
                totals.records_in[k] += 1
                totals.in_error[k] += bool(res.problems)
                for v in res.verdicts:
                    totals.counts[k][(v.rule.strength, v.status.value)] += 1
                    totals.failures += is_failure(v, args.fail_on)
                _write_record(writer, spec, res, sources.get(id(res.record)), explain, args.lang, [])
        if rollup is None:  # nothing streamed for this spec: its indicators as check computes them
            inds = iter(spec.compute_indicators(inventory))
        else:
            ent = rollup.entity
            read = inventory.records.get(ent, [])  # records of the streamed level in files read whole
            rtype = spec.entities[ent]
            groups = rollup.fold(read, [validate(r, rtype) if isinstance(r, dict) else [] for r in read])
            merge_groups(groups, totals.groups[k], rollup.sigs)  # read whole first, then streamed, as check links them
            totals.groups[k] = {}
            own = [ind for ind in spec.indicators if ind.value_for(ent) is not None]
            inds = iter([spec.indicator_value(ind.id, r, ent, spec.record_id(ent, r, i))
                         for ind in own for i, r in enumerate(read)])
            inds = _chain(inds, rollup.indicators(inventory, groups, upper=upper))
        for x in inds:
            if indicator_ids is not None and x.indicator.id not in indicator_ids:
                continue
            totals.indicators[k][x.status.value] += 1
            totals.failures += is_indicator_failure(x, args.fail_on)
            _write_indicator(writer, spec, x)
        del inventory, sources, inds, upper, groups  # before the next spec's are bound


def _check_readable(path: str, encoding: str | None) -> None:
    from standardlang.data.readers import data_format, read_file

    if data_format(path) in STREAMED_FORMATS:
        for _ in chunks(path, encoding, 5000):
            pass
    else:
        read_file(path, encoding)


def _bind_whole(paths: list[str], spec: Any, args: Any, levels: set[str], warnings: list[str],
                upper: Any = None) -> tuple[Any, dict]:
    """(the inventory of the files read whole, their records' provenance) for ``spec``.

    JSON Lines and CSV files are bound a chunk at a time and their rows dropped as they
    are bound: the records of the levels above (a province's subdistricts) are held once,
    not twice.  Provenance is kept for the records that rules judge (their lines need it).
    ``upper`` (:class:`~standardlang.engine.rollup.Upper`) keeps of the other records only
    what their indicators read.
    """
    from standardlang.data.inventory import Inventory
    from standardlang.data.readers import Table, bind, data_format, read_file

    records: dict[str, list] = {}
    sources: dict[int, Any] = {}
    judged = {r.entity for r in spec.rules}
    for path in paths:
        if data_format(path) in STREAMED_FORMATS:
            tables: Any = (Table(path, rows, srcs, flat=flat, headers=heads)
                           for rows, srcs, heads, flat in chunks(path, args.encoding))
        else:
            tables = read_file(path, args.encoding)
        for table in tables:
            dataset = bind([table], spec, args.entity, levels)
            warnings.extend(w for w in dataset.warnings if w not in warnings)
            for ent, recs in dataset.inventory.records.items():
                for rec in recs:
                    _unlink(spec, ent, rec)
                    if upper is not None:
                        upper.add(ent, rec)
                    if ent in judged:
                        sources[id(rec)] = dataset.source(rec)
                records.setdefault(ent, []).extend(recs)
    return Inventory(spec.entities, records), sources


def _unlink(spec: Any, entity: str, rec: Any) -> None:
    """Forget the empty ``list of`` fields linked within one chunk: the whole inventory links them."""
    if not isinstance(rec, dict):
        return
    for fname, info in spec.entities[entity].fields.items():
        elem = getattr(info.type, "elem", None)
        if getattr(elem, "entity", False) and info.by and rec.get(fname) == []:
            del rec[fname]


def _chain(*its: Any) -> Iterator:
    for it in its:
        yield from it


def _write_indicator(writer: Any, spec: Any, x: Any) -> None:
    if writer.fmt == "jsonl":
        writer.write_line({"kind": "indicator", "spec": spec.name, **x.to_dict()})
    elif writer.fmt == "csv":
        from standardlang.reports import stream as out

        writer.write_csv([out.indicator_csv_row(spec.name, x)])
    else:
        from standardlang.reports import stream as out

        writer.write_rows([out.indicator_parquet_row(spec.name, x)])


def _write_record(writer: Any, spec: Any, res: Any, src: Any, explain: str, lang: str, inds: list) -> None:
    from standardlang.reports import stream as out

    if writer.fmt == "jsonl":
        writer.write_line(out.record_line(spec.name, res, src, explain, lang, inds))
    elif writer.fmt == "csv":
        writer.write_csv(out.csv_rows(spec.name, res, src, explain, lang))
    else:
        writer.write_rows(out.parquet_rows(spec.name, res, src, explain, lang, inds))
