"""``standardlang check ... --engine duckdb``: the ``check`` command judged inside DuckDB.

Takes the parsed arguments of ``check``; gives the same reports and exit codes as the
Python path (:func:`report` turns the SQL verdicts into a :class:`Report`, explanations
built by the Python interpreter for the records that need one), the data read by DuckDB itself (Parquet, JSON Lines, JSON, CSV).  A file
named after a level (``communities.parquet``, ``districts.jsonl``) holds that level;
otherwise ``--entity`` or the spec's first entity.
"""

from __future__ import annotations

import os
import sys
from fractions import Fraction
from typing import Any

from standardlang.data.readers import user_error


def file_entity(spec: Any, path: str, entity: str | None) -> str | None:
    from standardlang.data.inventory import collection_names

    if entity is not None:
        return entity
    stem = os.path.splitext(os.path.basename(path))[0]
    return collection_names(spec.checked.entities).get(stem)


def file_sources(spec: Any, specs: list, args: Any) -> tuple[list[tuple[str, str | None]], list[str]]:
    """(file, entity) of each ``--data`` file for ``spec``, as the Python binder names a file's level
    (``communities.jsonl``, ``--entity``); a file named after a level this spec lacks (``city.jsonl``
    for a spec of communities) is left out with the Python path's warning."""
    from standardlang.data.binding import _Binder, level_names
    from standardlang.data.readers import Table, resolve_entity

    binder = _Binder(spec, resolve_entity(spec, args.entity), level_names(specs))
    out = []
    for path in args.data or []:
        if os.path.splitext(path)[1].lower() == ".json":  # a document of collections names its own levels
            out.append((path, file_entity(spec, path, args.entity)))
            continue
        ent = binder.table_entity(Table(path, [], []), [])
        if ent is not None:
            out.append((path, ent))
    return out, binder.warnings


def run_check(args: Any) -> int:
    from standardlang.cli.check import load_specs, select
    from standardlang.reports import Options, exit_code, render, use_color, write_output

    if args.where:
        raise user_error("U011", f"--where is not available with --engine {args.engine}",
                         "filter the data in the database, or use --engine python")
    specs = load_specs(args.specs)
    selections = select(specs, args.only, args.skip)
    check_sources(args)
    for path in args.data or []:
        if not os.path.exists(path):
            print(f"error: {path}: no such file", file=sys.stderr)
            return 3
    if args.format in ("jsonl", "parquet") or (args.format == "csv" and streamed_input(args)):
        if args.engine != "duckdb":
            raise user_error("U011", f"--format {args.format} is streamed from --engine duckdb, not {args.engine}",
                             "use --format json, csv or text, or judge the files with --engine duckdb")
        return _guarded(args, lambda: stream(args, specs, selections))
    if args.format == "text" and args.engine == "duckdb":
        from standardlang.cli.check import MAX_DOCUMENT_RECORDS
        from standardlang.cli.sql_stream import run_summary

        code = _guarded(args, lambda: run_summary(args, specs, selections, lambda spec: file_sources(spec, specs, args),
                                                  MAX_DOCUMENT_RECORDS))
        if code is not None:
            return code
    found = [file_sources(spec, specs, args) for spec in specs]  # a usage error here is no data error
    reports: list = []
    code = _guarded(args, lambda: reports.extend(_reports(args, specs, selections, found)))
    if code is not None:
        return code
    to_stdout = args.output in (None, "-")
    color = args.format == "text" and to_stdout and use_color(sys.stdout)
    options = Options(lang=args.lang, color=color, fail_on=args.fail_on, explain=args.explain or "failures")
    write_output(render(reports, args.format, options), args.output, bom=args.format == "csv")
    if not (args.format == "text" and to_stdout):
        judged = sum(len(r.results) for r in reports)
        where = "" if to_stdout else f"wrote {args.output}: "
        print(f"{where}judged {judged} records against {len(specs)} spec(s) on {args.engine}", file=sys.stderr)
    return exit_code(reports, args.fail_on)


def _reports(args: Any, specs: list, selections: list, found: list) -> list:
    """The report of each spec, judged on ``args.engine`` from its (file sources, warnings) ``found``
    (errors are :func:`_guarded`'s)."""
    reports = []
    for spec, (rule_ids, indicator_ids), (files, ignored) in zip(specs, selections, found):
        sources = files + table_sources(spec, args)
        reports.append(report(spec, sources, args.engine, rule_ids, indicator_ids, args.threads,
                              connection=_connection(args), warnings=ignored))
    return reports


