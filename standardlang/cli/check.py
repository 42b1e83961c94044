"""``standardlang check SPEC... --data FILE...``: judge every record against one or more specs.

Takes spec files, data files and options; gives a report (text, json, csv, html,
junit; jsonl, csv and parquet streamed by :mod:`standardlang.cli.stream`) on stdout or in ``--output``, and the exit code: 0 when nothing fails
under ``--fail-on``, 1 when a requirement fails (or has bad data), 2 for a usage
or spec error, 3 for an unreadable data file.  Also holds what ``eval``,
``explain`` and ``indicators`` share: loading specs and data, selecting rules,
the ``--where`` filter, judging a dataset into a report with provenance.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import sys
from typing import Any

from standardlang.errors import StandardLangError, did_you_mean
from standardlang.data.readers import user_error


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("specs", nargs="+", metavar="SPEC", help="spec files (.stdl)")
    add_data_arguments(p, required=False)  # --engine postgres reads --table instead
    p.add_argument("--format", choices=["text", "json", "csv", "html", "junit", "jsonl", "parquet"], default="text",
                   help="jsonl and parquet (and csv) stream: records are judged and written a chunk at a time")
    p.add_argument("-o", "--output", metavar="PATH", help="write the report here instead of to stdout")
    p.add_argument("--lang", choices=["zh", "en"], default=None,
                   help="language of headers and status words (default: en; zh for --format html)")
    p.add_argument("--only", nargs="+", action="extend", metavar="RULE",
                   help="judge only these rules (ids, goal ids or patterns such as '2.*')")
    p.add_argument("--skip", nargs="+", action="extend", metavar="RULE", help="do not judge these rules")
    p.add_argument("--where", metavar="EXPR",
                   help='judge only the records for which this expression holds, e.g. \'district == "海勃湾区"\'')
    p.add_argument("--fail-on", choices=["shall", "should", "never"], default="shall",
                   help="which failing rules make the exit code 1 (default: shall)")
    p.add_argument("--explain", choices=["all", "failures", "none"], default=None,
                   help="which verdicts carry explanations (default: failures, i.e. fail and error, in the json "
                        "report; none in the streamed jsonl/csv/parquet reports: statuses and missing fields)")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="worker processes judging chunks of a streamed input (default: the number of cores)")
    p.add_argument("--engine", choices=["python", "duckdb", "postgres", "spark"], default="python",
                   help="where to judge: python (record by record), or inside duckdb, a postgres server or "
                        "spark (see docs/sql.md)")
    p.add_argument("--threads", type=int, metavar="N", help="threads of the SQL engine")
    p.add_argument("--dsn", metavar="DSN",
                   help="the PostgreSQL database of --engine postgres: a connection string or URL such as "
                        "postgresql://user@host/db (default: the PG* environment variables)")
    p.add_argument("--table", nargs="+", action="extend", metavar="[LEVEL=]TABLE",
                   help="tables to judge with --engine postgres or spark: one named after a level's collection "
                        "(communities) holds that level, LEVEL=TABLE says which; default: the tables named after "
                        "the spec's collections")


def add_data_arguments(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument("--data", nargs="+", action="extend", required=required, metavar="FILE",
                   help="data files: .json .jsonl .yaml .csv .tsv .xlsx")
    p.add_argument("--entity", metavar="NAME",
                   help="the entity level a data file holds when its file or sheet name does not say")
    p.add_argument("--encoding", metavar="NAME",
                   help="the text encoding of the data files (default: UTF-8, with or without a BOM; "
                        "GB18030/GBK for a file with no valid UTF-8 text)")


def run(args: argparse.Namespace) -> int:
    from standardlang.data.readers import bind, level_names, read_files
    from standardlang.reports import Options, exit_code, render, use_color, write_output

    if getattr(args, "engine", "python") != "python":
        from standardlang.cli.sql_engine import run_check

        return run_check(args)
    if not args.data:
        raise user_error("U011", f"--engine {args.engine} judges data files: give --data FILE...",
                         "or judge tables in a database with --engine postgres --table NAME")
    specs = load_specs(args.specs)
    selections = select(specs, args.only, args.skip)  # usage errors before data errors
    if args.format in ("jsonl", "parquet") or (args.format == "csv" and streams(args)):
        if args.where:
            raise user_error("U009", f"--where is not available with --format {args.format} yet",
                             "filter the input first, or use --format json")
        from standardlang.cli import stream

        return stream.run(args, specs, selections)
    refuse_large(args)
    tables = read_files(args.data, getattr(args, "encoding", None))
    reports = []
    levels = level_names(specs)
    for spec, (rule_ids, indicator_ids) in zip(specs, selections):
        dataset = bind(tables, spec, args.entity, levels)
        reports.append(judge_dataset(spec, dataset, rule_ids, indicator_ids, args.where, args.entity))
    to_stdout = args.output in (None, "-")
    color = args.format == "text" and to_stdout and use_color(sys.stdout)
    lang = args.lang or ("zh" if args.format == "html" else "en")  # the page of a Chinese standard reads Chinese
    options = Options(lang=lang, color=color, fail_on=args.fail_on, explain=args.explain or "failures")
    if not (args.format == "text" and to_stdout):
        for rep in reports:
            for w in rep.meta.warnings:
                print(f"warning: {w}", file=sys.stderr)
    text = render(reports, args.format, options)
    write_output(text, args.output, bom=args.format == "csv")
    if not (args.format == "text" and to_stdout):
        read = sum(sum((r.meta.read or {}).values()) for r in reports)
        judged = sum(len(r.results) for r in reports)
        where = "" if to_stdout else f"wrote {args.output}: "
        from standardlang.reports.summary import plural
        print(f"{where}read {plural(read, 'record')}, judged {plural(judged, 'record')} "
              f"against {plural(len(specs), 'spec')}", file=sys.stderr)
    return exit_code(reports, args.fail_on)


#: whole-document reports (text, json, html, junit, csv of JSON input) hold every verdict in memory
MAX_DOCUMENT_RECORDS = 20_000


def streams(args: argparse.Namespace) -> bool:
    """Whether the csv report of these inputs can be streamed (some input is JSON Lines or CSV)."""
    from standardlang.data.readers import data_format

    return any(data_format(p) in ("jsonl", "csv", "tsv") for p in args.data)


def refuse_large(args: argparse.Namespace) -> None:
    """A usage error, before reading, when the input is too large for a report held in memory."""
    from standardlang.data.readers import data_format

    lines = 0
    for p in args.data:
        if data_format(p) in ("json", "yaml", "xlsx"):  # documents: by size (a community takes about 2 KB)
            try:
                lines += os.path.getsize(p) // 2048
            except OSError:
                continue
        elif data_format(p) in ("jsonl", "csv", "tsv"):
            try:
                with open(p, "rb") as fh:
                    lines += sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))
            except OSError:
                continue  # the reader says what is wrong with it
    if lines > MAX_DOCUMENT_RECORDS:
        raise user_error("U010", f"about {lines:,} records are too many for a {args.format} report held in memory "
                                 f"(at most {MAX_DOCUMENT_RECORDS:,})",
                         "stream them: --format jsonl -o report.jsonl (or parquet, or csv), in bounded memory")


# ------------------------------------------------------------------ shared by the commands
def load_specs(paths: list[str]) -> list[Any]:
    from standardlang.engine.program import load

    return [load(p) for p in paths]


def _matches(pattern: str, ident: str, goal: str | None = None) -> bool:
    return ident == pattern or goal == pattern or fnmatch.fnmatchcase(ident, pattern)


def select(specs: list[Any], only: list[str] | None, skip: list[str] | None) -> list[tuple[Any, Any]]:
    """Per spec, the (rule ids, indicator ids) to judge, or (None, None) for all; usage error for a pattern matching nothing."""
    known: list[str] = []
    for pattern in (only or []) + (skip or []):
        hit = False
        for spec in specs:
            hit = hit or any(_matches(pattern, r.id, r.goal_id) for r in spec.rules) \
                or any(_matches(pattern, i.id) for i in spec.indicators)
        if not hit:
            for spec in specs:
                known.extend([r.id for r in spec.rules] + [i.id for i in spec.indicators])
            raise user_error("U001", f"no rule or indicator `{pattern}` in the specs given",
                             did_you_mean(pattern, known))
    out = []
    for spec in specs:
        if only is None and skip is None:
            out.append((None, None))
            continue
        rules = [r.id for r in spec.rules
                 if (only is None or any(_matches(p, r.id, r.goal_id) for p in only))
                 and not any(_matches(p, r.id, r.goal_id) for p in skip or [])]
        inds = [i.id for i in spec.indicators
                if (only is None or any(_matches(p, i.id) for p in only))
                and not any(_matches(p, i.id) for p in skip or [])]
        out.append((rules, inds))
    return out


def compile_for(spec: Any, text: str, entity: str | None, name: str = "<expr>") -> tuple[Any, str]:
    """Compile an expression against ``entity``, or the first entity level it checks against."""
    from standardlang.errors import SpecCheckError
    from standardlang.data.readers import resolve_entity
    from standardlang.reports import levels

    if entity is not None:
        candidates = [resolve_entity(spec, entity)]
    else:
        ruled = list(dict.fromkeys(r.entity for r in spec.rules))
        candidates = list(dict.fromkeys([spec.default_entity] + ruled + list(reversed(levels(spec)))))
    first_error: StandardLangError | None = None
    for ent in candidates:
        try:
            return spec.expression(text, ent, name=name), ent
        except SpecCheckError as exc:
            first_error = first_error or exc
    assert first_error is not None
    raise first_error


def where_expression(spec: Any, text: str, entity: str | None) -> tuple[Any, str]:
    """Compile ``--where``: a condition on the records of one entity level."""
    expr, ent = compile_for(spec, text, entity, "--where")
    if not expr.is_condition:
        raise user_error("U002", f"--where needs a condition (true or false), found a {expr.node.type.describe()}")
    return expr, ent


def find_record(spec: Any, dataset: Any, entity: str, ident: str) -> tuple[int, Any]:
    """The (index, record) of ``entity`` with key ``ident`` or ``#n``; a usage error naming the known ids."""
    found = dataset.find(spec, entity, ident)
    if found is not None:
        return found
    records = dataset.inventory.records.get(entity, [])
    ids = [spec.record_id(entity, r, i) for i, r in enumerate(records)]
    named = [i for i, r in enumerate(records) if isinstance(r, dict) and r.get("name") == ident]
    if len(named) == 1:  # a unique name is as good as the key
        return named[0], records[named[0]]
    if named:
        raise user_error("U008", f"{len(named)} {entity} records are named `{ident}`: "
                                 f"{', '.join(ids[i] for i in named)}", "give the key of the one you mean")
    shown = ", ".join(ids[:10]) + (", ..." if len(ids) > 10 else "")
    raise user_error("U003", f"no {entity} record `{ident}` in the data ({len(ids)} {entity} "
                             f"records{': ' + shown if ids else ''})",
                     did_you_mean(ident, ids) or "give a key, or #N for the N-th record")


