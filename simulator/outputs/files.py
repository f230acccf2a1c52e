"""Writing output files atomically, in formats pandas and spreadsheets read.

Each file is written to a temporary file in the same folder and renamed into
place, so a reader never sees half a file and an interrupted run leaves the old
file (or none) rather than a torn one.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..atomic import open_atomic


def write_atomic(path: Path, text: Any) -> None:
    """Write ``text`` to ``path`` through a temporary file and an atomic rename.

    ``text`` is a str, bytes, or a :class:`~simulator.outputs.tidy.TableFile` (anything
    with ``write(stream)`` and ``binary``), which streams itself into the file.
    """
    if isinstance(text, str | bytes):
        with open_atomic(path, "wb" if isinstance(text, bytes) else "w") as stream:
            stream.write(text)
        return
    with open_atomic(path, "wb" if text.binary else "w") as stream:
        text.write(stream)


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
