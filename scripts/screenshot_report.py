"""Render the example city's HTML report and take a screenshot of it.

Takes the example city in ``examples/wuhai/`` (its JSON/YAML data files, judged
against its own ``*.stdl`` files or else ``specs/*.stdl``).  While that example is
not there, or does not load, it takes a seeded synthetic city instead, built from
the specs' schemas, and says so in the page title.  Gives the HTML report
(``build/html-report.html``) and a PNG of it (``docs/images/html-report.png``),
taken by Debian's headless chromium through selenium, with the explanation panel
of a failed requirement open.

    python scripts/screenshot_report.py [--html PATH] [--png PATH] [--lang zh|en]

Needs ``apt-get install -y chromium chromium-driver fonts-noto-cjk`` and
``pip install selenium``.  Nothing is downloaded: the driver is /usr/bin/chromedriver.
"""

from __future__ import annotations

import argparse
import copy
import json
import pathlib
import random
import sys
import tempfile
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import standardlang as sl  # noqa: E402
from standardlang.data.inventory import collection_names  # noqa: E402
from standardlang.lang.types import BoolT, EnumT, ListT, Num, RecordT, SetT, TextT  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DISTRICTS = [("150302", "海勃湾区"), ("150303", "海南区"), ("150304", "乌达区")]


# ------------------------------------------------------------------ the example city
def _evaluate(spec: Any, data: Any):
    """Judge ``data`` (records or an inventory), keeping the records on the report for row names."""
    inventory = spec.inventory(data)
    report = spec.evaluate_inventory(inventory)
    try:
        from standardlang.reports import Meta

        report.meta = Meta(records=inventory.records, sources=dict(inventory.sources or {}))
    except (ImportError, TypeError, AttributeError):
        pass
    return report


def _data_files(folder: pathlib.Path) -> dict[str, list]:
    """Collections of records from the JSON/YAML files under ``folder``, merged by name (no readers)."""
    data: dict[str, list] = {}
    for path in sorted(folder.rglob("*")):
        try:
            if path.suffix == ".json":
                content = json.loads(path.read_text(encoding="utf-8"))
            elif path.suffix in (".yaml", ".yml"):
                import yaml

                content = yaml.safe_load(path.read_text(encoding="utf-8"))
            else:
                continue
        except Exception:
            continue
        if isinstance(content, list):
            content = {path.stem: content}
        if isinstance(content, dict):
            for key, value in content.items():
                if not key.startswith("$") and isinstance(value, list):
                    data.setdefault(key, []).extend(value)
    return data


def example_city_reports(root: pathlib.Path = ROOT) -> list | None:
    """The reports of ``examples/wuhai`` for each spec that judges some of its data, or None.

    The data files are read by :mod:`standardlang.data.readers` (JSON, YAML, CSV, Excel)
    when it is there, else as JSON/YAML collections; the specs are the example's
    own ``*.stdl`` files, or else ``specs/*.stdl``.
    """
    folder = root / "examples" / "wuhai"
    if not folder.is_dir():
        return None
    spec_paths = sorted(folder.glob("*.stdl")) or sorted((root / "specs").glob("*.stdl"))
    tables = None
    try:
        from standardlang.data import readers

        # the inventory itself; csv/ holds the same data again, in another format
        inventory = folder / "inventory.json"
        paths = [str(inventory)] if inventory.exists() else \
            [str(p) for p in sorted(folder.rglob("*")) if p.suffix.lower() in readers.FORMATS]
        tables = readers.read_files(paths) if paths else None
    except Exception:
        tables = None
    data = _data_files(folder) if tables is None else {}
    reports = []
    for path in spec_paths:
        try:
            spec = sl.load(path)
            if tables is not None:
                inventory = readers.bind(tables, spec).inventory
                if not len(inventory):
                    continue
                report = _evaluate(spec, inventory)
            else:
                names = collection_names(spec.entities)
                mine = {k: copy.deepcopy(v) for k, v in data.items() if k in names}
                if not mine:
                    continue
                report = _evaluate(spec, mine)
        except Exception:
            continue
        if report.results or report.indicators:
            reports.append(report)
    return reports or None


# ------------------------------------------------------------------ a synthetic city
_UNIT_RANGES = {"m2": (50, 4000), "㎡": (50, 4000), "平方米": (50, 4000), "ha": (0.05, 2), "公顷": (0.05, 2),
                "m": (50, 1500), "米": (50, 1500), "km": (0.1, 3), "千米": (0.1, 3), "公里": (0.1, 3),
                "min": (3, 20), "分钟": (3, 20), "h": (1, 12), "小时": (1, 12), "%": (40, 100), "‰": (0, 30)}


