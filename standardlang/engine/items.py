"""Items of the standard: one outcome per item and record, rolled up from its rules' verdicts.

Takes the checked items of a spec (``CheckedSpec.items``) and the verdicts of a record
(or of a report); gives :class:`ItemResult` per item and record, and :class:`ItemSummary`
per item over a group of records (a district, the city).

The roll-up, as officials count items ("this community meets 14 of 20 items"):

* **met** (``pass``) when every applicable ``shall`` rule of the item passes;
* **not met** (``fail``) when one ``shall`` rule fails;
* **error** when none fails but one could not be judged because a value is malformed;
* **unknown** when none fails or errs but one is unknown (data not recorded);
* **not applicable** when no ``shall`` rule of the item applies to the record.

``should`` and ``may`` rules never decide an item: their verdicts are shown beside it
(``recommendations``, ``permissions``), so a failed recommendation is never read as an
unmet item. Rules outside any item are not part of any item result.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

import attrs

from standardlang.engine.verdict import Status
from standardlang.lang.model import CheckedItem

OUTCOME_WORDS = {
    "en": {Status.PASS: "met", Status.FAIL: "not met", Status.UNKNOWN: "unknown",
           Status.NOT_APPLICABLE: "not applicable", Status.ERROR: "error"},
    "zh": {Status.PASS: "达到", Status.FAIL: "未达到", Status.UNKNOWN: "未知",
           Status.NOT_APPLICABLE: "不适用", Status.ERROR: "数据错误"},
}


def outcome_word(status: Status | str, lang: str = "en") -> str:
    """How an item outcome reads: met / not met / unknown / not applicable / error (达到 / 未达到 ...)."""
    return OUTCOME_WORDS.get(lang, OUTCOME_WORDS["en"])[Status(status)]


def roll_up(verdicts: Iterable[Any]) -> Status:
    """The item outcome from its rules' verdicts (only ``shall`` verdicts decide; see the module)."""
    shall = [v.status for v in verdicts if v.rule.strength == "shall"]
    for status in (Status.FAIL, Status.ERROR, Status.UNKNOWN):
        if status in shall:
            return status
    if any(s is Status.PASS for s in shall):
        return Status.PASS
    return Status.NOT_APPLICABLE


@attrs.frozen
class ItemResult:
    """One item for one record: the outcome and the verdicts it rolls up from."""

    item: CheckedItem
    record_id: str | None
    status: Status
    verdicts: tuple = ()

    @property
    def id(self) -> str:
        return self.item.id

    @property
    def title(self) -> str:
        return self.item.title

    def beside(self, strength: str) -> dict[str, int]:
        """Counts by status of the item's ``should`` or ``may`` verdicts (shown beside the outcome)."""
        return dict(Counter(v.status.value for v in self.verdicts if v.rule.strength == strength))

    def to_dict(self) -> dict:
        return {"item": self.item.id, "title": self.item.title, "goal": self.item.goal_id,
                "status": self.status.value,
                "rules": {v.rule.id: v.status.value for v in self.verdicts},
                "failed": [v.rule.id for v in self.verdicts if v.rule.strength == "shall" and v.status is Status.FAIL],
                "unknown": [v.rule.id for v in self.verdicts
                            if v.rule.strength == "shall" and v.status is Status.UNKNOWN],
                "recommendations": self.beside("should"), "permissions": self.beside("may")}


def record_items(items: Iterable[CheckedItem], verdicts: Iterable[Any], record_id: str | None = None) -> list[ItemResult]:
    """The item results of one record, from its verdicts (an item none of whose rules was judged is left out)."""
    by_rule: dict[str, Any] = {v.rule.id: v for v in verdicts}
    out = []
    for item in items:
        vs = tuple(by_rule[r] for r in item.rule_ids if r in by_rule)
        if vs:
            out.append(ItemResult(item, record_id, roll_up(vs), vs))
    return out


@attrs.frozen
class ItemSummary:
    """One item over a group of records: how many met it, did not, could not be judged."""

    item: CheckedItem
    group: str  # the group's name ("" for all records: the city)
    counts: dict = attrs.field(factory=dict)  # status value -> number of records

    @property
    def judged(self) -> int:
        return sum(self.counts.values())

    def to_dict(self) -> dict:
        return {"item": self.item.id, "title": self.item.title, "group": self.group,
                **{s.value: self.counts.get(s.value, 0) for s in Status}}


def summarize(results: Iterable[ItemResult], items: Iterable[CheckedItem], group: str = "") -> list[ItemSummary]:
    """Per item, the count of records by outcome (every item listed, in the spec's order)."""
    counts: dict[str, Counter] = {}
    for r in results:
        counts.setdefault(r.item.id, Counter())[r.status.value] += 1
    return [ItemSummary(item, group, dict(counts.get(item.id, {}))) for item in items]


def group_field(spec: Any, entity: str) -> str | None:
    """The field that names a record's group for item summaries: ``district`` (or 区), if the entity has one."""
    rec = spec.entities.get(entity)
    if rec is None:
        return None
    for name, info in rec.fields.items():
        if name == "district" or (info.label or "") in ("区", "所在区"):
            return name
    return None
