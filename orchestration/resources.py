"""Dagster resources, configured from SiyuSettings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.settings import SiyuSettings


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file and the landing folder the exports arrive in."""

    warehouse_path: str
    landing_dir: str

    @classmethod
    def from_settings(cls, settings: SiyuSettings) -> WarehouseResource:
        return cls(
            warehouse_path=str(settings.warehouse_path), landing_dir=str(settings.landing_dir)
        )

    @property
    def landing(self) -> Path:
        return Path(self.landing_dir)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection that is closed again at once, so dbt can open the file afterwards."""
        path = Path(self.warehouse_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path), read_only=read_only)
        try:
            yield con
        finally:
            con.close()
