"""The `ceasefire` command: parse, validate, call the library, print, choose the exit code.

Heavy modules (numpy, pydantic, mesa) are imported inside the commands, so that
`ceasefire --help` answers at once.
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import Any, NoReturn

import click

seed_option = click.option(
    "--seed", type=click.IntRange(min=0), help="Random seed (default: the scenario's)."
)


def format_option(*choices: str):
    """``--format`` with the given choices; the first is the default."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="How to print the result.",
    )


weeks_option = click.option(
    "--weeks",
    type=click.IntRange(min=1, max=1040),
    help="Weeks to run (default: the scenario's horizon; longer extends it).",
)
set_option = click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a value, e.g. actors.ukraine.resolve=0.8 (repeatable).",
)


def _fail(message: str) -> NoReturn:
    """A problem the user can fix: one line on stderr, exit status 2.

    Scenario problems read ``file:line:column: field: what is wrong``.
    """
    click.echo(message, err=True)
    sys.exit(2)


def _load(scenario: str | None, overrides: tuple[str, ...] = (), weeks: int | None = None):
    from simulator.errors import ScenarioError
    from simulator.scenario import load_scenario

    try:
        loaded = load_scenario(scenario, overrides)
        if weeks is not None and weeks > loaded.horizon:
            loaded = load_scenario(scenario, [*overrides, f"horizon={weeks}"])
    except ScenarioError as exc:
        first, rest = exc.problems[0], len(exc.problems) - 1
        more = f" (and {rest} more; 'ceasefire validate' lists them all)" if rest else ""
        _fail(f"{first}{more}")
    for note in loaded.notes:
        click.echo(f"note: {note}", err=True)
    return loaded


def _write_outputs(out: Path, files: dict[str, str], quiet: bool = False) -> None:
    from simulator.outputs.files import write_atomic

    _check_out(out)
    try:
        for name, text in files.items():
            write_atomic(out / name, text)
    except OSError as exc:
        _fail(f"{out}: cannot write output: {exc.strerror or exc}")
    if not quiet:
        for name in files:
            click.echo(f"wrote {out / name}", err=True)


class CeasefireGroup(click.Group):
    """Every error a user can cause ends in one line on stderr, never a traceback.

    Usage errors (a bad option value) print click's message on one line with exit
    status 2; an output that cannot be written (a full disk, a closed pipe) exits 2;
    Ctrl-C exits 130.
    """

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            where = exc.ctx.command_path if getattr(exc, "ctx", None) else "ceasefire"
            click.echo(f"{where}: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except OSError as exc:
            _quiet_stdout()
            click.echo(f"cannot write output: {exc.strerror or exc}", err=True)
            sys.exit(2)
        sys.exit(code if isinstance(code, int) else 0)


def _quiet_stdout() -> None:
    """After stdout fails (a full disk, a closed pipe), stop Python flushing it at exit."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


@click.group(
    cls=CeasefireGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="ceasefire")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Model cease-fire talks in the Russia-Ukraine war, week by week.

    Scenarios (YAML) describe the actors' demands, red lines and resources, each
    with its source or labelled as an assumption; `run` simulates fighting,
    learning and talks and reports whether, when and on what terms a cease-fire
    is agreed, and whether it holds.

    \b
    Start with:
      ceasefire list              bundled scenarios
      ceasefire explain           what each side demands, and who says so
      ceasefire run               the baseline, week by week
      ceasefire mc -n 10000       the chance of a cease-fire, when, on what terms
      ceasefire analyze           the bargaining range and what would open one
      ceasefire run --pick agreed --narrate   a run that ends in a deal, as a story
      ceasefire plot --kind positions -o positions.png   the positions picture
    """
    if ctx.invoked_subcommand is None:  # bare `ceasefire`: the help, and no error
        click.echo(ctx.get_help())


@main.command("list")
def list_scenarios() -> None:
    """List the bundled scenarios with their descriptions."""
    from simulator.errors import ScenarioError
    from simulator.scenario import bundled_scenarios, load_scenario
    from simulator.scenario.loader import BUNDLED_DIR

    for path in bundled_scenarios():
        name = path.relative_to(BUNDLED_DIR).with_suffix("").as_posix()
        try:
            description = " ".join(load_scenario(path).description.split())
        except ScenarioError as exc:
            description = f"(invalid: {exc.problems[0]})"
        click.echo(f"{name:24} {description}")


@main.command()
@click.argument("files", nargs=-1, required=True)
@set_option
@click.option(
    "--sources",
    "sources",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Check every quote against its source's text, DIR/<source id>.txt (or .md).",
)
def validate(files: tuple[str, ...], overrides: tuple[str, ...], sources: Path | None) -> None:
    """Check scenario FILES; print 'ok' or every problem, one per line.

    The repository holds sources as bibliographic records, not their text. With
    --sources DIR, each quote must stand in its source's text (DIR/kurakhove.txt for
    the source 'kurakhove'); sources with no text there are noted, not checked.
    """
    from simulator.errors import ScenarioError
    from simulator.scenario import load_scenario, resolve_scenario_path

    if sources is not None and not sources.is_dir():
        _fail(f"--sources {sources}: not a folder")
    failed = False
    for file in files:
        try:
            loaded = load_scenario(file, overrides, sources=sources)
        except ScenarioError as exc:
            failed = True
            for problem in exc.problems:
                click.echo(str(problem), err=True)
        else:
            click.echo(f"{resolve_scenario_path(file)}: ok")
            for note in loaded.notes:
                click.echo(f"{resolve_scenario_path(file)}: note: {note}")
    if failed:
        sys.exit(2)


@main.command()
@click.argument("scenario", required=False)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a value before explaining it.",
)
def explain(scenario: str | None, overrides: tuple[str, ...]) -> None:
    """Show each actor's demands, red lines and resources, with quotes and claimants.

    SCENARIO is a file or a bundled name (default: baseline). Values a source gives
    show the quote, who claimed it and whether it is verified; the rest are marked
    ASSUMPTION with the reason for the value.
    """
    from simulator.outputs.explain import explain as render

    click.echo(render(_load(scenario, overrides)))


