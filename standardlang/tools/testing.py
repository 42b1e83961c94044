"""Run the inline examples of spec files (``standardlang test``, the pytest plugin).

Takes a loaded :class:`~standardlang.engine.program.Spec`; gives one
:class:`ExampleResult` per example with the expected and actual verdict and the
explanation of a failure.  :func:`iter_examples` lists the examples without
running them (the pytest plugin makes one item of each) and :func:`run_example`
runs one.  :func:`coverage` tells which rules, verdicts and branches no example
reaches: rules without examples, ``applies when`` never false (no
``not_applicable`` example), alternatives never taken, and each side of an
``and``/``or`` never true or never false.
"""

from __future__ import annotations

from typing import Any, Iterator

import attrs

from standardlang.lang import ir
from standardlang.backends.python import runtime as rt
from standardlang.backends.python.runtime import BadValue
from standardlang.engine.verdict import Status, format_number


@attrs.frozen
class ExampleResult:
    spec: str
    kind: str  # rule | indicator
    owner: str  # rule or indicator id
    title: str | None
    expected: str
    actual: str
    ok: bool
    explanation: str = ""
    line: int | None = None
    index: int = 1  # 1-based position among its owner's examples

    @property
    def name(self) -> str:
        return f"{self.kind} {self.owner}: {self.title or f'example {self.index}'}"

    def to_dict(self) -> dict:
        d = attrs.asdict(self)
        d["name"] = self.name
        return d


@attrs.frozen
class ExampleRef:
    """One example, not yet run: its owner (a rule or an indicator) and position."""

    kind: str  # rule | indicator
    owner: Any  # CheckedRule | CheckedIndicator
    example: Any  # CheckedExample
    index: int  # 1-based among the owner's examples

    @property
    def name(self) -> str:
        return f"{self.kind} {self.owner.id}: {self.example.title or f'example {self.index}'}"

    @property
    def line(self) -> int | None:
        span = self.example.span
        return span.line if span is not None else None


def iter_examples(spec: Any) -> Iterator[ExampleRef]:
    """Every example of every rule, then of every indicator, in source order per owner."""
    for rule in spec.rules:
        for i, ex in enumerate(rule.examples, 1):
            yield ExampleRef("rule", rule, ex, i)
    for ind in spec.indicators:
        for i, ex in enumerate(ind.examples, 1):
            yield ExampleRef("indicator", ind, ex, i)


def run_example(spec: Any, ref: ExampleRef) -> ExampleResult:
    """Run one example: the verdict (or indicator value) against what it expects."""
    name = spec.path or spec.name
    ex = ref.example
    line = ref.line
    if ref.kind == "rule":
        rule = ref.owner
        verdict = spec.judge(ex.record, rule.entity, [rule]).verdicts[0]
        actual = verdict.status.value
        ok = actual == ex.status
        return ExampleResult(name, "rule", rule.id, ex.title, ex.status, actual, ok,
                             "" if ok else verdict.explain(), line, ref.index)
    ind = ref.owner
    res = spec.indicator_value(ind.id, _linked(spec, ex.entity, ex.record), ex.entity)
    actual = res.status.value
    ok = actual == ex.status
    if ok and ex.value is not None:
        ok = res.value is not None and rt.compare("==", res.value, ex.value) is True
        if not ok:
            actual += f" (value {res.value_text}, expected {format_number(ex.value, ind.unit)})"
    return ExampleResult(name, "indicator", ind.id, ex.title, ex.status, actual, ok,
                         "" if ok else res.explain(), line, ref.index)


def run_examples(spec: Any) -> list[ExampleResult]:
    """Run every example of every rule and indicator of ``spec``."""
    return [run_example(spec, ref) for ref in iter_examples(spec)]


def _linked(spec: Any, entity: str, record: Any) -> Any:
    """An example record with its nested children linked (as an inventory would)."""
    import copy

    inv = spec.inventory(copy.deepcopy(record), entity)
    records = inv.records.get(entity) or [record]
    return records[0]


