"""CeasefireModel: the week-by-week Mesa model of fighting, learning and talking.

Each ``step()`` is one week, in this order:

1. scheduled events (aid, sanctions, intelligence, a place changing hands, a change of
   resolve or of a red line's cost); cease-fires and truces that ran out are extended
   if both sides accept them again, and lapse otherwise;
2. the battlefield: engagements, attrition and replenishment, territory and places;
3. beliefs: each belligerent updates its Beta belief from the week's engagements;
4. reservation terms: each belligerent's expected value of fighting on, less its cost;
5. durability: a cease-fire already in force may break down (the fighting resumes
   next week, and talks start afresh the week after it breaks);
6. talks: a round under the scenario's protocol, if talks are open, and the mediator's
   offers of a general cease-fire and a partial truce; what both sides accept comes
   into force at the end of the week, and the mediator's policies answer what each
   accepted or refused.

An agreement is a settlement or a general cease-fire; a partial truce and a
capitulation (terms that leave one side none of the disputed territory) are
recorded apart.

State lives in arrays over ``replications``; a replication that has agreed keeps
stepping (for durability) through the same code, masked. It is grouped in small
records (:mod:`simulator.state`): ``model.front`` (control, axes, places, this week's
odds), ``model.levers`` (the mediator's aid, sanctions, intelligence and guarantee),
``model.talks`` (protocol, rounds, this week's text and answers) and ``model.outcomes``
(agreements, pauses, capitulations, breakdowns), with ``model.milestones`` for
hindcasts and summaries; the belligerents and the mediator are Mesa agents.

The model is batched: every state array has a leading axis of replications, as
Mesa's property layers keep a grid's values in one numpy array rather than on each
agent. ``model.replication(i)`` gives one replication's inputs, outcome and weekly
records, and ``model.weekly_frame()`` all of them in long format, one row per
(replication, step), like the rows of ``mesa.batch_run``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

import numpy as np

from . import battlefield, streams
from .agents import Belligerent, Mediator
from .mesa_import import mesa
from .milestones import FIRST_YEAR_WEEKS, quarter_end_weeks
from .records import SideWeek, WeekRecord
from .scenario.checks import TERRITORY
from .scenario.loader import load_scenario
from .scenario.sampling import draw_all, same_for_all
from .scenario.schema import Scenario
from .state import Front, Levers, Milestones, Outcomes, Talks
from .streams import Streams
from .talks.base import Named, Party
from .talks.protocols import RoundResult
from .talks.registry import PROTOCOLS
from .talks.utility import reservation_point, row_all, utility

AGREEMENT_KINDS = ("settlement", "ceasefire", "partial_truce")
"""The kinds of proposal a mediator can put: a settlement of every issue, a general
cease-fire that freezes the line for a while, and a truce in one domain (strikes)."""
DEFAULT_PAUSE_WEEKS = 4.0
"""A general cease-fire or partial truce runs about 30 days unless extended."""
SCALE_END = 1e-6
"""Territory terms this close to the end of the scale leave one side nothing."""


@dataclass
class TalksTable:
    """This week's talks before anything comes into force (one array per replication):
    what a person in a delegation's seat may change (see :class:`Seat`)."""

    open_now: np.ndarray
    parties: tuple[Party, Party]
    text: np.ndarray
    """The text on the table ``(R, K)``."""
    agreed: np.ndarray
    """Whether the text is agreed (set it when the answers change)."""
    answers: dict[str, tuple[np.ndarray, np.ndarray]]
    """Each belligerent's answer to each kind of proposal on offer, by kind."""


class Seat(Protocol):
    """A person at the table (``ceasefire play``): the model asks it at three moments.

    Normal runs have no seat, and then nothing here is called.
    """

    def prepare(self, model: CeasefireModel, parties: tuple[Party, Party]):
        """Before the round: may replace a party (its ask, after a counter-proposal)."""

    def decide(self, model: CeasefireModel, table: TalksTable) -> None:
        """After the text is drafted: may change the text, the answers and the agreement."""

    def renew(self, model: CeasefireModel, kind: str, ended: np.ndarray, answers):
        """A cease-fire or truce ran out: each side's answer to extending it."""


