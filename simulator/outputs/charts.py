"""What the classroom charts share: a projector-sized style, figures, safe text, saving.

Text from a scenario is shown literally (a ``$`` is not the start of a formula); the
style uses large fonts and leaves colour to help, never to carry, a distinction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from .plots import FORMATS, SVG_IDS, UNDATED, check_path

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

STYLE: dict[RcKeyType, Any] = {
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 11,
    "axes.spines.top": False,
    **SVG_IDS,
    "pdf.compression": 6,
}
"""rc settings for every classroom chart (set only while one is drawn)."""

SIDE_STYLES = (
    {"color": "#b2182b", "marker": "^"},
    {"color": "#2166ac", "marker": "o"},
)
"""The front's holder and the defender: a colour and a marker each."""


def styled(draw: Callable[..., Any]) -> Callable[..., Any]:
    """Draw (and save) inside the classroom style, leaving matplotlib's defaults alone."""

    @functools.wraps(draw)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import matplotlib

        matplotlib.use("Agg")
        with matplotlib.rc_context(STYLE):
            return draw(*args, **kwargs)

    return wrapper


def figure(width: float, height: float, rows: int = 1, **grid: Any) -> tuple[Any, Any]:
    """A figure with ``rows`` panels (an array of axes when there are several)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kwargs: dict[str, Any] = {"figsize": (width, height), "layout": "constrained"}
    if rows > 1:
        kwargs["gridspec_kw"] = {"height_ratios": grid.pop("height_ratios", None)}
        kwargs["sharex"] = grid.pop("sharex", False)
    return plt.subplots(rows, 1, **kwargs)


def literal(text: str) -> str:
    """``text`` as matplotlib shows it verbatim: dollars escaped (no mathtext), and a
    leading underscore kept (a legend hides labels that start with one)."""
    text = text.replace("$", r"\$")
    return "\u200b" + text if text.startswith("_") else text


def check_chart_path(path: Path) -> None:
    """Raise InputError, before any work, if a chart cannot be written to ``path``:
    a suffix other than .png/.svg/.pdf, a directory, or a folder that does not exist."""
    check_path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"{path}: the folder {parent} does not exist")


@styled
def save(fig: Any, path: Path) -> None:
    """Write ``fig`` atomically in the format its suffix names, then close it."""
    from .plots import _save

    _save(fig, path)


@styled
def chart_bytes(fig: Any, fmt: str = "png") -> bytes:
    """``fig`` as the bytes of a file (for embedding in a report), then closed."""
    import io

    import matplotlib.pyplot as plt

    if f".{fmt}" not in FORMATS:
        raise ValueError(f"no chart format {fmt}")
    buffer = io.BytesIO()
    try:
        fig.savefig(
            buffer,
            format=fmt,
            dpi=110,
            metadata=UNDATED[fmt],
        )
    finally:
        plt.close(fig)
    return buffer.getvalue()
