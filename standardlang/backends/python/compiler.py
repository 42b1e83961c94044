"""Compile checked IR to Python evaluators.

Takes a :class:`~standardlang.lang.model.CheckedSpec` (or one IR expression) and gives
plain Python functions that do no parsing, name resolution or unit handling at
evaluation time.  Source is generated and compiled under the file name
``<standardlang:NAME>``.  No text from a spec or a record reaches the generated
code except as a ``repr`` literal (an escaped Python string or int) or as a
constant passed in the namespace; every identifier in it is mangled (``_p3``,
``_L2``).  Data is reached only through ``dict.get`` and :mod:`.runtime`.
A function whose source Python cannot compile (absurd nesting) falls back to the
reference interpreter, so behaviour never differs.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any, Callable

from standardlang.lang import ir, vocabulary
from standardlang.backends.python import runtime
from standardlang.backends.python.interpreter import Interpreter
from standardlang.lang.model import CheckedRule
from standardlang.lang.types import Dynamic, LetInfo, ListT, Num
from standardlang.engine.verdict import Status

_INLINE = (bool, int, type(None))


class _Func:
    """Generation state of one Python function."""

    def __init__(self, root: str):
        self.root = root
        self.temps = 0
        self.hoisted: dict[tuple, str] = {}
        self.prelude: list[str] = []

    def temp(self) -> str:
        self.temps += 1
        return f"_t{self.temps}"


class Compiler:
    def __init__(self, lets: dict[str, LetInfo], name: str = "spec"):
        self.lets = lets
        self.name = name
        self.namespace: dict[str, Any] = {
            "_rt": runtime, "_q": runtime.q, "_PASS": Status.PASS, "_FAIL": Status.FAIL,
            "_UNK": Status.UNKNOWN, "_NA": Status.NOT_APPLICABLE, "_ERR": Status.ERROR,
        }
        self.consts: dict[Any, str] = {}
        self.pending: list[tuple[str, str, Callable]] = []
        self.batch = False
        self.let_funcs: dict[str, str] = {}
        self.sources: list[str] = []
        self.interp = Interpreter(lets)

    # ---------------------------------------------------------------- constants
    def const(self, value: Any) -> str:
        if value.__class__ in _INLINE:
            return repr(value)
        if isinstance(value, str):
            return repr(value)  # an escaped literal
        key = (type(value).__name__, repr(value) if not isinstance(value, (dict, frozenset)) else id(value))
        if key not in self.consts:
            name = f"_k{len(self.consts)}"
            self.consts[key] = name
            self.namespace[name] = value
        return self.consts[key]

    # ---------------------------------------------------------------- functions
    def define(self, name: str, params: str, body: list[str], fallback: Callable) -> Any:
        """Queue a function; in batch mode give a :class:`FunctionRef`, else the function."""
        src = f"def {name}({params}):\n" + "\n".join("    " + line for line in body) + "\n"
        self.pending.append((name, src, fallback))
        if self.batch:
            return FunctionRef(self, name)
        self.finish()
        return self.namespace[name]

    def finish(self) -> None:
        """Compile every queued function: all in one go, or one by one if that fails."""
        pending, self.pending = self.pending, []
        if not pending:
            return
        filename = f"<standardlang:{self.name}>"
        try:
            code = compile("\n".join(src for _, src, _ in pending), filename, "exec")
            exec(code, self.namespace)  # noqa: S102 - generated from the checked IR only
            self.sources.extend(src for _, src, _ in pending)
            return
        except (SyntaxError, RecursionError, MemoryError, ValueError):
            pass
        for name, src, fallback in pending:
            try:
                exec(compile(src, filename, "exec"), self.namespace)  # noqa: S102
                self.sources.append(src)
            except (SyntaxError, RecursionError, MemoryError, ValueError):
                self.namespace[name] = fallback

    def let_func(self, key: str) -> str:
        if key in self.let_funcs:
            return self.let_funcs[key]
        name = f"_L{len(self.let_funcs)}"
        self.let_funcs[key] = name
        info = self.lets[key]
        f = _Func("_s0")
        expr = self.expr(info.ir, ["_s0"], f)
        body = ["if _s0 is None:", "    return None", *f.prelude, f"return {expr}"]
        interp = self.interp
        node = info.ir

        def fallback(record, _node=node):
            return None if record is None else interp.eval(_node, [record])

        self.define(name, "_s0", body, fallback)
        return name

    def compile_rule(self, rule: CheckedRule, verdict_owner: Any = None) -> Callable[[Any], Any]:
        """A function record -> Status (PASS/FAIL/UNKNOWN/NOT_APPLICABLE/ERROR).

        With ``verdict_owner``, the function returns a :class:`~standardlang.engine.evaluate.Verdict`
        built inline (the fast path of ``Expression.evaluate``).
        """
        f = _Func("_r")
        body: list[str] = []
        if rule.applies is not None:
            body.append(f"_a = {self.expr(rule.applies, ['_r'], f)}")
            body.append("if _a is not True:")
            body.append("    return _NA if _a is False else _UNK")
        conjuncts = [c for r in rule.requires for c in _conjuncts(r)]
        if not rule.alternatives:
            body.append("_u = False")
            for c in conjuncts:
                simple = self.simple_compare(c, f)
                if simple is not None:
                    var, test = simple
                    body.append(f"if {var} is None:")
                    body.append("    _u = True")
                    body.append(f"elif not ({test}):")
                    body.append("    return _FAIL")
                    continue
                body.append(f"_v = {self.expr(c, ['_r'], f)}")
                body.append("if _v is not True:")
                body.append("    if _v is False:")
                body.append("        return _FAIL")
                body.append("    _u = True")
            body.append("return _UNK if _u else _PASS")
        else:
            body.append(f"_h = {self.and_expr(conjuncts, ['_r'], f)}")
            body.append("if _h is True:")
            body.append("    return _PASS")
            for alt in rule.alternatives:
                parts = ([alt.applies] if alt.applies is not None else []) + \
                    [c for r in alt.requires for c in _conjuncts(r)]
                body.append(f"_x = {self.and_expr(parts, ['_r'], f)}")
                body.append("if _x is True:")
                body.append("    return _PASS")
                body.append("_h = None if (_h is None or _x is None) else False")
            body.append("return _FAIL if _h is False else _UNK")
        fallback = _rule_fallback(rule, self.interp)
        fb = self.const_object(fallback)
        # data the fast path cannot read (a list where a record was expected...) is judged by
        # the reference interpreter, which gives the verdict or the error
        full = ["try:"] + ["    " + line for line in f.prelude + body] + \
               ["except Exception:", f"    return {fb}(_r)"]
        name = f"_R{len(self.sources) + len(self.pending)}"
        if verdict_owner is not None:
            from standardlang.engine.evaluate import Verdict

            from standardlang.engine.evaluate import VERDICT_CLASS

            self.namespace["_tnew"] = tuple.__new__
            for status, cls in VERDICT_CLASS.items():
                self.namespace["_V" + {"pass": "PASS", "fail": "FAIL", "unknown": "UNK", "not_applicable": "NA",
                                       "error": "ERR"}[status.value]] = cls
            from standardlang.engine.evaluate import VerdictContext

            ctx = self.const_object(VerdictContext(rule, verdict_owner))

            fbv = self.const_object(lambda record, _status=fallback: Verdict(rule, _status(record), record,
                                                                             verdict_owner))

            def wrap(line: str) -> str:
                m = re.fullmatch(r"(\s*)return (.+)", line)
                if m is None:
                    return line
                if m.group(2) == f"{fb}(_r)":
                    return f"{m.group(1)}return {fbv}(_r)"
                cls = re.sub(r"\b_(PASS|FAIL|UNK|NA|ERR)\b", r"_V\1", m.group(2))
                return f"{m.group(1)}return _tnew({cls}, ({ctx}, _r))"

            full = [wrap(line) for line in full]

            def fallback(record, _status=fallback):  # noqa: F811
                return Verdict(rule, _status(record), record, verdict_owner)

        return self.define(name, "_r", full, fallback)

    def const_object(self, value: Any) -> str:
        """A namespace name bound to an arbitrary object (never inlined as source)."""
        name = f"_o{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def simple_compare(self, c: ir.Node, f: _Func) -> tuple[str, str] | None:
        """(variable, test) for `hoisted field OP int constant`, else None."""
        if not (isinstance(c, ir.Compare) and isinstance(c.left, ir.Field) and isinstance(c.right, ir.Const)):
            return None
        v = c.right.value
        if v.__class__ is not int or c.op in ("==", "!="):
            return None
        var = self.expr(c.left, ["_r"], f)
        if not re.fullmatch(r"_p\d+", var):
            return None
        return var, f"{var} {c.op} {v!r}"

    def compile_value(self, node: ir.Node, label: str = "value") -> Callable[[Any], Any]:
        """A function record -> value (None for unknown); raises on malformed data."""
        f = _Func("_r")
        expr = self.expr(node, ["_r"], f)
        interp = self.interp
        fb = self.const_object(lambda record: interp.eval(node, [record]))
        body = ["try:", *("    " + line for line in f.prelude), f"    return _rt.exact({expr})",
                "except Exception:", f"    return {fb}(_r)"]
        name = f"_V{len(self.sources) + len(self.pending)}"
        return self.define(name, "_r", body, lambda record: interp.eval(node, [record]))

    # ---------------------------------------------------------------- expressions
    def expr(self, n: ir.Node, scopes: list[str], f: _Func) -> str:
        method = getattr(self, "c_" + type(n).__name__, None)
        if method is None:
            raise AssertionError(f"compiler: unhandled node {type(n).__name__}")
        return method(n, scopes, f)

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
            return self.expr(parts[0], scopes, f)
        temps = []
        code = ""
        for p in parts:
            t = f.temp()
            temps.append(t)
            code += f"({decisive!r} if ({t} := {self.expr(p, scopes, f)}) is {decisive!r} else "
        code += "(None if " + " or ".join(f"{t} is None" for t in temps) + f" else {not decisive!r})" + ")" * len(parts)
        return code

    def c_Const(self, n: ir.Const, scopes, f):
        return self.const(n.value)

    def read(self, n: ir.Field, base: str, base_may_be_none: bool, f: _Func) -> str:
        if base_may_be_none and re.fullmatch(r"_[a-z]\d*", base):
            code = f"(None if {base} is None else {base}.get({n.name!r}))"
        elif base_may_be_none:
            t = f.temp()
            code = f"(None if ({t} := {base}) is None else {t}.get({n.name!r}))"
        else:
            code = f"{base}.get({n.name!r})"
        if n.scale is not None:
            code = f"_rt.scaled({code}, {self.const(n.scale)})"
        elif n.is_set and n.enum is not None:
            code = f"_rt.enumset({code}, {self.const(n.enum.lookup())})"
        elif n.enum is not None:
            code = f"_rt.enum({code}, {self.const(n.enum.lookup())})"
        if n.optional and n.list_field:
            code = f"_rt.olist({code})"
        return code

    def c_Field(self, n: ir.Field, scopes, f: _Func):
        key = _root_path_key(n)
        if key is not None and scopes[-1 - _root_depth(n)] == f.root:
            if len(scopes) - 1 - _root_depth(n) == 0:
                if key not in f.hoisted:
                    if n.obj is None:
                        code = self.read(n, f.root, False, f)
                    else:
                        code = self.read(n, self.expr(n.obj, scopes, f), True, f)
                    var = f"_p{len(f.hoisted)}"
                    f.hoisted[key] = var
                    f.prelude.append(f"{var} = {code}")
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
        inner = self.expr(n.operand, scopes, f)
        if n.op == "not":
            return f"(None if ({t} := {inner}) is None else not {t})"
        return f"(None if ({t} := {inner}) is None else -_q({t}))"

    def c_Binary(self, n: ir.Binary, scopes, f):
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
        if isinstance(right, ir.Const) and right.value is not None:
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
                return f"(None if ({t} := {lhs}) is None else {t} {op} {v!r})"
            elif isinstance(v, Fraction):
                return f"(None if ({t} := {lhs}) is None else _q({t}) {op} {self.const(v)})"
        return f"_rt.compare({op!r}, {self.expr(left, scopes, f)}, {self.expr(right, scopes, f)})"

    def c_Between(self, n: ir.Between, scopes, f):
        return (f"_rt.between({self.expr(n.value, scopes, f)}, {self.expr(n.low, scopes, f)}, "
                f"{self.expr(n.high, scopes, f)})")

    def c_SetLiteral(self, n: ir.SetLiteral, scopes, f):
        return "[" + ", ".join(self.expr(i, scopes, f) for i in n.items) + "]"

    def c_Member(self, n: ir.Member, scopes, f):
        code = f"_rt.member({self.expr(n.value, scopes, f)}, {self.expr(n.collection, scopes, f)})"
        if n.negated:
            t = f.temp()
            code = f"(None if ({t} := {code}) is None else not {t})"
        return code

    def c_Contains(self, n: ir.Contains, scopes, f):
        return (f"_rt.contains({self.expr(n.collection, scopes, f)}, {self.expr(n.items, scopes, f)}, "
                f"{n.quant!r})")

    def c_Cond(self, n: ir.Cond, scopes, f):
        return (f"_rt.cond({self.expr(n.test, scopes, f)}, lambda: {self.expr(n.then, scopes, f)}, "
                f"lambda: {self.expr(n.else_, scopes, f)})")

    def c_Present(self, n: ir.Present, scopes, f):
        target = n.target
        if isinstance(target, ir.Field) and not target.over_list:
            base = scopes[-1 - target.depth] if target.obj is None else self.expr(target.obj, scopes, f)
            t = f.temp()
            return f"(({t} := {base}) is not None and {t}.get({target.name!r}) is not None)"
        return f"({self.expr(target, scopes, f)} is not None)"

    def c_Builtin(self, n: ir.Builtin, scopes, f):
        args = [self.expr(a, scopes, f) for a in n.args]
        if n.func == "abs":
            return f"_rt.absval({args[0]})"
        return f"_rt.minmax({n.func!r}, [{', '.join(args)}])"

    def c_Aggregate(self, n: ir.Aggregate, scopes, f):
        coll = self.expr(n.coll, scopes, f)
        var = f"_s{len(scopes)}"
        inner_scopes = scopes + [var]
        item = f"lambda {var}: {self.expr(n.item, inner_scopes, f)}" if n.item is not None else "None"
        where = f"lambda {var}: {self.expr(n.where, inner_scopes, f)}" if n.where is not None else "None"
        return f"_rt.aggregate({n.func!r}, {coll}, {item}, {where})"


class FunctionRef:
    """A function queued in batch mode; ``get()`` after :meth:`Compiler.finish`."""

    __slots__ = ("compiler", "name")

    def __init__(self, compiler: Compiler, name: str):
        self.compiler = compiler
        self.name = name

    def get(self) -> Callable:
        return self.compiler.namespace[self.name]


_MIRROR = vocabulary.MIRROR


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


def _root_depth(n: ir.Field) -> int:
    x: Any = n
    while x.obj is not None:
        x = x.obj
    return x.depth


def _rule_fallback(rule: CheckedRule, interp: Interpreter) -> Callable[[Any], Status]:
    from standardlang.engine.evaluate import rule_status

    def run(record: Any) -> Status:
        try:
            return rule_status(rule, interp, record)
        except Exception:
            return Status.ERROR

    return run
