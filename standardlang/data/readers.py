"""Read data files into the records of a spec's entities.

Takes paths of data files — JSON, JSON Lines, YAML, CSV/TSV and Excel (.xlsx) —
and gives, first, :class:`Table` objects (raw rows, each with its
:class:`Provenance`: file, sheet, row or line, JSON path), then, bound to one spec
by :func:`bind`, a :class:`Dataset`: an :class:`~standardlang.data.inventory.Inventory`
of plain dicts keyed by field names, where each record came from, and warnings.

Keys and column headers match a field by its name or its Chinese label, nested
records too (``幼儿园.建筑面积``).  Cells of CSV and spreadsheets are converted to
the schema's types; a cell that does not convert is kept as it is, so the
record's validation names the field and the record gets error verdicts, while
every other record is still judged.  A file that cannot be read at all raises
:class:`~standardlang.errors.DataError` naming the file (and line).  The
conventions are documented in ``docs/cli.md`` ("Data files").
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import unicodedata
from fractions import Fraction
from typing import Any, Iterable

import attrs

from standardlang.errors import DataError, Diagnostic, Source, Span, StandardLangError, did_you_mean
from standardlang.data.inventory import Inventory, collection_names
from standardlang.lang.types import BoolT, Dynamic, EnumT, ListT, Num, RecordT, SetT, TextT

FORMATS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".yaml": "yaml", ".yml": "yaml",
           ".csv": "csv", ".tsv": "tsv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
TRUE_WORDS = {"true", "yes", "y", "t", "1", "是", "有", "√", "✓", "对"}
FALSE_WORDS = {"false", "no", "n", "f", "0", "否", "无", "×", "✗", "错"}
_SET_SPLIT = re.compile(r"[;、,]")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_INDEX = re.compile(r"(.*?)\s*\[\s*(\d+)\s*\]")
_UNIT_SUFFIX = re.compile(r"\s*\([^()]*\)\s*$")
ABSENT = object()
#: Names of entity levels that a file name may give; a file so named is skipped by a spec without that level.
LEVEL_WORDS = {"city", "cities", "district", "districts", "county", "counties", "subdistrict", "subdistricts",
               "street", "streets", "town", "towns", "community", "communities", "市", "区", "县", "旗", "街道",
               "镇", "乡", "街道镇", "社区", "居住社区", "小区"}


@attrs.frozen
class Provenance:
    """Where a record came from: ``communities.csv row 3``, ``data.json at $.communities[2]``."""

    file: str
    row: int | None = None
    unit: str = "row"  # row (CSV/TSV/XLSX; the header is row 1) | line (JSON Lines)
    sheet: str | None = None
    path: str | None = None  # JSON path inside a document

    def __str__(self) -> str:
        parts = [self.file, self.sheet and f"sheet {self.sheet}", self.row is not None and f"{self.unit} {self.row}",
                 self.path and f"at {self.path}"]
        return " ".join(p for p in parts if p)

    def to_dict(self) -> dict:
        d = {"file": self.file, "sheet": self.sheet, self.unit: self.row, "path": self.path}
        return {k: v for k, v in d.items() if v is not None}


@attrs.define
class Table:
    """Rows read from one file (or one sheet, or one collection of a JSON document)."""

    file: str
    rows: list[Any]
    sources: list[Provenance]
    flat: bool = False  # cells (CSV text or spreadsheet values) to convert to the schema's types
    name: str | None = None  # the collection named in the data: a mapping key or a sheet name
    named_by: str | None = None  # "key" | "sheet" | None
    document: bool = False  # one JSON/YAML object: a record, or a mapping of collections
    headers: list[str] = attrs.Factory(list)
    only_sheet: bool = True

    @property
    def stem(self) -> str:
        return os.path.splitext(os.path.basename(self.file))[0]


@attrs.define
class Dataset:
    """Records of one spec's entities, read from files, with where each came from."""

    inventory: Inventory
    sources: dict[int, Provenance]  # id(record) -> provenance
    read: dict[str, int]  # entity -> records read
    files: list[str]
    warnings: list[str]

    def source(self, record: Any) -> Provenance | None:
        return self.sources.get(id(record))

    def find(self, spec: Any, entity: str, ident: str) -> tuple[int, Any] | None:
        """The (index, record) of ``entity`` whose key is ``ident``, or ``#n`` (1-based)."""
        records = self.inventory.records.get(entity, [])
        m = re.fullmatch(r"#(\d+)", ident.strip())
        if m:
            i = int(m.group(1)) - 1
            return (i, records[i]) if 0 <= i < len(records) else None
        for i, rec in enumerate(records):
            if spec.record_id(entity, rec, i) == ident:
                return i, rec
        return None


