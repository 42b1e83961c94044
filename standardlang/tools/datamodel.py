"""The data model page: the schemas of several specs merged, one table per entity.

Takes loaded specs; gives :class:`DataModel` (:func:`build_data_model`): per entity (city,
district, subdistrict, community) every field with its type, unit, Chinese label,
optional or required, range, the specs that declare it and the rules and indicators that
read it, the definitions, the enums, and every conflict where two specs declare the same
thing differently; and its Markdown page (:func:`data_model_page`).
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

import attrs

from standardlang.lang.model import CheckedSpec
from standardlang.lang.types import EnumT, FieldInfo, ListT, RecordT
from standardlang.tools.doctext import (ENTITY_EN, GENERATED, cell, checked_spec, code, field_label, indicator_reads,
                                        let_reads, members_text, one_line, range_text, relpath, rule_reads,
                                        signature, signature_text, type_text)



# ---------------------------------------------------------------------- the data model
@attrs.define
class Use:
    """A rule or indicator of a spec that reads a field."""

    spec: str
    kind: str  # rule | indicator
    id: str

    def link(self, from_dir: str = "") -> str:
        prefix = f"{from_dir}standards/{self.spec}.md"
        label = self.id if self.kind == "rule" else f"指标 {self.id}"
        return f"[{label}]({prefix}#{self.kind}-{self.id})"


@attrs.define
class FieldEntry:
    """One field of the merged schema."""

    entity: str
    path: str
    info: FieldInfo  # as the first spec (by name) declares it
    label: str  # the labels along the path
    specs: list[str] = attrs.Factory(list)
    used_by: list[Use] = attrs.Factory(list)
    links: list[str] = attrs.Factory(list)  # "subdistrict.communities": the list field this one links to


@attrs.define
class LetEntry:
    """One entity definition (``let``) of the merged schema."""

    entity: str
    name: str
    label: str | None
    text: str
    specs: list[str] = attrs.Factory(list)
    reads: list[str] = attrs.Factory(list)  # "entity.path"
    used_by: list[Use] = attrs.Factory(list)


@attrs.define
class Conflict:
    """Two specs declare the same field (or entity, or enum) differently."""

    where: str  # "community.kind", "entity community", "enum community_kind"
    what: str  # type | label | optional | range | key | members
    values: dict[str, str]  # spec name -> what it declares

    def render(self) -> str:
        vals = "; ".join(f"{spec}: {v}" for spec, v in self.values.items())
        return f"{self.where}: {self.what} differs — {vals}"


@attrs.define
class EntityEntry:
    name: str
    label: str | None
    key: str | None
    specs: list[str] = attrs.Factory(list)
    fields: dict[str, FieldEntry] = attrs.Factory(dict)
    lets: dict[str, LetEntry] = attrs.Factory(dict)


@attrs.define
class DataModel:
    """The schemas of several specs merged: entities, their fields and definitions, enums."""

    specs: list[str]
    entities: dict[str, EntityEntry]
    enums: dict[str, tuple[EnumT, list[str]]]
    conflicts: list[Conflict]

    def field(self, entity: str, path: str) -> FieldEntry:
        return self.entities[entity].fields[path]

    def used_by(self, entity: str, path: str) -> list[tuple[str, str]]:
        """``[(spec, id), ...]`` of the rules and indicators that read a field."""
        return [(u.spec, u.id) for u in self.field(entity, path).used_by]



#: How the data says "not recorded" and "none", in every input format (issue 11 §2); every reader
#: (data/readers, cells, binding) and both back ends apply it, and the planner surveys first
_RECORDED_NOTE = [
    "### 未记录与没有 Not recorded, and none",
    "",
    "*Not recorded* (nobody surveyed it) and *none* (the survey found none) are two facts. Not recorded "
    "makes the rules that need the field `unknown`, naming it among the verdict's missing fields, and an "
    "indicator over many records a range (`89 %–91 %`), never the lower figure; none fails where the "
    "standard demands the facility. `standardlang plan` never proposes building a facility that is not "
    "recorded: it lists it under *survey first*, counted apart.",
    "",
    "| fact | JSON / JSON Lines / YAML | CSV / TSV / XLSX cell |",
    "| --- | --- | --- |",
    "| a value not recorded (any field) | key left out (a required field: also `null`) | empty cell |",
    "| a facility (optional record `x?`) not recorded | key left out | its own column and every "
    "sub-column empty |",
    "| a facility that is not there | `null` (or `false`, `0`, `\"无\"`) | `无`, `没有`, `none`, `0`, `否`, "
    "`false` in its own column (`kindergarten` / `幼儿园`); a filled sub-column then is an error |",
    "| a facility that is there, details not recorded | `{}` (or `true`) | `{}`, `有`, `是` in its own column |",
    "| several facilities of a kind (optional `list`), not recorded | key left out | own column and indexed "
    "columns empty |",
    "| several facilities of a kind, none | `[]` or `null` | `无` / `none` / `0` in its own column |",
    "| a count | `0` for none | `0`, `无`, `none`, `没有` |",
    "| a yes/no fact that is not so | `false` | `否`, `无`, `no`, `false`, `0` |",
    "| a set (`rooms`) that is empty | `[]` | `无`, `none`, `没有` |",
    "| an optional figure (`x?: m2`) not given | `null` (`present(x)` false) | — |",
    "| a condition of one clause (具备条件的) | its own field: `day_care_conditions`, `ebike_conditions`, "
    "`lift_retrofit_conditions`, `professional_pm_conditions`; per service facility `has_conditions` | same |",
    "| an existing community whose site constraint is not assessed (kind partly known) | "
    "`kind: existing_unassessed` (`site_constrained` once assessed) | same (or its label) |",
    "",
    "`present(x)` is therefore three-valued for an optional field: true, false (`null`), unknown (left "
    "out). An enum, a text, an area or a ratio has no word for none: `无` there stays as written and the "
    "record gets an error verdict naming the field.",
    "",
]


def schema_fields(rec: RecordT, prefix: str = "") -> Iterable[tuple[str, FieldInfo]]:
    """Every field of a record type, nested ones too, as ``(dotted path, info)`` in schema order."""
    for name, info in rec.fields.items():
        path = f"{prefix}.{name}" if prefix else name
        yield path, info
        t = info.type
        if isinstance(t, ListT) and isinstance(t.elem, RecordT) and t.elem.entity:
            continue  # another entity: listed on its own
        sub = t.elem if isinstance(t, ListT) else t
        if isinstance(sub, RecordT):
            yield from schema_fields(sub, path)


def walk_lets(rec: RecordT, prefix: str = "") -> Iterable[tuple[RecordT, str, str]]:
    for name in rec.lets:
        yield rec, name, f"{prefix}.{name}" if prefix else name
    for fname, info in rec.fields.items():
        t = info.type
        sub = t.elem if isinstance(t, ListT) else t
        if isinstance(sub, RecordT) and not sub.entity:
            yield from walk_lets(sub, f"{prefix}.{fname}" if prefix else fname)


def build_data_model(specs: Sequence[Any]) -> DataModel:
    """Merge the schemas of ``specs`` (taken in order of their names) and find every field's users."""
    checked = sorted((checked_spec(s) for s in specs), key=lambda c: c.name)
    entities: dict[str, EntityEntry] = {}
    enums: dict[str, tuple[EnumT, list[str]]] = {}
    conflicts: list[Conflict] = []
    for c in checked:
        _merge_enums(c, enums, conflicts)
        for name, rec in c.entities.items():
            _merge_entity(c, name, rec, entities, conflicts)
        _record_uses(c, entities)
    _link_parents(entities)
    for entry in entities.values():
        for fe in entry.fields.values():
            fe.used_by = _dedupe(fe.used_by)
        for le in entry.lets.values():
            le.used_by = _dedupe(le.used_by)
    return DataModel([c.name for c in checked], entities, enums, conflicts)


