"""`run --narrate` and `run --pick`: a story of one run, and runs worth showing."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.outputs.narrative import narrate
from simulator.picking import Candidate, candidate, choose
from simulator.results import outcome, run, weekly_records
from simulator.scenario import load_scenario

SEEDS = range(0, 24)


@pytest.fixture(scope="module")
def hazardous():
    """The baseline with settlements that break down often (a quarter a week)."""
    return load_scenario(None, ["durability.base_hazard=0.25"])


@pytest.fixture(scope="module")
def candidates(hazardous):
    return [candidate(hazardous, seed) for seed in SEEDS]


def test_candidate_summary_matches_the_run_with_its_seed(hazardous, candidates):
    """A candidate skips the weekly records; its outcome is the ordinary run's."""
    for c in candidates[:3]:
        result = outcome(run(hazardous, seed=c.seed))
        assert c.control_at_end == pytest.approx(result["control_at_end"], abs=1e-6)
        assert (c.outcome in ("settlement", "ceasefire")) == result["agreed"]


@pytest.mark.parametrize("kind", ["agreed", "none", "median", "breakdown"])
def test_pick_returns_a_run_of_the_kind_asked(hazardous, candidates, kind):
    pick = choose(kind, candidates, hazardous.date_of_week)
    if pick.seed is None:
        pytest.skip(f"no {kind} run among the candidates")
    assert pick.seed in SEEDS and pick.reason
    result = outcome(run(hazardous, seed=pick.seed))
    if kind == "agreed":
        assert result["agreed"]
    elif kind == "none":
        assert not result["agreed"] and result["capitulation"] is None
    elif kind == "breakdown":
        assert result["settlement"] is not None and result["broke_down"]
    else:
        typical = max({c.outcome for c in candidates}, key=[c.outcome for c in candidates].count)
        assert (typical == "none") == (not result["agreed"])


def test_pick_agreed_takes_the_median_agreement_week():
    runs = [
        Candidate(10 + i, kind, week, None, 0.8)
        for i, (kind, week) in enumerate(
            [("none", None), ("settlement", 10), ("ceasefire", 30), ("settlement", 50)]
        )
    ]
    pick = choose("agreed", runs)
    assert pick.seed == 12 and pick.qualifying == 3
    assert "week 30" in pick.reason


def test_a_pick_that_is_the_only_one_of_its_kind_says_so():
    runs = [Candidate(1, "none", None, None, 0.8), Candidate(2, "settlement", 20, 30, 0.8)]
    pick = choose("breakdown", runs)
    assert pick.seed == 2 and "the only such run among 2 candidates" in pick.reason
    assert "median" not in pick.reason and "runs among" not in pick.reason


def test_cli_pick_reason_fits_the_terminal():
    result = CliRunner().invoke(
        main,
        ["run", "--pick", "median", "--candidates", "3", "--seed", "0", "--weeks", "8"],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stderr.splitlines()) <= 80


def test_the_story_gives_losses_in_thousands_once(settled_story):
    text = " ".join(settled_story[-1].split())
    assert "(thousands)" not in text and re.search(r"about [\d,]+ thousand", text)


def test_pick_reports_when_nothing_qualifies():
    runs = [Candidate(s, "none", None, None, 0.8) for s in range(5)]
    pick = choose("breakdown", runs)
    assert pick.seed is None and "5 candidates" in pick.reason


def test_cli_pick_prints_seed_and_reason_then_the_run():
    result = CliRunner().invoke(
        main, ["run", "--pick", "median", "--candidates", "3", "--seed", "0", "--weeks", "8"]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("picked seed ")
    seed = int(result.stderr.split()[2].rstrip(":"))
    assert seed in (0, 1, 2)
    assert f"seed {seed}." in result.stdout


def test_cli_pick_without_a_qualifying_run_is_one_line_exit_2():
    result = CliRunner().invoke(
        main, ["run", "--pick", "breakdown", "--candidates", "2", "--weeks", "3"]
    )
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "--candidates" in result.stderr and result.stdout == ""


@pytest.fixture(scope="module")
def settled_story():
    """A baseline run that ends in a settlement, found among a few seeds."""
    scenario = load_scenario()
    for seed in range(40):
        model = run(scenario, seed=seed)
        result = outcome(model)
        if result["settlement"]:
            records = weekly_records(model)
            return scenario, records, result, narrate(scenario, records, result, seed, width=88)
    pytest.skip("no settlement among seeds 0-39")


def test_narrative_names_places_as_they_fall(settled_story):
    scenario, records, _, text = settled_story
    fallen = [
        place.name
        for key, place in scenario.front.places.items()
        if not records[0][f"held_{key}"] and records[-1][f"held_{key}"]
    ]
    assert fallen
    for name in fallen:
        assert f"{name} falls to Russia" in text


def test_narrative_cites_stated_positions_with_claimants(settled_story):
    scenario, _, _, text = settled_story
    red_line = scenario.actors["russia"].positions["territory"].red_line
    assert red_line.claimed_by in text
    assert " ".join(red_line.quote.split()[:5]) in " ".join(text.split())


def test_narrative_is_dated_monthly_in_plain_units_and_fits_a_terminal(settled_story):
    _, records, result, text = settled_story
    assert "January 2025" in text and "km2" in text and "thousand" in text
    assert "SETTLEMENT" in text
    assert f"{int(result['settlement']['date'][8:])} " in text
    months = {row["date"][:7] for row in records[1:]}
    headers = [line for line in text.splitlines() if line and line[0].isalpha()]
    assert len([h for h in headers if h.split()[-1].isdigit() and len(h.split()) == 2]) == len(
        months
    )
    assert max(len(line) for line in text.splitlines()) <= 88


def test_narrative_explains_a_refusal():
    scenario = load_scenario()
    model = run(scenario, seed=0, weeks=6)
    text = narrate(scenario, weekly_records(model), outcome(model))
    assert "refused" in text and "red line" in text


def test_cli_narrate():
    result = CliRunner().invoke(main, ["run", "--narrate", "--weeks", "10"])
    assert result.exit_code == 0, result.output
    assert "Where the sides stand." in result.stdout and "How it ended." in result.stdout
    widths = {
        columns: max(map(len, CliRunner().invoke(main, args, env=env).stdout.splitlines()))
        for columns, args, env in [
            (c, ["run", "--narrate", "--weeks", "30"], {"COLUMNS": str(c)}) for c in (60, 80)
        ]
    }
    assert widths[60] == widths[80] and 70 < widths[80] <= 80  # the tables' width rule
    bad = CliRunner().invoke(main, ["run", "--narrate", "--format", "json"])
    assert bad.exit_code == 2 and len(bad.stderr.splitlines()) == 1


def test_narrative_tells_a_breakdown_and_the_talks_resuming(hazardous, candidates):
    pick = choose("breakdown", candidates)
    if pick.seed is None:
        pytest.skip("no breakdown among the candidates")
    model = run(hazardous, seed=pick.seed)
    text = narrate(hazardous, weekly_records(model), outcome(model), pick.seed)
    assert "SETTLEMENT:" in text and "BREAKS DOWN" in text
    assert text.index("SETTLEMENT:") < text.index("BREAKS DOWN")
