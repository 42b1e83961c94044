"""The one vocabulary (:mod:`standardlang.lang.vocabulary`) and everything that must agree with it.

The grammar's word rules are written from the vocabulary, and the shipped LALR tables
record the grammar they were built from: when a word is added and the tables are not
rebuilt (``python -m standardlang.lang.parser``), ``test_shipped_tables_are_fresh`` fails.
The Pygments lexer, the formatter, the unit table and the HTML page read the same tables.
"""

from __future__ import annotations

import re

import lark
import pytest

from standardlang.lang import ast, grammar, units, vocabulary
from standardlang.lang.parser import parse_expression
from standardlang.tools import formatter


@pytest.fixture(scope="module")
def built():
    return lark.Lark(grammar.grammar_text(), **grammar._LARK_OPTIONS)


def test_shipped_tables_are_fresh():
    """The JSON tables were built from today's grammar and vocabulary (else: python -m standardlang.lang.parser)."""
    shipped = grammar.shipped_tables()
    assert shipped["grammar"] == grammar.grammar_key(), (
        "grammars/standardlang.tables.json is stale: run `python -m standardlang.lang.parser`")


def test_the_parser_in_use_comes_from_the_shipped_tables():
    if grammar.shipped_tables()["lark"] != lark.__version__:
        pytest.skip("tables built with another Lark version: the parser is rebuilt from the grammar")
    assert grammar._load_tables() is not None


def test_the_shipped_tables_parse_like_the_grammar():
    """The parser loaded from the JSON tables gives the same trees, and the same keyword guard, as one
    built from the grammar (the tables go through Lark's loader for serialised parsers)."""
    import pathlib

    loaded = grammar._load_tables()
    if loaded is None:
        pytest.skip("tables built with another Lark version: the parser is rebuilt from the grammar")
    built = grammar._build_lark()
    root = pathlib.Path(vocabulary.__file__).parents[2]
    texts = [p.read_text("utf-8") for p in sorted((root / "specs").glob("*.stdl"))]
    texts.append((root / "tests" / "demo.stdl").read_text("utf-8"))
    assert len(texts) >= 4
    for text in texts:
        grammar.current.text = text
        try:
            assert loaded.parse(text, start="start") == built.parse(text, start="start")
        finally:
            grammar.current.text = None
    # the keyword guard comes with the loaded tables (a parser loaded without it would
    # report an unexpected `s` here instead)
    text = 'standard s "t" {}\nentity e { x: m2 }\ngoal 1 for e { rule 1 { requires x } }'
    for parser in (loaded, built):
        grammar.current.text = text
        try:
            with pytest.raises(grammar.KeywordGlued):
                parser.parse(text, start="start")
        finally:
            grammar.current.text = None


def test_a_vocabulary_change_makes_the_tables_stale(monkeypatch):
    """The freshness check bites: one more unit word changes the grammar key."""
    before = grammar.grammar_key()
    monkeypatch.setitem(vocabulary.UNITS, "mu", ("area", 666))
    assert grammar.grammar_key() != before
    assert grammar._load_tables() is None  # stale tables are never used


def test_grammar_words_are_the_vocabulary(built):
    """Every word the grammar spells out is in the vocabulary, and the other way round."""
    words = {t.pattern.value for t in built.terminals
             if isinstance(t.pattern, lark.lexer.PatternStr) and re.fullmatch(r"\w+", t.pattern.value)}
    assert words == set(vocabulary.GRAMMAR_WORDS), (
        f"only in the grammar: {sorted(words - vocabulary.GRAMMAR_WORDS)}; "
        f"only in the vocabulary: {sorted(vocabulary.GRAMMAR_WORDS - words)}")


def test_grammar_symbols_are_the_vocabulary(built):
    symbols = {t.pattern.value for t in built.terminals if isinstance(t.pattern, lark.lexer.PatternStr)}
    assert set(vocabulary.COMPARISON_SYMBOLS) <= symbols
    assert {u for u in vocabulary.UNITS if not u[0].isalnum()} <= symbols


@pytest.mark.parametrize("spelling", sorted(vocabulary.COMPARISONS))
def test_every_comparison_spelling_parses_to_its_operator(spelling):
    for text in (f"a {spelling} 3", f"a {spelling}3"):
        e = parse_expression(text)
        assert isinstance(e, ast.Compare) and e.op == vocabulary.COMPARISONS[spelling] and e.spelling == spelling
    assert vocabulary.COMPARISONS[spelling] in vocabulary.OP_SYMBOL
    assert vocabulary.COMPARISONS[spelling] in vocabulary.MIRROR


