"""The brand's campaign catalog and the signals by which each campaign shows up in the exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from .clock import Period, day_number


class Channel(IntEnum):
    """Channels a customer can be reached in; the first seven can acquire a customer."""

    OA = 0
    MP = 1
    WECOM = 2
    STORE = 3
    APP = 4
    TMALL = 5
    DOUYIN = 6


CHANNEL_NAMES = {
    Channel.OA: "oa",
    Channel.MP: "mp",
    Channel.WECOM: "wecom",
    Channel.STORE: "store",
    Channel.APP: "app",
    Channel.TMALL: "tmall",
    Channel.DOUYIN: "douyin",
}


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    name: str
    channel: str
    platform: str
    platform_campaign_id: str
    first_day: int
    last_day: int
    cac_fen: int = 0
    adgroup_ids: tuple[int, ...] = ()

    @property
    def is_paid_media(self) -> bool:
        return self.platform in ("tencent_ads", "oceanengine")


@dataclass(frozen=True)
class Signal:
    """One value that ties a record to a campaign (a WeCom `state`, a `utm_campaign`, ...)."""

    campaign: Campaign
    signal_type: str
    value: str
    acquires: Channel | None = None
    store: int = -1
    weight: float = 1.0


@dataclass(frozen=True)
class CampaignCatalog:
    campaigns: tuple[Campaign, ...]
    signals: tuple[Signal, ...]

    def by_id(self, campaign_id: str) -> Campaign:
        return next(c for c in self.campaigns if c.campaign_id == campaign_id)

    def signal(self, signal_type: str, store: int = -1) -> Signal:
        return next(s for s in self.signals if s.signal_type == signal_type and s.store == store)

    def acquisition_signals(self, channel: Channel) -> list[int]:
        """Indices of the signals that acquire customers in a channel."""
        return [i for i, s in enumerate(self.signals) if s.acquires == channel]


def campaign_window(
    period: Period,
    month_days: tuple[tuple[int, int], tuple[int, int]],
    fallback: tuple[float, float],
) -> tuple[int, int]:
    """The campaign's calendar window in the start year, clipped to the period.

    When the calendar window misses the period (a custom --start/--end), the campaign runs over
    the `fallback` fraction of the period instead.
    """
    (m1, d1), (m2, d2) = month_days
    year = period.start.year
    first = max(day_number(date(year, m1, d1)), period.start_day)
    last = min(day_number(date(year, m2, d2)), period.end_day)
    if last - first >= 2:
        return first, last
    span = period.end_day - period.start_day
    return (
        period.start_day + int(span * fallback[0]),
        max(period.start_day + int(span * fallback[1]), period.start_day + int(span * fallback[0])),
    )


def build_catalog(period: Period, store_ids: list[str]) -> CampaignCatalog:
    full = (period.start_day, period.end_day)

    def window(md: tuple[tuple[int, int], tuple[int, int]], frac: tuple[float, float]):
        return campaign_window(period, md, frac)

    gdt_new = Campaign(
        "CMP01",
        "小程序新客拉新(朋友圈广告)",
        "mp",
        "tencent_ads",
        "1872340001",
        *full,
        cac_fen=4_500,
        adgroup_ids=(9_001_101, 9_001_102, 9_001_103),
    )
    gdt_618 = Campaign(
        "CMP02",
        "618大促小程序引流",
        "mp",
        "tencent_ads",
        "1872340002",
        *window(((5, 20), (6, 18)), (0.1, 0.25)),
        cac_fen=6_000,
        adgroup_ids=(9_002_201, 9_002_202, 9_002_203, 9_002_204),
    )
    gdt_1111 = Campaign(
        "CMP03",
        "双11预热小程序引流",
        "mp",
        "tencent_ads",
        "1872340003",
        *window(((10, 15), (11, 11)), (0.75, 0.95)),
        cac_fen=7_000,
        adgroup_ids=(9_003_301, 9_003_302, 9_003_303, 9_003_304, 9_003_305),
    )
    oe_app = Campaign(
        "CMP04",
        "App拉新信息流",
        "app",
        "oceanengine",
        "1780012345678901",
        *window(((6, 1), (11, 20)), (0.15, 1.0)),
        cac_fen=3_800,
    )
    oe_live = Campaign(
        "CMP05",
        "抖音直播间引流",
        "douyin",
        "oceanengine",
        "1780012345678902",
        *window(((7, 1), (11, 15)), (0.3, 0.95)),
        cac_fen=5_200,
    )
    store_qr = Campaign("CMP06", "门店企微渠道活码", "wecom", "wecom", "", *full)
    wecom_618 = Campaign(
        "CMP07", "618企微加粉活码", "wecom", "wecom", "", *window(((6, 1), (6, 18)), (0.15, 0.25))
    )
    oa_gift = Campaign("CMP08", "公众号关注有礼", "oa", "wechat_oa", "", *full)
    oa_1111 = Campaign(
        "CMP09", "双11公众号预约", "oa", "wechat_oa", "", *window(((10, 20), (11, 11)), (0.8, 0.95))
    )
    sms_welcome = Campaign("CMP10", "新会员欢迎短信", "sms", "aliyun_sms", "", *full)
    presale_day = window(((10, 25), (10, 27)), (0.85, 0.86))[0]
    sms_1111 = Campaign("CMP11", "双11预售短信", "sms", "aliyun_sms", "", presale_day, presale_day)
    recall = Campaign(
        "CMP12",
        "沉睡客召回券",
        "coupon",
        "wechatpay_coupon",
        "17260931",
        min(period.start_day + 30, period.end_day),
        period.end_day,
    )

    signals: list[Signal] = [
        Signal(gdt_new, "mp_utm_campaign", "gdt_mp_newcomer", Channel.MP, weight=1.0),
        Signal(gdt_618, "mp_utm_campaign", "gdt_618", Channel.MP, weight=2.5),
        Signal(gdt_1111, "mp_utm_campaign", "gdt_1111", Channel.MP, weight=3.0),
        Signal(oe_app, "app_utm_campaign", "oe_app_install", Channel.APP),
        Signal(oe_live, "douyin_live_room_id", "7301234567890123456", Channel.DOUYIN),
        Signal(oa_gift, "oa_qr_scene_str", "oa_follow_gift", Channel.OA, weight=1.0),
        Signal(oa_1111, "oa_qr_scene_str", "oa_1111_booking", Channel.OA, weight=3.0),
        Signal(sms_welcome, "sms_out_id", "JRN_WELCOME"),
        Signal(sms_1111, "sms_out_id", "JRN_1111_PRESALE"),
        Signal(recall, "coupon_stock_id", recall.platform_campaign_id),
        Signal(recall, "sms_out_id", "JRN_RECALL"),
    ]
    for store, store_id in enumerate(store_ids):
        signals.append(
            Signal(
                store_qr, "wecom_state", f"qr_{store_id}", Channel.WECOM, store=store, weight=1.0
            )
        )
        signals.append(
            Signal(
                wecom_618, "wecom_state", f"618_{store_id}", Channel.WECOM, store=store, weight=4.0
            )
        )
    campaigns = (
        gdt_new,
        gdt_618,
        gdt_1111,
        oe_app,
        oe_live,
        store_qr,
        wecom_618,
        oa_gift,
        oa_1111,
        sms_welcome,
        sms_1111,
        recall,
    )
    return CampaignCatalog(campaigns=campaigns, signals=tuple(signals))
