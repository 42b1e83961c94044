"""Run a spec on PostgreSQL: tables in a server in, verdict tables out.

Takes a loaded :class:`~standardlang.engine.program.Spec`, a connection (a psycopg 3
connection or a DSN / URL) and, per entity level, a source: the name of a table or view
(``communities``, ``inventory.communities``) or a list of plain records, which are loaded
into a temporary table first (:func:`load_records`).  Gives, per entity, the verdict table
of :func:`~.query.verdict_query` as Arrow, computed by one query in the server.

The mapping of data (docs/sql.md): a column of a number type (``numeric``, ``integer``,
``double precision``...), ``text``/``varchar`` or ``boolean`` is a field of that kind;
every other column is read as ``jsonb`` (``json``, ``jsonb``, arrays, composite values), so
a record-valued field or a list of records is a ``jsonb`` object or array.  A child level in
a table of its own is linked to its parent as the Python ``Inventory`` links it: its rows,
matched by the parent key, become a ``jsonb`` array in the parent's row.  Every name
reaches SQL as a quoted identifier (sqlglot renders it) and every value as a parameter.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from sqlglot import exp

from standardlang.backends.sql.dialects import ROW, inventory_collections, lower
from standardlang.backends.sql.query import verdict_query
from standardlang.backends.sql.values import JSON_T, DType, SQLCompileError
from standardlang.errors import DataError
from standardlang.lang.types import ListT, RecordT

_NUM_INT = {20, 21, 23, 26}  # int8, int2, int4, oid
_NUM = {700, 701, 1700}  # float4, float8, numeric
_TEXT = {25, 1042, 1043, 19}  # text, bpchar, varchar, name
_BOOL = {16}
_JSONB = {3802}
POS = "_sl_pos"
_RUNS = itertools.count(1)
MISSING = object()


def connect(dsn: Any) -> Any:
    """A psycopg connection (autocommit) from a DSN or URL; a connection is used as it is."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - the extra is missing
        raise DataError("the PostgreSQL engine needs psycopg: pip install 'standardlang[postgres]'") from None
    if not isinstance(dsn, (str, bytes)):
        return dsn
    try:
        return psycopg.connect(dsn, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError(f"cannot connect to PostgreSQL: {first}") from None


def _q(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql("postgres")


def _table(name: str) -> str:
    """A table name as the user wrote it (``schema.table``), every part quoted."""
    parts = name.split(".")
    if not 1 <= len(parts) <= 3 or not all(parts):
        raise DataError(f"`{name}` is no table name")
    return ".".join(_q(p) for p in parts)


class PostgresRun:
    """One spec's tables in one PostgreSQL session, ready to be judged."""

    dialect = "postgres"

    def __init__(self, spec: Any, connection: Any):
        self.spec = spec
        self.own = isinstance(connection, (str, bytes))
        self.con = connect(connection)
        # the verdict query is one large expression per rule: compiling it with LLVM (PostgreSQL's
        # JIT, on above a cost the query passes) takes minutes and saves nothing on this work
        self.sql("SET jit = off")
        self.sources: dict[str, str] = {}  # entity -> temp view
        self.kinds: dict[str, dict[str, DType]] = {}
        self.warnings: list[str] = []
        self.origins: dict[str, str] = {}
        self._made: list[str] = []
        self.tag = next(_RUNS)  # names of this run's temporary tables and views

    def sql(self, text: str, params: Any = None) -> Any:
        import psycopg

        try:
            return self.con.execute(text, params, prepare=False)  # views are replaced between runs
        except psycopg.Error as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise DataError(f"PostgreSQL: {first}") from None

    # ------------------------------------------------------------------ sources
    def add(self, source: Any, entity: str | None = None) -> None:
        """Register a source: a table or view name, a list of records, or a mapping of collections."""
        entity = entity or self.spec.default_entity
        if isinstance(source, dict):
            for records, ent in inventory_collections(self.spec, source, self.warnings):
                self.add(records, ent)
            return
        if isinstance(source, list):
            name = f"_sl_records_{entity}_{self.tag}"
            load_records(self.con, name, source, temporary=True)
            self._made.append(name)
            self._view(entity, _q(name), ordered=True)
            return
        if not isinstance(source, str):
            raise DataError("the PostgreSQL engine reads a table name or a list of records")
        if source.startswith("?"):  # a table looked for by its collection name: there or not
            source = source[1:]
            if entity in self.sources or self.sql("SELECT to_regclass(%s)", (_table(source),)).fetchone()[0] is None:
                return
        self.origins[entity] = source
        self._view(entity, _table(source), ordered=False)

    def _columns(self, relation: str) -> list[tuple[str, int]]:
        cur = self.sql(f"SELECT * FROM {relation} LIMIT 0")
        return [(d.name, d.type_code) for d in cur.description]

    def _view(self, entity: str, relation: str, ordered: bool) -> None:
        """A temp view with every column a number, text, boolean or jsonb, and the row number."""
        cols, kinds = [], {}
        rtype = self.spec.checked.entities[entity]
        columns = self._columns(relation)
        ordered = ordered or any(name == POS for name, _ in columns)  # a table load_records made
        for name, oid in columns:
            if name in (POS, ROW):
                continue
            if oid in _NUM_INT or oid in _NUM:
                cols.append(_q(name))
                kinds[name] = DType("num", integer=oid in _NUM_INT)
            elif oid in _TEXT or oid in _BOOL:
                cols.append(_q(name))
                kinds[name] = DType("text" if oid in _TEXT else "bool")
            else:
                cols.append(f"to_jsonb({_q(name)}) AS {_q(name)}")
                kinds[name] = JSON_T
        order = _q(POS) if ordered else (_q(rtype.key) if rtype.key in kinds else "")
        number = f"row_number() OVER ({'ORDER BY ' + order if order else ''}) AS {_q(ROW)}"
        view = f"_sl_src_{entity}_{self.tag}"
        self.sql(f"CREATE OR REPLACE TEMP VIEW {_q(view)} AS SELECT {', '.join(cols + [number])} FROM {relation}")
        self._made.append(view)
        self.sources[entity] = view
        self.kinds[entity] = kinds

    # ------------------------------------------------------------------ levels
    def _linked(self, entity: str, done: dict[str, str]) -> str | None:
        """The view of ``entity`` with its children linked in (a jsonb array per parent row)."""
        if entity in done:
            return done[entity]
        if entity not in self.sources:
            return None
        done[entity] = self.sources[entity]
        rtype = self.spec.checked.entities[entity]
        kinds = dict(self.kinds[entity])
        extra = []
        for fname, info in rtype.fields.items():
            t = info.type
            if not (isinstance(t, ListT) and isinstance(t.elem, RecordT) and t.elem.entity and info.by) \
                    or fname in kinds or rtype.key is None or rtype.key not in kinds:
                continue
            child = self._linked(t.elem.name, done)
            if child is None:
                continue
            by_kind = self.kinds[t.elem.name].get(info.by)
            if by_kind is None:
                continue
            rows = _row_json("_c", self.kinds.get(child, self.kinds[t.elem.name]))
            sub = (f"(SELECT jsonb_agg({rows} ORDER BY _c.{_q(ROW)}) FROM {_q(child)} AS _c "
                   f"WHERE {_key_text('_c.' + _q(info.by), by_kind)} = {_key_text('_p.' + _q(rtype.key), kinds[rtype.key])})")
            extra.append(f"CASE WHEN _p.{_q(rtype.key)} IS NULL THEN NULL ELSE coalesce({sub}, '[]'::jsonb) END "
                         f"AS {_q(fname)}")
            kinds[fname] = JSON_T
        if not extra:
            return done[entity]
        # a table, not a view: a rule reads the children many times, and a view would gather
        # them again at each reading
        view = f"_sl_linked_{entity}_{self.tag}"
        self.sql(f"DROP TABLE IF EXISTS {_q(view)}")
        self.sql(f"CREATE TEMP TABLE {_q(view)} AS SELECT _p.*, {', '.join(extra)} "
                 f"FROM {_q(self.sources[entity])} AS _p")
        self._made.append(view)
        self.kinds[view] = kinds
        done[entity] = view
        return view

    # ------------------------------------------------------------------ judging
    def query(self, entity: str, rules: list | None = None, indicators: bool = True) -> str:
        """The SQL text judging ``entity`` (PostgreSQL dialect)."""
        view = self._linked(entity, {})
        if view is None:
            raise DataError(f"no records of `{entity}` were given")
        kinds = self.kinds.get(view, self.kinds[entity])
        dtype = DType("struct", tuple(kinds.items()))
        if rules is None:
            rules = [r for r in self.spec.checked.rules if r.entity == entity]
        select = verdict_query(self.spec, entity, exp.to_table(exp.to_identifier(view, quoted=True)), dtype,
                               rules, indicators, False)
        return lower(select, "postgres").sql("postgres", copy=False)

    def table(self, entity: str, rules: list | None = None, indicators: bool = True) -> Any:
        """The verdict table of ``entity`` as a pyarrow Table."""
        import pyarrow as pa

        cur = self.sql(self.query(entity, rules, indicators))
        names = [d.name for d in cur.description]
        rows = cur.fetchall()
        return pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})

    def entities(self) -> list[str]:
        return [e for e in self.spec.checked.entities if e in self.sources]

    def records(self, entity: str) -> list[Any]:
        """The records of ``entity`` as Python values (for explanations), in row order."""
        view = self._linked(entity, {})
        row = _row_json("_v", self.kinds.get(view, self.kinds[entity]))
        cur = self.sql(f"SELECT ({row})::text FROM {_q(view)} AS _v ORDER BY _v.{_q(ROW)}")
        return [json.loads(text) for (text,) in cur.fetchall()]

    def provenance(self, entity: str, index: int) -> Any:
        from standardlang.data.readers import Provenance

        table = self.origins.get(entity)
        return None if table is None else Provenance(f"postgres:{table}", index + 1)

    def close(self) -> None:
        import psycopg

        try:
            for name in reversed(self._made):
                kind = "TABLE" if name.startswith(("_sl_records_", "_sl_linked_")) else "VIEW"
                self.con.execute(f"DROP {kind} IF EXISTS {_q(name)} CASCADE", prepare=False)
        except psycopg.Error:
            pass
        self._made.clear()
        if self.own:
            self.con.close()