@pytest.mark.parametrize("spelling", sorted(vocabulary.LOGIC_WORDS))
def test_every_logic_word_parses_to_its_operator(spelling):
    op = vocabulary.LOGIC_WORDS[spelling]
    e = parse_expression(f"{spelling} a" if op == "not" else f"a {spelling} b")
    assert (isinstance(e, ast.Not) if op == "not" else isinstance(e, ast.Logic) and e.op == op)
    assert e.spelling == spelling


def test_mirror_swaps_operands():
    for op, mirrored in vocabulary.MIRROR.items():
        for a in range(3):
            for b in range(3):
                assert eval(f"{a} {op} {b}") == eval(f"{b} {mirrored} {a}")


@pytest.mark.parametrize("word", sorted(vocabulary.UNITS))
def test_every_unit_word_parses_and_is_in_the_unit_table(word):
    e = parse_expression(f"2 {word}")
    assert isinstance(e, ast.Number) and e.unit == word
    dim, factor = vocabulary.UNITS[word]
    assert units.UNITS[word][1] == factor
    assert units.dimension_name(units.UNITS[word][0]) == {"ratio": "number"}.get(dim, dim)


def test_unit_table_is_exactly_the_vocabulary():
    assert list(units.UNITS) == list(vocabulary.UNITS)


def test_lexer_highlights_every_vocabulary_word():
    pytest.importorskip("pygments")
    from pygments.token import Keyword, Name, Operator

    from standardlang.tools.lexer import StandardLangLexer

    lexer = StandardLangLexer()

    def kinds(text):
        return [(t, v) for t, v in lexer.get_tokens(text) if v.strip()]

    for word in vocabulary.GRAMMAR_WORDS:
        (tok, value), *_ = kinds(f"{word} ")
        assert value == word and tok is not Name or word in ("m", "h", "min", "day", "days", "天", "米"), word
    for word in vocabulary.UNITS:
        toks = kinds(f"2 {word}")
        assert toks[1] == (Keyword.Type, word), (word, toks)
    for spelling in vocabulary.COMPARISONS:
        toks = kinds(f"a {spelling} 2")
        assert toks[1][1] == spelling and toks[1][0] in (Operator, Operator.Word), (spelling, toks)
    for name in vocabulary.FUNCTIONS:
        assert kinds(f"{name}(x)")[0] == (Name.Builtin, name)


@pytest.mark.parametrize("word", sorted(vocabulary.KEYWORDS))
def test_formatter_quotes_every_keyword_used_as_a_record_key(word):
    assert formatter._key(word) == f'"{word}"'


def test_formatter_leaves_plain_names_bare():
    assert formatter._key("households") == "households"


def _placeholders(text):
    return set(re.findall(r"{(\w*)}", text))


@pytest.mark.parametrize("table", sorted(vocabulary.PHRASE_TABLES))
def test_every_phrase_exists_in_every_language(table):
    t = vocabulary.PHRASE_TABLES[table]
    assert set(t) == set(vocabulary.LANGUAGES)
    en, zh = t["en"], t["zh"]
    assert set(en) == set(zh), f"{table}: only en {sorted(set(en) - set(zh))}, only zh {sorted(set(zh) - set(en))}"
    for key in en:
        assert isinstance(en[key], str) and isinstance(zh[key], str), (table, key)
        # one language may leave a value unsaid (the Chinese summary does not repeat the record
        # count), but a placeholder that only one language has on each side is a misspelling
        a, b = _placeholders(en[key]), _placeholders(zh[key])
        assert a <= b or b <= a, f"{table}.{key}: en {sorted(a)}, zh {sorted(b)}"
        assert "" not in a | b, f"{table}.{key}: a phrase names its values ({{n}}, not {{}})"


def test_every_phrase_table_is_listed():
    """A new table of zh/en words is in PHRASE_TABLES, so the test above checks it."""
    listed = {id(t) for t in vocabulary.PHRASE_TABLES.values()}
    for name, value in vars(vocabulary).items():
        if isinstance(value, dict) and set(value) == set(vocabulary.LANGUAGES) and name != "VALUE_RANGE_WORDS":
            assert id(value) in listed, f"{name} is not in PHRASE_TABLES"


