"""``standardlang eval EXPR [--spec SPEC] [--data FILE [--record ID]] [--entity NAME]``.

Takes one expression and, optionally, a spec (for the schema, units and
definitions) and data; gives the value with its unit (``2300 m²``) or, for a
condition, the verdict and its explanation.  Without ``--data`` the expression is
evaluated on an empty record; with ``--data`` and no ``--record``, on every record
of the entity, one line each (JSON Lines and CSV read a chunk at a time, printed as they come).  Exit code 0 once evaluated (whatever the value),
2 for an expression or spec error, 3 for unreadable data.
"""

from __future__ import annotations

import argparse
import itertools
from typing import Any, Iterator

from standardlang.data.readers import ABSENT, convert_cell
from standardlang.lang.types import Dynamic
from standardlang.lang.vocabulary import RECORD_ID_FIELDS


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("expression", metavar="EXPR", help='e.g. "kindergarten.building_area >= 2200 m2"')
    p.add_argument("--spec", metavar="SPEC", help="compile against this spec's schema and definitions")
    p.add_argument("--data", nargs="+", action="extend", metavar="FILE", help="data files")
    p.add_argument("--record", metavar="ID", help="the record's key, or #N for the N-th record")
    p.add_argument("--entity", metavar="NAME", help="the entity the expression is about")
    p.add_argument("--encoding", metavar="NAME", help="the text encoding of the data files (default: see check)")


def run(args: argparse.Namespace) -> int:
    from standardlang.engine.program import compile as compile_expr, load
    from standardlang.data.readers import bind, read_files
    from standardlang.cli.check import compile_for, find_record

    records: list[tuple[str | None, Any]] = [(None, {})]
    if args.spec:
        spec = load(args.spec)
        expr, entity = compile_for(spec, args.expression, args.entity)
        if args.data and not args.record and _streamable(args.data):
            records = _streamed(spec, entity, args)  # one line per record, in bounded memory
        elif args.data:
            dataset = bind(read_files(args.data, args.encoding), spec, args.entity)
            if args.record:
                i, rec = find_record(spec, dataset, entity, args.record)
                records = [(args.record, rec)]
            else:
                records = [(spec.record_id(entity, r, i), r)
                           for i, r in enumerate(dataset.inventory.records.get(entity, []))]
    else:
        expr = compile_expr(args.expression)
        if args.data:
            plain = plain_records(read_files(args.data, args.encoding))
            if args.record:
                records = [(args.record, _find_plain(plain, args.record))]
            else:
                records = [(_plain_id(r, i), r) for i, (r, _src) in enumerate(plain)]
    it = iter(records)
    first = list(itertools.islice(it, 2))
    if len(first) == 1:
        label, rec = first[0]
        result = expr.evaluate(rec)
        print(result.explain() if expr.is_condition else _value_text(result))
        return 0
    if not first:
        print("no records")
        return 0
    for label, rec in itertools.chain(first, it):
        result = expr.evaluate(rec)
        if expr.is_condition:
            line = f"{label}: {result.status.value}"
            if result.missing:
                line += f" (missing: {', '.join(result.missing)})"
        else:
            line = f"{label}: {result}"
            if result.error:
                line += f" ({result.error})"
            elif result.value is None and result.missing:
                line += f" (missing: {', '.join(result.missing)})"
        print(line)
    return 0


def _streamable(paths: list[str]) -> bool:
    from standardlang.data.readers import data_format

    return all(data_format(p) in ("jsonl", "csv", "tsv") for p in paths)


def _streamed(spec: Any, entity: str, args: argparse.Namespace) -> Iterator[tuple[str, Any]]:
    """(record id, record) of the JSON Lines / CSV files, a chunk at a time."""
    from standardlang.cli.stream import chunks
    from standardlang.data.readers import Table, bind

    for path in args.data:
        n = 0
        for rows, sources, headers, flat in chunks(path, args.encoding):
            ds = bind([Table(path, rows, sources, flat=flat, headers=headers)], spec, args.entity or entity)
            for rec in ds.inventory.records.get(entity, []):
                yield spec.record_id(entity, rec, n), rec
                n += 1


def plain_records(tables: list) -> list[tuple[Any, Any]]:
    """Records without a schema (for ``eval`` without ``--spec``): cells that look like numbers become numbers."""
    out = []
    for table in tables:
        for row, prov in zip(table.rows, table.sources):
            if table.flat and isinstance(row, dict):
                rec: dict = {}
                for k, v in row.items():
                    value = convert_cell(v, Dynamic())
                    if value is ABSENT:
                        continue
                    target = rec
                    parts = str(k).split(".")
                    for p in parts[:-1]:
                        target = target.setdefault(p, {}) if isinstance(target.get(p, {}), dict) else {}
                    target[parts[-1]] = value
                row = rec
            out.append((row, prov))
    return out


def _value_text(value: Any) -> str:
    text = str(value)
    if value.error:
        text += f"\n  ! {value.error}"
    elif value.value is None and value.missing:
        text += f"\n  missing: {', '.join(value.missing)}"
    return text


def _plain_id(rec: Any, i: int) -> str:
    if isinstance(rec, dict):
        for key in RECORD_ID_FIELDS:
            if rec.get(key) is not None:
                return str(rec[key])
    return f"#{i + 1}"


def _find_plain(plain: list, ident: str) -> Any:
    from standardlang.data.readers import user_error

    for i, (rec, _src) in enumerate(plain):
        if _plain_id(rec, i) == ident or f"#{i + 1}" == ident:
            return rec
    raise user_error("U003", f"no record `{ident}` in the data (records are found by {', '.join(RECORD_ID_FIELDS[:-1])}, "
                             f"{RECORD_ID_FIELDS[-1]} or #N)")
