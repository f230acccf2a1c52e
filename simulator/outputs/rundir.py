"""One run per output folder: a lock while a run uses the folder, and what a run leaves there.

A study's ``--out`` folder holds one run. While a run works there it holds an
exclusive ``flock`` on ``.ceasefire.lock`` in the folder, and the file says which
run that is (pid, command line, start time). The kernel drops the lock when the
process ends, however it ends, so a lock whose holder was killed is free to take
(its old contents then name the run that is gone). When a run ends (complete, or
stopped by a user error) it removes the lock file while it still holds the lock, so
a finished folder holds only results; a run that takes a lock checks that the file it
locked is still the one at ``.ceasefire.lock`` and tries again if not, so two runs
can never each hold a different file of that name. Only a killed run leaves the file.

Worker processes forked by a run close their copy of the lock at once, so that a
worker left behind by a killed run cannot keep the folder locked.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..atomic import TEMPORARY_SUFFIX
from ..errors import CeasefireError

LOCK_NAME = ".ceasefire.lock"
TABLES = (
    "replications",
    "sweep",
    "weekly",
    "sensitivity",
    "sobol",
    "compare",
    "sides",
    "levers",
    "drivers",
)
"""Tidy tables a command writes, each as NAME.csv and NAME.parquet."""
RUN_FILES = frozenset(
    {"manifest.json", "summary.json", "sweep.json", "run.json", "sensitivity.json"}
    | {"compare.json", "analysis.json", "drivers.json"}
    | {f"{name}.{ext}" for name in TABLES for ext in ("csv", "parquet")}
)
"""Files a command writes at the top of its --out folder (charts go where --plot says)."""
COMMAND_FILES = {
    "run": ("weekly", "run.json"),
    "mc": ("replications", "summary.json"),
    "sweep": ("sweep", "sweep.json"),
    "sensitivity": ("sensitivity", "sobol", "sensitivity.json"),
    "compare": ("compare", "compare.json"),
    "analyze": ("sides", "levers", "analysis.json"),
    "drivers": ("drivers", "drivers.json"),
}
"""What each command writes at the top of its folder besides manifest.json: tables (as
NAME.csv and NAME.parquet) and JSON files, so that starting over removes only the files
of the run that was there."""


def files_of(command: str | None) -> frozenset[str]:
    """The top-level files a ``command`` run writes (all of :data:`RUN_FILES` when the
    command is unknown), manifest.json included."""
    if command not in COMMAND_FILES:
        return RUN_FILES
    names = {"manifest.json"}
    for name in COMMAND_FILES[command]:
        names |= {name} if name.endswith(".json") else {f"{name}.csv", f"{name}.parquet"}
    return frozenset(names)


CHUNK_FILE = re.compile(r"^\d{5}\.npz$")
CELL_DIR = re.compile(r"^cell-\d{3,}$")

_held: set[int] = set()


def _close_in_child() -> None:
    for handle in _held:
        with contextlib.suppress(OSError):
            os.close(handle)
    _held.clear()


os.register_at_fork(after_in_child=_close_in_child)


class FolderInUse(CeasefireError, ValueError):
    """Another live run holds the folder's lock."""


@dataclass
class FolderLock:
    """A held lock on a run folder; :meth:`release` when the run ends."""

    directory: Path
    handle: int
    previous: dict | None
    """What the lock file said when it was taken: a run that ended without
    releasing it (killed), or None."""

    def release(self) -> None:
        """Remove the lock file (while still holding it) and drop the lock."""
        if self.handle < 0:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self.handle, 0)
            if _same_file(self.handle, self.directory / LOCK_NAME):
                os.unlink(self.directory / LOCK_NAME)
        _held.discard(self.handle)
        os.close(self.handle)  # closing the last descriptor drops the flock
        self.handle = -1


def describe(holder: dict | None) -> str:
    """``pid N, 'ceasefire mc ...', started T`` for messages."""
    if not holder:
        return "a run that left no details"
    return (
        f"pid {holder.get('pid', '?')}, '{holder.get('command', '?')}', "
        f"started {holder.get('started', '?')}"
    )


