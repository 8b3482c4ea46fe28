"""The raw suites pass on correct exports and fail, naming the expectation, on wrong ones.

Correct data comes through the real loader (clean_landing.py, and the hand-made quirk landing);
each wrong case changes one thing inside a transaction that is rolled back afterwards.
"""

from __future__ import annotations

import duckdb
import pytest

from siyu.quality.runner import run_suite
from tests.quality.conftest import run_mutated

CLEAN_SOURCES = ("mp_users", "wechatpay_bills", "ads_tencent")

REGEX = "expect_column_values_to_match_regex"
BETWEEN = "expect_column_values_to_be_between"
IN_SET = "expect_column_values_to_be_in_set"
PAIR = "expect_column_pair_values_a_to_be_greater_than_b"


@pytest.mark.parametrize("source", CLEAN_SOURCES)
def test_correct_export_passes_every_expectation(clean_con, suites, source):
    result = run_suite(clean_con, suites[source])

    assert result.row_count > 0
    assert result.failed_labels == []
    assert result.success


# (source, statements, failing expectation type, its column)
CLEAN_BREAKAGES = {
    "openid with a bad shape": (
        "mp_users",
        ["update raw.mp_users set openid = 'oBAD!' where _row_number = 3"],
        REGEX,
        "openid",
    ),
    "register time in 1970": (
        "mp_users",
        ["update raw.mp_users set register_time = '1970-01-01 08:00:00' where _row_number = 4"],
        BETWEEN,
        "register_time__year",
    ),
    "phone with letters": (
        "mp_users",
        ["update raw.mp_users set phone = '1391234567x' where _row_number = 1"],
        REGEX,
        "phone",
    ),
    "unionid that is neither an id nor a placeholder": (
        "mp_users",
        ["update raw.mp_users set unionid = 'unknown-user' where _row_number = 2"],
        REGEX,
        "unionid",
    ),
    "negative settlement amount": (
        "wechatpay_bills",
        ["update raw.wechatpay_bills set settlement_total = '`-199.00' where _row_number = 1"],
        BETWEEN,
        "settlement_total__yuan",
    ),
    "unknown trade state": (
        "wechatpay_bills",
        ["update raw.wechatpay_bills set trade_state = '`REVOKED' where _row_number = 2"],
        IN_SET,
        "trade_state__value",
    ),
    "refund row without a refund amount": (
        "wechatpay_bills",
        [
            "update raw.wechatpay_bills set refund_amount = '`0.00' "
            "where trade_state = '`REFUND' and _row_number = 11"
        ],
        IN_SET,
        "refund_row_has_refund",
    ),
    "trade time in 1970": (
        "wechatpay_bills",
        [
            "update raw.wechatpay_bills set trade_time = '`1970-01-01 08:00:00' "
            "where _row_number = 5"
        ],
        BETWEEN,
        "trade_time__year",
    ),
    "payer openid with a bad shape": (
        "wechatpay_bills",
        ["update raw.wechatpay_bills set payer_openid = '`13812345678' where _row_number = 5"],
        REGEX,
        "payer_openid",
    ),
    "cost delivered in yuan instead of fen": (
        "ads_tencent",
        ["update raw.ads_tencent set cost = '1999.99' where _row_number = 1"],
        REGEX,
        "cost",
    ),
    "negative cost": (
        "ads_tencent",
        ["update raw.ads_tencent set cost = '-100' where _row_number = 2"],
        BETWEEN,
        "cost__fen",
    ),
    "report date in 1970": (
        "ads_tencent",
        ["update raw.ads_tencent set \"date\" = '1970-01-01' where _row_number = 2"],
        BETWEEN,
        "date__year",
    ),
    "campaign id that is not a number": (
        "ads_tencent",
        ["update raw.ads_tencent set campaign_id = 'c-31000001' where _row_number = 3"],
        REGEX,
        "campaign_id",
    ),
}


@pytest.mark.parametrize("case", sorted(CLEAN_BREAKAGES))
def test_wrong_data_fails_the_named_blocking_expectation(clean_con, suites, case):
    source, statements, expectation_type, column = CLEAN_BREAKAGES[case]

    result = run_mutated(clean_con, suites[source], *statements)

    failed = result.outcome(expectation_type, column)
    assert not failed.success
    assert failed.is_blocking
    assert failed in result.blocking_failures
    assert not result.success


def test_failure_names_the_file_and_row(clean_con, suites):
    result = run_mutated(
        clean_con,
        suites["mp_users"],
        "update raw.mp_users set openid = 'oBAD!' where _row_number = 3",
    )

    failed = result.outcome(REGEX, "openid")
    assert failed.unexpected_count == 1
    assert failed.unexpected_values == ({"value": "oBAD!", "count": 1},)
    assert failed.unexpected_rows == (
        {"_file_name": "mp_users/mp_users_2026-10.csv", "_row_number": 3, "openid": "oBAD!"},
    )


def test_derived_column_examples_show_the_raw_text(clean_con, suites):
    result = run_mutated(
        clean_con,
        suites["wechatpay_bills"],
        "update raw.wechatpay_bills set settlement_total = '`-199.00' where _row_number = 1",
    )

    (row,) = result.outcome(BETWEEN, "settlement_total__yuan").unexpected_rows
    assert row["settlement_total"] == "`-199.00"
    assert row["settlement_total__yuan"] == -199.0


