"""The streaming check (--format jsonl|csv|parquet, --jobs): the same verdicts as the report held in memory."""

import csv
import io
import json
from pathlib import Path

import pytest

import standardlang as sl
from standardlang.cli import main

ROOT = Path(__file__).resolve().parent.parent
SPECS = [str(ROOT / "specs" / "complete_community.stdl"), str(ROOT / "specs" / "wuhai_indicators.stdl")]
CITY_CSV = sorted(str(p) for p in (ROOT / "examples" / "wuhai" / "csv").glob("*.csv"))
DEMO = str(ROOT / "tests" / "demo.stdl")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def in_memory(capsys, tmp_path, data):
    out = tmp_path / "whole.json"
    code, _, _ = run(capsys, "check", *SPECS, "--data", *data, "--format", "json", "-o", out, "--explain", "none")
    doc = json.loads(out.read_text("utf-8"))
    verdicts = {(rep["spec"]["name"], r["record"], v["rule"]): (v["status"], tuple(v.get("missing", ())))
                for rep in doc["reports"] for r in rep["results"] for v in r["verdicts"]}
    indicators = {(rep["spec"]["name"], i["indicator"], i["entity"], i["record"]): (i["status"], i["value"])
                  for rep in doc["reports"] for i in rep["indicators"]}
    return code, verdicts, indicators


def streamed(capsys, tmp_path, data, *extra):
    out = tmp_path / "stream.jsonl"
    code, _, err = run(capsys, "check", *SPECS, "--data", *data, "--format", "jsonl", "-o", out, *extra)
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    verdicts, indicators, order = {}, {}, []
    for d in lines:
        if d["kind"] == "record":
            order.append((d["spec"], d["record"]))
            for v in d["verdicts"]:
                verdicts[(d["spec"], d["record"], v["rule"])] = (v["status"], tuple(v.get("missing", ())))
            for i in d.get("indicators", ()):
                indicators[(d["spec"], i["indicator"], i["entity"], i["record"])] = (i["status"], i["value"])
        elif d["kind"] == "indicator":
            indicators[(d["spec"], d["indicator"], d["entity"], d["record"])] = (d["status"], d["value"])
    summaries = [d for d in lines if d["kind"] == "summary"]
    return code, verdicts, indicators, order, summaries, err


def assert_counts_add_up(report, summaries, err, indicator_spec=None):
    """The summary's verdict counts and the failures said are those of the verdicts written, line by line."""
    binding = {i.id for i in sl.load(indicator_spec).indicators if i.attribute == "binding"} if indicator_spec else set()
    tally: dict = {}
    failures = 0
    for line in report.read_text("utf-8").splitlines():
        d = json.loads(line)
        for v in d.get("verdicts", ()) if d["kind"] == "record" else ():
            by = tally.setdefault(d["spec"], {}).setdefault(v["strength"], {})
            by[v["status"]] = by.get(v["status"], 0) + 1
            failures += v["status"] in ("fail", "error") and v["strength"] == "shall"
        failures += d["kind"] == "indicator" and d["status"] in ("fail", "error") and d["attribute"] == "binding"
        for i in d.get("indicators", ()) if d["kind"] == "record" else ():
            failures += i["status"] in ("fail", "error") and i["indicator"] in binding
    assert {s["spec"]: s["verdicts"] for s in summaries if s["verdicts"]} == tally
    assert f": {failures} failures under --fail-on shall" in err and failures > 0
    return failures


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_streamed_jsonl_equals_the_report_in_memory(capsys, tmp_path, jobs):
    code, verdicts, indicators = in_memory(capsys, tmp_path, CITY_CSV)
    s_code, s_verdicts, s_indicators, order, summaries, err = streamed(capsys, tmp_path, CITY_CSV, "--jobs", jobs)
    assert s_verdicts == verdicts and len(verdicts) > 7000
    assert s_indicators.keys() == indicators.keys()
    for key, (status, value) in indicators.items():
        assert s_indicators[key][0] == status
        assert s_indicators[key][1] == pytest.approx(value), key
    assert s_code == code
    rows = list(csv.DictReader(open(CITY_CSV[1], encoding="utf-8-sig")))  # communities.csv, in input order
    assert [r for s, r in order if s == "complete_community"] == [row["id"] for row in rows]
    for s in summaries:  # records in = judged + in error
        assert s["records_in"] == len(rows) == s["judged"] + s["in_error"]
    assert f"{len(rows)} records in" in err
    assert_counts_add_up(tmp_path / "stream.jsonl", summaries, err, SPECS[1])


