"""Load delivered channel export files into `raw.<source>` tables in DuckDB.

DuckDB does the parsing (read_csv, JSON functions); Python only fingerprints files, transcodes
non-UTF-8 ones and keeps the bookkeeping. The new files of a source are one batch: DuckDB reads
them together (one read_csv / read_json_objects / read_text over the file list, each record
keeping its file), stages them in temp tables, and one transaction appends records, quarantine
and ledger rows. A per-file guarantee holds for each file of the batch:

* a file whose bytes were loaded before (under any name), or withdrawn, is skipped;
* a file with nothing to load (zero bytes, only white space, a CSV header alone, pages whose
  record lists are empty) is skipped with a note and not recorded, so a later delivery loads;
* a file siyu must not read (a symbolic link, a FIFO, device or socket) is refused unread;
* a file that cannot be decoded (see encoding.py), that lacks a required column, that DuckDB
  cannot parse, or whose shape is not the source's (a bare JSON array or a page without its
  record list in a `json_pages` source, a JSON array in a `jsonl` source) is refused whole with
  the reason and, where one is known, the line or byte at fault; nothing of it is written, its
  hash is not recorded (it is tried again next run) and the other files load;
* a record DuckDB cannot parse, that leaves a `not_empty` field empty, has a value of the
  wrong shape (`formats` in sources.yml) or is written in another encoding than the rest of its
  file (mojibake) goes to `raw.quarantine` with its file, row number, field, reason and raw
  text; the records beside it load.

For every loaded file, records in = loaded + quarantined (`raw.loaded_files`). Row numbers are
1-based data-record ordinals within the file: CSV rows after the header, JSONL lines, and
records across the pages of a JSON file. Should DuckDB fail to read the batch as a whole, the
file its error names (else half of the batch, and so on) is set apart, refused when it fails
alone, and the rest is read as a batch again.

The parts: readers/ (one per file format), rules.py (the row rules and quarantine reasons),
staging.py (the temp tables a batch is staged in), raw_tables.py (the raw layer and its ledger).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

import duckdb

from siyu.ingestion.encoding import Fingerprint, UndecodableFile, fingerprint, readable_copy
from siyu.ingestion.landing import not_a_regular_file
from siyu.ingestion.outcomes import ALREADY_LOADED, FileOutcome, SourceIngestReport
from siyu.ingestion.raw_tables import (
    after_earlier_loads,
    count_staged_rows,
    ensure_raw_tables,
    loaded_hashes,
    write_staged_files,
)
from siyu.ingestion.readers import reader_for
from siyu.ingestion.readers.base import Refusals
from siyu.ingestion.rules import quarantine_broken_records, quarantine_misencoded_rows
from siyu.ingestion.specs import SourceSpec
from siyu.ingestion.staging import Delivery, create_staging_tables
from siyu.withdraw.log import withdrawn_notes


class UnreadableBatch(Exception):  # noqa: N818 - a refusal, not a crash
    """DuckDB could not read a batch of files (e.g. a CSV its parser gives up on)."""

    def culprit(self, deliveries: Sequence[Delivery]) -> Delivery | None:
        """The file of the batch DuckDB's message names, if it names one."""
        message = f"{self}\n"
        return next(
            (
                delivery
                for delivery in deliveries
                if f'"{delivery.readable}"' in message or f"= {delivery.readable}\n" in message
            ),
            None,
        )


# --------------------------------------------------------------------------------------------
# one batch


def _prepare(
    spec: SourceSpec,
    file_id: int,
    path: Path,
    file_name: str,
    fingerprint_: Fingerprint,
    workdir: Path,
) -> Delivery:
    """A UTF-8 file DuckDB can read: the file itself, a transcoded copy or a bill's detail part.
    Raises UndecodableFile."""
    reader = reader_for(spec.format)
    decoded = readable_copy(path, fingerprint_, reader.row_layout, workdir)
    readable, summary = reader.readable_part(decoded.path, workdir)
    return Delivery(file_id, file_name, fingerprint_, decoded, readable, summary)


