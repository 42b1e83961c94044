"""Hostile data, read safely: encodings, JSON and YAML within limits, values that cannot be used.

Takes raw bytes or text of a data file; gives text decoded by a safe rule, parsed
JSON/YAML values in which anything Python cannot hold or print (a number of more
than 4,300 digits, nesting deeper than :data:`MAX_DEPTH`, a lone surrogate) is a
:class:`BadValue` naming the problem, and errors for YAML whose aliases would
expand beyond reason.  A :class:`BadValue` in a record becomes an error verdict
for the rules that read it (see :mod:`standardlang.data.validate`); nothing here
raises anything but :class:`~standardlang.errors.DataError` or the parsers' own
syntax errors, which the readers turn into positioned data errors.

The encoding rule (``docs/cli.md``, "Encodings"): a UTF-8 byte-order mark means
UTF-8; a file that is UTF-8 as a whole is UTF-8; a file with some bytes that are
not UTF-8 but at least as many UTF-8 non-ASCII lines as not stays UTF-8, its bad lines (JSON Lines)
or cells (CSV) being errors of their records; only a file whose non-ASCII lines are
mostly not UTF-8 is tried as GB18030 (which includes GBK), as a whole.  ``--encoding`` overrides.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any, BinaryIO, Iterator

#: the longest integer Python converts to and from text by default
MAX_DIGITS = 4300
#: records nested deeper than this are refused (JSON/YAML values, JSON in a CSV cell)
MAX_DEPTH = 100
#: a YAML document may expand its aliases to at most this many times its own nodes (and at least this many values)
YAML_EXPANSION, YAML_MIN_VALUES = 10, 100_000

_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED = re.compile("[\udc80-\udcff]")  # bytes kept by the surrogateescape error handler


class BadValue(str):
    """A value read from data that cannot be used (too many digits, too deep, not UTF-8...).

    A ``str`` (its text is a short, printable stand-in for the value) with ``problem``,
    the reason in words; validation turns it into an error naming the field.
    """

    problem: str

    def __new__(cls, text: str, problem: str) -> "BadValue":
        obj = super().__new__(cls, text)
        obj.problem = problem
        return obj

    def __repr__(self) -> str:
        text = str.__repr__(str(self[:40]) + ("…" if len(self) > 40 else ""))
        return f"{text} ({self.problem})"

    def __reduce__(self) -> Any:  # picklable, for worker processes
        return (BadValue, (str(self), self.problem))


class UnreadableLine(BadValue):
    """A JSON Lines line (or a record) that is not a record at all; judged, it gives error verdicts."""

    def __reduce__(self) -> Any:
        return (UnreadableLine, (str(self), self.problem))


def shown(text: str, limit: int = 60) -> str:
    """Printable, short: escapes surrogates and control characters, cuts long text."""
    s = text if len(text) <= limit else text[:limit] + "…"
    return s.encode("utf-8", "backslashreplace").decode("utf-8") if _SURROGATE.search(s) else s


def big_number(digits: str) -> BadValue:
    n = len(digits.lstrip("+-"))
    return BadValue(f"{digits[:12]}…({n} digits)", f"a number of {n:,} digits (at most {MAX_DIGITS:,} can be read)")


def _int(text: str) -> Any:
    return int(text) if len(text) <= MAX_DIGITS else big_number(text)


def _float(text: str) -> Any:
    if len(text) > MAX_DIGITS:
        return big_number(text)
    return float(text)


def _surrogates(value: Any) -> Any:
    """``value`` with every string holding a lone surrogate replaced by a BadValue (a walk: JSON is a tree)."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            return BadValue(shown(value), f"text with a lone surrogate {_first_surrogate(value)} (not valid Unicode)")
        return value
    if isinstance(value, list):
        return [_surrogates(x) for x in value]
    if isinstance(value, dict):
        return {_surrogates(k): _surrogates(v) for k, v in value.items()}
    return value


def _first_surrogate(text: str) -> str:
    m = _SURROGATE.search(text)
    return f"\\u{ord(m.group()):04x}" if m else ""


