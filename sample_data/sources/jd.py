"""JD (京东) POP shop: who buys there, and the back-office order export (商家后台 订单导出, GBK).

JD is not one of the population's channels. Its buyers, orders and everything the export shows
are drawn from random streams of their own (`jd_orders`, `source:jd_orders`,
`source:jd_orders:fault`), so this source changes nothing else the generator writes.

The export has one row per order and SKU; an order of several SKUs repeats its order-level amounts
(订单金额, 结算金额, 余额支付, 应付金额, 运费金额) on each of its rows. Buyers are masked the way JD
masks them since 2021: account, name, mobile and street; no stable buyer id is shown in clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property

import numpy as np

from ..campaigns import Channel
from ..catalog import BRAND, CITIES, PRODUCTS
from ..clock import (
    DAY,
    HOUR,
    MINUTE,
    ONLINE_HOURS,
    Period,
    exponential_days,
    format_local,
    local_day,
    month_number,
    retime,
)
from ..export import CsvLayout, ExportTable, FaultKind, IdentityTrail, IdKind, RecordFault, Split
from ..ids import mask_mobile, unique_numbers
from ..orders import PRODUCT_CATEGORY, PRODUCT_PRICE
from ..population import People
from .common import World, pick_fault_record, yuan

# Chance that a person shops the JD store at all: those already buying on Tmall or Douyin are
# marketplace shoppers and more likely to.
BUY_CHANCE_MARKETPLACE = 0.22
BUY_CHANCE_OTHER = 0.09
MEAN_DAYS_TO_FIRST_ORDER = 30.0
REPEAT_RATE = 0.3
MEAN_GAP_DAYS = 45.0
SKU_COUNT_WEIGHTS = (0.7, 0.2, 0.1)  # 1, 2 or 3 SKUs in an order
UNPAID_CHANCE = 0.05
PAID_CANCEL_CHANCE = 0.02
LOCKED_CHANCE = 0.06  # of paid orders of the last 30 days
PAUSED_CHANCE = 0.05
DELETED_CHANCE = 0.03  # of completed and cancelled orders
FREIGHT_FEN = 600
FREE_FREIGHT_FROM_FEN = 9_900
EMPTY_PHONE_CHANCE = 0.05


class JdState(IntEnum):
    """Where a JD order stands when the export is taken, at the end of the period."""

    WAITING = 0  # paid, not shipped yet
    SHIPPED = 1
    COMPLETE = 2
    CANCELLED_UNPAID = 3
    CANCELLED_PAID = 4  # refunded after payment; the refund itself is not in this export
    LOCKED = 5
    PAUSED = 6


STATE_TEXT = {
    JdState.WAITING: "等待出库",
    JdState.SHIPPED: "等待确认收货",
    JdState.COMPLETE: "完成",
    JdState.CANCELLED_UNPAID: "取消",
    JdState.CANCELLED_PAID: "取消",
    JdState.LOCKED: "已锁定",
    JdState.PAUSED: "暂停",
}
CANCELLED = (JdState.CANCELLED_UNPAID, JdState.CANCELLED_PAID)


@dataclass
class JdOrders:
    """JD orders of the whole universe, sorted by creation time; items contiguous per order."""

    person: np.ndarray
    created_ts: np.ndarray
    paid_ts: np.ndarray  # -1: never paid
    finished_ts: np.ndarray  # -1: not completed
    state: np.ndarray
    deleted: np.ndarray
    item_start: np.ndarray
    item_count: np.ndarray
    item_sku: np.ndarray
    item_qty: np.ndarray
    goods_fen: np.ndarray
    freight_fen: np.ndarray
    discount_fen: np.ndarray
    balance_fen: np.ndarray
    # per person, None for people who never bought on JD: how the export shows the buyer
    account: np.ndarray
    masked_name: np.ndarray
    phone: np.ndarray
    address: np.ndarray
    buyer_key: np.ndarray

    def __len__(self) -> int:
        return len(self.person)

    @cached_property
    def total_fen(self) -> np.ndarray:
        """订单金额: the goods at JD price plus freight."""
        return self.goods_fen + self.freight_fen

    @cached_property
    def settled_fen(self) -> np.ndarray:
        """结算金额: 订单金额 less the shop's discounts."""
        return self.total_fen - self.discount_fen

    @cached_property
    def payable_fen(self) -> np.ndarray:
        """应付金额: 结算金额 less what the buyer paid from the JD balance (余额支付)."""
        return self.settled_fen - self.balance_fen


