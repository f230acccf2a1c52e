"""The browser app (``ceasefire app``): one run of a bundled scenario, driven from sliders.

Mesa's SolaraViz draws the page: a scenario and the main levers in the sidebar, Reset /
Step / Play to build and advance the model, and two panels that read the model's weekly
records: the outcome so far and a picture of the positions on the territory issue. The app
adds no model logic: every slider is a multiple of a number the scenario already has
(1 = the scenario as written), applied through ``CeasefireModel(fixed=...)``, and the talks
protocol is a ``--set``-style override of ``talks.protocol``.

Importing this module needs the optional ``app`` extra (solara, ipyvuetify<3).
"""

from __future__ import annotations

import datetime as dt
import html
import os
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.dates

matplotlib.use("Agg")

import numpy as np
import solara
from matplotlib.figure import Figure

with warnings.catch_warnings():
    # Mesa 3.3's SolaraViz trips Solara's rules-of-hooks check when it is defined; the
    # warning concerns Mesa's code, not this app's, and would greet every user.
    warnings.filterwarnings("ignore", category=UserWarning, module="solara.validate_hooks")
    from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update

from simulator.errors import ScenarioError
from simulator.model import CeasefireModel
from simulator.results import outcome, weekly_records
from simulator.scenario import bundled_scenarios, load_scenario
from simulator.talks.registry import PROTOCOLS

AS_WRITTEN = "as in the scenario"
"""The protocol choice that keeps the scenario's own talks protocol."""

DEFAULT_SCENARIO = "baseline"


@cache
def scenario_files() -> dict[str, Path]:
    """The bundled scenarios by the name ``ceasefire list`` shows (``theory/nash-mediator``)."""
    files = bundled_scenarios()
    if not files:
        return {}
    root = Path(os.path.commonpath([f.parent for f in files]))
    return {f.relative_to(root).with_suffix("").as_posix(): f for f in files}


def _scenario_names() -> list[str]:
    names = list(scenario_files())
    if DEFAULT_SCENARIO in names:
        names.remove(DEFAULT_SCENARIO)
        names.insert(0, DEFAULT_SCENARIO)
    return names


def _multiplied(draws: dict[str, np.ndarray], paths: list[str], factor: float, top: float | None):
    """The drawn values at ``paths`` times ``factor`` (capped at ``top``), for ``fixed=``."""
    fixed = {}
    for path in paths:
        if path in draws:
            values = draws[path] * factor
            fixed[path] = np.minimum(values, top) if top is not None else values
    return fixed


