"""Per-channel details of each person: identifiers and how they show up in each platform.

This is where the identity-resolution traps are planted: null-like unionids, the test phone,
store phones typed as a member's phone, a guide's own mobile in `remark_mobiles`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .brand import Brand
from .campaigns import CampaignCatalog, Channel
from .catalog import CITIES, TMALL_NICK_WORDS
from .clock import DAY, MINUTE, ONLINE_HOURS, Period, exponential_days, retime
from .ids import ALNUM, assign_where, mask_mobile, unique_numbers, unique_tokens, uuid_like
from .population import People

TEST_PHONE = 13800138000
NULL_LIKE_UNIONIDS = ("null", "undefined", "")


class PhoneShape:
    """How a phone number was typed by a person at a keyboard."""

    RAW = 0
    SPACED = 1
    PLUS86_DASHED = 2
    PLUS86 = 3
    DASHED = 4
    ALL = (RAW, SPACED, PLUS86_DASHED, PLUS86, DASHED)


def shape_phone(phone: int, shape: int) -> str:
    text = str(phone)
    head, mid, tail = text[:3], text[3:7], text[7:]
    return {
        PhoneShape.RAW: text,
        PhoneShape.SPACED: f"{head} {mid} {tail}",
        PhoneShape.PLUS86_DASHED: f"+86 {head}-{mid}-{tail}",
        PhoneShape.PLUS86: f"+86{text}",
        PhoneShape.DASHED: f"{head}-{mid}-{tail}",
    }[shape]


class MemberPhone:
    """What the till recorded as a store member's phone."""

    OWN = 0
    OWN_SPACED = 1
    OWN_PLUS86 = 2
    EMPTY = 3
    STORE_MOBILE = 4
    STORE_LANDLINE = 5
    WEIGHTS = (0.82, 0.04, 0.03, 0.04, 0.04, 0.03)


class MpPhone:
    NONE = 0
    OWN = 1
    TEST = 2


@dataclass
class Identifiers:
    """Identifier values per person (object arrays, None where the person has none)."""

    unionid: np.ndarray
    oa_openid: np.ndarray
    mp_openid: np.ndarray
    wecom_userid: np.ndarray
    member_id: np.ndarray
    tmall_nick: np.ndarray
    app_login_id: np.ndarray
    douyin_key: np.ndarray


@dataclass
class WeComFollows:
    """One row per (customer, guide) relationship; a customer may have two guides."""

    person: np.ndarray
    guide: np.ndarray
    createtime: np.ndarray
    add_way: np.ndarray
    state_signal: np.ndarray
    remark_phone_shape: np.ndarray  # -1: the guide typed no customer phone
    guide_mobile_typed: np.ndarray
    is_wecom_user: np.ndarray  # per person: contact type 2 (a WeCom user, `wo` id)
    shows_unionid: np.ndarray  # per person


@dataclass
class MpProfile:
    phone_kind: np.ndarray
    unionid_kind: np.ndarray  # index into NULL_LIKE_UNIONIDS + 1, 0 = the real unionid
    scene: np.ndarray
    referrer: np.ndarray


@dataclass
class OaProfile:
    unsubscribe_ts: np.ndarray
    scene: np.ndarray
    qr_scene: np.ndarray


@dataclass
class MemberProfile:
    phone_kind: np.ndarray
    level: np.ndarray
    points: np.ndarray
    guide: np.ndarray


@dataclass
class AppProfile:
    login_ts: np.ndarray
    bind_phone_ts: np.ndarray
    bind_wechat_ts: np.ndarray
    first_device: np.ndarray
    second_device: np.ndarray
    second_device_ts: np.ndarray
    device_ids: np.ndarray
    device_owner: np.ndarray
    device_os: np.ndarray  # 0 iOS, 1 Android, 2 H5


@dataclass
class Profiles:
    ids: Identifiers
    wecom: WeComFollows
    mp: MpProfile
    oa: OaProfile
    member: MemberProfile
    app: AppProfile


# ------------------------------------------------------------------------------------------
# identifiers


