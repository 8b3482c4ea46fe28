"""Small POS order exports for the withdrawal tests: good rows, one that quarantines, 2099."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from siyu.ingestion.landing import landing_files
from siyu.ingestion.loader import ingest_files
from siyu.ingestion.outcomes import SourceIngestReport
from siyu.ingestion.specs import load_source_specs
from tests.landing import LandingBuilder

ORDER_HEADER = (
    "order_no,member_id,store_id,guide_id,order_time,amount,discount,coupon_id,status,items"
)
ITEMS = '"[{""sku"": ""SKU001"", ""category"": ""护肤"", ""qty"": 1, ""price"": 99.0}]"'
LOADED_AT = datetime(2026, 11, 25, 6, 0, 0)


def order_line(order_no: str, order_time: str, amount: str = "99.00") -> str:
    return f"{order_no},M0001,S01,guide_zhang,{order_time},{amount},0.00,,PAID,{ITEMS}"


def write_orders(landing: Path, name: str, lines: list[str]) -> Path:
    return LandingBuilder(landing).add_lines("pos_orders", name, [ORDER_HEADER, *lines])


def write_order_landing(landing: Path) -> None:
    """Three POS order files: one with a record that quarantines (no amount), one with an order
    time in 2099, and a file of the same name in a sub-folder (other bytes)."""
    write_orders(
        landing,
        "orders_2026-11-01.csv",
        [
            order_line("P0101", "2026-11-01 10:00:00"),
            order_line("P0102", "2026-11-01 11:00:00"),
            order_line("P0103", "2026-11-01 12:00:00", amount=""),
        ],
    )
    write_orders(
        landing,
        "orders_2026-11-02.csv",
        [order_line("P0201", "2026-11-02 10:00:00"), order_line("P0202", "2099-11-02 11:00:00")],
    )
    write_orders(
        landing, "archive/orders_2026-11-01.csv", [order_line("P0901", "2026-10-01 09:00:00")]
    )


def ingest_orders(
    con: duckdb.DuckDBPyConnection, landing: Path, loaded_at: datetime = LOADED_AT
) -> SourceIngestReport:
    spec = load_source_specs()["pos_orders"]
    return ingest_files(con, spec, landing_files(landing, spec.name), loaded_at, base_dir=landing)
