"""`ceasefire sensitivity --method sobol` as text (a table per outcome) and as a chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InputError
from .text import fit, table, wrap

DEFAULT_TOP = 10
"""Inputs shown per outcome when --top is not given."""
INPUT_WIDTH = 44
PAIR_LABEL = "red lines together"
COLOURS: dict[Any, str] = {1: "#4c72b0", 2: "#dd8452", "S2": "#55a868", "noise": "#999999"}
HATCHES: dict[Any, str] = {1: "", 2: "...", "S2": "xxx", "noise": "---"}
"""Each index's hatching, so that the chart reads in black and white, not by colour alone."""
LEGEND: dict[Any, str] = {
    1: "S1 (alone, plain)",
    2: "ST (with interactions, dotted)",
    "S2": "S2 of the red lines (crossed)",
    "noise": "share of the runs' noise (lined)",
}


def _short(path: str, width: int = INPUT_WIDTH) -> str:
    """A dotted path that fits its column: the middle gives way to '…'."""
    if len(path) <= width:
        return path
    keep = width - 1
    return path[: keep // 2] + "…" + path[-(keep - keep // 2) :]


def _share(figure: dict[str, Any]) -> str:
    """A share and its 95% interval, for a sentence: ``9.3% [5.2, 13.3]``."""
    low, high = figure["ci95"]
    return f"{100 * figure['value']:.1f}% [{100 * low:.1f}, {100 * high:.1f}]"


def _pct(figure: dict[str, Any] | None) -> str:
    """An index and its 95% interval, in percent: ``17.3 [7.1, 27.6]``."""
    if figure is None:
        return ""
    low, high = figure["ci95"]
    return f"{100 * figure['value']:.1f} [{100 * low:.1f}, {100 * high:.1f}]"


def sobol_summary(report: dict[str, Any], top: int | None = None, width: int | None = 80) -> str:
    """One table per headline outcome: the inputs ranked by total-order index.

    Paths give way in their middle so that the table fits ``width`` (None: 100).
    """
    top = DEFAULT_TOP if top is None else top
    prose = fit(width)
    input_width = INPUT_WIDTH
    inputs = len(report["inputs"])
    lines = [
        wrap(
            f"{report['scenario']}: Sobol' indices from {report['samples']:,} base samples "
            f"({report['evaluations']:,} runs of {report['weeks']} weeks), seed "
            f"{report['seed']}, over the scenario's {inputs} uncertain numbers. S1: the share "
            "of the outcome's variance an input explains alone; ST: alone and with every "
            "other input. Shares of the whole variance, the runs' own noise (fighting, "
            "breakdowns) included; percent, with 95% intervals.",
            width=prose,
        ),
    ]
    for key, outcome in report["outcomes"].items():
        lines.append("")
        mean = outcome["mean"]
        share = key.startswith("p_") or key == "control_at_end"  # percent, as everywhere
        mean_text = f"{100 * mean:.1f}%" if share else f"{mean:.3g}"
        if outcome["constant"]:
            lines.append(wrap(f"{outcome['label']}: {mean_text}; {outcome['note']}.", prose))
            continue
        lines.append(
            wrap(
                f"{outcome['label']}: {mean_text}; noise share {_share(outcome['noise'])}; "
                f"sum of S1 {_share(outcome['first_order_sum'])}",
                width=prose,
            )
        )
        shown_rows = outcome["indices"][:top]
        numbers = [_pct(r[k]) for r in shown_rows for k in ("S1", "ST")]
        if outcome["pair"] is not None:
            numbers.append(_pct(outcome["pair"]["S2"]))
        if width is not None:  # the intervals keep their digits; the paths give way
            widest = max([len(n) for n in numbers] + [10])
            input_width = max(29, min(INPUT_WIDTH, prose - 10 - 2 * widest))
        rows: list[list[Any]] = [
            [rank, _short(row["path"], input_width), _pct(row["S1"]), _pct(row["ST"])]
            for rank, row in enumerate(shown_rows, start=1)
        ]
        pair = outcome["pair"]
        if pair is not None:
            rows.append(["", f"{PAIR_LABEL}: S2", _pct(pair["S2"]), ""])
            rows.append(["", f"{PAIR_LABEL}: S1+S1+S2", f"{100 * pair['closed']:.1f}", ""])
        shown = min(top, len(outcome["indices"]))
        lines.append(
            table(
                ["rank", f"input (top {shown} of {inputs} by ST)", "S1 % [95%]", "ST % [95%]"],
                rows,
                [True, False, True, True],
            )
        )
    if report["red_line_pair"] is None:
        lines += ["", "The red lines are not both uncertain: no index for the pair."]
    else:
        first, second = report["red_line_pair"]
        lines += [
            "",
            wrap(
                f"{PAIR_LABEL}: {first} and {second}. S2 is what they do together beyond "
                "what each does alone (Saltelli 2002); S1+S1+S2 is what the pair explains "
                "together. ST is net of the noise share.",
                width=prose,
            ),
        ]
    return "\n".join(lines)


Bar = tuple[str, dict[str, Any] | None, dict[str, Any] | None, str | None]
"""One bar pair of the chart: its label, S1 and ST figures (either may be missing),
and the colour key that overrides the index's own."""


def _whisker(figure: dict[str, Any] | None) -> list[float]:
    """Distances from an index down and up to the ends of its interval."""
    if figure is None:
        return [0.0, 0.0]
    low, high = figure["ci95"]
    return [figure["value"] - low, high - figure["value"]]


def _crosses_zero(figure: dict[str, Any]) -> bool:
    low, high = figure["ci95"]
    return low <= 0.0 <= high


def sobol_plot(report: dict[str, Any], path: Path, top: int | None = None) -> None:
    """A panel per outcome: S1 and ST of the top inputs, with 95% whiskers, in percent."""
    import numpy as np
    from matplotlib.patches import Patch
    from matplotlib.ticker import PercentFormatter

    from .plots import OVERLAP_COLOUR, OVERLAP_HATCH, _figure, _save

    top = DEFAULT_TOP if top is None else top
    outcomes = [o for o in report["outcomes"].values() if not o["constant"]]
    if not outcomes:
        raise InputError("no outcome varied: nothing to draw")
    panels = []
    for outcome in outcomes:
        bars: list[Bar] = [
            (_short(r["path"]), r["S1"], r["ST"], None) for r in outcome["indices"][:top]
        ]
        if outcome["pair"] is not None:
            bars.append((f"{PAIR_LABEL} (S2)", outcome["pair"]["S2"], None, "S2"))
        bars.append(("noise of the runs", None, outcome["noise"], "noise"))
        panels.append((outcome["label"], bars))
    heights = [0.32 * len(bars) + 0.9 for _, bars in panels]
    fig, axes = _figure(9.0, sum(heights) + 1.1)
    fig.delaxes(axes)
    grid = fig.add_gridspec(len(panels), 1, height_ratios=heights)
    crossing = False
    for index, (label, bars) in enumerate(panels):
        ax = fig.add_subplot(grid[index])
        y = np.arange(len(bars))[::-1]
        for offset, key in ((0.2, 1), (-0.2, 2)):
            figures = [bar[1] if key == 1 else bar[2] for bar in bars]
            values = [np.nan if figure is None else figure["value"] for figure in figures]
            drawn = ax.barh(
                y + offset,
                values,
                height=0.4,
                xerr=np.array([_whisker(figure) for figure in figures]).T,
                color=[
                    COLOURS[bar[3] if bar[3] and figure else key]
                    for bar, figure in zip(bars, figures, strict=True)
                ],
                edgecolor="black",
                linewidth=0.5,
                error_kw={"elinewidth": 0.8, "capsize": 2},
            )
            for patch, bar, figure in zip(drawn.patches, bars, figures, strict=True):
                hatch = HATCHES[bar[3] if bar[3] and figure else key]
                patch.set_hatch(hatch)
                if figure is not None and _crosses_zero(figure):
                    patch.set_facecolor(OVERLAP_COLOUR)
                    patch.set_hatch(OVERLAP_HATCH + hatch)
                    patch.set_edgecolor("#555555")
                    crossing = True
        ax.set_yticks(y, [bar[0] for bar in bars], fontsize=7)
        ax.axvline(0, color="black", linewidth=0.6)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_title(label, fontsize=9, loc="left")
        ax.tick_params(axis="x", labelsize=7)
    handles = [
        Patch(facecolor=COLOURS[k], edgecolor="black", hatch=HATCHES[k], label=LEGEND[k])
        for k in (1, 2, "S2", "noise")
    ]
    if crossing:
        handles.append(
            Patch(
                facecolor=OVERLAP_COLOUR,
                hatch=OVERLAP_HATCH,
                edgecolor="#777777",
                label="95% interval includes zero: not told apart from none (striped grey)",
            )
        )
    fig.legend(handles=handles, fontsize=7, loc="outside lower center", ncols=3)
    fig.suptitle(
        f"{report['scenario']}: Sobol' indices ({report['samples']:,} base samples), 95% intervals",
        fontsize=10,
    )
    _save(fig, path)
