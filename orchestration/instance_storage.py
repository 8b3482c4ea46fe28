"""Dagster's SQLite event log, without an SQLAlchemy engine per event.

Dagster's `SqliteEventLogStorage` creates and disposes an SQLAlchemy engine for every write (two
or three per asset or check event: the run's shard, then the cross-run index). A siyu run stores
about a thousand events (models, dbt tests as checks, suites, planned events), and the engines
alone cost seconds. This subclass keeps the engine of each shard for the process's lifetime (a
few, least recently used first out); connections are still opened and closed per write
(NullPool), so locking and what other processes (daemon, webserver) see are unchanged.

Selected in dagster.yaml (`event_log_storage`); `base_dir` defaults to Dagster's own
`$DAGSTER_HOME/history/runs`, where the default storage keeps the same files.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster import Field, StringSource
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

# shards whose engine is kept: the index, and the runs being written (one at a time here)
KEPT_ENGINES = 8


def default_base_dir() -> str:
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        raise RuntimeError("SiyuSqliteEventLogStorage needs DAGSTER_HOME or a base_dir")
    return os.path.join(home, "history", "runs")


class SiyuSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage that reuses one engine per shard."""

    def __init__(self, base_dir: str | None = None, inst_data: Any = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir or default_base_dir(), inst_data=inst_data)

    @classmethod
    def config_type(cls) -> dict[str, Field]:
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: dict) -> SiyuSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=NullPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
        self._engines[shard] = engine  # most recently used last
        while len(self._engines) > KEPT_ENGINES:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
            yield conn

    def _dispose_engines(self) -> None:
        while self._engines:
            self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        with self._db_lock:
            self._dispose_engines()  # their files are deleted and created again
        super().wipe()

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()