def streamed_input(args: Any) -> bool:
    """Whether the csv report is streamed: some input is JSON Lines, CSV or Parquet (as ``check.streams``)."""
    from standardlang.cli.sql_stream import STREAMED

    return any(os.path.splitext(p)[1].lower() in STREAMED for p in args.data or [])


def stream(args: Any, specs: list, selections: list) -> int:
    """The streamed reports (:mod:`standardlang.cli.sql_stream`)."""
    from standardlang.cli.sql_stream import run_stream

    return run_stream(args, specs, selections, lambda spec: file_sources(spec, specs, args))


def _guarded(args: Any, fn: Any) -> Any:
    """``fn()``; a data or database error said in one line instead (exit code 3); any other error,
    a bug of ours, raised again."""
    from standardlang.backends.sql.values import SQLCompileError
    from standardlang.errors import DataError

    try:
        return fn()
    except (DataError, SQLCompileError) as exc:
        message = exc.first.message if isinstance(exc, DataError) else str(exc)
        print(f"error: --engine {args.engine}: {message}", file=sys.stderr)
        return 3
    except Exception as exc:  # a database's own error never reaches the user as a traceback
        if not isinstance(exc, _database_errors()):
            raise  # a bug of ours: the command's handler reports it as one, never as a data error
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"error: --engine {args.engine} could not read the data: {first}", file=sys.stderr)
        return 3


def check_sources(args: Any) -> None:
    """Usage errors: which engine reads files, which tables, which needs a DSN."""
    if args.engine == "postgres" and args.data:
        raise user_error("U011", "--engine postgres judges tables in the server, not --data files",
                         "load the files into tables, or judge them with --engine duckdb")
    if args.engine == "duckdb" and args.table:
        raise user_error("U011", "--engine duckdb reads --data files, not --table", "give --data FILE...")
    if args.engine == "duckdb" and not args.data:
        raise user_error("U011", "--engine duckdb judges data files: give --data FILE...")
    if args.engine == "spark" and not (args.data or args.table):
        raise user_error("U011", "--engine spark judges --data files or --table tables of the Spark catalog")
    if args.dsn and args.engine != "postgres":
        raise user_error("U011", f"--dsn is for --engine postgres, not {args.engine}")


def table_sources(spec: Any, args: Any) -> list[tuple[str, str | None]]:
    """``--table [LEVEL=]NAME`` as (table, entity); with no --table, postgres takes the tables named after
    the spec's collections (empty: the engine says which it looked for)."""
    from standardlang.data.readers import resolve_entity

    out = []
    for item in args.table or []:
        level, sep, name = item.partition("=")
        if sep:
            out.append((name, resolve_entity(spec, level)))
        else:
            out.append((item, file_entity(spec, item.rsplit(".", 1)[-1], args.entity)))
    if not out and args.engine == "postgres":
        from standardlang.data.inventory import collection_names

        out = [("?" + c, e) for c, e in collection_names(spec.checked.entities).items()]
    return out


def _connection(args: Any) -> Any:
    if args.engine == "postgres":
        return args.dsn or ""
    return None


