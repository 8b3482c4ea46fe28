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

The bookkeeping holds no identifier in clear: requests, the erasure list and the erased customers
keep the keyed hash (HMAC-SHA256 under the deployment's hash key, siyu/hash_key.py) of
each value, and raw rows, identities and history rows are matched by hashing their values the
same way. So after an erasure the warehouse holds nothing that names the person.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime
from pathlib import Path

import duckdb

from siyu.hash_key import HashKey, keyed_hash_sql
from siyu.ingestion.encoding import fingerprint
from siyu.ingestion.raw_tables import QUARANTINE_TABLE
from siyu.ingestion.specs import SourceSpec
from siyu.privacy import dbt_vars
from siyu.tables import table_exists

REQUEST_FOLDER = "deletion_requests"
REQUESTS_TABLE = "raw.deletion_requests"
LOG_TABLE = "raw.deletion_log"
_DBT_VARS = dbt_vars()
# the tables dbt reads too (dbt var siyu_erasure_tables): the erasure list, the erased customers
ERASURE_TABLE = _DBT_VARS["siyu_erasure_tables"]["identifiers"]
ERASED_CUSTOMERS_TABLE = _DBT_VARS["siyu_erasure_tables"]["customers"]
# tables dbt appends to run after run (incremental models that are never rebuilt from raw), and
# the tag history mart built from one of them, with the columns that hold a customer id: an
# erased customer's rows are deleted from them (on the spark target by the dbt hook
# erase_history_of_erased_customers, and again after the build, whose tables are copied back)
HISTORY_TABLES: dict[str, tuple[str, ...]] = {
    table: tuple(columns) for table, columns in _DBT_VARS["siyu_erasure_history_tables"].items()
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
            id_type varchar, id_value_hash varchar, received_at timestamp
        )
        """
    )
    con.execute(
        f"""
        create table if not exists {ERASURE_TABLE} (
            id_type varchar, id_value_hash varchar, requested_by_file varchar,
            resolved_at timestamp
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
            customer_id_hash varchar, requested_by_file varchar, resolved_at timestamp
        )
        """
    )
    # when the erasure reached every copy siyu keeps (siyu/erasure/copies.py); null
    # while older Parquet versions, audience files or freed warehouse blocks may still hold them
    con.execute(
        f"alter table {ERASED_CUSTOMERS_TABLE} add column if not exists completed_at timestamp"
    )


# the clear column each bookkeeping table held before siyu hashed them, and its hashed twin
CLEAR_COLUMNS = {
    REQUESTS_TABLE: ("id_value", "id_value_hash"),
    ERASURE_TABLE: ("id_value", "id_value_hash"),
    ERASED_CUSTOMERS_TABLE: ("customer_id", "customer_id_hash"),
}


def hash_clear_identifiers(con: duckdb.DuckDBPyConnection, key: HashKey) -> int:
    """Upgrade bookkeeping written before it was hashed: each clear column becomes its keyed
    hash (the key must be on `con`). Returns how many tables were upgraded."""
    upgraded = 0
    for table, (clear, hashed) in CLEAR_COLUMNS.items():
        schema, name = table.split(".")
        columns = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ?",
                [schema, name],
            ).fetchall()
        }
        if clear not in columns:
            continue
        key.bind(con)
        con.execute(f"alter table {table} add column if not exists {hashed} varchar")
        con.execute(f"update {table} set {hashed} = {keyed_hash_sql(clear)}")
        con.execute(f"alter table {table} drop column {clear}")
        upgraded += 1
    return upgraded


def load_requests(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, key: HashKey, received_at: datetime
) -> int:
    """Load request files not seen before (by content hash), keeping the keyed hash of each
    identifier; returns how many requests."""
    ensure_erasure_tables(con)
    hash_clear_identifiers(con, key)
    key.bind(con)
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
            select ?, ?, row_number() over (), trim(id_type), {keyed_hash_sql("trim(id_value)")}, ?
            from read_csv(?, header = true, all_varchar = true,
                          columns = {{'id_type': 'VARCHAR', 'id_value': 'VARCHAR'}})
            where nullif(trim(id_value), '') is not null
            """,
            [str(path.relative_to(landing_dir)), file_hash, received_at, str(path)],
        ).fetchone()[0]
        seen.add(file_hash)
        loaded += rows
    return loaded