@main.command()
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
    help="Also write weekly.csv and run.json into this directory (one run per folder).",
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
    from simulator.outputs.files import to_csv, to_json
    from simulator.results import outcome, weekly_records
    from simulator.results import run as run_model

    if narrate and fmt != "table":
        raise click.BadParameter("--narrate is a text; leave --format out", param_hint="--narrate")
    loaded = _load(scenario, overrides, weeks)
    _claim_out(out, force=force, resumable=False)
    if pick is not None:
        from simulator.picking import pick_run

        first = loaded.seed if seed is None else seed
        chosen = pick_run(loaded, pick, first, candidates, weeks)
        if chosen.seed is None:
            _fail(
                f"no run of the kind '{pick}': {chosen.reason}; try more --candidates "
                "or another --seed"
            )
        import textwrap

        click.echo(textwrap.fill(f"picked seed {chosen.seed}: {chosen.reason}.", 99), err=True)
        seed = chosen.seed
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
        _write_outputs(out, {"weekly.csv": to_csv(weekly), "run.json": to_json(document)})
    if fmt == "json":
        click.echo(to_json(document), nl=False)
    elif fmt == "csv":
        click.echo(to_csv(weekly), nl=False)
    elif narrate:
        import shutil

        from simulator.outputs.narrative import narrate as tell

        width = min(max(shutil.get_terminal_size((88, 24)).columns, 80), 100) - 1
        click.echo(tell(loaded, weekly, result, used_seed, width=width))
    else:
        click.echo(
            _run_table(model, loaded, used_seed, weekly, result, every, _terminal_width(wide))
        )


def _terminal_width(wide: bool) -> int | None:
    """The terminal's width (COLUMNS, else 80 when unknown), or None with --wide."""
    import shutil

    return None if wide else shutil.get_terminal_size((80, 24)).columns


def _run_table(model, scenario, seed, weekly, result, every, width: int | None = None) -> str:
    from simulator.outputs.text import outcome_summary, weekly_summary, wrap

    names = {side.actor_id: side.name for side in model.belligerents}
    places = {p: scenario.front.places[p].name for p in model.place_ids}
    header = wrap(
        f"{scenario.name}: {scenario.start} to {scenario.date_of_week(model.steps)}, "
        f"seed {seed}. "
        f"'holds' is {names[model.holder.actor_id]}'s share of the disputed territory.",
        width or 100,
    )
    events: dict[int, list[str]] = {}
    for event_id, event in scenario.events.items():
        week = max(1, scenario.week_of_date(event.date))
        events.setdefault(week, []).append(f"event {event_id} ({event.kind})")
    table = weekly_summary(
        weekly, model.holder.actor_id, model.defender.actor_id, names, places, every, events, width
    )
    ending = "\n".join(wrap(line, width or 100) for line in outcome_summary(result).splitlines())
    return f"{header}\n\n{table}\n\n{ending}"


@main.command()
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
def analyze(
    scenario: str | None, week: int, seed: int | None, overrides: tuple[str, ...], fmt: str
) -> None:
    """The bargaining problem at one moment, in the terms of bargaining theory.

    For each side: its expected value of fighting on and the share of territory it
    would accept rather than fight; the bargaining range or the gap that prevents
    one; the Nash and Kalai-Smorodinsky points; and how far each lever (beliefs,
    costs, the mediator's sanctions and aid) would have to move to open a range.
    """
    from simulator.analysis import analyze as run_analysis
    from simulator.outputs.files import to_json
    from simulator.outputs.text import analysis_summary

    loaded = _load(scenario, overrides)
    if week > loaded.horizon:
        _fail(f"--week {week} is beyond the scenario's horizon of {loaded.horizon} weeks")
    report = run_analysis(loaded, week=week, seed=seed)
    if fmt == "json":
        click.echo(to_json(report), nl=False)
    else:
        click.echo(analysis_summary(report))


@main.command()
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
def drivers(
    scenario: str | None, replications: int, seed: int | None, overrides: tuple[str, ...], fmt: str
) -> None:
    """What decides the outcome: each mechanism's share of its variance.

    Groups the scenario's uncertain numbers by the mechanism they stand for (the
    clock of the time tactic, resources, reciprocity, red lines and the costs of
    crossing them, beliefs, costs of war, the mediator's leverage, the battlefield)
    and reports the share of the variance of agreement, and of the week of
    agreement, that each explains alone (adjusted R² of a quadratic fit).
    """
    from simulator.drivers import drivers as attribute
    from simulator.outputs.files import to_json
    from simulator.outputs.text import drivers_summary

    report = attribute(_load(scenario, overrides), replications, seed)
    if fmt == "json":
        click.echo(to_json(report), nl=False)
    else:
        click.echo(drivers_summary(report))


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "markdown"]),
    default="json",
    show_default=True,
    help="JSON Schema for editors, or the Markdown reference.",
)
def schema(fmt: str) -> None:
    """Print the scenario format: JSON Schema (for editors) or a field reference."""
    if fmt == "markdown":
        from simulator.scenario.reference import markdown

        click.echo(markdown(), nl=False)
        return
    import json

    from simulator.scenario import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


