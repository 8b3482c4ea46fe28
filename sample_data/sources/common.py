"""What every source builder reads: the simulated world and a few formatting helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..ads import AdDelivery
from ..app_activity import AppEvents
from ..brand import Brand
from ..campaigns import CampaignCatalog
from ..clock import Period
from ..ids import stream
from ..orders import Orders
from ..population import People
from ..profiles import Profiles
from ..recall import Coupons

if TYPE_CHECKING:
    from .jd import JdOrders


@dataclass
class World:
    """The whole simulated universe of one seed and scale."""

    seed: int
    period: Period
    brand: Brand
    catalog: CampaignCatalog
    people: People
    profiles: Profiles
    orders: Orders
    coupons: Coupons
    app_events: AppEvents
    ads: AdDelivery
    faults: bool
    jd_orders: JdOrders

    def rng(self, name: str) -> np.random.Generator:
        return stream(self.seed, f"source:{name}")


def yuan(fen: int) -> str:
    """Fen as yuan with two decimals (`129.00`)."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def dumps(value: Any) -> str:
    """Compact JSON as the platforms send it, Chinese kept as is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def pick_fault_record(
    rng: np.random.Generator, period: Period, days: np.ndarray, candidates: np.ndarray | None = None
) -> int | None:
    """A record to corrupt, dated in the middle of the period so the committed sample has it."""
    span = period.end_day - period.start_day
    middle = (days >= period.start_day + span // 4) & (days <= period.end_day - span // 4)
    if candidates is not None:
        middle &= np.asarray(candidates, dtype=bool)
    options = np.flatnonzero(middle)
    if len(options) == 0:
        return None
    return int(options[int(rng.integers(len(options)))])
