"""Hostile data never stops a run nor loses a record (issue 9 §3): one regression test per observed failure."""

import csv
import io
import json
from pathlib import Path

import pytest

import standardlang as sl
from standardlang.cli import main
from standardlang.data import safe
from standardlang.data.readers import load_data, read_file
from standardlang.engine.verdict import Status
from standardlang.errors import DataError, StandardLangError

HERE = Path(__file__).resolve().parent
DEMO = HERE / "demo.stdl"
SPEC = HERE.parent / "specs" / "complete_community.stdl"
GOOD = {"id": "ok", "kind": "new", "households": 1000, "rooms": ["hall"]}
BIG = "9" * 5000


@pytest.fixture(scope="module")
def demo():
    return sl.load(DEMO)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def jsonl(tmp_path, *lines, name="communities.jsonl", raw=False):
    p = tmp_path / name
    if raw:
        p.write_bytes(b"\n".join(lines) + b"\n")
    else:
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def check_json(capsys, tmp_path, data, spec=DEMO, *extra):
    out = tmp_path / "out.json"
    code, _, err = run(capsys, "check", spec, "--data", data, "--format", "json", "-o", out, *extra)
    assert code in (0, 1), err
    return json.loads(out.read_text("utf-8"))["reports"][0], err


def problems(report):
    return {r["record"]: r.get("problems", []) for r in report["results"]}


# ------------------------------------------------------------------ numbers beyond 4,300 digits
def test_a_huge_number_in_jsonl_is_an_error_of_its_field_only(capsys, tmp_path):
    data = jsonl(tmp_path, f'{{"id": "a", "households": {BIG}, "kind": "new"}}', json.dumps(GOOD),
                 f'{{"id": {BIG}, "kind": "new"}}')
    rep, _ = check_json(capsys, tmp_path, data)
    assert rep["records_judged"] == 3
    p = problems(rep)
    assert p["a"][0]["field"] == "households" and "5,000 digits" in p["a"][0]["message"]
    assert p["ok"] == []
    big_key = [r for r in rep["results"] if r["source"]["line"] == 3][0]  # a huge record key
    assert big_key["problems"][0]["field"] == "id"


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_huge_number_in_json_or_a_csv_cell(capsys, tmp_path, fmt):
    if fmt == "json":
        data = tmp_path / "communities.json"
        data.write_text(f'[{{"id": "a", "households": {BIG}}}, {json.dumps(GOOD)}]', encoding="utf-8")
    else:
        data = tmp_path / "communities.csv"
        data.write_text(f"id,households,kind\na,{BIG},new\nok,1000,new\n", encoding="utf-8")
    rep, _ = check_json(capsys, tmp_path, data)
    assert rep["records_judged"] == 2
    assert "digits" in problems(rep)["a"][0]["message"]


def test_spec_judge_of_a_huge_int_gives_error_verdicts(demo):
    result = demo.judge({"id": 10 ** 5000, "households": 10 ** 5000, "kind": "new"}, "community")
    assert result.record_id == "#1"  # not printable: its position
    assert {p.path for p in result.problems} == {"id", "households"}
    assert all(v.status in (Status.ERROR, Status.NOT_APPLICABLE, Status.UNKNOWN, Status.FAIL, Status.PASS)
               for v in result.verdicts)
    json.dumps(result.to_dict())  # printable


# ------------------------------------------------------------------ deep nesting
def test_deep_json_line_is_one_error_record(capsys, tmp_path):
    deep = '{"id": "d", "kindergarten": ' + "[" * 1000 + "]" * 1000 + "}"
    rep, _ = check_json(capsys, tmp_path, jsonl(tmp_path, deep, json.dumps(GOOD)))
    p = problems(rep)
    assert rep["records_judged"] == 2 and p["ok"] == []
    assert "nested deeper than 100" in p["#1"][0]["message"]


def test_deep_json_document_is_a_positioned_data_error(tmp_path):
    p = tmp_path / "c.json"
    p.write_text('[{"id": "a",\n "x": ' + "[" * 1000 + "]" * 1000 + "}]", encoding="utf-8")
    with pytest.raises(DataError) as e:
        read_file(p)
    d = e.value.diagnostics[0]
    assert "nested deeper than 100" in d.message and (d.span.line, d.span.column) == (2, 105)  # the 101st level


def test_deep_yaml_and_deep_json_in_a_csv_cell(demo, tmp_path):
    y = tmp_path / "c.yaml"
    y.write_text("a: " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="nested deeper than 100"):
        read_file(y)
    c = tmp_path / "communities.csv"
    c.write_text('id,kindergarten\nd,"' + "[" * 1000 + "]" * 1000 + '"\nok,\n', encoding="utf-8")
    ds = load_data([c], demo)
    result = demo.evaluate_inventory(ds.inventory).record("d")
    assert "JSON nested deeper than 100" in result.problems[0].message
    assert result.verdict("2.building_area").status is Status.ERROR