@main.command()
def protocols() -> None:
    """List talks protocols, negotiator strategies, drafting rules and mediator policies."""
    from simulator.talks import listing

    for kind, entries in listing().items():
        click.echo(f"{kind}s:")
        for name, cls in entries.items():
            click.echo(f"  {name:22} {cls.description}")
            traits = ", ".join(k.replace("_", " ") for k, v in cls.classifier.items() if v)
            if traits:
                click.echo(f"  {'':22}   ({traits})")
            for spec in cls.params:
                click.echo(
                    f"  {'':22}   {spec.name} (default {spec.default:g}, "
                    f"{spec.low:g}..{spec.high:g}): {spec.description}"
                )
        click.echo("")


# ------------------------------------------------------------------------ ensembles


def _within_memory(ctx, param, value: int | None) -> int | None:
    """Refuse at once a replication count this machine cannot hold, with the limit."""
    if value is None:
        return None
    from simulator.ensemble import check_replications

    try:
        check_replications(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None
    return value


def ensemble_options(command, replications_option=None):
    """Options every ensemble command shares (``replications_option`` replaces -n)."""
    options = [
        replications_option
        or click.option(
            "-n",
            "--replications",
            type=click.IntRange(min=1),
            callback=_within_memory,
            help="Replications, each sampling the scenario's distributions [default: 1000]; "
            "at most what this machine's memory holds (about 4 KB each).",
        ),
        seed_option,
        weeks_option,
        set_option,
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            default=1,
            show_default=True,
            help="Local processes to run chunks of replications in (no more are started "
            "than there are chunks or CPUs).",
        ),
        click.option(
            "--scheduler",
            metavar="tcp://HOST:PORT",
            help="Run the chunks on an existing Dask distributed cluster.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


class _ProgressBar:
    """A progress line on stderr: only on a terminal, only once a run passes a second."""

    def __init__(self, label: str):
        import time

        self.label, self.clock = label, time.monotonic
        self.start = self.clock()
        self.shown = False
        self.enabled = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        elapsed = self.clock() - self.start
        if not self.enabled or total == 0 or (elapsed < 1.0 and not self.shown):
            return
        width = 30
        filled = int(width * done / total)
        bar = "#" * filled + "-" * (width - filled)
        click.echo(
            f"\r{self.label} [{bar}] {done}/{total} chunks, {elapsed:.1f} s", err=True, nl=False
        )
        self.shown = True

    def close(self) -> None:
        if self.shown:
            click.echo("", err=True)
            self.shown = False


def _run_study(label: str, work, interrupted=None):
    """Run ``work(progress)`` with a progress bar; Ctrl-C exits 130, bad input 2.

    ``interrupted()``, if given, records the interruption and returns the line to print.
    """
    from simulator.errors import ScenarioError

    bar = _ProgressBar(label)
    try:
        try:
            return work(bar)
        finally:
            bar.close()  # end the progress line before any message
    except KeyboardInterrupt:
        message = interrupted() if interrupted else "interrupted"
        click.echo(message, err=True)
        sys.exit(130)
    except ScenarioError as exc:
        _fail(str(exc.problems[0]))
    except (ValueError, RuntimeError, OSError) as exc:
        _fail(str(exc))


def _manifest(command: str, settings: dict[str, Any], scenario, seconds, status: str) -> str:
    from simulator.outputs import manifest
    from simulator.outputs.files import to_json

    return to_json(
        manifest.build(command, ["ceasefire", *sys.argv[1:]], settings, scenario, seconds, status)
    )


DEFAULT_REPLICATIONS = 1000


def _alone_with_resume(*given) -> None:
    """--resume reads every setting from the manifest: refuse others rather than ignore them."""
    if any(value not in (None, (), "") for value in given):
        _fail(
            "--resume takes its settings from DIR/manifest.json; give no scenario or run "
            "options with it (--workers and --scheduler are fine)"
        )


def _unchanged(manifest: dict[str, Any], scenario) -> None:
    """Stop a resume whose scenario has changed since the run started."""
    from simulator.outputs.manifest import check_unchanged

    try:
        check_unchanged(manifest, scenario)
    except ValueError as exc:
        _fail(str(exc))


def _resume_settings(resume: Path, command: str) -> dict[str, Any]:
    """The settings of an interrupted run, from its manifest."""
    from simulator.outputs import manifest

    try:
        return manifest.read(resume, command)
    except ValueError as exc:
        _fail(str(exc))


def _check_out(out: Path | None) -> None:
    if out is not None and out.exists() and not out.is_dir():
        _fail(f"{out}: --out must name a directory, and this is a file")


force_option = click.option(
    "--force",
    is_flag=True,
    help="Start over in an --out folder that holds an earlier run (the files that run "
    "wrote are removed; nothing else is).",
)


def _claim_out(
    out: Path | None, force: bool = False, resume: bool = False, resumable: bool = True
) -> None:
    """Make ``out`` this run's folder before anything is written there.

    The folder is locked for this process until the command ends (a second run into
    it is refused, naming this one); a folder that holds files is refused unless
    the run resumes (``resume``) or starts over (``force``, which removes what the
    earlier run wrote). Temporaries a killed run left are removed.
    """
    if out is None:
        return
    import shlex

    from simulator.outputs import rundir
    from simulator.outputs.manifest import FILE_NAME

    _check_out(out)
    if resume and not (out / FILE_NAME).is_file():
        _fail(f"{out / FILE_NAME}: no manifest here to resume from")
    try:
        held = rundir.lock(out, shlex.join(["ceasefire", *sys.argv[1:]]))
    except rundir.FolderInUse as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{out}: cannot use this folder: {exc.strerror or exc}")
    click.get_current_context().call_on_close(held.release)
    if held.previous:
        gone = rundir.describe(held.previous)
        click.echo(f"note: {out}: the run that held this folder ({gone}) is gone", err=True)
    if resume:
        rundir.clean_temporaries(out)
        return
    held_files = rundir.contents(out)
    if held_files and not force:
        shown = ", ".join(held_files[:3]) + (", ..." if len(held_files) > 3 else "")
        finish = f"give --resume {out} to finish it, " if resumable else "give "
        _fail(
            f"{out}: holds an earlier run's files ({shown}); {finish}--force to start over "
            "here, or another --out"
        )
    if force:
        try:
            rundir.clear(out)
        except OSError as exc:
            _fail(f"{out}: cannot clear the earlier run: {exc.strerror or exc}")


def _check_resume(manifest: dict[str, Any], scenario, out: Path, force: bool) -> None:
    """Stop a resume whose stored run is not the run its manifest describes."""
    from simulator.outputs.manifest import check_key

    if force:
        _fail("--resume finishes a run and --force starts one over: give one of them")
    _unchanged(manifest, scenario)
    try:
        check_key(manifest, scenario)
    except ValueError as exc:
        _fail(f"{out}: {exc}")


def _check_scheduler(scheduler: str | None) -> None:
    """Refuse, before anything is written, a scheduler address where no scheduler answers."""
    if scheduler is None:
        return
    from simulator.ensemble import check_scheduler

    try:
        check_scheduler(scheduler)
    except (ValueError, RuntimeError) as exc:
        _fail(str(exc))


def _interrupted(command: str, out, settings, scenario, workers: int, scheduler) -> str:
    """Mark the run interrupted in its manifest; the line that says how to finish it."""
    import shlex

    if out is None:
        return "interrupted (with --out DIR, finished chunks are kept and the run can resume)"
    _write_outputs(
        out,
        {"manifest.json": _manifest(command, settings, scenario, None, "interrupted")},
        quiet=True,
    )
    again = ["ceasefire", command, "--resume", str(out)]
    if workers > 1:
        again += ["--workers", str(workers)]
    if scheduler:
        again += ["--scheduler", scheduler]
    return f"interrupted; finished chunks are kept in {out}. To finish the run: {shlex.join(again)}"


@main.command()
@click.argument("scenario", required=False)
@ensemble_options
@format_option("table", "json")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Write replications.csv, summary.json and manifest.json here; finished "
    "chunks are kept, so an interrupted run can be resumed.",
)
@click.option(
    "--resume",
    type=click.Path(path_type=Path, file_okay=False),
    help="Finish an interrupted run kept in this directory (its settings are "
    "read from its manifest.json).",
)
@force_option
@click.option(
    "--plot",
    type=click.Path(path_type=Path),
    help="Also draw the chance of an agreement by week into this file (.png, .svg or .pdf).",
)
def mc(
    scenario,
    replications,
    seed,
    weeks,
    overrides,
    workers,
    scheduler,
    fmt,
    out,
    resume,
    force,
    plot,
):
    """Monte Carlo: many replications, each sampling the scenario's uncertainty.

    Reports the probability of a cease-fire by the horizon (95% interval) and by each
    date, when and on what terms agreements come, how often they break down, and
    the costs. The result is the same for any --workers.
    """
    import time

    from simulator.ensemble import ChunkStore, Runs
    from simulator.outputs.files import to_csv, to_json
    from simulator.outputs.text import mc_summary
    from simulator.summaries import summarize

    if resume is not None:
        _alone_with_resume(scenario, overrides, replications, seed, weeks, out)
        _claim_out(resume, resume=True)
        manifest = _resume_settings(resume, "mc")
        settings = manifest["settings"]
        out = resume
        loaded = _load(settings["scenario"], tuple(settings["overrides"]), settings["weeks"])
        _check_resume(manifest, loaded, out, force)
        replications, seed, weeks = settings["replications"], settings["seed"], settings["weeks"]
    else:
        loaded = _load(scenario, overrides, weeks)
        seed = loaded.seed if seed is None else seed
        replications = replications or DEFAULT_REPLICATIONS
        settings = {
            "scenario": _resolved(scenario),
            "overrides": list(overrides),
            "replications": replications,
            "seed": seed,
            "weeks": weeks,
        }
    _check_out(out)
    _check_plot(plot)
    _check_scheduler(scheduler)
    if resume is None:
        _claim_out(out, force=force)
    store = ChunkStore(out) if out is not None else None
    if out is not None:
        _write_outputs(
            out, {"manifest.json": _manifest("mc", settings, loaded, None, "running")}, quiet=True
        )
    started = time.perf_counter()
    result = _run_study(
        "mc",
        lambda bar: Runs(replications, seed, weeks, workers, scheduler).run(
            loaded, store=store, progress=bar
        ),
        lambda: _interrupted("mc", out, settings, loaded, workers, scheduler),
    )
    seconds = time.perf_counter() - started
    summary = summarize(result)
    if out is not None:
        _write_outputs(
            out,
            {
                "replications.csv": to_csv(result.records()),
                "summary.json": to_json(summary),
                "manifest.json": _manifest("mc", settings, loaded, seconds, "complete"),
            },
        )
    from simulator.outputs.plots import agreement_plot

    _plot(plot, agreement_plot, summary)
    click.echo(to_json(summary) if fmt == "json" else mc_summary(summary), nl=fmt != "json")


def _resolved(scenario: str | None) -> str:
    from simulator.scenario import resolve_scenario_path

    return str(resolve_scenario_path(scenario).resolve())


def _check_plot(path: Path | None) -> None:
    """Refuse a chart file the charts cannot write, before any work is done."""
    if path is None:
        return
    from simulator.outputs.plots import check_path

    try:
        check_path(path)
    except ValueError as exc:
        _fail(str(exc))


def _plot(path: Path | None, draw, data) -> None:
    """Write a chart, or fail with a clear message (an unwritable place)."""
    if path is None:
        return
    try:
        draw(data, path)
    except (ValueError, OSError) as exc:
        _fail(
            f"{path}: cannot write the chart: {exc.strerror if isinstance(exc, OSError) else exc}"
        )
    click.echo(f"wrote {path}", err=True)


PLOT_HELP = "Also draw a chart into this file (.png, .svg or .pdf)."


@main.command()
@click.argument("scenario", required=False)
@ensemble_options
@click.option(
    "--vary",
    "varies",
    multiple=True,
    metavar="PATH=LO:HI:STEPS",
    help="A value to sweep, e.g. actors.ukraine.resolve=0.5:0.9:5 (once or twice).",
)
@format_option("table", "json", "csv")
@click.option("--plot", type=click.Path(path_type=Path), help=PLOT_HELP)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Write sweep.csv, sweep.json and manifest.json here, keeping finished "
    "chunks so an interrupted sweep can be resumed.",
)
@click.option(
    "--resume",
    type=click.Path(path_type=Path, file_okay=False),
    help="Finish an interrupted sweep kept in this directory.",
)
@force_option
def sweep(
    scenario,
    replications,
    seed,
    weeks,
    overrides,
    workers,
    scheduler,
    varies,
    fmt,
    plot,
    out,
    resume,
    force,
):
    """A grid over one or two values: the headline outcomes at every point.

    Every point uses the same seed, so differences between points come from the
    swept values, not from chance.
    """
    import time

    from simulator.ensemble import Runs
    from simulator.outputs.files import to_csv, to_json
    from simulator.outputs.plots import sweep_plot
    from simulator.outputs.text import sweep_summary
    from simulator.studies import Vary, grid_corners
    from simulator.studies import sweep as run_sweep

    if resume is not None:
        _alone_with_resume(scenario, overrides, replications, seed, weeks, out, *varies)
        _claim_out(resume, resume=True)
        manifest = _resume_settings(resume, "sweep")
        settings = manifest["settings"]
        out = resume
        scenario, overrides, varies = settings["scenario"], settings["overrides"], settings["vary"]
        replications, seed, weeks = settings["replications"], settings["seed"], settings["weeks"]
    if not varies:
        _fail("--vary PATH=LOW:HIGH:STEPS is needed (once or twice)")
    replications = replications or DEFAULT_REPLICATIONS
    try:
        parsed = [Vary.parse(text) for text in varies]
    except ValueError as exc:
        _fail(str(exc))
    if len(parsed) > 2:
        _fail("--vary: a sweep varies one or two values")
    loaded = _load(scenario, tuple(overrides), weeks)
    settings = {
        "scenario": _resolved(scenario),
        "overrides": list(overrides),
        "vary": list(varies),
        "replications": replications,
        "seed": loaded.seed if seed is None else seed,
        "weeks": weeks,
    }
    if resume is not None:
        _check_resume(manifest, loaded, out, force)
    _check_out(out)
    _check_plot(plot)
    _check_scheduler(scheduler)
    _run_study("sweep", lambda bar: grid_corners(settings["scenario"], overrides, parsed))
    if resume is None:
        _claim_out(out, force=force)
    if out is not None:
        _write_outputs(
            out,
            {"manifest.json": _manifest("sweep", settings, loaded, None, "running")},
            quiet=True,
        )
    started = time.perf_counter()
    result = _run_study(
        "sweep",
        lambda bar: run_sweep(
            settings["scenario"],
            overrides,
            parsed,
            Runs(replications, settings["seed"], weeks, workers, scheduler),
            store_dir=out,
            progress=bar,
        ),
        lambda: _interrupted("sweep", out, settings, loaded, workers, scheduler),
    )
    rows = [{**cell.pop("values"), **cell} for cell in [dict(c) for c in result["cells"]]]
    if out is not None:
        _write_outputs(
            out,
            {
                "sweep.csv": to_csv(rows),
                "sweep.json": to_json(result),
                "manifest.json": _manifest(
                    "sweep", settings, loaded, time.perf_counter() - started, "complete"
                ),
            },
        )
    _plot(plot, sweep_plot, result)
    if fmt == "json":
        click.echo(to_json(result), nl=False)
    elif fmt == "csv":
        click.echo(to_csv(rows), nl=False)
    else:
        click.echo(sweep_summary(result))


