"""Build the universe for a seed and scale, then write one delivery of it: the landing exports and
the ground truth."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from . import ground_truth
from .ads import build_ad_delivery
from .app_activity import build_app_events
from .brand import brand_phone_pool_size, build_brand
from .campaigns import CHANNEL_NAMES, Channel, build_catalog
from .clock import Period
from .export import ExportTable, IdentityTrail
from .ids import stream, unique_mobiles
from .orders import Drafts, assemble_orders, draft_orders, walk_in_drafts
from .population import build_people, people_count
from .profiles import TEST_PHONE, build_profiles
from .recall import send_recall_coupons
from .sources import ad_reports, app, jd, marketplaces, messaging, store, wechat, wecom
from .sources.common import World
from .writers import FaultRow, WrittenFile, delivery_for, write_table

DEFAULT_START = date(2026, 5, 1)
DEFAULT_END = date(2026, 11, 20)
SOURCES = (
    "wecom_contacts",
    "wecom_tags",
    "oa_followers",
    "mp_users",
    "wechatpay_bills",
    "tmall_orders",
    "douyin_orders",
    "jd_orders",
    "ads_tencent",
    "ads_oceanengine",
    "coupons",
    "sms_sends",
    "pos_members",
    "pos_orders",
    "app_events",
)
ID_VALUE_FORMATS = {
    "phone": "11 digits, as owned (exports show it in other shapes)",
    "douyin_buyer": "收件人|收件人手机号 (masked)|省|市|区 of the Douyin export",
    "tmall_buyer": "买家会员名 without the trailing tab some rows carry",
    "jd_buyer": "下单帐号|客户姓名|联系电话|客户地址 of the JD export, each as masked there "
    "(联系电话 may be empty)",
    "app_user_id": "login_id of app_events",
    "device_id": "anonymous_id of app_events",
}


@dataclass(frozen=True)
class Manifest:
    """What one run wrote."""

    scale: float
    seed: int
    start: date
    end: date
    until: date | None
    only_day: date | None
    faults: bool
    people: int
    people_by_channel: dict[str, int]
    files: dict[str, int]
    fault_rows: int
    ground_truth: dict[str, int] = field(default_factory=dict)

    @property
    def rows_per_source(self) -> dict[str, int]:
        totals = dict.fromkeys(SOURCES, 0)
        for path, rows in self.files.items():
            totals[path.split("/", 1)[0]] += rows
        return totals

    def to_json(self) -> str:
        return (
            json.dumps(
                {
                    "generator": "sample_data",
                    "scale": self.scale,
                    "seed": self.seed,
                    "start": self.start.isoformat(),
                    "end": self.end.isoformat(),
                    "until": self.until.isoformat() if self.until else None,
                    "only_day": self.only_day.isoformat() if self.only_day else None,
                    "faults": self.faults,
                    "timezone": "Asia/Shanghai",
                    "people": self.people,
                    "people_by_channel": self.people_by_channel,
                    "rows_per_source": self.rows_per_source,
                    "files": self.files,
                    "fault_rows": self.fault_rows,
                    "ground_truth": self.ground_truth,
                    "id_value_formats": ID_VALUE_FORMATS,
                    "file_paths": "relative to landing/; row counts are data records "
                    "(header, bill summary and error pages excluded)",
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )


def build_world(scale: float, seed: int, period: Period, faults: bool = True) -> World:
    """The whole universe of a seed and scale; independent of which delivery is written."""
    n = people_count(scale)
    phones = unique_mobiles(
        stream(seed, "phones"), n + brand_phone_pool_size(scale), forbidden=[TEST_PHONE]
    )
    brand = build_brand(stream(seed, "brand"), scale, phones[n:])
    catalog = build_catalog(period, brand.store_ids)
    people = build_people(stream(seed, "people"), period, scale, brand, catalog, phones[:n])
    profiles = build_profiles(stream(seed, "profiles"), period, catalog, brand, people)
    drafts = draft_orders(stream(seed, "orders"), period, people, profiles)
    coupons, coupon_orders = send_recall_coupons(
        stream(seed, "recall"), period, catalog, people, drafts
    )
    walk_ins = walk_in_drafts(stream(seed, "walk_ins"), period, drafts)
    orders = assemble_orders(
        stream(seed, "orders:assemble"),
        period,
        brand,
        people,
        profiles,
        Drafts.concat([drafts, coupon_orders, walk_ins]),
    )
    return World(
        seed=seed,
        period=period,
        brand=brand,
        catalog=catalog,
        people=people,
        profiles=profiles,
        orders=orders,
        coupons=coupons,
        app_events=build_app_events(stream(seed, "app"), period, people, profiles.app, orders),
        ads=build_ad_delivery(stream(seed, "ads"), people, catalog),
        faults=faults,
        jd_orders=jd.draw_jd_orders(stream(seed, "jd_orders"), period, people),
    )


def build_exports(world: World, trail: IdentityTrail) -> list[Callable[[], ExportTable]]:
    """One deferred builder per source, so a large universe never holds every export at once."""
    library = wecom.build_tag_library(world)
    return [
        lambda: wecom.build_wecom_contacts(world, library, trail),
        lambda: wecom.build_wecom_tags(world, library),
        lambda: wechat.build_oa_followers(world, trail),
        lambda: wechat.build_mp_users(world, trail),
        lambda: wechat.build_wechatpay_bills(world, trail),
        lambda: marketplaces.build_tmall_orders(world, trail),
        lambda: marketplaces.build_douyin_orders(world, trail),
        lambda: jd.build_jd_orders(world, trail),
        lambda: ad_reports.build_ads_tencent(world),
        lambda: ad_reports.build_ads_oceanengine(world),
        lambda: wechat.build_coupons(world, trail),
        lambda: messaging.build_sms_sends(world, trail),
        lambda: store.build_pos_members(world, trail),
        lambda: store.build_pos_orders(world, trail),
        lambda: app.build_app_events(world, trail),
    ]


def _write_ground_truth(
    world: World, trail: IdentityTrail, folder: Path, fault_rows: list[FaultRow], suffix: str
) -> dict[str, int]:
    index = ground_truth.index_identities(world, trail)
    counts = {
        "identities.csv": ground_truth.write_identities(world, index, folder / "identities.csv"),
        "junk_identifiers.csv": ground_truth.write_csv(
            folder / "junk_identifiers.csv",
            ground_truth.JUNK_HEADER,
            ground_truth.junk_identifiers(world),
        ),
        "campaigns.csv": ground_truth.write_campaigns(world, folder / "campaigns.csv"),
        "people.csv": ground_truth.write_people(world, folder / "people.csv"),
        "identity_bridges.csv": ground_truth.write_bridges(
            world, index, trail, folder / "identity_bridges.csv"
        ),
    }
    counts[f"faults{suffix}.csv"] = ground_truth.write_faults(
        fault_rows, folder / f"faults{suffix}.csv"
    )
    return counts


def generate(
    out_dir: Path,
    scale: float,
    seed: int,
    start: date = DEFAULT_START,
    end: date = DEFAULT_END,
    until: date | None = None,
    only_day: date | None = None,
    faults: bool = True,
    clean: bool = False,
) -> Manifest:
    """Write `out_dir/landing/<source>/...` and `out_dir/ground_truth/...`; see the package doc."""
    out_dir = Path(out_dir)
    if clean:
        for folder in ("landing", "ground_truth"):
            shutil.rmtree(out_dir / folder, ignore_errors=True)
    period = Period(start, end)
    delivery = delivery_for(end, until, only_day)
    world = build_world(scale, seed, period, faults)
    trail = IdentityTrail()
    files: list[WrittenFile] = []
    fault_rows: list[FaultRow] = []
    for build in build_exports(world, trail):
        written, planted = write_table(build(), out_dir / "landing", delivery)
        files.extend(written)
        fault_rows.extend(planted)
    suffix = f"_{only_day.isoformat()}" if only_day else ""
    truth = _write_ground_truth(world, trail, out_dir / "ground_truth", fault_rows, suffix)
    manifest = Manifest(
        scale=scale,
        seed=seed,
        start=start,
        end=end,
        until=None if only_day else min(until or end, end),
        only_day=only_day,
        faults=faults,
        people=world.people.n,
        people_by_channel={
            **{CHANNEL_NAMES[c]: int(world.people.member_of(c).sum()) for c in Channel},
            "jd": len(np.unique(world.jd_orders.person)),  # JD buyers (not a channel)
        },
        files={f.path: f.rows for f in sorted(files, key=lambda f: f.path)},
        fault_rows=len(fault_rows),
        ground_truth=truth,
    )
    (out_dir / "ground_truth" / f"manifest{suffix}.json").write_text(
        manifest.to_json(), encoding="utf-8"
    )
    return manifest
