"""The ensemble commands through click's CliRunner: mc, sweep, sensitivity, compare."""

from __future__ import annotations

import json
import shlex

import pandas as pd
import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.ensemble import CHUNK_SIZE
from simulator.scenario import bundled_scenarios

FAST = ["--weeks", "20", "--set", "horizon=20"]


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def mark_interrupted(out) -> None:
    """Make a finished run look interrupted (a finished run is not resumed)."""
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "status": "interrupted"}))


def as_json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_mc_json_has_the_headline_fields():
    summary = as_json(invoke("mc", "-n", "300", *FAST, "--format", "json"))
    assert summary["replications"] == 300
    assert set(summary["p_agreement"]) >= {"value", "ci95"}
    low, high = summary["p_agreement"]["ci95"]
    assert low <= summary["p_agreement"]["value"] <= high
    weeks = [row["week"] for row in summary["cumulative_agreement"]]
    assert weeks == list(range(1, 21))
    ps = [row["p"] for row in summary["cumulative_agreement"]]
    assert ps == sorted(ps)
    assert {"agreement_week_quantiles", "terms_quantiles", "p_breakdown", "losses"} <= set(summary)


def test_mc_table_reads_as_sentences_and_tables():
    result = invoke("mc", "-n", "200", *FAST)
    assert result.exit_code == 0, result.output
    assert "Agreement by 2025-05-26 (settlement or cease-fire):" in result.stdout
    assert "Capitulation (not an agreement):" in result.stdout
    assert "95% interval" in result.stdout
    assert "Chance of an agreement by date" in result.stdout


def test_mc_same_output_for_any_worker_count():
    args = ["mc", "-n", str(CHUNK_SIZE + 100), *FAST, "--format", "json"]
    assert invoke(*args, "--workers", "1").stdout == invoke(*args, "--workers", "2").stdout


def test_mc_out_writes_replications_summary_and_manifest(tmp_path):
    out = tmp_path / "run"
    result = invoke(
        "mc", "-n", "150", *FAST, "--out", str(out), "--plot", str(tmp_path / "agree.png")
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out / "replications.csv")
    assert len(frame) == 150
    assert {"replication", "agreed", "agreement_week", "terms_territory"} <= set(frame)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["settings"]["replications"] == 150
    assert len(manifest["scenario_sha256"]) == 64
    assert (tmp_path / "agree.png").read_bytes()[:4] == b"\x89PNG"


def test_mc_interrupted_exits_130_and_resume_gives_the_uninterrupted_result(tmp_path, monkeypatch):
    import simulator.ensemble as ensemble

    n = str(3 * CHUNK_SIZE)
    out = tmp_path / "run"
    real = ensemble.run_chunk
    calls = {"count": 0}

    def interrupt_on_second(task):
        calls["count"] += 1
        if calls["count"] == 2:
            raise KeyboardInterrupt
        return real(task)

    monkeypatch.setattr(ensemble, "run_chunk", interrupt_on_second)
    # In this process, where the patched run_chunk raises as Ctrl-C would.
    result = invoke("mc", "-n", n, *FAST, "--workers", "1", "--out", str(out), "--format", "json")
    assert result.exit_code == 130
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    assert result.stderr.strip().endswith(
        f"To finish the run: ceasefire mc --resume {out} --format json"
    )
    assert len(list((out / "chunks").glob("*.npz"))) == 1
    assert not (out / "summary.json").exists()
    monkeypatch.setattr(ensemble, "run_chunk", real)

    printed = shlex.split(result.stderr.strip().rpartition("To finish the run: ")[2])
    assert printed[:2] == ["ceasefire", "mc"]
    resumed = as_json(invoke(*printed[1:]))  # the output options the user gave, repeated
    straight = as_json(invoke("mc", "-n", n, *FAST, "--format", "json"))
    assert resumed == straight
    assert json.loads((out / "summary.json").read_text()) == straight


def test_mc_interrupted_while_writing_says_how_to_finish(tmp_path, monkeypatch):
    """Ctrl-C after the last chunk, while the files are written: the same line as
    during the run, and resuming writes them (the chunks are kept)."""
    import simulator.cli.ensembles as commands

    n = str(2 * CHUNK_SIZE)
    out = tmp_path / "run"
    real = commands.write_outputs

    def interrupt_the_files(where, files, **kwargs):
        if "summary.json" in files:
            raise KeyboardInterrupt
        return real(where, files, **kwargs)

    monkeypatch.setattr(commands, "write_outputs", interrupt_the_files)
    result = invoke("mc", "-n", n, *FAST, "--workers", "1", "--out", str(out), "--format", "json")
    assert result.exit_code == 130
    assert result.stderr.strip().endswith(
        f"To finish the run: ceasefire mc --resume {out} --format json"
    )
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    assert not (out / "summary.json").exists()
    monkeypatch.setattr(commands, "write_outputs", real)
    resumed = as_json(invoke("mc", "--resume", str(out), "--format", "json"))
    assert resumed == as_json(invoke("mc", "-n", n, *FAST, "--format", "json"))
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