SENSITIVITY_N = click.option(
    "-n",
    "--replications",
    "--samples",
    "replications",
    type=click.IntRange(min=1),
    help="oat: replications per run [default: 1000]; sobol: the base sample size N, "
    "a power of 2 [default: 4096].",
)


@main.command()
@click.argument("scenario", required=False)
@partial(ensemble_options, replications_option=SENSITIVITY_N)
@click.option(
    "--method",
    type=click.Choice(["oat", "sobol"]),
    default="oat",
    show_default=True,
    help="oat: each value held low and high in turn; sobol: first- and total-order "
    "Sobol' indices (SALib) of the headline outcomes, with intervals.",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    help="Show only the N values that matter most (sobol: 10 unless given).",
)
@format_option("table", "json")
@click.option(
    "--plot",
    type=click.Path(path_type=Path),
    help=PLOT_HELP + " (oat: a tornado chart; sobol: bars of S1 and ST)",
)
def sensitivity(
    scenario, replications, seed, weeks, overrides, workers, scheduler, method, top, fmt, plot
):
    """Which uncertain values matter: each held low and high in turn, ranked by effect.

    Every value the scenario gives as a distribution is held at its 10th and then its
    90th percentile while everything else is sampled; the swing in the probability
    of an agreement (and in the median agreed territory) ranks them.

    With --method sobol, a quasi-random (Saltelli) design varies all of them at once,
    and SALib estimates each value's first-order (alone) and total-order (with every
    interaction) Sobol' index for P(agreement), P(a cease-fire in force at the end)
    and the holder's share of territory at the end, with the two red lines'
    second-order index. The model runs N x (values + 5) times; the same seed gives the
    same indices for any --workers.
    """
    from simulator.ensemble import Runs
    from simulator.outputs.files import to_json

    _check_plot(plot)
    loaded = _load(scenario, overrides, weeks)
    if method == "sobol":
        from simulator.outputs.sobol import sobol_plot, sobol_summary
        from simulator.sobol import DEFAULT_SAMPLES, sobol_sensitivity

        report = _run_study(
            "sensitivity",
            lambda bar: sobol_sensitivity(
                loaded,
                Runs(1, seed, weeks, workers, scheduler),
                replications or DEFAULT_SAMPLES,
                progress=bar,
            ),
        )
        _plot(plot, partial(sobol_plot, top=top), report)
        click.echo(
            to_json(report) if fmt == "json" else sobol_summary(report, top), nl=fmt != "json"
        )
        return
    from simulator.outputs.plots import tornado_plot
    from simulator.outputs.text import sensitivity_summary
    from simulator.studies import sensitivity as run_sensitivity

    report = _run_study(
        "sensitivity",
        lambda bar: run_sensitivity(
            loaded,
            Runs(replications or DEFAULT_REPLICATIONS, seed, weeks, workers, scheduler),
            progress=bar,
        ),
    )
    _plot(plot, tornado_plot, report)
    click.echo(
        to_json(report) if fmt == "json" else sensitivity_summary(report, top), nl=fmt != "json"
    )


