"""Runs worth showing: choose, among single runs with consecutive seeds, the one closest
to a kind of outcome (a deal, a stalemate, the typical run, a deal that broke down).

A teacher wants to show a deal and a war that goes on from the same scenario without
guessing at seeds. Each candidate is an ordinary single run (``ceasefire run --seed
S``), so the chosen seed reproduces the run exactly; candidates skip the weekly
records, which do not change the numbers, only what is kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from statistics import median
from typing import Any

PICK_KINDS = ("agreed", "none", "median", "breakdown")
"""What ``pick_run`` can look for."""


@dataclass(frozen=True)
class Candidate:
    """What one candidate run ended with, enough to compare it with the others."""

    seed: int
    outcome: str
    """'settlement', 'ceasefire' (a general cease-fire), 'capitulation' or 'none'."""
    agreement_week: int | None
    breakdown_week: int | None
    control_at_end: float


@dataclass(frozen=True)
class Pick:
    """The chosen seed (None when no candidate qualified) and why, in a sentence."""

    seed: int | None
    reason: str
    qualifying: int
    candidates: int


def candidate(scenario: Any, seed: int, weeks: int | None = None) -> Candidate:
    """Run seed ``seed`` as ``ceasefire run`` would and summarise how it ended."""
    from .model import CeasefireModel

    model = CeasefireModel(scenario, replications=1, seed=seed, collect=False)
    weeks = model.scenario.horizon if weeks is None else weeks
    while model.running and model.steps < weeks:
        model.step()
    if model.outcomes.agreed[0]:
        settled_first = (
            model.outcomes.settled[0]
            and model.outcomes.settlement_week[0] == model.outcomes.agreement_week[0]
        )
        kind = "settlement" if settled_first else "ceasefire"
    elif model.outcomes.capitulated[0]:
        kind = "capitulation"
    else:
        kind = "none"
    return Candidate(
        seed=seed,
        outcome=kind,
        agreement_week=int(model.outcomes.agreement_week[0]) if model.outcomes.agreed[0] else None,
        breakdown_week=(
            int(model.outcomes.breakdown_week[0])
            if model.outcomes.settled[0] and model.outcomes.broke_down[0]
            else None
        ),
        control_at_end=float(model.front.control[0]),
    )


_WORDS = {
    "settlement": "a settlement",
    "ceasefire": "a general cease-fire",
    "capitulation": "a capitulation",
    "none": "no agreement",
}


def _closest(
    runs: list[Candidate],
    value: Callable[[Candidate], float | None],
    target: float | None = None,
) -> tuple[float, Candidate]:
    """The target (default: the median of ``value`` over ``runs``) and the run whose value
    is closest to it, the lowest seed on a tie; runs without a value are left out."""
    valued = [(v, c) for c in runs if (v := value(c)) is not None]
    if target is None:
        target = median(v for v, _ in valued)
    centre = target
    return target, min(valued, key=lambda pair: (abs(pair[0] - centre), pair[1].seed))[1]


def choose(kind: str, runs: list[Candidate], date_of_week=None) -> Pick:
    """The candidate closest to ``kind`` (ties go to the lowest seed), and why.

    ``agreed``: a settlement or general cease-fire, closest to the median agreement week
    of the agreed runs. ``none``: no agreement and no capitulation, closest to the median
    front at the end of those runs. ``median``: of the most common outcome, the run whose
    front at the end is closest to the median of all candidates. ``breakdown``: a
    settlement that broke down, closest to the median week of breaking down.
    """
    if kind not in PICK_KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose from {', '.join(PICK_KINDS)}")
    seeds = f"seeds {runs[0].seed}-{runs[-1].seed}" if len(runs) > 1 else f"seed {runs[0].seed}"
    pool = f"{len(runs)} candidates ({seeds})"

    def when(week: float | None) -> str:
        if week is None:  # not reached: the runs picked have the week asked for
            return "an unrecorded week"
        if date_of_week is None:
            return f"week {week:g}"
        return f"week {week:g} ({date_of_week(round(week)).isoformat()})"

    def among(median: str, n: int, runs_named: str) -> str:
        """Where the pick stands among its kind: one run is the only one, not a median's."""
        if n == 1:
            return f"the only {runs_named.replace('runs', 'run', 1)} among {pool}"
        return f"closest to the median {median} of the {n} {runs_named} among {pool}"

    if kind == "agreed":
        qualifying = [c for c in runs if c.outcome in ("settlement", "ceasefire")]
        if not qualifying:
            return Pick(None, f"no settlement or general cease-fire among {pool}", 0, len(runs))
        target, best = _closest(qualifying, lambda c: c.agreement_week)
        reason = f"{_WORDS[best.outcome]} in {when(best.agreement_week)}, " + among(
            f"agreement week {target:g}", len(qualifying), "agreed runs"
        )
    elif kind == "none":
        qualifying = [c for c in runs if c.outcome == "none"]
        if not qualifying:
            return Pick(
                None, f"every one of {pool} ended in an agreement or capitulation", 0, len(runs)
            )
        target, best = _closest(qualifying, lambda c: c.control_at_end)
        reason = f"no agreement; the front ends at {100 * best.control_at_end:.1f}%, " + among(
            f"{100 * target:.1f}%", len(qualifying), "runs without one"
        )
    elif kind == "median":
        counts = Counter(c.outcome for c in runs)
        typical, count = max(counts.items(), key=lambda item: (item[1], item[0] == "none"))
        qualifying = [c for c in runs if c.outcome == typical]
        target = median(c.control_at_end for c in runs)
        _, best = _closest(qualifying, lambda c: c.control_at_end, target)
        reason = (
            f"the typical outcome ({_WORDS[typical]}, {count} of {pool}) with the front at the "
            f"end at {100 * best.control_at_end:.1f}%, closest to the median "
            f"{100 * target:.1f}% of all candidates"
        )
    else:
        qualifying = [c for c in runs if c.breakdown_week is not None]
        if not qualifying:
            return Pick(None, f"no settlement broke down among {pool}", 0, len(runs))
        target, best = _closest(qualifying, lambda c: c.breakdown_week)
        reason = (
            f"a settlement agreed in {when(best.agreement_week)} broke down in "
            f"{when(best.breakdown_week)}, "
            + among(f"breakdown week {target:g}", len(qualifying), "such runs")
        )
    return Pick(best.seed, reason, len(qualifying), len(runs))


def pick_run(
    scenario: Any, kind: str, seed: int, candidates: int = 100, weeks: int | None = None
) -> Pick:
    """Run seeds ``seed .. seed + candidates - 1`` and choose the one closest to ``kind``."""
    if candidates < 1:
        raise ValueError(f"candidates must be at least 1, got {candidates}")
    runs = [candidate(scenario, seed + i, weeks) for i in range(candidates)]
    return choose(kind, runs, scenario.date_of_week)
