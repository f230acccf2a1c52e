"""Every command in docs/classroom.md runs and exits 0."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main

DOC = Path(__file__).resolve().parents[1] / "docs" / "classroom.md"
COMMANDS = [
    line[2:].strip()
    for line in DOC.read_text(encoding="utf-8").splitlines()
    if line.startswith("$ ceasefire ")
]


def test_the_lesson_has_its_commands():
    names = {shlex.split(command)[1] for command in COMMANDS}
    assert {"explain", "run", "play", "mc"} <= names
    assert any("--pick agreed" in c and "--narrate" in c for c in COMMANDS)
    assert any("--pick none" in c for c in COMMANDS)
    assert any("--as russia --as ukraine" in c for c in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_in_the_lesson_runs(command, tmp_path, monkeypatch):
    args = shlex.split(command)[1:]
    monkeypatch.chdir(tmp_path)  # files the lesson writes land here
    # A game from empty input ends at its first question, cleanly.
    result = CliRunner().invoke(main, args, input="")
    assert result.exit_code == 0, f"{command}\n{result.output}"
    if "-o" in args:  # a chart or report: the file it names, not the screen
        assert (tmp_path / args[args.index("-o") + 1]).stat().st_size > 0
    else:
        assert result.stdout.strip()
    if "--transcript" in args:
        assert (tmp_path / args[args.index("--transcript") + 1]).read_text().strip()
