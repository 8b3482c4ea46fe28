"""The Dagster instance of dagster.yaml stores runs' events with one engine and one kept
connection per shard, and run files that a live watcher sees change shortly after each write."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME

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
    # two engines a shard (the index, each run): its set-up and its kept connection; not one (or
    # three) an event
    assert len(created) <= 2 * (1 + len(runs)), created
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


def test_a_run_file_holds_its_events_after_each_write_and_the_index_is_readable(home):
    """A webserver following a run is told by a change of `<run_id>.db`: when the run ends, every
    write has reached that file (checkpointed from the write-ahead log), none stays in `-wal`. The
    index, written over one kept connection, must still be readable by another process's
    connection."""
    base = home / "history" / "runs"
    run_ids = []
    for _ in range(2):
        definitions = dg.Definitions(assets=[campaign_spend], asset_checks=[spend_is_positive])
        job = definitions.resolve_implicit_global_asset_job_def()
        with dg.DagsterInstance.get() as instance:
            run_ids.append(job.execute_in_process(instance=instance).run_id)
            index_connection = instance.event_log_storage._engines[INDEX_SHARD_NAME]
            # the kept index connection is still open while the instance is
            assert index_connection.pool.status().startswith("StaticPool")
            wal = base / f"{run_ids[-1]}.db-wal"
            assert not wal.exists() or wal.stat().st_size == 0
            with sqlite3.connect(base / f"{INDEX_SHARD_NAME}.db") as reader:
                indexed = reader.execute(
                    "select count(*) from event_logs where run_id = ?", [run_ids[-1]]
                ).fetchone()[0]
            assert indexed > 0
    with sqlite3.connect(f"file:{base / f'{run_ids[0]}.db'}?mode=ro", uri=True) as reader:
        assert reader.execute("select count(*) from event_logs").fetchone()[0] > 10


def test_commits_do_not_wait_for_the_disk(home):
    storage = SiyuSqliteEventLogStorage()
    for shard in (INDEX_SHARD_NAME, "run-1"):
        with storage._connect(shard) as conn:
            assert conn.exec_driver_sql("pragma synchronous").scalar() == 1  # NORMAL
            assert conn.exec_driver_sql("pragma journal_mode").scalar() == "wal"
    storage.dispose()


def test_an_existing_table_is_asked_once_and_a_missing_one_every_time(home, monkeypatch):
    asked = []
    real_has_table = SqliteEventLogStorage.has_table

    def counting_has_table(self, table_name):
        asked.append(table_name)
        return real_has_table(self, table_name)

    monkeypatch.setattr(SqliteEventLogStorage, "has_table", counting_has_table)
    storage = SiyuSqliteEventLogStorage()
    asked.clear()
    assert all(storage.has_table("event_logs") for _ in range(3))
    assert not any(storage.has_table("no_such_table") for _ in range(2))
    assert asked == ["event_logs", "no_such_table", "no_such_table"]
    storage.dispose()


def test_a_write_reaches_the_run_file_shortly_after_without_a_reopen(home):
    """Between writes the run's connection stays open; the write-ahead log is checkpointed into
    `<run_id>.db` within CHECKPOINT_AFTER_SECONDS, so a live watcher of that file sees it."""
    storage = SiyuSqliteEventLogStorage()
    shard = "run-live"
    with storage._connect(shard) as conn:
        conn.exec_driver_sql("create table if not exists probe (n integer)")
    engine = storage._engines[shard]
    run_file = Path(storage.path_for_shard(shard))
    time.sleep(instance_storage.CHECKPOINT_AFTER_SECONDS * 3)
    before = run_file.stat().st_mtime_ns
    for n in range(20):
        with storage._connect(shard) as conn:
            conn.exec_driver_sql(f"insert into probe values ({n})")
    assert storage._engines[shard] is engine  # one engine, its connection kept
    time.sleep(instance_storage.CHECKPOINT_AFTER_SECONDS * 3)
    with storage._connect(shard) as conn:
        conn.exec_driver_sql("select count(*) from probe").scalar()
    assert shard not in storage._checkpoints_due  # a read schedules no checkpoint
    deadline = time.monotonic() + 5
    while run_file.stat().st_mtime_ns == before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert run_file.stat().st_mtime_ns != before
    with sqlite3.connect(f"file:{run_file}?mode=ro", uri=True) as reader:
        assert reader.execute("select count(*) from probe").fetchone()[0] == 20
    storage.dispose()