def _stage_batch(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, deliveries: Sequence[Delivery]
) -> Refusals:
    """Read the batch into the temp tables (_records, _parse_failures) and apply the row rules;
    returns the files its reader refused (file_id -> reason)."""
    create_staging_tables(con, spec, deliveries)
    refused = reader_for(spec.format).stage(con, spec, deliveries)
    quarantine_broken_records(con, spec)
    quarantine_misencoded_rows(con, deliveries)
    return refused


def _staged_outcome(
    spec: SourceSpec, delivery: Delivery, refusal: str | None, counts: tuple[int, int]
) -> FileOutcome:
    """A staged file's outcome: refused by its reader; without a single record, skipped with a
    note when its format has an empty shape (FormatReader.no_record_shape), else refused; or
    loaded."""
    if refusal is not None:
        return delivery.refused(refusal)
    loaded, quarantined = counts
    if loaded + quarantined == 0:
        no_record_shape = reader_for(spec.format).no_record_shape
        if no_record_shape is None:
            return delivery.refused("no record could be read from the file")
        return FileOutcome(
            delivery.file_name,
            delivery.fingerprint.file_hash,
            "skipped",
            detail=f"no record: the file holds {no_record_shape}; not recorded "
            "as loaded, so a later delivery with records loads",
        )
    return FileOutcome(
        file_name=delivery.file_name,
        file_hash=delivery.fingerprint.file_hash,
        status="loaded",
        rows_read=loaded + quarantined,
        rows_loaded=loaded,
        rows_quarantined=quarantined,
        encoding=delivery.decoded.encoding,
    )


def _load_batch(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    deliveries: Sequence[Delivery],
    loaded_at: datetime,
) -> dict[int, FileOutcome]:
    """Load the batch in one transaction; the outcome of each file by file_id. Raises
    UnreadableBatch when DuckDB cannot read it (nothing is written then)."""
    try:
        refused = _stage_batch(con, spec, deliveries)
    except duckdb.Error as error:
        raise UnreadableBatch(str(error)) from error
    counts = count_staged_rows(con)
    outcomes = {
        delivery.file_id: _staged_outcome(
            spec, delivery, refused.get(delivery.file_id), counts[delivery.file_id]
        )
        for delivery in deliveries
    }
    loaded = [file_id for file_id, outcome in outcomes.items() if outcome.status == "loaded"]
    con.execute("begin transaction")
    try:
        write_staged_files(con, spec, loaded, loaded_at)
    except Exception:
        con.execute("rollback")
        raise
    con.execute("commit")
    return outcomes


def _unreadable_reason(spec: SourceSpec, delivery: Delivery, error: UnreadableBatch) -> str:
    """Why DuckDB could not read a file, with the line at fault when Python can find it."""
    fault = reader_for(spec.format).find_fault(delivery.readable)
    if fault is None:
        fault = str(error).splitlines()[0].replace(str(delivery.readable), delivery.file_name)
    return f"unreadable: {fault}"


def _load_isolating(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    deliveries: Sequence[Delivery],
    loaded_at: datetime,
) -> dict[int, FileOutcome]:
    """The batch at once; if DuckDB cannot read it, the file its error names (else each half of
    the batch, and so on) is set apart and the rest read as a batch again: a file DuckDB cannot
    read is refused alone and the others load, in as few reads as can be."""
    outcomes: dict[int, FileOutcome] = {}
    pending = [list(deliveries)]
    while pending:
        batch = pending.pop()
        if not batch:
            continue
        try:
            outcomes |= _load_batch(con, spec, batch, loaded_at)
            continue
        except UnreadableBatch as unreadable:
            culprit = unreadable.culprit(batch) or (batch[0] if len(batch) == 1 else None)
            if culprit is not None:
                reason = _unreadable_reason(spec, culprit, unreadable)
                outcomes[culprit.file_id] = culprit.refused(reason)
        if culprit is not None:
            pending.append([delivery for delivery in batch if delivery is not culprit])
        else:
            half = len(batch) // 2
            pending += [batch[half:], batch[:half]]
    return outcomes


# --------------------------------------------------------------------------------------------
# one source


