"""Fixtures of the ingestion tests."""

from __future__ import annotations

import duckdb
import pytest


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse."""
    connection = duckdb.connect()
    yield connection
    connection.close()
