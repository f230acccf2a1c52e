"""Commands that run ensembles: mc, sweep, sensitivity, compare."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import click

from simulator.cli.base import (
    check_out,
    examples,
    fail,
    format_option,
    load,
    main,
    terminal_width,
    text_width,
    user_message,
    wide_option,
    write_outputs,
)
from simulator.cli.study import (
    DEFAULT_REPLICATIONS,
    PLOT_HELP,
    alone_with_resume,
    check_plot,
    check_resume,
    check_scheduler,
    claim_out,
    draw_chart,
    ensemble_options,
    finishing,
    force_option,
    manifest_text,
    mark_interrupted,
    out_option,
    resolved,
    resume_settings,
    run_study,
    write_run,
)
from simulator.errors import InputError


@main.command(
    short_help="Many runs: the chance, timing and terms of an agreement.",
    epilog=examples(
        "ceasefire mc -n 10000",
        "ceasefire mc stalemate --plot agreement.png",
        "ceasefire mc -n 100000 --workers 4 --out runs/mc",
        "# if Ctrl-C stopped the run above, finish it:",
        "ceasefire mc --resume runs/mc",
    ),
)
@click.argument("scenario", required=False)
@ensemble_options
@format_option("table", "json")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Write replications.csv and .parquet (one row per replication, sampled inputs "
    "beside outcomes), summary.json and manifest.json here; finished chunks are kept, "
    "so an interrupted run can be resumed.",
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
    help="Also draw the chance of an agreement by date into this file (.png, .svg or .pdf), "
    "the chart `ceasefire plot --kind agreement` draws.",
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

    Reports the probability of an agreement (a settlement or a general cease-fire) by
    the horizon (95% interval) and by each date, when and on what terms agreements
    come, how often they break down, and the costs. The result is the same for any --workers.
    """
    import time

    from simulator.ensemble import ChunkStore, Runs
    from simulator.outputs.files import to_json
    from simulator.outputs.text import mc_summary
    from simulator.summaries import summarize

    if resume is not None:
        alone_with_resume(scenario, overrides, replications, seed, weeks, out)
        claim_out(resume, resume=True)
        manifest = resume_settings(resume, "mc")
        settings = manifest["settings"]
        out = resume
        loaded = load(settings["scenario"], tuple(settings["overrides"]), settings["weeks"])
        check_resume(manifest, loaded, out, force)
        replications, seed, weeks = settings["replications"], settings["seed"], settings["weeks"]
    else:
        loaded = load(scenario, overrides, weeks)
        seed = loaded.seed if seed is None else seed
        replications = replications or DEFAULT_REPLICATIONS
        settings = {
            "scenario": resolved(scenario),
            "overrides": list(overrides),
            "replications": replications,
            "seed": seed,
            "weeks": weeks,
        }
    check_out(out)
    check_plot(plot)
    check_scheduler(scheduler)
    if resume is None:
        claim_out(out, force=force)
    store = ChunkStore(out) if out is not None else None
    if out is not None:
        write_outputs(
            out,
            {"manifest.json": manifest_text("mc", settings, loaded, None, "running")},
            quiet=True,
        )
    started = time.perf_counter()
    stopped = partial(mark_interrupted, "mc", out, settings, loaded, workers, scheduler)
    result = run_study(
        "mc",
        lambda bar: Runs(replications, seed, weeks, workers, scheduler).run(
            loaded, store=store, progress=bar
        ),
        stopped,
    )
    seconds = time.perf_counter() - started
    summary = summarize(result)
    if out is not None:
        from simulator.outputs.tidy import table_files
        from simulator.tables import held_paths, replications_frame

        with finishing(stopped):  # Ctrl-C while writing: the line that says how to finish
            write_outputs(
                out,
                {
                    **table_files(
                        "replications",
                        replications_frame(result, held_paths(settings["overrides"])),
                    ),
                    "summary.json": to_json(summary),
                    "manifest.json": manifest_text("mc", settings, loaded, seconds, "complete"),
                },
            )
    draw_chart(plot, _agreement_chart, result)
    click.echo(
        to_json(summary) if fmt == "json" else mc_summary(summary, width=text_width()),
        nl=fmt != "json",
    )


def _agreement_chart(result, path: Path) -> None:
    """The chart `ceasefire plot --kind agreement` draws, of this ensemble: by date, with
    its 95% band, the seed in the title."""
    from simulator.outputs.charts import save
    from simulator.outputs.ensemble_charts import agreement_figure

    save(agreement_figure(result), path)


