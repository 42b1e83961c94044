"""Reading data files: every format, labels, cell conversion, provenance, bad values, unreadable files."""

from fractions import Fraction
from pathlib import Path

import pytest

import standardlang as sl
from standardlang.errors import DataError, StandardLangError
from standardlang.cli.eval import plain_records
from standardlang.data.readers import Provenance, bind, convert_cell, load_data, read_file, read_files
from standardlang.lang.types import BoolT, EnumT, Num, SetT, TextT
from standardlang.engine.verdict import Status

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
DEMO = HERE / "demo.stdl"
LEVEL_FILES = [str(DATA / "communities.csv"), str(DATA / "subdistricts.csv"), str(DATA / "city.json")]


@pytest.fixture(scope="module")
def demo():
    return sl.load(DEMO)


def by_id(dataset, entity):
    return {r["id"]: r for r in dataset.inventory.records[entity]}


# ------------------------------------------------------------------ CSV
def test_csv_headers_match_names_labels_nested_and_indexed_lists(demo):
    ds = load_data([DATA / "communities.csv"], demo)
    c = by_id(ds, "community")
    assert set(c) == {"c1", "c2", "c3", "c4"}
    c1 = c["c1"]
    assert c1["kind"] == "new"  # by label 新建居住社区
    assert c1["households"] == 1200 and isinstance(c1["households"], int)
    assert c1["kindergarten"] == {"classes": 6, "building_area": 2300, "land_area": Fraction(2, 5)}
    assert c1["supermarket"] == {"building_area": 350}
    assert c1["rooms"] == ["hall", "police"]
    assert c1["convenience_stores"] is None  # 无 in its own column: none (all cells empty: not recorded)
    c2 = c["c2"]
    assert c2["kindergarten"] is None  # 无 in its own column: absent
    assert c2["convenience_stores"] == [{"building_area": 60}, {"building_area": 80}]  # 便利店[0] and [1]
    assert c2["rooms"] == ["hall"]  # 社区服务大厅 by label
    assert c2["备注"] == "老旧小区"  # unmatched column kept as text
    assert c["c4"]["kindergarten"]["building_area"] == 2400  # "2,400"
    assert c["c4"]["rooms"] == ["hall", "police"]  # full-width ；
    assert any("备注" in w for w in ds.warnings)


def test_csv_provenance_is_file_and_row_with_the_header_as_row_1(demo):
    ds = load_data([DATA / "communities.csv"], demo)
    c3 = by_id(ds, "community")["c3"]
    src = ds.source(c3)
    assert src == Provenance(str(DATA / "communities.csv"), 4)
    assert str(src).endswith("communities.csv row 4")
    assert src.to_dict() == {"file": str(DATA / "communities.csv"), "row": 4}


def test_bad_cells_stay_as_given_and_become_error_verdicts_for_that_record_only(demo):
    ds = load_data([DATA / "communities.csv"], demo)
    c = by_id(ds, "community")
    assert c["c3"]["kindergarten"]["building_area"] == "两千"
    assert c["c4"]["kind"] == "新建"  # not a member nor a label
    report = demo.evaluate_inventory(ds.inventory)
    assert len(report.results) == 4  # no record dropped
    c3 = report.record("c3")
    assert c3.verdict("2.building_area").status is Status.ERROR
    assert "kindergarten.building_area" in c3.verdict("2.building_area").error
    assert "两千" in c3.verdict("2.building_area").error
    assert c3.verdict("1.rooms").status is Status.PASS  # the rest of the record is judged
    assert report.record("c4").verdict("2.land").status is Status.ERROR
    assert report.record("c4").verdict("2.building_area").status is Status.PASS
    assert report.record("c1").verdict("2.building_area").status is Status.PASS


def test_tsv_and_file_name_gives_the_entity(demo):
    ds = load_data([DATA / "communities.tsv"], demo)
    assert ds.read == {"community": 2}
    c1 = by_id(ds, "community")["c1"]
    assert c1["kindergarten"] == {"building_area": 2300} and c1["rooms"] == ["hall", "police"]


def test_entity_option_for_a_file_whose_name_says_nothing(demo, tmp_path):
    p = tmp_path / "export.csv"
    p.write_text("id,city\ns9,wuhai\n", encoding="utf-8")
    assert bind(read_files([p]), demo, "街道").read == {"subdistrict": 1}  # by label
    assert bind(read_files([p]), demo, "subdistricts").read == {"subdistrict": 1}
    with pytest.raises(StandardLangError, match="no entity `district`"):
        bind(read_files([p]), demo, "district")
    # without --entity the headers decide: id and city are fields of subdistrict
    assert bind(read_files([p]), demo).read == {"subdistrict": 1}


