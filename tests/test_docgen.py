"""The generated documentation and the hand-written guides stay true to the code.

- ``docs/standards/*.md`` and ``docs/data-model.md`` on disk are what
  ``standardlang docs specs/*.stdl --output docs`` generates (``--check`` exits 0);
  ``--check`` notices drift; every rule id and citation is on its page; every
  schema field is in the data model with its label and unit; the "used by" lists
  of hand-picked fields are right.
- ``docs/guide.zh.md`` / ``docs/guide.en.md``: every ```stdl block parses (a whole
  spec also checks), except those marked ``broken``, which must fail to load; blocks marked ``from=specs/x.stdl`` quote rules and citations
  that exist in that spec; a block marked ``file=NAME`` is written to a scratch
  directory, and every ```console command run on such files (``standardlang test``,
  ``lint``, ``fmt``...) must print exactly the output pasted in the guide; a command
  on other files (the repository's) must show no output, as it cannot be verified.
- ``docs/api.md``: every ```python block runs, in order, in one namespace, with
  the repository root as the working directory, and prints exactly the output shown
  in its whole-line comments.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex

import pytest

import standardlang as sl
from standardlang.tools import docgen
from standardlang import cli
from standardlang.lang.parser import parse, parse_expression

from conftest import ROOT, SPECS

DOCS = ROOT / "docs"
SPEC_FILES = sorted(SPECS.glob("*.stdl"))
GUIDES = [DOCS / "guide.zh.md", DOCS / "guide.en.md"]


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def specs():
    return {p.stem: sl.load(p) for p in SPEC_FILES}


@pytest.fixture(scope="module")
def model(specs):
    return docgen.build_data_model(list(specs.values()))


# ---------------------------------------------------------------------- generated pages
def test_generated_docs_are_up_to_date():
    code, out, err = run_cli(["docs", *map(str, SPEC_FILES), "--output", str(DOCS), "--check"])
    assert code == 0, f"docs drifted from the specs; run `standardlang docs specs/*.stdl --output docs`\n{out}{err}"


def test_check_notices_drift_and_writing_fixes_it(tmp_path):
    out_dir = tmp_path / "docs"
    code, out, _ = run_cli(["docs", *map(str, SPEC_FILES), "--output", str(out_dir), "--check"])
    assert code == 1 and "out of date" in out  # nothing there yet
    code, out, _ = run_cli(["docs", *map(str, SPEC_FILES), "--output", str(out_dir)])
    assert code == 0 and (out_dir / "data-model.md").exists()
    assert sorted(p.name for p in (out_dir / "standards").iterdir()) == [f"{p.stem}.md" for p in SPEC_FILES]
    assert run_cli(["docs", *map(str, SPEC_FILES), "--output", str(out_dir), "--check"])[0] == 0
    page = out_dir / "standards" / "complete_community.md"
    page.write_text(page.read_text(encoding="utf-8").replace("2200", "2400"), encoding="utf-8")
    code, out, _ = run_cli(["docs", *map(str, SPEC_FILES), "--output", str(out_dir), "--check"])
    assert code == 1 and "complete_community.md" in out


def test_a_changed_spec_changes_its_page(tmp_path):
    spec = tmp_path / "complete_community.stdl"
    spec.write_text((SPECS / "complete_community.stdl").read_text(encoding="utf-8")
                    .replace("不小于 2200 平方米", "不小于 2400 平方米"), encoding="utf-8")
    others = [p for p in SPEC_FILES if p.name != spec.name]
    code, out, _ = run_cli(["docs", str(spec), *map(str, others), "--output", str(DOCS), "--check"])
    assert code == 1 and "complete_community.md" in out


def test_a_spec_that_does_not_load_is_a_usage_error(tmp_path):
    bad = tmp_path / "bad.stdl"
    bad.write_text('standard bad "x" { }\nentity e { a: m2 }\ngoal 1 "g" for e { rule 1 { require b >= 1 } }\n',
                   encoding="utf-8")
    code, _, err = run_cli(["docs", str(bad), "--output", str(tmp_path / "out"), "--check"])
    assert code == 2 and "unknown name `b`" in err


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


@pytest.mark.parametrize("name", [p.stem for p in SPEC_FILES])
def test_every_rule_id_and_cite_is_on_its_page(name, specs):
    spec = specs[name]
    page = (DOCS / "standards" / f"{name}.md").read_text(encoding="utf-8")
    assert page.startswith(f"# {spec.title}\n")
    assert spec.checked.meta["source"] in page
    for rule in spec.rules:
        assert f'<a id="rule-{rule.id}"></a>' in page and f"#### {rule.id} " in page
        for cite in rule.cites + tuple(c for alt in rule.alternatives for c in alt.cites):
            assert _cell(cite) in page, (rule.id, cite)
        for reading in rule.readings + tuple(r for alt in rule.alternatives for r in alt.readings):
            assert reading in page, (rule.id, reading)
        for node in (rule.applies, *rule.requires):
            if node is not None:
                assert f"`{docgen.one_line(node.text)}`" in page, (rule.id, node.text)
        assert f"- 示例 examples: {len(rule.examples)}" in page
    for ind in spec.indicators:
        assert f'<a id="indicator-{ind.id}"></a>' in page
        for cite in ind.cites:
            assert f"> {cite}" in page, (ind.id, cite)
        assert f"- 目标 target: {docgen.target_text(ind)}" in page
        assert f"**{'约束性' if ind.attribute == 'binding' else '预期性'}** {ind.attribute}" in page


def test_no_spam_in_generated_docs():
    for path in [*DOCS.glob("standards/*.md"), DOCS / "data-model.md", *GUIDES, DOCS / "api.md"]:
        text = path.read_text(encoding="utf-8")
        assert "BBO" not in text and "\u5fc5\u535a" not in text, path


def _row(page: str, entity: str, path: str) -> str:
    for line in page.splitlines():
        if line.startswith(f'| <a id="{entity}.{path}"></a>'):
            return line
    raise AssertionError(f"no row for {entity}.{path}")


def test_every_schema_field_is_in_the_data_model_with_label_and_unit(specs):
    page = (DOCS / "data-model.md").read_text(encoding="utf-8")
    n = 0
    for spec in specs.values():
        for entity, rec in spec.entities.items():
            for path, info in docgen.schema_fields(rec):
                row = _row(page, entity, path)
                cells = [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]
                assert cells[1] == docgen.field_label(rec, path) and info.label in cells[1], row
                assert cells[3] == (info.unit or ""), row
                assert cells[4] == ("可选 optional" if info.optional else "必填 required"), row
                n += 1
    assert n > 200


def test_schema_conflicts_are_reported():
    a = sl.loads('standard a "a" { }\nentity community "居住社区" { households: count "户数" area: m2 "面积" }', "a")
    b = sl.loads('standard b "b" { }\nentity community "社区" { households: number "户数" area?: ha "面积" }', "b")
    model = docgen.build_data_model([b, a])
    found = {(c.where, c.what) for c in model.conflicts}
    assert found == {("entity community", "label"), ("community.households", "type"),
                     ("community.area", "type"), ("community.area", "optional")}
    page = docgen.data_model_page(model)
    assert "community.households: type differs — a: 计数 count; b: 数 number" in page
    assert "None: every field" not in page


def test_no_conflicts_among_the_shipped_specs(model):
    assert model.conflicts == []


KIND_RULES = {  # every rule that reads `kind`, through is_new / is_existing / is_constrained
    "6.building_area", "6.goods", "7.station", "7.station_constrained", "12.elevators", "10.parking", "10.charging",
    "10.parking_order", "10.fire_lanes", "13.station", "13.toilet", "14.sports_ground", "14.sports_courts",
    "14.sports_shelter", "14.existing_space", "15.park_area", "15.park_sports", "15.pocket_park", "16.room",
    "16.room_existing",
}


def test_used_by_of_hand_picked_fields(model, specs):
    used = model.used_by
    assert set(used("community", "kind")) == {("complete_community", r) for r in KIND_RULES}
    # the rules' own conditions agree: each one names one of the three definitions
    for rid in KIND_RULES:
        r = specs["complete_community"].rule(rid)
        texts = " ".join(n.text for n in [r.applies, *r.requires, *(x for a in r.alternatives
                                                                  for x in [a.applies, *a.requires])] if n)
        assert re.search(r"\bis_(new|existing|constrained)\b", texts), rid
    assert set(used("community", "households")) == {("complete_community", "10.parking"), ("wuhai_indicators", "4")}
    # read inside `where`, through the definition store_alternative
    assert set(used("community", "convenience_stores.building_area")) == {
        ("complete_community", "6.building_area"), ("complete_community", "6.goods")}
    # read through city.communities = districts.subdistricts.communities and service_area
    assert set(used("community", "service_station.building_area")) == {
        ("complete_community", "1.building_area"), ("wuhai_indicators", "2"), ("wuhai_indicators", "3"),
        ("wuhai_indicators", "4")}
    assert set(used("subdistrict", "communities")) == {
        *(("wuhai_indicators", i) for i in "123457"), ("wuhai_public_services", "c6_3")}
    assert set(used("city", "sports_venues.open_days")) == {("wuhai_public_services", "c4_6b")}
    assert used("community", "elderly_station.building_area") == []  # declared, read by nothing
    assert used("community", "name") == []
    page = (DOCS / "data-model.md").read_text(encoding="utf-8")
    row = _row(page, "community", "households")
    assert "[10.parking](standards/complete_community.md#rule-10.parking)" in row
    assert "[指标 4](standards/wuhai_indicators.md#indicator-4)" in row
    assert "关联 links [`subdistrict.communities`]" in _row(page, "community", "subdistrict")


def test_reads_walks_goal_definitions():
    spec = sl.loads('''
standard g "g" { }
entity community { a: m2 "甲"  b?: record "乙" { c: count "丙" }  let big = a >= 10 m2 }
goal 1 "g" for community {
  let both = big and present(b)
  rule 1.x "x" { require both and b.c >= 1 }
}''', "g")
    reads = docgen.rule_reads(spec, spec.rule("1.x"))
    assert reads.fields == {("community", "a"), ("community", "b"), ("community", "b.c")}
    assert reads.lets == {("goal:1", "both"), ("community", "big")}


# ---------------------------------------------------------------------- the guides
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)


def fenced_blocks(text: str) -> list[tuple[str, dict, str]]:
    """``(language, {key: value or True}, body)`` of every fenced block."""
    blocks = []
    for m in FENCE.finditer(text):
        words = m.group(1).split()
        lang = words[0] if words else ""
        info: dict = {}
        for w in words[1:]:
            key, _, value = w.partition("=")
            info[key] = value or True
        blocks.append((lang, info, m.group(2)))
    return blocks


WRAPPERS = [
    "{}",
    'goal g "g" for community {{\n{}\n}}',
    'entity community {{\n{}\n}}',
    'goal g "g" for community {{ rule r {{\n{}\n}} }}',
]


def parses(body: str) -> None:
    errors = []
    for wrapper in WRAPPERS:
        try:
            parse(wrapper.format(body))
            return
        except sl.SpecSyntaxError as exc:
            errors.append(exc.render())
    try:
        parse_expression(body)
    except sl.SpecSyntaxError as exc:
        errors.append(exc.render())
        raise AssertionError("a ```stdl block of the guide does not parse:\n" + body + "\n" + errors[0]) from None


def spec_cites(path: str) -> tuple[set[str], set[str]]:
    spec = sl.load(ROOT / path)
    cites = {c for r in spec.rules for c in r.cites + tuple(c for a in r.alternatives for c in a.cites)}
    cites |= {c for i in spec.indicators for c in i.cites}
    return {r.id for r in spec.rules} | {i.id for i in spec.indicators}, cites


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_guide_examples_parse_and_quote_the_shipped_specs(guide):
    blocks = fenced_blocks(guide.read_text(encoding="utf-8"))
    stdl = [(info, body) for lang, info, body in blocks if lang == "stdl"]
    assert len(stdl) >= 15
    assert all(lang for lang, _, _ in blocks), "every fenced block names its language"
    for info, body in stdl:
        if "broken" in info:  # a deliberate mistake, shown with its error message
            with pytest.raises(sl.StandardLangError):
                sl.loads(body, info.get("file", "<guide>"))
            continue
        parses(body)
        if body.lstrip().startswith("standard "):
            sl.loads(body, info.get("file", "<guide>"))  # a whole spec also checks
        if "from" in info:
            ids, cites = spec_cites(info["from"])
            for rid in re.findall(r"^\s*(?:rule|indicator) (\S+)", body, re.M):
                assert rid in ids, f"{guide.name}: {rid} is not in {info['from']}"
            for cite in re.findall(r'^\s*cite "((?:[^"\\]|\\.)*)"', body, re.M):
                assert cite in cites, f"{guide.name}: the cite {cite!r} is not in {info['from']}"


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_guide_console_output_is_real(guide, tmp_path, monkeypatch):
    blocks = fenced_blocks(guide.read_text(encoding="utf-8"))
    for lang, info, body in blocks:
        if "file" in info:  # a spec, or a data file (```csv file=communities.csv)
            (tmp_path / info["file"]).write_text(body, encoding="utf-8")
        if lang == "stdl" and "file" in info:
            if "broken" in info:
                with pytest.raises(sl.StandardLangError):
                    sl.loads(body, info["file"])
    files = {info["file"] for lang, info, _ in blocks if lang == "stdl" and "file" in info}
    monkeypatch.chdir(tmp_path)
    checked = 0
    for lang, info, body in blocks:
        if lang != "console":
            continue
        for run in re.split(r"^\$ ", body, flags=re.M)[1:]:
            command, _, expected = run.partition("\n")
            argv = shlex.split(command)
            paths = [a for a in argv[2:] if a.endswith(".stdl")]
            if argv[0] != "standardlang" or not paths or not set(paths) <= files:
                assert not expected.strip(), f"{guide.name}: pasted output of `{command}` is not verified"
                continue
            code, out, err = run_cli(argv[1:])
            # what a terminal shows: standard output, then standard error, each on its own lines
            shown = "\n".join(part.rstrip("\n") for part in (out, err) if part.strip())
            assert shown == expected.rstrip("\n"), f"{guide.name}: `{command}` prints otherwise"
            checked += 1
    assert checked >= 6


# ---------------------------------------------------------------------- the API reference
def test_api_reference_snippets_run(monkeypatch):
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    blocks = [body for lang, _, body in fenced_blocks(text) if lang == "python"]
    assert len(blocks) >= 10
    monkeypatch.chdir(ROOT)
    namespace: dict = {"__name__": "api_md"}
    for i, body in enumerate(blocks, 1):
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(body, f"docs/api.md python block {i}", "exec"), namespace)
        except Exception as exc:
            raise AssertionError(f"docs/api.md python block {i} fails: {exc!r}\n{body}") from exc
        # a whole-line comment in a block is the output it prints
        shown = [line.strip()[2:] if line.strip() != "#" else "" for line in body.splitlines()
                 if line.lstrip().startswith("#")]
        assert out.getvalue().splitlines() == shown, f"docs/api.md python block {i} prints otherwise"
