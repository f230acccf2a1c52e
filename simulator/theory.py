"""Closed-form and small numerical results from bargaining and war-termination theory.

Every function here is pure (no state, no printing, no randomness) and reproduces a
textbook result that the simulator's richer models must agree with in their special
cases. The numbers they are tested against are listed in section 3 of the project's
research brief (``RESEARCH.md``).

Conventions used throughout:

* A divisible good of size 1 is split; ``x`` is side 1's (or side A's) share and
  ``1 - x`` goes to side 2 (side B).
* A utility function ``u(share)`` maps a side's own share in ``[0, 1]`` to a number.
  The axiomatic solutions assume it is continuous and non-decreasing.
* Arguments outside their domain raise :class:`ValueError` with a message that names
  the argument, e.g. ``"delta1 must be in (0, 1), got 1.2"``.

Contents:

* Axiomatic bargaining: :func:`nash_split` (Nash 1950), :func:`ks_split`
  (Kalai and Smorodinsky 1975).
* Strategic bargaining: :func:`rubinstein_split` (Rubinstein 1982; Binmore, Shaked
  and Sutton 1989), :func:`breakdown_split` (Binmore, Rubinstein and Wolinsky 1986).
* Bargaining model of war: :func:`bargaining_range`, :func:`nash_split_with_war`
  (Fearon 1995), :func:`gamblers_ruin` (Slantchev 2003).
* Group decisions: :func:`weighted_median` (Black 1948) and
  :func:`expected_utility_forecast` (Bueno de Mesquita 1994, as formalised by
  Scholz, Calbert and Smith 2011).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq, minimize_scalar

Utility = Callable[[float], float]

# Tolerances of the numerical solvers (well inside the 1e-6 the tests demand).
_ROOT_XTOL = 1e-15
_OPT_XATOL = 1e-12
_GRID_POINTS = 401


# ---------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------


def _check_in(name: str, value: float, low: float, high: float, *, open_: bool = False) -> float:
    """Return ``value`` as a float if it lies in [low, high] (or (low, high) if ``open_``).

    Written as ``not (inside)`` so that NaN is rejected too.
    """
    value = float(value)
    inside = low < value < high if open_ else low <= value <= high
    if not inside:
        interval = f"({low:g}, {high:g})" if open_ else f"[{low:g}, {high:g}]"
        raise ValueError(f"{name} must be in {interval}, got {value:g}")
    return value


def _check_non_negative(name: str, value: float) -> float:
    """Return ``value`` as a float if it is finite and >= 0."""
    value = float(value)
    if not (math.isfinite(value) and value >= 0.0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value:g}")
    return value


def _check_pair(name: str, pair: Sequence[float]) -> tuple[float, float]:
    """Return a pair of finite floats (e.g. a disagreement point)."""
    if len(pair) != 2:
        raise ValueError(f"{name} must have exactly 2 entries, got {len(pair)}")
    first, second = float(pair[0]), float(pair[1])
    if not (math.isfinite(first) and math.isfinite(second)):
        raise ValueError(f"{name} must be finite, got {pair!r}")
    return first, second


def _check_shares(name: str, pair: Sequence[float]) -> tuple[float, float]:
    """Return a pair of payoffs in [0, 1] whose sum is at most 1 (outside options)."""
    first, second = _check_pair(name, pair)
    _check_in(f"{name}[0]", first, 0.0, 1.0)
    _check_in(f"{name}[1]", second, 0.0, 1.0)
    if first + second > 1.0:
        raise ValueError(f"{name} must sum to at most 1, got {first:g} + {second:g}")
    return first, second


# ---------------------------------------------------------------------------
# Axiomatic bargaining (Nash 1950; Kalai and Smorodinsky 1975)
# ---------------------------------------------------------------------------


def _smallest_acceptable_share(u: Utility, d: float) -> float:
    """Smallest share ``y`` in [0, 1] with ``u(y) >= d``, given ``u(1) >= d``."""
    if u(0.0) >= d:
        return 0.0
    return float(brentq(lambda y: u(y) - d, 0.0, 1.0, xtol=_ROOT_XTOL))


def _feasible_interval(u1: Utility, u2: Utility, d1: float, d2: float) -> tuple[float, float]:
    """Splits ``x`` in [0, 1] with ``u1(x) >= d1`` and ``u2(1 - x) >= d2``.

    With non-decreasing utilities the set is an interval ``[lo, hi]``: ``lo`` is the
    smallest share side 1 will accept and ``hi`` the largest share side 2 will concede.
    Both ends are found by root-finding (Brent's method).

    Raises:
        ValueError: if the interval is empty.
    """
    if u1(1.0) < d1 or u2(1.0) < d2:
        raise ValueError("d is not achievable: no split gives both sides at least d")
    lo = _smallest_acceptable_share(u1, d1)
    hi = 1.0 - _smallest_acceptable_share(u2, d2)
    if lo > hi + 1e-12:
        raise ValueError("d is not achievable: no split gives both sides at least d")
    return lo, max(lo, hi)


def nash_split(u1: Utility, u2: Utility, d: Sequence[float] = (0.0, 0.0)) -> float:
    """Nash bargaining solution of a split of one unit.

    Computes the share ``x`` of side 1 that maximises the Nash product
    ``(u1(x) - d1) * (u2(1 - x) - d2)`` over splits where both factors are >= 0.
    Nash's axioms (Pareto optimality, symmetry, scale invariance, independence of
    irrelevant alternatives) single out this point; it is also where Zeuthen's
    concession process and Rubinstein bargaining with vanishing delays converge,
    which is why a mediator in the simulator proposes it.

    Method: the feasible interval is found by root-finding, the logarithm of the
    Nash product is scanned on a grid to locate the best bracket (robust to
    non-concave utilities), and bounded Brent optimisation refines it to about 1e-9.

    Reference: Nash, J. (1950), "The Bargaining Problem", Econometrica 18(2).

    Args:
        u1: Side 1's utility of its own share; continuous and non-decreasing.
        u2: Side 2's utility of its own share; continuous and non-decreasing.
        d: Disagreement utilities ``(d1, d2)``.

    Returns:
        Side 1's share ``x`` in [0, 1]. If the feasible set is a single split, that
        split; if no split gives both sides a strict gain, the smallest feasible ``x``.

    Raises:
        ValueError: if ``d`` is malformed or no split gives both sides at least ``d``.
    """
    d1, d2 = _check_pair("d", d)
    lo, hi = _feasible_interval(u1, u2, d1, d2)
    if hi - lo <= 1e-12:
        return lo

    def log_product(x: float) -> float:
        gain1, gain2 = u1(x) - d1, u2(1.0 - x) - d2
        if gain1 <= 0.0 or gain2 <= 0.0:
            return -math.inf
        return math.log(gain1) + math.log(gain2)

    grid = np.linspace(lo, hi, _GRID_POINTS)
    values = np.array([log_product(float(x)) for x in grid])
    best = int(np.argmax(values))
    if not np.isfinite(values[best]):
        return lo
    left, right = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
    result = minimize_scalar(
        lambda x: -log_product(x),
        bounds=(left, right),
        method="bounded",
        options={"xatol": _OPT_XATOL},
    )
    x_best = float(result.x) if -result.fun >= values[best] else float(grid[best])
    return min(max(x_best, lo), hi)


def ks_split(u1: Utility, u2: Utility, d: Sequence[float] = (0.0, 0.0)) -> float:
    """Kalai-Smorodinsky bargaining solution of a split of one unit.

    The ideal point gives each side its best utility among the splits that leave the
    other at least its disagreement utility. The solution is the Pareto-efficient
    split on the line from ``d`` to the ideal point: both sides get the same fraction
    of their largest possible gain,
    ``(u1(x) - d1) / (I1 - d1) = (u2(1 - x) - d2) / (I2 - d2)``.
    It replaces Nash's independence axiom by monotonicity, so a side whose prospects
    improve never loses, which suits talks where the battlefield moves the frontier.

    Reference: Kalai, E. and Smorodinsky, M. (1975), "Other Solutions to Nash's
    Bargaining Problem", Econometrica 43(3).

    Args:
        u1: Side 1's utility of its own share; continuous and non-decreasing.
        u2: Side 2's utility of its own share; continuous and non-decreasing.
        d: Disagreement utilities ``(d1, d2)``.

    Returns:
        Side 1's share ``x`` in [0, 1]. If a side cannot gain at all over ``d`` the
        line is degenerate and the split best for the other side is returned.

    Raises:
        ValueError: if ``d`` is malformed or no split gives both sides at least ``d``.
    """
    d1, d2 = _check_pair("d", d)
    lo, hi = _feasible_interval(u1, u2, d1, d2)
    if hi - lo <= 1e-12:
        return lo
    ideal1, ideal2 = u1(hi), u2(1.0 - lo)  # monotone utilities: best at the far ends
    if ideal1 <= d1:
        return lo
    if ideal2 <= d2:
        return hi

    def gap(x: float) -> float:
        return (u1(x) - d1) / (ideal1 - d1) - (u2(1.0 - x) - d2) / (ideal2 - d2)

    # gap(lo) <= 0 <= gap(hi) because each normalised gain runs between 0 and 1.
    if gap(lo) >= 0.0:
        return lo
    if gap(hi) <= 0.0:
        return hi
    return float(brentq(gap, lo, hi, xtol=_ROOT_XTOL))


# ---------------------------------------------------------------------------
# Strategic bargaining (Rubinstein 1982; BSS 1989; BRW 1986)
# ---------------------------------------------------------------------------


def rubinstein_split(delta1: float, delta2: float, outside: Sequence[float] = (0.0, 0.0)) -> float:
    """First proposer's share in alternating-offers bargaining with outside options.

    Without outside options the unique subgame-perfect equilibrium gives the first
    proposer ``(1 - delta2) / (1 - delta1 * delta2)`` (Rubinstein 1982). With outside
    options ``w1, w2`` that a responder may take after rejecting an offer, the
    proposer's equilibrium shares ``M1`` (side 1 proposing) and ``M2`` (side 2
    proposing) solve

        M1 = 1 - max(w2, delta2 * M2),    M2 = 1 - max(w1, delta1 * M1),

    so an outside option matters only when it beats the discounted value of waiting
    (the outside option principle). The map is a contraction with modulus
    ``delta1 * delta2 < 1``, so the fixed point is unique; it is found exactly by
    trying the four cases of which ``max`` is attained by the option and keeping the
    one that is self-consistent.

    References: Rubinstein, A. (1982), "Perfect Equilibrium in a Bargaining Model",
    Econometrica 50(1); Binmore, K., Shaked, A. and Sutton, J. (1989), "An Outside
    Option Experiment", Quarterly Journal of Economics 104(4).

    Args:
        delta1: Side 1's discount factor per round, in (0, 1).
        delta2: Side 2's discount factor per round, in (0, 1).
        outside: Outside options ``(w1, w2)``, each in [0, 1], summing to at most 1.

    Returns:
        ``M1``, the share side 1 gets when it makes the first offer.

    Raises:
        ValueError: if an argument is outside its domain.
    """
    d1 = _check_in("delta1", delta1, 0.0, 1.0, open_=True)
    d2 = _check_in("delta2", delta2, 0.0, 1.0, open_=True)
    w1, w2 = _check_shares("outside", outside)

    inner1 = (1.0 - d2) / (1.0 - d1 * d2)
    candidates = [
        (inner1, 1.0 - d1 * inner1),  # neither option binds
        (1.0 - w2, 1.0 - d1 * (1.0 - w2)),  # only w2 binds
        (1.0 - d2 * (1.0 - w1), 1.0 - w1),  # only w1 binds
        (1.0 - w2, 1.0 - w1),  # both bind
    ]
    for m1, m2 in candidates:
        if (
            abs(m1 - (1.0 - max(w2, d2 * m2))) <= 1e-12
            and abs(m2 - (1.0 - max(w1, d1 * m1))) <= 1e-12
        ):
            return m1
    raise AssertionError("unreachable: the contraction always has a fixed point")


def breakdown_split(q: float, b: Sequence[float] = (0.0, 0.0)) -> float:
    """First proposer's share in alternating offers with a risk of breakdown.

    No discounting; after each rejection talks break down with probability ``q`` and
    the sides get ``b1, b2``. Stationary equilibrium: the responder is indifferent
    between the offer and rejecting, ``1 - x1 = q*b2 + (1 - q)*y2`` and
    ``1 - y2 = q*b1 + (1 - q)*x1`` (``y2`` being side 2's share when it proposes),
    which gives

        x1 = (1 - b2 + (1 - q) * b1) / (2 - q).

    As ``q -> 0`` this tends to the Nash split with disagreement point ``b``; at
    ``q = 1`` it is the ultimatum outcome ``1 - b2``. This is the mechanism by which
    the fear of escalation, not impatience, drives concessions.

    Reference: Binmore, K., Rubinstein, A. and Wolinsky, A. (1986), "The Nash
    Bargaining Solution in Economic Modelling", RAND Journal of Economics 17(2).

    Args:
        q: Probability of breakdown after a rejection, in [0, 1].
        b: Breakdown payoffs ``(b1, b2)``, each in [0, 1], summing to at most 1.

    Returns:
        Side 1's share when it proposes first.

    Raises:
        ValueError: if an argument is outside its domain.
    """
    q = _check_in("q", q, 0.0, 1.0)
    b1, b2 = _check_shares("b", b)
    return (1.0 - b2 + (1.0 - q) * b1) / (2.0 - q)


# ---------------------------------------------------------------------------
# Bargaining model of war (Fearon 1995; Slantchev 2003)
# ---------------------------------------------------------------------------


def _check_war(p: float, cost_a: float, cost_b: float) -> tuple[float, float, float]:
    return (
        _check_in("p", p, 0.0, 1.0),
        _check_non_negative("cost_a", cost_a),
        _check_non_negative("cost_b", cost_b),
    )


def bargaining_range(p: float, cost_a: float, cost_b: float) -> tuple[float, float] | None:
    """Fearon's bargaining range: the splits both sides prefer to war.

    War gives A the whole good with probability ``p`` and costs the sides ``c_A`` and
    ``c_B`` (in shares of the good), so A's expected war value is ``p - c_A`` and B's
    is ``1 - p - c_B``. Any share ``x`` for A with ``p - c_A <= x <= p + c_B`` beats
    war for both. Because war is costly the range is never empty: this is the
    puzzle that makes private information, commitment problems and indivisibility
    necessary to explain war.

    Reference: Fearon, J. D. (1995), "Rationalist Explanations for War",
    International Organization 49(3).

    Args:
        p: Probability that A wins the war, in [0, 1].
        cost_a: A's cost of war, >= 0.
        cost_b: B's cost of war, >= 0.

    Returns:
        ``(low, high)`` bounds on A's share, clipped to [0, 1], or ``None`` if the
        clipped range were empty (which the argument checks make impossible; the
        ``None`` case is kept so callers handle ranges from other sources alike).

    Raises:
        ValueError: if an argument is outside its domain.
    """
    p, cost_a, cost_b = _check_war(p, cost_a, cost_b)
    low, high = max(0.0, p - cost_a), min(1.0, p + cost_b)
    return (low, high) if low <= high else None


def _linear_nash(d1: float, d2: float) -> float:
    """Nash split of one unit between risk-neutral sides, clipped to [0, 1].

    Maximising ``(x - d1)(1 - x - d2)`` gives ``x = d1 + (1 - d1 - d2) / 2``: each
    side gets its disagreement value plus half the surplus. The log-product is
    concave, so restricting ``x`` to [0, 1] just clips the unconstrained optimum.
    """
    return min(1.0, max(0.0, d1 + (1.0 - d1 - d2) / 2.0))


def nash_split_with_war(p: float, cost_a: float, cost_b: float) -> float:
    """Nash split between risk-neutral sides when war is the disagreement point.

    With ``d_A = p - c_A`` and ``d_B = 1 - p - c_B`` the linear Nash split is
    ``p + (c_B - c_A) / 2``: the war outcome ``p`` shifted toward the side for which
    war is cheaper. It always lies in :func:`bargaining_range` and equals
    :func:`nash_split` with ``u(x) = x`` and ``d = (d_A, d_B)``.

    References: Nash, J. (1950); Fearon, J. D. (1995).

    Args:
        p: Probability that A wins the war, in [0, 1].
        cost_a: A's cost of war, >= 0.
        cost_b: B's cost of war, >= 0.

    Returns:
        A's share, clipped to [0, 1].

    Raises:
        ValueError: if an argument is outside its domain.
    """
    p, cost_a, cost_b = _check_war(p, cost_a, cost_b)
    return _linear_nash(p - cost_a, 1.0 - p - cost_b)


def gamblers_ruin(q: float, k: int, n: int) -> float:
    """Probability that a front at ``k`` reaches ``n`` before 0.

    War as a sequence of battles: each battle moves the front one step toward ``n``
    with probability ``q`` and toward 0 otherwise. With ``r = (1 - q) / q``,

        P = (1 - r**k) / (1 - r**n),   and P = k / n when q = 1/2.

    Computed as ``expm1(k log r) / expm1(n log r)`` (rescaled when ``r > 1``) so that
    it neither overflows for long fronts nor loses digits near ``q = 1/2``.

    References: Slantchev, B. (2003), "The Principle of Convergence in Wartime
    Negotiations", American Political Science Review 97(4); the gambler's-ruin
    formula itself goes back to Huygens and de Moivre.

    Args:
        q: Probability that a battle moves the front toward ``n``, in [0, 1].
        k: Starting position, an integer in 0..n.
        n: Winning position, an integer >= 1.

    Returns:
        The probability of reaching ``n`` before 0.

    Raises:
        ValueError: if an argument is outside its domain.
    """
    q = _check_in("q", q, 0.0, 1.0)
    try:
        n, k = operator.index(n), operator.index(k)
    except TypeError as exc:
        raise ValueError(f"k and n must be integers, got k={k!r}, n={n!r}") from exc
    if n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n}")
    if not 0 <= k <= n:
        raise ValueError(f"k must be in 0..n = 0..{n}, got {k}")
    if k in (0, n):
        return float(k == n)
    if q == 0.0:
        return 0.0
    if q == 1.0:
        return 1.0
    if q == 0.5:
        return k / n
    log_r = math.log1p(-q) - math.log(q)
    if log_r < 0.0:
        return math.expm1(k * log_r) / math.expm1(n * log_r)
    # Divide numerator and denominator by r**n to avoid overflow.
    return math.exp((k - n) * log_r) * math.expm1(-k * log_r) / math.expm1(-n * log_r)


# ---------------------------------------------------------------------------
# Group decisions (Black 1948; Bueno de Mesquita 1994; Scholz et al. 2011)
# ---------------------------------------------------------------------------


def _as_vector(name: str, values: ArrayLike) -> np.ndarray:
    """Return ``values`` as a non-empty, finite 1-D float array."""
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {array.tolist()}")
    return array


def _check_same_length(**arrays: np.ndarray) -> None:
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{name}={length}" for name, length in lengths.items())
        raise ValueError(f"lengths must match, got {detail}")


def weighted_median(positions: ArrayLike, weights: ArrayLike) -> float:
    """Median voter position on one dimension with weighted votes.

    In a pairwise vote between positions ``j`` and ``k``, voter ``i`` casts
    ``w_i * (|x_i - x_k| - |x_i - x_j|)`` for ``j``; ``j`` beats ``k`` when the sum is
    positive, i.e. when ``sum_i w_i |x_i - j| < sum_i w_i |x_i - k|``. The positions
    that beat or tie every other are the minimisers of the weighted distance, the
    weighted medians (Black's median voter theorem).

    Ties: when the weight splits exactly in half, every point between two adjacent
    positions ties; this function returns the *lower* weighted median, the smallest
    position whose cumulative weight (positions sorted ascending) reaches half the
    total. It is always the position of an actor with positive weight.

    References: Black, D. (1948), "On the Rationale of Group Decision-making",
    Journal of Political Economy 56(1); Bueno de Mesquita, B. (1994), "Political
    Forecasting: An Expected Utility Method", in European Community
    Decision Making, Yale University Press.

    Args:
        positions: Positions on the issue.
        weights: Vote weights (in the expected-utility model, capability times
            salience), each >= 0, not all zero.

    Returns:
        The lower weighted median.

    Raises:
        ValueError: on empty, non-finite or mismatched inputs, negative weights, or
            weights that are all zero.
    """
    x = _as_vector("positions", positions)
    w = _as_vector("weights", weights)
    _check_same_length(positions=x, weights=w)
    if np.any(w < 0.0):
        raise ValueError(f"weights must be >= 0, got {w.tolist()}")
    total = w.sum()
    if total <= 0.0:
        raise ValueError("weights must not all be zero")
    order = np.argsort(x, kind="stable")
    cumulative = np.cumsum(w[order])
    index = int(np.searchsorted(cumulative, total / 2.0, side="left"))
    return float(x[order][index])


@dataclass(frozen=True)
class ForecastResult:
    """Trajectory of an expected-utility forecast.

    Attributes:
        positions: ``(rounds + 1, n)`` positions per round in the input scale; row 0
            is the input.
        weighted_mean: ``(rounds + 1,)`` capability-and-salience weighted mean per round.
        median_voter: ``(rounds + 1,)`` lower weighted median per round.
        risk_exponents: ``(rounds, n)`` risk exponent ``r_i`` used in each round,
            in [0.5, 2].
    """

    positions: np.ndarray
    weighted_mean: np.ndarray
    median_voter: np.ndarray
    risk_exponents: np.ndarray


def _win_probabilities(distance: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``P[j, k]``: probability that actor ``j``'s position prevails over ``k``'s.

    Every actor ``i`` votes ``weight_i * (|x_i - x_k| - |x_i - x_j|)`` for ``j`` over
    ``k``; ``P`` is the sum of the positive votes over the sum of absolute votes.
    Where nobody's vote is non-zero (e.g. ``j == k``) ``P`` is 1/2.
    ``distance[i, j]`` is ``|x_i - x_j|``.
    """
    # votes[i, j, k] = weight_i * (distance[i, k] - distance[i, j])
    votes = weight[:, None, None] * (distance[:, None, :] - distance[:, :, None])
    positive = np.clip(votes, 0.0, None).sum(axis=0)
    total = np.abs(votes).sum(axis=0)
    safe_total = np.where(total > 0.0, total, 1.0)
    return np.where(total > 0.0, positive / safe_total, 0.5)


def _challenge_value(
    distance: np.ndarray, target_salience: np.ndarray, p_win: np.ndarray, r: np.ndarray
) -> np.ndarray:
    """Expected gain of a challenge over the status quo, element-wise.

    The target resists with probability equal to its salience; a resisted challenge
    succeeds with probability ``p_win``; an unresisted one succeeds for sure.
    Utilities of success, failure and the status quo are
    ``2 - 4 (1/2 - d/2)**r``, ``2 - 4 (1/2 + d/2)**r`` and ``2 - 4 (1/2)**r`` for a
    rescaled distance ``d`` and risk exponent ``r``.
    """
    u_success = 2.0 - 4.0 * (0.5 - 0.5 * distance) ** r
    u_failure = 2.0 - 4.0 * (0.5 + 0.5 * distance) ** r
    u_status_quo = 2.0 - 4.0 * 0.5**r
    resisted = p_win * u_success + (1.0 - p_win) * u_failure
    return target_salience * resisted + (1.0 - target_salience) * u_success - u_status_quo


def _risk_exponents(eu: np.ndarray) -> np.ndarray:
    """Risk exponents from each actor's exposure to challenges.

    ``exposure_i = sum_{j != i} eu[j, i]`` is how much the others expect to gain by
    challenging ``i``. It is scaled to ``R_i`` in [-1, 1] across actors,
    ``R_i = (2 exposure_i - max - min) / (max - min)``, and mapped to
    ``r_i = (1 - R_i/3) / (1 + R_i/3)`` in [0.5, 2]: the most exposed actor gets
    0.5 and the safest 2. All ``r_i = 1`` when every exposure is equal.
    """
    exposure = eu.sum(axis=0) - np.diag(eu)
    spread = exposure.max() - exposure.min()
    if spread <= 1e-12 * max(1.0, float(np.abs(exposure).max())):
        return np.ones_like(exposure)
    big_r = (2.0 * exposure - exposure.max() - exposure.min()) / spread
    return (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)


def _play_round(
    x: np.ndarray, span: float, salience: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One round of challenges.

    Args:
        x: Current positions in the input scale.
        span: Range of the input positions, used to rescale distances to [0, 1].
        salience: Saliences rescaled to [0, 1].
        weight: Vote weights ``c * s``.

    Returns:
        The new positions (input scale) and the risk exponents used this round.
    """
    n = len(x)
    distance = np.abs(x[:, None] - x[None, :]) / span  # rescaled to [0, 1]
    p_win = _win_probabilities(distance, weight)
    off_diagonal = ~np.eye(n, dtype=bool)

    # Step 1: risk exponents from the exposure computed with risk-neutral actors.
    neutral = _challenge_value(distance, salience[None, :], p_win, np.ones((n, 1)))
    r = _risk_exponents(np.where(off_diagonal, neutral, 0.0))

    # Step 2: every actor i judges every pair (i, j) with its own r_i.
    # counter[i, j]: i's gain from challenging j; threat[i, j]: j's gain from
    # challenging i, both as i perceives them.
    r_col = r[:, None]
    counter = _challenge_value(distance, salience[None, :], p_win, r_col)
    threat = _challenge_value(distance, salience[:, None], p_win.T, r_col)

    new_x = x.copy()
    for i in range(n):
        proposals = []
        for j in range(n):
            a, b = threat[i, j], counter[i, j]
            if i == j or distance[i, j] == 0.0 or a <= 0.0:
                continue  # j gains nothing by challenging i: no proposal
            if b > 0.0:
                if a > b:  # both would fight and i expects to lose: confrontation
                    target = x[j]
                else:  # i expects to win: j is the one who moves
                    continue
            elif a > -b:  # i loses less than j gains: compromise part of the way
                target = x[i] + (x[j] - x[i]) * (-b / a)
            else:  # i would lose more by resisting: capitulation
                target = x[j]
            proposals.append((abs(target - x[i]), -a, -weight[j], target))
        if proposals:
            # Accept the proposal that moves i least; among equally near ones that of
            # the challenger with most to gain, then the weightiest, then the lowest.
            new_x[i] = min(proposals)[-1]
    return new_x, r


def expected_utility_forecast(
    capabilities: ArrayLike,
    saliences: ArrayLike,
    positions: ArrayLike,
    rounds: int = 10,
    salience_scale: float = 100.0,
) -> ForecastResult:
    """Forecast a group decision with Bueno de Mesquita's expected-utility model.

    Each actor ``i`` has capability ``c_i``, salience ``s_i`` and a position ``x_i`` on
    one issue. Positions are rescaled to [0, 1] by the range of the input positions.
    Each round:

    1. Pairwise votes ``c_i s_i (|x_i - x_k| - |x_i - x_j|)`` give the probability
       ``P[j, k]`` that ``j`` prevails over ``k`` (positive votes for ``j`` over all
       absolute votes).
    2. The expected gain of ``i`` challenging ``j`` is
       ``s_j (P U_s + (1 - P) U_f) + (1 - s_j) U_s - U_sq`` with
       ``U_s, U_f = 2 - 4 (0.5 -/+ 0.5 |x_i - x_j|)**r_i`` and
       ``U_sq = 2 - 4 (0.5)**r_i``: the target resists with probability ``s_j``.
    3. Risk exponents ``r_i`` in [0.5, 2] come from each actor's exposure to
       challenges (the others' summed expected gains from challenging it, all
       computed with ``r = 1``), scaled between the least and most exposed actor.
    4. With these ``r_i`` every actor ``i`` looks at every other ``j``: with ``a`` =
       ``j``'s gain from challenging ``i`` and ``b`` = ``i``'s gain from challenging
       ``j`` (both as ``i`` perceives them, i.e. with ``r_i``), if ``a > 0``:
       *confrontation* when ``b > 0`` and ``a > b`` (``i`` expects to lose and moves
       to ``x_j``); *compromise* when ``b <= 0`` and ``a > |b|`` (``i`` moves the
       fraction ``|b| / a`` of the way to ``x_j``); *capitulation* when ``b <= 0`` and
       ``a <= |b|`` (``i`` moves to ``x_j``).
    5. Each actor accepts, among the proposals it received, the one that moves it
       least (ties: the most eager, then the weightiest challenger); all actors
       move at once.

    The model is deterministic: given the inputs the same trajectory results.

    Departures from Scholz, Calbert and Smith (2011) and choices where the paper is
    ambiguous. The paper's full text was not at hand: the equations follow its
    summary in RESEARCH.md, checked against two open Python replications
    (github.com/dmasad/BDM_DecisionModel_Replication and
    github.com/jmckib/bdm-scholz-expected-utility-model, which disagree in places).
    Only the starting mean (7.39) and median (7) are checked against published
    numbers; the later rounds are not.

    * Salience is divided by ``salience_scale`` (100 for the usual 0-100 data) since
      it is used as the probability that a target resists.
    * Positions are rescaled once by the input range and that scale is kept for all
      rounds (rescaling each round would inflate distances as actors converge). If
      all positions are equal nothing moves and every ``r_i`` is 1.
    * The status-quo weight ``Q`` is fixed at 1, as in the replications' runs of the
      EC case, so the terms for the status quo getting better or worse (``U_b``,
      ``U_w``, weighted by ``T``) vanish and are omitted.
    * Votes use linear distances (no risk exponent; one replication raises them to
      ``r_i``). The probability sums the votes of all actors, the two contenders
      included (one replication leaves the challenger out; the other, following
      the authors' code, divides by the votes over all pairs, which makes every
      probability tiny). Where all votes are zero the probability is 1/2.
    * Exposure is the sum of the others' expected gains from challenging ``i``,
      computed with every ``r = 1``; if every actor is equally exposed all
      ``r_i = 1``.
    * Perceptions: actor ``i`` evaluates both sides of a pair with its own ``r_i``
      (the target's view decides), as one replication reports of the authors' code;
      ``j`` need not agree, so both may see themselves losing a confrontation.
    * The rule "accept the proposal requiring the least change" is applied across
      all proposal types (the authors' code is reported to rank compromises by a
      different key; one replication instead takes the most eager challenger
      first). Equally near proposals occur (in the EC data an actor at 7 is
      challenged from 4 and from 10): the one whose challenger gains most, as the
      target perceives it, wins; then the challenger with the larger ``c * s`` (this
      matters for a target with zero salience, whose challengers' gains depend on
      distance only); only then the lower position. So the outcome depends neither
      on the order of the actors nor, barring exact triple ties, on the direction of
      the scale.
    * Compromise ("the weaker moves toward the other in proportion to the ratio of
      expected utilities") is read as the fraction ``|b| / a`` above, the rule of
      both replications; ``b = 0`` is a compromise with no movement.
    * No convergence stopping rule: exactly ``rounds`` rounds are run.

    References: Bueno de Mesquita, B. (1994), "Political Forecasting: An Expected
    Utility Method"; Scholz, J. B., Calbert, G. J. and Smith, G. A. (2011),
    "Unravelling Bueno de Mesquita's Group Decision Model", Journal of Theoretical
    Politics 23(4).

    Args:
        capabilities: Capability ``c_i`` of each actor, >= 0.
        saliences: Salience ``s_i`` of each actor, in [0, ``salience_scale``].
        positions: Position ``x_i`` of each actor, any finite scale.
        rounds: Number of rounds to run, an integer >= 0.
        salience_scale: The salience that means "resists for sure"; > 0.

    Returns:
        A :class:`ForecastResult` with positions, weighted mean ``sum(c s x) /
        sum(c s)`` and median voter per round, in the input scale.

    Raises:
        ValueError: on empty or mismatched inputs, values outside their domain, or
            ``c * s`` zero for every actor (the weighted mean would be undefined).
    """
    c = _as_vector("capabilities", capabilities)
    s_raw = _as_vector("saliences", saliences)
    x = _as_vector("positions", positions)
    _check_same_length(capabilities=c, saliences=s_raw, positions=x)
    if not (math.isfinite(salience_scale) and salience_scale > 0.0):
        raise ValueError(f"salience_scale must be a finite number > 0, got {salience_scale:g}")
    try:
        rounds = operator.index(rounds)
    except TypeError as exc:
        raise ValueError(f"rounds must be an integer >= 0, got {rounds!r}") from exc
    if rounds < 0:
        raise ValueError(f"rounds must be an integer >= 0, got {rounds}")
    if np.any(c < 0.0):
        raise ValueError(f"capabilities must be >= 0, got {c.tolist()}")
    if np.any((s_raw < 0.0) | (s_raw > salience_scale)):
        raise ValueError(f"saliences must be in [0, {salience_scale:g}], got {s_raw.tolist()}")
    weight = c * s_raw / salience_scale
    if weight.sum() <= 0.0:
        raise ValueError("capabilities * saliences must not be zero for every actor")

    salience = s_raw / salience_scale
    span = float(x.max() - x.min())
    trajectory = np.empty((rounds + 1, len(x)))
    risk = np.ones((rounds, len(x)))
    trajectory[0] = x
    for t in range(rounds):
        if span > 0.0:
            trajectory[t + 1], risk[t] = _play_round(trajectory[t], span, salience, weight)
        else:
            trajectory[t + 1] = x

    mean = trajectory @ weight / weight.sum()
    median = np.array([weighted_median(row, weight) for row in trajectory])
    return ForecastResult(
        positions=trajectory, weighted_mean=mean, median_voter=median, risk_exponents=risk
    )
