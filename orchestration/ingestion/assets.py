"""The ingestion step: load new files from the landing folder into raw, one asset per source.

Every channel source is its own asset, `raw/<source>`, and one step (`raw_ingestion`, a
multi-asset that can be subset) loads them all: two sources at a time, each on its own cursor
of the step's connection (DuckDB reads many small files a statement at a time, on one core;
two sources side by side keep both cores busy). A source's materialization is reported as soon
as it is loaded; the landing ledger, the log and the metadata are written from the step's own
thread. A source whose files were refused (or that failed) is not materialized; the others are,
and the step then fails naming every refused file with its reason (docs/bad-deliveries.md). A
file with nothing to load is skipped with a warning and fails nothing. Folders of the landing
folder that are no source, and files outside any folder, are listed in the log and in every
materialization's metadata (`unknown_folders`, `stray_files`).
"""

import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
from dagster import AssetExecutionContext

from orchestration.erasure.assets import DELETION_REQUESTS_KEY
from orchestration.resources import WarehouseResource
from siyu.cursors import on_cursors
from siyu.erasure.requests import REQUEST_FOLDER, ensure_erasure_tables, erase_source
from siyu.ingestion.landing import LandingInventory, landing_files, landing_inventory
from siyu.ingestion.ledger import ledger_path, record_files
from siyu.ingestion.loader import ingest_files
from siyu.ingestion.outcomes import ALREADY_LOADED, SourceIngestReport, refusal_message
from siyu.ingestion.raw_tables import ensure_raw_tables, quarantine_examples
from siyu.ingestion.specs import SourceSpec, load_source_specs
from siyu.settings import worker_threads

INGESTION_GROUP = "ingestion"
# the step that loads every source (see build_ingestion_assets)
INGESTION_STEP = "raw_ingestion"
PROGRESS_LINES = 10
# two sources at a time: at scale 1 the 14 sources took 6.4-7.1 s one after the other and
# 4.9 s two at a time (2 cores); more were not measured
MAX_SOURCE_WORKERS = 2


