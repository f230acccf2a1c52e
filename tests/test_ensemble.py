"""Ensembles: chunking, worker-count invariance, Dask, resume, and agreement with batch_run."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from simulator import CeasefireModel, load_scenario
from simulator.ensemble import (
    CHUNK_SIZE,
    MAX_CHUNK_SIZE,
    ChunkStore,
    Columns,
    Task,
    chunk_counts,
    outcome_layout,
    run_chunk,
    run_ensemble,
)

SHORT = ["horizon=20"]


def same(first, second) -> bool:
    return first.arrays.keys() == second.arrays.keys() and all(
        np.array_equal(first.arrays[k], second.arrays[k], equal_nan=True) for k in first.arrays
    )


def test_chunks_are_full_but_for_the_last():
    assert chunk_counts(10, 4) == [4, 4, 2]
    assert chunk_counts(8, 4) == [4, 4]
    with pytest.raises(ValueError, match="at least 1"):
        chunk_counts(0)


def test_outcomes_have_one_entry_per_replication():
    result = run_ensemble(load_scenario(None, SHORT), 300)
    assert result.replications == 300
    assert all(len(column) == 300 for column in result.arrays.values())
    assert set(result.issue_ids) == {"territory", "sequencing"}
    assert set(result.sides) == {"russia", "ukraine"}
    agreed = result.arrays["agreed"]
    assert np.all(np.isnan(result.arrays["terms_territory"][~agreed]))
    assert np.all(result.arrays["agreement_week"][~agreed] == -1)


def test_same_results_whatever_the_number_of_workers():
    scenario = load_scenario(None, SHORT)
    n = 2 * CHUNK_SIZE + 50
    assert same(run_ensemble(scenario, n, workers=1), run_ensemble(scenario, n, workers=2))


def test_same_results_whatever_the_chunk_size():
    """Replication i's numbers depend on the seed and i only, not on its chunk."""
    scenario = load_scenario(None, SHORT)
    whole = run_ensemble(scenario, 700, workers=1, size=700)
    assert same(run_ensemble(scenario, 700, workers=1, size=64), whole)
    assert same(run_ensemble(scenario, 700, workers=2, size=300), whole)


def test_an_uncertain_pause_length_is_drawn_per_replication_not_per_chunk(tmp_path):
    """Every number a scenario makes uncertain is one draw per replication, so chunks
    cannot change it (a chunk once took its first replication's pause length)."""
    from simulator.scenario.loader import BUNDLED_DIR

    text = (BUNDLED_DIR / "baseline.yaml").read_text()
    fixed = "  pause_weeks:\n    value: 4\n"
    assert fixed in text
    path = tmp_path / "pauses.yaml"
    path.write_text(
        text.replace(fixed, "  pause_weeks:\n    value: {dist: uniform, low: 2, high: 9}\n")
    )
    scenario = load_scenario(path, ["horizon=40"])
    whole = run_ensemble(scenario, 300, workers=1, size=300)
    assert same(run_ensemble(scenario, 300, workers=1, size=7), whole)
    model = CeasefireModel(scenario, 300)
    assert len(np.unique(model.pause_weeks)) > 100


