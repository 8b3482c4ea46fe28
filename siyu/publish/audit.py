"""The audit that must pass before marts are published (the "audit" of write-audit-publish).

Every rule here blocks publishing. The audit checks only what must run on the publish candidate
itself; the dbt tests (which fail the build, and so stop publishing, on an error-severity
failure) own each mart's primary key and the contract's reconciliations (docs/quality.md):

* every contract mart exists (siyu/marts.py: every model under dbt_project/models/marts);
* no mart text column holds a mobile number in clear;
* no mart text column holds a name or an address copied from the exports;
* nothing empty or implausible: the raw layer holds rows (an empty or mis-pointed landing folder
  loads none, and the marts built on it would be empty), and no contract mart loses more of the
  rows of the version published now than audit.yml's `shrink` allows (row counts from the publish
  record beside the working warehouse; the published file is never opened).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import duckdb
import yaml

from siyu.cursors import on_cursors
from siyu.ingestion.specs import load_source_specs
from siyu.marts import contract_marts
from siyu.privacy import find_clear_mobiles, text_columns
from siyu.settings import worker_threads

AUDIT_FILE = Path(__file__).with_name("audit.yml")
MIN_PERSONAL_TEXT_LENGTH = 2
# rules run side by side (audit_warehouse); no more than the machine's cores
AUDIT_WORKERS = 2
# the rules by their time at scale 1 (1.5 s, 1.1 s, the rest 0.01 s): the slowest start first
SLOWEST_RULES_FIRST = (
    "copied_personal_text",
    "clear_mobiles",
    "marts_present",
    "raw_loaded",
    "shrink",
)
ALLOW_SHRINK_TAG = "siyu/allow_shrink"
SHRINK_OVERRIDE = (
    f"a deliberate shrink (a large erasure, a withdrawn delivery) is published by one run with "
    f"SIYU_ALLOW_SHRINK=1 or the run tag {ALLOW_SHRINK_TAG}=true"
)


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
    # what to check about the failures (said once, after them), or what was let through
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def lines(self) -> list[str]:
        return [
            f"{f.rule} on {f.table}: {f.detail}"
            + (f" (e.g. {', '.join(f.examples)})" if f.examples else "")
            for f in self.failures
        ] + list(dict.fromkeys(self.notes))


def personal_text_columns() -> list[str]:
    """raw.<table>.<column> holding names, addresses or free text people typed, as each source
    declares them (`personal_text` in siyu/ingestion/sources.yml)."""
    return [
        f"{spec.name}.{column}"
        for spec in load_source_specs().values()
        for column in spec.personal_text
    ]


def load_audit_config(path: Path = AUDIT_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _existing_tables(con: duckdb.DuckDBPyConnection, schema: str) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ?", [schema]
    ).fetchall()
    return {row[0] for row in rows}


def check_marts_present(
    con: duckdb.DuckDBPyConnection, marts: list[str], report: AuditReport
) -> None:
    """Every contract mart was built (its key and reconciliations are dbt tests of the build)."""
    report.rules_checked += 1
    existing = _existing_tables(con, "marts")
    for table in marts:
        if table not in existing:
            report.failures.append(AuditFailure("mart_missing", f"marts.{table}", "not built"))


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


def _row_count(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> int:
    return con.execute(f'select count(*) from {schema}."{table}"').fetchone()[0]


def check_raw_loaded(con: duckdb.DuckDBPyConnection, landing_dir: str, report: AuditReport) -> None:
    """Some source holds rows in raw: with none, every mart would be built empty."""
    report.rules_checked += 1
    sources = sorted(load_source_specs())
    existing = _existing_tables(con, "raw")
    if any(_row_count(con, "raw", source) for source in sources if source in existing):
        return
    report.failures.append(
        AuditFailure(
            "nothing_loaded",
            "raw",
            f"none of the {len(sources)} sources holds a row, so every mart would be empty",
        )
    )
    report.notes.append(
        f"check the landing folder {landing_dir} (SIYU_LANDING_DIR): it must hold one folder per "
        f"source ({', '.join(sources[:3])}, ...) with the exports in it; the run summary lists "
        "the files each source found"
    )


def check_shrink(
    con: duckdb.DuckDBPyConnection,
    marts: list[str],
    policy: dict,
    published_rows: Mapping[str, int] | None,
    landing_dir: str,
    allowed: bool,
    report: AuditReport,
) -> None:
    """No contract mart loses more than its allowed share of the published version's rows."""
    if not published_rows:
        return  # nothing published from this working warehouse yet (or not recorded)
    existing = _existing_tables(con, "marts")
    limits = policy.get("max_share_lost_by_mart") or {}
    shrunk = []
    for table in marts:
        before = published_rows.get(table, 0)
        if table not in existing or before < policy["min_rows_published"]:
            continue
        report.rules_checked += 1
        after = _row_count(con, "marts", table)
        lost, limit = (before - after) / before, limits.get(table, policy["max_share_lost"])
        if lost > limit:
            shrunk.append(
                AuditFailure(
                    "shrink",
                    f"marts.{table}",
                    f"{before:,} rows published, {after:,} now (-{lost:.0%}; at most "
                    f"-{limit:.0%} allowed, audit.yml shrink)",
                )
            )
    if shrunk and allowed:
        report.notes += [f"allowed by SIYU_ALLOW_SHRINK: {line}" for line in _lines(shrunk)]
    elif shrunk:
        report.failures += shrunk
        report.notes.append(
            f"check that the landing folder {landing_dir} (SIYU_LANDING_DIR) still holds every "
            "source's exports (a working warehouse that was emptied or replaced loads only what "
            "is there now) and whether a change to the dbt models drops rows; "
            f"{SHRINK_OVERRIDE}"
        )


def _lines(failures: list[AuditFailure]) -> list[str]:
    return AuditReport(failures=failures).lines()


def audit_warehouse(
    con: duckdb.DuckDBPyConnection,
    config: dict | None = None,
    published_rows: Mapping[str, int] | None = None,
    landing_dir: str = "",
    allow_shrink: bool = False,
) -> AuditReport:
    """Every rule of the audit, on cursors of `con`, two rules at a time.

    The rules only query DuckDB, which works outside the GIL, and most of their queries are on
    small marts, where one query leaves a core idle (scale 1: 3.1 -> 2.7 s, three runs each).
    The slowest rules start first; the failures are listed in the rules' order, whatever order
    they finish in. `published_rows` (mart -> rows of the version published now) is what the
    shrink rule compares with; without it (nothing published yet) that rule checks nothing.
    """
    config = config or load_audit_config()
    marts = contract_marts()
    rules: dict[str, Callable[..., None]] = {  # in the order their failures are listed
        "marts_present": partial(check_marts_present, marts=marts),
        "clear_mobiles": check_clear_mobiles,
        "copied_personal_text": partial(
            check_copied_personal_text, personal_columns=personal_text_columns()
        ),
        "raw_loaded": partial(check_raw_loaded, landing_dir=landing_dir),
        "shrink": partial(
            check_shrink,
            marts=marts,
            policy=config["shrink"],
            published_rows=published_rows,
            landing_dir=landing_dir,
            allowed=allow_shrink,
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
        report.notes.extend(parts[name].notes)
        report.rules_checked += parts[name].rules_checked
    return report