# ------------------------------------------------------------------ reading files
def read_files(paths: Iterable[str]) -> list[Table]:
    """Read every file; raises DataError for one that cannot be read."""
    tables: list[Table] = []
    for p in paths:
        tables.extend(read_file(p))
    return tables


def read_file(path: str) -> list[Table]:
    """The tables of one data file, by its extension (.json .jsonl .yaml .csv .tsv .xlsx)."""
    path = os.fspath(path)
    fmt = FORMATS.get(os.path.splitext(path)[1].lower())
    if fmt == "xlsx":
        return _read_xlsx(path)
    text = _read_text(path)
    if fmt is None and text.lstrip()[:1] not in ("{", "["):
        raise _error("D002", path, "unknown data format; use a .json, .jsonl, .yaml, .csv, .tsv or .xlsx file")
    if fmt in ("json", None):
        try:
            return _document_tables(path, json.loads(text))
        except json.JSONDecodeError as exc:
            raise _error("D003", path, f"not valid JSON: {exc.msg}", Span.point(exc.lineno, exc.colno), text) from None
    if fmt == "jsonl":
        return [_read_jsonl(path, text)]
    if fmt == "yaml":
        return _document_tables(path, _load_yaml(path, text))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if fmt == "tsv" else ",")
    try:
        return [_table(path, _numbered(reader))]
    except csv.Error as exc:
        raise _error("D003", path, f"not valid CSV: {exc}", Span.point(reader.line_num or 1, 1), text) from None


def _error(code: str, path: str, message: str, span: Span | None = None, text: str = "",
           hint: str | None = None) -> DataError:
    return DataError([Diagnostic(code, message, span, hint=hint, source=Source(path, text))])


