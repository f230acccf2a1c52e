"""Headline figures of an ensemble, with their uncertainty.

Pure functions from per-replication outcomes (:class:`~simulator.ensemble.EnsembleResult`)
to JSON-ready summaries: the probability of an agreement by the horizon and by each
week, quantiles of when and on what terms, how often agreements break down, costs.
Intervals for probabilities are Wilson score intervals; for paired differences
between two ensembles run with the same seeds, normal intervals on the paired
differences.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import milestones
from .ensemble import EnsembleResult

Z95 = 1.959963984540054
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


OUTCOME_ARRAYS = {
    "settlement": "settled",
    "ceasefire": "ceasefire",
    "partial_truce": "partial_truce",
    "capitulation": "capitulation",
}
"""Outcomes reported apart, and the ensemble array that holds each: an agreement is a
settlement or a general cease-fire; a partial truce and a capitulation are not."""


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (0, 1 when there are no trials)."""
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def proportion(flags: np.ndarray) -> dict[str, Any]:
    """A proportion with its 95% interval and the counts behind it."""
    successes, trials = int(np.count_nonzero(flags)), len(flags)
    low, high = wilson(successes, trials)
    value = successes / trials if trials else None
    return {
        "value": _round(value),
        "ci95": [_round(low), _round(high)],
        "count": successes,
        "of": trials,
    }


def quantiles(values: np.ndarray) -> dict[str, float] | None:
    """The 5th, 25th, 50th, 75th and 95th percentiles (None for no values)."""
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return None
    points = np.quantile(values, QUANTILES)
    return {f"q{int(q * 100)}": round(float(v), 6) for q, v in zip(QUANTILES, points, strict=True)}


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(float(value), digits)


def summarize(result: EnsembleResult) -> dict[str, Any]:
    """The headline figures of an ensemble."""
    a = result.arrays
    agreed = a["agreed"]
    settled = a.get("settled", agreed)
    weeks = a["agreement_week"]
    scenario = result.scenario
    by_week = np.bincount(weeks[agreed], minlength=result.weeks + 1)[: result.weeks + 1]
    cumulative = np.cumsum(by_week) / result.replications
    return {
        "scenario": scenario.name,
        "replications": result.replications,
        "seed": result.seed,
        "weeks": result.weeks,
        "p_agreement": proportion(agreed),
        "p_outcome": {
            kind: {**proportion(a[name]), "count": int(np.sum(a[name])), "of": len(a[name])}
            for kind, name in OUTCOME_ARRAYS.items()
            if name in a
        },
        "cumulative_agreement": [
            {"week": w, "date": scenario.date_of_week(w).isoformat(), "p": _round(cumulative[w])}
            for w in range(1, result.weeks + 1)
        ],
        "agreement_week_quantiles": quantiles(weeks[agreed].astype(float)),
        "terms_quantiles": {
            issue: quantiles(a[f"terms_{issue}"][settled]) for issue in result.issue_ids
        },
        "p_breakdown": proportion(a["broke_down"][settled]),
        "p_in_force_at_end": proportion(a["in_force_at_end"]),
        **_pause_figures(a),
        "control_at_end_quantiles": quantiles(a["control_at_end"]),
        "losses": {
            side: {
                "mean": _round(float(np.mean(a[f"losses_{side}"])), 3),
                **(quantiles(a[f"losses_{side}"]) or {}),
            }
            for side in result.sides
        },
        **milestone_summaries(result),
    }


def _pause_figures(a: dict[str, np.ndarray]) -> dict[str, Any]:
    """How often general cease-fires and truces broke down (among those agreed), and how
    often one is in force at the end (among all runs)."""
    figures = {}
    for kind in ("ceasefire", "partial_truce"):
        if kind in a:
            figures[f"p_{kind}_broke_down"] = proportion(a[f"{kind}_broke_down"][a[kind]])
            figures[f"p_{kind}_in_force_at_end"] = proportion(a[f"{kind}_in_force_at_end"])
    return figures


ACCEPTS_EVERY = 4
"""Weeks between the points of the ``p_accepts`` curves (the last week is always shown)."""


def milestone_summaries(result: EnsembleResult) -> dict[str, Any]:
    """Acceptance curves, when places fall, and mean daily losses over the first year.

    ``p_accepts``: for each belligerent, the share of replications in which it has
    accepted a text in talks by week 4, 8, ... and the last week (a cumulative curve).
    ``places``: for each place, the chance the front's holder holds it by the last week
    (held from the start counts), and quantiles of the week it fell, over the
    replications where it did. ``losses_per_day``: quantiles of each belligerent's
    mean losses a day (people) over the first 52 weeks, or the weeks run if fewer.
    """
    a, scenario = result.arrays, result.scenario
    points = [*range(ACCEPTS_EVERY, result.weeks, ACCEPTS_EVERY), result.weeks]
    p_accepts = {}
    for side in result.sides:
        weeks = a.get(milestones.first_accept_name(side))
        if weeks is None:
            continue
        accepted = np.sort(weeks[weeks >= 0])
        p_accepts[side] = [
            {
                "week": w,
                "date": scenario.date_of_week(w).isoformat(),
                "p": _round(np.searchsorted(accepted, w, side="right") / result.replications),
            }
            for w in points
        ]
    places = {}
    for place in scenario.front.places:
        weeks = a.get(milestones.fall_week_name(place))
        if weeks is None:
            continue
        fell = weeks >= 0
        places[place] = {
            "p_fallen": proportion(fell),
            "fall_week_quantiles": quantiles(weeks[fell].astype(float)),
        }
    days = 7 * min(result.weeks, milestones.FIRST_YEAR_WEEKS)
    losses_per_day = {}
    for side in result.sides:
        lost = a.get(milestones.first_year_losses_name(side))
        if lost is not None:
            losses_per_day[side] = quantiles(lost * LOSS_UNIT / days)
    return {"p_accepts": p_accepts, "places": places, "losses_per_day": losses_per_day}


