"""Generated Python a person can read and debug: the module, its line map, tracebacks.

Takes the functions the compiler generated (their source lines, each tied to the
spec line it came from) and gives a :class:`Module`: the Python source as one
text, the functions compiled from it under the file name ``<standardlang:NAME>``,
a line map from generated lines back to the spec, and the functions that could
not be compiled (the one named fallback, see :class:`Fallback`).

As in Jinja's ``debug`` module, an exception raised inside generated code can be
traced to the spec: :func:`locate` finds the innermost generated frame of a
traceback and gives the spec's file, line and rule; :func:`annotate` adds that as
a note to the exception and registers the generated source with :mod:`linecache`
so the traceback shows the generated lines themselves.
"""

from __future__ import annotations

import linecache
from typing import Any, Callable

import attrs

#: the only named reason a function is not compiled: CPython's parser or compiler
#: refuses source nested this deep ("too many nested parentheses", recursion)
TOO_DEEP = "the expression is nested beyond what CPython can compile"


@attrs.frozen
class Origin:
    """Where a generated line comes from: the spec file, its line, and the rule (or let, value)."""

    file: str
    line: int | None
    what: str  # "rule 2.classes", "let community.total", "value 1 for city"

    def __str__(self) -> str:
        return f"{self.what} — {self.file}:{self.line}" if self.line else f"{self.what} — {self.file}"


@attrs.frozen
class Fallback:
    """A function run by the reference interpreter instead of generated code, and why."""

    name: str
    what: str
    reason: str


@attrs.define
class Function:
    """One generated function before compilation: its lines, each with the spec line it came from."""

    name: str
    origin: Origin
    params: str
    body: list[tuple[str, int | None]]  # (code, spec line or None for the function's own line)
    fallback: Callable[..., Any]

    def lines(self) -> list[tuple[str, Origin]]:
        head = [(f"# {_printable(str(self.origin))}", self.origin),
                (f"def {self.name}({self.params}):", self.origin)]
        return head + [("    " + code, attrs.evolve(self.origin, line=line) if line else self.origin)
                       for code, line in self.body] + [("", self.origin)]


class Module:
    """The generated functions of one spec (or expression), compiled into one namespace."""

    def __init__(self, name: str, namespace: dict[str, Any], strict: bool = False):
        self.filename = f"<standardlang:{_printable(name)}>"
        self.namespace = namespace
        self.strict = strict
        namespace["__standardlang_module__"] = self  # how locate() finds the line map from a frame
        self.lines: list[str] = []
        self.origins: list[Origin] = []
        self.fallbacks: list[Fallback] = []
        self.compiled: list[str] = []
        self.constants: dict[str, Any] = {}  # the names of constants passed in the namespace

    @property
    def source(self) -> str:
        """The generated Python source, as compiled (functions that fell back are absent).

        Line numbers are those of the compiled code (tracebacks point into this text); a
        comment block at the end shows the constants the code reads from its namespace,
        and the functions run by the interpreter instead.
        """
        if not self.lines:
            return ""
        tail = [f"# {name} = {_printable(_brief(value))}" for name, value in self.constants.items()]
        tail = (["# constants (passed in the namespace):"] + tail) if tail else []
        tail += [f"# {f.name}: {_printable(f.what)} is run by the interpreter: {f.reason}" for f in self.fallbacks]
        return "\n".join(self.lines + tail) + "\n"

    def add(self, functions: list[Function]) -> None:
        """Compile ``functions`` into the namespace: all at once, or one by one if that fails."""
        if not functions:
            return
        if self._compile(functions):
            return
        for fn in functions:  # a function CPython cannot compile is run by the interpreter
            if not self._compile([fn]):
                if self.strict:
                    raise CompileFallbackError(f"{fn.origin}: {TOO_DEEP}")
                self.namespace[fn.name] = fn.fallback
                self.fallbacks.append(Fallback(fn.name, fn.origin.what, TOO_DEEP))

    def _compile(self, functions: list[Function]) -> bool:
        lines = [line for fn in functions for line in fn.lines()]
        # blank lines before the chunk keep line numbers unique across chunks of one module
        text = "\n" * len(self.lines) + "\n".join(code for code, _ in lines) + "\n"
        try:
            code = compile(text, self.filename, "exec")
        except (SyntaxError, RecursionError, MemoryError, ValueError):
            return False
        exec(code, self.namespace)  # noqa: S102 - generated from the checked IR only
        self.lines.extend(code for code, _ in lines)
        self.origins.extend(origin for _, origin in lines)
        self.compiled.extend(fn.name for fn in functions)
        return True

    def origin(self, lineno: int) -> Origin | None:
        """The spec location of generated line ``lineno`` (1-based)."""
        if 1 <= lineno <= len(self.origins):
            return self.origins[lineno - 1]
        return None

    def register_source(self) -> None:
        """Let tracebacks show the generated lines (done only when an exception is reported)."""
        text = self.source
        linecache.cache[self.filename] = (len(text), None, text.splitlines(True), self.filename)


class CompileFallbackError(AssertionError):
    """Raised in strict mode where a function would fall back to the interpreter."""


def locate(exc: BaseException) -> Origin | None:
    """The spec location of the innermost generated frame in ``exc``'s traceback, if any."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__standardlang_module__")
        if isinstance(module, Module) and tb.tb_frame.f_code.co_filename == module.filename:
            found = module.origin(tb.tb_lineno), module
        tb = tb.tb_next
    if found is None:
        return None
    origin, module = found
    module.register_source()
    return origin


def annotate(exc: BaseException) -> BaseException:
    """Add the spec location of a failure inside generated code to ``exc`` as a note."""
    origin = locate(exc)
    if origin is not None and not getattr(exc, "__standardlang_located__", False):
        exc.add_note(f"in generated code for {origin}")
        try:
            exc.__standardlang_located__ = True  # type: ignore[attr-defined]
        except AttributeError:  # pragma: no cover - a built-in exception without a __dict__
            pass
    return exc


def _brief(value: Any) -> str:
    """A constant as the source's comment shows it: numbers in full, no text from the spec."""
    from fractions import Fraction

    if isinstance(value, (int, Fraction)):
        return repr(value)
    size = len(value) if hasattr(value, "__len__") else "?"
    return f"a {type(value).__name__} of {size} items (enum labels, set members)"


def _printable(text: str) -> str:
    """Text safe in a comment or a file name: no line breaks or control characters."""
    return "".join(c if c.isprintable() else "?" for c in text)
