"""The compiled quick check of records (backends/python/schema_check) against validation.

The engine skips :func:`~standardlang.data.validate.validate` for a record the quick
check passes, so a record it passes must have no problem.  Drawn over the generated
schema (valid and invalid records) and over a schema with every kind of field the
check knows (ranges, text, enums and sets with labels, nested lists,
children of another entity), with values of every JSON shape and the awkward ones
(huge ints, non-finite floats, lone surrogates, a reader's unusable-value marker).
A plain record validation finds fine must pass too, or the fast path would never be
taken.  Proof that it bites: a check that forgets the sign of a quantity is caught.
"""

from __future__ import annotations

import copy
from fractions import Fraction

import pytest
from hypothesis import example, given, settings, strategies as st

import standardlang as sl
from standardlang.backends.python import schema_check
from standardlang.data.safe import BadValue
from standardlang.data.validate import validate

import strategies as S
from conftest import SPECS
from strategies import E, load_ast
from test_compiler import ANY_RECORDS, _run

SITE = load_ast(S.condition_spec([E("area >= 1 m2")]))
SITE_T = SITE.checked.entities[S.ENTITY]

ODD_SPEC = sl.loads("""\
standard odd "odd" { source "test" }
enum kind_t { new "新建" old "既有" }
entity town "镇" {
  key id
  id: text
  blocks: list of block by town
}
entity block "街区" {
  key id
  id: text
  town?: text
  height: m "高度" range 0 to 100
  share?: % range 10 to 90.5
  temp?: number range -20 to 40
  floors?: count range 1 to 30
  n?: count
  x?: number
  name?: text
  kind?: kind_t
  rooms?: set { hall "大厅", office }
  flag?: bool
  areas?: list { a: m2 }
  park?: record { area: m2  kind: kind_t  trees?: list { n: count  sort?: kind_t } }
  let big = height >= 50 m
}
goal g "g" for block { rule 1 "r" { require height >= 0 m } }
""", "odd.stdl")
BLOCK_T = ODD_SPEC.checked.entities["block"]
TOWN_T = ODD_SPEC.checked.entities["town"]

def _big(digits: int) -> int:
    """A huge int (more digits than Python prints; 0: the largest int that is not huge)."""
    return 2 ** 14284 - 1 if digits == 0 else (10 ** abs(digits)) * (1 if digits > 0 else -1)


#: values of every shape, the awkward ones among them
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-50, 200), st.sampled_from([-1, -0.5, 1e-9, 2.5]), st.sampled_from([5000, -5000, 0]).map(_big),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.5, 10.0, 90.5, 90.50000000000001, 9.999, -0.0]),
    st.sampled_from(["new", "新建", "old", "bogus", "hall", "大厅", "office", "", "\ud800x", "abc"]),
    st.just(BadValue("1" * 20, "a number of too many digits")), st.just(Fraction(1, 3)))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["area", "kind", "trees", "n", "sort"]), inner, max_size=3), max_leaves=6)
#: numbers about the edges of what fields take (a sign, a fraction, a range's end)
NEAR = st.integers(-3, 3) | st.sampled_from([-0.5, 0.5, 9.5, 10, 30, 31, 40.5, 100.5])
BLOCK_FIELDS = ("id", "town", "height", "share", "temp", "floors", "n", "x", "name", "kind", "rooms", "flag",
                "areas", "park")
#: where a bad value is put: every field, nested ones too
PATHS = [(name,) for name in BLOCK_FIELDS] + [("park", "area"), ("park", "kind"), ("park", "trees", 0, "n"),
                                             ("park", "trees", 0, "sort"), ("areas", 0, "a")]



