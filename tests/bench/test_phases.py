"""Splitting a run into phases: wall-clock shares of overlapping dbt nodes, step phases."""

from __future__ import annotations

import pytest

from bench.phases import (
    DbtNode,
    Phase,
    RunTimeline,
    build_phases,
    dbt_phase,
    phase_seconds,
    step_phase,
    wall_clock_shares,
)


def node(unique_id: str, fqn: tuple[str, ...], started: float, finished: float) -> DbtNode:
    return DbtNode(unique_id, unique_id.split(".")[0], fqn, started, finished, finished - started)


def test_overlapping_nodes_share_the_moments_they_run_together():
    shares = wall_clock_shares(
        [
            node("model.siyu.a", (), 0.0, 4.0),
            node("model.siyu.b", (), 2.0, 6.0),
            node("model.siyu.c", (), 8.0, 9.0),
        ]
    )
    assert shares == pytest.approx({"model.siyu.a": 3.0, "model.siyu.b": 3.0, "model.siyu.c": 1.0})


@pytest.mark.parametrize(
    ("unique_id", "fqn", "phase"),
    [
        ("model.siyu.stg_app__events", ("siyu", "staging", "app", "stg_app__events"), "staging"),
        ("model.siyu.int_identity__nodes", ("siyu", "intermediate", "identity", "x"), "identity"),
        ("model.siyu.int_orders__unioned", ("siyu", "intermediate", "orders", "x"), "intermediate"),
        (
            "model.siyu.dim_customer",
            ("siyu", "marts", "customer", "dim_customer"),
            "marts:customer",
        ),
        ("test.siyu.unique_x.abc", ("siyu", "unique_x"), "checks:dbt_tests"),
        ("unit_test.siyu.model.case", ("siyu", "model", "case"), "checks:dbt_tests"),
        ("seed.siyu.identity_id_types", ("siyu", "identity", "identity_id_types"), "seeds"),
        ("snapshot.siyu.customer_tags_snapshot", ("siyu", "customer_tags_snapshot"), "snapshots"),
    ],
)
def test_dbt_nodes_fall_into_the_phase_of_their_folder(unique_id, fqn, phase):
    assert dbt_phase(node(unique_id, fqn, 0.0, 1.0)) == phase


@pytest.mark.parametrize(
    ("step_key", "phase"),
    [
        ("raw_ingestion", "ingest"),
        ("raw_expectations", "checks:raw_expectations"),
        ("mart_expectations", "checks:mart_expectations"),
        ("raw__deletion_requests", "erasure"),
        ("siyu_dbt_models", "dbt"),
        ("publish__marts_audit", "checks:audit"),
        ("publish__published_warehouse", "publish"),
        ("reports__marketing_report", "other_steps:reports__marketing_report"),
    ],
)
def test_dagster_steps_fall_into_their_phase(step_key, phase):
    assert step_phase(step_key) == phase


def test_top_level_phases_add_up_to_the_run_and_carry_their_baselines():
    nodes = {
        "model.siyu.stg": node("model.siyu.stg", ("siyu", "staging", "app", "stg"), 10.0, 12.0),
        "model.siyu.int_identity__customer_ids": node(
            "model.siyu.int_identity__customer_ids",
            ("siyu", "intermediate", "identity", "int_identity__customer_ids"),
            12.0,
            13.0,
        ),
    }
    timeline = RunTimeline(
        total_s=20.0,
        job_s=16.0,
        steps={"raw_ingestion": 3.0, "siyu_dbt_models": 5.0},
        # the sources load side by side: their seconds overlap the step's
        sources={"mp_users": 2.0, "app_events": 1.5},
        node_shares=wall_clock_shares(nodes.values()),
        nodes=nodes,
    )
    seconds = phase_seconds(timeline)
    phases = build_phases(seconds, {"ingest": 1.5, "identity": 0.5}, timeline.total_s)
    by_name = {phase.phase: phase for phase in phases}
    top_level = [p.s for p in phases if ":" not in p.phase and p.phase != "total"]
    assert sum(top_level) == pytest.approx(20.0)
    assert by_name["ingest"] == Phase("ingest", 3.0, 1.5)
    assert by_name["ingest"].ratio == pytest.approx(2.0)
    assert by_name["ingest:mp_users"].s == pytest.approx(2.0)
    assert by_name["ingest:app_events"].s == pytest.approx(1.5)
    assert by_name["identity"].ratio == pytest.approx(2.0)
    assert by_name["identity:components"].s == pytest.approx(1.0)
    assert by_name["dbt_overhead"].s == pytest.approx(2.0)
    assert by_name["setup"].s == pytest.approx(4.0)
    assert by_name["orchestration"].s == pytest.approx(8.0)
    assert by_name["staging"].ratio is None
