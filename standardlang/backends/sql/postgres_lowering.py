"""Lower the SQL compiler's DuckDB trees to PostgreSQL (see :mod:`.dialects`).

Takes a sqlglot tree from :mod:`.query`; gives one PostgreSQL runs with the same values.
PostgreSQL has no lambdas, so a chain of list functions becomes one *stream*: a subquery
whose FROM list unnests the base list ``WITH ORDINALITY`` (order kept) and adds one
``CROSS JOIN LATERAL (SELECT body AS x [WHERE cond])`` per ``list_transform`` or
``list_filter`` on top of it; the consumer (an ``ARRAY(...)``, ``bool_or``, ``count``,
``sum``...) aggregates the stream.  So ``count(xs where ...)`` is one subquery, not an
array built and unnested again.  A list that is NULL (unknown) gives NULL, as in DuckDB;
JSON is ``jsonb``; lists of records are ``jsonb`` arrays (``jsonb_array_elements``).

The stream's SQL is fixed text with numbered placeholders, parsed by sqlglot, into which
the compiled expressions are put as trees (:func:`.dialects.template`): nothing from a
spec or the data is pasted into SQL text.
"""

from __future__ import annotations

from sqlglot import exp

from standardlang.backends.sql.dialects import ROW, _json_field, _lambda, _Lowering, _map_children, template
from standardlang.backends.sql.values import SQLCompileError


class Stream:
    """The rows of a list: FROM fragments with placeholders, the order, and when the list is NULL."""

    def __init__(self, low: "PostgresLowering"):
        self.low = low
        self.frags: list[str] = []
        self.subs: dict[str, exp.Expression] = {}
        self.order: list[str] = []
        self.null: exp.Expression | None = None
        self.filtered = False

    def put(self, e: exp.Expression) -> str:
        key = f"p{len(self.subs)}"
        self.subs[key] = e
        return "__" + key

    def fresh(self, stem: str) -> str:
        return self.put(self.low.name(stem))

    def add(self, frag: str) -> None:
        self.frags.append(frag if not self.frags else "CROSS JOIN LATERAL " + frag)

    def select(self, out: str, where: str = "", ordered: bool = False) -> str:
        text = f"SELECT {out} FROM {' '.join(self.frags)}"
        if where:
            text += f" WHERE {where}"
        if ordered and self.order:
            text += " ORDER BY " + ", ".join(self.order)
        return text

    def build(self, text: str) -> exp.Expression:
        """``text`` over the stream's placeholders; NULL when the list is NULL."""
        body = template(text, "postgres", **self.subs)
        if self.null is None:
            return body
        return exp.Case(ifs=[exp.If(this=self.null, true=exp.Null())], default=body)


def _strip(e: exp.Expression) -> exp.Expression:
    while isinstance(e, exp.Paren):
        e = e.this
    return e


def _fn(e: exp.Expression, *names: str) -> bool:
    return isinstance(e, exp.Anonymous) and e.name.lower() in names


def _simple(e: exp.Expression) -> bool:
    """Cheap to write twice: no subquery inside."""
    return e.find(exp.Subquery, exp.Select) is None


def _either(a: exp.Expression | None, b: exp.Expression | None) -> exp.Expression | None:
    if a is None or b is None:
        return a or b
    return exp.Or(this=exp.Paren(this=a), expression=exp.Paren(this=b))