def jd_buyer_key(account: str, masked_name: str, phone: str, address: str) -> str:
    """The jd_buyer identifier: 下单帐号|客户姓名|联系电话|客户地址, as the export shows them."""
    return "|".join((account, masked_name, phone, address))


# ------------------------------------------------------------------------------------------
# drawing


def _first_orders(
    rng: np.random.Generator, period: Period, people: People
) -> tuple[np.ndarray, np.ndarray]:
    marketplace = people.member_of(Channel.TMALL) | people.member_of(Channel.DOUYIN)
    chance = np.where(marketplace, BUY_CHANCE_MARKETPLACE, BUY_CHANCE_OTHER)
    person = np.flatnonzero(rng.random(people.n) < chance)
    known = np.maximum(people.acq_ts[person], period.start_ts)
    first = known + exponential_days(rng, MEAN_DAYS_TO_FIRST_ORDER, len(person)) + HOUR
    first = retime(rng, first, ONLINE_HOURS, not_before=known + HOUR)
    keep = first < period.end_ts
    return person[keep], first[keep]


def _repeats(
    rng: np.random.Generator, period: Period, person: np.ndarray, first: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    counts = rng.poisson(REPEAT_RATE, size=len(person))
    owner = np.repeat(np.arange(len(person)), counts)
    gaps = exponential_days(rng, MEAN_GAP_DAYS, len(owner)) + DAY // 2
    run_start = np.repeat(np.cumsum(counts) - counts, counts)
    cumulative = np.cumsum(gaps)
    cumulative -= np.concatenate([[0], cumulative])[run_start]
    ts = retime(rng, first[owner] + cumulative, ONLINE_HOURS, first[owner] + HOUR)
    keep = ts < period.end_ts
    return person[owner][keep], ts[keep]


def _items(
    rng: np.random.Generator, people: People, person: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(SKUs per order, SKU per item, quantity per item); an order's SKUs are distinct."""
    n, n_products = len(person), len(PRODUCTS)
    count = rng.choice([1, 2, 3], size=n, p=SKU_COUNT_WEIGHTS).astype(np.int8)
    base = rng.integers(0, n_products, size=n)
    favourite = people.favourite_category[person]
    prefers = rng.random(n) < 0.5
    for k in np.flatnonzero(prefers).tolist():
        options = np.flatnonzero(np.equal(PRODUCT_CATEGORY, favourite[k]))
        base[k] = options[int(rng.integers(len(options)))]
    owner = np.repeat(np.arange(n), count)
    position = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
    sku = ((base[owner] + position * 7) % n_products).astype(np.int16)
    qty = np.where(rng.random(len(owner)) < 0.85, 1, 2).astype(np.int8)
    return count, sku, qty


def _states(
    rng: np.random.Generator, period: Period, created: np.ndarray, paid: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n, end = len(created), period.end_ts
    state = np.full(n, JdState.COMPLETE, dtype=np.int8)
    state[created >= end - 10 * DAY] = JdState.SHIPPED
    state[created >= end - 2 * DAY] = JdState.WAITING
    recent = created >= end - 30 * DAY
    draw = rng.random(n)
    state[draw < PAID_CANCEL_CHANCE] = JdState.CANCELLED_PAID
    locked = recent & (draw >= PAID_CANCEL_CHANCE) & (draw < PAID_CANCEL_CHANCE + LOCKED_CHANCE)
    state[locked] = JdState.LOCKED
    paused = (
        recent
        & (draw >= PAID_CANCEL_CHANCE + LOCKED_CHANCE)
        & (draw < PAID_CANCEL_CHANCE + LOCKED_CHANCE + PAUSED_CHANCE)
    )
    state[paused] = JdState.PAUSED
    state[paid < 0] = JdState.CANCELLED_UNPAID
    deletable = np.isin(state, (JdState.COMPLETE, *CANCELLED))
    deleted = deletable & (rng.random(n) < DELETED_CHANCE)
    return state, deleted


def _masked_accounts(rng: np.random.Generator, n: int) -> list[str]:
    """下单帐号 as shown: `jd_1a2***` for JD's generated accounts, `j***3` for chosen names."""
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    generated = rng.random(n) < 0.6
    chars = rng.integers(0, len(alphabet), size=(n, 3))
    letters = rng.integers(0, 26, size=n)
    return [
        "jd_" + "".join(alphabet[c] for c in chars[k].tolist()) + "***"
        if generated[k]
        else chr(97 + int(letters[k])) + "***" + alphabet[int(chars[k, 0])]
        for k in range(n)
    ]


def _buyers(rng: np.random.Generator, people: People, buyers: np.ndarray) -> dict[str, np.ndarray]:
    """How each buyer shows in the export, and a jd_buyer key no two buyers share."""
    out = {name: np.full(people.n, None, dtype=object) for name in _BUYER_FIELDS}
    accounts = _masked_accounts(rng, len(buyers))
    no_phone = rng.random(len(buyers)) < EMPTY_PHONE_CHANCE
    taken: set[str] = set()
    for k, person in enumerate(buyers.tolist()):
        name = people.name[person]
        place = CITIES[int(people.city[person])]
        district = place.districts[int(people.district[person])]
        shown = {
            "account": accounts[k],
            "masked_name": name[0] + "*" * (len(name) - 1),
            "phone": "" if no_phone[k] else mask_mobile(int(people.phone[person])),
            "address": f"{place.province} {place.city} {district} ****",
        }
        key = jd_buyer_key(**shown)
        while key in taken:
            shown["account"] = _masked_accounts(rng, 1)[0]
            key = jd_buyer_key(**shown)
        taken.add(key)
        for field_name, value in shown.items():
            out[field_name][person] = value
        out["buyer_key"][person] = key
    return out


_BUYER_FIELDS = ("account", "masked_name", "phone", "address", "buyer_key")


def draw_jd_orders(rng: np.random.Generator, period: Period, people: People) -> JdOrders:
    """Every JD order of the universe; `rng` is JD's own stream and nothing else draws from it."""
    person, first = _first_orders(rng, period, people)
    again, repeat = _repeats(rng, period, person, first)
    person = np.concatenate([person, again]).astype(np.int32)
    created = np.concatenate([first, repeat]).astype(np.int64)
    order = np.lexsort((person, created))
    person, created = person[order], created[order]
    n = len(person)
    count, sku, qty = _items(rng, people, person)
    item_start = (np.cumsum(count) - count).astype(np.int64)
    owner = np.repeat(np.arange(n), count)
    goods = np.bincount(owner, weights=PRODUCT_PRICE[sku] * qty, minlength=n).astype(np.int64)
    freight = np.where(goods < FREE_FREIGHT_FROM_FEN, FREIGHT_FEN, 0).astype(np.int64)
    discounted = rng.random(n) < 0.35
    rate = rng.uniform(0.05, 0.15, n)
    discount = np.where(discounted, (goods * rate // 100) * 100, 0).astype(np.int64)
    paid = created + rng.integers(10, 15 * MINUTE, n)
    paid = np.where(rng.random(n) < UNPAID_CHANCE, -1, np.minimum(paid, period.end_ts - 1))
    settled = goods + freight - discount
    balance = np.minimum(settled, rng.integers(1, 51, n) * 100)
    balance = np.where((paid >= 0) & (rng.random(n) < 0.06), balance, 0)
    state, deleted = _states(rng, period, created, paid)
    finished = np.minimum(paid + rng.integers(3 * DAY, 9 * DAY, n), period.end_ts - 1)
    finished = np.where(state == JdState.COMPLETE, finished, -1)
    shown = _buyers(rng, people, np.unique(person))
    return JdOrders(
        person=person,
        created_ts=created,
        paid_ts=paid.astype(np.int64),
        finished_ts=finished.astype(np.int64),
        state=state,
        deleted=deleted,
        item_start=item_start,
        item_count=count,
        item_sku=sku,
        item_qty=qty,
        goods_fen=goods,
        freight_fen=freight,
        discount_fen=discount,
        balance_fen=balance.astype(np.int64),
        **shown,
    )


# ------------------------------------------------------------------------------------------
# the export

JD_HEADER = (
    "订单号",
    "商品ID",
    "商品名称",
    "订购数量",
    "支付方式",
    "下单时间",
    "京东价",
    "订单金额",
    "结算金额",
    "余额支付",
    "应付金额",
    "订单状态",
    "订单类型",
    "下单帐号",
    "客户姓名",
    "客户地址",
    "联系电话",
    "订单备注",
    "发票类型",
    "发票抬头",
    "发票内容",
    "商家备注",
    "商家备注等级（等级1-5为由高到低）",
    "运费金额",
    "付款确认时间",
    "增值税发票",
    "货号",
    "订单完成时间",
    "订单来源",
    "订单渠道",
    # newer exports append these; files of the earlier months lack them
    "送装服务",
    "服务费",
    "仓库id",
    "仓库名称",
)
NEWER_COLUMNS = 4
# columns written bare: ids, quantities, amounts and the remark level; every other is quoted
BARE_COLUMNS = frozenset(
    (
        "订单号",
        "商品ID",
        "订购数量",
        "京东价",
        "订单金额",
        "结算金额",
        "余额支付",
        "应付金额",
        "商家备注等级（等级1-5为由高到低）",
        "运费金额",
        "服务费",
        "仓库id",
    )
)
ORDER_AMOUNT_COLUMNS = ("订单金额", "结算金额", "余额支付", "应付金额", "运费金额")
ORDER_SOURCES = ("京东App", "微信小程序", "PC", "移动M站")
ORDER_SOURCE_WEIGHTS = (0.7, 0.15, 0.1, 0.05)
BUYER_NOTES = ("请尽快发货", "送人的, 不要放价格单", "周末不在家，请工作日送", "麻烦多送点小样")
SELLER_NOTES = ("已电话确认地址", "赠品小样x2", "加急发货", "顾客要求顺丰，已改")
COMPANY_TITLES = ("上海星辰贸易有限公司", "杭州云帆科技有限公司", "广州青禾文化传播有限公司")
WAREHOUSES = (("10086421", f"{BRAND}上海仓"), ("10086537", f"{BRAND}广州仓"))
JUNK_AMOUNT = "--"


def jd_sku_id(position: int) -> str:
    """商品ID of the brand's product at `position` in PRODUCTS: 12 digits, 10 for old listings."""
    number = position + 1
    if number % 6 == 1:
        return str(5_012_345_678 + number * 7_777)
    return str(100_012_345_678 + number * 1_234_567)


def _order_fields(rng: np.random.Generator, jd: JdOrders, order: int) -> dict[str, str]:
    """What an order shows on each of its rows, apart from ids, buyer, times and amounts."""
    state = JdState(int(jd.state[order]))
    status = STATE_TEXT[state]
    if state in CANCELLED and rng.random() < 0.25:
        status = "已取消"
    if jd.deleted[order]:
        status = "(删除)" + status
    invoice = rng.random() < 0.35
    title = "个人"
    if rng.random() < 0.1:
        title = COMPANY_TITLES[int(rng.integers(len(COMPANY_TITLES)))]
    noted = rng.random() < 0.08
    buyer_note = BUYER_NOTES[int(rng.integers(len(BUYER_NOTES)))] if rng.random() < 0.1 else ""
    source = ORDER_SOURCES[int(rng.choice(len(ORDER_SOURCES), p=ORDER_SOURCE_WEIGHTS))]
    warehouse = WAREHOUSES[int(rng.integers(len(WAREHOUSES)))]
    return {
        "订单状态": status,
        "订单类型": "秒杀订单" if rng.random() < 0.03 else "普通订单",
        "订单备注": buyer_note,
        "发票类型": "电子发票" if invoice else "不开发票",
        "发票抬头": title if invoice else "",
        "发票内容": "商品明细" if invoice else "",
        "商家备注": SELLER_NOTES[int(rng.integers(len(SELLER_NOTES)))] if noted else "",
        "商家备注等级（等级1-5为由高到低）": str(int(rng.integers(1, 6))) if noted else "",
        "订单来源": source,
        "订单渠道": "京喜" if rng.random() < 0.08 else "京东商城",
        "仓库id": warehouse[0],
        "仓库名称": warehouse[1],
    }


def _rows(jd: JdOrders, order: int, fields: dict[str, str]) -> list[list[str]]:
    """The order's rows, one per SKU; `fields` holds its id, times and presentation."""
    person = int(jd.person[order])
    values = {
        **fields,
        "支付方式": "在线支付",
        "订单金额": yuan(int(jd.total_fen[order])),
        "结算金额": yuan(int(jd.settled_fen[order])),
        "余额支付": yuan(int(jd.balance_fen[order])),
        "应付金额": yuan(int(jd.payable_fen[order])),
        "下单帐号": jd.account[person],
        "客户姓名": jd.masked_name[person],
        "客户地址": jd.address[person],
        "联系电话": jd.phone[person],
        "运费金额": yuan(int(jd.freight_fen[order])),
        "增值税发票": "",
        "送装服务": "",
        "服务费": "0.00",
    }
    start = int(jd.item_start[order])
    rows = []
    for item in range(start, start + int(jd.item_count[order])):
        sku = int(jd.item_sku[item])
        product = PRODUCTS[sku]
        values.update(
            {
                "商品ID": jd_sku_id(sku),
                "商品名称": product.title,
                "订购数量": str(int(jd.item_qty[item])),
                "京东价": yuan(product.price_fen),
                "货号": product.sku,
            }
        )
        rows.append([values[column] for column in JD_HEADER])
    return rows


def _newer_columns_from(period: Period) -> int:
    """First day of the month from which the export carries the newer trailing columns."""
    middle = np.array([period.start_day + (period.end_day - period.start_day) // 2])
    month_start = month_number(middle).astype("datetime64[M]").astype("datetime64[D]")
    return int(month_start.astype(np.int64)[0])


def build_jd_orders(world: World, trail: IdentityTrail) -> ExportTable:
    rng = world.rng("jd_orders")
    jd = world.jd_orders
    n = len(jd)
    # JD order numbers grow with time
    order_ids = np.sort(unique_numbers(rng, n, 300_000_000_000, 340_000_000_000))
    created = format_local(jd.created_ts)
    paid = format_local(np.maximum(jd.paid_ts, 0))
    finished = format_local(np.maximum(jd.finished_ts, 0))
    rows: list[list[str]] = []
    positions: list[int] = []
    for order in range(n):
        fields = _order_fields(rng, jd, order)
        fields.update(
            {
                "订单号": str(int(order_ids[order])),
                "下单时间": created[order],
                "付款确认时间": paid[order] if jd.paid_ts[order] >= 0 else "",
                "订单完成时间": finished[order] if jd.finished_ts[order] >= 0 else "",
            }
        )
        order_rows = _rows(jd, order, fields)
        rows.extend(order_rows)
        positions.extend(range(len(order_rows)))
    row_order = np.repeat(np.arange(n), jd.item_count.astype(np.int64))
    order_days = local_day(jd.created_ts)
    days = order_days[row_order]
    trail.seen(IdKind.JD, jd.person, order_days)
    table = ExportTable(
        source="jd_orders",
        layout=CsvLayout(
            "订单导出",
            JD_HEADER,
            Split.MONTH,
            encoding="gbk",
            newline="\r\n",
            quoted=frozenset(JD_HEADER) - BARE_COLUMNS,
            newer_columns=NEWER_COLUMNS,
            newer_from_day=_newer_columns_from(world.period),
        ),
        days=days,
        sort_key=jd.created_ts[row_order],
        rows=rows,
    )
    if world.faults:
        # a later row of a multi-SKU order, so its other rows still carry the real 订单金额
        later_row = np.array(positions) > 0
        fault = pick_fault_record(world.rng("jd_orders:fault"), world.period, days, later_row)
        if fault is not None:
            table.rows[fault][JD_HEADER.index("订单金额")] = JUNK_AMOUNT
            table.faults[fault] = RecordFault(
                FaultKind.VALUE, "订单金额", f"order amount junk ({JUNK_AMOUNT}) on one SKU row"
            )
    return table
