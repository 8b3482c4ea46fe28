"""Glue for the spark dbt target: the raw layer to Spark, the built tables back to DuckDB.

Ingestion always loads into DuckDB's schema `raw` (one loader, one quarantine, one ledger). For
the spark target the raw tables are handed to Spark as Parquet, one folder per table
(`<spark_dir>/raw/<table>/`), which the dbt on-run-start hook `register_raw_tables` declares as
external tables. After the build, the tables dbt wrote (Parquet under
`<spark_dir>/warehouse/<schema>.db/<table>/`) are copied into the working DuckDB warehouse, so the
audit, publish, report and exports read them exactly as after a DuckDB build.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from siyu.erasure.requests import ensure_erasure_tables

# the schemas dbt builds (generate_schema_name: the folder's +schema, seeds in the target schema)
BUILT_SCHEMAS = ("main", "staging", "intermediate", "marts", "snapshots")
JAVA_MISSING = (
    "The spark target needs a Java runtime (17 or newer) for the local Spark session, and none "
    "was found (no JAVA_HOME, no `java` on the PATH). Install one, e.g. "
    "`apt-get install openjdk-17-jre-headless`, or set JAVA_HOME."
)


def java_home() -> str | None:
    """The Java runtime Spark will use: JAVA_HOME, else the `java` on the PATH; None if absent."""
    configured = os.environ.get("JAVA_HOME")
    if configured and (Path(configured) / "bin" / "java").exists():
        return configured
    java = shutil.which("java")
    return str(Path(java).resolve().parents[1]) if java else None


def require_java() -> None:
    if java_home() is None:
        raise RuntimeError(JAVA_MISSING)


def spark_env(spark_dir: Path) -> dict[str, str]:
    """Environment the dbt profile's spark target reads (absolute paths, whatever the cwd)."""
    return {"SIYU_SPARK_DIR": str(spark_dir.resolve())}


def export_raw_tables(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> dict[str, int]:
    """Write every table of DuckDB's schema raw to raw_dir/<table>/part-0.parquet (replacing
    what was there); returns the rows written per table. The erasure tables are among them
    (created if missing): the hook erase_history_of_erased_customers reads the erased
    customers' keyed hashes."""
    ensure_erasure_tables(con)
    tables = [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'raw' and table_type = 'BASE TABLE' order by table_name"
        ).fetchall()
    ]
    rows = {}
    for table in tables:
        folder = raw_dir / table
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        target = str(folder / "part-0.parquet").replace("'", "''")
        con.execute(f"copy raw.\"{table}\" to '{target}' (format parquet)")
        rows[table] = con.execute(f'select count(*) from raw."{table}"').fetchone()[0]
    return rows


def spark_table_folders(spark_dir: Path, schemas: tuple[str, ...] = BUILT_SCHEMAS) -> dict:
    """(schema, table) -> Parquet folder of every table dbt built on the local Spark session."""
    warehouse = spark_dir / "warehouse"
    folders = {}
    for schema in schemas:
        schema_dir = warehouse / f"{schema}.db"
        if not schema_dir.is_dir():
            continue
        for table_dir in sorted(schema_dir.iterdir()):
            if table_dir.is_dir() and any(table_dir.glob("*.parquet")):
                folders[(schema, table_dir.name)] = table_dir
    return folders


def spark_parquet_select(con: duckdb.DuckDBPyConnection, folder: Path) -> str:
    """A DuckDB query over a Spark table's Parquet files with Spark's types mapped back.

    Spark's TIMESTAMP is an instant that the session (time zone UTC, profiles.yml) shows as
    siyu's local wall-clock time; its Parquet files mark it adjusted to UTC, which DuckDB reads
    as TIMESTAMP WITH TIME ZONE. It is read back as the plain TIMESTAMP it was on DuckDB.
    """
    files = "'" + str(folder / "*.parquet").replace("'", "''") + "'"
    columns = con.execute(f"describe select * from read_parquet({files})").fetchall()
    select_list = ", ".join(
        f'timezone(\'UTC\', "{name}") as "{name}"'
        if column_type == "TIMESTAMP WITH TIME ZONE"
        else f'"{name}"'
        for name, column_type, *_ in columns
    )
    return f"select {select_list} from read_parquet({files})"


def import_spark_tables(con: duckdb.DuckDBPyConnection, spark_dir: Path) -> list[str]:
    """Replace the DuckDB tables of the built schemas by the tables the Spark build wrote."""
    imported = []
    for (schema, table), folder in spark_table_folders(spark_dir).items():
        con.execute(f'create schema if not exists "{schema}"')
        con.execute(
            f'create or replace table "{schema}"."{table}" as ' + spark_parquet_select(con, folder)
        )
        imported.append(f"{schema}.{table}")
    return imported
