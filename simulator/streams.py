"""Counter-based random numbers: replication i's draws depend only on the seed and i.

Every random number the model uses is a function of four things: the run's key (from
its ``SeedSequence``), the replication's index in the ensemble, the week and the *site*
that draws (the battlefield, a breakdown, a scenario number's path). It is computed by
hashing them, with no generator state carried from one draw to the next, so

* a replication gets the same numbers whichever chunk or worker runs it, and however
  many replications run beside it (the first 1,000 replications of ``-n 2000`` are
  those of ``-n 1000``);
* a draw made only for some rows (the replications with a pause in force) changes
  nothing for the others.

The hash is SplitMix64's output function (Steele, Lea and Flood 2014), a bijection of
64-bit words that passes BigCrush on a counter; each replication's key is the hashed
index, and each draw hashes the key XOR the hashed (week, site) counter. Uniforms take
the top 53 bits and lie strictly inside (0, 1); other distributions are derived from
uniforms by their inverse distribution functions, so they are exact, not approximated.
"""

from __future__ import annotations

import zlib

import numpy as np

from .arrays import between

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_U_M1, _U_M2 = np.uint64(_M1), np.uint64(_M2)
_U30, _U27, _U31, _U11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 2.0**53
_HALF_STEP = 0.5 / 2.0**53

BINOMIAL_SEARCH_LIMIT = 1000
"""Counts up to this are inverted by a walk up the distribution function; larger ones
(whose probability of no success underflows) by scipy's binomial quantile function."""

# Sites of the model's weekly draws (scenario numbers use a hash of their path).
FIGHT = 1
"""The week's engagements (a binomial count of the holder's wins)."""
SETTLEMENT_BREAKDOWN = 2
CEASEFIRE_BREAKDOWN = 3
TRUCE_BREAKDOWN = 4


def mix(value: int) -> int:
    """SplitMix64's output function on one 64-bit integer."""
    z = value & _MASK
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def mix_array(z: np.ndarray) -> np.ndarray:
    """SplitMix64's output function on a uint64 array, in place (returned for chaining).
    numpy's unsigned arithmetic wraps modulo 2**64, as the hash needs."""
    shifted = np.right_shift(z, _U30)  # one scratch array for the three shifts
    z ^= shifted
    z *= _U_M1
    z ^= np.right_shift(z, _U27, out=shifted)
    z *= _U_M2
    z ^= np.right_shift(z, _U31, out=shifted)
    return z


def path_site(path: str) -> int:
    """The site of a scenario number, from its dotted path (stable across versions)."""
    return 1 << 40 | zlib.crc32(path.encode("utf-8"))


