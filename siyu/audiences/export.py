"""Write an audience of marts.audience_members as one CSV file per channel, and read one back.

A file holds the members of one audience on one channel, with the id to send to: the WeCom
external_userid with the guide who sends (owner_guide_id), the OA or mini-program openid, or the
phone_hash an SMS provider matches. UTF-8 with a BOM and CRLF line ends, so Excel opens the Chinese
labels correctly; every audience channel gets a file, empty ones with the header only.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

EXPORT_COLUMNS = (
    "audience_key",
    "channel",
    "customer_id",
    "reach_id_type",
    "reach_id",
    "owner_guide_id",
    "home_store_id",
    "computed_at",
)
EXPORT_ENCODING = "utf-8-sig"  # UTF-8 with BOM: Excel users
AUDIENCE_MEMBERS = "marts.audience_members"
AUDIENCE_DEFINITIONS = "marts.audience_definitions"


class UnknownAudienceError(LookupError):
    """The audience key is not in marts.audience_definitions."""


@dataclass(frozen=True)
class AudienceFile:
    audience_key: str
    channel: str
    path: Path
    members: int


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def audience_keys(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(f"select audience_key from {AUDIENCE_DEFINITIONS} order by 1").fetchall()
    return [row[0] for row in rows]


def audience_channels(con: duckdb.DuckDBPyConnection, audience_key: str) -> list[str]:
    """The audience's channels in order of preference; raises UnknownAudienceError."""
    row = con.execute(
        f"select channels from {AUDIENCE_DEFINITIONS} where audience_key = ?", [audience_key]
    ).fetchone()
    if row is None:
        known = ", ".join(audience_keys(con)) or "none"
        raise UnknownAudienceError(f"unknown audience {audience_key!r} (audiences: {known})")
    return [channel for channel in row[0].split(",") if channel]


def audience_rows(
    con: duckdb.DuckDBPyConnection, audience_key: str, channel: str | None = None
) -> list[dict[str, str]]:
    """Members of an audience (on one channel, or all) as the text an export file holds."""
    rows = con.execute(
        f"select {', '.join(EXPORT_COLUMNS)} from {AUDIENCE_MEMBERS} "
        "where audience_key = ? and (? is null or channel = ?) "
        "order by channel, customer_id",
        [audience_key, channel, channel],
    ).fetchall()
    return [
        {column: _text(value) for column, value in zip(EXPORT_COLUMNS, row, strict=True)}
        for row in rows
    ]


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    """Write through a temporary file and rename it: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("w", encoding=EXPORT_ENCODING, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(partial, path)


def export_file_name(audience_key: str, channel: str) -> str:
    return f"{audience_key}__{channel}.csv"


def export_audience(
    con: duckdb.DuckDBPyConnection, audience_key: str, out_dir: Path
) -> list[AudienceFile]:
    """Write `<audience_key>__<channel>.csv` into out_dir for every channel of the audience."""
    files = []
    for channel in audience_channels(con, audience_key):
        rows = audience_rows(con, audience_key, channel)
        path = Path(out_dir) / export_file_name(audience_key, channel)
        _write_csv(path, rows)
        files.append(AudienceFile(audience_key, channel, path, len(rows)))
    return files


def export_all_audiences(con: duckdb.DuckDBPyConnection, out_dir: Path) -> list[AudienceFile]:
    return [
        exported
        for audience_key in audience_keys(con)
        for exported in export_audience(con, audience_key, out_dir)
    ]


def read_audience_file(path: Path) -> list[dict[str, str]]:
    """The rows of an export file, as audience_rows returns them."""
    with Path(path).open(encoding=EXPORT_ENCODING, newline="") as handle:
        return list(csv.DictReader(handle))
