"""The actors as Mesa agents: two belligerents and a mediator.

Every attribute is an array over replications, so one agent stands for its actor
in all ``R`` replications at once; ``R = 1`` is an ordinary narrated run through
the same code. Parameters come from the scenario's draws (see
:mod:`simulator.sampling`), looked up by their path in the scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from . import battlefield, beliefs
from .arrays import at_least, between
from .mesa_import import mesa
from .scenario.schema import Belligerent as BelligerentSpec
from .scenario.schema import Mediator as MediatorSpec
from .scenario.schema import Stance
from .state import Front, Levers
from .talks.base import MediatorView, Party, Situation
from .talks.policies import MediatorPolicy, TalksWeek
from .talks.registry import DRAFTERS, NEGOTIATORS, POLICIES
from .talks.utility import (
    clip_to_limits,
    concede_along,
    concession_line,
    normalised_weights,
    utility,
)
from .world import World


class Positions:
    """An actor's ideal points and red lines on every issue, some following the front."""

    _line_memo: tuple
    """The last concession line worked out from these positions toward another side's
    ideal (:meth:`concession_line`), with the two ideals it was worked out for."""

    def __init__(self, model: World, path: str, stances: dict[str, Stance]):
        issues = model.issue_ids
        shape = (model.replications, len(issues))
        self.ideal = np.full(shape, np.nan)
        self.red_line = np.full(shape, np.nan)
        self.ideal_follows_front = np.zeros(len(issues), dtype=bool)
        self.red_line_follows_front = np.zeros(len(issues), dtype=bool)
        # What crossing each red line costs (inf: a hard line), and how fast losses wear it.
        self.crossing_cost = np.full(shape, np.inf)
        self.casualty_erosion = np.zeros(shape)
        salience = np.zeros(shape)
        for k, issue in enumerate(issues):
            stance = stances.get(issue)
            if stance is None:
                continue
            base = f"{path}.positions.{issue}"
            self.ideal[:, k] = model.draw(f"{base}.ideal")
            self.ideal_follows_front[k] = stance.ideal.relative_to == "front"
            salience[:, k] = model.draw(f"{base}.salience")
            if stance.red_line is not None:
                self.red_line[:, k] = model.draw(f"{base}.red_line")
                self.red_line_follows_front[k] = stance.red_line.relative_to == "front"
                if stance.red_line.cost is not None:
                    self.crossing_cost[:, k] = model.draw(f"{base}.red_line.cost")
                self.casualty_erosion[:, k] = model.draw(f"{base}.red_line.casualty_erosion", 0.0)
        self.refresh_crossable()
        self.weights = normalised_weights(salience, model.scale_width)
        self.territory_weight = self.weights[:, 0].copy()
        """The weight of territory (the first issue), as a contiguous column."""
        self.salience_share = self.weights * model.scale_width
        self._scale = (model.scale_low, model.scale_high)
        self._has_red = ~np.isnan(self.red_line)
        self._columns: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, bool]] = {}
        self._any_red = self._has_red.any(axis=0)
        # Issues whose ideal or red line follows the front are recomputed each time the
        # line moves; the others are worked out once, here.
        self._moving = np.flatnonzero(self.ideal_follows_front | self.red_line_follows_front)
        # Which of the three arrays move with the front: the ideal where it follows the
        # front, the limits where a red line exists on an issue whose ideal or red line
        # does. An array that never moves is the same object week after week, so what
        # is worked out from it can be kept (see Belligerent.prepare_for_talks).
        self._ideal_moves = bool(self.ideal_follows_front.any())
        self._limits_move = bool((self._any_red[self._moving]).any())
        zero = np.zeros(model.replications)
        self._static = self._limits(zero, range(len(issues)))
        self._ideal, self._low, self._high = self._static
        # The front line the moving issues were last worked out for (a copy of its
        # values, NaN: none yet), so the cache is keyed on the line, not on an array.
        self._cached_for = np.full(model.replications, np.nan)
        self.forget_kept()

    def forget_kept(self) -> None:
        """Forget the concession line kept from an earlier week."""
        self._line_memo = (None, None, None)

    def refresh_crossable(self) -> None:
        """Note which issues' red lines can be crossed at a cost (after a change of cost)."""
        self.crossable_issues = np.flatnonzero(np.isfinite(self.crossing_cost).any(axis=0))
        self.crossable = len(self.crossable_issues) > 0
        # Each crossable issue's -erosion and cost as contiguous columns, for the weekly
        # exp(-erosion * losses / starting forces) * cost (see crossing_cost_now).
        self.crossable_columns = [
            (int(k), -self.casualty_erosion[:, k], self.crossing_cost[:, k].copy())
            for k in self.crossable_issues
        ]

    def crossing_costs(self, weariness: np.ndarray, burden: np.ndarray) -> np.ndarray:
        """What crossing each red line costs ``(R, K)`` (``inf`` where the line is hard):
        the drawn cost times ``exp(-erosion * weariness)``, over the war's ``burden``
        where it is heavier than at the start (see Belligerent.crossing_cost_now)."""
        burden = at_least(burden, 1.0)
        cost = np.full(self.crossing_cost.shape, np.inf)
        for k, minus_erosion, drawn_cost in self.crossable_columns:
            wear = np.multiply(minus_erosion, weariness)
            np.exp(wear, out=wear)
            wear *= drawn_cost
            wear /= burden
            cost[:, k] = wear
        return cost

    def _limits(
        self,
        control: np.ndarray,
        issues,
        out: tuple[np.ndarray, ...] | None = None,
        ideal_too: bool = True,
        limits_too: bool = True,
    ) -> tuple[np.ndarray, ...]:
        """Ideal, low and high ``(R, K)`` on ``issues`` for the given front line (written
        into the columns of ``out`` when given; only the ideal's columns if not
        ``limits_too``, only the limits' if not ``ideal_too``)."""
        shape = self.ideal.shape
        ideal, low, high = out if out is not None else (np.empty(shape) for _ in range(3))
        for k in issues:
            lo, hi = self._scale[0][k], self._scale[1][k]
            ideal_column, red_column, has, everywhere = self._column(k)
            if self.ideal_follows_front[k]:
                ideal_k = between(ideal_column + control, lo, hi)
            else:  # kept within the scale already (see _column)
                ideal_k = ideal_column
            if ideal_too:
                ideal[:, k] = ideal_k
            if not limits_too:
                continue
            if self._any_red[k]:
                red = red_column + control if self.red_line_follows_front[k] else red_column
                red = between(red, lo, hi)
                if everywhere:  # a red line in every replication: no mask needed
                    low[:, k] = np.minimum(ideal_k, red)
                    high[:, k] = np.maximum(ideal_k, red)
                else:
                    low[:, k] = np.where(has, np.minimum(ideal_k, red), lo)
                    high[:, k] = np.where(has, np.maximum(ideal_k, red), hi)
            else:
                low[:, k], high[:, k] = lo, hi
        return ideal, low, high

    def _column(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        """Issue ``k``'s ideal, red line and whether it has one, as contiguous columns
        (the positions never change after construction), and whether every replication
        has a red line there. An ideal that does not follow the front is given within
        the scale, as it always will be."""
        if k not in self._columns:
            has = self._has_red[:, k].copy()
            ideal = self.ideal[:, k].copy()
            if not self.ideal_follows_front[k]:
                ideal = between(ideal, self._scale[0][k], self._scale[1][k])
            self._columns[k] = (
                ideal,
                self.red_line[:, k].copy(),
                has,
                bool(has.all()),
            )
        return self._columns[k]

    def _refresh(self, control: np.ndarray) -> None:
        """Recompute the issues that follow the front when the line differs from the one
        they were last worked out for (compared by value: an array changed in place, or
        a new array with the same values, is still told apart or reused correctly).

        Only the arrays that move are replaced (by new arrays: the old ones may be held);
        the others stay the static ones.
        """
        if not len(self._moving):
            return
        cached = self._cached_for  # np.array_equal(control, cached), without its overhead
        if control.shape == cached.shape and bool((control == cached).all()):
            return
        ideal, low, high = self._static
        if self._ideal_moves:
            ideal = ideal.copy()
        if self._limits_move:
            low, high = low.copy(), high.copy()
        self._ideal, self._low, self._high = self._limits(
            control, self._moving, (ideal, low, high), self._ideal_moves, self._limits_move
        )
        np.copyto(self._cached_for, control)

    def now(self, control: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Ideal points, low and high limits ``(R, K)`` for the current front line
        (:meth:`ideal_now` and :meth:`limits_now` in one look at the line)."""
        self._refresh(control)
        return self._ideal, self._low, self._high

    def ideal_now(self, control: np.ndarray) -> np.ndarray:
        """Ideal points ``(R, K)`` given the holder's current share of territory (the
        static ones, without a look at the line, when no ideal follows the front)."""
        if self._ideal_moves:
            self._refresh(control)
        return self._ideal

    def limits_now(self, control: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The interval between ideal and red line on every issue (the scale if none;
        the static interval, without a look at the line, when none follows the front)."""
        if self._limits_move:
            self._refresh(control)
        return self._low, self._high

    def concession_line(
        self, ideal: np.ndarray, other_ideal: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        """:func:`~simulator.talks.utility.concession_line` from ``ideal`` toward
        ``other_ideal`` with these positions' weights, kept while both ideals are the
        same arrays (ideals are replaced when they move, never changed in place)."""
        last_ideal, last_other, line = self._line_memo
        if ideal is not last_ideal or other_ideal is not last_other:
            line = concession_line(ideal, other_ideal, self.weights)
            self._line_memo = (ideal, other_ideal, line)
        return line


def _reciprocal(values: np.ndarray) -> np.ndarray:
    """``1 / values`` where positive, 0 elsewhere."""
    return np.where(values > 0, 1.0 / np.where(values > 0, values, 1.0), 0.0)


class Belligerent(mesa.Agent):
    """A side that fights, learns from the fighting, and negotiates.

    Holds its forces and resources, its Beta belief about the war, its positions and
    red lines, and a negotiator strategy from the registry.
    """

    # Results kept from week to week, with the arrays they were worked out from (see
    # forget_kept).
    _belief_memo: tuple
    _cost_memo: tuple
    _materiel_memo: tuple
    _aided_memo: tuple
    _pause_cost_memo: tuple
    _truce_answer_memo: tuple
    _no_deal_memo: tuple | None

    def __init__(self, model: World, actor_id: str, spec: BelligerentSpec):
        super().__init__(model)
        self.actor_id = actor_id
        self.name = spec.name
        self.is_holder = actor_id == model.scenario.front.holder
        path = f"actors.{actor_id}"
        resources = f"{path}.resources"
        self.forces = model.draw(f"{resources}.forces")
        self.replenishment = model.draw(f"{resources}.replenishment")
        self.materiel = model.draw(f"{resources}.materiel")
        self.attrition = model.draw(f"{resources}.attrition")
        self.cost_of_war = model.draw(f"{resources}.cost_of_war")
        self.aid_dependence = model.draw(f"{resources}.aid_dependence", default=0.0)
        self.sanctions_exposure = model.draw(f"{resources}.sanctions_exposure", default=0.0)
        self.intelligence_dependence = model.draw(
            f"{resources}.intelligence_dependence", default=0.0
        )
        self.start_forces = self.forces.copy()
        # 1 / starting forces and 1 / materiel (0 for a side that started with none),
        # worked out once for the weekly shares of them.
        self._per_start_forces = _reciprocal(self.start_forces)
        self._per_materiel = _reciprocal(self.materiel)
        start_power = self.start_forces * self.materiel
        # 1 / the combat power it started with (0 for a side that started with none).
        self._per_start_power = np.where(
            start_power > 0, 1.0 / np.where(start_power > 0, start_power, 1.0), 0.0
        )
        pauses = f"{path}.pauses"
        self.ceasefire_cost = model.draw(f"{pauses}.ceasefire_cost", default=0.0)
        self.strikes_share = model.draw(f"{pauses}.strikes_share", default=0.0)
        self.strike_value = model.draw(f"{pauses}.strike_value", default=1.0)
        self.resolve = model.draw(f"{path}.resolve")
        self.foresight = model.draw(f"{path}.foresight")
        self.patience = model.draw(f"{path}.patience", default=1.0)
        self.learning_rate = model.draw(f"{path}.belief.learning_rate", default=1.0)
        self.belief_a, self.belief_b = beliefs.prior(
            model.draw(f"{path}.belief.mean"), model.draw(f"{path}.belief.strength")
        )
        self.positions = Positions(model, path, spec.positions)
        self.forget_kept()
        strategy = NEGOTIATORS[spec.strategy.name]
        self.negotiator = strategy(
            model.strategy_params(f"{path}.strategy", strategy), model.replications
        )
        self.losses_total = np.zeros(model.replications)
        # Utility of the ground it expects to win (lose, if negative) in a week of war,
        # worked out with its value of war each week and used by its pause decisions.
        self.ground_per_week = self.positions.territory_weight * self.gain_per_week(model.front)
        self.walk_away = np.full(model.replications, np.nan)
        self.expected_control = np.zeros(model.replications)
        self._last_offer_value = np.full(model.replications, np.nan)
        # This week's burdens (update_levers), at the levers' neutral levels until the
        # model sets them, so that every attribute exists from construction on.
        neutral = np.ones(model.replications)
        self.update_levers(neutral, neutral, neutral)

    # ------------------------------------------------------------------ battlefield

    def materiel_now(self, aid: np.ndarray, logistics_loss: np.ndarray | float) -> np.ndarray:
        """Materiel after the mediator's aid level and the loss of logistics hubs.

        The last result is kept for the same ``aid`` and ``logistics_loss`` (the same
        arrays: the model replaces them, never changes them in place), since the fight
        and the talks of a week both ask.
        """
        last_aid, last_loss, last = self._materiel_memo
        if aid is last_aid and (
            logistics_loss is last_loss
            or (np.ndim(logistics_loss) == 0 == np.ndim(last_loss) and logistics_loss == last_loss)
        ):
            return last
        # materiel * max(1 - aid_dependence * (1 - aid), 0), kept for the same ``aid``
        # (the hubs the defender loses change more often than the aid)
        aid_for, materiel = self._aided_memo
        if aid is not aid_for:
            aid_factor = 1.0 - self.aid_dependence * (1.0 - aid)
            materiel = self.materiel * at_least(aid_factor, out=aid_factor, low=0.0)
            self._aided_memo = (aid, materiel)
        if np.ndim(logistics_loss) or logistics_loss != 0.0:  # (1 - 0) changes nothing
            materiel = materiel * (1.0 - logistics_loss)
        self._materiel_memo = (aid, logistics_loss, materiel)
        return materiel

    def intelligence_factor(self, intelligence: np.ndarray) -> np.ndarray:
        """Multiplier on its combat power in engagements from the intelligence shared with it."""
        return at_least(1.0 - self.intelligence_dependence * (1.0 - intelligence), 0.0)

    def relative(self, materiel_now: np.ndarray) -> np.ndarray:
        """Materiel now as a share of the start's (0 for a side that started with none)."""
        return materiel_now * self._per_materiel

    def take_losses(self, lost: np.ndarray) -> None:
        self.losses_total += lost
        self.forces = battlefield.replenish(self.forces, lost, self.replenishment)

    # ---------------------------------------------------------------------- beliefs

    def observe(self, wins_holder: np.ndarray, wins_defender: np.ndarray) -> None:
        """Update the belief about the war from the week's engagements."""
        self.belief_a, self.belief_b = beliefs.update(
            self.belief_a, self.belief_b, wins_holder, wins_defender, self.learning_rate
        )

    @property
    def believed_p(self) -> np.ndarray:
        """Believed P(the front's holder wins an engagement) (worked out once for each
        new pair of Beta parameters: updates replace the arrays, never change them)."""
        a, b, p = self._belief_memo
        if a is not self.belief_a or b is not self.belief_b:
            p = beliefs.mean(self.belief_a, self.belief_b)
            self._belief_memo = (self.belief_a, self.belief_b, p)
        return p

    # ------------------------------------------------------------------ reservation

    def sanctions_burden(self, sanctions: np.ndarray) -> np.ndarray:
        """How much heavier sanctions make the war's cost than at the start."""
        return at_least(1.0 + self.sanctions_exposure * (sanctions - 1.0), 0.0)

    def burden(self, aid: np.ndarray, sanctions: np.ndarray) -> np.ndarray:
        """How much heavier the war weighs than at the start: lost aid and sanctions
        (never below nothing: much more aid makes the war cheap, not profitable)."""
        aid_burden = at_least(1.0 + self.aid_dependence * (1.0 - aid), 0.0)
        return aid_burden * self.sanctions_burden(sanctions)

    def weekly_cost(
        self, aid: np.ndarray, sanctions: np.ndarray, truce: np.ndarray | None = None
    ) -> np.ndarray:
        """The cost of a week of war as this side feels it, after resolve and leverage;
        a truce on strikes takes away the share the other side's strikes cause."""
        cost = self.cost_of_war * (1.0 - self.resolve) * self.burden(aid, sanctions)
        if truce is not None:
            cost = cost * (1.0 - self.strikes_share * truce)
        return cost

    def forget_kept(self) -> None:
        """Forget the results kept from earlier weeks (each is kept while the arrays it
        was worked out from stand; see :meth:`CeasefireModel.step`, which calls this when
        a number was replaced between steps)."""
        self._belief_memo = (None, None, None)
        self._cost_memo = (None, None, None)
        self._materiel_memo = (None, None, None)
        self._aided_memo = (None, None)
        self._pause_cost_memo = (None, None)
        self._truce_answer_memo = (None, None, None)
        self._no_deal_memo = None
        self.positions.forget_kept()

    def update_levers(
        self, aid: np.ndarray, sanctions: np.ndarray, intelligence: np.ndarray
    ) -> None:
        """This week's burden of the war and intelligence factor, worked out once a week
        (after the week's events and the mediator's policies) for every use in it."""
        self.sanctions_load = self.sanctions_burden(sanctions)
        self._sanctions_load_positive = bool((self.sanctions_load > 0).all())
        self.war_burden = self.burden(aid, sanctions)
        self.intelligence_now = self.intelligence_factor(intelligence)
        self.cost_this_week = self.cost_of_war * (1.0 - self.resolve) * self.war_burden
        # The share of it the other side's strikes cause (what a truce on strikes spares).
        self.strike_relief = self.strikes_share * self.cost_this_week

    def cost_now(self, truce: np.ndarray, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """``weekly_cost`` at this week's levers, with a truce on strikes where in force
        (``truce`` given for ``rows`` only when ``rows`` picks some replications)."""
        if isinstance(rows, slice) and rows == slice(None):
            # Every replication: kept for the same ``truce`` array and week's cost.
            last_truce, last_cost, cost = self._cost_memo
            if truce is not last_truce or self.cost_this_week is not last_cost:
                cost = self.cost_this_week * (1.0 - self.strikes_share * truce)
                self._cost_memo = (truce, self.cost_this_week, cost)
            return cost
        return self.cost_this_week[rows] * (1.0 - self.strikes_share[rows] * truce)

    def resources_now(self, front: Front, levers: Levers) -> np.ndarray:
        """Its resources as a share of the start's: combat power over economic burden.

        Power counts forces, materiel after aid and lost logistics (from ``front``), and
        intelligence; the burden counts sanctions. This is what a resource-dependent
        negotiator concedes on.
        """
        loss = 0.0 if self.is_holder else front.logistics_lost
        # forces * materiel * intelligence / starting power / burden, in one array
        ratio = np.multiply(self.forces, self.materiel_now(levers.aid, loss))
        ratio *= self.intelligence_now
        ratio *= self._per_start_power
        burden = self.sanctions_load
        if self._sanctions_load_positive:
            ratio /= burden
            return ratio
        return np.where(burden > 0, ratio / np.where(burden > 0, burden, 1.0), ratio)

    def crossing_cost_now(self) -> np.ndarray | None:
        """What crossing each red line costs this week ``(R, K)``, or None if all are hard.

        The drawn cost wears down with losses, ``exp(-erosion * losses / starting forces)``,
        and with the war's burden (lost aid, sanctions), which make a compromise easier
        to sell at home; a lighter burden than at the start does not raise it.
        """
        later = self.crossing_cost_later()
        return None if later is None else later()

    def crossing_cost_later(self) -> Callable[[], np.ndarray] | None:
        """:meth:`crossing_cost_now` as a function that works it out when called, from
        this week's losses (as they stand now: they grow in place) and burden; None if
        all red lines are hard."""
        if not self.positions.crossable:
            return None
        weariness = self.losses_total * self._per_start_forces
        return partial(self.positions.crossing_costs, weariness, self.war_burden)

    # ----------------------------------------------------------------------- pauses

    def gain_per_week(self, front: Front) -> np.ndarray:
        """Share of territory it expects to win (or, if negative, lose) in a week of war
        on ``front``, under its own belief."""
        drift = battlefield.expected_drift(self.believed_p, front.engagements, front.share_per_win)
        return drift if self.is_holder else -drift

    def accepts_ceasefire(
        self,
        weeks: float | np.ndarray,
        truce_active: np.ndarray,
        guarantee: np.ndarray,
        rows: np.ndarray | slice = slice(None),
    ) -> np.ndarray:
        """A general cease-fire of ``weeks`` is worth it when the war's cost spared exceeds
        the ground it expects to gain in them and the cost of pausing before a settlement
        (lowered by the mediator's ``guarantee``); ``truce_active`` says where a truce on
        strikes already spares part of the cost. Both are ``(R,)``; the answer is for
        ``rows`` only, when given."""
        every = isinstance(rows, slice) and rows == slice(None)
        # Every replication: the truce mask itself (cost_now keeps its result for it).
        spared = weeks * self.cost_now(truce_active if every else truce_active[rows], rows)
        spared -= weeks * self.ground_per_week[rows]
        spared -= self._pause_cost(guarantee) if every else self._pause_cost(guarantee)[rows]
        return spared > 0.0

    def _pause_cost(self, guarantee: np.ndarray) -> np.ndarray:
        """``ceasefire_cost * (1 - guarantee)`` in every replication, kept for the same
        ``guarantee`` (the levers are replaced, never changed in place)."""
        memo = self._pause_cost_memo
        if memo[0] is not guarantee:
            memo = self._pause_cost_memo = (guarantee, self.ceasefire_cost * (1.0 - guarantee))
        return memo[1]

    def accepts_truce(
        self, other: Belligerent, rows: np.ndarray | slice = slice(None)
    ) -> np.ndarray:
        """A truce on strikes is worth it when the relief it brings this side is at least
        the pressure it gives up on the other, as much as this side values that pressure.
        For ``rows`` only, when given.

        The answer for every replication is kept (read-only) while both sides' reliefs
        stand: they change only with the levers, and the mediator offers a truce weekly.
        """
        every = isinstance(rows, slice) and rows == slice(None)
        if every:
            kept_for, kept_other, kept = self._truce_answer_memo
            if kept_for is self.strike_relief and kept_other is other.strike_relief:
                return kept
        relief = self.strike_relief[rows]  # strikes_share * cost_this_week
        pressure = other.strike_relief[rows]
        answer = (relief > 0.0) & (relief >= self.strike_value[rows] * pressure)
        if every:
            answer.flags.writeable = False
            self._truce_answer_memo = (self.strike_relief, other.strike_relief, answer)
        return answer

    def value_war(self, model: World) -> None:
        """Expected utility of fighting on for ``foresight`` weeks, minus its cost.

        Territory is valued at the share this side expects the holder to have by then,
        under its own belief; other issues at their no-deal values:

            walk_away = u(outlook) - foresight * cost_now
            u(outlook) = 1 - sum_k weights_k * |outlook_k - ideal_k|
        """
        p = self.believed_p
        front = model.front
        engagements, share_per_win, control = front.engagements, front.share_per_win, front.control
        drift = battlefield.expected_drift(p, engagements, share_per_win)
        self.expected_control = battlefield.expected_control(
            control, p, engagements, share_per_win, self.foresight, drift
        )
        # Utility of the ground it expects to win in a week (gain_per_week, here from
        # the same drift, which is not needed after this).
        gain = drift if self.is_holder else np.negative(drift, out=drift)
        gain *= self.positions.territory_weight
        self.ground_per_week = gain
        # utility(no_deal_terms(expected_control), ideal, weights) issue by issue, summed
        # in the same order: the terms of the issues other than territory, with ideals
        # that do not follow the front, are the same every week (worked out once).
        positions = self.positions
        ideal = positions.ideal_now(control)
        value = np.subtract(self.expected_control, ideal[:, 0])
        np.abs(value, out=value)
        value *= positions.territory_weight
        for k, fixed in self._no_deal_distances(model, ideal):
            if fixed is None:  # an ideal that follows the front: worked out afresh
                fixed = np.abs(model.no_deal_terms(control)[:, k] - ideal[:, k])
                fixed *= positions.weights[:, k]
            value += fixed
        np.subtract(1.0, value, out=value)
        cost = self.cost_now(model.truce_active) * self.foresight
        value -= cost
        self.walk_away = value

    def _no_deal_distances(
        self, model: World, ideal: np.ndarray
    ) -> list[tuple[int, np.ndarray | None]]:
        """``weights_k * |no_deal_k - ideal_k|`` for each issue but territory: an array
        where the ideal is fixed, None where it follows the front (the no-deal values,
        the weights and fixed ideals never change after construction; kept for the
        positions' arrays they were worked out from)."""
        positions = self.positions
        key = (positions.weights, positions.ideal)
        memo = self._no_deal_memo
        if memo is not None and memo[0][0] is key[0] and memo[0][1] is key[1]:
            return memo[1]
        no_deal = model.no_deal_terms(model.front.control)
        columns: list[tuple[int, np.ndarray | None]] = []
        for k in range(1, ideal.shape[1]):
            if positions.ideal_follows_front[k]:
                columns.append((k, None))
            else:
                fixed = np.abs(no_deal[:, k] - ideal[:, k])
                fixed *= positions.weights[:, k]
                columns.append((k, fixed))
        self._no_deal_memo = (key, columns)
        return columns

    # ------------------------------------------------------------------------ talks

    def prepare_for_talks(
        self,
        model: World,
        other: Belligerent,
        rounds: np.ndarray,
        proposing: np.ndarray,
        talking: np.ndarray,
    ) -> Party:
        """This week's threshold and ask, from the negotiator strategy's aspiration."""
        front = model.front
        control = front.control
        positions = self.positions
        ideal, low, high = positions.now(control)
        other_ideal = other.positions.ideal_now(control)
        walk_away = self.walk_away
        room = np.subtract(1.0, walk_away)  # the utility between walking away and the ideal
        at_least(room, 1e-12, out=room)
        aspiration = self.negotiator.aspiration(
            Situation(
                rounds=rounds,
                offer_gain=self._offer_gain(
                    model.talks.last_asks.get(other.actor_id), ideal, room, talking
                ),
                proposing=proposing,
                talking=talking,
                walk_away=walk_away,
                other_walk_away=other.walk_away,
                patience=self.patience,
                other_patience=other.patience,
                resources=self.resources_now(front, model.levers),
            )
        )
        threshold = np.multiply(room, aspiration)  # walk_away + room * aspiration
        threshold += walk_away
        # The line toward the other side's ideal is kept while neither ideal moves.
        ask = concede_along(positions.concession_line(ideal, other_ideal), ideal, threshold)
        clip_to_limits(ask, low, high, out=ask)
        return Party(
            ideal=ideal,
            weights=positions.weights,
            walk_away=walk_away,
            threshold=threshold,
            ask=ask,
            low=low,
            high=high,
            salience=positions.salience_share,
            capability=front.p_holder if self.is_holder else 1.0 - front.p_holder,
            # worked out when a text first crosses one of its lines (Party.crossing_costs)
            crossing_cost_later=self.crossing_cost_later(),
        )

    def _offer_gain(
        self,
        other_ask: np.ndarray | None,
        ideal: np.ndarray,
        room: np.ndarray,
        talking: np.ndarray,
    ) -> np.ndarray:
        """How much the other side's ask improved for this side since its last round of
        talks (replications not talking this week keep what they remembered)."""
        if other_ask is None:
            return np.zeros(self.model.replications)
        value = utility(other_ask, ideal, self.positions.weights)
        last = self._last_offer_value
        unknown = np.isnan(last)  # no ask remembered yet: no gain
        previous = np.where(unknown, value, last) if unknown.any() else last
        gain = np.subtract(value, previous)  # (value - previous) / room
        gain /= room
        if talking.all():  # the masks below would change nothing
            self._last_offer_value = value
            return gain
        self._last_offer_value = np.where(talking, value, last)
        return np.where(talking, gain, 0.0)


class Mediator(mesa.Agent):
    """A third party that drafts texts and holds leverage (aid, intelligence, sanctions,
    guarantees).

    Each lever has a level that dated events set, times the multipliers of its
    policies, which answer what the belligerents do in talks.
    """

    def __init__(self, model: World, actor_id: str, spec: MediatorSpec):
        super().__init__(model)
        self.actor_id = actor_id
        self.name = spec.name
        path = f"actors.{actor_id}"
        self.active_from_week = model.scenario.week_of_date(spec.active_from.value)
        self.aid_level = model.draw(f"{path}.leverage.aid")
        self.intelligence_level = model.draw(f"{path}.leverage.intelligence", 1.0)
        self.sanctions_level = model.draw(f"{path}.leverage.sanctions")
        self.guarantee_level = model.draw(f"{path}.leverage.guarantee")
        self.positions = Positions(model, path, spec.positions)
        drafter = DRAFTERS[spec.strategy.name]
        self.drafter = drafter(model.strategy_params(f"{path}.strategy", drafter))
        self.policies: list[tuple[str, MediatorPolicy]] = []
        for policy_id, policy in spec.policies.items():
            cls = POLICIES[policy.name]
            start = model.scenario.week_of_date(policy.start or model.scenario.start)
            params = model.strategy_params(f"{path}.policies.{policy_id}", cls)
            self.policies.append((policy.target, cls(params, model.replications, max(start, 1))))

    def _lever(self, level: np.ndarray, lever: str) -> np.ndarray:
        for _, policy in self.policies:
            level = level * getattr(policy.levers, lever)
        return level

    @property
    def aid(self) -> np.ndarray:
        return self._lever(self.aid_level, "aid")

    @property
    def intelligence(self) -> np.ndarray:
        return self._lever(self.intelligence_level, "intelligence")

    @property
    def sanctions(self) -> np.ndarray:
        return self._lever(self.sanctions_level, "sanctions")

    @property
    def guarantee(self) -> np.ndarray:
        return self._lever(self.guarantee_level, "guarantee")

    def apply_policies(self, week: int, offered: np.ndarray, accepted: dict[str, np.ndarray]):
        """Let each policy answer this week's talks; its levers act from next week."""
        for target, policy in self.policies:
            other = next(a for a in accepted if a != target)
            policy.act(TalksWeek(week, offered, accepted[target], accepted[other]))

    def active(self, week: int) -> bool:
        return week >= self.active_from_week

    def view(self, control: np.ndarray) -> MediatorView:
        return MediatorView(
            self.positions.ideal_now(control),
            self.positions.weights,
            self.positions.salience_share,
            front=control,
        )
