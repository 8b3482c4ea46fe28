"""Publishing under faults: a reader holding the published file, a full disk, a failed copy; the
publish record beside the working warehouse; the audit's empty and shrink rules."""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.resources import WarehouseResource
from siyu.ingestion.specs import load_source_specs
from siyu.publish import publisher
from siyu.publish.audit import audit_warehouse
from siyu.publish.publisher import publish_marts
from siyu.publish.record import (
    current_publish,
    describe_published,
    read_publish_record,
    record_path,
)
from tests.publish.test_publish import MART_KEYS, last_publish, make_work_warehouse

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

ALL_SOURCES_EMPTY = "delete from raw.pos_members"

HOLDER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1])  # read-write: the default of the duckdb CLI, DBeaver
    print(con.execute("select count(*) from marts.dim_customer").fetchone()[0], flush=True)
    sys.stdin.readline()
    print(con.execute("select count(*) from marts.dim_customer").fetchone()[0], flush=True)
    """
)


def published_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_the_published_file_is_written_read_only(tmp_path):
    work, published = tmp_path / "work.duckdb", tmp_path / "serve" / "siyu.duckdb"
    make_work_warehouse(work)
    publish_marts(work, published)
    assert stat.S_IMODE(published.stat().st_mode) == 0o444


def test_a_reader_holding_the_published_file_read_write_does_not_stop_publishing(tmp_path):
    work, published = tmp_path / "work.duckdb", tmp_path / "serve" / "siyu.duckdb"
    make_work_warehouse(work, customers=3)
    publish_marts(work, published)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(published)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "3"  # it holds the file's write lock now
        make_work_warehouse(work, customers=5)
        second = publish_marts(work, published)
        # what a run reads about the published version needs no lock on the file
        assert current_publish(work, published).publish_id == second.publish_id
        assert describe_published(work, published).startswith(second.publish_id)
        with duckdb.connect(str(published), read_only=True) as con:
            assert con.execute("select count(*) from marts.dim_customer").fetchone() == (5,)
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "3"  # the holder keeps its version
    finally:
        holder.communicate(timeout=30)
    assert published_files(published.parent) == ["siyu.duckdb"]


def test_publishing_records_the_version_beside_the_working_warehouse(tmp_path):
    work, published = tmp_path / "work" / "work.duckdb", tmp_path / "serve" / "siyu.duckdb"
    work.parent.mkdir()
    make_work_warehouse(work, customers=4)
    assert describe_published(work, published) == "none"
    result = publish_marts(work, published)

    record = current_publish(work, published)
    assert record_path(work).parent == work.parent
    assert record.publish_id == result.publish_id == last_publish(published)
    assert record.tables == result.tables
    assert record.tables["dim_customer"] == 4
    assert describe_published(work, published).startswith(f"{result.publish_id} (published ")
    # a record for another published path does not stand for this one
    assert read_publish_record(work, tmp_path / "elsewhere.duckdb") is None


def test_a_record_whose_published_file_was_replaced_reads_as_unknown(tmp_path):
    """A run killed between the rename and the record, or a file restored by hand: the record
    does not stand for the file in place, so the next run builds and publishes again."""
    work, published = tmp_path / "work.duckdb", tmp_path / "serve" / "siyu.duckdb"
    make_work_warehouse(work)
    publish_marts(work, published)
    restored = published.with_name("restored.duckdb")
    shutil.copy(published, restored)
    restored.replace(published)

    assert current_publish(work, published) is None
    assert describe_published(work, published).startswith("not recorded")
    assert read_publish_record(work, published) is not None  # still the audit's baseline


def test_a_failed_parquet_copy_publishes_nothing(tmp_path, monkeypatch):
    work, published = tmp_path / "work.duckdb", tmp_path / "serve" / "siyu.duckdb"
    parquet = tmp_path / "parquet"
    make_work_warehouse(work, customers=3)
    first = publish_marts(work, published, parquet)

    def parquet_fails(work_db, parquet_dir, publish_id, published_at):
        (parquet_dir / publish_id).mkdir()
        (parquet_dir / publish_id / "dim_customer.parquet").write_bytes(b"PAR1")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publisher, "_write_parquet_version", parquet_fails)
    make_work_warehouse(work, customers=5)
    with pytest.raises(OSError, match="No space left"):
        publish_marts(work, published, parquet)

    assert last_publish(published) == first.publish_id
    assert current_publish(work, published).publish_id == first.publish_id
    assert [path.name for path in parquet.iterdir() if path.is_dir()] == [first.publish_id]
    assert published_files(published.parent) == ["siyu.duckdb"]


def test_a_failed_copy_removes_the_staged_file_and_its_wal(tmp_path, monkeypatch):
    work, published = tmp_path / "work.duckdb", tmp_path / "serve" / "siyu.duckdb"
    make_work_warehouse(work)
    publish_marts(work, published)
    copy_marts = publisher._copy_marts

    def copy_then_fail(work_db, target, publish_id, published_at):
        copy_marts(work_db, target, publish_id, published_at)
        target.with_name(f"{target.name}.wal").write_bytes(b"\0" * 1024)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publisher, "_copy_marts", copy_then_fail)
    with pytest.raises(OSError):
        publish_marts(work, published)
    assert published_files(published.parent) == ["siyu.duckdb"]


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB file system (tmpfs), mounted for the test; skipped where mounting is not allowed."""
    mount_point = tmp_path / "small disk 小盘"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=True)


