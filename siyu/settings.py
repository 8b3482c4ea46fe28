"""Everything that differs per deployment, read from environment variables in one place."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_LANDING_DIR = REPO_ROOT / "seeds" / "landing"
DEFAULT_WAREHOUSE = REPO_ROOT / "warehouse" / "siyu.duckdb"
DEFAULT_WORK_WAREHOUSE = REPO_ROOT / "warehouse" / "work" / "siyu_work.duckdb"
DEFAULT_PARQUET_DIR = REPO_ROOT / "warehouse" / "parquet"
DEFAULT_SPARK_DIR = REPO_ROOT / "warehouse" / "spark"
DISABLED = {"", "0", "off", "false", "no", "none"}
DEFAULT_REFRESH_CRON = "0 6 * * *"
DEFAULT_DBT_TARGETS_KEPT = 10
# free space each folder a run writes must have before it starts (siyu/run_guard/
# preflight.py): a scale-1 deployment (100,000 people) has a ~930 MB working warehouse whose full
# rebuild writes new tables before the old ones are freed, and publishes a ~200 MB DuckDB copy
# and the Parquet copy beside the versions in place; 1 GB covers that run with room to spare
DEFAULT_MIN_FREE_MB = 1024


@dataclass(frozen=True)
class SiyuSettings:
    """A deployment's settings; see docs/configuration.md."""

    landing_dir: Path
    warehouse_path: Path  # the published warehouse BI tools read
    work_warehouse_path: Path  # where runs write, test and audit before publishing
    parquet_dir: Path | None  # optional Parquet copy of the published marts
    dbt_target: str
    refresh_cron: str
    ground_truth_dir: Path | None = None
    timezone: str = "Asia/Shanghai"
    # spark target only: raw Parquet hand-off, Spark warehouse, metastore (siyu/spark.py)
    spark_dir: Path = DEFAULT_SPARK_DIR
    # build even when nothing the dbt build reads changed since the published version
    # (siyu/dbt/build_inputs.py)
    force_build: bool = False
    # rebuild the incremental dbt models from the whole raw history
    # (siyu/dbt/incremental.py)
    full_refresh: bool = False
    # dbt invocation target folders kept after a build (siyu/dbt/targets.py)
    dbt_targets_kept: int = DEFAULT_DBT_TARGETS_KEPT
    # the hash key is no setting: a secret, read where it is used (siyu/hash_key.py)
    # the least free space (MB) in each folder a run writes (siyu/run_guard/preflight.py)
    min_free_mb: int = DEFAULT_MIN_FREE_MB
    # publish although the contract marts shrink more than the audit allows (publish/audit.yml)
    allow_shrink: bool = False

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> SiyuSettings:
        env = os.environ if environ is None else environ
        landing_dir = Path(env.get("SIYU_LANDING_DIR") or DEFAULT_LANDING_DIR).resolve()
        ground_truth = env.get("SIYU_GROUND_TRUTH_DIR")
        ground_truth_dir = (
            Path(ground_truth) if ground_truth else landing_dir.parent / "ground_truth"
        )
        return cls(
            landing_dir=landing_dir,
            warehouse_path=Path(env.get("SIYU_WAREHOUSE") or DEFAULT_WAREHOUSE).resolve(),
            work_warehouse_path=Path(
                env.get("SIYU_WORK_WAREHOUSE") or DEFAULT_WORK_WAREHOUSE
            ).resolve(),
            parquet_dir=_optional_path(env.get("SIYU_PARQUET_DIR"), DEFAULT_PARQUET_DIR),
            dbt_target=env.get("SIYU_TARGET") or "duckdb",
            refresh_cron=env.get("SIYU_REFRESH_CRON") or DEFAULT_REFRESH_CRON,
            # a generator's ground truth beside the landing folder (the committed sample has one)
            ground_truth_dir=ground_truth_dir if ground_truth_dir.is_dir() else None,
            spark_dir=Path(env.get("SIYU_SPARK_DIR") or DEFAULT_SPARK_DIR).resolve(),
            force_build=is_switched_on(env.get("SIYU_FORCE_BUILD")),
            full_refresh=is_switched_on(env.get("SIYU_FULL_REFRESH")),
            dbt_targets_kept=_count(env, "SIYU_DBT_TARGETS_KEPT", DEFAULT_DBT_TARGETS_KEPT),
            min_free_mb=_count(env, "SIYU_MIN_FREE_MB", DEFAULT_MIN_FREE_MB),
            allow_shrink=is_switched_on(env.get("SIYU_ALLOW_SHRINK")),
        )


def worker_threads(limit: int) -> int:
    """Threads for work done side by side in one step: `limit`, but no more than the cores."""
    return max(1, min(limit, os.cpu_count() or 1))


def is_switched_on(value: str | None) -> bool:
    """A switch (environment variable or run tag): on unless unset or off, 0, false, no, none."""
    return (value or "").strip().lower() not in DISABLED


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    """A whole-number setting (0 or more); unset or empty gives the default."""
    value = env.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ValueError(f"{name} must be a whole number of 0 or more, not {value!r}")
    return number


def _optional_path(value: str | None, default: Path) -> Path | None:
    """A path setting that `off` (or 0, false, none, empty) disables."""
    if value is None:
        return default
    return Path(value).resolve() if is_switched_on(value) else None


@contextmanager
def environment_set(values: Mapping[str, str]) -> Iterator[None]:
    """os.environ with `values` set, restored afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
