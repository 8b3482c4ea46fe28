"""One Dagster asset per channel source: load new files from the landing folder into raw."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster import AssetExecutionContext

from orchestration.erasure.assets import DELETION_REQUESTS_KEY
from orchestration.erasure.requests import erase_source
from orchestration.ingestion.ledger import ledger_path, record_files
from orchestration.ingestion.loader import (
    SourceIngestReport,
    ingest_files,
    landing_files,
    quarantine_examples,
    refusal_message,
)
from orchestration.ingestion.specs import SourceSpec, load_source_specs
from orchestration.resources import WarehouseResource

INGESTION_GROUP = "ingestion"
PROGRESS_LINES = 10


def ingest_report_metadata(report: SourceIngestReport) -> dict[str, dg.MetadataValue]:
    return {
        "rows_read": dg.MetadataValue.int(report.rows_read),
        "rows_loaded": dg.MetadataValue.int(report.rows_loaded),
        "rows_quarantined": dg.MetadataValue.int(report.rows_quarantined),
        "files_loaded": dg.MetadataValue.int(len(report.files_with("loaded"))),
        "files_skipped": dg.MetadataValue.int(len(report.files_with("skipped"))),
        "files_refused": dg.MetadataValue.int(len(report.refused)),
    }


def log_file_outcomes(context: AssetExecutionContext, report: SourceIngestReport) -> None:
    """About ten progress lines per source; every file with a problem gets its own line."""
    total = len(report.files)
    step = max(total // PROGRESS_LINES, 1)
    for index, outcome in enumerate(report.files, start=1):
        line = (
            f"[{index}/{total}] {outcome.file_name}: {outcome.status} "
            f"loaded={outcome.rows_loaded} quarantined={outcome.rows_quarantined} "
            f"{outcome.detail}".rstrip()
        )
        if outcome.status == "refused" or outcome.rows_quarantined:
            context.log.warning(line)
        elif index % step == 0 or index == total:
            context.log.info(line)


def build_ingestion_asset(spec: SourceSpec) -> dg.AssetsDefinition:
    @dg.asset(
        name=spec.name,
        key_prefix=["raw"],
        deps=[DELETION_REQUESTS_KEY],
        group_name=INGESTION_GROUP,
        kinds={"duckdb", "python"},
        description=(
            f"Channel export `{spec.name}/` ({spec.format}) loaded into `{spec.raw_table}` with "
            "lineage columns; unparsable or incomplete records go to `raw.quarantine`."
        ),
    )
    def _ingest(context: AssetExecutionContext, warehouse: WarehouseResource):
        files = landing_files(warehouse.landing, spec.name)
        context.log.info(f"{spec.name}: {len(files)} file(s) in {warehouse.landing / spec.name}")
        with warehouse.connect() as con:
            report = ingest_files(
                con,
                spec,
                files,
                loaded_at=datetime.now(UTC).replace(tzinfo=None),
                base_dir=warehouse.landing,
            )
            new_hashes = [f.file_hash for f in report.files_with("loaded")]
            examples = quarantine_examples(con, spec.name, new_hashes)
            erased = erase_source(
                con, spec, warehouse.hash_salt, datetime.now(UTC), loaded_now=new_hashes
            )
        log_file_outcomes(context, report)
        handled = [
            path
            for path, outcome in zip(files, report.files, strict=True)
            if outcome.status != "refused"
        ]
        record_files(ledger_path(Path(warehouse.warehouse_path)), warehouse.landing, handled)
        for example in examples:
            context.log.warning(f"quarantined: {example}")
        metadata = ingest_report_metadata(report)
        metadata["rows_erased"] = dg.MetadataValue.int(erased)
        if erased:
            context.log.info(
                f"{spec.name}: erased {erased} row(s) of people who asked to be deleted"
            )
        if examples:
            metadata["quarantine_examples"] = dg.MetadataValue.md(
                "\n".join(f"- {example}" for example in examples)
            )
        if report.refused:
            raise dg.Failure(description=refusal_message(report), metadata=metadata)
        return dg.MaterializeResult(metadata=metadata)

    return _ingest


def build_ingestion_assets() -> list[dg.AssetsDefinition]:
    return [build_ingestion_asset(spec) for spec in load_source_specs().values()]