def test_levels_link_across_files(demo):
    ds = load_data(LEVEL_FILES, demo)
    assert ds.read == {"community": 4, "subdistrict": 2, "city": 1}
    city = ds.inventory.records["city"][0]
    assert [s["id"] for s in city["subdistricts"]] == ["s1", "s2"]
    assert [c["id"] for c in city["subdistricts"][0]["communities"]] == ["c1", "c2"]


def test_a_file_of_a_level_the_spec_lacks_is_skipped_with_a_warning(tmp_path):
    spec = sl.load(DATA / "strengths.stdl")
    p = tmp_path / "districts.csv"
    p.write_text("id,name\nd1,海勃湾区\n", encoding="utf-8")
    ds = bind(read_files([p, DATA / "strengths.csv"]), spec)
    assert ds.read == {"community": 4}
    assert any("districts" in w and "ignored" in w for w in ds.warnings)


def test_gb18030_csv_and_headers_with_units(tmp_path):
    spec = sl.load(DATA / "strengths.stdl")
    p = tmp_path / "communities.csv"
    p.write_bytes("编号,面积(平方米),绿地\nx,１５０,否\n".encode("gb18030"))
    rec = load_data([p], spec).inventory.records["community"][0]
    assert rec == {"id": "x", "area": 150, "green": False}


def test_duplicate_keys_are_warned(tmp_path):
    spec = sl.load(DATA / "strengths.stdl")
    p = tmp_path / "communities.csv"
    p.write_text("id,area\na,1\nb,2\na,3\n", encoding="utf-8")
    ds = load_data([p], spec)
    assert ds.read == {"community": 3}
    assert any("`a` appears twice" in w and "row 2" in w and "row 4" in w for w in ds.warnings)


# ------------------------------------------------------------------ cells
@pytest.mark.parametrize("cell, expected", [
    ("2200", 2200), (" 2200.50 ", Fraction(4401, 2)), ("1,234.5", Fraction(2469, 2)), ("２２００", 2200),
    ("2200㎡", 2200), ("2200 m2", 2200), ("1e3", 1000), (2200.5, 2200.5), (7, 7),
    ("abc", "abc"), ("1e999", "1e999"), ("nan", "nan"), ("-5", -5), (True, True),
])
def test_numbers(cell, expected):
    assert convert_cell(cell, Num((2, 0), "quantity"), "m2") == expected


def test_percent_cells_in_a_percent_field():
    assert convert_cell("85%", Num(kind="ratio"), "%") == 85
    assert convert_cell("85％", Num(kind="ratio"), "%") == 85


@pytest.mark.parametrize("cell, expected", [
    ("是", True), ("否", False), ("TRUE", True), ("no", False), ("Yes", True), ("1", True), (0, False),
    (True, True), ("maybe", "maybe"),
])
def test_bools(cell, expected):
    assert convert_cell(cell, BoolT()) == expected


def test_enums_sets_text_and_empty_cells():
    kind = EnumT("kind", ("new", "existing"), (("新建居住社区", "new"),))
    assert convert_cell("新建居住社区", kind) == "new"
    assert convert_cell("NEW", kind) == "new"
    assert convert_cell("旧", kind) == "旧"
    assert convert_cell("new;新建居住社区、existing", SetT(kind)) == ["new", "new", "existing"]
    assert convert_cell("new;nope", SetT(kind)) == ["new", "nope"]
    assert convert_cell(1001.0, TextT()) == "1001"
    assert convert_cell("  ", TextT()) is convert_cell("", Num())  # both absent


# ------------------------------------------------------------------ JSON, JSON Lines, YAML
def test_json_mapping_of_collections_with_labels(demo):
    ds = load_data([DATA / "demo.json"], demo)
    assert ds.read == {"community": 3, "subdistrict": 2, "city": 1}
    c = by_id(ds, "community")
    assert c["c1"]["kindergarten"] == {"classes": 6, "building_area": 2300, "land_area": 0.4}
    assert c["c1"]["rooms"] == ["hall", "警务室"] and c["c1"]["kind"] == "新建居住社区"
    assert c["c2"]["convenience_stores"] == [{"building_area": 60}, {"building_area": 80}]
    assert str(ds.source(c["c3"])).endswith("demo.json at $.communities[2]")
    report = demo.evaluate_inventory(ds.inventory)
    assert report.record("c1").verdict("1.rooms").status is Status.PASS  # labels of enum members work
    v = report.record("c3").verdict("2.building_area")
    assert v.status is Status.ERROR and "≥ 0" in v.error  # a negative area


