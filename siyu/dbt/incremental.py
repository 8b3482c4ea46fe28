"""When the dbt build must rebuild the incremental staging models from the whole raw history.

On DuckDB most staging models are incremental (dbt_project.yml, macro `new_loads_only`): a build
reads only the raw loads newer than those a model already holds and replaces, by the model's
unique key, the records those loads deliver again. That equals a rebuild only while what the
models hold was computed by the same logic, with the same hash key and hashing scheme, from the
same history. So the
build runs with `--full-refresh` when

- no basis is recorded: the first build of a warehouse, or the first since staging became
  incremental, or the first after a build that did not finish: a build withdraws the basis
  before it starts (`withdraw_basis`), because the incremental models after staging take in
  what the models before them changed in the same build (int_orders__changes), so after a build
  that failed or was killed part way some have taken in changes that others never will;
- the basis changed: the dbt project (any file dbt parses, and the environment variables it
  reads), the hash key or the hashing scheme (HashKey.fingerprint: a build before keyed hashes
  recorded another basis, so the first build after upgrading rebuilds staging in full), or the
  engine versions;
- raw rows that a build may have staged were deleted since: an erasure of rows loaded before the
  erasing step (`raw.deletion_log`), which a build that reads only new loads cannot see (rows
  erased in the step that loaded them never reached staging and do not count), or a withdrawn
  file that a build may have read (`raw.withdrawn_files`, siyu/withdraw/);
- it is asked for: `SIYU_FULL_REFRESH=1`, or the run tag `siyu/full_refresh=true`.

The basis (`meta.dbt_incremental_basis`) is recorded after a build of every dbt asset succeeds. A
subset build can rebuild its models in full but records nothing, so the next full build decides
again. Models that keep history on purpose (`full_refresh=false` in their config) are never
rebuilt by `--full-refresh`.
"""

from __future__ import annotations

import contextlib

import duckdb

from siyu.dbt.build_inputs import digest_of, engine_versions
from siyu.withdraw.log import withdrawn_staged_rows

BASIS_TABLE = "meta.dbt_incremental_basis"
DELETION_LOG_TABLE = "raw.deletion_log"
FULL_REFRESH_TAG = "siyu/full_refresh"
# what the dbt step logs when it builds incrementally
INCREMENTAL_BUILD_NOTE = "incremental models read only the raw loads they have not read"
# ... and when it rebuilds them in full (followed by the reason)
FULL_REFRESH_NOTE = "incremental models rebuilt from the whole raw history"
NO_BASIS_REASON = "no incremental build is recorded in this warehouse"
CHANGED_BASIS_REASON = "the dbt project, the hash key or the engine changed since the last build"
DELETED_ROWS_REASON = "raw rows were erased or withdrawn since the last build"


def incremental_basis(parse_fingerprint: str, hash_key_fingerprint: str) -> str:
    """What the incremental staging models' rows depend on besides the raw history."""
    return digest_of([parse_fingerprint, hash_key_fingerprint, *engine_versions()])


def erased_raw_rows(con: duckdb.DuckDBPyConnection) -> int:
    """How many raw rows that a build may have staged erasures have deleted so far: rows of
    loads before the erasing step (raw.deletion_log; every erased row in entries that predate
    that count; 0 before any erasure)."""
    try:
        columns = {row[0] for row in con.execute(f"describe {DELETION_LOG_TABLE}").fetchall()}
    except duckdb.CatalogException:
        return 0
    erased = (
        "coalesce(earlier_rows_erased, rows_erased)"
        if "earlier_rows_erased" in columns
        else "rows_erased"
    )
    row = con.execute(f"select coalesce(sum({erased}), 0) from {DELETION_LOG_TABLE}")
    return int(row.fetchone()[0])


def deleted_raw_rows(con: duckdb.DuckDBPyConnection) -> int:
    """How many raw rows that a build may have staged were deleted so far: erased
    (erased_raw_rows) or withdrawn with their file (raw.withdrawn_files)."""
    return erased_raw_rows(con) + withdrawn_staged_rows(con)


def recorded_basis(con: duckdb.DuckDBPyConnection) -> tuple[str, int] | None:
    """(basis, deleted raw rows) recorded by the last build of every dbt asset, if any. (The
    column is named erased_raw_rows: it counted erasures only before withdrawals existed.)"""
    try:
        row = con.execute(f"select basis, erased_raw_rows from {BASIS_TABLE}").fetchone()
    except duckdb.CatalogException:
        return None
    return (row[0], int(row[1])) if row else None


def full_refresh_reason(con: duckdb.DuckDBPyConnection, basis: str, asked: bool) -> str | None:
    """Why this build must rebuild the incremental models in full; None: an incremental build
    gives the same tables."""
    if asked:
        return "a full refresh was asked for"
    recorded = recorded_basis(con)
    if recorded is None:
        return NO_BASIS_REASON
    if recorded[0] != basis:
        return CHANGED_BASIS_REASON
    if recorded[1] != deleted_raw_rows(con):
        return DELETED_ROWS_REASON
    return None


def withdraw_basis(con: duckdb.DuckDBPyConnection) -> None:
    """Before a build starts: until it succeeds, no basis is recorded."""
    with contextlib.suppress(duckdb.CatalogException):  # nothing recorded yet
        con.execute(f"delete from {BASIS_TABLE}")


def record_basis(con: duckdb.DuckDBPyConnection, basis: str) -> None:
    """After a build of every dbt asset: the incremental models now hold `basis`' rows of the
    whole raw history as it stands."""
    deleted = deleted_raw_rows(con)
    con.execute("create schema if not exists meta")
    con.execute(
        f"create table if not exists {BASIS_TABLE} "
        "(basis varchar not null, erased_raw_rows bigint not null, built_at_utc timestamp not null)"
    )
    con.execute("begin")
    con.execute(f"delete from {BASIS_TABLE}")
    con.execute(f"insert into {BASIS_TABLE} values (?, ?, now()::timestamp)", [basis, deleted])
    con.execute("commit")
