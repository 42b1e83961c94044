"""Parse spec text and expressions into the AST (:mod:`standardlang.lang.ast`).

Takes source text; gives an :class:`~standardlang.lang.ast.SpecFile` or an expression
node, or raises :class:`~standardlang.errors.SpecSyntaxError` with a position,
the source line, a caret and a hint.  The Lark parser (LALR, contextual lexer) comes
from :mod:`standardlang.lang.grammar`, built once per process, lazily;
``python -m standardlang.lang.parser`` rewrites its shipped tables.
"""

from __future__ import annotations

import re
from typing import Any

from standardlang.lang import ast, grammar, suggest, vocabulary
from standardlang.errors import Diagnostic, Source, Span, SpecSyntaxError, did_you_mean

MAX_NESTING = 64  # brackets, and the depth of one expression tree
MAX_DEPTH = 100
MAX_SOURCE = 5_000_000  # characters

KEYWORD_WORDS = vocabulary.KEYWORDS  # the reserved words (kept under this name for the REPL)

_TOKEN_WORDS = {
    "NAME": "a name", "STRING": "a string", "NUMBER": "a number", "INT": "an integer",
    "RULE_ID": "a rule id", "LBRACE": "`{`", "RBRACE": "`}`", "LPAR": "`(`", "RPAR": "`)`",
    "LSQB": "`[`", "RSQB": "`]`", "COLON": "`:`", "COMMA": "`,`", "DOT": "`.`",
    "EQUAL": "`=`", "ADDOP": "`+` or `-`", "MULOP": "`*` or `/`", "MINUS": "`-`",
    "OPTIONAL": "`?`", "$END": "end of input",
}

OPERATOR_ALIASES = vocabulary.OPERATOR_ALIASES


def _describe_expected(parser: Any, expected: set[str]) -> list[str]:
    words = set()
    terms = {t.name: t for t in parser.terminals}
    for name in expected:
        if name in _TOKEN_WORDS:
            words.add(_TOKEN_WORDS[name])
            continue
        t = terms.get(name)
        if t is not None and t.pattern.type == "str":
            words.add(f"`{t.pattern.value}`")
        else:
            words.add(name.lower())
    return sorted(words)


def _span_of(meta: Any) -> Span | None:
    if getattr(meta, "empty", True):
        return None
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


def _tok_span(tok: Any) -> Span:
    return Span(tok.line, tok.column, tok.end_line or tok.line, tok.end_column or tok.column + len(tok))


