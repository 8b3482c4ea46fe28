"""App and H5 behaviour: sessions of browsing, app orders, sharing, and the moments a user binds
a phone or a WeChat account (the identity bridges of the app)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from .campaigns import Channel
from .catalog import CATEGORIES
from .clock import MINUTE, ONLINE_HOURS, Period, retime
from .orders import PRODUCT_CATEGORY, Orders, Shop
from .population import People
from .profiles import AppProfile


class AppEvent(IntEnum):
    APP_START = 0
    VIEW_PRODUCT = 1
    ADD_TO_CART = 2
    SUBMIT_ORDER = 3
    PAY_ORDER = 4
    SHARE = 5
    BIND_PHONE = 6
    BIND_WECHAT = 7


EVENT_NAMES = {
    AppEvent.APP_START: "AppStart",
    AppEvent.VIEW_PRODUCT: "ViewProduct",
    AppEvent.ADD_TO_CART: "AddToCart",
    AppEvent.SUBMIT_ORDER: "SubmitOrder",
    AppEvent.PAY_ORDER: "PayOrder",
    AppEvent.SHARE: "Share",
    AppEvent.BIND_PHONE: "BindPhone",
    AppEvent.BIND_WECHAT: "BindWeChat",
}
EXTRA_SESSIONS = 0.4
MEAN_VIEWS = 0.4
CART_CHANCE = 0.2
SHARE_CHANCE = 0.1


@dataclass
class AppEvents:
    """One row per event, sorted by time."""

    person: np.ndarray
    device: np.ndarray
    time_ms: np.ndarray
    event: np.ndarray
    product: np.ndarray  # -1 where the event has none
    order: np.ndarray  # -1 where the event has none
    first_start: np.ndarray  # the install's first AppStart (carries the utm source)
    logged_in: np.ndarray

    def __len__(self) -> int:
        return len(self.person)


@dataclass
class _Rows:
    person: list[np.ndarray]
    ts: list[np.ndarray]
    event: list[np.ndarray]
    product: list[np.ndarray]
    order: list[np.ndarray]
    first: list[np.ndarray]

    def add(self, person, ts, event, product=None, order=None, first=None) -> None:
        n = len(person)
        self.person.append(np.asarray(person, dtype=np.int32))
        self.ts.append(np.asarray(ts, dtype=np.int64))
        self.event.append(np.broadcast_to(np.asarray(event, dtype=np.int8), (n,)))
        self.product.append(np.full(n, -1, np.int16) if product is None else product)
        self.order.append(np.full(n, -1, np.int32) if order is None else order)
        self.first.append(np.zeros(n, bool) if first is None else first)


def _products(rng: np.random.Generator, people: People, person: np.ndarray) -> np.ndarray:
    product = rng.integers(0, len(PRODUCT_CATEGORY), size=len(person)).astype(np.int16)
    in_category = [np.flatnonzero(np.equal(PRODUCT_CATEGORY, c)) for c in range(len(CATEGORIES))]
    prefers = rng.random(len(person)) < 0.5
    for k in np.flatnonzero(prefers).tolist():
        options = in_category[int(people.favourite_category[person[k]])]
        product[k] = options[int(rng.integers(len(options)))]
    return product


def _sessions(
    rng: np.random.Generator, period: Period, people: People, app: AppProfile, rows: _Rows
) -> None:
    users = people.members(Channel.APP)
    joined = people.join[users, Channel.APP]
    extra = rng.poisson(EXTRA_SESSIONS, size=len(users))
    owner = np.concatenate([users, np.repeat(users, extra)])
    span = period.end_ts - np.repeat(joined, extra)
    later = np.repeat(joined, extra) + (rng.random(int(extra.sum())) * span).astype(np.int64)
    later = retime(rng, later, ONLINE_HOURS, np.repeat(joined, extra) + MINUTE)
    start = np.concatenate([joined, later])
    is_first = np.concatenate([np.ones(len(users), bool), np.zeros(len(later), bool)])
    rows.add(owner, start, AppEvent.APP_START, first=is_first)
    views = 1 + rng.poisson(MEAN_VIEWS, size=len(owner))
    viewer = np.repeat(np.arange(len(owner)), views)
    step = rng.integers(15, 120, size=len(viewer))
    run = np.repeat(np.cumsum(views) - views, views)
    offset = np.cumsum(step)
    offset -= np.concatenate([[0], offset])[run]
    view_ts = start[viewer] + offset
    view_product = _products(rng, people, owner[viewer])
    rows.add(owner[viewer], view_ts, AppEvent.VIEW_PRODUCT, product=view_product)
    last_view = np.cumsum(views) - 1
    for event, chance in ((AppEvent.ADD_TO_CART, CART_CHANCE), (AppEvent.SHARE, SHARE_CHANCE)):
        picked = last_view[rng.random(len(owner)) < chance]
        rows.add(
            owner[viewer[picked]],
            view_ts[picked] + rng.integers(5, 60, len(picked)),
            event,
            product=view_product[picked],
        )
    logs_in = np.flatnonzero(app.login_ts >= 0)
    rows.add(
        logs_in,
        app.login_ts[logs_in],
        AppEvent.VIEW_PRODUCT,
        product=_products(rng, people, logs_in),
    )


def _order_events(rng: np.random.Generator, orders: Orders, rows: _Rows) -> None:
    app_orders = orders.of_shop(Shop.APP)
    person = orders.person[app_orders]
    created = orders.created_ts[app_orders]
    product = orders.item_sku[orders.item_start[app_orders]].astype(np.int16)
    order = app_orders.astype(np.int32)
    rows.add(
        person,
        created - rng.integers(4, 9, len(order)) * MINUTE,
        AppEvent.VIEW_PRODUCT,
        product=product,
    )
    rows.add(
        person,
        created - rng.integers(1, 4, len(order)) * MINUTE,
        AppEvent.ADD_TO_CART,
        product=product,
    )
    rows.add(person, created, AppEvent.SUBMIT_ORDER, product=product, order=order)
    paid = orders.paid_ts[app_orders]
    rows.add(
        person[paid >= 0],
        paid[paid >= 0],
        AppEvent.PAY_ORDER,
        product=product[paid >= 0],
        order=order[paid >= 0],
    )


def _bind_events(app: AppProfile, rows: _Rows) -> None:
    for event, when in (
        (AppEvent.BIND_PHONE, app.bind_phone_ts),
        (AppEvent.BIND_WECHAT, app.bind_wechat_ts),
    ):
        person = np.flatnonzero(when >= 0)
        rows.add(person, when[person] - 40, AppEvent.APP_START)
        rows.add(person, when[person], event)


def build_app_events(
    rng: np.random.Generator, period: Period, people: People, app: AppProfile, orders: Orders
) -> AppEvents:
    rows = _Rows([], [], [], [], [], [])
    _sessions(rng, period, people, app, rows)
    _order_events(rng, orders, rows)
    _bind_events(app, rows)
    person = np.concatenate(rows.person)
    ts = np.concatenate(rows.ts)
    keep = ts < period.end_ts
    time_ms = ts * 1000 + rng.integers(0, 1000, size=len(ts))
    event = np.concatenate(rows.event)
    order = np.lexsort((event, person, time_ms))
    order = order[keep[order]]
    person, time_ms = person[order], time_ms[order]
    ts_sec = time_ms // 1000
    second = app.second_device[person]
    uses_second = (second >= 0) & (ts_sec >= app.second_device_ts[person])
    device = np.where(uses_second, second, app.first_device[person])
    login = app.login_ts[person]
    return AppEvents(
        person=person,
        device=device.astype(np.int32),
        time_ms=time_ms,
        event=event[order],
        product=np.concatenate(rows.product)[order],
        order=np.concatenate(rows.order)[order],
        first_start=np.concatenate(rows.first)[order],
        logged_in=(login >= 0) & (ts_sec >= login),
    )
