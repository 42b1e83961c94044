"""Cells of CSV files and spreadsheets converted to the values of a schema's types.

Takes a cell (text, or a value a spreadsheet holds) and the field's type and
unit; gives the value (``"2,400"`` → 2400, ``"2200平方米"`` → 2200 for a field in
m², ``"是"`` → true, ``"hall;police"`` → a set), :data:`ABSENT` for an empty cell
(a value *not recorded*: the record leaves the key out), ``None`` for a facility
(a nested record or list's own column) written absent (``无``, ``none``, ``0``),
``0`` for a count written ``无`` / ``none``, ``[]`` for a set written so, or — when the cell does not convert — the cell as given (validation then names
the field and the value) or a :class:`~standardlang.data.safe.BadValue` saying
what is wrong with it (a number of more than 4,300 digits, JSON nested too deep,
bytes that are not UTF-8).
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction
from typing import Any

from standardlang.data.safe import MAX_DIGITS, BadValue, bad_bytes, big_number, cell_json, shown
from standardlang.lang import units
from standardlang.lang.types import BoolT, Dynamic, EnumT, ListT, Num, RecordT, SetT, TextT

TRUE_WORDS = {"true", "yes", "y", "t", "1", "是", "有", "√", "✓", "对"}
FALSE_WORDS = {"false", "no", "n", "f", "0", "否", "无", "没有", "none", "×", "✗", "错"}
#: words of a cell that say "there is none" (a facility absent, a count of 0, an empty set): not
#: "not recorded", which an empty cell says (docs/data-model.md, "Not recorded, and none")
NONE_WORDS = {"无", "没有", "none", "null", "nil", "no", "否", "false", "0", "n", "f", "×", "✗"}
_SET_SPLIT = re.compile(r"[;、,]")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?(\d+))?")
ABSENT = object()


def _norm(text: Any) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def convert_cell(cell: Any, t: Any, unit: str | None = None) -> Any:
    """A cell (text, or a spreadsheet value) as a value of type ``t``; unconvertible cells stay as they are."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return ABSENT
    if isinstance(cell, str) and not isinstance(cell, BadValue):
        problem = bad_bytes(cell)
        if problem is not None:
            return BadValue(shown(cell), problem)
    if isinstance(t, (RecordT, ListT)):
        return _facility(cell, t)
    if isinstance(t, Num):
        if t.kind == "count" and isinstance(cell, str) and _norm(cell) in NONE_WORDS:
            return 0
        return _number(cell, unit)
    if isinstance(t, BoolT):
        if isinstance(cell, bool):
            return cell
        if isinstance(cell, (int, float)) and cell in (0, 1):
            return bool(cell)
        word = _norm(cell)
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else cell
    if isinstance(t, TextT):
        if isinstance(cell, float) and cell.is_integer():
            return str(int(cell))
        return cell.strip() if isinstance(cell, str) else str(cell)
    if isinstance(t, EnumT):
        return _member(cell, t)
    if isinstance(t, SetT):
        if not isinstance(cell, str):
            return _member(cell, t.enum) if isinstance(cell, (int, float)) else cell
        if _norm(cell) in NONE_WORDS - {"0"}:
            return []
        text = unicodedata.normalize("NFKC", cell)
        return [_member(p.strip(), t.enum) for p in _SET_SPLIT.split(text) if p.strip()]
    if isinstance(t, Dynamic) and isinstance(cell, str):
        n = _number(cell, None)
        return n if not isinstance(n, str) else cell.strip()
    return cell


def _facility(cell: Any, t: Any) -> Any:
    """The own column of a nested record or list (a facility): JSON, absent, or (a record) there."""
    if isinstance(cell, str) and cell.strip()[:1] in ("{", "["):
        return cell_json(cell)
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and cell == 0:
        return None  # a spreadsheet's 0
    if isinstance(cell, (str, bool, int, float)):
        word = _norm(cell)
        if word in NONE_WORDS:
            return None  # absent: the survey found none
        if isinstance(t, RecordT) and word in TRUE_WORDS:
            return {}  # there; its details are in its sub-columns, or not recorded
    return cell


def unit_spellings(unit: str | None) -> list[str]:
    """Every spelling of ``unit`` the language accepts (same dimension and factor), NFKC-normalised, longest first.

    NFKC makes ``㎡`` and ``m²`` read as ``m2``, so a cell may say ``2200平方米``, ``2200㎡`` or ``2200 m²``.
    """
    if not unit:
        return []
    key = _UNIT_KEYS.get(unicodedata.normalize("NFKC", unit).strip())
    if key is None:
        return [unicodedata.normalize("NFKC", unit)]
    words = {unicodedata.normalize("NFKC", w) for w, info in units.UNITS.items() if info[:2] == key}
    return sorted(words, key=len, reverse=True)


_UNIT_KEYS = {unicodedata.normalize("NFKC", w): info[:2] for w, info in units.UNITS.items()}


def _number(cell: Any, unit: str | None) -> Any:
    if isinstance(cell, bool) or isinstance(cell, BadValue):
        return cell
    if isinstance(cell, (int, float, Fraction)):
        return cell
    if not isinstance(cell, str):
        return cell
    text = unicodedata.normalize("NFKC", cell).strip()
    for u in unit_spellings(unit):
        if text.endswith(u) and len(text) > len(u):
            text = text[: -len(u)].strip()
            break
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    if len(text) > MAX_DIGITS:
        return big_number(text) if _NUMBER.fullmatch(text) else cell
    m = _NUMBER.fullmatch(text)
    if not m or (m.group(3) and int(m.group(3)) > 100):
        return cell
    v = Fraction(text)
    return int(v) if v.denominator == 1 else v


def _member(cell: Any, t: EnumT) -> Any:
    if not isinstance(cell, str):
        cell = str(int(cell)) if isinstance(cell, float) and cell.is_integer() else str(cell)
    lookup = t.lookup()
    text = cell.strip()
    if text in lookup:
        return lookup[text]
    wanted = _norm(text)
    for k, v in lookup.items():
        if _norm(k) == wanted:
            return v
    return text
