"""Charts for studies: a sweep's heat map or curve, a tornado chart, agreement over time.

Matplotlib with the non-interactive Agg backend; files are written atomically in
the format their suffix names (.png, .svg, .pdf).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

LITERAL_TEXT: dict[RcKeyType, Any] = {"text.parse_math": False, "text.usetex": False}
"""Titles and labels carry scenario names and field paths: data, never markup, so a
name such as ``$x^$`` shows as written instead of failing as bad math text."""


def _literal_text(plot: Callable[..., None]) -> Callable[..., None]:
    """Draw and save ``plot``'s figure with math text and TeX off."""

    @functools.wraps(plot)
    def literal(*args: Any, **kwargs: Any) -> None:
        import matplotlib

        with matplotlib.rc_context(LITERAL_TEXT):
            plot(*args, **kwargs)

    return literal


def _figure(width: float = 7.0, height: float = 4.5):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height), layout="constrained")


FORMATS = (".png", ".svg", ".pdf")

SVG_IDS: dict[RcKeyType, Any] = {"svg.hashsalt": "ceasefire"}
"""Without a salt, matplotlib names an SVG's clip paths at random, run after run."""

UNDATED = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}
"""Metadata that matplotlib would otherwise write into each chart file (the time it was
saved; a PNG's software version): left out, the same chart is the same bytes."""


def check_path(path: Path) -> None:
    """Raise InputError, before any work is done, if a chart cannot go to ``path``."""
    if path.suffix.lower() not in FORMATS:
        raise InputError(f"{path}: a chart file must end in {', '.join(FORMATS)}")
    if path.exists() and path.is_dir():
        raise InputError(f"{path}: is a directory")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{path}: the folder {folder} does not exist")


def _save(fig: Any, path: Path) -> None:
    import matplotlib
    import matplotlib.pyplot as plt

    from ..atomic import open_atomic

    fmt = path.suffix.lower().lstrip(".")
    try:
        with open_atomic(path, "wb") as stream, matplotlib.rc_context(SVG_IDS):
            fig.savefig(stream, format=fmt, dpi=120, metadata=UNDATED[fmt])
    finally:
        plt.close(fig)


OVERLAP_COLOUR = "#bbbbbb"
OVERLAP_HATCH = "////"
OVERLAP_LABEL = "95% intervals overlap: not told apart from chance"
LOW_STYLE: dict[str, Any] = {
    "facecolor": "#4c72b0",
    "edgecolor": "black",
    "linewidth": 0.5,
    "hatch": "",
}
HIGH_STYLE: dict[str, Any] = {
    "facecolor": "#dd8452",
    "edgecolor": "black",
    "linewidth": 0.5,
    "hatch": "...",
}
"""The tornado's bars at a value's 10th and 90th percentile: told apart by their hatching
(none, dots) as well as by colour, so that the chart reads in black and white."""


def _percent_axis(axis: Any) -> None:
    from matplotlib.ticker import PercentFormatter

    axis.set_major_formatter(PercentFormatter(1.0))


def _is_share(measure: str) -> bool:
    """Probabilities and shares of territory draw on a percent axis; weeks do not."""
    return measure.startswith("p_") or "territory" in measure


def _wilson_band(p: list[float], n: int) -> tuple[Any, Any]:
    import numpy as np

    from ..summaries import wilson

    pairs = [
        (np.nan, np.nan) if np.isnan(v) else wilson(round(v * n), n) for v in np.asarray(p, float)
    ]
    return np.array([a for a, _ in pairs]), np.array([b for _, b in pairs])


LABELS = {
    "p_agreement": "P(agreement by the horizon)",
    "median_week": "median week of agreement",
    "median_territory": "median agreed territory (% of the four oblasts)",
    "p_breakdown": "P(a settlement breaks down)",
    "p_in_force_at_end": "P(a settlement in force at the end)",
}


