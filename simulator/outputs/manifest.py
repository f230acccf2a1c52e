"""Manifests: what a study ran, with what, and how far it got; read back to resume.

A manifest is written (atomically) into a study's ``--out`` directory when the study
starts (``status: running``), when it is interrupted (``interrupted``) and when it
completes (``complete``), with the settings needed to run it again, the loaded
scenario's hash, the scenario file's hash, the version, the time taken and the
run's key: a hash of everything that decides its numbers, checked on resume.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .. import __version__
from ..ensemble import RANDOM_NUMBERS, scenario_digest
from ..errors import InputError
from ..scenario.schema import Scenario

FILE_NAME = "manifest.json"
STATUSES = ("running", "interrupted", "complete")


class Settings(BaseModel):
    """The settings a run is resumed with; anything else in them is kept, unchecked."""

    model_config = ConfigDict(extra="allow", strict=True)
    scenario: str
    overrides: list[str]
    replications: int = Field(ge=1)
    seed: int = Field(ge=0)
    weeks: int | None = Field(default=None, ge=1)
    vary: list[str] = []


class Manifest(BaseModel):
    """The fields of a manifest that resuming relies on."""

    model_config = ConfigDict(extra="allow", strict=True)
    command: str
    status: Literal["running", "interrupted", "complete"]
    settings: Settings
    scenario_sha256: str
    run_key: str


def run_key(command: str, settings: dict[str, Any], scenario: Scenario) -> str:
    """A hash of what decides a run's numbers: the command, its settings, the
    scenario as loaded, the random numbers' scheme and the version (chunk sizes and
    worker counts decide nothing)."""
    text = json.dumps(
        {
            "command": command,
            "settings": settings,
            "scenario": scenario_digest(scenario),
            "random_numbers": RANDOM_NUMBERS,
            "version": __version__,
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build(
    command: str,
    command_line: list[str],
    settings: dict[str, Any],
    scenario: Scenario,
    seconds: float | None,
    status: str,
) -> dict[str, Any]:
    """The manifest of a study."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    return {
        "command": command,
        "command_line": " ".join(command_line),
        "status": status,
        "version": __version__,
        "settings": settings,
        "seed": settings.get("seed"),
        "scenario_name": scenario.name,
        "scenario_sha256": scenario_digest(scenario),
        "scenario_file_sha256": file_digest(settings.get("scenario")),
        "random_numbers": RANDOM_NUMBERS,
        "run_key": run_key(command, settings, scenario),
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
    """The manifest of an unfinished ``command`` run kept in ``directory``.

    Raises:
        InputError: no manifest there, one that is not a manifest (the message says
            which field is wrong), one of another command, or one of a run that is
            complete (nothing to resume).
    """
    path = Path(directory) / FILE_NAME
    if not path.is_file():
        raise InputError(f"{path}: no manifest here to resume from")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read the manifest: {exc}") from None
    except RecursionError:  # JSON nested deeper than any manifest is
        raise InputError(f"{path}: cannot read the manifest: nested too deeply") from None
    try:
        Manifest.model_validate(manifest)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "the manifest"
        raise InputError(f"{path}: not a run manifest: {where}: {error['msg']}") from None
    if manifest["command"] != command:
        raise InputError(f"{path}: this is a '{manifest['command']}' run, not '{command}'")
    if manifest["status"] == "complete":
        raise InputError(
            f"{directory}: this {command} run is complete, so there is nothing to resume; "
            "its results are in the folder (to run it again, start it over)"
        )
    return manifest


def identify(directory: Path) -> dict[str, Any] | None:
    """The manifest in ``directory`` if it is a ceasefire run's (a JSON object naming its
    command, a known status, the scenario's hash and the run's key), else None.

    Deciding this before ``--force`` removes anything keeps a folder of the user's own
    files (a manifest.json of theirs among them) from being taken for a run's.
    """
    path = Path(directory) / FILE_NAME
    try:
        if not path.is_file() or path.is_symlink():
            return None
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(manifest, dict):
        return None
    fields = ("command", "scenario_sha256", "run_key", "version")
    if not all(isinstance(manifest.get(name), str) for name in fields):
        return None
    return manifest if manifest.get("status") in STATUSES else None


def check_key(manifest: dict[str, Any], scenario: Scenario) -> None:
    """Raise InputError if the stored run is not the run its manifest describes
    now: another version of the program, another chunk size, changed settings."""
    if run_key(manifest["command"], manifest["settings"], scenario) != manifest["run_key"]:
        raise InputError(
            "the stored run was made with other settings or another version of the program "
            "(its key does not match)"
        )


def check_unchanged(manifest: dict[str, Any], scenario: Scenario) -> None:
    """Raise InputError if the scenario differs from the one the run started with."""
    if scenario_digest(scenario) != manifest.get("scenario_sha256"):
        raise InputError(
            f"{manifest['settings']['scenario']}: the scenario changed since the run "
            "started; start a new run"
        )
