"""A pytest plugin: the inline examples of ``.stdl`` spec files as pytest items.

Takes ``.stdl`` files and gives one pytest item per inline example, named like
``rule 2.building_area: exactly at the threshold``; a failing example reports the
expected and actual verdict and the explanation.  A spec that does not load is a
collection error showing the rendered diagnostic.

Collection is opt-in, so that a project's own test suite never runs twice:

* a ``.stdl`` file named on the command line is collected
  (``pytest specs/complete_community.stdl``);
* ``--stdl PATH`` (repeatable) collects the ``.stdl`` files under PATH, and adds
  PATH to what pytest collects;
* the ini option ``stdl_paths`` (paths relative to the ini file) marks directories
  whose ``.stdl`` files are collected when pytest walks them.

Registered through the ``pytest11`` entry point ``standardlang``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("standardlang", "standardlang spec examples")
    group.addoption("--stdl", action="append", default=[], metavar="PATH",
                    help="collect the inline examples of the .stdl files under PATH (repeatable)")
    parser.addini("stdl_paths", type="paths", default=[],
                  help="directories (or files) whose .stdl files pytest collects as tests")


def _option_paths(config: Any) -> list[Path]:
    base = Path(config.invocation_params.dir)
    return [(base / p).resolve() for p in (config.getoption("stdl") or [])]


def _configured(config: Any) -> list[Path]:
    paths = list(_option_paths(config))
    for p in config.getini("stdl_paths") or []:
        paths.append(Path(p).resolve())
    return paths


def pytest_configure(config: Any) -> None:
    extra = _option_paths(config)
    if not extra:
        return
    base = Path(config.invocation_params.dir)
    given = [(base / str(a).split("::")[0]).resolve() for a in config.args]
    for p in extra:
        if any(p == g or g in p.parents for g in given):
            continue
        config.args.append(str(p))
        given.append(p)


def _under(path: Path, roots: list[Path]) -> bool:
    path = path.resolve()
    return any(path == r or r in path.parents for r in roots)


def pytest_collect_file(file_path: Path, parent: Any) -> Any:
    if file_path.suffix != ".stdl":
        return None
    if parent.session.isinitpath(file_path) or _under(file_path, _configured(parent.config)):
        return StdlFile.from_parent(parent, path=file_path)
    return None


class SpecLoadError(Exception):
    """A spec file that does not parse or check; carries the rendered diagnostics."""


class StdlFile(pytest.File):
    """A spec file: loads it once and yields one item per inline example."""

    def collect(self):
        from standardlang.errors import StandardLangError
        from standardlang.engine.program import load
        from standardlang.tools.testing import iter_examples

        try:
            spec = load(self.path)
        except StandardLangError as exc:
            raise SpecLoadError(exc.render()) from None
        seen: dict[str, int] = {}
        for ref in iter_examples(spec):
            name = ref.name
            if name in seen:
                seen[name] += 1
                name = f"{name} ({seen[name]})"
            else:
                seen[name] = 1
            yield StdlExample.from_parent(self, name=name, spec=spec, ref=ref)

    def repr_failure(self, excinfo: Any, style: Any = None) -> Any:
        if isinstance(excinfo.value, SpecLoadError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class ExampleFailed(Exception):
    """An example whose verdict is not the one it expects."""

    def __init__(self, result: Any):
        self.result = result
        super().__init__(result.name)


class StdlExample(pytest.Item):
    """One inline example of a rule or indicator."""

    def __init__(self, *, spec: Any, ref: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.spec = spec
        self.ref = ref

    def runtest(self) -> None:
        from standardlang.tools.testing import run_example

        result = run_example(self.spec, self.ref)
        if not result.ok:
            raise ExampleFailed(result)

    def repr_failure(self, excinfo: Any, style: Any = None) -> Any:
        if isinstance(excinfo.value, ExampleFailed):
            r = excinfo.value.result
            lines = [f"{self.path.name}:{r.line}: {r.name}",
                     f"  expected: {r.expected}",
                     f"  actual:   {r.actual}"]
            if r.explanation:
                lines.append("  explanation:")
                lines.extend("    " + line for line in r.explanation.splitlines())
            return "\n".join(lines)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        line = self.ref.line
        # the headline of a failure; not a suffix of the node id, so pytest shows the id as it is
        return self.path, (line - 1 if line else None), f"{self.path.name}:{line}: {self.name}"
