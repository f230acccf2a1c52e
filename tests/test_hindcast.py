"""Hindcasts: scoring rules, the observed files, and `ceasefire hindcast`."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

from simulator.cli import main
from simulator.ensemble import EnsembleResult
from simulator.hindcast import hindcast
from simulator.observed import ObservedFile, load_observed, observed_files
from simulator.scenario import bundled_scenarios, load_scenario
from simulator.scoring import brier, clipped, crps, log_score

OBSERVED = observed_files()


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


# ------------------------------------------------------------------------ scoring rules


def normal_crps(mu: float, sigma: float, y: float) -> float:
    """Closed form (Gneiting and Raftery 2007): sigma [z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi)]."""
    z = (y - mu) / sigma
    return sigma * (
        z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi)
    )


@pytest.mark.parametrize(("mu", "sigma", "y"), [(0, 1, 0), (1, 2, 0.3), (5, 0.5, 7.5)])
def test_ensemble_crps_matches_the_closed_form_for_a_normal(mu, sigma, y):
    n = 20_000
    sample = stats.norm.ppf((np.arange(n) + 0.5) / n, mu, sigma)
    np.random.default_rng(0).shuffle(sample)
    assert crps(sample, y) == pytest.approx(normal_crps(mu, sigma, y), rel=2e-3)


def test_crps_by_hand_and_at_a_point():
    # E|X - y| - E|X - X'| / 2 for X in {0, 1}, y = 0: 0.5 - 0.25.
    assert crps(np.array([1.0, 0.0]), 0.0) == pytest.approx(0.25)
    assert crps(np.full(10, 3.0), 5.0) == pytest.approx(2.0)  # a point forecast: |x - y|


def test_brier_and_log_scores():
    assert brier(0.8, True) == pytest.approx(0.04)
    assert brier(0.8, False) == pytest.approx(0.64)
    assert log_score(0.8, True, 1000) == pytest.approx(-math.log(0.8))
    assert log_score(0.8, False, 1000) == pytest.approx(-math.log(0.2))
    # A probability of 0 from 100 replications counts as half a replication: finite.
    assert clipped(0.0, 100) == 0.005
    assert log_score(0.0, True, 100) == pytest.approx(-math.log(0.005))
    assert log_score(1.0, True, 100) == pytest.approx(-math.log(0.995))


# ---------------------------------------------------------------------- observed files


def test_the_bundled_observed_file_loads_and_every_observation_is_sourced():
    assert [p.name for p in OBSERVED] == ["2025.yaml"]
    observed = load_observed(OBSERVED[0])
    assert observed.belligerents == ["russia", "ukraine"]
    kinds = {item.kind for item in observed.observations.values()}
    assert kinds == {"territory", "place", "accepted", "agreement", "context"}
    for item in observed.observations.values():
        assert item.source in observed.sources
    # Observed files are not scenarios.
    assert not any("observed" in p.parts for p in bundled_scenarios())


def bad_copy(tmp_path, old: str, new: str):
    text = OBSERVED[0].read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    return path, line


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("    source: jeddah\n", "    source: jedah\n", "ukraine-accepts-30-day.source"),
        ("    low: 2500\n", "    low: 7500\n", "territory-2025"),
        (
            "    proposal: ceasefire\n    by: 2025-03-11",
            "    proposal: truce\n    by: 2025-03-11",
            "ukraine-accepts-30-day.proposal",
        ),
    ],
)
def test_a_bad_observed_file_gets_one_located_line_and_exit_2(tmp_path, old, new, field):
    path, line = bad_copy(tmp_path, old, new)
    result = invoke("hindcast", "-n", "10", "--observed", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    found = re.match(
        rf"{re.escape(str(path))}:(\d+):\d+: observations\.{re.escape(field)}", lines[0]
    )
    assert found, lines[0]
    assert abs(int(found.group(1)) - line) <= 12  # at the observation, not the file's top


def test_a_missing_observed_file_is_exit_2(tmp_path):
    result = invoke("hindcast", "-n", "10", "--observed", str(tmp_path / "none.yaml"))
    assert result.exit_code == 2
    assert "no such observed file" in result.stderr


# ---------------------------------------------------------------------------- scoring


def observed_file(**observations: dict[str, Any]) -> ObservedFile:
    return ObservedFile.model_validate(
        {
            "format": 1,
            "name": "test",
            "description": "constructed",
            "compiled": "2025-12-31",
            "belligerents": ["russia", "ukraine"],
            "sources": {"s": {"publisher": "p", "title": "t"}},
            "observations": {
                key: {"description": key, "source": "s", "claimed_by": "c", "verified": True, **o}
                for key, o in observations.items()
            },
        }
    )


def constructed_result(
    n: int = 100, overrides: list[str] | None = None, **arrays: np.ndarray
) -> EnsembleResult:
    base = {"agreed": np.zeros(n, bool), "agreement_week": np.full(n, -1)}
    scenario = load_scenario(None, overrides)
    return EnsembleResult(scenario, 1, 104, [], ["russia", "ukraine"], {**base, **arrays})


def test_the_90_percent_flag_on_a_constructed_case():
    # Pokrovsk falls in week 10 in every replication; Ukraine accepts in week 5 in 3%.
    accepts = np.where(np.arange(100) < 3, 5, -1)
    result = constructed_result(
        fall_week_pokrovsk=np.full(100, 10), first_accept_week_ukraine=accepts
    )
    start = result.scenario.start
    on = lambda weeks: (start + np.timedelta64(7 * weeks, "D").item()).isoformat()  # noqa: E731
    observed = observed_file(
        inside={"kind": "place", "place": "pokrovsk", "fell": on(10)},
        outside={"kind": "place", "place": "pokrovsk", "fell": on(30)},
        rare={
            "kind": "accepted",
            "actor": "ukraine",
            "proposal": "any",
            "by": on(6),
            "happened": True,
        },
        likely={
            "kind": "accepted",
            "actor": "ukraine",
            "proposal": "any",
            "by": on(6),
            "happened": False,
        },
    )
    report = hindcast(result, [("test", observed)])
    rows = {row["id"]: row for row in report["scored"]}
    assert not rows["inside"]["outside_90"] and rows["inside"]["score"]["crps"] == 0
    assert rows["outside"]["outside_90"] and rows["outside"]["score"]["crps"] == 20
    assert rows["rare"]["forecast"]["p"] == pytest.approx(0.03)
    assert rows["rare"]["outside_90"] and not rows["likely"]["outside_90"]
    assert rows["rare"]["score"]["brier"] == pytest.approx(0.97**2)
    assert rows["rare"]["score"]["log"] == pytest.approx(-math.log(0.03))
    assert report["summary"]["outside_90"] == 2


def test_never_fallen_counts_as_after_the_weeks_run_and_a_range_at_its_midpoint():
    result = constructed_result(fall_week_pokrovsk=np.full(100, -1))
    observed = observed_file(
        late={
            "kind": "place",
            "place": "pokrovsk",
            "fell": "2025-03-03",
            "fell_latest": "2025-03-17",
        },
    )
    row = hindcast(result, [("test", observed)])["scored"][0]
    assert row["observed"] == {"low": 8, "high": 10, "unit": "week"}
    assert row["score"]["crps"] == pytest.approx(105 - 9)  # all at week 105, observed 9
    assert row["scored_as"] == "midpoint of the range" and row["outside_90"]


def test_territory_gain_is_scored_at_the_midpoint_in_km2():
    n = 50
    result = constructed_result(
        n,
        control_2025q4=np.full(n, 0.80),
        control_at_start=np.full(n, 0.775),
        area_km2=np.full(n, 100_000.0),
    )
    gain = {"kind": "territory", "holder": "russia", "quarter": "2025q4", "measure": "gain_km2"}
    observed = observed_file(
        inside={**gain, "low": 2000, "high": 3000},
        above={**gain, "low": 3500, "high": 4500},
    )
    rows = {row["id"]: row for row in hindcast(result, [("test", observed)])["scored"]}
    assert rows["inside"]["forecast"]["q5"] == pytest.approx(2500.0)
    assert rows["inside"]["score"]["crps"] == pytest.approx(0.0, abs=1e-6)
    assert not rows["inside"]["outside_90"]
    assert rows["above"]["score"] == {"crps": pytest.approx(1500.0), "unit": "km2"}
    assert rows["above"]["outside_90"]


def test_what_a_scenario_cannot_forecast_is_listed_with_the_reason():
    # A scenario whose mediator offers no pauses cannot forecast a truce.
    result = constructed_result(overrides=["talks.offers=[]"], fall_week_pokrovsk=np.full(100, 3))
    observed = observed_file(
        town={"kind": "place", "place": "chasiv-yar", "fell": "2025-06-01"},
        late={"kind": "place", "place": "pokrovsk", "fell": "2027-06-01"},
        early={"kind": "place", "place": "pokrovsk", "fell": "2024-06-01"},
        truce={
            "kind": "agreement",
            "agreement": "partial_truce",
            "by": "2025-03-18",
            "happened": True,
        },
        aid={"kind": "context", "date": "2025-03-03"},
    )
    report = hindcast(result, [("test", observed)])
    assert report["scored"] == []
    reasons = {row["id"]: row["reason"] for row in report["not_scored"]}
    assert "does not model the place 'chasiv-yar'" in reasons["town"]
    assert "after the weeks run" in reasons["late"]
    assert "before the scenario's start" in reasons["early"]
    assert "never offers a partial truce" in reasons["truce"]
    assert reasons["aid"].startswith("context")


# -------------------------------------------------------------------------------- CLI


@pytest.mark.parametrize("path", bundled_scenarios(), ids=lambda p: p.stem)
def test_hindcast_runs_on_every_bundled_scenario(path):
    observations = len(load_observed(OBSERVED[0]).observations)
    result = invoke("hindcast", str(path), "-n", "40", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["scored"]) + len(report["not_scored"]) == observations
    for row in report["scored"]:
        assert isinstance(row["outside_90"], bool)
        numbers = [v for k, v in row["score"].items() if k != "unit"]
        assert numbers and all(math.isfinite(v) and v >= 0 for v in numbers)
    table = invoke("hindcast", str(path), "-n", "40")
    assert table.exit_code == 0, table.output
    assert "Nothing in a scenario is tuned" in table.stdout
    assert max(len(line) for line in table.stdout.splitlines()) <= 100


def test_baseline_hindcast_scores_the_record_it_can_forecast():
    report = json.loads(invoke("hindcast", "-n", "200", "--format", "json").stdout)
    scored = {row["id"] for row in report["scored"]}
    expected = {"ukraine-accepts-30-day", "pokrovsk-claimed", "territory-2025"}
    assert expected | {"energy-truce-agreed", "russia-rejects-30-day"} <= scored
    # Theory scenarios have other belligerents: nothing of 2025 applies to them.
    theory = json.loads(
        invoke("hindcast", "theory/rubinstein", "-n", "20", "--format", "json").stdout
    )
    assert theory["scored"] == []


def test_same_seed_same_hindcast():
    first = invoke("hindcast", "-n", "100", "--seed", "3", "--format", "json").stdout
    assert invoke("hindcast", "-n", "100", "--seed", "3", "--format", "json").stdout == first


def test_the_docs_say_the_observed_files_are_for_scoring_only():
    root = OBSERVED[0].parents[2]
    assert "docs/HINDCAST.md" in (root / "README.md").read_text(encoding="utf-8")
    docs = (root / "docs" / "HINDCAST.md").read_text(encoding="utf-8")
    assert "Nothing in a scenario is tuned to the observed files." in docs
