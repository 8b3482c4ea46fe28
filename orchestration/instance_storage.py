"""Dagster's SQLite event log, without an SQLAlchemy engine per event.

Dagster's `SqliteEventLogStorage` creates and disposes an SQLAlchemy engine for every write (two
or three per asset or check event: the run's shard, then the cross-run index). A siyu run stores
about two thousand events (models, dbt tests as checks, suites, planned events), and the engines
alone cost seconds. This subclass

- keeps the engine of each shard for the process's lifetime (a few, least recently used first
  out), each with one connection kept open: a write no longer opens the file, and no longer
  checkpoints the write-ahead log (an fsync) when it closes;
- checkpoints a run's write-ahead log into `<run_id>.db` shortly after its writes
  (CHECKPOINT_AFTER_SECONDS, once for all the writes of that moment), and at once when the run
  ends: that file's change is what a webserver following the run live is notified of (Dagster
  closes a connection per write, which checkpoints every event: about 3 ms each, 5-7 s of a
  run's 1,800 events);
- commits with `synchronous=NORMAL` (the databases are in WAL mode): a commit no longer waits
  for the disk, the database stays consistent, and a power cut can lose only the last events;
- remembers which tables exist, instead of an engine per asked (every check event asks).

Other processes (daemon, webserver) read the same files, through SQLite's own locking, as before.

Selected in dagster.yaml (`event_log_storage`); `base_dir` defaults to Dagster's own
`$DAGSTER_HOME/history/runs`, where the default storage keeps the same files.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster import DagsterEventType, Field, StringSource
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool, StaticPool

# shards whose engine is kept: the index, and the runs being written (one at a time here)
KEPT_ENGINES = 8
# how soon after a write a run's file holds it (a live view of the run follows that file)
CHECKPOINT_AFTER_SECONDS = 0.2
# events after which nothing more is written for a while: the run's file is brought up to date now
RUN_END_EVENTS = frozenset(
    {
        DagsterEventType.RUN_SUCCESS,
        DagsterEventType.RUN_FAILURE,
        DagsterEventType.RUN_CANCELED,
    }
)


def default_base_dir() -> str:
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        raise RuntimeError("SiyuSqliteEventLogStorage needs DAGSTER_HOME or a base_dir")
    return os.path.join(home, "history", "runs")


def _commit_without_waiting_for_disk(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("pragma synchronous=NORMAL")


def shard_engine(conn_string: str, keep_connection: bool) -> Engine:
    """An engine on one shard: one connection kept open (the index), or one per use (a run)."""
    connect_args: dict[str, Any] = {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
    if keep_connection:
        # used under the storage's lock only, so one connection may serve every thread
        connect_args["check_same_thread"] = False
    engine = create_engine(
        conn_string,
        poolclass=StaticPool if keep_connection else NullPool,
        connect_args=connect_args,
    )
    event.listen(engine, "connect", _commit_without_waiting_for_disk)
    return engine


class SiyuSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage that keeps one engine and connection per shard."""

    def __init__(self, base_dir: str | None = None, inst_data: Any = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables: set[str] = set()
        # run shards written since their last checkpoint, with the timer that will checkpoint them
        self._checkpoints_due: dict[str, threading.Timer] = {}
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
            conn_string = self.conn_string_for_shard(shard)
            engine = shard_engine(conn_string, keep_connection=True)
            if shard not in self._initialized_dbs:
                # Dagster's migration check opens connections inside connections, which must
                # not share the one kept connection: it gets a connection-per-use engine
                initializing = shard_engine(conn_string, keep_connection=False)
                self._initdb(initializing)
                initializing.dispose()
                self._initialized_dbs.add(shard)
        self._engines[shard] = engine  # most recently used last
        while len(self._engines) > KEPT_ENGINES:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            with self._engine(shard).connect() as conn:
                changes_before = conn.connection.dbapi_connection.total_changes
                with conn.begin():
                    yield conn
                wrote = conn.connection.dbapi_connection.total_changes != changes_before
            # a read (a webserver following the run) leaves nothing to checkpoint
            if wrote and shard != INDEX_SHARD_NAME and shard not in self._checkpoints_due:
                timer = threading.Timer(CHECKPOINT_AFTER_SECONDS, self._checkpoint, [shard])
                timer.daemon = True
                self._checkpoints_due[shard] = timer
                timer.start()

    def _checkpoint(self, shard: str, mode: str = "PASSIVE") -> None:
        """Copy the run's write-ahead log into `<run_id>.db` (its file changes)."""
        with self._db_lock:
            timer = self._checkpoints_due.pop(shard, None)
            if timer is not None:
                timer.cancel()
            engine = self._engines.get(shard)
            if engine is not None:
                with engine.connect() as conn:
                    conn.exec_driver_sql(f"pragma wal_checkpoint({mode})")

    def store_event(self, event: Any) -> None:
        super().store_event(event)
        if event.is_dagster_event and event.dagster_event_type in RUN_END_EVENTS:
            self._checkpoint(event.run_id, mode="TRUNCATE")

    def has_table(self, table_name: str) -> bool:
        """Whether the index has the table; a yes is remembered (tables are only ever added)."""
        if table_name in self._tables:
            return True
        exists = super().has_table(table_name)
        if exists:
            self._tables.add(table_name)
        return exists

    def _dispose_engines(self) -> None:
        """Close every kept connection (closing a file's last one checkpoints its log)."""
        while self._checkpoints_due:
            self._checkpoints_due.popitem()[1].cancel()
        while self._engines:
            self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        with self._db_lock:
            self._dispose_engines()  # their files are deleted and created again
            self._tables.clear()
        super().wipe()

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()
