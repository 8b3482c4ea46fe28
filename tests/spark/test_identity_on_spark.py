"""Identity resolution on Spark (the SQL twin of the Python model) against the oracles.

The twin int_identity__customer_ids (models/intermediate/identity/spark/) is run on Spark on
hand-made graphs written in place of its inputs (int_identity__nodes, _stitchable_edges):
* components: the partition equals networkx's on the shapes that break naive label propagation
  (long chains in shuffled order, two chains joined at the far end, a star, singletons, self loops
  and duplicate edges, random graphs), all in one disjoint graph so one run covers them;
* customer ids: equal to what siyu/identity/stable_ids.py (the Python model's rule)
  assigns, on a first run and on a second run that merges and splits customers.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from siyu.identity.components import component_labels
from siyu.identity.stable_ids import assign_customer_ids
from tests.identity.test_components import shuffled_chain

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

EMPTY_PREVIOUS = pd.DataFrame(columns=["node_key", "customer_id", "customer_first_seen_at"])


def random_graph(node_count: int, edge_count: int, seed: int) -> list[tuple[int, int]]:
    pairs = np.random.default_rng(seed).integers(0, node_count, (edge_count, 2))
    return [(int(a), int(b)) for a, b in pairs]


SHAPES = [
    ("chain of 2,000 in shuffled node order", shuffled_chain(2_000, 1), 2_000),
    (
        "two chains of 1,000 joined at the far end",
        shuffled_chain(1_000, 2)
        + [(a + 1_000, b + 1_000) for a, b in shuffled_chain(1_000, 3)]
        + [(0, 1_999)],
        2_000,
    ),
    ("star of 1,000 leaves", [(0, leaf) for leaf in range(1, 1_001)], 1_001),
    ("singletons only", [], 200),
    ("self loops and duplicate edges", [(1, 1), (2, 3), (3, 2), (2, 3)], 5),
    *[(f"random graph {seed}", random_graph(3_000, 2_200, seed), 3_000) for seed in (7, 11)],
]


def disjoint_union(shapes) -> tuple[list[tuple[int, int]], int, dict[str, range]]:
    edges, offset, spans = [], 0, {}
    for name, shape_edges, node_count in shapes:
        edges += [(a + offset, b + offset) for a, b in shape_edges]
        spans[name] = range(offset, offset + node_count)
        offset += node_count
    return edges, offset, spans


def graph_nodes(node_count: int, seed: int) -> pd.DataFrame:
    """Nodes as int_identity__nodes holds them: keys not in index order, ties in first_seen_at."""
    rng = np.random.default_rng(seed)
    start = datetime(2026, 1, 1)
    keys = [f"device_id:d{rng.integers(0, 10**12):012d}-{i}" for i in range(node_count)]
    days = rng.integers(0, 40, node_count)  # few distinct days: many anchors tie on time
    return pd.DataFrame(
        {
            "node_index": np.arange(node_count, dtype=np.int64),
            "id_type": "device_id",
            "id_value": [key.split(":", 1)[1] for key in keys],
            "node_key": keys,
            "first_source": "app",
            "id_type_priority": 1,
            "first_seen_at": [start + timedelta(days=int(day)) for day in days],
            "last_seen_at": [start + timedelta(days=int(day) + 1) for day in days],
            "records": 1,
        }
    )


def python_ids(nodes: pd.DataFrame, edges, previous: pd.DataFrame) -> pd.DataFrame:
    """What the Python model assigns to the same graph (scipy components, stable_ids rules)."""
    left = np.array([a for a, _ in edges], dtype=np.int64)
    right = np.array([b for _, b in edges], dtype=np.int64)
    frame = nodes[["node_key", "first_seen_at"]].copy()
    frame["component"] = component_labels(left, right, len(nodes))
    assigned = assign_customer_ids(frame[["node_key", "component", "first_seen_at"]], previous)
    return assigned.set_index("node_key")[["customer_id"]]


def run_twin(spark_dbt, nodes: pd.DataFrame, edges) -> pd.DataFrame:
    """Write the graph as the twin's inputs and run it on the shared Spark session."""
    session = spark_dbt.session()
    edge_frame = pd.DataFrame(
        sorted({(a, b) for a, b in edges}), columns=["left_node_index", "right_node_index"]
    ).astype("int64")
    session.createDataFrame(nodes).write.mode("overwrite").saveAsTable(
        "intermediate.int_identity__nodes"
    )
    edge_schema = "left_node_index bigint, right_node_index bigint"
    session.createDataFrame(edge_frame, edge_schema).write.mode("overwrite").saveAsTable(
        "intermediate.int_identity__stitchable_edges"
    )
    spark_dbt.run(["run", "--select", "int_identity__customer_ids"])
    rows = spark_dbt.sql(
        "select node_key, customer_id, previous_customer_id, customer_first_seen_at, "
        "customer_identifiers from intermediate.int_identity__customer_ids"
    )
    return pd.DataFrame(
        rows,
        columns=[
            "node_key",
            "customer_id",
            "previous_customer_id",
            "customer_first_seen_at",
            "customer_identifiers",
        ],
    ).set_index("node_key")


