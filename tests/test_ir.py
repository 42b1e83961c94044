"""The IR and its one traversal: ``ir.children`` / ``ir.walk`` (and the AST's twins).

Every pass (the checker's folding, the linter, the reasoner, docgen, the engine's root
fields) and the tests walk trees through these functions, so they are checked here
against the node classes themselves: every field that can hold a node is walked.
"""

from __future__ import annotations

import os
import pathlib
import textwrap
import typing

import attrs
import pytest

from standardlang.lang import ast, ir
from standardlang.lang.parser import parse, parse_expression
from standardlang.lang.types import BOOL, NUMBER

import standardlang as sl


def _node_fields(cls: type, module) -> list[str]:
    """The fields of ``cls`` whose annotation names a node type (by the module's aliases)."""
    hints = typing.get_type_hints(cls, vars(module))
    kinds = set(module.NODE_TYPES)
    out = []
    for f in attrs.fields(cls):
        if not f.eq:
            continue
        args = {hints[f.name]}
        seen: set = set()
        while args:  # flatten unions, tuples and optionals
            a = args.pop()
            if a in seen:
                continue
            seen.add(a)
            if a in kinds:
                out.append(f.name)
                break
            args.update(typing.get_args(a))
    return out


@pytest.mark.parametrize("cls", ir.NODE_TYPES, ids=lambda c: c.__name__)
def test_ir_children_cover_every_node_field(cls):
    """A field whose annotation names an IR node is yielded by ``ir.children`` (tuples item by item)."""
    hints = typing.get_type_hints(cls, vars(ir))
    fields = _node_fields(cls, ir)
    kwargs = {}
    markers = []
    for f in attrs.fields(cls):
        if not f.init or f.kw_only:
            continue
        if f.name in fields:
            m = ir.Const(len(markers), NUMBER)
            markers.append(m)
            is_tuple = typing.get_origin(hints[f.name]) is tuple
            kwargs[f.name] = (m,) if is_tuple else m
        elif f.name == "type":
            kwargs[f.name] = BOOL
        elif f.default is not attrs.NOTHING:
            continue
        else:
            kwargs[f.name] = "x" if hints[f.name] in (str, "str") else 0
    node = cls(**kwargs)
    assert list(ir.children(node)) == markers
    assert list(ir.walk(node)) == [node, *markers]


def test_ir_node_types_are_all_walked_classes():
    assert ir.Aggregate in ir.NODE_TYPES and len(ir.NODE_TYPES) == len(set(ir.NODE_TYPES))


def test_ir_walk_of_a_checked_expression_visits_every_node_once_parents_first():
    spec = sl.loads("""
standard t "t" {}
entity C {
  a: number
  b: list { x: number }
}
goal g "g" for C {
  rule r "r" { require a >= 1 and count(b where x > 2) >= 1 }
}
""")
    node = spec.rules[0].requires[0]
    order = list(ir.walk(node))
    assert order[0] is node
    kinds = [type(n).__name__ for n in order]
    assert kinds.count("Compare") == 3 and kinds.count("Aggregate") == 1
    for i, n in enumerate(order):  # every child comes after its parent
        for c in ir.children(n):
            assert any(c is m for m in order[i + 1:])
    assert list(ir.walk(None)) == []


def test_ast_walk_reaches_record_literal_pairs_and_every_expression():
    tree = parse("""
standard t "t" {}
entity C { a: number }
goal g "g" for C {
  rule r "r" {
    require a >= 1
    example "e" { given { a: 2 } expect pass }
  }
}
""")
    nodes = list(ast.walk(tree))
    assert any(isinstance(n, ast.DataNumber) and n.text == "2" for n in nodes)
    assert any(isinstance(n, ast.Compare) for n in nodes)
    assert all(type(n) in ast.NODE_TYPES for n in nodes)


def test_ast_children_are_in_field_order():
    e = parse_expression("a + b * c")
    assert [type(c).__name__ for c in ast.children(e)] == ["Name", "Arith"]
    assert [n.name for n in ast.walk(e) if isinstance(n, ast.Name)] == ["a", "b", "c"]


# ====================================================================== golden IR

GOLDEN_IR = pathlib.Path(__file__).resolve().parent / "golden" / "ir"


def _ir_text(spec) -> str:
    out = []
    for rule in spec.rules:
        out.append(f"rule {rule.id} ({rule.strength})")
        parts = [("applies", rule.applies)] + [("require", r) for r in rule.requires]
        for alt in rule.alternatives:
            parts += [(f"alternative {alt.name} applies", alt.applies)]
            parts += [(f"alternative {alt.name} require", r) for r in alt.requires]
        for what, node in parts:
            if node is not None:
                out.append(f"  {what}:")
                out.append(textwrap.indent(ir.dump(node), "    "))
    for key, info in sorted(spec.checked.lets.items()):
        if info.ir is not None:
            out.append(f"let {key}:")
            out.append(textwrap.indent(ir.dump(info.ir), "    "))
    return "\n".join(out) + "\n"


def test_golden_ir_of_the_demo_spec():
    """Names resolved, units in base units (ha → m², h → min), constants folded, labels read."""
    spec = sl.load(pathlib.Path(__file__).resolve().parent / "demo.stdl")
    text = _ir_text(spec)
    golden = GOLDEN_IR / "demo.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(text, "utf-8")
        return
    assert text == golden.read_text("utf-8"), "the IR changed (UPDATE_GOLDEN=1 pytest tests/test_ir.py if intended)"
