"""The model's state, grouped: what a stage of the week reads and writes.

:class:`~simulator.model.CeasefireModel` keeps its state in a few small records
rather than as dozens of flat attributes, so that a reader can see which part of the
model a stage touches (``model.levers.aid`` is a mediator's lever, not an actor's
resource). Every array has a leading axis of replications.

Some code caches results by the identity of arrays that the model replaces each week
(``levers.aid``, the front's ``control``, ``logistics_lost``): the model always puts a
new array in a field, never changes one in place.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(slots=True)
class Levers:
    """This week's levers ``(R,)``: a mediator's aid, sanctions, intelligence and
    guarantee (1, 1, 1 and 0 without a mediator). Set once a week from the levels dated
    events set times the multipliers of the mediator's policies; a new record each time."""

    aid: np.ndarray
    sanctions: np.ndarray
    intelligence: np.ndarray
    guarantee: np.ndarray
