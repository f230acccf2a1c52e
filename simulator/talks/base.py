"""What strategies and protocols share: parameter specs and the parties' view of a round."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from .utility import TOLERANCE, crossing_penalty, utility, within_limits


@dataclass(frozen=True)
class ParamSpec:
    """A parameter a strategy or protocol takes from the scenario."""

    name: str
    description: str
    default: float
    low: float
    high: float


class Named:
    """A registry entry: a name, a one-line description, parameters and a classifier."""

    name: ClassVar[str]
    description: ClassVar[str]
    params: ClassVar[tuple[ParamSpec, ...]] = ()
    classifier: ClassVar[dict[str, bool | str]] = {}

    def __init__(self, values: dict[str, np.ndarray]):
        self.values = {spec.name: values[spec.name] for spec in self.params}

    @classmethod
    def spec(cls, name: str) -> ParamSpec | None:
        return next((p for p in cls.params if p.name == name), None)


@dataclass
class Situation:
    """What a negotiator knows when it sets its aspiration for a round (arrays over R)."""

    rounds: np.ndarray
    """Rounds of talks already held (0 at the first)."""
    offer_gain: np.ndarray
    """How much the other side's latest ask improved on its previous one, in this
    party's aspiration units (0 when there is none yet)."""
    proposing: np.ndarray
    """Whether this party proposes this round (False for all under a mediator's text)."""
    talking: np.ndarray
    """Whether talks are held in each replication this week: a strategy with memory
    updates it only there."""
    walk_away: np.ndarray
    other_walk_away: np.ndarray
    patience: np.ndarray
    """Weekly discount factor of this party (1 = no discounting)."""
    other_patience: np.ndarray
    resources: np.ndarray | None = None
    """The party's resources now as a share of the start's: combat power (forces, materiel,
    aid, logistics) over its economic burden (sanctions); 1 when unknown."""


@dataclass
class Party:
    """One belligerent as the talks see it this week (arrays over replications).

    ``threshold`` is the utility below which it rejects; ``ask`` the terms it would
    put forward; ``low`` and ``high`` its red lines per issue.
    """

    ideal: np.ndarray
    weights: np.ndarray
    walk_away: np.ndarray
    threshold: np.ndarray
    ask: np.ndarray
    low: np.ndarray
    high: np.ndarray
    salience: np.ndarray | None = None
    """Share of its attention on each issue ``(R, K)``, summing to 1."""
    capability: np.ndarray | None = None
    """Its share of the two sides' combat power ``(R,)``."""
    crossing_cost: np.ndarray | None = None
    """Utility lost by accepting terms beyond its red line on each issue ``(R, K)``;
    ``inf`` where the line is hard. ``None``: every red line is hard (unless
    ``crossing_cost_later`` is given)."""
    crossing_cost_later: Callable[[], np.ndarray] | None = field(default=None, repr=False)
    """Works ``crossing_cost`` out the first time it is needed (see :meth:`crossing_costs`):
    most weeks a text crosses one side's red lines only, and the other side's costs
    are never needed."""

    def crossing_costs(self) -> np.ndarray | None:
        """``crossing_cost``, worked out now if it was left for later."""
        if self.crossing_cost_later is not None:
            self.crossing_cost = self.crossing_cost_later()
            self.crossing_cost_later = None
        return self.crossing_cost

    def value(self, terms: np.ndarray) -> np.ndarray:
        return utility(terms, self.ideal, self.weights)

    def accepts(self, terms: np.ndarray) -> np.ndarray:
        """At least as good as its threshold, after the cost of crossing any red line.

        Terms within every red line are judged on their value alone; terms beyond one
        are worth the cost of crossing it less (and never acceptable beyond a hard line).
        """
        value = self.value(terms)
        if self.crossing_cost is None and self.crossing_cost_later is None:
            inside = within_limits(terms, self.low, self.high)
            return inside & (value >= self.threshold - TOLERANCE)
        # The costs are worked out only if these terms cross one of its lines.
        value -= crossing_penalty(terms, self.low, self.high, self.crossing_costs)
        return value >= self.threshold - TOLERANCE


@dataclass
class MediatorView:
    """The mediator as the talks see it: its preferred terms and how hard it pulls."""

    preferred: np.ndarray
    weights: np.ndarray
    salience: np.ndarray | None = None
    front: np.ndarray | None = None
    """The holder's share of territory as the front stands ``(R,)``."""
