"""What a suite run found: one outcome per expectation, in the suite file's order.

Failure examples are meant for people (Dagster metadata, logs), so values of personal-data
columns, and any value holding a mobile number in clear, are shape-masked: digits become 9,
Latin letters a/A and other letters *, so "138 1234 567x" is shown as "999 9999 999a".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from siyu.privacy import CLEAR_MOBILE_PATTERN

BLOCKING = "critical"
WARNING = "warning"
INFO = "info"
LABEL_COLUMNS = 3  # a column-set expectation names a few columns, then "..."


@dataclass(frozen=True)
class FileAtFault:
    """A delivered file holding rows that fail an expectation (raw suites: rows carry their
    file's name and hash)."""

    file_name: str
    file_hash: str
    failing_rows: int
    examples: tuple[dict[str, Any], ...] = ()  # the first failing rows: row number and values

    def summary(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "file_hash": self.file_hash,
            "failing_rows": self.failing_rows,
            "examples": list(self.examples),
        }


@dataclass(frozen=True)
class ExpectationOutcome:
    """The result of one expectation of a suite."""

    index: int
    expectation_type: str
    columns: tuple[str, ...]
    kwargs: dict[str, Any]
    severity: str
    success: bool
    observed_value: Any = None
    element_count: int | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    unexpected_values: tuple[dict[str, Any], ...] = ()  # {"value", "count"}
    unexpected_rows: tuple[dict[str, Any], ...] = ()  # row samples with file and row number
    # every file with a failing row (delivered rows only), in file name order
    files_at_fault: tuple[FileAtFault, ...] = ()
    error: str | None = None

    @property
    def label(self) -> str:
        """`expect_column_values_to_match_regex(openid)`: how the expectation is named."""
        names = list(self.columns[:LABEL_COLUMNS])
        if len(self.columns) > LABEL_COLUMNS:
            names.append("...")
        return f"{self.expectation_type}({', '.join(names)})"

    @property
    def is_blocking(self) -> bool:
        return self.severity == BLOCKING

    def summary(self) -> dict[str, Any]:
        """A JSON-ready description of the outcome (for metadata and logs)."""
        fields = {
            "expectation": self.label,
            "severity": self.severity,
            "success": self.success,
            "observed_value": self.observed_value,
            "unexpected_count": self.unexpected_count,
            "unexpected_percent": _rounded(self.unexpected_percent),
            "unexpected_values": list(self.unexpected_values),
            "unexpected_rows": list(self.unexpected_rows),
            "files_at_fault": [file.summary() for file in self.files_at_fault],
            "error": self.error,
        }
        return {key: value for key, value in fields.items() if value not in (None, [])}

    def observed(self) -> dict[str, Any]:
        """What was measured, without the examples (for passed expectations)."""
        fields = {
            "observed_value": self.observed_value,
            "element_count": self.element_count,
            "unexpected_count": self.unexpected_count,
        }
        return {key: value for key, value in fields.items() if value is not None}


@dataclass(frozen=True)
class SuiteResult:
    """One suite run against one table."""

    suite_name: str
    table: str
    row_count: int
    outcomes: tuple[ExpectationOutcome, ...]
    problems: dict[str, str] = field(default_factory=dict)
    fetch_seconds: float = 0.0
    validate_seconds: float = 0.0

    @property
    def success(self) -> bool:
        return all(outcome.success for outcome in self.outcomes)

    def failures(self, severity: str | None = None) -> list[ExpectationOutcome]:
        return [
            outcome
            for outcome in self.outcomes
            if not outcome.success and (severity is None or outcome.severity == severity)
        ]

    @property
    def blocking_failures(self) -> list[ExpectationOutcome]:
        return self.failures(BLOCKING)

    @property
    def warning_failures(self) -> list[ExpectationOutcome]:
        return self.failures(WARNING)

    @property
    def failed_labels(self) -> list[str]:
        return [outcome.label for outcome in self.failures()]

    def blocking_files(self) -> dict[str, list[tuple[ExpectationOutcome, FileAtFault]]]:
        """file hash -> each failed critical expectation with what it found in that file, for
        every file holding rows that fail one; in file name order."""
        found = [
            (outcome, file) for outcome in self.blocking_failures for file in outcome.files_at_fault
        ]
        by_file: dict[str, list[tuple[ExpectationOutcome, FileAtFault]]] = {}
        for outcome, file in sorted(found, key=lambda pair: (pair[1].file_name, pair[1].file_hash)):
            by_file.setdefault(file.file_hash, []).append((outcome, file))
        return by_file

    def outcome(self, expectation_type: str, column: str | None = None) -> ExpectationOutcome:
        """The first outcome of this type (on this column); KeyError when there is none."""
        for outcome in self.outcomes:
            if outcome.expectation_type == expectation_type and (
                column is None or column in outcome.columns
            ):
                return outcome
        raise KeyError(f"{self.suite_name} has no {expectation_type}({column or ''})")


# --------------------------------------------------------------------------------------------
# values for people


def shape_mask(text: str) -> str:
    """Keep a value's shape, drop its content: digits -> 9, letters -> a/A/*."""
    return "".join(
        "9"
        if char.isdigit()
        else ("A" if char.isupper() else "a")
        if char.isascii() and char.isalpha()
        else "*"
        if char.isalpha()
        else char
        for char in text
    )


# spaces, dashes and brackets between digits, as in "138 1234-5678" or "+86 (138) 1234 5678"
SEPARATORS_BETWEEN_DIGITS = r"(?<=[0-9])[\s\-()]+(?=[0-9(])|(?<=[0-9])[)]"


def holds_clear_mobile(text: str) -> bool:
    """Whether the text holds a mainland mobile in clear (privacy.CLEAR_MOBILE_PATTERN)."""
    joined = re.sub(SEPARATORS_BETWEEN_DIGITS, "", text)
    return re.search(CLEAR_MOBILE_PATTERN, joined) is not None


def plain(value: Any) -> Any:
    """A JSON-ready copy of a value from pandas/GE (NaN and NaT become None)."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | np.ndarray):
        return [plain(item) for item in value]
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    return value


def shown(value: Any, personal: bool) -> Any:
    """A value as it may be shown: plain, and shape-masked when personal or a clear mobile."""
    value = plain(value)
    if isinstance(value, list | dict):
        text = str(value)
        return shape_mask(text) if personal or holds_clear_mobile(text) else value
    if isinstance(value, str) and (personal or holds_clear_mobile(value)):
        return shape_mask(value)
    return value


def _rounded(number: float | None) -> float | None:
    return None if number is None else round(number, 4)