# every identity with the keyed hashes of its customer id and value (the key is on the connection)
HASHED_IDENTITY = f"""
    select
        customer_id, id_type, id_value,
        {keyed_hash_sql("customer_id")} as customer_id_hash,
        {keyed_hash_sql("id_value")} as id_value_hash
    from marts.customer_identity
"""
REQUESTED_CUSTOMERS = f"""
    select distinct identity.customer_id_hash, requested.file_name
    from {REQUESTS_TABLE} as requested
    inner join ({HASHED_IDENTITY}) as identity
        on (
            requested.id_type = 'customer_id'
            and identity.customer_id_hash = requested.id_value_hash
        )
        or (
            identity.id_type = requested.id_type
            and identity.id_value_hash = requested.id_value_hash
        )
"""


def resolve_erasure(con: duckdb.DuckDBPyConnection, key: HashKey, resolved_at: datetime) -> int:
    """Expand requests to all identifiers of the customers they name (who are recorded in
    raw.erased_customers); returns the size of the identifier list."""
    ensure_erasure_tables(con)
    key.bind(con)
    requested = f"select id_type, id_value_hash, file_name from {REQUESTS_TABLE}"
    expanded = requested
    if table_exists(con, "marts.customer_identity"):
        con.execute(
            f"""
            insert into {ERASED_CUSTOMERS_TABLE}
                (customer_id_hash, requested_by_file, resolved_at)
            select customers.customer_id_hash, min(customers.file_name), ?
            from ({REQUESTED_CUSTOMERS}) as customers
            where customers.customer_id_hash not in (
                select customer_id_hash from {ERASED_CUSTOMERS_TABLE}
            )
            group by customers.customer_id_hash
            """,
            [resolved_at],
        )
        expanded = f"""
            select identity.id_type, identity.id_value_hash,
                erased.requested_by_file as file_name
            from {ERASED_CUSTOMERS_TABLE} as erased
            inner join ({HASHED_IDENTITY}) as identity
                on identity.customer_id_hash = erased.customer_id_hash
            union
            select id_type, id_value_hash, file_name from ({requested})
            where id_type <> 'customer_id'
        """
    con.execute(
        f"""
        insert into {ERASURE_TABLE}
        select new.id_type, new.id_value_hash, min(new.file_name), ?
        from ({expanded}) as new
        left join {ERASURE_TABLE} as known
            on known.id_type = new.id_type and known.id_value_hash = new.id_value_hash
        where known.id_value_hash is null
        group by new.id_type, new.id_value_hash
        """,
        [resolved_at],
    )
    return con.execute(f"select count(*) from {ERASURE_TABLE}").fetchone()[0]


def erase_history(con: duckdb.DuckDBPyConnection, key: HashKey) -> dict[str, int]:
    """Delete the erased customers' rows from the tables dbt keeps from run to run
    (HISTORY_TABLES); returns the rows deleted per table that exists."""
    ensure_erasure_tables(con)
    hash_clear_identifiers(con, key)
    key.bind(con)
    erased_ids = f"(select customer_id_hash from {ERASED_CUSTOMERS_TABLE})"
    deleted = {}
    for table, columns in HISTORY_TABLES.items():
        if not table_exists(con, table):
            continue
        condition = " or ".join(f"{keyed_hash_sql(column)} in {erased_ids}" for column in columns)
        deleted[table] = con.execute(f"delete from {table} where {condition}").fetchone()[0]
    return deleted


def canonical_phone_hash(value_sql: str) -> str:
    """SQL: the phone_hash staging gives a phone typed as `value_sql` (null if not a mobile;
    the hash key must be on the connection: HashKey.bind)."""
    separators = PHONE_SEPARATORS.replace("'", "''")
    cleaned = f"nullif(regexp_replace(cast({value_sql} as varchar), '{separators}', '', 'g'), '')"
    mobile = f"nullif(regexp_extract({cleaned}, '{MOBILE}', 1), '')"
    return keyed_hash_sql(mobile)


def _canonical_hash(value_sql: str, id_type: str) -> str:
    """SQL: the keyed hash of a raw value as the identity layer knows it (unwrapped; phones
    first hashed like staging), as the erasure list keeps it."""
    unwrapped = f"""trim(regexp_replace({value_sql}, '^`|^="|"$', '', 'g'))"""
    value = canonical_phone_hash(unwrapped) if id_type == "phone_hash" else unwrapped
    return keyed_hash_sql(value)


def _erased(id_type: str) -> str:
    """SQL: the keyed hashes of the erased identifiers of a type."""
    return f"(select id_value_hash from {ERASURE_TABLE} where id_type = '{id_type}')"


