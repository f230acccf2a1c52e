"""Ensemble speed and memory, measured side by side in one run.

    python benchmarks/bench_ensemble.py            # the full measurement
    python benchmarks/bench_ensemble.py --quick    # a smaller one, for a smoke test

Prints, for the baseline scenario over its 104 weeks:

(a) replication-weeks per second of ``mesa.batch_run`` over ``CeasefireModel`` with
    one replication per model instance (seeds passed through ``parameters``, since
    ``iterations=`` does not vary them in Mesa 3.3);
(b) the same for one ``CeasefireModel`` advancing many replications in lockstep;
their ratio (goal: at least 200), then the time and peak memory of 100,000
replications on all cores (goal: within 3 s and 1 GiB), and where the time of a
week goes.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mesa

from simulator import CeasefireModel, load_scenario
from simulator.ensemble import CHUNK_SIZE, run_ensemble

STAGES = {
    "_apply_events": "events",
    "_fight": "battlefield",
    "observe": "beliefs",
    "value_war": "reservation values",
    "_check_durability": "durability",
    "_talk": "talks",
}


def batch_run_rate(scenario, models: int) -> float:
    """Replication-weeks per second of mesa.batch_run, one replication per model."""
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


def lockstep_rate(scenario, replications: int) -> float:
    """Replication-weeks per second of one model with many replications."""
    start = time.perf_counter()
    model = CeasefireModel(scenario, replications=replications, collect=False)
    while model.running:
        model.step()
    return replications * scenario.horizon / (time.perf_counter() - start)


def peak_rss_mib() -> tuple[float, float]:
    """Peak resident memory of this process and of its finished children, MiB."""
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    args = parser.parse_args()
    scenario = load_scenario("baseline")
    models = 10 if args.quick else 60
    lockstep_size = 2_000 if args.quick else 20_000
    big = 10_000 if args.quick else 100_000
    workers = os.cpu_count() or 1

    print(f"baseline, {scenario.horizon} weeks; {workers} cores; chunk size {CHUNK_SIZE}")
    a = batch_run_rate(scenario, models)
    b = lockstep_rate(scenario, lockstep_size)
    print(
        f"(a) mesa.batch_run, 1 replication per model, {models} models: "
        f"{a:>12,.0f} replication-weeks/s"
    )
    print(
        f"(b) one model, {lockstep_size:,} replications in lockstep:    "
        f"{b:>12,.0f} replication-weeks/s"
    )
    print(f"ratio (b)/(a): {b / a:,.0f}  (goal: at least 200)")

    start = time.perf_counter()
    result = run_ensemble(scenario, big, workers=workers)
    elapsed = time.perf_counter() - start
    own, children = peak_rss_mib()
    print(
        f"{big:,} replications x {scenario.horizon} weeks on {workers} workers: "
        f"{elapsed:.2f} s  (goal: within 3 s), "
        f"{big * scenario.horizon / elapsed:,.0f} replication-weeks/s"
    )
    print(
        f"peak memory: this process {own:,.0f} MiB, largest worker {children:,.0f} MiB  "
        f"(goal: at most 1,024 MiB each)"
    )
    print(f"P(agreement) in that run: {result.arrays['agreed'].mean():.4f}")
    print("where a week's time goes (one chunk, cProfile):")
    for stage, share in stage_profile(scenario, CHUNK_SIZE):
        print(f"  {stage:20} {share:6.1%}")


if __name__ == "__main__":
    main()
