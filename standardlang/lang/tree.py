"""One way to walk a tree of frozen attrs nodes, shared by the AST and the IR.

Takes a node and the tuple of classes that count as nodes; gives the nodes directly
below it (:func:`children`), all of them, depth first (:func:`walk`), or a copy with
its children transformed (:func:`map_children`, for passes that rewrite a tree).  The children
are found from the attrs fields themselves, in declaration order, like Jinja's
``Node.iter_child_nodes``: a value is a child when it is a node, or a node inside a
tuple (nested tuples too, such as a record literal's ``(key, value)`` pairs).  Fields
that take no part in equality (the span, the source text) are layout, never walked;
types, enums and strings are not nodes, so they are skipped without a list of names.
A field added to a node class is therefore walked by every pass, or by none.

:func:`standardlang.lang.ir.children` / :func:`standardlang.lang.ir.walk` and
:func:`standardlang.lang.ast.children` / :func:`standardlang.lang.ast.walk` are these
functions bound to each tree's node classes; use those.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import attrs

_FIELDS: dict[type, tuple[str, ...]] = {}


def _walked_fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in attrs.fields(cls) if f.eq)
    return names


def children(node: Any, kinds: tuple[type, ...]) -> Iterator[Any]:
    """The nodes (instances of ``kinds``) directly below ``node``, in field order."""
    if not attrs.has(type(node)):
        return
    for name in _walked_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, kinds):
            yield value
        elif isinstance(value, tuple):
            yield from _in_tuple(value, kinds)


def _in_tuple(values: tuple, kinds: tuple[type, ...]) -> Iterator[Any]:
    for v in values:
        if isinstance(v, kinds):
            yield v
        elif isinstance(v, tuple):
            yield from _in_tuple(v, kinds)


def walk(node: Any, kinds: tuple[type, ...]) -> Iterator[Any]:
    """``node`` (if not None) and every node below it, depth first, parents before children."""
    if node is None:
        return
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(list(children(n, kinds))))


def map_children(node: Any, kinds: tuple[type, ...], fn: Callable[[Any], Any]) -> Any:
    """``node`` with every child ``c`` replaced by ``fn(c)`` (the same object when nothing changed)."""
    changes = {}
    for name in _walked_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, kinds):
            new = fn(value)
        elif isinstance(value, tuple):
            new = _map_tuple(value, kinds, fn)
        else:
            continue
        if new is not value:
            changes[name] = new
    return attrs.evolve(node, **changes) if changes else node


def _map_tuple(values: tuple, kinds: tuple[type, ...], fn: Callable[[Any], Any]) -> tuple:
    out = tuple(fn(v) if isinstance(v, kinds) else _map_tuple(v, kinds, fn) if isinstance(v, tuple) else v
                for v in values)
    return values if all(a is b for a, b in zip(out, values)) else out


def dump(node: Any, kinds: tuple[type, ...], indent: str = "") -> str:
    """A readable, stable text of a tree, one node per line (like :func:`ast.dump` with indent).

    Fields that hold no node are shown inline (types by their ``describe()``); fields left
    at an empty value (None, False, "", ()) are left out; layout fields never appear.  The
    golden parse-tree and IR fixtures (``tests/golden/parse``, ``tests/golden/ir``) use it.
    """
    inline, nested = [], []
    for name in _walked_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, kinds) or (isinstance(value, tuple) and any(True for _ in _in_tuple(value, kinds))):
            nested.append((name, value))
        elif value not in (None, False, "", ()):
            inline.append(f"{name}={_inline(value)}")
    lines = [f"{indent}{type(node).__name__}({', '.join(inline)})"]
    for name, value in nested:
        lines.append(f"{indent}  {name}:")
        items = (value,) if isinstance(value, kinds) else value
        for item in items:
            if isinstance(item, kinds):
                lines.append(dump(item, kinds, indent + "    "))
            else:  # a (key, node) pair of a record literal
                key, sub = item
                lines.append(f"{indent}    {key!r} =")
                lines.append(dump(sub, kinds, indent + "      "))
    return "\n".join(lines)


def _inline(value: Any) -> str:
    describe = getattr(value, "describe", None)
    if callable(describe):
        return describe()
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(map(repr, value))) + "}"
    return repr(value)
