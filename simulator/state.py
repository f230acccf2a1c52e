"""The model's state, grouped: what a stage of the week reads and writes.

:class:`~simulator.model.CeasefireModel` keeps its state in a few small records
rather than as dozens of flat attributes, so that a reader can see which part of the
model a stage touches (``model.levers.aid`` is a mediator's lever, not an actor's
resource). Every array has a leading axis of replications.

Some code caches results by the identity of arrays that the model replaces each week
(``levers.aid``, the front's ``control``, ``logistics_lost``): the model always puts a
new array in a field, never changes one in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(slots=True)
class Levers:
    """This week's levers ``(R,)``: a mediator's aid, sanctions, intelligence and
    guarantee (1, 1, 1 and 0 without a mediator). Set once a week from the levels dated
    events set times the multipliers of the mediator's policies; a new record each time."""

    aid: np.ndarray
    sanctions: np.ndarray
    intelligence: np.ndarray
    guarantee: np.ndarray


@dataclass(slots=True)
class Front:
    """The battlefield ``(R,)``: how much territory the front's holder holds, how fast
    the line moves, and the places along its axes.

    Axis progress and place distances are kept in effort, open-ground km: built-up
    areas slow the line (a place's defence over its depth, :mod:`simulator.battlefield`).
    ``control``, ``p_holder``, ``net_wins`` and ``logistics_lost`` are replaced each week,
    never changed in place; ``axis_progress`` holds one array per axis, moved in place.
    """

    area_km2: np.ndarray
    """The disputed territory's area."""
    control: np.ndarray
    """The holder's share of the disputed territory."""
    engagements: np.ndarray
    """Engagements a week while fighting."""
    contest_exponent: np.ndarray
    share_per_win: np.ndarray
    """Share of the territory one net win moves."""
    km_per_net_win: np.ndarray
    axis_ids: list[str]
    axis_share: dict[str, np.ndarray]
    """Each axis's share of the net wins."""
    axis_progress: dict[str, np.ndarray]
    """How far the holder has advanced on each axis (effort km)."""
    axis_belts: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]]
    """Each axis's built-up belts: (start, end, defence), in effort km."""
    place_ids: list[str]
    place_axis: dict[str, str]
    place_distance_km: dict[str, np.ndarray]
    place_distance: dict[str, np.ndarray]
    """Each place's distance along its axis, in effort km."""
    place_logistics: dict[str, np.ndarray]
    logistics_places: list[str]
    """The places that carry logistics in some replication (only they change the loss)."""
    logistics_kept: dict[str, np.ndarray]
    """What each such place leaves of the defender's materiel once taken: 1 - its value."""
    p_holder: np.ndarray
    """This week's P(the holder wins an engagement); NaN before week 1."""
    net_wins: np.ndarray
    """This week's net wins of the holder; none before week 1."""
    logistics_lost: np.ndarray
    """Share of the defender's materiel lost with the places the holder has taken."""

    def place_held(self, place: str, rows: np.ndarray | None = None) -> np.ndarray:
        """Whether the front's holder holds ``place``, per replication (in ``rows`` only,
        when given).

        Axis progress and place distances are both in effort (open-ground km), so a
        town's defence is already counted in the distance it takes to reach it.
        """
        progress = self.axis_progress[self.place_axis[place]]
        distance = self.place_distance[place]
        if rows is None:
            return progress >= distance
        return progress[rows] >= distance[rows]

    def logistics_loss(self) -> np.ndarray:
        """Share of the defender's materiel lost with the places the holder has taken
        (a new array)."""
        if not self.logistics_places:
            return np.zeros(len(self.control))
        # 1 - the product over such places of (1 - value where held, else 1); the first
        # factor is taken as it is (1 * factor is the factor).
        first, *others = self.logistics_places
        kept = np.where(self.place_held(first), self.logistics_kept[first], 1.0)
        for place in others:
            kept *= np.where(self.place_held(place), self.logistics_kept[place], 1.0)
        return np.subtract(1.0, kept, out=kept)


@dataclass(slots=True)
class Talks:
    """The talks: the protocol, when they open, and this week's round ``(R, ...)``.

    ``text``, ``accepts`` and ``accepts_by_kind`` are set afresh every week (no text
    and nobody accepting where talks are closed); ``rounds`` counts each replication's
    rounds since talks last started (afresh after a settlement breaks down).
    """

    protocol: Any
    """The scenario's protocol (:data:`simulator.talks.registry.PROTOCOLS`)."""
    open_week: int
    """The first week talks may be held."""
    first_proposer: int
    """Who proposes first: 0 the front's holder, 1 the defender."""
    rounds: np.ndarray
    last_asks: dict[str, np.ndarray]
    """Each belligerent's ask in its last round of talks ``(R, K)``, by actor id."""
    text: np.ndarray
    """This week's text on the table ``(R, K)``; NaN where talks are closed."""
    accepts: tuple[np.ndarray, np.ndarray]
    """Whether the holder and the defender accepted anything this week."""
    accepts_by_kind: dict[str, tuple[np.ndarray, np.ndarray]]
    """Each side's answer this week to each kind of proposal, by kind."""


