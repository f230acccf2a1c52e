"""Mesa, imported without the parts a simulation never uses.

``import mesa`` (3.3) also imports pandas (for the data frames of ``DataCollector``),
networkx (for network spaces), ``mesa.experimental`` (whose continuous space imports
scipy.spatial) and asyncio (through tqdm): about 0.5 s of a command's start-up, more
than the rest of Python, numpy, Mesa and this package together, for nothing a
simulation of ours calls. So the model and the agents import Mesa from here::

    from .mesa_import import mesa

While Mesa's own modules run, those four are stand-ins that import the real module the
first time one of their names is read: ``model.datacollector.get_model_vars_dataframe()``,
a network grid, ``mesa.experimental`` or ``mesa.batch_run``'s progress bars still work,
only their import comes when they are first used. The stand-ins live only in Mesa's
namespaces (``mesa.datacollection.pd``, ``mesa.space.nx``, ``mesa.experimental``,
``tqdm.asyncio.asyncio``): once Mesa is imported they leave ``sys.modules``, so anything
imported afterwards, ``import pandas`` in a notebook included, gets the real module the
ordinary way. If Mesa was imported before this package, it is used as it is.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager

DEFERRED = ("pandas", "networkx", "mesa.experimental", "asyncio")
"""What ``import mesa`` would import, though a simulation never reads a name of it
(asyncio comes with the progress bars of ``mesa.batch_run``, for their async loops)."""


class DeferredModule(types.ModuleType):
    """A module that is imported the first time one of its names is read.

    Its names are then copied in, so later reads are ordinary attribute look-ups. Before
    that it has no ``__file__``: tools that scan ``sys.modules`` for files (Mesa's logger
    calls ``inspect.stack()`` while it is imported) look past it instead of importing it.
    """

    def __getattr__(self, name: str) -> object:
        if name in ("__file__", "__cached__"):
            raise AttributeError(name)
        return getattr(self._load(), name)

    def __dir__(self) -> list[str]:  # what a notebook offers to complete
        return dir(self._load())

    def _load(self) -> types.ModuleType:
        """Import the real module and copy its names in."""
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        module = importlib.import_module(self.__name__)
        self.__dict__.update(module.__dict__)
        return module


@contextmanager
def deferred(names: tuple[str, ...]) -> Iterator[None]:
    """Stand-ins for ``names`` (those not yet imported) while the block imports."""
    placed = {name: DeferredModule(name) for name in names if name not in sys.modules}
    sys.modules.update(placed)
    try:
        yield
    finally:
        for name, stand_in in placed.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


with deferred(DEFERRED):
    import mesa

__all__ = ["mesa"]
