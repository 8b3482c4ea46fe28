"""SQL text ingestion builds: quoted identifiers, string literals and lists of file ids."""

from __future__ import annotations

from collections.abc import Iterable


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def id_list(file_ids: Iterable[int]) -> str:
    """A SQL list of file ids (never empty: `-1` matches no file)."""
    return ", ".join(str(int(file_id)) for file_id in file_ids) or "-1"
