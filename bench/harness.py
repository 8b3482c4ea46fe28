"""The benchmark scenario: per scale, generate -> run the job -> time the baselines; then the
daily incremental run (one more day of exports into the same landing folder)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb

from bench.baselines import IdentityBaseline, identity_baseline, ingestion_baseline
from bench.phases import Phase, build_phases, phase_seconds, slowest_nodes
from bench.pipeline import (
    RunMeasurement,
    bench_settings,
    measure_run,
    prepare_deployment,
)
from sample_data import DEFAULT_END
from siyu.ingestion.landing import landing_files
from siyu.ingestion.specs import SourceSpec, load_source_specs
from siyu.settings import DBT_PROJECT_DIR
from siyu.tables import table_exists

MIB = 1024 * 1024
# 1,000 people: the data-proportional work is a small part of such a run
REBUILD_FLOOR_SCALE = 0.01


@dataclass(frozen=True)
class BenchConfig:
    scales: tuple[float, ...]
    # None: no daily runs. Else every scale's full build stops a day early and the next day comes
    # as a daily run; at this scale the daily scenario is reported in full (`incremental`)
    incremental_scale: float | None
    seed: int
    workdir: Path
    keep: bool = False
    nothing_new: bool = False  # after the incremental run, once more with nothing new
    # after the incremental scenario, a full run on exports of this scale (REBUILD_FLOOR_SCALE):
    # what a run that rebuilds, tests and publishes the whole dbt graph costs on almost no data
    rebuild_floor_scale: float | None = None


@dataclass(frozen=True)
class Delivery:
    """One call of the sample generator: what it wrote and how long it took."""

    people: int
    rows: int
    files: int
    generate_s: float


@dataclass
class RunResult:
    """A measured run with its phases against the baselines timed on the same inputs."""

    run: RunMeasurement
    phases: list[Phase]
    graph: IdentityBaseline
    load_avg: tuple[float, float]
    slowest: list[dict[str, object]] = field(default_factory=list)


@dataclass
class ScaleResult:
    scale: float
    until: date
    delivery: Delivery
    export_mb: float
    result: RunResult
    # parsing the dbt project for this scale's warehouses before the run (not in its time)
    dbt_parse_s: float | None = None
    # the next day delivered and run (BenchConfig.incremental_scale set)
    daily: IncrementalResult | None = None


@dataclass
class IncrementalResult:
    """A daily run: the day after a scale's full build delivered into its landing folder."""

    scale: float
    day: date
    base: ScaleResult
    delivery: Delivery
    result: RunResult
    customer_id_changes: dict[str, int]
    # the job once more with nothing new delivered: the fixed cost of a run, whatever the data
    nothing_new: RunResult | None = None
    # rows of the tag history log before and after the incremental run: what a day adds to a log
    # that every build reads whole
    tag_history_rows: tuple[int, int] | None = None
    # a full run on almost no data (BenchConfig.rebuild_floor_scale): the least any run that
    # rebuilds the dbt graph costs, to set the incremental share against
    rebuild_floor: ScaleResult | None = None
    # rows the daily run wrote: every row of the tables it rebuilt whole, and the rows it added
    # to incremental tables (rows_written)
    rows_written: int | None = None
    # rows of the models' tables after the full build: what a run that rebuilds them all writes
    rows_held: int | None = None

    @property
    def share(self) -> float:
        return self.result.run.timeline.total_s / self.base.result.run.timeline.total_s

    @property
    def nothing_new_share(self) -> float | None:
        if self.nothing_new is None or not self.nothing_new.run.ok:
            return None
        return self.nothing_new.run.timeline.total_s / self.base.result.run.timeline.total_s

    @property
    def rebuild_floor_share(self) -> float | None:
        if self.rebuild_floor is None or not self.rebuild_floor.result.run.ok:
            return None
        return (
            self.rebuild_floor.result.run.timeline.total_s / self.base.result.run.timeline.total_s
        )


# --------------------------------------------------------------------------------------------
# steps


