"""WeCom (企业微信): the corporate tag library and each guide's external contacts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..campaigns import Channel
from ..catalog import CATEGORIES, NICKNAME_PARTS, NICKNAME_TAILS, WECOM_TAG_GROUPS
from ..clock import DAY, HOUR, local_day, midnight
from ..export import (
    ExportTable,
    FaultKind,
    IdentityTrail,
    IdKind,
    JsonPagesLayout,
    PageContext,
    RecordFault,
    Split,
)
from ..ids import random_strings, unique_tokens
from ..profiles import shape_phone
from .common import World, dumps, pick_fault_record

CONTACTS_PAGE_SIZE = 100
ERROR_PAGE = (
    '{"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest"}'
)
DESCRIPTIONS = ("", "", "", "敏感肌，偏好保湿", "宝妈，关注母婴", "618活动进群", "老客户，爱买口红")


@dataclass
class TagLibrary:
    group_ids: np.ndarray
    group_names: list[str]
    group_create_ts: np.ndarray
    tag_ids: np.ndarray
    tag_names: list[str]
    tag_group: np.ndarray
    tag_create_ts: np.ndarray
    tag_deleted: np.ndarray

    def tag_of(self, group_name: str, tag_name: str) -> int:
        group = self.group_names.index(group_name)
        return next(
            k
            for k, name in enumerate(self.tag_names)
            if name == tag_name and self.tag_group[k] == group
        )


def build_tag_library(world: World) -> TagLibrary:
    rng = world.rng("wecom_tags")
    period = world.period
    late_day = max(world.catalog.by_id("CMP09").first_day - 5, period.start_day)
    group_ts, names, tag_group, tag_ts = [], [], [], []
    for g, (_name, before_period, tags) in enumerate(WECOM_TAG_GROUPS):
        created = (
            period.start_ts - 120 * DAY + g * HOUR
            if before_period
            else int(midnight(late_day)) + 14 * HOUR
        )
        group_ts.append(created)
        for t, tag_name in enumerate(tags):
            names.append(tag_name)
            tag_group.append(g)
            tag_ts.append(created + 60 * (t + 1))
    deleted = np.array([name == "老带新" for name in names])
    return TagLibrary(
        group_ids=unique_tokens(rng, len(WECOM_TAG_GROUPS), "et", 20),
        group_names=[group[0] for group in WECOM_TAG_GROUPS],
        group_create_ts=np.array(group_ts, dtype=np.int64),
        tag_ids=unique_tokens(rng, len(names), "et", 20),
        tag_names=names,
        tag_group=np.array(tag_group),
        tag_create_ts=np.array(tag_ts, dtype=np.int64),
        tag_deleted=deleted,
    )


def _tags_envelope(library: TagLibrary):
    def envelope(rows: list[Any], context: PageContext) -> str:
        groups: list[dict[str, Any]] = []
        for group, tag in rows:
            if not groups or groups[-1]["group_id"] != library.group_ids[group]:
                groups.append(
                    {
                        "group_id": library.group_ids[group],
                        "group_name": library.group_names[group],
                        "create_time": int(library.group_create_ts[group]),
                        "order": int(group + 1),
                        "tag": [],
                    }
                )
            groups[-1]["tag"].append(tag)
        return dumps({"errcode": 0, "errmsg": "ok", "tag_group": groups})

    return envelope


def build_wecom_tags(world: World, library: TagLibrary) -> ExportTable:
    rows = []
    for k, name in enumerate(library.tag_names):
        tag: dict[str, Any] = {
            "id": library.tag_ids[k],
            "name": name,
            "create_time": int(library.tag_create_ts[k]),
            "order": k + 1,
        }
        if library.tag_deleted[k]:
            tag["deleted"] = True
        rows.append((int(library.tag_group[k]), tag))
    return ExportTable(
        source="wecom_tags",
        layout=JsonPagesLayout("corp_tag_list", Split.SNAPSHOT, 10_000, _tags_envelope(library)),
        days=local_day(library.tag_create_ts),
        sort_key=np.arange(len(rows), dtype=np.int64),
        rows=rows,
    )


def _nicknames(rng: np.random.Generator, names: np.ndarray) -> list[str]:
    out = []
    for name in names.tolist():
        roll = rng.random()
        if roll < 0.3:
            out.append(name)
        else:
            head = NICKNAME_PARTS[int(rng.integers(len(NICKNAME_PARTS)))]
            body = NICKNAME_PARTS[int(rng.integers(len(NICKNAME_PARTS)))] if roll < 0.6 else ""
            tail = NICKNAME_TAILS[int(rng.integers(len(NICKNAME_TAILS)))]
            out.append(f"{head}{body}{tail}" if body or tail else f"{head}{name[-1]}")
    return out


def _follow_tags(
    rng: np.random.Generator, library: TagLibrary, favourite: int, createtime: int
) -> list[str]:
    chosen = []
    groups = {
        "客户等级": 0.6,
        "兴趣品类": 0.5,
        "肤质": 0.3,
        "来源": 0.3,
        "双11意向": 0.3,
    }
    for group_name, chance in groups.items():
        if rng.random() >= chance:
            continue
        g = library.group_names.index(group_name)
        options = np.flatnonzero((library.tag_group == g) & (library.tag_create_ts <= createtime))
        if group_name == "兴趣品类":
            options = np.array([library.tag_of(group_name, CATEGORIES[favourite])])
        if len(options):
            chosen.append(str(library.tag_ids[options[int(rng.integers(len(options)))]]))
    return chosen


def _remark(rng: np.random.Generator, name: str, gender: int) -> str:
    roll = rng.random()
    if roll < 0.45:
        return ""
    if roll < 0.8:
        return name[0] + ("先生" if gender == 1 else "女士")
    return name


def _remark_mobiles(world: World, follow: int, person: int) -> list[str]:
    wecom = world.profiles.wecom
    mobiles = []
    shape = int(wecom.remark_phone_shape[follow])
    if shape >= 0:
        mobiles.append(shape_phone(int(world.people.phone[person]), shape))
    if wecom.guide_mobile_typed[follow]:
        guide = world.brand.guides[int(wecom.guide[follow])]
        mobiles.append(shape_phone(guide.mobile, follow % 3))
    return mobiles


def _contact_rows(world: World, library: TagLibrary) -> list[str]:
    rng = world.rng("wecom_contacts")
    people, wecom, ids = world.people, world.profiles.wecom, world.profiles.ids
    contacts = people.members(Channel.WECOM)
    nickname = dict(zip(contacts.tolist(), _nicknames(rng, people.name[contacts]), strict=True))
    avatar = dict(
        zip(contacts.tolist(), random_strings(rng, len(contacts), 22).tolist(), strict=True)
    )
    rows = []
    for follow, person in enumerate(wecom.person.tolist()):
        is_user = bool(wecom.is_wecom_user[person])
        contact: dict[str, Any] = {
            "external_userid": ids.wecom_userid[person],
            "name": nickname[person],
            "type": 2 if is_user else 1,
            "avatar": f"https://wx.qlogo.cn/mmhead/{avatar[person]}/0",
            "gender": int(people.gender[person]),
        }
        if wecom.shows_unionid[person]:
            contact["unionid"] = ids.unionid[person]
        if is_user:
            contact["corp_name"] = "上海某某贸易"
        guide = world.brand.guides[int(wecom.guide[follow])]
        createtime = int(wecom.createtime[follow])
        add_way = int(wecom.add_way[follow])
        info: dict[str, Any] = {
            "userid": guide.userid,
            "remark": _remark(rng, people.name[person], int(people.gender[person])),
            "description": DESCRIPTIONS[int(rng.integers(len(DESCRIPTIONS)))],
            "createtime": createtime,
            "tag_id": _follow_tags(
                rng, library, int(people.favourite_category[person]), createtime
            ),
            "remark_mobiles": _remark_mobiles(world, follow, person),
            "add_way": add_way,
        }
        if wecom.state_signal[follow] >= 0:
            info["state"] = world.catalog.signals[int(wecom.state_signal[follow])].value
        info["oper_userid"] = guide.userid if add_way == 2 else ids.wecom_userid[person]
        rows.append(dumps({"external_contact": contact, "follow_info": info}))
    return rows


def _contacts_envelope(rows: list[Any], context: PageContext) -> str:
    return (
        '{"errcode":0,"errmsg":"ok","external_contact_list":['
        + ",".join(rows)
        + f'],"next_cursor":"{context.cursor}"}}'
    )


def build_wecom_contacts(world: World, library: TagLibrary, trail: IdentityTrail) -> ExportTable:
    wecom = world.profiles.wecom
    days = local_day(wecom.createtime)
    person = wecom.person
    trail.seen(IdKind.WECOM, person, days)
    shows = wecom.shows_unionid[person]
    trail.link(
        IdKind.WECOM, person[shows], IdKind.UNIONID, person[shows], days[shows], "wecom_contacts"
    )
    typed = wecom.remark_phone_shape >= 0
    trail.link(
        IdKind.WECOM, person[typed], IdKind.PHONE, person[typed], days[typed], "wecom_contacts"
    )
    table = ExportTable(
        source="wecom_contacts",
        layout=JsonPagesLayout(
            "get_by_user",
            Split.SNAPSHOT,
            CONTACTS_PAGE_SIZE,
            _contacts_envelope,
            error_page=ERROR_PAGE,
        ),
        days=days,
        sort_key=wecom.guide.astype(np.int64) * 2**33 + wecom.createtime,
        rows=_contact_rows(world, library),
    )
    if world.faults:
        chosen = pick_fault_record(world.rng("wecom_contacts:fault"), world.period, days)
        if chosen is not None:
            table.faults[chosen] = RecordFault(FaultKind.ERROR_PAGE, "errcode", "error page")
    return table
