"""``standardlang plan SPEC... --data FILE... [--projects FILE]``: what to build, per community and place.

Takes spec files, data files and options; gives the plan (text in zh or en,
JSON ``standardlang.plan/1``, CSV of edits, or a self-contained HTML page) on
stdout or in ``--output``: per city, district and subdistrict the facilities to
build and figures to add, every indicator's distance to its target, per
community each item's edits and the questions unknown verdicts raise; with
``--projects`` the state year by year to the deadline.  Exit code 0 once the
plan is written; 2 for a usage or spec error; 3 for unreadable data or projects.
"""

from __future__ import annotations

import argparse
import sys


def register(p: argparse.ArgumentParser) -> None:
    from standardlang.cli.check import add_data_arguments

    p.add_argument("specs", nargs="+", metavar="SPEC", help="spec files (.stdl)")
    add_data_arguments(p)
    p.add_argument("--projects", metavar="FILE",
                   help="projects to apply year by year (JSON, CSV, TSV, XLSX; see docs/plan-format.md)")
    p.add_argument("--until", type=int, metavar="YEAR",
                   help="the last year of the what-if (default: the specs' indicator deadline, else 2025)")
    p.add_argument("--format", choices=["text", "json", "csv", "html"], default="text")
    p.add_argument("-o", "--output", metavar="PATH", help="write the plan here instead of to stdout")
    p.add_argument("--lang", choices=["zh", "en"], default="en", help="language of the text and HTML plan")
    p.add_argument("--summary", action="store_true", help="places only, not every community (text)")
    p.add_argument("--fixed", nargs="+", action="extend", metavar="FIELD",
                   help="fields the plan must not change (default: read from the specs; see docs/guide.en.md)")


def run(args: argparse.Namespace) -> int:
    from standardlang.cli.check import load_specs
    from standardlang.data.readers import bind, level_names, read_files
    from standardlang.planning.places import make_plan
    from standardlang.reports import write_output

    specs = load_specs(args.specs)
    tables = read_files(args.data)
    levels = level_names(specs)
    datasets = {spec.name: bind(tables, spec, args.entity, levels) for spec in specs}
    inventories = {name: ds.inventory for name, ds in datasets.items()}
    projects = None
    if args.projects:
        from standardlang.planning.projects import read_projects

        projects = read_projects(args.projects)
    plan = make_plan(specs, None, args.fixed, inventories)
    if projects is not None:
        from standardlang.planning.projects import what_if

        plan.whatif = what_if(specs, inventories, projects, args.until)
    for w in dict.fromkeys(w for ds in datasets.values() for w in ds.warnings):
        # levels of the data that no spec given plans (city statistics for the indicators spec) are not a problem here
        if " is no entity of spec " not in w:
            print(f"warning: {w}", file=sys.stderr)
    write_output(render(plan, args.format, args.lang, args.summary), args.output, bom=args.format == "csv")
    return 0


def render(plan, fmt: str, lang: str = "en", summary: bool = False) -> str:
    from standardlang.reports import plan_report

    if fmt == "json":
        return plan_report.render_json(plan)
    if fmt == "csv":
        return plan_report.render_csv(plan)
    if fmt == "html":
        from standardlang.reports.plan_html import render_html

        return render_html(plan, lang)
    return plan_report.render_text(plan, lang, summary)
