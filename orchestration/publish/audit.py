"""The audit that must pass before marts are published (the "audit" of write-audit-publish).

Every rule here blocks publishing. They complement the dbt tests (which already fail the build
on an error-severity failure) with what needs the whole warehouse at once:

* every contract mart exists and its primary key is unique and not null (audit.yml);
* no mart text column holds a mobile number in clear;
* no mart text column holds a name or an address copied from the exports;
* the marts contract's reconciliations hold (GMV of resolved customers = their net orders).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import duckdb
import yaml

from orchestration.privacy import find_clear_mobiles, text_columns
from orchestration.resources import on_cursors
from orchestration.settings import worker_threads

AUDIT_FILE = Path(__file__).with_name("audit.yml")
MIN_PERSONAL_TEXT_LENGTH = 2
# rules run side by side (audit_warehouse); no more than the machine's cores
AUDIT_WORKERS = 2
# the rules by their time at scale 1 (1.5 s, 1.1 s, 0.8 s, 0.01 s): the slowest start first
SLOWEST_RULES_FIRST = ("copied_personal_text", "clear_mobiles", "primary_keys", "reconciliations")


@dataclass(frozen=True)
class AuditFailure:
    rule: str
    table: str
    detail: str
    examples: tuple[str, ...] = ()


@dataclass
class AuditReport:
    failures: list[AuditFailure] = field(default_factory=list)
    rules_checked: int = 0

    @property
    def passed(self) -> bool:
        return not self.failures

    def lines(self) -> list[str]:
        return [
            f"{f.rule} on {f.table}: {f.detail}"
            + (f" (e.g. {', '.join(f.examples)})" if f.examples else "")
            for f in self.failures
        ]


def load_audit_config(path: Path = AUDIT_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _existing_tables(con: duckdb.DuckDBPyConnection, schema: str) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ?", [schema]
    ).fetchall()
    return {row[0] for row in rows}


def check_primary_keys(con: duckdb.DuckDBPyConnection, marts: dict, report: AuditReport) -> None:
    existing = _existing_tables(con, "marts")
    for table, spec in marts.items():
        report.rules_checked += 1
        if table not in existing:
            report.failures.append(AuditFailure("mart_missing", f"marts.{table}", "not built"))
            continue
        key = ", ".join(spec["primary_key"])
        not_null = " or ".join(f"{column} is null" for column in spec["primary_key"])
        nulls = con.execute(f"select count(*) from marts.{table} where {not_null}").fetchone()[0]
        if nulls:
            report.failures.append(
                AuditFailure("null_key", f"marts.{table}", f"{nulls} row(s) with a null {key}")
            )
        duplicates = con.execute(
            f"select {key}, count(*) from marts.{table} group by {key} having count(*) > 1 limit 3"
        ).fetchall()
        if duplicates:
            report.failures.append(
                AuditFailure(
                    "duplicate_key",
                    f"marts.{table}",
                    f"{key} is not unique",
                    tuple(str(row[:-1]) for row in duplicates),
                )
            )


def check_clear_mobiles(con: duckdb.DuckDBPyConnection, report: AuditReport) -> None:
    report.rules_checked += 1
    for finding in find_clear_mobiles(con, ["marts"]):
        report.failures.append(
            AuditFailure(
                "clear_mobile",
                finding.table,
                f"column {finding.column} holds {finding.rows} clear mobile number(s)",
                (finding.example,),
            )
        )


def check_copied_personal_text(
    con: duckdb.DuckDBPyConnection, personal_columns: list[str], report: AuditReport
) -> None:
    """No mart value equals a name or address delivered in the exports (raw layer)."""
    report.rules_checked += 1
    raw_tables = _existing_tables(con, "raw")
    sources = []
    for qualified in personal_columns:
        table, column = qualified.split(".")
        if table in raw_tables:
            sources.append(
                f"select distinct trim({column}) as personal_text from raw.{table} "
                f"where length(trim({column})) >= {MIN_PERSONAL_TEXT_LENGTH} "
                f"and {column} not like '%*%'"
            )
    if not sources:
        return
    con.execute("create or replace temp table _personal_text as " + " union ".join(sources))
    for schema, table, column in text_columns(con, ["marts"]):
        hits = con.execute(
            f"""
            select distinct "{column}" from "{schema}"."{table}"
            where trim("{column}"::varchar) in (select personal_text from _personal_text)
            limit 3
            """
        ).fetchall()
        if hits:
            report.failures.append(
                AuditFailure(
                    "copied_personal_text",
                    f"{schema}.{table}",
                    f"column {column} holds names or addresses from the exports",
                    tuple(str(hit[0]) for hit in hits),
                )
            )


def check_reconciliations(
    con: duckdb.DuckDBPyConnection, reconciliations: list[dict], report: AuditReport
) -> None:
    existing = _existing_tables(con, "marts")
    for rule in reconciliations:
        if not set(rule["tables"]) <= existing:
            continue
        report.rules_checked += 1
        left, right = con.execute(f"select ({rule['left']}), ({rule['right']})").fetchone()
        if (left or 0) != (right or 0):
            report.failures.append(
                AuditFailure(
                    "reconciliation",
                    ", ".join(f"marts.{t}" for t in rule["tables"]),
                    f"{rule['name']}: {left} != {right}",
                )
            )


def audit_warehouse(con: duckdb.DuckDBPyConnection, config: dict | None = None) -> AuditReport:
    """Every rule of the audit, on cursors of `con`, two rules at a time.

    The rules only query DuckDB, which works outside the GIL, and most of their queries are on
    small marts, where one query leaves a core idle (scale 1: 3.1 -> 2.7 s, three runs each).
    The slowest rules start first; the failures are listed in the rules' order, whatever order
    they finish in.
    """
    config = config or load_audit_config()
    rules: dict[str, Callable[..., None]] = {  # in the order their failures are listed
        "primary_keys": partial(check_primary_keys, marts=config["marts"]),
        "clear_mobiles": check_clear_mobiles,
        "copied_personal_text": partial(
            check_copied_personal_text, personal_columns=config["personal_text_columns"]
        ),
        "reconciliations": partial(
            check_reconciliations, reconciliations=config["reconciliations"]
        ),
    }

    def run_rule(cursor: duckdb.DuckDBPyConnection, name: str) -> AuditReport:
        part = AuditReport()
        rules[name](cursor, report=part)
        return part

    parts = dict(on_cursors(con, SLOWEST_RULES_FIRST, worker_threads(AUDIT_WORKERS), run_rule))
    report = AuditReport()
    for name in rules:
        report.failures.extend(parts[name].failures)
        report.rules_checked += parts[name].rules_checked
    return report
