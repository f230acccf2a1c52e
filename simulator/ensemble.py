"""Many replications: chunks of lockstep replications, local workers or a Dask cluster.

An ensemble of ``N`` replications is cut into chunks (:func:`chunk_size`); each chunk
is one :class:`~simulator.model.CeasefireModel` over replications ``start .. start +
count - 1``. Replication i's random numbers depend only on the seed and i
(:mod:`simulator.streams`), never on the chunk that runs it, so the results are the
same whatever the chunk size, the number of workers or where the chunks run, and the
first 1,000 replications of an ensemble of 2,000 are the ensemble of 1,000. Finished
chunks can be kept in a :class:`ChunkStore`, so an interrupted run resumes to the same
result; each stored chunk carries the key of the run that made it
(:func:`ensemble_key`), and a chunk with another key is never used.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import mmap
import multiprocessing
import os
import re
import signal
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from . import milestones
from .atomic import open_atomic
from .errors import InputError, NotInstalled, ServiceLost
from .scenario.checks import TERRITORY
from .scenario.schema import Scenario

CHUNK_SIZE = 2048
"""The fewest replications in a chunk of a split ensemble: an ensemble this small or
smaller runs as one chunk in this process (starting workers would cost more than they
save). Not part of the definition of the results: any chunk size gives the same."""
RANDOM_NUMBERS = "counter-based, per replication"
"""How replications get their random numbers; part of every stored result's key."""
MAX_CHUNK_SIZE = 16384
"""The most replications in a chunk: numpy's per-call cost is spread over more rows as
chunks grow, up to about this size (a week's arrays then still fit in the cache)."""
CHUNKS_PER_RUN = 8
"""Ensembles are cut into about this many chunks (within the sizes above): enough to
share out among a few workers evenly, few enough that each chunk is large and the
week's fixed cost (about 0.4 ms in Python) is spread over many replications."""

BYTES_PER_REPLICATION = 6144
"""Memory one replication needs at the end of a run: its outcome arrays and sampled
inputs (about 0.7 KB for the baseline's 61 sampled inputs), the shared block forked
workers write them into (or a chunk's copy as it comes back from Dask or a spawned
process) and, with --out, its row in the tidy table as it is written to CSV and
Parquet (measured at about 4.9 KB with --out for the baseline, 3.5 KB without;
rounded up for scenarios with more issues, sides and uncertain numbers)."""

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
    start: int = 0
    """The ensemble index of the chunk's first replication."""


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
        """One flat dict per replication (a week that never came is None; for a data
        frame, :func:`simulator.tables.replications_frame`)."""
        from .tables import NEVER, is_week_column

        names = list(self.arrays)
        columns = [self.arrays[name] for name in names]
        weeks = {name for name in names if is_week_column(name)}
        for index in range(self.replications):
            row: dict[str, Any] = {"replication": index}
            for name, column in zip(names, columns, strict=True):
                value = column[index].item()
                if name in weeks and value == NEVER:
                    value = None
                row[name] = round(value, 6) if isinstance(value, float) else value
            yield row