def lock(directory: Path, command: str) -> FolderLock:
    """Take the folder's lock for this process, creating the folder if need be.

    Raises:
        FolderInUse: another live run holds it (the message names that run).
        OSError: the folder cannot be created or the lock file opened.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    while True:
        handle = os.open(
            directory / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644
        )
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _read(handle)
            os.close(handle)
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise FolderInUse(
                    f"{directory}: in use by another run ({describe(holder)}); wait for it "
                    "to finish or choose another folder"
                ) from None
            raise
        if _same_file(handle, directory / LOCK_NAME):
            break
        os.close(handle)  # the run that held it removed the file as we opened it: again
    _held.add(handle)
    previous = _read(handle)
    me = {
        "pid": os.getpid(),
        "command": command,
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    os.ftruncate(handle, 0)
    os.pwrite(handle, (json.dumps(me) + "\n").encode("utf-8"), 0)
    return FolderLock(directory, handle, previous)


def _same_file(handle: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``handle``."""
    try:
        named = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(handle)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def _read(handle: int) -> dict | None:
    try:
        text = os.pread(handle, 4096, 0).decode("utf-8", "replace").strip()
    except OSError:
        return None
    if not text:
        return None
    try:
        holder = json.loads(text)
    except json.JSONDecodeError:
        return {"command": text[:80]}
    return holder if isinstance(holder, dict) else {"command": text[:80]}


def contents(directory: Path) -> list[str]:
    """What the folder holds besides its lock file (names, sorted)."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted(p.name for p in directory.iterdir() if p.name != LOCK_NAME)


TEMPORARY = re.compile(r"^\..+\.[a-z0-9_]{8}" + re.escape(TEMPORARY_SUFFIX) + "$")
"""What :func:`~simulator.atomic.open_atomic` names its temporaries (mkstemp's eight
random characters between the file's name and the suffix)."""


def _is_temporary(name: str) -> bool:
    return bool(TEMPORARY.match(name))


def clean_temporaries(directory: Path) -> list[Path]:
    """Remove the half-written temporaries a killed run left (``.NAME.XXXX.tmp``)
    in the folder, its chunk store and its cells' chunk stores; returns them."""
    removed = []
    for folder in _run_folders(Path(directory)):
        for path in folder.iterdir():
            if _is_temporary(path.name) and path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def _run_folders(directory: Path) -> list[Path]:
    """The folder and the chunk folders a run writes in it (real folders only)."""
    folders = [directory]
    for cell in [directory, *_cells(directory)]:
        chunks = cell / "chunks"
        if cell is not directory:
            folders.append(cell)
        if chunks.is_dir() and not chunks.is_symlink():
            folders.append(chunks)
    return [f for f in folders if f.is_dir()]


def _cells(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return [
        p
        for p in directory.iterdir()
        if CELL_DIR.match(p.name) and p.is_dir() and not p.is_symlink()
    ]


def clear(directory: Path, command: str | None = None) -> None:
    """Remove what a previous run (of ``command``, if known) left in the folder, and
    nothing else.

    Only the names that run writes are removed (its output files, ``chunks/`` with its
    ``NNNNN.npz`` files, ``cell-NNN/`` folders, temporaries); anything else, such as
    a chart or a note of the user's, stays where it is. Symbolic links are never
    followed.
    """
    directory = Path(directory)
    clean_temporaries(directory)
    for cell in [*_cells(directory), directory]:
        chunks = cell / "chunks"
        if chunks.is_symlink():
            chunks.unlink()
        elif chunks.is_dir():
            for path in chunks.iterdir():
                if CHUNK_FILE.match(path.name) and (path.is_file() or path.is_symlink()):
                    path.unlink()
            _remove_if_empty(chunks)
        if cell is not directory:
            _remove_if_empty(cell)
    for name in files_of(command):
        path = directory / name
        if path.is_file() or path.is_symlink():
            path.unlink()


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()
