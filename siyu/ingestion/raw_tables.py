"""The raw layer ingestion writes: `raw.<source>`, `raw.quarantine` and the ledger of loaded
files `raw.loaded_files` (for every loaded file, records in = loaded + quarantined)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import duckdb

from siyu.ingestion.specs import SourceSpec
from siyu.ingestion.sql import id_list, literal, quote

RAW_SCHEMA = "raw"
QUARANTINE_TABLE = "raw.quarantine"
LOADED_FILES_TABLE = "raw.loaded_files"
# the most of a record's text raw.quarantine keeps
MAX_RAW_TEXT = 4000


def ensure_raw_tables(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    """Create the raw schema, bookkeeping tables and this source's raw table if missing."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(
        f"""
        create table if not exists {LOADED_FILES_TABLE} (
            source varchar not null,
            file_name varchar not null,
            file_hash varchar not null,
            encoding varchar,
            size_bytes bigint,
            rows_read bigint,
            rows_loaded bigint,
            rows_quarantined bigint,
            file_summary varchar,
            loaded_at timestamp not null
        )
        """
    )
    con.execute(
        f"""
        create table if not exists {QUARANTINE_TABLE} (
            source varchar not null,
            file_name varchar not null,
            file_hash varchar not null,
            row_number bigint,
            field varchar,
            reason varchar not null,
            raw_record varchar,
            loaded_at timestamp not null
        )
        """
    )
    column_ddl = ",\n".join(f"{quote(name)} varchar" for name in spec.columns)
    con.execute(
        f"""
        create table if not exists {spec.raw_table} (
            {column_ddl},
            _file_name varchar not null,
            _file_hash varchar not null,
            _row_number bigint not null,
            _loaded_at timestamp not null
        )
        """
    )


def loaded_hashes(con: duckdb.DuckDBPyConnection, source: str) -> set[str]:
    rows = con.execute(
        f"select file_hash from {LOADED_FILES_TABLE} where source = ?", [source]
    ).fetchall()
    return {row[0] for row in rows}


def after_earlier_loads(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, loaded_at: datetime
) -> datetime:
    """`loaded_at`, or a microsecond after the newest load already in the raw table when the
    clock says otherwise (set back, or the same instant): the incremental staging models read
    the loads stamped later than the newest they hold (dbt macro new_loads_only), so a load
    stamped earlier would never reach them."""
    newest = con.execute(f"select max(_loaded_at) from {spec.raw_table}").fetchone()[0]
    if newest is not None and loaded_at <= newest:
        return newest + timedelta(microseconds=1)
    return loaded_at


def count_staged_rows(con: duckdb.DuckDBPyConnection) -> dict[int, tuple[int, int]]:
    """Per staged file: (rows loaded, rows quarantined), also kept in `_file_counts`."""
    con.execute(
        """
        create or replace temp table _file_counts as
        select files._file_id,
            (
                select count(*) from _records
                where _records._file_id = files._file_id and _records._broken_rule is null
            ) as rows_loaded,
            (select count(*) from _parse_failures where _parse_failures._file_id = files._file_id)
                as rows_quarantined
        from _batch_files as files
        """
    )
    rows = con.execute("select * from _file_counts").fetchall()
    return {file_id: (loaded, quarantined) for file_id, loaded, quarantined in rows}


def write_staged_files(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, loaded: Iterable[int], loaded_at: datetime
) -> None:
    """Append the staged records and failures of the loaded files, and one ledger row each
    (their counts from count_staged_rows)."""
    loaded_ids = id_list(loaded)
    columns = ", ".join(quote(name) for name in spec.columns)
    con.execute(
        f"""
        insert into {spec.raw_table} ({columns}, _file_name, _file_hash, _row_number, _loaded_at)
        select {columns}, files.file_name, files.file_hash, records._row_number, $loaded_at
        from _records as records
        inner join _batch_files as files on records._file_id = files._file_id
        where records._broken_rule is null and files._file_id in ({loaded_ids})
        order by records._file_id, records._row_number
        """,
        {"loaded_at": loaded_at},
    )
    con.execute(
        f"""
        insert into {QUARANTINE_TABLE}
        select {literal(spec.name)}, files.file_name, files.file_hash, failures._row_number,
            failures.field, failures.reason, left(failures.raw_record, {MAX_RAW_TEXT}), $loaded_at
        from _parse_failures as failures
        inner join _batch_files as files on failures._file_id = files._file_id
        where files._file_id in ({loaded_ids})
        order by failures._file_id, failures._row_number nulls first
        """,
        {"loaded_at": loaded_at},
    )
    con.execute(
        f"""
        insert into {LOADED_FILES_TABLE}
        select {literal(spec.name)}, files.file_name, files.file_hash, files.encoding,
            files.size_bytes, counts.rows_loaded + counts.rows_quarantined,
            counts.rows_loaded, counts.rows_quarantined, files.file_summary, $loaded_at
        from _batch_files as files
        inner join _file_counts as counts on files._file_id = counts._file_id
        where files._file_id in ({loaded_ids})
        order by files._file_id
        """,
        {"loaded_at": loaded_at},
    )


def quarantine_examples(
    con: duckdb.DuckDBPyConnection, source: str, file_hashes: Sequence[str], limit: int = 5
) -> list[str]:
    """Human-readable lines naming file, row, field and reason of quarantined records."""
    if not file_hashes:
        return []
    placeholders = ", ".join("?" for _ in file_hashes)
    rows = con.execute(
        f"""
        select file_name, row_number, field, reason from {QUARANTINE_TABLE}
        where source = ? and file_hash in ({placeholders})
        order by file_name, row_number nulls first limit {int(limit)}
        """,
        [source, *file_hashes],
    ).fetchall()
    return [
        f"{file_name} row {row_number if row_number is not None else '-'}"
        f"{f' field {field_name}' if field_name else ''}: {reason}"
        for file_name, row_number, field_name, reason in rows
    ]
