"""Raw warehouses for the quality tests: the clean exports and the quirk landing, ingested only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from siyu.ingestion.landing import landing_files
from siyu.ingestion.loader import ingest_files
from siyu.ingestion.specs import load_source_specs
from siyu.quality.results import SuiteResult
from siyu.quality.runner import run_suite
from siyu.quality.suites import SuiteDefinition, load_suites
from tests.fixtures.quirk_landing import write_quirk_landing
from tests.quality.clean_landing import write_clean_landing

LOADED_AT = datetime(2026, 11, 25, 6, 0, 0)


def ingest_raw(warehouse: Path, landing: Path) -> None:
    """Load every source folder of `landing` into raw (no dbt)."""
    with duckdb.connect(str(warehouse)) as con:
        for spec in load_source_specs().values():
            report = ingest_files(
                con, spec, landing_files(landing, spec.name), LOADED_AT, base_dir=landing
            )
            assert report.rows_quarantined == 0, (spec.name, report)


@pytest.fixture(scope="session")
def suites() -> dict[str, SuiteDefinition]:
    return load_suites()


@pytest.fixture(scope="session")
def clean_raw_warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("clean_raw")
    write_clean_landing(root / "landing")
    ingest_raw(root / "warehouse.duckdb", root / "landing")
    return root / "warehouse.duckdb"


@pytest.fixture(scope="session")
def quirk_raw_warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("quirk_raw")
    write_quirk_landing(root / "landing")
    ingest_raw(root / "warehouse.duckdb", root / "landing")
    return root / "warehouse.duckdb"


@pytest.fixture
def clean_con(clean_raw_warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(clean_raw_warehouse))
    yield con
    con.close()


@pytest.fixture
def quirk_con(quirk_raw_warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(quirk_raw_warehouse))
    yield con
    con.close()


@contextmanager
def mutated(con: duckdb.DuckDBPyConnection, *statements: str) -> Iterator[None]:
    """Apply `statements` in a transaction that is rolled back afterwards."""
    con.begin()
    try:
        for statement in statements:
            con.execute(statement)
        yield
    finally:
        con.rollback()


def run_mutated(
    con: duckdb.DuckDBPyConnection, suite: SuiteDefinition, *statements: str
) -> SuiteResult:
    with mutated(con, *statements):
        return run_suite(con, suite)
