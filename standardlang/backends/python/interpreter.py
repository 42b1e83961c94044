"""The reference interpreter: a plain tree walk over the checked IR.

Takes IR nodes and records; gives three-valued values (``None`` is unknown).  It
is the oracle that the compiled evaluators are tested against, and the engine of
explanations: it can note which fields were missing while evaluating.
:func:`rule_status` is the reference meaning of a rule's verdict.

Data of the wrong shape raises :class:`~.runtime.BadValue` here exactly where the
compiled code raises it (both reach data through :mod:`.runtime`), so the two
can be compared on bad records as well as good ones.
"""

from __future__ import annotations

from typing import Any

from standardlang.lang import ir, ranges
from standardlang.backends.python import runtime as rt
from standardlang.lang.model import CheckedRule
from standardlang.lang.types import Dynamic, LetInfo, ListT
from standardlang.status import Status


def rule_status(rule: CheckedRule, interp: "Interpreter", record: Any) -> Status:
    """The reference semantics of a rule's verdict (the compiled code must agree).

    A permission (可) that was not taken up is not applicable, never failed (see
    :attr:`~standardlang.lang.model.CheckedRule.adoption`).  Raises
    :class:`~.runtime.BadValue` on data of the wrong shape (the engine's error verdict).
    """
    scopes = [record]
    a: Any = True
    if rule.applies is not None:
        a = interp.test(rule.applies, scopes)
        if a is False:
            return Status.NOT_APPLICABLE
        if a is None and rule.adoption is None:  # a permission not taken up is n/a either way: go on
            return Status.UNKNOWN
    passed = Status.PASS if a is True else Status.UNKNOWN
    h = _all_hold(rule.requires, interp, scopes)
    if h is True:
        return passed
    for alt in rule.alternatives:
        x = _all_hold(([alt.applies] if alt.applies is not None else []) + list(alt.requires), interp, scopes)
        if x is True:
            return passed
        h = None if (h is None or x is None) else False
    if h is False and rule.adoption is not None:
        return not_taken_up(rule, interp, scopes, a)
    return Status.FAIL if h is False else Status.UNKNOWN


def not_taken_up(rule: CheckedRule, interp: "Interpreter", scopes: list[Any], applies: Any = True) -> Status:
    """A permission (可) whose requirement failed: a failure only if it applies and was taken up.

    Not taken up, it binds nothing: not applicable, for the reason "not adopted",
    whether it applies or not.
    """
    adopted = _all_hold(rule.adoption, interp, scopes) if rule.adoption else False
    if adopted is False:
        return Status.NOT_APPLICABLE
    return Status.FAIL if adopted is True and applies is True else Status.UNKNOWN


def _all_hold(conditions: Any, interp: "Interpreter", scopes: list[Any]) -> Any:
    """Kleene conjunction of ``conditions``, stopping at the first false one."""
    acc: Any = True
    for c in conditions:
        v = interp.test(c, scopes)
        if v is False:
            return False
        if v is None:
            acc = None
    return acc


#: aggregates whose item is a condition
_BOOL_AGGREGATES = ("all", "any", "count", "share")


