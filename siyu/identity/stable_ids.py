"""Stable customer ids across runs.

Each run resolves components afresh; this module decides which customer id each component
carries, given the ids identifiers had after the previous run:

* a component whose identifiers all carried one previous id keeps it (a person keeps their id);
* a component that joins identifiers of several previous customers (a merge) keeps the id of the
  oldest of them (earliest first_seen_at, then smallest id); the others are merged into it;
* a previous customer whose identifiers now fall into several components (a split, e.g. after an
  identifier was excluded as a hub) stays with the part that holds most of its identifiers
  (ties: the part with the earliest identifier); the other parts get new ids;
* a component with no previous id gets a new one derived from its anchor identifier (earliest
  first_seen_at, then smallest key), so a full rebuild from the same inputs gives the same ids.

The rules run on integer arrays (numpy sorts and group boundaries, no per-row Python): nodes are
positions, components are 0..C-1, previous customer ids are codes into their sorted list (so
comparing codes compares ids) and times are int64 with a missing time as the largest value.
`assign_customer_ids` wraps them for pandas frames keyed by node_key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

ID_PREFIX = "C"
ID_HEX_DIGITS = 16
MISSING_TIME = np.iinfo(np.int64).max  # a missing time sorts after every real one
NO_PREVIOUS = -1


def derive_customer_id(anchor_key: str, taken: set[str]) -> str:
    """A new id from the anchor identifier's key, salted with a counter if already taken."""
    attempt = 0
    while True:
        material = anchor_key if attempt == 0 else f"{anchor_key}#{attempt}"
        digest = hashlib.sha256(material.encode("utf-8")).hexdigest()[:ID_HEX_DIGITS]
        candidate = f"{ID_PREFIX}{digest.upper()}"
        if candidate not in taken:
            return candidate
        attempt += 1


def derive_customer_ids(anchor_keys: Sequence[str], taken: set[str]) -> list[str]:
    """`derive_customer_id` for each anchor in turn, each new id taken before the next.

    Unsalted ids are computed in one pass; only when one of them is already taken or repeated
    (a split leaves an anchor whose id its old customer kept) does the one-by-one rule run.
    """
    unsalted = [
        ID_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()[:ID_HEX_DIGITS].upper()
        for key in anchor_keys
    ]
    distinct = set(unsalted)
    if len(distinct) == len(unsalted) and taken.isdisjoint(distinct):
        return unsalted
    taken = set(taken)
    derived = []
    for key, candidate in zip(anchor_keys, unsalted, strict=True):
        new_id = candidate if candidate not in taken else derive_customer_id(key, taken)
        taken.add(new_id)
        derived.append(new_id)
    return derived