def test_a_publish_on_a_full_disk_leaves_no_temporary_files(tmp_path, small_disk):
    work, published = tmp_path / "work.duckdb", small_disk / "siyu.duckdb"
    parquet = tmp_path / "parquet"
    make_work_warehouse(work, customers=20_000)
    with pytest.raises((duckdb.Error, OSError)):
        publish_marts(work, published, parquet)
    assert published_files(small_disk) == []
    assert list(parquet.iterdir()) == []  # the new Parquet version is removed too


# --- the audit: nothing empty or implausible is published ---


def audit(work: Path, **arguments) -> list[str]:
    with duckdb.connect(str(work), read_only=True) as con:
        return audit_warehouse(con, landing_dir="/srv/exports/landing", **arguments).lines()


def test_a_raw_layer_with_no_rows_fails_the_audit_and_names_the_landing_folder(tmp_path):
    work = tmp_path / "work.duckdb"
    make_work_warehouse(work)
    with duckdb.connect(str(work)) as con:
        con.execute(ALL_SOURCES_EMPTY)
    lines = audit(work)
    sources = len(load_source_specs())
    assert lines[0].startswith(f"nothing_loaded on raw: none of the {sources} sources holds a row")
    assert "check the landing folder /srv/exports/landing (SIYU_LANDING_DIR)" in lines[-1]


def test_a_contract_mart_that_shrinks_sharply_fails_the_audit_and_says_what_to_check(tmp_path):
    work = tmp_path / "work.duckdb"
    make_work_warehouse(work, customers=40)
    published = {"dim_customer": 200, "fct_orders": 200, "fct_order_attribution": 80}
    lines = audit(work, published_rows=published)

    assert lines[:2] == [
        "shrink on marts.dim_customer: 200 rows published, 40 now (-80%; at most -25% allowed, "
        "audit.yml shrink)",
        "shrink on marts.fct_orders: 200 rows published, 40 now (-80%; at most -25% allowed, "
        "audit.yml shrink)",
    ]
    assert "check that the landing folder /srv/exports/landing" in lines[2]
    assert "SIYU_ALLOW_SHRINK=1" in lines[2]
    assert len(lines) == 3  # fct_order_attribution grew; every line said once


def test_a_deliberate_shrink_passes_the_audit_when_allowed(tmp_path):
    work = tmp_path / "work.duckdb"
    make_work_warehouse(work, customers=40)
    with duckdb.connect(str(work), read_only=True) as con:
        report = audit_warehouse(
            con, published_rows={"dim_customer": 200}, landing_dir="x", allow_shrink=True
        )
    assert report.passed
    assert report.notes == [
        "allowed by SIYU_ALLOW_SHRINK: shrink on marts.dim_customer: 200 rows published, 40 now "
        "(-80%; at most -25% allowed, audit.yml shrink)"
    ]


def test_small_marts_and_windowed_audiences_are_not_compared(tmp_path):
    work = tmp_path / "work.duckdb"
    make_work_warehouse(work, customers=3)
    # 99 rows published: below min_rows_published; audience_members may empty overnight
    assert audit(work, published_rows={"dim_customer": 99, "audience_members": 5_000}) == []


def materialize_publish(work: Path, published: Path, allow_shrink: bool = False):
    return dg.materialize(
        build_publish_assets_for_test(),
        resources={
            "warehouse": WarehouseResource(
                warehouse_path=str(work),
                published_path=str(published),
                landing_dir="/srv/exports/landing",
                allow_shrink=allow_shrink,
            )
        },
        raise_on_error=False,
    )


def build_publish_assets_for_test() -> list[dg.AssetsDefinition]:
    from orchestration.publish.assets import build_publish_assets

    return build_publish_assets(MART_KEYS)


def test_a_shrinking_run_keeps_the_published_version_until_a_shrink_is_allowed(tmp_path):
    work, published = tmp_path / "work.duckdb", tmp_path / "serve" / "siyu.duckdb"
    make_work_warehouse(work, customers=300)
    assert materialize_publish(work, published).success
    version = last_publish(published)

    make_work_warehouse(work, customers=30)  # e.g. a new working warehouse, half a landing folder
    result = materialize_publish(work, published)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.step_failure_data.error.message
    assert "shrink on marts.dim_customer: 300 rows published, 30 now (-90%" in message
    assert "/srv/exports/landing" in message
    assert last_publish(published) == version

    assert materialize_publish(work, published, allow_shrink=True).success
    assert last_publish(published) != version
