"""`ceasefire analyze`: the bargaining problem at one moment, in the terms of theory.

At a given week of a seeded run (the start by default) this reads the model's state
and reports, for the disputed territory: each side's expected value of fighting on,
its reservation share, the bargaining range (or the gap that prevents one), the Nash
and Kalai-Smorodinsky points (from :mod:`simulator.theory`), and how far each lever
would have to move to open a range. Other issues are held at the midpoint of the two
sides' ideals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import brentq

from . import battlefield, theory
from .agents import Belligerent
from .model import CeasefireModel
from .talks.utility import reservation_point, utility


@dataclass(frozen=True)
class Lever:
    """A quantity an actor or mediator could move, and the range it can take."""

    name: str
    description: str
    current: float
    low: float
    high: float
    apply: Callable[[float], tuple[float, float]]
    """Value of the lever -> (holder's minimum share, defender's maximum share)."""


def _side_value(
    model: CeasefireModel,
    side: Belligerent,
    believed_p: float,
    cost_factor: float,
    aid: float,
    sanctions: float,
) -> float:
    """A side's value of fighting on, with the given belief and leverage (replication 0).

    The same computation as :meth:`Belligerent.value_war`, with inputs replaced.
    """
    expected = battlefield.expected_control(
        model.front.control[:1],
        np.array([believed_p]),
        model.front.engagements[:1],
        model.front.share_per_win[:1],
        side.foresight[:1],
    )
    outlook = model.no_deal_terms(np.broadcast_to(expected, model.front.control.shape))[:1]
    ideal = side.positions.ideal_now(model.front.control)[:1]
    cost = side.weekly_cost(np.array([aid]), np.array([sanctions]))[:1] * cost_factor
    return float(
        utility(outlook, ideal, side.positions.weights[:1])[0] - cost[0] * side.foresight[0]
    )


class Analysis:
    """The bargaining problem in one replication of a model, at its current week."""

    def __init__(self, model: CeasefireModel, replication: int = 0):
        if replication != 0 or model.replications != 1:
            raise ValueError("analyze reads a model with one replication")
        self.model = model
        self.holder, self.defender = model.belligerents
        ideals = [b.positions.ideal_now(model.front.control) for b in model.belligerents]
        self.terms = (ideals[0] + ideals[1]) / 2.0
        self.aid = float(model.levers.aid[0])
        self.sanctions = float(model.levers.sanctions[0])
        # The red lines and what crossing them costs stand still while levers are tried.
        self.lines, self.crossing_costs = self._crossing()

    def bounds(
        self,
        holder_crossing: float = 1.0,
        defender_crossing: float = 1.0,
        **changes: float,
    ) -> tuple[float, float]:
        """The least share the holder and the most the defender would accept, with their
        red lines and the costs of crossing them (times the given multiples).

        A side accepts a share inside its red line when it beats fighting on, and one
        beyond it only when it beats fighting on by the (current, worn) cost of crossing.
        """
        holder_min, defender_max = self.value_bounds(**changes)
        holder_line, defender_line = self.lines
        holder_cost, defender_cost = self.crossing_costs
        holder_beyond = holder_min + holder_crossing * holder_cost
        defender_beyond = defender_max - defender_crossing * defender_cost
        return (
            min(max(holder_min, holder_line), holder_beyond),
            max(min(defender_max, defender_line), defender_beyond),
        )

    def _crossing(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """Each side's red line on territory, and what crossing it costs in shares."""
        control = self.model.front.control
        lines = (
            float(self.holder.positions.limits_now(control)[0][0, 0]),
            float(self.defender.positions.limits_now(control)[1][0, 0]),
        )
        costs = []
        for side in (self.holder, self.defender):
            cost = side.crossing_cost_now()
            weight = float(side.positions.weights[0, 0])
            utility_cost = np.inf if cost is None else float(cost[0, 0])
            costs.append(utility_cost / weight if weight > 0 else np.inf)
        return lines, (costs[0], costs[1])

    def value_bounds(
        self,
        holder_p: float | None = None,
        defender_p: float | None = None,
        holder_cost: float = 1.0,
        defender_cost: float = 1.0,
        aid: float | None = None,
        sanctions: float | None = None,
    ) -> tuple[float, float]:
        """(holder's minimum, defender's maximum) share by the values of fighting on alone."""
        aid = self.aid if aid is None else aid
        sanctions = self.sanctions if sanctions is None else sanctions
        values = (
            _side_value(
                self.model,
                self.holder,
                float(self.holder.believed_p[0]) if holder_p is None else holder_p,
                holder_cost,
                aid,
                sanctions,
            ),
            _side_value(
                self.model,
                self.defender,
                float(self.defender.believed_p[0]) if defender_p is None else defender_p,
                defender_cost,
                aid,
                sanctions,
            ),
        )
        return self._reservations(values)

    def _reservations(self, values: tuple[float, float]) -> tuple[float, float]:
        sides = (self.holder, self.defender)
        ideals = [s.positions.ideal_now(self.model.front.control)[:1] for s in sides]
        points = [
            reservation_point(
                0,
                self.terms,
                ideals[i],
                sides[i].positions.weights[:1],
                np.array([values[i]]),
                ideals[1 - i],
            )
            for i in range(2)
        ]
        return float(np.clip(points[0][0], 0, 1)), float(np.clip(points[1][0], 0, 1))

    def red_lines(self) -> tuple[float, float]:
        """The interval of territory inside both sides' red lines (low > high: none)."""
        control = self.model.front.control
        low = max(
            float(s.positions.limits_now(control)[0][0, 0]) for s in (self.holder, self.defender)
        )
        high = min(
            float(s.positions.limits_now(control)[1][0, 0]) for s in (self.holder, self.defender)
        )
        return low, high

    def levers(self) -> list[Lever]:
        defender_name = self.defender.name
        holder_name = self.holder.name
        levers = [
            Lever(
                f"{defender_name}'s belief",
                f"{defender_name}'s believed odds that {holder_name} wins an engagement",
                float(self.defender.believed_p[0]),
                0.0,
                1.0,
                lambda v: self.bounds(defender_p=v),
            ),
            Lever(
                f"{holder_name}'s belief",
                f"{holder_name}'s believed odds that it wins an engagement",
                float(self.holder.believed_p[0]),
                0.0,
                1.0,
                lambda v: self.bounds(holder_p=v),
            ),
            Lever(
                f"{holder_name}'s costs",
                f"multiple of {holder_name}'s weekly cost of war",
                1.0,
                0.0,
                1000.0,
                lambda v: self.bounds(holder_cost=v),
            ),
            Lever(
                f"{defender_name}'s costs",
                f"multiple of {defender_name}'s weekly cost of war",
                1.0,
                0.0,
                1000.0,
                lambda v: self.bounds(defender_cost=v),
            ),
        ]
        for side, name in ((self.holder, holder_name), (self.defender, defender_name)):
            if side.crossing_cost_now() is None:
                continue
            crossing: Callable[[float], tuple[float, float]] = (
                (lambda v: self.bounds(holder_crossing=v))
                if side is self.holder
                else (lambda v: self.bounds(defender_crossing=v))
            )
            levers.append(
                Lever(
                    f"{name}'s red-line cost",
                    f"multiple of what crossing {name}'s red line costs it now",
                    1.0,
                    0.0,
                    1.0,
                    crossing,
                )
            )
        if self.model.mediator is not None:
            mediator = self.model.mediator.name
            levers += [
                Lever(
                    f"{mediator} sanctions",
                    "sanctions level (1 = as at the start)",
                    self.sanctions,
                    0.0,
                    1000.0,
                    lambda v: self.bounds(sanctions=v),
                ),
                Lever(
                    f"{mediator} aid",
                    "aid level (1 = as at the start)",
                    self.aid,
                    0.0,
                    1000.0,
                    lambda v: self.bounds(aid=v),
                ),
            ]
        return levers

    def report(self) -> dict[str, Any]:
        """Everything `analyze` shows, as JSON-ready data."""
        model = self.model
        levers = model.levers
        holder_min, defender_max = self.value_bounds()
        red_low, red_high = self.red_lines()
        low, high = self.bounds()
        holder_crossing, defender_crossing = self.crossing_costs
        sides = {}
        for side, reservation, kind, crossing in (
            (self.holder, holder_min, "minimum", holder_crossing),
            (self.defender, defender_max, "maximum", defender_crossing),
        ):
            sides[side.actor_id] = {
                "name": side.name,
                "belief": round(float(side.believed_p[0]), 6),
                "expected_control": round(float(side.expected_control[0]), 6),
                "cost_of_war_over_foresight": round(
                    float(side.weekly_cost(levers.aid, levers.sanctions)[0] * side.foresight[0]), 6
                ),
                "walk_away": round(float(side.walk_away[0]), 6),
                "reservation": round(reservation, 6),
                "reservation_bound": kind,
                "red_line_crossing_cost": (
                    None if not np.isfinite(crossing) else round(crossing, 6)
                ),
            }
        return {
            "scenario": model.scenario.name,
            "week": int(model.steps),
            "date": model.date.isoformat(),
            "control": round(float(model.front.control[0]), 6),
            "sides": sides,
            "values_range": _interval(holder_min, defender_max),
            "red_lines_range": _interval(red_low, red_high),
            "bargaining_range": _interval(low, high),
            "gap": round(max(0.0, low - high), 6),
            "nash": self._solution(theory.nash_split),
            "kalai_smorodinsky": self._solution(theory.ks_split),
            "levers": [self._lever_report(lever) for lever in self.levers()],
        }

    def _solution(self, solver: Callable) -> float | None:
        """Nash or Kalai-Smorodinsky split of the territory, war as disagreement."""
        holder, defender = self.holder, self.defender
        control = self.model.front.control

        def u_holder(x: float) -> float:
            terms = self.terms.copy()
            terms[:, 0] = x
            return float(
                utility(
                    terms, holder.positions.ideal_now(control)[:1], holder.positions.weights[:1]
                )[0]
            )

        def u_defender(y: float) -> float:
            terms = self.terms.copy()
            terms[:, 0] = 1.0 - y
            return float(
                utility(
                    terms, defender.positions.ideal_now(control)[:1], defender.positions.weights[:1]
                )[0]
            )

        # The disagreement point is each side's least acceptable share, red lines and the
        # costs of crossing them included, so the solution lies inside the bargaining
        # range, and there is none when the range is empty.
        holder_min, defender_max = self.bounds()
        if holder_min > defender_max:
            return None
        disagreement = (u_holder(holder_min), u_defender(1.0 - defender_max))
        try:
            return round(float(solver(u_holder, u_defender, disagreement)), 6)
        except ValueError:
            return None

    def _lever_report(self, lever: Lever) -> dict[str, Any]:
        def gap(value: float) -> float:
            holder_min, defender_max = lever.apply(value)
            return holder_min - defender_max

        now = gap(lever.current)
        entry: dict[str, Any] = {
            "lever": lever.name,
            "description": lever.description,
            "current": round(lever.current, 6),
        }
        if now <= 0:
            entry.update(needed=None, note="a range is already open")
        else:
            entry.update(_solve_lever(gap, lever))
        return entry


