"""Publish audited marts from the working warehouse to the serving location, atomically.

The pipeline writes only to the *working* warehouse. Publishing copies its `marts` schema into a
new DuckDB file beside the published one and renames it over the published path: readers that
hold the old file open keep reading the old version (the rename swaps directory entries, not
file contents), new readers see the new one, nobody ever sees a half-written file, and the
published file is never opened for writing, so a reader is never locked out by a running job.

Optionally each mart is also written as Parquet under `<parquet_dir>/<publish_id>/` with a
`manifest.json`; `<parquet_dir>/current.json` (replaced atomically) points at the latest one.
"""

from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.dbt.build_inputs import recorded_build

PUBLISHED_SCHEMA = "marts"
PUBLISH_LOG_TABLE = "meta.publish_log"
PARQUET_VERSIONS_KEPT = 3


@dataclass(frozen=True)
class PublishResult:
    publish_id: str
    published_path: Path
    tables: dict[str, int]
    parquet_manifest: Path | None


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def mart_tables(
    con: duckdb.DuckDBPyConnection, schema: str = PUBLISHED_SCHEMA, catalog: str | None = None
) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = ? and table_type = 'BASE TABLE' "
        "and (? is null or table_catalog = ?) order by table_name",
        [schema, catalog, catalog],
    ).fetchall()
    return [row[0] for row in rows]


def _copy_marts(work_db: Path, target: Path, publish_id: str, published_at: datetime) -> dict:
    tables: dict[str, int] = {}
    with duckdb.connect(str(target)) as con:
        # a table has no row order to keep: letting DuckDB write the copies out of order spares
        # it the ordered sink (scale 1: 5.27 -> 4.92 s for publishing, three pairs)
        con.execute("set preserve_insertion_order = false")
        con.execute(f"attach '{work_db}' as work (read_only)")
        con.execute(f"create schema {PUBLISHED_SCHEMA}")
        con.execute("create schema meta")
        for table in mart_tables(con, catalog="work"):
            con.execute(
                f"create table {PUBLISHED_SCHEMA}.{table} as "
                f"select * from work.{PUBLISHED_SCHEMA}.{table}"
            )
            tables[table] = con.execute(
                f"select count(*) from {PUBLISHED_SCHEMA}.{table}"
            ).fetchone()[0]
        con.execute(
            f"""
            create table {PUBLISH_LOG_TABLE} as
            select ? as publish_id, ?::timestamp as published_at_utc, ? as tables_json,
                ?::varchar as inputs_fingerprint
            """,
            [publish_id, published_at, json.dumps(tables), recorded_build(con, catalog="work")],
        )
        con.execute("detach work")
        con.execute("checkpoint")
    return tables


def _write_parquet_version(
    work_db: Path, parquet_dir: Path, publish_id: str, published_at: datetime
) -> dict[str, object]:
    """Every mart as Parquet in `<parquet_dir>/<publish_id>/` with its manifest.json; readers
    find the folder only once current.json points at it (`_point_current`)."""
    version_dir = parquet_dir / publish_id
    version_dir.mkdir(parents=True, exist_ok=True)
    files = {}
    with duckdb.connect(str(work_db), read_only=True) as con:
        for table in mart_tables(con):
            target = version_dir / f"{table}.parquet"
            con.execute(f"copy {PUBLISHED_SCHEMA}.{table} to '{target}' (format parquet)")
            files[table] = target.name
    manifest = {
        "publish_id": publish_id,
        "published_at_utc": published_at.isoformat(),
        "tables": files,
    }
    (version_dir / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def _point_current(parquet_dir: Path, manifest: dict[str, object], publish_id: str) -> Path:
    """Replace current.json atomically with the new version's, then prune old versions."""
    current = parquet_dir / "current.json"
    staged = parquet_dir / f".current.{publish_id}.json"
    staged.write_text(json.dumps({**manifest, "path": publish_id}, indent=2), encoding="utf-8")
    os.replace(staged, current)
    _prune_parquet_versions(parquet_dir, keep=publish_id)
    return parquet_dir / publish_id / "manifest.json"


def _prune_parquet_versions(parquet_dir: Path, keep: str) -> None:
    versions = sorted(
        (child for child in parquet_dir.iterdir() if child.is_dir()),
        key=lambda child: child.name,
    )
    for old in versions[:-PARQUET_VERSIONS_KEPT]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)


def remove_parquet_versions_but_current(parquet_dir: Path) -> list[Path]:
    """Remove every Parquet version but the one current.json points at (after an erasure, the
    older versions still hold the erased people); returns the folders removed."""
    current = parquet_dir / "current.json"
    if not current.exists():
        return []
    kept = json.loads(current.read_text(encoding="utf-8"))["path"]
    removed = [child for child in parquet_dir.iterdir() if child.is_dir() and child.name != kept]
    for old in removed:
        shutil.rmtree(old)
    return removed


def publish_marts(
    work_db: Path, published_db: Path, parquet_dir: Path | None = None
) -> PublishResult:
    """Copy the working warehouse's marts into the published file by an atomic rename.

    The Parquet copy is written at the same time (a second thread: DuckDB works outside the
    GIL), and current.json points at it only after the DuckDB file is in place; when the DuckDB
    copy fails, the new Parquet folder is removed and current.json keeps the old version.
    """
    published_at = datetime.now(UTC).replace(tzinfo=None)
    publish_id = published_at.strftime("%Y%m%dT%H%M%S%fZ")
    published_db.parent.mkdir(parents=True, exist_ok=True)
    staged = published_db.with_name(f".{published_db.name}.{publish_id}.tmp")
    with ThreadPoolExecutor(max_workers=1) as pool:
        parquet = (
            pool.submit(_write_parquet_version, work_db, parquet_dir, publish_id, published_at)
            if parquet_dir
            else None
        )
        try:
            tables = _copy_marts(work_db, staged, publish_id, published_at)
            _fsync(staged)
            os.replace(staged, published_db)
        except BaseException:
            if parquet is not None and parquet_dir is not None:
                wait([parquet])
                shutil.rmtree(parquet_dir / publish_id, ignore_errors=True)
            raise
        finally:
            staged.unlink(missing_ok=True)
        manifest = (
            _point_current(parquet_dir, parquet.result(), publish_id)
            if parquet is not None and parquet_dir is not None
            else None
        )
    return PublishResult(publish_id, published_db, tables, manifest)


def last_publish(published_db: Path) -> tuple[str, datetime] | None:
    """The publish id and time of the currently published version, if any."""
    if not published_db.exists():
        return None
    with duckdb.connect(str(published_db), read_only=True) as con:
        row = con.execute(
            f"select publish_id, published_at_utc from {PUBLISH_LOG_TABLE}"
        ).fetchone()
    return (row[0], row[1]) if row else None


def published_version(published_db: Path) -> str:
    """The published version as people read it: `<publish id> (published <time> UTC)`."""
    previous = last_publish(published_db)
    return f"{previous[0]} (published {previous[1]:%Y-%m-%d %H:%M} UTC)" if previous else "none"


def published_inputs(published_db: Path) -> str | None:
    """The inputs the published marts were built from; None when unknown (nothing published,
    or published before siyu recorded them)."""
    if not published_db.exists():
        return None
    with duckdb.connect(str(published_db), read_only=True) as con:
        columns = {row[0] for row in con.execute(f"describe {PUBLISH_LOG_TABLE}").fetchall()}
        if "inputs_fingerprint" not in columns:
            return None
        row = con.execute(f"select inputs_fingerprint from {PUBLISH_LOG_TABLE}").fetchone()
    return row[0] if row else None
