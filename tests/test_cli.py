"""Tests for the `ceasefire` command through click's CliRunner (and one subprocess)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.scenario import bundled_scenarios, load_scenario
from simulator.scenario.loader import BUNDLED_DIR

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = sorted(main.commands)
OUTCOME = re.compile(
    r"^(No settlement or general cease-fire in \d+ weeks\.|Settlement agreed in week \d+ "
    r"|A general cease-fire was agreed in week \d+ )",
    re.M,
)


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def assert_one_error_line(result, file: str) -> str:
    """Exit 2, no traceback, one line on stderr naming ``file``; returns that line."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert file in lines[0]
    return lines[0]


@pytest.fixture
def bad_scenario(write_scenario):
    """The baseline with Ukraine's resolve out of range."""
    return write_scenario(
        "    resolve:\n      value: {dist: uniform, low: 0.75, high: 0.95}\n",
        "    resolve:\n      value: 1.5\n",
    )


# ------------------------------------------------------------------------------- help


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)], ids=["group", *COMMANDS])
def test_help(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout
    if not command:
        for name in COMMANDS:
            assert name in result.stdout


def test_every_documented_command_exists():
    assert {"list", "validate", "explain", "run", "schema", "protocols"} <= set(COMMANDS)


def test_help_does_not_import_heavy_modules():
    code = (
        "import sys\n"
        "from simulator.cli import main\n"
        "status = main(['--help'], standalone_mode=False)\n"
        "status = status or main(['run', '--help'], standalone_mode=False)\n"
        "heavy = ('mesa', 'numpy', 'pydantic', 'scipy', 'simulator.model', 'simulator.scenario')\n"
        "print(status, sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    assert done.stdout.splitlines()[-1] == "0 []", done.stdout


# ------------------------------------------------------------------ list and validate


def test_list_shows_every_bundled_scenario():
    result = invoke("list")
    assert result.exit_code == 0, result.output
    listed = [line.split()[0] for line in result.stdout.splitlines() if line[:1].strip()]
    expected = [p.relative_to(BUNDLED_DIR).with_suffix("").as_posix() for p in bundled_scenarios()]
    assert {
        "baseline",
        "pokrovsk-falls",
        "stalemate",
        "us-presses-kyiv",
        "us-presses-moscow",
    } <= set(expected)
    assert listed == expected
    assert "(invalid" not in result.stdout


def test_validate_ok():
    result = invoke("validate", "baseline", "stalemate")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{BUNDLED_DIR / 'baseline.yaml'}: ok",
        f"{BUNDLED_DIR / 'stalemate.yaml'}: ok",
    ]


def test_validate_lists_every_problem_one_per_line(write_scenario):
    path = write_scenario("horizon: 104\n", "horizon: ten\n")
    text = path.read_text(encoding="utf-8").replace(
        "    resolve:\n      value: {dist: uniform, low: 0.75, high: 0.95}\n",
        "    resolve:\n      value: 1.5\n",
    )
    path.write_text(text, encoding="utf-8")
    result = invoke("validate", str(path))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 2, lines
    pattern = re.compile(rf"^{re.escape(str(path))}:\d+:\d+: [\w.-]+: \S.*$")
    assert all(pattern.match(line) for line in lines), lines
    assert any(": horizon: " in line for line in lines)
    assert any(": actors.ukraine.resolve.value: " in line for line in lines)


def test_validate_missing_file(tmp_path):
    missing = tmp_path / "absent.yaml"
    line = assert_one_error_line(invoke("validate", str(missing)), str(missing))
    assert "no such scenario file" in line


# ---------------------------------------------------------------------------- explain


def test_explain_shows_quotes_claimants_and_assumptions():
    result = invoke("explain")
    assert result.exit_code == 0, result.output
    flat = " ".join(result.stdout.split())
    assert (
        "Russia demands the full withdrawal of Ukrainian forces from all territories "
        "claimed by Moscow, including both Donetsk and Luhansk, as a precondition for "
        "ending the conflict."
    ) in flat
    assert "[Russia; unverified]" in result.stdout
    assert "unverified" in result.stdout
    assert any("ASSUMPTION" in line for line in result.stdout.splitlines())


def test_explain_shows_a_set_value_as_an_assumption():
    result = invoke("explain", "--set", "actors.ukraine.resolve=0.8")
    assert result.exit_code == 0, result.output
    assert "actors.ukraine.resolve=0.8" in result.stdout


def test_explain_bad_input_exits_2_with_one_line(bad_scenario):
    line = assert_one_error_line(invoke("explain", str(bad_scenario)), str(bad_scenario))
    assert "actors.ukraine.resolve.value" in line


# -------------------------------------------------------------------------------- run


def test_run_defaults_to_the_baseline_and_prints_a_table_and_an_outcome():
    result = invoke("run")
    assert result.exit_code == 0, result.output
    horizon = load_scenario("baseline").horizon
    assert result.stdout.startswith("baseline: ")
    assert re.search(r"^week\s+date\s", result.stdout, re.M)
    assert re.search(rf"^\s*{horizon}\s+\d{{4}}-\d\d-\d\d\s", result.stdout, re.M)
    assert OUTCOME.search(result.stdout), result.stdout[-500:]


def test_run_json():
    result = invoke("run", "--format", "json", "--weeks", "6")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {"agreed", "week", "date", "terms", "broke_down"} <= set(document["outcome"])
    assert isinstance(document["weekly"], list)
    assert document["weekly"][0]["week"] == 0
    assert document["scenario"] == "baseline"


def test_run_csv_has_one_row_per_week():
    result = invoke("run", "--format", "csv", "--weeks", "8")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [int(row["week"]) for row in rows] == list(range(9))


def test_run_csv_default_horizon():
    result = invoke("run", "stalemate", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == load_scenario("stalemate").horizon + 1


def test_run_weeks_runs_that_many_weeks():
    result = invoke("run", "--weeks", "10", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["outcome"]["weeks_run"] == 10
    assert [record["week"] for record in document["weekly"]] == list(range(11))


def test_run_one_week():
    result = invoke("run", "--weeks", "1", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == 2


def test_run_out_writes_files_that_parse(tmp_path):
    out = tmp_path / "results" / "nested"
    result = invoke("run", "--weeks", "5", "--out", str(out))
    assert result.exit_code == 0, result.output
    # The lock is removed when the run ends: the folder holds only its results.
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "run.json",
        "weekly.csv",
        "weekly.parquet",
    ]
    frame = pd.read_csv(out / "weekly.csv")
    assert list(frame["week"]) == list(range(6))
    assert set(frame["seed"]) == {json.loads((out / "manifest.json").read_text())["seed"]}
    document = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert document["weekly"][0]["week"] == 0
    assert "outcome" in document


def test_run_out_that_is_a_file(tmp_path):
    out = tmp_path / "taken"
    out.write_text("keep me", encoding="utf-8")
    result = invoke("run", "--weeks", "2", "--out", str(out))
    assert_one_error_line(result, str(out))
    assert out.read_text(encoding="utf-8") == "keep me"


def test_run_same_seed_gives_identical_output():
    first = invoke("run", "--seed", "5", "--weeks", "20")
    second = invoke("run", "--seed", "5", "--weeks", "20")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout_bytes == second.stdout_bytes


def test_run_different_seeds_give_different_output():
    first = invoke("run", "--seed", "5", "--weeks", "20")
    second = invoke("run", "--seed", "6", "--weeks", "20")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout != second.stdout


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["{missing}"], "no such scenario file"),
        (["{bad}"], "outside the allowed range"),
        (["--set", "actors.ukraine.resolve"], "expected KEY=VALUE"),
        (["--set", "actors.ukrane.resolve=0.8"], "no field 'ukrane'"),
        (["--set", "actors.ukraine.resolve=high"], "valid number"),
    ],
    ids=["missing-file", "out-of-range", "set-no-equals", "set-unknown-path", "set-wrong-type"],
)
def test_run_bad_input_exits_2_and_writes_nothing(tmp_path, bad_scenario, args, expect):
    missing = tmp_path / "absent.yaml"
    args = [a.format(missing=missing, bad=bad_scenario) for a in args]
    existing, absent = tmp_path / "existing", tmp_path / "absent-dir"
    existing.mkdir()
    for out in (existing, absent):
        result = invoke("run", *args, "--weeks", "4", "--out", str(out))
        line = assert_one_error_line(result, args[-1] if "--set" in args else args[0])
        assert expect in line
        assert result.stdout == ""
    assert list(existing.iterdir()) == []
    assert not absent.exists()


