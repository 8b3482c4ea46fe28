"""A critical raw-suite failure names every file at fault, a few of its failing rows with their
values, and the command that withdraws it."""

from __future__ import annotations

import shlex
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from orchestration.quality.checks import (
    FILES_AT_FAULT_METADATA,
    check_result,
    validate_new_deliveries,
)
from siyu.quality.deliveries import ensure_validated_files
from siyu.quality.suites import RAW_SUITES_DIR
from siyu.settings import SiyuSettings
from siyu.withdraw.__main__ import WITHDRAWN, main
from siyu.withdraw.log import WITHDRAW_COMMAND
from tests.quality.conftest import run_mutated
from tests.withdraw.landing import ingest_orders, order_line, write_orders

POS_ORDERS_SUITE = RAW_SUITES_DIR / "pos_orders.json"
YEAR_RANGE = "expect_column_values_to_be_between(order_time__year)"
# more failing rows in one file than a failure's examples show
FAR_FUTURE_ROWS = 7


@pytest.fixture
def warehouse(tmp_path: Path) -> SiyuSettings:
    """POS orders in three files: seven orders in 2099, one in 1970, and a good file."""
    landing = tmp_path / "落地 文件"
    write_orders(
        landing,
        "far_future.csv",
        [order_line(f"F{n:03d}", f"2099-01-0{n} 10:00:00") for n in range(1, 8)],
    )
    write_orders(
        landing,
        "epoch.csv",
        [order_line("E001", "2026-11-01 10:00:00"), order_line("E002", "1970-01-01 08:00:00")],
    )
    write_orders(landing, "good.csv", [order_line("G001", "2026-11-03 10:00:00")])
    settings = replace(
        SiyuSettings.from_env({}),
        landing_dir=landing,
        work_warehouse_path=tmp_path / ".siyu" / "work.duckdb",
    )
    settings.work_warehouse_path.parent.mkdir()
    with duckdb.connect(str(settings.work_warehouse_path)) as con:
        ingest_orders(con, landing)
    return settings


def file_hashes(settings: SiyuSettings) -> dict[str, str]:
    with duckdb.connect(str(settings.work_warehouse_path), read_only=True) as con:
        rows = con.execute("select file_name, file_hash from raw.loaded_files").fetchall()
    return {name.removeprefix("pos_orders/"): file_hash for name, file_hash in rows}


def validated(settings: SiyuSettings):
    """The pos_orders check as the raw step reports it."""
    with duckdb.connect(str(settings.work_warehouse_path)) as con:
        ensure_validated_files(con)
        run = validate_new_deliveries(con, POS_ORDERS_SUITE)
    assert run.result is not None
    return check_result(run.result, POS_ORDERS_SUITE)


def test_a_critical_raw_failure_names_every_file_its_rows_and_the_withdraw_command(warehouse):
    checked = validated(warehouse)
    hashes = file_hashes(warehouse)
    text = checked.metadata[FILES_AT_FAULT_METADATA].value
    assert not checked.passed
    assert text in checked.description
    lines = text.splitlines()
    assert lines[0].startswith("2 file(s) hold rows that fail a critical expectation")
    assert lines[1:] == [
        f"- pos_orders/epoch.csv (hash {hashes['epoch.csv'][:12]})",
        f"    {YEAR_RANGE}: 1 row(s), e.g. row 2: order_time__year=1970, "
        "order_time=1970-01-01 08:00:00",
        f"    {WITHDRAW_COMMAND} {hashes['epoch.csv'][:12]} --reason 'fails {YEAR_RANGE}'",
        f"- pos_orders/far_future.csv (hash {hashes['far_future.csv'][:12]})",
        f"    {YEAR_RANGE}: {FAR_FUTURE_ROWS} row(s), e.g. "
        "row 1: order_time__year=2099, order_time=2099-01-01 10:00:00; "
        "row 2: order_time__year=2099, order_time=2099-01-02 10:00:00; "
        "row 3: order_time__year=2099, order_time=2099-01-03 10:00:00",
        f"    {WITHDRAW_COMMAND} {hashes['far_future.csv'][:12]} --reason 'fails {YEAR_RANGE}'",
    ]
    assert "good.csv" not in checked.description


def test_the_printed_command_withdraws_the_file_and_the_check_then_names_the_rest(warehouse):
    text = validated(warehouse).metadata[FILES_AT_FAULT_METADATA].value
    lines = [line.strip() for line in text.splitlines()]
    far_future = lines.index(next(line for line in lines if "far_future.csv" in line))
    command = next(line for line in lines[far_future:] if line.startswith(WITHDRAW_COMMAND))
    arguments = shlex.split(command)[len(shlex.split(WITHDRAW_COMMAND)) :]
    assert main(arguments, settings=warehouse) == WITHDRAWN
    after = validated(warehouse).metadata[FILES_AT_FAULT_METADATA].value
    assert "epoch.csv" in after and "far_future.csv" not in after


def test_files_at_fault_show_personal_values_masked(clean_con, suites):
    result = run_mutated(
        clean_con,
        suites["mp_users"],
        "update raw.mp_users set phone = '138 1234 567x' where _row_number = 4",
    )
    [(outcome, file)] = next(iter(result.blocking_files().values()))
    assert outcome.columns == ("phone",)
    assert file.file_name == "mp_users/mp_users_2026-10.csv" and file.failing_rows == 1
    assert file.examples == ({"_row_number": 4, "phone": "999 9999 999a"},)
