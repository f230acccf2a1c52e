"""What decides the outcome: how much of its variance each group of inputs explains.

A scenario's uncertain numbers are drawn afresh in every replication, so an ensemble
shows how an outcome varies with them. For each *driver* (a group of inputs that
stand for one mechanism: the clock of the time tactic, the red lines, the costs of
crossing them, the battlefield...) this module fits the outcome by least squares on
the group's inputs and their squares, and reports the fit's adjusted R²: the share of the
outcome's variance that the driver alone accounts for (a first-order share, like a
Sobol index estimated by regression). Shares of different drivers need not add up to
one: what is left is interaction, and the chance of the fighting and the talks.
"""

from __future__ import annotations

import fnmatch
from typing import Any

import numpy as np

DRIVERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "clock (time tactic: deadlines, exponents)",
        ("*.strategy.params.deadline", "*.strategy.params.exponent", "*.params.time_weight"),
    ),
    (
        "resources (resource tactic: floors, weights)",
        ("*.params.floor", "*.params.resource_weight", "*.params.resource_exponent"),
    ),
    ("reciprocity (behaviour tactic)", ("*.params.reciprocity", "*.params.reciprocity_weight")),
    ("red lines (where they lie)", ("*.red_line",)),
    ("costs of crossing red lines", ("*.red_line.cost", "*.red_line.casualty_erosion")),
    ("beliefs about the war", ("*.belief.*",)),
    (
        "costs of war, resolve, foresight",
        ("*.cost_of_war", "*.resolve", "*.foresight", "*.sanctions_exposure"),
    ),
    ("mediator's leverage and aid", ("*.leverage.*", "*.aid_dependence", "*.intelligence_*")),
    ("pauses (cease-fire and truce costs)", ("*.pauses.*",)),
    ("battlefield (forces, attrition, front)", ("front.*", "*.resources.*")),
    ("durability", ("durability.*",)),
    ("weights of the issues (salience)", ("*.salience",)),
)
"""Drivers in order; an input belongs to the first whose patterns match its path."""


def driver_of(path: str) -> str:
    """The driver a scenario number belongs to (``other`` when none matches)."""
    for name, patterns in DRIVERS:
        if any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns):
            return name
    return "other"


RUNS_PER_TERM = 10
"""A fit needs at least this many runs for each term it estimates, or it is not shown."""


def explained_share(outcome: np.ndarray, inputs: np.ndarray) -> float | None:
    """Adjusted R² of a least-squares fit of ``outcome`` on ``inputs`` ``(N, p)`` and
    their squares; None when there are too few runs for the terms to estimate.

    The adjustment, ``1 - (1 - R²)(n - 1)/(n - k - 1)`` for ``k`` terms, keeps a fit
    with many inputs from explaining noise.
    """
    if inputs.shape[1] == 0 or len(outcome) < 3 or np.var(outcome) == 0:
        return 0.0
    spread = inputs.std(axis=0)
    varying = inputs[:, spread > 0]
    if varying.shape[1] == 0:
        return 0.0
    n, terms = len(outcome), 2 * varying.shape[1]
    if n < RUNS_PER_TERM * terms:
        return None
    z = (varying - varying.mean(axis=0)) / varying.std(axis=0)
    design = np.column_stack([np.ones(len(z)), z, z**2])
    coefficients, *_ = np.linalg.lstsq(design, outcome, rcond=None)
    residual = outcome - design @ coefficients
    r2 = 1.0 - np.var(residual) / np.var(outcome)
    return float(max(0.0, 1.0 - (1.0 - r2) * (n - 1) / (n - terms - 1)))


def _share(driver: str, inputs: int, agreement: float | None, week: float | None) -> dict[str, Any]:
    """One row: the driver, how many inputs it has, and the shares of variance of
    agreement (0/1 within the horizon) and of the week of agreement (agreed runs)."""
    return {
        "driver": driver,
        "inputs": inputs,
        "agreement_r2": None if agreement is None else round(agreement, 6),
        "agreement_week_r2": None if week is None else round(week, 6),
    }


def variance_shares(
    draws: dict[str, np.ndarray], agreed: np.ndarray, agreement_week: np.ndarray
) -> dict[str, Any]:
    """Each driver's share of the variance of agreement and of the week of agreement.

    ``draws`` are the replications' sampled inputs by path; only inputs that vary are
    used. Also reports the share all inputs together explain.
    """
    paths = [p for p, values in draws.items() if np.ptp(values) > 0]
    groups: dict[str, list[str]] = {}
    for path in paths:
        groups.setdefault(driver_of(path), []).append(path)
    y_agreed = agreed.astype(float)
    y_week = agreement_week[agreed].astype(float)

    def matrix(group: list[str], rows: np.ndarray | None = None) -> np.ndarray:
        columns = [draws[p] if rows is None else draws[p][rows] for p in group]
        return np.column_stack(columns) if columns else np.empty((len(agreed), 0))

    shares = [
        _share(
            name,
            len(group),
            explained_share(y_agreed, matrix(group)),
            explained_share(y_week, matrix(group, agreed)),
        )
        for name, group in groups.items()
    ]
    shares.sort(key=lambda s: (-(s["agreement_week_r2"] or 0.0), -(s["agreement_r2"] or 0.0)))
    return {
        "replications": len(agreed),
        "agreements": int(agreed.sum()),
        "drivers": shares,
        "all_inputs": _share(
            "all inputs together",
            len(paths),
            explained_share(y_agreed, matrix(paths)),
            explained_share(y_week, matrix(paths, agreed)),
        ),
    }


def drivers(scenario: Any, replications: int = 20_000, seed: int | None = None) -> dict[str, Any]:
    """Run ``replications`` of ``scenario`` in lockstep and attribute its outcome's variance."""
    from .model import CeasefireModel

    model = CeasefireModel(scenario, replications=replications, seed=seed, collect=False)
    while model.running:
        model.step()
    report = variance_shares(model.draws, model.outcomes.agreed, model.outcomes.agreement_week)
    report["scenario"] = model.scenario.name
    report["seed"] = model.scenario.seed if seed is None else seed
    return report
