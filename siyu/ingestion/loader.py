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
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa
import yaml

from siyu.ingestion.encoding import (
    Decoded,
    Fingerprint,
    RowLayout,
    UndecodableFile,
    fingerprint,
    readable_copy,
    split_wechatpay_bill,
)
from siyu.ingestion.landing import not_a_regular_file
from siyu.ingestion.refusals import json_fault, line_ending_fault, starts_with
from siyu.ingestion.specs import SourceSpec
from siyu.settings import DBT_PROJECT_DIR
from siyu.withdraw.log import withdrawn_notes

RAW_SCHEMA = "raw"
QUARANTINE_TABLE = "raw.quarantine"
LOADED_FILES_TABLE = "raw.loaded_files"
MAX_RAW_TEXT = 4000
ALREADY_LOADED = "already loaded"
# how each format reads its lines into rows (encoding.py numbers the rows of a mixed file)
ROW_LAYOUTS: dict[str, RowLayout] = {
    "csv": "csv",
    "wechatpay_bill": "csv",
    "jsonl": "lines",
    "json_pages": "document",
}
# what a file of each format that yields no record holds: it is skipped with this note (a
# format not listed refuses such a file)
NO_RECORD_SHAPES = {
    "csv": "the header alone",
    "wechatpay_bill": "the header alone",
    "json_pages": "pages whose record lists are empty",
}


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


@dataclass
class FileOutcome:
    file_name: str
    file_hash: str
    status: str  # loaded | skipped | refused
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    encoding: str = ""
    detail: str = ""


@dataclass
class SourceIngestReport:
    source: str
    files: list[FileOutcome] = field(default_factory=list)

    def _sum(self, attribute: str) -> int:
        return sum(getattr(outcome, attribute) for outcome in self.files)

    @property
    def rows_read(self) -> int:
        return self._sum("rows_read")

    @property
    def rows_loaded(self) -> int:
        return self._sum("rows_loaded")

    @property
    def rows_quarantined(self) -> int:
        return self._sum("rows_quarantined")

    def files_with(self, status: str) -> list[FileOutcome]:
        return [outcome for outcome in self.files if outcome.status == status]

    @property
    def refused(self) -> list[FileOutcome]:
        return self.files_with("refused")


# --------------------------------------------------------------------------------------------
# bookkeeping tables


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
    column_ddl = ",\n".join(f"{_quote(name)} varchar" for name in spec.columns)
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


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --------------------------------------------------------------------------------------------
# readers: each reads a batch of files (listed in the temp table `_batch_files`) into the temp
# tables `_records(_file_id, _row_number, <raw columns>, _raw_record, _broken_rule)` (through
# _insert_records) and `_parse_failures(_file_id, _row_number, field, reason, raw_record)`,
# row numbers per file.


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


def _create_batch_tables(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, deliveries: Sequence[Delivery]
) -> None:
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
    columns = ", ".join(f"{_quote(raw)} varchar" for raw in spec.columns)
    con.execute(
        f"create or replace temp table _records (_file_id bigint, _row_number bigint, "
        f"{columns}, _raw_record varchar, _broken_rule integer)"
    )


def _path_list(deliveries: Sequence[Delivery]) -> str:
    return "[" + ", ".join(_literal(str(d.readable)) for d in deliveries) + "]"


def _read_header(path: Path) -> list[str]:
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        first_line = handle.readline()
    header = next(csv.reader(io.StringIO(first_line)), [])
    return [name.strip().lstrip("`").strip() for name in header]


def _read_delimited(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, deliveries: Sequence[Delivery]
) -> dict[int, str]:
    """Files that share a header are read by one read_csv; a file without a required column is
    refused (returned as file_id -> reason) and nothing of it is read."""
    refused: dict[int, str] = {}
    by_header: dict[tuple[str, ...], list[Delivery]] = {}
    for delivery in deliveries:
        header = _read_header(delivery.readable)
        missing = [name for name in spec.required if spec.columns[name] not in header]
        if missing:
            wanted = ", ".join(f"{name} ({spec.columns[name]})" for name in missing)
            refused[delivery.file_id] = f"missing required column(s): {wanted}"
        else:
            by_header.setdefault(tuple(header), []).append(delivery)
    for header, group in by_header.items():
        _read_delimited_group(con, spec, list(header), group)
    return refused


