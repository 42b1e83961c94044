"""The runtime helpers that compiled code and the interpreter share: three-valued, exact, strict.

Each helper on known values, on unknowns (``None``), and on values of the wrong shape,
which raise :class:`~standardlang.backends.python.runtime.BadValue` and nothing else.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from standardlang.backends.python import runtime as rt
from standardlang.backends.python.runtime import BadValue

T, F, U = True, False, None


def test_q_reads_floats_as_the_decimal_they_print_as():
    assert rt.q(0.1) == Fraction(1, 10) and rt.q(2.0) == 2 and type(rt.q(2.0)) is int
    assert rt.q(1e23) == 10 ** 23
    assert rt.q(Fraction(3, 2)) == Fraction(3, 2) and rt.q(7) == 7
    assert rt.q(float("inf")) == float("inf")
    nan = rt.q(float("nan"))
    assert nan != nan


@pytest.mark.parametrize("bad", [True, False, "1", None, [1], {"a": 1}])
def test_q_refuses_what_is_not_a_number(bad):
    with pytest.raises(BadValue, match="expected a number"):
        rt.q(bad)


def test_exact_maps_floats_in_lists():
    assert rt.exact([0.1, [0.2], 3, "a"]) == [Fraction(1, 10), [Fraction(1, 5)], 3, "a"]
    assert rt.exact(None) is None and rt.exact(0.5) == Fraction(1, 2)


def test_dget_reads_records_maps_lists_and_refuses_scalars():
    assert rt.dget({"a": 1}, "a") == 1 and rt.dget({}, "a") is None and rt.dget(None, "a") is None
    assert rt.dget([{"a": 1}, {"a": 2}, None], "a") == [1, 2, None]
    for bad in (5, "text", True):
        with pytest.raises(BadValue, match="expected a record with `a`"):
            rt.dget(bad, "a")


def test_truth_and_items_of():
    assert [rt.truth(v) for v in (T, F, U)] == [T, F, U]
    for bad in (1, 0, "yes", [True]):
        with pytest.raises(BadValue, match="expected true or false"):
            rt.truth(bad)
    assert rt.items_of([1]) == [1] and rt.items_of(None) is None and rt.items_of(frozenset({1})) == {1}
    for bad in ("abc", 5, {"a": 1}):
        with pytest.raises(BadValue, match="expected a list"):
            rt.items_of(bad)


def test_enum_and_enumset():
    lookup = {"new": "new", "新建": "new"}
    assert rt.enum("新建", lookup) == "new" and rt.enum(None, lookup) is None
    with pytest.raises(BadValue, match="expected one of new"):
        rt.enum("old", lookup)
    with pytest.raises(BadValue):
        rt.enum(["unhashable"], lookup)
    assert rt.enumset(["new", "新建"], lookup) == frozenset({"new"}) and rt.enumset(None, lookup) is None
    for bad in ("new", 3):
        with pytest.raises(BadValue, match="expected a list of members"):
            rt.enumset(bad, lookup)


def test_scaled_norm_and_olist():
    assert rt.scaled(2, Fraction(1, 100)) == Fraction(1, 50) and rt.scaled(None, 2) is None
    assert rt.scaled(50, Fraction(1, 2)) == 25 and type(rt.scaled(50, Fraction(1, 2))) is int
    assert rt.norm(Fraction(4, 2)) == 2 and type(rt.norm(Fraction(4, 2))) is int and rt.norm(Fraction(1, 3)) == Fraction(1, 3)
    assert rt.olist(None) == [] and rt.olist([1]) == [1]
    assert rt.get(None, "a") is None and rt.get({"a": 2}, "a") == 2


def test_arith_and_div_are_exact_and_three_valued():
    assert rt.arith("+", 0.1, 0.2) == Fraction(3, 10)
    assert rt.arith("-", 5, 7) == -2
    assert rt.arith("*", Fraction(1, 2), 4) == 2 and type(rt.arith("*", Fraction(1, 2), 4)) is int
    assert rt.arith("/", 1, 3) == Fraction(1, 3) and rt.arith("/", 6, 3) == 2
    assert rt.div(1, 0) is None and rt.div(None, 1) is None and rt.div(1, None) is None
    assert rt.div(Fraction(1, 2), Fraction(1, 4)) == 2 and rt.div(0.5, 2) == Fraction(1, 4)
    assert rt.arith("+", None, 1) is None and rt.arith("-", 1, None) is None
    with pytest.raises(BadValue):
        rt.div("a", 0)  # the dividend is checked even when the divisor is 0
    with pytest.raises(BadValue):
        rt.arith("+", True, 1)


@pytest.mark.parametrize("op,a,b,expected", [
    (">=", 2, 2, T), (">=", 1, 2, F), (">", 2, 2, F), (">", 3, 2, T), ("<=", 2, 2, T), ("<=", 3, 2, F),
    ("<", 2, 2, F), ("<", 1, 2, T), ("==", 0.1, Fraction(1, 10), T), ("!=", 0.1, Fraction(1, 10), F),
    ("==", "a", "a", T), ("!=", "a", "b", T), ("==", True, 1, F), ("==", 1, True, F), ("==", True, True, T),
    (">=", None, 1, U), ("<", 1, None, U), ("==", None, None, U), (">=", 2199.99, 2200, F),
    (">=", 0.3, Fraction(3, 10), T),
])
def test_compare(op, a, b, expected):
    assert rt.compare(op, a, b) is expected


def test_compare_refuses_ordering_what_is_not_a_number():
    with pytest.raises(BadValue):
        rt.compare(">=", "12", 1)
    with pytest.raises(BadValue):
        rt.compare("<", True, 1)


def test_kleene_tables():
    values = (T, F, U)
    for a in values:
        for b in values:
            assert rt.and3(a, b) is (F if F in (a, b) else U if U in (a, b) else T)
            assert rt.or3(a, b) is (T if T in (a, b) else U if U in (a, b) else F)
        assert rt.not3(a) is (U if a is None else not a)


def test_between_member_contains():
    assert rt.between(5, 1, 5) is T and rt.between(0, 1, 5) is F and rt.between(6, 1, 5) is F
    assert rt.between(None, 1, 5) is U and rt.between(3, None, 5) is U and rt.between(9, None, 5) is F
    assert rt.member(1, [1, 2]) is T and rt.member(3, [1, 2]) is F and rt.member(3, [1, None]) is U
    assert rt.member(1, [None, 1]) is T and rt.member(None, [1]) is U and rt.member(1, None) is U
    assert rt.member(0.1, [Fraction(1, 10)]) is T
    with pytest.raises(BadValue):
        rt.member("a", "abc")  # text is not a collection
    rooms = frozenset({"hall", "office"})
    assert rt.contains(rooms, ["hall", "office"], "all") is T and rt.contains(rooms, ["hall", "x"], "all") is F
    assert rt.contains(rooms, ["x", "hall"], "any") is T and rt.contains(rooms, ["x", "y"], "any") is F
    assert rt.contains(rooms, "hall", None) is T and rt.contains(rooms, "x", None) is F
    assert rt.contains(None, ["hall"], "all") is U
    assert rt.contains([None, "hall"], ["x"], "all") is U and rt.contains([None, "hall"], ["hall"], "all") is T
    assert rt.contains([None], ["x"], "any") is U


def test_cond_evaluates_one_branch_or_both_when_unknown():
    calls = []

    def branch(v):
        def run():
            calls.append(v)
            return v
        return run

    assert rt.cond(T, branch(1), branch(2)) == 1 and calls == [1]
    assert rt.cond(F, branch(1), branch(2)) == 2 and calls == [1, 2]
    assert rt.cond(U, branch(3), branch(3)) == 3
    assert rt.cond(U, branch(3), branch(4)) == rt.Bounds(3, 4)  # either: the range holding both (issue 9)
    assert rt.cond(U, branch("a"), branch("b")) is None
    assert rt.cond(U, branch(None), branch(None)) is None
    assert rt.cond(U, branch(0.1), branch(Fraction(1, 10))) == 0.1


def test_minmax_absval():
    assert rt.minmax("min", [3, 0.5, 2]) == Fraction(1, 2) and rt.minmax("max", [3, 0.5, 2]) == 3
    assert rt.minmax("min", [3, None]) is None and rt.minmax("max", []) is None
    assert rt.absval(-0.5) == Fraction(1, 2) and rt.absval(None) is None and rt.absval(3) == 3


def test_project_maps_and_flattens():
    assert rt.project([{"a": 1}, {"a": 2}], lambda e: e["a"], False) == [1, 2]
    assert rt.project([[1], [2, 3]], lambda e: e, True) == [1, 2, 3]
    assert rt.project([[1], None], lambda e: e, True) is None
    assert rt.project(None, lambda e: e, False) is None
    with pytest.raises(BadValue):
        rt.project("abc", lambda e: e, False)


def _agg(func, items, item=None, where=None):
    return rt.aggregate(func, items, item, where)


def test_aggregates_on_known_values():
    xs = [1, 2, 3, 0.5]
    assert _agg("sum", xs) == Fraction(13, 2) and _agg("avg", [1, 2]) == Fraction(3, 2)
    assert _agg("min", xs) == Fraction(1, 2) and _agg("max", xs) == 3
    assert _agg("count", xs) == 4 and _agg("count", xs, where=lambda x: x > 1) == 2
    assert _agg("count", xs, item=lambda x: x >= 2) == 2
    assert _agg("share", xs, where=lambda x: x > 1) == Fraction(1, 2) and _agg("share", []) is None
    assert _agg("sum", []) == 0 and _agg("avg", []) is None and _agg("min", []) is None
    assert _agg("sum", xs, item=lambda x: x * 2, where=lambda x: x >= 2) == 10
    assert _agg("all", [T, T]) is T and _agg("all", [T, F]) is F and _agg("all", []) is T
    assert _agg("any", [F, T]) is T and _agg("any", [F, F]) is F and _agg("any", []) is F
    assert _agg("all", xs, item=lambda x: x > 0) is T and _agg("any", xs, item=lambda x: x > 2) is T
    # where alone: every element satisfies it (it was always true before issue 9)
    assert _agg("all", xs, where=lambda x: x > 1) is F and _agg("all", xs, where=lambda x: x > 0) is T


def test_aggregates_with_unknowns():
    assert _agg("all", [T, U]) is U and _agg("all", [U, F]) is F
    assert _agg("any", [F, U]) is U and _agg("any", [U, T]) is T
    # partly known: the tightest range the known elements allow (issue 9; an unknown element is unbounded here)
    assert _agg("count", [1, 2], where=lambda x: None if x == 2 else True) == rt.Bounds(1, 2)
    assert _agg("sum", [1, None]) is None and _agg("min", [1, None]) == rt.Bounds(None, 1)
    assert _agg("sum", [1, 2], where=lambda x: None) == rt.Bounds(0, 3)
    assert _agg("sum", [1, 2], where=lambda x: x > 1) == 2
    assert _agg("sum", None) is None and _agg("count", None) is None
    assert _agg("all", [1, 2], item=lambda x: True, where=lambda x: None) is T  # holds whether it matches or not
    assert _agg("all", [1, 2], item=lambda x: False, where=lambda x: None) is U
    assert _agg("any", [1, 2], item=lambda x: True, where=lambda x: None) is U
    assert _agg("any", [1, 2], item=lambda x: False, where=lambda x: None) is F


def test_aggregates_refuse_what_is_not_a_list():
    for bad in ("abc", 5, {"a": 1}):
        with pytest.raises(BadValue):
            _agg("count", bad)
    with pytest.raises(BadValue):
        _agg("sum", ["1", 2])
