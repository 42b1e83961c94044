"""Reader fuzzing: random and mutated JSON, JSON Lines, CSV, YAML and xlsx bytes into every reader and `check`.

Invariants, for every input: no exception but the library's own
(:class:`~standardlang.errors.StandardLangError`); records in == records out (each
record of the input appears exactly once in the report, judged or in error); an
unreadable JSON Lines line is reported at its own line, and only a line that is
unreadable on its own is.  CI runs the ``ci`` profile (derandomised, small);
by hand, a large run (figures in docs/performance.md)::

    HYPOTHESIS_PROFILE=large STANDARDLANG_FUZZ_EXAMPLES=20000 python -m pytest tests/test_reader_fuzz.py
"""

import io
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import standardlang as sl
from standardlang.cli import main
from standardlang.data.readers import bind, read_file
from standardlang.data.safe import UnreadableLine, decode
from standardlang.errors import StandardLangError

HERE = Path(__file__).resolve().parent
DEMO = sl.load(HERE / "demo.stdl")
EXAMPLES = int(os.environ.get("STANDARDLANG_FUZZ_EXAMPLES", "0")) or None
# no example database: a run depends on the code and the profile only (the large run by hand finds, the
# @examples keep what it found)
FUZZ = settings(max_examples=EXAMPLES or settings.default.max_examples, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

SEED_RECORDS = [
    {"id": "c1", "subdistrict": "s1", "kind": "new", "households": 1200,
     "kindergarten": {"classes": 6, "building_area": 2300, "land_area": 0.4}, "rooms": ["hall", "police"]},
    {"id": "c2", "kind": "existing", "households": "many", "convenience_stores": [{"building_area": 60}]},
    {"id": "社区三", "kind": "constrained", "supermarket": {"building_area": 350}, "rooms": ["警务室"]},
]
SEEDS = {
    "jsonl": "\n".join(json.dumps(r, ensure_ascii=False) for r in SEED_RECORDS).encode() + b"\n",
    "json": json.dumps(SEED_RECORDS, ensure_ascii=False, indent=1).encode(),
    "csv": "编号,类型,户数,幼儿园.建筑面积,便利店[0].建筑面积,功能用房\nc1,new,1200,2300,,hall;police\n"
           "c2,existing,many,,60,\n社区三,constrained,,2200平方米,,警务室\n".encode(),
    "yaml": "- id: c1\n  kind: new\n  households: 1200\n  kindergarten: {classes: 6, building_area: 2300}\n"
            "- &two {id: c2, kind: existing}\n- {id: 社区三, rooms: [hall]}\n".encode(),
}


_XLSX: list[bytes] = []


def _xlsx_seed() -> bytes:
    """A small workbook, made once (a workbook's bytes hold the time it was saved)."""
    if _XLSX:
        return _XLSX[0]
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "community"
    ws.append(["id", "kind", "households", "kindergarten.building_area"])
    ws.append(["c1", "new", 1200, 2300])
    ws.append(["c2", "existing", "many", None])
    buf = io.BytesIO()
    wb.save(buf)
    _XLSX.append(buf.getvalue())
    return _XLSX[0]


@st.composite
def mutated(draw, seed: bytes, max_edits: int = 6) -> bytes:
    """``seed`` with a few byte edits: replace, insert (often structural or non-UTF-8 bytes), delete, duplicate."""
    data = bytearray(seed)
    interesting = st.sampled_from([b"{", b"}", b"[", b"]", b'"', b",", b"\n", b"\\", b"\xff", b"\xc3", b"\xe4\xb8",
                                   b"\\ud800", b"null", b"9" * 5000, b"[" * 200, b"\r", b"=", b"&a", b"*a", b"\x00"])
    for _ in range(draw(st.integers(0, max_edits))):
        if not data:
            data.extend(draw(st.binary(min_size=1, max_size=8)))
            continue
        i = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["replace", "insert", "delete", "dup"]))
        if op == "replace":
            data[i] = draw(st.integers(0, 255))
        elif op == "insert":
            data[i:i] = draw(st.one_of(interesting, st.binary(max_size=4)))
        elif op == "delete":
            del data[i:i + draw(st.integers(1, 8))]
        else:
            j = min(len(data), i + draw(st.integers(1, 40)))
            data[j:j] = data[i:j]
    return bytes(data)


def inputs(fmt: str):
    seed = SEEDS[fmt]
    return st.one_of(mutated(seed), st.binary(max_size=200), st.just(seed))


def _write(folder: str, name: str, data: bytes) -> str:
    path = os.path.join(folder, name)
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def read_and_judge(path: str):
    """Read, bind and judge; only library errors may escape, and every record bound is judged once."""
    try:
        tables = [t for t in read_file(path)]
    except StandardLangError:
        return None
    rows = sum(len(t.rows) for t in tables)
    try:
        dataset = bind(tables, DEMO, "community")
    except StandardLangError:
        return None
    records = dataset.inventory.records.get("community", [])
    report = DEMO.evaluate_inventory(dataset.inventory)
    assert len(report.results) == len(records)  # records in == records out
    assert len({id(r.record) for r in report.results}) == len(records)
    for r in report.results:
        if r.problems:
            assert all(v.status.value in ("error", "pass", "fail", "unknown", "not_applicable") for v in r.verdicts)
        r.to_dict()  # printable
    return rows, records, dataset


