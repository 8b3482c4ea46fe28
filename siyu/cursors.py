"""Work on a DuckDB connection side by side: each item on a cursor of its own."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TypeVar

import duckdb

Item = TypeVar("Item")
Result = TypeVar("Result")


def on_cursors(
    con: duckdb.DuckDBPyConnection,
    items: Iterable[Item],
    workers: int,
    work: Callable[[duckdb.DuckDBPyConnection, Item], Result],
    in_order: bool = True,
) -> Iterator[tuple[Item, Result]]:
    """`work(cursor, item)` for every item, `workers` at a time, each on its own cursor of `con`
    (DuckDB works outside the GIL); yields (item, result) in the order given, or as each
    finishes when not `in_order`. Items start in the order given."""

    def on_cursor(item: Item) -> Result:
        with con.cursor() as cursor:
            return work(cursor, item)

    with ThreadPoolExecutor(workers) as pool:
        futures = {pool.submit(on_cursor, item): item for item in items}
        for future in futures if in_order else as_completed(futures):
            yield futures[future], future.result()
