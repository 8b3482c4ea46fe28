"""Hand-made exports for tags and audiences: eleven people whose tags are worked out by hand.

Run 1 is built as of 2026-11-20 12:00 (AS_OF_1), run 2 as of 2026-11-22 12:00 (AS_OF_2) after the
day-2 files land. Days are calendar days (2026-11-13 15:00 to 2026-11-20 12:00 is 7).

- amy: store member M001 (store S01, guide g_wang), WeCom contact wmAmy of g_wang (typed her phone,
  tag 客户等级/VIP), OA follower (same unionid), delivered SMS. Store orders 11-01 (300.00, coupon,
  护肤 259 + 个护 41), 11-02 (159.00, 护肤), 11-05 (89.00, 护肤): 3 orders, GMV 548.00, last 15
  days ago -> R5 F3 M3 needs_attention, new (first 19 days ago), loyal, third_order (2nd after 1
  day, 3rd after 4), coupon share 0.3333 medium, 护肤, average item 137.00 mid. Manual service_vip.
- bob: app user (app-bob) who bound phone P_BOB (BindPhone) and got an SMS on it, then opted out of
  SMS (seed). Carted (129, 食品) 11-18, viewed a 399 item (食品) 11-19 -> run 1: carted intent,
  high-value browse 1 day ago, 食品, average 264.00 premium, interest, prospect, no reachable
  channel. Day 2: registers the mini-program with P_BOB and pays 129.00 on 11-21 10:00 -> run 2:
  purchase, new, first_order, coupon none, no intent, reachable on the mini-program.
- cat: added by guide g_li on WeCom 11-15 -> consulted intent, interest, reachable on WeCom. Day 2:
  the guide tags her 双11意向/已加购.
- dan: mini-program user + OA follower (same unionid); one WeChat Pay order 11-13 15:00 (199.00)
  with a redeemed coupon -> first order 7 days ago, first_order, coupon share 1 high, R5 F1 M2
  promising, new, purchase; reachable on the OA and the mini-program.
- eve: member M005 (store S02) and WeCom contact of g_zhao (VIP tag); one store order 06-01
  (699.00, 彩妆) -> dormant (172 days), R2 F1 M4 hibernating, premium.
- fay: member M006 (store S02), WeCom contact of g_zhao, delivered SMS; one order 06-10 (99.00,
  个护) -> dormant; opted out of all channels by member_id (seed): never in an audience.
- gus: member M007 (store S03), no phone, no WeCom; orders 07-01 and 07-02 (50.00 each, 食品) ->
  second_order (the next day), loyal (2 orders), R2 F2 M1 hibernating, dormant but unreachable.
- ivy: member M009 (store S01) with a delivered SMS; one order 07-15 (120.00, 护肤) -> dormant,
  reachable by SMS only.
- hal: an OA follower who unsubscribed (aware: seen only) and, unlinked, an app user who viewed a
  59 item 11-05 (interest, no intent: 15 days ago).
- kim: app user who bound WeChat (unionid of OA follower oOAkim) and viewed a 259 item (护肤)
  11-17 -> browsed intent, high-value browse 3 days ago, premium, interest; reachable on the OA.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.landing import LandingBuilder

AS_OF_1 = "2026-11-20 12:00:00"
AS_OF_2 = "2026-11-22 12:00:00"
P_AMY = "13900000001"
P_BOB = "13900000002"
P_EVE = "13900000005"
P_FAY = "13900000006"
P_IVY = "13900000009"
CUSTOMERS = 11  # amy bob cat dan eve fay gus ivy hal (OA) hal (app) kim

SHANGHAI = timezone(timedelta(hours=8))
WECHATPAY_HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
    "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,"
    "费率备注"
)
MP_HEADER = "openid,unionid,phone,register_time,scene,scene_query\n"
MEMBER_HEADER = (
    "member_id,phone,name,gender,birthday,register_store_id,register_time,level,points,guide_id\n"
)
POS_ORDER_HEADER = (
    "order_no,member_id,store_id,guide_id,order_time,amount,discount,coupon_id,status,items\n"
)
SMS_HEADER = "PhoneNum,SendStatus,ErrCode,TemplateCode,Content,SendDate,ReceiveDate,OutId\n"


def _unix(local: str) -> int:
    return int(datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).timestamp())


def _contact(external_userid: str, guide: str, added: str, **follow: object) -> dict:
    contact: dict = {"external_userid": external_userid, "type": 1, "name": "客户"}
    if "unionid" in follow:
        contact["unionid"] = follow.pop("unionid")
    return {
        "external_contact": contact,
        "follow_info": {"userid": guide, "createtime": _unix(added), **follow},
    }


def _contacts_page(contacts: list[dict]) -> str:
    page = {"errcode": 0, "errmsg": "ok", "external_contact_list": contacts, "next_cursor": ""}
    return json.dumps(page, ensure_ascii=False)


def _event(event: str, user: str, at: str, **properties: object) -> str:
    record = {
        "type": "track",
        "event": event,
        "time": _unix(at) * 1000,
        "distinct_id": user,
        "login_id": user,
        "anonymous_id": f"dev-{user}",
        "properties": properties,
    }
    return json.dumps(record, ensure_ascii=False)


def _items(*lines: tuple[str, int, float]) -> str:
    items = [
        {"sku": f"SKU-{category}", "category": category, "qty": qty, "price": price}
        for category, qty, price in lines
    ]
    return '"' + json.dumps(items, ensure_ascii=False).replace('"', '""') + '"'


def _bill(transaction_id: str, openid: str, at: str, amount: str, coupon: str = "0.00") -> str:
    fields = WECHATPAY_HEADER.split(",")
    row = dict.fromkeys(fields, "")
    row |= {
        "交易时间": at,
        "公众账号ID": "wxTagsApp",
        "商户号": "1900000009",
        "微信订单号": transaction_id,
        "商户订单号": f"MP{transaction_id[-6:]}",
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
        "商品名称": "丝语商品",
        "手续费": "0.00",
        "费率": "0.60%",
        "订单金额": amount,
        "申请退款金额": "0.00",
    }
    detail = ",".join("`" + row[name] for name in fields)
    return (
        WECHATPAY_HEADER
        + "\n"
        + detail
        + "\n总交易单数,应结订单总金额,退款总金额,充值券退款总金额,"
        + "手续费总金额,订单总金额,申请退款总金额\n"
        + f"`1,`{amount},`0.00,`0.00,`0.00,`{amount},`0.00\n"
    )


def write_day1(landing: Path) -> None:
    out = LandingBuilder(landing)
    tags = {
        "errcode": 0,
        "errmsg": "ok",
        "tag_group": [
            {
                "group_id": "etGroupLevel",
                "group_name": "客户等级",
                "create_time": _unix("2026-01-01 00:00:00"),
                "order": 1,
                "tag": [
                    {
                        "id": "etVIP",
                        "name": "VIP",
                        "create_time": _unix("2026-01-01 00:00:00"),
                        "order": 1,
                    }
                ],
            },
            {
                "group_id": "etGroupIntent",
                "group_name": "双11意向",
                "create_time": _unix("2026-10-01 00:00:00"),
                "order": 2,
                "tag": [
                    {
                        "id": "etCarted",
                        "name": "已加购",
                        "create_time": _unix("2026-10-01 00:00:00"),
                        "order": 1,
                    }
                ],
            },
        ],
    }
    out.add("wecom_tags", "corp_tags.json", json.dumps(tags, ensure_ascii=False))
    contacts = [
        _contact(
            "wmAmy",
            "g_wang",
            "2026-01-12 10:00:00",
            unionid="oUnAmy",
            remark_mobiles=[P_AMY],
            tag_id=["etVIP"],
        ),
        _contact("wmCat", "g_li", "2026-11-15 14:00:00"),
        _contact(
            "wmEve", "g_zhao", "2025-12-02 10:00:00", remark_mobiles=[P_EVE], tag_id=["etVIP"]
        ),
        _contact("wmFay", "g_zhao", "2025-12-06 10:00:00", remark_mobiles=[P_FAY]),
    ]
    out.add("wecom_contacts", "day1.json", _contacts_page(contacts))
    followers = {
        "user_info_list": [
            {
                "subscribe": 1,
                "openid": "oOAamy",
                "unionid": "oUnAmy",
                "subscribe_time": _unix("2026-01-05 09:00:00"),
            },
            {
                "subscribe": 1,
                "openid": "oOAdan",
                "unionid": "oUnDan",
                "subscribe_time": _unix("2026-11-01 09:00:00"),
            },
            {
                "subscribe": 1,
                "openid": "oOAkim",
                "unionid": "oUnKim",
                "subscribe_time": _unix("2026-10-01 09:00:00"),
            },
            {"subscribe": 0, "openid": "oOAhal"},
        ]
    }
    out.add("oa_followers", "day1.json", json.dumps(followers))
    out.add(
        "mp_users",
        "day1.csv",
        MP_HEADER + "oMPdan,oUnDan,,2026-11-01 10:00:00,1047,\n",
    )
    members = [
        f"M001,{P_AMY},艾米,F,1990-01-01,S01,2026-01-10 10:00:00,GOLD,100,g_wang",
        f"M005,{P_EVE},伊芙,F,,S02,2025-12-01 10:00:00,NORMAL,0,g_zhao",
        f"M006,{P_FAY},菲菲,F,,S02,2025-12-05 10:00:00,NORMAL,0,g_zhao",
        "M007,,格斯,M,,S03,2025-11-01 10:00:00,NORMAL,0,",
        f"M009,{P_IVY},艾薇,F,,S01,2025-10-01 10:00:00,NORMAL,0,",
    ]
    out.add("pos_members", "day1.csv", MEMBER_HEADER + "\n".join(members) + "\n")
    orders = [
        f"P001,M001,S01,g_wang,2026-11-01 10:00:00,300.00,0.00,CPN1,PAID,"
        f"{_items(('护肤', 1, 259.0), ('个护', 1, 41.0))}",
        f"P002,M001,S01,g_wang,2026-11-02 09:00:00,159.00,0.00,,PAID,{_items(('护肤', 1, 159.0))}",
        f"P003,M001,S01,g_wang,2026-11-05 15:00:00,89.00,0.00,,PAID,{_items(('护肤', 1, 89.0))}",
        f"P005,M005,S02,g_zhao,2026-06-01 12:00:00,699.00,0.00,,PAID,{_items(('彩妆', 1, 699.0))}",
        f"P006,M006,S02,g_zhao,2026-06-10 12:00:00,99.00,0.00,,PAID,{_items(('个护', 1, 99.0))}",
        f"P007,M007,S03,,2026-07-01 12:00:00,50.00,0.00,,PAID,{_items(('食品', 1, 50.0))}",
        f"P008,M007,S03,,2026-07-02 10:00:00,50.00,0.00,,PAID,{_items(('食品', 1, 50.0))}",
        f"P009,M009,S01,,2026-07-15 12:00:00,120.00,0.00,,PAID,{_items(('护肤', 1, 120.0))}",
    ]
    out.add("pos_orders", "day1.csv", POS_ORDER_HEADER + "\n".join(orders) + "\n")
    delivered = "3,DELIVERED,SMS_1,【丝语】会员日"
    sends = [
        f"{P_AMY},{delivered},2026-11-10 10:00:00,2026-11-10 10:00:05,journey_a",
        f"{P_BOB},{delivered},2026-11-15 10:00:00,2026-11-15 10:00:05,journey_a",
        f"{P_FAY},{delivered},2026-11-10 10:00:00,2026-11-10 10:00:05,journey_a",
        f"{P_IVY},{delivered},2026-11-10 10:00:00,2026-11-10 10:00:05,journey_a",
    ]
    out.add("sms_sends", "day1.csv", SMS_HEADER + "\n".join(sends) + "\n")
    events = [
        _event("BindPhone", "app-bob", "2026-11-10 10:00:00", phone=P_BOB),
        _event("AddToCart", "app-bob", "2026-11-18 21:00:00", category="食品", price=129),
        _event("ViewProduct", "app-bob", "2026-11-19 20:00:00", category="食品", price=399),
        _event("ViewProduct", "app-hal", "2026-11-05 10:00:00", category="个护", price=59),
        _event("BindWeChat", "app-kim", "2026-11-01 10:00:00", unionid="oUnKim"),
        _event("ViewProduct", "app-kim", "2026-11-17 10:00:00", category="护肤", price=259),
    ]
    out.add("app_events", "day1.jsonl", "\n".join(events) + "\n")
    out.add(
        "wechatpay_bills",
        "day1.csv",
        _bill("4200000000202611130001", "oMPdan", "2026-11-13 15:00:00", "199.00", coupon="20.00"),
    )
    coupon = {
        "stock_id": "16000009",
        "coupon_id": "CPN-DAN",
        "openid": "oMPdan",
        "coupon_name": "新客券",
        "status": "USED",
        "create_time": "2026-11-10T10:00:00+08:00",
        "normal_coupon_information": {"coupon_amount": 2000},
        "consume_information": {
            "consume_time": "2026-11-13T15:00:00+08:00",
            "transaction_id": "4200000000202611130001",
        },
    }
    out.add("coupons", "day1.jsonl", json.dumps(coupon, ensure_ascii=False) + "\n")


def write_day2(landing: Path) -> None:
    out = LandingBuilder(landing)
    out.add(
        "mp_users",
        "day2.csv",
        MP_HEADER + f"oMPbob,,{P_BOB},2026-11-21 09:00:00,1047,\n",
    )
    out.add(
        "wechatpay_bills",
        "day2.csv",
        _bill("4200000000202611210001", "oMPbob", "2026-11-21 10:00:00", "129.00"),
    )
    contacts = [_contact("wmCat", "g_li", "2026-11-15 14:00:00", tag_id=["etCarted"])]
    out.add("wecom_contacts", "day2.json", _contacts_page(contacts))


def opt_outs_csv(bob_phone_hash: str) -> str:
    """The test's audience_opt_outs seed: bob out of SMS (by phone hash), fay out of everything."""
    return (
        "channel,id_type,id_value,customer_id,opted_out_at,reason\n"
        f"sms,phone_hash,{bob_phone_hash},,2026-11-16 09:00:00,replied TD\n"
        "all,member_id,M006,,2026-11-01 10:00:00,asked the store\n"
    )


