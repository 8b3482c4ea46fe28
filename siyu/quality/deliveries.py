"""Each delivered file is validated once: the raw suites check the rows of files not yet validated.

A raw table keeps every delivery, so checking all of it on every run costs more each day (and at
scale, fetching tens of millions of rows into pandas costs memory). `raw.validated_files` records
which files passed which version of a suite; a run validates only the rows of the other files.

- A file whose rows fail a `critical` expectation is not recorded, so it is checked again (and
  blocks again) on every run until it is fixed or removed.
- Changing a suite file, or a dbt var its SQL uses, changes its fingerprint: every file is
  validated again under the new version.
- An empty table is validated as it is, so "the source delivered nothing" still warns.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import duckdb

from siyu.quality.suites import SuiteDefinition

VALIDATED_FILES_TABLE = "raw.validated_files"
FILE_HASH_COLUMN = "_file_hash"
# rows fetched into one pandas frame at most (whole files; a bigger file is a batch of its own):
# bounds the memory of a first load of a big table (about 0.6 GB per million rows fetched)
MAX_BATCH_ROWS = 1_000_000


def suite_fingerprint(suite: SuiteDefinition) -> str:
    """What the suite checks, as rendered (so a changed dbt var it reads counts as a change)."""
    document = {
        "table": suite.table,
        "query": suite.query,
        "expectations": suite.expectations,
        "derived_columns": suite.derived_columns,
    }
    return hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()


def ensure_validated_files(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        f"""
        create table if not exists {VALIDATED_FILES_TABLE} (
            source varchar not null,
            file_hash varchar not null,
            suite_fingerprint varchar not null,
            validated_at timestamp not null,
            primary key (source, file_hash, suite_fingerprint)
        )
        """
    )


def _base_relation(suite: SuiteDefinition) -> str:
    return suite.query or f"select * from {suite.table}"


def _not_validated(suite: SuiteDefinition, fingerprint: str) -> str:
    fingerprint_literal = "'" + fingerprint + "'"
    source_literal = "'" + suite.source.replace("'", "''") + "'"
    return (
        f"{FILE_HASH_COLUMN} not in (select file_hash from {VALIDATED_FILES_TABLE} "
        f"where source = {source_literal} and suite_fingerprint = {fingerprint_literal})"
    )


def pending_files(
    con: duckdb.DuckDBPyConnection, suite: SuiteDefinition, fingerprint: str
) -> list[tuple[str, int]]:
    """(file hash, rows) of every file this version of the suite has not validated yet, in
    delivery order (by file name)."""
    rows = con.execute(
        f"""
        select {FILE_HASH_COLUMN}, count(*) as file_rows, min(_file_name) as file_name
        from ({_base_relation(suite)}) as delivered
        where {_not_validated(suite, fingerprint)}
        group by {FILE_HASH_COLUMN}
        order by file_name, {FILE_HASH_COLUMN}
        """
    ).fetchall()
    return [(file_hash, int(file_rows)) for file_hash, file_rows, _ in rows]


def file_batches(files: list[tuple[str, int]], max_rows: int | None = None) -> list[list[str]]:
    """The files grouped into batches of at most `max_rows` rows (a file is never split)."""
    max_rows = MAX_BATCH_ROWS if max_rows is None else max_rows
    batches: list[list[str]] = []
    batch_rows = 0
    for file_hash, file_rows in files:
        if not batches or batch_rows + file_rows > max_rows:
            batches.append([])
            batch_rows = 0
        batches[-1].append(file_hash)
        batch_rows += file_rows
    return batches


def batch_suite(suite: SuiteDefinition, file_hashes: list[str]) -> SuiteDefinition:
    """The suite, restricted to the rows of the given files."""
    listed = ", ".join("'" + file_hash.replace("'", "''") + "'" for file_hash in file_hashes)
    query = (
        f"select * from ({_base_relation(suite)}) as delivered\n"
        f"where {FILE_HASH_COLUMN} in ({listed})"
    )
    return replace(suite, query=query)


def has_file_hashes(con: duckdb.DuckDBPyConnection, suite: SuiteDefinition) -> bool:
    try:
        columns = con.execute(f"describe {_base_relation(suite)}").fetchall()
    except duckdb.Error:
        return False  # the runner reports the unreadable table
    return any(row[0] == FILE_HASH_COLUMN for row in columns)


def table_rows(con: duckdb.DuckDBPyConnection, suite: SuiteDefinition) -> int:
    return int(
        con.execute(f"select count(*) from ({_base_relation(suite)}) as delivered").fetchone()[0]
    )


def record_validated(
    con: duckdb.DuckDBPyConnection,
    suite: SuiteDefinition,
    fingerprint: str,
    file_hashes: list[str],
) -> int:
    """Record the files as validated by this version of the suite; returns how many."""
    # one statement for the whole list: executemany runs one insert per file (4 s for the
    # 1,689 files of a scale-1 first load)
    con.execute(
        f"""
        insert or ignore into {VALIDATED_FILES_TABLE}
        select ?, file_hash, ?, now()::timestamp from unnest(?::varchar[]) as files(file_hash)
        """,
        [suite.source, fingerprint, list(file_hashes)],
    )
    return len(file_hashes)
