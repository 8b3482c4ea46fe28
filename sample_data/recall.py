"""The recall campaign: every two weeks, dormant mini-program users get a WeChat Pay coupon (and
store members among them an SMS); some come back and spend it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .campaigns import CampaignCatalog, Channel
from .clock import DAY, HOUR, MINUTE, ONLINE_HOURS, Period, exponential_days, midnight, retime
from .ids import unique_numbers
from .orders import Drafts, Shop, last_order_before
from .population import People

BATCH_EVERY_DAYS = 14
VALID_DAYS = 14
DORMANT_DAYS = 60
MIN_TENURE_DAYS = 30
RESEND_AFTER_DAYS = 45
TARGET_SHARE = 0.1
USE_CHANCE = 0.25


@dataclass
class Coupons:
    """One row per coupon sent."""

    person: np.ndarray
    coupon_id: np.ndarray  # str
    create_ts: np.ndarray
    use_ts: np.ndarray  # -1: not used
    expire_ts: np.ndarray  # -1: not expired within the period

    def __len__(self) -> int:
        return len(self.person)


def batch_times(period: Period, catalog: CampaignCatalog) -> list[int]:
    campaign = catalog.by_id("CMP12")
    days = range(campaign.first_day, min(campaign.last_day, period.end_day), BATCH_EVERY_DAYS)
    return [int(midnight(day)) + 10 * HOUR for day in days]


def _eligible(people: People, drafts: Drafts, last_sent: np.ndarray, when: int) -> np.ndarray:
    mp_join = people.join[:, Channel.MP]
    tenured = (mp_join >= 0) & (mp_join < when - MIN_TENURE_DAYS * DAY)
    latest = last_order_before(drafts, people.n, when)
    dormant = latest < when - DORMANT_DAYS * DAY
    rested = last_sent < when - RESEND_AFTER_DAYS * DAY
    return np.flatnonzero(tenured & dormant & rested)


def send_recall_coupons(
    rng: np.random.Generator,
    period: Period,
    catalog: CampaignCatalog,
    people: People,
    drafts: Drafts,
) -> tuple[Coupons, Drafts]:
    """The coupons sent, and the mini-program orders that used them."""
    last_sent = np.full(people.n, -(10**12), dtype=np.int64)
    person_parts, create_parts = [], []
    for when in batch_times(period, catalog):
        eligible = _eligible(people, drafts, last_sent, when)
        chosen = eligible[rng.random(len(eligible)) < TARGET_SHARE]
        last_sent[chosen] = when
        person_parts.append(chosen)
        create_parts.append(when + rng.integers(0, 2 * HOUR, len(chosen)))
    person = np.concatenate(person_parts or [np.array([], dtype=np.int64)]).astype(np.int32)
    created = np.concatenate(create_parts or [np.array([], dtype=np.int64)]).astype(np.int64)
    n = len(person)
    use = retime(rng, created + exponential_days(rng, 3, n), ONLINE_HOURS, created + HOUR)
    used = (rng.random(n) < USE_CHANCE) & (use < created + VALID_DAYS * DAY)
    used &= use < period.end_ts
    expiry = created + VALID_DAYS * DAY
    expired = ~used & (expiry < period.end_ts)
    coupon_numbers = unique_numbers(rng, n, 10_000_000_000, 99_999_999_999)
    coupons = Coupons(
        person=person,
        coupon_id=np.array([str(v) for v in coupon_numbers], dtype=object),
        create_ts=created,
        use_ts=np.where(used, use, -1),
        expire_ts=np.where(expired, expiry, -1),
    )
    used_index = np.flatnonzero(used)
    orders = Drafts.of(person[used_index], Shop.MP, use[used_index] - MINUTE)
    orders.coupon[:] = used_index
    return coupons, orders
