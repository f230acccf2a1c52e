"""The one error type a user can fix: bad scenario input.

The command line turns a :class:`ScenarioError` into a one-line message and exit
status 2; the library raises it and never prints.
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


class ScenarioError(Exception):
    """A scenario cannot be read, parsed or validated.

    ``problems`` lists every problem found, each of which formats as
    ``file:line:column: field.path: what is wrong``.
    """

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(str(self.problems[0]) if self.problems else "invalid scenario")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
