"""The errors a user can fix, under one base class, :class:`CeasefireError`.

The library raises them and never prints; the command line turns any
:class:`CeasefireError` into a one-line message and exit status 2. Every other
exception is a bug in the program, and the command line shows it as one (a
traceback and a line asking for a report), not as bad input.

Messages name the value that is wrong and why, never a command-line flag: the
library is also called from Python. :class:`InputError` carries the name of the
parameter the value came in by, so the command line can name its own flag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with control characters shown as escapes (``\\x1b``), safe for a terminal."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, located as precisely as the input allows."""

    message: str
    file: str = "<scenario>"
    line: int | None = None
    column: int | None = None
    field: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        return printable(f"{where}:{field} {self.message}")


class CeasefireError(Exception):
    """Something the user gave cannot be used: a scenario, a value, a folder, a service.

    Catch this (and only this) to tell a user's mistake from a bug.
    """


class InputError(CeasefireError, ValueError):
    """A value given to the library cannot be used (a sweep's range, a scheduler's
    address, a run folder's manifest, a chart's file name).

    ``parameter`` names the library parameter the value came in by (``"vary"``,
    ``"scheduler"``), or is empty; a ValueError too, for callers that catch that.
    """

    def __init__(self, message: str, parameter: str = ""):
        super().__init__(message)
        self.parameter = parameter


class ServiceLost(CeasefireError, RuntimeError):
    """Something a run relies on (a Dask scheduler, a worker process) went away in the
    middle of the run: the machine's or the network's failure, not the program's;
    finished chunks stay kept where the run keeps them, so it can be resumed."""


MAX_SEED = 2**63 - 1
"""The largest seed: every output stores the seed as a 64-bit signed integer (the tables'
``seed`` column, Parquet, the manifest), so a larger one could be run but not written."""


def check_seed(seed: int | None) -> None:
    """Raise InputError unless ``seed`` is None or a whole number from 0 to :data:`MAX_SEED`."""
    if seed is None:
        return
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InputError(
            f"seed {seed!r}: expected a whole number from 0 to {MAX_SEED} (2**63 - 1)", "seed"
        )


class NotInstalled(CeasefireError, RuntimeError):
    """An optional dependency the request needs is not installed (the message says
    which extra to install)."""


class ScenarioError(CeasefireError):
    """A scenario cannot be read, parsed or validated.

    ``problems`` lists every problem found, each of which formats as
    ``file:line:column: field.path: what is wrong``.
    """

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(str(self.problems[0]) if self.problems else "invalid scenario")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
