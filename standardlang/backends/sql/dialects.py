"""Lower the SQL compiler's trees to PostgreSQL and Spark SQL: the one dialect hook.

Takes a sqlglot tree built by :mod:`.query` / :mod:`.compiler` (which speak DuckDB: list
functions with lambdas such as ``list_transform(xs, x -> ...)``, JSON functions such as
``json_extract``, ``TRY_CAST``); gives a tree the named dialect runs with the same values:

* **PostgreSQL** has no lambdas: a list function becomes a subquery over ``unnest(...) WITH
  ORDINALITY`` (order kept), its list bound once in a derived table so no expression is
  repeated; lists of records are ``jsonb`` arrays, read with ``jsonb_extract_path``;
  ``json_type`` is computed from ``jsonb_typeof``; ``TRY_CAST`` to a decimal is a range test.
* **Spark** has lambdas under other names (``transform``, ``filter``, ``exists``,
  ``aggregate``, 0-based indexes); records are structs (``x.field``), lists arrays; the row
  number comes from the source (``_sl_row``), as Spark numbers rows only in an ordered window.

Every name and literal stays a sqlglot identifier or literal: the templates below are fixed
text parsed once, and what is put into them are sqlglot trees, never strings.  A function
or node the lowering does not know raises :class:`~.values.SQLCompileError` (never DuckDB
SQL sent to another engine).  Also what the two engines share of reading sources: the record's
position column and the collections of an inventory (:func:`inventory_collections`).
"""

from __future__ import annotations

import functools
from typing import Callable

import sqlglot
from sqlglot import exp

from standardlang.backends.sql.values import SQLCompileError

#: the column a PostgreSQL or Spark source gives each record's position (1-based)
ROW = "_sl_row"


def inventory_collections(spec, source: dict, warnings: list[str]):
    """(records, entity) for each list of a mapping of collections (an inventory) whose key names an
    entity of ``spec``, as the PostgreSQL and Spark runs take them; another key (not ``$…``) is a warning."""
    from standardlang.data.inventory import collection_names

    names = collection_names(spec.checked.entities)
    for key, value in source.items():
        if key in names and isinstance(value, list):
            yield value, names[key]
        elif not key.startswith("$"):
            warnings.append(f"collection `{key}` is no entity of spec {spec.name}; ignored")


@functools.lru_cache(maxsize=None)
def _parsed(text: str, dialect: str) -> exp.Expression:
    return sqlglot.parse_one(text, read=dialect)


