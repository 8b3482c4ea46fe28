"""The Dagster job `withdraw_file`: the withdraw command (docs/withdrawing-files.md) from the
launchpad, on the deployment's working warehouse. Like the command, it is refused while a run
holds the warehouse. (No `from __future__ import annotations`: Dagster reads the op's config
class from its annotation.)"""

from pathlib import Path

import dagster as dg
from pydantic import Field

from orchestration.resources import WarehouseResource
from siyu.withdraw.requests import (
    WarehouseUnavailable,
    WithdrawalRefused,
    WithdrawalRequest,
    report,
    withdraw_requested,
)
from siyu.withdraw.withdrawals import FileQuery

WITHDRAW_JOB_NAME = "withdraw_file"


class WithdrawFileConfig(dg.Config):
    file: str = Field(
        description="The file's name as loaded (pos_orders/orders_2026-05-03.csv), its last part, "
        "its path in the landing folder, or a prefix of its content hash (6 hex digits or more)."
    )
    reason: str = Field(description="Why it is withdrawn (logged in raw.withdrawn_files).")
    withdrawn_by: str = Field(description="Who withdraws it (logged in raw.withdrawn_files).")
    source: str | None = Field(default=None, description="Only files of this source.")


@dg.op(
    description="Withdraws one loaded file: its rows leave raw and raw.quarantine, it leaves "
    "raw.loaded_files, and the withdrawal is logged in raw.withdrawn_files."
)
def withdraw_loaded_file(
    context: dg.OpExecutionContext, config: WithdrawFileConfig, warehouse: WarehouseResource
) -> None:
    try:
        request = WithdrawalRequest(
            query=FileQuery.parse(config.file, warehouse.landing, config.source),
            reason=config.reason,
            withdrawn_by=config.withdrawn_by,
        )
        withdrawal = withdraw_requested(Path(warehouse.warehouse_path), request)
    except (WarehouseUnavailable, WithdrawalRefused) as refused:
        raise dg.Failure(description=str(refused)) from None
    context.log.info(report(withdrawal))
    context.add_output_metadata(
        {
            "file_name": withdrawal.file.file_name,
            "file_hash": withdrawal.file.file_hash,
            "rows_removed": dg.MetadataValue.int(withdrawal.rows_removed),
            "quarantined_removed": dg.MetadataValue.int(withdrawal.quarantined_removed),
        }
    )


@dg.job(
    name=WITHDRAW_JOB_NAME,
    description="Withdraw a loaded file from the working warehouse (docs/withdrawing-files.md); "
    "the next daily_refresh builds and publishes without its rows.",
)
def withdraw_file_job() -> None:
    withdraw_loaded_file()
