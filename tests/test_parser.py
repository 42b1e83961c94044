"""The parser: spec text and expressions to the AST, with positioned syntax errors."""

from __future__ import annotations

import os
import pathlib

import pytest

import standardlang as sl
from standardlang.lang import ast
from standardlang.errors import SpecSyntaxError, StandardLangError
from standardlang.lang.parser import MAX_DEPTH, MAX_NESTING, parse, parse_expression

from conftest import ROOT

N, Num = ast.Name, ast.Number


def test_demo_spec_parses_into_declarations():
    tree = parse((ROOT / "tests" / "demo.stdl").read_text("utf-8"), "demo.stdl")
    kinds = [type(d).__name__ for d in tree.decls]
    assert kinds == ["Standard", "EnumDef", "Entity", "Entity", "Goal", "Entity", "Indicator"]
    std = tree.decls[0]
    assert std.name == "demo" and std.title == "幼儿园配建标准(示例)"
    assert std.meta[0].key == "source" and "专栏5" in std.meta[0].value
    goal = tree.decls[4]
    assert goal.id == "一" and goal.entity == "community"
    rules = [i for i in goal.items if isinstance(i, ast.Rule)]
    assert [r.id for r in rules] == ["2.building_area", "2.land", "6", "1.rooms"]
    assert rules[0].comments == ("# the kindergarten",)
    assert ast.Strength("应") in rules[0].clauses
    require = next(c for c in rules[0].clauses if isinstance(c, ast.Require))
    assert require.expr == ast.Logic(
        "and", ast.Call("present", (N("kindergarten"),)),
        ast.Compare(">=", ast.Attr(N("kindergarten"), "building_area"), Num("2200", "平方米"), spelling="不小于"),
        spelling="and")


