"""API response pages (format `json_pages`): one or more JSON objects a file (an object, an
array of them, or one a line), each holding its records under the source's `records` path and,
for some platforms, an error code (`ok_when`)."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from siyu.ingestion.raw_tables import MAX_RAW_TEXT
from siyu.ingestion.readers.base import FormatReader, Refusals
from siyu.ingestion.readers.json_values import json_values
from siyu.ingestion.refusals import json_fault, starts_with
from siyu.ingestion.rules import insert_records
from siyu.ingestion.specs import SourceSpec
from siyu.ingestion.sql import id_list, literal
from siyu.ingestion.staging import Delivery, path_list


def create_pages(con: duckdb.DuckDBPyConnection, deliveries: Sequence[Delivery]) -> None:
    """`_pages(_file_id, page_no, page)`, pages numbered per file. DuckDB's error on a file
    whose JSON does not parse names that file (the batch then sets it apart)."""
    con.execute(
        f"""
        create or replace temp table _page_reads as
        select filename as path, json as page
        from read_json_objects({path_list(deliveries)}, format = 'auto', filename = true)
        """
    )
    con.execute(
        """
        create or replace temp table _pages as
        select files._file_id,
            row_number() over (partition by files._file_id order by reads.rowid) as page_no,
            reads.page
        from _page_reads as reads
        inner join _batch_files as files on reads.path = files.path
        """
    )


def ok_page_filter(spec: SourceSpec) -> tuple[str, str]:
    """SQL conditions on `page`: (it is a success page, the value of its ok_when field)."""
    if not spec.ok_when:
        return "true", "null"
    (ok_field, ok_value), *_ = spec.ok_when.items()
    # a page without the field is a success page (OA's batchget omits errcode on success)
    ok_expr = f"coalesce(json_extract_string(page, '$.{ok_field}'), {literal(str(ok_value))})"
    return f"{ok_expr} = {literal(str(ok_value))}", ok_expr


def refuse_misshapen_pages(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, deliveries: Sequence[Delivery]
) -> Refusals:
    """Files that are not the source's pages (file_id -> reason): no page at all, or a success
    page without its record list (a bare array of records, say). Their pages are dropped: how
    many records they hold cannot be told."""
    assert spec.records is not None
    record_list = spec.records.split("[].", 1)[0]
    ok_filter, _ = ok_page_filter(spec)
    misshapen = (
        f"{ok_filter} and coalesce(json_type(page, {literal('$.' + record_list)}), '') <> 'ARRAY'"
    )
    rows = con.execute(
        f"""
        select files._file_id, count(pages.page_no) as page_count,
            count(pages.page_no) filter (where {misshapen}) as misshapen_count,
            min(pages.page_no) filter (where {misshapen}) as first_misshapen
        from _batch_files as files
        left join _pages as pages on files._file_id = pages._file_id
        group by files._file_id
        having page_count = 0 or misshapen_count > 0
        """
    ).fetchall()
    by_id = {delivery.file_id: delivery for delivery in deliveries}
    shape = f"a JSON object holding its records under {spec.records!r}"
    refused: Refusals = {}
    for file_id, page_count, misshapen_count, first_misshapen in rows:
        is_array = starts_with(by_id[file_id].readable, "[")
        if page_count == 0:
            refused[file_id] = "no JSON page in the file" + (
                " (an empty array)" if is_array else ""
            )
        elif is_array and misshapen_count == page_count:
            refused[file_id] = (
                f"a bare JSON array of {page_count} item(s), not {spec.name} pages ({shape})"
            )
        else:
            refused[file_id] = (
                f"page {first_misshapen} of {page_count} has no {record_list!r} list: not a "
                f"page of {spec.name} ({shape})"
            )
    if refused:
        con.execute(f"delete from _pages where _file_id in ({id_list(refused)})")
    return refused


def quarantine_error_pages(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    """An error page (its ok_when field says so) is one failure of its file, with the platform's
    message."""
    if not spec.ok_when:
        return
    ok_filter, ok_expr = ok_page_filter(spec)
    (ok_field, _), *_ = spec.ok_when.items()
    con.execute(
        f"""
        insert into _parse_failures
        select _file_id, null, {literal(ok_field)},
            'error page ' || page_no || ': ' || {ok_field!r} || '=' || {ok_expr}
                || ' ' || coalesce(json_extract_string(page, '$.errmsg'),
                                   json_extract_string(page, '$.message'), ''),
            left(page::varchar, {MAX_RAW_TEXT})
        from _pages where not ({ok_filter})
        """
    )


def flattened_records(spec: SourceSpec) -> str:
    """SQL of the success pages' records, in order: page, then position in the page (and in its
    parent, for a `parents[].children` path)."""
    assert spec.records is not None
    ok_filter, _ = ok_page_filter(spec)
    if "[]." in spec.records:
        parent_path, child_path = spec.records.split("[].", 1)
        return f"""
            with parent_lists as (
                select _file_id, page_no,
                    json_extract(page, {literal(f"$.{parent_path}[*]")}) as parent_list
                from _pages where {ok_filter}
            ),
            parents as (
                select _file_id, page_no,
                    unnest(parent_list) as _parent,
                    generate_subscripts(parent_list, 1) as parent_no
                from parent_lists
            ),
            child_lists as (
                select *, json_extract(_parent, {literal(f"$.{child_path}[*]")}) as child_list
                from parents
            )
            select _file_id, page_no, parent_no, _parent,
                unnest(child_list) as _record,
                generate_subscripts(child_list, 1) as record_no
            from child_lists
        """
    return f"""
            with record_lists as (
                select _file_id, page_no,
                    json_extract(page, {literal(f"$.{spec.records}[*]")}) as record_list
                from _pages where {ok_filter}
            )
            select _file_id, page_no, 0 as parent_no, null::json as _parent,
                unnest(record_list) as _record,
                generate_subscripts(record_list, 1) as record_no
            from record_lists
        """


def stage_json_pages(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, deliveries: Sequence[Delivery]
) -> Refusals:
    """One or more API response pages per file (a JSON object, an array of them, or one a line)."""
    create_pages(con, deliveries)
    refused = refuse_misshapen_pages(con, spec, deliveries)
    quarantine_error_pages(con, spec)
    lists, picked = json_values(spec, "_record")
    extracted = ", ".join(f"{expression} as {name}" for name, expression in lists.items())
    insert_records(
        con,
        spec,
        f"""
        with flattened as ({flattened_records(spec)}),
        extracted as (
            select *, {extracted},
                row_number() over (
                    partition by _file_id order by page_no, parent_no, record_no
                ) as _row_number
            from flattened
        )
        select _file_id, _row_number, {picked}, _record::varchar as _raw_record
        from extracted
        """,
    )
    return refused


JSON_PAGES = FormatReader(
    stage=stage_json_pages,
    row_layout="document",
    find_fault=json_fault,
    no_record_shape="pages whose record lists are empty",
)
