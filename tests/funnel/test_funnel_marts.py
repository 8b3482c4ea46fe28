"""Funnel marts on hand-made customers whose stage times, conversions, retention and leaderboard
numbers are computed by hand (tests/funnel/landing.py has the story of each customer)."""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.dbt_runner import run_dbt
from tests.funnel import landing as scenario

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return scenario.funnel_warehouse(tmp_path_factory)


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def customer_of(path: Path, id_type: str, id_value: str) -> str:
    rows = query(
        path,
        "select customer_id from intermediate.int_identity__customer_ids "
        "where id_type = ? and id_value = ?",
        [id_type, id_value],
    )
    assert len(rows) == 1, (id_type, id_value, rows)
    return rows[0][0]


@pytest.fixture(scope="module")
def names(warehouse) -> dict[str, str]:
    """customer_id -> the scenario's name of the customer."""
    ids = {
        "ann": customer_of(warehouse, "oa_openid", "oOAann"),
        "bob": customer_of(warehouse, "tmall_buyer", "tb_bob"),
        "cat": customer_of(warehouse, "member_id", "M001"),
        "dan": customer_of(warehouse, "app_user_id", "app-dan"),
        "eve": customer_of(warehouse, "mp_openid", "oMPeve"),
        "fay": customer_of(warehouse, "member_id", "M002"),
        "gus": customer_of(warehouse, "oa_openid", "oOAgus"),
        "hal": customer_of(warehouse, "member_id", "M003"),
    }
    assert len(set(ids.values())) == len(scenario.CUSTOMERS)
    return {customer_id: name for name, customer_id in ids.items()}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_each_customer_reaches_the_stages_at_the_known_times(warehouse, names):
    rows = query(
        warehouse,
        "select customer_id, acquired_at, acquisition_channel, acquisition_campaign_id, "
        "activated_at, activated_by, first_order_at, second_order_at, repeat_order_at, "
        "referred_at, current_stage from marts.fct_customer_funnel",
    )
    funnel = {names[row[0]]: row[1:] for row in rows}
    assert sorted(funnel) == sorted(scenario.CUSTOMERS)
    assert funnel["ann"] == (
        at("2026-03-01 10:00"), "official_account", "CMP08",
        at("2026-03-01 10:00"), "oa_followed",
        at("2026-03-05 10:00"), at("2026-03-06 09:00"), at("2026-03-10 20:00"),
        at("2026-03-20 12:00"), "referred",
    )  # fmt: skip
    assert funnel["bob"] == (
        at("2026-03-15 09:00"), "tmall", None, None, None,
        at("2026-03-15 09:00"), at("2026-04-20 09:00"), None, None, "second_order",
    )  # fmt: skip
    assert funnel["cat"] == (
        at("2026-03-20 11:00"), "store", None, at("2026-03-20 11:00"), "member_registered",
        at("2026-03-20 11:30"), None, None, None, "first_order",
    )  # fmt: skip
    assert funnel["dan"] == (
        at("2026-06-25 10:00"), "app", None, at("2026-06-25 10:00"), "app_start",
        None, None, None, None, "activated",
    )  # fmt: skip
    assert funnel["eve"] == (
        at("2026-04-01 10:00"), "mini_program", "CMP02", at("2026-04-01 10:00"), "mp_registered",
        None, None, None, None, "activated",
    )  # fmt: skip
    assert funnel["fay"] == (
        at("2026-04-10 10:00"), "wecom", None, at("2026-04-10 10:00"), "wecom_contact_added",
        at("2026-04-12 14:30"), at("2026-06-25 15:00"), None, None, "second_order",
    )  # fmt: skip
    assert funnel["gus"] == (
        at("2026-06-10 10:00"), "official_account", None, at("2026-06-10 10:00"), "oa_followed",
        at("2026-06-10 12:00"), at("2026-06-11 10:00"), at("2026-06-20 15:00"), None, "repeat",
    )  # fmt: skip
    assert funnel["hal"] == (
        at("2026-06-28 10:00"), "store", None, at("2026-06-28 10:00"), "member_registered",
        at("2026-06-28 10:30"), None, None, None, "first_order",
    )  # fmt: skip


