"""WeChat Pay text bills (format `wechatpay_bill`): a CSV of detail rows followed by a totals
line. The detail rows are read as CSV (delimited.py); the totals become the file's summary."""

from __future__ import annotations

from pathlib import Path

from siyu.ingestion.encoding import split_wechatpay_bill
from siyu.ingestion.readers.base import FormatReader
from siyu.ingestion.readers.delimited import HEADER_ALONE, stage_delimited
from siyu.ingestion.refusals import line_ending_fault


def detail_part(path: Path, workdir: Path) -> tuple[Path, dict[str, str]]:
    """The bill's detail rows (a UTF-8 CSV in `workdir`) and its totals line."""
    parts = split_wechatpay_bill(path, workdir)
    return parts.detail_path, parts.summary


WECHATPAY_BILL = FormatReader(
    stage=stage_delimited,
    row_layout="csv",
    find_fault=line_ending_fault,
    no_record_shape=HEADER_ALONE,
    readable_part=detail_part,
)
