"""Strings from a scenario are data, never markup: charts, terminals and error lines."""

from __future__ import annotations

import pytest

from simulator.errors import Problem, ScenarioError
from simulator.outputs.plots import sweep_plot, tornado_plot
from simulator.scenario import load_scenario

MATH = "$x^$"  # bad math text: matplotlib raises on it when it parses math text


def test_charts_show_a_scenario_name_that_looks_like_math_literally(tmp_path):
    from simulator.ensemble import run_ensemble
    from simulator.outputs.charts import save
    from simulator.outputs.ensemble_charts import agreement_figure

    named = load_scenario("baseline", [f'name="{MATH}"'])
    save(agreement_figure(run_ensemble(named, 20, weeks=2)), tmp_path / "agreement.png")
    cells = [{"values": {f"a.{MATH}": x}, "p_agreement": x / 2} for x in (0.1, 0.2)]
    sweep_plot(
        {"scenario": MATH, "varies": [{"path": f"a.{MATH}"}], "cells": cells},
        tmp_path / "sweep.svg",
    )
    row = {"path": MATH, "low": {"p_agreement": 0.2}, "high": {"p_agreement": 0.6}}
    tornado_plot(
        {"scenario": MATH, "base": {"p_agreement": 0.4}, "values": [row]}, tmp_path / "t.pdf"
    )
    assert all((tmp_path / name).stat().st_size > 0 for name in ("agreement.png", "sweep.svg"))


@pytest.mark.parametrize(
    "escaped", ["\\e[31m", "\\x07", "\\u009b", "\\u202e"], ids=["esc", "bell", "csi", "bidi"]
)
def test_control_characters_in_a_scenario_string_are_refused(write_scenario, escaped):
    path = write_scenario("name: baseline\n", f'name: "red {escaped} name"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert (problem.file, problem.line) == (str(path), 6)
    assert "control character" in problem.message


def test_control_characters_in_a_set_value_are_refused():
    with pytest.raises(ScenarioError) as info:
        load_scenario("baseline", ['name="a\\e[2Jb"'])
    assert "control character U+001B" in str(info.value)


def test_error_lines_show_control_characters_as_escapes():
    line = str(Problem("unknown field 'x\x1b[2J'", "my\x07file.yaml", 3, 1, "a\u202eb"))
    assert line == "my\\x07file.yaml:3:1: a\\u202eb: unknown field 'x\\x1b[2J'"
