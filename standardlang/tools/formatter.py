"""The canonical formatter: AST → spec text.

Takes a :class:`~standardlang.lang.ast.SpecFile` (or an expression) and gives text in
the one canonical layout: two-space indents, one clause per line, a blank line
between declarations, parentheses only where precedence needs them, comments
kept on the line before the statement they precede.  ``format`` is idempotent and
``parse(format_spec(tree)) == tree``.  Operator spellings are kept as written
(不小于 stays 不小于); structural keywords are written in English.
"""

from __future__ import annotations

import re
from typing import Any

from standardlang.lang import ast, vocabulary

INDENT = "  "
_IDENT = re.compile(r"^[^\W\d]\w*$")

# precedence levels: the loosest form that may stand in a position
COND, OR, AND, NOT, CMP, SUM, PROD, UNARY, POSTFIX, ATOM = range(10)


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def _prec(e: Any) -> int:
    if isinstance(e, ast.Cond):
        return COND
    if isinstance(e, ast.Logic):
        return OR if e.op == "or" else AND
    if isinstance(e, ast.Not):
        return NOT
    if isinstance(e, (ast.Compare, ast.Between, ast.Member, ast.Contains)):
        return CMP
    if isinstance(e, ast.Arith):
        return SUM if e.op in "+-" else PROD
    if isinstance(e, ast.Neg):
        return UNARY
    if isinstance(e, ast.Attr):
        return POSTFIX
    return ATOM


def format_expr(e: Any, need: int = COND) -> str:
    """Format an expression; parenthesize it when it binds looser than ``need``."""
    text = _expr(e)
    return f"({text})" if _prec(e) < need else text


def _expr(e: Any) -> str:
    if isinstance(e, ast.Number):
        return e.text + (f" {e.unit}" if e.unit else "")
    if isinstance(e, ast.String):
        return quote(e.value)
    if isinstance(e, ast.Bool):
        return "true" if e.value else "false"
    if isinstance(e, ast.Name):
        return e.name
    if isinstance(e, ast.Attr):
        return f"{format_expr(e.obj, POSTFIX)}.{e.name}"
    if isinstance(e, ast.Call):
        parts = []
        if e.item is not None:
            parts.append(f"{format_expr(e.item)} for {format_expr(e.args[0])}")
        else:
            parts.append(format_expr(e.args[0]))
        if e.where is not None:
            parts[0] += f" where {format_expr(e.where)}"
        parts.extend(format_expr(a) for a in e.args[1:])
        return f"{e.func}({', '.join(parts)})"
    if isinstance(e, ast.SetLit):
        return "{" + ", ".join(format_expr(i) for i in e.items) + "}"
    if isinstance(e, ast.Neg):
        return f"-{format_expr(e.operand, UNARY)}"
    if isinstance(e, ast.Not):
        return f"{e.spelling} {format_expr(e.operand, NOT)}"
    if isinstance(e, ast.Arith):
        level = SUM if e.op in "+-" else PROD
        return f"{format_expr(e.left, level)} {e.op} {format_expr(e.right, level + 1)}"
    if isinstance(e, ast.Logic):
        level = OR if e.op == "or" else AND
        return f"{format_expr(e.left, level)} {e.spelling or e.op} {format_expr(e.right, level + 1)}"
    if isinstance(e, ast.Compare):
        return f"{format_expr(e.left, SUM)} {e.spelling or e.op} {format_expr(e.right, SUM)}"
    if isinstance(e, ast.Between):
        return (f"{format_expr(e.value, SUM)} between {format_expr(e.low, SUM)} "
                f"{e.spelling or 'and'} {format_expr(e.high, SUM)}")
    if isinstance(e, ast.Member):
        neg = f"{e.spelling} " if e.negated else ""
        return f"{format_expr(e.value, SUM)} {neg}in {format_expr(e.collection, SUM)}"
    if isinstance(e, ast.Contains):
        q = f"{e.quant} " if e.quant else ""
        return f"{format_expr(e.collection, SUM)} contains {q}{format_expr(e.item, SUM)}"
    if isinstance(e, ast.Cond):
        return f"if {format_expr(e.test)} then {format_expr(e.then)} else {format_expr(e.else_)}"
    raise TypeError(f"formatter: unhandled expression {type(e).__name__}")


_KEYWORDS = vocabulary.KEYWORDS


def _key(k: str) -> str:
    return k if _IDENT.match(k) and k not in _KEYWORDS else quote(k)


