"""`ceasefire report`: one self-contained HTML page to hand out or brief from.

Everything the page shows is inside it: charts are PNG data URIs and the styles are
inline, so it opens offline and refers to no other address. Every string that comes
from a scenario (names, quotes, claimants, reasons, sources) passes through
:func:`html.escape`; the page's own markup is fixed text. Print styles start each
scenario on a new page and keep the background white, so it prints to PDF for a class.

Sensitivity is ``ceasefire drivers``'s table (each mechanism's share of the variance
of agreement), computed from a lockstep run of the same size as the ensemble: it
costs a fraction of a second, where one-at-a-time sensitivity would cost an ensemble
per uncertain value.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from html import escape
from typing import Any

from ..scenario.quantities import Provenance
from ..scenario.schema import Belligerent, Scenario
from .explain import _value

CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #111; background: #fff;
       max-width: 1100px; margin: 1.5em auto; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.8em; margin-bottom: 0.2em; }
h2 { font-size: 1.4em; border-bottom: 2px solid #333; padding-bottom: 0.15em; margin-top: 1.6em; }
h3 { font-size: 1.15em; margin-top: 1.2em; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0 1em; font-size: 0.92em; }
th, td { border: 1px solid #999; padding: 0.25em 0.45em; vertical-align: top; text-align: left; }
th { background: #eee; }
td.num { text-align: right; white-space: nowrap; }
blockquote { margin: 0.2em 0 0.2em 0.8em; font-style: italic; color: #333; }
.tag { font-size: 0.85em; color: #444; }
.assumption { font-weight: bold; }
figure { margin: 0.8em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #ccc; }
figcaption { font-size: 0.9em; color: #333; }
.note { font-size: 0.9em; color: #333; }
nav ul { columns: 2; }
@media print {
  body { max-width: none; margin: 0; font-size: 10.5pt; }
  section.scenario { break-before: page; }
  section.scenario:first-of-type { break-before: auto; }
  h2, h3 { break-after: avoid; }
  tr, figure, blockquote { break-inside: avoid; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
}
"""


def _png(fig: Any) -> str:
    """An <img> with the chart as a PNG data URI."""
    from .charts import chart_bytes

    data = base64.b64encode(chart_bytes(fig, "png")).decode("ascii")
    return f'<img alt="chart" src="data:image/png;base64,{data}">'


def _figure(fig: Any, caption: str) -> str:
    return f"<figure>{_png(fig)}<figcaption>{caption}</figcaption></figure>"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _ci(figure: dict[str, Any]) -> str:
    low, high = figure["ci95"]
    return f"{_pct(figure['value'])} ({_pct(low)} to {_pct(high)})"


def _provenance(node: Provenance) -> str:
    """The quote, source and claimant of a value, or its reason as an assumption."""
    parts = []
    if node.is_assumption:
        parts.append('<span class="assumption">ASSUMPTION</span>')
    else:
        checked = "verified" if node.verified else "unverified"
        parts.append(f'<span class="tag">{escape(str(node.claimed_by))}; {checked}</span>')
    if node.quote:
        source = f" ({escape(str(node.source))})" if node.source else ""
        parts.append(f"<blockquote>“{escape(node.quote)}”{source}</blockquote>")
        if node.is_assumption and node.claimed_by:
            parts.append(f'<span class="tag">quoting {escape(str(node.claimed_by))}</span>')
    if node.assumption:
        parts.append(f'<div class="tag">why: {escape(" ".join(node.assumption.split()))}</div>')
    return "".join(parts)


