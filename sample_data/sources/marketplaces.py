"""Marketplace shops: the Tmall seller-centre order report (GBK) and the Douyin shop export."""

from __future__ import annotations

import numpy as np

from ..catalog import CITIES, PRODUCTS, STREETS, TMALL_SHOP
from ..clock import DAY, format_local, local_day
from ..export import CsvLayout, ExportTable, FaultKind, IdentityTrail, IdKind, RecordFault, Split
from ..ids import mask_mobile, unique_numbers
from ..orders import Shop
from .common import World, pick_fault_record, yuan

TMALL_HEADER = (
    "订单编号",
    "买家会员名",
    "买家支付宝账号",
    "买家应付货款",
    "买家应付邮费",
    "总金额",
    "买家实际支付金额",
    "订单状态",
    "买家留言",
    "收货人姓名",
    "收货地址",
    "运送方式",
    "联系电话",
    "联系手机",
    "订单创建时间",
    "订单付款时间",
    "宝贝标题",
    "宝贝种类",
    "宝贝总数量",
    "店铺名称",
    "订单关闭原因",
    "退款金额",
    # undocumented trailing columns the report also carries
    "物流单号",
    "商家备注",
    "是否手机订单",
)
BUYER_MESSAGES = ("", "", "", "", "", "", "", "", "请尽快发货", "送人的，不要放发票")
EMAIL_DOMAINS = ("163.com", "qq.com", "126.com", "sina.com")


def _address(world: World, person: int) -> tuple[str, str, str, str]:
    people = world.people
    city = CITIES[int(people.city[person])]
    street = f"{STREETS[int(people.street[person])]}{int(people.house_no[person])}号"
    return city.province, city.city, city.districts[int(people.district[person])], street


def _tmall_status(world: World, order: int) -> tuple[str, str]:
    """(订单状态, 订单关闭原因) as the report shows them at the end of the period."""
    orders, end = world.orders, world.period.end_ts
    created = int(orders.created_ts[order])
    if orders.paid_ts[order] < 0:
        return ("等待买家付款", "") if created >= end - 3 * DAY else ("交易关闭", "买家未付款")
    if orders.refund_ts[order] >= 0 and orders.refund_item[order] < 0:
        return "交易关闭", "退款"
    if created >= end - 2 * DAY:
        return "买家已付款，等待卖家发货", ""
    if created >= end - 10 * DAY:
        return "卖家已发货，等待买家确认", ""
    return "交易成功", ""


def _alipay(rng: np.random.Generator, phone: int) -> str:
    if rng.random() < 0.6:
        return mask_mobile(phone)
    letters = "".join(chr(97 + int(c)) for c in rng.integers(0, 26, size=2))
    return f"{letters}***@{EMAIL_DOMAINS[int(rng.integers(len(EMAIL_DOMAINS)))]}"


def _tmall_row(
    world: World, rng: np.random.Generator, order: int, order_id: int, created: str, paid: str
) -> list[str]:
    orders, people = world.orders, world.people
    person = int(orders.person[order])
    phone = int(people.phone[person])
    status, close_reason = _tmall_status(world, order)
    items = orders.items_of(order)
    titles = "，".join(PRODUCTS[int(orders.item_sku[i])].title for i in items)
    province, city, district, street = _address(world, person)
    nick = world.profiles.ids.tmall_nick[person]
    shipped = status in ("卖家已发货，等待买家确认", "交易成功") or (
        status == "交易关闭" and close_reason == "退款" and rng.random() < 0.5
    )
    goods, postage = int(orders.gross_fen[order]), int(orders.postage_fen[order])
    return [
        f'="{order_id}"',
        nick + ("\t" if rng.random() < 0.2 else ""),
        _alipay(rng, phone),
        yuan(goods),
        yuan(postage),
        yuan(goods + postage),
        yuan(int(orders.paid_fen[order])) if orders.paid_ts[order] >= 0 else "0.00",
        status,
        BUYER_MESSAGES[int(rng.integers(len(BUYER_MESSAGES)))],
        people.name[person],
        f"{province} {city} {district} {street}",
        "快递",
        "",
        mask_mobile(phone) + ("\t" if rng.random() < 0.3 else ""),
        created,
        paid,
        titles,
        str(len(items)),
        str(int(sum(int(orders.item_qty[i]) for i in items))),
        TMALL_SHOP,
        close_reason,
        yuan(int(orders.refund_fen[order])),
        f"SF{int(rng.integers(10**12, 10**13))}\t" if shipped else "",
        "",
        "手机订单" if rng.random() < 0.8 else "",
    ]