def format_data(d: Any, indent: int = 0) -> str:
    flat = _data_flat(d)
    if len(flat) + indent * 2 <= 110 or not isinstance(d, (ast.DataObject, ast.DataList)):
        return flat
    if isinstance(d, ast.DataList) and not any(isinstance(v, (ast.DataObject, ast.DataList)) for v in d.items):
        return flat  # a list of plain values stays on one line
    pad = INDENT * (indent + 1)
    if isinstance(d, ast.DataObject):
        if not d.pairs:
            return "{}"
        inner = [f"{pad}{_key(k)}: {format_data(v, indent + 1)}," for k, v in d.pairs]
        return "{\n" + "\n".join(inner) + "\n" + INDENT * indent + "}"
    inner = [f"{pad}{format_data(v, indent + 1)}," for v in d.items]
    return "[\n" + "\n".join(inner) + "\n" + INDENT * indent + "]"


def _data_flat(d: Any) -> str:
    if isinstance(d, ast.DataObject):
        if not d.pairs:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)}: {_data_flat(v)}" for k, v in d.pairs) + " }"
    if isinstance(d, ast.DataList):
        return "[" + ", ".join(_data_flat(v) for v in d.items) + "]"
    if isinstance(d, ast.DataNumber):
        return d.text + (f" {d.unit}" if d.unit else "")
    if isinstance(d, ast.DataString):
        return quote(d.value)
    if isinstance(d, ast.DataBool):
        return "true" if d.value else "false"
    if isinstance(d, ast.DataNull):
        return "null"
    if isinstance(d, ast.DataName):
        return d.name
    raise TypeError(f"formatter: unhandled data {type(d).__name__}")


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def comments(self, node: Any, depth: int) -> None:
        for c in getattr(node, "comments", ()):
            self.lines.append(INDENT * depth + c)

    def line(self, depth: int, text: str) -> None:
        self.lines.append(INDENT * depth + text)

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")


def _label(label: str | None) -> str:
    return f" {quote(label)}" if label is not None else ""


def _members(members: tuple[ast.EnumMember, ...]) -> str:
    return ", ".join(m.name + _label(m.label) for m in members)


def _type_block(t: ast.TypeRef, depth: int) -> str | None:
    """Members one per line, for inline enums and sets too long for one line."""
    if t.kind not in ("set_inline", "enum_inline"):
        return None
    flat = _members(t.members)
    if len(t.members) <= 2 and len(flat) <= 60:
        return None
    opener = "set {" if t.kind == "set_inline" else "{"
    inner = "\n".join(INDENT * (depth + 1) + m.name + _label(m.label) for m in t.members)
    return f"{opener}\n{inner}\n{INDENT * depth}}}"


def _type(t: ast.TypeRef) -> str:
    if t.kind in ("scalar", "unit", "named"):
        return t.name or ""
    if t.kind in ("record", "list"):
        return t.kind
    if t.kind == "list_of":
        return f"list of {t.name}" + (f" by {t.by}" if t.by else "")
    if t.kind == "set_of":
        return f"set of {t.name}"
    if t.kind == "set_inline":
        return "set {" + _members(t.members) + "}"
    if t.kind == "enum_inline":
        return "{" + _members(t.members) + "}"
    raise TypeError(f"formatter: unhandled type kind {t.kind!r}")


def _entity_items(w: _Writer, items: tuple, depth: int) -> None:
    for i, item in enumerate(items):
        if i and item.gap:
            w.blank()
        w.comments(item, depth)
        if isinstance(item, ast.Key):
            w.line(depth, f"key {item.name}")
        elif isinstance(item, ast.Let):
            w.line(depth, f"let {item.name}{_label(item.label)} = {format_expr(item.expr)}")
        elif isinstance(item, ast.Field):
            block = _type_block(item.type, depth)
            text = f"{item.name}{'?' if item.optional else ''}: {block or _type(item.type)}{_label(item.label)}"
            if item.bounds is not None:
                text += f" range {item.bounds[0]} to {item.bounds[1]}"
            if item.body is not None:
                w.line(depth, text + " {")
                _entity_items(w, item.body, depth + 1)
                w.line(depth, "}")
            else:
                w.line(depth, text)
        else:
            raise TypeError(f"formatter: unhandled entity item {type(item).__name__}")


def _example(w: _Writer, e: ast.Example, depth: int) -> None:
    value = f" value {_data_flat(e.value)}" if e.value is not None else ""
    entity = f"for {e.entity} " if e.entity is not None else ""
    one = f"example{_label(e.title)} {{ {entity}given {_data_flat(e.given)} expect {e.status}{value} }}"
    if len(INDENT * depth + one) <= 130:
        w.line(depth, one)
        return
    w.line(depth, f"example{_label(e.title)} {{")
    if e.entity is not None:
        w.line(depth + 1, f"for {e.entity}")
    w.line(depth + 1, f"given {format_data(e.given, depth + 1)}")
    value = f" value {format_data(e.value, depth + 1)}" if e.value is not None else ""
    w.line(depth + 1, f"expect {e.status}{value}")
    w.line(depth, "}")