VALID = {
    "id": st.text("ab", min_size=1), "town": st.text("xy"), "height": st.integers(0, 100) | st.floats(0, 100),
    "share": st.floats(10, 90.5), "temp": st.integers(-20, 40), "floors": st.integers(1, 30),
    "n": st.integers(0, 10 ** 6), "x": st.floats(-1e9, 1e9), "name": st.text() | st.integers(-5, 5),
    "kind": st.sampled_from(["new", "新建", "old", "既有"]), "flag": st.booleans(),
    "rooms": st.lists(st.sampled_from(["hall", "大厅", "office"]), max_size=3),
    "areas": st.lists(st.fixed_dictionaries({}, optional={"a": st.integers(0, 9) | st.floats(0, 9)}), max_size=3),
    "park": st.fixed_dictionaries({}, optional={
        "area": st.integers(0, 9), "kind": st.sampled_from(["new", "old"]),
        "trees": st.lists(st.fixed_dictionaries({"n": st.integers(0, 9)}, optional={"sort": st.just("new")}),
                          max_size=2)}),
}


@st.composite
def blocks(draw):
    """A valid block (any field missing or null), then one or two values anywhere replaced by any value."""
    rec = {name: draw(VALID[name] | st.none()) for name in draw(st.sets(st.sampled_from(BLOCK_FIELDS)))}
    for _ in range(draw(st.integers(0, 2))):
        path = draw(st.sampled_from(PATHS))
        target = rec
        for step in path[:-1]:  # make the way down if it is not there
            if isinstance(step, int):
                if not isinstance(target, list) or not target:
                    break
                target = target[min(step, len(target) - 1)]
            else:
                if not isinstance(target, dict):
                    break
                target = target.setdefault(step, [] if step in ("areas", "trees") else {})
                if isinstance(target, list) and not target:
                    target.append({})
        else:
            if isinstance(target, dict):
                target[path[-1]] = draw(st.one_of(NEAR, SCALARS, VALUES))
    return rec


def _plain(v) -> bool:
    """Built of dict, list, str, int, float, bool and None only (what a JSON reader gives)."""
    if isinstance(v, dict):
        return type(v) is dict and all(_plain(x) for x in v.values())
    if isinstance(v, list):
        return type(v) is list and all(_plain(x) for x in v)
    return v is None or type(v) in (str, int, float, bool)


def agrees(check, rtype, record) -> None:
    problems = validate(record, rtype)
    passed = check(record)
    assert passed in (True, False)
    if passed:  # the engine's fast path: must never skip a problem
        assert problems == [], (record, problems)
    elif _plain(record) and not problems:  # a JSON record validation finds fine takes the fast path
        raise AssertionError(f"the quick check refused a valid record: {record!r}")


@given(recs=st.lists(ANY_RECORDS, min_size=1, max_size=5))
def test_quick_check_agrees_with_validation_on_generated_schema(recs):
    check = schema_check.quick_check(SITE_T)
    for rec in recs:
        agrees(check, SITE_T, rec)


@settings(max_examples=300)
@given(rec=blocks())
@example(rec={"height": 100, "share": 90.5, "temp": -20, "floors": 1.0, "n": 0, "name": 12, "kind": "新建"})
@example(rec={"height": 100.0000001})
@example(rec={"share": 90.50000000000001})  # just above the range when read as the decimal it prints as
@example(rec={"height": -0.0, "floors": 0})
@example(rec={"name": "\ud800"})
@example(rec={"x": _big(5000), "n": _big(0)})
@example(rec={"areas": [{"a": 1}, None]})
@example(rec={"park": {"trees": [{"n": 1.5}]}})
def test_quick_check_agrees_with_validation_on_every_kind_of_field(rec):
    agrees(schema_check.quick_check(BLOCK_T), BLOCK_T, rec)


def test_children_of_another_entity_are_left_to_their_own_validation():
    check = schema_check.quick_check(TOWN_T)
    assert check({"id": "t", "blocks": [{"height": "tall"}]})  # a block's problem is the block's, as in validate
    assert validate({"id": "t", "blocks": [{"height": "tall"}]}, TOWN_T) == []
    assert not check({"id": "t", "blocks": "many"})


