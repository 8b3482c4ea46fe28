"""Load deletion requests, resolve them to a person's identifiers, erase raw rows carrying them.

A request file in `<landing>/deletion_requests/` is a CSV `id_type,id_value`: a customer_id, a
phone_hash, a unionid or any other identity type of customer_identity. Each request is expanded
to every identifier of the customer that holds it (from the last marts.customer_identity), and
those identifiers stay on the erasure list for good: every ingestion erases matching rows from its
raw table after loading, so a later re-delivery of the person's data is erased too. dbt rebuilds
staging, intermediate and marts from raw, so the person leaves every layer on that run; the
published marts lose them at the next publish. What dbt keeps from run to run instead of
rebuilding (the tag history log, the customer id changes: HISTORY_TABLES) loses the erased
customers' rows before dbt runs. Every erasure is logged in raw.deletion_log with identifiers and
row counts only (no personal data).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from pathlib import Path

import duckdb

from orchestration.ingestion.encoding import fingerprint
from orchestration.ingestion.specs import SourceSpec

REQUEST_FOLDER = "deletion_requests"
REQUESTS_TABLE = "raw.deletion_requests"
ERASURE_TABLE = "raw.erasure_identifiers"
LOG_TABLE = "raw.deletion_log"
ERASED_CUSTOMERS_TABLE = "raw.erased_customers"
# tables dbt appends to run after run (incremental models that are never rebuilt from raw), and
# the tag history mart built from one of them, with the columns that hold a customer id: an
# erased customer's rows are deleted from them (on the spark target again after the build, whose
# tables are copied back into DuckDB: Spark's Parquet tables cannot delete rows)
HISTORY_TABLES = {
    "snapshots.int_customer_tags__recorded": ("customer_id",),
    "marts.customer_tag_history": ("customer_id",),
    "marts.identity_customer_id_changes": ("previous_customer_id", "customer_id"),
}
# staging's phone_without_separators and normalise_phone, in DuckDB SQL (tests keep them equal)
PHONE_SEPARATORS = r"[\s\x{3000}\x{feff}\-－—.()（）\[\]'`]"
MOBILE = r"^(?:\+86|0086|86)?(1[3-9][0-9]{9})$"


def ensure_erasure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        f"""
        create table if not exists {REQUESTS_TABLE} (
            file_name varchar, file_hash varchar, row_number bigint,
            id_type varchar, id_value varchar, received_at timestamp
        )
        """
    )
    con.execute(
        f"""
        create table if not exists {ERASURE_TABLE} (
            id_type varchar, id_value varchar, requested_by_file varchar, resolved_at timestamp
        )
        """
    )
    con.execute(
        f"""
        create table if not exists {LOG_TABLE} (
            source varchar, rows_erased bigint, identifiers bigint, erased_at timestamp
        )
        """
    )
    # of rows_erased, those loaded before the erasing step (a build may have staged them); null
    # in entries written before the column existed
    con.execute(f"alter table {LOG_TABLE} add column if not exists earlier_rows_erased bigint")
    con.execute(
        f"""
        create table if not exists {ERASED_CUSTOMERS_TABLE} (
            customer_id varchar, requested_by_file varchar, resolved_at timestamp
        )
        """
    )


def load_requests(con: duckdb.DuckDBPyConnection, landing_dir: Path, received_at: datetime) -> int:
    """Load request files not seen before (by content hash); returns how many requests."""
    ensure_erasure_tables(con)
    folder = landing_dir / REQUEST_FOLDER
    seen = {row[0] for row in con.execute(f"select file_hash from {REQUESTS_TABLE}").fetchall()}
    loaded = 0
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        file_hash = fingerprint(path).file_hash
        if file_hash in seen:
            continue
        rows = con.execute(
            f"""
            insert into {REQUESTS_TABLE}
            select ?, ?, row_number() over (), trim(id_type), trim(id_value), ?
            from read_csv(?, header = true, all_varchar = true,
                          columns = {{'id_type': 'VARCHAR', 'id_value': 'VARCHAR'}})
            where nullif(trim(id_value), '') is not null
            """,
            [str(path.relative_to(landing_dir)), file_hash, received_at, str(path)],
        ).fetchone()[0]
        seen.add(file_hash)
        loaded += rows
    return loaded


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


REQUESTED_CUSTOMERS = f"""
    select distinct identity.customer_id, requested.file_name
    from {REQUESTS_TABLE} as requested
    inner join marts.customer_identity as identity
        on (requested.id_type = 'customer_id' and identity.customer_id = requested.id_value)
        or (identity.id_type = requested.id_type and identity.id_value = requested.id_value)
