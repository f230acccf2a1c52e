"""Writing output files atomically, in formats pandas and spreadsheets read.

Each file is written to a temporary file in the same folder and renamed into
place, so a reader never sees half a file and an interrupted run leaves the old
file (or none) rather than a torn one.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def open_atomic(path: Path, mode: str = "w") -> Iterator[IO]:
    """A stream whose contents appear at ``path`` only once it is closed without error.

    The file gets the usual permissions (0666 less the umask), not mkstemp's 0600,
    so that others can read shared results. Errors name ``path``, not the temporary.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise OSError(exc.errno, f"{path}: {exc.strerror}") from None
    try:
        os.chmod(temporary, 0o666 & ~_umask())
        text = "b" not in mode
        with os.fdopen(
            handle, mode, **({"encoding": "utf-8", "newline": ""} if text else {})
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


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and an atomic rename."""
    with open_atomic(path) as stream:
        stream.write(text)


def to_json(data: Any) -> str:
    """Stable JSON: sorted keys are not used, so records keep their column order."""
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def to_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """CSV with a header row; booleans as true/false, missing values empty."""
    rows = list(rows)
    if not rows:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return value
