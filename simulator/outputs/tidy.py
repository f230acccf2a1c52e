"""Writing tidy tables: CSV for spreadsheets, Parquet (with units) for pandas and Arrow.

A table is written twice, from the same data frame (:mod:`simulator.tables`):
``NAME.csv`` (booleans as true/false, missing values empty, weeks as whole numbers)
and ``NAME.parquet`` (column types kept, missing values null/NaN, and each column's
unit and description in the field metadata and, as JSON, under ``units`` in the
schema metadata).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..tables import column_info, is_week_column

if TYPE_CHECKING:
    import pandas as pd

FLOAT_DIGITS = 6
"""Decimals kept in CSV cells (the model's figures mean nothing beyond them)."""


def csv_text(frame: pd.DataFrame) -> str:
    """The table as CSV text: true/false, empty cells for missing values."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype == bool:
            out[name] = column.map({True: "true", False: "false"})
        elif (is_week_column(str(name)) or _is_count(str(name))) and column.dtype.kind == "f":
            out[name] = column.round().astype("Int64")
        elif column.dtype.kind == "f":
            out[name] = column.round(FLOAT_DIGITS)
        elif column.dtype == object:
            out[name] = column.map(lambda v: {True: "true", False: "false"}.get(v, v))
    return out.to_csv(index=False, na_rep="", lineterminator="\n")


def _is_count(name: str) -> bool:
    """Columns of counts, which stay whole numbers in CSV even beside gaps."""
    return name.endswith(("_count", "_of")) or name in COUNTS


COUNTS = frozenset({"replications", "agreements", "settlements", "evaluations", "samples"})


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """The table as a Parquet file, each column's unit and description in its metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    units = {}
    fields = []
    for field in table.schema:
        unit, description = column_info(field.name)
        units[field.name] = {"unit": unit, "description": description}
        fields.append(field.with_metadata({"unit": unit, "description": description}))
    metadata = dict(table.schema.metadata or {})
    metadata[b"units"] = json.dumps(units, ensure_ascii=False).encode("utf-8")
    table = table.cast(pa.schema(fields, metadata=metadata))
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def table_files(stem: str, frame: pd.DataFrame) -> dict[str, str | bytes]:
    """``{stem}.csv`` and ``{stem}.parquet`` of one table, for writing side by side."""
    return {f"{stem}.csv": csv_text(frame), f"{stem}.parquet": parquet_bytes(frame)}


def units_of(path: str) -> dict[str, dict[str, str]]:
    """The units and descriptions stored in a Parquet file's schema metadata."""
    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    return json.loads(metadata.get(b"units", b"{}"))
