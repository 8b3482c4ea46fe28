"""Hand-made exports for the funnel marts: eight customers whose stage times are known.

Everything is computed as of AS_OF (2026-06-30 12:00, Asia/Shanghai). Conversion windows are
the seed's: activated 30 d from acquired, first_order 30 d from activated, second_order 90 d
from first_order, repeat 90 d from second_order, referred 90 d from first_order.

- ann: follows the OA 03-01 10:00 (QR oa_follow_gift = CMP08), mini-program user 03-02, app
  03-03 (BindWeChat), mini-program orders 03-05 10:00 (100), 03-06 09:00 (50), 03-10 20:00 (80),
  added by guide_li on WeCom 03-05 15:00 (5 h after the first order: followed up), shares in the
  app 03-20 12:00 (referred). Reaches every stage.
- bob: Tmall buyer, orders 03-15 09:00 (60) and 04-20 09:00 (40). Never activated.
- cat: store member (S01, guide_li) 03-20 11:00, store order 03-20 11:30 (200), recall SMS
  03-22 10:00.
- dan: app user, first AppStart 06-25 10:00 (too young for the 30-day first-order conversion).
- eve: mini-program user 04-01 10:00 from utm_campaign gdt_618 (CMP02); never orders.
- fay: added by guide_wang on WeCom 04-10 10:00 (phone typed), store member (S02) 04-12 14:00,
  store orders 04-12 14:30 (120) and 06-25 15:00 (80), a refunded order 06-26 (not counted).
- gus: follows the OA 06-10 10:00, mini-program user 06-10 11:00, orders 06-10 12:00 (20),
  06-11 10:00 (25), 06-20 15:00 (15); a recall coupon 06-10 20:00; added by guide_li 06-15.
- hal: store member (S01, guide_li) 06-28 10:00, store order 06-28 10:30 (300).
Plus a walk-in store order at S02 by guide_wang 06-20 10:00 (30), no customer.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.landing import LandingBuilder, shanghai_unix

AS_OF = "2026-06-30 12:00:00"
CUSTOMERS = ("ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal")

WECHATPAY_HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
    "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,"
    "费率备注"
)
TMALL_HEADER = "订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,订单付款时间,联系手机"
MP_HEADER = "\ufeffopenid,unionid,phone,register_time,scene,scene_query"
MEMBER_HEADER = (
    "member_id,phone,name,gender,birthday,register_store_id,register_time,level,points,guide_id"
)
POS_ORDER_HEADER = (
    "order_no,member_id,store_id,guide_id,order_time,amount,discount,coupon_id,status,items"
)
SMS_HEADER = "PhoneNum,SendStatus,ErrCode,TemplateCode,Content,SendDate,ReceiveDate,OutId"

# (payer, local time, yuan) of the mini-program orders, paid through WeChat Pay
MINI_PROGRAM_ORDERS = (
    ("oMPann", "2026-03-05 10:00:00", "100.00"),
    ("oMPann", "2026-03-06 09:00:00", "50.00"),
    ("oMPann", "2026-03-10 20:00:00", "80.00"),
    ("oMPgus", "2026-06-10 12:00:00", "20.00"),
    ("oMPgus", "2026-06-11 10:00:00", "25.00"),
    ("oMPgus", "2026-06-20 15:00:00", "15.00"),
)


def mobile(n: int) -> str:
    """A made-up mainland mobile (built, so that no literal phone number sits in the code)."""
    return "139" + f"{n:08d}"


CAT_MOBILE = mobile(1)
FAY_MOBILE = mobile(2)


def _lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


def _wechatpay_bill() -> str:
    fields = WECHATPAY_HEADER.split(",")
    rows = []
    for number, (payer, paid_at, amount) in enumerate(MINI_PROGRAM_ORDERS, start=1):
        row = dict.fromkeys(fields, "")
        row |= {
            "交易时间": paid_at,
            "公众账号ID": "wxFunnelApp",
            "商户号": "1900000009",
            "微信订单号": f"42000000092026{number:08d}",
            "商户订单号": f"MPFUNNEL{number:03d}",
            "用户标识": payer,
            "交易类型": "JSAPI",
            "交易状态": "SUCCESS",
            "货币种类": "CNY",
            "应结订单金额": amount,
            "代金券金额": "0.00",
            "微信退款单号": "0",
            "商户退款单号": "0",
            "退款金额": "0.00",
            "充值券退款金额": "0.00",
            "商品名称": "面霜",
            "手续费": "0.00",
            "费率": "0.60%",
            "订单金额": amount,
            "申请退款金额": "0.00",
        }
        rows.append(",".join("`" + row[name] for name in fields))
    total = sum(float(amount) for _, _, amount in MINI_PROGRAM_ORDERS)
    return _lines(
        WECHATPAY_HEADER,
        *rows,
        "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
        f"`{len(rows)},`{total:.2f},`0.00,`0.00,`0.00,`{total:.2f},`0.00",
    )


def _contact(external_userid: str, guide: str, added: str, **extra: object) -> dict:
    contact: dict[str, object] = {"external_userid": external_userid, "type": 1}
    follow: dict[str, object] = {"userid": guide, "createtime": shanghai_unix(added), "add_way": 1}
    if "unionid" in extra:
        contact["unionid"] = extra["unionid"]
    if "remark_mobiles" in extra:
        follow["remark_mobiles"] = extra["remark_mobiles"]
    return {"external_contact": contact, "follow_info": follow}


def _follower(openid: str, unionid: str, subscribed: str, qr_scene_str: str = "") -> dict:
    return {
        "subscribe": 1,
        "openid": openid,
        "unionid": unionid,
        "subscribe_time": shanghai_unix(subscribed),
        "subscribe_scene": "ADD_SCENE_QR_CODE",
        "qr_scene_str": qr_scene_str,
    }


def _app_event(event: str, at: str, user: str, properties: dict | None = None) -> str:
    return json.dumps(
        {
            "type": "track",
            "event": event,
            "time": shanghai_unix(at) * 1000,
            "distinct_id": f"app-{user}",
            "login_id": f"app-{user}",
            "anonymous_id": f"dev-{user}",
            "properties": properties or {},
        }
    )


def write_funnel_landing(landing: Path) -> None:
    out = LandingBuilder(landing)
    followers = {
        "user_info_list": [
            _follower("oOAann", "oUnann", "2026-03-01 10:00:00", "oa_follow_gift"),
            _follower("oOAgus", "oUngus", "2026-06-10 10:00:00"),
        ]
    }
    out.add("oa_followers", "followers.json", json.dumps(followers))
    out.add(
        "mp_users",
        "users.csv",
        _lines(
            MP_HEADER,
            "oMPann,oUnann,,2026-03-02 10:00:00,1047,",
            "oMPeve,,,2026-04-01 10:00:00,1045,utm_source=gdt&utm_campaign=gdt_618",
            "oMPgus,oUngus,,2026-06-10 11:00:00,1047,",
        ),
    )
    out.add("wechatpay_bills", "bill_2026.csv", _wechatpay_bill())
    contacts = [
        _contact("wmAnn", "guide_li", "2026-03-05 15:00:00", unionid="oUnann"),
        _contact("wmFay", "guide_wang", "2026-04-10 10:00:00", remark_mobiles=[FAY_MOBILE]),
        _contact("wmGus", "guide_li", "2026-06-15 10:00:00", unionid="oUngus"),
    ]
    page = {"errcode": 0, "errmsg": "ok", "external_contact_list": contacts, "next_cursor": ""}
    out.add("wecom_contacts", "page_1.json", json.dumps(page))
    out.add(
        "tmall_orders",
        "orders.csv",
        _lines(
            TMALL_HEADER,
            '="2890000000000000101",tb_bob,60.00,交易成功,2026-03-15 09:00:00,'
            "2026-03-15 09:01:00,139****0003",
            '="2890000000000000102",tb_bob,40.00,交易成功,2026-04-20 09:00:00,'
            "2026-04-20 09:01:00,139****0003",
        ),
        encoding="gbk",
    )
    out.add(
        "pos_members",
        "members.csv",
        _lines(
            MEMBER_HEADER,
            f"M001,{CAT_MOBILE},猫,F,,S01,2026-03-20 11:00:00,NORMAL,0,guide_li",
            f"M002,{FAY_MOBILE},菲,F,,S02,2026-04-12 14:00:00,NORMAL,0,guide_wang",
            "M003,,哈,M,,S01,2026-06-28 10:00:00,NORMAL,0,guide_li",
        ),
    )
    out.add(
        "pos_orders",
        "orders.csv",
        _lines(
            POS_ORDER_HEADER,
            "P001,M001,S01,guide_li,2026-03-20 11:30:00,200.00,0.00,,PAID,[]",
            "P002,M002,S02,guide_wang,2026-04-12 14:30:00,120.00,0.00,,PAID,[]",
            "P003,M002,S02,guide_wang,2026-06-25 15:00:00,80.00,0.00,,PAID,[]",
            "P004,,S02,guide_wang,2026-06-20 10:00:00,30.00,0.00,,PAID,[]",
            "P005,M002,S02,guide_wang,2026-06-26 10:00:00,50.00,0.00,,REFUNDED,[]",
            "P006,M003,S01,guide_li,2026-06-28 10:30:00,300.00,0.00,,PAID,[]",
        ),
    )
    out.add(
        "sms_sends",
        "sends.csv",
        _lines(
            SMS_HEADER,
            f"{CAT_MOBILE},3,DELIVERED,SMS_1,券已到账,2026-03-22 10:00:00,2026-03-22 10:00:05,"
            "JRN_RECALL",
        ),
    )
    coupon = {
        "stock_id": "17260931",
        "coupon_id": "90000001",
        "openid": "oMPgus",
        "coupon_name": "复购券",
        "status": "SENDED",
        "create_time": "2026-06-10T20:00:00+08:00",
        "normal_coupon_information": {"coupon_amount": 500},
    }
    out.add("coupons", "coupons.jsonl", json.dumps(coupon) + "\n")
    out.add(
        "app_events",
        "events.jsonl",
        _lines(
            _app_event("AppStart", "2026-03-03 08:00:00", "ann"),
            _app_event("BindWeChat", "2026-03-03 08:01:00", "ann", {"unionid": "oUnann"}),
            _app_event(
                "Share",
                "2026-03-20 12:00:00",
                "ann",
                {"share_channel": "wechat_friend", "share_source": "product_detail"},
            ),
            _app_event("AppStart", "2026-06-25 10:00:00", "dan"),
        ),
    )


_BUILT: dict[Path, Path] = {}


def funnel_warehouse(tmp_path_factory) -> Path:
    """The landing above ingested and built through the funnel marts (dbt build: models and their
    tests) as of AS_OF; built once per test session, whichever test module asks first."""
    from tests.conftest import ingest_landing
    from tests.dbt_runner import run_dbt

    base = tmp_path_factory.getbasetemp()
    if base not in _BUILT:
        root = tmp_path_factory.mktemp("funnel")
        write_funnel_landing(root / "landing")
        warehouse = root / "warehouse.duckdb"
        counts = ingest_landing(warehouse, root / "landing")
        assert all(quarantined == 0 for _, quarantined in counts.values()), counts
        run_dbt(
            [
                "build",
                "--select",
                "+path:models/marts/funnel",
                "--indirect-selection",
                "cautious",
                "--vars",
                as_of_vars(),
            ],
            warehouse,
            root / "target",
        )
        _BUILT[base] = warehouse
    return _BUILT[base]


def as_of_vars(**extra: str) -> str:
    return json.dumps({"siyu_as_of": AS_OF, **extra})
