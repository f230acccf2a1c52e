"""History matching of the battlefield to public figures of 2024 and before.

The battlefield's parameters (engagements, the contest exponent, the ground a net
win moves, attrition, replenishment, the defence of towns) are not observed; what
was published in 2024 are their consequences: Russian losses a day, the ratio of
losses, the pace and peaks of Russian gains, how long towns took to fall, forces that
held. History matching (Craig et al. 1997; Vernon, Goldstein and Bower 2010;
Andrianakis et al. 2017 for stochastic models) rules out the parameter values whose
simulated consequences are too far from those figures, wave after wave, and keeps
the rest: a region, not a point.

For each candidate point ``x`` the scenario's own battlefield (``CeasefireModel``'s
fight, talks switched off: a year of war as in 2024) runs ``M`` replications in
lockstep, the other numbers drawn from the scenario as usual. Target ``j``'s
implausibility is

    I_j(x) = |mean_j(x) - z_j| / sqrt(V_obs,j + V_md,j + V_run,j(x)),

with ``V_obs`` from the target's published range (taken as +-2 standard deviations),
``V_md`` a model discrepancy (a stated share of the value) and ``V_run`` the
run-to-run variance of the simulated quantity (reality is one run). A point is kept
when its largest implausibility is below the cutoff (3, Pukelsheim's three-sigma
rule). Each wave samples the bounding box of the previous wave's kept points with
more replications per point, so the region sharpens as the estimates do.

The targets, their sources and the prior ranges live in a data file
(``scenarios/calibration/2024.yaml``); nothing dated after its ``cutoff`` may be
used. The library never prints: :func:`calibrate` returns a :class:`Calibration`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field, ValidationError, model_validator

from . import battlefield
from .ensemble import release
from .errors import ScenarioError
from .model import CeasefireModel
from .scenario.loader import BUNDLED_DIR, _problems_from_pydantic, load_scenario, read_mapping
from .scenario.quantities import IsoDate, StrictModel
from .scenario.schema import Scenario

DEFAULT_TARGETS = BUNDLED_DIR / "calibration" / "2024.yaml"
"""The bundled targets: 2024 and before."""

TOWN_TARGETS = ("large_town_fall_days", "small_town_fall_days")
"""Targets measured on a synthetic town assaulted from the first week."""


# ------------------------------------------------------------------ the targets file


class TargetSource(StrictModel):
    """A publication a target rests on."""

    title: str
    publisher: str | None = None
    date: IsoDate | None = None
    address: str | None = None
    note: str | None = None


class Target(StrictModel):
    """One published figure: a value, the range its uncertainty allows, and who says so."""

    description: str
    value: float
    range: tuple[float, float]
    unit: str
    source: str
    date: IsoDate
    claimant: str
    note: str | None = None

    @model_validator(mode="after")
    def _range_holds_value(self) -> Target:
        low, high = self.range
        if not low <= self.value <= high or low == high:
            raise ValueError("range must be [low, high] with low < high around the value")
        return self


class Town(StrictModel):
    """A synthetic town a town target is measured on."""

    depth_km: tuple[float, float]
    note: str


class TownAxis(StrictModel):
    """The share of engagements fought on a town's axis."""

    value: float = Field(gt=0.0, le=1.0)
    note: str


class Towns(StrictModel):
    axis_share: TownAxis
    large_town_fall_days: Town
    small_town_fall_days: Town


class Parameter(StrictModel):
    """A battlefield number to calibrate: the scenario paths it sets, and its prior range."""

    paths: list[str] = Field(min_length=1)
    prior: tuple[float, float]

    @model_validator(mode="after")
    def _ordered(self) -> Parameter:
        if not self.prior[0] < self.prior[1]:
            raise ValueError("prior must be [low, high] with low < high")
        return self


class Method(StrictModel):
    """History-matching settings: waves, points and replications per wave, cutoff."""

    waves: int = Field(ge=1, le=10)
    points: list[int]
    replications_per_point: list[int]
    cutoff: float = Field(gt=0.0)
    discrepancy: float = Field(ge=0.0)
    box_share: float = Field(gt=0.0, le=1.0)
    seed: int = Field(ge=0)

    @model_validator(mode="after")
    def _one_per_wave(self) -> Method:
        if len(self.points) != self.waves or len(self.replications_per_point) != self.waves:
            raise ValueError("give one 'points' and one 'replications_per_point' per wave")
        if min(self.points) < 10 or min(self.replications_per_point) < 2:
            raise ValueError("each wave needs at least 10 points of 2 replications")
        return self


