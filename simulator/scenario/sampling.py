"""Drawing a scenario's numbers for R replications, reproducibly.

Every :class:`~simulator.scenario.quantities.Quantity` in a scenario is drawn once
per replication. Each value gets its own random stream, derived from the run's
``SeedSequence`` and a hash of the value's path, so adding or removing one value
never changes the draws of another, and the same seed gives the same numbers on
any machine.
"""

from __future__ import annotations

import zlib

import numpy as np

from .checks import walk
from .quantities import Quantity
from .schema import Scenario


def quantity_paths(scenario: Scenario) -> dict[str, Quantity]:
    """Every number in the scenario, by dotted path (``actors.russia.resolve``)."""
    return {
        ".".join(str(p) for p in path): node
        for path, node in walk(scenario)
        if isinstance(node, Quantity)
    }


def uncertain_paths(scenario: Scenario) -> dict[str, Quantity]:
    """The numbers given as distributions: the uncertainty the scenario declares."""
    return {path: q for path, q in quantity_paths(scenario).items() if q.is_uncertain}


def stream(seed: np.random.SeedSequence, path: str) -> np.random.Generator:
    """The random stream of one value: independent of every other value's."""
    key = zlib.crc32(path.encode("utf-8"))
    return np.random.default_rng(
        np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, key))
    )


def draw_all(
    scenario: Scenario, replications: int, seed: np.random.SeedSequence
) -> dict[str, np.ndarray]:
    """One draw per replication of every number in the scenario, by path."""
    return {
        path: quantity.sample(stream(seed, path), replications)
        for path, quantity in quantity_paths(scenario).items()
    }
