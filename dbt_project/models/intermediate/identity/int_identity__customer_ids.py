"""Customers are the connected components of the identity graph; each gets a stable customer_id.

Nodes and edges come from int_identity__nodes / int_identity__stitchable_edges (SQL: which
identifiers link is decided there, from the identity seeds). This model only does what SQL does
badly: exact connected components (scipy, linear time, any graph shape; no iteration cap) and the
carry-over of customer ids from the previous run, which it reads from its own previous version
(dbt-duckdb builds the new table beside the old one). See siyu/identity/ for the
algorithms and their tests.

Only narrow integer arrays cross into Python (edges, per-node times and previous-id codes); the
wide identifier columns stay in DuckDB, which joins the component of each node and its customer
id back onto the nodes. node_index numbers the nodes in node_key order, so it is the key's rank.
"""

import numpy as np
import pyarrow as pa

from siyu.identity.components import component_labels
from siyu.identity.stable_ids import (
    MISSING_TIME,
    NO_PREVIOUS,
    ComponentIds,
    customer_ids_of_components,
    new_components,
    surviving_previous_ids,
)

NO_PREVIOUS_SQL = """
    select null::varchar as node_key, null::varchar as customer_id,
        null::timestamp_ns as customer_first_seen_at
    where false
"""


def previous_assignments_sql(dbt, session) -> str:
    """This model's previous version (node_key, customer_id, customer_first_seen_at), if any."""
    exists = session.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [dbt.this.schema, dbt.this.identifier],
    ).fetchone()[0]
    if not exists:
        return NO_PREVIOUS_SQL
    return (
        f"select node_key, customer_id, customer_first_seen_at from {dbt.this} "
        "where customer_id is not null"
    )


def register_inputs(dbt, session) -> None:
    session.register("identity_nodes", dbt.ref("int_identity__nodes"))
    session.register("identity_previous", session.sql(previous_assignments_sql(dbt, session)))
    # previous ids numbered in sort order: comparing codes compares ids
    session.register(
        "identity_previous_ids",
        session.sql(
            """
            select customer_id,
                min(customer_first_seen_at) as age,
                row_number() over (order by customer_id) - 1 as code
            from identity_previous
            group by customer_id
            """
        ),
    )


def time_code_sql(column: str) -> str:
    return f"coalesce(epoch_ns({column}), {MISSING_TIME})"


def node_arrays(session) -> dict[str, np.ndarray]:
    """Per node, in node_index order: first_seen (time code) and previous id code."""
    return session.sql(
        f"""
        select {time_code_sql("nodes.first_seen_at")} as first_seen,
            coalesce(previous_ids.code, {NO_PREVIOUS}) as previous_code
        from identity_nodes as nodes
        left join identity_previous as previous on nodes.node_key = previous.node_key
        left join identity_previous_ids as previous_ids
            on previous.customer_id = previous_ids.customer_id
        order by nodes.node_index
        """
    ).fetchnumpy()


def node_assignments(
    ids: ComponentIds,
    component: np.ndarray,
    customer_ids: np.ndarray,
    first_seen: np.ndarray,
    previous_code: np.ndarray,
    previous_ids: np.ndarray,
) -> pa.Table:
    """Per node (node_index order): customer id, previous customer id, the customer's earliest
    identifier time and identifier count. Ids are dictionary arrays over the component's (or
    previous customer's) id, so no string is repeated per node. The anchor is the component's
    earliest identifier, so its time is the customer's."""
    customer_first_seen = first_seen[ids.anchor][component]
    return pa.table(
        {
            "node_index": np.arange(component.shape[0], dtype=np.int64),
            "customer_id": pa.DictionaryArray.from_arrays(
                component, pa.array(customer_ids, type=pa.string())
            ),
            "previous_customer_id": pa.DictionaryArray.from_arrays(
                pa.array(previous_code, mask=previous_code == NO_PREVIOUS),
                pa.array(previous_ids, type=pa.string()),
            ),
            "customer_first_seen_at": pa.array(
                customer_first_seen,
                type=pa.timestamp("ns"),
                mask=customer_first_seen == MISSING_TIME,
            ),
            "customer_identifiers": np.bincount(component, minlength=customer_ids.shape[0])[
                component
            ],
        }
    )


def model(dbt, session):
    dbt.config(materialized="table")
    register_inputs(dbt, session)
    edges = dbt.ref("int_identity__stitchable_edges").fetchnumpy()
    nodes = node_arrays(session)
    node_count = len(nodes["first_seen"])
    component = component_labels(
        np.asarray(edges["left_node_index"], dtype=np.int64),
        np.asarray(edges["right_node_index"], dtype=np.int64),
        node_count,
    )
    previous = session.sql(
        f"select customer_id, {time_code_sql('age')} as age "
        "from identity_previous_ids order by code"
    ).fetchnumpy()
    first_seen = np.asarray(nodes["first_seen"], dtype=np.int64)
    previous_code = np.asarray(nodes["previous_code"], dtype=np.int64)
    ids = surviving_previous_ids(
        component,
        first_seen,
        np.arange(node_count, dtype=np.int64),
        previous_code,
        np.asarray(previous["age"], dtype=np.int64),
    )
    new_anchors = ids.anchor[new_components(ids)]
    session.register(
        "identity_new_anchors",
        pa.table({"node_index": new_anchors, "position": np.arange(len(new_anchors))}),
    )
    new_anchor_keys = session.sql(
        """
        select nodes.node_key from identity_new_anchors as anchors
        inner join identity_nodes as nodes on anchors.node_index = nodes.node_index
        order by anchors.position
        """
    ).fetchnumpy()["node_key"]
    customer_ids = customer_ids_of_components(
        ids, list(new_anchor_keys), list(previous["customer_id"])
    )
    session.register(
        "identity_assignments",
        node_assignments(
            ids, component, customer_ids, first_seen, previous_code, previous["customer_id"]
        ),
    )
    # column types as the table had when it was built from pandas
    return session.sql(
        """
        select
            nodes.id_type,
            nodes.id_value,
            nodes.node_key,
            assignments.customer_id::varchar as customer_id,
            assignments.previous_customer_id::varchar as previous_customer_id,
            nodes.first_source,
            nodes.id_type_priority,
            nodes.first_seen_at::timestamp_ns as first_seen_at,
            nodes.last_seen_at,
            nodes.records::double as records,
            assignments.customer_first_seen_at,
            assignments.customer_identifiers
        from identity_nodes as nodes
        inner join identity_assignments as assignments
            on nodes.node_index = assignments.node_index
        order by nodes.node_index
        """
    )