LOSS_UNIT = 1000
"""People per unit of the model's losses (it counts losses in thousands)."""


MIN_AGREEMENTS = 30
"""Fewer agreements than this in a cell and its figures over agreed runs (the median
week, terms, breakdowns) rest on too few cases to read: the cell is flagged."""


def headline(result: EnsembleResult) -> dict[str, Any]:
    """The few numbers a sweep or sensitivity table shows per cell, with the counts
    behind them and 95% intervals (Wilson for shares; for medians the distribution-free
    interval of ``scipy.stats.quantile_test``), and ``too_few_agreements`` when the
    figures over agreed runs rest on fewer than :data:`MIN_AGREEMENTS` agreements."""
    a = result.arrays
    agreed = a["agreed"]
    settled = a.get("settled", agreed)
    terms = a["terms_territory"][settled] if "terms_territory" in a else np.array([])
    weeks = a["agreement_week"][agreed].astype(float)
    p_agreement = proportion(agreed)
    p_breakdown = proportion(a["broke_down"][settled])
    p_in_force = proportion(a["in_force_at_end"])
    return {
        "p_agreement": p_agreement["value"],
        "median_week": _round(float(np.median(weeks))) if len(weeks) else None,
        "median_territory": _round(float(np.median(terms))) if len(terms) else None,
        "p_breakdown": p_breakdown["value"],
        "p_in_force_at_end": p_in_force["value"],
        "replications": len(agreed),
        "agreements": p_agreement["count"],
        "settlements": p_breakdown["of"],
        "p_agreement_ci95": p_agreement["ci95"],
        "median_week_ci95": median_interval(weeks),
        "median_territory_ci95": median_interval(terms),
        "p_breakdown_ci95": p_breakdown["ci95"] if p_breakdown["of"] else [None, None],
        "p_in_force_at_end_ci95": p_in_force["ci95"],
        "too_few_agreements": p_agreement["count"] < MIN_AGREEMENTS,
    }


def median_interval(values: np.ndarray) -> list[float | None]:
    """A distribution-free 95% interval for the median (order statistics, as
    ``scipy.stats.quantile_test`` gives it); None where the values are too few to
    bound it."""
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return [None, None]
    from scipy import stats

    interval = stats.quantile_test(values, p=0.5).confidence_interval(0.95)
    return [_finite(interval.low), _finite(interval.high)]


def _finite(value: float) -> float | None:
    return _round(value) if np.isfinite(value) else None


def paired_difference(first: np.ndarray, second: np.ndarray) -> dict[str, Any]:
    """Mean of ``second - first`` over paired replications, with a 95% normal interval."""
    diff = second.astype(float) - first.astype(float)
    mean = float(np.mean(diff))
    se = float(np.std(diff, ddof=1) / math.sqrt(len(diff))) if len(diff) > 1 else float("nan")
    return {"difference": _round(mean), "ci95": [_round(mean - Z95 * se), _round(mean + Z95 * se)]}


def paired_bootstrap_difference(
    first: np.ndarray,
    second: np.ndarray,
    first_among: np.ndarray | None = None,
    second_among: np.ndarray | None = None,
    statistic=np.median,
    resamples: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Difference of a statistic between two scenarios run on the same replications,
    with a paired bootstrap 95% interval: each resample draws replication indices once
    and uses them in both scenarios, so identical scenarios differ by exactly zero.

    ``first_among`` / ``second_among`` restrict the statistic to some replications
    (agreed runs, say) after resampling. Seeded: the same data give the same interval.
    """
    n = len(first)
    first_among = np.ones(n, bool) if first_among is None else first_among
    second_among = np.ones(n, bool) if second_among is None else second_among
    if not first_among.any() or not second_among.any():
        return {"difference": None, "ci95": [None, None]}
    estimate = float(statistic(second[second_among]) - statistic(first[first_among]))
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(resamples):
        index = rng.integers(0, n, n)
        keep_first, keep_second = first_among[index], second_among[index]
        if keep_first.any() and keep_second.any():
            draws.append(
                statistic(second[index][keep_second]) - statistic(first[index][keep_first])
            )
    low, high = np.quantile(draws, [0.025, 0.975])
    return {"difference": _round(estimate), "ci95": [_round(low), _round(high)]}