class PostgresLowering(_Lowering):
    """DuckDB trees -> PostgreSQL."""

    dialect = "postgres"

    def __init__(self):
        super().__init__()
        self.structs: dict[str, list[str]] = {}  # element name -> struct fields (columns name__field)
        self.struct_columns: dict[str, list[str]] = {}  # computed column -> fields (arrays column__field)

    # ------------------------------------------------------------------ streams
    def stream(self, items: exp.Expression, name: exp.Identifier, index: exp.Identifier | None = None,
               s: Stream | None = None) -> Stream:
        """The rows of list ``items`` (a DuckDB tree), each element as column ``name``."""
        s = s or Stream(self)
        items = _strip(items)
        if _fn(items, "list_transform", "list_filter"):
            src, lam = items.expressions
            lam = self._fresh_params(_lambda(lam, items.name))
            params = list(lam.expressions)
            self.stream(src, params[0], params[1] if len(params) > 1 else None, s)
            if index is not None:
                raise SQLCompileError("an index over a projected or filtered list, in postgres")
            body = _strip(lam.this)
            if items.name.lower() == "list_transform" and isinstance(body, exp.Struct):
                # a list of structs is a list of rows: one column per field (name__field)
                fields = [(p.this.name, p.expression) for p in body.expressions]
                self.structs[name.name] = [k for k, _ in fields]
                cols = ", ".join(f"{s.put(self(v))} AS {s.put(_field(name, k))}" for k, v in fields)
                s.add(f"(SELECT {cols}) AS {s.fresh('u')}")
            elif items.name.lower() == "list_transform":
                s.add(f"(SELECT {s.put(self(lam.this))} AS {s.put(name)}) AS {s.fresh('u')}")
            else:
                s.add(f"(SELECT {self._pass(s, params[0], name)} WHERE {s.put(self(lam.this))}) AS {s.fresh('u')}")
            return s
        if _fn(items, "flatten") and _fn(_strip(items.expressions[0]), "list_transform"):
            src, lam = _strip(items.expressions[0]).expressions
            lam = self._fresh_params(_lambda(lam, "list_transform"))
            self.stream(src, lam.expressions[0], None, s)
            outer_null, s.null = s.null, None
            self.stream(lam.this, name, None, s)  # an unknown inner list is never flattened (the compiler checks)
            s.null = outer_null
            return s
        if isinstance(items, exp.Case) and len(items.args.get("ifs") or []) == 1 and items.args.get("default") is None:
            cond = items.args["ifs"][0]
            self.stream(cond.args["true"], name, index, s)
            s.null = _either(exp.Not(this=exp.Is(this=exp.Paren(this=self(cond.this)), expression=exp.true())), s.null)
            return s
        if _fn(items, "coalesce") and len(items.expressions) == 2 and isinstance(_strip(items.expressions[1]), exp.Array) \
                and not _strip(items.expressions[1]).expressions:
            before = s.null
            self.stream(items.expressions[0], name, index, s)
            s.null = before  # absent is empty
            return s
        self._base(items, name, index, s)
        return s

    def _pass(self, s: Stream, src: exp.Identifier, name: exp.Identifier) -> str:
        """The select list handing element ``src`` on as ``name`` (every field of a struct)."""
        keys = self.structs.get(src.name)
        if keys is None:
            return f"{s.put(src)} AS {s.put(name)}"
        self.structs[name.name] = keys
        return ", ".join(f"{s.put(_field(src, k))} AS {s.put(_field(name, k))}" for k in keys)

    def _base(self, items: exp.Expression, name: exp.Identifier, index: exp.Identifier | None, s: Stream) -> None:
        o = s.put(index) if index is not None else s.fresh("o")
        s.order.append(o)
        if isinstance(items, exp.Column) and items.name in self.struct_columns:
            # a computed list of structs: one array per field, unnested side by side
            keys = self.struct_columns[items.name]
            self.structs[name.name] = keys
            arrays = ", ".join(s.put(exp.column(exp.to_identifier(f"{items.name}__{k}", quoted=True))) for k in keys)
            cols = ", ".join(s.put(_field(name, k)) for k in keys)
            s.add(f"UNNEST({arrays}) WITH ORDINALITY AS {s.fresh('t')}({cols}, {o})")
            s.null = _either(s.null, exp.Is(this=exp.column(exp.to_identifier(f"{items.name}__{keys[0]}", quoted=True)),
                                            expression=exp.Null()))
            return
        if _fn(items, "range"):  # range(1, n + 1): 1..n
            start, end = (self(a) for a in items.expressions)
            s.add(f"GENERATE_SERIES({s.put(start)}, {s.put(end)} - 1) WITH ORDINALITY AS {s.fresh('t')}({s.put(name)}, {o})")
            return
        if isinstance(items, exp.Cast) and _is_json_list(items.args["to"]) and not isinstance(items.this, exp.Null):
            e = self(items.this)
            s.add(f"JSONB_ARRAY_ELEMENTS({s.put(e)}) WITH ORDINALITY AS {s.fresh('t')}({s.put(name)}, {o})")
            s.null = _either(s.null, exp.Is(this=e.copy(), expression=exp.Null()))
            return
        if _fn(items, "json_extract_string"):
            e = self(items.expressions[0])
            s.add(f"JSONB_ARRAY_ELEMENTS_TEXT({s.put(e)}) WITH ORDINALITY AS {s.fresh('t')}({s.put(name)}, {o})")
            s.null = _either(s.null, exp.Is(this=e.copy(), expression=exp.Null()))
            return
        a = self(items)
        s.add(f"UNNEST({s.put(a)}) WITH ORDINALITY AS {s.fresh('t')}({s.put(name)}, {o})")
        if not isinstance(items, exp.Array):
            s.null = _either(s.null, exp.Is(this=a.copy(), expression=exp.Null()))

    def _aggregate(self, items, out: str) -> exp.Expression:
        v = self.name("v")
        s = self.stream(items, v)
        text = out.replace("__v", s.put(v))
        return s.build(f"({s.select(text)})")

    # ------------------------------------------------------------------ list functions
    def f_list_transform(self, items, lam):
        y = self.name("y")
        s = self.stream(exp.Anonymous(this="list_transform", expressions=[items, lam]), y)
        if y.name in self.structs:
            raise SQLCompileError("a list of structs as a value, in postgres")
        return s.build(f"ARRAY({s.select(s.put(y), ordered=True)})")

    def f_list_sort(self, items, direction):
        y = self.name("y")
        s = self.stream(items, y)
        way = "DESC" if isinstance(direction, exp.Literal) and direction.name.upper() == "DESC" else "ASC"
        v = s.put(y)
        return s.build(f"ARRAY(SELECT {v} FROM {' '.join(s.frags)} ORDER BY {v} {way} NULLS LAST)")

    def f_list_slice(self, items, start, end):
        return exp.Bracket(this=exp.Paren(this=self(items)), expressions=[exp.Slice(this=self(start), expression=self(end))])

    def f_list_extract(self, items, k):
        return exp.Bracket(this=exp.Paren(this=self(items)), expressions=[self(k)])

    def f_range(self, start, end):
        return self.f_list_transform(exp.Anonymous(this="range", expressions=[start, end]), self._identity())

    def f_list_filter(self, items, lam):
        return self.f_list_transform(exp.Anonymous(this="list_filter", expressions=[items, lam]),
                                     self._identity())

    def f_flatten(self, mapped):
        return self.f_list_transform(exp.Anonymous(this="flatten", expressions=[mapped]),
                                     self._identity())

    def f_list_bool_or(self, items):
        return self._aggregate(items, "BOOL_OR(__v)")

    def f_list_count(self, items):
        return self._aggregate(items, "COUNT(__v)")

    def f_list_sum(self, items):
        return self._aggregate(items, "SUM(__v)")

    def f_list_min(self, items):
        return self._aggregate(items, "MIN(__v)")

    def f_list_max(self, items):
        return self._aggregate(items, "MAX(__v)")

    def f_len(self, items):
        inner = _strip(items)
        while _fn(inner, "list_transform"):  # a projection keeps the length
            inner = _strip(inner.expressions[0])
        if not _fn(inner, "list_filter", "flatten") and not isinstance(inner, (exp.Case, exp.Cast)) \
                and not _fn(inner, "json_extract_string"):
            return exp.Anonymous(this="cardinality", expressions=[self(inner)])
        return self._aggregate(inner, "COUNT(*)")

    def f_list_contains(self, items, value):
        # DuckDB passes over NULL elements (not found: false); = ANY would say NULL
        v, w = self.name("v"), self(value)
        s = self.stream(items, v)
        return s.build(f"COALESCE(({s.select(f'BOOL_OR({s.put(v)} = {s.put(w)})')}), FALSE)")

    def f_list_has_all(self, items, wanted):
        # NULL elements of the second list are passed over, as DuckDB does; a NULL list gives NULL
        return exp.ArrayContainsAll(this=exp.Paren(this=self(items)), expression=exp.Paren(
            this=exp.Anonymous(this="array_remove", expressions=[self(wanted), exp.Null()])))

    def f_list_has_any(self, items, wanted):
        return exp.ArrayOverlaps(this=exp.Paren(this=self(items)), expression=exp.Paren(
            this=exp.Anonymous(this="array_remove", expressions=[self(wanted), exp.Null()])))

    def f_array_to_string(self, items, sep):
        return exp.Anonymous(this="array_to_string", expressions=[self(items), self(sep)])

    # ------------------------------------------------------------------ JSON is jsonb
    def f_json_extract(self, obj, path):
        return exp.Anonymous(this="jsonb_extract_path", expressions=[self(obj), _json_field(path)])

    def f_json_type(self, e):
        text = ("CASE JSONB_TYPEOF(__a) WHEN 'string' THEN 'VARCHAR' WHEN 'boolean' THEN 'BOOLEAN' "
                "WHEN 'array' THEN 'ARRAY' WHEN 'object' THEN 'OBJECT' WHEN 'null' THEN 'NULL' "
                "WHEN 'number' THEN CASE WHEN (__a #>> '{}') ~ '^-?[0-9]+$' THEN 'BIGINT' ELSE 'DOUBLE' END END")
        return self._once(e, text)

    def _once(self, value: exp.Expression, text: str) -> exp.Expression:
        """``text`` over ``__a``: ``value`` inline when cheap, else bound once in a derived table."""
        v = self(value)
        if _simple(v):
            return template(text, "postgres", a=v)
        a, s = self.name("a"), self.name("s")
        body = template(text, "postgres", a=exp.column(a))
        return exp.Subquery(this=exp.select(body).from_(exp.select(exp.alias_(v, a)).subquery(s)))

    def f_json_extract_string(self, e, path):
        if isinstance(path, exp.Literal) and path.name == "$":
            return exp.JSONBExtractScalar(this=self(e), expression=exp.Literal.string("{}"))
        if isinstance(path, exp.Literal) and path.name == "$[*]":
            return self.f_list_transform(exp.Anonymous(this="json_extract_string", expressions=[e, path]),
                                         self._identity())
        raise SQLCompileError("json_extract_string of a path other than $ or $[*], in postgres")

    def f_to_json(self, e):
        return exp.Anonymous(this="to_jsonb", expressions=[self(e)])

    # ------------------------------------------------------------------ nodes
    def n_Cast(self, e: exp.Cast) -> exp.Expression:
        to = _jsonb(e.args["to"])
        if _is_json_list(to) and not isinstance(e.this, exp.Null):
            return self.f_list_transform(e, self._identity())
        return exp.Cast(this=self(e.this), to=to)

    def n_TryCast(self, e: exp.TryCast) -> exp.Expression:
        to = e.args["to"]
        if not to.is_type(*exp.DataType.NUMERIC_TYPES):
            raise SQLCompileError(f"TRY_CAST to {to.sql()} in postgres")
        # a number beyond the decimal's range is unknown, not an error (DuckDB's TRY_CAST)
        number = exp.Cast(this=e.this, to=exp.DataType.build("NUMERIC"))
        cast = exp.Cast(this=exp.column("__a"), to=to.copy())
        text = f"CASE WHEN ABS(__a) < 1e{_decimal_digits(to)} THEN {cast.sql('postgres')} END"
        return self._once(number, text)

    def n_Array(self, e: exp.Array) -> exp.Expression:
        if not e.expressions:  # typed by its context (a cast or coalesce), as '{}' is in PostgreSQL
            return exp.Literal.string("{}")
        return _map_children(e, self)

    def n_Dot(self, e: exp.Dot) -> exp.Expression:
        x = e.this
        if isinstance(x, (exp.Identifier, exp.Column)) and x.name in self.structs:
            return exp.column(_field(exp.to_identifier(x.name), e.expression.name))
        raise SQLCompileError("a field of a struct outside a list, in postgres")

    def n_Column(self, e: exp.Column) -> exp.Expression:
        if not e.table and e.name in self.struct_columns:
            # a computed list of structs where its length or NULL-ness is read: its first field's array
            return exp.column(exp.to_identifier(f"{e.name}__{self.struct_columns[e.name][0]}", quoted=True))
        return e

    def n_Struct(self, e: exp.Struct) -> exp.Expression:
        raise SQLCompileError("a struct outside a list, in postgres")

    def n_Select(self, e: exp.Select) -> exp.Expression:
        # the FROM first: the computed lists of structs it defines are read by the select list
        for key in ("from", "from_", "joins"):
            if e.args.get(key) is not None:
                value = e.args[key]
                e.set(key, [self(v) for v in value] if isinstance(value, list) else self(value))
        columns = []
        for c in e.expressions:
            keys = _struct_fields(c.this, self.struct_columns) if isinstance(c, exp.Alias) else None
            if keys is None:
                columns.append(self(c))
                continue
            self.struct_columns[c.alias] = keys
            for i, k in enumerate(keys):  # one array per field of the structs (lowering rewrites in place: copies)
                y = self.name("y")
                s = self.stream(c.this if i == len(keys) - 1 else c.this.copy(), y)
                column = s.build(f"ARRAY({s.select(s.put(_field(y, k)), ordered=True)})")
                columns.append(exp.alias_(column, exp.to_identifier(f"{c.alias}__{k}", quoted=True)))
        e.set("expressions", columns)
        for key, value in list(e.args.items()):
            if key not in ("from", "from_", "joins", "expressions") and value is not None:
                e.set(key, [self(v) if isinstance(v, exp.Expression) else v for v in value] if isinstance(value, list)
                      else self(value) if isinstance(value, exp.Expression) else value)
        return e

    def n_Subquery(self, e: exp.Subquery) -> exp.Expression:
        e = _map_children(e, self)
        if e.alias and isinstance(e.this, exp.Select) and not e.this.args.get("offset"):
            # OFFSET 0 keeps PostgreSQL from pulling the derived table up into the query above: the
            # values the compiler computes once per row (_sl_h<n>) would be copied into every use
            # again, and planning nested ones takes all the memory there is
            e.this.set("offset", exp.Offset(expression=exp.Literal.number(0)))
        return e

    def n_Window(self, e: exp.Window) -> exp.Expression:
        if isinstance(e.this, exp.RowNumber) and not e.args.get("order") and not e.args.get("partition_by"):
            return exp.column(ROW)
        return _map_children(e, self)

    def _fresh_params(self, lam: exp.Lambda) -> exp.Lambda:
        """The lambda with fresh parameter names: laterals in one FROM list may not share a column name."""
        body = lam.this
        params = []
        for p in lam.expressions:
            new = self.name("x")
            body = _rename(body, p.name, new)
            params.append(new)
        return exp.Lambda(this=body, expressions=params)

    def _identity(self) -> exp.Lambda:
        x = self.name("x")
        return exp.Lambda(this=x, expressions=[x.copy()])


