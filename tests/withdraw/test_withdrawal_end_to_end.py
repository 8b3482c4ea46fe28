"""A bad row loaded, named, withdrawn and re-delivered corrected, through whole runs.

A generated landing (scale 0.005) whose POS orders of September carry one order time in 2099:
the first run fails at the raw suite and prints the file, the row and the command; the command
withdraws the file; the next run skips the withdrawn bytes with a note and publishes marts
without its orders; the corrected file, delivered under the same name, loads on the run after
and its orders reach the published marts.
"""

from __future__ import annotations

import csv
import io
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.run import RunSummary, format_summary, run_daily_refresh
from siyu.ingestion.encoding import fingerprint
from siyu.settings import REPO_ROOT, SiyuSettings
from siyu.withdraw.log import WITHDRAW_COMMAND, WITHDRAWN_FILES_TABLE
from tests.landing import LandingBuilder, write_file

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

BAD_FILE = "pos_orders/pos_orders_2026-09.csv"
BAD_ROW = 3  # data row (after the header) whose order time becomes 2099
FAR_FUTURE = "2099-09-15 12:00:00"
OPERATOR = "值班 operator"


@dataclass(frozen=True)
class Scenario:
    settings: SiyuSettings
    instance: dg.DagsterInstance
    bad_hash: str
    corrected_hash: str
    bad_orders: set[str]  # order numbers only the September file holds
    failed: RunSummary
    failed_text: str
    withdraw_output: str
    after_withdrawal: RunSummary
    # store orders in marts.fct_orders after that run: published, and in the working warehouse
    published_after_withdrawal: set[str]
    built_after_withdrawal: set[str]
    after_redelivery: RunSummary


def with_far_future_row(text: str) -> tuple[str, set[str]]:
    """The export with row BAD_ROW's order time in 2099; and the file's order numbers."""
    lines = text.splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    time_at = header.index("order_time")
    fields = next(csv.reader([lines[BAD_ROW]]))
    lines[BAD_ROW] = lines[BAD_ROW].replace(fields[time_at], FAR_FUTURE, 1)
    orders = {row["order_no"] for row in csv.DictReader(io.StringIO(text)) if row["order_no"]}
    return "".join(lines), orders


def other_orders(landing: Path) -> set[str]:
    orders: set[str] = set()
    for path in (landing / "pos_orders").glob("*.csv"):
        if path.name != Path(BAD_FILE).name:
            with path.open(encoding="utf-8", newline="") as handle:
                orders |= {row["order_no"] for row in csv.DictReader(handle)}
    return orders


