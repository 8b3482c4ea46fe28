"""dim_customer and fct_customer_funnel write again only the customers a build touched
(incremental on DuckDB; docs/schedules.md) and still equal a full computation.

Every kept row is first marked in a column the build takes from the kept row unless it computes
the customer again: dim_customer's first_seen_channel (the touches decide it) and
fct_customer_funnel's acquired_by (the funnel evidence decides it). A row computed again has its
real value back; a row left alone keeps the mark. So each test shows both that the build put the
right customers right and that it left everyone else's row alone. For fct_customer_funnel the
mark shows whose stage times were computed again; its other columns are compared with the data
on every build, so a row that differs from the data is put right with the mark kept.

- Nothing changed: nobody is written.
- The calendar moves with no data changed: only the customers whose thresholds (recency,
  lifecycle, funnel stages) differ between the two moments are written.
- A kept row differs from what the data now gives (as a change of the data would have left it):
  that customer alone is written again.
- A touch of a customer changed: that customer's row is computed again.
- A customer no identifier resolves to any more (merged into another) is deleted.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.dbt_runner import run_dbt
from tests.funnel import landing as scenario
from tests.warehouse_sql import customer_of, execute, query

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

EARLIER = "2026-04-25 12:00:00"
MARK = "marked"
# the two marts with everything upstream, and what the funnel evidence took in
SELECT = ["--select", "+fct_customer_funnel", "int_funnel__evidence_basis"]
# each mart: the column marked, and its position in a row
MARKED = {
    "marts.dim_customer": ("first_seen_channel", 2),
    "marts.fct_customer_funnel": ("acquired_by", 2),
}
DIM, FUNNEL = MARKED


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """The funnel scenario after one more build, which records what the evidence took in."""
    path = tmp_path_factory.mktemp("customer-rows") / "warehouse.duckdb"
    shutil.copy(scenario.funnel_warehouse(tmp_path_factory), path)
    build(path)
    # the mark in dim_customer.first_seen_channel stays out of the funnel evidence only while no
    # customer is acquired by a first sighting (int_funnel__touched_customers compares it)
    sightings = (
        "select count(*) from intermediate.int_funnel__stage_evidence where evidence_type = ?"
    )
    assert query(path, sightings, ["first_seen"]) == [(0,)]
    return path


def build(warehouse: Path, as_of: str = scenario.AS_OF, *extra: str) -> None:
    target = warehouse.parent / "target"
    run_dbt(
        ["run", *SELECT, *extra, "--vars", scenario.as_of_vars(siyu_as_of=as_of)], warehouse, target
    )


def customers(warehouse: Path, mart: str) -> dict[str, tuple]:
    """Each customer's row of a mart, by customer_id."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {row[0]: row for row in con.execute(f"select * from {mart}").fetchall()}


def marked(row: tuple, mart: str) -> tuple:
    position = MARKED[mart][1]
    return (*row[:position], MARK, *row[position + 1 :])


def written_again(warehouse: Path, mart: str) -> set[str]:
    """The customers whose marked row the last build computed again."""
    column = MARKED[mart][0]
    sql = f"select customer_id from {mart} where {column} is distinct from ?"
    return {row[0] for row in query(warehouse, sql, [MARK])}


@pytest.fixture
def copy(warehouse, tmp_path) -> Path:
    """A copy of the built scenario whose kept rows are all marked."""
    path = tmp_path / "marked" / "warehouse.duckdb"
    path.parent.mkdir()
    shutil.copy(warehouse, path)
    for mart, (column, _) in MARKED.items():
        execute(path, f"update {mart} set {column} = ?", [MARK])
    return path


def test_nothing_changed_writes_nobody(copy):
    build(copy)
    assert written_again(copy, DIM) == set()
    assert written_again(copy, FUNNEL) == set()


def test_the_calendar_writes_only_the_customers_whose_thresholds_it_crosses(
    warehouse, copy, tmp_path
):
    rebuilt = tmp_path / "rebuilt.duckdb"
    shutil.copy(warehouse, rebuilt)
    build(rebuilt, EARLIER, "--full-refresh")
    build(copy, EARLIER)
    for mart in MARKED:
        as_built, earlier = customers(warehouse, mart), customers(rebuilt, mart)
        moved = {customer for customer, row in earlier.items() if row != as_built.get(customer)}
        assert moved and moved != set(earlier), mart  # some customers differ, not everyone
        # as a full build at EARLIER gives them, but for the mark on the rows not computed again
        written = written_again(copy, mart)
        assert customers(copy, mart) == {
            customer: row if customer in written else marked(row, mart)
            for customer, row in earlier.items()
        }, mart
    as_built, earlier = customers(warehouse, DIM), customers(rebuilt, DIM)
    assert written_again(copy, DIM) == {c for c, row in earlier.items() if row != as_built[c]}
    evidence_touched = {
        row[0]
        for row in query(copy, "select customer_id from intermediate.int_funnel__touched_customers")
    }
    assert written_again(copy, FUNNEL) == evidence_touched & set(customers(rebuilt, FUNNEL))


def test_a_kept_row_that_differs_from_the_data_is_written_again(warehouse, copy):
    cat = customer_of(copy, "member_id", "M001")
    execute(copy, f"update {DIM} set gender = 'x', orders_count = 99 where customer_id = ?", [cat])
    execute(
        copy,
        f"update {FUNNEL} set is_recall_sent = not is_recall_sent where customer_id = ?",
        [cat],
    )
    build(copy)
    assert written_again(copy, DIM) == {cat}
    assert customers(copy, DIM)[cat] == customers(warehouse, DIM)[cat]
    # the funnel row is put right from the kept stage times (the evidence did not change)
    assert written_again(copy, FUNNEL) == set()
    assert customers(copy, FUNNEL)[cat] == marked(customers(warehouse, FUNNEL)[cat], FUNNEL)


def test_a_customer_whose_touches_changed_is_written_again(warehouse, copy):
    eve = customer_of(copy, "mp_openid", "oMPeve")
    # as if the last build had kept another version of one of eve's touches
    execute(
        copy,
        "update intermediate.int_touchpoints__unioned set signal_value = 'before' "
        "where touchpoint_key = (select min(touchpoint_key) "
        "from intermediate.int_touchpoints__unioned where customer_id = ?)",
        [eve],
    )
    build(copy)
    for mart in MARKED:
        assert written_again(copy, mart) == {eve}, mart
        assert customers(copy, mart)[eve] == customers(warehouse, mart)[eve], mart


def test_a_customer_no_identifier_resolves_to_is_deleted(warehouse, copy):
    gone = "C-merged-away"
    for mart in MARKED:
        execute(
            copy,
            f"insert into {mart} select * replace (? as customer_id) from {mart} limit 1",
            [gone],
        )
    build(copy)
    for mart in MARKED:
        assert set(customers(copy, mart)) == set(customers(warehouse, mart)), mart
        assert written_again(copy, mart) == set(), mart


@pytest.mark.parametrize("mart", MARKED)
def test_a_kept_table_with_other_columns_stops_the_build(copy, mart):
    """A column the comparison would not name (another version's table, or a column added to the
    model and not to its list) stops the build rather than going stale."""
    execute(copy, f"alter table {mart} add column added_elsewhere integer")
    with pytest.raises(AssertionError, match="Build with --full-refresh"):
        build(copy)
