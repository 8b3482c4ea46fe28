"""Suite files: one Great Expectations 1.x ExpectationSuite JSON per checked table.

A suite file is what GE itself writes (`name`, `expectations`, `meta`), plus siyu's settings under
`meta.siyu`:

    table            the warehouse table the suite checks, e.g. `raw.mp_users`
    query            optional SQL that replaces the table as the row source (e.g. a filter)
    derived_columns  name -> DuckDB SQL expression over one row of the table; typed views of
                     verbatim text (a backtick-stripped amount as a number, a unix time as a
                     year) that expectations then name like any other column. `{{ var('x') }}`
                     is replaced by dbt var x of dbt_project.yml as a SQL literal, so a suite
                     uses the same lists as staging (e.g. siyu_local_datetime_layouts)
    pii_columns      columns whose values are shape-masked in failure examples
    key_columns      the columns that identify a row, shown with every failing example (default:
                     the raw lineage columns `_file_name`, `_row_number`); marts name their key

Reading a file needs no Great Expectations import; the runner builds the GE objects.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from siyu.settings import DBT_PROJECT_DIR, REPO_ROOT

EXPECTATIONS_DIR = REPO_ROOT / "expectations"
RAW_SUITES_DIR = EXPECTATIONS_DIR / "raw"
MART_SUITES_DIR = EXPECTATIONS_DIR / "marts"
# the lineage columns every raw table carries: they locate a failing row in its export file
RAW_FILE_COLUMN = "_file_name"
RAW_ROW_COLUMN = "_row_number"
RAW_LOCATOR_COLUMNS = (RAW_FILE_COLUMN, RAW_ROW_COLUMN)
SEVERITIES = ("critical", "warning", "info")
DEFAULT_SEVERITY = "critical"
# kwargs that name columns of the checked rows
COLUMN_KWARGS = ("column", "column_A", "column_B")
COLUMN_LIST_KWARGS = ("column_list", "column_set")
DBT_VAR_PATTERN = re.compile(r"\{\{\s*var\(\s*'([A-Za-z0-9_]+)'\s*\)\s*\}\}")


class SuiteFileError(ValueError):
    """A suite file that cannot be used (bad JSON, missing settings)."""


@dataclass(frozen=True)
class SuiteDefinition:
    """One suite file, as written."""

    name: str
    path: Path
    table: str
    expectations: tuple[dict[str, Any], ...]
    derived_columns: dict[str, str] = field(default_factory=dict)
    pii_columns: frozenset[str] = frozenset()
    query: str | None = None
    notes: str | None = None
    key_columns: tuple[str, ...] = RAW_LOCATOR_COLUMNS

    @property
    def source(self) -> str:
        """The table name without its schema (`raw.mp_users` -> `mp_users`)."""
        return self.table.rsplit(".", 1)[-1]

    @property
    def schema(self) -> str:
        """The table's schema (`raw.mp_users` -> `raw`)."""
        return self.table.rsplit(".", 1)[0] if "." in self.table else ""

    def referenced_columns(self) -> set[str]:
        """Every column some expectation names (raw and derived)."""
        return {
            name for expectation in self.expectations for name in expectation_columns(expectation)
        }

    def severity_of(self, index: int) -> str:
        return self.expectations[index].get("severity", DEFAULT_SEVERITY)


def expectation_columns(expectation: dict[str, Any]) -> list[str]:
    """The columns an expectation's kwargs name, in order."""
    kwargs = expectation.get("kwargs", {})
    names = [kwargs[key] for key in COLUMN_KWARGS if key in kwargs]
    for key in COLUMN_LIST_KWARGS:
        names.extend(kwargs.get(key, []))
    return names


@cache
def dbt_vars() -> dict[str, Any]:
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return dict(project.get("vars") or {})


def sql_literal(value: Any) -> str:
    """A dbt var's value as DuckDB SQL: 'text', 12, true, null or a [list]."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(sql_literal(item) for item in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def render_sql(sql: str, path: Path) -> str:
    """Replace each {{ var('name') }} with the dbt var's value as a SQL literal."""

    def literal(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in dbt_vars():
            raise SuiteFileError(f"{path}: dbt var {name!r} is not in dbt_project.yml")
        return sql_literal(dbt_vars()[name])

    return DBT_VAR_PATTERN.sub(literal, sql)


def _settings(document: dict[str, Any], path: Path) -> dict[str, Any]:
    settings = document.get("meta", {}).get("siyu")
    if not isinstance(settings, dict) or not settings.get("table"):
        raise SuiteFileError(f"{path}: meta.siyu.table is required")
    derived = settings.get("derived_columns", {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in derived.items()):
        raise SuiteFileError(f"{path}: meta.siyu.derived_columns must map names to SQL text")
    return settings


def _check_expectations(expectations: list[Any], path: Path) -> None:
    if not expectations:
        raise SuiteFileError(f"{path}: a suite needs at least one expectation")
    for index, expectation in enumerate(expectations):
        if not isinstance(expectation, dict) or "type" not in expectation:
            raise SuiteFileError(f"{path}: expectation {index} has no `type`")
        severity = expectation.get("severity", DEFAULT_SEVERITY)
        if severity not in SEVERITIES:
            raise SuiteFileError(
                f"{path}: expectation {index} ({expectation['type']}): severity {severity!r} "
                f"is not one of {', '.join(SEVERITIES)}"
            )


def load_suite(path: Path) -> SuiteDefinition:
    """Read one suite file; raises SuiteFileError when it is unusable."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise SuiteFileError(f"{path}: not valid JSON: {error}") from error
    settings = _settings(document, path)
    expectations = document.get("expectations", [])
    _check_expectations(expectations, path)
    return SuiteDefinition(
        name=document.get("name") or path.stem,
        path=path,
        table=settings["table"],
        expectations=tuple(expectations),
        derived_columns={
            name: render_sql(sql, path) for name, sql in settings.get("derived_columns", {}).items()
        },
        pii_columns=frozenset(settings.get("pii_columns", [])),
        query=render_sql(settings["query"], path) if settings.get("query") else None,
        notes=document.get("notes"),
        key_columns=tuple(settings.get("key_columns") or RAW_LOCATOR_COLUMNS),
    )


def suite_paths(directory: Path = RAW_SUITES_DIR) -> list[Path]:
    return sorted(directory.glob("*.json"))


def load_suites(directory: Path = RAW_SUITES_DIR) -> dict[str, SuiteDefinition]:
    """Every suite in a folder, keyed by the table name without schema."""
    suites = [load_suite(path) for path in suite_paths(directory)]
    return {suite.source: suite for suite in suites}
