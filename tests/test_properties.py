"""Properties of the whole pipeline, checked on generated specs, records and text.

* the compiled evaluators agree with the reference interpreter (statuses and values);
* the formatter round-trips (``parse(format_spec(ast)) == ast``) and is idempotent;
* Kleene's laws hold with unknowns, evaluated through the language;
* verdicts are monotone in the value and independent of the unit a threshold is written in;
* numbers are exact at thresholds;
* any text, and any string the grammar generates, parses or raises StandardLangError with
  a position, and any spec loads or raises StandardLangError.
"""

from __future__ import annotations

import itertools
import os
import pathlib
from decimal import Decimal

import lark
import pytest
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

import standardlang as sl
from standardlang.lang import ast
from standardlang.errors import StandardLangError
from standardlang.tools.formatter import format_expr, format_spec
from standardlang.lang.parser import parse, parse_expression
from standardlang.engine.verdict import Status

import strategies as S
from conftest import ROOT, SPECS
from strategies import E, load_ast  # noqa: E402  (shared with the other differential tests)





def dec(d: Decimal) -> str:
    """A decimal as a number literal of the language (never `1E-6`)."""
    return format(d, "f")


def same_value(got, expected) -> bool:
    """Equal, and exact: no float leaves an evaluator (a float is read as the decimal it prints as)."""
    if isinstance(got, list) and isinstance(expected, list):
        return len(got) == len(expected) and all(same_value(g, e) for g, e in zip(got, expected))
    if isinstance(got, float) or isinstance(expected, float):
        return False
    if isinstance(got, bool) or isinstance(expected, bool) or got is None or expected is None:
        return got is expected
    return got == expected


# compiled == interpreter: see tests/test_compiler.py


# ====================================================================== formatter


@given(S.specs())
def test_format_roundtrips_generated_specs(spec):
    text = format_spec(spec)
    note(text)
    assert parse(text) == spec
    assert format_spec(parse(text)) == text


@given(st.one_of(S.conditions(), *(S.exprs(t) for t in S.NUMERIC), S.loose_exprs()))
@example(E("a - -5"))
@example(E("-(-x)"))
@example(E("(a or b) and not (c 且 d)"))
@example(E("if a then if b then 1 else 2 else 3"))
@example(E("(if a then 1 else 2) + 3"))
@example(E("x 非 in {1, 2} 或 y between 1 且 2"))
@example(E("(x >= 1) == (y >= 2)"))
@example(E('name == "a \\"quoted\\" \\\\ value"'))
@example(E("sum(area for shops where open) / count(shops)"))
@example(E("rooms contains all {hall, 警务室}"))
def test_format_roundtrips_expressions(e):
    text = format_expr(e)
    note(text)
    assert parse_expression(text) == e
    assert format_expr(parse_expression(text)) == text


# Regression (was xfail): a goal `let` after a blank line made format_spec raise
@pytest.mark.parametrize("text", [
    'enum x {}\n\ngoal x \nfor x {let x = 0 }standard x  "s" {# c\n}',  # as from_lark found it
    'standard s "t" {}\nentity e { x: count }\ngoal 1 for e {\n  let a = x >= 1\n\n  let b = x >= 2\n'
    '  rule r { require a and b }\n}\n',
], ids=["found", "minimal"])
def test_format_goal_let_after_a_blank_line(text):
    tree = parse(text)
    once = format_spec(tree)
    assert parse(once) == tree
    assert format_spec(parse(once)) == once


SPEC_FILES = [ROOT / "tests" / "demo.stdl", *sorted(SPECS.glob("*.stdl"))]


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.name)
def test_format_roundtrips_spec_files(path: pathlib.Path):
    text = path.read_text("utf-8")
    tree = parse(text, str(path))
    once = format_spec(tree)
    assert parse(once) == tree
    assert format_spec(parse(once)) == once
    # the formatted file means the same: it loads and its examples give the same results
    assert [r.id for r in sl.loads(once).rules] == [r.id for r in sl.loads(text).rules]


# ====================================================================== Kleene's laws

