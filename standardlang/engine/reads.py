"""Which record paths a rule or value reads, and whether a bad value there matters.

Takes checked IR (rules, indicator values, definitions); gives the dotted field paths it
reads (``kindergarten.classes``, ``communities.kind`` inside an aggregate over
``communities``) and those it reads as a whole value.  The engine uses them so that a
bad value makes an ``error`` only of the rules and indicators that read it, and so that
compiled code never meets a value validation refused.
"""

from __future__ import annotations

import re
from typing import Any

from standardlang.lang import ir
from standardlang.lang.model import CheckedRule


def path_of(path: str) -> str:
    """A validation problem's path without list indexes: ``stores[1].area`` -> ``stores.area``."""
    return re.sub(r"\[\d+\]", "", path)


def rule_nodes(rule: CheckedRule) -> list[Any]:
    nodes: list[Any] = [rule.applies, *rule.requires]
    for alt in rule.alternatives:
        nodes.extend([alt.applies, *alt.requires])
    return [n for n in nodes if n is not None]


def read_paths(nodes: list[Any], lets: dict) -> tuple[frozenset[str], frozenset[str]]:
    """(every field path IR ``nodes`` read, the paths they read as a whole value), through definitions too.

    ``kindergarten.classes`` reads ``kindergarten`` only to reach ``classes`` and
    ``present(kindergarten)`` only to see that it is there: such paths are read but not
    *as a whole*, so a bad ``kindergarten.land_area`` leaves them alone.  A path is
    dotted field names from the record (list elements without their index); inside an
    aggregate over a path (``count(communities where kind == new)``) the element's fields
    extend it (``communities.kind``), so a bad field the aggregate does not read leaves it alone.
    """
    read: set[str] = set()
    whole: set[str] = set()
    seen: set[tuple] = set()
    # (node, structural, scopes): scopes[-1 - depth] is the path of the record at that depth
    # ("" for the judged record, None for the elements of a list that is not a path)
    stack: list[tuple[Any, bool, tuple]] = [(n, False, ("",)) for n in nodes]
    while stack:
        n, structural, scopes = stack.pop()
        if isinstance(n, ir.Field):
            path = node_path(n, scopes, lets)
            if path is not None:
                read.add(path)
                if not structural:
                    whole.add(path)
            if n.obj is not None:
                stack.append((n.obj, True, scopes))
            continue
        if isinstance(n, ir.Present):
            stack.append((n.target, True, scopes))
            continue
        if isinstance(n, ir.LetRef) and n.obj is None:
            scope = scopes[0] if n.entity.startswith("goal:") else scopes[-1 - n.depth]
            key = (f"{n.entity}.{n.name}", scope)
            if key not in seen and key[0] in lets:
                seen.add(key)
                stack.append((lets[key[0]].ir, structural, (scope,)))
            continue
        if isinstance(n, ir.Aggregate):
            coll = node_path(n.coll, scopes, lets)
            # over a path: the list is read to go through it, each element's fields are read below it
            stack.append((n.coll, coll is not None, scopes))
            stack.extend((c, False, scopes + (coll,)) for c in (n.item, n.where) if c is not None)
            continue
        stack.extend((c, False, scopes) for c in ir.children(n))
    return frozenset(read), frozenset(whole)


def node_path(n: Any, scopes: tuple, lets: dict) -> str | None:
    """The dotted record path a Field chain (or a definition that is one) reads, if it is one."""
    if isinstance(n, ir.LetRef) and n.obj is None and f"{n.entity}.{n.name}" in lets:
        scope = scopes[0] if n.entity.startswith("goal:") else scopes[-1 - n.depth]
        return node_path(lets[f"{n.entity}.{n.name}"].ir, (scope,), lets)
    names, x = [], n
    while isinstance(x, ir.Field):
        names.append(x.name)
        if x.obj is None:
            break
        x = x.obj
    if isinstance(x, ir.LetRef) and x.obj is None:  # a field of a definition that is a path (communities.households)
        base = node_path(x, scopes, lets)
        return None if base is None else ".".join(([base] if base else []) + names[::-1])
    if not (isinstance(x, ir.Field) and x.obj is None) or x.depth >= len(scopes):
        return None
    prefix = scopes[-1 - x.depth]
    if prefix is None:
        return None
    return ".".join(([prefix] if prefix else []) + names[::-1])


def reads_bad(paths: tuple[frozenset[str], frozenset[str]], bad: str) -> bool:
    """Whether a rule reading ``paths`` (see :func:`_read_paths`) depends on the bad value at path ``bad``."""
    read, whole = paths
    if bad in read:
        return True
    if any(p.startswith(bad + ".") for p in read):  # what it reads lies inside the bad value
        return True
    return any(bad.startswith(p + ".") for p in whole)  # it reads a value that holds the bad one