@pytest.fixture(scope="module")
def graph_runs(spark_dbt, sample_builds):
    """Two runs of the twin on Spark: a first run, then one that merges and splits customers."""
    edges, node_count, spans = disjoint_union(SHAPES)
    nodes = graph_nodes(node_count, seed=5)
    first = run_twin(spark_dbt, nodes, edges)
    # day 2: join the star to the shuffled chain (a merge), cut the far-end link of the two
    # chains (a split) and link two singletons
    chain, two_chains, star = (spans[name] for name, *_ in SHAPES[:3])
    singletons = spans["singletons only"]
    cut = (two_chains.start, two_chains.start + 1_999)
    day2_edges = [edge for edge in edges if edge != cut] + [
        (star.start, chain.start + 17),
        (singletons.start, singletons.start + 1),
    ]
    second = run_twin(spark_dbt, nodes, day2_edges)
    return nodes, edges, spans, first, day2_edges, second


def test_components_on_spark_equal_networkx_on_hard_shapes(graph_runs):
    nodes, edges, spans, first, *_ = graph_runs
    graph = nx.Graph()
    graph.add_nodes_from(range(len(nodes)))
    graph.add_edges_from(edges)
    key_of = nodes["node_key"].to_numpy()
    expected = {frozenset(key_of[list(component)]) for component in nx.connected_components(graph)}
    on_spark = {frozenset(group.index) for _, group in first.groupby("customer_id")}
    for name, span in spans.items():
        keys = set(key_of[span.start : span.stop])
        assert {c for c in on_spark if c & keys} == {c for c in expected if c & keys}, name


def test_first_run_ids_on_spark_equal_the_python_rule(graph_runs):
    nodes, edges, _, first, *_ = graph_runs
    expected = python_ids(nodes, edges, EMPTY_PREVIOUS)
    assert first["previous_customer_id"].isna().all()
    compared = expected.join(first[["customer_id"]].add_suffix("_spark"))
    mismatched = compared[compared["customer_id"] != compared["customer_id_spark"]]
    assert mismatched.empty, mismatched.head()
    sizes = first.groupby("customer_id")["customer_id"].transform("size")
    assert (first["customer_identifiers"] == sizes).all()


def test_second_run_keeps_merges_and_splits_ids_as_the_python_rule(graph_runs):
    nodes, _, _, first, day2_edges, second = graph_runs
    previous = first.reset_index()[["node_key", "customer_id", "customer_first_seen_at"]]
    previous["customer_first_seen_at"] = pd.to_datetime(previous["customer_first_seen_at"])
    expected = python_ids(nodes, day2_edges, previous)
    compared = expected.join(second[["customer_id"]].add_suffix("_spark"))
    mismatched = compared[compared["customer_id"] != compared["customer_id_spark"]]
    assert mismatched.empty, mismatched.head()
    assert (second["previous_customer_id"] == first["customer_id"].reindex(second.index)).all()
    # the scenario really merged and split: fewer ids kept than before, and new ones appeared
    assert set(second["customer_id"]) - set(first["customer_id"])
    assert set(first["customer_id"]) - set(second["customer_id"])
