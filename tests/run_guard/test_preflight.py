"""Before any work, a run checks that the folders it writes exist or can be made, are writable and
have room, and fails at once with a clear message otherwise."""

from __future__ import annotations

import subprocess
from dataclasses import replace

import pytest

from orchestration.run import format_summary, guarded_daily_refresh
from siyu.run_guard.guard import guarded_run
from siyu.run_guard.preflight import PreflightError, check_folders
from siyu.settings import DEFAULT_MIN_FREE_MB, SiyuSettings


@pytest.fixture
def read_only_folder(tmp_path):
    """A read-only file system (tmpfs mounted ro); skipped where mounting is not allowed. As root
    (the tests' user) a folder's mode bits stop nothing, so only a read-only mount shows it."""
    folder = tmp_path / "只读 published"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


def test_a_folder_that_cannot_be_created_fails_the_preflight(tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(PreflightError) as failed:
        check_folders({"published": blocker / "warehouse"}, min_free_mb=0)
    assert failed.value.problems == [
        f"the published folder {blocker / 'warehouse'} does not exist and cannot be created "
        "(Not a directory)"
    ]


def test_a_read_only_folder_fails_the_preflight(read_only_folder):
    with pytest.raises(PreflightError) as failed:
        check_folders({"published": read_only_folder}, min_free_mb=0)
    assert failed.value.problems == [
        f"the published folder {read_only_folder} is not writable (Read-only file system)"
    ]


def test_a_folder_without_room_fails_the_preflight(tmp_path):
    with pytest.raises(PreflightError) as failed:
        check_folders({"working": tmp_path, "Parquet": tmp_path / "parquet"}, 10**9)
    assert len(failed.value.problems) == 2
    assert failed.value.problems[0].startswith(f"the working folder {tmp_path} has ")
    assert failed.value.problems[0].endswith(
        "MB free; a run needs at least 1,000,000,000 MB there (SIYU_MIN_FREE_MB)"
    )
    assert (tmp_path / "parquet").is_dir()  # made when missing
    assert list(tmp_path.glob(".siyu_preflight.*")) == []  # the probe file is gone


def test_the_minimum_free_space_is_a_setting():
    assert SiyuSettings.from_env({}).min_free_mb == DEFAULT_MIN_FREE_MB
    assert SiyuSettings.from_env({"SIYU_MIN_FREE_MB": "50"}).min_free_mb == 50
    with pytest.raises(ValueError, match="SIYU_MIN_FREE_MB"):
        SiyuSettings.from_env({"SIYU_MIN_FREE_MB": "lots"})


def test_a_read_only_target_fails_the_run_at_once_and_the_summary_says_why(
    deployment, read_only_folder
):
    settings = replace(deployment, warehouse_path=read_only_folder / "siyu.duckdb")
    summary = guarded_daily_refresh(settings)

    assert not summary.success
    assert not settings.work_warehouse_path.exists()  # nothing was built
    text = format_summary(summary, settings)
    assert (
        f"NOT PUBLISHED: the run did not start: the published folder {read_only_folder} is not "
        "writable (Read-only file system)"
    ) in text
    assert "nothing has been published yet" in text


def test_a_full_target_fails_before_the_lock_is_taken_for_long(deployment):
    settings = replace(deployment, min_free_mb=10**9)
    with pytest.raises(PreflightError, match="SIYU_MIN_FREE_MB"), guarded_run(settings, "r1"):
        pass
    # the lock was released: the next run (with room) starts
    with guarded_run(replace(settings, min_free_mb=0), "r2"):
        pass