class AppModel(CeasefireModel):
    """One replication of a bundled scenario with the app's levers applied.

    Every argument has a default so that SolaraViz can build the model from its sliders
    (it checks them against this signature). Multiples scale the scenario's own draws for
    this seed, so at 1 the run is the one ``ceasefire run`` shows for the same seed.

    Args:
        scenario: a bundled scenario's name, as in ``ceasefire list``.
        seed: an integer as text; blank for the scenario's own seed.
        protocol: a talks protocol, or ``AS_WRITTEN``.
        aid, intelligence, sanctions: the mediator's levers (and the scenario's events that
            set them), as multiples.
        holder_resolve, defender_resolve: each belligerent's resolve (and resolve events),
            as multiples, capped at 1.
        holder_red_line_cost, defender_red_line_cost: what crossing each red line costs at
            home, as multiples (a hard line stays hard).
    """

    def __init__(
        self,
        scenario: str = DEFAULT_SCENARIO,
        seed: str = "",
        protocol: str = AS_WRITTEN,
        aid: float = 1.0,
        intelligence: float = 1.0,
        sanctions: float = 1.0,
        holder_resolve: float = 1.0,
        defender_resolve: float = 1.0,
        holder_red_line_cost: float = 1.0,
        defender_red_line_cost: float = 1.0,
    ):
        files = scenario_files()
        file = files.get(scenario, scenario)
        self.notes: list[str] = []
        overrides = [] if protocol in ("", AS_WRITTEN) else [f"talks.protocol={protocol}"]
        try:
            loaded = load_scenario(file, overrides)
        except ScenarioError as exc:
            self.notes.append(f"The {protocol} protocol does not fit this scenario ({exc}).")
            loaded = load_scenario(file)
        text = str(seed).strip()
        run_seed = int(text) if text.lstrip("-").isdigit() else None
        if text and run_seed is None:
            self.notes.append(f"Seed '{text}' is not a whole number: the scenario's seed is used.")
        fixed = self._levers(
            loaded,
            run_seed,
            {"aid": aid, "intelligence": intelligence, "sanctions": sanctions},
            (holder_resolve, defender_resolve),
            (holder_red_line_cost, defender_red_line_cost),
        )
        super().__init__(loaded, replications=1, seed=run_seed, fixed=fixed)
        self.settings = {
            "US aid": aid,
            "intelligence": intelligence,
            "sanctions": sanctions,
            f"{_name(self, self.holder.actor_id)} resolve": holder_resolve,
            f"{_name(self, self.defender.actor_id)} resolve": defender_resolve,
            f"{_name(self, self.holder.actor_id)} red-line cost": holder_red_line_cost,
            f"{_name(self, self.defender.actor_id)} red-line cost": defender_red_line_cost,
        }
        self.scenario_name = scenario
        self.run_seed = loaded.seed if run_seed is None else run_seed
        # After "Run to the end" Mesa's Step and Play buttons stay enabled (its controller
        # learns that a run ended only from its own steps): past the horizon a step is a no-op.
        week = self.step

        def step_while_running() -> None:
            if self.running:
                week()

        # Replaces, on this instance, the step Mesa wrapped (so a no-op step past the
        # horizon counts no week): a deliberate assignment to a method.
        self.step = step_while_running  # type: ignore[method-assign]

    @staticmethod
    def _levers(
        scenario: Any,
        seed: int | None,
        levers: dict[str, float],
        resolve: tuple[float, float],
        red_line_cost: tuple[float, float],
    ) -> dict[str, np.ndarray]:
        """The scenario numbers the sliders change, as ``fixed=`` values for this seed."""
        draws = CeasefireModel(scenario, replications=1, seed=seed, collect=False).draws
        fixed: dict[str, np.ndarray] = {}
        mediator = scenario.mediator_id
        for lever, factor in levers.items():
            paths = [f"actors.{mediator}.leverage.{lever}"] if mediator else []
            paths += [f"events.{k}.level" for k, e in scenario.events.items() if e.kind == lever]
            fixed |= _multiplied(draws, paths, factor, None)
        sides = (scenario.front.holder, scenario.defender)
        for side, resolve_factor, cost_factor in zip(sides, resolve, red_line_cost, strict=True):
            paths = [f"actors.{side}.resolve"] + [
                f"events.{k}.level"
                for k, e in scenario.events.items()
                if e.kind == "resolve" and getattr(e, "actor", None) == side
            ]
            fixed |= _multiplied(draws, paths, resolve_factor, 1.0)
            costs = [p for p in draws if p.startswith(f"actors.{side}.") and p.endswith(".cost")]
            fixed |= _multiplied(draws, [p for p in costs if ".red_line." in p], cost_factor, None)
        return fixed


# ----------------------------------------------------------------------------- panels


def _name(model: CeasefireModel, actor: str) -> str:
    return model.scenario.actors[actor].name or actor


def _land(model: CeasefireModel) -> str:
    """What the territory scale measures, in words ("the four oblasts")."""
    unit = model.scenario.issues["territory"].unit or ""
    return unit.removeprefix("share of ") if unit.startswith("share of ") else "the contested land"


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{100 * share:.1f}%"


