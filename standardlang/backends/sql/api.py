"""The library and command-line face of the SQL back end.

Takes a loaded :class:`~standardlang.engine.program.Spec` and sources (files, Arrow tables,
pandas DataFrames, DuckDB relations, lists of records); gives

* :func:`evaluate_table`: the verdicts as an Arrow table (or a pandas DataFrame), one row
  per record and one column per rule, judged inside the database;
* :func:`report`: the same verdicts as a :class:`~standardlang.engine.program.Report`, so
  every report format of ``check`` (text, JSON, CSV, HTML, JUnit) renders them, with
  explanations built by the Python interpreter for the records that need one.
"""

from __future__ import annotations

import os
from fractions import Fraction
from typing import Any, Iterable

from standardlang.errors import DataError

ENGINES = ("python", "duckdb")


def _engine_run(spec: Any, engine: str, connection: Any = None, threads: int | None = None) -> Any:
    if engine != "duckdb":
        raise DataError(f"unknown SQL engine `{engine}`; the engines are: duckdb")
    from standardlang.backends.sql.duckdb_engine import DuckDBRun

    return DuckDBRun(spec, connection, threads)


def add_sources(run: Any, source: Any, entity: str | None) -> None:
    """A path, a table, records, or a mapping of entity (or collection name) -> source."""
    from standardlang.data.inventory import collection_names

    if isinstance(source, dict) and not _is_records_dict(source):
        names = collection_names(run.spec.checked.entities)
        for key, value in source.items():
            if key.startswith("$"):
                continue
            if key not in names:
                raise DataError(f"`{key}` is no entity or collection of spec {run.spec.name}")
            run.add(value, names[key])
        return
    run.add(source, entity)


def _is_records_dict(source: dict) -> bool:
    return any(isinstance(v, list) and v and isinstance(v[0], dict) for v in source.values()) and \
        all(isinstance(v, list) for k, v in source.items() if not k.startswith("$"))


def evaluate_table(spec: Any, source: Any, entity: str | None = None, engine: str = "duckdb",
                   rules: Iterable[str] | None = None, indicators: bool = True, output: str = "arrow",
                   connection: Any = None, threads: int | None = None) -> Any:
    """Judge ``source`` inside a database; one row per record of ``entity``, a column per rule.

    Args:
        spec: a loaded spec.
        source: a file path (.parquet, .jsonl, .json, .csv), an Arrow table, a pandas
            DataFrame, a DuckDB relation, a list of records, or a mapping of entity
            names to such sources (the levels of an inventory, linked by their keys).
        entity: the entity level to judge (default: the spec's first).
        engine: ``duckdb``.
        rules: rule ids to judge (default: all of the entity's).
        indicators: add the indicators' status and exact value (``<id>.num`` / ``<id>.den``).
        output: ``arrow`` (a pyarrow Table) or ``pandas`` (a DataFrame).
        connection: a DuckDB connection to run in (default: a new in-memory one).
        threads: DuckDB's thread count.
    """
    entity = entity or spec.default_entity
    run = _engine_run(spec, engine, connection, threads)
    try:
        add_sources(run, source, entity)
        selected = None if rules is None else set(rules)
        chosen = [r for r in spec.checked.rules if r.entity == entity and (selected is None or r.id in selected)]
        table = run.table(entity, chosen, indicators)
    finally:
        run.close()
    if output == "pandas":
        return table.to_pandas()
    if output != "arrow":
        raise DataError(f"output is `arrow` or `pandas`, not `{output}`")
    return table


def report(spec: Any, sources: list[tuple[Any, str | None]], engine: str = "duckdb",
           rule_ids: list[str] | None = None, indicator_ids: list[str] | None = None,
           threads: int | None = None) -> Any:
    """Judge on ``engine`` and give a :class:`Report` every renderer of ``check`` accepts."""
    from standardlang.engine.evaluate import IndicatorResult, Verdict
    from standardlang.engine.program import RecordResult, Report
    from standardlang.engine.verdict import Status
    from standardlang.reports import Meta

    run = _engine_run(spec, engine, threads=threads)
    try:
        for source, entity in sources:
            add_sources(run, source, entity)
        results, inds, counts, records_by_entity = [], [], {}, {}
        warnings = run.warnings
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
    files = [os.fspath(s) for s, _ in sources if isinstance(s, (str, os.PathLike))]
    rep.meta = Meta(sources=provenance, read=dict(counts), files=files, warnings=list(warnings), records=records_by_entity,
                    rules=rule_ids)
    return rep


def _problem(text: str) -> Any:
    from standardlang.data.validate import Problem

    path, _, message = text.partition(": ")
    found = message.rsplit(", found ", 1)
    return Problem(path, found[1] if len(found) == 2 else None, message)


def _indicator(cls: Any, ind: Any, entity: str, rid: str, row: dict, spec: Any, record: Any) -> Any:
    from standardlang.engine.verdict import Status

    status = Status(row[ind.id])
    value = None
    if row.get(f"{ind.id}.num") is not None and row.get(f"{ind.id}.den") is not None:
        v = Fraction(row[f"{ind.id}.num"]) / Fraction(row[f"{ind.id}.den"])
        value = int(v) if v.denominator == 1 else v
    missing: tuple = ()
    error = None
    if status is Status.UNKNOWN:
        found: list[str] = []
        try:
            spec.interpreter.eval(ind.value_for(entity), [record], found)
        except Exception:  # the list of missing fields is a courtesy
            found = []
        missing = tuple(dict.fromkeys(found))
    if status is Status.ERROR:
        error = "bad data: a field this value reads has a bad value"
    return cls(ind, entity, rid, value, status, error, missing)
