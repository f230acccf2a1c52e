"""What happened after a scenario's start: the observed files that hindcasts score against.

An observed file (``scenarios/observed/*.yaml``) lists observations compiled from the
public record, each with its source, its date, who claimed it and whether anyone
independent verified it, and a range where trackers differ. It is read with the same
located YAML loader as scenarios, so a mistake is reported as ``file:line:column:
field: what is wrong``. Nothing in a scenario reads these files: they are for scoring.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Discriminator, Field, ValidationError, model_validator

from .errors import ScenarioError
from .scenario.loader import BUNDLED_DIR, _problem, _problems_from_pydantic, read_mapping
from .scenario.quantities import Flag, IsoDate, Number, StrictModel

OBSERVED_DIR = BUNDLED_DIR / "observed"
"""Where the bundled observed files live."""

Quarter = Annotated[str, Field(pattern=r"^\d{4}q[1-4]$")]
"""A calendar quarter, written ``2025q4``."""


class ObservedSource(StrictModel):
    """A document an observation rests on."""

    publisher: str = Field(description="Who published it.")
    title: str = Field(
        description="Its title, or what it is where the exact title is not recorded."
    )
    date: IsoDate | None = Field(None, description="When it was published, if known.")
    url: str | None = Field(None, description="Where it can be found, if known.")


class ObservationBase(StrictModel):
    """What every observation says about itself."""

    description: str = Field(description="What happened, for readers.")
    source: str = Field(description="Id of an entry in the file's `sources`.")
    claimed_by: str = Field(description="Who made the claim (not the publisher).")
    verified: Flag = Field(description="Whether anyone independent verified it.")
    note: str | None = Field(None, description="Anything a reader should know.")


class Territory(ObservationBase):
    """Territory held by the front's holder at a quarter's end."""

    kind: Literal["territory"]
    holder: str = Field(description="The belligerent whose territory this is.")
    quarter: Quarter = Field(description="The quarter at whose end it was measured.")
    measure: Literal["share", "gain_km2"] = Field(
        description="`share` of the disputed area, or `gain_km2` since the scenario's start."
    )
    low: Number = Field(description="Lowest figure (equal to `high` for a single figure).")
    high: Number = Field(description="Highest figure.")

    @model_validator(mode="after")
    def _ordered(self) -> Territory:
        if self.low > self.high:
            raise ValueError("'low' must not be above 'high'")
        return self


class PlaceFell(ObservationBase):
    """When the front's holder took a place, or that it had not by a date."""

    kind: Literal["place"]
    place: str = Field(description="Id of the place (as in a scenario's `front.places`).")
    fell: IsoDate | None = Field(None, description="When it fell (earliest, with a range).")
    fell_latest: IsoDate | None = Field(None, description="Latest date it fell, for a range.")
    not_by: IsoDate | None = Field(None, description="It had not fallen by this date.")

    @model_validator(mode="after")
    def _one_kind(self) -> PlaceFell:
        if (self.fell is None) == (self.not_by is None):
            raise ValueError("give either 'fell' (a date) or 'not_by' (a date), not both")
        if self.fell_latest is not None and (self.fell is None or self.fell_latest < self.fell):
            raise ValueError("'fell_latest' needs 'fell' and must not be before it")
        return self


Proposal = Literal["settlement", "ceasefire", "partial_truce", "any"]


class Accepted(ObservationBase):
    """Whether a belligerent had accepted a proposal of some kind by a date."""

    kind: Literal["accepted"]
    actor: str = Field(description="The belligerent.")
    proposal: Proposal = Field(description="Kind of text: settlement, ceasefire, partial_truce.")
    by: IsoDate = Field(description="The date by which it had (or had not) accepted.")
    happened: Flag = Field(description="Whether it had accepted by then.")


class Agreement(ObservationBase):
    """Whether the belligerents had agreed on a text of some kind by a date."""

    kind: Literal["agreement"]
    agreement: Literal["settlement", "ceasefire", "partial_truce"] = Field(
        description="Kind of agreement."
    )
    by: IsoDate = Field(description="The date by which it had (or had not) been agreed.")
    happened: Flag = Field(description="Whether it had been agreed by then.")


class Context(ObservationBase):
    """Something that happened which scenarios may take as an input; never scored."""

    kind: Literal["context"]
    date: IsoDate = Field(description="When it happened.")
    until: IsoDate | None = Field(None, description="When it ended, if it did.")


Observation = Annotated[
    Territory | PlaceFell | Accepted | Agreement | Context, Discriminator("kind")
]


class ObservedFile(StrictModel):
    """A file of observations (format 1)."""

    format: Literal[1] = Field(description="Observed-file format version.")
    name: str = Field(description="Short name, shown in outputs.")
    description: str = Field(description="What the file covers.")
    compiled: IsoDate = Field(description="When it was compiled: the record it reflects.")
    belligerents: list[str] = Field(
        description="The belligerents it is about; scenarios with others are not scored."
    )
    sources: dict[str, ObservedSource] = Field(description="Documents the observations rest on.")
    observations: dict[str, Observation] = Field(description="What happened, by id.")

    def observation_date(self, observation_id: str) -> dt.date | None:
        """The date an observation is about (None for a territory quarter)."""
        item = self.observations[observation_id]
        if isinstance(item, PlaceFell):
            return item.fell or item.not_by
        if isinstance(item, Accepted | Agreement):
            return item.by
        if isinstance(item, Context):
            return item.date
        return None


def observed_files(path: str | Path | None = None) -> list[Path]:
    """An observed file as given, every ``*.yaml`` in a folder, or the bundled ones."""
    path = OBSERVED_DIR if path is None else Path(path)
    if path.is_dir():
        return sorted(p for p in path.glob("*.yaml") if p.is_file())
    return [path]


def load_observed(path: str | Path) -> ObservedFile:
    """Read and validate one observed file.

    Raises:
        ScenarioError: with every problem found, each located in the file.
    """
    file = Path(path)
    data, positions = read_mapping(file, "observed")
    try:
        observed = ObservedFile.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_problems_from_pydantic(exc, data, positions, file)) from None
    problems = [
        _problem(
            ("observations", key, "source"),
            f"no source '{item.source}' in 'sources'",
            positions,
            file,
        )
        for key, item in observed.observations.items()
        if item.source not in observed.sources
    ]
    if problems:
        raise ScenarioError(problems)
    return observed
