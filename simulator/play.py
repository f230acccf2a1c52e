"""`ceasefire play`: a person takes a delegation's seat and the model plays the others.

The game steps an ordinary one-replication :class:`~simulator.model.CeasefireModel`
week by week. A :class:`HumanSeat` sits in the model's ``seat`` hook: in each week of
talks it shows the player what their delegation knows (the front, the text on the
table, what fighting on is worth to them, what their red line allows and what crossing
it would cost) and takes their answer in place of the model's rule. Everything else
(the fighting, the other delegations, the mediator's drafting) is the model's own.

The library never prints and never reads: the caller passes ``say`` (show text) and
``ask`` (read one answer; None at the end of input). A bad answer is explained and
asked again; the end of input hands the seat back to the model's rules and ends the
game after that week.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .model import CeasefireModel, TalksTable
from .results import outcome
from .talks.base import Party
from .talks.utility import reservation_point

LEVERS = {"aid": (0.0, 3.0), "sanctions": (0.0, 5.0), "intelligence": (0.0, 1.0)}
"""The US player's levers and their allowed levels (1 = as at the start)."""
KINDS = {"text": "settlement", "ceasefire": "ceasefire", "cease-fire": "ceasefire",
         "truce": "partial_truce"}  # fmt: skip
WORDS = {"settlement": "the text", "ceasefire": "a general cease-fire",
         "partial_truce": "a truce on strikes"}  # fmt: skip

BELLIGERENT_HELP = (
    "answers: accept (the text) | accept ceasefire | accept truce | accept text ceasefire"
    " truce | reject | counter 80% (territory: the holder's share of the four oblasts) |"
    " counter territory=80% sequencing=0.5 | pass (your delegation answers by its usual"
    " rule) | help"
)
MEDIATOR_HELP = (
    "answers: send (the draft as it is) | text 78% | text territory=78% sequencing=0.5"
    " | aid 0.5 | sanctions 2 | intelligence 0 (levers act from next week) | pass | help"
)


class BadAnswer(ValueError):
    """An answer the player can fix: the message says what was wrong."""


@dataclass
class Answer:
    """A belligerent's answer: what it accepts (None: its usual rule) and a counter."""

    accepts: dict[str, bool] | None
    counter: dict[str, float] | None = None


def parse_terms(words: list[str], issues: list[str], scales: dict[str, tuple]) -> dict:
    """``80%`` (territory) or ``territory=80% sequencing=0.5``; a share as a fraction
    (``0.80``) too, as the files give it."""
    if not words:
        raise BadAnswer("give the terms, e.g. 80% or territory=80%")
    terms: dict[str, float] = {}
    for word in words:
        issue, _, value = word.rpartition("=")
        issue = issue or issues[0]
        if issue not in issues:
            raise BadAnswer(f"no issue '{issue}'; the issues are {', '.join(issues)}")
        try:
            number = float(value[:-1]) / 100 if value.endswith("%") else float(value)
        except ValueError:
            raise BadAnswer(f"'{value}' is not a number") from None
        low, high = scales[issue]
        if not low <= number <= high or not np.isfinite(number):
            between = (
                f"{100 * low:g}% and {100 * high:g}%"
                if issue == "territory"
                else f"{low:g} and {high:g}"
            )
            raise BadAnswer(f"{issue} must lie between {between}, got {value}")
        terms[issue] = number
    return terms


def parse_belligerent(line: str, issues: list[str], scales: dict[str, tuple]) -> Answer:
    words = line.lower().split()
    if not words:
        raise BadAnswer("type an answer (or 'help')")
    verb, rest = words[0], words[1:]
    if verb == "pass":
        return Answer(None)
    if verb == "reject":
        return Answer({kind: False for kind in WORDS})
    if verb == "accept":
        unknown = [w for w in rest if w not in KINDS]
        if unknown:
            raise BadAnswer(f"accept what? '{unknown[0]}'; say text, ceasefire or truce")
        chosen = {KINDS[w] for w in rest} or {"settlement"}
        return Answer({kind: kind in chosen for kind in WORDS})
    if verb == "counter":
        return Answer({kind: False for kind in WORDS}, parse_terms(rest, issues, scales))
    raise BadAnswer(f"'{verb}' is not an answer here")


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


