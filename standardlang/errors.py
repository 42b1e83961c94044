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
    """Base class of every error standardlang raises for a user's mistake.

    Given a plain message instead of diagnostics, the error takes its class's
    :attr:`default_code`.
    """

    default_code = "G000"

    def __init__(self, diagnostics: Sequence[Diagnostic] | str):
        if isinstance(diagnostics, str):
            diagnostics = [Diagnostic(self.default_code, diagnostics)]
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)

    @property
    def first(self) -> Diagnostic:
        return self.diagnostics[0]


class SpecSyntaxError(StandardLangError):
    """The text of a spec or expression does not follow the grammar."""

    default_code = "E000"


class SpecCheckError(StandardLangError):
    """A spec parses but names, types or units do not check."""


class DataError(StandardLangError):
    """A record does not fit the schema (wrong type, bad value)."""

    default_code = "D000"


# ---------------------------------------------------------------------------- the codes

@attrs.frozen
class Code:
    """What one diagnostic code means, and the stage that reports it."""

    code: str
    stage: str
    meaning: str


#: the stages, with the codes each one reports (a code's letter and number say its stage)
STAGES = {
    "syntax": "E000–E099: the text does not follow the grammar (``lang/parser.py``)",
    "check": "E100–E199: names, types, units, declarations and examples do not check (``lang/checker.py`` and its parts)",
    "file": "F001–F099: a spec file or a report file cannot be read or written",
    "data": "D000–D099: a data file cannot be read, or its records cannot be used as given",
    "usage": "U001–U099: the command line asks for something the specs or data do not have",
    "lint": "L001–L099: warnings of ``standardlang lint`` (the spec checks, but something in it is likely wrong)",
    "internal": "G000, X001: no more specific code, or a fault of standardlang itself",
}

_TABLE = [
    ("E000", "syntax", "the input cannot be parsed (not text, or a parser failure without a better message)"),
    ("E001", "syntax", "unexpected character (a curly quote, a full-width bracket, an unterminated string)"),
    ("E002", "syntax", "unexpected word or symbol, or an unexpected end of the input"),
    ("E003", "syntax", "unknown word: a keyword glued to letters, or a misspelt keyword, unit or strength word"),
    ("E010", "syntax", "the source is larger than the limit"),
    ("E011", "syntax", "nested too deeply, or too many operators in one body"),
    ("E012", "syntax", "a number literal has too many digits"),
    ("E100", "check", "unknown name, or a record has no such field"),
    ("E101", "check", "unknown entity, enum or type"),
    ("E102", "check", "a `list of ENTITY by FIELD` link names a field the entity does not have"),
    ("E103", "check", "units or dimensions do not match (area with length, a count with a ratio)"),
    ("E104", "check", "not a member of the enum"),
    ("E105", "check", "unknown function, or a function used without parentheses"),
    ("E106", "check", "a field of something that is not a record"),
    ("E107", "check", "a set literal outside `in` or `contains`"),
    ("E108", "check", "arithmetic (or abs, min, max, negation) on something that is not a number"),
    ("E109", "check", "division by the constant zero"),
    ("E110", "check", "a condition (true/false) was needed"),
    ("E111", "check", "the two sides cannot be compared"),
    ("E112", "check", "`in` or `contains` used with something that is not a set or list"),
    ("E113", "check", "a function called with the wrong arguments"),
    ("E114", "check", "an aggregate over something that is not a list (of records, of numbers)"),
    ("E119", "check", "arithmetic on constants gives a number too long to hold"),
    ("E120", "check", "the spec file has no `standard` header"),
    ("E121", "check", "more than one `standard` header in a file"),
    ("E122", "check", "unknown key in the `standard` header"),
    ("E123", "check", "a name is declared twice"),
    ("E124", "check", "an enum member is listed twice"),
    ("E125", "check", "an enum has no members"),
    ("E126", "check", "a record declares more than one key"),
    ("E127", "check", "the key is not a field of its record"),
    ("E128", "check", "a field's body in braces is missing or not allowed"),
    ("E129", "check", "a field's `range` is not allowed or empty"),
    ("E130", "check", "a rule id is used twice"),
    ("E131", "check", "an indicator id is used twice"),
    ("E132", "check", "a clause that may appear once appears twice"),
    ("E133", "check", "a rule or alternative has no `require` clause"),
    ("E134", "check", "an alternative's name is used twice in a rule"),
    ("E135", "check", "a clause not allowed in an alternative"),
    ("E136", "check", "an indicator's target or value is not a number"),
    ("E137", "check", "an indicator has no target or no value"),
    ("E138", "check", "an indicator example is for an entity the indicator has no value for"),
    ("E139", "check", "an example expects a status (or a value) its rule or indicator cannot give"),
    ("E140", "check", "a definition refers to itself"),
    ("E150", "check", "an example's `given` is not a record"),
    ("E151", "check", "an example gives a field its record does not have"),
    ("E152", "check", "an example gives a field a value of the wrong kind"),
    ("E153", "check", "an example gives an enum field a value that is not a member"),
    ("E160", "check", "an item of the standard is declared twice"),
    ("E161", "check", "a rule's id is numbered after another item than the one it sits in"),
    ("F001", "file", "cannot read a spec file"),
    ("F002", "file", "a spec file is not UTF-8 text"),
    ("F003", "file", "cannot write a report file"),
    ("F004", "file", "a report format needs a package that is not installed"),
    ("D000", "data", "records that cannot be used as given (no more specific code)"),
    ("D001", "data", "cannot read a data file"),
    ("D002", "data", "unknown data file format"),
    ("D003", "data", "a data file is not valid JSON, JSON Lines, CSV, YAML or Excel"),
    ("D004", "data", "a data file holds no records, or not records"),
    ("D005", "data", "reading this data format needs an optional package"),
    ("U001", "usage", "no rule or indicator matches the pattern given"),
    ("U002", "usage", "`--where` is not a condition"),
    ("U003", "usage", "no record with the id given"),
    ("U004", "usage", "the spec has no rule or indicator with the id given"),
    ("U005", "usage", "the indicator has no value for the entity given"),
    ("U006", "usage", "none of the specs given has indicators"),
    ("U007", "usage", "the spec has no entity of the name given"),
    ("U008", "usage", "several records have the name given: give the key"),
    ("U009", "usage", "an option that the chosen report format does not support"),
    ("U010", "usage", "too many records for a report format held in memory"),
    ("U011", "usage", "an option that the chosen engine (`--engine`) does not support"),
    ("G000", "internal", "an error without a more specific code"),
    ("X001", "internal", "the formatter would have changed the meaning of the file (a bug: please report it)"),
]

