"""Talks protocols: who proposes what each week and when a text is agreed.

A protocol takes the two belligerents (as :class:`~simulator.talks.base.Party`) and,
where it needs one, the mediator, and returns the week's text and whether every
party accepts it. Mediator drafting rules live here too, as small named classes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import MediatorView, Named, ParamSpec, Party
from .utility import clip_to_limits, reservation_point


@dataclass
class RoundResult:
    """The text on the table this week and who accepted it."""

    text: np.ndarray
    accepted: np.ndarray
    """Whether the text is agreed."""
    proposer: np.ndarray
    """Index of the proposing party per replication (0, 1, or -1 for the mediator)."""
    accepts: tuple[np.ndarray, np.ndarray]
    """Each party's own answer to the text (one may accept what the other refuses)."""


def _answers(parties: tuple[Party, Party], text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return parties[0].accepts(text), parties[1].accepts(text)


# ------------------------------------------------------------------------ drafting rules


class Drafter(Named):
    """How a mediator writes its single negotiating text."""

    def draft(self, parties: tuple[Party, Party], mediator: MediatorView) -> np.ndarray:
        raise NotImplementedError


_PULL = ParamSpec(
    "pull",
    "How far the text leans from the parties' asks toward the mediator's terms.",
    0.0,
    0.0,
    1.0,
)


def _lean(text: np.ndarray, mediator: MediatorView, pull: np.ndarray) -> np.ndarray:
    """Move the text toward the mediator's terms on the issues it has a position on."""
    preferred = np.where(np.isnan(mediator.preferred), text, mediator.preferred)
    # (1 - pull) * text + pull * preferred, column by column (numpy broadcasts a column
    # over the short issue axis many times more slowly)
    keep = 1.0 - pull
    leaned = np.empty_like(text, dtype=float)
    for k in range(text.shape[1]):
        np.add(keep * text[:, k], pull * preferred[:, k], out=leaned[:, k])
    return leaned


def _inside_both(text: np.ndarray, parties: tuple[Party, Party]) -> np.ndarray:
    """Clip into the overlap of both sides' red lines, where the overlap exists (a new
    array)."""
    low = np.maximum(parties[0].low, parties[1].low)
    high = np.minimum(parties[0].high, parties[1].high)
    overlap = low <= high
    clipped = clip_to_limits(text, low, high)
    # np.where(overlap, clipped, text), on the issues where some red lines do not meet
    # only (most issues have no red lines, and the scale always meets itself)
    for k in range(overlap.shape[1]):
        meet = overlap[:, k]
        if not meet.all():
            clipped[:, k] = np.where(meet, clipped[:, k], text[:, k])
    return clipped


def _within_positions(
    text: np.ndarray, parties: tuple[Party, Party], front, overwrite: bool = False
) -> np.ndarray:
    """Territory that asks no side to give up more than its own ask does.

    The front's holder hands back at most what its ask gives up (the text is at least
    ``min(front, holder's ask)``) and the defender hands over at most what its ask
    concedes (at most ``max(front, defender's ask)``). Without a view of the front the
    text stands. ``overwrite``: the caller's ``text`` may be changed in place.
    """
    if front is None:
        return text
    low = np.minimum(front, parties[0].ask[:, 0])
    high = np.maximum(front, parties[1].ask[:, 0])
    if not overwrite:
        text = text.copy()
    text[:, 0] = np.clip(text[:, 0], low, np.maximum(low, high))
    return text


class SplitTheDifference(Drafter):
    name = "split_the_difference"
    description = "Drafts the midpoint of the parties' asks, leaning toward the mediator's terms."
    params = (_PULL,)

    def draft(self, parties: tuple[Party, Party], mediator: MediatorView) -> np.ndarray:
        middle = (parties[0].ask + parties[1].ask) / 2.0
        text = _lean(middle, mediator, self.values["pull"])
        inside = _inside_both(text, parties)
        return _within_positions(inside, parties, mediator.front, overwrite=True)


class FreezeAtFront(Drafter):
    """The line of contact as the border of the deal; the other issues at the mediator's
    preferred terms (the midpoint of the asks where it has none)."""

    name = "freeze_at_front"
    description = "Drafts the line of contact, other issues at the mediator's preferred terms."

    def draft(self, parties: tuple[Party, Party], mediator: MediatorView) -> np.ndarray:
        preferred, asks = mediator.preferred, (parties[0].ask, parties[1].ask)
        if (
            preferred.dtype == np.float64
            and preferred.shape == asks[0].shape == asks[1].shape
            and not np.isnan(preferred).any()
        ):  # terms on every issue: the midpoint of the asks is not needed
            text = preferred.copy()
        else:  # the midpoint of the asks where it has no terms
            middle = (asks[0] + asks[1]) / 2.0
            text = np.where(np.isnan(preferred), middle, preferred)
        if mediator.front is not None:
            text[:, 0] = mediator.front
        inside = _inside_both(text, parties)
        return _within_positions(inside, parties, mediator.front, overwrite=True)


class NashPoint(Drafter):
    name = "nash"
    description = "Drafts the Nash bargaining point with war as the disagreement point."
    params = (_PULL,)

    def draft(self, parties: tuple[Party, Party], mediator: MediatorView) -> np.ndarray:
        # With linear utilities the Nash product on an issue peaks at the midpoint of
        # the two reservation points; other issues stay at the midpoint of the asks.
        first, second = parties
        middle = (first.ask + second.ask) / 2.0
        text = middle.copy()
        for issue in range(text.shape[1]):
            lo = reservation_point(
                issue, middle, first.ideal, first.weights, first.walk_away, second.ideal
            )
            hi = reservation_point(
                issue, middle, second.ideal, second.weights, second.walk_away, first.ideal
            )
            # The Nash product is concave in the term, so on the scale its peak is the
            # midpoint clipped to the scale (here: between the two ideals). Where a side
            # would pay to settle, the peak sits at the other side's ideal.
            ends = first.ideal[:, issue], second.ideal[:, issue]
            peak = np.clip((lo + hi) / 2.0, np.minimum(*ends), np.maximum(*ends))
            text[:, issue] = np.where(np.isfinite(lo + hi), peak, text[:, issue])
        text = _lean(text, mediator, self.values["pull"])
        inside = _inside_both(text, parties)
        return _within_positions(inside, parties, mediator.front, overwrite=True)


# ----------------------------------------------------------------------------- protocols


class Protocol(Named):
    """One week of talks."""

    needs_mediator: bool = False

    def proposer(self, rounds: np.ndarray, first_proposer: int) -> np.ndarray:
        """Who proposes in each replication this round: 0, 1, or -1 for the mediator."""
        return np.full(len(rounds), -1)

    def round(
        self,
        parties: tuple[Party, Party],
        mediator: MediatorView | None,
        drafter: Drafter | None,
        rounds: np.ndarray,
        first_proposer: int,
    ) -> RoundResult:
        raise NotImplementedError


class SingleNegotiatingText(Protocol):
    name = "single_text"
    description = "The mediator drafts one text each week; the parties accept it or not."
    needs_mediator = True
    classifier = {"mediated": True}

    def round(self, parties, mediator, drafter, rounds, first_proposer):
        assert mediator is not None and drafter is not None
        text = drafter.draft(parties, mediator)
        answers = _answers(parties, text)
        return RoundResult(
            text, answers[0] & answers[1], self.proposer(rounds, first_proposer), answers
        )


class ExpectedUtilityRounds(Protocol):
    """Bueno de Mesquita's challenge rounds as a talks protocol.

    Each week every actor's position enters one round of the expected-utility model
    (:func:`simulator.theory.expected_utility_forecast`): the belligerents at their
    asks with their share of combat power as capability, the mediator (if any) at its
    preferred terms with capability ``mediator_capability``; saliences are each
    actor's weight on the issue. The text is the median voter's position after the
    round; it is agreed when both belligerents accept it. Runs issue by issue and
    replication by replication, so it is meant for single runs and small ensembles.
    """

    name = "expected_utility"
    description = "A round of expected-utility challenges a week; the text is the median voter."
    params = (
        ParamSpec(
            "mediator_capability",
            "The mediator's capability against the sides' 1 in all.",
            0.5,
            0.0,
            100.0,
        ),
    )
    classifier = {"mediated": False, "vectorized": False}

    def round(self, parties, mediator, drafter, rounds, first_proposer):
        from ..theory import expected_utility_forecast

        replications, issues = parties[0].ask.shape
        text = np.empty((replications, issues))
        for r in range(replications):
            for k in range(issues):
                positions = [parties[0].ask[r, k], parties[1].ask[r, k]]
                capability = [parties[0].capability[r], parties[1].capability[r]]
                salience = [parties[0].salience[r, k], parties[1].salience[r, k]]
                if mediator is not None and np.isfinite(mediator.preferred[r, k]):
                    positions.append(mediator.preferred[r, k])
                    capability.append(self.values["mediator_capability"][r])
                    salience.append(mediator.salience[r, k])
                if sum(c * s for c, s in zip(capability, salience, strict=True)) <= 0:
                    text[r, k] = (positions[0] + positions[1]) / 2.0
                    continue
                forecast = expected_utility_forecast(
                    capability, np.array(salience) * 100.0, positions, rounds=1
                )
                text[r, k] = forecast.median_voter[-1]
        answers = _answers(parties, text)
        return RoundResult(
            text, answers[0] & answers[1], self.proposer(rounds, first_proposer), answers
        )


class AlternatingOffers(Protocol):
    name = "alternating_offers"
    description = "The belligerents take turns to propose; the other accepts or not."
    classifier = {"mediated": False}

    def proposer(self, rounds: np.ndarray, first_proposer: int) -> np.ndarray:
        return (first_proposer + rounds) % 2

    def round(self, parties, mediator, drafter, rounds, first_proposer):
        proposer = self.proposer(rounds, first_proposer)
        from_first = proposer == 0
        first, second = parties[0].ask, parties[1].ask
        if first.shape == second.shape and len(first) == len(from_first):
            text = np.array(second, dtype=float)  # the first party's ask where it proposes
            text[from_first] = first[from_first]
        else:  # asks of one row for many rounds: broadcast them
            text = np.where(from_first[:, None], first, second)
        answers = _answers(parties, text)
        responder_accepts = np.where(from_first, answers[1], answers[0])
        return RoundResult(text, responder_accepts, proposer, answers)
