"""The secret key of siyu's keyed hashes (phone_hash and every other pseudonym): where it comes
from, and how SQL gets it without siyu ever writing it down.

Every value siyu pseudonymises is hashed with HMAC-SHA256 under one secret key. The key is read
from `SIYU_HASH_KEY`, else from a key file (`SIYU_HASH_KEY_FILE`, default
`$XDG_CONFIG_HOME/siyu/hash.key`); on the committed sample with neither set, the public sample key
is used. Outside the committed sample the sample key is refused, and with no key at all a random
one is created in the key file (mode 0600) on first use. See docs/hashing-key.md.

The key never appears in SQL text: compiled SQL, dbt's logs and manifests, Spark's metastore and
Dagster's run storage would keep it. SQL reads the two HMAC key blocks (K xor ipad, K xor opad)
at run time instead:

- DuckDB: the connection variables `siyu_hash_inner` and `siyu_hash_outer` (`getvariable()`), set
  by `HashKey.bind` on siyu's own connections and by the dbt-duckdb plugin
  (siyu/dbt/hash_key_plugin.py) on every connection dbt opens;
- Spark: the session confs `spark.siyu.hash_inner` and `spark.siyu.hash_outer`, set from the
  profile's server_side_parameters and read through Spark's variable substitution.

siyu hands the blocks to dbt in the environment variables of `HashKey.dbt_environment`, whose
`DBT_ENV_SECRET_` prefix makes dbt scrub their values from its logs. A model that hashes must be
a table (or ephemeral), never a view: a view keeps its SQL text, and on Spark that text holds the
substituted blocks.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from siyu.settings import DEFAULT_LANDING_DIR

KEY_ENV = "SIYU_HASH_KEY"
KEY_FILE_ENV = "SIYU_HASH_KEY_FILE"
# the salt of siyu before keyed hashes: refused with a migration message (docs/hashing-key.md)
RETIRED_SALT_ENV = "SIYU_HASH_SALT"
# public: the committed sample's phone hashes are made with it; refused for any other landing
SAMPLE_KEY = "siyu-public-sample-key:committed-sample-only"
MINIMUM_KEY_LENGTH = 32
GENERATED_KEY_BYTES = 32
# what the hashes are: part of every build fingerprint, so a change of scheme rebuilds staging
HASH_SCHEME = "hmac-sha256-v1"
BLOCK_SIZE = 64  # SHA-256's block, in bytes
# the DuckDB variables and Spark confs that hold the key blocks (macro keyed_hash reads them)
DUCKDB_INNER = "siyu_hash_inner"
DUCKDB_OUTER = "siyu_hash_outer"
DBT_INNER_ENV = "DBT_ENV_SECRET_SIYU_HASH_INNER"
DBT_OUTER_ENV = "DBT_ENV_SECRET_SIYU_HASH_OUTER"
NO_KEY_IN_SQL = (
    "siyu: no hash key on this connection (DuckDB variables siyu_hash_inner/siyu_hash_outer, "
    "Spark confs spark.siyu.hash_inner/hash_outer; see docs/hashing-key.md)"
)
MAKE_A_KEY = "python -c 'import secrets; print(secrets.token_hex(32))'"


class HashKeyError(RuntimeError):
    """The hash key is missing, refused or unreadable; the message says what to do."""


@dataclass(frozen=True)
class KeyBlocks:
    """HMAC's inner and outer key blocks (K xor ipad, K xor opad; RFC 2104): all SQL needs."""

    inner: bytes = field(repr=False)
    outer: bytes = field(repr=False)

    def bind(self, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        """Give a DuckDB connection (or cursor: each has its own variables) the blocks that
        `keyed_hash_sql` reads, as parameters, so no SQL text holds them."""
        con.execute(f"set variable {DUCKDB_INNER} = ?", [self.inner])
        con.execute(f"set variable {DUCKDB_OUTER} = ?", [self.outer])
        return con

    def dbt_environment(self) -> dict[str, str]:
        """The variables a dbt process reads the blocks from (profiles.yml for Spark, the
        dbt-duckdb plugin for DuckDB); dbt scrubs `DBT_ENV_SECRET_*` values from its logs."""
        return {DBT_INNER_ENV: self.inner.hex(), DBT_OUTER_ENV: self.outer.hex()}

    @classmethod
    def from_dbt_environment(cls, environ: Mapping[str, str]) -> KeyBlocks | None:
        inner, outer = environ.get(DBT_INNER_ENV), environ.get(DBT_OUTER_ENV)
        return cls(bytes.fromhex(inner), bytes.fromhex(outer)) if inner and outer else None


@dataclass(frozen=True)
class HashKey:
    """A secret HMAC-SHA256 key and where it came from (never printed: `repr` leaves it out)."""

    secret: bytes = field(repr=False)
    origin: str
    is_sample: bool = False
    created: bool = False

    def blocks(self) -> KeyBlocks:
        key = hashlib.sha256(self.secret).digest() if len(self.secret) > BLOCK_SIZE else self.secret
        padded = key.ljust(BLOCK_SIZE, b"\0")
        return KeyBlocks(bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded))

    def bind(self, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        return self.blocks().bind(con)

    def hexdigest(self, text: str) -> str:
        """HMAC-SHA256 of `text` (UTF-8) in lower-case hex: what the SQL `keyed_hash` gives."""
        return hmac.new(self.secret, text.encode(), hashlib.sha256).hexdigest()

    def fingerprint(self) -> str:
        """A digest that changes with the key and the hashing scheme and tells nothing of the
        key: for build fingerprints, which decide when hashed tables must be rebuilt."""
        return self.hexdigest(f"siyu build fingerprint {HASH_SCHEME}")

    def notice(self) -> str:
        """One line for the run's log: which key hashes this run (never the key)."""
        if self.is_sample:
            return (
                "hash key: the public sample key (committed sample only; phone hashes made "
                "with it can be reversed, never use it for real data)"
            )
        if self.created:
            return (
                f"hash key: created {self.origin} (mode 0600). Back it up: without it new data "
                "no longer joins to the hashes already in the warehouse"
            )
        return f"hash key: {self.origin}"


def keyed_hash_sql(expression: str) -> str:
    """DuckDB SQL: HMAC-SHA256 (lower-case hex) of a text expression with the key `bind` set on
    the connection; null for null; an error when the key is not set. The DuckDB SQL of the dbt
    macro keyed_hash (tests/privacy keep the two equal)."""
    inner, outer = f"getvariable('{DUCKDB_INNER}')", f"getvariable('{DUCKDB_OUTER}')"
    value = f"({expression})"
    return (
        f"case when {inner} is null or {outer} is null then error('{NO_KEY_IN_SQL}') "
        f"when {value} is not null then "
        f"sha256({outer} || unhex(sha256({inner} || encode(cast({value} as varchar))))) end"
    )


def default_key_file(environ: Mapping[str, str]) -> Path:
    """`$XDG_CONFIG_HOME/siyu/hash.key`, else `~/.config/siyu/hash.key`."""
    config_home = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "siyu" / "hash.key"


def is_committed_sample(landing_dir: Path) -> bool:
    return Path(landing_dir).resolve() == DEFAULT_LANDING_DIR.resolve()


def resolve_hash_key(
    landing_dir: Path,
    data_dirs: Iterable[Path] = (),
    environ: Mapping[str, str] | None = None,
    create: bool = True,
) -> HashKey:
    """The key a run on `landing_dir` hashes with: SIYU_HASH_KEY; else the key file; else, on
    the committed sample, the public sample key; else (when `create`) a new random key written
    to the key file. `data_dirs`: the warehouse folders, where a key file must never be.
    Raises HashKeyError with what to do."""
    env = os.environ if environ is None else environ
    if env.get(RETIRED_SALT_ENV):
        raise HashKeyError(
            f"{RETIRED_SALT_ENV} is no longer read: phones are now hashed with HMAC-SHA256 under "
            f"a secret key. Unset {RETIRED_SALT_ENV} and set {KEY_ENV} to a secret of at least "
            f"{MINIMUM_KEY_LENGTH} characters (e.g. `{MAKE_A_KEY}`), or let siyu create a key "
            f"file. Every phone_hash changes once; see docs/hashing-key.md."
        )
    sample = is_committed_sample(landing_dir)
    explicit_file = env.get(KEY_FILE_ENV)
    if env.get(KEY_ENV):
        key = HashKey(_checked(env[KEY_ENV].strip(), KEY_ENV), origin=f"from {KEY_ENV}")
    elif sample and not explicit_file:
        key = HashKey(SAMPLE_KEY.encode(), origin="the public sample key", is_sample=True)
    else:
        path = Path(explicit_file) if explicit_file else default_key_file(env)
        key = _key_from_file(path.expanduser().resolve(), [landing_dir, *data_dirs], create)
    if not sample and hmac.compare_digest(key.secret, SAMPLE_KEY.encode()):
        raise HashKeyError(
            f"refusing to hash {landing_dir} with the public sample key ({key.origin}): it is "
            "published, so anyone could reverse the phone hashes. Set "
            f"{KEY_ENV} to a secret of your own (e.g. `{MAKE_A_KEY}`), or unset it and let "
            f"siyu create a key file ({KEY_FILE_ENV}, default {default_key_file(env)})."
        )
    return key


def _checked(text: str, where: str) -> bytes:
    if len(text) < MINIMUM_KEY_LENGTH:
        raise HashKeyError(
            f"the hash key in {where} is {len(text)} characters long; use at least "
            f"{MINIMUM_KEY_LENGTH} random ones (e.g. `{MAKE_A_KEY}`)"
        )
    return text.encode()


def _protected_folder(path: Path, folders: list[Path]) -> Path | None:
    """The landing or warehouse folder `path` is inside, if any. A folder that holds the home
    directory (a warehouse file kept in ~ or /) does not make all of it a warehouse folder."""
    home = Path.home().resolve()
    for folder in (Path(folder).resolve() for folder in folders):
        if path.is_relative_to(folder) and not home.is_relative_to(folder):
            return folder
    return None


def _key_from_file(path: Path, data_dirs: list[Path], create: bool) -> HashKey:
    """The key in `path`, created there (0600, folder 0700) when missing and `create`."""
    folder = _protected_folder(path, data_dirs)
    if folder is not None:
        raise HashKeyError(
            f"refusing the hash key file {path}: it is inside {folder}, a landing or warehouse "
            f"folder, so whoever copies the data gets the key with it. Set {KEY_FILE_ENV} to a "
            "path outside them."
        )
    if path.is_file():
        return HashKey(_checked(path.read_text(encoding="utf-8").strip(), str(path)), str(path))
    if not create:
        raise HashKeyError(
            f"no hash key: {KEY_ENV} is unset and the key file {path} does not exist. A run of "
            f"siyu creates it; or set {KEY_ENV} (see docs/hashing-key.md)."
        )
    return _create_key_file(path)


def _create_key_file(path: Path) -> HashKey:
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True)
        path.parent.chmod(0o700)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it a moment ago: use that one
        return HashKey(_checked(path.read_text(encoding="utf-8").strip(), str(path)), str(path))
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(GENERATED_KEY_BYTES) + "\n")
    return HashKey(path.read_text(encoding="utf-8").strip().encode(), str(path), created=True)