def test_run_error_line_has_file_line_column_field(bad_scenario):
    line = assert_one_error_line(invoke("run", str(bad_scenario)), str(bad_scenario))
    text = bad_scenario.read_text(encoding="utf-8")
    index = text.index("    resolve:\n      value: 1.5\n") + len("    resolve:\n      ")
    number = text.count("\n", 0, index) + 1
    column = index - text.rfind("\n", 0, index)
    assert line.endswith(
        f"{bad_scenario}:{number}:{column}: actors.ukraine.resolve.value: "
        "1.5 is outside the allowed range [0, 1]"
    )


# ---------------------------------------------------------------- schema and protocols


def test_schema_prints_json_schema():
    result = invoke("schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert "actors" in schema["properties"]


def test_protocols_lists_protocols_and_strategies():
    result = invoke("protocols")
    assert result.exit_code == 0, result.output
    names = {line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")}
    assert {"single_text", "alternating_offers", "boulware", "reservation"} <= names


def test_scenario_errors_read_file_line_column_field_message(tmp_path):
    import re

    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\nname: x\nhorizon: lots\n", encoding="utf-8")
    result = invoke("run", str(bad))
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert re.fullmatch(rf"{re.escape(str(bad))}:\d+:\d+: [\w.]+: .+", line), line


def test_weeks_shorter_than_the_events_runs_without_them():
    result = invoke("run", "pokrovsk-falls", "--weeks", "3", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["outcome"]["weeks_run"] == 3


def test_weeks_longer_than_the_horizon_extends_it():
    result = invoke("run", "theory/nash-mediator", "--weeks", "9", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["outcome"]["weeks_run"] == 9


def test_validate_checks_quotes_only_against_texts_given_with_sources(write_scenario, tmp_path):
    new = "          quote: as a precondition for starting the conflict\n"
    path = write_scenario("          quote: as a precondition for ending the conflict\n", new)
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "kurakhove.txt").write_text(
        "Moscow wants a withdrawal as a precondition for ending the conflict.", encoding="utf-8"
    )
    assert invoke("validate", str(path)).stdout == f"{path}: ok\n"
    result = invoke("validate", str(path), "--sources", str(texts))
    assert result.exit_code == 2
    errors = result.stderr.splitlines()
    assert any(
        "actors.russia.positions.sequencing.ideal.quote: quote not found in source 'kurakhove'"
        in line
        for line in errors
    ), errors
    assert all(str(path) in line for line in errors)


def test_validate_notes_sources_whose_text_is_not_in_the_folder(tmp_path):
    result = invoke("validate", "baseline", "--sources", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert f"note: source 'kurakhove': no kurakhove.txt in {tmp_path}" in result.stdout
    assert "quotes were not checked" in result.stdout
    assert invoke("validate", "baseline", "--sources", str(tmp_path / "no")).exit_code == 2


def test_explain_a_variant_shows_its_events_and_the_talks():
    result = invoke("explain", "us-presses-kyiv")
    assert result.exit_code == 0, result.output
    events = result.stdout.split("== Events ==", 1)[1]
    assert "2025-03-03 aid-paused (aid)" in events
    assert "aid level: 0" in events
    assert "Protocol: single_text" in result.stdout


@pytest.mark.parametrize(
    "args", [["run", "--seed", "-1"], ["run", "--weeks", "0"], ["run", "--every", "0"], ["nope"]]
)
def test_usage_errors_are_one_line_with_exit_2(args):
    result = invoke(*args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Usage:" not in lines[0], lines


def test_an_output_that_cannot_be_written_ends_in_one_line():
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        completed = subprocess.run(
            [sys.executable, "-c", "from simulator.cli import main; main()", "run", "--weeks", "2"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert completed.stderr.strip() == "cannot write output: No space left on device"


def test_commands_print_no_notes_about_source_texts():
    result = invoke("run", "--weeks", "2")
    assert result.exit_code == 0
    assert "note" not in result.stderr


def test_holder_must_be_the_side_whose_share_territory_measures():
    result = invoke("run", "--set", "front.holder=ukraine")
    assert result.exit_code == 2
    assert "front.holder" in result.stderr and "is the holder the other side?" in result.stderr