def _fingerprinted(path: Path, file_name: str) -> Fingerprint | FileOutcome:
    """The file's fingerprint, or its refusal when it must not or cannot be read (a link or a
    special file is never opened)."""
    try:
        not_regular = not_a_regular_file(path)
        if not_regular is None:
            return fingerprint(path)
    except OSError as error:
        return FileOutcome(file_name, "", "refused", detail=f"cannot be read: {error}")
    return FileOutcome(file_name, "", "refused", detail=not_regular)


def _nothing_to_load(print_: Fingerprint) -> str | None:
    """The note of a file with no data in it (it is skipped, not recorded as loaded)."""
    if print_.size_bytes == 0:
        return "empty file (0 bytes): nothing to load, not recorded as loaded"
    if print_.blank:
        return "holds only white space: nothing to load, not recorded as loaded"
    return None


def _skip_note(print_: Fingerprint, seen: set[str], withdrawn: dict[str, str]) -> str | None:
    """Why a file is skipped before it is read: nothing in it, its bytes loaded before, or
    withdrawn (`withdrawn`: hash -> "withdrawn on ... by ...: <reason>")."""
    if (note := _nothing_to_load(print_)) is not None:
        return note
    if print_.file_hash in seen:
        return ALREADY_LOADED
    return withdrawn.get(print_.file_hash)


def _settle_repeats(outcomes: list[FileOutcome], repeats: dict[int, int]) -> None:
    """A file repeating an earlier file of the batch (`repeats`: file_id -> the earlier one's)
    is skipped as already loaded, or shares the earlier file's refusal or note."""
    for file_id, first in repeats.items():
        earlier = outcomes[first]
        outcomes[file_id].status = "refused" if earlier.status == "refused" else "skipped"
        outcomes[file_id].detail = ALREADY_LOADED if earlier.status == "loaded" else earlier.detail


def ingest_files(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    files: Iterable[Path],
    loaded_at: datetime,
    base_dir: Path | None = None,
) -> SourceIngestReport:
    """Load the new files of one source as one batch; see the module docstring.

    A file whose bytes were loaded before, or that repeats an earlier file of the batch, is
    skipped (a repeat of a refused file is refused with it). `report.files` follows `files`.
    """
    ensure_raw_tables(con, spec)
    loaded_at = after_earlier_loads(con, spec, loaded_at)
    seen = loaded_hashes(con, spec.name)
    withdrawn = withdrawn_notes(con, spec.name)  # hash -> "withdrawn on ... by ...: <reason>"
    outcomes: list[FileOutcome] = []
    first_of_hash: dict[str, int] = {}  # file hash -> file_id of its first file in this batch
    repeats: dict[int, int] = {}  # file_id -> file_id of the earlier file with the same bytes
    deliveries: list[Delivery] = []
    workdir = Path(tempfile.mkdtemp(prefix=f"siyu-{spec.name}-"))
    try:
        for file_id, path in enumerate(files):
            file_name = str(path.relative_to(base_dir)) if base_dir else path.name
            print_ = _fingerprinted(path, file_name)
            if isinstance(print_, FileOutcome):
                outcomes.append(print_)
                continue
            outcome = FileOutcome(file_name, print_.file_hash, "skipped")
            outcomes.append(outcome)
            if (note := _skip_note(print_, seen, withdrawn)) is not None:
                outcome.detail = note
            elif print_.file_hash in first_of_hash:
                repeats[file_id] = first_of_hash[print_.file_hash]
            else:
                first_of_hash[print_.file_hash] = file_id
                try:
                    deliveries.append(_prepare(spec, file_id, path, file_name, print_, workdir))
                except UndecodableFile as error:
                    outcome.status, outcome.detail = "refused", f"cannot be decoded: {error}"
                except OSError as error:
                    outcome.status, outcome.detail = "refused", f"cannot be read: {error}"
        for file_id, loaded in _load_isolating(con, spec, deliveries, loaded_at).items():
            outcomes[file_id] = loaded
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    _settle_repeats(outcomes, repeats)
    return SourceIngestReport(source=spec.name, files=outcomes)
