"""`ceasefire play`: a person in a delegation's seat, from a terminal or a pipe."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.model import CeasefireModel
from simulator.outputs.narrative import narrate
from simulator.play import BadAnswer, HumanSeat, parse_belligerent, play
from simulator.results import outcome, run, weekly_records
from simulator.scenario import bundled_scenarios, load_scenario


def scripted(*answers: str):
    """An ``ask`` that reads the given answers, then the end of input; and the prompts."""
    queue = list(answers)
    prompts: list[str] = []

    def ask(prompt: str) -> str | None:
        prompts.append(prompt)
        return queue.pop(0) if queue else None

    return ask, prompts


def test_passing_every_week_plays_exactly_the_models_run():
    """The seat changes nothing when the player leaves every answer to the model."""
    scenario = load_scenario()
    shown: list[str] = []
    result = play(scenario, ["russia", "ukraine"], shown.append, lambda _: "pass", 5, 30)
    assert result == outcome(run(scenario, seed=5, weeks=30))


def test_a_bad_answer_is_explained_and_asked_again():
    shown: list[str] = []
    ask, prompts = scripted("surrender", "counter 2", "reject")
    play(load_scenario(), ["russia"], shown.append, ask, seed=1, weeks=2)
    assert prompts[:3] == ["Russia> "] * 3
    errors = [line for line in shown if line.startswith("not understood")]
    assert len(errors) == 2 and "between 0% and 100%" in errors[1]


def test_end_of_input_ends_the_game_with_its_outcome():
    shown: list[str] = []
    ask, _ = scripted()
    result = play(load_scenario(), ["ukraine"], shown.append, ask, seed=1, weeks=20)
    assert result["weeks_run"] == 2  # talks open in week 2, where the input runs out
    assert shown[-1].startswith("Game over")


def test_two_players_agree_on_a_counter_proposal():
    shown: list[str] = []
    ask, prompts = scripted("counter 79%", "reject", "accept")
    result = play(load_scenario(), ["russia", "ukraine"], shown.append, ask, seed=1, weeks=3)
    assert prompts[0] == "Russia> " and prompts[1] == "Ukraine> "
    assert "accept it?" in prompts[2]
    assert result["settlement"] is not None
    assert result["terms"]["territory"] == pytest.approx(0.79)


def test_the_mediator_drafts_the_text_and_moves_levers():
    shown: list[str] = []
    ask, _ = scripted("aid 0.5", "text 0.81", "send")
    model = CeasefireModel(load_scenario(), seed=1)
    model.seat = HumanSeat(["united_states"], shown.append, ask)
    model.step()
    model.step()  # talks open in week 2: the player drafts
    assert model.week_record["text_territory"][0] == pytest.approx(0.81)
    assert any("aid set to 0.5" in line for line in shown)
    model.step()  # the lever acts from the next week (the input has run out)
    assert model.levers.aid[0] == pytest.approx(0.5)


def test_answers_parse_with_percentages_and_several_kinds():
    issues, scales = ["territory", "sequencing"], {"territory": (0, 1), "sequencing": (0, 1)}
    answer = parse_belligerent("counter 80% sequencing=0.2", issues, scales)
    assert answer.counter == {"territory": 0.8, "sequencing": 0.2}
    answer = parse_belligerent("accept ceasefire truce", issues, scales)
    assert answer.accepts == {"settlement": False, "ceasefire": True, "partial_truce": True}
    with pytest.raises(BadAnswer):
        parse_belligerent("counter borders=0.5", issues, scales)


def test_cli_game_from_piped_input_writes_a_transcript(tmp_path):
    path = tmp_path / "game.txt"
    result = CliRunner().invoke(
        main,
        [
            "play",
            "--as",
            "russia",
            "--as",
            "ukraine",
            "--weeks",
            "4",
            "--seed",
            "3",
            "--transcript",
            str(path),
        ],
        input="accept\nnonsense\nreject\npass\naccept truce\n",
    )
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert "you are Russia" in text and "you are Ukraine" in text
    assert "Ukraine> nonsense" in text and "not understood" in text
    assert "Game over" in text
    assert max(len(line) for line in text.splitlines()) < 100


@pytest.mark.parametrize("columns", [80, 100])
def test_the_game_fits_the_terminal(monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    result = CliRunner().invoke(
        main, ["play", "--as", "ukraine", "--weeks", "6", "--seed", "2"], input="accept\nreject\n"
    )
    assert result.exit_code == 0, result.output
    widths = [len(line) for line in result.output.splitlines()]
    assert max(widths) <= columns and max(widths) > columns - 12


def test_cli_play_rejects_an_unknown_seat():
    result = CliRunner().invoke(main, ["play", "--as", "france", "--weeks", "2"], input="")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and "france" in result.stderr


@pytest.mark.parametrize("path", bundled_scenarios(), ids=lambda p: p.stem)
def test_every_bundled_scenario_tells_its_story_and_can_be_played(path):
    scenario = load_scenario(path)
    model = run(scenario, seed=2, weeks=8)
    text = narrate(scenario, weekly_records(model), outcome(model), 2)
    assert "How it ended." in text and max(map(len, text.splitlines())) <= 88
    shown: list[str] = []
    roles = [scenario.front.holder, scenario.defender]
    if scenario.mediator_id:
        roles.append(scenario.mediator_id)
    ask, _ = scripted(*["pass"] * 40)
    result = play(scenario, roles, shown.append, ask, seed=2, weeks=8)
    assert result == outcome(model)
    assert max(len(line) for text in shown for line in text.splitlines()) < 100


def test_the_briefing_says_what_its_utilities_are_and_help_gives_percent():
    from simulator.play import BELLIGERENT_HELP

    shown: list[str] = []
    ask, _ = scripted("help", "counter 0.8")
    play(load_scenario(), ["russia"], shown.append, ask, seed=1, weeks=2)
    briefing = " ".join(" ".join(shown).split())
    assert "is worth" in briefing and "a 0-1 utility, 1 = all your side wants" in briefing
    assert "counter 80%" in BELLIGERENT_HELP and "0.80" not in BELLIGERENT_HELP
