"""The shipped specs (specs/*.stdl): examples, thresholds, fidelity to the source, shared schema.

Takes the three specs and the source document; checks that

(a) every rule has inline examples that pass and fail (unknown where missing data can
    decide it, not_applicable where it has ``applies when``), every indicator examples
    that pass, fail and are unknown, and every example holds;
(b) every numeric threshold — found by walking the checked IR, not kept by hand — is
    judged as its wording demands (不小于 is ≥: at the threshold passes, just below
    fails; 大于 is strict; between is inclusive at both ends): with a rule's passing
    example as the base, the field (or a ratio's numerator) set exactly at the
    threshold, just inside and just outside (Hypothesis draws the distance, in the
    field's declared unit); and where a cite words a bound (不小于2200, 超过90%) the
    spec's comparison is the one the word means;
(c) the specs follow the source: the 20 items of column 5 and the 9 indicators of
    column 1 are there, with their numbering, goals, attributes and targets, and every
    ``cite`` occurs verbatim in the source; the spam injected into the source copy
    occurs in no file of the repository;
(d) the specs define shared fields and enums alike (same name: same type and unit).

The source is ``specs/sources/wuhai-community-plan-2022.txt``, shipped with the project
(its provenance and the cleaning of the received copy: ``specs/sources/README.md``), so the
tests that read it run on every clone.
"""

from __future__ import annotations

from spec_helpers import can_be_unknown  # noqa: E402  (tests/ is on sys.path)

import copy
import pathlib
import re
import subprocess
from fractions import Fraction
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import standardlang as sl
from standardlang.lang import ir
from standardlang.tools.testing import run_examples
from standardlang.lang.types import EnumT, ListT, Num, RecordT, SetT

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPEC_FILES = sorted((ROOT / "specs").glob("*.stdl"))
SOURCE = ROOT / "specs" / "sources" / "wuhai-community-plan-2022.txt"
# The gambling site's name injected into the source copy, spelled so that this file does not hold it.
SPAM = ["\u5fc5\u535a\u5a31\u4e50", "BBO\u5a31\u4e50"]

SPECS = {p.stem: sl.load(p) for p in SPEC_FILES}


def test_the_three_specs_are_shipped():
    assert {"complete_community", "wuhai_indicators", "wuhai_public_services"} <= set(SPECS)


# ------------------------------------------------------------------ helpers
walk = ir.walk  # every IR node under a node


def all_cites(spec: Any) -> list[tuple[str, str]]:
    out = []
    for r in spec.rules:
        out += [(f"rule {r.id}", c) for c in r.cites]
        for alt in r.alternatives:
            out += [(f"rule {r.id} alternative {alt.name}", c) for c in alt.cites]
    for ind in spec.indicators:
        out += [(f"indicator {ind.id}", c) for c in ind.cites]
    return out


# ------------------------------------------------------------------ (a) examples
RULES = [(name, r) for name, spec in SPECS.items() for r in spec.rules]
INDICATORS = [(name, i) for name, spec in SPECS.items() for i in spec.indicators]


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_example_holds(name):
    failures = [f"{r.name}: expected {r.expected}, got {r.actual}\n{r.explanation}"
                for r in run_examples(SPECS[name]) if not r.ok]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name,rule", RULES, ids=[f"{n}:{r.id}" for n, r in RULES])
def test_rule_has_an_example_of_every_verdict(name, rule):
    spec = SPECS[name]
    want = {"pass", "fail"}
    if can_be_unknown(spec, rule):
        want.add("unknown")
    if rule.applies is not None or rule.adoption is not None:  # a permission (可) can be not taken up
        want.add("not_applicable")
    if rule.adoption == ():  # a permission with no condition attached: taken up or not, never failed
        want.discard("fail")
    have = {ex.status for ex in rule.examples}
    assert want <= have, f"rule {rule.id} has no example expecting {sorted(want - have)}"


@pytest.mark.parametrize("name,ind", INDICATORS, ids=[f"{n}:{i.id}" for n, i in INDICATORS])
def test_indicator_has_an_example_of_every_verdict(name, ind):
    have = {ex.status for ex in ind.examples}
    assert {"pass", "fail", "unknown"} <= have, f"indicator {ind.id} has examples only for {sorted(have)}"