#: every diagnostic code standardlang reports -> what it means
CODES: dict[str, Code] = {c: Code(c, stage, meaning) for c, stage, meaning in _TABLE}


#: the linter's codes -> (severity, meaning); :mod:`standardlang.tools.lint` reports them
LINT_CODES = {
    "L001": ("warning", "a condition that can never hold"),
    "L002": ("warning", "a condition that always holds"),
    "L003": ("warning", "a comparison decided by the field's declared range or sign alone"),
    "L004": ("warning", "a branch that can never be taken"),
    "L005": ("warning", "contradicting or overlapping thresholds in two rules"),
    "L006": ("warning", "a definition that is never used"),
    "L007": ("warning", "a rule or indicator without a citation"),
    "L008": ("note", "a rule or indicator without examples"),
    "L009": ("warning", "the strength does not match the cited clause"),
}

CODES.update({c: Code(c, "lint", meaning) for c, (_, meaning) in LINT_CODES.items()})


def all_codes() -> dict[str, Code]:
    """Every code, in the order of :data:`STAGES`."""
    order = list(STAGES)
    return dict(sorted(CODES.items(), key=lambda kv: (order.index(kv[1].stage), kv[0])))


def code_table_markdown() -> str:
    """The page ``docs/errors.md``: every code and its meaning, by stage (generated; a test keeps it fresh)."""
    out = ["# Diagnostic codes", "",
           "<!-- generated by `python -m standardlang.errors` from the table in standardlang/errors.py; "
           "edit the table, not this page -->", "",
           "Every message standardlang prints ends with its code, e.g. `[E103]`. One code has one meaning;",
           "the letter and number say which stage reports it.", ""]
    codes = all_codes()
    for stage, what in STAGES.items():
        out += [f"## {stage}", "", what.replace("``", "`"), "", "| code | meaning |", "| --- | --- |"]
        out += [f"| `{c.code}` | {c.meaning} |" for c in codes.values() if c.stage == stage]
        out.append("")
    return "\n".join(out)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint for a misspelled ``name``, or None."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    if matches:
        return f"did you mean `{matches[0]}`?"
    return None


if __name__ == "__main__":  # pragma: no cover - developer tool: python -m standardlang.errors > docs/errors.md
    print(code_table_markdown(), end="")
