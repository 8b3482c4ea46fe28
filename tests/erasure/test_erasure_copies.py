"""Deleted rows survive in a DuckDB file's free blocks; compaction after an erasure removes them."""

from __future__ import annotations

import secrets
from datetime import datetime

import duckdb

from orchestration.erasure.copies import compact_warehouse, complete_erasures
from orchestration.erasure.requests import ERASED_CUSTOMERS_TABLE, ensure_erasure_tables

TOKENS = "select md5(range::varchar) || md5((range * 7)::varchar) as v from range(20000)"


def test_a_deleted_row_stays_in_the_file_until_the_warehouse_is_compacted(tmp_path):
    path = tmp_path / "数据 work" / "w.duckdb"
    path.parent.mkdir()
    person = f"oPERSON{secrets.token_hex(12)}"
    with duckdb.connect(str(path)) as con:
        con.execute(f"create table kept as {TOKENS}")
        con.execute("insert into kept values (?)", [person])
        con.execute("checkpoint")
        con.execute("delete from kept where v = ?", [person])
        con.execute("checkpoint")
        assert con.execute("select count(*) from kept where v = ?", [person]).fetchone() == (0,)
    assert person.encode() in path.read_bytes()  # the query says gone; the bytes are still there
    compact_warehouse(path)
    assert person.encode() not in path.read_bytes()
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select count(*) from kept").fetchone() == (20000,)
    assert sorted(child.name for child in path.parent.iterdir()) == ["w.duckdb"]


def test_nothing_is_removed_or_compacted_without_a_pending_erasure(tmp_path):
    work = tmp_path / "work.duckdb"
    with duckdb.connect(str(work)) as con:
        ensure_erasure_tables(con)
        con.execute(
            f"insert into {ERASED_CUSTOMERS_TABLE} values ('h', 'request.csv', now(), now())"
        )
    (tmp_path / "parquet" / "20260101T000000Z").mkdir(parents=True)
    completion = complete_erasures(
        work, tmp_path / "siyu.duckdb", tmp_path / "parquet", tmp_path / "audiences", datetime.now()
    )
    assert (completion.customers, completion.removed, completion.compacted) == (0, [], False)
    assert (tmp_path / "parquet" / "20260101T000000Z").is_dir()
