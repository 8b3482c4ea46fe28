"""The WeChat ecosystem: official-account followers, mini-program users, the mini-program shop's
WeChat Pay bill and its merchant coupons."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from ..campaigns import Channel
from ..catalog import PRODUCTS, WECHAT_MP_APPID, WECHATPAY_MCH_ID
from ..clock import DAY, format_local, format_rfc3339, local_day
from ..export import (
    BillLayout,
    CsvLayout,
    ExportTable,
    FaultKind,
    IdentityTrail,
    IdKind,
    JsonLinesLayout,
    JsonPagesLayout,
    PageContext,
    RecordFault,
    Split,
)
from ..ids import random_strings
from ..orders import RECALL_COUPON_FEN, RECALL_THRESHOLD_FEN, Shop
from ..profiles import NULL_LIKE_UNIONIDS, OA_QR_SCENE, OA_SCENES, TEST_PHONE, MpPhone
from ..recall import VALID_DAYS
from .common import World, dumps, pick_fault_record, yuan

# ------------------------------------------------------------------------------------------
# official account


def _followers_envelope(rows: list[Any], context: PageContext) -> str:
    return '{"user_info_list":[' + ",".join(rows) + "]}"


def _follower_row(world: World, person: int, left: bool) -> str:
    ids, oa = world.profiles.ids, world.profiles.oa
    if left:
        return dumps(
            {"subscribe": 0, "openid": ids.oa_openid[person], "unionid": ids.unionid[person]}
        )
    scene = int(oa.scene[person])
    signal = int(world.people.acq_signal[person])
    acquired_by_code = (
        world.people.acq_channel[person] == Channel.OA and signal >= 0 and scene == OA_QR_SCENE
    )
    tags = [2] if person % 11 == 0 else ([100 + person % 3] if person % 7 == 0 else [])
    return dumps(
        {
            "subscribe": 1,
            "openid": ids.oa_openid[person],
            "unionid": ids.unionid[person],
            "language": "zh_CN" if person % 23 else "en",
            "subscribe_time": int(world.people.join[person, Channel.OA]),
            "remark": "",
            "groupid": tags[0] if tags and tags[0] == 2 else 0,
            "tagid_list": tags,
            "subscribe_scene": OA_SCENES[scene],
            "qr_scene": int(oa.qr_scene[person]),
            "qr_scene_str": world.catalog.signals[signal].value if acquired_by_code else "",
        }
    )


def build_oa_followers(world: World, trail: IdentityTrail) -> ExportTable:
    followers = world.people.members(Channel.OA)
    left = world.profiles.oa.unsubscribe_ts[followers] >= 0
    when = np.where(
        left, world.profiles.oa.unsubscribe_ts[followers], world.people.join[followers, Channel.OA]
    )
    days = local_day(when)
    trail.link(IdKind.OA_OPENID, followers, IdKind.UNIONID, followers, days, "oa_followers")
    rows = [
        _follower_row(world, p, lf) for p, lf in zip(followers.tolist(), left.tolist(), strict=True)
    ]
    return ExportTable(
        source="oa_followers",
        layout=JsonPagesLayout("user_info_batchget", Split.SNAPSHOT, 100, _followers_envelope),
        days=days,
        sort_key=when,
        rows=rows,
    )


# ------------------------------------------------------------------------------------------
# mini-program users

MP_USER_HEADER = ("openid", "unionid", "phone", "register_time", "scene", "scene_query")


def _scene_query(world: World, person: int, rng: np.random.Generator) -> str:
    people, mp = world.people, world.profiles.mp
    scene = int(mp.scene[person])
    signal = int(people.acq_signal[person])
    if people.acq_channel[person] == Channel.MP and signal >= 0:
        vid = random_strings(rng, 1, 16)[0]
        return (
            f"utm_source=gdt&utm_medium=moments&utm_campaign="
            f"{world.catalog.signals[signal].value}&gdt_vid=wx0{vid}"
        )
    if scene == 1007 and mp.referrer[person] >= 0:
        sharer = world.profiles.ids.mp_openid[int(mp.referrer[person])]
        return f"share_from={sharer}&path=pages/goods/detail"
    if scene == 1047:
        return f"store_id={world.brand.stores[int(people.home_store[person])].store_id}"
    if scene == 1035:
        return "from=oa_menu"
    return ""


def build_mp_users(world: World, trail: IdentityTrail) -> ExportTable:
    rng = world.rng("mp_users")
    people, mp, ids = world.people, world.profiles.mp, world.profiles.ids
    users = people.members(Channel.MP)
    registered = people.join[users, Channel.MP]
    days = local_day(registered)
    times = format_local(registered)
    rows = []
    for k, person in enumerate(users.tolist()):
        unionid_kind = int(mp.unionid_kind[person])
        unionid = ids.unionid[person] if unionid_kind == 0 else NULL_LIKE_UNIONIDS[unionid_kind - 1]
        phone_kind = int(mp.phone_kind[person])
        phone = {
            MpPhone.NONE: "",
            MpPhone.OWN: str(people.phone[person]),
            MpPhone.TEST: str(TEST_PHONE),
        }[phone_kind]
        rows.append(
            [
                ids.mp_openid[person],
                unionid,
                phone,
                times[k],
                str(int(mp.scene[person])),
                _scene_query(world, person, rng),
            ]
        )
    trail.seen(IdKind.MP_OPENID, users, days)
    real_unionid = mp.unionid_kind[users] == 0
    trail.link(
        IdKind.MP_OPENID,
        users[real_unionid],
        IdKind.UNIONID,
        users[real_unionid],
        days[real_unionid],
        "mp_users",
    )
    own_phone = mp.phone_kind[users] == MpPhone.OWN
    trail.link(
        IdKind.MP_OPENID,
        users[own_phone],
        IdKind.PHONE,
        users[own_phone],
        days[own_phone],
        "mp_users",
    )
    table = ExportTable(
        source="mp_users",
        layout=CsvLayout("mp_users", MP_USER_HEADER, Split.SNAPSHOT, bom=True),
        days=days,
        sort_key=registered,
        rows=rows,
    )
    if world.faults:
        chosen = pick_fault_record(world.rng("mp_users:fault"), world.period, days)
        if chosen is not None:
            table.rows[chosen][3] = "0000-00-00 00:00:00"
            table.faults[chosen] = RecordFault(
                FaultKind.VALUE, "register_time", "zero date 0000-00-00 00:00:00"
            )
    return table


# ------------------------------------------------------------------------------------------
# WeChat Pay bill

BILL_HEADER = (
    "交易时间",
    "公众账号ID",
    "商户号",
    "特约商户号",
    "设备号",
    "微信订单号",
    "商户订单号",
    "用户标识",
    "交易类型",
    "交易状态",
    "付款银行",
    "货币种类",
    "应结订单金额",
    "代金券金额",
    "微信退款单号",
    "商户退款单号",
    "退款金额",
    "充值券退款金额",
    "退款类型",
    "退款状态",
    "商品名称",
    "商户数据包",
    "手续费",
    "费率",
    "订单金额",
    "申请退款金额",
    "费率备注",
)
BILL_SUMMARY_HEADER = (
    "总交易单数",
    "应结订单总金额",
    "退款总金额",
    "充值券退款总金额",
    "手续费总金额",
    "订单总金额",
    "申请退款总金额",
)
BANKS = ("OTHERS", "CMB_CREDIT", "ICBC_DEBIT", "CCB_DEBIT", "ABC_DEBIT", "CMB_DEBIT", "BOC_CREDIT")
FEE_RATE = 0.006


def transaction_id(order: int, day_text: str) -> str:
    """The 28-digit 微信订单号 of a mini-program order."""
    return f"42000{(order * 7_919) % 100_000:05d}{day_text.replace('-', '')}{order:010d}"


def bill_summary(rows: list[Sequence[str]]) -> list[str]:
    """The bill's totals line, summed from its detail rows."""
    columns = {
        name: BILL_HEADER.index(name)
        for name in (
            "应结订单金额",
            "退款金额",
            "充值券退款金额",
            "手续费",
            "订单金额",
            "申请退款金额",
        )
    }
    totals = {
        name: sum((Decimal(row[i]) for row in rows), Decimal("0.00")) for name, i in columns.items()
    }
    return [str(len(rows)), *(f"{totals[name]:.2f}" for name in columns)]


