"""The ``standardlang`` command line.

Takes argv; gives an exit code.  Each command lives in
``standardlang/cli/<name>.py`` with ``register(parser)`` and ``run(args)``
and is imported only when used, so the command line starts fast.

Exit codes: 0 every requirement (shall) passes; 1 a requirement fails (or, for
``test``/``fmt --check``/``lint``, a test fails, a file would change, a finding is
reported); 2 a usage or spec error; 3 unreadable data; 4 an internal error
(a bug of standardlang: one line on stderr naming the command and its input, the
traceback saved to a file).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from standardlang.errors import DataError, StandardLangError

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_DATA, EXIT_INTERNAL = 0, 1, 2, 3, 4

#: name -> one-line help; the module standardlang.cli.<name> implements it
COMMANDS = {
    "check": "judge every record of an inventory against one or more specs",
    "eval": "evaluate one expression, optionally against a spec and a record",
    "explain": "explain one rule's verdict for one record, with the cited clause",
    "schema": "show the data a spec needs (JSON Schema or a Markdown table)",
    "compile": "show the Python code a spec compiles to (one function per rule, with its spec line)",
    "indicators": "the city and district indicator table, target beside actual",
    "plan": "what to build: the nearest passing change per community, totals per place, what-if projects",
    "test": "run the inline examples of spec files",
    "fmt": "format spec files canonically",
    "lint": "find conditions that never hold, unused definitions, missing citations...",
    "repl": "an interactive session: evaluate expressions against records",
    "docs": "generate the clause-by-clause page and the data model of specs",
}

EPILOG = """exit codes:
  0  every requirement (shall) passes / success
  1  a requirement fails (check); a test fails; a file would change; lint findings
  2  usage error or spec error (syntax, names, types, units)
  3  unreadable data
  4  internal error (a bug: the traceback is saved to a file named on stderr)
"""


def _chosen_command(argv: list[str]) -> str | None:
    for a in argv:
        if a in COMMANDS:
            return a
        if not a.startswith("-"):
            return None
    return None


_DATA_SUFFIXES = (".json", ".jsonl", ".ndjson", ".yaml", ".yml", ".csv", ".tsv", ".xlsx", ".xlsm")


def _specs_out_of_data(argv: list[str], command: str) -> list[str]:
    """Spec files written after ``--data`` (which takes several files) are specs: say so, and move them.

    ``check --data city.json spec.stdl`` would otherwise fail with "the following
    arguments are required: SPEC". For ``explain``, the rule id after the spec moves too.
    """
    start = argv.index(command) + 1
    out, moved = argv[:start], []
    i = start
    while i < len(argv):
        out.append(argv[i])
        i += 1
        if out[-1] != "--data":
            continue
        while i < len(argv) and not argv[i].startswith("-"):
            if argv[i].endswith(".stdl"):
                moved.append(argv[i])
                i += 1
                if command == "explain" and i < len(argv) and not argv[i].startswith("-") \
                        and not argv[i].lower().endswith(_DATA_SUFFIXES + (".stdl",)):
                    moved.append(argv[i])  # the rule id
                    i += 1
                continue
            out.append(argv[i])
            i += 1
    if not moved:
        return argv
    specs = ", ".join(a for a in moved if a.endswith(".stdl"))
    print(f"note: {specs} after --data is a spec file, read as a spec "
          f"(write it first: standardlang {command} {'SPEC RULE' if command == 'explain' else 'SPEC...'} "
          "--data FILE...)", file=sys.stderr)
    return out[:start] + moved + out[start:]


def _module(name: str):
    try:
        return importlib.import_module(f"standardlang.cli.{name}")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name == f"standardlang.cli.{name}":
            return None
        raise


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    chosen = _chosen_command(argv)
    if chosen in ("check", "indicators", "explain"):
        argv = _specs_out_of_data(argv, chosen)
    parser = argparse.ArgumentParser()
    try:
        parser = _parser_for(chosen)
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_USAGE
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    module = _module(args.command)
    if module is None:
        print(f"standardlang: the `{args.command}` command is not available in this installation", file=sys.stderr)
        return EXIT_USAGE
    try:
        return int(module.run(args) or 0)
    except DataError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_DATA
    except StandardLangError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: one line and a saved traceback, never a bare traceback
        return crashed(args, argv, exc)


def crashed(args: argparse.Namespace, argv: list[str], exc: BaseException) -> int:
    """Save the traceback of an unexpected exception to a file; print one line naming command, input and file."""
    import os
    import tempfile
    import time
    import traceback

    text = "".join(traceback.format_exception(exc))
    saved = None
    try:
        fd, saved = tempfile.mkstemp(prefix=f"standardlang-{args.command}-{time.strftime('%Y%m%dT%H%M%S')}-",
                                     suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(f"standardlang {' '.join(argv)}\n\n{text}")
    except OSError:
        saved = None
    inputs = [str(x) for name in ("specs", "spec", "data", "files", "paths", "expression")
              for x in ([getattr(args, name)] if isinstance(getattr(args, name, None), str)
                        else getattr(args, name, None) or [])]
    inputs = [x if len(x) <= 60 else x[:57] + "..." for x in inputs]
    what = f" on {', '.join(inputs)}" if inputs else ""
    where = f"; traceback saved to {saved}" if saved else ""
    problem = f"{type(exc).__name__}: {str(exc)[:200]}".encode("utf-8", "backslashreplace").decode("utf-8")
    print(f"standardlang {args.command}: internal error{what} ({problem}){where}; "
          f"please report it (exit code {EXIT_INTERNAL})", file=sys.stderr)
    return EXIT_INTERNAL


def _parser_for(chosen: str | None) -> argparse.ArgumentParser:
    from standardlang import __version__

    parser = argparse.ArgumentParser(
        prog="standardlang", description="Check planning standards written as spec files against a city's data.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"standardlang {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        if chosen == name:
            module = _module(name)
            if module is not None:
                module.register(p)
    return parser


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