HEADLINE = (
    "select stage, customers_entered, customers_at_previous_stage, customers_eligible, "
    "customers_not_yet_mature, customers_converted, conversion_rate, median_days_from_previous, "
    "maturity_status from marts.rpt_funnel_conversion "
    "where cohort_grain = ? and acquisition_channel = ? and acquisition_campaign_id = ? "
    "and cohort_start = ? order by stage_order"
)


def test_headline_funnel_counts_and_rates_match_the_hand_count(warehouse):
    rows = query(warehouse, HEADLINE, ["all", "(all)", "(all)", "2026-03-01"])
    assert [row[:6] for row in rows] == [
        # stage, entered, at previous, eligible, not yet mature, converted
        ("acquired", 8, 0, 0, 0, 0),
        ("activated", 7, 8, 5, 3, 4),  # bob never; dan, gus, hal acquired < 30 d ago
        ("first_order", 6, 7, 4, 3, 3),  # eve never ordered; dan, gus, hal too young
        ("second_order", 4, 6, 3, 3, 2),  # ann, bob within 90 d; cat not; fay, gus, hal young
        ("repeat", 2, 4, 1, 3, 1),  # only ann's 90 days after her second order have passed
        ("referred", 1, 6, 3, 3, 1),  # ann shared
    ]
    rates = {row[0]: row[6] for row in rows}
    assert rates["acquired"] is None
    assert rates["activated"] == pytest.approx(4 / 5)
    assert rates["first_order"] == pytest.approx(3 / 4)
    assert rates["second_order"] == pytest.approx(2 / 3)
    assert rates["repeat"] == pytest.approx(1.0)
    assert rates["referred"] == pytest.approx(1 / 3)
    medians = {row[0]: row[7] for row in rows}
    # first order after activation: ann 4 d, cat 30 min, fay 2 d 4.5 h -> the middle one
    assert medians["first_order"] == pytest.approx(2 + 4.5 / 24)
    # second order: ann after 23 h, bob after 36 d -> their mean
    assert medians["second_order"] == pytest.approx((23 / 24 + 36) / 2)
    assert medians["repeat"] == pytest.approx(4 + 11 / 24)
    assert medians["activated"] == pytest.approx(0)
    assert [row[8] for row in rows] == ["not_applicable"] + ["partially_mature"] * 5


def test_a_cohort_too_young_for_a_conversion_has_no_rate_rather_than_a_low_one(warehouse):
    # June: dan (06-25), gus (06-10), hal (06-28) - none has had 30 days to activate
    june = query(warehouse, HEADLINE, ["month", "(all)", "(all)", "2026-06-01"])
    activated = june[1]
    assert activated[:7] == ("activated", 3, 3, 0, 3, 0, None)
    assert activated[8] == "not_yet_mature"
    # gus already ordered twice, yet June has no mature first orders to judge second orders by
    second_order = june[3]
    assert second_order[:7] == ("second_order", 1, 2, 0, 2, 0, None)
    # March: ann, bob, cat - all mature for activation; bob never activated
    march = query(warehouse, HEADLINE, ["month", "(all)", "(all)", "2026-03-01"])
    assert march[1][:7] == ("activated", 2, 3, 3, 0, 2, pytest.approx(2 / 3))
    assert march[1][8] == "mature"


