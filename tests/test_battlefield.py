"""The battlefield's array functions, on hand-made numbers."""

from __future__ import annotations

import numpy as np
import pytest

from simulator import battlefield
from simulator.streams import Streams


def test_equal_power_gives_even_odds():
    p = battlefield.win_probability(np.array([300.0]), np.array([300.0]), np.array([1.5]))
    assert p == pytest.approx([0.5])


@pytest.mark.parametrize(("exponent", "expected"), [(1.0, 2 / 3), (2.0, 0.8), (0.5, 0.585786)])
def test_contest_success_function_matches_tullock(exponent, expected):
    # P = A^m / (A^m + B^m) with A = 2, B = 1.
    p = battlefield.win_probability(np.array([2.0]), np.array([1.0]), np.array([exponent]))
    assert p[0] == pytest.approx(expected, abs=1e-6)


def test_side_without_power_loses_every_engagement():
    p = battlefield.win_probability(np.array([0.0, 5.0]), np.array([5.0, 0.0]), np.ones(2))
    assert p.tolist() == [0.0, 1.0]


def test_huge_exponent_does_not_overflow():
    p = battlefield.win_probability(np.array([2.0]), np.array([1.0]), np.array([5000.0]))
    assert p[0] == pytest.approx(1.0)


def test_fight_splits_every_engagement_between_the_sides():
    streams = Streams(np.random.SeedSequence(1), 0, 4)
    engagements = np.array([0.0, 3.4, 10.0, 10.0])
    wins, losses = battlefield.fight(streams, 1, engagements, np.array([0.5, 0.5, 1.0, 0.0]))
    assert (wins + losses).tolist() == [0, 3, 10, 10]
    assert wins[2] == 10 and wins[3] == 0


def test_losses_only_while_fighting():
    lost = battlefield.losses(
        np.array([0.02, 0.02]), np.array([500.0, 500.0]), np.array([True, False])
    )
    assert lost.tolist() == [10.0, 0.0]


def test_forces_never_fall_below_zero():
    after = battlefield.replenish(
        np.array([5.0, 100.0]), np.array([20.0, 10.0]), np.array([1.0, 2.0])
    )
    assert after.tolist() == [0.0, 92.0]


def test_advance_moves_by_net_wins_and_stays_in_bounds():
    share = battlefield.area_share_per_win(np.array([50.0]), np.array([100_000.0]))
    assert share[0] == pytest.approx(0.0005)
    moved = battlefield.advance(
        np.array([0.5, 0.9999, 0.0001]), np.array([4, 10, -10]), np.full(3, 0.0005)
    )
    assert moved.tolist() == pytest.approx([0.502, 1.0, 0.0])


def test_even_belief_expects_no_movement_and_certainty_expects_full_drift():
    control = np.array([0.6, 0.6])
    expected = battlefield.expected_control(
        control, np.array([0.5, 1.0]), np.full(2, 10.0), np.full(2, 0.001), np.full(2, 20.0)
    )
    # p = 1: 20 weeks x 10 engagements x (2 - 1) x 0.001 = 0.2 more.
    assert expected.tolist() == pytest.approx([0.6, 0.8])


def test_effort_counts_each_town_kilometre_defence_times():
    # A town from 2 to 5 km with defence 4: 2 km of open ground, then 3 km at 4x.
    belts = [(np.array([2.0]), np.array([5.0]), np.array([4.0]))]
    distances = np.array([1.0, 2.0, 3.0, 5.0, 7.0])
    effort = battlefield.effort_at(distances, [(b[0], b[1], b[2]) for b in belts])
    assert effort.tolist() == [1.0, 2.0, 6.0, 14.0, 16.0]


def test_effort_starts_at_zero_when_the_line_is_inside_a_town():
    # Fighting inside the town already: the line (0) is 1 km into a 3 km belt.
    belts = [(np.array([-1.0]), np.array([2.0]), np.array([3.0]))]
    effort = battlefield.effort_at(np.array([0.0, 2.0, -1.0]), belts)
    assert effort.tolist() == [0.0, 6.0, -3.0]


def test_resistance_only_inside_the_belt():
    belts = [(np.array([2.0]), np.array([14.0]), np.array([4.0]))]
    slow = battlefield.resistance(np.array([0.0, 2.0, 13.9, 14.0]), belts)
    assert slow.tolist() == [1.0, 4.0, 4.0, 1.0]


@pytest.mark.parametrize("belts", [1, 2])
@pytest.mark.parametrize("inside_share", [0.05, 0.9])
def test_slowed_share_is_the_plain_formula_whichever_rows_it_works_on(belts, inside_share):
    # Few rows inside a belt: worked out on those rows alone; many: on every row. Either
    # way the absorbed wins are on_axis * (1 - 1 / resistance), bit for bit.
    rng = np.random.default_rng(belts)
    n = 2000
    spec = [
        (np.full(n, 10.0 * b), np.full(n, 10.0 * b + 5.0), rng.uniform(1.5, 4.0, n))
        for b in range(1, belts + 1)
    ]
    inside = rng.random(n) < inside_share
    effort = np.where(inside, 12.0 + rng.uniform(0.0, 2.0, n), rng.uniform(-5.0, 9.0, n))
    on_axis = rng.integers(-6, 7, n) * rng.uniform(0.2, 0.8, n)
    rows, absorbed = battlefield.slowed_share(on_axis, effort, spec)
    plain = on_axis * (1.0 - 1.0 / battlefield.resistance(effort, spec))
    area = np.zeros(n)
    area[rows] += absorbed
    assert np.array_equal(area, plain)
