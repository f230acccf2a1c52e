"""Studies built from ensembles: parameter sweeps, sensitivity analysis, comparisons.

Every ensemble in a study uses the same seed, so replication ``i`` draws the same
numbers for every value the cells share (common random numbers): differences
between cells come from what was varied, not from noise.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .ensemble import ChunkStore, Progress, Runs, _run_in_processes, worker_count
from .errors import InputError, ScenarioError
from .scenario import load_scenario
from .scenario.loader import ALLOW_OUTSIDE
from .scenario.sampling import uncertain_paths
from .scenario.schema import Scenario
from .summaries import (
    OUTCOME_ARRAYS,
    headline,
    paired_bootstrap_difference,
    paired_difference,
    proportion,
)

LOW_QUANTILE, HIGH_QUANTILE = 0.1, 0.9
MAX_STEPS = 100
"""Points per swept value: a 100 x 100 grid is already 10,000 ensembles."""
"""Sensitivity holds each uncertain value at these quantiles of its distribution."""


NOT_SWEPT = {
    "seed": "cannot be varied: every cell of a sweep runs with the same seed (common "
    "random numbers); give --seed to choose it",
    "format": "cannot be varied: it is the scenario file's format version, not a model value",
}
"""Scenario fields that are numbers but not model values, and why a sweep refuses them."""


@dataclass(frozen=True)
class Vary:
    """One swept parameter: ``path=low:high:steps``."""

    path: str
    low: float
    high: float
    steps: int

    @classmethod
    def parse(cls, text: str) -> Vary:
        """Read ``dotted.path=LOW:HIGH:STEPS``; InputError says what is wrong."""
        path, sep, spec = text.partition("=")
        parts = spec.split(":")
        if not sep or not path.strip() or len(parts) != 3:
            raise InputError(
                f"{text}: expected PATH=LOW:HIGH:STEPS, e.g. actors.ukraine.resolve=0.5:0.9:5",
                "vary",
            )
        try:
            low, high, steps = float(parts[0]), float(parts[1]), int(parts[2])
        except ValueError:
            raise InputError(
                f"{text}: LOW and HIGH must be numbers, STEPS a whole number", "vary"
            ) from None
        if not 1 <= steps <= MAX_STEPS:
            raise InputError(f"{text}: STEPS must be from 1 to {MAX_STEPS}", "vary")
        if not (np.isfinite(low) and np.isfinite(high)):
            raise InputError(f"{text}: LOW and HIGH must be finite numbers", "vary")
        if "\x1b" in path or not path.isprintable():
            raise InputError(f"{text!r}: the path holds control characters", "vary")
        return cls(path.strip(), low, high, steps)

    @property
    def values(self) -> list[float]:
        return [round(float(v), 10) for v in np.linspace(self.low, self.high, self.steps)]

    @staticmethod
    def written(value: float) -> str:
        """A value as --set writes it: whole numbers without a decimal point, so that
        integer fields such as the horizon can be swept."""
        return str(int(value)) if float(value).is_integer() else repr(float(value))


class ProgressSpan:
    """Reports the chunks of several ensembles as one count."""

    def __init__(self, total: int, progress: Progress | None):
        self.total, self.offset, self.progress = total, 0, progress

    def part(self, chunks: int) -> Progress | None:
        progress = self.progress
        if progress is None:
            return None
        offset = self.offset
        self.offset += chunks
        return lambda done, _total: progress(offset + done, self.total)


def sweep(
    scenario: str | Path | None,
    overrides: Sequence[str],
    varies: Sequence[Vary],
    runs: Runs,
    store_dir: Path | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """A grid over one or two parameters, an ensemble per grid point.

    Returns the scenario's name, the settings, the swept parameters and one cell per
    grid point with its ``values`` (path -> value) and headline figures.

    Each cell's scenario is built when its turn comes, so a large grid starts at once;
    the grid's corners are built first, so that a value out of range is reported
    before any work is done (ranges are intervals, so the corners cover the grid).
    With ``store_dir``, each cell keeps its chunks in ``cell-NNN`` under the key of
    its own scenario (varied values included), so no cell ever uses another's.
    """
    corners = grid_corners(scenario, overrides, varies)
    grid: list[tuple[float, ...]] = [(v,) for v in varies[0].values]
    if len(varies) == 2:
        grid = [(a, b) for a in varies[0].values for b in varies[1].values]

    def build(point: Sequence[float]) -> Scenario:
        return load_cell(scenario, [*overrides, *_settings(varies, point)], runs.weeks)

    first = corners[grid[0]]
    span = ProgressSpan(len(grid) * runs.chunks, progress)
    if progress is not None:
        progress(0, span.total)
    figures: dict[int, dict[str, Any]] = {}
    workers = worker_count(runs.workers, len(grid))
    if (
        runs.scheduler is None
        and workers > 1
        and (runs.chunks < workers or len(grid) >= 4 * workers)
    ):
        # Many cells, or cells too small to share out: each worker runs whole cells.
        outside = ALLOW_OUTSIDE.get()
        jobs = [
            _Cell(index, scenario, tuple(overrides), tuple(varies), point, runs, store_dir, outside)
            for index, point in enumerate(grid)
        ]

        def finished(index: int, answer: dict[str, Any]) -> None:
            figures[index] = answer
            if progress is not None:
                progress(len(figures) * runs.chunks, span.total)

        _run_in_processes(jobs, workers, finished, work=_run_cell)
    else:
        for index, point in enumerate(grid):
            loaded = corners.get(point)  # a corner is built already, unless too short
            if loaded is None or (runs.weeks or 0) > loaded.horizon:
                loaded = build(point)
            store = ChunkStore(store_dir / f"cell-{index:03d}") if store_dir else None
            result = runs.run(loaded, store=store, progress=span.part(runs.chunks))
            figures[index] = headline(result)
    cells = [
        {"values": {v.path: x for v, x in zip(varies, point, strict=True)}, **figures[index]}
        for index, point in enumerate(grid)
    ]
    return {
        "scenario": first.name,
        "replications": runs.replications,
        "seed": first.seed if runs.seed is None else runs.seed,
        "varies": [vars(v) for v in varies],
        "cells": cells,
    }


@dataclass(frozen=True)
class _Cell:
    """One cell of a sweep, run whole by one worker."""

    index: int
    scenario: str | Path | None
    overrides: tuple[str, ...]
    varies: tuple[Vary, ...]
    point: tuple[float, ...]
    runs: Runs
    store_dir: Path | None
    allow_outside: bool


def load_cell(
    scenario: str | Path | None,
    settings: Sequence[str],
    weeks: int | None,
    allow_outside: bool | None = None,
) -> Scenario:
    """A cell's scenario, its horizon extended to ``weeks`` if that is longer, as one
    run's is (``mc --weeks``): each cell is then the ensemble ``mc`` gives at its values,
    whether the horizon comes from the file, a ``--set`` or the sweep itself."""
    loaded = load_scenario(scenario, settings, allow_outside=allow_outside)
    if weeks is None or weeks <= loaded.horizon:
        return loaded
    others = [text for text in settings if text.partition("=")[0].strip() != "horizon"]
    return load_scenario(scenario, [*others, f"horizon={weeks}"], allow_outside=allow_outside)


def _run_cell(cell: _Cell) -> dict[str, Any]:
    """A cell's headline figures: its scenario loaded (the parsed file is reused in the
    worker) and its ensemble run in the worker's own process."""
    settings = [*cell.overrides, *_settings(cell.varies, cell.point)]
    loaded = load_cell(cell.scenario, settings, cell.runs.weeks, cell.allow_outside)
    store = ChunkStore(cell.store_dir / f"cell-{cell.index:03d}") if cell.store_dir else None
    here = Runs(cell.runs.replications, cell.runs.seed, cell.runs.weeks, 1, None)
    return headline(here.run(loaded, store=store))


