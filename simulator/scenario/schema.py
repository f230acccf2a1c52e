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
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, PrivateAttr, model_validator

from ..errors import MAX_SEED
from .quantities import (
    IsoDate,
    IssuePosition,
    NonNegative,
    Number,
    Provenance,
    Quantity,
    Share,
    SourcedText,
    StrictModel,
    WeeklyCount,
)

FORMAT_VERSION = 1
MAX_HORIZON_WEEKS = 1040

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]


class Source(StrictModel):
    """A document that values quote: a bibliographic record, not the document itself.

    The quotes taken from a source live on the values that cite it (`source` + `quote`).
    The repository does not carry the documents' text; `ceasefire validate --sources DIR`
    checks the quotes against texts a user holds (`DIR/<source id>.txt`).
    """

    title: str = Field(description="Its title.")
    publisher: str = Field(description="Who published it.")
    date: IsoDate | None = Field(None, description="When it was published.")
    author: str | None = Field(None, description="Who wrote it, when named.")
    address: str | None = Field(
        None, description="Where the document can be found: a URL or an archive reference."
    )


class Issue(StrictModel):
    """One dimension of a deal, on a declared scale."""

    description: str = Field(description="What a value on the scale means.")
    scale: tuple[Number, Number] = Field((0.0, 1.0), description="[low, high] of the scale.")
    unit: str | None = Field(None, description="Unit, for readers.")
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


class RedLine(IssuePosition):
    """The furthest from its ideal an actor accepts, and what crossing it would cost.

    A ``line`` at a fixed place on the scale (no ``relative_to``), or an offset from the
    front (``relative_to: front``). Without a ``cost`` the line is hard: never crossed.
    With one, terms beyond it are worth that much less to the actor (audience and
    domestic costs of backing down: Fearon 1994; Putnam 1988), so it crosses only when
    fighting on has become worse than the terms by more than the cost.
    """

    cost: NonNegative | None = Field(
        None,
        description=(
            "Utility the actor loses by accepting terms beyond the line (none: a hard limit)."
        ),
    )
    casualty_erosion: NonNegative | None = Field(
        None,
        description=(
            "How fast the cost wears down with the actor's losses: the cost is multiplied by "
            "exp(-erosion x losses / starting forces)."
        ),
    )