def _clauses(w: _Writer, clauses: tuple, depth: int) -> None:
    for i, c in enumerate(clauses):
        if i and c.gap:
            w.blank()
        w.comments(c, depth)
        if isinstance(c, ast.Strength):
            w.line(depth, c.word)
        elif isinstance(c, ast.Applies):
            w.line(depth, f"applies when {format_expr(c.expr)}")
        elif isinstance(c, ast.Cite):
            w.line(depth, f"cite {quote(c.text)}")
        elif isinstance(c, ast.Reading):
            w.line(depth, f"reading {quote(c.text)}")
        elif isinstance(c, ast.Require):
            w.line(depth, f"require {format_expr(c.expr)}")
        elif isinstance(c, ast.Alternative):
            w.line(depth, f"alternative {c.name}{_label(c.title)} {{")
            _clauses(w, c.clauses, depth + 1)
            w.line(depth, "}")
        elif isinstance(c, ast.Example):
            _example(w, c, depth)
        elif isinstance(c, ast.Attribute):
            w.line(depth, c.word)
        elif isinstance(c, ast.Target):
            w.line(depth, f"target {c.spelling or c.op} {format_expr(c.expr)}")
        elif isinstance(c, ast.Deadline):
            w.line(depth, f"deadline {c.year}")
        elif isinstance(c, ast.DisplayUnit):
            w.line(depth, f"unit {quote(c.text)}")
        elif isinstance(c, ast.ValueDef):
            w.line(depth, f"value for {', '.join(c.entities)} = {format_expr(c.expr)}")
        else:
            raise TypeError(f"formatter: unhandled clause {type(c).__name__}")


def format_spec(spec: ast.SpecFile) -> str:
    """Format a whole spec file canonically."""
    w = _Writer()
    for d in spec.decls:
        w.blank()
        w.comments(d, 0)
        if isinstance(d, ast.Standard):
            w.line(0, f"standard {d.name} {quote(d.title)} {{")
            for i, m in enumerate(d.meta):
                if i and m.gap:
                    w.blank()
                w.comments(m, 1)
                w.line(1, f"{m.key} {quote(m.value)}")
            w.line(0, "}")
        elif isinstance(d, ast.EnumDef):
            w.line(0, f"enum {d.name}{_label(d.label)} {{")
            for m in d.members:
                w.line(1, m.name + _label(m.label))
            w.line(0, "}")
        elif isinstance(d, ast.Entity):
            w.line(0, f"entity {d.name}{_label(d.label)} {{")
            _entity_items(w, d.items, 1)
            w.line(0, "}")
        elif isinstance(d, ast.Goal):
            w.line(0, f"goal {d.id}{_label(d.title)} for {d.entity} {{")
            _goal_members(w, d.items, 1)
            w.line(0, "}")
        elif isinstance(d, ast.Indicator):
            w.line(0, f"indicator {d.id}{_label(d.title)} {{")
            _clauses(w, d.clauses, 1)
            w.line(0, "}")
        else:
            raise TypeError(f"formatter: unhandled declaration {type(d).__name__}")
    if spec.trailing_comments:
        w.blank()
        for c in spec.trailing_comments:
            w.line(0, c)
    return "\n".join(w.lines).strip("\n") + "\n"


def _goal_members(w: _Writer, members: tuple, depth: int) -> None:
    """A goal's rules, definitions and items (an item holds rules, one level deeper)."""
    first = True
    for item in members:
        if (isinstance(item, (ast.Rule, ast.Item)) or item.gap) and not first:
            w.blank()
        w.comments(item, depth)
        if isinstance(item, ast.Rule):
            w.line(depth, f"rule {item.id}{_label(item.title)} {{")
            _clauses(w, item.clauses, depth + 1)
            w.line(depth, "}")
        elif isinstance(item, ast.Item):
            w.line(depth, f"item {item.number} {quote(item.title)} {{")
            _goal_members(w, item.rules, depth + 1)
            w.line(depth, "}")
        elif isinstance(item, ast.Let):
            w.line(depth, f"let {item.name}{_label(item.label)} = {format_expr(item.expr)}")
        else:
            raise TypeError(f"formatter: unhandled goal member {type(item).__name__}")
        first = False


def format_source(text: str, name: str = "<spec>") -> str:
    """Parse and format spec text (raises SpecSyntaxError on bad input)."""
    from standardlang.lang.parser import parse

    return format_spec(parse(text, name))