def test_an_ensemble_is_a_prefix_of_a_larger_one():
    """The first 1,000 replications of -n 2000 are the replications of -n 1000 (rows
    of the replication table equal), whatever the chunks of either."""
    scenario = load_scenario(None, SHORT)
    small = run_ensemble(scenario, 1000, workers=1)
    large = run_ensemble(scenario, 2000, workers=2, size=CHUNK_SIZE // 2)
    assert large.arrays.keys() == small.arrays.keys()
    for name, column in small.arrays.items():
        assert np.array_equal(large.arrays[name][:1000], column, equal_nan=True), name
    assert not np.array_equal(large.arrays["control_at_end"][1000:], small.arrays["control_at_end"])


def test_small_ensembles_are_one_chunk_and_large_ones_are_cut_for_the_workers():
    assert chunk_counts(CHUNK_SIZE) == [CHUNK_SIZE]
    assert len(chunk_counts(100_000)) >= 4
    assert max(chunk_counts(10**7)) == MAX_CHUNK_SIZE


def test_same_results_on_a_dask_cluster():
    distributed = pytest.importorskip("distributed")
    scenario = load_scenario(None, SHORT)
    n = CHUNK_SIZE + 10
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        on_dask = run_ensemble(scenario, n, scheduler=cluster.scheduler_address)
    assert same(on_dask, run_ensemble(scenario, n))


def test_weeks_beyond_the_horizon_are_refused_not_cut_short():
    scenario = load_scenario(None, SHORT)
    with pytest.raises(ValueError, match="beyond the scenario's horizon of 20"):
        run_ensemble(scenario, 10, weeks=21)
    assert run_ensemble(scenario, 10, weeks=20).weeks == 20


def test_different_seeds_differ():
    scenario = load_scenario(None, SHORT)
    first = run_ensemble(scenario, 200, seed=1)
    second = run_ensemble(scenario, 200, seed=2)
    assert not np.array_equal(first.arrays["control_at_end"], second.arrays["control_at_end"])


def test_fixed_value_holds_in_every_replication_and_leaves_other_draws_alone():
    scenario = load_scenario(None, SHORT)
    model = CeasefireModel(scenario, 50, seed=3, fixed={"actors.russia.resolve": 0.5})
    plain = CeasefireModel(scenario, 50, seed=3)
    assert np.all(model.holder.resolve == 0.5)
    assert np.array_equal(model.holder.forces, plain.holder.forces)
    with pytest.raises(KeyError):
        CeasefireModel(scenario, 5, fixed={"actors.russia.nonsense": 1.0})


class Interrupt(Exception):
    """Stands for Ctrl-C in the middle of a run."""


def test_interrupted_run_keeps_finished_chunks_and_resumes_to_the_same_result(tmp_path):
    scenario = load_scenario(None, SHORT)
    n = 3 * CHUNK_SIZE
    store = ChunkStore(tmp_path)

    def stop_after_first(done: int, total: int) -> None:
        if done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):  # in this process, so chunk 0 finishes first
        run_ensemble(scenario, n, workers=1, store=store, progress=stop_after_first)
    kept = sorted(p.name for p in (tmp_path / "chunks").iterdir())
    assert kept == ["00000.npz"]
    resumed = run_ensemble(scenario, n, store=store)
    assert same(resumed, run_ensemble(scenario, n))
    assert len(list((tmp_path / "chunks").glob("*.npz"))) == 3


def test_chunks_workers_put_in_place_are_the_ones_stored_and_resumed(tmp_path):
    """Two workers write their chunks into shared memory; the store keeps those rows,
    and a run resumed from some stored chunks and some new ones is the same run."""
    scenario = load_scenario(None, SHORT)
    n = 4 * CHUNK_SIZE + 7
    store = ChunkStore(tmp_path)
    first = run_ensemble(scenario, n, workers=2, store=store)
    assert same(first, run_ensemble(scenario, n, workers=1))
    start = 0
    for index, count in enumerate(chunk_counts(n)):
        with np.load(store.path(index)) as stored:
            key = str(stored[ChunkStore.KEY])
        chunk = store.load(index, count, key)
        assert chunk is not None and chunk.keys() == first.arrays.keys()
        for name, column in chunk.items():
            assert np.array_equal(column, first.arrays[name][start : start + count], equal_nan=True)
        start += count
    store.path(1).unlink()
    store.path(3).unlink()
    assert same(run_ensemble(scenario, n, workers=2, store=store), first)
    store.path(2).unlink()  # one chunk left to run: in this process
    assert same(run_ensemble(scenario, n, workers=2, store=store), first)


ANOTHER_LAYOUT = {
    "another type": lambda c: {**c, "agreement_week": c["agreement_week"].astype(np.int64)},
    "a single number more": lambda c: {**c, "extra": np.array(1.0)},
    "a table for a column": lambda c: {**c, "agreed": np.stack([c["agreed"]] * 2, axis=1)},
    "an array less": lambda c: {k: v for k, v in c.items() if k != "agreed"},
}


@pytest.mark.parametrize("change", ANOTHER_LAYOUT.values(), ids=list(ANOTHER_LAYOUT))
def test_a_stored_chunk_of_another_layout_is_run_again(tmp_path, change):
    """A chunk stored under the run's key whose arrays do not fit the ensemble (another
    version's, say) is run again, like a damaged one, not a crash."""
    scenario = load_scenario(None, SHORT)
    n = 2 * CHUNK_SIZE
    store = ChunkStore(tmp_path)
    first = run_ensemble(scenario, n, workers=1, store=store)
    for workers in (1, 2):
        with np.load(store.path(1)) as stored:
            chunk = {name: stored[name] for name in stored.files}
        np.savez(store.path(1), **change(chunk))
        assert same(run_ensemble(scenario, n, workers=workers, store=store), first)
        with np.load(store.path(1)) as stored:
            assert stored.files == list(chunk)
            assert stored["agreement_week"].dtype == np.int32


