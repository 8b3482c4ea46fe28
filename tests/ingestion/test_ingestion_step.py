"""The ingestion step: every source an asset, loaded side by side by one Dagster step."""

from __future__ import annotations

import threading
from pathlib import Path

import dagster as dg
import duckdb
import pytest

import orchestration.ingestion.assets as ingestion_assets
from orchestration.ingestion.assets import INGESTION_STEP, build_ingestion_assets
from siyu.ingestion.ledger import ledger_path, read_ledger
from tests.landing import write_file
from tests.quality.clean_landing import (
    MP_USERS,
    TENCENT_PAGES,
    TENCENT_ROWS_PER_PAGE,
    write_ads_tencent,
    write_mp_users,
    write_wechatpay_bills,
)
from tests.quality.test_checks import warehouse_resource

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

SOURCES = ["mp_users", "ads_tencent", "wechatpay_bills"]
REFUSED_FILE = "mp_users/z_no_unionid.csv"


def ingest(sources: list[str], landing: Path, root: Path) -> dg.ExecuteInProcessResult:
    """The ingestion step, subset to `sources`; a failed step does not raise."""
    return dg.materialize(
        build_ingestion_assets(),
        selection=dg.AssetSelection.assets(*(dg.AssetKey(["raw", s]) for s in sources)),
        resources={"warehouse": warehouse_resource(landing, root)},
        raise_on_error=False,
    )


def materialized(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    return {
        event.asset_key.path[-1]: event.materialization.metadata
        for event in result.get_asset_materialization_events()
    }


def raw_rows(root: Path, source: str) -> int:
    with duckdb.connect(str(root / "work.duckdb"), read_only=True) as con:
        return con.execute(f"select count(*) from raw.{source}").fetchone()[0]


def step_failure(result: dg.ExecuteInProcessResult) -> str:
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    assert failure.step_key == INGESTION_STEP
    return failure.step_failure_data.user_failure_data.description


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    write_mp_users(folder)
    write_ads_tencent(folder)
    write_wechatpay_bills(folder)
    return folder


def test_a_refused_file_fails_the_step_and_every_other_source_still_loads_once(landing, tmp_path):
    refused = write_file(
        landing / REFUSED_FILE, "openid,phone,register_time\noMP9,,2026-11-01 10:00:00\n"
    )

    first = ingest(SOURCES, landing, tmp_path)

    assert not first.success
    assert REFUSED_FILE in step_failure(first) and "unionid" in step_failure(first)
    loaded = materialized(first)
    assert set(loaded) == {"ads_tencent", "wechatpay_bills"}, "the refused source is not"
    assert loaded["ads_tencent"]["rows_loaded"].value == TENCENT_PAGES * TENCENT_ROWS_PER_PAGE
    assert loaded["ads_tencent"]["load_seconds"].value >= 0
    # the refused source's good file loads; the ledger records it and not the refused one
    assert raw_rows(tmp_path, "mp_users") == MP_USERS
    ledger = read_ledger(ledger_path(tmp_path / "work.duckdb"))
    assert REFUSED_FILE not in ledger and any(name.startswith("mp_users/") for name in ledger)
    rows = {source: raw_rows(tmp_path, source) for source in SOURCES}

    again = ingest(SOURCES, landing, tmp_path)

    assert REFUSED_FILE in step_failure(again), "still refused until it is fixed"
    assert {source: raw_rows(tmp_path, source) for source in SOURCES} == rows, "no double count"
    assert materialized(again)["ads_tencent"]["files_skipped"].value == TENCENT_PAGES

    refused.unlink()
    fixed = ingest(SOURCES, landing, tmp_path)
    assert fixed.success
    assert set(materialized(fixed)) == set(SOURCES)


def test_a_run_of_some_sources_loads_only_those(landing, tmp_path):
    result = ingest(["ads_tencent"], landing, tmp_path)

    assert result.success
    assert set(materialized(result)) == {"ads_tencent"}
    with duckdb.connect(str(tmp_path / "work.duckdb"), read_only=True) as con:
        tables = {row[0] for row in con.execute("show tables from raw").fetchall()}
    assert "ads_tencent" in tables and "mp_users" not in tables


def test_sources_load_two_at_a_time(landing, tmp_path, monkeypatch):
    """Each load waits for a second one to be under way: one after the other, they time out."""
    both_loading = threading.Barrier(2, timeout=20)
    load_source = ingestion_assets.load_source

    def load_beside_another(con, load, warehouse):
        both_loading.wait()
        return load_source(con, load, warehouse)

    monkeypatch.setattr(ingestion_assets, "load_source", load_beside_another)
    result = ingest(["ads_tencent", "wechatpay_bills"], landing, tmp_path)

    assert result.success
    assert set(materialized(result)) == {"ads_tencent", "wechatpay_bills"}


def test_a_source_that_crashes_is_named_and_the_others_load(landing, tmp_path, monkeypatch):
    ingest_files = ingestion_assets.ingest_files

    def crash_on_tencent(con, spec, *args, **kwargs):
        if spec.name == "ads_tencent":
            raise OSError("disk gone")
        return ingest_files(con, spec, *args, **kwargs)

    monkeypatch.setattr(ingestion_assets, "ingest_files", crash_on_tencent)
    result = ingest(SOURCES, landing, tmp_path)

    assert not result.success
    assert "ads_tencent: OSError: disk gone" in step_failure(result)
    assert set(materialized(result)) == {"mp_users", "wechatpay_bills"}