@main.command()
@click.argument("first")
@click.argument("second")
@ensemble_options
@format_option("table", "json")
def compare(first, second, replications, seed, weeks, overrides, workers, scheduler, fmt):
    """Two scenarios side by side: each headline figure and the difference, with intervals.

    Both run with the same seed, replication by replication, so the difference
    reflects the scenarios rather than chance. --set applies to both.
    """
    from simulator.ensemble import Runs
    from simulator.outputs.files import to_json
    from simulator.outputs.text import compare_summary
    from simulator.studies import compare as run_compare

    a, b = _load(first, overrides, weeks), _load(second, overrides, weeks)
    report = _run_study(
        "compare",
        lambda bar: run_compare(
            a,
            b,
            Runs(replications or DEFAULT_REPLICATIONS, seed, weeks, workers, scheduler),
            progress=bar,
        ),
    )
    click.echo(to_json(report) if fmt == "json" else compare_summary(report), nl=fmt != "json")


# ------------------------------------------------------------------------- hindcast

HINDCAST_REPLICATIONS = 4000


@main.command()
@click.argument("scenario", required=False)
@click.option(
    "-n",
    "--replications",
    type=click.IntRange(min=1),
    default=HINDCAST_REPLICATIONS,
    show_default=True,
    help="Replications of the scenario to score.",
)
@seed_option
@set_option
@click.option(
    "--observed",
    type=click.Path(path_type=Path),
    help="An observed file or a folder of them (default: the bundled scenarios/observed/).",
)
@format_option("table", "json")
def hindcast(scenario, replications, seed, overrides, observed, fmt):
    """Score a scenario's forecasts against what happened after its start.

    Territory at quarters' ends and when places fell are scored with the CRPS;
    whether a side had accepted a proposal, or a cease-fire had been agreed, by a
    date with the Brier and log scores. Each row shows the forecast's 90% interval
    (or probability) and OUT where what happened falls outside it. Nothing in a
    scenario is tuned to the observed files: they are for scoring only.
    """
    from simulator.ensemble import Runs
    from simulator.errors import ScenarioError
    from simulator.hindcast import hindcast as score
    from simulator.observed import load_observed, observed_files
    from simulator.outputs.files import to_json
    from simulator.outputs.hindcast import hindcast_table

    loaded = _load(scenario, overrides)
    try:
        files = [(_shown(path), load_observed(path)) for path in observed_files(observed)]
    except ScenarioError as exc:
        _fail(str(exc.problems[0]))
    if not files:
        _fail(f"{observed}: no observed files (*.yaml) there")
    result = _run_study("hindcast", lambda bar: Runs(replications, seed).run(loaded, progress=bar))
    report = score(result, files)
    click.echo(to_json(report) if fmt == "json" else hindcast_table(report), nl=fmt != "json")


