"""The `ceasefire` command: parse, validate, call the library, print, choose the exit code.

Heavy modules (numpy, pydantic, mesa) are imported inside the commands, so that
`ceasefire --help` answers at once.
"""

from __future__ import annotations

import sys
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


@click.group(cls=CeasefireGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ceasefire")
def main() -> None:
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
    """


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
    help="Also write weekly.csv and run.json into this directory.",
)
def run(
    scenario: str | None,
    seed: int | None,
    weeks: int | None,
    overrides: tuple[str, ...],
    fmt: str,
    every: int,
    out: Path | None,
) -> None:
    """Run one scenario once and report the weeks and the outcome.

    SCENARIO is a file or a bundled name (default: baseline). The same scenario
    and seed give the same output, byte for byte.
    """
    from simulator.outputs.files import to_csv, to_json
    from simulator.results import outcome, weekly_records
    from simulator.results import run as run_model

    loaded = _load(scenario, overrides, weeks)
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
    else:
        click.echo(_run_table(model, loaded, used_seed, weekly, result, every))


def _run_table(model, scenario, seed, weekly, result, every) -> str:
    from simulator.outputs.text import outcome_summary, weekly_summary

    names = {side.actor_id: side.name for side in model.belligerents}
    places = {p: scenario.front.places[p].name for p in model.place_ids}
    header = (
        f"{scenario.name}: {scenario.start} to {scenario.end}, seed {seed}. "
        f"'holds' is {names[model.holder.actor_id]}'s share of the disputed territory; "
        f"'min'/'max' the territory each side would accept rather than fight on."
    )
    table = weekly_summary(
        weekly, model.holder.actor_id, model.defender.actor_id, names, places, every
    )
    return f"{header}\n\n{table}\n\n{outcome_summary(result)}"


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
    """List talks protocols, negotiator strategies and mediator drafting rules."""
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


def ensemble_options(command):
    """Options every ensemble command shares."""
    options = [
        click.option(
            "-n",
            "--replications",
            type=click.IntRange(min=1),
            help="Replications, each sampling the scenario's distributions [default: 1000].",
        ),
        seed_option,
        weeks_option,
        set_option,
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            default=1,
            show_default=True,
            help="Local processes to run chunks of replications in.",
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


def _run_study(label: str, work):
    """Run ``work(progress)`` with a progress bar; Ctrl-C exits 130, bad input 2."""
    from simulator.errors import ScenarioError

    bar = _ProgressBar(label)
    try:
        try:
            return work(bar)
        finally:
            bar.close()  # end the progress line before any message
    except KeyboardInterrupt:
        click.echo("interrupted; finished chunks are kept where --out was given", err=True)
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
@click.option(
    "--plot",
    type=click.Path(path_type=Path),
    help="Also draw the chance of an agreement by week into this file (.png, .svg or .pdf).",
)
def mc(scenario, replications, seed, weeks, overrides, workers, scheduler, fmt, out, resume, plot):
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
        manifest = _resume_settings(resume, "mc")
        settings = manifest["settings"]
        out = resume
        loaded = _load(settings["scenario"], tuple(settings["overrides"]), settings["weeks"])
        _unchanged(manifest, loaded)
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
    from simulator.studies import Vary
    from simulator.studies import sweep as run_sweep

    if resume is not None:
        _alone_with_resume(scenario, overrides, replications, seed, weeks, out, *varies)
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
    if resume is not None:
        _unchanged(manifest, loaded)
    settings = {
        "scenario": _resolved(scenario),
        "overrides": list(overrides),
        "vary": list(varies),
        "replications": replications,
        "seed": loaded.seed if seed is None else seed,
        "weeks": weeks,
    }
    _check_out(out)
    _check_plot(plot)
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


@main.command()
@click.argument("scenario", required=False)
@ensemble_options
@click.option("--top", type=click.IntRange(min=1), help="Show only the N values that matter most.")
@format_option("table", "json")
@click.option("--plot", type=click.Path(path_type=Path), help=PLOT_HELP + " (a tornado chart)")
def sensitivity(scenario, replications, seed, weeks, overrides, workers, scheduler, top, fmt, plot):
    """Which uncertain values matter: each held low and high in turn, ranked by effect.

    Every value the scenario gives as a distribution is held at its 10th and then its
    90th percentile while everything else is sampled; the swing in the probability
    of an agreement (and in the median agreed territory) ranks them.
    """
    from simulator.ensemble import Runs
    from simulator.outputs.files import to_json
    from simulator.outputs.plots import tornado_plot
    from simulator.outputs.text import sensitivity_summary
    from simulator.studies import sensitivity as run_sensitivity

    _check_plot(plot)
    loaded = _load(scenario, overrides, weeks)
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
