"""The interactive session (``standardlang repl``): evaluate expressions against records.

Takes spec files, a data file and an entity name; gives a read-eval-print loop.
Typing an expression evaluates it against the current record and prints its
value with its unit, or its verdict with the explanation; an error prints its
rendered diagnostic (a caret under the fault) and the session goes on.  Lines
starting with ``:`` are commands (``:help`` lists them).  An open bracket or a
trailing ``and``/``or`` continues the input on the next line.

:class:`~standardlang.tools.repl_session.Session` holds the state and turns one input
into output text; it needs nothing but the core.  :func:`interactive` runs it on a terminal with
prompt_toolkit (the only module importing it, optional extra ``repl``): history
in ``$STANDARDLANG_HISTORY`` or ``$XDG_STATE_HOME/standardlang/history``
(default ``~/.local/state/standardlang/history``), highlighting by
:mod:`standardlang.tools.lexer`, tab completion of commands, keywords, units, rule ids,
record ids and field paths (nested after a ``.``; Chinese labels complete to
their field; a completion that fails, a bug, is said in one line and the session goes on:
:func:`tab_completions`).  :func:`scripted` reads inputs from a stream, so a session can be
piped.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import Any, Iterable, TextIO

from standardlang.errors import DataError, StandardLangError
from standardlang.tools.repl_session import COMMANDS, InputError, Quit, Session, completions

__all__ = ["Session", "completions", "tab_completions", "needs_more", "history_path", "scripted", "interactive", "main",
           "COMMANDS", "InputError"]

PROMPT = "stdl> "
CONTINUATION = "....> "

_CONTINUE_WORDS = ("and", "or", "not", "且", "或", "非")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"?')


def needs_more(text: str) -> bool:
    """Whether an input is unfinished: an open bracket, or a trailing and/or/not."""
    if text.lstrip().startswith(":") and not text.lstrip().startswith(":let"):
        return False
    depth = 0
    code = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            m = _STRING.match(text, i)
            i = m.end() if m else i + 1
            code.append(" ")
            continue
        if ch == "#":
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        code.append(ch)
        i += 1
    if depth > 0:
        return True
    words = "".join(code).split()
    return bool(words) and words[-1] in _CONTINUE_WORDS


def history_path() -> str:
    """Where the history lives: $STANDARDLANG_HISTORY, else the XDG state directory."""
    env = os.environ.get("STANDARDLANG_HISTORY")
    if env:
        return os.path.expanduser(env)
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(state, "standardlang", "history")


# ====================================================================== front ends


def scripted(session: Session, stream: TextIO, out: TextIO) -> int:
    """Read inputs line by line (continuing unfinished ones) and print results; 1 if any failed."""
    failed = False
    for note in session.startup:
        print(note, file=out)
    buffer: list[str] = []
    for raw in stream:
        buffer.append(raw.rstrip("\n"))
        text = "\n".join(buffer)
        if needs_more(text):
            continue
        buffer = []
        try:
            result = session.handle(text)
        except Quit:
            return 1 if failed else 0
        except InputError as exc:
            failed = True
            result = str(exc)
        if result:
            print(result, file=out)
        out.flush()
    if buffer:
        try:
            result = session.handle("\n".join(buffer))
        except Quit:
            return 1 if failed else 0
        except InputError as exc:
            failed, result = True, str(exc)
        if result:
            print(result, file=out)
    return 1 if failed else 0


def tab_completions(session: Session, text: str, say: Any = None) -> list[tuple[str, int, str]]:
    """What the Tab key offers: :func:`completions` of ``text``.

    Completions only read the session, so their failing is a bug of ours, not of the user's
    input: the session goes on (the Tab offers nothing), but the failure is said in one line
    (``say``, default stderr) asking for a report, and logged with its traceback at DEBUG
    (logger ``standardlang.repl``), never passed over in silence.
    """
    try:
        return completions(session, text)
    except Exception as exc:  # a bug: the REPL must outlive it, and must say it
        logging.getLogger("standardlang.repl").debug("completing %r failed", text, exc_info=True)
        line = f"standardlang: completing failed ({type(exc).__name__}: {exc}); a bug, please report it"
        (say or (lambda m: print(m, file=sys.stderr)))(line)
        return []


def interactive(session: Session) -> int:
    """Run the session on a terminal with prompt_toolkit."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import Completer, Completion
    from prompt_toolkit.history import FileHistory, InMemoryHistory
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.lexers import PygmentsLexer

    from standardlang.tools.lexer import StandardLangLexer

    from prompt_toolkit.application import run_in_terminal

    def say(line: str) -> None:  # above the prompt, which is drawn again below it
        run_in_terminal(lambda: print(line, file=sys.stderr))

    class _Completer(Completer):
        def get_completions(self, document, complete_event):
            for text, back, meta in tab_completions(session, document.text_before_cursor, say):
                yield Completion(text, start_position=-back, display_meta=meta or None)

    kb = KeyBindings()

    @kb.add("enter")
    def _enter(event):
        buf = event.current_buffer
        if buf.complete_state is not None and buf.complete_state.current_completion is not None:
            buf.apply_completion(buf.complete_state.current_completion)
            return
        if needs_more(buf.text):
            buf.insert_text("\n")
        else:
            buf.validate_and_handle()

    try:
        path = history_path()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        history: Any = FileHistory(path)
    except OSError:
        history = InMemoryHistory()
    prompt = PromptSession(history=history, lexer=PygmentsLexer(StandardLangLexer), completer=_Completer(),
                           multiline=True, key_bindings=kb, complete_while_typing=False,
                           prompt_continuation=lambda width, line, soft: CONTINUATION.rjust(width))
    for note in session.startup:
        print(note)
    print("standardlang repl — :help for commands, :quit to leave")
    while True:
        try:
            text = prompt.prompt(PROMPT)
        except KeyboardInterrupt:
            continue
        except EOFError:
            return 0
        try:
            result = session.handle(text)
        except Quit:
            return 0
        except InputError as exc:
            result = str(exc)
        if result:
            print(result, flush=True)


def main(specs: Iterable[str] = (), data: str | None = None, entity: str | None = None,
         stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Start a session: interactive on a terminal, scripted otherwise."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    try:
        session = Session(specs, data, entity)
    except DataError as exc:
        print(exc.render(), file=sys.stderr)
        return 3
    except StandardLangError as exc:
        print(exc.render(), file=sys.stderr)
        return 2
    except InputError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if stdin.isatty() and stdout.isatty():
        try:
            import prompt_toolkit  # noqa: F401
        except ImportError:
            print("standardlang: the interactive repl needs prompt_toolkit: pip install 'standardlang[repl]'",
                  file=sys.stderr)
            return 2
        return interactive(session)
    return scripted(session, stdin, stdout)
