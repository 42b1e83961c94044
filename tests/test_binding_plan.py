"""Binding a JSON record to a spec's schema with key plans made once (``binding._key_plan``)
gives what binding each key afresh gave (the reference below is the code it replaced).

Every record of the example city and of a generated inventory, for each shipped spec,
and records written to meet every branch: labels for keys, unknown keys, a facility
written false / "无" / 0 / true, a JSON text in a cell, numbers as text with units,
a list of entity records written false, lists of nested records.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from fractions import Fraction
from pathlib import Path

import pytest

import standardlang as sl
from standardlang.data import binding
from standardlang.data.cells import ABSENT, convert_cell
from standardlang.data.readers import _lookup, field_index
from standardlang.lang.types import ListT, Num, RecordT

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.stdl"))


def reference_tree(raw, rtype):
    """``_Binder.tree`` as it was: every key looked up and every type tested, record by record."""
    if not isinstance(raw, dict):
        return raw
    index = field_index(rtype)
    out = {}
    for k, v in raw.items():
        fname = _lookup(index, k) if isinstance(k, str) else None
        if fname is None:
            out.setdefault(k, v)
            continue
        info = rtype.fields[fname]
        t = info.type
        if isinstance(t, (RecordT, ListT)) and isinstance(v, (bool, str, int)) \
                and not (isinstance(v, str) and v.strip()[:1] in "{["):
            v = v if (c := convert_cell(v, t)) is ABSENT else c
        if isinstance(t, RecordT) and not t.entity:
            v = reference_tree(v, t)
        elif isinstance(t, ListT) and isinstance(t.elem, RecordT) and not t.elem.entity and isinstance(v, list):
            v = [reference_tree(x, t.elem) for x in v]
        elif isinstance(t, Num) and isinstance(v, str) and v.strip():
            n = convert_cell(v, t, info.unit)
            v = n if isinstance(n, (int, float, Fraction)) and not isinstance(n, bool) else v
        out[fname] = v
    return out


def _generated() -> dict:
    spec = importlib.util.spec_from_file_location("wuhai_generate_binding", ROOT / "examples" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module.inventory(60, seed=3)


def _odd(rtype: RecordT) -> list[dict]:
    """Records that take every branch: each field given by its label, as false, "无", 0, true,
    JSON text, a number with a unit, a list, plus keys of no field."""
    out = []
    for value in (False, "无", 0, True, "{\"a\": 1}", "[1]", " 3,500平方米 ", "", "  ", [{"x": 1}, "无", None],
                  {"k": "2"}, None, 12, "abc"):
        rec = {"no_such_field": value, 7: "a key that is no text"}
        for fname, info in rtype.fields.items():
            rec[info.label or fname] = value  # by label where it has one
            rec[fname] = copy.deepcopy(value)  # and by name: the later wins, as it always did
        out.append(rec)
    return out


DATA = {"example": json.loads((ROOT / "examples" / "wuhai" / "inventory.json").read_text("utf-8")),
        "generated": _generated()}


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_planned_binding_equals_the_reference(path):
    spec = sl.load(path)
    b = binding._Binder(spec, None)
    checked = 0
    for name, rtype in spec.entities.items():
        records = [r for d in DATA.values() for rs in d.values() if isinstance(rs, list) for r in rs] + _odd(rtype)
        for raw in records:
            got = b.tree(copy.deepcopy(raw), rtype)
            want = reference_tree(copy.deepcopy(raw), rtype)
            assert repr(got) == repr(want), (path.stem, name)
            checked += 1
    assert checked > 100
