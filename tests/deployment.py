"""A deployment of siyu for a test: its landing folder, and its warehouses under one folder."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from siyu.settings import SiyuSettings


def deployment_settings(root: Path, landing: Path) -> SiyuSettings:
    """The default settings with `landing` as the landing folder, the published and working
    warehouses under `root` (published/, work/), and neither Parquet copies nor ground truth."""
    return replace(
        SiyuSettings.from_env({}),
        landing_dir=landing,
        warehouse_path=root / "published" / "siyu.duckdb",
        work_warehouse_path=root / "work" / "siyu_work.duckdb",
        parquet_dir=None,
        ground_truth_dir=None,
    )
