"""Reading and altering a test's warehouse file with plain SQL (outside dbt)."""

from __future__ import annotations

from pathlib import Path

import duckdb


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def execute(warehouse: Path, sql: str, params: list | None = None) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute(sql, params or [])


def customer_of(warehouse: Path, id_type: str, id_value: str) -> str:
    """The customer an identifier resolves to."""
    (row,) = query(
        warehouse,
        "select customer_id from intermediate.int_identity__customer_ids "
        "where id_type = ? and id_value = ?",
        [id_type, id_value],
    )
    return row[0]