def test_the_phrase_test_bites(monkeypatch):
    """A key missing in one language, or a misspelt placeholder, turns the test red."""
    monkeypatch.setitem(vocabulary.REPORT_WORDS, "zh", {**vocabulary.REPORT_WORDS["zh"]})
    del vocabulary.REPORT_WORDS["zh"]["in_short"]
    with pytest.raises(AssertionError, match="only en"):
        test_every_phrase_exists_in_every_language("report")
    monkeypatch.setitem(vocabulary.REPORT_WORDS, "zh", {**vocabulary.REPORT_WORDS["en"], "read_line": "读取 {recrods}"})
    with pytest.raises(AssertionError, match="read_line"):
        test_every_phrase_exists_in_every_language("report")


@pytest.mark.parametrize("lang", vocabulary.LANGUAGES)
def test_counted_nouns(lang):
    for key in vocabulary.COUNTED["en"]:
        for n in (0, 1, 2):
            text = vocabulary.counted(n, key, lang, noun="community", nouns="communities")
            assert str(n) in text and "{" not in text and "|" not in text
    assert vocabulary.counted(1, "record") == "1 record" and vocabulary.counted(2, "record") == "2 records"
    assert vocabulary.counted(2, "record", "zh") == "2 条记录"


#: CJK characters: ideographs, CJK punctuation, full-width forms
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
#: the only CJK text that may stay in reports/ and cli/, each with the reason
INLINE_CJK_ALLOWED = {
    # an example of a --where expression in the help text: the value is data (a district's name), not a phrase
    ("standardlang/cli/check.py", "judge only the records for which this expression holds, e.g. 'district == \"海勃湾区\"'"),
}


def inline_cjk(package_dir):
    """(file, text) for every string literal with CJK text in the modules of a folder, docstrings aside."""
    import ast
    import pathlib

    root = pathlib.Path(vocabulary.__file__).parents[2]
    found = []
    for path in sorted((root / "standardlang" / package_dir).glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                    and _CJK.search(node.value)):
                found.append((path.relative_to(root).as_posix(), node.value))
    return found


@pytest.mark.parametrize("package_dir", ["reports", "cli"])
def test_no_inline_phrases_in_reports_and_commands(package_dir):
    """Chinese (and the English beside it) lives in the vocabulary's phrase tables, not in the modules."""
    found = [f"{file}: {text!r}" for file, text in inline_cjk(package_dir) if (file, text) not in INLINE_CJK_ALLOWED]
    assert not found, "move these phrases into standardlang/lang/vocabulary.py:\n" + "\n".join(found)


def test_inline_phrase_check_bites(tmp_path, monkeypatch):
    """The scan finds a Chinese string literal (and leaves a docstring alone)."""
    import ast

    source = '"""说明"""\nx = "未通过" if lang == "zh" else "failed"\n'
    tree = ast.parse(source)
    assert any(isinstance(n, ast.Constant) and n.value == "未通过" for n in ast.walk(tree))
    pkg = tmp_path / "standardlang" / "reports"
    pkg.mkdir(parents=True)
    (pkg / "bad.py").write_text(source, "utf-8")
    fake = tmp_path / "standardlang" / "lang" / "vocabulary.py"
    fake.parent.mkdir()
    fake.write_text("", "utf-8")
    monkeypatch.setattr(vocabulary, "__file__", str(fake))
    assert inline_cjk("reports") == [("standardlang/reports/bad.py", "未通过")]


def test_strength_and_attribute_tables_cover_every_word():
    assert set(vocabulary.STRENGTHS.values()) == set(vocabulary.STRENGTH_ORDER) == set(vocabulary.STRENGTH_ZH)
    assert set(vocabulary.ATTRIBUTES.values()) == set(vocabulary.ATTRIBUTE_ORDER) == set(vocabulary.ATTRIBUTE_ZH)
    assert set(vocabulary.STATUS_SYMBOLS) == set(vocabulary.STATUS_ORDER)


def test_html_report_takes_the_words_as_data():
    from standardlang.reports import html

    for words in (vocabulary.STATUS_ORDER, vocabulary.STRENGTH_ORDER, vocabulary.ATTRIBUTE_ORDER):
        assert not re.search(r'\[\s*"' + words[0] + r'"\s*,\s*"' + words[1] + '"', html._JS), f"the script lists {words} itself"
    assert html.I18N is vocabulary.HTML_WORDS
    assert html._VOCABULARY["strengths"] == vocabulary.STRENGTH_ORDER
