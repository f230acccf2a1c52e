"""Beta beliefs about the war's odds, and their updates (Smith and Stam 2004).

Each side believes P(the front's holder wins an engagement) ~ Beta(a, b). Every
engagement the holder wins adds the learning rate to ``a``, every one it loses adds
it to ``b``, for every side alike: beliefs that start apart converge as battles are
observed, which is how fighting reconciles divergent expectations.
"""

from __future__ import annotations

import numpy as np


def prior(mean: np.ndarray, strength: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Beta parameters (a, b) with the given mean and total pseudo-count.

    A strength of zero is replaced by a tiny count, so the first observation
    dominates without dividing by zero.
    """
    strength = np.maximum(strength, 1e-9)
    return mean * strength, (1.0 - mean) * strength


def update(
    a: np.ndarray,
    b: np.ndarray,
    wins_holder: np.ndarray,
    wins_defender: np.ndarray,
    learning_rate: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Beta parameters after observing a week's engagements (new arrays):
    ``a + learning_rate * wins_holder`` and ``b + learning_rate * wins_defender``."""
    new_a = learning_rate * wins_holder
    new_a += a
    new_b = learning_rate * wins_defender
    new_b += b
    return new_a, new_b


def mean(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The believed probability that the holder wins an engagement."""
    return a / (a + b)
