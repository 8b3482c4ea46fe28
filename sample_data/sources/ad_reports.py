"""Paid-media daily reports: Tencent Ads (JSON pages, cost in fen) and Ocean Engine (CSV, yuan)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..catalog import OCEANENGINE_ADVERTISER_ID, TENCENT_ACCOUNT_ID
from ..clock import format_day
from ..export import CsvLayout, ExportTable, JsonPagesLayout, PageContext, Split
from .common import World, dumps, yuan

TENCENT_PAGE_SIZE = 6
OCEAN_HEADER = (
    "stat_datetime",
    "advertiser_id",
    "campaign_id",
    "campaign_name",
    "cost",
    "show",
    "click",
    "convert",
)


def _tencent_envelope(rows: list[Any], context: PageContext) -> str:
    page_info = dumps(
        {
            "page": context.page,
            "page_size": context.page_size,
            "total_number": context.total_records,
            "total_page": context.total_pages,
        }
    )
    return (
        '{"code":0,"message":"","data":{"list":['
        + ",".join(rows)
        + '],"page_info":'
        + page_info
        + "}}"
    )


def _rows_of(world: World, platform: str) -> np.ndarray:
    campaign_platform = np.array([c.platform for c in world.catalog.campaigns])
    return np.flatnonzero(campaign_platform[world.ads.campaign] == platform)


def build_ads_tencent(world: World) -> ExportTable:
    ads = world.ads
    chosen = _rows_of(world, "tencent_ads")
    dates = format_day(ads.day[chosen])
    rows = [
        dumps(
            {
                "date": dates[k],
                "account_id": TENCENT_ACCOUNT_ID,
                "campaign_id": int(
                    world.catalog.campaigns[int(ads.campaign[i])].platform_campaign_id
                ),
                "adgroup_id": int(ads.adgroup[i]),
                "view_count": int(ads.impressions[i]),
                "valid_click_count": int(ads.clicks[i]),
                "cost": int(ads.cost_fen[i]),
                "conversions_count": int(ads.conversions[i]),
            }
        )
        for k, i in enumerate(chosen.tolist())
    ]
    return ExportTable(
        source="ads_tencent",
        layout=JsonPagesLayout("daily_report", Split.DAY, TENCENT_PAGE_SIZE, _tencent_envelope),
        days=ads.day[chosen],
        sort_key=ads.campaign[chosen] * 10**9 + ads.adgroup[chosen],
        rows=rows,
    )


def build_ads_oceanengine(world: World) -> ExportTable:
    ads = world.ads
    chosen = _rows_of(world, "oceanengine")
    dates = format_day(ads.day[chosen])
    rows = []
    for k, i in enumerate(chosen.tolist()):
        campaign = world.catalog.campaigns[int(ads.campaign[i])]
        rows.append(
            [
                f"{dates[k]} 00:00:00",
                OCEANENGINE_ADVERTISER_ID,
                campaign.platform_campaign_id,
                campaign.name,
                yuan(int(ads.cost_fen[i])),
                str(int(ads.impressions[i])),
                str(int(ads.clicks[i])),
                str(int(ads.conversions[i])),
            ]
        )
    return ExportTable(
        source="ads_oceanengine",
        layout=CsvLayout("campaign_daily_report", OCEAN_HEADER, Split.DAY),
        days=ads.day[chosen],
        sort_key=ads.campaign[chosen],
        rows=rows,
    )