def run_printed_command(command: str, settings: SiyuSettings) -> str:
    """The command as the summary printed it, run as a user runs it, as OPERATOR."""
    arguments = shlex.split(command)[len(shlex.split(WITHDRAW_COMMAND)) :]
    environment = {
        **os.environ,
        "SIYU_WORK_WAREHOUSE": str(settings.work_warehouse_path),
        "SIYU_LANDING_DIR": str(settings.landing_dir),
        "SIYU_WAREHOUSE": str(settings.warehouse_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "siyu.withdraw", *arguments, "--by", OPERATOR],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def store_orders(warehouse: Path) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select order_id from marts.fct_orders where channel = 'store'")
        return {order_id for (order_id,) in rows.fetchall()}


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    root = tmp_path_factory.mktemp("withdrawal") / "私域 演示"
    landing = LandingBuilder.generated(
        root, scale=0.005, seed=7, start=date(2026, 5, 1), end=date(2026, 11, 20)
    )
    settings = replace(
        SiyuSettings.from_env({}),
        landing_dir=landing.path,
        warehouse_path=root / "published" / "siyu.duckdb",
        work_warehouse_path=root / ".siyu" / "work" / "siyu_work.duckdb",
        parquet_dir=None,
        ground_truth_dir=root / "ground_truth",
    )
    path = settings.landing_dir / BAD_FILE
    corrected = path.read_text(encoding="utf-8")
    bad, orders = with_far_future_row(corrected)
    write_file(path, bad)
    bad_hash = fingerprint(path).file_hash
    instance = dg.DagsterInstance.ephemeral()

    failed = run_daily_refresh(settings, instance)
    failed_text = format_summary(failed, settings)
    command = next(
        line.strip()
        for line in failed_text.splitlines()
        if line.strip().startswith(f"{WITHDRAW_COMMAND} {bad_hash[:12]} ")
    )
    withdraw_output = run_printed_command(command, settings)
    after_withdrawal = run_daily_refresh(settings, instance)
    published_after_withdrawal = store_orders(settings.warehouse_path)
    built_after_withdrawal = store_orders(settings.work_warehouse_path)

    write_file(path, corrected)  # the corrected export, under the same name
    after_redelivery = run_daily_refresh(settings, instance)
    return Scenario(
        settings=settings,
        instance=instance,
        bad_hash=bad_hash,
        corrected_hash=fingerprint(path).file_hash,
        bad_orders=orders - other_orders(settings.landing_dir),
        failed=failed,
        failed_text=failed_text,
        withdraw_output=withdraw_output,
        after_withdrawal=after_withdrawal,
        published_after_withdrawal=published_after_withdrawal,
        built_after_withdrawal=built_after_withdrawal,
        after_redelivery=after_redelivery,
    )


def test_the_run_fails_at_the_raw_suite_naming_the_file_the_row_and_the_command(scenario):
    assert not scenario.failed.success
    assert "raw/pos_orders:expectations" in scenario.failed.checks_failed
    assert not scenario.failed.published
    text = scenario.failed_text
    assert f"- {BAD_FILE} (hash {scenario.bad_hash[:12]})" in text
    assert f"row {BAD_ROW}: order_time__year=2099, order_time={FAR_FUTURE}" in text
    assert "NOT PUBLISHED" in text


def test_the_printed_command_withdraws_the_file(scenario):
    assert f"withdrew pos_orders       {BAD_FILE}  hash {scenario.bad_hash[:12]}" in (
        scenario.withdraw_output
    )
    with duckdb.connect(str(scenario.settings.work_warehouse_path), read_only=True) as con:
        logged = con.execute(
            f"select file_name, rows_removed, quarantined_removed, reason, withdrawn_by "
            f"from {WITHDRAWN_FILES_TABLE} where file_hash = ?",
            [scenario.bad_hash],
        ).fetchall()
    [(file_name, rows_removed, quarantined_removed, reason, withdrawn_by)] = logged
    assert file_name == BAD_FILE and rows_removed > 0
    assert quarantined_removed == 1  # the generator plants one bad record in this file
    assert reason == "fails expect_column_values_to_be_between(order_time__year)"
    assert withdrawn_by == OPERATOR


def test_the_next_run_skips_the_withdrawn_bytes_with_a_note(scenario):
    summary = scenario.after_withdrawal
    assert summary.success and summary.checks_failed == [], summary.failures
    assert summary.sources["pos_orders"]["files_loaded"] == 0
    run = scenario.instance.get_runs()[1]  # newest first: the run after the withdrawal
    notes = [
        entry.user_message
        for entry in scenario.instance.all_logs(run.run_id)
        if f"{BAD_FILE}: skipped" in entry.user_message
    ]
    assert len(notes) == 1
    assert "withdrawn on " in notes[0] and f"by {OPERATOR}: fails expect_" in notes[0]
    with duckdb.connect(str(scenario.settings.work_warehouse_path), read_only=True) as con:
        loaded = con.execute(
            "select count(*) from raw.loaded_files where file_hash = ?", [scenario.bad_hash]
        ).fetchone()[0]
    assert loaded == 0


def test_the_next_run_publishes_marts_without_the_withdrawn_rows(scenario):
    assert scenario.after_withdrawal.published
    assert len(scenario.bad_orders) > 10
    published = scenario.published_after_withdrawal
    assert published and not published & scenario.bad_orders
    assert not scenario.built_after_withdrawal & scenario.bad_orders


def test_a_corrected_redelivery_loads_and_reaches_the_marts(scenario):
    summary = scenario.after_redelivery
    assert summary.success and summary.checks_failed == [], summary.failures
    assert summary.sources["pos_orders"]["files_loaded"] == 1
    assert summary.published
    assert scenario.bad_orders <= store_orders(scenario.settings.warehouse_path)
    with duckdb.connect(str(scenario.settings.work_warehouse_path), read_only=True) as con:
        ledger = con.execute(
            "select file_name, file_hash from raw.loaded_files where file_name = ?", [BAD_FILE]
        ).fetchall()
    assert ledger == [(BAD_FILE, scenario.corrected_hash)]
