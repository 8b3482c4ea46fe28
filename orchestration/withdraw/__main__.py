"""`python -m orchestration.withdraw FILE --reason "..." [--by NAME] [--source SOURCE]`.

Withdraws one loaded file from the working warehouse (SIYU_WORK_WAREHOUSE): its rows leave
raw.<source>, its quarantined records leave raw.quarantine, it leaves raw.loaded_files, and the
withdrawal is logged in raw.withdrawn_files. FILE is the file's name as loaded
(`pos_orders/orders_2026-05-03.csv`), its last part (`orders_2026-05-03.csv`), its path in the
landing folder, or a prefix of its content hash (at least 6 hex digits). A name that matches no
loaded file, or more than one, is refused with the candidates. See docs/withdrawing-files.md.

Exit status: 0 withdrawn, 1 refused (unknown, ambiguous or already withdrawn), 2 the working
warehouse is missing or in use.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.ingestion.specs import load_source_specs
from orchestration.settings import SiyuSettings
from orchestration.withdraw.log import WITHDRAW_COMMAND, WITHDRAWN_FILES_TABLE
from orchestration.withdraw.withdrawals import (
    FileQuery,
    LoadedFile,
    Withdrawal,
    candidate_files,
    earlier_withdrawals,
    matching_files,
    withdraw_file,
)

WITHDRAWN, REFUSED, UNAVAILABLE = 0, 1, 2


class WarehouseUnavailable(Exception):  # noqa: N818 - a refusal, not a crash
    """The working warehouse does not exist or another process holds it."""


def os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=WITHDRAW_COMMAND,
        description="Withdraw a loaded file from the working warehouse "
        "(docs/withdrawing-files.md).",
    )
    parser.add_argument(
        "file",
        help="the file's name as loaded, its last part, its path in the landing folder, or a "
        "prefix of its content hash (6 hex digits or more)",
    )
    parser.add_argument("--reason", required=True, help="why it is withdrawn (logged)")
    parser.add_argument("--by", default=None, help="who withdraws it (default: the OS user)")
    parser.add_argument(
        "--source",
        choices=sorted(load_source_specs()),
        metavar="SOURCE",
        help="only files of this source (a landing sub-folder, e.g. pos_orders)",
    )
    return parser


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection to the working warehouse; WarehouseUnavailable when it is missing
    or another process holds it (DuckDB allows one writer process)."""
    if not path.exists():
        raise WarehouseUnavailable(
            f"no working warehouse at {path}: nothing has been loaded there "
            "(SIYU_WORK_WAREHOUSE names the working warehouse)"
        )
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
        lines += ["Name one of them by its hash prefix (or add --source):"]
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


def main(argv: list[str] | None = None, settings: SiyuSettings | None = None) -> int:
    arguments = _parser().parse_args(argv)
    reason = arguments.reason.strip()
    if not reason:
        print("--reason must say why the file is withdrawn", file=sys.stderr)
        return REFUSED
    settings = settings or SiyuSettings.from_env()
    query = FileQuery.parse(arguments.file, settings.landing_dir, arguments.source)
    try:
        con = connect(settings.work_warehouse_path)
    except WarehouseUnavailable as unavailable:
        print(unavailable, file=sys.stderr)
        return UNAVAILABLE
    with con:
        found = matching_files(con, query)
        if len(found) != 1:
            print(refusal(con, query, found), file=sys.stderr)
            return REFUSED
        withdrawal = withdraw_file(
            con,
            found[0],
            reason,
            withdrawn_by=(arguments.by or os_user()).strip() or os_user(),
            withdrawn_at=datetime.now(UTC).replace(tzinfo=None),
        )
    print(report(withdrawal))
    return WITHDRAWN


if __name__ == "__main__":
    sys.exit(main())
