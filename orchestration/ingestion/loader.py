"""Load delivered channel export files into `raw.<source>` tables in DuckDB.

DuckDB does the parsing (read_csv, JSON functions); Python only fingerprints files, transcodes
non-UTF-8 ones and keeps the bookkeeping. Per file, everything happens in one transaction:

* a file whose bytes were loaded before (under any name) is skipped;
* a file that lacks a required column is refused whole (FileRefused), nothing of it is written;
* a record DuckDB cannot parse, that leaves a `not_empty` field empty or has a value of the
  wrong shape (`formats` in sources.yml), goes to
  `raw.quarantine` with its file, row number, field, reason and raw text; the records beside
  it load.

Row numbers are 1-based data-record ordinals within the file: CSV rows after the header, JSONL
lines, and records across the pages of a JSON file.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb
import yaml

from orchestration.ingestion.encoding import (
    Fingerprint,
    fingerprint,
    split_wechatpay_bill,
    utf8_copy,
)
from orchestration.ingestion.specs import SourceSpec
from orchestration.settings import DBT_PROJECT_DIR

RAW_SCHEMA = "raw"
QUARANTINE_TABLE = "raw.quarantine"
LOADED_FILES_TABLE = "raw.loaded_files"
MAX_RAW_TEXT = 4000


class FileRefused(Exception):  # noqa: N818 - a refusal, not a crash
    """A delivered file that cannot be loaded at all (e.g. a required column is missing)."""

    def __init__(self, source: str, file_name: str, reason: str) -> None:
        super().__init__(f"{source}: file {file_name}: {reason}")
        self.source = source
        self.file_name = file_name
        self.reason = reason


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
# readers: each fills the temp tables `_records(_row_number, <raw columns>, _raw_record)` and
# `_parse_failures(_row_number, field, reason, raw_record)`


def _create_failure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "create or replace temp table _parse_failures "
        "(_row_number bigint, field varchar, reason varchar, raw_record varchar)"
    )


def _read_header(path: Path) -> list[str]:
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        first_line = handle.readline()
    header = next(csv.reader(io.StringIO(first_line)), [])
    return [name.strip().lstrip("`").strip() for name in header]


def _read_delimited(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, utf8_path: Path, file_name: str
) -> None:
    header = _read_header(utf8_path)
    missing = [name for name in spec.required if spec.columns[name] not in header]
    if missing:
        wanted = ", ".join(f"{name} ({spec.columns[name]})" for name in missing)
        raise FileRefused(spec.name, file_name, f"missing required column(s): {wanted}")
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
            {_literal(str(utf8_path))},
            header = true, columns = {columns_literal}, delim = ',', quote = '"', escape = '"',
            auto_detect = false, all_varchar = true, null_padding = false,
            store_rejects = true, rejects_table = '_rejects', rejects_scan = '_reject_scans'
        )
        """
    )
    _create_failure_table(con)
    # rejected lines: `line` counts the header as line 1
    con.execute(
        """
        insert into _parse_failures
        select line - 1,
            arg_min(column_name, column_idx),
            arg_min(error_type || ': ' || error_message, column_idx),
            any_value(csv_line)
        from _rejects
        group by line
        """
    )
    # The k-th good row's ordinal skips the rejected ordinals that come before it.
    raw_record = (
        "to_json(struct_pack("
        + ", ".join(
            f"{_quote(origin)} := c{position_of[origin]}"
            for origin in spec.columns.values()
            if origin in position_of
        )
        + "))"
    )
    con.execute(
        f"""
        create or replace temp table _records as
        with good as (
            select rowid - (select min(rowid) from _scanned) + 1 as k, * from _scanned
        ),
        skipped as (
            select _row_number - row_number() over (order by _row_number) as good_before
            from _parse_failures
        )
        select
            k + (select count(*) from skipped where good_before < k) as _row_number,
            {", ".join(selected)},
            {raw_record} as _raw_record
        from good
        """
    )


def _json_column(record: str, path: str) -> str:
    if path.startswith("^."):
        record, path = "_parent", path[2:]
    return f"json_extract_string({record}, {_literal('$.' + path)})"


