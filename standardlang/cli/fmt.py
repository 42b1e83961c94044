"""``standardlang fmt [--check] [--diff] FILE...``: format spec files canonically.

Takes spec paths (``-`` for standard input); rewrites each in place in the one
canonical layout (:mod:`standardlang.tools.formatter`), keeping comments.  ``--check``
writes nothing and lists the files that would change; ``--diff`` writes nothing
and prints a unified diff.  ``-`` writes the formatted text to standard output.
Before writing, the result is parsed again and must mean the same as the input.
Exit 0 when nothing would change (or everything was rewritten), 1 when ``--check``
or ``--diff`` finds a file to change, 2 when a file does not parse or cannot be read.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="spec files (.stdl); - reads standard input")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 and list files that would change")
    p.add_argument("--diff", action="store_true", help="write nothing; print a unified diff of the changes")


def _read(path: str) -> str:
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(path, "rb") as fh:
            data = fh.read()
    text = data.decode("utf-8")
    return text[1:] if text.startswith("\ufeff") else text


def _write(path: str, text: str) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".fmt-", suffix=".stdl", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        try:
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        except OSError:
            pass
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def format_text(text: str, name: str) -> str:
    """The canonical form of spec text; raises StandardLangError when the text does not parse."""
    from standardlang.errors import Diagnostic, StandardLangError
    from standardlang.tools.formatter import format_spec
    from standardlang.lang.parser import parse

    tree = parse(text, name)
    out = format_spec(tree)
    if parse(out, name) != tree:  # pragma: no cover - a formatter bug must never reach a file
        raise StandardLangError([Diagnostic("X001", "the formatter changed the meaning of this file; "
                                            "it was left as it is (please report this)", None)])
    return out


def run(args: argparse.Namespace) -> int:
    from standardlang.errors import StandardLangError

    status = 0
    changed: list[str] = []
    unchanged = 0
    for path in args.files:
        name = "<stdin>" if path == "-" else path
        try:
            text = _read(path)
        except (OSError, UnicodeDecodeError) as exc:
            print(f"{name}: error: cannot read: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
            status = 2
            continue
        try:
            out = format_text(text, name)
        except StandardLangError as exc:
            print(exc.render(), file=sys.stderr)
            status = 2
            continue
        if out == text:
            unchanged += 1
            if path == "-" and not (args.check or args.diff):
                sys.stdout.write(out)
            continue
        changed.append(name)
        if args.diff:
            sys.stdout.writelines(difflib.unified_diff(text.splitlines(True), out.splitlines(True),
                                                       f"{name} (original)", f"{name} (formatted)"))
            if not text.endswith("\n"):
                print("\n\\ No newline at end of file")
        if args.check:
            print(f"would reformat {name}", file=sys.stderr if args.diff else sys.stdout)
        if args.check or args.diff:
            status = max(status, 1)
            continue
        if path == "-":
            sys.stdout.write(out)
        else:
            try:
                _write(path, out)
            except OSError as exc:
                print(f"{name}: error: cannot write: {exc.strerror or exc}", file=sys.stderr)
                status = 2
                continue
            print(f"reformatted {name}", file=sys.stderr)
    if not (len(args.files) == 1 and args.files[0] == "-"):
        n = len(changed)
        verb = "would be reformatted" if (args.check or args.diff) else "reformatted"
        print(f"{n} file{'s' if n != 1 else ''} {verb}, {unchanged} unchanged", file=sys.stderr)
    return status
