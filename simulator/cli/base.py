"""What every command shares: the group, its options, loading and failing.

The `ceasefire` command parses, validates, calls the library, prints and chooses
the exit code; the library (everything in ``simulator`` outside this package)
never prints or exits. Heavy modules (numpy, pydantic, mesa) are imported inside
the commands, so that `ceasefire --help` answers at once.
"""

from __future__ import annotations

import atexit
import errno
import gc
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from simulator import __version__
from simulator.errors import MAX_SEED, CeasefireError, InputError, ScenarioError

seed_option = click.option(
    "--seed",
    type=click.IntRange(min=0, max=MAX_SEED),
    help="Random seed, 0 to 2**63 - 1 (default: the scenario's).",
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


def fail(message: str) -> NoReturn:
    """A problem the user can fix: one line on stderr, exit status 2.

    Scenario problems read ``file:line:column: field: what is wrong``.
    """
    click.echo(message, err=True)
    sys.exit(2)


FLAGS = {
    "vary": "--vary",
    "scheduler": "--scheduler",
    "samples": "-n",
    "allow_outside": "--allow-outside",
    "seed": "--seed",
}
"""The flag each library parameter comes in by, to name it in a message (the library
names the value that is wrong, never a flag)."""


def user_message(exc: CeasefireError) -> str:
    """One line for an error the user can fix: a scenario's first problem (and how
    many more), or the message, after the flag its value came in by."""
    if isinstance(exc, ScenarioError):
        first, rest = exc.problems[0], len(exc.problems) - 1
        more = f" (and {rest} more; 'ceasefire validate' lists them all)" if rest else ""
        return flagged(f"{first}{more}")
    if isinstance(exc, InputError) and exc.parameter in FLAGS:
        return f"{FLAGS[exc.parameter]} {exc}"
    return str(exc)


def flagged(message: str) -> str:
    """A library parameter named in a message, ``(allow_outside)``, as its flag."""
    for parameter, flag in FLAGS.items():
        message = message.replace(f"({parameter})", f"({flag})")
    return message


def load(scenario: str | None, overrides: tuple[str, ...] = (), weeks: int | None = None):
    from simulator.scenario import load_scenario

    try:
        loaded = load_scenario(scenario, overrides)
        if weeks is not None and weeks > loaded.horizon:
            loaded = load_scenario(scenario, [*overrides, f"horizon={weeks}"])
    except ScenarioError as exc:
        fail(user_message(exc))
    for note in loaded.notes:
        click.echo(f"note: {note}", err=True)
    return loaded


def write_outputs(out: Path, files: dict[str, Any], quiet: bool = False) -> None:
    from simulator.outputs.files import write_atomic

    check_out(out)
    try:
        for name, text in files.items():
            write_atomic(out / name, text)
    except OSError as exc:
        fail(f"{out}: cannot write output: {exc.strerror or exc}")
    if not quiet:
        for name in files:
            click.echo(f"wrote {out / name}", err=True)


def check_out(out: Path | None) -> None:
    if out is not None and out.exists() and not out.is_dir():
        fail(f"{out}: --out must name a directory, and this is a file")


WRITE_ERRORS = frozenset(
    {errno.EPIPE, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS}
)
"""Why writing the output can fail that is no fault of the program (a full disk, a
closed pipe): these end in one line; any other OSError that reaches the group is a bug."""

BUG_EXIT = 70
"""Exit status of a bug (EX_SOFTWARE in sysexits.h): neither success, nor bad input (2)."""


class CeasefireGroup(click.Group):
    """Every error a user can cause ends in one line on stderr, never a traceback;
    a bug ends in a traceback and a request to report it.

    Usage errors (a bad option value) print click's message on one line with exit
    status 2, and so does any :class:`~simulator.errors.CeasefireError` (bad input);
    an output that cannot be written (a full disk) exits 2; a pipe closed by its reader
    (``| head``) ends the command quietly, with click's exit status 1 (or 0 when all
    the output was already in the pipe); Ctrl-C exits 130. Any other exception is a
    bug: its traceback, then one line saying what to report (the version and the
    command line), exit status 70.
    """

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        atexit.unregister(_no_collection_at_exit)  # once, however often main runs
        atexit.register(_no_collection_at_exit)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            where = exc.ctx.command_path if getattr(exc, "ctx", None) else "ceasefire"
            click.echo(f"{where}: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except CeasefireError as exc:
            fail(user_message(exc))
        except OSError as exc:
            if exc.errno not in WRITE_ERRORS:
                report_bug(args)
            _quiet_stdout()
            click.echo(f"cannot write output: {exc.strerror or exc}", err=True)
            sys.exit(2)
        except Exception:
            report_bug(args)
        sys.exit(code if isinstance(code, int) else 0)


def _no_collection_at_exit() -> None:
    """As Python ends the process: leave the objects still alive (the imported modules,
    the results) out of the collections it runs while it finalises. Searching them for
    reference cycles took about 40 ms of every command's exit (measured after
    ``mc -n 100000``); they are still freed as their references go, and memory held in
    a cycle is the system's again when the process ends."""
    gc.freeze()


def report_bug(args) -> NoReturn:
    """The exception being handled is a bug: its traceback on stderr, then one line
    asking for a report with the version and the command line; exit status 70."""
    import shlex
    import traceback

    traceback.print_exc()
    argv = list(args) if args is not None else sys.argv[1:]
    click.echo(
        f"This is a bug in ceasefire {__version__}, not a problem with your input; please "
        f"report it with the traceback above and the command: {shlex.join(['ceasefire', *argv])}",
        err=True,
    )
    sys.exit(BUG_EXIT)


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
      ceasefire mc -n 10000       the chance of an agreement, when, on what terms
      ceasefire analyze           the bargaining range and what would open one
      ceasefire run --pick agreed --narrate   a run that ends in a deal, told
      ceasefire plot -o positions.png         the positions picture
    """
    if ctx.invoked_subcommand is None:  # bare `ceasefire`: the help, and no error
        click.echo(ctx.get_help())


def examples(*lines: str) -> str:
    """A command's help epilog: an "Examples:" block that click prints as written."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def text_width() -> int:
    """The width to fit: the terminal's (COLUMNS, else 80 when unknown), at least 80 and
    at most 100 columns.

    80 is the floor because the tables' essential columns (dates, shares, intervals)
    need it; a narrower terminal gets 80 columns and wraps them itself.
    """
    import shutil

    return min(max(shutil.get_terminal_size((80, 24)).columns, MIN_WIDTH), MAX_WIDTH)


MIN_WIDTH = 80
"""The narrowest output: a terminal narrower than this gets 80 columns."""
MAX_WIDTH = 100
"""The widest output without --wide."""


def terminal_width(wide: bool) -> int | None:
    """:func:`text_width`, or None with --wide (tables show every column)."""
    return None if wide else text_width()


wide_option = click.option(
    "--wide",
    is_flag=True,
    help="Show every column of the tables, however wide (default: fit the terminal, 80 "
    "columns if unknown, at least 80 and at most 100).",
)


def _allow_outside(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        from simulator.scenario.loader import ALLOW_OUTSIDE

        token = ALLOW_OUTSIDE.set(True)
        ctx.call_on_close(lambda: ALLOW_OUTSIDE.reset(token))


def add_allow_outside(group: click.Group) -> None:
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
