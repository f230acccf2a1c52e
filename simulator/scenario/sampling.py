"""Drawing a scenario's numbers for R replications, reproducibly.

Every :class:`~simulator.scenario.quantities.Quantity` in a scenario is drawn once
per replication, as its distribution's quantile of a uniform that depends only on the
run's ``SeedSequence``, the replication's index and a hash of the value's path
(:mod:`simulator.streams`). So adding or removing one value never changes the draws of
another, replication i draws the same numbers whatever else runs beside it, and the
same seed gives the same numbers on any machine.
"""

from __future__ import annotations

import numpy as np

from ..streams import Streams, path_site
from .checks import walk
from .quantities import Beta, Normal, Quantity, Triangular, Uniform
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


def quantiles(quantity: Quantity, u: np.ndarray) -> np.ndarray:
    """The values of ``quantity`` at the probabilities ``u`` (its inverse distribution
    function), so that uniform ``u`` give draws from its distribution."""
    value = quantity.value
    if isinstance(value, float | int):
        return np.full(u.shape, float(value))
    if isinstance(value, Uniform):
        return value.low + (value.high - value.low) * u
    if isinstance(value, Triangular):
        low, mode, high = value.low, value.mode, value.high
        if high == low:
            return np.full(u.shape, float(low))
        width = high - low
        below = u * width < mode - low  # u < F(mode) = (mode - low) / width
        rising = low + np.sqrt(u * width * (mode - low))
        falling = high - np.sqrt((1.0 - u) * width * (high - mode))
        return np.where(below, rising, falling)
    if isinstance(value, Normal):
        from scipy.special import ndtri

        return np.clip(value.mean + value.sd * ndtri(u), *value.support())
    if isinstance(value, Beta):
        from scipy.special import betaincinv

        return value.low + (value.high - value.low) * betaincinv(value.alpha, value.beta, u)
    raise TypeError(f"no quantile function for {type(value).__name__}")


def draw_all(
    scenario: Scenario, replications: int, seed: np.random.SeedSequence, first: int = 0
) -> dict[str, np.ndarray]:
    """One draw per replication of every number in the scenario, by path, for the
    replications ``first .. first + replications - 1`` of an ensemble."""
    streams = Streams(seed, first, replications)
    draws = {}
    for path, quantity in quantity_paths(scenario).items():
        if quantity.is_uncertain:
            draws[path] = quantiles(quantity, streams.uniform(path_site(path)))
        else:
            draws[path] = same_for_all(float(quantity.value), replications)  # type: ignore[arg-type]
    return draws


def same_for_all(value: float, replications: int) -> np.ndarray:
    """``value`` for each of ``replications``: one number that every replication reads
    (a broadcast view, no copy per replication), read-only for good, since a write
    into it would change every replication at once."""
    # Read from immutable bytes, so neither the view's flag nor its base's can be set
    # back to writeable.
    number = np.frombuffer(np.float64(value).tobytes(), dtype=np.float64).reshape(())
    return np.broadcast_to(number, (replications,))
