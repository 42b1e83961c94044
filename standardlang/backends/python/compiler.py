"""Compile checked IR to Python functions.

Takes a :class:`~standardlang.lang.model.CheckedSpec`'s rules, lets and values (or
one IR expression) and gives plain Python functions that do no parsing, name
resolution or unit handling at evaluation time: a rule's function returns its
:class:`~standardlang.status.Status`, a value's function the value (``None`` for
unknown).  Building verdicts from statuses is the engine's job, not this module's.

Source is generated, one function per rule named after it (``rule_2_classes``)
and headed by a comment with the rule and its spec line, and compiled under the
file name ``<standardlang:NAME>`` (see :mod:`.debug` for the line map).  No text
from a spec or a record reaches the generated code except as a ``repr`` literal,
a constant passed in the namespace, or a mangled name.  Data is reached only
through ``dict.get`` and :mod:`.runtime`.

Data shapes are handled explicitly: with a schema, records are validated before
they reach this code, so it reads them directly; schemaless values (type
``Dynamic``) go through runtime helpers that raise
:class:`~.runtime.BadValue` on a wrong shape.  There is no catch-all: any
other exception is a bug and propagates.  The one remaining fallback — a
function nested too deeply for CPython to compile, run by the interpreter — is
named in :mod:`.debug`, counted (``Module.fallbacks``) and refused in strict mode.
"""

from __future__ import annotations

import os
from fractions import Fraction
from typing import Any, Callable

from standardlang.backends.python import runtime
from standardlang.backends.python.aggregates import AggregateEmitter
from standardlang.backends.python.debug import Function, Module, Origin
from standardlang.backends.python.interpreter import Interpreter, rule_status
from standardlang.backends.python.numeric import NumericEmitter, term
from standardlang.lang import ir, ranges, vocabulary
from standardlang.lang.model import CheckedRule
from standardlang.lang.types import Dynamic, EnumT, LetInfo, ListT, SetT, TextT
from standardlang.status import Status

_INLINE = (bool, int, type(None))
#: every int up to this is a float too: a float compares with it the same by value or by decimal
_EXACT_FLOAT_INTS = 2 ** 53
#: the environment switch of strict mode (the test suite sets it): a fallback raises
STRICT_ENV = "STANDARDLANG_STRICT_COMPILE"


class _Func:
    """Generation state of one Python function."""

    def __init__(self, root: str):
        self.root = root
        self.temps = 0
        self.hoisted: dict[tuple, str] = {}
        self.prelude: list[tuple[str, int | None]] = []
        self.dicts: set[str] = set()  # hoisted schemaless values whose `is a dict` test is hoisted too
        self.records: set[str] = set()  # names known to hold a dict (a guarded rule's record)
        self.flushed = 0  # prelude lines a rule's body already holds (Compiler._emit)

    def temp(self) -> str:
        self.temps += 1
        return f"_t{self.temps}"


def _is_dynamic(n: ir.Node) -> bool:
    return isinstance(n.type, Dynamic)


