"""Explanations in Chinese: the same checks, in the words a bureau reads."""

import re
from pathlib import Path

import standardlang as sl

SPEC = Path(__file__).resolve().parent.parent / "specs" / "complete_community.stdl"


def test_chinese_explanation_of_a_failed_threshold():
    spec = sl.load(SPEC)
    v = spec.judge({"id": "c1", "kindergarten": {"classes": 6, "building_area": 2100}}, "community") \
        .verdict("2.building_area")
    zh = v.explain("zh")
    assert zh.splitlines()[0].startswith("✗ 不通过  2.building_area 幼儿园建筑面积")
    assert "幼儿园·建筑面积 为 2100 m²,要求 ≥ 2200 m²" in zh  # fields by their labels
    assert "出处 (一.2): 建筑面积不小于2200平方米" in zh
    assert "kindergarten.building_area is 2100 m², needs ≥ 2200 m²" in v.explain()


def test_chinese_explanation_names_missing_data_and_truth_values():
    spec = sl.load(SPEC)
    res = spec.judge({"id": "c1", "kind": "constrained", "kindergarten": {"classes": 6}}, "community")
    assert "缺少数据: kindergarten.land_area" in res.verdict("2.land_area").explain("zh")
    assert "受场地条件约束的既有居住社区 为 是" in res.verdict("6.building_area").explain("zh")


ROOT = SPEC.parent.parent
INVENTORY = str(ROOT / "examples" / "wuhai" / "inventory.json")
INDICATORS = str(ROOT / "specs" / "wuhai_indicators.stdl")
#: English words of explanations and headers that must not show in a Chinese report
ENGLISH = ("needs", " is absent", " is present", "value ", "target ", "source:", "reading:", "missing:",
           "records below", " of community", "at least", "at most", "not applicable", "not adopted")


def _run(capsys, *argv):
    from standardlang.cli import main

    main(list(argv))
    return capsys.readouterr().out


def test_chinese_csv_explains_in_chinese(capsys):
    out = _run(capsys, "check", str(SPEC), INDICATORS, "--data", INVENTORY, "--format", "csv", "--lang", "zh")
    rows = out.splitlines()[1:]
    explained = [r for r in rows if ",不通过," in r]
    assert explained and any("要求" in r for r in explained)
    leaked = [r for r in rows if any(w in r for w in ENGLISH)]
    assert not leaked, leaked[:3]


def test_chinese_junit_explains_in_chinese(capsys):
    out = _run(capsys, "check", str(SPEC), INDICATORS, "--data", INVENTORY, "--format", "junit", "--lang", "zh")
    assert "<failure" in out and "要求" in out and re.search(r"值 [^,]+,目标 ≥ 100 %:不通过", out)
    leaked = [line for line in out.splitlines() if any(w in line for w in ENGLISH)]
    assert not leaked, leaked[:3]


def test_chinese_explain_command_headers(capsys):
    demo, data = str(ROOT / "tests" / "demo.stdl"), str(ROOT / "tests" / "data" / "communities.csv")
    out = _run(capsys, "explain", demo, "2.building_area", "--data", data, "--record", "c2", "--lang", "zh")
    head = out.splitlines()[:4]
    assert head[0].startswith("规范 demo") and head[1].startswith("标准:") and head[3].startswith("目标 一")
    assert head[2].startswith("记录 c2(居住社区),来自 ")
    assert not any(w in out for w in ENGLISH), out
    en = _run(capsys, "explain", demo, "2.building_area", "--data", data, "--record", "c2")
    assert en.splitlines()[2].startswith("record c2 of community (居住社区), from ")


def test_chinese_indicator_explanation(capsys):
    out = _run(capsys, "explain", INDICATORS, "1", "--data", INVENTORY, "--record", "#1", "--lang", "zh")
    assert "1 社区综合服务设施覆盖率 [约束性] city 150300" in out
    assert re.search(r"\n  值 [^,]+,目标 ≥ 100 %:不通过\n", out) and re.search(r"下一层级 district 的记录\(3 条,\d 条未达标\)", out)
    assert not any(w in out for w in ENGLISH), out