def grid_corners(
    scenario: str | Path | None, overrides: Sequence[str], varies: Sequence[Vary]
) -> dict[tuple[float, ...], Scenario]:
    """The scenarios at the corners of a sweep's grid, by point.

    Building them checks the sweep before any work: the ranges a scenario's values
    must lie in are intervals, so a grid whose corners load loads everywhere.

    Raises:
        InputError: not one or two values, or the same value twice.
        ScenarioError: a corner's scenario is not valid.
    """
    if not 1 <= len(varies) <= 2:
        raise InputError("a sweep varies one or two parameters")
    if len({v.path for v in varies}) < len(varies):
        raise InputError(f"{varies[0].path} is given twice: vary two different values", "vary")
    for v in varies:
        if v.path in NOT_SWEPT:
            raise InputError(f"{v.path}: {NOT_SWEPT[v.path]}", "vary")
        held = [text for text in overrides if text.partition("=")[0].strip() == v.path]
        if held:
            raise InputError(
                f"{v.path} is both varied and set ({held[0]}): vary it or set it, not both",
                "vary",
            )
    ends = [(v.values[0], v.values[-1]) for v in varies]
    corners = {}
    for point in itertools.product(*ends):
        settings = _settings(varies, point)
        try:
            corners[point] = load_scenario(scenario, [*overrides, *settings])
        except ScenarioError as exc:  # a varied value is named as the sweep's, not a --set
            varied = {f"--set {text}" for text in settings}
            exc.problems = [
                replace(p, file="--vary " + p.file.removeprefix("--set "))
                if p.file in varied
                else p
                for p in exc.problems
            ]
            raise
    return corners


def _settings(varies: Sequence[Vary], point: Sequence[float]) -> list[str]:
    return [f"{v.path}={Vary.written(x)}" for v, x in zip(varies, point, strict=True)]


