"""User errors and bugs are told apart: one base class for what a user can fix, and
a traceback with a request for a report for everything else."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator import __version__
from simulator.cli import main
from simulator.errors import CeasefireError, InputError, NotInstalled, ScenarioError
from simulator.outputs.rundir import FolderInUse
from simulator.studies import Vary

PACKAGE = Path(__file__).resolve().parent.parent / "simulator"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_user_errors_share_one_base_class():
    for kind in (ScenarioError, InputError, NotInstalled, FolderInUse):
        assert issubclass(kind, CeasefireError)
    # Callers that caught ValueError before keep working.
    assert issubclass(InputError, ValueError)


@pytest.mark.parametrize(
    ("command", "target"),
    [
        (["run", "--weeks", "2"], "simulator.model.CeasefireModel.step"),
        (["mc", "-n", "20", "--weeks", "2"], "simulator.ensemble.Runs.run"),
    ],
)
@pytest.mark.parametrize("exception", [ValueError, RuntimeError, KeyError])
def test_a_bug_ends_in_a_traceback_and_a_request_for_a_report(
    monkeypatch, command, target, exception
):
    """Any exception other than a CeasefireError is a bug in the program: the user sees
    where it happened and what to report, not a one-line message that hides it."""

    def broken(*_args, **_kwargs):
        raise exception("an internal inconsistency")

    monkeypatch.setattr(target, broken)
    result = invoke(*command)
    assert result.exit_code == 70
    assert "Traceback (most recent call last)" in result.stderr
    assert "an internal inconsistency" in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "bug" in last and __version__ in last
    assert f"ceasefire {' '.join(command)}" in last


def test_user_input_errors_stay_one_line_with_the_flag():
    """The library names the value; the command line names the flag it came in by."""
    with pytest.raises(InputError) as caught:
        Vary.parse("actors.ukraine.resolve=0.5:0.9")
    assert caught.value.parameter == "vary"
    assert "--" not in str(caught.value)
    result = invoke("sweep", "-n", "10", "--vary", "actors.ukraine.resolve=0.5:0.9")
    assert result.exit_code == 2
    assert result.stderr.startswith("--vary actors.ukraine.resolve=0.5:0.9: expected")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_scenario_outside_its_folder_names_the_flag_only_on_the_command_line(tmp_path):
    (tmp_path / "parent.yaml").write_text("extends: baseline\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    child = tmp_path / "sub" / "child.yaml"
    child.write_text("extends: ../parent.yaml\n", encoding="utf-8")
    result = invoke("validate", str(child))
    assert result.exit_code == 2
    assert "(--allow-outside)" in result.stderr


_FLAG = re.compile(r"(?<![\w-])--[a-z]")


def _raised_strings(tree: ast.AST):
    """Every piece of literal text in a ``raise`` statement (f-strings included)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            for inner in ast.walk(node.exc):
                if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                    yield node.lineno, inner.value


def test_library_messages_name_no_command_line_flag():
    """The library is called from Python too: its error messages name values and
    parameters, and the command line adds its flags."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "cli" in path.relative_to(PACKAGE).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [
            f"{path.relative_to(PACKAGE)}:{line}: {text}"
            for line, text in _raised_strings(tree)
            if _FLAG.search(text)
        ]
    assert not found, "\n".join(found)


def test_the_flag_check_finds_a_flag():
    tree = ast.parse('raise ValueError(f"--vary {x}: bad")')
    assert any(_FLAG.search(text) for _, text in _raised_strings(tree))
