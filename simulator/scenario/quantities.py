"""Values with provenance: numbers, distributions and texts that say where they came from.

Every value in a scenario is either a *claim* (a quote from a listed source, the
party that made it, and whether anyone verified it) or a labelled *assumption*
(why the value was chosen). A number may be a distribution instead of a point, so
that Monte Carlo runs sample the uncertainty the scenario declares.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
"""A YAML number; strict, so that ``true`` or ``"0.5"`` is reported rather than coerced."""

Flag = Annotated[bool, Field(strict=True)]
"""A YAML ``true`` or ``false``; ``'no'`` or ``1`` is reported rather than coerced."""


def _iso_date(value: Any) -> Any:
    if isinstance(value, str | dt.date):
        return value
    raise PydanticCustomError("date_text", "expected a date written as YYYY-MM-DD")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
"""A date written ``YYYY-MM-DD`` (a bare number is not read as a timestamp)."""


class StrictModel(BaseModel):
    """Base of every scenario model: unknown fields are errors with a suggestion."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_fields(cls, data: Any) -> Any:
        if not isinstance(data, dict | BaseModel):
            if issubclass(cls, Provenance) and "value" in cls.model_fields:
                raise PydanticCustomError(
                    "not_a_quantity",
                    "expected a value with its provenance, e.g. {example}, got a bare {kind}",
                    {
                        "example": f"{{value: {data!r}, assumption: why}}",
                        "kind": type(data).__name__,
                    },
                )
            raise PydanticCustomError(
                "not_a_mapping",
                "expected a mapping of fields, got {kind}",
                {"kind": type(data).__name__},
            )
        if isinstance(data, dict):
            known = set(cls.model_fields)
            for key in data:
                if key not in known:
                    raise PydanticCustomError(
                        "unknown_field",
                        "unknown field '{field}'{hint}",
                        {"field": key, "hint": _suggest(key, known)},
                    )
        return data


def closest(name: object, known: Iterable[object]) -> str | None:
    """The known name most like ``name`` (a likely typo), or None."""
    names = sorted(str(k) for k in known)
    match = difflib.get_close_matches(str(name), names, n=1, cutoff=0.6)
    return match[0] if match else None


def _suggest(name: str, known: set[str]) -> str:
    close = closest(name, known)
    if close:
        return f"; did you mean '{close}'?"
    return f"; expected one of: {', '.join(sorted(known))}"


# --------------------------------------------------------------------------- provenance


class Provenance(StrictModel):
    """Where a value came from: a claim from a source, or a labelled assumption."""

    source: str | None = Field(None, description="Id of an entry in the scenario's `sources`.")
    quote: str | None = Field(None, description="The words of the source that give the value.")
    claimed_by: str | None = Field(None, description="Who made the claim (not the publisher).")
    verified: Flag | None = Field(None, description="Whether anyone independent verified it.")
    assumption: str | None = Field(
        None, description="Why this value was chosen, when no source gives it."
    )

    @model_validator(mode="after")
    def _claim_or_assumption(self) -> Provenance:
        if self.assumption is not None:
            if not self.assumption.strip():
                raise ValueError("'assumption' must say why the value was chosen")
            return self
        missing = [
            name
            for name in ("source", "quote", "claimed_by", "verified")
            if getattr(self, name) is None
        ]
        if missing:
            raise ValueError(
                "give either 'assumption: <why>' or a sourced claim with "
                f"source, quote, claimed_by and verified (missing: {', '.join(missing)})"
            )
        return self

    @property
    def is_assumption(self) -> bool:
        return self.assumption is not None

    def describe(self) -> str:
        """One line: 'claim by X, unverified' or 'assumption: why'."""
        if self.is_assumption:
            return f"assumption: {self.assumption}"
        status = "verified" if self.verified else "unverified"
        return f"claimed by {self.claimed_by}, {status}"


# ------------------------------------------------------------------------ distributions


class Uniform(StrictModel):
    dist: Literal["uniform"]
    low: Number
    high: Number

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self

    def support(self) -> tuple[float, float]:
        return self.low, self.high

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)


class Normal(StrictModel):
    """A normal distribution, clipped to [low, high] where those are given."""

    dist: Literal["normal"]
    mean: Number
    sd: Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]
    low: Number | None = None
    high: Number | None = None

    def support(self) -> tuple[float, float]:
        low = -np.inf if self.low is None else self.low
        high = np.inf if self.high is None else self.high
        return low, high

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        low, high = self.support()
        return np.clip(rng.normal(self.mean, self.sd, n), low, high)


