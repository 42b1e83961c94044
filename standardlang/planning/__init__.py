"""The planner: what to build so that the records pass.

Takes loaded specs and an inventory; gives, per failed rule and item, the nearest
passing change (:mod:`~standardlang.planning.shortfall`), for every unknown
verdict the values that would decide it (:mod:`~standardlang.planning.deciding`).
"""

from standardlang.planning.changes import Change, Option, apply
from standardlang.planning.shortfall import ItemShortfall, Planner, RuleShortfall, fixed_fields, shortfalls

__all__ = ["Change", "Option", "apply", "Planner", "RuleShortfall", "ItemShortfall", "fixed_fields", "shortfalls"]
