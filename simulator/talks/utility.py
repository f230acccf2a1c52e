"""How a party values terms: spatial utility over the issues, on arrays.

Shapes: ``R`` replications, ``K`` issues. A party's ``ideal`` is ``(R, K)``; its
``weights`` are ``(R, K)``, its saliences divided by their sum and by each issue's
scale width, so that utility is

    u(terms) = 1 - sum_k weights_k * |terms_k - ideal_k|

which is 1 at the ideal point and falls linearly with distance (Bueno de Mesquita's
spatial utility; Nash's linear-utility case). Pure functions, no state.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..arrays import between

TOLERANCE = 1e-9
"""Utility comparisons allow this slack so that exact ties accept."""


def row_sum(values: np.ndarray) -> np.ndarray:
    """Sum over issues of an ``(R, K)`` array.

    A loop over the few issue columns: numpy's ``sum(axis=1)`` over a short inner axis
    is many times slower, and this runs every week for every replication.
    """
    if values.shape[1] == 2:  # the bundled scenarios' two issues: one addition, no copy
        return values[:, 0] + values[:, 1]
    total = values[:, 0].copy()
    for k in range(1, values.shape[1]):
        total += values[:, k]
    return total


def row_all(flags: np.ndarray) -> np.ndarray:
    """``(R,)``: every issue column of an ``(R, K)`` boolean array is true."""
    result = flags[:, 0].copy()
    for k in range(1, flags.shape[1]):
        result &= flags[:, k]
    return result


def normalised_weights(salience: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """Saliences ``(R, K)`` -> weights that sum to 1 over issues, per unit of each scale."""
    total = salience.sum(axis=1, keepdims=True)
    safe = np.where(total > 0, total, 1.0)
    share = np.where(total > 0, salience / safe, 1.0 / salience.shape[1])
    return share / widths


def utility(terms: np.ndarray, ideal: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Utility ``(R,)`` of ``terms`` ``(R, K)`` for a party with ``ideal`` and ``weights``."""
    distance = np.subtract(terms, ideal, dtype=float)  # 1 - sum_k w_k |terms_k - ideal_k|
    np.abs(distance, out=distance)
    distance *= weights
    value = row_sum(distance)
    return np.subtract(1.0, value, out=value)


def concede_towards(
    ideal: np.ndarray,
    other_ideal: np.ndarray,
    weights: np.ndarray,
    target_utility: np.ndarray,
) -> np.ndarray:
    """Terms on the line from ``ideal`` to ``other_ideal`` that give ``target_utility``.

    The party concedes the same fraction on every issue (never beyond the other's
    ideal, never back past its own), which is how a time-dependent negotiator turns
    an aspiration into an offer.
    """
    return concede_along(concession_line(ideal, other_ideal, weights), ideal, target_utility)


def concession_line(
    ideal: np.ndarray, other_ideal: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """The line from ``ideal`` to ``other_ideal``: the step ``other_ideal - ideal``
    ``(R, K)``, the utility given up by conceding all of it ``(R,)`` (1 where that is
    none, with a mask of where it is some) and whether it is some everywhere.

    It depends on the ideals and weights only, so a caller whose ideals did not move
    keeps it from week to week (:meth:`simulator.agents.Positions.concession_line`).
    """
    towards = np.subtract(other_ideal, ideal, dtype=float)
    gap = np.abs(towards)
    gap *= weights
    span = row_sum(gap)  # sum_k w_k |other_ideal_k - ideal_k|
    positive = span > 0
    everywhere = bool(positive.all())  # then the guards in concede_along change nothing
    safe = span if everywhere else np.where(positive, span, 1.0)
    return towards, safe, positive, everywhere


def concede_along(
    line: tuple[np.ndarray, np.ndarray, np.ndarray, bool],
    ideal: np.ndarray,
    target_utility: np.ndarray,
) -> np.ndarray:
    """Terms ``ideal + fraction * (other_ideal - ideal)`` on a :func:`concession_line`,
    conceding the ``fraction = (1 - target_utility) / span`` (in [0, 1]) of the way that
    gives up just enough utility."""
    towards, safe, positive, everywhere = line
    fraction = (1.0 - target_utility) / safe
    between(fraction, 0.0, 1.0, out=fraction)
    if not everywhere:
        fraction = np.where(positive, fraction, 0.0)
    # ideal + fraction * (other_ideal - ideal), column by column: numpy broadcasts
    # ``fraction[:, None]`` over the short issue axis many times more slowly
    terms = np.empty_like(towards)
    for k in range(towards.shape[1]):
        np.multiply(towards[:, k], fraction, out=terms[:, k])
    terms += ideal
    return terms


def clip_to_limits(
    terms: np.ndarray, low: np.ndarray, high: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """Terms moved into ``[low, high]`` issue by issue (a party's red lines): a new
    array, or ``out`` (which may be ``terms`` itself)."""
    clipped = np.maximum(terms, low, out=out)
    return np.minimum(clipped, high, out=clipped)


def within_limits(terms: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """``(R,)``: every issue of ``terms`` lies inside ``[low, high]``."""
    return row_all((terms >= low - TOLERANCE) & (terms <= high + TOLERANCE))


def crossing_penalty(
    terms: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    cost: np.ndarray | Callable[[], np.ndarray | None],
) -> np.ndarray:
    """``(R,)``: the summed cost of the red lines that ``terms`` cross (0 when none is).

    ``cost`` is ``(R, K)``, ``inf`` where a line is hard, so terms beyond a hard line
    are never worth accepting; or a function that gives it, called only when some terms
    cross a line (most weeks a text crosses one side's lines only, and working out the
    other side's costs would be wasted). The sum runs over the issues some terms cross:
    an issue that none crosses adds nothing.
    """
    beyond = (terms < low - TOLERANCE) | (terms > high + TOLERANCE)
    penalty = np.zeros(len(terms))
    costs = None
    for k in range(beyond.shape[1]):
        crossed = beyond[:, k]
        if crossed.any():
            if costs is None:
                costs = cost() if callable(cost) else cost
                assert costs is not None, "a red line is crossed, so it has a cost"
            penalty += np.where(crossed, costs[:, k], 0.0)
    return penalty


def reservation_point(
    issue: int,
    terms: np.ndarray,
    ideal: np.ndarray,
    weights: np.ndarray,
    walk_away_utility: np.ndarray,
    towards: np.ndarray,
) -> np.ndarray:
    """On one issue, the term at which the party is indifferent to walking away.

    The other issues stay at ``terms``. The result lies on the side of the party's
    ideal that faces ``towards`` (the other side's ideal); when even the ideal is
    worse than walking away it is the ideal itself, and the party accepts nothing.
    With linear utilities the Nash bargaining point on the issue is the midpoint of
    the two parties' reservation points.
    """
    others = terms.copy()
    others[:, issue] = ideal[:, issue]
    slack = utility(others, ideal, weights) - walk_away_utility
    w = weights[:, issue]
    distance = np.where(w > 0, np.maximum(slack, 0.0) / np.where(w > 0, w, 1.0), np.inf)
    direction = np.sign(towards[:, issue] - ideal[:, issue])
    distance = np.where(direction == 0, 0.0, distance)
    return ideal[:, issue] + direction * distance