PRECEDENCE = [
    ("a or b and c", ast.Logic("or", N("a"), ast.Logic("and", N("b"), N("c"), spelling="and"), spelling="or")),
    ("not a and b", ast.Logic("and", ast.Not(N("a")), N("b"), spelling="and")),
    ("not a == b", ast.Not(ast.Compare("==", N("a"), N("b"), spelling="=="))),
    ("a + b * c >= d", ast.Compare(">=", ast.Arith("+", N("a"), ast.Arith("*", N("b"), N("c"))), N("d"), spelling=">=")),
    ("a - b - c", ast.Arith("-", ast.Arith("-", N("a"), N("b")), N("c"))),
    ("a / b * c", ast.Arith("*", ast.Arith("/", N("a"), N("b")), N("c"))),
    ("-a.b", ast.Neg(ast.Attr(N("a"), "b"))),
    ("-2 * 3", ast.Arith("*", ast.Neg(Num("2")), Num("3"))),
    ("a - -5", ast.Arith("-", N("a"), ast.Neg(Num("5")))),
    ("(a + b) * c", ast.Arith("*", ast.Arith("+", N("a"), N("b")), N("c"))),
    ("if a then b else c or d", ast.Cond(N("a"), N("b"), ast.Logic("or", N("c"), N("d"), spelling="or"))),
    ("x between 1 and 2 and y", ast.Logic("and", ast.Between(N("x"), Num("1"), Num("2")), N("y"), spelling="and")),
    ("x between 1 且 2", ast.Between(N("x"), Num("1"), Num("2"), spelling="且")),
    ("x in {1, 2}", ast.Member(N("x"), ast.SetLit((Num("1"), Num("2"))))),
    ("x not in ys", ast.Member(N("x"), N("ys"), negated=True)),
    ("x 非 in ys", ast.Member(N("x"), N("ys"), negated=True, spelling="非")),
    ("s contains a", ast.Contains(N("s"), N("a"))),
    ("s contains all {a, b}", ast.Contains(N("s"), ast.SetLit((N("a"), N("b"))), quant="all")),
    ("s contains any {a}", ast.Contains(N("s"), ast.SetLit((N("a"),)), quant="any")),
    ("count(xs)", ast.Call("count", (N("xs"),))),
    ("count(xs where ok)", ast.Call("count", (N("xs"),), where=N("ok"))),
    ("sum(v for xs where ok)", ast.Call("sum", (N("xs"),), item=N("v"), where=N("ok"))),
    ("min(a, b, c)", ast.Call("min", (N("a"), N("b"), N("c")))),
    ("present(a.b)", ast.Call("present", (ast.Attr(N("a"), "b"),))),
    ("2200 m2", Num("2200", "m2")),
    ("0.22 公顷", Num("0.22", "公顷")),
    ("10 %", Num("10", "%")),
    ("1.4 ‰", Num("1.4", "‰")),
    ("10 分钟", Num("10", "分钟")),
    ('"a \\"b\\" \\\\ c"', ast.String('a "b" \\ c')),
    ("true and false", ast.Logic("and", ast.Bool(True), ast.Bool(False), spelling="and")),
    ("a ≥ 1", ast.Compare(">=", N("a"), Num("1"), spelling="≥")),
    ("a ≠ 1", ast.Compare("!=", N("a"), Num("1"), spelling="≠")),
    ("a 不超过 1", ast.Compare("<=", N("a"), Num("1"), spelling="不超过")),
    ("a 等于 1", ast.Compare("==", N("a"), Num("1"), spelling="等于")),
    ("a 不小于2200", ast.Compare(">=", N("a"), Num("2200"), spelling="不小于")),
    ("非 a 或 b 且 c", ast.Logic("or", ast.Not(N("a"), spelling="非"),
                                ast.Logic("and", N("b"), N("c"), spelling="且"), spelling="或")),
    ("非机动车停车棚.面积", ast.Attr(N("非机动车停车棚"), "面积")),
    ("大于等于", N("大于等于")),
    ("index >= 1", ast.Compare(">=", N("index"), Num("1"), spelling=">=")),
    ("notify", N("notify")),
    ("android and orange", ast.Logic("and", N("android"), N("orange"), spelling="and")),
    ("x # a comment\n >= 1", ast.Compare(">=", N("x"), Num("1"), spelling=">=")),
]


@pytest.mark.parametrize("text,tree", PRECEDENCE, ids=[t for t, _ in PRECEDENCE])
def test_expression_trees(text, tree):
    assert parse_expression(text) == tree


def test_numbers_keep_their_text():
    assert parse_expression("1.30").text == "1.30"
    assert parse_expression("007").text == "007"
    assert parse_expression("99999999999999999999999999").text == "99999999999999999999999999"


def test_spans_are_one_based_and_end_exclusive():
    e = parse_expression("a >= 10 m2")
    assert (e.span.line, e.span.column, e.span.end_line, e.span.end_column) == (1, 1, 1, 11)
    assert (e.right.span.column, e.right.span.end_column) == (6, 11)
    # spans take no part in equality
    assert parse_expression(" a >=  10  m2") == e


def test_chinese_structural_keywords():
    tree = parse("""
standard 标准 "标题" { source "来源" }
entity 社区 { 户数: count }
goal 一 for 社区 {
  rule 一.2 "规则" {
    宜
    适用于 户数 大于 0
    要求 户数 不少于 100
  }
}
indicator 2 "指标" { 约束性 target >= 1 value for 社区 = 户数 }
indicator 3 { 预期性 target >= 1 value for 社区 = 户数 }
""")
    rule = tree.decls[2].items[0]
    assert rule.id == "一.2"
    assert [type(c).__name__ for c in rule.clauses] == ["Strength", "Applies", "Require"]
    assert rule.clauses[0].word == "宜"
    assert tree.decls[3].clauses[0] == ast.Attribute("约束性")
    assert tree.decls[4].clauses[0] == ast.Attribute("预期性")