class Stance(StrictModel):
    """An actor's position on one issue."""

    ideal: IssuePosition = Field(description="The outcome the actor demands or prefers.")
    salience: NonNegative = Field(description="How much the issue weighs (relative weights).")
    red_line: RedLine | None = Field(
        None, description="The furthest from its ideal the actor accepts, and the cost of crossing."
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
    intelligence_dependence: Share | None = Field(
        None,
        description=(
            "Share of its combat power in engagements that rests on the mediator's "
            "intelligence sharing."
        ),
    )


class Pauses(StrictModel):
    """How a belligerent weighs a general cease-fire or a partial truce (pauses in the war)."""

    ceasefire_cost: NonNegative = Field(
        description=(
            "Utility it loses by accepting a general cease-fire before a settlement (mistrust, "
            "the other side regrouping, politics), lowered by a mediator's guarantee."
        )
    )
    strikes_share: Share = Field(
        description="Share of its weekly cost of war caused by the other side's long-range strikes."
    )
    strike_value: Share = Field(
        description=(
            "How much it values the pressure its own strikes put on the other side, against the "
            "relief a truce on strikes brings it (0: none, 1: as much)."
        )
    )


class Belief(StrictModel):
    """A prior Beta belief about P(the front's holder wins an engagement)."""

    mean: Share = Field(description="Prior mean of the holder's odds in an engagement.")
    strength: NonNegative = Field(description="Weight of the prior in pseudo-engagements.")
    learning_rate: NonNegative | None = Field(
        None, description="Weight given to each observed engagement (1 = Bayesian)."
    )


class Strategy(StrictModel):
    """A talks strategy picked by name from the registry, with its parameters."""

    name: str = Field(description="A name from `ceasefire protocols`.")
    params: dict[str, Quantity] = Field(
        default_factory=dict, description="Its parameters by name (defaults otherwise)."
    )


class Belligerent(StrictModel):
    """A side that fights and negotiates."""

    role: Literal["belligerent"] = Field(description="`belligerent`.")
    name: str = Field(description="Display name.")
    positions: dict[str, Stance] = Field(description="Its stance on every issue.")
    resources: Resources = Field(description="What it can bring to bear.")
    resolve: Share = Field(
        description="Tolerance of cost: 1 ignores the cost of war, 0 feels it all."
    )
    foresight: NonNegative = Field(description="Weeks ahead the actor weighs when it values war.")
    patience: Share | None = Field(
        None, description="Weekly discount factor on delay (1 = none); used by subgame_perfect."
    )
    belief: Belief = Field(description="Its prior about the war's odds.")
    strategy: Strategy = Field(description="Its negotiator strategy.")
    pauses: Pauses | None = Field(
        None, description="How it weighs a general cease-fire or a partial truce, if offered."
    )
    statements: list[SourcedText] = Field(
        default_factory=list, description="Stated demands and claims, shown by 'explain'."
    )


class Leverage(StrictModel):
    """The mediator's instruments, as levels relative to the start (1 = as at the start)."""

    aid: NonNegative = Field(description="Aid to the belligerent that depends on it (1 = start).")
    sanctions: NonNegative = Field(description="Sanctions on the exposed belligerent (1 = start).")
    guarantee: Share = Field(description="Strength of its guarantee of a cease-fire (0..1).")
    intelligence: NonNegative | None = Field(
        None, description="Intelligence shared with the side that depends on it (1 = start)."
    )


class Policy(Provenance):
    """A mediator policy from the registry, evaluated each week on the state of the talks."""

    name: str = Field(description="A mediator policy from `ceasefire protocols`.")
    target: str = Field(description="The belligerent it acts on.")
    start: IsoDate | None = Field(None, description="First date it acts (default: the start).")
    description: str | None = Field(None, description="What it stands for, for readers.")
    params: dict[str, Quantity] = Field(
        default_factory=dict, description="Its parameters by name (defaults otherwise)."
    )


class ActiveFrom(Provenance):
    """A date with provenance."""

    value: IsoDate


class Mediator(StrictModel):
    """A third party that drafts texts and holds leverage."""

    role: Literal["mediator"] = Field(description="`mediator`.")
    name: str = Field(description="Display name.")
    active_from: ActiveFrom = Field(description="When it starts to mediate.")
    positions: dict[str, Stance] = Field(description="Its preferred terms (issues it cares about).")
    leverage: Leverage = Field(description="Its instruments.")
    strategy: Strategy = Field(description="Its drafting rule.")
    policies: dict[Identifier, Policy] = Field(
        default_factory=dict, description="Conditional uses of its leverage, by id."
    )
    statements: list[SourcedText] = Field(
        default_factory=list, description="Stated intentions, shown by 'explain'."
    )


Actor = Annotated[Belligerent | Mediator, Field(discriminator="role")]


class Axis(StrictModel):
    """A line of advance; places along it fall as the axis moves."""

    share: Share = Field(description="Share of the week's engagements fought on this axis.")


class HeldBy(Provenance):
    """Who holds a place at the start, with provenance."""

    value: Literal["holder", "defender", "contested"]


class Defence(Quantity):
    """A number >= 1: how many times harder a place's ground is to take than open ground."""

    bounds: ClassVar[tuple[float | None, float | None]] = (1.0, None)


class Place(StrictModel):
    """A town or village on the front."""

    name: str = Field(description="Display name.")
    held_by: HeldBy = Field(description="`holder`, `defender` or `contested` at the start.")
    axis: str = Field(description="The axis (in `front.axes`) it lies on.")
    distance_km: Quantity = Field(
        description="How far the holder's line is from taking it (<= 0 once taken)."
    )
    population: Quantity | None = Field(None, description="Prewar population.")
    matters_for: list[SourcedText] = Field(
        default_factory=list, description="What it matters for, with sources."
    )
    logistics_value: Share | None = Field(
        None, description="Share of the defender's materiel lost while the holder holds it."
    )
    defence: Defence | None = Field(
        None,
        description=(
            "How many times harder the built-up area is to take than open ground (1 = open "
            "ground): while the line is inside it, net wins on its axis move the line, and "
            "the front's area, 1/defence as far. Needs `depth_km`."
        ),
    )
    depth_km: NonNegative | None = Field(
        None,
        description=(
            "Depth of the built-up area and its defences along the axis, km, ending where "
            "the place is taken (at `distance_km`); `defence` applies over it."
        ),
    )
    claims: list[SourcedText] = Field(
        default_factory=list, description="Claims about it, shown by 'explain'."
    )

    @model_validator(mode="after")
    def _defence_has_depth(self) -> Place:
        if (self.defence is None) != (self.depth_km is None):
            raise ValueError("give both `defence` and `depth_km`, or neither")
        return self


class Front(StrictModel):
    """The battlefield: control of the disputed territory, tempo and places."""

    holder: str = Field(description="The belligerent whose share of territory the issue measures.")
    area_km2: NonNegative = Field(description="Area of the disputed territory, km2.")
    control: Share = Field(description="Share of the disputed area the holder controls at start.")
    engagements_per_week: WeeklyCount = Field(description="Decisive engagements a week.")
    km2_per_net_win: NonNegative = Field(description="Area that one net engagement won moves.")
    km_per_net_win: NonNegative = Field(description="Advance along an axis per net win there.")
    contest_exponent: NonNegative = Field(description="Tullock exponent m of the odds.")
    axes: dict[str, Axis] = Field(default_factory=dict, description="Lines of advance.")
    places: dict[str, Place] = Field(default_factory=dict, description="Towns and villages.")


class EventBase(Provenance):
    date: IsoDate = Field(description="When it happens (within the horizon).")
    description: str = Field(description="What happens, for readers.")


class AidEvent(EventBase):
    """The mediator's aid changes level."""

    kind: Literal["aid"]
    level: NonNegative = Field(description="New aid level (1 = as at the start).")


class SanctionsEvent(EventBase):
    """The mediator's sanctions change level."""

    kind: Literal["sanctions"]
    level: NonNegative = Field(description="New sanctions level (1 = as at the start).")


class PlaceEvent(EventBase):
    """A place changes hands."""

    kind: Literal["place"]
    place: str = Field(description="A place id in `front.places`.")
    held_by: Literal["holder", "defender"] = Field(description="Who holds it from then on.")


class ResolveEvent(EventBase):
    """A belligerent's resolve changes."""

    kind: Literal["resolve"]
    actor: str = Field(description="A belligerent's id.")
    level: Share = Field(description="Its new resolve.")


class IntelligenceEvent(EventBase):
    """The mediator's intelligence sharing changes level."""

    kind: Literal["intelligence"]
    level: NonNegative = Field(description="New level of intelligence shared (1 = as at start).")


class RedLineCostEvent(EventBase):
    """What crossing a belligerent's red line would cost it changes (an election, say)."""

    kind: Literal["red_line_cost"]
    actor: str = Field(description="A belligerent's id.")
    issue: str = Field(description="The issue whose red line it is.")
    level: NonNegative = Field(description="The new cost of crossing, in utility.")


Event = Annotated[
    AidEvent | SanctionsEvent | IntelligenceEvent | PlaceEvent | ResolveEvent | RedLineCostEvent,
    Field(discriminator="kind"),
]


class Talks(StrictModel):
    """How talks are held."""

    protocol: str = Field(description="A protocol from `ceasefire protocols`.")
    opens: IsoDate | None = Field(
        None, description="First week of talks (default: when the mediator becomes active)."
    )
    first_proposer: str | None = Field(None, description="For alternating offers.")
    params: dict[str, Quantity] = Field(
        default_factory=dict, description="The protocol's parameters by name."
    )
    offers: list[Literal["ceasefire", "partial_truce"]] = Field(
        default_factory=list,
        description=(
            "Pauses the mediator proposes each week beside its settlement text: a general "
            "`ceasefire` (the line freezes) or a `partial_truce` (no strikes on energy)."
        ),
    )
    pause_weeks: WeeklyCount | None = Field(
        None, description="Length of a cease-fire or truce before it is extended or lapses (4)."
    )


class Durability(StrictModel):
    """How a cease-fire, once agreed, can break down."""

    base_hazard: Share = Field(description="Weekly chance of breakdown of a balanced deal.")
    regret_sensitivity: NonNegative = Field(
        description="How fast the hazard rises as a party comes to prefer fighting."
    )


class Scenario(StrictModel):
    """A whole scenario file (format 1)."""

    format: Literal[1] = Field(description="Scenario format version.")
    name: str = Field(description="Short name, shown in outputs.")
    description: str = Field(description="One line: what the scenario asks.")
    extends: str | None = Field(None, description="A scenario file this one overrides.")
    start: IsoDate = Field(description="Date of week 0.")
    horizon: Annotated[int, Field(strict=True, ge=1, le=MAX_HORIZON_WEEKS)] = Field(
        description="Weeks to simulate; one step is one week."
    )
    seed: Annotated[int, Field(strict=True, ge=0, le=MAX_SEED)] = Field(
        description="Default random seed, 0 to 2**63 - 1 (outputs store it in 64 bits)."
    )
    sources: dict[Identifier, Source] = Field(
        default_factory=dict, description="Documents that values quote."
    )
    issues: dict[Identifier, Issue] = Field(description="Issues under negotiation.")
    actors: dict[Identifier, Actor] = Field(description="Two belligerents, at most one mediator.")
    front: Front = Field(description="The battlefield at the start.")
    events: dict[Identifier, Event] = Field(default_factory=dict, description="Dated changes.")
    talks: Talks = Field(description="The talks protocol.")
    durability: Durability = Field(description="How a cease-fire can break down.")
    _notes: list[str] = PrivateAttr(default_factory=list)

    @property
    def notes(self) -> list[str]:
        """Things worth knowing that are not errors (e.g. quotes that could not be checked)."""
        return self._notes

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
    def mediator(self) -> Mediator | None:
        """The mediator's spec, if the scenario has one."""
        return next((a for a in self.actors.values() if isinstance(a, Mediator)), None)

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