def positions_table(scenario: Scenario) -> str:
    """Each actor's stated positions, demands and red lines, with quotes and claimants."""
    rows = []
    for actor in scenario.actors.values():
        name = escape(actor.name)
        for statement in actor.statements:
            rows.append((name, "says", escape(_value(statement)), _provenance(statement)))
        for issue, stance in actor.positions.items():
            share = issue == "territory"  # in percent of the four oblasts, as `explain`
            rows.append(
                (
                    name,
                    f"{escape(issue)}: demand",
                    escape(_value(stance.ideal, share)),
                    _provenance(stance.ideal),
                )
            )
            line = stance.red_line
            if line is None:
                if isinstance(actor, Belligerent):
                    rows.append((name, f"{escape(issue)}: red line", "none", ""))
                continue
            rows.append(
                (name, f"{escape(issue)}: red line", escape(_value(line, share)), _provenance(line))
            )
            if line.cost is not None:
                rows.append(
                    (
                        name,
                        f"{escape(issue)}: cost of crossing it",
                        escape(_value(line.cost)),
                        _provenance(line.cost),
                    )
                )
            else:
                rows.append((name, f"{escape(issue)}: cost of crossing it", "a hard line", ""))
    body = "".join(
        f"<tr><td>{a}</td><td>{b}</td><td>{c}</td><td>{d}</td></tr>" for a, b, c, d in rows
    )
    return (
        "<table><thead><tr><th>actor</th><th>what</th><th>value</th>"
        "<th>quote, claimant, or why it is assumed</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def assumptions_table(scenario: Scenario) -> str:
    """Every value the scenario labels an assumption, with its value and reason."""
    from ..scenario.checks import walk

    rows = []
    for path, node in walk(scenario):
        if isinstance(node, Provenance) and hasattr(node, "value") and node.is_assumption:
            reason = " ".join((node.assumption or "").split())
            rows.append(
                f"<tr><td>{escape('.'.join(map(str, path)))}</td>"
                f"<td>{escape(_value(node))}</td><td>{escape(reason)}</td></tr>"
            )
    return (
        f"<p>{len(rows)} values are labelled assumptions (the rest quote a source).</p>"
        "<table><thead><tr><th>value</th><th>set to</th><th>why</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def sources_list(scenario: Scenario) -> str:
    """The scenario's sources as plain text (no links: the page refers to nothing)."""
    items = []
    for source_id, source in scenario.sources.items():
        fields = [source.title, source.publisher, source.date and source.date.isoformat()]
        text = ", ".join(str(f) for f in fields if f)
        where = f" — {source.address}" if getattr(source, "address", None) else ""
        items.append(f"<li><b>{escape(source_id)}</b>: {escape(text + where)}</li>")
    return f"<ul>{''.join(items)}</ul>" if items else "<p>No sources listed.</p>"


def outcomes_table(summary: dict[str, Any]) -> str:
    """The chance of each outcome with its 95% interval, and when and on what terms."""
    kinds = {
        "settlement": "a settlement (agreed terms)",
        "ceasefire": "a general cease-fire",
        "partial_truce": "a truce on strikes (not an agreement)",
        "capitulation": "a capitulation (not an agreement)",
    }
    rows = [("an agreement (settlement or general cease-fire)", _ci(summary["p_agreement"]))]
    rows += [(kinds[k], _ci(v)) for k, v in summary["p_outcome"].items() if k in kinds]
    rows.append(("a settlement breaks down (of those settled)", _ci(summary["p_breakdown"])))
    rows.append(("a settlement in force at the end", _ci(summary["p_in_force_at_end"])))
    body = "".join(f"<tr><td>{a}</td><td class='num'>{b}</td></tr>" for a, b in rows)
    quantile_rows = []
    weeks = summary["agreement_week_quantiles"]
    if weeks:
        start = dt.date.fromisoformat(summary["cumulative_agreement"][0]["date"]) - dt.timedelta(
            weeks=1
        )
        dates = {k: (start + dt.timedelta(weeks=round(v))).isoformat() for k, v in weeks.items()}
        quantile_rows.append(("date of agreement", dates))
    terms = summary["terms_quantiles"].get("territory")
    if terms:
        quantile_rows.append(
            ("settled territory (holder's share)", {k: _pct(v) for k, v in terms.items()})
        )
    front = summary["control_at_end_quantiles"]
    if front:
        quantile_rows.append(
            ("front at the end (holder's share)", {k: _pct(v) for k, v in front.items()})
        )
    qbody = "".join(
        f"<tr><td>{label}</td>"
        + "".join(f"<td class='num'>{v}</td>" for v in values.values())
        + "</tr>"
        for label, values in quantile_rows
    )
    return (
        "<table><thead><tr><th>chance of</th><th>estimate (95% interval)</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
        + (
            "<table><thead><tr><th>quantiles</th><th>5%</th><th>25%</th><th>median</th>"
            f"<th>75%</th><th>95%</th></tr></thead><tbody>{qbody}</tbody></table>"
            if qbody
            else "<p>No replication reached an agreement: no dates or terms to show.</p>"
        )
    )


def drivers_table(report: dict[str, Any]) -> str:
    """``ceasefire drivers``: each mechanism's share of the variance of the outcome."""

    def share(value: float | None) -> str:
        return "–" if value is None else _pct(value)

    rows = "".join(
        f"<tr><td>{escape(d['driver'])}</td><td class='num'>{d['inputs']}</td>"
        f"<td class='num'>{share(d['agreement_r2'])}</td>"
        f"<td class='num'>{share(d['agreement_week_r2'])}</td></tr>"
        for d in [*report["drivers"], report["all_inputs"]]
    )
    return (
        f"<p class='note'>A separate ensemble of {report['replications']:,} replications run "
        f"in one lockstep model (seed {report['seed']}), so its count differs a little from "
        f"the outcomes above: {report['agreements']:,} reached an agreement. The share of the "
        "variance of each outcome that a mechanism's inputs explain alone (adjusted R² of a "
        "quadratic fit; – where there are too few runs for the fit: ten a term); the rest "
        "is interaction and the chance of the war. For stable shares, run "
        "<code>ceasefire drivers</code> with its default 20,000 replications.</p>"
        "<table><thead><tr><th>mechanism</th><th>inputs</th><th>agreement</th>"
        f"<th>week of agreement</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def comparison_table(report: dict[str, Any]) -> str:
    """``ceasefire compare`` as a table: both figures, the paired difference, its interval."""
    rows = []
    for name, figure in report["figures"].items():
        is_p = name.startswith("p_") or name.endswith(("territory", "control_at_end"))

        def shown(value: Any, is_p: bool = is_p) -> str:
            if isinstance(value, dict):
                value = value["value"]
            if value is None:
                return "–"
            return _pct(value) if is_p else f"{value:.3f}"

        def diff(value: float | None, is_p: bool = is_p) -> str:
            if value is None:
                return "–"
            return f"{100 * value:+.1f} pts" if is_p else f"{value:+.3f}"

        low, high = figure["ci95"]
        rows.append(
            f"<tr><td>{escape(name.replace('_', ' '))}</td><td class='num'>"
            f"{shown(figure['first'])}</td><td class='num'>{shown(figure['second'])}</td>"
            f"<td class='num'>{diff(figure['difference'])}</td>"
            f"<td class='num'>{diff(low)} to {diff(high)}</td></tr>"
        )
    return (
        f"<h3>{escape(report['second'])} against {escape(report['first'])}</h3>"
        f"<p class='note'>{report['replications']:,} replications each, seed {report['seed']}, "
        "paired replication by replication (same seed), so the difference reflects the "
        "scenarios rather than chance. Weeks and territory medians are over agreed "
        "replications.</p>"
        f"<table><thead><tr><th>figure</th><th>{escape(report['first'])}</th>"
        f"<th>{escape(report['second'])}</th><th>difference</th><th>95% interval</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def scenario_section(
    scenario: Scenario, index: int, replications: int, seed: int | None, weeks: int | None
) -> str:
    """One scenario: positions, assumptions, the positions picture, outcomes, drivers."""
    from ..ensemble import run_ensemble
    from ..summaries import summarize
    from ..variance import drivers
    from .ensemble_charts import (
        acceptance_figure,
        agreement_figure,
        front_fan,
        front_figure,
        terms_figure,
    )
    from .positions_chart import positions_figure, positions_run

    name = escape(scenario.name)
    run = positions_run(scenario, seed=seed, weeks=weeks)
    result = run_ensemble(scenario, replications, seed=seed, weeks=weeks)
    summary = summarize(result)
    attribution = drivers(scenario, replications, seed)
    anchor = f"s{index}"
    return f"""
<section class="scenario" id="{anchor}">
<h2>{name}</h2>
<p>{escape(" ".join(scenario.description.split()))}</p>
<p class="note">From {scenario.start} for {result.weeks} weeks; {result.replications:,}
replications, seed {result.seed}.</p>
<h3>Positions: who demands what, and who says so</h3>
{positions_table(scenario)}
<h3>The positions, week by week (one run)</h3>
{
        _figure(
            positions_figure(run),
            f"One run, seed {run.seed} (<code>ceasefire plot {name} --seed {run.seed}</code> "
            "draws it; <code>ceasefire run</code> with the same seed tabulates it). Solid lines "
            "are demands, dashed red lines, dotted reservation points (what each side would "
            "accept rather than fight on), dash-dot asks in talks; diamonds the mediator's text. "
            "The strip says why there is no deal in each week.",
        )
    }
<h3>Outcomes over {result.replications:,} replications</h3>
{outcomes_table(summary)}
{
        _figure(
            agreement_figure(result),
            "The chance of an agreement by each date, with its 95% interval (Wilson).",
        )
    }
{_figure(terms_figure(result), "The territory the front's holder keeps under settlements.")}
{
        _figure(
            acceptance_figure(result),
            "Each side's chance of having accepted a proposal by each "
            "date: any proposal (with its 95% interval), a settlement, a general cease-fire, a "
            "truce on strikes. One side accepting is not an agreement.",
        )
    }
{
        _figure(
            front_figure(front_fan(scenario, replications, seed, weeks)),
            "Where the front line goes: the median and the middle 50% and 90% of replications.",
        )
    }
<h3>What the outcome depends on</h3>
{drivers_table(attribution)}
<h3>Assumptions</h3>
{assumptions_table(scenario)}
<h3>Sources</h3>
{sources_list(scenario)}
</section>
"""


def report(
    scenarios: Sequence[Scenario],
    replications: int = 2000,
    seed: int | None = None,
    weeks: int | None = None,
    generated: str = "",
) -> str:
    """The whole HTML page for ``scenarios`` (the first is the reference for comparisons)."""
    from ..ensemble import Runs
    from ..studies import compare

    sections = [scenario_section(s, i, replications, seed, weeks) for i, s in enumerate(scenarios)]
    comparisons = ""
    if len(scenarios) > 1:
        runs = Runs(replications, seed, weeks)
        tables = [comparison_table(compare(scenarios[0], other, runs)) for other in scenarios[1:]]
        comparisons = (
            '<section class="scenario" id="compare"><h2>Comparison</h2>'
            f"<p>Each scenario against {escape(scenarios[0].name)}.</p>{''.join(tables)}</section>"
        )
    names = ", ".join(escape(s.name) for s in scenarios)
    toc = "".join(f'<li><a href="#s{i}">{escape(s.name)}</a></li>' for i, s in enumerate(scenarios))
    if comparisons:
        toc += '<li><a href="#compare">Comparison</a></li>'
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cease-fire talks: {names}</title>
<style>{CSS}</style>
</head>
<body>
<h1>Cease-fire talks: {names}</h1>
<p class="note">A model of the Russia-Ukraine cease-fire talks ({escape(generated)}). The
figures are a model's output under the stated positions and assumptions below, not a
forecast; every stated position shows its quote and who claimed it.</p>
<nav><ul>{toc}</ul></nav>
{"".join(sections)}
{comparisons}
</body>
</html>
"""
