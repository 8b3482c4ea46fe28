"""What the benchmark prints and writes: tables, bench/results.json, the time-vs-scale chart."""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from bench.harness import IncrementalResult, RunResult, ScaleResult
from bench.phases import Phase

if TYPE_CHECKING:
    from matplotlib.axes import Axes

GIB = 1024**3
CHART_PHASES = (
    "setup", "ingest", "staging", "identity", "intermediate", "marts", "checks", "dbt_overhead",
    "publish",
)  # fmt: skip
# the targets (issue #28): ratios to baselines timed in the same run, so that the machine's drift
# from hour to hour cancels out
INGEST_MAX_RATIO = 2.0  # ingestion: at least half of DuckDB's own read throughput
IDENTITY_MAX_RATIO = 2.0  # identity: within 2x of a round trip on the same edges
# the full build against DuckDB's read of the same exports (40 s and 300 s on a good day)
FULL_BUILD_MAX_RATIO = {1.0: 4.5, 10.0: 7.0}
SCALE_10_MAX_PEAK_MB = 12 * 1024
# the daily run as a share of the full build
DAILY_MAX_SHARE = {1.0: 0.20, 10.0: 0.10}


# --------------------------------------------------------------------------------------------
# machine


def _first_line_value(path: str, key: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def machine_detail() -> dict[str, object]:
    mem_kib = _first_line_value("/proc/meminfo", "MemTotal")
    ram_gib = int(mem_kib.split()[0]) * 1024 / GIB if mem_kib else None
    return {
        "cpu": _first_line_value("/proc/cpuinfo", "model name") or platform.processor(),
        "cores": os.cpu_count(),
        "ram_gib": round(ram_gib, 1) if ram_gib else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
    }


def machine_line(detail: dict[str, object]) -> str:
    return (
        f"{detail['cpu']}, {detail['cores']} cores, {detail['ram_gib']} GiB RAM, {detail['os']}, "
        f"Python {detail['python']}, DuckDB {detail['duckdb']}"
    )


# --------------------------------------------------------------------------------------------
# printed tables


def _seconds_text(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if value >= 1 else f"{value:.3g}"


def _ratio_text(value: float | None) -> str:
    return "" if value is None else f"{value:,.1f}"


def phase_table(phases: Sequence[Phase]) -> list[str]:
    lines = [f"  {'phase':<44}{'s':>9}{'baseline_s':>12}{'ratio':>10}"]
    for phase in phases:
        name = phase.phase if ":" not in phase.phase else f"  {phase.phase}"
        lines.append(
            f"  {name:<44}{phase.s:>9.2f}{_seconds_text(phase.baseline_s):>12}"
            f"{_ratio_text(phase.ratio):>10}"
        )
    return lines


def _run_lines(result: RunResult) -> list[str]:
    run = result.run
    if not run.ok:
        return [
            f"  FAILED run (log: {run.log_path})",
            *[f"  {line}" for line in run.summary.failures + run.summary.checks_failed],
        ]
    graph = result.graph
    warned = run.summary.checks_warned
    return [
        *([f"  warnings (they block nothing): {', '.join(warned)}"] if warned else []),
        *phase_table(result.phases),
        f"  identity graph: {graph.nodes:,} nodes, {graph.edges:,} edges, "
        f"{graph.components:,} components",
        *[f"  note: {note}" for note in run.notes],
    ]


def scale_lines(scale: ScaleResult) -> list[str]:
    run = scale.result.run
    load = scale.result.load_avg
    return [
        "",
        f"scale {scale.scale:g}: {scale.delivery.people:,} people, {scale.delivery.rows:,} "
        f"export records in {scale.delivery.files:,} files ({scale.export_mb:,.0f} MB), "
        f"until {scale.until}",
        f"  end-to-end {run.timeline.total_s:.1f} s, peak RSS {run.peak_rss_mb:,.0f} MB, "
        f"load average {load[0]:.1f} -> {load[1]:.1f}",
        *(
            [
                f"  before the run: dbt parse for this warehouse {scale.dbt_parse_s:.1f} s "
                "(once per deployment or project change; not in the run's time)"
            ]
            if scale.dbt_parse_s is not None
            else []
        ),
        *_run_lines(scale.result),
    ]


def incremental_lines(incremental: IncrementalResult) -> list[str]:
    run = incremental.result.run
    return [
        "",
        f"incremental at scale {incremental.scale:g}: day {incremental.day} delivered "
        f"({incremental.delivery.rows:,} new export records, "
        f"{incremental.delivery.rows / incremental.base.delivery.rows:.2%} of the base)",
        f"  full {incremental.base.result.run.timeline.total_s:.1f} s, incremental "
        f"{run.timeline.total_s:.1f} s, share {incremental.share:.1%}, "
        f"peak RSS {run.peak_rss_mb:,.0f} MB, "
        f"customer id changes {incremental.customer_id_changes}",
        *_tag_history_lines(incremental),
        *_run_lines(incremental.result),
        *_nothing_new_lines(incremental),
        *_rebuild_floor_lines(incremental),
    ]


def _tag_history_lines(incremental: IncrementalResult) -> list[str]:
    if incremental.tag_history_rows is None:
        return []
    before, after = incremental.tag_history_rows
    return [f"  tag history log: {after - before:,} rows added to {before:,}"]


def _tag_history_json(incremental: IncrementalResult) -> dict[str, object]:
    if incremental.tag_history_rows is None:
        return {}
    before, after = incremental.tag_history_rows
    return {"tag_history_rows_before": before, "tag_history_rows_added": after - before}


def _nothing_new_lines(incremental: IncrementalResult) -> list[str]:
    floor = incremental.nothing_new
    if floor is None:
        return []
    if not floor.run.ok:
        return ["", "  the run with nothing new FAILED", *_run_lines(floor)]
    what = (
        "the dbt build, its checks and publishing skipped: nothing they read changed"
        if floor.run.summary.build_skipped
        else "the fixed cost of a run"
    )
    return [
        "",
        f"  the same job with nothing new delivered: {floor.run.timeline.total_s:.1f} s, "
        f"{incremental.nothing_new_share:.1%} of the full build ({what})",
        *phase_table(floor.phases),
    ]


def _rebuild_floor_lines(incremental: IncrementalResult) -> list[str]:
    floor = incremental.rebuild_floor
    if floor is None:
        return []
    if not floor.result.run.ok:
        return ["", "  the full run on almost no data FAILED", *_run_lines(floor.result)]
    return [
        "",
        f"  a full run on {floor.delivery.people:,} people (scale {floor.scale:g}): "
        f"{floor.result.run.timeline.total_s:.1f} s, {incremental.rebuild_floor_share:.1%} of "
        "the full build (the least a run that builds, tests and publishes every model costs)",
        *phase_table(floor.result.phases),
    ]


def target_lines(targets: Sequence[dict[str, object]]) -> list[str]:
    lines = ["", "targets (issue #28: ratios to baselines timed in the same run):"]
    for target in targets:
        verdict = "met" if target["met"] else "MISSED"
        floor = (
            f"; a full run on almost no data: {target['rebuild_floor_share']}"
            if "rebuild_floor_share" in target
            else ""
        )
        lines.append(
            f"  {verdict:<7}{target['target']}: {target['value']} (limit {target['limit']}{floor})"
        )
    return lines


# --------------------------------------------------------------------------------------------
# targets


def _phase(result: RunResult, name: str) -> Phase | None:
    return next((phase for phase in result.phases if phase.phase == name), None)


def _target(name: str, value: float | None, limit: float, digits: int = 2) -> dict[str, object]:
    rounded = None if value is None else round(value, digits)
    return {
        "target": name,
        "value": rounded,
        "limit": limit,
        "met": value is not None and value <= limit,
    }


def targets(scales: Sequence[ScaleResult]) -> list[dict[str, object]]:
    """The targets, each with the measured value and whether it is met."""
    found: list[dict[str, object]] = []
    for scale in (scale for scale in scales if scale.result.run.ok):
        for phase_name, limit in (("ingest", INGEST_MAX_RATIO), ("identity", IDENTITY_MAX_RATIO)):
            phase = _phase(scale.result, phase_name)
            ratio = phase.ratio if phase else None
            found.append(_target(f"{phase_name} ratio at scale {scale.scale:g}", ratio, limit))
        if scale.scale in FULL_BUILD_MAX_RATIO:
            ingest = _phase(scale.result, "ingest")
            ratio = (
                scale.result.run.timeline.total_s / ingest.baseline_s
                if ingest and ingest.baseline_s
                else None
            )
            found.append(
                _target(
                    f"full build / ingest baseline at scale {scale.scale:g}",
                    ratio,
                    FULL_BUILD_MAX_RATIO[scale.scale],
                )
            )
        if scale.scale == 10:
            peak = scale.result.run.peak_rss_mb
            found.append(_target("scale 10 peak_rss_mb", peak, SCALE_10_MAX_PEAK_MB, 0))
        daily = scale.daily
        if daily and daily.result.run.ok and scale.scale in DAILY_MAX_SHARE:
            target = _target(
                f"daily share at scale {scale.scale:g}",
                daily.share,
                DAILY_MAX_SHARE[scale.scale],
                3,
            )
            if daily.rebuild_floor_share is not None:
                # the share of a full run on almost no data: no run that builds the graph goes below
                target["rebuild_floor_share"] = round(daily.rebuild_floor_share, 3)
            found.append(target)
    return found


# --------------------------------------------------------------------------------------------
# results.json


def _run_json(result: RunResult) -> dict[str, object]:
    run = result.run
    return {
        "total_s": round(run.timeline.total_s, 2),
        "peak_rss_mb": round(run.peak_rss_mb, 1),
        "success": run.ok,
        "load_avg_1m": [round(value, 2) for value in result.load_avg],
        "phases": [phase.to_json() for phase in result.phases],
        "identity_graph": {
            "nodes": result.graph.nodes,
            "edges": result.graph.edges,
            "components": result.graph.components,
        },
        "slowest_dbt_nodes": result.slowest,
        "failures": run.summary.failures + run.summary.checks_failed,
        "warnings": run.summary.checks_warned,
    }


def scale_json(scale: ScaleResult) -> dict[str, object]:
    return {
        "scale": scale.scale,
        "people": scale.delivery.people,
        "until": scale.until.isoformat(),
        "export_records": scale.delivery.rows,
        "export_files": scale.delivery.files,
        "export_mb": round(scale.export_mb, 1),
        "generate_s": round(scale.delivery.generate_s, 1),
        "dbt_parse_s": None if scale.dbt_parse_s is None else round(scale.dbt_parse_s, 1),
        **_run_json(scale.result),
        "daily": daily_json(scale.daily) if scale.daily else None,
    }


def daily_json(daily: IncrementalResult) -> dict[str, object]:
    """A scale's daily run: its time as a share of the full build, and what it wrote."""
    run = daily.result.run
    return {
        "day": daily.day.isoformat(),
        "daily_s": round(run.timeline.total_s, 2),
        "share": round(daily.share, 4),
        "new_export_records": daily.delivery.rows,
        "rows_written": daily.rows_written,
        "rows_held": daily.rows_held,
        "peak_rss_mb": round(run.peak_rss_mb, 1),
        "success": run.ok,
        "phases": [phase.to_json() for phase in daily.result.phases],
    }


def incremental_json(incremental: IncrementalResult) -> dict[str, object]:
    run_json = _run_json(incremental.result)
    return {
        "scale": incremental.scale,
        "full_s": round(incremental.base.result.run.timeline.total_s, 2),
        "incremental_s": run_json.pop("total_s"),
        "share": round(incremental.share, 4),
        "day": incremental.day.isoformat(),
        "new_export_records": incremental.delivery.rows,
        "new_records_share": round(incremental.delivery.rows / incremental.base.delivery.rows, 4),
        "customer_id_changes": incremental.customer_id_changes,
        "rows_written": incremental.rows_written,
        "rows_held": incremental.rows_held,
        **_tag_history_json(incremental),
        **run_json,
        **_nothing_new_json(incremental),
        **_rebuild_floor_json(incremental),
    }


def _rebuild_floor_json(incremental: IncrementalResult) -> dict[str, object]:
    floor = incremental.rebuild_floor
    if floor is None:
        return {}
    share = incremental.rebuild_floor_share
    return {
        "rebuild_floor": {
            "scale": floor.scale,
            "people": floor.delivery.people,
            "export_records": floor.delivery.rows,
            "total_s": round(floor.result.run.timeline.total_s, 2),
            "share": None if share is None else round(share, 4),
            "success": floor.result.run.ok,
            "phases": [phase.to_json() for phase in floor.result.phases],
        }
    }


def _nothing_new_json(incremental: IncrementalResult) -> dict[str, object]:
    floor = incremental.nothing_new
    if floor is None:
        return {}
    share = incremental.nothing_new_share
    return {
        "nothing_new_s": round(floor.run.timeline.total_s, 2),
        "nothing_new_share": None if share is None else round(share, 4),
        "nothing_new_build_skipped": floor.run.summary.build_skipped,
        "nothing_new_phases": [phase.to_json() for phase in floor.phases],
    }


def results_json(
    scales: Sequence[ScaleResult],
    incremental: IncrementalResult | None,
    command: Sequence[str],
) -> dict[str, object]:
    detail = machine_detail()
    return {
        "machine": machine_line(detail),
        "machine_detail": detail,
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": " ".join(command),
        "phases_note": (
            "top-level phases (no colon) add up to total_s; 'x:y' rows break 'x' down. "
            "dbt phases are wall-clock shares of the dbt step (2 threads)."
        ),
        "scales": [scale_json(scale) for scale in scales],
        "incremental": incremental_json(incremental) if incremental else None,
        "targets": targets(scales),
    }


def write_json(document: dict[str, object], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=True) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------
# chart


def _seconds(scale: dict, name: str, key: str = "s") -> float | None:
    phase = next((p for p in scale["phases"] if p["phase"] == name), None)
    return phase[key] if phase else None


def _plot_phases(axes: Axes, scales: list[dict], colours: Sequence) -> None:
    xs = [scale["scale"] for scale in scales]
    totals = [scale["total_s"] for scale in scales]
    axes.plot(xs, totals, "o-", color="black", lw=2, label="full build (end-to-end run)")
    for colour, name in zip(colours, CHART_PHASES, strict=False):
        seconds = [_seconds(scale, name) for scale in scales]
        axes.plot(xs, seconds, "o-", lw=1, color=colour, label=name)
    for name, style in (("ingest", "s--"), ("identity", "^--")):
        seconds = [_seconds(scale, name, "baseline_s") for scale in scales]
        axes.plot(xs, seconds, style, color="black", lw=1, label=f"{name} baseline")


def _plot_daily(axes: Axes, scales: list[dict], incremental: dict | None) -> None:
    """The daily run per scale, its target, and the full run on almost no data."""
    daily = [scale for scale in scales if (scale.get("daily") or {}).get("success")]
    if daily:
        xs, seconds = [s["scale"] for s in daily], [s["daily"]["daily_s"] for s in daily]
        axes.plot(xs, seconds, "*-", color="red", markersize=12, lw=2, label="daily run")
    with_target = [scale for scale in daily if scale["scale"] in DAILY_MAX_SHARE]
    if with_target:
        axes.plot([scale["scale"] for scale in with_target],
                  [scale["total_s"] * DAILY_MAX_SHARE[scale["scale"]] for scale in with_target],
                  "_", color="red", markersize=22, markeredgewidth=2,
                  label="daily target (share of the full build)")  # fmt: skip
    floor = (incremental or {}).get("rebuild_floor")
    if floor and floor["success"]:
        axes.plot([floor["scale"]], [floor["total_s"]], "v", color="black", markersize=9,
                  label="full run on almost no data")  # fmt: skip


def write_chart(document: dict[str, object], path: Path) -> None:
    """Seconds against scale factor (log-log): the run, its main phases and the baselines."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scales = [scale for scale in document["scales"] if scale["success"]]
    if not scales:
        return  # no run succeeded: nothing to draw (a log axis cannot show zeros)
    figure, axes = plt.subplots(figsize=(9, 5))
    _plot_phases(axes, scales, plt.get_cmap("tab10").colors)
    _plot_daily(axes, scales, document.get("incremental"))
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("scale factor (1 = 100,000 people)")
    axes.set_ylabel("seconds")
    axes.set_title("siyu daily_refresh: time vs scale")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
