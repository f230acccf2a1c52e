"""`ceasefire run --narrate`: the story of one run in plain words, month by month.

A class or a briefing reads a story, not a 170-column table. This module turns a run's
weekly records (:func:`simulator.results.weekly_records`) and its scenario into dated
text: a paragraph a month (the front, what each side believes, what is on the table,
who accepts or refuses it and why) and a line for each event (a town falls, talks
open, a cease-fire starts or lapses, a settlement is signed or breaks down, a lever
moves). Stated positions cite their quote and claimant from the scenario. It reads
records only: no model logic, and nothing printed.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import Any

from ..scenario.quantities import point_of
from ..scenario.schema import Scenario

CAPITALS = {"russia": "Moscow", "ukraine": "Kyiv", "united_states": "Washington"}
"""How a story names a government; other actors go by their scenario name."""
FREEZE = 0.0005
"""A text within this share of the front line is a freeze at the line of contact."""
TOLERANCE = 1e-6


def _date(text: str, short: bool = False) -> str:
    day = dt.date.fromisoformat(text)
    return f"{day.day} {day:%b %Y}" if short else f"{day.day} {day:%B %Y}"


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def _km2(km2: float) -> str:
    return f"{km2:,.0f} km2"


def _in_ten(p: float) -> str:
    return f"about {round(10 * p):d} engagements in 10"


def _quote(node: Any, words: int = 14) -> str:
    """A stated position's quote and claimant, or the scenario's assumption, short."""
    quote = " ".join((getattr(node, "quote", None) or "").split())
    reading = " ".join((getattr(node, "assumption", None) or "").split())
    reading = reading.split(". ")[0].split(":")[0].rstrip(".")
    if quote:
        parts = quote.split()
        short = " ".join(parts[:words]) + (" ..." if len(parts) > words else "")
        cited = f'{node.claimed_by}: "{short}"'
        # A quote the scenario reads in its own words (a red line placed at a boundary):
        # the reading, when it is short enough to say in passing.
        if reading and len(reading.split()) <= 12:
            cited += f", read as {reading[0].lower()}{reading[1:]}"
        return cited
    assumption = " ".join((getattr(node, "assumption", None) or "").split())
    first = assumption.split(". ")[0].rstrip(".")
    parts = first.split()
    short = " ".join(parts[:words]) + (" ..." if len(parts) > words else "")
    return f"a scenario assumption: {short}" if short else "no source given"


class Storyteller:
    """Words for one scenario: names, the territory's units, positions and quotes."""

    def __init__(self, scenario: Scenario, width: int = 88):
        self.scenario = scenario
        self.width = width
        self.holder = scenario.front.holder
        self.defender = scenario.defender
        self.mediator = scenario.mediator_id
        self.issues = list(scenario.issues)
        unit = scenario.issues["territory"].unit or "" if "territory" in scenario.issues else ""
        self.area = unit[len("share of ") :] if unit.startswith("share of ") else "the territory"
        self.places = {p: place.name for p, place in scenario.front.places.items()}
        self.cited: set[str] = set()
        self.explained: set[str] = set()
        self.talks_seen = False

    def name(self, actor: str) -> str:
        return self.scenario.actors[actor].name

    def owns(self, actor: str) -> str:
        name = self.name(actor)
        return f"{name}'" if name.endswith("s") else f"{name}'s"

    def cite_once(self, actor: str, node: Any) -> str:
        """The quote behind a red line the first time the story uses it, then nothing."""
        if node is None or actor in self.cited:
            return ""
        self.cited.add(actor)
        return f" ({_quote(node)})"

    def capital(self, actor: str) -> str:
        return CAPITALS.get(actor, self.name(actor))

    def para(self, text: str, indent: str = "") -> str:
        return textwrap.fill(
            " ".join(text.split()), self.width, initial_indent=indent, subsequent_indent=indent
        )

    def line(self, date: str, text: str) -> str:
        head = f"  {_date(date, short=True):>11}  "
        return textwrap.fill(
            " ".join(text.split()),
            self.width,
            initial_indent=head,
            subsequent_indent=" " * len(head),
        )

    # --------------------------------------------------------------- positions

    def stance(self, actor: str, issue: str):
        return self.scenario.actors[actor].positions.get(issue)

    def positions(self, first: dict[str, Any]) -> str:
        """Where each side stands at the start, each stated position with its quote; red
        lines at this run's drawn values (``first``: the week-0 record)."""
        sentences = []
        for actor in [a for a in (self.holder, self.defender, self.mediator) if a]:
            stance = self.stance(actor, "territory")
            if not stance:
                continue
            ideal = point_of(stance.ideal.value)
            if stance.ideal.relative_to == "front":
                wants = "a line at the front" if ideal == 0 else f"the front {ideal:+.1%}"
            elif ideal >= 1:
                wants = f"all of {self.area} under {self.owns(self.holder)} control"
            elif ideal <= 0:
                wants = f"none of {self.area} left under {self.owns(self.holder)} control"
            else:
                wants = f"{_pct(ideal)} of {self.area} under {self.owns(self.holder)} control"
            text = f"{self.name(actor)} asks for {wants} ({_quote(stance.ideal)})"
            if stance.red_line is not None:
                red = first.get(f"red_line_{actor}_territory")
                red = point_of(stance.red_line.value) if red is None else red
                where = (
                    f"the line of contact give or take {abs(red - first['control']):.1%} "
                    f"({_pct(red)} at the start of this run)"
                    if stance.red_line.relative_to == "front"
                    else _pct(red)
                )
                text += f"; its red line lies at {where} ({_quote(stance.red_line)})"
            sentences.append(text + ".")
        return " ".join(sentences)

    def issue_words(self, issue: str, value: float) -> str:
        """A term on an issue other than territory, placed between the sides' asks."""
        asks = []
        for actor in (self.defender, self.holder):
            stance = self.stance(actor, issue)
            if stance is not None:
                asks.append(f"{self.name(actor)} asks {point_of(stance.ideal.value):g}")
        if issue in self.explained:
            return f"{issue} at {value:.2f}"
        self.explained.add(issue)
        return f"{issue} at {value:.2f}" + (f" ({', '.join(asks)})" if asks else "")

    # ------------------------------------------------------------------ offers

    def offer(self, row: dict[str, Any], control: float | None = None) -> str:
        """The text on the table in words, against the front (``control``: the week's)."""
        text = row["text_territory"]
        control = row["control"] if control is None else control
        area_km2 = row["control_km2"] / control if control else 0.0
        under = f"{_pct(text)} of {self.area} under {self.owns(self.holder)} control"
        if abs(text - control) <= FREEZE:
            words = f"a freeze at the line of contact, {under}"
        else:
            diff = abs(text - control) * area_km2
            more = "more" if text > control else "less"
            words = f"{under} ({_km2(diff)} {more} than it holds)"
        others = [
            self.issue_words(issue, row[f"text_{issue}"])
            for issue in self.issues
            if issue != "territory" and row.get(f"text_{issue}") is not None
        ]
        return words + ("; " + "; ".join(others) if others else "")

    def left_places(self, row: dict[str, Any]) -> list[str]:
        """Places a text at or short of the line leaves to the defender."""
        if row["text_territory"] > row["control"] + FREEZE:
            return []
        return [name for p, name in self.places.items() if not row[f"held_{p}"]]

    def refusal(self, row: dict[str, Any], actor: str) -> str:
        """Why ``actor`` refused the text, from its red lines, costs and reservation."""
        me = self.capital(actor)
        holder = actor == self.holder
        text, control = row["text_territory"], row["control"]
        reservation = row.get(f"reservation_{actor}")
        red = row.get(f"red_line_{actor}_territory")
        cost = row.get(f"crossing_cost_{actor}_territory")
        stance = self.stance(actor, "territory")
        cite = self.cite_once(actor, stance.red_line if stance else None)
        worth = reservation is not None and (
            text >= reservation - TOLERANCE if holder else text <= reservation + TOLERANCE
        )
        beyond = red is not None and (text < red - TOLERANCE if holder else text > red + TOLERANCE)
        if beyond and red is not None:
            if holder:
                left = self.left_places(row)
                gives = f"left {_and(left)} to {self.name(self.defender)} and " if left else ""
                why = f"the text {gives}lay short of its red line at {_pct(red)}{cite}"
            else:
                given = (text - control) * row["control_km2"] / control
                why = (
                    f"the text asked it to give up {_km2(given)} it holds, beyond its red line "
                    f"at {_pct(red)}{cite}"
                    if text > control
                    else f"the text lay beyond its red line at {_pct(red)}{cite}"
                )
            if cost is None:
                return f"{me} refused: {why}, a line it will not cross."
            if worth:
                return (
                    f"{me} refused: {why}; the deal beats fighting on, but not by enough to pay "
                    "the cost at home of crossing that line."
                )
            return f"{me} refused: {why}; and fighting on is worth more to it anyway."
        if not worth and reservation is not None:
            bound = "no less" if holder else "no more"
            return (
                f"{me} refused: fighting on is worth more to it; it would take {bound} than "
                f"{_pct(reservation)} of {self.area} rather than fight on."
            )
        ask = row.get(f"ask_{actor}_territory")
        asks = (
            f" (its delegation still asks for {_pct(ask)} of {self.area} under "
            f"{self.owns(self.holder)} control)"
            if ask is not None
            else ""
        )
        return f"{me} refused: it holds out for better terms{asks}."

    def pause_refusal(self, row: dict[str, Any], actor: str, kind: str) -> str:
        """Why ``actor`` refused a general cease-fire or a truce on strikes (its rule)."""
        me = self.capital(actor)
        if kind == "partial_truce":
            return (
                f"{me} refused a truce on strikes: the relief from the other side's strikes "
                "is worth less to it than the pressure of its own."
            )
        belief = row[f"belief_{actor}"]
        gaining = belief > 0.5 if actor == self.holder else belief < 0.5
        if gaining:
            p = belief if actor == self.holder else 1 - belief
            return (
                f"{me} refused a general cease-fire: it expects to gain ground "
                f"(to win {_in_ten(p)})."
            )
        return (
            f"{me} refused a general cease-fire: a pause without a settlement costs it more "
            "than the weeks of war it would spare."
        )


