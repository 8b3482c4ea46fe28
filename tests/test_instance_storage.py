"""The Dagster instance of dagster.yaml stores runs' events with one engine per shard."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from orchestration import instance_storage
from orchestration.instance_storage import SiyuSqliteEventLogStorage

REPO_DAGSTER_YAML = Path(__file__).resolve().parents[1] / "dagster.yaml"


@dg.asset
def campaign_spend() -> int:
    return 42


@dg.asset_check(asset=campaign_spend)
def spend_is_positive() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    shutil.copy(REPO_DAGSTER_YAML, tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    return tmp_path


def test_runs_are_stored_and_read_back_with_few_engines(home, monkeypatch):
    created = []
    real_create_engine = instance_storage.create_engine

    def counting_create_engine(*args, **kwargs):
        created.append(args[0])
        return real_create_engine(*args, **kwargs)

    monkeypatch.setattr(instance_storage, "create_engine", counting_create_engine)
    definitions = dg.Definitions(assets=[campaign_spend], asset_checks=[spend_is_positive])
    job = definitions.resolve_implicit_global_asset_job_def()
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, SiyuSqliteEventLogStorage)
        for _ in range(3):
            assert job.execute_in_process(instance=instance).success
        runs = instance.get_runs()
        events = instance.all_logs(runs[0].run_id)
        assert len(runs) == 3
        assert len(events) > 10
        assert instance.get_latest_materialization_event(dg.AssetKey("campaign_spend"))
        check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(dg.AssetKey("campaign_spend"), "spend_is_positive")]
        )
        assert len(check) == 1
    # one engine for the index and one a run, not one (or three) an event
    assert len(created) <= 4, created
    assert (home / "history" / "runs" / f"{runs[0].run_id}.db").exists()


def test_engines_beyond_the_kept_number_are_disposed(home):
    storage = SiyuSqliteEventLogStorage()
    for index in range(instance_storage.KEPT_ENGINES + 3):
        with storage._connect(f"run-{index}"):
            pass
    assert len(storage._engines) == instance_storage.KEPT_ENGINES
    assert "run-0" not in storage._engines
    storage.dispose()
    assert not storage._engines