def generate_exports(
    root: Path, scale: float, seed: int, until: date | None = None, only_day: date | None = None
) -> Delivery:
    """Run the sample generator in a child process (its memory is not the pipeline's)."""
    command = [
        sys.executable,
        "-m",
        "sample_data",
        "--scale",
        str(scale),
        "--seed",
        str(seed),
        "--out",
        str(root),
    ]
    command += ["--until", until.isoformat()] if until else []
    command += ["--only-day", only_day.isoformat()] if only_day else []
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, text=True)
    generate_s = time.perf_counter() - started
    suffix = f"_{only_day.isoformat()}" if only_day else ""
    manifest = json.loads((root / "ground_truth" / f"manifest{suffix}.json").read_text("utf-8"))
    return Delivery(
        people=manifest["people"],
        rows=sum(manifest["rows_per_source"].values()),
        files=len(manifest["files"]),
        generate_s=generate_s,
    )


def folder_mb(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / MIB


def ingestion_baselines(
    root: Path, specs: list[SourceSpec], only: set[Path] | None = None
) -> dict[str, float]:
    """`ingest:<source>` and `ingest` baselines: DuckDB reading the same landing files."""
    landing = root / "landing"
    database = root / "baseline" / "read.duckdb"
    database.parent.mkdir(parents=True, exist_ok=True)
    database.unlink(missing_ok=True)
    per_source = ingestion_baseline(landing, specs, database, only)
    shutil.rmtree(database.parent, ignore_errors=True)
    baselines = {f"ingest:{source}": seconds for source, seconds in per_source.items()}
    baselines["ingest"] = sum(per_source.values())
    return baselines


def measure(root: Path, label: str, new_files: set[Path] | None = None) -> RunResult:
    """Run the job on `root`'s landing folder, then time the baselines on the same inputs."""
    settings = bench_settings(root)
    load_before = os.getloadavg()[0]
    run = measure_run(root, root.parent / f"{label}.log")
    load_after = os.getloadavg()[0]
    if not run.ok:
        return RunResult(run, [], IdentityBaseline(0.0, 0.0, 0, 0, 0), (load_before, load_after))
    baselines = ingestion_baselines(root, list(load_source_specs().values()), new_files)
    graph = identity_baseline(settings.work_warehouse_path)
    baselines["identity"] = graph.seconds
    baselines["identity:components"] = graph.labelling_seconds
    seconds = phase_seconds(run.timeline)
    phases = build_phases(seconds, baselines, run.timeline.total_s)
    return RunResult(run, phases, graph, (load_before, load_after), slowest_nodes(run.timeline))


TAG_HISTORY_LOG = "snapshots.int_customer_tags__recorded"


def tag_history_rows(root: Path) -> int:
    with duckdb.connect(str(bench_settings(root).work_warehouse_path), read_only=True) as con:
        return con.execute(f"select count(*) from {TAG_HISTORY_LOG}").fetchone()[0]


def customer_id_changes(root: Path) -> dict[str, int]:
    with duckdb.connect(str(bench_settings(root).work_warehouse_path), read_only=True) as con:
        rows = con.execute(
            "select change_type, count(*) from marts.identity_customer_id_changes group by 1"
        ).fetchall()
    return {change_type: count for change_type, count in rows}


# --------------------------------------------------------------------------------------------
# scenario


def run_scale(
    config: BenchConfig, scale: float, until: date, name: str | None = None
) -> ScaleResult:
    """Generate exports at `scale` into `<workdir>/<name>` (default `scale-<scale>`), then time
    a full run on them."""
    name = name or f"scale-{scale:g}"
    root = config.workdir / name
    shutil.rmtree(root, ignore_errors=True)
    delivery = generate_exports(root, scale, config.seed, until=until)
    export_mb = folder_mb(root / "landing")
    dbt_parse_s = prepare_deployment(root)
    result = measure(root, f"{name}-full")
    return ScaleResult(scale, until, delivery, export_mb, result, dbt_parse_s)


def run_rebuild_floor(config: BenchConfig, scale: float, until: date) -> ScaleResult:
    """A full run on exports of `scale` (tiny), in a folder of its own."""
    name = f"rebuild-floor-{scale:g}"
    result = run_scale(config, scale, until, name)
    if not config.keep:
        shutil.rmtree(config.workdir / name, ignore_errors=True)
    return result


def run_incremental(
    config: BenchConfig, base: ScaleResult, day: date, extras: bool = True
) -> IncrementalResult:
    """Deliver the exports of `day` into the base's landing folder and run the job again. With
    `extras`, then once more with nothing new (the floor of any run: the build is skipped), and
    a full run on almost no data (the floor of a run that builds the dbt graph), when the config
    asks."""
    root = config.workdir / f"scale-{base.scale:g}"
    landing = root / "landing"
    specs = load_source_specs().values()
    before = {path for spec in specs for path in landing_files(landing, spec.name)}
    delivery = generate_exports(root, base.scale, config.seed, only_day=day)
    after = {path for spec in specs for path in landing_files(landing, spec.name)}
    logged_before = tag_history_rows(root) if base.result.run.ok else None
    rows_before = model_rows(root)
    result = measure(root, f"scale-{base.scale:g}-incremental", new_files=after - before)
    changes = customer_id_changes(root) if result.run.ok else {}
    logged = (
        (logged_before, tag_history_rows(root))
        if result.run.ok and logged_before is not None
        else None
    )
    written = rows_written(rows_before, model_rows(root)) if result.run.ok else None
    nothing_new = (
        measure(root, f"scale-{base.scale:g}-nothing-new", new_files=set())
        if extras and result.run.ok and config.nothing_new
        else None
    )
    floor = (
        run_rebuild_floor(config, config.rebuild_floor_scale, day)
        if extras and result.run.ok and config.rebuild_floor_scale
        else None
    )
    return IncrementalResult(
        base.scale,
        day,
        base,
        delivery,
        result,
        changes,
        nothing_new,
        logged,
        floor,
        rows_written=written,
        rows_held=sum(rows for rows, _ in rows_before.values()),
    )


def stored_models(manifest: dict) -> dict[str, bool]:
    """The dbt models that store rows ('schema.table' -> whether incremental): not ephemeral
    models, not views (a build writes none of a view's rows)."""
    return {
        f"{node['schema']}.{node['alias']}": node["config"]["materialized"] == "incremental"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["config"]["materialized"] not in ("ephemeral", "view")
    }


def model_rows(root: Path) -> dict[str, tuple[int, bool]]:
    """Per dbt model's table in the working warehouse: (rows, whether it is incremental)."""
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text("utf-8"))
    models = stored_models(manifest)
    with duckdb.connect(str(bench_settings(root).work_warehouse_path), read_only=True) as con:
        return {
            table: (con.execute(f"select count(*) from {table}").fetchone()[0], incremental)
            for table, incremental in models.items()
            if table_exists(con, table)
        }


