"""The grammar and the Lark parser built from it, once per process.

Takes the grammar file shipped in the package (``grammars/standardlang.lark``) and the
word rules written from :mod:`standardlang.lang.vocabulary`; gives the Lark LALR parser
(:func:`lark_parser`), loaded from the shipped JSON tables when they are fresh and built
from the grammar otherwise.  ``python -m standardlang.lang.parser`` rewrites the tables
(:func:`write_tables`) after the grammar or the vocabulary changed; a test says when they
are stale.  A keyword glued to the letters after it (``requires``) is refused by a lexer
callback that raises :class:`KeywordGlued`, which the parser turns into a diagnostic.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any, Iterable

from standardlang.lang import vocabulary

_lock = threading.Lock()


def _grammar_file() -> str:
    from importlib import resources

    return resources.files("standardlang.grammars").joinpath("standardlang.lark").read_text("utf-8")


def _alternatives(words: Iterable[str]) -> str:
    return " | ".join(_lark_string(w) for w in words)


def _lark_string(word: str) -> str:
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def word_rules() -> str:
    """The grammar's word rules, written from :mod:`standardlang.lang.vocabulary`."""
    cn = "|".join(re.escape(w) for w in vocabulary.COMPARISON_WORDS)
    logic = {op: [w for w, o in vocabulary.LOGIC_WORDS.items() if o == op] for op in ("and", "or", "not")}
    return "\n".join([
        "// ---------------------------------------------------------------- words (from vocabulary.py)",
        f"!scalar: {_alternatives(vocabulary.TYPES)}",
        f"!strength: {_alternatives(vocabulary.STRENGTHS)}",
        f"!status: {_alternatives(vocabulary.EXAMPLE_STATUSES)}",
        f"!attribute: {_alternatives(vocabulary.ATTRIBUTES)}",
        f"!quant: {_alternatives(vocabulary.QUANTIFIERS)}",
        f"!unit: {_alternatives(vocabulary.UNITS)}",
        f"!compop: {_alternatives(vocabulary.COMPARISON_SYMBOLS)} | CN_COMPOP",
        "// the comparison words of Chinese standards, also when a number follows without a space",
        "// (不小于2200); never as the start of a longer name (大于等于 is a name)",
        f'CN_COMPOP.3: /({cn})(?=[\\s0-9.(\\-"]|$)/',
        f"!and_op: {_alternatives(logic['and'])}",
        f"!or_op: {_alternatives(logic['or'])}",
        f"!not_op: {_alternatives(logic['not'])}",
        f"!bool: {_alternatives(('true', 'false'))}",
        "",
    ])


def grammar_text() -> str:
    """The whole grammar: the shipped ``standardlang.lark`` and the word rules of the vocabulary."""
    return _grammar_file() + "\n" + word_rules()


_LARK_OPTIONS = dict(parser="lalr", lexer="contextual", start=["start", "expr"], propagate_positions=True,
                     maybe_placeholders=True)
TABLES_FILE = "standardlang.tables.json"


#: the text being parsed, for the keyword guard (set by the parser around each parse)
current = threading.local()


class KeywordGlued(Exception):
    """A keyword was matched as the prefix of a longer word (``requires``)."""

    def __init__(self, token: Any, word: str):
        self.token = token
        self.word = word


def _is_word_char(ch: str, keyword: str) -> bool:
    if keyword.isascii():
        return ch.isascii() and (ch.isalnum() or ch == "_")
    return (ch.isalpha() or ch == "_") and not ch.isdigit()


def _keyword_guard(token: Any) -> Any:
    """Reject a keyword glued to following letters: ``requires`` is not ``require s``."""
    text = getattr(current, "text", None)
    if text is not None and token.end_pos is not None and token.end_pos < len(text):
        if _is_word_char(text[token.end_pos], str(token)):
            end = token.end_pos
            while end < len(text) and _is_word_char(text[end], str(token)):
                end += 1
            raise KeywordGlued(token, text[token.start_pos:end])
    return token


def _callbacks(terminals: Any) -> dict:
    out = {}
    for t in terminals:
        if t.pattern.type == "str" and re.fullmatch(r"\w+", t.pattern.value):
            out[t.name] = _keyword_guard
    return out


def _build_lark() -> Any:
    import lark

    probe = lark.Lark(grammar_text(), **_LARK_OPTIONS)
    return lark.Lark(grammar_text(), **_LARK_OPTIONS, lexer_callbacks=_callbacks(probe.terminals))