class Compiler(NumericEmitter, AggregateEmitter):
    """Generates and compiles the functions of one spec (or expression) into one :class:`Module`.

    Args:
        lets: the spec's definitions, by qualified name.
        name: the spec's file name (used in the generated file name and headers).
        strict: raise :class:`~.debug.CompileFallbackError` instead of falling back to
            the interpreter (default: the ``STANDARDLANG_STRICT_COMPILE`` environment switch).
        guard: each rule function first refuses a record that is not an object (raises
            :class:`~.runtime.BadValue`), then reads its fields with no further test: for
            schemaless rules, whose caller then need not test each record itself.
    """

    def __init__(self, lets: dict[str, LetInfo], name: str = "spec", *, strict: bool | None = None,
                 guard: bool = False):
        self.lets = lets
        self.name = name
        self.guard = guard
        if strict is None:
            strict = os.environ.get(STRICT_ENV, "") not in ("", "0")
        self.namespace: dict[str, Any] = {
            "_rt": runtime, "_q": runtime.q, "_PASS": Status.PASS, "_FAIL": Status.FAIL,
            "_UNK": Status.UNKNOWN, "_NA": Status.NOT_APPLICABLE, "_type": type, "_dict": dict, "_int": int,
            "_frozenset": frozenset, "_map": map, "_isinstance": isinstance,
        }
        self.module = Module(name, self.namespace, strict)
        self.consts: dict[Any, str] = {}
        self.pending: list[Function] = []
        self.names: set[str] = set()
        self.let_funcs: dict[str, str] = {}
        self.interp = Interpreter(lets)

    # ---------------------------------------------------------------- module
    def finish(self) -> Module:
        """Compile every queued function into the module."""
        pending, self.pending = self.pending, []
        self.module.add(pending)
        self.module.constants = {name: self.namespace[name] for name in self.consts.values()}
        return self.module

    def function(self, name: str) -> Callable:
        """A compiled function by name (after :meth:`finish`)."""
        return self.namespace[name]

    @property
    def sources(self) -> list[str]:
        """The generated source (one text), for tests that read it token by token."""
        return [self.module.source] if self.module.source else []

    def _name(self, prefix: str, label: str) -> str:
        """A fresh identifier from a rule id or label: ASCII letters, digits and ``_`` only."""
        ascii_only = "".join(c if c.isascii() and c.isalnum() else "_" for c in label)
        base = prefix + "_" + ("_".join(part for part in ascii_only.split("_") if part) or "x")
        name, i = base, 1
        while name in self.names or name in self.namespace:
            i += 1
            name = f"{base}_{i}"
        self.names.add(name)
        return name

    def _queue(self, name: str, origin: Origin, params: str, body: list[tuple[str, int | None]],
               fallback: Callable) -> str:
        self.pending.append(Function(name, origin, params, body, fallback))
        return name

    def _origin(self, what: str, span: Any) -> Origin:
        return Origin(self.name, span.line if span is not None else None, what)

    # ---------------------------------------------------------------- constants
    def const(self, value: Any) -> str:
        if value.__class__ in _INLINE or isinstance(value, str):
            return repr(value)  # an escaped literal
        key = (type(value).__name__, repr(value) if not isinstance(value, (dict, frozenset)) else id(value))
        if key not in self.consts:
            name = f"_k{len(self.consts)}"
            self.consts[key] = name
            self.namespace[name] = value
        return self.consts[key]

    def enum_lookup(self, enum: EnumT) -> str:
        """The name of an enum's dict label-or-member -> member (one per enum)."""
        key = ("enum", enum.name, enum.members, enum.labels)
        if key not in self.consts:
            name = self.consts[key] = f"_k{len(self.consts)}"
            self.namespace[name] = enum.lookup()
        return self.consts[key]

    # ---------------------------------------------------------------- functions
    def let_func(self, key: str) -> str:
        if key in self.let_funcs:
            return self.let_funcs[key]
        info = self.lets[key]
        name = self.let_funcs[key] = self._name("let", key.replace("goal:", "goal_"))
        f = _Func("_s0")
        expr = self.expr(info.ir, ["_s0"], f)
        body = [("if _s0 is None:", None), ("    return None", None), *f.prelude, (f"return {expr}", None)]
        interp, node = self.interp, info.ir

        def fallback(record, _node=node):
            return None if record is None else interp.eval(_node, [record])

        self._queue(name, self._origin(f"let {key}", getattr(info.ir, "span", None)), "_s0", body, fallback)
        return name

    def rule(self, rule: CheckedRule) -> str:
        """Queue the function record -> Status of ``rule``; gives its name."""
        name = self._name("rule", rule.id)
        f = _Func("_r")
        body: list[tuple[str, int | None]] = []
        guard: list[tuple[str, int | None]] = []
        if self.guard:  # the record is tested once here; its reads below need no test
            guard = [("if _type(_r) is not _dict and not _isinstance(_r, _dict):", None),
                     ("    raise _rt.not_a_record(_r)", None)]
            f.records.add("_r")
        # a permission (可) whose applicability is unknown is still not applicable if not taken up
        open_applies = rule.applies is not None and rule.adoption is not None
        if rule.applies is not None:
            self._emit(f, body, (f"_a = {self.test(rule.applies, ['_r'], f)}", _line(rule.applies)))
            if open_applies:
                body.append(("if _a is False:", None))
                body.append(("    return _NA", None))
            else:
                body.append(("if _a is not True:", None))
                body.append(("    return _NA if _a is False else _UNK", None))
        conjuncts = [c for r in rule.requires for c in _conjuncts(r)]
        fail = self.fail_status(rule, f)
        passed = "(_PASS if _a is True else _UNK)" if open_applies else "_PASS"
        if not rule.alternatives:
            body.append(("_u = False", None))
            for c in conjuncts:
                self._emit(f, body, *self._conjunct(c, f, fail))
            self._emit(f, body, (f"return _UNK if _u else {passed}", None))
        else:
            self._emit(f, body, (f"_h = {self.and_expr(conjuncts, ['_r'], f)}",
                                 _line(conjuncts[0]) if conjuncts else None))
            body.append(("if _h is True:", None))
            body.append((f"    return {passed}", None))
            for alt in rule.alternatives:
                parts = ([alt.applies] if alt.applies is not None else []) + \
                    [c for r in alt.requires for c in _conjuncts(r)]
                self._emit(f, body, (f"_x = {self.and_expr(parts, ['_r'], f)}", alt.span.line if alt.span else None))
                body.append(("if _x is True:", None))
                body.append((f"    return {passed}", None))
                body.append(("_h = None if (_h is None or _x is None) else False", None))
            self._emit(f, body, (f"return {fail} if _h is False else _UNK", None))
        interp = self.interp

        def fallback(record: Any) -> Status:
            return rule_status(rule, interp, record)

        return self._queue(name, self._origin(f"rule {rule.id}", rule.span), "_r", guard + body, fallback)

    @staticmethod
    def _emit(f: _Func, body: list, *lines: tuple[str, int | None]) -> None:
        """Append ``lines`` to a rule's body, after the field reads their code was the first to need:
        a read is made where the rule first needs it, so a rule that returns early skips the rest."""
        body.extend(f.prelude[f.flushed:])
        f.flushed = len(f.prelude)
        body.extend(lines)

    def _conjunct(self, c: ir.Node, f: _Func, fail: str = "_FAIL") -> list[tuple[str, int | None]]:
        """Lines judging one required condition: fail at once (``fail`` is what to return), or note an unknown."""
        line = _line(c)
        simple = self.simple_compare(c, f)
        if simple is not None:
            var, test = simple
            return [(f"_v = {var}", line), ("if _v is None:", None), ("    _u = True", None),
                    (f"elif not ({test}):", line), (f"    return {fail}", None)]
        if _two_valued_present(c, ["_r"], f):  # never unknown: true or false
            return [(f"if not {self.test(c, ['_r'], f)}:", line), (f"    return {fail}", None)]
        return [(f"_v = {self.test(c, ['_r'], f)}", line), ("if _v is not True:", None),
                ("    if _v is False:", None), (f"        return {fail}", None), ("    _u = True", None)]

    def fail_status(self, rule: CheckedRule, f: _Func) -> str:
        """What a failed requirement returns: fail or, for a permission (可) not taken up, not applicable.

        See :attr:`~standardlang.lang.model.CheckedRule.adoption` and ``interpreter.rule_status``.
        """
        if rule.adoption is None:
            return "_FAIL"
        if not rule.adoption:
            return "_NA"
        adopted = self.and_expr(list(rule.adoption), ["_r"], f)
        failed = "(_FAIL if _a is True else _UNK)" if rule.applies is not None else "_FAIL"
        return f"({failed} if (_ad := {adopted}) is True else _NA if _ad is False else _UNK)"

    def simple_compare(self, c: ir.Node, f: _Func) -> tuple[str, str] | None:
        """(value, test on ``_v``) for `field OP int constant`, else None."""
        if not (isinstance(c, ir.Compare) and isinstance(c.left, ir.Field) and isinstance(c.right, ir.Const)):
            return None
        v = c.right.value
        if v.__class__ is not int or c.op in ("==", "!="):
            return None
        return self.expr(c.left, ["_r"], f), self.order_test("_v", c.op, v, _is_dynamic(c.left))

    def order_test(self, var: str, op: str, v: int, dynamic: bool) -> str:
        """The test `var OP v` of a known (not None) value against an int constant.

        Every ordering against an int constant is emitted here (rule conjuncts and nested
        comparisons alike), so one change here changes them all.
        """
        if dynamic:  # a schemaless value: ints inline, anything else through the runtime's checks
            return f"({var} {op} {v!r} if _type({var}) is _int else _rt.compare({op!r}, {var}, {v!r}))"
        if abs(v) > _EXACT_FLOAT_INTS:  # a float beside a huge int: its decimal and binary values may straddle it
            return f"({var} {op} {v!r} if {var}.__class__ is _int else _rt.compare({op!r}, {var}, {v!r}))"
        return f"{var} {op} {v!r}"

    def value(self, node: ir.Node, label: str = "value") -> str:
        """Queue the function record -> value (None for unknown) of ``node``; gives its name."""
        f = _Func("_r")
        expr = self.expr(node, ["_r"], f)
        interp = self.interp
        body = [*f.prelude, (f"return _rt.exact({expr})", _line(node))]
        return self._queue(self._name("value", label), self._origin(f"value {label}", node.span), "_r", body,
                           lambda record: interp.eval(node, [record]))

    def compile_rule(self, rule: CheckedRule) -> Callable[[Any], Status]:
        """The compiled function record -> Status of one rule (compiled at once)."""
        name = self.rule(rule)
        self.finish()
        return self.namespace[name]

    def compile_value(self, node: ir.Node, label: str = "value") -> Callable[[Any], Any]:
        """The compiled function record -> value of one expression (compiled at once)."""
        name = self.value(node, label)
        self.finish()
        return self.namespace[name]

    # ---------------------------------------------------------------- expressions
    def expr(self, n: ir.Node, scopes: list[str], f: _Func) -> str:
        method = getattr(self, "c_" + type(n).__name__, None)
        if method is None:
            raise AssertionError(f"compiler: unhandled node {type(n).__name__}")
        return method(n, scopes, f)

    def test(self, n: ir.Node, scopes: list[str], f: _Func) -> str:
        """A condition: a schemaless value is checked to be true, false or unknown."""
        code = self.expr(n, scopes, f)
        return f"_rt.truth({code})" if _is_dynamic(n) else code

    def and_expr(self, parts: list[ir.Node], scopes, f: _Func) -> str:
        """Kleene `and` of ``parts``: false as soon as one is false."""
        return self.kleene(parts, scopes, f, decisive=False)

    def or_expr(self, parts: list[ir.Node], scopes, f: _Func) -> str:
        """Kleene `or` of ``parts``: true as soon as one is true."""
        return self.kleene(parts, scopes, f, decisive=True)

    def kleene(self, parts: list[ir.Node], scopes, f: _Func, decisive: bool) -> str:
        if not parts:
            return repr(not decisive)
        if len(parts) == 1:
            return self.test(parts[0], scopes, f)
        temps = []
        code = ""
        for p in parts:
            t = f.temp()
            temps.append(t)
            code += f"({decisive!r} if ({t} := {self.test(p, scopes, f)}) is {decisive!r} else "
        code += "(None if " + " or ".join(f"{t} is None" for t in temps) + f" else {not decisive!r})" + ")" * len(parts)
        return code

    def c_Const(self, n: ir.Const, scopes, f):
        return self.const(n.value)

    def read(self, n: ir.Field, base: str, base_may_be_none: bool, f: _Func) -> str:
        """Code reading field ``n`` of ``base``.

        A typed field is read from a record validation has passed (the engine validates
        before any rule function runs): it is a dict, and an enum value is a member or
        one of its labels, mapped to the member by a dict lookup.
        """
        if _is_dynamic(n):  # a record of unknown shape: a dict is read here, anything else by the runtime
            if base in f.records:  # tested at the top of the function
                return f"{base}.get({n.name!r})"
            if base in f.dicts:  # its shape tested once, where it was read
                return f"({base}.get({n.name!r}) if {base}_dict else _rt.dget({base}, {n.name!r}))"
            t = base if base.isidentifier() else f.temp()
            bind = t if t == base else f"({t} := {base})"
            return f"({t}.get({n.name!r}) if _type({bind}) is _dict else _rt.dget({t}, {n.name!r}))"
        if n.optional and n.list_field:  # missing key: unknown; null: none (runtime.olist_get)
            if base == f.root and not base_may_be_none:  # the function's own record, a dict: inline
                t = f.temp()
                return f"(None if {n.name!r} not in {base} else [] if ({t} := {base}[{n.name!r}]) is None else {t})"
            return f"_rt.olist_get({base}, {n.name!r})"
        if base_may_be_none and base.isidentifier():
            code = f"(None if {base} is None else {base}.get({n.name!r}))"
        elif base_may_be_none:
            t = f.temp()
            code = f"(None if ({t} := {base}) is None else {t}.get({n.name!r}))"
        else:
            code = f"{base}.get({n.name!r})"
        if n.scale is not None:
            code = f"_rt.scaled({code}, {self.const(n.scale)})"
        elif n.enum is not None:  # validated: every value is a member or a label (see read's docstring)
            t = f.temp()
            lookup = self.enum_lookup(n.enum)
            each = f"_frozenset(_map({lookup}.__getitem__, {t}))" if n.is_set else f"{lookup}[{t}]"
            code = f"(None if ({t} := {code}) is None else {each})"
        return code

    def c_Field(self, n: ir.Field, scopes, f: _Func):
        key = _root_path_key(n)
        if _hoistable(n, scopes, f):  # read once per call, at the top of the function
            if key not in f.hoisted:
                if n.obj is None:
                    code = self.read(n, f.root, False, f)
                else:
                    code = self.read(n, self.expr(n.obj, scopes, f), True, f)
                var = f"_p{len(f.hoisted)}"
                f.hoisted[key] = var
                f.prelude.append((f"{var} = {code}", _line(n)))
                if _is_dynamic(n):  # the schemaless value's shape, tested once for all the reads below it
                    f.prelude.append((f"{var}_dict = _type({var}) is _dict", _line(n)))
                    f.dicts.add(var)
            return f.hoisted[key]
        if n.obj is None:
            return self.read(n, scopes[-1 - n.depth], False, f)
        obj = self.expr(n.obj, scopes, f)
        if n.over_list:
            e = f"_e{len(scopes)}"
            inner = _Func(e)
            inner.temps = f.temps + 100
            body = self.read(n, e, False, inner)
            f.temps = inner.temps
            return f"_rt.project({obj}, lambda {e}: {body}, {n.list_field!r})"
        return self.read(n, obj, True, f)

    def c_LetRef(self, n: ir.LetRef, scopes, f):
        key = f"{n.entity}.{n.name}"
        if n.obj is None:
            scope = scopes[0] if n.entity.startswith("goal:") else scopes[-1 - n.depth]
            info = self.lets[key]
            if scope == f.root and _small(info.ir):  # inline: its reads join the function's own, read once
                return self.expr(info.ir, [scope], f)
        fn = self.let_func(key)
        if n.obj is None:
            if n.entity.startswith("goal:"):
                return f"{fn}({scopes[0]})"
            return f"{fn}({scopes[-1 - n.depth]})"
        obj = self.expr(n.obj, scopes, f)
        if n.over_list:
            flatten = isinstance(self.lets[key].type, ListT)
            return f"_rt.project({obj}, {fn}, {flatten!r})"
        return f"{fn}({obj})"

    def c_Unary(self, n: ir.Unary, scopes, f):
        t = f.temp()
        if n.op == "not":
            return f"(None if ({t} := {self.test(n.operand, scopes, f)}) is None else not {t})"
        if ranges.may_be_partial(n.operand, self.lets):
            return f"_rt.neg({self.expr(n.operand, scopes, f)})"
        return f"(None if ({t} := {self.expr(n.operand, scopes, f)}) is None else -_q({t}))"

    def c_Binary(self, n: ir.Binary, scopes, f):
        inline = self.inline_arith(n, scopes, f)
        if inline is not None:
            return inline
        left, right = self.expr(n.left, scopes, f), self.expr(n.right, scopes, f)
        if n.op == "/":
            return f"_rt.div({left}, {right})"
        return f"_rt.arith({n.op!r}, {left}, {right})"

    def c_Logic(self, n: ir.Logic, scopes, f):
        parts = _flatten_logic(n, n.op)
        return self.and_expr(parts, scopes, f) if n.op == "and" else self.or_expr(parts, scopes, f)

    def c_Compare(self, n: ir.Compare, scopes, f):
        left, right, op = n.left, n.right, n.op
        if isinstance(left, ir.Const) and not isinstance(right, ir.Const):
            left, right, op = right, left, _MIRROR[op]
        counted = self.inline_count_compare(op, left, right, scopes, f)
        if counted is not None:  # count(...) against an int, inline over a typed list
            return counted
        plain = term(left)
        if isinstance(right, ir.Const) and right.value is not None and not ranges.may_be_partial(left, self.lets) \
                and not (isinstance(right.value, Fraction) or (plain is not None and (plain.coef != 1 or plain.den))
                         and self.exact_numbers(left, right)):
            t = f.temp()
            lhs = self.expr(left, scopes, f)
            v = right.value
            if isinstance(v, bool) or isinstance(v, str):
                if op in ("==", "!="):
                    return f"(None if ({t} := {lhs}) is None else {t} {op} {self.const(v)})"
            elif isinstance(v, int):
                if op == "==":
                    return f"(None if ({t} := {lhs}) is None else _rt.eq({t}, {v!r}))"
                if op == "!=":
                    return f"(None if ({t} := {lhs}) is None else not _rt.eq({t}, {v!r}))"
                return f"(None if ({t} := {lhs}) is None else {self.order_test(t, op, v, _is_dynamic(left))})"
            elif isinstance(v, Fraction):
                if op in ("==", "!="):
                    return f"(None if ({t} := {lhs}) is None else {'not ' if op == '!=' else ''}_rt.eq({t}, {self.const(v)}))"
                return f"(None if ({t} := {lhs}) is None else _q({t}) {op} {self.const(v)})"
        inline = self.inline_compare(op, left, right, scopes, f)
        if inline is not None:  # typed numbers: integers inline, rational constants cross-multiplied
            return inline
        return f"_rt.compare({op!r}, {self.expr(left, scopes, f)}, {self.expr(right, scopes, f)})"

    def c_Between(self, n: ir.Between, scopes, f):
        inline = self.inline_between(n, scopes, f)
        if inline is not None:
            return inline
        return (f"_rt.between({self.expr(n.value, scopes, f)}, {self.expr(n.low, scopes, f)}, "
                f"{self.expr(n.high, scopes, f)})")

    def c_SetLiteral(self, n: ir.SetLiteral, scopes, f):
        return "[" + ", ".join(self.expr(i, scopes, f) for i in n.items) + "]"

    def c_Member(self, n: ir.Member, scopes, f):
        coll = n.collection
        if isinstance(coll, ir.SetLiteral) and isinstance(n.value.type, (EnumT, TextT)) and not _is_dynamic(n.value) \
                and all(isinstance(i, ir.Const) and isinstance(i.value, str) for i in coll.items):
            # text (or an enum member) among constant words: one set test
            t = f.temp()
            words = self.const(frozenset(i.value for i in coll.items))
            return f"(None if ({t} := {self.expr(n.value, scopes, f)}) is None else {t} {'not in' if n.negated else 'in'} {words})"
        code = f"_rt.member({self.expr(n.value, scopes, f)}, {self.expr(n.collection, scopes, f)})"
        if n.negated:
            t = f.temp()
            code = f"(None if ({t} := {code}) is None else not {t})"
        return code

    def c_Contains(self, n: ir.Contains, scopes, f):
        items = n.items.items if isinstance(n.items, ir.SetLiteral) else (n.items,)
        if isinstance(n.collection.type, SetT) and all(isinstance(i, ir.Const) and isinstance(i.value, str)
                                                       for i in items):
            # a set of enum members (validated, never holding unknowns) against constant members:
            # one set operation instead of a scan per item
            t = f.temp()
            coll = self.expr(n.collection, scopes, f)
            wanted = self.const(frozenset(i.value for i in items))
            test = {"all": f"{wanted} <= {t}", "any": f"not {wanted}.isdisjoint({t})",
                    None: f"{self.const(items[0].value)} in {t}"}[n.quant]
            return f"(None if ({t} := {coll}) is None else {test})"
        return (f"_rt.contains({self.expr(n.collection, scopes, f)}, {self.expr(n.items, scopes, f)}, "
                f"{n.quant!r})")

    def c_Cond(self, n: ir.Cond, scopes, f):
        return (f"_rt.cond({self.test(n.test, scopes, f)}, lambda: {self.expr(n.then, scopes, f)}, "
                f"lambda: {self.expr(n.else_, scopes, f)})")

    def c_Present(self, n: ir.Present, scopes, f):
        target = n.target
        if isinstance(target, ir.Field) and not target.over_list and not _is_dynamic(target) \
                and isinstance(target.obj, ir.Field) and target.obj.optional \
                and not target.obj.over_list and not _is_dynamic(target.obj):
            # present(a.b) with a optional: unknown when a is not recorded, false when a is absent
            outer = self.c_Present(ir.Present(target.obj, n.type), scopes, f)
            t = f.temp()
            return f"({self.c_present_in(n, scopes, f)} if ({t} := {outer}) is True else {t})"
        return self.c_present_in(n, scopes, f)

    def c_present_in(self, n: ir.Present, scopes, f):
        """``present(x)`` given that the record holding ``x`` is there or absent (not unrecorded)."""
        target = n.target
        if _two_valued_present(n, scopes, f):  # a required field: there or not, read once at the top
            return f"({self.c_Field(target, scopes, f)} is not None)"
        if isinstance(target, ir.Field) and not target.over_list and not _is_dynamic(target):
            # runtime.present inline, for a validated record (a dict, or None when its parent is absent):
            # null is absent (false); an optional field's missing key is not recorded (unknown)
            base = scopes[-1 - target.depth] if target.obj is None else self.expr(target.obj, scopes, f)
            name = repr(target.name)
            t = base if base.isidentifier() else f.temp()
            bind = t if t == base else f"({t} := {base})"
            there = f"(None if {name} not in {t} else {t}.get({name}) is not None)" if target.optional \
                else f"{t}.get({name}) is not None"
            if target.obj is None and base == f.root:  # the function's own record: never None
                return f"({there})" if t == base else f"(({bind}, {there})[1])"
            return f"(False if {bind} is None else {there})"
        return f"({self.expr(target, scopes, f)} is not None)"

    def c_Builtin(self, n: ir.Builtin, scopes, f):
        args = [self.expr(a, scopes, f) for a in n.args]
        if n.func == "abs":
            return f"_rt.absval({args[0]})"
        return f"_rt.minmax({n.func!r}, [{', '.join(args)}])"


