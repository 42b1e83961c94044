"""The list operations the SQL compiler uses, in one place: the vocabulary a dialect must render.

Takes sqlglot expressions of list values (a ``LIST``/``ARRAY`` column, a list built by
another operation) and gives expressions over them.  Every list operation of the
compiler goes through one of these functions; they emit DuckDB's list functions as
``exp.Anonymous`` calls with ``exp.Lambda`` arguments (:data:`FUNCTIONS` lists them), so
that another dialect renders the same tree by one rewrite of these names (Spark's
higher-order functions ``transform``/``filter``/``aggregate``, or ``UNNEST`` subqueries in
PostgreSQL), see docs/sql.md.  Lambda parameters are compiler-made identifiers (``_e1``,
``_k``...), never names from a spec.
"""

from __future__ import annotations

from sqlglot import exp

from standardlang.backends.sql.values import call, lit

#: name -> (arguments, meaning); what a dialect must provide
FUNCTIONS = {
    "list_transform": ("list, x -> f(x)", "[f(x) for x in list], NULL if list is NULL"),
    "list_filter": ("list, x -> p(x)", "[x for x in list if p(x) is true]"),
    "len": ("list", "number of elements (NULL elements count)"),
    "list_count": ("list", "number of non-NULL elements"),
    "list_sum": ("list", "sum of the non-NULL elements; NULL for an empty list"),
    "list_min": ("list", "least non-NULL element; NULL if none"),
    "list_max": ("list", "greatest non-NULL element; NULL if none"),
    "list_bool_or": ("list of booleans", "true if one is true, else false if one is false, else NULL"),
    "list_contains": ("list, value", "whether a non-NULL element equals value"),
    "list_has_all": ("list, list", "whether every element of the second is in the first"),
    "list_has_any": ("list, list", "whether some element of the second is in the first"),
    "list_sort": ("list, 'ASC' | 'DESC'", "sorted, NULLs last"),
    "list_slice": ("list, 1, k", "the first k elements (1-based, inclusive)"),
    "list_extract": ("list, k", "the k-th element, 1-based"),
    "range": ("1, n + 1", "[1, 2, ..., n]"),
    "flatten": ("list of lists", "the concatenation"),
}


def transform(items: exp.Expression, param: exp.Identifier, body: exp.Expression) -> exp.Expression:
    if isinstance(body, exp.Identifier) and body.name == param.name:  # x -> x
        return items
    return call("list_transform", items, exp.Lambda(this=body, expressions=[param]))


def keep(items: exp.Expression, param: exp.Identifier, cond: exp.Expression) -> exp.Expression:
    return call("list_filter", items, exp.Lambda(this=cond, expressions=[param]))


def length(items: exp.Expression) -> exp.Expression:
    return call("len", items)


def known(items: exp.Expression) -> exp.Expression:
    return call("list_count", items)


def total(items: exp.Expression) -> exp.Expression:
    return call("list_sum", items)


def least(items: exp.Expression) -> exp.Expression:
    return call("list_min", items)


def greatest(items: exp.Expression) -> exp.Expression:
    return call("list_max", items)


def any_true(flags: exp.Expression) -> exp.Expression:
    return call("list_bool_or", flags)


def contains(items: exp.Expression, value: exp.Expression) -> exp.Expression:
    return call("list_contains", items, value)


def has_all(items: exp.Expression, wanted: exp.Expression) -> exp.Expression:
    return call("list_has_all", items, wanted)


def has_any(items: exp.Expression, wanted: exp.Expression) -> exp.Expression:
    return call("list_has_any", items, wanted)


def sort(items: exp.Expression, descending: bool = False) -> exp.Expression:
    return call("list_sort", items, lit("DESC" if descending else "ASC"))


def first(items: exp.Expression, k: exp.Expression) -> exp.Expression:
    return call("list_slice", items, lit(1), k)


def at(items: exp.Expression, k: exp.Expression) -> exp.Expression:
    return call("list_extract", items, k)


def one_to(n: exp.Expression) -> exp.Expression:
    return call("range", lit(1), exp.Add(this=exp.Paren(this=n), expression=lit(1)))


def flatten(items: exp.Expression) -> exp.Expression:
    return call("flatten", items)
