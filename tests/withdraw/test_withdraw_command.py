"""`python -m siyu.withdraw`: finds a loaded file by name or hash, refuses what is unknown,
ambiguous or locked, and withdraws in one transaction with a log entry."""

from __future__ import annotations

import getpass
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.definitions import build_definitions
from orchestration.resources import WarehouseResource
from orchestration.withdraw.jobs import WITHDRAW_JOB_NAME, withdraw_file_job
from siyu.dbt.build_inputs import inputs_fingerprint
from siyu.settings import SiyuSettings
from siyu.withdraw.__main__ import REFUSED, UNAVAILABLE, WITHDRAWN, main
from siyu.withdraw.log import WITHDRAWN_FILES_TABLE
from siyu.withdraw.withdrawals import FileQuery, matching_files, withdraw_file
from tests.withdraw.landing import (
    LOADED_AT,
    ingest_orders,
    order_line,
    write_order_landing,
    write_orders,
)

BAD_FILE = "pos_orders/orders_2026-11-02.csv"
QUARANTINING_FILE = "pos_orders/orders_2026-11-01.csv"
ARCHIVED_FILE = "pos_orders/archive/orders_2026-11-01.csv"


@pytest.fixture
def settings(tmp_path: Path) -> SiyuSettings:
    """Three POS order files loaded into a working warehouse under a dot-folder, on paths with
    spaces and Chinese names."""
    landing = tmp_path / "落地 文件"
    write_order_landing(landing)
    settings = replace(
        SiyuSettings.from_env({}),
        landing_dir=landing,
        work_warehouse_path=tmp_path / ".local" / "share" / "私域 仓库" / "siyu_work.duckdb",
        warehouse_path=tmp_path / "published.duckdb",
        parquet_dir=None,
    )
    settings.work_warehouse_path.parent.mkdir(parents=True)
    with duckdb.connect(str(settings.work_warehouse_path)) as con:
        ingest_orders(con, landing)
    return settings


def query(settings: SiyuSettings, sql: str, parameters: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.work_warehouse_path), read_only=True) as con:
        return con.execute(sql, parameters or []).fetchall()


def file_hash(settings: SiyuSettings, file_name: str) -> str:
    rows = query(
        settings, "select file_hash from raw.loaded_files where file_name = ?", [file_name]
    )
    assert len(rows) == 1, rows
    return rows[0][0]


def raw_files(settings: SiyuSettings) -> dict[str, int]:
    """file name -> rows in raw.pos_orders."""
    rows = query(settings, "select _file_name, count(*) from raw.pos_orders group by all")
    return dict(rows)


def ledger(settings: SiyuSettings) -> set[str]:
    return {name for (name,) in query(settings, "select file_name from raw.loaded_files")}


def withdraw(settings: SiyuSettings, *arguments: str) -> int:
    return main(list(arguments), settings=settings)


def test_a_loaded_file_is_withdrawn_by_name_from_raw_and_the_ledger(settings):
    assert raw_files(settings) == {QUARANTINING_FILE: 2, BAD_FILE: 2, ARCHIVED_FILE: 1}
    status = withdraw(settings, "orders_2026-11-02.csv", "--reason", "order time in 2099")
    assert status == WITHDRAWN
    assert raw_files(settings) == {QUARANTINING_FILE: 2, ARCHIVED_FILE: 1}
    assert ledger(settings) == {QUARANTINING_FILE, ARCHIVED_FILE}


def test_a_loaded_file_is_withdrawn_by_hash_prefix_with_its_quarantined_records(settings):
    quarantined = "select file_name from raw.quarantine"
    assert query(settings, quarantined) == [(QUARANTINING_FILE,)]
    prefix = file_hash(settings, QUARANTINING_FILE)[:8]
    assert withdraw(settings, prefix, "--reason", "wrong store export") == WITHDRAWN
    assert raw_files(settings) == {BAD_FILE: 2, ARCHIVED_FILE: 1}
    assert query(settings, quarantined) == []
    assert ledger(settings) == {BAD_FILE, ARCHIVED_FILE}


def test_a_loaded_file_is_withdrawn_by_its_path_in_the_landing_folder(settings):
    path = settings.landing_dir / "pos_orders" / "archive" / "orders_2026-11-01.csv"
    assert withdraw(settings, str(path), "--reason", "archived copy") == WITHDRAWN
    assert ARCHIVED_FILE not in raw_files(settings)
    assert QUARANTINING_FILE in raw_files(settings)