def _matches(column: str, id_type: str) -> str:
    """SQL condition: the raw column (a JSON field, any list element) carries an erased id."""
    erased = _erased(id_type)
    if column.endswith("[]"):
        listed = f'try_cast("{column[:-2]}" as varchar[])'
        value = _canonical_hash("listed.value", id_type)
        return f"exists (select 1 from unnest({listed}) as listed(value) where {value} in {erased})"
    if "." in column:
        name, path = column.split(".", 1)
        raw_value = 'json_extract_string("' + name + "\", '$." + path + "')"
    else:
        raw_value = '"' + column + '"'
    return f"{_canonical_hash(raw_value, id_type)} in {erased}"


def _query_param(column: str, param: str) -> str:
    """SQL: the URL-decoded value of a parameter of the query string in a raw column, null when
    absent; also found in a whole URL or a query string nested in another, encoded. The DuckDB
    SQL of the dbt macro query_param, so a mention is found wherever staging would find it."""
    name = re.escape(param)
    plain = f"""regexp_extract("{column}", '(?:^|[?&]){name}=([^&#]*)', 1)"""
    nested = f"""regexp_extract(try(url_decode("{column}")), '(?:^|[?&=]){name}=([^&#]*)', 1)"""
    return f"coalesce(nullif(try(url_decode({plain})), ''), nullif({nested}, ''))"


def _without_query_param(column: str, param: str) -> str:
    """SQL: the query string in a raw column without that parameter where it is a plain
    parameter of it (null when nothing is left)."""
    cut = f"""regexp_replace("{column}", '(^|&){re.escape(param)}=[^&]*', '', 'g')"""
    return f"nullif(ltrim({cut}, '&'), '')"


def cut_mentions(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    """Cut the erased people out of the records that mention them (sources.yml `mentions:`,
    such as who shared the link another user came by); the records stay, the other people's.
    A plain parameter is cut out of its query string; where the mention is still found after
    that (inside a whole URL, or a query string nested in another, encoded) the column is
    emptied. The key must be on `con`. No staging model reads a mention, so what staging holds
    does not change."""
    for id_type, columns in spec.mentions.items():
        for mention in columns:
            column, param = mention.split("?", 1)
            mentioned = (
                f"{_canonical_hash(_query_param(column, param), id_type)} in {_erased(id_type)}"
            )
            cut = _without_query_param(column, param)
            con.execute(f'update {spec.raw_table} set "{column}" = {cut} where {mentioned}')
            con.execute(f'update {spec.raw_table} set "{column}" = null where {mentioned}')


# what a raw record's text is cut into to find identifiers in it: runs of the characters ids and
# phones are written with (a phone typed with spaces inside is cut apart and not found)
RECORD_TOKEN_SEPARATORS = r"[^0-9A-Za-z_+\-]+"


def erase_quarantined_records(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> int:
    """Delete the source's quarantined records (raw.quarantine keeps their text) in which a
    token is an identifier on the erasure list (a phone: its phone_hash); returns how many.
    The key must be on `con`."""
    listed = f"(select id_value_hash from {ERASURE_TABLE})"
    tokens = f"regexp_split_to_array(raw_record, '{RECORD_TOKEN_SEPARATORS}')"
    phone_hash = canonical_phone_hash("token.value")
    return con.execute(
        f"""
        delete from {QUARANTINE_TABLE}
        where source = ? and raw_record is not null and exists (
            select 1 from unnest({tokens}) as token(value)
            where token.value <> '' and (
                {keyed_hash_sql("token.value")} in {listed}
                or {keyed_hash_sql(phone_hash)} in {listed}
            )
        )
        """,
        [spec.name],
    ).fetchone()[0]


def erase_source(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    key: HashKey,
    erased_at: datetime,
    loaded_now: Collection[str] = (),
) -> int:
    """Delete the rows of raw.<source> that carry an identifier on the erasure list; returns how
    many. `loaded_now`: the hashes of the files the erasing step has just loaded. The log tells
    apart the erased rows of earlier loads, which a dbt build may have staged already (the
    incremental staging models are then rebuilt: siyu/dbt/incremental.py), from those
    of files no build has read: an erased person's record delivered again, as a daily snapshot
    export does every day, is erased before anything stages it."""
    ensure_erasure_tables(con)
    identifiers = con.execute(f"select count(*) from {ERASURE_TABLE}").fetchone()[0]
    if not (spec.identifiers or spec.mentions) or not identifiers:
        return 0
    key.bind(con)
    conditions = " or ".join(
        f"({_matches(column, id_type)})"
        for id_type, columns in spec.identifiers.items()
        for column in columns
    )
    erased_files = (
        con.execute(
            f"delete from {spec.raw_table} where {conditions} returning _file_hash"
        ).fetchall()
        if conditions
        else []
    )
    erase_quarantined_records(con, spec)  # not logged: quarantined rows never reach staging
    cut_mentions(con, spec)  # not logged: the records stay, and staging reads no mention
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
