"""When the dbt build rebuilds the incremental staging models in full (dbt/incremental.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import duckdb
import pytest

from siyu.dbt.build_policy import BuildInputs, BuildRequest, plan_build, record_build_plan
from siyu.dbt.incremental import (
    NO_BASIS_REASON,
    erased_raw_rows,
    full_refresh_reason,
    incremental_basis,
    record_basis,
)
from siyu.erasure.requests import ensure_erasure_tables, erase_source
from siyu.ingestion.raw_tables import ensure_raw_tables
from siyu.ingestion.specs import load_source_specs
from siyu.settings import SiyuSettings
from tests.conftest import TEST_HASH_KEY

BASIS = incremental_basis("project-v1", "key-fingerprint")


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as connection:
        yield connection


def _log_erasure(con: duckdb.DuckDBPyConnection, rows: int, earlier: int | None = None) -> None:
    """An erasure of `rows` rows, `earlier` of them loaded before the erasing step (all)."""
    ensure_erasure_tables(con)
    con.execute(
        "insert into raw.deletion_log "
        "(source, rows_erased, identifiers, erased_at, earlier_rows_erased) "
        "values ('pos_members', ?, 1, now(), ?)",
        [rows, rows if earlier is None else earlier],
    )


def test_a_warehouse_with_no_recorded_build_is_refreshed_in_full(con):
    assert full_refresh_reason(con, BASIS, asked=False) is not None


def test_the_same_basis_and_no_erasure_builds_incrementally(con):
    record_basis(con, BASIS)
    assert full_refresh_reason(con, BASIS, asked=False) is None


def test_a_change_to_the_project_hash_key_or_engine_is_refreshed_in_full(con):
    record_basis(con, BASIS)
    assert incremental_basis("project-v2", "key-fingerprint") != BASIS
    assert incremental_basis("project-v1", "other-key-fingerprint") != BASIS
    reason = full_refresh_reason(
        con, incremental_basis("project-v2", "key-fingerprint"), asked=False
    )
    assert reason is not None and "changed" in reason


def test_raw_rows_erased_since_the_last_build_are_refreshed_in_full(con):
    _log_erasure(con, 3)
    record_basis(con, BASIS)  # erasures before the build are in what it read
    assert full_refresh_reason(con, BASIS, asked=False) is None
    _log_erasure(con, 2)
    assert erased_raw_rows(con) == 5
    reason = full_refresh_reason(con, BASIS, asked=False)
    assert reason is not None and "erased" in reason


def test_rows_erased_by_the_step_that_loaded_them_need_no_full_refresh(con):
    """A daily snapshot export delivers an erased person again every day; ingestion erases the
    record before any build stages it, so staging stays incremental."""
    record_basis(con, BASIS)
    _log_erasure(con, 4, earlier=0)
    assert full_refresh_reason(con, BASIS, asked=False) is None
    _log_erasure(con, 4, earlier=1)
    assert full_refresh_reason(con, BASIS, asked=False) is not None


def test_log_entries_from_before_the_split_count_every_erased_row(con):
    con.execute("create schema raw")
    con.execute(
        "create table raw.deletion_log "
        "(source varchar, rows_erased bigint, identifiers bigint, erased_at timestamp)"
    )
    con.execute("insert into raw.deletion_log values ('pos_members', 3, 1, now())")
    assert erased_raw_rows(con) == 3
    ensure_erasure_tables(con)  # adds the column; the old entry keeps counting all its rows
    _log_erasure(con, 2, earlier=0)
    assert erased_raw_rows(con) == 3


def test_erase_source_tells_rows_of_earlier_loads_from_the_files_just_loaded(con):
    spec = load_source_specs()["pos_members"]
    ensure_raw_tables(con, spec)
    ensure_erasure_tables(con)
    con.execute(
        "insert into raw.erasure_identifiers values ('member_id', ?, 'req.csv', now())",
        [TEST_HASH_KEY.hexdigest("M1")],
    )
    columns = ", ".join(f'"{name}"' for name in spec.columns)
    for member, file_hash, row in [("M1", "old", 1), ("M1", "new", 1), ("M2", "new", 2)]:
        con.execute(
            f"insert into {spec.raw_table} ({columns}, _file_name, _file_hash, _row_number, "
            "_loaded_at) select * from (select ?, "
            + ", ".join("null" for _ in range(len(spec.columns) - 1))
            + ", ?, ?, ?, now())",
            [member, f"{file_hash}.csv", file_hash, row],
        )
    erased = erase_source(con, spec, TEST_HASH_KEY, datetime.now(), loaded_now=["new"])
    assert erased == 2
    assert con.execute(
        "select rows_erased, earlier_rows_erased from raw.deletion_log"
    ).fetchall() == [(2, 1)]
    assert con.execute(f"select member_id from {spec.raw_table}").fetchall() == [("M2",)]


def test_a_full_refresh_can_be_asked_for(con):
    record_basis(con, BASIS)
    assert full_refresh_reason(con, BASIS, asked=True) is not None
    assert SiyuSettings.from_env({}).full_refresh is False
    assert SiyuSettings.from_env({"SIYU_FULL_REFRESH": "1"}).full_refresh is True


def test_recording_again_replaces_the_basis(con):
    record_basis(con, BASIS)
    newer = incremental_basis("project-v2", "key-fingerprint")
    record_basis(con, newer)
    assert con.execute("select count(*) from meta.dbt_incremental_basis").fetchone()[0] == 1
    assert full_refresh_reason(con, newer, asked=False) is None


def test_a_build_that_does_not_finish_makes_the_next_one_a_full_refresh(con):
    """The incremental models after staging take in what the models before them changed in the
    same build (int_orders__changes): a build withdraws the basis when it starts, so after one
    that failed or was killed part way the next rebuilds in full; one that succeeded records
    it again."""
    inputs = BuildInputs(
        source_tables=[],
        project_fingerprint="project-v1",
        hash_key_fingerprint="key-fingerprint",
        published_fingerprint=None,
    )
    request = BuildRequest(builds_everything=True)
    record_basis(con, BASIS)
    started = plan_build(con, request, inputs)
    assert started.basis == BASIS and started.full_refresh is None  # this build: incremental
    # ... and it never finished: nothing records its basis
    assert plan_build(con, request, inputs).full_refresh == NO_BASIS_REASON
    record_build_plan(con, started)  # a build that succeeded
    assert plan_build(con, request, inputs).full_refresh is None