# ------------------------------------------------------------------ lone surrogates
def test_a_lone_surrogate_is_an_error_and_the_report_is_written(capsys, tmp_path):
    data = jsonl(tmp_path, '{"id": "\\ud800", "kind": "new"}', json.dumps(GOOD))
    rep, _ = check_json(capsys, tmp_path, data)
    assert rep["records_judged"] == 2
    assert "lone surrogate" in rep["results"][0]["problems"][0]["message"]
    code, out, _ = run(capsys, "check", DEMO, "--data", data)  # the text report on stdout too
    assert "\\ud800" in out


def test_a_failed_report_leaves_no_file_behind(tmp_path):
    from standardlang.reports import atomic_file

    target = tmp_path / "r.json"
    with pytest.raises(RuntimeError):
        with atomic_file(str(target)) as fh:
            fh.write("half a report")
            raise RuntimeError("failed while writing")
    assert list(tmp_path.iterdir()) == []
    target.write_text("the old report", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_file(str(target)) as fh:
            raise RuntimeError
    assert target.read_text("utf-8") == "the old report" and len(list(tmp_path.iterdir())) == 1


# ------------------------------------------------------------------ encodings
def test_one_non_utf8_line_in_jsonl_is_one_error_record(capsys, tmp_path):
    lines = [json.dumps({**GOOD, "id": f"c{i}", "subdistrict": "海勃湾区"}, ensure_ascii=False).encode()
             for i in range(200)]
    lines[50] = '{"id": "bad", "subdistrict": "海勃湾区"}'.encode("gb18030")  # stray GB18030 bytes
    rep, _ = check_json(capsys, tmp_path, jsonl(tmp_path, *lines, raw=True))
    assert rep["records_judged"] == 200
    bad = [r for r in rep["results"] if r.get("problems")]
    assert len(bad) == 1 and bad[0]["source"]["line"] == 51
    assert "not UTF-8 text: byte 0xBA" in bad[0]["problems"][0]["message"]
    assert all(r["record"] == f"c{i}" for i, r in enumerate(rep["results"]) if i != 50)  # not garbled


def test_encoding_rule_and_option(tmp_path, demo):
    gb = tmp_path / "communities.jsonl"
    gb.write_bytes('{"id": "x", "subdistrict": "海勃湾区"}\n'.encode("gb18030"))
    assert read_file(gb)[0].rows[0]["subdistrict"] == "海勃湾区"  # a GB18030 file as a whole
    bom = tmp_path / "b.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + '{"id": "y"}\n'.encode())
    assert read_file(bom)[0].rows == [{"id": "y"}]
    latin = tmp_path / "l.jsonl"
    latin.write_bytes('{"id": "é"}\n'.encode("latin-1"))
    assert read_file(latin, "latin-1")[0].rows == [{"id": "é"}]
    with pytest.raises(DataError, match="unknown encoding"):
        read_file(latin, "klingon")


# ------------------------------------------------------------------ YAML aliases
def test_yaml_alias_bomb_is_refused_quickly(tmp_path):
    pytest.importorskip("yaml")
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]")
    p = tmp_path / "bomb.yaml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="aliases expand"):
        read_file(p)
    ok = tmp_path / "ok.yaml"
    ok.write_text("base: &b {x: 1}\none: *b\ntwo: *b\n", encoding="utf-8")
    assert read_file(ok)[0].rows[0]["two"] == {"x": 1}  # an ordinary alias is fine


# ------------------------------------------------------------------ specs
def test_constant_arithmetic_beyond_the_limit_is_a_positioned_error(capsys):
    a = "9" * 2200
    with pytest.raises(StandardLangError) as e:
        sl.compile(f"x > {a} * {a}")
    assert e.value.diagnostics[0].code == "E119" and e.value.diagnostics[0].span.column == 5
    code, _, err = run(capsys, "eval", f"{a} * {a}")
    assert code == 2 and "E119" in err


def test_a_long_and_chain_is_refused_before_parsing(tmp_path):
    import time

    chain = " and ".join(["a > 1"] * 100_000)
    text = f'standard s "t" {{ source "x" }}\nentity community {{ a: count }}\n' \
           f'goal g for community {{\n rule r "t" {{\n  require {chain}\n }}\n}}\n'
    start = time.process_time()
    with pytest.raises(StandardLangError, match="more than 2000 operators"):
        sl.loads(text)
    assert time.process_time() - start < 5  # a generous bound: today it takes about 0.1 s


def test_spec_with_a_bom_is_accepted_and_gbk_gets_a_hint(tmp_path):
    text = DEMO.read_text("utf-8")
    bom = tmp_path / "bom.stdl"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert sl.load(bom).name == "demo"
    gbk = tmp_path / "gbk.stdl"
    gbk.write_bytes(text.encode("gb18030"))
    with pytest.raises(StandardLangError) as e:
        sl.load(gbk)
    d = e.value.diagnostics[0]
    assert "not UTF-8" in d.message and (d.span.line, d.span.column) == (1, 16) and "UTF-8" in d.hint  # 幼


