"""Sobol' indices: the design's mapping and the estimators on functions whose indices are
known, the noise correction, and `ceasefire sensitivity --method sobol` on the baseline."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from click.testing import CliRunner
from SALib.test_functions import Ishigami

from simulator import sobol
from simulator.cli import main
from simulator.scenario.quantities import Quantity
from simulator.studies import distribution_quantile

PI = np.pi
A, B = 7.0, 0.1  # SALib's Ishigami constants


def ishigami_truth() -> dict[str, float]:
    """Closed-form indices of the Ishigami function on U(-pi, pi)^3 (Sobol' & Levitan 1999)."""
    v1 = 0.5 * (1 + B * PI**4 / 5) ** 2
    v2 = A**2 / 8
    v13 = B**2 * PI**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return {"S1": v1 / v, "S2": v2 / v, "ST1": (v1 + v13) / v, "ST3": v13 / v, "S13": v13 / v}


def uniform(low: float, high: float) -> Quantity:
    return Quantity(value={"dist": "uniform", "low": low, "high": high}, assumption="a test input")


def ishigami_design(noise_sd: float = 0.0):
    quantities = {name: uniform(-PI, PI) for name in ("x1", "x2", "x3")}
    plan = sobol.design(quantities, 2048, seed=11, pair=("x1", "x3"))
    x = np.column_stack([plan.inputs[name] for name in plan.names])
    y = Ishigami.evaluate(x) + np.random.default_rng(5).normal(0.0, noise_sd, len(x))
    return plan, y


def by_path(result: dict) -> dict[str, dict]:
    return {row["path"]: row for row in result["indices"]}


def test_ishigami_indices_through_the_mapping_match_the_closed_form():
    plan, y = ishigami_design()
    result = sobol.analyze(plan, y, seed=11)
    truth, rows = ishigami_truth(), by_path(result)
    assert rows["x1"]["S1"]["value"] == pytest.approx(truth["S1"], abs=0.05)
    assert rows["x2"]["S1"]["value"] == pytest.approx(truth["S2"], abs=0.05)
    assert rows["x3"]["S1"]["value"] == pytest.approx(0.0, abs=0.05)
    assert rows["x1"]["ST"]["value"] == pytest.approx(truth["ST1"], abs=0.05)
    assert rows["x3"]["ST"]["value"] == pytest.approx(truth["ST3"], abs=0.05)
    assert result["pair"]["S2"]["value"] == pytest.approx(truth["S13"], abs=0.08)
    low, high = result["pair"]["S2"]["ci95"]
    assert low < truth["S13"] < high
    assert result["noise"]["value"] == pytest.approx(0.0, abs=1e-9)  # a deterministic function
    total = result["first_order_sum"]
    assert total["value"] == pytest.approx(truth["S1"] + truth["S2"], abs=0.06)
    assert total["ci95"][0] < truth["S1"] + truth["S2"] < total["ci95"][1]
    assert [row["path"] for row in result["indices"]] == ["x1", "x2", "x3"]  # ranked by ST


def test_independent_noise_is_reported_and_taken_off_the_total_order():
    noise_sd = 3.0
    plan, y = ishigami_design(noise_sd)
    result = sobol.analyze(plan, y, seed=11)
    truth, rows = ishigami_truth(), by_path(result)
    v = A**2 / 8 + 0.5 * (1 + B * PI**4 / 5) ** 2 + B**2 * PI**8 * (1 / 18 - 1 / 50)
    share = v / (v + noise_sd**2)  # indices are shares of the whole variance
    assert result["noise"]["value"] == pytest.approx(1 - share, abs=0.04)
    assert rows["x1"]["ST"]["value"] == pytest.approx(truth["ST1"] * share, abs=0.06)
    assert rows["x3"]["ST"]["value"] == pytest.approx(truth["ST3"] * share, abs=0.05)
    assert rows["x2"]["S1"]["value"] == pytest.approx(truth["S2"] * share, abs=0.05)


def test_a_linear_model_has_first_order_indices_in_proportion_to_variance():
    quantities = {"a": uniform(0, 1), "b": uniform(0, 2), "c": uniform(5, 5.0001)}
    plan = sobol.design(quantities, 1024, seed=3)
    y = plan.inputs["a"] + plan.inputs["b"]
    rows = by_path(sobol.analyze(plan, y, seed=3))
    assert rows["a"]["S1"]["value"] == pytest.approx(0.2, abs=0.03)  # 1/12 of 5/12
    assert rows["b"]["S1"]["value"] == pytest.approx(0.8, abs=0.03)
    assert rows["c"]["ST"]["value"] == pytest.approx(0.0, abs=0.01)
    assert plan.pair is None
    assert plan.rows == 1024 * (3 + 1 + 2)


@pytest.mark.parametrize(
    "value",
    [
        {"dist": "uniform", "low": 2.0, "high": 5.0},
        {"dist": "triangular", "low": 0.0, "mode": 0.3, "high": 1.0},
        {"dist": "normal", "mean": 1.0, "sd": 0.5, "low": 0.2, "high": 2.0},
        {"dist": "beta", "alpha": 2.0, "beta": 5.0, "low": 1.0, "high": 3.0},
        4.5,
    ],
)
def test_each_column_is_mapped_through_its_input_quantile_function(value):
    quantity = Quantity(value=value, assumption="a test input")
    q = np.array([0.01, 0.1, 0.37, 0.5, 0.9, 0.99])
    expected = [distribution_quantile(quantity, p) for p in q]
    assert sobol.quantile_values(quantity, q) == pytest.approx(expected)


def test_the_design_samples_each_input_from_its_own_distribution():
    quantities = {"a": uniform(10, 20), "b": uniform(-1, 0)}
    plan = sobol.design(quantities, 512, seed=1)
    assert plan.inputs["a"].min() >= 10 and plan.inputs["a"].max() <= 20
    assert plan.inputs["b"].min() >= -1 and plan.inputs["b"].max() <= 0
    assert np.mean(plan.inputs["a"]) == pytest.approx(15, abs=0.1)
    again = sobol.design(quantities, 512, seed=1)
    assert np.array_equal(again.inputs["a"], plan.inputs["a"])


@pytest.mark.parametrize("samples", [0, 100, 4])
def test_the_base_sample_must_be_a_power_of_two(samples):
    with pytest.raises(ValueError, match="power of 2"):
        sobol.design({"a": uniform(0, 1)}, samples, seed=1)


def test_an_outcome_that_never_varies_has_no_indices():
    plan = sobol.design({"a": uniform(0, 1)}, 8, seed=1)
    result = sobol.analyze(plan, np.zeros(plan.rows), seed=1)
    assert result["constant"] and result["indices"] == []
    assert result["note"] == "the same in every run"
    rare = np.zeros(plan.rows)
    rare[1] = 1.0  # one AB row: the base runs A and B never vary
    result = sobol.analyze(plan, rare, seed=1)
    assert result["constant"] and "larger -n" in result["note"]


# ----------------------------------------------------------------------------- the CLI

SMALL = ["--method", "sobol", "-n", "128", "--format", "json"]
RED_LINES = [
    "actors.russia.positions.territory.red_line",
    "actors.ukraine.positions.territory.red_line",
]


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def baseline_report() -> dict:
    result = invoke("sensitivity", *SMALL)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_sobol_on_the_baseline_gives_indices_in_range(baseline_report):
    report = baseline_report
    assert report["method"] == "sobol" and report["samples"] == 128
    inputs = len(report["inputs"])
    assert report["evaluations"] == 128 * (inputs + 5)
    assert set(report["outcomes"]) == {"p_agreement", "p_in_force_at_end", "control_at_end"}
    territory = report["outcomes"]["control_at_end"]
    assert 0 <= territory["noise"]["value"] < 0.5  # the front moves mostly with its inputs
    agreement = report["outcomes"]["p_agreement"]
    assert 0 < agreement["mean"] < 1
    for outcome in (agreement, territory):
        assert not outcome["constant"]
        assert len(outcome["indices"]) == inputs
        for row in outcome["indices"]:
            s1, st = row["S1"], row["ST"]
            assert -0.5 <= s1["value"] <= 1.5 and -0.5 <= st["value"] <= 1.5
            assert s1["ci95"][0] <= s1["value"] <= s1["ci95"][1]
            assert st["ci95"][0] <= st["value"] <= st["ci95"][1]
            # ST >= S1, up to the estimates' own uncertainty at this small sample
            assert st["ci95"][1] + 0.05 >= s1["ci95"][0]
        ranked = [row["ST"]["value"] for row in outcome["indices"]]
        assert ranked == sorted(ranked, reverse=True)
    for row in territory["indices"]:  # a smooth outcome: tight enough for a plain check
        assert row["ST"]["value"] >= row["S1"]["value"] - 0.1


def test_sobol_reports_the_red_line_pair_in_json_and_table(baseline_report):
    assert baseline_report["red_line_pair"] == RED_LINES
    for name in ("p_agreement", "control_at_end"):
        pair = baseline_report["outcomes"][name]["pair"]
        assert pair["paths"] == RED_LINES
        low, high = pair["S2"]["ci95"]
        assert low <= pair["S2"]["value"] <= high
    result = invoke("sensitivity", *SMALL[:-2], "--top", "3")
    assert result.exit_code == 0, result.output
    assert "red lines together: S2" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 100
    rows = [line for line in result.stdout.splitlines() if re.match(r" *\d+  \S", line)]
    ranks = [line.split()[0] for line in rows]
    assert set(ranks) == {"1", "2", "3"}  # --top 3 in every table


def test_sobol_gives_the_same_indices_whatever_the_workers(baseline_report):
    result = invoke("sensitivity", *SMALL, "--workers", "2")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == baseline_report


def test_the_help_gives_the_default_sample_size():
    result = invoke("sensitivity", "--help")
    assert f"[default: {sobol.DEFAULT_SAMPLES}]" in " ".join(result.output.split())


def test_sobol_draws_a_chart(tmp_path):
    chart = tmp_path / "sobol.png"
    result = invoke("sensitivity", *SMALL[:-2], "-n", "8", "--plot", str(chart))
    assert result.exit_code == 0, result.output
    assert chart.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-n", "100"], "power of 2"),
        (["theory/rubinstein", "-n", "8"], "no uncertain numbers"),
    ],
)
def test_sobol_refuses_what_it_cannot_do_in_one_line(args, message):
    result = invoke("sensitivity", "--method", "sobol", "--weeks", "4", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------- one input per replication


def test_the_model_holds_a_value_per_replication_when_given_an_array():
    from simulator.model import CeasefireModel

    forces = np.array([500.0, 600.0, 700.0])
    model = CeasefireModel(replications=3, seed=1, collect=False, fixed={"front.control": 0.7})
    held = CeasefireModel(
        replications=3, seed=1, collect=False, fixed={"actors.russia.resources.forces": forces}
    )
    assert np.array_equal(held.draw("actors.russia.resources.forces"), forces)
    assert np.array_equal(model.draw("front.control"), np.full(3, 0.7))
    forces[0] = 1.0  # the model keeps its own copy
    assert held.draw("actors.russia.resources.forces")[0] == 500.0
    with pytest.raises(ValueError, match="2 values for 3 replications"):
        CeasefireModel(replications=3, collect=False, fixed={"front.control": np.ones(2)})


def test_the_red_line_pair_is_found_only_when_both_red_lines_are_uncertain():
    from simulator.scenario import load_scenario
    from simulator.scenario.sampling import uncertain_paths

    scenario = load_scenario()
    assert sobol.red_line_pair(scenario, uncertain_paths(scenario)) == tuple(RED_LINES)
    fixed = load_scenario(None, ["actors.ukraine.positions.territory.red_line=0.01"])
    assert sobol.red_line_pair(fixed, uncertain_paths(fixed)) is None


def test_sobol_text_gives_shares_in_percent_and_its_chart_reads_without_colour(
    baseline_report, monkeypatch
):
    from simulator.outputs import plots
    from simulator.outputs.sobol import sobol_plot, sobol_summary

    text = " ".join(sobol_summary(baseline_report, top=3, width=100).split())
    assert re.search(r"holder's share of the territory at the end: \d+\.\d%", text)
    assert "settlement in force at the end" in text and "cease-fire in force" not in text
    figures: list = []
    monkeypatch.setattr(plots, "_save", lambda fig, path: figures.append(fig))
    sobol_plot(baseline_report, "x.png", top=3)
    for ax in figures[0].axes:
        hatches = {(p.get_hatch() or "").lstrip("/") for p in ax.patches}
        assert "" in hatches and "..." in hatches  # S1 plain, ST dotted, as the legend says
