"""`ceasefire explain`: what each actor demands and can bring to bear, and where it came from."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..scenario.quantities import IssuePosition, Provenance, Quantity, SourcedText, point_of
from ..scenario.schema import Belligerent, PlaceEvent, Scenario
from .text import wrap

SHAPES = frozenset({"alpha", "beta"})
"""A distribution's parameters that are shapes, not values on its scale (not in percent)."""


def _params(value: Any, percent: bool, sign: str = "%") -> str:
    """A distribution's parameters in words; on a share's scale, in percent (``sign``
    after each, none for points beyond the front line)."""
    fields = {k: v for k, v in value.model_dump().items() if k != "dist" and v is not None}
    return ", ".join(
        f"{k} {100 * v:.1f}{sign}" if percent and k not in SHAPES else f"{k} {v:g}"
        for k, v in fields.items()
    )


def _value(node: Any, share: bool = False) -> str:
    """A number, a distribution in words, or a text; a ``share`` of the four oblasts in
    percent (a distribution's parameters too), as every other command shows territory."""
    value = node.value
    relative = isinstance(node, IssuePosition) and node.relative_to == "front"
    number = isinstance(value, float | int)
    distribution = not number and not isinstance(value, str) and not hasattr(value, "isoformat")
    if share and number and not relative:
        shown = f"{value:g} ({100 * value:.1f}% of the four oblasts)"
    elif share and distribution and not relative:
        centre = 100 * point_of(value)
        shown = f"{value.dist}({_params(value, True)}), centre {centre:.1f}% of the four oblasts"
    elif share and distribution:  # points of the four oblasts beyond the front line
        centre = 100 * point_of(value)
        shown = (
            f"{value.dist}({_params(value, True, '')}), centre {centre:+.1f} points of the "
            "four oblasts"
        )
    elif share and number:
        shown = f"{100 * value:.1f} points"
    elif number:
        shown = f"{value:g}"
    elif isinstance(value, str):
        shown = value
    elif hasattr(value, "isoformat"):
        shown = value.isoformat()
    else:
        shown = f"{value.dist}({_params(value, False)}), centre {point_of(value):.3g}"
    if relative:
        shown = f"front line {'+' if point_of(value) >= 0 else ''}{shown}"
    unit = getattr(node, "unit", None)
    return f"{shown} {unit}" if unit else shown


def _status(node: Provenance) -> str:
    if node.is_assumption:
        return "ASSUMPTION"
    return f"{node.claimed_by}; {'verified' if node.verified else 'unverified'}"


def _entry(label: str, node: Provenance, width: int, share: bool = False) -> list[str]:
    lines = [f"  {label}: {_value(node, share)}", f"      [{_status(node)}]"]
    if node.quote:
        lines.append(wrap(f'"{node.quote}" ({node.source})', width, "      "))
        if node.is_assumption:
            lines.append(
                wrap(
                    f"(claimed by {node.claimed_by}, "
                    f"{'verified' if node.verified else 'unverified'})",
                    width,
                    "      ",
                )
            )
    if node.assumption:
        lines.append(wrap(f"why: {node.assumption}", width, "      "))
    return lines


def _section(title: str, model: BaseModel | dict, width: int, prefix: str = "") -> list[str]:
    lines = [title]
    items = (
        model.items()
        if isinstance(model, dict)
        else ((name, getattr(model, name)) for name in type(model).model_fields)
    )
    for name, node in items:
        if isinstance(node, Quantity | SourcedText | Provenance) and hasattr(node, "value"):
            lines += _entry(f"{prefix}{name}", node, width)
    return lines