@dataclass(slots=True)
class Outcomes:
    """What the talks have brought about so far ``(R, ...)``: agreements (a settlement
    or a general cease-fire), partial truces, capitulations, and their breakdowns.

    Weeks are -1 until the thing happens. The ``*_until`` arrays (the last week a
    general cease-fire or truce runs, -1 when none) are replaced, never changed in place:
    the model caches which truces are active by the identity of ``truce_until``.
    """

    agreed: np.ndarray
    """An agreement (a settlement or a general cease-fire) was reached."""
    agreement_week: np.ndarray
    settled: np.ndarray
    settlement_week: np.ndarray
    capitulated: np.ndarray
    """Terms that leave one side none of the disputed territory came into force."""
    capitulation_week: np.ndarray
    in_force: np.ndarray
    """A settlement is in force."""
    terms: np.ndarray
    """The first settlement's terms ``(R, K)``."""
    in_force_terms: np.ndarray
    """The terms of the settlement in force ``(R, K)``."""
    agreements: np.ndarray
    """Settlements and first cease-fires counted, including those that broke down."""
    ceasefire_until: np.ndarray
    ceasefire_agreed: np.ndarray
    ceasefire_week: np.ndarray
    ceasefires: np.ndarray
    """General cease-fires agreed (and renewed by a fresh agreement)."""
    ceasefire_broke_down: np.ndarray
    truce_until: np.ndarray
    truce_agreed: np.ndarray
    truce_week: np.ndarray
    truce_broke_down: np.ndarray
    pause_just_broke: np.ndarray
    """A cease-fire or truce broke down this week (no new pause is offered)."""
    broke_down: np.ndarray
    """A settlement broke down."""
    breakdown_week: np.ndarray
    hazard: np.ndarray
    """This week's breakdown hazard of the settlement in force."""
    just_broke: np.ndarray
    """A settlement broke down this week (talks start afresh the week after)."""

    @classmethod
    def start(cls, replications: int, issues: int) -> Outcomes:
        """Nothing agreed yet in any of ``replications`` runs over ``issues`` issues."""
        r, k = replications, issues

        def no() -> np.ndarray:
            return np.zeros(r, dtype=bool)

        def never() -> np.ndarray:
            return np.full(r, -1, dtype=np.int64)

        return cls(
            agreed=no(),
            agreement_week=never(),
            settled=no(),
            settlement_week=never(),
            capitulated=no(),
            capitulation_week=never(),
            in_force=no(),
            terms=np.full((r, k), np.nan),
            in_force_terms=np.full((r, k), np.nan),
            agreements=np.zeros(r, dtype=np.int64),
            ceasefire_until=never(),
            ceasefire_agreed=no(),
            ceasefire_week=never(),
            ceasefires=np.zeros(r, dtype=np.int64),
            ceasefire_broke_down=no(),
            truce_until=never(),
            truce_agreed=no(),
            truce_week=never(),
            truce_broke_down=no(),
            pause_just_broke=no(),
            broke_down=no(),
            breakdown_week=never(),
            hazard=np.zeros(r),
            just_broke=no(),
        )


@dataclass(slots=True)
class Milestones:
    """Milestones for hindcasts and ensemble summaries ``(R,)``, by id; weeks are -1
    until it happens (:mod:`simulator.milestones` names their columns). Unlike the
    other groups these arrays are filled in place, week by week."""

    fall_week: dict[str, np.ndarray]
    """The first week the front's holder holds each place (0: held at the start)."""
    first_accept_week: dict[str, np.ndarray]
    """The first week each belligerent accepted anything in talks."""
    first_accept_week_of_kind: dict[tuple[str, str], np.ndarray]
    """The first week each belligerent accepted each kind of proposal."""
    quarter_weeks: dict[str, int]
    """The last week of each quarter the run covers, by label (``2025q2``)."""
    control_at_quarter: dict[str, np.ndarray]
    """The holder's share at each quarter's last week (NaN until then)."""
    first_year_losses: dict[str, np.ndarray]
    """Each belligerent's losses over the first 52 weeks."""