def test_an_ambiguous_name_is_refused_with_the_candidates(settings, capsys):
    before = raw_files(settings)
    assert withdraw(settings, "orders_2026-11-01.csv", "--reason", "which one?") == REFUSED
    message = capsys.readouterr().err
    assert "names 2 loaded files; nothing was withdrawn" in message
    for name in (QUARANTINING_FILE, ARCHIVED_FILE):
        line = next(line for line in message.splitlines() if name in line)
        assert "pos_orders" in line and file_hash(settings, name)[:12] in line
        assert "loaded 2026-11-25 06:00 UTC" in line and "rows " in line
    assert raw_files(settings) == before
    assert ledger(settings) == {QUARANTINING_FILE, BAD_FILE, ARCHIVED_FILE}


def test_an_unknown_name_is_refused_with_the_candidates(settings, capsys):
    before = raw_files(settings)
    assert withdraw(settings, "orders_2026-12-01.csv", "--reason", "typo") == REFUSED
    message = capsys.readouterr().err
    assert "'orders_2026-12-01.csv' names no loaded file; nothing was withdrawn" in message
    assert all(name in message for name in (QUARANTINING_FILE, BAD_FILE, ARCHIVED_FILE))
    assert raw_files(settings) == before


def test_a_file_withdrawn_before_is_refused_with_its_withdrawal(settings, capsys):
    assert withdraw(settings, BAD_FILE, "--reason", "order time in 2099", "--by", "ops") == 0
    assert withdraw(settings, BAD_FILE, "--reason", "again") == REFUSED
    message = capsys.readouterr().err
    assert "It was withdrawn before:" in message
    assert "by ops: order time in 2099" in message


def test_the_withdrawal_is_logged_with_reason_and_who_and_no_record(settings):
    bad_hash, quarantining_hash = (
        file_hash(settings, BAD_FILE),
        file_hash(settings, QUARANTINING_FILE),
    )
    assert withdraw(settings, bad_hash[:12], "--reason", "order time in 2099") == WITHDRAWN
    assert withdraw(settings, QUARANTINING_FILE, "--reason", "re-export", "--by", "王 ops") == 0
    log = query(
        settings,
        "select source, file_name, file_hash, loaded_at, rows_removed, quarantined_removed, "
        f"reason, withdrawn_by from {WITHDRAWN_FILES_TABLE} order by withdrawn_at",
    )
    assert log == [
        (
            "pos_orders",
            BAD_FILE,
            bad_hash,
            LOADED_AT,
            2,
            0,
            "order time in 2099",
            getpass.getuser(),
        ),
        (
            "pos_orders",
            QUARANTINING_FILE,
            quarantining_hash,
            LOADED_AT,
            2,
            1,
            "re-export",
            "王 ops",
        ),
    ]
    # no value of a delivered record (order numbers, member ids, amounts) is in the log
    logged = " ".join(
        str(value)
        for row in query(settings, f"select * from {WITHDRAWN_FILES_TABLE}")
        for value in row
    )
    assert not any(value in logged for value in ("P0101", "P0201", "M0001", "guide_zhang", "99.00"))


def test_a_withdrawal_that_fails_leaves_raw_quarantine_and_ledger_untouched(settings):
    with duckdb.connect(str(settings.work_warehouse_path)) as con:
        # a log table this code cannot write to: the last statement of the withdrawal fails
        con.execute(
            f"create table {WITHDRAWN_FILES_TABLE} (source varchar, extra varchar not null)"
        )
        [loaded] = matching_files(con, FileQuery(QUARANTINING_FILE))
        with pytest.raises(duckdb.Error):
            withdraw_file(con, loaded, "test", "ops", LOADED_AT)
    assert raw_files(settings) == {QUARANTINING_FILE: 2, BAD_FILE: 2, ARCHIVED_FILE: 1}
    assert query(settings, "select count(*) from raw.quarantine") == [(1,)]
    assert ledger(settings) == {QUARANTINING_FILE, BAD_FILE, ARCHIVED_FILE}


HOLD_THE_WAREHOUSE = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.read()
"""


def test_the_command_refuses_while_a_run_holds_the_warehouse(settings, capsys):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_WAREHOUSE, str(settings.work_warehouse_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        status = withdraw(settings, BAD_FILE, "--reason", "order time in 2099")
    finally:
        holder.communicate("")  # closes its stdin: the holder ends
    assert status == UNAVAILABLE
    message = capsys.readouterr().err
    assert f"the working warehouse {settings.work_warehouse_path} is in use" in message
    assert "nothing was withdrawn" in message and "Traceback" not in message
    assert BAD_FILE in raw_files(settings)


HOLD_THE_RUN_LOCK = """
import sys
from pathlib import Path
from siyu.run_guard.lock import run_lock
with run_lock(Path(sys.argv[1]), run_id="daily-refresh-4242"):
    print("holding", flush=True)
    sys.stdin.read()
