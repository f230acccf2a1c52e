"""The `ceasefire` command from a checkout: ``python cli.py --help``.

The command lives in ``simulator/cli/`` (installed as ``ceasefire``); this file
only starts it, so the repository can be used without installing it.
"""

from simulator.cli import main

if __name__ == "__main__":
    main()
