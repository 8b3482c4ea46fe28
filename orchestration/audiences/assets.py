"""Dagster: the audience export files, written after the audited marts are published."""

import os
from pathlib import Path

import dagster as dg
import duckdb
from dagster import AssetExecutionContext

from orchestration.resources import WarehouseResource
from siyu.audiences.export import export_all_audiences
from siyu.settings import REPO_ROOT

AUDIENCE_MEMBERS_KEY = dg.AssetKey(["marts", "audience_members"])
PUBLISHED_WAREHOUSE_KEY = dg.AssetKey(["publish", "published_warehouse"])
EXPORTS_KEY = dg.AssetKey(["exports", "audience_files"])
DEFAULT_EXPORT_DIR = REPO_ROOT / "warehouse" / "audiences"


def audience_export_dir(environ: dict[str, str] | None = None) -> Path:
    """SIYU_AUDIENCE_EXPORT_DIR, else warehouse/audiences/ (git-ignored with warehouse/)."""
    env = os.environ if environ is None else environ
    return Path(env.get("SIYU_AUDIENCE_EXPORT_DIR") or DEFAULT_EXPORT_DIR).resolve()


def build_audience_export_assets(
    export_dir: Path | None = None,
    upstream: tuple[dg.AssetKey, ...] = (AUDIENCE_MEMBERS_KEY, PUBLISHED_WAREHOUSE_KEY),
) -> list[dg.AssetsDefinition]:
    """The export asset; it runs after publishing and reads the marts just published from the
    working warehouse (the published file, which BI tools may hold open, is never opened)."""
    target = export_dir or audience_export_dir()

    @dg.asset(
        key=EXPORTS_KEY,
        deps=list(upstream),
        group_name="tags",
        kinds={"csv"},
        description=(
            "Every audience of marts.audience_members as one CSV per channel "
            "(<audience_key>__<channel>.csv, UTF-8 with BOM) in SIYU_AUDIENCE_EXPORT_DIR, read "
            "after publishing, from the marts just published (read from the working warehouse)."
        ),
    )
    def audience_files(context: AssetExecutionContext, warehouse: WarehouseResource):
        with duckdb.connect(warehouse.warehouse_path, read_only=True) as con:
            files = export_all_audiences(con, target)
        context.log.info(f"wrote {len(files)} audience files to {target}")
        return dg.MaterializeResult(
            metadata={
                "export_dir": dg.MetadataValue.path(str(target)),
                "files": dg.MetadataValue.int(len(files)),
                "members": dg.MetadataValue.json(
                    {f"{item.audience_key}/{item.channel}": item.members for item in files}
                ),
            }
        )

    return [audience_files]
