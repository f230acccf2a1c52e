"""`ceasefire calibrate` output: the targets, the kept region, the predictive checks.

A text report and a chart (each simulated quantity against its published range).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .plots import _figure, _save


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
    summary: dict[str, Any], checks: dict[str, dict[str, Any]], places: dict[str, Any]
) -> str:
    """The text report: targets, method and waves, prior and kept ranges, checks.

    ``summary`` is :meth:`Calibration.to_dict`; ``checks`` the scenario's predictive
    checks; ``places`` each place's fall-week quantiles with the talks switched off.
    """
    lines = ["Targets (public figures of 2024 and before)", ""]
    lines.append(f"  {'target':24} {'value':>8} {'range':>17}  unit; claimant, date")
    for name, t in summary["targets"].items():
        rng = f"[{_num(t['range'][0])}, {_num(t['range'][1])}]"
        lines.append(
            f"  {name:24} {_num(t['value']):>8} {rng:>17}  {t['unit']}; {t['claimant']}, "
            f"{t['date']}"
        )
    lines += ["", "Method: history matching (implausibility < cutoff on every target)", ""]
    for i, wave in enumerate(summary["waves"], start=1):
        lines.append(
            f"  wave {i}: {wave['points']:,} points x {wave['replications_per_point']} "
            f"replications, {wave['kept']:,} not implausible"
        )
    lines.append(
        f"  box of calibrated ranges: {summary['box_share']:.0%} of its points not implausible"
    )
    lines += ["", f"  {'parameter':24} {'prior':>17} {'kept 5-95%':>19} {'calibrated':>19}"]
    for name, p in summary["parameters"].items():
        prior = f"[{_num(p['prior'][0])}, {_num(p['prior'][1])}]"
        kept = p["kept_points_5_95"] or [float("nan")] * 2
        kept_s = f"[{_num(kept[0])}, {_num(kept[1])}]"
        cal = f"[{_num(p['calibrated_range'][0])}, {_num(p['calibrated_range'][1])}]"
        lines.append(f"  {name:24} {prior:>17} {kept_s:>19} {cal:>19}")
    lines += [
        "",
        "Predictive checks: the scenario's first year, talks switched off",
        "",
        f"  {'quantity':24} {'median':>8} {'90% interval':>19} {'range':>17} "
        f"{'median in':>9} {'runs in':>7}",
    ]
    for name, row in checks.items():
        interval = f"[{_num(row['q5'])}, {_num(row['q95'])}]"
        if "low" in row:
            rng = f"[{_num(row['low'])}, {_num(row['high'])}]"
            inside = "yes" if row["inside"] else "NO"
            share = f"{row['share_inside']:.0%}"
        else:
            rng, inside, share = "-", "-", "-"
        lines.append(
            f"  {name:24} {_num(row['median']):>8} {interval:>19} {rng:>17} {inside:>9} {share:>7}"
        )
    lines += ["", "Week each place falls, talks switched off (quantiles over runs it falls in)", ""]
    for place, row in places.items():
        lines.append(
            f"  {place:12} falls in {row['p_fallen']:.0%} of runs; weeks q5 {_num(row['q5'])}, "
            f"q25 {_num(row['q25'])}, median {_num(row['q50'])}, q75 {_num(row['q75'])}, "
            f"q95 {_num(row['q95'])}"
        )
    return "\n".join(lines) + "\n"
