"""Tests for simulator.theory: closed forms, hand-derived cases, properties, errors.

The first block reproduces every row of section 3 of RESEARCH.md to 1e-6. Further
cases are derived by hand; each test says how.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.theory import (
    ForecastResult,
    bargaining_range,
    breakdown_split,
    expected_utility_forecast,
    gamblers_ruin,
    ks_split,
    nash_split,
    nash_split_with_war,
    rubinstein_split,
    weighted_median,
)

TOL = 1e-6


def identity(share: float) -> float:
    return share


def quadratic(share: float) -> float:
    """u2(y) = 1 - (1 - y)^2, so that with u1(x) = x the frontier is u2 = 1 - u1^2."""
    return 1.0 - (1.0 - share) ** 2


# European Community emissions case (Bueno de Mesquita 1994; Scholz et al. 2011).
EC_ACTORS = {
    # name: (capability, position, salience)
    "Netherlands": (8, 4, 80),
    "Belgium": (8, 7, 40),
    "Luxembourg": (3, 4, 20),
    "Germany": (16, 4, 80),
    "France": (16, 10, 60),
    "Italy": (16, 10, 60),
    "UK": (16, 10, 90),
    "Ireland": (5, 7, 10),
    "Denmark": (5, 4, 100),
    "Greece": (8, 7, 70),
}
EC_C = np.array([v[0] for v in EC_ACTORS.values()], dtype=float)
EC_X = np.array([v[1] for v in EC_ACTORS.values()], dtype=float)
EC_S = np.array([v[2] for v in EC_ACTORS.values()], dtype=float)


def ec_forecast(rounds: int = 8) -> ForecastResult:
    return expected_utility_forecast(EC_C, EC_S, EC_X, rounds=rounds)


# ---------------------------------------------------------------------------
# RESEARCH.md section 3, row by row
# ---------------------------------------------------------------------------


def test_table_rubinstein_patient_equal():
    assert rubinstein_split(0.9, 0.9) == pytest.approx(0.526316, abs=TOL)


def test_table_rubinstein_half():
    assert rubinstein_split(0.5, 0.5) == pytest.approx(2 / 3, abs=TOL)


def test_table_rubinstein_outside_option_of_responder():
    assert rubinstein_split(0.9, 0.9, outside=(0.0, 0.6)) == pytest.approx(0.4, abs=TOL)


def test_table_breakdown_risk():
    assert breakdown_split(0.5, b=(0.2, 0.1)) == pytest.approx(2 / 3, abs=TOL)


def test_table_nash_linear_with_disagreement():
    assert nash_split(identity, identity, d=(0.2, 0.0)) == pytest.approx(0.6, abs=TOL)


@pytest.mark.parametrize(("a", "b"), [(1.0, 1.0), (2.0, 1.0), (0.5, 1.5), (3.0, 0.25)])
def test_table_nash_power_utilities(a, b):
    x = nash_split(lambda s: s**a, lambda s: s**b)
    assert x == pytest.approx(a / (a + b), abs=TOL)


def test_table_kalai_smorodinsky_quadratic_frontier():
    # u1 = x and u2 = 1 - x^2 on the frontier; ideal point (1, 1); x = 1 - x^2.
    assert ks_split(identity, quadratic) == pytest.approx(0.618034, abs=TOL)


def test_table_fearon_range():
    low, high = bargaining_range(0.6, 0.1, 0.15)
    assert (low, high) == (pytest.approx(0.5, abs=TOL), pytest.approx(0.75, abs=TOL))


def test_table_nash_with_war():
    assert nash_split_with_war(0.6, 0.1, 0.15) == pytest.approx(0.625, abs=TOL)


def test_table_gamblers_ruin():
    assert gamblers_ruin(0.6, 2, 4) == pytest.approx(0.692308, abs=TOL)


# ---------------------------------------------------------------------------
# Hand-derived cases
# ---------------------------------------------------------------------------


def test_rubinstein_asymmetric_patience():
    # (1 - 0.8) / (1 - 0.9 * 0.8) = 0.2 / 0.28 = 5/7.
    assert rubinstein_split(0.9, 0.8) == pytest.approx(5 / 7, abs=TOL)


def test_rubinstein_weak_outside_option_is_irrelevant():
    # Without options M2 = 10/19, and delta2 * M2 = 0.4737 > w2 = 0.4: the option
    # never binds (outside option principle), so x1 stays 1/1.9 = 10/19.
    assert rubinstein_split(0.9, 0.9, outside=(0.0, 0.4)) == pytest.approx(10 / 19, abs=TOL)


def test_rubinstein_proposer_outside_option_binds():
    # w1 = 0.6 binds when side 2 proposes: M2 = 1 - 0.6 = 0.4, then
    # M1 = 1 - 0.9 * 0.4 = 0.64; check: delta1 * M1 = 0.576 < 0.6 (binds indeed).
    assert rubinstein_split(0.9, 0.9, outside=(0.6, 0.0)) == pytest.approx(0.64, abs=TOL)


def test_rubinstein_both_outside_options_bind():
    # M1 = 1 - w2 = 0.5 and M2 = 1 - w1 = 0.54; checks: delta2 * M2 = 0.486 < 0.5
    # and delta1 * M1 = 0.45 < 0.46, so both options bind.
    assert rubinstein_split(0.9, 0.9, outside=(0.46, 0.5)) == pytest.approx(0.5, abs=TOL)


def test_breakdown_certain_is_ultimatum():
    # q = 1: a rejection ends talks for sure, so side 2 accepts anything >= b2.
    assert breakdown_split(1.0, b=(0.2, 0.1)) == pytest.approx(0.9, abs=TOL)


def test_breakdown_no_risk_is_nash_of_breakdown_point():
    # q = 0: (1 - 0.1 + 0.2) / 2 = 0.55 = 0.2 + (1 - 0.2 - 0.1) / 2, the Nash split.
    assert breakdown_split(0.0, b=(0.2, 0.1)) == pytest.approx(0.55, abs=TOL)


def test_nash_linear_other_disagreement_point():
    # d1 + (1 - d1 - d2) / 2 = 0.1 + 0.6 / 2 = 0.4.
    assert nash_split(identity, identity, d=(0.1, 0.3)) == pytest.approx(0.4, abs=TOL)


def test_nash_quadratic_frontier_differs_from_ks():
    # Maximise x (1 - x^2): 1 - 3 x^2 = 0, x = 1/sqrt(3) = 0.577350 (KS gives 0.618).
    assert nash_split(identity, quadratic) == pytest.approx(1 / math.sqrt(3), abs=TOL)


def test_nash_scale_invariance():
    # Doubling side 2's utility and its disagreement value changes nothing.
    assert nash_split(identity, lambda y: 2 * y, d=(0.2, 0.0)) == pytest.approx(0.6, abs=TOL)


def test_nash_single_feasible_split():
    # d = (0.3, 0.7) leaves only x = 0.3 with both factors >= 0.
    assert nash_split(identity, identity, d=(0.3, 0.7)) == pytest.approx(0.3, abs=TOL)


def test_ks_linear_equals_nash():
    # Feasible x in [0.2, 0.9], ideal (0.9, 0.8): (x - 0.2)/0.7 = (0.9 - x)/0.7,
    # so x = 0.55, the same as Nash for a linear frontier.
    assert ks_split(identity, identity, d=(0.2, 0.1)) == pytest.approx(0.55, abs=TOL)


def test_ks_quadratic_frontier_with_disagreement():
    # d = (0, 0.64): side 2 needs 1 - x^2 >= 0.64, so x <= 0.6 and ideal is (0.6, 1).
    # x / 0.6 = (0.36 - x^2) / 0.36 gives x^2 + 0.6 x - 0.36 = 0,
    # x = (-0.6 + sqrt(1.8)) / 2 = 0.370820.
    expected = (-0.6 + math.sqrt(1.8)) / 2
    assert ks_split(identity, quadratic, d=(0.0, 0.64)) == pytest.approx(expected, abs=TOL)


def test_fearon_range_clipped_at_one():
    # p + c_B = 1.15 is clipped to 1; p - c_A = 0.85.
    assert bargaining_range(0.95, 0.1, 0.2) == (pytest.approx(0.85), 1.0)


def test_nash_with_war_clipped_at_one():
    # 0.95 + (0.2 - 0.0) / 2 = 1.05, clipped to 1.
    assert nash_split_with_war(0.95, 0.0, 0.2) == 1.0


def test_gamblers_ruin_fair_battles():
    # q = 1/2: k / n = 3 / 10.
    assert gamblers_ruin(0.5, 3, 10) == pytest.approx(0.3, abs=TOL)


def test_gamblers_ruin_unfavourable_battles():
    # r = 1.5: (1 - 2.25) / (1 - 5.0625) = 1.25 / 4.0625 = 0.307692.
    assert gamblers_ruin(0.4, 2, 4) == pytest.approx(0.307692, abs=TOL)


@pytest.mark.parametrize(
    ("q", "k", "n", "expected"),
    [
        (0.3, 0, 5, 0.0),
        (0.3, 5, 5, 1.0),
        (0.0, 3, 5, 0.0),
        (1.0, 3, 5, 1.0),
    ],
)
def test_gamblers_ruin_boundaries(q, k, n, expected):
    assert gamblers_ruin(q, k, n) == expected


def test_gamblers_ruin_long_front_does_not_overflow():
    # r = 9, n = 1000: r**1000 overflows a float, but
    # (1 - r**k) / (1 - r**n) = r**(k - n) (1 - r**-k) / (1 - r**-n) ~ 9**-100.
    assert gamblers_ruin(0.1, 900, 1000) == pytest.approx(9.0**-100, rel=1e-9)
    assert gamblers_ruin(0.9, 100, 1000) == pytest.approx(1.0, abs=1e-12)


def test_gamblers_ruin_continuous_at_one_half():
    assert gamblers_ruin(0.5 + 1e-12, 3, 10) == pytest.approx(0.3, abs=1e-9)


def test_weighted_median_ec_data():
    # Weights c*s: 2480 at 4, 930 at 7, 3360 at 10 (total 6770); 2480 < 3385 <= 3410.
    assert weighted_median(EC_X, EC_C * EC_S) == 7.0


def test_weighted_median_exact_half_returns_lower():
    assert weighted_median([2.0, 1.0], [1.0, 1.0]) == 1.0


def test_weighted_median_skips_zero_weight_positions():
    assert weighted_median([0.0, 1.0, 5.0], [1.0, 0.0, 2.0]) == 5.0


# ---------------------------------------------------------------------------
# Expected-utility forecast on the EC emissions data
# ---------------------------------------------------------------------------


def test_ec_starting_weighted_mean():
    assert round(float(ec_forecast().weighted_mean[0]), 2) == 7.39


def test_ec_starting_median_voter():
    assert ec_forecast().median_voter[0] == 7.0


def test_ec_result_shapes():
    result = ec_forecast(rounds=5)
    assert result.positions.shape == (6, 10)
    assert result.weighted_mean.shape == (6,)
    assert result.median_voter.shape == (6,)
    assert result.risk_exponents.shape == (5, 10)


def test_ec_first_row_is_input():
    np.testing.assert_array_equal(ec_forecast().positions[0], EC_X)


def test_ec_positions_stay_in_original_range():
    positions = ec_forecast(rounds=20).positions
    assert positions.min() >= 4.0 and positions.max() <= 10.0


def test_ec_risk_exponents_in_range():
    risk = ec_forecast().risk_exponents
    assert risk.min() >= 0.5 - 1e-12 and risk.max() <= 2.0 + 1e-12


def test_ec_most_and_least_exposed_actors_get_extreme_risk():
    # The mapping sends the most exposed actor to r = 0.5 and the safest to r = 2.
    risk = ec_forecast(rounds=1).risk_exponents[0]
    assert risk.min() == pytest.approx(0.5) and risk.max() == pytest.approx(2.0)


def test_ec_summaries_match_positions():
    result = ec_forecast()
    weight = EC_C * EC_S
    np.testing.assert_allclose(result.weighted_mean, result.positions @ weight / weight.sum())
    medians = [weighted_median(row, weight) for row in result.positions]
    np.testing.assert_array_equal(result.median_voter, medians)


def test_ec_somebody_moves():
    positions = ec_forecast(rounds=1).positions
    assert not np.array_equal(positions[0], positions[1])


def test_ec_invariant_to_actor_order():
    order = np.array([3, 9, 0, 7, 1, 5, 2, 8, 4, 6])
    base = ec_forecast()
    permuted = expected_utility_forecast(EC_C[order], EC_S[order], EC_X[order], rounds=8)
    np.testing.assert_allclose(permuted.positions, base.positions[:, order], atol=1e-9)


def test_ec_invariant_to_reversing_the_scale():
    mirrored = expected_utility_forecast(EC_C, EC_S, -EC_X, rounds=8)
    np.testing.assert_allclose(mirrored.positions, -ec_forecast().positions, atol=1e-9)


def test_ec_invariant_to_units_of_position():
    # Positions are rescaled by their range, so years or months give the same forecast.
    shifted = expected_utility_forecast(EC_C, EC_S, 12 * EC_X + 1990, rounds=8)
    np.testing.assert_allclose(shifted.positions, 12 * ec_forecast().positions + 1990, atol=1e-8)


def test_ec_invariant_to_units_of_capability():
    scaled = expected_utility_forecast(100 * EC_C, EC_S, EC_X, rounds=8)
    np.testing.assert_allclose(scaled.positions, ec_forecast().positions, atol=1e-12)


def test_ec_salience_scale_argument():
    unit = expected_utility_forecast(EC_C, EC_S / 100, EC_X, rounds=8, salience_scale=1.0)
    np.testing.assert_allclose(unit.positions, ec_forecast().positions, atol=1e-12)


def test_zero_rounds_returns_the_input_only():
    result = ec_forecast(rounds=0)
    assert result.positions.shape == (1, 10)
    assert result.risk_exponents.shape == (0, 10)


def test_unanimous_actors_do_not_move():
    result = expected_utility_forecast([3, 5, 1], [20, 90, 50], [6, 6, 6], rounds=4)
    assert np.all(result.positions == 6.0)
    assert np.all(result.risk_exponents == 1.0)


def test_symmetric_dyad_stays_put():
    # Equal actors at 0 and 10: each wins with probability 1/2 and each side's
    # gain from challenging equals the other's, so neither loses a confrontation.
    result = expected_utility_forecast([1, 1], [50, 50], [0, 10], rounds=5)
    assert np.all(result.positions == [0.0, 10.0])


def test_symmetric_configuration_keeps_its_centre():
    result = expected_utility_forecast(
        [3, 1, 2, 1, 3], [60, 30, 80, 30, 60], [0, 2, 5, 8, 10], rounds=8
    )
    np.testing.assert_allclose(result.positions + result.positions[:, ::-1], 10.0, atol=1e-9)
    np.testing.assert_allclose(result.weighted_mean, 5.0, atol=1e-9)


def test_zero_salience_actor_never_resists_and_moves():
    # A target with salience 0 never resists, so a challenger's gain is
    # U_s - U_sq > 0 and at least the gain of the target's own counter-challenge:
    # it always receives a proposal that moves it.
    result = expected_utility_forecast([5, 5, 1], [50, 50, 0], [0, 10, 3], rounds=1)
    assert result.positions[1, 2] != 3.0


def test_zero_salience_actor_has_no_weight_in_summaries():
    with_idle = expected_utility_forecast([5, 5, 9], [50, 60, 0], [0, 10, 3], rounds=0)
    without = expected_utility_forecast([5, 5], [50, 60], [0, 10], rounds=0)
    assert with_idle.weighted_mean[0] == pytest.approx(without.weighted_mean[0])
    assert with_idle.median_voter[0] == without.median_voter[0]


def test_single_actor_stays():
    result = expected_utility_forecast([2], [50], [7.5], rounds=3)
    assert np.all(result.positions == 7.5)
    assert np.all(result.weighted_mean == 7.5)


# ---------------------------------------------------------------------------
# Property tests
# ---------------------------------------------------------------------------

unit = st.floats(0.0, 1.0)
delta = st.floats(0.01, 0.99)
exponent = st.floats(0.2, 5.0)
cost = st.floats(0.0, 1.0)


@given(a=exponent, frac=st.floats(0.0, 0.95))
def test_prop_nash_symmetric_game_splits_evenly(a, frac):
    d = frac * 0.5**a  # equal disagreement values that still leave a surplus
    assert nash_split(lambda x: x**a, lambda y: y**a, d=(d, d)) == pytest.approx(0.5, abs=TOL)


@given(a=exponent, b=exponent)
def test_prop_nash_power_utilities_closed_form(a, b):
    x = nash_split(lambda s: s**a, lambda s: s**b)
    assert x == pytest.approx(a / (a + b), abs=TOL)


@given(a=exponent, frac=st.floats(0.0, 0.95))
def test_prop_ks_symmetric_game_splits_evenly(a, frac):
    d = frac * 0.5**a
    assert ks_split(lambda x: x**a, lambda y: y**a, d=(d, d)) == pytest.approx(0.5, abs=TOL)


@given(d1=st.floats(0.0, 0.5), d2=st.floats(0.0, 0.5))
def test_prop_ks_equals_nash_for_linear_utilities(d1, d2):
    assert ks_split(identity, identity, (d1, d2)) == pytest.approx(
        nash_split(identity, identity, (d1, d2)), abs=TOL
    )


@given(p=unit, cost_a=cost, cost_b=cost)
def test_prop_nash_with_war_agrees_with_general_nash(p, cost_a, cost_b):
    general = nash_split(identity, identity, d=(p - cost_a, 1 - p - cost_b))
    assert nash_split_with_war(p, cost_a, cost_b) == pytest.approx(general, abs=TOL)


@given(p=unit, cost_a=cost, cost_b=cost)
def test_prop_nash_with_war_lies_in_bargaining_range(p, cost_a, cost_b):
    bounds = bargaining_range(p, cost_a, cost_b)
    assert bounds is not None
    assert bounds[0] <= nash_split_with_war(p, cost_a, cost_b) <= bounds[1]


@given(p=unit, cost_a=cost, extra=cost, cost_b=cost)
def test_prop_costlier_war_never_raises_own_share(p, cost_a, extra, cost_b):
    assert nash_split_with_war(p, cost_a + extra, cost_b) <= nash_split_with_war(p, cost_a, cost_b)
    assert nash_split_with_war(p, cost_b, cost_a + extra) >= nash_split_with_war(p, cost_b, cost_a)


@given(d1=delta, step=st.floats(0.0, 0.5), d2=delta, w1=st.floats(0, 0.5), w2=st.floats(0, 0.5))
def test_prop_patience_never_lowers_rubinstein_share(d1, step, d2, w1, w2):
    d1_more = min(d1 + step, 0.99)
    low = rubinstein_split(d1, d2, (w1, w2))
    assert rubinstein_split(d1_more, d2, (w1, w2)) >= low - 1e-12


@given(d1=delta, d2=delta)
def test_prop_rubinstein_closed_form(d1, d2):
    assert rubinstein_split(d1, d2) == pytest.approx((1 - d2) / (1 - d1 * d2), abs=1e-12)


@given(d=delta)
def test_prop_rubinstein_first_mover_advantage(d):
    # Equal patience is not a 50:50 split: the proposer gets 1/(1 + d) > 1/2.
    assert rubinstein_split(d, d) == pytest.approx(1 / (1 + d), abs=1e-12)
    assert rubinstein_split(d, d) > 0.5


@given(d1=delta, d2=delta, w1=st.floats(0, 0.5), w2=st.floats(0, 0.5))
def test_prop_rubinstein_solves_bss_equations(d1, d2, w1, w2):
    m1 = rubinstein_split(d1, d2, (w1, w2))
    m2 = rubinstein_split(d2, d1, (w2, w1))  # side 2 proposing first
    assert m1 == pytest.approx(1 - max(w2, d2 * m2), abs=1e-9)
    assert m2 == pytest.approx(1 - max(w1, d1 * m1), abs=1e-9)


@given(b=st.floats(0.0, 0.5))
def test_prop_breakdown_without_risk_splits_symmetric_game_evenly(b):
    assert breakdown_split(0.0, (b, b)) == pytest.approx(0.5, abs=1e-12)


@given(q=unit, b=st.floats(0.0, 0.5))
def test_prop_breakdown_proposer_advantage_grows_with_risk(q, b):
    # With b1 = b2 = b, x1 - 1/2 = q (1 - 2b) / (2 (2 - q)) >= 0, increasing in q.
    x1 = breakdown_split(q, (b, b))
    assert x1 == pytest.approx(0.5 + q * (1 - 2 * b) / (2 * (2 - q)), abs=1e-12)
    assert x1 >= 0.5 - 1e-12


@given(b1=st.floats(0.0, 0.5), b2=st.floats(0.0, 0.5))
def test_prop_breakdown_tends_to_nash(b1, b2):
    # Binmore-Rubinstein-Wolinsky: as q -> 0 the split tends to the Nash split.
    nash = nash_split(identity, identity, (b1, b2))
    assert breakdown_split(1e-9, (b1, b2)) == pytest.approx(nash, abs=TOL)


@given(q=st.floats(0.01, 0.99), n=st.integers(1, 60), data=st.data())
def test_prop_gamblers_ruin_complement(q, n, data):
    k = data.draw(st.integers(0, n))
    total = gamblers_ruin(q, k, n) + gamblers_ruin(1 - q, n - k, n)
    assert total == pytest.approx(1.0, abs=1e-9)


@given(q=st.floats(0.01, 0.99), n=st.integers(2, 60), data=st.data())
def test_prop_gamblers_ruin_increases_with_position(q, n, data):
    k = data.draw(st.integers(0, n - 1))
    assert gamblers_ruin(q, k + 1, n) >= gamblers_ruin(q, k, n)


@given(
    st.lists(st.tuples(st.integers(-20, 20), st.integers(0, 10)), min_size=1, max_size=12).filter(
        lambda pairs: sum(w for _, w in pairs) > 0
    )
)
def test_prop_weighted_median_beats_or_ties_every_position(pairs):
    x = np.array([p for p, _ in pairs], dtype=float)
    w = np.array([wt for _, wt in pairs], dtype=float)
    median = weighted_median(x, w)
    for other in x:
        votes_for_median = np.sum(w * (np.abs(x - other) - np.abs(x - median)))
        assert votes_for_median >= 0


actor = st.tuples(st.integers(0, 20), st.integers(0, 100), st.integers(-50, 50))


@settings(max_examples=40, deadline=None)
@given(st.lists(actor, min_size=1, max_size=7).filter(lambda a: any(c * s for c, s, _ in a)))
def test_prop_forecast_stays_in_range_with_valid_risk(actors):
    c, s, x = (np.array(col, dtype=float) for col in zip(*actors, strict=True))
    result = expected_utility_forecast(c, s, x, rounds=4)
    assert result.positions.min() >= x.min() and result.positions.max() <= x.max()
    assert np.all((result.risk_exponents >= 0.5 - 1e-12) & (result.risk_exponents <= 2 + 1e-12))
    slack = 1e-9 * (1 + np.abs(x).max())  # the mean is a rounded average
    assert result.weighted_mean.min() >= x.min() - slack
    assert result.weighted_mean.max() <= x.max() + slack


@settings(max_examples=40, deadline=None)
@given(st.lists(actor, min_size=2, max_size=7).filter(lambda a: any(c * s for c, s, _ in a)))
def test_prop_forecast_first_round_invariant_to_affine_rescaling(actors):
    c, s, x = (np.array(col, dtype=float) for col in zip(*actors, strict=True))
    base = expected_utility_forecast(c, s, x, rounds=1)
    moved = expected_utility_forecast(c, s, 4 * x - 7, rounds=1)
    np.testing.assert_allclose(moved.positions, 4 * base.positions - 7, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(actor, min_size=2, max_size=7).filter(lambda a: any(c * s for c, s, _ in a)),
    st.randoms(use_true_random=False),
)
def test_prop_forecast_does_not_depend_on_actor_order(actors, random):
    c, s, x = (np.array(col, dtype=float) for col in zip(*actors, strict=True))
    order = np.array(random.sample(range(len(x)), len(x)))
    base = expected_utility_forecast(c, s, x, rounds=4)
    permuted = expected_utility_forecast(c[order], s[order], x[order], rounds=4)
    np.testing.assert_allclose(permuted.positions, base.positions[:, order], atol=1e-9)


# ---------------------------------------------------------------------------
# Arguments outside their domain
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: rubinstein_split(1.2, 0.9), r"delta1 must be in \(0, 1\), got 1.2"),
        (lambda: rubinstein_split(0.0, 0.9), "delta1"),
        (lambda: rubinstein_split(0.9, 1.0), "delta2"),
        (lambda: rubinstein_split(0.9, math.nan), "delta2"),
        (lambda: rubinstein_split(0.9, 0.9, (0.7, 0.5)), "outside must sum to at most 1"),
        (lambda: rubinstein_split(0.9, 0.9, (-0.1, 0.5)), r"outside\[0\]"),
        (lambda: rubinstein_split(0.9, 0.9, (0.1, 0.2, 0.3)), "outside must have exactly 2"),
        (lambda: breakdown_split(-0.1), r"q must be in \[0, 1\]"),
        (lambda: breakdown_split(1.5, (0.1, 0.1)), "q must be"),
        (lambda: breakdown_split(0.5, (0.6, 0.6)), "b must sum to at most 1"),
        (lambda: breakdown_split(0.5, (0.1, 1.2)), r"b\[1\]"),
        (lambda: bargaining_range(1.2, 0.1, 0.1), r"p must be in \[0, 1\]"),
        (lambda: bargaining_range(0.5, -0.1, 0.1), "cost_a must be a finite number >= 0"),
        (lambda: bargaining_range(0.5, 0.1, -0.1), "cost_b"),
        (lambda: nash_split_with_war(-0.1, 0.1, 0.1), "p must be"),
        (lambda: nash_split_with_war(0.5, 0.1, math.inf), "cost_b"),
        (lambda: gamblers_ruin(1.1, 1, 2), "q must be"),
        (lambda: gamblers_ruin(0.5, -1, 4), "k must be in 0..n"),
        (lambda: gamblers_ruin(0.5, 5, 4), "k must be in 0..n"),
        (lambda: gamblers_ruin(0.5, 0, 0), "n must be an integer >= 1"),
        (lambda: gamblers_ruin(0.5, 1.5, 4), "k and n must be integers"),
        (lambda: nash_split(identity, identity, d=(0.7, 0.5)), "d is not achievable"),
        (lambda: nash_split(identity, identity, d=(1.1, 0.0)), "d is not achievable"),
        (lambda: nash_split(identity, identity, d=(0.1,)), "d must have exactly 2"),
        (lambda: ks_split(identity, identity, d=(0.6, 0.6)), "d is not achievable"),
        (lambda: weighted_median([], []), "positions must not be empty"),
        (lambda: weighted_median([1.0, 2.0], [1.0]), "lengths must match"),
        (lambda: weighted_median([1.0, 2.0], [1.0, -1.0]), "weights must be >= 0"),
        (lambda: weighted_median([1.0, 2.0], [0.0, 0.0]), "weights must not all be zero"),
        (lambda: expected_utility_forecast([], [], []), "capabilities must not be empty"),
        (lambda: expected_utility_forecast([1, 2], [50], [1, 2]), "lengths must match"),
        (lambda: expected_utility_forecast([-1, 2], [50, 50], [1, 2]), "capabilities must be >= 0"),
        (lambda: expected_utility_forecast([1, 2], [50, 150], [1, 2]), "saliences must be in"),
        (lambda: expected_utility_forecast([1, 2], [50, 50], [1, math.nan]), "positions must be"),
        (lambda: expected_utility_forecast([1], [50], [1], rounds=-1), "rounds must be"),
        (lambda: expected_utility_forecast([1], [50], [1], rounds=2.5), "rounds must be"),
        (lambda: expected_utility_forecast([0, 2], [50, 0], [1, 2]), "must not be zero"),
        (
            lambda: expected_utility_forecast([1], [50], [1], salience_scale=0.0),
            "salience_scale must be",
        ),
    ],
)
def test_invalid_arguments_raise_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
