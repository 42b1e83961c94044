"""The planner: what to build so that the records pass.

Takes loaded specs and an inventory; gives, per failed rule and item, the nearest
passing change (:mod:`~standardlang.planning.shortfall`), for every unknown
verdict the values that would decide it (:mod:`~standardlang.planning.deciding`).
"""

from standardlang.planning.changes import Change, Option, apply
from standardlang.planning.shortfall import ItemShortfall, Planner, RuleShortfall, fixed_fields, shortfalls



def plan(specs, data, projects=None, until=None, fixed=None):
    """The plan for ``data`` against ``specs`` (a Spec or a list), with a what-if when ``projects`` are given.

    Args:
        specs: loaded specs (``sl.load``).
        data: records, collections or an inventory (what ``Spec.evaluate`` takes).
        projects: a list of :class:`~standardlang.planning.projects.Project`, or a file path.
        until: the last year of the what-if (default: the specs' deadline, else 2025).
        fixed: field paths the plan must not change (default: read from the specs).
    """
    from standardlang.planning.places import make_plan
    from standardlang.planning.projects import read_projects, what_if

    specs = list(specs) if isinstance(specs, (list, tuple)) else [specs]
    inventories = {s.name: s.inventory(data) for s in specs}
    result = make_plan(specs, None, fixed, inventories)
    if projects is not None:
        if isinstance(projects, str):
            projects = read_projects(projects)
        result.whatif = what_if(specs, inventories, projects, until)
    return result


__all__ = ["plan", "Change", "Option", "apply", "Planner", "RuleShortfall", "ItemShortfall", "fixed_fields", "shortfalls"]
