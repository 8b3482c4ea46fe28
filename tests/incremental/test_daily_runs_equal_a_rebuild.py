"""After each of several daily runs, the warehouse equals a full rebuild from the same inputs.

A generated brand (exports until 2026-11-15) is built once; then five days are delivered, one run
each, with what real deliveries bring besides the day's exports:

1. new people: an app user (app-xu) and a store member (M9001) on the mobile XU_PHONE, who buys
   twice in store; the day's store-order file is held back (it comes on day 3);
2. a merge (app-xu binds XU_PHONE: the app user and the member become one customer, which keeps
   the app user's id, so the member's orders move to it from a customer that ceases), a late
   refund (a completed Tmall order of an earlier file delivered again, refunded) and a
   re-delivered file (an earlier store-order file again, under another name);
3. a split (a second member card, M9002, on XU_PHONE: the phone becomes a hub and links no
   more, so the member's orders move away from the app user's customer, left without orders)
   and the store-order file held back on day 1, delivered late;
4. an erasure (a deletion request for the customer with most orders);
5. a rule change (the RFM monetary cut points, in the project's dbt_project.yml).

The same inputs are what the day's dbt build started from: the working warehouse as the run's dbt
step found it (the day's raw loads and erasures in, and what siyu keeps from run to run by
design: the previous customer-id assignment that keeps ids stable, the history logs). A copy of
it is taken there and rebuilt with `dbt build --full-refresh`, `customer_tags` from nothing (it is
kept too, but only its `computed_at` needs what it kept); every table of staging, intermediate
and marts is then compared with the run's, row for row (`customer_tags` without `computed_at`).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.dbt import assets as dbt_assets
from orchestration.run import RunSummary, run_daily_refresh
from siyu.dbt.incremental import (
    CHANGED_BASIS_REASON,
    DELETED_ROWS_REASON,
    FULL_REFRESH_NOTE,
    INCREMENTAL_BUILD_NOTE,
)
from siyu.settings import SiyuSettings
from tests.dbt_runner import run_dbt
from tests.deployment import deployment_settings
from tests.fixtures.identity_landing import MEMBER_HEADER
from tests.landing import LandingBuilder, shanghai_unix
from tests.tags.project import copy_project
from tests.warehouse_diff import SINCE_WHEN_LEFT_OUT, Comparison, table_differences

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

SCALE, SEED = 0.005, 11
START, END = date(2026, 5, 1), date(2026, 11, 20)
BASE_UNTIL = date(2026, 11, 15)
XU_PHONE = "13500009001"
# M9001's two store orders on day 1 (they move between customers with the merge and the split)
XU_ORDERS = ("S001202611169000001", "S001202611169000002")
HELD_BACK_SOURCE = "pos_orders"
POS_ORDER_HEADER = (
    "order_no,member_id,store_id,guide_id,order_time,amount,discount,coupon_id,status,items\n"
)
# RFM monetary cut points: buyers with 700-1200 yuan net move from score 4 to 5
RULE = (
    "siyu_rfm_monetary_yuan: [100, 300, 600, 1200]",
    "siyu_rfm_monetary_yuan: [100, 300, 600, 700]",
)
TOP_SCORED = "select count(*) from marts.dim_customer where monetary_score = 5"
# every column of every table, but when a run recorded a row of a log (wall-clock time) and the
# list of what an incremental build took in (empty on a full refresh)
COMPARISONS = {
    "staging": Comparison("staging"),
    "intermediate": Comparison(
        "intermediate",
        tables_left_out=frozenset(
            {"int_orders__changes", "int_touchpoints__changes", "int_funnel__touched_customers"}
        ),
    ),
    "marts": Comparison(
        "marts", columns_left_out=frozenset({"recorded_at_utc"}), row_filters=SINCE_WHEN_LEFT_OUT
    ),
}
# the rebuild: every model from the whole raw history (the dbt tests are the runs' business)
REBUILD = ["build", "--full-refresh", "--exclude-resource-type", "test", "unit_test"]


@dataclass
class Brand:
    """The deployment the days are delivered to, and what the days chose on the way."""

    root: Path
    landing: LandingBuilder
    project: Path
    settings: SiyuSettings
    instance: dg.DagsterInstance
    held_back: list[Path] = field(default_factory=list)
    chosen: dict[str, object] = field(default_factory=dict)

    @property
    def work(self) -> Path:
        return self.settings.work_warehouse_path

    @property
    def before_dbt(self) -> Path:
        """The working warehouse as the last run's dbt step found it."""
        return self.root / "before_dbt" / self.work.name

    def deliver_exports(self, day: date) -> list[Path]:
        """The generator's exports of `day` into the landing folder; returns the new files."""
        before = set(self.landing.path.rglob("*"))
        LandingBuilder.generated(
            self.root, scale=SCALE, seed=SEED, start=START, end=END, only_day=day
        )
        return sorted(set(self.landing.path.rglob("*")) - before)

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.work), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def customer_of(self, id_type: str, id_value: str) -> str:
        found = self.rows(
            "select customer_id from intermediate.int_identity__customer_ids "
            "where id_type = ? and id_value = ?",
            [id_type, id_value],
        )
        assert len(found) == 1, f"{id_type} {id_value}: {found}"
        return found[0][0]

    def xu_orders_of(self, id_type: str, id_value: str) -> int:
        """How many of M9001's store orders the customer of the identifier has, by
        fct_orders and by int_customer__order_summary (the two must agree)."""
        customer_id = self.customer_of(id_type, id_value)
        keys = [f"store:{order_no}" for order_no in XU_ORDERS]
        ((in_orders,),) = self.rows(
            "select count(*) from marts.fct_orders where customer_id = ? and order_key in (?, ?)",
            [customer_id, *keys],
        )
        summarised = self.rows(
            "select orders_count from intermediate.int_customer__order_summary "
            "where customer_id = ?",
            [customer_id],
        )
        assert summarised == ([(in_orders,)] if in_orders else []), (customer_id, summarised)
        return in_orders

    def xu_customers(self, *members: str) -> int:
        """How many customers app-xu and the member cards `members` are (each must be one)."""
        return len(
            {
                self.customer_of("app_user_id", "app-xu"),
                *(self.customer_of("member_id", member_id) for member_id in members),
            }
        )


