"""What the author probably meant: better messages for the mistakes newcomers make.

Takes a Lark parse error (the token it stopped at and the terminals it expected) and
the source text, or a word the checker does not know; gives a better diagnostic (or
hint) where it recognises the mistake, else ``None``, so the caller keeps its own:

- a strength word of Chinese standards other than 应 宜 可 (须, 必须, 应当 → 应;
  应该, 宜当 → 宜; 可以 → 可; ``must`` → ``shall``), see :data:`STRENGTH_SYNONYMS`;
- a misspelt unit (平米 → 平方米, m² → m2), as a quantity or as a field's type,
  see :data:`UNIT_MISSPELLINGS`;
- a misspelt keyword (``citation`` → ``cite``), by closeness or by prefix;
- a missing ``}``: a word that opens a block (``rule``, ``goal``, ``entity``…) inside
  a block that is still open, or the end of the file with a block open, gives
  "a `}` may be missing before line N" and names the block left open;
- the words the parser expected, cut to those of the block the error is in (no
  indicator words inside a rule, no rule words inside an indicator).
"""

from __future__ import annotations

import difflib
import os
import re
from typing import Any

from standardlang.lang import vocabulary

#: strength words of Chinese (and English) standards -> the strength word of standardlang
STRENGTH_SYNONYMS = {
    "必须": "应", "须": "应", "应当": "应", "需": "应", "需要": "应", "应该": "宜", "宜当": "宜", "可以": "可",
    "must": "shall", "required": "shall", "recommended": "should", "can": "may", "optional": "may",
}
_STRENGTH_EN = {**{zh: en for en, zh in vocabulary.STRENGTH_ZH.items()}, **vocabulary.STRENGTH_ZH}
STRENGTH_LIST = "应 (shall), 宜 (should), 可 (may)"

#: a unit as people write it -> the unit word standardlang knows (or None: no such unit, see the note)
UNIT_MISSPELLINGS: dict[str, str | None] = {
    "平米": "平方米", "平方": "平方米", "平方米数": "平方米", "m²": "m2", "M2": "m2", "sqm": "m2", "M²": "m2",
    "公尺": "米", "meter": "m", "meters": "m", "metre": "m", "metres": "m",
    "分": "分钟", "mins": "min", "minute": "min", "minutes": "min", "hour": "h", "hours": "h", "hr": "h",
    "日": "天", "d": "day", "percent": "%", "％": "%", "hectare": "ha", "hectares": "ha", "公里数": "公里",
    "km2": None, "km²": None, "平方公里": None, "平方千米": None, "亩": None,
}
_UNIT_NOTES = {
    "km2": "standardlang has no km²: write the area in ha (1 km² = 100 ha)",
    "亩": "standardlang has no 亩: write the area in m2 (1 亩 ≈ 666.7 m²)",
}
#: the unit words, for the hint
UNIT_WORDS = tuple(vocabulary.UNITS)
_UNIT_TERMINALS = {"M2", "平方米", "HA", "公顷", "PERCENT", "米", "M", "KM"}

#: words that open a block, and the blocks they may stand in (None: the top of the file)
_OPENS_IN = {"standard": {None}, "enum": {None}, "entity": {None}, "goal": {None}, "indicator": {None},
             "rule": {"goal"}}
_BLOCK_WORDS = ("standard", "enum", "entity", "goal", "item", "rule", "alternative", "indicator", "example")
#: clause words that belong to one kind of block only
_INDICATOR_ONLY = {"`binding`", "`expected`", "`约束性`", "`预期性`", "`target`", "`deadline`", "`unit`", "`value`"}
_ENTITY_ONLY = {"`key`", "`let`"}
_RULE_ONLY = {"`shall`", "`should`", "`may`", "`应`", "`宜`", "`可`", "`applies`", "`适用于`", "`require`",
              "`要求`", "`alternative`"}


def unit_hint(word: str) -> str | None:
    """A hint for a word written where a unit (or a field's unit type) was meant, or None."""
    if word in UNIT_MISSPELLINGS:
        meant = UNIT_MISSPELLINGS[word]
        if meant is None:
            return _UNIT_NOTES.get(word, _UNIT_NOTES["km2"])
        return f"did you mean the unit `{meant}`? The units: {' '.join(UNIT_WORDS)}"
    close = difflib.get_close_matches(word, [u for u in UNIT_WORDS if len(u) > 1], n=1, cutoff=0.75)
    if close:
        return f"did you mean the unit `{close[0]}`? The units: {' '.join(UNIT_WORDS)}"
    return None


def strength_hint(word: str) -> str | None:
    """A hint for a strength word of standards that standardlang spells otherwise, or None."""
    meant = STRENGTH_SYNONYMS.get(word)
    if meant is None:
        return None
    return f"write `{meant}` ({_STRENGTH_EN[meant]}); the strength words are {STRENGTH_LIST}"