TRUTH = {"true": True, "false": False, "missing": None}
ABC_RECORDS = [
    {name: TRUTH[v] for name, v in zip("abc", values) if v != "missing"}
    for values in itertools.product(TRUTH, repeat=3)
]
LAWS = [
    ("not (a and b)", "not a or not b"),          # De Morgan
    ("not (a or b)", "not a and not b"),
    ("a and true", "a"),                          # identity
    ("a or false", "a"),
    ("a and false", "false"),                     # annihilation
    ("a or true", "true"),
    ("a and (a or b)", "a"),                      # absorption
    ("a or (a and b)", "a"),
    ("a and b", "b and a"),                       # commutativity
    ("a or b", "b or a"),
    ("(a and b) and c", "a and (b and c)"),       # associativity
    ("(a or b) or c", "a or (b or c)"),
    ("a and (b or c)", "(a and b) or (a and c)"),  # distributivity
    ("a or (b and c)", "(a or b) and (a or c)"),
    ("not not a", "a"),                           # double negation
    ("非 (a 且 b)", "非 a 或 非 b"),                  # the Chinese spellings
    ("if a then b else false", "a and b"),
]


def truth(expr: sl.Expression, rec: dict):
    """True / False / None of a compiled expression (a bare name `a` is a value, not a condition)."""
    result = expr.evaluate(rec)
    if expr.is_condition:
        return {"pass": True, "fail": False, "unknown": None}[result.status.value]
    return result.value


@pytest.mark.parametrize("lhs,rhs", LAWS, ids=[f"{l} == {r}" for l, r in LAWS])
def test_kleene_laws_with_unknowns(lhs, rhs):
    left, right = sl.compile(lhs), sl.compile(rhs)
    assert len(ABC_RECORDS) == 27
    for rec in ABC_RECORDS:
        assert truth(left, rec) is truth(right, rec), rec


def test_kleene_excluded_middle_fails_on_unknown():
    """`a or not a` is not a tautology in Kleene logic: unknown, not true, when a is missing."""
    e = sl.compile("a or not a")
    assert e.evaluate({}).status == "unknown"
    assert e.evaluate({"a": False}).status == "pass"


KLEENE_PAIRS = [
    (lambda a, b: ast.Not(ast.Logic("and", a, b, spelling="and")),
     lambda a, b: ast.Logic("or", ast.Not(a), ast.Not(b), spelling="or")),
    (lambda a, b: ast.Not(ast.Logic("or", a, b, spelling="or")),
     lambda a, b: ast.Logic("and", ast.Not(a), ast.Not(b), spelling="and")),
    (lambda a, b: ast.Logic("and", a, ast.Logic("or", a, b, spelling="or"), spelling="and"), lambda a, b: a),
    (lambda a, b: ast.Logic("or", a, ast.Logic("and", a, b, spelling="and"), spelling="or"), lambda a, b: a),
    (lambda a, b: ast.Logic("and", a, b, spelling="and"), lambda a, b: ast.Logic("and", b, a, spelling="and")),
    (lambda a, b: ast.Logic("or", a, b, spelling="or"), lambda a, b: ast.Logic("or", b, a, spelling="or")),
    (lambda a, b: ast.Logic("and", a, ast.Bool(True), spelling="and"), lambda a, b: a),
]


@given(a=S.conditions(depth=2), b=S.conditions(depth=2), law=st.sampled_from(KLEENE_PAIRS),
       recs=st.lists(S.records(), min_size=1, max_size=4))
def test_kleene_laws_on_generated_conditions(a, b, law, recs):
    lhs, rhs = law
    spec = load_ast(S.condition_spec([lhs(a, b), rhs(a, b)]))
    for rec in recs:
        assert spec.rule_function("r1")(rec) is spec.rule_function("r2")(rec), rec


# ====================================================================== monotonicity and units

AREAS = st.decimals(min_value=0, max_value=10000, places=2)


