"""The battlefield as array arithmetic: who wins a week's engagements, what it costs, what moves.

Pure functions over arrays of replications; the model keeps the state. The war is
a sequence of engagements (Slantchev 2003) whose odds follow a Tullock contest
success function of combat power, with Lanchester-style attrition and
replenishment; each net engagement won moves the front by a fixed area.

Towns are harder to take than open ground: a place with a ``defence`` d and a
built-up depth slows the line on its axis d-fold while the line is inside it. Axis
progress is kept in *effort*, open-ground kilometres, so that a place falls when the
effort on its axis reaches the effort its distance costs (:func:`effort_at`), and
the week's step is a plain addition whatever the line crosses.
"""

from __future__ import annotations

import numpy as np

from .arrays import at_least, between
from .streams import FIGHT, Streams


def combat_power(forces: np.ndarray, materiel: np.ndarray) -> np.ndarray:
    """Personnel times combat power per soldier."""
    return forces * materiel


def win_probability(power_a: np.ndarray, power_b: np.ndarray, exponent: np.ndarray) -> np.ndarray:
    """Tullock contest success function: P(A wins an engagement) = A^m / (A^m + B^m).

    Computed as a logistic of ``m * log(A/B)`` so that large exponents cannot
    overflow; a side with no power loses every engagement (even odds when both
    have none).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        # log(B/A) = -log(A/B), so that m * log(B/A) is -m log(A/B) without negating m
        log_ratio = np.log(power_b) - np.log(power_a)
    undefined = np.isnan(log_ratio)
    if undefined.any():
        log_ratio[undefined] = 0.0  # neither side has power: even odds
    odds = np.multiply(exponent, log_ratio, out=log_ratio)  # 1 / (1 + exp(-m log(A/B)))
    with np.errstate(over="ignore"):  # exp(inf): the side has no power, P = 0
        np.exp(odds, out=odds)
    odds += 1.0
    return np.divide(1.0, odds, out=odds)


def fight(
    streams: Streams, week: int, engagements: np.ndarray, p_holder: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One week of engagements: wins of the front's holder and of the defender.

    The holder's wins are Binomial(engagements, p_holder), drawn from each
    replication's own stream (:mod:`simulator.streams`). ``engagements`` may be
    fractional: the count is rounded to the nearest whole engagement before the draw.
    """
    wins_holder, wins_defender = fight_counts(streams, week, engagements, p_holder)
    return wins_holder.astype(np.int64), wins_defender.astype(np.int64)