def app_event(event: str, local_time: str, user: str, **properties: str) -> str:
    return json.dumps(
        {
            "type": "track",
            "event": event,
            "time": shanghai_unix(local_time) * 1000,
            "distinct_id": user,
            "login_id": user,
            "anonymous_id": f"dev-{user}",
            "properties": properties,
        }
    )


def member(member_id: str, registered: str) -> str:
    return f"{member_id},{XU_PHONE},会员{member_id[-2:]},F,,S01,{registered},NORMAL,0,\n"


def xu_store_orders() -> str:
    """M9001's store orders of day 1, as the POS exports them."""
    items = '"[{""sku"": ""SY-HF-004"", ""category"": ""护肤"", ""qty"": 1, ""price"": 129.0}]"'
    lines = [
        f"{order_no},M9001,S001,,2026-11-16 {hour}:00:00,129.00,0.00,,PAID,{items}"
        for order_no, hour in zip(XU_ORDERS, ("11", "15"), strict=True)
    ]
    return POS_ORDER_HEADER + "\n".join(lines) + "\n"


def refunded_tmall_order(landing: LandingBuilder) -> tuple[str, str]:
    """A completed Tmall order of an earlier file, as the shop exports it once refunded in
    full: (file text, order id)."""
    for path in sorted((landing.path / "tmall_orders").glob("*.csv")):
        reader = csv.DictReader(io.StringIO(path.read_text(encoding="gb18030")))
        for row in reader:
            if row["订单状态"] == "交易成功" and float(row["退款金额"] or 0) == 0:
                row["退款金额"] = row["买家实际支付金额"]
                out = io.StringIO()
                writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
                writer.writeheader()
                writer.writerow(row)
                return out.getvalue(), row["订单编号"].strip('="')
    raise AssertionError("no completed Tmall order to refund")


# --------------------------------------------------------------------------------------------
# the days: what each delivers, then what its run must show


def new_people(brand: Brand) -> None:
    new_files = brand.deliver_exports(date(2026, 11, 16))
    brand.held_back = [path for path in new_files if path.parent.name == HELD_BACK_SOURCE]
    assert brand.held_back, f"the generator delivered no {HELD_BACK_SOURCE} file on day 1"
    for path in brand.held_back:
        shutil.move(path, brand.root / path.name)
    start = app_event("AppStart", "2026-11-16 09:00:00", "app-xu")
    brand.landing.add("app_events", "xu_day1.jsonl", start + "\n")
    brand.landing.add(
        "pos_members", "xu_day1.csv", MEMBER_HEADER + member("M9001", "2026-11-16 10:00:00")
    )
    brand.landing.add(HELD_BACK_SOURCE, "xu_orders_day1.csv", xu_store_orders())


def two_customers(brand: Brand) -> dict[str, object]:
    return {
        "xu customers": brand.xu_customers("M9001"),
        "xu orders of the member": brand.xu_orders_of("member_id", "M9001"),
    }