def test_fields_types_and_ranges():
    tree = parse("""
entity e "实体" {
  key id
  id: text
  a?: m2 "面积" range 0 to 100
  b: number range -5 to 5.5
  c: {x "甲", y}
  d: set {x, y "乙"}
  e: set of k
  f: list of child by parent
  g?: list { h: count }
  r: record { s: bool }
  let l "定义" = a + 1 m2
}
""")
    items = tree.decls[0].items
    assert items[0] == ast.Key("id")
    a = items[2]
    assert a.optional and a.type == ast.TypeRef("unit", "m2") and a.label == "面积" and a.bounds == ("0", "100")
    assert items[3].bounds == ("-5", "5.5")
    assert items[4].type.kind == "enum_inline" and items[4].type.members[0] == ast.EnumMember("x", "甲")
    assert items[5].type.kind == "set_inline"
    assert items[6].type == ast.TypeRef("set_of", "k")
    assert items[7].type == ast.TypeRef("list_of", "child", by="parent")
    assert items[8].type.kind == "list" and items[8].body[0].name == "h"
    assert items[9].type.kind == "record"
    assert items[10] == ast.Let("l", "定义", ast.Arith("+", N("a"), Num("1", "m2")))


def test_examples_and_data_literals():
    tree = parse("""
goal 1 for e {
  rule 1 {
    require x
    example "t" { given { a: 1, "带 空格": -2.5 m2, b: [1, {c: null}], d: true, e: new, f: "s", } expect not_applicable }
  }
}
indicator 1 { target >= 100 % value for e = x example { for city given {} expect pass value 50 % } }
""")
    ex = tree.decls[0].items[0].clauses[1]
    assert ex.title == "t" and ex.status == "not_applicable"
    pairs = dict(ex.given.pairs)
    assert pairs["a"] == ast.DataNumber("1")
    assert pairs["带 空格"] == ast.DataNumber("-2.5", "m2")
    assert pairs["b"] == ast.DataList((ast.DataNumber("1"), ast.DataObject((("c", ast.DataNull()),))))
    assert pairs["d"] == ast.DataBool(True) and pairs["e"] == ast.DataName("new") and pairs["f"] == ast.DataString("s")
    ind_ex = tree.decls[1].clauses[2]
    assert ind_ex.entity == "city" and ind_ex.value == ast.DataNumber("50", "%")


def test_comments_are_kept_on_the_following_statement():
    tree = parse('# head\nstandard s "t" {\n  # on meta\n  source "x"\n}\nentity e {\n  # on field\n'
                 '  x: m2 # same line\n}\n# trailing\n')
    assert tree.decls[0].comments == ("# head",)
    assert tree.decls[0].meta[0].comments == ("# on meta",)
    assert tree.decls[1].items[0].comments == ("# on field", "# same line")
    assert tree.trailing_comments == ("# trailing",)
    # a # inside a string is not a comment
    assert parse('standard s "a # b" {}').decls[0].title == "a # b"


# ====================================================================== syntax errors


@pytest.mark.parametrize("text,line,column,code", [
    ("x >=", 1, 3, "E002"),          # end of input: the caret is under the last token
    ("x >= >= 1", 1, 6, "E002"),
    ("(x", 1, 2, "E002"),
    ("x )", 1, 3, "E002"),
    ("x\n  >= 1 m2 m2", 2, 11, "E002"),
    ('"abc', 1, 1, "E001"),
    ("x ~ 1", 1, 3, "E001"),
    ("x >= 1；", 1, 7, "E001"),
    ("a <= b <= c", 1, 8, "E002"),
])
def test_syntax_errors_have_positions(text, line, column, code):
    with pytest.raises(SpecSyntaxError) as info:
        parse_expression(text, "e.stdl")
    d = info.value.first
    assert (d.code, d.span.line, d.span.column) == (code, line, column), d.render()
    assert d.render().startswith(f"e.stdl:{line}:{column}: error: ")