def keyword_hint(word: str, keywords: list[str]) -> str | None:
    """'did you mean' a keyword, by closeness (``requier``) or by prefix (``citation`` → ``cite``)."""
    close = difflib.get_close_matches(word, keywords, n=1, cutoff=0.6)
    if not close and len(word) >= 3:  # citation -> cite: most of the keyword begins the word
        close = [k for k in keywords if len(k) >= 3 and k.isascii()
                 and len(os.path.commonprefix([k, word])) >= max(3, 0.75 * len(k))]
    return f"did you mean `{close[0]}`?" if close else None


def open_blocks(text: str, end: int) -> tuple[list[tuple[str, int, str]], tuple[int, tuple] | None]:
    """The blocks open at offset ``end``, outermost first, and the first misplaced ``}``.

    A block is ``(kind, line, name)``: ``kind`` is the word that opened it (``rule``,
    ``goal``…), ``record`` for a field's body, ``braces`` for data in an example. A ``}``
    alone on its line, less indented than the line that opened the block it closes,
    probably closes an outer block: ``(its line, the block it closed)``. Strings and
    comments are skipped.
    """
    stack: list[tuple[str, int, str]] = []
    indents: list[int] = []
    suspect = None
    line, i, line_start = 1, 0, 0
    while i < min(end, len(text)):
        ch = text[i]
        if ch == "\n":
            line, line_start = line + 1, i + 1
        elif ch == '"':
            i += 1
            while i < len(text) and text[i] not in '"\n':
                i += 2 if text[i] == "\\" else 1
        elif ch == "#":
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        elif ch == "{":
            before = text[line_start:i]
            words = before.split()
            kind = words[0] if words and words[0] in _BLOCK_WORDS else "braces"
            if kind == "braces" and any(w in ("record", "list", "set") for w in words[-3:]):
                kind = "record"
            if stack and stack[-1][0] in ("example", "braces"):
                kind = "braces"
            stack.append((kind, line, words[1] if kind in _BLOCK_WORDS and len(words) > 1 else ""))
            indents.append(len(before) - len(before.lstrip()))
        elif ch == "}" and stack:
            block, indent = stack.pop(), indents.pop()
            before = text[line_start:i]
            if suspect is None and not before.strip() and len(before) < indent:
                suspect = (line, block)
        i += 1
    return stack, suspect


def _block_name(block: tuple[str, int, str]) -> str:
    kind, line, name = block
    what = {"record": "the record", "braces": "the braces"}.get(kind, f"{kind} {name}".strip())
    return f"{what} opened on line {line}"


def better_syntax_error(exc: Any, text: str, expected: list[str]) -> tuple[str | None, str | None, list[str]]:
    """``(message, hint, expected words)`` for a Lark ``UnexpectedToken``; None where the usual one is kept.

    ``expected`` is the parser's list of what it expected, in words (`` `cite` ``); the
    list returned holds those that make sense in the block the error is in.
    """
    tok = exc.token
    word = str(tok)
    pos = getattr(tok, "start_pos", None)
    pos = len(text) if tok.type == "$END" or pos is None else pos
    blocks, suspect = open_blocks(text, pos)
    inner = blocks[-1][0] if blocks else None
    line = getattr(tok, "line", None) or text.count("\n", 0, pos) + 1
    unclosed = (tok.type == "$END" and blocks) or (word in _OPENS_IN and inner not in _OPENS_IN[word] and blocks)
    if unclosed:
        what = "end of input" if tok.type == "$END" else f"`{word}`"
        if suspect is not None:  # a `}` less indented than its block's opening line closed it
            return (f"unexpected {what}: {_block_name(suspect[1])} is not closed",
                    f"a `}}` may be missing before line {suspect[0]}", [])
        where = "at the end of the file" if tok.type == "$END" else f"before line {line}"
        return f"unexpected {what}: {_block_name(blocks[-1])} is not closed", f"a `}}` may be missing {where}", []
    words = expected
    if inner in ("rule", "alternative"):
        words = [w for w in expected if w not in _INDICATOR_ONLY | _ENTITY_ONLY | {"`rule`"}]
    elif inner == "indicator":
        words = [w for w in expected if w not in _RULE_ONLY]
    if ("`应`" in expected or "`shall`" in expected) and word in STRENGTH_SYNONYMS:
        return f"`{word}` is not a strength word", strength_hint(word), []
    if tok.type in ("NAME", "RULE_ID"):
        after_number = re.search(r"[0-9]\s*$", text[max(0, pos - 40):pos]) is not None
        if after_number or any(t in _UNIT_TERMINALS for t in getattr(exc, "expected", ())):
            hint = unit_hint(word)
            if hint:
                return f"unknown unit `{word}`", hint, []
        keywords = [w.strip("`") for w in words if w.startswith("`") and w.strip("`").isascii()]
        return None, keyword_hint(word, keywords), words
    return None, None, words
