"""Checks that need the whole scenario: references, dates, scales and registry names.

Each check yields ``(path, message)`` so that the loader can point at the line the
user wrote. Field-level rules (types, ranges, unknown fields) are in the schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from ..talks.registry import DRAFTERS, NEGOTIATORS, POLICIES, PROTOCOLS
from .quantities import Provenance, Quantity, closest, support
from .schema import Belligerent, Mediator, Scenario, Strategy
from .yamlpos import DataPath

Finding = tuple[DataPath, str]

TERRITORY = "territory"


def check_scenario(scenario: Scenario) -> list[Finding]:
    """Every cross-field problem in a schema-valid scenario (empty when it is sound)."""
    findings: list[Finding] = []
    for check in (
        _check_sources,
        _check_actors,
        _check_issues,
        _check_front,
        _check_dates,
        _check_talks,
    ):
        findings.extend(check(scenario))
    return findings


def walk(node: Any, path: DataPath = ()) -> Iterator[tuple[DataPath, Any]]:
    """Every model, list item and dict value in a scenario, with its data path."""
    yield path, node
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            value = getattr(node, name)
            if value is not None:
                yield from walk(value, (*path, name))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, (*path, key))
    elif isinstance(node, list | tuple):
        for index, value in enumerate(node):
            yield from walk(value, (*path, index))


def _check_sources(scenario: Scenario) -> Iterator[Finding]:
    for path, node in walk(scenario):
        if isinstance(node, Provenance) and node.source not in (None, *scenario.sources):
            yield (*path, "source"), _unknown("source", str(node.source), scenario.sources)


def _check_actors(scenario: Scenario) -> Iterator[Finding]:
    belligerents = [k for k, a in scenario.actors.items() if isinstance(a, Belligerent)]
    mediators = [k for k, a in scenario.actors.items() if isinstance(a, Mediator)]
    if len(belligerents) != 2:
        yield ("actors",), f"need exactly 2 belligerents, found {len(belligerents)}"
    if len(mediators) > 1:
        yield ("actors",), f"at most one mediator, found {len(mediators)}"
    for actor_id, actor in scenario.actors.items():
        base = ("actors", actor_id)
        for issue in actor.positions:
            if issue not in scenario.issues:
                yield (*base, "positions", issue), _unknown("issue", issue, scenario.issues)
        if isinstance(actor, Belligerent):
            for issue in scenario.issues:
                if issue not in actor.positions:
                    yield (*base, "positions"), f"no position on issue '{issue}'"
            yield from _check_strategy(actor.strategy, (*base, "strategy"), NEGOTIATORS)
        else:
            yield from _check_strategy(actor.strategy, (*base, "strategy"), DRAFTERS)
            for policy_id, policy in actor.policies.items():
                path = (*base, "policies", policy_id)
                cls = POLICIES.get(policy.name)
                if cls is None:
                    yield (*path, "name"), _unknown("mediator policy", policy.name, POLICIES)
                else:
                    yield from _check_params(cls, policy.params, (*path, "params"))
                if policy.target not in belligerents:
                    yield (*path, "target"), _unknown("belligerent", policy.target, belligerents)
                elif cls is not None:
                    yield from _check_policy_target(scenario, cls, policy.target, path)


_EXPOSURE = {
    "aid": ("aid_dependence", "intelligence_dependence"),
    "sanctions": ("sanctions_exposure",),
}
"""What a belligerent must have for a policy on each lever to act on it."""


def _check_policy_target(
    scenario: Scenario, cls: Any, target: str, path: DataPath
) -> Iterator[Finding]:
    """A policy's lever acts only on a side exposed to it: refuse one aimed elsewhere,
    which would move the lever for the other side instead."""
    fields = _EXPOSURE.get(cls.classifier.get("lever", ""), ())
    resources = scenario.belligerents[target].resources
    if fields and all(getattr(resources, name) is None for name in fields):
        yield (
            (*path, "target"),
            f"'{cls.name}' moves {cls.classifier['lever']}, but '{target}' has no "
            f"{' or '.join(fields)}: it would act on the other side",
        )


def _check_strategy(strategy: Strategy, path: DataPath, registry: dict) -> Iterator[Finding]:
    cls = registry.get(strategy.name)
    if cls is None:
        yield (*path, "name"), _unknown("strategy", strategy.name, registry)
        return
    yield from _check_params(cls, strategy.params, (*path, "params"))


def _check_params(cls: Any, params: dict[str, Quantity], path: DataPath) -> Iterator[Finding]:
    for name, quantity in params.items():
        spec = cls.spec(name)
        if spec is None:
            known = {p.name: None for p in cls.params}
            yield (*path, name), _unknown(f"parameter of '{cls.name}'", name, known)
            continue
        low, high = support(quantity.value)
        if low < spec.low or high > spec.high:
            yield (
                (*path, name, "value"),
                (f"must lie in [{spec.low:g}, {spec.high:g}] ({spec.description})"),
            )


def _check_issues(scenario: Scenario) -> Iterator[Finding]:
    if TERRITORY not in scenario.issues:
        yield ("issues",), "the issue 'territory' is required (the front decides its no-deal value)"
    elif tuple(scenario.issues[TERRITORY].scale) != (0.0, 1.0):
        yield ("issues", TERRITORY, "scale"), "territory is a share: its scale must be [0, 1]"
    for issue_id, spec in scenario.issues.items():
        if issue_id != TERRITORY and spec.no_deal is None:
            yield ("issues", issue_id), "needs 'no_deal': its value while the war goes on"
    for actor_id, actor in scenario.actors.items():
        for issue_id, stance in actor.positions.items():
            issue = scenario.issues.get(issue_id)
            if issue is None:
                continue
            for field in ("ideal", "red_line"):
                position = getattr(stance, field)
                if position is None:
                    continue
                path = ("actors", actor_id, "positions", issue_id, field, "value")
                low, high = support(position.value)
                if position.relative_to == "front":
                    if issue_id != TERRITORY:
                        yield (*path[:-1], "relative_to"), "only 'territory' follows the front"
                    elif low < -1 or high > 1:
                        yield path, "an offset from the front must lie in [-1, 1]"
                elif low < issue.scale[0] or high > issue.scale[1]:
                    yield (
                        path,
                        (f"outside the issue's scale [{issue.scale[0]:g}, {issue.scale[1]:g}]"),
                    )


def _check_front(scenario: Scenario) -> Iterator[Finding]:
    front = scenario.front
    if front.holder not in scenario.belligerents:
        yield ("front", "holder"), _unknown("belligerent", front.holder, scenario.belligerents)
    elif len(scenario.belligerents) == 2 and TERRITORY in scenario.issues:
        holder = scenario.actors[front.holder].positions.get(TERRITORY)
        other = scenario.actors[scenario.defender].positions.get(TERRITORY)
        if (
            holder
            and other
            and holder.ideal.relative_to is None
            and (other.ideal.relative_to is None)
            and support(holder.ideal.value)[1] < support(other.ideal.value)[0]
        ):
            yield (
                ("front", "holder"),
                (
                    f"territory measures the share '{front.holder}' holds, yet it wants less "
                    f"of it than '{scenario.defender}' does: is the holder the other side?"
                ),
            )
    total = sum(support(axis.share.value)[1] for axis in front.axes.values())
    if total > 1 + 1e-9:
        yield ("front", "axes"), f"axis shares add up to more than 1 ({total:g})"
    for place_id, place in front.places.items():
        path = ("front", "places", place_id)
        if place.axis not in front.axes:
            yield (*path, "axis"), _unknown("axis", place.axis, front.axes)
        low, high = support(place.distance_km.value)
        if place.held_by.value == "holder" and high > 0:
            yield (*path, "distance_km", "value"), "a place the holder holds needs distance <= 0"
        if place.held_by.value != "holder" and low <= 0:
            yield (*path, "distance_km", "value"), "a place not yet taken needs distance > 0"


def _check_dates(scenario: Scenario) -> Iterator[Finding]:
    def outside(date: dt.date) -> bool:
        return not scenario.start <= date <= scenario.end

    span = f"{scenario.start} to {scenario.end} ({scenario.horizon} weeks)"
    for event_id, event in scenario.events.items():
        path = ("events", event_id)
        if outside(event.date):
            yield (*path, "date"), f"{event.date} is outside the horizon, {span}"
        place = getattr(event, "place", None)
        if place is not None and place not in scenario.front.places:
            yield (*path, "place"), _unknown("place", place, scenario.front.places)
        actor = getattr(event, "actor", None)
        if actor is not None and actor not in scenario.belligerents:
            yield (*path, "actor"), _unknown("belligerent", actor, scenario.belligerents)
        issue = getattr(event, "issue", None)
        if issue is not None and actor in scenario.belligerents:
            stance = scenario.actors[actor].positions.get(issue)
            if stance is None or stance.red_line is None:
                yield (*path, "issue"), f"'{actor}' has no red line on issue '{issue}'"
        if event.kind in ("aid", "sanctions", "intelligence") and scenario.mediator_id is None:
            yield (*path, "kind"), f"a '{event.kind}' event needs a mediator among the actors"
    mediator_id, mediator = scenario.mediator_id, scenario.mediator
    if mediator_id is not None and mediator is not None:
        active = mediator.active_from.value
        if outside(active):
            yield (
                ("actors", mediator_id, "active_from", "value"),
                (f"{active} is outside the horizon, {span}"),
            )
        for policy_id, policy in mediator.policies.items():
            if policy.start is not None and outside(policy.start):
                where = ("actors", mediator_id, "policies", policy_id, "start")
                yield where, f"{policy.start} is outside the horizon, {span}"
    if scenario.talks.opens is not None and outside(scenario.talks.opens):
        yield ("talks", "opens"), f"{scenario.talks.opens} is outside the horizon, {span}"


def _check_talks(scenario: Scenario) -> Iterator[Finding]:
    talks = scenario.talks
    cls = PROTOCOLS.get(talks.protocol)
    if cls is None:
        yield ("talks", "protocol"), _unknown("protocol", talks.protocol, PROTOCOLS)
        return
    if cls.needs_mediator and scenario.mediator_id is None:
        yield ("talks", "protocol"), f"'{talks.protocol}' needs a mediator among the actors"
    yield from _check_params(cls, talks.params, ("talks", "params"))
    if talks.offers and scenario.mediator_id is None:
        yield ("talks", "offers"), "pauses are offered by a mediator: add one among the actors"
    for actor_id, actor in scenario.belligerents.items():
        if talks.offers and actor.pauses is None:
            yield (
                ("actors", actor_id),
                "needs 'pauses' (how it weighs a cease-fire or truce) since talks offer them",
            )
    if talks.first_proposer is not None and talks.first_proposer not in scenario.belligerents:
        yield (
            ("talks", "first_proposer"),
            _unknown("belligerent", talks.first_proposer, scenario.belligerents),
        )


def _unknown(kind: str, name: str, known: Any) -> str:
    close = closest(name, known)
    if close:
        return f"unknown {kind} '{name}'; did you mean '{close}'?"
    names = sorted(str(k) for k in known)
    return f"unknown {kind} '{name}' (known: {', '.join(names) or 'none defined'})"