# ------------------------------------------------------------------ (b) thresholds
@attrs.frozen
class Threshold:
    """A comparison of one field (or a ratio of two) with constants, in base units."""

    spec: str
    rule: Any
    op: str  # >= > <= < between: what the comparison's spelling demands, the field on the left
    bounds: tuple  # (c,) or (low, high)
    path: tuple[str, ...]  # the field set in the data
    scale: Fraction  # data unit -> base unit
    count: bool
    denominator: tuple[tuple[str, ...], Fraction] | None = None  # (path, scale) of a ratio's divisor
    text: str = ""  # the comparison as written
    written: tuple[str, ...] = ()  # the constants as written: "2200 平方米", "2 ‰"

    @property
    def id(self) -> str:
        field = ".".join(map(str, self.path))
        if self.denominator is not None:
            field += "/" + ".".join(map(str, self.denominator[0]))
        return f"{self.spec}:{self.rule.id}:{field}{self.op}{'..'.join(str(b) for b in self.bounds)}"


MIRROR = {">=": "<=", ">": "<", "<=": ">=", "<": ">"}
# What the spelling of a comparison in a spec means (GB/T 1.1 wording, docs/language.md).
SPELLINGS = {"不小于": ">=", "不少于": ">=", "不低于": ">=", ">=": ">=", "≥": ">=",
             "不大于": "<=", "不多于": "<=", "不超过": "<=", "<=": "<=", "≤": "<=",
             "大于": ">", ">": ">", "小于": "<", "<": "<"}


def _field_path(spec: Any, rule: Any, node: Any, prefix: tuple = ()) -> tuple[tuple, Fraction, bool] | None:
    """(path, scale, is a count) of a field read from the judged record through records, else None.

    ``prefix`` is the path of a list (and the element index 0) when ``node`` sits inside an
    aggregate over that list: its fields are then read from the list's first element.
    """
    if not isinstance(node, ir.Field) or node.over_list:
        return None
    names = []
    n = node
    while isinstance(n, ir.Field):
        if n.over_list or (n.obj is None and n.depth != 0):
            return None
        names.append(n.name)
        n = n.obj
    if n is not None:
        return None
    names.reverse()
    rtype: Any = spec.entities[rule.entity]
    info = None
    for part in list(prefix) + names:
        if isinstance(part, int):
            if not isinstance(rtype, ListT) or not isinstance(rtype.elem, RecordT):
                return None
            rtype = rtype.elem
            continue
        if not isinstance(rtype, RecordT) or part not in rtype.fields:
            return None
        info = rtype.fields[part]
        rtype = info.type
    names = list(prefix) + names
    if info is None or not isinstance(info.type, Num):
        return None
    return tuple(names), Fraction(info.scale), info.type.kind == "count"


def _side(spec: Any, rule: Any, node: Any, prefix: tuple = ()):
    """A field, or a ratio field / field: ((path, scale, count), denominator or None)."""
    f = _field_path(spec, rule, node, prefix)
    if f is not None:
        return f, None
    if isinstance(node, ir.Binary) and node.op == "/":
        num, den = _field_path(spec, rule, node.left, prefix), _field_path(spec, rule, node.right, prefix)
        if num is not None and den is not None:
            return num, (den[0], den[1])
    return None


def _number(node: Any) -> Fraction | None:
    if isinstance(node, ir.Const) and isinstance(node.value, (int, Fraction)) and not isinstance(node.value, bool):
        return Fraction(node.value)
    return None


def _walk_scoped(spec: Any, rule: Any, node: Any, prefix: tuple = ()):
    """(node, prefix) for every IR node; inside ``any``/``all`` over a list of the record, the
    prefix is that list's path and element 0 (where the passing example puts its one element)."""
    if node is None:
        return
    yield node, prefix
    if isinstance(node, ir.Aggregate) and node.func in ("any", "all") and not prefix:
        coll = _field_path_any(node.coll)
        inner = (*coll, 0) if coll is not None else None
        for part in (node.item, node.where):
            if inner is not None:
                yield from _walk_scoped(spec, rule, part, inner)
        yield from _walk_scoped(spec, rule, node.coll, prefix)
        return
    for child in ir.children(node):
        yield from _walk_scoped(spec, rule, child, prefix)


def _field_path_any(node: Any) -> tuple | None:
    """The path of a list field read straight from the judged record (``public_toilets``), else None."""
    if isinstance(node, ir.Field) and node.obj is None and node.depth == 0 and not node.over_list:
        return (node.name,)
    return None


