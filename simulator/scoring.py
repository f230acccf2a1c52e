"""Proper scoring rules for an ensemble's forecasts: CRPS for quantities, Brier and log
scores for events. Lower is better for all three.

The CRPS of an ensemble comes from ``scoringrules`` (its integral estimator, the
exact CRPS of the ensemble's empirical distribution); the event scores are one line
each. A probability estimated from ``n`` replications is clipped to
``[1 / (2n), 1 - 1 / (2n)]`` before its logarithm is taken, so an event no replication
foresaw scores a large but finite penalty rather than infinity.
"""

from __future__ import annotations

import math

import numpy as np


def crps(sample: np.ndarray, observed: float) -> float:
    """The continuous ranked probability score of an ensemble for one observation.

    ``CRPS(F, y) = integral (F(x) - 1{x >= y})^2 dx`` with ``F`` the ensemble's
    empirical distribution; in the units of the quantity.
    """
    import scoringrules

    values = np.asarray(sample, dtype=float)
    if values.size == 0:
        raise ValueError("the CRPS needs at least one ensemble member")
    return float(scoringrules.crps_ensemble(float(observed), values, estimator="int"))


def clipped(p: float, n: int) -> float:
    """A probability estimated from ``n`` replications, kept off 0 and 1 by half a count."""
    floor = 0.5 / max(n, 1)
    return min(max(p, floor), 1.0 - floor)


def brier(p: float, happened: bool) -> float:
    """The Brier score ``(p - o)^2`` of a forecast probability ``p``."""
    return (p - float(happened)) ** 2


def log_score(p: float, happened: bool, n: int) -> float:
    """The negative log of the probability given to what happened (``p`` clipped)."""
    q = clipped(p, n)
    return -math.log(q if happened else 1.0 - q)