def _read_delimited_group(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, header: list[str], group: list[Delivery]
) -> None:
    positional = {f"c{index}": "VARCHAR" for index in range(len(header))}
    position_of = {name: index for index, name in reversed(list(enumerate(header)))}
    selected = [
        f"c{position_of[origin]} as {_quote(raw)}"
        if origin in position_of
        else f"null::varchar as {_quote(raw)}"
        for raw, origin in spec.columns.items()
    ]
    columns_literal = "{" + ", ".join(f"'{k}': 'VARCHAR'" for k in positional) + "}"
    con.execute("drop table if exists _rejects")
    con.execute("drop table if exists _reject_scans")
    con.execute(
        f"""
        create or replace temp table _scanned as
        select * from read_csv(
            {_path_list(group)},
            header = true, columns = {columns_literal}, delim = ',', quote = '"', escape = '"',
            auto_detect = false, all_varchar = true, null_padding = false, filename = '_path',
            store_rejects = true, rejects_table = '_rejects', rejects_scan = '_reject_scans'
        )
        """
    )
    # rejected lines: `line` counts the header as line 1
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
    # The k-th good row of a file skips the rejected ordinals that come before it.
    raw_record = (
        "to_json(struct_pack("
        + ", ".join(
            f"{_quote(origin)} := c{position_of[origin]}"
            for origin in spec.columns.values()
            if origin in position_of
        )
        + "))"
    )
    _insert_records(
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


def _json_paths(paths: Sequence[str]) -> str:
    return "[" + ", ".join(_literal("$." + path) for path in paths) + "]"


def _json_values(spec: SourceSpec, record: str) -> tuple[dict[str, str], str]:
    """SQL that parses each record once: (list name -> the expression extracting all its paths
    as a list, the raw columns picked from those lists). `^.field` paths read `_parent`."""
    own = [path for path in spec.columns.values() if not path.startswith("^.")]
    inherited = [path[2:] for path in spec.columns.values() if path.startswith("^.")]
    lists = {"_own_values": f"json_extract_string({record}, {_json_paths(own)})"}
    if inherited:
        lists["_parent_values"] = f"json_extract_string(_parent, {_json_paths(inherited)})"
    picked = []
    own_index = parent_index = 0
    for raw, path in spec.columns.items():
        if path.startswith("^."):
            parent_index += 1
            picked.append(f"_parent_values[{parent_index}] as {_quote(raw)}")
        else:
            own_index += 1
            picked.append(f"_own_values[{own_index}] as {_quote(raw)}")
    return lists, ",\n".join(picked)


def _create_pages(con: duckdb.DuckDBPyConnection, deliveries: Sequence[Delivery]) -> None:
    """`_pages(_file_id, page_no, page)`, pages numbered per file. DuckDB's error on a file
    whose JSON does not parse names that file (the batch then sets it apart)."""
    con.execute(
        f"""
        create or replace temp table _page_reads as
        select filename as path, json as page
        from read_json_objects({_path_list(deliveries)}, format = 'auto', filename = true)
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


def _ok_page_filter(spec: SourceSpec) -> tuple[str, str]:
    """SQL conditions on `page`: (it is a success page, the value of its ok_when field)."""
    if not spec.ok_when:
        return "true", "null"
    (ok_field, ok_value), *_ = spec.ok_when.items()
    # a page without the field is a success page (OA's batchget omits errcode on success)
    ok_expr = f"coalesce(json_extract_string(page, '$.{ok_field}'), {_literal(str(ok_value))})"
    return f"{ok_expr} = {_literal(str(ok_value))}", ok_expr


def _refuse_misshapen_pages(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, deliveries: Sequence[Delivery]
) -> dict[int, str]:
    """Files that are not the source's pages (file_id -> reason): no page at all, or a success
    page without its record list (a bare array of records, say). Their pages are dropped: how
    many records they hold cannot be told."""
    assert spec.records is not None
    record_list = spec.records.split("[].", 1)[0]
    ok_filter, _ = _ok_page_filter(spec)
    misshapen = (
        f"{ok_filter} and coalesce(json_type(page, {_literal('$.' + record_list)}), '') <> 'ARRAY'"
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
    refused = {}
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
        con.execute(f"delete from _pages where _file_id in ({_id_list(refused)})")
    return refused


def _id_list(file_ids: Iterable[int]) -> str:
    return ", ".join(str(int(file_id)) for file_id in file_ids) or "-1"


def _read_json_pages(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, deliveries: Sequence[Delivery]
) -> dict[int, str]:
    """One or more API response pages per file (a JSON object, an array of them, or one a line)."""
    _create_pages(con, deliveries)
    refused = _refuse_misshapen_pages(con, spec, deliveries)
    ok_filter, ok_expr = _ok_page_filter(spec)
    if spec.ok_when:
        (ok_field, _), *_ = spec.ok_when.items()
        con.execute(
            f"""
            insert into _parse_failures
            select _file_id, null, {_literal(ok_field)},
                'error page ' || page_no || ': ' || {ok_field!r} || '=' || {ok_expr}
                    || ' ' || coalesce(json_extract_string(page, '$.errmsg'),
                                       json_extract_string(page, '$.message'), ''),
                left(page::varchar, {MAX_RAW_TEXT})
            from _pages where not ({ok_filter})
            """
        )
    assert spec.records is not None
    # records keep their order: page, then position in the page (and in its parent)
    if "[]." in spec.records:
        parent_path, child_path = spec.records.split("[].", 1)
        flattened = f"""
            with parent_lists as (
                select _file_id, page_no,
                    json_extract(page, {_literal(f"$.{parent_path}[*]")}) as parent_list
                from _pages where {ok_filter}
            ),
            parents as (
                select _file_id, page_no,
                    unnest(parent_list) as _parent,
                    generate_subscripts(parent_list, 1) as parent_no
                from parent_lists
            ),
            child_lists as (
                select *, json_extract(_parent, {_literal(f"$.{child_path}[*]")}) as child_list
                from parents
            )
            select _file_id, page_no, parent_no, _parent,
                unnest(child_list) as _record,
                generate_subscripts(child_list, 1) as record_no
            from child_lists
        """
    else:
        flattened = f"""
            with record_lists as (
                select _file_id, page_no,
                    json_extract(page, {_literal(f"$.{spec.records}[*]")}) as record_list
                from _pages where {ok_filter}
            )
            select _file_id, page_no, 0 as parent_no, null::json as _parent,
                unnest(record_list) as _record,
                generate_subscripts(record_list, 1) as record_no
            from record_lists
        """
    lists, picked = _json_values(spec, "_record")
    extracted = ", ".join(f"{expression} as {name}" for name, expression in lists.items())
    _insert_records(
        con,
        spec,
        f"""
        with flattened as ({flattened}),
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


def _read_jsonl(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, deliveries: Sequence[Delivery]
) -> dict[int, str]:
    """One JSON object a line; the line number is the row number. A line is parsed once: the
    extraction of all its columns fails (null) exactly when it is not JSON. A line that is JSON
    but not an object is quarantined; a file that is not JSON Lines is refused (see
    _refuse_non_json_lines)."""
    lists, picked = _json_values(spec, "line")
    con.execute(
        f"""
        create or replace temp table _lines as
        with texts as (
            select files._file_id, string_split(texts.content, chr(10)) as lines
            from read_text({_path_list(deliveries)}) as texts
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
            try({lists["_own_values"]}) as _own_values,
            left(ltrim(line, ' ' || chr(9)), 1) as _opening
        from without_bom
        where trim(line) <> ''
        """
    )
    refused = _refuse_non_json_lines(con)
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
    _insert_records(
        con,
        spec,
        f"""
        select _file_id, _row_number, {picked}, line as _raw_record
        from _lines where _own_values is not null and _opening = '{{'
        """,
    )
    return refused


def _refuse_non_json_lines(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
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
        con.execute(f"delete from _lines where _file_id in ({_id_list(refused)})")
    return refused


# --------------------------------------------------------------------------------------------
# row rules


# What a value of each format looks like once the platforms' wrappers are stripped.
VALUE_FORMAT_SQL = {
    "local_datetime": "try_strptime({v}, {layouts}) is not null",
    "date": "try_strptime({v}, '%Y-%m-%d') is not null",
    "digits": "regexp_full_match({v}, '[0-9]+')",
    "amount": r"regexp_full_match({v}, '[0-9]+(\.[0-9]+)?')",
}
VALUE_FORMAT_NAMES = {
    "local_datetime": "a local date-time such as yyyy-MM-dd HH:mm:ss",
    "date": "a date yyyy-MM-dd",
    "digits": "a whole number",
    "amount": "a non-negative amount",
}


@cache
def _local_datetime_layouts() -> str:
    """The dbt var siyu_local_datetime_layouts as a SQL list: staging parses the same layouts."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    layouts = project["vars"]["siyu_local_datetime_layouts"]
    return "[" + ", ".join(_literal(layout) for layout in layouts) + "]"


def _unwrapped(column: str) -> str:
    """The value without a leading backtick, ="..." guard or surrounding white space."""
    trimmed = f"trim({column}, ' ' || chr(9) || chr(10) || chr(13))"
    return f"""regexp_replace(regexp_replace({trimmed}, '^`', ''), '^="(.*)"$', '\\1')"""


def _row_rules(spec: SourceSpec) -> list[tuple[str, str, str]]:
    """(field, SQL condition under which the rule fails, SQL reason) for each row rule."""
    rules = [
        (
            name,
            # a lone wrapper (a bill's backtick, ="") is as empty as no value
            f"nullif({_unwrapped(_quote(name))}, '') is null",
            _literal(f"required field {name} is empty"),
        )
        for name in spec.not_empty
    ]
    for name, kind in spec.formats.items():
        value = _unwrapped(_quote(name))
        check = VALUE_FORMAT_SQL[kind].format(v=value, layouts=_local_datetime_layouts())
        condition = f"nullif({value}, '') is not null and not ({check})"
        reason = (
            f"{_literal(f'field {name}: ')} || {_quote(name)} || "
            f"{_literal(f' is not {VALUE_FORMAT_NAMES[kind]}')}"
        )
        rules.append((name, condition, reason))
    return rules


def _insert_records(con: duckdb.DuckDBPyConnection, spec: SourceSpec, records_sql: str) -> None:
    """Append a reader's records (`_file_id, _row_number, <raw columns>, _raw_record`) to
    _records, each marked with the first not_empty or format rule it breaks (`_broken_rule`,
    null for a good record). Only a broken record keeps its raw text: nothing else needs it."""
    rules = _row_rules(spec)
    first_broken = " ".join(
        f"when {condition} then {number}" for number, (_, condition, _) in enumerate(rules)
    )
    con.execute(
        f"""
        insert into _records by name
        with checked as (
            select *, {f"case {first_broken} end" if rules else "null::integer"} as _broken_rule
            from ({records_sql})
        )
        select * replace (
            case when _broken_rule is not null then _raw_record end as _raw_record
        )
        from checked
        """
    )


def _quarantine_broken_records(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    """Add the records that break a row rule to _parse_failures, with that rule's field and
    reason."""
    rules = _row_rules(spec)
    if not rules:
        return
    field_of = " ".join(f"when {n} then {_literal(name)}" for n, (name, _, _) in enumerate(rules))
    reason_of = " ".join(f"when {n} then {reason}" for n, (_, _, reason) in enumerate(rules))
    con.execute(
        f"""
        insert into _parse_failures
        select _file_id, _row_number, case _broken_rule {field_of} end,
            case _broken_rule {reason_of} end, _raw_record
        from _records
        where _broken_rule is not null
        """
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
    decoded = readable_copy(path, fingerprint_, ROW_LAYOUTS[spec.format], workdir)
    if spec.format == "wechatpay_bill":
        parts = split_wechatpay_bill(decoded.path, workdir)
        return Delivery(file_id, file_name, fingerprint_, decoded, parts.detail_path, parts.summary)
    return Delivery(file_id, file_name, fingerprint_, decoded, decoded.path)


READERS = {
    "csv": _read_delimited,
    "wechatpay_bill": _read_delimited,
    "json_pages": _read_json_pages,
    "jsonl": _read_jsonl,
}


def _quarantine_misencoded_rows(
    con: duckdb.DuckDBPyConnection, deliveries: Sequence[Delivery]
) -> None:
    """Replace each staged row written in another encoding than the rest of its file (decoded
    right, and flagged, by encoding.py) by one failure with that reason. Rows encoding.py counted
    that no reader staged (a bill's summary lines) are left alone."""
    misencoded = [
        (delivery.file_id, row, delivery.decoded.misencoded_reason, text[:MAX_RAW_TEXT])
        for delivery in deliveries
        for row, text in delivery.decoded.misencoded_rows.items()
    ]
    if not misencoded:
        return
    file_ids, rows, reasons, texts = (list(column) for column in zip(*misencoded, strict=True))
    con.register(
        "_misencoded_arrow",
        pa.table(
            {
                "_file_id": pa.array(file_ids, pa.int64()),
                "_row_number": pa.array(rows, pa.int64()),
                "reason": reasons,
                "raw_record": texts,
            }
        ),
    )
    con.execute(
        """
        create or replace temp table _misencoded as
        select * from _misencoded_arrow as misencoded
        where (_file_id, _row_number) in (select (_file_id, _row_number) from _records)
            or (_file_id, _row_number) in (select (_file_id, _row_number) from _parse_failures)
        """
    )
    con.unregister("_misencoded_arrow")
    for table in ("_records", "_parse_failures"):
        con.execute(
            f"delete from {table} "
            "where (_file_id, _row_number) in (select (_file_id, _row_number) from _misencoded)"
        )
    con.execute(
        "insert into _parse_failures "
        "select _file_id, _row_number, null, reason, raw_record from _misencoded"
    )


def _stage_batch(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, deliveries: Sequence[Delivery]
) -> dict[int, str]:
    """Read the batch into the temp tables (_records, _parse_failures) and apply the row rules;
    returns the files its reader refused (file_id -> reason)."""
    _create_batch_tables(con, spec, deliveries)
    refused = READERS[spec.format](con, spec, deliveries)
    _quarantine_broken_records(con, spec)
    _quarantine_misencoded_rows(con, deliveries)
    return refused


def _write_batch(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, loaded: Iterable[int], loaded_at: datetime
) -> None:
    """Append the staged records and failures of the loaded files, and one ledger row each."""
    loaded_ids = _id_list(loaded)
    columns = ", ".join(_quote(name) for name in spec.columns)
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
        select {_literal(spec.name)}, files.file_name, files.file_hash, failures._row_number,
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
        select {_literal(spec.name)}, files.file_name, files.file_hash, files.encoding,
            files.size_bytes, counts.rows_loaded + counts.rows_quarantined,
            counts.rows_loaded, counts.rows_quarantined, files.file_summary, $loaded_at
        from _batch_files as files
        inner join _file_counts as counts on files._file_id = counts._file_id
        where files._file_id in ({loaded_ids})
        order by files._file_id
        """,
        {"loaded_at": loaded_at},
    )


def _count_rows(con: duckdb.DuckDBPyConnection) -> dict[int, tuple[int, int]]:
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


def _staged_outcome(
    spec: SourceSpec, delivery: Delivery, refusal: str | None, counts: tuple[int, int]
) -> FileOutcome:
    """A staged file's outcome: refused by its reader; without a single record, skipped with a
    note when its format has an empty shape (NO_RECORD_SHAPES), else refused; or loaded."""
    if refusal is not None:
        return delivery.refused(refusal)
    loaded, quarantined = counts
    if loaded + quarantined == 0:
        if spec.format not in NO_RECORD_SHAPES:
            return delivery.refused("no record could be read from the file")
        return FileOutcome(
            delivery.file_name,
            delivery.fingerprint.file_hash,
            "skipped",
            detail=f"no record: the file holds {NO_RECORD_SHAPES[spec.format]}; not recorded "
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
    counts = _count_rows(con)
    outcomes = {
        delivery.file_id: _staged_outcome(
            spec, delivery, refused.get(delivery.file_id), counts[delivery.file_id]
        )
        for delivery in deliveries
    }
    loaded = [file_id for file_id, outcome in outcomes.items() if outcome.status == "loaded"]
    con.execute("begin transaction")
    try:
        _write_batch(con, spec, loaded, loaded_at)
    except Exception:
        con.execute("rollback")
        raise
    con.execute("commit")
    return outcomes


def _unreadable_reason(spec: SourceSpec, delivery: Delivery, error: UnreadableBatch) -> str:
    """Why DuckDB could not read a file, with the line at fault when Python can find it."""
    if spec.format in ("json_pages", "jsonl"):
        fault = json_fault(delivery.readable)
    else:
        fault = line_ending_fault(delivery.readable)
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
            if (note := _nothing_to_load(print_)) is not None:
                outcome.detail = note
            elif print_.file_hash in seen:
                outcome.detail = ALREADY_LOADED
            elif print_.file_hash in withdrawn:
                outcome.detail = withdrawn[print_.file_hash]
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
    for file_id, first in repeats.items():
        earlier = outcomes[first]
        outcomes[file_id].status = "refused" if earlier.status == "refused" else "skipped"
        outcomes[file_id].detail = ALREADY_LOADED if earlier.status == "loaded" else earlier.detail
    return SourceIngestReport(source=spec.name, files=outcomes)


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


def refusal_message(report: SourceIngestReport) -> str:
    lines = [f"{report.source}: {len(report.refused)} file(s) refused, nothing of them loaded:"]
    lines += [f"  - {outcome.file_name}: {outcome.detail}" for outcome in report.refused]
    return "\n".join(lines)


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
