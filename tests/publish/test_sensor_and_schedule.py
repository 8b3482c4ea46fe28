"""The landing sensor fires for files ingestion has not seen, never for loaded ones."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.resources import WarehouseResource
from orchestration.schedules import build_refresh_schedule
from orchestration.sensors import landing_files_sensor
from siyu.ingestion.landing import landing_files
from siyu.ingestion.ledger import ledger_path, record_files
from siyu.ingestion.loader import ingest_files
from siyu.ingestion.specs import load_source_specs
from siyu.settings import SiyuSettings
from tests.landing import LandingBuilder

MP_FILE = (
    "openid,unionid,phone,register_time,scene,scene_query\noMP1,oUn1,,2026-11-01 10:00:00,1,\n"
)


def evaluate(warehouse: WarehouseResource):
    context = dg.build_sensor_context(resources={"warehouse": warehouse})
    return landing_files_sensor(context)


def ingest_like_the_asset(warehouse: WarehouseResource) -> None:
    spec = load_source_specs()["mp_users"]
    files = landing_files(warehouse.landing, "mp_users")
    with duckdb.connect(warehouse.warehouse_path) as con:
        ingest_files(con, spec, files, datetime(2026, 11, 25), base_dir=warehouse.landing)
    record_files(ledger_path(Path(warehouse.warehouse_path)), warehouse.landing, files)


def test_sensor_fires_on_new_files_only(tmp_path):
    landing = tmp_path / "landing"
    LandingBuilder.empty(landing).add("mp_users", "a.csv", MP_FILE)
    warehouse = WarehouseResource(
        warehouse_path=str(tmp_path / "work" / "w.duckdb"),
        published_path=str(tmp_path / "siyu.duckdb"),
        landing_dir=str(landing),
    )
    (tmp_path / "work").mkdir()

    first = evaluate(warehouse)
    assert isinstance(first, dg.RunRequest)

    ingest_like_the_asset(warehouse)
    assert isinstance(evaluate(warehouse), dg.SkipReason)

    LandingBuilder(landing).add("mp_users", "b.csv", MP_FILE.replace("oMP1", "oMP2"))
    second = evaluate(warehouse)
    assert isinstance(second, dg.RunRequest)
    assert second.run_key != first.run_key


def test_schedule_runs_the_refresh_daily_in_shanghai_time():
    settings = SiyuSettings.from_env({"SIYU_REFRESH_CRON": "30 5 * * *"})
    schedule = build_refresh_schedule(settings)
    assert schedule.cron_schedule == "30 5 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    assert schedule.job_name == "daily_refresh"