"""


def test_the_command_refuses_between_the_steps_of_a_running_run(settings, capsys):
    """A run holds the run lock from its first step to its last, also while no step has the
    warehouse open: a withdrawal then would change raw under the run's feet."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_RUN_LOCK, str(settings.work_warehouse_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        status = withdraw(settings, BAD_FILE, "--reason", "order time in 2099")
    finally:
        holder.communicate("")
    assert status == UNAVAILABLE
    message = capsys.readouterr().err
    assert "another siyu run is running" in message and "daily-refresh-4242" in message
    assert "Nothing was withdrawn" in message and "Traceback" not in message
    assert BAD_FILE in raw_files(settings)
    assert withdraw(settings, BAD_FILE, "--reason", "order time in 2099") == WITHDRAWN


def test_a_missing_warehouse_is_refused_without_creating_one(settings, tmp_path, capsys):
    elsewhere = replace(settings, work_warehouse_path=tmp_path / "none" / "work.duckdb")
    assert withdraw(elsewhere, BAD_FILE, "--reason", "x") == UNAVAILABLE
    assert "no working warehouse at" in capsys.readouterr().err
    assert not elsewhere.work_warehouse_path.exists()


def test_withdrawn_bytes_are_skipped_with_a_note_and_a_corrected_file_loads(settings):
    assert withdraw(settings, BAD_FILE, "--reason", "order time in 2099", "--by", "ops") == 0
    with duckdb.connect(str(settings.work_warehouse_path)) as con:
        again = ingest_orders(con, settings.landing_dir)
    [outcome] = [file for file in again.files if file.file_name == BAD_FILE]
    assert outcome.status == "skipped"
    assert outcome.detail.startswith("withdrawn on ")
    assert outcome.detail.endswith(" UTC by ops: order time in 2099")
    assert BAD_FILE not in raw_files(settings) and BAD_FILE not in ledger(settings)
    # the corrected file, delivered under the same name
    write_orders(
        settings.landing_dir,
        "orders_2026-11-02.csv",
        [order_line("P0201", "2026-11-02 10:00:00"), order_line("P0202", "2026-11-02 11:00:00")],
    )
    with duckdb.connect(str(settings.work_warehouse_path)) as con:
        corrected = ingest_orders(con, settings.landing_dir)
    [outcome] = [file for file in corrected.files if file.file_name == BAD_FILE]
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 2)
    assert raw_files(settings)[BAD_FILE] == 2
    years = query(settings, "select distinct left(order_time, 4) from raw.pos_orders")
    assert ("2099",) not in years


def test_a_withdrawal_changes_what_the_build_reads(settings):
    def fingerprint() -> str:
        with duckdb.connect(str(settings.work_warehouse_path), read_only=True) as con:
            return inputs_fingerprint(con, ["raw.pos_orders"], "project", {})

    before = fingerprint()
    assert fingerprint() == before  # nothing changed: the build would be skipped
    assert withdraw(settings, BAD_FILE, "--reason", "order time in 2099") == WITHDRAWN
    assert fingerprint() != before


def run_withdraw_job(settings: SiyuSettings, **config: str) -> dg.ExecuteInProcessResult:
    return withdraw_file_job.execute_in_process(
        run_config={"ops": {"withdraw_loaded_file": {"config": config}}},
        resources={"warehouse": WarehouseResource.from_settings(settings)},
        raise_on_error=False,
    )


def test_the_dagster_job_withdraws_a_file(settings):
    assert WITHDRAW_JOB_NAME in {job.name for job in build_definitions(settings).jobs}
    result = run_withdraw_job(
        settings, file=BAD_FILE, reason="order time in 2099", withdrawn_by="ops in the UI"
    )
    assert result.success
    assert raw_files(settings) == {QUARANTINING_FILE: 2, ARCHIVED_FILE: 1}
    assert query(settings, f"select withdrawn_by from {WITHDRAWN_FILES_TABLE}") == [
        ("ops in the UI",)
    ]


def test_the_dagster_job_refuses_an_ambiguous_name_with_the_candidates(settings):
    result = run_withdraw_job(
        settings, file="orders_2026-11-01.csv", reason="which one?", withdrawn_by="ops"
    )
    assert not result.success
    [failure] = [event for event in result.all_events if event.is_step_failure]
    description = failure.step_failure_data.user_failure_data.description
    assert "names 2 loaded files; nothing was withdrawn" in description
    assert ARCHIVED_FILE in description
    assert len(raw_files(settings)) == 3
