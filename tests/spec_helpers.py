"""Helpers shared by the spec tests: questions about a checked rule's IR."""

from __future__ import annotations

from typing import Any

from standardlang.lang import ir
from standardlang.lang.types import ListT, RecordT


def can_be_unknown(spec: Any, rule: Any) -> bool:
    """Whether missing data (a required field, a division, an aggregate of nothing) can decide ``rule``."""
    roots = [rule.applies, *rule.requires]
    for alt in rule.alternatives:
        roots += [alt.applies, *alt.requires]
    stack = [n for n in roots if n is not None]
    seen: set[str] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Present):
            continue  # present() is never unknown
        if isinstance(node, ir.Field) and not (node.optional and isinstance(node.type, (RecordT, ListT))):
            return True
        if isinstance(node, ir.Binary) and node.op == "/":
            return True
        if isinstance(node, ir.Aggregate) and node.func in ("avg", "min", "max", "share"):
            return True
        if isinstance(node, ir.LetRef):
            key = f"{node.entity}.{node.name}"
            if key not in seen and key in spec.checked.lets:
                seen.add(key)
                stack.append(spec.checked.lets[key].ir)
        stack.extend(ir.children(node))
    return False
