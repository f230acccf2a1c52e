"""Plain-text tables for a terminal: a run's weekly summary and its outcome."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[bool] = ()):
    """A text table: columns padded to their widest cell, numbers right-aligned."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    align_right = list(right) + [False] * (len(headers) - len(right))

    def line(row: list[str]) -> str:
        parts = [
            cell.rjust(width) if align_right[i] else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def fitted_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    right: Sequence[bool],
    width: int | None,
    drop_order: Sequence[int] = (),
    least_last: int = 24,
) -> str:
    """A table that fits ``width`` columns (None: as wide as it takes).

    Columns in ``drop_order`` (indices, the first dropped first) leave until the table
    fits with at least ``least_last`` columns for the last column, whose text then
    wraps onto lines of its own, under itself.
    """
    keep = list(range(len(headers)))
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    flags = list(right) + [False] * (len(headers) - len(right))

    def fixed_width(columns: list[int]) -> int:
        return sum(max(len(row[i]) for row in cells) + 2 for i in columns[:-1])

    if width is not None:
        for index in drop_order:
            if fixed_width(keep) + least_last <= width:
                break
            keep.remove(index)
    text = table(
        [headers[i] for i in keep],
        [[row[i] for i in keep] for row in rows],
        [flags[i] for i in keep],
    )
    if width is None:
        return text
    start = fixed_width(keep)
    room = max(width - start, least_last)
    lines = []
    for number, line in enumerate(text.splitlines()):
        if len(line) <= width or len(line) <= start:
            lines.append(line)
            continue
        if number == 1:  # the rule under the headers
            lines.append(line[: start + room])
            continue
        head, last = line[:start], line[start:]
        pieces = textwrap.wrap(last, room, break_on_hyphens=False) or [""]
        lines.append(head + pieces[0])
        lines += [" " * start + piece for piece in pieces[1:]]
    return "\n".join(lines)


def wrap(text: str, width: int = 88, indent: str = "") -> str:
    return textwrap.fill(
        " ".join(text.split()), width=width, initial_indent=indent, subsequent_indent=indent
    )


def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _notes(row: dict[str, Any], previous: dict[str, Any] | None, places: dict[str, str]) -> str:
    notes = []
    if previous is not None:
        for place, name in places.items():
            key = f"held_{place}"
            if row[key] and not previous[key]:
                notes.append(f"{name} falls")
            elif previous[key] and not row[key]:
                notes.append(f"{name} retaken")
        if row["aid"] != previous["aid"]:
            notes.append(f"aid {previous['aid']:g} -> {row['aid']:g}")
        if row["sanctions"] != previous["sanctions"]:
            notes.append(f"sanctions {previous['sanctions']:g} -> {row['sanctions']:g}")
        if row.get("intelligence") != previous.get("intelligence"):
            notes.append(f"intelligence {previous['intelligence']:g} -> {row['intelligence']:g}")
        for key, starts, ends in (
            ("general_ceasefire_in_force", "GENERAL CEASE-FIRE", "cease-fire lapses"),
            ("partial_truce_in_force", "truce on strikes", "truce on strikes lapses"),
        ):
            if row.get(key) and not previous.get(key):
                notes.append(starts)
            elif previous.get(key) and not row.get(key) and not row["ceasefire_in_force"]:
                notes.append(ends)
        if row.get("capitulated") and not previous.get("capitulated"):
            notes.append("CAPITULATION (not an agreement)")
        if (
            previous["ceasefire_in_force"]
            and not row["ceasefire_in_force"]
            and not row["agreed_this_week"]
        ):
            notes.append("CEASE-FIRE BREAKS DOWN")
        if (
            row["text_territory"] is not None
            and previous["text_territory"] is None
            and not previous["ceasefire_in_force"]
        ):
            notes.append("talks open")
    if row["agreed_this_week"] and row["ceasefire_in_force"]:
        notes.append("SETTLEMENT")
    return "; ".join(notes)


def _other(accepting: list[str], names: dict[str, str]) -> str:
    """The belligerent that did not accept, when one did."""
    return next(name for name in names.values() if name not in accepting)