def build_tmall_orders(world: World, trail: IdentityTrail) -> ExportTable:
    rng = world.rng("tmall_orders")
    orders = world.orders
    chosen = orders.of_shop(Shop.TMALL)
    order_ids = unique_numbers(rng, len(chosen), 2 * 10**18, 3 * 10**18)
    created = format_local(orders.created_ts[chosen])
    paid = format_local(np.maximum(orders.paid_ts[chosen], 0))
    rows = [
        _tmall_row(
            world,
            rng,
            order,
            int(order_ids[k]),
            created[k],
            paid[k] if orders.paid_ts[order] >= 0 else "",
        )
        for k, order in enumerate(chosen.tolist())
    ]
    days = local_day(orders.created_ts[chosen])
    trail.seen(IdKind.TMALL, orders.person[chosen], days)
    table = ExportTable(
        source="tmall_orders",
        layout=CsvLayout(
            "ExportOrderList", TMALL_HEADER, Split.MONTH, encoding="gbk", newline="\r\n"
        ),
        days=days,
        sort_key=orders.created_ts[chosen],
        rows=rows,
    )
    if world.faults:
        fault = pick_fault_record(world.rng("tmall_orders:fault"), world.period, days)
        if fault is not None:
            table.rows[fault][0] = f"{float(order_ids[fault]):.5E}"
            table.faults[fault] = RecordFault(
                FaultKind.VALUE, "订单编号", "order number mangled to scientific notation"
            )
    return table


# ------------------------------------------------------------------------------------------
# Douyin

DOUYIN_HEADER = (
    "主订单编号",
    "子订单编号",
    "选购商品",
    "商品数量",
    "商品ID",
    "商品单价",
    "订单应付金额",
    "运费",
    "优惠总金额",
    "支付方式",
    "收件人",
    "收件人手机号",
    "省",
    "市",
    "区",
    "详细地址",
    "订单提交时间",
    "支付完成时间",
    "订单完成时间",
    "订单状态",
    "售后状态",
    "流量来源",
    "流量渠道",
    "达人ID",
    "达人昵称",
    "直播间ID",
)
PAYMENT_METHODS = ("抖音支付", "微信", "支付宝")
TRAFFIC_SOURCES = ("直播", "短视频", "商品卡", "搜索")
TRAFFIC_WEIGHTS = (0.3, 0.25, 0.3, 0.15)
AUTHORS = (("1538207764", "美妆小仙女"), ("2849375512", "护肤课代表"), ("3367112098", "宝妈好物"))
BRAND_LIVE_ROOM = "7299911223344556677"


def _douyin_status(world: World, order: int) -> tuple[str, str]:
    """(订单状态, 订单完成时间)."""
    orders, end = world.orders, world.period.end_ts
    fully_refunded = orders.refund_ts[order] >= 0 and orders.refund_item[order] < 0
    if orders.paid_ts[order] < 0 or fully_refunded:
        return "已关闭", ""
    created = int(orders.created_ts[order])
    if created >= end - 2 * DAY:
        return "待发货", ""
    if created >= end - 10 * DAY:
        return "已发货", ""
    finished = int(orders.paid_ts[order]) + 6 * DAY + created % 36_000
    return "已完成", format_local(np.array([finished]))[0]


def _traffic(world: World, rng: np.random.Generator, first_by_campaign: bool) -> list[str]:
    if first_by_campaign:
        room = world.catalog.by_id("CMP05")
        signal = next(s for s in world.catalog.signals if s.campaign is room)
        return ["直播", "巨量千川", "", "", signal.value + "\t"]
    source = TRAFFIC_SOURCES[int(rng.choice(len(TRAFFIC_SOURCES), p=TRAFFIC_WEIGHTS))]
    if rng.random() < 0.2:
        author_id, nickname = AUTHORS[int(rng.integers(len(AUTHORS)))]
        room = f"73{int(rng.integers(10**16, 10**17))}\t" if source == "直播" else ""
        return [source, "精选联盟", author_id + "\t", nickname, room]
    room = BRAND_LIVE_ROOM + "\t" if source == "直播" else ""
    return [source, "自然流量", "", "", room]


