"""A week of the model as a typed record: arrays over replications, by field.

The model fills a :class:`WeekRecord` at the end of each week it collects. Code that
reads the week (the narrated run, ``ceasefire play``, the positions chart) reads its
fields; a side's or an issue's values are found by the side's or the issue's id, never
by taking a column name apart. Only when the week is written out (Mesa's
DataCollector, CSV, JSON) is it flattened into named columns by :meth:`columns`, and
there every name is checked to be unique, so no id can overwrite another column.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class SideWeek:
    """One belligerent's week. ``(R, K)`` arrays have one column per issue."""

    ask: np.ndarray
    """Its ask in talks ``(R, K)`` (NaN without talks)."""
    red_line: np.ndarray
    """Its red line ``(R, K)``: the limit that faces the other side's ideal (NaN: none)."""
    crossing_cost: np.ndarray
    """What crossing each red line would cost it now ``(R, K)`` (NaN: a hard line)."""
    forces: np.ndarray
    belief: np.ndarray
    """Its believed chance that the front's holder wins an engagement."""
    walk_away: np.ndarray
    """Its expected utility of fighting on, less the war's cost."""
    reservation: np.ndarray
    """Its reservation share of territory (holder: least, defender: most)."""
    accepts: np.ndarray
    """Whether it accepted anything this week."""
    accepts_by_kind: dict[str, np.ndarray]
    """Whether it accepted each kind of proposal on offer."""
    resources: np.ndarray


@dataclass
class WeekRecord:
    """The model's state at the end of one week, over its replications."""

    week: int
    date: str
    issue_ids: tuple[str, ...]
    control: np.ndarray
    control_km2: np.ndarray
    p_holder_wins: np.ndarray
    held: dict[str, np.ndarray]
    """Whether the front's holder holds each place, by place id."""
    sides: dict[str, SideWeek]
    """Each belligerent's week, holder first, by actor id."""
    values_overlap: np.ndarray
    red_lines_overlap: np.ndarray
    bargaining_range: np.ndarray
    text: np.ndarray
    """The text on the table ``(R, K)`` (NaN without talks)."""
    agreed_this_week: np.ndarray
    agreed: np.ndarray
    agreement_week: np.ndarray
    settled: np.ndarray
    ceasefire_agreed: np.ndarray
    general_ceasefire_in_force: np.ndarray
    partial_truce_in_force: np.ndarray
    capitulated: np.ndarray
    intelligence: np.ndarray
    terms: np.ndarray
    """The terms of the first settlement ``(R, K)`` (NaN until one is agreed)."""
    broke_down: np.ndarray
    ceasefire_in_force: np.ndarray
    """A settlement is in force (the name the records have always used)."""
    breakdown_hazard: np.ndarray
    aid: np.ndarray
    sanctions: np.ndarray
    _flat: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def issue(self, values: np.ndarray, issue: str) -> np.ndarray:
        """The column of ``(R, K)`` ``values`` for ``issue``."""
        return values[:, self.issue_ids.index(issue)]

    def columns(self) -> dict[str, Any]:
        """The record flattened into named columns, as files and the DataCollector
        store it: ``text_<issue>``, ``ask_<side>_<issue>``, ``terms_<issue>`` and so on.

        Raises:
            ValueError: two columns would share a name (ids that spell another
                column's name); nothing is silently overwritten.
        """
        if self._flat is None:
            self._flat = _unique(self._pairs())
        return self._flat

    def __getitem__(self, name: str) -> Any:
        """A column by its flat name (as :meth:`columns` names it)."""
        return self.columns()[name]

    def _pairs(self) -> Iterator[tuple[str, Any]]:
        yield "week", self.week
        yield "date", self.date
        yield "control", self.control
        yield "control_km2", self.control_km2
        yield "p_holder_wins", self.p_holder_wins
        for place, held in self.held.items():
            yield f"held_{place}", held
        for side, week in self.sides.items():
            for k, issue in enumerate(self.issue_ids):
                yield f"ask_{side}_{issue}", week.ask[:, k]
                yield f"red_line_{side}_{issue}", week.red_line[:, k]
                yield f"crossing_cost_{side}_{issue}", week.crossing_cost[:, k]
        for side, week in self.sides.items():
            yield f"forces_{side}", week.forces
            yield f"belief_{side}", week.belief
            yield f"walk_away_{side}", week.walk_away
        for side, week in self.sides.items():
            yield f"reservation_{side}", week.reservation
        yield "values_overlap", self.values_overlap
        yield "red_lines_overlap", self.red_lines_overlap
        yield "bargaining_range", self.bargaining_range
        for k, issue in enumerate(self.issue_ids):
            yield f"text_{issue}", self.text[:, k]
        for side, week in self.sides.items():
            yield f"accepts_{side}", week.accepts
        kinds = next(iter(self.sides.values())).accepts_by_kind
        for kind in kinds:
            for side, week in self.sides.items():
                yield f"accepts_{kind}_{side}", week.accepts_by_kind[kind]
        yield "agreed_this_week", self.agreed_this_week
        yield "agreed", self.agreed
        yield "agreement_week", self.agreement_week
        yield "settled", self.settled
        yield "ceasefire_agreed", self.ceasefire_agreed
        yield "general_ceasefire_in_force", self.general_ceasefire_in_force
        yield "partial_truce_in_force", self.partial_truce_in_force
        yield "capitulated", self.capitulated
        yield "intelligence", self.intelligence
        for side, week in self.sides.items():
            yield f"resources_{side}", week.resources
        for k, issue in enumerate(self.issue_ids):
            yield f"terms_{issue}", self.terms[:, k]
        yield "broke_down", self.broke_down
        yield "ceasefire_in_force", self.ceasefire_in_force
        yield "breakdown_hazard", self.breakdown_hazard
        yield "aid", self.aid
        yield "sanctions", self.sanctions


def _unique(pairs: Iterator[tuple[str, Any]]) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    for name, value in pairs:
        if name in columns:
            raise ValueError(
                f"two columns of the weekly record are both named '{name}': rename the "
                "issue, actor or place whose id makes the name"
            )
        columns[name] = value
    return columns
