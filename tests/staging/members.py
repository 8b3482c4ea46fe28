"""POS member exports by day, and the staged members, for the incremental staging tests."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.fixtures.identity_landing import MEMBER_HEADER
from tests.landing import LandingBuilder

# dbt's selection of the one incremental model these tests build
MEMBERS = ["--select", "stg_pos__members"]


def write_members(landing: Path, day: str, rows: list[str]) -> None:
    LandingBuilder(landing).add("pos_members", f"{day}.csv", MEMBER_HEADER + "\n".join(rows) + "\n")


def staged_members(warehouse: Path) -> dict[str, tuple[str, int]]:
    """member id -> (level, points) in staging.stg_pos__members."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select member_id, member_level, points from staging.stg_pos__members"
        ).fetchall()
    return {member_id: (level, points) for member_id, level, points in rows}
