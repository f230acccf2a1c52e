"""The one error type a user can fix: bad scenario input.

The command line turns a :class:`ScenarioError` into a one-line message and exit
status 2; the library raises it and never prints.
"""

from __future__ import annotations

from dataclasses import dataclass


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
        return f"{where}:{field} {self.message}"


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