def test_nested_json_extracts_and_links_levels(demo):
    ds = load_data([DATA / "nested.json"], demo)
    assert ds.read == {"city": 1, "subdistrict": 2, "community": 3}
    c = by_id(ds, "community")
    assert c["c3"]["subdistrict"] == "s2"
    assert ds.source(c["c2"]).path == "$.subdistricts[0].communities[1]"
    report = demo.evaluate_inventory(ds.inventory)
    city = [i for i in report.indicators if i.entity == "city"][0]
    assert city.value == Fraction(2, 3)


def test_json_lines_with_line_numbers(demo):
    ds = load_data([DATA / "communities.jsonl"], demo)
    c = by_id(ds, "community")
    assert ds.source(c["c2"]) == Provenance(str(DATA / "communities.jsonl"), 3, "line")
    report = demo.evaluate_inventory(ds.inventory)
    assert [p.path for p in report.record("c2").problems] == ["households"]


def test_yaml_with_labels(demo):
    pytest.importorskip("yaml")
    ds = load_data([DATA / "demo.yaml"], demo)
    c = by_id(ds, "community")
    assert c["c1"]["kindergarten"]["building_area"] == 2300 and c["c2"]["kind"] == "existing"
    assert ds.source(c["c2"]).path == "$.居住社区[1]"


def test_plain_records_without_a_schema():
    records = plain_records(read_file(DATA / "communities.tsv"))
    rec, src = records[0]
    assert rec["户数"] == 1200 and rec["幼儿园"] == {"建筑面积": 2300} and src.row == 2


