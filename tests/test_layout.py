"""The documented layout matches the tree: README's Layout table and docs/architecture.md.

Every folder of the package is in the README's Layout table and on the architecture page,
and every module path the architecture page names exists, so neither can drift silently.
"""

from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "standardlang"


def _folders() -> list[str]:
    """Package folders holding modules, relative to standardlang/ (``backends`` itself holds none)."""
    out = []
    for init in sorted(PACKAGE.rglob("__init__.py")):
        folder = init.parent.relative_to(PACKAGE).as_posix()
        modules = [p for p in init.parent.glob("*.py") if p.name != "__init__.py"]
        if folder != "." and (modules or init.read_text("utf-8").count("\n") > 5):
            out.append(folder)
    return out


def _readme_layout() -> str:
    text = (ROOT / "README.md").read_text("utf-8")
    return text.split("## Layout", 1)[1].split("\n## ", 1)[0]


def test_every_package_folder_is_in_the_readme_layout():
    layout = _readme_layout()
    missing = [f for f in _folders() if f"`standardlang/{f}/`" not in layout]
    assert not missing, f"README's Layout section misses {missing}"


def test_every_folder_in_the_readme_layout_exists():
    for folder in re.findall(r"`standardlang/([\w/]+)/`", _readme_layout()):
        assert (PACKAGE / folder).is_dir(), folder


def test_every_package_folder_is_on_the_architecture_page():
    page = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    missing = [f for f in _folders() if f"`{f}/" not in page and f"`{f}`" not in page]
    assert not missing, f"docs/architecture.md misses {missing}"


def test_every_module_the_architecture_page_names_exists():
    page = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    named = re.findall(r"`((?:[\w]+/)+[\w.]+\.(?:py|lark|json))`", page)
    assert len(named) >= 15
    for path in named:
        assert (PACKAGE / path).exists() or (ROOT / path).exists(), f"docs/architecture.md names {path}"
