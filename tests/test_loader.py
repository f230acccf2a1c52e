"""Tests for simulator.scenario.loader: every kind of bad input gets one located problem.

Each malformed scenario is the baseline (or a tiny file) with one edit, written into
tmp_path by the ``write_scenario`` fixture. Expected lines and columns are computed
from the text written, so that they say where the user typed the offending thing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from simulator.errors import Problem, ScenarioError
from simulator.scenario import bundled_scenarios, load_scenario
from simulator.scenario.checks import walk
from simulator.scenario.quantities import Provenance

UKRAINE_RESOLVE = "    resolve:\n      value: {dist: uniform, low: 0.75, high: 0.95}\n"
RUSSIA_MATERIEL = (
    "      materiel:\n"
    "        value: 1.0\n"
    "        assumption: The reference unit of combat power per soldier.\n"
)
RUSSIA_TIME_WEIGHT = (
    "          value: 1.0\n"
    "          assumption: The clock counts, but no more than each other pressure.\n"
    "        exponent:\n"
    "          value: {dist: uniform, low: 0.2, high: 0.5}\n"
    "          assumption: Moscow"
)
RUSSIA_EXPONENT = (
    "        exponent:\n"
    "          value: {dist: uniform, low: 0.2, high: 0.5}\n"
    "          assumption: Moscow"
)
NO_EVENTS = "events: {}\n"
MEDIATOR_START = "      value: 2025-01-20\n"


def locate(path: Path, needle: str, at: str | None = None) -> tuple[int, int]:
    """1-based (line, column) of ``at`` inside ``needle``, which must occur once in the file."""
    text = path.read_text(encoding="utf-8")
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    index = text.index(needle) + (needle.index(at) if at else 0)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def problems_of(path: Path | str, overrides: tuple[str, ...] = ()) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    problems = info.value.problems
    assert problems
    for problem in problems:
        assert "\n" not in str(problem)
    return problems


def only_problem(path: Path | str, overrides: tuple[str, ...] = ()) -> Problem:
    problems = problems_of(path, overrides)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def assert_at(problem: Problem, path: Path, line_column: tuple[int, int], field: str) -> None:
    assert (problem.file, problem.line, problem.column, problem.field) == (
        str(path),
        *line_column,
        field,
    ), str(problem)


def event(body: str) -> str:
    """An ``events`` section with one event ``test-event`` whose other keys are ``body``."""
    return (
        f"events:\n  test-event:\n{body}    description: A test event.\n    assumption: A test.\n"
    )


# ------------------------------------------------------------------------ sound input


@pytest.mark.parametrize("path", bundled_scenarios(), ids=lambda p: p.stem)
def test_every_bundled_scenario_loads(path):
    assert load_scenario(path).format == 1


def test_baseline_copy_loads(write_scenario):
    assert load_scenario(write_scenario()).name == "baseline"


def test_problem_formats_as_file_line_column_field_message(write_scenario):
    path = write_scenario(UKRAINE_RESOLVE, UKRAINE_RESOLVE.replace("resolve", "resolv"))
    problem = only_problem(path)
    line, column = locate(path, "    resolv:\n", "resolv")
    assert str(problem) == f"{path}:{line}:{column}: actors.ukraine.resolv: {problem.message}"
    assert str(ScenarioError(problem)) == str(problem)


# -------------------------------------------------------------------- files and YAML


def test_missing_file(tmp_path):
    path = tmp_path / "absent.yaml"
    problem = only_problem(path)
    assert (problem.file, problem.line) == (str(path), None)
    assert "no such scenario file" in problem.message


def test_directory_instead_of_file(tmp_path):
    problem = only_problem(tmp_path)
    assert problem.file == str(tmp_path)
    assert "is a directory" in problem.message


def test_bad_yaml_syntax(write_scenario):
    path = write_scenario("name: baseline\n", "name: base: line\n")
    problem = only_problem(path)
    assert (problem.file, problem.line, problem.column) == (
        str(path),
        *locate(path, "name: base: line\n", ": line"),
    )
    assert problem.message.startswith("invalid YAML")
    assert "mapping values are not allowed" in problem.message


@pytest.mark.parametrize("text", ["", "# only a comment\n"], ids=["empty", "comment-only"])
def test_empty_file(write_scenario, text):
    path = write_scenario(text=text)
    problem = only_problem(path)
    assert (problem.file, problem.line, problem.column) == (str(path), 1, 1)
    assert "empty" in problem.message
    assert "mapping" in problem.message


def test_top_level_list(write_scenario):
    path = write_scenario(text="- format: 1\n- name: listed\n")
    problem = only_problem(path)
    assert (problem.file, problem.line, problem.column) == (str(path), 1, 1)
    assert "list" in problem.message
    assert "mapping" in problem.message


def test_duplicate_top_level_key(write_scenario):
    path = write_scenario("seed: 20250106\n", "seed: 20250106\nseed: 7\n")
    problem = only_problem(path)
    assert_at(problem, path, locate(path, "\nseed: 7\n", "seed"), "seed")
    assert "duplicate key 'seed'" in problem.message


def test_duplicate_nested_key(write_scenario):
    path = write_scenario(
        "    publisher: The Epoch Times\n",
        "    publisher: The Epoch Times\n    publisher: Reuters\n",
    )
    problem = only_problem(path)
    assert_at(
        problem,
        path,
        locate(path, "    publisher: Reuters", "publisher"),
        "sources.kurakhove.publisher",
    )
    assert "duplicate key 'publisher'" in problem.message


# ------------------------------------------------------------------ fields and values


def test_unknown_field_suggests_closest_name(write_scenario):
    path = write_scenario(UKRAINE_RESOLVE, UKRAINE_RESOLVE.replace("resolve", "resolv"))
    problem = only_problem(path)
    assert_at(problem, path, locate(path, "    resolv:\n", "resolv"), "actors.ukraine.resolv")
    assert "unknown field 'resolv'" in problem.message
    assert "did you mean 'resolve'?" in problem.message


def test_unknown_top_level_field_suggests_closest_name(write_scenario):
    path = write_scenario("horizon: 104\n", "horizon: 104\nhorizn: 52\n")
    problem = only_problem(path)
    assert_at(problem, path, locate(path, "\nhorizn:", "horizn"), "horizn")
    assert "did you mean 'horizon'?" in problem.message


@pytest.mark.parametrize("bad", ['"1.0"', "high", "true"], ids=["quoted", "word", "true"])
def test_wrong_type_for_a_number(write_scenario, bad):
    new = RUSSIA_MATERIEL.replace("value: 1.0", f"value: {bad}")
    path = write_scenario(RUSSIA_MATERIEL, new)
    problem = only_problem(path)
    assert_at(problem, path, locate(path, new, "value"), "actors.russia.resources.materiel.value")
    assert "valid number" in problem.message


@pytest.mark.parametrize("bad", ["true", "ten", "10.5"])
def test_wrong_type_for_an_integer(write_scenario, bad):
    path = write_scenario("horizon: 104\n", f"horizon: {bad}\n")
    problem = only_problem(path)
    assert_at(problem, path, locate(path, f"\nhorizon: {bad}\n", "horizon"), "horizon")
    assert "valid integer" in problem.message


def test_integer_out_of_range(write_scenario):
    path = write_scenario("horizon: 104\n", "horizon: 0\n")
    problem = only_problem(path)
    assert_at(problem, path, locate(path, "\nhorizon: 0\n", "horizon"), "horizon")
    assert "greater than or equal to 1" in problem.message


def test_value_out_of_range(write_scenario):
    path = write_scenario(UKRAINE_RESOLVE, "    resolve:\n      value: 1.5\n")
    problem = only_problem(path)
    assert_at(
        problem,
        path,
        locate(path, "    resolve:\n      value: 1.5\n", "value"),
        "actors.ukraine.resolve.value",
    )
    assert "1.5 is outside the allowed range [0, 1]" in problem.message


def test_distribution_leaving_the_allowed_range(write_scenario):
    new = "    resolve:\n      value: {dist: uniform, low: 0.7, high: 1.2}\n"
    path = write_scenario(UKRAINE_RESOLVE, new)
    problem = only_problem(path)
    assert_at(problem, path, locate(path, new, "value"), "actors.ukraine.resolve.value")
    assert "[0.7, 1.2] is outside the allowed range [0, 1]" in problem.message


def test_normal_without_bounds_on_a_bounded_field(write_scenario):
    new = "    resolve:\n      value: {dist: normal, mean: 0.8, sd: 0.1}\n"
    path = write_scenario(UKRAINE_RESOLVE, new)
    problem = only_problem(path)
    assert_at(problem, path, locate(path, new, "value"), "actors.ukraine.resolve.value")
    assert "inf" in problem.message
    assert "outside the allowed range [0, 1]" in problem.message


def test_normal_with_bounds_inside_the_range_loads(write_scenario):
    new = "    resolve:\n      value: {dist: normal, mean: 0.8, sd: 0.1, low: 0.5, high: 1}\n"
    scenario = load_scenario(write_scenario(UKRAINE_RESOLVE, new))
    assert scenario.actors["ukraine"].resolve.value.support() == (0.5, 1.0)


def test_unknown_distribution_suggests_closest_name(write_scenario):
    new = "    resolve:\n      value: {dist: unifrom, low: 0.7, high: 0.9}\n"
    path = write_scenario(UKRAINE_RESOLVE, new)
    problem = only_problem(path)
    assert_at(problem, path, locate(path, new, "dist"), "actors.ukraine.resolve.value.dist")
    assert "did you mean 'uniform'?" in problem.message


# ------------------------------------------------------------------------- provenance


def test_value_with_neither_assumption_nor_claim(write_scenario):
    path = write_scenario(RUSSIA_MATERIEL, "      materiel:\n        value: 1.0\n")
    problem = only_problem(path)
    assert_at(
        problem,
        path,
        locate(path, "      materiel:\n        value: 1.0\n", "materiel"),
        "actors.russia.resources.materiel",
    )
    assert "assumption" in problem.message
    assert "missing: source, quote, claimed_by, verified" in problem.message


def test_incomplete_claim_names_what_is_missing(write_scenario):
    quote = "          quote: as a precondition for ending the conflict\n"
    path = write_scenario(quote + "          claimed_by: Russia\n", quote)
    problem = only_problem(path)
    ideal = "      sequencing:\n        ideal:\n          value: 1.0\n"
    assert_at(
        problem, path, locate(path, ideal, "ideal"), "actors.russia.positions.sequencing.ideal"
    )
    assert "missing: claimed_by" in problem.message


def source_texts(folder: Path) -> Path:
    """A folder with each baseline source's text, made of the baseline's own quotes.

    ``...`` in a quote skips words, so the text puts other words there.
    """
    texts: dict[str, list[str]] = {}
    for _, node in walk(load_scenario("baseline")):
        if isinstance(node, Provenance) and node.source and node.quote:
            texts.setdefault(node.source, []).append(node.quote.replace("...", " some words "))
    folder.mkdir()
    for source, quotes in texts.items():
        (folder / f"{source}.txt").write_text("\n".join(quotes), encoding="utf-8")
    return folder


def test_quotes_are_checked_against_source_texts_only_when_given(write_scenario, tmp_path):
    texts = source_texts(tmp_path / "texts")
    assert load_scenario("baseline", sources=texts).notes == []
    new = "          quote: as a precondition for starting the conflict\n"
    path = write_scenario("          quote: as a precondition for ending the conflict\n", new)
    assert load_scenario(path).notes == []  # without texts, quotes are records
    problem = only_problem_with(path, sources=texts)
    assert_at(
        problem, path, locate(path, new, "quote"), "actors.russia.positions.sequencing.ideal.quote"
    )
    assert "quote not found in source 'kurakhove'" in problem.message


def test_sources_without_a_text_are_noted(tmp_path):
    texts = source_texts(tmp_path / "texts")
    (texts / "public-estimates.txt").unlink()
    assert load_scenario("baseline", sources=texts).notes == [
        f"source 'public-estimates': no public-estimates.txt in {texts}, "
        "so its quotes were not checked"
    ]


def test_a_source_text_that_is_not_a_regular_file_is_a_problem(tmp_path):
    texts = source_texts(tmp_path / "texts")
    (texts / "kurakhove.txt").unlink()
    os.mkfifo(texts / "kurakhove.txt")
    problem = only_problem_with("baseline", sources=texts)
    assert problem.field == "sources.kurakhove"
    assert "is a FIFO (named pipe), not a regular file" in problem.message


def only_problem_with(path: Path | str, **options) -> Problem:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, **options)
    assert len(info.value.problems) == 1, [str(p) for p in info.value.problems]
    return info.value.problems[0]


# ------------------------------------------------------------------------- references


def test_unknown_source(write_scenario):
    old = "    unit: km2\n    source: public-estimates\n    quote: the four oblasts"
    path = write_scenario(old, old.replace("public-estimates", "public-estimate"))
    problem = only_problem(path)
    assert_at(
        problem,
        path,
        locate(path, "    source: public-estimate\n", "source"),
        "front.area_km2.source",
    )
    assert "unknown source 'public-estimate'; did you mean 'public-estimates'?" in (problem.message)


def test_unknown_actor_in_an_event(write_scenario):
    body = (
        "    date: 2025-03-03\n    kind: resolve\n    actor: rusia\n"
        "    level: {value: 0.9, assumption: A test.}\n"
    )
    path = write_scenario(NO_EVENTS, event(body))
    problem = only_problem(path)
    assert_at(problem, path, locate(path, "    actor: rusia\n", "actor"), "events.test-event.actor")
    assert "'rusia'" in problem.message
    assert "did you mean 'russia'?" in problem.message


def test_unknown_place_in_an_event(write_scenario):
    body = "    date: 2025-03-03\n    kind: place\n    place: pokrovks\n    held_by: holder\n"
    path = write_scenario(NO_EVENTS, event(body))
    problem = only_problem(path)
    assert_at(
        problem, path, locate(path, "    place: pokrovks\n", "place"), "events.test-event.place"
    )
    assert "unknown place 'pokrovks'; did you mean 'pokrovsk'?" in problem.message


def test_unknown_axis(write_scenario):
    old = "      axis: pokrovsk\n      distance_km:\n        value: {dist: uniform, low: 5.0"
    path = write_scenario(old, old.replace("axis: pokrovsk", "axis: pokrovks"))
    problem = only_problem(path)
    assert_at(
        problem, path, locate(path, "      axis: pokrovks\n", "axis"), "front.places.pokrovsk.axis"
    )
    assert "unknown axis 'pokrovks'; did you mean 'pokrovsk'?" in problem.message


def test_unknown_issue(write_scenario):
    old = "    positions:\n      territory:\n        ideal:\n          value: 0.0\n          source"
    extra = (
        "      territori:\n"
        "        ideal: {value: 0.1, assumption: A test.}\n"
        "        salience: {value: 0.1, assumption: A test.}\n"
    )
    path = write_scenario(old, old.replace("    positions:\n", "    positions:\n" + extra))
    problem = only_problem(path)
    assert_at(
        problem,
        path,
        locate(path, "      territori:\n", "territori"),
        "actors.ukraine.positions.territori",
    )
    assert "unknown issue 'territori'; did you mean 'territory'?" in problem.message


def test_unknown_strategy(write_scenario):
    old = "      name: mixed\n      params:\n        time_weight:\n"
    path = write_scenario(
        old + RUSSIA_TIME_WEIGHT, old.replace("mixed", "mixd") + RUSSIA_TIME_WEIGHT
    )
    problem = only_problem(path)
    assert_at(
        problem, path, locate(path, "      name: mixd\n", "name"), "actors.russia.strategy.name"
    )
    assert "unknown strategy 'mixd'; did you mean 'mixed'?" in problem.message


def test_unknown_mediator_drafting_rule(write_scenario):
    path = write_scenario("      name: freeze_at_front\n", "      name: freeze_at_frnt\n")
    problem = only_problem(path)
    assert_at(
        problem,
        path,
        locate(path, "      name: freeze_at_frnt\n", "name"),
        "actors.united_states.strategy.name",
    )
    assert "'freeze_at_frnt'" in problem.message
    assert "did you mean 'freeze_at_front'?" in problem.message


def test_unknown_protocol(write_scenario):
    path = write_scenario("  protocol: single_text\n", "  protocol: single_txt\n")
    problem = only_problem(path)
    assert_at(problem, path, locate(path, "  protocol: single_txt\n", "protocol"), "talks.protocol")
    assert "unknown protocol 'single_txt'; did you mean 'single_text'?" in problem.message


def test_unknown_strategy_parameter(write_scenario):
    path = write_scenario(RUSSIA_EXPONENT, RUSSIA_EXPONENT.replace("exponent:", "exponant:"))
    problem = only_problem(path)
    assert_at(
        problem,
        path,
        locate(path, "        exponant:\n", "exponant"),
        "actors.russia.strategy.params.exponant",
    )
    assert "'exponant'" in problem.message
    assert "did you mean 'exponent'?" in problem.message


# ------------------------------------------------------------------------------ dates


def test_event_date_outside_the_horizon(write_scenario):
    body = "    date: 2031-03-03\n    kind: place\n    place: pokrovsk\n    held_by: holder\n"
    path = write_scenario(NO_EVENTS, event(body))
    problem = only_problem(path)
    assert_at(
        problem, path, locate(path, "    date: 2031-03-03\n", "date"), "events.test-event.date"
    )
    assert "2031-03-03 is outside the horizon" in problem.message


def test_event_date_before_the_start(write_scenario):
    body = "    date: 2024-12-30\n    kind: place\n    place: pokrovsk\n    held_by: holder\n"
    path = write_scenario(NO_EVENTS, event(body))
    problem = only_problem(path)
    assert_at(
        problem, path, locate(path, "    date: 2024-12-30\n", "date"), "events.test-event.date"
    )
    assert "outside the horizon" in problem.message


def test_mediator_date_outside_the_horizon(write_scenario):
    path = write_scenario(MEDIATOR_START, "      value: 2028-01-20\n")
    problem = only_problem(path)
    assert_at(
        problem,
        path,
        locate(path, "      value: 2028-01-20\n", "value"),
        "actors.united_states.active_from.value",
    )
    assert "2028-01-20 is outside the horizon" in problem.message


def test_invalid_date(write_scenario):
    path = write_scenario(MEDIATOR_START, "      value: 2025-13-20\n")
    problem = only_problem(path)
    assert_at(
        problem,
        path,
        locate(path, "      value: 2025-13-20\n", "value"),
        "actors.united_states.active_from.value",
    )
    assert "valid date" in problem.message


# ---------------------------------------------------------------------------- extends


def test_extends_loop_between_two_files(write_scenario):
    first = write_scenario(text="format: 1\nextends: second.yaml\n", name="first.yaml")
    second = write_scenario(text="format: 1\nextends: first.yaml\n", name="second.yaml")
    problem = only_problem(first)
    assert_at(problem, second, locate(second, "extends:"), "extends")
    assert "extends loops: first.yaml -> second.yaml -> first.yaml" in problem.message


def test_extends_itself(write_scenario):
    path = write_scenario(text="format: 1\nname: selfish\nextends: self.yaml\n", name="self.yaml")
    problem = only_problem(path)
    assert_at(problem, path, locate(path, "extends:"), "extends")
    assert "extends loops: self.yaml -> self.yaml" in problem.message


def test_extends_a_missing_file(write_scenario):
    path = write_scenario(text="format: 1\nextends: nowhere.yaml\nname: orphan\n")
    problem = only_problem(path)
    assert_at(problem, path, locate(path, "extends:"), "extends")
    assert "does not exist" in problem.message
    assert "nowhere.yaml" in problem.message


def write_variant(write_scenario, body: str) -> tuple[Path, Path]:
    parent = write_scenario(name="parent.yaml")
    child = write_scenario(text=f"extends: parent.yaml\nname: child\n{body}", name="child.yaml")
    return parent, child


def test_extends_merges_mappings_deeply(write_scenario):
    _, child = write_variant(
        write_scenario,
        "actors:\n  ukraine:\n    resources:\n      materiel:\n"
        "        value: 1.25\n        assumption: A variant.\n",
    )
    scenario = load_scenario(child)
    baseline = load_scenario(write_scenario())
    ukraine = scenario.actors["ukraine"]
    assert scenario.name == "child"
    assert ukraine.resources.materiel.value == 1.25
    assert ukraine.resources.materiel.assumption == "A variant."
    assert ukraine.resources.forces == baseline.actors["ukraine"].resources.forces
    assert ukraine.resolve == baseline.actors["ukraine"].resolve
    assert scenario.actors["russia"] == baseline.actors["russia"]
    assert scenario.description == baseline.description


def test_error_in_a_value_the_variant_writes_names_the_variant(write_scenario):
    _, child = write_variant(
        write_scenario,
        "actors:\n  ukraine:\n    resources:\n      materiel:\n"
        "        value: -1.0\n        assumption: A variant.\n",
    )
    problem = only_problem(child)
    assert_at(
        problem, child, locate(child, "value: -1.0"), "actors.ukraine.resources.materiel.value"
    )
    assert "outside the allowed range" in problem.message


def test_error_in_an_inherited_value_names_the_parent(write_scenario):
    parent, child = write_variant(write_scenario, "horizon: 1\n")
    problem = only_problem(child)
    assert_at(
        problem,
        parent,
        locate(parent, MEDIATOR_START, "value"),
        "actors.united_states.active_from.value",
    )
    assert "outside the horizon" in problem.message


def test_variant_removing_a_required_field_names_the_variant(write_scenario):
    _, child = write_variant(write_scenario, "actors:\n  ukraine:\n    resolve: null\n")
    problem = only_problem(child)
    assert_at(
        problem, child, locate(child, "    resolve: null", "resolve"), "actors.ukraine.resolve"
    )
    assert "required field is missing" in problem.message


def test_variant_removing_a_top_level_field_names_the_variant(write_scenario):
    _, child = write_variant(write_scenario, "description: null\n")
    problem = only_problem(child)
    assert_at(problem, child, locate(child, "description: null", "description"), "description")
    assert "required field is missing" in problem.message


# ------------------------------------------------------------------------------ --set


def test_set_replaces_the_value_and_makes_it_an_assumption(write_scenario):
    path = write_scenario()
    assert load_scenario(path).actors["ukraine"].resolve.source == "kurakhove"
    resolve = load_scenario(path, ["actors.ukraine.resolve=0.8"]).actors["ukraine"].resolve
    assert resolve.value == 0.8
    assert resolve.is_assumption
    assert (resolve.source, resolve.quote, resolve.claimed_by, resolve.verified) == (
        None,
        None,
        None,
        None,
    )
    assert "command line" in resolve.assumption
    assert "actors.ukraine.resolve=0.8" in resolve.assumption


def test_set_works_on_a_bundled_scenario_by_name():
    scenario = load_scenario("baseline", ["horizon=10", "actors.russia.resolve=0.5"])
    assert scenario.horizon == 10
    assert scenario.actors["russia"].resolve.value == 0.5


def test_set_without_equals(write_scenario):
    problem = only_problem(write_scenario(), ("actors.ukraine.resolve",))
    assert problem.file == "--set actors.ukraine.resolve"
    assert "expected KEY=VALUE" in problem.message


def test_set_unknown_path(write_scenario):
    problem = only_problem(write_scenario(), ("actors.ukrane.resolve=0.8",))
    assert problem.file == "--set actors.ukrane.resolve=0.8"
    assert "no field 'ukrane'" in problem.message


def test_set_unknown_field_suggests_closest_name(write_scenario):
    problem = only_problem(write_scenario(), ("actors.ukraine.resolv=0.8",))
    assert (problem.file, problem.field) == (
        "--set actors.ukraine.resolv=0.8",
        "actors.ukraine.resolv",
    )
    assert "did you mean 'resolve'?" in problem.message


@pytest.mark.parametrize("bad", ["high", "true", "'0.8'"])
def test_set_wrong_type(write_scenario, bad):
    problem = only_problem(write_scenario(), (f"actors.ukraine.resolve={bad}",))
    assert (problem.file, problem.field) == (
        f"--set actors.ukraine.resolve={bad}",
        "actors.ukraine.resolve.value",
    )
    assert "valid number" in problem.message


def test_set_out_of_range(write_scenario):
    problem = only_problem(write_scenario(), ("actors.ukraine.resolve=2",))
    assert problem.field == "actors.ukraine.resolve.value"
    assert "outside the allowed range [0, 1]" in problem.message


def test_set_null_removes_an_optional_field(write_scenario):
    scenario = load_scenario(write_scenario(), ["actors.ukraine.positions.territory.red_line=null"])
    assert scenario.actors["ukraine"].positions["territory"].red_line is None


def test_set_null_on_a_required_field_names_the_command_line(write_scenario):
    problem = only_problem(write_scenario(), ("actors.ukraine.resolve=null",))
    assert (problem.file, problem.line, problem.field) == (
        "--set actors.ukraine.resolve=null",
        None,
        "actors.ukraine.resolve",
    )
    assert "required field is missing" in problem.message


# ----------------------------------------------------------- strict types and hints


def test_verified_must_be_true_or_false(write_scenario):
    path = write_scenario(
        "        claimed_by: Russia\n        verified: false\n      - value: Full",
        "        claimed_by: Russia\n        verified: 'no'\n      - value: Full",
    )
    problem = only_problem(path)
    assert problem.field == "actors.russia.statements.0.verified"
    assert "boolean" in problem.message


def test_a_date_must_be_written_as_a_date(write_scenario):
    path = write_scenario("start: 2025-01-06", "start: 1736121600")
    problem = only_problem(path)
    assert_at(problem, path, locate(path, "start: 1736121600"), "start")
    assert "YYYY-MM-DD" in problem.message


def test_a_bare_number_where_a_quantity_belongs_says_what_is_expected(write_scenario):
    path = write_scenario(RUSSIA_MATERIEL, "      materiel: 0.8\n")
    problem = only_problem(path)
    assert_at(problem, path, locate(path, "materiel: 0.8"), "actors.russia.resources.materiel")
    assert "{value: 0.8, assumption: why}" in problem.message


def test_an_unbounded_normal_in_a_bounded_field_asks_for_bounds(write_scenario):
    path = write_scenario(
        UKRAINE_RESOLVE, "    resolve:\n      value: {dist: normal, mean: 0.8, sd: 0.1}\n"
    )
    problem = only_problem(path)
    assert problem.field == "actors.ukraine.resolve.value"
    assert "give the normal distribution low and high bounds" in problem.message


def test_a_child_that_changes_a_value_must_give_its_provenance(write_scenario, tmp_path):
    write_scenario(name="parent.yaml")
    child = tmp_path / "child.yaml"
    child.write_text(
        "format: 1\nextends: parent.yaml\nname: child\ndescription: d\n"
        "actors:\n  ukraine:\n    resolve:\n      value: 0.5\n",
        encoding="utf-8",
    )
    problem = only_problem(child)
    assert_at(problem, child, locate(child, "value: 0.5"), "actors.ukraine.resolve.value")
    assert "provenance" in problem.message


def test_a_child_s_assumption_replaces_the_parent_s_quote(write_scenario, tmp_path):
    write_scenario(name="parent.yaml")
    child = tmp_path / "child.yaml"
    child.write_text(
        "format: 1\nextends: parent.yaml\nname: child\ndescription: d\n"
        "actors:\n  ukraine:\n    resolve:\n      value: 0.5\n      assumption: a test\n",
        encoding="utf-8",
    )
    resolve = load_scenario(child).actors["ukraine"].resolve
    assert resolve.value == 0.5 and resolve.assumption == "a test"
    assert resolve.quote is None and resolve.source is None and resolve.claimed_by is None


# ------------------------------------------------------- hostile or broken YAML


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("format: 1\nname: !!python/object:os.system x\n", "tags such as"),
        ("a: &a [*a]\n", "alias refers to a value that contains it"),
        (
            "a: &a [1, 2]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
            "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
            "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
            "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
            "more than",
        ),
    ],
    ids=["python-tag", "recursive-alias", "alias-bomb"],
)
def test_hostile_yaml_is_refused_with_a_located_message(tmp_path, text, words):
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    problem = only_problem(path)
    assert problem.file == str(path) and problem.line is not None
    assert words in problem.message


@pytest.mark.parametrize(
    ("value", "words"),
    [(".nan", "finite"), (".inf", "finite"), ("1.0e+30", "beyond any sensible value")],
)
def test_numbers_must_be_finite_and_sensible(value, words):
    problem = only_problem("baseline", (f"actors.russia.resources.forces={value}",))
    assert problem.field == "actors.russia.resources.forces.value"
    assert words in problem.message


# ------------------------------------------------------------- extends, YAML 1.2 numbers


def test_extends_baseline_names_the_bundled_scenario(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("extends: baseline\nname: mine\n", encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.name == "mine"
    assert scenario.actors == load_scenario("baseline").actors


def test_a_file_beside_the_scenario_wins_over_a_bundled_name(tmp_path):
    (tmp_path / "baseline").write_text("extends: stalemate\nname: local\n", encoding="utf-8")
    path = tmp_path / "mine.yaml"
    path.write_text("extends: baseline\ndescription: mine\n", encoding="utf-8")
    scenario = load_scenario(path)
    assert (scenario.name, scenario.description) == ("local", "mine")


def test_extends_outside_the_folder_only_when_allowed(tmp_path):
    (tmp_path / "parent.yaml").write_text("extends: baseline\nname: parent\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    child = tmp_path / "sub" / "child.yaml"
    child.write_text("extends: ../parent.yaml\ndescription: child\n", encoding="utf-8")
    problem = only_problem(child)
    assert (problem.file, problem.line, problem.field) == (str(child), 1, "extends")
    assert "outside the scenario's folder" in problem.message
    assert "allow_outside" in problem.message
    assert load_scenario(child, allow_outside=True).name == "parent"


@pytest.mark.parametrize("written", ["1e5", "1.0e+5", "100000", "1E5"])
def test_numbers_in_exponent_form_are_numbers_in_files_and_in_set(written, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        f"extends: baseline\nfront:\n  area_km2: {{value: {written}, assumption: test}}\n",
        encoding="utf-8",
    )
    assert load_scenario(path).front.area_km2.value == 1e5
    assert load_scenario("baseline", [f"front.area_km2={written}"]).front.area_km2.value == 1e5


def test_1e308_is_read_as_a_number_and_1e400_as_not_finite():
    # read as a number, 1e308 meets the range check (a string would fail the type check)
    assert "1e+308 is beyond any sensible value" in (
        only_problem("baseline", ("front.area_km2=1e308",)).message
    )
    assert "finite" in only_problem("baseline", ("front.area_km2=1e400",)).message


def test_a_missing_kind_names_the_field_and_the_kinds_it_may_take(write_scenario):
    path = write_scenario(
        text="format: 1\nextends: baseline\nevents:\n  more-aid:\n    date: 2025-03-03\n"
        "    description: d\n    assumption: a\n    level: {value: 2.0, assumption: a}\n",
    )
    problem = only_problem(path)
    assert problem.field == "events.more-aid.kind"
    assert "required field is missing" in problem.message
    assert "aid, sanctions" in problem.message and "discriminator" not in problem.message


@pytest.mark.parametrize(
    "text",
    [
        "format: 1\nextends: baseline\nname: n\n description: d\n",
        "format: 1\nextends: baseline\nactors:\n  russia:\n    resolve: {value: 0.5, "
        "assumption: a}\n   name: R\n",
    ],
)
def test_a_line_indented_wrongly_says_to_check_the_indentation(write_scenario, text):
    problem = only_problem(write_scenario(text=text))
    assert problem.message.startswith("invalid YAML: ")
    assert "check the indentation" in problem.message
