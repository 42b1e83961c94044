"""``standardlang schema SPEC [--format json-schema|markdown] [--entity NAME]``: the data a spec needs.

Takes a spec; gives the JSON Schema (draft 2020-12) of its data — of one
entity's records with ``--entity``, else of a mapping of collections — or
Markdown tables of its fields, or the header row of a CSV file to fill in.  Exit code 0, or 2 for a spec error.
"""

from __future__ import annotations

import argparse
import json


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", metavar="SPEC", help="spec file (.stdl)")
    p.add_argument("--format", choices=["json-schema", "markdown", "csv-template"], default="json-schema",
                   help="csv-template: the header row of a CSV file of one entity's records (--entity, "
                        "default the spec's first level judged)")
    p.add_argument("--lang", choices=["en", "zh"], default="en",
                   help="csv-template columns: field names (en) or Chinese labels (zh)")
    p.add_argument("--entity", metavar="NAME", help="only this entity (its name or label)")
    p.add_argument("-o", "--output", metavar="PATH")


def run(args: argparse.Namespace) -> int:
    from standardlang.engine.program import load
    from standardlang.data.readers import resolve_entity
    from standardlang.reports import write_output
    from standardlang.data.schema_export import csv_template, json_schema, markdown

    spec = load(args.spec)
    entity = resolve_entity(spec, args.entity)
    if args.format == "markdown":
        text = markdown(spec, entity)
    elif args.format == "csv-template":
        text = csv_template(spec, entity or spec.default_entity, args.lang)
    else:
        text = json.dumps(json_schema(spec, entity), ensure_ascii=False, indent=2) + "\n"
    write_output(text, args.output, bom=args.format == "csv-template")
    return 0
