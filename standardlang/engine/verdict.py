"""Verdicts, explanations and reports: the results users read.

Plain attrs data with ``to_dict()`` for JSON and ``render()`` for text.  A
:class:`Verdict` knows its status at once; its explanation is built only when
asked for (by the reference interpreter), so bulk evaluation stays fast.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import attrs

from standardlang.lang import vocabulary
from standardlang.status import SYMBOLS, Status  # noqa: F401 - re-exported: the historical home


def format_number(value: Any, unit: str = "", against: Any = None, lang: str = "en") -> str:
    """Show a value with its unit, by one rule: exact when it has at most 2 decimals (2200 m²,
    33.25 %), else ``≈`` and 2 decimals (≈4.33 %, ≈47.24 %).

    ``against`` is a threshold the value is compared with: a value that differs from it is
    given as many more decimals as it takes never to read as the threshold, or as lying on
    its other side (32.999 beside 33 reads ≈32.999, not ≈33).

    A partly known value (an aggregate over a list with unknown elements) shows what
    is known: ``60 %–80 %``, ``at least 2`` (``至少 2``, ``lang="zh"``), ``at most 5 m²``.
    """
    if value is None:
        return "unknown"
    from standardlang.backends.python.runtime import Bounds

    if isinstance(value, Bounds):
        least, most = vocabulary.VALUE_RANGE_WORDS.get(lang, vocabulary.VALUE_RANGE_WORDS["en"])
        if value.hi is None:
            return least.format(v=format_number(value.lo, unit, against))
        if value.lo is None:
            return most.format(v=format_number(value.hi, unit, against))
        return f"{format_number(value.lo, unit, against)}–{format_number(value.hi, unit, against)}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Fraction)):
        from standardlang.lang.units import UNITS

        v = _exact(value)
        if unit in UNITS:  # values are held in base units (m², m, min, ratio): show them in `unit`
            v = v / UNITS[unit][1]
        text = _decimal(v)
        if isinstance(against, (int, float, Fraction)) and not isinstance(against, bool) and text.startswith("≈"):
            t = _exact(against) / (UNITS[unit][1] if unit in UNITS else 1)
            places = 2
            while places < 12 and v != t and _crosses(v, t, places):
                places += 1
                text = "≈" + _fixed(v, places)
        if unit in ("%", "‰"):
            return f"{text} {unit}"
        return f"{text} {unit}".rstrip()
    if isinstance(value, (set, frozenset, list, tuple)):
        return "{" + ", ".join(sorted(format_number(v) for v in value)) + "}"
    return str(value)


def _exact(value: Any) -> Fraction:
    return Fraction(value) if not isinstance(value, float) else Fraction(repr(value))


def _crosses(v: Fraction, threshold: Fraction, places: int) -> bool:
    """Whether ``v`` rounded to ``places`` decimals equals ``threshold`` or lies on its other side."""
    shown = Fraction(round(v * 10 ** places), 10 ** places)
    return (shown > threshold) != (v > threshold) or (shown < threshold) != (v < threshold)


def _decimal(v: Fraction) -> str:
    if abs(v.numerator).bit_length() > 3000 or v.denominator.bit_length() > 3000:
        import math

        if v == 0:
            return "0"
        exp = math.floor(math.log10(abs(v.numerator)) - math.log10(v.denominator))
        return f"{'-' if v < 0 else ''}≈10^{exp}"
    if v.denominator == 1:
        return str(v.numerator)
    # exact when it terminates within 2 decimals (2200.5, 33.25); else ≈ with 2 decimals
    if Fraction(round(v * 100), 100) == v:
        return _fixed(v, 2)
    return "≈" + _fixed(v, 2)


def _fixed(v: Fraction, places: int) -> str:
    scale = 10 ** places
    scaled = round(v * scale)
    sign = "-" if scaled < 0 else ""
    whole, frac = divmod(abs(scaled), scale)
    return f"{sign}{whole}.{frac:0{places}d}".rstrip("0").rstrip(".")


@attrs.frozen
class Check:
    """One condition of an explanation: what was tested, the values, whether it held."""

    text: str
    held: bool | None
    detail: str
    children: tuple["Check", ...] = ()
    missing: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        d: dict[str, Any] = {"condition": self.text, "held": self.held, "detail": self.detail}
        if self.children:
            d["children"] = [c.to_dict() for c in self.children]
        if self.missing:
            d["missing"] = list(self.missing)
        return d

    def render(self, indent: int = 2) -> list[str]:
        mark = {True: "✓", False: "✗", None: "?"}[self.held]
        lines = [" " * indent + f"{mark} {self.detail}"]
        for c in self.children:
            lines.extend(c.render(indent + 2))
        return lines


_WORDS = vocabulary.EXPLANATION_WORDS


@attrs.frozen
class Explanation:
    """Why a rule gave its verdict for one record."""

    rule_id: str
    title: str | None
    status: Status
    strength: str
    cites: tuple[str, ...] = ()
    readings: tuple[str, ...] = ()
    applies: Check | None = None
    checks: tuple[Check, ...] = ()
    alternatives: tuple[tuple[str, str | None, tuple[Check, ...]], ...] = ()
    missing: tuple[str, ...] = ()
    error: str | None = None
    goal: str | None = None
    record_id: str | None = None
    lang: str = "en"
    reason: str | None = None  # "not_adopted": a permission (可) not taken up, hence not applicable

    def to_dict(self) -> dict:
        d: dict[str, Any] = {
            "rule": self.rule_id, "title": self.title, "status": self.status.value,
            "strength": self.strength, "cites": list(self.cites), "readings": list(self.readings),
            "checks": [c.to_dict() for c in self.checks], "missing": list(self.missing),
        }
        if self.applies is not None:
            d["applies"] = self.applies.to_dict()
        if self.alternatives:
            d["alternatives"] = [{"name": n, "title": t, "checks": [c.to_dict() for c in cs]}
                                 for n, t, cs in self.alternatives]
        if self.error:
            d["error"] = self.error
        if self.reason:
            d["reason"] = self.reason
        return d

    def render(self) -> str:
        from standardlang.lang.model import STRENGTH_ZH

        zh = self.lang == "zh"
        w = _WORDS["zh" if zh else "en"]
        status = w.get(self.status.value, self.status.value)
        head = f"{SYMBOLS[self.status]} {status}  {self.rule_id}"
        if self.title:
            head += f" {self.title}"
        head += f"  [{self.strength} {STRENGTH_ZH.get(self.strength, '')}]"
        if self.record_id is not None:
            head += f"  {w['record']} {self.record_id}"
        lines = [head]
        if self.error:
            lines.append(f"  ! {self.error}")
        if self.reason == "not_adopted":
            lines.append(f"  {w['not_adopted']}")
        if self.applies is not None:
            lines.append(f"  {w['applies']}")
            lines.extend(self.applies.render(4))
        if self.checks:
            lines.append(f"  {w['requires']}")
            for c in self.checks:
                lines.extend(c.render(4))
        for name, title, checks in self.alternatives:
            lines.append(f"  {w['alternative']} {name}" + (f" {title}" if title else "") + ":")
            for c in checks:
                lines.extend(c.render(4))
        if self.missing:
            lines.append(f"  {w['missing']} " + ", ".join(self.missing))
        for cite in self.cites:
            where = f"{self.goal}.{self.rule_id.split('.')[0]}" if self.goal else self.rule_id
            lines.append(f"  {w['source']} ({where}): {cite}")
        for reading in self.readings:
            lines.append(f"  {w['reading']} {reading}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()