_MIRROR = vocabulary.MIRROR


def _line(n: Any) -> int | None:
    span = getattr(n, "span", None)
    return span.line if span is not None else None


def _conjuncts(n: ir.Node) -> list[ir.Node]:
    if isinstance(n, ir.Logic) and n.op == "and":
        return _conjuncts(n.left) + _conjuncts(n.right)
    return [n]


def _flatten_logic(n: ir.Node, op: str) -> list[ir.Node]:
    out: list[ir.Node] = []
    stack = [n]
    while stack:
        x = stack.pop()
        if isinstance(x, ir.Logic) and x.op == op:
            stack.append(x.right)
            stack.append(x.left)
        else:
            out.append(x)
    return out


def _root_path_key(n: ir.Field) -> tuple | None:
    """A hashable key for a field path read from a scope record, or None."""
    parts = []
    x: Any = n
    while isinstance(x, ir.Field):
        if x.over_list:
            return None
        parts.append((x.name, x.optional, x.list_field, x.scale, x.is_set, x.enum.name if x.enum else None))
        if x.obj is None:
            parts.append(("@depth", x.depth))
            return tuple(reversed(parts))
        x = x.obj
    return None


#: definitions of at most this many IR nodes are written inline where the function's own record uses them
_INLINE_LET_NODES = 40