def test_results_of_workers_are_not_shared_with_a_later_fork():
    """Workers write into shared memory, but the results are the caller's own: a child
    it forks afterwards writes into its own copy, as fork promises."""
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    scenario = load_scenario(None, SHORT)
    result = run_ensemble(scenario, 2 * CHUNK_SIZE, workers=2)
    weeks = result.arrays["agreement_week"]
    before = weeks.copy()
    pid = os.fork()
    if pid == 0:
        try:
            weeks[:] = -99
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert np.array_equal(weeks, before)


def test_a_worker_killed_from_outside_ends_the_run_as_a_lost_service(monkeypatch):
    """A worker gone mid-chunk (the out-of-memory killer, a kill -9) is the machine's
    failure, told in one line (ServiceLost), not a bug's traceback."""
    import signal

    from simulator import ensemble
    from simulator.errors import ServiceLost

    real = ensemble.run_chunk

    def killed_in_second_chunk(task):
        if task.index == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(task)

    monkeypatch.setattr(ensemble, "run_chunk", killed_in_second_chunk)
    with pytest.raises(ServiceLost, match="a worker process ended before its chunk was done"):
        run_ensemble(load_scenario(None, SHORT), 3 * CHUNK_SIZE, workers=2)


def test_columns_written_by_a_forked_process_are_seen_by_its_parent():
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    scenario = load_scenario(None, SHORT)
    task = Task(scenario, index=1, count=30, seed=5, weeks=20, start=70)
    layout = outcome_layout(task)
    shared = Columns(layout, 100, shared=True)
    private = Columns(layout, 100)
    for columns in (shared, private):
        for column in columns.arrays.values():
            column[:] = 0
    pid = os.fork()
    if pid == 0:  # the child: write a chunk, then leave at once
        try:
            arrays = run_chunk(task)
            shared.put(task.start, arrays)
            private.put(task.start, arrays)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    chunk = run_chunk(task)
    for name, column in chunk.items():
        assert np.array_equal(shared.arrays[name][70:100], column, equal_nan=True), name
        assert not private.arrays[name].any(), name  # a private copy stays the parent's
    assert not shared.arrays["control_at_end"][:70].any()


def test_a_chunk_of_another_layout_is_refused():
    scenario = load_scenario(None, SHORT)
    task = Task(scenario, index=0, count=5, seed=5, weeks=3)
    columns = Columns(outcome_layout(task), 5)
    arrays = run_chunk(task)
    with pytest.raises(ValueError, match="not the ensemble's"):
        columns.put(0, {**arrays, "extra": arrays["agreed"]})
    with pytest.raises(ValueError, match="agreed is float64, not bool"):
        columns.put(0, {**arrays, "agreed": arrays["agreed"].astype(float)})


def test_a_torn_chunk_file_is_run_again(tmp_path):
    scenario = load_scenario(None, SHORT)
    store = ChunkStore(tmp_path)
    first = run_ensemble(scenario, 100, store=store)
    store.path(0).write_bytes(b"not a chunk")
    assert same(run_ensemble(scenario, 100, store=store), first)


def test_no_temporary_files_are_left_behind(tmp_path):
    run_ensemble(load_scenario(None, SHORT), 100, store=ChunkStore(tmp_path))
    assert [p.name for p in (tmp_path / "chunks").iterdir()] == ["00000.npz"]