UTILITY_NOTE = "(worth and costs: a 0-1 utility, 1 = all your side wants)"
"""The line that says what the briefing's numbers (worth, costs) are."""

WIDTH = 79
"""Lines a player sees fit a terminal of 80 columns unless the caller gives a width."""


def fit(text: str, indent: str = "        ", width: int = WIDTH) -> str:
    """Wrap each line of ``text`` to ``width``, continuing under ``indent``."""
    return "\n".join(
        textwrap.fill(line, width, subsequent_indent=indent) if line else line
        for line in text.split("\n")
    )


def _owns(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


@dataclass
class HumanSeat:
    """The model's ``seat``: one or more delegations played by people."""

    roles: list[str]
    say: Callable[[str], None]
    ask: Callable[[str], str | None]
    ended: bool = False
    asked: int = 0
    """Questions asked so far."""
    width: int = WIDTH
    """Columns a line may take (the CLI gives the terminal's)."""

    def __post_init__(self) -> None:
        say = self.say
        self.say = lambda text: say(fit(text, width=self.width))

    counters: dict[str, dict[str, float]] = field(default_factory=dict)
    _last_held: dict[str, bool] = field(default_factory=dict)

    # ------------------------------------------------------------------ asking

    def question(self, prompt: str, parse: Callable[[str], Any], help_text: str) -> Any:
        """Ask until the answer parses; None at the end of input (the model decides)."""
        while not self.ended:
            self.asked += 1
            line = self.ask(prompt)
            if line is None:
                self.ended = True
                self.say("(end of input: the model plays on to the end of this week)")
                return None
            line = line.strip()
            if line.lower() in ("help", "?"):
                self.say(help_text)
                continue
            try:
                return parse(line)
            except BadAnswer as exc:
                self.say(f"not understood: {exc}. {help_text}")
        return None

    # --------------------------------------------------------------- the hook

    def prepare(self, model: CeasefireModel, parties: tuple[Party, Party]):
        """A player's last counter-proposal stands as its delegation's ask."""
        changed = list(parties)
        for index, side in enumerate(model.belligerents):
            counter = self.counters.get(side.actor_id)
            if counter and side.actor_id in self.roles:
                ask = parties[index].ask.copy()
                for issue, value in counter.items():
                    ask[:, model.issue_ids.index(issue)] = value
                changed[index] = dataclasses.replace(parties[index], ask=ask)
        return tuple(changed)

    def decide(self, model: CeasefireModel, table: TalksTable) -> None:
        if not table.open_now[0] or self.ended:
            return
        mediator = model.scenario.mediator_id
        if mediator in self.roles and model.mediator is not None:
            self._draft(model, table)
        answers = {kind: list(pair) for kind, pair in table.answers.items()}
        counters: list[tuple[int, dict[str, float]]] = []
        for index, side in enumerate(model.belligerents):
            if side.actor_id not in self.roles or self.ended:
                continue
            self.say(self.briefing(model, table, index))
            answer = self.question(
                f"{side.name}> ",
                lambda line: parse_belligerent(line, model.issue_ids, self._scales(model)),
                BELLIGERENT_HELP,
            )
            if answer is None or answer.accepts is None:
                continue
            for kind, accepted in answer.accepts.items():
                if kind in answers:
                    offered = kind == "settlement" or bool(self._offered(model, table, kind))
                    answers[kind][index] = np.array([accepted and offered])
            if answer.counter:
                self.counters[side.actor_id] = answer.counter
                counters.append((index, answer.counter))
        for kind, pair in answers.items():
            table.answers[kind] = (np.asarray(pair[0]), np.asarray(pair[1]))
        settlement = table.answers["settlement"]
        table.agreed = settlement[0] & settlement[1]
        for index, counter in counters:
            if table.agreed[0]:
                break
            self._put_counter(model, table, index, counter)
        self.say(self.verdict(model, table))

    def renew(self, model: CeasefireModel, kind: str, ended: np.ndarray, answers):
        if not ended[0] or self.ended:
            return answers
        changed = list(answers)
        for index, side in enumerate(model.belligerents):
            if side.actor_id not in self.roles:
                continue

            def parse(line: str) -> bool | None:
                word = line.lower()
                if word in ("yes", "y", "accept"):
                    return True
                if word in ("no", "n", "reject"):
                    return False
                if word == "pass":
                    return None
                raise BadAnswer("answer yes, no or pass")

            self.say(
                f"Week {model.steps}: {WORDS[kind]} ran out. Your delegation would "
                f"{'extend' if answers[index][0] else 'let it lapse'}."
            )
            yes = self.question(
                f"{side.name}, extend it for {model.pause_weeks[0]:g} weeks? (yes/no/pass)> ",
                parse,
                "answer yes, no or pass",
            )
            if yes is not None:
                changed[index] = np.array([yes])
        return tuple(changed)

    # ---------------------------------------------------------------- helpers

    @staticmethod
    def _scales(model: CeasefireModel) -> dict[str, tuple]:
        return {
            issue: (model.scale_low[k], model.scale_high[k])
            for k, issue in enumerate(model.issue_ids)
        }

    @staticmethod
    def _offered(model: CeasefireModel, table: TalksTable, kind: str) -> bool:
        if kind not in model.scenario.talks.offers or not table.open_now[0]:
            return False
        if kind == "ceasefire":
            return not model.ceasefire_active[0]
        return not model.truce_active[0] and not model.ceasefire_active[0]

    def _terms(self, model: CeasefireModel, text: np.ndarray) -> str:
        parts = []
        for k, issue in enumerate(model.issue_ids):
            value = text[0, k]
            if issue == "territory":
                freeze = abs(value - model.front.control[0]) < 5e-4
                parts.append(
                    f"territory {_pct(value)}" + (" (the line of contact)" if freeze else "")
                )
            else:
                parts.append(f"{issue} {value:.2f}")
        return ", ".join(parts)

    def _front(self, model: CeasefireModel) -> str:
        holder, defender = model.belligerents
        held = [
            model.scenario.front.places[p].name
            for p in model.front.place_ids
            if model.place_held(p)[0]
        ]
        free = [
            model.scenario.front.places[p].name
            for p in model.front.place_ids
            if not model.place_held(p)[0]
        ]
        area = model.front.control[0] * model.front.area_km2[0]
        return (
            f"Front   {holder.name}'s share: {_pct(model.front.control[0])} of the four oblasts "
            f"({area:,.0f} km2)\n"
            f"Places  {holder.name}: {', '.join(held) or '-'} | "
            f"{defender.name}: {', '.join(free) or '-'}"
        )

    def _red_line(self, model: CeasefireModel, party: Party, index: int, who: str = "you") -> str:
        side = model.belligerents[index]
        other = model.belligerents[1 - index].positions.ideal_now(model.front.control)
        lines = []
        for k, issue in enumerate(model.issue_ids):
            if np.isnan(side.positions.red_line[0, k]):
                continue
            toward_high = party.ideal[0, k] <= other[0, k]
            bound = party.high[0, k] if toward_high else party.low[0, k]
            shown = _pct(bound) if issue == "territory" else f"{bound:.2f}"
            cost = party.crossing_cost[0, k] if party.crossing_cost is not None else np.inf
            price = (
                "a hard line" if not np.isfinite(cost) else f"crossing it costs {who} {cost:.3f}"
            )
            lines.append(f"{issue} {'at most' if toward_high else 'at least'} {shown}, {price}")
        return "; ".join(lines) or "none"

    def briefing(
        self,
        model: CeasefireModel,
        table: TalksTable,
        index: int,
        proposal_by: str | None = None,
    ) -> str:
        """What a belligerent's delegation sees this week, under 100 columns (answering a
        counter-proposal by ``proposal_by``: that proposal alone)."""
        side = model.belligerents[index]
        party = table.parties[index]
        text = table.text
        value = float(party.value(text)[0])
        from .talks.utility import crossing_penalty

        penalty = (
            float(crossing_penalty(text, party.low, party.high, party.crossing_cost)[0])
            if party.crossing_cost is not None
            else 0.0
        )
        reservation = _reservation(table.parties, text, index)
        bound = "at least" if index == 0 else "at most"
        mediator = model.mediator.name if model.mediator else "the other side"
        offers = [
            WORDS[k] for k in ("ceasefire", "partial_truce") if self._offered(model, table, k)
        ]
        usual = [
            f"{'accept' if table.answers[k][index][0] else 'refuse'} {WORDS[k]}"
            for k in table.answers
            if k == "settlement" or self._offered(model, table, k)
        ]
        crossed = (
            f", {value - penalty:.3f} after the cost of crossing your red line" if penalty else ""
        )
        if proposal_by is not None:
            would = "accept" if party.accepts(text)[0] else "refuse"
            usual = [f"{would} the proposal"]
            table_lines = [f"Table   {_owns(proposal_by)} proposal: {self._terms(model, text)}"]
        else:
            table_lines = [
                f"Table   {_owns(mediator)} text: {self._terms(model, text)}",
                f"Offers  {', '.join(offers) if offers else 'no pause offered this week'}",
            ]
        return "\n".join(
            [
                "",
                f"== Week {model.steps}, {model.date:%d %b %Y}: you are {side.name} ==",
                self._front(model),
                *table_lines,
                f"You     {'it' if proposal_by else 'the text'} is worth {value:.3f} to you"
                f"{crossed}",
                f"        fighting on is worth {float(side.walk_away[0]):.3f}: you expect "
                f"{model.holder.name} to hold {_pct(side.expected_control[0])} in "
                f"{float(side.foresight[0]):.0f} weeks",
                f"        rather than fight on you would take {bound} {_pct(reservation)}",
                f"        {UTILITY_NOTE}",
                f"Red line {self._red_line(model, party, index)}",
                f"Your delegation would: {', '.join(usual)}",
            ]
        )

    def _draft(self, model: CeasefireModel, table: TalksTable) -> None:
        """The US player reads the sides' positions and the draft, moves levers, sends."""
        mediator = model.mediator
        assert mediator is not None  # a mediator's seat is offered only where there is one
        reservations = [_reservation(table.parties, table.text, i) for i in (0, 1)]
        rows = [
            "",
            f"== Week {model.steps}, {model.date:%d %b %Y}: you are {mediator.name} ==",
            self._front(model),
        ]
        for index, side in enumerate(model.belligerents):
            party = table.parties[index]
            bound = "takes at least" if index == 0 else "gives at most"
            rows.append(
                f"{side.name:8}asks {self._terms(model, party.ask)}; rather than fight on "
                f"{bound} {_pct(reservations[index])}"
            )
            rows.append(f"        red line {self._red_line(model, party, index, 'it')}")
        answers = [
            f"{side.name} would {'accept' if table.parties[i].accepts(table.text)[0] else 'refuse'}"
            for i, side in enumerate(model.belligerents)
        ]
        rows.append(f"Draft   {self._terms(model, table.text)}: {', '.join(answers)}")
        rows.append(
            f"Levers  aid {float(mediator.aid_level[0]):.2f}, sanctions "
            f"{float(mediator.sanctions_level[0]):.2f}, intelligence "
            f"{float(mediator.intelligence_level[0]):.2f} (1 = as at the start)"
        )
        self.say("\n".join(rows))
        scales = self._scales(model)

        def parse(line: str):
            words = line.lower().split()
            if not words:
                raise BadAnswer("type an answer (or 'help')")
            verb, rest = words[0], words[1:]
            if verb in ("send", "pass"):
                return None
            if verb == "text":
                return parse_terms(rest, model.issue_ids, scales)
            if verb in LEVERS:
                low, high = LEVERS[verb]
                try:
                    level = float(rest[0]) if len(rest) == 1 else None
                except ValueError:
                    level = None
                if level is None or not low <= level <= high:
                    raise BadAnswer(f"{verb} takes one level between {low:g} and {high:g}")
                return (verb, level)
            raise BadAnswer(f"'{verb}' is not an answer here")

        while True:
            answer = self.question(f"{mediator.name}> ", parse, MEDIATOR_HELP)
            if isinstance(answer, tuple):
                lever, level = answer
                setattr(mediator, f"{lever}_level", np.full(1, level))
                self.say(f"{lever} set to {level:g} from next week")
                continue
            break
        if answer:
            text = table.text.copy()
            for issue, value in answer.items():
                text[:, model.issue_ids.index(issue)] = value
            table.text = text
            for index, party in enumerate(table.parties):
                pair = list(table.answers["settlement"])
                pair[index] = party.accepts(text) & table.open_now
                table.answers["settlement"] = (pair[0], pair[1])
            table.agreed = table.answers["settlement"][0] & table.answers["settlement"][1]

    def _put_counter(
        self, model: CeasefireModel, table: TalksTable, index: int, counter: dict[str, float]
    ) -> None:
        """The other side answers a counter-proposal at once; agreed if it accepts."""
        other = 1 - index
        proposal = table.text.copy()
        for issue, value in counter.items():
            proposal[:, model.issue_ids.index(issue)] = value
        proposer, responder = model.belligerents[index], model.belligerents[other]
        self.say(f"{proposer.name} proposes {self._terms(model, proposal)}")
        if responder.actor_id in self.roles and not self.ended:

            def parse(line: str) -> bool | None:
                word = line.lower().split()[0] if line.split() else ""
                if word in ("accept", "yes"):
                    return True
                if word in ("reject", "no"):
                    return False
                if word == "pass":
                    return None
                raise BadAnswer("answer accept, reject or pass")

            self.say(
                self.briefing(
                    model, dataclasses.replace(table, text=proposal), other, proposer.name
                )
            )
            yes = self.question(f"{responder.name}, accept it? (accept/reject/pass)> ", parse,
                                "answer accept, reject or pass")  # fmt: skip
            if yes is None:
                yes = bool(table.parties[other].accepts(proposal)[0])
        else:
            yes = bool(table.parties[other].accepts(proposal)[0])
        self.say(f"{responder.name} {'accepts' if yes else 'refuses'} the proposal.")
        if yes:
            table.text = proposal
            table.answers["settlement"] = (np.array([True]), np.array([True]))
            table.agreed = np.array([True])

    def verdict(self, model: CeasefireModel, table: TalksTable) -> str:
        """Who accepted what this week, and whether anything was agreed."""
        words = []
        for kind, (first, second) in table.answers.items():
            if kind != "settlement" and not self._offered(model, table, kind):
                continue
            names = [
                side.name
                for side, yes in zip(model.belligerents, (first, second), strict=True)
                if yes[0]
            ]
            who = " and ".join(names) if names else "nobody"
            words.append(f"{WORDS[kind]}: {who} accept{'' if len(names) == 2 else 's'}")
        both = {kind: all(a[0] for a in pair) for kind, pair in table.answers.items()}
        if table.agreed[0]:
            agreed = "SETTLEMENT AGREED"
        elif both.get("ceasefire"):
            agreed = "GENERAL CEASE-FIRE AGREED"
        elif both.get("partial_truce"):
            agreed = "TRUCE ON STRIKES AGREED; no settlement or cease-fire this week"
        else:
            agreed = "No agreement this week"
        return f"Week {model.steps}: " + "; ".join(words) + f". {agreed}."

    def news(self, model: CeasefireModel) -> list[str]:
        """Places that changed hands since the player last heard."""
        out = []
        for place in model.front.place_ids:
            held = bool(model.place_held(place)[0])
            before = self._last_held.get(place)
            name = model.scenario.front.places[place].name
            if before is not None and held != before:
                out.append(
                    f"{name} falls to {model.holder.name}"
                    if held
                    else f"{model.defender.name} retakes {name}"
                )
            self._last_held[place] = held
        return out


def _reservation(parties: tuple[Party, Party], text: np.ndarray, index: int) -> float:
    """The share of territory at which ``parties[index]`` is indifferent between the deal
    and fighting on, the other issues at the terms on the table."""
    own, other = parties[index], parties[1 - index]
    point = reservation_point(0, text, own.ideal, own.weights, own.walk_away, other.ideal)
    return float(np.clip(point[0], 0.0, 1.0))


def play(
    scenario: Any,
    roles: list[str],
    say: Callable[[str], None],
    ask: Callable[[str], str | None],
    seed: int | None = None,
    weeks: int | None = None,
    width: int = WIDTH,
) -> dict[str, Any]:
    """Play ``weeks`` weeks with people in ``roles``; returns the run's outcome.

    Every line ``say`` is given fits ``width`` columns."""
    model = CeasefireModel(scenario, replications=1, seed=seed)
    seat = HumanSeat(roles, say, ask, width=width)
    model.seat = seat
    seat.news(model)
    weeks = model.scenario.horizon if weeks is None else weeks
    names = ", ".join(model.scenario.actors[r].name for r in roles)
    seat.say(
        f"{model.scenario.name}: you play {names}; the model plays the others. "
        f"{weeks} weeks from {model.scenario.start:%d %b %Y}. Type 'help' for the answers."
    )
    last_status = ""
    while model.running and model.steps < weeks and not seat.ended:
        asked = seat.asked
        model.step()
        record = model.week_record
        assert record is not None  # a step always leaves its week's record
        news = seat.news(model)
        status = (
            "settlement in force"
            if record["ceasefire_in_force"][0]
            else "general cease-fire"
            if record["general_ceasefire_in_force"][0]
            else "talks"
            if np.isfinite(record["text_territory"][0])
            else "fighting, no talks"
        )
        if record["partial_truce_in_force"][0] and not record["ceasefire_in_force"][0]:
            status += ", truce on strikes"
        # Quiet weeks (nobody asked, nothing new) are not shown: a long settlement is
        # one line, not a hundred.
        if news or status != last_status or seat.asked != asked or model.steps == weeks:
            seat.say(
                f"-- week {model.steps} ({model.date:%d %b %Y}): {status}; "
                f"{model.holder.name} holds {_pct(model.front.control[0])}"
                + (f"; {'; '.join(news)}" if news else "")
            )
        last_status = status
    result = outcome(model)
    side_names = {side.actor_id: side.name for side in model.belligerents}
    say(fit(_ending(result, model.date, side_names), "", width))
    return result


def _ending(result: dict[str, Any], when: dt.date, names: dict[str, str]) -> str:
    if result["settlement"]:
        what = f"a settlement, agreed {result['settlement']['date']}"
    elif result["ceasefire"]:
        what = f"a general cease-fire, agreed {result['ceasefire']['date']}"
    elif result["capitulation"]:
        what = f"a capitulation on {result['capitulation']['date']}"
    else:
        what = "no agreement"
    losses = ", ".join(
        f"{names.get(side, side)} {value:,.0f}" for side, value in result["losses"].items()
    )
    return (
        f"Game over ({when:%d %b %Y}, week {result['weeks_run']}): {what}. The holder's share "
        f"at the end: {_pct(result['control_at_end'])}. Killed and wounded, thousands: {losses}."
    )
