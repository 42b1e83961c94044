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
import functools
import io
import json
import os
import re
import unicodedata
from typing import Any, Iterable, Iterator

import attrs

from standardlang.errors import DataError, Diagnostic, Source, Span, StandardLangError, did_you_mean
from standardlang.data.inventory import collection_names
from standardlang.data import safe
from standardlang.data.cells import ABSENT, convert_cell  # noqa: F401  (re-exported: the readers' API)
from standardlang.data.safe import BadValue, UnreadableLine  # noqa: F401
from standardlang.lang.types import ListT, RecordT

FORMATS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".yaml": "yaml", ".yml": "yaml",
           ".csv": "csv", ".tsv": "tsv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
_INDEX = re.compile(r"(.*?)\s*\[\s*(\d{1,6})\s*\]")  # a list index of at most six digits
_UNIT_SUFFIX = re.compile(r"\s*\([^()]*\)\s*$")
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


# ------------------------------------------------------------------ reading files
def read_files(paths: Iterable[str], encoding: str | None = None) -> list[Table]:
    """Read every file; raises DataError for one that cannot be read."""
    tables: list[Table] = []
    for p in paths:
        tables.extend(read_file(p, encoding))
    return tables


def data_format(path: str) -> str | None:
    """The format of a data file by its extension: json jsonl yaml csv tsv xlsx, or None."""
    return FORMATS.get(os.path.splitext(os.fspath(path))[1].lower())


def read_file(path: str, encoding: str | None = None) -> list[Table]:
    """The tables of one data file, by its extension (.json .jsonl .yaml .csv .tsv .xlsx).

    ``encoding`` overrides the safe rule of :func:`~standardlang.data.safe.decide_encoding`.
    """
    path = os.fspath(path)
    fmt = data_format(path)
    if fmt == "xlsx":
        return _read_xlsx(path)
    if fmt == "jsonl":
        table = Table(path, [], [])
        for row, prov in iter_jsonl(path, encoding):
            table.rows.append(row)
            table.sources.append(prov)
        return [table]
    text = _read_text(path, encoding)
    if fmt is None and text.lstrip()[:1] not in ("{", "["):
        raise _error("D002", path, "unknown data format; use a .json, .jsonl, .yaml, .csv, .tsv or .xlsx file")
    if fmt in ("json", None):
        return _document_tables(path, _load_json(path, text))
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


def _open(path: str) -> Any:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise _error("D001", path, f"cannot read data file: {exc.strerror or exc}") from None


def _read_text(path: str, encoding: str | None) -> str:
    with _open(path) as fh:
        enc = safe.decide_encoding(fh, encoding)
        try:
            raw = fh.read()
        except OSError as exc:
            raise _error("D001", path, f"cannot read data file: {exc.strerror or exc}") from None
    return safe.decode(raw, enc)


def _load_json(path: str, text: str) -> Any:
    try:
        return safe.loads_json(text)
    except json.JSONDecodeError as exc:
        lines = text.split("\n")  # the decoder counts lines at \n; an error may sit after the last one
        problem = safe.bad_bytes(lines[exc.lineno - 1]) if 0 < exc.lineno <= len(lines) else None
        msg = f"not valid JSON: {exc.msg}" + (f" (line {exc.lineno} is {problem})" if problem else "")
        raise _error("D003", path, msg, Span.point(exc.lineno, exc.colno), safe.shown(text, 10**7),
                     hint="give the file's encoding with --encoding" if problem else None) from None
    except safe.TooDeep as exc:
        raise _error("D003", path, f"not readable JSON: {exc}", Span.point(exc.line, exc.column),
                     safe.shown(text, 10**7)) from None


def _document_tables(path: str, doc: Any) -> list[Table]:
    if isinstance(doc, list):
        return [Table(path, doc, [Provenance(path, path=f"$[{i}]") for i in range(len(doc))])]
    if isinstance(doc, dict):
        return [Table(path, [doc], [Provenance(path, path="$")], document=True)]
    if doc is None:
        raise _error("D004", path, "no records: the file is empty")
    raise _error("D004", path, f"expected records (a list or an object), found {type(doc).__name__}")


