"""The scenario format, version 1: one set of models for validation and JSON Schema.

Read top-down, this module *is* the format's reference: a scenario names its
sources, the issues under negotiation, the actors (two belligerents and at most one
mediator) with their positions, resources and talks strategy, the front, dated
events, the talks protocol and the durability of a cease-fire once agreed.

Checks that need the whole scenario (a reference to an unknown source, a date
outside the horizon) are in :mod:`simulator.scenario.checks`, so that each can name
the field it is about.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from .quantities import (
    IssuePosition,
    NonNegative,
    Number,
    Provenance,
    Quantity,
    Share,
    SourcedText,
    StrictModel,
)

FORMAT_VERSION = 1
MAX_HORIZON_WEEKS = 1040

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]


class Source(StrictModel):
    """A document that values quote."""

    title: str
    publisher: str | None = None
    date: dt.date | None = None
    file: str | None = Field(
        None, description="Path to the text, relative to the scenario file (quotes are checked)."
    )
    address: str | None = Field(None, description="Where the document can be found.")


class Issue(StrictModel):
    """One dimension of a deal, on a declared scale."""

    description: str
    scale: tuple[Number, Number] = (0.0, 1.0)
    unit: str | None = None
    no_deal: Quantity | None = Field(
        None,
        description=(
            "The value of this issue while the war goes on. Not used for 'territory', "
            "whose no-deal value is the front itself."
        ),
    )

    @model_validator(mode="after")
    def _scale_ordered(self) -> Issue:
        if not self.scale[0] < self.scale[1]:
            raise ValueError("scale must be [low, high] with low < high")
        return self


class Stance(StrictModel):
    """An actor's position on one issue."""

    ideal: IssuePosition = Field(description="The outcome the actor demands or prefers.")
    salience: NonNegative = Field(description="How much the issue weighs (relative weights).")
    red_line: IssuePosition | None = Field(
        None, description="The furthest from its ideal the actor will ever accept (hard limit)."
    )


class Resources(StrictModel):
    """What a belligerent can bring to bear."""

    forces: NonNegative = Field(description="Personnel in the theatre, thousands.")
    replenishment: NonNegative = Field(description="New personnel per week, thousands.")
    materiel: NonNegative = Field(description="Combat multiplier per soldier (equipment, fire).")
    attrition: NonNegative = Field(
        description="Own losses per week per thousand enemy personnel, thousands."
    )
    cost_of_war: NonNegative = Field(
        description="Utility lost per week of fighting (economy, casualties, politics)."
    )
    aid_dependence: Share | None = Field(
        None, description="Share of its materiel and war effort that the mediator's aid carries."
    )
    sanctions_exposure: NonNegative | None = Field(
        None, description="Rise in its weekly cost of war per unit of sanctions above the start."
    )


class Belief(StrictModel):
    """A prior Beta belief about P(the front's holder wins an engagement)."""

    mean: Share
    strength: NonNegative = Field(description="Weight of the prior in pseudo-engagements.")
    learning_rate: NonNegative | None = Field(
        None, description="Weight given to each observed engagement (1 = Bayesian)."
    )


class Strategy(StrictModel):
    """A talks strategy picked by name from the registry, with its parameters."""

    name: str
    params: dict[str, Quantity] = Field(default_factory=dict)


class Belligerent(StrictModel):
    role: Literal["belligerent"]
    name: str
    positions: dict[str, Stance]
    resources: Resources
    resolve: Share = Field(description="Tolerance of cost: 1 ignores the cost of war, 0 feels it all.")
    foresight: NonNegative = Field(description="Weeks ahead the actor weighs when it values war.")
    belief: Belief
    strategy: Strategy
    statements: list[SourcedText] = Field(
        default_factory=list, description="Stated demands and claims, shown by 'explain'."
    )


class Leverage(StrictModel):
    """The mediator's instruments, as levels relative to the start (1 = as at the start)."""

    aid: NonNegative = Field(description="Aid to the belligerent that depends on it (1 = start).")
    sanctions: NonNegative = Field(description="Sanctions on the exposed belligerent (1 = start).")
    guarantee: Share = Field(description="Strength of its guarantee of a cease-fire (0..1).")


class ActiveFrom(Provenance):
    value: dt.date


class Mediator(StrictModel):
    role: Literal["mediator"]
    name: str
    active_from: ActiveFrom
    positions: dict[str, Stance]
    leverage: Leverage
    strategy: Strategy
    statements: list[SourcedText] = Field(default_factory=list)