def _merge_enums(c: CheckedSpec, enums: dict, conflicts: list[Conflict]) -> None:
    for ename, e in c.enums.items():
        if ename not in enums:
            enums[ename] = (e, [c.name])
            continue
        known, where = enums[ename]
        where.append(c.name)
        if (known.members, sorted(known.labels)) != (e.members, sorted(e.labels)):
            conflicts.append(Conflict(f"enum {ename}", "members", {where[0]: members_text(known), c.name: members_text(e)}))


def _merge_entity(c: CheckedSpec, name: str, rec: RecordT, entities: dict[str, EntityEntry],
                  conflicts: list[Conflict]) -> None:
    """Add spec ``c``'s entity ``name`` to the model: its fields and definitions, and where they differ."""
    entry = entities.get(name)
    if entry is None:
        entry = entities[name] = EntityEntry(name, rec.label, rec.key)
    else:
        for what, mine, theirs in (("label", entry.label, rec.label), ("key", entry.key, rec.key)):
            if mine != theirs:
                conflicts.append(Conflict(f"entity {name}", what, {entry.specs[0]: str(mine), c.name: str(theirs)}))
    entry.specs.append(c.name)
    for path, info in schema_fields(rec):
        fe = entry.fields.get(path)
        if fe is None:
            fe = entry.fields[path] = FieldEntry(name, path, info, field_label(rec, path))
        else:
            a, b = signature(fe.info), signature(info)
            for what in ("type", "label", "optional", "range"):
                if a[what] != b[what]:
                    conflicts.append(Conflict(f"{name}.{path}", what, {
                        fe.specs[0]: signature_text(fe.info, what), c.name: signature_text(info, what)}))
        fe.specs.append(c.name)
    for owner, lname, path in walk_lets(rec):
        le = entry.lets.get(path)
        text = one_line(getattr(owner.lets[lname].ir, "text", None)) or ""
        if le is None:
            le = entry.lets[path] = LetEntry(name, path, owner.lets[lname].label, text)
        elif le.text != text:
            conflicts.append(Conflict(f"{name}.{path}", "definition", {le.specs[0]: le.text, c.name: text}))
        le.specs.append(c.name)
        for ent, fpath in sorted(let_reads(c, owner, lname).fields):
            if f"{ent}.{fpath}" not in le.reads:
                le.reads.append(f"{ent}.{fpath}")


