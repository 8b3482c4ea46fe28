"""A deletion request for a customer known only by a masked shop's buyer key (a JD buyer): no raw
row of the shop carries an identifier a request can match, so the orders stay, but the customer is
not built again from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.run import RunSummary, run_daily_refresh
from tests.deployment import deployment_settings
from tests.landing import LandingBuilder

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

# a customer whose only identifiers are JD buyer keys, with the orders fct_orders credits them
JD_ONLY_CUSTOMER = """
    select identity.customer_id, min(identity.id_value) as buyer_key,
        (select count(*) from marts.fct_orders where customer_id = identity.customer_id) as orders
    from marts.customer_identity as identity
    group by identity.customer_id
    having bool_and(identity.id_type = 'jd_buyer')
    order by orders desc, identity.customer_id
    limit 1
"""
JD_ORDERS = "select count(*), count(customer_id) from marts.fct_orders where channel = 'jd'"


@dataclass(frozen=True)
class Erasure:
    work: Path
    customer_id: str
    buyer_key: str
    customer_orders: int
    jd_orders_before: tuple[int, int]
    after: RunSummary


def rows(work: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(work), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def erasure(tmp_path_factory) -> Erasure:
    root = tmp_path_factory.mktemp("masked_buyer")
    landing = LandingBuilder.generated(
        root, scale=0.003, seed=11, start=date(2026, 5, 1), end=date(2026, 11, 20)
    )
    settings = deployment_settings(root, landing.path)
    instance = dg.DagsterInstance.ephemeral()
    assert run_daily_refresh(settings, instance).published
    work = settings.work_warehouse_path
    ((customer_id, buyer_key, customer_orders),) = rows(work, JD_ONLY_CUSTOMER)
    (jd_orders_before,) = rows(work, JD_ORDERS)
    requests = landing.path / "deletion_requests"
    requests.mkdir(exist_ok=True)
    (requests / "request.csv").write_text(
        f"id_type,id_value\ncustomer_id,{customer_id}\n", encoding="utf-8"
    )
    after = run_daily_refresh(settings, instance)
    return Erasure(work, customer_id, buyer_key, customer_orders, jd_orders_before, after)


def test_the_customer_is_not_built_again_from_the_shops_orders(erasure):
    assert erasure.customer_orders > 0
    assert erasure.after.published, erasure.after.failures
    assert rows(
        erasure.work,
        "select count(*) from marts.customer_identity where id_type = 'jd_buyer' and id_value = ?",
        [erasure.buyer_key],
    ) == [(0,)]
    assert rows(
        erasure.work,
        "select count(*) from marts.dim_customer where customer_id = ?",
        [erasure.customer_id],
    ) == [(0,)]


def test_the_shops_orders_stay_counted_without_a_customer(erasure):
    total, with_customer = erasure.jd_orders_before
    assert rows(erasure.work, JD_ORDERS) == [(total, with_customer - erasure.customer_orders)]
