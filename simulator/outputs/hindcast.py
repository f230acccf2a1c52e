"""The hindcast report as a table for a terminal (fitted to its width, 100 columns at most)."""

from __future__ import annotations

import textwrap
from typing import Any

from .text import fit, fitted_table

WIDTH = 100
ID_WIDTH = 24
CELL = 24
SCORE = 20


def hindcast_table(report: dict[str, Any], width: int | None = WIDTH) -> str:
    """One line per scored observation, then the ones not scored with the reason.

    To fit ``width`` columns (None: every column, prose at 100) the score column goes
    first; the summary beneath keeps the mean scores.
    """
    prose = fit(width)
    files = ", ".join(report["observed"]) or "no observed files"
    rows = [
        [
            _cut(row["id"], ID_WIDTH),
            _observed(row),
            _forecast(row),
            _score(row),
            "OUT" if row["outside_90"] else "",
        ]
        for row in report["scored"]
    ]
    shown = fitted_table(
        ["observation", "observed", "forecast: 90% or P", "score", "flag"],
        rows,
        [False] * 5,
        width,
        drop_order=(3,),
        least_last=4,
    )
    lines = [
        *_wrap(
            f"{report['scenario']}: hindcast against {files}; "
            f"{report['replications']:,} replications, seed {report['seed']}, "
            f"{report['weeks']} weeks.",
            prose,
        ),
        *_wrap(report["note"], prose),
        "",
        shown,
    ]
    summary = report["summary"]
    events = (
        f" ({summary['events']} events: mean Brier {summary['mean_brier']:.3f}, "
        f"mean log score {summary['mean_log_score']:.2f})"
        if summary["events"]
        else ""
    )
    dropped = "" if "score" in shown.splitlines()[0] else " Scores of each row: --wide."
    lines += [
        "",
        *_wrap(
            f"{summary['scored']} scored{events}; {summary['outside_90']} outside their "
            f"90% interval (OUT); {summary['not_scored']} not scored.{dropped}",
            prose,
        ),
        *_wrap(
            "* not independently verified. Quantities: the forecast's 5th to 95th "
            "percentile, scored by the CRPS in the observation's units, a range at its "
            "midpoint; shares of territory in percent of the four oblasts. Events: the "
            "forecast probability P in percent [its 95% interval], Brier and log "
            "scores (probabilities kept half a replication off 0 and 1). Lower scores are "
            "better. OUT: what happened lies outside the 90% interval (for an event: it "
            "had less than 5% probability).",
            prose,
        ),
    ]
    if report["not_scored"]:
        lines += ["", "Not scored:"]
        for row in report["not_scored"]:
            lines += _wrap(f"{row['id']}: {row['reason']}", prose, indent="  ")
    return "\n".join(lines)


def _observed(row: dict[str, Any]) -> str:
    mark = "" if row["verified"] else "*"
    observed = row["observed"]
    if "happened" in observed:
        text = f"{'yes' if observed['happened'] else 'no'} by {row['date']}"
    elif observed["unit"] == "week":
        low, high = observed["low"], observed["high"]
        weeks = f"wk {low}" if low == high else f"wk {low}-{high}"
        text = f"{weeks} ({row['date'][0]})"
    else:
        text = f"{_number(observed['low'], observed['unit'])}"
        if observed["high"] != observed["low"]:
            text = f"{text}-{_number(observed['high'], observed['unit'])}"
        text = f"{row['quarter']}: {text} {_unit(observed['unit'])}".rstrip()
    return text + mark


def _forecast(row: dict[str, Any]) -> str:
    forecast = row["forecast"]
    if "p" in forecast:
        low, high = forecast["ci95"]
        return f"{100 * forecast['p']:.1f}% [{100 * low:.1f}, {100 * high:.1f}]"
    unit = row["observed"]["unit"]
    if unit == "week":
        after = forecast["after_weeks_run"]
        high = f">{after - 1}" if forecast["q95"] >= after else f"{forecast['q95']:g}"
        return f"wk {forecast['q5']:g} to {high}, med {forecast['q50']:g}"
    low, high = _number(forecast["q5"], unit), _number(forecast["q95"], unit)
    return f"{low} to {high} {_unit(unit)}".rstrip()


def _score(row: dict[str, Any]) -> str:
    score = row["score"]
    if "brier" in score:
        return f"Brier {score['brier']:.3f} log {score['log']:.2f}"
    unit = score["unit"]
    return f"CRPS {_number(score['crps'], unit)} {_unit(unit)}".rstrip()


def _number(value: float, unit: str) -> str:
    if unit == "share":
        return f"{100 * value:.1f}%"
    if unit == "week":
        return f"{value:.1f}"
    return f"{value:,.0f}"


def _unit(unit: str) -> str:
    return {"share": "", "week": "wk"}.get(unit, unit)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "~"


def _wrap(text: str, width: int = WIDTH, indent: str = "") -> list[str]:
    lines = textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "  ")
    return lines or [""]
