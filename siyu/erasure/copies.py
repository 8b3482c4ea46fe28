"""After an erasure is published: make sure no other copy siyu keeps still holds the person.

The run that erases someone rebuilds and publishes the marts without them, and its export step
writes the audience files again. What it would leave behind:

- the older Parquet versions kept under SIYU_PARQUET_DIR (PARQUET_VERSIONS_KEPT): removed, only
  the version current.json points at stays;
- staged copies of the published file left beside it by an interrupted publish: removed;
- audience export files of audiences that no longer exist (the export rewrites the others):
  removed from SIYU_AUDIENCE_EXPORT_DIR;
- deleted rows in the free blocks of the working DuckDB file (a delete frees blocks, it does not
  wipe them): the file is compacted, copied into a fresh file that replaces it atomically.

An erased customer counts as pending (raw.erased_customers.completed_at is null) until this has
run after a publish, so a run that fails before publishing leaves the work to the next one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from siyu.audiences.export import audience_channels, audience_keys, export_file_name
from siyu.erasure.requests import ERASED_CUSTOMERS_TABLE, ensure_erasure_tables
from siyu.publish.publisher import remove_parquet_versions_but_current


@dataclass
class ErasureCompletion:
    """What completing the pending erasures removed."""

    customers: int = 0
    removed: list[Path] = field(default_factory=list)
    compacted: bool = False


def pending_erasures(con: duckdb.DuckDBPyConnection) -> int:
    """Erased customers whose erasure has not yet reached every copy."""
    ensure_erasure_tables(con)
    return con.execute(
        f"select count(*) from {ERASED_CUSTOMERS_TABLE} where completed_at is null"
    ).fetchone()[0]


def stale_publish_copies(published_db: Path) -> list[Path]:
    """Copies of the published file an interrupted publish left beside it (`.<name>.*.tmp`,
    with its `.wal`)."""
    return sorted(published_db.parent.glob(f".{published_db.name}.*.tmp*"))


def stale_audience_files(published_db: Path, export_dir: Path) -> list[Path]:
    """Export files in `export_dir` that the last export did not write: audiences or channels
    no longer defined, and partial files of an interrupted export."""
    if not export_dir.is_dir() or not published_db.exists():
        return []
    with duckdb.connect(str(published_db), read_only=True) as con:
        current = {
            export_file_name(audience, channel)
            for audience in audience_keys(con)
            for channel in audience_channels(con, audience)
        }
    exports = [*export_dir.glob("*__*.csv"), *export_dir.glob(".*__*.csv.partial")]
    return sorted(path for path in exports if path.name not in current)


def compact_warehouse(path: Path) -> None:
    """Copy the DuckDB file into a fresh one and put it in its place atomically, so the blocks
    that held deleted rows are gone. Nobody else may have the file open (the run's own)."""
    fresh = path.with_name(f".{path.name}.compacting")
    fresh.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("checkpoint")  # the write-ahead log into the file, so none is left beside it
    try:
        with duckdb.connect() as con:
            con.execute(f"attach {_literal(path)} as worn (read_only)")
            con.execute(f"attach {_literal(fresh)} as fresh")
            con.execute("copy from database worn to fresh")
            con.execute("detach fresh")
            con.execute("detach worn")
        with fresh.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(fresh, path)
    finally:
        fresh.unlink(missing_ok=True)


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def complete_erasures(
    work_db: Path,
    published_db: Path,
    parquet_dir: Path | None,
    export_dir: Path,
    completed_at: datetime,
) -> ErasureCompletion:
    """After a publish: if customers were erased since the last completion, remove the other
    copies that may hold them, compact the working warehouse and mark them complete."""
    with duckdb.connect(str(work_db)) as con:
        pending = pending_erasures(con)
    completion = ErasureCompletion(customers=pending)
    if not pending:
        return completion
    if parquet_dir is not None and parquet_dir.is_dir():
        completion.removed += remove_parquet_versions_but_current(parquet_dir)
    for stale in [
        *stale_publish_copies(published_db),
        *stale_audience_files(published_db, export_dir),
    ]:
        stale.unlink(missing_ok=True)
        completion.removed.append(stale)
    compact_warehouse(work_db)
    completion.compacted = True
    with duckdb.connect(str(work_db)) as con:
        con.execute(
            f"update {ERASED_CUSTOMERS_TABLE} set completed_at = ? where completed_at is null",
            [completed_at],
        )
    return completion