def distribution_quantile(quantity: Any, q: float) -> float:
    """The q-quantile of a scenario number's distribution (the number itself if fixed)."""
    from scipy import stats

    from .scenario.quantities import Beta, Normal, Triangular, Uniform

    value = quantity.value
    if isinstance(value, float | int):
        return float(value)
    if isinstance(value, Uniform):
        return value.low + q * (value.high - value.low)
    if isinstance(value, Triangular):
        c = 0.0 if value.high == value.low else (value.mode - value.low) / (value.high - value.low)
        return float(stats.triang.ppf(q, c, loc=value.low, scale=value.high - value.low))
    if isinstance(value, Normal):
        return float(np.clip(stats.norm.ppf(q, value.mean, value.sd), *value.support()))
    if isinstance(value, Beta):
        return float(
            value.low + (value.high - value.low) * stats.beta.ppf(q, value.alpha, value.beta)
        )
    raise TypeError(f"no quantile for {type(value).__name__}")


def sensitivity(scenario: Scenario, runs: Runs, progress: Progress | None = None) -> dict[str, Any]:
    """How much the headline outcomes move across each uncertain value's range.

    Each uncertain value in turn is held at the 10th and then the 90th percentile of
    its distribution while everything else is sampled as usual; the swing is the
    difference between the two. Values are ranked by the swing in the probability of
    an agreement, then in the median agreed territory.
    """
    paths = uncertain_paths(scenario)
    span = ProgressSpan((1 + 2 * len(paths)) * runs.chunks, progress)

    def run(fixed: dict[str, float] | None = None) -> dict[str, Any]:
        return headline(runs.run(scenario, fixed=fixed, progress=span.part(runs.chunks)))

    base = run()
    rows = []
    for path, quantity in paths.items():
        low_value = distribution_quantile(quantity, LOW_QUANTILE)
        high_value = distribution_quantile(quantity, HIGH_QUANTILE)
        low, high = run({path: low_value}), run({path: high_value})
        rows.append(
            {
                "path": path,
                "low_value": round(low_value, 6),
                "high_value": round(high_value, 6),
                "low": low,
                "high": high,
                "swing_p_agreement": round(abs(high["p_agreement"] - low["p_agreement"]), 6),
                "swing_median_territory": _swing(low["median_territory"], high["median_territory"]),
                "provenance": quantity.describe(),
            }
        )
    rows.sort(
        key=lambda r: (-r["swing_p_agreement"], -(r["swing_median_territory"] or 0), r["path"])
    )
    return {
        "scenario": scenario.name,
        "replications": runs.replications,
        "seed": scenario.seed if runs.seed is None else runs.seed,
        "base": base,
        "quantiles": [LOW_QUANTILE, HIGH_QUANTILE],
        "values": rows,
    }


def _swing(low: float | None, high: float | None) -> float | None:
    return None if low is None or high is None else round(abs(high - low), 6)


def compare(
    first: Scenario, second: Scenario, runs: Runs, progress: Progress | None = None
) -> dict[str, Any]:
    """Two scenarios side by side: each headline figure and the difference (second − first).

    Both run with the same seed, so probabilities are compared replication by
    replication (paired differences), and medians and conditional figures by a paired
    bootstrap (the same resampled replications in both), so a scenario compared with
    itself differs by exactly zero.
    """
    seed = first.seed if runs.seed is None else runs.seed
    same_seed = Runs(runs.replications, seed, runs.weeks, runs.workers, runs.scheduler)
    span = ProgressSpan(2 * runs.chunks, progress)
    results = [same_seed.run(s, progress=span.part(runs.chunks)) for s in (first, second)]
    a, b = (r.arrays for r in results)
    rows = {}
    shares = {"agreement": "agreed", **OUTCOME_ARRAYS, "in_force_at_end": "in_force_at_end"}
    for name, array in shares.items():
        rows[f"p_{name}"] = {
            "first": proportion(a[array]),
            "second": proportion(b[array]),
            **paired_difference(a[array], b[array]),
        }
    rows["p_breakdown"] = {
        "first": proportion(a["broke_down"][a["settled"]]),
        "second": proportion(b["broke_down"][b["settled"]]),
        **paired_bootstrap_difference(
            a["broke_down"].astype(float),
            b["broke_down"].astype(float),
            a["settled"],
            b["settled"],
            np.mean,
        ),
    }
    everyone = np.ones(len(a["agreed"]), dtype=bool)
    for name, key, among in (
        ("median_week", "agreement_week", "agreed"),
        ("median_territory", "terms_territory", "settled"),
        ("median_control_at_end", "control_at_end", None),
    ):
        first_among = everyone if among is None else a[among]
        second_among = everyone if among is None else b[among]
        first_values, second_values = a[key].astype(float), b[key].astype(float)
        rows[name] = {
            "first": _median(first_values[first_among]),
            "second": _median(second_values[second_among]),
            **paired_bootstrap_difference(first_values, second_values, first_among, second_among),
        }
    return {
        "first": first.name,
        "second": second.name,
        "replications": runs.replications,
        "seed": seed,
        "figures": rows,
    }


def _median(values: np.ndarray) -> float | None:
    return round(float(np.median(values)), 6) if len(values) else None
