"""The answers the exports hide: who owns which identifier, which values are junk, the campaign
catalog, when identities of one person were first bridged, and what each delivery holds."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .campaigns import CHANNEL_NAMES, Channel
from .clock import date_of, format_day, format_local
from .export import ID_TYPES, IdentityTrail, IdKind
from .profiles import NULL_LIKE_UNIONIDS, TEST_PHONE, MemberPhone, MpPhone, owner_guides
from .sources.common import World
from .writers import FaultRow

IDENTITY_HEADER = ("person_id", "id_type", "id_value", "first_seen_on")
JUNK_HEADER = ("id_type", "id_value", "reason")
CAMPAIGN_HEADER = (
    "campaign_id",
    "campaign_name",
    "channel",
    "platform",
    "platform_campaign_id",
    "signal_type",
    "signal_value",
    "start_date",
    "end_date",
)
PEOPLE_HEADER = (
    "person_id",
    "first_touch_at",
    "first_touch_channel",
    "acquisition_campaign_id",
    "home_store_id",
    "owner_guide_id",
    "is_legacy",
)
BRIDGE_HEADER = (
    "bridged_on",
    "person_id",
    "source",
    "id_type_a",
    "id_value_a",
    "id_type_b",
    "id_value_b",
)
FAULT_HEADER = ("source", "file", "row_number", "field", "fault")


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


@dataclass
class IdentityIndex:
    """Every real identifier seen in the universe, as a node of the identity graph."""

    node: np.ndarray  # kind * stride + entity, sorted
    first_day: np.ndarray
    stride: int

    def kind(self, node: np.ndarray) -> np.ndarray:
        return node // self.stride

    def entity(self, node: np.ndarray) -> np.ndarray:
        return node % self.stride

    def first_day_of(self, node: np.ndarray) -> np.ndarray:
        return self.first_day[np.searchsorted(self.node, node)]


def index_identities(world: World, trail: IdentityTrail) -> IdentityIndex:
    stride = max(world.people.n, len(world.profiles.app.device_ids)) + 1
    nodes = np.concatenate([kind * stride + ent for kind, ent, _ in trail.seen_parts])
    days = np.concatenate([day for _, _, day in trail.seen_parts])
    order = np.lexsort((days, nodes))
    unique, first = np.unique(nodes[order], return_index=True)
    return IdentityIndex(unique, days[order][first], stride)


def _value_lookup(world: World) -> dict[IdKind, np.ndarray]:
    ids = world.profiles.ids
    return {
        IdKind.UNIONID: ids.unionid,
        IdKind.OA_OPENID: ids.oa_openid,
        IdKind.MP_OPENID: ids.mp_openid,
        IdKind.WECOM: ids.wecom_userid,
        IdKind.PHONE: world.people.phone.astype(str).astype(object),
        IdKind.MEMBER: ids.member_id,
        IdKind.TMALL: ids.tmall_nick,
        IdKind.DOUYIN: ids.douyin_key,
        IdKind.APP_USER: ids.app_login_id,
        IdKind.DEVICE: world.profiles.app.device_ids,
        IdKind.JD: world.jd_orders.buyer_key,
    }


def _owners(world: World, kinds: np.ndarray, entities: np.ndarray) -> np.ndarray:
    device_owner = world.profiles.app.device_owner
    is_device = kinds == IdKind.DEVICE
    return np.where(is_device, device_owner[np.where(is_device, entities, 0)], entities)


def _values(world: World, kinds: np.ndarray, entities: np.ndarray) -> list[str]:
    lookup = _value_lookup(world)
    values = [lookup[IdKind(k)][e] for k, e in zip(kinds.tolist(), entities.tolist(), strict=True)]
    if any(value is None for value in values):
        raise RuntimeError("an identifier was seen in an export but never assigned")
    return values


def write_identities(world: World, index: IdentityIndex, path: Path) -> int:
    kinds, entities = index.kind(index.node), index.entity(index.node)
    owners = _owners(world, kinds, entities)
    values = _values(world, kinds, entities)
    order = np.lexsort((np.array(values, dtype=object).astype(str), kinds, owners))
    first_seen = format_day(index.first_day)
    return write_csv(
        path,
        IDENTITY_HEADER,
        (
            (
                world.people.person_ids[owners[i]],
                ID_TYPES[IdKind(int(kinds[i]))],
                values[i],
                first_seen[i],
            )
            for i in order.tolist()
        ),
    )


def junk_identifiers(world: World) -> list[tuple[str, str, str]]:
    people, profiles, brand = world.people, world.profiles, world.brand
    rows: list[tuple[str, str, str]] = []
    mp_users = people.member_of(Channel.MP)
    if (profiles.mp.phone_kind[mp_users] == MpPhone.TEST).any():
        rows.append(("phone", str(TEST_PHONE), "test phone typed into the mini-program"))
    members = people.members(Channel.STORE)
    kinds = profiles.member.phone_kind[members]
    stores = people.home_store[members]
    for k, store in enumerate(brand.stores):
        if ((kinds == MemberPhone.STORE_MOBILE) & (stores == k)).any():
            rows.append(
                (
                    "phone",
                    str(store.shared_mobile),
                    f"store {store.store_id} shared mobile typed as members' phone",
                )
            )
        if ((kinds == MemberPhone.STORE_LANDLINE) & (stores == k)).any():
            rows.append(
                (
                    "phone",
                    store.landline,
                    f"store {store.store_id} landline typed as members' phone",
                )
            )
    typed = np.unique(profiles.wecom.guide[profiles.wecom.guide_mobile_typed])
    for guide_index in typed.tolist():
        guide = brand.guides[guide_index]
        rows.append(
            (
                "phone",
                str(guide.mobile),
                f"guide {guide.userid}'s own mobile in contacts' remark_mobiles",
            )
        )
    if (kinds == MemberPhone.EMPTY).any() or (profiles.mp.phone_kind[mp_users] == 0).any():
        rows.append(("phone", "", "empty phone"))
    used = np.unique(profiles.mp.unionid_kind[mp_users])
    for kind in used[used > 0].tolist():
        rows.append(("unionid", NULL_LIKE_UNIONIDS[kind - 1], "null-like unionid in mp_users"))
    return rows


def write_campaigns(world: World, path: Path) -> int:
    return write_csv(
        path,
        CAMPAIGN_HEADER,
        (
            (
                s.campaign.campaign_id,
                s.campaign.name,
                s.campaign.channel,
                s.campaign.platform,
                s.campaign.platform_campaign_id,
                s.signal_type,
                s.value,
                date_of(s.campaign.first_day).isoformat(),
                date_of(s.campaign.last_day).isoformat(),
            )
            for s in world.catalog.signals
        ),
    )


def write_people(world: World, path: Path) -> int:
    people = world.people
    owner = owner_guides(people, world.profiles.wecom)
    first_touch = format_local(people.acq_ts)
    campaign_of = [s.campaign.campaign_id for s in world.catalog.signals]
    return write_csv(
        path,
        PEOPLE_HEADER,
        (
            (
                people.person_ids[p],
                first_touch[p],
                CHANNEL_NAMES[Channel(int(people.acq_channel[p]))],
                campaign_of[int(people.acq_signal[p])] if people.acq_signal[p] >= 0 else "",
                world.brand.stores[int(people.home_store[p])].store_id,
                world.brand.guides[int(owner[p])].userid if owner[p] >= 0 else "",
                int(people.legacy[p]),
            )
            for p in range(people.n)
        ),
    )


def _first_links(index: IdentityIndex, trail: IdentityTrail):
    """Each pair of identifiers seen together: first day and source, ordered by day."""
    stride = index.stride
    sources = sorted({part[5] for part in trail.link_parts})
    a = np.concatenate([ka * stride + ea for ka, ea, _, _, _, _ in trail.link_parts])
    b = np.concatenate([kb * stride + eb for _, _, kb, eb, _, _ in trail.link_parts])
    day = np.concatenate([d for *_, d, _ in trail.link_parts])
    source = np.concatenate([np.full(len(d), sources.index(s)) for *_, d, s in trail.link_parts])
    low, high = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((source, day, high, low))
    pairs = np.stack([low[order], high[order]], axis=1)
    _, first = np.unique(pairs, axis=0, return_index=True)
    chosen = order[first]
    chosen = chosen[np.lexsort((high[chosen], low[chosen], day[chosen]))]
    return low[chosen], high[chosen], day[chosen], [sources[s] for s in source[chosen].tolist()]


def find_bridges(index: IdentityIndex, trail: IdentityTrail):
    """Links that join two groups of a person's identifiers that were each seen before that day."""
    low, high, day, source = _first_links(index, trail)
    parent: dict[int, int] = {}
    earliest: dict[int, int] = {}

    def root(node: int) -> int:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    first_a = index.first_day_of(low).tolist()
    first_b = index.first_day_of(high).tolist()
    bridges = []
    for k, (x, y, when) in enumerate(zip(low.tolist(), high.tolist(), day.tolist(), strict=True)):
        earliest.setdefault(x, first_a[k])
        earliest.setdefault(y, first_b[k])
        rx, ry = root(x), root(y)
        if rx == ry:
            continue
        if earliest[rx] < when and earliest[ry] < when:
            bridges.append((when, x, y, source[k]))
        parent[ry] = rx
        earliest[rx] = min(earliest[rx], earliest[ry])
    return bridges


