"""Connected components are exact: checked against networkx on shapes that break naive methods."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siyu.identity.components import component_labels


def as_partition(labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for node, label in enumerate(labels.tolist()):
        groups.setdefault(label, set()).add(node)
    return {frozenset(group) for group in groups.values()}


def networkx_partition(edges: list[tuple[int, int]], node_count: int) -> set[frozenset[int]]:
    graph = nx.Graph()
    graph.add_nodes_from(range(node_count))
    graph.add_edges_from(edges)
    return {frozenset(component) for component in nx.connected_components(graph)}


def labels_for(edges: list[tuple[int, int]], node_count: int) -> np.ndarray:
    left = np.array([a for a, _ in edges], dtype=np.int64)
    right = np.array([b for _, b in edges], dtype=np.int64)
    return component_labels(left, right, node_count)


def shuffled_chain(length: int, seed: int) -> list[tuple[int, int]]:
    order = np.random.default_rng(seed).permutation(length)
    return [(int(order[i]), int(order[i + 1])) for i in range(length - 1)]


@pytest.mark.parametrize(
    ("name", "edges", "node_count"),
    [
        ("chain of 5,000 in shuffled node order", shuffled_chain(5_000, 1), 5_000),
        (
            "two chains of 2,500 joined at the far end",
            shuffled_chain(2_500, 2)
            + [(a + 2_500, b + 2_500) for a, b in shuffled_chain(2_500, 3)]
            + [(0, 4_999)],
            5_000,
        ),
        ("star of 3,000 leaves", [(0, leaf) for leaf in range(1, 3_001)], 3_001),
        ("singletons only", [], 1_000),
        ("self loops and duplicate edges", [(1, 1), (2, 3), (3, 2), (2, 3)], 5),
    ],
)
def test_components_equal_networkx_on_hard_shapes(name, edges, node_count):
    assert as_partition(labels_for(edges, node_count)) == networkx_partition(edges, node_count)


@pytest.mark.parametrize("seed", [7, 11, 13])
def test_components_equal_networkx_on_random_graphs(seed):
    rng = np.random.default_rng(seed)
    node_count = 20_000
    edges = [tuple(map(int, pair)) for pair in rng.integers(0, node_count, (15_000, 2))]
    assert as_partition(labels_for(edges, node_count)) == networkx_partition(edges, node_count)


def test_labels_are_numbered_by_smallest_node():
    labels = labels_for([(5, 3), (1, 4), (0, 2)], 6)
    # components {0,2}, {1,4}, {3,5}: numbered by their smallest node 0, 1, 3
    assert labels.tolist() == [0, 1, 0, 2, 1, 2]


edge_lists = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=0, max_size=80)


@settings(max_examples=200, deadline=None)
@given(edges=edge_lists, extra=st.tuples(st.integers(0, 40), st.integers(0, 40)))
def test_adding_an_edge_never_splits_a_component(edges, extra):
    before = labels_for(edges, 41)
    after = labels_for([*edges, extra], 41)
    for left in range(41):
        for right in range(left + 1, 41):
            if before[left] == before[right]:
                assert after[left] == after[right]


@settings(max_examples=200, deadline=None)
@given(edges=edge_lists, seed=st.integers(0, 2**32 - 1))
def test_result_does_not_depend_on_edge_order_or_direction(edges, seed):
    rng = np.random.default_rng(seed)
    permuted = [edges[i] for i in rng.permutation(len(edges))]
    flipped = [(b, a) if rng.random() < 0.5 else (a, b) for a, b in permuted]
    assert labels_for(edges, 41).tolist() == labels_for(flipped, 41).tolist()