class Targets(StrictModel):
    """The calibration file: targets with sources, synthetic towns, priors and method."""

    format: int
    name: str
    description: str
    scenario: str
    cutoff: IsoDate
    weeks: int = Field(ge=8, le=104)
    sources: dict[str, TargetSource]
    targets: dict[str, Target]
    towns: Towns
    parameters: dict[str, Parameter]
    method: Method

    @model_validator(mode="after")
    def _consistent(self) -> Targets:
        for name, target in self.targets.items():
            if target.source not in self.sources:
                raise ValueError(f"target '{name}': unknown source '{target.source}'")
            if target.date > self.cutoff:
                raise ValueError(
                    f"target '{name}': dated {target.date}, after the cutoff {self.cutoff}"
                )
            if name not in SIMULATED:
                raise ValueError(
                    f"target '{name}': not a simulated quantity ({', '.join(SIMULATED)})"
                )
        for name, source in self.sources.items():
            if source.date is not None and source.date > self.cutoff:
                raise ValueError(f"source '{name}': dated {source.date}, after the cutoff")
        if "town_defence" not in self.parameters and any(t in self.targets for t in TOWN_TARGETS):
            raise ValueError("town targets need a 'town_defence' parameter")
        return self

    def sigma(self, name: str, above: np.ndarray) -> np.ndarray:
        """Standard deviation of target ``name``'s observation and model discrepancy.

        The published range is read as the observation's +-3 standard deviations on
        each side of the value (it may be lopsided), so that with the cutoff at 3 a
        point stays only if its expected year lies inside the range, give or take the
        discrepancy and the Monte Carlo error. ``above`` says, per point, on which side
        of the value its simulated mean lies.
        """
        target = self.targets[name]
        low, high = target.range
        observed = np.where(above, high - target.value, target.value - low) / 3.0
        return np.hypot(observed, self.method.discrepancy * abs(target.value))


def load_targets(path: str | Path | None = None) -> Targets:
    """Read and validate a targets file (default: the bundled 2024 figures).

    Raises:
        ScenarioError: naming the file (and line and field where known).
    """
    file = Path(path) if path is not None else DEFAULT_TARGETS
    data, positions = read_mapping(file, "targets")
    try:
        return Targets.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_problems_from_pydantic(exc, data, positions, file)) from None


# ---------------------------------------------------------------- the simulated year


class _Battlefield(CeasefireModel):
    """The scenario's model with some numbers given per replication (the candidates)."""

    def __init__(self, scenario: Scenario, values: dict[str, np.ndarray], replications: int, seed):
        self._values = values
        super().__init__(scenario, replications=replications, seed=seed, collect=False)

    def draw(self, path: str, default: float | None = None) -> np.ndarray:
        if path in self._values:
            return self._values[path]
        return super().draw(path, default)


SIMULATED = (
    "russia_losses_per_day",
    "ukraine_losses_per_day",
    "loss_ratio",
    "km2_per_week",
    "peak_month_km2",
    "large_town_fall_days",
    "small_town_fall_days",
    "russia_forces_change",
    "ukraine_forces_change",
)
"""The quantities a simulated year yields, one per replication."""