def judge_dataset(spec: Any, dataset: Any, rule_ids: list[str] | None = None, indicator_ids: list[str] | None = None,
                  where: str | None = None, entity: str | None = None) -> Any:
    """Judge a bound dataset: the selected rules on every record (of the ``--where`` records), the indicators."""
    from standardlang.engine.program import Report
    from standardlang.reports import Meta, Progress
    from standardlang.engine.verdict import Status

    inv = dataset.inventory
    by_entity: dict[str, list] = {}
    for r in spec.rules:
        if rule_ids is None or r.id in rule_ids:
            by_entity.setdefault(r.entity, []).append(r)
    where_info = None
    kept: set[int] | None = None
    went = None
    if where:
        expr, went = where_expression(spec, where, entity)
        kept, undetermined = set(), []
        records = inv.records.get(went, [])
        for i, rec in enumerate(records):
            verdict = expr.evaluate(rec)
            if verdict.status is Status.PASS:
                kept.add(i)
            elif verdict.status in (Status.UNKNOWN, Status.ERROR):
                src = dataset.source(rec)
                u: dict[str, Any] = {"record": spec.record_id(went, rec, i), "status": verdict.status.value,
                                     "source": str(src) if src else None}
                if verdict.status is Status.UNKNOWN:
                    u["missing"] = list(verdict.missing)
                else:
                    u["error"] = verdict.error
                undetermined.append(u)
        where_info = {"expression": where, "entity": went, "records": len(records), "kept": len(kept),
                      "excluded": len(records) - len(kept), "undetermined": undetermined}
    warnings = list(dataset.warnings)
    for ent, rules in by_entity.items():
        if not inv.records.get(ent):
            warnings.append(f"no {ent} records in the data: {len(rules)} rules of {spec.name} judged nothing")
    total = sum(len(inv.records.get(e, [])) for e in by_entity)
    progress = Progress(total)
    results = []
    for ent, rules in by_entity.items():
        for i, rec in enumerate(inv.records.get(ent, [])):
            if kept is not None and ent == went and i not in kept:
                continue
            results.append(spec.judge(rec, ent, rules, i))
            progress.advance()
    progress.close()
    kept_ids = {spec.record_id(went, inv.records[went][i], i) for i in kept} if kept is not None and went else None
    indicators = [x for x in spec.compute_indicators(inv)
                  if (indicator_ids is None or x.indicator.id in indicator_ids)
                  and (kept_ids is None or x.entity != went or x.record_id in kept_ids)]
    report = Report(spec, results, indicators, inv.count())
    report.meta = Meta(sources=dataset.sources, read=dataset.read, files=dataset.files, warnings=warnings,
                       where=where_info, rules=[r.id for rs in by_entity.values() for r in rs]
                       if rule_ids is not None else None, records=inv.records)
    return report