def merge_refund_redelivery(brand: Brand) -> None:
    brand.deliver_exports(date(2026, 11, 17))
    bind = app_event("BindPhone", "2026-11-17 09:00:00", "app-xu", phone=XU_PHONE)
    brand.landing.add("app_events", "xu_day2.jsonl", bind + "\n")
    text, order_id = refunded_tmall_order(brand.landing)
    brand.landing.add("tmall_orders", "ExportOrderList_refunds.csv", text, encoding="gbk")
    brand.chosen["refunded order"] = f"tmall:{order_id}"
    earlier = sorted((brand.landing.path / "pos_orders").glob("pos_orders_2026-10*.csv"))[0]
    shutil.copy(earlier, earlier.with_name(f"resent_{earlier.name}"))


def merged_refunded_counted_once(brand: Brand) -> dict[str, object]:
    (net,) = brand.rows(
        "select net_amount from marts.fct_orders where order_key = ?",
        [brand.chosen["refunded order"]],
    )
    return {
        "xu customers": brand.xu_customers("M9001"),
        "xu orders of the app user": brand.xu_orders_of("app_user_id", "app-xu"),
        "refunded order net": float(net[0]),
        "store orders staged twice": brand.rows(
            "select count(*) - count(distinct order_no) from staging.stg_pos__orders"
        )[0][0],
    }


def split_late_file(brand: Brand) -> None:
    brand.deliver_exports(date(2026, 11, 18))
    brand.landing.add(
        "pos_members", "xu_day3.csv", MEMBER_HEADER + member("M9002", "2026-11-18 10:00:00")
    )
    for path in brand.held_back:
        shutil.move(brand.root / path.name, path)


def split_and_late_orders_staged(brand: Brand) -> dict[str, object]:
    late_orders = set()
    for path in brand.held_back:
        late_orders |= {row["order_no"] for row in csv.DictReader(io.StringIO(path.read_text()))}
    staged = {
        row[0]
        for row in brand.rows("select order_no from staging.stg_pos__orders where order_no in "
                              f"({', '.join('?' * len(late_orders))})", sorted(late_orders))
    }  # fmt: skip
    return {
        "xu customers": brand.xu_customers("M9001", "M9002"),
        "xu orders of the member": brand.xu_orders_of("member_id", "M9001"),
        "xu orders of the app user": brand.xu_orders_of("app_user_id", "app-xu"),
        "late orders missing": len(late_orders - staged),
    }


def erasure(brand: Brand) -> None:
    brand.deliver_exports(date(2026, 11, 19))
    ((customer_id,),) = brand.rows(
        "select customer_id from marts.fct_orders where customer_id is not null "
        "group by customer_id order by count(*) desc, customer_id limit 1"
    )
    brand.chosen["erased customer"] = customer_id
    brand.landing.add(
        "deletion_requests", "request.csv", f"id_type,id_value\ncustomer_id,{customer_id}\n"
    )


def erased_customer_gone(brand: Brand) -> dict[str, object]:
    customer_id = brand.chosen["erased customer"]
    return {
        "erased customer rows": brand.rows(
            "select count(*) from marts.dim_customer where customer_id = ?", [customer_id]
        )[0][0]
    }


def rule_change(brand: Brand) -> None:
    brand.deliver_exports(date(2026, 11, 20))
    brand.chosen["top scored before"] = brand.rows(TOP_SCORED)[0][0]
    settings = brand.project / "dbt_project.yml"
    text = settings.read_text(encoding="utf-8")
    assert RULE[0] in text
    settings.write_text(text.replace(RULE[0], RULE[1]), encoding="utf-8")


def rule_in_force(brand: Brand) -> dict[str, object]:
    return {"more top scored": brand.rows(TOP_SCORED)[0][0] > brand.chosen["top scored before"]}


@dataclass(frozen=True)
class Delivery:
    name: str
    deliver: Callable[[Brand], None]
    observe: Callable[[Brand], dict[str, object]]
    build: str  # how the dbt step must build: incrementally, or in full and why


DAYS = (
    Delivery("new people", new_people, two_customers, INCREMENTAL_BUILD_NOTE),
    Delivery(
        "merge, late refund, re-delivery",
        merge_refund_redelivery,
        merged_refunded_counted_once,
        INCREMENTAL_BUILD_NOTE,
    ),
    Delivery(
        "split, late file", split_late_file, split_and_late_orders_staged, INCREMENTAL_BUILD_NOTE
    ),
    Delivery(
        "erasure",
        erasure,
        erased_customer_gone,
        f"{FULL_REFRESH_NOTE}: {DELETED_ROWS_REASON}",
    ),
    Delivery(
        "rule change",
        rule_change,
        rule_in_force,
        f"{FULL_REFRESH_NOTE}: {CHANGED_BASIS_REASON}",
    ),
)
EXPECTED_FACTS = {
    "new people": {"xu customers": 2, "xu orders of the member": 2},
    "merge, late refund, re-delivery": {
        "xu customers": 1,
        "xu orders of the app user": 2,
        "refunded order net": 0.0,
        "store orders staged twice": 0,
    },
    "split, late file": {
        "xu customers": 3,
        "xu orders of the member": 2,
        "xu orders of the app user": 0,
        "late orders missing": 0,
    },
    "erasure": {"erased customer rows": 0},
    "rule change": {"more top scored": True},
}


