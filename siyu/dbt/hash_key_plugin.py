"""dbt-duckdb plugin (profiles.yml `plugins:`): the hash key on every connection dbt opens.

The macro keyed_hash reads HMAC's key blocks from the DuckDB variables siyu_hash_inner and
siyu_hash_outer; this plugin sets them on dbt's connection and on each of its cursors (DuckDB
keeps variables per cursor), so no SQL text dbt compiles, runs or logs holds the key.

The blocks come from the environment siyu's dbt step passes (KeyBlocks.dbt_environment). dbt
started by hand (`dbt run-operation print_phone_hash ...`) finds the key as a run would
(SIYU_HASH_KEY, else the key file, else the sample key on the committed sample), without
creating one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from duckdb import DuckDBPyConnection

from dbt.adapters.duckdb.plugins import BasePlugin
from siyu.hash_key import KeyBlocks, resolve_hash_key
from siyu.settings import SiyuSettings


def key_blocks_for_dbt(environ: Mapping[str, str]) -> KeyBlocks:
    """The blocks siyu passed, else those of the key a run would use (none is created)."""
    passed = KeyBlocks.from_dbt_environment(environ)
    if passed is not None:
        return passed
    landing_dir = SiyuSettings.from_env(dict(environ)).landing_dir
    return resolve_hash_key(landing_dir, environ=environ, create=False).blocks()


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.key_blocks: KeyBlocks | None = None

    def _blocks(self) -> KeyBlocks:
        if self.key_blocks is None:
            self.key_blocks = key_blocks_for_dbt(os.environ)
        return self.key_blocks

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        self._blocks().bind(conn)

    def configure_cursor(self, cursor: DuckDBPyConnection) -> None:
        self._blocks().bind(cursor)