class Interpreter:
    """Evaluates IR; ``lets`` maps qualified let names to their definitions."""

    def __init__(self, lets: dict[str, LetInfo] | None = None):
        self.lets = lets or {}
        self._ranges: dict[int, tuple] = {}  # id(aggregate node) -> (node, element range)

    def eval(self, node: ir.Node, scopes: list[Any], missing: list[str] | None = None) -> Any:
        method = getattr(self, "e_" + type(node).__name__, None)
        if method is None:  # pragma: no cover
            raise AssertionError(f"interpreter: unhandled node {type(node).__name__}")
        return method(node, scopes, missing)

    def test(self, node: ir.Node, scopes: list[Any], missing: list[str] | None = None) -> Any:
        """A condition's value; a schemaless value that is not true/false/unknown is bad data."""
        v = self.eval(node, scopes, missing)
        return rt.truth(v) if isinstance(node.type, Dynamic) else v

    # ------------------------------------------------------------------ leaves
    def e_Const(self, n: ir.Const, scopes, missing):
        return n.value

    def read(self, n: ir.Field, obj: Any, missing) -> Any:
        if obj is None:
            # the enclosing record is absent (an optional record not there, or missing data):
            # name the deepest path, so the explanation says which data would decide it
            if missing is not None and not n.optional and not any(
                    n.path.startswith(m + ".") for m in missing):
                missing.append(n.path)
            return None
        if isinstance(n.type, Dynamic) and not isinstance(obj, dict):
            if isinstance(obj, list):
                return [self.read(n, e, missing) for e in obj]
            rt.dget(obj, n.name)  # raises BadValue: not a record
        if n.optional and isinstance(obj, dict) and n.name not in obj:
            # an optional record or list whose key is missing was not recorded (not surveyed): unknown,
            # and the explanation names it; `null` says it is absent (docs/data-model.md)
            if missing is not None:
                missing.append(n.path)
            return None
        v = obj.get(n.name)
        if v is None:
            if n.optional and n.list_field:
                return []
            if missing is not None and not n.optional:
                missing.append(n.path)
            return None
        if n.scale is not None:
            return rt.scaled(v, n.scale)
        if n.is_set:
            return rt.enumset(v, n.enum.lookup())
        if n.enum is not None:
            return rt.enum(v, n.enum.lookup())
        if isinstance(v, float):
            return rt.q(v)
        return v

    def e_Field(self, n: ir.Field, scopes, missing):
        if n.obj is None:
            return self.read(n, scopes[-1 - n.depth], missing)
        obj = self.eval(n.obj, scopes, missing)
        if n.over_list:
            return rt.project(obj, lambda e: self.read(n, e, missing), n.list_field)
        return self.read(n, obj, missing)

    def let_value(self, entity: str, name: str, record: Any, missing) -> Any:
        info = self.lets[f"{entity}.{name}"]
        if record is None:
            return None
        return self.eval(info.ir, [record], missing)

    def e_LetRef(self, n: ir.LetRef, scopes, missing):
        if n.obj is None:
            if n.entity.startswith("goal:"):
                info = self.lets[f"{n.entity}.{n.name}"]
                return self.eval(info.ir, [scopes[0]], missing)
            return self.let_value(n.entity, n.name, scopes[-1 - n.depth], missing)
        obj = self.eval(n.obj, scopes, missing)
        if n.over_list:
            info = self.lets[f"{n.entity}.{n.name}"]
            flatten = isinstance(info.type, ListT)
            return rt.project(obj, lambda e: self.let_value(n.entity, n.name, e, missing), flatten)
        return self.let_value(n.entity, n.name, obj, missing)

    # ------------------------------------------------------------------ operators
    def e_Unary(self, n: ir.Unary, scopes, missing):
        if n.op == "not":
            return rt.not3(self.test(n.operand, scopes, missing))
        return rt.neg(self.eval(n.operand, scopes, missing))

    def e_Binary(self, n: ir.Binary, scopes, missing):
        return rt.arith(n.op, self.eval(n.left, scopes, missing), self.eval(n.right, scopes, missing))

    def e_Logic(self, n: ir.Logic, scopes, missing):
        a = self.test(n.left, scopes, missing)
        if n.op == "and":
            if a is False:
                return False
            return rt.and3(a, self.test(n.right, scopes, missing))
        if a is True:
            return True
        return rt.or3(a, self.test(n.right, scopes, missing))

    def e_Compare(self, n: ir.Compare, scopes, missing):
        return rt.compare(n.op, self.eval(n.left, scopes, missing), self.eval(n.right, scopes, missing))

    def e_Between(self, n: ir.Between, scopes, missing):
        return rt.between(self.eval(n.value, scopes, missing), self.eval(n.low, scopes, missing),
                          self.eval(n.high, scopes, missing))

    def e_SetLiteral(self, n: ir.SetLiteral, scopes, missing):
        return [self.eval(i, scopes, missing) for i in n.items]

    def e_Member(self, n: ir.Member, scopes, missing):
        v = rt.member(self.eval(n.value, scopes, missing), self.eval(n.collection, scopes, missing))
        return rt.not3(v) if n.negated else v

    def e_Contains(self, n: ir.Contains, scopes, missing):
        return rt.contains(self.eval(n.collection, scopes, missing), self.eval(n.items, scopes, missing), n.quant)

    def e_Cond(self, n: ir.Cond, scopes, missing):
        return rt.cond(self.test(n.test, scopes, missing), lambda: self.eval(n.then, scopes, missing),
                       lambda: self.eval(n.else_, scopes, missing))

    def e_Present(self, n: ir.Present, scopes, missing):
        target = n.target
        if isinstance(target, ir.Field) and not target.over_list and not isinstance(target.type, Dynamic):
            if _optional_parent(target):  # present(a.b): unknown when a is not recorded, false when absent
                outer = self.e_Present(ir.Present(target.obj, n.type), scopes, missing)
                if outer is not True:
                    return outer
            obj = scopes[-1 - target.depth] if target.obj is None else self.eval(target.obj, scopes, None)
            v = rt.present(obj, target.name, target.optional)
            if v is None and missing is not None:
                missing.append(target.path)
            return v
        return self.eval(target, scopes, None) is not None

    def e_Builtin(self, n: ir.Builtin, scopes, missing):
        values = [self.eval(a, scopes, missing) for a in n.args]
        if n.func == "abs":
            return rt.absval(values[0])
        return rt.minmax(n.func, values)

    def e_Aggregate(self, n: ir.Aggregate, scopes, missing):
        items = self.eval(n.coll, scopes, missing)
        value = self.test if n.func in _BOOL_AGGREGATES else self.eval
        item = (lambda e: value(n.item, scopes + [e], missing)) if n.item is not None else None
        where = (lambda e: self.test(n.where, scopes + [e], missing)) if n.where is not None else None
        return rt.aggregate(n.func, items, item, where, *self.element_range(n))

    def element_range(self, n: ir.Aggregate) -> tuple:
        """What an unknown element of ``n`` can be (computed once per node)."""
        cached = self._ranges.get(id(n))
        if cached is None or cached[0] is not n:
            cached = self._ranges[id(n)] = (n, ranges.element_range(n, self.lets))
        return cached[1]


def _optional_parent(target: ir.Field) -> bool:
    """Whether ``target`` is a field of an optional record field (``a.b`` with ``a?``), read as a path."""
    obj = target.obj
    return isinstance(obj, ir.Field) and obj.optional and not obj.over_list and not isinstance(obj.type, Dynamic)