def fight_counts(
    streams: Streams,
    week: int,
    engagements: np.ndarray,
    p_holder: np.ndarray,
    probability: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`fight`'s wins as floats (whole numbers, exact): what the week multiplies
    them into, without converting to integers and back. ``probability``: ``p_holder``
    is known to lie in [0, 1] (or be NaN), as :func:`win_probability` gives it."""
    count = np.rint(engagements)
    wins_holder = streams.binomial_counts(FIGHT, week, count, p_holder, probability)
    return wins_holder, count - wins_holder


def losses(attrition: np.ndarray, enemy_strength: np.ndarray, fighting: np.ndarray) -> np.ndarray:
    """Lanchester attrition: own losses grow with the enemy's strength, only while fighting.

    ``enemy_strength`` is the enemy's personnel weighted by its materiel relative to
    the start, so aid or lost logistics change the losses each side inflicts.
    """
    return np.where(fighting, attrition * enemy_strength, 0.0)


def losses_except(
    attrition: np.ndarray, enemy_strength: np.ndarray, idle: np.ndarray
) -> np.ndarray:
    """:func:`losses` given the (few) rows not fighting, ``idle``, as indices: the same
    numbers without a full pass of ``np.where``."""
    lost = attrition * enemy_strength
    lost[idle] = 0.0
    return lost


def replenish(forces: np.ndarray, lost: np.ndarray, replenishment: np.ndarray) -> np.ndarray:
    """Forces after a week's losses and new personnel, never below zero (a new array)."""
    after = forces - lost
    after += replenishment
    return at_least(after, 0.0, out=after)


def area_share_per_win(km2_per_net_win: np.ndarray, area_km2: np.ndarray) -> np.ndarray:
    """The share of the disputed area one net engagement won moves."""
    return np.where(area_km2 > 0, km2_per_net_win / np.where(area_km2 > 0, area_km2, 1.0), 0.0)


def advance(control: np.ndarray, net_wins: np.ndarray, share_per_win: np.ndarray) -> np.ndarray:
    """The holder's share of the territory after ``net_wins``, kept in [0, 1]."""
    moved = net_wins * share_per_win  # control + net_wins * share_per_win, in place
    moved += control
    return between(moved, 0.0, 1.0, out=moved)


def effort_at(
    distance: np.ndarray, belts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
) -> np.ndarray:
    """Open-ground kilometres of effort from the start line (0) to ``distance`` on an axis.

    ``belts`` are the axis's built-up areas as ``(start_km, end_km, defence)``; a
    kilometre inside one costs ``defence`` kilometres of effort (overlapping belts add
    their extra resistance). Negative distances (behind the start line) give negative
    effort, so places already taken stay taken.
    """
    effort = np.asarray(distance, dtype=float).copy()
    for start, end, defence in belts:
        inside = np.clip(distance, start, end) - np.clip(0.0, start, end)
        effort += (defence - 1.0) * inside
    return effort


def resistance(
    effort: np.ndarray, belts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
) -> np.ndarray:
    """How many times slower the line moves at ``effort`` (1 in open ground).

    ``belts`` are given in effort, as ``(start, end, defence)``: a place's belt runs
    from the effort of its outer edge to the effort at which it falls.
    """
    slow = np.ones_like(effort)
    for start, end, defence in belts:
        slow += np.where((effort >= start) & (effort < end), defence - 1.0, 0.0)
    return slow


def in_belts(
    effort: np.ndarray, belts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
) -> np.ndarray:
    """Whether the line at ``effort`` is inside one of ``belts`` (where it moves slower)."""
    inside: np.ndarray | None = None
    for start, end, _ in belts:
        in_this = effort >= start
        in_this &= effort < end
        if inside is None:
            inside = in_this
        else:
            inside |= in_this
    return inside if inside is not None else np.zeros(effort.shape, dtype=bool)


def slowed_share(
    on_axis: np.ndarray, effort: np.ndarray, belts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
) -> tuple[np.ndarray | slice, np.ndarray]:
    """The net wins on an axis that built-up areas absorb: ``on_axis * (1 - 1 / slow)``,
    with ``slow`` the :func:`resistance` at ``effort``.

    Returns the rows it is worked out for and its values there: every row, or only the
    rows inside a belt when they are few (elsewhere ``slow`` is 1 and nothing is
    absorbed, so the rows outside need no work).
    """
    inside = in_belts(effort, belts)
    count = np.count_nonzero(inside)
    rows: np.ndarray | slice
    one_belt = len(belts) == 1
    if 4 * count < len(effort):
        rows = np.flatnonzero(inside)
        if one_belt:
            # resistance() on rows all inside the one belt: 1 + (defence - 1) in each
            slow = belts[0][2][rows] - 1.0
            slow += 1.0
        else:
            belts = [(start[rows], end[rows], defence[rows]) for start, end, defence in belts]
            slow = resistance(effort[rows], belts)
        on_axis = on_axis[rows]
    else:
        rows = slice(None)
        if one_belt:
            # resistance() with the one belt's mask at hand: 1 + (defence - 1) inside it
            slow = np.where(inside, belts[0][2] - 1.0, 0.0)
            slow += 1.0
        else:
            slow = resistance(effort, belts)
    np.divide(1.0, slow, out=slow)
    np.subtract(1.0, slow, out=slow)
    slow *= on_axis
    return rows, slow


def expected_drift(
    p_believed: np.ndarray, engagements: np.ndarray, share_per_win: np.ndarray
) -> np.ndarray:
    """The share of territory the holder is expected to win in a week (lose, if
    negative): the expected net wins per engagement are ``2p - 1`` under the belief ``p``."""
    drift = 2.0 * p_believed  # engagements * (2p - 1) * share_per_win, in place
    drift -= 1.0
    drift *= engagements
    drift *= share_per_win
    return drift


def expected_control(
    control: np.ndarray,
    p_believed: np.ndarray,
    engagements: np.ndarray,
    share_per_win: np.ndarray,
    weeks: np.ndarray,
    drift: np.ndarray | None = None,
) -> np.ndarray:
    """The holder's share a side expects after ``weeks`` more weeks of war.

    ``control + weeks * drift`` (:func:`expected_drift`, passed as ``drift`` by a caller
    that has it already), clipped to [0, 1].
    """
    if drift is None:
        drift = expected_drift(p_believed, engagements, share_per_win)
    expected = weeks * drift  # control + weeks * drift, in place
    expected += control
    return between(expected, 0.0, 1.0, out=expected)
