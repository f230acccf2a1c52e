"""Mediator policies: conditional uses of leverage, evaluated each week on the talks.

A dated event changes a lever once; a policy watches what the belligerents do and
moves a lever in answer ("pause aid until Kyiv accepts", "raise sanctions on the side
that keeps refusing"). Each policy is a small class with a name, a description, a
classifier and its parameters, found through :mod:`simulator.talks.registry`, like the
negotiator strategies. A policy sets multipliers on the mediator's levers for its
target; it never touches the model's state otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Named, ParamSpec


@dataclass
class Levers:
    """Multipliers a policy puts on the mediator's levers, per replication (1 = no change)."""

    aid: np.ndarray
    intelligence: np.ndarray
    sanctions: np.ndarray
    guarantee: np.ndarray

    @classmethod
    def neutral(cls, replications: int) -> Levers:
        return cls(*(np.ones(replications) for _ in range(4)))


@dataclass
class TalksWeek:
    """What a policy sees of a week of talks (arrays over replications)."""

    week: int
    offered: np.ndarray
    """A mediator's proposal was on the table."""
    accepted: np.ndarray
    """The target accepted a proposal of any kind this week."""
    other_accepted: np.ndarray
    """The other belligerent accepted a proposal of any kind this week."""


class MediatorPolicy(Named):
    """Base class: subclasses implement :meth:`act`, which updates ``self.levers``."""

    def __init__(self, values: dict[str, np.ndarray], replications: int, start_week: int):
        super().__init__(values)
        self.start_week = start_week
        self.levers = Levers.neutral(replications)

    def act(self, week: TalksWeek) -> None:
        raise NotImplementedError


class PauseAidUntilAccepts(MediatorPolicy):
    """From its start, aid and intelligence to the target stop until it accepts a proposal;
    then they resume for good."""

    name = "pause_aid_until_accepts"
    description = "Pauses aid and intelligence to the target until it accepts a proposal."
    params = (
        ParamSpec("level", "Aid and intelligence while paused, as a share of before.", 0.0, 0, 1),
    )
    classifier = {"conditional": True, "lever": "aid", "rewards_acceptance": True}

    def __init__(self, values: dict[str, np.ndarray], replications: int, start_week: int):
        super().__init__(values, replications, start_week)
        self.complied = np.zeros(replications, dtype=bool)

    def act(self, week: TalksWeek) -> None:
        if week.week < self.start_week:
            return
        self.complied |= week.accepted
        paused = np.where(self.complied, 1.0, self.values["level"])
        self.levers.aid = paused
        self.levers.intelligence = paused


class SanctionsAfterRefusals(MediatorPolicy):
    """Sanctions on the target rise after it has refused the mediator's proposals for
    ``weeks`` weeks since the policy's start, and fall back once it accepts one."""

    name = "sanctions_after_refusals"
    description = "Raises sanctions on the target after N weeks of refusals, until it accepts."
    params = (
        ParamSpec("weeks", "Weeks of refusals before sanctions rise.", 8, 1, 1040),
        ParamSpec("level", "Sanctions while raised, as a multiple of before.", 2.0, 1.0, 100.0),
    )
    classifier = {"conditional": True, "lever": "sanctions", "rewards_acceptance": True}

    def __init__(self, values: dict[str, np.ndarray], replications: int, start_week: int):
        super().__init__(values, replications, start_week)
        self.refusals = np.zeros(replications)

    def act(self, week: TalksWeek) -> None:
        if week.week < self.start_week:
            return
        refused = week.offered & ~week.accepted
        self.refusals = np.where(week.accepted, 0.0, self.refusals + refused)
        raised = self.refusals >= self.values["weeks"]
        self.levers.sanctions = np.where(raised, self.values["level"], 1.0)


class GuaranteeIfBothAccept(MediatorPolicy):
    """The mediator's guarantee counts only once both belligerents have accepted a
    proposal (not necessarily the same one): it commits to guard a deal only when both
    have shown they want one. Before that, pauses and deals carry no guarantee."""

    name = "guarantee_if_both_accept"
    description = "Offers its guarantee only once both sides have accepted a proposal."
    classifier = {"conditional": True, "lever": "guarantee", "rewards_acceptance": True}

    def __init__(self, values: dict[str, np.ndarray], replications: int, start_week: int):
        super().__init__(values, replications, start_week)
        self.target_accepted = np.zeros(replications, dtype=bool)
        self.other_accepted = np.zeros(replications, dtype=bool)
        self.levers.guarantee = np.zeros(replications)

    def act(self, week: TalksWeek) -> None:
        if week.week < self.start_week:
            return
        self.target_accepted |= week.accepted
        self.other_accepted |= week.other_accepted
        self.levers.guarantee = (self.target_accepted & self.other_accepted).astype(float)