def _obstacle(row: dict[str, Any], status: str) -> str:
    """What stands in the way of a deal this week, in the words a class would use."""
    if status != "talks" or row["agreed_this_week"]:
        return ""
    if not row["red_lines_overlap"]:
        return "red lines"
    if not row["values_overlap"]:
        return "war looks better"
    if not row["bargaining_range"]:
        return "red lines vs values"
    return "demands too high"


def weekly_summary(
    rows: list[dict[str, Any]],
    holder: str,
    defender: str,
    names: dict[str, str],
    places: dict[str, str],
    every: int = 4,
    events: dict[int, list[str]] | None = None,
    width: int | None = None,
) -> str:
    """The week-by-week table: every ``every`` weeks, plus every week where something happens.

    ``events`` names the scenario's dated events by the week they happen in, so that
    every kind of event shows in the notes (a change of resolve has no column). To fit
    ``width`` columns the beliefs go first, then the odds, the status and the sides'
    least and most acceptable shares; the notes wrap under themselves. A line beneath
    says what the columns shown mean.
    """
    first, second = names[holder], names[defender]
    headers = [
        "week",
        "date",
        f"{first} holds",
        "P(win)",
        f"belief {first}",
        f"belief {second}",
        f"{first} min",
        f"{second} max",
        "text",
        "accepted",
        "status",
        "no deal because",
        "notes",
    ]
    body = []
    previous = None
    for row in rows:
        notes = "; ".join(
            n for n in (*(events or {}).get(row["week"], []), _notes(row, previous, places)) if n
        )
        week = row["week"]
        keep = week == 0 or week % every == 0 or notes or week == rows[-1]["week"]
        previous = row
        if not keep:
            continue
        accepting = [
            names[side]
            for side in (holder, defender)
            if row.get(f"accepts_settlement_{side}", row[f"accepts_{side}"])
        ]
        accepted = "both" if len(accepting) == 2 else "".join(accepting)
        if row["ceasefire_in_force"]:
            status = "settled"
        elif row.get("capitulated"):
            status = "ended"
        elif row.get("general_ceasefire_in_force"):
            status = "cease-fire"
        elif row["text_territory"] is not None:
            status = "talks"
        else:
            status = "fighting"
        body.append(
            [
                week,
                row["date"],
                _pct(row["control"]),
                _num(row["p_holder_wins"]),
                _num(row[f"belief_{holder}"]),
                _num(row[f"belief_{defender}"]),
                _pct(row[f"reservation_{holder}"]),
                _pct(row[f"reservation_{defender}"]),
                _pct(row["text_territory"]),
                accepted or "-",
                status,
                f"{_other(accepting, names)} refuses"
                if status == "talks" and len(accepting) == 1
                else _obstacle(row, status),
                notes,
            ]
        )
    right = [True, False, True, True, True, True, True, True, True]
    drop_order = (4, 5, 3, 10, 6, 7, 9)
    shown = fitted_table(headers, body, right, width, drop_order)
    legend = {
        "P(win)": f"P(win): the chance {first} wins an engagement this week",
        "belief": "belief: what each side thinks that chance is",
        "min": (
            f"{first} min / {second} max: the least share {first} and the most {second} "
            "would accept rather than fight on, red lines aside"
        ),
        "text": "text: the mediator's text on territory",
        "accepted": "accepted: who accepts that text",
    }
    present = [note for key, note in legend.items() if key in shown.splitlines()[0]]
    return shown + "\n\n" + wrap("; ".join(present) + ".", width or 100)