def _shown(path: Path) -> str:
    """A bundled file relative to the project (``scenarios/observed/2025.yaml``), else as given."""
    from simulator.scenario.loader import BUNDLED_DIR

    try:
        return path.resolve().relative_to(BUNDLED_DIR.parent).as_posix()
    except (ValueError, OSError, RuntimeError):  # elsewhere, or a link that leads nowhere
        return str(path)


# ---------------------------------------------------------------------- calibration


@main.command()
@click.option(
    "--targets",
    "targets_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A targets file (default: scenarios/calibration/2024.yaml).",
)
@click.option(
    "--check",
    "check_scenario",
    metavar="SCENARIO",
    help="Scenario whose predictive checks to show (default: the targets file's).",
)
@click.option(
    "-n",
    "--replications",
    type=click.IntRange(min=100, max=1_000_000),
    default=20_000,
    show_default=True,
    help="Replications for the predictive checks.",
)
@format_option("table", "json")
@click.option("--plot", type=click.Path(path_type=Path), help=PLOT_HELP)
def calibrate(targets_file, check_scenario, replications, fmt, plot):
    """History-match the battlefield to public figures of 2024 and before.

    Prints the targets with their sources, the waves and the region of parameters
    that is not implausible (prior, kept and calibrated ranges), then predictive
    checks: the scenario's simulated first year (talks switched off) against each
    target's range, and when its places fall. Nothing dated after the targets'
    cutoff may be in the file. See docs/CALIBRATION.md.
    """
    from simulator.calibration import (
        calibrate as run_calibration,
    )
    from simulator.calibration import (
        load_targets,
        place_fall_weeks,
        predictive_check,
        predictive_runs,
    )
    from simulator.errors import ScenarioError
    from simulator.outputs.calibration import calibration_report, predictive_plot
    from simulator.outputs.files import to_json

    _check_plot(plot)
    try:
        targets = load_targets(targets_file)
    except ScenarioError as exc:
        _fail(str(exc.problems[0]))
    scenario = _load(targets.scenario)
    checked = _load(check_scenario) if check_scenario else scenario
    result = run_calibration(targets, scenario, predictive_replications=0)
    if len(result.kept_points) < 2:
        _fail(
            f"{targets_file or 'scenarios/calibration/2024.yaml'}: no parameter values fit "
            f"every target after wave {len(result.waves)}; widen the priors or the ranges, "
            "or sample more points"
        )
    seed = targets.method.seed
    runs = predictive_runs(checked, targets, replications, seed)
    checks = predictive_check(checked, targets, runs=runs)
    places = place_fall_weeks(checked, replications, seed)
    summary = result.to_dict() | {"predictive": checks, "places": places}
    if fmt == "json":
        click.echo(to_json(summary), nl=False)
    else:
        click.echo(calibration_report(summary, checks, places), nl=False)
    _plot(plot, lambda data, path: predictive_plot(data, targets, path), runs)


