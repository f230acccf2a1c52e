"""`analyze`: ranges, solutions and levers against hand-worked theory cases."""

from __future__ import annotations

import pytest

from simulator import load_scenario
from simulator.analysis import analyze
from simulator.scenario import bundled_scenarios


def lever(report, name):
    return next(entry for entry in report["levers"] if entry["lever"] == name)


def test_nash_case_gives_fearon_range_and_the_nash_point():
    report = analyze(load_scenario("theory/nash-mediator"))
    # p = 0.6, c_A = 0.1, c_B = 0.15: range [0.5, 0.75], Nash 0.625.
    assert report["values_range"] == {"low": 0.5, "high": 0.75, "exists": True}
    assert report["bargaining_range"]["exists"]
    assert report["nash"] == pytest.approx(0.625)
    assert report["gap"] == 0


def test_kalai_smorodinsky_equals_nash_on_one_linear_issue():
    report = analyze(
        load_scenario("theory/nash-mediator", ["actors.side_b.resources.cost_of_war=0.04"])
    )
    assert report["kalai_smorodinsky"] == pytest.approx(report["nash"], abs=1e-6)
    assert report["nash"] == pytest.approx(0.6 + (0.4 - 0.1) / 2)


def test_divergent_beliefs_leave_a_gap_and_levers_that_close_it():
    report = analyze(load_scenario("theory/divergent-beliefs"))
    # A expects 0.5 + 0.2 (2 * 0.8 - 1) = 0.62, B 0.42; costs 0.045 each.
    assert report["values_range"]["low"] == pytest.approx(0.62 - 0.045)
    assert report["values_range"]["high"] == pytest.approx(0.42 + 0.045)
    assert report["gap"] == pytest.approx(0.11)
    assert report["nash"] is None
    # Range opens when 0.4 (p_A - p_B) = 0.09: p_B = 0.575 or p_A = 0.525.
    assert lever(report, "Side B's belief")["needed"] == pytest.approx(0.575, abs=1e-6)
    assert lever(report, "Side A's belief")["needed"] == pytest.approx(0.525, abs=1e-6)
    # Or side A's costs rise from 0.045 to 0.155.
    assert lever(report, "Side A's costs")["needed"] == pytest.approx(0.155 / 0.045, abs=1e-5)


def test_analysis_at_a_later_week_reads_the_run_at_that_week():
    early = analyze(load_scenario("theory/divergent-beliefs"), week=0)
    later = analyze(load_scenario("theory/divergent-beliefs"), week=12)
    assert later["week"] == 12
    assert later["gap"] < early["gap"]


def test_red_lines_that_do_not_meet_are_reported_as_the_obstacle():
    report = analyze(
        load_scenario(
            "theory/nash-mediator",
            [
                "actors.side_a.positions.territory.red_line={value: 0.8, assumption: test}",
                "actors.side_b.positions.territory.red_line={value: 0.7, assumption: test}",
            ],
        )
    )
    assert report["values_range"]["exists"]
    assert not report["red_lines_range"]["exists"]
    assert not report["bargaining_range"]["exists"]
    assert report["gap"] == pytest.approx(0.1)
    # Hard red lines: no belief, cost or leverage opens a range.
    assert all(entry["needed"] is None for entry in report["levers"])
    assert all("opens a range" in entry["note"] for entry in report["levers"])


def test_a_red_line_with_a_cost_is_crossed_when_fighting_on_is_worse_by_more():
    # A's value of war reserves 0.5; its red line 0.8 costs 0.25 (weight 1: 0.25 of
    # territory) to cross, so it accepts 0.75 and up. B's hard red line is 0.7.
    report = analyze(
        load_scenario(
            "theory/nash-mediator",
            [
                "actors.side_a.positions.territory.red_line="
                "{value: 0.8, assumption: test, cost: {value: 0.25, assumption: test}}",
                "actors.side_b.positions.territory.red_line={value: 0.7, assumption: test}",
            ],
        )
    )
    assert report["sides"]["side_a"]["red_line_crossing_cost"] == pytest.approx(0.25)
    assert report["sides"]["side_b"]["red_line_crossing_cost"] is None
    assert report["gap"] == pytest.approx(0.05)
    # The range opens when the cost falls to 0.2: 0.8 of what it is now.
    assert lever(report, "Side A's red-line cost")["needed"] == pytest.approx(0.8)
    assert lever(report, "Side B's costs")["needed"] is None


@pytest.mark.parametrize("path", bundled_scenarios(), ids=lambda p: p.stem)
def test_analyze_works_on_every_bundled_scenario(path):
    report = analyze(load_scenario(path), week=2)
    assert set(report["sides"]) == set(load_scenario(path).belligerents)
    assert report["gap"] >= 0


@pytest.mark.parametrize("seed", [1, 5, 9])
def test_nash_and_kalai_smorodinsky_lie_inside_the_range_or_are_absent(seed):
    scenario = load_scenario(None, ["actors.ukraine.resolve=0.5"])
    for week in (0, 20):
        report = analyze(scenario, week=week, seed=seed)
        bargaining = report["bargaining_range"]
        for point in (report["nash"], report["kalai_smorodinsky"]):
            if bargaining["exists"]:
                assert bargaining["low"] - 1e-6 <= point <= bargaining["high"] + 1e-6
            else:
                assert point is None