def _front(row: dict[str, Any], prev: dict[str, Any]) -> float:
    """The front the week's text was drafted against: a settlement signed this week has
    already moved the recorded line to its terms."""
    settled_now = row["agreed_this_week"] and row["ceasefire_in_force"]
    return prev["control"] if settled_now else row["control"]


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _events(teller: Storyteller, row: dict[str, Any], prev: dict[str, Any]) -> list[str]:
    """A line for each thing that happened this week."""
    s, holder, defender = teller, teller.holder, teller.defender
    out: list[str] = []
    for place, name in s.places.items():
        key = f"held_{place}"
        if row[key] and not prev[key]:
            out.append(f"{name} falls to {s.name(holder)} (week {row['week']}).")
        elif prev[key] and not row[key]:
            out.append(f"{s.name(defender)} retakes {name} (week {row['week']}).")
    mediator = s.owns(s.mediator) if s.mediator else "The mediator's"
    if row["aid"] != prev["aid"]:
        out.append(
            f"Aid to {s.name(defender)} moves from {_pct(prev['aid'])} to {_pct(row['aid'])} "
            "of its level at the start."
        )
    if row.get("intelligence") != prev.get("intelligence"):
        out.append(
            f"Intelligence shared with {s.name(defender)} moves from "
            f"{_pct(prev['intelligence'])} to {_pct(row['intelligence'])} of its level at the "
            "start."
        )
    if row["sanctions"] != prev["sanctions"]:
        out.append(
            f"Sanctions on {s.name(holder)} move from {prev['sanctions']:.2g} to "
            f"{row['sanctions']:.2g} times their level at the start."
        )
    talks = row["text_territory"] is not None
    if talks and prev["text_territory"] is None and not prev["ceasefire_in_force"]:
        opening = "Talks resume. The text" if s.talks_seen else "Talks open. The first text"
        s.talks_seen = True
        out.append(f"{opening} on the table: {s.offer(row, _front(row, prev))}.")
    if row["agreed_this_week"] and row["ceasefire_in_force"]:
        out.append(
            f"SETTLEMENT: both sides sign {s.offer(row, _front(row, prev))}. The line moves to "
            "the agreed terms."
        )
    if row.get("general_ceasefire_in_force") and not prev.get("general_ceasefire_in_force"):
        out.append(
            f"GENERAL CEASE-FIRE: both sides accept {mediator} offer to stop fighting on "
            f"the line as it stands, {_pct(row['control'])} of {s.area} under "
            f"{s.owns(holder)} control, for a few weeks at first."
        )
    elif (
        prev.get("general_ceasefire_in_force")
        and not row.get("general_ceasefire_in_force")
        and not row["ceasefire_in_force"]
    ):
        out.append("The general cease-fire lapses; the fighting resumes.")
    if row.get("partial_truce_in_force") and not prev.get("partial_truce_in_force"):
        out.append("TRUCE ON STRIKES: both sides stop striking each other's energy and cities.")
    elif (
        prev.get("partial_truce_in_force")
        and not row.get("partial_truce_in_force")
        and not row.get("general_ceasefire_in_force")
    ):
        out.append("The truce on strikes lapses.")
    if row.get("capitulated") and not prev.get("capitulated"):
        out.append(
            "CAPITULATION: the terms leave one side none of the disputed territory "
            "(not counted as an agreement)."
        )
    if prev["ceasefire_in_force"] and not row["ceasefire_in_force"] and not row["agreed_this_week"]:
        out.append(
            "THE SETTLEMENT BREAKS DOWN: a side that came to expect more from fighting than from "
            "the terms took up arms again; the war resumes."
        )
    if talks and not row["ceasefire_in_force"]:
        for actor in (holder, defender):
            now = row.get(f"accepts_settlement_{actor}")
            before = prev.get(f"accepts_settlement_{actor}") and prev["text_territory"] is not None
            if now and not before and not row["agreed_this_week"]:
                out.append(f"{s.capital(actor)} now accepts the text: {s.offer(row)}.")
            elif before and not now:
                out.append(
                    f"{s.capital(actor)} no longer accepts the text. {s.refusal(row, actor)}"
                )
    return out