def outcome_summary(outcome: dict[str, Any], issue_units: dict[str, str] | None = None) -> str:
    """The outcome in a few sentences."""
    lines = []
    ceasefire = outcome.get("ceasefire")
    if ceasefire:
        lines.append(
            f"A general cease-fire was agreed in week {ceasefire['week']} ({ceasefire['date']})."
        )
    truce = outcome.get("partial_truce")
    if truce:
        lines.append(
            f"A partial truce on strikes was agreed in week {truce['week']} ({truce['date']})."
        )
    surrender = outcome.get("capitulation")
    if surrender:
        lines.append(
            f"One side capitulated in week {surrender['week']} ({surrender['date']}): "
            "the terms left it none of the disputed territory (not counted as an agreement)."
        )
    if outcome["terms"] is not None:
        terms = ", ".join(f"{issue} {value:.3f}" for issue, value in outcome["terms"].items())
        lines.append(
            f"Settlement agreed in week {outcome['settlement']['week']} "
            f"({outcome['settlement']['date']}) on terms: {terms}."
        )
        if outcome["broke_down"]:
            lines.append(
                f"It broke down in week {outcome['breakdown_week']} ({outcome['breakdown_date']})."
            )
        else:
            lines.append("It held to the end of the run.")
        if outcome["agreements"] > 1:
            lines.append(f"Settlements reached in all: {outcome['agreements']}.")
        state = "in force" if outcome["in_force_at_end"] else "not in force"
        lines.append(f"At the end a settlement is {state}.")
    if not outcome["agreed"]:
        lines.append(f"No settlement or general cease-fire in {outcome['weeks_run']} weeks.")
    losses = ", ".join(f"{side} {value:,.0f}k" for side, value in outcome["losses"].items())
    lines.append(
        f"Territory held by the front's holder at the end: {_pct(outcome['control_at_end'])}. "
        f"Losses: {losses}."
    )
    return "\n".join(lines)


def _range(interval: dict[str, Any]) -> str:
    text = f"{_pct(interval['low'])} to {_pct(interval['high'])}"
    return text if interval["exists"] else f"none ({text} is empty)"


def analysis_summary(report: dict[str, Any]) -> str:
    """`ceasefire analyze` as text: sides, ranges, solutions, levers."""
    lines = [
        f"{report['scenario']}, week {report['week']} ({report['date']}): the holder "
        f"controls {_pct(report['control'])} of the disputed territory. Other issues are "
        "held at the midpoint of the two sides' ideals.",
        "",
    ]
    rows = []
    for side in report["sides"].values():
        reservation = side.get("reservation_minimum", side.get("reservation_maximum"))
        kind = "at least" if "reservation_minimum" in side else "at most"
        rows.append(
            [
                side["name"],
                _num(side["believed_p"]),
                _pct(side["expected_control"]),
                _num(side["cost_of_war_over_foresight"], 3),
                _num(side["value_of_fighting_on"], 3),
                f"{kind} {_pct(reservation)}",
            ]
        )
    lines.append(
        table(
            [
                "side",
                "believed odds",
                "expects holder at",
                "cost of war",
                "value of war",
                "accepts territory",
            ],
            rows,
            [False, True, True, True, True, False],
        )
    )
    nash, ks = report["nash"], report["kalai_smorodinsky"]
    lines += [
        "",
        f"Range by values of war: {_range(report['values_range'])}",
        f"Range inside red lines: {_range(report['red_lines_range'])}",
        f"Bargaining range:       {_range(report['bargaining_range'])}"
        " (by values, with red lines crossed where it pays by more than their cost)",
        f"Gap to close:           {_pct(report['gap'])} of the territory",
        f"Nash point:             {_pct(nash) if nash is not None else 'none (no range)'}",
        f"Kalai-Smorodinsky:      {_pct(ks) if ks is not None else 'none (no range)'}",
        "",
        "Levers: how far each would have to move to open a bargaining range",
    ]
    lever_rows = []
    for lever in report["levers"]:
        needed = lever.get("needed")
        lever_rows.append(
            [
                lever["lever"],
                _num(lever["current"], 3),
                "" if needed is None else _num(needed, 3),
                "" if needed is None else f"{lever['change']:+.3f}",
                lever.get("note", ""),
            ]
        )
    lines.append(
        table(
            ["lever", "now", "needed", "change", "note"],
            lever_rows,
            [False, True, True, True, False],
        )
    )
    return "\n".join(lines)


