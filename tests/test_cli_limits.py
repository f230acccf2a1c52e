"""Every number on the command line gets an answer: replications, workers, scheduler, grids."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from click.testing import CliRunner
from conftest import refused

import simulator.ensemble as ensemble
from simulator.cli import main
from simulator.ensemble import CHUNK_SIZE, max_replications, worker_count

FAST = ["--weeks", "4", "--format", "json"]


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("n", [str(10**12), "9" * 24, str(2**63)])
@pytest.mark.parametrize("command", ["mc", "sweep", "sensitivity"])
def test_too_many_replications_are_refused_at_once_with_the_limit(command, n, tmp_path):
    started = time.monotonic()
    extra = ["--vary", "horizon=4:8:2"] if command == "sweep" else []
    out = ["--out", str(tmp_path / "run")] if command == "mc" else []
    message = refused(invoke(command, "-n", n, *FAST, *extra, *out))
    assert time.monotonic() - started < 2
    assert f"at most {max_replications()}" in message and "memory" in message
    assert not (tmp_path / "run").exists()


def test_the_replication_limit_follows_memory_and_never_passes_2_63(monkeypatch):
    import os

    pages = {"SC_PHYS_PAGES": 2**60, "SC_PAGE_SIZE": 2**20}
    monkeypatch.setattr(os, "sysconf", lambda name: pages[name])
    assert max_replications() == 2**63 - 1
    pages.update(SC_PHYS_PAGES=2**20, SC_PAGE_SIZE=4096)  # 4 GiB
    assert max_replications() == 4 * 2**30 // ensemble.BYTES_PER_REPLICATION


def test_workers_are_capped_at_chunks_and_cpus(monkeypatch):
    monkeypatch.setattr(ensemble.os, "sched_getaffinity", lambda pid: {0, 1, 2})
    assert worker_count(1000, 2) == 2
    assert worker_count(1000, 50) == 3
    assert worker_count(1, 50) == 1
    assert worker_count(8, 0) == 1


def test_a_thousand_workers_start_only_as_many_processes_as_chunks(monkeypatch):
    started = []
    real = ensemble.ProcessPoolExecutor

    def recording(max_workers, **kwargs):
        started.append(max_workers)
        return real(max_workers=max_workers, **kwargs)

    monkeypatch.setattr(ensemble, "ProcessPoolExecutor", recording)
    monkeypatch.setattr(ensemble.os, "sched_getaffinity", lambda pid: set(range(64)))
    result = invoke("mc", "-n", str(CHUNK_SIZE + 10), *FAST, "--workers", "1000")
    assert result.exit_code == 0, result.output
    assert started == [2]


@pytest.fixture
def not_a_scheduler():
    """A plain TCP service on 127.0.0.1 that answers every connection with HTTP."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            with connection:
                try:
                    connection.sendall(b"HTTP/1.0 200 OK\r\n\r\n" + b"hello " * 100)
                    connection.settimeout(2)
                    connection.recv(4096)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(5)
    server.close()


@pytest.mark.parametrize("scheme", ["tcp", "tls", "inproc"])
def test_a_scheduler_address_that_is_not_a_scheduler_ends_in_one_line(
    scheme, not_a_scheduler, tmp_path
):
    pytest.importorskip("distributed")
    address = {
        "tcp": f"tcp://127.0.0.1:{not_a_scheduler}",
        "tls": f"tls://127.0.0.1:{not_a_scheduler}",
        "inproc": "inproc://127.0.0.1/1/1",
    }[scheme]
    started = time.monotonic()
    out = tmp_path / "run"
    result = invoke("mc", "-n", "10", *FAST, "--scheduler", address, "--out", str(out))
    message = refused(result)
    assert time.monotonic() - started < 15
    assert message.startswith(f"--scheduler {address}:")
    assert not out.exists()
    study = invoke("sensitivity", "-n", "10", *FAST, "--scheduler", address)  # no --out
    assert refused(study).startswith(f"--scheduler {address}:")
    assert time.monotonic() - started < 30


def test_a_sweep_starts_before_it_has_built_its_grid(monkeypatch):
    """A 100 x 100 grid reports progress after building a handful of scenarios, not 10,000."""
    import simulator.studies as studies

    built = []
    real = studies.load_scenario

    def counting(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    class Started(Exception):
        pass

    def first_progress(done: int, total: int) -> None:
        raise Started(len(built), total)

    monkeypatch.setattr(studies, "load_scenario", counting)
    varies = [
        studies.Vary.parse("actors.ukraine.resolve=0.1:0.9:100"),
        studies.Vary.parse("actors.russia.resolve=0.1:0.9:100"),
    ]
    started = time.monotonic()
    with pytest.raises(Started) as raised:
        studies.sweep(None, [], varies, ensemble.Runs(10, weeks=4), progress=first_progress)
    scenarios_built, total = raised.value.args
    assert total == 10_000
    assert scenarios_built <= 4  # the grid's corners, checked before any work
    assert time.monotonic() - started < 5


def test_a_sweep_value_out_of_range_is_refused_before_anything_is_written(tmp_path):
    out = tmp_path / "sweep"
    vary = "actors.ukraine.resolve=0.5:1.5:3"  # the far corner is out of range
    message = refused(invoke("sweep", "-n", "10", *FAST, "--vary", vary, "--out", str(out)))
    assert "actors.ukraine.resolve" in message
    assert not out.exists()


def test_the_library_refuses_too_many_replications_before_any_work():
    from simulator import load_scenario

    with pytest.raises(ValueError, match=f"at most {max_replications()}"):
        ensemble.Runs(10**12)
    with pytest.raises(ValueError, match="more than this machine can hold"):
        ensemble.run_ensemble(load_scenario(None), 10**30)
