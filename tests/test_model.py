"""CeasefireModel: each weekly stage on states whose outcome can be worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from simulator import CeasefireModel, load_scenario
from simulator.results import outcome, run, weekly_records
from simulator.scenario import bundled_scenarios

NASH = "theory/nash-mediator"


def model(name: str | None = None, *overrides: str, replications: int = 1, seed=None):
    return CeasefireModel(load_scenario(name, list(overrides)), replications, seed=seed)


def run_weeks(m: CeasefireModel, weeks: int) -> CeasefireModel:
    for _ in range(weeks):
        m.step()
    return m


def test_model_builds_with_no_arguments_and_steps():
    m = CeasefireModel()
    m.step()
    assert m.steps == 1
    assert m.scenario.name == "baseline"
    assert {type(a).__name__ for a in m.agents} == {"Belligerent", "Mediator"}


@pytest.mark.parametrize("path", bundled_scenarios(), ids=lambda p: p.stem)
def test_every_bundled_scenario_runs(path):
    m = run_weeks(CeasefireModel(load_scenario(path)), 8)
    record = m.week_record
    assert 0.0 <= record["control"][0] <= 1.0
    assert np.all(np.isfinite(m.holder.forces))


def test_datacollector_has_one_row_per_week_plus_the_start():
    m = run(load_scenario(None, ["horizon=6"]))
    frame = m.datacollector.get_model_vars_dataframe()
    assert len(frame) == 7
    assert frame["week"].tolist() == list(range(7))


def test_same_seed_same_numbers_and_other_seed_other_numbers():
    first = weekly_records(run(load_scenario(None, ["horizon=30"]), seed=3))
    again = weekly_records(run(load_scenario(None, ["horizon=30"]), seed=3))
    other = weekly_records(run(load_scenario(None, ["horizon=30"]), seed=4))
    assert first == again
    assert first != other


def test_replications_are_independent_draws():
    m = model(None, replications=50)
    assert len(np.unique(m.holder.forces)) == 50
    assert m.holder.forces.min() >= 550 and m.holder.forces.max() <= 700


def test_adding_a_parameter_does_not_change_the_draws_of_others():
    plain = model(None)
    widened = model(None, "actors.russia.foresight.value.high=60")
    assert plain.holder.forces.tolist() == widened.holder.forces.tolist()
    assert plain.holder.foresight.tolist() != widened.holder.foresight.tolist()


# -------------------------------------------------------------------------- stages


def test_static_front_keeps_control_and_beliefs():
    m = model(None, "front.engagements_per_week=0", "horizon=10", replications=4)
    control, belief = m.front.control.copy(), m.holder.believed_p.copy()
    run_weeks(m, 10)
    assert np.allclose(m.front.control, control)
    assert np.allclose(m.holder.believed_p, belief)


def test_attrition_and_replenishment_follow_lanchester():
    m = model(None, "front.engagements_per_week=0", replications=3)
    holder, defender = m.holder, m.defender
    expected = defender.forces - defender.attrition * holder.forces + defender.replenishment
    m.step()
    assert np.allclose(defender.forces, expected)


def test_cease_fire_stops_the_losses():
    m = run(
        load_scenario(
            NASH,
            ["actors.side_a.resources.attrition=0.01", "actors.side_b.resources.attrition=0.01"],
        )
    )
    # Fighting in week 1 only (talks agree at its end): one week of losses each.
    assert m.holder.losses_total[0] == pytest.approx(0.01 * 100)


def test_one_sided_war_moves_the_front_by_every_engagement():
    # Ukraine has no materiel: Russia wins every engagement.
    m = model(
        None,
        "actors.ukraine.resources.materiel=0",
        "front.engagements_per_week=10",
        "front.km2_per_net_win=100",
        "front.area_km2=100000",
        "front.places.pokrovsk.defence=1",
        "front.places.kurakhove.defence=1",
        replications=3,
    )
    start = m.front.control.copy()
    run_weeks(m, 1)
    assert np.allclose(m.front.control, np.minimum(start + 10 * 100 / 100000, 1.0))
    assert np.allclose(m.front.p_holder, 1.0)


def test_places_fall_when_their_axis_reaches_them():
    m = model(
        None,
        "actors.ukraine.resources.materiel=0",
        "front.engagements_per_week=10",
        "front.km_per_net_win=1",
        "front.places.pokrovsk.distance_km=5",
        "front.places.pokrovsk.defence=1",
        "front.axes.pokrovsk.share=0.3",
    )
    held = []
    for _ in range(3):
        m.step()
        held.append(bool(m.place_held("pokrovsk")[0]))
    # 10 net wins x 0.3 x 1 km = 3 km a week: reaches 5 km in week 2.
    assert held == [False, True, True]


def test_a_town_s_defence_slows_its_fall_and_the_front():
    # 10 net wins a week, 3 km a week on the axis; Pokrovsk 5 km away, its last 2 km
    # built up at defence 4: 3 km of open ground, then 2 km costing 8 km of effort.
    settings = [
        "actors.ukraine.resources.materiel=0",
        "front.engagements_per_week=10",
        "front.km_per_net_win=1",
        "front.places.pokrovsk.distance_km=5",
        "front.places.pokrovsk.depth_km=2",
        "front.axes.pokrovsk.share=0.3",
        "front.axes.kurakhove.share=0",
        "front.places.kurakhove.defence=1",
    ]
    m = model(None, *settings, "front.places.pokrovsk.defence=4")
    held, control = [], [m.front.control[0]]
    for _ in range(5):
        m.step()
        held.append(bool(m.place_held("pokrovsk")[0]))
        control.append(m.front.control[0])
    # Effort: 3, 6, 9, 12 km < 3 + 8 = 11 until week 4.
    assert held == [False, False, False, True, True]
    gains = np.diff(control)
    # Week 1 in open ground; week 2 starts inside the town: the axis's three wins in
    # ten move the front a quarter as far.
    assert gains[1] == pytest.approx(gains[0] * (0.7 + 0.3 / 4))
    plain = model(None, *settings, "front.places.pokrovsk.defence=1")
    run_weeks(plain, 2)
    assert bool(plain.place_held("pokrovsk")[0])


def test_place_event_hands_a_place_over_on_its_date():
    m = model("pokrovsk-falls", "front.engagements_per_week=0")
    week_of_event = m.scenario.week_of_date(m.scenario.events["pokrovsk-falls"].date)
    states = []
    for _ in range(week_of_event + 1):
        m.step()
        states.append(bool(m.place_held("pokrovsk")[0]))
    assert states[week_of_event - 2] is False
    assert states[week_of_event - 1] is True


def test_aid_event_cuts_the_dependent_side_s_materiel_and_raises_its_cost():
    m = model("us-presses-kyiv", "front.engagements_per_week=0")
    ukraine = m.defender
    before_cost = ukraine.weekly_cost(m.levers.aid, m.levers.sanctions).copy()
    run_weeks(m, m.scenario.week_of_date(m.scenario.events["aid-paused"].date))
    assert m.levers.aid.tolist() == [0.0]
    after_cost = ukraine.weekly_cost(m.levers.aid, m.levers.sanctions)
    assert after_cost[0] == pytest.approx(before_cost[0] * (1 + ukraine.aid_dependence[0]))
    materiel = ukraine.materiel_now(m.levers.aid, np.zeros(1))
    assert materiel[0] == pytest.approx(ukraine.materiel[0] * (1 - ukraine.aid_dependence[0]))


def test_war_value_is_expected_territory_less_the_cost_of_war():
    m = model(NASH)
    m.step()
    # Side A: u = x, walk-away = p - c_A = 0.6 - 0.1; side B: 1 - p - c_B = 0.25.
    assert m.holder.walk_away[0] == pytest.approx(0.5)
    assert m.defender.walk_away[0] == pytest.approx(0.25)


def test_nash_mediator_reproduces_p_plus_half_the_cost_difference():
    m = run(load_scenario(NASH))
    result = outcome(m)
    assert result["agreed"] and result["week"] == 1
    assert result["terms"]["territory"] == pytest.approx(0.6 + (0.15 - 0.1) / 2, abs=1e-9)
    assert result["in_force_at_end"] and not result["broke_down"]


def test_no_agreement_when_red_lines_do_not_meet():
    m = run(
        load_scenario(
            NASH,
            [
                "actors.side_a.positions.territory.red_line={value: 0.8, assumption: test}",
                "actors.side_b.positions.territory.red_line={value: 0.7, assumption: test}",
            ],
        )
    )
    assert not outcome(m)["agreed"]
    assert not m.week_record["red_lines_overlap"][0]


def test_agreement_stays_inside_both_red_lines():
    m = run(
        load_scenario(
            NASH,
            [
                "actors.side_a.positions.territory.red_line={value: 0.55, assumption: test}",
                "actors.side_b.positions.territory.red_line={value: 0.6, assumption: test}",
            ],
        )
    )
    terms = outcome(m)["terms"]["territory"]
    assert 0.55 <= terms <= 0.6


def test_no_range_no_deal_when_fighting_pays_both_sides():
    # Costless war: A expects 0.6 and B 0.4 from fighting; the only deal is x = 0.6
    # exactly, so a cost of zero for both leaves a single point, and optimism kills it.
    m = run(
        load_scenario(
            NASH,
            [
                "actors.side_a.resources.cost_of_war=0",
                "actors.side_b.resources.cost_of_war=0",
                "front.engagements_per_week=10",
                "front.km2_per_net_win=10",
                "actors.side_a.belief.mean=0.8",
                "actors.side_b.belief.mean=0.2",
                "actors.side_a.belief.strength=1000000",
                "actors.side_b.belief.strength=1000000",
            ],
        )
    )
    assert not outcome(m)["agreed"]
    assert not m.week_record["values_overlap"][0]


def test_agreed_cease_fire_breaks_down_at_its_hazard():
    m = run(
        load_scenario(
            NASH,
            [
                "durability.base_hazard=1",
                "actors.mediator.leverage.guarantee=0",
                "horizon=3",
            ],
        )
    )
    result = outcome(m)
    assert result["agreed"] and result["week"] == 1
    assert result["broke_down"] and result["breakdown_week"] == 2


def test_guarantee_halves_the_breakdown_hazard():
    m = model(
        NASH,
        "durability.base_hazard=0.2",
        "actors.mediator.leverage.guarantee=0.5",
        replications=2000,
        seed=11,
    )
    run_weeks(m, 2)
    assert np.allclose(m.outcomes.hazard[m.outcomes.in_force | m.outcomes.broke_down], 0.1)
    assert m.outcomes.broke_down.mean() == pytest.approx(0.1, abs=0.025)


def test_regret_raises_the_hazard():
    calm = model(
        NASH,
        "durability.base_hazard=0.01",
        "actors.mediator.leverage.guarantee=0",
        "durability.regret_sensitivity=50",
    )
    run_weeks(calm, 2)
    assert calm.outcomes.hazard[0] == pytest.approx(0.01)
    # After the deal, side A suddenly expects to win everything: it regrets the deal.
    calm.holder.belief_a[:] = 1e9
    calm.front.engagements[:] = 50
    calm.front.share_per_win[:] = 0.01
    calm.step()
    assert calm.outcomes.hazard[0] > 0.05


def test_talks_wait_for_the_mediator():
    m = model(None, "front.engagements_per_week=0")
    opens = m.mediator.active_from_week
    texts = []
    for _ in range(opens + 1):
        m.step()
        texts.append(bool(np.isfinite(m.talks.text[0, 0])))
    assert texts[: opens - 1] == [False] * (opens - 1)
    assert texts[opens - 1] is True


def test_alternating_offers_between_reservation_strategies_agree_at_once():
    m = run(
        load_scenario(NASH, ["talks.protocol=alternating_offers", "talks.first_proposer=side_b"])
    )
    result = outcome(m)
    # A reservation-strategy proposer offers its own reservation point: side B offers
    # the most it would give, p + c_B = 0.75, which side A accepts.
    assert result["agreed"] and result["terms"]["territory"] == pytest.approx(0.75)


def test_outcome_and_weekly_records_are_json_ready():
    import json

    m = run(load_scenario(None, ["horizon=5"]))
    text = json.dumps({"outcome": outcome(m), "weekly": weekly_records(m)}, allow_nan=False)
    assert '"week": 5' in text


def test_after_a_breakdown_the_sides_fight_a_week_before_talking_again():
    m = model(
        NASH,
        "durability.base_hazard=1",
        "actors.mediator.leverage.guarantee=0",
        "horizon=4",
        "front.engagements_per_week=10",
        "front.km2_per_net_win=1",
    )
    run_weeks(m, 2)  # agreed in week 1, broken in week 2
    assert m.outcomes.broke_down[0] and not m.outcomes.in_force[0]
    assert np.isnan(m.talks.text[0, 0])  # no talks in the week it broke down
    assert m.talks.rounds[0] == 0  # the next talks start afresh
    control = m.front.control.copy()
    m.step()  # week 3: fighting, then new talks that agree at once
    assert m.front.control[0] != control[0]
    assert m.outcomes.agreements[0] == 2


def test_an_event_dated_on_the_start_applies_in_week_one():
    m = model("us-presses-kyiv", "events.aid-paused.date=2025-01-06")
    m.step()
    assert m.levers.aid.tolist() == [0.0]