def _record_uses(c: CheckedSpec, entities: dict[str, EntityEntry]) -> None:
    """Note on each field and definition the rules and indicators of ``c`` that read it."""
    for kind, items in (("rule", c.rules), ("indicator", c.indicators)):
        for item in items:
            reads = rule_reads(c, item) if kind == "rule" else indicator_reads(c, item)
            use = Use(c.name, kind, item.id)
            for ent, path in reads.fields:
                if ent in entities and path in entities[ent].fields:
                    entities[ent].fields[path].used_by.append(use)
            for owner, lname in reads.lets:
                if owner.startswith("goal:"):
                    continue  # a goal's definitions are not part of the schema
                ent, _, prefix = owner.partition(".")
                le = entities[ent].lets.get(f"{prefix}.{lname}" if prefix else lname) if ent in entities else None
                if le is not None:
                    le.used_by.append(use)


def _link_parents(entities: dict[str, EntityEntry]) -> None:
    """Mark the field a `list of ENTITY by FIELD` links by (community.subdistrict)."""
    for entry in entities.values():
        for fe in entry.fields.values():
            t = fe.info.type
            if fe.info.by and isinstance(t, ListT) and isinstance(t.elem, RecordT):
                child = entities.get(t.elem.name)
                if child is not None and fe.info.by in child.fields:
                    child.fields[fe.info.by].links.append(f"{entry.name}.{fe.path}")


def _dedupe(uses: list[Use]) -> list[Use]:
    seen = set()
    out = []
    for u in uses:
        if (u.spec, u.kind, u.id) not in seen:
            seen.add((u.spec, u.kind, u.id))
            out.append(u)
    return out


def _uses_text(uses: list[Use]) -> str:
    if not uses:
        return "—"
    by_spec: dict[str, list[Use]] = {}
    for u in uses:
        by_spec.setdefault(u.spec, []).append(u)
    parts = []
    for spec, us in by_spec.items():
        parts.append(f"{spec}: " + ", ".join(u.link() for u in us))
    return "<br>".join(parts)


