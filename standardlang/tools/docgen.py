"""Documentation generated from specs: a clause-by-clause page per standard and the data model.

(The data model is built in :mod:`.datamodel`; the helpers both pages share are in :mod:`.doctext`.)

Takes loaded specs (:class:`~standardlang.engine.program.Spec` or their
:class:`~standardlang.lang.model.CheckedSpec`); gives Markdown text.  The spec file is
the single source: the page of a standard shows, goal by goal and item by item,
each rule's strength, applicability, cited source text beside its condition, its
reading and how many examples it has, and each indicator's attribute, target,
deadline, per-level value, citation and reading.  The data model merges the
schemas of several specs into one table per entity (city, district, subdistrict,
community): type, unit, Chinese label, optional or required, range, and which
rules and indicators read the field, found by walking the checked IR
(:class:`~standardlang.lang.ir.Field` nodes, through ``let`` definitions).  Where two
specs declare the same field differently the difference is reported, not hidden.

:func:`generate` gives every file of ``standardlang docs`` as ``{relative path: text}``;
nothing here reads or writes files.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any, Sequence

from standardlang.lang import ir
from standardlang.lang import vocabulary
from standardlang.lang.model import ATTRIBUTE_ZH, STRENGTH_ZH, CheckedIndicator, CheckedRule, CheckedSpec
from standardlang.tools.datamodel import build_data_model, data_model_page, schema_fields, walk_lets
from standardlang.tools.doctext import (GENERATED, Reads, cell, checked_spec, code, example_counts, field_label,
                                        indicator_reads, number_text, one_line, relpath, rule_reads)

# build_data_model, data_model_page, schema_fields, field_label, one_line and rule_reads are
# part of this module's interface (the docs command and the tests use them from here)
__all__ = ["generate", "standard_page", "build_data_model", "data_model_page", "schema_fields", "field_label",
           "one_line", "rule_reads", "target_text"]

STRENGTH_WORDS = vocabulary.DOC_STRENGTH_WORDS
ATTRIBUTE_EN = {"binding": "binding", "expected": "expected"}
OP_SYMBOL = vocabulary.OP_SYMBOL
STATUS_ORDER = vocabulary.STATUS_ORDER


# ---------------------------------------------------------------------- the page of a standard
def _item_of(rule: CheckedRule) -> str:
    parts = rule.id.split(".")
    if len(parts) > 1 and parts[0] == rule.goal_id:
        return ".".join(parts[:2])
    return parts[0]


def _applies_text(spec: CheckedSpec, node: ir.Node | None, entity: str) -> str:
    rec = spec.entities.get(entity)
    if node is None:
        return f"全部 all ({rec.label if rec is not None and rec.label else entity})"
    label = None
    if isinstance(node, ir.LetRef) and node.obj is None:
        info = spec.lets.get(f"{node.entity}.{node.name}")
        label = info.label if info is not None else None
    elif isinstance(node, ir.Field) and node.obj is None and rec is not None:
        label = field_label(rec, node.name)
    return (f"{label} " if label else "") + code(node.text)


def _condition_cell(applies: ir.Node | None, requires: Sequence[ir.Node]) -> str:
    lines = []
    if applies is not None:
        lines.append(f"适用 applies when {code(applies.text)}")
    for i, r in enumerate(requires):
        lines.append(("要求 require " if i == 0 else "且 and ") + code(r.text))
    return cell("<br>".join(lines)) if lines else "—"


def _schema_order(spec: CheckedSpec) -> dict[tuple[str, str], int]:
    order: dict[tuple[str, str], int] = {}
    for ent, rec in spec.entities.items():
        order[(ent, "")] = len(order)
        for path, _ in schema_fields(rec):
            order[(ent, path)] = len(order)
        for _, _, path in walk_lets(rec):
            order[(ent, path)] = len(order)
    return order


def _definitions(spec: CheckedSpec, reads: Reads, entity: str | None, dm_link: str) -> list[str]:
    order = _schema_order(spec)

    def key(item: tuple[str, str]) -> tuple[int, str]:
        owner, name = item
        ent, _, prefix = owner.partition(".")
        return order.get((ent, f"{prefix}.{name}" if prefix else name), len(order)), f"{owner}.{name}"

    out = []
    for owner, name in sorted(reads.lets, key=key):
        info = spec.lets.get(f"{owner}.{name}")
        if info is None:
            continue
        text = one_line(getattr(info.ir, "text", None))
        label = f" {info.label}" if info.label else ""
        if owner.startswith("goal:"):
            out.append(f"`{name}`{label} (goal {owner[5:]}) = {code(text)}")
        else:
            shown = name if owner == entity else f"{owner}.{name}"
            out.append(f"[`{shown}`]({dm_link}#def-{owner}.{name}){label} = {code(text)}")
    return out


def _reads_line(spec: CheckedSpec, reads: Reads, entity: str | None, dm_link: str) -> str:
    order = _schema_order(spec)
    items = []
    for ent, path in sorted(reads.fields, key=lambda f: (order.get(f, len(order)), f)):
        rec = spec.entities.get(ent)
        label = field_label(rec, path) if rec else ""
        shown = path if ent == entity else f"{ent}.{path}"
        items.append(f"[`{shown}`]({dm_link}#{ent}.{path}) {label}".rstrip())
    return "; ".join(items) or "—"


def _rule_block(spec: CheckedSpec, rule: CheckedRule, dm_link: str) -> list[str]:
    out = [f'<a id="rule-{rule.id}"></a>', "", f"#### {rule.id} {rule.title or ''}".rstrip(), ""]
    strength = f"**{STRENGTH_ZH[rule.strength]}** {rule.strength} — {STRENGTH_WORDS[rule.strength]}"
    out.append(f"- 强度 strength: {strength}")
    applies = _applies_text(spec, rule.applies, rule.entity)
    out.append(f"- 适用 applies to: {applies}")
    out.append(f"- 示例 examples: {example_counts(rule.examples)}")
    out.append("")
    out.append("| | 原文 source text | 条件 condition |")
    out.append("| --- | --- | --- |")
    cites = "<br>".join(cell(c) for c in rule.cites) or "—"
    out.append(f"| 本条 rule | {cites} | {_condition_cell(rule.applies, rule.requires)} |")
    for alt in rule.alternatives:
        head = f"替代 alternative `{alt.name}`" + (f" {cell(alt.title)}" if alt.title else "")
        alt_cites = "<br>".join(cell(c) for c in alt.cites) or "—"
        out.append(f"| {head} | {alt_cites} | {_condition_cell(alt.applies, alt.requires)} |")
    out.append("")
    if rule.alternatives:
        out.append("本条要求全部满足,或任一替代方案适用且满足,即为符合。 The rule passes when every `require` "
                   "holds, or when an alternative applies and holds.")
        out.append("")
    for reading in rule.readings:
        out.append(f"**解读 reading:** {one_line(reading)}")
        out.append("")
    for alt in rule.alternatives:
        for reading in alt.readings:
            out.append(f"**解读 reading (`{alt.name}`):** {one_line(reading)}")
            out.append("")
    reads = rule_reads(spec, rule)
    defs = _definitions(spec, reads, rule.entity, dm_link)
    if defs:
        out.append("定义 definitions: " + "; ".join(defs))
        out.append("")
    out.append("数据 reads: " + _reads_line(spec, reads, rule.entity, dm_link))
    out.append("")
    return out


def _levels_text(spec: CheckedSpec, entities: Sequence[str]) -> str:
    parts = []
    for e in entities:
        rec = spec.entities.get(e)
        parts.append(f"{rec.label} `{e}`" if rec is not None and rec.label else f"`{e}`")
    return " · ".join(parts)


def target_text(ind: CheckedIndicator) -> str:
    return f"{OP_SYMBOL.get(ind.op, ind.op)} {one_line(ind.target.text) or number_text(ind.target.value)}"


def _indicator_block(spec: CheckedSpec, ind: CheckedIndicator, dm_link: str) -> list[str]:
    out = [f'<a id="indicator-{ind.id}"></a>', "", f"### {ind.id} {ind.title or ''}".rstrip(), ""]
    out.append(f"- 属性 attribute: **{ATTRIBUTE_ZH[ind.attribute]}** {ATTRIBUTE_EN[ind.attribute]}")
    out.append(f"- 目标 target: {target_text(ind)}")
    out.append(f"- 期限 deadline: {ind.deadline if ind.deadline is not None else '—'}")
    if ind.unit:
        out.append(f"- 单位 unit: {ind.unit}")
    out.append(f"- 示例 examples: {example_counts(ind.examples)}")
    out.append("")
    out.append("| 层级 level | 计算 value |")
    out.append("| --- | --- |")
    groups: dict[str, list[str]] = {}
    for entity, node in ind.values:
        groups.setdefault(one_line(node.text), []).append(entity)
    for text, ents in groups.items():
        out.append(f"| {cell(_levels_text(spec, ents))} | {cell(code(text))} |")
    out.append("")
    for cite in ind.cites:
        out.append("原文 source text:")
        out.append("")
        out.append(f"> {one_line(cite)}")
        out.append("")
    for reading in ind.readings:
        out.append(f"**解读 reading:** {one_line(reading)}")
        out.append("")
    reads = indicator_reads(spec, ind)
    defs = _definitions(spec, reads, None, dm_link)
    if defs:
        out.append("定义 definitions: " + "; ".join(defs))
        out.append("")
    out.append("数据 reads: " + _reads_line(spec, reads, None, dm_link))
    out.append("")
    return out


def standard_page(spec: Any, spec_path: str | None = None, page_dir: str | None = None,
                  data_model: str = "../data-model.md") -> str:
    """The clause-by-clause Markdown page of one standard.

    Args:
        spec: a loaded :class:`~standardlang.engine.program.Spec` (or its ``CheckedSpec``).
        spec_path: the spec file, linked from the page.
        page_dir: the directory the page is written to (links are relative to it).
        data_model: the link to the data model page, relative to ``page_dir``.
    """
    c = checked_spec(spec)
    meta = c.meta
    out = [f"# {c.title}", ""]
    if meta.get("title_en"):
        out.extend([f"*{meta['title_en']}*", ""])
    out.extend([GENERATED, ""])
    out.append("| | |")
    out.append("| --- | --- |")
    rows = [("出处 source", meta.get("source")), ("发布 issuer", meta.get("issuer")),
            ("发布日期 issued", meta.get("issued")), ("版本 version", meta.get("version")),
            ("链接 url", meta.get("url"))]
    path = relpath(spec_path, page_dir)
    rows.append(("规范文件 spec", f"[`{path}`]({path}) (`{c.name}`)" if path else f"`{c.name}`"))
    for key, value in rows:
        if value:
            out.append(f"| {key} | {cell(value) if key != '规范文件 spec' else value} |")
    out.append("")
    if meta.get("note"):
        out.extend([f"> {one_line(meta['note'])}", ""])
    strengths = Counter(r.strength for r in c.rules)
    summary = []
    if c.rules:
        summary.append(f"{len(c.rules)} rules 条规则 (" + ", ".join(
            f"{STRENGTH_ZH[s]} {s} {strengths[s]}" for s in ("shall", "should", "may") if strengths[s]) + ")")
    if c.indicators:
        attrs_ = Counter(i.attribute for i in c.indicators)
        summary.append(f"{len(c.indicators)} indicators 项指标 (" + ", ".join(
            f"{ATTRIBUTE_ZH[a]} {a} {attrs_[a]}" for a in ("binding", "expected") if attrs_[a]) + ")")
    out.append("This page is generated from the spec: " + "; ".join(summary) + ". "
               f"The data they read is described in the [data model]({data_model}).")
    out.append("")
    if c.rules:
        out.extend(_rules_section(c, data_model))
    if c.indicators:
        out.extend(_indicators_section(c, data_model))
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def _rules_section(c: CheckedSpec, dm_link: str) -> list[str]:
    goals: dict[str, list[CheckedRule]] = {}
    for r in c.rules:
        goals.setdefault(r.goal_id, []).append(r)
    out = ["## 目录 Contents", "", "| 目标 goal | 规则 rules | 应 shall | 宜 should | 可 may |",
           "| --- | --- | --- | --- | --- |"]
    for gid, rules in goals.items():
        s = Counter(r.strength for r in rules)
        title = rules[0].goal_title or ""
        out.append(f"| [{gid} {cell(title)}](#goal-{gid}) | {len(rules)} | {s['shall']} | {s['should']} | {s['may']} |")
    out.append("")
    if c.items:
        out.extend(["### 条目 Items", "",
                    "An item is met when every applicable shall (应) rule of it passes, not met when one fails, "
                    "unknown otherwise; should (宜) and may (可) rules are shown beside it.", "",
                    "| 项 item | 建设内容 title | 目标 goal | 规则 rules |", "| --- | --- | --- | --- |"])
        for it in c.items:
            out.append(f"| [{it.id}](#item-{it.id}) | {cell(it.title)} | {it.goal_id} | "
                       + ", ".join(f"[{r}](#rule-{r})" for r in it.rule_ids) + " |")
        out.append("")
    for gid, rules in goals.items():
        rec = c.entities.get(rules[0].entity)
        ent = f"{rec.label} `{rec.name}`" if rec is not None and rec.label else f"`{rules[0].entity}`"
        out.extend([f'<a id="goal-{gid}"></a>', "", f"## {gid} {rules[0].goal_title or ''}".rstrip(), ""])
        out.extend([f"Judges 判定对象: {ent}", ""])
        items: dict[str, list[CheckedRule]] = {}
        for r in rules:
            items.setdefault(r.item_id if r.item_id is not None else _item_of(r), []).append(r)
        for item, item_rules in items.items():
            title = item_rules[0].item_title
            # an item of the standard is headed by its title as the standard gives it
            out.extend([f'<a id="item-{item}"></a>', "", f"### {item} {title}" if title else f"### 第{item}项", ""])
            out.append("| 规则 rule | 标题 title | 强度 strength | 适用 applies when |")
            out.append("| --- | --- | --- | --- |")
            for r in item_rules:
                applies = code(r.applies.text) if r.applies is not None else "全部 all"
                out.append(f"| [{r.id}](#rule-{r.id}) | {cell(r.title or '')} | {STRENGTH_ZH[r.strength]} {r.strength} "
                           f"| {cell(applies)} |")
            out.append("")
            for r in item_rules:
                out.extend(_rule_block(c, r, dm_link))
    return out


def _indicators_section(c: CheckedSpec, dm_link: str) -> list[str]:
    out = ["## 指标 Indicators", "",
           "约束性 (binding) targets are commitments the government is assessed on; 预期性 (expected) "
           "targets are guiding. A target is judged at every level a `value for` names.", "",
           "| 指标 indicator | 标题 title | 属性 attribute | 目标 target | 期限 deadline | 层级 levels |",
           "| --- | --- | --- | --- | --- | --- |"]
    for ind in c.indicators:
        out.append(f"| [{ind.id}](#indicator-{ind.id}) | {cell(ind.title or '')} | "
                   f"{ATTRIBUTE_ZH[ind.attribute]} {ind.attribute} | {cell(target_text(ind))} | "
                   f"{ind.deadline if ind.deadline is not None else '—'} | {', '.join(ind.entities)} |")
    out.append("")
    for ind in c.indicators:
        out.extend(_indicator_block(c, ind, dm_link))
    return out


# ---------------------------------------------------------------------- all files
def generate(specs: Sequence[tuple[Any, str | None]], output_dir: str = "docs") -> dict[str, str]:
    """Every file ``standardlang docs`` writes, as ``{path relative to output_dir: text}``.

    Args:
        specs: ``(spec, path)`` pairs: a loaded spec and its file (or None).
        output_dir: where the files go; only used to make links to the spec files relative.

    Raises:
        ValueError: two specs have the same name (their pages would collide).
    """
    names: dict[str, str | None] = {}
    files: dict[str, str] = {}
    std_dir = os.path.join(output_dir, "standards")
    for spec, path in specs:
        c = checked_spec(spec)
        if c.name in names:
            raise ValueError(f"two specs are named `{c.name}`: {names[c.name]} and {path}")
        names[c.name] = path
        files[f"standards/{c.name}.md"] = standard_page(spec, path, std_dir)
    model = build_data_model([s for s, _ in specs])
    paths = {n: p for n, p in names.items() if p is not None}
    files["data-model.md"] = data_model_page(model, paths, output_dir)
    return dict(sorted(files.items()))
