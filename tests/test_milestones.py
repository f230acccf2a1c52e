"""Milestones per replication (when places fall, first acceptance, quarter-end control,
first-year losses) and their ensemble summaries."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from click.testing import CliRunner

from simulator import CeasefireModel, load_scenario
from simulator.cli import main
from simulator.ensemble import run_ensemble
from simulator.milestones import FIRST_YEAR_WEEKS, quarter_end_weeks, quarter_last_day
from simulator.summaries import milestone_summaries, summarize


def run_weeks(m: CeasefireModel, weeks: int) -> CeasefireModel:
    while m.running and m.steps < weeks:
        m.step()
    return m


def test_a_place_event_makes_it_fall_in_that_week():
    # No fighting: only the scheduled event (17 February 2025, week 6) moves the front.
    scenario = load_scenario("pokrovsk-falls", ["front.engagements_per_week=0"])
    event_week = scenario.week_of_date(dt.date(2025, 2, 17))
    m = run_weeks(CeasefireModel(scenario, replications=40), event_week + 3)
    assert np.all(m.milestones.fall_week["pokrovsk"] == event_week)
    # Dachenske lies on the same axis, nearer: it falls with Pokrovsk.
    assert np.all(m.milestones.fall_week["dachenske"] == event_week)
    # Kurakhove's axis never moves.
    assert np.all(m.milestones.fall_week["kurakhove"] == -1)


def test_a_place_held_from_the_start_fell_in_week_zero():
    held = ["front.places.pokrovsk.held_by.value=holder", "front.places.pokrovsk.distance_km=0"]
    scenario = load_scenario(None, held)
    m = CeasefireModel(scenario, replications=5)
    assert np.all(m.milestones.fall_week["pokrovsk"] == 0)
    run_weeks(m, 3)
    assert np.all(m.milestones.fall_week["pokrovsk"] == 0)


def test_the_first_acceptance_week_is_kept():
    m = run_weeks(CeasefireModel(load_scenario(), replications=2), 1)  # no talks yet
    assert m.milestones.first_accept_week["russia"].tolist() == [-1, -1]
    m.steps += 1
    m.talks.accepts = (np.array([True, False]), np.array([False, True]))
    m._track_milestones()
    assert m.milestones.first_accept_week["russia"].tolist() == [2, -1]
    assert m.milestones.first_accept_week["ukraine"].tolist() == [-1, 2]
    m.steps += 1
    m.talks.accepts = (np.array([True, True]), np.array([True, True]))
    m._track_milestones()
    assert m.milestones.first_accept_week["russia"].tolist() == [2, 3]
    assert m.milestones.first_accept_week["ukraine"].tolist() == [3, 2]


def test_acceptance_comes_in_the_week_theory_predicts():
    # Smith and Stam's divergent beliefs: the deal comes in week 13, when both sides
    # accept the Nash text; one of them may have accepted an earlier text alone.
    m = run_weeks(CeasefireModel(load_scenario("theory/divergent-beliefs"), replications=3), 30)
    assert m.outcomes.agreement_week.tolist() == [13, 13, 13]
    for weeks in m.milestones.first_accept_week.values():
        assert ((weeks >= 1) & (weeks <= 13)).all()


def test_quarter_weeks_end_on_or_before_the_quarter_and_the_next_week_after_it():
    scenario = load_scenario()
    weeks = quarter_end_weeks(scenario)
    assert list(weeks)[:5] == ["2025q1", "2025q2", "2025q3", "2025q4", "2026q1"]
    for label, week in weeks.items():
        end = quarter_last_day(int(label[:4]), int(label[-1]))
        assert scenario.date_of_week(week) <= end < scenario.date_of_week(week + 1)
        assert week <= scenario.horizon


def test_control_at_a_quarter_is_the_control_of_that_week():
    scenario = load_scenario(None, ["horizon=30"])
    m = CeasefireModel(scenario, replications=20)
    week = quarter_end_weeks(scenario)["2025q2"]
    run_weeks(m, week)
    at_week = m.front.control.copy()
    run_weeks(m, 30)
    np.testing.assert_array_equal(m.milestones.control_at_quarter["2025q2"], at_week)
    assert np.all(np.isnan(m.milestones.control_at_quarter.get("2025q3", np.full(20, np.nan))))


@pytest.mark.parametrize("horizon", [10, 60])
def test_first_year_losses_stop_counting_after_52_weeks(horizon):
    m = CeasefireModel(load_scenario(None, [f"horizon={horizon}"]), replications=10)
    run_weeks(m, min(horizon, FIRST_YEAR_WEEKS))
    at_year = {side.actor_id: side.losses_total.copy() for side in m.belligerents}
    run_weeks(m, horizon)
    for side in m.belligerents:
        np.testing.assert_array_equal(
            m.milestones.first_year_losses[side.actor_id], at_year[side.actor_id]
        )
        assert np.all(side.losses_total >= at_year[side.actor_id])


def test_ensemble_outcomes_name_the_milestones_and_stay_one_dimensional():
    result = run_ensemble(load_scenario(None, ["horizon=30"]), 30)
    names = set(result.arrays)
    assert {"fall_week_pokrovsk", "first_accept_week_ukraine", "control_2025q1"} <= names
    assert {"first_year_losses_russia", "control_at_start", "area_km2"} <= names
    assert all(a.ndim == 1 and len(a) == 30 for a in result.arrays.values())
    assert sorted(result.sides) == ["russia", "ukraine"]  # not confused by new names
    assert len(list(result.records())) == 30


def test_milestone_summaries_have_their_shapes_and_ranges():
    result = run_ensemble(load_scenario(None, ["horizon=30"]), 200)
    summary = summarize(result)
    for curve in summary["p_accepts"].values():
        assert [row["week"] for row in curve] == [4, 8, 12, 16, 20, 24, 28, 30]
        ps = [row["p"] for row in curve]
        assert ps == sorted(ps) and ps[0] >= 0 and ps[-1] <= 1
    assert set(summary["places"]) == {"kurakhove", "dachenske", "pokrovsk"}
    for place, entry in summary["places"].items():
        fell = result.arrays[f"fall_week_{place}"] >= 0
        assert entry["p_fallen"]["value"] == pytest.approx(fell.mean())
        low, high = entry["p_fallen"]["ci95"]
        assert low <= entry["p_fallen"]["value"] <= high
        q = entry["fall_week_quantiles"]
        assert 0 <= q["q5"] <= q["q25"] <= q["q50"] <= q["q75"] <= q["q95"] <= 30
    for side, q in summary["losses_per_day"].items():
        per_day = result.arrays[f"first_year_losses_{side}"] * 1000 / (7 * 30)
        assert q["q50"] == pytest.approx(np.median(per_day), rel=1e-6)
        assert 0 < q["q5"] <= q["q95"]


def test_a_place_that_never_falls_has_no_fall_quantiles():
    result = run_ensemble(load_scenario(None, ["front.engagements_per_week=0", "horizon=8"]), 20)
    places = milestone_summaries(result)["places"]
    assert places["pokrovsk"]["p_fallen"]["value"] == 0
    assert places["pokrovsk"]["fall_week_quantiles"] is None


def test_mc_json_gains_acceptance_curves_places_and_losses_per_day():
    args = ["mc", "-n", "100", "--weeks", "12", "--set", "horizon=12", "--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert set(summary["p_accepts"]) == {"russia", "ukraine"}
    assert [row["week"] for row in summary["p_accepts"]["ukraine"]] == [4, 8, 12]
    assert set(summary["places"]["pokrovsk"]) == {"p_fallen", "fall_week_quantiles"}
    assert set(summary["losses_per_day"]["russia"]) == {"q5", "q25", "q50", "q75", "q95"}
