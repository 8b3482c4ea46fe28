"""Skip the dbt build when nothing it reads has changed since the published marts were built.

The marts are a pure function of what the build reads: the raw tables (dbt's sources), the
project (models, macros, seeds, tag rules, vars and the environment variables they read), the
Python code of the identity model, and the engine. What gates and follows the build (the mart
suites, the audit rules, the report and audience exports) is siyu's own code and suites, so those
count too: a change to them rebuilds and re-checks once. The daily schedule and the landing sensor
both start the job, so on most days one of the two runs finds nothing new: rebuilding then
costs the whole build, its tests, the suites and a publish (74 s at scale 1) to produce the
marts already published.

The digest of those inputs (`inputs_fingerprint`) is recorded in the working warehouse when a
full build succeeds (`meta.dbt_build_inputs`), and travels with the marts into the published
warehouse's publish log and the publish record beside the working warehouse (siyu/
publish/record.py, what runs read). A run skips the build (and so the mart checks, the audit and
publishing, which follow it) only when

- the run builds every dbt asset (a subset run always builds, and clears the record),
- no rebuild is forced (`SIYU_FORCE_BUILD=1`, or the run tag `siyu/force_build=true`),
- the working warehouse's record and the published version's both equal the current digest:
  the marts on both sides were built, tested, audited and published from these very inputs.

A failed build leaves no record (it is cleared before dbt starts), so the next run builds again.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from siyu.settings import REPO_ROOT

BUILD_INPUTS_TABLE = "meta.dbt_build_inputs"
RAW_SCHEMA = "raw"
FORCE_BUILD_TAG = "siyu/force_build"
# siyu's code (the library: the identity model's imports, the suites, audit, report and exports
# after the build; the Dagster code location that runs them) and its expectation suites. The
# sample-data generator and the benchmark (sample_data/, bench/) do not shape the marts.
SIYU_CODE_DIRS = (REPO_ROOT / "siyu", REPO_ROOT / "orchestration", REPO_ROOT / "expectations")
ENGINE_PACKAGES = ("duckdb", "dbt-duckdb", "dbt-spark")


def digest_of(parts: Iterable[str]) -> str:
    """sha256 of the parts, each ended by a NUL."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def engine_versions() -> list[str]:
    """`package=version` of each engine package (ENGINE_PACKAGES)."""
    return [f"{name}={_package_version(name)}" for name in ENGINE_PACKAGES]


def code_fingerprint(code_dirs: Iterable[Path] = SIYU_CODE_DIRS) -> str:
    """siyu's code and suites (every file but compiled bytecode), and the engine versions."""
    parts = engine_versions()
    for code_dir in code_dirs:
        for path in sorted(code_dir.rglob("*")):
            if path.is_file() and path.suffix != ".pyc":
                content = hashlib.sha256(path.read_bytes()).hexdigest()
                parts += [path.relative_to(code_dir.parent).as_posix(), content]
    return digest_of(parts)


def table_fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Row count and an order-free sum of row hashes: any insert, delete or changed value shows."""
    try:
        rows, hashes = con.execute(
            f"select count(*), coalesce(sum(hash(source_rows)), 0) from {table} as source_rows"
        ).fetchone()
    except duckdb.CatalogException:
        return f"{table}: missing"
    return f"{table}: {rows} {hashes}"


def inputs_fingerprint(
    con: duckdb.DuckDBPyConnection,
    source_tables: Iterable[str],
    project_fingerprint: str,
    settings_in_effect: Mapping[str, str],
) -> str:
    """The digest of everything the dbt build reads (see the module docstring): the source
    tables, and every other table of the raw layer too (the erasure lists and logs: an erasure
    also deletes rows from the history dbt keeps, which must then be published)."""
    parts = [project_fingerprint, code_fingerprint()]
    parts += [f"{name}={value}" for name, value in sorted(settings_in_effect.items())]
    tables = set(source_tables) | set(raw_layer_tables(con))
    parts += [table_fingerprint(con, table) for table in sorted(tables)]
    return digest_of(parts)


def raw_layer_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        f"where table_catalog = current_database() and table_schema = '{RAW_SCHEMA}'"
    ).fetchall()
    return [f"{RAW_SCHEMA}.{name}" for (name,) in rows]


def ensure_build_inputs_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists meta")
    con.execute(
        f"""
        create table if not exists {BUILD_INPUTS_TABLE} (
            inputs_fingerprint varchar not null,
            built_at_utc timestamp not null
        )
        """
    )


def recorded_build(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> str | None:
    """The inputs of the last full build that succeeded in this warehouse (or in the attached
    `catalog`), if it stands."""
    table = f"{catalog}.{BUILD_INPUTS_TABLE}" if catalog else BUILD_INPUTS_TABLE
    try:
        row = con.execute(f"select inputs_fingerprint from {table}").fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def clear_recorded_build(con: duckdb.DuckDBPyConnection) -> None:
    """Before a build: until it succeeds, the marts no longer match any recorded inputs."""
    ensure_build_inputs_table(con)
    con.execute(f"delete from {BUILD_INPUTS_TABLE}")


def record_build(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    ensure_build_inputs_table(con)
    con.execute("begin")
    con.execute(f"delete from {BUILD_INPUTS_TABLE}")
    con.execute(
        f"insert into {BUILD_INPUTS_TABLE} values (?, now()::timestamp)",
        [fingerprint],
    )
    con.execute("commit")


@dataclass(frozen=True)
class BuildDecision:
    build: bool
    reason: str


def decide_build(
    current: str,
    built: str | None,
    published: str | None,
    builds_everything: bool,
    forced: bool,
) -> BuildDecision:
    """Whether the dbt build must run, and why (see the module docstring for the rules)."""
    if forced:
        return BuildDecision(True, "a rebuild was forced")
    if not builds_everything:
        return BuildDecision(True, "the run builds a subset of the dbt assets")
    if built != current:
        return BuildDecision(True, "the inputs changed since the working warehouse's last build")
    if published != current:
        return BuildDecision(True, "the published marts were not built from these inputs")
    return BuildDecision(False, "nothing the build reads changed since the published version")
