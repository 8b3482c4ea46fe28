"""When the dbt build may be skipped: the digest of what it reads, and the decision."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from siyu.dbt.build_inputs import (
    clear_recorded_build,
    code_fingerprint,
    decide_build,
    inputs_fingerprint,
    record_build,
    recorded_build,
    table_fingerprint,
)
from siyu.publish.publisher import PUBLISH_LOG_TABLE, publish_marts
from siyu.publish.record import current_publish
from siyu.settings import SiyuSettings

ORDERS = [(1, "2026-11-01", 99.5, "a"), (2, "2026-11-02", 10.0, None), (3, "2026-11-03", 0.0, "c")]
SOURCES = ["raw.orders", "raw.followers"]


def make_raw(con: duckdb.DuckDBPyConnection, rows=ORDERS) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        "create or replace table raw.orders (id int, day date, amount double, note varchar)"
    )
    con.executemany("insert into raw.orders values (?, ?, ?, ?)", rows)
    con.execute("create or replace table raw.followers as select 'openid-1' as openid")


def fingerprint(con, project: str = "project-v1", salt: str = "salt-1") -> str:
    return inputs_fingerprint(con, SOURCES, project, {"hash_key": salt})


@pytest.fixture
def con():
    with duckdb.connect(":memory:") as connection:
        make_raw(connection)
        yield connection


def test_the_same_rows_in_another_order_give_the_same_digest(con):
    before = fingerprint(con)
    make_raw(con, list(reversed(ORDERS)))
    assert fingerprint(con) == before


@pytest.mark.parametrize(
    "change",
    [
        "update raw.orders set amount = 99.6 where id = 1",
        "update raw.orders set note = 'b' where id = 2",  # null -> value
        "delete from raw.orders where id = 3",
        "insert into raw.orders values (4, '2026-11-04', 1.0, 'd')",
        "insert into raw.followers values ('openid-2')",
        "drop table raw.followers",
        # not a source, but the raw layer's erasure list: an erasure must be published
        "create table raw.erasure_identifiers as select 'unionid' as id_type, 'u1' as id_value",
    ],
)
def test_any_change_to_a_source_table_changes_the_digest(con, change):
    before = fingerprint(con)
    con.execute(change)
    assert fingerprint(con) != before


def test_the_project_and_the_settings_are_part_of_the_digest(con):
    base = fingerprint(con)
    assert fingerprint(con, project="project-v2") != base
    assert fingerprint(con, salt="salt-2") != base
    assert fingerprint(con) == base


def test_siyu_code_and_suites_count_but_not_compiled_bytecode(tmp_path):
    code, suites = tmp_path / "orchestration", tmp_path / "expectations"
    (code / "__pycache__").mkdir(parents=True)
    suites.mkdir()
    (code / "audit.yml").write_text("rules: []\n")
    (suites / "dim_customer.json").write_text("{}")
    base = code_fingerprint([code, suites])
    (code / "__pycache__" / "audit.cpython-311.pyc").write_bytes(b"\x00")
    assert code_fingerprint([code, suites]) == base
    (suites / "dim_customer.json").write_text('{"expectations": []}')
    assert code_fingerprint([code, suites]) != base


def test_a_missing_table_is_named_not_an_error(con):
    assert table_fingerprint(con, "raw.nowhere") == "raw.nowhere: missing"
    assert table_fingerprint(con, "raw.orders").startswith("raw.orders: 3 ")


def test_the_recorded_build_is_cleared_before_a_build_and_replaced_after_one(con):
    assert recorded_build(con) is None  # a warehouse no build has recorded in
    record_build(con, "digest-1")
    record_build(con, "digest-2")
    assert recorded_build(con) == "digest-2"
    assert con.execute("select count(*) from meta.dbt_build_inputs").fetchone()[0] == 1
    clear_recorded_build(con)
    assert recorded_build(con) is None


@pytest.mark.parametrize(
    ("built", "published", "builds_everything", "forced", "reason"),
    [
        ("now", "now", True, True, "forced"),
        ("now", "now", False, False, "subset"),
        (None, "now", True, False, "working warehouse"),
        ("before", "now", True, False, "working warehouse"),
        ("now", None, True, False, "published"),
        ("now", "before", True, False, "published"),
    ],
)
def test_the_build_runs_unless_everything_already_stands_on_these_inputs(
    built, published, builds_everything, forced, reason
):
    decision = decide_build("now", built, published, builds_everything, forced)
    assert decision.build
    assert reason in decision.reason


def test_the_build_is_skipped_only_when_both_warehouses_hold_these_inputs():
    decision = decide_build("now", "now", "now", builds_everything=True, forced=False)
    assert not decision.build
    assert "nothing the build reads changed" in decision.reason


def test_force_build_is_read_from_the_environment():
    assert SiyuSettings.from_env({}).force_build is False
    assert SiyuSettings.from_env({"SIYU_FORCE_BUILD": "0"}).force_build is False
    assert SiyuSettings.from_env({"SIYU_FORCE_BUILD": "1"}).force_build is True
    # the same switch reading turns a path setting off
    assert SiyuSettings.from_env({"SIYU_PARQUET_DIR": "off"}).parquet_dir is None
    assert SiyuSettings.from_env({"SIYU_PARQUET_DIR": "/tmp/p"}).parquet_dir == Path("/tmp/p")


def make_work(path: Path, recorded: str | None) -> None:
    with duckdb.connect(str(path)) as work:
        work.execute("create schema marts")
        work.execute("create table marts.dim_customer as select 'c1' as customer_id")
        if recorded:
            record_build(work, recorded)


def published_inputs(work: Path, published: Path) -> str | None:
    record = current_publish(work, published)
    return record.inputs_fingerprint if record else None


def test_the_published_version_carries_the_inputs_its_marts_were_built_from(tmp_path):
    work, published = tmp_path / "work.duckdb", tmp_path / "siyu.duckdb"
    assert published_inputs(work, published) is None  # nothing published yet
    make_work(work, recorded="digest-1")
    publish_marts(work, published)
    assert published_inputs(work, published) == "digest-1"
    with duckdb.connect(str(published), read_only=True) as con:  # BI tools read it there
        assert con.execute(f"select inputs_fingerprint from {PUBLISH_LOG_TABLE}").fetchone() == (
            "digest-1",
        )
    work.unlink()
    make_work(work, recorded=None)  # e.g. built before siyu recorded inputs
    publish_marts(work, published)
    assert published_inputs(work, published) is None
