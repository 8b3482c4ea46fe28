"""Each platform quirk of docs/channel-formats.md, fed through ingestion and dbt staging."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from tests.conftest import phone_hash
from tests.fixtures.quirk_landing import CUSTOMER_PHONE, SECOND_PHONE

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

NOV1_NOON = datetime(2026, 11, 1, 12, 0, 0)


def one(con, sql: str):
    rows = con.execute(sql).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


def test_tmall_gbk_excel_wrapped_ids_tabs_and_statuses(quirk_db):
    rows = quirk_db.execute(
        "select order_id, buyer_nick, receiver_mobile_masked, paid_at, is_paid, is_cancelled, "
        "net_amount from staging.stg_tmall__orders order by order_id"
    ).fetchall()
    assert rows == [
        (
            "2890123456789012345",
            "tb_小红",
            "138****5678",
            datetime(2026, 11, 1, 12, 5),
            True,
            False,
            Decimal("199.00"),
        ),
        ("2890123456789012399", "tb_小红", "138****5678", None, False, True, Decimal("0.00")),
    ]


def test_wechatpay_bill_backticks_refund_rows_and_yuan(quirk_db):
    rows = quirk_db.execute(
        "select transaction_id, transaction_type, mp_openid, traded_at, settlement_amount, "
        "refund_amount, net_amount from staging.stg_wechatpay__transactions order by traded_at"
    ).fetchall()
    assert rows == [
        (
            "4200000001202611010001",
            "payment",
            "oMPQuirk000000000000000001",
            NOV1_NOON,
            Decimal("199.00"),
            Decimal("0.00"),
            Decimal("199.00"),
        ),
        (
            "4200000001202611010001",
            "refund",
            "oMPQuirk000000000000000001",
            datetime(2026, 11, 3, 9, 0),
            Decimal("199.00"),
            Decimal("50.00"),
            Decimal("-50.00"),
        ),
    ]


def test_fen_amounts_become_yuan(quirk_db):
    assert one(quirk_db, "select spend from staging.stg_tencent_ads__daily_reports") == (
        Decimal("1999.99"),
    )
    assert one(
        quirk_db, "select coupon_amount from staging.stg_wechatpay__coupons where is_used"
    ) == (Decimal("10.00"),)


def test_ad_reports_of_both_platforms_share_one_shape(quirk_db):
    tencent = one(
        quirk_db,
        "select report_date, campaign_id, impressions, clicks, conversions, spend "
        "from staging.stg_tencent_ads__daily_reports",
    )
    ocean = one(
        quirk_db,
        "select report_date, campaign_id, impressions, clicks, conversions, spend "
        "from staging.stg_oceanengine__daily_reports",
    )
    assert tencent == (date(2026, 11, 1), "31000001", 10000, 250, 12, Decimal("1999.99"))
    assert ocean == (date(2026, 11, 1), "1780000001", 50000, 900, 30, Decimal("1999.99"))


def test_unix_seconds_millis_and_rfc3339_are_shanghai_local_time(quirk_db):
    assert one(quirk_db, "select added_at from staging.stg_wecom__contacts") == (NOV1_NOON,)
    assert one(
        quirk_db, "select subscribed_at from staging.stg_wechat_oa__followers where is_subscribed"
    ) == (NOV1_NOON,)
    assert one(
        quirk_db, "select event_at from staging.stg_app__events where event_name = 'AppStart'"
    ) == (datetime(2026, 11, 1, 12, 0, 0, 123000),)
    assert one(
        quirk_db, "select issued_at, used_at from staging.stg_wechatpay__coupons where is_used"
    ) == (datetime(2026, 10, 30, 10, 0), NOV1_NOON)


def test_douyin_tab_suffixed_ids_sub_orders_and_after_sale_refunds(quirk_db):
    rows = quirk_db.execute(
        "select main_order_id, sub_order_id, product_id, is_refund, net_amount "
        "from staging.stg_douyin__order_items order by sub_order_id"
    ).fetchall()
    assert rows == [
        ("6920000000000001", "6920000000000002", "3600000001", False, Decimal("279.00")),
        ("6920000000000001", "6920000000000003", "3600000002", True, Decimal("0.00")),
    ]


def test_phones_in_any_shape_hash_to_the_same_value(quirk_db):
    expected = phone_hash(CUSTOMER_PHONE)
    hashes = {
        "mp": one(
            quirk_db,
            "select phone_hash from staging.stg_wechat_mp__users where mp_openid like '%1'",
        )[0],
        "pos": one(
            quirk_db, "select phone_hash from staging.stg_pos__members where member_id = 'M0001'"
        )[0],
        "wecom": one(
            quirk_db,
            "select phone_hash from staging.stg_wecom__contact_phones "
            "where phone_number_in_list = 1",
        )[0],
        "sms": one(quirk_db, "select phone_hash from staging.stg_sms__sends where is_delivered")[0],
        "app": one(
            quirk_db,
            "select phone_hash from staging.stg_app__events where event_name = 'BindPhone'",
        )[0],
    }
    assert set(hashes.values()) == {expected}, hashes
    assert one(
        quirk_db,
        "select phone_hash from staging.stg_wecom__contact_phones where phone_number_in_list = 2",
    ) == (phone_hash(SECOND_PHONE),)


def test_landlines_and_masked_phones_never_get_a_hash(quirk_db):
    assert one(
        quirk_db,
        "select phone_hash, phone_kind from staging.stg_pos__members where member_id = 'M0002'",
    ) == (None, "landline")
    assert quirk_db.execute(
        "select count(*) from staging.stg_tmall__orders where receiver_phone_hash is not null"
    ).fetchone() == (0,)


def test_null_like_identifiers_become_null_and_utm_is_extracted(quirk_db):
    rows = quirk_db.execute(
        "select mp_openid, unionid, utm_source, utm_campaign from staging.stg_wechat_mp__users "
        "order by mp_openid"
    ).fetchall()
    assert rows == [
        ("oMPQuirk000000000000000001", "oUnQuirk0000000000000000001", "tencent", "gdt_double11"),
        ("oMPQuirk000000000000000002", None, None, None),
    ]


def test_wecom_nested_tags_and_campaign_state(quirk_db):
    assert quirk_db.execute(
        "select t.tag_id, c.tag_name, c.tag_group_name from staging.stg_wecom__contact_tags t "
        "join staging.stg_wecom__corp_tags c using (tag_id) order by 1"
    ).fetchall() == [("etTagDry", "干皮", "肤质"), ("etTagVip", "VIP", "肤质")]
    assert one(quirk_db, "select channel_code, guide_userid from staging.stg_wecom__contacts") == (
        "store01_qr",
        "guide_zhang",
    )


def test_pos_refunds_and_order_items(quirk_db):
    assert quirk_db.execute(
        "select order_no, is_refund, paid_amount, net_amount from staging.stg_pos__orders "
        "order by order_no"
    ).fetchall() == [
        ("P0001", False, Decimal("300.00"), Decimal("300.00")),
        ("P0002", True, Decimal("290.00"), Decimal("0.00")),
    ]
    assert quirk_db.execute(
        "select sku, category, quantity, line_amount from staging.stg_pos__order_items "
        "where order_no = 'P0001' order by line_number"
    ).fetchall() == [
        ("SKU001", "护肤", 1, Decimal("199.00")),
        ("SKU002", "彩妆", 2, Decimal("101.00")),
    ]


def test_compact_yyyymmddhhmmss_times_are_parsed(quirk_db):
    assert one(
        quirk_db, "select registered_at from staging.stg_pos__members where member_id = 'M0002'"
    ) == (datetime(2026, 11, 2, 12, 0, 0),)
