"""Check a parsed spec: declarations and schema, goals, rules and indicators.

Takes the AST (:mod:`standardlang.lang.ast`) and gives a
:class:`~standardlang.lang.model.CheckedSpec` whose expressions are typed IR
(:mod:`standardlang.lang.ir`) with every name resolved and every quantity in base
units.  Collects every error of a file, then raises one
:class:`~standardlang.errors.SpecCheckError` holding them all.

The checker is in four parts, one module each: this one (the header, enums, entities
and their fields, links, definitions, goals, rules, indicators), :mod:`.expressions`
(names, types and units of one expression), :mod:`.examples` (the data of inline
examples) and :mod:`.fold` (constant folding, a pass over the IR).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import attrs

from standardlang.lang import ast
from standardlang.lang import ir
from standardlang.lang import units, vocabulary
from standardlang.lang import suggest
from standardlang.errors import Diagnostic, Source, Span, SpecCheckError, did_you_mean
from standardlang.lang.examples import INDICATOR_STATUSES, RULE_STATUSES, check_example
from standardlang.lang.expressions import CheckFailed, ExprChecker
from standardlang.lang.model import (ATTRIBUTES, STRENGTHS, CheckedAlternative, CheckedExample, CheckedIndicator,
                    CheckedItem, CheckedRule, CheckedSpec)
from standardlang.lang.types import (BOOL, COUNT, DYNAMIC, NUMBER, TEXT, BoolT, Dynamic, EnumT, FieldInfo,
                                     LetInfo, ListT, Num, RecordT, SetT, Type)

META_KEYS = ("source", "version", "issued", "issuer", "url", "note", "title_en", "language")
AGGREGATES = vocabulary.AGGREGATES


def _goal_rules(member: Any) -> list[tuple[ast.Rule, Any]]:
    """The rules of a goal member with the item holding them (None for a rule outside items)."""
    if isinstance(member, ast.Rule):
        return [(member, None)]
    if isinstance(member, ast.Item):
        return [(r, member) for r in member.rules]
    return []


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
        raise CheckFailed()

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
        items: list[CheckedItem] = []
        for d in spec.decls:
            if isinstance(d, ast.Goal):
                goal_rules = self.check_goal(d)
                items += self.check_items(d, goal_rules, items)
                for r in goal_rules:
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
                           tuple(indicators), dict(self.lets), self.source, items=tuple(items))

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
        return FieldInfo(f.name, typ, f.optional, f.label, scale, unit, self.field_bounds(f, typ), by, f.span)

    def field_bounds(self, f: ast.Field, typ: Type) -> tuple | None:
        """The declared ``range LOW to HIGH`` of a numeric field, in the field's own unit."""
        if f.bounds is None:
            return None
        if not isinstance(typ, Num):
            self.error("E129", "only numbers and quantities take a `range`", f.span)
            return None
        low, high = units.parse_decimal(f.bounds[0]), units.parse_decimal(f.bounds[1])
        if low > high:
            self.error("E129", f"range {f.bounds[0]} to {f.bounds[1]} is empty", f.span)
        return (low, high)

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
            node = ExprChecker(self, [info.owner], {}).expression(info.expr)
            info.ir = node
            info.type = node.type
        except CheckFailed:
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
                    node = ExprChecker(self, [ent], goal_lets, goal_key=f"goal:{goal.id}").expression(info.expr)
                    info.ir, info.type = node, node.type
                except CheckFailed:
                    info.ir, info.type = ir.Const(None, DYNAMIC), DYNAMIC
                finally:
                    info.checking = False
        rules = []
        for item in goal.items:
            for rule, owner_item in _goal_rules(item):
                r = self.check_rule(rule, goal, ent, goal_lets)
                if r is not None:
                    if owner_item is not None:
                        r = attrs.evolve(r, item_id=owner_item.number, item_title=owner_item.title)
                    rules.append(r)
        return rules

    def check_items(self, goal: ast.Goal, rules: list[CheckedRule], earlier: list[CheckedItem]) -> list[CheckedItem]:
        """The goal's items (E160: a number used twice; E161: a rule numbered after another item)."""
        out: list[CheckedItem] = []
        ent = self.entities.get(goal.entity)
        for it in goal.items:
            if not isinstance(it, ast.Item):
                continue
            if any(i.id == it.number for i in earlier + out):
                self.error("E160", f"item {it.number} is declared twice", it.span)
            for r in it.rules:
                head = r.id.split(".")[0] if "." in r.id else None
                if head is not None and head != it.number:
                    self.error("E161", f"rule {r.id} is numbered after item {head} but sits in item {it.number}",
                               r.span, hint=f"name it {it.number}.{r.id.split('.', 1)[1]} or move it to item {head}")
            ids = tuple(r.id for r in it.rules)
            out.append(CheckedItem(it.number, it.title, ent.name if ent else goal.entity, goal.id, goal.title,
                                   tuple(r.id for r in rules if r.id in ids), span=it.span))
        return out

    def check_condition(self, expr: ast.Expr, ent: RecordT, goal_lets, goal_key: str, what: str) -> ir.Node | None:
        try:
            node = ExprChecker(self, [ent], goal_lets, goal_key=goal_key).expression(expr)
        except CheckFailed:
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
        checked_examples = tuple(check_example(self, e, ent, RULE_STATUSES) for e in examples)
        return CheckedRule(rule.id, rule.title, ent.name, goal.id, goal.title, strength or "shall", applies,
                           tuple(requires), tuple(checked_alts), tuple(cites), tuple(readings),
                           tuple(e for e in checked_examples if e is not None), span=rule.span)

    # ------------------------------------------------------------ indicators
    def check_indicator(self, ind: ast.Indicator) -> CheckedIndicator | None:
        parts = self.indicator_parts(ind)
        target, values = parts["target"], parts["values"]
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
                    ExprChecker(self, [], {}).compatible(node.type, target.type, ">=", span)
                except CheckFailed:
                    pass
        if not values:
            return None
        examples = self.indicator_examples(ind, parts["examples"], values, target)
        return CheckedIndicator(ind.id, ind.title, parts["attribute"] or "expected", parts["op"], target,
                                tuple((n, v) for n, v, _ in values), _display_unit(parts["unit"], target),
                                parts["deadline"], tuple(parts["cites"]), tuple(parts["readings"]), examples,
                                span=ind.span)

    def indicator_parts(self, ind: ast.Indicator) -> dict[str, Any]:
        """The clauses of an indicator, checked one by one (errors recorded, bad clauses left out)."""
        parts: dict[str, Any] = {"attribute": None, "target": None, "op": ">=", "deadline": None, "unit": None,
                                 "cites": [], "readings": [], "values": [], "examples": []}
        for c in ind.clauses:
            if isinstance(c, ast.Attribute):
                parts["attribute"] = ATTRIBUTES[c.word]
            elif isinstance(c, ast.Target):
                target = self.indicator_target(c)
                if target is not False:
                    parts["target"], parts["op"] = target, c.op
            elif isinstance(c, ast.Deadline):
                parts["deadline"] = c.year
            elif isinstance(c, ast.DisplayUnit):
                parts["unit"] = c.text
            elif isinstance(c, ast.Cite):
                parts["cites"].append(c.text)
            elif isinstance(c, ast.Reading):
                parts["readings"].append(c.text)
            elif isinstance(c, ast.ValueDef):
                parts["values"].extend(self.indicator_values(c))
            elif isinstance(c, ast.Example):
                parts["examples"].append(c)
            else:  # pragma: no cover
                raise AssertionError(f"checker: unhandled indicator clause {c!r}")
        return parts

    def indicator_target(self, c: ast.Target) -> ir.Const | None | bool:
        """The constant target, None when it is not a number (E136), False when it did not check."""
        try:
            target = ExprChecker(self, [], {}).expression(c.expr)
        except CheckFailed:
            return False
        if not isinstance(target, ir.Const) or not isinstance(target.type, Num):
            self.error("E136", "an indicator's target is a number or quantity, e.g. `target >= 100 %`", c.expr.span)
            return None
        return target

    def indicator_values(self, c: ast.ValueDef) -> list[tuple[str, ir.Node, Span | None]]:
        out = []
        for name in c.entities:
            ent = self.entities.get(name)
            if ent is None:
                self.error("E101", f"unknown entity `{name}`", c.span, hint=did_you_mean(name, self.entities))
                continue
            try:
                out.append((name, ExprChecker(self, [ent], {}).expression(c.expr), c.expr.span))
            except CheckFailed:
                continue
        return out

    def indicator_examples(self, ind: ast.Indicator, examples: list[ast.Example], values: list,
                           target: ir.Const) -> tuple[CheckedExample, ...]:
        checked = []
        for e in examples:
            ent_name = e.entity or values[0][0]
            ent = self.entities.get(ent_name)
            if ent is None:
                self.error("E101", f"unknown entity `{ent_name}`", e.span, hint=did_you_mean(ent_name, self.entities))
                continue
            if ent_name not in [v[0] for v in values]:
                self.error("E138", f"indicator {ind.id} has no value for `{ent_name}`", e.span)
                continue
            ex = check_example(self, e, ent, INDICATOR_STATUSES, target_type=target.type)
            if ex is not None:
                checked.append(ex)
        return tuple(checked)


def _display_unit(unit: str | None, target: ir.Const) -> str:
    """The unit an indicator is shown in: as declared, else the target's unit word as written."""
    if unit is not None:
        return unit
    last = target.text.split()[-1] if target.text else ""
    if last and any(ch.isalpha() or ch in "%‰㎡" for ch in last) and not last[0].isdigit():
        return last
    return ""


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
    except CheckFailed:  # a diagnostic was recorded where no caller expected one
        raise SpecCheckError(checker.diagnostics) from None


def check_expression(expr: ast.Expr, source: Source | None = None, record: RecordT | None = None,
                     lets: dict[str, LetInfo] | None = None) -> ir.Node:
    """Check one expression against a record type (or dynamically, without a schema)."""
    checker = Checker(source)
    scope = record if record is not None else RecordT("record", dynamic=True)
    try:
        node = ExprChecker(checker, [scope], lets or {}).expression(expr)
    except CheckFailed:
        node = None
    if checker.diagnostics:
        raise SpecCheckError(checker.diagnostics)
    assert node is not None
    return node
