"""The linter (``standardlang lint``): what a careful reviewer of a standard would find.

Takes spec text (parsed and checked, so the typed IR is at hand) and gives
:class:`~standardlang.errors.Diagnostic` findings, each with a code, a severity,
a position and a one-line reason:

====  ==========================================================================
L001  a condition that can never hold (``x >= 10 and x <= 5``), or a rule whose
      requirements can never all hold where it applies
L002  a condition that always holds (``x >= 5 or x < 5``), or an ``applies when``
      that is always true
L003  a comparison decided by the field alone: a threshold outside the declared
      ``range``, or a negative threshold for a count, area, length or ratio
L004  a branch never taken: a rule that never applies, an alternative that can
      never apply or is never what makes the rule pass, an ``if`` branch
L005  two rules with contradicting or overlapping thresholds on the same field
      under compatible applicability
L006  a definition (``let``) that no rule or indicator uses
L007  a rule or indicator without a ``cite``
L008  a rule or indicator without examples
L009  the strength does not match the cited clause: a shall-rule citing 宜, a
      should-rule citing 应 without 宜, a may-rule whose clause lacks 可
====  ==========================================================================

The reasoning is exact, on the checked IR: numbers are Fractions, each
comparison against a constant becomes an interval of its term (a field, a sum, a
count...), enum comparisons become sets of members, anything else an opaque
truth value; a condition is put into disjunctive normal form and every
conjunction intersected.  Each term is first bounded by what the schema says
(declared ranges, counts and quantities ≥ 0, counts whole).

A finding is silenced by a comment naming its code on its line or the line
before (``# lint: ignore L003``, several codes separated by commas or spaces; a
bare ``# lint: ignore`` silences every code), or among the comments attached to a
statement holding it (the comment lines just above a rule silence it in the whole rule).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any, Iterable

from standardlang.lang import ast
from standardlang.lang import ir
from standardlang.lang import units, vocabulary
from standardlang.errors import LINT_CODES, Diagnostic, Source, Span
from standardlang.tools.reasoning import Interval, Reasoner, const_number, is_empty
from standardlang.lang.types import BoolT, EnumT, ListT, Num, RecordT

CODES = LINT_CODES  # code -> (severity, meaning): the table lives with every other code in errors.py
_RANK = {"shall": 3, "should": 2, "may": 1}

# ====================================================================== the linter


class Linter:
    """Lints one checked spec with its AST and source."""

    def __init__(self, tree: ast.SpecFile, spec: Any, source: Source):
        self.tree = tree
        self.spec = spec
        self.source = source
        self.found: list[Diagnostic] = []
        self.seen: set[tuple] = set()
        self.decided: set[int] = set()  # ids of comparisons already reported by L003
        self.bad_lets: set[str] = set()

    def report(self, code: str, message: str, span: Span | None, hint: str | None = None) -> None:
        key = (code, span.line if span else None, span.column if span else None, message)
        if key in self.seen:
            return
        self.seen.add(key)
        self.found.append(Diagnostic(code, message, span, CODES[code][0], hint, self.source))

    def run(self) -> list[Diagnostic]:
        spec = self.spec
        for key, info in spec.lets.items():
            self.check_let(key, info)
        for rule in spec.rules:
            self.check_rule(rule)
        for ind in spec.indicators:
            for entity, node in ind.values:
                self.walk(node, Reasoner(spec, [spec.entities[entity]]))
        self.check_thresholds()
        self.check_unused()
        self.check_statements()
        self.found.sort(key=lambda d: (d.span.line if d.span else 0, d.span.column if d.span else 0, d.code))
        return self.found

    # ------------------------------------------------------------ conditions
    def ctx_for(self, entity: str) -> Reasoner:
        return Reasoner(self.spec, [self.spec.entities[entity]])

    def check_let(self, key: str, info: Any) -> None:
        if info.ir is None:
            return
        if key.startswith("goal:"):
            rule = next((r for r in self.spec.rules if f"goal:{r.goal_id}" == key.split(".", 1)[0]), None)
            if rule is None:
                return
            ctx = self.ctx_for(rule.entity)
        else:
            ctx = Reasoner(self.spec, [info.owner])
        before = len(self.found)
        self.condition(info.ir, ctx)
        if len(self.found) > before:
            self.bad_lets.add(key)

    def condition(self, n: Any, ctx: Reasoner, role: str = "") -> bool:
        """Check a condition top-down; True when something was reported at its top."""
        self.leaves(n, ctx)
        return self.compound(n, ctx, role)

    def leaves(self, n: Any, ctx: Reasoner) -> None:
        """L003: comparisons decided by their term's universe, anywhere below ``n``."""
        if isinstance(n, (ir.Compare, ir.Between)):
            self.leaf(n, ctx)
        if isinstance(n, ir.Aggregate):
            elem = n.coll.type.elem if isinstance(n.coll.type, ListT) else None
            sub = ctx.inner(elem if isinstance(elem, RecordT) else None)
            self.leaves(n.coll, ctx)
            for x in (n.item, n.where):
                if x is not None:
                    self.leaves(x, sub)
            return
        for c in ir.children(n):
            self.leaves(c, ctx)

    def leaf(self, n: Any, ctx: Reasoner) -> None:
        lit_true = ctx.literal(n, True)
        if lit_true is None:
            return
        never = all(any(is_empty(v) for v in c.values()) for c in lit_true)
        always = False
        if not never:
            lit_false = ctx.literal(n, False)
            always = lit_false is not None and all(any(is_empty(v) for v in c.values()) for c in lit_false)
        if not (never or always):
            return
        term = n.value if isinstance(n, ir.Between) else (n.left if const_number(n.left) is None else n.right)
        if isinstance(term.type, EnumT):
            return  # an enum comparison decided alone names a member twice: L001/L002 handle it
        why = self.universe_reason(term, ctx)
        self.decided.add(id(n))
        if never:
            self.report("L003", f"`{n.text}` can never hold: {why}", n.span,
                        "check the threshold, its unit, and the field's declared range")
        else:
            self.report("L003", f"`{n.text}` always holds: {why}", n.span,
                        "check the threshold, its unit, and the field's declared range")

    def universe_reason(self, term: Any, ctx: Reasoner) -> str:
        if isinstance(term, ir.Field):
            info = ctx.field_info(term)
            if info is not None and info.bounds is not None:
                unit = f" {info.unit}" if info.unit else ""
                return f"`{term.text or term.path}` is declared `range {info.bounds[0]} to {info.bounds[1]}`{unit}"
            t = term.type.elem if isinstance(term.type, ListT) else term.type
            if isinstance(t, Num):
                what = "a count" if t.kind == "count" else ("a ratio" if t.kind == "ratio"
                                                           else f"an {units.dimension_name(t.dim)}"
                                                           if units.dimension_name(t.dim)[0] in "aeiou"
                                                           else f"a {units.dimension_name(t.dim)}")
                return f"`{term.text or term.path}` is {what}, never negative"
        u = ctx.universe(term)
        lo = "-∞" if u.lo is None else _num(u.lo)
        hi = "∞" if u.hi is None else _num(u.hi)
        return f"`{term.text}` is always between {lo} and {hi}"

    def has_decided(self, n: Any, ctx: Reasoner, depth: int = 0) -> bool:
        if id(n) in self.decided or depth > 40:
            return True
        if isinstance(n, ir.LetRef):
            key = f"{n.entity}.{n.name}"
            if key in self.bad_lets:
                return True
            info = ctx.inlinable(n)
            return info is not None and isinstance(info.type, BoolT) and self.has_decided(info.ir, ctx, depth + 1)
        if isinstance(n, (ir.Logic, ir.Unary, ir.Cond)):
            return any(self.has_decided(c, ctx, depth + 1) for c in ir.children(n))
        return False

    def compound(self, n: Any, ctx: Reasoner, role: str = "") -> bool:
        """L001/L002/L004 on a condition and, when it is fine as a whole, its parts."""
        if isinstance(n.type, BoolT) and isinstance(n, (ir.Logic, ir.Unary, ir.Cond, ir.Member, ir.Compare,
                                                        ir.Between, ir.LetRef)) \
                and not isinstance(n, ir.LetRef) and not self.has_decided(n, ctx):
            never = ctx.sat([n]) is False
            always = not never and ctx.sat([], [n]) is False
            if never:
                if role == "applies":
                    self.report("L004", f"the rule never applies: `{n.text}` can never hold", n.span,
                                "as written the rule is always not_applicable")
                else:
                    self.report("L001", f"`{n.text}` can never hold" + self.core(n, ctx), n.span)
                return True
            if always:
                if role == "applies":
                    self.report("L002", f"`applies when {n.text}` always holds: the rule is never not_applicable",
                                n.span, "drop the clause, or state the condition the clause really means")
                else:
                    self.report("L002", f"`{n.text}` always holds (whenever its data is known)", n.span)
                return True
        self.walk(n, ctx, top=True)
        return False

    def core(self, n: Any, ctx: Reasoner) -> str:
        """Which conjuncts of an impossible `and` contradict each other (a minimal set), as text."""
        parts: list = []
        stack = [n]
        while stack:
            x = stack.pop()
            if isinstance(x, ir.Logic) and x.op == "and":
                stack.extend([x.right, x.left])
            else:
                parts.append(x)
        if len(parts) < 3:
            return ""
        keep = list(parts)
        for p in parts:
            rest = [q for q in keep if q is not p]
            if ctx.sat(rest) is False:
                keep = rest
        if len(keep) < 2 or len(keep) == len(parts):
            return ""
        return ": " + " contradicts ".join(f"`{q.text}`" for q in keep[:2]) + (" and more" if len(keep) > 2 else "")

    def walk(self, n: Any, ctx: Reasoner, top: bool = False) -> None:
        """Descend into parts: sub-conditions, `if` tests, aggregate filters."""
        if isinstance(n, ir.Cond):
            if not self.has_decided(n.test, ctx):
                if ctx.sat([n.test]) is False:
                    self.report("L004", f"the `then` branch is never taken: `{n.test.text}` can never hold", n.test.span)
                elif ctx.sat([], [n.test]) is False:
                    self.report("L004", f"the `else` branch is never taken: `{n.test.text}` always holds", n.test.span)
            for c in (n.then, n.else_):
                self.sub(c, ctx)
            return
        if isinstance(n, ir.Aggregate):
            self.sub(n.coll, ctx)
            elem = n.coll.type.elem if isinstance(n.coll.type, ListT) else None
            inner = ctx.inner(elem if isinstance(elem, RecordT) else None)
            for x in (n.where, n.item):
                if x is not None:
                    self.sub(x, inner)
            return
        for c in ir.children(n):
            self.sub(c, ctx)

    def sub(self, n: Any, ctx: Reasoner) -> None:
        if isinstance(n.type, BoolT) and isinstance(n, (ir.Logic, ir.Unary, ir.Cond)):
            self.compound(n, ctx)
        else:
            self.walk(n, ctx)

    # ------------------------------------------------------------ rules
    def check_rule(self, rule: Any) -> None:
        ctx = self.ctx_for(rule.entity)
        bad = False
        if rule.applies is not None:
            bad |= self.condition(rule.applies, ctx, "applies")
        for r in rule.requires:
            bad |= self.condition(r, ctx)
        alts_bad = {}
        for alt in rule.alternatives:
            ab = False
            if alt.applies is not None:
                ab |= self.condition(alt.applies, ctx)
            for r in alt.requires:
                ab |= self.condition(r, ctx)
            alts_bad[alt.name] = ab
        parts = [rule.applies, *rule.requires]
        if bad or any(self.has_decided(p, ctx) for p in parts if p is not None):
            return
        if len(parts) > 1 and rule.requires and ctx.sat(parts) is False:
            if rule.applies is None or ctx.sat(rule.requires) is False:
                why = "its requirements contradict each other"
            else:
                why = f"its requirements contradict `applies when {rule.applies.text}`"
            where = " where it applies" if rule.applies is not None else ""
            self.report("L001", f"rule {rule.id} can never pass{where}: {why}", rule.requires[-1].span)
            return
        for alt in rule.alternatives:
            if alts_bad[alt.name] or any(self.has_decided(p, ctx) for p in (alt.applies, *alt.requires) if p is not None):
                continue
            span = alt.applies.span if alt.applies is not None else alt.span
            if alt.applies is not None and ctx.sat([rule.applies, alt.applies]) is False:
                self.report("L004", f"alternative {alt.name} can never apply: `{alt.applies.text}` contradicts "
                            f"the rule's `applies when {rule.applies.text}`", span)
                continue
            if ctx.sat([rule.applies, alt.applies, *alt.requires]) is False:
                self.report("L001", f"alternative {alt.name} can never hold where it applies", alt.requires[-1].span
                            if alt.requires else span)
                continue
            if ctx.sat([rule.applies, alt.applies, *alt.requires], rule.requires) is False:
                self.report("L004", f"alternative {alt.name} is never taken: whenever it holds, the rule's own "
                            "requirements hold too", span)

    # ------------------------------------------------------------ thresholds across rules
    def thresholds(self, rule: Any, ctx: Reasoner) -> dict:
        out: dict = {}
        stack = list(rule.requires)
        while stack:
            n = stack.pop()
            if isinstance(n, ir.Logic) and n.op == "and":
                stack.extend([n.right, n.left])
                continue
            info = ctx.inlinable(n)
            if info is not None and isinstance(info.type, BoolT):
                stack.append(info.ir)
                continue
            if id(n) in self.decided:
                continue
            lit = ctx.literal(n, True) if isinstance(n, (ir.Compare, ir.Between)) else None
            if lit is None or len(lit) != 1:
                continue
            for term, dom in lit[0].items():
                if isinstance(dom, Interval):
                    prev = out.get(term)
                    out[term] = (dom if prev is None else prev[0].meet(dom), prev[1] if prev else n)
        return out

    def check_thresholds(self) -> None:
        rules = [r for r in self.spec.rules if r.strength != "may" and not r.alternatives]
        info = {}
        for r in rules:
            ctx = self.ctx_for(r.entity)
            info[r.id] = (ctx, self.thresholds(r, ctx))
        for i, a in enumerate(rules):
            ctx, ta = info[a.id]
            for b in rules[i + 1:]:
                if b.entity != a.entity:
                    continue
                tb = info[b.id][1]
                common = [t for t in ta if t in tb]
                if not common:
                    continue
                if ctx.sat([a.applies, b.applies]) is False:
                    continue
                for t in common:
                    ia, na = ta[t]
                    ib, nb = tb[t]
                    if ia.empty() or ib.empty():
                        continue  # one rule contradicts itself: L001 says so
                    line_a = a.span.line if a.span else "?"
                    if ia.meet(ib).empty():
                        self.report("L005", f"rule {b.id} requires `{nb.text}` but rule {a.id} (line {line_a}) "
                                    f"requires `{na.text}`: no record both apply to can meet both", nb.span)
                    elif ia.within(ib) and _implies(ctx, b.applies, a.applies) and _RANK[a.strength] >= _RANK[b.strength]:
                        self.report("L005", f"rule {b.id}'s `{nb.text}` is implied by rule {a.id}'s `{na.text}` "
                                    f"(line {line_a}) wherever {b.id} applies", nb.span,
                                    "one of the two thresholds is redundant, or one rule's applicability is missing")
                    elif ib.within(ia) and _implies(ctx, a.applies, b.applies) and _RANK[b.strength] >= _RANK[a.strength]:
                        line_b = b.span.line if b.span else "?"
                        self.report("L005", f"rule {a.id}'s `{na.text}` is implied by rule {b.id}'s `{nb.text}` "
                                    f"(line {line_b}) wherever {a.id} applies", na.span,
                                    "one of the two thresholds is redundant, or one rule's applicability is missing")

    # ------------------------------------------------------------ definitions
    def check_unused(self) -> None:
        used: set[str] = set()
        stack: list = []
        for r in self.spec.rules:
            stack.extend(x for x in (r.applies, *r.requires) if x is not None)
            for alt in r.alternatives:
                stack.extend(x for x in (alt.applies, *alt.requires) if x is not None)
        for ind in self.spec.indicators:
            stack.extend(node for _, node in ind.values)
        while stack:
            n = stack.pop()
            if isinstance(n, ir.LetRef):
                key = f"{n.entity}.{n.name}"
                if key not in used:
                    used.add(key)
                    target = self.spec.lets.get(key)
                    if target is not None and target.ir is not None:
                        stack.append(target.ir)
            stack.extend(ir.children(n))
        for key, info in self.spec.lets.items():
            if key not in used:
                self.report("L006", f"definition `{info.name}` is never used by a rule or indicator",
                            info.span, "remove it, or use it")

    # ------------------------------------------------------------ statements: cites, examples, strength
    def check_statements(self) -> None:
        rules = {r.id: r for r in self.spec.rules}
        for d in self.tree.decls:
            if isinstance(d, ast.Goal):
                for item in d.items:
                    for node in item.rules if isinstance(item, ast.Item) else (item,):
                        if isinstance(node, ast.Rule):
                            self.check_rule_clauses(node, rules.get(node.id))
            elif isinstance(d, ast.Indicator):
                cites = [c for c in d.clauses if isinstance(c, ast.Cite)]
                if not cites:
                    self.report("L007", f"indicator {d.id} has no `cite`", d.span,
                                'quote the clause it implements: cite "..."')
                if not any(isinstance(c, ast.Example) for c in d.clauses):
                    self.report("L008", f"indicator {d.id} has no example", d.span,
                                "add example { for ENTITY given { ... } expect pass value ... }")

    def check_rule_clauses(self, node: ast.Rule, rule: Any) -> None:
        cites = [c for c in node.clauses if isinstance(c, ast.Cite)]
        if not cites:
            self.report("L007", f"rule {node.id} has no `cite`", node.span, 'quote the clause it implements: cite "..."')
        if not any(isinstance(c, ast.Example) for c in node.clauses):
            self.report("L008", f"rule {node.id} has no example", node.span,
                        'add example "..." { given { ... } expect pass }')
        if rule is None or not cites:
            return
        if any(w in text for text in rule.readings for w in _READING_WORDS[rule.strength]):
            return  # the reading says why the rule has this strength
        anchors = _anchors(rule)
        verdicts = [(c, strength_verdict(c.text, rule.strength, anchors)) for c in cites]
        if any(v == "supports" for _, v in verdicts):
            return
        for c, v in verdicts:
            if v.startswith("contradicts"):
                word = v.split(":", 1)[1]
                want = vocabulary.STRENGTH_ZH[rule.strength]
                if rule.strength == "may":
                    msg = f"rule {node.id} is a permission (可) but its cited clause has no 可"
                else:
                    msg = f"rule {node.id} is `{rule.strength}` ({want}) but its cited clause says {word}"
                self.report("L009", msg, c.span, "check the strength word nearest the clause's threshold")
                return