@dataclass(frozen=True)
class DayResult:
    summary: RunSummary
    build_plan: str  # what the dbt step said it would do
    differences: dict[str, dict[str, tuple[int, int]]]  # schema -> table -> rows only in each
    facts: dict[str, object]


def build_plan_line(instance: dg.DagsterInstance) -> str:
    """The dbt step's line saying how it builds, in the last run's log."""
    run = instance.get_runs(limit=1)[0]
    messages = [entry.user_message for entry in instance.all_logs(run.run_id)]
    return next((message for message in messages if message.startswith("dbt build:")), "")


def copy_before_dbt(brand: Brand, plan_dbt_build: Callable) -> Callable:
    """The dbt step's planning, after copying the working warehouse as the step found it (no
    connection is open on it then) to brand.before_dbt."""

    def planning(context, project, warehouse, hash_key):
        brand.before_dbt.parent.mkdir(exist_ok=True)
        shutil.copy(brand.work, brand.before_dbt)
        assert not brand.work.with_name(brand.work.name + ".wal").exists()
        return plan_dbt_build(context, project, warehouse, hash_key)

    return planning


def rebuild_and_compare(brand: Brand, day: int) -> dict[str, dict[str, tuple[int, int]]]:
    """A full refresh of what the day's dbt build started from, compared with what it built."""
    folder = brand.root / f"rebuild-{day}"
    rebuilt = folder / brand.work.name
    folder.mkdir()
    shutil.copy(brand.before_dbt, rebuilt)
    # customer_tags is kept and compared run to run (full_refresh off): the rebuild computes it
    # from nothing, so that its values are checked against the daily runs' comparisons
    with duckdb.connect(str(rebuilt)) as con:
        con.execute("drop table if exists marts.customer_tags")
    run_dbt(REBUILD, rebuilt, folder / "target")
    return {
        schema: table_differences(brand.work, rebuilt, comparison)
        for schema, comparison in COMPARISONS.items()
    }


@pytest.fixture(scope="module")
def days(tmp_path_factory) -> dict[str, DayResult]:
    root = tmp_path_factory.mktemp("daily")
    landing = LandingBuilder.generated(
        root, scale=SCALE, seed=SEED, start=START, end=END, until=BASE_UNTIL
    )
    project = copy_project(root / "dbt_project")
    settings = deployment_settings(root, landing.path)
    brand = Brand(root, landing, project, settings, dg.DagsterInstance.ephemeral())
    results: dict[str, DayResult] = {}
    with pytest.MonkeyPatch.context() as patch:
        # the pipeline and the rebuilds build the project copy (day 5 changes a rule in it)
        patch.setattr("orchestration.dbt.project.DBT_PROJECT_DIR", project)
        patch.setattr("tests.dbt_runner.DBT_PROJECT_DIR", project)
        patch.setattr(
            "orchestration.dbt.assets.plan_dbt_build",
            copy_before_dbt(brand, dbt_assets.plan_dbt_build),
        )
        base = run_daily_refresh(settings, brand.instance)
        assert base.published, base.failures
        for number, delivery in enumerate(DAYS, start=1):
            delivery.deliver(brand)
            summary = run_daily_refresh(settings, brand.instance)
            plan = build_plan_line(brand.instance)
            facts = delivery.observe(brand) if summary.success else {}
            differences = rebuild_and_compare(brand, number) if summary.success else {}
            results[delivery.name] = DayResult(summary, plan, differences, facts)
    return results


DAY_NAMES = [delivery.name for delivery in DAYS]


@pytest.mark.parametrize("name", DAY_NAMES)
def test_each_days_run_publishes(days, name):
    summary = days[name].summary
    assert summary.published, summary.failures
    assert not summary.checks_failed


@pytest.mark.parametrize("name", DAY_NAMES)
def test_each_day_builds_as_its_inputs_require(days, name):
    """Days 1-3 exercise the incremental path; an erasure or a rule change rebuilds in full."""
    (delivery,) = [delivery for delivery in DAYS if delivery.name == name]
    assert delivery.build in days[name].build_plan


@pytest.mark.parametrize("name", DAY_NAMES)
def test_each_days_events_show_in_the_marts(days, name):
    assert days[name].facts == EXPECTED_FACTS[name]


@pytest.mark.parametrize("schema", sorted(COMPARISONS))
@pytest.mark.parametrize("name", DAY_NAMES)
def test_after_each_day_every_table_equals_a_full_rebuild(days, name, schema):
    assert days[name].summary.success
    assert days[name].differences[schema] == {}