def _value(name: str, info: Any, rnd: random.Random) -> Any:
    t = info.type
    if isinstance(t, BoolT):
        return rnd.random() < 0.75
    if isinstance(t, TextT):
        return f"{name}-{rnd.randint(1, 99)}"
    if isinstance(t, EnumT):
        return rnd.choice(t.members)
    if isinstance(t, SetT):
        return [m for m in t.enum.members if rnd.random() < 0.85]
    if isinstance(t, RecordT):
        return _record(t, rnd)
    if isinstance(t, ListT) and isinstance(t.elem, RecordT):
        return [_record(t.elem, rnd) for _ in range(rnd.randint(0, 3))]
    if isinstance(t, Num):
        if "population" in name:
            return rnd.randint(50_000, 300_000)
        if "households" in name:
            return rnd.randint(300, 3000)
        if t.kind == "count":
            return rnd.randint(0, 400 if "worker" in name or "beds" in name or "places" in name else 12)
        low, high = _UNIT_RANGES.get(info.unit or "", (0, 100))
        return round(rnd.uniform(low, high), 1)
    return None


def _record(rtype: RecordT, rnd: random.Random) -> dict:
    out = {}
    for name, info in rtype.fields.items():
        if isinstance(info.type, ListT) and isinstance(info.type.elem, RecordT) and info.type.elem.entity:
            continue  # children are linked by their parent key
        if info.optional and rnd.random() < 0.2 or rnd.random() < 0.02:
            continue
        out[name] = _value(name, info, rnd)
    return out


def synthetic_city(entities: dict, communities: int = 60, seed: int = 7) -> dict[str, list]:
    """A seeded random city over ``entities`` (Wuhai's three districts, four subdistricts each)."""
    rnd = random.Random(seed)
    data: dict[str, list] = {}

    def make(entity: str, **fixed) -> dict:
        rec = _record(entities[entity], rnd) if entity in entities else {}
        rec.update({k: v for k, v in fixed.items() if entity not in entities or k in entities[entity].fields})
        data.setdefault(entity, []).append(rec)
        return rec

    make("city", id="150300", name="乌海市")
    for d_id, d_name in DISTRICTS:
        make("district", id=d_id, name=d_name, city="150300")
        for s in range(1, 5):
            make("subdistrict", id=f"{d_id}-{s}", name=f"{d_name}第{s}街道", district=d_id)
    for i in range(communities):
        d_id, d_name = DISTRICTS[i % 3]
        make("community", id=f"C{i + 1:03d}", name=f"{d_name[:-1]}{i // 3 + 1}号社区", district=d_name,
             subdistrict=f"{d_id}-{i // 3 % 4 + 1}", households=rnd.randint(400, 2600))
    return {k: v for k, v in data.items() if k in entities}


def synthetic_city_reports(root: pathlib.Path = ROOT, communities: int = 60) -> list:
    reports = []
    for name in ("complete_community", "wuhai_indicators"):
        path = root / "specs" / f"{name}.stdl"
        try:
            spec = sl.load(path)
        except Exception:
            continue
        reports.append(_evaluate(spec, synthetic_city(spec.entities, communities)))
    return reports


def city_reports(root: pathlib.Path = ROOT) -> tuple[list, bool]:
    """(reports, True) for the example city; (synthetic reports, False) while it is missing."""
    reports = example_city_reports(root)
    if reports:
        return reports, True
    return synthetic_city_reports(root), False


# ------------------------------------------------------------------ the browser
def chromium_driver(width: int = 1600, height: int = 1000):
    """Headless Debian chromium driven by selenium through /usr/bin/chromedriver (no download)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument("--user-data-dir=" + tempfile.mkdtemp(prefix="sl-chromium-"))
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def main(argv: list[str] | None = None) -> int:
    from standardlang.reports.html import render_html

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--html", default=str(ROOT / "build" / "html-report.html"))
    ap.add_argument("--png", default=str(ROOT / "docs" / "images" / "html-report.png"))
    ap.add_argument("--lang", default="zh", choices=["zh", "en"])
    args = ap.parse_args(argv)
    reports, real = city_reports()
    if not reports:
        print("no spec loads: nothing to render", file=sys.stderr)
        return 1
    title = "乌海市 · 社区建设标准评估" if args.lang == "zh" else "Wuhai · community standards"
    if not real:
        title += "(合成示例数据)" if args.lang == "zh" else " (synthetic sample data)"
    html_path, png_path = pathlib.Path(args.html), pathlib.Path(args.png)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(render_html(reports, lang=args.lang, title=title), encoding="utf-8")
    from selenium.webdriver.common.by import By

    driver = chromium_driver()
    try:
        driver.get(html_path.resolve().as_uri())
        fails = [td for td in driver.find_elements(By.CSS_SELECTOR, "td.c.s-fail.k-shall")[:40]]
        if fails:
            fails[len(fails) // 2].click()
        driver.save_screenshot(str(png_path))
    finally:
        driver.quit()
    print(f"{'example city' if real else 'synthetic city'}: {html_path} -> {png_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
