"""Commands that hold the model against the record: hindcast and calibrate."""

from __future__ import annotations

from pathlib import Path

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
    wide_option,
)
from simulator.cli.study import PLOT_HELP, check_plot, draw_chart, run_study

HINDCAST_REPLICATIONS = 4000


@main.command(
    short_help="Score forecasts against what happened after the start.",
    epilog=examples(
        "ceasefire hindcast",
        "ceasefire hindcast --wide",
        "ceasefire hindcast us-aid-pause-2025 --observed my-observations/",
    ),
)
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
@wide_option
def hindcast(scenario, replications, seed, overrides, observed, fmt, wide=False):
    """Score a scenario's forecasts against what happened after its start.

    Territory at quarters' ends and when places fell are scored with the CRPS;
    whether a side had accepted a proposal, or a cease-fire had been agreed, by a
    date with the Brier and log scores. Each row shows the forecast's 90% interval
    (or probability) and OUT where what happened falls outside it. Nothing in a
    scenario is tuned to the observed files: they are for scoring only.
    """
    loaded = load(scenario, overrides)  # before the model's imports: bad input fails fast

    from simulator.ensemble import Runs
    from simulator.errors import ScenarioError
    from simulator.hindcast import hindcast as score
    from simulator.observed import load_observed, observed_files
    from simulator.outputs.files import to_json
    from simulator.outputs.hindcast import hindcast_table

    try:
        files = [(_shown(path), load_observed(path)) for path in observed_files(observed)]
    except ScenarioError as exc:
        fail(str(exc.problems[0]))
    if not files:
        fail(f"{observed}: no observed files (*.yaml) there")
    result = run_study("hindcast", lambda bar: Runs(replications, seed).run(loaded, progress=bar))
    report = score(result, files)
    click.echo(
        to_json(report) if fmt == "json" else hindcast_table(report, terminal_width(wide)),
        nl=fmt != "json",
    )


def _shown(path: Path) -> str:
    """A bundled file relative to the project (``scenarios/observed/2025.yaml``), else as given."""
    from simulator.scenario.loader import BUNDLED_DIR

    try:
        return path.resolve().relative_to(BUNDLED_DIR.parent).as_posix()
    except (ValueError, OSError, RuntimeError):  # elsewhere, or a link that leads nowhere
        return str(path)


# ---------------------------------------------------------------------- calibration


@main.command(
    short_help="History-match the battlefield to figures of 2024.",
    epilog=examples(
        "ceasefire calibrate",
        "ceasefire calibrate --plot checks.png --wide",
    ),
)
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
@wide_option
def calibrate(targets_file, check_scenario, replications, fmt, plot, wide=False):
    """History-match the battlefield to public figures of 2024 and before.

    Prints the targets with their sources, the waves and the region of parameters
    that is not implausible (prior, kept and calibrated ranges), then predictive
    checks: the scenario's simulated first year (talks switched off) against each
    target's range, and when its places fall. Nothing dated after the targets'
    cutoff may be in the file. See docs/CALIBRATION.md.
    """
    # what the user gave is checked before the model's imports, so bad input fails fast
    check_plot(plot)
    given = load(check_scenario) if check_scenario else None

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

    try:
        targets = load_targets(targets_file)
    except ScenarioError as exc:
        fail(str(exc.problems[0]))
    scenario = load(targets.scenario)
    checked = scenario if given is None else given
    result = run_calibration(targets, scenario, predictive_replications=0)
    if len(result.kept_points) < 2:
        fail(
            f"{targets_file or 'scenarios/calibration/2024.yaml'}: no parameter values fit "
            f"every target after wave {len(result.waves)}; widen the priors or the ranges, "
            "or sample more points"
        )
    seed = targets.method.seed
    runs = predictive_runs(checked, targets, replications, seed)
    checks = predictive_check(checked, targets, runs=runs)
    places = place_fall_weeks(checked, replications, seed)
    summary = result.to_dict() | {"predictive": checks, "places": places}
    from simulator.outputs.calibration import calibration_report, predictive_plot
    from simulator.outputs.files import to_json

    if fmt == "json":
        click.echo(to_json(summary), nl=False)
    else:
        click.echo(calibration_report(summary, checks, places, terminal_width(wide)), nl=False)
    draw_chart(plot, lambda data, path: predictive_plot(data, targets, path), runs)
