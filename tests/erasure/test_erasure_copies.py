"""Copies an erasure must reach besides the raw tables: deleted rows in a DuckDB file's free
blocks (compaction), quarantined records."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

import duckdb
import pytest

from siyu.erasure.copies import compact_warehouse, complete_erasures
from siyu.erasure.requests import (
    ERASED_CUSTOMERS_TABLE,
    ERASURE_TABLE,
    _query_param,
    ensure_erasure_tables,
    erase_source,
)
from siyu.ingestion.raw_tables import QUARANTINE_TABLE, ensure_raw_tables
from siyu.ingestion.specs import load_source_specs
from tests.conftest import TEST_HASH_KEY, phone_hash
from tests.spark.test_portable_macros import CASES as MACRO_CASES

TOKENS = "select md5(range::varchar) || md5((range * 7)::varchar) as v from range(20000)"


def test_a_deleted_row_stays_in_the_file_until_the_warehouse_is_compacted(tmp_path):
    path = tmp_path / "数据 work" / "w.duckdb"
    path.parent.mkdir()
    person = f"oPERSON{secrets.token_hex(12)}"
    with duckdb.connect(str(path)) as con:
        # strings stored as written (DuckDB may compress them, which would hide them from a byte
        # scan whether deleted or not)
        con.execute("set force_compression = 'uncompressed'")
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


def test_quarantined_records_naming_the_person_are_erased_and_others_stay():
    """raw.quarantine keeps the text of records that failed to load: a person's id (or phone)
    in that text is a copy too."""
    spec = load_source_specs()["mp_users"]
    con = duckdb.connect()
    ensure_raw_tables(con, spec)
    ensure_erasure_tables(con)
    for id_type, value in [("mp_openid", "oPERSON_1-x"), ("phone_hash", phone_hash("13812345678"))]:
        con.execute(
            f"insert into {ERASURE_TABLE} values (?, ?, 'request.csv', now())",
            [id_type, TEST_HASH_KEY.hexdigest(value)],
        )
    records = {
        "the person's openid": "oPERSON_1-x,oUn9,,bad time,1,",
        "the person's phone": 'oOTHER,oUn8,"138-1234-5678",bad time,1,',
        "someone else": "oOTHER_2,oUn7,13900001111,bad time,1,",
    }
    for row, record in enumerate(records.values(), start=1):
        con.execute(
            f"insert into {QUARANTINE_TABLE} values ('mp_users', 'a.csv', 'h', ?, "
            "'register_time', 'not a time', ?, now())",
            [row, record],
        )
    erase_source(con, spec, TEST_HASH_KEY, datetime.now())
    left = con.execute(f"select raw_record from {QUARANTINE_TABLE}").fetchall()
    assert left == [(records["someone else"],)]


def test_a_record_that_names_the_person_as_its_sharer_stays_without_the_mention():
    """A mini-program user who came by a link the person shared carries the person's openid in
    scene_query (share_from=...): erasing the person cuts it out; that user's record, and the
    rest of their scene_query, stay; where the mention is no plain parameter, the scene_query
    goes."""
    spec = load_source_specs()["mp_users"]
    con = duckdb.connect()
    ensure_raw_tables(con, spec)
    ensure_erasure_tables(con)
    con.execute(
        f"insert into {ERASURE_TABLE} values ('mp_openid', ?, 'request.csv', now())",
        [TEST_HASH_KEY.hexdigest("oPERSON_1")],
    )
    scene_queries = {
        "oPERSON_1": "store_id=S003",  # the person: erased
        "oSHARED_TO": "share_from=oPERSON_1&path=pages/goods/detail",
        "oSHARED_LAST": "utm_source=moments&share_from=oPERSON_1",
        "oSHARED_ONLY": "share_from=oPERSON_1",
        "oOTHER_SHARER": "share_from=oPERSON_10&path=pages/index",  # another sharer
        # the mention inside a whole URL, and in a query string nested in another, encoded
        "oIN_URL": "path=pages/goods/detail?share_from=oPERSON_1",
        "oNESTED": "scene=share_from%3DoPERSON_1%26path%3Dpages%2Findex",
    }
    for row, (openid, scene_query) in enumerate(scene_queries.items(), start=1):
        con.execute(
            f"insert into {spec.raw_table} (openid, unionid, phone, register_time, scene, "
            "scene_query, _file_name, _file_hash, _row_number, _loaded_at) "
            "values (?, ?, '', '2026-11-01 10:00:00', '1007', ?, 'a.csv', 'h', ?, now())",
            [openid, f"oUn{row}", scene_query, row],
        )
    assert erase_source(con, spec, TEST_HASH_KEY, datetime.now()) == 1  # the person's own row
    left = dict(con.execute(f"select openid, scene_query from {spec.raw_table}").fetchall())
    assert left == {
        "oSHARED_TO": "path=pages/goods/detail",
        "oSHARED_LAST": "utm_source=moments",
        "oSHARED_ONLY": None,
        "oOTHER_SHARER": "share_from=oPERSON_10&path=pages/index",
        "oIN_URL": None,
        "oNESTED": None,
    }


# the dbt macro query_param's hand-computed cases: {{ siyu.query_param("<text>", '<name>') }}
QUERY_PARAM_CALL = re.compile(r"""\{\{ siyu\.query_param\("(.*)", '(\w+)'\) \}\}""")
QUERY_PARAM_CASES = [
    pytest.param(*QUERY_PARAM_CALL.fullmatch(expression).groups(), expected, id=case)
    for case, expression, expected in MACRO_CASES
    if expression.startswith("{{ siyu.query_param(")
]


@pytest.mark.parametrize(("text", "name", "expected"), QUERY_PARAM_CASES)
def test_erasure_finds_a_query_parameter_as_the_dbt_macro_does(text, name, expected):
    """Erasure's twin of the macro (it runs at ingestion, without dbt) gives the macro's values."""
    assert len(QUERY_PARAM_CASES) >= 3  # the macro's cases were found
    con = duckdb.connect()
    con.execute(f"create table scenes as select {text} as scene_query")
    found, wanted = con.execute(
        f"select {_query_param('scene_query', name)}, {expected} from scenes"
    ).fetchone()
    assert found == wanted
