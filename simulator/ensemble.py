"""Many replications: chunks of lockstep replications, local workers or a Dask cluster.

An ensemble of ``N`` replications is cut into chunks of :data:`CHUNK_SIZE`
replications; chunk ``c`` is one :class:`~simulator.model.CeasefireModel` seeded
with the ``SeedSequence`` child ``(seed, spawn_key=(c,))``. The chunk size is fixed
and each chunk's seed depends only on its index, so the results are the same
whatever the number of workers or where the chunks run. Finished chunks can be kept
in a :class:`ChunkStore`, so an interrupted run resumes to the same result.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import milestones
from .atomic import open_atomic
from .scenario.schema import Scenario

CHUNK_SIZE = 4096
"""Replications per chunk: large enough for numpy to pay, small enough to stay in cache.
Part of the definition of an ensemble's random numbers: changing it changes results."""

Progress = Callable[[int, int], None]
"""Called with (chunks done, chunks in all) as chunks finish."""


@dataclass(frozen=True)
class Task:
    """One chunk's work, small enough to send to another process or machine."""

    scenario: Scenario
    index: int
    count: int
    seed: int
    weeks: int
    fixed: tuple[tuple[str, float], ...] = ()


@dataclass
class EnsembleResult:
    """Per-replication outcomes of an ensemble, in replication order."""

    scenario: Scenario
    seed: int
    weeks: int
    issue_ids: list[str]
    sides: list[str]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def replications(self) -> int:
        return len(self.arrays["agreed"])

    def records(self) -> Iterator[dict[str, Any]]:
        """One flat dict per replication (for CSV)."""
        names = list(self.arrays)
        columns = [self.arrays[name] for name in names]
        for index in range(self.replications):
            row: dict[str, Any] = {"replication": index}
            for name, column in zip(names, columns, strict=True):
                value = column[index].item()
                row[name] = round(value, 6) if isinstance(value, float) else value
            yield row


def chunk_counts(replications: int, size: int = CHUNK_SIZE) -> list[int]:
    """How many replications each chunk holds (all ``size`` but perhaps the last)."""
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    full, rest = divmod(replications, size)
    return [size] * full + ([rest] if rest else [])


def run_chunk(task: Task) -> dict[str, np.ndarray]:
    """Run one chunk to its last week and return its replications' outcomes."""
    from .model import CeasefireModel

    seed = np.random.SeedSequence(task.seed, spawn_key=(task.index,))
    model = CeasefireModel(
        task.scenario,
        replications=task.count,
        seed=seed,
        collect=False,
        fixed=dict(task.fixed),
    )
    while model.running and model.steps < task.weeks:
        model.step()
    return outcome_arrays(model)


def outcome_arrays(model: Any) -> dict[str, np.ndarray]:
    """The per-replication outcomes of a finished model, as compact arrays."""
    arrays: dict[str, np.ndarray] = {
        "agreed": model.agreed.copy(),
        "agreement_week": model.agreement_week.astype(np.int32),
        "broke_down": model.broke_down.copy(),
        "breakdown_week": model.breakdown_week.astype(np.int32),
        "in_force_at_end": model.in_force.copy(),
        "agreements": model.agreements.astype(np.int32),
        "control_at_end": model.control.copy(),
        "settlement": model.settled.copy(),
        "settled": model.settled.copy(),
        "settlement_week": model.settlement_week.astype(np.int32),
        "ceasefire": model.ceasefire_agreed.copy(),
        "ceasefire_week": model.ceasefire_week.astype(np.int32),
        "ceasefires": model.ceasefires.astype(np.int32),
        "partial_truce": model.truce_agreed.copy(),
        "partial_truce_week": model.truce_week.astype(np.int32),
        "capitulation": model.capitulated.copy(),
        "capitulation_week": model.capitulation_week.astype(np.int32),
    }
    for k, issue in enumerate(model.issue_ids):
        arrays[f"terms_{issue}"] = model.terms[:, k].copy()
    for side in model.belligerents:
        arrays[f"losses_{side.actor_id}"] = side.losses_total.copy()
    # Milestones (simulator.milestones names them): weeks are -1 when it never happened.
    arrays["control_at_start"] = model.draw("front.control").copy()
    arrays["area_km2"] = model.area_km2.copy()
    for place, weeks in model.fall_week.items():
        arrays[milestones.fall_week_name(place)] = weeks.astype(np.int32)
    for actor, weeks in model.first_accept_week.items():
        arrays[milestones.first_accept_name(actor)] = weeks.astype(np.int32)
    for quarter, control in model.control_at_quarter.items():
        arrays[milestones.control_name(quarter)] = control.copy()
    for actor, lost in model.first_year_losses.items():
        arrays[milestones.first_year_losses_name(actor)] = lost.copy()
    return arrays