def _read_text(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise _error("D001", path, f"cannot read data file: {exc.strerror or exc}") from None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise _error("D001", path, "data file is neither UTF-8 nor GB18030 text")


def _document_tables(path: str, doc: Any) -> list[Table]:
    if isinstance(doc, list):
        return [Table(path, doc, [Provenance(path, path=f"$[{i}]") for i in range(len(doc))])]
    if isinstance(doc, dict):
        return [Table(path, [doc], [Provenance(path, path="$")], document=True)]
    raise _error("D004", path, f"expected records (a list or an object), found {type(doc).__name__}")


def _read_jsonl(path: str, text: str) -> Table:
    rows, sources = [], []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            # one bad line is one bad record: it gets error verdicts, the other lines are judged
            rows.append(UnreadableLine(line, f"not valid JSON at column {exc.colno}: {exc.msg}"))
        sources.append(Provenance(path, n, "line"))
    if rows and all(isinstance(r, UnreadableLine) for r in rows):
        first = rows[0]
        raise _error("D003", path, f"not JSON Lines: line 1 is {first.problem}", Span.point(1, 1), text)
    return Table(path, rows, sources)


class UnreadableLine(str):
    """A JSON Lines line that is not JSON; judged as a record, it gives error verdicts."""

    problem: str

    def __new__(cls, line: str, problem: str) -> "UnreadableLine":
        obj = super().__new__(cls, line)
        obj.problem = problem
        return obj

    def __repr__(self) -> str:
        text = str.__repr__(self[:40] + ("…" if len(self) > 40 else ""))
        return f"{text} ({self.problem})"


def _load_yaml(path: str, text: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise _error("D005", path, "reading YAML needs PyYAML", hint="pip install 'standardlang[yaml]'") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        span = Span.point(mark.line + 1, mark.column + 1) if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise _error("D003", path, f"not valid YAML: {problem}", span, text) from None


def _numbered(reader: Any) -> Iterable[tuple[int, list]]:
    """CSV rows with the line each starts on (a quoted cell may span lines)."""
    end = 0
    for cells in reader:
        start, end = end + 1, reader.line_num
        yield start, cells


def _table(path: str, rows: Iterable[tuple[int, list]], sheet: str | None = None, only_sheet: bool = True) -> Table:
    """A flat table: the first non-empty row is the header; empty rows are skipped."""
    headers: list[str] = []
    records, sources = [], []
    for n, cells in rows:
        cells = ["" if c is None else c for c in cells]
        if not any(str(c).strip() for c in cells):
            continue
        if not headers:
            headers = [str(c).strip() for c in cells]
            continue
        records.append(dict(zip(headers, cells)))
        sources.append(Provenance(path, n, sheet=sheet))
    return Table(path, records, sources, flat=True, name=sheet, named_by="sheet" if sheet else None,
                 headers=headers, only_sheet=only_sheet)


def _read_xlsx(path: str) -> list[Table]:
    try:
        import openpyxl
    except ImportError:
        raise _error("D005", path, "reading Excel files needs openpyxl", hint="pip install 'standardlang[xlsx]'") from None
    if not os.path.isfile(path):
        raise _error("D001", path, "cannot read data file: No such file or directory")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError...
        raise _error("D003", path, f"not a readable Excel workbook: {exc}") from None
    try:
        sheets = wb.worksheets
        return [_table(path, enumerate(ws.iter_rows(values_only=True), 1), ws.title, len(sheets) == 1)
                for ws in sheets]
    except Exception as exc:  # a damaged sheet
        raise _error("D003", path, f"not a readable Excel workbook: {exc}") from None
    finally:
        wb.close()


# ------------------------------------------------------------------ names and labels
def _norm(text: Any) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def _names(name: str, label: str | None) -> list[str]:
    out = [name]
    if label:
        out.append(label)
        if "/" in label:
            out.extend(p for p in label.split("/") if p.strip())
            out.append(label.replace("/", ""))
    return out


_INDEXES: dict[int, tuple[RecordT, dict[str, str]]] = {}


def field_index(rtype: RecordT) -> dict[str, str]:
    """Normalised field names and labels of a record type -> field name."""
    cached = _INDEXES.get(id(rtype))
    if cached is not None and cached[0] is rtype:
        return cached[1]
    index: dict[str, str] = {}
    for fname, info in rtype.fields.items():
        index[_norm(fname)] = fname
    for fname, info in rtype.fields.items():
        for n in _names(fname, info.label)[1:]:
            index.setdefault(_norm(n), fname)
    _INDEXES[id(rtype)] = (rtype, index)
    return index


def entity_index(entities: dict[str, RecordT]) -> dict[str, str]:
    """Normalised collection names (entity names, plurals, labels, list-field labels) -> entity."""
    index = {_norm(k): v for k, v in collection_names(entities).items()}
    for name, rec in entities.items():
        for n in _names(name, rec.label):
            index.setdefault(_norm(n), name)
        for info in rec.fields.values():
            if isinstance(info.type, ListT) and isinstance(info.type.elem, RecordT) and info.type.elem.entity:
                for n in _names(info.name, info.label):
                    index.setdefault(_norm(n), info.type.elem.name)
    return index


def user_error(code: str, message: str, hint: str | None = None) -> StandardLangError:
    """A usage error of the command line (exit code 2), rendered as ``standardlang: error: ...``."""
    return StandardLangError([Diagnostic(code, message, hint=hint, source=Source("standardlang", ""))])


def resolve_entity(spec: Any, name: str | None) -> str | None:
    """The entity named ``name`` (its name, label or collection name); a usage error if none."""
    if name is None:
        return None
    found = entity_index(spec.entities).get(_norm(name))
    if found is None:
        raise user_error("E150", f"spec `{spec.name}` has no entity `{name}`",
                         did_you_mean(name, spec.entities) or f"entities: {', '.join(spec.entities)}")
    return found


def _lookup(index: dict[str, str], key: Any) -> str | None:
    k = _norm(key)
    found = index.get(k)
    if found is None:
        bare = _UNIT_SUFFIX.sub("", k)  # 建筑面积(㎡)
        if bare != k:
            found = index.get(bare)
    return found


# ------------------------------------------------------------------ converting cells
def convert_cell(cell: Any, t: Any, unit: str | None = None) -> Any:
    """A cell (text, or a spreadsheet value) as a value of type ``t``; unconvertible cells stay as they are."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return ABSENT
    if isinstance(t, Num):
        return _number(cell, unit)
    if isinstance(t, BoolT):
        if isinstance(cell, bool):
            return cell
        if isinstance(cell, (int, float)) and cell in (0, 1):
            return bool(cell)
        word = _norm(cell)
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else cell
    if isinstance(t, TextT):
        if isinstance(cell, float) and cell.is_integer():
            return str(int(cell))
        return cell.strip() if isinstance(cell, str) else str(cell)
    if isinstance(t, EnumT):
        return _member(cell, t)
    if isinstance(t, SetT):
        if not isinstance(cell, str):
            return _member(cell, t.enum) if isinstance(cell, (int, float)) else cell
        text = unicodedata.normalize("NFKC", cell)
        return [_member(p.strip(), t.enum) for p in _SET_SPLIT.split(text) if p.strip()]
    if isinstance(t, (RecordT, ListT)):
        if isinstance(cell, str) and cell.strip()[:1] in ("{", "["):
            try:
                return json.loads(cell)
            except json.JSONDecodeError:
                return cell
        return cell
    if isinstance(t, Dynamic) and isinstance(cell, str):
        n = _number(cell, None)
        return n if not isinstance(n, str) else cell.strip()
    return cell


def _number(cell: Any, unit: str | None) -> Any:
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, (int, float, Fraction)):
        return cell
    if not isinstance(cell, str):
        return cell
    text = unicodedata.normalize("NFKC", cell).strip()
    for u in filter(None, (unit and unicodedata.normalize("NFKC", unit), "m²" if unit in ("m2", "㎡", "平方米") else None)):
        if text.endswith(u) and len(text) > len(u):
            text = text[: -len(u)].strip()
            break
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    m = re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?(\d+))?", text)
    if not m or (m.group(3) and int(m.group(3)) > 100):
        return cell
    v = Fraction(text)
    return int(v) if v.denominator == 1 else v


def _member(cell: Any, t: EnumT) -> Any:
    if not isinstance(cell, str):
        cell = str(int(cell)) if isinstance(cell, float) and cell.is_integer() else str(cell)
    lookup = t.lookup()
    text = cell.strip()
    if text in lookup:
        return lookup[text]
    wanted = _norm(text)
    for k, v in lookup.items():
        if _norm(k) == wanted:
            return v
    return text


# ------------------------------------------------------------------ binding to a spec
class _Binder:
    def __init__(self, spec: Any, entity: str | None, levels: Iterable[str] = ()):
        self.presence: dict[str, list[str] | None] = {}
        self.spec = spec
        self.levels = {_norm(w) for w in LEVEL_WORDS} | {_norm(w) for w in levels}
        self.entities: dict[str, RecordT] = spec.entities
        self.names = entity_index(self.entities)
        self.entity = entity
        self.records: dict[str, list[dict]] = {name: [] for name in self.entities}
        self.sources: dict[int, Provenance] = {}
        self.warnings: list[str] = []

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    # --- which entity a table holds
    def table_entity(self, table: Table, rows: list[Any]) -> str | None:
        if table.name is not None:
            found = _lookup(self.names, table.name)
            if found is not None:
                return found
            if table.named_by == "key" or not table.only_sheet:
                what = "collection" if table.named_by == "key" else "sheet"
                hint = did_you_mean(table.name, self.entities)
                # a level of another spec (city, districts) is expected; only a near-miss is worth a hint
                if hint and table.name.lower() in LEVEL_WORDS:
                    hint = None
                self.warn(f"{table.file}: {what} `{table.name}` is no entity of spec {self.spec.name}; ignored"
                          + (f" ({hint})" if hint else ""))
                return None
        stem = table.stem
        last = re.split(r"[_\-. ]", stem)[-1]
        found = _lookup(self.names, stem) or _lookup(self.names, last)
        if found is not None:
            return found
        if self.entity is not None:
            return self.entity
        if any(_norm(w) in self.levels for w in (stem, last)):
            self.warn(f"{table.file}: `{stem}` is no entity level of spec {self.spec.name}; ignored for it")
            return None
        keys = table.headers if table.flat else [k for r in rows[:20] if isinstance(r, dict) for k in r]
        return self.guess(keys)

    def guess(self, keys: list[Any]) -> str:
        best, score = self.spec.default_entity, 0
        for name, rec in self.entities.items():
            s = sum(1 for k in keys if self.header_plan(str(k).split(".")[0], rec) is not None)
            if s > score:
                best, score = name, s
        return best

    # --- documents: one record, or a mapping of collections
    def expand(self, table: Table) -> list[tuple[Table, list[Any]]]:
        doc = table.rows[0]
        keys = [k for k in doc if not str(k).startswith("$")]
        known = [k for k in keys if _lookup(self.names, k) is not None]
        fields = {_norm(f) for rec in self.entities.values() for f in field_index(rec)}
        is_mapping = (keys and known and all(isinstance(doc[k], (list, dict)) for k in keys)
                      and all(k in known or _norm(k) not in fields for k in keys))
        if not is_mapping:
            return [(table, table.rows)]
        out = []
        for k in keys:
            rows = doc[k] if isinstance(doc[k], list) else [doc[k]]
            base = table.sources[0].path or "$"
            srcs = [attrs.evolve(table.sources[0], path=f"{base}.{k}" + (f"[{i}]" if isinstance(doc[k], list) else ""))
                    for i in range(len(rows))]
            out.append((Table(table.file, rows, srcs, name=str(k), named_by="key"), rows))
        return out

    # --- tree records (JSON, YAML)
    def tree(self, raw: Any, rtype: RecordT) -> Any:
        if not isinstance(raw, dict):
            return raw
        index = field_index(rtype)
        out: dict[Any, Any] = {}
        for k, v in raw.items():
            fname = _lookup(index, k) if isinstance(k, str) else None
            if fname is None:
                out.setdefault(k, v)
                continue
            info = rtype.fields[fname]
            t = info.type
            if isinstance(t, RecordT) and not t.entity:
                v = self.tree(v, t)
            elif isinstance(t, ListT) and isinstance(t.elem, RecordT) and not t.elem.entity and isinstance(v, list):
                v = [self.tree(x, t.elem) for x in v]
            out[fname] = v
        return out

    def add(self, entity: str, rec: Any, prov: Provenance) -> None:
        self.records.setdefault(entity, []).append(rec)
        self.sources[id(rec)] = prov
        if not isinstance(rec, dict):
            return
        rtype = self.entities[entity]
        for fname, info in rtype.fields.items():
            t = info.type
            if not (isinstance(t, ListT) and isinstance(t.elem, RecordT) and t.elem.entity):
                continue
            children = rec.get(fname)
            if not isinstance(children, list):
                continue
            linked = []
            for i, c in enumerate(children):
                child = self.tree(c, t.elem)
                if isinstance(child, dict) and info.by and child.get(info.by) is None and rtype.key \
                        and rec.get(rtype.key) is not None:
                    child[info.by] = rec.get(rtype.key)
                self.add(t.elem.name, child, attrs.evolve(prov, path=f"{prov.path or '$'}.{fname}[{i}]"))
                linked.append(child)
            rec[fname] = linked

    # --- flat records (CSV, XLSX)
    def header_plan(self, header: str, rtype: RecordT) -> Any:
        """(steps, field info) of a dotted header such as ``便利店[1].建筑面积``, or None."""
        t: Any = rtype
        steps: list[tuple[str, int | None]] = []
        info = None
        for part in header.split("."):
            if not isinstance(t, RecordT):
                return None
            m = _INDEX.fullmatch(part)
            name, index = (m.group(1), int(m.group(2))) if m else (part, None)
            fname = _lookup(field_index(t), name)
            if fname is None:
                return None
            info = t.fields[fname]
            if index is not None:
                if not (isinstance(info.type, ListT) and isinstance(info.type.elem, RecordT) and not info.type.elem.entity):
                    return None
                t = info.type.elem
            else:
                t = info.type
            steps.append((fname, index))
        return (steps, info) if steps else None

    def presence_steps(self, header: str, rtype: RecordT) -> list[str] | None:
        """For a dotted header no field matches (``service_station.rooms`` read by a spec
        without ``rooms``): the path of the nested record it lies in, whose presence a
        filled cell still shows.  None when no nested record of the schema is named."""
        t: Any = rtype
        steps: list[str] = []
        for part in header.split(".")[:-1]:
            fname = _lookup(field_index(t), part) if isinstance(t, RecordT) else None
            if fname is None or not isinstance(t.fields[fname].type, RecordT) or t.fields[fname].type.entity:
                break
            steps.append(fname)
            t = t.fields[fname].type
        return steps or None

    def flat(self, table: Table, rtype: RecordT) -> list[Any]:
        plans, unmatched, links = [], [], []
        self.presence = {h: self.presence_steps(h, rtype) for h in table.headers if h and "." in h}
        for h in table.headers:
            if not h:
                continue
            plan = self.header_plan(h, rtype)
            if plan is not None and isinstance(plan[1].type, ListT) and isinstance(plan[1].type.elem, RecordT) \
                    and plan[1].type.elem.entity:
                links.append(h)
                plan = None
            elif plan is None:
                unmatched.append(h)
            plans.append((h, plan))
        where = f"{table.file}" + (f" sheet {table.name}" if table.named_by == "sheet" else "")
        if unmatched:
            self.warn(f"{where}: columns that are no field of {rtype.name} (kept, not read by rules): "
                      + ", ".join(unmatched))
        if links:
            self.warn(f"{where}: columns {', '.join(links)} ignored: records of a lower level are linked by "
                      "their own parent field, in their own file or sheet")
        return [self.flat_row(row, plans, links) for row in table.rows]

    def flat_row(self, row: dict, plans: list, skip: list[str]) -> dict:
        rec: dict[str, Any] = {}
        for header, plan in plans:
            cell = row.get(header)
            if cell is None or (isinstance(cell, str) and not cell.strip()) or header in skip:
                continue
            if plan is None:
                rec.setdefault(header, cell.strip() if isinstance(cell, str) else cell)
                target: Any = rec
                for fname in self.presence.get(header) or ():  # the nested record is there
                    nxt = target.get(fname)
                    if not isinstance(nxt, dict):
                        nxt = target[fname] = {}
                    target = nxt
                continue
            steps, info = plan
            value = convert_cell(cell, info.type, info.unit)
            if value is ABSENT:
                continue
            target: Any = rec
            for fname, index in steps[:-1]:
                nxt = target.get(fname)
                if index is None:
                    if not isinstance(nxt, dict):
                        nxt = target[fname] = {}
                    target = nxt
                else:
                    if not isinstance(nxt, _Indexed):
                        nxt = target[fname] = _Indexed()
                    target = nxt.setdefault(index, {})
            if isinstance(info.type, (RecordT, ListT)) and not isinstance(value, str):
                value = self._tree_value(value, info.type)
            target[steps[-1][0]] = value
        return _finish(rec)

    def _tree_value(self, value: Any, t: Any) -> Any:
        if isinstance(t, RecordT):
            return self.tree(value, t)
        if isinstance(t, ListT) and isinstance(t.elem, RecordT) and isinstance(value, list):
            return [self.tree(x, t.elem) for x in value]
        return value


class _Indexed(dict):
    """Elements of a list given by indexed columns (``stores[0].area``), before ordering."""


def _finish(v: Any) -> Any:
    if isinstance(v, _Indexed):
        return [_finish(v[k]) for k in sorted(v) if v[k]]
    if isinstance(v, dict):
        return {k: _finish(x) for k, x in v.items()}
    return v


def bind(tables: list[Table], spec: Any, entity: str | None = None, levels: Iterable[str] = ()) -> Dataset:
    """Records of ``spec``'s entities from the tables, linked into an inventory, with provenance.

    ``entity`` (a name or label) says which entity level a file holding one level is,
    when its sheet or file name does not.  A file named after an entity level that
    ``spec`` lacks (``districts.csv`` for a spec of communities only; the level
    names of :data:`LEVEL_WORDS` and ``levels``) is skipped with a warning.  Every
    call builds fresh records, so several specs can bind the same tables.
    """
    b = _Binder(spec, resolve_entity(spec, entity), levels)
    files: list[str] = []
    for table in tables:
        if table.file not in files:
            files.append(table.file)
        parts = b.expand(table) if table.document else [(table, table.rows)]
        for t, rows in parts:
            ent = b.table_entity(t, rows)
            if ent is None:
                continue
            rtype = b.entities[ent]
            recs = b.flat(t, rtype) if t.flat else [b.tree(r, rtype) for r in rows]
            for rec, prov in zip(recs, t.sources):
                b.add(ent, rec, prov)
    for ent, recs in b.records.items():
        key = b.entities[ent].key
        if not key:
            continue
        seen: dict[str, Provenance | None] = {}
        for rec in recs:
            k = rec.get(key) if isinstance(rec, dict) else None
            if k is None:
                continue
            if str(k) in seen:
                b.warn(f"{ent} `{k}` appears twice ({seen[str(k)]}; {b.sources.get(id(rec))})")
            seen[str(k)] = b.sources.get(id(rec))
    read = {name: len(rs) for name, rs in b.records.items() if rs}
    inventory = Inventory(b.entities, b.records, b.sources)
    return Dataset(inventory, b.sources, read, files, b.warnings)


def load_data(paths: Iterable[str], spec: Any, entity: str | None = None) -> Dataset:
    """Read files and bind them to ``spec``: :func:`read_files` then :func:`bind`."""
    return bind(read_files(paths), spec, entity)


def level_names(specs: Iterable[Any]) -> set[str]:
    """Every collection name of the entities of these specs (to skip files of levels a spec lacks)."""
    return {k for spec in specs for k in entity_index(spec.entities)}
