"""The funnel evidence and stages are computed again only for the customers a build touched
(int_funnel__touched_customers, incremental on DuckDB; docs/schedules.md), and still equal a full
computation.

- The calendar moves with no data changed (no touch, order or identifier lists anyone): as_of
  goes back (evidence leaves) and forward again (it enters).
- What the kept evidence says no longer matches the data, in the ways only one rule of the list
  notices (a kept row is altered, as a change of the data would have left it): an app event
  that no longer resolves as kept, a first sighting that moved, a sighting of a customer nothing
  acquired, app events loaded since the last build, an identifier that belonged to another
  customer. The next build puts the customer right, and only that customer.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.dbt_runner import run_dbt
from tests.funnel import landing as scenario
from tests.warehouse_sql import customer_of, execute, query

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

# dan's first AppStart (06-25), fay's second store order (06-25) and hal (06-28) are after this
# moment; the other five customers' evidence is all before it
EARLIER = "2026-06-22 12:00:00"
TABLES = ("int_funnel__stage_evidence", "int_funnel__customer_stages")
# the funnel marts with everything upstream, and the record of what the evidence took in
SELECT = ["--select", "+path:models/marts/funnel", "int_funnel__evidence_basis"]
EVIDENCE = "intermediate.int_funnel__stage_evidence"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return scenario.funnel_warehouse(tmp_path_factory)


def build(warehouse: Path, target: Path, as_of: str = scenario.AS_OF, *extra: str) -> None:
    run_dbt(
        ["run", *SELECT, *extra, "--vars", scenario.as_of_vars(siyu_as_of=as_of)], warehouse, target
    )


def rows(warehouse: Path, table: str) -> list[tuple]:
    return sorted(query(warehouse, f"select * from intermediate.{table}"), key=repr)


def tables(warehouse: Path) -> dict[str, list[tuple]]:
    return {table: rows(warehouse, table) for table in TABLES}


def touched(warehouse: Path) -> list[str]:
    return [
        row[0]
        for row in query(
            warehouse, "select customer_id from intermediate.int_funnel__touched_customers"
        )
    ]


@pytest.fixture(scope="module")
def daily(warehouse, tmp_path_factory) -> Path:
    """The built scenario after one incremental build, which records what the evidence took in
    (int_funnel__evidence_basis; without it every customer is touched)."""
    root = tmp_path_factory.mktemp("funnel-daily")
    path = root / "daily.duckdb"
    shutil.copy(warehouse, path)
    build(path, root / "target")
    assert tables(path) == tables(warehouse)
    return path


def test_evidence_follows_the_calendar_back_and_forth(warehouse, daily, tmp_path):
    moved, rebuilt = tmp_path / "moved.duckdb", tmp_path / "rebuilt.duckdb"
    shutil.copy(daily, moved)
    shutil.copy(warehouse, rebuilt)
    as_built = tables(warehouse)

    build(moved, tmp_path / "t1", EARLIER)
    build(rebuilt, tmp_path / "t2", EARLIER, "--full-refresh")
    assert len(touched(moved)) == 3  # dan, fay and hal: not everyone
    earlier = tables(rebuilt)
    for table in TABLES:
        assert earlier[table] != as_built[table], table  # evidence after EARLIER left
    assert tables(moved) == earlier

    build(moved, tmp_path / "t3")
    assert len(touched(moved)) == 3
    assert tables(moved) == as_built


@pytest.fixture
def copy(daily, tmp_path) -> Path:
    """A copy of `daily` to alter."""
    path = tmp_path / "daily.duckdb"
    shutil.copy(daily, path)
    return path


def assert_put_right(path: Path, daily: Path, customers: list[str], *extra: str) -> None:
    """The next build touches these customers alone and leaves the tables as built in full."""
    build(path, path.parent / "target", scenario.AS_OF, *extra)
    assert sorted(touched(path)) == sorted(customers)
    assert tables(path) == tables(daily)


def test_a_kept_app_evidence_that_no_longer_matches_its_event_is_computed_again(daily, copy):
    ann = customer_of(copy, "oa_openid", "oOAann")
    execute(
        copy,
        f"update {EVIDENCE} set evidence_at = evidence_at + interval 1 day "
        "where customer_id = ? and evidence_type = 'app_start'",
        [ann],
    )
    assert_put_right(copy, daily, [ann])


def test_a_kept_first_sighting_that_moved_is_computed_again(daily, copy):
    eve = customer_of(copy, "mp_openid", "oMPeve")
    execute(
        copy,
        f"insert into {EVIDENCE} (customer_id, evidence_type, evidence_at, evidence_key, "
        "evidence_channel) values (?, 'first_seen', timestamp '2026-01-01 00:00:00', ?, 'app')",
        [eve, eve],
    )
    assert_put_right(copy, daily, [eve])


def test_app_events_loaded_since_the_last_build_touch_their_customers(daily, copy):
    dan = customer_of(copy, "app_user_id", "app-dan")
    ann = customer_of(copy, "oa_openid", "oOAann")
    execute(
        copy, f"delete from {EVIDENCE} where customer_id = ? and evidence_type = 'app_start'", [dan]
    )
    # the last build took in no app events: every load of them is new
    execute(
        copy,
        "update intermediate.int_funnel__evidence_basis set app_events_loaded_through = "
        "(select min(source_loaded_at) - interval 1 second from staging.stg_app__events)",
    )
    assert_put_right(copy, daily, [ann, dan])  # the two app users


def test_a_first_sighting_where_nothing_acquired_the_customer_is_computed_again(daily, copy):
    eve = customer_of(copy, "mp_openid", "oMPeve")
    # as the last build left a customer it saw no sighting of (or only one after its as_of)
    execute(copy, f"delete from {EVIDENCE} where customer_id = ?", [eve])
    assert_put_right(copy, daily, [eve])


def test_an_identifier_that_moved_touches_both_customers(daily, copy):
    dan = customer_of(copy, "app_user_id", "app-dan")
    elsewhere = "C0000000000000000"
    execute(
        copy, f"delete from {EVIDENCE} where customer_id = ? and evidence_type = 'app_start'", [dan]
    )
    # as if dan's identifiers belonged to another customer before this build (a merge); the
    # identity model is left out of the build so that what it says stands
    execute(
        copy,
        "update intermediate.int_identity__customer_ids set previous_customer_id = ? "
        "where customer_id = ?",
        [elsewhere, dan],
    )
    assert_put_right(copy, daily, [dan, elsewhere], "--exclude", "int_identity__customer_ids")
