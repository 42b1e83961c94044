"""Bind tables read from data files to one spec: records of its entities, linked, with provenance.

Takes :class:`~standardlang.data.readers.Table` objects and a spec; gives a
:class:`Dataset`: an :class:`~standardlang.data.inventory.Inventory` of plain dicts
keyed by field names (keys and column headers matched by name or label, nested
records too, cells converted to the schema's types), where each record came from,
and warnings (columns that match no field, with a did-you-mean; levels the spec lacks).
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from typing import Any, Iterable

import attrs

from standardlang.data import safe
from standardlang.data.cells import ABSENT, convert_cell
from standardlang.data.inventory import Inventory
from standardlang.data.readers import (LEVEL_WORDS, Provenance, Table, _INDEX, _UNIT_SUFFIX, _error, _lookup,
                                       _names, _norm, entity_index, field_index, read_files, resolve_entity)
from standardlang.data.safe import BadValue, UnreadableLine
from standardlang.errors import did_you_mean
from standardlang.lang.types import ListT, Num, RecordT

#: what separates the parts of a nested header: `kindergarten.building_area`, and the label
#: forms `幼儿园·建筑面积` (as the data model shows them), `幼儿园・建筑面积`, `幼儿园．建筑面积`
_PATH_SEP = re.compile(r"[.·・．]")


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
            s = sum(1 for k in keys if self.header_plan(_PATH_SEP.split(str(k))[0], rec) is not None)
            if s > score:
                best, score = name, s
        return best

    # --- documents: one record, or a mapping of collections
    def expand(self, table: Table) -> list[tuple[Table, list[Any]]]:
        doc = table.rows[0]
        keys = [k for k in doc if not str(k).startswith("$")]
        known = [k for k in keys if _lookup(self.names, k) is not None]
        fields = {_norm(f) for rec in self.entities.values() for f in field_index(rec)}
        for k in known:
            if not isinstance(doc[k], (list, dict)) and _norm(k) not in fields:
                where = f"{table.sources[0].path or '$'}.{k}"
                raise _error("D004", table.file, f"collection `{k}` at {where} must be a list of records, found "
                             f"{type(doc[k]).__name__} {safe.shown(repr(doc[k]), 40)}")
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
        plans = _key_plans(rtype)
        out: dict[Any, Any] = {}
        for k, v in raw.items():
            plan = plans.get(k, _UNPLANNED) if k.__class__ is str else _UNPLANNED
            if plan is _UNPLANNED:
                plan = _key_plan(rtype, k, plans)
            if plan is None:
                out.setdefault(k, v)
                continue
            fname, kind, t, info = plan
            if kind == _PLAIN or (kind == _NUMBER and not isinstance(v, str)):
                out[fname] = v  # the common case: nothing to convert
                continue
            if kind >= _NESTED and isinstance(v, (bool, str, int)) \
                    and not (isinstance(v, str) and v.strip()[:1] in "{["):
                # a facility written false / "无" / 0 is absent (null); true / "有" is there (a record: {})
                v = v if (c := convert_cell(v, t)) is ABSENT else c
            if kind == _RECORD:
                v = self.tree(v, t)
            elif kind == _RECORDS and isinstance(v, list):
                v = [self.tree(x, t.elem) for x in v]
            elif kind == _NUMBER and v.strip():
                n = convert_cell(v, t, info.unit)  # "4500", "3,500", "2200平方米": read as in a CSV cell
                v = n if isinstance(n, (int, float, Fraction)) and not isinstance(n, bool) else v
            out[fname] = v
        return out

    def add(self, entity: str, rec: Any, prov: Provenance) -> None:
        if not isinstance(rec, (dict, BadValue)):
            # null, true, 3: not records; wrapped, each is its own object, so its provenance is its own
            text = safe.shown(json.dumps(rec, default=repr) if not safe.is_huge_int(rec) else "(a huge number)", 40)
            rec = UnreadableLine(text, f"expected a record (an object), found {text}")
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
        for part in _PATH_SEP.split(header):
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
        for part in _PATH_SEP.split(header)[:-1]:
            fname = _lookup(field_index(t), part) if isinstance(t, RecordT) else None
            if fname is None or not isinstance(t.fields[fname].type, RecordT) or t.fields[fname].type.entity:
                break
            steps.append(fname)
            t = t.fields[fname].type
        return steps or None

    def flat(self, table: Table, rtype: RecordT) -> list[Any]:
        plans, unmatched, links = [], [], []
        self.presence = {h: self.presence_steps(h, rtype) for h in table.headers if h and _PATH_SEP.search(h)}
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
            self.warn(f"{where}: columns that match no field of {rtype.name} (kept, not read by any rule): "
                      + ", ".join(self.suggest(h, rtype) for h in unmatched))
        if links:
            self.warn(f"{where}: columns {', '.join(links)} ignored: records of a lower level are linked by "
                      "their own parent field, in their own file or sheet")
        # a row a reader could not read (UnreadableLine) stays one: a record in error
        return [self.flat_row(row, plans, links) if isinstance(row, dict) else row for row in table.rows]

    def suggest(self, header: str, rtype: RecordT) -> str:
        """``header``, with a did-you-mean against the field names and labels at the level it names."""
        t: Any = rtype
        parts = _PATH_SEP.split(header)
        prefix = []
        for part in parts[:-1]:  # walk as far as the header names nested records
            m = _INDEX.fullmatch(part)
            fname = _lookup(field_index(t), m.group(1) if m else part) if isinstance(t, RecordT) else None
            if fname is None:
                break
            info = t.fields[fname]
            t = info.type.elem if isinstance(info.type, ListT) else info.type
            prefix.append(part)
        if not isinstance(t, RecordT) or len(prefix) < len(parts) - 1:
            return f"`{header}`"
        names = [n for f, info in t.fields.items() for n in _names(f, info.label)]
        hint = did_you_mean(_UNIT_SUFFIX.sub("", parts[-1]), names)
        if hint is None:
            return f"`{header}`"
        return f"`{header}` ({hint[:-1].replace('`', '`' + '.'.join(prefix + ['']), 1)}?)"

    def flat_row(self, row: dict, plans: list, skip: list[str]) -> dict:
        """One CSV row or sheet row as a record.  An empty cell is *not recorded* (its key is left
        out); a facility's own column written ``无`` / ``none`` / ``0`` is *absent* (``None``), and
        a filled sub-column of a facility so written is a contradiction (an error verdict)."""
        rec: dict[str, Any] = {}
        # own columns of nested records and lists first, so that "absent" is known before their sub-columns
        ordered = sorted(plans, key=lambda hp: not (hp[1] is not None and _nested(hp[1][1].type)))
        for header, plan in ordered:
            cell = row.get(header)
            if cell is None or (isinstance(cell, str) and not cell.strip()) or header in skip:
                continue
            if plan is None:
                rec.setdefault(header, cell.strip() if isinstance(cell, str) else cell)
                target: Any = rec
                for fname in self.presence.get(header) or ():  # the nested record is there
                    target = _enter(target, fname, None, header, cell)
                    if target is None:
                        break
                continue
            steps, info = plan
            value = convert_cell(cell, info.type, info.unit)
            if value is ABSENT:
                continue
            target = rec
            for fname, index in steps[:-1]:
                target = _enter(target, fname, index, header, cell)
                if target is None:
                    break
            if target is None:
                continue
            if _nested(info.type) and value is not None and not isinstance(value, str):
                value = self._tree_value(value, info.type)
            last = steps[-1][0]
            if isinstance(value, dict) and isinstance(target.get(last), dict):
                target[last].update({k: v for k, v in value.items() if k not in target[last]})
                continue
            target[last] = value
        return _finish(rec)

    def _tree_value(self, value: Any, t: Any) -> Any:
        if isinstance(t, RecordT):
            return self.tree(value, t)
        if isinstance(t, ListT) and isinstance(t.elem, RecordT) and isinstance(value, list):
            return [self.tree(x, t.elem) for x in value]
        return value


def _nested(t: Any) -> bool:
    return isinstance(t, (RecordT, ListT))


# What :meth:`_Binder.tree` does with a key's value, planned once per record type and key (a
# record's keys repeat in every record): the field it binds to, and how its value is converted.
# tests/test_binding_plan.py compares it with the code that looked each key up afresh.
_PLAIN, _NUMBER, _NESTED, _RECORD, _RECORDS = 0, 1, 2, 3, 4  # _NESTED and above: a record or a list
_UNPLANNED = object()
_KEY_PLANS: dict[int, tuple[RecordT, dict]] = {}
_MAX_PLANNED = 4096  # keys remembered per record type (the data may hold any number of odd keys)


def _key_plans(rtype: RecordT) -> dict:
    cached = _KEY_PLANS.get(id(rtype))
    if cached is None or cached[0] is not rtype:
        cached = _KEY_PLANS[id(rtype)] = (rtype, {})
    return cached[1]


def _key_plan(rtype: RecordT, key: Any, plans: dict) -> tuple | None:
    """(field name, kind, type, field info) of a key of a tree record, or None: a key of no field."""
    fname = _lookup(field_index(rtype), key) if isinstance(key, str) else None
    plan = None
    if fname is not None:
        info = rtype.fields[fname]
        t = info.type
        kind = (_RECORD if isinstance(t, RecordT) and not t.entity
                else _RECORDS if isinstance(t, ListT) and isinstance(t.elem, RecordT) and not t.elem.entity
                else _NESTED if _nested(t) else _NUMBER if isinstance(t, Num) else _PLAIN)
        plan = (fname, kind, t, info)
    if key.__class__ is str and len(plans) < _MAX_PLANNED:
        plans[key] = plan
    return plan


def _enter(target: dict, fname: str, index: int | None, header: str, cell: Any) -> Any:
    """The nested record (or indexed list element) ``fname`` of ``target``, made if need be; None
    when the data wrote it absent: its filled sub-column ``header`` contradicts that (the
    record then holds a :class:`BadValue` at ``fname``, and validation names it)."""
    nxt = target.get(fname)
    if fname in target and (nxt is None or isinstance(nxt, BadValue)):
        if nxt is None:
            target[fname] = BadValue("无", f"written as absent (无/none/0), yet its column `{header}` holds "
                                          f"{safe.shown(str(cell), 40)}")
        return None
    if index is None:
        if not isinstance(nxt, dict):
            nxt = target[fname] = {}
        return nxt
    if not isinstance(nxt, _Indexed):
        nxt = target[fname] = _Indexed()
    return nxt.setdefault(index, {})


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
