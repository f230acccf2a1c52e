"""What the ensemble commands share: their options, progress, run folders and charts.

A run folder (``--out``) holds one run: a lock names the process that holds it,
``manifest.json`` its settings and state, so an interrupted run can be resumed.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import click

from simulator.cli.base import (
    check_out,
    fail,
    seed_option,
    set_option,
    user_message,
    weeks_option,
    write_outputs,
)
from simulator.errors import CeasefireError, InputError, ServiceLost


def within_memory(ctx, param, value: int | None) -> int | None:
    """Refuse at once a replication count this machine cannot hold, with the limit."""
    if value is None:
        return None
    from simulator.ensemble import check_replications

    try:
        check_replications(value)
    except InputError as exc:
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
            callback=within_memory,
            help="Replications, each sampling the scenario's distributions [default: 1000]; "
            "at most what this machine's memory holds (about 6 KB each).",
        ),
        seed_option,
        weeks_option,
        set_option,
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            help="Local processes to run chunks of replications in [default: the CPUs this "
            "process may use; no more than there are chunks]; 1 runs in this process. The "
            "numbers are the same for any count.",
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


class ProgressBar:
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


def run_study(label: str, work, interrupted=None):
    """Run ``work(progress)`` with a progress bar; Ctrl-C exits 130, bad input 2.

    Bad input is a :class:`CeasefireError`, or an OSError writing the run's files;
    anything else is a bug, and goes on to the group, which reports it as one.
    ``interrupted()``, if given, records the interruption and returns the line to print.
    """
    bar = ProgressBar(label)
    try:
        with finishing(interrupted):
            try:
                return work(bar)
            finally:
                bar.close()  # end the progress line before any message
    except ServiceLost as exc:  # a scheduler gone: the run can be finished later
        fail(f"{exc}; {interrupted()}" if interrupted else str(exc))
    except CeasefireError as exc:
        fail(user_message(exc))
    except OSError as exc:
        fail(f"cannot write the run's files: {exc}")


@contextlib.contextmanager
def finishing(interrupted: Callable[[], str] | None = None) -> Iterator[None]:
    """Ctrl-C in the block exits 130 with ``interrupted()``'s line (how to finish the
    run), or "interrupted": around a run, and around the writing of a finished run's
    files, which appear whole or not at all, so that ``--resume`` writes what is missing."""
    try:
        yield
    except KeyboardInterrupt:
        click.echo(interrupted() if interrupted else "interrupted", err=True)
        exit_at_once(130)


def exit_at_once(status: int) -> NoReturn:
    """Exit after Ctrl-C without waiting on anything: release this command's folder,
    flush the output, and leave. Python's own exit would wait for the threads of a
    process pool stopped mid-chunk, which can wait for good; with no such thread left,
    the exit is the ordinary one."""
    import os
    import threading

    waiting = [t for t in threading.enumerate() if not t.daemon and t.is_alive()]
    if waiting == [threading.main_thread()]:
        sys.exit(status)
    context = click.get_current_context(silent=True)
    if context is not None:
        context.close()  # the folder's lock, and anything else the command holds
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def manifest_text(command: str, settings: dict[str, Any], scenario, seconds, status: str) -> str:
    from simulator.outputs import manifest
    from simulator.outputs.files import to_json

    return to_json(
        manifest.build(command, ["ceasefire", *sys.argv[1:]], settings, scenario, seconds, status)
    )


DEFAULT_REPLICATIONS = 1000


def alone_with_resume(*given) -> None:
    """--resume reads every setting from the manifest: refuse others rather than ignore them."""
    if any(value not in (None, (), "") for value in given):
        fail(
            "--resume takes its settings from DIR/manifest.json; give no scenario or run "
            "options with it (--workers and --scheduler are fine)"
        )


def unchanged(manifest: dict[str, Any], scenario) -> None:
    """Stop a resume whose scenario has changed since the run started."""
    from simulator.outputs.manifest import check_unchanged

    try:
        check_unchanged(manifest, scenario)
    except InputError as exc:
        fail(str(exc))


def resume_settings(resume: Path, command: str) -> dict[str, Any]:
    """The settings of an interrupted run, from its manifest."""
    from simulator.outputs import manifest

    try:
        return manifest.read(resume, command)
    except InputError as exc:
        fail(str(exc))


force_option = click.option(
    "--force",
    is_flag=True,
    help="Start over in an --out folder that holds an earlier ceasefire run (the files "
    "that run wrote are removed; nothing else is; a folder of other files is refused).",
)


def claim_out(
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

    check_out(out)
    if resume and not (out / FILE_NAME).is_file():
        fail(f"{out / FILE_NAME}: no manifest here to resume from")
    try:
        held = rundir.lock(out, shlex.join(["ceasefire", *sys.argv[1:]]))
    except rundir.FolderInUse as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{out}: cannot use this folder: {exc.strerror or exc}")
    click.get_current_context().call_on_close(held.release)
    if held.previous:
        gone = rundir.describe(held.previous)
        click.echo(f"note: {out}: the run that held this folder ({gone}) is gone", err=True)
    if resume:
        rundir.clean_temporaries(out)
        return
    held_files = rundir.contents(out)
    earlier = refuse_held(out, held_files, command_name(), force, resumable) if held_files else None
    if force:
        try:
            rundir.clear(out, earlier)
        except OSError as exc:
            fail(f"{out}: cannot clear the earlier run: {exc.strerror or exc}")


def command_name() -> str:
    """The running command's name (``mc``, ``run``), to compare with a manifest's."""
    return click.get_current_context().info_name or ""


def refuse_held(out: Path, held: list[str], command: str, force: bool, resumable: bool) -> str:
    """Stop unless ``out``, which holds ``held``, may be used: --force starts over only
    where a ceasefire run's manifest is (and removes only that run's files); a folder of
    anything else is never cleared. The message says what the folder holds. Returns
    the command of the run the folder holds."""
    from simulator.outputs import manifest

    def shown(names: list[str]) -> str:
        return ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")

    found = manifest.identify(out)
    if found is None:
        fail(
            f"{out}: holds files that are not a ceasefire run's ({shown(held)}); choose an "
            "empty or new folder"
        )
    if force:
        return str(found["command"])
    other, status = found["command"], found["status"]
    if other != command:
        fail(f"{out}: holds a '{other}' run; give --force to start over here, or another --out")
    if status == "complete":
        fail(
            f"{out}: holds a complete '{command}' run; give --force to start over here, or "
            "another --out"
        )
    finish = f"give --resume {out} to finish it, " if resumable else "give "
    fail(
        f"{out}: holds an unfinished '{command}' run ({status}); {finish}--force to start "
        "over here, or another --out"
    )


def check_resume(manifest: dict[str, Any], scenario, out: Path, force: bool) -> None:
    """Stop a resume whose stored run is not the run its manifest describes."""
    from simulator.outputs.manifest import check_key

    if force:
        fail("--resume finishes a run and --force starts one over: give one of them")
    unchanged(manifest, scenario)
    try:
        check_key(manifest, scenario)
    except InputError as exc:
        fail(f"{out}: {exc}; start over with --force")


def check_scheduler(scheduler: str | None) -> None:
    """Refuse, before anything is written, a scheduler address where no scheduler answers."""
    if scheduler is None:
        return
    from simulator.ensemble import check_scheduler

    try:
        check_scheduler(scheduler)
    except CeasefireError as exc:
        fail(user_message(exc))


def mark_interrupted(command: str, out, settings, scenario, workers: int | None, scheduler) -> str:
    """Mark the run interrupted in its manifest; the line that says how to finish it."""
    import shlex

    if out is None:
        return "interrupted (with --out DIR, finished chunks are kept and the run can resume)"
    write_outputs(
        out,
        {"manifest.json": manifest_text(command, settings, scenario, None, "interrupted")},
        quiet=True,
    )
    again = ["ceasefire", command, "--resume", str(out)]
    if workers is not None and workers > 1:
        again += ["--workers", str(workers)]
    if scheduler:
        again += ["--scheduler", scheduler]
    again += output_options()
    return f"interrupted; finished chunks are kept in {out}. To finish the run: {shlex.join(again)}"


OUTPUT_OPTIONS = ("fmt", "plot", "wide")
"""Options that shape what a run prints or draws, not its numbers: a resume takes them
from its command line (the manifest keeps only what decides the numbers), so the hint
after Ctrl-C repeats the ones the user gave."""


def output_options() -> list[str]:
    """The output options of the current command that differ from their defaults, as
    they are written on the command line (``--format json``, ``--plot a.png``)."""
    ctx = click.get_current_context()
    given: list[str] = []
    for param in ctx.command.params:
        if param.name not in OUTPUT_OPTIONS or not isinstance(param, click.Option):
            continue
        value = ctx.params.get(param.name)
        if value in (None, False) or value == param.default:
            continue
        flag = max(param.opts, key=len)
        given += [flag] if param.is_flag else [flag, str(value)]
    return given


def resolved(scenario: str | None) -> str:
    from simulator.scenario import resolve_scenario_path

    return str(resolve_scenario_path(scenario).resolve())


def check_plot(path: Path | None) -> None:
    """Refuse a chart file the charts cannot write, before any work is done."""
    if path is None:
        return
    from simulator.outputs.plots import check_path

    try:
        check_path(path)
    except InputError as exc:
        fail(str(exc))


def draw_chart(path: Path | None, draw, data) -> None:
    """Write a chart, or fail with a clear message (an unwritable place)."""
    if path is None:
        return
    try:
        draw(data, path)
    except (InputError, OSError) as exc:
        fail(f"{path}: cannot write the chart: {exc.strerror if isinstance(exc, OSError) else exc}")
    click.echo(f"wrote {path}", err=True)


PLOT_HELP = "Also draw a chart into this file (.png, .svg or .pdf)."


def out_option(files: str):
    """``--out DIR`` for a command that is not resumed: one run per folder, with a manifest."""
    return click.option(
        "--out",
        type=click.Path(path_type=Path),
        help=f"Also write {files} and manifest.json (scenario hash, seed, version, command "
        "line, time taken) into this directory (one run per folder).",
    )


def write_run(
    out: Path | None,
    command: str,
    settings: dict[str, Any],
    scenario,
    seconds: float,
    files: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> None:
    """Write a finished run's files and its manifest (``extra`` adds fields to it)."""
    if out is None:
        return
    from simulator.outputs import manifest
    from simulator.outputs.files import to_json

    document = manifest.build(
        command, ["ceasefire", *sys.argv[1:]], settings, scenario, seconds, "complete"
    )
    write_outputs(out, {**files, "manifest.json": to_json({**document, **(extra or {})})})