def thresholds(specs: dict[str, Any]) -> list[Threshold]:
    """Every comparison of a field (or a ratio of two fields) with numbers in the rules' requirements."""
    out = []
    for name, spec in specs.items():
        for rule in spec.rules:
            for req in rule.requires:
                for node, prefix in _walk_scoped(spec, rule, req):
                    if isinstance(node, ir.Compare) and node.op in MIRROR:
                        # the comparison its spelling demands (the engine's own op is what is under test)
                        op, left, right = SPELLINGS.get(node.spelling, node.op), node.left, node.right
                        if _number(left) is not None:
                            op, left, right = MIRROR[op], right, left
                        c, side = _number(right), _side(spec, rule, left, prefix)
                        if c is None or side is None:
                            continue
                        (path, scale, count), den = side
                        out.append(Threshold(name, rule, op, (c,), path, scale, count, den, node.text or "",
                                             (right.text or "",)))
                    elif isinstance(node, ir.Between):
                        lo, hi, side = _number(node.low), _number(node.high), _side(spec, rule, node.value, prefix)
                        if lo is None or hi is None or side is None:
                            continue
                        (path, scale, count), den = side
                        out.append(Threshold(name, rule, "between", (lo, hi), path, scale, count, den,
                                             node.text or "", (node.low.text or "", node.high.text or "")))
    return out


def _independent(found: list[Threshold]) -> list[Threshold]:
    """Leave out a threshold on a field that the same rule also divides by (15.park_sports: the park's
    area ≥ 4000 m² and sports area / area between 10 % and 15 %): moving that field moves the ratio
    too, so the pair is tested through the ratio, whose numerator moves alone."""
    dens = {(t.spec, t.rule.id, t.denominator[0]) for t in found if t.denominator is not None}
    return [t for t in found if (t.spec, t.rule.id, t.path) not in dens]


THRESHOLDS = _independent(thresholds(SPECS))


def test_thresholds_are_found():
    """The walk finds the thresholds of column 5 (a sanity check on the walk, not a hand-kept list)."""
    found = {(t.rule.id, t.op, t.bounds) for t in THRESHOLDS}
    assert ("2.building_area", ">=", (2200,)) in found
    assert ("11.bus_stop", "<=", (10,)) in found
    assert ("15.park_sports", "between", (Fraction(1, 10), Fraction(3, 20))) in found
    # thresholds on one facility of a list (a community may have several: items 13–15)
    assert ("14.site_area", ">=", (150,)) in found and ("13.toilet", ">=", (30,)) in found
    assert ("16.room", ">=", (Fraction(1, 500),)) in found
    assert len(THRESHOLDS) >= 20


def _get(record: Any, path: tuple) -> Any:
    for p in path:
        if isinstance(p, int):
            record = record[p] if isinstance(record, list) and len(record) > p else None
        elif not isinstance(record, dict):
            return None
        else:
            record = record.get(p)
    return record


def _set(record: Any, path: tuple, value: Any) -> None:
    for p, nxt in zip(path[:-1], path[1:]):
        if isinstance(p, int):
            record = record[p]
        else:
            record = record.setdefault(p, [] if isinstance(nxt, int) else {})
    record[path[-1]] = value


def _as_data(v: Fraction) -> Any:
    """A value as data: an int, a float that is exactly the decimal, or the fraction itself."""
    if v.denominator == 1:
        return int(v)
    f = float(v)
    return f if Fraction(repr(f)) == v else v


def _verdict(spec: Any, t: Threshold, base: dict, data_value: Fraction) -> str | None:
    if data_value < 0 or (t.count and data_value.denominator != 1):
        return None  # not a valid value of the field
    record = copy.deepcopy(base)
    _set(record, t.path, _as_data(data_value))
    return spec.judge(record, t.rule.entity, [t.rule]).verdicts[0].status.value


def _base(t: Threshold) -> dict:
    for ex in t.rule.examples:
        if ex.status == "pass":
            return ex.record
    raise AssertionError(f"rule {t.rule.id} has no passing example")


def _at(t: Threshold, base: dict, c: Fraction) -> Fraction | None:
    """The data value of the field that puts the compared quantity exactly at ``c`` (base units)."""
    if t.denominator is None:
        return c / t.scale
    den_path, den_scale = t.denominator
    d = _get(base, den_path)
    if d is None:
        return None
    return c * Fraction(repr(d) if isinstance(d, float) else d) * den_scale / t.scale


