"""Check a parsed spec: names, types and units.

Takes the AST (:mod:`standardlang.lang.ast`) and gives a
:class:`~standardlang.lang.model.CheckedSpec` whose expressions are typed IR
(:mod:`standardlang.lang.ir`) with every name resolved and every quantity in base
units.  Collects every error of a file, then raises one
:class:`~standardlang.errors.SpecCheckError` holding them all.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from standardlang.lang import ast
from standardlang.lang import ir
from standardlang.lang import units, vocabulary
from standardlang.lang import suggest
from standardlang.errors import Diagnostic, Source, Span, SpecCheckError, did_you_mean
from standardlang.lang.model import (ATTRIBUTES, STRENGTHS, CheckedAlternative, CheckedExample, CheckedIndicator,
                    CheckedRule, CheckedSpec)
from standardlang.lang.types import (BOOL, COUNT, DYNAMIC, NUMBER, RATIO, TEXT, BoolT, Dynamic, EnumT, FieldInfo,
                    LetInfo, ListT, Num, RecordT, SetT, TextT, Type, is_numeric)

META_KEYS = ("source", "version", "issued", "issuer", "url", "note", "title_en", "language")
AGGREGATES = vocabulary.AGGREGATES
FUNCTIONS = AGGREGATES + ("present", "abs")


#: folded constants longer than this could not be printed by Python (its integer-string limit) nor compiled
MAX_CONST_DIGITS = 4000
MAX_CONST_BITS = 13_000  # about 4,000 decimal digits

class _Failed(Exception):
    """Raised inside expression checking after a diagnostic has been recorded."""


class Checker:
    """Checks one spec file; use :func:`check`."""

    def __init__(self, source: Source | None):
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self.enums: dict[str, EnumT] = {}
        self.entities: dict[str, RecordT] = {}
        self.lets: dict[str, LetInfo] = {}
        self._lines: list[str] | None = None

    # ------------------------------------------------------------ diagnostics
    def error(self, code: str, message: str, span: Span | None, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, "error", hint, self.source))

    def fail(self, code: str, message: str, span: Span | None, hint: str | None = None):
        self.error(code, message, span, hint)
        raise _Failed()

    def text_of(self, span: Span | None) -> str | None:
        if span is None or self.source is None:
            return None
        lines = self._lines
        if lines is None:
            lines = self._lines = self.source.text.split("\n")
        if span.line == span.end_line:
            return lines[span.line - 1][span.column - 1 : span.end_column - 1]
        parts = [lines[span.line - 1][span.column - 1 :]]
        parts.extend(lines[span.line : span.end_line - 1])
        parts.append(lines[span.end_line - 1][: span.end_column - 1])
        return " ".join(p.strip() for p in parts)

    # ------------------------------------------------------------ spec
    def check_spec(self, spec: ast.SpecFile) -> CheckedSpec:
        standards = [d for d in spec.decls if isinstance(d, ast.Standard)]
        name, title, meta = "spec", "", {}
        if not standards:
            self.error("E120", "a spec file needs a `standard NAME \"title\" { ... }` header", None,
                       hint="start the file with: standard my_standard \"标准名称\" { source \"...\" }")
        else:
            for extra in standards[1:]:
                self.error("E121", "one spec file holds one standard", extra.span)
            std = standards[0]
            name, title = std.name, std.title
            for m in std.meta:
                if m.key not in META_KEYS:
                    self.error("E122", f"unknown header key `{m.key}`", m.span,
                               hint=did_you_mean(m.key, META_KEYS) or f"known keys: {', '.join(META_KEYS)}")
                meta[m.key] = m.value
        for d in spec.decls:
            if isinstance(d, ast.EnumDef):
                self.declare_enum(d)
        for d in spec.decls:
            if isinstance(d, ast.Entity):
                if d.name in self.entities or d.name in self.enums:
                    self.error("E123", f"`{d.name}` is declared twice", d.span)
                    continue
                self.entities[d.name] = RecordT(d.name, d.label, entity=True, path="")
        for d in spec.decls:
            if isinstance(d, ast.Entity) and self.entities.get(d.name) is not None:
                self.fill_record(self.entities[d.name], d.items, d.name)
        self.check_links()
        for info in list(self.lets.values()):
            self.let_ir(info)
        rules: list[CheckedRule] = []
        seen_rules: dict[str, Span | None] = {}
        for d in spec.decls:
            if isinstance(d, ast.Goal):
                for r in self.check_goal(d):
                    if r.id in seen_rules:
                        self.error("E130", f"rule id `{r.id}` is used twice", r.span)
                    seen_rules[r.id] = r.span
                    rules.append(r)
        indicators = []
        seen_ind: set[str] = set()
        for d in spec.decls:
            if isinstance(d, ast.Indicator):
                ind = self.check_indicator(d)
                if ind is not None:
                    if ind.id in seen_ind:
                        self.error("E131", f"indicator id `{ind.id}` is used twice", d.span)
                    seen_ind.add(ind.id)
                    indicators.append(ind)
        if self.diagnostics:
            raise SpecCheckError(self.diagnostics)
        return CheckedSpec(name, title, meta, dict(self.enums), dict(self.entities), tuple(rules),
                           tuple(indicators), dict(self.lets), self.source)

    def declare_enum(self, d: ast.EnumDef) -> None:
        if d.name in self.enums:
            self.error("E123", f"`{d.name}` is declared twice", d.span)
            return
        self.enums[d.name] = self.make_enum(d.name, d.members, d.span)

    def make_enum(self, name: str, members: tuple[ast.EnumMember, ...], span: Span | None) -> EnumT:
        names: list[str] = []
        labels = []
        for m in members:
            if m.name in names:
                self.error("E124", f"enum member `{m.name}` is listed twice", m.span)
                continue
            names.append(m.name)
            if m.label:
                labels.append((m.label, m.name))
        if not names:
            self.error("E125", f"enum `{name}` has no members", span)
        return EnumT(name, tuple(names), tuple(labels))

    def fill_record(self, rec: RecordT, items: tuple, entity: str) -> None:
        for item in items:
            if isinstance(item, ast.Key):
                if rec.key is not None:
                    self.error("E126", "a record has one key", item.span)
                rec.key = item.name
            elif isinstance(item, ast.Field):
                if item.name in rec.fields or item.name in rec.lets:
                    self.error("E123", f"`{item.name}` is declared twice in {rec.describe()}", item.span)
                    continue
                info = self.field_info(rec, item, entity)
                if info is not None:
                    rec.fields[item.name] = info
            elif isinstance(item, ast.Let):
                if item.name in rec.fields or item.name in rec.lets:
                    self.error("E123", f"`{item.name}` is declared twice in {rec.describe()}", item.span)
                    continue
                info = LetInfo(item.name, item.label, item.expr, rec, span=item.span)
                rec.lets[item.name] = info
                self.lets[f"{self.qualname(rec)}.{item.name}"] = info
            else:  # pragma: no cover
                raise AssertionError(f"checker: unhandled entity item {item!r}")
        if rec.key is not None and rec.key not in rec.fields:
            self.error("E127", f"key `{rec.key}` is not a field of {rec.describe()}", None,
                       hint=did_you_mean(rec.key, rec.fields))

    @staticmethod
    def qualname(rec: RecordT) -> str:
        return rec.name if rec.entity else f"{rec.name}"

    def field_info(self, rec: RecordT, f: ast.Field, entity: str) -> FieldInfo | None:
        t = f.type
        path = f"{rec.path}.{f.name}" if rec.path else f.name
        scale = Fraction(1)
        unit = None
        typ: Type
        by = None
        if t.kind == "scalar":
            typ = {"bool": BOOL, "text": TEXT, "number": NUMBER, "count": COUNT}[t.name]
        elif t.kind == "unit":
            dim, factor, kind = units.UNITS[t.name]
            typ = Num(dim, kind or "quantity")
            scale, unit = factor, t.name
        elif t.kind in ("record", "list"):
            if f.body is None:
                self.error("E128", f"`{f.name}: {t.kind}` needs its fields in braces", f.span,
                           hint=f"{f.name}: {t.kind} {{ area: m2 }}")
                return None
            sub = RecordT(f"{entity}.{path}", f.label, path=path)
            self.fill_record(sub, f.body, entity)
            typ = sub if t.kind == "record" else ListT(sub)
        elif t.kind == "list_of":
            target = self.entities.get(t.name or "")
            if target is None:
                self.error("E101", f"unknown entity `{t.name}`", t.span, hint=did_you_mean(t.name or "", self.entities))
                return None
            typ = ListT(target)
            by = t.by
        elif t.kind == "set_of":
            enum = self.enums.get(t.name or "")
            if enum is None:
                self.error("E101", f"unknown enum `{t.name}`", t.span, hint=did_you_mean(t.name or "", self.enums))
                return None
            typ = SetT(enum)
        elif t.kind == "set_inline":
            typ = SetT(self.make_enum(f"{entity}.{path}", t.members, t.span))
        elif t.kind == "enum_inline":
            typ = self.make_enum(f"{entity}.{path}", t.members, t.span)
        elif t.kind == "named":
            if t.name in self.enums:
                typ = self.enums[t.name]
            elif t.name in self.entities:
                typ = self.entities[t.name]
            else:
                known = list(self.enums) + list(self.entities) + ["bool", "text", "number", "count", "m2", "record", "list"]
                self.error("E101", f"unknown type `{t.name}`", t.span,
                           hint=suggest.unit_hint(t.name or "") or did_you_mean(t.name or "", known)
                           or "a field's type is bool, text, number, count, a unit (m2, m, min, %), an enum, record or list")
                typ = DYNAMIC  # the field exists: its uses are not errors of their own
        else:  # pragma: no cover
            raise AssertionError(f"checker: unhandled type kind {t.kind!r}")
        if f.body is not None and t.kind not in ("record", "list"):
            self.error("E128", "only `record` and `list` fields take a body in braces", f.span)
        bounds = None
        if f.bounds is not None:
            if not isinstance(typ, Num):
                self.error("E129", "only numbers and quantities take a `range`", f.span)
            else:
                low, high = units.parse_decimal(f.bounds[0]), units.parse_decimal(f.bounds[1])
                if low > high:
                    self.error("E129", f"range {f.bounds[0]} to {f.bounds[1]} is empty", f.span)
                bounds = (low, high)
        return FieldInfo(f.name, typ, f.optional, f.label, scale, unit, bounds, by, f.span)

    def check_links(self) -> None:
        for ent in self.entities.values():
            for info in ent.fields.values():
                if info.by and isinstance(info.type, ListT) and isinstance(info.type.elem, RecordT):
                    child = info.type.elem
                    if info.by not in child.fields:
                        self.error("E102", f"entity `{child.name}` has no field `{info.by}` to link it to `{ent.name}`",
                                   info.span, hint=did_you_mean(info.by, child.fields)
                                   or f"add `{info.by}: text` to entity {child.name}")

    # ------------------------------------------------------------ lets
    def let_ir(self, info: LetInfo) -> ir.Node | None:
        if info.ir is not None:
            return info.ir
        if info.checking:
            self.error("E140", f"definition `{info.name}` refers to itself", info.span)
            return None
        info.checking = True
        try:
            node = ExprChecker(self, [info.owner], {}).check(info.expr)
            info.ir = node
            info.type = node.type
        except _Failed:
            info.type = DYNAMIC
            info.ir = ir.Const(None, DYNAMIC)
        finally:
            info.checking = False
        return info.ir

    # ------------------------------------------------------------ goals and rules
    def check_goal(self, goal: ast.Goal) -> list[CheckedRule]:
        ent = self.entities.get(goal.entity)
        if ent is None:
            self.error("E101", f"unknown entity `{goal.entity}`", goal.span,
                       hint=did_you_mean(goal.entity, self.entities))
            return []
        goal_lets: dict[str, LetInfo] = {}
        owner = RecordT(f"goal:{goal.id}", path="")
        for item in goal.items:
            if isinstance(item, ast.Let):
                if item.name in goal_lets or item.name in ent.fields or item.name in ent.lets:
                    self.error("E123", f"`{item.name}` is declared twice", item.span)
                    continue
                info = LetInfo(item.name, item.label, item.expr, owner, span=item.span)
                goal_lets[item.name] = info
                self.lets[f"goal:{goal.id}.{item.name}"] = info
        for info in goal_lets.values():
            if info.ir is None:
                info.checking = True
                try:
                    node = ExprChecker(self, [ent], goal_lets, goal_key=f"goal:{goal.id}").check(info.expr)
                    info.ir, info.type = node, node.type
                except _Failed:
                    info.ir, info.type = ir.Const(None, DYNAMIC), DYNAMIC
                finally:
                    info.checking = False
        rules = []
        for item in goal.items:
            if isinstance(item, ast.Rule):
                r = self.check_rule(item, goal, ent, goal_lets)
                if r is not None:
                    rules.append(r)
        return rules

    def check_condition(self, expr: ast.Expr, ent: RecordT, goal_lets, goal_key: str, what: str) -> ir.Node | None:
        try:
            node = ExprChecker(self, [ent], goal_lets, goal_key=goal_key).check(expr)
        except _Failed:
            return None
        if not isinstance(node.type, (BoolT, Dynamic)):
            self.error("E110", f"{what} must be a condition (true/false), found {node.type.describe()}",
                       expr.span, hint="compare it, e.g. `x >= 2200 m2`")
            return None
        return node

    def rule_parts(self, clauses, ent, goal_lets, goal_key, where: str):
        strength = None
        applies = None
        requires: list[ir.Node] = []
        cites: list[str] = []
        readings: list[str] = []
        alternatives = []
        examples = []
        for c in clauses:
            if isinstance(c, ast.Strength):
                if strength is not None:
                    self.error("E132", f"{where} states its strength twice", c.span)
                strength = STRENGTHS[c.word]
            elif isinstance(c, ast.Applies):
                if applies is not None:
                    self.error("E132", f"{where} has two `applies when` clauses", c.span,
                               hint="join the conditions with `and`")
                applies = self.check_condition(c.expr, ent, goal_lets, goal_key, "`applies when`") or applies
            elif isinstance(c, ast.Require):
                node = self.check_condition(c.expr, ent, goal_lets, goal_key, "`require`")
                if node is not None:
                    requires.append(node)
            elif isinstance(c, ast.Cite):
                cites.append(c.text)
            elif isinstance(c, ast.Reading):
                readings.append(c.text)
            elif isinstance(c, ast.Alternative):
                alternatives.append(c)
            elif isinstance(c, ast.Example):
                examples.append(c)
            else:  # pragma: no cover
                raise AssertionError(f"checker: unhandled clause {c!r}")
        return strength, applies, requires, cites, readings, alternatives, examples

    def check_rule(self, rule: ast.Rule, goal: ast.Goal, ent: RecordT, goal_lets) -> CheckedRule | None:
        goal_key = f"goal:{goal.id}"
        strength, applies, requires, cites, readings, alts, examples = self.rule_parts(
            rule.clauses, ent, goal_lets, goal_key, f"rule {rule.id}")
        if not any(isinstance(c, ast.Require) for c in rule.clauses):
            self.error("E133", f"rule {rule.id} has no `require` clause", rule.span,
                       hint="state what the rule requires: require <condition>")
        checked_alts = []
        alt_names = set()
        for alt in alts:
            if alt.name in alt_names:
                self.error("E134", f"alternative `{alt.name}` is named twice in rule {rule.id}", alt.span)
            alt_names.add(alt.name)
            a_strength, a_applies, a_requires, a_cites, a_readings, nested, a_examples = self.rule_parts(
                alt.clauses, ent, goal_lets, goal_key, f"alternative {alt.name}")
            if a_strength is not None:
                self.error("E135", "an alternative takes the strength of its rule", alt.span)
            for n in nested:
                self.error("E135", "alternatives do not nest", n.span)
            for e in a_examples:
                self.error("E135", "put examples on the rule, not on its alternative", e.span)
            if not a_requires and not any(isinstance(c, ast.Require) for c in alt.clauses):
                self.error("E133", f"alternative `{alt.name}` has no `require` clause", alt.span)
            checked_alts.append(CheckedAlternative(alt.name, alt.title, a_applies, tuple(a_requires),
                                                   tuple(a_cites), tuple(a_readings), span=alt.span))
        checked_examples = tuple(self.check_example(e, ent, ("pass", "fail", "unknown", "not_applicable"))
                                 for e in examples)
        return CheckedRule(rule.id, rule.title, ent.name, goal.id, goal.title, strength or "shall", applies,
                           tuple(requires), tuple(checked_alts), tuple(cites), tuple(readings),
                           tuple(e for e in checked_examples if e is not None), span=rule.span)

    # ------------------------------------------------------------ indicators
    def check_indicator(self, ind: ast.Indicator) -> CheckedIndicator | None:
        attribute = None
        target = None
        op = ">="
        deadline = None
        unit = None
        cites, readings, values, examples = [], [], [], []
        for c in ind.clauses:
            if isinstance(c, ast.Attribute):
                attribute = ATTRIBUTES[c.word]
            elif isinstance(c, ast.Target):
                try:
                    target = ExprChecker(self, [], {}).check(c.expr)
                except _Failed:
                    continue
                if not isinstance(target, ir.Const) or not isinstance(target.type, Num):
                    self.error("E136", "an indicator's target is a number or quantity, e.g. `target >= 100 %`",
                               c.expr.span)
                    target = None
                op = c.op
            elif isinstance(c, ast.Deadline):
                deadline = c.year
            elif isinstance(c, ast.DisplayUnit):
                unit = c.text
            elif isinstance(c, ast.Cite):
                cites.append(c.text)
            elif isinstance(c, ast.Reading):
                readings.append(c.text)
            elif isinstance(c, ast.ValueDef):
                for name in c.entities:
                    ent = self.entities.get(name)
                    if ent is None:
                        self.error("E101", f"unknown entity `{name}`", c.span, hint=did_you_mean(name, self.entities))
                        continue
                    try:
                        node = ExprChecker(self, [ent], {}).check(c.expr)
                    except _Failed:
                        continue
                    values.append((name, node, c.expr.span))
            elif isinstance(c, ast.Example):
                examples.append(c)
            else:  # pragma: no cover
                raise AssertionError(f"checker: unhandled indicator clause {c!r}")
        if target is None:
            if not any(isinstance(c, ast.Target) for c in ind.clauses):
                self.error("E137", f"indicator {ind.id} has no `target`", ind.span, hint="e.g. target >= 100 %")
            return None
        if not values and not any(isinstance(c, ast.ValueDef) for c in ind.clauses):
            self.error("E137", f"indicator {ind.id} has no `value for ENTITY = ...`", ind.span)
            return None
        for name, node, span in values:
            if not isinstance(node.type, (Num, Dynamic)):
                self.error("E136", f"indicator {ind.id}'s value must be a number, found {node.type.describe()}", span)
            else:
                try:
                    ExprChecker(self, [], {}).compatible(node.type, target.type, ">=", span,
                                                         f"indicator {ind.id}'s value", "its target")
                except _Failed:
                    pass
        if not values:
            return None
        if unit is None:
            unit = target.text.split()[-1] if target.text and any(ch.isalpha() or ch in "%‰㎡" for ch in target.text.split()[-1]) else ""
            if unit and unit[0].isdigit():
                unit = ""
        checked_examples = []
        for e in examples:
            ent_name = e.entity or values[0][0]
            ent = self.entities.get(ent_name)
            if ent is None:
                self.error("E101", f"unknown entity `{ent_name}`", e.span, hint=did_you_mean(ent_name, self.entities))
                continue
            if ent_name not in [v[0] for v in values]:
                self.error("E138", f"indicator {ind.id} has no value for `{ent_name}`", e.span)
                continue
            ex = self.check_example(e, ent, ("pass", "fail", "unknown"), target_type=target.type)
            if ex is not None:
                checked_examples.append(ex)
        return CheckedIndicator(ind.id, ind.title, attribute or "expected", op, target,
                                tuple((n, v) for n, v, _ in values), unit, deadline, tuple(cites),
                                tuple(readings), tuple(checked_examples), span=ind.span)

    # ------------------------------------------------------------ examples
    def check_example(self, e: ast.Example, ent: RecordT, statuses, target_type=None) -> CheckedExample | None:
        if e.status not in statuses:
            self.error("E139", f"expected one of {', '.join(statuses)}, found `{e.status}`", e.span)
            return None
        if not isinstance(e.given, ast.DataObject):
            self.error("E150", "an example's `given` is a record in braces", e.given.span)
            return None
        before = len(self.diagnostics)
        record = self.data_record(e.given, ent)
        value = None
        if e.value is not None:
            if target_type is None:
                self.error("E139", "only indicator examples take `value`", e.value.span)
            else:
                value = self.data_value(e.value, target_type, FieldInfo("value", target_type), "value")
        if len(self.diagnostics) > before:
            return None
        entity_name = ent.name
        return CheckedExample(e.title, record, e.status, entity_name, value, span=e.span)

    def data_record(self, obj: ast.DataObject, rec: RecordT) -> dict:
        out: dict[str, Any] = {}
        labels = {info.label: name for name, info in rec.fields.items() if info.label}
        for key, value in obj.pairs:
            name = key if key in rec.fields else labels.get(key)
            if name is None:
                self.error("E151", f"{rec.describe()} has no field `{key}`", value.span,
                           hint=did_you_mean(key, list(rec.fields) + list(labels)))
                continue
            info = rec.fields[name]
            out[name] = self.data_value(value, info.type, info, name)
        return out

    def data_value(self, value: ast.Data, typ: Type, info: FieldInfo, path: str) -> Any:
        if isinstance(value, ast.DataNull):
            return None
        if isinstance(typ, RecordT):
            if not isinstance(value, ast.DataObject):
                self.error("E152", f"`{path}` is a record: write it in braces", value.span)
                return None
            return self.data_record(value, typ)
        if isinstance(typ, ListT):
            if not isinstance(value, ast.DataList):
                self.error("E152", f"`{path}` is a list: write it in brackets", value.span)
                return None
            return [self.data_value(v, typ.elem, info, path) for v in value.items]
        if isinstance(typ, SetT):
            if not isinstance(value, ast.DataList):
                self.error("E152", f"`{path}` is a set: write its members in brackets", value.span)
                return None
            return [self.data_value(v, typ.enum, info, path) for v in value.items]
        if isinstance(typ, EnumT):
            if isinstance(value, (ast.DataName, ast.DataString)):
                word = value.name if isinstance(value, ast.DataName) else value.value
                if word not in typ.lookup():
                    self.error("E153", f"`{word}` is not a member of {typ.describe()}", value.span,
                               hint=did_you_mean(word, typ.lookup()) or f"members: {', '.join(typ.members)}")
                return word
            self.error("E152", f"`{path}` takes a member of {typ.describe()}", value.span)
            return None
        if isinstance(typ, BoolT):
            if isinstance(value, ast.DataBool):
                return value.value
            self.error("E152", f"`{path}` takes true or false", value.span)
            return None
        if isinstance(typ, TextT):
            if isinstance(value, ast.DataString):
                return value.value
            if isinstance(value, ast.DataName):
                return value.name
            if isinstance(value, ast.DataNumber) and value.unit is None:
                return value.text
            self.error("E152", f"`{path}` takes text", value.span)
            return None
        if isinstance(typ, (Num, Dynamic)):
            if not isinstance(value, ast.DataNumber):
                self.error("E152", f"`{path}` takes a number", value.span)
                return None
            number = units.parse_decimal(value.text)
            if value.unit is not None:
                dim, factor, _ = units.UNITS[value.unit]
                tdim = typ.dim if isinstance(typ, Num) else dim
                if dim != tdim:
                    self.error("E103", f"`{path}` is {typ.describe()}, but the value is in {value.unit}",
                               value.span)
                    return None
                # convert to the field's own unit
                number = units.normalize(Fraction(number) * factor / info.scale)
            return _plain_number(number)
        if isinstance(typ, Dynamic):  # pragma: no cover
            return None
        self.error("E152", f"cannot give a value for `{path}`", value.span)
        return None


def _plain_number(value: Fraction | int) -> int | float | Fraction:
    if isinstance(value, int):
        return value
    f = float(value)
    if Fraction(repr(f)) == value:
        return f
    return value


# ======================================================================== expressions


class ExprChecker:
    """Checks one expression in a stack of record scopes (outermost first)."""

    def __init__(self, checker: Checker, scopes: list[RecordT], goal_lets: dict[str, LetInfo],
                 goal_key: str = ""):
        self.c = checker
        self.scopes = scopes
        self.goal_lets = goal_lets
        self.goal_key = goal_key

    def fail(self, code: str, message: str, span, hint=None):
        self.c.fail(code, message, span, hint)

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
            span=node.span, text=self.t(node))

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
            self.compatible(elem_type, it.type, "==", item.span, "the value", "this item")
            items.append(it)
        return ir.SetLiteral(tuple(items), elem_type, span=node.span, text=self.t(node))

    def x_Neg(self, node: ast.Neg, hint) -> ir.Node:
        operand = self.check(node.operand)
        if not is_numeric(operand.type):
            self.fail("E108", f"cannot negate {operand.type.describe()}", node.span)
        if isinstance(operand, ir.Const) and operand.value is not None:
            return ir.Const(-operand.value, operand.type, span=node.span, text=self.t(node))
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
        if isinstance(left, ir.Const) and isinstance(right, ir.Const) and left.value is not None and right.value is not None:
            a, b = Fraction(left.value), Fraction(right.value)
            if node.op == "/" and b == 0:
                self.fail("E109", "division by zero", node.span)
            if max(a.numerator.bit_length(), a.denominator.bit_length(), b.numerator.bit_length(),
                   b.denominator.bit_length()) * 2 > MAX_CONST_BITS:
                self.fail("E119", f"`{node.op}` of these constants gives a number too long to hold "
                          f"(more than {MAX_CONST_DIGITS:,} digits)", node.span)
            value = {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else None}[node.op]
            return ir.Const(units.normalize(value), typ, span=node.span, text=self.t(node))
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

    def compatible(self, lt: Type, rt: Type, op: str, span, left_text="left side", right_text="right side") -> None:
        if isinstance(lt, Dynamic) or isinstance(rt, Dynamic):
            return
        if isinstance(lt, Num) and isinstance(rt, Num):
            if lt.dim != rt.dim:
                self.fail("E103", f"cannot compare {lt.describe()} with {rt.describe()}", span,
                          _unit_hint(lt))
            if {lt.kind, rt.kind} == {"count", "ratio"}:
                self.fail("E103", f"cannot compare a count with a ratio (percentage)", span,
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
        self.compatible(left.type, right.type, node.op, node.span, left.text, right.text)
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
            self.compatible(then.type, else_.type, "==", node.span, "then", "else")
            typ = then.type if then.type.kind != "number" else else_.type
        elif isinstance(then.type, Dynamic):
            typ = else_.type
        else:
            self.compatible(then.type, else_.type, "==", node.span, "then", "else")
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


def _fields_of(node) -> dict:
    import attrs

    return {f.name: getattr(node, f.name) for f in attrs.fields(type(node))}


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


def check(spec: ast.SpecFile, source: Source | None = None) -> CheckedSpec:
    """Check a parsed spec file.

    Args:
        spec: the AST from :func:`standardlang.lang.parser.parse`.
        source: the source text, for diagnostics.

    Raises:
        SpecCheckError: holding every error found in the file.
    """
    checker = Checker(source)
    try:
        return checker.check_spec(spec)
    except _Failed:  # a diagnostic was recorded where no caller expected one
        raise SpecCheckError(checker.diagnostics) from None


def check_expression(expr: ast.Expr, source: Source | None = None, record: RecordT | None = None,
                     lets: dict[str, LetInfo] | None = None) -> ir.Node:
    """Check one expression against a record type (or dynamically, without a schema)."""
    checker = Checker(source)
    scope = record if record is not None else RecordT("record", dynamic=True)
    try:
        node = ExprChecker(checker, [scope], lets or {}).check(expr)
    except _Failed:
        node = None
    if checker.diagnostics:
        raise SpecCheckError(checker.diagnostics)
    assert node is not None
    return node