def loads_json(text: str) -> Any:
    """``json.loads`` that never raises ValueError/RecursionError for a value it can represent as a BadValue.

    Raises ``json.JSONDecodeError`` for bad syntax and :class:`TooDeep` for nesting
    beyond what Python can parse (with the line and column where it starts).
    """
    try:
        value = json.loads(text, parse_int=_int, parse_float=_float)
    except RecursionError:
        raise TooDeep(*_deep_position(text)) from None
    if "\\u" in text and ("\\ud" in text or "\\uD" in text):
        value = _surrogates(value)
    if _bracket_count(text) > MAX_DEPTH and depth(value) > MAX_DEPTH:
        raise TooDeep(*_deep_position(text))
    return value


def _bracket_count(text: str) -> int:
    return text.count("[") + text.count("{")


class TooDeep(Exception):
    """A JSON text nested deeper than :data:`MAX_DEPTH`; ``line`` and ``column`` say where."""

    def __init__(self, line: int, column: int):
        super().__init__(f"nested deeper than {MAX_DEPTH} levels")
        self.line, self.column = line, column


def depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (an iterative walk; 0 for a scalar)."""
    best = 0
    stack = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            v = list(v.values())
        if isinstance(v, list):
            best = max(best, d)
            if d > MAX_DEPTH:
                return d
            stack.extend((x, d + 1) for x in v if isinstance(x, (list, dict)))
    return best


def _deep_position(text: str) -> tuple[int, int]:
    """Line and column where JSON nesting first exceeds MAX_DEPTH (strings skipped)."""
    d, line, col, in_str, esc = 0, 1, 0, False, False
    for ch in text:
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
        elif in_str:
            esc, in_str = (False, True) if esc else (ch == "\\", ch != '"')
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            d += 1
            if d > MAX_DEPTH:
                return line, col
        elif ch in "]}":
            d -= 1
    return 1, 1


def cell_json(text: str) -> Any:
    """JSON written in a CSV cell; a BadValue when it is too deep or unreadable, the text when not JSON."""
    try:
        return loads_json(text)
    except TooDeep:
        return BadValue(shown(text), f"JSON nested deeper than {MAX_DEPTH} levels")
    except json.JSONDecodeError:
        return text


# ------------------------------------------------------------------ encodings
def decide_encoding(fh: BinaryIO, given: str | None = None) -> str:
    """The encoding of a file opened in binary (read through once, in blocks; rewound).

    ``given`` wins.  Otherwise: ``utf-8-sig`` with a byte-order mark; ``utf-8`` when the
    file is UTF-8 as a whole, or when at least as many of its non-ASCII lines are UTF-8
    as are not (a UTF-8 file with damaged lines: those become errors of their records);
    ``gb18030`` (which includes GBK) for a file mostly not UTF-8 that decodes as GB18030
    as a whole; else ``utf-8``.
    """
    if given:
        try:
            return codecs.lookup(given).name
        except LookupError:
            from standardlang.errors import DataError
            raise DataError(f"unknown encoding `{given}` (try utf-8 or gb18030)") from None
    head = fh.read(3)
    fh.seek(0)
    if head == codecs.BOM_UTF8:
        return "utf-8-sig"
    try:
        dec = codecs.getincrementaldecoder("utf-8")("strict")
        for block in iter(lambda: fh.read(1 << 20), b""):
            dec.decode(block)
        dec.decode(b"", final=True)
        return "utf-8"  # the common case: one quick pass
    except UnicodeDecodeError:
        pass
    finally:
        fh.seek(0)
    good = bad = 0  # lines with non-ASCII bytes that are / are not UTF-8
    for raw in fh:
        if raw.isascii():
            continue
        try:
            raw.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            bad += 1
    fh.seek(0)
    if good >= bad:
        return "utf-8"  # UTF-8 with some damaged lines: those are errors of their records
    gb = codecs.getincrementaldecoder("gb18030")("strict")
    try:
        for block in iter(lambda: fh.read(1 << 20), b""):
            gb.decode(block)
        gb.decode(b"", final=True)
        return "gb18030"
    except UnicodeDecodeError:
        return "utf-8"
    finally:
        fh.seek(0)


def decode(raw: bytes, encoding: str) -> str:
    """Bytes as text; bytes that do not decode are kept as surrogate escapes (found later by :func:`bad_bytes`)."""
    return raw.decode(encoding, "surrogateescape" if encoding.replace("_", "-") in ("utf-8", "utf-8-sig") else "replace")


def bad_bytes(text: str) -> str | None:
    """A description of the first undecodable byte of ``text`` (column and value), or None."""
    if text.isascii():
        return None
    m = _ESCAPED.search(text)
    if m is None:
        return None
    return f"not UTF-8 text: byte 0x{ord(m.group()) - 0xDC00:02X} at column {m.start() + 1}"


def lines(fh: BinaryIO, encoding: str) -> Iterator[tuple[int, str]]:
    """(line number, text) of every line of a binary file, decoded by :func:`decode`; line ends at \\n."""
    first = True
    for n, raw in enumerate(fh, 1):
        if first and encoding == "utf-8-sig" and raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]
        first = False
        yield n, decode(raw, "utf-8" if encoding == "utf-8-sig" else encoding).rstrip("\r\n")


# ------------------------------------------------------------------ YAML
def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` refusing nesting deeper than MAX_DEPTH and alias bombs; raises yaml.YAMLError."""
    import yaml

    class Loader(yaml.SafeLoader):
        level = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            self.level += 1
            try:
                if self.level > MAX_DEPTH:
                    raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels",
                                                      self.peek_event().start_mark)
                return super().compose_node(parent, index)
            finally:
                self.level -= 1

    def construct_int(loader: Any, node: Any) -> Any:
        if len(node.value) > MAX_DIGITS:
            return big_number(node.value.replace("_", ""))
        return yaml.SafeLoader.construct_yaml_int(loader, node)

    Loader.add_constructor("tag:yaml.org,2002:int", construct_int)
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        distinct, expanded = _yaml_sizes(node)
        if expanded > max(YAML_MIN_VALUES, YAML_EXPANSION * distinct):
            raise yaml.composer.ComposerError(
                None, None, f"its aliases expand {distinct:,} values into more than {expanded:,} "
                            f"(refused: more than {YAML_EXPANSION}× and {YAML_MIN_VALUES:,})", node.start_mark)
        value = loader.construct_document(node)
    finally:
        loader.dispose()
    return _scalars_checked(value)


