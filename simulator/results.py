"""What a run produced, as plain data: the outcome and the weekly records.

These functions read a finished :class:`~simulator.model.CeasefireModel` and return
dicts and lists of JSON-ready scalars, for one replication at a time; the outputs
layer formats them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .model import CeasefireModel


def _scalar(value: Any) -> Any:
    """A JSON-ready scalar: numpy types unwrapped, NaN as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def outcome(model: CeasefireModel, replication: int = 0) -> dict[str, Any]:
    """Whether, when and on what terms a cease-fire was agreed, and whether it held."""
    r = replication
    scenario = model.scenario
    agreed = bool(model.outcomes.agreed[r])
    settled = bool(model.outcomes.settled[r])
    week = int(model.outcomes.agreement_week[r]) if agreed else None
    broke = bool(model.outcomes.broke_down[r])
    breakdown_week = int(model.outcomes.breakdown_week[r]) if broke else None

    def dated(flag: np.ndarray, weeks: np.ndarray) -> dict[str, Any] | None:
        if not bool(flag[r]):
            return None
        return {"week": int(weeks[r]), "date": scenario.date_of_week(int(weeks[r])).isoformat()}

    return {
        "agreed": agreed,
        "kind": (
            "settlement" if settled and model.outcomes.settlement_week[r] == week else "ceasefire"
        )
        if agreed
        else None,
        "settlement": dated(model.outcomes.settled, model.outcomes.settlement_week),
        "ceasefire": dated(model.outcomes.ceasefire_agreed, model.outcomes.ceasefire_week),
        "partial_truce": dated(model.outcomes.truce_agreed, model.outcomes.truce_week),
        "capitulation": dated(model.outcomes.capitulated, model.outcomes.capitulation_week),
        "week": week,
        "date": scenario.date_of_week(week).isoformat() if week is not None else None,
        "terms": (
            {
                issue: _scalar(round(float(model.outcomes.terms[r, k]), 6))
                for k, issue in enumerate(model.issue_ids)
            }
            if settled
            else None
        ),
        "broke_down": broke,
        "breakdown_week": breakdown_week,
        "breakdown_date": (
            scenario.date_of_week(breakdown_week).isoformat()
            if breakdown_week is not None
            else None
        ),
        "agreements": int(model.outcomes.agreements[r]),
        "in_force_at_end": bool(model.outcomes.in_force[r]),
        "weeks_run": int(model.steps),
        "control_at_end": round(float(model.front.control[r]), 6),
        "losses": {
            side.actor_id: round(float(side.losses_total[r]), 3) for side in model.belligerents
        },
    }


def weekly_records(model: CeasefireModel, replication: int = 0) -> list[dict[str, Any]]:
    """The DataCollector's weekly rows for one replication, as plain dicts (a week that
    never came, the model's ``-1``, is None)."""
    from .tables import NEVER, is_week_column

    if model.datacollector is None:
        raise ValueError("the model was built with collect=False: no weekly records")
    columns = model.datacollector.model_vars
    weeks = len(columns["week"])
    rows = []
    for index in range(weeks):
        row = {}
        for name, values in columns.items():
            value = values[index]
            if isinstance(value, np.ndarray):
                value = value[replication]
            if isinstance(value, float | np.floating):
                value = round(float(value), 6)
            value = _scalar(value)
            if value == NEVER and is_week_column(name):
                value = None  # a week that never came: missing, as in every output
            row[name] = value
        rows.append(row)
    return rows


@dataclass(frozen=True)
class Replication:
    """One replication of a batched model, as plain data (``model.replication(i)``)."""

    index: int
    draws: dict[str, float]
    """Every scenario number as this replication drew it, by dotted path."""
    outcome: dict[str, Any]
    """As :func:`outcome` gives it."""
    weekly: list[dict[str, Any]]
    """As :func:`weekly_records` gives them (empty when the model collects none)."""


def replication(model: CeasefireModel, index: int) -> Replication:
    """Replication ``index`` of ``model``: its inputs, outcome and weekly records."""
    if not 0 <= index < model.replications:
        raise IndexError(f"replication {index} of a model of {model.replications}")
    return Replication(
        index,
        {path: _scalar(values[index]) for path, values in model.draws.items()},
        outcome(model, index),
        weekly_records(model, index) if model.datacollector is not None else [],
    )


def run(scenario: Any = None, seed: int | None = None, weeks: int | None = None) -> CeasefireModel:
    """Build the model for one replication and run it for ``weeks`` (default: the horizon).

    Events dated after a shortened run simply do not happen.
    """
    from .model import CeasefireModel

    model = CeasefireModel(scenario, replications=1, seed=seed)
    weeks = model.scenario.horizon if weeks is None else weeks
    while model.running and model.steps < weeks:
        model.step()
    return model
