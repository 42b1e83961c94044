"""The HTML report: the page as a string, and the page as a person sees it in chromium.

The string tests check that the page is self-contained and that untrusted spec text
and record values cannot break out of the embedded data.  The browser tests load
the page in Debian's headless chromium (through selenium and /usr/bin/chromedriver)
and check what is shown: rows, cells, counts, the explanation panel, the filters.
They are skipped only when chromium or chromedriver is not installed.
"""

from __future__ import annotations

import html.parser
import importlib.util
import json
import os
import pathlib
import re
import time
from collections import Counter

import pytest

import standardlang as sl
from standardlang.reports.html import render_html

ROOT = pathlib.Path(__file__).resolve().parent.parent
HOSTILE = "</script><script>window.__pwned=1</script>"
HOSTILE_HTML = "<img src=x onerror='window.__pwned=2'><!--"
DISTRICTS = ["海勃湾区", "海南区", "乌达区"]


# ------------------------------------------------------------------ fixtures
def demo_spec(hostile: bool = False):
    text = (ROOT / "tests" / "demo.stdl").read_text(encoding="utf-8")
    if hostile:
        text = text.replace('rule 6 "综合超市"', f'rule 6 "{HOSTILE}"')
        text = text.replace('goal 一 "基本公共服务设施完善"', f'goal 一 "基本公共服务设施完善{HOSTILE_HTML}"')
        text = text.replace('cite "建筑面积不小于2200平方米"', f'cite "建筑面积不小于2200平方米{HOSTILE}"')
    return sl.loads(text, "demo.stdl")


def demo_data(hostile: bool = False) -> dict:
    kinds = ["new", "existing", "constrained"]
    communities = []
    for i in range(12):
        c = {"id": f"c{i + 1:02d}", "name": f"社区{i + 1}", "district": DISTRICTS[i % 3],
             "subdistrict": f"s{i % 3 + 1}", "kind": kinds[i % 3], "households": 800 + i,
             "rooms": ["hall", "police"] if i % 2 else ["hall"]}
        if i % 4 != 3:
            c["kindergarten"] = {"classes": 6, "building_area": 2000 + 100 * i, "land_area": 0.3 + 0.02 * i}
        if i % 3 == 0:
            c["supermarket"] = {"building_area": 250 + 20 * i}
        communities.append(c)
    del communities[4]["kindergarten"]["building_area"]  # unknown
    communities[9]["kindergarten"]["building_area"] = "lots"  # a data error
    if hostile:
        communities[1]["id"] = HOSTILE
        communities[2]["name"] = HOSTILE_HTML
    return {"community": communities,
            "subdistrict": [{"id": f"s{k}", "city": "wh"} for k in (1, 2, 3)],
            "city": [{"id": "wh"}]}


def demo_reports(hostile: bool = False) -> list:
    return [demo_spec(hostile).evaluate(demo_data(hostile))]


