"""The brand's own store systems: membership (CRM) and till orders (POS)."""

from __future__ import annotations

import json

import numpy as np

from ..campaigns import Channel
from ..catalog import PRODUCTS
from ..clock import format_local, local_day
from ..export import CsvLayout, ExportTable, FaultKind, IdentityTrail, IdKind, RecordFault, Split
from ..orders import Shop
from ..profiles import MEMBER_LEVELS, MemberPhone, member_phone_text
from .common import World, pick_fault_record, yuan

MEMBER_HEADER = (
    "member_id",
    "phone",
    "name",
    "gender",
    "birthday",
    "register_store_id",
    "register_time",
    "level",
    "points",
    "guide_id",
)
ORDER_HEADER = (
    "order_no",
    "member_id",
    "store_id",
    "guide_id",
    "order_time",
    "amount",
    "discount",
    "coupon_id",
    "status",
    "items",
)
GENDERS = ("U", "M", "F")
OWN_PHONE_KINDS = (MemberPhone.OWN, MemberPhone.OWN_SPACED, MemberPhone.OWN_PLUS86)


def _member_name(rng: np.random.Generator, name: str, gender: int) -> str:
    roll = rng.random()
    if roll < 0.8:
        return name
    if roll < 0.95:
        return name[0] + ("先生" if gender == 1 else "女士")
    return ""


def build_pos_members(world: World, trail: IdentityTrail) -> ExportTable:
    rng = world.rng("pos_members")
    people, brand = world.people, world.brand
    member, ids = world.profiles.member, world.profiles.ids
    members = people.members(Channel.STORE)
    registered = people.join[members, Channel.STORE]
    times = format_local(registered)
    rows = []
    for k, person in enumerate(members.tolist()):
        guide = int(member.guide[person])
        rows.append(
            [
                ids.member_id[person],
                member_phone_text(brand, people, member, person),
                _member_name(rng, people.name[person], int(people.gender[person])),
                GENDERS[int(people.gender[person])],
                people.birthday[person] if rng.random() < 0.7 else "",
                brand.stores[int(people.home_store[person])].store_id,
                times[k],
                MEMBER_LEVELS[int(member.level[person])],
                str(int(member.points[person])),
                brand.guides[guide].userid if guide >= 0 else "",
            ]
        )
    days = local_day(registered)
    trail.seen(IdKind.MEMBER, members, days)
    own = np.isin(member.phone_kind[members], OWN_PHONE_KINDS)
    trail.link(IdKind.MEMBER, members[own], IdKind.PHONE, members[own], days[own], "pos_members")
    return ExportTable(
        source="pos_members",
        layout=CsvLayout("pos_members", MEMBER_HEADER, Split.SNAPSHOT),
        days=days,
        sort_key=registered,
        rows=rows,
    )


def _items_json(world: World, order: int) -> str:
    orders = world.orders
    return json.dumps(
        [
            {
                "sku": PRODUCTS[int(orders.item_sku[i])].sku,
                "category": PRODUCTS[int(orders.item_sku[i])].category,
                "qty": int(orders.item_qty[i]),
                "price": PRODUCTS[int(orders.item_sku[i])].price_fen / 100,
            }
            for i in orders.items_of(order)
        ],
        ensure_ascii=False,
    )


def build_pos_orders(world: World, trail: IdentityTrail) -> ExportTable:
    rng = world.rng("pos_orders")
    orders, ids, brand = world.orders, world.profiles.ids, world.brand
    chosen = orders.of_shop(Shop.STORE)
    created = orders.created_ts[chosen]
    times = format_local(created)
    rows = []
    for k, order in enumerate(chosen.tolist()):
        person = int(orders.person[order])
        store = brand.stores[int(orders.store[order])]
        guide = int(orders.guide[order])
        discount = int(orders.discount_fen[order])
        voucher = f"PV{times[k][:10].replace('-', '')}{order % 10_000:04d}"
        rows.append(
            [
                f"{store.store_id}{times[k][:10].replace('-', '')}{order:07d}",
                ids.member_id[person] if person >= 0 else "",
                store.store_id,
                brand.guides[guide].userid if guide >= 0 else "",
                times[k],
                yuan(int(orders.paid_fen[order])),
                yuan(discount),
                voucher if discount and rng.random() < 0.25 else "",
                "REFUNDED" if orders.refund_ts[order] >= 0 else "PAID",
                _items_json(world, order),
            ]
        )
    days = local_day(created)
    member_orders = orders.person[chosen] >= 0
    trail.seen(IdKind.MEMBER, orders.person[chosen][member_orders], days[member_orders])
    table = ExportTable(
        source="pos_orders",
        layout=CsvLayout("pos_orders", ORDER_HEADER, Split.MONTH),
        days=days,
        sort_key=created,
        rows=rows,
    )
    if world.faults:
        fault = pick_fault_record(world.rng("pos_orders:fault"), world.period, days, member_orders)
        if fault is not None:
            table.rows[fault][0] = ""
            table.faults[fault] = RecordFault(FaultKind.VALUE, "order_no", "order_no empty")
    return table
