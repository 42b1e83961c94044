"""A Pygments lexer for standardlang spec files and expressions.

Takes spec or expression text and gives Pygments tokens: declaration keywords,
clause keywords, strength words (shall/should/may, 应/宜/可), operator words
(and/or/not, 且/或/非, 不小于...), units (m2, 平方米, %...), strings, numbers,
comments, rule, goal and indicator ids, functions, statuses and names (Chinese
names included).  Keywords are keywords only as whole words, as in the grammar,
so ``应急避难场所`` is a name and ``应`` alone is a strength word.

This is the only module that imports Pygments (an optional dependency, extra
``repl``).  It registers as a Pygments plugin through the entry point
``[project.entry-points."pygments.lexers"] standardlang = "standardlang.tools.lexer:StandardLangLexer"``.
"""

from __future__ import annotations

import re

from pygments.lexer import RegexLexer, bygroups
from pygments.token import (Comment, Keyword, Name, Number, Operator, Punctuation, String, Text,
                            Whitespace)

from standardlang.lang import vocabulary

__all__ = ["StandardLangLexer", "DECLARATIONS", "CLAUSES", "STRENGTHS", "OPERATOR_WORDS", "UNITS",
           "FUNCTIONS", "TYPES", "CONSTANTS", "STATUSES", "ATTRIBUTES", "KEYWORDS"]

# the word lists, by highlighting class, all from the one vocabulary
DECLARATIONS = vocabulary.DECLARATIONS
CLAUSES = vocabulary.CLAUSES + tuple(vocabulary.CLAUSE_ALIASES)
STRENGTHS = tuple(vocabulary.STRENGTHS)
ATTRIBUTES = tuple(vocabulary.ATTRIBUTES)
OPERATOR_WORDS = (tuple(w for w in vocabulary.LOGIC_WORDS if w.isascii()) + vocabulary.OPERATOR_KEYWORDS
                  + vocabulary.QUANTIFIERS + tuple(w for w in vocabulary.LOGIC_WORDS if not w.isascii())
                  + tuple(vocabulary.COMPARISON_WORDS))
UNITS = tuple(vocabulary.UNITS)
FUNCTIONS = vocabulary.FUNCTIONS
TYPES = vocabulary.TYPES
CONSTANTS = vocabulary.CONSTANTS
STATUSES = vocabulary.EXAMPLE_STATUSES
KEYWORDS = DECLARATIONS + CLAUSES + STRENGTHS + ATTRIBUTES + OPERATOR_WORDS + TYPES + CONSTANTS + STATUSES

_ID = r"[0-9A-Za-z_\u3007\u4e00-\u9fff]+(?:\.[0-9A-Za-z_\u3007\u4e00-\u9fff]+)*"
_UNIT_RE = "|".join(re.escape(u) for u in sorted((u for u in UNITS if u[0].isalnum()), key=len, reverse=True))
_SIGN_UNIT_RE = "|".join(re.escape(u) for u in UNITS if not u[0].isalnum())  # % and ‰
_SYMBOL_RE = "|".join(re.escape(op) for op in sorted(vocabulary.COMPARISON_SYMBOLS, key=len, reverse=True)) \
    + r"|[+\-*/=]"
# unit words that are also likely field names: units only right after a number or `:`
_SHORT_UNITS = {"m", "h", "min", "day", "days", "天", "米"}

_WORD_TOKENS: dict[str, object] = {}
for _w in CLAUSES:
    _WORD_TOKENS[_w] = Keyword
for _w in DECLARATIONS:
    _WORD_TOKENS[_w] = Keyword.Declaration
for _w in TYPES:
    _WORD_TOKENS[_w] = Keyword.Type
for _w in UNITS:
    if _w not in _SHORT_UNITS:
        _WORD_TOKENS[_w] = Keyword.Type
for _w in STRENGTHS + ATTRIBUTES:
    _WORD_TOKENS[_w] = Keyword.Pseudo
for _w in OPERATOR_WORDS:
    _WORD_TOKENS[_w] = Operator.Word
for _w in CONSTANTS:
    _WORD_TOKENS[_w] = Keyword.Constant
for _w in STATUSES:
    _WORD_TOKENS[_w] = Name.Constant


def _word(lexer, match):
    """A whole word: a keyword, a function (before `(`), or a name."""
    word = match.group(0)
    rest = match.string[match.end():match.end() + 40].lstrip()
    if word in FUNCTIONS and rest.startswith("("):
        yield match.start(), Name.Builtin, word
        return
    if word == "count" and rest.startswith("("):
        yield match.start(), Name.Builtin, word
        return
    yield match.start(), _WORD_TOKENS.get(word, Name), word


class StandardLangLexer(RegexLexer):
    """Pygments lexer for standardlang (``.stdl``) spec files and expressions."""

    name = "standardlang"
    aliases = ["standardlang", "stdl"]
    filenames = ["*.stdl"]
    mimetypes = ["text/x-standardlang"]

    tokens = {
        "root": [
            (r"\s+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r'"(?:[^"\\\n]|\\.)*"', String.Double),
            (r'"[^\n]*', String.Double),  # an unterminated string, while typing
            # ids after the declaration that names them
            (r"(rule)(\s+)(" + _ID + ")", bygroups(Keyword.Declaration, Whitespace, Name.Label)),
            (r"(goal|indicator)(\s+)(" + _ID + ")", bygroups(Keyword.Declaration, Whitespace, Name.Label)),
            (r"(alternative)(\s+)([^\W\d]\w*)", bygroups(Keyword.Declaration, Whitespace, Name.Label)),
            # a number with its unit
            (r"(-?[0-9]+(?:\.[0-9]+)?)(\s*)(" + _SIGN_UNIT_RE + ")", bygroups(Number, Whitespace, Keyword.Type)),
            (r"(-?[0-9]+(?:\.[0-9]+)?)(\s*)(" + _UNIT_RE + r")(?![\w])",
             bygroups(Number, Whitespace, Keyword.Type)),
            (r"[0-9]+\.[0-9]+", Number.Float),
            (r"[0-9]+", Number.Integer),
            # a field's unit type: `area: m2`, `walk: 分钟`
            (r"(:)(\s*)(" + _UNIT_RE + r")(?![\w])", bygroups(Punctuation, Whitespace, Keyword.Type)),
            (r"[^\W\d]\w*", _word),
            (_SYMBOL_RE, Operator),
            (r"[?]", Operator),
            (r"[{}()\[\],.:]", Punctuation),
            (_SIGN_UNIT_RE, Keyword.Type),
            (r".", Text),
        ],
    }
