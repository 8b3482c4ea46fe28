"""When the dbt build rebuilds the incremental staging models in full (dbt/incremental.py)."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from orchestration.dbt.incremental import (
    erased_raw_rows,
    full_refresh_reason,
    incremental_basis,
    record_basis,
)
from orchestration.settings import SiyuSettings

BASIS = incremental_basis("project-v1", "salt-digest")


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as connection:
        yield connection


def _log_erasure(con: duckdb.DuckDBPyConnection, rows: int) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        "create table if not exists raw.deletion_log "
        "(source varchar, rows_erased bigint, identifiers bigint, erased_at timestamp)"
    )
    con.execute("insert into raw.deletion_log values ('pos_members', ?, 1, now())", [rows])


def test_a_warehouse_with_no_recorded_build_is_refreshed_in_full(con):
    assert full_refresh_reason(con, BASIS, asked=False) is not None


def test_the_same_basis_and_no_erasure_builds_incrementally(con):
    record_basis(con, BASIS)
    assert full_refresh_reason(con, BASIS, asked=False) is None


def test_a_change_to_the_project_salt_or_engine_is_refreshed_in_full(con):
    record_basis(con, BASIS)
    assert incremental_basis("project-v2", "salt-digest") != BASIS
    assert incremental_basis("project-v1", "other-salt") != BASIS
    reason = full_refresh_reason(con, incremental_basis("project-v2", "salt-digest"), asked=False)
    assert reason is not None and "changed" in reason


def test_raw_rows_erased_since_the_last_build_are_refreshed_in_full(con):
    _log_erasure(con, 3)
    record_basis(con, BASIS)  # erasures before the build are in what it read
    assert full_refresh_reason(con, BASIS, asked=False) is None
    _log_erasure(con, 2)
    assert erased_raw_rows(con) == 5
    reason = full_refresh_reason(con, BASIS, asked=False)
    assert reason is not None and "erased" in reason


def test_a_full_refresh_can_be_asked_for(con):
    record_basis(con, BASIS)
    assert full_refresh_reason(con, BASIS, asked=True) is not None
    assert SiyuSettings.from_env({}).full_refresh is False
    assert SiyuSettings.from_env({"SIYU_FULL_REFRESH": "1"}).full_refresh is True


def test_recording_again_replaces_the_basis(con):
    record_basis(con, BASIS)
    newer = incremental_basis("project-v2", "salt-digest")
    record_basis(con, newer)
    assert con.execute("select count(*) from meta.dbt_incremental_basis").fetchone()[0] == 1
    assert full_refresh_reason(con, newer, asked=False) is None