def _script_module():
    path = ROOT / "scripts" / "screenshot_report.py"
    spec = importlib.util.spec_from_file_location("screenshot_report", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def city_reports() -> tuple[list, str]:
    """The example city's reports; else a synthetic 100-community city; else the demo fixture."""
    script = _script_module()
    reports = script.example_city_reports(ROOT)
    if reports:
        return reports, "examples/wuhai"
    reports = script.synthetic_city_reports(ROOT, communities=100)
    if reports:
        return reports, "synthetic city"
    return demo_reports(), "tests/demo.stdl"


def embedded_data(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="sl-data">(.*?)</script>', page, re.S)
    assert m, "no data tag"
    return json.loads(m.group(1))


class _Scripts(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        self.urls += [v for k, v in attrs.items() if k in ("src", "href", "action", "data") and v]


# ------------------------------------------------------------------ the page as a string
def test_page_is_self_contained():
    page = render_html(demo_reports())
    parser = _Scripts()
    parser.feed(page)
    assert all(u.startswith("#") for u in parser.urls), parser.urls
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)
    assert "http://" not in page and "https://" not in page
    assert "@import" not in page and "<link" not in page
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page


def test_data_json_parses_and_holds_the_report():
    reports = demo_reports()
    data = embedded_data(render_html(reports))
    assert data["lang"] == "zh" and data["title"] == reports[0].spec.title
    (r,) = data["reports"]
    assert r["summary"] == reports[0].summary()
    (table,) = r["tables"]
    assert len(table["rows"]) == 12 and [x["id"] for x in table["rules"]] == [x.id for x in reports[0].spec.rules]
    assert table["group_label"] == "区"
    assert [row["group"] for row in table["rows"]] == sorted((row["group"] for row in table["rows"]), key=DISTRICTS.index)
    assert {len(row["s"]) for row in table["rows"]} == {4}
    assert Counter(c for row in table["rows"] for c in row["s"]) == \
        Counter({"pass": "p", "fail": "f", "unknown": "u", "not_applicable": "n", "error": "e"}[v.status.value]
                for v in reports[0].verdicts)
    assert r["indicators"][0]["results"][0]["entity"] == "city"


def test_hostile_strings_cannot_break_out():
    reports = demo_reports(hostile=True)
    page = render_html(reports, title=HOSTILE)
    parser = _Scripts()
    parser.feed(page)
    assert len(parser.scripts) == 2  # the data tag and the page's own script: nothing injected
    assert page.lower().count("</script") == 2
    assert "<script>window" not in page and "<img src=x" not in page and "<!--" not in page
    data = embedded_data(page)
    assert data["title"] == HOSTILE
    table = data["reports"][0]["tables"][0]
    assert HOSTILE in [row["id"] for row in table["rows"]]
    assert HOSTILE_HTML in [row["name"] for row in table["rows"]]
    assert HOSTILE in [rule["title"] for rule in table["rules"]]
    assert any(HOSTILE in c for rule in table["rules"] for c in rule["cites"])
    assert "<title>&lt;/script&gt;" in page


def test_english_and_multiple_specs():
    reports = demo_reports() + demo_reports()
    page = render_html(reports, lang="en", title="Two")
    data = embedded_data(page)
    assert '<html lang="en">' in page and data["i18n"]["fail"] == "fail" and len(data["reports"]) == 2
    assert embedded_data(render_html(demo_reports()))["i18n"]["fail"] == "不通过"
    with pytest.raises(ValueError):
        render_html(reports, lang="fr")


def test_a_large_report_renders_quickly():
    spec = sl.load(ROOT / "specs" / "complete_community.stdl")
    records = [{"id": f"c{i}", "district": DISTRICTS[i % 3], "kind": ["new", "existing"][i % 2],
                "households": 500 + i} for i in range(100)]
    report = spec.evaluate(records)
    start = time.perf_counter()
    page = render_html([report])
    assert time.perf_counter() - start < 10
    assert len(page) < 8_000_000
    rows = embedded_data(page)["reports"][0]["tables"][0]["rows"]
    assert len(rows) == 100 and len(rows[0]["s"]) == len(spec.rules)


# ------------------------------------------------------------------ the page in a browser
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def driver():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("chromium is not installed (apt-get install -y chromium chromium-driver)")
    d = _script_module().chromium_driver(1400, 900)  # needs selenium (pip install selenium)
    yield d
    d.quit()


def open_page(driver, tmp_path, reports, name="report.html", **kw):
    path = tmp_path / name
    path.write_text(render_html(reports, **kw), encoding="utf-8")
    driver.get(path.as_uri())
    driver.get_log("browser")  # drop what came before this page
    return path


def js(driver, script, *args):
    return driver.execute_script(script, *args)


def select(driver, si, key, value):
    chosen = js(driver, """var s = document.querySelector('#spec-' + arguments[0] + ' select[data-filter="' + arguments[1] + '"]');
                  s.value = arguments[2]; s.dispatchEvent(new Event('change')); return s.value;""", si, key, value)
    assert chosen == value, f"the {key} filter has no option {value!r}"  # else the filter silently shows all


def shown_counts(driver, si) -> dict:
    return js(driver, """var out = {};
        document.querySelectorAll('#spec-' + arguments[0] + ' [data-count]').forEach(function (td) {
          out[td.dataset.count] = +td.textContent; });
        return out;""", si)


def expected_counts(verdicts) -> dict:
    c = Counter()
    for v in verdicts:
        c[f"{v.rule.strength}:{v.status.value}"] += 1
        c[v.status.value] += 1
        c[v.rule.strength] += 1
        c["all"] += 1
    return c


def click_cell(driver, si, record_id, rule_id):
    cell = js(driver, """var sec = document.getElementById('spec-' + arguments[0]), rec = arguments[1], rule = arguments[2];
        var th = Array.from(sec.querySelectorAll('th[data-rule-id]')).find(function (t) { return t.dataset.ruleId === rule; });
        var tr = Array.from(sec.querySelectorAll('tr[data-record]')).find(function (t) { return t.dataset.record === rec; });
        return tr.querySelector('td[data-c="' + th.dataset.rule + '"]');""", si, record_id, rule_id)
    cell.click()
    return cell


def check_report_section(driver, si, report):
    """What a person sees in the section of one spec matches the report."""
    from selenium.webdriver.common.by import By

    sec = driver.find_element(By.ID, f"spec-{si}")
    assert report.spec.title in sec.find_element(By.TAG_NAME, "h2").text
    if report.results:
        rows = sec.find_elements(By.CSS_SELECTOR, "tr[data-record]")
        assert len(rows) == len(report.results)
        assert len(sec.find_elements(By.CSS_SELECTOR, "td.c:not(.io)")) == len(report.verdicts)
        # one item outcome per record and item of the standard, before the item's rules
        assert len(sec.find_elements(By.CSS_SELECTOR, "td.io")) == len(report.items())
        counts = shown_counts(driver, si)
        expected = expected_counts(report.verdicts)
        assert {k: v for k, v in counts.items() if v} == dict(expected)
        for strength, by_status in report.summary().items():
            for status, n in by_status.items():
                assert counts[f"{strength}:{status}"] == n

        # clicking a cell opens the explanation with the rule's cited clause
        v = next((v for v in report.verdicts if v.status is sl.Status.FAIL and v.rule.cites),
                 next(v for v in report.verdicts if v.rule.cites))
        click_cell(driver, si, v.record_id, v.rule.id)
        panel = driver.find_element(By.ID, "sl-panel")
        assert panel.is_displayed()
        cites = [q.text for q in panel.find_elements(By.CSS_SELECTOR, "blockquote.cite")]
        assert cites[:len(v.rule.cites)] == list(v.rule.cites)
        assert {"fail": "不通过", "pass": "通过"}.get(v.status.value, "") in \
            panel.find_element(By.CSS_SELECTOR, "[data-role=status]").text
        shown = panel.find_element(By.CSS_SELECTOR, "pre[data-role=explanation]").text
        for line in v.explain("zh").splitlines()[1:]:  # the Chinese page explains in Chinese
            if not line.startswith(("  出处", "  解读")):
                assert line.strip() in shown
        driver.find_element(By.ID, "sl-close").click()
        assert not panel.is_displayed()

        # a district filter hides the other districts' rows, and the counts follow
        field = "district" if any(isinstance(r.record, dict) and "district" in r.record for r in report.results) \
            else "subdistrict"
        group = str(report.results[-1].record.get(field))
        mine = [r for r in report.results if str(r.record.get(field)) == group]
        assert 0 < len(mine) < len(report.results)
        select(driver, si, "group", group)
        assert len(sec.find_elements(By.CSS_SELECTOR, "tr[data-record]")) == len(mine)
        assert {k: v for k, v in shown_counts(driver, si).items() if v} == \
            dict(expected_counts([v for r in mine for v in r.verdicts]))
        select(driver, si, "group", "")
        assert len(sec.find_elements(By.CSS_SELECTOR, "tr[data-record]")) == len(report.results)

        # a status filter keeps the rows with such a verdict; a goal filter keeps its columns
        select(driver, si, "status", "fail")
        failing = [r for r in report.results if any(v.status is sl.Status.FAIL for v in r.verdicts)]
        assert len(sec.find_elements(By.CSS_SELECTOR, "tr[data-record]")) == len(failing)
        select(driver, si, "status", "")
        goal = report.spec.rules[0]
        if goal.item_id is not None:  # columns are grouped by item of the standard: the filter picks an item
            select(driver, si, "goal", f"{goal.item_id} {goal.item_title}")
            assert len(sec.find_elements(By.CSS_SELECTOR, "th[data-rule-id]")) == \
                len([r for r in report.spec.rules if r.item_id == goal.item_id and r.entity == goal.entity])
        else:
            select(driver, si, "goal", f"{goal.goal_id} {goal.goal_title}" if goal.goal_title else goal.goal_id)
            assert len(sec.find_elements(By.CSS_SELECTOR, "th[data-rule-id]")) == \
                len([r for r in report.spec.rules if r.goal_id == goal.goal_id and r.entity == goal.entity])
        select(driver, si, "goal", "")
    shown_indicators = {x.indicator.id for x in report.indicators}
    assert len(sec.find_elements(By.CSS_SELECTOR, ".card[data-indicator]")) == len(shown_indicators)
    top = [x for x in report.indicators if x.entity in ("city", "district")]
    visible = [b for b in sec.find_elements(By.CSS_SELECTOR, ".bar") if b.is_displayed()]
    assert len(visible) == len(top)


def test_browser_city_report(driver, tmp_path):
    reports, what = city_reports()
    open_page(driver, tmp_path, reports)
    for si, report in enumerate(reports):
        check_report_section(driver, si, report)
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, (what, errors)
    assert js(driver, "return performance.getEntriesByType('resource').length") == 0


def test_browser_demo_report_with_hostile_strings(driver, tmp_path):
    from selenium.webdriver.common.by import By

    reports = demo_reports(hostile=True)
    open_page(driver, tmp_path, reports, title=HOSTILE)
    assert js(driver, "return window.__pwned === undefined")
    assert driver.title == HOSTILE
    check_report_section(driver, 0, reports[0])
    heads = [th.get_attribute("title") for th in driver.find_elements(By.CSS_SELECTOR, "th.rh")]
    assert any(HOSTILE in h for h in heads) and any(HOSTILE_HTML in h for h in heads)
    assert not driver.find_elements(By.CSS_SELECTOR, "main img, main script")
    click_cell(driver, 0, HOSTILE, "2.building_area")
    assert HOSTILE in driver.find_element(By.CSS_SELECTOR, "#sl-panel blockquote.cite").text
    assert js(driver, "return window.__pwned === undefined")
    assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_browser_english_page(driver, tmp_path):
    from selenium.webdriver.common.by import By

    open_page(driver, tmp_path, demo_reports(), lang="en")
    text = driver.find_element(By.TAG_NAME, "main").text
    assert "shall (requirement)" in text and "not applicable" in text and "应(要求)" not in text


def test_browser_headers_stay_in_view_when_scrolling(driver, tmp_path):
    reports, _ = city_reports()
    if not any(len(r.results) > 30 for r in reports):
        spec = demo_spec()
        data = demo_data()
        data["community"] = [dict(c, id=f"{c['id']}-{k}") for k in range(10) for c in data["community"]]
        reports = [spec.evaluate(data)]
    open_page(driver, tmp_path, reports)
    si = next(i for i, r in enumerate(reports) if len(r.results) > 30)
    box = js(driver, """var b = document.querySelector('#spec-' + arguments[0] + ' .scroll');
        b.scrollIntoView(); b.scrollTop = 2000; b.scrollLeft = 2000; return b.getBoundingClientRect().toJSON();""", si)
    assert js(driver, "return document.querySelector('#spec-' + arguments[0] + ' .scroll').scrollTop", si) > 0
    head = js(driver, "return document.querySelector('#spec-' + arguments[0] + ' th[data-rule-id]')"
                      ".getBoundingClientRect().toJSON()", si)
    first = js(driver, "return document.querySelector('#spec-' + arguments[0] + ' tbody tr[data-record]:last-child th.rh')"
                       ".getBoundingClientRect().toJSON()", si)
    assert abs(head["top"] - (box["top"] + 26)) <= 3  # the rule header row sticks under the goal row
    assert abs(first["left"] - box["left"]) <= 3  # the record column sticks at the left