def test_resume_needs_a_manifest(tmp_path):
    result = invoke("mc", "--resume", str(tmp_path))
    assert result.exit_code == 2
    assert "manifest.json" in result.stderr


def test_mc_bad_input_exits_2_and_writes_nothing(tmp_path):
    out = tmp_path / "run"
    result = invoke("mc", "-n", "10", "--set", "actors.russia.resolve=2", "--out", str(out))
    assert result.exit_code == 2
    assert "actors.russia.resolve.value" in result.stderr
    assert not out.exists()


def test_sweep_over_two_values_gives_a_grid_and_a_heat_map(tmp_path):
    result = invoke(
        "sweep",
        "-n",
        "100",
        *FAST,
        "--vary",
        "actors.ukraine.resolve=0.2:0.9:3",
        "--vary",
        "front.engagements_per_week=6:12:2",
        "--format",
        "json",
        "--plot",
        str(tmp_path / "heat.png"),
        "--out",
        str(tmp_path / "sweep"),
    )
    report = as_json(result)
    assert len(report["cells"]) == 6
    assert {tuple(c["values"].values()) for c in report["cells"]} == {
        (r, e) for r in (0.2, 0.55, 0.9) for e in (6.0, 12.0)
    }
    assert (tmp_path / "heat.png").exists()
    assert len(pd.read_csv(tmp_path / "sweep" / "sweep.csv")) == 6


def test_sweep_rejects_a_malformed_vary():
    result = invoke("sweep", "-n", "10", "--vary", "actors.ukraine.resolve=0.2-0.9")
    assert result.exit_code == 2
    assert "PATH=LOW:HIGH:STEPS" in result.stderr


def test_sweep_names_an_out_of_range_value():
    result = invoke("sweep", "-n", "10", *FAST, "--vary", "actors.ukraine.resolve=0.5:1.5:2")
    assert result.exit_code == 2
    assert "actors.ukraine.resolve.value" in result.stderr


def test_sensitivity_ranks_uncertain_values_by_their_swing(tmp_path):
    report = as_json(
        invoke(
            "sensitivity",
            "-n",
            "200",
            *FAST,
            "--format",
            "json",
            "--plot",
            str(tmp_path / "tornado.svg"),
        )
    )
    swings = [row["swing_p_agreement"] for row in report["values"]]
    assert swings == sorted(swings, reverse=True)
    paths = {row["path"] for row in report["values"]}
    assert "actors.russia.resources.forces" in paths
    assert "actors.russia.resources.materiel" not in paths  # a point value, not uncertain
    assert (tmp_path / "tornado.svg").read_text().lstrip().startswith("<?xml")


def test_compare_reports_paired_differences():
    report = as_json(
        invoke("compare", "baseline", "us-presses-kyiv", "-n", "300", *FAST, "--format", "json")
    )
    figure = report["figures"]["p_agreement"]
    low, high = figure["ci95"]
    assert low <= figure["difference"] <= high
    assert figure["difference"] == pytest.approx(
        figure["second"]["value"] - figure["first"]["value"], abs=1e-6
    )


def test_compare_of_a_scenario_with_itself_shows_no_difference():
    report = as_json(
        invoke("compare", "baseline", "baseline", "-n", "200", *FAST, "--format", "json")
    )
    assert report["figures"]["p_agreement"]["difference"] == 0


def test_sweep_resumes_from_its_directory_to_the_same_result(tmp_path):
    out = tmp_path / "sweep"
    args = ["-n", "200", *FAST, "--vary", "actors.ukraine.resolve=0.2:0.9:2"]
    first = as_json(invoke("sweep", *args, "--out", str(out), "--format", "json"))
    (out / "cell-001" / "chunks" / "00000.npz").unlink()
    mark_interrupted(out)
    resumed = as_json(invoke("sweep", "--resume", str(out), "--format", "json"))
    assert resumed == first


def test_sweep_needs_a_vary():
    result = invoke("sweep", "-n", "10")
    assert result.exit_code == 2
    assert "--vary" in result.stderr


