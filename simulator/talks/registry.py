"""The one place that lists talks protocols, negotiator strategies, drafting rules and
mediator policies.

A new strategy is one class (see :mod:`simulator.talks.strategies`) and one entry
in ``NEGOTIATORS`` below; scenarios then pick it by name.
"""

from __future__ import annotations

from collections.abc import Mapping

from .base import Named
from .policies import (
    GuaranteeIfBothAccept,
    MediatorPolicy,
    PauseAidUntilAccepts,
    SanctionsAfterRefusals,
)
from .protocols import (
    AlternatingOffers,
    Drafter,
    ExpectedUtilityRounds,
    FreezeAtFront,
    NashPoint,
    Protocol,
    SingleNegotiatingText,
    SplitTheDifference,
)
from .strategies import (
    Boulware,
    Conceder,
    Hardliner,
    Linear,
    Mixed,
    Negotiator,
    ReservationValue,
    ResourceDependent,
    SubgamePerfect,
    TimeDependent,
    TitForTat,
)

PROTOCOLS: dict[str, type[Protocol]] = {
    cls.name: cls for cls in (SingleNegotiatingText, AlternatingOffers, ExpectedUtilityRounds)
}
NEGOTIATORS: dict[str, type[Negotiator]] = {
    cls.name: cls
    for cls in (
        Boulware,
        Linear,
        Conceder,
        TimeDependent,
        ReservationValue,
        Hardliner,
        TitForTat,
        SubgamePerfect,
        ResourceDependent,
        Mixed,
    )
}
DRAFTERS: dict[str, type[Drafter]] = {
    cls.name: cls for cls in (SplitTheDifference, NashPoint, FreezeAtFront)
}
POLICIES: dict[str, type[MediatorPolicy]] = {
    cls.name: cls for cls in (PauseAidUntilAccepts, SanctionsAfterRefusals, GuaranteeIfBothAccept)
}


def listing() -> dict[str, Mapping[str, type[Named]]]:
    """Every registry, by kind, for ``ceasefire protocols`` and the docs."""
    return {
        "protocol": PROTOCOLS,
        "negotiator": NEGOTIATORS,
        "mediator drafting": DRAFTERS,
        "mediator policy": POLICIES,
    }
