"""Shared fixtures: the test suite's hash key; a warehouse built from the hand-made quirk landing
folder; and how `make test` shares the tests between its workers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from xdist.scheduler import LoadScopeScheduling

from siyu.hash_key import KEY_ENV, HashKey
from siyu.ingestion.landing import landing_files
from siyu.ingestion.loader import ingest_files
from siyu.ingestion.specs import load_source_specs
from siyu.settings import environment_set
from tests.dbt_runner import run_dbt
from tests.fixtures.quirk_landing import write_quirk_landing


def worker_group(nodeid: str) -> str:
    """Which tests one pytest-xdist worker of `make test` runs together.

    A folder's tests share its session and module fixtures (the Spark session and the sample built
    on both engines, the bench run, built warehouses), which then build once: a folder under
    tests/ is one group, a test module at the top level is a group of its own.
    """
    parts = nodeid.split("::", 1)[0].split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else parts[-1]


# The groups that take longest (`make test` prints the slowest durations), slowest first: they
# start first, so that no long group starts last while the other worker has nothing left to run.
SLOWEST_GROUPS = (
    "tests/faults",
    "tests/spark",
    "tests/bench",
    "tests/incremental",
    "tests/tags",
    "tests/privacy",
)


class FolderScheduling(LoadScopeScheduling):
    """xdist's scope scheduling (a scope runs on one worker, largest scopes first), with the
    scope a folder instead of a module, and the SLOWEST_GROUPS handed out before the others.
    (`--dist loadgroup` with xdist_group marks would say the same, but xdist 3.8 cannot rename
    pytest 9.2's node ids, so its groups are ignored.)"""

    def _split_scope(self, nodeid: str) -> str:
        return worker_group(nodeid)

    def _assign_work_unit(self, node) -> None:
        slowest_waiting = next((group for group in SLOWEST_GROUPS if group in self.workqueue), None)
        if slowest_waiting is not None:
            self.workqueue.move_to_end(slowest_waiting, last=False)
        super()._assign_work_unit(node)


def pytest_xdist_make_scheduler(config: pytest.Config, log) -> FolderScheduling:
    return FolderScheduling(config, log)


# The two tiers: a module whose tests need a dbt build, a Spark session or a whole run says so
# with `pytestmark = pytest.mark.build`; `make test-fast` leaves those out (`-m "not build"`).
# While an unmarked test (or a fixture it asks for) runs, dbt refuses to start (tests/dbt_runner),
# so a module that forgets the mark fails in the fast tier instead of making it slow.
MAY_BUILD_ENV = "SIYU_TEST_MAY_BUILD"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    os.environ[MAY_BUILD_ENV] = "1" if item.get_closest_marker("build") else "0"
    return (yield)


# The one hash key of the test suite: tests build landings in temporary folders, where siyu refuses
# the sample key; the fixture below gives every run, dbt call and helper this key instead.
TEST_HASH_KEY = HashKey(b"siyu-test-suite-hash-key-not-a-secret", origin="the test suite's key")


@pytest.fixture(scope="session", autouse=True)
def test_hash_key() -> Iterator[HashKey]:
    """SIYU_HASH_KEY set to TEST_HASH_KEY for the whole session (dbt processes inherit it)."""
    with environment_set({KEY_ENV: TEST_HASH_KEY.secret.decode()}):
        yield TEST_HASH_KEY


def phone_hash(mobile: str, key: HashKey = TEST_HASH_KEY) -> str:
    """The hash staging must produce: HMAC-SHA256 hex of the 11-digit mobile under the key,
    computed here by Python's hmac module."""
    return key.hexdigest(mobile)


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