def _row_json(alias: str, kinds: dict[str, DType]) -> str:
    """A row as the JSON object a reader would give: a jsonb column that is SQL NULL (not
    recorded) left out, a typed column's NULL (absent) kept as JSON null."""
    unrecorded = [f"CASE WHEN {alias}.{_q(c)} IS NULL THEN {_lit(c)} END" for c, k in kinds.items() if k.kind == "json"]
    row = f"to_jsonb({alias}) - {_lit(ROW)}"
    if unrecorded:
        row = f"({row}) - array_remove(ARRAY[{', '.join(unrecorded)}]::text[], NULL)"
    return row


def _lit(text: str) -> str:
    return exp.Literal.string(text).sql("postgres")


def _key_text(column: str, kind: DType) -> str:
    return f"({column} #>> '{{}}')" if kind.kind == "json" else f"CAST({column} AS TEXT)"


# ------------------------------------------------------------------ loading records
def column_type(values: list) -> str:
    """The PostgreSQL type a column of these Python values gets: one kind throughout, else jsonb.

    A record without the field (``MISSING``) makes the column jsonb: there SQL NULL is *not
    recorded* and JSON ``null`` *absent*, while NULL in a typed column is *absent*.
    """
    kinds = set()
    for v in values:
        if v is MISSING:
            return "jsonb"
        if v is None:
            continue
        if isinstance(v, bool):
            kinds.add("boolean")
        elif isinstance(v, (int, float)):
            kinds.add("numeric")
        elif isinstance(v, str):
            kinds.add("text")
        else:
            kinds.add("jsonb")
    return kinds.pop() if len(kinds) == 1 else "jsonb"


