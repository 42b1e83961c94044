"""Changes to a record, and ways to pass: the data the planner gives.

A :class:`Change` is one edit of a record, in the record's own units (what a
planner would write into the inventory): create a facility, raise or lower a
figure, add members to a set, choose an enum member, append list elements.  An
:class:`Option` is a set of changes that together make a condition hold (one way
to pass); several options are several ways.  ``apply`` performs changes on a
copy of a record, so the reference interpreter can check every proposal.
"""

from __future__ import annotations

import copy
from fractions import Fraction
from typing import Any

import attrs

from standardlang.engine.verdict import format_number
from standardlang.lang.types import ListT, RecordT, SetT

ACTIONS = ("create", "set", "raise", "lower", "add_members", "choose", "append")


@attrs.frozen
class Change:
    """One edit of a record; values are in the record's units (``unit``)."""

    path: str
    action: str  # one of ACTIONS
    before: Any = None
    after: Any = None
    low: Any = None  # the passing values of this field alone: low..high (None: unbounded)
    high: Any = None
    members: tuple = ()  # add_members: the members to add
    choices: tuple = ()  # choose: every member that passes (after is the first)
    count: int = 0  # append: how many elements
    element: Any = None  # append: the smallest element that counts
    unit: str = ""  # the base unit the figures are shown in (m², %, min)
    scale: Fraction = Fraction(1)  # record unit -> base unit
    kind: str = ""  # count | quantity | number: what the figure is

    @property
    def delta(self) -> Any:
        """after − before for a figure (a missing figure counts from 0)."""
        if self.action in ("raise", "lower", "set") and isinstance(self.after, (int, Fraction)) \
                and not isinstance(self.after, bool):
            return exact(self.after) - exact(self.before or 0)
        return None

    @property
    def root(self) -> str:
        return self.path.split(".", 1)[0]

    def to_dict(self) -> dict:
        d: dict[str, Any] = {"path": self.path, "action": self.action}
        for name in ("before", "after", "low", "high"):
            v = getattr(self, name)
            if v is not None or name in ("before", "after"):
                d[name] = json_value(v)
        if self.delta is not None:
            d["delta"] = json_value(self.delta)
        if self.members:
            d["members"] = list(self.members)
        if self.choices:
            d["choices"] = list(self.choices)
        if self.action == "append":
            d["count"] = self.count
            d["element"] = json_value(self.element)
        if self.unit:
            d["unit"] = self.unit
        d["text"] = self.describe("en")
        d["text_zh"] = self.describe("zh")
        return d

    def shown(self, v: Any, lang: str = "en") -> str:
        if isinstance(v, bool) and lang == "zh":
            return "是" if v else "否"
        if isinstance(v, bool) or not isinstance(v, (int, float, Fraction)):
            return format_number(v)
        return format_number(exact(v) * self.scale, self.unit)

    def describe(self, lang: str = "en", labels: dict | None = None) -> str:
        """The change in words; in Chinese with ``labels`` (path -> 幼儿园·建筑面积) naming the fields."""
        zh = lang == "zh"
        if zh and labels and self.path in labels:
            return attrs.evolve(self, path=labels[self.path]).describe(lang)
        a = self.action
        if a == "create":
            return f"新建 {self.path}" if zh else f"build {self.path}"
        if a in ("raise", "lower", "set") and self.delta is not None:
            d = self.delta
            sign = "+" if d >= 0 else "−"
            step = format_number(abs(d) * self.scale, self.unit)
            rng = ""
            if self.low is not None and self.high is not None and self.low != self.high:
                rng = f"(可取 {self.shown(self.low)}—{self.shown(self.high)})" if zh else \
                    f" (any of {self.shown(self.low)}–{self.shown(self.high)} passes)"
            if self.before is None:
                return (f"{self.path} 设为 {self.shown(self.after)}{rng}" if zh
                        else f"{self.path}: set to {self.shown(self.after)}{rng}")
            return (f"{self.path} {sign}{step}:{self.shown(self.before)} → {self.shown(self.after)}{rng}" if zh
                    else f"{self.path} {sign}{step}: {self.shown(self.before)} → {self.shown(self.after)}{rng}")
        if a == "set":
            return f"{self.path} 设为 {self.shown(self.after, 'zh')}" if zh else f"{self.path}: set to {self.shown(self.after)}"
        if a == "add_members":
            return (f"{self.path} 增加 {', '.join(self.members)}" if zh
                    else f"{self.path}: add {', '.join(self.members)}")
        if a == "choose":
            if len(self.choices) == 1:
                return f"{self.path} 设为 {self.choices[0]}" if zh else f"{self.path}: set to {self.choices[0]}"
            return (f"{self.path} 取其一:{', '.join(self.choices)}" if zh
                    else f"{self.path}: one of {', '.join(self.choices)}")
        if a == "append":
            what = ", ".join(f"{k} {_shown_plain(v)}" for k, v in (self.element or {}).items())
            return (f"{self.path} 增加 {self.count} 个" + (f"({what})" if what else "") if zh
                    else f"{self.path}: add {self.count}" + (f" ({what})" if what else ""))
        return f"{self.path}: {a}"


def exact(v: Any) -> Fraction:
    """A number as the evaluators read it: a float is the decimal it prints as."""
    return Fraction(repr(v)) if isinstance(v, float) else Fraction(v)


def _shown_plain(v: Any) -> str:
    return format_number(v) if not isinstance(v, dict) else "{…}"


