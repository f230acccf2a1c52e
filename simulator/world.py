"""What the agents read from the model, as a protocol of its own.

:class:`~simulator.agents.Belligerent` and :class:`~simulator.agents.Mediator` are
built by :class:`~simulator.model.CeasefireModel` and read some of its state each
week. Naming that state here, rather than importing the model class, keeps the
dependency one way (``model`` imports ``agents``, never the reverse) and lists in
one place everything an agent may look at: a stage that needs more must add it here.
Every attribute is set in the model's ``__init__``; arrays have a leading axis of
replications.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from .scenario.schema import Scenario
from .state import Front, Levers, Talks
from .talks.base import Named


class World(Protocol):
    """The model as its agents see it (a read-only view; agents change only themselves)."""

    scenario: Scenario
    replications: int
    issue_ids: list[str]
    """Issue ids in column order; territory first."""
    scale_low: np.ndarray
    scale_high: np.ndarray
    scale_width: np.ndarray
    front: Front
    """The battlefield: ``control`` (the holder's share of the disputed territory),
    ``engagements``, ``share_per_win``, this week's ``p_holder`` and ``logistics_lost``
    (:class:`~simulator.state.Front`)."""
    levers: Levers
    """This week's aid, sanctions, intelligence and guarantee (:mod:`simulator.state`)."""
    talks: Talks
    """The talks; agents read ``last_asks``, each belligerent's ask in its last round
    ``(R, K)`` by actor id (:class:`~simulator.state.Talks`)."""

    @property
    def truce_active(self) -> np.ndarray: ...

    def draw(self, path: str, default: float | None = None) -> np.ndarray: ...

    def strategy_params(self, path: str, cls: type[Named]) -> dict[str, np.ndarray]: ...

    def no_deal_terms(self, territory: np.ndarray) -> np.ndarray: ...
