"""Customers are the connected components of the identity graph; each gets a stable customer_id.

Nodes and edges come from int_identity__nodes / int_identity__stitchable_edges (SQL: which
identifiers link is decided there, from the identity seeds). This model only does what SQL does
badly: exact connected components (scipy, linear time, any graph shape; no iteration cap) and the
carry-over of customer ids from the previous run, which it reads from its own previous version
(dbt-duckdb builds the new table beside the old one). See orchestration/identity/ for the
algorithms and their tests.
"""

import pandas as pd

from orchestration.identity.components import component_labels
from orchestration.identity.stable_ids import assign_customer_ids

PREVIOUS_COLUMNS = ["node_key", "customer_id", "customer_first_seen_at"]


def previous_assignments(dbt, session) -> pd.DataFrame:
    exists = session.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [dbt.this.schema, dbt.this.identifier],
    ).fetchone()[0]
    if not exists:
        return pd.DataFrame(columns=PREVIOUS_COLUMNS)
    return session.execute(f"select {', '.join(PREVIOUS_COLUMNS)} from {dbt.this}").df()


def model(dbt, session):
    dbt.config(materialized="table")
    nodes = dbt.ref("int_identity__nodes").order("node_index").df()
    edges = dbt.ref("int_identity__stitchable_edges").fetchnumpy()
    nodes["component"] = component_labels(
        edges["left_node_index"].astype("int64"),
        edges["right_node_index"].astype("int64"),
        len(nodes),
    )
    # an identifier never seen with a time (none today) sorts last when choosing anchors
    nodes["first_seen_at"] = nodes["first_seen_at"].fillna(pd.Timestamp.max)
    assigned = assign_customer_ids(
        nodes[["node_key", "component", "first_seen_at"]], previous_assignments(dbt, session)
    )
    nodes["customer_id"] = assigned["customer_id"].to_numpy()
    nodes["previous_customer_id"] = pd.array(assigned["previous_customer_id"], dtype="string")
    nodes["first_seen_at"] = nodes["first_seen_at"].where(nodes["first_seen_at"] < pd.Timestamp.max)
    nodes["customer_first_seen_at"] = nodes.groupby("customer_id")["first_seen_at"].transform("min")
    nodes["customer_identifiers"] = nodes.groupby("customer_id")["node_key"].transform("size")
    return nodes[
        [
            "id_type",
            "id_value",
            "node_key",
            "customer_id",
            "previous_customer_id",
            "first_source",
            "id_type_priority",
            "first_seen_at",
            "last_seen_at",
            "records",
            "customer_first_seen_at",
            "customer_identifiers",
        ]
    ]
