"""Write-audit-publish: only audited marts are published, atomically, and readers never wait."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.publish.assets import build_publish_assets
from orchestration.resources import WarehouseResource
from siyu.marts import contract_marts, primary_keys
from siyu.publish import publisher
from siyu.publish.audit import audit_warehouse
from siyu.publish.publisher import PUBLISH_LOG_TABLE, publish_marts

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

MART_KEYS = [dg.AssetKey(["marts", "dim_customer"])]


def make_work_warehouse(path: Path, customers: int = 3) -> None:
    """A working warehouse with every contract mart (siyu/marts.py), consistent and clean."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute("create schema if not exists raw")
        con.execute("create or replace table raw.pos_members (member_name varchar, phone varchar)")
        con.execute("insert into raw.pos_members values ('王小明', '13812345678')")
        for table, key in primary_keys().items():
            columns = ", ".join(f"{column} varchar" for column in key)
            con.execute(f"create or replace table marts.{table} ({columns})")
        con.execute(
            "create or replace table marts.dim_customer as select 'C' || i as customer_id, "
            "cast(10 * i as decimal(18, 2)) as gmv, 'store' as first_seen_channel "
            f"from range({customers}) as t(i)"
        )
        con.execute(
            "create or replace table marts.fct_orders as select 'o' || i as order_key, "
            "'C' || i as customer_id, cast(10 * i as decimal(18, 2)) as net_amount "
            f"from range({customers}) as t(i)"
        )
        con.execute(
            "create or replace table marts.fct_order_attribution as select 'o' || i as order_key, "
            "model as attribution_model, 't' || i as touchpoint_key, "
            "cast(10 * i as decimal(18, 2)) as attributed_revenue, "
            "cast(10 * i as decimal(18, 2)) as order_revenue "
            f"from range({customers}) as t(i), (values ('linear'), ('first_touch')) as m(model)"
        )


def last_publish(published: Path) -> str | None:
    """The publish id in the published file's own log (what a BI tool reads)."""
    if not published.exists():
        return None
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute(f"select publish_id from {PUBLISH_LOG_TABLE}").fetchone()[0]


def rules_failed(path: Path) -> list[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return [failure.rule for failure in audit_warehouse(con).failures]


def test_a_clean_warehouse_passes_the_audit(tmp_path):
    make_work_warehouse(tmp_path / "work.duckdb")
    assert rules_failed(tmp_path / "work.duckdb") == []


@pytest.mark.parametrize(
    ("corruption", "rule"),
    [
        (
            "update marts.dim_customer set first_seen_channel = '+86 138 1234 5678' "
            "where customer_id = 'C1'",
            "clear_mobile",
        ),
        (
            "update marts.dim_customer set first_seen_channel = '王小明' where customer_id = 'C1'",
            "copied_personal_text",
        ),
        ("drop table marts.fct_orders", "mart_missing"),
    ],
)
def test_each_blocking_rule_fails_on_its_fault(tmp_path, corruption, rule):
    work = tmp_path / "work.duckdb"
    make_work_warehouse(work)
    with duckdb.connect(str(work)) as con:
        con.execute(corruption)
    assert rule in rules_failed(work)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("customer_name", "欧阳娜娜"),
        ("customer_address", "上海市 长宁区 愚园路 1号"),
        ("order_remark", "周末送到门卫"),
    ],
)
def test_a_jd_receivers_name_address_or_remark_in_a_mart_blocks_publishing(tmp_path, column, value):
    """JD's receiver fields are declared personal text in sources.yml, so the audit scans them
    (unmasked ones: exports from before JD's 2021 masking, and remarks people type)."""
    work = tmp_path / "work.duckdb"
    make_work_warehouse(work)
    with duckdb.connect(str(work)) as con:
        con.execute(
            "create table raw.jd_orders "
            "(customer_name varchar, customer_address varchar, order_remark varchar)"
        )
        con.execute(f"insert into raw.jd_orders ({column}) values (?)", [value])
        con.execute(
            "update marts.dim_customer set first_seen_channel = ? where customer_id = 'C1'", [value]
        )
    assert "copied_personal_text" in rules_failed(work)


def test_every_rule_reports_in_the_rules_order_although_they_run_side_by_side(tmp_path):
    work = tmp_path / "work.duckdb"
    make_work_warehouse(work)
    with duckdb.connect(str(work)) as con:
        # a missing mart, a copied name and a clear mobile
        con.execute("drop table marts.fct_coupon_roi")
        con.execute("update marts.dim_customer set first_seen_channel = '王小明'")
        con.execute(
            "update marts.fct_orders set customer_id = '13812345678' where order_key = 'o1'"
        )
    with duckdb.connect(str(work), read_only=True) as con:
        report = audit_warehouse(con)

    assert [failure.rule for failure in report.failures] == [
        "mart_missing",
        "clear_mobile",
        "copied_personal_text",
    ]
    # the marts present, the two scans, the raw layer's rows (the shrink rule compares nothing:
    # nothing was published)
    assert report.rules_checked == 4


def test_the_audit_checks_every_contract_mart_built_so_far():
    assert {
        "dim_customer",
        "customer_identity",
        "identity_link_evidence",
        "identity_excluded_ids",
    } <= set(contract_marts())


