"""Ensemble speed and memory, measured side by side in one run.

    python benchmarks/bench_ensemble.py            # the full measurement
    python benchmarks/bench_ensemble.py --quick    # a smaller one, for a smoke test

Prints, for the baseline scenario, each figure beside its goal:

* the yardstick: a plain numpy loop over 100,000 replications of a simplified week
  (engagements, Tullock odds, attrition, Beta updating, a value of fighting on, an
  acceptance test), in one process; the other times are also given as multiples of it;
* ``ceasefire mc -n 100000 --weeks 104`` end to end, start-up included, as a user types
  it; the command and the yardstick run in turn three times, and each figure is the
  median of its runs, so that one busy moment of a shared machine does not decide;
* replication-weeks a second in one process and on all workers;
* the time to load a scenario (parse, validate, resolve ``extends``) and to draw its
  numbers for 100,000 replications;
* a 20 x 20 sweep of 2,000 replications a cell;
* peak memory, and where a week's time goes;
* and, as before, one model in lockstep against ``mesa.batch_run`` with one replication
  per model (seeds passed through ``parameters``, since ``iterations=`` does not vary
  them in Mesa 3.3).

The machine is named in the first line: timings on a shared machine are noisy, so
compare the ratios printed here rather than seconds from different runs.
"""

from __future__ import annotations

import argparse
import cProfile
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulator import CeasefireModel, load_scenario  # noqa: E402
from simulator.ensemble import (  # noqa: E402
    MAX_CHUNK_SIZE,
    Runs,
    chunk_counts,
    run_ensemble,
    usable_cpus,
    worker_count,
)
from simulator.scenario.sampling import draw_all  # noqa: E402
from simulator.studies import Vary, sweep  # noqa: E402

STAGES = {
    "_apply_events": "events",
    "_fight": "battlefield",
    "observe": "beliefs",
    "value_war": "reservation values",
    "_check_durability": "durability",
    "_talk": "talks",
    "_track_milestones": "milestones",
}


def yardstick(replications: int, weeks: int, seed: int = 0) -> float:
    """Seconds for a plain numpy loop of a simplified week over ``replications``.

    Engagements (a binomial count of wins), Tullock odds, Lanchester attrition, Beta
    updating, each side's value of fighting on, and an acceptance test: what any
    vectorised model of this kind must do at the least, written as directly as numpy
    allows.
    """
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    n = replications
    forces = np.stack([rng.uniform(585, 626, n), rng.uniform(501, 540, n)])
    materiel = np.stack([rng.uniform(8.8, 10.0, n), rng.uniform(3.3, 4.25, n)])
    attrition = np.stack([rng.uniform(0.0173, 0.0203, n), rng.uniform(0.0062, 0.0078, n)])
    replenishment = np.stack([rng.uniform(8.0, 10.0, n), rng.uniform(3.0, 4.5, n)])
    exponent = rng.uniform(0.99, 1.38, n)
    engagements = np.rint(rng.uniform(7.1, 9.2, n)).astype(np.int64)
    a, b = np.full((2, n), 30.0), np.full((2, n), 20.0)
    control = rng.uniform(0.75, 0.8, n)
    cost = rng.uniform(0.002, 0.01, (2, n))
    foresight = rng.uniform(13, 52, (2, n))
    agreed = np.zeros(n, dtype=bool)
    for _ in range(weeks):
        power = forces * materiel
        p = 1.0 / (1.0 + np.exp(-exponent * np.log(power[0] / power[1])))
        wins = rng.binomial(engagements, p)
        net = 2 * wins - engagements
        control = np.clip(control + net * 0.0005, 0.0, 1.0)
        forces = np.maximum(forces - attrition * forces[::-1] + replenishment, 1.0)
        a += wins
        b += engagements - wins
        believed = a / (a + b)
        drift = engagements * (2.0 * believed - 1.0) * 0.0005
        expected = np.clip(control + foresight * drift, 0.0, 1.0)
        value = np.stack([expected[0], 1.0 - expected[1]]) - cost * foresight
        offer = 0.5 * (control + expected.mean(axis=0))
        agreed |= (offer >= value[0]) & (1.0 - offer >= value[1])
    return time.perf_counter() - start


def command_line() -> list[str]:
    """How a user starts ceasefire from this checkout's environment."""
    installed = Path(sys.executable).with_name("ceasefire")
    return [str(installed)] if installed.exists() else [sys.executable, str(ROOT / "cli.py")]