def _month(teller: Storyteller, rows: list[dict[str, Any]], start: dict[str, Any]) -> str:
    """The month's paragraph: the front, beliefs, reservation terms and the talks."""
    s, holder, defender = teller, teller.holder, teller.defender
    end = rows[-1]
    moved = end["control"] - start["control"]
    moved_km2 = end["control_km2"] - start["control_km2"]
    if abs(moved_km2) < 0.5:
        front = "The front did not move"
    else:
        who = s.name(holder) if moved > 0 else s.name(defender)
        front = f"{who} gained {_km2(abs(moved_km2))} ({100 * abs(moved):.2f} points of {s.area})"
    text = f"{front}; {s.name(holder)} holds {_pct(end['control'])} ({_km2(end['control_km2'])}). "
    held = [name for p, name in s.places.items() if end[f"held_{p}"]]
    free = [name for p, name in s.places.items() if not end[f"held_{p}"]]
    if held or free:
        bits = []
        if held:
            bits.append(f"{s.name(holder)} holds {_and(held)}")
        if free:
            bits.append(f"{s.name(defender)} still holds {_and(free)}")
        text += "; ".join(bits) + ". "
    if end["ceasefire_in_force"]:
        return text + "A settlement is in force."
    if end.get("capitulated"):
        return text + "The war is over by capitulation."
    if end.get("general_ceasefire_in_force"):
        return text + "A general cease-fire holds the line; the guns are silent."
    bh, bd, p = end[f"belief_{holder}"], end[f"belief_{defender}"], end["p_holder_wins"]
    text += (
        f"{s.capital(holder)} expects to win {_in_ten(bh)}; {s.capital(defender)} expects to win "
        f"{_in_ten(1 - bd)}"
        + (f" (on the ground {s.name(holder)} wins {_in_ten(p)})" if p is not None else "")
        + ". "
    )
    talk_rows = [r for r in rows if r["text_territory"] is not None and not r["ceasefire_in_force"]]
    if not talk_rows:
        return text + "No talks."
    last = talk_rows[-1]
    rh, rd = last[f"reservation_{holder}"], last[f"reservation_{defender}"]
    text += (
        f"Rather than fight on, {s.capital(holder)} would take no less than {_pct(rh)} of "
        f"{s.area} and {s.capital(defender)} give no more than {_pct(rd)}"
        + (
            "; a deal in between beats war for both. "
            if rh <= rd
            else ": no deal beats war for both. "
        )
    )
    text += f"On the table: {s.offer(last)}. "
    weeks = len(talk_rows)
    answers = []
    for actor in (holder, defender):
        yes = sum(bool(r.get(f"accepts_settlement_{actor}")) for r in talk_rows)
        if yes == weeks:
            answers.append(f"{s.capital(actor)} accepted it.")
        elif yes:
            answers.append(f"{s.capital(actor)} accepted it in {yes} of {weeks} weeks.")
        if not last.get(f"accepts_settlement_{actor}"):
            answers.append(s.refusal(last, actor))
    text += " ".join(answers) + " "
    offers = s.scenario.talks.offers
    if "ceasefire" in offers and not last.get("general_ceasefire_in_force"):
        willing = [a for a in (holder, defender) if last.get(f"accepts_ceasefire_{a}")]
        if len(willing) == 1:
            other = defender if willing[0] == holder else holder
            text += (
                f"{s.capital(willing[0])} would accept a general cease-fire; "
                f"{s.pause_refusal(last, other, 'ceasefire')} "
            )
        elif not willing:
            text += "Neither side would accept a general cease-fire. "
    return text.strip()