def _ci(figure: dict[str, Any]) -> str:
    if figure["value"] is None:
        return "no cases"
    low, high = figure["ci95"]
    return (
        f"{_pct(figure['value'])} (95% interval {_pct(low)} to {_pct(high)}; "
        f"{figure['count']:,} of {figure['of']:,})"
    )


def _quantile_row(label: str, q: dict[str, float] | None, fmt) -> list[str]:
    if q is None:
        return [label, "", "", "", "", ""]
    return [label, *(fmt(q[k]) for k in ("q5", "q25", "q50", "q75", "q95"))]


def mc_summary(summary: dict[str, Any], every: int = 13) -> str:
    """`ceasefire mc` as text: headline probabilities, timing, terms, durability, costs."""
    cumulative = summary["cumulative_agreement"]
    end = cumulative[-1]["date"] if cumulative else ""
    lines = [
        f"{summary['scenario']}: {summary['replications']:,} replications of "
        f"{summary['weeks']} weeks, seed {summary['seed']}.",
        "",
        f"Agreement by {end} (settlement or cease-fire): {_ci(summary['p_agreement'])}",
    ]
    labels = {
        "settlement": "  a settlement of every issue",
        "ceasefire": "  a general cease-fire (line frozen)",
        "partial_truce": "Partial truce on strikes (not an agreement)",
        "capitulation": "Capitulation (not an agreement)",
    }
    for kind, figure in summary.get("p_outcome", {}).items():
        lines.append(f"{labels[kind]}: {_ci(figure)}")
    lines += [
        f"Settlements that broke down: {_ci(summary['p_breakdown'])}",
        f"Settlement in force at the end: {_ci(summary['p_in_force_at_end'])}",
        *(
            f"{label}: {_ci(summary[key])}"
            for key, label in (
                ("p_ceasefire_broke_down", "General cease-fires that broke down"),
                ("p_ceasefire_in_force_at_end", "General cease-fire in force at the end"),
                ("p_partial_truce_broke_down", "Truces on strikes that broke down"),
            )
            if key in summary
        ),
        "",
        "Chance of an agreement by date",
    ]
    picked = [row for row in cumulative if row["week"] % every == 0 or row is cumulative[-1]]
    lines.append(
        table(
            ["week", "date", "agreed by then"],
            [[r["week"], r["date"], _pct(r["p"])] for r in picked],
            [True, False, True],
        )
    )
    rows = [
        _quantile_row(
            "week of agreement", summary["agreement_week_quantiles"], lambda v: f"{v:.0f}"
        )
    ]
    for issue, q in summary["terms_quantiles"].items():
        rows.append(_quantile_row(f"terms: {issue}", q, lambda v: f"{v:.3f}"))
    rows.append(
        _quantile_row(
            "holder's share at the end", summary["control_at_end_quantiles"], lambda v: f"{v:.3f}"
        )
    )
    for side, q in summary["losses"].items():
        rows.append(_quantile_row(f"losses {side} (thousands)", q, lambda v: f"{v:,.0f}"))
    lines += [
        "",
        "Quantiles (week: agreed runs; terms: settled runs; share and losses: all runs)",
    ]
    lines.append(
        table(
            ["", "5%", "25%", "median", "75%", "95%"], rows, [False, True, True, True, True, True]
        )
    )
    return "\n".join(lines)


def _headline_cells(cell: dict[str, Any]) -> list[str]:
    week = cell["median_week"]
    return [
        _pct(cell["p_agreement"]),
        "" if week is None else f"{week:.0f}",
        "" if cell["median_territory"] is None else f"{cell['median_territory']:.3f}",
        _pct(cell["p_breakdown"]),
        _pct(cell["p_in_force_at_end"]),
    ]


HEADLINE_COLUMNS = [
    "P(agreement)",
    "median week",
    "median territory",
    "P(breakdown)",
    "P(in force at end)",
]


