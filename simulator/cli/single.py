"""Commands about one run or one moment: run, analyze, drivers, play."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from simulator.cli.base import (
    examples,
    fail,
    format_option,
    load,
    main,
    seed_option,
    set_option,
    terminal_width,
    text_width,
    weeks_option,
    wide_option,
)
from simulator.cli.study import claim_out, force_option, out_option, resolved, write_run


@main.command(
    short_help="Run a scenario once: the weeks and the outcome.",
    epilog=examples(
        "ceasefire run",
        "ceasefire run stalemate --seed 7 --every 1",
        "ceasefire run --pick agreed --narrate",
        "ceasefire run --format csv > weekly.csv",
        "ceasefire run --wide --out runs/one",
    ),
)
@click.argument("scenario", required=False)
@seed_option
@weeks_option
@set_option
@format_option("table", "json", "csv")
@click.option(
    "--every",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Table: show every Nth week (weeks where something happens always show).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Also write weekly.csv and .parquet, run.json and manifest.json (scenario hash, "
    "seed, version, command line, time taken) into this directory (one run per folder).",
)
@click.option(
    "--force",
    is_flag=True,
    help="With --out: start over in a folder that holds an earlier run's files.",
)
@click.option(
    "--wide",
    is_flag=True,
    help="Table: show every column, however wide (default: fit the terminal, 80 if unknown).",
)
@click.option(
    "--narrate",
    is_flag=True,
    help="Tell the run as a dated story in plain words (instead of the table).",
)
@click.option(
    "--pick",
    type=click.Choice(["agreed", "none", "median", "breakdown"]),
    help=(
        "Run --candidates seeds from --seed on and show the one closest to this kind: a "
        "deal, no deal, the typical run, a settlement that broke down."
    ),
)
@click.option(
    "--candidates",
    type=click.IntRange(min=1, max=10000),
    default=100,
    show_default=True,
    help="With --pick: how many seeds to try.",
)
def run(
    scenario: str | None,
    seed: int | None,
    weeks: int | None,
    overrides: tuple[str, ...],
    fmt: str,
    every: int,
    out: Path | None,
    force: bool = False,
    wide: bool = False,
    narrate: bool = False,
    pick: str | None = None,
    candidates: int = 100,
) -> None:
    """Run one scenario once and report the weeks and the outcome.

    SCENARIO is a file or a bundled name (default: baseline). The same scenario
    and seed give the same output, byte for byte. With --pick, the seed is chosen
    (and printed on stderr with the reason); if no candidate is of the kind asked,
    one line says so, nothing is shown and the exit status is 2.
    """
    import time

    from simulator.outputs.files import to_json
    from simulator.results import outcome, weekly_records
    from simulator.results import run as run_model

    if narrate and fmt != "table":
        raise click.BadParameter("--narrate is a text; leave --format out", param_hint="--narrate")
    loaded = load(scenario, overrides, weeks)
    claim_out(out, force=force, resumable=False)
    if pick is not None:
        from simulator.picking import pick_run

        first = loaded.seed if seed is None else seed
        chosen = pick_run(loaded, pick, first, candidates, weeks)
        if chosen.seed is None:
            fail(
                f"no run of the kind '{pick}': {chosen.reason}; try more --candidates "
                "or another --seed"
            )
        import textwrap

        click.echo(
            textwrap.fill(f"picked seed {chosen.seed}: {chosen.reason}.", text_width()), err=True
        )
        seed = chosen.seed
    started = time.perf_counter()
    model = run_model(loaded, seed=seed, weeks=weeks)
    used_seed = loaded.seed if seed is None else seed
    result = outcome(model)
    weekly = weekly_records(model)
    document: dict[str, Any] = {
        "scenario": loaded.name,
        "seed": used_seed,
        "outcome": result,
        "weekly": weekly,
    }
    if out is not None:
        from simulator.outputs.tidy import table_files
        from simulator.tables import weekly_frame

        settings = {
            "scenario": resolved(scenario),
            "overrides": list(overrides),
            "replications": 1,
            "seed": used_seed,
            "weeks": weeks,
        }
        write_run(
            out,
            "run",
            settings,
            loaded,
            time.perf_counter() - started,
            {
                **table_files("weekly", weekly_frame(model, used_seed)),
                "run.json": to_json(document),
            },
        )
    if fmt == "json":
        click.echo(to_json(document), nl=False)
    elif fmt == "csv":
        from simulator.outputs.tidy import csv_text
        from simulator.tables import weekly_frame

        click.echo(csv_text(weekly_frame(model, used_seed)), nl=False)
    elif narrate:
        from simulator.outputs.narrative import narrate as tell

        click.echo(tell(loaded, weekly, result, used_seed, width=text_width()))
    else:
        click.echo(
            _run_table(model, loaded, used_seed, weekly, result, every, terminal_width(wide))
        )


def _run_table(model, scenario, seed, weekly, result, every, width: int | None = None) -> str:
    from simulator.outputs.text import HOLDER_SHARE, fit, outcome_summary, weekly_summary, wrap

    names = {side.actor_id: side.name for side in model.belligerents}
    places = {p: scenario.front.places[p].name for p in model.front.place_ids}
    header = wrap(
        f"{scenario.name}: {scenario.start} to {scenario.date_of_week(model.steps)}, "
        f"seed {seed}. {HOLDER_SHARE.capitalize()}: the share of the four oblasts "
        f"{names[model.holder.actor_id]} holds.",
        fit(width),
    )
    events: dict[int, list[str]] = {}
    for event_id, event in scenario.events.items():
        week = max(1, scenario.week_of_date(event.date))
        events.setdefault(week, []).append(f"event {event_id} ({event.kind})")
    table = weekly_summary(
        weekly, model.holder.actor_id, model.defender.actor_id, names, places, every, events, width
    )
    area = float(model.front.area_km2[0])
    ending = "\n".join(
        wrap(line, fit(width)) for line in outcome_summary(result, None, names, area).splitlines()
    )
    return f"{header}\n\n{table}\n\n{ending}"


@main.command(
    short_help="The bargaining range at one week, and what would open one.",
    epilog=examples(
        "ceasefire analyze",
        "ceasefire analyze --week 20 --seed 5",
        "ceasefire analyze --set actors.ukraine.resolve=0.5 --format json",
    ),
)
@click.argument("scenario", required=False)
@click.option(
    "--week",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Analyse the state at this week of a seeded run (0 = the start).",
)
@seed_option
@set_option
@format_option("table", "json")
@out_option("sides.csv and levers.csv (and .parquet), analysis.json")
@force_option
@wide_option
def analyze(
    scenario: str | None,
    week: int,
    seed: int | None,
    overrides: tuple[str, ...],
    fmt: str,
    out: Path | None = None,
    force: bool = False,
    wide: bool = False,
) -> None:
    """The bargaining problem at one moment, in the terms of bargaining theory.

    For each side: its expected value of fighting on and the share of territory it
    would accept rather than fight; the bargaining range or the gap that prevents
    one; the Nash and Kalai-Smorodinsky points; and how far each lever (beliefs,
    costs, the mediator's sanctions and aid) would have to move to open a range.
    """
    import time

    # the scenario and --out first, so bad input fails before the model's imports
    loaded = load(scenario, overrides)
    if week > loaded.horizon:
        fail(f"--week {week} is beyond the scenario's horizon of {loaded.horizon} weeks")
    claim_out(out, force=force, resumable=False)

    from simulator.analysis import analyze as run_analysis
    from simulator.outputs.files import to_json
    from simulator.outputs.text import analysis_summary

    started = time.perf_counter()
    report = run_analysis(loaded, week=week, seed=seed)
    if out is not None:
        from simulator.outputs.tidy import table_files
        from simulator.tables import analysis_frames

        used_seed = loaded.seed if seed is None else seed
        tables = analysis_frames(report, used_seed)
        settings = {
            "scenario": resolved(scenario),
            "overrides": list(overrides),
            "seed": used_seed,
            "week": week,
        }
        write_run(
            out,
            "analyze",
            settings,
            loaded,
            time.perf_counter() - started,
            {
                **table_files("sides", tables["sides"]),
                **table_files("levers", tables["levers"]),
                "analysis.json": to_json(report),
            },
        )
    if fmt == "json":
        click.echo(to_json(report), nl=False)
    else:
        click.echo(analysis_summary(report, terminal_width(wide)))


@main.command(
    short_help="Each mechanism's share of the outcome's variance.",
    epilog=examples(
        "ceasefire drivers",
        "ceasefire drivers stalemate -n 5000 --format json",
    ),
)
@click.argument("scenario", required=False)
@click.option(
    "-n",
    "--replications",
    type=click.IntRange(min=100, max=200_000),
    default=20_000,
    show_default=True,
    help="Replications, run in lockstep in this process.",
)
@seed_option
@set_option
@format_option("table", "json")
@out_option("drivers.csv and .parquet, drivers.json")
@force_option
def drivers(
    scenario: str | None,
    replications: int,
    seed: int | None,
    overrides: tuple[str, ...],
    fmt: str,
    out: Path | None = None,
    force: bool = False,
) -> None:
    """What decides the outcome: each mechanism's share of its variance.

    Groups the scenario's uncertain numbers by the mechanism they stand for (the
    clock of the time tactic, resources, reciprocity, red lines and the costs of
    crossing them, beliefs, costs of war, the mediator's leverage, the battlefield)
    and reports the share of the variance of agreement, and of the week of
    agreement, that each explains alone (adjusted R² of a quadratic fit).
    """
    import time

    loaded = load(scenario, overrides)  # the scenario and --out before the model's imports
    claim_out(out, force=force, resumable=False)

    from simulator.outputs.files import to_json
    from simulator.outputs.text import drivers_summary
    from simulator.variance import drivers as attribute

    started = time.perf_counter()
    report = attribute(loaded, replications, seed)
    if out is not None:
        from simulator.outputs.tidy import table_files
        from simulator.tables import drivers_frame

        used_seed = loaded.seed if seed is None else seed
        settings = {
            "scenario": resolved(scenario),
            "overrides": list(overrides),
            "replications": replications,
            "seed": used_seed,
        }
        write_run(
            out,
            "drivers",
            settings,
            loaded,
            time.perf_counter() - started,
            {
                **table_files("drivers", drivers_frame(report, loaded.name, used_seed)),
                "drivers.json": to_json(report),
            },
        )
    if fmt == "json":
        click.echo(to_json(report), nl=False)
    else:
        click.echo(drivers_summary(report, text_width()))


@main.command(
    short_help="Take a delegation's seat in the talks, week by week.",
    epilog=examples(
        "ceasefire play --as ukraine",
        "ceasefire play --as russia --as ukraine --transcript game.txt",
    ),
)
@click.argument("scenario", required=False)
@click.option(
    "--as",
    "roles",
    multiple=True,
    required=True,
    metavar="ACTOR",
    help="The delegation you play: russia, ukraine or united_states (repeat for two players).",
)
@seed_option
@weeks_option
@click.option(
    "--transcript",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Save the game (what was shown and answered) to this text file.",
)
def play(
    scenario: str | None,
    roles: tuple[str, ...],
    seed: int | None,
    weeks: int | None,
    transcript: Path | None,
) -> None:
    """Take a delegation's seat; the model plays the others, week by week.

    Each week of talks shows the front, the text on the table, what fighting on is
    worth to you (a utility from 0 to 1, 1 = everything your side wants) and what your
    red line allows, and asks for an answer (type 'help'): accept, reject, or a counter
    such as 'counter 80%' (territory in percent of the four oblasts; 'counter 0.80'
    works too). Reads one answer a line, from a terminal or a pipe; the end of input
    ends the game with its outcome.
    """
    loaded = load(scenario, (), weeks)  # the input first, then the model's imports
    for role in roles:
        if role not in loaded.actors:
            fail(f"--as {role}: no such actor; choose from {', '.join(loaded.actors)}")
    if transcript is not None and not transcript.parent.is_dir():
        fail(f"{transcript}: no such directory")

    from simulator.outputs.files import write_atomic
    from simulator.play import play as play_game

    lines: list[str] = []
    echo = not sys.stdin.isatty()

    def say(text: str) -> None:
        lines.append(text)
        click.echo(text)

    def ask(prompt: str) -> str | None:
        click.echo(prompt, nl=False)
        answer = sys.stdin.readline()
        if not answer:
            click.echo()
            lines.append(prompt + "(end of input)")
            return None
        if echo:
            click.echo(answer.rstrip("\n"))
        lines.append(prompt + answer.rstrip("\n"))
        return answer

    def save() -> None:
        if transcript is None:
            return
        try:
            write_atomic(transcript, "\n".join(lines) + "\n")
        except OSError as exc:
            fail(f"{transcript}: cannot write the transcript: {exc.strerror or exc}")
        click.echo(f"wrote {transcript}", err=True)

    try:
        play_game(
            loaded,
            list(dict.fromkeys(roles)),
            say,
            ask,
            seed=seed,
            weeks=weeks,
            width=text_width() - 1,
        )
    except KeyboardInterrupt:
        lines.append("(interrupted)")
        save()  # a game stopped with Ctrl-C keeps its transcript
        raise
    save()