def check_threshold(spec: Any, t: Threshold, delta: Fraction) -> list[tuple[Fraction, str, str]]:
    """Judge the rule's passing example with the field at, inside and outside the threshold.

    Returns (data value, verdict, verdict the wording demands) of every case judged.
    """
    base = _base(t)
    if t.op == "between":
        lo, hi = (_at(t, base, c) for c in t.bounds)
        assert lo is not None and hi is not None, f"the passing example of rule {t.rule.id} lacks the divisor"
        cases = [(lo, "pass"), (hi, "pass"), (lo - delta, "fail"), (hi + delta, "fail")]
        if lo + delta <= hi:
            cases.append((lo + delta, "pass"))
        if hi - delta >= lo:
            cases.append((hi - delta, "pass"))
    else:
        at = _at(t, base, t.bounds[0])
        assert at is not None, f"the passing example of rule {t.rule.id} lacks the ratio's divisor"
        inclusive = t.op in (">=", "<=")
        up = "pass" if t.op in (">=", ">") else "fail"
        down = "fail" if up == "pass" else "pass"
        cases = [(at, "pass" if inclusive else "fail"), (at + delta, up), (at - delta, down)]
    out = []
    for value, expected in cases:
        got = _verdict(spec, t, base, value)
        if got is not None:
            out.append((value, got, expected))
    return out


DELTAS = st.builds(lambda n, d: Fraction(n, d), st.integers(1, 10_000), st.sampled_from([1, 10, 100, 1000, 10_000]))
COUNT_DELTAS = st.integers(1, 1000).map(Fraction)


@pytest.mark.parametrize("t", THRESHOLDS, ids=[t.id for t in THRESHOLDS])
@given(data=st.data())
def test_threshold_is_judged_as_worded(t, data):
    delta = data.draw(COUNT_DELTAS if t.count and t.denominator is None else DELTAS, label="delta")
    for value, got, expected in check_threshold(SPECS[t.spec], t, delta):
        assert got == expected, (f"rule {t.rule.id}: `{t.text}` with {'.'.join(map(str, t.path))} = {value} "
                                 f"({float(value):g}) gives {got}, the wording demands {expected}")


UNITS_SPEC = """
standard units_demo "units" { source "test" }
entity site "场地" {
  key id
  id: text
  area: ha "用地面积"
  green: m2 "绿地面积"
  walk: h "步行时间"
}
goal 一 "test" for site {
  rule 1 "area in hectares" {
    require area 不小于 2200 平方米
    example "0.22 ha" { given { area: 0.22 } expect pass }
    example "0.2 ha" { given { area: 0.2 } expect fail }
  }
  rule 2 "share" {
    require green / area between 10 % and 15 %
    example "10 %" { given { area: 1, green: 1000 } expect pass }
    example "5 %" { given { area: 1, green: 500 } expect fail }
  }
  rule 3 "minutes" {
    require walk < 10 分钟
    example "6 min" { given { walk: 0.1 } expect pass }
    example "1 h" { given { walk: 1 } expect fail }
  }
}
"""


@given(delta=DELTAS)
def test_threshold_walk_uses_the_declared_units(delta):
    """The walk and the check above convert between a field's unit and the base unit (ha, h)."""
    spec = sl.loads(UNITS_SPEC, "units_demo.stdl")
    found = thresholds({"units_demo": spec})
    assert sorted((t.rule.id, t.op, t.scale) for t in found) == [
        ("1", ">=", Fraction(10000)), ("2", "between", Fraction(1)), ("3", "<", Fraction(60))]
    for t in found:
        cases = check_threshold(spec, t, delta / 10_000)
        assert cases and all(got == expected for _, got, expected in cases), (t.id, cases)
        if t.rule.id == "1":
            assert cases[0][0] == Fraction(22, 100)  # 2200 m² is 0.22 ha


WORDS = {"不小于": ">=", "不少于": ">=", "不低于": ">=", "达到": ">=", "不大于": "<=", "不多于": "<=",
         "不超过": "<=", "超过": ">", "大于": ">", "小于": "<", "低于": "<"}
WORD_RE = re.compile("(" + "|".join(sorted(WORDS, key=len, reverse=True)) + r")\s*(\d+(?:\.\d+)?)")


