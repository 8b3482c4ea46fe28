"""What a reader of one file format is: how it stages a batch of files, and what the loader
must know about the format around that."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from siyu.ingestion.encoding import RowLayout
from siyu.ingestion.specs import SourceSpec
from siyu.ingestion.staging import Delivery

# file_id -> why the reader refused the file (nothing of it is staged then)
Refusals = dict[int, str]
StageFiles = Callable[[duckdb.DuckDBPyConnection, SourceSpec, Sequence[Delivery]], Refusals]


def whole_file(path: Path, workdir: Path) -> tuple[Path, dict[str, str]]:
    """The part of a decoded file the reader reads (all of it), and the file's summary (none)."""
    return path, {}


@dataclass(frozen=True)
class FormatReader:
    """One file format.

    - `stage`: reads a batch of files (in `_batch_files`) into `_records` and `_parse_failures`
      (staging.py), through rules.insert_records; returns the files it refused;
    - `row_layout`: how encoding.py numbers the rows of a file of two encodings;
    - `find_fault`: the line or byte at fault when DuckDB cannot read a file, if it can tell;
    - `no_record_shape`: what a file yielding no record holds; it is skipped with that note (None:
      such a file is refused);
    - `readable_part`: the part of the decoded file the reader reads, and the file's summary.
    """

    stage: StageFiles
    row_layout: RowLayout
    find_fault: Callable[[Path], str | None]
    no_record_shape: str | None = None
    readable_part: Callable[[Path, Path], tuple[Path, dict[str, str]]] = whole_file
