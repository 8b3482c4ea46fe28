"""What was last published, recorded beside the working warehouse: a run never opens the
published file.

A BI tool that holds the published file open read-write (the default of the duckdb CLI, DBeaver,
duckdb-engine) locks it, so a run that opened it to learn the published version would fail. What
a run needs to know about the published version (its id and time, the digest of the inputs its
marts were built from, its row counts for the audit) is written by publishing into
`published_version.json` beside the working warehouse, by an atomic rename, once the published
file and the Parquet pointer are in place.

The record names the published file's inode. When the file in place is not the recorded one (a
run killed between the rename and the record, a file restored by hand), the record does not
stand for it: the next run builds and publishes again rather than trust it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

RECORD_NAME = "published_version.json"


@dataclass(frozen=True)
class PublishRecord:
    publish_id: str
    published_at_utc: str  # ISO 8601, UTC
    published_path: str
    # (st_dev, st_ino) of the published file as it was renamed into place
    file_id: tuple[int, int]
    # what the marts were built from (siyu/dbt/build_inputs.py); None when unknown
    inputs_fingerprint: str | None
    # mart -> rows, as published
    tables: dict[str, int] = field(default_factory=dict)
    parquet_manifest: str | None = None

    def describe(self) -> str:
        published_at = datetime.fromisoformat(self.published_at_utc)
        return f"{self.publish_id} (published {published_at:%Y-%m-%d %H:%M} UTC)"

    def is_in_place(self, published_db: Path) -> bool:
        """The published file is still the one this record was written for."""
        try:
            stat = published_db.stat()
        except OSError:
            return False
        return (stat.st_dev, stat.st_ino) == tuple(self.file_id)


def record_path(work_db: Path) -> Path:
    return work_db.parent / RECORD_NAME


def file_id(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return (stat.st_dev, stat.st_ino)


def write_publish_record(work_db: Path, record: PublishRecord) -> None:
    path = record_path(work_db)
    staged = path.with_name(f".{path.name}.tmp")
    with staged.open("w", encoding="utf-8") as handle:
        json.dump(asdict(record), handle, indent=2, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(staged, path)


def read_publish_record(work_db: Path, published_db: Path) -> PublishRecord | None:
    """The last publish from `work_db` to `published_db`, as recorded; None if none is."""
    try:
        values = json.loads(record_path(work_db).read_text(encoding="utf-8"))
        record = PublishRecord(**{**values, "file_id": tuple(values["file_id"])})
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return record if Path(record.published_path) == published_db else None


def current_publish(work_db: Path, published_db: Path) -> PublishRecord | None:
    """The record of the version in place at `published_db`; None if it is not known."""
    record = read_publish_record(work_db, published_db)
    return record if record is not None and record.is_in_place(published_db) else None


def describe_published(work_db: Path, published_db: Path) -> str:
    """The published version as people read it, without opening the published file."""
    record = read_publish_record(work_db, published_db)
    if record is not None and record.is_in_place(published_db):
        return record.describe()
    if published_db.exists():
        return (
            "not recorded beside the working warehouse (published before siyu kept "
            f"{RECORD_NAME}, or by a run stopped while publishing)"
        )
    return "none"