def iter_jsonl(path: str, encoding: str | None = None) -> Iterator[tuple[Any, Provenance]]:
    """(record, provenance) of each non-blank line of a JSON Lines file, read lazily.

    A line that is not JSON, not UTF-8 text, or nested too deep is one
    :class:`UnreadableLine` (an error record); a file with no readable line at all
    (empty, or not JSON Lines) raises DataError.
    """
    good = bad = 0
    first: tuple[int, str] | None = None
    with _open(path) as fh:
        enc = safe.decide_encoding(fh, encoding)
        for n, line in safe.lines(fh, enc):
            if not line.strip():
                continue
            row = jsonl_row(line)
            if isinstance(row, UnreadableLine):
                bad += 1
                first = first or (n, row.problem)
            else:
                good += 1
            if not good and bad >= 20:  # twenty bad lines and no good one: not JSON Lines at all
                break
            yield row, Provenance(path, n, "line")
    if not good:
        if first is None:
            raise _error("D004", path, "no records: the file is empty",
                         hint="JSON Lines hold one record (a JSON object) a line")
        raise _error("D003", path, f"not JSON Lines: line {first[0]} is {first[1]}", Span.point(first[0], 1))


def jsonl_row(line: str) -> Any:
    """One JSON Lines line as a value, or an :class:`UnreadableLine` saying why it is not one."""
    problem = safe.bad_bytes(line)
    if problem is not None:
        return UnreadableLine(safe.shown(line), problem)
    try:
        return safe.loads_json(line)
    except json.JSONDecodeError as exc:
        return UnreadableLine(safe.shown(line), f"not valid JSON at column {exc.colno}: {exc.msg}")
    except safe.TooDeep as exc:
        return UnreadableLine(safe.shown(line), f"JSON {exc} (column {exc.column})")


def _load_yaml(path: str, text: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise _error("D005", path, "reading YAML needs PyYAML", hint="pip install 'standardlang[yaml]'") from None
    try:
        return safe.load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        span = Span.point(mark.line + 1, mark.column + 1) if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise _error("D003", path, f"not valid YAML: {problem}", span, safe.shown(text, 10**7)) from None
    except RecursionError:  # PyYAML's parser is recursive too; the composer's limit usually comes first
        raise _error("D003", path, "not readable YAML: nested too deep") from None


def _numbered(reader: Any) -> Iterable[tuple[int, list]]:
    """CSV rows with the line each starts on (a quoted cell may span lines)."""
    end = 0
    for cells in reader:
        start, end = end + 1, reader.line_num
        yield start, cells


def surplus_cells(cells: list, headers: list[str], line: int) -> UnreadableLine | None:
    """A row with filled cells beyond the header's last column, as one error record (the cells
    belong to no field, and dropping them would lose data); None when the row fits."""
    if len(cells) > len(headers) and any(str(c).strip() for c in cells[len(headers):] if c is not None):
        return UnreadableLine(f"row at line {line}", f"{len(cells)} cells for {len(headers)} columns: "
                              f"the cells after column `{headers[-1] if headers else ''}` belong to no field")
    return None


def _table(path: str, rows: Iterable[tuple[int, list]], sheet: str | None = None, only_sheet: bool = True) -> Table:
    """A flat table: the first non-empty row is the header; empty rows are skipped; a row with more
    filled cells than the header has columns is a record in error (see :func:`surplus_cells`)."""
    headers: list[str] = []
    records, sources = [], []
    for n, cells in rows:
        cells = ["" if c is None else c for c in cells]
        if not any(str(c).strip() for c in cells):
            continue
        if not headers:
            headers = [str(c).strip() for c in cells]
            while headers and not headers[-1]:  # a sheet's width pads the header row with empty cells
                headers.pop()
            continue
        extra = surplus_cells(cells, headers, n)
        records.append(dict(zip(headers, cells)) if extra is None else extra)
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
    if type(text) is str:
        return _norm_str(text)
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


@functools.lru_cache(maxsize=8192)
def _norm_str(text: str) -> str:  # keys repeat in every record: normalise each once
    return unicodedata.normalize("NFKC", text).strip().casefold()


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
        raise user_error("U007", f"spec `{spec.name}` has no entity `{name}`",
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


_BINDING_API = ("Dataset", "bind", "level_names", "load_data")


def __getattr__(name: str):
    """The binding half of the readers' API, re-exported lazily: ``binding`` imports this module,
    so an import at module level would be circular whenever ``binding`` is imported first."""
    if name in _BINDING_API:
        from standardlang.data import binding

        return getattr(binding, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
