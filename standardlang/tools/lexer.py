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

from pygments.lexer import RegexLexer, bygroups
from pygments.token import (Comment, Keyword, Name, Number, Operator, Punctuation, String, Text,
                            Whitespace)

__all__ = ["StandardLangLexer", "DECLARATIONS", "CLAUSES", "STRENGTHS", "OPERATOR_WORDS", "UNITS",
           "FUNCTIONS", "TYPES", "CONSTANTS", "STATUSES", "ATTRIBUTES", "KEYWORDS"]

DECLARATIONS = ("standard", "enum", "entity", "goal", "rule", "indicator", "let", "alternative", "example")
CLAUSES = ("key", "record", "list", "of", "by", "set", "range", "to", "for", "applies", "when", "适用于",
           "cite", "reading", "require", "要求", "given", "expect", "value", "target", "deadline", "unit",
           "if", "then", "else", "where")
STRENGTHS = ("shall", "should", "may", "应", "宜", "可")
ATTRIBUTES = ("binding", "expected", "约束性", "预期性")
OPERATOR_WORDS = ("and", "or", "not", "in", "between", "contains", "all", "any", "且", "或", "非",
                  "不小于", "不少于", "不低于", "不大于", "不多于", "不超过", "大于", "小于", "等于")
UNITS = ("m2", "㎡", "平方米", "ha", "公顷", "m", "米", "km", "千米", "公里", "min", "分钟", "h", "小时",
         "day", "days", "天", "%", "‰")
FUNCTIONS = ("present", "count", "sum", "avg", "min", "max", "abs", "share")
TYPES = ("bool", "text", "number", "count")
CONSTANTS = ("true", "false", "null")
STATUSES = ("pass", "fail", "unknown", "not_applicable")
KEYWORDS = DECLARATIONS + CLAUSES + STRENGTHS + ATTRIBUTES + OPERATOR_WORDS + TYPES + CONSTANTS + STATUSES

_ID = r"[0-9A-Za-z_\u3007\u4e00-\u9fff]+(?:\.[0-9A-Za-z_\u3007\u4e00-\u9fff]+)*"
_UNIT_RE = "|".join(sorted((u for u in UNITS if u not in ("%", "‰")), key=len, reverse=True))
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
            (r"(-?[0-9]+(?:\.[0-9]+)?)(\s*)(%|‰)", bygroups(Number, Whitespace, Keyword.Type)),
            (r"(-?[0-9]+(?:\.[0-9]+)?)(\s*)(" + _UNIT_RE + r")(?![\w])",
             bygroups(Number, Whitespace, Keyword.Type)),
            (r"[0-9]+\.[0-9]+", Number.Float),
            (r"[0-9]+", Number.Integer),
            # a field's unit type: `area: m2`, `walk: 分钟`
            (r"(:)(\s*)(" + _UNIT_RE + r")(?![\w])", bygroups(Punctuation, Whitespace, Keyword.Type)),
            (r"[^\W\d]\w*", _word),
            (r">=|<=|==|!=|[<>≥≤≠+\-*/=]", Operator),
            (r"[?]", Operator),
            (r"[{}()\[\],.:]", Punctuation),
            (r"[%‰]", Keyword.Type),
            (r".", Text),
        ],
    }