# ------------------------------------------------------------------ provenance, empty files, collections
def test_null_true_and_number_lines_keep_their_own_lines(capsys, tmp_path):
    rep, _ = check_json(capsys, tmp_path, jsonl(tmp_path, "null", "true", "1", "1", json.dumps(GOOD)))
    assert [r["source"]["line"] for r in rep["results"]] == [1, 2, 3, 4, 5]
    assert "found null" in rep["results"][0]["problems"][0]["message"]


def test_an_empty_jsonl_file_is_unreadable(capsys, tmp_path):
    empty = tmp_path / "communities.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    code, _, err = run(capsys, "check", DEMO, "--data", empty)
    assert code == 3 and "no records" in err


def test_a_collection_that_is_not_a_list_is_a_data_error(capsys, tmp_path):
    p = tmp_path / "data.json"
    p.write_text('{"community": "oops"}', encoding="utf-8")
    code, _, err = run(capsys, "check", DEMO, "--data", p)
    assert code == 3 and "collection `community` at $.community must be a list of records" in err


# ------------------------------------------------------------------ reports and headers
def test_csv_report_neutralises_formula_cells(capsys, tmp_path):
    data = jsonl(tmp_path, json.dumps({**GOOD, "id": "=HYPERLINK(\"x\")"}), json.dumps({**GOOD, "id": "@SUM(1)"}),
                 json.dumps({**GOOD, "id": "-5"}))
    code, out, _ = run(capsys, "check", DEMO, "--data", data, "--format", "csv")
    ids = {row["record"] for row in csv.DictReader(io.StringIO(out))}
    assert {"'=HYPERLINK(\"x\")", "'@SUM(1)", "-5"} <= ids


def test_one_bad_field_errors_only_the_rules_that_read_it():
    spec = sl.load(SPEC)
    rec = {"id": "x", "kind": "new", "kindergarten": {"classes": 6, "land_area": "oops", "building_area": 2300,
                                                       "serves_3_to_6": True, "inclusive": True}}
    statuses = {v.rule.id: v.status for v in spec.judge(rec, "community").verdicts}
    assert statuses["2.land_area"] is Status.ERROR
    assert statuses["2.classes"] is statuses["2.ages"] is statuses["2.inclusive"] is Status.PASS
    rec["kindergarten"] = "oops"  # the whole record is bad: every rule reading it errs
    statuses = {v.rule.id: v.status for v in spec.judge(rec, "community").verdicts}
    assert statuses["2.classes"] is statuses["2.ages"] is Status.ERROR


def test_misspelled_header_gets_a_did_you_mean(demo, tmp_path):
    p = tmp_path / "communities.csv"
    p.write_text("id,houshold,kindergarten.buildng_area,zzz\nc1,3,4,5\n", encoding="utf-8")
    ds = load_data([p], demo)
    warning = next(w for w in ds.warnings if "match no field" in w)
    assert "`houshold` (did you mean `households`?)" in warning
    assert "`kindergarten.buildng_area` (did you mean `kindergarten.building_area`?)" in warning
    assert "`zzz`" in warning


def test_every_spelling_of_the_fields_unit_is_accepted(demo, tmp_path):
    p = tmp_path / "communities.csv"
    p.write_text("id,kindergarten.building_area\na,2200平方米\nb,2200㎡\nc,2200 m²\nd,2200 m2\ne,2200米\n",
                 encoding="utf-8")
    areas = {r["id"]: r["kindergarten"]["building_area"] for r in load_data([p], demo).inventory.records["community"]}
    assert areas == {"a": 2200, "b": 2200, "c": 2200, "d": 2200, "e": "2200米"}  # metres are no area


# ------------------------------------------------------------------ crashes
def test_an_unexpected_exception_is_one_line_and_a_saved_traceback(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))

    def boom(*a, **k):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("standardlang.cli.check.load_specs", boom)
    code, out, err = run(capsys, "check", DEMO, "--data", HERE / "data" / "all_pass.json")
    assert code == 4
    line = err.strip()
    assert "\n" not in line and line.startswith("standardlang check: internal error on ")
    assert "demo.stdl" in line and "ZeroDivisionError: a bug" in line
    saved = Path(line.split("traceback saved to ")[1].split(";")[0])
    assert "Traceback" in saved.read_text("utf-8") and "boom" in saved.read_text("utf-8")


def test_safe_helpers():
    assert safe.depth([[[]]]) == 3 and safe.depth(1) == 0
    assert safe.loads_json("[1, 2.5]") == [1, 2.5]
    assert isinstance(safe.loads_json(BIG), safe.BadValue)
    assert safe.bad_bytes("ok") is None
