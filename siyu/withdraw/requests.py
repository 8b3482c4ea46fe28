"""A request to withdraw one file: open the working warehouse, find the one loaded file the request
names, withdraw it, and say what happened; refused, with what it could have meant, when the
request names no loaded file or several. Shared by the command (__main__.py) and the Dagster job
(jobs.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from siyu.run_guard.lock import RunLockedError, run_lock
from siyu.withdraw.log import WITHDRAWN_FILES_TABLE
from siyu.withdraw.withdrawals import (
    FileQuery,
    LoadedFile,
    Withdrawal,
    candidate_files,
    earlier_withdrawals,
    matching_files,
    withdraw_file,
)


class WarehouseUnavailable(Exception):  # noqa: N818 - a refusal, not a crash
    """The working warehouse does not exist or another process holds it."""


class WithdrawalRefused(Exception):  # noqa: N818 - a refusal, not a crash
    """The request names no loaded file, or several; nothing was withdrawn."""


@dataclass(frozen=True)
class WithdrawalRequest:
    query: FileQuery
    reason: str
    withdrawn_by: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise WithdrawalRefused("a withdrawal needs a reason: say why the file is withdrawn")
        if not self.withdrawn_by.strip():
            raise WithdrawalRefused("a withdrawal needs to say who withdraws the file")


def require_warehouse(path: Path) -> None:
    """WarehouseUnavailable when there is no working warehouse at `path` (none is created)."""
    if not path.exists():
        raise WarehouseUnavailable(
            f"no working warehouse at {path}: nothing has been loaded there "
            "(SIYU_WORK_WAREHOUSE names the working warehouse)"
        )


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection to the working warehouse; WarehouseUnavailable when it is missing
    or another process holds it (DuckDB allows one writer process)."""
    require_warehouse(path)
    try:
        return duckdb.connect(str(path))
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        raise WarehouseUnavailable(
            f"the working warehouse {path} is in use by another process (a run, or a program "
            "that holds it open), so nothing was withdrawn. Wait for the run to finish or close "
            f"the program, then run this command again. DuckDB said: {str(error).splitlines()[0]}"
        ) from error


def refusal(con: duckdb.DuckDBPyConnection, query: FileQuery, found: list[LoadedFile]) -> str:
    """Why nothing was withdrawn: what the query matches, or what it could have meant."""
    if found:
        lines = [f"{query.name!r} names {len(found)} loaded files; nothing was withdrawn."]
        lines += ["Name one of them by its hash prefix (or give its source):"]
        lines += [f"  {file.describe()}" for file in found]
        return "\n".join(lines)
    lines = [f"{query.name!r} names no loaded file; nothing was withdrawn."]
    withdrawn = earlier_withdrawals(con, query)
    if withdrawn:
        lines += ["It was withdrawn before:", *(f"  {entry}" for entry in withdrawn)]
        return "\n".join(lines)
    candidates = candidate_files(con, query)
    if candidates:
        lines += ["Loaded files with the most similar names:"]
        lines += [f"  {file.describe()}" for file in candidates]
    else:
        lines += ["The working warehouse holds no loaded file."]
    return "\n".join(lines)


def report(withdrawal: Withdrawal) -> str:
    file = withdrawal.file
    rebuild = (
        "staging in full, since a build may have staged them"
        if withdrawal.staged_rows_removed
        else "staging incrementally, since no build had read them"
    )
    return "\n".join(
        [
            f"withdrew {file.describe()}",
            f"  {withdrawal.rows_removed:,} row(s) removed from raw.{file.source}, "
            f"{withdrawal.quarantined_removed:,} quarantined record(s) from raw.quarantine",
            f"  logged in {WITHDRAWN_FILES_TABLE}: by {withdrawal.withdrawn_by}, "
            f"reason: {withdrawal.reason}",
            f"The next run builds without these rows ({rebuild}) and publishes the marts.",
            "The same bytes are skipped if delivered again; a corrected file (other bytes, any "
            "name) loads as a new delivery.",
        ]
    )


def withdraw_requested(warehouse_path: Path, request: WithdrawalRequest) -> Withdrawal:
    """Withdraw the one loaded file the request names; raises WarehouseUnavailable or
    WithdrawalRefused (with the candidates) when nothing could be withdrawn.

    The withdrawal takes the run lock of the working warehouse: it never lands between two steps
    of a running run (which would build from raw rows the run had counted on). The Dagster job
    already holds the lock through its guarded executor and takes it again at once."""
    require_warehouse(warehouse_path)
    try:
        with (
            run_lock(warehouse_path, run_id=f"withdraw {request.query.name}"),
            connect(warehouse_path) as con,
        ):
            found = matching_files(con, request.query)
            if len(found) != 1:
                raise WithdrawalRefused(refusal(con, request.query, found))
            return withdraw_file(
                con,
                found[0],
                request.reason.strip(),
                withdrawn_by=request.withdrawn_by.strip(),
                withdrawn_at=datetime.now(UTC).replace(tzinfo=None),
            )
    except RunLockedError as locked:
        raise WarehouseUnavailable(
            f"{locked} Nothing was withdrawn: run this command again when the run has finished."
        ) from locked