def test_conversion_is_split_by_channel_and_campaign_and_rolls_up(warehouse):
    rows = query(
        warehouse,
        "select acquisition_channel, acquisition_campaign_id, customers_entered "
        "from marts.rpt_funnel_conversion "
        "where cohort_grain = 'all' and stage = 'acquired' order by 1, 2",
    )
    assert rows == [
        ("(all)", "(all)", 8),
        ("app", "(all)", 1),
        ("app", "(none)", 1),
        ("mini_program", "(all)", 1),
        ("mini_program", "CMP02", 1),
        ("official_account", "(all)", 2),
        ("official_account", "(none)", 1),
        ("official_account", "CMP08", 1),
        ("store", "(all)", 2),
        ("store", "(none)", 2),
        ("tmall", "(all)", 1),
        ("tmall", "(none)", 1),
        ("wecom", "(all)", 1),
        ("wecom", "(none)", 1),
    ]
    weeks = query(
        warehouse,
        "select cohort_start, customers_entered from marts.rpt_funnel_conversion "
        "where cohort_grain = 'week' and acquisition_channel = '(all)' and stage = 'acquired' "
        "order by 1",
    )
    # weeks start on Monday: 03-01 is a Sunday, 03-15 a Sunday, 03-20 a Friday
    assert [(str(day), n) for day, n in weeks] == [
        ("2026-02-23", 1),
        ("2026-03-09", 1),
        ("2026-03-16", 1),
        ("2026-03-30", 1),
        ("2026-04-06", 1),
        ("2026-06-08", 1),
        ("2026-06-22", 2),
    ]


def test_cohort_retention_matches_the_hand_computation(warehouse):
    rows = query(
        warehouse,
        "select cast(cohort_month as varchar), months_since_first_order, customers, "
        "retained_customers, retention_rate, is_complete_month "
        "from marts.rpt_cohort_retention order by 1, 2",
    )
    assert rows == [
        # March: ann, bob, cat; bob comes back in April
        ("2026-03-01", 0, 3, 3, 1.0, True),
        ("2026-03-01", 1, 3, 1, pytest.approx(1 / 3), True),
        ("2026-03-01", 2, 3, 0, 0.0, True),
        ("2026-03-01", 3, 3, 0, 0.0, False),
        # April: fay, back in June (her refunded order does not count)
        ("2026-04-01", 0, 1, 1, 1.0, True),
        ("2026-04-01", 1, 1, 0, 0.0, True),
        ("2026-04-01", 2, 1, 1, 1.0, False),
        # June: gus and hal
        ("2026-06-01", 0, 2, 2, 1.0, False),
    ]


def test_three_order_strategy_follow_up_and_recall(warehouse, names):
    rows = query(
        warehouse,
        "select customer_id, first_order_store_id, first_order_guide_id, is_guide_followed_up, "
        "is_recall_sent, has_second_order_in_window, has_third_order_in_window, "
        "is_mature_for_second_order, is_mature_for_third_order, is_settled "
        "from marts.fct_customer_funnel where first_order_at is not null",
    )
    flags = {names[row[0]]: row[1:] for row in rows}
    assert flags == {
        # online orders are credited to the owner guide and their home store
        "ann": ("S01", "guide_li", True, False, True, True, True, True, True),
        "bob": (None, None, False, False, False, False, True, True, False),
        "cat": ("S01", "guide_li", False, True, False, False, True, True, False),
        "fay": ("S02", "guide_wang", True, False, False, False, True, True, True),
        # added on WeCom five days after the first order: no 1v1 follow-up; coupon before #2
        "gus": ("S01", "guide_li", False, True, True, False, True, True, True),
        # two days old: mature for the next-day second order, not for the 7-day third
        "hal": ("S01", "guide_li", False, False, False, False, True, False, False),
    }
    report = query(
        warehouse,
        "select cast(first_order_month as varchar), store_id, guide_id, is_guide_followed_up, "
        "is_recall_sent, first_order_customers, customers_mature_for_second, "
        "second_order_customers, customers_mature_for_third, third_order_customers, "
        "settled_customers from marts.rpt_three_order_followup order by 1, 2, 3, 4, 5",
    )
    assert report == [
        ("2026-03-01", "(none)", "(none)", False, False, 1, 1, 0, 1, 0, 0),
        ("2026-03-01", "S01", "guide_li", False, True, 1, 1, 0, 1, 0, 0),
        ("2026-03-01", "S01", "guide_li", True, False, 1, 1, 1, 1, 1, 1),
        ("2026-04-01", "S02", "guide_wang", True, False, 1, 1, 0, 1, 0, 1),
        ("2026-06-01", "S01", "guide_li", False, False, 1, 1, 0, 0, 0, 0),
        ("2026-06-01", "S01", "guide_li", False, True, 1, 1, 1, 1, 0, 1),
    ]


