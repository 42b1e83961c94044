"""standardlang: planning standards as checked, compiled, explained rules.

    import standardlang as sl
    rule = sl.compile("kindergarten.area >= 2200 and classes >= 6")
    rule.evaluate({"kindergarten": {"area": 2300}, "classes": 6}).status   # Status.PASS
    spec = sl.load("specs/complete_community.stdl")
    report = spec.evaluate(records)

Submodules are imported lazily so that ``import standardlang`` stays fast.
"""

from __future__ import annotations

from standardlang.errors import (DataError, Diagnostic, SpecCheckError, SpecSyntaxError,
                     StandardLangError)
from standardlang.status import Status

__version__ = "0.1.0"

__all__ = ["load", "loads", "compile", "parse", "parse_expression", "format_spec", "Status",
           "StandardLangError", "SpecSyntaxError", "SpecCheckError", "DataError",
           "Diagnostic", "Spec", "Expression", "Report", "Inventory", "plan", "Bounds", "__version__"]

_LAZY = {
    "load": ("engine.program", "load"), "loads": ("engine.program", "loads"), "compile": ("engine.program", "compile"),
    "Spec": ("engine.program", "Spec"), "Expression": ("engine.program", "Expression"), "Report": ("engine.program", "Report"),
    "parse": ("lang.parser", "parse"), "parse_expression": ("lang.parser", "parse_expression"),
    "format_spec": ("tools.formatter", "format_spec"), "Inventory": ("data.inventory", "Inventory"),
    "plan": ("planning", "plan"),
    "Bounds": ("backends.python.runtime", "Bounds"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'standardlang' has no attribute {name!r}")