def _yaml_sizes(root: Any) -> tuple[int, int]:
    """(distinct nodes, nodes once every alias is expanded) of a composed YAML graph, without expanding it."""
    import yaml

    size: dict[int, int] = {}
    order: list[Any] = []
    stack, seen = [root], set()
    while stack:  # a post-order over the DAG (an alias is a second reference to a node)
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        order.append(n)
        if isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
        elif isinstance(n, yaml.MappingNode):
            stack.extend(x for kv in n.value for x in kv)
    for n in reversed(order):
        if isinstance(n, yaml.SequenceNode):
            kids = n.value
        elif isinstance(n, yaml.MappingNode):
            kids = [x for kv in n.value for x in kv]
        else:
            kids = []
        size[id(n)] = 1 + sum(size.get(id(k), 1) for k in kids)  # a cycle counts once
    return len(order), size[id(root)]


def _scalars_checked(value: Any) -> Any:
    """YAML integers beyond MAX_DIGITS as BadValues (PyYAML builds them; printing them would fail)."""
    stack = [value]
    big = False
    while stack and not big:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
        elif is_huge_int(v):
            big = True
    return _fix_big(value) if big else value  # (PyYAML refuses lone surrogates in its input itself)


def _fix_big(value: Any) -> Any:
    if isinstance(value, dict):
        return {_fix_big(k): _fix_big(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fix_big(x) for x in value]
    if is_huge_int(value):
        return BadValue(f"(a {value.bit_length():,}-bit number)", f"a number of more than {MAX_DIGITS:,} digits")
    return value


def is_huge_int(v: Any) -> bool:
    """An int that may have more than MAX_DIGITS digits, which Python refuses to print (cheap: by its bits)."""
    return isinstance(v, int) and not isinstance(v, bool) and v.bit_length() > MAX_DIGITS * 3.3219