class Streams:
    """The random numbers of replications ``first .. first + count - 1`` under ``seed``.

    Args:
        seed: the run's ``SeedSequence``; its state, not its use, decides the key.
        first: the index of the first replication in the ensemble.
        count: how many replications.
    """

    def __init__(self, seed: np.random.SeedSequence, first: int, count: int):
        key = int(seed.generate_state(1, np.uint64)[0])
        index = np.arange(first, first + count, dtype=np.uint64)
        index *= np.uint64(_GOLDEN)
        index ^= np.uint64(key)
        self.keys = mix_array(mix_array(index))

    def uniform(self, site: int, week: int = 0, rows: np.ndarray | None = None) -> np.ndarray:
        """One uniform in (0, 1) per replication (or per ``rows``) for ``site`` in ``week``."""
        counter = mix((week << 48) ^ site)
        keys = self.keys if rows is None else self.keys[rows]
        z = mix_array(keys ^ np.uint64(counter))
        # (z >> 11) * 2**-53 + 2**-54, in place; the top 53 bits read as int64 (the same
        # value, converted to float exactly and faster than from uint64).
        z >>= _U11
        u = z.view(np.int64).astype(np.float64)
        u *= _TO_UNIT
        u += _HALF_STEP
        return u

    def binomial(self, site: int, week: int, count: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Binomial(count, p) draws, one per replication (see :func:`binomial_quantile`)."""
        return binomial_quantile(self.uniform(site, week), count, p)

    def binomial_counts(
        self, site: int, week: int, count: np.ndarray, p: np.ndarray, probability: bool = False
    ) -> np.ndarray:
        """:meth:`binomial` for a whole-number float ``count``, as floats (the same
        numbers, without the conversions to and from integers); see
        :func:`binomial_counts` for ``probability``."""
        return binomial_counts(self.uniform(site, week), count, p, probability)


def binomial_quantile(u: np.ndarray, count: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The Binomial(count, p) quantile of ``u``: the least k with P(X <= k) >= u.

    An inverse-CDF draw: it walks k up from 0, adding P(X = k) by the ratio
    P(k+1)/P(k) = (n - k)/(k + 1) * p/(1 - p), for the few engagements of a week; with
    p above 1/2 it counts the other side's wins, so the walk stays short and P(X = 0)
    cannot underflow. Once few replications are still walking, the walk goes on over
    those alone (each one's sums are the same either way). Counts above
    :data:`BINOMIAL_SEARCH_LIMIT` go to scipy.
    """
    return binomial_counts(u, np.asarray(count, dtype=float), p).astype(np.int64)


def binomial_counts(
    u: np.ndarray, n: np.ndarray, p: np.ndarray, probability: bool = False
) -> np.ndarray:
    """:func:`binomial_quantile` of float whole-number counts ``n``, as floats.

    ``probability``: ``p`` is known to lie in [0, 1] or be NaN, and is never -0.0, so
    that keeping it in [0, 1] would change nothing (and is skipped).
    """
    if not probability:
        p = between(p, 0.0, 1.0)
    flip = p > 0.5
    # q = p where p <= 1/2, else 1 - p: the smaller of the two (1 - p is exact above 1/2
    # and at least 1/2 below it), so that 1 - q is never 0.
    failure = np.subtract(1.0, p)
    q = np.minimum(p, failure)
    np.subtract(1.0, q, out=failure)  # now 1 - q
    odds = q / failure
    pmf = np.power(failure, n, out=failure)  # (1 - q) ** n
    cdf = pmf.copy()
    top = int(n.max(initial=0))
    any_big = top > BINOMIAL_SEARCH_LIMIT
    if any_big:
        big = n > BINOMIAL_SEARCH_LIMIT
        top = int(n[~big].max(initial=0))
    # The walk over all rows, then over the rows still walking (``rows``: their places
    # in ``wins``) once they are fewer than a quarter. A row's steps are the steps it
    # was still walking: over all rows they are counted in bytes (the walk goes on
    # over the rows left at the latest at step 255), then in ``steps``.
    counted = np.zeros(n.shape, dtype=np.uint8)
    steps: np.ndarray = counted
    rows: np.ndarray | None = None
    values: tuple[np.ndarray, ...] = (u, n, odds, pmf, cdf)
    more: np.ndarray = np.empty(n.shape, dtype=bool)
    ratio: np.ndarray = np.empty_like(n)
    for k in range(top):
        u_k, n_k, odds_k, pmf_k, cdf_k = values
        np.greater(u_k, cdf_k, out=more)
        left = np.count_nonzero(more)
        if not left:
            break
        if rows is None and (4 * left < len(n) or k == 255):
            rows = np.flatnonzero(more)
            values = tuple(array[rows] for array in values)
            u_k, n_k, odds_k, pmf_k, cdf_k = values
            steps = np.zeros(len(rows))
            more = np.ones(len(rows), dtype=bool)
            ratio = np.empty(len(rows))
        if rows is None:
            np.add(counted, more.view(np.uint8), out=counted)
        else:
            steps += more
        # P(k+1) = P(k) * (n - k) / (k + 1) * p / (1 - p)
        if k:
            np.subtract(n_k, k, out=ratio)
            ratio *= odds_k
            ratio *= 1.0 / (k + 1)
        else:  # n - 0 is n, and x * 1.0 is x
            np.multiply(n_k, odds_k, out=ratio)
        pmf_k *= ratio
        cdf_k += pmf_k
    wins = counted.astype(np.float64)
    if rows is not None:
        wins[rows] += steps
    np.minimum(wins, n, out=wins)  # rounding can leave the sum a hair under 1
    if any_big:
        from scipy.stats import binom

        wins[big] = binom.ppf(u[big], n[big], q[big])
    return np.where(flip, n - wins, wins)  # the other side's wins, where the walk counted them