# -------------------------------------------------------------------- plot, report

PLOT_KINDS = ("positions", "front", "agreement", "terms", "acceptance")
PLOT_REPLICATIONS = 3000


def _check_chart(path: Path) -> None:
    """Refuse a chart or report file that cannot be written, before any work is done."""
    from simulator.outputs.charts import check_chart_path

    try:
        check_chart_path(path)
    except ValueError as exc:
        _fail(str(exc))


@main.command()
@click.argument("scenario", required=False)
@click.option(
    "--kind",
    type=click.Choice(PLOT_KINDS),
    default="positions",
    show_default=True,
    help="positions: one run's demands, red lines, reservation points, asks, text and "
    "front; front: a fan chart of the front; agreement: chance of an agreement by date; "
    "terms: agreed territory; acceptance: each side's chance of having accepted by date.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="The chart file (.png, .svg or .pdf).",
)
@click.option(
    "-n",
    "--replications",
    type=click.IntRange(min=1, max=200_000),
    callback=_within_memory,
    help=f"Ensemble kinds: replications [default: {PLOT_REPLICATIONS}].",
)
@seed_option
@weeks_option
@set_option
def plot(scenario, kind, output, replications, seed, weeks, overrides) -> None:
    """Draw a chart for a class or a briefing into a .png, .svg or .pdf file.

    SCENARIO is a file or a bundled name (default: baseline). --kind positions draws
    one run, the one `ceasefire run` shows with the same --seed, --set and --weeks;
    the other kinds run an ensemble of -n replications.
    """
    from simulator.outputs.charts import save

    _check_chart(output)
    loaded = _load(scenario, overrides, weeks)
    n = replications or PLOT_REPLICATIONS
    if kind == "positions":
        from simulator.outputs.positions_chart import positions_figure, positions_run

        figure = positions_figure(positions_run(loaded, seed=seed, weeks=weeks))
    elif kind == "front":
        from simulator.outputs.ensemble_charts import front_fan, front_figure

        figure = front_figure(front_fan(loaded, n, seed=seed, weeks=weeks))
    else:
        from simulator.ensemble import run_ensemble
        from simulator.outputs import ensemble_charts

        draw = getattr(ensemble_charts, f"{kind}_figure")
        figure = draw(run_ensemble(loaded, n, seed=seed, weeks=weeks))
    _plot(output, save, figure)


