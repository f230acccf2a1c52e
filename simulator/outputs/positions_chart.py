"""The positions picture: what each side demands, will accept and asks for, week by week.

One replication is run as ``ceasefire run`` runs it (same scenario, seed and weeks
give the same weeks); its weekly records give the front, each side's ask, red line
and reservation point and the mediator's text, and each side's ideal is read from
the model as it goes (an ideal can follow the front). The chart has one panel per
issue: territory in percent of the disputed area (km² on a second axis), with the
bargaining range shaded where it exists and the reason a deal is out of reach
where it does not, and each other issue on its own scale.

Series differ by line style and marker as well as colour, so the chart reads in
black and white and on a projector.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .charts import SIDE_STYLES, figure, literal, save, styled

SERIES = {
    "ideal": {"linestyle": "-", "linewidth": 2.6, "label": "demand"},
    "red_line": {"linestyle": (0, (6, 3)), "linewidth": 2.2, "label": "red line"},
    "reservation": {"linestyle": (0, (1.5, 1.5)), "linewidth": 2.4, "label": "reservation point"},
    "ask": {"linestyle": (0, (6, 2, 1.5, 2)), "linewidth": 1.6, "label": "ask in talks"},
}
"""How each kind of position is drawn (the side's colour and marker are added)."""


@dataclass
class PositionsRun:
    """What the positions picture needs from one run, as plain data."""

    scenario: Any
    seed: int
    records: list[dict[str, Any]]
    ideals: dict[str, dict[str, list[float]]]
    holder: str
    defender: str
    names: dict[str, str]
    area_km2: float
    outcome: dict[str, Any] = field(default_factory=dict)


def positions_run(scenario: Any, seed: int | None = None, weeks: int | None = None) -> PositionsRun:
    """Run one replication as :func:`simulator.results.run` does, noting each side's ideal
    every week (the records hold asks and red lines, but not ideals that follow the front)."""
    from ..model import CeasefireModel
    from ..results import outcome, weekly_records

    model = CeasefireModel(scenario, replications=1, seed=seed)
    weeks = model.scenario.horizon if weeks is None else weeks
    sides = model.belligerents
    ideals: dict[str, dict[str, list[float]]] = {
        side.actor_id: {issue: [] for issue in model.issue_ids} for side in sides
    }

    def note() -> None:
        for side in sides:
            now = side.positions.ideal_now(model.front.control)
            for k, issue in enumerate(model.issue_ids):
                ideals[side.actor_id][issue].append(float(now[0, k]))

    note()
    while model.running and model.steps < weeks:
        model.step()
        note()
    loaded = model.scenario
    return PositionsRun(
        scenario=loaded,
        seed=loaded.seed if seed is None else seed,
        records=weekly_records(model),
        ideals=ideals,
        holder=model.holder.actor_id,
        defender=model.defender.actor_id,
        names={side.actor_id: side.name for side in sides},
        area_km2=float(model.front.area_km2[0]),
        outcome=outcome(model),
    )


def _values(records: list[dict[str, Any]], key: str) -> list[float]:
    return [math.nan if r.get(key) is None else float(r[key]) for r in records]


def _claimant(node: Any) -> str:
    """Who states a position: the quote's claimant, or that it is an assumption."""
    if node is None:
        return "no source"
    if node.is_assumption:
        return f"assumption{f'; quoting {node.claimed_by}' if node.claimed_by else ''}"
    return f"claimed by {node.claimed_by}"


def _cost_note(run: PositionsRun, side: str, issue: str) -> str:
    """The cost of crossing a red line over the run, or that it is hard."""
    costs = [c for c in _values(run.records, f"crossing_cost_{side}_{issue}") if not math.isnan(c)]
    if not costs:
        return "hard line"
    low, high = min(costs), max(costs)
    shown = f"{low:.3g}" if math.isclose(low, high, rel_tol=0.05) else f"{low:.3g}-{high:.3g}"
    return f"cost to cross {shown} (utility)"


def status(row: dict[str, Any], issue: str = "territory") -> str:
    """The state of the talks in a week, in a teacher's words: why there is no deal."""
    if row.get("ceasefire_in_force"):
        return "settlement in force"
    if row.get("capitulated"):
        return "capitulation"
    if row.get("general_ceasefire_in_force"):
        return "cease-fire in force"
    if row.get(f"text_{issue}") is None:
        return "no talks"
    if row.get("bargaining_range"):
        return "bargaining range open"
    if not row.get("red_lines_overlap"):
        return "no range: red lines do not meet"
    if not row.get("values_overlap"):
        return "no range: war pays better"
    return "no range: red lines vs values"


STATUS_STYLE = {
    "no talks": ("white", ""),
    "bargaining range open": ("#a6dba0", "//"),
    "no range: red lines do not meet": ("#bbbbbb", "xx"),
    "no range: war pays better": ("#e0e0e0", ".."),
    "no range: red lines vs values": ("#d0d0d0", "\\\\"),
    "settlement in force": ("#1b7837", ""),
    "cease-fire in force": ("#5aae61", "++"),
    "capitulation": ("#444444", ""),
}


def events(run: PositionsRun) -> list[tuple[int, str, str]]:
    """Dated events to mark: (week, label, kind) for places falling and agreements."""
    found = []
    places = run.scenario.front.places
    previous = None
    for row in run.records:
        if previous is not None:
            for place, spec in places.items():
                key = f"held_{place}"
                if row.get(key) and not previous.get(key):
                    found.append((row["week"], f"{spec.name} falls", "place"))
                elif previous.get(key) and not row.get(key):
                    found.append((row["week"], f"{spec.name} retaken", "place"))
            for key, label in (
                ("general_ceasefire_in_force", "general cease-fire"),
                ("partial_truce_in_force", "truce on strikes"),
                ("capitulated", "capitulation"),
            ):
                if row.get(key) and not previous.get(key):
                    found.append((row["week"], label, "agreement"))
            broke = previous.get("ceasefire_in_force") and not row.get("ceasefire_in_force")
            if broke and not row.get("agreed_this_week"):
                found.append((row["week"], "settlement breaks down", "agreement"))
        if row.get("agreed_this_week") and row.get("ceasefire_in_force"):
            found.append((row["week"], "SETTLEMENT", "agreement"))
        previous = row
    return found


def _segments(labels: list[str]) -> list[tuple[int, int, str]]:
    """Runs of equal labels as (first index, length, label)."""
    out: list[tuple[int, int, str]] = []
    for index, label in enumerate(labels):
        if out and out[-1][2] == label:
            start, length, _ = out[-1]
            out[-1] = (start, length + 1, label)
        else:
            out.append((index, 1, label))
    return out


def positions_plot(run: PositionsRun, path: Path) -> None:
    """Draw the positions picture of ``run`` into ``path`` (.png, .svg or .pdf)."""
    save(positions_figure(run), path)


@styled
def positions_figure(run: PositionsRun) -> Any:
    """The positions picture of ``run``, as a matplotlib figure."""
    import matplotlib.dates as mdates
    import numpy as np
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    scenario = run.scenario
    issues = list(scenario.issues)
    others = issues[1:]
    records = run.records
    dates = [dt.date.fromisoformat(r["date"]) for r in records]
    every = max(1, len(records) // 10)
    heights = [5.0, 0.55] + [2.4] * len(others)
    fig, axes = figure(
        15.0, sum(heights) + 1.6, rows=len(heights), height_ratios=heights, sharex=True
    )
    territory, strip = axes[0], axes[1]
    pct = 100.0

    def side_line(
        ax, side: str, kind: str, values: Sequence[float] | np.ndarray, label: str
    ) -> None:
        style = SIDE_STYLES[0 if side == run.holder else 1]
        ax.plot(
            dates,
            values,
            color=style["color"],
            marker=style["marker"],
            markevery=(every // 2 + (0 if kind in ("ideal", "reservation") else every // 4), every),
            markersize=8,
            linestyle=SERIES[kind]["linestyle"],
            linewidth=SERIES[kind]["linewidth"],
            label=label,
        )

    # --- territory: front, positions, range
    control = np.array(_values(records, "control")) * pct
    territory.plot(
        dates, control, color="black", linewidth=3.4, label="front line (holder's share)"
    )
    text = np.array(_values(records, "text_territory")) * pct
    mediator = next(
        (a.name for a in scenario.actors.values() if type(a).__name__ == "Mediator"), None
    )
    territory.plot(
        dates,
        text,
        color="#555555",
        linestyle="none",
        marker="D",
        markersize=5,
        markevery=(0, max(1, every // 3)),
        zorder=5,
        label=f"{mediator}'s text" if mediator else "text on the table",
    )
    for side in (run.holder, run.defender):
        name = run.names[side]
        stance = scenario.actors[side].positions.get("territory")
        ideal = np.array(run.ideals[side]["territory"]) * pct
        side_line(
            territory,
            side,
            "ideal",
            ideal,
            f"{name}: demand ({_claimant(stance and stance.ideal)})",
        )
        red = np.array(_values(records, f"red_line_{side}_territory")) * pct
        if not np.all(np.isnan(red)):
            side_line(
                territory,
                side,
                "red_line",
                red,
                f"{name}: red line ({_claimant(stance.red_line)}; "
                f"{_cost_note(run, side, 'territory')})",
            )
        reservation = np.array(_values(records, f"reservation_{side}")) * pct
        side_line(
            territory,
            side,
            "reservation",
            reservation,
            f"{name}: reservation point ("
            + ("least it accepts" if side == run.holder else "most it gives")
            + ")",
        )
        ask = np.array(_values(records, f"ask_{side}_territory")) * pct
        side_line(territory, side, "ask", ask, f"{name}: ask in talks")
    # The bargaining range: shares both would accept over fighting, within red lines.
    holder_min = np.array(_values(records, f"reservation_{run.holder}"))
    defender_max = np.array(_values(records, f"reservation_{run.defender}"))
    holder_red = np.array(_values(records, f"red_line_{run.holder}_territory"))
    defender_red = np.array(_values(records, f"red_line_{run.defender}_territory"))
    low = np.fmax(holder_min, holder_red) * pct
    high = np.fmin(defender_max, defender_red) * pct
    open_range = np.array([bool(r.get("bargaining_range")) for r in records]) & (low <= high)
    territory.fill_between(
        dates,
        np.where(open_range, low, np.nan),
        np.where(open_range, high, np.nan),
        step="mid",
        facecolor="#a6dba0",
        edgecolor="#1b7837",
        hatch="//",
        alpha=0.6,
        label="bargaining range (within red lines)" if open_range.any() else None,
    )
    territory.set_ylim(-2, 102)
    territory.set_ylabel(
        f"{run.names[run.holder]}'s share, held or agreed\n(% of the four oblasts)"
    )
    second = territory.secondary_yaxis(
        "right",
        functions=(
            lambda p: p / pct * run.area_km2 / 1000,
            lambda k: k * 1000 / run.area_km2 * pct,
        ),
    )
    second.set_ylabel("thousand km²")
    territory.grid(True, axis="y", color="#cccccc", linewidth=0.8)
    territory.set_title(
        literal(_wrapped(f"Territory: {scenario.issues['territory'].description}", 110)),
        loc="left",
        fontsize=13,
    )
    _mark_events(run, axes, dates)

    # --- why there is no deal, week by week
    labels = [status(r) for r in records]
    seen = []
    for start, length, label in _segments(labels):
        colour, hatch = STATUS_STYLE.get(label, ("white", ""))
        left = mdates.date2num(dates[start]) - 3.5
        strip.broken_barh(
            [(left, 7 * length)], (0, 1), facecolor=colour, hatch=hatch, edgecolor="#333333"
        )
        if label not in seen:
            seen.append(label)
    strip.set_yticks([])
    strip.set_ylim(0, 1)
    strip.set_ylabel("talks", rotation=0, ha="right", va="center")
    # --- the other issues, each on its scale
    for ax, issue in zip(axes[2:], others, strict=True):
        spec = scenario.issues[issue]
        lo, hi = spec.scale
        ax.plot(
            dates,
            _values(records, f"text_{issue}"),
            color="#555555",
            linestyle="none",
            marker="D",
            markersize=5,
            markevery=(0, max(1, every // 3)),
        )
        for side in (run.holder, run.defender):
            side_line(ax, side, "ideal", run.ideals[side][issue], "")
            line = _values(records, f"red_line_{side}_{issue}")
            if not all(math.isnan(v) for v in line):
                side_line(ax, side, "red_line", line, "")
            side_line(ax, side, "ask", _values(records, f"ask_{side}_{issue}"), "")
        pad = 0.04 * (hi - lo)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_ylabel(literal(f"{issue}\n({spec.unit or f'scale {lo:g} to {hi:g}'})"))
        ax.grid(True, axis="y", color="#cccccc", linewidth=0.8)
        stances = [
            f"{run.names[s]}: {_claimant(scenario.actors[s].positions[issue].ideal)}"
            for s in (run.holder, run.defender)
            if issue in scenario.actors[s].positions
        ]
        ax.set_title(
            literal(
                _wrapped(
                    f"{issue.capitalize()}: {' '.join(spec.description.split())} "
                    f"Demands: {'; '.join(stances)}.",
                    120,
                )
            ),
            loc="left",
            fontsize=12,
        )

    axes[-1].xaxis.set_major_locator(mdates.AutoDateLocator(minticks=5, maxticks=12))
    axes[-1].xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(axes[-1].xaxis.get_major_locator())
    )
    axes[-1].set_xlabel("date")
    axes[-1].set_xlim(mdates.date2num(dates[0]) - 3.5, mdates.date2num(dates[-1]) + 3.5)
    handles, texts = territory.get_legend_handles_labels()
    handles.append(Line2D([], [], linestyle="none"))
    texts.append("state of the talks (strip):")
    for label in seen:
        colour, hatch = STATUS_STYLE[label]
        handles.append(Patch(facecolor=colour, hatch=hatch, edgecolor="#333333"))
        texts.append(label)
    fig.legend(
        handles,
        [_wrapped(t, 46) for t in texts],
        loc="outside right upper",
        fontsize=10.5,
        frameon=False,
    )
    fig.suptitle(
        literal(
            f"{scenario.name}: positions week by week (seed {run.seed}; "
            f"{_outcome_words(run.outcome)})"
        ),
        fontsize=15,
        x=0.01,
        ha="left",
    )
    return fig


def _mark_events(run: PositionsRun, axes: Any, dates: list[dt.date]) -> None:
    """Vertical lines at places falling and agreements; events within a few weeks of
    each other share one label, written upwards from the foot of the territory panel."""
    by_week = {r["week"]: d for r, d in zip(run.records, dates, strict=True)}
    groups: list[list[tuple[int, str, str]]] = []
    for event in events(run):
        if groups and event[0] - groups[-1][-1][0] <= 3:
            groups[-1].append(event)
        else:
            groups.append([event])
    for group in groups:
        for week, _, kind in group:
            for ax in axes:
                ax.axvline(
                    by_week[week],
                    color="black" if kind == "agreement" else "#777777",
                    linestyle="-" if kind == "agreement" else (0, (2, 2)),
                    linewidth=1.8 if kind == "agreement" else 1.1,
                    zorder=0.5,
                )
        agreement = any(kind == "agreement" for _, _, kind in group)
        axes[0].annotate(
            literal(_joined([(label, f"{by_week[week]:%d %b}") for week, label, _ in group])),
            xy=(by_week[group[0][0]], 0.03),
            xycoords=("data", "axes fraction"),
            xytext=(-2, 0),
            textcoords="offset points",
            rotation=90,
            fontsize=10,
            fontweight="bold" if agreement else "normal",
            ha="right",
            va="bottom",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.75, "pad": 1},
        )


def _joined(labelled: list[tuple[str, str]]) -> str:
    """Events close together in one label, a place named once: 'Pokrovsk falls 23 Jun,
    retaken 30 Jun'."""
    parts, subject = [], None
    for label, date in labelled:
        first, _, rest = label.partition(" ")
        if first == subject and rest:
            parts.append(f"{rest} {date}")
        else:
            parts.append(f"{label} {date}")
        subject = first
    return ", ".join(parts)


def _outcome_words(outcome: dict[str, Any]) -> str:
    if outcome.get("settlement"):
        return f"settlement {outcome['settlement']['date']}"
    if outcome.get("ceasefire"):
        return f"general cease-fire {outcome['ceasefire']['date']}"
    if outcome.get("capitulation"):
        return f"capitulation {outcome['capitulation']['date']}"
    return "no agreement"


def _wrapped(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text