@attrs.frozen
class Coverage:
    """Which rules, verdicts and branches the examples reach."""

    untested_rules: tuple[str, ...]
    untested_statuses: tuple[tuple[str, str], ...]  # (rule, status never seen)
    unreached_branches: tuple[tuple[str, str], ...]  # (rule, branch description)
    untaken_alternatives: tuple[tuple[str, str], ...] = ()  # (rule, alternative name)
    untested_indicators: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not (self.untested_rules or self.untested_statuses or self.unreached_branches
                    or self.untaken_alternatives or self.untested_indicators)

    def render(self) -> str:
        lines = []
        for r in self.untested_rules:
            lines.append(f"  rule {r}: no example")
        for r, status in self.untested_statuses:
            if status == Status.NOT_APPLICABLE.value:
                lines.append(f"  rule {r}: no example where it does not apply (`applies when` false)")
            else:
                lines.append(f"  rule {r}: no example with verdict {status}")
        for r, alt in self.untaken_alternatives:
            lines.append(f"  rule {r}: alternative {alt} is never what makes an example pass")
        for r, what in self.unreached_branches:
            lines.append(f"  rule {r}: {what}")
        for i in self.untested_indicators:
            lines.append(f"  indicator {i}: no example")
        return "\n".join(lines) if lines else "  every rule and branch is reached by an example"

    def to_dict(self) -> dict:
        return {"untested_rules": list(self.untested_rules),
                "untested_statuses": [list(x) for x in self.untested_statuses],
                "untaken_alternatives": [list(x) for x in self.untaken_alternatives],
                "unreached_branches": [list(x) for x in self.unreached_branches],
                "untested_indicators": list(self.untested_indicators)}


def _holds(interp: Any, node: ir.Node | None, scopes: list) -> Any:
    if node is None:
        return True
    try:
        return interp.eval(node, scopes)
    except BadValue:  # an example with data of the wrong shape holds nothing; a bug propagates
        return None


def coverage(spec: Any) -> Coverage:
    """Branch coverage of the examples: alternatives, applicability, each side of and/or."""
    untested: list[str] = []
    unreached: list[tuple[str, str]] = []
    missing_status: list[tuple[str, str]] = []
    untaken: list[tuple[str, str]] = []
    interp = spec.interpreter
    for rule in spec.rules:
        if not rule.examples:
            untested.append(rule.id)
            continue
        seen_status: set[str] = set()
        outcomes: dict[int, set] = {}
        labels: dict[int, str] = {}
        order: list[int] = []
        taken: set[str] = set()

        def visit(node: Any, scopes: list, label: str) -> None:
            if node is None:
                return
            if id(node) not in labels:
                labels[id(node)] = label
                order.append(id(node))
            try:
                v = interp.eval(node, scopes)
            except BadValue:
                return
            outcomes.setdefault(id(node), set()).add(v)
            if isinstance(node, ir.Logic):
                visit(node.left, scopes, f"left side of `{node.text}`")
                visit(node.right, scopes, f"right side of `{node.text}`")

        for ex in rule.examples:
            result = spec.judge(ex.record, rule.entity, [rule])
            status = result.verdicts[0].status.value
            seen_status.add(status)
            scopes = [ex.record]
            visit(rule.applies, scopes, "`applies when`")
            for r in rule.requires:
                visit(r, scopes, f"`{r.text}`")
            main_holds = all(_holds(interp, r, scopes) is True for r in rule.requires)
            for alt in rule.alternatives:
                visit(alt.applies, scopes, f"alternative {alt.name}: applies when")
                for r in alt.requires:
                    visit(r, scopes, f"alternative {alt.name}: `{r.text}`")
                if (status == Status.PASS.value and not main_holds
                        and _holds(interp, alt.applies, scopes) is True
                        and all(_holds(interp, r, scopes) is True for r in alt.requires)):
                    taken.add(alt.name)
        for key in order:
            vals = outcomes.get(key, set())
            for want in (True, False):
                if want not in vals:
                    unreached.append((rule.id, f"{labels[key]} is never {str(want).lower()}"))
        if (rule.applies is not None or rule.adoption is not None) and Status.NOT_APPLICABLE.value not in seen_status:
            missing_status.append((rule.id, Status.NOT_APPLICABLE.value))  # a permission: also "not taken up"
        # a permission (可) with no condition attached is taken up or not, never failed
        for status in (Status.PASS.value,) + ((Status.FAIL.value,) if rule.adoption != () else ()):
            if status not in seen_status:
                missing_status.append((rule.id, status))
        for alt in rule.alternatives:
            if alt.name not in taken:
                untaken.append((rule.id, alt.name))
    untested_ind = tuple(ind.id for ind in spec.indicators if not ind.examples)
    return Coverage(tuple(untested), tuple(missing_status), tuple(unreached), tuple(untaken), untested_ind)
