"""Orders in every shopping channel: first orders, the three-order strategy, repeats, recall
coupons, walk-in store sales, then items, discounts, payment and refunds."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property

import numpy as np

from .brand import Brand
from .campaigns import Channel
from .catalog import CATEGORIES, PRODUCTS
from .clock import (
    DAY,
    HOUR,
    MINUTE,
    ONLINE_HOURS,
    STORE_HOURS,
    Period,
    at_time_of_day,
    exponential_days,
    retime,
)
from .population import People
from .profiles import Profiles


class Shop(IntEnum):
    MP = 0
    STORE = 1
    TMALL = 2
    DOUYIN = 3
    APP = 4


SHOP_CHANNEL = {
    Shop.MP: Channel.MP,
    Shop.STORE: Channel.STORE,
    Shop.TMALL: Channel.TMALL,
    Shop.DOUYIN: Channel.DOUYIN,
    Shop.APP: Channel.APP,
}
# Chance that a channel member orders at all, repeat-order rate and mean days between orders.
BUY_CHANCE = {Shop.MP: 0.55, Shop.STORE: 0.85, Shop.TMALL: 1.0, Shop.DOUYIN: 1.0, Shop.APP: 0.35}
REPEAT_RATE = {Shop.MP: 0.9, Shop.STORE: 1.1, Shop.TMALL: 0.5, Shop.DOUYIN: 0.35, Shop.APP: 0.4}
MEAN_GAP_DAYS = 38.0
LEGACY_ACTIVE = 0.5
THREE_ORDER_CHANCE = 0.10
THREE_ORDER_CHANCE_GUIDED = 0.35
THIRD_ORDER_CHANCE = 0.6
REFUND_CHANCE = 0.06
WALK_IN_SHARE = 0.3
RECALL_COUPON_FEN = 2_000
RECALL_THRESHOLD_FEN = 9_900

PRODUCT_PRICE = np.array([p.price_fen for p in PRODUCTS], dtype=np.int64)
PRODUCT_CATEGORY = np.array([CATEGORIES.index(p.category) for p in PRODUCTS], dtype=np.int8)


@dataclass
class Drafts:
    """Orders before their contents are drawn."""

    person: np.ndarray
    shop: np.ndarray
    ts: np.ndarray
    coupon: np.ndarray

    @staticmethod
    def concat(parts: list[Drafts]) -> Drafts:
        return Drafts(
            person=np.concatenate([p.person for p in parts]).astype(np.int32),
            shop=np.concatenate([p.shop for p in parts]).astype(np.int8),
            ts=np.concatenate([p.ts for p in parts]).astype(np.int64),
            coupon=np.concatenate([p.coupon for p in parts]).astype(np.int32),
        )

    @staticmethod
    def of(person: np.ndarray, shop: int | np.ndarray, ts: np.ndarray) -> Drafts:
        n = len(person)
        return Drafts(
            person=np.asarray(person, dtype=np.int32),
            shop=np.broadcast_to(np.asarray(shop, dtype=np.int8), (n,)).copy(),
            ts=np.asarray(ts, dtype=np.int64),
            coupon=np.full(n, -1, dtype=np.int32),
        )


@dataclass
class Orders:
    """Final orders, sorted by creation time; items are contiguous per order."""

    person: np.ndarray
    shop: np.ndarray
    created_ts: np.ndarray
    paid_ts: np.ndarray  # -1: never paid
    store: np.ndarray
    guide: np.ndarray
    gross_fen: np.ndarray
    discount_fen: np.ndarray
    postage_fen: np.ndarray
    coupon_fen: np.ndarray
    coupon: np.ndarray
    refund_fen: np.ndarray
    refund_ts: np.ndarray  # -1: no refund
    refund_item: np.ndarray  # -1: whole order refunded, else the item refunded
    item_start: np.ndarray
    item_count: np.ndarray
    item_sku: np.ndarray
    item_qty: np.ndarray

    def __len__(self) -> int:
        return len(self.person)

    @cached_property
    def paid_fen(self) -> np.ndarray:
        return self.gross_fen + self.postage_fen - self.discount_fen - self.coupon_fen

    def of_shop(self, shop: Shop) -> np.ndarray:
        return np.flatnonzero(self.shop == shop)

    def items_of(self, order: int) -> range:
        start = int(self.item_start[order])
        return range(start, start + int(self.item_count[order]))


# ------------------------------------------------------------------------------------------
# drafting


def shop_hours(shop: Shop) -> np.ndarray:
    return STORE_HOURS if shop == Shop.STORE else ONLINE_HOURS


def _first_order_ts(
    rng: np.random.Generator, period: Period, shop: Shop, joined: np.ndarray
) -> np.ndarray:
    n = len(joined)
    if shop in (Shop.TMALL, Shop.DOUYIN):
        return joined.copy()
    hours = shop_hours(shop)
    if shop == Shop.STORE:
        first = joined + rng.integers(MINUTE, 15 * MINUTE, n)
    elif shop == Shop.MP:
        soon = joined + rng.integers(MINUTE, HOUR, n)
        later = retime(rng, joined + exponential_days(rng, 4, n) + HOUR, hours, joined + HOUR)
        first = np.where(rng.random(n) < 0.3, soon, later)
    else:
        first = retime(rng, joined + exponential_days(rng, 6, n), hours, joined + 10 * MINUTE)
    before = joined < period.start_ts
    resumed = retime(rng, period.start_ts + exponential_days(rng, 40, n), hours)
    active = rng.random(n) < LEGACY_ACTIVE
    return np.where(before, np.where(active, resumed, -1), first)


def _repeat_orders(
    rng: np.random.Generator, period: Period, shop: Shop, person: np.ndarray, first: np.ndarray
) -> Drafts:
    counts = rng.poisson(REPEAT_RATE[shop], size=len(person))
    owner = np.repeat(np.arange(len(person)), counts)
    gaps = exponential_days(rng, MEAN_GAP_DAYS, len(owner)) + DAY // 2
    # cumulative gaps within each person's run of repeats
    run_start = np.repeat(np.cumsum(counts) - counts, counts)
    cumulative = np.cumsum(gaps)
    cumulative -= np.concatenate([[0], cumulative])[run_start]
    ts = retime(rng, first[owner] + cumulative, shop_hours(shop), first[owner] + HOUR)
    keep = ts < period.end_ts
    return Drafts.of(person[owner][keep], shop, ts[keep])


def _channel_orders(
    rng: np.random.Generator, period: Period, people: People, profiles: Profiles, shop: Shop
) -> tuple[Drafts, Drafts]:
    """(first orders, repeat orders) of one shop."""
    app_user = shop == Shop.APP
    joined = profiles.app.login_ts if app_user else people.join[:, SHOP_CHANNEL[shop]]
    person = np.flatnonzero(joined >= 0)
    buys = rng.random(len(person)) < BUY_CHANCE[shop]
    person = person[buys]
    first = _first_order_ts(rng, period, shop, joined[person])
    keep = (first >= 0) & (first < period.end_ts)
    person, first = person[keep], first[keep]
    return Drafts.of(person, shop, first), _repeat_orders(rng, period, shop, person, first)


def _three_order_follow_ups(
    rng: np.random.Generator, period: Period, people: People, firsts: Drafts
) -> Drafts:
    """The guides' three-order strategy: a second order the next day, a third within a week."""
    candidates = np.flatnonzero(np.isin(firsts.shop, (Shop.MP, Shop.STORE)))
    order = candidates[np.lexsort((firsts.ts[candidates], firsts.person[candidates]))]
    _, earliest = np.unique(firsts.person[order], return_index=True)
    chosen = order[earliest]
    person, ts = firsts.person[chosen], firsts.ts[chosen]
    fresh = ~people.legacy[person]
    wecom_join = people.join[person, Channel.WECOM]
    guided = (wecom_join >= 0) & (wecom_join <= ts)
    chance = np.where(guided, THREE_ORDER_CHANCE_GUIDED, THREE_ORDER_CHANCE)
    follows = fresh & (rng.random(len(person)) < chance)
    person, ts = person[follows], ts[follows]
    mp_join = people.join[person, Channel.MP]
    second = retime(rng, ts + DAY, ONLINE_HOURS)
    third = retime(rng, ts + rng.integers(2, 7, len(person)) * DAY, ONLINE_HOURS)
    has_third = rng.random(len(person)) < THIRD_ORDER_CHANCE
    parts = []
    for when, mask in ((second, np.ones(len(person), bool)), (third, has_third)):
        shop = np.where((mp_join >= 0) & (mp_join <= when), Shop.MP, Shop.STORE)
        when = np.where(shop == Shop.STORE, retime(rng, when, STORE_HOURS), when)
        keep = mask & (when < period.end_ts)
        parts.append(Drafts.of(person[keep], shop[keep], when[keep]))
    return Drafts.concat(parts)


