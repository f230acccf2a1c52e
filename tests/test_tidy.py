"""Tidy tables, Parquet beside CSV, --out with a manifest everywhere, and the Python API."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import simulator
from simulator.cli import main
from simulator.columns import UNDESCRIBED
from simulator.ensemble import Runs, input_paths
from simulator.model import CeasefireModel
from simulator.outputs.tidy import csv_text, parquet_bytes, units_of
from simulator.results import weekly_records
from simulator.scenario import load_scenario
from simulator.studies import Vary
from simulator.studies import sweep as run_sweep
from simulator.summaries import MIN_AGREEMENTS, headline
from simulator.tables import is_week_column, replications_frame, sweep_frame

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ensemble():
    return Runs(120, seed=3, weeks=60).run(load_scenario())


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_replications_table_has_its_origin_and_every_sampled_input(ensemble):
    table = replications_frame(ensemble)
    assert list(table.columns[:3]) == ["scenario", "seed", "replication"]
    assert set(table["seed"]) == {3} and list(table["replication"]) == list(range(120))
    paths = input_paths(ensemble.scenario)
    assert len(paths) > 10 and set(paths) <= set(table.columns)
    # the inputs are the numbers the replications drew: replication i's depend only on
    # the seed and i, so one model of the same seed draws them again
    model = CeasefireModel(ensemble.scenario, replications=120, seed=3)
    for path in paths[:5]:
        np.testing.assert_array_equal(table[path].to_numpy(), model.draw(path))


def test_a_week_that_never_came_is_missing_not_minus_one(ensemble):
    table = replications_frame(ensemble)
    weeks = [c for c in table.columns if is_week_column(c)]
    assert "agreement_week" in weeks and "fall_week_pokrovsk" in weeks
    for name in weeks:
        assert not (table[name] < 0).any(), name
    assert table["agreement_week"].isna().equals(~table["agreed"])


def test_csv_writes_missing_as_empty_and_weeks_whole(ensemble):
    text = csv_text(replications_frame(ensemble))
    rows = list(csv.DictReader(io.StringIO(text)))
    cells = [value for row in rows for value in row.values()]
    assert "" in cells
    assert not {"nan", "NaN", "None", "-1", "-1.0", "True", "False"} & set(cells)
    weeks = [row["fall_week_kurakhove"] for row in rows]
    fell = [w for w in weeks if w]
    assert fell and all(re.fullmatch(r"\d+", w) for w in fell)
    assert all(row["agreement_week"] == "" for row in rows if row["agreed"] == "false")


def test_parquet_keeps_types_missing_values_and_units(ensemble, tmp_path):
    table = replications_frame(ensemble)
    path = tmp_path / "replications.parquet"
    path.write_bytes(parquet_bytes(table))
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, table)
    assert back["agreed"].dtype == bool and back["agreement_week"].isna().any()
    units = units_of(str(path))
    assert units["agreement_week"]["unit"] == "week"
    assert units["control_at_end"]["unit"] == "share (0-1)"
    assert "actors.ukraine.resolve" in units["actors.ukraine.resolve"]["description"]
    # an input has the unit its scenario declares (baseline.yaml: thousand personnel)
    assert units["actors.russia.resources.forces"]["unit"] == "thousand personnel"
    field = pq.read_schema(path).field("losses_russia").metadata
    assert field[b"unit"] == b"thousand personnel"
    # weeks are whole numbers with gaps: nullable integers, not doubles
    assert pq.read_schema(path).field("agreement_week").type == "int64"
    assert back["agreement_week"].dtype == "Int64"


def test_long_weekly_frame_matches_each_replications_records():
    model = CeasefireModel(replications=3, seed=2)
    for _ in range(6):
        model.step()
    frame = model.weekly_frame()
    assert len(frame) == 3 * 7
    assert list(frame.columns[:4]) == ["scenario", "seed", "replication", "step"]
    for r in range(3):
        rows = frame[frame["replication"] == r]
        records = weekly_records(model, r)
        assert list(rows["step"]) == [row["week"] for row in records]
        assert list(rows["control"]) == [row["control"] for row in records]
        one = model.replication(r)
        assert one.weekly == records and one.outcome["agreed"] == bool(model.outcomes.agreed[r])
        assert one.draws["front.control"] == model.draw("front.control")[r]
    with pytest.raises(IndexError):
        model.replication(3)


def test_headline_counts_intervals_and_too_few_flag(ensemble):
    cell = headline(ensemble)
    assert cell["replications"] == 120
    assert cell["agreements"] == int(ensemble.arrays["agreed"].sum())
    low, high = cell["p_agreement_ci95"]
    assert low <= cell["p_agreement"] <= high
    assert cell["too_few_agreements"] == (cell["agreements"] < MIN_AGREEMENTS)
    if cell["median_week"] is not None and cell["median_week_ci95"][0] is not None:
        assert cell["median_week_ci95"][0] <= cell["median_week"] <= cell["median_week_ci95"][1]


def test_sweep_table_flags_cells_with_too_few_agreements():
    report = run_sweep(
        None, ["horizon=60"], [Vary.parse("actors.ukraine.resolve=0.5:0.9:2")], Runs(400, 1, 60)
    )
    table = sweep_frame(report)
    assert list(table["actors.ukraine.resolve"]) == [0.5, 0.9]
    assert (table["replications"] == 400).all()
    assert table["too_few_agreements"].tolist() == (table["agreements"] < MIN_AGREEMENTS).tolist()
    assert (table["p_agreement_ci95_low"] <= table["p_agreement"]).all()
    assert (table["p_agreement"] <= table["p_agreement_ci95_high"]).all()
    # a cell without agreements has no median: missing, not zero
    never = table[table["agreements"] == 0]
    assert never["median_week"].isna().all()


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("args", "tables"),
    [
        (["compare", "baseline", "baseline", "-n", "60", "--weeks", "30"], ["compare"]),
        (["sensitivity", "-n", "8", "--weeks", "8", "--top", "2"], ["sensitivity"]),
        (["analyze", "--week", "4", "--seed", "5"], ["sides", "levers"]),
        (["run", "--weeks", "6", "--seed", "5"], ["weekly"]),
        (
            ["mc", "-n", "40", "--weeks", "10", "--set", "actors.ukraine.resolve=0.6"],
            ["replications"],
        ),
        (["sweep", "-n", "30", "--weeks", "8", "--vary", "front.control=0.1:0.2:2"], ["sweep"]),
        (["sensitivity", "--method", "sobol", "-n", "8", "--weeks", "6"], ["sobol"]),
        (["drivers", "-n", "100"], ["drivers"]),
    ],
    ids=lambda v: v[0] if isinstance(v[0], str) else None,
)
def test_every_computing_command_writes_tables_and_a_manifest(tmp_path, args, tables):
    out = tmp_path / "out"
    result = invoke(*args, "--out", str(out))
    assert result.exit_code == 0, result.output
    manifest = _manifest(out)
    assert manifest["command"] == args[0] and manifest["status"] == "complete"
    assert manifest["command_line"].startswith("ceasefire")
    assert len(manifest["scenario_sha256"]) == 64 and manifest["version"]
    assert isinstance(manifest["seed"], int) and manifest["seconds"] >= 0
    for name in tables:
        frame = pd.read_parquet(out / f"{name}.parquet")
        assert len(frame) == len(pd.read_csv(out / f"{name}.csv")) > 0
        assert "seed" in frame.columns
        assert set(frame["seed"]) == {manifest["seed"]}
    for path in out.glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"), parse_constant=pytest.fail)
    for name in tables:  # every column says what it is and in what unit
        for column, info in units_of(str(out / f"{name}.parquet")).items():
            described = info["description"].strip().lower()
            assert info["unit"], (name, column)
            assert described not in (column.lower(), column.replace("_", " ").lower())
            assert not described.startswith(UNDESCRIBED), (name, column, described)
    again = invoke(*args, "--out", str(out))
    assert again.exit_code == 2 and "--force" in again.output
    assert invoke(*args, "--out", str(out), "--force").exit_code == 0


def test_compare_out_self_compare_is_zero(tmp_path):
    out = tmp_path / "c"
    assert (
        invoke(
            "compare", "baseline", "baseline", "-n", "60", "--weeks", "30", "--out", str(out)
        ).exit_code
        == 0
    )
    table = pd.read_parquet(out / "compare.parquet")
    assert (table["difference"].dropna() == 0).all()
    assert _manifest(out)["second_scenario_sha256"] == _manifest(out)["scenario_sha256"]


def test_api_mc_gives_the_numbers_the_command_writes(tmp_path):
    out = tmp_path / "mc"
    result = invoke("mc", "-n", "50", "--seed", "4", "--weeks", "30", "--out", str(out))
    assert result.exit_code == 0, result.output
    table, summary = simulator.mc(replications=50, seed=4, weeks=30)
    pd.testing.assert_frame_equal(table, pd.read_parquet(out / "replications.parquet"))
    written = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary == written


def test_api_overrides_and_errors():
    table, _ = simulator.mc(
        replications=20, seed=1, weeks=10, overrides={"actors.ukraine.resolve": 0.6}
    )
    # held, so not sampled, but still a column (its value), so a regression finds it
    assert (table["actors.ukraine.resolve"] == 0.6).all()
    assert "actors.russia.resolve" in table.columns
    with pytest.raises(simulator.ScenarioError):
        simulator.mc(replications=5, weeks=5, overrides={"actors.ukraine.resolve": 7})
    analysis = simulator.analyze(seed=5, week=2)
    assert set(analysis.tables) == {"sides", "levers"}
    assert list(analysis.tables["sides"]["side"]) == list(analysis.summary["sides"])


def test_import_simulator_stays_light():
    code = "import sys, simulator; print('pandas' in sys.modules, 'mesa' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


def _readme_section(title: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_readme_pandas_examples_run(tmp_path, monkeypatch, capsys):
    section = _readme_section("For pandas and notebooks")
    monkeypatch.chdir(tmp_path)
    commands = re.findall(r"```\n\$ ceasefire (.+)\n```", section)
    assert commands == ["mc -n 400 --seed 1 --out results"]
    for command in commands:
        result = invoke(*command.split())
        assert result.exit_code == 0, result.output
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 3
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "intercept" in printed and "too_few_agreements" in printed


def test_readme_mesa_batched_example_runs():
    section = _readme_section("For Mesa users")
    block = next(
        b for b in re.findall(r"```python\n(.*?)```", section, re.S) if "weekly_frame" in b
    )
    exec(compile(block, "README.md", "exec"), {})


def test_missing_json_values_are_null_not_nan(tmp_path):
    out = tmp_path / "s"
    result = invoke(
        "sweep",
        "--vary",
        "actors.ukraine.resolve=0.5:0.9:2",
        "-n",
        "30",
        "--weeks",
        "20",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    text = (out / "sweep.json").read_text(encoding="utf-8")
    assert "NaN" not in text
    cells = json.loads(text)["cells"]
    assert any(cell["median_week"] is None for cell in cells)
    written = pd.read_parquet(out / "sweep.parquet")["median_week"]
    assert [math.isnan(v) for v in written] == [c["median_week"] is None for c in cells]


def test_csv_written_in_blocks_is_one_table(ensemble, monkeypatch):
    from simulator.outputs import tidy

    table = replications_frame(ensemble)
    whole = csv_text(table)
    monkeypatch.setattr(tidy, "CSV_ROWS", 7)
    assert csv_text(table) == whole
    assert whole.count("\nbaseline,3,") == 120


def test_sobol_table_carries_the_agreements_behind_it():
    result = simulator.sensitivity(method="sobol", replications=64, seed=2, weeks=12)
    agreements = result.summary["agreements"]
    assert (result.table["agreements"] == agreements).all()
    assert result.table["too_few_agreements"].iloc[0] == (agreements < MIN_AGREEMENTS)
    assert {"S1", "S1_ci95_low", "ST_ci95_high", "outcome", "path"} <= set(result.table.columns)


def test_a_bad_sobol_sample_size_writes_nothing(tmp_path):
    out = tmp_path / "never"
    result = invoke("sensitivity", "--method", "sobol", "-n", "100", "--out", str(out))
    assert result.exit_code == 2 and "power of 2" in result.output
    assert not out.exists()


def test_held_inputs_keep_their_column_in_the_files_too(tmp_path):
    out = tmp_path / "held"
    args = ["mc", "-n", "20", "--seed", "1", "--weeks", "10", "--out", str(out)]
    result = invoke(*args, "--set", "actors.ukraine.resolve=0.6")
    assert result.exit_code == 0, result.output
    written = pd.read_parquet(out / "replications.parquet")
    assert (written["actors.ukraine.resolve"] == 0.6).all()
    sampled, _ = simulator.mc(replications=20, seed=1, weeks=10)
    assert list(written.columns) == list(sampled.columns)  # the same columns, held or not


def test_the_api_runs_on_the_cpus_by_default_and_offers_drivers():
    import inspect

    for name in ("mc", "sweep", "sensitivity", "compare"):
        assert inspect.signature(getattr(simulator, name)).parameters["workers"].default is None
    table, report = simulator.drivers(replications=200, seed=3)
    assert list(table["driver"]) == [
        *(row["driver"] for row in report["drivers"]),
        "all inputs together",
    ]
    assert table["inputs"].iloc[-1] == report["all_inputs"]["inputs"]
    # too few runs to fit all inputs at once: missing in both, one way
    together = report["all_inputs"]["agreement_r2"]
    assert (together is None and pd.isna(table["agreement_r2"].iloc[-1])) or (
        table["agreement_r2"].iloc[-1] == together
    )


def test_drivers_files_have_the_all_inputs_row_and_the_json_names(tmp_path):
    out = tmp_path / "d"
    result = invoke("drivers", "-n", "150", "--seed", "2", "--out", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads((out / "drivers.json").read_text(encoding="utf-8"))
    rows = pd.read_csv(out / "drivers.csv")
    assert len(rows) == len(report["drivers"]) + 1
    assert rows["driver"].iloc[-1] == report["all_inputs"]["driver"] == "all inputs together"
    assert rows["inputs"].iloc[-1] == report["all_inputs"]["inputs"]
    # one name per quantity: the JSON's keys are the table's columns
    assert set(report["all_inputs"]) <= set(rows.columns)
    assert (rows["agreements"] == report["agreements"]).all()


def test_one_name_per_quantity_across_the_files(tmp_path):
    """The weekly record's names (belief_<side>, walk_away_<side>, reservation_<side>)
    and the headline names (p_agreement, median_week, p_breakdown) are used by the
    tables of analyze and compare too."""
    out = tmp_path / "a"
    assert invoke("analyze", "--week", "4", "--seed", "5", "--out", str(out)).exit_code == 0
    assert invoke("run", "--weeks", "4", "--seed", "5", "--out", str(out / "r")).exit_code == 0
    sides = pd.read_csv(out / "sides.csv")
    weekly = pd.read_csv(out / "r" / "weekly.csv")
    for name in ("belief", "walk_away", "reservation"):
        assert name in sides.columns
        assert {f"{name}_{side}" for side in sides["side"]} <= set(weekly.columns)
    week4 = weekly[weekly["week"] == 4].iloc[0]
    for row in sides.itertuples():
        assert row.belief == pytest.approx(week4[f"belief_{row.side}"], abs=1e-6)
    out = tmp_path / "c"
    args = ["compare", "baseline", "baseline", "-n", "40", "--weeks", "8", "--out", str(out)]
    assert invoke(*args).exit_code == 0
    figures = set(pd.read_csv(out / "compare.csv")["figure"])
    assert {"p_agreement", "median_week", "p_breakdown", "p_in_force_at_end"} <= figures
    headline_names = set(headline(Runs(30, 1, 8).run(load_scenario())))
    assert {"p_agreement", "median_week", "p_breakdown"} <= headline_names


def test_weekly_weeks_are_whole_numbers_in_parquet(tmp_path):
    out = tmp_path / "w"
    assert invoke("run", "--weeks", "6", "--seed", "5", "--out", str(out)).exit_code == 0
    schema = pq.read_schema(out / "weekly.parquet")
    assert schema.field("week").type == "int64" and schema.field("agreement_week").type == "int64"
    table = pd.read_parquet(out / "weekly.parquet")
    assert table["week"].dtype == "Int64" and table["agreement_week"].isna().all()