def max_replications() -> int:
    """The most replications one ensemble may have on this machine.

    An ensemble keeps every replication's outcomes in memory, so the limit is the
    machine's physical memory over :data:`BYTES_PER_REPLICATION` (and never more
    than 2**63 - 1, the largest count numpy can index).
    """
    try:
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        memory = 16 * 2**30
    return max(1, min(memory // BYTES_PER_REPLICATION, 2**63 - 1))


def check_replications(replications: int) -> None:
    """Raise InputError, with the limit and the reason, for a count this machine cannot hold."""
    limit = max_replications()
    if replications > limit:
        raise InputError(
            f"{replications} replications is more than this machine can hold: at most {limit} "
            f"(each keeps about {BYTES_PER_REPLICATION} bytes of outcomes in memory, and the "
            f"machine has {limit * BYTES_PER_REPLICATION / 2**30:.1f} GiB)"
        )


def usable_cpus() -> int:
    """The CPUs this process may run on (os.sched_getaffinity), at least one."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def worker_count(requested: int | None, chunks: int) -> int:
    """Processes worth starting: ``requested`` (None: the CPUs this process may use),
    no more than the chunks to run or the CPUs, and at least one."""
    cpus = usable_cpus()
    wanted = cpus if requested is None else requested
    return max(1, min(wanted, chunks, cpus))


def chunk_size(replications: int) -> int:
    """Replications per chunk for an ensemble of ``replications``: about
    :data:`CHUNKS_PER_RUN` chunks, each of :data:`CHUNK_SIZE` to :data:`MAX_CHUNK_SIZE`."""
    wanted = -(-replications // CHUNKS_PER_RUN)
    return min(MAX_CHUNK_SIZE, max(CHUNK_SIZE, wanted))


def chunk_counts(replications: int, size: int | None = None) -> list[int]:
    """How many replications each chunk holds (all ``size`` but perhaps the last;
    default :func:`chunk_size`)."""
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    size = chunk_size(replications) if size is None else size
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, got {size}")
    full, rest = divmod(replications, size)
    return [size] * full + ([rest] if rest else [])


def run_chunk(task: Task) -> dict[str, np.ndarray]:
    """Run one chunk to its last week and return its replications' outcomes."""
    from .model import CeasefireModel

    model = CeasefireModel(
        task.scenario,
        replications=task.count,
        seed=np.random.SeedSequence(task.seed),
        collect=False,
        fixed=dict(task.fixed),
        first_replication=task.start,
    )
    while model.running and model.steps < task.weeks:
        model.step()
    arrays = outcome_arrays(model)
    release(model)
    return arrays


def release(model: Any) -> None:
    """Let a finished model be freed. Mesa 3.3 counts agent ids in a class-level dict
    keyed by model (``mesa.Agent._ids``), which keeps every model ever built alive: a
    sweep or a study grew by megabytes a cell (mesa/mesa#3179, fixed upstream after
    3.3.1). Harmless where Mesa no longer has the dict."""
    import mesa

    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)


def outcome_arrays(model: Any) -> dict[str, np.ndarray]:
    """The per-replication outcomes of a finished model, as compact arrays."""
    arrays: dict[str, np.ndarray] = {
        "agreed": model.outcomes.agreed.copy(),
        "agreement_week": model.outcomes.agreement_week.astype(np.int32),
        "broke_down": model.outcomes.broke_down.copy(),
        "breakdown_week": model.outcomes.breakdown_week.astype(np.int32),
        "in_force_at_end": model.outcomes.in_force.copy(),
        "agreements": model.outcomes.agreements.astype(np.int32),
        "control_at_end": model.front.control.copy(),
        "settled": model.outcomes.settled.copy(),
        "settlement_week": model.outcomes.settlement_week.astype(np.int32),
        "ceasefire": model.outcomes.ceasefire_agreed.copy(),
        "ceasefire_week": model.outcomes.ceasefire_week.astype(np.int32),
        "ceasefires": model.outcomes.ceasefires.astype(np.int32),
        "ceasefire_broke_down": model.outcomes.ceasefire_broke_down.copy(),
        "ceasefire_in_force_at_end": model.ceasefire_active.copy(),
        "partial_truce": model.outcomes.truce_agreed.copy(),
        "partial_truce_week": model.outcomes.truce_week.astype(np.int32),
        "partial_truce_broke_down": model.outcomes.truce_broke_down.copy(),
        "partial_truce_in_force_at_end": model.truce_active.copy(),
        "capitulation": model.outcomes.capitulated.copy(),
        "capitulation_week": model.outcomes.capitulation_week.astype(np.int32),
    }
    for k, issue in enumerate(model.issue_ids):
        arrays[f"terms_{issue}"] = model.outcomes.terms[:, k].copy()
    for side in model.belligerents:
        arrays[f"losses_{side.actor_id}"] = side.losses_total.copy()
    # Milestones (simulator.milestones names them): weeks are -1 when it never happened.
    arrays["control_at_start"] = model.draw("front.control").copy()
    arrays["area_km2"] = model.front.area_km2.copy()
    for place, weeks in model.milestones.fall_week.items():
        arrays[milestones.fall_week_name(place)] = weeks.astype(np.int32)
    for actor, weeks in model.milestones.first_accept_week.items():
        arrays[milestones.first_accept_name(actor)] = weeks.astype(np.int32)
    for (actor, kind), weeks in model.milestones.first_accept_week_of_kind.items():
        arrays[milestones.first_accept_name(actor, kind)] = weeks.astype(np.int32)
    for quarter, control in model.milestones.control_at_quarter.items():
        arrays[milestones.control_name(quarter)] = control.copy()
    for actor, lost in model.milestones.first_year_losses.items():
        arrays[milestones.first_year_losses_name(actor)] = lost.copy()
    # The sampled inputs beside the outcomes, so outcomes can be regressed on them.
    for path in input_paths(model.scenario):
        arrays[path] = np.asarray(model.draw(path), dtype=float).copy()
    return arrays


def input_paths(scenario: Scenario) -> list[str]:
    """The scenario numbers each replication samples, by dotted path.

    Among an ensemble's arrays these are the only names with a dot, which keeps them
    apart from the outcomes (whose names are plain identifiers).
    """
    from .scenario.sampling import uncertain_paths

    return list(uncertain_paths(scenario))


def is_input(name: str) -> bool:
    """Whether an ensemble array is a sampled input (a dotted path), not an outcome."""
    return "." in name


def outcome_layout(task: Task) -> dict[str, np.dtype]:
    """The name and type of every outcome array of the ensemble ``task`` is a chunk of,
    in order: those of a one-replication model (about 3 ms), so that the ensemble's
    arrays can be made at full length before any chunk runs."""
    from .model import CeasefireModel

    model = CeasefireModel(
        task.scenario, replications=1, seed=0, collect=False, fixed=dict(task.fixed)
    )
    layout = {name: array.dtype for name, array in outcome_arrays(model).items()}
    release(model)
    return layout


def fits(layout: dict[str, np.dtype], arrays: dict[str, np.ndarray]) -> bool:
    """Whether a chunk's outcome arrays have the names, order and types of ``layout``."""
    return list(arrays) == list(layout) and all(
        arrays[name].dtype == dtype for name, dtype in layout.items()
    )


class Columns:
    """An ensemble's outcome arrays at full length; each chunk's rows are put in place.

    With ``shared=True`` the arrays live in one anonymous shared mapping, which forked
    workers inherit: a worker puts its chunk's rows there itself and sends nothing
    back. Sent through a pipe instead (about 9 MB a chunk of the baseline, pickled, read
    and unpickled by the parent, which shares the CPUs with the workers), each chunk
    kept its worker waiting about 20 ms. :func:`run_ensemble` copies each chunk out of
    the shared block into the ensemble's own columns as it finishes.
    """

    ALIGN = 64

    def __init__(self, layout: dict[str, np.dtype], replications: int, shared: bool = False):
        if not shared:
            self.arrays = {name: np.empty(replications, dtype) for name, dtype in layout.items()}
            return
        offsets, size = {}, 0
        for name, dtype in layout.items():
            offsets[name] = size
            size += -(-replications * dtype.itemsize // self.ALIGN) * self.ALIGN
        memory = mmap.mmap(-1, max(size, 1))  # MAP_SHARED | MAP_ANONYMOUS
        self.arrays = {
            name: np.frombuffer(memory, dtype, replications, offsets[name])
            for name, dtype in layout.items()
        }

    def put(self, start: int, arrays: dict[str, np.ndarray]) -> None:
        """Write one chunk's outcomes (replications ``start`` on) in place."""
        if list(arrays) != list(self.arrays):
            differ = sorted(set(arrays) ^ set(self.arrays))
            raise ValueError(f"a chunk's outcomes are not the ensemble's: {differ}")
        for name, column in self.arrays.items():
            chunk = arrays[name]
            if chunk.dtype != column.dtype:
                raise ValueError(f"a chunk's {name} is {chunk.dtype}, not {column.dtype}")
            column[start : start + len(chunk)] = chunk

    def rows(self, start: int, count: int) -> dict[str, np.ndarray]:
        """Replications ``start`` to ``start + count - 1`` (views, not copies)."""
        return {name: column[start : start + count] for name, column in self.arrays.items()}


_SHARED_COLUMNS: dict[str, Columns] = {}
"""Columns that forked workers write into, by key: set before the workers start, so they
inherit it, and removed when the pool ends."""


def _run_chunk_in_place(key: str, task: Task) -> None:
    """In a forked worker: run ``task`` and put its outcomes in the shared columns."""
    _SHARED_COLUMNS[key].put(task.start, run_chunk(task))


class ChunkStore:
    """A directory of finished chunks (``chunks/NNNNN.npz``), each written atomically.

    Each chunk is saved with its key (:func:`chunk_key`) and loaded only under the
    same key, so a folder that held another run (another seed, scenario, number of
    weeks, held values or chunk size) never lends it a chunk.
    """

    KEY = "__key__"

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.chunks = self.directory / "chunks"

    def path(self, index: int) -> Path:
        return self.chunks / f"{index:05d}.npz"

    def load(self, index: int, count: int, key: str) -> dict[str, np.ndarray] | None:
        """A finished chunk of the run keyed ``key``, or None if it is missing, not
        whole or another run's."""
        path = self.path(index)
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                if self.KEY not in data.files or str(data[self.KEY]) != key:
                    return None
                arrays = {name: data[name] for name in data.files if name != self.KEY}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            return None  # damaged or not a chunk at all: run it again
        if not arrays or any(a.shape != (count,) for a in arrays.values()):
            return None  # one value per replication, or not a chunk of this run
        return arrays

    def save(self, index: int, arrays: dict[str, np.ndarray], key: str) -> None:
        with open_atomic(self.path(index), "wb") as stream:
            # numpy's stub maps named arrays onto savez's allow_pickle (numpy 2.1+ only,
            # and this project supports older numpy): a false alarm, on this line alone.
            np.savez(stream, **arrays, **{self.KEY: np.array(key)})  # type: ignore[arg-type]


@dataclass(frozen=True)
class Runs:
    """How an ensemble is run: how many replications, which seed, for how long, where.

    Studies run several ensembles with the same settings; each is :meth:`run`.
    """

    replications: int
    seed: int | None = None
    weeks: int | None = None
    workers: int | None = None
    """Local processes (None: the CPUs this process may use, see :func:`worker_count`)."""
    scheduler: str | None = None

    def __post_init__(self) -> None:
        if self.replications < 1:
            raise ValueError(f"replications must be at least 1, got {self.replications}")
        check_replications(self.replications)

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
    workers: int | None = None,
    scheduler: str | None = None,
    store: ChunkStore | None = None,
    progress: Progress | None = None,
    size: int | None = None,
) -> EnsembleResult:
    """Run ``replications`` replications of ``scenario`` and gather their outcomes.

    Args:
        scenario: a loaded scenario.
        replications: how many replications in all.
        seed: the ensemble's seed (default: the scenario's).
        weeks: weeks to run (default: the horizon; no more than the horizon).
        fixed: scenario numbers held at one value in every replication, by dotted path.
        workers: local processes to run chunks in (1 = this process; None, the
            default: the CPUs this process may use); no more are started than there
            are chunks to run or CPUs to run them on.
        scheduler: address of a Dask distributed scheduler (``tcp://host:port``).
        store: where finished chunks are kept, and found again on resume.
        progress: called with (chunks done, chunks in all).
        size: replications per chunk (default: :func:`chunk_size`).

    The result is the same for any ``workers``, ``scheduler``, ``store`` or ``size``.
    """
    check_replications(replications)
    seed = scenario.seed if seed is None else int(seed)
    weeks = scenario.horizon if weeks is None else int(weeks)
    if weeks > scenario.horizon:  # the model stops at its horizon
        raise ValueError(
            f"weeks={weeks} is beyond the scenario's horizon of {scenario.horizon}; "
            "load it with the override horizon=N"
        )
    counts = chunk_counts(replications, size)
    starts = np.cumsum([0, *counts[:-1]]).tolist()
    fixed_items = tuple(sorted((fixed or {}).items()))
    tasks = [
        Task(scenario, c, n, seed, weeks, fixed_items, start)
        for c, (n, start) in enumerate(zip(counts, starts, strict=True))
    ]
    base = ensemble_key(scenario, seed, weeks, fixed_items) if store is not None else ""
    done: set[int] = set()
    found: dict[int, dict[str, np.ndarray]] = {}
    if store is not None:
        for task in tasks:
            chunk = store.load(task.index, task.count, chunk_key(base, task.start, task.count))
            if chunk is not None:
                found[task.index] = chunk
    # Stored chunks must fit the ensemble's layout (a one-replication model's outcomes):
    # one that does not (another version's, say) is run again, like a damaged one.
    layout = outcome_layout(tasks[0]) if found else None
    if layout is not None:
        found = {index: chunk for index, chunk in found.items() if fits(layout, chunk)}
    pending = [task for task in tasks if task.index not in found]
    processes = worker_count(workers, len(pending)) if scheduler is None else 1
    in_place = processes > 1 and _pool_context().get_start_method() == "fork"
    if in_place and layout is None:
        layout = outcome_layout(tasks[0])
    # Forked workers write into shared memory; each chunk is copied out as it finishes,
    # so that the results are this process's own memory (not shared with a process it
    # forks later) and the shared block is freed when the run ends. Otherwise the
    # layout comes with the first chunk.
    shared = Columns(layout, replications, shared=True) if in_place and layout else None
    columns = Columns(layout, replications) if layout is not None else None

    def put(start: int, arrays: dict[str, np.ndarray]) -> Columns:
        nonlocal columns
        if columns is None:
            columns = Columns({name: a.dtype for name, a in arrays.items()}, replications)
        columns.put(start, arrays)
        return columns

    def finished(index: int, arrays: dict[str, np.ndarray] | None) -> None:
        task = tasks[index]
        if arrays is None:  # a worker put them in the shared block
            assert shared is not None
            arrays = shared.rows(task.start, task.count)
        gathered = put(task.start, arrays)
        done.add(index)
        if store is not None:
            key = chunk_key(base, task.start, task.count)
            store.save(index, gathered.rows(task.start, task.count), key)
        if progress is not None:
            progress(len(done), len(tasks))

    for index, arrays in found.items():
        put(tasks[index].start, arrays)
        done.add(index)
    if progress is not None:
        progress(len(done), len(tasks))
    if scheduler is not None:
        _run_on_dask(pending, scheduler, finished)
    elif shared is not None:
        key = f"{os.getpid()}-{id(shared)}"
        _SHARED_COLUMNS[key] = shared
        try:
            _run_in_processes(pending, processes, finished, partial(_run_chunk_in_place, key))
        finally:
            del _SHARED_COLUMNS[key]
    elif processes > 1:
        _run_in_processes(pending, processes, finished)
    else:
        for task in pending:
            finished(task.index, run_chunk(task))
    assert columns is not None  # every chunk was put
    arrays = columns.arrays
    # The model's order: territory first, then the other issues; the holder first.
    issues = [TERRITORY, *(k for k in scenario.issues if k != TERRITORY)]
    sides = [scenario.front.holder, scenario.defender]
    return EnsembleResult(scenario, seed, weeks, issues, sides, arrays)


def _pool_context() -> multiprocessing.context.BaseContext:
    """Fork where the platform has it (workers start at once, with the parent's
    imports); spawn elsewhere. Mesa sets spawn as the global default on import."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


WORKER_HEAP_BYTES = 256 * 2**20
"""In a worker, allocations below this come from the heap and freed memory stays there
(glibc's mmap and trim thresholds): a week's temporaries of a large chunk (128 to 256
KiB each) are then reused instead of being mapped and unmapped each time, which saves
about a twentieth of a week's time. Workers are this library's own processes."""


def _start_worker() -> None:
    """In a worker: ask Linux to end this process when its parent dies, so a run killed
    outright (SIGKILL) leaves no workers waiting on a pipe nobody reads; keep the week's
    temporaries on the heap (:data:`WORKER_HEAP_BYTES`); and leave what the worker
    inherits out of garbage collection (``gc.freeze``): the imported modules are
    hundreds of thousands of objects that live as long as the worker, and a full pass
    over them cost about 20 ms in a worker's first chunk (measured with
    ``mc -n 100000``), besides copying their pages from the parent."""
    gc.freeze()
    try:
        import ctypes

        # Ctrl-C is the parent's to handle: it stops the workers (see _stop_pool), so a
        # worker neither prints a traceback nor breaks the pool while it is stopped.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
        m_trim_threshold, m_mmap_threshold = -1, -3
        libc.mallopt(m_trim_threshold, WORKER_HEAP_BYTES)
        libc.mallopt(m_mmap_threshold, min(WORKER_HEAP_BYTES, 32 * 2**20))
    except (OSError, AttributeError):  # pragma: no cover - not Linux, or not glibc
        pass


def _run_in_processes(
    tasks: Sequence[Any],
    workers: int,
    finished: Callable[[int, Any], None],
    work: Callable[[Any], Any] = run_chunk,
) -> None:
    """``work(task)`` for every task (each with an ``index``) in ``workers`` processes;
    ``finished(index, answer)`` here as each one ends."""
    # Imported once here, so forked workers start with the model (and Mesa, about a
    # second of CPU) loaded instead of each importing it on a machine that may be busy.
    from . import model  # noqa: F401

    with (
        _ctrl_c_noted() as ctrl_c,
        ProcessPoolExecutor(
            max_workers=workers, mp_context=_pool_context(), initializer=_start_worker
        ) as pool,
    ):
        futures: dict[Future, int] = {pool.submit(work, t): t.index for t in tasks}
        try:
            remaining = set(futures)
            while remaining:
                done, remaining = wait(remaining, timeout=0.1, return_when=FIRST_COMPLETED)
                if ctrl_c.is_set():
                    raise KeyboardInterrupt
                for future in done:
                    try:
                        answer = future.result()
                    except BrokenProcessPool:
                        raise ServiceLost(
                            "a worker process ended before its chunk was done (stopped from "
                            "outside, or the machine ran out of memory)"
                        ) from None
                    finished(futures[future], answer)
        except BaseException:
            for future in futures:
                future.cancel()
            _stop_pool(pool)
            raise
    if ctrl_c.is_set():  # Ctrl-C after the last chunk came back
        raise KeyboardInterrupt


@contextlib.contextmanager
def _ctrl_c_noted() -> Iterator[threading.Event]:
    """While workers run, Ctrl-C only sets the event this yields; the loop that waits
    on the workers then stops them and raises KeyboardInterrupt itself. Raised at any
    moment, the interrupt can land inside the pool's own machinery (a fork, a queue, a
    finaliser), where it is lost or leaves the pool waiting for good. Where SIGINT is
    not Python's default (ignored in a background job, or someone else's handler), it
    is left alone."""
    noted = threading.Event()
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield noted
        return
    signal.signal(signal.SIGINT, lambda signum, frame: noted.set())
    try:
        yield noted
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """End a pool's workers at once (Ctrl-C, an error in a chunk): waiting for the
    chunks in progress would keep the user waiting, and a pool stopped while its workers
    start can leave them blocked on its queues for good."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)