def _product_name(orders, order: int) -> str:
    items = orders.items_of(order)
    title = PRODUCTS[int(orders.item_sku[items.start])].title
    return title if len(items) == 1 else f"{title}等{len(items)}件"


def _fee(fen: int) -> int:
    return round(fen * FEE_RATE)


def _order_columns(world: World, order: int, paid_at: str) -> list[str]:
    """公众账号ID .. 交易类型: what a SUCCESS row and its REFUND row share."""
    day = paid_at[:10]
    payer = world.profiles.ids.mp_openid[int(world.orders.person[order])]
    return [
        WECHAT_MP_APPID,
        WECHATPAY_MCH_ID,
        "0",
        "",
        transaction_id(order, day),
        f"MP{day.replace('-', '')}{order:08d}",
        payer,
        "JSAPI",
    ]


def _success_row(world: World, order: int, paid_at: str) -> list[str]:
    orders = world.orders
    settled = int(orders.paid_fen[order])
    coupon = int(orders.coupon_fen[order])
    return [
        paid_at,
        *_order_columns(world, order, paid_at),
        "SUCCESS",
        BANKS[order % len(BANKS)],
        "CNY",
        yuan(settled),
        yuan(coupon),
        "0",
        "0",
        "0.00",
        "0.00",
        "",
        "",
        _product_name(orders, order),
        "",
        yuan(_fee(settled)),
        "0.60%",
        yuan(settled + coupon),
        "0.00",
        "",
    ]