def template(text: str, dialect: str, **subs: exp.Expression) -> exp.Expression:
    """Parse fixed ``text`` once; put trees in for its ``__name`` placeholders (columns or identifiers)."""
    tree = _parsed(text, dialect).copy()
    used: set[str] = set()

    def take(key: str) -> exp.Expression:
        value = subs[key]
        if key in used:  # a tree has one place: a placeholder written twice gets a copy
            return value.copy()
        used.add(key)
        return value

    def put(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table and node.name.startswith("__"):
            return take(node.name[2:])
        if isinstance(node, exp.Identifier) and node.name.startswith("__"):
            value = take(node.name[2:])
            return value if isinstance(value, exp.Identifier) else exp.to_identifier(value.name)
        return node

    return tree.transform(put, copy=False)


def _map_children(e: exp.Expression, f: Callable[[exp.Expression], exp.Expression]) -> exp.Expression:
    for key, value in list(e.args.items()):
        if isinstance(value, exp.Expression):
            e.set(key, f(value))
        elif isinstance(value, list):
            e.set(key, [f(v) if isinstance(v, exp.Expression) else v for v in value])
    return e


def _lambda(e: exp.Expression, name: str) -> exp.Lambda:
    if not isinstance(e, exp.Lambda):
        raise SQLCompileError(f"{name}: expected a lambda")
    return e


class _Lowering:
    """Rewrites one tree bottom-up; ``functions`` maps a DuckDB function name to a builder."""

    dialect = ""

    def __init__(self):
        self.fresh = 0

    def name(self, stem: str) -> exp.Identifier:
        self.fresh += 1
        return exp.to_identifier(f"_sl_{stem}{self.fresh}")

    def __call__(self, e: exp.Expression) -> exp.Expression:
        if isinstance(e, exp.Anonymous):
            fname = e.name.lower()
            builder = getattr(self, "f_" + fname, None)
            if builder is None:
                raise SQLCompileError(f"no {self.dialect} rendering of the function {fname}")
            return builder(*e.expressions)
        if isinstance(e, exp.Lambda):
            raise SQLCompileError(f"a lambda outside a list function, in {self.dialect}")
        handler = getattr(self, "n_" + type(e).__name__, None)
        if handler is not None:
            return handler(e)
        return _map_children(e, self)

    # functions both dialects share
    def _same(self, fname: str, *args: exp.Expression) -> exp.Expression:
        return exp.Anonymous(this=fname, expressions=[self(a) for a in args])

    def f_coalesce(self, *args):
        return self._same("coalesce", *args)

    def f_nullif(self, *args):
        return self._same("nullif", *args)

    def f_abs(self, *args):
        return self._same("abs", *args)

    def f_floor(self, *args):
        return self._same("floor", *args)

    def f_concat_ws(self, *args):
        return self._same("concat_ws", *args)

    def f_least(self, *args):  # NULL arguments are passed over in DuckDB, PostgreSQL and Spark alike
        return self._same("least", *args)

    def f_greatest(self, *args):
        return self._same("greatest", *args)

    def f_isfinite(self, x):
        # NaN sorts above every number in both engines, so it fails the range test too
        return exp.Between(this=self(x), low=exp.Literal.number("-1.7976931348623157e308"),
                           high=exp.Literal.number("1.7976931348623157e308"))


def _json_field(path: exp.Expression) -> exp.Expression:
    """The field name of a ``$."name"`` path literal (as :func:`.reader._json_path` writes it)."""
    text = path.name if isinstance(path, exp.Literal) else ""
    if not (text.startswith('$."') and text.endswith('"')):
        raise SQLCompileError(f"a JSON path other than a field: {text!r}")
    return exp.Literal.string(text[3:-1])


# ====================================================================== Spark


class SparkLowering(_Lowering):
    """DuckDB trees -> Spark SQL: Spark's higher-order functions, structs read with a dot."""

    dialect = "spark"

    def f_list_transform(self, items, lam):
        return exp.Anonymous(this="transform", expressions=[self(items), self._spark_lambda(lam, "list_transform")])

    def f_list_filter(self, items, lam):
        return exp.Anonymous(this="filter", expressions=[self(items), self._spark_lambda(lam, "list_filter")])

    def _spark_lambda(self, lam, fname: str) -> exp.Lambda:
        lam = _lambda(lam, fname)
        params = list(lam.expressions)
        body = lam.this
        if len(params) > 1:  # DuckDB's index is 1-based, Spark's 0-based
            body = _shift(body, params[1].name)
        return exp.Lambda(this=self(body), expressions=params)

    def _fn(self, text: str, **subs) -> exp.Expression:
        return template(text, "spark", **{k: self(v) if not isinstance(v, exp.Identifier) else v
                                          for k, v in subs.items()})

    def f_flatten(self, items):
        return exp.Anonymous(this="flatten", expressions=[self(items)])

    def f_list_bool_or(self, items):
        return self._fn("AGGREGATE(__a, CAST(NULL AS BOOLEAN), (__acc, __v) -> CASE WHEN __v IS NULL THEN __acc "
                        "WHEN __acc IS NULL THEN __v ELSE __acc OR __v END)", a=items, acc=self.name("acc"),
                        v=self.name("v"))

    def f_list_count(self, items):
        return self._fn("AGGREGATE(__a, CAST(0 AS BIGINT), (__acc, __v) -> __acc + CASE WHEN __v IS NULL THEN "
                        "CAST(0 AS BIGINT) ELSE CAST(1 AS BIGINT) END)", a=items, acc=self.name("acc"),
                        v=self.name("v"))

    def f_len(self, items):
        return exp.Anonymous(this="array_size", expressions=[self(items)])

    def f_list_contains(self, items, value):
        return self._fn("EXISTS(__a, __v -> COALESCE(__v = __w, FALSE))", a=items, w=value, v=self.name("v"))

    def f_list_sum(self, items):
        # the accumulator takes the elements' own type (an element, never evaluated); NULLs are passed over
        return self._fn("AGGREGATE(__a, IF(FALSE, TRY_ELEMENT_AT(__a, 1), NULL), (__acc, __v) -> CASE WHEN __v IS NULL "
                        "THEN __acc WHEN __acc IS NULL THEN __v ELSE __acc + __v END)", a=items,
                        acc=self.name("acc"), v=self.name("v"))

    def f_list_has_all(self, items, wanted):
        return self._fn("CASE WHEN __a IS NULL THEN NULL ELSE FORALL(FILTER(__b, __x -> __x IS NOT NULL), "
                        "__x -> EXISTS(__a, __y -> COALESCE(__y = __x, FALSE))) END", a=items, b=wanted,
                        x=self.name("x"), y=self.name("y"))

    def f_list_has_any(self, items, wanted):
        return self._fn("CASE WHEN __a IS NULL THEN NULL ELSE EXISTS(FILTER(__b, __x -> __x IS NOT NULL), "
                        "__x -> EXISTS(__a, __y -> COALESCE(__y = __x, FALSE))) END", a=items, b=wanted,
                        x=self.name("x"), y=self.name("y"))

    def f_list_min(self, items):
        return exp.Anonymous(this="array_min", expressions=[self(items)])

    def f_list_max(self, items):
        return exp.Anonymous(this="array_max", expressions=[self(items)])

    def f_array_to_string(self, items, sep):
        return exp.Anonymous(this="array_join", expressions=[self(items), self(sep)])

    def f_list_sort(self, items, direction):
        # array_sort puts NULLs last; reversed for DESC they would come first: the compiler sorts
        # lists it has cleared of NULLs
        way = direction.name.upper() if isinstance(direction, exp.Literal) else "ASC"
        ordered = exp.Anonymous(this="array_sort", expressions=[self(items)])
        return ordered if way == "ASC" else exp.Anonymous(this="reverse", expressions=[ordered])

    def f_list_slice(self, items, start, end):
        # DuckDB's list_slice(l, 1, k) is the first k; Spark's slice takes a start and a length
        return self._fn("SLICE(__a, __b, __c - __b + 1)", a=items, b=start, c=end)

    def f_list_extract(self, items, k):
        return exp.Anonymous(this="try_element_at", expressions=[self(items), self(k)])

    def f_range(self, start, end):
        # range(1, n + 1) is 1..n, empty for n = 0 (sequence(1, 0) would count down)
        return self._fn("SLICE(SEQUENCE(__a, __b), 1, __b - __a)", a=start, b=end)

    def f_struct_extract(self, obj, name):
        return exp.Dot(this=self(obj), expression=exp.to_identifier(name.name, quoted=True))

    def n_Window(self, e: exp.Window) -> exp.Expression:
        if isinstance(e.this, exp.RowNumber) and not e.args.get("order") and not e.args.get("partition_by"):
            return exp.column(ROW)
        return _map_children(e, self)

    # ------------------------------------------------------------------ JSON is VARIANT
    # A field that JSON input may leave out (not recorded) or write null (absent) is a VARIANT
    # column (spark_engine): variant_get gives SQL NULL for a missing key and a variant null for
    # null, as DuckDB's json_extract does.
    def f_json_extract(self, obj, path):
        # a field of a variant null is SQL NULL already: nullif(obj, JSON null) need not be computed
        name = _json_field(path).name
        return exp.Anonymous(this="variant_get", expressions=[self(_json_null_stripped(obj)),
                                                              exp.Literal.string(f'$["{name}"]')])

    def f_json_type(self, e):
        # DuckDB's names: a number without a fraction is BIGINT, one with a fraction DOUBLE
        return self._fn("CASE " + _VARIANT_KIND + "".join(
            f" WHEN '{k}' THEN '{d}'" for d, ks in _JSON_KINDS.items() for k in ks) + " END", a=e)

    def _kind_test(self, e: exp.Expression, names: list[exp.Expression], negate: bool) -> exp.Expression | None:
        """``json_type(x) = 'OBJECT'`` (or ``IN``, ``<>``) as one test of the variant's kind, not a CASE."""
        if not (isinstance(e, exp.Anonymous) and e.name.lower() == "json_type"
                and all(isinstance(n, exp.Literal) and n.is_string for n in names)):
            return None
        kinds = [exp.Literal.string(k) for n in names for k in _JSON_KINDS.get(n.name, ())]
        test = self._fn(_VARIANT_KIND, a=e.expressions[0]) if kinds else None
        if test is None:
            return exp.Not(this=exp.true()) if not negate else exp.true()  # no such kind in a variant
        out = exp.In(this=test, expressions=kinds)
        return exp.Not(this=out) if negate else out

    def n_EQ(self, e: exp.EQ) -> exp.Expression:
        return self._kind_test(e.this, [e.expression], False) or _map_children(e, self)

    def n_NEQ(self, e: exp.NEQ) -> exp.Expression:
        return self._kind_test(e.this, [e.expression], True) or _map_children(e, self)

    def n_In(self, e: exp.In) -> exp.Expression:
        return self._kind_test(e.this, list(e.expressions), False) or _map_children(e, self)

    def f_json_extract_string(self, e, path):
        if isinstance(path, exp.Literal) and path.name == "$":
            return exp.Cast(this=self(e), to=exp.DataType.build("STRING"))
        if isinstance(path, exp.Literal) and path.name == "$[*]":
            return self._fn("TRANSFORM(CAST(__a AS ARRAY<VARIANT>), __x -> CAST(__x AS STRING))", a=e, x=self.name("x"))
        raise SQLCompileError("json_extract_string of a path other than $ or $[*], in spark")

    def f_nullif(self, a, b):
        if _json_null_stripped(exp.Anonymous(this="nullif", expressions=[a, b])) is a:  # JSON null -> SQL NULL
            return self._fn("CASE WHEN IS_VARIANT_NULL(__a) THEN NULL ELSE __a END", a=a)
        return self._same("nullif", a, b)

    def n_Cast(self, e: exp.Cast) -> exp.Expression:
        """JSON is VARIANT; a cast to anything else takes a variant null as NULL (no nullif needed)."""
        if not _has_json(e.args["to"]):
            e.set("this", _json_null_stripped(e.this))
        to = e.args["to"].copy()
        for node in list(to.walk()):
            if isinstance(node, exp.DataType) and node.is_type(exp.DataType.Type.JSON):
                if node is to:
                    to = exp.DataType.build("VARIANT")
                else:
                    node.replace(exp.DataType.build("VARIANT"))
        e.set("this", self(e.this))
        e.set("to", to)
        return e

    n_TryCast = n_Cast


#: DuckDB's json_type names -> the kinds Spark's schema_of_variant gives (its first word)
_JSON_KINDS = {"NULL": ("VOID",), "BOOLEAN": ("BOOLEAN",), "VARCHAR": ("STRING",), "ARRAY": ("ARRAY",),
               "OBJECT": ("OBJECT",), "BIGINT": ("BIGINT", "INT", "SMALLINT", "TINYINT"), "UBIGINT": (),
               "DOUBLE": ("DECIMAL", "DOUBLE", "FLOAT")}
_VARIANT_KIND = "REGEXP_EXTRACT(SCHEMA_OF_VARIANT(__a), '^[A-Z]+', 0)"


def _has_json(to: exp.DataType) -> bool:
    return any(isinstance(n, exp.DataType) and n.is_type(exp.DataType.Type.JSON) for n in to.walk())


def _json_null_stripped(e: exp.Expression) -> exp.Expression:
    """``x`` for ``nullif(x, 'null'::JSON)`` (where a variant null and SQL NULL read alike), else ``e``."""
    if isinstance(e, exp.Anonymous) and e.name.lower() == "nullif" and len(e.expressions) == 2:
        b = e.expressions[1]
        if isinstance(b, exp.Cast) and b.args["to"].is_type(exp.DataType.Type.JSON):
            return e.expressions[0]
    return e


def _shift(e: exp.Expression, index: str) -> exp.Expression:
    """``e`` with the lambda index ``index`` read as ``(index + 1)``, not inside a lambda that binds it again."""
    if isinstance(e, exp.Lambda) and any(p.name == index for p in e.expressions):
        return e
    if isinstance(e, (exp.Identifier, exp.Column)) and not (isinstance(e, exp.Identifier) and e.quoted) \
            and e.name == index and not isinstance(e.parent, exp.Column):
        return exp.Paren(this=exp.Add(this=exp.to_identifier(index), expression=exp.Literal.number(1)))
    return _map_children(e, lambda c: _shift(c, index))


def lower(tree: exp.Expression, dialect: str) -> exp.Expression:
    """The tree for ``dialect`` (``postgres`` or ``spark``); DuckDB's trees pass unchanged.

    The tree is rewritten in place (the query builder makes a new one for each query).
    """
    if dialect == "duckdb":
        return tree
    lowering = {"spark": SparkLowering}.get(dialect)
    if dialect == "postgres":
        from standardlang.backends.sql.postgres_lowering import PostgresLowering as lowering
    if lowering is None:
        raise SQLCompileError(f"no SQL dialect `{dialect}`")
    return lowering()(tree.copy())
