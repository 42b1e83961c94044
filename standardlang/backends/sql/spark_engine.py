"""Run a spec on Spark: DataFrames, tables or files in, verdict tables out.

Takes a loaded :class:`~standardlang.engine.program.Spec`, a SparkSession (default: the
active one, else a local one, :func:`local_session`) and, per entity level, a source: a
DataFrame, a file (``.parquet``, ``.jsonl``) read by Spark, a ``.json`` document (an array of
records or an object of collections, parsed here and read as a list of records), the name of
a table or view in Spark's catalog, or a list of plain records (written as JSON Lines and read
by Spark, as a file would be).  Gives, per entity, the verdict table of
:func:`~.query.verdict_query` as Arrow; the query is Spark SQL rendered by sqlglot
(:mod:`.dialects`), so it runs where the session runs: local, or a cluster.

The mapping of data (docs/sql.md): a record-valued field is a ``struct``, a list of records
an ``array<struct>``, a set of members an ``array<string>``; numbers are any numeric type,
text ``string``, truths ``boolean``.  A child level in a table of its own is linked to its
parent as the Python ``Inventory`` links it: its rows, matched by the parent key as text,
become an ``array<struct>`` in the parent's row, in their order.  Spark has one null: a
key left out of a JSON record and a key written ``null`` read alike there, as *absent*.  So a
JSON input (a file on this machine, or a list of records) that leaves out an optional field
(*not recorded*, issue 11) that a rule or indicator reads is refused with one line naming the record and the field, rather
than judged as if the facility were absent: that would report failures the data do not
support.  Such data go to ``--engine duckdb`` or ``python``, which keep the two apart.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from typing import Any

from sqlglot import exp

from standardlang.backends.sql.dialects import ROW, inventory_collections, lower
from standardlang.backends.sql.query import verdict_query
from standardlang.backends.sql.values import JSON_T, NULL_T, DType
from standardlang.data.inventory import collection_names
from standardlang.errors import DataError
from standardlang.lang.types import ListT, RecordT

_READERS = {".parquet": "parquet", ".json": "json", ".jsonl": "json", ".ndjson": "json", ".csv": "csv"}
#: settings the verdict query needs: exact decimal products (no scale dropped), NULL not -1 for size(NULL),
#: and the common type of DECIMAL(38, 4) and DECIMAL(38, 0) (a comparison, CASE, greatest) keeping the fraction
#: digits: Spark 4 keeps the integral ones and reads 0.0446 <= 0 as true (the differential test found it)
SETTINGS = {"spark.sql.decimalOperations.allowPrecisionLoss": "false", "spark.sql.legacy.sizeOfNull": "false",
            "spark.sql.ansi.enabled": "false", "spark.sql.legacy.decimal.retainFractionDigitsOnTruncate": "true"}
JAVA_HINT = "Spark needs Java 17 or later: apt-get install default-jre-headless (or set JAVA_HOME)"


def java_missing() -> bool:
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "java")):
        return False
    return shutil.which("java") is None


def local_session(cores: int = 2) -> Any:
    """A local SparkSession for judging on one machine: ``local[cores]``, few shuffle partitions, no UI."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:  # pragma: no cover - the extra is missing
        raise DataError("the Spark engine needs pyspark: pip install 'standardlang[spark]'") from None
    if java_missing():
        raise DataError(JAVA_HINT)
    builder = (SparkSession.builder.master(f"local[{cores}]").appName("standardlang")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").config("spark.sql.shuffle.partitions", str(cores))
               .config("spark.driver.memory", "2g"))
    for key, value in SETTINGS.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: say why in one line
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError(f"Spark did not start: {first}; {JAVA_HINT}") from None
    # Spark logs Java stack traces at ERROR when whole-stage code generation gives up on a large
    # verdict query ("grows beyond 64 KB") before it runs the query interpreted, as it should: a
    # user of `check --engine spark` must not see them. A failure that matters reaches us as an
    # exception, said in one line by the command.
    session.sparkContext.setLogLevel("FATAL")
    return session


