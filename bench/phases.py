"""Split one run's wall-clock time into phases.

Dagster's event log gives each step's start and end (ingestion, the raw suites, the dbt build,
the mart suites, the audit, publishing) and each source's own loading seconds (the
`load_seconds` of its materialization: sources load two at a time, so these overlap). dbt's
run_results.json gives every node's start and end inside the dbt step. dbt runs two threads, so
nodes overlap: each moment of the dbt step is shared equally between the nodes running at that
moment, which makes the node shares add up to wall-clock time
(the rest of the step is dbt's own start-up, parsing and Dagster's event handling).

Top-level phases (no colon in the name) add up to the run's total; `ingest:<source>`,
`marts:<area>`, `identity:components`, `checks:<kind>` and `other_steps:<step>` (steps this
module does not know, e.g. exports and reports) break a top-level phase down (the sources'
seconds overlap, so they add up to more than `ingest`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import dagster as dg

from orchestration.ingestion.assets import INGESTION_STEP
from orchestration.quality.checks import MART_CHECKS_STEP, RAW_CHECKS_STEP

ERASURE_STEP = "raw__deletion_requests"
DBT_STEP = "siyu_dbt_models"
AUDIT_STEP = "publish__marts_audit"
PUBLISH_STEP = "publish__published_warehouse"
COMPONENTS_MODEL = "int_identity__customer_ids"
# materialization metadata: the seconds one source took to load inside the ingestion step
LOAD_SECONDS = "load_seconds"
STEP_EVENTS = {
    dg.DagsterEventType.STEP_START,
    dg.DagsterEventType.STEP_SUCCESS,
    dg.DagsterEventType.STEP_FAILURE,
}
# top-level phases in the order they are reported; each run adds up to its total
TOP_LEVEL = (
    "setup",
    "erasure",
    "ingest",
    "seeds",
    "staging",
    "identity",
    "intermediate",
    "marts",
    "snapshots",
    "checks",
    "dbt_overhead",
    "publish",
    "other_steps",
    "orchestration",
)


@dataclass(frozen=True)
class Phase:
    """Seconds spent in one phase and, where the phase has one, its baseline's seconds."""

    phase: str
    s: float
    baseline_s: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline_s is None or self.baseline_s <= 0:
            return None
        return self.s / self.baseline_s

    def to_json(self) -> dict[str, object]:
        return {
            "phase": self.phase,
            "s": round(self.s, 3),
            "baseline_s": None if self.baseline_s is None else round(self.baseline_s, 6),
            "ratio": None if self.ratio is None else round(self.ratio, 2),
        }


@dataclass(frozen=True)
class DbtNode:
    """One executed dbt node (model, seed, snapshot, test) with its wall-clock window."""

    unique_id: str
    resource_type: str
    fqn: tuple[str, ...]
    started: float
    finished: float
    execution_s: float

    @property
    def name(self) -> str:
        """The node's name; a unit test's is `<model>.<test>`."""
        parts = self.unique_id.split(".")
        if self.resource_type == "unit_test":
            return ".".join(parts[2:])
        return parts[2] if len(parts) > 2 else self.unique_id


@dataclass
class RunTimeline:
    """Where one run's seconds went: Dagster steps and the dbt nodes inside the dbt step."""

    total_s: float
    job_s: float
    steps: dict[str, float] = field(default_factory=dict)
    # each source's own loading seconds inside the ingestion step (they overlap)
    sources: dict[str, float] = field(default_factory=dict)
    node_shares: dict[str, float] = field(default_factory=dict)
    nodes: dict[str, DbtNode] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# reading the run


def step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Seconds from each step's start to its success or failure, from the run's event log."""
    started: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for entry in instance.all_logs(run_id, of_type=STEP_EVENTS):
        event = entry.dagster_event
        if event is None or entry.step_key is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            started[entry.step_key] = entry.timestamp
        elif entry.step_key in started:
            seconds[entry.step_key] = entry.timestamp - started[entry.step_key]
    return seconds


def source_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Each ingested source's loading seconds, from its materialization's `load_seconds`."""
    seconds: dict[str, float] = {}
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
        materialization = entry.asset_materialization
        if materialization is None or entry.step_key != INGESTION_STEP:
            continue
        value = materialization.metadata.get(LOAD_SECONDS)
        if value is not None:
            seconds[materialization.asset_key.path[-1]] = float(value.value)
    return seconds


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _node_window(result: Mapping) -> tuple[float, float] | None:
    moments = [
        _epoch(timing[key])
        for timing in result.get("timing", [])
        for key in ("started_at", "completed_at")
        if timing.get(key)
    ]
    return (min(moments), max(moments)) if moments else None