@pytest.mark.parametrize("path", bundled_scenarios(), ids=lambda p: p.stem)
def test_every_ensemble_command_works_on_every_bundled_scenario(path):
    name = str(path)
    short = ["-n", "40", "--weeks", "6", "--format", "json"]
    assert as_json(invoke("mc", name, *short))["replications"] == 40
    report = as_json(invoke("sensitivity", name, "-n", "20", "--weeks", "4", "--format", "json"))
    assert report["base"]["p_agreement"] is not None
    sweep = as_json(invoke("sweep", name, *short, "--vary", "front.control=0.5:0.6:2"))
    assert len(sweep["cells"]) == 2
    assert as_json(invoke("compare", "baseline", name, *short))["second"]


def test_resume_refuses_a_scenario_that_changed(write_scenario, tmp_path):
    scenario = write_scenario(name="mine.yaml")
    out = tmp_path / "run"
    as_json(invoke("mc", str(scenario), "-n", "50", *FAST, "--out", str(out), "--format", "json"))
    scenario.write_text(scenario.read_text().replace("seed: 20250106", "seed: 7"))
    mark_interrupted(out)
    result = invoke("mc", "--resume", str(out))
    assert result.exit_code == 2
    assert "the scenario changed" in result.stderr


def test_a_bad_chart_name_is_refused_before_any_work(tmp_path):
    out = tmp_path / "run"
    result = invoke(
        "mc", "-n", "50", *FAST, "--out", str(out), "--plot", str(tmp_path / "chart.txt")
    )
    assert result.exit_code == 2
    assert "must end in .png, .svg, .pdf" in result.stderr
    assert not out.exists()


def test_a_malformed_scheduler_address_is_refused():
    result = invoke("mc", "-n", "10", *FAST, "--scheduler", "foo")
    assert result.exit_code == 2
    assert "expected an address such as tcp://host:8786" in result.stderr


def test_resume_refuses_other_run_options(tmp_path):
    out = tmp_path / "run"
    as_json(invoke("mc", "-n", "30", *FAST, "--out", str(out), "--format", "json"))
    result = invoke("mc", "--resume", str(out), "--seed", "5")
    assert result.exit_code == 2
    assert "--resume takes its settings" in result.stderr


def test_sweep_refuses_the_same_value_twice_and_huge_grids():
    twice = invoke("sweep", "-n", "5", "--vary", "horizon=10:20:2", "--vary", "horizon=1:2:2")
    assert twice.exit_code == 2 and "given twice" in twice.stderr
    huge = invoke("sweep", "-n", "5", "--vary", "horizon=10:20:100000")
    assert huge.exit_code == 2 and "STEPS must be from 1 to 100" in huge.stderr


def test_sweep_can_vary_a_whole_number_field():
    report = as_json(invoke("sweep", "-n", "20", "--vary", "horizon=4:8:2", "--format", "json"))
    assert [cell["values"]["horizon"] for cell in report["cells"]] == [4.0, 8.0]


def test_output_files_are_readable_by_others(tmp_path):
    import os
    import stat

    out = tmp_path / "run"
    as_json(invoke("mc", "-n", "20", *FAST, "--out", str(out), "--format", "json"))
    umask = os.umask(0)
    os.umask(umask)
    for path in [out / "summary.json", out / "chunks" / "00000.npz"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_a_sweep_longer_than_the_horizon_runs_every_cell_that_long():
    """--weeks beyond the horizon extends each cell's horizon, as it does one run's:
    each cell equals mc at its values (cells once stopped at the scenario's horizon)."""
    common = ["-n", "200", "--set", "horizon=50", "--weeks", "104", "--format", "json"]
    report = as_json(
        invoke("sweep", *common, "--vary", "actors.russia.resolve=0.5:0.9:2", "--workers", "1")
    )
    for cell in report["cells"]:
        held = f"actors.russia.resolve={cell['values']['actors.russia.resolve']}"
        alone = as_json(invoke("mc", *common, "--set", held))
        assert cell["p_agreement"] == alone["p_agreement"]["value"]
        shorter = as_json(invoke("mc", *common, "--set", held, "--weeks", "50"))
        assert cell["p_agreement"] != shorter["p_agreement"]["value"]
    # The horizon itself varied: cells shorter than --weeks run that long, as mc does.
    common = ["-n", "100", "--weeks", "80", "--format", "json"]
    report = as_json(invoke("sweep", *common, "--vary", "horizon=60:100:3"))
    alone = as_json(invoke("mc", *common))["p_agreement"]["value"]
    assert [cell["p_agreement"] for cell in report["cells"]][:2] == [alone, alone]
