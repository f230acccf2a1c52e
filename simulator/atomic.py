"""Atomic file writes: a file appears whole at its path, or not at all.

Outputs and the ensemble's chunk store both write through :func:`open_atomic`, so
a reader never sees half a file and an interrupted run leaves no torn one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

TEMPORARY_SUFFIX = ".tmp"
"""Temporaries are ``.NAME.XXXXXXXX.tmp`` beside their file: hidden, never a name a
reader looks for, and easy to recognise and remove after a run is killed."""


@contextmanager
def open_atomic(path: Path, mode: str = "w") -> Iterator[IO]:
    """A stream whose contents appear at ``path`` only once it is closed without error.

    The file gets the usual permissions (0666 less the umask), not mkstemp's 0600,
    so that others can read shared results. Errors name ``path``, not the temporary.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX, dir=path.parent
        )
    except OSError as exc:
        raise OSError(exc.errno, f"{path}: {exc.strerror}") from None
    try:
        os.chmod(temporary, 0o666 & ~_umask())
        text = "b" not in mode
        with os.fdopen(
            handle,
            mode,
            encoding="utf-8" if text else None,
            newline="" if text else None,
        ) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
