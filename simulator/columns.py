"""What each column of the written tables means: its unit and a one-line description.

The Parquet writer stores them in each field's metadata (and, as JSON, under ``units``
in the schema's metadata), so a reader of a file need not look the columns up. Every
column of every table has a unit: a physical one (``week``, ``km2``, ``thousand
personnel``), or for dimensionless numbers ``1``, ``share (0-1)``, ``probability``,
``count``, ``true/false`` or ``text``. A scenario input (a dotted path) has the unit
the scenario declares for it, or one known for that kind of number.

Names are looked up exactly first (:data:`NAMES`), then by pattern: a side's or an
issue's id at the end of a name (``belief_russia``, ``terms_territory``) is read from
the name, never guessed from a list of ids.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

TERRITORY = "share (0-1)"
"""Territory is the front's holder's share of the four oblasts, 0 to 1, in every file."""

NAMES: dict[str, tuple[str, str]] = {
    # where a row comes from
    "scenario": ("text", "the scenario's name"),
    "first_scenario": ("text", "the first scenario's name (the difference is second - first)"),
    "second_scenario": ("text", "the second scenario's name"),
    "seed": ("1", "the random seed the results were made with"),
    "replication": ("1", "index of the replication within its ensemble (from 0)"),
    "step": ("week", "Mesa's step: the week of the run (0: the start)"),
    "week": ("week", "weeks since the scenario's start (0: the start)"),
    "date": ("date", "the last day of the week (ISO 8601)"),
    # the front
    "control": (TERRITORY, "the front's holder's share of the disputed territory"),
    "control_km2": ("km2", "disputed territory the front's holder controls"),
    "control_at_end": (TERRITORY, "the front's holder's share of the territory at the end"),
    "control_at_start": (TERRITORY, "the front's holder's share of the territory at the start"),
    "area_km2": ("km2", "the disputed area (the four oblasts)"),
    "p_holder_wins": ("probability", "chance that the front's holder wins an engagement"),
    # the talks, week by week
    "values_overlap": ("true/false", "the sides' reservations overlap (red lines aside)"),
    "red_lines_overlap": ("true/false", "the sides' red lines leave terms both can accept"),
    "bargaining_range": ("true/false", "a bargaining range exists (values and red lines)"),
    "agreed_this_week": ("true/false", "an agreement was reached in this week"),
    "agreed": ("true/false", "an agreement (settlement or general cease-fire) was reached"),
    "agreement_week": ("week", "week of the first agreement (missing: none was reached)"),
    "settled": ("true/false", "a settlement (terms on every issue) was reached"),
    "ceasefire_agreed": ("true/false", "a general cease-fire was agreed"),
    "ceasefire": ("true/false", "a general cease-fire was agreed"),
    "ceasefires": ("count", "general cease-fires agreed over the run"),
    "general_ceasefire_in_force": ("true/false", "a general cease-fire holds this week"),
    "partial_truce_in_force": ("true/false", "a truce on strikes holds this week"),
    "partial_truce": ("true/false", "a truce on strikes was agreed"),
    "capitulated": ("true/false", "a side gave in (the war ended on the battlefield)"),
    "capitulation": ("true/false", "a side gave in (the war ended on the battlefield)"),
    "broke_down": ("true/false", "a settlement was agreed and later broke down"),
    "ceasefire_in_force": ("true/false", "a settlement is in force this week"),
    "in_force_at_end": ("true/false", "an agreement is in force at the end of the run"),
    "ceasefire_broke_down": ("true/false", "a general cease-fire was agreed and broke down"),
    "ceasefire_in_force_at_end": ("true/false", "a general cease-fire holds at the end"),
    "partial_truce_broke_down": ("true/false", "a truce on strikes was agreed and broke down"),
    "partial_truce_in_force_at_end": ("true/false", "a truce on strikes holds at the end"),
    "breakdown_hazard": ("probability", "chance that the settlement in force breaks this week"),
    "intelligence": ("1", "US intelligence to Ukraine as a multiple of usual (0: paused)"),
    "aid": ("1", "US aid to Ukraine as a multiple of its usual level (0: paused)"),
    "sanctions": ("1", "sanctions on Russia as a multiple of their usual level"),
    # headline figures (mc, sweep, sensitivity)
    "p_agreement": ("probability", "share of replications that reached an agreement"),
    "median_week": ("week", "median week of agreement, over the replications that agreed"),
    "median_territory": (TERRITORY, "median settled territory (holder's share), settled runs"),
    "median_control_at_end": (TERRITORY, "median holder's share of the territory at the end"),
    "p_breakdown": ("probability", "share of settlements that broke down"),
    "p_in_force_at_end": ("probability", "share of replications with a deal in force at the end"),
    "p_settlement": ("probability", "share of replications that reached a settlement"),
    "p_ceasefire": ("probability", "share of replications that agreed a general cease-fire"),
    "p_partial_truce": ("probability", "share of replications that agreed a truce on strikes"),
    "p_capitulation": ("probability", "share of replications in which a side gave in"),
    "replications": ("count", "replications behind the row"),
    "agreements": (
        "count",
        "agreements reached: by the replication (replications table), else by the "
        "replications behind the row",
    ),
    "settlements": ("count", "replications that reached a settlement"),
    "too_few_agreements": (
        "true/false",
        "fewer than 30 agreements: figures over agreed runs are not worth reading",
    ),
    # sensitivity
    "path": ("text", "the scenario input held (dotted path); empty: nothing held"),
    "level": ("text", "base (nothing held), low or high: where the input is held"),
    "held_at": ("input's unit", "the value the input is held at (its low or high end)"),
    "samples": ("count", "Sobol' base sample size N"),
    "evaluations": ("count", "model runs behind the indices"),
    "outcome": ("text", "the outcome whose variance is split (p_agreement, ...)"),
    "outcome_mean": (
        "share (0-1)",
        "the outcome's mean over the evaluations (a probability for p_ outcomes)",
    ),
    "S1": ("share (0-1)", "first-order Sobol' index: share of the variance due to the input"),
    "ST": ("share (0-1)", "total Sobol' index: the input's share, interactions included"),
    # compare
    "figure": ("text", "the compared figure (named as in the other tables)"),
    "unit": ("text", "the unit of this row's first, second and difference"),
    "first": ("row's unit", "the figure in the first scenario"),
    "second": ("row's unit", "the figure in the second scenario"),
    "first_count": ("count", "replications counted in the first scenario's share"),
    "first_of": ("count", "replications the first scenario's share is over"),
    "second_count": ("count", "replications counted in the second scenario's share"),
    "second_of": ("count", "replications the second scenario's share is over"),
    "difference": ("row's unit", "the paired difference, second - first"),
    # analyze: sides
    "side": ("text", "the belligerent's actor id"),
    "name": ("text", "the belligerent's name"),
    "belief": ("probability", "its believed chance that the front's holder wins an engagement"),
    "expected_control": (TERRITORY, "the holder's share it expects if the war goes on"),
    "cost_of_war_over_foresight": ("utility", "the war's cost to it over its foresight"),
    "walk_away": ("utility", "what fighting on is worth to it (less the war's cost)"),
    "reservation": (
        TERRITORY,
        "its reservation: the least holder's share it accepts (holder) or the most (defender)",
    ),
    "reservation_bound": ("text", "minimum (the holder's reservation) or maximum (defender's)"),
    "red_line_crossing_cost": ("utility", "what crossing its territorial red line costs it"),
    "values_range_low": (TERRITORY, "low end of the range both sides' values accept"),
    "values_range_high": (TERRITORY, "high end of the range both sides' values accept"),
    "values_range_exists": ("true/false", "the sides' values leave a range"),
    "red_lines_range_low": (TERRITORY, "low end of the range both sides' red lines allow"),
    "red_lines_range_high": (TERRITORY, "high end of the range both sides' red lines allow"),
    "red_lines_range_exists": ("true/false", "the sides' red lines leave a range"),
    "bargaining_range_low": (TERRITORY, "low end of the bargaining range (values, red lines)"),
    "bargaining_range_high": (TERRITORY, "high end of the bargaining range"),
    "bargaining_range_exists": ("true/false", "a bargaining range exists"),
    "gap": (TERRITORY, "how far apart the sides are when no range exists (0: a range)"),
    "nash": (TERRITORY, "the Nash bargaining point (missing: no range)"),
    "kalai_smorodinsky": (TERRITORY, "the Kalai-Smorodinsky point (missing: no range)"),
    # analyze: levers
    "lever": ("text", "the lever's name"),
    "description": ("text", "what the lever is, and its scale"),
    "current": ("lever's scale", "the lever's value now"),
    "needed": ("lever's scale", "the nearest value that opens a range (missing: none)"),
    "note": ("text", "why no value is needed or found"),
    # drivers
    "driver": ("text", "the mechanism (a group of inputs), or all inputs together"),
    "inputs": ("count", "the uncertain inputs in the group"),
    "agreement_r2": ("share (0-1)", "share of the variance of agreement explained (adj. R2)"),
    "agreement_week_r2": (
        "share (0-1)",
        "share of the variance of the week of agreement explained (adj. R2)",
    ),
}

# (pattern, unit, description with {0}, {1} standing for the pattern's groups)
PATTERNS: list[tuple[str, str, str]] = [
    (
        r"first_accept_week_(.+)_(settlement|ceasefire|partial_truce)",
        "week",
        "week {0} first accepted a {1} (missing: never)",
    ),
    (r"first_accept_week_(.+)", "week", "week {0} first accepted a proposal (missing: never)"),
    (r"(.+)_week", "week", "week of the first {0} (missing: none in the run)"),
    (r"held_(.+)", "true/false", "the front's holder holds the place {0}"),
    (r"fall_week_(.+)", "week", "week {0} first fell to the holder (missing: it never did)"),
    (r"forces_(.+)", "thousand personnel", "{0}'s forces at the front"),
    (r"losses_(.+)", "thousand personnel", "{0}'s losses over the run (killed and wounded)"),
    (r"first_year_losses_(.+)", "thousand personnel", "{0}'s losses in the first year"),
    (r"belief_(.+)", "probability", "{0}'s believed chance that the holder wins an engagement"),
    (r"walk_away_(.+)", "utility", "what fighting on is worth to {0} (less the war's cost)"),
    (
        r"reservation_(.+)",
        TERRITORY,
        "{0}'s reservation: the least holder's share it accepts (holder) or the most (defender)",
    ),
    (r"resources_(.+)", "1", "{0}'s resources as a multiple of its resources at the start"),
    (r"accepts_(settlement|ceasefire|partial_truce)_(.+)", "true/false", "{1} accepts a {0}"),
    (r"accepts_(.+)", "true/false", "{0} accepted a proposal this week"),
    (
        r"ask_(russia|ukraine|[a-z]+)_(.+)",
        "issue scale (0-1)",
        "{0}'s ask on {1} (territory: holder's share)",
    ),
    (r"red_line_(russia|ukraine|[a-z]+)_(.+)", "issue scale (0-1)", "{0}'s red line on {1}"),
    (
        r"crossing_cost_(russia|ukraine|[a-z]+)_(.+)",
        "utility",
        "what crossing {0}'s red line on {1} would cost it (missing: a hard line)",
    ),
    (r"text_(.+)", "issue scale (0-1)", "the mediator's text on {0} (missing: no talks)"),
    (r"terms_(.+)", "issue scale (0-1)", "the settled terms on {0} (missing: no settlement)"),
    (r"control_(\d{4}q\d)", TERRITORY, "the holder's share of the territory at the end of {0}"),
]

INPUT_UNITS: list[tuple[str, str]] = [
    (r"\.salience$", "share (0-1)"),
    (r"\.red_line$", "issue scale (0-1)"),
    (r"\.(cost|cost_of_war|ceasefire_cost|strike_value)$", "utility"),
    (
        r"\.(resolve|floor|strikes_share|guarantee|control|.*_dependence|.*_exposure)$",
        "share (0-1)",
    ),
    (r"\.(casualty_erosion|resource_weight|reciprocity_weight|regret_sensitivity)$", "1"),
    (r"\.belief\.mean$", "probability"),
    (r"\.base_hazard$", "probability"),
    (r"\.(deadline|foresight)$", "week"),
    (r"_km$", "km"),
    (r"_km2$|\.km2_per_net_win$", "km2"),
    (r"\.engagements_per_week$", "count"),
]
"""Units of scenario inputs that the scenario leaves without one, by kind."""


def input_unit(path: str, declared: Mapping[str, str] | None = None) -> str:
    """The unit of a scenario input: as the scenario declares it, else by its kind,
    else ``1`` (a dimensionless number)."""
    if declared and declared.get(path):
        return declared[path]
    for pattern, unit in INPUT_UNITS:
        if re.search(pattern, path):
            return unit
    return "1"


def column_info(name: str, declared: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The unit and a one-line description of a column.

    ``declared`` maps scenario inputs (dotted paths) to the units their scenario gives.
    """
    if name in NAMES:
        return NAMES[name]
    for end, which in (("_ci95_low", "lower"), ("_ci95_high", "upper")):
        if name.endswith(end) or name == end[1:]:
            base = name[: -len(end)] or "difference"
            unit, _ = column_info(base, declared)
            return unit, f"{which} end of the 95% interval of {base}"
    if "." in name:
        return (
            input_unit(name, declared),
            f"scenario input {name}: the value each row ran with (sampled, swept or held)",
        )
    for pattern, unit, description in PATTERNS:
        match = re.fullmatch(pattern, name)
        if match:
            return unit, description.format(*match.groups())
    if name.startswith("p_"):
        return "probability", f"share of replications in which {name[2:].replace('_', ' ')}"
    if re.search(r"(^|_)week($|_)", name):
        return "week", f"week of the run: {name.replace('_', ' ')} (missing: never)"
    return "1", f"{UNDESCRIBED} {name.replace('_', ' ')} (see docs/MODEL.md)"


UNDESCRIBED = "model figure"
"""How a column that nothing here describes begins its description (a test finds them)."""
