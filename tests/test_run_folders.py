"""One run per output folder: what a folder holds is the result of the run that was asked for.

Each test here shows one guarantee: a folder that holds a run is refused unless the
run resumes or starts over; stored chunks are used only by the run they belong to;
a folder in use is locked; a finished or garbled run is not resumed; an interrupted
run says how to finish it; a killed run leaves nothing a later run trips on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import refused

from simulator import load_scenario
from simulator.cli import main
from simulator.ensemble import CHUNK_SIZE, ChunkStore, Runs, run_ensemble
from simulator.outputs import rundir
from simulator.studies import Vary, sweep

ROOT = Path(__file__).resolve().parents[1]
FAST = ["--weeks", "4", "--format", "json"]


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def as_json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def same(first, second) -> bool:
    return all(
        np.array_equal(first.arrays[k], second.arrays[k], equal_nan=True) for k in first.arrays
    )


# ------------------------------------------------------------------ folders and keys


def test_another_seed_into_the_same_folder_is_refused_without_force_and_right_with_it(tmp_path):
    out = tmp_path / "run"
    first = as_json(invoke("mc", "-n", "300", "--seed", "1", *FAST, "--out", str(out)))
    message = refused(invoke("mc", "-n", "300", "--seed", "2", *FAST, "--out", str(out)))
    assert str(out) in message and "--force" in message
    assert "complete 'mc' run" in message and "--resume" not in message
    assert json.loads((out / "summary.json").read_text()) == first  # left as it was

    forced = as_json(invoke("mc", "-n", "300", "--seed", "2", *FAST, "--out", str(out), "--force"))
    straight = as_json(invoke("mc", "-n", "300", "--seed", "2", *FAST))
    assert forced == straight != first
    assert json.loads((out / "manifest.json").read_text())["settings"]["seed"] == 2


def test_another_scenario_into_the_same_folder_is_refused_without_force_and_right_with_it(
    tmp_path,
):
    out = tmp_path / "run"
    as_json(invoke("mc", "baseline", "-n", "200", *FAST, "--out", str(out)))
    refused(invoke("mc", "us-presses-kyiv", "-n", "200", *FAST, "--out", str(out)))
    forced = invoke("mc", "us-presses-kyiv", "-n", "200", *FAST, "--out", str(out), "--force")
    assert as_json(forced) == as_json(invoke("mc", "us-presses-kyiv", "-n", "200", *FAST))


def test_force_removes_only_what_a_run_wrote(tmp_path):
    out = tmp_path / "run"
    as_json(invoke("mc", "-n", "50", *FAST, "--out", str(out)))
    (out / "notes.txt").write_text("mine")
    as_json(invoke("mc", "-n", "60", *FAST, "--out", str(out), "--force"))
    assert (out / "notes.txt").read_text() == "mine"
    assert json.loads((out / "manifest.json").read_text())["settings"]["replications"] == 60


def test_a_stored_chunk_is_used_only_by_its_own_run(tmp_path):
    """Seed, weeks, held values and scenario each key the chunks: a store that holds
    another run's chunks gives the same numbers as no store at all."""
    scenario = load_scenario(None, ["horizon=8"])
    other = load_scenario("us-presses-kyiv", ["horizon=8"])
    store = ChunkStore(tmp_path)
    run_ensemble(scenario, 100, seed=1, weeks=8, store=store)
    path = "actors.ukraine.resolve"
    for kwargs in (
        {"seed": 2, "weeks": 8},
        {"seed": 1, "weeks": 6},
        {"seed": 1, "weeks": 8, "fixed": {path: 0.3}},
    ):
        assert same(
            run_ensemble(scenario, 100, store=store, **kwargs),
            run_ensemble(scenario, 100, **kwargs),
        )
    kept = run_ensemble(other, 100, seed=1, weeks=8, store=ChunkStore(tmp_path))
    assert same(kept, run_ensemble(other, 100, seed=1, weeks=8))