def test_thresholds_agree_with_the_cited_wording():
    """Where a cite says 不小于2200, 超过90 ..., the comparison is the one the word means."""
    checked = 0
    for t in THRESHOLDS:
        written = {n for w in t.written for n in re.findall(r"\d+(?:\.\d+)?", w)}
        for cite in t.rule.cites:
            for word, number in WORD_RE.findall(cite):
                if number in written and t.op != "between":
                    assert WORDS[word] == t.op, f"rule {t.rule.id}: cite says {word}{number}, spec uses {t.op}"
                    checked += 1
    for name, spec in SPECS.items():
        for ind in spec.indicators:
            written = set(re.findall(r"\d+(?:\.\d+)?", ind.target.text or ""))
            for cite in ind.cites:
                for word, number in WORD_RE.findall(cite):
                    if number in written:
                        assert WORDS[word] == ind.op, \
                            f"indicator {ind.id}: cite says {word}{number}, spec uses {ind.op}"
                        checked += 1
    assert checked >= 20


# ------------------------------------------------------------------ (c) the source
@pytest.fixture(scope="module")
def source() -> str:
    return SOURCE.read_text(encoding="utf-8")


def test_the_source_is_the_file_its_provenance_names(source):
    """The shipped text is the cleaned copy the README describes, byte for byte."""
    import hashlib

    readme = (SOURCE.parent / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    assert f"this file | sha256 `{digest}`" in readme, "specs/sources changed without its provenance"
    assert "??" not in source and "乌民发" not in source.splitlines()[1]  # restored labels; the header's own 无
    assert source.count("专栏") >= 6


def test_no_test_reads_a_path_outside_the_repository():
    outside = re.compile(r"""["'](/work/|/home/|/tmp/|/Users/|[A-Z]:\\)""")
    found = [f"{p.name}:{n}" for p in sorted((ROOT / "tests").glob("*.py"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if outside.search(line)]
    assert not found, f"tests read absolute paths: {found}"


def _column(source: str, n: int) -> list[str]:
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"专栏{n}"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("专栏"))
    return lines[start + 1:end]


def _rows(lines: list[str], last: int) -> dict[int, tuple[str, list[str]]]:
    """Numbered rows of a flattened table: number -> (the cell before the number, the cells after it)."""
    rows = {}
    for line in lines:
        cells = [c.strip() for c in line.split("|")]
        for i, c in enumerate(cells):
            if c.isdigit() and 1 <= int(c) <= last:
                rows[int(c)] = (cells[i - 1] if i else "", [x for x in cells[i + 1:] if x])
                break
    return rows


def test_column5_items_are_rules_citing_their_own_row(source):
    spec = SPECS["complete_community"]
    rows = _rows(_column(source, 5), 20)
    assert sorted(rows) == list(range(1, 21))
    by_item: dict[int, list[Any]] = {}
    for r in spec.rules:
        head = r.id.split(".")[0]
        assert head.isdigit() and 1 <= int(head) <= 20, f"rule {r.id} is not numbered after an item of column 5"
        by_item.setdefault(int(head), []).append(r)
    goal = None
    for n in range(1, 21):
        before, cells = rows[n]
        if before:  # 一、基本公共服务设施完善 starts a goal
            goal = tuple(before.split("、", 1))
        text = " | ".join(cells)
        assert n in by_item, f"item {n} ({cells[0]}) of column 5 has no rule"
        item = next((i for i in spec.checked.items if i.id == str(n)), None)
        assert item is not None, f"item {n} ({cells[0]}) of column 5 is not an item of the spec"
        assert item.title == cells[0], f"item {n} is titled {item.title!r}, the source has {cells[0]!r}"
        assert set(item.rule_ids) == {r.id for r in by_item[n]}, f"item {n} holds other rules than {n}.*"
        for r in by_item[n]:
            assert (r.goal_id, r.goal_title) == goal, f"rule {r.id} is in goal {r.goal_id}, the source has {goal}"
            cites = list(r.cites) + [c for alt in r.alternatives for c in alt.cites]
            assert cites, f"rule {r.id} cites nothing"
            for c in cites:
                assert c in text, f"rule {r.id}: cite {c!r} is not in item {n} of column 5"


def test_column1_indicators_follow_the_table(source):
    spec = SPECS["wuhai_indicators"]
    rows = _rows(_column(source, 1), 9)
    assert sorted(rows) == list(range(1, 10))
    inds = {i.id: i for i in spec.indicators}
    scale = {"%": Fraction(1, 100), "‰": Fraction(1, 1000)}
    for n, (_, cells) in rows.items():
        name, target, attribute = cells[:3]
        ind = inds.get(str(n))
        assert ind is not None, f"indicator {n} ({name}) of column 1 is missing"
        m = re.fullmatch(r"(.*)\(([^()]*)\)", name)
        assert m, name
        title, unit = m.groups()
        assert ind.title == title
        assert any(c in source and name in c for c in ind.cites), f"indicator {n}: no cite of its row"
        assert ind.attribute == {"约束性": "binding", "预期性": "expected"}[attribute]
        assert ind.op == ">=", f"indicator {n}: targets of column 1 are minimums"
        value = Fraction(target.lstrip("≥")) * scale.get(unit, 1)
        assert ind.target.value == value, f"indicator {n}: target {ind.target.value}, the source says {target}"
        assert ind.deadline == 2025


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_cite_occurs_in_the_source(name, source):
    missing = [f"{who}: {c!r}" for who, c in all_cites(SPECS[name]) if c not in source]
    assert not missing, "cites not found verbatim in the source:\n" + "\n".join(missing)


def test_specs_cite_the_plan_by_its_name():
    for name, spec in SPECS.items():
        assert spec.checked.meta.get("source", "").startswith("《乌海市“十四五”社区建设发展规划》(乌民发〔2022〕18号)"), name


def _repository_files() -> list[pathlib.Path]:
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [ROOT / p for p in out.decode("utf-8").split("\0") if p]


def test_the_spam_is_nowhere_in_the_repository():
    needles = [s.encode("utf-8") for s in SPAM]
    found = []
    for path in _repository_files():
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("tests/") and path.name.startswith("test_"):
            continue  # tests that check for it may spell it out
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if any(n in data for n in needles):
            found.append(rel)
    assert not found, f"the gambling spam of the source copy appears in: {found}"


# ------------------------------------------------------------------ (d) one schema across specs
def describe(t: Any) -> Any:
    """A type as comparable data (records by their fields, enums by their members and labels)."""
    if isinstance(t, Num):
        return ("num", t.dim, t.kind)
    if isinstance(t, EnumT):
        return ("enum", t.members, tuple(sorted(t.labels)))
    if isinstance(t, SetT):
        return ("set", describe(t.enum))
    if isinstance(t, ListT):
        return ("list", describe(t.elem))
    if isinstance(t, RecordT):
        if t.entity:
            return ("entity", t.name)
        return ("record", tuple(sorted(t.fields)))
    return (type(t).__name__,)


def _fields(rtype: RecordT, prefix: str = ""):
    for name, info in rtype.fields.items():
        path = prefix + name
        yield path, info
        if isinstance(info.type, RecordT) and not info.type.entity:
            yield from _fields(info.type, path + ".")
        elif isinstance(info.type, ListT) and isinstance(info.type.elem, RecordT) and not info.type.elem.entity:
            yield from _fields(info.type.elem, path + "[].")


def test_shared_fields_are_defined_alike():
    seen: dict[tuple[str, str], tuple[str, Any]] = {}
    problems = []
    for name, spec in SPECS.items():
        for entity, rtype in spec.entities.items():
            for path, info in _fields(rtype):
                t = info.type
                shape = describe(t) if not isinstance(t, RecordT) or t.entity else ("record",)
                if isinstance(t, ListT) and isinstance(t.elem, RecordT) and not t.elem.entity:
                    shape = ("list of records",)
                mine = (shape, info.unit, info.scale, info.optional, info.label, info.bounds)
                key = (entity, path)
                if key in seen and seen[key][1] != mine:
                    problems.append(f"{entity}.{path}: {seen[key][0]} has {seen[key][1]}, {name} has {mine}")
                seen.setdefault(key, (name, mine))
    assert not problems, "\n".join(problems)


def test_shared_enums_are_defined_alike():
    seen: dict[str, tuple[str, Any]] = {}
    for name, spec in SPECS.items():
        for enum_name, enum in spec.checked.enums.items():
            mine = describe(enum)
            if enum_name in seen:
                assert seen[enum_name][1] == mine, f"enum {enum_name} differs between {seen[enum_name][0]} and {name}"
            seen.setdefault(enum_name, (name, mine))
