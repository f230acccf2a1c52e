"""Talks: spatial utility, each negotiator strategy, drafting rules and protocols."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.talks import DRAFTERS, NEGOTIATORS, PROTOCOLS
from simulator.talks.base import MediatorView, Party, Situation
from simulator.talks.utility import (
    concede_towards,
    normalised_weights,
    reservation_point,
    utility,
)


def arr(*values: float) -> np.ndarray:
    return np.array(values, dtype=float)


def one_issue_party(
    ideal: float,
    walk_away: float,
    threshold: float | None = None,
    ask: float | None = None,
    low: float = 0.0,
    high: float = 1.0,
) -> Party:
    """A party on one issue with weight 1: utility 1 - |x - ideal|."""
    return Party(
        ideal=arr(ideal)[:, None],
        weights=arr(1.0)[:, None],
        walk_away=arr(walk_away),
        threshold=arr(walk_away if threshold is None else threshold),
        ask=arr(ideal if ask is None else ask)[:, None],
        low=arr(low)[:, None],
        high=arr(high)[:, None],
    )


# ------------------------------------------------------------------------------ utility


def test_weights_sum_to_one_per_unit_of_scale():
    weights = normalised_weights(arr(3.0, 1.0)[None, :], arr(1.0, 2.0))
    assert weights[0].tolist() == pytest.approx([0.75, 0.125])


def test_all_zero_salience_weighs_issues_equally():
    weights = normalised_weights(np.zeros((1, 2)), np.ones(2))
    assert weights[0].tolist() == [0.5, 0.5]


def test_utility_is_one_at_the_ideal_and_falls_linearly():
    ideal, weights = arr(1.0, 0.0)[None, :], arr(0.7, 0.3)[None, :]
    assert utility(ideal, ideal, weights)[0] == 1.0
    assert utility(arr(0.5, 1.0)[None, :], ideal, weights)[0] == pytest.approx(1 - 0.35 - 0.3)


def test_concession_reaches_exactly_the_target_utility():
    ideal, other = arr(1.0, 1.0)[None, :], arr(0.0, 0.0)[None, :]
    weights = arr(0.7, 0.3)[None, :]
    terms = concede_towards(ideal, other, weights, arr(0.8))
    assert utility(terms, ideal, weights)[0] == pytest.approx(0.8)
    assert terms[0].tolist() == pytest.approx([0.8, 0.8])


def test_concession_never_passes_the_other_side_s_ideal():
    terms = concede_towards(arr(1.0)[None, :], arr(0.2)[None, :], arr(1.0)[None, :], arr(-5.0))
    assert terms[0, 0] == pytest.approx(0.2)


def test_reservation_point_is_where_the_deal_equals_walking_away():
    # Utility x (ideal 1): indifferent at x = walk-away 0.55.
    point = reservation_point(
        0, arr(0.3)[None, :], arr(1.0)[None, :], arr(1.0)[None, :], arr(0.55), arr(0.0)[None, :]
    )
    assert point[0] == pytest.approx(0.55)


def test_reservation_point_counts_other_issues_at_the_given_terms():
    # Territory weight 0.5, sequencing weight 0.5 at distance 0.4 (costs 0.2 of utility).
    point = reservation_point(
        0,
        arr(0.9, 0.6)[None, :],
        arr(1.0, 1.0)[None, :],
        arr(0.5, 0.5)[None, :],
        arr(0.6),
        arr(0.0, 0.0)[None, :],
    )
    # 1 - 0.2 - 0.5 (1 - x) = 0.6  ->  x = 0.6
    assert point[0] == pytest.approx(0.6)


# ----------------------------------------------------------------------- strategies


def situation(rounds: np.ndarray, gain: np.ndarray | None = None, **known) -> Situation:
    n = len(rounds)
    fields = {
        "proposing": np.zeros(n, bool),
        "talking": np.ones(n, bool),
        "walk_away": np.zeros(n),
        "other_walk_away": np.zeros(n),
        "patience": np.ones(n),
        "other_patience": np.ones(n),
    }
    fields.update({k: np.broadcast_to(np.asarray(v, dtype=float), (n,)) for k, v in known.items()})
    for flag in ("proposing", "talking"):
        if flag in known:
            fields[flag] = np.broadcast_to(np.asarray(known[flag]), (n,))
    return Situation(rounds=rounds, offer_gain=np.zeros(n) if gain is None else gain, **fields)


def make(name: str, replications: int = 1, **params: float):
    cls = NEGOTIATORS[name]
    values = {
        spec.name: np.full(replications, params.get(spec.name, spec.default)) for spec in cls.params
    }
    return cls(values, replications)


def test_every_registered_strategy_has_a_name_description_and_classifier():
    for name, cls in {**NEGOTIATORS, **DRAFTERS, **PROTOCOLS}.items():
        assert cls.name == name
        assert cls.description and len(cls.description) < 100
        assert isinstance(cls.classifier, dict)
        for spec in cls.params:
            assert spec.low <= spec.default <= spec.high


@pytest.mark.parametrize("name", ["boulware", "linear", "conceder", "time_dependent"])
def test_time_dependent_strategies_start_firm_and_end_at_reservation(name):
    strategy = make(name, 3, deadline=10)
    aspiration = strategy.aspiration(situation(arr(0, 10, 20), np.zeros(3)))
    assert aspiration.tolist() == pytest.approx([1.0, 0.0, 0.0])


def test_boulware_concedes_late_and_conceder_early():
    rounds, gain = arr(5), np.zeros(1)
    boulware = make("boulware", deadline=10, exponent=0.2).aspiration(situation(rounds, gain))[0]
    linear = make("linear", deadline=10).aspiration(situation(rounds, gain))[0]
    conceder = make("conceder", deadline=10, exponent=5).aspiration(situation(rounds, gain))[0]
    # a(t) = 1 - (t/T)^(1/e) at t/T = 0.5
    assert boulware == pytest.approx(1 - 0.5**5)
    assert linear == pytest.approx(0.5)
    assert conceder == pytest.approx(1 - 0.5**0.2)
    assert boulware > linear > conceder


def test_reservation_strategy_asks_for_nothing_beyond_fighting_on():
    assert make("reservation", 2).aspiration(situation(arr(0, 40), np.zeros(2))).tolist() == [
        0.0,
        0.0,
    ]


def test_hardliner_never_concedes():
    assert make("hardliner", 2).aspiration(situation(arr(0, 400), np.zeros(2))).tolist() == [
        1.0,
        1.0,
    ]


def test_tit_for_tat_concedes_exactly_what_the_other_side_conceded():
    strategy = make("tit_for_tat", opening=0.9)
    assert strategy.aspiration(situation(arr(0), arr(0.0)))[0] == pytest.approx(0.9)
    assert strategy.aspiration(situation(arr(1), arr(0.0)))[0] == pytest.approx(0.9)
    assert strategy.aspiration(situation(arr(2), arr(0.25)))[0] == pytest.approx(0.65)
    # Retreating (a negative gain) is not rewarded with a harder line either.
    assert strategy.aspiration(situation(arr(3), arr(-0.3)))[0] == pytest.approx(0.65)


def test_tit_for_tat_goodwill_breaks_a_deadlock():
    strategy = make("tit_for_tat", opening=1.0, goodwill=0.1)
    values = [strategy.aspiration(situation(arr(t), arr(0.0)))[0] for t in range(4)]
    assert values == pytest.approx([1.0, 0.9, 0.8, 0.7])


# ------------------------------------------------------------------------ protocols


def drafter(name: str, pull: float = 0.0):
    return DRAFTERS[name]({"pull": arr(pull)})


def test_split_the_difference_drafts_the_midpoint_of_the_asks():
    parties = (one_issue_party(1.0, 0.5, ask=0.6), one_issue_party(0.0, 0.5, ask=0.2))
    view = MediatorView(arr(0.9)[:, None], arr(1.0)[:, None])
    assert drafter("split_the_difference").draft(parties, view)[0, 0] == pytest.approx(0.4)
    leaned = drafter("split_the_difference", pull=0.5).draft(parties, view)
    assert leaned[0, 0] == pytest.approx(0.65)


def test_drafts_stay_inside_both_red_lines_when_they_overlap():
    parties = (
        one_issue_party(1.0, 0.0, ask=1.0, low=0.7),
        one_issue_party(0.0, 0.0, ask=0.0, high=0.8),
    )
    view = MediatorView(arr(np.nan)[:, None], arr(0.0)[:, None])
    assert drafter("split_the_difference").draft(parties, view)[0, 0] == pytest.approx(0.7)


def test_nash_draft_with_war_as_disagreement_is_p_plus_half_the_cost_difference():
    # Fearon: p = 0.6, c_A = 0.1, c_B = 0.15. A's walk-away 0.5, B's (1 - 0.6 - 0.15).
    parties = (one_issue_party(1.0, 0.5), one_issue_party(0.0, 0.25))
    view = MediatorView(arr(0.0)[:, None], arr(1.0)[:, None])
    assert drafter("nash").draft(parties, view)[0, 0] == pytest.approx(0.625)


def test_single_text_is_agreed_only_when_both_accept():
    protocol = PROTOCOLS["single_text"]({})
    view = MediatorView(arr(np.nan)[:, None], arr(0.0)[:, None])
    both = (one_issue_party(1.0, 0.5, ask=0.6), one_issue_party(0.0, 0.4, ask=0.6))
    result = protocol.round(both, view, drafter("split_the_difference"), arr(0), 0)
    assert result.accepted.tolist() == [True]
    one = (one_issue_party(1.0, 0.7, ask=0.6), one_issue_party(0.0, 0.4, ask=0.6))
    result = protocol.round(one, view, drafter("split_the_difference"), arr(0), 0)
    assert result.accepted.tolist() == [False]


def test_party_rejects_terms_beyond_its_red_line_even_when_they_pay():
    party = one_issue_party(0.0, -1.0, high=0.3)
    assert party.accepts(arr(0.35)[:, None]).tolist() == [False]
    assert party.accepts(arr(0.3)[:, None]).tolist() == [True]


def test_alternating_offers_take_turns_and_the_responder_decides():
    protocol = PROTOCOLS["alternating_offers"]({})
    parties = (one_issue_party(1.0, 0.5, ask=0.8), one_issue_party(0.0, 0.3, ask=0.4))
    first = protocol.round(parties, None, None, arr(0, 1), 0)
    assert first.proposer.tolist() == [0, 1]
    assert first.text[:, 0].tolist() == pytest.approx([0.8, 0.4])
    # The defender accepts 0.8? its utility 0.2 < 0.3: no. The holder accepts 0.4? 0.4 < 0.5: no.
    assert first.accepted.tolist() == [False, False]
    generous = (one_issue_party(1.0, 0.5, ask=0.6), one_issue_party(0.0, 0.3, ask=0.55))
    assert protocol.round(generous, None, None, arr(0, 1), 0).accepted.tolist() == [True, True]


def test_subgame_perfect_proposer_asks_for_rubinstein_share():
    from simulator.theory import rubinstein_split

    strategy = make("subgame_perfect")
    # Walk-away 0 for both: aspiration equals the share itself.
    asked = strategy.aspiration(
        situation(arr(0), proposing=True, patience=0.9, other_patience=0.9)
    )[0]
    assert asked == pytest.approx(rubinstein_split(0.9, 0.9), abs=1e-9)


def test_subgame_perfect_responder_accepts_its_discounted_share():
    strategy = make("subgame_perfect")
    responder = strategy.aspiration(
        situation(arr(0), proposing=False, patience=0.5, other_patience=0.5)
    )[0]
    # Responder's value of rejecting: delta * M = 0.5 * 2/3 = 1/3.
    assert responder == pytest.approx(1 / 3, abs=1e-9)


def test_subgame_perfect_respects_a_binding_outside_option():
    from simulator.talks.strategies import equilibrium_shares

    m_own, _ = equilibrium_shares(arr(0.9), arr(0.9), arr(0.0), arr(0.6))
    assert m_own[0] == pytest.approx(0.4, abs=1e-9)


def test_expected_utility_protocol_takes_the_median_voter_after_one_round():
    from simulator.theory import expected_utility_forecast

    protocol = PROTOCOLS["expected_utility"]({"mediator_capability": arr(0.5)})
    holder = one_issue_party(1.0, 0.0, ask=0.9)
    holder.salience, holder.capability = arr(1.0)[:, None], arr(0.6)
    defender = one_issue_party(0.0, 0.0, ask=0.2)
    defender.salience, defender.capability = arr(1.0)[:, None], arr(0.4)
    view = MediatorView(arr(0.5)[:, None], arr(1.0)[:, None], arr(0.8)[:, None])
    result = protocol.round((holder, defender), view, None, arr(0), 0)
    expected = expected_utility_forecast([0.6, 0.4, 0.5], [100, 100, 80], [0.9, 0.2, 0.5], 1)
    assert result.text[0, 0] == pytest.approx(expected.median_voter[-1])
    assert result.accepted.tolist() == [True]  # both thresholds are 0: anything goes


def test_tit_for_tat_remembers_nothing_in_replications_not_talking():
    strategy = make("tit_for_tat", 2, opening=0.9, goodwill=0.1)
    strategy.aspiration(situation(arr(0, 0), arr(0.0, 0.0)))
    after = strategy.aspiration(situation(arr(1, 1), arr(0.0, 0.0), talking=[True, False]))
    assert after.tolist() == pytest.approx([0.8, 0.9])


def test_nash_draft_of_one_issue_does_not_move_the_next():
    # Two issues; each side's reservation on issue 1 must use the midpoint of the asks
    # on issue 0, not the Nash value just drafted for it.
    def party(ideal, walk_away, ask):
        return Party(
            ideal=np.array([ideal]),
            weights=np.array([[0.5, 0.5]]),
            walk_away=arr(walk_away),
            threshold=arr(walk_away),
            ask=np.array([ask]),
            low=np.zeros((1, 2)),
            high=np.ones((1, 2)),
        )

    first, second = party([1.0, 1.0], 0.5, [1.0, 0.5]), party([0.0, 0.0], 0.5, [0.2, 0.5])
    view = MediatorView(np.full((1, 2), np.nan), np.zeros((1, 2)))
    text = drafter("nash").draft((first, second), view)
    # Issue 1 with issue 0 at the asks' midpoint 0.6: A: 1 - 0.2 - 0.5 (1 - x) = 0.5 ->
    # x = 0.4; B: 1 - 0.3 - 0.5 x = 0.5 -> x = 0.4. Nash 0.4.
    assert text[0, 1] == pytest.approx(0.4)