def test_syntax_error_in_a_spec_names_the_file_line_and_hint():
    text = 'standard s "t" {}\nentity e { x: m2 }\ngoal 1 for e {\n  rule 1 {\n    requir x >= 1 m2\n  }\n}\n'
    with pytest.raises(sl.StandardLangError) as info:
        sl.loads(text, "bad.stdl")
    d = info.value.first
    assert (d.span.line, d.span.column) == (5, 5)
    assert d.hint == "did you mean `require`?"
    assert "bad.stdl:5:5: error: unexpected `requir`" in str(info.value)


def test_keyword_glued_to_a_word_is_not_split():
    with pytest.raises(SpecSyntaxError) as info:
        parse('standard s "t" {}\nentity e { x: m2 }\ngoal 1 for e { rule 1 { requires x } }')
    assert info.value.first.code == "E003" and "requires" in info.value.first.message
    assert info.value.first.hint == "did you mean `require`?"


def test_full_width_punctuation_hint():
    with pytest.raises(SpecSyntaxError) as info:
        parse_expression("count（xs）")
    assert "full-width" in info.value.first.hint


@pytest.mark.parametrize("value", [None, 1, b"x >= 1", ["x"]])
def test_non_text_input_is_a_syntax_error(value):
    with pytest.raises(SpecSyntaxError):
        parse(value)
    with pytest.raises(SpecSyntaxError):
        parse_expression(value)


def test_errors_are_standardlang_errors_not_lark_errors():
    import lark

    for text in ("x >=", '"', "(((", "if a then b", "x.", "count(", "{1,", "a b"):
        with pytest.raises(StandardLangError) as info:
            parse_expression(text)
        assert not isinstance(info.value, lark.exceptions.LarkError)
        assert info.value.__cause__ is None or not isinstance(info.value.__cause__, lark.exceptions.LarkError)


# ====================================================================== limits


def test_bracket_nesting_limit():
    assert parse_expression("(" * MAX_NESTING + "x" + ")" * MAX_NESTING) == N("x")
    with pytest.raises(SpecSyntaxError) as info:
        parse_expression("(" * (MAX_NESTING + 1) + "x" + ")" * (MAX_NESTING + 1))
    d = info.value.first
    assert d.code == "E011" and d.span.column == MAX_NESTING + 1 and "let" in d.hint


def test_expression_depth_limit():
    assert isinstance(parse_expression("not " * (MAX_DEPTH - 1) + "x"), ast.Not)
    assert isinstance(parse_expression(" + ".join(["x"] * MAX_DEPTH)), ast.Arith)
    for text in ("not " * 300 + "x", " + ".join(["x"] * 300), "x" + ".y" * 300, "-" * 300 + "x"):
        with pytest.raises(SpecSyntaxError) as info:
            parse_expression(text)
        assert info.value.first.code == "E011"
        assert info.value.first.span is not None


def test_expression_101_deep_is_a_syntax_error():
    """Regression: the documented limit is 100 expression levels (101..118 used to pass)."""
    with pytest.raises(SpecSyntaxError):
        parse_expression("not " * MAX_DEPTH + "x")


def test_brackets_in_comments_do_not_count_toward_nesting():
    """Regression: brackets inside comments used to count towards MAX_NESTING."""
    assert parse_expression("x >= 1 # " + "(" * (MAX_NESTING + 1)) == ast.Compare(">=", N("x"), Num("1"),
                                                                                     spelling=">=")


# ====================================================================== line breaks other than \n


# Regression (was xfail): comments are scanned with str.splitlines(), which also breaks at
@pytest.mark.parametrize("sep", ["\u2028", "\x0c", "\x85", "\r"], ids=["u2028", "formfeed", "nel", "cr"])
def test_comment_with_another_line_break_character_is_kept_whole(sep):
    tree = parse(f'# c{sep}d\nstandard s "t" {{\n  source "x"\n}}\n')
    assert tree.decls[0].comments == (f"# c{sep}d",)


