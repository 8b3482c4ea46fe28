"""Customer ids survive new data: kept, merged into the older, split to the largest part."""

from __future__ import annotations

import pandas as pd

from siyu.identity.stable_ids import assign_customer_ids, derive_customer_id

EMPTY_PREVIOUS = pd.DataFrame(columns=["node_key", "customer_id", "customer_first_seen_at"])


def nodes(*rows: tuple[str, int, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [(key, component, pd.Timestamp(seen)) for key, component, seen in rows],
        columns=["node_key", "component", "first_seen_at"],
    )


def as_previous(assigned: pd.DataFrame) -> pd.DataFrame:
    first_seen = assigned.groupby("customer_id")["first_seen_at"].transform("min")
    return assigned.assign(customer_first_seen_at=first_seen)[
        ["node_key", "customer_id", "customer_first_seen_at"]
    ]


def id_of(assigned: pd.DataFrame, key: str) -> str:
    return assigned.loc[assigned["node_key"] == key, "customer_id"].item()


def test_first_run_ids_come_from_the_anchor_and_are_reproducible():
    run = nodes(
        ("phone:1", 0, "2026-01-02"), ("unionid:a", 0, "2026-01-01"), ("mp:x", 1, "2026-03-01")
    )
    first = assign_customer_ids(run, EMPTY_PREVIOUS)
    again = assign_customer_ids(run.iloc[::-1].reset_index(drop=True), EMPTY_PREVIOUS)
    assert (
        id_of(first, "phone:1")
        == id_of(first, "unionid:a")
        == derive_customer_id("unionid:a", set())
    )
    assert first.set_index("node_key")["customer_id"].to_dict() == (
        again.set_index("node_key")["customer_id"].to_dict()
    )


def test_unchanged_people_keep_ids_and_a_merge_keeps_the_older_id():
    day1 = nodes(
        ("unionid:old", 0, "2026-01-01"),
        ("mp:old", 0, "2026-01-05"),
        ("phone:new", 1, "2026-02-01"),
        ("member:new", 1, "2026-02-01"),
        ("unionid:other", 2, "2026-01-03"),
    )
    first = assign_customer_ids(day1, EMPTY_PREVIOUS)
    older, younger, other = (id_of(first, k) for k in ("unionid:old", "phone:new", "unionid:other"))

    # day 2: a record links mp:old to phone:new (merge), and a new person arrives
    day2 = nodes(
        ("unionid:old", 0, "2026-01-01"),
        ("mp:old", 0, "2026-01-05"),
        ("phone:new", 0, "2026-02-01"),
        ("member:new", 0, "2026-02-01"),
        ("unionid:other", 1, "2026-01-03"),
        ("app:fresh", 2, "2026-03-01"),
    )
    second = assign_customer_ids(day2, as_previous(first))
    assert id_of(second, "phone:new") == id_of(second, "member:new") == older
    assert id_of(second, "unionid:other") == other
    assert id_of(second, "app:fresh") not in {older, younger, other}
    merged = second.loc[second["previous_customer_id"] == younger, "customer_id"].unique()
    assert merged.tolist() == [older]


def test_a_split_leaves_the_id_with_the_largest_part():
    joined = nodes(
        ("phone:hub", 0, "2026-01-01"),
        ("member:a", 0, "2026-01-02"),
        ("member:b", 0, "2026-01-03"),
        ("member:c", 0, "2026-01-04"),
        ("member:d", 0, "2026-01-05"),
    )
    first = assign_customer_ids(joined, EMPTY_PREVIOUS)
    original = id_of(first, "member:a")
    # the hub phone is excluded later: {hub, a} and {b, c, d} fall apart
    split = nodes(
        ("phone:hub", 0, "2026-01-01"),
        ("member:a", 0, "2026-01-02"),
        ("member:b", 1, "2026-01-03"),
        ("member:c", 1, "2026-01-04"),
        ("member:d", 1, "2026-01-05"),
    )
    second = assign_customer_ids(split, as_previous(first))
    assert id_of(second, "member:b") == original
    assert id_of(second, "member:a") != original
    assert id_of(second, "member:a") == id_of(second, "phone:hub")


def test_derived_ids_never_collide_with_ids_in_use():
    taken = {derive_customer_id("unionid:a", set())}
    assert derive_customer_id("unionid:a", taken) not in taken
