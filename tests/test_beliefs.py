"""Beta beliefs: priors, updates, and the convergence Smith and Stam describe."""

from __future__ import annotations

import numpy as np
import pytest

from simulator import beliefs


def test_prior_has_the_requested_mean_and_strength():
    a, b = beliefs.prior(np.array([0.7]), np.array([20.0]))
    assert (a[0], b[0]) == pytest.approx((14.0, 6.0))
    assert beliefs.mean(a, b)[0] == pytest.approx(0.7)


def test_update_counts_each_side_s_wins():
    a, b = beliefs.update(
        np.array([1.0]), np.array([1.0]), np.array([3]), np.array([1]), np.array([1.0])
    )
    assert (a[0], b[0]) == (4.0, 2.0)


def test_learning_rate_scales_each_observation():
    a, b = beliefs.update(
        np.array([1.0]), np.array([1.0]), np.array([4]), np.array([2]), np.array([0.5])
    )
    assert (a[0], b[0]) == (3.0, 2.0)


def test_zero_strength_prior_is_dominated_by_the_first_observation():
    a, b = beliefs.prior(np.array([0.9]), np.array([0.0]))
    a, b = beliefs.update(a, b, np.array([0]), np.array([1]), np.array([1.0]))
    assert beliefs.mean(a, b)[0] == pytest.approx(0.0, abs=1e-6)


def test_divergent_beliefs_converge_as_the_same_battles_are_observed():
    rng = np.random.default_rng(7)
    optimist = beliefs.prior(np.array([0.8]), np.array([30.0]))
    pessimist = beliefs.prior(np.array([0.3]), np.array([30.0]))
    gaps = []
    for _ in range(50):
        wins = rng.binomial(10, 0.6, size=1)
        losses = 10 - wins
        optimist = beliefs.update(*optimist, wins, losses, np.ones(1))
        pessimist = beliefs.update(*pessimist, wins, losses, np.ones(1))
        gaps.append(float(beliefs.mean(*optimist)[0] - beliefs.mean(*pessimist)[0]))
    # Same observations, same strength: the gap is 0.5 * 30 / (30 + 10 t) exactly.
    assert gaps == pytest.approx([0.5 * 30 / (30 + 10 * t) for t in range(1, 51)])
    assert beliefs.mean(*optimist)[0] == pytest.approx(0.6, abs=0.05)
