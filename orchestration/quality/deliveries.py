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

from orchestration.quality.suites import SuiteDefinition

VALIDATED_FILES_TABLE = "raw.validated_files"
FILE_HASH_COLUMN = "_file_hash"


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


def pending_suite(suite: SuiteDefinition, fingerprint: str) -> SuiteDefinition:
    """The suite, restricted to the rows of files it has not validated yet."""
    query = (
        f"select * from ({_base_relation(suite)}) as delivered\n"
        f"where {_not_validated(suite, fingerprint)}"
    )
    return replace(suite, query=query)


def has_file_hashes(con: duckdb.DuckDBPyConnection, suite: SuiteDefinition) -> bool:
    try:
        columns = con.execute(f"describe {_base_relation(suite)}").fetchall()
    except duckdb.Error:
        return False  # the runner reports the unreadable table
    return any(row[0] == FILE_HASH_COLUMN for row in columns)


def pending_counts(
    con: duckdb.DuckDBPyConnection, suite: SuiteDefinition, fingerprint: str
) -> tuple[int, int, int]:
    """(rows in the table, rows of files not validated yet, files not validated yet)."""
    total, pending_rows, pending_files = con.execute(
        f"""
        select
            count(*),
            count(*) filter (where {_not_validated(suite, fingerprint)}),
            count(distinct {FILE_HASH_COLUMN}) filter (where {_not_validated(suite, fingerprint)})
        from ({_base_relation(suite)}) as delivered
        """
    ).fetchone()
    return int(total), int(pending_rows), int(pending_files)


def record_validated(
    con: duckdb.DuckDBPyConnection, suite: SuiteDefinition, fingerprint: str
) -> int:
    """Record every not-yet-validated file of the table as validated; returns how many."""
    before = con.execute(f"select count(*) from {VALIDATED_FILES_TABLE}").fetchone()[0]
    con.execute(
        f"""
        insert into {VALIDATED_FILES_TABLE}
        select distinct ?, {FILE_HASH_COLUMN}, ?, now()::timestamp
        from ({_base_relation(suite)}) as delivered
        where {_not_validated(suite, fingerprint)} and {FILE_HASH_COLUMN} is not null
        """,
        [suite.source, fingerprint],
    )
    return con.execute(f"select count(*) from {VALIDATED_FILES_TABLE}").fetchone()[0] - before
