"""The theory scenarios reproduce their closed forms through the full model."""

from __future__ import annotations

import math
from itertools import pairwise

import pytest

from simulator import load_scenario
from simulator.results import outcome, run, weekly_records
from simulator.theory import nash_split_with_war, rubinstein_split


def point(scenario, path: str) -> float:
    node = scenario
    for key in path.split("."):
        node = node[key] if isinstance(node, dict) else getattr(node, key)
    return float(node.value)


def war_cost(scenario, side: str) -> float:
    """Cost of war over the side's foresight, as the model counts it."""
    prefix = f"actors.{side}"
    return (
        point(scenario, f"{prefix}.resources.cost_of_war")
        * (1 - point(scenario, f"{prefix}.resolve"))
        * point(scenario, f"{prefix}.foresight")
    )


@pytest.mark.parametrize(
    "overrides",
    [
        [],
        ["actors.side_a.patience=0.5", "actors.side_b.patience=0.5"],
        ["actors.side_a.patience=0.95", "actors.side_b.patience=0.6"],
        # Side B's outside option binds: walk-away 1 - 0.4 - 0 = 0.6, side A's 0.
        [
            "front.control=0.4",
            "actors.side_b.resources.cost_of_war=0",
            "actors.side_a.resources.cost_of_war=0.04",
        ],
    ],
)
def test_alternating_offers_give_rubinstein_share_in_the_first_round(overrides):
    scenario = load_scenario("theory/rubinstein", overrides)
    p = point(scenario, "front.control")
    outside = (p - war_cost(scenario, "side_a"), 1 - p - war_cost(scenario, "side_b"))
    expected = rubinstein_split(
        point(scenario, "actors.side_a.patience"),
        point(scenario, "actors.side_b.patience"),
        outside,
    )
    result = outcome(run(scenario))
    assert result["agreed"] and result["week"] == 1
    assert result["terms"]["territory"] == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize("costs", [(0.01, 0.015), (0.02, 0.0), (0.0, 0.03)])
def test_mediator_proposing_the_nash_point_gives_p_plus_half_the_cost_gap(costs):
    scenario = load_scenario(
        "theory/nash-mediator",
        [
            f"actors.side_a.resources.cost_of_war={costs[0]}",
            f"actors.side_b.resources.cost_of_war={costs[1]}",
        ],
    )
    expected = nash_split_with_war(
        point(scenario, "front.control"), war_cost(scenario, "side_a"), war_cost(scenario, "side_b")
    )
    result = outcome(run(scenario))
    assert result["agreed"] and result["week"] == 1
    assert result["terms"]["territory"] == pytest.approx(expected, abs=1e-9)


def predicted_week(scenario) -> int:
    """First week in which Smith and Stam's condition E_A - c_A <= E_B + c_B holds.

    Both sides see the same n engagements a week, so with equal prior strengths S and
    learning rate 1 the gap between their beliefs after t weeks is gap_0 S / (S + n t);
    each expects the front to move T n g (2 p - 1) over its foresight T.
    """
    n = point(scenario, "front.engagements_per_week")
    g = point(scenario, "front.km2_per_net_win") / point(scenario, "front.area_km2")
    horizon_a = point(scenario, "actors.side_a.foresight")
    strength = point(scenario, "actors.side_a.belief.strength")
    gap0 = point(scenario, "actors.side_a.belief.mean") - point(
        scenario, "actors.side_b.belief.mean"
    )
    costs = war_cost(scenario, "side_a") + war_cost(scenario, "side_b")
    # 2 T n g gap0 S / (S + n t) <= costs  <=>  t >= (2 T n g gap0 S / costs - S) / n
    return max(1, math.ceil((2 * horizon_a * n * g * gap0 * strength / costs - strength) / n))


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_divergent_beliefs_converge_and_a_deal_follows_when_theory_says(seed):
    scenario = load_scenario("theory/divergent-beliefs")
    expected = predicted_week(scenario)
    assert 5 < expected < scenario.horizon  # a real wait, inside the run
    model = run(scenario, seed=seed)
    weekly = weekly_records(model)
    assert outcome(model)["week"] == expected
    assert not any(row["values_overlap"] for row in weekly[1:expected])
    gaps = [row["belief_side_a"] - row["belief_side_b"] for row in weekly[: expected + 1]]
    assert all(later < earlier for earlier, later in pairwise(gaps))