def test_batch_run_and_lockstep_replications_draw_the_same_distributions():
    """mesa.batch_run with one replication per model agrees with one model of many."""
    import mesa

    weeks, n = 40, 250
    # Without Moscow's red line, with a less resolute Kyiv and both clocks running out
    # within the run, deals are common enough to compare their weeks and terms.
    overrides = [
        "actors.russia.positions.territory.red_line=null",
        "actors.ukraine.resolve=0.2",
        "actors.ukraine.foresight=52",
        "actors.russia.strategy.params.deadline=30",
        "actors.ukraine.strategy.params.deadline=30",
    ]
    # batch_run reports the week before a model stops itself (Mesa issue #2514), so its
    # models get one more week and are stopped by max_steps at the week compared.
    looped = load_scenario(None, [*overrides, f"horizon={weeks + 1}"])
    rows = mesa.batch_run(
        CeasefireModel,
        {"scenario": [looped], "seed": range(n)},
        max_steps=weeks,
        display_progress=False,
    )
    assert {row["Step"] for row in rows} == {weeks}
    batch_agreed = np.array([bool(row["agreed"][0]) for row in rows])
    batch_week = np.array([int(row["agreement_week"][0]) for row in rows])
    batch_settled = np.array([bool(row["settled"][0]) for row in rows])
    batch_terms = np.array([float(row["terms_territory"][0]) for row in rows])

    lockstep = run_ensemble(load_scenario(None, [*overrides, f"horizon={weeks}"]), 4 * n, seed=987)
    agreed = lockstep.arrays["agreed"]
    # Agreement rates: chi-square test of a 2x2 table.
    table = [
        [batch_agreed.sum(), n - batch_agreed.sum()],
        [agreed.sum(), len(agreed) - agreed.sum()],
    ]
    assert batch_agreed.sum() > 10 and agreed.sum() > 40
    assert stats.chi2_contingency(table).pvalue > 0.001
    # Weeks and terms among agreed runs: two-sample Kolmogorov-Smirnov tests.
    assert (
        stats.ks_2samp(batch_week[batch_agreed], lockstep.arrays["agreement_week"][agreed]).pvalue
        > 0.001
    )
    settled = lockstep.arrays["settled"]
    assert (
        stats.ks_2samp(
            batch_terms[batch_settled], lockstep.arrays["terms_territory"][settled]
        ).pvalue
        > 0.001
    )


def test_a_finished_chunk_frees_its_model(monkeypatch):
    """A sweep runs hundreds of chunks in one process: none may keep its model alive."""
    import gc
    import weakref

    import simulator.model
    from simulator import ensemble

    built: list[weakref.ref] = []

    class Watched(CeasefireModel):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            built.append(weakref.ref(self))

    monkeypatch.setattr(simulator.model, "CeasefireModel", Watched)
    ensemble.run_chunk(ensemble.Task(load_scenario(None, ["horizon=3"]), 0, 20, 1, 3))
    gc.collect()
    assert len(built) == 1 and built[0]() is None


def _slow_square(task):
    time.sleep(1.0)  # longer than the test waits for stopped workers to go
    return task.index**2


def test_ctrl_c_while_workers_run_stops_them_and_raises_in_the_caller():
    """SIGINT only sets a flag while workers run; the waiting loop raises it and ends
    the workers, so no chunk finishes after the interrupt and no worker is left."""
    import multiprocessing
    import os
    import signal
    from types import SimpleNamespace

    from simulator.ensemble import _run_in_processes

    tasks = [SimpleNamespace(index=i) for i in range(40)]
    answers: dict[int, int] = {}
    kept: list[int] = []
    interrupted: list[float] = []

    def finished(index: int, answer: int) -> None:
        answers[index] = answer
        if len(answers) == 1:
            interrupted.append(time.monotonic())
            os.kill(os.getpid(), signal.SIGINT)
        kept.append(index)  # what a finished chunk does (storing it) is never cut short

    before = set(multiprocessing.active_children())  # other tests' pools may be ending
    with pytest.raises(KeyboardInterrupt):
        _run_in_processes(tasks, 2, finished, work=_slow_square)
    # Stopped, not waited for: the chunks in progress had most of a second to go.
    assert time.monotonic() - interrupted[0] < 0.5
    assert 1 <= len(answers) < len(tasks)
    assert sorted(kept) == sorted(answers)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    # multiprocessing may still list a worker that the pool's own thread reaped (two
    # waiters on one process id): what counts is that no such process runs.
    workers = {child.pid for child in set(multiprocessing.active_children()) - before}
    deadline = time.monotonic() + 0.5
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if _running(pid)]


def _running(pid: int | None) -> bool:
    """Whether process ``pid`` runs (a zombie, ended but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:  # pragma: no cover - no /proc: ask the kernel
        try:
            os.kill(pid or 0, 0)
        except ProcessLookupError:
            return False
        return True
    return stat.rsplit(") ", 1)[1][:1] != "Z"