class ChunkStore:
    """A directory of finished chunks (``chunks/NNNNN.npz``), each written atomically."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.chunks = self.directory / "chunks"

    def path(self, index: int) -> Path:
        return self.chunks / f"{index:05d}.npz"

    def load(self, index: int, count: int) -> dict[str, np.ndarray] | None:
        """A finished chunk, or None if it is missing or not whole."""
        path = self.path(index)
        if not path.exists():
            return None
        try:
            with np.load(path) as data:
                arrays = {name: data[name] for name in data.files}
        except (OSError, ValueError, KeyError):
            return None
        if any(len(a) != count for a in arrays.values()):
            return None
        return arrays

    def save(self, index: int, arrays: dict[str, np.ndarray]) -> None:
        with open_atomic(self.path(index), "wb") as stream:
            np.savez(stream, **arrays)


@dataclass(frozen=True)
class Runs:
    """How an ensemble is run: how many replications, which seed, for how long, where.

    Studies run several ensembles with the same settings; each is :meth:`run`.
    """

    replications: int
    seed: int | None = None
    weeks: int | None = None
    workers: int = 1
    scheduler: str | None = None

    @property
    def chunks(self) -> int:
        return len(chunk_counts(self.replications))

    def run(
        self,
        scenario: Scenario,
        fixed: dict[str, float] | None = None,
        store: ChunkStore | None = None,
        progress: Progress | None = None,
    ) -> EnsembleResult:
        return run_ensemble(
            scenario,
            self.replications,
            self.seed,
            self.weeks,
            fixed,
            self.workers,
            self.scheduler,
            store,
            progress,
        )


def run_ensemble(
    scenario: Scenario,
    replications: int,
    seed: int | None = None,
    weeks: int | None = None,
    fixed: dict[str, float] | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    store: ChunkStore | None = None,
    progress: Progress | None = None,
) -> EnsembleResult:
    """Run ``replications`` replications of ``scenario`` and gather their outcomes.

    Args:
        scenario: a loaded scenario.
        replications: how many replications in all.
        seed: the ensemble's seed (default: the scenario's).
        weeks: weeks to run (default: the horizon).
        fixed: scenario numbers held at one value in every replication, by dotted path.
        workers: local processes to run chunks in (1 = this process).
        scheduler: address of a Dask distributed scheduler (``tcp://host:port``).
        store: where finished chunks are kept, and found again on resume.
        progress: called with (chunks done, chunks in all).

    The result is the same for any ``workers``, ``scheduler`` or ``store``.
    """
    seed = scenario.seed if seed is None else int(seed)
    weeks = scenario.horizon if weeks is None else int(weeks)
    counts = chunk_counts(replications)
    fixed_items = tuple(sorted((fixed or {}).items()))
    tasks = [Task(scenario, c, n, seed, weeks, fixed_items) for c, n in enumerate(counts)]
    results: dict[int, dict[str, np.ndarray]] = {}
    if store is not None:
        for task in tasks:
            found = store.load(task.index, task.count)
            if found is not None:
                results[task.index] = found
    pending = [task for task in tasks if task.index not in results]

    def finished(index: int, arrays: dict[str, np.ndarray]) -> None:
        results[index] = arrays
        if store is not None:
            store.save(index, arrays)
        if progress is not None:
            progress(len(results), len(tasks))

    if progress is not None:
        progress(len(results), len(tasks))
    if scheduler is not None:
        _run_on_dask(pending, scheduler, finished)
    elif workers > 1 and len(pending) > 1:
        _run_in_processes(pending, workers, finished)
    else:
        for task in pending:
            finished(task.index, run_chunk(task))
    arrays = {
        name: np.concatenate([results[c][name] for c in range(len(tasks))]) for name in results[0]
    }
    sides = [k.removeprefix("losses_") for k in arrays if k.startswith("losses_")]
    issues = [k.removeprefix("terms_") for k in arrays if k.startswith("terms_")]
    return EnsembleResult(scenario, seed, weeks, issues, sides, arrays)


def _pool_context() -> multiprocessing.context.BaseContext:
    """Fork where the platform has it (workers start at once, with the parent's
    imports); spawn elsewhere. Mesa sets spawn as the global default on import."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _run_in_processes(
    tasks: Sequence[Task], workers: int, finished: Callable[[int, dict], None]
) -> None:
    with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context()) as pool:
        futures: dict[Future, int] = {pool.submit(run_chunk, t): t.index for t in tasks}
        try:
            remaining = set(futures)
            while remaining:
                done, remaining = wait(remaining, return_when=FIRST_COMPLETED)
                for future in done:
                    finished(futures[future], future.result())
        except BaseException:
            for future in futures:
                future.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise


SCHEDULER_ADDRESS = re.compile(r"^(tcp|tls|ucx)://[^\s:/]+:\d+/?$|^inproc://\S+$")
CONNECT_TIMEOUT = "10s"


def _run_on_dask(
    tasks: Sequence[Task], scheduler: str, finished: Callable[[int, dict], None]
) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RuntimeError(
            "--scheduler needs Dask distributed: pip install 'ceasefire[dask]'"
        ) from exc
    if not SCHEDULER_ADDRESS.match(scheduler):
        raise ValueError(f"--scheduler {scheduler}: expected an address such as tcp://host:8786")
    try:
        client = Client(scheduler, set_as_default=False, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise ValueError(f"--scheduler {scheduler}: cannot reach the scheduler ({exc})") from None
    with client:
        futures = {client.submit(run_chunk, t, pure=False): t.index for t in tasks}
        try:
            for future in as_completed(list(futures), loop=client.loop):
                finished(futures[future], future.result())
        except BaseException:
            client.cancel(list(futures))
            raise


def scenario_digest(scenario: Scenario) -> str:
    """A hash of the scenario as loaded (after extends and --set), for manifests."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
