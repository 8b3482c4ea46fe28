"""Hand-made exports for the ROI marts: ad spend in fen and yuan, one customer journey through
several campaigns, refunds before and after a horizon, and recall coupons.

Ad spend (2026-09-10 and 2026-09-15):
- Tencent Ads (JSON pages, cost in fen): campaign 1872340001 (CMP01) on 09-15 in two ad groups,
  25000 + 15000 fen = 400.00 yuan; campaign 1879999999 (in no seed: unmapped) on 09-15, 5050 fen
  = 50.50 yuan, on a second page.
- Ocean Engine (CSV, yuan): campaign 1780012345678901 (CMP04) 80.00 on 09-10 and 400.00 on 09-15.

Customer J (the journey), one person across the mini-program, the OA and WeCom (one unionid):
- 08-10 10:00 SMS JRN_WELCOME (CMP10): 36 days before the first order, outside the lookback.
- 09-01 10:00 mini-program registration with utm_campaign gdt_mp_newcomer (CMP01), 14 days before.
- 09-08 10:00 OA follow by QR code oa_follow_gift (CMP08), 7 days before.
- 09-15 09:00 added by a guide through WeCom channel code qr_S001 (CMP06), the same day.
- 09-15 12:00 first order, WeChat Pay 350.00 -> acquired on 09-15 (days_since 0).
- 09-18 10:00 refund 50.00 of it (day 3: inside d7).
- 09-28 10:00 SMS JRN_1111_PRESALE (CMP11): a reach touch, credited for the second order only.
- 10-02 12:00 second order 200.00 (day 17: inside d30); its window (30 days) no longer holds
  the 09-01 touch.
- 11-10 10:00 refund 80.00 of it (day 56: after d30, inside d90; after AS_OF_1).

Customer B: an app install from Ocean Engine (utm oe_app_install, CMP04) on 09-10 10:00 who binds
the phone of store member M900; store order 100.00 on 09-10 15:00 (acquired, day 0) and a 60.00
store order on 09-12 that was REFUNDED (no refund time: counted at the order, nets to 0).

Recall coupons, stock 17260931 (CMP12), issued 10-02 10:00 (face value 2000 fen = 20.00):
- customer C (ordered 90.00 on 06-01, nothing since) uses hers on a 150.00 order on 10-06;
- customer D (ordered 10.00 on 09-20) does not use hers and orders 30.00 on 10-10.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.fixtures.quirk_landing import WECHATPAY_HEADER
from tests.landing import LandingBuilder, shanghai_unix

AS_OF_1 = "2026-11-01 12:00:00"
AS_OF_2 = "2026-12-20 12:00:00"
JOURNEY_PHONE = "13900000011"
APP_BUYER_PHONE = "13900000022"
RECALL_STOCK = "17260931"
UNMAPPED_TENCENT_CAMPAIGN = "1879999999"

TX_J1 = "4200000000202609150001"
TX_J2 = "4200000000202610020002"
TX_C1 = "4200000000202606010003"
TX_C2 = "4200000000202610060004"
TX_D1 = "4200000000202609200005"
TX_D2 = "4200000000202610100006"


def _bill_rows() -> str:
    fields = WECHATPAY_HEADER.split(",")

    def payment(at: str, transaction_id: str, openid: str, amount: str, coupon: str = "0.00"):
        row = dict.fromkeys(fields, "")
        total = f"{float(amount) + float(coupon):.2f}"
        row |= {
            "交易时间": at,
            "公众账号ID": "wxRoiApp",
            "商户号": "1900000001",
            "微信订单号": transaction_id,
            "商户订单号": "MP" + transaction_id[-8:],
            "用户标识": openid,
            "交易类型": "JSAPI",
            "交易状态": "SUCCESS",
            "货币种类": "CNY",
            "应结订单金额": amount,
            "代金券金额": coupon,
            "微信退款单号": "0",
            "商户退款单号": "0",
            "退款金额": "0.00",
            "充值券退款金额": "0.00",
            "商品名称": "面霜",
            "手续费": "0.00",
            "费率": "0.60%",
            "订单金额": total,
            "申请退款金额": "0.00",
        }
        return row

    def refund(paid: dict[str, str], at: str, refund_id: str, amount: str):
        return paid | {
            "交易时间": at,
            "交易状态": "REFUND",
            "微信退款单号": refund_id,
            "商户退款单号": "RF" + refund_id[-8:],
            "退款金额": amount,
            "退款类型": "ORIGINAL",
            "退款状态": "SUCCESS",
            "申请退款金额": amount,
        }

    j1 = payment("2026-09-15 12:00:00", TX_J1, "oMPjourney", "350.00")
    j2 = payment("2026-10-02 12:00:00", TX_J2, "oMPjourney", "200.00")
    rows = [
        j1,
        refund(j1, "2026-09-18 10:00:00", "50300000012026091800001", "50.00"),
        j2,
        refund(j2, "2026-11-10 10:00:00", "50300000012026111000002", "80.00"),
        payment("2026-06-01 12:00:00", TX_C1, "oMPcy", "90.00"),
        payment("2026-10-06 12:00:00", TX_C2, "oMPcy", "150.00", coupon="20.00"),
        payment("2026-09-20 12:00:00", TX_D1, "oMPdee", "10.00"),
        payment("2026-10-10 12:00:00", TX_D2, "oMPdee", "30.00"),
    ]
    lines = [",".join("`" + row[name] for name in fields) for row in rows]
    return WECHATPAY_HEADER + "\n" + "\n".join(lines) + "\n"


def _tencent_page(rows: list[dict], page: int, pages: int) -> str:
    return json.dumps(
        {
            "code": 0,
            "message": "",
            "data": {
                "list": rows,
                "page_info": {
                    "page": page,
                    "page_size": 2,
                    "total_number": 3,
                    "total_page": pages,
                },
            },
        }
    )


def _tencent_row(campaign_id: int, adgroup_id: int, cost_fen: int) -> dict:
    return {
        "date": "2026-09-15",
        "account_id": 2000001,
        "campaign_id": campaign_id,
        "adgroup_id": adgroup_id,
        "view_count": 10000,
        "valid_click_count": 200,
        "cost": cost_fen,
        "conversions_count": 3,
    }


def write_roi_landing(landing: Path) -> None:
    out = LandingBuilder(landing)
    out.add(
        "ads_tencent",
        "report_2026-09-15_p1.json",
        _tencent_page(
            [_tencent_row(1872340001, 41000001, 25000), _tencent_row(1872340001, 41000002, 15000)],
            1,
            2,
        ),
    )
    out.add(
        "ads_tencent",
        "report_2026-09-15_p2.json",
        _tencent_page([_tencent_row(int(UNMAPPED_TENCENT_CAMPAIGN), 41000009, 5050)], 2, 2),
    )
    out.add(
        "ads_oceanengine",
        "campaign_report_2026-09.csv",
        "stat_datetime,advertiser_id,campaign_id,campaign_name,cost,show,click,convert\n"
        "2026-09-10 00:00:00,1700000001,1780012345678901,App拉新信息流,80.00,5000,100,2\n"
        "2026-09-15 00:00:00,1700000001,1780012345678901,App拉新信息流,400.00,20000,400,5\n",
    )
    out.add(
        "mp_users",
        "mp_users.csv",
        "openid,unionid,phone,register_time,scene,scene_query\n"
        f"oMPjourney,oUnjourney,{JOURNEY_PHONE},2026-09-01 10:00:00,1045,"
        "utm_source=gdt&utm_campaign=gdt_mp_newcomer&gdt_vid=wx0roi\n"
        "oMPcy,oUncy,,2026-05-20 10:00:00,1001,\n"
        "oMPdee,oUndee,,2026-04-01 10:00:00,1001,\n",
    )
    followers = {
        "user_info_list": [
            {
                "subscribe": 1,
                "openid": "oOAjourney",
                "unionid": "oUnjourney",
                "subscribe_time": shanghai_unix("2026-09-08 10:00:00"),
                "subscribe_scene": "ADD_SCENE_QR_CODE",
                "qr_scene": 0,
                "qr_scene_str": "oa_follow_gift",
            }
        ]
    }
    out.add("oa_followers", "batchget.json", json.dumps(followers))
    contacts = {
        "errcode": 0,
        "errmsg": "ok",
        "next_cursor": "",
        "external_contact_list": [
            {
                "external_contact": {
                    "external_userid": "wmJourney",
                    "type": 1,
                    "unionid": "oUnjourney",
                },
                "follow_info": {
                    "userid": "guide_wang",
                    "createtime": shanghai_unix("2026-09-15 09:00:00"),
                    "add_way": 1,
                    "state": "qr_S001",
                },
            }
        ],
    }
    out.add("wecom_contacts", "page_1.json", json.dumps(contacts))
    out.add(
        "sms_sends",
        "sms.csv",
        "PhoneNum,SendStatus,ErrCode,TemplateCode,Content,SendDate,ReceiveDate,OutId\n"
        f"{JOURNEY_PHONE},3,DELIVERED,SMS_1,欢迎,2026-08-10 10:00:00,2026-08-10 10:00:05,"
        "JRN_WELCOME\n"
        f"{JOURNEY_PHONE},3,DELIVERED,SMS_2,预售,2026-09-28 10:00:00,2026-09-28 10:00:05,"
        "JRN_1111_PRESALE\n",
    )
    out.add("wechatpay_bills", "bill_2026.csv", _bill_rows())
    events = [
        {
            "type": "track",
            "event": "AppStart",
            "time": shanghai_unix("2026-09-10 10:00:00") * 1000,
            "distinct_id": "app-bo",
            "login_id": "app-bo",
            "anonymous_id": "dev-bo",
            "properties": {"$utm_source": "oceanengine", "$utm_campaign": "oe_app_install"},
        },
        {
            "type": "track",
            "event": "BindPhone",
            "time": shanghai_unix("2026-09-10 10:05:00") * 1000,
            "distinct_id": "app-bo",
            "login_id": "app-bo",
            "anonymous_id": "dev-bo",
            "properties": {"phone": APP_BUYER_PHONE},
        },
    ]
    out.add(
        "app_events",
        "events.jsonl",
        "\n".join(json.dumps(event) for event in events) + "\n",
    )
    out.add(
        "pos_members",
        "members.csv",
        "member_id,phone,name,gender,birthday,register_store_id,register_time,level,points,guide_id\n"
        f"M900,{APP_BUYER_PHONE},白先生,M,,S01,2026-09-10 14:00:00,NORMAL,0,\n",
    )
    out.add(
        "pos_orders",
        "orders.csv",
        "order_no,member_id,store_id,guide_id,order_time,amount,discount,coupon_id,status,items\n"
        "P900,M900,S01,,2026-09-10 15:00:00,100.00,0.00,,PAID,[]\n"
        "P901,M900,S01,,2026-09-12 11:00:00,60.00,0.00,,REFUNDED,[]\n",
    )
    coupons = [
        {
            "stock_id": RECALL_STOCK,
            "coupon_id": "98100001",
            "openid": "oMPcy",
            "coupon_name": "沉睡客召回券",
            "status": "USED",
            "create_time": "2026-10-02T10:00:00+08:00",
            "normal_coupon_information": {"coupon_amount": 2000, "transaction_minimum": 10000},
            "consume_information": {
                "consume_time": "2026-10-06T12:00:00+08:00",
                "transaction_id": TX_C2,
            },
        },
        {
            "stock_id": RECALL_STOCK,
            "coupon_id": "98100002",
            "openid": "oMPdee",
            "coupon_name": "沉睡客召回券",
            "status": "SENDED",
            "create_time": "2026-10-02T10:00:00+08:00",
            "normal_coupon_information": {"coupon_amount": 2000, "transaction_minimum": 10000},
        },
    ]
    out.add(
        "coupons",
        "coupons.jsonl",
        "\n".join(json.dumps(coupon, ensure_ascii=False) for coupon in coupons) + "\n",
    )
