"""Explanations in Chinese: the same checks, in the words a bureau reads."""

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
