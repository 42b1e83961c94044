"""Diagnostics and the error hierarchy.

Takes positions (spans) and messages from every stage and gives errors that
render as ``file:line:col: error: message``, the source line, a caret under the
fault and a hint.  Every error a user can cause derives from
:class:`StandardLangError`; no raw Lark or Python exception reaches a user.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import attrs


@attrs.frozen
class Span:
    """A region of a source text: 1-based line and column, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int) -> "Span":
        return cls(line, column, line, column + 1)


@attrs.frozen
class Source:
    """A named source text; spans index into it."""

    name: str
    text: str

    def line(self, number: int) -> str:
        lines = self.text.split("\n")  # lines as the parser counts them: \n only
        if 1 <= number <= len(lines):
            return lines[number - 1]
        return ""


@attrs.frozen
class Diagnostic:
    """One finding: a code, a severity, a message, where, and a hint."""

    code: str
    message: str
    span: Span | None = None
    severity: str = "error"
    hint: str | None = None
    source: Source | None = attrs.field(default=None, eq=False, repr=False)

    def render(self) -> str:
        """Render as ``file:line:col: severity: message`` plus line, caret and hint."""
        name = self.source.name if self.source else "<input>"
        if self.span is None:
            head = f"{name}: {self.severity}: {self.message} [{self.code}]"
            return head + (f"\n  hint: {self.hint}" if self.hint else "")
        head = f"{name}:{self.span.line}:{self.span.column}: {self.severity}: {self.message} [{self.code}]"
        out = [head]
        if self.source is not None:
            text = self.source.line(self.span.line)
            if text:
                shown = text.expandtabs(1)
                width = 1
                if self.span.end_line == self.span.line:
                    width = max(1, self.span.end_column - self.span.column)
                width = min(width, max(1, len(shown) - self.span.column + 1))
                prefix = _display_width(shown[: self.span.column - 1])
                caret_width = _display_width(shown[self.span.column - 1 : self.span.column - 1 + width])
                out.append(f"  {shown}")
                out.append("  " + " " * prefix + "^" * max(1, caret_width))
        if self.hint:
            out.append(f"  hint: {self.hint}")
        return "\n".join(out)

    def to_dict(self) -> dict:
        d: dict = {"code": self.code, "severity": self.severity, "message": self.message}
        if self.source is not None:
            d["file"] = self.source.name
        if self.span is not None:
            d["line"] = self.span.line
            d["column"] = self.span.column
        if self.hint:
            d["hint"] = self.hint
        return d


def _display_width(text: str) -> int:
    """Terminal columns of ``text``: wide (CJK) characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class StandardLangError(Exception):
    """Base class of every error standardlang raises for a user's mistake."""

    def __init__(self, diagnostics: Sequence[Diagnostic] | str):
        if isinstance(diagnostics, str):
            diagnostics = [Diagnostic("E000", diagnostics)]
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)

    @property
    def first(self) -> Diagnostic:
        return self.diagnostics[0]


class SpecSyntaxError(StandardLangError):
    """The text of a spec or expression does not follow the grammar."""


class SpecCheckError(StandardLangError):
    """A spec parses but names, types or units do not check."""


class DataError(StandardLangError):
    """A record does not fit the schema (wrong type, bad value)."""


class EvaluationLimitError(StandardLangError):
    """Evaluation exceeded a safety limit (input size, nesting)."""


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint for a misspelled ``name``, or None."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    if matches:
        return f"did you mean `{matches[0]}`?"
    return None
