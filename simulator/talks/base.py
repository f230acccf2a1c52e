"""What strategies and protocols share: parameter specs and the parties' view of a round."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .utility import TOLERANCE, utility, within_limits


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
    classifier: ClassVar[dict[str, bool]] = {}

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

    def value(self, terms: np.ndarray) -> np.ndarray:
        return utility(terms, self.ideal, self.weights)

    def accepts(self, terms: np.ndarray) -> np.ndarray:
        """Within every red line and at least as good as its current threshold."""
        good_enough = self.value(terms) >= self.threshold - TOLERANCE
        return good_enough & within_limits(terms, self.low, self.high)


@dataclass
class MediatorView:
    """The mediator as the talks see it: its preferred terms and how hard it pulls."""

    preferred: np.ndarray
    weights: np.ndarray
    salience: np.ndarray | None = None
