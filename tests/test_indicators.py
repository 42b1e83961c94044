"""Indicators: values per level, verdicts against targets, and what an unknown value lacks."""

import standardlang as sl

SPEC = """
standard s "s" { source "x" }
entity community "社区" {
  key id
  id: text
  city: text
  households: count
  station?: record { building_area: m2 }
}
entity city "市" {
  key id
  id: text
  communities: list of community by city
}
indicator 4 "每百户居民拥有社区综合服务设施面积" {
  binding
  target >= 33 m2
  value for city = sum(station.building_area for communities where present(station))
                   / sum(communities.households) * 100
}
"""


def test_indicator_value_and_verdict_over_linked_levels():
    spec = sl.loads(SPEC)
    report = spec.evaluate({"city": [{"id": "c"}],
                            "community": [{"id": "a", "city": "c", "households": 1000, "station": {"building_area": 330}},
                                          {"id": "b", "city": "c", "households": 1000, "station": None}]})
    (result,) = report.indicators
    assert result.value_text == "16.5 m2" and result.status == "fail"
    assert result.to_dict()["target_text"] == "≥ 33 m2"
    # b's station not surveyed (key left out): the value is a range, not the lower figure
    report = spec.evaluate({"city": [{"id": "c"}],
                            "community": [{"id": "a", "city": "c", "households": 1000, "station": {"building_area": 330}},
                                          {"id": "b", "city": "c", "households": 1000}]})
    (result,) = report.indicators
    assert result.value_text == "at least 16.5 m2" and result.status == "unknown"


def test_an_unknown_indicator_names_what_is_missing():
    spec = sl.loads(SPEC)
    report = spec.evaluate({"city": [{"id": "c"}],
                            "community": [{"id": "a", "city": "c", "households": 1000, "station": {}}]})
    (result,) = report.indicators
    assert result.status == "unknown"
    assert result.missing == ("station.building_area",)
    assert "missing: station.building_area" in result.explain()
    assert result.to_dict()["missing"] == ["station.building_area"]