def outcome_lines(model: CeasefireModel) -> list[str]:
    """The outcome so far, in plain words: a heading, then one line each (Markdown-style
    ``**bold:**`` lead-ins, turned into HTML by ``outcome_html``)."""
    scenario = model.scenario
    holder, defender = scenario.front.holder, scenario.defender
    last = weekly_records(model)[-1]
    result = outcome(model)
    lines = [
        f"Week {model.steps} of {scenario.horizon} · {last['date']}",
        f"**Front:** {_name(model, holder)} holds {_percent(last['control'])} of "
        f"{_land(model)} ({last['control_km2']:,.0f} km²).",
    ]
    if model.mediator is not None:
        lines.append(
            f"**Levers in force:** aid {last['aid']:.2f}, intelligence "
            f"{last['intelligence']:.2f}, sanctions {last['sanctions']:.2f} "
            "(1 = the level at the start)."
        )
    events = []
    for kind, label in (
        ("settlement", "Settlement agreed"),
        ("ceasefire", "General cease-fire agreed"),
        ("partial_truce", "Partial truce agreed"),
        ("capitulation", "Capitulation"),
    ):
        if result[kind]:
            events.append(f"{label} in week {result[kind]['week']} ({result[kind]['date']})")
    if result["terms"]:
        terms = []
        for issue, value in result["terms"].items():
            if issue == "territory":
                terms.append(f"{_name(model, holder)} keeps {_percent(value)} of {_land(model)}")
            else:
                low, high = scenario.issues[issue].scale
                terms.append(f"{issue} {value:.2f} (on its {low:g}-{high:g} scale)")
        events.append("terms: " + ", ".join(terms))
    if result["broke_down"]:
        events.append(f"The agreement broke down in week {result['breakdown_week']}")
    if events:
        lines.append("**Outcome:** " + "; ".join(events) + ".")
    elif model.running:
        lines.append("**Outcome:** no agreement yet.")
    else:
        lines.append("**Outcome:** no agreement by the end of the run.")
    accepts = [
        f"{_name(model, side)} {'accepts' if last.get(f'accepts_{side}') else 'refuses'}"
        for side in (holder, defender)
    ]
    if model.steps and not (last.get("settled") or last.get("capitulated")):
        lines.append("**This week at the table:** " + ", ".join(accepts) + ".")
    settings = getattr(model, "settings", {})
    changed = [f"{name} ×{value:.2f}" for name, value in settings.items() if value != 1.0]
    lines.append(
        "**Settings:** "
        + (", ".join(changed) if changed else "every lever as in the scenario")
        + "."
    )
    lines.append(
        f"Scenario {getattr(model, 'scenario_name', scenario.name)}, seed "
        f"{getattr(model, 'run_seed', scenario.seed)}, protocol {scenario.talks.protocol}."
    )
    lines.extend(getattr(model, "notes", []))
    return lines


def outcome_html(model: CeasefireModel) -> str:
    """``outcome_lines`` as escaped HTML (plain HTML: Solara's Markdown fetches KaTeX)."""
    heading, *lines = outcome_lines(model)
    parts = [f'<h2 class="ceasefire-week">{html.escape(heading)}</h2>']
    for line in lines:
        lead, sep, rest = line.partition(":** ")
        if line.startswith("**") and sep:
            body = f"<b>{html.escape(lead[2:])}:</b> {html.escape(rest)}"
        else:
            body = f"<i>{html.escape(line)}</i>"
        parts.append(f"<p>{body}</p>")
    return '<div style="font-size: 16px; line-height: 1.45">' + "".join(parts) + "</div>"


def OutcomePanel(model: CeasefireModel) -> None:
    """The week, the front, the levers and the outcome, with a button to run to the end."""

    def run_to_end() -> None:
        while model.running:
            model.step()
        force_update()

    with solara.Column(classes=["ceasefire-outcome"]):
        solara.HTML(tag="div", unsafe_innerHTML=outcome_html(model), classes=["ceasefire-text"])
        solara.Button(
            "Run to the end",
            on_click=run_to_end,
            color="primary",
            outlined=True,
            disabled=not model.running,
        )