@main.command(
    short_help="Headline outcomes over a grid of one or two values.",
    epilog=examples(
        "ceasefire sweep --vary actors.ukraine.resolve=0.5:0.9:5",
        "ceasefire sweep --vary actors.ukraine.resolve=0.5:0.9:5 \\",
        "    --vary actors.russia.resolve=0.5:0.9:5 --plot grid.png",
    ),
)
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
    help="Write sweep.csv and .parquet (one row per cell, with counts and intervals), "
    "sweep.json and manifest.json here, keeping finished chunks so an interrupted sweep "
    "can be resumed.",
)
@click.option(
    "--resume",
    type=click.Path(path_type=Path, file_okay=False),
    help="Finish an interrupted sweep kept in this directory.",
)
@force_option
@wide_option
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
    wide=False,
):
    """A grid over one or two values: the headline outcomes at every point.

    Every point uses the same seed, so differences between points come from the
    swept values, not from chance.
    """
    import time

    from simulator.ensemble import Runs
    from simulator.outputs.files import to_json
    from simulator.outputs.plots import sweep_plot
    from simulator.outputs.text import sweep_summary
    from simulator.outputs.tidy import csv_text, table_files
    from simulator.studies import Vary, grid_corners
    from simulator.studies import sweep as run_sweep
    from simulator.tables import sweep_frame

    if resume is not None:
        alone_with_resume(scenario, overrides, replications, seed, weeks, out, *varies)
        claim_out(resume, resume=True)
        manifest = resume_settings(resume, "sweep")
        settings = manifest["settings"]
        out = resume
        scenario, overrides, varies = settings["scenario"], settings["overrides"], settings["vary"]
        replications, seed, weeks = settings["replications"], settings["seed"], settings["weeks"]
    if not varies:
        fail("--vary PATH=LOW:HIGH:STEPS is needed (once or twice)")
    replications = replications or DEFAULT_REPLICATIONS
    try:
        parsed = [Vary.parse(text) for text in varies]
    except InputError as exc:
        fail(user_message(exc))
    if len(parsed) > 2:
        fail("--vary: a sweep varies one or two values")
    loaded = load(scenario, tuple(overrides), weeks)
    settings = {
        "scenario": resolved(scenario),
        "overrides": list(overrides),
        "vary": list(varies),
        "replications": replications,
        "seed": loaded.seed if seed is None else seed,
        "weeks": weeks,
    }
    if resume is not None:
        check_resume(manifest, loaded, out, force)
    check_out(out)
    check_plot(plot)
    check_scheduler(scheduler)
    run_study("sweep", lambda bar: grid_corners(settings["scenario"], overrides, parsed))
    if resume is None:
        claim_out(out, force=force)
    if out is not None:
        write_outputs(
            out,
            {"manifest.json": manifest_text("sweep", settings, loaded, None, "running")},
            quiet=True,
        )
    started = time.perf_counter()
    stopped = partial(mark_interrupted, "sweep", out, settings, loaded, workers, scheduler)
    result = run_study(
        "sweep",
        lambda bar: run_sweep(
            settings["scenario"],
            overrides,
            parsed,
            Runs(replications, settings["seed"], weeks, workers, scheduler),
            store_dir=out,
            progress=bar,
        ),
        stopped,
    )
    table = sweep_frame(result, loaded) if out is not None or fmt == "csv" else None
    if out is not None:
        with finishing(stopped):  # Ctrl-C while writing: the line that says how to finish
            write_outputs(
                out,
                {
                    **table_files("sweep", table),
                    "sweep.json": to_json(result),
                    "manifest.json": manifest_text(
                        "sweep", settings, loaded, time.perf_counter() - started, "complete"
                    ),
                },
            )
    draw_chart(plot, sweep_plot, result)
    if fmt == "json":
        click.echo(to_json(result), nl=False)
    elif fmt == "csv":
        click.echo(csv_text(table), nl=False)
    else:
        click.echo(sweep_summary(result, terminal_width(wide)))


SENSITIVITY_N = click.option(
    "-n",
    "--replications",
    "--samples",
    "replications",
    type=click.IntRange(min=1),
    help="oat: replications per run [default: 1000]; sobol: the base sample size N, "
    "a power of 2 [default: 4096].",
)