def simulate_year(
    scenario: Scenario,
    replications: int,
    seed: int | np.random.SeedSequence,
    weeks: int = 52,
    values: dict[str, np.ndarray] | None = None,
    towns: Towns | None = None,
    town_defence: np.ndarray | None = None,
    rng: np.random.Generator | None = None,
) -> dict[str, np.ndarray]:
    """Fight ``weeks`` weeks with the talks switched off; the year's quantities per run.

    Uses the model's own battlefield step, so what is calibrated is what runs. The
    scenario's holder is taken to be Russia. Town targets are measured on a synthetic
    town whose assault starts in week 1, on an axis with the towns' share, using the
    same effort rule as places (:func:`battlefield.effort_at`); a town still standing
    at the end counts as falling the week after (censored).
    """
    model = _Battlefield(scenario, values or {}, replications, seed)
    holder, defender = model.belligerents
    forces = (holder.forces.copy(), defender.forces.copy())
    control = np.empty((weeks + 1, replications))
    control[0] = model.front.control
    net = np.empty((weeks, replications))
    for week in range(weeks):
        # The week's number keys its random draws (simulator.streams), as in step().
        model.steps = week + 1
        wins_holder, wins_defender = model._fight()
        net[week] = wins_holder - wins_defender
        control[week + 1] = model.front.control
    days = 7.0 * weeks
    russia, ukraine = holder.losses_total / days, defender.losses_total / days
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(ukraine > 0, russia / np.where(ukraine > 0, ukraine, 1.0), np.inf)
        change = [
            np.where(f0 > 0, side.forces / np.where(f0 > 0, f0, 1.0) - 1.0, 0.0)
            for f0, side in zip(forces, (holder, defender), strict=True)
        ]
    gained_km2 = (control[1:] - control[:-1]) * model.front.area_km2
    months = weeks // 4
    monthly = gained_km2[: 4 * months].reshape(months, 4, replications).sum(axis=1)
    out = {
        "russia_losses_per_day": 1000.0 * russia,
        "ukraine_losses_per_day": 1000.0 * ukraine,
        "loss_ratio": ratio,
        "km2_per_week": (control[-1] - control[0]) * model.front.area_km2 / weeks,
        "peak_month_km2": monthly.max(axis=0),
        "russia_forces_change": change[0],
        "ukraine_forces_change": change[1],
    }
    if towns is not None and town_defence is not None:
        rng = rng if rng is not None else np.random.default_rng(0)
        effort = np.cumsum(net * towns.axis_share.value * model.front.km_per_net_win, axis=0)
        for name in TOWN_TARGETS:
            shallow, deep = getattr(towns, name).depth_km
            depth = rng.uniform(shallow, deep, size=replications)
            needed = battlefield.effort_at(depth, [(np.zeros(replications), depth, town_defence)])
            fallen = effort >= needed
            fall_week = np.where(fallen.any(axis=0), fallen.argmax(axis=0) + 1, weeks + 1)
            out[name] = 7.0 * fall_week
    release(model)  # Mesa 3.3 would keep it alive (see ensemble.release)
    return out


# --------------------------------------------------------------- history matching


@dataclass
class Wave:
    """One wave: its points, their implausibility, and which stay."""

    points: np.ndarray  # (N, P)
    replications: int
    means: dict[str, np.ndarray]
    implausibility: np.ndarray  # (N, T)
    kept: np.ndarray  # (N,) bool


@dataclass
class Calibration:
    """The result: targets, the waves, the kept region, and posterior predictive checks."""

    targets: Targets
    parameter_names: list[str]
    prior: np.ndarray  # (P, 2)
    waves: list[Wave]
    kept_points: np.ndarray  # (K, P)
    kept_range: np.ndarray  # (P, 2): a box of ranges inside the kept region
    box_share: float  # share of the box's points that are not implausible
    predictive: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "method": "history matching",
            "targets": {
                name: {
                    "value": t.value,
                    "range": list(t.range),
                    "unit": t.unit,
                    "source": t.source,
                    "date": t.date.isoformat(),
                    "claimant": t.claimant,
                }
                for name, t in self.targets.targets.items()
            },
            "box_share": self.box_share,
            "waves": [
                {
                    "points": len(w.points),
                    "replications_per_point": w.replications,
                    "kept": int(w.kept.sum()),
                }
                for w in self.waves
            ],
            "parameters": {
                name: {
                    "prior": [float(v) for v in self.prior[i]],
                    "kept_points_5_95": [
                        float(v) for v in np.quantile(self.kept_points[:, i], [0.05, 0.95])
                    ]
                    if len(self.kept_points)
                    else None,
                    "calibrated_range": [float(v) for v in self.kept_range[i]],
                }
                for i, name in enumerate(self.parameter_names)
            },
            "predictive": self.predictive,
        }