def grammar_key() -> str:
    """A digest of the grammar and the parser options: the shipped tables record the one they were built from."""
    import hashlib

    text = grammar_text() + repr(sorted(_LARK_OPTIONS.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _encode(x: Any) -> Any:
    if isinstance(x, dict):
        if all(isinstance(k, str) for k in x):
            return {k: _encode(v) for k, v in x.items()}
        return {"__d__": [[_encode(k), _encode(v)] for k, v in x.items()]}
    if isinstance(x, tuple):
        return {"__t__": [_encode(v) for v in x]}
    if isinstance(x, list):
        return [_encode(v) for v in x]
    if isinstance(x, (str, int, float, bool)) or x is None:
        return x
    raise TypeError(f"cannot serialise parser tables: {type(x).__name__}")


def _decode_hook(d: dict) -> Any:
    """json object_hook undoing :func:`_encode` (inner objects are decoded first)."""
    if len(d) == 1:
        if "__d__" in d:
            return {k: v for k, v in d["__d__"]}
        if "__t__" in d:
            return tuple(d["__t__"])
    return d


def write_tables(path: str | None = None) -> str:
    """Write the LALR tables as JSON next to the grammar (run after editing the grammar).

    ``python -m standardlang.lang.parser`` calls this; a test checks the shipped file is fresh.
    Plain JSON, not pickle: loading it can never run code.
    """
    import json

    import lark

    p = lark.Lark(grammar_text(), **_LARK_OPTIONS)
    data, memo = p.memo_serialize([lark.lexer.TerminalDef, lark.grammar.Rule])
    if path is None:
        from importlib import resources

        path = str(resources.files("standardlang.grammars").joinpath(TABLES_FILE))
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"grammar": grammar_key(), "lark": lark.__version__,
                   "tables": _encode({"data": data, "memo": memo})}, fh, ensure_ascii=False, separators=(",", ":"))
        fh.write("\n")
    return path


def shipped_tables() -> dict:
    """The shipped tables file, decoded: ``{"grammar": key, "lark": version, "tables": ...}``."""
    import json
    from importlib import resources

    raw = resources.files("standardlang.grammars").joinpath(TABLES_FILE).read_text("utf-8")
    return json.loads(raw, object_hook=_decode_hook)


def _guarded_terminals(memo: dict) -> dict:
    """The keyword guard for every word terminal named in the serialised tables."""
    out = {}
    for entry in memo.values():
        pattern = entry.get("pattern", {}) if entry.get("__type__") == "TerminalDef" else {}
        if pattern.get("__type__") == "PatternStr" and re.fullmatch(r"\w+", pattern.get("value", "")):
            out[entry["name"]] = _keyword_guard
    return out


def _load_tables() -> Any:
    """The parser from the shipped JSON tables, or None when they are missing or stale.

    The file is read and decoded once (one ``json.loads``; :func:`_decode_hook` restores
    the tuples and non-string keys as it goes).  Lark (1.3) has no public loader that fits:

    * ``Lark.load(f)`` and the ``cache=`` option unpickle a file, and unpickling runs
      whatever code the file names: a shipped file must never be able to do that;
    * ``Lark.load`` takes no options, so the lexer callbacks (the keyword guard that
      refuses ``requires`` as ``require s``) could not be given to a loaded parser.

    ``Lark._load_from_dict(data, memo, **options)`` takes exactly what
    ``memo_serialize`` wrote, as plain data, together with the lexer callbacks.  It is the
    entry point of every parser Lark's own standalone generator emits
    (``python -m lark.tools.standalone`` writes ``Lark._load_from_dict(DATA, MEMO, **kwargs)``),
    so Lark keeps it working for generated code; the tables also record the Lark version
    they were built with and are used only with that version (else the grammar is built),
    and ``tests/test_vocabulary.py`` checks that the loaded parser parses every shipped
    spec to the same tree as one built from the grammar.
    """
    import lark

    try:
        blob = shipped_tables()
        if blob.get("grammar") != grammar_key() or blob.get("lark") != lark.__version__:
            return None
        data, memo = blob["tables"]["data"], blob["tables"]["memo"]
        return lark.Lark._load_from_dict(data, memo, lexer_callbacks=_guarded_terminals(memo))
    except Exception:  # a missing, stale or unreadable file only costs the time to rebuild
        return None


@lru_cache(maxsize=None)
def lark_parser() -> Any:
    """The Lark parser, built once per process (from the shipped tables when fresh)."""
    with _lock:
        return _load_tables() or _build_lark()
