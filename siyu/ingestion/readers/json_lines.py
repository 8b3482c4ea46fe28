"""JSON Lines (format `jsonl`): one JSON object a line; the line number is the row number."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from siyu.ingestion.raw_tables import MAX_RAW_TEXT
from siyu.ingestion.readers.base import FormatReader, Refusals
from siyu.ingestion.readers.json_values import json_values
from siyu.ingestion.refusals import json_fault
from siyu.ingestion.rules import insert_records
from siyu.ingestion.specs import SourceSpec
from siyu.ingestion.sql import id_list
from siyu.ingestion.staging import Delivery, path_list


def stage_json_lines(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, deliveries: Sequence[Delivery]
) -> Refusals:
    """One JSON object a line; the line number is the row number. A line is parsed once: the
    extraction of all its columns fails (null) exactly when it is not JSON. A line that is JSON
    but not an object is quarantined; a file that is not JSON Lines is refused (see
    refuse_non_json_lines)."""
    lists, picked = json_values(spec, "line")
    create_lines(con, deliveries, lists["_own_values"])
    refused = refuse_non_json_lines(con)
    con.execute(
        f"""
        insert into _parse_failures
        select _file_id, _row_number, null,
            if(_own_values is null, 'malformed JSON line', 'not a JSON object'),
            left(line, {MAX_RAW_TEXT})
        from _lines where _own_values is null or _opening <> '{{'
        """
    )
    # the raw record is the line as delivered
    insert_records(
        con,
        spec,
        f"""
        select _file_id, _row_number, {picked}, line as _raw_record
        from _lines where _own_values is not null and _opening = '{{'
        """,
    )
    return refused


def create_lines(
    con: duckdb.DuckDBPyConnection, deliveries: Sequence[Delivery], own_values: str
) -> None:
    """`_lines(_file_id, _row_number, line, _own_values, _opening)`: the non-blank lines, without
    line breaks or the byte-order mark, each with its values extracted (`own_values`, null when
    the line is not JSON) and its first character."""
    con.execute(
        f"""
        create or replace temp table _lines as
        with texts as (
            select files._file_id, string_split(texts.content, chr(10)) as lines
            from read_text({path_list(deliveries)}) as texts
            inner join _batch_files as files on texts.filename = files.path
        ),
        numbered as (
            select _file_id,
                generate_subscripts(lines, 1) as _row_number,
                rtrim(unnest(lines), chr(13)) as line
            from texts
        ),
        without_bom as (
            select _file_id, _row_number,
                if(_row_number = 1, ltrim(line, chr(65279)), line) as line
            from numbered
        )
        select *,
            try({own_values}) as _own_values,
            left(ltrim(line, ' ' || chr(9)), 1) as _opening
        from without_bom
        where trim(line) <> ''
        """
    )


def refuse_non_json_lines(con: duckdb.DuckDBPyConnection) -> Refusals:
    """Files of `_lines` that are not JSON Lines (file_id -> reason), whose lines are dropped: a
    file with a line that opens a JSON array (an array file: its records cannot be counted by
    line), or with no line that is a JSON object (a pretty-printed document, say)."""
    rows = con.execute(
        """
        select _file_id,
            min(_row_number) filter (where _opening = '[') as first_array,
            count(*) filter (where _own_values is not null and _opening = '{') as objects,
            count(*) as lines
        from _lines
        group by _file_id
        having first_array is not null or objects = 0
        """
    ).fetchall()
    refused = {
        file_id: (
            f"line {first_array} opens a JSON array: this source takes JSON Lines (one JSON "
            "object a line), and the records of an array cannot be counted line by line"
            if first_array is not None
            else f"not JSON Lines: none of its {lines} non-blank line(s) is a JSON object"
        )
        for file_id, first_array, _, lines in rows
    }
    if refused:
        con.execute(f"delete from _lines where _file_id in ({id_list(refused)})")
    return refused


JSON_LINES = FormatReader(stage=stage_json_lines, row_layout="lines", find_fault=json_fault)