@attrs.frozen
class Option:
    """One way to pass: changes that together make the condition hold."""

    changes: tuple[Change, ...] = ()
    notes: tuple[str, ...] = ()
    solved: bool = True
    label: str | None = None  # the rule's alternative this way takes (None: its main requirements)
    moves: tuple[Change, ...] = ()  # other single-field changes that would do as well (the fields that may move)

    def __add__(self, other: "Option") -> "Option":
        return Option(self.changes + other.changes, self.notes + other.notes, self.solved and other.solved,
                      self.label or other.label, self.moves + other.moves)

    def to_dict(self) -> dict:
        d: dict[str, Any] = {"way": self.label or "main", "solved": self.solved,
                             "changes": [c.to_dict() for c in self.changes]}
        if self.notes:
            d["notes"] = list(self.notes)
        if self.moves:
            d["or_instead"] = [c.to_dict() for c in self.moves]
        return d


def json_value(v: Any) -> Any:
    from standardlang.backends.python.runtime import Bounds

    if isinstance(v, Bounds):  # known only as a range: not one number (value_text shows the range)
        return None
    if isinstance(v, Fraction):
        return int(v) if v.denominator == 1 else float(v)
    if isinstance(v, (set, frozenset, tuple)):
        return sorted(json_value(x) for x in v)
    if isinstance(v, dict):
        return {k: json_value(x) for k, x in v.items()}
    if isinstance(v, list):
        return [json_value(x) for x in v]
    return v


# ---------------------------------------------------------------------- records


def get_path(record: Any, path: str) -> Any:
    """The value at a dotted path; a number part indexes a list (``service_facilities.2.accessible_features``)."""
    cur = record
    for part in path.split("."):
        if isinstance(cur, list) and part.isdigit():
            cur = cur[int(part)] if int(part) < len(cur) else None
            continue
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def set_path(record: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    cur: Any = record
    for part in parts[:-1]:
        if isinstance(cur, list) and part.isdigit():
            cur = cur[int(part)]
            continue
        nxt = cur.get(part)
        if not isinstance(nxt, (dict, list)):
            nxt = cur[part] = {}
        cur = nxt
    cur[parts[-1]] = value


def plain(v: Any) -> Any:
    """A value as data holds it: whole Fractions as int, others as float only when exact decimals."""
    if isinstance(v, Fraction):
        if v.denominator == 1:
            return int(v)
        f = float(v)
        return f if Fraction(repr(f)) == v else v
    return v


def apply(record: Any, changes: Any) -> Any:
    """A copy of ``record`` with ``changes`` made; ``record`` itself is never changed.

    Copy on write: only the records along a changed path are copied (a deep copy
    of every record per proposal was most of the planner's time).
    """
    out = dict(record) if isinstance(record, dict) else {}
    copied: set[int] = {id(out)}
    for c in changes:
        _own_path(out, c.path, copied)
        apply_in_place(out, c)
    return out


def _own_path(record: dict, path: str, copied: set[int]) -> None:
    """Replace the records along ``path`` (not its last part) by copies this edit may change."""
    cur: Any = record
    for part in path.split(".")[:-1]:
        if isinstance(cur, list):
            if not part.isdigit() or int(part) >= len(cur):
                return
            key: Any = int(part)
        else:
            key = part
        nxt = cur[key] if isinstance(cur, list) else cur.get(key)
        if not isinstance(nxt, (dict, list)):
            return
        if id(nxt) not in copied:
            nxt = dict(nxt) if isinstance(nxt, dict) else list(nxt)
            cur[key] = nxt
            copied.add(id(nxt))
        cur = nxt


def apply_in_place(record: dict, c: Change) -> None:
    if c.action == "create":
        if not isinstance(get_path(record, c.path), (dict, list)):
            set_path(record, c.path, [] if isinstance(c.after, list) else {})
    elif c.action in ("set", "raise", "lower", "choose"):
        set_path(record, c.path, plain(c.after))
    elif c.action == "add_members":
        have = get_path(record, c.path) or []
        set_path(record, c.path, list(have) + [m for m in c.members if m not in have])
    elif c.action == "append":
        have = get_path(record, c.path) or []
        set_path(record, c.path, list(have) + [copy.deepcopy(c.element) for _ in range(c.count)])
    else:  # pragma: no cover
        raise AssertionError(f"unknown change {c.action}")


def field_info(rtype: Any, path: str) -> Any:
    """The schema's FieldInfo of a dotted path, or None."""
    t = rtype
    info = None
    for part in path.split("."):
        if isinstance(t, ListT):
            t = t.elem
            if part.isdigit():  # an element of the list
                continue
        if not isinstance(t, RecordT) or part not in t.fields:
            return None
        info = t.fields[part]
        t = info.type
    return info


def is_set_type(t: Any) -> bool:
    return isinstance(t, SetT)


def merge(changes: Any) -> tuple[Change, ...]:
    """One change per path: the first ``before``, the last ``after`` (sequential edits of one record)."""
    out: dict[str, Change] = {}
    for c in changes:
        prev = out.get(c.path)
        if prev is None or prev.action == "create" or c.action == "create":
            if prev is not None and c.action == "create":
                continue
            out[c.path] = c
            continue
        if c.action == "add_members" and prev.action == "add_members":
            out[c.path] = attrs.evolve(prev, members=prev.members + tuple(m for m in c.members
                                                                           if m not in prev.members))
        elif c.action == "append" and prev.action == "append":
            out[c.path] = attrs.evolve(prev, count=prev.count + c.count)
        else:
            low = c.after if c.low is not None or prev.low is not None else None
            out[c.path] = attrs.evolve(c, before=prev.before, low=low if c.action != "choose" else c.low)
    return tuple(out.values())
