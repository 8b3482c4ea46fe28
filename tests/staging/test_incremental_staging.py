"""Incremental staging: a build reads only the loads it has not read, and replaces re-delivered
records by key; `--full-refresh` reads the whole history again.

To see which rows a build read, the test marks every staged row after the first build (points =
-1, a value no export holds): a row the second build did not touch keeps the mark.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pytest

from tests.conftest import ingest_landing
from tests.dbt_runner import run_dbt
from tests.staging.members import MEMBERS, staged_members, write_members

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

MARK = -1


@dataclass(frozen=True)
class Builds:
    after_day2: dict[str, tuple[str, int]]
    after_full_refresh: dict[str, tuple[str, int]]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    root = tmp_path_factory.mktemp("incremental_staging")
    landing, warehouse, target = root / "landing", root / "warehouse.duckdb", root / "target"
    write_members(
        landing,
        "day1",
        [
            "M1,13900000001,甲,F,,S01,2026-03-01 10:00:00,GOLD,10,",
            "M2,13900000002,乙,M,,S01,2026-03-02 10:00:00,NORMAL,20,",
        ],
    )
    ingest_landing(warehouse, landing)
    run_dbt(["run", *MEMBERS], warehouse, target)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"update staging.stg_pos__members set points = {MARK}")
    write_members(
        landing,
        "day2",
        [
            "M2,13900000002,乙,M,,S01,2026-03-02 10:00:00,GOLD,25,",  # re-delivered, upgraded
            "M3,13900000003,丙,F,,S02,2026-03-03 10:00:00,NORMAL,5,",
        ],
    )
    ingest_landing(warehouse, landing)  # stamps day 2 after day 1, though its clock is fixed
    run_dbt(["run", *MEMBERS], warehouse, target)
    after_day2 = staged_members(warehouse)
    run_dbt(["run", *MEMBERS, "--full-refresh"], warehouse, target)
    return Builds(after_day2, staged_members(warehouse))


def test_an_incremental_build_leaves_the_rows_of_earlier_loads_alone(builds: Builds):
    assert builds.after_day2["M1"] == ("GOLD", MARK)


def test_a_re_delivered_record_replaces_its_row_and_a_new_one_is_added(builds: Builds):
    assert builds.after_day2["M2"] == ("GOLD", 25)
    assert builds.after_day2["M3"] == ("NORMAL", 5)
    assert len(builds.after_day2) == 3  # one row per member: M2's day-1 row was replaced


def test_a_full_refresh_reads_the_whole_history_again(builds: Builds):
    assert builds.after_full_refresh == {
        "M1": ("GOLD", 10),
        "M2": ("GOLD", 25),
        "M3": ("NORMAL", 5),
    }