def narrate(
    scenario: Scenario,
    records: list[dict[str, Any]],
    outcome: dict[str, Any] | None = None,
    seed: int | None = None,
    width: int = 88,
) -> str:
    """The run's story: where the sides stand, a paragraph a month with its events, the end."""
    if not records:
        return ""
    s = Storyteller(scenario, width)
    first, last = records[0], records[-1]
    seeded = f", seed {seed}" if seed is not None else ""
    out = [
        s.para(
            f"{scenario.name}{seeded}: one run from {_date(first['date'])} to "
            f"{_date(last['date'])}, week by week. {s.name(s.holder)} holds "
            f"{_pct(first['control'])} of {s.area} ({_km2(first['control_km2'])})."
        ),
        "",
        s.para("Where the sides stand. " + s.positions(first)),
    ]
    months: dict[str, list[dict[str, Any]]] = {}
    for row in records[1:]:
        months.setdefault(row["date"][:7], []).append(row)
    previous, month_start = first, first
    for rows in months.values():
        label = dt.date.fromisoformat(rows[0]["date"]).strftime("%B %Y")
        out += ["", label]
        for row in rows:
            for event in _events(s, row, previous):
                out.append(s.line(row["date"], event))
            previous = row
        out.append(s.para(_month(s, rows, month_start), "  "))
        month_start = rows[-1]
    if outcome is not None:
        out += ["", s.para("How it ended. " + _ending(s, outcome))]
    return "\n".join(out)


