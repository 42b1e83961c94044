"""``standardlang indicators SPEC... --data FILE...``: the indicator table, target beside actual.

Takes specs with indicators and data; gives, per spec, the binding and the
expected indicators apart, each with its target and its value for the city and
the districts (the two top entity levels, or ``--levels``), and, where the spec
defines values per community, the communities that hold the total back first.
Formats text, json (schema ``standardlang.indicators/1``) and csv.  Exit code 0
when no binding indicator is off target (``--fail-on``), 1 when one is, 2 for a
usage or spec error, 3 for unreadable data.
"""

from __future__ import annotations

import argparse
import sys


def register(p: argparse.ArgumentParser) -> None:
    from standardlang.cli.check import add_data_arguments

    p.add_argument("specs", nargs="+", metavar="SPEC", help="spec files with indicators")
    add_data_arguments(p)
    p.add_argument("--format", choices=["text", "json", "csv"], default="text")
    p.add_argument("-o", "--output", metavar="PATH")
    p.add_argument("--lang", choices=["zh", "en"], default="en")
    p.add_argument("--levels", metavar="ENTITY,...",
                   help="entity levels shown as columns (default: the two top levels, e.g. city,district)")
    p.add_argument("--top", type=int, default=10,
                   help="records below listed per indicator in text, those holding it back first (0: all)")
    p.add_argument("--fail-on", choices=["shall", "should", "never"], default="shall",
                   help="shall: binding indicators off target give exit code 1; should: expected ones too")


def run(args: argparse.Namespace) -> int:
    from standardlang.data.readers import bind, level_names, read_files, resolve_entity, user_error
    from standardlang.reports import Options, exit_code, use_color, write_output
    from standardlang.reports.csv_report import render_indicators_csv
    from standardlang.reports.json_report import render_indicators_json
    from standardlang.reports.text import render_indicators_text
    from standardlang.cli.check import judge_dataset, load_specs

    specs = load_specs(args.specs)
    with_ind = [s for s in specs if s.indicators]
    for s in specs:
        if not s.indicators:
            print(f"note: spec {s.name} has no indicators", file=sys.stderr)
    if not with_ind:
        raise user_error("U006", "none of the specs given has indicators")
    tables = read_files(args.data, args.encoding)
    reports = []
    columns = None
    for spec in with_ind:
        if args.levels and columns is None:
            columns = [resolve_entity(spec, x.strip()) for x in args.levels.split(",") if x.strip()]
        reports.append(judge_dataset(spec, bind(tables, spec, args.entity, level_names(specs)), rule_ids=[]))
        for w in reports[-1].meta.warnings:
            print(f"warning: {w}", file=sys.stderr)
    to_stdout = args.output in (None, "-")
    options = Options(lang=args.lang, color=args.format == "text" and to_stdout and use_color(sys.stdout),
                      fail_on=args.fail_on, top=args.top)
    if args.format == "json":
        text = render_indicators_json(reports, options, columns)
    elif args.format == "csv":
        text = render_indicators_csv(reports, options, columns)
    else:
        text = render_indicators_text(reports, options, columns)
    write_output(text, args.output, bom=args.format == "csv")
    return exit_code(reports, args.fail_on)
