"""Fixtures of the run guard's tests: processes that hold the run lock, a deployment in tmp."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from siyu.settings import SiyuSettings
from tests.lock_holder import LockHolder


@pytest.fixture
def lock_holder() -> Iterator[type[LockHolder]]:
    holders: list[LockHolder] = []

    def start(*args, **kwargs) -> LockHolder:
        holder = LockHolder(*args, **kwargs)
        holders.append(holder)
        return holder

    yield start
    for holder in holders:
        if holder.process.poll() is None:
            holder.process.kill()
        holder.process.communicate(timeout=30)


@pytest.fixture
def deployment(tmp_path) -> SiyuSettings:
    """Settings of a deployment under a path with a dot-directory, a space and Chinese."""
    root = tmp_path / ".local" / "share" / "思域 数据"
    return replace(
        SiyuSettings.from_env({}),
        landing_dir=root / "landing",
        warehouse_path=root / "published" / "siyu.duckdb",
        work_warehouse_path=root / "work" / "siyu_work.duckdb",
        parquet_dir=root / "parquet",
        min_free_mb=0,
    )
