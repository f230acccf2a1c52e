"""The project stands alone: a built wheel, installed elsewhere, runs the bundled scenarios.

The wheel is built from a copy of the files a release holds (not the working tree, so
nothing beside the repository can help), installed into a fresh virtual environment
that borrows only the already-installed dependencies, and run from a folder outside
the repository.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RELEASE_FILES = ("pyproject.toml", "README.md", "cli.py", "simulator", "scenarios")


def test_pyproject_lists_every_package():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "simulator").rglob("__init__.py")
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def _run(*args: str | Path, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    completed = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


@pytest.mark.wheel
def test_an_installed_wheel_runs_the_bundled_scenarios_from_any_folder(tmp_path):
    source = tmp_path / "release"
    source.mkdir()
    for name in RELEASE_FILES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    dist = tmp_path / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, source, cwd=tmp_path)
    (wheel,) = dist.glob("ceasefire-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        top = {name.split("/", 1)[0] for name in archive.namelist()}
        entry_points = next(n for n in archive.namelist() if n.endswith("entry_points.txt"))
        scripts = archive.read(entry_points).decode()
    # Only the package and its metadata at the top: no module named `cli` (or any
    # other) to clash with another distribution's.
    assert {t for t in top if not t.endswith(".dist-info")} == {"simulator"}, sorted(top)
    assert "ceasefire = simulator.cli:main" in scripts, scripts

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path
        ).stdout.strip()
    )
    # Dependencies come from this environment's site-packages (a path, so its .pth files,
    # including this checkout's editable install, are not processed).
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run(
        sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
        "--no-index", wheel, cwd=tmp_path,
    )  # fmt: skip

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run(
        python, "-c", "from simulator.scenario.loader import BUNDLED_DIR; print(BUNDLED_DIR)",
        cwd=elsewhere,
    )  # fmt: skip
    assert Path(where.stdout.strip()).is_relative_to(site), where.stdout
    assert not (site / "cli.py").exists() and not (site / "cli").exists()
    no_cli = "import importlib.util; print(importlib.util.find_spec('cli'))"
    assert _run(python, "-c", no_cli, cwd=elsewhere).stdout.strip() == "None"
    version = _run(venv / "bin" / "ceasefire", "--version", cwd=elsewhere).stdout
    assert "0.1.0" in version, version
    ran = _run(venv / "bin" / "ceasefire", "run", "--weeks", "2", cwd=elsewhere)
    assert "in 2 weeks" in ran.stdout, ran.stdout
    assert ran.stderr == ""  # no notes about missing files
    listed = _run(venv / "bin" / "ceasefire", "list", cwd=elsewhere).stdout
    assert "theory/rubinstein" in listed and "(invalid" not in listed
    # The hindcast's observed record and the calibration's targets ship too.
    scored = _run(venv / "bin" / "ceasefire", "hindcast", "-n", "20", cwd=elsewhere)
    assert "scored" in scored.stdout, scored.stdout + scored.stderr
    targets = "from simulator.calibration import load_targets; print(load_targets().cutoff)"
    shipped = _run(python, "-c", targets, cwd=elsewhere)
    assert shipped.stdout.strip() == "2025-01-06", shipped.stdout + shipped.stderr
    assert list(elsewhere.iterdir()) == []
