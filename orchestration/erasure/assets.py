"""The erasure assets: deletion requests are loaded and resolved before any ingestion; after a
publish, the erasure reaches every other copy siyu keeps."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster import AssetExecutionContext

from orchestration.audiences.assets import EXPORTS_KEY, PUBLISHED_WAREHOUSE_KEY, audience_export_dir
from orchestration.resources import WarehouseResource
from siyu.erasure.copies import complete_erasures
from siyu.erasure.requests import erase_history, load_requests, resolve_erasure

DELETION_REQUESTS_KEY = dg.AssetKey(["raw", "deletion_requests"])


@dg.asset(
    key=DELETION_REQUESTS_KEY,
    group_name="ingestion",
    kinds={"duckdb"},
    description=(
        "Deletion requests from <landing>/deletion_requests/*.csv (id_type,id_value), expanded "
        "to every identifier of the customers they name; the customers' rows leave the history "
        "dbt keeps between runs, each ingestion asset then erases raw rows carrying them, and "
        "dbt rebuilds the layers above without them."
    ),
)
def deletion_requests(context: AssetExecutionContext, warehouse: WarehouseResource):
    now = datetime.now(UTC).replace(tzinfo=None)
    key = warehouse.hash_key()
    context.log.info(key.notice())
    with warehouse.connect() as con:
        new_requests = load_requests(con, warehouse.landing, key, now)
        identifiers = resolve_erasure(con, key, now)
        history_rows = erase_history(con, key)
    if new_requests:
        context.log.info(f"{new_requests} new deletion request(s)")
    return dg.MaterializeResult(
        metadata={
            "new_requests": dg.MetadataValue.int(new_requests),
            "identifiers_to_erase": dg.MetadataValue.int(identifiers),
            "history_rows_erased": dg.MetadataValue.int(sum(history_rows.values())),
        }
    )


ERASURE_COPIES_KEY = dg.AssetKey(["publish", "erasure_reaches_every_copy"])


def build_erasure_copies_asset(export_dir: Path | None = None) -> dg.AssetsDefinition:
    """The last step of a run: after a publish that erased someone, the other copies go too."""
    target = export_dir or audience_export_dir()

    @dg.asset(
        key=ERASURE_COPIES_KEY,
        deps=[PUBLISHED_WAREHOUSE_KEY, EXPORTS_KEY],
        group_name="publish",
        kinds={"duckdb"},
        description=(
            "After a publish that erased someone: older Parquet versions, stale audience files "
            "and leftover copies of the published file are removed, and the working warehouse is "
            "compacted, so no copy siyu keeps holds the erased people (siyu/erasure/"
            "copies.py). Nothing to do when no erasure is pending."
        ),
    )
    def erasure_reaches_every_copy(context: AssetExecutionContext, warehouse: WarehouseResource):
        completion = complete_erasures(
            Path(warehouse.warehouse_path),
            Path(warehouse.published_path),
            Path(warehouse.parquet_dir) if warehouse.parquet_dir else None,
            target,
            datetime.now(UTC).replace(tzinfo=None),
        )
        if completion.customers:
            context.log.info(
                f"erasure of {completion.customers} customer(s) completed: "
                f"{len(completion.removed)} older copies removed, working warehouse compacted"
            )
        return dg.MaterializeResult(
            metadata={
                "customers_completed": dg.MetadataValue.int(completion.customers),
                "copies_removed": dg.MetadataValue.int(len(completion.removed)),
                "compacted": dg.MetadataValue.bool(completion.compacted),
            }
        )

    return erasure_reaches_every_copy
