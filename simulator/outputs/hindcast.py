"""The hindcast report as a table for a terminal (no line wider than 100 columns)."""

from __future__ import annotations

import textwrap
from typing import Any

WIDTH = 100
ID_WIDTH = 24
CELL = 24
SCORE = 20


def hindcast_table(report: dict[str, Any]) -> str:
    """One line per scored observation, then the ones not scored with the reason."""
    files = ", ".join(report["observed"]) or "no observed files"
    lines = [
        *_wrap(
            f"{report['scenario']}: hindcast against {files}; "
            f"{report['replications']:,} replications, seed {report['seed']}, "
            f"{report['weeks']} weeks."
        ),
        *_wrap(report["note"]),
        "",
        f"{'observation':<{ID_WIDTH}} {'observed':<{CELL}} {'forecast: 90% or p':<{CELL}} "
        f"{'score':<{SCORE}} flag",
    ]
    for row in report["scored"]:
        flag = "OUT" if row["outside_90"] else ""
        lines.append(
            f"{_cut(row['id'], ID_WIDTH):<{ID_WIDTH}} {_observed(row):<{CELL}} "
            f"{_forecast(row):<{CELL}} {_score(row):<{SCORE}} {flag}".rstrip()
        )
    summary = report["summary"]
    events = (
        f" ({summary['events']} events: mean Brier {summary['mean_brier']:.3f}, "
        f"mean log score {summary['mean_log_score']:.2f})"
        if summary["events"]
        else ""
    )
    lines += [
        "",
        *_wrap(
            f"{summary['scored']} scored{events}; {summary['outside_90']} outside their "
            f"90% interval (OUT); {summary['not_scored']} not scored."
        ),
        *_wrap(
            "* not independently verified. Quantities: the forecast's 5th to 95th "
            "percentile, scored by the CRPS in the observation's units, a range at its "
            "midpoint. Events: the forecast probability [its 95% interval], Brier and log "
            "scores (probabilities kept half a replication off 0 and 1). Lower scores are "
            "better. OUT: what happened lies outside the 90% interval (for an event: it "
            "had less than 5% probability)."
        ),
    ]
    if report["not_scored"]:
        lines += ["", "Not scored:"]
        for row in report["not_scored"]:
            lines += _wrap(f"{row['id']}: {row['reason']}", indent="  ")
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
        return f"p {forecast['p']:.3f} [{low:.3f}, {high:.3f}]"
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
        return f"{value:.3f}"
    if unit == "week":
        return f"{value:.1f}"
    return f"{value:,.0f}"


def _unit(unit: str) -> str:
    return {"share": "", "week": "wk"}.get(unit, unit)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "~"


def _wrap(text: str, indent: str = "") -> list[str]:
    lines = textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")
    return lines or [""]