def explain(scenario: Scenario, width: int = 88) -> str:
    """Per actor: statements, positions and red lines, resources; each with provenance."""
    out = [f"{scenario.name}: {' '.join(scenario.description.split())}", ""]
    for actor_id, actor in scenario.actors.items():
        role = "belligerent" if isinstance(actor, Belligerent) else "mediator"
        out.append(f"== {actor.name} ({actor_id}, {role}) ==")
        if actor.statements:
            out.append("Stated positions and claims")
            for statement in actor.statements:
                out += _entry("says", statement, width)
        for issue, stance in actor.positions.items():
            out.append(f"Issue '{issue}'")
            share = issue == "territory"
            out += _entry("demand (ideal)", stance.ideal, width, share)
            out += _entry("salience", stance.salience, width)
            if stance.red_line is not None:
                out += _entry("red line", stance.red_line, width, share)
                if stance.red_line.cost is not None:
                    out += _entry("cost of crossing it", stance.red_line.cost, width)
                else:
                    out.append("  cost of crossing it: none given (a hard line, never crossed)")
                if stance.red_line.casualty_erosion is not None:
                    erosion = stance.red_line.casualty_erosion
                    out += _entry("worn down by losses", erosion, width)
            else:
                out.append("  red line: none (any value on the scale is acceptable)")
        if isinstance(actor, Belligerent):
            out += _section("Resources", actor.resources, width)
            out += _entry("resolve", actor.resolve, width)
            out += _entry("foresight", actor.foresight, width)
            out += _section(
                "Belief that the front's holder wins an engagement", actor.belief, width
            )
            if actor.pauses is not None:
                out += _section("How it weighs a cease-fire or a truce", actor.pauses, width)
        else:
            out += _entry("active from", actor.active_from, width)
            out += _section("Leverage", actor.leverage, width)
            for policy_id, policy in actor.policies.items():
                start = f" from {policy.start}" if policy.start else ""
                out.append(f"Policy {policy_id}: {policy.name} on {policy.target}{start}")
                if policy.description:
                    out.append(wrap(" ".join(policy.description.split()), width, "  "))
                out.append(f"      [{_status(policy)}]")
                if policy.assumption:
                    out.append(wrap(f"why: {policy.assumption}", width, "      "))
                for name, quantity in policy.params.items():
                    out += _entry(name, quantity, width)
        out.append(f"Talks strategy: {actor.strategy.name}")
        for name, quantity in actor.strategy.params.items():
            out += _entry(name, quantity, width)
        out.append("")
    out.append("== Front ==")
    out += _section("Territory and tempo", scenario.front, width)
    for place_id, place in scenario.front.places.items():
        out.append(f"Place: {place.name} ({place_id}, axis {place.axis})")
        out += _entry("held by", place.held_by, width)
        out += _entry("distance to fall", place.distance_km, width)
        if place.population is not None:
            out += _entry("prewar population", place.population, width)
        for item in place.matters_for:
            out += _entry("matters for", item, width)
        if place.logistics_value is not None:
            out += _entry("logistics value", place.logistics_value, width)
        # The schema takes both or neither.
        if place.defence is not None:
            out += _entry("defence", place.defence, width)
        if place.depth_km is not None:
            out += _entry("built-up depth", place.depth_km, width)
        for claim in place.claims:
            out += _entry("claim", claim, width)
    if scenario.events:
        out += ["", "== Events =="]
        for event_id, event in sorted(scenario.events.items(), key=lambda e: e[1].date):
            what = {
                "aid": "aid level",
                "sanctions": "sanctions level",
                "intelligence": "intelligence level",
                "resolve": f"{getattr(event, 'actor', '')} resolve",
                "red_line_cost": (
                    f"{getattr(event, 'actor', '')} cost of crossing its "
                    f"{getattr(event, 'issue', '')} red line"
                ),
            }.get(event.kind)
            out.append(
                f"{event.date} {event_id} ({event.kind}): {' '.join(event.description.split())}"
            )
            out.append(f"      [{_status(event)}]")
            if event.assumption:
                out.append(wrap(f"why: {event.assumption}", width, "      "))
            if isinstance(event, PlaceEvent):
                out.append(f"  {event.place} to the {event.held_by}")
            elif what is not None:
                out += _entry(what, event.level, width)
    talks = scenario.talks
    out += [
        "",
        "== Talks and durability ==",
        f"Protocol: {talks.protocol}" + (f", opening {talks.opens}" if talks.opens else ""),
    ]
    for name, quantity in talks.params.items():
        out += _entry(name, quantity, width)
    if talks.offers:
        out.append(
            "The mediator also offers: "
            + ", ".join(kind.replace("_", " ") for kind in talks.offers)
        )
        if talks.pause_weeks is not None:
            out += _entry("weeks before extended or lapsed", talks.pause_weeks, width)
    out += _section("Durability of a cease-fire", scenario.durability, width)
    out += ["", _census(scenario)]
    return "\n".join(out)


def _census(scenario: Scenario) -> str:
    """How many values are sourced claims, and how many are assumptions."""
    from ..scenario.checks import walk

    claims = assumptions = verified = 0
    for _, node in walk(scenario):
        if isinstance(node, Provenance) and hasattr(node, "value"):
            if node.is_assumption:
                assumptions += 1
            else:
                claims += 1
                verified += bool(node.verified)
    return (
        f"{claims} values quote a source ({verified} verified, {claims - verified} unverified); "
        f"{assumptions} are labelled assumptions."
    )
