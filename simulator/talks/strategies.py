"""Negotiator strategies: how demanding a party is in each round of talks.

A strategy decides one thing, the party's *aspiration* in [0, 1]: 1 holds out for
its ideal, 0 settles for anything at least as good as fighting on. The party turns
it into a utility threshold between its walk-away value and its ideal, offers the
terms that meet that threshold and accepts any offer that does (Faratin, Sierra and
Jennings 1998). Each class is small, has a name, a one-line description and a
classifier, and is found through :mod:`simulator.talks.registry`.
"""

from __future__ import annotations

import numpy as np

from .base import Named, ParamSpec


class Negotiator(Named):
    """Base class: subclasses implement :meth:`aspiration`."""

    def __init__(self, values: dict[str, np.ndarray], replications: int):
        super().__init__(values)
        self.replications = replications

    def aspiration(self, rounds: np.ndarray, offer_gain: np.ndarray) -> np.ndarray:
        """Aspiration ``(R,)`` for this round.

        Args:
            rounds: rounds of talks already held in each replication (0 at the first).
            offer_gain: how much the other side's latest offer improved on its previous
                one, in this party's aspiration units (0 when there is none yet).
        """
        raise NotImplementedError


_DEADLINE = ParamSpec("deadline", "Rounds (weeks) after which it concedes fully.", 52, 1, 1040)


class TimeDependent(Negotiator):
    """Aspiration 1 - (t/T)^(1/e): the Faratin-Sierra-Jennings family."""

    name = "time_dependent"
    description = "Concedes with time: aspiration 1 - (t/T)^(1/e); e < 1 late, e > 1 early."
    params = (
        ParamSpec(
            "exponent",
            "Concession exponent e (<1 Boulware, 1 linear, >1 conceder).",
            1.0,
            0.01,
            100.0,
        ),
        _DEADLINE,
    )
    classifier = {"time_dependent": True, "responsive": False, "deterministic": True}

    def aspiration(self, rounds: np.ndarray, offer_gain: np.ndarray) -> np.ndarray:
        elapsed = np.clip(rounds / self.values["deadline"], 0.0, 1.0)
        return 1.0 - elapsed ** (1.0 / self.values["exponent"])


class Boulware(TimeDependent):
    name = "boulware"
    description = "Holds firm and concedes late (time-dependent, e = 0.2 by default)."
    params = (
        ParamSpec("exponent", "Concession exponent e (< 1).", 0.2, 0.01, 1.0),
        _DEADLINE,
    )


class Linear(TimeDependent):
    name = "linear"
    description = "Concedes the same amount every round until the deadline (e = 1)."
    params = (_DEADLINE,)

    def __init__(self, values: dict[str, np.ndarray], replications: int):
        super().__init__(values, replications)
        self.values["exponent"] = np.ones(replications)


class Conceder(TimeDependent):
    name = "conceder"
    description = "Concedes early and then holds (time-dependent, e = 5 by default)."
    params = (
        ParamSpec("exponent", "Concession exponent e (> 1).", 5.0, 1.0, 100.0),
        _DEADLINE,
    )


class ReservationValue(Negotiator):
    """Accepts anything at least as good as fighting on, and offers exactly that."""

    name = "reservation"
    description = "Accepts any terms at least as good as fighting on; offers its reservation point."
    classifier = {"time_dependent": False, "responsive": False, "deterministic": True}

    def aspiration(self, rounds: np.ndarray, offer_gain: np.ndarray) -> np.ndarray:
        return np.zeros(self.replications)


class Hardliner(Negotiator):
    """Never moves from its ideal: the stated demand as the only acceptable deal."""

    name = "hardliner"
    description = "Never concedes: accepts only terms as good as its ideal."
    classifier = {"time_dependent": False, "responsive": False, "deterministic": True}

    def aspiration(self, rounds: np.ndarray, offer_gain: np.ndarray) -> np.ndarray:
        return np.ones(self.replications)


class TitForTat(Negotiator):
    """Concedes as much as the other side conceded in its latest offer, no more."""

    name = "tit_for_tat"
    description = "Mirrors the other side: concedes as much as its last offer conceded."
    params = (
        ParamSpec("opening", "Aspiration in the first round.", 1.0, 0.0, 1.0),
        ParamSpec(
            "goodwill",
            "Aspiration given up each round regardless (breaks deadlock).",
            0.0,
            0.0,
            1.0,
        ),
    )
    classifier = {"time_dependent": False, "responsive": True, "deterministic": True}

    def __init__(self, values: dict[str, np.ndarray], replications: int):
        super().__init__(values, replications)
        self.current = self.values["opening"].copy()

    def aspiration(self, rounds: np.ndarray, offer_gain: np.ndarray) -> np.ndarray:
        step = np.maximum(offer_gain, 0.0) + self.values["goodwill"]
        self.current = np.where(
            rounds == 0, self.values["opening"], np.clip(self.current - step, 0.0, 1.0)
        )
        return self.current
