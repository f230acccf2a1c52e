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
    drop_order: Sequence[int | tuple[int, ...]] = (),
    least_last: int = 24,
) -> str:
    """A table that fits ``width`` columns (None: as wide as it takes).

    Columns in ``drop_order`` (indices, or tuples of indices that leave together; the
    first dropped first) leave until the table
    fits with at least ``least_last`` columns for the last column, whose text then
    wraps onto lines of its own, under itself.
    """
    keep = list(range(len(headers)))
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    flags = list(right) + [False] * (len(headers) - len(right))

    def fixed_width(columns: list[int]) -> int:
        return sum(max(len(row[i]) for row in cells) + 2 for i in columns[:-1])

    least_last = max(min(least_last, max(len(row[-1]) for row in cells)), len(cells[0][-1]))

    if width is not None:
        for group in drop_order:
            if fixed_width(keep) + least_last <= width:
                break
            for index in group if isinstance(group, tuple) else (group,):
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


MAX_WIDTH = 100
"""No line of a command's default output is wider than this, whatever the terminal."""


HOLDER_SHARE = "holder's share"
"""The one name, in every command's text, for the share of the disputed territory (the
four oblasts) that the front's holder holds; files call it ``control`` (weekly) and
``control_at_end`` (per replication). See docs/MODEL.md."""

LOSSES = "killed and wounded"
"""What the losses count, said beside every figure of them."""


def fit(width: int | None) -> int:
    """The width prose wraps at: the terminal's, never more than ``MAX_WIDTH``.

    ``None`` (``--wide``) lets tables take what they need; prose still wraps at the most.
    """
    return MAX_WIDTH if width is None else min(width, MAX_WIDTH)


def wrap(text: str, width: int = 88, indent: str = "", hanging: str | None = None) -> str:
    """``text`` as a paragraph of at most ``width`` columns; later lines indent by ``hanging``."""
    return textwrap.fill(
        " ".join(text.split()),
        width=width,
        initial_indent=indent,
        subsequent_indent=indent if hanging is None else hanging,
        break_on_hyphens=False,
    )


