"""A tester's findings: the largest seed, scenario names against folders, sweeps that
vary what cannot be varied, scheduler ports."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import refused

import simulator
from simulator.cli import main
from simulator.ensemble import SCHEDULER_ADDRESS
from simulator.errors import MAX_SEED, InputError, ScenarioError
from simulator.scenario import load_scenario, resolve_scenario_path
from simulator.scenario.loader import BUNDLED_DIR

FAST = ["--weeks", "4"]


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


# ------------------------------------------------------------------------------ seeds


@pytest.mark.parametrize("command", [["run"], ["mc", "-n", "20"]])
def test_the_largest_seed_is_written_by_every_output(tmp_path, command):
    out = tmp_path / "out"
    result = invoke(*command, *FAST, "--seed", str(MAX_SEED), "--out", str(out))
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == MAX_SEED and manifest["status"] == "complete"
    for table in out.glob("*.parquet"):
        assert set(pd.read_parquet(table)["seed"]) == {MAX_SEED}
    for table in out.glob("*.csv"):
        assert set(pd.read_csv(table)["seed"]) == {MAX_SEED}


def test_a_seed_beyond_64_bits_is_refused_before_anything_is_written(tmp_path):
    out = tmp_path / "out"
    line = refused(invoke("run", *FAST, "--seed", str(MAX_SEED + 1), "--out", str(out)))
    assert "--seed" in line and str(MAX_SEED) in line
    assert not out.exists()


def test_a_scenario_seed_beyond_64_bits_is_refused_naming_the_field():
    with pytest.raises(ScenarioError) as caught:
        load_scenario("baseline", [f"seed={MAX_SEED + 1}"])
    assert caught.value.problems[0].field == "seed"
    assert load_scenario("baseline", [f"seed={MAX_SEED}"]).seed == MAX_SEED


@pytest.mark.parametrize("seed", [MAX_SEED + 1, -1, 1.5, True])
def test_the_python_api_refuses_a_seed_no_output_can_store(seed):
    with pytest.raises(InputError, match="seed"):
        simulator.run("baseline", seed=seed, weeks=2)


# ---------------------------------------------------------------------- scenario names


def test_a_folder_named_like_a_bundled_scenario_does_not_hide_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline").mkdir()
    (tmp_path / "theory" / "rubinstein").mkdir(parents=True)
    assert resolve_scenario_path("baseline") == BUNDLED_DIR / "baseline.yaml"
    assert resolve_scenario_path(None) == BUNDLED_DIR / "baseline.yaml"
    assert resolve_scenario_path("theory/rubinstein") == BUNDLED_DIR / "theory" / "rubinstein.yaml"
    result = invoke("run", "baseline", *FAST, "--format", "json")
    assert result.exit_code == 0, result.output


def test_a_bare_name_is_the_users_file_first_then_the_bundled_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_scenario_path("stalemate") == BUNDLED_DIR / "stalemate.yaml"
    assert resolve_scenario_path("stalemate.yaml") == BUNDLED_DIR / "stalemate.yaml"
    (tmp_path / "stalemate.yaml").write_text("extends: baseline\nname: mine\n")
    assert resolve_scenario_path("stalemate") == Path("stalemate.yaml")
    assert load_scenario("stalemate").name == "mine"
    (tmp_path / "stalemate").write_text("extends: baseline\nname: exact\n")
    assert load_scenario("stalemate").name == "exact"


def test_extends_follows_the_same_rule_from_the_scenarios_folder(tmp_path):
    (tmp_path / "baseline").mkdir()
    child = tmp_path / "child.yaml"
    child.write_text("extends: baseline\nname: child\n")
    assert load_scenario(child).actors == load_scenario("baseline").actors
    (tmp_path / "baseline.yaml").write_text("extends: stalemate\nname: local\n")
    (tmp_path / "mine.yaml").write_text("extends: baseline\ndescription: mine\n")
    scenario = load_scenario(tmp_path / "mine.yaml")
    assert (scenario.name, scenario.description) == ("local", "mine")


def test_a_missing_name_is_reported_as_the_users_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = refused(invoke("run", "no-such-scenario"))
    assert line.startswith("no-such-scenario")


# ----------------------------------------------------------------------------- sweeps


def test_a_sweep_refuses_to_vary_the_seed():
    line = refused(invoke("sweep", "--vary", "seed=1:3:3", "-n", "20", *FAST))
    assert line.startswith("--vary seed:") and "--seed" in line


def test_a_sweep_names_a_varied_value_that_cannot_be_used_by_its_vary():
    line = refused(invoke("sweep", "--vary", "actors.ukraine.resolve=0.5:1.5:3", "-n", "20"))
    assert line.startswith("--vary actors.ukraine.resolve=1.5:") and "--set" not in line
    assert refused(invoke("sweep", "--vary", "name=1:3:3", "-n", "20")).startswith("--vary name=")


def test_a_sweep_refuses_a_value_both_varied_and_set():
    path = "actors.ukraine.resolve"
    line = refused(
        invoke("sweep", "--vary", f"{path}=0.5:0.9:2", "--set", f"{path}=0.6", "-n", "20", *FAST)
    )
    assert path in line and "both varied and set" in line


# -------------------------------------------------------------------------- scheduler


@pytest.mark.parametrize("port", ["1", "8786", "65535"])
def test_a_scheduler_port_in_range_is_accepted(port):
    assert SCHEDULER_ADDRESS.match(f"tcp://127.0.0.1:{port}")


@pytest.mark.parametrize("port", ["0", "65536", "99999", "008786", "123456789"])
def test_a_scheduler_port_out_of_range_is_refused_at_once(port):
    assert not SCHEDULER_ADDRESS.match(f"tcp://127.0.0.1:{port}")


def test_the_command_refuses_a_port_out_of_range_in_one_line():
    pytest.importorskip("distributed")
    line = refused(invoke("mc", "-n", "10", "--scheduler", "tcp://127.0.0.1:99999"))
    assert line.startswith("--scheduler tcp://127.0.0.1:99999:") and "1 to 65535" in line


# ---------------------------------------------------------------------- --out folders


def test_force_never_clears_a_folder_that_holds_no_ceasefire_run(tmp_path):
    out = tmp_path / "mine"
    (out / "chunks").mkdir(parents=True)
    own = {"manifest.json": '{"mine": 1}', "weekly.csv": "a,b\n", "chunks/12345.npz": "x"}
    for name, text in own.items():
        (out / name).write_text(text)
    line = refused(invoke("run", *FAST, "--out", str(out), "--force"))
    assert "holds files that are not a ceasefire run's" in line and "manifest.json" in line
    assert {name: (out / name).read_text() for name in own} == own


def test_a_folder_of_notes_is_not_called_an_earlier_run(tmp_path):
    out = tmp_path / "notes"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    line = refused(invoke("mc", "-n", "20", *FAST, "--out", str(out)))
    assert "not a ceasefire run's (notes.txt)" in line
    assert "--resume" not in line and "earlier run" not in line


def test_a_folder_of_another_commands_run_says_which(tmp_path):
    out = tmp_path / "out"
    assert invoke("run", *FAST, "--out", str(out)).exit_code == 0
    line = refused(invoke("mc", "-n", "20", *FAST, "--out", str(out)))
    assert "holds a 'run' run" in line and "--force" in line and "--resume" not in line
    assert invoke("mc", "-n", "20", *FAST, "--out", str(out), "--force").exit_code == 0
    assert json.loads((out / "manifest.json").read_text())["command"] == "mc"


# ------------------------------------------------------------------ bad input fails fast

FAILS_FAST = """
import json, sys
from click.testing import CliRunner
from simulator.cli import main

