"""A deletion request removes the person from raw, staging and marts, and is logged."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.run import run_daily_refresh
from siyu.erasure.requests import (
    HISTORY_TABLES,
    canonical_phone_hash,
    ensure_erasure_tables,
    erase_history,
    hash_clear_identifiers,
)
from siyu.settings import SiyuSettings
from tests.conftest import TEST_HASH_KEY
from tests.fixtures import identity_landing as scenario
from tests.landing import LandingBuilder

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

TAG_HISTORY_LOG = "snapshots.int_customer_tags__recorded"
# raw table, phone column (as typed), staging model, its phone_hash column, lineage join
PHONE_COLUMNS = [
    ("mp_users", "phone", "stg_wechat_mp__users", "phone_hash"),
    ("pos_members", "phone", "stg_pos__members", "phone_hash"),
    ("sms_sends", "phone_num", "stg_sms__sends", "phone_hash"),
]


@pytest.mark.parametrize(("raw_table", "raw_column", "model", "hash_column"), PHONE_COLUMNS)
def test_erasure_hashes_raw_phones_exactly_like_staging(
    quirk_db, raw_table, raw_column, model, hash_column
):
    TEST_HASH_KEY.bind(quirk_db)
    rows = quirk_db.execute(
        f"""
        select staged.{hash_column}, {canonical_phone_hash(f"raw.{raw_column}")}
        from raw.{raw_table} as raw
        inner join staging.{model} as staged
            on staged.source_file = raw._file_name
            and staged.source_row_number = raw._row_number
        """
    ).fetchall()
    assert rows
    assert all(staged == erasure for staged, erasure in rows), rows


def count(path: Path, sql: str, params: list | None = None) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchone()[0]


@pytest.fixture(scope="module")
def erased(tmp_path_factory):
    root = tmp_path_factory.mktemp("erasure")
    landing = root / "landing"
    scenario.write_day1(landing)
    settings = replace(
        SiyuSettings.from_env({}),
        landing_dir=landing,
        warehouse_path=root / "published.duckdb",
        work_warehouse_path=root / "work" / "work.duckdb",
        parquet_dir=None,
        ground_truth_dir=None,
    )
    instance = dg.DagsterInstance.ephemeral()
    before = run_daily_refresh(settings, instance)
    alice = count(
        settings.work_warehouse_path,
        "select count(*) from marts.customer_identity where customer_id = ("
        "select customer_id from marts.customer_identity where id_value = ?)",
        [scenario.ALICE_UNIONID],
    )
    with duckdb.connect(str(settings.work_warehouse_path), read_only=True) as con:
        alice_id = con.execute(
            "select customer_id from marts.customer_identity where id_value = ?",
            [scenario.ALICE_UNIONID],
        ).fetchone()[0]
        history_before = con.execute(
            f"select count(*) from {TAG_HISTORY_LOG} where customer_id = ?", [alice_id]
        ).fetchone()[0]
    LandingBuilder(landing).add(
        "deletion_requests",
        "request_001.csv",
        f"id_type,id_value\nunionid,{scenario.ALICE_UNIONID}\n",
    )
    after = run_daily_refresh(settings, instance)
    return Erased(settings, before, after, alice, alice_id, history_before)


@dataclass(frozen=True)
class Erased:
    settings: SiyuSettings
    before: object
    after: object
    alice_identifiers: int
    alice_id: str
    alice_history_before: int


def test_the_person_leaves_raw_staging_and_marts(erased):
    settings, before, after = erased.settings, erased.before, erased.after
    alice_identifiers = erased.alice_identifiers
    assert before.success and after.success
    # an erasure changes the raw layer, so the run after it builds (no skip on unchanged inputs)
    assert not after.build_skipped and after.published
    assert alice_identifiers == 5
    work, published = settings.work_warehouse_path, settings.warehouse_path
    for sql, value in [
        ("select count(*) from raw.mp_users where openid = ?", scenario.ALICE_MP),
        ("select count(*) from raw.oa_followers where openid = ?", scenario.ALICE_OA),
        ("select count(*) from raw.pos_members where member_id = ?", "M100"),
        (
            "select count(*) from staging.stg_wechat_mp__users where mp_openid = ?",
            scenario.ALICE_MP,
        ),
        ("select count(*) from staging.stg_pos__members where member_id = ?", "M100"),
        ("select count(*) from marts.customer_identity where id_value = ?", scenario.ALICE_UNIONID),
        ("select count(*) from marts.customer_identity where id_value = ?", "M100"),
    ]:
        assert count(work, sql, [value]) == 0, (sql, value)
    for value in (scenario.ALICE_UNIONID, scenario.ALICE_MP, "M100"):
        assert (
            count(
                published,
                "select count(*) from marts.customer_identity where id_value = ?",
                [value],
            )
            == 0
        )
    assert count(work, "select count(*) from marts.dim_customer") == scenario.DAY1_CUSTOMERS - 1


def test_the_person_leaves_the_history_kept_between_runs(erased):
    """The tag history log is appended to, never rebuilt from raw: the erased customer's rows
    are deleted from it (and so from customer_tag_history), the other customers' rows stay."""
    settings = erased.settings
    assert erased.alice_history_before > 0
    for path in (settings.work_warehouse_path, settings.warehouse_path):
        assert (
            count(
                path,
                "select count(*) from marts.customer_tag_history where customer_id = ?",
                [erased.alice_id],
            )
            == 0
        )
    work = settings.work_warehouse_path
    assert (
        count(
            work, f"select count(*) from {TAG_HISTORY_LOG} where customer_id = ?", [erased.alice_id]
        )
        == 0
    )
    assert count(work, f"select count(*) from {TAG_HISTORY_LOG}") > 0
    assert count(work, "select count(*) from marts.customer_tag_history") > 0
    assert (
        count(
            work,
            "select count(*) from raw.erased_customers where customer_id_hash = ?",
            [TEST_HASH_KEY.hexdigest(erased.alice_id)],
        )
        == 1
    )


