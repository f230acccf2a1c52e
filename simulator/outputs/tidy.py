"""Writing tidy tables: CSV for spreadsheets, Parquet (with units) for pandas and Arrow.

A table is written twice, from the same data frame (:mod:`simulator.tables`):
``NAME.csv`` (booleans as true/false, missing values empty, weeks as whole numbers)
and ``NAME.parquet`` (column types kept, missing values null/NaN, and each column's
unit and description in the field metadata and, as JSON, under ``units`` in the
schema metadata).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import IO, TYPE_CHECKING, Any

from ..tables import UNITS_KEY, column_info, is_week_column

if TYPE_CHECKING:
    import pandas as pd

FLOAT_DIGITS = 6
"""Decimals kept in CSV cells (the model's figures mean nothing beyond them)."""


def csv_text(frame: pd.DataFrame) -> str:
    """The table as CSV text: true/false, empty cells for missing values."""
    buffer = io.StringIO()
    write_csv(frame, buffer)
    return buffer.getvalue()


CSV_ROWS = 4096
"""Rows converted at a time, so a large table is never copied whole as text."""


def write_csv(frame: pd.DataFrame, stream: IO[str]) -> None:
    """Write the table as CSV into ``stream``, a block of rows at a time."""
    for start in range(0, max(len(frame), 1), CSV_ROWS):
        block = _csv_cells(frame.iloc[start : start + CSV_ROWS])
        block.to_csv(stream, index=False, header=start == 0, na_rep="", lineterminator="\n")


def _csv_cells(frame: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    columns = {}
    for name in frame.columns:
        column = frame[name]
        if column.dtype == bool:
            column = column.map({True: "true", False: "false"})
        elif (is_week_column(str(name)) or _is_count(str(name))) and column.dtype.kind == "f":
            column = column.round().astype("Int64")
        elif column.dtype.kind == "f":
            column = column.round(FLOAT_DIGITS)
        elif column.dtype == object:
            column = column.map(lambda v: {True: "true", False: "false"}.get(v, v))
        columns[name] = column
    return pd.DataFrame(columns, index=frame.index)


def _is_count(name: str) -> bool:
    """Columns of counts, which stay whole numbers in CSV even beside gaps."""
    return name.endswith(("_count", "_of")) or name in COUNTS


COUNTS = frozenset({"replications", "agreements", "settlements", "evaluations", "samples"})


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """The table as a Parquet file, each column's unit and description in its metadata."""
    buffer = io.BytesIO()
    write_parquet(frame, buffer)
    return buffer.getvalue()


def write_parquet(frame: pd.DataFrame, stream: IO[bytes]) -> None:
    """Write the table as Parquet into ``stream``, with each column's unit and description."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    declared = frame.attrs.get(UNITS_KEY, {})
    units = {}
    fields = []
    for field in table.schema:
        unit, description = column_info(field.name, declared)
        units[field.name] = {"unit": unit, "description": description}
        fields.append(field.with_metadata({"unit": unit, "description": description}))
    metadata = dict(table.schema.metadata or {})
    metadata[b"units"] = json.dumps(units, ensure_ascii=False).encode("utf-8")
    table = table.cast(pa.schema(fields, metadata=metadata))
    pq.write_table(table, stream)


@dataclass(frozen=True)
class TableFile:
    """A file to be written by streaming into it (a large table is not held as text)."""

    write: Callable[[IO[Any]], None]
    binary: bool


def table_files(stem: str, frame: pd.DataFrame) -> dict[str, TableFile]:
    """``{stem}.csv`` and ``{stem}.parquet`` of one table, for writing side by side."""
    return {
        f"{stem}.csv": TableFile(partial(write_csv, frame), binary=False),
        f"{stem}.parquet": TableFile(partial(write_parquet, frame), binary=True),
    }


def units_of(path: str) -> dict[str, dict[str, str]]:
    """The units and descriptions stored in a Parquet file's schema metadata."""
    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    return json.loads(metadata.get(b"units", b"{}"))
