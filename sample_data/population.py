"""The synthetic customers: who they are, how they were acquired, which channels they use.

Everything is drawn once for the whole period; deliveries (`--until`, `--only-day`) only filter
the records built from it, so the universe is identical for a given seed and scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .brand import Brand
from .campaigns import CampaignCatalog, Channel
from .catalog import CATEGORIES, CITIES, CITY_WEIGHTS, GIVEN_CHARS, STREETS, SURNAMES
from .clock import (
    DAY,
    MINUTE,
    ONLINE_HOURS,
    STORE_HOURS,
    Period,
    at_time_of_day,
    exponential_days,
    retime,
)

PEOPLE_PER_SCALE = 100_000
N_CHANNELS = len(Channel)

# Share of new customers first touched in each channel (order of `Channel`).
ACQUISITION_WEIGHTS = np.array([0.18, 0.22, 0.14, 0.16, 0.10, 0.12, 0.08])
# Customers known before the period were acquired in the channels that keep snapshots.
LEGACY_ACQUISITION_WEIGHTS = np.array([0.30, 0.25, 0.20, 0.25, 0.0, 0.0, 0.0])
LEGACY_SHARE = 0.2
# P(customer also uses channel c | acquired in channel a): rows a, columns c.
MEMBERSHIP = np.array(
    [
        [1.00, 0.68, 0.38, 0.22, 0.17, 0.09, 0.06],
        [0.78, 1.00, 0.38, 0.28, 0.17, 0.09, 0.06],
        [0.82, 0.76, 1.00, 0.24, 0.12, 0.07, 0.05],
        [0.56, 0.50, 0.36, 1.00, 0.12, 0.09, 0.06],
        [0.38, 0.22, 0.12, 0.12, 1.00, 0.17, 0.28],
        [0.28, 0.14, 0.06, 0.06, 0.23, 1.00, 0.12],
        [0.22, 0.09, 0.04, 0.04, 0.50, 0.17, 1.00],
    ]
)
# Share of each channel's new customers that arrive through a campaign signal.
CAMPAIGN_SHARE = np.array([0.45, 0.50, 0.85, 0.0, 0.60, 0.0, 0.40])
# Channels whose exports are event logs: nothing of them exists before the period.
EVENT_CHANNELS = (Channel.APP, Channel.TMALL, Channel.DOUYIN)
MEAN_DAYS_TO_NEXT_CHANNEL = 40.0


@dataclass
class People:
    """One row per synthetic person (arrays of length n)."""

    n: int
    person_ids: np.ndarray
    legacy: np.ndarray
    acq_channel: np.ndarray
    acq_ts: np.ndarray
    acq_signal: np.ndarray
    join: np.ndarray  # (n, N_CHANNELS) unix seconds of joining each channel, -1 if never
    home_store: np.ndarray
    gender: np.ndarray  # 0 unknown, 1 male, 2 female
    name: np.ndarray
    birthday: np.ndarray
    phone: np.ndarray
    city: np.ndarray
    district: np.ndarray
    street: np.ndarray
    house_no: np.ndarray
    favourite_category: np.ndarray

    def member_of(self, channel: Channel) -> np.ndarray:
        return self.join[:, channel] >= 0

    def members(self, channel: Channel) -> np.ndarray:
        return np.flatnonzero(self.member_of(channel))


def people_count(scale: float) -> int:
    return max(50, round(PEOPLE_PER_SCALE * scale))


def _chinese_names(rng: np.random.Generator, n: int) -> np.ndarray:
    surname = rng.integers(0, len(SURNAMES), size=n)
    first = rng.integers(0, len(GIVEN_CHARS), size=n)
    second = rng.integers(0, len(GIVEN_CHARS), size=n)
    two_chars = rng.random(n) < 0.7
    return np.array(
        [
            SURNAMES[s] + GIVEN_CHARS[f] + (GIVEN_CHARS[g] if t else "")
            for s, f, g, t in zip(
                surname.tolist(), first.tolist(), second.tolist(), two_chars.tolist(), strict=True
            )
        ],
        dtype=object,
    )


def _birthdays(rng: np.random.Generator, n: int) -> np.ndarray:
    years = rng.integers(1965, 2006, size=n)
    days = rng.integers(0, 365, size=n)
    dates = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]") + days
    return np.datetime_as_string(dates).astype(object)


def _draw_channels(rng: np.random.Generator, n: int, legacy: np.ndarray) -> np.ndarray:
    acq = rng.choice(N_CHANNELS, size=n, p=ACQUISITION_WEIGHTS)
    n_legacy = int(legacy.sum())
    acq[legacy] = rng.choice(N_CHANNELS, size=n_legacy, p=LEGACY_ACQUISITION_WEIGHTS)
    return acq.astype(np.int8)


def _signal_windows(catalog: CampaignCatalog, signal_ids: list[int]) -> np.ndarray:
    weights = []
    for index in signal_ids:
        signal = catalog.signals[index]
        days = signal.campaign.last_day - signal.campaign.first_day + 1
        weights.append(signal.weight * days)
    weights_array = np.array(weights, dtype=float)
    return weights_array / weights_array.sum()


def _acquire(
    rng: np.random.Generator,
    period: Period,
    catalog: CampaignCatalog,
    acq: np.ndarray,
    legacy: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """First-touch timestamp and campaign signal (-1 for none) of every person."""
    n = len(acq)
    days = np.empty(n, dtype=np.int64)
    signal = np.full(n, -1, dtype=np.int16)
    span = period.end_day - period.start_day + 1
    days[:] = period.start_day + np.floor(span * rng.random(n) ** 0.85).astype(np.int64)
    days[legacy] = rng.integers(period.first_day, period.start_day, size=int(legacy.sum()))
    for channel in Channel:
        candidates = catalog.acquisition_signals(channel)
        share = CAMPAIGN_SHARE[channel]
        if not candidates or share == 0:
            continue
        chosen = np.flatnonzero((acq == channel) & ~legacy & (rng.random(n) < share))
        weights = _signal_windows(catalog, candidates)
        picks = rng.choice(len(candidates), size=len(chosen), p=weights)
        signal[chosen] = np.array(candidates, dtype=np.int16)[picks]
        first = np.array([catalog.signals[candidates[p]].campaign.first_day for p in picks])
        last = np.array([catalog.signals[candidates[p]].campaign.last_day for p in picks])
        days[chosen] = first + np.floor(rng.random(len(chosen)) * (last - first + 1)).astype(
            np.int64
        )
    hours = np.where(np.isin(acq, (Channel.STORE, Channel.WECOM)), 1, 0)
    ts = at_time_of_day(rng, days, ONLINE_HOURS)
    in_store = np.flatnonzero(hours == 1)
    ts[in_store] = at_time_of_day(rng, days[in_store], STORE_HOURS)
    return ts, signal


def _join_times(
    rng: np.random.Generator, period: Period, acq: np.ndarray, acq_ts: np.ndarray
) -> np.ndarray:
    n = len(acq)
    member = rng.random((n, N_CHANNELS)) < MEMBERSHIP[acq]
    member[np.arange(n), acq] = True
    join = np.full((n, N_CHANNELS), -1, dtype=np.int64)
    in_store = (acq == Channel.STORE) | (acq == Channel.WECOM)
    for channel in Channel:
        hours = STORE_HOURS if channel in (Channel.WECOM, Channel.STORE) else ONLINE_HOURS
        later = acq_ts + exponential_days(rng, MEAN_DAYS_TO_NEXT_CHANNEL, n) + DAY // 2
        ts = retime(rng, later, hours, not_before=acq_ts + 5 * MINUTE)
        if channel in (Channel.WECOM, Channel.STORE):
            same_visit = acq_ts + rng.integers(2 * MINUTE, 40 * MINUTE, n)
            ts = np.where(in_store & (rng.random(n) < 0.55), same_visit, ts)
        ts = np.where(acq == channel, acq_ts, ts)
        if channel in EVENT_CHANNELS:
            late = retime(rng, period.start_ts + exponential_days(rng, 25, n), hours)
            ts = np.where(ts < period.start_ts, late, ts)
        keep = member[:, channel] & (ts < period.end_ts)
        join[keep, channel] = ts[keep]
    return join


def _home_stores(
    rng: np.random.Generator, brand: Brand, catalog: CampaignCatalog, acq_signal: np.ndarray
) -> np.ndarray:
    home = rng.choice(len(brand.stores), size=len(acq_signal), p=brand.store_weights)
    signal_store = np.array([s.store for s in catalog.signals] + [-1], dtype=np.int16)
    by_signal = signal_store[acq_signal]  # acq_signal -1 picks the trailing -1
    return np.where(by_signal >= 0, by_signal, home).astype(np.int16)


def _addresses(rng: np.random.Generator, brand: Brand, home: np.ndarray, n: int):
    store_city = np.array([store.city for store in brand.stores])[home]
    weights = np.array(CITY_WEIGHTS) / sum(CITY_WEIGHTS)
    elsewhere = rng.choice(len(CITIES), size=n, p=weights)
    city = np.where(rng.random(n) < 0.8, store_city, elsewhere).astype(np.int8)
    n_districts = np.array([len(c.districts) for c in CITIES])[city]
    district = (rng.random(n) * n_districts).astype(np.int8)
    street = rng.integers(0, len(STREETS), size=n).astype(np.int8)
    house_no = rng.integers(1, 1_500, size=n).astype(np.int16)
    return city, district, street, house_no


def build_people(
    rng: np.random.Generator,
    period: Period,
    scale: float,
    brand: Brand,
    catalog: CampaignCatalog,
    phones: np.ndarray,
) -> People:
    """Draw the person universe; `phones` holds one unique mobile per person."""
    n = people_count(scale)
    legacy = rng.random(n) < LEGACY_SHARE
    acq = _draw_channels(rng, n, legacy)
    acq_ts, acq_signal = _acquire(rng, period, catalog, acq, legacy)
    join = _join_times(rng, period, acq, acq_ts)
    home = _home_stores(rng, brand, catalog, acq_signal)
    city, district, street, house_no = _addresses(rng, brand, home, n)
    return People(
        n=n,
        person_ids=np.array([f"P{i + 1:07d}" for i in range(n)], dtype=object),
        legacy=legacy,
        acq_channel=acq,
        acq_ts=acq_ts,
        acq_signal=acq_signal,
        join=join,
        home_store=home,
        gender=rng.choice(3, size=n, p=[0.08, 0.22, 0.70]).astype(np.int8),
        name=_chinese_names(rng, n),
        birthday=_birthdays(rng, n),
        phone=phones[:n],
        city=city,
        district=district,
        street=street,
        house_no=house_no,
        favourite_category=rng.integers(0, len(CATEGORIES), size=n).astype(np.int8),
    )
