"""The log of withdrawn files (`raw.withdrawn_files`), and what it tells the rest of siyu.

Ingestion reads it to skip a withdrawn file's bytes with a note (`withdrawn_notes`); the dbt step
counts the withdrawn rows that a build may have staged (`withdrawn_staged_rows`): an incremental
build, which reads only new loads, cannot see a deletion, so such a withdrawal makes the next build
a full refresh, as an erasure does. The log holds file names, hashes, row counts, the reason and
who withdrew: no record of the file.

This module reads the log only; the withdrawal itself is siyu/withdraw/withdrawals.py.
"""

from __future__ import annotations

import shlex
from datetime import datetime

import duckdb

from siyu.tables import table_exists

WITHDRAWN_FILES_TABLE = "raw.withdrawn_files"
# the command that withdraws a loaded file (siyu/withdraw/__main__.py)
WITHDRAW_COMMAND = "python -m siyu.withdraw"
# how many hex digits of a file hash name a file in messages and commands
HASH_PREFIX_LENGTH = 12


def ensure_withdrawn_files_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        f"""
        create table if not exists {WITHDRAWN_FILES_TABLE} (
            source varchar not null,
            file_name varchar not null,
            file_hash varchar not null,
            loaded_at timestamp not null,
            rows_removed bigint not null,
            quarantined_removed bigint not null,
            staged_rows_removed bigint not null,
            reason varchar not null,
            withdrawn_by varchar not null,
            withdrawn_at timestamp not null
        )
        """
    )


def withdrawal_note(withdrawn_at: datetime, withdrawn_by: str, reason: str) -> str:
    """What ingestion says of a withdrawn file it meets again."""
    return f"withdrawn on {withdrawn_at:%Y-%m-%d %H:%M} UTC by {withdrawn_by}: {reason}"


def withdrawn_notes(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
    """file hash -> withdrawal note, for every file of `source` withdrawn so far (the latest
    withdrawal of a hash when there were several)."""
    if not table_exists(con, WITHDRAWN_FILES_TABLE):
        return {}
    rows = con.execute(
        f"""
        select file_hash, max(withdrawn_at), arg_max(withdrawn_by, withdrawn_at),
            arg_max(reason, withdrawn_at)
        from {WITHDRAWN_FILES_TABLE}
        where source = ?
        group by file_hash
        """,
        [source],
    ).fetchall()
    return {file_hash: withdrawal_note(at, by, reason) for file_hash, at, by, reason in rows}


def withdrawn_staged_rows(con: duckdb.DuckDBPyConnection) -> int:
    """How many raw rows that a build may have staged withdrawals have removed so far."""
    if not table_exists(con, WITHDRAWN_FILES_TABLE):
        return 0
    row = con.execute(f"select coalesce(sum(staged_rows_removed), 0) from {WITHDRAWN_FILES_TABLE}")
    return int(row.fetchone()[0])


def withdraw_command(file_hash: str, reason: str) -> str:
    """The shell command that withdraws the loaded file with this hash."""
    return f"{WITHDRAW_COMMAND} {file_hash[:HASH_PREFIX_LENGTH]} --reason {shlex.quote(reason)}"
