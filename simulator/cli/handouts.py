"""Commands that make things to hand out or show: plot, report, app."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from simulator.cli.base import examples, fail, load, main, seed_option, set_option, weeks_option
from simulator.cli.study import draw_chart, within_memory
from simulator.errors import InputError

PLOT_KINDS = ("positions", "front", "agreement", "terms", "acceptance")
PLOT_REPLICATIONS = 3000


def _check_chart(path: Path) -> None:
    """Refuse a chart or report file that cannot be written, before any work is done."""
    from simulator.outputs.charts import check_chart_path

    try:
        check_chart_path(path)
    except InputError as exc:
        fail(str(exc))


@main.command(
    short_help="Draw a chart for a class or a briefing.",
    epilog=examples(
        "ceasefire plot -o positions.png",
        "ceasefire plot --kind front -o front.svg",
        "ceasefire plot stalemate --kind agreement -n 5000 -o agreement.pdf",
    ),
)
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
    callback=within_memory,
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
    _check_chart(output)
    loaded = load(scenario, overrides, weeks)  # before the charts' imports: bad input fails fast
    from simulator.outputs.charts import save

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
    draw_chart(output, save, figure)


REPORT_REPLICATIONS = 2000


@main.command(
    short_help="Write one HTML page to hand out.",
    epilog=examples(
        "ceasefire report -o baseline.html",
        "ceasefire report baseline stalemate us-presses-moscow -o comparison.html",
    ),
)
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
    callback=within_memory,
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

    if output.suffix.lower() not in (".html", ".htm"):
        fail(f"{output}: a report file must end in .html")
    if output.is_dir():
        fail(f"{output}: is a directory")
    if not (output.parent if str(output.parent) else Path(".")).is_dir():
        fail(f"{output}: the folder {output.parent} does not exist")
    loaded = [load(name, overrides, weeks) for name in (scenarios or (None,))]
    # imported once the input is known good, so bad input fails fast
    from simulator.outputs.files import write_atomic
    from simulator.outputs.report import report as render

    stamp = f"ceasefire {version()}, {dt.date.today().isoformat()}"
    page = render(loaded, replications, seed, weeks, generated=stamp)
    try:
        write_atomic(output, page)
    except OSError as exc:
        fail(f"{output}: cannot write the report: {exc.strerror or exc}")
    click.echo(f"wrote {output}", err=True)


def version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ceasefire")
    except PackageNotFoundError:
        return "(unknown version)"


@main.command(
    short_help="Serve the browser app on 127.0.0.1.",
    epilog=examples(
        "ceasefire app",
        "ceasefire app --port 9000",
    ),
)
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
        fail(f"the app needs {', '.join(missing)}: pip install 'ceasefire[app]'")
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            fail(f"--port {port}: the port is in use on 127.0.0.1; choose another")
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
