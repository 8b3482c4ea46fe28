"""One reader per file format of sources.yml: each stages a batch of new files of a source into
the temp tables of staging.py (records, parse failures) and refuses the files that are not of
its format. See base.FormatReader for what a reader tells the loader."""

from __future__ import annotations

from siyu.ingestion.readers.base import FormatReader
from siyu.ingestion.readers.bills import WECHATPAY_BILL
from siyu.ingestion.readers.delimited import CSV
from siyu.ingestion.readers.json_lines import JSON_LINES
from siyu.ingestion.readers.json_pages import JSON_PAGES

READERS: dict[str, FormatReader] = {
    "csv": CSV,
    "wechatpay_bill": WECHATPAY_BILL,
    "json_pages": JSON_PAGES,
    "jsonl": JSON_LINES,
}


def reader_for(file_format: str) -> FormatReader:
    return READERS[file_format]