def report(spec: Any, sources: list[tuple[Any, str | None]], engine: str = "duckdb",
           rule_ids: list[str] | None = None, indicator_ids: list[str] | None = None,
           threads: int | None = None, connection: Any = None, warnings: list[str] = ()) -> Any:
    """Judge on ``engine`` and give a :class:`Report` every renderer of ``check`` accepts."""
    from standardlang.engine.evaluate import IndicatorResult, Verdict
    from standardlang.engine.program import RecordResult, Report
    from standardlang.engine.verdict import Status
    from standardlang.reports import Meta

    from standardlang.backends.sql.api import _engine_run, add_sources

    run = _engine_run(spec, engine, connection, threads=threads)
    try:
        for source, entity in sources:
            add_sources(run, source, entity)
        if not run.entities():
            looked = ", ".join(s.lstrip("?") for s, _ in sources if isinstance(s, str)) or "none given"
            raise DataError(f"no records to judge (tables looked for: {looked}); give --table NAME")
        results, inds, counts, records_by_entity = [], [], {}, {}
        warnings = list(warnings) + [w for w in run.warnings if w not in warnings]
        provenance: dict[int, Any] = {}
        by_value: dict[tuple[str, str], list] = {}
        for ent in run.entities():
            rules = [r for r in spec.checked.rules if r.entity == ent and (rule_ids is None or r.id in rule_ids)]
            rows = run.table(ent, rules).to_pylist()
            records = run.records(ent)
            counts[ent] = len(rows)
            records_by_entity[ent] = records
            for i, (row, rec) in enumerate(zip(rows, records)):
                rid = row["record"]
                where = run.provenance(ent, i)
                if where is not None:
                    provenance[id(rec)] = where
                verdicts = [Verdict(r, Status(row[r.id]), rec, spec, rid) for r in rules]
                problems = [_problem(p) for p in row["problems"] or []]
                if rules:
                    results.append(RecordResult(ent, rid, verdicts, problems, rec))
                for ind in spec.checked.indicators:
                    if ind.value_for(ent) is None or (indicator_ids is not None and ind.id not in indicator_ids):
                        continue
                    by_value.setdefault((ind.id, ent), []).append(
                        _indicator(IndicatorResult, ind, ent, rid, row, spec, rec))
        for ind in spec.checked.indicators:  # in the Python path's order: indicator, then level
            for ent, _ in ind.values:
                inds.extend(by_value.get((ind.id, ent), []))
    finally:
        run.close()
    rep = Report(spec, results, inds, {k: v for k, v in counts.items() if v})
    files = [os.fspath(s) for s, _ in sources if isinstance(s, (str, os.PathLike)) and os.path.exists(s)]
    rep.meta = Meta(sources=provenance, read=dict(counts), files=files, warnings=list(warnings), records=records_by_entity,
                    rules=rule_ids)
    return rep


def _problem(text: str) -> Any:
    """A ``problems`` entry of the verdict table (``path: expected ..., found VALUE``, the value as
    JSON) as the Python path's :class:`Problem`: the value itself, shown as ``validate`` shows it."""
    import json

    from standardlang.data.validate import Problem, _short

    path, _, message = text.partition(": ")
    head, sep, found = message.rpartition(", found ")
    if not sep:
        return Problem(path, None, message)
    try:
        value = json.loads(found)
    except ValueError:  # not a JSON value (a shortened one): as DuckDB said it
        return Problem(path, found, message)
    return Problem(path, value, f"{head}, found {_short(value)}")


def indicator_value(row: dict, ind_id: str) -> Any:
    """An indicator's value in a verdict row: a number, a ``Bounds`` (known in part) or None (unknown)."""
    from standardlang.backends.python.runtime import bounded

    den = row.get(f"{ind_id}.den")
    if den is None:
        return None
    ends = [None if row.get(f"{ind_id}.{k}") is None else Fraction(row[f"{ind_id}.{k}"]) / Fraction(den)
            for k in ("low", "high")]
    return bounded(*ends)


def _indicator(cls: Any, ind: Any, entity: str, rid: str, row: dict, spec: Any, record: Any) -> Any:
    from standardlang.backends.python.runtime import BadValue, Bounds
    from standardlang.engine.verdict import Status

    status = Status(row[ind.id])
    value = indicator_value(row, ind.id)
    missing: tuple = ()
    error = None
    if status is Status.UNKNOWN or isinstance(value, Bounds):
        found: list[str] = []
        try:
            spec.interpreter.eval(ind.value_for(entity), [record], found)
        except BadValue:  # a bad value read on the way: the status says error, no missing list
            found = []
        missing = tuple(dict.fromkeys(found))
    if status is Status.ERROR:
        error = "bad data: a field this value reads has a bad value"
    return cls(ind, entity, rid, value, status, error, missing)


def _database_errors() -> tuple[type, ...]:
    """The error classes of the engines loaded so far (DuckDB, psycopg, Spark and its JVM bridge)."""
    found = []
    for module, name in (("duckdb", "Error"), ("psycopg", "Error"), ("pyspark.errors", "PySparkException"),
                         ("py4j.protocol", "Py4JError")):
        cls = getattr(sys.modules.get(module), name, None)
        if isinstance(cls, type):
            found.append(cls)
    return tuple(found)

