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


def check_path(path: Path) -> None:
    """Raise InputError, before any work is done, if a chart cannot go to ``path``."""
    if path.suffix.lower() not in FORMATS:
        raise InputError(f"{path}: a chart file must end in {', '.join(FORMATS)}")
    if path.exists() and path.is_dir():
        raise InputError(f"{path}: is a directory")


def _save(fig: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    from ..atomic import open_atomic

    try:
        with open_atomic(path, "wb") as stream:
            fig.savefig(
                stream,
                format=path.suffix.lower().lstrip("."),
                dpi=120,
                metadata={"Software": None} if path.suffix.lower() == ".png" else None,
            )
    finally:
        plt.close(fig)


@_literal_text
def sweep_plot(result: dict[str, Any], path: Path, measure: str = "p_agreement") -> None:
    """A heat map over two swept values, or a curve over one."""
    import numpy as np

    varies = result["varies"]
    cells = result["cells"]
    fig, ax = _figure()
    label = measure.replace("_", " ")
    if len(varies) == 1:
        name = varies[0]["path"]
        xs = [c["values"][name] for c in cells]
        ys = [np.nan if c[measure] is None else c[measure] for c in cells]
        ax.plot(xs, ys, marker="o")
        ax.set_xlabel(name)
        ax.set_ylabel(label)
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
        image = ax.imshow(
            grid, origin="lower", aspect="auto", cmap="viridis", extent=_extent(xs, ys)
        )
        fig.colorbar(image, ax=ax, label=label)
        ax.set_xlabel(first)
        ax.set_ylabel(second)
    ax.set_title(f"{result['scenario']}: {label}")
    _save(fig, path)


def _extent(xs: list[float], ys: list[float]) -> list[float]:
    def edges(values: list[float]) -> tuple[float, float]:
        if len(values) == 1:
            return values[0] - 0.5, values[0] + 0.5
        step = (values[-1] - values[0]) / (len(values) - 1)
        return values[0] - step / 2, values[-1] + step / 2

    return [*edges(xs), *edges(ys)]


@_literal_text
def tornado_plot(report: dict[str, Any], path: Path, top: int = 15) -> None:
    """The uncertain values that move the chance of agreement most, as a tornado chart."""
    from matplotlib.patches import Patch

    rows = report["values"][:top][::-1]
    base = report["base"]["p_agreement"]
    fig, ax = _figure(8.0, 0.35 * len(rows) + 1.5)
    for index, row in enumerate(rows):
        low, high = row["low"]["p_agreement"], row["high"]["p_agreement"]
        ax.barh(index, low - base, left=base, color="#4c72b0")
        ax.barh(index, high - base, left=base, color="#dd8452")
    ax.set_yticks(range(len(rows)), [row["path"] for row in rows], fontsize=8)
    ax.axvline(base, color="black", linewidth=0.8)
    ax.set_xlabel("P(agreement by the horizon)")
    ax.legend(
        handles=[
            Patch(color="#4c72b0", label="value at its 10th percentile"),
            Patch(color="#dd8452", label="value at its 90th percentile"),
        ],
        loc="lower right",
        fontsize=8,
    )
    ax.set_title(f"{report['scenario']}: what the chance of a cease-fire depends on")
    _save(fig, path)


@_literal_text
def agreement_plot(summary: dict[str, Any], path: Path) -> None:
    """The cumulative probability of an agreement, week by week."""
    rows = summary["cumulative_agreement"]
    fig, ax = _figure()
    ax.step([r["week"] for r in rows], [r["p"] for r in rows], where="post")
    ax.set_xlabel(f"week (from {summary['cumulative_agreement'][0]['date']})")
    ax.set_ylabel("probability of an agreement by then")
    ax.set_title(f"{summary['scenario']}: {summary['replications']:,} replications")
    _save(fig, path)