def _unquote(token: str) -> str:
    body = token[1:-1]
    if "\\" not in body:
        return body
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(nxt, nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


_COMMENT_RE = re.compile(r'^(?:"(?:[^"\\\n]|\\.)*"|[^"#\n])*(#[^\n]*)')

_STATEMENT_RULES = {
    "meta", "standard", "enum_def", "entity", "field", "let_def", "key_decl", "goal", "item", "rule",
    "strength", "applies", "cite", "reading", "require", "alternative", "example", "indicator",
    "attribute", "target", "deadline", "display_unit", "value_def",
}


def _scan_comments(text: str) -> dict[int, str]:
    comments = {}
    for number, line in enumerate(text.split("\n"), 1):
        if "#" in line:
            m = _COMMENT_RE.match(line)
            if m:
                comments[number] = m.group(1).rstrip()
    return comments


def _check_nesting(text: str, source: Source) -> None:
    depth = 0
    line, col = 1, 0
    in_string = in_comment = False
    escaped = False
    if text.count("(") + text.count("[") + text.count("{") <= MAX_NESTING:
        return
    for ch in text:
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
            in_string = in_comment = False
            continue
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
            continue
        if ch == "#":
            in_comment = True
        if in_comment:
            continue
        if ch in "([{":
            depth += 1
            if depth > MAX_NESTING:
                raise SpecSyntaxError([Diagnostic(
                    "E011", f"brackets nested more than {MAX_NESTING} deep",
                    Span.point(line, col), hint="split the expression with `let` definitions",
                    source=source)])
        elif ch in ")]}":
            depth = max(0, depth - 1)


MAX_OPERATORS = 2000  # operator symbols and words between two braces: a rule body, a definition
_OPERATOR_SCAN = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|([{}])|(\band\b|\bor\b|[且或+*/<>=-])')


def _check_operators(text: str, source: Source) -> None:
    """Reject a body with more than MAX_OPERATORS operators before parsing it (a linear regex scan).

    A chain of 100,000 ``and`` terms would otherwise be parsed in full (tens of
    seconds, gigabytes) only to be refused for its depth; no standard needs a
    thousand operators in one rule.  Strings and comments are skipped.
    """
    count = 0
    for m in _OPERATOR_SCAN.finditer(text):
        if m.group(1):
            count = 0
        elif m.group(2):
            count += 1
            if count > MAX_OPERATORS:
                line = text.count("\n", 0, m.start()) + 1
                col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
                raise SpecSyntaxError([Diagnostic(
                    "E011", f"more than {MAX_OPERATORS} operators in one body: too long an expression",
                    Span.point(line, col), hint="split it into `let` definitions or several rules",
                    source=source)])


class _Builder:
    """Turns Lark's parse tree into AST nodes; raises on any rule it does not know."""

    def __init__(self, source: Source, comments: dict[int, str], starts: dict[int, int]):
        import lark

        self.tree_class = lark.Tree
        self.methods: dict[str, Any] = {}
        self.lines: list[str] | None = None
        self.source = source
        self.pending: dict[int, list[str]] = {}
        # a comment belongs to the first statement starting on or after its line
        import bisect

        self.starts = starts
        statement_lines = sorted(starts)
        for line, text in sorted(comments.items()):
            i = bisect.bisect_left(statement_lines, line)
            if i < len(statement_lines):
                self.pending.setdefault(statement_lines[i], []).append(text)
            else:
                self.pending.setdefault(-1, []).append(text)

    def blank_before(self, line: int) -> bool:
        if self.lines is None:
            self.lines = self.source.text.split("\n")
        return 2 <= line <= len(self.lines) + 1 and not self.lines[line - 2].strip()

    def take_comments(self, span: Span | None) -> tuple[str, ...]:
        # statements are built inside out: a comment goes to the outermost one on its line
        if span is None or self.starts.get(span.line) != span.column:
            return ()
        return tuple(self.pending.pop(span.line, ()))

    depth = 0

    def build(self, tree: Any) -> Any:
        if tree.__class__ is not self.tree_class:
            return tree
        method = self.methods.get(tree.data)
        if method is None:
            method = getattr(self, "r_" + tree.data, None)
            if method is None:
                raise AssertionError(f"parser: unhandled grammar rule {tree.data!r}")
            self.methods[tree.data] = method
        is_expr = tree.data in _EXPR_RULES
        self.depth += is_expr
        if self.depth > MAX_DEPTH:
            meta = tree.meta
            raise SpecSyntaxError([Diagnostic(
                "E011", f"expression nested more than {MAX_DEPTH} deep", _span_of(meta),
                hint="split it into `let` definitions", source=self.source)])
        children = [self.build(c) if c is not None else None for c in tree.children]
        self.depth -= is_expr
        meta = tree.meta
        span = None if meta.empty else Span(meta.line, meta.column, meta.end_line, meta.end_column)
        if tree.data in _STATEMENT_RULES:
            comments = self.take_comments(span)
            node = method(span, *children)
            gap = span is not None and self.blank_before(span.line - len(comments))
            if comments or gap:
                import attrs

                node = attrs.evolve(node, comments=comments, gap=gap)
            return node
        return method(span, *children)

    # ---- file and header
    def r_start(self, span, *decls):
        trailing = tuple(self.pending.pop(-1, ()))
        leftover = tuple(c for line in sorted(self.pending) for c in self.pending[line])
        return ast.SpecFile(tuple(decls), trailing_comments=leftover + trailing, span=span)

    def r_standard(self, span, name, title, *meta):
        return ast.Standard(str(name), _unquote(title), tuple(meta), span=span)

    def r_meta(self, span, key, value):
        return ast.Meta(str(key), _unquote(value), span=span)

    # ---- schema
    def r_enum_def(self, span, name, label, *members):
        return ast.EnumDef(str(name), _opt_str(label), tuple(members), span=span)

    def r_enum_member(self, span, name, label):
        return ast.EnumMember(str(name), _opt_str(label), span=span)

    def r_entity(self, span, name, label, *items):
        return ast.Entity(str(name), _opt_str(label), tuple(items), span=span)

    def r_key_decl(self, span, name):
        return ast.Key(str(name), span=span)

    def r_let_def(self, span, name, label, expr):
        return ast.Let(str(name), _opt_str(label), expr, span=span)

    def r_field(self, span, name, optional, type_, label, bounds, body):
        return ast.Field(str(name), type_, optional is not None, _opt_str(label), bounds, body, span=span)

    def r_record_body(self, span, *items):
        return tuple(items)

    def r_bounds(self, span, low, high):
        return (low, high)

    def r_signed_number(self, span, *parts):
        return "".join(str(p) for p in parts if p is not None) if len(parts) == 1 else "-" + str(parts[-1])

    def r_scalar(self, span, tok):
        return str(tok)

    def r_scalar_type(self, span, name):
        return ast.TypeRef("scalar", name, span=span)

    def r_quantity_type(self, span, unit):
        return ast.TypeRef("unit", unit, span=span)

    def r_record_type(self, span):
        return ast.TypeRef("record", span=span)

    def r_list_type(self, span):
        return ast.TypeRef("list", span=span)

    def r_list_of_type(self, span, name, by):
        return ast.TypeRef("list_of", str(name), by=str(by) if by is not None else None, span=span)

    def r_set_of_type(self, span, name):
        return ast.TypeRef("set_of", str(name), span=span)

    def r_set_inline_type(self, span, *members):
        return ast.TypeRef("set_inline", members=tuple(members), span=span)

    def r_enum_inline_type(self, span, *members):
        return ast.TypeRef("enum_inline", members=tuple(members), span=span)

    def r_named_type(self, span, name):
        return ast.TypeRef("named", str(name), span=span)

    def r_unit(self, span, tok):
        return str(tok)

    # ---- goals and rules
    def r_goal(self, span, ident, title, entity, *items):
        return ast.Goal(str(ident), _opt_str(title), str(entity), tuple(items), span=span)

    def r_item(self, span, number, title, *rules):
        return ast.Item(str(number), _unquote(title), tuple(rules), span=span)

    def r_rule(self, span, ident, title, *clauses):
        return ast.Rule(str(ident), _opt_str(title), tuple(clauses), span=span)

    def r_strength(self, span, tok):
        return ast.Strength(str(tok), span=span)

    def r_applies(self, span, expr):
        return ast.Applies(expr, span=span)

    def r_cite(self, span, text):
        return ast.Cite(_unquote(text), span=span)

    def r_reading(self, span, text):
        return ast.Reading(_unquote(text), span=span)

    def r_require(self, span, expr):
        return ast.Require(expr, span=span)

    def r_alternative(self, span, name, title, *clauses):
        return ast.Alternative(str(name), _opt_str(title), tuple(clauses), span=span)

    def r_example(self, span, title, entity, given, expect):
        status, value = expect
        return ast.Example(_opt_str(title), given, status,
                           entity=str(entity) if entity is not None else None, value=value, span=span)

    def r_expect(self, span, status, value):
        return (status, value)

    def r_status(self, span, tok):
        return str(tok)

    # ---- indicators
    def r_indicator(self, span, ident, title, *clauses):
        return ast.Indicator(str(ident), _opt_str(title), tuple(clauses), span=span)

    def r_attribute(self, span, tok):
        return ast.Attribute(str(tok), span=span)

    def r_target(self, span, op, expr):
        canonical, spelling = op
        return ast.Target(canonical, expr, spelling=spelling, span=span)

    def r_deadline(self, span, year):
        return ast.Deadline(int(year), span=span)

    def r_display_unit(self, span, text):
        return ast.DisplayUnit(_unquote(text), span=span)

    def r_value_def(self, span, *parts):
        *entities, expr = parts
        return ast.ValueDef(tuple(str(e) for e in entities), expr, span=span)

    # ---- data literals
    def r_data_object(self, span, *pairs):
        return ast.DataObject(tuple(p for p in pairs if p is not None), span=span)

    def r_data_pair(self, span, key, value):
        k = _unquote(key) if str(key).startswith('"') else str(key)
        return (k, value)

    def r_data_list(self, span, *items):
        return ast.DataList(tuple(i for i in items if i is not None), span=span)

    def r_data_number(self, span, number, unit):
        self.long_number(number, span)
        return ast.DataNumber(number, unit, span=span)

    def r_data_string(self, span, tok):
        return ast.DataString(_unquote(tok), span=span)

    def r_data_bool(self, span, value):
        return ast.DataBool(value, span=span)

    def r_data_null(self, span):
        return ast.DataNull(span=span)

    def r_data_name(self, span, tok):
        return ast.DataName(str(tok), span=span)

    # ---- expressions
    def r_cond(self, span, test, then, else_):
        return ast.Cond(test, then, else_, span=span)

    def r_logic(self, span, left, op, right):
        canonical, spelling = op
        return ast.Logic(canonical, left, right, spelling=spelling, span=span)

    def r_negation(self, span, op, operand):
        return ast.Not(operand, spelling=op[1], span=span)

    def r_compare(self, span, left, op, right):
        canonical, spelling = op
        return ast.Compare(canonical, left, right, spelling=spelling, span=span)

    def r_between(self, span, value, low, and_op, high):
        return ast.Between(value, low, high, spelling=and_op[1], span=span)

    def r_member(self, span, value, not_op, collection):
        return ast.Member(value, collection, negated=not_op is not None,
                          spelling=not_op[1] if not_op is not None else "not", span=span)

    def r_contains(self, span, collection, quant, item):
        return ast.Contains(collection, item, quant=quant, span=span)

    def r_quant(self, span, tok):
        return str(tok)

    def r_arith(self, span, left, op, right):
        return ast.Arith(str(op), left, right, span=span)

    def r_neg(self, span, operand):
        return ast.Neg(operand, span=span)

    def r_attr(self, span, obj, name):
        return ast.Attr(obj, str(name), span=span)

    def long_number(self, text: str, span) -> None:
        if len(text) > MAX_DIGITS:
            raise SpecSyntaxError([Diagnostic("E012", f"a number of {len(text)} digits is too long (limit {MAX_DIGITS})",
                                              span, source=self.source)])

    def r_number(self, span, tok, unit):
        self.long_number(str(tok), span)
        return ast.Number(str(tok), unit, span=span)

    def r_string(self, span, tok):
        return ast.String(_unquote(tok), span=span)

    def r_boolean(self, span, value):
        return ast.Bool(value, span=span)

    def r_bool(self, span, tok):
        return str(tok) == "true"

    def r_name(self, span, tok):
        return ast.Name(str(tok), span=span)

    def r_call(self, span, name, args):
        first, item_or_coll, where, rest = args
        if item_or_coll is not None:
            # f(item for coll ...)
            return ast.Call(str(name), (item_or_coll, *rest), item=first, where=where, span=span)
        return ast.Call(str(name), (first, *rest), where=where, span=span)

    def r_arguments(self, span, first, for_coll, where, *rest):
        return (first, for_coll, where, tuple(r for r in rest if r is not None))

    def r_set_literal(self, span, *items):
        return ast.SetLit(tuple(i for i in items if i is not None), span=span)

    # ---- operator words
    def r_compop(self, span, tok):
        return (_COMPOP[str(tok)], str(tok))

    def r_and_op(self, span, tok):
        return ("and", str(tok))

    def r_or_op(self, span, tok):
        return ("or", str(tok))

    def r_not_op(self, span, tok):
        return ("not", str(tok))


_COMPOP = vocabulary.COMPARISONS


def _opt_str(tok: Any) -> str | None:
    return _unquote(tok) if tok is not None else None


def _syntax_error(exc: Exception, source: Source, parser: Any) -> SpecSyntaxError:
    import lark

    line = getattr(exc, "line", None) or 1
    column = getattr(exc, "column", None) or 1
    if isinstance(exc, lark.UnexpectedCharacters):
        ch = source.text[exc.pos_in_stream] if exc.pos_in_stream < len(source.text) else ""
        hint = None
        if ch == '"':
            hint = "strings are written on one line, between double quotes"
        elif ch in "“”‘’「」":
            hint = 'write strings between straight double quotes: "..."'
        elif ch in "，：；（）【】":
            hint = f"use the ASCII character instead of the full-width `{ch}`"
        return SpecSyntaxError([Diagnostic("E001", f"unexpected character {ch!r}",
                                           Span.point(line, column), hint=hint, source=source)])
    if isinstance(exc, lark.UnexpectedToken):
        tok = exc.token
        expected = _describe_expected(parser, set(exc.expected))
        if tok.type == "$END":
            msg = "unexpected end of input"
            span = Span.point(line, column)
        else:
            msg = f"unexpected `{tok}`"
            span = _tok_span(tok)
        hint = None
        keyword_choices = [w.strip("`") for w in expected if w.startswith("`")]
        glued = [a for a in OPERATOR_ALIASES if a in str(tok) and a != str(tok)]
        if str(tok) in _COMPOP and not any(w.strip("`") in _COMPOP for w in expected):
            hint = "comparisons do not chain: write `x between 6 and 12`, or join two comparisons with `and`"
        elif expected == ["a string"]:
            hint = 'write the text in double quotes: "..."'
        elif glued and tok.type == "NAME":
            hint = f"put spaces around the operator word `{glued[0]}`"
        elif tok.type in ("NAME", "RULE_ID") and keyword_choices:
            hint = did_you_mean(str(tok), keyword_choices)
        better, better_hint, expected = suggest.better_syntax_error(exc, source.text, expected)
        msg, hint = better or msg, better_hint or hint
        if len(expected) > 16:
            expected = expected[:16] + ["…"]
        message = f"{msg}; expected {', '.join(expected)}" if expected else msg
        return SpecSyntaxError([Diagnostic("E002", message, span, hint=hint, source=source)])
    if isinstance(exc, lark.UnexpectedEOF):
        return SpecSyntaxError([Diagnostic("E002", "unexpected end of input", Span.point(line, column),
                                           source=source)])
    return SpecSyntaxError([Diagnostic("E000", f"cannot parse: {exc}", None, source=source)])


def _parse(text: str, name: str, start: str) -> Any:
    import lark

    if not isinstance(text, str):
        raise SpecSyntaxError([Diagnostic("E000", f"expected spec text, found {type(text).__name__}")])
    source = Source(name, text)
    if len(text) > MAX_SOURCE:
        raise SpecSyntaxError([Diagnostic("E010", f"source is larger than {MAX_SOURCE} characters",
                                          None, source=source)])
    _check_nesting(text, source)
    _check_operators(text, source)
    parser = grammar.lark_parser()
    grammar.current.text = text
    try:
        tree = parser.parse(text, start=start)
    except grammar.KeywordGlued as exc:
        tok = exc.token
        keywords = [t.pattern.value for t in parser.terminals if t.pattern.type == "str"]
        hint = (suggest.strength_hint(exc.word) or suggest.unit_hint(exc.word) or did_you_mean(exc.word, keywords)
                or f"put a space after `{tok}`")
        what = f"`{exc.word}` is not a strength word" if suggest.strength_hint(exc.word) else f"unknown word `{exc.word}`"
        raise SpecSyntaxError([Diagnostic(
            "E003", what, Span(tok.line, tok.column, tok.line, tok.column + len(exc.word)),
            hint=hint, source=source)]) from None
    except lark.exceptions.UnexpectedInput as exc:
        raise _syntax_error(exc, source, parser) from None
    except lark.exceptions.LarkError as exc:  # pragma: no cover - defensive
        raise SpecSyntaxError([Diagnostic("E000", f"cannot parse: {exc}", None, source=source)]) from None
    finally:
        grammar.current.text = None
    comments = _scan_comments(text) if start == "start" else {}
    lines = _statement_lines(tree) if comments else {}
    builder = _Builder(source, comments, lines)
    try:
        node = builder.build(tree)
    except RecursionError:
        raise SpecSyntaxError([Diagnostic("E011", f"expression nested too deeply (limit {MAX_DEPTH})",
                                          None, source=source)]) from None
    return node


_EXPR_RULES = {"cond", "logic", "negation", "compare", "between", "member", "contains", "arith", "neg",
               "attr", "number", "string", "boolean", "name", "call", "set_literal"}

MAX_DIGITS = 4000  # digits of a number literal; Python caps int() of a string at 4300

_CONTAINERS = {"start", "standard", "enum_def", "entity", "record_body", "field", "goal", "item", "rule",
               "alternative", "indicator"}


def _statement_lines(tree: Any) -> dict[int, int]:
    """Line -> column of the outermost statement starting on that line."""
    import lark

    lines: dict[int, int] = {}
    stack = [tree]
    while stack:
        t = stack.pop()
        if t.data in _STATEMENT_RULES and not t.meta.empty:
            line, col = t.meta.line, t.meta.column
            if col < lines.get(line, col + 1):
                lines[line] = col
        if t.data in _CONTAINERS:
            stack.extend(c for c in t.children if isinstance(c, lark.Tree))
    return lines


def parse(text: str, name: str = "<spec>") -> ast.SpecFile:
    """Parse a whole spec file.

    Args:
        text: the spec source.
        name: the file name shown in diagnostics.

    Raises:
        SpecSyntaxError: with the position, source line, caret and a hint.
    """
    return _parse(text, name, "start")


def parse_expression(text: str, name: str = "<expr>") -> ast.Expr:
    """Parse one expression, such as ``kindergarten.area >= 2200 and classes >= 6``."""
    return _parse(text, name, "expr")


if __name__ == "__main__":  # pragma: no cover - developer tool: rebuild the shipped LALR tables
    print("wrote", grammar.write_tables())