def test_the_generated_schema_and_a_real_community_pass():
    spec = sl.load(SPECS / "complete_community.stdl")
    community = spec.checked.entities["community"]
    check = schema_check.quick_check(community)
    examples = [ex.record for rule in spec.rules for ex in rule.examples if isinstance(ex.record, dict)]
    assert examples
    for rec in examples:
        agrees(check, community, rec)
    assert sum(map(check, examples)) >= len(examples) // 2


def test_sabotage_a_check_that_forgets_signs_is_caught(monkeypatch):
    """Counts and quantities must be >= 0 (counts whole): a check that reads them as plain numbers is caught."""
    real = schema_check._Gen.number_test

    def forgetful(self, t, bounds, v):
        return real(self, attrs_evolve_kind(t), bounds, v)

    def attrs_evolve_kind(t):
        import attrs

        return attrs.evolve(t, kind="number") if t.kind in ("quantity", "count") else t

    monkeypatch.setattr(schema_check._Gen, "number_test", forgetful)
    check = schema_check.quick_check(BLOCK_T)
    with pytest.raises(AssertionError):
        agrees(check, BLOCK_T, {"areas": [{"a": -1}]})
    with pytest.raises(AssertionError):
        _run(test_quick_check_agrees_with_validation_on_every_kind_of_field)


def test_judge_takes_the_quick_path_and_the_careful_one_alike():
    """The same verdicts whether or not the quick check is used (it only decides whether to validate)."""
    recs = [{"id": "a", "height": 60}, {"id": "b", "height": -1}, {"id": "c", "height": "x", "share": 5},
            {"id": "d"}, "junk"]
    with_check = [ODD_SPEC.judge(copy.deepcopy(r), "block").statuses for r in recs]
    saved = ODD_SPEC._checks["block"]
    ODD_SPEC._checks["block"] = lambda record: False  # always validate
    ODD_SPEC._plans.clear()
    try:
        without = [ODD_SPEC.judge(copy.deepcopy(r), "block").statuses for r in recs]
    finally:
        ODD_SPEC._checks["block"] = saved
        ODD_SPEC._plans.clear()
    assert with_check == without
    assert [s.value for (s,) in with_check] == ["pass", "error", "error", "unknown", "error"]


def test_a_hostile_spec_reaches_the_quick_check_only_as_string_literals():
    """Field names become repr literals; no name of the spec becomes a Python name."""
    import io
    import tokenize

    from test_safety import HOSTILE_SPEC

    spec = sl.loads(HOSTILE_SPEC, "hostile.stdl")
    for name, rtype in spec.checked.entities.items():
        source = schema_check.quick_check(rtype, name).source
        names = {t.string for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type == tokenize.NAME}
        allowed = {"def", "if", "not", "is", "None", "return", "False", "True", "and", "or", "in", "for",
                   "isascii", "isprintable", "get", "is_integer", "__class__"}
        assert {n for n in names if not n.startswith(("_", "check_"))} <= allowed, name


class _EqualsAnything:
    """Not text, yet equal to every word and hashed like one (what `x in members` alone would let through)."""

    def __init__(self, word):
        self.word = word

    def __hash__(self):
        return hash(self.word)

    def __eq__(self, other):
        return True


def test_a_set_element_that_only_compares_equal_to_a_member_is_looked_at_closely():
    check = schema_check.quick_check(ODD_SPEC.checked.entities["block"], "block")
    base = {"id": "b", "height": 3}
    assert check({**base, "rooms": ["hall", "大厅", "office"]}) and not validate({**base, "rooms": ["hall"]},
                                                                             ODD_SPEC.checked.entities["block"])
    for odd in (_EqualsAnything("hall"), 1, None, {"hall": 1}, ["hall"], b"hall"):
        record = {**base, "rooms": ["office", odd]}
        assert not check(record), odd
        assert validate(record, ODD_SPEC.checked.entities["block"]), odd
