"""Shared fixtures: a warehouse built from the hand-made quirk landing folder."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.ingestion.loader import ingest_files, landing_files
from orchestration.ingestion.specs import load_source_specs
from orchestration.settings import DEFAULT_HASH_SALT
from tests.dbt_runner import run_dbt
from tests.fixtures.quirk_landing import write_quirk_landing


def phone_hash(mobile: str, salt: str = DEFAULT_HASH_SALT) -> str:
    """The hash staging must produce: sha256 hex of salt || 11-digit mobile (computed here)."""
    return hashlib.sha256(f"{salt}{mobile}".encode()).hexdigest()


def ingest_landing(warehouse: Path, landing: Path) -> dict[str, tuple[int, int]]:
    """Load every source of a landing folder; returns (loaded, quarantined) per source."""
    counts = {}
    with duckdb.connect(str(warehouse)) as con:
        for spec in load_source_specs().values():
            report = ingest_files(
                con,
                spec,
                landing_files(landing, spec.name),
                datetime(2026, 11, 25),
                base_dir=landing,
            )
            counts[spec.name] = (report.rows_loaded, report.rows_quarantined)
    return counts


@pytest.fixture(scope="session")
def quirk_warehouse(tmp_path_factory) -> Path:
    """The quirk landing ingested and built through dbt staging (one dbt build per session)."""
    root = tmp_path_factory.mktemp("quirks")
    write_quirk_landing(root / "landing")
    warehouse = root / "warehouse.duckdb"
    counts = ingest_landing(warehouse, root / "landing")
    assert all(quarantined == 0 for _, quarantined in counts.values()), counts
    run_dbt(
        ["build", "--select", "staging", "--indirect-selection", "cautious"],
        warehouse,
        root / "target",
    )
    return warehouse


@pytest.fixture
def quirk_db(quirk_warehouse) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(quirk_warehouse), read_only=True)
    yield con
    con.close()
