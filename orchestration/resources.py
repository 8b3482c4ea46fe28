"""Dagster resources, configured from SiyuSettings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from siyu.hash_key import HashKey, resolve_hash_key
from siyu.settings import SiyuSettings
from siyu.spark import spark_env

# the Spark folder when none is configured (relative to the working directory)
DEFAULT_SPARK_FOLDER = "warehouse/spark"


class WarehouseResource(dg.ConfigurableResource):
    """The working DuckDB warehouse runs write to, where it is published, and the landing folder.

    `warehouse_path` is the working warehouse: ingestion, dbt and the audit use it. Marts reach
    `published_path` (what BI tools read) only through siyu/publish. With the dbt target
    `spark`, dbt builds on Spark from the raw layer handed over as Parquet in `spark_dir`, and the
    built tables come back into the working warehouse (siyu/spark.py).

    The hash key is no field: Dagster keeps resource config in its run storage. It is resolved
    from the environment or the key file when needed (`hash_key`, siyu/hash_key.py).
    """

    warehouse_path: str
    published_path: str
    landing_dir: str
    parquet_dir: str | None = None
    dbt_target: str = "duckdb"
    spark_dir: str | None = None
    force_build: bool = False
    full_refresh: bool = False
    # publish although the contract marts shrink more than the audit allows (publish/audit.yml)
    allow_shrink: bool = False

    @classmethod
    def from_settings(cls, settings: SiyuSettings) -> WarehouseResource:
        return cls(
            warehouse_path=str(settings.work_warehouse_path),
            published_path=str(settings.warehouse_path),
            landing_dir=str(settings.landing_dir),
            parquet_dir=str(settings.parquet_dir) if settings.parquet_dir else None,
            dbt_target=settings.dbt_target,
            spark_dir=str(settings.spark_dir),
            force_build=settings.force_build,
            full_refresh=settings.full_refresh,
            allow_shrink=settings.allow_shrink,
        )

    @property
    def landing(self) -> Path:
        return Path(self.landing_dir)

    @property
    def spark_folder(self) -> Path:
        """Where dbt's Spark target works (siyu/spark.py)."""
        return Path(self.spark_dir or DEFAULT_SPARK_FOLDER)

    def dbt_environment(self) -> dict[str, str]:
        """The variables the connection profile (profiles.yml) reads, as a build sets them.

        dbt keeps its partial-parse state only while the profile's connection values stay the
        same; a parse with other values makes the next build parse the whole project again.
        """
        environment = {"SIYU_WORK_WAREHOUSE": self.warehouse_path}
        if self.dbt_target == "spark":
            environment.update(spark_env(self.spark_folder))
        return environment

    def data_dirs(self) -> list[Path]:
        """The folders siyu writes the warehouse to (a hash key file must never be in one)."""
        folders = [Path(self.warehouse_path).parent, Path(self.published_path).parent]
        folders += [Path(path) for path in (self.parquet_dir, self.spark_dir) if path]
        return folders

    def hash_key(self) -> HashKey:
        """The key this deployment hashes with (created on first use outside the sample)."""
        return resolve_hash_key(self.landing, self.data_dirs())

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
