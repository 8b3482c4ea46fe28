"""The ROI marts on hand-made exports (tests/roi/roi_landing.py), against hand-computed answers.

Two builds: as of AS_OF_1 (2026-11-01 12:00, 47 days after the journey's acquisition: d90 not
elapsed, the 80.00 refund of 11-10 not yet made) and, for the ROI models only, as of AS_OF_2
(2026-12-20 12:00, 96 days after: every horizon elapsed, the refund made).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from siyu.reports.roi import render_roi_curve, top_campaigns_by_roi, top_campaigns_text
from tests.conftest import ingest_landing
from tests.dbt_runner import run_dbt
from tests.roi import roi_landing as scenario

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

MODELS = ("first_touch", "last_touch", "linear", "position_based", "time_decay")
ORDER_J1 = f"mini_program:{scenario.TX_J1}"
ORDER_J2 = f"mini_program:{scenario.TX_J2}"
ACQUIRED_ON = "2026-09-15"


@dataclass(frozen=True)
class Warehouses:
    as_of_1: Path
    as_of_2: Path
    target: Path


def _as_of(moment: str) -> list[str]:
    return ["--vars", json.dumps({"siyu_as_of": moment})]


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory) -> Warehouses:
    root = tmp_path_factory.mktemp("roi")
    landing, warehouse, target = root / "landing", root / "warehouse.duckdb", root / "target"
    scenario.write_roi_landing(landing)
    counts = ingest_landing(warehouse, landing)
    assert all(quarantined == 0 for _, quarantined in counts.values()), counts
    # cautious: only tests whose every parent is built (other areas' marts are not); the tests
    # of staging and identity are their own modules' business
    selection = ["--select", "+path:models/marts/roi", "+path:models/marts/customer"]
    upstream_tests = [
        "--exclude",
        "resource_type:test,path:models/staging",
        "resource_type:test,path:models/intermediate/identity",
        "resource_type:test,path:seeds/identity",
    ]
    run_dbt(
        [
            "build",
            *selection,
            *upstream_tests,
            "--indirect-selection",
            "cautious",
            *_as_of(scenario.AS_OF_1),
        ],
        warehouse,
        target,
    )
    first = root / "as_of_1.duckdb"
    shutil.copy(warehouse, first)
    roi_models = ["--select", "path:models/intermediate/roi", "path:models/marts/roi"]
    run_dbt(
        ["build", *roi_models, "--indirect-selection", "cautious", *_as_of(scenario.AS_OF_2)],
        warehouse,
        target,
    )
    return Warehouses(as_of_1=first, as_of_2=warehouse, target=target)


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def money(value: str) -> Decimal:
    return Decimal(value)


def one_row(path: Path, sql: str, params: list) -> dict:
    """The single row the query returns, as {column: value} with DECIMALs kept exact."""
    with duckdb.connect(str(path), read_only=True) as con:
        cursor = con.execute(sql, params)
        rows = cursor.fetchall()
        columns = [column[0] for column in cursor.description]
    assert len(rows) == 1, (sql, params, rows)
    return dict(zip(columns, rows[0], strict=True))


def campaign_row(path: Path, model: str, campaign_id: str, day: str = ACQUIRED_ON) -> dict:
    return one_row(
        path,
        "select * from marts.fct_campaign_roi "
        "where attribution_model = ? and campaign_id = ? and date = cast(? as date)",
        [model, campaign_id, day],
    )


def split(path: Path, order_key: str, model: str) -> dict[str, Decimal]:
    return dict(
        query(
            path,
            "select campaign_id, sum(attributed_revenue) from marts.fct_order_attribution "
            "where order_key = ? and attribution_model = ? group by campaign_id",
            [order_key, model],
        )
    )


# --- spend -------------------------------------------------------------------------------------


def test_spend_in_fen_and_yuan_from_two_platforms_reconciles_to_the_same_yuan_total(warehouses):
    # 25000 + 15000 fen from Tencent Ads, 400.00 yuan from Ocean Engine: the same 400.00 yuan
    per_platform = query(
        warehouses.as_of_1,
        "select platform, sum(spend) from marts.fct_ad_spend "
        "where report_date = date '2026-09-15' and is_mapped group by platform order by platform",
    )
    assert per_platform == [("oceanengine", money("400.00")), ("tencent_ads", money("400.00"))]
    # every staged yuan arrives: (25000 + 15000 + 5050) / 100 + 80.00 + 400.00
    assert query(
        warehouses.as_of_1,
        "select (select sum(spend) from marts.fct_ad_spend), "
        "(select sum(spend) from staging.stg_tencent_ads__daily_reports) "
        "+ (select sum(spend) from staging.stg_oceanengine__daily_reports)",
    ) == [(money("930.50"), money("930.50"))]
    # the campaigns get the mapped spend, the same in every attribution model
    assert query(
        warehouses.as_of_1,
        "select attribution_model, campaign_id, sum(spend) from marts.fct_campaign_roi "
        "group by all having sum(spend) > 0 order by 1, 2",
    ) == [
        (model, campaign_id, money(spend))
        for model in MODELS
        for campaign_id, spend in (("CMP01", "400.00"), ("CMP04", "480.00"))
    ]


def test_unmapped_spend_is_reported_not_dropped(warehouses):
    assert query(
        warehouses.as_of_1,
        "select platform, platform_campaign_id, spend, report_days "
        "from marts.rpt_unmapped_ad_spend",
    ) == [("tencent_ads", scenario.UNMAPPED_TENCENT_CAMPAIGN, money("50.50"), 1)]
    assert query(
        warehouses.as_of_1,
        "select campaign_id, is_mapped, spend from marts.fct_ad_spend "
        "where platform_campaign_id = ?",
        [scenario.UNMAPPED_TENCENT_CAMPAIGN],
    ) == [(None, False, money("50.50"))]
    with duckdb.connect(str(warehouses.as_of_1), read_only=True) as con:
        assert "unmapped ad spend: 50.50 yuan in 1 platform campaign(s)" in top_campaigns_text(con)


# --- attribution -------------------------------------------------------------------------------


def test_each_attribution_model_splits_the_journey_as_computed_by_hand(warehouses):
    # first order: 350.00 paid, 50.00 refunded = 300.00; touches CMP01 (14 days before),
    # CMP08 (7 days), CMP06 (same day); the SMS of 36 days before is outside the window
    expected = {
        "first_touch": {"CMP01": "300.00"},
        "last_touch": {"CMP06": "300.00"},
        "linear": {"CMP01": "100.00", "CMP08": "100.00", "CMP06": "100.00"},
        "position_based": {"CMP01": "120.00", "CMP08": "60.00", "CMP06": "120.00"},
        # 0.5 ^ (days / 7): 0.25, 0.5, 1 -> 1/7, 2/7, 4/7 of 300
        "time_decay": {"CMP01": "42.86", "CMP08": "85.71", "CMP06": "171.43"},
    }
    for model, shares in expected.items():
        assert split(warehouses.as_of_1, ORDER_J1, model) == {
            campaign_id: money(amount) for campaign_id, amount in shares.items()
        }, model
    weights = dict(
        query(
            warehouses.as_of_1,
            "select campaign_id, attribution_weight from marts.fct_order_attribution "
            "where order_key = ? and attribution_model = 'time_decay'",
            [ORDER_J1],
        )
    )
    assert weights == pytest.approx({"CMP01": 1 / 7, "CMP08": 2 / 7, "CMP06": 4 / 7})


def test_later_orders_drop_touches_out_of_the_window_and_credit_sms_and_coupons(warehouses):
    # second order 200.00 on 10-02: CMP01 (31 days before) is out of the 30-day window; the SMS
    # of 09-28 (CMP11) counts for a repeat order, though it cannot acquire anyone
    assert split(warehouses.as_of_1, ORDER_J2, "first_touch") == {"CMP08": money("200.00")}
    assert split(warehouses.as_of_1, ORDER_J2, "last_touch") == {"CMP11": money("200.00")}
    assert split(warehouses.as_of_1, ORDER_J2, "linear") == {
        "CMP08": money("66.67"),
        "CMP06": money("66.67"),
        "CMP11": money("66.66"),
    }
    assert split(warehouses.as_of_1, ORDER_J2, "position_based") == {
        "CMP08": money("80.00"),
        "CMP06": money("40.00"),
        "CMP11": money("80.00"),
    }
    # the recall coupon is credited with the order it was used on
    coupon_order = f"mini_program:{scenario.TX_C2}"
    for model in MODELS:
        assert split(warehouses.as_of_1, coupon_order, model) == {"CMP12": money("150.00")}
    assert query(
        warehouses.as_of_1,
        "select count(*) from marts.fct_order_attribution where campaign_id = 'CMP10'",
    ) == [(0,)]


def test_attributed_revenue_reconciles_with_order_revenue_for_every_model(warehouses):
    # attributed orders by as-of 1: 300 + 200 (journey) + 100 + 0 (store) + 150 + 30 (coupons)
    totals = query(
        warehouses.as_of_1,
        "select attribution_model, sum(attributed_revenue), count(distinct order_key) "
        "from marts.fct_order_attribution group by 1 order by 1",
    )
    assert totals == [(model, money("780.00"), 6) for model in MODELS]
    # as of 2 the 80.00 refund is made: order revenue and its shares follow it
    assert query(
        warehouses.as_of_2,
        "select distinct order_revenue from marts.fct_order_attribution where order_key = ?",
        [ORDER_J2],
    ) == [(money("120.00"),)]
    # and once everything happened, it equals the orders' net revenue in fct_orders
    assert query(
        warehouses.as_of_2,
        "select attribution_model, sum(attributed_revenue) from marts.fct_order_attribution "
        "group by 1 order by 1",
    ) == [
        (model, revenue)
        for model in MODELS
        for (revenue,) in query(
            warehouses.as_of_2,
            "select sum(net_amount) from marts.fct_orders where order_key in "
            "(select order_key from marts.fct_order_attribution)",
        )
    ]


# --- multi-horizon return ------------------------------------------------------------------------


def test_acquisition_horizons_cac_and_payback_as_computed_by_hand(warehouses):
    # journey customer, first touch CMP01, acquired 09-15 with 400.00 of CMP01 spend that day:
    # +350 (day 0), -50 (day 3), +200 (day 17), -80 (day 56, after as-of 1)
    row = campaign_row(warehouses.as_of_1, "first_touch", "CMP01")
    assert (row["spend"], row["acquired_customers"], row["cac"]) == (
        money("400.00"),
        Decimal("1.0000"),
        money("400.00"),
    )
    assert (row["revenue_d0"], row["revenue_d7"], row["revenue_d30"], row["revenue_to_date"]) == (
        money("350.00"),
        money("300.00"),
        money("500.00"),
        money("500.00"),
    )
    assert (row["roi_d0"], row["roi_d7"], row["roi_d30"]) == (
        Decimal("-0.1250"),
        Decimal("-0.2500"),
        Decimal("0.2500"),
    )
    assert row["payback_day"] == 17
    assert row["days_elapsed"] == 47
    # linear: a third each; the rounding fen goes to the latest touch (CMP06)
    linear_cmp01 = campaign_row(warehouses.as_of_1, "linear", "CMP01")
    linear_cmp06 = campaign_row(warehouses.as_of_1, "linear", "CMP06")
    assert (linear_cmp01["acquired_customers"], linear_cmp06["acquired_customers"]) == (
        Decimal("0.3333"),
        Decimal("0.3334"),
    )
    assert [linear_cmp01[f"revenue_d{d}"] for d in (0, 7, 30)] == [
        money("116.67"),
        money("100.00"),
        money("166.67"),
    ]
    assert [linear_cmp06[f"revenue_d{d}"] for d in (0, 7, 30)] == [
        money("116.66"),
        money("100.00"),
        money("166.66"),
    ]
    assert linear_cmp01["cac"] == money("1200.12")  # 400.00 / 0.3333
    assert linear_cmp06["spend"] == 0 and linear_cmp06["roi_d30"] is None
    # the app customer: CMP04 on 09-10 (80.00 spend), 100.00 on day 0 and a refunded order
    app = campaign_row(warehouses.as_of_1, "time_decay", "CMP04", "2026-09-10")
    assert (app["revenue_d0"], app["revenue_d7"], app["roi_d0"], app["payback_day"]) == (
        money("100.00"),
        money("100.00"),
        Decimal("0.2500"),
        0,
    )
    # a day with spend and nobody acquired: every model has it, CAC null, everything lost
    spend_only = campaign_row(warehouses.as_of_1, "linear", "CMP04", ACQUIRED_ON)
    assert (spend_only["acquired_customers"], spend_only["cac"], spend_only["roi_d30"]) == (
        0,
        None,
        Decimal("-1.0000"),
    )


def test_horizons_not_yet_elapsed_are_null_not_partial(warehouses):
    for model in MODELS:
        early = query(
            warehouses.as_of_1,
            "select count(*), count(revenue_d30), count(revenue_d90), count(roi_d90), "
            "count(ltv_d90) from marts.fct_campaign_roi where attribution_model = ?",
            [model],
        )[0]
        assert early[1] == early[0] and early[2:] == (0, 0, 0), model
    late = campaign_row(warehouses.as_of_2, "first_touch", "CMP01")
    assert (late["revenue_d90"], late["roi_d90"], late["ltv_d90"], late["ltv_to_cac_d90"]) == (
        money("420.00"),
        Decimal("0.0500"),
        money("420.00"),
        Decimal("1.0500"),
    )


def test_refunds_after_a_horizon_leave_it_alone_and_refunds_inside_change_it(warehouses):
    before = campaign_row(warehouses.as_of_1, "first_touch", "CMP01")
    after = campaign_row(warehouses.as_of_2, "first_touch", "CMP01")
    # the 50.00 refund of day 3 is inside d7 (not d0); the 80.00 refund of day 56 is after d30
    assert (before["revenue_d0"], before["revenue_d7"]) == (money("350.00"), money("300.00"))
    assert [after[f"revenue_d{d}"] for d in (0, 7, 30)] == [
        before[f"revenue_d{d}"] for d in (0, 7, 30)
    ]
    assert (before["revenue_to_date"], after["revenue_to_date"], after["revenue_d90"]) == (
        money("500.00"),
        money("420.00"),
        money("420.00"),
    )


def test_attributed_revenue_never_exceeds_the_revenue_of_the_customers_it_attributes(warehouses):
    # attributed customers: the journey customer and the app customer (the coupon customers'
    # first orders had no campaign touch); each model adds up to exactly their revenue
    customers_revenue = query(
        warehouses.as_of_2,
        "select sum(net_amount) from marts.fct_orders where customer_id in "
        "(select customer_id from marts.fct_order_attribution where is_first_order)",
    )[0][0]
    assert customers_revenue == money("520.00")
    assert query(
        warehouses.as_of_2,
        "select attribution_model, sum(acquired_customers), sum(revenue_to_date), "
        "sum(revenue_d90) from marts.fct_campaign_roi group by 1 order by 1",
    ) == [(model, Decimal("2.0000"), customers_revenue, customers_revenue) for model in MODELS]
    assert query(
        warehouses.as_of_1,
        "select distinct sum(revenue_d0), sum(revenue_d7), sum(revenue_d30) "
        "from marts.fct_campaign_roi group by attribution_model",
    ) == [(money("450.00"), money("400.00"), money("600.00"))]


def test_the_reconciliation_check_fails_when_a_mart_double_counts(warehouses, tmp_path):
    tampered = tmp_path / "tampered.duckdb"
    shutil.copy(warehouses.as_of_2, tampered)
    with duckdb.connect(str(tampered)) as con:
        con.execute(
            "update marts.fct_campaign_roi set revenue_d30 = revenue_d30 + 0.01 "
            "where attribution_model = 'linear' and campaign_id = 'CMP08'"
        )
    with pytest.raises(AssertionError, match="roi_reconciles_with_customer_revenue"):
        run_dbt(
            ["test", "--select", "fct_campaign_roi,test_name:roi_reconciles_with_customer_revenue"],
            tampered,
            tmp_path / "target",
        )


# --- coupon ROI ----------------------------------------------------------------------------------


def test_coupon_roi_of_the_recall_coupons_as_computed_by_hand(warehouses):
    coupon = one_row(
        warehouses.as_of_1,
        "select * from marts.fct_coupon_roi where stock_id = ?",
        [scenario.RECALL_STOCK],
    )
    assert coupon["campaign_id"] == "CMP12" and coupon["is_window_elapsed"]
    assert (coupon["coupons_issued"], coupon["coupons_redeemed"], coupon["coupon_cost"]) == (
        2,
        1,
        money("20.00"),
    )
    # redeemer: nothing in the 30 days before 10-02, 150.00 after; non-redeemer: 10.00 -> 30.00
    assert (
        coupon["redeemer_revenue_before"],
        coupon["redeemer_revenue_after"],
        coupon["incremental_revenue"],
        coupon["incremental_revenue_vs_control"],
    ) == (money("0.00"), money("150.00"), money("150.00"), money("130.00"))
    assert (coupon["coupon_roi"], coupon["coupon_roi_vs_control"]) == (
        Decimal("6.5000"),
        Decimal("5.5000"),
    )


# --- chart and run summary ----------------------------------------------------------------------


def test_roi_curve_chart_and_top_campaigns(warehouses, tmp_path):
    with duckdb.connect(str(warehouses.as_of_1), read_only=True) as con:
        path = render_roi_curve(con, tmp_path)
        top = top_campaigns_by_roi(con)
        text = top_campaigns_text(con)
    assert path.exists() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # d30, linear: CMP01 166.67 on 400.00; CMP04 100.00 on 80.00 + 400.00
    assert list(top["campaign_id"]) == ["CMP01", "CMP04"]
    assert [round(float(roi), 4) for roi in top["roi"]] == [-0.5833, -0.7917]
    assert "CMP01" in text.splitlines()[2]