def _read_json_pages(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, utf8_path: Path, file_name: str
) -> None:
    """One or more API response pages per file (a JSON object, an array of them, or one a line)."""
    _create_failure_table(con)
    pages_sql = f"read_json_objects({_literal(str(utf8_path))}, format = 'auto')"
    try:
        # probe on a cursor of its own: a parse error must not abort the file's transaction
        con.cursor().execute(f"select count(*) from {pages_sql}").fetchone()
    except duckdb.Error as error:
        raw_text = utf8_path.read_text(encoding="utf-8", errors="replace")[:MAX_RAW_TEXT]
        con.execute(
            "insert into _parse_failures values (1, null, ?, ?)",
            [f"malformed JSON file: {error}".splitlines()[0], raw_text],
        )
        _empty_records(con, spec)
        return
    con.execute(
        f"create or replace temp table _pages as "
        f"select row_number() over () as page_no, json as page from {pages_sql}"
    )
    ok_filter = "true"
    if spec.ok_when:
        (ok_field, ok_value), *_ = spec.ok_when.items()
        # a page without the field is a success page (OA's batchget omits errcode on success)
        ok_expr = f"coalesce(json_extract_string(page, '$.{ok_field}'), {_literal(str(ok_value))})"
        ok_filter = f"{ok_expr} = {_literal(str(ok_value))}"
        con.execute(
            f"""
            insert into _parse_failures
            select null, {_literal(ok_field)},
                'error page ' || page_no || ': ' || {ok_field!r} || '=' || {ok_expr}
                    || ' ' || coalesce(json_extract_string(page, '$.errmsg'),
                                       json_extract_string(page, '$.message'), ''),
                left(page::varchar, {MAX_RAW_TEXT})
            from _pages where not ({ok_filter})
            """
        )
    assert spec.records is not None
    if "[]." in spec.records:
        parent_path, child_path = spec.records.split("[].", 1)
        flattened = f"""
            with parents as (
                select page_no, unnest(json_extract(page, {_literal(f"$.{parent_path}[*]")}))
                    as _parent
                from _pages where {ok_filter}
            ),
            children as (
                select page_no, _parent,
                    unnest(json_extract(_parent, {_literal(f"$.{child_path}[*]")})) as _record
                from parents
            )
            select * from children
        """
    else:
        flattened = f"""
            select page_no, null::json as _parent,
                unnest(json_extract(page, {_literal(f"$.{spec.records}[*]")})) as _record
            from _pages where {ok_filter}
        """
    selected = ",\n".join(
        f"{_json_column('_record', path)} as {_quote(raw)}" for raw, path in spec.columns.items()
    )
    con.execute(
        f"""
        create or replace temp table _records as
        with flattened as ({flattened})
        select row_number() over (order by page_no) as _row_number,
            {selected},
            _record::varchar as _raw_record
        from flattened
        """
    )


def _read_jsonl(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, utf8_path: Path, file_name: str
) -> None:
    """One JSON object a line; the line number is the row number."""
    _create_failure_table(con)
    con.execute(
        f"""
        create or replace temp table _lines as
        select generate_subscripts(lines, 1) as _row_number,
            rtrim(unnest(lines), chr(13)) as line
        from (select string_split(content, chr(10)) as lines
              from read_text({_literal(str(utf8_path))}))
        """
    )
    con.execute(
        f"""
        insert into _parse_failures
        select _row_number, null, 'malformed JSON line', left(line, {MAX_RAW_TEXT})
        from _lines where trim(line) <> '' and not json_valid(line)
        """
    )
    selected = ",\n".join(
        f"{_json_column('_record', path)} as {_quote(raw)}" for raw, path in spec.columns.items()
    )
    con.execute(
        f"""
        create or replace temp table _records as
        with parsed as (
            select _row_number, line::json as _record
            from _lines where trim(line) <> '' and json_valid(line)
        )
        select _row_number, {selected}, _record::varchar as _raw_record from parsed
        """
    )


