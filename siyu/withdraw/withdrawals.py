"""Find a loaded file by name or hash, and withdraw it in one transaction.

A withdrawal deletes, together or not at all,

- the file's rows from `raw.<source>` (by `_file_hash`),
- its quarantined records from `raw.quarantine`,
- its entry in `raw.loaded_files` and the suites' record of having validated it
  (`raw.validated_files`),

and logs it in `raw.withdrawn_files` (siyu/withdraw/log.py). What follows needs nothing
more: the next dbt build sees changed raw tables (siyu/dbt/build_inputs.py), rebuilds the
incremental staging models in full when a build may have staged the rows
(siyu/dbt/incremental.py), and ingestion skips the withdrawn bytes with a note while a
corrected file (other bytes, any name) loads as a new delivery.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from siyu.ingestion.raw_tables import LOADED_FILES_TABLE, QUARANTINE_TABLE
from siyu.ingestion.specs import load_source_specs
from siyu.quality.deliveries import VALIDATED_FILES_TABLE
from siyu.tables import table_exists
from siyu.withdraw.log import (
    HASH_PREFIX_LENGTH,
    WITHDRAWN_FILES_TABLE,
    ensure_withdrawn_files_table,
    withdrawal_note,
)

# the shortest hash prefix that names a file (shorter text is matched as a name only)
MIN_HASH_PREFIX = 6
# candidates listed when a name matches no loaded file
MAX_CANDIDATES = 20
# the schema of the dbt staging models, and the column in which each keeps the load stamp of its
# records (dbt macro new_loads_only)
STAGING_SCHEMA = "staging"
STAGED_LOAD_COLUMN = "source_loaded_at"


@dataclass(frozen=True)
class LoadedFile:
    """A file in raw.loaded_files."""

    source: str
    file_name: str
    file_hash: str
    loaded_at: datetime
    rows_loaded: int
    rows_quarantined: int

    def describe(self) -> str:
        """One line: source, file name, hash prefix, when it was loaded and its rows."""
        return (
            f"{self.source:<16} {self.file_name}  hash {self.file_hash[:HASH_PREFIX_LENGTH]}  "
            f"loaded {self.loaded_at:%Y-%m-%d %H:%M} UTC  "
            f"rows {self.rows_loaded:,} (+{self.rows_quarantined:,} quarantined)"
        )


@dataclass(frozen=True)
class Withdrawal:
    """What withdrawing a file removed."""

    file: LoadedFile
    rows_removed: int
    quarantined_removed: int
    staged_rows_removed: int
    reason: str
    withdrawn_by: str
    withdrawn_at: datetime


@dataclass(frozen=True)
class FileQuery:
    """What a user typed to name a file: a name as loaded, its last parts, its path in the
    landing folder, or a hash prefix; optionally only in one source."""

    name: str
    source: str | None = None

    @classmethod
    def parse(cls, text: str, landing_dir: Path | None, source: str | None = None) -> FileQuery:
        name = text.strip()
        if landing_dir is not None and Path(name).is_absolute():
            path = Path(name)
            if path.is_relative_to(landing_dir):
                name = path.relative_to(landing_dir).as_posix()
        return cls(name.strip("/"), source)

    @property
    def hash_prefix(self) -> str | None:
        prefix = self.name.lower()
        is_hex = bool(prefix) and all(char in string.hexdigits for char in prefix)
        return prefix if is_hex and len(prefix) >= MIN_HASH_PREFIX else None

    def condition(self) -> tuple[str, list[object]]:
        """SQL condition on a table with source, file_name and file_hash, and its parameters."""
        condition = "(file_name = ? or ends_with(file_name, '/' || ?)"
        parameters: list[object] = [self.name, self.name]
        if self.hash_prefix:
            condition += " or starts_with(file_hash, ?)"
            parameters.append(self.hash_prefix)
        condition += ")"
        if self.source:
            condition += " and source = ?"
            parameters.append(self.source)
        return condition, parameters


LOADED_FILE_COLUMNS = "source, file_name, file_hash, loaded_at, rows_loaded, rows_quarantined"


def _loaded_files(
    con: duckdb.DuckDBPyConnection, condition: str, parameters: list[object], order: str
) -> list[LoadedFile]:
    if not table_exists(con, LOADED_FILES_TABLE):
        return []
    rows = con.execute(
        f"select {LOADED_FILE_COLUMNS} from {LOADED_FILES_TABLE} "
        f"where {condition} order by {order}",
        parameters,
    ).fetchall()
    return [LoadedFile(*row) for row in rows]


def matching_files(con: duckdb.DuckDBPyConnection, query: FileQuery) -> list[LoadedFile]:
    """The loaded files the query names."""
    condition, parameters = query.condition()
    return _loaded_files(con, condition, parameters, "loaded_at, source, file_name")


def candidate_files(con: duckdb.DuckDBPyConnection, query: FileQuery) -> list[LoadedFile]:
    """Loaded files to offer when the query names none: those whose last name part is most like
    the query's (Jaro-Winkler), at most MAX_CANDIDATES."""
    last_part = query.name.rsplit("/", 1)[-1].lower()
    condition, parameters = ("source = ?", [query.source]) if query.source else ("true", [])
    likeness = "jaro_winkler_similarity(lower(regexp_extract(file_name, '[^/]*$')), ?)"
    order = f"{likeness} desc, loaded_at desc, file_name limit {MAX_CANDIDATES}"
    return _loaded_files(con, condition, [*parameters, last_part], order)


