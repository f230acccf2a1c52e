"""Tidy tables of results, for pandas, spreadsheets and regressions.

Every result becomes one data frame with one row per observation (a replication,
a week of a replication, a sweep cell, a held value, a compared figure, a lever) and
one column per variable, beside the columns that say where it came from
(``scenario``, ``seed``, ``replication`` where they apply). A replications table
carries every sampled input (by its dotted scenario path) beside the outcomes, so
outcomes can be regressed on inputs.

Missing values are NaN (None in text columns): a week that never came (the model's
``-1``), a median over no agreements, an interval too few values can bound. The
writers turn them into an empty CSV cell, a JSON null and a Parquet null/NaN.

These functions read the public results (:class:`~simulator.ensemble.EnsembleResult`,
the weekly records, the study reports), not the model's internals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .columns import column_info
from .ensemble import is_input

if TYPE_CHECKING:
    import pandas as pd

    from .ensemble import EnsembleResult
    from .model import CeasefireModel
    from .scenario.schema import Scenario

NEVER = -1
"""How the model marks a week that never came; a table writes it as missing."""

_WEEK = re.compile(r"(^|_)week($|_)")


def _frame(rows: Iterable[Mapping[str, Any]] | Mapping[str, Any]) -> pd.DataFrame:
    import pandas as pd

    if isinstance(rows, Mapping):
        return pd.DataFrame(dict(rows))
    return pd.DataFrame([dict(row) for row in rows])


def is_week_column(name: str) -> bool:
    """Columns that hold a week of the run (``agreement_week``, ``fall_week_pokrovsk``)."""
    if is_input(name) or name.startswith("median_") or name.endswith(("_r2", "_this_week")):
        return False
    if "ci95" in name:
        return False  # a median of weeks may fall between two weeks
    return bool(_WEEK.search(name))


def _weeks_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """Weeks that never came (``-1``) become missing, so one missing value is used;
    weeks stay whole numbers (pandas' nullable ``Int64``, an int64 column in Parquet)."""
    for name in frame.columns:
        if is_week_column(str(name)) and frame[name].dtype.kind in "iu":
            column = frame[name].astype("Int64")
            frame[name] = column.mask(column == NEVER)
    return frame


UNITS_KEY = "input_units"
"""Where a frame keeps the units its scenario declares for its inputs (``frame.attrs``),
for the Parquet writer."""


def declared_units(scenario: Scenario | None) -> dict[str, str]:
    """The units the scenario declares for its numbers, by dotted path."""
    if scenario is None:
        return {}
    from .scenario.sampling import quantity_paths

    return {path: q.unit for path, q in quantity_paths(scenario).items() if q.unit}


def _with_units(frame: pd.DataFrame, scenario: Scenario | None) -> pd.DataFrame:
    units = declared_units(scenario)
    frame.attrs[UNITS_KEY] = {name: units[name] for name in frame.columns if name in units}
    return frame


def held_paths(overrides: Iterable[str] | Mapping[str, Any]) -> list[str]:
    """The dotted paths that overrides (``PATH=VALUE``, or a mapping) set."""
    if isinstance(overrides, Mapping):
        return [str(path) for path in overrides]
    return [text.split("=", 1)[0].strip() for text in overrides]


def replications_frame(result: EnsembleResult, held: Iterable[str] = ()) -> pd.DataFrame:
    """One row per replication: ``scenario``, ``seed``, ``replication``, every sampled
    input (dotted scenario paths) and every outcome.

    ``held`` names inputs that overrides hold at one value (``actors.ukraine.resolve``
    set to 0.6): they are no longer sampled, but keep their column, at that value, so a
    table has the same input columns whatever was held.
    """
    import pandas as pd

    from .scenario.sampling import quantity_paths

    arrays = dict(result.arrays)
    count = result.replications
    numbers = quantity_paths(result.scenario)
    for path in held:
        quantity = numbers.get(path)
        if path not in arrays and quantity is not None and not quantity.is_uncertain:
            arrays[path] = np.full(count, float(quantity.value))  # type: ignore[arg-type]
    order = {path: i for i, path in enumerate(numbers)}
    inputs = sorted((name for name in arrays if is_input(name)), key=lambda n: order.get(n, 0))
    outcomes = [name for name in arrays if not is_input(name)]
    columns: dict[str, Any] = {
        "scenario": np.full(count, result.scenario.name, dtype=object),
        "seed": np.full(count, result.seed, dtype=np.int64),
        "replication": np.arange(count, dtype=np.int64),
    }
    for name in [*inputs, *outcomes]:
        columns[name] = arrays[name]
    return _with_units(_weeks_missing(pd.DataFrame(columns)), result.scenario)


def weekly_frame(model: CeasefireModel, seed: int | None = None) -> pd.DataFrame:
    """A model's weekly records in long format, one row per (replication, step), like
    the rows of Mesa's ``batch_run``: ``scenario``, ``seed``, ``replication``, ``step``
    (Mesa's name for the week) and every recorded variable.

    The model must have been built with ``collect=True``.
    """
    import pandas as pd

    if model.datacollector is None:
        raise ValueError("the model was built with collect=False: no weekly records")
    records = model.datacollector.model_vars
    count = model.replications
    weeks = len(records["week"])
    columns: dict[str, Any] = {
        "scenario": np.full(weeks * count, model.scenario.name, dtype=object),
        "seed": np.full(
            weeks * count, model.scenario.seed if seed is None else seed, dtype=np.int64
        ),
        "replication": np.repeat(np.arange(count), weeks),
        "step": np.tile(np.asarray(records["week"], dtype=np.int64), count),
    }
    for name, values in records.items():
        # (weeks, replications), then replication-major so each run's weeks are together
        stacked = np.stack([np.broadcast_to(np.asarray(v), (count,)) for v in values])
        column = stacked.T.reshape(-1)
        if column.dtype.kind == "f":
            column = np.round(column, 6)
        columns[name] = column
    frame = pd.DataFrame(columns)
    for name in frame.columns:
        if frame[name].dtype == object and name not in ("scenario", "date"):
            frame[name] = frame[name].where(frame[name].notna(), None)
    return _weeks_missing(frame)


def flatten(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested figures as flat columns: ``{"ci95": [a, b]}`` under ``x`` becomes
    ``x_ci95_low`` and ``x_ci95_high``; ``{"value": v}`` under ``x`` becomes ``x``."""
    flat: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}_{key}" if prefix else str(key)
        if key == "value" and prefix:
            name = prefix
        if isinstance(value, Mapping):
            flat.update(flatten(value, name))
        elif isinstance(value, list | tuple) and len(value) == 2 and key.endswith("ci95"):
            flat[f"{name}_low"], flat[f"{name}_high"] = value
        else:
            flat[name] = value
    return flat


def _missing_as_nan(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of numbers with gaps (None) become floats with NaN, or whole numbers with
    gaps (pandas' nullable ``Int64``) where every value is one."""
    import pandas as pd

    for name in frame.columns:
        if frame[name].dtype == object:
            values = frame[name].dropna()
            if len(values) and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
                frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("Int64")
            elif len(values) and all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in values
            ):
                frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
            elif len(values) == 0 and len(frame):
                frame[name] = np.nan
        if frame[name].dtype.kind == "f" and _whole(str(name)):
            values = frame[name].dropna()
            if (values == values.round()).all():
                frame[name] = frame[name].astype("Int64")
    return frame


def _whole(name: str) -> bool:
    """Columns of counts and weeks: whole numbers, kept so beside gaps (``Int64``)."""
    return (
        column_info(name)[0] in ("count", "week")
        and "ci95" not in name
        and not (name.startswith("median_"))
    )


def sweep_frame(report: Mapping[str, Any], scenario: Scenario | None = None) -> pd.DataFrame:
    """One row per sweep cell: the swept values, then the headline figures with their
    counts, 95% intervals and the ``too_few_agreements`` flag."""
    rows = [
        {
            "scenario": report["scenario"],
            "seed": report["seed"],
            **cell["values"],
            **flatten({k: v for k, v in cell.items() if k != "values"}),
        }
        for cell in report["cells"]
    ]
    return _with_units(_missing_as_nan(_frame(rows)), scenario)


def sensitivity_frame(report: Mapping[str, Any], scenario: Scenario | None = None) -> pd.DataFrame:
    """One-at-a-time sensitivity: one row per held value and level (``low``, ``high``),
    and a ``base`` row with nothing held; each with the headline figures."""
    head = {"scenario": report["scenario"], "seed": report["seed"]}
    rows = [{**head, "path": None, "level": "base", "held_at": None, **flatten(report["base"])}]
    for row in report["values"]:
        for level in ("low", "high"):
            rows.append(
                {
                    **head,
                    "path": row["path"],
                    "level": level,
                    "held_at": row[f"{level}_value"],
                    **flatten(row[level]),
                }
            )
    return _with_units(_missing_as_nan(_frame(rows)), scenario)


def sobol_frame(report: Mapping[str, Any]) -> pd.DataFrame:
    """Sobol' indices: one row per (outcome, input), with first-order (``S1``) and
    total-order (``ST``) indices and their 95% intervals, and the outcome's mean."""
    head = {
        "scenario": report["scenario"],
        "seed": report["seed"],
        "samples": report["samples"],
        "evaluations": report["evaluations"],
        "agreements": report.get("agreements"),
        "too_few_agreements": report.get("too_few_agreements"),
    }
    rows = []
    for outcome, figures in report["outcomes"].items():
        for index in figures["indices"]:
            rows.append(
                {
                    **head,
                    "outcome": outcome,
                    "outcome_mean": figures["mean"],
                    "path": index["path"],
                    **flatten({"S1": index["S1"], "ST": index["ST"]}),
                }
            )
    return _missing_as_nan(_frame(rows))


def compare_frame(report: Mapping[str, Any]) -> pd.DataFrame:
    """One row per compared figure: its value in each scenario (with counts and
    intervals for shares) and the paired difference (second − first) with its interval."""
    head = {
        "first_scenario": report["first"],
        "second_scenario": report["second"],
        "seed": report["seed"],
        "replications": report["replications"],
    }
    rows = [
        {**head, "figure": name, "unit": compared_unit(name), **flatten(row)}
        for name, row in report["figures"].items()
    ]
    return _missing_as_nan(_frame(rows))


def compared_unit(figure: str) -> str:
    """The unit of a compared figure, for the ``unit`` column of ``compare``."""
    return column_info(figure)[0]


def analysis_frames(report: Mapping[str, Any], seed: int) -> dict[str, pd.DataFrame]:
    """``analyze`` as two tables: ``sides`` (one row per belligerent, with the ranges
    and bargaining points beside it) and ``levers`` (one row per lever)."""
    head = {"scenario": report["scenario"], "seed": seed, "week": report["week"]}
    points = {
        f"{name}_{key}": (report[name] or {}).get(key)
        for name in ("values_range", "red_lines_range", "bargaining_range")
        for key in ("low", "high", "exists")
    }
    nash, ks = report.get("nash"), report.get("kalai_smorodinsky")
    shared = {
        "control": report["control"],
        **points,
        "gap": report.get("gap"),
        "nash": nash.get("territory") if isinstance(nash, Mapping) else nash,
        "kalai_smorodinsky": ks.get("territory") if isinstance(ks, Mapping) else ks,
    }
    sides = [
        {**head, "side": side, **flatten(figures), **shared}
        for side, figures in report["sides"].items()
    ]
    levers = [{**head, **flatten(lever)} for lever in report["levers"]]
    return {"sides": _missing_as_nan(_frame(sides)), "levers": _missing_as_nan(_frame(levers))}


def drivers_frame(report: Mapping[str, Any], scenario: str, seed: int) -> pd.DataFrame:
    """One row per mechanism, then the row of all inputs together (as the printed table
    and ``drivers.json`` have it): its inputs and the share of the variance of agreement
    (and of the week of agreement) it explains alone (adjusted R²)."""
    head = {
        "scenario": scenario,
        "seed": seed,
        "replications": report["replications"],
        "agreements": report["agreements"],
    }
    rows = [{**head, **row} for row in [*report["drivers"], report["all_inputs"]]]
    return _missing_as_nan(_frame(rows))
