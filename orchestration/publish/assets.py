"""The audit and publish steps of write-audit-publish, as Dagster assets after the dbt build."""

from pathlib import Path

import dagster as dg
import duckdb
from dagster import AssetExecutionContext

from orchestration.resources import WarehouseResource
from siyu.publish.audit import ALLOW_SHRINK_TAG, audit_warehouse
from siyu.publish.publisher import publish_marts
from siyu.publish.record import describe_published, read_publish_record
from siyu.settings import is_switched_on

PUBLISH_GROUP = "publish"
AUDIT_KEY = dg.AssetKey(["publish", "marts_audit"])


def build_publish_assets(mart_keys: list[dg.AssetKey]) -> list[dg.AssetsDefinition]:
    @dg.asset(
        key=AUDIT_KEY,
        deps=mart_keys,
        group_name=PUBLISH_GROUP,
        kinds={"duckdb"},
        description=(
            "Audits the working warehouse's marts (contract marts present, clear mobiles, names "
            "and addresses from the exports, an empty raw layer, contract marts shrinking "
            "against the published version; siyu/publish/audit.yml; keys and reconciliations "
            "are dbt tests). "
            "A failure stops the run before publishing."
        ),
    )
    def marts_audit(context: AssetExecutionContext, warehouse: WarehouseResource):
        work, published = Path(warehouse.warehouse_path), Path(warehouse.published_path)
        record = read_publish_record(work, published)
        allow_shrink = warehouse.allow_shrink or is_switched_on(
            context.run.tags.get(ALLOW_SHRINK_TAG)
        )
        with duckdb.connect(warehouse.warehouse_path, read_only=True) as con:
            report = audit_warehouse(
                con,
                published_rows=record.tables if record else None,
                landing_dir=warehouse.landing_dir,
                allow_shrink=allow_shrink,
            )
        metadata = {
            "rules_checked": dg.MetadataValue.int(report.rules_checked),
            "failures": dg.MetadataValue.int(len(report.failures)),
        }
        if not report.passed:
            for line in report.lines():
                context.log.error(f"audit failed: {line}")
            kept = describe_published(work, published)
            stays = (
                "nothing was published before"
                if kept == "none"
                else f"the published marts stay at version {kept}"
            )
            metadata["failed_rules"] = dg.MetadataValue.md(
                "\n".join(f"- {line}" for line in report.lines())
            )
            first, *rest = report.lines()
            raise dg.Failure(
                description="\n".join(
                    [
                        f"Audit failed ({len(report.failures)} failure(s)): {first}",
                        *rest,
                        f"Nothing published; {stays}.",
                    ]
                ),
                metadata=metadata,
            )
        for note in report.notes:
            context.log.warning(note)
        return dg.MaterializeResult(metadata=metadata)

    @dg.asset(
        key=dg.AssetKey(["publish", "published_warehouse"]),
        deps=[AUDIT_KEY],
        group_name=PUBLISH_GROUP,
        kinds={"duckdb", "parquet"},
        description=(
            "The audited marts copied into the published warehouse (SIYU_WAREHOUSE, read-only) "
            "by an atomic rename, plus Parquet files per mart with a manifest (SIYU_PARQUET_DIR)."
        ),
    )
    def published_warehouse(context: AssetExecutionContext, warehouse: WarehouseResource):
        result = publish_marts(
            Path(warehouse.warehouse_path),
            Path(warehouse.published_path),
            Path(warehouse.parquet_dir) if warehouse.parquet_dir else None,
        )
        context.log.info(f"published {len(result.tables)} marts to {result.published_path}")
        metadata = {
            "publish_id": dg.MetadataValue.text(result.publish_id),
            "published_path": dg.MetadataValue.path(str(result.published_path)),
            "rows": dg.MetadataValue.json(result.tables),
        }
        if result.parquet_manifest:
            metadata["parquet_manifest"] = dg.MetadataValue.path(str(result.parquet_manifest))
        return dg.MaterializeResult(metadata=metadata)

    return [marts_audit, published_warehouse]
