"""What a terminal shows: every command's output fits it, numbers say their units, charts
are right, and every command's help fits a line and ends with examples."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from simulator.cli import main

SWEEP = ["--vary", "actors.ukraine.resolve=0.5:0.9:4", "--vary", "actors.russia.resolve=0.5:0.9:3"]
DEFAULT_OUTPUTS = {
    "list": ["list"],
    "validate": ["validate", "baseline"],
    "explain": ["explain"],
    "protocols": ["protocols"],
    "run": ["run", "us-presses-kyiv", "--seed", "7"],
    "analyze": ["analyze", "--week", "20"],
    "drivers": ["drivers", "-n", "100"],
    "mc": ["mc", "-n", "20"],
    "sweep": ["sweep", "-n", "10", "--weeks", "10", *SWEEP],
    "sensitivity": ["sensitivity", "-n", "4", "--weeks", "2"],
    "sensitivity-sobol": ["sensitivity", "--method", "sobol", "-n", "8", "--weeks", "8"],
    "compare": ["compare", "baseline", "stalemate", "-n", "20", "--weeks", "30"],
    "hindcast": ["hindcast", "-n", "20"],
    "calibrate": ["calibrate", "-n", "100"],  # --targets: a small file, added below
}
NOT_TEXT = {
    "schema": "prints a file format (JSON Schema or Markdown) to save, not a table to read",
    "plot": "writes a chart file and says so in one line",
    "report": "writes an HTML page and says so in one line",
    "app": "serves a web page",
    "play": "an interactive game; test_play.py checks it fits the terminal",
}


@pytest.fixture(scope="module")
def small_targets(tmp_path_factory) -> Path:
    """The bundled calibration targets with few points, so `calibrate` takes seconds."""
    from simulator import calibration

    data = yaml.safe_load(calibration.DEFAULT_TARGETS.read_text())
    data["method"].update(points=[20000, 300], replications_per_point=[4, 8], waves=2)
    path = tmp_path_factory.mktemp("targets") / "targets.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_every_command_is_checked_for_width_or_says_why_not():
    covered = {args[0] for args in DEFAULT_OUTPUTS.values()} | set(NOT_TEXT)
    assert covered == set(main.commands)


@pytest.mark.parametrize("columns", [80, 100])
@pytest.mark.parametrize("name", list(DEFAULT_OUTPUTS))
def test_every_commands_default_output_fits_the_terminal(name, columns, small_targets):
    args = DEFAULT_OUTPUTS[name]
    if name == "calibrate":
        args = [*args, "--targets", str(small_targets)]
    result = CliRunner().invoke(main, args, env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines
    widest = max(lines, key=len)
    assert len(widest) <= columns, widest


def test_a_wide_terminal_still_gets_at_most_100_columns_and_wide_shows_every_column():
    args = ["sweep", "-n", "5", "--weeks", "5", *SWEEP]
    result = CliRunner().invoke(main, args, env={"COLUMNS": "60"})
    at_80 = CliRunner().invoke(main, args, env={"COLUMNS": "80"})
    assert result.stdout == at_80.stdout  # a narrower terminal gets 80 columns
    wide = CliRunner().invoke(main, [*args, "--wide"], env={"COLUMNS": "60"})
    header = next(line for line in wide.stdout.splitlines() if "P(agree)" in line)
    assert "P(in force)" in header
    huge = CliRunner().invoke(main, ["explain"], env={"COLUMNS": "250"})
    assert max(len(line) for line in huge.stdout.splitlines()) <= 100


# ------------------------------------------------------------------ numbers and names


def test_sweep_values_show_the_digits_their_grid_needs():
    result = CliRunner().invoke(
        main, ["sweep", "-n", "10", "--weeks", "10", "--vary", "actors.ukraine.resolve=0.5:0.9:7"]
    )
    assert result.exit_code == 0, result.output
    assert "0.567" in result.stdout and "0.566667" not in result.stdout
    assert "Swept: ukraine.resolve: actors.ukraine.resolve" in result.stdout


def test_mc_says_over_which_runs_each_quantile_row_is():
    from simulator.outputs.text import mc_summary

    result = CliRunner().invoke(main, ["mc", "-n", "50", "--format", "json"])
    text = mc_summary(json.loads(result.stdout), width=100)
    assert "agreed runs only" not in text
    rows = {line.split("  ")[0]: line for line in text.splitlines() if line.endswith(" runs")}
    assert rows["week of agreement"].endswith("agreed runs")
    assert rows["holder's share at the end"].endswith("all runs")
    assert rows["Russia losses (thousands)"].endswith("all runs")
    assert "killed and wounded, in thousands" in " ".join(text.split())
    share = rows["holder's share at the end"].split()[5]
    assert share.endswith("%")


def test_run_names_losses_and_territory_with_their_units():
    result = CliRunner().invoke(main, ["run"], env={"COLUMNS": "100"})
    ending = result.stdout.split("\n\n")[-1]
    assert re.search(r"Losses, killed and wounded: Russia \d[\d,]* thousand, Ukraine", ending)
    assert re.search(
        r"Holder's share at the end: \d+\.\d% of the four oblasts \(about [\d,]+ km²", ending
    )


def test_the_run_table_says_min_and_max_leave_red_lines_out_beside_no_deal_because():
    wide = CliRunner().invoke(main, ["run", "--wide"])
    assert "no deal because" in wide.stdout and "red lines" in wide.stdout
    legend = " ".join(wide.stdout.split("\n\n")[2].split())
    assert "min and max, which leave red lines out" in legend
    assert "red lines aside" in legend


@pytest.mark.parametrize("columns", [80, 100])
def test_compare_fits_the_terminal_without_breaking_an_interval(columns):
    result = CliRunner().invoke(
        main,
        ["compare", "baseline", "us-presses-moscow", "-n", "200", "--weeks", "40"],
        env={"COLUMNS": str(columns)},
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(map(len, lines)) <= columns
    rows = [line for line in lines if line.startswith("P(") and " pts " in line]
    assert rows and all(re.search(r"[+-]\d+\.\d to [+-]\d+\.\d$", row) for row in rows), rows
    assert not [line for line in lines if line.startswith("   ")]  # no cell wraps
    header = next(line for line in lines if line.startswith("figure"))
    assert ("us-presses-moscow" in header) == (columns == 100)


def test_the_run_tables_legend_explains_every_column_and_reason_shown():
    wide = CliRunner().invoke(main, ["run", "--wide"]).stdout
    table, legend = wide.split("\n\n")[1:3]
    legend = " ".join(legend.split())
    header = table.splitlines()[0]
    reasons = {
        line[header.index("no deal because") :].split("  ")[0] for line in table.splitlines()[2:]
    }
    reasons = {r.strip() for r in reasons} - {""}
    assert any(r.endswith(" refuses") for r in reasons)  # the baseline's last week
    assert all(f"{reason}: " in legend for reason in reasons), (reasons, legend)
    assert "status: fighting (no talks)" in legend
    narrow = CliRunner().invoke(main, ["run"], env={"COLUMNS": "80"}).stdout
    header, legend = narrow.split("\n\n")[1].splitlines()[0], narrow.split("\n\n")[2]
    assert "status" not in header and "status:" not in legend
    assert ("P(win)" in header) == ("P(win):" in legend)


def test_a_two_way_sweep_explains_only_the_columns_it_shows():
    from simulator.outputs.text import sweep_summary

    cells = [
        {
            "values": {"a.b.long_name_one": x, "c.d.long_name_two": y},
            "p_agreement": 0.5,
            "median_week": 40.0,
            "median_territory": 0.8,
            "p_breakdown": 0.1,
            "p_in_force_at_end": 0.4,
            "agreements": 1000,
        }
        for x in (0.5, 0.9)
        for y in (0.5, 0.9)
    ]
    varies = [
        {"path": p, "low": 0.5, "high": 0.9, "steps": 2}
        for p in ("a.b.long_name_one", "c.d.long_name_two")
    ]
    result = {"scenario": "s", "replications": 10, "seed": 1, "varies": varies, "cells": cells}
    for width in (40, 80, None):
        text = sweep_summary(result, width=width)
        header, legend = text.split("\n\n")[1].splitlines()[0], text.split("\n\n")[2]
        legend = " ".join(legend.split())
        for column in ("P(break)", "P(in force)", "territory"):
            assert (column in header) == (f"{column}:" in legend), (width, header, legend)


def test_compare_medians_read_with_their_difference():
    from simulator.outputs.text import compare_summary

    figure = {"first": 93.5, "second": 90.0, "difference": -3.5, "ci95": [-6.0, -1.0]}
    report = {
        "first": "a",
        "second": "b",
        "replications": 10,
        "seed": 1,
        "figures": {"median_agreement_week": figure},
    }
    row = next(line for line in compare_summary(report).splitlines() if "median" in line)
    assert re.search(r"93\.5\s+90\s+-3\.5 wk", row), row


def test_compare_shows_weeks_whole_and_territory_in_percent():
    result = CliRunner().invoke(
        main, ["compare", "baseline", "stalemate", "-n", "100"], env={"COLUMNS": "100"}
    )
    week = next(line for line in result.stdout.splitlines() if line.startswith("median week"))
    assert re.search(r"median week agreed\s+\d+(\.5)?\s+\d+(\.5)?\s+[+-]\d+(\.\d)? wk", week)
    territory = next(line for line in result.stdout.splitlines() if "terms: territory" in line)
    assert "%" in territory and " pts" in territory


# ------------------------------------------------------------------------- charts


@pytest.fixture
def drawn(monkeypatch):
    """The figures the charts would save, kept instead of written."""
    from simulator.outputs import plots

    figures = []
    monkeypatch.setattr(plots, "_save", lambda fig, path: figures.append(fig))
    return figures


def test_a_chart_in_a_folder_that_does_not_exist_is_an_error_and_no_folder_is_made(tmp_path):
    chart = tmp_path / "missing" / "deeper" / "x.png"
    result = CliRunner().invoke(main, ["mc", "-n", "10", "--plot", str(chart)])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert not (tmp_path / "missing").exists()


def test_the_mc_chart_has_a_percent_axis_and_an_interval_band(drawn, tmp_path):
    result = CliRunner().invoke(
        main, ["mc", "-n", "400", "--weeks", "104", "--plot", str(tmp_path / "a.png")]
    )
    assert result.exit_code == 0, result.output
    (ax,) = drawn[0].axes
    assert "(%)" in ax.get_ylabel()
    curve = next(line for line in ax.get_lines() if "agreement" in line.get_label())
    band = next(c for c in ax.collections if "interval" in c.get_label())
    ys, top = band.get_paths()[0].vertices[:, 1], curve.get_ydata()[-1]
    assert 1 < top < 100  # in percent, not a fraction
    assert ys.min() < top < ys.max()  # around the curve, not on it


def test_the_mc_chart_is_the_agreement_chart_by_date_from_the_start(drawn, tmp_path):
    import matplotlib.dates as mdates

    result = CliRunner().invoke(
        main, ["mc", "-n", "50", "--weeks", "20", "--plot", str(tmp_path / "a.png")]
    )
    assert result.exit_code == 0, result.output
    (ax,) = drawn[0].axes
    assert ax.get_xlabel() == "date" and "seed 20250106" in ax.get_title(loc="left")
    curve = next(line for line in ax.get_lines() if "agreement" in line.get_label())
    first = mdates.num2date(mdates.date2num(curve.get_xdata()[0])).date()
    assert first.isoformat() == "2025-01-06"  # week 0, as in every table


def test_the_heat_map_labels_each_cell_and_ticks_each_grid_value(drawn):
    from simulator.outputs.plots import sweep_plot

    xs, ys = [0.5, 0.7, 0.9], [0.1, 0.2]
    cells = [{"values": {"a": x, "b": y}, "p_agreement": x * y} for x in xs for y in ys]
    varies = [{"path": "a"}, {"path": "b"}]
    sweep_plot({"scenario": "s", "varies": varies, "cells": cells}, "x.png")
    ax = drawn[0].axes[0]
    assert sorted(t.get_text() for t in ax.texts) == sorted(
        f"{100 * x * y:.0f}%" for x in xs for y in ys
    )
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.5", "0.7", "0.9"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0.1", "0.2"]


DELTAS = [0.2, 0.15, 0.01, 0.005, 0.002, 0.001, 0.0005]
"""Half-swings of a tornado's values, largest first: with 200 runs the first two are
told apart from chance, the rest are not."""


def test_the_tornado_draws_top_bars_and_greys_swings_within_chance(drawn):
    from simulator.outputs.plots import OVERLAP_LABEL, tornado_plot

    values = [
        {"path": f"v{i}", "low": {"p_agreement": 0.3 - d}, "high": {"p_agreement": 0.3 + d}}
        for i, d in enumerate(DELTAS)
    ]
    report = {"scenario": "s", "replications": 200, "base": {"p_agreement": 0.3}}
    tornado_plot({**report, "values": values}, "x.png", top=5)
    ax = drawn[0].axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["v4", "v3", "v2", "v1", "v0"]
    assert len(ax.patches) == 10  # a low and a high bar for each of the 5
    hatches = [p.get_hatch() or "" for p in ax.patches]
    assert sum(h.startswith("////") for h in hatches) == 6
    low, high = hatches[0::2], hatches[1::2]  # each value draws its low bar, then its high
    assert all("." not in h for h in low) and all("." in h for h in high)  # black and white
    legend = [t.get_text() for t in drawn[0].legends[0].get_texts()]
    assert OVERLAP_LABEL in legend


def test_sensitivity_top_reaches_the_chart(monkeypatch, tmp_path):
    from simulator.outputs import plots

    seen = {}
    monkeypatch.setattr(plots, "tornado_plot", lambda report, path, top=None: seen.update(top=top))
    chart = tmp_path / "t.png"
    CliRunner().invoke(
        main, ["sensitivity", "-n", "2", "--weeks", "1", "--top", "3", "--plot", str(chart)]
    )
    assert seen == {"top": 3}


# --------------------------------------------------------------------------- help


def test_every_short_help_fits_on_one_line_of_the_command_list():
    result = CliRunner().invoke(main, ["--help"])
    listing = result.output.split("Commands:\n")[1].splitlines()
    names = [line.split()[0] for line in listing if line.strip()]
    assert names == sorted(main.commands)  # one line each: no line is a continuation
    assert all("..." not in line for line in listing)
    assert max(len(line) for line in result.output.splitlines()) <= 80


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_commands_help_ends_with_examples(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert max(len(line) for line in result.output.splitlines()) <= 80
    tail = result.output.rstrip().split("\n\n")[-1].splitlines()
    assert tail[0].strip() == "Examples:"
    assert tail[1:] and all(line.startswith("    ceasefire ") for line in tail[1:2])
    assert all(line.startswith("    ") for line in tail[1:])


def _examples(command: str) -> list[list[str]]:
    """The example command lines of ``command``'s help, as argument lists."""
    import shlex

    epilog = main.commands[command].epilog or ""
    text = epilog.replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("ceasefire "):
            words = shlex.split(line.split("|")[0].split(">")[0])
            found.append(words[1:])
    return found


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_example_in_the_help_parses(command):
    examples = _examples(command)
    assert examples
    for args in examples:
        assert args[0] == command
        with main.make_context("ceasefire", list(args), resilient_parsing=False) as ctx:
            sub = main.commands[args[0]]
            sub.make_context(args[0], list(args[1:]), parent=ctx)


