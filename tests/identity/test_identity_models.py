"""OneID in dbt on hand-made exports: stitching, junk and hubs, masked phones, stable ids."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from siyu.quality.runner import run_suite
from siyu.quality.suites import MART_SUITES_DIR, load_suite
from tests.conftest import ingest_landing, phone_hash
from tests.dbt_runner import run_dbt
from tests.fixtures import identity_landing as scenario

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run


@dataclass(frozen=True)
class TwoRuns:
    day1: Path
    day2: Path


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> TwoRuns:
    root = tmp_path_factory.mktemp("identity")
    landing, warehouse = root / "landing", root / "warehouse.duckdb"
    scenario.write_day1(landing)
    ingest_landing(warehouse, landing)
    run_dbt(["build"], warehouse, root / "target")
    day1 = root / "day1.duckdb"
    shutil.copy(warehouse, day1)
    scenario.write_day2(landing)
    ingest_landing(warehouse, landing)
    run_dbt(["build"], warehouse, root / "target")
    return TwoRuns(day1=day1, day2=warehouse)


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def customer_of(path: Path, id_type: str, id_value: str) -> str:
    rows = query(
        path,
        "select customer_id from marts.customer_identity where id_type = ? and id_value = ?",
        [id_type, id_value],
    )
    assert len(rows) == 1, (id_type, id_value, rows)
    return rows[0][0]


def test_customer_counts_match_the_hand_count(runs):
    assert query(runs.day1, "select count(*) from marts.dim_customer") == [
        (scenario.DAY1_CUSTOMERS,)
    ]
    assert query(runs.day2, "select count(*) from marts.dim_customer") == [
        (scenario.DAY2_CUSTOMERS,)
    ]


def test_identifiers_of_one_person_are_stitched_across_channels(runs):
    alice = customer_of(runs.day1, "mp_openid", scenario.ALICE_MP)
    assert sorted(
        query(
            runs.day1, "select id_type from marts.customer_identity where customer_id = ?", [alice]
        )
    ) == [("member_id",), ("mp_openid",), ("oa_openid",), ("phone_hash",), ("unionid",)]
    evidence = query(
        runs.day1,
        "select source, left_id_type, right_id_type from marts.identity_link_evidence "
        "where customer_id = ? and link_status = 'linked' order by 1, 2, 3",
        [alice],
    )
    assert evidence == [
        ("pos", "member_id", "phone_hash"),
        ("wechat_mp", "mp_openid", "phone_hash"),
        ("wechat_mp", "mp_openid", "unionid"),
        ("wechat_oa", "oa_openid", "unionid"),
    ]


def test_hub_phones_are_excluded_with_the_count_they_would_have_joined(runs):
    excluded = dict(
        (row[0], row[1:])
        for row in query(
            runs.day1,
            "select id_value, exclusion_type, would_join_customers, reason "
            "from marts.identity_excluded_ids where id_type = 'phone_hash'",
        )
    )
    assert excluded[phone_hash(scenario.STORE_PHONE)][:2] == ("hub", 4)
    assert "member_id" in excluded[phone_hash(scenario.STORE_PHONE)][2]
    assert excluded[phone_hash(scenario.GUIDE_PHONE)][:2] == ("hub", 5)
    members = {customer_of(runs.day1, "member_id", f"M20{n}") for n in range(1, 5)}
    assert len(members) == 4
    contacts = {
        customer_of(runs.day1, "wecom_external_userid", f"wmGuideCustomer{n}") for n in range(1, 6)
    }
    assert len(contacts) == 5


def test_test_numbers_and_null_like_ids_never_link(runs):
    junk = query(
        runs.day1,
        "select exclusion_type, reason from marts.identity_excluded_ids where id_value = ?",
        [phone_hash(scenario.TEST_PHONE)],
    )
    assert junk == [("junk", "test or placeholder phone number")]
    assert customer_of(runs.day1, "mp_openid", scenario.TEST_MP_1) != customer_of(
        runs.day1, "mp_openid", scenario.TEST_MP_2
    )
    assert customer_of(runs.day1, "mp_openid", scenario.UNDEF_MP_1) != customer_of(
        runs.day1, "mp_openid", scenario.UNDEF_MP_2
    )
    assert query(
        runs.day1, "select count(*) from marts.customer_identity where id_value = 'undefined'"
    ) == [(0,)]


def test_masked_phones_never_link(runs):
    bob = customer_of(runs.day1, "tmall_buyer", "tb_bob")
    assert bob != customer_of(runs.day1, "mp_openid", scenario.ALICE_MP)
    assert query(
        runs.day1, "select count(*) from marts.customer_identity where customer_id = ?", [bob]
    ) == [(1,)]


def test_new_data_keeps_ids_merges_into_the_older_and_logs_the_merge(runs):
    unchanged = [
        scenario.ALICE_MP,
        scenario.TEST_MP_1,
        scenario.TEST_MP_2,
        scenario.UNDEF_MP_1,
        scenario.UNDEF_MP_2,
    ]
    for openid in unchanged:
        assert customer_of(runs.day2, "mp_openid", openid) == customer_of(
            runs.day1, "mp_openid", openid
        )
    membership_id = customer_of(runs.day1, "member_id", "M300")
    app_id = customer_of(runs.day1, "app_user_id", "app-carol")
    assert membership_id != app_id
    assert customer_of(runs.day2, "app_user_id", "app-carol") == membership_id
    assert customer_of(runs.day2, "device_id", "dev-carol") == membership_id
    assert customer_of(runs.day2, "mp_openid", scenario.DAVE_MP) not in {
        customer_of(runs.day1, "mp_openid", openid) for openid in unchanged
    }
    assert query(
        runs.day2,
        "select previous_customer_id, customer_id, change_type "
        "from marts.identity_customer_id_changes",
    ) == [(app_id, membership_id, "merged")]


def test_gmv_reconciles_with_resolved_orders(runs):
    assert query(
        runs.day2,
        "select (select sum(gmv) from marts.dim_customer), "
        "(select sum(net_amount) from marts.fct_orders where customer_id is not null)",
    ) == [(99, 99)]


@pytest.mark.parametrize(
    "mart",
    [
        "dim_customer",
        "customer_identity",
        "identity_link_evidence",
        "identity_customer_id_changes",
        "fct_orders",
    ],
)
def test_the_mart_suites_pass_after_a_merge(runs, mart):
    suite = load_suite(MART_SUITES_DIR / f"{mart}.json")
    with duckdb.connect(str(runs.day2), read_only=True) as con:
        result = run_suite(con, suite)
    assert result.row_count > 0
    assert [outcome.summary() for outcome in result.failures()] == []