def test_a_sweep_cell_uses_only_chunks_of_its_own_values(tmp_path, monkeypatch):
    """Cells are keyed by their varied values: a folder of another sweep's cells is not
    reused. (Short runs agree on nothing, so the cells report mean control instead.)"""
    import simulator.studies as studies

    monkeypatch.setattr(
        studies, "headline", lambda r: {"control": float(r.arrays["control_at_end"].mean())}
    )
    runs = Runs(100, seed=3, weeks=4)
    path = "front.engagements_per_week"
    first = sweep(None, [], [Vary.parse(f"{path}=4:6:2")], runs, store_dir=tmp_path)
    varied = [Vary.parse(f"{path}=10:14:2")]
    stored = sweep(None, [], varied, runs, store_dir=tmp_path)
    assert stored == sweep(None, [], varied, runs)
    assert [c["control"] for c in stored["cells"]] != [c["control"] for c in first["cells"]]


def test_another_sweep_into_the_same_folder_is_refused_without_force_and_right_with_it(
    tmp_path,
):
    out = tmp_path / "sweep"
    base = ["sweep", "-n", "100", *FAST]
    as_json(invoke(*base, "--vary", "actors.ukraine.resolve=0.2:0.4:2", "--out", str(out)))
    other = [*base, "--vary", "actors.ukraine.resolve=0.6:0.9:2"]
    refused(invoke(*other, "--out", str(out)))
    assert as_json(invoke(*other, "--out", str(out), "--force")) == as_json(invoke(*other))


# ------------------------------------------------------------------ the lock


def test_a_folder_in_use_is_refused_naming_the_run_that_holds_it(tmp_path):
    out = tmp_path / "run"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from simulator.outputs import rundir; "
            "rundir.lock(sys.argv[1], 'ceasefire mc -n 99 --out busy'); "
            "print('locked', flush=True); time.sleep(60)",
            str(out),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        message = refused(invoke("mc", "-n", "50", *FAST, "--out", str(out)))
        assert message.startswith(f"{out}: in use by another run")
        assert f"pid {holder.pid}" in message and "'ceasefire mc -n 99 --out busy'" in message
        assert "started 20" in message
        refused(invoke("mc", "-n", "50", *FAST, "--out", str(out), "--force"))
        assert rundir.contents(out) == []  # nothing written beside the lock
    finally:
        holder.kill()
        holder.wait()
    as_json(invoke("mc", "-n", "50", *FAST, "--out", str(out)))  # free once its holder is gone


def test_a_forked_worker_does_not_keep_the_folder_locked(tmp_path):
    """Workers forked by a run close their copy of the lock, so a worker left behind
    by a killed run cannot keep the folder locked."""
    import multiprocessing
    import time as clock

    held = rundir.lock(tmp_path, "ceasefire mc")
    context = multiprocessing.get_context("fork")
    running = context.Event()

    def work() -> None:
        running.set()
        clock.sleep(30)

    worker = context.Process(target=work)
    worker.start()
    assert running.wait(10)
    try:
        held.release()  # the run ends; its worker lives on
        assert not (tmp_path / rundir.LOCK_NAME).exists()
        rundir.lock(tmp_path, "ceasefire mc --resume").release()
    finally:
        worker.kill()
        worker.join()


def test_the_lock_file_goes_when_the_run_ends_completed_or_refused(tmp_path):
    out = tmp_path / "run"
    as_json(invoke("mc", "-n", "50", *FAST, "--out", str(out)))
    assert (out / "manifest.json").is_file() and not (out / rundir.LOCK_NAME).exists()
    refused(invoke("mc", "-n", "50", *FAST, "--out", str(out)))  # holds files: a user error
    assert not (out / rundir.LOCK_NAME).exists()
    as_json(invoke("mc", "-n", "50", *FAST, "--out", str(out), "--force"))
    assert not (out / rundir.LOCK_NAME).exists()