def wrap_lines(text: str, width: int) -> str:
    """Every line longer than ``width`` wrapped under its own indent (for prose and lists).

    A line that starts ``name   text`` (two or more spaces after a first word) wraps
    under ``text``, so a listing keeps its column.
    """
    import re

    out = []
    for line in text.splitlines():
        if len(line) <= width:
            out.append(line)
            continue
        column = re.match(r"^(\s*\S+\s{2,})(?=\S)", line)
        indent = len(line) - len(line.lstrip())
        hanging = " " * (column.end() if column and column.end() < width // 2 else indent + 2)
        out.append(
            textwrap.fill(
                line.strip(),
                width=width,
                initial_indent=" " * indent,
                subsequent_indent=hanging,
                break_on_hyphens=False,
                break_long_words=True,
            )
        )
    return "\n".join(out)


def weeks_text(value: float | None) -> str:
    """A number of weeks, whole: ``62``."""
    return "" if value is None else f"{value:.0f}"


def thousands(value: float) -> str:
    """A count given in thousands, in words: ``527 thousand``, ``1.2 million``."""
    if abs(value) >= 1000:
        return f"{value / 1000:,.1f} million"
    return f"{value:,.0f} thousand"


def tidy(value: float, step: float | None = None) -> str:
    """A swept value with no more digits than its grid needs: ``0.717``, not ``0.716667``."""
    import math

    if step:
        digits = max(0, 1 - math.floor(math.log10(abs(step))))
        text = f"{value:.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{value:.4g}"


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
    ``width`` columns the beliefs go first, then the odds, the status, the sides' least
    and most acceptable shares (together), who accepted and last the date; the notes
    wrap under themselves. A paragraph beneath says what the columns shown mean.
    """
    first, second = names[holder], names[defender]
    headers = [
        "week",
        "date",
        HOLDER_SHARE,
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
    drop_order = ((4, 5), 3, 10, (6, 7), 9, 1)
    shown = fitted_table(headers, body, right, width, drop_order, least_last=20)
    min_shown = f"{first} min" in _header_cells(shown)
    header = _header_cells(shown)
    reasons = {row[11] for row in body}
    because = {
        "red lines": "red lines: the two red lines leave no text both allow"
        + (" (even where min and max, which leave red lines out, overlap)" if min_shown else ""),
        "war looks better": f"war looks better: the least share {first} would accept rather "
        f"than fight on is above the most {second} would",
        "red lines vs values": "red lines vs values: the texts both prefer to war lie beyond "
        "a red line",
        "demands too high": "demands too high: a range exists but the demands do not meet in it",
        **{
            f"{name} refuses": f"{name} refuses: the other side accepts the text, {name} does not"
            for name in (first, second)
        },
    }
    statuses = {row[10] for row in body}
    status_words = {
        "fighting": "fighting (no talks)",
        "talks": "talks (a text is on the table)",
        "cease-fire": "cease-fire (a general cease-fire is in force)",
        "settled": "settled (a settlement is in force)",
        "ended": "ended (one side capitulated)",
    }
    legend = {
        "P(win)": f"P(win): the chance {first} wins an engagement this week",
        f"belief {first}": (
            "belief: what each side thinks that chance is"
            if "P(win)" in header
            else f"belief: what each side thinks is the chance {first} wins an engagement"
        ),
        f"{first} min": (
            f"{first} min / {second} max: the least share {first} and the most {second} "
            "would accept rather than fight on, red lines aside"
        ),
        "text": "text: the mediator's text on territory",
        "accepted": "accepted: who accepts that text",
        "status": "status: "
        + ", ".join(words for word, words in status_words.items() if word in statuses),
        "no deal because": "no deal because: "
        + "; ".join(words for reason, words in because.items() if reason in reasons),
    }
    present = [
        note
        for key, note in legend.items()
        if key in header and (key != "no deal because" or reasons - {""})
    ]
    return shown + "\n\n" + wrap("; ".join(present) + ".", width or 100)


def side_name(actor_id: str) -> str:
    """An actor's id as a name where only the id is at hand: ``united_states``, United States."""
    return actor_id.replace("_", " ").title()


def term_text(issue: str, value: float) -> str:
    """A term of a deal: territory in percent of the four oblasts, other issues on a 0-1 scale."""
    return f"{issue} {_pct(value)}" if issue == "territory" else f"{issue} {value:.2f}"


def _area(share: float, area_km2: float | None) -> str:
    return "" if area_km2 is None else f" (about {share * area_km2:,.0f} km²)"


def outcome_summary(
    outcome: dict[str, Any],
    issue_units: dict[str, str] | None = None,
    names: dict[str, str] | None = None,
    area_km2: float | None = None,
) -> str:
    """The outcome in a few sentences: dates, terms in percent, losses in thousands."""
    names = names or {}
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
        terms = ", ".join(term_text(issue, value) for issue, value in outcome["terms"].items())
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
    share = outcome["control_at_end"]
    lines.append(
        f"{HOLDER_SHARE.capitalize()} at the end: {_pct(share)} of the four oblasts"
        f"{_area(share, area_km2)}."
    )
    losses = ", ".join(
        f"{names.get(side, side_name(side))} {thousands(value)}"
        for side, value in outcome["losses"].items()
    )
    lines.append(f"Losses, {LOSSES}: {losses}.")
    return "\n".join(lines)


def _range(interval: dict[str, Any]) -> str:
    text = f"{_pct(interval['low'])} to {_pct(interval['high'])}"
    return text if interval["exists"] else f"none ({text} is empty)"


def analysis_summary(report: dict[str, Any], width: int | None = 80) -> str:
    """`ceasefire analyze` as text: sides, ranges, solutions, levers."""
    prose = fit(width)
    lines = [
        wrap(
            f"{report['scenario']}, week {report['week']} ({report['date']}): the "
            f"{HOLDER_SHARE} is {_pct(report['control'])} of the four oblasts. Other issues "
            "are held at the midpoint of the two sides' ideals.",
            prose,
        ),
        "",
    ]
    rows = []
    for side in report["sides"].values():
        reservation = side["reservation"]
        kind = "at least" if side["reservation_bound"] == "minimum" else "at most"
        rows.append(
            [
                side["name"],
                _num(side["belief"]),
                _pct(side["expected_control"]),
                _num(side["cost_of_war_over_foresight"], 3),
                _num(side["walk_away"], 3),
                f"{kind} {_pct(reservation)}",
            ]
        )
    lines.append(
        fitted_table(
            ["side", "belief", "expects", "cost of war", "value of war", "accepts"],
            rows,
            [False, True, True, True, True, False],
            width,
            drop_order=(3, 4),
            least_last=14,
        )
    )
    lines.append(
        wrap(
            "belief: the chance the side believes the holder wins an engagement; expects: "
            f"the {HOLDER_SHARE} it expects from fighting on; cost and value of war: per "
            "week of foresight, on the side's utility scale; accepts: the share of the "
            "four oblasts it would accept rather than fight on, red lines aside.",
            prose,
        )
    )
    nash, ks = report["nash"], report["kalai_smorodinsky"]
    lines += [
        "",
        f"Range by values of war: {_range(report['values_range'])}",
        f"Range inside red lines: {_range(report['red_lines_range'])}",
        textwrap.fill(
            f"Bargaining range:       {_range(report['bargaining_range'])} (by values, with "
            "red lines crossed where it pays by more than their cost)",
            prose,
            subsequent_indent=" " * 24,
        ),
        f"Gap to close:           {_pct(report['gap'])} of the four oblasts",
        f"Nash point:             {_pct(nash) if nash is not None else 'none (no range)'}",
        f"Kalai-Smorodinsky:      {_pct(ks) if ks is not None else 'none (no range)'}",
        "",
        wrap("Levers: how far each would have to move to open a bargaining range", prose),
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
        fitted_table(
            ["lever", "now", "needed", "change", "note"],
            lever_rows,
            [False, True, True, True, False],
            prose,
        )
    )
    kinds = "; ".join(
        f"{lever['lever']}: {lever['description']}"
        for lever in report["levers"]
        if lever.get("description")
    )
    lines.append(
        wrap(
            "now: the lever at this week; needed: the nearest value that opens a bargaining "
            "range; change: needed minus now. " + (f"The levers: {kinds}." if kinds else ""),
            prose,
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


def _quantile_row(label: str, q: dict[str, float] | None, fmt, over: str) -> list[str]:
    if q is None:
        return [label, "", "", "", "", "", over]
    return [label, *(fmt(q[k]) for k in ("q5", "q25", "q50", "q75", "q95")), over]


def mc_summary(summary: dict[str, Any], every: int = 13, width: int | None = 80) -> str:
    """`ceasefire mc` as text: headline probabilities, timing, terms, durability, costs."""
    prose = fit(width)
    cumulative = summary["cumulative_agreement"]
    end = cumulative[-1]["date"] if cumulative else ""

    def said(label: str, figure: dict[str, Any]) -> str:
        indent = " " * (len(label) - len(label.lstrip()))
        return wrap(f"{label.strip()}: {_ci(figure)}", prose, indent, indent + "    ")

    lines = [
        wrap(
            f"{summary['scenario']}: {summary['replications']:,} replications of "
            f"{summary['weeks']} weeks, seed {summary['seed']}.",
            prose,
        ),
        "",
        said(f"Agreement by {end} (settlement or cease-fire)", summary["p_agreement"]),
    ]
    labels = {
        "settlement": "  a settlement of every issue",
        "ceasefire": "  a general cease-fire (line frozen)",
        "partial_truce": "Partial truce on strikes (not an agreement)",
        "capitulation": "Capitulation (not an agreement)",
    }
    for kind, figure in summary.get("p_outcome", {}).items():
        lines.append(said(labels[kind], figure))
    lines += [
        said("Settlements that broke down", summary["p_breakdown"]),
        said("Settlement in force at the end", summary["p_in_force_at_end"]),
        *(
            said(label, summary[key])
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
            "week of agreement", summary["agreement_week_quantiles"], weeks_text, "agreed runs"
        )
    ]
    for issue, q in summary["terms_quantiles"].items():
        shown = _pct if issue == "territory" else (lambda v: f"{v:.2f}")
        rows.append(_quantile_row(f"terms: {issue}", q, shown, "settled runs"))
    rows.append(
        _quantile_row(
            f"{HOLDER_SHARE} at the end", summary["control_at_end_quantiles"], _pct, "all runs"
        )
    )
    for side, q in summary["losses"].items():
        rows.append(
            _quantile_row(
                f"{side_name(side)} losses (thousands)", q, lambda v: f"{v:,.0f}", "all runs"
            )
        )
    lines += ["", "Quantiles over the runs each row names"]
    lines.append(
        fitted_table(
            ["", "5%", "25%", "median", "75%", "95%", "over"],
            rows,
            [False, True, True, True, True, True, False],
            width,
            least_last=8,
        )
    )
    lines.append(
        wrap(
            "week: weeks from the start; terms: territory in percent of the four oblasts, "
            f"other issues on their 0-1 scale; {HOLDER_SHARE}: percent of the four oblasts "
            f"the front's holder holds; losses: {LOSSES}, in thousands.",
            prose,
        )
    )
    return "\n".join(lines)


def _headline_cells(cell: dict[str, Any]) -> list[str]:
    """A cell's figures; those over agreed runs marked ``*`` where the cell flags them as
    resting on too few agreements to read."""
    few = "*" if cell.get("too_few_agreements") else ""

    def marked(text: str) -> str:
        return f"{text}{few}" if text else text

    return [
        _pct(cell["p_agreement"]),
        marked(weeks_text(cell["median_week"])),
        marked(_pct(cell["median_territory"])),
        marked(_pct(cell["p_breakdown"])),
        _pct(cell["p_in_force_at_end"]),
    ]


HEADLINE_COLUMNS = ["P(agree)", "week", "territory", "P(break)", "P(in force)"]
HEADLINE_LEGEND = {
    "P(agree)": "P(agree): chance of an agreement by the horizon",
    "week": "week: median week of agreement, over agreed runs",
    "territory": (
        "territory: median territory in the settlement's terms, percent of the four "
        "oblasts, over settled runs"
    ),
    "P(break)": "P(break): share of settlements that broke down",
    "P(in force)": "P(in force): chance a settlement is in force at the end",
}
"""What each headline column means; a legend names only the columns its table shows."""


def _header_cells(table_text: str) -> list[str]:
    """The column headers of a table :func:`table` drew (cells are two spaces apart)."""
    import re

    return [cell for cell in re.split(r"\s{2,}", table_text.splitlines()[0].strip()) if cell]


def _short_paths(paths: list[str]) -> list[str]:
    """Column names for dotted paths: the last two parts when they tell them apart."""
    short = [".".join(p.split(".")[-2:]) for p in paths]
    return short if len(set(short)) == len(short) else paths


def sweep_summary(result: dict[str, Any], width: int | None = 80) -> str:
    """`ceasefire sweep` as text: one row per grid point."""
    prose = fit(width)
    varies = result["varies"]
    paths = [v["path"] for v in varies]
    steps = [(v["high"] - v["low"]) / (v["steps"] - 1) if v["steps"] > 1 else None for v in varies]
    rows = [
        [
            *(tidy(cell["values"][p], step) for p, step in zip(paths, steps, strict=True)),
            *_headline_cells(cell),
        ]
        for cell in result["cells"]
    ]
    head = wrap(
        f"{result['scenario']}: {result['replications']:,} replications per point, "
        f"seed {result['seed']} (the same random numbers at every point).",
        prose,
    )
    names = _short_paths(paths)
    counted = all("agreements" in cell for cell in result["cells"])
    if counted:  # how many agreements each cell's figures rest on
        for row, cell in zip(rows, result["cells"], strict=True):
            row.insert(len(paths) + 1, f"{cell['agreements']:,}")
    columns = [*names, *HEADLINE_COLUMNS]
    if counted:
        columns.insert(len(paths) + 1, "agreed")
    first = len(paths) + (1 if counted else 0)
    shown = fitted_table(
        columns,
        rows,
        [True] * len(columns),
        width,
        drop_order=[first + 3, first + 4, *([len(paths) + 1] if counted else [])],
        least_last=8,
    )
    swept = "; ".join(f"{n}: {p}" for n, p in zip(names, paths, strict=True) if n != p)
    header = _header_cells(shown)
    meanings = "; ".join(text for name, text in HEADLINE_LEGEND.items() if name in header)
    legend = (f"Swept: {swept}. " if swept else "") + meanings + "."
    if "agreed" in shown.splitlines()[0].split():
        legend += " agreed: the runs that reached an agreement."
    if any(cell.get("too_few_agreements") for cell in result["cells"]):
        legend += " *: too few agreements in the cell to read the figure."
    return head + "\n\n" + shown + "\n\n" + wrap(legend, prose)


def sensitivity_summary(
    report: dict[str, Any], top: int | None = None, width: int | None = 80
) -> str:
    """`ceasefire sensitivity` as text: uncertain values ranked by how much they matter."""
    prose = fit(width)
    low_q, high_q = report["quantiles"]
    base = report["base"]
    lines = [
        wrap(
            f"{report['scenario']}: {report['replications']:,} replications per run, seed "
            f"{report['seed']}. Each uncertain value is held at its {low_q:.0%} and "
            f"{high_q:.0%} percentiles in turn; everything else is sampled.",
            prose,
        ),
        wrap(
            f"With everything sampled: P(agreement) {_pct(base['p_agreement'])}; median "
            "agreed territory "
            + (
                f"{_pct(base['median_territory'])} of the four oblasts."
                if base["median_territory"] is not None
                else "none (no settlement)."
            ),
            prose,
        ),
        "",
    ]
    rows: list[list[Any]] = []
    for rank, row in enumerate(report["values"][:top], start=1):
        swing = row["swing_median_territory"]
        rows.append(
            [
                rank,
                row["path"],
                f"{row['low_value']:.4g}",
                f"{row['high_value']:.4g}",
                _pct(row["low"]["p_agreement"]),
                _pct(row["high"]["p_agreement"]),
                _pct(row["swing_p_agreement"]),
                "" if swing is None else f"{100 * swing:.1f} pts",
            ]
        )
    headers = ["rank", "value", "low", "high", "P at low", "P at high", "swing", "terms swing"]
    right = [True, False, True, True, True, True, True, True]
    if width is not None:  # the path gives way in its middle; below 32 columns, a column goes
        cells = [headers, *[[str(c) for c in r] for r in rows]]
        columns = [0, 2, 3, 4, 5, 6, 7]
        for dropped in (None, 7, 2, 3):
            if dropped is not None:
                columns.remove(dropped)
            room = fit(width) - sum(max(len(r[i]) for r in cells) + 2 for i in columns)
            if room >= 32:
                break
        for r in rows:
            r[1] = _middle_cut(r[1], max(room, 24))
    shown = fitted_table(headers, rows, right, width, drop_order=(7, 2, 3), least_last=5)
    header = [name.strip() for name in shown.splitlines()[0].split("  ") if name.strip()]
    legend = [
        "low, high: the value at its percentiles" if "low" in header else "",
        "P at low/high: the chance of an agreement with the value held at its low and high "
        "percentile; swing: the difference",
        "terms swing: the change in the median agreed territory, in points of the four oblasts"
        if "terms swing" in header
        else "",
    ]
    more = "" if "terms swing" in header else " (--wide shows every column)"
    lines += [shown, wrap("; ".join(p for p in legend if p) + "." + more, prose)]
    return "\n".join(lines)


def _middle_cut(text: str, width: int) -> str:
    """A long name that fits ``width``: its middle gives way to '…'."""
    if len(text) <= width:
        return text
    keep = width - 1
    return text[: keep // 2] + "…" + text[-(keep - keep // 2) :]


COMPARE_LABELS = {
    "p_agreement": "P(agreement)",
    "p_settlement": "P(settlement)",
    "p_ceasefire": "P(general cease-fire)",
    "p_partial_truce": "P(truce on strikes)",
    "p_capitulation": "P(capitulation)",
    "p_in_force_at_end": "P(settlement in force at end)",
    "p_breakdown": "P(breakdown | settled)",
    "median_week": "median week agreed",
    "median_territory": "median terms: territory",
    "median_control_at_end": f"median {HOLDER_SHARE} at end",
}


def compare_summary(report: dict[str, Any], width: int | None = 80) -> str:
    """`ceasefire compare` as text: each figure for both scenarios and the difference."""
    prose = fit(width)

    def kind(name: str) -> str:
        if name.startswith("p_"):
            return "p"
        return "week" if "week" in name else "share"

    def shown(name: str, value: Any) -> str:
        if isinstance(value, dict):
            value = value["value"]
        if value is None:
            return ""
        if kind(name) == "week":  # a median of whole weeks: whole, or a half
            return f"{value:.0f}" if value == round(value) else f"{value:.1f}"
        return _pct(value)

    def signed(name: str, value: float, unit: bool = True) -> str:
        if kind(name) == "week":
            text = f"{value:+.1f}" if value != round(value) else f"{value:+.0f}"
            return f"{text} wk" if unit else text
        return f"{100 * value:+.1f} pts" if unit else f"{100 * value:+.1f}"

    rows = []
    for name, figure in report["figures"].items():
        low, high = figure["ci95"]
        difference = figure["difference"]
        rows.append(
            [
                COMPARE_LABELS.get(name, name.replace("_", " ")),
                shown(name, figure["first"]),
                shown(name, figure["second"]),
                "" if difference is None else signed(name, difference),
                "" if low is None else f"{signed(name, low, False)} to {signed(name, high, False)}",
            ]
        )
    headers = ["figure", report["first"], report["second"], "difference", "95% interval"]
    if width is not None:
        headers[1:3] = _fitted_names(headers, rows, width)
    head = wrap(
        f"{report['second']} against {report['first']}: {report['replications']:,} "
        f"replications each, seed {report['seed']} (paired replications).",
        prose,
    )
    legend = wrap(
        "Difference: second minus first, its 95% interval in the same unit; pts: "
        "percentage points; wk: weeks. Territory "
        f"and {HOLDER_SHARE} are percent of the four oblasts. Week and terms are over the "
        "runs that agreed or settled; the interval is a paired bootstrap for those, a "
        "paired normal interval for the chances.",
        prose,
    )
    return (
        head
        + "\n\n"
        + fitted_table(
            headers,
            rows,
            [False, True, True, True, False],
            width,
            least_last=max(len(row[-1]) for row in rows),  # an interval is never broken
        )
        + "\n"
        + legend
    )


def _fitted_names(headers: list[str], rows: list[list[str]], width: int) -> list[str]:
    """The two scenarios' names as column headers that let the table fit ``width``: the
    longer name gives way first, its middle cut (the line above the table names both);
    a name keeps at least 8 characters, or its column's figures' width."""
    names = list(headers[1:3])
    least = [max(8, *(len(row[i]) for row in rows)) for i in (1, 2)]

    def total() -> int:
        cells = [[headers[0], *names, *headers[3:]], *rows]
        return sum(max(len(row[i]) for row in cells) + 2 for i in range(len(headers))) - 2

    while total() > width:
        longer = [i for i in (0, 1) if len(names[i]) > least[i]]
        if not longer:
            break
        i = max(longer, key=lambda j: len(names[j]))
        names[i] = _middle_cut(names[i], len(names[i]) - 1)
    return names


def drivers_summary(report: dict[str, Any], width: int | None = 80) -> str:
    """`ceasefire drivers` as text: each mechanism's share of the outcome's variance."""
    prose = fit(width)

    def share(value: float | None) -> str:
        return "-" if value is None else _pct(value)

    rows = [
        [d["driver"], d["inputs"], share(d["agreement_r2"]), share(d["agreement_week_r2"])]
        for d in [*report["drivers"], report["all_inputs"]]
    ]
    return "\n".join(
        [
            wrap(
                f"{report['scenario']}: {report['replications']:,} replications, seed "
                f"{report['seed']}; {report['agreements']:,} reached an agreement.",
                prose,
            ),
            "",
            fitted_table(
                ["driver", "inputs", "agreement", "week"],
                rows,
                [False, True, True, True],
                width,
            ),
            "",
            wrap(
                "agreement, week: the share of the variance of agreement (yes or no) and of "
                "the week of agreement that the driver's inputs explain alone (adjusted R² of "
                "a quadratic fit; '-' where too few runs to fit: each term needs 10); the rest "
                "is interaction and the chance of the war.",
                prose,
            ),
        ]
    )