def test_other_people_stay_and_the_erasure_is_logged(erased):
    settings = erased.settings
    work = settings.work_warehouse_path
    assert (
        count(work, "select count(*) from raw.mp_users where openid = ?", [scenario.TEST_MP_1]) == 1
    )
    assert count(work, "select count(*) from raw.pos_members where member_id = 'M201'") == 1
    assert count(work, "select count(*) from raw.erasure_identifiers") == 5
    assert count(work, "select sum(rows_erased) from raw.deletion_log") == 3
    assert count(work, "select count(distinct source) from raw.deletion_log") == 3


def test_erase_history_deletes_erased_customers_from_every_history_table():
    """What the spark target runs after copying Spark's tables back: every history table loses
    the erased customers' rows, in any of its customer-id columns, and keeps the others."""
    con = duckdb.connect()
    ensure_erasure_tables(con)
    con.execute(
        "insert into raw.erased_customers values (?, 'request_001.csv', now(), null)",
        [TEST_HASH_KEY.hexdigest("gone")],
    )
    for table, columns in HISTORY_TABLES.items():
        schema = table.split(".")[0]
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"create table {table} ({', '.join(f'{c} varchar' for c in columns)})")
        for index, column in enumerate(columns):
            values = ", ".join("'gone'" if c == column else f"'kept{index}'" for c in columns)
            con.execute(f"insert into {table} values ({values})")
        con.execute(f"insert into {table} values ({', '.join(repr('kept') for _ in columns)})")
    deleted = erase_history(con, TEST_HASH_KEY)
    assert deleted == {table: len(columns) for table, columns in HISTORY_TABLES.items()}
    for table in HISTORY_TABLES:
        assert con.execute(f"select count(*) from {table}").fetchone()[0] == 1, table
    con.execute("drop table marts.customer_tag_history")
    assert "marts.customer_tag_history" not in erase_history(con, TEST_HASH_KEY)  # skipped


def test_bookkeeping_written_in_clear_before_is_upgraded_to_keyed_hashes():
    """A warehouse from before keyed hashes kept the requested identifiers in clear."""
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute(
        "create table raw.deletion_requests as select 'r.csv' as file_name, 'h' as file_hash, "
        "1::bigint as row_number, 'unionid' as id_type, 'oUnALICE' as id_value, "
        "now()::timestamp as received_at"
    )
    con.execute(
        "create table raw.erasure_identifiers as select 'unionid' as id_type, "
        "'oUnALICE' as id_value, 'r.csv' as requested_by_file, now()::timestamp as resolved_at"
    )
    con.execute(
        "create table raw.erased_customers as select 'C0042' as customer_id, "
        "'r.csv' as requested_by_file, now()::timestamp as resolved_at"
    )
    ensure_erasure_tables(con)
    assert hash_clear_identifiers(con, TEST_HASH_KEY) == 3
    assert con.execute("select id_value_hash from raw.deletion_requests").fetchall() == [
        (TEST_HASH_KEY.hexdigest("oUnALICE"),)
    ]
    assert con.execute("select id_value_hash from raw.erasure_identifiers").fetchall() == [
        (TEST_HASH_KEY.hexdigest("oUnALICE"),)
    ]
    assert con.execute("select customer_id_hash from raw.erased_customers").fetchall() == [
        (TEST_HASH_KEY.hexdigest("C0042"),)
    ]
    columns = con.execute(
        "select column_name from information_schema.columns where table_schema = 'raw'"
    ).fetchall()
    assert ("id_value",) not in columns and ("customer_id",) not in columns
    assert hash_clear_identifiers(con, TEST_HASH_KEY) == 0
