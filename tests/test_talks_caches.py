"""What the talks keep from week to week is what working it out afresh would give."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulator.model import CeasefireModel
from simulator.scenario import load_scenario
from simulator.talks.utility import concede_towards, concession_line

REPLICATIONS = 64


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline")


def after_weeks(scenario, seed: int, weeks: int):
    """A model of the scenario after ``weeks`` weeks, and what preparing this week's
    talks takes besides the two sides: the rounds so far, nobody proposing, and the
    replications where talks are open."""
    model = CeasefireModel(scenario, replications=REPLICATIONS, seed=seed, collect=False)
    for _ in range(weeks):
        model.step()
    proposing = np.zeros(REPLICATIONS, dtype=bool)
    return model, (model.talks.rounds, proposing, model._talks_open())


def test_the_concession_line_is_kept_while_the_ideals_stand(baseline):
    """The line toward the other side's ideal is reused for the same ideal arrays and
    worked out afresh for new ones, with the values a fresh line has."""
    model = CeasefireModel(baseline, replications=REPLICATIONS, seed=5, collect=False)
    holder, defender = model.belligerents
    positions = holder.positions
    ideal = positions.ideal_now(model.front.control)
    other = defender.positions.ideal_now(model.front.control)
    line = positions.concession_line(ideal, other)
    assert positions.concession_line(ideal, other) is line
    moved = other.copy()
    moved[:, 0] = 1.0 - moved[:, 0]
    fresh = positions.concession_line(ideal, moved)
    assert fresh is not line
    expected = concession_line(ideal, moved, positions.weights)
    for got, want in zip(fresh, expected, strict=True):
        np.testing.assert_array_equal(got, want)


def test_asks_along_a_kept_line_are_the_asks_worked_out_afresh(baseline):
    """After weeks of talks each side's ask is, bit for bit, the terms that conceding
    toward the other side's ideal from scratch gives for its threshold (then clipped
    to its red lines)."""
    model, this_week = after_weeks(baseline, seed=7, weeks=12)
    holder, defender = model.belligerents
    for side, other in ((holder, defender), (defender, holder)):
        party = side.prepare_for_talks(model, other, *this_week)
        other_ideal = other.positions.ideal_now(model.front.control)
        ask = concede_towards(party.ideal, other_ideal, party.weights, party.threshold)
        expected = np.minimum(np.maximum(ask, party.low), party.high)
        assert party.ask.tobytes() == expected.tobytes()


def test_truce_answers_follow_the_levers(baseline):
    """The answers to a truce on strikes are kept while the levers stand and follow
    them when they change (here: sanctions quadrupled on the holder)."""
    model, _ = after_weeks(baseline, seed=3, weeks=3)
    holder, defender = model.belligerents

    def fresh(side, other):
        relief = side.strike_relief
        return (relief > 0.0) & (relief >= side.strike_value * other.strike_relief)

    kept = holder.accepts_truce(defender)
    assert holder.accepts_truce(defender) is kept
    assert not kept.flags.writeable  # shared week after week: nobody may change it
    np.testing.assert_array_equal(kept, fresh(holder, defender))
    assert model.mediator is not None
    model.mediator.sanctions_level = model.mediator.sanctions_level * 4.0
    model._update_levers()
    changed = holder.accepts_truce(defender)
    assert changed is not kept
    np.testing.assert_array_equal(changed, fresh(holder, defender))
    np.testing.assert_array_equal(defender.accepts_truce(holder), fresh(defender, holder))


def test_crossing_costs_left_for_later_are_this_weeks(baseline):
    """A side's costs of crossing its red lines, worked out only when a text crosses
    one, are the costs of the week it prepared for, even after more weeks of losses;
    its answers are those of a party given the costs at once."""
    model, this_week = after_weeks(baseline, seed=9, weeks=10)
    holder, defender = model.belligerents
    side = next(s for s in (holder, defender) if s.positions.crossable)
    other = defender if side is holder else holder
    party = side.prepare_for_talks(model, other, *this_week)
    now = side.crossing_cost_now()
    assert party.crossing_cost is None and party.crossing_cost_later is not None
    eager = dataclasses.replace(party, crossing_cost=now, crossing_cost_later=None)
    for _ in range(3):
        model.step()  # losses grow in place
    assert not np.array_equal(side.crossing_cost_now(), now)
    # terms beyond every red line of the side, and terms at its ideal
    for terms in (np.where(party.ideal < 0.5, 1.0, 0.0), party.ideal.copy()):
        np.testing.assert_array_equal(party.accepts(terms), eager.accepts(terms))
    np.testing.assert_array_equal(party.crossing_costs(), now)