@given(x=AREAS, raise_by=AREAS, threshold=AREAS, field=st.sampled_from(("area", "plot.area", "gross", "sum(shops.area)")))
@example(x=Decimal("2199.99"), raise_by=Decimal("0.01"), threshold=Decimal("2200"), field="area")
@example(x=Decimal("0.00"), raise_by=Decimal("0.00"), threshold=Decimal("0.00"), field="sum(shops.area)")
def test_raising_a_value_never_turns_pass_into_fail(x, raise_by, threshold, field):
    t = dec(threshold)
    spec = load_ast(S.condition_spec([E(f"{field} >= {t} m2"), E(f"{field} + area > {t} m2")]))

    def record(v):
        v = float(v)
        return {"area": v, "plot": {"area": v}, "shops": [{"area": v}, {"area": 1}]}

    for rid in ("r1", "r2"):
        before = spec.rule_function(rid)(record(x))
        after = spec.rule_function(rid)(record(x + raise_by))
        assert before in (Status.PASS, Status.FAIL)
        if before is Status.PASS:
            assert after is Status.PASS


@given(m2=st.decimals(min_value=0, max_value=100000, places=2), data=st.decimals(min_value=0, max_value=100000, places=2),
       op=st.sampled_from((">=", ">", "<=", "<", "==", "!=")))
@example(m2=Decimal("2200"), data=Decimal("2200"), op=">=")
@example(m2=Decimal("0.01"), data=Decimal("0.01"), op="==")
@example(m2=Decimal("0.00"), data=Decimal("0.00"), op=">=")
def test_threshold_in_m2_or_ha_gives_the_same_verdict(m2, data, op):
    ha, m2 = dec(m2 / 10000), dec(m2)
    conds = [E(f"area {op} {m2} m2"), E(f"area {op} {ha} ha"), E(f"area {op} {ha} 公顷"), E(f"area {op} {m2} 平方米"),
             E(f"land {op} {m2} m2"), E(f"land {op} {ha} ha")]
    spec = load_ast(S.condition_spec(conds))
    # area is declared in m2, land in ha: the same site area written in either
    rec = {"area": float(data), "land": float(str(data / 10000))}
    statuses = {spec.rule_function(f"r{i}")(rec) for i in range(1, len(conds) + 1)}
    assert len(statuses) == 1, statuses
    assert statuses <= {Status.PASS, Status.FAIL}


def test_2200_m2_equals_022_ha_in_the_language():
    assert sl.compile("2200 m2 == 0.22 ha").evaluate({}).status == "pass"
    assert sl.compile("1 公顷 == 10000 平方米").evaluate({}).status == "pass"
    assert sl.compile("1.4 ‰ < 1 %").evaluate({}).status == "pass"


# ====================================================================== exactness


@pytest.mark.parametrize("expr,record", [
    ("x >= 2200", {"x": 2200}),
    ("x >= 2200", {"x": 2200.0}),
    ("a / b >= 10 %", {"a": 330, "b": 3300}),
    ("a / b >= 10 %", {"a": 330.0, "b": 3300.0}),
    ("x >= 0.3", {"x": 0.3}),
    ("x == 0.3", {"x": 0.3}),
    ("x + y == 0.3", {"x": 0.1, "y": 0.2}),
    ("x * 3 == 0.3", {"x": 0.1}),
    ("x >= 1.1", {"x": 1.1}),
    ("x <= 1.1", {"x": 1.1}),
    ("x / 3 * 3 == 1", {"x": 1}),
    ("x >= 10 %", {"x": 0.1}),
    ("share(xs where ok) >= 10 %", {"xs": [{"ok": True}] + [{"ok": False}] * 9}),
    ("count(xs where ok) / count(xs) >= 10 %", {"xs": [{"ok": True}] + [{"ok": False}] * 9}),
])
def test_exact_at_boundaries(expr, record):
    assert sl.compile(expr).evaluate(record).status == "pass"


def test_ten_percent_of_3300_m2_is_330_m2_in_a_schema():
    spec = load_ast(S.condition_spec([E("plot.area / area >= 10 %"), E("plot.share * area == 330 m2"),
                                      E("share(shops where open) >= 10 %")]))
    rec = {"area": 3300, "plot": {"area": 330, "share": 10},
           "shops": [{"open": True}] + [{"open": False}] * 9}
    assert [v.status for v in spec.judge(rec, "site").verdicts] == ["pass"] * 3