SCHEDULER_ADDRESS = re.compile(
    r"^(tcp|tls|ucx)://[^\s:/]+:"
    r"([1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d\d|655[0-2]\d|6553[0-5])/?$"
    r"|^inproc://\S+$"
)
"""A scheduler's address: a port from 1 to 65535 (any other is refused at once, not
after a connection attempt times out), or an in-process address."""
CONNECT_TIMEOUT = "10s"
PROBE_SECONDS = 8.0
"""How long the scheduler has to answer who it is before the run gives up."""


def _run_on_dask(
    tasks: Sequence[Task], scheduler: str, finished: Callable[[int, dict], None]
) -> None:
    check_scheduler(scheduler)
    from distributed import Client, as_completed

    try:
        client = Client(scheduler, set_as_default=False, timeout=CONNECT_TIMEOUT)
    except Exception as exc:  # any failure to connect is the address's fault
        raise InputError(f"{scheduler}: cannot reach the scheduler ({exc})", "scheduler") from None
    from distributed.client import FutureCancelledError
    from distributed.comm.core import CommClosedError

    with client:
        futures = {client.submit(run_chunk, t, pure=False): t.index for t in tasks}
        lost = (FutureCancelledError, CommClosedError, TimeoutError)
        try:
            for future in as_completed(list(futures), loop=client.loop):
                try:
                    arrays = future.result()
                except (*lost, OSError) as exc:  # the chunk's own errors are not these
                    raise ServiceLost(
                        f"{scheduler}: the scheduler was lost during the run ({exc})"
                    ) from None
                finished(futures[future], arrays)
        except lost as exc:
            raise ServiceLost(
                f"{scheduler}: the scheduler was lost during the run ({exc})"
            ) from None
        except ServiceLost:
            raise
        except BaseException:
            client.cancel(list(futures))
            raise


