"""Positions that move: red lines with a cost of crossing, resource and reciprocal
tactics, a mediator that drafts the line of contact, policies that answer the talks,
pauses of several kinds and capitulations apart from agreements."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulator import CeasefireModel, load_scenario
from simulator.results import outcome, run
from simulator.talks import DRAFTERS, NEGOTIATORS
from simulator.talks.base import MediatorView, Party, Situation
from simulator.talks.policies import TalksWeek
from simulator.talks.registry import POLICIES
from simulator.talks.strategies import resource_aspiration
from simulator.variance import driver_of, explained_share, variance_shares

NASH = "theory/nash-mediator"


def arr(*values: float) -> np.ndarray:
    return np.array(values, dtype=float)


def party(ideal, threshold, ask, low=0.0, high=1.0, cost=None) -> Party:
    """A party on one issue with weight 1 (utility 1 - |x - ideal|)."""
    return Party(
        ideal=arr(ideal)[:, None],
        weights=arr(1.0)[:, None],
        walk_away=arr(threshold),
        threshold=arr(threshold),
        ask=arr(ask)[:, None],
        low=arr(low)[:, None],
        high=arr(high)[:, None],
        crossing_cost=None if cost is None else arr(cost)[:, None],
    )


def situation(n: int, rounds=0, resources=1.0, gain=0.0, talking=True) -> Situation:
    return Situation(
        rounds=np.full(n, rounds),
        offer_gain=np.full(n, gain, dtype=float),
        proposing=np.zeros(n, bool),
        talking=np.full(n, talking),
        walk_away=np.zeros(n),
        other_walk_away=np.zeros(n),
        patience=np.ones(n),
        other_patience=np.ones(n),
        resources=np.broadcast_to(np.asarray(resources, dtype=float), (n,)).copy(),
    )


def make(name: str, n: int = 1, **params: float):
    cls = NEGOTIATORS[name]
    values = {s.name: np.full(n, params.get(s.name, s.default)) for s in cls.params}
    return cls(values, n)


def model(name: str | None = None, *overrides: str, replications: int = 1, seed=None):
    return CeasefireModel(load_scenario(name, list(overrides)), replications, seed=seed)


def steps(m: CeasefireModel, weeks: int) -> CeasefireModel:
    for _ in range(weeks):
        m.step()
    return m


# ------------------------------------------------------------------- red lines and costs


def test_terms_beyond_a_red_line_are_accepted_only_when_they_beat_its_cost():
    # Ideal 0, red line 0.3, threshold 0.5: terms at 0.4 are worth 0.6 before the cost.
    assert party(0.0, 0.5, 0.0, high=0.3, cost=0.05).accepts(arr(0.4)[:, None]).tolist() == [True]
    assert party(0.0, 0.5, 0.0, high=0.3, cost=0.15).accepts(arr(0.4)[:, None]).tolist() == [False]
    # Inside the line the cost does not apply; an infinite cost is a hard line.
    assert party(0.0, 0.5, 0.0, high=0.3, cost=9.0).accepts(arr(0.3)[:, None]).tolist() == [True]
    hard = party(0.0, -5.0, 0.0, high=0.3, cost=np.inf)
    assert hard.accepts(arr(0.31)[:, None]).tolist() == [False]


def test_a_red_line_cost_wears_down_with_losses_and_with_the_war_s_burden():
    m = model(replications=3, seed=1)
    ukraine = m.defender
    k = 0
    fresh = ukraine.crossing_cost_now()[:, k].copy()
    np.testing.assert_allclose(fresh, ukraine.positions.crossing_cost[:, k])
    ukraine.losses_total = ukraine.start_forces.copy()  # lost as many as it started with
    worn = ukraine.crossing_cost_now()[:, k]
    np.testing.assert_allclose(worn, fresh * np.exp(-ukraine.positions.casualty_erosion[:, k]))
    ukraine.update_levers(np.zeros(3), m.levers.sanctions, m.levers.intelligence)  # aid cut off
    burdened = ukraine.crossing_cost_now()[:, k]
    np.testing.assert_allclose(burdened, worn / (1 + ukraine.aid_dependence))


def test_an_event_can_change_what_crossing_a_red_line_costs():
    scenario = load_scenario(
        None,
        [
            "events.election={date: 2025-02-03, kind: red_line_cost, actor: ukraine, "
            "issue: territory, level: {value: 0.0, assumption: test}, "
            "description: test, assumption: test}",
        ],
    )
    m = CeasefireModel(scenario, 2, seed=3)
    assert (m.defender.positions.crossing_cost[:, 0] > 0).all()
    steps(m, scenario.week_of_date(scenario.events["election"].date))
    assert m.defender.positions.crossing_cost[:, 0].tolist() == [0.0, 0.0]


def test_a_hard_red_line_has_no_cost_to_weigh():
    m = model(NASH)
    assert m.holder.crossing_cost_now() is None


# ------------------------------------------------------------------------------ tactics


def test_resource_tactic_holds_at_full_resources_and_concedes_fully_at_the_floor():
    floor, exponent = arr(0.5, 0.5, 0.5), arr(1.0, 1.0, 1.0)
    values = resource_aspiration(arr(1.0, 0.75, 0.5), floor, exponent)
    assert values.tolist() == pytest.approx([1.0, 0.5, 0.0])
    # A Boulware-like exponent holds out longer at the same depletion.
    assert resource_aspiration(arr(0.75), arr(0.5), arr(0.3))[0] > 0.5


def test_resource_dependent_negotiator_follows_its_resources():
    strategy = make("resource_dependent", 2, floor=0.6)
    low = strategy.aspiration(situation(2, resources=[1.0, 0.6]))
    assert low.tolist() == pytest.approx([1.0, 0.0])


def test_mixed_tactic_concedes_fully_when_any_pressure_has_run_its_course():
    strategy = make("mixed", 3, deadline=10, floor=0.5, exponent=1.0)
    at_deadline = strategy.aspiration(situation(3, rounds=10))
    assert at_deadline.tolist() == pytest.approx([0.0, 0.0, 0.0])
    strategy = make("mixed", 1, deadline=10, floor=0.5)
    assert strategy.aspiration(situation(1, rounds=0, resources=0.5))[0] == pytest.approx(0.0)


def test_mixed_tactic_ignores_a_tactic_of_weight_zero_and_reciprocates():
    strategy = make("mixed", 1, time_weight=0.0, resource_weight=0.0, reciprocity=2.0)
    assert strategy.aspiration(situation(1, rounds=50))[0] == pytest.approx(1.0)
    after = strategy.aspiration(situation(1, rounds=1, gain=0.1))
    assert after[0] == pytest.approx(0.8)
    # Memory does not change where talks are not held.
    assert strategy.aspiration(situation(1, rounds=2, gain=0.3, talking=False))[0] == 0.8


# -------------------------------------------------------------------------- the mediator


def test_freeze_at_front_drafts_the_line_of_contact_and_the_mediator_s_other_terms():
    parties = (
        Party(
            ideal=arr(1.0, 1.0)[None, :],
            weights=arr(0.5, 0.5)[None, :],
            walk_away=arr(0.0),
            threshold=arr(0.0),
            ask=arr(0.95, 0.9)[None, :],
            low=arr(0.0, 0.0)[None, :],
            high=arr(1.0, 1.0)[None, :],
        ),
        Party(
            ideal=arr(0.0, 0.0)[None, :],
            weights=arr(0.5, 0.5)[None, :],
            walk_away=arr(0.0),
            threshold=arr(0.0),
            ask=arr(0.2, 0.1)[None, :],
            low=arr(0.0, 0.0)[None, :],
            high=arr(1.0, 1.0)[None, :],
        ),
    )
    view = MediatorView(arr(0.78, 0.4)[None, :], arr(0.5, 0.5)[None, :], front=arr(0.78))
    text = DRAFTERS["freeze_at_front"]({}).draft(parties, view)
    assert text[0].tolist() == pytest.approx([0.78, 0.4])


def test_a_text_never_asks_a_side_to_give_more_than_its_own_ask_does():
    # Front 0.78: the holder asks 0.95, the defender 0.2; their midpoint (0.575) would ask
    # the holder to hand back 20 points that neither its ask nor the front implies.
    parties = (party(1.0, 0.0, 0.95), party(0.0, 0.0, 0.2))
    view = MediatorView(arr(np.nan)[:, None], arr(0.0)[:, None], front=arr(0.78))
    splitter = DRAFTERS["split_the_difference"]({"pull": arr(0.0)})
    assert splitter.draft(parties, view)[0, 0] == pytest.approx(0.78)
    # When the holder itself offers to hand land back, the text may follow it.
    parties = (party(1.0, 0.0, 0.7), party(0.0, 0.0, 0.5))
    assert splitter.draft(parties, view)[0, 0] == pytest.approx(0.7)


def policy(name: str, n: int = 3, start: int = 2, **params: float):
    cls = POLICIES[name]
    values = {s.name: np.full(n, params.get(s.name, s.default)) for s in cls.params}
    return cls(values, n, start)


def week(w, offered, accepted, other=(False, False, False)):
    return TalksWeek(w, np.array(offered), np.array(accepted), np.array(other))


def test_aid_pause_lasts_from_its_start_until_the_target_accepts():
    pause = policy("pause_aid_until_accepts")
    pause.act(week(1, [True] * 3, [False] * 3))
    assert pause.levers.aid.tolist() == [1.0, 1.0, 1.0]  # not yet started
    pause.act(week(2, [True] * 3, [False, True, False]))
    assert pause.levers.aid.tolist() == [0.0, 1.0, 0.0]
    assert pause.levers.intelligence.tolist() == [0.0, 1.0, 0.0]
    pause.act(week(3, [True] * 3, [True, False, False]))
    assert pause.levers.aid.tolist() == [1.0, 1.0, 0.0]  # resumed for good once accepted


def test_sanctions_rise_after_weeks_of_refusal_and_fall_once_the_target_accepts():
    sanctions = policy("sanctions_after_refusals", weeks=2, level=3.0, start=1)
    sanctions.act(week(1, [True, True, False], [False, False, False]))
    assert sanctions.levers.sanctions.tolist() == [1.0, 1.0, 1.0]
    sanctions.act(week(2, [True, True, True], [False, True, False]))
    assert sanctions.levers.sanctions.tolist() == [3.0, 1.0, 1.0]
    sanctions.act(week(3, [True, True, True], [True, False, False]))
    # The first accepted, the second refused once since, the third has refused twice.
    assert sanctions.levers.sanctions.tolist() == [1.0, 1.0, 3.0]


def test_guarantee_counts_only_once_both_sides_have_accepted():
    guarantee = policy("guarantee_if_both_accept", start=1)
    assert guarantee.levers.guarantee.tolist() == [0.0, 0.0, 0.0]
    guarantee.act(week(1, [True] * 3, [True, True, False], [False, True, True]))
    assert guarantee.levers.guarantee.tolist() == [0.0, 1.0, 0.0]
    guarantee.act(week(2, [True] * 3, [False, False, True], [True, False, False]))
    assert guarantee.levers.guarantee.tolist() == [1.0, 1.0, 1.0]


def test_aid_pause_scenario_cuts_aid_and_intelligence_until_kyiv_accepts():
    m = model("us-aid-pause-2025", replications=200, seed=5)
    start = m.scenario.week_of_date(m.scenario.actors["united_states"].policies["aid-pause"].start)
    steps(m, start - 1)
    assert (m.levers.aid == 1.0).all()
    accepted_by = np.zeros(200, dtype=bool)
    for _ in range(20):
        accepted_before = accepted_by.copy()
        m.step()
        # A truce on strikes alone does not lift the pause: a cease-fire or settlement does.
        accepted_by |= (
            m.talks.accepts_by_kind["settlement"][1] | m.talks.accepts_by_kind["ceasefire"][1]
        )
        # Levers answer last week's talks: this week aid flows exactly where Kyiv had
        # accepted a proposal before this week.
        if m.steps > start:
            np.testing.assert_array_equal(m.levers.aid == 1.0, accepted_before)
    assert accepted_by.any() and (m.levers.intelligence[~accepted_by] == 0.0).all()


def test_intelligence_shared_raises_the_defender_s_odds():
    with_intel = model(None, replications=50, seed=2)
    without = model(None, "actors.united_states.leverage.intelligence=0", replications=50, seed=2)
    with_intel.step()
    without.step()
    assert (without.front.p_holder > with_intel.front.p_holder).all()


# ---------------------------------------------------------------------------- pauses


def test_a_general_cease_fire_freezes_the_line_then_lapses_or_is_extended():
    m = model("us-presses-moscow", replications=3000, seed=11)
    holder = m.holder
    start = None
    for _ in range(80):
        m.step()
        if (m.outcomes.ceasefire_until == m.steps + 4).sum() >= 20:
            start = m.steps
            break
    assert start is not None, "no week with 20 new cease-fires in 80 weeks"
    paused = m.outcomes.ceasefire_until == start + 4
    losses = holder.losses_total.copy()
    control = m.front.control.copy()
    steps(m, 4)
    # Where the cease-fire held its four weeks, nobody fought and the line stood still.
    held = paused & ~m.outcomes.ceasefire_broke_down & ~m.outcomes.settled
    assert held.any()
    np.testing.assert_array_equal(holder.losses_total[held], losses[held])
    np.testing.assert_array_equal(m.front.control[held], control[held])
    m.step()  # the fifth week: extended where both accept again, lapsed elsewhere
    held &= ~m.outcomes.ceasefire_broke_down & ~m.outcomes.settled
    extended = m.outcomes.ceasefire_until[held] == start + 8
    assert (m.at_war[held] == ~extended).all()


def test_a_general_cease_fire_can_break_down_and_a_guarantee_makes_it_rarer():
    def weekly_breakdowns(*overrides: str) -> float:
        """Share of the cease-fires in force that break down in the next week."""
        m = model(
            "us-presses-moscow", "durability.base_hazard=0.2", *overrides, replications=3000,
            seed=2,
        )  # fmt: skip
        broken = held = 0
        for _ in range(40):
            in_force_next_week = m.outcomes.ceasefire_until >= m.steps + 1
            m.step()
            held += int(in_force_next_week.sum())
            # A cease-fire that breaks down ends at once (no new one is offered that week).
            broken += int((in_force_next_week & (m.outcomes.ceasefire_until < m.steps)).sum())
        return broken / max(held, 1)

    loose = weekly_breakdowns("actors.united_states.leverage.guarantee=0")
    guarded = weekly_breakdowns("actors.united_states.leverage.guarantee=0.9")
    assert 0.15 < loose < 0.5
    assert guarded < loose / 4


def test_each_side_decides_a_pause_by_its_own_rule():
    m = model(replications=4, seed=1)
    holder, defender = m.belligerents
    m.step()
    weeks = 4.0
    for side in (holder, defender):
        spared = weeks * side.weekly_cost(m.levers.aid, m.levers.sanctions)
        ground = weeks * side.positions.weights[:, 0] * side.gain_per_week(m.front)
        expected = spared - ground - side.ceasefire_cost * (1 - m.levers.guarantee) > 0
        assert (
            side.accepts_ceasefire(weeks, m.truce_active, m.levers.guarantee).tolist()
            == expected.tolist()
        )
    # Russia expects to gain ground, Ukraine to lose it.
    assert (holder.gain_per_week(m.front) > 0).all() and (defender.gain_per_week(m.front) < 0).all()


def test_a_partial_truce_spares_the_strikes_share_of_the_cost_but_not_the_ground_war():
    m = model(replications=1000, seed=4)
    steps(m, 3)
    truce = m.truce_active.copy()
    assert truce.any() and (~truce).any()
    ukraine = m.defender
    full = ukraine.weekly_cost(m.levers.aid, m.levers.sanctions)
    spared = ukraine.weekly_cost(m.levers.aid, m.levers.sanctions, truce)
    np.testing.assert_allclose(spared[truce], full[truce] * (1 - ukraine.strikes_share[truce]))
    assert m.at_war[truce & ~m.ceasefire_active & ~m.outcomes.in_force].all()


def test_one_side_accepting_a_proposal_the_other_refuses_is_recorded():
    m = model(replications=2000, seed=7)
    steps(m, 6)
    holder, defender = m.talks.accepts_by_kind["ceasefire"]
    assert (defender & ~holder).any()
    assert not m.ceasefire_active[defender & ~holder].any()


def test_terms_that_leave_one_side_nothing_are_a_capitulation_not_an_agreement():
    m = run(load_scenario(NASH, ["front.control=1.0"]))
    result = outcome(m)
    assert m.outcomes.capitulated[0] and not result["agreed"] and result["terms"] is None
    assert result["capitulation"]["week"] == 1
    assert not m.at_war[0]


# ------------------------------------------------------------------------ levers, drivers


def test_the_levers_move_the_chance_of_an_agreement():
    from simulator.ensemble import run_ensemble

    base = run_ensemble(load_scenario("baseline"), 4000, seed=3).arrays["agreed"]
    for variant in ("us-presses-moscow", "us-presses-kyiv"):
        other = run_ensemble(load_scenario(variant), 4000, seed=3).arrays["agreed"]
        diff = other.astype(float) - base.astype(float)
        half_width = 1.96 * diff.std(ddof=1) / np.sqrt(len(diff))
        assert abs(diff.mean()) >= 0.03, variant
        assert abs(diff.mean()) > half_width, variant


def test_drivers_group_inputs_by_mechanism():
    assert driver_of("actors.russia.strategy.params.deadline").startswith("clock")
    assert driver_of("actors.ukraine.positions.territory.red_line").startswith("red lines")
    assert driver_of("actors.ukraine.positions.territory.red_line.cost").startswith("costs of c")
    assert driver_of("front.control").startswith("battlefield")


def test_explained_share_finds_the_input_that_decides_and_ignores_noise():
    rng = np.random.default_rng(0)
    decisive, noise = rng.uniform(size=5000), rng.uniform(size=5000)
    outcome_values = decisive**2 + 0.1 * rng.normal(size=5000)
    assert explained_share(outcome_values, decisive[:, None]) > 0.8
    assert explained_share(outcome_values, noise[:, None]) < 0.01
    draws = {
        "actors.russia.strategy.params.deadline": decisive,
        "front.control": noise,
    }
    agreed = decisive > 0.5
    report = variance_shares(draws, agreed, np.where(agreed, (decisive * 100).astype(int), -1))
    top = report["drivers"][0]
    assert top["driver"].startswith("clock") and top["agreement_r2"] > 0.5


def test_situation_defaults_keep_old_strategies_unchanged():
    fields = {f.name for f in dataclasses.fields(Situation)}
    assert "resources" in fields
    strategy = make("boulware", 1, deadline=10)
    assert strategy.aspiration(situation(1, rounds=5, resources=0.1))[0] == pytest.approx(
        1 - 0.5**5
    )


def test_a_scenario_compared_with_itself_differs_by_exactly_zero():
    from simulator.ensemble import Runs
    from simulator.studies import compare

    scenario = load_scenario(None, ["horizon=30"])
    report = compare(scenario, scenario, Runs(600, 5, 30))
    for name, figure in report["figures"].items():
        if figure["difference"] is None:
            continue
        assert figure["difference"] == 0, name
        assert figure["ci95"] == [0, 0], name


def test_a_paired_bootstrap_finds_a_real_shift_in_a_median():
    from simulator.summaries import paired_bootstrap_difference

    rng = np.random.default_rng(1)
    first = rng.normal(size=2000)
    result = paired_bootstrap_difference(first, first + 0.5)
    assert result["difference"] == pytest.approx(0.5)
    low, high = result["ci95"]
    assert low == pytest.approx(0.5) and high == pytest.approx(0.5)
    noisy = paired_bootstrap_difference(first, first + 0.5 + rng.normal(size=2000))
    assert noisy["ci95"][0] < 0.5 < noisy["ci95"][1]


def test_every_kind_of_event_shows_in_a_run_s_notes():
    from click.testing import CliRunner

    from simulator.cli import main

    tired = (
        "events.tired={date: 2025-06-02, kind: resolve, actor: ukraine, "
        "level: {value: 0.5, assumption: test}, description: test, assumption: test}"
    )
    result = CliRunner().invoke(main, ["run", "us-presses-kyiv", "--wide", "--set", tired])
    assert result.exit_code == 0, result.output
    for note in ("event tired (resolve)", "event aid-paused (aid)", "intelligence 1 -> 0"):
        assert note in result.output


def test_a_deal_accepted_once_a_red_line_has_run_off_the_scale_is_a_capitulation():
    # Side B's red line follows the front 0.5 beyond it: at 0.6 it has run off the
    # scale and protects nothing, so the Nash text it accepts is a surrender.
    line = "{value: 0.5, relative_to: front, assumption: test}"
    m = run(load_scenario(NASH, [f"actors.side_b.positions.territory.red_line={line}"]))
    assert m.outcomes.capitulated[0] and not m.outcomes.agreed[0]
    kept = "{value: 0.3, relative_to: front, assumption: test}"
    m = run(load_scenario(NASH, [f"actors.side_b.positions.territory.red_line={kept}"]))
    assert m.outcomes.agreed[0] and not m.outcomes.capitulated[0]


def test_a_corrupt_stored_chunk_is_run_again(tmp_path):
    from simulator.ensemble import ChunkStore

    store = ChunkStore(tmp_path)
    store.save(0, {"agreed": np.zeros(3, bool)}, "key")
    assert store.load(0, 3, "key") is not None
    data = store.path(0).read_bytes()
    store.path(0).write_bytes(data[:100])  # cut short, as a full disk might leave it
    assert store.load(0, 3, "key") is None
    store.path(0).write_bytes(data[:-40] + bytes(40))  # a damaged end
    assert store.load(0, 3, "key") is None


def test_a_manifest_nested_without_end_is_one_error_not_a_crash(tmp_path):
    from simulator.outputs.manifest import FILE_NAME, read

    (tmp_path / FILE_NAME).write_text("[" * 100_000)
    with pytest.raises(ValueError, match="nested too deeply"):
        read(tmp_path, "mc")


def test_run_out_keeps_one_run_per_folder(tmp_path):
    from click.testing import CliRunner

    from simulator.cli import main

    out = tmp_path / "run"
    runner = CliRunner()
    assert runner.invoke(main, ["run", "--weeks", "2", "--out", str(out)]).exit_code == 0
    again = runner.invoke(main, ["run", "--weeks", "2", "--seed", "3", "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    forced = ["run", "--weeks", "2", "--seed", "3", "--out", str(out), "--force"]
    assert runner.invoke(main, forced).exit_code == 0
    assert '"seed": 3' in (out / "run.json").read_text()


@pytest.mark.parametrize("columns", [80, 100])
def test_the_run_table_fits_the_terminal_and_says_what_its_columns_mean(columns, monkeypatch):
    from click.testing import CliRunner

    from simulator.cli import main

    monkeypatch.setenv("COLUMNS", str(columns))
    result = CliRunner().invoke(main, ["run", "us-presses-kyiv", "--seed", "7"])
    assert result.exit_code == 0, result.output
    table = result.output.split("\n\n")[1]
    assert max(len(line) for line in table.splitlines()) <= columns
    assert "text: the mediator's text on territory" in result.output
    wide = CliRunner().invoke(main, ["run", "us-presses-kyiv", "--seed", "7", "--wide"])
    assert "belief Russia" in wide.output and "P(win): the chance" in wide.output


def test_bare_ceasefire_prints_the_help_and_exits_0():
    from click.testing import CliRunner

    from simulator.cli import main

    result = CliRunner().invoke(main, [])
    assert result.exit_code == 0
    assert "Usage: " in result.output and "Start with:" in result.output