def _solve_lever(gap: Callable[[float], float], lever: Lever) -> dict[str, Any]:
    """The nearest value of the lever at which the sides' acceptable ranges touch (red lines
    and the costs of crossing them included)."""
    grid = np.linspace(lever.low, lever.high, 401)
    candidates = []
    values = [gap(v) for v in grid]
    for left, right, g_left, g_right in zip(
        grid[:-1], grid[1:], values[:-1], values[1:], strict=True
    ):
        if g_left > 0 >= g_right or g_left <= 0 < g_right:
            candidates.append(brentq(gap, left, right, xtol=1e-10))
    if not candidates:
        return {
            "needed": None,
            "note": f"no value in [{lever.low:g}, {lever.high:g}] opens a range",
        }
    needed = min(candidates, key=lambda v: abs(v - lever.current))
    return {"needed": round(float(needed), 6), "change": round(float(needed - lever.current), 6)}


def _interval(low: float, high: float) -> dict[str, Any]:
    return {"low": round(low, 6), "high": round(high, 6), "exists": bool(low <= high)}


def analyze(scenario: Any, week: int = 0, seed: int | None = None) -> dict[str, Any]:
    """Run a seeded model to ``week`` and analyse the bargaining problem there."""
    model = CeasefireModel(scenario, replications=1, seed=seed)
    for _ in range(week):
        model.step()
    if week == 0:
        model.agents_by_type[Belligerent].do("value_war", model)
    return Analysis(model).report()