def rows_written(before: dict[str, tuple[int, bool]], after: dict[str, tuple[int, bool]]) -> int:
    """Rows a run wrote: every row of a table it rebuilt whole, the rows it added to an
    incremental one (rows an incremental model replaced in place are not seen)."""
    return sum(
        max(rows - before.get(table, (0, True))[0], 0) if incremental else rows
        for table, (rows, incremental) in after.items()
    )


def run_bench(
    config: BenchConfig, report: Callable[[ScaleResult | IncrementalResult], None] | None = None
) -> tuple[list[ScaleResult], IncrementalResult | None]:
    """Every scale, each with its daily run when the config asks (the full build stops a day
    early; the next day comes as the delta); the whole daily scenario at `incremental_scale`."""
    last_day = DEFAULT_END
    results: list[ScaleResult] = []
    incremental = None
    daily = config.incremental_scale is not None
    for scale in config.scales:
        until = last_day - timedelta(days=1) if daily else last_day
        result = run_scale(config, scale, until)
        results.append(result)
        if report:
            report(result)
        if daily and result.result.run.ok:
            extras = scale == config.incremental_scale
            result.daily = run_incremental(config, result, last_day, extras=extras)
            if extras:
                incremental = result.daily
            if report:
                report(result.daily)
        if not config.keep:
            shutil.rmtree(config.workdir / f"scale-{scale:g}", ignore_errors=True)
    return results, incremental