def _tmall_nicks(rng: np.random.Generator, n: int) -> list[str]:
    taken: set[str] = set()
    nicks = []
    for _ in range(n):
        nick = ""
        while not nick or nick in taken:
            word = TMALL_NICK_WORDS[int(rng.integers(len(TMALL_NICK_WORDS)))]
            digits = int(rng.integers(3, 9)) if word == "tb" else int(rng.integers(0, 6))
            number = "".join(str(d) for d in rng.integers(0, 10, size=digits))
            nick = f"{word}{number}" if word != "tb" else f"tb{number}{int(rng.integers(10, 99))}"
        taken.add(nick)
        nicks.append(nick)
    return nicks


def douyin_key(name: str, phone: int, city: int, district: int) -> str:
    """The buyer key of a Douyin recipient: name|masked mobile|province|city|district."""
    place = CITIES[city]
    return "|".join(
        (name, mask_mobile(phone), place.province, place.city, place.districts[district])
    )


def _douyin_keys(rng: np.random.Generator, people: People, members: np.ndarray) -> list[str]:
    """Keys of Douyin buyers, redrawing a recipient's district until no two buyers collide."""
    keys: dict[str, int] = {}
    out = []
    for person in members.tolist():
        key = douyin_key(
            people.name[person],
            int(people.phone[person]),
            int(people.city[person]),
            int(people.district[person]),
        )
        while key in keys:
            city = int(rng.integers(len(CITIES)))
            people.city[person] = city
            people.district[person] = int(rng.integers(len(CITIES[city].districts)))
            key = douyin_key(
                people.name[person], int(people.phone[person]), city, int(people.district[person])
            )
        keys[key] = person
        out.append(key)
    return out


def build_identifiers(
    rng: np.random.Generator, people: People, is_wecom_user: np.ndarray
) -> Identifiers:
    wechat = (
        people.member_of(Channel.OA)
        | people.member_of(Channel.MP)
        | people.member_of(Channel.WECOM)
        | people.member_of(Channel.APP)
    )
    wecom = people.member_of(Channel.WECOM)
    wecom_ids = unique_tokens(rng, int(wecom.sum()), "", 30, ALNUM)
    prefixes = np.where(is_wecom_user[wecom], "wo", "wm")
    wecom_ids = np.array([p + t for p, t in zip(prefixes, wecom_ids, strict=True)], dtype=object)
    members = people.member_of(Channel.STORE)
    member_numbers = unique_numbers(rng, int(members.sum()), 100_000_000, 999_999_999)
    app = people.member_of(Channel.APP)
    login_numbers = unique_numbers(rng, int(app.sum()), 10_000_000, 99_999_999)
    tmall = people.member_of(Channel.TMALL)
    douyin = people.members(Channel.DOUYIN)
    return Identifiers(
        unionid=assign_where(wechat, unique_tokens(rng, int(wechat.sum()), "oUn", 25)),
        oa_openid=assign_where(
            people.member_of(Channel.OA),
            unique_tokens(rng, int(people.member_of(Channel.OA).sum()), "oOA", 25),
        ),
        mp_openid=assign_where(
            people.member_of(Channel.MP),
            unique_tokens(rng, int(people.member_of(Channel.MP).sum()), "oMP", 25),
        ),
        wecom_userid=assign_where(wecom, wecom_ids),
        member_id=assign_where(members, np.array([f"M{v}" for v in member_numbers], dtype=object)),
        tmall_nick=assign_where(tmall, np.array(_tmall_nicks(rng, int(tmall.sum())), dtype=object)),
        app_login_id=assign_where(app, np.array([f"u{v}" for v in login_numbers], dtype=object)),
        douyin_key=assign_where(
            people.member_of(Channel.DOUYIN),
            np.array(_douyin_keys(rng, people, douyin), dtype=object),
        ),
    )


# ------------------------------------------------------------------------------------------
# WeCom


def _second_guides(rng: np.random.Generator, brand: Brand, primary: np.ndarray) -> np.ndarray:
    n_guides = len(brand.guides)
    guide_store = np.array([g.store for g in brand.guides])
    second = rng.integers(0, n_guides, size=len(primary))
    colleague = rng.random(len(primary)) < 0.7
    for k in np.flatnonzero(colleague).tolist():
        team = brand.guides_of(int(guide_store[primary[k]]))
        second[k] = team[int(rng.integers(len(team)))]
    clash = second == primary
    second[clash] = (second[clash] + 1) % n_guides
    return second