def _empty_records(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    columns = ", ".join(f"null::varchar as {_quote(raw)}" for raw in spec.columns)
    con.execute(
        f"create or replace temp table _records as select null::bigint as _row_number, "
        f"{columns}, null::varchar as _raw_record where false"
    )


# --------------------------------------------------------------------------------------------
# one file


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


def _apply_row_rules(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    """Move records that break a not_empty or format rule from _records to _parse_failures."""
    rules = _row_rules(spec)
    if not rules:
        return
    first_field = " ".join(
        f"when {condition} then {_literal(name)}" for name, condition, _ in rules
    )
    first_reason = " ".join(f"when {condition} then {reason}" for _, condition, reason in rules)
    con.execute(
        f"""
        insert into _parse_failures
        select _row_number, field, reason, _raw_record
        from (
            select *, case {first_field} end as field, case {first_reason} end as reason
            from _records
        )
        where field is not null
        """
    )
    any_failure = " or ".join(f"({condition})" for _, condition, _ in rules)
    con.execute(f"delete from _records where {any_failure}")


def _load_file(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    path: Path,
    file_name: str,
    fingerprint_: Fingerprint,
    loaded_at: datetime,
    workdir: Path,
) -> FileOutcome:
    summary: dict[str, str] = {}
    if spec.format == "wechatpay_bill":
        parts = split_wechatpay_bill(path, fingerprint_.encoding, workdir)
        utf8_path, summary = parts.detail_path, parts.summary
    else:
        utf8_path = utf8_copy(path, fingerprint_.encoding, workdir)

    reader = {
        "csv": _read_delimited,
        "wechatpay_bill": _read_delimited,
        "json_pages": _read_json_pages,
        "jsonl": _read_jsonl,
    }[spec.format]
    reader(con, spec, utf8_path, file_name)
    _apply_row_rules(con, spec)

    rows_loaded = con.execute("select count(*) from _records").fetchone()[0]
    rows_quarantined = con.execute("select count(*) from _parse_failures").fetchone()[0]
    columns = ", ".join(_quote(name) for name in spec.columns)
    params = [file_name, fingerprint_.file_hash, loaded_at]
    con.execute(
        f"""
        insert into {spec.raw_table} ({columns}, _file_name, _file_hash, _row_number, _loaded_at)
        select {columns}, ?, ?, _row_number, ? from _records order by _row_number
        """,
        params,
    )
    con.execute(
        f"""
        insert into {QUARANTINE_TABLE}
        select {_literal(spec.name)}, ?, ?, _row_number, field, reason,
            left(raw_record, {MAX_RAW_TEXT}), ?
        from _parse_failures order by _row_number nulls first
        """,
        params,
    )
    con.execute(
        f"insert into {LOADED_FILES_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            spec.name,
            file_name,
            fingerprint_.file_hash,
            fingerprint_.encoding,
            fingerprint_.size_bytes,
            rows_loaded + rows_quarantined,
            rows_loaded,
            rows_quarantined,
            json.dumps(summary, ensure_ascii=False) if summary else None,
            loaded_at,
        ],
    )
    return FileOutcome(
        file_name=file_name,
        file_hash=fingerprint_.file_hash,
        status="loaded",
        rows_read=rows_loaded + rows_quarantined,
        rows_loaded=rows_loaded,
        rows_quarantined=rows_quarantined,
        encoding=fingerprint_.encoding,
    )


# --------------------------------------------------------------------------------------------
# one source


def landing_files(landing_dir: Path, source: str) -> list[Path]:
    """Every delivered file of a source, in a stable order; dot-files are ignored."""
    folder = landing_dir / source
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.parts)
    )


def ingest_files(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    files: Iterable[Path],
    loaded_at: datetime,
    base_dir: Path | None = None,
) -> SourceIngestReport:
    """Load each file of one source in its own transaction; see the module docstring."""
    ensure_raw_tables(con, spec)
    report = SourceIngestReport(source=spec.name)
    seen = loaded_hashes(con, spec.name)
    workdir = Path(tempfile.mkdtemp(prefix=f"siyu-{spec.name}-"))
    try:
        for path in files:
            file_name = str(path.relative_to(base_dir)) if base_dir else path.name
            print_ = fingerprint(path)
            if print_.file_hash in seen:
                report.files.append(
                    FileOutcome(file_name, print_.file_hash, "skipped", detail="already loaded")
                )
                continue
            con.execute("begin transaction")
            try:
                outcome = _load_file(con, spec, path, file_name, print_, loaded_at, workdir)
            except FileRefused as refusal:
                con.execute("rollback")
                report.files.append(
                    FileOutcome(file_name, print_.file_hash, "refused", detail=refusal.reason)
                )
                continue
            except Exception:
                con.execute("rollback")
                raise
            con.execute("commit")
            seen.add(print_.file_hash)
            report.files.append(outcome)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return report


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