def check_scheduler(address: str) -> None:
    """Raise InputError, within :data:`PROBE_SECONDS`, unless a Dask scheduler answers.

    A Client pointed at something else (a web server, a TLS address without
    certificates, an in-process address of another process) can fail deep inside
    Dask with a MemoryError or TypeError, or hang; so ask first, on a connection of
    our own, for the peer's identity.

    Raises:
        InputError: a malformed address, or no scheduler answers there.
        NotInstalled: Dask distributed is not installed.
    """
    try:
        import distributed  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise NotInstalled(
            "a Dask scheduler needs Dask distributed: pip install 'ceasefire[dask]'"
        ) from exc
    if not SCHEDULER_ADDRESS.match(address):
        raise InputError(
            f"{address}: expected an address such as tcp://host:8786 (a port from 1 to 65535)",
            "scheduler",
        )
    if address.startswith("inproc://"):
        from distributed.comm.inproc import global_manager

        try:
            listener = global_manager.get_listener_for(address.removeprefix("inproc://"))
        except ValueError:
            listener = None
        if listener is None:
            raise InputError(
                f"{address}: no scheduler in this process (an inproc:// "
                "address only works inside the process that started the cluster)",
                "scheduler",
            )
        return
    try:
        # a thread of its own, so that this works where an event loop already runs
        with ThreadPoolExecutor(max_workers=1) as pool:
            identity = pool.submit(_ask_identity, address).result()
    except TimeoutError:
        raise InputError(
            f"{address}: no answer from a Dask scheduler within {PROBE_SECONDS:g} s",
            "scheduler",
        ) from None
    except OSError as exc:
        reason = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise InputError(f"{address}: cannot reach the scheduler ({reason})", "scheduler") from None
    except Exception as exc:  # whatever the peer did, it is not a scheduler
        reason = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise InputError(f"{address}: not a Dask scheduler ({reason})", "scheduler") from None
    if not isinstance(identity, dict) or identity.get("type") != "Scheduler":
        raise InputError(f"{address}: the service there is not a Dask scheduler", "scheduler")