DECIMALS = st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=4)


@given(t=DECIMALS)
@example(t=Decimal("0.3"))
@example(t=Decimal("0.1"))
@example(t=Decimal("2200"))
@example(t=Decimal("-0.0001"))
@example(t=Decimal("999999.9999"))
def test_data_exactly_at_a_decimal_threshold(t):
    text = format(abs(t), "f")
    threshold = text if t >= 0 else f"-{text}"
    data = float(t)
    assert Decimal(repr(data)) == t  # the premise: the float prints as the decimal (<= 15 digits)
    ge, gt, eq = sl.compile(f"x >= {threshold}"), sl.compile(f"x > {threshold}"), sl.compile(f"x == {threshold}")
    assert ge.evaluate({"x": data}).status == "pass"
    assert gt.evaluate({"x": data}).status == "fail"
    assert eq.evaluate({"x": data}).status == "pass"
    if t == int(t):
        assert ge.evaluate({"x": int(t)}).status == "pass"
        assert gt.evaluate({"x": int(t)}).status == "fail"


@given(t=st.decimals(min_value=0, max_value=100000, places=2))
@example(t=Decimal("0.00"))
@example(t=Decimal("0.01"))
def test_schema_field_exactly_at_threshold(t):
    spec = load_ast(S.condition_spec([E(f"area >= {dec(t)} m2"), E(f"area > {dec(t)} m2"),
                                      E(f"plot.share <= {dec(t)} %"), E(f"land >= {dec(t / 10000)} ha")]))
    rec = {"area": float(t), "plot": {"share": float(t)}, "land": float(str(t / 10000))}
    statuses = [v.status.value for v in spec.judge(rec, "site").verdicts]
    assert statuses == ["pass", "fail", "pass", "pass"]


# ====================================================================== robustness: text


def _grammar() -> lark.Lark:
    from standardlang.lang.grammar import grammar_text

    return lark.Lark(grammar_text(), parser="lalr", start=["start", "expr"])


GRAMMAR = _grammar()
SPACED = lambda s: s.map(lambda t: f" {t} ")  # noqa: E731
EXPLICIT_EXPR = {
    "NAME": SPACED(st.sampled_from(("x", "area", "kind", "new", "幼儿园", "建筑面积", "非机动车停车棚", "a_1", "value"))),
    "STRING": SPACED(st.sampled_from(('"s"', '"新建"', '"a\\"b"', '""'))),
    "NUMBER": SPACED(st.sampled_from(("0", "1", "2200", "0.22", "10", "1.5", "99999999999999999999"))),
    "COMMENT": st.sampled_from(("# c\n", "#\n")),
    "WS": st.sampled_from((" ", "\n")),
}
EXPLICIT_SPEC = {
    **EXPLICIT_EXPR,
    "INT": SPACED(st.sampled_from(("0", "1", "2025"))),
    "RULE_ID": SPACED(st.sampled_from(("1", "2.building_area", "一.2", "r"))),
}


def assert_parses_or_positioned_error(text: str, parse_fn) -> object:
    try:
        return parse_fn(text)
    except StandardLangError as exc:
        assert exc.diagnostics, "an error carries diagnostics"
        d = exc.first
        assert d.span is not None, f"no position in {d.render()}"
        assert d.span.line >= 1 and d.span.column >= 1
        assert d.render().startswith(f"{d.source.name}:{d.span.line}:{d.span.column}: error: ")
        return None


FUZZ = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
# drawing expressions from the grammar is slow (~0.5 s each: the expression rules recurse
# deeply, so many draws overrun); the ci profile takes a few, the large profile its own number
EXPR_FUZZ = settings(FUZZ, max_examples=6) if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci" else FUZZ
LETTERS = st.text(st.characters(categories=("Lu", "Ll", "Lo")), min_size=1, max_size=4)
GRAMMAR_EXPRESSIONS = st.one_of(
    from_lark(GRAMMAR, start="expr", explicit=EXPLICIT_EXPR),  # spaced tokens: mostly parse
    from_lark(GRAMMAR, start="expr", explicit={"NAME": LETTERS}),  # glued tokens: mostly errors
)