def _implies(ctx: Reasoner, a: Any, b: Any) -> bool:
    """Whether applicability ``a`` implies ``b`` (None is always)."""
    if b is None:
        return True
    return ctx.sat([a], [b]) is False


def _num(v: Fraction) -> str:
    from standardlang.engine.verdict import format_number

    return format_number(v)


# ====================================================================== strength words in cited clauses

_SHALL = ("应当", "应该", "必须", "不得", "严禁", "禁止", "不应", "不可", "须", "应")
_SHOULD = ("不宜", "宜")
_ENCOURAGE = ("鼓励", "提倡", "尽量", "力争")  # support a should-rule, never contradict a shall-rule
_MAY = ("可以", "可")
# compounds in which the character is not a modal verb
_NOT_MODAL = {
    "应": (("相", "对", "供", "适", "反", "响", "回", "效", "感", "呼", "答", "报"),
          ("急", "用", "对", "届", "聘", "征", "酬", "变", "付", "试", "收", "允", "邀", "激")),
    "宜": (("适", "制", "事", "便", "相", "权", "合"), ("居", "人", "昌")),
    "可": (("许", "认", "宁", "即", "方", "尽", "不"),
          ("靠", "能", "行", "持", "视", "达", "控", "见", "是", "爱", "观", "比", "再", "回", "及", "燃", "信",
           "操", "塑", "谓", "知", "怕", "惜", "笑", "口", "乐", "贵", "溶", "调")),
    "须": (("必", "胡", "无"), ("知", "发")),
}
# words in a rule's `reading` that state the author considered the strength
_READING_WORDS = {"shall": ("要求",), "should": ("建议",), "may": ("许可",)}


