"""Negotiator strategies: how demanding a party is in each round of talks.

A strategy decides one thing, the party's *aspiration* in [0, 1]: 1 holds out for
its ideal, 0 settles for anything at least as good as fighting on. The party turns
it into a utility threshold between its walk-away value and its ideal, offers the
terms that meet that threshold and accepts any offer that does (Faratin, Sierra and
Jennings 1998). Each class is small, has a name, a one-line description and a
classifier, and is found through :mod:`simulator.talks.registry`.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..arrays import at_least, at_most, between
from .base import Named, ParamSpec, Situation


class Negotiator(Named):
    """Base class: subclasses implement :meth:`aspiration`."""

    def __init__(self, values: dict[str, np.ndarray], replications: int):
        super().__init__(values)
        self.replications = replications

    def aspiration(self, situation: Situation) -> np.ndarray:
        """Aspiration ``(R,)`` in [0, 1] for this round, given what the party knows."""
        raise NotImplementedError


_DEADLINE = ParamSpec("deadline", "Rounds (weeks) after which it concedes fully.", 52, 1, 1040)


def time_aspiration(
    rounds: np.ndarray,
    deadline: np.ndarray,
    exponent: np.ndarray,
    inverse_exponent: np.ndarray | None = None,
    deadline_positive: bool = False,
) -> np.ndarray:
    """Faratin, Sierra and Jennings' time-dependent tactic: ``1 - (t/T)^(1/e)``, the
    rounds held ``t`` counted up to the deadline ``T`` (``inverse_exponent``: ``1/e``
    worked out once by a caller that asks every week; ``deadline_positive``: the caller
    knows every ``T`` is positive, so that ``t/T`` (``t >= 0``) needs no lower bound)."""
    elapsed = rounds / deadline
    if deadline_positive:  # t/T >= +0.0 already: max(t/T, 0) would change no bit
        at_most(elapsed, 1.0, out=elapsed)
    else:
        between(elapsed, 0.0, 1.0, out=elapsed)
    inverse = 1.0 / exponent if inverse_exponent is None else inverse_exponent
    np.power(elapsed, inverse, out=elapsed)
    return np.subtract(1.0, elapsed, out=elapsed)


class TimeDependent(Negotiator):
    """Aspiration 1 - (t/T)^(1/e): the Faratin-Sierra-Jennings family."""

    name = "time_dependent"
    description = "Concedes with time: aspiration 1 - (t/T)^(1/e); e < 1 late, e > 1 early."
    params: ClassVar[tuple[ParamSpec, ...]] = (
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

    def aspiration(self, situation: Situation) -> np.ndarray:
        return time_aspiration(situation.rounds, self.values["deadline"], self.values["exponent"])


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

    def aspiration(self, situation: Situation) -> np.ndarray:
        return np.zeros(self.replications)


class Hardliner(Negotiator):
    """Never moves from its ideal: the stated demand as the only acceptable deal."""

    name = "hardliner"
    description = "Never concedes: accepts only terms as good as its ideal."
    classifier = {"time_dependent": False, "responsive": False, "deterministic": True}

    def aspiration(self, situation: Situation) -> np.ndarray:
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

    def aspiration(self, situation: Situation) -> np.ndarray:
        step = np.maximum(situation.offer_gain, 0.0) + self.values["goodwill"]
        updated = np.where(
            situation.rounds == 0,
            self.values["opening"],
            np.clip(self.current - step, 0.0, 1.0),
        )
        self.current = np.where(situation.talking, updated, self.current)
        return self.current


_FLOOR = ParamSpec(
    "floor",
    "Resources (as a share of the start's) at which it concedes fully.",
    0.5,
    0.0,
    0.999,
)
_RESOURCE_EXPONENT = ParamSpec(
    "resource_exponent",
    "Concession exponent on depleted resources (<1 holds out until near the floor).",
    1.0,
    0.01,
    100.0,
)


def resource_aspiration(
    resources: np.ndarray | None,
    floor: np.ndarray,
    exponent: np.ndarray,
    linear: bool | None = None,
    headroom: np.ndarray | None = None,
) -> np.ndarray:
    """Faratin, Sierra and Jennings' resource-dependent tactic: 1 - d^(1/e).

    ``d`` is how far resources have fallen from the start toward ``floor``, in [0, 1]:
    a side concedes as its forces, aid or economy dwindle, not as a clock runs.
    ``linear``: whether every ``e`` is 1, if the caller knows; ``headroom``: ``1 - floor``,
    if the caller worked it out once.
    """
    if resources is None:
        return np.ones_like(floor)
    # d = (1 - resources) / (1 - floor)
    depletion = (1.0 - resources) / (1.0 - floor if headroom is None else headroom)
    between(depletion, 0.0, 1.0, out=depletion)
    if (exponent == 1.0).all() if linear is None else linear:  # linear: no power
        return np.subtract(1.0, depletion, out=depletion)
    return 1.0 - depletion ** (1.0 / exponent)


class ResourceDependent(Negotiator):
    """Concedes as its resources dwindle (Faratin, Sierra and Jennings 1998)."""

    name = "resource_dependent"
    description = "Concedes as its resources dwindle: aspiration 1 - d^(1/e), d its depletion."
    params = (_FLOOR, _RESOURCE_EXPONENT)
    classifier = {
        "time_dependent": False,
        "responsive": False,
        "resource_dependent": True,
        "deterministic": True,
    }

    def aspiration(self, situation: Situation) -> np.ndarray:
        return resource_aspiration(
            situation.resources, self.values["floor"], self.values["resource_exponent"]
        )


class Mixed(Negotiator):
    """A weighted mix of a clock, resources and reciprocity (Faratin et al. 1998, sec. 4).

    Aspiration is the weighted geometric mean
    ``a_time^(w_t/W) * a_resource^(w_r/W) * a_reciprocity^(w_b/W)``, ``W`` the sum of the
    weights: the time-dependent tactic with its deadline, the resource-dependent tactic,
    and a reciprocal one that gives up as much aspiration as the other side's ask
    conceded to it (times ``reciprocity``), remembered from round to round. Faratin et
    al. mix tactics linearly; the geometric mean is a departure, chosen so that a side
    concedes fully when any one pressure has run its course (a deadline reached,
    resources at their floor), whatever the others say.
    """

    name = "mixed"
    description = "Weighs a clock, its resources and the other side's concessions."
    params = (
        ParamSpec("time_weight", "Weight of the time-dependent tactic.", 1.0, 0.0, 100.0),
        ParamSpec("resource_weight", "Weight of the resource-dependent tactic.", 1.0, 0.0, 100.0),
        ParamSpec("reciprocity_weight", "Weight of the reciprocal tactic.", 1.0, 0.0, 100.0),
        ParamSpec(
            "exponent", "Time concession exponent e (<1 Boulware, >1 conceder).", 1.0, 0.01, 100.0
        ),
        _DEADLINE,
        _FLOOR,
        _RESOURCE_EXPONENT,
        ParamSpec(
            "reciprocity",
            "Aspiration given up per unit the other side's ask conceded.",
            1.0,
            0.0,
            10.0,
        ),
    )
    classifier = {
        "time_dependent": True,
        "responsive": True,
        "resource_dependent": True,
        "deterministic": True,
    }

    def __init__(self, values: dict[str, np.ndarray], replications: int):
        super().__init__(values, replications)
        self.reciprocal = np.ones(replications)
        v = self.values
        total = v["time_weight"] + v["resource_weight"] + v["reciprocity_weight"]
        safe = np.where(total > 0, total, 1.0)
        # Each tactic's exponent in the geometric mean (the time tactic alone if no weight).
        self._shares = {
            "time": np.where(total > 0, v["time_weight"] / safe, 1.0),
            "resource": v["resource_weight"] / safe,
            "reciprocity": v["reciprocity_weight"] / safe,
        }
        self._uses = {name: bool(share.any()) for name, share in self._shares.items()}
        # Worked out once: the parameters do not change during a run.
        self._inverse_exponent = 1.0 / v["exponent"]
        self._deadline_positive = bool((v["deadline"] > 0).all())
        self._headroom = 1.0 - v["floor"]
        self._unit_reciprocity = bool((v["reciprocity"] == 1.0).all())
        self._linear_resources = bool((v["resource_exponent"] == 1.0).all())
        self._all_weighted = {name: bool(share.all()) for name, share in self._shares.items()}

    def _weighted_log(
        self, tactic: str, aspiration: np.ndarray, overwrite: bool = False
    ) -> np.ndarray:
        """``share * log(aspiration)``, 0 where the tactic's share is 0 (worked out in
        ``aspiration``'s own array when ``overwrite``: the caller no longer needs it)."""
        share = self._shares[tactic]
        term = np.log(aspiration, out=aspiration if overwrite else None)
        term *= share
        return term if self._all_weighted[tactic] else np.where(share > 0, term, 0.0)

    def aspiration(self, situation: Situation) -> np.ndarray:
        v = self.values
        rounds = situation.rounds
        by_time = time_aspiration(
            rounds, v["deadline"], v["exponent"], self._inverse_exponent, self._deadline_positive
        )
        # The reciprocal tactic gives up reciprocity * max(offer_gain, 0) a round, never
        # below 0, from 1 at the first round.
        step = at_least(situation.offer_gain, 0.0)
        if not self._unit_reciprocity:  # (times 1 changes no bit)
            step *= v["reciprocity"]
        updated = np.subtract(self.reciprocal, step, out=step)
        at_least(updated, 0.0, out=updated)
        first = rounds == 0
        if first.any():
            updated = np.where(first, 1.0, updated)
        talking = situation.talking
        self.reciprocal = updated if talking.all() else np.where(talking, updated, self.reciprocal)
        # The weighted geometric mean, as one exp of a weighted sum of logs (a tactic of
        # weight 0 counts as 1 even where it has reached 0).
        with np.errstate(divide="ignore", invalid="ignore"):
            log_mix = self._weighted_log("time", by_time, overwrite=True)
            if self._uses["resource"]:
                by_resources = resource_aspiration(
                    situation.resources,
                    v["floor"],
                    v["resource_exponent"],
                    self._linear_resources,
                    self._headroom,
                )
                log_mix += self._weighted_log("resource", by_resources, overwrite=True)
            if self._uses["reciprocity"]:
                log_mix += self._weighted_log("reciprocity", self.reciprocal)
        return np.exp(log_mix, out=log_mix)