def _values_for(targets: Targets, names: list[str], points: np.ndarray, repeat: int):
    """Scenario paths -> per-replication values for ``points`` each run ``repeat`` times."""
    values: dict[str, np.ndarray] = {}
    for i, name in enumerate(names):
        column = np.repeat(points[:, i], repeat)
        for path in targets.parameters[name].paths:
            values[path] = column
    return values


def _run_points(
    scenario: Scenario,
    targets: Targets,
    names: list[str],
    points: np.ndarray,
    repeat: int,
    seed: np.random.SeedSequence,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Mean and run-to-run variance of every target at every point."""
    values = _values_for(targets, names, points, repeat)
    model_seed, town_seed = seed.spawn(2)
    defence = (
        values[targets.parameters["town_defence"].paths[0]]
        if ("town_defence" in targets.parameters)
        else None
    )
    year = simulate_year(
        scenario,
        len(points) * repeat,
        model_seed,
        targets.weeks,
        values,
        targets.towns,
        defence if defence is not None else np.ones(len(points) * repeat),
        np.random.default_rng(town_seed),
    )
    means, variances = {}, {}
    for name in targets.targets:
        runs = np.nan_to_num(year[name], posinf=1e6).reshape(len(points), repeat)
        means[name] = runs.mean(axis=1)
        variances[name] = runs.var(axis=1, ddof=1)
    return means, variances


def implausibility(
    targets: Targets,
    means: dict[str, np.ndarray],
    variances: dict[str, np.ndarray],
    replications: int,
) -> np.ndarray:
    """``(N, T)`` implausibility of every point's expected year against every target.

    The variance of the simulated mean is the run-to-run variance over the
    ``replications`` run at the point (Monte Carlo error of the mean).
    """
    columns = []
    for name, target in targets.targets.items():
        sigma2 = (
            targets.sigma(name, means[name] > target.value) ** 2 + variances[name] / replications
        )
        columns.append(np.abs(means[name] - target.value) / np.sqrt(sigma2))
    return np.stack(columns, axis=1)


def _candidates(
    rng: np.random.Generator, prior: np.ndarray, kept: np.ndarray | None, n: int
) -> np.ndarray:
    """``n`` points to try: the prior box at first, then the last wave's kept region.

    The kept region is a thin, tilted set (more attrition needs more replenishment),
    which a box around it would mostly miss; so later waves resample the kept points
    and move each by a normal step with the kept points' covariance (halved, plus a
    twentieth of the prior's width in every direction), as in sequential Monte Carlo,
    reflected back into the prior box.
    """
    low, high = prior[:, 0], prior[:, 1]
    if kept is None:
        return low + rng.random((n, len(prior))) * (high - low)
    chosen = kept[rng.integers(len(kept), size=n)]
    # A few kept points span fewer dimensions than there are parameters; a step of a
    # twentieth of the prior's width in every direction keeps the search full.
    covariance = 0.5 * np.atleast_2d(np.cov(kept, rowvar=False))
    covariance += np.diag((0.05 * (high - low)) ** 2)
    step = rng.multivariate_normal(np.zeros(len(prior)), covariance, size=n, method="eigh")
    width = high - low
    folded = np.mod(chosen + step - low, 2.0 * width)
    return low + np.where(folded > width, 2.0 * width - folded, folded)


BOX_SCALES = (1.0, 0.8, 0.65, 0.5, 0.4, 0.3, 0.2, 0.1)
"""Fractions of the kept points' 5-95% spread tried for the box, widest first."""

WIDEN_STEP = 0.25
"""How much of its spread a parameter's range grows by in each try of the widening."""


def _box_share(
    scenario: Scenario,
    targets: Targets,
    names: list[str],
    box: np.ndarray,
    n: int,
    rng: np.random.Generator,
    seed: np.random.SeedSequence,
) -> float:
    """Share of ``n`` uniform points of ``box`` that pass the last wave's test.

    0 when the median over the points of any target's simulated mean falls outside
    the target's range: a box whose typical year misses a target is not kept however
    many of its points pass.
    """
    repeat = targets.method.replications_per_point[-1]
    points = box[:, 0] + rng.random((n, len(names))) * (box[:, 1] - box[:, 0])
    means, variances = _run_points(scenario, targets, names, points, repeat, seed)
    for name, target in targets.targets.items():
        if not target.range[0] <= np.median(means[name]) <= target.range[1]:
            return 0.0
    worst = implausibility(targets, means, variances, repeat).max(axis=1)
    return float(np.mean(worst < targets.method.cutoff))


def _box_in_region(
    scenario: Scenario,
    targets: Targets,
    names: list[str],
    prior: np.ndarray,
    kept: np.ndarray,
    best_fit: np.ndarray,
    seed: np.random.SeedSequence,
) -> tuple[np.ndarray, float]:
    """A wide box of independent ranges most of whose points are not implausible.

    A scenario gives each number its own range, drawn independently, so the kept
    region (thin and tilted) cannot be written as it is: its marginal ranges, drawn
    independently, would pair many engagements with a large area per win. The box is
    centred on ``best_fit``, the kept point of least summed squared implausibility
    (the medians of a curved region need not lie in it). First every range takes the
    same fraction of the kept points' 5-95% spread, the widest fraction whose points
    pass the last wave's test at least ``method.box_share`` of the time; then each
    range in turn is widened by a further quarter of its spread while the share stays
    above that, so that numbers the targets hardly constrain keep wide ranges.
    Returns the box and the share of its points that pass.
    """
    method = targets.method
    centre = best_fit
    low_q, high_q = np.quantile(kept, [0.05, 0.95], axis=0)
    rng = np.random.default_rng(seed.spawn(1)[0])
    n = method.points[-1]

    def box_at(scale: np.ndarray) -> np.ndarray:
        return np.stack(
            [
                np.maximum(centre - scale * (centre - low_q), prior[:, 0]),
                np.minimum(centre + scale * (high_q - centre), prior[:, 1]),
            ],
            axis=1,
        )

    scale, share = np.zeros(len(names)), 0.0
    for fraction in BOX_SCALES:
        scale = np.full(len(names), fraction)
        share = _box_share(scenario, targets, names, box_at(scale), n, rng, seed.spawn(1)[0])
        if share >= method.box_share:
            break
    widened = True
    while widened:
        widened = False
        for i in range(len(names)):
            if scale[i] >= 1.0:
                continue
            trial = scale.copy()
            trial[i] = min(1.0, trial[i] + WIDEN_STEP)
            trial_share = _box_share(
                scenario, targets, names, box_at(trial), max(n // 6, 50), rng, seed.spawn(1)[0]
            )
            if trial_share >= method.box_share:
                scale, widened = trial, True
    share = _box_share(scenario, targets, names, box_at(scale), n, rng, seed.spawn(1)[0])
    return box_at(scale), share


def calibrate(
    targets: Targets | None = None,
    scenario: Scenario | None = None,
    predictive_replications: int = 20_000,
) -> Calibration:
    """History-match the scenario's battlefield to the targets, wave by wave.

    Returns the waves, the kept region (2.5-97.5% of the last wave's kept points per
    parameter) and posterior predictive checks: the year's quantities simulated from
    the kept points, one replication each, against the targets.
    """
    targets = targets if targets is not None else load_targets()
    scenario = scenario if scenario is not None else load_scenario(targets.scenario)
    names = list(targets.parameters)
    prior = np.array([targets.parameters[n].prior for n in names], dtype=float)
    root = np.random.SeedSequence(targets.method.seed)
    waves: list[Wave] = []
    previous: np.ndarray | None = None
    for wave_index, wave_seed in enumerate(root.spawn(targets.method.waves)):
        draw_seed, run_seed = wave_seed.spawn(2)
        rng = np.random.default_rng(draw_seed)
        n = targets.method.points[wave_index]
        repeat = targets.method.replications_per_point[wave_index]
        points = _candidates(rng, prior, previous, n)
        means, variances = _run_points(scenario, targets, names, points, repeat, run_seed)
        implaus = implausibility(targets, means, variances, repeat)
        kept = implaus.max(axis=1) < targets.method.cutoff
        waves.append(Wave(points, repeat, means, implaus, kept))
        if kept.sum() < 2:
            break
        previous = points[kept]
    last = waves[-1]
    kept_points = last.points[last.kept]
    if len(kept_points) >= 2:
        box_seed = root.spawn(1)[0]
        best_fit = last.points[np.argmin((last.implausibility**2).sum(axis=1))]
        kept_range, box_share = _box_in_region(
            scenario, targets, names, prior, kept_points, best_fit, box_seed
        )
    else:
        kept_range, box_share = np.full_like(prior, np.nan), float("nan")
    result = Calibration(targets, names, prior, waves, kept_points, kept_range, box_share)
    if len(kept_points) and predictive_replications:
        rng = np.random.default_rng(root.spawn(1)[0])
        chosen = kept_points[rng.integers(len(kept_points), size=predictive_replications)]
        result.predictive = predictive_check(
            scenario, targets, seed=targets.method.seed + 1, points=(names, chosen)
        )
    return result


def predictive_runs(
    scenario: Scenario,
    targets: Targets,
    replications: int = 20_000,
    seed: int = 0,
    points: tuple[list[str], np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """The simulated year's quantities, one value per replication.

    Without ``points`` the scenario's own distributions are used (the baseline after
    calibration: the check the documentation shows and a test asserts); with them,
    one replication per given point (the kept region itself). Town targets take their
    defence draws from the first path of the ``town_defence`` parameter (a place of
    the scenario), 1 if it has none.
    """
    values: dict[str, np.ndarray] = {}
    if points is not None:
        names, chosen = points
        replications = len(chosen)
        values = _values_for(targets, names, chosen, 1)
    model_seed, town_seed = np.random.SeedSequence(seed).spawn(2)
    defence_path = targets.parameters["town_defence"].paths[0]
    defence = values.get(defence_path)
    if defence is None:
        defence = _Battlefield(scenario, {}, replications, model_seed).draw(defence_path, 1.0)
    return simulate_year(
        scenario,
        replications,
        model_seed,
        targets.weeks,
        values,
        targets.towns,
        defence,
        np.random.default_rng(town_seed),
    )


def predictive_check(
    scenario: Scenario,
    targets: Targets,
    replications: int = 20_000,
    seed: int = 0,
    points: tuple[list[str], np.ndarray] | None = None,
    runs: dict[str, np.ndarray] | None = None,
) -> dict[str, dict[str, float]]:
    """Median and 90% interval of each simulated quantity against its target's range.

    ``inside`` says whether the median lies in the target's range; ``share_inside``
    is the share of single replications that do.
    """
    year = (
        runs if runs is not None else predictive_runs(scenario, targets, replications, seed, points)
    )
    checks = {}
    for name in SIMULATED:
        runs_ = year[name][np.isfinite(year[name])]
        q5, q50, q95 = np.quantile(runs_, [0.05, 0.5, 0.95])
        row: dict[str, Any] = {"median": float(q50), "q5": float(q5), "q95": float(q95)}
        target = targets.targets.get(name)
        if target is not None:
            low, high = target.range
            row.update(
                value=target.value,
                low=low,
                high=high,
                inside=bool(low <= q50 <= high),
                share_inside=float(np.mean((runs_ >= low) & (runs_ <= high))),
            )
        checks[name] = row
    return checks


def place_fall_weeks(
    scenario: Scenario, replications: int = 20_000, seed: int = 0, weeks: int | None = None
) -> dict[str, dict[str, float]]:
    """Week each place falls with the talks switched off: share fallen and quantiles.

    Quantiles are over the replications in which the place fell within ``weeks``.
    """
    weeks = weeks or scenario.horizon
    model = _Battlefield(scenario, {}, replications, seed)
    fell = {p: np.full(replications, -1) for p in model.front.place_ids}
    for week in range(1, weeks + 1):
        model.steps = week  # keys the week's random draws, as in step()
        model._fight()
        for place in model.front.place_ids:
            now = model.place_held(place) & (fell[place] < 0)
            fell[place][now] = week
    out = {}
    for place, fell_weeks in fell.items():
        fallen = fell_weeks[fell_weeks > 0]
        quantiles = (
            np.quantile(fallen, [0.05, 0.25, 0.5, 0.75, 0.95])
            if len(fallen)
            else [float("nan")] * 5
        )
        out[place] = {"p_fallen": float(np.mean(fell_weeks > 0))} | {
            f"q{q}": float(v) for q, v in zip((5, 25, 50, 75, 95), quantiles, strict=True)
        }
    release(model)  # Mesa 3.3 would keep it alive (see ensemble.release)
    return out
