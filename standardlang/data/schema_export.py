"""Export the data a spec needs: a JSON Schema (draft 2020-12) and a Markdown table.

Takes a loaded :class:`~standardlang.engine.program.Spec` (and optionally one entity);
gives a JSON-ready dict that producers of data can validate exports against, or
Markdown for people.  Field labels become titles, units and ranges go into
descriptions and ``minimum``/``maximum`` (counts and quantities are ≥ 0), enums
list member names and labels, optional fields may be ``null``, required fields
are listed as ``required`` (absent, they make verdicts unknown).  Records of
lower entity levels may be nested in their parent's ``list of`` field or given
as their own collection.  :func:`field_rows` is the flat list both use.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import attrs

from standardlang.lang.types import BoolT, Dynamic, EnumT, ListT, Num, RecordT, SetT, TextT
from standardlang.lang.units import dimension_name

DRAFT = "https://json-schema.org/draft/2020-12/schema"


@attrs.frozen
class FieldRow:
    """One field of an entity, flattened: ``kindergarten.building_area``."""

    path: str
    label: str | None
    type: str
    unit: str | None
    required: bool
    values: str  # enum members, range, or link
    #: for a field required inside an optional record (``kindergarten``) or a list's elements
    #: (``stores[]``): that record, which, when present, must have the field
    required_in: str | None = None

    def required_text(self) -> str:
        """``yes``, ``no``, or ``when `kindergarten` is present`` / ``in each `stores[]` element``."""
        if self.required:
            return "yes"
        if self.required_in is None:
            return "no"
        if self.required_in.endswith("[]"):
            return f"in each `{self.required_in}` element"
        return f"when `{self.required_in}` is present"


def _num(v: Any) -> Any:
    if isinstance(v, Fraction):
        return int(v) if v.denominator == 1 else float(v)
    return v


def _enum_key(t: EnumT) -> str:
    return f"enum.{t.name}"


def _enum_schema(t: EnumT) -> dict:
    labels = {m: lab for lab, m in t.labels}
    desc = "; ".join(f"{m} = {labels[m]}" if m in labels else m for m in t.members)
    values = list(t.members) + [lab for lab, _ in t.labels if lab not in t.members]
    return {"title": t.name, "description": f"a member name or its label: {desc}", "enum": values}


def _num_schema(t: Num, info: Any) -> dict:
    s: dict[str, Any] = {"type": "integer" if t.kind == "count" else "number"}
    unit = getattr(info, "unit", None)
    if t.kind == "count":
        desc = "a count (whole number)"
    elif t.kind == "number":
        desc = "a number"
    else:
        desc = f"{dimension_name(t.dim) if t.kind == 'quantity' else 'ratio'}, in {unit}" if unit else t.describe()
    bounds = getattr(info, "bounds", None)
    if bounds is not None:
        s["minimum"], s["maximum"] = _num(bounds[0]), _num(bounds[1])
        desc += f", from {bounds[0]} to {bounds[1]}"
    elif t.kind in ("count", "quantity", "ratio"):
        s["minimum"] = 0
    s["description"] = desc
    return s


def _schema(t: Any, info: Any, defs: dict) -> dict:
    if isinstance(t, Num):
        return _num_schema(t, info)
    if isinstance(t, BoolT):
        return {"type": "boolean", "description": "true or false"}
    if isinstance(t, TextT):
        return {"type": ["string", "integer"], "description": "text"}
    if isinstance(t, EnumT):
        defs.setdefault(_enum_key(t), _enum_schema(t))
        return {"$ref": f"#/$defs/{_enum_key(t)}"}
    if isinstance(t, SetT):
        defs.setdefault(_enum_key(t.enum), _enum_schema(t.enum))
        return {"type": "array", "items": {"$ref": f"#/$defs/{_enum_key(t.enum)}"},
                "description": f"a list of members of {t.enum.name}"}
    if isinstance(t, RecordT):
        if t.entity:
            return {"$ref": f"#/$defs/{t.name}"}
        return record_schema(t, defs)
    if isinstance(t, ListT):
        s = {"type": "array", "items": _schema(t.elem, None, defs)}
        if isinstance(t.elem, RecordT) and t.elem.entity and getattr(info, "by", None):
            s["description"] = (f"records of {t.elem.name}, nested here or given as their own collection "
                                f"linked by {t.elem.name}.{info.by}")
        return s
    return {}


def _nullable(s: dict) -> dict:
    if "type" in s:
        types = s["type"] if isinstance(s["type"], list) else [s["type"]]
        return {**s, "type": types + ["null"]}
    return {"anyOf": [s, {"type": "null"}]}


def record_schema(rec: RecordT, defs: dict) -> dict:
    """The schema of one record type (nested records inline, entities and enums by reference)."""
    props: dict[str, Any] = {}
    required = []
    for name, info in rec.fields.items():
        s = _schema(info.type, info, defs)
        if info.label:
            s = {"title": info.label, **s} if "$ref" not in s else {"title": info.label, "allOf": [s]}
        child_list = isinstance(info.type, ListT) and isinstance(info.type.elem, RecordT) and info.type.elem.entity
        if info.optional or child_list:
            s = _nullable(s)
        else:
            required.append(name)
        props[name] = s
    out: dict[str, Any] = {"type": "object"}
    if rec.label:
        out["title"] = rec.label
    if rec.entity and rec.key:
        out["description"] = f"a {rec.name} record, identified by `{rec.key}`"
    out["properties"] = props
    if required:
        out["required"] = required
    return out


def json_schema(spec: Any, entity: str | None = None) -> dict:
    """The JSON Schema of the data ``spec`` reads: one record of ``entity``, or a mapping of collections."""
    defs: dict[str, Any] = {}
    for name, rec in spec.entities.items():
        defs[name] = record_schema(rec, defs)
    root: dict[str, Any] = {"$schema": DRAFT, "$id": f"urn:standardlang:{spec.name}" + (f":{entity}" if entity else "")}
    if entity is not None:
        rec = spec.entities[entity]
        root.update({"title": f"{rec.label or entity} — {spec.title}", "$ref": f"#/$defs/{entity}"})
    else:
        from standardlang.data.inventory import collection_names

        props: dict[str, Any] = {}
        for cname, ent in collection_names(spec.entities).items():
            if cname == ent or (cname.isascii() and not cname.endswith("ys")):
                props[cname] = {"type": "array", "items": {"$ref": f"#/$defs/{ent}"},
                                "description": f"records of {ent}"}
        root.update({"title": spec.title, "description": f"data for the standard {spec.name}: a mapping of "
                     "collections, each a list of records of one entity level; a key starting with $ is ignored",
                     "type": "object", "properties": props})
    root["$defs"] = defs
    return root


def _type_text(t: Any) -> str:
    if isinstance(t, Num):
        if t.kind in ("count", "number"):
            return t.kind
        return dimension_name(t.dim) if t.kind == "quantity" else "ratio"
    if isinstance(t, BoolT):
        return "bool"
    if isinstance(t, TextT):
        return "text"
    if isinstance(t, EnumT):
        return f"enum {t.name}" if "." not in t.name else "enum"
    if isinstance(t, SetT):
        return f"set of {t.enum.name}" if "." not in t.enum.name else "set"
    if isinstance(t, RecordT):
        return "record"
    if isinstance(t, ListT):
        return f"list of {t.elem.name}" if isinstance(t.elem, RecordT) and t.elem.entity else "list"
    if isinstance(t, Dynamic):
        return "any"
    return str(t)


def field_rows(rec: RecordT, prefix: str = "", parent_required: bool = True,
               within: str | None = None) -> list[FieldRow]:
    """Every field of a record type, nested ones as dotted paths (``stores[].area``).

    A field not optional inside an optional record is required when that record is
    present (``required_in``), as the JSON Schema and the engine have it.
    """
    rows = []
    for name, info in rec.fields.items():
        t = info.type
        path = f"{prefix}{name}"
        values = ""
        if isinstance(t, (EnumT, SetT)):
            e = t if isinstance(t, EnumT) else t.enum
            labels = {m: lab for lab, m in e.labels}
            values = ", ".join(f"{m} ({labels[m]})" if m in labels else m for m in e.members)
        elif isinstance(t, Num):
            if info.bounds is not None:
                values = f"{info.bounds[0]} to {info.bounds[1]}"
            elif t.kind in ("count", "quantity", "ratio"):
                values = "≥ 0"
        elif isinstance(t, ListT) and isinstance(t.elem, RecordT) and t.elem.entity and info.by:
            values = f"linked by {t.elem.name}.{info.by}"
        child_list = isinstance(t, ListT) and isinstance(t.elem, RecordT) and t.elem.entity
        required = parent_required and not info.optional and not child_list
        required_in = within if not (info.optional or child_list or parent_required) else None
        rows.append(FieldRow(path, info.label, _type_text(t), info.unit, required, values, required_in))
        if isinstance(t, RecordT) and not t.entity:
            inner = within if (required or required_in) else path
            rows.extend(field_rows(t, path + ".", required, None if required else inner))
        elif isinstance(t, ListT) and isinstance(t.elem, RecordT) and not t.elem.entity:
            rows.extend(field_rows(t.elem, path + "[].", False, path + "[]"))
    return rows


def _cell(text: Any) -> str:
    return "" if text is None else str(text).replace("|", "\\|")


def markdown(spec: Any, entity: str | None = None) -> str:
    """Markdown tables of the fields of each entity (or of one)."""
    out = [f"# Data for {spec.name}: {spec.title}", ""]
    source = spec.checked.meta.get("source")
    if source:
        out += [f"Standard: {source}", ""]
    out += ["Fields are given by name or by label (CSV headers such as `幼儿园.建筑面积` work too). "
            "A required field that is absent makes the verdicts that read it *unknown*. An optional one "
            "(a facility) written `null` (in a CSV, `无` / `none` / `0` in its own column) is not there; "
            "left out (every cell empty) it is *not recorded*, and the verdicts that need it are *unknown*. "
            "A field required *when* its record is present (`kindergarten.building_area`) "
            "may be left out with the whole record, not alone.", ""]
    for name, rec in spec.entities.items():
        if entity is not None and name != entity:
            continue
        out.append(f"## {name}" + (f" ({rec.label})" if rec.label else ""))
        out.append("")
        if rec.key:
            out += [f"Identified by `{rec.key}`.", ""]
        out.append("| field | label | type | unit | required | values |")
        out.append("| --- | --- | --- | --- | --- | --- |")
        for row in field_rows(rec):
            out.append(f"| `{row.path}` | {_cell(row.label)} | {_cell(row.type)} | {_cell(row.unit)} | "
                       f"{row.required_text()} | {_cell(row.values)} |")
        out.append("")
    return "\n".join(out)


#: elements of a nested list given as columns in a CSV template (more are added the same way)
TEMPLATE_LIST_ELEMENTS = 2


def csv_template(spec: Any, entity: str, lang: str = "en") -> str:
    """A CSV header row for the records of ``entity``: one column per field a spec reads.

    An optional record or list (a facility) has its own column too (``kindergarten``), where
    ``无`` / ``none`` / ``0`` says the community has none; left empty with its sub-columns, the
    facility is *not recorded*. Nested fields are dotted (``kindergarten.building_area``), a list's elements indexed
    (``convenience_stores[0].building_area``, two of them); with ``lang="zh"`` the
    columns are the fields' labels (``幼儿园.建筑面积``), which the readers accept as
    well. Lists of lower entity levels are no columns: those records have their own file.
    """
    import csv
    import io

    rec = spec.entities[entity]
    columns = []
    for row in field_rows(rec):
        if (row.type == "record" and row.required) or row.values.startswith("linked by"):
            continue  # an optional record keeps its own column: 无 there says "none", empty "not recorded"
        if "[]." in row.path:
            head, _, tail = row.path.partition("[].")
            columns.extend(f"{head}[{i}].{tail}" for i in range(TEMPLATE_LIST_ELEMENTS))
        else:
            columns.append(row.path)
    if lang == "zh":
        columns = [_label_path(rec, c) for c in columns]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(columns)
    return out.getvalue()


def _label_path(rec: RecordT, column: str) -> str:
    """``kindergarten.building_area`` -> ``幼儿园.建筑面积`` (a part without a label keeps its name)."""
    parts, t = [], rec
    for part in column.split("."):
        name, bracket, index = part.partition("[")
        info = t.fields.get(name) if isinstance(t, RecordT) else None
        parts.append((info.label if info is not None and info.label else name) + (bracket + index))
        t = info.type if info is not None else None
        if isinstance(t, ListT):
            t = t.elem
    return ".".join(parts)