def draft_orders(
    rng: np.random.Generator, period: Period, people: People, profiles: Profiles
) -> Drafts:
    firsts, repeats = [], []
    for shop in Shop:
        first, repeat = _channel_orders(rng, period, people, profiles, shop)
        firsts.append(first)
        repeats.append(repeat)
    first_orders = Drafts.concat(firsts)
    follow_ups = _three_order_follow_ups(rng, period, people, first_orders)
    return Drafts.concat([first_orders, *repeats, follow_ups])


def walk_in_drafts(rng: np.random.Generator, period: Period, drafts: Drafts) -> Drafts:
    n = round(WALK_IN_SHARE * int((drafts.shop == Shop.STORE).sum())) + 1
    days = rng.integers(period.start_day, period.end_day + 1, size=n)
    return Drafts.of(np.full(n, -1), Shop.STORE, at_time_of_day(rng, days, STORE_HOURS))


# ------------------------------------------------------------------------------------------
# contents, money and refunds


def _draw_items(
    rng: np.random.Generator, people: People, person: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(person)
    count = rng.choice([1, 2, 3], size=n, p=[0.6, 0.28, 0.12]).astype(np.int8)
    favourite = np.where(person >= 0, people.favourite_category[np.maximum(person, 0)], -1)
    n_products = len(PRODUCTS)
    base = rng.integers(0, n_products, size=n)
    prefers = (favourite >= 0) & (rng.random(n) < 0.6)
    in_category = [np.flatnonzero(np.equal(PRODUCT_CATEGORY, c)) for c in range(len(CATEGORIES))]
    for k in np.flatnonzero(prefers).tolist():
        options = in_category[int(favourite[k])]
        base[k] = options[int(rng.integers(len(options)))]
    owner = np.repeat(np.arange(n), count)
    position = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
    sku = ((base[owner] + position * 7) % n_products).astype(np.int16)
    qty = np.where(rng.random(len(owner)) < 0.85, 1, 2).astype(np.int8)
    return count, sku, qty


def _discounts(rng: np.random.Generator, shop: np.ndarray, gross: np.ndarray) -> np.ndarray:
    n = len(shop)
    chance = np.select(
        [shop == Shop.MP, shop == Shop.STORE, shop == Shop.TMALL, shop == Shop.DOUYIN],
        [0.3, 0.4, 0.5, 0.6],
        0.2,
    )
    rate = np.where(shop == Shop.DOUYIN, rng.uniform(0.1, 0.3, n), rng.uniform(0.05, 0.2, n))
    whole_yuan = (gross * rate // 100) * 100
    return np.where(rng.random(n) < chance, whole_yuan, 0).astype(np.int64)


def _payment(
    rng: np.random.Generator, period: Period, shop: np.ndarray, created: np.ndarray
) -> np.ndarray:
    n = len(shop)
    unpaid_chance = np.select([shop == Shop.TMALL, shop == Shop.DOUYIN], [0.06, 0.04], 0.0)
    paid = created + np.where(shop == Shop.STORE, 0, rng.integers(10, 10 * MINUTE, n))
    paid = np.minimum(paid, period.end_ts - 1)
    return np.where(rng.random(n) < unpaid_chance, -1, paid)


def _refunds(
    rng: np.random.Generator,
    period: Period,
    orders: Orders,
) -> None:
    n = len(orders)
    refundable = (orders.paid_ts >= 0) & (orders.shop != Shop.APP) & (orders.coupon < 0)
    when = orders.paid_ts + (exponential_days(rng, 4, n) + DAY)
    refunded = refundable & (rng.random(n) < REFUND_CHANCE) & (when < period.end_ts)
    whole = rng.random(n) < 0.7
    whole |= (orders.item_count == 1) | (orders.shop == Shop.STORE)
    first_item_fen = (
        PRODUCT_PRICE[orders.item_sku[orders.item_start]] * orders.item_qty[orders.item_start]
    )
    partial = np.minimum(first_item_fen, orders.paid_fen)
    orders.refund_fen[:] = np.where(refunded, np.where(whole, orders.paid_fen, partial), 0)
    orders.refund_ts[:] = np.where(refunded, when, -1)
    orders.refund_item[:] = np.where(refunded & ~whole, 0, -1)


def _stores_and_guides(
    rng: np.random.Generator, brand: Brand, people: People, profiles: Profiles, drafts: Drafts
) -> tuple[np.ndarray, np.ndarray]:
    n = len(drafts.person)
    in_store = drafts.shop == Shop.STORE
    known = drafts.person >= 0
    random_store = rng.choice(len(brand.stores), size=n, p=brand.store_weights)
    home = people.home_store[np.maximum(drafts.person, 0)]
    store = np.where(known & (rng.random(n) < 0.9), home, random_store)
    member_guide = profiles.member.guide[np.maximum(drafts.person, 0)]
    guide_store = np.array([g.store for g in brand.guides])
    teams = [brand.guides_of(k) for k in range(len(brand.stores))]
    any_guide = np.array([teams[s][int(rng.integers(len(teams[s])))] for s in store.tolist()])
    own = known & (member_guide >= 0) & (guide_store[np.maximum(member_guide, 0)] == store)
    guide = np.where(own, member_guide, np.where(rng.random(n) < 0.5, any_guide, -1))
    store = np.where(in_store, store, -1).astype(np.int16)
    guide = np.where(in_store, guide, -1).astype(np.int16)
    return store, guide


def assemble_orders(
    rng: np.random.Generator,
    period: Period,
    brand: Brand,
    people: People,
    profiles: Profiles,
    drafts: Drafts,
    coupon_fen: int = RECALL_COUPON_FEN,
) -> Orders:
    order = np.lexsort((drafts.person, drafts.ts))
    drafts = Drafts(
        drafts.person[order], drafts.shop[order], drafts.ts[order], drafts.coupon[order]
    )
    n = len(drafts.person)
    count, sku, qty = _draw_items(rng, people, drafts.person)
    item_start = (np.cumsum(count) - count).astype(np.int64)
    with_coupon = drafts.coupon >= 0
    owner = np.repeat(np.arange(n), count)
    line_fen = PRODUCT_PRICE[sku] * qty
    gross = np.bincount(owner, weights=line_fen, minlength=n).astype(np.int64)
    # a coupon order must reach the coupon's threshold: buy more of the first item
    short = with_coupon & (gross < RECALL_THRESHOLD_FEN)
    first_price = PRODUCT_PRICE[sku[item_start]]
    extra = np.where(short, -(-(RECALL_THRESHOLD_FEN - gross) // first_price), 0)
    qty[item_start] += extra.astype(np.int8)
    gross = gross + extra * first_price
    discount = np.where(with_coupon, 0, _discounts(rng, drafts.shop, gross))
    postage = np.where((drafts.shop == Shop.TMALL) & (gross < 9_900), 800, 0).astype(np.int64)
    store, guide = _stores_and_guides(rng, brand, people, profiles, drafts)
    orders = Orders(
        person=drafts.person,
        shop=drafts.shop,
        created_ts=drafts.ts,
        paid_ts=_payment(rng, period, drafts.shop, drafts.ts),
        store=store,
        guide=guide,
        gross_fen=gross,
        discount_fen=discount.astype(np.int64),
        postage_fen=postage,
        coupon_fen=np.where(with_coupon, coupon_fen, 0).astype(np.int64),
        coupon=drafts.coupon,
        refund_fen=np.zeros(n, dtype=np.int64),
        refund_ts=np.full(n, -1, dtype=np.int64),
        refund_item=np.full(n, -1, dtype=np.int8),
        item_start=item_start,
        item_count=count,
        item_sku=sku,
        item_qty=qty,
    )
    _refunds(rng, period, orders)
    return orders


def last_order_before(drafts: Drafts, n_people: int, when: int) -> np.ndarray:
    """Each person's latest draft order before `when` (-1 if none)."""
    before = (drafts.ts < when) & (drafts.person >= 0)
    latest = np.full(n_people, -1, dtype=np.int64)
    np.maximum.at(latest, drafts.person[before], drafts.ts[before])
    return latest
