"""CSV exports: comma-separated, double quotes, a header naming the columns (format `csv`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import duckdb

from siyu.ingestion.readers.base import FormatReader, Refusals
from siyu.ingestion.refusals import line_ending_fault
from siyu.ingestion.rules import insert_records
from siyu.ingestion.specs import SourceSpec
from siyu.ingestion.sql import quote
from siyu.ingestion.staging import Delivery, path_list

HEADER_ALONE = "the header alone"


def read_header(path: Path) -> list[str]:
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        first_line = handle.readline()
    header = next(csv.reader(io.StringIO(first_line)), [])
    return [name.strip().lstrip("`").strip() for name in header]


def stage_delimited(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, deliveries: Sequence[Delivery]
) -> Refusals:
    """Files that share a header are read by one read_csv; a file without a required column is
    refused (returned as file_id -> reason) and nothing of it is read."""
    refused: Refusals = {}
    by_header: dict[tuple[str, ...], list[Delivery]] = {}
    for delivery in deliveries:
        header = read_header(delivery.readable)
        missing = [name for name in spec.required if spec.columns[name] not in header]
        if missing:
            wanted = ", ".join(f"{name} ({spec.columns[name]})" for name in missing)
            refused[delivery.file_id] = f"missing required column(s): {wanted}"
        else:
            by_header.setdefault(tuple(header), []).append(delivery)
    for header, group in by_header.items():
        stage_header_group(con, spec, list(header), group)
    return refused


def stage_header_group(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, header: list[str], group: list[Delivery]
) -> None:
    """Files with the same header, in one read_csv: rejected lines go to _parse_failures, the
    others to _records numbered as the file's data rows."""
    position_of = {name: index for index, name in reversed(list(enumerate(header)))}
    scan_with_rejects(con, group, len(header))
    collect_rejected_rows(con)
    selected = [
        f"c{position_of[origin]} as {quote(raw)}"
        if origin in position_of
        else f"null::varchar as {quote(raw)}"
        for raw, origin in spec.columns.items()
    ]
    raw_record = (
        "to_json(struct_pack("
        + ", ".join(
            f"{quote(origin)} := c{position_of[origin]}"
            for origin in spec.columns.values()
            if origin in position_of
        )
        + "))"
    )
    # The k-th good row of a file skips the rejected ordinals that come before it.
    insert_records(
        con,
        spec,
        f"""
        with good as (
            select files._file_id,
                row_number() over (partition by files._file_id order by scanned.rowid) as k,
                scanned.*
            from _scanned as scanned
            inner join _batch_files as files on scanned._path = files.path
        ),
        skipped as (
            select _file_id,
                _row_number - row_number() over (partition by _file_id order by _row_number)
                    as good_before
            from _rejected_rows
        )
        select
            _file_id,
            k + (
                select count(*) from skipped
                where skipped._file_id = good._file_id and skipped.good_before < good.k
            ) as _row_number,
            {", ".join(selected)},
            {raw_record} as _raw_record
        from good
        """,
    )


def scan_with_rejects(
    con: duckdb.DuckDBPyConnection, group: Sequence[Delivery], column_count: int
) -> None:
    """`_scanned`: the group's rows as positional text columns c0, c1, ... with their `_path`;
    the lines DuckDB rejects are kept in `_rejects` and `_reject_scans`."""
    positional = {f"c{index}": "VARCHAR" for index in range(column_count)}
    columns_literal = "{" + ", ".join(f"'{k}': 'VARCHAR'" for k in positional) + "}"
    con.execute("drop table if exists _rejects")
    con.execute("drop table if exists _reject_scans")
    con.execute(
        f"""
        create or replace temp table _scanned as
        select * from read_csv(
            {path_list(group)},
            header = true, columns = {columns_literal}, delim = ',', quote = '"', escape = '"',
            auto_detect = false, all_varchar = true, null_padding = false, filename = '_path',
            store_rejects = true, rejects_table = '_rejects', rejects_scan = '_reject_scans'
        )
        """
    )


def collect_rejected_rows(con: duckdb.DuckDBPyConnection) -> None:
    """`_rejected_rows`: one row per rejected line (its first error), also added to
    _parse_failures. DuckDB's `line` counts the header as line 1."""
    con.execute(
        """
        create or replace temp table _rejected_rows as
        select files._file_id,
            rejects.line - 1 as _row_number,
            arg_min(rejects.column_name, rejects.column_idx) as field,
            arg_min(rejects.error_type || ': ' || rejects.error_message, rejects.column_idx)
                as reason,
            any_value(rejects.csv_line) as raw_record
        from _rejects as rejects
        inner join _reject_scans as scans
            on rejects.scan_id = scans.scan_id and rejects.file_id = scans.file_id
        inner join _batch_files as files on scans.file_path = files.path
        group by files._file_id, rejects.line
        """
    )
    con.execute("insert into _parse_failures select * from _rejected_rows")


CSV = FormatReader(
    stage=stage_delimited,
    row_layout="csv",
    find_fault=line_ending_fault,
    no_record_shape=HEADER_ALONE,
)