def modal_words(text: str) -> list[tuple[int, str, str]]:
    """(position, word, strength) of each modal verb in a Chinese clause, compounds excluded."""
    out = []
    i = 0
    words = ([(w, "shall") for w in _SHALL] + [(w, "should") for w in _SHOULD]
             + [(w, "encourage") for w in _ENCOURAGE] + [(w, "may") for w in _MAY])
    words.sort(key=lambda x: -len(x[0]))
    while i < len(text):
        for w, s in words:
            if text.startswith(w, i):
                if len(w) == 1 and w in _NOT_MODAL:
                    before, after = _NOT_MODAL[w]
                    prev = text[i - 1] if i else ""
                    nxt = text[i + 1] if i + 1 < len(text) else ""
                    if prev in before or nxt in after:
                        break
                out.append((i, w, s))
                i += len(w) - 1
                break
        i += 1
    return out


def _anchors(rule: Any) -> list[str]:
    """The numbers of a rule's thresholds as written (``2200`` of ``2200 平方米``)."""
    out = []
    stack = list(rule.requires)
    while stack:
        n = stack.pop()
        if isinstance(n, ir.Const) and n.text:
            m = re.match(r"-?[0-9]+(?:\.[0-9]+)?", n.text)
            if m:
                out.append(m.group(0))
        stack.extend(ir.children(n))
    return out