Actor = Annotated[Belligerent | Mediator, Field(discriminator="role")]


class Axis(StrictModel):
    """A line of advance; places along it fall as the axis moves."""

    share: Share = Field(description="Share of the week's engagements fought on this axis.")


class HeldBy(Provenance):
    value: Literal["holder", "defender", "contested"]


class Place(StrictModel):
    """A town or village on the front."""

    name: str
    held_by: HeldBy
    axis: str
    distance_km: Quantity = Field(
        description="How far the holder's line is from taking it (<= 0 once taken)."
    )
    population: Quantity | None = Field(None, description="Prewar population.")
    matters_for: list[SourcedText] = Field(default_factory=list)
    logistics_value: Share | None = Field(
        None, description="Share of the defender's materiel lost while the holder holds it."
    )
    claims: list[SourcedText] = Field(default_factory=list)


class Front(StrictModel):
    """The battlefield: control of the disputed territory, tempo and places."""

    holder: str = Field(description="The belligerent whose share of territory the issue measures.")
    area_km2: NonNegative
    control: Share = Field(description="Share of the disputed area the holder controls at start.")
    engagements_per_week: NonNegative
    km2_per_net_win: NonNegative
    km_per_net_win: NonNegative
    contest_exponent: NonNegative
    axes: dict[str, Axis] = Field(default_factory=dict)
    places: dict[str, Place] = Field(default_factory=dict)


class EventBase(Provenance):
    date: dt.date
    description: str


class AidEvent(EventBase):
    kind: Literal["aid"]
    level: NonNegative


class SanctionsEvent(EventBase):
    kind: Literal["sanctions"]
    level: NonNegative


class PlaceEvent(EventBase):
    kind: Literal["place"]
    place: str
    held_by: Literal["holder", "defender"]


class ResolveEvent(EventBase):
    kind: Literal["resolve"]
    actor: str
    level: Share


Event = Annotated[
    AidEvent | SanctionsEvent | PlaceEvent | ResolveEvent, Field(discriminator="kind")
]


class Talks(StrictModel):
    protocol: str
    opens: dt.date | None = Field(
        None, description="First week of talks (default: when the mediator becomes active)."
    )
    first_proposer: str | None = Field(None, description="For alternating offers.")
    params: dict[str, Quantity] = Field(default_factory=dict)


class Durability(StrictModel):
    """How a cease-fire, once agreed, can break down."""

    base_hazard: Share = Field(description="Weekly chance of breakdown of a balanced deal.")
    regret_sensitivity: NonNegative = Field(
        description="How fast the hazard rises as a party comes to prefer fighting."
    )


class Scenario(StrictModel):
    """A whole scenario file (format 1)."""

    format: Literal[1] = Field(description="Scenario format version.")
    name: str
    description: str
    extends: str | None = Field(None, description="A scenario file this one overrides.")
    start: dt.date
    horizon: Annotated[int, Field(strict=True, ge=1, le=MAX_HORIZON_WEEKS)] = Field(
        description="Weeks to simulate; one step is one week."
    )
    seed: Annotated[int, Field(strict=True, ge=0)]
    sources: dict[Identifier, Source] = Field(default_factory=dict)
    issues: dict[Identifier, Issue]
    actors: dict[Identifier, Actor]
    front: Front
    events: dict[Identifier, Event] = Field(default_factory=dict)
    talks: Talks
    durability: Durability

    # ------------------------------------------------------------------ conveniences

    @property
    def end(self) -> dt.date:
        return self.date_of_week(self.horizon)

    def date_of_week(self, week: int) -> dt.date:
        """The date at the end of ``week`` (week 0 is the start)."""
        return self.start + dt.timedelta(weeks=week)

    def week_of_date(self, date: dt.date) -> int:
        """The first week whose end is on or after ``date`` (0 for the start)."""
        days = (date - self.start).days
        return max(0, -(-days // 7))

    @property
    def belligerents(self) -> dict[str, Belligerent]:
        return {k: a for k, a in self.actors.items() if isinstance(a, Belligerent)}

    @property
    def mediator_id(self) -> str | None:
        return next((k for k, a in self.actors.items() if isinstance(a, Mediator)), None)

    @property
    def defender(self) -> str:
        """The belligerent that is not the front's holder."""
        return next(k for k in self.belligerents if k != self.front.holder)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the format, for editors."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ceasefire scenario, format 1"
    return schema