def data_model_page(model: DataModel, spec_paths: dict[str, str] | None = None, page_dir: str | None = None) -> str:
    """The Markdown data model: one table of fields per entity, definitions, enums, conflicts.

    Args:
        model: from :func:`build_data_model`.
        spec_paths: spec name -> spec file path, to link the files.
        page_dir: the directory the page is written to (links are relative to it).
    """
    out = ["# 数据模型 Data model", "", GENERATED, ""]
    out.append("The data the shipped standards read, entity by entity, merged from the schemas of "
               "these specs (the schema in each spec file is the single source; this page is "
               "generated from it by `standardlang docs`):")
    out.append("")
    for name in model.specs:
        path = relpath((spec_paths or {}).get(name), page_dir)
        link = f" — [`{path}`]({path})" if path else ""
        out.append(f"- [{name}](standards/{name}.md){link}")
    out.append("")
    out.append("Columns: **字段 field** is the path in a record (`service_station.building_area` is the "
               "`building_area` of the nested `service_station` record); **单位 unit** is the unit the "
               "data is given in; **必填 required**: a required field that is absent is *missing data* "
               "(verdicts that need it are `unknown`), an optional field (`?`) written `null` is a fact "
               "(the facility is not there) and one left out is not recorded (see below); **范围 range** is what a value must lie in (outside it the "
               "record gets an `error` verdict); **使用者 used by** lists the rules and indicators that "
               "read the field, directly or through a definition, and 关联 links: the field names the record's "
               "parent, linking a `list of ENTITY by FIELD` (`community.subdistrict` puts a community in "
               "its subdistrict's `communities`).")
    out.append("")
    out.extend(_RECORDED_NOTE)
    out.append("| 实体 entity | 中文名 label | 键 key | 字段数 fields | 规范 specs |")
    out.append("| --- | --- | --- | --- | --- |")
    for e in model.entities.values():
        out.append(f"| [`{e.name}`](#entity-{e.name}) | {cell(e.label or '')} | `{e.key or '—'}` | "
                   f"{len(e.fields)} | {', '.join(e.specs)} |")
    out.append("")
    out.append("## 冲突 Conflicts")
    out.append("")
    if model.conflicts:
        out.append("These specs declare the same thing differently; the tables below show the first "
                   "spec's declaration (in order of spec names). Make them agree:")
        out.append("")
        for conflict in model.conflicts:
            out.append(f"- {cell(conflict.render())}")
    else:
        out.append("None: every field, entity and enum that several specs declare is declared the same way.")
    out.append("")
    for e in model.entities.values():
        out += _entity_section(e)
    out += _enum_section(model)
    return "\n".join(out).rstrip("\n") + "\n"


def _entity_section(e: EntityEntry) -> list[str]:
    """The data model's section of one entity: its fields, then its definitions."""
    out: list[str] = []
    out.append(f'<a id="entity-{e.name}"></a>')
    out.append("")
    en = ENTITY_EN.get(e.name, e.name)
    out.append(f"## {e.label or e.name} `{e.name}`" + (f" ({en})" if en != e.name else ""))
    out.append("")
    out.append(f"Key 键: `{e.key or '—'}` · declared in 声明于: {', '.join(e.specs)}")
    out.append("")
    out.append("| 字段 field | 中文名 label | 类型 type | 单位 unit | 必填 required | 范围 range | 规范 specs | 使用者 used by |")
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for fe in e.fields.values():
        info = fe.info
        req = "可选 optional" if info.optional else "必填 required"
        specs = "all 全部" if len(fe.specs) == len(e.specs) and len(e.specs) > 1 else ", ".join(fe.specs)
        name = f"`{fe.path}`" + (" (键 key)" if fe.path == e.key else "")
        uses = _uses_text(fe.used_by)
        if fe.links:
            links = "关联 links " + ", ".join(f"[`{x}`](#{x})" for x in fe.links)
            uses = links if uses == "—" else f"{uses}<br>{links}"
        out.append(f'| <a id="{e.name}.{fe.path}"></a>{name} | {cell(fe.label)} | {cell(type_text(info))} | '
                   f"{info.unit or ''} | {req} | {range_text(info)} | {specs} | {uses} |")
    out.append("")
    if e.lets:
        out.append(f"Definitions 定义 (`let`) of `{e.name}`: derived values, computed from the fields; "
                   "not given in the data.")
        out.append("")
        out.append("| 定义 definition | 中文名 label | 表达式 expression | 读取 reads | 使用者 used by |")
        out.append("| --- | --- | --- | --- | --- |")
        for le in e.lets.values():
            reads = ", ".join(f"[`{r}`](#{r})" for r in le.reads) or "—"
            out.append(f'| <a id="def-{e.name}.{le.name}"></a>`{le.name}` | {cell(le.label or "")} | '
                       f"{cell(code(le.text))} | {reads} | {_uses_text(le.used_by)} |")
        out.append("")
    return out


def _enum_section(model: DataModel) -> list[str]:
    out: list[str] = []
    if model.enums:
        out.append("## 枚举 Enums")
        out.append("")
        out.append("A value in the data is the member's name or its label (`new` or `新建居住社区`).")
        out.append("")
        out.append("| 枚举 enum | 中文名 members | 规范 specs |")
        out.append("| --- | --- | --- |")
        for name, (enum, where) in model.enums.items():
            out.append(f'| <a id="enum-{name}"></a>`{name}` | {cell(members_text(enum))} | {", ".join(where)} |')
    return out