class Triangular(StrictModel):
    dist: Literal["triangular"]
    low: Number
    mode: Number
    high: Number

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError("need low <= mode <= high")
        return self

    def support(self) -> tuple[float, float]:
        return self.low, self.high

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.low == self.high:
            return np.full(n, self.low)
        return rng.triangular(self.low, self.mode, self.high, n)


class Beta(StrictModel):
    """A beta distribution on [low, high] (default [0, 1])."""

    dist: Literal["beta"]
    alpha: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]
    beta: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]
    low: Number = 0.0
    high: Number = 1.0

    def support(self) -> tuple[float, float]:
        return self.low, self.high

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.low + (self.high - self.low) * rng.beta(self.alpha, self.beta, n)


Distribution = Annotated[Uniform | Normal | Triangular | Beta, Field(discriminator="dist")]


def _number_or_distribution(value: Any) -> str:
    """The union's tag: a mapping (or a parsed distribution, when serializing) or a number."""
    return "distribution" if isinstance(value, dict | BaseModel) else "number"


NumberOrDistribution = Annotated[
    Annotated[Number, Tag("number")] | Annotated[Distribution, Tag("distribution")],
    Discriminator(_number_or_distribution),
]


# --------------------------------------------------------------------------- quantities


class Quantity(Provenance):
    """A number with provenance. ``value`` is a number or a distribution to sample.

    Subclasses narrow the allowed range through ``bounds``; a distribution must stay
    inside it.
    """

    value: NumberOrDistribution
    unit: str | None = Field(None, description="Unit, for readers.")
    bounds: ClassVar[tuple[float | None, float | None]] = (None, None)

    @field_validator("value")
    @classmethod
    def _within_bounds(cls, value: Any) -> Any:
        low, high = cls.bounds
        v_low, v_high = support(value)
        shown = f"{v_low:g}" if v_low == v_high else f"[{v_low:g}, {v_high:g}]"
        if max(abs(v_low), abs(v_high)) > MAGNITUDE and not isinstance(value, Normal):
            raise ValueError(f"{shown} is beyond any sensible value (at most {MAGNITUDE:g})")
        if (low is not None and v_low < low) or (high is not None and v_high > high):
            lo = "-inf" if low is None else f"{low:g}"
            hi = "inf" if high is None else f"{high:g}"
            hint = ""
            if isinstance(value, Normal):
                hint = "; give the normal distribution low and high bounds inside it"
            raise ValueError(f"{shown} is outside the allowed range [{lo}, {hi}]{hint}")
        return value

    @property
    def is_uncertain(self) -> bool:
        return not isinstance(self.value, float | int)

    @property
    def point(self) -> float:
        """A representative value: the number itself, or the distribution's centre."""
        return point_of(self.value)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws (a constant array for a plain number)."""
        if isinstance(self.value, float | int):
            return np.full(n, float(self.value))
        return self.value.sample(rng, n)


MAGNITUDE = 1e9
"""No number in a scenario needs to be larger; bigger ones are typos or overflow."""


class Share(Quantity):
    """A number in [0, 1]."""

    bounds: ClassVar[tuple[float | None, float | None]] = (0.0, 1.0)


class NonNegative(Quantity):
    """A number >= 0."""

    bounds: ClassVar[tuple[float | None, float | None]] = (0.0, None)


class WeeklyCount(Quantity):
    """A count per week, 0 to 10,000."""

    bounds: ClassVar[tuple[float | None, float | None]] = (0.0, 10_000.0)


class IssuePosition(Quantity):
    """A point on an issue's scale, or an offset from the current front line.

    ``relative_to: front`` makes the value an offset from the share of territory
    held at the time (``0`` means "the line as it stands").
    """

    relative_to: Literal["front"] | None = None


class SourcedText(Provenance):
    """A statement with provenance, shown to readers but not computed with."""

    value: str


def support(value: Any) -> tuple[float, float]:
    """The smallest interval that holds every draw of a number or distribution."""
    if isinstance(value, float | int):
        return float(value), float(value)
    return value.support()


def point_of(value: Any) -> float:
    """The number, or a distribution's mean (mode for a triangular)."""
    if isinstance(value, float | int):
        return float(value)
    if isinstance(value, Uniform):
        return (value.low + value.high) / 2
    if isinstance(value, Normal):
        return float(np.clip(value.mean, *value.support()))
    if isinstance(value, Triangular):
        return (value.low + value.mode + value.high) / 3
    return value.low + (value.high - value.low) * value.alpha / (value.alpha + value.beta)
