"""Hypothesis strategies for standardlang: well-typed ASTs, matching records, specs.

Everything is generated against one fixed schema (:data:`SCHEMA_TEXT`) that has a
field of every kind the language knows: quantities in m² and ha, a percentage, a
count, a plain number, bools, an enum, a set, optional and required records, an
optional and a required list of records (one holding a nested list, so paths
through lists flatten), entity lets, a let in a list element and goal lets.

* :func:`exprs` draws an expression AST of a given type class (``area``,
  ``ratio``, ``count``, ``number``, ``bool``) that the checker accepts in a given
  scope (the record being judged, or the element of a list inside an aggregate).
* :func:`records` draws a record of the schema in which any field may be missing
  or null, and every present value is valid (so verdicts are never ``error``).
* :func:`specs` draws a whole spec AST: the schema, a goal of rules built from
  generated conditions (strengths, applicability, alternatives, comments) and
  indicators built from generated numeric expressions.
* :func:`loose_exprs` draws expressions with no regard to types or names, for
  robustness properties (load or raise :class:`StandardLangError`, nothing else).

Same names have the same type in every record of the schema (``area`` is always
an area, ``n`` always a count), so a name means the same type whichever scope it
resolves in.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from hypothesis import note, strategies as st
from hypothesis.errors import InvalidArgument

from standardlang.lang import ast
from standardlang.tools.formatter import format_spec
from standardlang.lang.parser import parse, parse_expression
import standardlang as sl

SCHEMA_TEXT = """\
standard generated "生成的标准" {
  source "hypothesis"
}

enum kind "类型" {
  new "新建"
  existing "既有"
  constrained "受限"
}

