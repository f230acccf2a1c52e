"""Shared fixtures: scenario files written into a test's tmp_path."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

# In CI, property tests draw the same examples every run, so a failure can be replayed.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def baseline_text() -> str:
    """The bundled baseline's text (it refers to nothing outside itself)."""
    return BASELINE.read_text(encoding="utf-8")


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[..., Path]:
    """``write_scenario(old, new, name=..., text=...)``: a copy of the baseline (or
    ``text``) in tmp_path, with ``old`` (which must occur exactly once) replaced by ``new``.
    """

    def write(
        old: str | None = None,
        new: str = "",
        *,
        name: str = "scenario.yaml",
        text: str | None = None,
    ) -> Path:
        content = baseline_text() if text is None else text
        if old is not None:
            assert content.count(old) == 1, f"{old!r} occurs {content.count(old)} times"
            content = content.replace(old, new)
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        return path

    return write


def refused(result) -> str:
    """The one-line message of a refused command (exit 2, no traceback)."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]
