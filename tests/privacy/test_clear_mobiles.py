"""No staged or later table holds a raw mobile number; the scanner itself can fail."""

from __future__ import annotations

import duckdb
import pytest

from siyu.privacy import find_clear_mobiles
from tests.conftest import phone_hash

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

MODELLED_SCHEMAS = ["staging", "intermediate", "marts"]


def test_no_staged_table_holds_a_clear_mobile(quirk_db):
    tables = quirk_db.execute(
        "select count(*) from information_schema.tables where table_schema = 'staging'"
    ).fetchone()[0]
    assert tables >= 17
    assert find_clear_mobiles(quirk_db, MODELLED_SCHEMAS) == []


def test_raw_layer_does_hold_them_so_the_scan_is_meaningful(quirk_db):
    findings = find_clear_mobiles(quirk_db, ["raw"])
    assert {(f.table, f.column) for f in findings} >= {
        ("raw.mp_users", "phone"),
        ("raw.pos_members", "phone"),
        ("raw.sms_sends", "phone_num"),
        ("raw.wecom_contacts", "remark_mobiles"),
        ("raw.wecom_contacts", "remark"),
    }


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("13812345678", True),
        ("+86 138-1234-5678", True),
        ("(138)1234 5678", True),
        ("1 3 8 1 2 3 4 5 6 7 8", True),
        ("1381234567", False),
        ("王先生 13812345678 备注", True),
        ("138****5678", False),
        ("021-62345678", False),
        (phone_hash("13812345678"), False),
        ("a13812345678b", False),
    ],
)
def test_scanner_catches_planted_mobiles_and_ignores_hashes(value, found):
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.t (note varchar)")
    con.execute("insert into marts.t values (?)", [value])
    assert bool(find_clear_mobiles(con, ["marts"])) is found


def test_exempt_platform_ids_and_hash_columns_are_skipped_but_others_are_not():
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.t (coupon_id varchar, phone_hash varchar, note varchar)")
    con.execute("insert into marts.t values ('18796868771', '13812345678', 'ok')")
    assert find_clear_mobiles(con, ["marts"]) == []
    con.execute("insert into marts.t values ('1', 'x', '18796868771')")
    assert [(f.column, f.rows) for f in find_clear_mobiles(con, ["marts"])] == [("note", 1)]