def strength_verdict(cite: str, strength: str, anchors: Iterable[str] = ()) -> str:
    """``supports``, ``neutral`` or ``contradicts:WORD`` — the strength a cited clause states."""
    modals = modal_words(cite)
    if strength == "may":
        if any(s == "may" for _, _, s in modals):
            return "supports"
        return "contradicts:"
    if not modals:
        return "neutral"
    positions = []
    for a in anchors:
        for m in re.finditer(r"(?<![0-9.])" + re.escape(a) + r"(?![0-9])", cite):
            positions.append(m.start())
    relevant = modals
    if positions:
        best = min(min(abs(p - pos) for p in positions) for pos, _, _ in modals)
        relevant = [m for m in modals if min(abs(p - m[0]) for p in positions) == best]
    kinds = {s for _, _, s in relevant}
    if strength in kinds or (strength == "should" and "encourage" in kinds):
        return "supports"
    if strength == "shall" and "should" in kinds:
        return "contradicts:" + next(w for _, w, s in relevant if s == "should")
    if strength == "should" and "shall" in kinds and not any(s == "should" for _, _, s in modals):
        return "contradicts:" + next(w for _, w, s in relevant if s == "shall")
    return "neutral"


# ====================================================================== suppression and entry points

_IGNORE = re.compile(r"#\s*lint\s*:\s*ignore\b(.*)$", re.I)


