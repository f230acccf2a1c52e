"""Outputs are atomic: a file appears whole at its path, or the old one stays."""

from __future__ import annotations

import pytest

from simulator.atomic import open_atomic


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "weekly.csv"
    path.write_text("old\n")
    with pytest.raises(RuntimeError), open_atomic(path) as stream:
        stream.write("half of the new")
        raise RuntimeError("interrupted")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["weekly.csv"]


def test_a_write_interrupted_by_ctrl_c_leaves_no_file(tmp_path):
    path = tmp_path / "run.json"
    with pytest.raises(KeyboardInterrupt), open_atomic(path) as stream:
        stream.write("{")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_finished_write_replaces_the_file_whole(tmp_path):
    path = tmp_path / "run.json"
    path.write_text("old")
    with open_atomic(path) as stream:
        stream.write("new")
        assert path.read_text() == "old"  # not visible until closed
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]