def test_missing_column_is_reported_on_every_expectation_that_needs_it(clean_con, suites):
    result = run_mutated(
        clean_con, suites["mp_users"], "alter table raw.mp_users drop column register_time"
    )

    assert "register_time" in result.problems["register_time__year"]
    year = result.outcome(BETWEEN, "register_time__year")
    assert not year.success and "register_time" in year.error


def test_placeholder_share_above_five_percent_is_only_a_warning(clean_con, suites):
    result = run_mutated(
        clean_con,
        suites["mp_users"],
        "update raw.mp_users set unionid = 'null' where _row_number between 11 and 18",
    )

    assert result.blocking_failures == []
    (warning,) = result.warning_failures
    assert warning.label == f"{REGEX}(unionid)"
    assert warning.unexpected_count == 9  # eight nulls and the clean export's one 'undefined'


def test_more_clicks_than_impressions_is_a_warning(clean_con, suites):
    result = run_mutated(
        clean_con,
        suites["ads_tencent"],
        "update raw.ads_tencent set valid_click_count = '999999' where _row_number = 1",
    )

    assert result.blocking_failures == []
    assert [outcome.label for outcome in result.warning_failures] == [
        f"{PAIR}(view_count__n, valid_click_count__n)"
    ]


# --------------------------------------------------------------------------------------------
# every other source, on the quirk landing (the platforms' documented quirks, hand-made)


QUIRK_BREAKAGES = {
    "unknown sms send status": (
        "sms_sends",
        "update raw.sms_sends set send_status = '9' where _row_number = 1",
        IN_SET,
        "send_status",
    ),
    "unknown pos order status": (
        "pos_orders",
        "update raw.pos_orders set status = 'PENDING' where _row_number = 1",
        IN_SET,
        "status",
    ),
    "pos discount above the amount": (
        "pos_orders",
        "update raw.pos_orders set discount = '500.00' where _row_number = 1",
        PAIR,
        "amount__yuan",
    ),
    "pos items that are not JSON": (
        "pos_orders",
        "update raw.pos_orders set items = 'SKU001 x1' where _row_number = 1",
        IN_SET,
        "items__is_json_array",
    ),
    "unknown coupon status": (
        "coupons",
        "update raw.coupons set status = 'LOST' where _row_number = 1",
        IN_SET,
        "status",
    ),
    "used coupon without its transaction": (
        "coupons",
        "update raw.coupons set consume_transaction_id = null where status = 'USED'",
        IN_SET,
        "used_with_consume_information",
    ),
    "wecom external userid with a bad prefix": (
        "wecom_contacts",
        "update raw.wecom_contacts set external_userid = 'xxQuirkContact01'",
        REGEX,
        "external_userid",
    ),
    "wecom createtime in milliseconds": (
        "wecom_contacts",
        "update raw.wecom_contacts set createtime = '1793505600000'",
        REGEX,
        "createtime",
    ),
    "oa subscribe time in 1970": (
        "oa_followers",
        "update raw.oa_followers set subscribe_time = '86400' where subscribe = '1'",
        BETWEEN,
        "subscribe_time__year",
    ),
    "app event time in seconds": (
        "app_events",
        "update raw.app_events set event_time_ms = '1793505600' where _row_number = 1",
        REGEX,
        "event_time_ms",
    ),
    "app event properties that are not JSON": (
        "app_events",
        "update raw.app_events set properties = '{broken' where _row_number = 3",
        IN_SET,
        "properties__is_json_object",
    ),
    "tmall order created in 1970": (
        "tmall_orders",
        "update raw.tmall_orders set created_time = '1970-01-01 08:00:00' where _row_number = 1",
        BETWEEN,
        "created_time__year",
    ),
    "tmall paid amount negative": (
        "tmall_orders",
        "update raw.tmall_orders set paid_amount = '-199.00' where _row_number = 1",
        BETWEEN,
        "paid_amount__yuan",
    ),
    "wecom tag deleted flag not a boolean": (
        "wecom_tags",
        "update raw.wecom_tags set deleted = 'yes' where _row_number = 1",
        IN_SET,
        "deleted",
    ),
}


@pytest.fixture(scope="module")
def quirk_baseline(quirk_raw_warehouse, suites):
    with duckdb.connect(str(quirk_raw_warehouse), read_only=True) as con:
        return {source: run_suite(con, suite) for source, suite in suites.items()}


def test_quirk_landing_has_no_blocking_failure_in_any_suite(quirk_baseline):
    blocking = {source: result.blocking_failures for source, result in quirk_baseline.items()}
    assert {source: failures for source, failures in blocking.items() if failures} == {}


@pytest.mark.parametrize("case", sorted(QUIRK_BREAKAGES))
def test_wrong_quirk_data_fails_an_expectation_that_passed_before(
    quirk_con, suites, quirk_baseline, case
):
    source, statement, expectation_type, column = QUIRK_BREAKAGES[case]
    assert quirk_baseline[source].outcome(expectation_type, column).success

    result = run_mutated(quirk_con, suites[source], statement)

    failed = result.outcome(expectation_type, column)
    assert not failed.success
    assert failed in result.blocking_failures
