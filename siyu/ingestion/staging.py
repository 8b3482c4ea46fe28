"""The temp tables one batch of new files of a source is staged in before it is written.

- `_batch_files(_file_id, path, file_name, file_hash, encoding, size_bytes, file_summary)`: the
  batch, one row a file (`path`: the UTF-8 file DuckDB reads for it);
- `_records(_file_id, _row_number, <raw columns>, _raw_record, _broken_rule)`: what the readers
  read (readers/), each record marked with the row rule it breaks (rules.py);
- `_parse_failures(_file_id, _row_number, field, reason, raw_record)`: what goes to quarantine.

Row numbers are per file. raw_tables.py writes the loaded files' part to the raw layer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from siyu.ingestion.encoding import Decoded, Fingerprint
from siyu.ingestion.outcomes import FileOutcome
from siyu.ingestion.specs import SourceSpec
from siyu.ingestion.sql import literal, quote


@dataclass(frozen=True)
class Delivery:
    """A new file of a batch, the UTF-8 file DuckDB reads for it and how it was decoded."""

    file_id: int  # position in the batch
    file_name: str
    fingerprint: Fingerprint
    decoded: Decoded
    readable: Path
    summary: dict[str, str] = field(default_factory=dict)

    def refused(self, reason: str) -> FileOutcome:
        return FileOutcome(self.file_name, self.fingerprint.file_hash, "refused", detail=reason)


def create_staging_tables(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, deliveries: Sequence[Delivery]
) -> None:
    """`_batch_files` holding the batch, and empty `_records` and `_parse_failures`."""
    batch = pa.table(
        {
            "_file_id": pa.array([d.file_id for d in deliveries], type=pa.int64()),
            "path": [str(d.readable) for d in deliveries],
            "file_name": [d.file_name for d in deliveries],
            "file_hash": [d.fingerprint.file_hash for d in deliveries],
            "encoding": [d.decoded.encoding for d in deliveries],
            "size_bytes": pa.array([d.fingerprint.size_bytes for d in deliveries], pa.int64()),
            "file_summary": [
                json.dumps(d.summary, ensure_ascii=False) if d.summary else None for d in deliveries
            ],
        }
    )
    con.register("_batch_arrow", batch)
    con.execute("create or replace temp table _batch_files as select * from _batch_arrow")
    con.unregister("_batch_arrow")
    con.execute(
        "create or replace temp table _parse_failures (_file_id bigint, _row_number bigint, "
        "field varchar, reason varchar, raw_record varchar)"
    )
    columns = ", ".join(f"{quote(raw)} varchar" for raw in spec.columns)
    con.execute(
        f"create or replace temp table _records (_file_id bigint, _row_number bigint, "
        f"{columns}, _raw_record varchar, _broken_rule integer)"
    )


def path_list(deliveries: Sequence[Delivery]) -> str:
    """The files DuckDB reads for `deliveries`, as a SQL list."""
    return "[" + ", ".join(literal(str(d.readable)) for d in deliveries) + "]"
