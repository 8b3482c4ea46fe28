"""`python -m siyu.withdraw FILE --reason "..." [--by NAME] [--source SOURCE]`.

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

from siyu.ingestion.specs import load_source_specs
from siyu.settings import SiyuSettings
from siyu.withdraw.log import WITHDRAW_COMMAND
from siyu.withdraw.requests import (
    WarehouseUnavailable,
    WithdrawalRefused,
    WithdrawalRequest,
    report,
    withdraw_requested,
)
from siyu.withdraw.withdrawals import FileQuery

WITHDRAWN, REFUSED, UNAVAILABLE = 0, 1, 2


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


def main(argv: list[str] | None = None, settings: SiyuSettings | None = None) -> int:
    arguments = _parser().parse_args(argv)
    settings = settings or SiyuSettings.from_env()
    try:
        request = WithdrawalRequest(
            query=FileQuery.parse(arguments.file, settings.landing_dir, arguments.source),
            reason=arguments.reason,
            withdrawn_by=arguments.by or os_user(),
        )
        withdrawal = withdraw_requested(settings.work_warehouse_path, request)
    except WarehouseUnavailable as unavailable:
        print(unavailable, file=sys.stderr)
        return UNAVAILABLE
    except WithdrawalRefused as refused:
        print(refused, file=sys.stderr)
        return REFUSED
    print(report(withdrawal))
    return WITHDRAWN


if __name__ == "__main__":
    sys.exit(main())