def _rename(e: exp.Expression, old: str, new: exp.Identifier) -> exp.Expression:
    """``e`` with the lambda parameter ``old`` named ``new`` (not inside a lambda that binds ``old`` again)."""
    if isinstance(e, exp.Lambda) and any(p.name == old for p in e.expressions):
        return e
    if isinstance(e, exp.Identifier) and not e.quoted and e.name == old:
        return new.copy()
    e = e.copy() if e.parent is None else e
    return _map_children(e, lambda c: _rename(c, old, new))


def _field(name: exp.Identifier, key: str) -> exp.Identifier:
    return exp.to_identifier(f"{name.name}__{key}")


def _struct_fields(e: exp.Expression, columns: dict[str, list[str]]) -> list[str] | None:
    """The field names when ``e`` is a list of structs (built by a transform to a struct literal)."""
    e = _strip(e)
    if isinstance(e, exp.Column) and e.name in columns:
        return columns[e.name]
    if _fn(e, "list_transform"):
        body = _strip(e.expressions[1].this) if isinstance(e.expressions[1], exp.Lambda) else None
        if isinstance(body, exp.Struct):
            return [p.this.name for p in body.expressions]
        return None
    if _fn(e, "list_filter", "list_sort", "list_slice", "coalesce"):
        return _struct_fields(e.expressions[0], columns)
    if isinstance(e, exp.Case) and len(e.args.get("ifs") or []) == 1 and e.args.get("default") is None:
        return _struct_fields(e.args["ifs"][0].args["true"], columns)
    return None


def _is_json_list(to: exp.DataType) -> bool:
    return to.is_type(exp.DataType.Type.ARRAY) and bool(to.expressions) and \
        to.expressions[0].is_type(exp.DataType.Type.JSON, exp.DataType.Type.JSONB)


def _jsonb(to: exp.DataType) -> exp.DataType:
    def swap(node):
        if isinstance(node, exp.DataType) and node.is_type(exp.DataType.Type.JSON):
            return exp.DataType.build("JSONB")
        return node

    return to.copy().transform(swap)


def _decimal_digits(to: exp.DataType) -> int:
    params = [int(p.name) for p in to.expressions if isinstance(p, exp.DataTypeParam)]
    precision, scale = (params + [38, 0])[:2] if params else (38, 0)
    return precision - scale
