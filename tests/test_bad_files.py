"""Every malformed scenario file gets an answer: exit 2, one line naming it, within 2 s.

The corpus in tests/data/bad/ holds one file per kind of bad input (its first line
says what is wrong, where a comment fits). Files that cannot live in a repository (a
FIFO, a socket, a symlink loop, a file over the size limit) are made in tmp_path.
Each goes through `validate` and `run --out` in-process, in a thread with a deadline
so that a regression that blocks fails the test instead of hanging it; the FIFO and
/dev/zero also go through a real process with a timeout.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from simulator.cli import main
from simulator.scenario.textfile import MAX_SCENARIO_BYTES
from simulator.scenario.yamlpos import MAX_DEPTH, MAX_NODES

ROOT = Path(__file__).resolve().parents[1]
BAD = Path(__file__).parent / "data" / "bad"
CORPUS = sorted(BAD.glob("*.yaml"))
DEADLINE = 2.0


def _made(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    """Bad inputs made on the spot: name -> (arguments, the file the error must name)."""
    made = tmp_path / "made"
    made.mkdir()
    os.mkfifo(made / "fifo.yaml")
    (made / "directory.yaml").mkdir()
    (made / "loop-a.yaml").symlink_to("loop-b.yaml")
    (made / "loop-b.yaml").symlink_to("loop-a.yaml")
    (made / "zero.yaml").symlink_to("/dev/zero")
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(str(made / "socket.yaml"))
    unix.close()
    line = "# padding to push the file over the size limit\n"
    (made / "too-large.yaml").write_text(line * (MAX_SCENARIO_BYTES // len(line) + 1))
    for target in ("fifo", "directory", "loop-a", "zero", "socket", "too-large"):
        (made / f"extends-{target}.yaml").write_text(f"extends: {target}.yaml\nname: x\n")
    for index in range(20):  # a chain of extends longer than the limit
        (made / f"chain-{index}.yaml").write_text(f"extends: chain-{index + 1}.yaml\n")
    (made / "chain-20.yaml").write_text("extends: baseline\n")
    deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    cases = {
        name: ([str(made / f"{name}.yaml")], str(made / f"{name}.yaml"))
        for name in ("fifo", "directory", "loop-a", "zero", "socket", "too-large")
    }
    for target in ("fifo", "directory", "loop-a", "zero", "socket", "too-large"):
        child = str(made / f"extends-{target}.yaml")
        cases[f"extends-{target}"] = ([child, "--allow-outside"], child)
    cases["extends-chain"] = ([str(made / "chain-0.yaml")], str(made / "chain-0.yaml"))
    cases["dev-zero"] = (["/dev/zero"], "/dev/zero")
    many = made / "too-many-values.yaml"  # under the size limit, over the count of values
    many.write_text("extends: baseline\nname: [" + "1, " * MAX_NODES + "1]\n")
    cases["too-many-values"] = ([str(many)], str(many))
    keys = made / "many-new-keys.yaml"  # merging them into the parent must stay linear
    keys.write_text("extends: baseline\nevents:\n" + "".join(f"  e{i}: 1\n" for i in range(9000)))
    cases["many-new-keys"] = ([str(keys)], str(keys))
    merged = made / "many-merge-overrides.yaml"  # `<<:` with every key overridden
    own = "".join(f"  k{i}: 1\n" for i in range(3000))
    merged.write_text(f"extends: baseline\nx: &a\n{own}y:\n  <<: *a\n{own}")
    cases["many-merge-overrides"] = ([str(merged)], str(merged))
    long_name = str(made / ("n" * 300 + ".yaml"))
    cases["name-too-long"] = ([long_name], long_name)
    (made / "extends-name-too-long.yaml").write_text(f"extends: {'n' * 300}.yaml\n")
    child = str(made / "extends-name-too-long.yaml")
    cases["extends-name-too-long"] = ([child], child)
    cases["deep-set"] = (["baseline", "--set", f"name={deep}"], "--set name=[[[")
    cases["tag-in-set"] = (["baseline", "--set", "horizon=!!str 10"], "--set horizon=")
    cases["control-in-set"] = (["baseline", "--set", 'name="\\e[2J"'], "--set name=")
    return cases


def _invoke(args: list[str]) -> tuple[Result | None, float]:
    """Run the command in a daemon thread; None if it has not ended by the deadline."""
    outcome: list[Result] = []
    thread = threading.Thread(
        target=lambda: outcome.append(CliRunner().invoke(main, args)), daemon=True
    )
    start = time.perf_counter()
    thread.start()
    thread.join(DEADLINE * 2)
    return (outcome[0] if outcome else None), time.perf_counter() - start


def _assert_refused(args: list[str], named: str, workdir: Path) -> None:
    scenario, options = args[0], args[1:]
    for command in (
        ["validate", scenario, *options],
        ["run", scenario, *options, "--weeks", "2", "--out", str(workdir / "out")],
    ):
        result, seconds = _invoke(command)
        assert result is not None, f"{command[0]} did not answer within {DEADLINE * 2} s"
        assert seconds < DEADLINE, f"{command[0]} took {seconds:.2f} s"
        assert result.exit_code == 2, (command[0], result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        lines = result.stderr.splitlines()
        assert lines and all(named in line for line in lines), lines
        if command[0] == "run":
            assert len(lines) == 1, lines
        assert result.stdout == ""
    assert list(workdir.iterdir()) == [], "something was written"


def test_the_corpus_holds_at_least_40_kinds():
    assert len(CORPUS) >= 40


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_a_bad_file_gets_one_line_and_exit_2(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _assert_refused([str(path.relative_to(ROOT))], str(path.relative_to(ROOT)), tmp_path)


MADE = [
    "fifo", "directory", "loop-a", "zero", "socket", "too-large", "extends-fifo",
    "extends-directory", "extends-loop-a", "extends-zero", "extends-socket",
    "extends-too-large", "extends-chain", "dev-zero", "too-many-values", "name-too-long",
    "extends-name-too-long", "many-new-keys", "many-merge-overrides", "deep-set", "tag-in-set",
    "control-in-set",
]  # fmt: skip


@pytest.mark.parametrize("name", MADE)
def test_a_bad_input_made_on_the_spot_gets_one_line_and_exit_2(name, tmp_path, monkeypatch):
    args, named = _made(tmp_path)[name]
    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    _assert_refused(args, named, workdir)


@pytest.mark.parametrize("name", ["fifo", "dev-zero"])
def test_a_fifo_and_dev_zero_end_a_real_process_at_once(name, tmp_path):
    args, named = _made(tmp_path)[name]
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", "run", *args],
        capture_output=True,
        text=True,
        timeout=10,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - start
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert completed.stderr.count("\n") == 1 and named in completed.stderr
    assert seconds < DEADLINE, f"{seconds:.2f} s, interpreter start included"
