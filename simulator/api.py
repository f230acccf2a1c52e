"""The commands' results as pandas data frames, for notebooks and scripts.

Each function runs what the command of the same name runs, with the same defaults
and the same numbers for the same scenario and seed, and returns a :class:`Result`:
the tidy table the command writes under ``--out`` (``result.table``) and the summary
it prints as JSON (``result.summary``). A result unpacks as ``table, summary``::

    import simulator

    table, summary = simulator.mc("baseline", replications=500, seed=1)
    table.groupby(table["actors.ukraine.resolve"] > 0.8)["agreed"].mean()

``scenario`` is a bundled name, a YAML file or a loaded
:class:`~simulator.scenario.schema.Scenario`; ``overrides`` a mapping of dotted paths
to values, as ``--set`` takes them (a held input keeps its column, at its value).
``workers=None`` runs an ensemble on the CPUs this process may use, as the command
does; the numbers do not depend on it. Errors in a scenario raise
:class:`~simulator.errors.ScenarioError`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import check_seed

if TYPE_CHECKING:
    import pandas as pd

    from .scenario.schema import Scenario

__all__ = ["Result", "analyze", "compare", "drivers", "mc", "run", "sensitivity", "sweep"]

DEFAULT_REPLICATIONS = 1000
"""Replications per ensemble when none are given (as on the command line)."""


@dataclass(frozen=True)
class Result:
    """A result: its tidy table and its summary (the command's JSON)."""

    table: pd.DataFrame
    summary: dict[str, Any] = field(repr=False)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    """Further tables, for results with more than one (``analyze``: sides and levers)."""

    def __iter__(self) -> Iterator[Any]:
        return iter((self.table, self.summary))


def _settings(overrides: Mapping[str, Any] | Sequence[str] | None) -> list[str]:
    """``{"actors.ukraine.resolve": 0.8}`` as ``--set`` strings."""
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        return [
            f"{path}={value if isinstance(value, str) else json.dumps(value)}"
            for path, value in overrides.items()
        ]
    return list(overrides)


def _load(scenario: Any, overrides: Mapping[str, Any] | Sequence[str] | None, weeks=None):
    from .scenario import load_scenario
    from .scenario.schema import Scenario

    settings = _settings(overrides)
    if isinstance(scenario, Scenario):
        if settings:
            raise ValueError("overrides apply to a scenario by name or file, not a loaded one")
        loaded = scenario
    else:
        loaded = load_scenario(scenario, settings)
    if weeks is not None and weeks > loaded.horizon:
        if isinstance(scenario, Scenario):
            raise ValueError(
                f"weeks={weeks} is beyond the loaded scenario's horizon of {loaded.horizon}; "
                "load it with the override horizon=N"
            )
        loaded = load_scenario(scenario, [*settings, f"horizon={int(weeks)}"])
    return loaded


def _runs(replications: int | None, seed, weeks, workers: int | None):
    from .ensemble import Runs

    check_seed(seed)
    return Runs(replications or DEFAULT_REPLICATIONS, seed, weeks, workers)


def run(
    scenario: str | Path | Scenario | None = None,
    *,
    seed: int | None = None,
    weeks: int | None = None,
    overrides: Mapping[str, Any] | Sequence[str] | None = None,
) -> Result:
    """One run (``ceasefire run``): its weekly records, one row per week, and its outcome."""
    from .results import outcome
    from .results import run as run_model
    from .tables import weekly_frame

    check_seed(seed)
    loaded = _load(scenario, overrides, weeks)
    model = run_model(loaded, seed=seed, weeks=weeks)
    used = loaded.seed if seed is None else seed
    return Result(
        weekly_frame(model, used), {"scenario": loaded.name, "seed": used, **outcome(model)}
    )


def mc(
    scenario: str | Path | Scenario | None = None,
    *,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int | None = None,
    weeks: int | None = None,
    overrides: Mapping[str, Any] | Sequence[str] | None = None,
    workers: int | None = None,
) -> Result:
    """Monte Carlo (``ceasefire mc``): one row per replication, every sampled input beside
    the outcomes, and the headline figures with their intervals."""
    from .summaries import summarize
    from .tables import held_paths, replications_frame

    result = _runs(replications, seed, weeks, workers).run(_load(scenario, overrides, weeks))
    held = held_paths(_settings(overrides))
    return Result(replications_frame(result, held), summarize(result))


def sweep(
    scenario: str | Path | None = None,
    *,
    vary: Mapping[str, tuple[float, float, int]] | Sequence[str],
    replications: int = DEFAULT_REPLICATIONS,
    seed: int | None = None,
    weeks: int | None = None,
    overrides: Mapping[str, Any] | Sequence[str] | None = None,
    workers: int | None = None,
) -> Result:
    """A grid over one or two values (``ceasefire sweep``): one row per cell, with counts,
    95% intervals and ``too_few_agreements``.

    ``vary`` maps a dotted path to ``(low, high, steps)``, or lists ``PATH=LO:HI:STEPS``.
    """
    from .studies import Vary
    from .studies import sweep as run_sweep
    from .tables import sweep_frame

    if isinstance(vary, Mapping):
        varies = [Vary(path, float(lo), float(hi), int(n)) for path, (lo, hi, n) in vary.items()]
    else:
        varies = [Vary.parse(text) for text in vary]
    report = run_sweep(
        scenario, _settings(overrides), varies, _runs(replications, seed, weeks, workers)
    )
    return Result(sweep_frame(report, _load(scenario, overrides, weeks)), report)


def sensitivity(
    scenario: str | Path | Scenario | None = None,
    *,
    method: str = "oat",
    replications: int | None = None,
    seed: int | None = None,
    weeks: int | None = None,
    overrides: Mapping[str, Any] | Sequence[str] | None = None,
    workers: int | None = None,
) -> Result:
    """Which uncertain values matter (``ceasefire sensitivity``).

    ``oat``: one row per held value and level, with counts and intervals; ``sobol``:
    one row per (outcome, input) with S1 and ST and their intervals (``replications``
    is then the base sample size N, a power of 2).
    """
    from .tables import sensitivity_frame, sobol_frame

    loaded = _load(scenario, overrides, weeks)
    if method == "sobol":
        from .ensemble import Runs
        from .sobol import DEFAULT_SAMPLES, sobol_sensitivity

        check_seed(seed)
        report = sobol_sensitivity(
            loaded, Runs(1, seed, weeks, workers), replications or DEFAULT_SAMPLES
        )
        return Result(sobol_frame(report), report)
    if method != "oat":
        raise ValueError(f"method must be 'oat' or 'sobol', not {method!r}")
    from .studies import sensitivity as run_sensitivity

    report = run_sensitivity(loaded, _runs(replications, seed, weeks, workers))
    return Result(sensitivity_frame(report, loaded), report)


def compare(
    first: str | Path | Scenario | None,
    second: str | Path | Scenario | None,
    *,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int | None = None,
    weeks: int | None = None,
    overrides: Mapping[str, Any] | Sequence[str] | None = None,
    workers: int | None = None,
) -> Result:
    """Two scenarios on the same replications (``ceasefire compare``): one row per
    figure, its value in each and the paired difference with its 95% interval."""
    from .studies import compare as run_compare
    from .tables import compare_frame

    report = run_compare(
        _load(first, overrides, weeks),
        _load(second, overrides, weeks),
        _runs(replications, seed, weeks, workers),
    )
    return Result(compare_frame(report), report)


def analyze(
    scenario: str | Path | Scenario | None = None,
    *,
    week: int = 0,
    seed: int | None = None,
    overrides: Mapping[str, Any] | Sequence[str] | None = None,
) -> Result:
    """The bargaining problem at one week (``ceasefire analyze``): the levers table
    (``table``), each side's figures (``tables["sides"]``) and the report."""
    from .analysis import analyze as run_analysis
    from .tables import analysis_frames

    loaded = _load(scenario, overrides)
    check_seed(seed)
    report = run_analysis(loaded, week=week, seed=seed)
    tables = analysis_frames(report, loaded.seed if seed is None else seed)
    return Result(tables["levers"], report, tables)


def drivers(
    scenario: str | Path | Scenario | None = None,
    *,
    replications: int = 20_000,
    seed: int | None = None,
    overrides: Mapping[str, Any] | Sequence[str] | None = None,
) -> Result:
    """What decides the outcome (``ceasefire drivers``): one row per mechanism and a last
    row for all inputs together, with the share of the variance of agreement and of the
    week of agreement each explains alone (adjusted R²)."""
    from .tables import drivers_frame
    from .variance import drivers as attribute

    loaded = _load(scenario, overrides)
    check_seed(seed)
    report = attribute(loaded, replications, seed)
    return Result(drivers_frame(report, loaded.name, report["seed"]), report)