found = {}
for args in json.loads(sys.argv[1]):
    result = CliRunner().invoke(main, args)
    heavy = [m for m in ("mesa", "scipy", "pandas", "matplotlib", "pyarrow") if m in sys.modules]
    found[" ".join(args)] = [result.exit_code, heavy]
print(json.dumps(found))
"""


def test_bad_input_fails_before_the_models_imports(tmp_path):
    """A bad scenario or --out fails in a fraction of a second: before Mesa, pandas,
    scipy or matplotlib are imported (which takes seconds on a busy machine)."""
    import subprocess
    import sys

    (tmp_path / "bad.yaml").write_text("format: [\n")
    (tmp_path / "afile").write_text("")
    commands = [
        ["analyze", "bad.yaml"],
        ["analyze", "--out", "afile"],
        ["drivers", "bad.yaml"],
        ["drivers", "--out", "afile"],
        ["plot", "bad.yaml", "-o", "x.png"],
        ["report", "bad.yaml", "-o", "r.html"],
        ["hindcast", "bad.yaml"],
        ["calibrate", "--check", "bad.yaml"],
        ["run", "--out", "afile"],
        ["mc", "--out", "afile"],
        ["sensitivity", "--out", "afile"],
        ["compare", "baseline", "bad.yaml"],
        ["play", "bad.yaml", "--as", "ukraine"],
    ]
    done = subprocess.run(
        [sys.executable, "-c", FAILS_FAST, json.dumps(commands)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(done.stdout)
    assert found == {" ".join(args): [2, []] for args in commands}


def test_force_removes_the_files_of_the_run_that_was_there_and_no_others(tmp_path):
    out = tmp_path / "out"
    assert invoke("mc", "-n", "20", *FAST, "--out", str(out)).exit_code == 0
    (out / "sweep.json").write_text("{}")  # a name `sweep` writes, but no run wrote it
    assert invoke("run", *FAST, "--out", str(out), "--force").exit_code == 0
    assert (out / "sweep.json").read_text() == "{}"
    assert not (out / "replications.csv").exists() and not (out / "summary.json").exists()
    assert json.loads((out / "manifest.json").read_text())["command"] == "run"
    assert invoke("mc", "-n", "20", *FAST, "--out", str(out), "--force").exit_code == 0
    assert not (out / "run.json").exists()


def test_every_command_with_out_says_which_files_it_writes():
    from simulator.outputs import rundir

    with_out = {
        name
        for name, command in main.commands.items()
        if any("--out" in getattr(param, "opts", ()) for param in command.params)
    }
    assert with_out == set(rundir.COMMAND_FILES)
    assert frozenset().union(*map(rundir.files_of, with_out)) == rundir.RUN_FILES