def _allocate(total: int, weights: list[int]) -> list[int]:
    whole = sum(weights)
    shares = [total * w // whole for w in weights[:-1]]
    return [*shares, total - sum(shares)]


def _douyin_rows(
    world: World,
    rng: np.random.Generator,
    order: int,
    main_id: int,
    sub_ids: list[int],
    times: tuple[str, str],
    first_by_campaign: bool,
):
    orders, people = world.orders, world.people
    person = int(orders.person[order])
    province, city, district, street = _address(world, person)
    status, finished = _douyin_status(world, order)
    traffic = _traffic(world, rng, first_by_campaign)
    paid = orders.paid_ts[order] >= 0
    method = PAYMENT_METHODS[int(rng.integers(len(PAYMENT_METHODS)))] if paid else ""
    items = list(orders.items_of(order))
    lines = [PRODUCTS[int(orders.item_sku[i])].price_fen * int(orders.item_qty[i]) for i in items]
    discounts = _allocate(int(orders.discount_fen[order]), lines)
    refunded = orders.refund_ts[order] >= 0
    rows = []
    for position, item in enumerate(items):
        product = PRODUCTS[int(orders.item_sku[item])]
        after_sale = "-"
        if refunded and (orders.refund_item[order] < 0 or position == orders.refund_item[order]):
            after_sale = "退款成功"
        rows.append(
            [
                f"{main_id}\t",
                f"{sub_ids[position]}\t",
                product.title,
                str(int(orders.item_qty[item])),
                product.douyin_product_id + "\t",
                yuan(product.price_fen),
                yuan(lines[position] - discounts[position]),
                "0.00",
                yuan(discounts[position]),
                method,
                people.name[person],
                mask_mobile(int(people.phone[person])),
                province,
                city,
                district,
                street[:-4] + "***号" if len(street) > 4 else street,
                times[0],
                times[1] if paid else "",
                finished,
                status,
                after_sale,
                *traffic,
            ]
        )
    return rows


def build_douyin_orders(world: World, trail: IdentityTrail) -> ExportTable:
    rng = world.rng("douyin_orders")
    orders, people = world.orders, world.people
    chosen = orders.of_shop(Shop.DOUYIN)
    n_items = int(orders.item_count[chosen].sum())
    numbers = unique_numbers(
        rng, len(chosen) + n_items, 6_900_000_000_000_000_000, 6_999_999_999_999_999_999
    )
    main_ids, sub_ids = numbers[: len(chosen)], numbers[len(chosen) :]
    created = format_local(orders.created_ts[chosen])
    paid = format_local(np.maximum(orders.paid_ts[chosen], 0))
    signals = world.catalog.signals
    live = [i for i, s in enumerate(signals) if s.signal_type == "douyin_live_room_id"]
    _, first_index = np.unique(orders.person[chosen], return_index=True)
    is_first = np.zeros(len(chosen), bool)
    is_first[first_index] = True
    by_campaign = is_first & np.isin(people.acq_signal[orders.person[chosen]], live)
    rows, days, keys, owners = [], [], [], []
    cursor = 0
    for k, order in enumerate(chosen.tolist()):
        count = int(orders.item_count[order])
        order_rows = _douyin_rows(
            world,
            rng,
            order,
            int(main_ids[k]),
            sub_ids[cursor : cursor + count].tolist(),
            (created[k], paid[k]),
            bool(by_campaign[k]),
        )
        cursor += count
        rows.extend(order_rows)
        days.extend([int(local_day(orders.created_ts[order]))] * count)
        keys.extend([int(orders.created_ts[order])] * count)
        owners.extend([int(orders.person[order])] * count)
    days_array = np.array(days, dtype=np.int64)
    trail.seen(IdKind.DOUYIN, np.array(owners, dtype=np.int64), days_array)
    return ExportTable(
        source="douyin_orders",
        layout=CsvLayout("douyin_orders", DOUYIN_HEADER, Split.MONTH),
        days=days_array,
        sort_key=np.array(keys, dtype=np.int64),
        rows=rows,
    )