def write_bridges(world: World, index: IdentityIndex, trail: IdentityTrail, path: Path) -> int:
    bridges = find_bridges(index, trail)
    if not bridges:
        return write_csv(path, BRIDGE_HEADER, [])
    day = np.array([b[0] for b in bridges])
    nodes = np.array([[b[1], b[2]] for b in bridges], dtype=np.int64)
    kinds, entities = index.kind(nodes), index.entity(nodes)
    owners = _owners(world, kinds[:, 0], entities[:, 0])
    values_a = _values(world, kinds[:, 0], entities[:, 0])
    values_b = _values(world, kinds[:, 1], entities[:, 1])
    dates = format_day(day)
    return write_csv(
        path,
        BRIDGE_HEADER,
        (
            (
                dates[k],
                world.people.person_ids[owners[k]],
                bridges[k][3],
                ID_TYPES[IdKind(int(kinds[k, 0]))],
                values_a[k],
                ID_TYPES[IdKind(int(kinds[k, 1]))],
                values_b[k],
            )
            for k in range(len(bridges))
        ),
    )


def write_faults(rows: list[FaultRow], path: Path) -> int:
    return write_csv(
        path,
        FAULT_HEADER,
        (
            (r.source, r.file, "" if r.row_number is None else r.row_number, r.field, r.fault)
            for r in rows
        ),
    )
