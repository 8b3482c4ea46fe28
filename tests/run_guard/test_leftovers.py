"""What an interrupted run left (an orphaned dbt process, publish debris) is removed at the next
start, and only what siyu's own names say it wrote."""

from __future__ import annotations

import json
import os
import subprocess

from siyu.run_guard.guard import guarded_run
from siyu.run_guard.leftovers import clean_leftovers, orphaned_dbt_processes

STAGED = ".siyu.duckdb.20261206T040416734140Z.tmp"


def killed_publish(settings) -> None:
    """What a publish killed after the DuckDB copy and the Parquet folder were written leaves."""
    published, parquet = settings.warehouse_path, settings.parquet_dir
    published.parent.mkdir(parents=True)
    published.write_bytes(b"published")
    for name in (STAGED, f"{STAGED}.wal", ".siyu.duckdb.backup", "notes.tmp"):
        (published.parent / name).write_bytes(b"x")
    for version in ("20261201T000000000000Z", "20261205T000000000000Z", "20261206T040416734140Z"):
        (parquet / version).mkdir(parents=True)
        (parquet / version / "dim_customer.parquet").write_bytes(b"PAR1")
    (parquet / "current.json").write_text(json.dumps({"path": "20261205T000000000000Z"}))
    (parquet / ".current.20261206T040416734140Z.json").write_text("{}")
    (parquet / "exports").mkdir()  # someone's own folder


def test_the_next_start_removes_publish_debris_and_orphan_parquet_versions(deployment):
    killed_publish(deployment)
    with guarded_run(deployment, "next-run") as leftovers:
        pass

    assert sorted(path.name for path in deployment.warehouse_path.parent.iterdir()) == [
        ".siyu.duckdb.backup",
        "notes.tmp",
        "siyu.duckdb",
    ]
    assert sorted(path.name for path in deployment.parquet_dir.iterdir()) == [
        "20261201T000000000000Z",  # an older version kept for readers
        "20261205T000000000000Z",
        "current.json",
        "exports",
    ]
    assert sorted(line.rsplit("/", 1)[-1] for line in leftovers.lines()) == sorted(
        [STAGED, f"{STAGED}.wal", ".current.20261206T040416734140Z.json", "20261206T040416734140Z"]
    )


def fake_dbt(work_warehouse) -> subprocess.Popen:
    """A process with the environment dagster-dbt gives a dbt it starts for `work_warehouse`."""
    return subprocess.Popen(
        ["sleep", "600"],
        env={
            **os.environ,
            "DAGSTER_DBT_CLI": "true",
            "SIYU_WORK_WAREHOUSE": str(work_warehouse),
        },
    )


def test_the_next_start_kills_an_orphaned_dbt_of_its_warehouse_only(deployment, tmp_path):
    orphan = fake_dbt(deployment.work_warehouse_path)
    other_deployment = fake_dbt(tmp_path / "other" / "siyu_work.duckdb")
    try:
        assert orphaned_dbt_processes(deployment.work_warehouse_path) == [orphan.pid]
        leftovers = clean_leftovers(
            deployment.work_warehouse_path, deployment.warehouse_path, None, []
        )
        assert leftovers.orphans == [orphan.pid]
        assert orphan.wait(timeout=30) == -9
        assert other_deployment.poll() is None
        assert leftovers.lines() == [f"killed orphaned dbt process {orphan.pid}"]
    finally:
        for process in (orphan, other_deployment):
            process.kill()
            process.wait(timeout=30)
