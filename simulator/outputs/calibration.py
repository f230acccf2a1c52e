"""`ceasefire calibrate` output: the targets, the kept region, the predictive checks.

A text report and a chart (each simulated quantity against its published range).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .plots import _figure, _save
from .text import fit, fitted_table, wrap


def predictive_plot(runs: dict[str, np.ndarray], targets, path: Path) -> None:
    """One panel per target: the replications' histogram, the range shaded, the value.

    ``runs`` holds one value per replication for each quantity (see
    :func:`simulator.calibration.predictive_runs`); ``targets`` is the loaded file.
    """
    names = [n for n in targets.targets if n in runs]
    columns = 2
    rows = (len(names) + columns - 1) // columns
    fig, axes = _figure(9.0, 2.2 * rows)
    fig.clf()
    axes = fig.subplots(rows, columns, squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        target = targets.targets[name]
        values = runs[name][np.isfinite(runs[name])]
        low, high = np.quantile(values, [0.005, 0.995])
        span = (min(low, target.range[0]), max(high, target.range[1]))
        ax.hist(values, bins=60, range=span, color="#4c72b0", alpha=0.8)
        ax.axvspan(*target.range, color="#dd8452", alpha=0.25, label="published range")
        ax.axvline(target.value, color="#c44e52", lw=1.5, label="published value")
        ax.axvline(np.median(values), color="black", lw=1.0, ls="--", label="model median")
        ax.set_title(f"{name} ({target.unit})", fontsize=9)
        ax.set_yticks([])
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7, loc="upper right")
    fig.suptitle("Baseline's simulated first year against 2024 figures", fontsize=10)
    _save(fig, path)


def _num(value: float) -> str:
    """A number in the fewest digits that keep three significant ones."""
    if value is None or not np.isfinite(value):
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def calibration_report(
    summary: dict[str, Any],
    checks: dict[str, dict[str, Any]],
    places: dict[str, Any],
    width: int | None = 80,
) -> str:
    """The text report: targets, method and waves, prior and kept ranges, checks.

    ``summary`` is :meth:`Calibration.to_dict`; ``checks`` the scenario's predictive
    checks; ``places`` each place's fall-week quantiles with the talks switched off.
    Tables fit ``width`` columns (None: as wide as they take; prose at 100 at most).
    """
    prose = fit(width)

    def interval(low: float, high: float) -> str:
        return f"[{_num(low)}, {_num(high)}]"

    lines = ["Targets (public figures of 2024 and before)", ""]
    rows = [
        [
            name,
            _num(t["value"]),
            interval(*t["range"]),
            f"{t['unit']}; {t['claimant']}, {t['date']}",
        ]
        for name, t in summary["targets"].items()
    ]
    lines.append(
        fitted_table(
            ["target", "value", "range", "unit; claimant, date"],
            rows,
            [False, True, True, False],
            width,
        )
    )
    lines += ["", "Method: history matching (implausibility < cutoff on every target)", ""]
    for i, wave in enumerate(summary["waves"], start=1):
        lines.append(
            f"  wave {i}: {wave['points']:,} points x {wave['replications_per_point']} "
            f"replications, {wave['kept']:,} not implausible"
        )
    lines += [
        f"  box of calibrated ranges: {summary['box_share']:.0%} of its points not implausible",
        "",
    ]
    rows = []
    for name, p in summary["parameters"].items():
        kept = p["kept_points_5_95"] or [float("nan")] * 2
        rows.append(
            [name, interval(*p["prior"]), interval(*kept), interval(*p["calibrated_range"])]
        )
    lines.append(
        fitted_table(
            ["parameter", "prior", "kept 5-95%", "calibrated"],
            rows,
            [False, True, True, True],
            width,
            drop_order=(2,),
            least_last=12,
        )
    )
    lines.append(
        wrap(
            "prior: the range sampled; kept 5-95%: where the points not implausible lie; "
            "calibrated: the box the scenario samples from (docs/CALIBRATION.md).",
            prose,
        )
    )
    lines += ["", "Predictive checks: the scenario's first year, talks switched off", ""]
    rows = []
    for name, row in checks.items():
        if "low" in row:
            rng = interval(row["low"], row["high"])
            inside = "yes" if row["inside"] else "NO"
            share = f"{row['share_inside']:.0%}"
        else:
            rng, inside, share = "-", "-", "-"
        rows.append(
            [name, _num(row["median"]), interval(row["q5"], row["q95"]), rng, inside, share]
        )
    lines.append(
        fitted_table(
            ["quantity", "median", "90% interval", "range", "inside", "runs in"],
            rows,
            [False, True, True, True, True, True],
            width,
            drop_order=(2,),
            least_last=7,
        )
    )
    lines.append(
        wrap(
            "inside: whether the median lies in the target's range; runs in: the share of "
            "runs that do (the 90% interval shows with --wide where it does not fit).",
            prose,
        )
    )
    lines += ["", "Week each place falls, talks switched off (quantiles over runs it falls in)", ""]
    for place, row in places.items():
        lines.append(
            wrap(
                f"{place:12} falls in {row['p_fallen']:.0%} of runs; weeks q5 {_weeks(row['q5'])}, "
                f"q25 {_weeks(row['q25'])}, median {_weeks(row['q50'])}, q75 "
                f"{_weeks(row['q75'])}, q95 {_weeks(row['q95'])}",
                prose,
                "  ",
                " " * 15,
            )
        )
    return "\n".join(lines) + "\n"


def _weeks(value: float | None) -> str:
    """A week, whole (quantiles of weeks fall between them)."""
    if value is None or not np.isfinite(value):
        return "-"
    return f"{value:.0f}"