MANUAL_TAGS_CSV = (
    "id_type,id_value,tag_key,tag_value,assigned_by,assigned_at,note\n"
    "member_id,M001,service_vip,true,store-ops,2026-11-01 00:00:00,\n"
)

# Audiences only the tests define (written into the test's copy of the dbt project).
TEST_AUDIENCES_YML = """
version: 2
exposures:
  - name: t_and_or_not
    type: application
    owner: {name: tests}
    depends_on: [ref('audience_members')]
    config:
      meta:
        siyu_audience:
          expression: >
            (lifecycle_stage = 'dormant' or intent_without_order = 'consulted')
            and not tag('wecom:客户等级/VIP')
          channels: [wecom, sms]
  - name: t_every_channel
    type: application
    owner: {name: tests}
    depends_on: [ref('audience_members')]
    config:
      meta:
        siyu_audience:
          expression: tag('wecom:客户等级/VIP')
          channels: [wecom, official_account, sms]
          delivery: every_reachable
  - name: t_not_boolean
    type: application
    owner: {name: tests}
    depends_on: [ref('audience_members')]
    config:
      meta:
        siyu_audience:
          expression: is_member and not reachable_wecom
          channels: [sms, wecom]
  - name: t_compare
    type: application
    owner: {name: tests}
    depends_on: [ref('audience_members')]
    config:
      meta:
        siyu_audience:
          expression: >
            coupon_order_share >= 0.5 or price_band = 'premium' and aipl_stage = 'interest'
          channels: [official_account, mini_program]
"""

# A tag added by a YAML edit only (appended to the catalogue of the test's project copy).
BIG_SPENDER_TAG = {
    "key": "big_spender",
    "description": "Net GMV of 500 yuan or more.",
    "owner": "tests",
    "value_type": "boolean",
    "rule": "gmv >= 500",
}