REPORT_REPLICATIONS = 2000


@main.command()
@click.argument("scenarios", nargs=-1)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="The report file (.html).",
)
@click.option(
    "-n",
    "--replications",
    type=click.IntRange(min=100, max=200_000),
    callback=_within_memory,
    default=REPORT_REPLICATIONS,
    show_default=True,
    help="Replications per scenario (and for the drivers table and comparisons).",
)
@seed_option
@weeks_option
@set_option
def report(scenarios, output, replications, seed, weeks, overrides) -> None:
    """Write one self-contained HTML page to hand out: positions, assumptions, charts.

    For each SCENARIO (a file or a bundled name; default: baseline): the positions
    with quotes and claimants, the positions picture of one run, the chance of each
    outcome with its 95% interval, agreement by date, agreed terms, the front's fan,
    what the outcome depends on (the `drivers` table) and the assumptions. With several
    scenarios, a table compares each with the first (paired replications). The page
    embeds its charts and styles and prints cleanly to PDF.
    """
    import datetime as dt

    from simulator.outputs.files import write_atomic
    from simulator.outputs.report import report as render

    if output.suffix.lower() not in (".html", ".htm"):
        _fail(f"{output}: a report file must end in .html")
    if output.is_dir():
        _fail(f"{output}: is a directory")
    if not (output.parent if str(output.parent) else Path(".")).is_dir():
        _fail(f"{output}: the folder {output.parent} does not exist")
    loaded = [_load(name, overrides, weeks) for name in (scenarios or (None,))]
    stamp = f"ceasefire {_version()}, {dt.date.today().isoformat()}"
    page = render(loaded, replications, seed, weeks, generated=stamp)
    try:
        write_atomic(output, page)
    except OSError as exc:
        _fail(f"{output}: cannot write the report: {exc.strerror or exc}")
    click.echo(f"wrote {output}", err=True)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ceasefire")
    except PackageNotFoundError:
        return "(unknown version)"


@main.command()
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
    worth to you and what your red line allows, and asks for an answer (type 'help').
    Reads one answer a line, from a terminal or a pipe; the end of input ends the game
    with its outcome.
    """
    from simulator.outputs.files import write_atomic
    from simulator.play import play as play_game

    loaded = _load(scenario, (), weeks)
    for role in roles:
        if role not in loaded.actors:
            _fail(f"--as {role}: no such actor; choose from {', '.join(loaded.actors)}")
    if transcript is not None and not transcript.parent.is_dir():
        _fail(f"{transcript}: no such directory")
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
            _fail(f"{transcript}: cannot write the transcript: {exc.strerror or exc}")
        click.echo(f"wrote {transcript}", err=True)

    try:
        play_game(loaded, list(dict.fromkeys(roles)), say, ask, seed=seed, weeks=weeks)
    except KeyboardInterrupt:
        lines.append("(interrupted)")
        save()  # a game stopped with Ctrl-C keeps its transcript
        raise
    save()


@main.command()
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8765,
    show_default=True,
    help="Port on 127.0.0.1 to serve the app on.",
)
def app(port: int) -> None:
    """Serve the browser app (Mesa SolaraViz) on 127.0.0.1 until Ctrl-C.

    Pick a bundled scenario, move the levers (US aid, intelligence, sanctions, each
    side's resolve and the cost of crossing its red line, the talks protocol), then
    Reset, Step or Play and watch the front, the positions and the outcome. Needs the
    optional extra: pip install 'ceasefire[app]'.
    """
    import importlib.util
    import signal
    import socket
    import subprocess

    missing = [m for m in ("solara", "ipyvuetify") if importlib.util.find_spec(m) is None]
    if missing:
        _fail(f"the app needs {', '.join(missing)}: pip install 'ceasefire[app]'")
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            _fail(f"--port {port}: the port is in use on 127.0.0.1; choose another")
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "simulator.outputs.app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-open",
    ]
    click.echo(f"Serving the app at http://127.0.0.1:{port}/ (Ctrl-C stops it)")
    server = subprocess.Popen(command)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # Stopped by Ctrl-C or by a service manager's SIGTERM, the server goes too.
    signal.signal(signal.SIGTERM, stop)
    try:
        code = server.wait()
    except KeyboardInterrupt:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        code = 0
    sys.exit(code)


def _allow_outside(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        from simulator.scenario.loader import ALLOW_OUTSIDE

        token = ALLOW_OUTSIDE.set(True)
        ctx.call_on_close(lambda: ALLOW_OUTSIDE.reset(token))


def _add_allow_outside(group: click.Group) -> None:
    """Give every command that reads a scenario ``--allow-outside`` (one place, one rule)."""
    for command in group.commands.values():
        if any(isinstance(p, click.Argument) for p in command.params):
            command.params.append(
                click.Option(
                    ["--allow-outside"],
                    is_flag=True,
                    expose_value=False,
                    callback=_allow_outside,
                    help="Let 'extends' reach files outside the scenario's folder.",
                )
            )


_add_allow_outside(main)


if __name__ == "__main__":
    main()