entity site "地块" {
  key id
  id: text "编号"
  area: m2 "面积"
  land: ha "用地"
  green: % "绿地率"
  households: count "户数"
  floors: number "层数"
  open: bool "开放"
  kind: kind "类型"
  rooms: set { hall "大厅", police "警务室", office "办公室" } "功能用房"
  opt_area?: m2 "可选面积"
  opt_flag?: bool
  school?: record "学校" {
    classes: count
    area: m2
    land: ha
    open: bool
    kind: kind
  }
  plot: record "用地" {
    area: m2
    share: %
    n: count
  }
  shops?: list "商店" {
    area: m2
    n: count
    open: bool
    kind: kind
    land: ha
    rate: %
  }
  units: list "单元" {
    area: m2
    n: count
    open: bool
    spaces?: list {
      area: m2
      n: count
    }
    let big_unit = area >= 50 m2
  }
  let total "合计" = area + land
  let busy = households >= 100
}
"""

SCHEMA = parse(SCHEMA_TEXT)
ENTITY = "site"

#: goal lets, visible to the generated rules (not to indicators)
GOAL_LETS_TEXT = {"dense": "households > 10", "gross": "area + plot.area"}

KIND_MEMBERS = ("new", "existing", "constrained")
KIND_LABELS = ("新建", "既有", "受限")
ROOM_MEMBERS = ("hall", "police", "office")
ROOM_LABELS = ("大厅", "警务室", "办公室")

NUMERIC = ("area", "ratio", "count", "number")
TYPES = NUMERIC + ("bool",)

# names visible at the record being judged, by type class
ROOT_NAMES = {
    "area": ("area", "land", "opt_area", "total"),
    "ratio": ("green",),
    "count": ("households",),
    "number": ("floors",),
    "bool": ("open", "opt_flag", "busy"),
    "kind": ("kind",),
}
GOAL_NAMES = {"bool": ("dense",), "area": ("gross",)}
# paths through the records school (optional) and plot (required)
ROOT_PATHS = {
    "area": (("school", "area"), ("school", "land"), ("plot", "area")),
    "ratio": (("plot", "share"),),
    "count": (("school", "classes"), ("plot", "n")),
    "bool": (("school", "open"),),
    "kind": (("school", "kind"),),
}
# the fields of list elements, by type class
ELEMENT_NAMES = {
    "shops": {"area": ("area", "land"), "count": ("n",), "bool": ("open",), "kind": ("kind",),
              "ratio": ("rate",)},
    "units": {"area": ("area",), "count": ("n",), "bool": ("open", "big_unit")},
    "spaces": {"area": ("area",), "count": ("n",)},
}
# paths through lists that give a list of scalars: (path, type class)
ROOT_SCALAR_LISTS = (
    (("shops", "area"), "area"), (("shops", "land"), "area"), (("units", "area"), "area"),
    (("units", "spaces", "area"), "area"), (("shops", "n"), "count"), (("units", "n"), "count"),
    (("units", "spaces", "n"), "count"), (("shops", "rate"), "ratio"), (("shops", "open"), "bool"),
    (("units", "open"), "bool"), (("units", "big_unit"), "bool"), (("shops", "kind"), "kind"),
)
UNITS_SCALAR_LISTS = ((("spaces", "area"), "area"), (("spaces", "n"), "count"))

COMPARE_SPELLINGS = {
    ">=": (">=", "≥", "不小于", "不少于", "不低于"),
    "<=": ("<=", "≤", "不大于", "不多于", "不超过"),
    ">": (">", "大于"),
    "<": ("<", "小于"),
    "==": ("==", "等于"),
    "!=": ("!=", "≠"),
}
AREA_UNITS = ("m2", "㎡", "平方米", "ha", "公顷")
RATIO_UNITS = ("%", "‰")

MAX_DEPTH = 3


# ------------------------------------------------------------------ helpers


def path_expr(parts: tuple[str, ...]) -> ast.Expr:
    """``("a", "b", "c")`` -> the AST of ``a.b.c``."""
    node: ast.Expr = ast.Name(parts[0])
    for p in parts[1:]:
        node = ast.Attr(node, p)
    return node


def decimal_text(d: Decimal) -> str:
    """A decimal as the language writes it: no exponent."""
    return format(d, "f")


def number_texts(max_value: int = 5000, places: int = 3) -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(0, max_value).map(str),
        st.decimals(min_value=0, max_value=max_value, places=places, allow_nan=False,
                    allow_infinity=False).map(decimal_text),
    )


def nonzero_number_texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(1, 100).map(str),
        st.decimals(min_value=Decimal("0.01"), max_value=100, places=2).map(decimal_text),
    )


def _scope_names(type_: str, scope: tuple[str, ...], ctx: str) -> list[ast.Expr]:
    """Names and fixed paths of a type class visible in ``scope``."""
    names: set[str] = set(ROOT_NAMES.get(type_, ()))
    if ctx == "rule":
        names.update(GOAL_NAMES.get(type_, ()))
    for elem in scope:
        names.update(ELEMENT_NAMES[elem].get(type_, ()))
    out: list[ast.Expr] = [ast.Name(n) for n in sorted(names)]
    out.extend(path_expr(p) for p in ROOT_PATHS.get(type_, ()))
    return out


def _record_lists(scope: tuple[str, ...]) -> list[tuple[ast.Expr, str]]:
    """Lists of records visible in ``scope``: (expression, element kind)."""
    out = [(ast.Name("shops"), "shops"), (ast.Name("units"), "units"),
           (path_expr(("units", "spaces")), "spaces")]
    if scope and scope[-1] == "units":
        out.append((ast.Name("spaces"), "spaces"))
    return out


def _scalar_lists(type_: str, scope: tuple[str, ...]) -> list[ast.Expr]:
    out = [path_expr(p) for p, t in ROOT_SCALAR_LISTS if t == type_]
    if scope and scope[-1] == "units":
        out.extend(path_expr(p) for p, t in UNITS_SCALAR_LISTS if t == type_)
    return out


# ------------------------------------------------------------------ literals


def literals(type_: str) -> st.SearchStrategy[ast.Expr]:
    if type_ == "area":
        return st.builds(ast.Number, number_texts(), st.sampled_from(AREA_UNITS))
    if type_ == "ratio":
        return st.one_of(st.builds(ast.Number, number_texts(200, 2), st.sampled_from(RATIO_UNITS)),
                         st.builds(ast.Number, number_texts(2, 2)))
    if type_ == "count":
        return st.integers(0, 300).map(lambda i: ast.Number(str(i)))
    if type_ == "number":
        return st.builds(ast.Number, number_texts(100, 2))
    if type_ == "bool":
        return st.booleans().map(ast.Bool)
    raise ValueError(type_)


def kind_member() -> st.SearchStrategy[ast.Expr]:
    """An enum member of ``kind`` as written in an expression: name, bare label or string."""
    return st.one_of(st.sampled_from(KIND_MEMBERS + KIND_LABELS).map(ast.Name),
                     st.sampled_from(KIND_MEMBERS + KIND_LABELS).map(ast.String))


def room_member() -> st.SearchStrategy[ast.Expr]:
    return st.one_of(st.sampled_from(ROOM_MEMBERS + ROOM_LABELS).map(ast.Name),
                     st.sampled_from(ROOM_LABELS).map(ast.String))


# ------------------------------------------------------------------ expressions


def exprs(type_: str, scope: tuple[str, ...] = (), ctx: str = "rule",
          depth: int = MAX_DEPTH) -> st.SearchStrategy[ast.Expr]:
    """Well-typed expressions of ``type_`` in ``scope`` (element kinds, outermost first).

    ``ctx`` is ``"rule"`` (goal lets visible) or ``"value"`` (an indicator's value).
    """
    return _exprs(type_, tuple(scope), ctx, depth)


@lru_cache(maxsize=None)
def _exprs(type_: str, scope: tuple[str, ...], ctx: str, depth: int) -> st.SearchStrategy[ast.Expr]:
    leaves = _leaves(type_, scope, ctx)
    if depth <= 0:
        return leaves
    return st.one_of(leaves, st.deferred(lambda: _composite(type_, scope, ctx, depth)))


@lru_cache(maxsize=None)
def _leaves(type_: str, scope: tuple[str, ...], ctx: str) -> st.SearchStrategy[ast.Expr]:
    options = [literals(type_)]
    names = _scope_names(type_, scope, ctx)
    if names:
        options.append(st.sampled_from(names))
    if type_ == "bool":
        options.append(st.sampled_from(PRESENT_TARGETS).map(lambda t: ast.Call("present", (t,))))
    return st.one_of(*options)


PRESENT_TARGETS = [ast.Name("opt_area"), ast.Name("opt_flag"), ast.Name("school"), ast.Name("shops"),
                   path_expr(("school", "classes")), path_expr(("plot", "area")), ast.Name("area")]


def _sub(type_, scope, ctx, depth):
    return _exprs(type_, scope, ctx, depth - 1)


def _denominator(type_: str, scope, ctx) -> st.SearchStrategy[ast.Expr]:
    """A divisor that the checker cannot fold to a constant zero."""
    names = _scope_names(type_, scope, ctx)
    return st.sampled_from(names) if names else literals(type_)


def _composite(type_: str, scope, ctx, depth) -> st.SearchStrategy[ast.Expr]:
    sub = lambda t: _sub(t, scope, ctx, depth)  # noqa: E731
    if type_ == "bool":
        return _bool_composite(scope, ctx, depth)
    nonzero = nonzero_number_texts().map(ast.Number)
    options = [
        st.builds(lambda op, a, b: ast.Arith(op, a, b), st.sampled_from("+-"), sub(type_), sub(type_)),
        st.builds(lambda a, k: ast.Arith("*", a, k), sub(type_), literals("number")),
        st.builds(lambda k, a: ast.Arith("*", k, a), literals("number"), sub(type_)),
        st.builds(lambda a, k: ast.Arith("/", a, k), sub(type_), nonzero),
        st.builds(ast.Neg, sub(type_)),
        st.builds(ast.Cond, sub("bool"), sub(type_), sub(type_)),
        st.builds(lambda a, b: ast.Call("min", (a, b)), sub(type_), sub(type_)),
        st.builds(lambda a, b, c: ast.Call("max", (a, b, c)), sub(type_), sub(type_), sub(type_)),
        st.builds(lambda a: ast.Call("abs", (a,)), sub(type_)),
    ]
    funcs = ("sum", "min", "max") if type_ == "count" else ("sum", "avg", "min", "max")
    if type_ == "number":
        funcs = ()
    if funcs:
        options.append(_aggregate_over_records(st.sampled_from(funcs), type_, scope, ctx, depth, item=True))
        lists = _scalar_lists(type_, scope)
        if lists:
            options.append(st.builds(lambda f, coll: ast.Call(f, (coll,)), st.sampled_from(funcs),
                                     st.sampled_from(lists)))
    if type_ == "area":
        options.append(st.builds(lambda a, b: ast.Arith("/", a, b), sub("area"), _denominator("count", scope, ctx)))
        options.append(st.builds(lambda a, b: ast.Arith("*", a, b), sub("count"), sub("area")))
    if type_ == "ratio":
        options.append(st.builds(lambda a, b: ast.Arith("/", a, b), sub("area"), _denominator("area", scope, ctx)))
        options.append(st.builds(lambda a, b: ast.Arith("/", a, b), sub("count"), _denominator("count", scope, ctx)))
        options.append(_aggregate_over_records(st.just("share"), "bool", scope, ctx, depth, item=False,
                                               where_required=True))
    if type_ == "count":
        options.append(_aggregate_over_records(st.just("count"), "bool", scope, ctx, depth, item=False))
        options.append(st.sampled_from(_scalar_lists("area", scope) + _scalar_lists("bool", scope))
                       .map(lambda c: ast.Call("count", (c,))))
    if type_ == "number":
        options.append(_aggregate_over_records(st.just("avg"), "count", scope, ctx, depth, item=True))
        options.append(st.builds(lambda a, b: ast.Arith("*", a, b), sub("number"), sub("number")))
    return st.one_of(*options)


def _aggregate_over_records(funcs, item_type, scope, ctx, depth, item: bool,
                            where_required: bool = False) -> st.SearchStrategy[ast.Expr]:
    """``f(item for xs where c)`` / ``f(xs where c)`` over a list of records in scope."""

    @st.composite
    def build(draw):
        f = draw(funcs)
        coll, elem = draw(st.sampled_from(_record_lists(scope)))
        inner = scope + (elem,)
        it = draw(_exprs(item_type, inner, ctx, depth - 1)) if item else None
        if where_required and not item:
            where = draw(_exprs("bool", inner, ctx, depth - 1))
        else:
            where = draw(st.none() | _exprs("bool", inner, ctx, depth - 1))
        return ast.Call(f, (coll,), item=it, where=where)

    return build()


def _bool_composite(scope, ctx, depth) -> st.SearchStrategy[ast.Expr]:
    sub = lambda t: _sub(t, scope, ctx, depth)  # noqa: E731
    kinds = [ast.Name("kind"), path_expr(("school", "kind"))]  # in a shop, `kind` is the shop's

    @st.composite
    def compare(draw):
        t = draw(st.sampled_from(NUMERIC))
        op = draw(st.sampled_from(sorted(COMPARE_SPELLINGS)))
        spelling = draw(st.sampled_from(COMPARE_SPELLINGS[op]))
        return ast.Compare(op, draw(sub(t)), draw(sub(t)), spelling=spelling)

    @st.composite
    def between(draw):
        t = draw(st.sampled_from(NUMERIC))
        return ast.Between(draw(sub(t)), draw(sub(t)), draw(sub(t)),
                           spelling=draw(st.sampled_from(("and", "且"))))

    @st.composite
    def logic(draw):
        op = draw(st.sampled_from(("and", "or")))
        spelling = draw(st.sampled_from(("and", "且") if op == "and" else ("or", "或")))
        return ast.Logic(op, draw(sub("bool")), draw(sub("bool")), spelling=spelling)

    @st.composite
    def negation(draw):
        return ast.Not(draw(sub("bool")), spelling=draw(st.sampled_from(("not", "非"))))

    @st.composite
    def enum_test(draw):
        value = draw(st.sampled_from(kinds))
        choice = draw(st.integers(0, 3))
        if choice == 0:
            op = draw(st.sampled_from(("==", "!=")))
            member = draw(kind_member())
            left, right = (value, member) if draw(st.booleans()) else (member, value)
            return ast.Compare(op, left, right, spelling=op)
        if choice == 1:
            negated = draw(st.booleans())
            items = draw(st.lists(kind_member(), min_size=1, max_size=3))
            return ast.Member(value, ast.SetLit(tuple(items)), negated=negated,
                              spelling=draw(st.sampled_from(("not", "非"))) if negated else "not")
        if choice == 2:
            return ast.Compare("==", value, draw(st.sampled_from(kinds)), spelling="==")
        return ast.Contains(path_expr(("shops", "kind")), draw(kind_member()))

    @st.composite
    def set_test(draw):
        quant = draw(st.sampled_from((None, "all", "any")))
        if quant is None:
            return ast.Contains(ast.Name("rooms"), draw(room_member()))
        items = draw(st.lists(room_member(), min_size=1, max_size=3))
        return ast.Contains(ast.Name("rooms"), ast.SetLit(tuple(items)), quant=quant)

    @st.composite
    def list_member(draw):
        t = draw(st.sampled_from(("area", "count")))
        negated = draw(st.booleans())
        return ast.Member(draw(sub(t)), draw(st.sampled_from(_scalar_lists(t, scope))), negated=negated,
                          spelling="not")

    @st.composite
    def quantified(draw):
        f = draw(st.sampled_from(("all", "any")))
        form = draw(st.integers(0, 2))
        if form == 2:
            return ast.Call(f, (draw(st.sampled_from(_scalar_lists("bool", scope))),))
        coll, elem = draw(st.sampled_from(_record_lists(scope)))
        inner = scope + (elem,)
        cond = draw(_exprs("bool", inner, ctx, depth - 1))
        if form == 0:
            where = draw(st.none() | _exprs("bool", inner, ctx, depth - 1))
            return ast.Call(f, (coll,), item=cond, where=where)
        return ast.Call(f, (coll,), where=cond)

    return st.one_of(
        compare(), between(), logic(), negation(), enum_test(), set_test(), list_member(), quantified(),
        st.builds(ast.Cond, sub("bool"), sub("bool"), sub("bool")),
        st.builds(lambda a, b: ast.Compare("==", a, b, spelling="=="), sub("bool"), sub("bool")),
    )


def conditions(ctx: str = "rule", depth: int = MAX_DEPTH) -> st.SearchStrategy[ast.Expr]:
    """Well-typed conditions on the record being judged."""
    return exprs("bool", (), ctx, depth)


@st.composite
def typed_values(draw, depth: int = MAX_DEPTH) -> tuple[str, ast.Expr]:
    """(type class, numeric expression) for an indicator's ``value for site = ...``."""
    t = draw(st.sampled_from(NUMERIC))
    return t, draw(exprs(t, (), "value", depth))


# ------------------------------------------------------------------ records


def area_values() -> st.SearchStrategy:
    return st.one_of(st.integers(0, 6000),
                     st.decimals(min_value=0, max_value=6000, places=2).map(float))


def ha_values() -> st.SearchStrategy:
    return st.one_of(st.integers(0, 2), st.decimals(min_value=0, max_value=2, places=4).map(float))


def ratio_values() -> st.SearchStrategy:
    return st.one_of(st.integers(0, 100), st.decimals(min_value=0, max_value=100, places=1).map(float))


def count_values() -> st.SearchStrategy:
    return st.one_of(st.integers(0, 300), st.integers(0, 50).map(float))


def number_values() -> st.SearchStrategy:
    return st.one_of(st.integers(-5, 60), st.decimals(min_value=-10, max_value=60, places=2).map(float))


def kind_values() -> st.SearchStrategy:
    return st.sampled_from(KIND_MEMBERS + KIND_LABELS)


def _record(fields: dict) -> st.SearchStrategy[dict]:
    """A dict in which each field is usually present, sometimes missing, sometimes null."""

    @st.composite
    def build(draw):
        out = {}
        for name, values in fields.items():
            roll = draw(st.integers(0, 11))
            if roll == 0:
                continue  # missing
            out[name] = None if roll == 1 else draw(values)
        return out

    return build()


def school_records():
    return _record({"classes": count_values(), "area": area_values(), "land": ha_values(),
                    "open": st.booleans(), "kind": kind_values()})


def plot_records():
    return _record({"area": area_values(), "share": ratio_values(), "n": count_values()})


def shop_records():
    return _record({"area": area_values(), "n": count_values(), "open": st.booleans(), "kind": kind_values(),
                    "land": ha_values(), "rate": ratio_values()})


def space_records():
    return _record({"area": area_values(), "n": count_values()})


def unit_records():
    return _record({"area": area_values(), "n": count_values(), "open": st.booleans(),
                    "spaces": st.lists(space_records(), max_size=3)})


def records() -> st.SearchStrategy[dict]:
    """Records of ``site`` with fields randomly missing or null; every present value is valid."""
    return _record({
        "id": st.text("abc", min_size=1, max_size=3),
        "area": area_values(),
        "land": ha_values(),
        "green": ratio_values(),
        "households": count_values(),
        "floors": number_values(),
        "open": st.booleans(),
        "kind": kind_values(),
        "rooms": st.lists(st.sampled_from(ROOM_MEMBERS + ROOM_LABELS), max_size=4),
        "opt_area": area_values(),
        "opt_flag": st.booleans(),
        "school": school_records(),
        "plot": plot_records(),
        "shops": st.lists(shop_records(), max_size=4),
        "units": st.lists(unit_records(), max_size=4),
    })


# ------------------------------------------------------------------ specs

COMMENTS = st.sampled_from(("# a comment", "# 注释", "# (see clause 3)", '# quote " inside'))
TITLES = st.none() | st.sampled_from(("条文", "a rule", 'with "quotes"', "back\\slash"))


@st.composite
def rules(draw, index: int, depth: int = MAX_DEPTH) -> ast.Rule:
    clauses: list = []
    strength = draw(st.none() | st.sampled_from(("shall", "should", "may", "应", "宜", "可")))
    if strength is not None:
        clauses.append(ast.Strength(strength))
    if draw(st.booleans()):
        clauses.append(ast.Applies(draw(conditions("rule", depth - 1))))
    for _ in range(draw(st.integers(1, 2))):
        comments = (draw(COMMENTS),) if draw(st.integers(0, 4)) == 0 else ()
        clauses.append(ast.Require(draw(conditions("rule", depth)), comments=comments))
    if draw(st.integers(0, 2)) == 0:
        alt: list = []
        if draw(st.booleans()):
            alt.append(ast.Applies(draw(conditions("rule", depth - 1))))
        alt.append(ast.Require(draw(conditions("rule", depth))))
        clauses.append(ast.Alternative("alt", draw(TITLES), tuple(alt)))
    comments = (draw(COMMENTS),) if draw(st.integers(0, 4)) == 0 else ()
    return ast.Rule(f"r{index}", draw(TITLES), tuple(clauses), comments=comments)


TARGETS = {"area": ("0", "m2"), "ratio": ("0", "%"), "count": ("0", None), "number": ("0", None)}


def indicator(index: int, type_: str, expr: ast.Expr) -> ast.Indicator:
    text, unit = TARGETS[type_]
    # the target has the value's dimension, so the checker accepts the pair
    return ast.Indicator(str(index), None, (
        ast.Attribute("expected"),
        ast.Target(">=", ast.Number(text, unit), spelling=">="),
        ast.ValueDef((ENTITY,), expr),
    ))


def goal_lets() -> tuple[ast.Let, ...]:
    from standardlang.lang.parser import parse_expression

    return tuple(ast.Let(name, None, parse_expression(text)) for name, text in GOAL_LETS_TEXT.items())


def build_spec(conds: list[ast.Rule], values: list[tuple[str, ast.Expr]]) -> ast.SpecFile:
    decls = list(SCHEMA.decls)
    decls.append(ast.Goal("g", "生成的目标", ENTITY, goal_lets() + tuple(conds)))
    decls.extend(indicator(i + 1, t, e) for i, (t, e) in enumerate(values))
    return ast.SpecFile(tuple(decls))


@st.composite
def specs(draw, max_rules: int = 3, max_values: int = 2, depth: int = MAX_DEPTH) -> ast.SpecFile:
    """A whole spec AST: the schema, a goal of generated rules, generated indicators."""
    n = draw(st.integers(1, max_rules))
    rs: list = [draw(rules(i + 1, depth)) for i in range(n)]
    k = draw(st.integers(0, n))  # the rules from k on make up an item of the standard
    if k < n:
        rs = rs[:k] + [ast.Item("1", draw(st.sampled_from(["一个社区综合服务站", "item \"one\""])), tuple(rs[k:]))]
    vs = draw(st.lists(typed_values(depth), max_size=max_values))
    return build_spec(rs, vs)


def spec_text(spec: ast.SpecFile) -> str:
    return format_spec(spec)


def condition_spec(conds: list[ast.Expr]) -> ast.SpecFile:
    """A spec with one rule ``require c`` per condition, ids r1, r2, ..."""
    rs = [ast.Rule(f"r{i + 1}", None, (ast.Require(c),)) for i, c in enumerate(conds)]
    return build_spec(rs, [])


# ------------------------------------------------------------------ loose expressions

LOOSE_NAMES = st.sampled_from(("area", "land", "households", "kind", "new", "rooms", "hall", "school", "shops",
                               "units", "spaces", "open", "total", "busy", "dense", "plot", "n", "nope",
                               "big_unit", "green", "floors", "count", "id", "警务室", "幼儿园", "__class__"))
ALL_UNITS = ("m2", "㎡", "平方米", "ha", "公顷", "m", "米", "km", "千米", "公里", "min", "分钟", "h", "小时",
             "day", "days", "天", "%", "‰")


def loose_exprs(max_leaves: int = 12) -> st.SearchStrategy[ast.Expr]:
    """Expressions built with no regard to types, names or arity (for robustness tests)."""
    leaves = st.one_of(
        LOOSE_NAMES.map(ast.Name),
        st.builds(ast.Number, number_texts(10**6, 3), st.none() | st.sampled_from(ALL_UNITS)),
        st.sampled_from(("", "text", "新建", "hall", '"); import os; ("')).map(ast.String),
        st.booleans().map(ast.Bool),
    )

    def extend(inner):
        return st.one_of(
            st.builds(ast.Attr, inner, LOOSE_NAMES),
            st.builds(lambda f, args, item, where: ast.Call(f, tuple(args), item=item, where=where),
                      st.sampled_from(("count", "sum", "avg", "min", "max", "all", "any", "share", "present",
                                       "abs", "len", "eval")),
                      st.lists(inner, min_size=1, max_size=3), st.none() | inner, st.none() | inner),
            st.builds(lambda items: ast.SetLit(tuple(items)), st.lists(inner, max_size=3)),
            st.builds(ast.Neg, inner),
            st.builds(ast.Not, inner),
            st.builds(ast.Arith, st.sampled_from("+-*/"), inner, inner),
            st.builds(lambda op, a, b: ast.Logic(op, a, b, spelling=op), st.sampled_from(("and", "or")), inner, inner),
            st.builds(lambda op, a, b: ast.Compare(op, a, b, spelling=op), st.sampled_from(sorted(COMPARE_SPELLINGS)),
                      inner, inner),
            st.builds(ast.Between, inner, inner, inner),
            st.builds(ast.Member, inner, inner, st.booleans()),
            st.builds(ast.Contains, inner, inner, st.sampled_from((None, "all", "any"))),
            st.builds(ast.Cond, inner, inner, inner),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


# ------------------------------------------------------------------ helpers of the differential tests
def E(text: str) -> ast.Expr:
    return parse_expression(text)


def load_ast(spec: ast.SpecFile) -> sl.Spec:
    text = format_spec(spec)
    try:
        note(text)
    except InvalidArgument:  # not inside a Hypothesis test
        pass
    return sl.loads(text, "<generated>")
