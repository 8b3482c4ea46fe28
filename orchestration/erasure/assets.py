"""The deletion-request asset: load request files and resolve them before any ingestion."""

from datetime import UTC, datetime

import dagster as dg
from dagster import AssetExecutionContext

from orchestration.erasure.requests import erase_history, load_requests, resolve_erasure
from orchestration.resources import WarehouseResource

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