def _ask_identity(address: str) -> Any:
    import asyncio  # only here: a quarter of a tenth of a second at every start-up

    return asyncio.run(asyncio.wait_for(_identity(address), PROBE_SECONDS))


async def _identity(address: str) -> Any:
    """The ``identity`` reply of the Dask server at ``address``."""
    from distributed.comm import connect
    from distributed.security import Security

    args = Security().get_connection_args("client")
    comm = await connect(address, timeout=PROBE_SECONDS, **args)
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()
    finally:
        comm.abort()


def ensemble_key(
    scenario: Scenario, seed: int, weeks: int, fixed: Sequence[tuple[str, float]] = ()
) -> str:
    """A hash of everything that decides an ensemble's numbers: the scenario as
    loaded, the seed, the weeks, the held values and the version (with
    :func:`chunk_key`, a chunk's first replication and count)."""
    from . import __version__

    text = json.dumps(
        {
            "scenario": scenario_digest(scenario),
            "seed": int(seed),
            "weeks": int(weeks),
            "fixed": [[path, float(value)] for path, value in fixed],
            "random_numbers": RANDOM_NUMBERS,
            "version": __version__,
            "layout": ARRAYS_LAYOUT,
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


ARRAYS_LAYOUT = 2
"""Which arrays a stored chunk holds (2: the sampled inputs beside the outcomes). Part
of a chunk's key, so a run resumed by a program that stores other arrays never mixes
its chunks with older ones; change it when :func:`outcome_arrays` changes."""


def chunk_key(ensemble: str, start: int, count: int) -> str:
    """The key of the chunk of ``count`` replications from replication ``start``."""
    return hashlib.sha256(f"{ensemble}/{start}/{count}".encode()).hexdigest()


def scenario_digest(scenario: Scenario) -> str:
    """A hash of the scenario as loaded (after extends and --set), for manifests."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
