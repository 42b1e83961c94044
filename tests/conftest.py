"""Shared test settings: Hypothesis profiles.

``ci`` (the default) is deterministic: derandomized, a fixed number of examples,
no deadline.  ``large`` runs many more random examples by hand:
``HYPOTHESIS_PROFILE=large pytest tests/``; every failure it finds becomes an
explicit ``@example`` regression next to the property.
"""

import os
import pathlib

from hypothesis import HealthCheck, settings

# strict compilation: a compiled function that would fall back to the interpreter fails the test
# (the one test of the fallback itself turns this off)
os.environ.setdefault("STANDARDLANG_STRICT_COMPILE", "1")

settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.register_profile("large", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
EXAMPLES = ROOT / "examples"
