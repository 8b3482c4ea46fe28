"""A small JSON ledger of the landing files ingestion has handled, for the landing sensor.

The sensor must not open the DuckDB warehouse (a running job holds its write lock), so after
each source is ingested its files' (size, mtime) are recorded in `landing_ledger.json` beside the
working warehouse, written by an atomic rename.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

LEDGER_NAME = "landing_ledger.json"


def ledger_path(work_warehouse: Path) -> Path:
    return work_warehouse.parent / LEDGER_NAME


def file_fingerprint(path: Path) -> list[int]:
    stat = path.lstat()  # a link is described, never followed
    return [stat.st_size, stat.st_mtime_ns]


def read_ledger(path: Path) -> dict[str, list[int]]:
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def record_files(path: Path, landing_dir: Path, files: list[Path]) -> None:
    ledger = read_ledger(path)
    for file in files:
        ledger[str(file.relative_to(landing_dir))] = file_fingerprint(file)
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.tmp")
    staged.write_text(json.dumps(ledger, sort_keys=True), encoding="utf-8")
    os.replace(staged, path)


def unrecorded_files(path: Path, landing_dir: Path, files: list[Path]) -> list[str]:
    """Landing files (relative names) that are new or changed since ingestion last saw them."""
    ledger = read_ledger(path)
    return [
        str(file.relative_to(landing_dir))
        for file in files
        if ledger.get(str(file.relative_to(landing_dir))) != file_fingerprint(file)
    ]
