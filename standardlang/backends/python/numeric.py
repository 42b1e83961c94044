"""Comparisons and arithmetic of typed numbers, emitted inline and exact.

Takes IR comparisons, ``between`` tests and ``+``/``-`` of numbers whose type the
schema fixes (validated data: ``int``, ``float``, or an exact ``Fraction`` after a unit
scale) and that can never be partly known (see :func:`standardlang.lang.ranges.may_be_partial`);
gives Python source for the :class:`~.compiler.Compiler`.  When every operand is an
``int`` at run time the test is plain integer arithmetic; rational constants are cross-
multiplied away (``x between d and 1.3 * d`` is ``x >= d and 10 * x <= 13 * d``; ``a / b
>= 2 ‰`` is ``500 * a >= b`` for ``b > 0``, unknown for ``b == 0``), so no ``Fraction`` is
made per record.  Other known operands (a float, read as the decimal it prints as, or a
Fraction) are made exact once (``runtime.q``) and take the same cross-multiplied test;
with an unknown operand the test goes through :mod:`.runtime` (Kleene's logic), whose
answers these inline forms reproduce exactly; the differential tests compare both with
the interpreter.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from standardlang.lang import ir, ranges, vocabulary
from standardlang.lang.types import Dynamic, Num

#: the ordering with its sides swapped (`a >= b` is `b <= a`)
_MIRROR = vocabulary.MIRROR
_ORDER = (">=", ">", "<=", "<")


def _numeric(n: ir.Node) -> bool:
    return isinstance(n.type, Num)


class Term:
    """``coef * atom`` or, with ``den``, ``atom / den`` (then ``coef`` is 1); ``atom`` None: the constant ``coef``."""

    def __init__(self, atom: ir.Node | None, coef: Fraction, den: ir.Node | None = None):
        self.atom, self.coef, self.den = atom, coef, den


def term(n: ir.Node) -> Term | None:
    """``n`` as a :class:`Term`, or None when it has no such simple form."""
    if isinstance(n, ir.Const):
        v = n.value
        if isinstance(v, (int, Fraction)) and not isinstance(v, bool):
            return Term(None, Fraction(v))
        return None
    if isinstance(n, ir.Binary) and n.op == "*":
        for a, b in ((n.left, n.right), (n.right, n.left)):
            if isinstance(b, ir.Const) and isinstance(b.value, (int, Fraction)) and not isinstance(b.value, bool) \
                    and not isinstance(a, ir.Const):
                return Term(a, Fraction(b.value))
        return Term(n, Fraction(1))
    if isinstance(n, ir.Binary) and n.op == "/":
        if isinstance(n.right, ir.Const) and isinstance(n.right.value, (int, Fraction)) and n.right.value != 0 \
                and not isinstance(n.right.value, bool):
            return Term(n.left, 1 / Fraction(n.right.value))
        if not isinstance(n.right, ir.Const) and not isinstance(n.left, ir.Const):
            return Term(n.left, Fraction(1), n.right)
    return Term(n, Fraction(1))


class NumericEmitter:
    """The inline numeric forms of the :class:`~.compiler.Compiler` (a mixin)."""

    lets: dict

    def exact_numbers(self, *nodes: ir.Node) -> bool:
        """Whether ``nodes`` are typed numbers that are never partly known (the inline forms apply)."""
        return all(_numeric(n) and not isinstance(n.type, Dynamic) and not ranges.may_be_partial(n, self.lets)
                   and not _has_dynamic(n) for n in nodes)

    def inline_compare(self, op: str, left: ir.Node, right: ir.Node, scopes, f) -> str | None:
        """``left OP right`` inline, or None when this form does not apply."""
        if op not in _ORDER and op not in ("==", "!="):
            return None
        if not self.exact_numbers(left, right):
            return None
        a, b = term(left), term(right)
        if a is None or b is None or (a.atom is None and b.atom is None):
            return None
        if a.atom is None:  # the compared value first: `3 < x` is `x > 3`
            a, b, op = b, a, _MIRROR[op]
        return self._linear_test([(op, a, b)], scopes, f, None)

    def inline_between(self, n: ir.Between, scopes, f) -> str | None:
        """``value between low and high`` inline, or None when this form does not apply."""
        if not self.exact_numbers(n.value, n.low, n.high):
            return None
        v, lo, hi = term(n.value), term(n.low), term(n.high)
        if v is None or lo is None or hi is None or v.atom is None or lo.den is not None or hi.den is not None:
            return None  # a bound that may be unknown by a quotient by 0 leaves the other bound to decide
        fallback = ("_rt.between", n)
        return self._linear_test([(">=", v, lo), ("<=", v, hi)], scopes, f, fallback)

    def _linear_test(self, tests: list[tuple[str, Term, Term]], scopes, f, between) -> str:
        """Kleene's `and` of ``tests`` (each `term OP term`), integers inline, anything else by the runtime.

        The atoms of the first test's left side (the compared value) are evaluated first: if
        one is unknown so is every test (they all compare that value), and so is the whole.
        """
        atoms: dict[int, tuple[str, str]] = {}  # id(node) -> (temp, code): each atom evaluated once
        by_code: dict[str, tuple[str, str]] = {}  # the same code (the same field twice) is one atom

        def atom(node: ir.Node) -> None:
            if id(node) not in atoms:
                code = self.expr(node, scopes, f)
                if code not in by_code:
                    by_code[code] = (f.temp(), code)
                atoms[id(node)] = by_code[code]

        first = tests[0][1]
        lead = [first.atom] + ([first.den] if first.den is not None else [])
        for node in lead:
            atom(node)
        for _, a, b in tests:
            for t in (a, b):
                if t.atom is not None:
                    atom(t.atom)
                if t.den is not None:
                    atom(t.den)
        binds = [f"({t} := {code})" for t, code in by_code.values()]
        temps = [t for t, _ in by_code.values()]
        n_lead = len({atoms[id(x)] for x in lead})
        unknown = " or ".join(f"{b} is None" for b in binds[:n_lead])
        ints = " and ".join(f"{t}.__class__ is _int" for t in temps)
        # all known ints: the test as it is; known numbers of other kinds: the same test on their exact values
        # (a float read as the decimal it prints as); an unknown among the other atoms: the runtime's Kleene logic
        exact = self._exact_tests(tests, atoms, "")
        exact_q = self._exact_tests(tests, atoms, "q")
        to_exact = f"(({', '.join(f'({t}q := _q({t}))' for t in temps)},) and {exact_q})"
        others = temps[n_lead:]
        if others:
            to_exact = (f"({self._generic(tests, atoms, between)} if {' or '.join(f'{t} is None' for t in others)} "
                        f"else {to_exact})")
        body = f"(({exact}) if {ints} else {to_exact})"
        if len(binds) > n_lead:  # evaluate the other atoms (in a tuple, always true) before testing their types
            body = f"(({', '.join(binds[n_lead:])},) and {body})"
        return f"(None if {unknown} else {body})"

    def _exact_tests(self, tests: list[tuple[str, Term, Term]], atoms: dict, suffix: str) -> str:
        """The tests on known exact numbers (each atom's temp + ``suffix``); a quotient by 0 is unknown."""
        named = {k: (t + suffix, code) for k, (t, code) in atoms.items()}
        exact = " and ".join(self._int_test(op, a, b, named) for op, a, b in tests)
        divisors = list(dict.fromkeys(named[id(t.den)][0] for _, a, b in tests for t in (a, b) if t.den is not None))
        if divisors:  # only the compared value may be a quotient in a between (see inline_between)
            exact = f"(None if {' or '.join(f'{d} == 0' for d in divisors)} else ({exact}))"
        return exact

    def _int_test(self, op: str, a: Term, b: Term, atoms: dict) -> str:
        """`a OP b` for int atoms, multiplied through by the (positive) denominators of the constants and,
        for a quotient, by its divisor (whose sign decides the direction)."""
        def side(t: Term, other: Term) -> tuple[str, str | None]:
            num = t.coef.numerator * other.coef.denominator  # p/q * A OP r/s * B  <=>  p*s*A OP r*q*B
            if t.atom is None:
                code = str(num)
            elif t.den is not None and num == 1:
                code = atoms[id(t.atom)][0]
            else:
                base = atoms[id(t.atom)][0]
                code = base if num == 1 else f"{num} * {base}"
            return code, (atoms[id(t.den)][0] if t.den is not None else None)

        (lcode, lden), (rcode, rden) = side(a, b), side(b, a)
        flipped = _MIRROR.get(op, op)
        if rden is None and lden is not None and rcode == "1":  # x / y OP 1  <=>  x OP y (y > 0)
            return f"({lcode} {op} {lden} if {lden} > 0 else {lcode} {flipped} {lden})"
        if lden is None and rden is None:
            return f"{lcode} {op} {rcode}"
        if rden is None:  # x / y OP r  <=>  x OP r * y (y > 0)
            return f"({lcode} {op} {rcode} * {lden} if {lden} > 0 else {lcode} {flipped} {rcode} * {lden})"
        if lden is None:
            return f"({lcode} * {rden} {op} {rcode} if {rden} > 0 else {lcode} * {rden} {flipped} {rcode})"
        return (f"({lcode} * {rden} {op} {rcode} * {lden} if ({lden} > 0) == ({rden} > 0) "
                f"else {lcode} * {rden} {flipped} {rcode} * {lden})")

    def _generic(self, tests: list[tuple[str, Term, Term]], atoms: dict, between) -> str:
        """The same tests through the runtime, on the atoms already evaluated."""
        def value(t: Term) -> str:
            if t.atom is None:
                return self.const(t.coef.numerator if t.coef.denominator == 1 else t.coef)
            base = atoms[id(t.atom)][0]
            if t.den is not None:
                return f"_rt.div({base}, {atoms[id(t.den)][0]})"
            if t.coef == 1:
                return base
            return f"_rt.arith('*', {base}, {self.const(t.coef.numerator if t.coef.denominator == 1 else t.coef)})"

        if between is not None:
            (_, v, lo), (_, _, hi) = tests
            return f"_rt.between({value(v)}, {value(lo)}, {value(hi)})"
        (op, a, b), = tests
        return f"_rt.compare({op!r}, {value(a)}, {value(b)})"

    def inline_arith(self, n: ir.Binary, scopes, f) -> str | None:
        """``a + b`` / ``a - b`` of typed numbers: int arithmetic inline, else the runtime."""
        if n.op not in ("+", "-") or not self.exact_numbers(n.left, n.right):
            return None
        a, b = f.temp(), f.temp()
        left, right = self.expr(n.left, scopes, f), self.expr(n.right, scopes, f)
        return (f"(None if ({a} := {left}) is None or ({b} := {right}) is None else "
                f"({a} {n.op} {b} if {a}.__class__ is _int and {b}.__class__ is _int else _rt.arith({n.op!r}, {a}, {b})))")


def _has_dynamic(n: ir.Node) -> bool:
    return any(isinstance(x.type, Dynamic) for x in ir.walk(n) if hasattr(x, "type"))
