"""Inventories: the records of every entity level of a city, linked into a tree.

Takes data as it comes from a reader — lists of records per entity (flat, linked
by parent keys such as ``community.subdistrict``), or one nested record (a city
holding its districts holding subdistricts...) — and gives, per entity, the list
of records with each parent holding its children under its ``list of`` field.
"""

from __future__ import annotations

from typing import Any

from standardlang.errors import DataError
from standardlang.lang.types import ListT, RecordT


class Inventory:
    """Records per entity, linked parent to children."""

    def __init__(self, entities: dict[str, RecordT], records: dict[str, list[dict]], sources: dict | None = None):
        self.entities = entities
        self.records: dict[str, list[dict]] = {name: list(rs) for name, rs in records.items()}
        self.sources = sources or {}
        self.ignored: list[str] = []  # collections given that no entity of the spec reads
        self._link()

    # -------------------------------------------------------------- construction
    @classmethod
    def from_data(cls, entities: dict[str, RecordT], data: Any, default_entity: str, *,
                  copy: bool = True) -> "Inventory":
        """Build from a list of records, a mapping of collections, or one nested record.

        The records are shallow copies (the caller's data is never changed); with
        ``copy=False``, for a caller that only reads them, they are the caller's own objects,
        but for records of an entity with children, which linking writes to.
        """
        collected: dict[str, list[dict]] = {name: [] for name in entities}
        names = collection_names(entities)
        ignored: list[str] = []
        links: dict[str, list] = {}  # entity -> its fields holding child records (found once, not per record)
        if isinstance(data, list):
            for rec in data:
                _extract(entities, default_entity, rec, collected, links, copy)
        elif isinstance(data, dict) and data and any(k in names for k in data) and all(
                isinstance(v, (list, dict)) for k, v in data.items() if not k.startswith("$")):
            for key, value in data.items():
                if key.startswith("$"):
                    continue
                if key not in names:  # a level this spec does not judge (another spec's)
                    ignored.append(key)
                    continue
                entity = names[key]
                if isinstance(value, dict):
                    value = [value]
                if not isinstance(value, list):
                    raise DataError(f"`{key}` must be a list of records, found {type(value).__name__}")
                for rec in value:
                    _extract(entities, entity, rec, collected, links, copy)
        elif isinstance(data, dict):
            _extract(entities, _guess_entity(entities, data, default_entity), data, collected, links, copy)
        else:
            raise DataError(f"expected records (a list or an object), found {type(data).__name__}")
        inventory = cls(entities, collected)
        inventory.ignored = ignored
        return inventory

    def _link(self) -> None:
        for parent_name, parent in self.entities.items():
            for fname, info in parent.fields.items():
                if not (isinstance(info.type, ListT) and isinstance(info.type.elem, RecordT)
                        and info.type.elem.entity and info.by):
                    continue
                child = info.type.elem.name
                if parent.key is None:
                    continue
                index: dict[Any, list[dict]] = {}
                for c in self.records.get(child, []):
                    if isinstance(c, dict) and c.get(info.by) is not None:
                        index.setdefault(str(c.get(info.by)), []).append(c)
                for p in self.records.get(parent_name, []):
                    if not isinstance(p, dict):
                        continue
                    if p.get(fname) is None:
                        key = p.get(parent.key)
                        p[fname] = index.get(str(key), []) if key is not None else None

    def count(self) -> dict[str, int]:
        return {name: len(rs) for name, rs in self.records.items() if rs}

    def __len__(self) -> int:
        return sum(len(rs) for rs in self.records.values())


def collection_names(entities: dict[str, RecordT]) -> dict[str, str]:
    """Names by which a collection of an entity's records may be given."""
    names: dict[str, str] = {}
    for name, rec in entities.items():
        names[name] = name
        if not name.endswith("y"):
            names[name + "s"] = name
        if rec.label:
            names[rec.label] = name
        for info in rec.fields.values():
            if isinstance(info.type, ListT) and isinstance(info.type.elem, RecordT) and info.type.elem.entity:
                names.setdefault(info.name, info.type.elem.name)
    if "community" in entities:
        names.setdefault("communities", "community")
    for name in entities:
        if name.endswith("y"):
            names.setdefault(name[:-1] + "ies", name)
    return names


def _guess_entity(entities: dict[str, RecordT], data: dict, default: str) -> str:
    best, score = default, -1
    for name, rec in entities.items():
        s = sum(1 for k in data if k in rec.fields)
        if s > score or (s == score and name == default):
            best, score = name, s
    return best


def _extract(entities: dict[str, RecordT], entity: str, rec: Any, collected: dict[str, list],
             links: dict[str, list] | None = None, copy: bool = True) -> Any:
    """Register ``rec`` (a shallow copy: the caller's data is never changed) and its children.

    ``links`` caches, per entity, its fields that hold records of another entity; with
    ``copy=False`` only a record with such fields (linking writes them) is copied.
    """
    rtype = entities[entity]
    links = {} if links is None else links
    fields = links.get(entity)
    if fields is None:
        fields = links[entity] = [(fname, info) for fname, info in rtype.fields.items()
                                  if isinstance(info.type, ListT) and isinstance(info.type.elem, RecordT)
                                  and info.type.elem.entity]
    if isinstance(rec, dict) and (copy or fields):
        rec = dict(rec)
    collected.setdefault(entity, []).append(rec)
    if not isinstance(rec, dict):
        return rec
    for fname, info in fields:
        children = rec.get(fname)
        if isinstance(children, list):
            copies = []
            for c in children:
                if isinstance(c, dict) and info.by and c.get(info.by) is None and rtype.key:
                    c = {**c, info.by: rec.get(rtype.key)}
                copies.append(_extract(entities, info.type.elem.name, c, collected, links, copy))
            rec[fname] = copies
    return rec
