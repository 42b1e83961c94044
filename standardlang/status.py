"""The outcomes of judging one record against one rule, shared by every stage.

Takes nothing; gives :class:`Status` (a str-valued enum) and its display symbols.
It sits low in the package so that a back end (which returns statuses) need not
import the engine (which builds verdicts from them).
"""

from __future__ import annotations

import enum

from standardlang.lang import vocabulary


class Status(str, enum.Enum):
    """The verdict of a rule for one record (a str-valued enum)."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value


SYMBOLS = {Status(s): mark for s, mark in vocabulary.STATUS_SYMBOLS.items()}
