"""SMS send receipts of the brand's journeys (welcome, 双11 presale, recall), as the SMS provider's
send-detail query returns them."""

from __future__ import annotations

import numpy as np

from ..campaigns import Channel
from ..clock import HOUR, MINUTE, format_local, local_day, midnight
from ..export import CsvLayout, ExportTable, FaultKind, IdentityTrail, IdKind, RecordFault, Split
from ..profiles import MemberPhone
from .common import World, pick_fault_record

SMS_HEADER = (
    "PhoneNum",
    "SendStatus",
    "ErrCode",
    "TemplateCode",
    "Content",
    "SendDate",
    "ReceiveDate",
    "OutId",
)
JOURNEYS = {
    "JRN_WELCOME": ("SMS_471230001", "【丝语】欢迎加入丝语会员，首单满199减30。拒收请回复R"),
    "JRN_1111_PRESALE": ("SMS_471230002", "【丝语】双11预售开启，会员定金翻倍。拒收请回复R"),
    "JRN_RECALL": ("SMS_471230003", "【丝语】好久不见，20元回归券已到账，满99可用。拒收请回复R"),
}
FAIL_CODES = ("MOBILE_NOT_ON_SERVICE", "MOBILE_ACCOUNT_ABNORMAL", "IS_CLOSE", "MOBILE_IN_BLACK")
OWN_PHONE_KINDS = (MemberPhone.OWN, MemberPhone.OWN_SPACED, MemberPhone.OWN_PLUS86)


def _recipients(world: World) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(person, send time, journey) of every send."""
    rng = world.rng("sms_sends:recipients")
    people, period = world.people, world.period
    registered = people.join[:, Channel.STORE]
    reachable = (registered >= 0) & (world.profiles.member.phone_kind != MemberPhone.EMPTY)
    welcome = np.flatnonzero(reachable & (registered >= period.start_ts))
    presale_day = world.catalog.by_id("CMP11").first_day
    presale_at = int(midnight(presale_day)) + 10 * HOUR
    presale = np.flatnonzero(reachable & (registered < presale_at))
    coupons = world.coupons
    recalled = reachable[coupons.person] & (registered[coupons.person] < coupons.create_ts)
    person = np.concatenate([welcome, presale, coupons.person[recalled]]).astype(np.int64)
    when = np.concatenate(
        [
            registered[welcome] + rng.integers(MINUTE, 5 * MINUTE, len(welcome)),
            presale_at + rng.integers(0, 30 * MINUTE, len(presale)),
            coupons.create_ts[recalled] + rng.integers(5 * MINUTE, 6 * MINUTE, int(recalled.sum())),
        ]
    )
    journeys = (
        ["JRN_WELCOME"] * len(welcome)
        + ["JRN_1111_PRESALE"] * len(presale)
        + ["JRN_RECALL"] * int(recalled.sum())
    )
    keep = when < period.end_ts
    return person[keep], when[keep], [j for j, k in zip(journeys, keep, strict=True) if k]


def _phone_num(world: World, person: int) -> str:
    kind = int(world.profiles.member.phone_kind[person])
    store = world.brand.stores[int(world.people.home_store[person])]
    if kind == MemberPhone.STORE_MOBILE:
        return str(store.shared_mobile)
    if kind == MemberPhone.STORE_LANDLINE:
        return store.landline
    return str(world.people.phone[person])


def build_sms_sends(world: World, trail: IdentityTrail) -> ExportTable:
    rng = world.rng("sms_sends")
    person, when, journeys = _recipients(world)
    sent = format_local(when)
    received = format_local(when + rng.integers(2, 40, len(when)))
    roll = rng.random(len(when))
    rows = []
    for k in range(len(person)):
        phone = _phone_num(world, int(person[k]))
        template, content = JOURNEYS[journeys[k]]
        if "-" in phone:
            status, error, receive = "2", "isv.MOBILE_NUMBER_ILLEGAL", ""
        elif roll[k] < 0.01:
            status, error, receive = "1", "", ""
        elif roll[k] < 0.06:
            status, error, receive = "2", FAIL_CODES[k % len(FAIL_CODES)], received[k]
        else:
            status, error, receive = "3", "DELIVERED", received[k]
        rows.append([phone, status, error, template, content, sent[k], receive, journeys[k]])
    days = local_day(when)
    own = np.isin(world.profiles.member.phone_kind[person], OWN_PHONE_KINDS)
    trail.seen(IdKind.PHONE, person[own], days[own])
    table = ExportTable(
        source="sms_sends",
        layout=CsvLayout("sms_send_details", SMS_HEADER, Split.MONTH),
        days=days,
        sort_key=when,
        rows=rows,
    )
    if world.faults:
        delivered = np.array([row[1] == "3" for row in rows], dtype=bool)
        fault = pick_fault_record(world.rng("sms_sends:fault"), world.period, days, delivered)
        if fault is not None:
            table.faults[fault] = RecordFault(
                FaultKind.DROP_COLUMNS, "ReceiveDate", "too few columns (6 of 8)"
            )
    return table