def as_seed_sequence(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    """An integer seed, or a SeedSequence child handed down by an ensemble."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(int(seed))


class CeasefireModel(mesa.Model):
    """Russia, Ukraine and a mediator, fighting and talking, week by week.

    Batched: one model advances ``replications`` runs in lockstep, and every state
    array has a leading axis of replications (Mesa's property layers are the precedent
    for keeping agents' values in arrays). :meth:`replication` gives one run's data,
    :meth:`weekly_frame` the weekly records of all in long format.

    State: ``front``, ``levers``, ``talks``, ``outcomes`` and ``milestones``
    (:mod:`simulator.state`), each set in ``__init__``. Arrays that code caches by
    identity (``front.control``, ``front.logistics_lost``, ``levers``,
    ``outcomes.truce_until``) are replaced each week, never changed in place.

    Args:
        scenario: a loaded scenario (default: the bundled baseline).
        replications: how many replications advance in lockstep (1 = one narrated run).
        seed: an integer or ``SeedSequence``; default: the scenario's seed.
        first_replication: the index, in an ensemble, of this model's first replication.
            Replication i's random numbers depend only on the seed and i
            (:mod:`simulator.streams`), so a chunk of an ensemble starting at i draws
            what the whole ensemble would draw for its rows.
        collect: record weekly data with a DataCollector (off for large ensembles).
        fixed: scenario numbers held at given values, by dotted path: one number for
            every replication (``{"actors.russia.resolve": 0.9}``) or an array with one
            value per replication (a Sobol' design gives each replication its own
            inputs); the other numbers' draws are unchanged.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        replications: int = 1,
        seed: int | np.random.SeedSequence | None = None,
        collect: bool = True,
        fixed: Mapping[str, float | np.ndarray] | None = None,
        first_replication: int = 0,
    ):
        scenario = scenario if scenario is not None else load_scenario()
        root = as_seed_sequence(scenario.seed if seed is None else seed)
        parameters_seed, dynamics_seed = root.spawn(2)
        # Mesa's own generators are seeded too, though the week draws from self.streams.
        super().__init__(rng=np.random.default_rng(dynamics_seed))
        if replications < 1:
            raise ValueError(f"replications must be at least 1, got {replications}")
        if first_replication < 0:
            raise ValueError(f"first_replication must be at least 0, got {first_replication}")
        self.scenario = scenario
        self.replications = replications
        self.streams = Streams(dynamics_seed, first_replication, replications)
        self._draws = draw_all(scenario, replications, parameters_seed, first_replication)
        for path, value in (fixed or {}).items():
            if path not in self._draws:
                raise KeyError(f"the scenario has no number at '{path}'")
            self._draws[path] = _fixed_values(path, value, replications)
        # Drawn numbers are read-only: a change between steps (in a notebook) replaces an
        # array, which step() notices, rather than writing into one unseen.
        for values in self._draws.values():
            values.flags.writeable = False

        self.issue_ids = [TERRITORY, *(k for k in scenario.issues if k != TERRITORY)]
        scales = np.array([scenario.issues[k].scale for k in self.issue_ids], dtype=float)
        self.scale_low, self.scale_high = scales[:, 0], scales[:, 1]
        self.scale_width = self.scale_high - self.scale_low
        self.no_deal = np.stack(
            [np.full(replications, np.nan)]
            + [self.draw(f"issues.{k}.no_deal") for k in self.issue_ids[1:]],
            axis=1,
        )

        self.front = self._build_front()
        """The battlefield: control, axes, places, odds (:class:`~simulator.state.Front`)."""
        belligerents = scenario.belligerents
        self.holder = Belligerent(self, scenario.front.holder, belligerents[scenario.front.holder])
        self.defender = Belligerent(self, scenario.defender, belligerents[scenario.defender])
        mediator_id, mediator = scenario.mediator_id, scenario.mediator
        self.mediator = Mediator(self, mediator_id, mediator) if mediator_id and mediator else None
        self.talks = self._build_talks()
        """The talks: protocol, rounds, this week's text and answers (:class:`Talks`)."""
        self._build_outcomes()
        self._update_levers()
        self._agent_list = [*self.belligerents, *([self.mediator] if self.mediator else [])]
        self._arrays_after_step = self._agent_arrays()
        self.week_record: WeekRecord | None = None
        """The last week collected (None until then, and when ``collect`` is off)."""
        self.seat: Seat | None = None
        """A person's seat at the table (``ceasefire play``); None: the model plays all."""
        self._collect = collect
        self.datacollector: mesa.DataCollector | None = None
        if collect:
            self._record(np.zeros(replications, dtype=bool), None)

    # ------------------------------------------------------------------ construction

    @property
    def draws(self) -> dict[str, np.ndarray]:
        """Every scenario number's per-replication values, by dotted path."""
        return dict(self._draws)

    def draw(self, path: str, default: float | None = None) -> np.ndarray:
        """The per-replication values of the scenario number at ``path``."""
        if path in self._draws:
            return self._draws[path]
        if default is None:
            raise KeyError(f"the scenario has no number at '{path}'")
        return np.full(self.replications, float(default))

    def replication(self, index: int) -> Any:
        """Replication ``index`` as plain data (:class:`~simulator.results.Replication`):
        the numbers it drew, its outcome and its weekly records."""
        from .results import replication

        return replication(self, index)

    def weekly_frame(self) -> Any:
        """The weekly records of every replication as a pandas data frame, one row per
        (replication, step), like ``mesa.batch_run``'s rows (needs ``collect=True``)."""
        from .tables import weekly_frame

        return weekly_frame(self)

    def strategy_params(self, path: str, cls: type[Named]) -> dict[str, np.ndarray]:
        """Parameters of a registry entry: the scenario's values, else the defaults."""
        return {
            spec.name: self.draw(f"{path}.params.{spec.name}", spec.default) for spec in cls.params
        }

    def _build_front(self) -> Front:
        front = self.scenario.front
        r = self.replications
        area_km2 = self.draw("front.area_km2")
        axis_ids = list(front.axes)
        place_ids = list(front.places)
        place_axis = {p: front.places[p].axis for p in place_ids}
        place_distance_km = {p: self.draw(f"front.places.{p}.distance_km") for p in place_ids}
        # Built-up areas slow the line (a place's defence over its depth); axis progress
        # and place distances are kept in effort, open-ground km (see battlefield).
        km_belts: dict[str, list] = {a: [] for a in axis_ids}
        for p in place_ids:
            if front.places[p].defence is not None:
                end = place_distance_km[p]
                start = end - self.draw(f"front.places.{p}.depth_km")
                defence = self.draw(f"front.places.{p}.defence")
                km_belts[place_axis[p]].append((start, end, defence))
        place_logistics = {
            p: self.draw(f"front.places.{p}.logistics_value", 0.0) for p in place_ids
        }
        logistics_places = [p for p in place_ids if place_logistics[p].any()]
        state = Front(
            area_km2=area_km2,
            control=self.draw("front.control").copy(),
            engagements=np.rint(self.draw("front.engagements_per_week")),
            contest_exponent=self.draw("front.contest_exponent"),
            share_per_win=battlefield.area_share_per_win(
                self.draw("front.km2_per_net_win"), area_km2
            ),
            km_per_net_win=self.draw("front.km_per_net_win"),
            axis_ids=axis_ids,
            axis_share={a: self.draw(f"front.axes.{a}.share") for a in axis_ids},
            axis_progress={a: np.zeros(r) for a in axis_ids},
            axis_belts={
                a: [
                    (battlefield.effort_at(start, belts), battlefield.effort_at(end, belts), d)
                    for start, end, d in belts
                ]
                for a, belts in km_belts.items()
            },
            place_ids=place_ids,
            place_axis=place_axis,
            place_distance_km=place_distance_km,
            place_distance={
                p: battlefield.effort_at(place_distance_km[p], km_belts[place_axis[p]])
                for p in place_ids
            },
            place_logistics=place_logistics,
            logistics_places=logistics_places,
            logistics_kept={p: 1.0 - place_logistics[p] for p in logistics_places},
            # This week's odds and net wins, set by _fight; unknown (NaN, none) before week 1.
            p_holder=np.full(r, np.nan),
            net_wins=np.zeros(r, dtype=np.int64),
            logistics_lost=np.zeros(r),
        )
        state.logistics_lost = state.logistics_loss()
        return state

    def _build_talks(self) -> Talks:
        talks = self.scenario.talks
        protocol = PROTOCOLS[talks.protocol](
            self.strategy_params("talks", PROTOCOLS[talks.protocol])
        )
        if talks.opens is not None:
            open_week = self.scenario.week_of_date(talks.opens)
        elif self.mediator is not None:
            open_week = self.mediator.active_from_week
        else:
            open_week = 1
        first = talks.first_proposer or self.holder.actor_id
        nobody = np.zeros(self.replications, dtype=bool)
        return Talks(
            protocol=protocol,
            open_week=open_week,
            first_proposer=0 if first == self.holder.actor_id else 1,
            rounds=np.zeros(self.replications, dtype=np.int64),
            last_asks={},
            text=np.full((self.replications, len(self.issue_ids)), np.nan),
            accepts=(nobody, nobody),
            accepts_by_kind={kind: (nobody, nobody) for kind in AGREEMENT_KINDS},
        )

    def _build_outcomes(self) -> None:
        r, k = self.replications, len(self.issue_ids)
        # Per replication (a scenario may make it uncertain); whole weeks when it runs.
        self.pause_weeks = self.draw("talks.pause_weeks", DEFAULT_PAUSE_WEEKS)
        self._pause_length = self.pause_weeks.astype(np.int64)
        self._truce_memo: tuple = (None, -1, None)
        self._truce_hazard_memo: tuple | None = None
        self.outcomes = Outcomes.start(r, k)
        """Agreements, pauses and breakdowns so far (:class:`~simulator.state.Outcomes`)."""
        # Milestones (see _track_milestones): first weeks, quarter-end control, first-year losses.
        belligerents = self.scenario.belligerents
        quarter_weeks = quarter_end_weeks(self.scenario)
        self.milestones = Milestones(
            fall_week={p: np.where(self.place_held(p), 0, -1) for p in self.front.place_ids},
            first_accept_week={a: np.full(r, -1, dtype=np.int64) for a in belligerents},
            first_accept_week_of_kind={
                (a, kind): np.full(r, -1, dtype=np.int64)
                for a in belligerents
                for kind in AGREEMENT_KINDS
            },
            quarter_weeks=quarter_weeks,
            control_at_quarter={
                label: self.front.control.copy() if week == 0 else np.full(r, np.nan)
                for label, week in quarter_weeks.items()
            },
            first_year_losses={a: np.zeros(r) for a in belligerents},
        )
        """First weeks, quarter-end control, first-year losses (:class:`Milestones`)."""
        self._pending: dict[tuple[str, ...], np.ndarray] = {}
        """Which replications each first week is still to come in (see _first_time)."""
        self._not_fallen: dict[str, np.ndarray] = {}
        """The replications each place has not fallen in yet, once they are few."""

    # ------------------------------------------------------------------------- state

    @property
    def belligerents(self) -> tuple[Belligerent, Belligerent]:
        return self.holder, self.defender

    @property
    def date(self) -> dt.date:
        return self.scenario.date_of_week(self.steps)

    def _update_levers(self) -> None:
        """This week's aid, sanctions, intelligence and guarantee: the levels dated events
        set times the multipliers of the mediator's policies (which answered last week's
        talks). Worked out once a week, with each side's burden of the war."""
        ones = np.ones(self.replications)
        mediator = self.mediator
        levers = Levers(
            aid=mediator.aid if mediator else ones,
            sanctions=mediator.sanctions if mediator else ones,
            intelligence=mediator.intelligence if mediator else ones,
            guarantee=mediator.guarantee if mediator else np.zeros(self.replications),
        )
        self.levers = levers
        for side in self.belligerents:
            side.update_levers(levers.aid, levers.sanctions, levers.intelligence)

    @property
    def ceasefire_active(self) -> np.ndarray:
        """A general cease-fire (not a settlement) holds the line this week."""
        return self.outcomes.ceasefire_until >= self.steps

    @property
    def truce_active(self) -> np.ndarray:
        """A partial truce on strikes is in force this week (the ground war goes on).

        Worked out once for each week and ``truce_until`` (which is always replaced,
        never changed in place), since a week asks several times.
        """
        until, week, active = self._truce_memo
        truce_until = self.outcomes.truce_until
        if until is not truce_until or week != self.steps:
            active = truce_until >= self.steps
            self._truce_memo = (truce_until, self.steps, active)
        return active

    @property
    def at_war(self) -> np.ndarray:
        """Replications where the fighting on the ground goes on this week."""
        outcomes = self.outcomes
        return ~(outcomes.in_force | self.ceasefire_active | outcomes.capitulated)

    def place_held(self, place: str) -> np.ndarray:
        """Whether the front's holder holds ``place``, per replication."""
        return self.front.place_held(place)

    def no_deal_terms(self, territory: np.ndarray) -> np.ndarray:
        """Terms ``(R, K)`` of going on fighting: the front on territory, no-deal values else."""
        terms = self.no_deal.copy()
        terms[:, 0] = territory
        return terms

    # -------------------------------------------------------------------------- step

    def step(self) -> None:
        """One week: events, battlefield, beliefs, reservation terms, talks, cease-fire.

        The agents keep results worked out from arrays that have not been replaced (a
        side's aided materiel, its answer to a truce, ...) from week to week. An array
        replaced between steps, as a notebook user may do (``defender.materiel =
        defender.materiel * 0.5``, ``mediator.aid_level = ...``), makes the week start
        afresh: nothing kept is used and the levers are worked out again. The drawn
        numbers are read-only, so a change cannot be written into one unseen.
        """
        if self._arrays_replaced():
            self._forget_kept()
        happened = self._apply_events()
        # Levers change only through events, the mediator's policies or a person at the
        # table (play): otherwise last week's burdens stand.
        if happened or self.seat is not None or (self.mediator and self.mediator.policies):
            self._update_levers()
        self._renew_pauses()
        wins_holder, wins_defender = self._fight()
        self.agents_by_type[Belligerent].do("observe", wins_holder, wins_defender)
        self.agents_by_type[Belligerent].do("value_war", self)
        self._check_durability()
        agreed_now, parties = self._talk()
        if self._collect:
            self._record(agreed_now, parties)
        self._track_milestones()
        if self.steps >= self.scenario.horizon:
            self.running = False
        self._arrays_after_step = self._agent_arrays()

    def _agent_arrays(self) -> list[np.ndarray]:
        """Every array the agents hold, in a fixed order."""
        return [
            value
            for agent in self._agent_list
            for value in vars(agent).values()
            if isinstance(value, np.ndarray)
        ]

    def _arrays_replaced(self) -> bool:
        """Whether an agent's array was replaced (or added) since the last step ended."""
        before, now = self._arrays_after_step, self._agent_arrays()
        return len(before) != len(now) or any(a is not b for a, b in zip(before, now, strict=True))

    def _forget_kept(self) -> None:
        """Forget what was kept from earlier weeks and work the levers out again."""
        self._truce_memo = (None, -1, None)
        self._truce_hazard_memo = None
        for side in self.belligerents:
            side.forget_kept()
        self._update_levers()

    def _apply_events(self) -> bool:
        """Apply the events dated this week; whether there were any."""
        happened = False
        for event_id, event in self.scenario.events.items():
            if max(1, self.scenario.week_of_date(event.date)) != self.steps:
                continue
            happened = True
            level_path = f"events.{event_id}.level"
            if event.kind == "aid" and self.mediator:
                self.mediator.aid_level = self.draw(level_path)
            elif event.kind == "sanctions" and self.mediator:
                self.mediator.sanctions_level = self.draw(level_path)
            elif event.kind == "intelligence" and self.mediator:
                self.mediator.intelligence_level = self.draw(level_path)
            elif event.kind == "resolve":
                actor = next(b for b in self.belligerents if b.actor_id == event.actor)
                actor.resolve = self.draw(level_path)
            elif event.kind == "red_line_cost":
                actor = next(b for b in self.belligerents if b.actor_id == event.actor)
                k = self.issue_ids.index(event.issue)
                actor.positions.crossing_cost[:, k] = self.draw(level_path)
                actor.positions.refresh_crossable()
            elif event.kind == "place":
                axis = self.front.place_axis[event.place]
                distance = self.front.place_distance[event.place]
                progress = self.front.axis_progress[axis]
                if event.held_by == "holder":
                    self.front.axis_progress[axis] = np.maximum(progress, distance)
                else:
                    self.front.axis_progress[axis] = np.minimum(progress, distance - 1e-6)
        return happened

    def _fight(self) -> tuple[np.ndarray, np.ndarray]:
        """The week's engagements, losses and moves of the line; the wins of the holder
        and of the defender (whole numbers, as floats)."""
        holder, defender = self.belligerents
        front = self.front
        fighting = self.at_war
        aid = self.levers.aid
        holder_materiel = holder.materiel_now(aid, 0.0)  # the holder loses no hubs
        front.logistics_lost = front.logistics_loss()
        defender_materiel = defender.materiel_now(aid, front.logistics_lost)
        # Combat power: forces * materiel * intelligence (in place, left to right).
        power_holder = battlefield.combat_power(holder.forces, holder_materiel)
        power_holder *= holder.intelligence_now
        power_defender = battlefield.combat_power(defender.forces, defender_materiel)
        power_defender *= defender.intelligence_now
        p_holder = battlefield.win_probability(power_holder, power_defender, front.contest_exponent)
        front.p_holder = p_holder
        # The replications not fighting this week are few: they are set apart by index
        # (no engagements, no losses) rather than masked with np.where.
        idle = np.flatnonzero(~fighting)
        engagements = front.engagements.copy()
        engagements[idle] = 0.0
        wins_holder, wins_defender = battlefield.fight_counts(
            self.streams, self.steps, engagements, p_holder, probability=True
        )
        net = wins_holder - wins_defender  # whole numbers: exact in floats
        # Net wins on an axis whose line is inside a town move the front 1/defence as far:
        # area_net = net - sum over axes of net * share * (1 - 1 / slow).
        area_net = net.copy()
        axis_share, axis_belts, axis_progress = (
            front.axis_share,
            front.axis_belts,
            front.axis_progress,
        )
        km_per_net_win = front.km_per_net_win
        for axis in front.axis_ids:
            on_axis = net * axis_share[axis]  # net wins * the axis's share
            if axis_belts[axis]:
                rows, absorbed = battlefield.slowed_share(
                    on_axis, axis_progress[axis], axis_belts[axis]
                )
                area_net[rows] -= absorbed
            on_axis *= km_per_net_win
            axis_progress[axis] += on_axis
        front.net_wins = net.astype(np.int64)
        front.control = battlefield.advance(front.control, area_net, front.share_per_win)
        holder_lost = battlefield.losses_except(
            holder.attrition, defender.forces * defender.relative(defender_materiel), idle
        )
        defender_lost = battlefield.losses_except(
            defender.attrition, holder.forces * holder.relative(holder_materiel), idle
        )
        holder.take_losses(holder_lost)
        defender.take_losses(defender_lost)
        return wins_holder, wins_defender

    def _talks_open(self) -> np.ndarray:
        if self.steps < self.talks.open_week:
            return np.zeros(self.replications, dtype=bool)
        if self.talks.protocol.needs_mediator and not (
            self.mediator and self.mediator.active(self.steps)
        ):
            return np.zeros(self.replications, dtype=bool)
        outcomes = self.outcomes
        return ~outcomes.in_force & ~outcomes.just_broke & ~outcomes.capitulated

    def _clear_answers(self) -> None:
        """Nobody has accepted anything this week (yet): each side's answer, by kind and
        to any proposal."""
        nobody = np.zeros(self.replications, dtype=bool)
        self.talks.accepts = (nobody, nobody)
        self.talks.accepts_by_kind = {kind: (nobody, nobody) for kind in AGREEMENT_KINDS}

    def _talk(self) -> tuple[np.ndarray, tuple[Party, Party] | None]:
        talks = self.talks
        self._clear_answers()
        open_now = self._talks_open()
        if not open_now.any():
            talks.text = np.full_like(talks.text, np.nan)
            return np.zeros(self.replications, dtype=bool), None
        holder, defender = self.belligerents
        proposer = talks.protocol.proposer(talks.rounds, talks.first_proposer)
        parties = (
            holder.prepare_for_talks(self, defender, talks.rounds, proposer == 0, open_now),
            defender.prepare_for_talks(self, holder, talks.rounds, proposer == 1, open_now),
        )
        if self.seat is not None:
            for party in parties:  # a person at the table is shown what crossing costs
                party.crossing_costs()
            parties = self.seat.prepare(self, parties)
        talks.last_asks = {holder.actor_id: parties[0].ask, defender.actor_id: parties[1].ask}
        mediator = self.mediator.view(self.front.control) if self.mediator else None
        drafter = self.mediator.drafter if self.mediator else None
        result = talks.protocol.round(
            parties, mediator, drafter, talks.rounds, talks.first_proposer
        )
        if self.seat is not None:
            # A person answers (or drafts) before anything comes into force.
            table = TalksTable(
                open_now,
                parties,
                result.text.copy(),
                result.accepted.copy(),
                {
                    "settlement": (result.accepts[0] & open_now, result.accepts[1] & open_now),
                    **self._pause_answers(open_now),
                },
            )
            self.seat.decide(self, table)
            result = RoundResult(
                table.text, table.agreed, result.proposer, table.answers["settlement"]
            )
            pending = {k: v for k, v in table.answers.items() if k != "settlement"}
        # The text as drafted where talks are open, none elsewhere (by rows: numpy
        # broadcasts ``open_now[:, None]`` over the short issue axis many times more slowly).
        # Where talks are open everywhere the drafted array itself is kept: nothing
        # changes a text in place.
        if open_now.all() and result.text.dtype == np.float64:
            talks.text = result.text
        else:
            talks.text = np.array(result.text, dtype=float)
            talks.text[~open_now] = np.nan
        settlement = (result.accepts[0] & open_now, result.accepts[1] & open_now)
        if open_now.all():  # (the same counts as adding the mask, without its cast)
            talks.rounds += 1
        else:
            talks.rounds += open_now
        agreed_now = self._bring_into_force(result.accepted & open_now, result.text)
        if self.seat is None:
            pending = self._pause_answers(open_now)
        pauses = self._start_pauses(pending)
        talks.accepts_by_kind = {"settlement": settlement, **pauses}
        ceasefire = pauses["ceasefire"]
        agreed_now = agreed_now | (ceasefire[0] & ceasefire[1])
        kinds = list(talks.accepts_by_kind.values())
        talks.accepts = (_any_of([kind[0] for kind in kinds]), _any_of([kind[1] for kind in kinds]))
        if self.mediator is not None:
            # Policies answer the acceptance of a settlement or a general cease-fire (a
            # truce on strikes alone does not count), and only weeks without a pause in
            # force count as refusals.
            accepted = {
                b.actor_id: talks.accepts_by_kind["settlement"][i] | pauses["ceasefire"][i]
                for i, b in enumerate(self.belligerents)
            }
            offered = open_now & ~self.ceasefire_active & ~self.outcomes.in_force
            self.mediator.apply_policies(self.steps, offered, accepted)
        return agreed_now, parties

    def _pause_answers(self, open_now: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Each side's answer to the mediator's offers of a general cease-fire and of a
        partial truce this week, by its own rule (``Belligerent.accepts_ceasefire``,
        ``accepts_truce``); False where the kind is not offered."""
        answers: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        outcomes = self.outcomes
        open_now = open_now & ~outcomes.in_force & ~outcomes.capitulated  # nothing to pause
        # No pause is offered where a general cease-fire holds or a pause just broke down.
        open_now &= ~self.ceasefire_active
        open_now &= ~outcomes.pause_just_broke
        if "ceasefire" in self.scenario.talks.offers:
            offered = open_now
            holder, defender = self._by_rule("ceasefire")
            answers["ceasefire"] = (holder & offered, defender & offered)
        if "partial_truce" in self.scenario.talks.offers:
            offered = open_now & ~self.truce_active
            holder, defender = self._by_rule("partial_truce")
            answers["partial_truce"] = (holder & offered, defender & offered)
        return answers

    def _by_rule(
        self, kind: str, rows: np.ndarray | slice = slice(None)
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each belligerent's own answer to a pause of ``kind``, wherever it were offered
        (for ``rows`` only, when given)."""
        holder, defender = self.belligerents
        if kind == "ceasefire":
            weeks, truce, guarantee = (
                self.pause_weeks[rows],
                self.truce_active,
                self.levers.guarantee,
            )
            return (
                holder.accepts_ceasefire(weeks, truce, guarantee, rows),
                defender.accepts_ceasefire(weeks, truce, guarantee, rows),
            )
        return holder.accepts_truce(defender, rows), defender.accepts_truce(holder, rows)

    def _start_pauses(
        self, answers: dict[str, tuple[np.ndarray, np.ndarray]]
    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """What both sides accepted of the week's offers comes into force at the end of the
        week for ``pause_weeks`` weeks. Who accepted is recorded even when the other refused;
        a truce on strikes is not offered where a general cease-fire starts."""
        outcomes = self.outcomes
        nobody = np.zeros(self.replications, dtype=bool)
        answers = dict(answers)
        starting = nobody
        if "ceasefire" in answers:
            starting = answers["ceasefire"][0] & answers["ceasefire"][1]
            self._start_ceasefire(starting)
        if "partial_truce" in answers:
            holder, defender = answers["partial_truce"]
            answers["partial_truce"] = (holder & ~starting, defender & ~starting)
            both = answers["partial_truce"][0] & answers["partial_truce"][1]
            if both.any():  # (else nothing changes)
                first = both & ~outcomes.truce_agreed
                outcomes.truce_week[first] = self.steps  # (never cached by identity)
                outcomes.truce_agreed |= both
                # np.where(both, steps + pause_length, truce_until), on the rows that agreed
                # (few), in a new array (truce_until is replaced, never changed in place)
                until = outcomes.truce_until.copy()
                until[both] = self.steps + self._pause_length[both]
                outcomes.truce_until = until
        for kind in AGREEMENT_KINDS:
            answers.setdefault(kind, (nobody, nobody))
        return {k: v for k, v in answers.items() if k != "settlement"}

    def _start_ceasefire(self, both: np.ndarray) -> None:
        """A general cease-fire from next week for ``pause_weeks`` weeks; the first one
        agreed is an agreement (unless a settlement came first)."""
        outcomes = self.outcomes
        if not both.any():
            return
        first = both & ~outcomes.agreed
        outcomes.agreement_week = np.where(first, self.steps, outcomes.agreement_week)
        outcomes.agreed |= both
        first_ceasefire = both & ~outcomes.ceasefire_agreed
        outcomes.ceasefire_week = np.where(first_ceasefire, self.steps, outcomes.ceasefire_week)
        outcomes.ceasefire_agreed |= both
        outcomes.ceasefires += both
        outcomes.ceasefire_until = np.where(
            both, self.steps + self._pause_length, outcomes.ceasefire_until
        )

    def _renew_pauses(self) -> None:
        """A cease-fire or truce whose weeks ran out last week is extended if both sides
        accept it again (by the same rules as at first), and lapses otherwise."""
        for kind, until in (("ceasefire", "ceasefire_until"), ("partial_truce", "truce_until")):
            last_week = getattr(self.outcomes, until)
            ended = last_week == self.steps - 1
            if not ended.any():
                continue
            if self.seat is not None:
                answers = self.seat.renew(self, kind, ended, self._by_rule(kind))
                again = ended & answers[0] & answers[1]
            else:  # asked only where a pause ran out
                rows = np.flatnonzero(ended)
                holder, defender = self._by_rule(kind, rows)
                renewed = rows[holder & defender]
                extended = last_week.copy()
                extended[renewed] = self.steps - 1 + self._pause_length[renewed]
                setattr(self.outcomes, until, extended)
                continue
            setattr(
                self.outcomes,
                until,
                np.where(again, self.steps - 1 + self._pause_length, last_week),
            )

    def _bring_into_force(self, agreed_now: np.ndarray, text: np.ndarray) -> np.ndarray:
        """A settlement both sides accepted comes into force at the end of the week.

        Terms that leave one side none of the disputed territory, or that a side accepts
        once its red line (following the front) has run off the end of the scale, are a
        capitulation: the fighting stops, but it is not counted as an agreement.
        """
        outcomes = self.outcomes
        if not agreed_now.any():
            return agreed_now
        # Worked out only for the replications that signed this week.
        signed = np.flatnonzero(agreed_now)
        territory = text[signed, 0]
        at_end = (territory <= self.scale_low[0] + SCALE_END) | (
            territory >= self.scale_high[0] - SCALE_END
        )
        # A red line that follows the front and has run off the end of the scale no
        # longer protects anything: terms a side accepts then are a surrender too.
        for side in self.belligerents:
            positions = side.positions
            if positions.red_line_follows_front[0]:
                line = positions.red_line[signed, 0] + self.front.control[signed]
                ran_out = (line > self.scale_high[0]) | (line < self.scale_low[0])
                at_end |= ran_out & ~np.isnan(line)
        control = self.front.control.copy()  # a new array: the line has moved (see Positions)
        surrender = signed[at_end & ~outcomes.capitulated[signed]]
        outcomes.capitulation_week[surrender] = self.steps
        outcomes.capitulated[surrender] = True
        control[surrender] = text[surrender, 0]
        deals = signed[~at_end]
        agreed_now = np.zeros(self.replications, dtype=bool)
        agreed_now[deals] = True
        outcomes.agreement_week[deals[~outcomes.agreed[deals]]] = self.steps
        first_settlement = deals[~outcomes.settled[deals]]
        outcomes.settlement_week[first_settlement] = self.steps
        outcomes.terms[first_settlement] = text[first_settlement]
        outcomes.agreed[deals] = True
        outcomes.settled[deals] = True
        outcomes.ceasefire_until[deals] = -1
        outcomes.agreements[deals] += 1
        outcomes.in_force[deals] = True
        outcomes.in_force_terms[deals] = text[deals]
        # The deal is carried out: the line moves to the agreed share of territory.
        control[deals] = text[deals, 0]
        self.front.control = control
        return agreed_now

    def _check_durability(self) -> None:
        """A cease-fire in force breaks down at a weekly hazard that grows with regret.

        Regret is how much more a party now expects from fighting than from the
        terms in force; a mediator's guarantee lowers the hazard (Fortna 2004).
        """
        outcomes = self.outcomes
        outcomes.just_broke = np.zeros(self.replications, dtype=bool)
        self._check_pauses()
        if not outcomes.in_force.any():
            outcomes.hazard = np.zeros(self.replications)
            return
        # Worked out, and drawn, only for the replications with a settlement in force.
        held = np.flatnonzero(outcomes.in_force)
        regret = np.zeros(len(held))
        terms = outcomes.in_force_terms[held]
        if not np.isfinite(terms).all():  # (nan_to_num costs more than this check)
            terms = np.nan_to_num(terms, copy=False)
        for side in self.belligerents:
            ideal = side.positions.ideal_now(self.front.control)[held]
            deal_value = utility(terms, ideal, side.positions.weights[held])
            regret = np.maximum(regret, side.walk_away[held] - deal_value)
        base = self.draw("durability.base_hazard")[held]
        sensitivity = self.draw("durability.regret_sensitivity")[held]
        guarantee = self.levers.guarantee[held]
        hazard = base * np.exp(sensitivity * np.maximum(regret, 0.0)) * (1.0 - guarantee)
        hazard = np.clip(hazard, 0.0, 1.0)
        outcomes.hazard = np.zeros(self.replications)
        outcomes.hazard[held] = hazard
        draw = self.streams.uniform(streams.SETTLEMENT_BREAKDOWN, self.steps, held)
        breaks = np.zeros(self.replications, dtype=bool)
        breaks[held] = draw < hazard
        outcomes.just_broke = breaks
        if not breaks.any():  # (most weeks: nothing below would change)
            return
        first = breaks & ~outcomes.broke_down
        outcomes.breakdown_week = np.where(first, self.steps, outcomes.breakdown_week)
        outcomes.broke_down |= breaks
        outcomes.in_force &= ~breaks
        # The fighting resumes; talks start afresh (round 0) from the next week.
        self.talks.rounds = np.where(breaks, 0, self.talks.rounds)

    def _check_pauses(self) -> None:
        """A general cease-fire or a truce on strikes in force may break down too.

        Each week a truce breaks down at the base hazard, and a general cease-fire at the
        base hazard raised by regret, as a settlement does: here regret is how much more
        a side expects from a week of war than the cease-fire spares it (the ground it
        expects to gain against the war's cost), over its foresight. A guarantee lowers
        both hazards. A pause that breaks down ends at once; the fighting (or the
        strikes) resume next week, and talks go on.
        """
        outcomes = self.outcomes
        outcomes.pause_just_broke = np.zeros(self.replications, dtype=bool)
        ceasefire_active, truce_active = self.ceasefire_active, self.truce_active
        any_ceasefire, any_truce = bool(ceasefire_active.any()), bool(truce_active.any())
        if not (any_ceasefire or any_truce):
            return
        # Worked out, and drawn, only for the replications with a pause of each kind in
        # force (each replication's draw is its own, whichever rows draw beside it).
        base = self.draw("durability.base_hazard")
        ceasefire_breaks = np.zeros(self.replications, dtype=bool)
        truce_breaks = np.zeros(self.replications, dtype=bool)
        if any_ceasefire:
            held = np.flatnonzero(ceasefire_active)
            sensitivity = self.draw("durability.regret_sensitivity")[held]
            truce = truce_active[held]
            regret = np.zeros(len(held))
            for side in self.belligerents:
                weekly = side.ground_per_week[held] - side.cost_now(truce, held)
                regret = np.maximum(regret, side.foresight[held] * weekly)
            shelter = 1.0 - self.levers.guarantee[held]
            hazard = np.clip(base[held] * np.exp(sensitivity * regret) * shelter, 0.0, 1.0)
            draw = self.streams.uniform(streams.CEASEFIRE_BREAKDOWN, self.steps, held)
            ceasefire_breaks[held] = draw < hazard
        if any_truce:
            held = np.flatnonzero(truce_active)
            hazard = self._truce_hazard(base)[held]
            draw = self.streams.uniform(streams.TRUCE_BREAKDOWN, self.steps, held)
            truce_breaks[held] = draw < hazard
        # A pause that broke down ends (a new array; the old one stands when none did).
        if ceasefire_breaks.any():
            outcomes.ceasefire_broke_down |= ceasefire_breaks
            outcomes.ceasefire_until = np.where(ceasefire_breaks, -1, outcomes.ceasefire_until)
        if truce_breaks.any():
            outcomes.truce_broke_down |= truce_breaks
            outcomes.truce_until = np.where(truce_breaks, -1, outcomes.truce_until)
        # No new pause is offered the week one broke down.
        outcomes.pause_just_broke = ceasefire_breaks | truce_breaks

    def _truce_hazard(self, base: np.ndarray) -> np.ndarray:
        """A truce's weekly hazard in every replication, ``clip(base * (1 - guarantee))``,
        kept for the same levers (a third of the replications may have a truce in force,
        and the guarantee changes only with the levers)."""
        guarantee = self.levers.guarantee
        memo = self._truce_hazard_memo
        if memo is None or memo[0] is not guarantee or memo[1] is not base:
            hazard = np.clip(base * (1.0 - guarantee), 0.0, 1.0)
            memo = self._truce_hazard_memo = (guarantee, base, hazard)
        return memo[2]

    # ---------------------------------------------------------------------- records

    def _track_milestones(self) -> None:
        """Record this week's milestones, for hindcasts and ensemble summaries.

        The first week the holder holds each place, the first week each belligerent
        accepted a text in talks, control at each quarter's last week, and losses over
        the first 52 weeks. All vectorised: a few array operations a week.
        """
        week = self.steps
        milestones = self.milestones
        pending = self._pending
        for place in self.front.place_ids:
            self._first_fall(place, week)
        # ``accepts`` is set afresh every week (all False without talks).
        for side, accepted in zip(self.belligerents, self.talks.accepts, strict=True):
            if not accepted.any():  # the answers to every kind are no
                continue
            actor = side.actor_id
            weeks = milestones.first_accept_week[actor]
            _first_time(weeks, accepted, week, pending, ("accept", actor))
            for kind, answers in self.talks.accepts_by_kind.items():
                weeks = milestones.first_accept_week_of_kind[actor, kind]
                happened = answers[0 if side is self.holder else 1]
                _first_time(weeks, happened, week, pending, ("accept", actor, kind))
        for label, quarter_week in milestones.quarter_weeks.items():
            if quarter_week == week:
                milestones.control_at_quarter[label] = self.front.control.copy()
        if week <= FIRST_YEAR_WEEKS:
            for side in self.belligerents:
                np.copyto(milestones.first_year_losses[side.actor_id], side.losses_total)

    def _first_fall(self, place: str, week: int) -> None:
        """Record the first week the holder holds ``place`` where it has not fallen yet.

        Most replications take a place within months, so once few have not, only those
        are compared (``Front.place_held`` on their rows); until then, every row is,
        against a mask (:func:`_first_time`).
        """
        weeks = self.milestones.fall_week[place]
        rows = self._not_fallen.get(place)
        if rows is None:
            not_yet = self._pending.get(("fall", place))
            if not_yet is None or 4 * np.count_nonzero(not_yet) >= self.replications:
                held = self.front.place_held(place)
                _first_time(weeks, held, week, self._pending, ("fall", place))
                return
            rows = np.flatnonzero(not_yet)
        held = self.front.place_held(place, rows)
        if held.any():
            weeks[rows[held]] = week
            rows = rows[~held]
        self._not_fallen[place] = rows

    def reservation_terms(self, parties: tuple[Party, Party]) -> tuple[np.ndarray, np.ndarray]:
        """Each side's reservation share of territory, other issues at this week's text."""
        text = np.where(np.isnan(self.talks.text), parties[0].ask, self.talks.text)
        holder_min = reservation_point(
            0, text, parties[0].ideal, parties[0].weights, parties[0].walk_away, parties[1].ideal
        )
        defender_max = reservation_point(
            0, text, parties[1].ideal, parties[1].weights, parties[1].walk_away, parties[0].ideal
        )
        return np.clip(holder_min, 0.0, 1.0), np.clip(defender_max, 0.0, 1.0)

    def _bargaining_state(self, parties: tuple[Party, Party] | None):
        """Why talks stall: reservation terms, whether red lines meet, whether a range exists.

        Returns the holder's minimum and the defender's maximum share of territory
        (other issues at this week's text), whether the two sides' red lines overlap
        on every issue, and whether a share acceptable to both by value and by red
        line exists.
        """
        if parties is None:
            nothing = np.full(self.replications, np.nan)
            no = np.zeros(self.replications, dtype=bool)
            return nothing, nothing, no, no
        holder_min, defender_max = self.reservation_terms(parties)
        low = np.maximum(parties[0].low, parties[1].low)
        high = np.minimum(parties[0].high, parties[1].high)
        red_lines_meet = row_all(low <= high)
        in_range = red_lines_meet & (
            np.maximum(holder_min, low[:, 0]) <= np.minimum(defender_max, high[:, 0])
        )
        return holder_min, defender_max, red_lines_meet, in_range

    def _record(self, agreed_now: np.ndarray, parties: tuple[Party, Party] | None) -> None:
        """Keep this week as a typed :class:`~simulator.records.WeekRecord`; the
        DataCollector stores its flat columns."""
        ideals = [side.positions.ideal_now(self.front.control) for side in self.belligerents]
        holder_min, defender_max, red_lines_meet, in_range = self._bargaining_state(parties)
        sides: dict[str, SideWeek] = {}
        for index, side in enumerate(self.belligerents):
            # Each side's position on every issue this week: its ask in talks (empty
            # without talks), its red line (the limit that faces the other side's ideal)
            # and what crossing that line would cost it now (empty when hard).
            low, high = side.positions.limits_now(self.front.control)
            toward_high = ideals[index] <= ideals[1 - index]
            line = np.where(toward_high, high, low)
            red_line = np.where(np.isnan(side.positions.red_line), np.nan, line)
            crossing = side.crossing_cost_now() if side.positions.crossable else None
            cost = (
                np.where(np.isfinite(crossing), crossing, np.nan)
                if crossing is not None
                else np.full_like(red_line, np.nan)
            )
            ask = parties[index].ask.copy() if parties is not None else np.full_like(line, np.nan)
            sides[side.actor_id] = SideWeek(
                ask=ask,
                red_line=red_line,
                crossing_cost=cost,
                forces=side.forces,
                belief=side.believed_p,
                walk_away=side.walk_away,
                reservation=holder_min if index == 0 else defender_max,
                accepts=self.talks.accepts[index],
                accepts_by_kind={kind: a[index] for kind, a in self.talks.accepts_by_kind.items()},
                resources=side.resources_now(self.front, self.levers),
            )
        self.week_record = WeekRecord(
            week=self.steps,
            date=self.date.isoformat(),
            issue_ids=tuple(self.issue_ids),
            control=self.front.control,
            control_km2=self.front.control * self.front.area_km2,
            p_holder_wins=self.front.p_holder,
            held={place: self.place_held(place) for place in self.front.place_ids},
            sides=sides,
            values_overlap=holder_min <= defender_max,
            red_lines_overlap=red_lines_meet,
            bargaining_range=in_range,
            text=self.talks.text,
            agreed_this_week=agreed_now,
            agreed=self.outcomes.agreed,
            agreement_week=self.outcomes.agreement_week,
            settled=self.outcomes.settled,
            ceasefire_agreed=self.outcomes.ceasefire_agreed,
            general_ceasefire_in_force=self.ceasefire_active,
            partial_truce_in_force=self.truce_active,
            capitulated=self.outcomes.capitulated,
            intelligence=self.levers.intelligence,
            terms=self.outcomes.terms,
            broke_down=self.outcomes.broke_down,
            ceasefire_in_force=self.outcomes.in_force,
            breakdown_hazard=self.outcomes.hazard,
            aid=self.levers.aid,
            sanctions=self.levers.sanctions,
        )
        if self._collect:
            if self.datacollector is None:
                columns = self.week_record.columns()
                reporters = {name: partial(_report, name) for name in columns}
                self.datacollector = mesa.DataCollector(model_reporters=reporters)
            self.datacollector.collect(self)


def _first_time(
    weeks: np.ndarray,
    happened: np.ndarray,
    week: int,
    pending: dict[tuple[str, ...], np.ndarray],
    name: tuple[str, ...],
) -> None:
    """Set ``weeks`` (-1: not yet) to ``week`` where it happened for the first time.

    ``pending[name]`` keeps ``weeks < 0`` as a mask (made at the first call, updated
    here, the only place that sets these weeks), so that a week compares no weeks.
    """
    not_yet = pending.get(name)
    if not_yet is None:
        not_yet = pending[name] = weeks < 0
    first = happened & not_yet
    if first.any():  # (most weeks, nothing new)
        weeks[first] = week
        not_yet &= ~first


def _any_of(flags: list[np.ndarray]) -> np.ndarray:
    """Elementwise or of boolean arrays (``np.logical_or.reduce`` of a list stacks it
    into a new 2-D array first)."""
    result = flags[0].copy()
    for more in flags[1:]:
        result |= more
    return result


def _fixed_values(path: str, value: float | np.ndarray, replications: int) -> np.ndarray:
    """A held value as one number per replication: a scalar is broadcast, an array of
    length ``replications`` is taken as it is (copied, so the caller's array is safe)."""
    values = np.asarray(value, dtype=float)
    if values.ndim == 0:
        return same_for_all(float(values), replications)
    if values.shape != (replications,):
        raise ValueError(
            f"fixed '{path}': {values.shape[0] if values.ndim == 1 else values.shape} values "
            f"for {replications} replications"
        )
    return values.copy()


def _report(name: str, model: CeasefireModel) -> Any:
    """DataCollector reporter for one column of the weekly record (Mesa deep-copies it)."""
    assert model.week_record is not None
    return model.week_record.columns()[name]