def dtype_of(t: Any) -> DType:
    """The :class:`~.values.DType` of a Spark data type."""
    from pyspark.sql import types as T

    if isinstance(t, T.StructType):
        return DType("struct", tuple((f.name, dtype_of(f.dataType)) for f in t.fields))
    if isinstance(t, T.ArrayType):
        return DType("list", elem=dtype_of(t.elementType))
    if isinstance(t, (T.StringType, T.VarcharType, T.CharType)):
        return DType("text")
    if isinstance(t, T.BooleanType):
        return DType("bool")
    if isinstance(t, (T.ByteType, T.ShortType, T.IntegerType, T.LongType)):
        return DType("num", integer=True)
    if isinstance(t, (T.FloatType, T.DoubleType, T.DecimalType)):
        return DType("num", integer=False)
    if isinstance(t, T.NullType):
        return NULL_T
    if isinstance(t, T.VariantType):  # a field JSON input may leave out: read as JSON (see SparkRun._json)
        return JSON_T
    return DType("other")


def _q(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql("spark")


class SparkRun:
    """One spec's sources as temporary views of one SparkSession, ready to be judged."""

    dialect = "spark"

    def __init__(self, spec: Any, session: Any = None):
        self.spec = spec
        if session is None:
            from pyspark.sql import SparkSession

            session = SparkSession.getActiveSession() or local_session()
        self.spark = session
        for key, value in SETTINGS.items():
            self.spark.conf.set(key, value)
        self.frames: dict[str, Any] = {}  # entity -> DataFrame with _sl_row
        self.sources: dict[str, str] = {}
        self.warnings: list[str] = []
        self.origins: dict[str, tuple[str, str | None]] = {}  # entity -> (file, JSON path of its records)
        self._views: list[str] = []
        self._tmp: list[str] = []
        self.variants: dict[str, set[str]] = {}  # entity -> fields read as VARIANT (see _json)
        self._links: dict[str, list[tuple[str, str]]] = {}  # entity -> (field, child level) linked in (_linked)

    # ------------------------------------------------------------------ sources
    def add(self, source: Any, entity: str | None = None) -> None:
        """A DataFrame, a file, a catalog table, a list of records, or a mapping of collections."""
        entity = entity or self.spec.default_entity
        if isinstance(source, dict):
            for records, ent in inventory_collections(self.spec, source, self.warnings):
                self.add(records, ent)
            return
        if isinstance(source, list):
            fd, path = tempfile.mkstemp(suffix=".jsonl", prefix="standardlang-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                for r in source:
                    fh.write(json.dumps(r, ensure_ascii=False) + "\n")
            self._tmp.append(path)
            frame = self._json(path, entity, enumerate(source, 1)) if source \
                else self.spark.createDataFrame([], "_sl_none string")
            self._frame(entity, frame)
            return
        if isinstance(source, (str, os.PathLike)):
            name = os.fspath(source)
            doc = _json_document(name) if name.lower().endswith(".json") and os.path.isfile(name) else None
            if doc is not None:
                self._add_document(name, doc, entity)
                return
            self._frame(entity, self._read(name, entity))
            return
        self._frame(entity, source)  # a DataFrame

    def _add_document(self, path: str, doc: Any, entity: str) -> None:
        """A JSON document: an array of records of ``entity``, or an object of collections (one per
        level, as ``examples/wuhai/inventory.json``); an object naming no level is one record.

        Its records go the way of a list of records (JSON Lines Spark reads), so a field a record
        leaves out stays *not recorded* and ``null`` *absent*, as in a JSON Lines file.
        """
        names = collection_names(self.spec.checked.entities)
        known = [k for k in doc if k in names] if isinstance(doc, dict) else []
        if known:
            for key in known:
                if not isinstance(doc[key], list):
                    raise DataError(f"{path}: collection `{key}` must be a list of records, "
                                    f"found {type(doc[key]).__name__}")
            before = len(self.warnings)
            self.add(doc)
            self.warnings[before:] = [f"{path}: {w}" for w in self.warnings[before:]]  # as the Python readers say
            self.origins.update({names[k]: (path, f"$.{k}") for k in known})
            return
        if not isinstance(doc, (list, dict)):
            raise DataError(f"{path}: expected a list of records or an object of collections "
                            f"({', '.join(sorted(names))}), found {type(doc).__name__}")
        self.add(doc if isinstance(doc, list) else [doc], entity)
        self.origins[entity] = (path, "$" if isinstance(doc, list) else None)

    def _reads(self) -> frozenset[str]:
        """Every field path a rule or indicator of the spec reads (at any level)."""
        paths: set[str] = set()
        for rule in self.spec.checked.rules:
            paths.update(self.spec.roots(rule)[0])
        for ind in self.spec.checked.indicators:
            for ent in self.spec.checked.entities:
                if ind.value_for(ent) is not None:
                    paths.update(self.spec.value_paths(ind.id, ent)[0])
        return frozenset(paths)

    def _read(self, name: str, entity: str) -> Any:
        ext = os.path.splitext(name)[1].lower()
        self.origins[entity] = (name, None)
        if ext in _READERS and os.path.exists(name):
            reader = self.spark.read
            if _READERS[ext] == "csv":
                raise DataError(f"{name}: the Spark engine reads Parquet and JSON Lines; CSV cells need a schema "
                                f"(use --engine duckdb or python for CSV)")
            if _READERS[ext] == "json":
                return self._json(name, entity, _json_lines(name))
            return getattr(reader, _READERS[ext])(name)
        if ext in _READERS:
            raise DataError(f"{name}: no such file")
        from pyspark.errors import AnalysisException  # ParseException too: a name Spark cannot read

        try:
            return self.spark.table(_table_name(name))
        except AnalysisException as exc:  # no such table; anything else is a bug of ours, said as one
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise DataError(f"Spark has no table `{name}`: {first[:200]}") from None

    def _json(self, path: str, entity: str, records: Any) -> Any:
        """A JSON Lines file as a DataFrame: typed columns as Spark infers them, except the fields
        in which a record leaves out an optional field the spec reads (not recorded, issue 11).

        Spark's JSON reader gives a missing key and ``null`` alike as NULL; such a field is read
        again from the line as a VARIANT, in which a missing key is SQL NULL and ``null`` a
        variant null, as DuckDB's JSON keeps them (the lowering reads VARIANT as JSON).
        """
        from pyspark.sql import functions as F

        typed = self.spark.read.json(path)
        rtype = self.spec.checked.entities.get(entity)
        loose = _left_out_fields(records, rtype, self._reads()) & set(typed.columns)
        if not loose:
            return typed
        text = self.spark.read.text(path).where(F.trim(F.col("value")) != "")
        line = text.select(F.from_json(F.col("value"), typed.schema).alias("_sl_r"),
                           F.expr("try_parse_json(value)").alias("_sl_v"))
        cols = [_variant_field("_sl_v", c).alias(c) if c in loose else F.col("_sl_r").getField(c).alias(c)
                for c in typed.columns]
        self.variants.setdefault(entity, set()).update(loose)
        return line.select(*cols)

    def _frame(self, entity: str, frame: Any) -> None:
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        # a record's position: Spark numbers rows only in an ordered window
        mono = "_sl_mono"
        frame = frame.drop(ROW).withColumn(mono, F.monotonically_increasing_id())
        frame = frame.withColumn(ROW, F.row_number().over(Window.orderBy(mono))).drop(mono)
        self.frames[entity] = frame
        self.sources[entity] = f"_sl_src_{entity}"

    # ------------------------------------------------------------------ levels
    def _linked(self, entity: str, done: dict[str, Any]) -> Any:
        """The DataFrame of ``entity`` with its children linked in (an array of structs per parent row)."""
        from pyspark.sql import functions as F

        if entity in done:
            return done[entity]
        if entity not in self.frames:
            return None
        self._links[entity] = []  # (field, child level) linked in, as rebuilt here
        frame = done[entity] = self.frames[entity]
        rtype = self.spec.checked.entities[entity]
        for fname, info in rtype.fields.items():
            t = info.type
            if not (isinstance(t, ListT) and isinstance(t.elem, RecordT) and t.elem.entity and info.by) \
                    or fname in frame.columns or rtype.key is None or rtype.key not in frame.columns:
                continue
            child = self._linked(t.elem.name, done)
            if child is None or info.by not in child.columns:
                continue
            cols = [c for c in child.columns if c != ROW]
            # in row order: compared by the row alone (sort_array compares every field, and a VARIANT one,
            # a facility some child record leaves out, is no orderable type)
            grouped = child.groupBy(F.col(info.by).cast("string").alias("_sl_k")).agg(
                F.array_sort(F.collect_list(F.struct(F.col(ROW), *[F.col(c) for c in cols])), _by_row).alias("_sl_kids"))
            kids = F.transform(F.col("_sl_kids"), lambda x: F.struct(*[x[c].alias(c) for c in cols]))
            grouped = grouped.select("_sl_k", kids.alias(fname))
            empty = F.array().cast(grouped.schema[fname].dataType)
            self._links.setdefault(entity, []).append((fname, t.elem.name))
            frame = frame.join(grouped, frame[rtype.key].cast("string") == grouped["_sl_k"], "left").drop("_sl_k")
            frame = frame.withColumn(fname, F.when(F.col(rtype.key).isNull(), F.lit(None))
                                     .otherwise(F.coalesce(F.col(fname), empty)))
        done[entity] = frame
        return frame

    def _view(self, entity: str) -> tuple[str, Any]:
        frame = self._linked(entity, {})
        if frame is None:
            raise DataError(f"no records of `{entity}` were given")
        view = self.sources[entity]
        frame.createOrReplaceTempView(view)
        if view not in self._views:
            self._views.append(view)
        return view, frame

    # ------------------------------------------------------------------ judging
    def _tree(self, entity: str, rules: list | None, indicators: bool) -> exp.Expression:
        view, frame = self._view(entity)
        dtype = DType("struct", tuple((f.name, dtype_of(f.dataType)) for f in frame.schema.fields if f.name != ROW))
        if rules is None:
            rules = [r for r in self.spec.checked.rules if r.entity == entity]
        select = verdict_query(self.spec, entity, exp.to_table(exp.to_identifier(view, quoted=True)), dtype,
                               rules, indicators, False)
        return lower(select, "spark")

    def query(self, entity: str, rules: list | None = None, indicators: bool = True) -> str:
        """The Spark SQL text judging ``entity`` (one statement: for ``spark-submit`` or a notebook)."""
        return self._tree(entity, rules, indicators).sql("spark", copy=False)

    def dataframe(self, entity: str, rules: list | None = None, indicators: bool = True) -> Any:
        """The verdicts of ``entity`` as a Spark DataFrame (computed where the session runs).

        The query's derived tables are analysed one at a time, innermost first, each becoming a
        temporary view of this run: Spark's analyser walks the whole plan on each of its passes,
        and a query of ten nested derived tables needs dozens of them (a 150 KB query took 10-30 s
        to analyse in one piece).  A view made from an analysed DataFrame is not analysed again,
        so each level costs about its own size.  The optimised plan is the one-statement query's.
        """
        return self._staged(self._tree(entity, rules, indicators))

    def _staged(self, select: exp.Expression) -> Any:
        for sub in _derived_tables(select):
            inner = sub.this
            self._staged(inner).createOrReplaceTempView(name := f"_sl_stage{id(self):x}_{len(self._views)}")
            self._views.append(name)
            sub.replace(exp.Table(this=exp.to_identifier(name, quoted=True), alias=sub.args.get("alias")))
        return self.spark.sql(select.sql("spark", copy=False))

    def table(self, entity: str, rules: list | None = None, indicators: bool = True) -> Any:
        """The verdict table of ``entity`` as a pyarrow Table."""
        frame = self.dataframe(entity, rules, indicators)
        if hasattr(frame, "toArrow"):
            return frame.toArrow()
        import pyarrow as pa  # pragma: no cover - Spark before 4.0

        return pa.Table.from_pandas(frame.toPandas(), preserve_index=False)

    def entities(self) -> list[str]:
        return [e for e in self.spec.checked.entities if e in self.frames]

    def records(self, entity: str) -> list[Any]:
        """The records of ``entity`` as Python values (for explanations), in row order."""
        from pyspark.sql import functions as F

        _, frame = self._view(entity)
        # a typed NULL is absent: kept as JSON null (toJSON would leave the field out: not recorded);
        # a VARIANT field that is SQL NULL was left out of the record: left out here too
        # (and so in the linked child records inside it: paths ``communities\x1f3\x1fday_care_center``)
        out = self._left_out(entity, F.col, frozenset())
        rows = frame.orderBy(ROW).drop(ROW).select(F.to_json(F.struct("*"), {"ignoreNullFields": "false"}),
                                                   out).collect()
        records = []
        for text, left_out in rows:
            record = json.loads(text)
            for path in left_out or ():
                if path is not None:
                    _pop(record, path.split(_SEP))
            records.append(record)
        return records

    def _kid_paths(self, kid: str, fname: str, seen: frozenset) -> Any:
        """(child, its position) -> the paths it leaves out, below ``fname[position]`` (Spark counts a
        lambda's parameters: no defaults to bind the loop's names)."""
        from pyspark.sql import functions as F

        def paths(x: Any, i: Any) -> Any:
            inner = self._left_out(kid, lambda n: x[n], seen)
            return F.transform(inner, lambda p: F.concat(F.lit(fname + _SEP), i.cast("string"), F.lit(_SEP), p))
        return paths

    def _left_out(self, entity: str, field: Any, seen: frozenset) -> Any:
        """array<string>: the loose fields (VARIANT, see :meth:`_json`) a record of ``entity`` leaves
        out (SQL NULL), ``field(name)`` being its column, and those of the child records linked in."""
        from pyspark.sql import functions as F

        parts = [F.array(*[F.when(field(c).isNull(), F.lit(c)) for c in sorted(self.variants.get(entity, ()))])
                 .cast("array<string>")]
        for fname, kid in self._links.get(entity, ()):
            if kid in seen:
                continue

            kids = F.flatten(F.transform(field(fname), self._kid_paths(kid, fname, seen | {entity})))
            parts.append(F.coalesce(kids, F.array().cast("array<string>")))
        return F.concat(*parts) if len(parts) > 1 else parts[0]

    def provenance(self, entity: str, index: int) -> Any:
        from standardlang.data.readers import Provenance

        origin = self.origins.get(entity)
        if origin is None:
            return None
        path, at = origin
        return Provenance(path, path=f"{at}[{index}]") if at else Provenance(path, index + 1)

    def close(self) -> None:
        for view in self._views:
            try:
                self.spark.catalog.dropTempView(view)
            except Exception:  # the session may be gone already
                pass
        self._views.clear()
        for path in self._tmp:
            try:
                os.unlink(path)
            except OSError:
                pass
        self._tmp.clear()


def _derived_tables(select: exp.Expression) -> list[exp.Subquery]:
    """The subqueries ``select`` reads FROM or JOINs (not those in its expressions: they may be correlated)."""
    if not isinstance(select, exp.Select):
        return []
    sources = [select.args.get("from_")] + list(select.args.get("joins") or [])
    return [s.this for s in sources if s is not None and isinstance(s.this, exp.Subquery)
            and isinstance(s.this.this, exp.Select)]


_SEP = "\x1f"  # between the keys of a path in a record (no field name holds it)


def _pop(record: Any, keys: list[str]) -> None:
    """Leave out the field at ``keys`` (``communities``, ``3``, ``day_care_center``) of a record."""
    for k in keys[:-1]:  # a list's position as Spark's transform numbers it, from 0
        if isinstance(record, list):
            record = record[int(k)] if int(k) < len(record) else None
        else:
            record = record.get(k) if isinstance(record, dict) else None
    if isinstance(record, dict):
        record.pop(keys[-1], None)


def _by_row(a: Any, b: Any) -> Any:
    """The comparator of two linked child rows: by their position."""
    from pyspark.sql import functions as F

    return F.when(a[ROW] < b[ROW], -1).when(a[ROW] > b[ROW], 1).otherwise(0)


def _table_name(name: str) -> str:
    parts = name.split(".")
    if not 1 <= len(parts) <= 3 or not all(parts):
        raise DataError(f"`{name}` is no table name")
    return ".".join(_q(p) for p in parts)


def _json_document(path: str) -> Any:
    """The document a ``.json`` file holds (an array, or one object, as the Python readers and DuckDB
    read ``.json``), or None where it holds JSON Lines: a first line that is a whole object and more after it."""
    with open(path, encoding="utf-8") as fh:
        first = next((line for line in fh if line.strip()), "")
        if not first.lstrip().startswith("["):
            try:
                whole = isinstance(json.loads(first), dict)
            except ValueError:
                whole = False  # an object written over several lines
            if whole and any(line.strip() for line in fh):
                return None
    with open(path, encoding="utf-8") as fh:
        try:
            return json.load(fh)
        except ValueError as exc:  # JSONDecodeError, or an integer too long for Python
            where = f" (line {exc.lineno} column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
            raise DataError(f"{path}: not valid JSON{where}: {getattr(exc, 'msg', exc)}") from None
        except RecursionError:
            raise DataError(f"{path}: not readable JSON: nested too deep") from None


def _json_lines(path: str):
    """(line number, record) of a JSON Lines file, one line at a time; lines that are no object are skipped."""
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                yield number, value


def _read_by(path: str, reads: frozenset[str]) -> bool:
    """Whether a rule or indicator reads the field at ``path`` (``stores[1].area`` as ``stores.area``),
    from this level or from a level above (``communities.kindergarten``)."""
    bare = re.sub(r"\[\d+\]", "", path)
    return any(r == bare or r.startswith(bare + ".") or r.endswith("." + bare) or ("." + bare + ".") in r
               for r in reads)


def _left_out(value: dict, rtype: RecordT, reads: frozenset[str], path: str = "") -> bool:
    """Whether this record leaves out an optional field, read by the spec, anywhere inside it (not recorded)."""
    for name, info in rtype.fields.items():
        where = f"{path}.{name}" if path else name
        if name not in value:
            if info.optional and _read_by(where, reads):
                return True
        elif _inner_left_out(value[name], info.type, reads, where):
            return True
    return False


def _inner_left_out(inner: Any, t: Any, reads: frozenset[str], where: str) -> bool:
    if isinstance(t, RecordT) and isinstance(inner, dict):
        return _left_out(inner, t, reads, where)
    if isinstance(t, ListT) and isinstance(t.elem, RecordT) and isinstance(inner, list):
        return any(isinstance(e, dict) and _left_out(e, t.elem, reads, where) for e in inner)
    return False


def _left_out_fields(records: Any, rtype: Any, reads: frozenset[str]) -> set[str]:
    """The fields of the records in which a record leaves out an optional field the spec reads
    (the field itself, or one inside it: a facility's detail, a store of a list)."""
    found: set[str] = set()
    if not isinstance(rtype, RecordT):
        return found
    for _, record in records:
        if not isinstance(record, dict):
            continue
        for name, info in rtype.fields.items():
            if name in found:
                continue
            if name not in record:
                if info.optional and _read_by(name, reads):
                    found.add(name)
            elif _inner_left_out(record[name], info.type, reads, name):
                found.add(name)
    return found


def _variant_field(column: str, name: str) -> Any:
    """``variant_get(column, '$["name"]')``: the field as VARIANT (SQL NULL when the key is missing)."""
    from pyspark.sql import functions as F

    if '"' in name or "\\" in name:  # identifiers never hold these (as reader._json_path)
        raise DataError(f"field name {name!r} cannot be read from JSON")
    call = exp.Anonymous(this="variant_get", expressions=[exp.column(exp.to_identifier(column, quoted=True)),
                                                          exp.Literal.string(f'$["{name}"]')])
    return F.expr(call.sql("spark"))
