"""Milestones an ensemble records per replication, and their names among its outcomes.

The model tracks, per replication: the first week the front's holder holds each
place, the first week each belligerent accepted a text in talks, the share of the
disputed territory the holder controls at the end of each calendar quarter, and each
belligerent's losses over the first 52 weeks. This module holds the calendar and
the names, so that the model, the ensemble summaries and the hindcast agree on them.
"""

from __future__ import annotations

import datetime as dt

from .scenario.schema import Scenario

FIRST_YEAR_WEEKS = 52
"""Weeks over which losses are counted for mean daily losses (52 weeks = 364 days)."""


def quarter_end_weeks(scenario: Scenario) -> dict[str, int]:
    """The week of each calendar quarter's end after the start, within the horizon.

    Keyed ``2025q1`` and so on; a quarter's week is the last whose end date
    (:meth:`Scenario.date_of_week`) falls on or before the quarter's last day.
    """
    weeks: dict[str, int] = {}
    year, quarter = scenario.start.year, (scenario.start.month - 1) // 3 + 1
    while True:
        quarter_end = quarter_last_day(year, quarter)
        week = (quarter_end - scenario.start).days // 7
        if week > scenario.horizon:
            return weeks
        if quarter_end > scenario.start:
            weeks[f"{year}q{quarter}"] = week
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def quarter_last_day(year: int, quarter: int) -> dt.date:
    """The last day of a calendar quarter (1-4)."""
    end_month = 3 * quarter
    next_first = dt.date(year + end_month // 12, end_month % 12 + 1, 1)
    return next_first - dt.timedelta(days=1)


def fall_week_name(place: str) -> str:
    return f"fall_week_{place}"


def first_accept_name(actor: str, kind: str | None = None) -> str:
    """Array name of the first week ``actor`` accepted a proposal (of ``kind``, or any)."""
    return f"first_accept_week_{actor}" if kind is None else f"first_accept_week_{actor}_{kind}"


def control_name(quarter: str) -> str:
    return f"control_{quarter}"


def first_year_losses_name(actor: str) -> str:
    return f"first_year_losses_{actor}"
