"""App and H5 events in the shape of Chinese product-analytics SDKs (one JSON object a line)."""

from __future__ import annotations

import numpy as np

from ..app_activity import EVENT_NAMES, AppEvent
from ..campaigns import Channel
from ..catalog import PRODUCTS
from ..clock import DAY, local_day
from ..export import (
    ExportTable,
    FaultKind,
    IdentityTrail,
    IdKind,
    JsonLinesLayout,
    RecordFault,
    Split,
)
from .common import World, dumps, pick_fault_record, yuan

DEVICE_OS = ("iOS", "Android", "Android")
DEVICE_LIB = ("iOS", "Android", "js")
SHARE_CHANNELS = ("wechat_friend", "wechat_moments", "weibo", "copy_link")
SHARE_SOURCES = ("product_detail", "order_success", "campaign_page")
ORGANIC_SOURCES = ("appstore", "huawei", "xiaomi", "oppo")


def _first_start_properties(world: World, person: int) -> dict[str, object]:
    people = world.people
    signal = int(people.acq_signal[person])
    properties: dict[str, object] = {"$is_first_time": True}
    if people.acq_channel[person] == Channel.APP and signal >= 0:
        properties["$utm_source"] = "oceanengine"
        properties["$utm_campaign"] = world.catalog.signals[signal].value
    elif people.acq_channel[person] == Channel.DOUYIN:
        properties["$utm_source"] = "douyin"
    else:
        properties["$utm_source"] = ORGANIC_SOURCES[person % len(ORGANIC_SOURCES)]
    return properties


def _properties(world: World, k: int) -> dict[str, object]:
    events, orders = world.app_events, world.orders
    event = int(events.event[k])
    person = int(events.person[k])
    device_os = int(world.profiles.app.device_os[int(events.device[k])])
    months = (int(events.time_ms[k]) // 1000 - world.period.start_ts) // (30 * DAY)
    properties: dict[str, object] = {
        "$lib": DEVICE_LIB[device_os],
        "$os": DEVICE_OS[device_os],
        "$app_version": f"3.{max(months, 0) + 2}.0",
    }
    product = int(events.product[k])
    order = int(events.order[k])
    if event == AppEvent.APP_START and events.first_start[k]:
        properties.update(_first_start_properties(world, person))
    elif event in (AppEvent.SUBMIT_ORDER, AppEvent.PAY_ORDER):
        properties.update(
            {
                "order_id": f"APP{order:09d}",
                "product_id": PRODUCTS[product].sku,
                "price": float(yuan(int(orders.paid_fen[order]))),
            }
        )
    elif product >= 0:
        properties.update(
            {
                "product_id": PRODUCTS[product].sku,
                "category": PRODUCTS[product].category,
                "price": PRODUCTS[product].price_fen / 100,
            }
        )
        if event == AppEvent.SHARE:
            properties["share_channel"] = SHARE_CHANNELS[k % len(SHARE_CHANNELS)]
            properties["share_source"] = SHARE_SOURCES[k % len(SHARE_SOURCES)]
    elif event == AppEvent.BIND_PHONE:
        properties["phone"] = str(world.people.phone[person])
    elif event == AppEvent.BIND_WECHAT:
        properties["unionid"] = world.profiles.ids.unionid[person]
    return properties


def _event_rows(world: World) -> list[str]:
    events, app, ids = world.app_events, world.profiles.app, world.profiles.ids
    rows = []
    for k in range(len(events)):
        person = int(events.person[k])
        device = app.device_ids[int(events.device[k])]
        record: dict[str, object] = {
            "type": "track",
            "event": EVENT_NAMES[AppEvent(int(events.event[k]))],
            "time": int(events.time_ms[k]),
        }
        if events.logged_in[k]:
            login = ids.app_login_id[person]
            record.update({"distinct_id": login, "login_id": login, "anonymous_id": device})
        else:
            record.update({"distinct_id": device, "anonymous_id": device})
        record["properties"] = _properties(world, k)
        rows.append(dumps(record))
    return rows


def _trail(world: World, trail: IdentityTrail, days: np.ndarray) -> None:
    events = world.app_events
    trail.seen(IdKind.DEVICE, events.device, days)
    logged = events.logged_in
    trail.link(
        IdKind.APP_USER,
        events.person[logged],
        IdKind.DEVICE,
        events.device[logged],
        days[logged],
        "app_events",
    )
    for event, kind in (
        (AppEvent.BIND_PHONE, IdKind.PHONE),
        (AppEvent.BIND_WECHAT, IdKind.UNIONID),
    ):
        bound = events.event == event
        trail.link(
            IdKind.APP_USER,
            events.person[bound],
            kind,
            events.person[bound],
            days[bound],
            "app_events",
        )


def build_app_events(world: World, trail: IdentityTrail) -> ExportTable:
    events = world.app_events
    days = local_day(events.time_ms // 1000)
    _trail(world, trail, days)
    table = ExportTable(
        source="app_events",
        layout=JsonLinesLayout("events", Split.MONTH),
        days=days,
        sort_key=events.time_ms,
        rows=_event_rows(world),
    )
    if world.faults:
        views = events.event == AppEvent.VIEW_PRODUCT
        fault = pick_fault_record(world.rng("app_events:fault"), world.period, days, views)
        if fault is not None:
            table.faults[fault] = RecordFault(FaultKind.TRUNCATE, "", "truncated JSON line")
    return table