def raw_asset_key(source: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", source])


@dataclass
class SourceLoad:
    """What loading one source did: its files, the loader's report, examples of quarantined
    records, rows erased for deletion requests, its seconds, or the error that stopped it."""

    spec: SourceSpec
    files: list[Path]
    report: SourceIngestReport | None = None
    quarantined: list[str] = field(default_factory=list)
    erased: int = 0
    seconds: float = 0.0
    error: Exception | None = None

    def failure_text(self) -> str:
        if self.error is not None:
            return f"{self.spec.name}: {type(self.error).__name__}: {self.error}"
        assert self.report is not None
        return refusal_message(self.report)


def ingest_report_metadata(report: SourceIngestReport) -> dict[str, dg.MetadataValue]:
    return {
        "rows_read": dg.MetadataValue.int(report.rows_read),
        "rows_loaded": dg.MetadataValue.int(report.rows_loaded),
        "rows_quarantined": dg.MetadataValue.int(report.rows_quarantined),
        "files_loaded": dg.MetadataValue.int(len(report.files_with("loaded"))),
        "files_skipped": dg.MetadataValue.int(len(report.files_with("skipped"))),
        "files_refused": dg.MetadataValue.int(len(report.refused)),
    }


def load_metadata(load: SourceLoad) -> dict[str, dg.MetadataValue]:
    assert load.report is not None
    metadata = ingest_report_metadata(load.report)
    metadata["rows_erased"] = dg.MetadataValue.int(load.erased)
    metadata["load_seconds"] = dg.MetadataValue.float(round(load.seconds, 3))
    if load.quarantined:
        metadata["quarantine_examples"] = dg.MetadataValue.md(
            "\n".join(f"- {example}" for example in load.quarantined)
        )
    return metadata


def unread_in_landing(landing: Path, sources: Iterable[str] | None = None) -> LandingInventory:
    """The folders and files of the landing folder that no step reads: folders that are not a
    source (of `sources`, every source by default) nor the deletion requests, files outside
    any folder."""
    names = list(sources) if sources is not None else list(load_source_specs())
    return landing_inventory(landing, [*names, REQUEST_FOLDER])


def inventory_metadata(inventory: LandingInventory) -> dict[str, dg.MetadataValue]:
    """The step's listing of what it did not read, when there is any."""
    metadata = {}
    if inventory.unknown_folders:
        metadata["unknown_folders"] = dg.MetadataValue.json(inventory.unknown_folders)
    if inventory.stray_files:
        metadata["stray_files"] = dg.MetadataValue.json(inventory.stray_files)
    return metadata


def log_file_outcomes(context: AssetExecutionContext, report: SourceIngestReport) -> None:
    """About ten progress lines per source; every file with a problem or a note (an empty
    file, skipped) gets its own line."""
    total = len(report.files)
    step = max(total // PROGRESS_LINES, 1)
    for index, outcome in enumerate(report.files, start=1):
        line = (
            f"[{index}/{total}] {outcome.file_name}: {outcome.status} "
            f"loaded={outcome.rows_loaded} quarantined={outcome.rows_quarantined} "
            f"{outcome.detail}".rstrip()
        )
        noted = outcome.status == "skipped" and outcome.detail != ALREADY_LOADED
        if outcome.status == "refused" or outcome.rows_quarantined or noted:
            context.log.warning(line)
        elif index % step == 0 or index == total:
            context.log.info(line)


def load_source(
    con: duckdb.DuckDBPyConnection, load: SourceLoad, warehouse: WarehouseResource
) -> SourceLoad:
    """Load one source's new files, then erase the rows of people who asked to be deleted.
    Only warehouse work: what is logged or recorded is left to the step's thread."""
    started = time.perf_counter()
    try:
        load.report = ingest_files(
            con,
            load.spec,
            load.files,
            loaded_at=datetime.now(UTC).replace(tzinfo=None),
            base_dir=warehouse.landing,
        )
        new_hashes = [outcome.file_hash for outcome in load.report.files_with("loaded")]
        load.quarantined = quarantine_examples(con, load.spec.name, new_hashes)
        load.erased = erase_source(  # erasure matches raw values by their keyed hash
            con, load.spec, warehouse.hash_key(), datetime.now(UTC), loaded_now=new_hashes
        )
    except Exception as error:  # reported by the step; the other sources still load
        load.error = error
    load.seconds = time.perf_counter() - started
    return load


def report_load(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    load: SourceLoad,
    inventory: LandingInventory,
) -> dg.MaterializeResult | None:
    """Log a loaded source, record its handled files in the landing ledger and return its
    materialization; None when it failed (the step fails after the others are reported)."""
    name = load.spec.name
    if load.error is not None:
        context.log.error(f"{name}: failed: {type(load.error).__name__}: {load.error}")
        return None
    assert load.report is not None
    log_file_outcomes(context, load.report)
    handled = [
        path
        for path, outcome in zip(load.files, load.report.files, strict=True)
        if outcome.status != "refused"
    ]
    record_files(ledger_path(Path(warehouse.warehouse_path)), warehouse.landing, handled)
    for example in load.quarantined:
        context.log.warning(f"quarantined: {example}")
    if load.erased:
        context.log.info(f"{name}: erased {load.erased} row(s) of people who asked to be deleted")
    if load.report.refused:
        return None
    return dg.MaterializeResult(
        asset_key=raw_asset_key(name),
        metadata=load_metadata(load) | inventory_metadata(inventory),
    )


def largest_first(loads: list[SourceLoad]) -> list[SourceLoad]:
    """The sources with the most bytes to read start first, so the last to finish is small."""
    return sorted(loads, key=lambda load: -sum(path.lstat().st_size for path in load.files))


def load_in_threads(
    con: duckdb.DuckDBPyConnection,
    loads: list[SourceLoad],
    warehouse: WarehouseResource,
    workers: int,
) -> Iterator[SourceLoad]:
    """Each source on its own cursor of `con`, `workers` at a time; yields each as it finishes.
    The tables every load writes are created first, one after the other (two transactions
    creating the same table conflict)."""
    for load in loads:
        ensure_raw_tables(con, load.spec)
    ensure_erasure_tables(con)
    for _, load in on_cursors(
        con,
        loads,
        workers,
        lambda cursor, load: load_source(cursor, load, warehouse),
        in_order=False,
    ):
        yield load


def step_failure(failed: list[SourceLoad], inventory: LandingInventory) -> dg.Failure:
    return dg.Failure(
        description="\n".join(load.failure_text() for load in failed),
        metadata={
            "sources_failed": dg.MetadataValue.json([load.spec.name for load in failed]),
            "files_refused": dg.MetadataValue.int(
                sum(len(load.report.refused) for load in failed if load.report is not None)
            ),
            **inventory_metadata(inventory),
        },
    )


def source_asset_spec(spec: SourceSpec) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=raw_asset_key(spec.name),
        deps=[DELETION_REQUESTS_KEY],
        group_name=INGESTION_GROUP,
        kinds={"duckdb", "python"},
        skippable=True,
        description=(
            f"Channel export `{spec.name}/` ({spec.format}) loaded into `{spec.raw_table}` with "
            "lineage columns; unparsable or incomplete records go to `raw.quarantine`."
        ),
    )


def build_ingestion_assets(
    specs: Mapping[str, SourceSpec] | None = None,
) -> list[dg.AssetsDefinition]:
    """The asset `raw/<source>` of every source, all loaded by the one step `raw_ingestion`.
    A run that selects some of them (one source, say) loads only those."""
    specs = specs if specs is not None else load_source_specs()

    @dg.multi_asset(
        name=INGESTION_STEP,
        specs=[source_asset_spec(spec) for spec in specs.values()],
        can_subset=True,
        description="Loads the new files of every channel export in the landing folder.",
    )
    def raw_ingestion(
        context: AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult]:
        loads = [
            SourceLoad(spec, landing_files(warehouse.landing, spec.name))
            for spec in specs.values()
            if raw_asset_key(spec.name) in context.selected_asset_keys
        ]
        for load in loads:
            context.log.info(
                f"{load.spec.name}: {len(load.files)} file(s) in "
                f"{warehouse.landing / load.spec.name}"
            )
        inventory = unread_in_landing(warehouse.landing, specs)
        for line in inventory.lines():
            context.log.warning(f"{warehouse.landing}: {line}")
        failed = []
        with warehouse.connect() as con:
            for load in load_in_threads(
                con, largest_first(loads), warehouse, worker_threads(MAX_SOURCE_WORKERS)
            ):
                result = report_load(context, warehouse, load, inventory)
                if result is None:
                    failed.append(load)
                else:
                    yield result
        if failed:
            raise step_failure(failed, inventory) from next(
                (load.error for load in failed if load.error is not None), None
            )

    return [raw_ingestion]
