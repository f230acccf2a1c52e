"""Calibration: the targets file, the implausibility measure, and the baseline's fit.

The ranges every check uses come from the targets file (scenarios/calibration/2024.yaml),
never from this module.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from simulator import calibration
from simulator.cli import main
from simulator.errors import ScenarioError
from simulator.scenario import bundled_scenarios, load_scenario


@pytest.fixture(scope="module")
def targets():
    return calibration.load_targets()


@pytest.fixture(scope="module")
def baseline_year(targets):
    return calibration.predictive_runs(load_scenario("baseline"), targets, 4000, seed=7)


@pytest.mark.parametrize("name", ["russia_losses_per_day", "loss_ratio"])
def test_baseline_losses_and_ratio_lie_in_the_2024_ranges(targets, baseline_year, name):
    # The done-when: median Russian losses a day and loss ratio of the
    # baseline's first year inside the ranges documented from 2024 sources.
    low, high = targets.targets[name].range
    assert low <= np.median(baseline_year[name]) <= high


def test_every_target_of_the_baseline_has_its_median_in_range(targets, baseline_year):
    checks = calibration.predictive_check(None, targets, runs=baseline_year)
    outside = [name for name, row in checks.items() if row.get("inside") is False]
    assert outside == []


def test_russia_loses_more_than_ukraine_in_most_runs(baseline_year):
    assert np.mean(baseline_year["loss_ratio"] > 1.0) > 0.9


def test_every_target_is_dated_before_the_cutoff_and_has_a_source(targets):
    assert targets.cutoff.isoformat() == "2025-01-06"
    for target in targets.targets.values():
        assert target.date <= targets.cutoff
        assert target.source in targets.sources
        assert target.range[0] <= target.value <= target.range[1]


def _write_targets(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(calibration.DEFAULT_TARGETS.read_text())
    change(data)
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_a_target_dated_after_the_cutoff_is_refused(tmp_path):
    def later(data):
        data["targets"]["loss_ratio"]["date"] = "2025-03-01"

    path = _write_targets(tmp_path, later)
    with pytest.raises(ScenarioError) as exc:
        calibration.load_targets(path)
    assert "after the cutoff" in str(exc.value) and str(path) in str(exc.value)


def test_implausibility_is_distance_over_the_range_side():
    data = yaml.safe_load(calibration.DEFAULT_TARGETS.read_text())
    data["targets"] = {"loss_ratio": data["targets"]["loss_ratio"]}
    data["method"]["discrepancy"] = 0.0
    targets = calibration.Targets.model_validate(data)
    low, high = targets.targets["loss_ratio"].range
    value = targets.targets["loss_ratio"].value
    means = {"loss_ratio": np.array([value, high, low, value + 2 * (high - value)])}
    variances = {"loss_ratio": np.zeros(4)}
    implaus = calibration.implausibility(targets, means, variances, 10)[:, 0]
    # At the value: 0; at either end of the range: 3 (the cutoff); twice as far: 6.
    assert implaus.tolist() == pytest.approx([0.0, 3.0, 3.0, 6.0])


def test_history_matching_narrows_the_prior_and_keeps_points_that_fit(tmp_path):
    def small(data):
        data["method"].update(points=[20000, 600], replications_per_point=[4, 8], waves=2)

    targets = calibration.load_targets(_write_targets(tmp_path, small))
    result = calibration.calibrate(targets, predictive_replications=0)
    assert len(result.kept_points) > 0
    width_prior = result.prior[:, 1] - result.prior[:, 0]
    width_kept = result.kept_range[:, 1] - result.kept_range[:, 0]
    assert np.all(width_kept <= width_prior) and np.any(width_kept < 0.5 * width_prior)
    assert np.all(result.kept_range[:, 0] >= result.prior[:, 0])
    last = result.waves[-1]
    assert np.all(last.implausibility[last.kept].max(axis=1) < targets.method.cutoff)
    # Same file, same seed: the same region.
    again = calibration.calibrate(targets, predictive_replications=0)
    assert np.array_equal(again.kept_range, result.kept_range)


def test_calibration_file_is_not_a_bundled_scenario():
    assert not any("calibration" in p.parts for p in bundled_scenarios())


def test_cli_calibrate_reports_targets_region_and_checks(tmp_path):
    def small(data):
        data["method"].update(points=[20000, 300], replications_per_point=[4, 8], waves=2)

    path = _write_targets(tmp_path, small)
    result = CliRunner().invoke(
        main, ["calibrate", "--targets", str(path), "-n", "500", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["method"] == "history matching"
    assert set(report["targets"]) <= set(report["predictive"])
    assert "pokrovsk" in report["places"]


def test_cli_calibrate_names_a_bad_targets_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("format: 1\nname: x\n")
    result = CliRunner().invoke(main, ["calibrate", "--targets", str(path)])
    assert result.exit_code == 2
    assert str(path) in result.output and "Traceback" not in result.output


def test_cli_calibrate_says_when_nothing_fits(tmp_path):
    def impossible(data):
        data["targets"]["loss_ratio"].update(value=50.0, range=[49.0, 51.0])
        data["method"].update(points=[200, 50], replications_per_point=[2, 2], waves=2)

    path = _write_targets(tmp_path, impossible)
    result = CliRunner().invoke(main, ["calibrate", "--targets", str(path)])
    assert result.exit_code == 2
    assert "no parameter values fit" in result.output and "Traceback" not in result.output
