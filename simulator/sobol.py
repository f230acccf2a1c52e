"""Sobol' sensitivity indices of the headline outcomes: which uncertain inputs, alone
and with others, make the outcome vary (Sobol 2001; Saltelli 2002; Saltelli et al. 2010).

The design and the estimators are SALib's. SALib's quasi-random Saltelli sample
lives in the unit hypercube; each column is mapped through its input's quantile
function, so every input keeps the distribution the scenario gives it. Each row of
the design is one replication of the model, run with that row's inputs held
(``CeasefireModel(fixed=...)`` with one value per replication), in chunks seeded as
an ensemble's are.

Every replication also has its own random fighting and breakdowns, so an outcome is
``Y = g(X) + noise``. The first-order (Saltelli 2010) and second-order (Saltelli
2002) estimators are not biased by noise that is independent between rows; the
total-order estimator (Jansen's) is, by the noise's share of the variance, for
every input alike. The design therefore carries one more column that the model
never reads: its total-order index estimates that noise share, which is reported,
and subtracted from every input's total-order index (with an interval from the same
bootstrap resamples). All indices are shares of the outcome's whole variance, noise
included: they describe what each input does to the outcome's expectation over the
dynamics, and the first-order indices add up to less than one minus the noise share.

The red lines' joint effect is the second-order index of the pair of red-line
inputs: the design adds the two ``BA`` matrices of Saltelli (2002) for just that
pair (``N (D + 5)`` runs in all, rather than ``N (2D + 4)`` for every pair), and
SALib's second-order estimator is applied to the pair alone.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .ensemble import (
    Progress,
    Runs,
    Task,
    _run_in_processes,
    _run_on_dask,
    chunk_counts,
    max_replications,
    worker_count,
)
from .ensemble import run_chunk as _run_chunk
from .errors import InputError
from .scenario.checks import TERRITORY
from .scenario.quantities import Beta, Normal, Quantity, Triangular, Uniform
from .scenario.sampling import uncertain_paths
from .scenario.schema import Scenario
from .summaries import MIN_AGREEMENTS

DEFAULT_SAMPLES = 4096
"""Base sample size N: for the baseline (41 inputs, 188,416 runs of 104 weeks) about
10 s of one core (18-23 s measured on a busy, shared 2-core machine)."""
MIN_SAMPLES = 8
RESAMPLES = 100
"""Bootstrap resamples behind each 95% interval (SALib's default)."""
CONF_LEVEL = 0.95
NOISE = "(dynamics noise)"
"""Name of the design column the model never reads: its total order is the noise share."""

OUTCOMES: dict[str, tuple[str, str]] = {
    "p_agreement": ("agreed", "P(agreement by the horizon)"),
    "p_in_force_at_end": ("in_force_at_end", "P(a settlement in force at the end)"),
    "control_at_end": ("control_at_end", "holder's share of the territory at the end"),
}
"""Headline outcome -> (per-replication array, label). Each is defined in every
replication (agreement week and terms are not, so they are left out)."""


# ---------------------------------------------------------------------------- inputs


def quantile_values(quantity: Quantity, q: np.ndarray) -> np.ndarray:
    """The quantiles ``q`` (an array in [0, 1]) of a scenario number's distribution.

    The vector form of :func:`simulator.studies.distribution_quantile`, for mapping a
    whole column of the unit hypercube at once.
    """
    from scipy import stats

    q = np.asarray(q, dtype=float)
    value = quantity.value
    if isinstance(value, float | int):
        return np.full(q.shape, float(value))
    if isinstance(value, Uniform):
        return value.low + q * (value.high - value.low)
    if isinstance(value, Triangular):
        if value.high == value.low:
            return np.full(q.shape, float(value.low))
        c = (value.mode - value.low) / (value.high - value.low)
        return stats.triang.ppf(q, c, loc=value.low, scale=value.high - value.low)
    if isinstance(value, Normal):
        if value.sd == 0:
            return np.full(q.shape, float(value.mean))
        return np.clip(stats.norm.ppf(q, value.mean, value.sd), *value.support())
    if isinstance(value, Beta):
        return value.low + (value.high - value.low) * stats.beta.ppf(q, value.alpha, value.beta)
    raise TypeError(f"no quantile for {type(value).__name__}")


def red_line_pair(scenario: Scenario, paths: Mapping[str, Quantity]) -> tuple[str, str] | None:
    """The two belligerents' red lines on territory (where each lies, not what crossing
    it costs), if both are uncertain inputs."""
    found = [
        f"actors.{actor}.positions.{TERRITORY}.red_line"
        for actor in (scenario.front.holder, scenario.defender)
    ]
    return (found[0], found[1]) if all(path in paths for path in found) else None


@dataclass(frozen=True)
class Design:
    """A Saltelli design over the inputs, laid out one block of rows per base sample.

    Each block is ``A, AB_1 .. AB_D, AB_noise, [BA_p, BA_q,] B``: the rows SALib's
    first- and total-order estimators need for the ``D`` inputs and the noise
    column, and the two rows its second-order estimator needs for the pair.
    """

    names: tuple[str, ...]
    pair: tuple[str, str] | None
    samples: int
    inputs: dict[str, np.ndarray]
    """Input values by name, one per design row (the noise column is not an input)."""

    @property
    def columns(self) -> int:
        """SALib variables: the inputs and the noise column."""
        return len(self.names) + 1

    @property
    def block(self) -> int:
        """Rows per base sample."""
        return self.columns + 2 + (2 if self.pair else 0)

    @property
    def rows(self) -> int:
        return self.samples * self.block


def _problem(names: list[str]) -> dict[str, Any]:
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def check_samples(samples: int) -> None:
    """Raise ValueError unless ``samples`` is a power of 2 of at least MIN_SAMPLES."""
    if samples < MIN_SAMPLES or samples & (samples - 1):
        raise InputError(
            f"{samples}: the Sobol' base sample must be a power of 2, at least "
            f"{MIN_SAMPLES} (e.g. 256, 1024, {DEFAULT_SAMPLES})",
            "samples",
        )


def design(
    quantities: Mapping[str, Quantity],
    samples: int,
    seed: int,
    pair: tuple[str, str] | None = None,
) -> Design:
    """A scrambled Sobol' (Saltelli) design of ``samples`` base rows over ``quantities``.

    ``pair`` names two inputs whose second-order index is wanted. The same seed gives
    the same design.
    """
    from SALib.sample import sobol as sobol_sample

    check_samples(samples)
    names = list(quantities)
    if not names:
        raise InputError("the scenario has no uncertain numbers: nothing to analyse")
    if pair is not None and not set(pair) <= set(names):
        raise InputError(f"the pair {pair} is not among the inputs")
    k = len(names) + 1
    # SALib builds all its N (2k + 2) rows before any run: refuse at once what this
    # machine could not hold, as an ensemble does.
    rows = samples * (2 * k + 2)
    if rows > max_replications():
        raise InputError(
            f"a Sobol' design of {samples:,} base samples over {k - 1} inputs needs "
            f"{rows:,} runs, more than this machine can hold (at most {max_replications():,})"
        )
    unit = sobol_sample.sample(
        _problem([*names, NOISE]), samples, calc_second_order=pair is not None, seed=seed
    )
    if pair is not None:
        # SALib's blocks are A, AB_1..AB_k, BA_1..BA_k, B: keep the BA rows of the pair.
        keep = [*range(k + 1), *(k + 1 + names.index(p) for p in pair), 2 * k + 1]
        unit = unit.reshape(samples, 2 * k + 2, k)[:, keep, :].reshape(-1, k)
    inputs = {name: quantile_values(quantities[name], unit[:, j]) for j, name in enumerate(names)}
    return Design(tuple(names), pair, samples, inputs)


# -------------------------------------------------------------------------- analysis


def _interval(value: float, half: float) -> dict[str, Any]:
    return {"value": round(value, 6), "ci95": [round(value - half, 6), round(value + half, 6)]}


def analyze(design: Design, outputs: np.ndarray, seed: int) -> dict[str, Any]:
    """Sobol' indices of one outcome, ``outputs`` having one value per design row.

    Returns the noise share, each input's first-order (S1) and total-order (ST, the
    noise share taken off) indices with 95% intervals, ranked by ST, and the pair's
    second-order index (S2, with its interval) and closed index (the two S1 and S2
    added: what the pair explains together, without an interval). An outcome that
    does not vary among the base runs ``A`` and ``B`` has no indices (``constant`` is
    true and ``note`` says why).
    """
    from SALib.analyze import sobol as sobol_analyze
    from scipy.stats import norm

    y = np.asarray(outputs, dtype=float)
    if y.shape != (design.rows,):
        raise ValueError(f"{len(y)} outputs for a design of {design.rows} rows")
    blocks = y.reshape(design.samples, design.block)
    if np.ptp(blocks[:, [0, -1]]) == 0:  # the estimators' variance comes from A and B
        return {
            "mean": round(float(np.mean(y)), 6),
            "variance": round(float(np.var(y)), 6),
            "constant": True,
            "note": "the same in every run"
            if np.ptp(y) == 0
            else f"no variation in the {2 * design.samples:,} base runs; give a larger -n",
            "noise": None,
            "first_order_sum": None,
            "indices": [],
            "pair": None,
        }
    k = design.columns
    names = [*design.names, NOISE]
    options = {
        "num_resamples": RESAMPLES,
        "conf_level": CONF_LEVEL,
        "keep_resamples": True,
        "seed": seed + 1,  # SALib draws its resamples unseeded for a seed of 0
    }
    first = blocks[:, [*range(k + 1), design.block - 1]].reshape(-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib warns about constant resamples
        s = sobol_analyze.analyze(_problem(names), first, calc_second_order=False, **options)
    z = float(norm.ppf(0.5 + CONF_LEVEL / 2))
    noise = float(s["ST"][k - 1])
    resampled_noise = s["ST_conf_all"][:, k - 1]
    indices: list[dict[str, Any]] = []
    for j, name in enumerate(design.names):
        own = s["ST_conf_all"][:, j] - resampled_noise
        indices.append(
            {
                "path": name,
                "S1": _interval(float(s["S1"][j]), float(s["S1_conf"][j])),
                "ST": _interval(float(s["ST"][j]) - noise, z * float(np.std(own, ddof=1))),
            }
        )
    indices.sort(key=lambda row: (-row["ST"]["value"], row["path"]))
    result: dict[str, Any] = {
        "mean": round(float(np.mean(y)), 6),
        "variance": round(float(np.var(y)), 6),
        "constant": False,
        "note": None,
        "noise": _interval(noise, float(s["ST_conf"][k - 1])),
        # The first-order estimates share the runs A and B, so their errors move
        # together; the sum's interval comes from the same resamples.
        "first_order_sum": _interval(
            float(np.sum(s["S1"][: k - 1])),
            z * float(np.std(s["S1_conf_all"][:, : k - 1].sum(axis=1), ddof=1)),
        ),
        "indices": indices,
        "pair": None,
    }
    if design.pair is not None:
        p, q = (design.names.index(name) for name in design.pair)
        b = design.block
        pair_rows = blocks[:, [0, 1 + p, 1 + q, b - 3, b - 2, b - 1]].reshape(-1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s2 = sobol_analyze.analyze(
                _problem(list(design.pair)), pair_rows, calc_second_order=True, **options
            )
        result["pair"] = {
            "paths": list(design.pair),
            "S2": _interval(float(s2["S2"][0, 1]), float(s2["S2_conf"][0, 1])),
            "closed": round(float(s2["S1"].sum() + s2["S2"][0, 1]), 6),
        }
    return result


# ---------------------------------------------------------------------------- running


def run_rows(
    scenario: Scenario,
    inputs: Mapping[str, np.ndarray],
    runs: Runs,
    progress: Progress | None = None,
) -> dict[str, np.ndarray]:
    """Run one replication per row of ``inputs`` (each input held at its row's value).

    Rows are cut into chunks as an ensemble's replications are, and row i draws the
    random numbers of an ensemble's replication i (:mod:`simulator.streams`), so the
    outcomes are the same for any chunks, ``runs.workers`` or ``runs.scheduler``.
    ``runs.replications`` is not used: the rows say how many runs there are.
    """
    seed = scenario.seed if runs.seed is None else int(runs.seed)
    weeks = scenario.horizon if runs.weeks is None else int(runs.weeks)
    rows = len(next(iter(inputs.values())))
    tasks, start = [], 0
    for index, count in enumerate(chunk_counts(rows)):
        # Task.fixed carries (path, value) pairs; here each value is the chunk's
        # slice of a column, which CeasefireModel takes as one value per replication.
        held = tuple((path, values[start : start + count]) for path, values in inputs.items())
        tasks.append(Task(scenario, index, count, seed, weeks, held, start))  # type: ignore[arg-type]
        start += count
    results: dict[int, dict[str, np.ndarray]] = {}

    def finished(index: int, arrays: dict[str, np.ndarray]) -> None:
        results[index] = arrays
        if progress is not None:
            progress(len(results), len(tasks))

    if progress is not None:
        progress(0, len(tasks))
    if runs.scheduler is not None:
        _run_on_dask(tasks, runs.scheduler, finished)
    elif worker_count(runs.workers, len(tasks)) > 1:
        _run_in_processes(tasks, worker_count(runs.workers, len(tasks)), finished)
    else:
        for task in tasks:
            finished(task.index, _run_chunk(task))
    return {
        name: np.concatenate([results[c][name] for c in range(len(tasks))]) for name in results[0]
    }


def sobol_sensitivity(
    scenario: Scenario,
    runs: Runs,
    samples: int = DEFAULT_SAMPLES,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """First-, total- and (for the red lines) second-order Sobol' indices of the
    headline outcomes over the scenario's uncertain numbers.

    ``samples`` is the base sample size N (a power of 2); the model runs
    ``N (D + 3)`` times for ``D`` uncertain numbers, ``N (D + 5)`` when both red lines
    are uncertain. The same seed gives the same indices, whatever the workers.
    """
    seed = scenario.seed if runs.seed is None else int(runs.seed)
    quantities = uncertain_paths(scenario)
    pair = red_line_pair(scenario, quantities)
    plan = design(quantities, samples, seed, pair)
    arrays = run_rows(scenario, plan.inputs, runs, progress)
    outcomes = {
        key: {"label": label, **analyze(plan, arrays[array].astype(float), seed)}
        for key, (array, label) in OUTCOMES.items()
    }
    agreements = int(np.count_nonzero(arrays["agreed"]))
    return {
        "scenario": scenario.name,
        "method": "sobol",
        "samples": samples,
        "evaluations": plan.rows,
        "agreements": agreements,
        "too_few_agreements": agreements < MIN_AGREEMENTS,
        "seed": seed,
        "weeks": scenario.horizon if runs.weeks is None else int(runs.weeks),
        "inputs": {path: quantities[path].describe() for path in plan.names},
        "red_line_pair": list(pair) if pair else None,
        "confidence": CONF_LEVEL,
        "resamples": RESAMPLES,
        "outcomes": outcomes,
    }
