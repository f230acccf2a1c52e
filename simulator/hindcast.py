"""Scoring a scenario's forecasts against what happened after its start.

For each observation in the observed files (:mod:`simulator.observed`) the ensemble
gives a predictive distribution: of a quantity (territory at a quarter's end, the week
a place fell) scored by the CRPS, or of an event by a date (a side had accepted a
proposal, a cease-fire had been agreed, a place had not fallen) scored by the Brier
and log scores. Each scored row carries the predictive 90% interval (or the
probability) and a flag when what happened lies outside it. Observations a scenario
cannot forecast (places it does not model, dates outside the weeks run, kinds of
agreement the model does not have) are listed with the reason.

Nothing in a scenario is tuned to an observed file: this is for scoring only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from . import milestones
from .ensemble import EnsembleResult
from .observed import Accepted, Agreement, Context, ObservedFile, PlaceFell, Territory
from .scoring import brier, crps, log_score
from .summaries import proportion

OUTSIDE_P = 0.05
"""An event is flagged when the forecast gave what happened less than this probability
(it lies outside the central 90% of the forecast)."""

NOT_TUNED = "Nothing in a scenario is tuned to the observed files: they are for scoring only."


class NotScored(Exception):
    """Why an observation cannot be scored against this scenario."""


def hindcast(result: EnsembleResult, files: list[tuple[str, ObservedFile]]) -> dict[str, Any]:
    """Score an ensemble against observed files given as ``(name, file)`` pairs."""
    scored: list[dict[str, Any]] = []
    not_scored: list[dict[str, Any]] = []
    for name, observed in files:
        for key, item in observed.observations.items():
            source = observed.sources[item.source]
            row: dict[str, Any] = {
                "id": key,
                "file": name,
                "kind": item.kind,
                "description": " ".join(item.description.split()),
                "claimed_by": " ".join(item.claimed_by.split()),
                "verified": item.verified,
                "source": {
                    "publisher": source.publisher,
                    "title": " ".join(source.title.split()),
                    "date": source.date.isoformat() if source.date else None,
                    "url": source.url,
                },
            }
            try:
                _check_scenario(result, observed, item)
                row.update(_score(result, item))
            except NotScored as reason:
                not_scored.append({**row, "reason": str(reason)})
            else:
                scored.append(row)
    return {
        "scenario": result.scenario.name,
        "replications": result.replications,
        "seed": result.seed,
        "weeks": result.weeks,
        "observed": [name for name, _ in files],
        "note": NOT_TUNED,
        "summary": _summary(scored, not_scored),
        "scored": scored,
        "not_scored": not_scored,
    }


def _summary(scored: list[dict[str, Any]], not_scored: list[dict[str, Any]]) -> dict[str, Any]:
    events = [row["score"] for row in scored if "brier" in row["score"]]
    return {
        "scored": len(scored),
        "not_scored": len(not_scored),
        "outside_90": sum(row["outside_90"] for row in scored),
        "events": len(events),
        "mean_brier": _round(np.mean([s["brier"] for s in events])) if events else None,
        "mean_log_score": _round(np.mean([s["log"] for s in events])) if events else None,
    }


# ----------------------------------------------------------------------- what applies


def _check_scenario(result: EnsembleResult, observed: ObservedFile, item: Any) -> None:
    scenario = result.scenario
    if isinstance(item, Context):
        raise NotScored("context: an input scenarios may take, not an outcome to forecast")
    if sorted(observed.belligerents) != sorted(scenario.belligerents):
        raise NotScored(
            f"the scenario's belligerents are {', '.join(sorted(scenario.belligerents))}, "
            f"not {', '.join(sorted(observed.belligerents))}"
        )
    for date in _dates(item):
        if date < scenario.start:
            raise NotScored(f"{date} is before the scenario's start ({scenario.start})")
        if scenario.week_of_date(date) > result.weeks:
            raise NotScored(f"{date} is after the weeks run (to {_end(result)})")


def _dates(item: Any) -> list[dt.date]:
    if isinstance(item, PlaceFell):
        return [d for d in (item.fell, item.fell_latest, item.not_by) if d is not None]
    if isinstance(item, Accepted | Agreement):
        return [item.by]
    return []


def _end(result: EnsembleResult) -> dt.date:
    return result.scenario.date_of_week(result.weeks)


# The model's reading of acceptance and agreement, in one place: its texts are all of one
# kind (terms on every issue, with a cease-fire), so any accepted text counts as accepting
# a cease-fire or a settlement. Partial truces are not modelled yet.


def _acceptance_weeks(result: EnsembleResult, actor: str, proposal: str) -> np.ndarray:
    """First week ``actor`` accepted a text of kind ``proposal`` (-1: never)."""
    if milestones.first_accept_name(actor) not in result.arrays:
        raise NotScored(f"the scenario has no belligerent '{actor}'")
    if proposal == "any":
        return result.arrays[milestones.first_accept_name(actor)]
    if not _offered(result, proposal):
        raise NotScored(f"the scenario's mediator never offers a {_kind_words(proposal)}")
    return result.arrays[milestones.first_accept_name(actor, proposal)]


def _offered(result: EnsembleResult, kind: str) -> bool:
    """Whether the scenario's talks put proposals of ``kind`` at all."""
    return kind == "settlement" or kind in result.scenario.talks.offers


