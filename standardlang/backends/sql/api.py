"""The library and command-line face of the SQL back end.

Takes a loaded :class:`~standardlang.engine.program.Spec` and sources (files, Arrow tables,
pandas DataFrames, DuckDB relations, lists of records); gives

* :func:`evaluate_table`: the verdicts as an Arrow table (or a pandas DataFrame), one row
  per record and one column per rule, judged inside the database;
* :func:`add_sources`: sources registered in an engine run (used by ``check --engine``,
  :mod:`standardlang.cli.sql_engine`, which turns the verdicts into a ``Report``).
"""

from __future__ import annotations

from typing import Any, Iterable

from standardlang.errors import DataError

ENGINES = ("python", "duckdb", "postgres", "spark")


def _engine_run(spec: Any, engine: str, connection: Any = None, threads: int | None = None) -> Any:
    if engine == "postgres":
        from standardlang.backends.sql.postgres_engine import PostgresRun

        if connection is None:
            raise DataError("the PostgreSQL engine needs a connection: a DSN, a URL or a psycopg connection")
        return PostgresRun(spec, connection)
    if engine == "spark":
        from standardlang.backends.sql.spark_engine import SparkRun

        return SparkRun(spec, connection)
    if engine != "duckdb":
        raise DataError(f"unknown SQL engine `{engine}`; the engines are: duckdb, postgres, spark")
    from standardlang.backends.sql.duckdb_engine import DuckDBRun

    run = DuckDBRun(spec, connection, threads)
    if connection is None:  # DuckDB draws a progress bar for a long query on stdout, over a report written there
        run.con.execute("SET enable_progress_bar = false")
    return run


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
                   connection: Any = None, threads: int | None = None, explain: bool = False) -> Any:
    """Judge ``source`` inside a database; one row per record of ``entity``, a column per rule.

    Args:
        spec: a loaded spec.
        source: a file path (.parquet, .jsonl, .json, .csv), an Arrow table, a pandas
            DataFrame, a DuckDB relation, a list of records, or a mapping of entity
            names to such sources (the levels of an inventory, linked by their keys).
        entity: the entity level to judge (default: the spec's first).
        engine: ``duckdb``.
        rules: rule ids to judge (default: all of the entity's).
        indicators: add the indicators' status and exact value (``<id>.low`` / ``<id>.high`` over ``<id>.den``, exact; equal ends when known).
        output: ``arrow`` (a pyarrow Table) or ``pandas`` (a DataFrame).
        connection: a DuckDB connection to run in (default: a new in-memory one).
        threads: DuckDB's thread count.
        explain: add each rule's explanation columns, ``<rule>.missing`` (the fields whose absence
            left it unknown, as ``Verdict.missing``) and ``<rule>.compared`` (the values of each
            comparison its explanation shows); DuckDB only (:mod:`standardlang.backends.sql.explain`).
    """
    entity = entity or spec.default_entity
    run = _engine_run(spec, engine, connection, threads)
    try:
        add_sources(run, source, entity)
        selected = None if rules is None else set(rules)
        chosen = [r for r in spec.checked.rules if r.entity == entity and (selected is None or r.id in selected)]
        if explain and engine != "duckdb":
            raise DataError(f"explanation columns are computed on duckdb, not {engine}")
        table = run.table(entity, chosen, indicators, explain=True) if explain else run.table(entity, chosen, indicators)
    finally:
        run.close()
    if output == "pandas":
        return table.to_pandas()
    if output != "arrow":
        raise DataError(f"output is `arrow` or `pandas`, not `{output}`")
    return table