# Regression (was xfail): Source.line() uses str.splitlines(), so after a string holding
@pytest.mark.parametrize("sep", ["\u2028", "\x0c"], ids=["u2028", "formfeed"])
def test_error_quotes_the_right_line_after_another_line_break_character(sep):
    text = f'standard s "t" {{ source "a{sep}b" }}\nentity e {{ x: m2 }}\ngoal 1 for e {{\n  rule 1 {{ require x >= 1 }}\n}}\n'
    with pytest.raises(StandardLangError) as info:
        sl.loads(text, "f.stdl")
    lines = info.value.render().splitlines()
    assert lines[0].startswith("f.stdl:4:")
    assert lines[1] == "    rule 1 { require x >= 1 }"


# Regression (was xfail): a comment before a one-line block (`entity e { x: m2 }`) is given to
def test_comment_before_a_one_line_block_stays_before_it():
    tree = parse('standard s "t" { source "x" }\n# on the entity\nentity e { x: m2 }\n')
    assert tree.decls[1].comments == ("# on the entity",)
    assert tree.decls[1].items[0].comments == ()


# Regression (was xfail): the comment scanner splits lines with str.splitlines(), so in a string
@pytest.mark.parametrize("sep", ["\x0c", "\x0b", "\u2028"], ids=["formfeed", "vtab", "u2028"])
def test_hash_after_another_line_break_character_in_a_string_is_not_a_comment(sep):
    from standardlang.tools.formatter import format_spec

    text = f'standard s "t" {{\n  source "a{sep}#x"\n}}\n'
    tree = parse(text)
    assert tree.trailing_comments == () and tree.decls[0].comments == ()
    assert "#x\"\n" not in format_spec(tree).replace(f'"a{sep}#x"', "")


# ====================================================================== golden parse trees

GOLDEN_PARSE = pathlib.Path(__file__).resolve().parent / "golden" / "parse"
UPDATE_GOLDEN = os.environ.get("UPDATE_GOLDEN") == "1"


def _cases(path: pathlib.Path) -> list[tuple[str, str]]:
    """(expression, expected tree) pairs of a fixture file; comments and blank lines separate them."""
    cases, current = [], None
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("--"):
            continue
        if not line.strip():
            current = None
        elif current is None:
            current = [line, []]
            cases.append(current)
        else:
            current[1].append(line)
    return [(expr, "\n".join(tree)) for expr, tree in cases]


def _write_cases(path: pathlib.Path, cases: list[tuple[str, str]]) -> None:
    head = [line for line in path.read_text("utf-8").splitlines() if line.startswith("--")]
    body = [f"{expr}\n{tree}\n" for expr, tree in cases]
    path.write_text("\n".join(head) + "\n\n" + "\n".join(body), "utf-8")


def test_golden_expression_trees():
    path = GOLDEN_PARSE / "expressions.txt"
    cases = _cases(path)
    assert len(cases) >= 25
    got = [(expr, ast.dump(parse_expression(expr))) for expr, _ in cases]
    if UPDATE_GOLDEN:
        _write_cases(path, got)
        return
    for (expr, expected), (_, tree) in zip(cases, got):
        assert tree == expected, f"the tree of `{expr}` changed (UPDATE_GOLDEN=1 if intended):\n{tree}"


@pytest.mark.parametrize("name", ["demo"])
def test_golden_spec_tree(name):
    """The whole demo spec's tree (declarations, fields, clauses, examples with their data)."""
    source = pathlib.Path(__file__).resolve().parent / f"{name}.stdl"
    tree = ast.dump(parse(source.read_text("utf-8"), source.name)) + "\n"
    golden = GOLDEN_PARSE / f"{name}.tree"
    if UPDATE_GOLDEN:
        golden.write_text(tree, "utf-8")
        return
    assert tree == golden.read_text("utf-8"), "the tree changed (UPDATE_GOLDEN=1 if intended)"
