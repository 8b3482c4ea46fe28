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
"""

from __future__ import annotations

import hashlib

import pandas as pd

ID_PREFIX = "C"
ID_HEX_DIGITS = 16


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


def _anchors(nodes: pd.DataFrame) -> pd.Series:
    ordered = nodes.sort_values(["component", "first_seen_at", "node_key"], kind="stable")
    return ordered.groupby("component", sort=True)["node_key"].first()


def _owner_component_of_previous_ids(carried: pd.DataFrame) -> pd.DataFrame:
    """For each previous customer id: the component that keeps it (the largest part)."""
    parts = (
        carried.groupby(["previous_customer_id", "component"], sort=False)
        .agg(identifiers=("node_key", "size"), earliest=("first_seen_at", "min"))
        .reset_index()
        .sort_values(
            ["previous_customer_id", "identifiers", "earliest", "component"],
            ascending=[True, False, True, True],
            kind="stable",
        )
    )
    return parts.drop_duplicates("previous_customer_id", keep="first")


def assign_customer_ids(nodes: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Give every node its customer id.

    nodes:    node_key (str), component (int), first_seen_at (timestamp) for this run.
    previous: node_key, customer_id, customer_first_seen_at from the previous run (may be empty).
    Returns nodes with `customer_id` and `previous_customer_id` (null for new identifiers).
    """
    previous = previous.rename(columns={"customer_id": "previous_customer_id"})[
        ["node_key", "previous_customer_id", "customer_first_seen_at"]
    ]
    result = nodes.merge(previous, on="node_key", how="left")
    carried = result.dropna(subset=["previous_customer_id"])

    owners = _owner_component_of_previous_ids(carried)
    ages = previous.groupby("previous_customer_id")["customer_first_seen_at"].min().rename("age")
    owners = owners.join(ages, on="previous_customer_id").sort_values(
        ["component", "age", "previous_customer_id"], kind="stable"
    )
    # the oldest previous customer among those a component owns survives
    surviving = owners.drop_duplicates("component", keep="first").set_index("component")[
        "previous_customer_id"
    ]

    taken = set(previous["previous_customer_id"].dropna().unique())
    anchors = _anchors(nodes)
    customer_of_component: dict[int, str] = surviving.to_dict()
    for component, anchor_key in anchors.items():
        if component not in customer_of_component:
            new_id = derive_customer_id(anchor_key, taken)
            taken.add(new_id)
            customer_of_component[component] = new_id
    result["customer_id"] = result["component"].map(customer_of_component)
    return result.drop(columns=["customer_first_seen_at"])