def test_bad_lines_are_records_in_error_and_the_summary_adds_up(capsys, tmp_path):
    lines = [json.dumps({"id": f"c{i}", "kind": "new", "households": 100 + i}) for i in range(2500)]
    lines[7] = "{not json"
    lines[1500] = '{"id": "big", "households": ' + "9" * 5000 + "}"
    data = tmp_path / "communities.jsonl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "r.jsonl"
    code, _, err = run(capsys, "check", DEMO, "--data", data, "--format", "jsonl", "-o", out, "--jobs", "2")
    docs = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    records = [d for d in docs if d["kind"] == "record"]
    assert [d["source"]["line"] for d in records] == list(range(1, 2501))  # in input order, every line once
    summary = next(d for d in docs if d["kind"] == "summary")
    assert (summary["records_in"], summary["judged"], summary["in_error"]) == (2500, 2498, 2)
    assert "not valid JSON" in records[7]["problems"][0]["message"]
    assert code == 1  # error verdicts of shall rules
    assert summary["verdicts"]["shall"]["error"] >= 2
    assert assert_counts_add_up(out, [summary], err) >= 2


def test_explanations_on_demand(capsys, tmp_path):
    data = tmp_path / "communities.jsonl"
    data.write_text('{"id": "a", "kind": "new", "rooms": ["hall"]}\n', encoding="utf-8")
    out = tmp_path / "r.jsonl"
    run(capsys, "check", DEMO, "--data", data, "--format", "jsonl", "-o", out)
    plain = json.loads(out.read_text("utf-8").splitlines()[0])
    assert all("explanation" not in v for v in plain["verdicts"])
    assert {v["rule"]: v.get("missing") for v in plain["verdicts"] if v["status"] == "unknown"}
    run(capsys, "check", DEMO, "--data", data, "--format", "jsonl", "-o", out, "--explain", "failures")
    rec = json.loads(out.read_text("utf-8").splitlines()[0])
    assert all(("explanation" in v) == (v["status"] in ("fail", "error")) for v in rec["verdicts"])


def test_streamed_csv_report(capsys, tmp_path):
    code, out, _ = run(capsys, "check", DEMO, "--data", ROOT / "tests" / "data" / "communities.csv", "--format", "csv",
                       "--jobs", "1")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 16 and {r["record"] for r in rows} == {"c1", "c2", "c3", "c4"}
    assert next(r for r in rows if r["record"] == "c3" and r["rule"] == "2.building_area")["status"] == "error"


