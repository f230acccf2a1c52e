"""The `ceasefire` command, split by command group.

``base`` holds the group and what every command shares; each other module adds a
group of commands to it. Importing this package registers them all.
"""

from simulator.cli import ensembles, handouts, history, inspect, single  # noqa: F401
from simulator.cli.base import add_allow_outside, main

add_allow_outside(main)

__all__ = ["main"]