def _kind_words(kind: str) -> str:
    return {"ceasefire": "general cease-fire", "partial_truce": "partial truce"}.get(kind, kind)


def _agreement_weeks(result: EnsembleResult, kind: str) -> np.ndarray:
    """First week an agreement of ``kind`` was reached (-1: never)."""
    if not _offered(result, kind):
        raise NotScored(f"the scenario's mediator never offers a {_kind_words(kind)}")
    reached, week = {
        "settlement": ("settled", "settlement_week"),
        "ceasefire": ("ceasefire", "ceasefire_week"),
        "partial_truce": ("partial_truce", "partial_truce_week"),
    }[kind]
    return np.where(result.arrays[reached], result.arrays[week], -1)


# -------------------------------------------------------------------------- scoring


def _score(result: EnsembleResult, item: Any) -> dict[str, Any]:
    if isinstance(item, Territory):
        return _territory(result, item)
    if isinstance(item, PlaceFell):
        return _place(result, item)
    if isinstance(item, Accepted):
        weeks = _acceptance_weeks(result, item.actor, item.proposal)
        return _event(result, weeks, item.by, item.happened, f"{item.actor} accepted")
    if isinstance(item, Agreement):
        weeks = _agreement_weeks(result, item.agreement)
        return _event(result, weeks, item.by, item.happened, f"{item.agreement} agreed")
    raise NotScored(f"no forecast for observations of kind '{item.kind}'")


def _territory(result: EnsembleResult, item: Territory) -> dict[str, Any]:
    scenario = result.scenario
    if item.holder != scenario.front.holder:
        raise NotScored(f"the scenario's front holder is '{scenario.front.holder}'")
    week = milestones.quarter_end_weeks(scenario).get(item.quarter)
    if week is None or week > result.weeks:
        raise NotScored(
            f"{item.quarter} does not end between the start and the end of the weeks run"
            f" ({result.scenario.start} to {_end(result)})"
        )
    a = result.arrays
    control = a[milestones.control_name(item.quarter)]
    if item.measure == "share":
        sample, unit = control, "share"
    else:
        sample, unit = (control - a["control_at_start"]) * a["area_km2"], "km2"
    observed = (item.low + item.high) / 2
    q5, q95 = (float(v) for v in np.quantile(sample, [0.05, 0.95]))
    return {
        "quarter": item.quarter,
        "week": week,
        "date": scenario.date_of_week(week).isoformat(),
        "observed": {"low": item.low, "high": item.high, "unit": unit},
        "forecast": {"q5": _round(q5), "q50": _round(np.median(sample)), "q95": _round(q95)},
        "score": {"crps": _round(crps(sample, observed)), "unit": unit},
        "outside_90": bool(item.high < q5 or item.low > q95),
        "scored_as": _range_note(item.low, item.high),
    }


def _place(result: EnsembleResult, item: PlaceFell) -> dict[str, Any]:
    scenario = result.scenario
    if item.place not in scenario.front.places:
        raise NotScored(f"the scenario does not model the place '{item.place}'")
    weeks = result.arrays[milestones.fall_week_name(item.place)]
    if item.not_by is not None:
        return _event(result, weeks, item.not_by, False, f"{item.place} fell")
    fell = item.fell
    assert fell is not None  # an observed place has 'fell' or 'not_by' (PlaceFell's check)
    first = scenario.week_of_date(fell)
    last = scenario.week_of_date(item.fell_latest or fell)
    # Replications where it never fell count as falling just after the weeks run: the
    # CRPS is then exact over the weeks run, whatever they would have done later.
    after = result.weeks + 1
    sample = np.where(weeks >= 0, weeks, after).astype(float)
    q5, q95 = (float(v) for v in np.quantile(sample, [0.05, 0.95], method="inverted_cdf"))
    q50 = float(np.median(sample))
    return {
        "week": [first, last],
        "date": [fell.isoformat(), (item.fell_latest or fell).isoformat()],
        "observed": {"low": first, "high": last, "unit": "week"},
        "forecast": {
            "q5": _round(q5),
            "q50": _round(q50),
            "q95": _round(q95),
            "after_weeks_run": after,
            "p_fallen_by": proportion((weeks >= 0) & (weeks <= last))["value"],
        },
        "score": {"crps": _round(crps(sample, (first + last) / 2)), "unit": "week"},
        "outside_90": bool(last < q5 or first > q95),
        "scored_as": _range_note(first, last),
    }


def _event(
    result: EnsembleResult, weeks: np.ndarray, by: dt.date, happened: bool, what: str
) -> dict[str, Any]:
    """An event 'it had happened by the week of ``by``', from first-weeks (-1 = never)."""
    week = result.scenario.week_of_date(by)
    forecast = proportion((weeks >= 0) & (weeks <= week))
    p = float(forecast["value"])
    n = result.replications
    return {
        "week": week,
        "date": by.isoformat(),
        "event": f"{what} by {by.isoformat()}",
        "observed": {"happened": happened},
        "forecast": {"p": forecast["value"], "ci95": forecast["ci95"]},
        "score": {"brier": _round(brier(p, happened)), "log": _round(log_score(p, happened, n))},
        "outside_90": (p if happened else 1.0 - p) < OUTSIDE_P,
        "scored_as": "event",
    }


def _range_note(low: float, high: float) -> str:
    return "value" if low == high else "midpoint of the range"


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(float(value), digits)
