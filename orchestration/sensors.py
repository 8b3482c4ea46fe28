"""Start the refresh when new export files land in the landing folder."""

import hashlib
from pathlib import Path

import dagster as dg

from orchestration.jobs import daily_refresh
from orchestration.resources import WarehouseResource
from siyu.ingestion.landing import landing_files
from siyu.ingestion.ledger import ledger_path, unrecorded_files
from siyu.ingestion.specs import load_source_specs

MINIMUM_INTERVAL_SECONDS = 60


def new_landing_files(warehouse: WarehouseResource) -> list[str]:
    """Files in the landing folder that no ingestion has handled yet (new or changed)."""
    files = [
        path for source in load_source_specs() for path in landing_files(warehouse.landing, source)
    ]
    ledger = ledger_path(Path(warehouse.warehouse_path))
    return unrecorded_files(ledger, warehouse.landing, files)


@dg.sensor(
    job=daily_refresh,
    minimum_interval_seconds=MINIMUM_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a daily_refresh run when files land that ingestion has not seen.",
)
def landing_files_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    new_files = new_landing_files(warehouse)
    if not new_files:
        return dg.SkipReason("no new files in the landing folder")
    # the same set of new files never starts two runs
    run_key = hashlib.sha256("\n".join(sorted(new_files)).encode()).hexdigest()[:16]
    context.log.info(f"{len(new_files)} new file(s), e.g. {new_files[:3]}")
    return dg.RunRequest(run_key=run_key, tags={"siyu/new_files": str(len(new_files))})