def earlier_withdrawals(con: duckdb.DuckDBPyConnection, query: FileQuery) -> list[str]:
    """`<file name> (<source>): withdrawn on ... by ...: <reason>` for each withdrawn file the
    query names."""
    if not table_exists(con, WITHDRAWN_FILES_TABLE):
        return []
    condition, parameters = query.condition()
    rows = con.execute(
        f"""
        select file_name, source, withdrawn_at, withdrawn_by, reason from {WITHDRAWN_FILES_TABLE}
        where {condition} order by withdrawn_at
        """,
        parameters,
    ).fetchall()
    return [
        f"{name} ({source}): {withdrawal_note(at, by, reason)}"
        for name, source, at, by, reason in rows
    ]


def may_have_been_staged(con: duckdb.DuckDBPyConnection, loaded_at: datetime) -> bool:
    """Whether a dbt build may have read the loads stamped `loaded_at`: a staging table holds a
    record of a load stamped as late. (An incremental staging model reads the loads stamped after
    the newest it holds, so a load stamped later than every staging row was never read; taking
    every staging table, not only those of the file's source, can only answer yes too often.)"""
    tables = con.execute(
        """
        select columns.table_name
        from information_schema.columns as columns
        inner join information_schema.tables as tables
            on tables.table_catalog = columns.table_catalog
            and tables.table_schema = columns.table_schema
            and tables.table_name = columns.table_name
        where columns.table_catalog = current_database()
            and columns.table_schema = ?
            and columns.column_name = ?
            and tables.table_type = 'BASE TABLE'
        """,
        [STAGING_SCHEMA, STAGED_LOAD_COLUMN],
    ).fetchall()
    return any(
        con.execute(
            f'select count(*) from {STAGING_SCHEMA}."{table}" where {STAGED_LOAD_COLUMN} >= ?',
            [loaded_at],
        ).fetchone()[0]
        for (table,) in tables
    )


def withdraw_file(
    con: duckdb.DuckDBPyConnection,
    file: LoadedFile,
    reason: str,
    withdrawn_by: str,
    withdrawn_at: datetime,
) -> Withdrawal:
    """Remove the file's rows, quarantined records and bookkeeping, and log it, in one
    transaction (see the module docstring)."""
    raw_table = load_source_specs()[file.source].raw_table
    ensure_withdrawn_files_table(con)
    staged = may_have_been_staged(con, file.loaded_at)
    has_validations = table_exists(con, VALIDATED_FILES_TABLE)
    of_file = "where source = ? and file_hash = ?"
    key = [file.source, file.file_hash]
    con.execute("begin transaction")
    try:
        rows = con.execute(f"delete from {raw_table} where _file_hash = ?", [file.file_hash])
        rows_removed = int(rows.fetchone()[0])
        quarantined = con.execute(f"delete from {QUARANTINE_TABLE} {of_file}", key)
        quarantined_removed = int(quarantined.fetchone()[0])
        con.execute(f"delete from {LOADED_FILES_TABLE} {of_file}", key)
        if has_validations:
            con.execute(f"delete from {VALIDATED_FILES_TABLE} {of_file}", key)
        withdrawal = Withdrawal(
            file=file,
            rows_removed=rows_removed,
            quarantined_removed=quarantined_removed,
            staged_rows_removed=rows_removed if staged else 0,
            reason=reason,
            withdrawn_by=withdrawn_by,
            withdrawn_at=withdrawn_at,
        )
        con.execute(
            f"insert into {WITHDRAWN_FILES_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                file.source,
                file.file_name,
                file.file_hash,
                file.loaded_at,
                withdrawal.rows_removed,
                withdrawal.quarantined_removed,
                withdrawal.staged_rows_removed,
                reason,
                withdrawn_by,
                withdrawn_at,
            ],
        )
    except Exception:
        con.execute("rollback")
        raise
    con.execute("commit")
    return withdrawal
