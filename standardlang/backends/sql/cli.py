"""``standardlang check ... --engine duckdb``: the ``check`` command judged inside DuckDB.

Takes the parsed arguments of ``check``; gives the same reports and exit codes as the
Python path, the data read by DuckDB itself (Parquet, JSON Lines, JSON, CSV).  A file
named after a level (``communities.parquet``, ``districts.jsonl``) holds that level;
otherwise ``--entity`` or the spec's first entity.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from standardlang.data.readers import user_error


def file_entity(spec: Any, path: str, entity: str | None) -> str | None:
    from standardlang.data.inventory import collection_names

    if entity is not None:
        return entity
    stem = os.path.splitext(os.path.basename(path))[0]
    return collection_names(spec.checked.entities).get(stem)


def run_check(args: Any) -> int:
    from standardlang.backends.sql.api import report
    from standardlang.backends.sql.values import SQLCompileError
    from standardlang.cli.check import load_specs, select
    from standardlang.errors import DataError
    from standardlang.reports import Options, exit_code, render, use_color, write_output

    if args.where:
        raise user_error("U011", f"--where is not available with --engine {args.engine}",
                         "filter the data in the database, or use --engine python")
    specs = load_specs(args.specs)
    selections = select(specs, args.only, args.skip)
    for path in args.data:
        if not os.path.exists(path):
            print(f"error: {path}: no such file", file=sys.stderr)
            return 3
    reports = []
    for spec, (rule_ids, indicator_ids) in zip(specs, selections):
        sources = [(p, file_entity(spec, p, args.entity)) for p in args.data]
        try:
            reports.append(report(spec, sources, args.engine, rule_ids, indicator_ids, args.threads))
        except (DataError, SQLCompileError) as exc:
            print(f"error: --engine {args.engine}: {exc}", file=sys.stderr)
            return 3
        except Exception as exc:  # a database's own error never reaches the user as a traceback
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            print(f"error: --engine {args.engine} could not read the data: {first}", file=sys.stderr)
            return 3
    to_stdout = args.output in (None, "-")
    color = args.format == "text" and to_stdout and use_color(sys.stdout)
    options = Options(lang=args.lang, color=color, fail_on=args.fail_on, explain=args.explain or "failures")
    write_output(render(reports, args.format, options), args.output, bom=args.format == "csv")
    if not (args.format == "text" and to_stdout):
        judged = sum(len(r.results) for r in reports)
        where = "" if to_stdout else f"wrote {args.output}: "
        print(f"{where}judged {judged} records against {len(specs)} spec(s) on {args.engine}", file=sys.stderr)
    return exit_code(reports, args.fail_on)
