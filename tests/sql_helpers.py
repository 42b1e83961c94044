"""What the SQL engine tests share: the Python path's verdicts, an engine's, and their differences.

Takes a loaded spec and data (records, or a mapping of collections) for the Python path, and an
engine run (``DuckDBRun``, ``PostgresRun``, ``SparkRun``: anything with ``entities()`` and
``table(entity)``) for the SQL path; gives both as ``{(entity, index, rule or indicator):
(status, value)}`` and the list of keys where they differ, so every engine's test compares
the same way.  Also the one boundary example every engine's differential property starts from.
"""

from __future__ import annotations

from standardlang.cli.sql_engine import indicator_value
from standardlang.lang.parser import parse_expression

import strategies as S


def python_results(spec, data, entity=None) -> dict:
    """{(entity, index, rule or indicator): (status, value)} on the Python path."""
    rep = spec.evaluate(data, entity=entity)
    out = {}
    seen: dict[str, int] = {}
    for rr in rep.results:
        i = seen[rr.entity] = seen.get(rr.entity, -1) + 1
        for v in rr.verdicts:
            out[(rr.entity, i, v.rule.id)] = (v.status.value, None)
    counters: dict[tuple, int] = {}
    for r in rep.indicators:
        k = (r.indicator.id, r.entity)
        i = counters[k] = counters.get(k, -1) + 1
        out[(r.entity, i, r.indicator.id)] = (r.status.value, r.value)
    return out


def engine_results(run, spec) -> dict:
    """The same keys from an engine run's verdict tables (one table per entity level)."""
    out = {}
    for ent in run.entities():
        for i, row in enumerate(run.table(ent).to_pylist()):
            for r in spec.checked.rules:
                if r.entity == ent:
                    out[(ent, i, r.id)] = (row[r.id], None)
            for ind in spec.checked.indicators:
                if ind.value_for(ent) is not None:
                    out[(ent, i, ind.id)] = (row[ind.id], indicator_value(row, ind.id))
    return out


def judged(run, spec, sources, data, entity=None) -> list:
    """Add ``sources`` to ``run`` (a source, or (source, entity) pairs), judge, close; the mismatches
    with the Python path on ``data`` as (key, Python's, the engine's)."""
    try:
        if isinstance(sources, list) and sources and isinstance(sources[0], tuple):
            for source, ent in sources:
                run.add(source, ent)
        else:
            run.add(sources, entity)
        got = engine_results(run, spec)
    finally:
        run.close()
    want = python_results(spec, data, entity)
    assert set(got) == set(want), f"{type(run).__name__} judged other records or rules"
    return [(k, want[k], got[k]) for k in want if want[k] != got[k]]


# values on the boundary of a comparison, missing and null values, and partly known aggregates:
# the explicit example of every engine's differential property
BOUNDARY = (S.condition_spec([parse_expression(t) for t in (
    "households >= 100", "plot.area <= 2 ha", "count(shops where open) >= 1", "present(school)",
    "sum(shops.area) > 100 m2")]),
    [{"households": 100, "plot": {"area": 20000}, "shops": [{"open": True, "area": 100}], "school": None},
     {"households": 99, "shops": [{"open": None, "area": 10}, {}]}])