"""


def resolve_erasure(con: duckdb.DuckDBPyConnection, resolved_at: datetime) -> int:
    """Expand requests to all identifiers of the customers they name (who are recorded in
    raw.erased_customers); returns the size of the identifier list."""
    ensure_erasure_tables(con)
    requested = f"select id_type, id_value, file_name from {REQUESTS_TABLE}"
    expanded = requested
    if _table_exists(con, "marts", "customer_identity"):
        con.execute(
            f"""
            insert into {ERASED_CUSTOMERS_TABLE}
            select customers.customer_id, min(customers.file_name), ?
            from ({REQUESTED_CUSTOMERS}) as customers
            where customers.customer_id not in (
                select customer_id from {ERASED_CUSTOMERS_TABLE}
            )
            group by customers.customer_id
            """,
            [resolved_at],
        )
        expanded = f"""
            select identity.id_type, identity.id_value, erased.requested_by_file as file_name
            from {ERASED_CUSTOMERS_TABLE} as erased
            inner join marts.customer_identity as identity
                on identity.customer_id = erased.customer_id
            union
            select id_type, id_value, file_name from ({requested}) where id_type <> 'customer_id'
        """
    con.execute(
        f"""
        insert into {ERASURE_TABLE}
        select new.id_type, new.id_value, min(new.file_name), ?
        from ({expanded}) as new
        left join {ERASURE_TABLE} as known
            on known.id_type = new.id_type and known.id_value = new.id_value
        where known.id_value is null
        group by new.id_type, new.id_value
        """,
        [resolved_at],
    )
    return con.execute(f"select count(*) from {ERASURE_TABLE}").fetchone()[0]


def erase_history(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Delete the erased customers' rows from the tables dbt keeps from run to run
    (HISTORY_TABLES); returns the rows deleted per table that exists."""
    ensure_erasure_tables(con)
    erased_ids = f"(select customer_id from {ERASED_CUSTOMERS_TABLE})"
    deleted = {}
    for table, columns in HISTORY_TABLES.items():
        if not _table_exists(con, *table.split(".")):
            continue
        condition = " or ".join(f"{column} in {erased_ids}" for column in columns)
        deleted[table] = con.execute(f"delete from {table} where {condition}").fetchone()[0]
    return deleted


def canonical_phone_hash(value_sql: str, hash_salt: str) -> str:
    """SQL: the phone_hash staging gives a phone typed as `value_sql` (null if not a mobile)."""
    separators = PHONE_SEPARATORS.replace("'", "''")
    cleaned = f"nullif(regexp_replace(cast({value_sql} as varchar), '{separators}', '', 'g'), '')"
    mobile = f"nullif(regexp_extract({cleaned}, '{MOBILE}', 1), '')"
    salt = hash_salt.replace("'", "''")
    return f"case when {mobile} is not null then sha256('{salt}' || {mobile}) end"


def _canonical(value_sql: str, id_type: str, hash_salt: str) -> str:
    """SQL: a raw value as the identity layer knows it (unwrapped; phones hashed like staging)."""
    unwrapped = f"""trim(regexp_replace({value_sql}, '^`|^="|"$', '', 'g'))"""
    return canonical_phone_hash(unwrapped, hash_salt) if id_type == "phone_hash" else unwrapped


def _matches(column: str, id_type: str, hash_salt: str) -> str:
    """SQL condition: the raw column (a JSON field, any list element) carries an erased id."""
    erased = f"(select id_value from {ERASURE_TABLE} where id_type = '{id_type}')"
    if column.endswith("[]"):
        listed = f'try_cast("{column[:-2]}" as varchar[])'
        value = _canonical("listed.value", id_type, hash_salt)
        return f"exists (select 1 from unnest({listed}) as listed(value) where {value} in {erased})"
    if "." in column:
        name, path = column.split(".", 1)
        raw_value = 'json_extract_string("' + name + "\", '$." + path + "')"
    else:
        raw_value = '"' + column + '"'
    return f"{_canonical(raw_value, id_type, hash_salt)} in {erased}"


def erase_source(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    hash_salt: str,
    erased_at: datetime,
    loaded_now: Collection[str] = (),
) -> int:
    """Delete the rows of raw.<source> that carry an identifier on the erasure list; returns how
    many. `loaded_now`: the hashes of the files the erasing step has just loaded. The log tells
    apart the erased rows of earlier loads, which a dbt build may have staged already (the
    incremental staging models are then rebuilt: orchestration/dbt/incremental.py), from those
    of files no build has read: an erased person's record delivered again, as a daily snapshot
    export does every day, is erased before anything stages it."""
    ensure_erasure_tables(con)
    identifiers = con.execute(f"select count(*) from {ERASURE_TABLE}").fetchone()[0]
    if not spec.identifiers or not identifiers:
        return 0
    conditions = " or ".join(
        f"({_matches(column, id_type, hash_salt)})"
        for id_type, columns in spec.identifiers.items()
        for column in columns
    )
    erased_files = con.execute(
        f"delete from {spec.raw_table} where {conditions} returning _file_hash"
    ).fetchall()
    erased = len(erased_files)
    if erased:
        just_loaded = set(loaded_now)
        earlier = sum(1 for (file_hash,) in erased_files if file_hash not in just_loaded)
        con.execute(
            f"insert into {LOG_TABLE} "
            "(source, rows_erased, identifiers, erased_at, earlier_rows_erased) "
            "values (?, ?, ?, ?, ?)",
            [spec.name, erased, identifiers, erased_at, earlier],
        )
    return erased
