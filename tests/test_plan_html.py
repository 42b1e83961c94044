"""The plan's HTML page ("to build" view): self-contained, escaped, and what chromium shows.

The string tests hold the page to having no script and nothing fetched from
elsewhere, and untrusted spec and record text to being escaped.  The browser test
(Debian's headless chromium through selenium, skipped when chromium is not
installed, like tests/test_html_report.py) opens the example city's plan with the
example projects and checks what is shown: a section per place, the facilities to
build with their total, and per indicator a chart with one point per year (now,
2023, 2024, 2025) whose last point for indicators 1 and 5 sits on the target line.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

import standardlang as sl
from standardlang.planning.places import make_plan
from standardlang.planning.projects import read_projects, what_if
from standardlang.reports.plan_html import render_html

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "</style><script>window.__pwned=1</script>"


@pytest.fixture(scope="module")
def city_plan():
    specs = [sl.load(ROOT / "specs" / "complete_community.stdl"), sl.load(ROOT / "specs" / "wuhai_indicators.stdl")]
    data = json.loads((ROOT / "examples" / "wuhai" / "inventory.json").read_text(encoding="utf-8"))
    invs = {s.name: s.inventory(data) for s in specs}
    plan = make_plan(specs, None, None, invs)
    plan.whatif = what_if(specs, invs, read_projects(str(ROOT / "examples" / "wuhai" / "projects.csv")))
    return plan


def test_example_projects_reach_indicators_1_and_5_in_2025(city_plan):
    w = city_plan.whatif
    last = {(d["indicator"], d["entity"]): d["status"] for d in w.states[-1].indicators if d["entity"] == "city"}
    first = {(d["indicator"], d["entity"]): d["status"] for d in w.states[0].indicators if d["entity"] == "city"}
    assert first[("1", "city")] == first[("5", "city")] == "fail"
    assert last[("1", "city")] == last[("5", "city")] == "pass"
    credited = [e.project.id for e in w.effects if any(i.startswith("1 city") for i in e.indicators)]
    assert len(credited) == 1 and all(e.project.year <= 2025 for e in w.effects)


def test_page_is_self_contained_and_escapes_untrusted_text(city_plan):
    page = render_html(city_plan, "zh")
    assert "<script" not in page and not re.search(r'(src|href)=', page)
    spec = sl.loads((ROOT / "tests" / "demo.stdl").read_text(encoding="utf-8").replace(
        'goal 一 "基本公共服务设施完善"', f'goal 一 "基本公共服务设施完善{HOSTILE}"'), "demo.stdl")
    hostile = make_plan([spec], [{"id": HOSTILE, "name": HOSTILE, "kind": "new", "district": HOSTILE}])
    page = render_html(hostile, "en")
    assert HOSTILE not in page and "<script" not in page and "&lt;/style&gt;" in page


CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def driver():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("chromium is not installed (apt-get install -y chromium chromium-driver)")
    import importlib.util

    spec = importlib.util.spec_from_file_location("screenshot_report", ROOT / "scripts" / "screenshot_report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    d = module.chromium_driver(1400, 900)
    yield d
    d.quit()


def test_browser_to_build_view(driver, city_plan, tmp_path):
    path = tmp_path / "plan.html"
    path.write_text(render_html(city_plan, "zh"), encoding="utf-8")
    driver.get(path.as_uri())
    js = driver.execute_script
    sections = js("return Array.from(document.querySelectorAll('section.place')).map(s => s.dataset.level + ':' + s.dataset.id)")
    assert sections[0] == "city:city" and sum(s.startswith("district:") for s in sections) == 3
    assert sum(s.startswith("subdistrict:") for s in sections) == sum(p.level == "subdistrict" for p in city_plan.places)
    city = city_plan.place("city", "city")
    shown = js("""var t = document.querySelector('section[data-id="city"] table[data-table="build"]');
                  return {rows: t.querySelectorAll('tbody tr').length, total: +t.querySelector('[data-total]').textContent,
                          visible: t.getBoundingClientRect().height > 0};""")
    assert shown == {"rows": len(city.totals.build), "total": sum(city.totals.build.values()), "visible": True}
    charts = js("""return Array.from(document.querySelectorAll('section[data-id="city"] svg')).map(function (s) {
        var c = s.querySelectorAll('circle'), t = s.querySelector('line.target');
        return {ind: s.dataset.indicator, points: c.length, last: c.length ? +c[c.length - 1].getAttribute('cy') : null,
                target: +t.getAttribute('y1'), w: s.getBoundingClientRect().width};
    });""")
    by = {c["ind"]: c for c in charts}
    assert set(by) == {d.indicator for d in city.indicators}
    for ind in ("1", "5"):  # the years after the surveys of 2023 shown (the start is a range: facilities
        # not surveyed, which the chart does not plot as a point), the last one on the target line (100 %)
        assert by[ind]["points"] == 3 and abs(by[ind]["last"] - by[ind]["target"]) < 0.2 and by[ind]["w"] > 200
    # 17.99 stays below 18: not above the line on screen, and the caption says it fails
    assert by["8"]["points"] == 4 and by["8"]["last"] >= by["8"]["target"]
    assert js("""return Array.from(document.querySelectorAll('section[data-id="city"] figure')).find(
        f => f.querySelector('svg').dataset.indicator === '8').querySelector('figcaption span').className""") == "fail"
    assert js("return document.querySelectorAll('[data-missed] li').length") == sum(
        d["entity"] in ("city", "district") for d in city_plan.whatif.missed)
    errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert not errors, errors