@EXPR_FUZZ
@given(GRAMMAR_EXPRESSIONS)
@example("非机动车停车棚 >= 1")
@example("if(x)then(y)else(z)")
@example("x>=1and y")
@example("count(xs where a)for")
def test_grammar_generated_expressions_parse_or_fail_with_a_position(text):
    tree = assert_parses_or_positioned_error(text, parse_expression)
    if tree is not None:
        # what parses formats and parses back to the same tree
        assert parse_expression(format_expr(tree)) == tree
        try:
            sl.compile(text)
        except StandardLangError:
            pass


@FUZZ
@given(from_lark(GRAMMAR, start="start", explicit=EXPLICIT_SPEC))
def test_grammar_generated_specs_parse_then_load_or_fail_cleanly(text):
    tree = assert_parses_or_positioned_error(text, parse)
    if tree is not None:
        assert parse(format_spec(tree)) == tree
        try:
            spec = sl.loads(text)
        except StandardLangError as exc:
            assert exc.diagnostics
            for d in exc.diagnostics:
                d.render()
        else:
            for entity in spec.entities:  # (evaluating for an entity the spec lacks: see test_api)
                for v in spec.evaluate([{}], entity=entity).verdicts:
                    v.explain()


@given(st.text())
@example("")
@example("\x00")
@example('"unterminated')
@example("x >= 2200 m2 )")
@example("幼儿园.建筑面积不小于2200平方米")
@example("（x）")
@example("x >= 1 # comment")
def test_any_text_parses_or_fails_with_a_position(text):
    assert_parses_or_positioned_error(text, parse_expression)


@given(st.text())
@example("standard")
@example("standard s \"t\" {")
@example("entity e { x: m2 }\ngoal 1 for e { rule 1 { require x >= 1 m2 } }")
def test_any_text_as_a_spec(text):
    tree = assert_parses_or_positioned_error(text, parse)
    if tree is not None:
        try:
            sl.loads(text)
        except StandardLangError:
            pass


# ====================================================================== robustness: specs


@given(conds=st.lists(S.loose_exprs(), min_size=1, max_size=3), let=S.loose_exprs(),
       recs=st.lists(S.records(), max_size=2))
@example(conds=[E("count(1)")], let=E("min(area)"), recs=[{}])
@example(conds=[E("present(1 + 1)")], let=E("abs(kind)"), recs=[{}])
@example(conds=[E("all(shops)")], let=E("sum(shops)"), recs=[{}])
@example(conds=[E("1 / 0 >= 1")], let=E("1 / (1 - 1)"), recs=[{}])
@example(conds=[E("{}")], let=E("{1, 2}"), recs=[{}])
@example(conds=[E("new")], let=E("hall"), recs=[{}])
@example(conds=[E("area.area >= 1 m2")], let=E("total.x"), recs=[{}])
@example(conds=[E("units contains units")], let=E("if true then units else shops"), recs=[{}])
@example(conds=[E("loose")], let=E("loose"), recs=[{}])
@example(conds=[E("loose + 1")], let=E("__class__"), recs=[{}])
def test_loose_specs_load_or_raise_standardlang_error(conds, let, recs):
    """Ill-typed rules and definitions: a StandardLangError with diagnostics, or a spec that judges."""
    tree = S.build_spec([], [])
    goal = tree.decls[-1]
    rules = tuple(ast.Rule(f"r{i + 1}", None, (ast.Require(c),)) for i, c in enumerate(conds))
    goal = ast.Goal(goal.id, goal.title, goal.entity, goal.items + (ast.Let("loose", None, let),) + rules)
    text = format_spec(ast.SpecFile(tree.decls[:-1] + (goal,)))
    note(text)
    try:
        spec = sl.loads(text)
    except StandardLangError as exc:
        assert exc.diagnostics
        for d in exc.diagnostics:
            assert d.code.startswith("E")
            d.render()
        return
    report = spec.evaluate(recs, "site")
    for v in report.verdicts:
        assert v.status in set(Status)
        v.explain()
    report.to_dict()
