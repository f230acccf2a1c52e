"""Counter-based random numbers: per-replication streams and the distributions drawn."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simulator.scenario.quantities import Quantity
from simulator.scenario.sampling import quantiles
from simulator.streams import Streams, binomial_quantile, path_site

N = 200_000


def test_a_replication_draws_the_same_numbers_whatever_runs_beside_it():
    seed = np.random.SeedSequence(7)
    whole = Streams(seed, 0, 1000)
    part = Streams(seed, 600, 50)
    assert np.array_equal(whole.uniform(3, 9)[600:650], part.uniform(3, 9))
    rows = np.array([2, 17, 40])
    assert np.array_equal(Streams(seed, 600, 50).uniform(3, 9, rows), part.uniform(3, 9)[rows])


def test_uniforms_are_uniform_and_independent_across_sites_weeks_and_replications():
    streams = Streams(np.random.SeedSequence(11), 0, N)
    a, b, c = streams.uniform(1, 5), streams.uniform(2, 5), streams.uniform(1, 6)
    assert a.min() > 0.0 and a.max() < 1.0
    assert stats.kstest(a, "uniform").pvalue > 1e-3
    # Correlations of independent uniforms are about N(0, 1/N): allow 5 sd.
    for x, y in ((a, b), (a, c), (a[1:], a[:-1])):
        assert abs(np.corrcoef(x, y)[0, 1]) < 5 / np.sqrt(N)


def test_seeds_give_different_streams():
    first = Streams(np.random.SeedSequence(1), 0, 100).uniform(1, 1)
    second = Streams(np.random.SeedSequence(2), 0, 100).uniform(1, 1)
    assert not np.array_equal(first, second)


@pytest.mark.parametrize(("n", "p"), [(8, 0.3), (9, 0.5), (7, 0.85), (40, 0.6), (1, 0.99)])
def test_binomial_draws_follow_the_binomial_distribution(n, p):
    u = Streams(np.random.SeedSequence(3), 0, N).uniform(1, 1)
    wins = binomial_quantile(u, np.full(N, n), np.full(N, p))
    observed = np.bincount(wins, minlength=n + 1)
    expected = stats.binom.pmf(np.arange(n + 1), n, p) * N
    keep = expected > 5  # chi-square needs cells that are not too small
    rest = observed[~keep].sum(), expected[~keep].sum()
    chi2 = ((observed[keep] - expected[keep]) ** 2 / expected[keep]).sum()
    if rest[1] > 0:
        chi2 += (rest[0] - rest[1]) ** 2 / rest[1]
    dof = keep.sum() - (0 if rest[1] > 0 else 1)
    assert stats.chi2.sf(chi2, max(dof, 1)) > 1e-4


def test_binomial_edges_and_large_counts():
    u = np.array([1e-9, 0.5, 1 - 1e-12, 0.5, 0.5, 0.5])
    count = np.array([10, 10, 10, 0, 5000, 5000])
    p = np.array([0.0, 1.0, 0.5, 0.5, 0.5, 0.999])
    wins = binomial_quantile(u, count, p)
    assert wins[:4].tolist() == [0, 10, 10, 0]
    assert wins[4] == stats.binom.ppf(0.5, 5000, 0.5)
    assert wins[5] == 5000 - stats.binom.ppf(0.5, 5000, 0.001)


def _walk_every_row(u: np.ndarray, count: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The inverse-CDF walk over every row to the end, the plain way: the reference the
    draws must equal exactly, however many rows the walk leaves behind as it goes."""
    n = count.astype(float)
    q = np.where(p > 0.5, 1.0 - p, p)
    pmf = (1.0 - q) ** n
    cdf = pmf.copy()
    wins = np.zeros_like(n)
    for k in range(int(n.max())):
        wins += u > cdf
        pmf *= (n - k) * (q / (1.0 - q)) * (1.0 / (k + 1))
        cdf += pmf
    wins = np.minimum(wins, n)
    return np.where(p > 0.5, n - wins, wins).astype(np.int64)


@pytest.mark.parametrize("rows", [1, 7, 1000, 20_000])
def test_binomial_draws_equal_the_plain_walk_whatever_the_rows_still_walking(rows):
    rng = np.random.default_rng(rows)
    u = Streams(np.random.SeedSequence(5), 0, rows).uniform(1, 1)
    count = rng.integers(0, 12, rows)
    p = rng.choice([0.0, 0.5, 1.0, 0.45, 0.8], rows) if rows < 20 else rng.uniform(0, 1, rows)
    assert np.array_equal(binomial_quantile(u, count, p), _walk_every_row(u, count, p))


def test_long_walks_over_every_row_equal_the_plain_walk():
    # Three rows never fall under a quarter left: the walk switches to the rows still
    # walking at step 255, where its per-row count in bytes would run out.
    u = np.array([0.5, 0.9, 0.2])
    count = np.array([600, 900, 400])
    p = np.array([0.5, 0.45, 0.6])
    assert np.array_equal(binomial_quantile(u, count, p), _walk_every_row(u, count, p))


@pytest.mark.parametrize(
    ("value", "frozen"),
    [
        ({"dist": "uniform", "low": 2.0, "high": 5.0}, stats.uniform(2.0, 3.0)),
        ({"dist": "triangular", "low": 0.0, "mode": 0.2, "high": 1.0}, stats.triang(0.2)),
        ({"dist": "normal", "mean": 1.0, "sd": 2.0}, stats.norm(1.0, 2.0)),
        ({"dist": "beta", "alpha": 2.0, "beta": 5.0}, stats.beta(2.0, 5.0)),
    ],
)
def test_scenario_numbers_are_drawn_by_their_quantile_functions(value, frozen):
    q = np.linspace(0.001, 0.999, 37)
    quantity = Quantity(value=value, assumption="a test distribution")
    assert quantiles(quantity, q) == pytest.approx(frozen.ppf(q), rel=1e-9, abs=1e-12)
    draws = quantiles(
        quantity, Streams(np.random.SeedSequence(5), 0, 20_000).uniform(path_site("x"))
    )
    assert stats.kstest(draws, frozen.cdf).pvalue > 1e-3
