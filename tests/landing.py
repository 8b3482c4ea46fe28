"""Landing folders for the tests: the one way a test writes the exports siyu ingests.

A landing folder holds one sub-folder per source (mp_users/, pos_orders/, ...) with the files a
platform delivered. A test starts from an empty folder, the committed sample (seeds/landing) or
a generated one, then adds, replaces or removes files of a source:

    landing = LandingBuilder.empty(tmp_path / "landing")
    landing.add("mp_users", "users.csv", lines(MP_HEADER, "oMP1,oUn1,,2026-11-01 10:00:00,1,"))
    landing.add("tmall_orders", "orders.csv", text, encoding="gbk")
    ingest(landing.path)

Text is written with the encoding given (UTF-8 unless told), bytes as they are, so a test says
exactly which bytes a platform delivered (a BOM, GBK, UTF-16, a cut-off file).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from siyu.settings import DEFAULT_LANDING_DIR

Content = str | bytes


def write_file(path: Path, content: Content, encoding: str = "utf-8") -> Path:
    """Write `content` at `path` (text encoded with `encoding`), making its folders; a file
    already there is replaced. Returns `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


SHANGHAI = timezone(timedelta(hours=8))


def shanghai_unix(local: str) -> int:
    """Unix seconds of a local time in Asia/Shanghai ('2026-03-01 10:00:00'), as WeChat, WeCom
    and the app's events give their times."""
    return int(datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).timestamp())


def lines(*rows: str) -> str:
    """Rows as a text file: joined by newlines, and one at the end."""
    return "\n".join(rows) + "\n"


@dataclass(frozen=True)
class LandingBuilder:
    """A landing folder being written; `LandingBuilder(path)` opens `path` as it is."""

    path: Path

    @classmethod
    def empty(cls, path: Path) -> LandingBuilder:
        """A new landing folder without any file."""
        path.mkdir(parents=True, exist_ok=False)
        return cls(path)

    @classmethod
    def sample(cls, path: Path, sources: Iterable[str] | None = None) -> LandingBuilder:
        """A copy of the committed sample's exports (seeds/landing), of every source or of
        `sources` only."""
        builder = cls.empty(path)
        names = sorted(sources) if sources is not None else builder.sample_sources()
        for source in names:
            shutil.copytree(DEFAULT_LANDING_DIR / source, path / source)
        return builder

    @classmethod
    def generated(cls, out_dir: Path, **generate: Any) -> LandingBuilder:
        """The landing folder the sample generator writes under `out_dir` (its ground truth goes
        beside it); `generate` takes sample_data.generate's arguments."""
        from sample_data import generate as generate_sample

        generate_sample(out_dir, **generate)
        return cls(out_dir / "landing")

    @staticmethod
    def sample_sources() -> list[str]:
        """The sources the committed sample delivers."""
        return sorted(folder.name for folder in DEFAULT_LANDING_DIR.iterdir() if folder.is_dir())

    def file(self, source: str, name: str) -> Path:
        """Where file `name` (it may hold sub-folders: 'archive/a.csv') of `source` lies."""
        return self.path / source / name

    def add(self, source: str, name: str, content: Content, encoding: str = "utf-8") -> Path:
        """Add file `name` to `source`, or replace it; returns its path."""
        return write_file(self.file(source, name), content, encoding)

    def add_lines(
        self, source: str, name: str, rows: Iterable[str], encoding: str = "utf-8"
    ) -> Path:
        """A text file of `rows` (a header first, for a CSV), each ending with a newline."""
        return self.add(source, name, lines(*rows), encoding)

    def add_json(self, source: str, name: str, document: Any, **dumps: Any) -> Path:
        """A JSON file of `document`, written by json.dumps with `dumps` (ensure_ascii=False...)."""
        return self.add(source, name, json.dumps(document, **dumps))

    def add_jsonl(self, source: str, name: str, records: Iterable[Any], **dumps: Any) -> Path:
        """A JSON-lines file: one json.dumps(record, **dumps) a line."""
        return self.add_lines(source, name, (json.dumps(record, **dumps) for record in records))

    def remove(self, source: str, name: str) -> None:
        """Take file `name` of `source` away."""
        self.file(source, name).unlink()

    def drop(self, source: str) -> None:
        """Take every file of `source` away, and its folder."""
        shutil.rmtree(self.path / source)
