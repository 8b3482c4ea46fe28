"""The hash key: HMAC-SHA256 that SQL (DuckDB through dbt and siyu's own connections) and Python
agree on, where the key comes from, and when a run refuses to start."""

from __future__ import annotations

import hashlib
import hmac
import stat
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from orchestration.run import run_daily_refresh
from siyu.hash_key import (
    KEY_ENV,
    KEY_FILE_ENV,
    RETIRED_SALT_ENV,
    SAMPLE_KEY,
    HashKey,
    HashKeyError,
    keyed_hash_sql,
    resolve_hash_key,
)
from siyu.settings import DEFAULT_LANDING_DIR, SiyuSettings, environment_set
from tests.conftest import TEST_HASH_KEY
from tests.dbt_runner import run_dbt

PHONES = ["13812345678", "+86 139-0000-1111", "15900001234"]
VALUES = ["13812345678", "o6_bmjrPTlm6_2sgVt7hMZOPfL2M", "中文 値", ""]
# a key longer than SHA-256's 64-byte block, which HMAC hashes first
LONG_KEY = HashKey(("k" * 100).encode(), origin="a long key")


@pytest.mark.parametrize("key", [TEST_HASH_KEY, LONG_KEY], ids=["test key", "long key"])
def test_python_hmac_and_siyus_sql_give_the_same_keyed_hash(key):
    con = key.bind(duckdb.connect())
    for value in VALUES:
        sql_hash = con.execute(f"select {keyed_hash_sql('$1::varchar')}", [value]).fetchone()[0]
        expected = hmac.new(key.secret, value.encode(), hashlib.sha256).hexdigest()
        assert sql_hash == expected == key.hexdigest(value), value
    assert con.execute(f"select {keyed_hash_sql('null')}").fetchone()[0] is None


def test_keyed_sql_without_the_key_on_the_connection_fails_instead_of_hashing_nothing():
    with pytest.raises(duckdb.Error, match="no hash key"):
        duckdb.connect().execute("select " + keyed_hash_sql("'13812345678'")).fetchone()


def dbt_phone_hashes(tmp_path: Path, key_text: str) -> list[str]:
    """phone_hash of PHONES as dbt's hash_phone gives it (DuckDB, the dbt-duckdb plugin)."""
    selects = " union all ".join(
        f"select {index} as n, {{{{ hash_phone(\"'{phone}'\") }}}} as phone_hash"
        for index, phone in enumerate(PHONES)
    )
    output = run_dbt(
        ["show", "--inline", f"select phone_hash from ({selects}) order by n", "--output", "json"],
        tmp_path / "show.duckdb",
        tmp_path / "target",
        **{KEY_ENV: key_text},
    )
    return [line.split('"')[3] for line in output.splitlines() if '"phone_hash":' in line]


@pytest.mark.build
def test_dbt_and_python_agree_and_hashes_differ_between_two_keys(tmp_path):
    other = HashKey(b"another-deployment-key-0123456789abcdef", origin="another key")
    first = dbt_phone_hashes(tmp_path, TEST_HASH_KEY.secret.decode())
    second = dbt_phone_hashes(tmp_path, other.secret.decode())
    normalised = ["13812345678", "13900001111", "15900001234"]
    assert first == [TEST_HASH_KEY.hexdigest(phone) for phone in normalised]
    assert second == [other.hexdigest(phone) for phone in normalised]
    assert not set(first) & set(second)


def test_the_committed_sample_uses_the_public_sample_key_and_says_so():
    key = resolve_hash_key(DEFAULT_LANDING_DIR, environ={})
    assert key.is_sample and key.secret == SAMPLE_KEY.encode()
    assert "sample key" in key.notice() and "\n" not in key.notice()


def test_a_run_with_the_sample_key_outside_the_sample_refuses_to_start(tmp_path):
    landing = tmp_path / "landing"
    settings = replace(
        SiyuSettings.from_env({}),
        landing_dir=landing,
        warehouse_path=tmp_path / "published.duckdb",
        work_warehouse_path=tmp_path / "work" / "work.duckdb",
        parquet_dir=None,
    )
    refused = pytest.raises(HashKeyError, match=r"refusing to hash .* with the public sample key")
    with environment_set({KEY_ENV: SAMPLE_KEY}), refused:
        run_daily_refresh(settings)
    assert not (tmp_path / "work").exists()  # refused before anything ran
    with pytest.raises(HashKeyError, match="public sample key"):
        resolve_hash_key(landing, environ={KEY_FILE_ENV: str(write_key(tmp_path, SAMPLE_KEY))})


def write_key(folder: Path, text: str) -> Path:
    path = folder / "given.key"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_key_file_is_created_with_mode_0600_and_reused(tmp_path):
    config_home = tmp_path / ".config home" / "配置"
    environ = {"XDG_CONFIG_HOME": str(config_home)}
    landing = tmp_path / "landing"
    created = resolve_hash_key(landing, [tmp_path / "warehouse"], environ=environ)
    path = config_home / "siyu" / "hash.key"
    assert created.created and created.origin == str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(bytes.fromhex(path.read_text().strip())) == 32
    assert "Back it up" in created.notice() and str(path) in created.notice()
    again = resolve_hash_key(landing, [tmp_path / "warehouse"], environ=environ)
    assert again.secret == created.secret and not again.created


def test_a_key_file_inside_a_warehouse_or_landing_folder_is_refused(tmp_path):
    warehouse, landing = tmp_path / "warehouse", tmp_path / "landing"
    for folder in (warehouse / "parquet", landing):
        environ = {KEY_FILE_ENV: str(folder / "hash.key")}
        with pytest.raises(HashKeyError, match=r"inside .*a landing or warehouse folder"):
            resolve_hash_key(landing, [warehouse], environ=environ)
        assert not (folder / "hash.key").exists()


def test_siyu_hash_salt_is_refused_with_a_migration_message(tmp_path):
    with pytest.raises(HashKeyError, match=rf"{RETIRED_SALT_ENV} is no longer read.*{KEY_ENV}"):
        resolve_hash_key(tmp_path, environ={RETIRED_SALT_ENV: "my-old-salt"})


def test_a_short_key_is_refused(tmp_path):
    with pytest.raises(HashKeyError, match="at least 32"):
        resolve_hash_key(tmp_path, environ={KEY_ENV: "short"})


def test_the_key_never_shows_in_its_repr_or_its_fingerprint():
    shown = repr(TEST_HASH_KEY) + repr(TEST_HASH_KEY.blocks()) + TEST_HASH_KEY.fingerprint()
    inner, outer = TEST_HASH_KEY.blocks().inner, TEST_HASH_KEY.blocks().outer
    for secret in (TEST_HASH_KEY.secret.decode(), TEST_HASH_KEY.secret.hex(), inner.hex()):
        assert secret not in shown
    assert outer.hex() not in shown
    assert TEST_HASH_KEY.fingerprint() != LONG_KEY.fingerprint()
