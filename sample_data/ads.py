"""Daily paid-media delivery of each ad campaign, sized by the customers it really acquired."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .campaigns import CampaignCatalog
from .clock import local_day
from .population import People

COST_PER_CLICK_FEN = 150
CLICK_THROUGH_RATE = 0.015


@dataclass
class AdDelivery:
    """One row per campaign (or ad group), day."""

    campaign: np.ndarray  # index into catalog.campaigns
    adgroup: np.ndarray  # ad group id, 0 where the platform reports per campaign
    day: np.ndarray
    cost_fen: np.ndarray
    impressions: np.ndarray
    clicks: np.ndarray
    conversions: np.ndarray

    def __len__(self) -> int:
        return len(self.day)


def _acquired_per_day(people: People, catalog: CampaignCatalog, campaign_index: int):
    campaign = catalog.campaigns[campaign_index]
    signal_ids = [i for i, s in enumerate(catalog.signals) if s.campaign is campaign]
    acquired = np.isin(people.acq_signal, signal_ids)
    days = np.arange(campaign.first_day, campaign.last_day + 1)
    counts = np.bincount(
        local_day(people.acq_ts[acquired]) - campaign.first_day, minlength=len(days)
    )[: len(days)]
    return days, counts


def build_ad_delivery(
    rng: np.random.Generator, people: People, catalog: CampaignCatalog
) -> AdDelivery:
    parts: dict[str, list[np.ndarray]] = {k: [] for k in AdDelivery.__dataclass_fields__}
    for index, campaign in enumerate(catalog.campaigns):
        if not campaign.is_paid_media:
            continue
        days, acquired = _acquired_per_day(people, catalog, index)
        spend = (acquired + 0.4) * campaign.cac_fen * rng.lognormal(0, 0.3, len(days))
        groups = campaign.adgroup_ids or (0,)
        share = rng.dirichlet(np.ones(len(groups)) * 3, size=len(days))
        for g, adgroup in enumerate(groups):
            cost = np.round(spend * share[:, g]).astype(np.int64)
            clicks = np.maximum(1, (cost / COST_PER_CLICK_FEN * rng.uniform(0.7, 1.3, len(days))))
            clicks = clicks.astype(np.int64)
            impressions = clicks / CLICK_THROUGH_RATE * rng.uniform(0.8, 1.2, len(days))
            conversions = rng.binomial(acquired, share[:, g]) + rng.poisson(0.2, len(days))
            parts["campaign"].append(np.full(len(days), index))
            parts["adgroup"].append(np.full(len(days), adgroup))
            parts["day"].append(days)
            parts["cost_fen"].append(cost)
            parts["impressions"].append(impressions.astype(np.int64))
            parts["clicks"].append(clicks)
            parts["conversions"].append(conversions.astype(np.int64))
    return AdDelivery(**{k: np.concatenate(v).astype(np.int64) for k, v in parts.items()})
