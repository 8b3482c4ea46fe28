"""Search every file under some folders for secret or personal values, however a file stores
them: its raw bytes; the zlib-compressed values of SQLite databases (Dagster's run storage keeps
job snapshots so); and the values of DuckDB and Parquet files, read through DuckDB, which
compresses strings (a byte scan alone could miss a value that is there)."""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import duckdb

SQLITE_MAGIC = b"SQLite format 3\0"
PARQUET_MAGIC = b"PAR1"
SKIPPED_FOLDERS = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache"}


@dataclass(frozen=True)
class Finding:
    path: Path
    needle: str
    where: str  # bytes, sqlite <table>, duckdb <table>.<column>, parquet <column>


def files_under(folders: Iterable[Path]) -> Iterator[Path]:
    for folder in folders:
        if folder.is_file():
            yield folder
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not SKIPPED_FOLDERS & set(path.relative_to(folder).parts):
                yield path


def find_values(folders: Iterable[Path], needles: dict[str, bytes]) -> list[Finding]:
    """Every (file, needle) where a needle (name -> bytes) occurs, by any of the readings."""
    findings = []
    for path in files_under(folders):
        findings += _in_file(path, needles)
    return findings


def _in_file(path: Path, needles: dict[str, bytes]) -> list[Finding]:
    content = path.read_bytes()
    found = [Finding(path, name, "bytes") for name, needle in needles.items() if needle in content]
    if content.startswith(SQLITE_MAGIC):
        found += _in_sqlite(path, needles)
    elif path.suffix in {".duckdb", ".db"} or content[8:12] == b"DUCK":
        found += _in_duckdb(path, needles)
    elif content.startswith(PARQUET_MAGIC):
        found += _in_parquet(path, needles)
    return found


def _in_sqlite(path: Path, needles: dict[str, bytes]) -> list[Finding]:
    found = []
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        listed = con.execute("select name from sqlite_master where type = 'table'").fetchall()
        tables = [row[0] for row in listed]
        for table in tables:
            for row in con.execute(f'select * from "{table}"'):
                for value in row:
                    for name in _matching(_decoded(value), needles):
                        found.append(Finding(path, name, f"sqlite {table}"))
    return found


def _decoded(value: object) -> bytes:
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, bytes):
        try:
            return zlib.decompress(value)
        except zlib.error:
            return value
    return b""


def _matching(value: bytes, needles: dict[str, bytes]) -> list[str]:
    return [name for name, needle in needles.items() if needle in value]


def _text_columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    return [
        name
        for name, column_type, *_ in con.execute(f"describe select * from {relation}").fetchall()
        if column_type in ("VARCHAR", "BLOB", "JSON") or column_type.startswith("VARCHAR")
    ]


def _in_relation(
    con: duckdb.DuckDBPyConnection, relation: str, needles: dict[str, bytes]
) -> list[tuple[str, str]]:
    """(column, needle) pairs; only needles that are text (binary ones: the byte scan)."""
    texts = {}
    for name, needle in needles.items():
        try:
            texts[name] = needle.decode()
        except UnicodeDecodeError:
            continue
    found = []
    for column in _text_columns(con, relation):
        for name, text in texts.items():
            hits = con.execute(
                f'select count(*) from {relation} where contains("{column}"::varchar, ?)', [text]
            ).fetchone()[0]
            if hits:
                found.append((column, name))
    return found


def _in_duckdb(path: Path, needles: dict[str, bytes]) -> list[Finding]:
    found = []
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return []
    with con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE'"
        ).fetchall()
        for schema, table in tables:
            relation = f'"{schema}"."{table}"'
            for column, name in _in_relation(con, relation, needles):
                found.append(Finding(path, name, f"duckdb {schema}.{table}.{column}"))
    return found


def _in_parquet(path: Path, needles: dict[str, bytes]) -> list[Finding]:
    with duckdb.connect() as con:
        relation = "read_parquet('" + str(path).replace("'", "''") + "')"
        return [
            Finding(path, name, f"parquet {column}")
            for column, name in _in_relation(con, relation, needles)
        ]