@_literal_text
def sweep_plot(result: dict[str, Any], path: Path, measure: str = "p_agreement") -> None:
    """A heat map over two swept values, each cell labelled with its value; or a curve
    over one, with a 95% band for a probability."""
    import numpy as np

    varies = result["varies"]
    cells = result["cells"]
    fig, ax = _figure()
    label = LABELS.get(measure, measure.replace("_", " "))
    share = _is_share(measure)
    if len(varies) == 1:
        name = varies[0]["path"]
        xs = [c["values"][name] for c in cells]
        ys = [np.nan if c[measure] is None else c[measure] for c in cells]
        ax.plot(xs, ys, marker="o", label=label)
        if measure.startswith("p_") and measure != "p_breakdown" and "replications" in result:
            low, high = _wilson_band(ys, result["replications"])
            ax.fill_between(xs, low, high, alpha=0.25, label="95% interval")
            ax.legend(fontsize=8)
        ax.set_xticks(xs, [_tick(v, xs) for v in xs])
        ax.set_xlabel(name)
        ax.set_ylabel(label)
        if share:
            _percent_axis(ax.yaxis)
    else:
        first, second = varies[0]["path"], varies[1]["path"]
        xs = sorted({c["values"][first] for c in cells})
        ys = sorted({c["values"][second] for c in cells})
        grid = np.full((len(ys), len(xs)), np.nan)
        for c in cells:
            value = c[measure]
            grid[ys.index(c["values"][second]), xs.index(c["values"][first])] = (
                np.nan if value is None else value
            )
        image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
        bar = fig.colorbar(image, ax=ax, label=label)
        if share:
            _percent_axis(bar.ax.yaxis)
        middle = np.nanmean(grid) if np.isfinite(grid).any() else 0.0
        for row, _ in enumerate(ys):
            for column, _ in enumerate(xs):
                value = grid[row, column]
                text = "none" if np.isnan(value) else _cell_text(value, share)
                dark = np.isnan(value) or value < middle
                ax.text(
                    column,
                    row,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if dark else "black",
                )
        ax.set_xticks(range(len(xs)), [_tick(v, xs) for v in xs])
        ax.set_yticks(range(len(ys)), [_tick(v, ys) for v in ys])
        ax.set_xlabel(first)
        ax.set_ylabel(second)
    ax.set_title(f"{result['scenario']}: {label}")
    _save(fig, path)


def _cell_text(value: float, share: bool) -> str:
    return f"{100 * value:.0f}%" if share else f"{value:.0f}"


def _tick(value: float, values: list[float]) -> str:
    from .text import tidy

    step = (values[-1] - values[0]) / (len(values) - 1) if len(values) > 1 else None
    return tidy(value, step)


@_literal_text
def tornado_plot(report: dict[str, Any], path: Path, top: int | None = None) -> None:
    """The uncertain values that move the chance of agreement most, as a tornado chart.

    ``top`` bars (15 unless given). A value whose chances at its two percentiles have
    overlapping 95% intervals is drawn grey and hatched: its swing is not told apart
    from chance.
    """
    from matplotlib.patches import Patch

    from ..summaries import wilson

    top = 15 if top is None else top
    rows = report["values"][:top][::-1]
    base = report["base"]["p_agreement"]
    n = report.get("replications")
    fig, ax = _figure(8.0, 0.35 * len(rows) + 2.2)
    overlapping = False
    for index, row in enumerate(rows):
        low, high = row["low"]["p_agreement"], row["high"]["p_agreement"]
        overlap = n is not None and _overlap(wilson(round(low * n), n), wilson(round(high * n), n))
        overlapping |= overlap
        for value, style in ((low, LOW_STYLE), (high, HIGH_STYLE)):
            if overlap:  # grey and striped, its dots (or none) still saying which end
                style = {**style, "facecolor": OVERLAP_COLOUR, "edgecolor": "#555555"}
                style["hatch"] = OVERLAP_HATCH + style["hatch"]
            ax.barh(index, value - base, left=base, **style)
    ax.set_yticks(range(len(rows)), [row["path"] for row in rows], fontsize=8)
    ax.axvline(base, color="black", linewidth=0.8)
    _percent_axis(ax.xaxis)
    ax.set_xlabel(f"P(agreement by the horizon); the line: {100 * base:.1f}% with all sampled")
    handles = [
        Patch(**LOW_STYLE, label="value at its 10th percentile"),
        Patch(**HIGH_STYLE, label="value at its 90th percentile (dotted)"),
    ]
    if overlapping:
        handles.append(
            Patch(
                facecolor=OVERLAP_COLOUR,
                hatch=OVERLAP_HATCH,
                edgecolor="#777777",
                label=OVERLAP_LABEL,
            )
        )
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=8)
    ax.set_title(f"{report['scenario']}: what the chance of an agreement depends on")
    _save(fig, path)


def _overlap(first: tuple[float, float], second: tuple[float, float]) -> bool:
    return first[0] <= second[1] and second[0] <= first[1]