def _ending(s: Storyteller, outcome: dict[str, Any]) -> str:
    parts = []
    if outcome.get("settlement"):
        terms = outcome["terms"] or {}
        territory = terms.get("territory")
        what = f" on {_pct(territory)} of {s.area}" if territory is not None else ""
        parts.append(f"A settlement was signed on {_date(outcome['settlement']['date'])}{what}.")
        if outcome["broke_down"]:
            parts.append(f"It broke down on {_date(outcome['breakdown_date'])}.")
    if outcome.get("ceasefire"):
        parts.append(f"A general cease-fire began on {_date(outcome['ceasefire']['date'])}.")
    if outcome.get("partial_truce"):
        parts.append(f"A truce on strikes began on {_date(outcome['partial_truce']['date'])}.")
    if outcome.get("capitulation"):
        parts.append(f"One side capitulated on {_date(outcome['capitulation']['date'])}.")
    if not outcome["agreed"]:
        parts.append(f"No settlement or general cease-fire in {outcome['weeks_run']} weeks.")
    parts.append(f"{s.name(s.holder)} ends with {_pct(outcome['control_at_end'])} of {s.area}.")
    losses = "; ".join(
        f"{s.name(actor)} about {value:,.0f} thousand" for actor, value in outcome["losses"].items()
    )
    parts.append(f"Killed and wounded over the run: {losses}.")
    return " ".join(parts)