def read_dbt_nodes(target_dir: Path) -> list[DbtNode]:
    """Executed nodes of one dbt invocation, from its run_results.json and manifest.json."""
    results = json.loads((target_dir / "run_results.json").read_text(encoding="utf-8"))
    manifest = json.loads((target_dir / "manifest.json").read_text(encoding="utf-8"))
    nodes = []
    for result in results["results"]:
        window = _node_window(result)
        if window is None:
            continue
        unique_id = result["unique_id"]
        props = manifest.get("nodes", {}).get(unique_id, {})
        nodes.append(
            DbtNode(
                unique_id=unique_id,
                resource_type=unique_id.split(".")[0],
                fqn=tuple(props.get("fqn", ())),
                started=window[0],
                finished=window[1],
                execution_s=float(result.get("execution_time") or 0.0),
            )
        )
    return nodes


def wall_clock_shares(nodes: Iterable[DbtNode]) -> dict[str, float]:
    """Each node's share of wall-clock time: a moment is split equally among the running nodes."""
    moments = sorted(
        (moment, change, node.unique_id)
        for node in nodes
        for moment, change in ((node.started, 1), (node.finished, -1))
    )
    shares: dict[str, float] = defaultdict(float)
    running: set[str] = set()
    previous = None
    for moment, change, unique_id in moments:
        if running and previous is not None:
            each = (moment - previous) / len(running)
            for active in running:
                shares[active] += each
        previous = moment
        if change > 0:
            running.add(unique_id)
        else:
            running.discard(unique_id)
    return dict(shares)


# --------------------------------------------------------------------------------------------
# phases


def dbt_phase(node: DbtNode) -> str:
    """The phase a dbt node belongs to, from its type and its folder (fqn)."""
    if node.resource_type in ("test", "unit_test"):
        return "checks:dbt_tests"
    if node.resource_type in ("seed", "snapshot"):
        return f"{node.resource_type}s"
    layer = node.fqn[1] if len(node.fqn) > 2 else ""
    area = node.fqn[2] if len(node.fqn) > 3 else ""
    if layer == "intermediate":
        return "identity" if area == "identity" else "intermediate"
    if layer == "marts":
        return f"marts:{area}" if area else "marts:other"
    return "staging" if layer == "staging" else "intermediate"


def step_phase(step_key: str) -> str:
    """The phase of a Dagster step of daily_refresh (`dbt` for the dbt build's step)."""
    fixed = {
        ERASURE_STEP: "erasure",
        INGESTION_STEP: "ingest",
        DBT_STEP: "dbt",
        AUDIT_STEP: "checks:audit",
        PUBLISH_STEP: "publish",
        RAW_CHECKS_STEP: "checks:raw_expectations",
        MART_CHECKS_STEP: "checks:mart_expectations",
    }
    if step_key in fixed:
        return fixed[step_key]
    return f"other_steps:{step_key}"


def _add(seconds: dict[str, float], phase: str, value: float) -> None:
    seconds[phase] = seconds.get(phase, 0.0) + value
    parent = phase.split(":", 1)[0]
    if parent != phase:
        seconds[parent] = seconds.get(parent, 0.0) + value


def phase_seconds(timeline: RunTimeline) -> dict[str, float]:
    """Seconds per phase, top-level and broken down, for one run."""
    seconds: dict[str, float] = {}
    dbt_step_s = 0.0
    for step_key, step_s in timeline.steps.items():
        phase = step_phase(step_key)
        if phase == "dbt":
            dbt_step_s += step_s
        else:
            _add(seconds, phase, step_s)
    for source, source_s in timeline.sources.items():
        seconds[f"ingest:{source}"] = source_s  # a breakdown that overlaps: not added to ingest
    for unique_id, share in timeline.node_shares.items():
        node = timeline.nodes[unique_id]
        _add(seconds, dbt_phase(node), share)
        if node.name == COMPONENTS_MODEL:
            seconds["identity:components"] = share
    seconds["dbt_overhead"] = dbt_step_s - sum(timeline.node_shares.values())
    seconds["setup"] = timeline.total_s - timeline.job_s
    seconds["orchestration"] = timeline.job_s - sum(timeline.steps.values())
    return seconds


def _phase_order(name: str) -> tuple[int, str]:
    parent = name.split(":", 1)[0]
    rank = TOP_LEVEL.index(parent) if parent in TOP_LEVEL else len(TOP_LEVEL)
    return rank, "" if name == parent else name


def build_phases(
    seconds: Mapping[str, float], baselines: Mapping[str, float], total_s: float
) -> list[Phase]:
    """Phases in report order with their baselines, then `total`."""
    phases = [
        Phase(name, value, baselines.get(name))
        for name, value in sorted(seconds.items(), key=lambda item: _phase_order(item[0]))
    ]
    return [*phases, Phase("total", total_s)]


def slowest_nodes(timeline: RunTimeline, count: int = 12) -> list[dict[str, object]]:
    """The dbt nodes with the largest wall-clock share: where a profile should look first."""
    ranked = sorted(timeline.node_shares.items(), key=lambda item: item[1], reverse=True)
    return [
        {
            "node": timeline.nodes[unique_id].name,
            "phase": dbt_phase(timeline.nodes[unique_id]),
            "wall_share_s": round(share, 3),
            "execution_s": round(timeline.nodes[unique_id].execution_s, 3),
        }
        for unique_id, share in ranked[:count]
    ]