@FUZZ
@given(inputs("jsonl"))
@example(b'{"id": "a"}\n\xff\xfe\n{"id": "b"}\n')
@example(b"null\ntrue\n1\n1\n")
@example(b'{"id": ' + b"9" * 5000 + b"}\n")
@example(b'{"id": "\\ud800"}\n')
def test_jsonl_every_line_is_one_record_at_its_own_line(data):
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, "communities.jsonl", data)
        result = read_and_judge(path)
        text_lines = data.split(b"\n")
        if result is None:  # unreadable as a whole: no line was a JSON value on its own (or the file is empty)
            assert not any(_line_is_json(line) for line in text_lines)
            return
        rows, records, dataset = result
        expected = [n for n, line in enumerate(text_lines, 1) if line.strip(b" \t\r\x0b\x0c\x1c\x1d\x1e\x1f\x85")
                    and decode(line, "utf-8").strip()]
        lines = [dataset.source(r).row for r in records]
        assert lines == expected  # each non-blank line once, in order, at its own number
        for rec, n in zip(records, lines):
            if isinstance(rec, UnreadableLine) and "expected a record" not in rec.problem:
                assert not _line_is_json(text_lines[n - 1])  # reported unreadable only if it is


def _line_is_json(line: bytes) -> bool:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if not text.strip():
        return False
    try:
        json.loads(text)
        return True
    except (ValueError, RecursionError):
        return False


@FUZZ
@given(inputs("json"))
@example(b"[" * 1000 + b"]" * 1000)
@example(b'{"community": "oops"}')
@example(SEEDS["json"][:-2] + b"\n")  # the error on the line after the last newline (found by the large run)
def test_json_documents(data):
    with tempfile.TemporaryDirectory() as folder:
        read_and_judge(_write(folder, "communities.json", data))


@FUZZ
@given(inputs("csv"))
@example("id,kindergarten\nd,\"".encode() + b"[" * 1000 + b"]" * 1000 + b'"\n')
@example(b"id,households\na," + b"9" * 5000 + b"\n")
@example(b"id,\xe4\xbe\xbf\xe5\x88\xa9\xe5\xba\x97[" + b"9" * 5001 + b"].building_area\na,1\n")  # large run
def test_csv_rows_in_equal_records_out(data):
    import csv

    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, "communities.csv", data)
        result = read_and_judge(path)
        if result is None:
            return
        rows, records, _ = result
        assert len(records) == rows
        text = decode(data, "utf-8") if _utf8ish(data) else None
        if text is not None and "\x00" not in text:  # the csv module as the oracle of rows
            body = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
            assert rows == max(0, len(body) - 1)


def _utf8ish(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


@FUZZ
@given(inputs("yaml"))
@example(b"a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
         b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
         b"e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n")
@example(b"a: " + b"[" * 500 + b"]" * 500)
@example(b"- id: c1\n  households: " + b"9" * 5001 + b"\n")  # found by the large run
def test_yaml_documents(data):
    pytest.importorskip("yaml")
    with tempfile.TemporaryDirectory() as folder:
        read_and_judge(_write(folder, "communities.yaml", data))


@settings(FUZZ, max_examples=max(5, (EXAMPLES or settings.default.max_examples) // 4))
@given(st.data())
def test_xlsx_bytes(data):
    seed = _xlsx_seed()
    blob = data.draw(st.one_of(mutated(seed, 3), st.just(seed), st.binary(max_size=100)))
    with tempfile.TemporaryDirectory() as folder:
        result = read_and_judge(_write(folder, "communities.xlsx", blob))
        if blob == seed:
            assert result is not None and len(result[1]) == 2


@settings(FUZZ, max_examples=max(5, (EXAMPLES or settings.default.max_examples) // 3))
@given(st.sampled_from(["jsonl", "json", "csv", "yaml"]).flatmap(lambda f: st.tuples(st.just(f), inputs(f))))
def test_check_command_never_crashes(case):
    import contextlib

    fmt, data = case
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, f"communities.{fmt}", data)
        out = os.path.join(folder, "r.json")
        buf = io.StringIO()
        with contextlib.redirect_stderr(buf), contextlib.redirect_stdout(io.StringIO()):
            code = main(["check", str(HERE / "demo.stdl"), "--data", path, "--format", "json", "-o", out])
        err = buf.getvalue()
        assert code in (0, 1, 3), err  # never 4 (an internal error) nor a traceback
        assert "Traceback" not in err
        if code in (0, 1):
            report = json.loads(Path(out).read_text("utf-8"))["reports"][0]
            assert report["records_judged"] == report["records_read"].get("community", 0)
        else:
            assert not os.path.exists(out)  # no empty report left behind