def positions_figure(model: CeasefireModel) -> Figure:
    """The front and each side's positions on the territory issue, week by week.

    Every value is the holder's share of the contested territory (the scale of the
    territory issue): the front line, each side's ask, reservation point (what it takes
    rather than fight on) and red line, and the mediator's text, with the weekly records'
    verdict on the range between the reservation points.
    """
    scenario = model.scenario
    holder, defender = scenario.front.holder, scenario.defender
    rows = weekly_records(model)
    dates = [np.datetime64(r["date"]) for r in rows]

    def series(key: str) -> np.ndarray:
        return np.array([np.nan if r.get(key) is None else 100 * r[key] for r in rows])

    fig = Figure(figsize=(7.5, 5.6), layout="constrained")
    ax = fig.subplots()

    def line(key: str, label: str, **style: Any) -> None:
        values = series(key)
        if np.isfinite(values).any():  # a line the run never had stays out of the legend
            # A dot on this week's value: the newest point, and a lone week, stay visible.
            ax.plot(dates, values, label=label, marker="o", markevery=[-1], ms=4, **style)

    colours = {holder: "#b2182b", defender: "#2166ac"}
    for side in (holder, defender):
        name, colour = _name(model, side), colours[side]
        line(f"ask_{side}_territory", f"{name}: ask", color=colour, lw=2)
        line(f"reservation_{side}", f"{name}: reservation", color=colour, lw=1.6, ls="--")
        line(f"red_line_{side}_territory", f"{name}: red line", color=colour, lw=1.6, ls=":")
    line("control", "Front line", color="black", lw=3)
    if model.mediator is not None:
        mediator = _name(model, model.mediator.actor_id)
        line("text_territory", f"{mediator}: text", color="#1b7837", lw=1.8, ls="-.")
    # Between the reservation points: a bargaining range where the model finds one, and
    # hatched where the values overlap but a red line stands in the way.
    low, high = series(f"reservation_{holder}"), series(f"reservation_{defender}")
    in_range = np.array([bool(r.get("bargaining_range")) for r in rows])
    blocked = np.array(
        [bool(r.get("values_overlap")) and not r.get("red_lines_overlap") for r in rows]
    )
    if in_range.any():
        ax.fill_between(
            dates, low, high, where=in_range, color="#999999", alpha=0.5, label="Bargaining range"
        )
    if blocked.any():
        ax.fill_between(
            dates,
            low,
            high,
            where=blocked,
            facecolor="none",
            edgecolor="#777777",
            hatch="///",
            lw=0,
            label="Values overlap, red lines block",
        )
    # Limits and marks in matplotlib's own date numbers, as its typed API asks.
    start = matplotlib.dates.date2num(scenario.date_of_week(0))
    end = matplotlib.dates.date2num(scenario.date_of_week(scenario.horizon))
    ax.set_xlim(start, end)
    ax.set_ylim(-2, 102)
    result = outcome(model)
    for kind, label in (
        ("settlement", "settlement"),
        ("ceasefire", "cease-fire"),
        ("partial_truce", "partial truce"),
        ("capitulation", "capitulation"),
    ):
        if result[kind]:
            when = matplotlib.dates.date2num(dt.date.fromisoformat(result[kind]["date"]))
            ax.axvline(when, color="#444444", lw=1.2)
            ax.annotate(
                label,
                (when, 0.98),
                xycoords=("data", "axes fraction"),
                rotation=90,
                ha="right",
                va="top",
                fontsize=11,
                backgroundcolor="white",
            )
    ax.set_ylabel(f"{_name(model, holder)}-held share of {_land(model)} (%)", fontsize=13)
    ax.set_title(f"Positions on territory, week {model.steps}", fontsize=15)
    ax.tick_params(labelsize=12)
    locator = matplotlib.dates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(matplotlib.dates.ConciseDateFormatter(locator))
    ax.grid(alpha=0.3)
    # Inside the axes, where the asks leave room: the page gives the chart a fixed cell.
    ax.legend(loc="lower right", ncol=2, fontsize=10.5, framealpha=0.9)
    return fig


def PositionsChart(model: CeasefireModel) -> None:
    """The positions picture, redrawn after every step."""
    solara.FigureMatplotlib(positions_figure(model), format="png", dpi=100)


# ----------------------------------------------------------------------------- the page


def model_params() -> dict[str, Any]:
    """The sidebar's inputs, by ``AppModel`` argument."""

    def multiple(label: str, top: float = 2.0) -> dict[str, Any]:
        return {
            "type": "SliderFloat",
            "value": 1.0,
            "min": 0.0,
            "max": top,
            "step": 0.05,
            "label": label,
        }

    return {
        "scenario": {
            "type": "Select",
            "value": DEFAULT_SCENARIO,
            "values": _scenario_names(),
            "label": "Scenario",
        },
        "seed": {"type": "InputText", "value": "", "label": "Seed (blank: the scenario's)"},
        "protocol": {
            "type": "Select",
            "value": AS_WRITTEN,
            "values": [AS_WRITTEN, *PROTOCOLS],
            "label": "Talks protocol",
        },
        "aid": multiple("US aid ×"),
        "intelligence": multiple("Intelligence ×"),
        "sanctions": multiple("Sanctions ×"),
        "holder_resolve": multiple("Russia resolve ×"),
        "defender_resolve": multiple("Ukraine resolve ×"),
        "holder_red_line_cost": multiple("Russia red-line cost ×", 5.0),
        "defender_red_line_cost": multiple("Ukraine red-line cost ×", 5.0),
    }


def make_page() -> Any:
    """The SolaraViz page (``solara run`` serves a module's ``page``)."""
    return SolaraViz(
        AppModel(),
        components=[PositionsChart, OutcomePanel],
        model_params=model_params(),
        name="Cease-fire talks: positions, front and outcome",
    )


page = make_page()
