"""Charts of an ensemble for a class or a briefing: the front's fan, the chance of an
agreement by date, the agreed terms, and when each side first accepts.

Each ``*_figure`` function returns a matplotlib figure (drawn in the classroom style
of :mod:`.charts`); :func:`.charts.save` writes it to a file and
:func:`.charts.chart_bytes` embeds it in a report. Probabilities carry 95% Wilson
intervals, as the summaries do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from ..ensemble import EnsembleResult
from ..summaries import wilson
from .charts import SIDE_STYLES, figure, literal, styled

FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def front_fan(
    scenario: Any, replications: int, seed: int | None = None, weeks: int | None = None
) -> dict[str, Any]:
    """Quantiles of the holder's share of the territory, week by week, over replications.

    The ensemble keeps only the front at quarter ends, so this runs its own lockstep
    model (without weekly records) and reads the front after every week; the draws
    follow the model's seed, not the chunked ensemble's, so the fan agrees with
    ``mc`` in distribution, not replication by replication.
    """
    from ..model import CeasefireModel

    model = CeasefireModel(scenario, replications=replications, seed=seed, collect=False)
    weeks = model.scenario.horizon if weeks is None else weeks
    fronts = [model.front.control.copy()]
    while model.running and model.steps < weeks:
        model.step()
        fronts.append(model.front.control.copy())
    table = np.quantile(np.vstack(fronts), FAN_QUANTILES, axis=1)
    loaded = model.scenario
    holder = loaded.actors[loaded.front.holder].name
    return {
        "scenario": loaded.name,
        "replications": replications,
        "seed": loaded.seed if seed is None else seed,
        "holder": holder,
        "dates": [loaded.date_of_week(w) for w in range(len(fronts))],
        "quantiles": {q: table[i] for i, q in enumerate(FAN_QUANTILES)},
        "area_km2": float(np.mean(model.front.area_km2)),
    }


def _date_axis(ax: Any) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=5, maxticks=12)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel("date")
    ax.grid(True, color="#dddddd", linewidth=0.8)


@styled
def front_figure(fan: dict[str, Any]) -> Any:
    """A fan chart: the median front and its 50% and 90% bands."""
    fig, ax = figure(12.0, 6.5)
    q = {k: v * 100 for k, v in fan["quantiles"].items()}
    dates = fan["dates"]
    ax.fill_between(
        dates,
        q[0.05],
        q[0.95],
        facecolor="#cccccc",
        edgecolor="#888888",
        hatch="..",
        label="90% of replications (5th to 95th percentile)",
    )
    ax.fill_between(
        dates,
        q[0.25],
        q[0.75],
        facecolor="#888888",
        edgecolor="#444444",
        hatch="//",
        label="50% of replications (25th to 75th percentile)",
    )
    ax.plot(dates, q[0.5], color="black", linewidth=3, label="median")
    ax.set_ylabel(f"holder's share: what {literal(fan['holder'])} holds\n(% of the four oblasts)")
    area = fan["area_km2"]
    second = ax.secondary_yaxis(
        "right", functions=(lambda p: p / 100 * area / 1000, lambda k: k * 1000 / area * 100)
    )
    second.set_ylabel("thousand km²")
    _date_axis(ax)
    ax.legend(loc="best", frameon=True)
    ax.set_title(
        literal(
            f"{fan['scenario']}: the front line, {fan['replications']:,} replications "
            f"(seed {fan['seed']})"
        ),
        loc="left",
    )
    return fig


def _cumulative(weeks: np.ndarray, happened: np.ndarray, horizon: int) -> np.ndarray:
    """Count of replications where the event happened by each week 0..horizon."""
    by_week = np.bincount(weeks[happened].astype(int), minlength=horizon + 1)[: horizon + 1]
    return np.cumsum(by_week)


def _band(counts: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    bounds = np.array([wilson(int(c), n) for c in counts])
    return bounds[:, 0], bounds[:, 1]


def _dates(result: EnsembleResult) -> list[dt.date]:
    return [result.scenario.date_of_week(w) for w in range(result.weeks + 1)]


def _title(result: EnsembleResult, what: str) -> str:
    return literal(
        f"{result.scenario.name}: {what} ({result.replications:,} replications, seed {result.seed})"
    )


@styled
def agreement_figure(result: EnsembleResult) -> Any:
    """The chance of an agreement (settlement or general cease-fire) by each date, with
    its 95% interval; settlements alone as a second line."""
    a, n = result.arrays, result.replications
    dates = _dates(result)
    fig, ax = figure(12.0, 6.0)
    agreed = _cumulative(a["agreement_week"], a["agreed"], result.weeks)
    low, high = _band(agreed, n)
    ax.fill_between(
        dates,
        100 * low,
        100 * high,
        step="post",
        facecolor="#bbbbbb",
        edgecolor="#666666",
        hatch="//",
        label="95% interval (Wilson)",
    )
    ax.step(
        dates,
        100 * agreed / n,
        where="post",
        color="black",
        linewidth=3,
        label="an agreement (settlement or general cease-fire)",
    )
    if "settlement_week" in a:
        settled = _cumulative(a["settlement_week"], a["settled"], result.weeks)
        ax.step(
            dates,
            100 * settled / n,
            where="post",
            color="#b2182b",
            linewidth=2,
            linestyle=(0, (6, 3)),
            label="a settlement",
        )
    ax.set_ylabel("chance of it by then (%)")
    ax.set_ylim(0, min(101.0, max(5.0, 100 * float(high[-1]) * 1.15)))
    _date_axis(ax)
    ax.legend(loc="best", frameon=True)
    ax.set_title(_title(result, "chance of an agreement by date"), loc="left")
    return fig


@styled
def terms_figure(result: EnsembleResult) -> Any:
    """A histogram of the territory the holder keeps under agreed settlements."""
    a = result.arrays
    settled = a.get("settled", a["agreed"])
    terms = 100 * a["terms_territory"][settled]
    terms = terms[np.isfinite(terms)]
    fig, ax = figure(11.0, 5.5)
    holder = result.scenario.actors[result.scenario.front.holder].name
    if len(terms):
        ax.hist(
            terms,
            bins=np.arange(0, 101, 2),
            color="#999999",
            edgecolor="black",
            hatch="//",
            label="settlements",
        )
        median = float(np.median(terms))
        ax.axvline(
            median,
            color="black",
            linewidth=2.5,
            linestyle=(0, (6, 3)),
            label=f"median {median:.1f}%",
        )
        start = 100 * float(np.median(a["control_at_start"])) if "control_at_start" in a else None
        if start is not None:
            ax.axvline(
                start,
                color="#b2182b",
                linewidth=2,
                linestyle=(0, (1.5, 1.5)),
                label=f"front at the start {start:.1f}%",
            )
        ax.legend(loc="upper left", frameon=True)
        low, high = np.quantile(terms, [0.01, 0.99])
        ax.set_xlim(max(0, low - 6), min(100, high + 6))
    else:
        ax.text(
            0.5,
            0.5,
            "no settlement in any replication",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=16,
        )
        ax.set_xlim(0, 100)
    ax.set_xlabel(f"{literal(holder)} keeps (% of the four oblasts) under the settlement")
    ax.set_ylabel("replications")
    ax.grid(True, axis="y", color="#dddddd")
    ax.set_title(_title(result, f"agreed terms, {len(terms):,} settlements"), loc="left")
    return fig


KIND_STYLES = {
    None: ("any proposal", "-", 3.0),
    "settlement": ("a settlement", (0, (6, 3)), 2.0),
    "ceasefire": ("a general cease-fire", (0, (1.5, 1.5)), 2.2),
    "partial_truce": ("a truce on strikes", (0, (6, 2, 1.5, 2)), 1.8),
}


@styled
def acceptance_figure(result: EnsembleResult) -> Any:
    """Each side's chance of having accepted a proposal by each date, of any kind and of
    each kind, one panel per side (the 95% band on 'any proposal')."""
    from ..milestones import first_accept_name

    a, n = result.arrays, result.replications
    dates = _dates(result)
    names = {side: result.scenario.actors[side].name for side in result.sides}
    fig, axes = figure(12.0, 8.5, rows=len(result.sides), height_ratios=[1] * 2, sharex=True)
    for index, (ax, side) in enumerate(zip(axes, result.sides, strict=True)):
        style = SIDE_STYLES[index % 2]
        top = 5.0
        for kind, (label, linestyle, width) in KIND_STYLES.items():
            weeks = a.get(first_accept_name(side, kind))
            if weeks is None:
                continue
            counts = _cumulative(weeks, weeks >= 0, result.weeks)
            if kind is None:
                low, high = _band(counts, n)
                ax.fill_between(
                    dates,
                    100 * low,
                    100 * high,
                    step="post",
                    facecolor="#dddddd",
                    edgecolor="#999999",
                    label="95% interval (any proposal)",
                )
                top = max(top, 100 * float(high[-1]))
            ax.step(
                dates,
                100 * counts / n,
                where="post",
                color=style["color"],
                linestyle=linestyle,
                linewidth=width,
                label=label,
            )
            top = max(top, 100 * counts[-1] / n)
        ax.set_ylim(0, min(100, top * 1.12 + 1))
        ax.set_ylabel(f"{literal(names[side])} has accepted\nby then (%)")
        ax.set_title(literal(f"{names[side]}"), loc="left")
        _date_axis(ax)
        if index < len(result.sides) - 1:
            ax.set_xlabel("")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=11)
    fig.suptitle(_title(result, "chance each side has accepted a proposal"), x=0.01, ha="left")
    return fig