def test_a_sweep_cell_on_too_few_agreements_is_marked_and_counts_show():
    from simulator.outputs.text import sweep_summary

    def cell(x: float, agreements: int) -> dict:
        return {
            "values": {"a.b.c": x},
            "p_agreement": agreements / 100,
            "median_week": 50.0,
            "median_territory": 0.8,
            "p_breakdown": 0.1,
            "p_in_force_at_end": 0.05,
            "agreements": agreements,
            "too_few_agreements": agreements < 30,
        }

    vary = {"path": "a.b.c", "low": 0.5, "high": 0.7, "steps": 2}
    result = {"scenario": "s", "replications": 100, "seed": 1, "varies": [vary]}
    text = sweep_summary({**result, "cells": [cell(0.5, 10), cell(0.7, 40)]}, 80)
    rows = [line.split() for line in text.splitlines() if line.startswith("0.")]
    assert rows == [
        ["0.5", "10.0%", "10", "50*", "80.0%*", "10.0%*", "5.0%"],
        ["0.7", "40.0%", "40", "50", "80.0%", "10.0%", "5.0%"],
    ]
    assert "*: too few agreements" in " ".join(text.split())


def test_explain_gives_territorial_distributions_in_percent():
    text = CliRunner().invoke(main, ["explain"], env={"COLUMNS": "100"}).stdout
    lines = [line for line in text.splitlines() if "red line:" in line and "centre" in line]
    assert lines
    for line in lines:
        params = re.search(r"\((low [^)]*)\)", line).group(1)
        assert all(re.fullmatch(r"\w+ -?\d+\.\d%?", p) for p in params.split(", ")), line
        assert "% of the four oblasts" in line or "points of the" in line
