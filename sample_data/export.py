"""What every source builder hands to the writer: dated records, a file layout, planted faults,
and the identifiers each record carries (for the ground truth)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from typing import Any

import numpy as np


class Split(Enum):
    """How one delivery of a source is cut into files."""

    MONTH = "month"  # one file per calendar month of the records' dates
    DAY = "day"  # one file per day (bills, ad reports)
    SNAPSHOT = "snapshot"  # one export of everything up to the delivery date


@dataclass(frozen=True)
class CsvLayout:
    prefix: str
    header: tuple[str, ...]
    split: Split
    encoding: str = "utf-8"
    bom: bool = False
    newline: str = "\n"
    # columns whose values are always double-quoted, empty ones too (`""`)
    quoted: frozenset[str] = frozenset()
    # the header's last `newer_columns` columns: files whose first record is dated before
    # `newer_from_day` are written without them (an export format that grew columns)
    newer_columns: int = 0
    newer_from_day: int = 0


@dataclass(frozen=True)
class BillLayout:
    """The WeChat Pay text bill: backtick-prefixed values, then a summary header and totals."""

    prefix: str
    header: tuple[str, ...]
    summary_header: tuple[str, ...]
    summary: Callable[[list[Sequence[str]]], list[str]]
    newline: str = "\r\n"
    split: Split = Split.DAY


@dataclass(frozen=True)
class JsonLinesLayout:
    prefix: str
    split: Split


@dataclass(frozen=True)
class PageContext:
    page: int
    total_pages: int
    total_records: int
    page_size: int
    cursor: str


@dataclass(frozen=True)
class JsonPagesLayout:
    """API responses saved one page per file; `envelope` wraps a page's serialised records."""

    prefix: str
    split: Split
    page_size: int
    envelope: Callable[[list[Any], PageContext], str]
    error_page: str = ""


Layout = CsvLayout | BillLayout | JsonLinesLayout | JsonPagesLayout


class FaultKind(Enum):
    VALUE = "value"  # already written into the record's fields
    DROP_COLUMNS = "drop_columns"  # the CSV line loses its last two fields
    TRUNCATE = "truncate"  # the JSON line is cut in the middle
    ERROR_PAGE = "error_page"  # an API error page precedes the record's page


@dataclass(frozen=True)
class RecordFault:
    kind: FaultKind
    field: str
    description: str


@dataclass
class ExportTable:
    """All records of one source over the whole universe, before any delivery filter."""

    source: str
    layout: Layout
    days: np.ndarray
    sort_key: np.ndarray
    rows: list[Any]
    faults: dict[int, RecordFault] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not (len(self.days) == len(self.sort_key) == len(self.rows)):
            raise ValueError(f"{self.source}: days, sort keys and rows differ in length")


class IdKind(IntEnum):
    UNIONID = 0
    OA_OPENID = 1
    MP_OPENID = 2
    WECOM = 3
    PHONE = 4
    MEMBER = 5
    TMALL = 6
    DOUYIN = 7
    APP_USER = 8
    DEVICE = 9
    JD = 10


ID_TYPES = {
    IdKind.UNIONID: "unionid",
    IdKind.OA_OPENID: "oa_openid",
    IdKind.MP_OPENID: "mp_openid",
    IdKind.WECOM: "wecom_external_userid",
    IdKind.PHONE: "phone",
    IdKind.MEMBER: "member_id",
    IdKind.TMALL: "tmall_buyer",
    IdKind.DOUYIN: "douyin_buyer",
    IdKind.APP_USER: "app_user_id",
    IdKind.DEVICE: "device_id",
    IdKind.JD: "jd_buyer",
}


@dataclass
class IdentityTrail:
    """Where real (non-junk) identifiers appear and which appear together in one record.

    Entities are person indices, except device ids (device indices).
    """

    seen_parts: list[tuple[int, np.ndarray, np.ndarray]] = field(default_factory=list)
    link_parts: list[tuple[int, np.ndarray, int, np.ndarray, np.ndarray, str]] = field(
        default_factory=list
    )

    def seen(self, kind: IdKind, entities: np.ndarray, days: np.ndarray) -> None:
        entities = np.asarray(entities, dtype=np.int64)
        self.seen_parts.append((int(kind), entities, np.asarray(days, dtype=np.int64)))

    def link(
        self,
        kind_a: IdKind,
        entities_a: np.ndarray,
        kind_b: IdKind,
        entities_b: np.ndarray,
        days: np.ndarray,
        source: str,
    ) -> None:
        """Identifiers carried by one record; both are also marked as seen."""
        self.seen(kind_a, entities_a, days)
        self.seen(kind_b, entities_b, days)
        self.link_parts.append(
            (
                int(kind_a),
                np.asarray(entities_a, dtype=np.int64),
                int(kind_b),
                np.asarray(entities_b, dtype=np.int64),
                np.asarray(days, dtype=np.int64),
                source,
            )
        )