def sweep_summary(result: dict[str, Any]) -> str:
    """`ceasefire sweep` as text: one row per grid point."""
    paths = [v["path"] for v in result["varies"]]
    rows = [
        [*(f"{cell['values'][p]:g}" for p in paths), *_headline_cells(cell)]
        for cell in result["cells"]
    ]
    head = (
        f"{result['scenario']}: {result['replications']:,} replications per point, "
        f"seed {result['seed']} (the same random numbers at every point)."
    )
    return (
        head
        + "\n\n"
        + table([*paths, *HEADLINE_COLUMNS], rows, [True] * (len(paths) + len(HEADLINE_COLUMNS)))
    )


def sensitivity_summary(report: dict[str, Any], top: int | None = None) -> str:
    """`ceasefire sensitivity` as text: uncertain values ranked by how much they matter."""
    low_q, high_q = report["quantiles"]
    base = report["base"]
    lines = [
        f"{report['scenario']}: {report['replications']:,} replications per run, seed "
        f"{report['seed']}. Each uncertain value is held at its {low_q:.0%} and "
        f"{high_q:.0%} percentiles in turn; everything else is sampled.",
        f"With everything sampled: P(agreement) {_pct(base['p_agreement'])}, median "
        f"agreed territory {_num(base['median_territory'], 3) or 'none'}.",
        "",
    ]
    rows = []
    for rank, row in enumerate(report["values"][:top], start=1):
        swing = row["swing_median_territory"]
        rows.append(
            [
                rank,
                row["path"],
                f"{row['low_value']:g}",
                f"{row['high_value']:g}",
                _pct(row["low"]["p_agreement"]),
                _pct(row["high"]["p_agreement"]),
                _pct(row["swing_p_agreement"]),
                "" if swing is None else f"{swing:.3f}",
            ]
        )
    lines.append(
        table(
            [
                "rank",
                "value",
                "low",
                "high",
                "P(agr) at low",
                "P(agr) at high",
                "swing",
                "territory swing",
            ],
            rows,
            [True, False, True, True, True, True, True, True],
        )
    )
    return "\n".join(lines)


def compare_summary(report: dict[str, Any]) -> str:
    """`ceasefire compare` as text: each figure for both scenarios and the difference."""

    def shown(name: str, value: Any) -> str:
        if isinstance(value, dict):
            value = value["value"]
        if value is None:
            return ""
        return _pct(value) if name.startswith("p_") else f"{value:.3f}"

    rows = []
    for name, figure in report["figures"].items():
        low, high = figure["ci95"]
        difference = figure["difference"]
        fmt = (
            (lambda v: f"{100 * v:+.1f} pts") if name.startswith("p_") else (lambda v: f"{v:+.3f}")
        )
        rows.append(
            [
                name.replace("_", " "),
                shown(name, figure["first"]),
                shown(name, figure["second"]),
                "" if difference is None else fmt(difference),
                "" if low is None else f"{fmt(low)} to {fmt(high)}",
            ]
        )
    head = (
        f"{report['second']} against {report['first']}: {report['replications']:,} "
        f"replications each, seed {report['seed']} (paired replications)."
    )
    return (
        head
        + "\n\n"
        + table(
            ["figure", report["first"], report["second"], "difference", "95% interval"],
            rows,
            [False, True, True, True, False],
        )
    )


def drivers_summary(report: dict[str, Any]) -> str:
    """`ceasefire drivers` as text: each mechanism's share of the outcome's variance."""

    def share(value: float | None) -> str:
        return "-" if value is None else _pct(value)

    rows = [
        [d["driver"], d["inputs"], share(d["agreement"]), share(d["week"])]
        for d in [*report["drivers"], report["all_inputs"]]
    ]
    return "\n".join(
        [
            f"{report['scenario']}: {report['replications']:,} replications, seed "
            f"{report['seed']}; {report['agreed']:,} reached an agreement.",
            "",
            table(
                ["driver", "inputs", "agreement", "week of agreement"],
                rows,
                [False, True, True, True],
            ),
            "",
            "Share of the variance of each outcome that the driver's inputs explain alone",
            "(adjusted R² of a quadratic fit; '-' where too few runs to fit: each term needs",
            "10); the rest is interaction and the chance of the war.",
        ]
    )