class SubgamePerfect(Negotiator):
    """Plays the subgame-perfect equilibrium of alternating offers with outside options.

    With complete information it knows both sides' patience (weekly discount
    factors) and walk-away values. As proposer it asks for ``M``, its equilibrium
    share; as responder it accepts anything worth at least ``max(w, delta * M)``,
    the better of walking away and proposing next round (Rubinstein 1982; Binmore,
    Shaked and Sutton 1989). Exact when utilities on the one issue add up to 1 (a
    split of one good); an approximation on several issues.
    """

    name = "subgame_perfect"
    description = "Rubinstein's equilibrium play: asks its equilibrium share, accepts its value."
    classifier = {
        "time_dependent": False,
        "responsive": False,
        "deterministic": True,
        "needs_complete_information": True,
    }

    def aspiration(self, situation: Situation) -> np.ndarray:
        own, other = situation.patience, situation.other_patience
        w_own, w_other = situation.walk_away, situation.other_walk_away
        share_own, _ = equilibrium_shares(own, other, w_own, w_other)
        target = np.where(situation.proposing, share_own, np.maximum(w_own, own * share_own))
        room = np.maximum(1.0 - w_own, 1e-12)
        return np.clip((target - w_own) / room, 0.0, 1.0)


def equilibrium_shares(
    delta_own: np.ndarray, delta_other: np.ndarray, w_own: np.ndarray, w_other: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Equilibrium proposer shares (M_own, M_other) of alternating offers with outside options.

    Solves M_own = 1 - max(w_other, delta_other M_other) and
    M_other = 1 - max(w_own, delta_own M_own) by iteration: the map is a contraction
    with factor delta_own * delta_other < 1.
    """
    m_own = np.ones_like(delta_own)
    m_other = np.ones_like(delta_other)
    for _ in range(2000):
        new_own = 1.0 - np.maximum(w_other, delta_other * m_other)
        new_other = 1.0 - np.maximum(w_own, delta_own * new_own)
        change = max(np.max(np.abs(new_own - m_own)), np.max(np.abs(new_other - m_other)))
        m_own, m_other = new_own, new_other
        if change < 1e-14:
            break
    return m_own, m_other