def _ignored_codes(comment: str) -> set[str] | None:
    """Codes a comment silences: a set, the empty set for all, None when it is no directive."""
    m = _IGNORE.search(comment)
    if not m:
        return None
    return set(re.findall(r"L\d{3}", m.group(1).upper()))


def _statement_comments(tree: ast.SpecFile) -> list[tuple[Span, tuple[str, ...]]]:
    out = []
    for node in ast.walk(tree):
        span = getattr(node, "span", None)
        comments = getattr(node, "comments", ())
        if span is not None and comments:
            out.append((span, comments))
    return out


def suppressed(d: Diagnostic, lines: list[str], statements: list[tuple[Span, tuple[str, ...]]]) -> bool:
    if d.span is None:
        return False
    candidates = []
    for ln in (d.span.line, d.span.line - 1):
        if 1 <= ln <= len(lines) and "#" in lines[ln - 1]:
            candidates.append(lines[ln - 1][lines[ln - 1].index("#"):])
    for span, comments in statements:  # every statement holding the finding
        if (span.line, span.column) <= (d.span.line, d.span.column) <= (span.end_line, span.end_column):
            candidates.extend(comments)
    for c in candidates:
        codes = _ignored_codes(c)
        if codes is not None and (not codes or d.code in codes):
            return True
    return False


def lint_source(text: str, name: str = "<spec>", ignore: Iterable[str] = ()) -> list[Diagnostic]:
    """Lint spec text; raises StandardLangError when it does not parse or check."""
    from standardlang.lang.checker import check
    from standardlang.lang.parser import parse

    source = Source(name, text)
    tree = parse(text, name)
    spec = check(tree, source)
    found = Linter(tree, spec, source).run()
    lines = text.splitlines()
    statements = _statement_comments(tree)
    skip = set(ignore)
    return [d for d in found if d.code not in skip and not suppressed(d, lines, statements)]


def lint_file(path: str, ignore: Iterable[str] = ()) -> list[Diagnostic]:
    """Lint a spec file (see :func:`lint_source`)."""
    from standardlang.errors import StandardLangError

    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise StandardLangError([Diagnostic("F001", f"cannot read spec file: {getattr(exc, 'strerror', None) or exc}",
                                            None, source=Source(path, ""))]) from None
    return lint_source(text, path, ignore)