def test_parquet_report(capsys, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "r.parquet"
    code, _, _ = run(capsys, "check", *SPECS, "--data", *CITY_CSV, "--format", "parquet", "-o", out)
    table = pq.read_table(out)
    assert set(table.column("kind").to_pylist()) == {"rule", "indicator"}
    assert table.num_rows > 7000


def test_whole_document_reports_refuse_large_inputs_with_a_hint(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr("standardlang.cli.check.MAX_DOCUMENT_RECORDS", 50)
    code, _, err = run(capsys, "check", *SPECS, "--data", *CITY_CSV, "--format", "html", "-o", tmp_path / "r.html")
    assert code == 2 and "too many for a html report" in err and "--format jsonl" in err
    assert not (tmp_path / "r.html").exists()


def test_eval_streams_jsonl_one_line_per_record(capsys, tmp_path):
    data = tmp_path / "communities.jsonl"
    data.write_text("".join(f'{{"id": "c{i}", "households": {i}}}\n' for i in range(2500)) + "{bad\n", encoding="utf-8")
    code, out, _ = run(capsys, "eval", "households >= 1000", "--spec", DEMO, "--data", data)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2501
    assert lines[999] == "c999: fail" and lines[1000] == "c1000: pass" and lines[-1] == "#2501: error"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_unreadable_or_empty_jsonl_leaves_no_report(capsys, tmp_path, jobs):
    out = tmp_path / "r.jsonl"
    bad = tmp_path / "communities.jsonl"
    bad.write_text("not json\n" * 30, encoding="utf-8")
    code, _, err = run(capsys, "check", DEMO, "--data", bad, "--format", "jsonl", "-o", out, "--jobs", jobs)
    assert code == 3 and "not JSON Lines" in err and not out.exists()
    bad.write_text("", encoding="utf-8")
    code, _, err = run(capsys, "check", DEMO, "--data", bad, "--format", "jsonl", "-o", out, "--jobs", jobs)
    assert code == 3 and "no records" in err and not out.exists()
    many = tmp_path / "many.jsonl"  # several chunks in one process
    many.write_text("".join(f'{{"id": "c{i}"}}\n' for i in range(2100)), encoding="utf-8")
    code, _, err = run(capsys, "check", DEMO, "--data", many, "--format", "jsonl", "-o", out, "--jobs", jobs,
                       "--entity", "community")
    assert code in (0, 1) and "2100 records in" in err


def _example_results(spec_path, data):
    import standardlang as sl

    spec = sl.load(spec_path)
    report = spec.evaluate(data)
    return spec, report


def test_line_writer_and_missing_fields_equal_the_verdicts_own(tmp_path):
    """The JSON line built from pieces equals ``json.dumps(record_line)``; the missing fields found
    without explanations equal ``Verdict.missing`` (on the example city, with bad data added)."""
    from standardlang.reports import stream as report

    data = json.loads((ROOT / "examples" / "wuhai" / "inventory.json").read_text("utf-8"))["communities"]
    data[3]["kindergarten"] = "none"
    data[4]["households"] = "many"
    data[5] = {"id": "bare"}
    spec, whole = _example_results(SPECS[0], data)
    unknown = 0
    for lang, explain in [("en", "none"), ("zh", "failures"), ("en", "all")]:
        writer = report.LineWriter(spec.name, spec.interpreter)
        for res in whole.results:
            src = None
            expected = json.dumps(report.record_line(spec.name, res, src, explain, lang), ensure_ascii=False,
                                  default=report._default) + "\n"
            assert writer.line(res, src, explain, lang) == expected
    for res in whole.results:
        for v in res.verdicts:
            if v.status.value == "unknown":
                unknown += 1
                assert report.missing_fields(v.rule, spec.interpreter, v.record) == v.missing, v.rule.id
    assert unknown >= 500


def test_bad_csv_rows_and_wrong_types_are_records_in_error(capsys, tmp_path):
    """A row with more cells than columns, a cell the CSV reader refuses and a wrong-typed value are each
    one record in error naming file, line and field; every other row is judged; the summary adds up."""
    huge = "9" * 200_000
    rows = ["id,kind,households"] + [f"c{i},new,{100 + i}" for i in range(1, 1201)]
    rows[5] = "c5,new,abc"  # a wrong-typed value: households
    rows[7] = "c7,new,120,surplus"  # a cell belonging to no column
    rows[900] = f'c900,new,"{huge}"'  # over the CSV reader's cell limit
    data = tmp_path / "communities.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "r.jsonl"
    code, _, err = run(capsys, "check", DEMO, "--data", data, "--format", "jsonl", "-o", out, "--jobs", "2")
    docs = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    records = [d for d in docs if d["kind"] == "record"]
    assert [d["source"]["row"] for d in records] == list(range(2, 1202))  # every row once, in order
    summary = next(d for d in docs if d["kind"] == "summary")
    assert (summary["records_in"], summary["judged"], summary["in_error"]) == (1200, 1197, 3)
    by_row = {d["source"]["row"]: d for d in records}
    assert by_row[6]["problems"][0]["field"] == "households" and "abc" in json.dumps(by_row[6]["problems"])
    assert "belong to no field" in by_row[8]["problems"][0]["message"]
    assert "not valid CSV" in by_row[901]["problems"][0]["message"]
    judged = [v for v in by_row[6]["verdicts"] if v["status"] != "error"]
    assert judged  # the rules that do not read households still judge the record
    assert "1200 records in, 1197 judged, 3 in error" in err


def test_streamed_indicators_of_a_generated_province_equal_the_whole_report(capsys, tmp_path):
    """JSON Lines of every level (as examples/generate.py writes them): the upper levels' indicators
    accumulated on the way equal those of the report held in memory."""
    import subprocess
    import sys

    folder = tmp_path / "p"
    subprocess.run([sys.executable, str(ROOT / "examples" / "generate.py"), "--communities", "500", "--seed", "3",
                    "--format", "jsonl", "--out", str(folder)], check=True, capture_output=True)
    data = sorted(str(p) for p in folder.glob("*.jsonl"))
    code, verdicts, indicators = in_memory(capsys, tmp_path, data)
    s_code, s_verdicts, s_indicators, _, _, err = streamed(capsys, tmp_path, data, "--jobs", "2")
    assert "read whole" not in err
    assert s_code == code and s_verdicts == verdicts
    assert s_indicators.keys() == indicators.keys() and len(indicators) > 700
    for key, (status, value) in indicators.items():
        assert s_indicators[key][0] == status, key
        assert s_indicators[key][1] == pytest.approx(value), key


def test_a_report_written_to_a_pipe_or_device_leaves_it_one(capsys, tmp_path):
    """``-o /dev/null`` (or a named pipe) is written in place: renaming a finished temporary file
    onto it, as a regular report is written, replaced the device with a file (as root)."""
    import os
    import stat
    import threading

    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    data = tmp_path / "communities.jsonl"
    data.write_text(json.dumps({"id": "c1", "kind": "new", "households": 10}) + "\n", encoding="utf-8")
    run(capsys, "check", DEMO, "--data", data, "--format", "jsonl", "-o", fifo, "--jobs", "1")
    reader.join(timeout=20)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert b'"kind": "summary"' in got[0]


def test_remembered_missing_fields_equal_those_found_afresh():
    """missing_fields remembers its answer per rule for records alike in every field the rule
    mentions; on a generated province with facilities absent, null, and flags written 1 or 0,
    every rule's answer for every record equals the one found by evaluating afresh."""
    import importlib.util
    import random

    from standardlang.reports import stream as report

    spec = sl.load(SPECS[0])
    gen = importlib.util.spec_from_file_location("wuhai_generate_stream", ROOT / "examples" / "generate.py")
    module = importlib.util.module_from_spec(gen)
    assert gen.loader is not None
    gen.loader.exec_module(module)
    communities = spec.inventory({"communities": module.inventory(150, seed=11)["communities"]}).records["community"]
    rng = random.Random(5)
    records = []
    for rec in communities:
        records.append(rec)
        odd = dict(rec)
        for name in rng.sample(sorted(odd), 6):
            odd[name] = rng.choice([None, 1, 0, True, 0.0, -0.0, "", "x"])
        for name in rng.sample(sorted(odd), 4):
            odd.pop(name, None)
        records.append(odd)
    rules = [r for r in spec.checked.rules if r.entity == "community"]
    interp = spec.interpreter
    compared = differs = 0
    def answer(fn, rule, rec):
        try:
            return fn(rule, rec)
        except Exception as exc:  # noqa: BLE001 - a value of the wrong type: the same failure either way
            return type(exc)

    for rec in records * 2:  # the second round answers from memory
        for rule in rules:
            want = answer(lambda r, x: report._missing_now(r, interp, x), rule, rec)
            assert answer(lambda r, x: report.missing_fields(r, interp, x), rule, rec) == want, rule.id
            compared += 1
            differs += isinstance(want, tuple) and bool(want)
    assert compared > 20000 and differs > 1000


def test_remembered_keys_tell_alike_values_apart():
    """1, 1.0 and true; 0.0 and -0.0; null and not there: each its own key; a nested record none."""
    from standardlang.reports.stream import _key

    keys = [_key(r, ("a", "b")) for r in ({"a": 1}, {"a": 1.0}, {"a": True}, {"a": 0.0}, {"a": -0.0},
                                          {"a": None}, {}, {"a": "1"}, {"b": 1})]
    assert len(set(keys)) == len(keys)
    assert _key({"a": {"x": 1}}, ("a",)) is None and _key({"a": [1]}, ("a",)) is None