LEADERBOARD = (
    "select leaderboard_level, store_id, guide_id, cast(period_start_date as varchar), "
    "cast(period_end_date as varchar), customers_added, customers_converted, customers_ordered, "
    "orders, gmv, repeat_customers, settled_customers, gmv_rank "
    "from marts.rpt_guide_leaderboard order by leaderboard_level, gmv_rank"
)


def test_leaderboard_over_the_default_30_days_matches_the_hand_count(warehouse):
    june = ("2026-06-01", "2026-06-30")
    assert query(warehouse, LEADERBOARD) == [
        # guide_li: gus's three mini-program orders (20 + 25 + 15, he is guide_li's WeCom
        # contact) and hal's store order (300); gus added 06-15 and ordered again 06-20
        ("guide", "S01", "guide_li", *june, 1, 1, 2, 4, Decimal("360.00"), 1, 1, 1),
        # guide_wang: fay's second order (80) and a walk-in order (30); the refund is not counted
        ("guide", "S02", "guide_wang", *june, 0, 0, 1, 2, Decimal("110.00"), 1, 1, 2),
        ("store", "S01", "(all)", *june, 1, 1, 2, 4, Decimal("360.00"), 1, 1, 1),
        ("store", "S02", "(all)", *june, 0, 0, 1, 2, Decimal("110.00"), 1, 1, 2),
    ]


def test_leaderboard_reconciles_with_the_orders_it_sums(warehouse):
    sums = query(
        warehouse,
        "with period_orders as ("
        "  select * from marts.fct_orders"
        "  where is_counted_order"
        "  and cast(ordered_at as date) between '2026-06-01' and '2026-06-30'"
        ") select"
        " (select sum(gmv) from marts.rpt_guide_leaderboard where leaderboard_level = 'store'),"
        " (select sum(gmv) from marts.rpt_guide_leaderboard where leaderboard_level = 'guide'),"
        " (select sum(orders) from marts.rpt_guide_leaderboard where leaderboard_level = 'guide'),"
        " (select sum(net_amount) from period_orders where channel in ('store', 'mini_program')),"
        " (select count(*) from period_orders where channel in ('store', 'mini_program'))",
    )
    # every counted store and mini-program order of June is credited to a guide and a store
    assert sums == [(Decimal("470.00"), Decimal("470.00"), 4 + 2, Decimal("470.00"), 6)]


def test_leaderboard_period_can_be_chosen(warehouse, tmp_path):
    march = tmp_path / "march.duckdb"
    shutil.copy(warehouse, march)
    run_dbt(
        [
            "run",
            "--select",
            "rpt_guide_leaderboard",
            "--vars",
            scenario.as_of_vars(
                siyu_leaderboard_start_date="2026-03-01", siyu_leaderboard_end_date="2026-03-31"
            ),
        ],
        march,
        tmp_path / "target",
    )
    period = ("2026-03-01", "2026-03-31")
    assert query(march, LEADERBOARD) == [
        # ann's three orders (230, owner guide) and cat's store order (200); ann added 03-05
        # 15:00 and ordered again 03-06
        ("guide", "S01", "guide_li", *period, 1, 1, 2, 4, Decimal("430.00"), 1, 1, 1),
        ("guide", "S02", "guide_wang", *period, 0, 0, 0, 0, Decimal("0.00"), 0, 0, 2),
        ("store", "S01", "(all)", *period, 1, 1, 2, 4, Decimal("430.00"), 1, 1, 1),
        ("store", "S02", "(all)", *period, 0, 0, 0, 0, Decimal("0.00"), 0, 0, 2),
    ]
