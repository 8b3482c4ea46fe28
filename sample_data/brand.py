"""The brand's own organisation: stores, their shared phones, and the WeCom shopping guides."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .catalog import BRAND, CITIES, CITY_WEIGHTS, PINYIN_GIVEN, PINYIN_SURNAMES, STORE_SITES


@dataclass(frozen=True)
class Store:
    store_id: str
    name: str
    city: int
    shared_mobile: int
    landline: str
    weight: float


@dataclass(frozen=True)
class Guide:
    userid: str
    store: int
    mobile: int
    types_own_mobile: bool


@dataclass(frozen=True)
class Brand:
    stores: tuple[Store, ...]
    guides: tuple[Guide, ...]

    @property
    def store_ids(self) -> list[str]:
        return [store.store_id for store in self.stores]

    def guides_of(self, store: int) -> np.ndarray:
        return np.array([i for i, g in enumerate(self.guides) if g.store == store], dtype=np.int16)

    @property
    def store_weights(self) -> np.ndarray:
        weights = np.array([store.weight for store in self.stores])
        return weights / weights.sum()


def store_count(scale: float) -> int:
    return max(4, round(40 * math.sqrt(scale)))


def _landline(rng: np.random.Generator, area_code: str) -> str:
    digits = 8 if len(area_code) == 3 else 7
    first = int(rng.integers(2, 9))
    rest = int(rng.integers(0, 10 ** (digits - 1)))
    return f"{area_code}-{first}{rest:0{digits - 1}d}"


def _build_stores(rng: np.random.Generator, n: int, mobiles: np.ndarray) -> list[Store]:
    weights = np.array(CITY_WEIGHTS)
    cities = rng.choice(len(CITIES), size=n, p=weights / weights.sum())
    cities[: min(n, len(CITIES))] = np.arange(min(n, len(CITIES)))
    stores = []
    for k in range(n):
        city = CITIES[int(cities[k])]
        site = STORE_SITES[k % len(STORE_SITES)]
        stores.append(
            Store(
                store_id=f"S{k + 1:03d}",
                name=f"{BRAND}{city.city.removesuffix('市')}{site}",
                city=int(cities[k]),
                shared_mobile=int(mobiles[k]),
                landline=_landline(rng, city.area_code),
                weight=float(rng.uniform(0.6, 1.6)),
            )
        )
    return stores


def _guide_userids(rng: np.random.Generator, n: int) -> list[str]:
    taken: set[str] = set()
    userids = []
    for _ in range(n):
        base = (
            PINYIN_SURNAMES[int(rng.integers(len(PINYIN_SURNAMES)))]
            + PINYIN_GIVEN[int(rng.integers(len(PINYIN_GIVEN)))]
        )
        userid, suffix = base, 1
        while userid in taken:
            suffix += 1
            userid = f"{base}{suffix:02d}"
        taken.add(userid)
        userids.append(userid)
    return userids


def build_brand(rng: np.random.Generator, scale: float, mobiles: np.ndarray) -> Brand:
    """Stores and guides; `mobiles` is a pool of unique numbers nobody else owns."""
    n_stores = store_count(scale)
    stores = _build_stores(rng, n_stores, mobiles[:n_stores])
    per_store = rng.integers(2, 4, size=n_stores)
    guide_stores = np.repeat(np.arange(n_stores), per_store)
    userids = _guide_userids(rng, len(guide_stores))
    own_mobile = rng.random(len(guide_stores)) < 0.22
    own_mobile[int(rng.integers(len(guide_stores)))] = True
    guide_mobiles = mobiles[n_stores : n_stores + len(guide_stores)]
    guides = tuple(
        Guide(userids[k], int(guide_stores[k]), int(guide_mobiles[k]), bool(own_mobile[k]))
        for k in range(len(guide_stores))
    )
    return Brand(stores=tuple(stores), guides=guides)


def brand_phone_pool_size(scale: float) -> int:
    """How many unique mobiles the brand needs (stores + at most three guides each)."""
    return store_count(scale) * 4
