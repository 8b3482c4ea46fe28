"""The audit and publish steps of write-audit-publish, as Dagster assets after the dbt build."""

from pathlib import Path

import dagster as dg
import duckdb
from dagster import AssetExecutionContext

from orchestration.publish.audit import audit_warehouse
from orchestration.publish.publisher import publish_marts, published_version
from orchestration.resources import WarehouseResource

PUBLISH_GROUP = "publish"
AUDIT_KEY = dg.AssetKey(["publish", "marts_audit"])


def build_publish_assets(mart_keys: list[dg.AssetKey]) -> list[dg.AssetsDefinition]:
    @dg.asset(
        key=AUDIT_KEY,
        deps=mart_keys,
        group_name=PUBLISH_GROUP,
        kinds={"duckdb"},
        description=(
            "Audits the working warehouse's marts (contract keys, clear mobiles, names and "
            "addresses from the exports, contract reconciliations; orchestration/publish/"
            "audit.yml). A failure stops the run before publishing."
        ),
    )
    def marts_audit(context: AssetExecutionContext, warehouse: WarehouseResource):
        with duckdb.connect(warehouse.warehouse_path, read_only=True) as con:
            report = audit_warehouse(con)
        metadata = {
            "rules_checked": dg.MetadataValue.int(report.rules_checked),
            "failures": dg.MetadataValue.int(len(report.failures)),
        }
        if not report.passed:
            for line in report.lines():
                context.log.error(f"audit failed: {line}")
            kept = published_version(Path(warehouse.published_path))
            metadata["failed_rules"] = dg.MetadataValue.md(
                "\n".join(f"- {line}" for line in report.lines())
            )
            raise dg.Failure(
                description=(
                    "Audit failed; nothing published. The published marts stay at version "
                    f"{kept}:\n" + "\n".join(report.lines())
                ),
                metadata=metadata,
            )
        return dg.MaterializeResult(metadata=metadata)

    @dg.asset(
        key=dg.AssetKey(["publish", "published_warehouse"]),
        deps=[AUDIT_KEY],
        group_name=PUBLISH_GROUP,
        kinds={"duckdb", "parquet"},
        description=(
            "The audited marts copied into the published warehouse (SIYU_WAREHOUSE) by an atomic "
            "rename, plus Parquet files per mart with a manifest (SIYU_PARQUET_DIR)."
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