# ------------------------------------------------------------------ Excel
def test_xlsx_sheets_named_by_entity_label(demo, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "居住社区"
    ws.append(["编号", "subdistrict", "类型", "户数", "幼儿园.建筑面积", "幼儿园.用地面积", "功能用房"])
    ws.append(["c1", "s1", "新建居住社区", 1200, 2300.0, 0.4, "hall;police"])
    ws.append([101, "s1", "existing", "八百", None, None, "hall"])
    ws2 = wb.create_sheet("街道")
    ws2.append(["id", "city"])
    ws2.append(["s1", "wuhai"])
    wb.create_sheet("说明").append(["这是说明"])
    p = tmp_path / "inventory.xlsx"
    wb.save(p)
    ds = load_data([p], demo)
    assert ds.read == {"community": 2, "subdistrict": 1}
    c = by_id(ds, "community")
    assert c["c1"]["kindergarten"] == {"building_area": 2300.0, "land_area": 0.4}
    assert c["101"]["households"] == "八百"  # an integer key becomes text; a bad count stays as given
    assert str(ds.source(c["101"])).endswith("inventory.xlsx sheet 居住社区 row 3")
    assert any("说明" in w for w in ds.warnings)
    report = demo.evaluate_inventory(ds.inventory)
    assert report.record("c1").verdict("2.land").status is Status.PASS


# ------------------------------------------------------------------ unreadable files
def test_missing_file_is_a_data_error():
    with pytest.raises(DataError) as exc:
        read_files([DATA / "nope.csv"])
    assert "nope.csv" in exc.value.render() and "cannot read" in exc.value.render()


def test_bad_json_names_file_and_line():
    with pytest.raises(DataError) as exc:
        read_file(DATA / "bad.json")
    text = exc.value.render()
    assert text.startswith(f"{DATA / 'bad.json'}:3:") and "not valid JSON" in text


def test_bad_json_line(tmp_path):
    """A line that is not JSON is one error record with its line; a file of none is unreadable."""
    p = tmp_path / "x.jsonl"
    p.write_text('{"id": 1}\n{"id": \n', encoding="utf-8")
    table = read_file(str(p))[0]
    bad = [r for r in table.rows if not isinstance(r, dict)]
    assert len(bad) == 1 and "not valid JSON" in bad[0].problem
    p.write_text("{nope\n", encoding="utf-8")
    with pytest.raises(DataError, match="not JSON Lines") as exc:
        read_file(p)
    assert exc.value.first.span.line == 1


def test_unknown_format_and_not_records(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("hello", encoding="utf-8")
    with pytest.raises(DataError, match="unknown data format"):
        read_file(p)
    q = tmp_path / "y.json"
    q.write_text("42", encoding="utf-8")
    with pytest.raises(DataError, match="expected records"):
        read_file(q)


def test_bad_xlsx(tmp_path):
    pytest.importorskip("openpyxl")
    p = tmp_path / "x.xlsx"
    p.write_bytes(b"not a zip")
    with pytest.raises(DataError, match="not a readable Excel workbook"):
        read_file(p)


def test_a_cell_may_hold_a_whole_list_or_record_as_json(demo, tmp_path):
    p = tmp_path / "wuhai_communities.csv"  # the last word of the file name gives the entity
    p.write_text('id,便利店,kindergarten\n'
                 'c1,"[{""建筑面积"": 60}, {""building_area"": 80}]","{""班数"": 6}"\n'
                 'c2,not json,\n', encoding="utf-8")
    ds = load_data([p], demo)
    c = by_id(ds, "community")
    assert c["c1"]["convenience_stores"] == [{"building_area": 60}, {"building_area": 80}]
    assert c["c1"]["kindergarten"] == {"classes": 6}
    report = demo.evaluate_inventory(ds.inventory)
    assert [p.path for p in report.record("c2").problems] == ["convenience_stores"]


def test_a_filled_column_of_a_nested_record_shows_it_present(tmp_path):
    """Regression: whether a nested record was there used to depend on which of its columns
    the reading spec knew; `service_station.rooms` is no field of the indicators spec."""
    from standardlang.data import readers

    path = tmp_path / "communities.csv"
    path.write_text("id,subdistrict,households,service_station.rooms\nc1,s1,100,service_hall\nc2,s1,100,\n",
                    encoding="utf-8")
    spec = sl.load(Path(__file__).resolve().parent.parent / "specs" / "wuhai_indicators.stdl")
    records = readers.load_data([str(path)], spec).inventory.records["community"]
    assert records[0]["service_station"] == {}
    assert "service_station" not in records[1]


def test_a_bad_json_lines_line_is_one_error_record(tmp_path):
    """Regression: one malformed line used to make the whole file unreadable (exit 3)."""
    from standardlang.cli import main

    path = tmp_path / "communities.jsonl"
    path.write_text('{"id": "c1", "households": 5}\n{"id": "c2", households: 5}\n{"id": "c3"}\n', encoding="utf-8")
    spec = sl.load(Path(__file__).resolve().parent.parent / "tests" / "demo.stdl")
    report = spec.evaluate_inventory(load_data([str(path)], spec, "community").inventory)
    statuses = [{v.status.value for v in r.verdicts} for r in report.results]
    assert statuses[1] == {"error"} and "error" not in statuses[0] | statuses[2]
    assert "not valid JSON" in report.results[1].verdicts[0].error
    assert main(["check", str(Path(__file__).resolve().parent / "demo.stdl"), "--data", str(path),
                 "--entity", "community"]) in (0, 1)
    path.write_text("not json at all\n", encoding="utf-8")
    assert main(["check", str(Path(__file__).resolve().parent / "demo.stdl"), "--data", str(path)]) == 3


def test_surplus_cells_make_the_row_one_error_record_whole_file_and_xlsx(demo, tmp_path):
    """Regression: the in-memory CSV/TSV/Excel readers dropped cells beyond the header's last column
    without a word (the streamed reader already made the row a record in error): data lost silently."""
    path = tmp_path / "communities.csv"
    path.write_text("id,kind,households\nc1,new,120\nc2,new,130,surplus\nc3,new,90,\n", encoding="utf-8")
    data = load_data([str(path)], demo, "community")
    report = demo.evaluate_inventory(data.inventory)
    statuses = [{v.status.value for v in r.verdicts} for r in report.results]
    assert len(statuses) == 3  # records in = records out
    assert statuses[1] == {"error"} and "error" not in statuses[0] | statuses[2]  # an empty extra cell is fine
    assert "4 cells for 3 columns" in report.results[1].verdicts[0].error
    assert "after column `households` belong to no field" in report.results[1].verdicts[0].error
    assert data.source(report.results[1].record).row == 3
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "communities"
    for row in (["id", "kind", "households"], ["c1", "new", 120], ["c2", "new", 130, "surplus"]):
        ws.append(row)
    xlsx = tmp_path / "inv.xlsx"
    wb.save(xlsx)
    report = demo.evaluate_inventory(load_data([str(xlsx)], demo, "community").inventory)
    assert [{v.status.value for v in r.verdicts} == {"error"} for r in report.results] == [False, True]