@main.command(
    short_help="Which uncertain values matter most, ranked.",
    epilog=examples(
        "ceasefire sensitivity --top 10",
        "ceasefire sensitivity --top 10 --plot tornado.png",
        "ceasefire sensitivity --method sobol -n 1024 --top 5",
    ),
)
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
@out_option("sensitivity.csv and .parquet (oat; sobol: sobol.csv and .parquet), the report as JSON")
@force_option
@wide_option
def sensitivity(
    scenario,
    replications,
    seed,
    weeks,
    overrides,
    workers,
    scheduler,
    method,
    top,
    fmt,
    plot,
    out=None,
    force=False,
    wide=False,
):
    """Which uncertain values matter: each held low and high in turn, ranked by effect.

    Every value the scenario gives as a distribution is held at its 10th and then its
    90th percentile while everything else is sampled; the swing in the probability
    of an agreement (and in the median agreed territory) ranks them.

    With --method sobol, a quasi-random (Saltelli) design varies all of them at once,
    and SALib estimates each value's first-order (alone) and total-order (with every
    interaction) Sobol' index for P(agreement), P(a settlement in force at the end)
    and the holder's share of territory at the end, with the two red lines'
    second-order index. The model runs N x (values + 5) times; the same seed gives the
    same indices for any --workers.
    """
    import time

    from simulator.ensemble import Runs
    from simulator.outputs.files import to_json
    from simulator.outputs.tidy import table_files
    from simulator.tables import sensitivity_frame, sobol_frame

    check_plot(plot)
    loaded = load(scenario, overrides, weeks)
    if method == "sobol" and replications is not None:
        from simulator.sobol import check_samples

        try:
            check_samples(replications)  # before --out is claimed: a bad -n writes nothing
        except ValueError as exc:
            fail(str(exc))
    claim_out(out, force=force, resumable=False)
    settings = {
        "scenario": resolved(scenario),
        "overrides": list(overrides),
        "method": method,
        "replications": replications,
        "seed": loaded.seed if seed is None else seed,
        "weeks": weeks,
    }
    started = time.perf_counter()
    if method == "sobol":
        from simulator.outputs.sobol import sobol_plot, sobol_summary
        from simulator.sobol import DEFAULT_SAMPLES, sobol_sensitivity

        report = run_study(
            "sensitivity",
            lambda bar: sobol_sensitivity(
                loaded,
                Runs(1, seed, weeks, workers, scheduler),
                replications or DEFAULT_SAMPLES,
                progress=bar,
            ),
        )
        write_run(
            out,
            "sensitivity",
            settings,
            loaded,
            time.perf_counter() - started,
            {**table_files("sobol", sobol_frame(report)), "sensitivity.json": to_json(report)},
        )
        draw_chart(plot, partial(sobol_plot, top=top), report)
        click.echo(
            to_json(report) if fmt == "json" else sobol_summary(report, top, terminal_width(wide)),
            nl=fmt != "json",
        )
        return
    from simulator.outputs.plots import tornado_plot
    from simulator.outputs.text import sensitivity_summary
    from simulator.studies import sensitivity as run_sensitivity

    report = run_study(
        "sensitivity",
        lambda bar: run_sensitivity(
            loaded,
            Runs(replications or DEFAULT_REPLICATIONS, seed, weeks, workers, scheduler),
            progress=bar,
        ),
    )
    write_run(
        out,
        "sensitivity",
        settings,
        loaded,
        time.perf_counter() - started,
        {
            **table_files("sensitivity", sensitivity_frame(report, loaded)),
            "sensitivity.json": to_json(report),
        },
    )
    draw_chart(plot, partial(tornado_plot, top=top), report)
    click.echo(
        to_json(report)
        if fmt == "json"
        else sensitivity_summary(report, top, terminal_width(wide)),
        nl=fmt != "json",
    )


@main.command(
    short_help="Two scenarios side by side, with paired differences.",
    epilog=examples(
        "ceasefire compare baseline stalemate",
        "ceasefire compare baseline us-presses-moscow -n 5000 --format json",
    ),
)
@click.argument("first")
@click.argument("second")
@ensemble_options
@format_option("table", "json")
@out_option("compare.csv and .parquet (one row per figure), compare.json")
@force_option
def compare(
    first,
    second,
    replications,
    seed,
    weeks,
    overrides,
    workers,
    scheduler,
    fmt,
    out=None,
    force=False,
):
    """Two scenarios side by side: each headline figure and the difference, with intervals.

    Both run with the same seed, replication by replication, so the difference
    reflects the scenarios rather than chance. --set applies to both.
    """
    import time

    from simulator.ensemble import Runs
    from simulator.outputs.files import to_json
    from simulator.outputs.text import compare_summary
    from simulator.outputs.tidy import table_files
    from simulator.studies import compare as run_compare
    from simulator.tables import compare_frame

    a, b = load(first, overrides, weeks), load(second, overrides, weeks)
    claim_out(out, force=force, resumable=False)
    started = time.perf_counter()
    report = run_study(
        "compare",
        lambda bar: run_compare(
            a,
            b,
            Runs(replications or DEFAULT_REPLICATIONS, seed, weeks, workers, scheduler),
            progress=bar,
        ),
    )
    if out is not None:
        from simulator.ensemble import scenario_digest

        settings = {
            "scenario": resolved(first),
            "second": resolved(second),
            "overrides": list(overrides),
            "replications": report["replications"],
            "seed": report["seed"],
            "weeks": weeks,
        }
        write_run(
            out,
            "compare",
            settings,
            a,
            time.perf_counter() - started,
            {**table_files("compare", compare_frame(report)), "compare.json": to_json(report)},
            {"second_scenario_name": b.name, "second_scenario_sha256": scenario_digest(b)},
        )
    click.echo(
        to_json(report) if fmt == "json" else compare_summary(report, text_width()),
        nl=fmt != "json",
    )