def _group_starts(*sorted_keys: np.ndarray) -> np.ndarray:
    """Positions where any of the (already sorted) key arrays changes value: each group's first."""
    size = sorted_keys[0].shape[0]
    changed = np.zeros(size, dtype=bool)
    if size:
        changed[0] = True
    for key in sorted_keys:
        changed[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(changed)


def component_anchors(
    component: np.ndarray, first_seen: np.ndarray, key_rank: np.ndarray
) -> np.ndarray:
    """For each component 0..C-1, the node with the earliest first_seen, then smallest key."""
    order = np.lexsort((key_rank, first_seen, component))
    return order[_group_starts(component[order])]


def _owner_components(
    component: np.ndarray, first_seen: np.ndarray, previous_code: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(previous code, component that keeps it): the part with most identifiers, then the part
    with the earliest identifier, then the smallest component."""
    carried = previous_code != NO_PREVIOUS
    code, part, seen = previous_code[carried], component[carried], first_seen[carried]
    order = np.lexsort((seen, part, code))
    code, part, seen = code[order], part[order], seen[order]
    starts = _group_starts(code, part)
    identifiers = np.diff(np.append(starts, code.shape[0]))
    pair_code, pair_part, earliest = code[starts], part[starts], seen[starts]
    choice = np.lexsort((pair_part, earliest, -identifiers, pair_code))
    first = choice[_group_starts(pair_code[choice])]
    return pair_code[first], pair_part[first]


@dataclass(frozen=True)
class ComponentIds:
    """Per component 0..C-1: the previous id code it keeps (NO_PREVIOUS: none) and its anchor."""

    surviving_code: np.ndarray
    anchor: np.ndarray


def surviving_previous_ids(
    component: np.ndarray,
    first_seen: np.ndarray,
    key_rank: np.ndarray,
    previous_code: np.ndarray,
    previous_age: np.ndarray,
) -> ComponentIds:
    """Which previous customer id each component keeps, and each component's anchor node.

    Arrays are aligned by node: component (0..C-1, each used), first_seen (int64, MISSING_TIME
    for none), key_rank (the node_key's rank in sort order), previous_code (index into the sorted
    previous ids, NO_PREVIOUS for a new identifier). previous_age[code] is that customer's
    customer_first_seen_at (int64, MISSING_TIME for none).
    """
    anchors = component_anchors(component, first_seen, key_rank)
    surviving = np.full(anchors.shape[0], NO_PREVIOUS, dtype=np.int64)
    owner_code, owner_part = _owner_components(component, first_seen, previous_code)
    # the oldest previous customer among those a component owns survives
    order = np.lexsort((owner_code, previous_age[owner_code], owner_part))
    first = order[_group_starts(owner_part[order])]
    surviving[owner_part[first]] = owner_code[first]
    return ComponentIds(surviving_code=surviving, anchor=anchors)


def new_components(ids: ComponentIds) -> np.ndarray:
    """The components that keep no previous id, in ascending order: they get new ids."""
    return np.flatnonzero(ids.surviving_code == NO_PREVIOUS)


def customer_ids_of_components(
    ids: ComponentIds, new_anchor_keys: Sequence[str], previous_ids: Sequence[str]
) -> np.ndarray:
    """The customer id string of each component: its surviving previous id, or a new one derived
    from its anchor's key (`new_anchor_keys` in the order of `new_components`)."""
    customer_ids = np.empty(ids.surviving_code.shape[0], dtype=object)
    kept = ids.surviving_code != NO_PREVIOUS
    customer_ids[kept] = np.asarray(previous_ids, dtype=object)[ids.surviving_code[kept]]
    customer_ids[new_components(ids)] = derive_customer_ids(new_anchor_keys, set(previous_ids))
    return customer_ids


def time_codes(times: pd.Series | np.ndarray) -> np.ndarray:
    """Timestamps as int64 nanoseconds, a missing time as MISSING_TIME."""
    values = pd.to_datetime(pd.Series(times)).astype("datetime64[ns]")
    codes = values.to_numpy().astype(np.int64)
    codes[values.isna().to_numpy()] = MISSING_TIME
    return codes


def previous_id_codes(
    node_keys: Iterable[str], previous: pd.DataFrame
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """(code of each node's previous id, the sorted previous ids, each id's age as a time code)."""
    previous = previous.dropna(subset=["customer_id"])
    previous_ids = sorted(previous["customer_id"].unique())
    code_of_id = {customer_id: code for code, customer_id in enumerate(previous_ids)}
    code_of_key = {
        key: code_of_id[customer_id]
        for key, customer_id in zip(previous["node_key"], previous["customer_id"], strict=True)
    }
    codes = np.fromiter((code_of_key.get(key, NO_PREVIOUS) for key in node_keys), dtype=np.int64)
    ages = pd.Series(time_codes(previous["customer_first_seen_at"]), index=previous.index)
    age_by_id = ages.groupby(previous["customer_id"].to_numpy()).min()
    return codes, previous_ids, age_by_id.reindex(previous_ids).to_numpy(dtype=np.int64)


def assign_customer_ids(nodes: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Give every node its customer id.

    nodes:    node_key (str), component (int), first_seen_at (timestamp) for this run.
    previous: node_key, customer_id, customer_first_seen_at from the previous run (may be empty).
    Returns nodes with `customer_id` and `previous_customer_id` (null for new identifiers).
    """
    keys = nodes["node_key"].to_numpy(dtype=object)
    _, component = np.unique(nodes["component"].to_numpy(), return_inverse=True)
    key_rank = np.argsort(np.argsort(keys.astype(str), kind="stable"), kind="stable")
    codes, previous_ids, ages = previous_id_codes(keys, previous)
    ids = surviving_previous_ids(
        component, time_codes(nodes["first_seen_at"]), key_rank, codes, ages
    )
    new_anchor_keys = keys[ids.anchor[new_components(ids)]].tolist()
    customer_ids = customer_ids_of_components(ids, new_anchor_keys, previous_ids)
    # code NO_PREVIOUS (-1) picks the trailing None
    previous_of_node = np.asarray([*previous_ids, None], dtype=object)[codes]
    return nodes.assign(previous_customer_id=previous_of_node, customer_id=customer_ids[component])
