"""Manifests: what a study ran, with what, and how far it got; read back to resume.

A manifest is written (atomically) into a study's ``--out`` directory when the study
starts (``status: running``) and again when it completes (``status: complete``),
with the settings needed to run it again, the loaded scenario's hash, the scenario
file's hash, the version and the time taken.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from pathlib import Path
from typing import Any

from .. import __version__
from ..ensemble import CHUNK_SIZE, scenario_digest
from ..scenario.schema import Scenario

FILE_NAME = "manifest.json"


def build(
    command: str,
    command_line: list[str],
    settings: dict[str, Any],
    scenario: Scenario,
    seconds: float | None,
    status: str,
) -> dict[str, Any]:
    """The manifest of a study."""
    return {
        "command": command,
        "command_line": " ".join(command_line),
        "status": status,
        "version": __version__,
        "settings": settings,
        "scenario_name": scenario.name,
        "scenario_sha256": scenario_digest(scenario),
        "scenario_file_sha256": file_digest(settings.get("scenario")),
        "chunk_size": CHUNK_SIZE,
        "seconds": None if seconds is None else round(seconds, 3),
        "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
    }


def file_digest(path: str | None) -> str | None:
    """SHA-256 of a file as written, or None if there is no such file."""
    if path is None or not Path(path).is_file():
        return None
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read(directory: Path, command: str) -> dict[str, Any]:
    """The manifest of an interrupted ``command`` run kept in ``directory``.

    Raises:
        ValueError: no manifest there, or one of another command.
    """
    path = Path(directory) / FILE_NAME
    if not path.is_file():
        raise ValueError(f"{path}: no manifest here to resume from")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the manifest: {exc}") from None
    if manifest.get("command") != command:
        raise ValueError(f"{path}: this is a '{manifest.get('command')}' run, not '{command}'")
    return manifest


def check_unchanged(manifest: dict[str, Any], scenario: Scenario) -> None:
    """Raise ValueError if the scenario differs from the one the run started with."""
    if scenario_digest(scenario) != manifest.get("scenario_sha256"):
        raise ValueError(
            f"{manifest['settings']['scenario']}: the scenario changed since the run "
            "started; start a new run"
        )