def _add_ways(
    rng: np.random.Generator,
    period: Period,
    catalog: CampaignCatalog,
    brand: Brand,
    people: People,
    person: np.ndarray,
    guide: np.ndarray,
    createtime: np.ndarray,
    primary: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """`add_way` and the 渠道活码 state signal of each follow."""
    m = len(person)
    add_way = rng.choice([1, 1, 1, 2, 2, 3], size=m).astype(np.int8)
    state = np.full(m, -1, dtype=np.int16)
    store_code = np.array(
        [
            catalog.signals.index(catalog.signal("wecom_state", store=k))
            for k in range(len(brand.stores))
        ],
        dtype=np.int16,
    )
    guide_store = np.array([g.store for g in brand.guides])[guide]
    standing = (add_way == 1) & (createtime >= period.start_ts) & (rng.random(m) < 0.5)
    state[standing] = store_code[guide_store[standing]]
    acquired = primary & (people.acq_channel[person] == Channel.WECOM)
    by_campaign = acquired & (people.acq_signal[person] >= 0)
    add_way[by_campaign] = 1
    state[by_campaign] = people.acq_signal[person[by_campaign]]
    return add_way, state


def build_wecom(
    rng: np.random.Generator,
    period: Period,
    catalog: CampaignCatalog,
    brand: Brand,
    people: People,
    is_wecom_user: np.ndarray,
) -> WeComFollows:
    contacts = people.members(Channel.WECOM)
    primary_guide = np.empty(len(contacts), dtype=np.int64)
    for k, person in enumerate(contacts.tolist()):
        team = brand.guides_of(int(people.home_store[person]))
        primary_guide[k] = team[int(rng.integers(len(team)))]
    has_second = rng.random(len(contacts)) < 0.15
    second_ts = (
        people.join[contacts, Channel.WECOM]
        + exponential_days(rng, 30, len(contacts))
        + rng.integers(0, DAY, len(contacts))
    )
    has_second &= second_ts < period.end_ts
    second_guide = _second_guides(rng, brand, primary_guide[has_second])
    person = np.concatenate([contacts, contacts[has_second]])
    guide = np.concatenate([primary_guide, second_guide]).astype(np.int16)
    createtime = np.concatenate([people.join[contacts, Channel.WECOM], second_ts[has_second]])
    primary = np.concatenate([np.ones(len(contacts), bool), np.zeros(int(has_second.sum()), bool)])
    order = np.lexsort((primary.astype(np.int8) * -1, createtime, person))
    person, guide, primary = person[order], guide[order], primary[order]
    createtime = createtime[order]
    add_way, state = _add_ways(
        rng, period, catalog, brand, people, person, guide, createtime, primary
    )
    typed = (add_way == 2) | (rng.random(len(person)) < 0.25)
    shape = np.where(typed, rng.choice(PhoneShape.ALL, size=len(person)), -1).astype(np.int8)
    lazy = np.array([g.types_own_mobile for g in brand.guides])[guide]
    guide_mobile = lazy & (rng.random(len(person)) < 0.5)
    shows_unionid = ~is_wecom_user & (rng.random(people.n) < 0.7)
    return WeComFollows(
        person, guide, createtime, add_way, state, shape, guide_mobile, is_wecom_user, shows_unionid
    )


# ------------------------------------------------------------------------------------------
# mini-program, official account, store membership, app

MP_AD_SCENES = (1045, 1084)
MP_ORGANIC_SCENES = (1047, 1007, 1001, 1089, 1035, 1011)
MP_ORGANIC_WEIGHTS = (0.3, 0.2, 0.15, 0.15, 0.1, 0.1)
SHARE_CARD_SCENE = 1007


def _mp_referrers(rng: np.random.Generator, people: People, scene: np.ndarray) -> np.ndarray:
    """For a shared-card entry, the earlier mini-program user who shared the card."""
    referrer = np.full(people.n, -1, dtype=np.int32)
    users = people.members(Channel.MP)
    by_time = users[np.argsort(people.join[users, Channel.MP], kind="stable")]
    rank = np.arange(len(by_time))
    shared = np.flatnonzero((scene[by_time] == SHARE_CARD_SCENE) & (rank > 0))
    picks = (rng.random(len(shared)) * rank[shared]).astype(np.int64)
    referrer[by_time[shared]] = by_time[picks]
    no_referrer = (scene == SHARE_CARD_SCENE) & (referrer < 0)
    scene[no_referrer] = 1001
    return referrer


def build_mp(rng: np.random.Generator, catalog: CampaignCatalog, people: People) -> MpProfile:
    n = people.n
    users = people.members(Channel.MP)
    phone_kind = np.zeros(n, dtype=np.int8)
    phone_kind[users[rng.random(len(users)) < 0.6]] = MpPhone.OWN
    unauthorised = users[phone_kind[users] == MpPhone.NONE]
    n_test = min(len(unauthorised), max(3, round(0.003 * len(users))))
    phone_kind[rng.choice(unauthorised, size=n_test, replace=False)] = MpPhone.TEST
    unionid_kind = np.zeros(n, dtype=np.int8)
    unionid_kind[users[rng.random(len(users)) < 0.02]] = 3
    n_junk = min(len(users) // 4, max(2, round(0.002 * len(users))))
    junk = rng.choice(users, size=2 * n_junk, replace=False)
    unionid_kind[junk[:n_junk]] = 1
    unionid_kind[junk[n_junk:]] = 2
    scene = np.zeros(n, dtype=np.int16)
    scene[users] = rng.choice(MP_ORGANIC_SCENES, size=len(users), p=MP_ORGANIC_WEIGHTS)
    by_ad = users[(people.acq_channel[users] == Channel.MP) & (people.acq_signal[users] >= 0)]
    scene[by_ad] = rng.choice(MP_AD_SCENES, size=len(by_ad))
    referrer = _mp_referrers(rng, people, scene)
    return MpProfile(phone_kind, unionid_kind, scene, referrer)


OA_SCENES = (
    "ADD_SCENE_SEARCH",
    "ADD_SCENE_PROFILE_CARD",
    "ADD_SCENE_QR_CODE",
    "ADD_SCENE_PROFILE_LINK",
    "ADD_SCENE_WECHAT_ADVERTISEMENT",
    "ADD_SCENE_OTHERS",
)
OA_SCENE_WEIGHTS = (0.3, 0.2, 0.2, 0.15, 0.05, 0.1)
OA_QR_SCENE = OA_SCENES.index("ADD_SCENE_QR_CODE")


def build_oa(rng: np.random.Generator, period: Period, people: People) -> OaProfile:
    n = people.n
    followers = people.members(Channel.OA)
    scene = np.zeros(n, dtype=np.int8)
    scene[followers] = rng.choice(len(OA_SCENES), size=len(followers), p=OA_SCENE_WEIGHTS)
    by_code = followers[
        (people.acq_channel[followers] == Channel.OA) & (people.acq_signal[followers] >= 0)
    ]
    scene[by_code] = OA_QR_SCENE
    qr_scene = np.where(scene == OA_QR_SCENE, 1000 + people.home_store, 0).astype(np.int32)
    qr_scene[by_code] = 0
    unsubscribe = np.full(n, -1, dtype=np.int64)
    leaving = followers[rng.random(len(followers)) < 0.08]
    when = people.join[leaving, Channel.OA] + exponential_days(rng, 60, len(leaving)) + 3600
    unsubscribe[leaving[when < period.end_ts]] = when[when < period.end_ts]
    return OaProfile(unsubscribe, scene, qr_scene)


MEMBER_LEVELS = ("普通会员", "银卡会员", "金卡会员", "钻石会员")


def build_member(
    rng: np.random.Generator, brand: Brand, people: People, wecom: WeComFollows
) -> MemberProfile:
    n = people.n
    members = people.members(Channel.STORE)
    phone_kind = np.zeros(n, dtype=np.int8)
    phone_kind[members] = rng.choice(6, size=len(members), p=MemberPhone.WEIGHTS)
    level = np.zeros(n, dtype=np.int8)
    level[members] = rng.choice(4, size=len(members), p=[0.6, 0.25, 0.12, 0.03])
    points = np.zeros(n, dtype=np.int32)
    points[members] = (rng.gamma(1.2, 800, size=len(members)) * (1 + level[members])).astype(int)
    guide = np.full(n, -1, dtype=np.int16)
    owner = owner_guides(people, wecom)
    guide_store = np.array([g.store for g in brand.guides])
    for person in members.tolist():
        store = int(people.home_store[person])
        if owner[person] >= 0 and guide_store[owner[person]] == store:
            guide[person] = owner[person]
        elif rng.random() < 0.65:
            team = brand.guides_of(store)
            guide[person] = team[int(rng.integers(len(team)))]
    return MemberProfile(phone_kind, level, points, guide)


def _after(
    rng: np.random.Generator, period: Period, base: np.ndarray, mean_days: float, chance: float
) -> np.ndarray:
    """A later moment for a share of `base` (-1 where none or past the period)."""
    when = retime(
        rng,
        base + exponential_days(rng, mean_days, len(base)) + DAY // 2,
        ONLINE_HOURS,
        base + MINUTE,
    )
    happens = (base >= 0) & (rng.random(len(base)) < chance) & (when < period.end_ts)
    return np.where(happens, when, -1)


def build_app(rng: np.random.Generator, period: Period, people: People) -> AppProfile:
    n = people.n
    users = people.members(Channel.APP)
    joined = people.join[users, Channel.APP]
    login_ts = np.full(n, -1, dtype=np.int64)
    quick = rng.random(len(users)) < 0.5
    delay = np.where(
        quick,
        rng.integers(MINUTE, 10 * MINUTE, len(users)),
        exponential_days(rng, 3, len(users)) + MINUTE,
    )
    logs_in = (rng.random(len(users)) < 0.85) & (joined + delay < period.end_ts)
    login_ts[users[logs_in]] = (joined + delay)[logs_in]
    bind_phone = np.full(n, -1, dtype=np.int64)
    bind_phone[users] = _after(rng, period, login_ts[users], 12, 0.55)
    bind_wechat = np.full(n, -1, dtype=np.int64)
    bind_wechat[users] = _after(rng, period, login_ts[users], 18, 0.5)
    second = _after(rng, period, joined, 60, 0.25)
    n_devices = len(users) + int((second >= 0).sum())
    device_owner = np.concatenate([users, users[second >= 0]]).astype(np.int32)
    first_device = np.full(n, -1, dtype=np.int32)
    first_device[users] = np.arange(len(users))
    second_device = np.full(n, -1, dtype=np.int32)
    second_device[users[second >= 0]] = np.arange(len(users), n_devices)
    second_device_ts = np.full(n, -1, dtype=np.int64)
    second_device_ts[users] = second
    return AppProfile(
        login_ts=login_ts,
        bind_phone_ts=bind_phone,
        bind_wechat_ts=bind_wechat,
        first_device=first_device,
        second_device=second_device,
        second_device_ts=second_device_ts,
        device_ids=uuid_like(rng, n_devices),
        device_owner=device_owner,
        device_os=rng.choice(3, size=n_devices, p=[0.45, 0.45, 0.10]).astype(np.int8),
    )


def build_profiles(
    rng: np.random.Generator,
    period: Period,
    catalog: CampaignCatalog,
    brand: Brand,
    people: People,
) -> Profiles:
    is_wecom_user = people.member_of(Channel.WECOM) & (rng.random(people.n) < 0.03)
    ids = build_identifiers(rng, people, is_wecom_user)
    wecom = build_wecom(rng, period, catalog, brand, people, is_wecom_user)
    return Profiles(
        ids=ids,
        wecom=wecom,
        mp=build_mp(rng, catalog, people),
        oa=build_oa(rng, period, people),
        member=build_member(rng, brand, people, wecom),
        app=build_app(rng, period, people),
    )


def member_phone_text(brand: Brand, people: People, member: MemberProfile, person: int) -> str:
    """The member's phone exactly as the till recorded it."""
    kind = int(member.phone_kind[person])
    store = brand.stores[int(people.home_store[person])]
    own = int(people.phone[person])
    return {
        MemberPhone.OWN: str(own),
        MemberPhone.OWN_SPACED: shape_phone(own, PhoneShape.SPACED),
        MemberPhone.OWN_PLUS86: shape_phone(own, PhoneShape.PLUS86),
        MemberPhone.EMPTY: "",
        MemberPhone.STORE_MOBILE: str(store.shared_mobile),
        MemberPhone.STORE_LANDLINE: store.landline,
    }[kind]


def owner_guides(people: People, wecom: WeComFollows) -> np.ndarray:
    """The guide of each person's first WeCom relationship (-1 if none)."""
    owner = np.full(people.n, -1, dtype=np.int16)
    first = np.unique(wecom.person, return_index=True)[1]
    owner[wecom.person[first]] = wecom.guide[first]
    return owner
