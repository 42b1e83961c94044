"""Check one expression: resolve names, type it, convert its units; give typed IR.

Takes an AST expression (:mod:`standardlang.lang.ast`), the stack of record types in
scope (outermost first) and the definitions visible to it; gives an IR node
(:mod:`standardlang.lang.ir`) with every name resolved (fields, definitions, enum
members, Chinese labels), every type known and every quantity in base units, folded by
:func:`standardlang.lang.fold.fold`.  Errors are recorded on the
:class:`~standardlang.lang.checker.Checker` it was given (codes E100–E114, E140), and
:class:`CheckFailed` stops the expression at the first one.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from standardlang.errors import did_you_mean
from standardlang.lang import ast, ir, units, vocabulary
from standardlang.lang.fold import DivisionByZero, TooLong, fold
from standardlang.lang.types import (BOOL, COUNT, DYNAMIC, NUMBER, RATIO, TEXT, BoolT, Dynamic, EnumT, FieldInfo,
                                     LetInfo, ListT, Num, RecordT, SetT, Type, is_numeric)

if TYPE_CHECKING:
    from standardlang.lang.checker import Checker

FUNCTIONS = vocabulary.FUNCTIONS


class CheckFailed(Exception):
    """Raised inside expression checking after a diagnostic has been recorded."""


class ExprChecker:
    """Checks one expression in a stack of record scopes (outermost first)."""

    def __init__(self, checker: Checker, scopes: list[RecordT], goal_lets: dict[str, LetInfo],
                 goal_key: str = ""):
        self.c = checker
        self.scopes = scopes
        self.goal_lets = goal_lets
        self.goal_key = goal_key
        # set when arithmetic on constants was built, so the folding pass has work to do
        # (most expressions have none, and the pass would cost a third of the checking)
        self.foldable = False

    def fail(self, code: str, message: str, span, hint=None):
        self.c.fail(code, message, span, hint)

    def expression(self, node: ast.Expr, enum_hint: EnumT | None = None) -> ir.Node:
        """The checked and folded IR of a whole expression (raises :class:`CheckFailed` after an error)."""
        checked = self.check(node, enum_hint)
        if not self.foldable:
            return checked
        try:
            return fold(checked)
        except DivisionByZero as exc:
            self.fail("E109", "division by zero", exc.node.span)
        except TooLong as exc:
            self.fail("E119", str(exc), exc.node.span)

    def t(self, node) -> str | None:
        return self.c.text_of(node.span)

    # -------------------------------------------------------------- names
    def visible_names(self) -> list[str]:
        names: list[str] = []
        for rec in self.scopes:
            names.extend(rec.fields)
            names.extend(rec.lets)
        names.extend(self.goal_lets)
        return names

    def is_unresolvable_name(self, node) -> bool:
        if not isinstance(node, ast.Name):
            return False
        for rec in self.scopes:
            if node.name in rec.fields or node.name in rec.lets or rec.dynamic or _field_by_label(rec, node.name):
                return False
        return node.name not in self.goal_lets

    def resolve(self, node: ast.Name, enum_hint: EnumT | None) -> ir.Node:
        name = node.name
        for depth, rec in enumerate(reversed(self.scopes)):
            if name in rec.fields:
                return self.field_node(rec.fields[name], None, depth, node)
            by_label = _field_by_label(rec, name)
            if by_label is not None and name not in rec.lets:
                return self.field_node(by_label, None, depth, node)
            if name in rec.lets:
                info = rec.lets[name]
                self.c.let_ir(info)
                return ir.LetRef(self.c.qualname(rec), name, None, depth, info.type or DYNAMIC,
                                 span=node.span, text=self.t(node))
            if rec.dynamic:
                if enum_hint is None:
                    return ir.Field(name, None, depth, DYNAMIC, path=name, span=node.span, text=self.t(node))
        if name in self.goal_lets:
            info = self.goal_lets[name]
            if info.checking:
                self.fail("E140", f"definition `{name}` refers to itself", node.span)
            return ir.LetRef(self.goal_key, name, None, len(self.scopes) - 1, info.type or DYNAMIC,
                             span=node.span, text=self.t(node))
        if enum_hint is not None:
            lookup = enum_hint.lookup()
            if name in lookup:
                return ir.Const(lookup[name], enum_hint, span=node.span, text=self.t(node))
            self.fail("E104", f"`{name}` is not a member of {enum_hint.describe()}", node.span,
                      did_you_mean(name, list(lookup)) or f"members: {', '.join(enum_hint.members)}")
        if name in FUNCTIONS:
            self.fail("E105", f"`{name}` is a function: call it with parentheses", node.span, f"{name}(...)")
        glued = [a for a in vocabulary.OPERATOR_ALIASES if a in name]
        hint = (f"put spaces around the operator word `{glued[0]}`" if glued
                else did_you_mean(name, self.visible_names()))
        where = self.scopes[-1].describe() if self.scopes else "this expression"
        self.fail("E100", f"unknown name `{name}` in {where}", node.span, hint)

    def field_node(self, info: FieldInfo, obj: ir.Node | None, depth: int, node, over_list=False,
                   prefix: str = "") -> ir.Node:
        typ = info.type
        if over_list and not isinstance(typ, ListT):
            typ = ListT(typ)
        return ir.Field(
            info.name, obj, depth, typ, optional=info.optional,
            scale=info.scale if info.scale != 1 else None,
            enum=info.type if isinstance(info.type, EnumT) else (info.type.enum if isinstance(info.type, SetT) else None),
            is_set=isinstance(info.type, SetT), over_list=over_list, list_field=isinstance(info.type, ListT),
            path=f"{prefix}.{info.name}" if prefix else info.name,
            bounds=_base_bounds(info), span=node.span, text=self.t(node))

    # -------------------------------------------------------------- dispatch
    def check(self, node, enum_hint: EnumT | None = None) -> ir.Node:
        method = getattr(self, "x_" + type(node).__name__, None)
        if method is None:  # pragma: no cover
            raise AssertionError(f"checker: unhandled expression {type(node).__name__}")
        return method(node, enum_hint)

    def x_Number(self, node: ast.Number, hint) -> ir.Node:
        value = units.parse_decimal(node.text)
        if node.unit is None:
            return ir.Const(value, NUMBER, span=node.span, text=self.t(node))
        dim, factor, kind = units.UNITS[node.unit]
        return ir.Const(units.normalize(Fraction(value) * factor), Num(dim, kind or "quantity"),
                        span=node.span, text=self.t(node))

    def x_String(self, node: ast.String, hint) -> ir.Node:
        if hint is not None:
            lookup = hint.lookup()
            if node.value not in lookup:
                self.fail("E104", f"\"{node.value}\" is not a member of {hint.describe()}", node.span,
                          did_you_mean(node.value, list(lookup)) or f"members: {', '.join(hint.members)}")
            return ir.Const(lookup[node.value], hint, span=node.span, text=self.t(node))
        return ir.Const(node.value, TEXT, span=node.span, text=self.t(node))

    def x_Bool(self, node: ast.Bool, hint) -> ir.Node:
        return ir.Const(node.value, BOOL, span=node.span, text=self.t(node))

    def x_Name(self, node: ast.Name, hint) -> ir.Node:
        return self.resolve(node, hint)

    def x_Attr(self, node: ast.Attr, hint) -> ir.Node:
        obj = self.check(node.obj)
        t = obj.type
        over_list = False
        if isinstance(t, ListT):
            over_list = True
            t = t.elem
        prefix = getattr(obj, "path", "") or (obj.text or "")
        if isinstance(t, Dynamic):
            return ir.Field(node.name, obj, 0, ListT(DYNAMIC) if over_list else DYNAMIC, over_list=over_list,
                            path=f"{prefix}.{node.name}", span=node.span, text=self.t(node))
        if not isinstance(t, RecordT):
            self.fail("E106", f"`{obj.text}` is {t.describe()}; it has no field `{node.name}`", node.span)
        if node.name in t.fields or (_field_by_label(t, node.name) is not None and node.name not in t.lets):
            info = t.fields.get(node.name) or _field_by_label(t, node.name)
            return self.field_node(info, obj, 0, node, over_list=over_list, prefix=prefix)
        if node.name in t.lets:
            info = t.lets[node.name]
            self.c.let_ir(info)
            typ = info.type or DYNAMIC
            if over_list and not isinstance(typ, ListT):
                typ = ListT(typ)
            return ir.LetRef(self.c.qualname(t), node.name, obj, 0, typ, over_list=over_list,
                             span=node.span, text=self.t(node))
        glued = [a for a in vocabulary.OPERATOR_ALIASES if a in node.name]
        names = list(t.fields) + list(t.lets)
        hint = (f"put spaces around the operator word `{glued[0]}`" if glued
                else did_you_mean(node.name, names)
                or (f"its fields: {', '.join(names[:12])}{', …' if len(names) > 12 else ''}" if names else None))
        self.fail("E100", f"{t.describe()} has no field `{node.name}`", node.span, hint)

    def x_SetLit(self, node: ast.SetLit, hint) -> ir.Node:
        self.fail("E107", "a set `{...}` is used after `in` or `contains`", node.span,
                  "e.g. kind in {new, existing}")

    def set_items(self, node: ast.SetLit, hint: EnumT | None, elem_type: Type) -> ir.SetLiteral:
        items = []
        for item in node.items:
            it = self.check(item, hint)
            self.compatible(elem_type, it.type, "==", item.span)
            items.append(it)
        return ir.SetLiteral(tuple(items), elem_type, span=node.span, text=self.t(node))

    def x_Neg(self, node: ast.Neg, hint) -> ir.Node:
        operand = self.check(node.operand)
        if not is_numeric(operand.type):
            self.fail("E108", f"cannot negate {operand.type.describe()}", node.span)
        self.foldable = self.foldable or isinstance(operand, ir.Const)
        return ir.Unary("neg", operand, operand.type, span=node.span, text=self.t(node))

    def x_Not(self, node: ast.Not, hint) -> ir.Node:
        operand = self.check(node.operand)
        self.require_bool(operand, node.operand, f"`{node.spelling}`")
        return ir.Unary("not", operand, BOOL, span=node.span, text=self.t(node))

    def require_bool(self, n: ir.Node, src, what: str) -> None:
        if not isinstance(n.type, (BoolT, Dynamic)):
            self.fail("E110", f"{what} needs a condition, found {n.type.describe()} `{n.text}`", src.span,
                      "compare it, e.g. `x >= 1`")

    def x_Logic(self, node: ast.Logic, hint) -> ir.Node:
        left = self.check(node.left)
        right = self.check(node.right)
        self.require_bool(left, node.left, f"`{node.spelling or node.op}`")
        self.require_bool(right, node.right, f"`{node.spelling or node.op}`")
        return ir.Logic(node.op, left, right, BOOL, span=node.span, text=self.t(node))

    def x_Arith(self, node: ast.Arith, hint) -> ir.Node:
        left = self.check(node.left)
        right = self.check(node.right)
        for side, src in ((left, node.left), (right, node.right)):
            if not is_numeric(side.type):
                self.fail("E108", f"`{node.op}` needs numbers, found {side.type.describe()} `{side.text}`", src.span)
        typ = self.arith_type(node.op, left.type, right.type, node)
        self.foldable = self.foldable or (isinstance(left, ir.Const) and isinstance(right, ir.Const))
        return ir.Binary(node.op, left, right, typ, span=node.span, text=self.t(node))

    def arith_type(self, op: str, lt: Type, rt: Type, node) -> Type:
        if isinstance(lt, Dynamic) or isinstance(rt, Dynamic):
            other = rt if isinstance(lt, Dynamic) else lt
            return other if op in "+-" and isinstance(other, Num) else DYNAMIC
        assert isinstance(lt, Num) and isinstance(rt, Num)
        if op in "+-":
            if lt.dim != rt.dim:
                self.fail("E103", f"cannot {'add' if op == '+' else 'subtract'} {rt.describe()} "
                          f"{'to' if op == '+' else 'from'} {lt.describe()}", node.span,
                          "both sides need the same dimension")
            if lt.kind == "number":
                return rt
            if rt.kind == "number" or lt.kind == rt.kind:
                return lt
            return Num(lt.dim, "number")
        if op == "*":
            dim = (lt.dim[0] + rt.dim[0], lt.dim[1] + rt.dim[1])
            if dim != units.NONE:
                return Num(dim, "quantity")
            kinds = {lt.kind, rt.kind}
            if kinds == {"number"}:
                return NUMBER
            if "count" in kinds:
                return COUNT
            if "ratio" in kinds:
                return RATIO
            return NUMBER
        dim = (lt.dim[0] - rt.dim[0], lt.dim[1] - rt.dim[1])
        if dim != units.NONE:
            return Num(dim, "quantity")
        if lt.dim != units.NONE:
            return RATIO
        if lt.kind == "count" and rt.kind == "count":
            return RATIO
        if rt.kind == "number":
            return lt
        if lt.kind == "ratio":
            return RATIO
        return NUMBER

    def compatible(self, lt: Type, rt: Type, op: str, span) -> None:
        if isinstance(lt, Dynamic) or isinstance(rt, Dynamic):
            return
        if isinstance(lt, Num) and isinstance(rt, Num):
            if lt.dim != rt.dim:
                self.fail("E103", f"cannot compare {lt.describe()} with {rt.describe()}", span,
                          _unit_hint(lt))
            if {lt.kind, rt.kind} == {"count", "ratio"}:
                self.fail("E103", "cannot compare a count with a ratio (percentage)", span,
                          "a share is a count divided by a count, e.g. count(x where c) / count(x) >= 10 %")
            return
        if op not in ("==", "!="):
            self.fail("E111", f"`{op}` compares numbers or quantities, not {lt.describe()} and {rt.describe()}", span)
        if isinstance(lt, EnumT) and isinstance(rt, EnumT):
            if lt.name != rt.name:
                self.fail("E111", f"cannot compare {lt.describe()} with {rt.describe()}", span)
            return
        if type(lt) is type(rt) and not isinstance(lt, (RecordT, ListT)):
            return
        self.fail("E111", f"cannot compare {lt.describe()} with {rt.describe()}", span)

    def pair(self, a, b) -> tuple[ir.Node, ir.Node]:
        """Check two operands, letting an enum on one side resolve bare names on the other."""
        if self.is_unresolvable_name(a) or isinstance(a, ast.String):
            right = self.check(b)
            left = self.check(a, right.type if isinstance(right.type, EnumT) else None)
        else:
            left = self.check(a)
            right = self.check(b, left.type if isinstance(left.type, EnumT) else None)
        return left, right

    def x_Compare(self, node: ast.Compare, hint) -> ir.Node:
        left, right = self.pair(node.left, node.right)
        self.compatible(left.type, right.type, node.op, node.span)
        return ir.Compare(node.op, left, right, BOOL, spelling=node.spelling, span=node.span, text=self.t(node))

    def x_Between(self, node: ast.Between, hint) -> ir.Node:
        value = self.check(node.value)
        low = self.check(node.low)
        high = self.check(node.high)
        for side in (low, high):
            if not is_numeric(value.type) or not is_numeric(side.type):
                self.fail("E111", "`between` compares numbers or quantities", node.span)
            self.compatible(value.type, side.type, ">=", node.span)
        return ir.Between(value, low, high, BOOL, span=node.span, text=self.t(node))

    def x_Member(self, node: ast.Member, hint) -> ir.Node:
        value = self.check(node.value)
        enum = value.type if isinstance(value.type, EnumT) else None
        if isinstance(node.collection, ast.SetLit):
            coll = self.set_items(node.collection, enum, value.type)
        else:
            coll = self.check(node.collection)
            elem = coll.type.elem if isinstance(coll.type, ListT) else (
                coll.type.enum if isinstance(coll.type, SetT) else None)
            if elem is None and not isinstance(coll.type, Dynamic):
                self.fail("E112", f"`in` needs a set or list on its right, found {coll.type.describe()}",
                          node.collection.span)
            if elem is not None:
                self.compatible(value.type, elem, "==", node.span)
        return ir.Member(value, coll, node.negated, BOOL, span=node.span, text=self.t(node))

    def x_Contains(self, node: ast.Contains, hint) -> ir.Node:
        coll = self.check(node.collection)
        if isinstance(coll.type, SetT):
            elem: Type = coll.type.enum
        elif isinstance(coll.type, ListT):
            elem = coll.type.elem
        elif isinstance(coll.type, Dynamic):
            elem = DYNAMIC
        else:
            self.fail("E112", f"`contains` needs a set or list on its left, found {coll.type.describe()}",
                      node.collection.span)
        enum = elem if isinstance(elem, EnumT) else None
        if node.quant is not None:
            if not isinstance(node.item, ast.SetLit):
                self.fail("E112", f"`contains {node.quant}` takes a set: `{{a, b}}`", node.item.span)
            items = self.set_items(node.item, enum, elem)
        else:
            if isinstance(node.item, ast.SetLit):
                self.fail("E112", "write `contains all {...}` or `contains any {...}`", node.item.span)
            items = self.check(node.item, enum)
            self.compatible(elem, items.type, "==", node.span)
        return ir.Contains(coll, items, node.quant, BOOL, span=node.span, text=self.t(node))

    def x_Cond(self, node: ast.Cond, hint) -> ir.Node:
        test = self.check(node.test)
        self.require_bool(test, node.test, "`if`")
        then, else_ = self.pair(node.then, node.else_)
        if isinstance(then.type, Num) and isinstance(else_.type, Num):
            self.compatible(then.type, else_.type, "==", node.span)
            typ = then.type if then.type.kind != "number" else else_.type
        elif isinstance(then.type, Dynamic):
            typ = else_.type
        else:
            self.compatible(then.type, else_.type, "==", node.span)
            typ = then.type
        return ir.Cond(test, then, else_, typ, span=node.span, text=self.t(node))

    # -------------------------------------------------------------- calls
    def x_Call(self, node: ast.Call, hint) -> ir.Node:
        f = node.func
        if f not in FUNCTIONS:
            self.fail("E105", f"unknown function `{f}`", node.span,
                      did_you_mean(f, FUNCTIONS) or f"functions: {', '.join(FUNCTIONS)}")
        if f == "present":
            if len(node.args) != 1 or node.item is not None or node.where is not None:
                self.fail("E113", "`present` takes one field: present(kindergarten)", node.span)
            target = self.check(node.args[0])
            if not isinstance(target, (ir.Field, ir.LetRef)):
                self.fail("E113", "`present` takes a field or record, e.g. present(kindergarten)", node.args[0].span)
            return ir.Present(target, BOOL, span=node.span, text=self.t(node))
        if f == "abs":
            if len(node.args) != 1 or node.item is not None or node.where is not None:
                self.fail("E113", "`abs` takes one number", node.span)
            arg = self.check(node.args[0])
            if not is_numeric(arg.type):
                self.fail("E108", f"`abs` needs a number, found {arg.type.describe()}", node.args[0].span)
            return ir.Builtin("abs", (arg,), arg.type, span=node.span, text=self.t(node))
        if f in ("min", "max") and len(node.args) > 1:
            if node.item is not None or node.where is not None:
                self.fail("E113", f"`{f}` of several values takes no `for` or `where`", node.span)
            args = tuple(self.check(a) for a in node.args)
            for a, src in zip(args, node.args):
                if not is_numeric(a.type):
                    self.fail("E108", f"`{f}` needs numbers, found {a.type.describe()}", src.span)
                self.compatible(args[0].type, a.type, ">=", src.span)
            typ = next((a.type for a in args if isinstance(a.type, Num) and a.type.kind != "number"), args[0].type)
            return ir.Builtin(f, args, typ, span=node.span, text=self.t(node))
        if len(node.args) != 1:
            self.fail("E113", f"`{f}` takes one list: {f}(items where condition)", node.span)
        return self.aggregate(node)

    def aggregate(self, node: ast.Call) -> ir.Node:
        f = node.func
        coll = self.check(node.args[0])
        if isinstance(coll.type, Dynamic):
            elem: Type = DYNAMIC
        elif isinstance(coll.type, ListT):
            elem = coll.type.elem
        elif isinstance(coll.type, SetT):
            elem = coll.type.enum
        else:
            self.fail("E114", f"`{f}` needs a list, found {coll.type.describe()} `{coll.text}`", node.args[0].span,
                      "lists are fields declared `list { ... }` or `list of ENTITY`")
        inner_scope = None
        if isinstance(elem, RecordT):
            inner_scope = elem
        elif isinstance(elem, Dynamic):
            inner_scope = RecordT("element", dynamic=True)
        sub = self
        if node.item is not None or node.where is not None:
            if inner_scope is None:
                self.fail("E114", f"`for` and `where` need a list of records, `{coll.text}` is {coll.type.describe()}",
                          node.span)
            sub = ExprChecker(self.c, self.scopes + [inner_scope], self.goal_lets, self.goal_key)
        where = None
        if node.where is not None:
            where = sub.check(node.where)
            sub.require_bool(where, node.where, "`where`")
        item = None
        if node.item is not None:
            item = sub.check(node.item)
        self.foldable = self.foldable or sub.foldable
        value_type = item.type if item is not None else elem
        if f == "count":
            if item is not None:
                self.fail("E113", "count(...) takes no `for`: count(items where condition)", node.span)
            typ: Type = COUNT
        elif f in ("all", "any"):
            if item is not None:
                sub.require_bool(item, node.item, f"`{f}`")
            elif where is None and not isinstance(value_type, (BoolT, Dynamic)):
                self.fail("E113", f"`{f}` needs a condition: {f}(items where condition)", node.span)
            typ = BOOL
        elif f == "share":
            if where is None and item is None:
                self.fail("E113", "`share` needs a condition: share(items where condition)", node.span)
            if item is not None:
                sub.require_bool(item, node.item, "`share`")
            typ = RATIO
        else:  # sum avg min max
            if not isinstance(value_type, (Num, Dynamic)):
                self.fail("E114", f"`{f}` needs numbers, found {value_type.describe()}", node.span,
                          f"e.g. {f}(building_area for {coll.text})")
            typ = value_type
            if f == "avg" and isinstance(value_type, Num) and value_type.kind == "count":
                typ = NUMBER
        return ir.Aggregate(f, coll, item, where, typ, span=node.span, text=self.t(node))


def _field_by_label(rec: RecordT, label: str) -> FieldInfo | None:
    """A field named in an expression by its Chinese label (幼儿园.建筑面积), if unambiguous."""
    found = [info for info in rec.fields.values() if info.label == label]
    return found[0] if len(found) == 1 else None


def _unit_hint(t: Num) -> str | None:
    if t.dim == units.AREA:
        return "an area compares with an area, e.g. `2200 m2`"
    if t.dim == units.LENGTH:
        return "a length compares with a length, e.g. `500 m`"
    if t.dim == units.TIME:
        return "a time compares with a time, e.g. `10 min`"
    if t.kind == "ratio":
        return "a ratio compares with a percentage, e.g. `10 %`"
    return None


def _base_bounds(info: FieldInfo) -> tuple | None:
    """A field's declared range in base units (the IR's units), or None."""
    if info.bounds is None:
        return None
    return tuple(units.normalize(Fraction(b) * info.scale) for b in info.bounds)