def _refund_row(world: World, order: int, paid_at: str, refunded_at: str) -> list[str]:
    orders = world.orders
    refund = int(orders.refund_fen[order])
    day = refunded_at[:10].replace("-", "")
    return [
        refunded_at,
        *_order_columns(world, order, paid_at),
        "REFUND",
        BANKS[order % len(BANKS)],
        "CNY",
        "0.00",
        "0.00",
        f"50300{(order * 31) % 100_000:05d}{day}{order:010d}",
        f"RF{day}{order:08d}",
        yuan(refund),
        "0.00",
        "ORIGINAL",
        "SUCCESS",
        _product_name(orders, order),
        "",
        yuan(-_fee(refund)),
        "0.60%",
        "0.00",
        yuan(refund),
        "",
    ]


def build_wechatpay_bills(world: World, trail: IdentityTrail) -> ExportTable:
    """A SUCCESS row on the day an order is paid, a REFUND row on the day it is refunded."""
    orders = world.orders
    paid = orders.of_shop(Shop.MP)
    paid = paid[orders.paid_ts[paid] >= 0]
    refunded = paid[orders.refund_ts[paid] >= 0]
    paid_at = dict(zip(paid.tolist(), format_local(orders.paid_ts[paid]), strict=True))
    refunded_at = format_local(orders.refund_ts[refunded])
    rows = [_success_row(world, order, paid_at[order]) for order in paid.tolist()]
    rows += [
        _refund_row(world, order, paid_at[order], refunded_at[k])
        for k, order in enumerate(refunded.tolist())
    ]
    when = np.concatenate([orders.paid_ts[paid], orders.refund_ts[refunded]])
    days = local_day(when)
    trail.seen(IdKind.MP_OPENID, orders.person[np.concatenate([paid, refunded])], days)
    return ExportTable(
        source="wechatpay_bills",
        layout=BillLayout("wechatpay_bill_all", BILL_HEADER, BILL_SUMMARY_HEADER, bill_summary),
        days=days,
        sort_key=when,
        rows=rows,
    )


# ------------------------------------------------------------------------------------------
# merchant coupons (one line per coupon state change: sent, used, expired)

COUPON_NAME = "老客回归券 满99减20"


def _coupon_base(world: World, k: int, created: str, valid_until: str) -> dict[str, Any]:
    coupons = world.coupons
    stock = world.catalog.by_id("CMP12").platform_campaign_id
    return {
        "stock_id": stock,
        "coupon_id": coupons.coupon_id[k],
        "openid": world.profiles.ids.mp_openid[int(coupons.person[k])],
        "coupon_name": COUPON_NAME,
        "status": "SENDED",
        "create_time": created,
        "available_end_time": valid_until,
        "normal_coupon_information": {
            "coupon_amount": RECALL_COUPON_FEN,
            "transaction_minimum": RECALL_THRESHOLD_FEN,
        },
    }


def build_coupons(world: World, trail: IdentityTrail) -> ExportTable:
    coupons, orders = world.coupons, world.orders
    created = format_rfc3339(coupons.create_ts)
    valid_until = format_rfc3339(coupons.create_ts + VALID_DAYS * DAY)
    used_by = {int(orders.coupon[o]): o for o in np.flatnonzero(orders.coupon >= 0).tolist()}
    rows, when = [], []
    for k in range(len(coupons)):
        base = _coupon_base(world, k, created[k], valid_until[k])
        rows.append(dumps(base))
        when.append(int(coupons.create_ts[k]))
        order = used_by.get(k)
        if order is not None and orders.paid_ts[order] >= 0:
            paid = int(orders.paid_ts[order])
            paid_text = format_rfc3339(np.array([paid]))[0]
            base["status"] = "USED"
            base["consume_information"] = {
                "consume_time": paid_text,
                "consume_mchid": WECHATPAY_MCH_ID,
                "transaction_id": transaction_id(order, paid_text[:10]),
            }
            rows.append(dumps(base))
            when.append(paid)
        elif coupons.expire_ts[k] >= 0:
            base["status"] = "EXPIRED"
            rows.append(dumps(base))
            when.append(int(coupons.expire_ts[k]))
    ts = np.array(when, dtype=np.int64)
    days = local_day(ts)
    trail.seen(IdKind.MP_OPENID, coupons.person, local_day(coupons.create_ts))
    table = ExportTable(
        source="coupons",
        layout=JsonLinesLayout("coupons", Split.MONTH),
        days=days,
        sort_key=ts,
        rows=rows,
    )
    if world.faults:
        sent = np.array(['"status":"SENDED"' in row for row in rows])
        chosen = pick_fault_record(world.rng("coupons:fault"), world.period, days, sent)
        if chosen is not None:
            record = json.loads(rows[chosen])
            record.pop("coupon_id")
            table.rows[chosen] = dumps(record)
            table.faults[chosen] = RecordFault(FaultKind.VALUE, "coupon_id", "coupon_id missing")
    return table