def test_a_lock_file_removed_under_a_waiting_run_is_not_taken(tmp_path):
    """A run that opened the lock file just before its holder removed it locks the new
    file, not the removed one, so two runs never hold the folder at once."""
    first = rundir.lock(tmp_path, "ceasefire mc")
    stale = os.open(tmp_path / rundir.LOCK_NAME, os.O_RDWR)
    first.release()
    second = rundir.lock(tmp_path, "ceasefire mc")
    try:
        assert (tmp_path / rundir.LOCK_NAME).exists()
        # the stale descriptor's file is gone: locking it would hold nothing
        assert os.fstat(stale).st_ino != os.stat(tmp_path / rundir.LOCK_NAME).st_ino
        with pytest.raises(rundir.FolderInUse):
            rundir.lock(tmp_path, "ceasefire mc")
    finally:
        os.close(stale)
        second.release()


# ------------------------------------------------------------------ resuming


def test_resume_of_a_finished_run_is_refused(tmp_path):
    out = tmp_path / "run"
    as_json(invoke("mc", "-n", "50", *FAST, "--out", str(out)))
    message = refused(invoke("mc", "--resume", str(out)))
    assert "complete" in message and "nothing to resume" in message


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


@pytest.mark.parametrize(
    "garble",
    [
        lambda m: "{not json",
        lambda m: "[1, 2]",
        lambda m: json.dumps({k: v for k, v in m.items() if k != "settings"}),
        lambda m: json.dumps({**m, "settings": {**m["settings"], "replications": "many"}}),
        lambda m: json.dumps({**m, "settings": {**m["settings"], "seed": -1}}),
        lambda m: json.dumps({**m, "status": "half-done"}),
        lambda m: json.dumps({**m, "settings": None}),
        lambda m: b"\xff\xfe\x00garbage",
    ],
    ids=["not-json", "a-list", "no-settings", "text-count", "bad-seed", "status", "null", "bytes"],
)
def test_a_malformed_manifest_exits_2_with_one_line(tmp_path, garble):
    out = tmp_path / "run"
    as_json(invoke("mc", "-n", "30", *FAST, "--out", str(out)))
    text = garble({**_manifest(out), "status": "interrupted"})
    path = out / "manifest.json"
    path.write_bytes(text) if isinstance(text, bytes) else path.write_text(text)
    assert str(path) in refused(invoke("mc", "--resume", str(out)))


def test_resume_refuses_chunks_of_another_version(tmp_path):
    out = tmp_path / "run"
    as_json(invoke("mc", "-n", "30", *FAST, "--out", str(out)))
    manifest = {**_manifest(out), "status": "interrupted", "run_key": "0" * 64}
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert "key does not match" in refused(invoke("mc", "--resume", str(out)))


# ------------------------------------------------------------------ a killed run


KILLED_RUN = """
import os, signal, sys
import numpy as np
from simulator.cli import main

real, calls = np.savez, []

def savez(stream, **arrays):
    calls.append(1)
    if len(calls) == 2:  # killed half-way through writing the second chunk
        stream.write(b"half a chunk")
        stream.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    real(stream, **arrays)

np.savez = savez
sys.argv = ["ceasefire", "mc", *sys.argv[1:]]
main()
"""


def test_a_killed_run_leaves_nothing_a_later_run_trips_on(tmp_path):
    out = tmp_path / "run"
    args = ["-n", str(2 * CHUNK_SIZE), "--weeks", "4", "--seed", "5"]
    killed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED_RUN), *args, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr
    assert list((out / "chunks").glob(".*.tmp")), "the kill should leave a torn temporary"
    assert _manifest(out)["status"] == "running"

    resumed = invoke("mc", "--resume", str(out), "--format", "json")
    assert resumed.exit_code == 0, resumed.output
    assert "is gone" in resumed.stderr  # the dead run's lock is taken over, with a note
    assert as_json(resumed) == as_json(invoke("mc", *args, "--format", "json"))
    assert not [p for p in out.rglob("*.tmp")]
    assert _manifest(out)["status"] == "complete"
    assert not (out / rundir.LOCK_NAME).exists()  # released and removed
