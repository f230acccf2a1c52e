"""ceasefire: a negotiation-position modelling simulator for cease-fire talks.

The public names are loaded on first use, so that importing a small part of the
package (the scenario schema, the theory) does not import Mesa.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = [
    "CeasefireError",
    "CeasefireModel",
    "ScenarioError",
    "__version__",
    "analyze",
    "compare",
    "drivers",
    "load_scenario",
    "mc",
    "run",
    "sensitivity",
    "sweep",
]
API = frozenset({"analyze", "compare", "drivers", "mc", "run", "sensitivity", "sweep"})
"""The data-frame functions of :mod:`simulator.api`, offered here too (loaded on use)."""

if TYPE_CHECKING:
    from .api import analyze, compare, drivers, mc, run, sensitivity, sweep
    from .errors import CeasefireError, ScenarioError
    from .model import CeasefireModel
    from .scenario import load_scenario


def __getattr__(name: str) -> Any:
    if name in API:
        from . import api

        return getattr(api, name)
    if name == "CeasefireModel":
        from .model import CeasefireModel

        return CeasefireModel
    if name == "load_scenario":
        from .scenario import load_scenario

        return load_scenario
    if name in ("ScenarioError", "CeasefireError"):
        from . import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")