def test_the_audit_leaves_keys_and_reconciliations_to_the_dbt_tests(tmp_path):
    """A duplicate or null key and a broken reconciliation are the dbt tests' (primary_key,
    gmv_reconciles_with_orders, attributed_revenue_reconciles): a failing dbt test fails the
    build, which stops publishing (tests/test_end_to_end.py breaks marts and runs them)."""
    work = tmp_path / "work.duckdb"
    make_work_warehouse(work)
    with duckdb.connect(str(work)) as con:
        con.execute("insert into marts.dim_customer values ('C1', 0, 'store')")
        con.execute("update marts.dim_customer set gmv = -5 where customer_id = 'C2'")
    assert rules_failed(work) == []


def test_publishing_swaps_the_file_while_an_open_reader_keeps_its_version(tmp_path):
    work, published = tmp_path / "work.duckdb", tmp_path / "serve" / "siyu.duckdb"
    make_work_warehouse(work, customers=3)
    first = publish_marts(work, published, tmp_path / "parquet")
    reader = duckdb.connect(str(published), read_only=True)
    make_work_warehouse(work, customers=5)
    second = publish_marts(work, published, tmp_path / "parquet")

    assert reader.execute("select count(*) from marts.dim_customer").fetchone() == (3,)
    reader.close()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_customer").fetchone() == (5,)
        assert con.execute(
            "select count(*) from information_schema.schemata where schema_name = 'raw'"
        ).fetchone() == (0,)
    assert last_publish(published) == second.publish_id != first.publish_id
    assert duckdb.sql(
        f"select count(*) from '{second.parquet_manifest.parent / 'dim_customer.parquet'}'"
    ).fetchone() == (5,)
    assert list(published.parent.glob(".*tmp")) == []


def test_a_failed_copy_leaves_the_parquet_pointer_on_the_old_version(tmp_path, monkeypatch):
    work, published = tmp_path / "work.duckdb", tmp_path / "serve" / "siyu.duckdb"
    parquet = tmp_path / "parquet"
    make_work_warehouse(work, customers=3)
    first = publish_marts(work, published, parquet)

    def copy_fails(*args, **kwargs):
        time.sleep(0.2)  # the Parquet copy runs meanwhile
        raise OSError("disk full")

    monkeypatch.setattr(publisher, "_copy_marts", copy_fails)
    make_work_warehouse(work, customers=5)
    with pytest.raises(OSError, match="disk full"):
        publish_marts(work, published, parquet)

    current = json.loads((parquet / "current.json").read_text(encoding="utf-8"))
    assert current["path"] == first.publish_id
    assert sorted(path.name for path in parquet.iterdir() if path.is_dir()) == [first.publish_id], (
        "the new version's Parquet folder is removed"
    )
    assert last_publish(published) == first.publish_id
    assert list(published.parent.glob(".*tmp")) == []


def materialize_publish(work: Path, published: Path) -> dg.ExecuteInProcessResult:
    assets = build_publish_assets(MART_KEYS)
    return dg.materialize(
        assets,
        resources={
            "warehouse": WarehouseResource(
                warehouse_path=str(work),
                published_path=str(published),
                landing_dir=str(work.parent),
            )
        },
        raise_on_error=False,
    )


def test_a_failed_audit_publishes_nothing_and_the_old_marts_stay_readable(tmp_path):
    work, published = tmp_path / "work.duckdb", tmp_path / "siyu.duckdb"
    make_work_warehouse(work, customers=3)
    assert materialize_publish(work, published).success
    version = last_publish(published)

    make_work_warehouse(work, customers=4)
    with duckdb.connect(str(work)) as con:
        con.execute(
            "update marts.dim_customer set first_seen_channel = '13812345678' "
            "where customer_id = 'C1'"
        )
    result = materialize_publish(work, published)

    assert not result.success
    published_keys = [e.asset_key for e in result.get_asset_materialization_events()]
    assert dg.AssetKey(["publish", "published_warehouse"]) not in published_keys
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "clear_mobile" in failure.step_failure_data.error.message
    assert last_publish(published) == version
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_customer").fetchone() == (3,)


READER = textwrap.dedent(
    """
    import json, sys, time, duckdb
    path, seconds = sys.argv[1], float(sys.argv[2])
    seen, errors, deadline = set(), [], time.time() + seconds
    while time.time() < deadline:
        try:
            con = duckdb.connect(path, read_only=True)
            version = con.execute("select publish_id from meta.publish_log").fetchone()[0]
            rows = con.execute("select count(*) from marts.dim_customer").fetchone()[0]
            total = con.execute("select sum(gmv) from marts.dim_customer").fetchone()[0]
            con.close()
            seen.add((version, rows, int(total)))
        except Exception as error:  # noqa: BLE001 - every failure is what we report
            errors.append(repr(error))
    print(json.dumps([sorted(seen), errors]))
    """
)


def test_a_reader_process_reads_whole_versions_while_runs_publish(tmp_path):
    work, published = tmp_path / "work.duckdb", tmp_path / "siyu.duckdb"
    make_work_warehouse(work, customers=2)
    publish_marts(work, published)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published), "6"], stdout=subprocess.PIPE, text=True
    )
    expected = {2: 10}
    time.sleep(0.5)
    for customers in range(3, 12):
        make_work_warehouse(work, customers=customers)
        publish_marts(work, published)
        expected[customers] = sum(10 * i for i in range(customers))
        time.sleep(0.2)
    seen, errors = json.loads(reader.communicate(timeout=60)[0])
    assert errors == []
    assert len(seen) >= 3
    for _version, rows, total in seen:
        assert expected[rows] == total  # each read saw one whole published version