def default_workers() -> str:
    """The default of ``mc --workers`` (None: the CPUs this process may use)."""
    try:
        from simulator.cli import main as command  # where the command is moving
    except ImportError:
        try:
            from cli import main as command
        except ImportError:  # pragma: no cover - the command moved again
            return "unknown"
    mc = getattr(command, "commands", {}).get("mc")
    for param in getattr(mc, "params", []):
        if param.name == "workers":
            # None, or click's marker of an option without a default (click 8.3+)
            return str(param.default) if isinstance(param.default, int) else "the CPUs"
    return "unknown"


def time_command(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([*command_line(), *args], check=True, capture_output=True)
    return time.perf_counter() - start


def batch_run_rate(scenario, models: int) -> float:
    """Replication-weeks per second of mesa.batch_run, one replication per model."""
    import mesa

    weeks = scenario.horizon
    # batch_run reports the week before a model stops itself (Mesa issue #2514): give
    # each model one more week and stop it with max_steps instead.
    longer = scenario.model_copy(update={"horizon": weeks + 1})
    start = time.perf_counter()
    rows = mesa.batch_run(
        CeasefireModel,
        parameters={"scenario": [longer], "seed": range(models)},
        max_steps=weeks,
        number_processes=1,
        display_progress=False,
    )
    elapsed = time.perf_counter() - start
    assert len(rows) == models and all(row["Step"] == weeks for row in rows)
    return models * weeks / elapsed


def lockstep_rate(scenario, replications: int, runs: int = 3) -> tuple[float, float]:
    """Replication-weeks per second of one model with many replications: the best of
    ``runs`` runs by the clock, and by this process's CPU time (which other work on a
    shared machine disturbs less)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        model = CeasefireModel(scenario, replications=replications, collect=False)
        while model.running:
            model.step()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    work = replications * scenario.horizon
    return work / min(wall), work / min(cpu)


def import_seconds(module: str, repeats: int = 3) -> float:
    """Best of ``repeats`` times to start Python and import ``module`` in a new process."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return min(times)


def load_times(repeats: int) -> tuple[float, float]:
    """Median seconds to load the baseline: parsing its file afresh each time, and
    reusing the file parsed once in the process (as a sweep does)."""
    from simulator.scenario import yamlpos

    cold, warm = [], []
    for _ in range(repeats):
        yamlpos._parsed.cache_clear()
        start = time.perf_counter()
        load_scenario("baseline")
        cold.append(time.perf_counter() - start)
        start = time.perf_counter()
        load_scenario("baseline")
        warm.append(time.perf_counter() - start)
    return statistics.median(cold), statistics.median(warm)


def peak_rss_mib() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child, MiB."""
    to_mib = 1 / 1024  # ru_maxrss is in KiB on Linux
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * to_mib
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * to_mib
    return own, children


def stage_profile(scenario, replications: int) -> list[tuple[str, float]]:
    """Share of a week's time per stage, from cProfile's cumulative times."""
    model = CeasefireModel(scenario, replications=replications, collect=False)
    profiler = cProfile.Profile()
    profiler.enable()
    while model.running:
        model.step()
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    totals: dict[str, float] = {}
    step_total = 0.0
    for (_, _, name), (_, _, _, cumulative, _) in stats.items():
        if name in STAGES:
            totals[STAGES[name]] = totals.get(STAGES[name], 0.0) + cumulative
        if name == "_wrapped_step":
            step_total = cumulative
    return sorted(
        ((stage, t / step_total) for stage, t in totals.items()), key=lambda item: -item[1]
    )


def runs_of(times: list[float]) -> str:
    """Which runs a median is of, as printed: ``median of 0.84, 0.86 and 0.91 s``."""
    shown = [f"{t:.2f}" for t in times]
    if len(shown) == 1:
        return "one run"
    return "median of " + ", ".join(shown[:-1]) + f" and {shown[-1]} s"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    args = parser.parse_args()
    scenario = load_scenario("baseline")
    weeks = scenario.horizon
    big = 10_000 if args.quick else 100_000
    grid, per_cell = (4, 200) if args.quick else (20, 2_000)
    cpus = usable_cpus()
    workers = worker_count(None, len(chunk_counts(big)))

    print(
        f"machine: {cpus} CPUs usable ({platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}, numpy {np.__version__}; baseline, {weeks} weeks"
    )
    # The yardstick and the command alternate, so that both meet the same moments of a
    # shared machine; each figure is the median of its runs.
    mc = ["mc", "-n", str(big), "--weeks", str(weeks)]
    repeats = 1 if args.quick else 3
    sticks: list[float] = []
    ends: list[float] = []
    for _ in range(repeats):
        sticks.append(yardstick(big, weeks))
        ends.append(time_command(mc))
    stick, elapsed = statistics.median(sticks), statistics.median(ends)
    print(
        f"yardstick, a plain numpy loop of a simplified week, {big:,} replications in one "
        f"process: {stick:.2f} s ({runs_of(sticks)}; {big * weeks / stick:,.0f} "
        f"replication-weeks/s)"
    )

    modules = (
        "sys",
        "simulator.cli, simulator.ensemble, simulator.model",
        "simulator.mesa_import",
        "mesa",
    )
    python, command, lean, full = (import_seconds(m) for m in modules)
    print(
        f"start-up: Python alone {python:.2f} s; with all that mc imports {command:.2f} s, "
        f"of which Mesa {lean - python:.2f} s as simulator/mesa_import.py imports it "
        f"(a plain `import mesa`, with pandas, networkx and scipy.spatial: {full - python:.2f} s)"
    )
    print(
        f"ceasefire {' '.join(mc)} (default --workers: {default_workers()}), end to end: "
        f"{elapsed:.2f} s ({runs_of(ends)}, each after a yardstick run) "
        f"= {elapsed / stick:.2f} x the yardstick  "
        f"(goal: within 3 s and 2 x: {verdict(elapsed <= 3.0 and elapsed <= 2 * stick)})"
    )

    size = min(MAX_CHUNK_SIZE, big)
    runs = 1 if args.quick else 3
    one, one_cpu = lockstep_rate(scenario, size, runs)
    print(
        f"one process, one model of {size:,} replications (best of {runs}): {one:,.0f} "
        f"replication-weeks/s, by CPU time {one_cpu:,.0f}  "
        f"(goal: at least 4,000,000: {verdict(one >= 4e6)})"
    )
    models = 10 if args.quick else 30
    batch = batch_run_rate(scenario, models)
    print(
        f"  mesa.batch_run, one replication per model ({models} models): {batch:,.0f} "
        f"replication-weeks/s; lockstep is {one / batch:,.0f} x that "
        f"(goal: at least 200: {verdict(one / batch >= 200)})"
    )
    start = time.perf_counter()
    result = run_ensemble(scenario, big)
    spread = time.perf_counter() - start
    rate = big * weeks / spread
    print(
        f"all workers ({workers}), run_ensemble of {big:,}: {spread:.2f} s, "
        f"{rate:,.0f} replication-weeks/s = {rate / one:.2f} x one process  (no goal)"
    )
    print(f"  P(agreement) in that run: {result.arrays['agreed'].mean():.4f}")

    cold, warm = load_times(5 if args.quick else 20)
    start = time.perf_counter()
    draw_all(scenario, big, np.random.SeedSequence(scenario.seed))
    drawing = time.perf_counter() - start
    print(
        f"load the baseline (parse, extends, validate): {1000 * cold:.1f} ms "
        f"(goal: at most 20 ms: {verdict(cold <= 0.02)}); with the file parsed once in "
        f"the process, as a sweep does: {1000 * warm:.1f} ms; draw its numbers for "
        f"{big:,}: {1000 * drawing:.0f} ms"
    )

    varies = [
        Vary.parse(f"actors.russia.resolve=0.6:0.95:{grid}"),
        Vary.parse(f"actors.ukraine.resolve=0.6:0.95:{grid}"),
    ]
    start = time.perf_counter()
    sweep("baseline", [], varies, Runs(per_cell))
    swept = time.perf_counter() - start
    print(
        f"sweep of {grid} x {grid} cells, {per_cell:,} replications a cell: {swept:.1f} s "
        f"= {swept / stick:.1f} x the yardstick  (goal: within 60 s: {verdict(swept <= 60)})"
    )

    own, children = peak_rss_mib()
    print(
        f"peak memory: this process {own:,.0f} MiB, largest child {children:,.0f} MiB  "
        f"(goal: at most 1,024 MiB each: {verdict(max(own, children) <= 1024)})"
    )
    print(f"where a week's time goes (one model of {size:,}, cProfile):")
    for stage, share in stage_profile(scenario, size):
        print(f"  {stage:20} {share:6.1%}")


if __name__ == "__main__":
    main()
