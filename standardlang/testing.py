"""Run the inline examples of spec files (``standardlang test``, the pytest plugin).

Takes a loaded :class:`~standardlang.program.Spec`; gives one
:class:`ExampleResult` per example with the expected and actual verdict and the
explanation of a failure.  Coverage tells which rules and branches no example
reaches.
"""

from __future__ import annotations

from typing import Any

import attrs

from . import ir, runtime as rt
from .evaluate import judge_indicator
from .verdict import Status, format_number


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

    @property
    def name(self) -> str:
        return f"{self.kind} {self.owner}: {self.title or 'example'}"

    def to_dict(self) -> dict:
        return attrs.asdict(self)


def run_examples(spec: Any) -> list[ExampleResult]:
    """Run every example of every rule and indicator of ``spec``."""
    out: list[ExampleResult] = []
    name = spec.path or spec.name
    for rule in spec.rules:
        for ex in rule.examples:
            result = spec.judge(ex.record, rule.entity, [rule])
            verdict = result.verdicts[0]
            actual = verdict.status.value
            ok = actual == ex.status
            out.append(ExampleResult(name, "rule", rule.id, ex.title, ex.status, actual, ok,
                                     "" if ok else verdict.explain(), ex.span.line if ex.span else None))
    for ind in spec.indicators:
        for ex in ind.examples:
            res = spec.indicator_value(ind.id, _linked(spec, ex.entity, ex.record), ex.entity)
            actual = res.status.value
            ok = actual == ex.status
            if ok and ex.value is not None:
                ok = res.value is not None and rt.compare("==", res.value, ex.value) is True
                if not ok:
                    actual += f" (value {res.value_text}, expected {format_number(ex.value, ind.unit)})"
            out.append(ExampleResult(name, "indicator", ind.id, ex.title, ex.status, actual, ok,
                                     "" if ok else res.explain(), ex.span.line if ex.span else None))
    return out


def _linked(spec: Any, entity: str, record: Any) -> Any:
    """An example record with its nested children linked (as an inventory would)."""
    import copy

    inv = spec.inventory(copy.deepcopy(record), entity)
    records = inv.records.get(entity) or [record]
    return records[0]


@attrs.frozen
class Coverage:
    """Which rules and branches the examples reach."""

    untested_rules: tuple[str, ...]
    untested_statuses: tuple[tuple[str, str], ...]  # (rule, status never seen)
    unreached_branches: tuple[tuple[str, str], ...]  # (rule, branch description)

    def render(self) -> str:
        lines = []
        for r in self.untested_rules:
            lines.append(f"  rule {r}: no example")
        for r, what in self.unreached_branches:
            lines.append(f"  rule {r}: {what}")
        return "\n".join(lines) if lines else "  every rule and branch is reached by an example"


def coverage(spec: Any) -> Coverage:
    """Branch coverage of the examples: alternatives, applicability, each side of and/or."""
    untested = []
    unreached = []
    missing_status = []
    interp = spec.interpreter
    for rule in spec.rules:
        if not rule.examples:
            untested.append(rule.id)
            continue
        seen_status = set()
        outcomes: dict[int, set] = {}
        labels: dict[int, str] = {}

        def visit(node: Any, scopes: list, label: str) -> None:
            if node is None:
                return
            labels.setdefault(id(node), label)
            try:
                v = interp.eval(node, scopes)
            except Exception:
                return
            outcomes.setdefault(id(node), set()).add(v)
            if isinstance(node, ir.Logic):
                visit(node.left, scopes, f"left side of `{node.text}`")
                visit(node.right, scopes, f"right side of `{node.text}`")

        for ex in rule.examples:
            result = spec.judge(ex.record, rule.entity, [rule])
            seen_status.add(result.verdicts[0].status.value)
            scopes = [ex.record]
            visit(rule.applies, scopes, "`applies when`")
            for r in rule.requires:
                visit(r, scopes, f"`{r.text}`")
            for alt in rule.alternatives:
                visit(alt.applies, scopes, f"alternative {alt.name}: applies when")
                for r in alt.requires:
                    visit(r, scopes, f"alternative {alt.name}: `{r.text}`")
        for key, label in labels.items():
            vals = outcomes.get(key, set())
            for want in (True, False):
                if want not in vals:
                    unreached.append((rule.id, f"{label} is never {str(want).lower()}"))
        if rule.applies is not None and Status.NOT_APPLICABLE.value not in seen_status:
            missing_status.append((rule.id, "not_applicable"))
        for alt in rule.alternatives:
            pass
    return Coverage(tuple(untested), tuple(missing_status), tuple(unreached))