def _small(node: ir.Node) -> bool:
    return node is not None and sum(1 for _ in ir.walk(node)) <= _INLINE_LET_NODES


def _two_valued_present(n: ir.Node, scopes: list[str], f: _Func) -> bool:
    """`present(field)` of a required field of the function's own record: true or false, never unknown
    (an optional field's missing key is unknown, see runtime.present)."""
    return isinstance(n, ir.Present) and isinstance(n.target, ir.Field) and not _any_optional(n.target) \
        and _hoistable(n.target, scopes, f)


def _any_optional(n: ir.Field) -> bool:
    """Whether ``n`` or a record field it is read through is optional (``present(a.b)`` with ``a?``: unknown
    when ``a`` is not recorded)."""
    while isinstance(n, ir.Field):
        if n.optional:
            return True
        n = n.obj
    return False


def _hoistable(n: ir.Field, scopes: list[str], f: _Func) -> bool:
    """Whether field ``n`` is read from the function's own record by a path of names (read once, at the top)."""
    return _root_path_key(n) is not None and scopes[-1 - _root_depth(n)] == f.root and \
        len(scopes) - 1 - _root_depth(n) == 0 and (n.obj is None or not _is_dynamic(n))


def _root_depth(n: ir.Field) -> int:
    x: Any = n
    while x.obj is not None:
        x = x.obj
    return x.depth