def load_records(con: Any, table: str, records: list[dict], temporary: bool = False) -> None:
    """Create ``table`` and copy ``records`` into it: a column per field, in record order (``_sl_pos``).

    A field every record has, whose values are all numbers, all text or all booleans, gets that
    type (NULL there is *absent*); any other field (records, lists, values of mixed kinds, a
    field some records leave out) is ``jsonb``, so each value keeps its own kind (a bad one is
    judged an error as on the Python path) and a field left out (SQL NULL, *not recorded*)
    stays apart from one written ``null`` (JSON null, *absent*).
    """
    from psycopg.types.json import Jsonb

    fields: dict[str, list] = {}
    for r in records:
        for k in r:
            fields.setdefault(k, [])
    for r in records:
        for k, values in fields.items():
            values.append(r.get(k, MISSING))
    types = {k: column_type(v) for k, v in fields.items()}
    cols = [f"{_q(POS)} bigint"] + [f"{_q(k)} {t}" for k, t in types.items()]
    con.execute(f"DROP TABLE IF EXISTS {_table(table) if not temporary else _q(table)}")
    con.execute(f"CREATE {'TEMP ' if temporary else ''}TABLE {_table(table) if not temporary else _q(table)} "
                f"({', '.join(cols)})")
    target = _table(table) if not temporary else _q(table)
    names = ", ".join([_q(POS)] + [_q(k) for k in types])
    with con.cursor() as cur, cur.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
        for i, r in enumerate(records):
            row = [i]
            for k, t in types.items():
                v = r.get(k, MISSING)
                if v is MISSING:
                    v = None  # SQL NULL: not recorded
                elif t == "jsonb":
                    v = Jsonb(v, dumps=_dumps)  # None: JSON null, absent
                elif isinstance(v, float) and t == "numeric":
                    v = repr(v)
                row.append(v)
            copy.write_row(row)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)
